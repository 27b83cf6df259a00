/* gh-archive: one receipt into the normalized tables and its canonical form.
 *
 * Every value reaches SQLite through a bound parameter; the only SQL text
 * is the constant statements below. Members are looked up by name, so the
 * 0.3.0 grammar and receipts with extra members are stored too: what a
 * table has no column for stays in receipts.canonical. A known member of
 * the wrong type is an error naming it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "crypto.h"
#include "jcs.h"
#include "json.h"
#include "receipt.h"

enum {
	ST_FIND,
	ST_DELETE,
	ST_RECEIPT,
	ST_PROCESS,
	ST_EXEC,
	ST_FILE,
	ST_ACCESS,
	ST_ACCESS_PID,
	ST_CONN,
	ST_ATTEMPT,
	ST_ATTEMPT_PID,
	ST_INBOUND,
	ST_INBOUND_PID,
	ST_SYSCALL,
	ST_REDACTION,
	ST_VERDICT,
	ST_VIOLATION,
	ST_N
};

static const char *const sql[ST_N] = {
	[ST_FIND] = "SELECT id, canonical FROM receipts WHERE execution_id = ?1",
	[ST_DELETE] = "DELETE FROM receipts WHERE id = ?1",
	[ST_RECEIPT] =
		"INSERT INTO receipts (execution_id, version, start_time,"
		" end_time, host, command, program, argv, cwd, uid, run_uid,"
		" observation_mode, completeness, completeness_reasons,"
		" exit_code, signal, error, duration_ms, cpu_time_ms,"
		" max_rss_kb, lost_ringbuf, lost_fault, lost_truncated,"
		" files_failed, bytes_sent, stdout_hash, stderr_hash, signed,"
		" signature_key, sha256, archived_at, canonical) VALUES (?1,"
		" ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
		" ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27,"
		" ?28, ?29, ?30, ?31, ?32)",
	[ST_PROCESS] = "INSERT INTO processes (receipt_id, seq, pid, ppid, exe,"
		       " argv, cmd, argv_truncated, working_dir, exit_code,"
		       " signal, start_ms, end_ms) VALUES (?1, ?2, ?3, ?4, ?5,"
		       " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_EXEC] = "INSERT INTO execs (receipt_id, process_seq, seq, pid, exe,"
		    " argv, cmd, argv_truncated, cwd) VALUES (?1, ?2, ?3, ?4,"
		    " ?5, ?6, ?7, ?8, ?9)",
	[ST_FILE] = "INSERT OR IGNORE INTO files (receipt_id, kind, path)"
		    " VALUES (?1, ?2, ?3)",
	[ST_ACCESS] = "INSERT INTO file_accesses (receipt_id, path, path_hex,"
		      " op, target, mode, result, count) VALUES (?1, ?2, ?3,"
		      " ?4, ?5, ?6, ?7, ?8)",
	[ST_ACCESS_PID] = "INSERT OR IGNORE INTO file_access_pids (access_id,"
			  " pid) VALUES (?1, ?2)",
	[ST_CONN] = "INSERT OR IGNORE INTO connections (receipt_id, dst, host,"
		    " port, protocol, attempted) VALUES (?1, ?2, ?3, ?4, ?5,"
		    " ?6)",
	[ST_ATTEMPT] = "INSERT INTO network_attempts (receipt_id, dst, host,"
		       " port, protocol, op, family, result, count) VALUES"
		       " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ATTEMPT_PID] = "INSERT OR IGNORE INTO network_attempt_pids"
			   " (attempt_id, pid) VALUES (?1, ?2)",
	[ST_INBOUND] = "INSERT INTO network_inbound (receipt_id, op, addr,"
		       " host, port, protocol, result, count) VALUES (?1, ?2,"
		       " ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_INBOUND_PID] = "INSERT OR IGNORE INTO network_inbound_pids"
			   " (inbound_id, pid) VALUES (?1, ?2)",
	[ST_SYSCALL] = "INSERT INTO syscalls (receipt_id, type, count, denied)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (receipt_id, type)"
		       " DO UPDATE SET denied = excluded.denied",
	[ST_REDACTION] = "INSERT INTO redactions (receipt_id, seq, rule,"
			 " count, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_VERDICT] = "INSERT INTO policy_verdicts (receipt_id, verdict,"
		       " violations, rules_sha256, detail) VALUES (?1, ?2, ?3,"
		       " ?4, ?5)",
	[ST_VIOLATION] = "INSERT INTO policy_violations (receipt_id, seq, rule,"
			 " item, pid, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

struct store {
	sqlite3 *db;
	int replace;
	sqlite3_stmt *st[ST_N];
};

/* One receipt being stored: where errors go and scratch buffers. */
struct cx {
	struct store *s;
	char *err;
	size_t errlen;
	sqlite3_int64 rid;
	struct gh_buf tmp;
	char tmp_err[256];
};

static int cx_fail(struct cx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int cx_fail(struct cx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int db_fail(struct cx *c)
{
	return cx_fail(c, "database: %s", sqlite3_errmsg(c->s->db));
}

int archive_canonical(struct json_object *o, struct gh_buf *out, char *err,
		      size_t errlen)
{
	int rc = gh_jcs_write(out, o, err, errlen);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	return rc < 0 ? -1 : 0;
}

int store_new(sqlite3 *db, int replace, struct store **out, char *err,
	      size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	int i;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	s->db = db;
	s->replace = replace;
	for (i = 0; i < ST_N; i++) {
		if (sqlite3_prepare_v3(db, sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "database: %s",
				 sqlite3_errmsg(db));
			store_free(s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

void store_free(struct store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

/* Run an INSERT/DELETE whose parameters are bound, then clear it. */
static int step(struct cx *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_fail(c);
	return 0;
}

/* Member lookup with a type check. "where" names the enclosing value for
 * messages ("" for the receipt itself, "process_tree[2]", ...). Returns
 * the member (NULL when absent or null), or sets *bad. */
static const char *type_name(enum json_type t)
{
	switch (t) {
	case json_type_string:
		return "a string";
	case json_type_int:
		return "an integer";
	case json_type_boolean:
		return "a boolean";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	default:
		return "a number";
	}
}

static int member(struct cx *c, struct json_object *o, const char *where,
		  const char *key, enum json_type want,
		  struct json_object **out)
{
	struct json_object *v = NULL;

	*out = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (json_object_get_type(v) != want)
		return cx_fail(c, "%s%s%s: expected %s", where,
			       *where ? "." : "", key, type_name(want));
	*out = v;
	return 0;
}

/* Bind member key of o (absent or null: NULL) with the given JSON type;
 * arrays and objects are bound as their compact JSON text. */
static int bind_m(struct cx *c, sqlite3_stmt *st, int idx,
		  struct json_object *o, const char *where, const char *key,
		  enum json_type want)
{
	struct json_object *v;
	int rc;

	if (member(c, o, where, key, want, &v) < 0)
		return -1;
	if (!v)
		rc = sqlite3_bind_null(st, idx);
	else if (want == json_type_string)
		rc = sqlite3_bind_text(st, idx, json_object_get_string(v),
				       json_object_get_string_len(v),
				       SQLITE_STATIC);
	else if (want == json_type_int)
		rc = sqlite3_bind_int64(st, idx, json_object_get_int64(v));
	else if (want == json_type_boolean)
		rc = sqlite3_bind_int(st, idx, json_object_get_boolean(v));
	else {
		c->tmp.len = 0;
		if (gh_json_to_buf(&c->tmp, v, 0) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
		rc = sqlite3_bind_text(st, idx, c->tmp.p, c->tmp.len,
				       SQLITE_TRANSIENT);
	}
	return rc == SQLITE_OK ? 0 : db_fail(c);
}

/* An array's elements must all be strings; join them with spaces. */
static int join_argv(struct cx *c, struct json_object *arr, const char *where,
		     struct gh_buf *out)
{
	size_t i, n = json_object_array_length(arr);

	out->len = 0;
	if (gh_buf_grow(out, 0) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	out->p[0] = '\0';
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_get_type(e) != json_type_string)
			return cx_fail(c, "%s[%zu]: expected a string", where,
				       i);
		if ((i && gh_buf_addc(out, ' ') < 0) ||
		    gh_buf_add(out, json_object_get_string(e),
			       json_object_get_string_len(e)) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
	}
	return 0;
}

/* Bind argv (JSON text), cmd (joined) from member key of o. */
static int bind_argv(struct cx *c, sqlite3_stmt *st, int argv_idx,
		     int cmd_idx, struct json_object *o, const char *where,
		     const char *key)
{
	struct gh_buf cmd = GH_BUF_INIT;
	struct json_object *v;
	char name[256];
	int rc;

	if (member(c, o, where, key, json_type_array, &v) < 0)
		return -1;
	if (!v)
		return 0;
	snprintf(name, sizeof(name), "%s%s%s", where, *where ? "." : "", key);
	if (join_argv(c, v, name, &cmd) < 0) {
		gh_buf_release(&cmd);
		return -1;
	}
	rc = sqlite3_bind_text(st, cmd_idx, cmd.p, cmd.len, SQLITE_TRANSIENT);
	gh_buf_release(&cmd);
	if (rc != SQLITE_OK)
		return db_fail(c);
	return bind_m(c, st, argv_idx, o, where, key, json_type_array);
}

/* Array member key of o, each element an object; NULL when absent. */
static int objects(struct cx *c, struct json_object *o, const char *where,
		   const char *key, struct json_object **out)
{
	size_t i, n;

	if (member(c, o, where, key, json_type_array, out) < 0)
		return -1;
	if (!*out)
		return 0;
	n = json_object_array_length(*out);
	for (i = 0; i < n; i++)
		if (json_object_get_type(json_object_array_get_idx(*out, i)) !=
		    json_type_object)
			return cx_fail(c, "%s%s%s[%zu]: expected an object",
				       where, *where ? "." : "", key, i);
	return 0;
}

/* Split a receipt "dst"/"addr" text into host and port:
 * "1.2.3.4:80", "[::1]:53", "unix:/run/x" (host is the whole text, no
 * port), anything else is kept whole. */
static int bind_hostport(struct cx *c, sqlite3_stmt *st, int hidx, int pidx,
			 const char *s, size_t len)
{
	const char *colon = NULL, *host = s;
	size_t hlen = len, i;
	long port = -1;

	if (len > 5 && memcmp(s, "unix:", 5) == 0)
		goto bind;
	for (i = len; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	if (colon && colon + 1 < s + len && s + len - colon - 1 <= 5) {
		const char *p;

		port = 0;
		for (p = colon + 1; p < s + len; p++) {
			if (*p < '0' || *p > '9') {
				port = -1;
				break;
			}
			port = port * 10 + (*p - '0');
		}
		if (port > 65535)
			port = -1;
	}
	if (port >= 0) {
		hlen = colon - s;
		if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
			host = s + 1;
			hlen -= 2;
		} else if (memchr(s, ':', hlen)) {
			/* bare IPv6 without brackets: no port in it */
			port = -1;
			hlen = len;
		}
	}
bind:
	if (sqlite3_bind_text(st, hidx, host, hlen, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		return db_fail(c);
	if (port >= 0 && sqlite3_bind_int64(st, pidx, port) != SQLITE_OK)
		return db_fail(c);
	return 0;
}

/* Insert each integer of member "pids" of o under parent id. */
static int store_pids(struct cx *c, sqlite3_stmt *st, sqlite3_int64 parent,
		      struct json_object *o, const char *where)
{
	struct json_object *arr;
	size_t i, n;

	if (member(c, o, where, "pids", json_type_array, &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_get_type(e) != json_type_int)
			return cx_fail(c, "%s.pids[%zu]: expected an integer",
				       where, i);
		sqlite3_bind_int64(st, 1, parent);
		sqlite3_bind_int64(st, 2, json_object_get_int64(e));
		if (step(c, st) < 0)
			return -1;
	}
	return 0;
}

/* The execs of process_tree[i] (p). */
static int store_execs(struct cx *c, struct json_object *p, size_t i,
		       const char *w)
{
	sqlite3_stmt *st = c->s->st[ST_EXEC];
	struct json_object *execs, *e;
	char we[96];
	size_t j, n;

	if (objects(c, p, w, "execs", &execs) < 0)
		return -1;
	n = execs ? json_object_array_length(execs) : 0;
	for (j = 0; j < n; j++) {
		e = json_object_array_get_idx(execs, j);
		snprintf(we, sizeof(we), "%s.execs[%zu]", w, j);
		sqlite3_bind_int64(st, 1, c->rid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)j);
		if (bind_m(c, st, 4, p, w, "pid", json_type_int) < 0 ||
		    bind_m(c, st, 5, e, we, "exe", json_type_string) < 0 ||
		    bind_argv(c, st, 6, 7, e, we, "argv") < 0 ||
		    bind_m(c, st, 8, e, we, "argv_truncated",
			   json_type_boolean) < 0 ||
		    bind_m(c, st, 9, e, we, "cwd", json_type_string) < 0 ||
		    step(c, st) < 0)
			return -1;
	}
	return 0;
}

/* process_tree[i] (p), or processes[i] when flat (0.3.0 receipts without a
 * tree, or the flat list next to a tree: then only checked). */
static int store_process(struct cx *c, struct json_object *p, size_t i,
			 int flat, int check_only)
{
	sqlite3_stmt *st = c->s->st[ST_PROCESS];
	struct json_object *v;
	char w[64];

	if (flat) {
		snprintf(w, sizeof(w), "processes[%zu]", i);
		if (check_only)
			return member(c, p, w, "pid", json_type_int, &v) < 0 ||
			       member(c, p, w, "ppid", json_type_int, &v) < 0 ||
			       member(c, p, w, "cmd", json_type_string, &v) < 0
				       ? -1 : 0;
		sqlite3_bind_int64(st, 1, c->rid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		if (bind_m(c, st, 3, p, w, "pid", json_type_int) < 0 ||
		    bind_m(c, st, 4, p, w, "ppid", json_type_int) < 0 ||
		    bind_m(c, st, 7, p, w, "cmd", json_type_string) < 0)
			return -1;
		return step(c, st);
	}
	snprintf(w, sizeof(w), "process_tree[%zu]", i);
	sqlite3_bind_int64(st, 1, c->rid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
	if (bind_m(c, st, 3, p, w, "pid", json_type_int) < 0 ||
	    bind_m(c, st, 4, p, w, "ppid", json_type_int) < 0 ||
	    bind_m(c, st, 5, p, w, "exe", json_type_string) < 0 ||
	    bind_argv(c, st, 6, 7, p, w, "argv") < 0 ||
	    bind_m(c, st, 8, p, w, "argv_truncated", json_type_boolean) < 0 ||
	    bind_m(c, st, 9, p, w, "working_dir", json_type_string) < 0 ||
	    bind_m(c, st, 10, p, w, "exit_code", json_type_int) < 0 ||
	    bind_m(c, st, 11, p, w, "signal", json_type_int) < 0 ||
	    bind_m(c, st, 12, p, w, "start_ms", json_type_int) < 0 ||
	    bind_m(c, st, 13, p, w, "end_ms", json_type_int) < 0 ||
	    step(c, st) < 0)
		return -1;
	return store_execs(c, p, i, w);
}

static int store_processes(struct cx *c, struct json_object *r)
{
	struct json_object *tree, *list;
	size_t i, n;

	if (objects(c, r, "", "process_tree", &tree) < 0 ||
	    objects(c, r, "", "processes", &list) < 0)
		return -1;
	n = tree ? json_object_array_length(tree) : 0;
	for (i = 0; i < n; i++)
		if (store_process(c, json_object_array_get_idx(tree, i), i, 0,
				  0) < 0)
			return -1;
	n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++)
		if (store_process(c, json_object_array_get_idx(list, i), i, 1,
				  tree != NULL) < 0)
			return -1;
	return 0;
}

static int store_files(struct cx *c, struct json_object *r)
{
	static const struct {
		const char *key, *kind;
	} lists[] = { { "reads", "read" },
		      { "writes", "write" },
		      { "deletes", "delete" } };
	sqlite3_stmt *st = c->s->st[ST_FILE], *ac = c->s->st[ST_ACCESS];
	struct json_object *fs, *arr, *a;
	char w[64];
	size_t k, i, n;

	if (member(c, r, "", "filesystem", json_type_object, &fs) < 0)
		return -1;
	if (!fs)
		return 0;
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		if (member(c, fs, "filesystem", lists[k].key, json_type_array,
			   &arr) < 0)
			return -1;
		n = arr ? json_object_array_length(arr) : 0;
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(arr, i);

			if (json_object_get_type(e) != json_type_string)
				return cx_fail(c,
					       "filesystem.%s[%zu]: expected a string",
					       lists[k].key, i);
			sqlite3_bind_int64(st, 1, c->rid);
			sqlite3_bind_text(st, 2, lists[k].kind, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 3, json_object_get_string(e),
					  json_object_get_string_len(e),
					  SQLITE_STATIC);
			if (step(c, st) < 0)
				return -1;
		}
	}
	if (objects(c, fs, "filesystem", "accesses", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *path;

		a = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "filesystem.accesses[%zu]", i);
		if (member(c, a, w, "path", json_type_string, &path) < 0)
			return -1;
		if (!path)
			return cx_fail(c, "%s.path: missing", w);
		if (member(c, a, w, "op", json_type_string, &path) < 0)
			return -1;
		if (!path)
			return cx_fail(c, "%s.op: missing", w);
		sqlite3_bind_int64(ac, 1, c->rid);
		if (bind_m(c, ac, 2, a, w, "path", json_type_string) < 0 ||
		    bind_m(c, ac, 3, a, w, "path_hex", json_type_string) < 0 ||
		    bind_m(c, ac, 4, a, w, "op", json_type_string) < 0 ||
		    bind_m(c, ac, 5, a, w, "target", json_type_string) < 0 ||
		    bind_m(c, ac, 6, a, w, "mode", json_type_int) < 0 ||
		    bind_m(c, ac, 7, a, w, "result", json_type_string) < 0 ||
		    bind_m(c, ac, 8, a, w, "count", json_type_int) < 0 ||
		    step(c, ac) < 0)
			return -1;
		if (store_pids(c, c->s->st[ST_ACCESS_PID],
			       sqlite3_last_insert_rowid(c->s->db), a, w) < 0)
			return -1;
	}
	if (member(c, fs, "filesystem", "failed", json_type_int, &a) < 0 ||
	    member(c, fs, "filesystem", "policy_violations", json_type_array,
		   &a) < 0)
		return -1;
	return 0;
}

/* A network entry's address member ("dst" or "addr"), required. */
static int net_addr(struct cx *c, struct json_object *e, const char *w,
		    const char *key, struct json_object **out)
{
	if (member(c, e, w, key, json_type_string, out) < 0)
		return -1;
	if (!*out)
		return cx_fail(c, "%s.%s: missing", w, key);
	return 0;
}

/* Columns 1-5 shared by connections and attempts: receipt, dst, host,
 * port, protocol. */
static int bind_peer(struct cx *c, sqlite3_stmt *st, struct json_object *e,
		     const char *w)
{
	struct json_object *d;

	if (net_addr(c, e, w, "dst", &d) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->rid);
	if (bind_m(c, st, 2, e, w, "dst", json_type_string) < 0 ||
	    bind_hostport(c, st, 3, 4, json_object_get_string(d),
			  json_object_get_string_len(d)) < 0 ||
	    bind_m(c, st, 5, e, w, "protocol", json_type_string) < 0)
		return -1;
	return 0;
}

static int store_network(struct cx *c, struct json_object *r)
{
	struct store *s = c->s;
	struct json_object *net, *arr, *e, *d;
	sqlite3_stmt *st;
	char w[64];
	size_t i, n;

	if (member(c, r, "", "network", json_type_object, &net) < 0)
		return -1;
	if (!net)
		return 0;

	st = s->st[ST_CONN];
	if (objects(c, net, "network", "connections", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "network.connections[%zu]", i);
		if (bind_peer(c, st, e, w) < 0 ||
		    bind_m(c, st, 6, e, w, "attempted", json_type_boolean) < 0)
			return -1;
		/* protocol is part of the key: an absent one is "" */
		if (!json_object_object_get_ex(e, "protocol", &d) || !d)
			sqlite3_bind_text(st, 5, "", 0, SQLITE_STATIC);
		if (step(c, st) < 0)
			return -1;
	}

	st = s->st[ST_ATTEMPT];
	if (objects(c, net, "network", "attempts", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "network.attempts[%zu]", i);
		if (bind_peer(c, st, e, w) < 0 ||
		    bind_m(c, st, 6, e, w, "op", json_type_string) < 0 ||
		    bind_m(c, st, 7, e, w, "family", json_type_string) < 0 ||
		    bind_m(c, st, 8, e, w, "result", json_type_string) < 0 ||
		    bind_m(c, st, 9, e, w, "count", json_type_int) < 0 ||
		    step(c, st) < 0)
			return -1;
		if (store_pids(c, s->st[ST_ATTEMPT_PID],
			       sqlite3_last_insert_rowid(s->db), e, w) < 0)
			return -1;
	}

	st = s->st[ST_INBOUND];
	if (objects(c, net, "network", "inbound", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "network.inbound[%zu]", i);
		if (net_addr(c, e, w, "addr", &d) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, c->rid);
		if (bind_m(c, st, 2, e, w, "op", json_type_string) < 0 ||
		    bind_m(c, st, 3, e, w, "addr", json_type_string) < 0 ||
		    bind_hostport(c, st, 4, 5, json_object_get_string(d),
				  json_object_get_string_len(d)) < 0 ||
		    bind_m(c, st, 6, e, w, "protocol", json_type_string) < 0 ||
		    bind_m(c, st, 7, e, w, "result", json_type_string) < 0 ||
		    bind_m(c, st, 8, e, w, "count", json_type_int) < 0 ||
		    step(c, st) < 0)
			return -1;
		if (store_pids(c, s->st[ST_INBOUND_PID],
			       sqlite3_last_insert_rowid(s->db), e, w) < 0)
			return -1;
	}
	if (member(c, net, "network", "bytes_sent", json_type_int, &e) < 0 ||
	    member(c, net, "network", "bytes_received", json_type_int, &e) < 0)
		return -1;
	return 0;
}

/* syscalls.counts and syscalls.denied: {"<record type>": N}. */
static int store_syscalls(struct cx *c, struct json_object *r)
{
	static const char *const keys[] = { "counts", "denied" };
	sqlite3_stmt *st = c->s->st[ST_SYSCALL];
	struct json_object *sc, *m;
	size_t k;

	if (member(c, r, "", "syscalls", json_type_object, &sc) < 0)
		return -1;
	for (k = 0; sc && k < 2; k++) {
		if (member(c, sc, "syscalls", keys[k], json_type_object, &m) < 0)
			return -1;
		if (!m)
			continue;
		json_object_object_foreach(m, key, val)
		{
			if (json_object_get_type(val) != json_type_int)
				return cx_fail(c,
					       "syscalls.%s.%s: expected an integer",
					       keys[k], key);
			sqlite3_bind_int64(st, 1, c->rid);
			sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
			/* a type only in denied gets count 0; the upsert
			 * keeps the count of a type already seen */
			sqlite3_bind_int64(st, k == 0 ? 3 : 4,
					   json_object_get_int64(val));
			sqlite3_bind_int64(st, k == 0 ? 4 : 3, 0);
			if (step(c, st) < 0)
				return -1;
		}
	}
	return 0;
}

/* redactions: [{"rule": "...", "count": N, ...}]; each element is kept
 * whole in detail, since gh-redact may say more than rule and count. */
static int store_redactions(struct cx *c, struct json_object *r)
{
	sqlite3_stmt *st = c->s->st[ST_REDACTION];
	struct json_object *arr, *e;
	char w[64];
	size_t i, n;

	if (objects(c, r, "", "redactions", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "redactions[%zu]", i);
		sqlite3_bind_int64(st, 1, c->rid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		c->tmp.len = 0;
		if (bind_m(c, st, 3, e, w, "rule", json_type_string) < 0 ||
		    bind_m(c, st, 4, e, w, "count", json_type_int) < 0)
			return -1;
		if (gh_json_to_buf(&c->tmp, e, 0) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
		sqlite3_bind_text(st, 5, c->tmp.p, c->tmp.len, SQLITE_TRANSIENT);
		if (step(c, st) < 0)
			return -1;
	}
	return 0;
}

/* policy: null, or the verdict gh-policy --annotate writes. */
static int store_policy(struct cx *c, struct json_object *r)
{
	sqlite3_stmt *st = c->s->st[ST_VERDICT], *vs = c->s->st[ST_VIOLATION];
	struct json_object *pol, *arr, *e, *pass;
	char w[64];
	size_t i, n;

	if (member(c, r, "", "policy", json_type_object, &pol) < 0)
		return -1;
	if (!pol)
		return 0;
	if (objects(c, pol, "policy", "violations", &arr) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	sqlite3_bind_int64(st, 1, c->rid);
	if (bind_m(c, st, 2, pol, "policy", "verdict", json_type_string) < 0)
		return -1;
	if (member(c, pol, "policy", "pass", json_type_boolean, &pass) < 0)
		return -1;
	if (pass && !json_object_object_get_ex(pol, "verdict", NULL))
		sqlite3_bind_text(st, 2,
				  json_object_get_boolean(pass) ? "pass" : "fail",
				  -1, SQLITE_STATIC);
	if (arr)
		sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
	if (bind_m(c, st, 4, pol, "policy", "rules_sha256",
		   json_type_string) < 0)
		return -1;
	c->tmp.len = 0;
	if (gh_json_to_buf(&c->tmp, pol, 0) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	sqlite3_bind_text(st, 5, c->tmp.p, c->tmp.len, SQLITE_TRANSIENT);
	if (step(c, st) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(w, sizeof(w), "policy.violations[%zu]", i);
		sqlite3_bind_int64(vs, 1, c->rid);
		sqlite3_bind_int64(vs, 2, (sqlite3_int64)i);
		if (bind_m(c, vs, 3, e, w, "rule", json_type_string) < 0 ||
		    bind_m(c, vs, 4, e, w, "item", json_type_string) < 0 ||
		    bind_m(c, vs, 5, e, w, "pid", json_type_int) < 0)
			return -1;
		c->tmp.len = 0;
		if (gh_json_to_buf(&c->tmp, e, 0) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
		sqlite3_bind_text(vs, 6, c->tmp.p, c->tmp.len, SQLITE_TRANSIENT);
		if (step(c, vs) < 0)
			return -1;
	}
	return 0;
}

/* The command of the run: provenance.command, else the first process's
 * argv, else the first cmd of the flat process list. */
static int bind_command(struct cx *c, sqlite3_stmt *st,
			struct json_object *r, struct json_object *prov)
{
	struct json_object *argv = NULL, *tree, *p;
	struct gh_buf cmd = GH_BUF_INIT;
	const char *where = "provenance.command";
	const char *a0, *slash;
	size_t len;
	int rc;

	if (member(c, prov, "provenance", "command", json_type_array, &argv) < 0)
		return -1;
	if (!argv && json_object_object_get_ex(r, "process_tree", &tree) &&
	    json_object_get_type(tree) == json_type_array &&
	    json_object_array_length(tree) > 0) {
		p = json_object_array_get_idx(tree, 0);
		where = "process_tree[0].argv";
		if (member(c, p, "process_tree[0]", "argv", json_type_array,
			   &argv) < 0)
			return -1;
	}
	if (!argv) {
		/* only the flat list: its first cmd, already joined */
		if (json_object_object_get_ex(r, "processes", &tree) &&
		    json_object_get_type(tree) == json_type_array &&
		    json_object_array_length(tree) > 0 &&
		    json_object_object_get_ex(json_object_array_get_idx(tree, 0),
					      "cmd", &p) &&
		    json_object_get_type(p) == json_type_string)
			sqlite3_bind_text(st, 6, json_object_get_string(p),
					  json_object_get_string_len(p),
					  SQLITE_STATIC);
		return 0;
	}
	if (join_argv(c, argv, where, &cmd) < 0) {
		gh_buf_release(&cmd);
		return -1;
	}
	sqlite3_bind_text(st, 6, cmd.p, cmd.len, SQLITE_TRANSIENT);
	gh_buf_release(&cmd);
	if (json_object_array_length(argv) > 0) {
		p = json_object_array_get_idx(argv, 0);
		a0 = json_object_get_string(p);
		len = json_object_get_string_len(p);
		slash = memrchr(a0, '/', len);
		if (slash) {
			len -= slash + 1 - a0;
			a0 = slash + 1;
		}
		sqlite3_bind_text(st, 7, a0, len, SQLITE_STATIC);
	}
	c->tmp.len = 0;
	if (gh_json_to_buf(&c->tmp, argv, 0) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	rc = sqlite3_bind_text(st, 8, c->tmp.p, c->tmp.len, SQLITE_TRANSIENT);
	return rc == SQLITE_OK ? 0 : db_fail(c);
}

/* A value some receipts carry in one place only: when o has no key (or
 * it is null), bind alt's altkey (already type-checked) instead. */
static void bind_alt(sqlite3_stmt *st, int idx, struct json_object *o,
		     const char *key, struct json_object *alt,
		     const char *altkey)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && v)
		return;
	if (alt && json_object_object_get_ex(alt, altkey, &v) &&
	    json_object_get_type(v) == json_type_int)
		sqlite3_bind_int64(st, idx, json_object_get_int64(v));
}

static int store_row(struct cx *c, struct json_object *r, const char *sha,
		     const struct gh_buf *canon)
{
	sqlite3_stmt *st = c->s->st[ST_RECEIPT];
	struct json_object *prov, *out, *tim, *res, *loss, *fs, *net, *art,
		*sig, *v;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (member(c, r, "", "provenance", json_type_object, &prov) < 0 ||
	    member(c, r, "", "outcome", json_type_object, &out) < 0 ||
	    member(c, r, "", "timing", json_type_object, &tim) < 0 ||
	    member(c, r, "", "resources", json_type_object, &res) < 0 ||
	    member(c, r, "", "loss", json_type_object, &loss) < 0 ||
	    member(c, r, "", "filesystem", json_type_object, &fs) < 0 ||
	    member(c, r, "", "network", json_type_object, &net) < 0 ||
	    member(c, r, "", "artifacts", json_type_object, &art) < 0 ||
	    member(c, r, "", "signature", json_type_object, &sig) < 0 ||
	    member(c, r, "", "timestamp", json_type_string, &v) < 0 ||
	    member(c, r, "", "environment", json_type_object, &v) < 0 ||
	    member(c, r, "", "execution", json_type_object, &v) < 0)
		return -1;

	if (bind_m(c, st, 1, r, "", "execution_id", json_type_string) < 0 ||
	    bind_m(c, st, 2, r, "", "version", json_type_string) < 0 ||
	    bind_m(c, st, 3, r, "", "start_time", json_type_string) < 0 ||
	    bind_m(c, st, 4, r, "", "end_time", json_type_string) < 0 ||
	    bind_m(c, st, 5, prov, "provenance", "host", json_type_string) < 0 ||
	    bind_command(c, st, r, prov) < 0 ||
	    bind_m(c, st, 9, prov, "provenance", "cwd", json_type_string) < 0 ||
	    bind_m(c, st, 10, prov, "provenance", "uid", json_type_int) < 0 ||
	    bind_m(c, st, 11, prov, "provenance", "run_uid", json_type_int) < 0 ||
	    bind_m(c, st, 12, r, "", "observation_mode", json_type_string) < 0 ||
	    bind_m(c, st, 13, r, "", "completeness", json_type_string) < 0 ||
	    bind_m(c, st, 14, r, "", "completeness_reasons",
		   json_type_array) < 0 ||
	    bind_m(c, st, 15, r, "", "exit_code", json_type_int) < 0 ||
	    bind_m(c, st, 16, out, "outcome", "signal", json_type_int) < 0 ||
	    bind_m(c, st, 17, out, "outcome", "error", json_type_string) < 0 ||
	    bind_m(c, st, 18, r, "", "duration_ms", json_type_int) < 0 ||
	    bind_m(c, st, 19, res, "resources", "cpu_time_ms",
		   json_type_int) < 0 ||
	    bind_m(c, st, 20, res, "resources", "max_rss_kb", json_type_int) < 0 ||
	    bind_m(c, st, 21, loss, "loss", "ringbuf", json_type_int) < 0 ||
	    bind_m(c, st, 22, loss, "loss", "fault", json_type_int) < 0 ||
	    bind_m(c, st, 23, loss, "loss", "truncated", json_type_int) < 0 ||
	    bind_m(c, st, 24, fs, "filesystem", "failed", json_type_int) < 0 ||
	    bind_m(c, st, 25, net, "network", "bytes_sent", json_type_int) < 0 ||
	    bind_m(c, st, 26, art, "artifacts", "stdout_hash",
		   json_type_string) < 0 ||
	    bind_m(c, st, 27, art, "artifacts", "stderr_hash",
		   json_type_string) < 0 ||
	    bind_m(c, st, 29, sig, "signature", "key", json_type_string) < 0 ||
	    member(c, out, "outcome", "exit_code", json_type_int, &v) < 0 ||
	    member(c, tim, "timing", "duration_ms", json_type_int, &v) < 0 ||
	    member(c, tim, "timing", "cpu_time_ms", json_type_int, &v) < 0)
		return -1;
	bind_alt(st, 15, r, "exit_code", out, "exit_code");
	bind_alt(st, 18, r, "duration_ms", tim, "duration_ms");
	bind_alt(st, 19, res, "cpu_time_ms", tim, "cpu_time_ms");
	sqlite3_bind_int(st, 28, sig != NULL);
	sqlite3_bind_text(st, 30, sha, -1, SQLITE_STATIC);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_text(st, 31, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 32, canon->p, canon->len, SQLITE_STATIC);
	if (step(c, st) < 0)
		return -1;
	c->rid = sqlite3_last_insert_rowid(c->s->db);
	return 0;
}

/* Look the execution_id up: 0 not stored, 1 stored with the same bytes,
 * 2 stored with other bytes (*old gets its row id), -1 error. */
static int find(struct cx *c, const char *id, size_t idlen,
		const struct gh_buf *canon, sqlite3_int64 *old)
{
	sqlite3_stmt *st = c->s->st[ST_FIND];
	int rc, ret = 0;

	sqlite3_bind_text(st, 1, id, idlen, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 1);
		size_t n = sqlite3_column_bytes(st, 1);

		*old = sqlite3_column_int64(st, 0);
		ret = (n == canon->len && (n == 0 || memcmp(b, canon->p, n) == 0))
			      ? 1
			      : 2;
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(c);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int check_receipt(struct cx *c, struct json_object *o)
{
	struct gh_receipt r;
	int rc = gh_receipt_attach(&r, o, NULL);

	if (rc < 0)
		cx_fail(c, "%s", rc == -EINVAL ? r.err : strerror(-rc));
	gh_receipt_release(&r);
	return rc < 0 ? -1 : 0;
}

int store_receipt(struct store *s, struct json_object *o, const char **id,
		  char sha_hex[65], char *err, size_t errlen)
{
	struct cx c = { .s = s, .err = err, .errlen = errlen };
	struct gh_buf canon = GH_BUF_INIT;
	unsigned char md[GH_SHA256_LEN];
	struct json_object *idv;
	sqlite3_int64 old = 0;
	int found, ret = -1;

	*id = NULL;
	sha_hex[0] = '\0';
	/* a receipt of a version this program knows (v0 included) */
	if (check_receipt(&c, o) < 0)
		return -1;
	if (member(&c, o, "", "execution_id", json_type_string, &idv) < 0)
		return -1;
	if (!idv || json_object_get_string_len(idv) == 0)
		return cx_fail(&c, "not a receipt: no execution_id");
	*id = json_object_get_string(idv);

	if (archive_canonical(o, &canon, c.tmp_err, sizeof(c.tmp_err)) < 0) {
		cx_fail(&c, "canonical form: %s", c.tmp_err);
		goto out;
	}
	if (gh_sha256(canon.p, canon.len, md) < 0) {
		cx_fail(&c, "sha-256 failed");
		goto out;
	}
	gh_hex(md, sizeof(md), sha_hex);

	found = find(&c, *id, json_object_get_string_len(idv), &canon, &old);
	if (found < 0)
		goto out;
	if (found == 1) {
		ret = STORE_UNCHANGED;
		goto out;
	}
	if (found == 2) {
		if (!s->replace) {
			struct gh_buf q = GH_BUF_INIT;

			gh_buf_json_str(&q, *id, json_object_get_string_len(idv));
			cx_fail(&c,
				"execution_id %s: already archived with other content (use --replace)",
				q.p ? q.p : "");
			gh_buf_release(&q);
			goto out;
		}
		sqlite3_bind_int64(s->st[ST_DELETE], 1, old);
		if (step(&c, s->st[ST_DELETE]) < 0)
			goto out;
	}
	if (store_row(&c, o, sha_hex, &canon) < 0 ||
	    store_processes(&c, o) < 0 || store_files(&c, o) < 0 ||
	    store_network(&c, o) < 0 || store_syscalls(&c, o) < 0 ||
	    store_redactions(&c, o) < 0 || store_policy(&c, o) < 0)
		goto out;
	ret = found == 2 ? STORE_REPLACED : STORE_STORED;
out:
	gh_buf_release(&canon);
	gh_buf_release(&c.tmp);
	return ret;
}
