/* gh-diff: the sets of what one run did, normalized. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "path.h"
#include "term.h"

static const char *const names[S_COUNT] = { "exec", "written", "deleted", "peers" };

const char *set_name(int s)
{
	return names[s];
}

static int set_add(struct strset *s, char *str)
{
	if (!str)
		return -ENOMEM;
	if (s->n == s->cap) {
		size_t c = s->cap ? 2 * s->cap : 32;
		char **v = realloc(s->v, c * sizeof(*v));

		if (!v) {
			free(str);
			return -ENOMEM;
		}
		s->v = v;
		s->cap = c;
	}
	s->v[s->n++] = str;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_finish(struct strset *s)
{
	size_t i, k = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (k && strcmp(s->v[k - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
}

static void set_release(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* --- normalization ----------------------------------------------------- */

struct norm {
	char *from;
	size_t len;
	const char *to;
	size_t seq; /* the order it was added in: the first of equal ones wins */
};

struct ctx {
	struct gh_receipt *r;
	struct norm *nv;
	size_t nn;
	char **dirs; /* directories the run made (normalized), sorted */
	size_t ndirs;
	int64_t *mktemp_pids;
	size_t nmk;
	struct gh_buf raw[2]; /* the bytes of the path and target in hand */
};

/* A name that is not UTF-8 is written with U+FFFD for its bad bytes, so
 * that names differing only there look alike; its KEY_hex sibling in the
 * object o holds the bytes themselves. Point *s at them (valid until the
 * next call with the same slot) so that such names stay apart: 0, or
 * -ENOMEM. A sibling that is not hexadecimal, or holds a NUL (no name
 * does), leaves the name as it was. */
static int raw_name(struct ctx *c, int slot, const struct gh_jv *o, const char *key,
		    const char **s, size_t *len)
{
	const char *hex = gh_jv_str(gh_jv_get(o, key), NULL);
	struct gh_buf *b = &c->raw[slot];
	int rc;

	if (!*s || !hex)
		return 0;
	b->len = 0;
	rc = gh_unhex(b, hex, strlen(hex));
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0 && !memchr(b->p, 0, b->len)) {
		*s = b->p;
		if (len)
			*len = b->len;
	}
	return 0;
}

static int under(const char *p, size_t len, const char *dir, size_t dlen)
{
	return len >= dlen && memcmp(p, dir, dlen) == 0 && (len == dlen || p[dlen] == '/');
}

static int tmp_root_child(const char *p, size_t len)
{
	static const char *const roots[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };

	for (size_t i = 0; i < 3; i++) {
		size_t rl = strlen(roots[i]);

		if (len > rl && memcmp(p, roots[i], rl) == 0 && !memchr(p + rl, '/', len - rl))
			return 1;
	}
	return 0;
}

static int add_norm(struct ctx *c, const char *from, size_t len, const char *to)
{
	struct norm *v = realloc(c->nv, (c->nn + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->nv = v;
	v[c->nn].from = strndup(from, len);
	if (!v[c->nn].from)
		return -ENOMEM;
	v[c->nn].len = len;
	v[c->nn].seq = c->nn;
	v[c->nn++].to = to;
	return 0;
}

static int cmp_from(const struct norm *x, const char *p, size_t len)
{
	int d = memcmp(x->from, p, x->len < len ? x->len : len);

	return d ? d : (x->len > len) - (x->len < len);
}

static int cmp_norm(const void *a, const void *b)
{
	const struct norm *x = a, *y = b;
	int d = cmp_from(x, y->from, y->len);

	return d ? d : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The first added norm whose from is p[0..len) exactly, or NULL (c->nv
 * sorted by from, then seq). */
static const struct norm *norm_find(const struct ctx *c, const char *p, size_t len)
{
	size_t lo = 0, hi = c->nn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_from(&c->nv[mid], p, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nn && cmp_from(&c->nv[lo], p, len) == 0 ? &c->nv[lo] : NULL;
}

/* A new string: p with the longest matching prefix replaced: each of its
 * leading parts looked up (a run may make any number of directories, so
 * not every norm is tried on every path). */
static char *normalize_lex(const struct ctx *c, const char *p, size_t len);

static char *normalize(const struct ctx *c, const char *p, size_t len)
{
	struct gh_buf b = GH_BUF_INIT;
	char *out;

	/* a path with "..", "." or "//" (an edited receipt) is the path it
	 * names: "$CWD/build/../../x" is no file in $CWD/build */
	if (!gh_path_odd(p, len))
		return normalize_lex(c, p, len);
	out = gh_path_lex(&b, p, len) < 0 ? NULL : normalize_lex(c, b.p, b.len);
	gh_buf_release(&b);
	return out;
}

static char *normalize_lex(const struct ctx *c, const char *p, size_t len)
{
	const struct norm *best = norm_find(c, p, len);
	char *out;

	for (size_t k = len; !best && k > 0; k--)
		if (p[k - 1] == '/' && k - 1 > 0)
			best = norm_find(c, p, k - 1);
	if (!best)
		return strndup(p, len);
	if (asprintf(&out, "%s%.*s", best->to, (int)(len - best->len), p + best->len) < 0)
		return NULL;
	return out;
}

static int cmp_pid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* One of pids is a mktemp process (c->mktemp_pids sorted). */
static int is_mktemp(const struct ctx *c, const struct gh_jv *pids)
{
	for (size_t k = 0; k < gh_receipt_len(pids) && c->nmk; k++) {
		int64_t pid = gh_receipt_intv_get(pids, k);

		if (bsearch(&pid, c->mktemp_pids, c->nmk, sizeof(pid), cmp_pid))
			return 1;
	}
	return 0;
}

static int prepare(struct ctx *c, const struct gh_rrun *run)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rfile f;
	int rc;

	while ((rc = gh_receipt_next_proc(c->r, &it, &p)) > 0) {
		const char *name = p.exe ? p.exe : gh_receipt_len(p.argv) ?
			gh_receipt_strv_get(p.argv, 0, NULL) : "";
		const char *slash = strrchr(name, '/');
		int64_t *v;

		if (strcmp(slash ? slash + 1 : name, "mktemp") != 0)
			continue;
		v = realloc(c->mktemp_pids, (c->nmk + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->mktemp_pids = v;
		v[c->nmk++] = p.pid;
	}
	if (rc < 0)
		return rc;
	if (c->nmk)
		qsort(c->mktemp_pids, c->nmk, sizeof(*c->mktemp_pids), cmp_pid);
	/* a cwd that is not absolute ("" would hold every path) is none */
	if (run->cwd && run->cwd[0] == '/') {
		struct gh_buf b = GH_BUF_INIT;
		const char *cwd = run->cwd;
		size_t n = strlen(cwd);

		if (gh_path_odd(cwd, n)) {
			if (gh_path_lex(&b, cwd, n) < 0)
				return -ENOMEM;
			cwd = b.p;
			n = b.len;
		}
		rc = strcmp(cwd, "/") != 0 ? add_norm(c, cwd, n, "$CWD") : 0;
		gh_buf_release(&b);
		if (rc < 0)
			return -ENOMEM;
	}
	it = (struct gh_riter)GH_RITER_INIT;
	while ((rc = gh_receipt_next_file(c->r, &it, &f)) > 0) {
		int made = f.result && strcmp(f.result, "ok") == 0 &&
			   (strcmp(f.op, "mkdir") == 0 ||
			    (strcmp(f.op, "create") == 0 && is_mktemp(c, f.pids)));

		if (made && !gh_path_odd(f.path, f.path_len) &&
		    tmp_root_child(f.path, f.path_len) &&
		    add_norm(c, f.path, f.path_len, "$TMP") < 0)
			return -ENOMEM;
	}
	if (c->nn)
		qsort(c->nv, c->nn, sizeof(*c->nv), cmp_norm);
	return rc;
}

/* --- the sets ---------------------------------------------------------- */

static int pseudo(const char *p, size_t len)
{
	if (!len || p[0] != '/')
		return 1;
	if (under(p, len, "/dev/shm", 8))
		return 0;
	return under(p, len, "/dev", 4) || under(p, len, "/proc", 5) || under(p, len, "/sys", 4);
}

static int op_in(const char *op, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(op, *list) == 0)
			return 1;
	return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_key(const void *k, const void *e)
{
	return strcmp(k, *(char *const *)e);
}

/* The outermost directory the run made that is s or holds s, or NULL:
 * each leading part of s looked up in the sorted list. */
static const char *made_dir(const struct ctx *c, const char *s)
{
	size_t len = strlen(s);
	char *tmp;
	const char *found = NULL;

	if (!c->ndirs || !(tmp = strdup(s)))
		return NULL;
	for (size_t i = 1; i <= len && !found; i++) {
		char **hit;

		if (i < len && s[i] != '/')
			continue;
		tmp[i] = '\0';
		hit = bsearch(tmp, c->dirs, c->ndirs, sizeof(*c->dirs), cmp_key);
		if (hit)
			found = *hit;
		tmp[i] = s[i];
	}
	free(tmp);
	return found;
}

static int add_path(struct ctx *c, struct strset *s, const char *p, size_t len)
{
	char *n, *folded;
	const char *d;

	if (pseudo(p, len))
		return 0;
	n = normalize(c, p, len);
	if (!n)
		return -ENOMEM;
	d = made_dir(c, n);
	if (!d)
		return set_add(s, n);
	/* directories folded: what is inside one the run made is the
	 * directory */
	free(n);
	if (asprintf(&folded, "%s/", d) < 0)
		return -ENOMEM;
	return set_add(s, folded);
}

static int files(struct ctx *c, struct runset *rs)
{
	static const char *const writes[] = { "write", "create", "truncate", "mkdir", "symlink",
					      "chmod", "chown", NULL };
	static const char *const deletes[] = { "delete", "rmdir", "rename", NULL };
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rfile f;
	int rc;

	/* directories the run made, outermost first, folded into their own */
	while ((rc = gh_receipt_next_file(c->r, &it, &f)) > 0) {
		char *n, **v;

		if (raw_name(c, 0, f.entry, "path_hex", &f.path, &f.path_len) < 0)
			return -ENOMEM;

		if (strcmp(f.op, "mkdir") != 0 || !f.result || strcmp(f.result, "ok") != 0 ||
		    pseudo(f.path, f.path_len))
			continue;
		if (!(n = normalize(c, f.path, f.path_len)))
			return -ENOMEM;
		v = realloc(c->dirs, (c->ndirs + 1) * sizeof(*v));
		if (!v) {
			free(n);
			return -ENOMEM;
		}
		c->dirs = v;
		v[c->ndirs++] = n;
	}
	if (rc < 0)
		return rc;
	if (c->ndirs)
		qsort(c->dirs, c->ndirs, sizeof(*c->dirs), cmp_cstr);
	it = (struct gh_riter)GH_RITER_INIT;
	while ((rc = gh_receipt_next_file(c->r, &it, &f)) > 0) {
		int ok = f.result && strcmp(f.result, "ok") == 0;

		if (!ok)
			continue;
		if (raw_name(c, 0, f.entry, "path_hex", &f.path, &f.path_len) < 0 ||
		    raw_name(c, 1, f.entry, "target_hex", &f.target, &f.target_len) < 0)
			return -ENOMEM;
		if (strcmp(f.op, "exec") == 0) {
			if (!pseudo(f.path, f.path_len) &&
			    set_add(&rs->s[S_EXEC], normalize(c, f.path, f.path_len)) < 0)
				return -ENOMEM;
			continue;
		}
		if (op_in(f.op, writes) && add_path(c, &rs->s[S_WRITTEN], f.path, f.path_len) < 0)
			return -ENOMEM;
		if (op_in(f.op, deletes) && add_path(c, &rs->s[S_DELETED], f.path, f.path_len) < 0)
			return -ENOMEM;
		if ((strcmp(f.op, "rename") == 0 || strcmp(f.op, "link") == 0) && f.target &&
		    add_path(c, &rs->s[S_WRITTEN], f.target, f.target_len) < 0)
			return -ENOMEM;
	}
	return rc;
}

static int execs(struct ctx *c, struct runset *rs)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	int rc, k;

	while ((rc = gh_receipt_next_proc(c->r, &it, &p)) > 0) {
		/* the object holding the exec's exe (and exe_hex) */
		const struct gh_jv *pe = p.where && strcmp(p.where, "process_tree") == 0 ?
			gh_jv_idx(gh_jv_get(c->r->root, "process_tree"), p.index) : NULL;

		for (k = 0; (rc = gh_receipt_proc_exec(c->r, &p, k, &x)) > 0; k++) {
			size_t len = x.exe ? strlen(x.exe) : 0;

			if (raw_name(c, 0, p.execs ? gh_jv_idx(p.execs, (size_t)k) : pe,
				     "exe_hex", &x.exe, &len) < 0)
				return -ENOMEM;
			if (x.exe && set_add(&rs->s[S_EXEC], normalize(c, x.exe, len)) < 0)
				return -ENOMEM;
		}
	}
	return rc;
}

/* "name HOST" for each name asked of DNS (network.dns), answered or not. */
static int dns_names(struct ctx *c, struct runset *rs)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rdns d;
	char *s;
	int rc;

	while ((rc = gh_receipt_next_dns(c->r, &it, &d)) > 0)
		if (asprintf(&s, "name %s", d.name) < 0 || set_add(&rs->s[S_PEERS], s) < 0)
			return -ENOMEM;
	return rc;
}

/* "tcp connect 1.2.3.4:443"; an accepted peer without its port (the
 * other side's port is chosen anew each run); "name HOST" for names:
 * those a peer's address was given by DNS, and those asked. */
static int peers(struct ctx *c, struct runset *rs)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rpeer p;
	int rc;

	while ((rc = gh_receipt_next_peer(c->r, &it, &p)) > 0) {
		size_t alen;
		char *s;

		if (raw_name(c, 0, p.entry, p.inbound ? "addr_hex" : "dst_hex", &p.addr, NULL) < 0)
			return -ENOMEM;
		alen = strlen(p.addr);

		if (p.op && strcmp(p.op, "accept") == 0) {
			const char *colon = strrchr(p.addr, ':');

			if (colon && p.addr[0] != 'u')
				alen = colon - p.addr;
		}
		if (asprintf(&s, "%s %s %.*s", p.protocol ? p.protocol : "-",
			     p.op ? p.op : "-", (int)alen, p.addr) < 0 ||
		    set_add(&rs->s[S_PEERS], s) < 0)
			return -ENOMEM;
		if (p.host && (asprintf(&s, "name %s", p.host) < 0 ||
			       set_add(&rs->s[S_PEERS], s) < 0))
			return -ENOMEM;
		/* the names DNS gave the peer's address */
		for (size_t k = 0; k < gh_receipt_len(p.names); k++)
			if (asprintf(&s, "name %s", gh_receipt_strv_get(p.names, k, NULL)) < 0 ||
			    set_add(&rs->s[S_PEERS], s) < 0)
				return -ENOMEM;
	}
	return rc < 0 ? rc : dns_names(c, rs);
}

/* The first string under v with a NUL byte in it: 1 and, with b, its
 * member path into b; 0 when there is none. Sets compare names as C strings, so that
 * "/w/notes\u0000/x" would read as "/w/notes": a run that wrote another
 * file would look the same. gh-trace writes no such string. */
static int nul_string(const struct gh_jv *v, struct gh_buf *b)
{
	size_t n, len = b ? b->len : 0;
	const char *s;

	switch (gh_jv_type(v)) {
	case GH_JV_STRING:
		s = gh_jv_str(v, &n);
		return s && memchr(s, '\0', n) != NULL;
	case GH_JV_ARRAY:
		for (size_t k = 0; k < gh_jv_len(v); k++) {
			if (b)
				gh_buf_printf(b, "[%zu]", k);
			if (nul_string(gh_jv_idx(v, k), b))
				return 1;
			if (b)
				b->len = len;
		}
		return 0;
	case GH_JV_OBJECT:
		for (size_t k = 0; k < gh_jv_len(v); k++) {
			const char *name = gh_jv_str(gh_jv_name(v, k), NULL);

			if (b)
				gh_buf_printf(b, "%s%s", len ? "." : "", name ? name : "");
			if (nul_string(gh_jv_val(v, k), b))
				return 1;
			if (b)
				b->len = len;
		}
		return 0;
	}
	return 0;
}

int runset_build(struct runset *rs, struct gh_receipt *r)
{
	struct ctx c = { .r = r };
	struct gh_buf where = GH_BUF_INIT;
	struct gh_rrun run;
	int rc, i;

	memset(rs, 0, sizeof(*rs));
	if (nul_string(r->root, NULL) && nul_string(r->root, &where)) {
		struct gh_buf q = GH_BUF_INIT;

		rc = where.err || gh_term_esc(&q, where.p ? where.p : "", where.len, 200) < 0 ?
			     -ENOMEM : -EINVAL;
		snprintf(r->err, sizeof(r->err), "%s%s%s: expected a string without a NUL "
			 "byte (no run records one)", r->name ? r->name : "",
			 r->name ? ": " : "", q.p ? q.p : "");
		gh_buf_release(&q);
		gh_buf_release(&where);
		return rc;
	}
	gh_buf_release(&where);
	if ((rc = gh_receipt_run(r, &run)) < 0 || (rc = prepare(&c, &run)) < 0 ||
	    (rc = files(&c, rs)) < 0 || (rc = execs(&c, rs)) < 0 || (rc = peers(&c, rs)) < 0)
		goto out;
	for (i = 0; i < S_COUNT; i++)
		set_finish(&rs->s[i]);
	rs->has_code = run.has_exit_code;
	rs->code = run.exit_code;
	rs->has_sig = run.has_signal;
	rs->sig = run.signal;
	if (run.completeness && !(rs->completeness = strdup(run.completeness)))
		rc = -ENOMEM;
out:
	for (size_t k = 0; k < c.nn; k++)
		free(c.nv[k].from);
	free(c.nv);
	for (size_t k = 0; k < c.ndirs; k++)
		free(c.dirs[k]);
	free(c.dirs);
	free(c.mktemp_pids);
	gh_buf_release(&c.raw[0]);
	gh_buf_release(&c.raw[1]);
	return rc;
}

void runset_release(struct runset *rs)
{
	for (int i = 0; i < S_COUNT; i++)
		set_release(&rs->s[i]);
	free(rs->completeness);
}
