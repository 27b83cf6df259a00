/* gh-archive internals: a small storage interface with two engines, SQLite
 * (db.c, a file path) and PostgreSQL (pg.c, a libpq connection string),
 * and the one piece of code that turns a receipt into rows (store.c).
 *
 * Error reporting: functions return 0 (or a non-negative result) on
 * success and -1 on failure, with the message (without the program name)
 * in the caller's err buffer. They never print and never exit.
 *
 * Ownership: archive_open hands back a struct archive closed with
 * archive_close; a struct store is released with store_free (both accept
 * NULL). Receipt objects passed in stay owned by the caller.
 */
#ifndef GH_ARCHIVE_H
#define GH_ARCHIVE_H

#include <stddef.h>
#include <json-c/json.h>

#include "receipt.h"

#include "gh.h"

/* The schema version this program writes and reads (SQLite: PRAGMA
 * user_version; PostgreSQL: the gh_archive_meta table). Version 1 was the
 * first; version 2 added receipts.machine; version 3 bytes received, peer
 * names and DNS; version 4 took PostgreSQL's foreign keys off; version 5
 * made two of PostgreSQL's indexes partial; version 6 keeps PostgreSQL's
 * pids of an access, attempt or inbound entry in an array of its row. */
#define ARCHIVE_SCHEMA_VERSION 6
/* PRAGMA application_id: "ghAR"; also PostgreSQL's advisory lock key. */
#define ARCHIVE_APP_ID 0x67684152

/* Milliseconds a writer waits for another writer's transaction to end. */
#define ARCHIVE_BUSY_MS 60000

enum { ARCHIVE_READ = 0, ARCHIVE_WRITE = 1 };
enum { ENGINE_SQLITE = 0, ENGINE_PG = 1 };

/* A value bound to a statement, or a column of a result row (results are
 * always AV_NULL or AV_TEXT, numbers as their decimal text). Text is
 * borrowed and holds len bytes; it may contain NUL bytes. */
enum { AV_NULL = 0, AV_INT, AV_BOOL, AV_TEXT };
struct av {
	int type;
	long long i;
	const char *s;
	size_t len;
};

/* Called for each result row; returning non-zero stops the statement. */
typedef int (*archive_row_fn)(void *ctx, int ncol, const struct av *cols);

struct archive;
struct archive_ops {
	/* Prepare statement number idx (0..ARCHIVE_MAX_STMT-1). SQL text uses
	 * ?1, ?2... for parameters; PostgreSQL gets $1, $2... */
	int (*prepare)(struct archive *a, int idx, const char *sql, char *err,
		       size_t errlen);
	/* Run a prepared statement with n values, calling fn per row. With
	 * fn NULL the engine may queue the statement and report its error
	 * at the next run with fn, exec or flush. */
	int (*run)(struct archive *a, int idx, const struct av *v, int n,
		   archive_row_fn fn, void *ctx, char *err, size_t errlen);
	/* Run constant SQL (transaction control). */
	int (*exec)(struct archive *a, const char *sql, char *err,
		    size_t errlen);
	/* Wait for queued statements; their first error (NULL: none are
	 * ever queued). */
	int (*flush)(struct archive *a, char *err, size_t errlen);
	void (*close)(struct archive *a);
	/* Gathering rows (NULL: the engine runs each row as it comes).
	 * bulk: from now on, the rows of prepared statement idx (an INSERT
	 * of one row, nothing answered) are given to add, which keeps them
	 * and sends all the rows of a statement as one statement: at flush
	 * (the end of a receipt) when the engine may refuse one of them,
	 * when a megabyte is kept, before any
	 * statement run without an answer (a DELETE, or a row of a statement
	 * not gathered, which may read what was gathered) and before COMMIT;
	 * ROLLBACK drops them. With unique, the caller never adds two rows
	 * of idx with the same key (for the same receipt): the engine may
	 * store them without the statement's ON CONFLICT DO NOTHING. Errors
	 * of the rows sent come as add's, run's, flush's or exec's. */
	int (*bulk)(struct archive *a, int idx, int unique, char *err,
		    size_t errlen);
	int (*add)(struct archive *a, int idx, const struct av *v, int n,
		   char *err, size_t errlen);
};

#define ARCHIVE_MAX_STMT 32
/* The most parameters a statement has. */
#define ARCHIVE_MAX_PARAMS 40

struct archive {
	const struct archive_ops *ops;
	int engine;
	/* What messages call the database: the path, or for PostgreSQL
	 * "postgresql://HOST[:PORT]/DBNAME" (never a password). */
	char name[4096];
	void *h;
};

/* A message into err; returns -1. */
int archive_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What an engine tells archive_check_schema about its database. */
enum { MARKS_EMPTY = 0, MARKS_OURS = 1, MARKS_OTHER = 2 };
struct archive_schema {
	/* Begin the transaction in which the marks are read (and, for
	 * ARCHIVE_WRITE, the schema made or migrated), holding what keeps
	 * another gh-archive from doing the same meanwhile. */
	const char *begin_read, *begin_write;
	/* Whose database it is (MARKS_*) and, when ours, its version. */
	int (*marks)(struct archive *a, int *state, int *version, char *err,
		     size_t errlen);
	/* The schema of version 1 with its marks; migrations[v - 1] takes
	 * version v to v + 1; set_version: printf format of the statement
	 * that records version %d. */
	const char *create;
	const char *const *migrations;
	const char *set_version;
};

/* Check the database a is a gh-archive database of a version this program
 * knows; with ARCHIVE_WRITE create the schema of an empty one and migrate
 * an older one. Both engines; messages name a->name. */
int archive_check_schema(struct archive *a, const struct archive_schema *sc,
			 int mode, char *err, size_t errlen);

/* Does target name a PostgreSQL database (a postgresql:// or postgres://
 * URI)? Anything else is a SQLite file path. */
int archive_is_conninfo(const char *target);

/* Open the database target (a path or, with pg or a URI, a libpq
 * connection string). ARCHIVE_WRITE creates it when missing (SQLite: never
 * through a symbolic link) and creates or migrates the schema;
 * ARCHIVE_READ only reads. Both check that it is a gh-archive database of a
 * schema version this program knows. */
int archive_open(const char *target, int pg, int mode, struct archive **out,
		 char *err, size_t errlen);
void archive_close(struct archive *a);

/* After a failed batch into a SQLite file this run created: remove it
 * (and its -wal, -shm, -journal) unless another writer stored a receipt
 * meanwhile; the open transaction is rolled back. Nothing for PostgreSQL. */
void archive_sqlite_unmake(struct archive *a, const char *path);

/* The display name of a connection string (see struct archive.name). */
void archive_pg_name(const char *conninfo, char *out, size_t outlen);

/* The two engines (db.c, pg.c). */
int archive_open_sqlite(const char *path, int mode, struct archive **out,
			char *err, size_t errlen);
int archive_open_pg(const char *conninfo, int mode, struct archive **out,
		    char *err, size_t errlen);

/* Transaction control; -1 with the message on error. */
int archive_begin(struct archive *a, char *err, size_t errlen);
int archive_commit(struct archive *a, char *err, size_t errlen);
void archive_rollback(struct archive *a);

/* Append the canonical form of a receipt (RFC 8785, lib/jcs.h) to out:
 * the bytes stored and exported. -1 with the reason in err. */
int archive_canonical(const struct gh_jv *o, struct gh_buf *out, char *err,
		      size_t errlen);

/* Storing receipts into an open database, inside a transaction the caller
 * manages. With replace, a receipt whose execution_id is already stored
 * with other content replaces it; without, that is an error. machine, when
 * not NULL, is stored in receipts.machine instead of provenance.host. */
struct store;
int store_new(struct archive *a, int replace, const char *machine,
	      struct store **out, char *err, size_t errlen);
void store_free(struct store *s);

enum { STORE_STORED = 0, STORE_UNCHANGED = 1, STORE_REPLACED = 2 };
/* Store one receipt: r, which gh_receipt_init (lib/receipt) accepted (a
 * version this program knows, every member gh-receipt(5) names of its
 * type), is read through lib/receipt, and its root gives the canonical
 * form. Returns a STORE_* result, or -1 with a message in
 * err: a receipt that breaks gh-receipt(5) (the message names the member,
 * e.g. "process_tree[2].pid: expected an integer"), a conflict, or a
 * database error. After an error the caller rolls the transaction back
 * and frees the store. The SHA-256 (hex) of the canonical form is copied
 * to sha_hex and the execution_id (borrowed from o) to *id when known. */
/* With env, the receipt came in a DSSE envelope (gh-sign --attest): the
 * envelope's bytes as given are stored (and hashed) instead of the
 * canonical form, receipts.signed is 2 and receipts.signature_key the
 * envelope's first key id. */
struct store_envelope {
	const char *bytes;
	size_t len;
	const char *keyid;
};
int store_receipt(struct store *s, struct gh_receipt *r,
		  const struct store_envelope *env, const char **id,
		  char sha_hex[65], char *err, size_t errlen);

/* Reading back: the stored text of one receipt (the canonical form, or
 * an envelope as given), its stored SHA-256 in sha_hex ("" when NULL) and
 * receipts.signed in *sig (*found 0 when there is none); or every receipt
 * in the order stored, each passed to fn. */
int archive_get(struct archive *a, const char *id, struct gh_buf *out,
		char sha_hex[65], int *sig, int *found, char *err,
		size_t errlen);
int archive_each(struct archive *a, int (*fn)(void *ctx, const char *text,
					      size_t len),
		 void *ctx, char *err, size_t errlen);

#endif
