/* gh-archive: one receipt into the normalized tables and its canonical form.
 *
 * The same code serves both engines (archive.h): every value reaches the
 * database through a bound parameter; the only SQL text is the constant
 * statements below, which both SQLite and PostgreSQL accept (the receipt
 * row, which PostgreSQL also keeps as JSON, is the one written twice). Members are looked up by name, so the
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
	ST_PEER_NAME,
	ST_DNS,
	ST_DNS_ANSWER,
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
		" signature_key, sha256, archived_at, canonical, machine,"
		" bytes_received)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
		" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)"
		" ON CONFLICT (execution_id) DO NOTHING RETURNING id",
	[ST_PROCESS] = "INSERT INTO processes (receipt_id, seq, pid, ppid, exe,"
		       " argv, cmd, argv_truncated, working_dir, exit_code,"
		       " signal, start_ms, end_ms) VALUES (?1, ?2, ?3, ?4, ?5,"
		       " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_EXEC] = "INSERT INTO execs (receipt_id, process_seq, seq, pid, exe,"
		    " argv, cmd, argv_truncated, cwd) VALUES (?1, ?2, ?3, ?4,"
		    " ?5, ?6, ?7, ?8, ?9)",
	[ST_FILE] = "INSERT INTO files (receipt_id, kind, path)"
		    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[ST_ACCESS] = "INSERT INTO file_accesses (receipt_id, path, path_hex,"
		      " op, target, mode, result, count) VALUES (?1, ?2, ?3,"
		      " ?4, ?5, ?6, ?7, ?8)",
	[ST_ACCESS_PID] = "INSERT INTO file_access_pids (access_id, pid)"
			  " SELECT max(id), ?2 FROM file_accesses"
			  " WHERE receipt_id = ?1 ON CONFLICT DO NOTHING",
	[ST_CONN] = "INSERT INTO connections (receipt_id, dst, host, port,"
		    " protocol, attempted, bytes_sent, bytes_received)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		    " ON CONFLICT DO NOTHING",
	[ST_ATTEMPT] = "INSERT INTO network_attempts (receipt_id, dst, host,"
		       " port, protocol, op, family, result, count) VALUES"
		       " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ATTEMPT_PID] = "INSERT INTO network_attempt_pids (attempt_id, pid)"
			   " SELECT max(id), ?2 FROM network_attempts"
			   " WHERE receipt_id = ?1 ON CONFLICT DO NOTHING",
	[ST_INBOUND] = "INSERT INTO network_inbound (receipt_id, op, addr,"
		       " host, port, protocol, result, count) VALUES (?1, ?2,"
		       " ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_INBOUND_PID] = "INSERT INTO network_inbound_pids (inbound_id, pid)"
			   " SELECT max(id), ?2 FROM network_inbound"
			   " WHERE receipt_id = ?1 ON CONFLICT DO NOTHING",
	[ST_SYSCALL] = "INSERT INTO syscalls (receipt_id, type, count, denied)"
		       " VALUES (?1, ?2, ?3, ?4)",
	[ST_REDACTION] = "INSERT INTO redactions (receipt_id, seq, rule,"
			 " count, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_VERDICT] = "INSERT INTO policy_verdicts (receipt_id, verdict,"
		       " violations, rules_sha256, detail) VALUES (?1, ?2, ?3,"
		       " ?4, ?5)",
	[ST_VIOLATION] = "INSERT INTO policy_violations (receipt_id, seq, rule,"
			 " item, pid, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_PEER_NAME] = "INSERT INTO peer_names (receipt_id, dst, protocol, name)"
			 " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[ST_DNS] = "INSERT INTO dns_queries (receipt_id, name, type, count)"
		   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[ST_DNS_ANSWER] = "INSERT INTO dns_answers (receipt_id, name, type, address)"
			  " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
};

/* PostgreSQL also keeps the receipt as JSON (receipts.doc; JSONB before
 * schema version 6) for queries; its JSON functions cannot give U+0000
 * (nor JSONB hold it), so a receipt with one gets its doc from ?35
 * (the canonical text with \u0000 escapes made \ufffd), else ?35 is NULL
 * and doc is the canonical text. */
static const char pg_receipt_sql[] =
	"INSERT INTO receipts (execution_id, version, start_time,"
	" end_time, host, command, program, argv, cwd, uid, run_uid,"
	" observation_mode, completeness, completeness_reasons,"
	" exit_code, signal, error, duration_ms, cpu_time_ms,"
	" max_rss_kb, lost_ringbuf, lost_fault, lost_truncated,"
	" files_failed, bytes_sent, stdout_hash, stderr_hash, signed,"
	" signature_key, sha256, archived_at, canonical, machine,"
	" bytes_received, doc)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
	" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34,"
	" CAST(coalesce(?35, ?32) AS json))"
	" ON CONFLICT (execution_id) DO NOTHING RETURNING id";

/* PostgreSQL keeps an entry's pids in an array of its row (schema
 * version 6; file_access_pids and the others are views of them): the
 * last parameter, an array literal of the pids, ascending, each once. */
static const char *const pg_sql[ST_N] = {
	[ST_ACCESS] = "INSERT INTO file_accesses (receipt_id, path, path_hex,"
		      " op, target, mode, result, count, pids) VALUES (?1, ?2,"
		      " ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ATTEMPT] = "INSERT INTO network_attempts (receipt_id, dst, host,"
		       " port, protocol, op, family, result, count, pids)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_INBOUND] = "INSERT INTO network_inbound (receipt_id, op, addr,"
		       " host, port, protocol, result, count, pids) VALUES (?1,"
		       " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
};

/* The pid statements, which PostgreSQL has no use for. */
static int pid_stmt(int st)
{
	return st == ST_ACCESS_PID || st == ST_ATTEMPT_PID ||
	       st == ST_INBOUND_PID;
}

/* The statements whose rows an engine may gather (archive_ops.bulk). A
 * statement not listed runs row by row. unique: gathered, its rows never
 * repeat a key (the paths of a list are given once each, see dups), so
 * its ON CONFLICT DO NOTHING may go. */
static const struct {
	unsigned char on;
	unsigned char unique;
} gather[ST_N] = {
	[ST_PROCESS] = { 1, 0 },
	[ST_EXEC] = { 1, 0 },
	[ST_FILE] = { 1, 1 },
	[ST_ACCESS] = { 1, 0 },
	[ST_CONN] = { 1, 0 },
	[ST_ATTEMPT] = { 1, 0 },
	[ST_INBOUND] = { 1, 0 },
	[ST_SYSCALL] = { 1, 0 },
	[ST_REDACTION] = { 1, 0 },
	[ST_VERDICT] = { 1, 0 },
	[ST_VIOLATION] = { 1, 0 },
};

/* The text columns an index holds (keys): PostgreSQL's B-tree indexes
 * refuse an entry over about 2,700 bytes, so a value a receipt gives for
 * one is stored within a bound, the same on both engines (gh-archive(1)):
 * KEY_LONG for a column that is the only long text of its indexes (paths,
 * exe, program), KEY_SHORT where an index holds up to three of them
 * (addresses, names, kinds). A value over its bound (U+0000 counted as the
 * three bytes of PostgreSQL's U+FFFD), or one that ends as a cut value
 * does, is stored cut: its first bytes, cut at a UTF-8 boundary, then
 * KEY_MARK and the SHA-256 (hex) of the whole value, KEY_TAIL bytes in
 * all; distinct values stay distinct. receipts.canonical keeps them whole. */
#define KEY_LONG 2000
#define KEY_SHORT 512
#define KEY_MARK "\xe2\x80\xa6sha256:"
#define KEY_MARK_LEN (sizeof(KEY_MARK) - 1)
#define KEY_TAIL (KEY_MARK_LEN + 2 * GH_SHA256_LEN)

/* key_bound[st][i]: the bound of parameter i + 1 of statement st, or 0. */
static const unsigned short key_bound[ST_N][ARCHIVE_MAX_PARAMS] = {
	[ST_RECEIPT] = { [6] = KEY_LONG, [32] = KEY_LONG },
	[ST_PROCESS] = { [4] = KEY_LONG },
	[ST_EXEC] = { [4] = KEY_LONG },
	[ST_FILE] = { [1] = KEY_SHORT, [2] = KEY_LONG },
	[ST_ACCESS] = { [1] = KEY_LONG, [3] = KEY_SHORT },
	[ST_CONN] = { [1] = KEY_SHORT, [2] = KEY_SHORT, [4] = KEY_SHORT },
	[ST_ATTEMPT] = { [1] = KEY_SHORT, [2] = KEY_SHORT },
	[ST_SYSCALL] = { [1] = KEY_LONG },
	[ST_REDACTION] = { [2] = KEY_LONG },
	[ST_VERDICT] = { [1] = KEY_LONG },
	[ST_PEER_NAME] = { [1] = KEY_SHORT, [2] = KEY_SHORT, [3] = KEY_SHORT },
	[ST_DNS] = { [1] = KEY_SHORT, [2] = KEY_SHORT },
	[ST_DNS_ANSWER] = { [1] = KEY_SHORT, [2] = KEY_SHORT, [3] = KEY_SHORT },
};

struct store {
	struct archive *a;
	int replace;
	const char *machine;
	int nparams[ST_N];
	unsigned char gathered[ST_N];
};

/* One receipt being stored: where errors go and scratch buffers. */
struct cx {
	struct store *s;
	struct gh_receipt *r; /* lib/receipt's typed access, named NULL */
	char *err;
	size_t errlen;
	long long rid;
	struct gh_buf tmp;
	char tmp_err[256];
	/* The parameters of the statement being built; values copied
	 * (set_copy) live in arena until the statement has run. */
	struct av v[ARCHIVE_MAX_PARAMS];
	size_t off[ARCHIVE_MAX_PARAMS];
	unsigned char copied[ARCHIVE_MAX_PARAMS];
	struct gh_buf arena;
	/* keys cut (key_cut) for the statement being run */
	struct gh_buf keys;
	size_t koff[ARCHIVE_MAX_PARAMS];
	/* dups: which elements of a list repeat an earlier one */
	struct gh_buf dup;
	/* What the last statement returned: a row id, or none. */
	long long last_id;
	int got_id;
	char dberr[512];
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
	return cx_fail(c, "database: %s", c->dberr);
}

/* Setting parameter idx (1-based) of the statement being built. Text set
 * with set_text is borrowed and must outlive the statement's run; set_copy
 * copies it. */
static void set_null(struct cx *c, int idx)
{
	c->v[idx - 1] = (struct av){ .type = AV_NULL };
	c->copied[idx - 1] = 0;
}

static void set_int(struct cx *c, int idx, long long i)
{
	c->v[idx - 1] = (struct av){ .type = AV_INT, .i = i };
	c->copied[idx - 1] = 0;
}

static void set_bool(struct cx *c, int idx, int b)
{
	c->v[idx - 1] = (struct av){ .type = AV_BOOL, .i = !!b };
	c->copied[idx - 1] = 0;
}

static void set_text(struct cx *c, int idx, const char *p, size_t len)
{
	c->v[idx - 1] = (struct av){ .type = AV_TEXT, .s = p, .len = len };
	c->copied[idx - 1] = 0;
}

static int set_copy(struct cx *c, int idx, const char *p, size_t len)
{
	c->off[idx - 1] = c->arena.len;
	if (gh_buf_add(&c->arena, p, len) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	c->v[idx - 1] = (struct av){ .type = AV_TEXT, .len = len };
	c->copied[idx - 1] = 1;
	return 0;
}

static int id_row(void *ctx, int ncol, const struct av *cols)
{
	struct cx *c = ctx;

	if (ncol >= 1 && cols[0].type == AV_TEXT) {
		c->last_id = strtoll(cols[0].s, NULL, 10);
		c->got_id = 1;
	}
	return 0;
}

/* Does the key s (len bytes) go cut into a column of the given bound? */
static int key_long(const char *s, size_t len, size_t bound)
{
	size_t i, w = 0;

	if (len >= KEY_TAIL &&
	    memcmp(s + len - KEY_TAIL, KEY_MARK, KEY_MARK_LEN) == 0) {
		for (i = len - 2 * GH_SHA256_LEN; i < len; i++)
			if (!((s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'f')))
				break;
		if (i == len)
			return 1;
	}
	if (len <= bound / 3)
		return 0;
	for (i = 0; i < len; i++) {
		w += s[i] ? 1 : 3;
		if (w > bound)
			return 1;
	}
	return 0;
}

/* Parameters of statement st that are keys over their bound: their cut
 * form into c->keys (see key_bound). */
static int key_cut(struct cx *c, int st)
{
	unsigned char md[GH_SHA256_LEN];
	char hex[2 * GH_SHA256_LEN + 1];
	int i, n = c->s->nparams[st], cut[ARCHIVE_MAX_PARAMS] = { 0 };
	size_t k, w, budget;

	c->keys.len = 0;
	for (i = 0; i < n; i++) {
		const char *s = c->v[i].s;
		size_t len = c->v[i].len;

		if (!key_bound[st][i] || c->v[i].type != AV_TEXT ||
		    !key_long(s, len, key_bound[st][i]))
			continue;
		budget = key_bound[st][i] - KEY_TAIL;
		for (k = 0, w = 0; k < len; k++) {
			w += s[k] ? 1 : 3;
			if (w > budget)
				break;
		}
		while (k > 0 && k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		if (gh_sha256(s, len, md) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
		gh_hex(md, sizeof(md), hex);
		c->koff[i] = c->keys.len;
		if (gh_buf_add(&c->keys, s, k) < 0 ||
		    gh_buf_add(&c->keys, KEY_MARK, KEY_MARK_LEN) < 0 ||
		    gh_buf_add(&c->keys, hex, 2 * GH_SHA256_LEN) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
		c->v[i].len = c->keys.len - c->koff[i];
		cut[i] = 1;
	}
	for (i = 0; i < n; i++)
		if (cut[i])
			c->v[i].s = c->keys.p + c->koff[i];
	return 0;
}

/* Run statement st with the parameters set, then clear them. The receipt
 * row's statement leaves its id in c->last_id (c->got_id); the others
 * return nothing, so an engine may queue them (PostgreSQL's pipeline) and
 * report their errors at the next statement that answers, or at
 * store_receipt's end. */
static int step(struct cx *c, int st)
{
	struct store *s = c->s;
	int i, n = s->nparams[st], rc;

	for (i = 0; i < n; i++)
		if (c->copied[i])
			c->v[i].s = c->arena.p + c->off[i];
	if (key_cut(c, st) < 0)
		return -1;
	c->got_id = 0;
	if (s->gathered[st])
		rc = s->a->ops->add(s->a, st, c->v, n, c->dberr,
				    sizeof(c->dberr));
	else
		rc = s->a->ops->run(s->a, st, c->v, n,
				    st == ST_RECEIPT ? id_row : NULL, c,
				    c->dberr, sizeof(c->dberr));
	for (i = 0; i < n; i++)
		set_null(c, i + 1);
	c->arena.len = 0;
	return rc < 0 ? db_fail(c) : 0;
}

int archive_canonical(const struct gh_jv *o, struct gh_buf *out, char *err,
		      size_t errlen)
{
	int rc = gh_jcs_write_jv(out, o, err, errlen);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	return rc < 0 ? -1 : 0;
}

int store_new(struct archive *a, int replace, const char *machine,
	      struct store **out, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	const char *p;
	int i;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	s->a = a;
	s->replace = replace;
	s->machine = machine;
	for (i = 0; i < ST_N; i++) {
		const char *q = sql[i];

		if (a->engine == ENGINE_PG && pid_stmt(i))
			continue;
		if (i == ST_RECEIPT && a->engine == ENGINE_PG)
			q = pg_receipt_sql;
		else if (a->engine == ENGINE_PG && pg_sql[i])
			q = pg_sql[i];
		for (p = q; *p; p++)
			if (*p == '?')
				s->nparams[i]++;
		if (i == ST_RECEIPT && a->engine == ENGINE_PG)
			s->nparams[i] -= 1; /* ?32 comes twice */
		if (a->ops->prepare(a, i, q, err, errlen) < 0 ||
		    (a->ops->bulk && gather[i].on &&
		     a->ops->bulk(a, i, gather[i].unique, err, errlen) < 0)) {
			char e[512];

			snprintf(e, sizeof(e), "%s", err);
			snprintf(err, errlen, "database: %s", e);
			free(s);
			return -1;
		}
		s->gathered[i] = a->ops->bulk && gather[i].on;
	}
	*out = s;
	return 0;
}

void store_free(struct store *s)
{
	free(s);
}

/* Member key of o with type want (GH_JV_*), through lib/receipt: *out is
 * NULL when absent or null; -1 after cx_fail for another type. "where"
 * names the enclosing value ("" for the receipt, "process_tree[2]"). */
static int member(struct cx *c, const struct gh_jv *o, const char *where,
		  const char *key, int want, const struct gh_jv **out)
{
	return gh_receipt_member(c->r, o, where, key, want, out) < 0 ?
		       cx_fail(c, "%s", c->r->err) : 0;
}

static size_t slen(const struct gh_jv *v)
{
	size_t n;

	gh_jv_str(v, &n);
	return n;
}

/* v as compact JSON text, into c->tmp */
static int json_text(struct cx *c, const struct gh_jv *v)
{
	struct json_object *o;
	int rc;

	c->tmp.len = 0;
	if (gh_jv_to_json(v, &o) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	rc = gh_json_to_buf(&c->tmp, o, 0);
	json_object_put(o);
	return rc < 0 ? cx_fail(c, "%s", strerror(ENOMEM)) : 0;
}

/* Bind member key of o (absent or null: NULL) with the given JSON type;
 * arrays and objects are bound as their compact JSON text. */
static int bind_m(struct cx *c, int idx, const struct gh_jv *o, const char *where,
		  const char *key, int want)
{
	const struct gh_jv *v;

	if (member(c, o, where, key, want, &v) < 0)
		return -1;
	if (!v)
		set_null(c, idx);
	else if (want == GH_JV_STRING)
		set_text(c, idx, gh_jv_str(v, NULL), slen(v));
	else if (want == GH_JV_INT)
		set_int(c, idx, gh_jv_int(v));
	else if (want == GH_JV_BOOL)
		set_bool(c, idx, gh_jv_bool(v));
	else
		return json_text(c, v) < 0 ? -1 : set_copy(c, idx, c->tmp.p, c->tmp.len);
	return 0;
}

/* An array's elements must all be strings; join them with spaces. */
static int join_argv(struct cx *c, const struct gh_jv *arr, const char *where,
		     struct gh_buf *out)
{
	size_t i, n = gh_jv_len(arr);

	out->len = 0;
	if (gh_buf_grow(out, 0) < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	out->p[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct gh_jv *e = gh_jv_idx(arr, i);

		if (!gh_jv_is(e, GH_JV_STRING))
			return cx_fail(c, "%s[%zu]: expected a string", where, i);
		if ((i && gh_buf_addc(out, ' ') < 0) ||
		    gh_buf_add(out, gh_jv_str(e, NULL), slen(e)) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
	}
	return 0;
}

/* Bind argv (JSON text), cmd (joined) from member key of o. */
static int bind_argv(struct cx *c, int argv_idx, int cmd_idx, const struct gh_jv *o,
		     const char *where, const char *key)
{
	struct gh_buf cmd = GH_BUF_INIT;
	const struct gh_jv *v;
	char name[256];
	int rc;

	if (member(c, o, where, key, GH_JV_ARRAY, &v) < 0)
		return -1;
	if (!v)
		return 0;
	snprintf(name, sizeof(name), "%s%s%s", where, *where ? "." : "", key);
	if (join_argv(c, v, name, &cmd) < 0) {
		gh_buf_release(&cmd);
		return -1;
	}
	rc = set_copy(c, cmd_idx, cmd.p, cmd.len);
	gh_buf_release(&cmd);
	if (rc < 0)
		return -1;
	return bind_m(c, argv_idx, o, where, key, GH_JV_ARRAY);
}

/* Array member key of o, each element an object; NULL when absent. */
static int objects(struct cx *c, const struct gh_jv *o, const char *where,
		   const char *key, const struct gh_jv **out)
{
	size_t i, n;

	if (member(c, o, where, key, GH_JV_ARRAY, out) < 0)
		return -1;
	n = gh_jv_len(*out);
	for (i = 0; i < n; i++)
		if (!gh_jv_is(gh_jv_idx(*out, i), GH_JV_OBJECT))
			return cx_fail(c, "%s%s%s[%zu]: expected an object", where,
				       *where ? "." : "", key, i);
	return 0;
}

/* What each calls for an element e of a list: w names it
 * ("network.attempts[3]"), i is its index. */
typedef int each_fn(struct cx *c, const struct gh_jv *e, const char *w,
		    size_t i, void *arg);

/* fn for each element of array member key of o (objects, checked first;
 * absent: none), in order, up to the first that fails. */
static int each(struct cx *c, const struct gh_jv *o, const char *where,
		const char *key, each_fn *fn, void *arg)
{
	const struct gh_jv *arr;
	char w[96];
	size_t i, n;

	if (objects(c, o, where, key, &arr) < 0)
		return -1;
	n = arr ? gh_jv_len(arr) : 0;
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%s%s%s[%zu]", where, *where ? "." : "",
			 key, i);
		if (fn(c, gh_jv_idx(arr, i), w, i, arg) < 0)
			return -1;
	}
	return 0;
}

/* Split a receipt "dst"/"addr" text into host and port:
 * "1.2.3.4:80", "[::1]:53", "unix:/run/x" (host is the whole text, no
 * port), anything else is kept whole. */
static int bind_hostport(struct cx *c, int hidx, int pidx,
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
	set_text(c, hidx, host, hlen);
	if (port >= 0)
		set_int(c, pidx, port);
	return 0;
}

/* A path of a list, as the database compares it (PostgreSQL stores
 * U+0000 as U+FFFD: such a string is compared as stored). */
struct dkey {
	const char *s;
	size_t len, idx, off;
	int type;
};

static int dkey_cmp(const void *x, const void *y)
{
	const struct dkey *a = x, *b = y;
	int r;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == GH_JV_STRING) {
		r = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (r)
			return r;
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* For a statement whose rows must not repeat a key (gather[].unique) when
 * the engine gathers it: *rep[k] is 1 where string k of arr (a list of
 * paths) equals an earlier one, whose row then stands for both (what ON
 * CONFLICT DO NOTHING did). *rep is NULL when nothing is left out. */
static int dups(struct cx *c, int st, const struct gh_jv *arr,
		const unsigned char **rep)
{
	struct gh_buf norm = GH_BUF_INIT;
	struct dkey *k;
	size_t i, n = arr ? gh_jv_len(arr) : 0, any = 0;

	*rep = NULL;
	if (n < 2 || !c->s->gathered[st] || !gather[st].unique)
		return 0;
	k = calloc(n, sizeof(*k));
	c->dup.len = 0;
	if (!k || gh_buf_grow(&c->dup, n) < 0) {
		free(k);
		return cx_fail(c, "%s", strerror(ENOMEM));
	}
	for (i = 0; i < n; i++) {
		const struct gh_jv *e = gh_jv_idx(arr, i);

		k[i].idx = i;
		k[i].type = gh_jv_type(e);
		k[i].off = (size_t)-1;
		if (k[i].type == GH_JV_STRING) {
			k[i].s = gh_jv_str(e, &k[i].len);
			if (memchr(k[i].s, '\0', k[i].len)) {
				const char *p = k[i].s, *end = p + k[i].len;

				k[i].off = norm.len;
				for (; p < end; p++)
					if (*p ? gh_buf_addc(&norm, *p) < 0
					       : gh_buf_add(&norm, "\xef\xbf\xbd", 3) < 0) {
						free(k);
						gh_buf_release(&norm);
						return cx_fail(c, "%s", strerror(ENOMEM));
					}
				k[i].len = norm.len - k[i].off;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (k[i].off != (size_t)-1)
			k[i].s = norm.p + k[i].off;
	qsort(k, n, sizeof(*k), dkey_cmp);
	memset(c->dup.p, 0, n);
	for (i = 1; i < n; i++) {
		struct dkey a = k[i - 1], b = k[i];

		a.idx = b.idx = 0;
		if (a.type == GH_JV_STRING && dkey_cmp(&a, &b) == 0) {
			c->dup.p[k[i].idx] = 1;
			any = 1;
		}
	}
	free(k);
	gh_buf_release(&norm);
	if (any)
		*rep = (const unsigned char *)c->dup.p;
	return 0;
}

static int cmp_pid(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* PostgreSQL: parameter idx of the row of o is the array of its member
 * "pids" (each integer once, ascending; NULL when o has none). Nothing
 * for SQLite, whose rows of the pid tables follow the row (store_pids). */
static int pids_param(struct cx *c, int idx, const struct gh_jv *o,
		      const char *where)
{
	const struct gh_jv *arr;
	int64_t *v;
	size_t i, j, n;
	int rc = 0;

	if (c->s->a->engine != ENGINE_PG)
		return 0;
	if (member(c, o, where, "pids", GH_JV_ARRAY, &arr) < 0)
		return -1;
	if (!arr) {
		set_null(c, idx);
		return 0;
	}
	n = gh_jv_len(arr);
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return cx_fail(c, "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++) {
		const struct gh_jv *e = gh_jv_idx(arr, i);

		if (!gh_jv_is(e, GH_JV_INT)) {
			free(v);
			return cx_fail(c, "%s.pids[%zu]: expected an integer",
				       where, i);
		}
		v[i] = gh_jv_int(e);
	}
	qsort(v, n, sizeof(*v), cmp_pid);
	c->tmp.len = 0;
	rc = gh_buf_addc(&c->tmp, '{');
	for (i = j = 0; i < n && rc >= 0; i++) {
		if (i && v[i] == v[i - 1])
			continue;
		rc = gh_buf_printf(&c->tmp, "%s%lld", j++ ? "," : "",
				   (long long)v[i]);
	}
	free(v);
	if (rc < 0 || gh_buf_addc(&c->tmp, '}') < 0)
		return cx_fail(c, "%s", strerror(ENOMEM));
	return set_copy(c, idx, c->tmp.p, c->tmp.len);
}

/* Insert each integer of member "pids" of o under the row just inserted
 * for it (the highest id of the receipt's rows in that table: ids only
 * grow), so that no statement but the receipt's needs an answer. A pid
 * given twice is one row (the statement's ON CONFLICT DO NOTHING). */
static int store_pids(struct cx *c, int st, const struct gh_jv *o,
		      const char *where)
{
	const struct gh_jv *arr;
	size_t i, n;

	if (c->s->a->engine == ENGINE_PG)
		return 0; /* in the row's array (pids_param) */
	if (member(c, o, where, "pids", GH_JV_ARRAY, &arr) < 0)
		return -1;
	n = arr ? gh_jv_len(arr) : 0;
	for (i = 0; i < n; i++) {
		const struct gh_jv *e = gh_jv_idx(arr, i);

		if (!gh_jv_is(e, GH_JV_INT))
			return cx_fail(c, "%s.pids[%zu]: expected an integer",
				       where, i);
		set_int(c, 1, c->rid);
		set_int(c, 2, gh_jv_int(e));
		if (step(c, st) < 0)
			return -1;
	}
	return 0;
}

/* The row of entry o of statement st, with its member "pids": on
 * PostgreSQL their array is parameter idx, on SQLite rows of pid_st
 * after it. */
static int step_pids(struct cx *c, int st, int idx, int pid_st,
		     const struct gh_jv *o, const char *where)
{
	if (pids_param(c, idx, o, where) < 0 || step(c, st) < 0)
		return -1;
	return store_pids(c, pid_st, o, where);
}

/* The process an exec belongs to: process_tree[i] (p), named w. */
struct exec_of {
	const struct gh_jv *p;
	const char *w;
	size_t i;
};

/* execs[j] (e) of a process (arg: struct exec_of). */
static int store_exec(struct cx *c, const struct gh_jv *e, const char *we,
		      size_t j, void *arg)
{
	const struct exec_of *of = arg;

	set_int(c, 1, c->rid);
	set_int(c, 2, (long long)of->i);
	set_int(c, 3, (long long)j);
	if (bind_m(c, 4, of->p, of->w, "pid", GH_JV_INT) < 0 ||
	    bind_m(c, 5, e, we, "exe", GH_JV_STRING) < 0 ||
	    bind_argv(c, 6, 7, e, we, "argv") < 0 ||
	    bind_m(c, 8, e, we, "argv_truncated", GH_JV_BOOL) < 0 ||
	    bind_m(c, 9, e, we, "cwd", GH_JV_STRING) < 0)
		return -1;
	return step(c, ST_EXEC);
}

/* process_tree[i] (p), or processes[i] when flat (0.3.0 receipts without a
 * tree, or the flat list next to a tree: then only checked). */
static int store_process(struct cx *c, const struct gh_jv *p, size_t i,
			 int flat, int check_only)
{
	int st = ST_PROCESS;
	const struct gh_jv *v;
	char w[64];

	if (flat) {
		snprintf(w, sizeof(w), "processes[%zu]", i);
		if (check_only)
			return member(c, p, w, "pid", GH_JV_INT, &v) < 0 ||
			       member(c, p, w, "ppid", GH_JV_INT, &v) < 0 ||
			       member(c, p, w, "cmd", GH_JV_STRING, &v) < 0
				       ? -1 : 0;
		set_int(c, 1, c->rid);
		set_int(c, 2, (long long)i);
		if (bind_m(c, 3, p, w, "pid", GH_JV_INT) < 0 ||
		    bind_m(c, 4, p, w, "ppid", GH_JV_INT) < 0 ||
		    bind_m(c, 7, p, w, "cmd", GH_JV_STRING) < 0)
			return -1;
		return step(c, st);
	}
	snprintf(w, sizeof(w), "process_tree[%zu]", i);
	set_int(c, 1, c->rid);
	set_int(c, 2, (long long)i);
	if (bind_m(c, 3, p, w, "pid", GH_JV_INT) < 0 ||
	    bind_m(c, 4, p, w, "ppid", GH_JV_INT) < 0 ||
	    bind_m(c, 5, p, w, "exe", GH_JV_STRING) < 0 ||
	    bind_argv(c, 6, 7, p, w, "argv") < 0 ||
	    bind_m(c, 8, p, w, "argv_truncated", GH_JV_BOOL) < 0 ||
	    bind_m(c, 9, p, w, "working_dir", GH_JV_STRING) < 0 ||
	    bind_m(c, 10, p, w, "exit_code", GH_JV_INT) < 0 ||
	    bind_m(c, 11, p, w, "signal", GH_JV_INT) < 0 ||
	    bind_m(c, 12, p, w, "start_ms", GH_JV_INT) < 0 ||
	    bind_m(c, 13, p, w, "end_ms", GH_JV_INT) < 0 ||
	    step(c, st) < 0)
		return -1;
	return each(c, p, w, "execs", store_exec,
		    &(struct exec_of){ .p = p, .w = w, .i = i });
}

static int store_processes(struct cx *c, const struct gh_jv *r)
{
	const struct gh_jv *tree, *list;
	size_t i, n;

	if (objects(c, r, "", "process_tree", &tree) < 0 ||
	    objects(c, r, "", "processes", &list) < 0)
		return -1;
	n = tree ? gh_jv_len(tree) : 0;
	for (i = 0; i < n; i++)
		if (store_process(c, gh_jv_idx(tree, i), i, 0,
				  0) < 0)
			return -1;
	n = list ? gh_jv_len(list) : 0;
	for (i = 0; i < n; i++)
		if (store_process(c, gh_jv_idx(list, i), i, 1,
				  tree != NULL) < 0)
			return -1;
	return 0;
}

/* filesystem.accesses[i] (a). */
static int store_access(struct cx *c, const struct gh_jv *a, const char *w,
			size_t i, void *arg)
{
	const struct gh_jv *path;

	(void)i;
	(void)arg;
	if (member(c, a, w, "path", GH_JV_STRING, &path) < 0)
		return -1;
	if (!path)
		return cx_fail(c, "%s.path: missing", w);
	if (member(c, a, w, "op", GH_JV_STRING, &path) < 0)
		return -1;
	if (!path)
		return cx_fail(c, "%s.op: missing", w);
	set_int(c, 1, c->rid);
	if (bind_m(c, 2, a, w, "path", GH_JV_STRING) < 0 ||
	    bind_m(c, 3, a, w, "path_hex", GH_JV_STRING) < 0 ||
	    bind_m(c, 4, a, w, "op", GH_JV_STRING) < 0 ||
	    bind_m(c, 5, a, w, "target", GH_JV_STRING) < 0 ||
	    bind_m(c, 6, a, w, "mode", GH_JV_INT) < 0 ||
	    bind_m(c, 7, a, w, "result", GH_JV_STRING) < 0 ||
	    bind_m(c, 8, a, w, "count", GH_JV_INT) < 0)
		return -1;
	return step_pids(c, ST_ACCESS, 9, ST_ACCESS_PID, a, w);
}

static int store_files(struct cx *c, const struct gh_jv *r)
{
	static const struct {
		int which;
		const char *kind;
	} lists[] = { { GH_RPATHS_READ, "read" },
		      { GH_RPATHS_WRITE, "write" },
		      { GH_RPATHS_DELETE, "delete" } };
	int st = ST_FILE;
	const struct gh_jv *fs, *arr, *a;
	const unsigned char *rep;
	size_t k, i, n;

	if (member(c, r, "", "filesystem", GH_JV_OBJECT, &fs) < 0)
		return -1;
	if (!fs)
		return 0;
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		/* lib/receipt: v0's read and written lists too */
		if (gh_receipt_paths(c->r, lists[k].which, &arr) < 0)
			return cx_fail(c, "%s", c->r->err);
		if (dups(c, st, arr, &rep) < 0)
			return -1;
		n = arr ? gh_jv_len(arr) : 0;
		for (i = 0; i < n; i++) {
			const struct gh_jv *e = gh_jv_idx(arr, i);

			if (rep && rep[i])
				continue;
			set_int(c, 1, c->rid);
			set_text(c, 2, lists[k].kind,
				 strlen(lists[k].kind));
			set_text(c, 3, gh_jv_str(e, NULL),
				 slen(e));
			if (step(c, st) < 0)
				return -1;
		}
	}
	if (each(c, fs, "filesystem", "accesses", store_access, NULL) < 0)
		return -1;
	if (member(c, fs, "filesystem", "failed", GH_JV_INT, &a) < 0 ||
	    member(c, fs, "filesystem", "policy_violations", GH_JV_ARRAY,
		   &a) < 0)
		return -1;
	return 0;
}

/* A network entry's address member ("dst" or "addr"), required. */
static int net_addr(struct cx *c, const struct gh_jv *e, const char *w,
		    const char *key, const struct gh_jv **out)
{
	if (member(c, e, w, key, GH_JV_STRING, out) < 0)
		return -1;
	if (!*out)
		return cx_fail(c, "%s.%s: missing", w, key);
	return 0;
}

/* Columns 1-5 shared by connections and attempts: receipt, dst, host,
 * port, protocol. */
static int bind_peer(struct cx *c, const struct gh_jv *e,
		     const char *w)
{
	const struct gh_jv *d;

	if (net_addr(c, e, w, "dst", &d) < 0)
		return -1;
	set_int(c, 1, c->rid);
	if (bind_m(c, 2, e, w, "dst", GH_JV_STRING) < 0 ||
	    bind_hostport(c, 3, 4, gh_jv_str(d, NULL),
			  slen(d)) < 0 ||
	    bind_m(c, 5, e, w, "protocol", GH_JV_STRING) < 0)
		return -1;
	return 0;
}

/* A string array member (absent or null: nothing); each element checked. */
static int strings(struct cx *c, const struct gh_jv *o, const char *w,
		   const char *key, const struct gh_jv **out)
{
	size_t i;

	if (member(c, o, w, key, GH_JV_ARRAY, out) < 0)
		return -1;
	for (i = 0; *out && i < gh_jv_len(*out); i++)
		if (!gh_jv_is(gh_jv_idx(*out, i), GH_JV_STRING))
			return cx_fail(c, "%s.%s[%zu]: expected a string", w, key, i);
	return 0;
}

/* network.connections[].names: peer_names rows. */
static int store_peer_names(struct cx *c, const struct gh_jv *e, const char *w)
{
	const struct gh_jv *names, *n;
	size_t i, len;
	const char *t;

	if (strings(c, e, w, "names", &names) < 0)
		return -1;
	for (i = 0; names && i < gh_jv_len(names); i++) {
		n = gh_jv_idx(names, i);
		set_int(c, 1, c->rid);
		if (bind_m(c, 2, e, w, "dst", GH_JV_STRING) < 0 ||
		    bind_m(c, 3, e, w, "protocol", GH_JV_STRING) < 0)
			return -1;
		if (gh_jv_is(gh_jv_get(e, "protocol"), GH_JV_NULL))
			set_text(c, 3, "", 0);
		t = gh_jv_str(n, &len);
		set_text(c, 4, t, len);
		if (step(c, ST_PEER_NAME) < 0)
			return -1;
	}
	return 0;
}

/* network.dns[i] (e): its dns_queries row and dns_answers rows. */
static int store_dns(struct cx *c, const struct gh_jv *e, const char *w,
		     size_t i, void *arg)
{
	const struct gh_jv *addrs, *name, *type;
	const char *ns, *ts, *as;
	size_t k, nl, tl, al;

	(void)i;
	(void)arg;
	if (member(c, e, w, "name", GH_JV_STRING, &name) < 0 ||
	    member(c, e, w, "type", GH_JV_STRING, &type) < 0 ||
	    strings(c, e, w, "addresses", &addrs) < 0)
		return -1;
	if (!name || !type)
		return cx_fail(c, "%s.%s: missing", w, name ? "type" : "name");
	ns = gh_jv_str(name, &nl);
	ts = gh_jv_str(type, &tl);
	set_int(c, 1, c->rid);
	set_text(c, 2, ns, nl);
	set_text(c, 3, ts, tl);
	if (bind_m(c, 4, e, w, "count", GH_JV_INT) < 0 ||
	    step(c, ST_DNS) < 0)
		return -1;
	for (k = 0; addrs && k < gh_jv_len(addrs); k++) {
		as = gh_jv_str(gh_jv_idx(addrs, k), &al);
		set_int(c, 1, c->rid);
		set_text(c, 2, ns, nl);
		set_text(c, 3, ts, tl);
		set_text(c, 4, as, al);
		if (step(c, ST_DNS_ANSWER) < 0)
			return -1;
	}
	return 0;
}

/* network.connections[i] (e), and its peer_names rows. */
static int store_conn(struct cx *c, const struct gh_jv *e, const char *w,
		      size_t i, void *arg)
{
	(void)i;
	(void)arg;
	if (bind_peer(c, e, w) < 0 ||
	    bind_m(c, 6, e, w, "attempted", GH_JV_BOOL) < 0 ||
	    bind_m(c, 7, e, w, "bytes_sent", GH_JV_INT) < 0 ||
	    bind_m(c, 8, e, w, "bytes_received", GH_JV_INT) < 0)
		return -1;
	/* protocol is part of the key: an absent one is "" */
	if (gh_jv_is(gh_jv_get(e, "protocol"), GH_JV_NULL))
		set_text(c, 5, "", 0);
	if (step(c, ST_CONN) < 0)
		return -1;
	return store_peer_names(c, e, w);
}

/* network.attempts[i] (e). */
static int store_attempt(struct cx *c, const struct gh_jv *e, const char *w,
			 size_t i, void *arg)
{
	(void)i;
	(void)arg;
	if (bind_peer(c, e, w) < 0 ||
	    bind_m(c, 6, e, w, "op", GH_JV_STRING) < 0 ||
	    bind_m(c, 7, e, w, "family", GH_JV_STRING) < 0 ||
	    bind_m(c, 8, e, w, "result", GH_JV_STRING) < 0 ||
	    bind_m(c, 9, e, w, "count", GH_JV_INT) < 0)
		return -1;
	return step_pids(c, ST_ATTEMPT, 10, ST_ATTEMPT_PID, e, w);
}

/* network.inbound[i] (e). */
static int store_inbound(struct cx *c, const struct gh_jv *e, const char *w,
			 size_t i, void *arg)
{
	const struct gh_jv *d;

	(void)i;
	(void)arg;
	if (net_addr(c, e, w, "addr", &d) < 0)
		return -1;
	set_int(c, 1, c->rid);
	if (bind_m(c, 2, e, w, "op", GH_JV_STRING) < 0 ||
	    bind_m(c, 3, e, w, "addr", GH_JV_STRING) < 0 ||
	    bind_hostport(c, 4, 5, gh_jv_str(d, NULL), slen(d)) < 0 ||
	    bind_m(c, 6, e, w, "protocol", GH_JV_STRING) < 0 ||
	    bind_m(c, 7, e, w, "result", GH_JV_STRING) < 0 ||
	    bind_m(c, 8, e, w, "count", GH_JV_INT) < 0)
		return -1;
	return step_pids(c, ST_INBOUND, 9, ST_INBOUND_PID, e, w);
}

static int store_network(struct cx *c, const struct gh_jv *r)
{
	const struct gh_jv *net, *e;

	if (member(c, r, "", "network", GH_JV_OBJECT, &net) < 0)
		return -1;
	if (!net)
		return 0;
	if (each(c, net, "network", "connections", store_conn, NULL) < 0 ||
	    each(c, net, "network", "attempts", store_attempt, NULL) < 0 ||
	    each(c, net, "network", "inbound", store_inbound, NULL) < 0)
		return -1;
	if (member(c, net, "network", "bytes_sent", GH_JV_INT, &e) < 0 ||
	    member(c, net, "network", "bytes_received", GH_JV_INT, &e) < 0)
		return -1;
	return each(c, net, "network", "dns", store_dns, NULL);
}

static int syscall_row(struct cx *c, const char *key, int64_t count, int64_t denied)
{
	set_int(c, 1, c->rid);
	set_text(c, 2, key, strlen(key));
	set_int(c, 3, count);
	set_int(c, 4, denied);
	return step(c, ST_SYSCALL);
}

/* syscalls.counts and syscalls.denied: {"<record type>": N}, one row per
 * type: a type only in denied gets count 0, one only in counts denied 0. */
static int store_syscalls(struct cx *c, const struct gh_jv *r)
{
	const struct gh_jv *sc, *counts, *denied, *d;

	if (member(c, r, "", "syscalls", GH_JV_OBJECT, &sc) < 0)
		return -1;
	if (!sc)
		return 0;
	if (member(c, sc, "syscalls", "counts", GH_JV_OBJECT, &counts) < 0 ||
	    member(c, sc, "syscalls", "denied", GH_JV_OBJECT, &denied) < 0)
		return -1;
	/* every value an integer: gh_receipt_init checked them */
	for (size_t i = 0; i < gh_jv_len(counts); i++) {
		const char *key = gh_jv_str(gh_jv_name(counts, i), NULL);

		d = gh_jv_get(denied, key);
		if (syscall_row(c, key, gh_jv_int(gh_jv_val(counts, i)), gh_jv_int(d)) < 0)
			return -1;
	}
	for (size_t i = 0; i < gh_jv_len(denied); i++) {
		const char *key = gh_jv_str(gh_jv_name(denied, i), NULL);
		const struct gh_jv *val = gh_jv_val(denied, i);

		if (!gh_jv_get(counts, key) && syscall_row(c, key, 0, gh_jv_int(val)) < 0)
			return -1;
	}
	return 0;
}

/* redactions[i] (e): {"rule": "...", "count": N, ...}, kept whole in
 * detail, since gh-redact may say more than rule and count. */
static int store_redaction(struct cx *c, const struct gh_jv *e, const char *w,
			   size_t i, void *arg)
{
	(void)arg;
	set_int(c, 1, c->rid);
	set_int(c, 2, (long long)i);
	if (bind_m(c, 3, e, w, "rule", GH_JV_STRING) < 0 ||
	    bind_m(c, 4, e, w, "count", GH_JV_INT) < 0 || json_text(c, e) < 0)
		return -1;
	if (set_copy(c, 5, c->tmp.p, c->tmp.len) < 0)
		return -1;
	return step(c, ST_REDACTION);
}

/* policy: null, or the verdict gh-policy --annotate writes (lib/receipt
 * reads the 0.3.0 boolean pass as a verdict). */
static int store_policy(struct cx *c)
{
	int st = ST_VERDICT, vs = ST_VIOLATION;
	struct gh_rpolicy pol;
	const struct gh_jv *e;
	char w[64];
	size_t i, n;
	int rc;

	if ((rc = gh_receipt_policy(c->r, &pol)) < 0)
		return cx_fail(c, "%s", c->r->err);
	if (!rc)
		return 0;
	n = gh_receipt_len(pol.violations);
	for (i = 0; i < n; i++)
		if (gh_receipt_eobj(c->r, pol.violations, "policy.violations", i, &e) < 0)
			return cx_fail(c, "%s", c->r->err);
	set_int(c, 1, c->rid);
	if (pol.verdict)
		set_text(c, 2, pol.verdict, strlen(pol.verdict));
	else
		set_null(c, 2);
	if (pol.violations)
		set_int(c, 3, (long long)n);
	else
		set_null(c, 3);
	if (pol.rules_sha256)
		set_text(c, 4, pol.rules_sha256, strlen(pol.rules_sha256));
	else
		set_null(c, 4);
	if (json_text(c, pol.obj) < 0)
		return -1;
	if (set_copy(c, 5, c->tmp.p, c->tmp.len) < 0 || step(c, st) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = gh_jv_idx(pol.violations, i);
		snprintf(w, sizeof(w), "policy.violations[%zu]", i);
		set_int(c, 1, c->rid);
		set_int(c, 2, (long long)i);
		if (bind_m(c, 3, e, w, "rule", GH_JV_STRING) < 0 ||
		    bind_m(c, 4, e, w, "item", GH_JV_STRING) < 0 ||
		    bind_m(c, 5, e, w, "pid", GH_JV_INT) < 0)
			return -1;
		if (json_text(c, e) < 0)
			return -1;
		if (set_copy(c, 6, c->tmp.p, c->tmp.len) < 0 ||
		    step(c, vs) < 0)
			return -1;
	}
	return 0;
}

/* The command of the run (lib/receipt's gh_rrun: provenance.command, else
 * the first process's argv; else a command line already joined, v0's or
 * the flat process list's), the program (argv[0]'s last component) and
 * the argv as JSON text. */
static int bind_command(struct cx *c, const struct gh_rrun *run)
{
	struct gh_buf cmd = GH_BUF_INIT;
	const char *a0, *slash;
	size_t len;
	int rc;

	if (!run->command) {
		if (run->command_str)
			set_text(c, 6, run->command_str, strlen(run->command_str));
		return 0;
	}
	if (gh_receipt_join(&cmd, run->command) < 0) {
		gh_buf_release(&cmd);
		return cx_fail(c, "%s", strerror(ENOMEM));
	}
	rc = set_copy(c, 6, cmd.p ? cmd.p : "", cmd.len);
	gh_buf_release(&cmd);
	if (rc < 0)
		return -1;
	if (gh_receipt_len(run->command) > 0) {
		a0 = gh_receipt_strv_get(run->command, 0, &len);
		slash = memrchr(a0, '/', len);
		if (slash) {
			len -= slash + 1 - a0;
			a0 = slash + 1;
		}
		set_text(c, 7, a0, len);
	}
	if (json_text(c, run->command) < 0)
		return -1;
	return set_copy(c, 8, c->tmp.p, c->tmp.len);
}

/* An integer gh_rrun has (has) or NULL. */
static void bind_has(struct cx *c, int idx, int has, int64_t v)
{
	if (has)
		set_int(c, idx, v);
	else
		set_null(c, idx);
}

/* Parameter 34 for PostgreSQL: the canonical text with every \u0000
 * escape (not an escaped backslash followed by "u0000") made \ufffd. */
static int doc_text(struct cx *c, const struct gh_buf *canon)
{
	size_t i, start;

	start = c->arena.len;
	for (i = 0; i < canon->len; i++) {
		if (canon->p[i] == '\\' && i + 1 < canon->len) {
			if (i + 6 <= canon->len &&
			    memcmp(canon->p + i, "\\u0000", 6) == 0) {
				if (gh_buf_add(&c->arena, "\\ufffd", 6) < 0)
					return cx_fail(c, "%s", strerror(ENOMEM));
				i += 5;
				continue;
			}
			if (gh_buf_add(&c->arena, canon->p + i, 2) < 0)
				return cx_fail(c, "%s", strerror(ENOMEM));
			i++;
			continue;
		}
		if (gh_buf_addc(&c->arena, canon->p[i]) < 0)
			return cx_fail(c, "%s", strerror(ENOMEM));
	}
	c->v[34] = (struct av){ .type = AV_TEXT, .len = c->arena.len - start };
	c->off[34] = start;
	c->copied[34] = 1;
	return 0;
}

static int store_row(struct cx *c, const struct gh_jv *r, const char *sha, const struct gh_buf *canon,
		     const struct store_envelope *env)
{
	int st = ST_RECEIPT;
	const struct gh_jv *prov, *out, *tim, *res, *loss, *fs, *net, *art,
		*sig, *v;
	struct gh_rrun run;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (member(c, r, "", "provenance", GH_JV_OBJECT, &prov) < 0 ||
	    member(c, r, "", "outcome", GH_JV_OBJECT, &out) < 0 ||
	    member(c, r, "", "timing", GH_JV_OBJECT, &tim) < 0 ||
	    member(c, r, "", "resources", GH_JV_OBJECT, &res) < 0 ||
	    member(c, r, "", "loss", GH_JV_OBJECT, &loss) < 0 ||
	    member(c, r, "", "filesystem", GH_JV_OBJECT, &fs) < 0 ||
	    member(c, r, "", "network", GH_JV_OBJECT, &net) < 0 ||
	    member(c, r, "", "artifacts", GH_JV_OBJECT, &art) < 0 ||
	    member(c, r, "", "signature", GH_JV_OBJECT, &sig) < 0 ||
	    member(c, r, "", "timestamp", GH_JV_STRING, &v) < 0 ||
	    member(c, r, "", "environment", GH_JV_OBJECT, &v) < 0 ||
	    member(c, r, "", "execution", GH_JV_OBJECT, &v) < 0)
		return -1;
	if (gh_receipt_run(c->r, &run) < 0)
		return cx_fail(c, "%s", c->r->err);

	if (bind_m(c, 1, r, "", "execution_id", GH_JV_STRING) < 0 ||
	    bind_m(c, 2, r, "", "version", GH_JV_STRING) < 0 ||
	    bind_m(c, 3, r, "", "start_time", GH_JV_STRING) < 0 ||
	    bind_m(c, 4, r, "", "end_time", GH_JV_STRING) < 0 ||
	    bind_m(c, 5, prov, "provenance", "host", GH_JV_STRING) < 0 ||
	    bind_command(c, &run) < 0 ||
	    bind_m(c, 9, prov, "provenance", "cwd", GH_JV_STRING) < 0 ||
	    bind_m(c, 10, prov, "provenance", "uid", GH_JV_INT) < 0 ||
	    bind_m(c, 11, prov, "provenance", "run_uid", GH_JV_INT) < 0 ||
	    bind_m(c, 12, r, "", "observation_mode", GH_JV_STRING) < 0 ||
	    bind_m(c, 13, r, "", "completeness", GH_JV_STRING) < 0 ||
	    bind_m(c, 14, r, "", "completeness_reasons",
		   GH_JV_ARRAY) < 0 ||
	    bind_m(c, 16, out, "outcome", "signal", GH_JV_INT) < 0 ||
	    bind_m(c, 17, out, "outcome", "error", GH_JV_STRING) < 0 ||
	    bind_m(c, 20, res, "resources", "max_rss_kb", GH_JV_INT) < 0 ||
	    bind_m(c, 21, loss, "loss", "ringbuf", GH_JV_INT) < 0 ||
	    bind_m(c, 22, loss, "loss", "fault", GH_JV_INT) < 0 ||
	    bind_m(c, 23, loss, "loss", "truncated", GH_JV_INT) < 0 ||
	    bind_m(c, 24, fs, "filesystem", "failed", GH_JV_INT) < 0 ||
	    bind_m(c, 25, net, "network", "bytes_sent", GH_JV_INT) < 0 ||
	    bind_m(c, 34, net, "network", "bytes_received", GH_JV_INT) < 0 ||
	    bind_m(c, 26, art, "artifacts", "stdout_hash",
		   GH_JV_STRING) < 0 ||
	    bind_m(c, 27, art, "artifacts", "stderr_hash",
		   GH_JV_STRING) < 0 ||
	    bind_m(c, 29, sig, "signature", "key", GH_JV_STRING) < 0)
		return -1;
	bind_has(c, 15, run.has_status, run.status);
	bind_has(c, 18, run.has_duration, run.duration_ms);
	bind_has(c, 19, run.has_cpu, run.cpu_time_ms);
	set_int(c, 28, env ? 2 : sig != NULL);
	if (env)
		set_text(c, 29, env->keyid, strlen(env->keyid));
	set_text(c, 30, sha, strlen(sha));
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	set_text(c, 31, now, strlen(now));
	set_text(c, 32, canon->p, canon->len);
	if (c->s->machine)
		set_text(c, 33, c->s->machine, strlen(c->s->machine));
	else if (bind_m(c, 33, prov, "provenance", "host",
			GH_JV_STRING) < 0)
		return -1;
	if (c->s->a->engine == ENGINE_PG && env) {
		/* doc is the receipt the envelope carries, for queries */
		struct gh_buf rc = GH_BUF_INIT;
		int bad;

		if (archive_canonical(r, &rc, c->tmp_err,
				      sizeof(c->tmp_err)) < 0) {
			gh_buf_release(&rc);
			return cx_fail(c, "canonical form: %s", c->tmp_err);
		}
		bad = doc_text(c, &rc);
		gh_buf_release(&rc);
		if (bad < 0)
			return -1;
	} else if (c->s->a->engine == ENGINE_PG &&
		   memmem(canon->p, canon->len, "\\u0000", 6) &&
		   doc_text(c, canon) < 0) {
		return -1;
	}
	if (step(c, st) < 0)
		return -1;
	if (!c->got_id)
		return 1;
	c->rid = c->last_id;
	return 0;
}

struct found {
	const struct gh_buf *canon;
	long long id;
	int same, any;
};

static int find_row(void *ctx, int ncol, const struct av *cols)
{
	struct found *f = ctx;

	if (ncol < 2 || cols[0].type != AV_TEXT || cols[1].type != AV_TEXT)
		return 0;
	f->any = 1;
	f->id = strtoll(cols[0].s, NULL, 10);
	f->same = cols[1].len == f->canon->len &&
		  (cols[1].len == 0 ||
		   memcmp(cols[1].s, f->canon->p, cols[1].len) == 0);
	return 1;
}

/* Look the execution_id up: 0 not stored, 1 stored with the same bytes,
 * 2 stored with other bytes (*old gets its row id), -1 error. */
static int find(struct cx *c, const char *id, size_t idlen,
		const struct gh_buf *canon, long long *old)
{
	struct found f = { .canon = canon };
	struct store *s = c->s;
	int rc;

	set_text(c, 1, id, idlen);
	rc = s->a->ops->run(s->a, ST_FIND, c->v, 1, find_row, &f, c->dberr,
			    sizeof(c->dberr));
	set_null(c, 1);
	if (rc < 0)
		return db_fail(c);
	if (!f.any)
		return 0;
	*old = f.id;
	return f.same ? 1 : 2;
}

/* execution_id id is stored (row old) with other content: an error, or
 * with --replace the old receipt and its rows are deleted. */
static int conflict(struct cx *c, const char *id, size_t idlen, long long old)
{
	struct gh_buf q = GH_BUF_INIT;

	if (c->s->replace) {
		set_int(c, 1, old);
		return step(c, ST_DELETE);
	}
	gh_buf_json_str(&q, id, idlen);
	cx_fail(c,
		"execution_id %s: already archived with other content (use --replace)",
		q.p ? q.p : "");
	gh_buf_release(&q);
	return -1;
}

int store_receipt(struct store *s, struct gh_receipt *r,
		  const struct store_envelope *env, const char **id,
		  char sha_hex[65], char *err, size_t errlen)
{
	struct cx c = { .s = s, .r = r, .err = err, .errlen = errlen };
	const struct gh_jv *o = r->root;
	struct gh_buf canon = GH_BUF_INIT;
	unsigned char md[GH_SHA256_LEN];
	const struct gh_jv *idv;
	long long old = 0;
	int found, ret = -1, rc, tries, pg_first;

	*id = NULL;
	sha_hex[0] = '\0';
	if (member(&c, o, "", "execution_id", GH_JV_STRING, &idv) < 0)
		return -1;
	if (!idv || slen(idv) == 0)
		return cx_fail(&c, "not a receipt: no execution_id");
	*id = gh_jv_str(idv, NULL);

	if (env) {
		if (gh_buf_add(&canon, env->bytes, env->len) < 0) {
			cx_fail(&c, "%s", strerror(ENOMEM));
			goto out;
		}
	} else if (archive_canonical(o, &canon, c.tmp_err, sizeof(c.tmp_err)) < 0) {
		cx_fail(&c, "canonical form: %s", c.tmp_err);
		goto out;
	}
	if (gh_sha256(canon.p, canon.len, md) < 0) {
		cx_fail(&c, "sha-256 failed");
		goto out;
	}
	gh_hex(md, sizeof(md), sha_hex);

	/* A writer on another connection may store the same execution_id
	 * between find and insert; the insert then stores nothing (ON
	 * CONFLICT DO NOTHING, after waiting for that writer's commit) and
	 * the lookup is made again. On PostgreSQL the insert comes first
	 * (one round trip to the server for a new receipt instead of two):
	 * only when it stores nothing is the stored receipt looked up. */
	pg_first = s->a->engine == ENGINE_PG;
	for (tries = 0;; tries++) {
		found = 0;
		if (!pg_first || tries > 0) {
			found = find(&c, *id, slen(idv), &canon, &old);
			if (found < 0)
				goto out;
			if (found == 1) {
				ret = STORE_UNCHANGED;
				goto out;
			}
			if (found == 2 && conflict(&c, *id, slen(idv), old) < 0)
				goto out;
		}
		rc = store_row(&c, o, sha_hex, &canon, env);
		if (rc < 0)
			goto out;
		if (rc == 0)
			break;
		if (tries > pg_first) {
			cx_fail(&c, "database: the receipt row was not stored");
			goto out;
		}
	}
	if (store_processes(&c, o) < 0 || store_files(&c, o) < 0 ||
	    store_network(&c, o) < 0 || store_syscalls(&c, o) < 0 ||
	    each(&c, o, "", "redactions", store_redaction, NULL) < 0 ||
	    store_policy(&c) < 0)
		goto out;
	if (s->a->ops->flush &&
	    s->a->ops->flush(s->a, c.dberr, sizeof(c.dberr)) < 0) {
		db_fail(&c);
		goto out;
	}
	ret = found == 2 ? STORE_REPLACED : STORE_STORED;
out:
	gh_buf_release(&canon);
	gh_buf_release(&c.tmp);
	gh_buf_release(&c.arena);
	gh_buf_release(&c.keys);
	gh_buf_release(&c.dup);
	return ret;
}
