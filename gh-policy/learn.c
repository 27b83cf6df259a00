/* gh-policy --learn: a rules file that every given receipt passes, as
 * tight as the receipts allow (see LEARNING in gh-policy(1)).
 *
 * Every item of every receipt is first turned into a pattern: paths in
 * the run's working directory start with "$CWD", a temporary directory or
 * file the run created itself right under /tmp, /var/tmp or /dev/shm
 * becomes "*", /proc/PID becomes /proc/STAR, and the rest is literal (glob
 * characters escaped). File patterns of a directory are then folded into
 * DIR/STAR where the receipts show the directory used as a whole; the rules
 * come out sorted, one per pattern, with how many runs and entries each
 * covers, and a default deny for each kind closes the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "path.h"
#include "receipt.h"
#include "term.h"

/* The kinds, in output order, with the subject of their default. */
enum { LK_READ, LK_WRITE, LK_DELETE, LK_CHDIR, LK_EXEC, LK_CONNECT, LK_INBOUND, LK_COUNT };

static const char *const kind_default[LK_COUNT] = {
	"read", "write", "delete", "chdir", "exec", "connect", "inbound",
};

/* One observed item after normalization. */
struct obs {
	int kind;
	char *subject;	/* the rule's subject word ("read", "send", ...) */
	char *pat;	/* the pattern (escaped, maybe quoted later) */
	const char *final; /* pat, or the folded DIR/STAR pattern */
	char *qual;	/* " proto=tcp" or "" */
	size_t run;
	int64_t count;
	int ok;		/* the attempt succeeded */
	int file;	/* a path that may be folded */
};

struct learner {
	const struct learn_opts *o;
	struct obs *v;
	size_t n, cap;
	size_t run;
	const char *cwd;
	/* the run's own temporary names (the component under a tmp root) */
	char **tmp;
	size_t ntmp;
	char **folded;	/* DIR/STAR patterns */
	size_t nfolded;
	int masked;	/* a value gh-redact masked was seen */
	struct gh_buf why; /* a peer no pattern names: where, and its address */
};

static const char *const tmp_roots[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };

/* Append s[0..len) to b with glob characters escaped, and control bytes,
 * C1 controls and invisible characters that reorder text (U+202E, ...)
 * made '?', so that the pattern matches s (and only such strings) and a
 * rules file shows each name as it is. */
static int lit_add(struct gh_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		size_t n;

		if (c < 0x20 || c == 0x7f) {
			gh_buf_addc(b, '?');
			continue;
		}
		if ((n = gh_term_hidden(s + i, len - i))) {
			gh_buf_addc(b, '?');
			i += n - 1;
			continue;
		}
		if (strchr("*?[]\\{}", c) && c)
			gh_buf_addc(b, '\\');
		if (gh_buf_addc(b, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* strcmp of the C string t and s[0..n). */
static int cmp_name(const char *t, const char *s, size_t n)
{
	int d = strncmp(t, s, n);

	return d ? d : t[n] != '\0';
}

/* s[0..n) is one of the run's temporary names (l->tmp sorted: a run may
 * make any number of them). */
static int is_tmp_name(const struct learner *l, const char *s, size_t n)
{
	size_t lo = 0, hi = l->ntmp;

	if (memchr(s, '\0', n))
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = cmp_name(l->tmp[mid], s, n);

		if (!d)
			return 1;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_tmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *path_pattern_lex(const struct learner *l, const char *p, size_t len);

/* The pattern of a path of the current run (malloc'ed): of the path it
 * names when it has "..", "." or "//" (gh-policy judges it so). */
static char *path_pattern_of(const struct learner *l, const char *p, size_t len)
{
	struct gh_buf n = GH_BUF_INIT;
	char *pat;

	if (!gh_path_odd(p, len))
		return path_pattern_lex(l, p, len);
	if (gh_path_lex(&n, p, len) < 0) {
		gh_buf_release(&n);
		return NULL;
	}
	pat = path_pattern_lex(l, n.p, n.len);
	gh_buf_release(&n);
	return pat;
}

static char *path_pattern_lex(const struct learner *l, const char *p, size_t len)
{
	struct gh_buf b = GH_BUF_INIT;
	size_t cl = l->cwd ? strlen(l->cwd) : 0;

	if (cl > 1 && len >= cl && memcmp(p, l->cwd, cl) == 0 &&
	    (len == cl || p[cl] == '/')) {
		gh_buf_adds(&b, "$CWD");
		lit_add(&b, p + cl, len - cl);
		return b.p;
	}
	for (size_t r = 0; r < sizeof(tmp_roots) / sizeof(tmp_roots[0]); r++) {
		size_t rl = strlen(tmp_roots[r]), e;

		if (len <= rl || memcmp(p, tmp_roots[r], rl) != 0)
			continue;
		for (e = rl; e < len && p[e] != '/'; e++)
			;
		if (!is_tmp_name(l, p, e))
			break;
		gh_buf_add(&b, p, rl);
		gh_buf_addc(&b, '*');
		lit_add(&b, p + e, len - e);
		return b.p;
	}
	if (len > 6 && memcmp(p, "/proc/", 6) == 0 && p[6] >= '0' && p[6] <= '9') {
		size_t e = 6;

		while (e < len && p[e] >= '0' && p[e] <= '9')
			e++;
		if (e == len || p[e] == '/') {
			gh_buf_adds(&b, "/proc/*");
			lit_add(&b, p + e, len - e);
			return b.p;
		}
	}
	lit_add(&b, p, len);
	if (!b.p)
		gh_buf_adds(&b, "");
	return b.p;
}

static int add_obs(struct learner *l, int kind, const char *subject, char *pat,
		   const char *qual, int64_t count, int ok, int file)
{
	struct obs *o;

	if (!pat)
		return -ENOMEM;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct obs *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			free(pat);
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	if (strstr(pat, "\\[REDACTED\\]") || strstr(pat, "\\[HMAC:"))
		l->masked = 1;
	o = &l->v[l->n];
	o->kind = kind;
	o->subject = strdup(subject);
	o->qual = strdup(qual);
	o->pat = pat;
	o->final = pat;
	o->run = l->run;
	o->count = count > 0 ? count : 1;
	o->ok = ok;
	o->file = file;
	if (!o->subject || !o->qual) {
		free(o->subject);
		free(o->qual);
		free(pat);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static int64_t count_of(const struct gh_rfile *f)
{
	return f->count ? f->count : 1;
}

static int result_is_ok(const char *r)
{
	return !r || strcmp(r, "ok") == 0 || strcmp(r, "in_progress") == 0;
}

/* The run's own temporary names: components right under a tmp root that
 * the run created (mkdir or create, successfully). */
static int find_tmp(struct learner *l, struct gh_receipt *rr)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rfile f;
	size_t cap = 0;
	int rc;

	while ((rc = gh_receipt_next_file(rr, &it, &f)) > 0) {
		const char *p = f.path;
		size_t len = f.path_len;

		if (!result_is_ok(f.result) ||
		    (strcmp(f.op, "mkdir") != 0 && strcmp(f.op, "create") != 0))
			continue;
		for (size_t r = 0; r < sizeof(tmp_roots) / sizeof(tmp_roots[0]); r++) {
			size_t rl = strlen(tmp_roots[r]);
			char **v;

			if (len <= rl || memcmp(p, tmp_roots[r], rl) != 0 ||
			    memchr(p + rl, '/', len - rl))
				continue;
			if (l->ntmp == cap) {
				cap = cap ? 2 * cap : 16;
				if (!(v = realloc(l->tmp, cap * sizeof(*v))))
					return -ENOMEM;
				l->tmp = v;
			}
			if (!(l->tmp[l->ntmp] = strndup(p, len)))
				return -ENOMEM;
			l->ntmp++;
		}
	}
	/* sorted, each once, for is_tmp_name */
	if (l->ntmp)
		qsort(l->tmp, l->ntmp, sizeof(*l->tmp), cmp_tmp);
	for (size_t i = 1, w = 1; i <= l->ntmp; i++) {
		if (i == l->ntmp) {
			l->ntmp = w;
			break;
		}
		if (strcmp(l->tmp[i], l->tmp[w - 1]) == 0)
			free(l->tmp[i]);
		else
			l->tmp[w++] = l->tmp[i];
	}
	return rc < 0 ? rc : 0;
}

static const struct {
	const char *op;
	int kind;
} file_ops[] = {
	{ "read", LK_READ },	  { "write", LK_WRITE },   { "create", LK_WRITE },
	{ "truncate", LK_WRITE }, { "chmod", LK_WRITE },   { "chown", LK_WRITE },
	{ "mkdir", LK_WRITE },	  { "symlink", LK_WRITE }, { "link", LK_WRITE },
	{ "rename", LK_DELETE },  { "delete", LK_DELETE }, { "rmdir", LK_DELETE },
	{ "chdir", LK_CHDIR },
};

/* A successful call's lexical path (status) passes only an allow rule
 * that takes it at its word (gh-policy(5)): the rule says so. */
static int file_item(struct learner *l, int kind, const char *p, size_t len,
		     const struct gh_rfile *f, const char *status)
{
	int ok = result_is_ok(f->result);
	int lexical = ok && status && strcmp(status, "lexical") == 0;

	return add_obs(l, kind, kind_default[kind], path_pattern_of(l, p, len),
		       lexical ? " path_status=lexical" : "", count_of(f), ok, 1);
}

/* A name and, for a successful lexical entry, the name the process saw:
 * each such name is judged by itself (gh-policy(5), "Two names"), so
 * both need a rule. */
static int file_names(struct learner *l, int kind, const char *p, size_t len,
		      const char *seen, size_t seen_len, const struct gh_rfile *f,
		      const char *status)
{
	if (file_item(l, kind, p, len, f, status) < 0)
		return -ENOMEM;
	if (seen && result_is_ok(f->result) && status && strcmp(status, "lexical") == 0 &&
	    file_item(l, kind, seen, seen_len, f, status) < 0)
		return -ENOMEM;
	return 0;
}

static int learn_files(struct learner *l, struct gh_receipt *rr)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rfile f;
	int rc;

	while ((rc = gh_receipt_next_file(rr, &it, &f)) > 0) {
		const char *op = f.op, *p = f.path, *t = f.target;
		size_t len = f.path_len, tlen = f.target_len, k;

		if (strcmp(op, "exec") == 0) {
			if (result_is_ok(f.result))
				continue; /* from process_tree, with argv */
			if (add_obs(l, LK_EXEC, "exec", path_pattern_of(l, p, len), "",
				    count_of(&f), 0, 0) < 0)
				return -ENOMEM;
			continue;
		}
		if (strcmp(op, "map_exec") == 0) {
			/* code mapped from a file (libraries): judged by the
			 * exec rules, so allowed by one */
			if (add_obs(l, LK_EXEC, "exec", path_pattern_of(l, p, len), "",
				    count_of(&f), result_is_ok(f.result), 0) < 0)
				return -ENOMEM;
			continue;
		}
		for (k = 0; k < sizeof(file_ops) / sizeof(file_ops[0]); k++)
			if (strcmp(file_ops[k].op, op) == 0)
				break;
		if (k == sizeof(file_ops) / sizeof(file_ops[0]))
			continue;
		if (strcmp(op, "link") == 0 && t) {
			/* the old name: a second name to read it by */
			if (file_names(l, LK_READ, p, len, f.path_seen, f.path_seen_len, &f,
				       f.path_status) < 0)
				return -ENOMEM;
			if (file_names(l, file_ops[k].kind, t, tlen, f.target_seen,
				       f.target_seen_len, &f, f.target_status) < 0)
				return -ENOMEM;
			continue;
		}
		if (file_names(l, file_ops[k].kind, p, len, f.path_seen, f.path_seen_len, &f,
			       f.path_status) < 0)
			return -ENOMEM;
		if (strcmp(op, "rename") == 0 && t &&
		    file_names(l, LK_WRITE, t, tlen, f.target_seen, f.target_seen_len, &f,
			       f.target_status) < 0)
			return -ENOMEM;
	}
	return rc < 0 ? rc : 0;
}

static int learn_execs(struct learner *l, struct gh_receipt *rr)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	int rc;

	while ((rc = gh_receipt_next_proc(rr, &it, &p)) > 0) {
		for (size_t k = 0; (rc = gh_receipt_proc_exec(rr, &p, k, &x)) > 0; k++)
			if (x.exe && add_obs(l, LK_EXEC, "exec",
					     path_pattern_of(l, x.exe, strlen(x.exe)), "", 1, 1,
					     0) < 0)
				return -ENOMEM;
		if (rc < 0)
			break;
	}
	return rc < 0 ? rc : 0;
}

/* Whether a receipt's host name can be written as a host name pattern
 * that matches it alone: letters, digits, '-', '_' and dots, a letter
 * among them, and not a word network patterns read otherwise
 * (localhost). A name the traced command chose ("*", "0/0", "a b")
 * would make a rule wider than the run or one that does not parse. */
static int plain_host(const char *h)
{
	int letter = 0;

	for (const char *c = h; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
			letter = 1;
		else if (!(*c >= '0' && *c <= '9') && *c != '-' && *c != '_' && *c != '.')
			return 0;
	}
	return letter && strcasecmp(h, "localhost") != 0;
}

/* A network pattern: the host name with the port when the receipt has
 * one, else the address; unix socket paths as path patterns. */
static char *net_pattern(const struct learner *l, const char *dst, size_t len,
			 const char *host)
{
	struct gh_buf b = GH_BUF_INIT;

	if (len > 5 && memcmp(dst, "unix:", 5) == 0) {
		char *p;

		gh_buf_adds(&b, "unix:");
		if (dst[5] == '/') {
			p = path_pattern_of(l, dst + 5, len - 5);
			if (p && strncmp(p, "$CWD", 4) == 0) {
				/* no $CWD in network patterns: the literal path */
				free(p);
				p = NULL;
				lit_add(&b, dst + 5, len - 5);
			} else {
				gh_buf_adds(&b, p ? p : "");
			}
			free(p);
		} else {
			lit_add(&b, dst + 5, len - 5);
		}
		return b.p;
	}
	if (host && plain_host(host)) {
		const char *colon = memrchr(dst, ':', len);

		for (const char *h = host; *h; h++)
			gh_buf_addc(&b, (*h >= 'A' && *h <= 'Z') ? *h + 32 : *h);
		if (colon)
			gh_buf_add(&b, colon, dst + len - colon);
		return b.p;
	}
	gh_buf_add(&b, dst, len);
	if (!b.p)
		gh_buf_adds(&b, "");
	return b.p;
}

/* Whether a rule can name the peer dst: a unix socket (by its path or
 * abstract name), or an address as gh-aggregate writes one. Anything
 * else ("unknown" for a netlink send, or text an edited receipt put
 * there, "*" or "0/0") would be written as a pattern that names no peer,
 * or every one. */
static int peer_nameable(const char *dst)
{
	struct netaddr a;
	size_t len = strlen(dst);

	if (len > 5 && memcmp(dst, "unix:", 5) == 0)
		return 1;
	netaddr_parse(dst, len, &a);
	return a.kind == NA_IP && strspn(dst, "0123456789abcdefABCDEF.:[]") == len;
}

/* network.attempts (else connections) and inbound */
static int learn_net(struct learner *l, struct gh_receipt *rr)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rpeer n;
	int rc;

	while ((rc = gh_receipt_next_peer(rr, &it, &n)) > 0) {
		const char *op = n.op, *proto = n.protocol, *subj;
		char qual[64] = "";

		if (!peer_nameable(n.addr)) {
			gh_buf_printf(&l->why, "%s (", n.where ? n.where : "network");
			esc_add(&l->why, n.addr, strlen(n.addr));
			gh_buf_adds(&l->why, ")");
			return l->why.err ? -ENOMEM : -EDESTADDRREQ;
		}
		if (proto && proto_bit(proto, strlen(proto)) >= 0)
			snprintf(qual, sizeof(qual), " proto=%s", proto);
		if (n.inbound)
			subj = op && (strcmp(op, "bind") == 0 || strcmp(op, "listen") == 0 ||
				      strcmp(op, "accept") == 0) ? op : "inbound";
		else
			subj = op && strcmp(op, "send") == 0 ? "send" : "connect";
		if (add_obs(l, n.inbound ? LK_INBOUND : LK_CONNECT, subj,
			    net_pattern(l, n.addr, strlen(n.addr), n.host), qual,
			    n.count ? n.count : 1, result_is_ok(n.result), 0) < 0)
			return -ENOMEM;
	}
	return rc < 0 ? rc : 0;
}

static int learn_one(struct learner *l, const struct gh_jv *r)
{
	struct gh_receipt rr;
	int rc = gh_receipt_attach(&rr, r, NULL);

	if (rc == 0)
		rc = gh_receipt_cwd(&rr, &l->cwd) < 0 ? -EINVAL : 0;
	if (!rc)
		rc = find_tmp(l, &rr);
	if (!rc)
		rc = learn_files(l, &rr);
	if (!rc)
		rc = learn_execs(l, &rr);
	if (!rc)
		rc = learn_net(l, &rr);
	gh_receipt_release(&rr);
	for (size_t i = 0; i < l->ntmp; i++)
		free(l->tmp[i]);
	free(l->tmp);
	l->tmp = NULL;
	l->ntmp = 0;
	return rc;
}

/* --- folding ------------------------------------------------------------ */

/* The length of the directory part of a pattern (up to its last '/'), or 0
 * when it is not to be folded: "/" and the first level (/etc, /home), home
 * directories (/root, /home/NAME). */
static size_t fold_dir_len(const char *pat)
{
	const char *slash = strrchr(pat, '/');
	size_t n, depth = 0;

	if (!slash)
		return 0;
	n = slash - pat;
	if (strncmp(pat, "$CWD", 4) == 0)
		return n >= 4 ? n : 0;
	for (size_t i = 0; i < n; i++)
		depth += pat[i] == '/';
	if (depth < 2 || (n == 5 && memcmp(pat, "/root", 5) == 0))
		return 0;
	if (depth == 2 && strncmp(pat, "/home/", 6) == 0)
		return 0;
	return n;
}

struct dent {
	int kind;
	int ok;		/* names of successful accesses fold apart from failed */
	const char *dir; /* the pattern; its first dlen bytes are the directory */
	size_t dlen;
	const char *name;
	size_t run;
	size_t obs; /* its index in learner.v */
};

static int cmp_dent(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	int d;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->ok != y->ok)
		return x->ok - y->ok;
	if (x->dlen != y->dlen)
		return x->dlen < y->dlen ? -1 : 1;
	if ((d = memcmp(x->dir, y->dir, x->dlen)))
		return d;
	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct names of one run in d[k..e), joined. */
static int run_names(const struct dent *d, size_t k, size_t e, struct gh_buf *b)
{
	b->len = 0;
	for (size_t i = k; i < e; i++)
		if (i == k || strcmp(d[i].name, d[i - 1].name) != 0)
			if (gh_buf_adds(b, d[i].name) < 0 || gh_buf_addc(b, '/') < 0)
				return -ENOMEM;
	return 0;
}

/* Point the file observations of directories used as a whole at DIR/STAR:
 * those with at least fold_files distinct names, and those used by at
 * least fold_runs runs with different names; the names of failed and of
 * successful accesses apart (names tried and not found must not make
 * "DIR/STAR" pass reading every file of DIR). */
static int fold(struct learner *l)
{
	struct dent *d = calloc(l->n + 1, sizeof(*d));
	const char **names = calloc(l->n + 1, sizeof(*names));
	struct gh_buf first = GH_BUF_INIT, cur = GH_BUF_INIT;
	size_t nd = 0;
	int rc = -ENOMEM;

	if (!d || !names)
		goto out;
	for (size_t i = 0; i < l->n; i++) {
		size_t n = l->v[i].file ? fold_dir_len(l->v[i].pat) : 0;

		if (!n)
			continue;
		d[nd].kind = l->v[i].kind;
		d[nd].ok = l->v[i].ok;
		d[nd].dir = l->v[i].pat;
		d[nd].dlen = n;
		d[nd].name = l->v[i].pat + n + 1;
		d[nd].run = l->v[i].run;
		d[nd].obs = i;
		nd++;
	}
	qsort(d, nd, sizeof(*d), cmp_dent);
	for (size_t a = 0, b; a < nd; a = b) {
		size_t nn = 0, distinct = 0, runs = 0;
		int differ = 0;
		char *folded, **v;

		for (b = a; b < nd && d[b].kind == d[a].kind && d[b].ok == d[a].ok &&
			    d[b].dlen == d[a].dlen &&
			    memcmp(d[b].dir, d[a].dir, d[a].dlen) == 0; b++)
			names[nn++] = d[b].name;
		qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t k = 0; k < nn; k++)
			distinct += !k || strcmp(names[k - 1], names[k]) != 0;
		for (size_t k = a, e; k < b; k = e) {
			for (e = k; e < b && d[e].run == d[k].run; e++)
				;
			if (run_names(d, k, e, runs ? &cur : &first) < 0)
				goto out;
			if (runs && (cur.len != first.len ||
				     memcmp(cur.p, first.p, cur.len) != 0))
				differ = 1;
			runs++;
		}
		if (distinct < l->o->fold_files && !(runs >= l->o->fold_runs && differ))
			continue;
		folded = malloc(d[a].dlen + 3);
		v = realloc(l->folded, (l->nfolded + 1) * sizeof(*v));
		if (!folded || !v) {
			free(folded);
			if (v)
				l->folded = v;
			goto out;
		}
		l->folded = v;
		memcpy(folded, d[a].dir, d[a].dlen);
		memcpy(folded + d[a].dlen, "/*", 3);
		l->folded[l->nfolded++] = folded;
		/* the group is every file observation of the directory */
		for (size_t i = a; i < b; i++)
			l->v[d[i].obs].final = folded;
	}
	rc = 0;
out:
	gh_buf_release(&first);
	gh_buf_release(&cur);
	free(d);
	free(names);
	return rc;
}

/* --- output ------------------------------------------------------------- */

static int cmp_obs(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;
	int d;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	if ((d = strcmp(x->subject, y->subject)))
		return d;
	if ((d = strcmp(x->final, y->final)))
		return d;
	if ((d = strcmp(x->qual, y->qual)))
		return d;
	return x->run < y->run ? -1 : x->run > y->run;
}

/* A pattern as a word of a rules file: quoted when it holds a blank, a
 * quote or starts with '#'. */
static int add_word(struct gh_buf *b, const char *s)
{
	if (!strpbrk(s, " \t\"") && s[0] != '#')
		return gh_buf_adds(b, s);
	gh_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			gh_buf_addc(b, '\\');
		gh_buf_addc(b, *s);
	}
	return gh_buf_addc(b, '"');
}

static int write_rules(struct learner *l, size_t nreceipts, struct gh_buf *out)
{
	const struct learn_opts *o = l->o;

	gh_buf_printf(out,
		"# Learned by gh-policy --learn from %zu receipt%s: each of them\n"
		"# passes these rules, and what none of them did is denied.\n"
		"# $CWD is the directory a run started in; /tmp/* (/var/tmp/*,\n"
		"# /dev/shm/*) stands for a temporary directory or file a run created\n"
		"# itself, /proc/* for a process. DIR/* folds a directory where the\n"
		"# runs used %zu names or more in it (--fold-files) or where %zu runs\n"
		"# or more (--fold-runs) used different names in it.\n"
		"# After each rule: the runs and the receipt entries it covers.\n",
		nreceipts, nreceipts == 1 ? "" : "s", o->fold_files, o->fold_runs);
	qsort(l->v, l->n, sizeof(*l->v), cmp_obs);
	for (int k = 0; k < LK_COUNT; k++) {
		gh_buf_printf(out, "\n# --- %s ---\n", kind_default[k]);
		for (size_t a = 0, b; a < l->n; a = b) {
			size_t runs = 0, mark;
			int64_t entries = 0;
			int ok = 0;

			if (l->v[a].kind != k) {
				b = a + 1;
				continue;
			}
			for (b = a; b < l->n && l->v[b].kind == k &&
				    strcmp(l->v[b].subject, l->v[a].subject) == 0 &&
				    strcmp(l->v[b].final, l->v[a].final) == 0 &&
				    strcmp(l->v[b].qual, l->v[a].qual) == 0; b++) {
				runs += b == a || l->v[b].run != l->v[b - 1].run;
				entries += l->v[b].count;
				ok |= l->v[b].ok;
			}
			mark = out->len;
			gh_buf_printf(out, "allow %s ", l->v[a].subject);
			add_word(out, l->v[a].final);
			gh_buf_adds(out, l->v[a].qual);
			if (!ok)
				gh_buf_adds(out, " result=failed");
			while (out->len - mark < 48)
				gh_buf_addc(out, ' ');
			gh_buf_printf(out, " # %zu run%s, %lld entr%s\n", runs,
				      runs == 1 ? "" : "s", (long long)entries,
				      entries == 1 ? "y" : "ies");
		}
		if (gh_buf_printf(out, "default deny %s\n", kind_default[k]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int policy_learn(const struct gh_jv **r, size_t n, const struct learn_opts *o,
		 struct gh_buf *out, size_t *bad, char *why, size_t whylen)
{
	struct learner l = { .o = o };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		l.run = i;
		rc = learn_one(&l, r[i]);
		if (rc == 0 && l.masked) {
			*bad = i;
			rc = -EBADMSG;
		}
		if (rc == -EDESTADDRREQ) {
			*bad = i;
			snprintf(why, whylen, "%s", l.why.p ? l.why.p : "");
		}
	}
	gh_buf_release(&l.why);
	if (rc == 0)
		rc = fold(&l);
	if (rc == 0)
		rc = write_rules(&l, n, out);
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].pat);
		free(l.v[i].subject);
		free(l.v[i].qual);
	}
	free(l.v);
	for (size_t i = 0; i < l.nfolded; i++)
		free(l.folded[i]);
	free(l.folded);
	return rc;
}
