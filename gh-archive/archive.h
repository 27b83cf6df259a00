/* gh-archive internals: the database (db.c) and storing receipts (store.c).
 *
 * Error reporting: functions return 0 (or a non-negative result) on
 * success and -1 on failure, with the message (without the program name)
 * in the caller's err buffer. They never print and never exit.
 *
 * Ownership: archive_open hands back a connection closed with
 * archive_close; a struct store is released with store_free (both accept
 * NULL). Receipt objects passed in stay owned by the caller.
 */
#ifndef GH_ARCHIVE_H
#define GH_ARCHIVE_H

#include <stddef.h>
#include <sqlite3.h>
#include <json-c/json.h>

#include "gh.h"

/* PRAGMA user_version of the schema this program writes and reads. */
#define ARCHIVE_SCHEMA_VERSION 1
/* PRAGMA application_id: "ghAR". */
#define ARCHIVE_APP_ID 0x67684152

/* Milliseconds a writer waits for another writer's transaction to end. */
#define ARCHIVE_BUSY_MS 60000

enum { ARCHIVE_READ = 0, ARCHIVE_WRITE = 1 };

/* Open the database at path. ARCHIVE_WRITE creates it when missing (never
 * through a symbolic link: the final component, and the -wal, -shm and
 * -journal names next to it, must not be symlinks), switches it to WAL
 * mode, sets the busy timeout and creates the schema. ARCHIVE_READ opens
 * an existing database read-only. Both check that the file is a gh-archive
 * database of a schema version this program knows. */
int archive_open(const char *path, int mode, sqlite3 **out, char *err,
		 size_t errlen);
void archive_close(sqlite3 *db);

/* Run constant SQL (transaction control); -1 with the message on error. */
int archive_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* Append the canonical form of a receipt (RFC 8785, lib/jcs.h) to out:
 * the bytes stored and exported. -1 with the reason in err. */
int archive_canonical(struct json_object *o, struct gh_buf *out, char *err,
		      size_t errlen);

/* Storing receipts into an open database, inside a transaction the caller
 * manages. With replace, a receipt whose execution_id is already stored
 * with other content replaces it; without, that is an error. */
struct store;
int store_new(sqlite3 *db, int replace, struct store **out, char *err,
	      size_t errlen);
void store_free(struct store *s);

enum { STORE_STORED = 0, STORE_UNCHANGED = 1, STORE_REPLACED = 2 };
/* Store one receipt. Returns a STORE_* result, or -1 with a message in
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
int store_receipt(struct store *s, struct json_object *o,
		  const struct store_envelope *env, const char **id,
		  char sha_hex[65], char *err, size_t errlen);

#endif
