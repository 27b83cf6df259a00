/* What the filters accept: format detection, the receipt's member types,
 * bounded reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gh.h"
#include "json.h"
#include "jv.h"
#include "events.h"
#include "input.h"

/* ---- format ---- */

/* ---- member types ----
 * One line per member of gh-receipt(5) (0.4.0, the 0.3.0 shape and v0):
 * its path ("[]" for any element, "*" for any name) and the types it may
 * have. Members not listed are not checked, nor is anything below them. */

enum {
	T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32,
	T_OBJ = 64,
	T_PID = 128,	/* an integer 0 to INT32_MAX (pid_t) */
};

struct shape {
	const char *path;
	unsigned types;
};

#define S T_STR
#define SN (T_STR | T_NULL)
#define I T_INT
#define IN (T_INT | T_NULL)
#define A T_ARR
#define O T_OBJ
#define P T_PID

/* Sorted by path (byte order) on first use, for bsearch. */
static struct shape shapes[] = {
	{ "artifacts", O },
	{ "artifacts.stderr", O | T_NULL },
	{ "artifacts.stderr.bytes", I },
	{ "artifacts.stderr.path", S },
	{ "artifacts.stderr.path_hex", S },
	{ "artifacts.stderr_hash", SN },
	{ "artifacts.stdout", O | T_NULL },
	{ "artifacts.stdout.bytes", I },
	{ "artifacts.stdout.path", S },
	{ "artifacts.stdout.path_hex", S },
	{ "artifacts.stdout_hash", SN },
	{ "command", S },
	{ "completeness", S },
	{ "completeness_reasons", A },
	{ "completeness_reasons[]", S },
	{ "duration_ms", IN },
	{ "end_time", SN },
	{ "environment", O },
	{ "environment.arch", S },
	{ "environment.os", S },
	{ "environment.runtime", S },
	{ "environment.sandbox", S | O },
	{ "environment.sandbox.network", S },
	{ "execution", O },
	{ "execution.backend", S },
	{ "execution.isolation", S },
	{ "execution_id", S },
	{ "exit_code", IN },
	{ "filesystem", O },
	{ "filesystem.accesses", A },
	{ "filesystem.accesses[]", O },
	{ "filesystem.accesses[].count", I },
	{ "filesystem.accesses[].mode", I },
	{ "filesystem.accesses[].op", S },
	{ "filesystem.accesses[].path", S },
	{ "filesystem.accesses[].path_hex", S },
	{ "filesystem.accesses[].pids", A },
	{ "filesystem.accesses[].pids[]", P },
	{ "filesystem.accesses[].result", SN },
	{ "filesystem.accesses[].target", S },
	{ "filesystem.accesses[].target_hex", S },
	{ "filesystem.deletes", A },
	{ "filesystem.deletes[]", S },
	{ "filesystem.failed", I },
	{ "filesystem.policy_violations", A },
	{ "filesystem.policy_violations[]", S },
	{ "filesystem.read", A },
	{ "filesystem.read[]", S },
	{ "filesystem.reads", A },
	{ "filesystem.reads[]", S },
	{ "filesystem.unresolved", I },
	{ "filesystem.writes", A },
	{ "filesystem.writes[]", S },
	{ "filesystem.written", A },
	{ "filesystem.written[]", S },
	{ "loss", O },
	{ "loss.fault", IN },
	{ "loss.ringbuf", IN },
	{ "loss.truncated", IN },
	{ "network", O },
	{ "network.attempts", A },
	{ "network.attempts[]", O },
	{ "network.attempts[].count", I },
	{ "network.attempts[].dst", S },
	{ "network.attempts[].dst_hex", S },
	{ "network.attempts[].family", S },
	{ "network.attempts[].op", S },
	{ "network.attempts[].pids", A },
	{ "network.attempts[].pids[]", P },
	{ "network.attempts[].protocol", S },
	{ "network.attempts[].result", SN },
	{ "network.bytes_received", IN },
	{ "network.bytes_sent", IN },
	{ "network.connections", A },
	{ "network.connections[]", O },
	{ "network.connections[].attempted", T_BOOL },
	{ "network.connections[].dst", S },
	{ "network.connections[].dst_hex", S },
	{ "network.connections[].protocol", S },
	{ "network.inbound", A },
	{ "network.inbound[]", O },
	{ "network.inbound[].addr", S },
	{ "network.inbound[].addr_hex", S },
	{ "network.inbound[].count", I },
	{ "network.inbound[].op", S },
	{ "network.inbound[].pids", A },
	{ "network.inbound[].pids[]", P },
	{ "network.inbound[].protocol", S },
	{ "network.inbound[].result", SN },
	{ "observation_mode", S },
	{ "outcome", O },
	{ "outcome.error", SN },
	{ "outcome.exit_code", IN },
	{ "outcome.signal", IN },
	{ "policy", O | T_NULL },
	{ "process_tree", A },
	{ "process_tree[]", O },
	{ "process_tree[].argv", A },
	{ "process_tree[].argv[]", S },
	{ "process_tree[].argv_hex", A },
	{ "process_tree[].argv_hex[]", SN },
	{ "process_tree[].argv_truncated", T_BOOL },
	{ "process_tree[].end_ms", IN },
	{ "process_tree[].execs", A },
	{ "process_tree[].execs[]", O },
	{ "process_tree[].execs[].argv", A },
	{ "process_tree[].execs[].argv[]", S },
	{ "process_tree[].execs[].argv_hex", A },
	{ "process_tree[].execs[].argv_hex[]", SN },
	{ "process_tree[].execs[].argv_truncated", T_BOOL },
	{ "process_tree[].execs[].cwd", SN },
	{ "process_tree[].execs[].cwd_hex", S },
	{ "process_tree[].execs[].exe", SN },
	{ "process_tree[].execs[].exe_hex", S },
	{ "process_tree[].exe", SN },
	{ "process_tree[].exe_hex", S },
	{ "process_tree[].exit_code", IN },
	{ "process_tree[].pid", P },
	{ "process_tree[].ppid", P },
	{ "process_tree[].signal", IN },
	{ "process_tree[].start_ms", I },
	{ "process_tree[].working_dir", SN },
	{ "process_tree[].working_dir_hex", S },
	{ "processes", A },
	{ "processes[]", O },
	{ "processes[].cmd", S },
	{ "processes[].cmd_hex", S },
	{ "processes[].pid", P },
	{ "processes[].ppid", P },
	{ "provenance", O | S },	/* 0.3.0: a string */
	{ "provenance.command", A },
	{ "provenance.command[]", S },
	{ "provenance.command_hex", A },
	{ "provenance.command_hex[]", SN },
	{ "provenance.cwd", SN },
	{ "provenance.cwd_hex", S },
	{ "provenance.events_schema", I },
	{ "provenance.gid", I },
	{ "provenance.host", S },
	{ "provenance.kernel", S },
	{ "provenance.run_gid", I },
	{ "provenance.run_uid", I },
	{ "provenance.tool", S },
	{ "provenance.tool_version", S },
	{ "provenance.uid", I },
	{ "redactions", A },
	{ "redactions[]", O | S },
	{ "redactions[].count", I },
	{ "redactions[].rule", S },
	{ "resources", O },
	{ "resources.cpu_time_ms", IN },
	{ "resources.max_rss_kb", IN },
	{ "start_time", SN },
	{ "syscalls", O },
	{ "syscalls.counts", O },
	{ "syscalls.counts.*", I },
	{ "syscalls.denied", O | A },	/* 0.3.0: an array */
	{ "syscalls.denied.*", I },
	{ "timestamp", SN },
	{ "timing", O },
	{ "timing.cpu_time_ms", IN },
	{ "timing.duration_ms", IN },
	{ "version", S },
};

#undef S
#undef SN
#undef I
#undef IN
#undef A
#undef O
#undef P

static int shape_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct shape *)elem)->path);
}

static int shape_sort_cmp(const void *a, const void *b)
{
	return strcmp(((const struct shape *)a)->path, ((const struct shape *)b)->path);
}

static const struct shape *shape_find(const char *path)
{
	static int sorted;

	if (!sorted) {
		qsort(shapes, sizeof(shapes) / sizeof(shapes[0]), sizeof(shapes[0]),
		      shape_sort_cmp);
		sorted = 1;
	}
	return bsearch(path, shapes, sizeof(shapes) / sizeof(shapes[0]),
		       sizeof(shapes[0]), shape_cmp);
}

/* The check reads either tree through these: lib/jv's (what lib/receipt
 * reads) or json-c's (what the filters that edit a receipt hold), so that
 * neither is copied into the other. A value is a const void *. */
struct check;
struct tree {
	unsigned (*type)(const void *v); /* T_* */
	int64_t (*int64)(const void *v);
	size_t (*len)(const void *v); /* array elements */
	const void *(*idx)(const void *v, size_t i);
	int (*has)(const void *o, const char *key);		 /* null counts */
	const char *(*str)(const void *o, const char *key);	 /* or NULL */
	int (*members)(struct check *c, const void *o);		 /* check_member each */
};

struct check {
	struct gh_buf where;	/* "process_tree[3].argv" */
	struct gh_buf pat;	/* "process_tree[].argv" */
	char *err;
	size_t errlen;
	int oom;
	const struct tree *t;
};

static int check_member(struct check *c, const char *name, size_t len, const void *v);

/* lib/jv */
static unsigned jv_type(const void *v)
{
	static const unsigned t[] = {
		[GH_JV_NULL] = T_NULL,	 [GH_JV_BOOL] = T_BOOL,	  [GH_JV_INT] = T_INT,
		[GH_JV_DOUBLE] = T_NUM,	 [GH_JV_STRING] = T_STR,  [GH_JV_ARRAY] = T_ARR,
		[GH_JV_OBJECT] = T_OBJ,
	};

	return t[gh_jv_type(v)];
}
static int64_t jv_int64(const void *v) { return gh_jv_int(v); }
static size_t jv_len(const void *v) { return gh_jv_len(v); }
static const void *jv_idx(const void *v, size_t i) { return gh_jv_idx(v, i); }
static int jv_has(const void *o, const char *key) { return gh_jv_get(o, key) != NULL; }
static const char *jv_str(const void *o, const char *key)
{
	return gh_jv_str(gh_jv_get(o, key), NULL);
}
static int jv_members(struct check *c, const void *o)
{
	const char *name;
	size_t i, len;
	int rc;

	for (i = 0; i < gh_jv_len(o); i++) {
		name = gh_jv_str(gh_jv_name(o, i), &len);
		if ((rc = check_member(c, name, len, gh_jv_val(o, i))) < 0)
			return rc;
	}
	return 0;
}
static const struct tree jv_tree = { jv_type, jv_int64, jv_len, jv_idx, jv_has, jv_str,
				     jv_members };

/* json-c (NULL is null) */
static unsigned jc_type(const void *v)
{
	switch (json_object_get_type((struct json_object *)v)) {
	case json_type_null: return T_NULL;
	case json_type_boolean: return T_BOOL;
	case json_type_int: return T_INT;
	case json_type_double: return T_NUM;
	case json_type_string: return T_STR;
	case json_type_array: return T_ARR;
	case json_type_object: return T_OBJ;
	}
	return 0;
}
static int64_t jc_int64(const void *v) { return json_object_get_int64((struct json_object *)v); }
static size_t jc_len(const void *v) { return json_object_array_length((struct json_object *)v); }
static const void *jc_idx(const void *v, size_t i)
{
	return json_object_array_get_idx((struct json_object *)v, i);
}
static int jc_has(const void *o, const char *key)
{
	return json_object_object_get_ex((struct json_object *)o, key, NULL);
}
static const char *jc_str(const void *o, const char *key)
{
	struct json_object *m;

	if (!json_object_object_get_ex((struct json_object *)o, key, &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}
static int jc_members(struct check *c, const void *o)
{
	int rc;

	json_object_object_foreach((struct json_object *)o, k, m) {
		if ((rc = check_member(c, k, strlen(k), m)) < 0)
			return rc;
	}
	return 0;
}
static const struct tree jc_tree = { jc_type, jc_int64, jc_len, jc_idx, jc_has, jc_str,
				     jc_members };

enum { GH_FMT_OTHER, GH_FMT_RECEIPT, GH_FMT_EVENTS };

/* GH_FMT_EVENTS for an object whose "type" names a gh-events(5) record,
 * GH_FMT_RECEIPT for an object with a "version" or an "execution_id"
 * member (the older v0 shape has no version), else GH_FMT_OTHER. */
static int format_of(const struct tree *t, const void *o)
{
	const char *s;
	int i;

	if (t->type(o) != T_OBJ)
		return GH_FMT_OTHER;
	if ((s = t->str(o, "type")))
		for (i = 0; i < GH_ET_COUNT; i++)
			if (!strcmp(s, gh_ev_type_name(i)))
				return GH_FMT_EVENTS;
	if (t->has(o, "version") || t->has(o, "execution_id"))
		return GH_FMT_RECEIPT;
	return GH_FMT_OTHER;
}

/* "an array of strings", "a string", "an integer", ... */
static void describe(struct gh_buf *b, unsigned types, const char *pat)
{
	static const struct {
		unsigned t;
		const char *name;
	} names[] = {
		{ T_BOOL, "a boolean" }, { T_INT, "an integer" },
		{ T_NUM, "a number" }, { T_STR, "a string" },
		{ T_ARR, "an array" }, { T_OBJ, "an object" },
		{ T_PID, "a process id (0 to 2147483647)" },
	};
	int first = 1;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(types & names[i].t))
			continue;
		gh_buf_adds(b, first ? "" : " or ");
		gh_buf_adds(b, names[i].name);
		first = 0;
		if (names[i].t == T_ARR) {
			/* name what it holds */
			struct gh_buf el = GH_BUF_INIT;
			const struct shape *sh;

			gh_buf_printf(&el, "%s[]", pat);
			sh = el.p ? shape_find(el.p) : NULL;
			if (sh && sh->types == T_STR)
				gh_buf_adds(b, " of strings");
			else if (sh && sh->types == T_OBJ)
				gh_buf_adds(b, " of objects");
			else if (sh && sh->types == T_PID)
				gh_buf_adds(b, " of process ids");
			gh_buf_release(&el);
		}
	}
}

static int type_fail(struct check *c, unsigned types)
{
	struct gh_buf what = GH_BUF_INIT;

	describe(&what, types, c->pat.p);
	snprintf(c->err, c->errlen, "%s: expected %s", c->where.p,
		 what.p ? what.p : "another type");
	gh_buf_release(&what);
	return -EINVAL;
}

static int check_value(struct check *c, const struct shape *sh, const void *v);

/* "[N]" onto b, without printf (arrays of a large receipt are long). */
static int add_index(struct gh_buf *b, size_t i)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + i % 10);
	while ((i /= 10));
	if (gh_buf_grow(b, (size_t)n + 2) < 0)
		return -ENOMEM;
	b->p[b->len++] = '[';
	while (n)
		b->p[b->len++] = d[--n];
	b->p[b->len++] = ']';
	b->p[b->len] = '\0';
	return 0;
}

/* Check member name of an object at the current path. */
static int check_member(struct check *c, const char *name, size_t len, const void *v)
{
	size_t wlen = c->where.len, plen = c->pat.len;
	const struct shape *sh;
	int rc = 0;

	if (gh_json_path_add(&c->where, name, len) < 0 ||
	    (c->pat.len && gh_buf_addc(&c->pat, '.') < 0) ||
	    gh_buf_add(&c->pat, name, len) < 0)
		return -ENOMEM;
	sh = shape_find(c->pat.p);
	if (!sh) {
		/* any name: "syscalls.counts.*" */
		c->pat.len = plen;
		if ((plen && gh_buf_addc(&c->pat, '.') < 0) || gh_buf_addc(&c->pat, '*') < 0)
			return -ENOMEM;
		sh = shape_find(c->pat.p);
	}
	if (sh)
		rc = check_value(c, sh, v);
	c->where.len = wlen;
	c->where.p[wlen] = '\0';
	c->pat.len = plen;
	c->pat.p[plen] = '\0';
	return rc;
}

/* v stands at c->pat, whose shape is sh. */
static int check_value(struct check *c, const struct shape *sh, const void *v)
{
	const struct shape *el;
	unsigned t = c->t->type(v), types = sh->types;
	size_t i, n, wlen, plen;
	int rc;

	if (types & T_PID) {
		if (t == T_INT && c->t->int64(v) >= 0 && c->t->int64(v) <= INT32_MAX)
			return 0;
		return type_fail(c, types);
	}
	if (!(t & types))
		return type_fail(c, types);
	if (t == T_OBJ) {
		if ((rc = c->t->members(c, v)) < 0)
			return rc;
	} else if (t == T_ARR) {
		wlen = c->where.len;
		plen = c->pat.len;
		if (gh_buf_adds(&c->pat, "[]") < 0)
			return -ENOMEM;
		el = shape_find(c->pat.p);
		if (!el) {
			c->pat.len = plen;
			c->pat.p[plen] = '\0';
			return 0;
		}
		n = c->t->len(v);
		for (i = 0; i < n; i++) {
			if (add_index(&c->where, i) < 0)
				return -ENOMEM;
			rc = check_value(c, el, c->t->idx(v, i));
			if (rc < 0)
				return rc;
			c->where.len = wlen;
			c->where.p[wlen] = '\0';
		}
		c->pat.len = plen;
		c->pat.p[plen] = '\0';
	}
	return 0;
}

static const char *type_name(unsigned t)
{
	switch (t) {
	case T_NULL: return "null";
	case T_BOOL: return "a boolean";
	case T_INT:
	case T_NUM: return "a number";
	case T_STR: return "a string";
	case T_ARR: return "an array";
	default: return "an object";
	}
}

static int check_tree(const struct tree *t, const void *o, char *err, size_t errlen)
{
	struct check c = { GH_BUF_INIT, GH_BUF_INIT, err, errlen, 0, t };
	int rc = 0;

	switch (format_of(t, o)) {
	case GH_FMT_EVENTS:
		snprintf(err, errlen, "this is a gh-events stream; run gh-aggregate first");
		return -EINVAL;
	case GH_FMT_OTHER:
		if (t->type(o) == T_OBJ)
			snprintf(err, errlen,
				 "not a receipt: no \"version\" or \"execution_id\" member");
		else
			snprintf(err, errlen, "not a receipt: expected a JSON object, not %s",
				 type_name(t->type(o)));
		return -EINVAL;
	}
	if (gh_buf_grow(&c.where, 64) < 0 || gh_buf_grow(&c.pat, 64) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	c.where.p[0] = c.pat.p[0] = '\0';
	rc = t->members(&c, o);
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	gh_buf_release(&c.where);
	gh_buf_release(&c.pat);
	return rc;
}

int gh_receipt_check_jv(const struct gh_jv *o, char *err, size_t errlen)
{
	return check_tree(&jv_tree, o, err, errlen);
}

int gh_receipt_check(struct json_object *o, char *err, size_t errlen)
{
	return check_tree(&jc_tree, o, err, errlen);
}

/* ---- bounded reading ---- */

const char *gh_size_str(size_t n)
{
	static char buf[32];

	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, sizeof(buf), "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, sizeof(buf), "%zu KiB", n >> 10);
	else
		snprintf(buf, sizeof(buf), "%zu bytes", n);
	return buf;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int gh_read_input(FILE *f, const char *name, size_t max, int json, char **out,
		  size_t *len, char *err, size_t errlen)
{
	struct gh_buf b = GH_BUF_INIT;
	size_t n, chunk, checked = 0;
	unsigned long line = 1;
	int looking = json;

	for (;;) {
		chunk = 65536;
		if (b.len + chunk > max + 1)
			chunk = max + 1 - b.len;
		if (gh_buf_grow(&b, chunk) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		/* read what is there (a pipe gives less than asked) */
		n = fread(b.p + b.len, 1, chunk, f);
		b.len += n;
		b.p[b.len] = '\0';
		for (; looking && checked < b.len; checked++) {
			char c = b.p[checked];

			if (is_ws(c)) {
				line += c == '\n';
				continue;
			}
			looking = 0;
			if (!strchr("{[\"-0123456789tfn", c) || !c) {
				unsigned char u = (unsigned char)c;

				if (u >= 0x20 && u < 0x7f)
					snprintf(err, errlen, "%s:%lu: unexpected character '%c', "
						 "expected a JSON value", name, line, c);
				else
					snprintf(err, errlen, "%s:%lu: unexpected byte 0x%02x, "
						 "expected a JSON value", name, line, u);
				goto fail;
			}
		}
		if (b.len > max) {
			snprintf(err, errlen, "%s: more than %s of input", name, gh_size_str(max));
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno ? errno : EIO));
		goto fail;
	}
	if (!b.p && gh_buf_grow(&b, 1) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	b.p[b.len] = '\0';
	*out = b.p;
	*len = b.len;
	return 0;
fail:
	gh_buf_release(&b);
	return -1;
}

FILE *gh_open_regular(const char *path)
{
	struct stat st;
	FILE *f;
	int fd, flags;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;

		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
			e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

int gh_read_regular(const char *path, size_t max, char **out, size_t *len,
		    char *err, size_t errlen)
{
	FILE *f = gh_open_regular(path);
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	rc = gh_read_input(f, path, max, 0, out, len, err, errlen);
	fclose(f);
	return rc;
}
