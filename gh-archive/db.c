/* gh-archive: the SQLite engine: opening the file safely, creating and
 * migrating its schema, running statements. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>

#include "archive.h"

/* The schema, version 1, as it was first written, with its marks; a new
 * database gets it and then every migration below, as an old one does. Documented in
 * gh-archive(1); a change adds a migration and bumps
 * ARCHIVE_SCHEMA_VERSION. */
static const char schema_sql[] =
	"CREATE TABLE receipts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  execution_id TEXT NOT NULL UNIQUE,\n"
	"  version TEXT,\n"
	"  start_time TEXT,\n"
	"  end_time TEXT,\n"
	"  host TEXT,\n"
	"  command TEXT,\n"
	"  program TEXT,\n"
	"  argv TEXT,\n"
	"  cwd TEXT,\n"
	"  uid INTEGER,\n"
	"  run_uid INTEGER,\n"
	"  observation_mode TEXT,\n"
	"  completeness TEXT,\n"
	"  completeness_reasons TEXT,\n"
	"  exit_code INTEGER,\n"
	"  signal INTEGER,\n"
	"  error TEXT,\n"
	"  duration_ms INTEGER,\n"
	"  cpu_time_ms INTEGER,\n"
	"  max_rss_kb INTEGER,\n"
	"  lost_ringbuf INTEGER,\n"
	"  lost_fault INTEGER,\n"
	"  lost_truncated INTEGER,\n"
	"  files_failed INTEGER,\n"
	"  bytes_sent INTEGER,\n"
	"  stdout_hash TEXT,\n"
	"  stderr_hash TEXT,\n"
	"  signed INTEGER NOT NULL,\n"
	"  signature_key TEXT,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  archived_at TEXT NOT NULL,\n"
	"  canonical TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX receipts_start_time ON receipts(start_time);\n"
	"CREATE INDEX receipts_program ON receipts(program, start_time);\n"
	"CREATE INDEX receipts_sha256 ON receipts(sha256);\n"
	"CREATE TABLE processes (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  pid INTEGER,\n"
	"  ppid INTEGER,\n"
	"  exe TEXT,\n"
	"  argv TEXT,\n"
	"  cmd TEXT,\n"
	"  argv_truncated INTEGER,\n"
	"  working_dir TEXT,\n"
	"  exit_code INTEGER,\n"
	"  signal INTEGER,\n"
	"  start_ms INTEGER,\n"
	"  end_ms INTEGER,\n"
	"  PRIMARY KEY (receipt_id, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX processes_exe ON processes(exe);\n"
	"CREATE TABLE execs (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  process_seq INTEGER NOT NULL,\n"
	"  seq INTEGER NOT NULL,\n"
	"  pid INTEGER,\n"
	"  exe TEXT,\n"
	"  argv TEXT,\n"
	"  cmd TEXT,\n"
	"  argv_truncated INTEGER,\n"
	"  cwd TEXT,\n"
	"  PRIMARY KEY (receipt_id, process_seq, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX execs_exe ON execs(exe);\n"
	"CREATE TABLE files (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL,\n"
	"  path TEXT NOT NULL,\n"
	"  PRIMARY KEY (receipt_id, kind, path)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX files_kind_path ON files(kind, path);\n"
	"CREATE INDEX files_path ON files(path);\n"
	"CREATE TABLE file_accesses (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  path TEXT NOT NULL,\n"
	"  path_hex TEXT,\n"
	"  op TEXT NOT NULL,\n"
	"  target TEXT,\n"
	"  mode INTEGER,\n"
	"  result TEXT,\n"
	"  count INTEGER\n"
	");\n"
	"CREATE INDEX file_accesses_receipt ON file_accesses(receipt_id);\n"
	"CREATE INDEX file_accesses_path ON file_accesses(path, op);\n"
	"CREATE INDEX file_accesses_op ON file_accesses(op, path);\n"
	"CREATE TABLE file_access_pids (\n"
	"  access_id INTEGER NOT NULL REFERENCES file_accesses(id) ON DELETE CASCADE,\n"
	"  pid INTEGER NOT NULL,\n"
	"  PRIMARY KEY (access_id, pid)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE connections (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  dst TEXT NOT NULL,\n"
	"  host TEXT,\n"
	"  port INTEGER,\n"
	"  protocol TEXT NOT NULL,\n"
	"  attempted INTEGER,\n"
	"  PRIMARY KEY (receipt_id, dst, protocol)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX connections_host ON connections(host, port);\n"
	"CREATE TABLE network_attempts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  dst TEXT NOT NULL,\n"
	"  host TEXT,\n"
	"  port INTEGER,\n"
	"  protocol TEXT,\n"
	"  op TEXT,\n"
	"  family TEXT,\n"
	"  result TEXT,\n"
	"  count INTEGER\n"
	");\n"
	"CREATE INDEX network_attempts_receipt ON network_attempts(receipt_id);\n"
	"CREATE INDEX network_attempts_host ON network_attempts(host, port);\n"
	"CREATE TABLE network_attempt_pids (\n"
	"  attempt_id INTEGER NOT NULL REFERENCES network_attempts(id) ON DELETE CASCADE,\n"
	"  pid INTEGER NOT NULL,\n"
	"  PRIMARY KEY (attempt_id, pid)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE network_inbound (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  op TEXT,\n"
	"  addr TEXT NOT NULL,\n"
	"  host TEXT,\n"
	"  port INTEGER,\n"
	"  protocol TEXT,\n"
	"  result TEXT,\n"
	"  count INTEGER\n"
	");\n"
	"CREATE INDEX network_inbound_receipt ON network_inbound(receipt_id);\n"
	"CREATE INDEX network_inbound_port ON network_inbound(port);\n"
	"CREATE TABLE network_inbound_pids (\n"
	"  inbound_id INTEGER NOT NULL REFERENCES network_inbound(id) ON DELETE CASCADE,\n"
	"  pid INTEGER NOT NULL,\n"
	"  PRIMARY KEY (inbound_id, pid)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE syscalls (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  type TEXT NOT NULL,\n"
	"  count INTEGER,\n"
	"  denied INTEGER,\n"
	"  PRIMARY KEY (receipt_id, type)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE redactions (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  rule TEXT,\n"
	"  count INTEGER,\n"
	"  detail TEXT NOT NULL,\n"
	"  PRIMARY KEY (receipt_id, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX redactions_rule ON redactions(rule);\n"
	"CREATE TABLE policy_verdicts (\n"
	"  receipt_id INTEGER PRIMARY KEY REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  verdict TEXT,\n"
	"  violations INTEGER,\n"
	"  rules_sha256 TEXT,\n"
	"  detail TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX policy_verdicts_verdict ON policy_verdicts(verdict);\n"
	"CREATE TABLE policy_violations (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  rule TEXT,\n"
	"  item TEXT,\n"
	"  pid INTEGER,\n"
	"  detail TEXT NOT NULL,\n"
	"  PRIMARY KEY (receipt_id, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE VIEW file_access_by_pid AS\n"
	"  SELECT a.receipt_id, a.path, a.op, a.target, a.result, a.count, p.pid\n"
	"  FROM file_accesses a JOIN file_access_pids p ON p.access_id = a.id;\n"
	"CREATE VIEW network_attempt_by_pid AS\n"
	"  SELECT n.receipt_id, n.dst, n.host, n.port, n.protocol, n.op, n.result,\n"
	"         n.count, p.pid\n"
	"  FROM network_attempts n JOIN network_attempt_pids p ON p.attempt_id = n.id;\n"
	/* the marks: gh-archive's, version 1 */
	"PRAGMA application_id = 1734885714;\n"
	"PRAGMA user_version = 1;\n";


/* Migrations: migrations[v - 1] takes a database from version v to v + 1,
 * inside the transaction that checked the version. */
static const char *const migrations[ARCHIVE_SCHEMA_VERSION - 1] = {
	/* 1 -> 2: the machine a receipt came from (--host, else its
	 * provenance.host), for fleet queries. */
	"ALTER TABLE receipts ADD COLUMN machine TEXT;\n"
	"UPDATE receipts SET machine = host;\n"
	"CREATE INDEX receipts_machine ON receipts(machine, start_time);\n",
	/* 2 -> 3: bytes received, bytes and names per peer, DNS questions
	 * and answers; filled in from the receipts already there. */
	"ALTER TABLE receipts ADD COLUMN bytes_received INTEGER;\n"
	"ALTER TABLE connections ADD COLUMN bytes_sent INTEGER;\n"
	"ALTER TABLE connections ADD COLUMN bytes_received INTEGER;\n"
	"CREATE TABLE peer_names (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  dst TEXT NOT NULL,\n"
	"  protocol TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  PRIMARY KEY (receipt_id, dst, protocol, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX peer_names_name ON peer_names(name);\n"
	"CREATE TABLE dns_queries (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  type TEXT NOT NULL,\n"
	"  count INTEGER,\n"
	"  PRIMARY KEY (receipt_id, name, type)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE dns_answers (\n"
	"  receipt_id INTEGER NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  type TEXT NOT NULL,\n"
	"  address TEXT NOT NULL,\n"
	"  PRIMARY KEY (receipt_id, name, type, address)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX dns_answers_address ON dns_answers(address);\n"
	"UPDATE receipts SET bytes_received ="
	" json_extract(canonical, '$.network.bytes_received')"
	" WHERE json_valid(canonical);\n"
	"UPDATE connections SET (bytes_sent, bytes_received) = ("
	" SELECT json_extract(c.value, '$.bytes_sent'),"
	" json_extract(c.value, '$.bytes_received')"
	" FROM receipts r, json_each(r.canonical, '$.network.connections') c"
	" WHERE r.id = connections.receipt_id AND json_valid(r.canonical)"
	" AND json_extract(c.value, '$.dst') = connections.dst"
	" AND coalesce(json_extract(c.value, '$.protocol'), '') = connections.protocol);\n"
	"INSERT OR IGNORE INTO peer_names SELECT r.id, json_extract(c.value, '$.dst'),"
	" coalesce(json_extract(c.value, '$.protocol'), ''), n.value"
	" FROM receipts r, json_each(r.canonical, '$.network.connections') c,"
	" json_each(c.value, '$.names') n"
	" WHERE json_valid(r.canonical) AND json_type(c.value, '$.names') = 'array'"
	" AND n.type = 'text' AND json_type(c.value, '$.dst') = 'text';\n"
	"INSERT OR IGNORE INTO dns_queries SELECT r.id, json_extract(d.value, '$.name'),"
	" json_extract(d.value, '$.type'), json_extract(d.value, '$.count')"
	" FROM receipts r, json_each(r.canonical, '$.network.dns') d"
	" WHERE json_valid(r.canonical) AND json_type(d.value, '$.name') = 'text'"
	" AND json_type(d.value, '$.type') = 'text';\n"
	"INSERT OR IGNORE INTO dns_answers SELECT r.id, json_extract(d.value, '$.name'),"
	" json_extract(d.value, '$.type'), a.value"
	" FROM receipts r, json_each(r.canonical, '$.network.dns') d,"
	" json_each(d.value, '$.addresses') a"
	" WHERE json_valid(r.canonical) AND json_type(d.value, '$.name') = 'text'"
	" AND json_type(d.value, '$.type') = 'text' AND a.type = 'text'"
	" AND json_type(d.value, '$.addresses') = 'array';\n",
	/* 3 -> 4: a change of PostgreSQL's schema only (its foreign keys,
	 * pg.c); a SQLite file keeps its own and only records the version. */
	"",
	/* 4 -> 5: PostgreSQL's only as well (partial indexes by kind and by
	 * op, pg.c): SQLite uses a partial index only for a query that
	 * repeats its condition, so a file keeps its full ones. */
	"",
	/* 5 -> 6: PostgreSQL's only (the pids as arrays of their rows,
	 * pg.c); a SQLite file keeps its pid tables. */
	"",
};

struct sqlite_archive {
	struct archive a;
	sqlite3 *db;
	sqlite3_stmt *st[ARCHIVE_MAX_STMT];
};

static int sqlite_exec_db(sqlite3 *db, const char *sql, char *err,
			  size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return archive_fail(err, errlen, "%s", sqlite3_errmsg(db));
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The marks that say whose database this is: application_id,
 * user_version and the number of schema objects, read in one transaction
 * (in_txn: the caller's), so that they come from one state of the file.
 * Read one by one, they may straddle the commit of a writer creating the
 * schema (application_id still 0, user_version and tables already set)
 * and make a new gh-archive database look like another application's.
 * -1 with SQLite's message in err. */
static int read_marks(sqlite3 *db, int in_txn, int *app, int *ver,
		      int *tables, char *err, size_t errlen)
{
	int bad;

	if (!in_txn && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return archive_fail(err, errlen, "%s", sqlite3_errmsg(db));
	bad = pragma_int(db, "PRAGMA application_id", app) < 0 ||
	      pragma_int(db, "PRAGMA user_version", ver) < 0 ||
	      pragma_int(db, "SELECT count(*) FROM sqlite_master", tables) < 0;
	if (bad)
		archive_fail(err, errlen, "%s", sqlite3_errmsg(db));
	if (!in_txn &&
	    sqlite3_exec(db, bad ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK &&
	    !bad)
		bad = archive_fail(err, errlen, "%s", sqlite3_errmsg(db));
	return bad ? -1 : 0;
}

/* The names SQLite creates next to the database. A symlink planted at
 * one of them would make SQLite write through it. */
static int no_symlinks(const char *path, char *err, size_t errlen)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char name[4096];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, sfx[i]) >=
		    sizeof(name))
			return archive_fail(err, errlen, "%s: name too long", path);
		if (lstat(name, &st) == 0 && S_ISLNK(st.st_mode))
			return archive_fail(err, errlen,
					    "%s: refusing to follow a symbolic link",
					    name);
	}
	return 0;
}

/* Create the file if it is missing, without following a symlink, so that
 * SQLite only ever opens a regular file we checked. */
static int create_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == ELOOP)
			return archive_fail(err, errlen,
					    "%s: refusing to follow a symbolic link",
					    path);
		return archive_fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return archive_fail(err, errlen, "%s: not a regular file", path);
	}
	close(fd);
	return 0;
}

/* Switching to WAL needs a moment alone with the file; another process
 * creating the same database may hold it, and the busy handler is not
 * always consulted for this pragma, so retry within the busy timeout. */
static int set_wal(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int waited = 0, rc;
	sqlite3_stmt *st;

	for (;;) {
		rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st,
					NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				const char *m = (const char *)
					sqlite3_column_text(st, 0);

				if (m && strcmp(m, "wal") == 0) {
					sqlite3_finalize(st);
					return 0;
				}
				sqlite3_finalize(st);
				return archive_fail(err, errlen,
						    "%s: cannot switch to WAL mode (%s)",
						    path, m ? m : "?");
			}
			sqlite3_finalize(st);
		}
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) ||
		    waited >= ARCHIVE_BUSY_MS)
			return archive_fail(err, errlen, "%s: %s", path,
					    sqlite3_errmsg(db));
		sqlite3_sleep(10);
		waited += 10;
	}
}

/* Another application's database must be refused untouched: before the
 * switch to WAL, which rewrites its header. */
static int not_ours(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int app = 0, ver = 0, tables = 0;
	char e[512];

	if (read_marks(db, 0, &app, &ver, &tables, e, sizeof(e)) < 0)
		return archive_fail(err, errlen, "%s: %s", path, e);
	if (app != ARCHIVE_APP_ID && (app || ver || tables))
		return archive_fail(err, errlen, "%s: not a gh-archive database", path);
	return 0;
}

/* Read-only: when the normal read-only open cannot read a WAL database
 * (read-only media, or a user who may not create its -shm file), open it
 * as immutable: no locks, no -shm, no WAL switch. */
static int open_readonly(const char *path, sqlite3 **db)
{
	struct gh_buf uri = GH_BUF_INIT;
	const char *p;
	int rc, probe = 0;

	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK &&
	    pragma_int(*db, "SELECT count(*) FROM sqlite_master", &probe) == 0)
		return SQLITE_OK;
	sqlite3_close(*db);
	*db = NULL;
	/* file:PATH?immutable=1, with the bytes a URI path cannot hold escaped */
	gh_buf_adds(&uri, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || (unsigned char)*p < 0x20)
			gh_buf_printf(&uri, "%%%02x", (unsigned char)*p);
		else
			gh_buf_addc(&uri, *p);
	}
	gh_buf_adds(&uri, "?immutable=1");
	if (!uri.p)
		return SQLITE_NOMEM;
	rc = sqlite3_open_v2(uri.p, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	gh_buf_release(&uri);
	return rc;
}

static int sq_marks(struct archive *a, int *state, int *version, char *err,
		    size_t errlen)
{
	int app = 0, tables = 0;

	*version = 0;
	if (read_marks(((struct sqlite_archive *)a)->db, 1, &app, version,
		       &tables, err, errlen) < 0)
		return -1;
	*state = !app && !*version && !tables ? MARKS_EMPTY
		 : app == ARCHIVE_APP_ID     ? MARKS_OURS
					     : MARKS_OTHER;
	return 0;
}

static const struct archive_schema sqlite_schema = {
	.begin_read = "BEGIN",
	.begin_write = "BEGIN IMMEDIATE",
	.marks = sq_marks,
	.create = schema_sql,
	.migrations = migrations,
	.set_version = "PRAGMA user_version = %d",
};

static int sq_prepare(struct archive *a, int idx, const char *sql, char *err,
		      size_t errlen)
{
	struct sqlite_archive *s = (struct sqlite_archive *)a;

	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s->st[idx], NULL) != SQLITE_OK)
		return archive_fail(err, errlen, "%s", sqlite3_errmsg(s->db));
	return 0;
}

static int sq_run(struct archive *a, int idx, const struct av *v, int n,
		  archive_row_fn fn, void *ctx, char *err, size_t errlen)
{
	struct sqlite_archive *s = (struct sqlite_archive *)a;
	sqlite3_stmt *st = s->st[idx];
	struct av cols[4];
	int i, rc, ncol;

	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case AV_INT:
		case AV_BOOL:
			rc = sqlite3_bind_int64(st, i + 1, v[i].i);
			break;
		case AV_TEXT:
			rc = sqlite3_bind_text64(st, i + 1, v[i].s, v[i].len,
						 SQLITE_STATIC, SQLITE_UTF8);
			break;
		default:
			rc = sqlite3_bind_null(st, i + 1);
		}
		if (rc != SQLITE_OK)
			goto bad;
	}
	ncol = sqlite3_column_count(st);
	if (ncol > 4)
		ncol = 4;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncol; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				cols[i] = (struct av){ .type = AV_NULL };
				continue;
			}
			cols[i].type = AV_TEXT;
			cols[i].s = (const char *)sqlite3_column_text(st, i);
			cols[i].len = sqlite3_column_bytes(st, i);
		}
		if (fn && fn(ctx, ncol, cols)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		goto bad;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
bad:
	archive_fail(err, errlen, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return -1;
}

static int sq_exec(struct archive *a, const char *sql, char *err,
		   size_t errlen)
{
	return sqlite_exec_db(((struct sqlite_archive *)a)->db, sql, err,
			      errlen);
}

static void sq_close(struct archive *a)
{
	struct sqlite_archive *s = (struct sqlite_archive *)a;
	int i;

	for (i = 0; i < ARCHIVE_MAX_STMT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static const struct archive_ops sqlite_ops = {
	.prepare = sq_prepare,
	.run = sq_run,
	.exec = sq_exec,
	.close = sq_close,
};

int archive_open_sqlite(const char *path, int mode, struct archive **out,
			char *err, size_t errlen)
{
	struct sqlite_archive *s;
	sqlite3 *db = NULL;
	struct stat st;
	int flags;

	*out = NULL;
	if (mode == ARCHIVE_WRITE) {
		if (no_symlinks(path, err, errlen) < 0 ||
		    create_file(path, err, errlen) < 0)
			return -1;
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW;
	} else {
		if (stat(path, &st) < 0)
			return archive_fail(err, errlen, "%s: %s", path,
					    strerror(errno));
		if (!S_ISREG(st.st_mode))
			return archive_fail(err, errlen, "%s: not a regular file",
					    path);
		flags = SQLITE_OPEN_READONLY;
	}
	if ((mode == ARCHIVE_WRITE ? sqlite3_open_v2(path, &db, flags, NULL) :
				     open_readonly(path, &db)) != SQLITE_OK) {
		archive_fail(err, errlen, "%s: %s", path,
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto bad;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, ARCHIVE_BUSY_MS);
	if (mode == ARCHIVE_WRITE) {
		char e[512];

		if (not_ours(db, path, err, errlen) < 0 ||
		    set_wal(db, path, err, errlen) < 0)
			goto bad;
		if (sqlite_exec_db(db,
				   "PRAGMA synchronous = FULL;"
				   "PRAGMA cache_size = -65536;"
				   "PRAGMA foreign_keys = ON",
				   e, sizeof(e)) < 0) {
			archive_fail(err, errlen, "%s: %s", path, e);
			goto bad;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		archive_fail(err, errlen, "%s", strerror(ENOMEM));
		goto bad;
	}
	s->a.ops = &sqlite_ops;
	s->a.engine = ENGINE_SQLITE;
	snprintf(s->a.name, sizeof(s->a.name), "%s", path);
	s->db = db;
	if (archive_check_schema(&s->a, &sqlite_schema, mode, err, errlen) < 0) {
		sq_close(&s->a);
		return -1;
	}
	*out = &s->a;
	return 0;
bad:
	sqlite3_close(db);
	return -1;
}

void archive_sqlite_unmake(struct archive *a, const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	struct sqlite_archive *s = (struct sqlite_archive *)a;
	sqlite3_stmt *st = NULL;
	char name[4096];
	int n = -1;
	size_t i;

	if (!a || a->engine != ENGINE_SQLITE)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (sqlite3_exec(s->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM receipts", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n == 0) {
		unlink(path);
		for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
			if ((size_t)snprintf(name, sizeof(name), "%s%s", path,
					     sfx[i]) < sizeof(name))
				unlink(name);
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
