/* gh-policy: evaluating compiled rules against a receipt.
 *
 * Path and exec rules are indexed per subject by the literal part of their
 * glob: the leading components without wildcards ("/home" for
 * "/home/STAR/.ssh/STARSTAR"), or, when the last component is literal and
 * the leading ones are not, that last component ("curl" for
 * "STARSTAR/curl"), where STAR stands for '*'. An
 * item looks up its own prefixes and its last component, so it is only
 * matched against rules that can match it, in rule order, stopping at the
 * first match. Network rules are few and scanned in order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "path.h"
#include "policy.h"
#include "receipt.h"

enum { IX_PREFIX, IX_BASE, IX_EXT, IX_TRI };

/* What judge() matches an item's path against: path globs, network
 * patterns, or word patterns. */
enum { J_PATH, J_NET, J_WORD };

/* Depths of '*' components that prefix keys may contain (see index_key). */
#define MAX_STAR_DEPTHS 3

struct cand {
	uint32_t rule;
	uint32_t litlen;
	const struct gh_glob *g;
	const char *lit; /* a run of characters every match contains, or NULL */
	size_t ncomps;	 /* components of every match, 0 when it varies */
};

struct slot {
	uint64_t h;
	const char *key;
	uint32_t klen;
	uint8_t subj, kind, used;
	struct cand *v;
	uint32_t n, cap;
};

struct index {
	struct slot *slots;
	size_t cap, n;
};

struct item {
	int coarse, fine;
	const char *path; /* file path, executable, or network address */
	size_t len;
	const char *op, *result, *proto, *other, *other_key;
	const struct gh_jv *pids; /* integers, or NULL */
	int has_pid;
	int64_t pid;
	const char *cmd; /* exec: its argv */
	size_t cmd_len;
	const char *args; /* exec: argv[1..] joined; NULL when not known */
	size_t args_len;
	const struct gh_jv *argv; /* exec: its argv, matched word by word */
	int argv_cut;	/* exec: argv holds only what fit; more followed */
	struct netaddr na;
	const char *seen; /* the path as the process saw it, when it differs */
	size_t seen_len;
	const char *status; /* path_status: NULL when the kernel resolved it */
	int unknown;	/* where the object is cannot be known: judged by
			 * what it could be */
	int lexical;	/* a successful call named its object by a lexical
			 * path: judged by it only when a deny matches it or
			 * an allow takes it (path_status=lexical), else by
			 * what it could be */
};

/* A name the run itself made a symbolic link at, deleted or renamed away
 * (successfully): a lexical path through it may have named another file
 * during the call than when gh-trace looked. */
struct relink {
	const char *path;
	size_t len;
	int fine;	/* the entry's fine subject: S_SYMLINK, S_UNLINK, S_RENAME */
};

struct pidcmd {
	int64_t pid;
	char *cmd;
	size_t len;
};

struct ctx {
	struct policy *p;
	struct verdict *v;
	struct gh_receipt *r; /* named NULL: messages without a prefix */
	char *err;
	size_t errlen;
	struct index ix;
	struct gh_glob ***globs; /* per rule, per pattern */
	char ***bound;		 /* per rule, per pattern: the pattern used */
	struct pidcmd *pc;
	size_t npc;
	int has_subject[S_COUNT];
	int star_depth[MAX_STAR_DEPTHS]; /* ascending */
	int nstar;
	struct gh_buf scratch;
	int has_tri[S_COUNT];
	uint64_t tri_bits[1024]; /* trigrams some IX_TRI key uses */
	struct relink *rl;	/* names the run made a link at or removed */
	size_t nrl;
	size_t path_ncomps; /* components of the path first_path_rule judges */
};

static unsigned tri_bit(const char *t)
{
	const unsigned char *u = (const unsigned char *)t;

	return ((u[0] * 31u + u[1]) * 31u + u[2]) & 0xffff;
}

__attribute__((format(printf, 2, 3))) static int bad(struct ctx *c,
						     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- receipt access ---------------------------------------------------- */

/* lib/receipt's message, for a negative status from it */
static int rbad(struct ctx *c)
{
	return bad(c, "%s", c->r->err);
}

/* --- the index --------------------------------------------------------- */

static uint64_t seed(int subj, int kind)
{
	uint64_t h = 14695981039346656037ull;

	h = (h ^ (uint64_t)subj) * 1099511628211ull;
	h = (h ^ (uint64_t)(kind + 1)) * 1099511628211ull;
	return h;
}

static uint64_t step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ull;
}

static uint64_t hash_key(int subj, int kind, const char *s, size_t n)
{
	uint64_t h = seed(subj, kind);

	for (size_t i = 0; i < n; i++)
		h = step(h, s[i]);
	return h;
}

static struct slot *ix_find(const struct index *ix, uint64_t h, int subj,
			    int kind, const char *key, size_t klen)
{
	size_t i;

	if (!ix->cap)
		return NULL;
	for (i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		struct slot *s = &ix->slots[i];

		if (!s->used)
			return NULL;
		if (s->h == h && s->subj == subj && s->kind == kind &&
		    s->klen == klen && memcmp(s->key, key, klen) == 0)
			return s;
	}
}

static int ix_grow(struct index *ix)
{
	size_t cap = ix->cap ? 2 * ix->cap : 256;
	struct slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++) {
		struct slot *s = &ix->slots[i];
		size_t j;

		if (!s->used)
			continue;
		for (j = s->h & (cap - 1); v[j].used; j = (j + 1) & (cap - 1))
			;
		v[j] = *s;
	}
	free(ix->slots);
	ix->slots = v;
	ix->cap = cap;
	return 0;
}

static int ix_add(struct index *ix, int subj, int kind, const char *key,
		  size_t klen, uint32_t rule, const struct gh_glob *g,
		  const char *lit, size_t litlen)
{
	uint64_t h = hash_key(subj, kind, key, klen);
	struct slot *s = ix_find(ix, h, subj, kind, key, klen);

	if (!s) {
		size_t j;

		if ((ix->n + 1) * 2 > ix->cap && ix_grow(ix) < 0)
			return -ENOMEM;
		for (j = h & (ix->cap - 1); ix->slots[j].used;
		     j = (j + 1) & (ix->cap - 1))
			;
		s = &ix->slots[j];
		s->used = 1;
		s->h = h;
		s->subj = subj;
		s->kind = kind;
		s->key = key;
		s->klen = klen;
		ix->n++;
	}
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 2;
		struct cand *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].rule = rule;
	s->v[s->n].g = g;
	s->v[s->n].lit = lit;
	s->v[s->n].litlen = litlen;
	s->v[s->n].ncomps = gh_glob_ncomps(g);
	s->n++;
	return 0;
}

static void ix_release(struct index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->slots[i].v);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

static int is_meta(char ch)
{
	return ch == '*' || ch == '?' || ch == '[' || ch == '\\';
}

/* 0: a literal component; 1: exactly "*"; 2: anything else */
static int comp_kind(const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (is_meta(s[i]))
			return 2;
	return n ? 0 : 2;
}

static int star_depth_known(const struct ctx *c, int depth)
{
	for (int i = 0; i < c->nstar; i++)
		if (c->star_depth[i] == depth)
			return 1;
	return 0;
}

static void star_depth_add(struct ctx *c, int depth)
{
	int i;

	if (star_depth_known(c, depth))
		return;
	for (i = c->nstar; i > 0 && c->star_depth[i - 1] > depth; i--)
		c->star_depth[i] = c->star_depth[i - 1];
	c->star_depth[i] = depth;
	c->nstar++;
}

/* The longest run of literal characters in t (classes and escapes break
 * runs, '/' too), or NULL when shorter than 3. */
static const char *literal_run(const char *t, size_t *n)
{
	const char *best = NULL;
	size_t bestn = 0;

	for (size_t i = 0; t[i];) {
		size_t j = i;

		while (t[j] && t[j] != '/' && !is_meta(t[j]))
			j++;
		if (j - i > bestn) {
			best = t + i;
			bestn = j - i;
		}
		if (!t[j])
			break;
		if (t[j] == '\\' && t[j + 1])
			j++;
		else if (t[j] == '[')
			while (t[j + 1] && t[j + 1] != ']')
				j++;
		i = j + 1;
	}
	*n = bestn;
	return bestn >= 3 ? best : NULL;
}

/* Where a pattern goes in the index (see the top of this file).
 * IX_PREFIX: the leading components that are literal or exactly '*' (the
 * '*' ones only at up to MAX_STAR_DEPTHS depths over all patterns, so that
 * "/home/STAR/.ssh" is a key for the "~" patterns), ending with a literal
 * one; an item looks up its prefixes, also with the components at those
 * depths replaced by '*'. IX_BASE: a literal last component. IX_EXT: the
 * extension of a last component that ends in "*.EXT". IX_TRI (chosen by
 * the caller, for what would otherwise be tried on every path): three
 * characters of a literal run every match contains. */
static void index_key(struct ctx *c, const char *t, int *kind,
		      const char **key, size_t *klen, const char **lit,
		      size_t *litlen)
{
	size_t len = strlen(t), keylen = 0, i = 1, e;
	int depth = 0, nlit = 0, stars[MAX_STAR_DEPTHS], nstars = 0, full = 0;
	const char *last = strrchr(t, '/'), *b = last ? last + 1 : t;

	*lit = NULL;
	*litlen = 0;
	while (t[0] == '/') {
		int k;

		for (e = i; t[e] && t[e] != '/'; e++)
			;
		k = comp_kind(t + i, e - i);
		depth++;
		if (k == 2)
			break;
		if (k == 1) {
			int fresh = !star_depth_known(c, depth);

			for (int s = 0; s < nstars; s++)
				fresh += !star_depth_known(c, stars[s]);
			if (c->nstar + fresh > MAX_STAR_DEPTHS ||
			    nstars == MAX_STAR_DEPTHS)
				break; /* the key ends before this component */
			stars[nstars++] = depth;
		} else {
			nlit++;
			keylen = e;
		}
		if (!t[e]) {
			full = k == 0;
			break;
		}
		i = e + 1;
	}
	/* keep only the '*' components before the last literal one */
	for (int s = 0; s < nstars; s++) {
		size_t off = 0;
		int d = 0;

		for (off = 0; d < stars[s] && t[off]; off++)
			d += t[off] == '/';
		if (off <= keylen)
			star_depth_add(c, stars[s]);
	}
	*kind = IX_PREFIX;
	*key = t;
	*klen = keylen;
	if (full || nlit >= 2)
		return;
	if (*b && strcmp(b, "**") != 0 && comp_kind(b, strlen(b)) == 0 && last) {
		*kind = IX_BASE;
		*key = b;
		*klen = len - (b - t);
		return;
	}
	{
		const char *star = strrchr(b, '*'), *dot = strrchr(b, '.');

		if (star && dot && dot > star && dot[1] &&
		    comp_kind(star + 1, strlen(star + 1)) == 0) {
			*kind = IX_EXT;
			*key = dot + 1;
			*klen = strlen(dot + 1);
			*lit = literal_run(t, litlen);
			return;
		}
	}
	if (keylen == 0)
		*lit = literal_run(t, litlen);
}

/* Escape glob characters of a literal (the receipt's cwd). */
static int glob_escape(struct gh_buf *b, const char *s)
{
	for (; *s; s++) {
		if (is_meta(*s) || *s == ']')
			gh_buf_addc(b, '\\');
		if (gh_buf_addc(b, *s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The trigram of lit with the fewest candidates so far, to spread them. */
static void tri_key(struct ctx *c, int subj, const char *lit, size_t n,
		    const char **key)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i + 3 <= n; i++) {
		const struct slot *s = ix_find(&c->ix, hash_key(subj, IX_TRI, lit + i, 3),
					       subj, IX_TRI, lit + i, 3);
		size_t load = s ? s->n : 0;

		if (load < best) {
			best = load;
			*key = lit + i;
		}
	}
	c->has_tri[subj] = 1;
	c->tri_bits[tri_bit(*key) / 64] |= 1ull << (tri_bit(*key) % 64);
}

static int compile_cwd(struct ctx *c, const char *cwd);

static int compile(struct ctx *c, const char *cwd)
{
	struct gh_buf cb = GH_BUF_INIT;
	int rc;

	/* a cwd with "..", "//" or a trailing slash binds $CWD to the
	 * directory it names, as paths are judged */
	if (cwd && gh_path_odd(cwd, strlen(cwd))) {
		if (gh_path_lex(&cb, cwd, strlen(cwd)) < 0)
			return bad(c, "out of memory");
		cwd = cb.p;
	}
	rc = compile_cwd(c, cwd);
	gh_buf_release(&cb);
	return rc;
}

static int compile_cwd(struct ctx *c, const char *cwd)
{
	struct policy *p = c->p;

	c->globs = calloc(p->nrules + 1, sizeof(*c->globs));
	c->bound = calloc(p->nrules + 1, sizeof(*c->bound));
	if (!c->globs || !c->bound)
		return bad(c, "out of memory");
	for (size_t i = 0; i < p->nrules; i++) {
		struct rule *r = &p->rules[i];

		if (!r->npats || (r->kind != K_ALLOW && r->kind != K_DENY))
			continue;
		c->globs[i] = calloc(r->npats, sizeof(**c->globs));
		c->bound[i] = calloc(r->npats, sizeof(**c->bound));
		if (!c->globs[i] || !c->bound[i])
			return bad(c, "out of memory");
		for (size_t k = 0; k < r->npats; k++) {
			struct gh_buf b = GH_BUF_INIT;
			int kind, rc;
			const char *key, *lit;
			size_t klen, litlen;

			if (r->pats[k].cwd) {
				if (!cwd)
					return bad(c, "provenance.cwd: expected a "
						   "string (%s:%lu uses $CWD)",
						   r->file, r->line);
				/* "" would bind $CWD/STARSTAR to /STARSTAR, as "/" does */
				if (cwd[0] != '/')
					return bad(c, "provenance.cwd: expected an "
						   "absolute path (%s:%lu uses $CWD)",
						   r->file, r->line);
				glob_escape(&b, strcmp(cwd, "/") ? cwd : "");
			}
			gh_buf_adds(&b, r->pats[k].text);
			if (b.p && !b.p[0])
				gh_buf_addc(&b, '/');
			if (!b.p)
				return bad(c, "out of memory");
			c->bound[i][k] = b.p;
			rc = gh_glob_compile(b.p, &c->globs[i][k]);
			if (rc < 0)
				return bad(c, "%s:%lu: cannot compile '%s' with "
					   "the receipt's cwd", r->file, r->line, b.p);
			index_key(c, b.p, &kind, &key, &klen, &lit, &litlen);
			for (int s = 0; s < S_COUNT; s++) {
				if (!(r->subjects & (1u << s)))
					continue;
				if (kind == IX_PREFIX && klen == 0 && lit) {
					tri_key(c, s, lit, litlen, &key);
					if (ix_add(&c->ix, s, IX_TRI, key, 3, i,
						   c->globs[i][k], lit, litlen) < 0)
						return bad(c, "out of memory");
					continue;
				}
				if (ix_add(&c->ix, s, kind, key, klen, i,
					   c->globs[i][k], lit, litlen) < 0)
					return bad(c, "out of memory");
			}
		}
	}
	for (size_t i = 0; i < p->nrules; i++)
		for (int s = 0; s < S_COUNT; s++)
			if ((p->rules[i].kind == K_ALLOW || p->rules[i].kind == K_DENY) &&
			    (p->rules[i].subjects & (1u << s)))
				c->has_subject[s] = 1;
	return 0;
}

/* --- matching ---------------------------------------------------------- */

static int result_ok(const struct rule *r, const struct item *it)
{
	const char *res = it->result ? it->result : "ok";

	if (r->res_mode == R_ANY)
		return 1;
	if (r->res_ok && strcmp(res, "ok") == 0)
		return 1;
	if (r->res_failed && strcmp(res, "ok") != 0 && strcmp(res, "in_progress") != 0)
		return 1;
	for (size_t i = 0; i < r->nresults; i++)
		if (strcmp(r->results[i], res) == 0)
			return 1;
	return 0;
}

static int exec_args_ok(const struct rule *r, const struct item *it)
{
	if (!r->nargs)
		return 1;
	if (!it->args)
		return 0;
	for (size_t i = 0; i < r->nargs; i++) {
		if (!it->argv) {
			if (wild_match(r->args[i], it->args, it->args_len))
				return 1;
			continue;
		}
		/* an exec: argument by argument; a deny rule also matches
		 * the arguments joined by spaces, as it always did, so that
		 * no deny rule matches less. An allow rule cannot know the
		 * arguments after a cut: it does not match them. */
		if (r->kind != K_DENY && it->argv_cut)
			continue;
		if (args_match(r->args[i], it->argv, 1) ||
		    (r->kind == K_DENY &&
		     wild_match(r->args[i], it->args, it->args_len)))
			return 1;
	}
	return 0;
}

static size_t scan(struct ctx *c, const struct slot *s, const struct item *it,
		   size_t best)
{
	if (!s)
		return best;
	for (uint32_t i = 0; i < s->n && s->v[i].rule < best; i++) {
		const struct cand *k = &s->v[i];
		const struct rule *r = &c->p->rules[k->rule];

		if (k->ncomps && k->ncomps != c->path_ncomps)
			continue; /* a path of another depth: no match */
		if (k->lit && !memmem(it->path, it->len, k->lit, k->litlen))
			continue;
		if (result_ok(r, it) && gh_glob_match(k->g, it->path, it->len) &&
		    exec_args_ok(r, it))
			return k->rule;
	}
	return best;
}

/* Look up the prefixes of p[0..len) that end at or after offset from. */
static size_t walk_prefixes(struct ctx *c, int subj, const char *p, size_t len,
			    size_t from, const struct item *it, size_t best)
{
	uint64_t h = seed(subj, IX_PREFIX);

	for (size_t k = 0; k < len; k++) {
		if (k > 0 && k >= from && p[k] == '/')
			best = scan(c, ix_find(&c->ix, h, subj, IX_PREFIX, p, k), it, best);
		h = step(h, p[k]);
	}
	if (len && len >= from)
		best = scan(c, ix_find(&c->ix, h, subj, IX_PREFIX, p, len), it, best);
	return best;
}

/* The prefixes of the path with the components at some star depths
 * replaced by '*': one walk per non-empty subset of those depths. */
static size_t walk_stars(struct ctx *c, int subj, const struct item *it,
			 size_t best)
{
	const char *p = it->path;
	size_t len = it->len;

	if (len == 0 || p[0] != '/')
		return best;
	for (unsigned mask = 1; mask < (1u << c->nstar); mask++) {
		struct gh_buf *b = &c->scratch;
		size_t i = 1, from = 0;
		int depth = 0, want = 0;

		for (int s = 0; s < c->nstar; s++)
			if (mask & (1u << s))
				want = c->star_depth[s];
		b->len = 0;
		if (gh_buf_addc(b, '/') < 0)
			return best;
		while (i <= len) {
			size_t e = i;
			int star = 0;

			while (e < len && p[e] != '/')
				e++;
			depth++;
			for (int s = 0; s < c->nstar; s++)
				if ((mask & (1u << s)) && c->star_depth[s] == depth)
					star = 1;
			if (star)
				gh_buf_addc(b, '*');
			else
				gh_buf_add(b, p + i, e - i);
			if (depth == want)
				from = b->len;
			if (e >= len)
				break;
			gh_buf_addc(b, '/');
			i = e + 1;
		}
		if (depth < want || !b->p)
			continue; /* fewer components than the deepest star */
		best = walk_prefixes(c, subj, b->p, b->len, from, it, best);
	}
	return best;
}

static size_t first_path_rule(struct ctx *c, int subj, const struct item *it,
			      size_t best)
{
	const char *p = it->path, *b, *dot;
	size_t len = it->len;
	uint64_t h = seed(subj, IX_PREFIX);

	if (!c->has_subject[subj])
		return best;
	c->path_ncomps = 1;
	for (const char *q = p; (q = memchr(q, '/', p + len - q)); q++)
		c->path_ncomps++;
	best = scan(c, ix_find(&c->ix, h, subj, IX_PREFIX, p, 0), it, best);
	best = walk_prefixes(c, subj, p, len, 1, it, best);
	if (c->nstar)
		best = walk_stars(c, subj, it, best);
	b = memrchr(p, '/', len);
	b = b ? b + 1 : p;
	if (b < p + len)
		best = scan(c, ix_find(&c->ix, hash_key(subj, IX_BASE, b, p + len - b),
				       subj, IX_BASE, b, p + len - b), it, best);
	if (c->has_tri[subj])
		for (size_t k = 0; k + 3 <= len; k++) {
			unsigned bit = tri_bit(p + k);

			if (c->tri_bits[bit / 64] & (1ull << (bit % 64)))
				best = scan(c, ix_find(&c->ix, hash_key(subj, IX_TRI, p + k, 3),
						       subj, IX_TRI, p + k, 3), it, best);
		}
	dot = memrchr(b, '.', p + len - b);
	if (dot && dot + 1 < p + len)
		best = scan(c, ix_find(&c->ix, hash_key(subj, IX_EXT, dot + 1,
							p + len - dot - 1),
				       subj, IX_EXT, dot + 1, p + len - dot - 1),
			    it, best);
	return best;
}

static int proto_ok(const struct rule *r, const struct item *it)
{
	int bit;

	if (!r->protos)
		return 1;
	bit = it->proto ? proto_bit(it->proto, strlen(it->proto)) : -1;
	return (r->protos & (1u << (bit < 0 ? P_OTHER : bit))) != 0;
}

static size_t first_net_rule(struct ctx *c, const struct item *it)
{
	uint32_t want = (1u << it->coarse) | (1u << it->fine);

	for (size_t i = 0; i < c->p->nrules; i++) {
		const struct rule *r = &c->p->rules[i];

		if ((r->kind != K_ALLOW && r->kind != K_DENY) || !(r->subjects & want) ||
		    !result_ok(r, it) || !proto_ok(r, it))
			continue;
		for (size_t k = 0; k < r->nnets; k++) {
			if (netpat_match(&r->nets[k], &it->na))
				return i;
			/* a connect to a peer whose name is not known: a
			 * deny rule by name takes it (it may be that name) */
			if (r->kind == K_DENY && it->fine == S_CONNECT &&
			    netpat_name_unknown(&r->nets[k], &it->na)) {
				/* the violation says why (the item is the
				 * caller's own, judged once) */
				((struct item *)it)->other = "unknown";
				return i;
			}
		}
	}
	return SIZE_MAX;
}

static int word_match(const struct rule *r, const struct item *it)
{
	for (size_t k = 0; k < r->nwords; k++)
		if (wild_match(r->words[k], it->path, it->len))
			return 1;
	return 0;
}

/* Word rules (namespace, ptrace, signal, bpf) are few: scanned in order. */
static size_t first_word_rule(struct ctx *c, const struct item *it)
{
	uint32_t want = (1u << it->coarse) | (1u << it->fine);

	for (size_t i = 0; i < c->p->nrules; i++) {
		const struct rule *r = &c->p->rules[i];

		if ((r->kind == K_ALLOW || r->kind == K_DENY) && (r->subjects & want) &&
		    result_ok(r, it) && word_match(r, it) && exec_args_ok(r, it))
			return i;
	}
	return SIZE_MAX;
}

/* --- violations -------------------------------------------------------- */

static struct violation *new_violation(struct ctx *c, size_t rule)
{
	struct verdict *v = c->v;

	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		struct violation *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	memset(&v->v[v->n], 0, sizeof(v->v[0]));
	v->v[v->n].rule = rule;
	return &v->v[v->n++];
}

static const struct pidcmd *find_pid(const struct ctx *c, int64_t pid)
{
	size_t lo = 0, hi = c->npc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pc[mid].pid == pid)
			return &c->pc[mid];
		if (c->pc[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int detail_kv(struct gh_buf *b, const char *k, const char *v)
{
	gh_buf_adds(b, b->len ? " " : " [");
	gh_buf_adds(b, k);
	gh_buf_addc(b, '=');
	return esc_add(b, v, strlen(v));
}

static int add_item_violation(struct ctx *c, size_t rule, const struct item *it)
{
	const struct rule *r = &c->p->rules[rule];
	struct gh_buf d = GH_BUF_INIT;
	size_t npids = gh_receipt_len(it->pids);
	const char *subj = subject_name(r->subjects & (1u << it->fine) ? it->fine :
					it->coarse);

	if (it->op && strcmp(it->op, subj) != 0)
		detail_kv(&d, "op", it->op);
	if (it->other)
		detail_kv(&d, it->other_key, it->other);
	if (it->seen)
		detail_kv(&d, "seen", it->seen);
	if (it->unknown && it->status) {
		detail_kv(&d, "path_status", it->status);
		detail_kv(&d, "judged", "conservatively");
	}
	if (it->proto)
		detail_kv(&d, "proto", it->proto);
	if (it->result && strcmp(it->result, "ok") != 0)
		detail_kv(&d, "result", it->result);
	if (it->argv_cut)
		detail_kv(&d, "argv", "truncated");
	if (d.len)
		gh_buf_addc(&d, ']');
	for (size_t i = 0; i < (npids ? npids : 1); i++) {
		struct violation *x = new_violation(c, rule);

		if (!x) {
			gh_buf_release(&d);
			return bad(c, "out of memory");
		}
		x->subject = subj;
		x->item = it->path;
		x->item_len = it->len;
		x->op = it->op;
		x->result = it->result;
		x->proto = it->proto;
		x->other = it->other;
		x->other_key = it->other_key;
		x->status = it->unknown ? it->status : NULL;
		if (d.len && !(x->detail = strdup(d.p))) {
			gh_buf_release(&d);
			return bad(c, "out of memory");
		}
		if (it->has_pid) {
			x->has_pid = 1;
			x->pid = it->pid;
			x->cmd = it->cmd;
			x->cmd_len = it->cmd_len;
		} else if (npids) {
			const struct pidcmd *pc;

			x->has_pid = 1;
			x->pid = gh_receipt_intv_get(it->pids, i);
			pc = find_pid(c, x->pid);
			if (pc) {
				x->cmd = pc->cmd;
				x->cmd_len = pc->len;
			}
		}
	}
	gh_buf_release(&d);
	return 0;
}

/* A value gh-redact masked: "[REDACTED]", "[HMAC:...]" anywhere in it, or
 * a home directory rewritten to "~". */
static int masked(const char *s, size_t len)
{
	return memmem(s, len, "[REDACTED]", 10) || memmem(s, len, "[HMAC:", 6);
}

static int path_masked(const struct item *it)
{
	return (it->len && it->path[0] == '~') || masked(it->path, it->len);
}

static int item_masked(const struct item *it)
{
	return path_masked(it) ||
	       (it->seen && masked(it->seen, it->seen_len)) ||
	       (it->args && masked(it->args, it->args_len)) ||
	       (it->other && masked(it->other, strlen(it->other)));
}

/* Whether rule i matches a masked item: 0 no, 1 yes, 2 maybe (a masked
 * value could be one that matches). */
static int match3(struct ctx *c, size_t i, const struct item *it, int net)
{
	const struct rule *r = &c->p->rules[i];
	uint32_t want = (1u << it->coarse) | (1u << it->fine);
	int maybe = 0, hit = 0;

	if ((r->kind != K_ALLOW && r->kind != K_DENY) || !(r->subjects & want) ||
	    !result_ok(r, it) || (net == J_NET && !proto_ok(r, it)))
		return 0;
	if (path_masked(it) || it->unknown) {
		maybe = 1;
	} else if (net == J_WORD) {
		if (!word_match(r, it))
			return 0;
	} else if (net == J_NET) {
		for (size_t k = 0; k < r->nnets && !hit; k++)
			hit = netpat_match(&r->nets[k], &it->na);
		if (!hit)
			return 0;
	} else {
		for (size_t k = 0; k < r->npats && !hit; k++)
			hit = gh_glob_match(c->globs[i][k], it->path, it->len);
		if (!hit)
			return 0;
	}
	if (r->nargs) {
		if (!it->args)
			return 0;
		if (masked(it->args, it->args_len))
			maybe = 1;
		else if (!exec_args_ok(r, it))
			return 0;
	}
	return maybe ? 2 : 1;
}

/* A masked item (--allow-redacted) is judged by what its masked values
 * could be: the rules are tried in order; one that surely matches decides
 * as usual; a deny rule that could match makes a violation and the next
 * rules are tried; an allow rule that could match cannot be shown to, and
 * is passed over. With no rule deciding, the default does. */
static int judge_masked(struct ctx *c, const struct item *it, int net)
{
	struct policy *p = c->p;
	int s;

	for (size_t i = 0; i < p->nrules; i++) {
		int m = match3(c, i, it, net);

		if (m && p->rules[i].kind == K_DENY &&
		    add_item_violation(c, i, it) < 0)
			return -1;
		if (m == 1)
			return 0;
	}
	s = p->has_default[it->fine] ? it->fine :
	    p->has_default[it->coarse] ? it->coarse : -1;
	if (s >= 0 && p->rules[p->default_rule[s]].kind == K_DEFAULT_DENY)
		return add_item_violation(c, p->default_rule[s], it);
	return 0;
}

/* An item whose place is not known (unresolved, incomplete, an exec of a
 * file in no directory) is judged by what it could be: the first deny
 * rule that could match it makes a violation; an allow rule that could
 * match cannot be shown to, and is passed over; with no deny, the
 * default does. */
static int judge_unknown(struct ctx *c, const struct item *it, int net)
{
	struct policy *p = c->p;
	int s;

	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == K_DENY && match3(c, i, it, net))
			return add_item_violation(c, i, it);
	s = p->has_default[it->fine] ? it->fine :
	    p->has_default[it->coarse] ? it->coarse : -1;
	if (s >= 0 && p->rules[p->default_rule[s]].kind == K_DEFAULT_DENY)
		return add_item_violation(c, p->default_rule[s], it);
	return 0;
}

/* The first rule matching an item's path or the path the process saw,
 * SIZE_MAX when none. */
static size_t first_file_rule(struct ctx *c, const struct item *it)
{
	size_t best = SIZE_MAX;

	best = first_path_rule(c, it->coarse, it, best);
	if (it->fine != it->coarse)
		best = first_path_rule(c, it->fine, it, best);
	if (it->seen) {
		struct item v = *it;

		v.path = it->seen;
		v.len = it->seen_len;
		best = first_path_rule(c, it->coarse, &v, best);
		if (it->fine != it->coarse)
			best = first_path_rule(c, it->fine, &v, best);
	}
	return best;
}

/* The rule deciding a name of an item by itself: the first rule matching
 * it, else the default of the fine subject, then of the coarse one;
 * SIZE_MAX when none. */
static size_t name_rule(struct ctx *c, const struct item *it, const char *path,
			size_t len)
{
	struct policy *p = c->p;
	struct item v = *it;
	size_t best;

	v.path = path;
	v.len = len;
	v.seen = NULL;
	best = first_file_rule(c, &v);
	if (best == SIZE_MAX)
		best = p->has_default[it->fine] ? p->default_rule[it->fine] :
		       p->has_default[it->coarse] ? p->default_rule[it->coarse] :
		       SIZE_MAX;
	return best;
}

static int denies(const struct policy *p, size_t i)
{
	return i != SIZE_MAX && (p->rules[i].kind == K_DENY ||
				 p->rules[i].kind == K_DEFAULT_DENY);
}

static int takes_lexical(const struct policy *p, size_t i)
{
	return i != SIZE_MAX && p->rules[i].kind == K_ALLOW && p->rules[i].lexical;
}

/* Whether a name the run relinked (c->rl) is a directory above p[0..n),
 * or p itself when the item's call follows its last name (a change of
 * the name itself: another entry than the item's own). */
static int relinked_name(const struct ctx *c, const struct item *it,
			 const char *p, size_t n)
{
	int follows = it->fine == S_CHMOD || it->fine == S_CHOWN ||
		      it->fine == S_TRUNCATE || it->fine == S_READ ||
		      it->fine == S_WRITE || it->fine == S_CREATE ||
		      it->fine == S_UTIME || it->fine == S_XATTR;

	for (size_t i = 0; i < c->nrl; i++) {
		const struct relink *r = &c->rl[i];

		if (r->len < n && memcmp(r->path, p, r->len) == 0 &&
		    (p[r->len] == '/' || (r->len == 1 && r->path[0] == '/')))
			return 1;
		if (follows && r->len == n && memcmp(r->path, p, n) == 0)
			return 1;
	}
	return 0;
}

static int relinked(const struct ctx *c, const struct item *it)
{
	return relinked_name(c, it, it->path, it->len) ||
	       (it->seen && relinked_name(c, it, it->seen, it->seen_len));
}

/* A successful call that named its object by a lexical path (a symbolic
 * link or ".." on the way could have led anywhere). Each of its names
 * (path, and the path the process saw) is judged by itself: a deny
 * deciding either makes the violation; an allow that takes lexical paths
 * at their word (path_status=lexical) deciding both lets it pass, unless
 * the run itself made a link at, deleted or renamed a name on its way;
 * otherwise it is judged by what it could be, as judge_unknown does. */
static int judge_lexical(struct ctx *c, const struct item *it, int net)
{
	struct policy *p = c->p;
	size_t bp = name_rule(c, it, it->path, it->len), bs = SIZE_MAX;
	struct item v = *it;

	if (it->seen)
		bs = name_rule(c, it, it->seen, it->seen_len);
	if (denies(p, bp) || denies(p, bs))
		return add_item_violation(c, denies(p, bp) && (!denies(p, bs) || bp < bs) ?
					  bp : bs, it);
	if (takes_lexical(p, bp) && (!it->seen || takes_lexical(p, bs)) &&
	    !relinked(c, it))
		return 0;
	v.unknown = 1;
	return judge_unknown(c, &v, net);
}

static int judge(struct ctx *c, const struct item *it, int net);

/* An item with an odd path that the path it names passes: a deny rule
 * that matches it as the receipt has it, the first rule to match that,
 * still denies it, as before paths were read as the path they name (a
 * ".." after a symbolic link names another directory than the text
 * says), so that no deny rule matches less. */
static int judge_odd_deny(struct ctx *c, const struct item *it, int net)
{
	size_t best;

	if (item_masked(it) || it->unknown || it->lexical)
		return 0;
	best = net == J_NET ? first_net_rule(c, it) : first_file_rule(c, it);
	if (best != SIZE_MAX && c->p->rules[best].kind == K_DENY)
		return add_item_violation(c, best, it);
	return 0;
}

/* An item whose path (or seen path, or unix socket path) is not in the
 * form gh-trace writes is judged by the path it names; its violations
 * show the path as the receipt has it. */
static int judge_odd(struct ctx *c, const struct item *it, int net)
{
	struct gh_buf pb = GH_BUF_INIT, sb = GH_BUF_INIT, ub = GH_BUF_INIT;
	struct item n = *it;
	size_t before = c->v->n;
	int rc = 0;

	if (net == J_NET) {
		rc = gh_path_lex(&ub, it->na.unix_path, it->na.unix_len);
		n.na.unix_path = ub.p;
		n.na.unix_len = ub.len;
	} else {
		if (gh_path_odd(it->path, it->len)) {
			rc = gh_path_lex(&pb, it->path, it->len);
			n.path = pb.p;
			n.len = pb.len;
		}
		if (rc == 0 && it->seen && gh_path_odd(it->seen, it->seen_len)) {
			rc = gh_path_lex(&sb, it->seen, it->seen_len);
			n.seen = sb.p;
			n.seen_len = sb.len;
		}
	}
	rc = rc < 0 ? bad(c, "out of memory") : judge(c, &n, net);
	if (rc == 0 && c->v->n == before)
		rc = judge_odd_deny(c, it, net);
	for (size_t k = before; k < c->v->n; k++) {
		if (c->v->v[k].item == n.path) {
			c->v->v[k].item = it->path;
			c->v->v[k].item_len = it->len;
		}
	}
	gh_buf_release(&pb);
	gh_buf_release(&sb);
	gh_buf_release(&ub);
	return rc;
}

/* Judge one item: the first matching rule decides; with none, the
 * default of the fine subject, then of the coarse one, then allow. A
 * rule matches a file item when it matches its path or the path the
 * process saw. */
static int judge(struct ctx *c, const struct item *it, int net)
{
	struct policy *p = c->p;
	size_t best = SIZE_MAX;

	if ((net == J_PATH && (gh_path_odd(it->path, it->len) ||
			       (it->seen && gh_path_odd(it->seen, it->seen_len)))) ||
	    (net == J_NET && it->na.kind == NA_UNIX &&
	     gh_path_odd(it->na.unix_path, it->na.unix_len)))
		return judge_odd(c, it, net);

	c->v->items++;
	if (item_masked(it)) {
		c->v->masked++;
		if (c->v->allow_redacted)
			return judge_masked(c, it, net);
	}
	if (it->unknown && !item_masked(it))
		return judge_unknown(c, it, net);
	if (it->lexical && !item_masked(it))
		return judge_lexical(c, it, net);
	if (net == J_NET) {
		best = first_net_rule(c, it);
	} else if (net == J_WORD) {
		best = first_word_rule(c, it);
	} else {
		best = first_file_rule(c, it);
	}
	if (best == SIZE_MAX) {
		if (p->has_default[it->fine])
			best = p->default_rule[it->fine];
		else if (p->has_default[it->coarse])
			best = p->default_rule[it->coarse];
		else
			return 0;
	}
	if (p->rules[best].kind == K_DENY || p->rules[best].kind == K_DEFAULT_DENY)
		return add_item_violation(c, best, it);
	return 0;
}

/* --- walking the receipt (lib/receipt's iterators) --------------------- */

static const struct {
	const char *op;
	int coarse, fine;
} file_ops[] = {
	{ "read", S_READ, S_READ },	    { "write", S_WRITE, S_WRITE },
	{ "create", S_WRITE, S_CREATE },    { "truncate", S_WRITE, S_TRUNCATE },
	{ "chmod", S_WRITE, S_CHMOD },	    { "chown", S_WRITE, S_CHOWN },
	{ "mkdir", S_WRITE, S_MKDIR },	    { "symlink", S_WRITE, S_SYMLINK },
	{ "link", S_WRITE, S_LINK },	    { "rename", S_DELETE, S_RENAME },
	{ "delete", S_DELETE, S_UNLINK },   { "rmdir", S_DELETE, S_RMDIR },
	{ "chdir", S_CHDIR, S_CHDIR },
	/* code mapped from a file with no exec of it: judged by the exec
	 * rules, without argv */
	{ "map_exec", S_EXEC, S_EXEC },
};

/* Names of kernel objects that are in no directory (gh-receipt(5)): a
 * path pattern can only match them by their own name. */
static int object_name(const char *p, size_t n)
{
	static const char *const pre[] = { "memfd:", "pipe:", "socket:",
					   "anon_inode:" };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (n >= strlen(pre[i]) && memcmp(p, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* Whether an item is a successful call's lexical path (a failed call
 * acted on nothing: judged by the name it tried). */
static int lexical_ok(const struct item *it, const char *status)
{
	return status && strcmp(status, "lexical") == 0 &&
	       (!it->result || strcmp(it->result, "ok") == 0);
}

/* An item's other view and how its path was found (path_seen and
 * path_status, or target_seen and target_status). */
static void access_view(struct item *it, const char *seen, size_t seen_len,
			const char *status)
{
	it->seen = seen;
	it->seen_len = seen_len;
	it->status = status;
	it->unknown = status && (strcmp(status, "unresolved") == 0 ||
				 strcmp(status, "incomplete") == 0) &&
		      !object_name(it->path, it->len);
	it->lexical = lexical_ok(it, status);
}

/* Whether path is the program of an exec in process_tree (judged there,
 * with its argv): 1, 0, or -1 when the receipt cannot be read. A file
 * executed with no exec of its own (run by the dynamic loader as a
 * program) is judged as its access. */
static int exec_in_tree(struct ctx *c, const char *path, size_t len)
{
	struct gh_riter i = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	int rc;

	while ((rc = gh_receipt_next_proc(c->r, &i, &p)) > 0) {
		for (size_t k = 0; (rc = gh_receipt_proc_exec(c->r, &p, k, &x)) > 0; k++)
			if (x.exe && strlen(x.exe) == len && !memcmp(x.exe, path, len))
				return 1;
		if (rc < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

static int walk_access(struct ctx *c, const struct gh_rfile *f)
{
	struct item it = { 0 }, to;
	size_t k;

	it.path = f->path;
	it.len = f->path_len;
	it.op = f->op;
	it.result = f->result;
	it.pids = f->pids;
	access_view(&it, f->path_seen, f->path_seen_len, f->path_status);
	if (strcmp(f->op, "exec") == 0) {
		/* successful execs are judged from process_tree with their argv */
		if (!it.result || strcmp(it.result, "ok") == 0) {
			/* a script's name is lexical (its interpreter's exec
			 * is judged); a file the kernel named, with no exec
			 * of its own, is judged here */
			int in = it.status ? 1 : exec_in_tree(c, it.path, it.len);

			if (in)
				return in < 0 ? rbad(c) : 0;
		}
		it.coarse = it.fine = S_EXEC;
		it.op = NULL;
		return judge(c, &it, 0);
	}
	for (k = 0; k < sizeof(file_ops) / sizeof(file_ops[0]); k++)
		if (strcmp(file_ops[k].op, f->op) == 0)
			break;
	if (k == sizeof(file_ops) / sizeof(file_ops[0]))
		return 0; /* an operation this version does not know */
	it.coarse = file_ops[k].coarse;
	it.fine = file_ops[k].fine;
	if ((strcmp(f->op, "rename") == 0 || strcmp(f->op, "link") == 0) &&
	    f->target) {
		/* both names: the old one (a rename deletes it, a link
		 * gives it a second name to be read by), then the new
		 * one, written */
		to = it;
		to.path = f->target;
		to.len = f->target_len;
		access_view(&to, f->target_seen, f->target_seen_len,
			    f->target_status);
		it.other_key = "to";
		it.other = f->target;
		if (strcmp(f->op, "link") == 0)
			it.coarse = S_READ;	/* a second name to read it by */
		if (judge(c, &it, 0) < 0)
			return -1;
		to.coarse = S_WRITE;
		to.other_key = "from";
		to.other = it.path;
		return judge(c, &to, 0);
	}
	return judge(c, &it, 0);
}

/* The names the run made a symbolic link at, deleted, or renamed away,
 * successfully (struct relink). */
static int find_relinks(struct ctx *c)
{
	struct gh_riter i = GH_RITER_INIT;
	struct gh_rfile f;
	int rc;

	while ((rc = gh_receipt_next_file(c->r, &i, &f)) > 0) {
		int fine = strcmp(f.op, "symlink") == 0 ? S_SYMLINK :
			   strcmp(f.op, "delete") == 0 ? S_UNLINK :
			   strcmp(f.op, "rename") == 0 ? S_RENAME : -1;
		struct relink *v;

		if (fine < 0 || (f.result && strcmp(f.result, "ok") != 0))
			continue;
		v = realloc(c->rl, (c->nrl + 1 + !!f.path_seen) * sizeof(*v));
		if (!v)
			return bad(c, "out of memory");
		c->rl = v;
		v[c->nrl++] = (struct relink){ f.path, f.path_len, fine };
		if (f.path_seen)
			v[c->nrl++] = (struct relink){ f.path_seen, f.path_seen_len, fine };
	}
	return rc < 0 ? rbad(c) : 0;
}

/* filesystem.accesses, or the path lists of older receipts */
static int walk_files(struct ctx *c)
{
	struct gh_riter i = GH_RITER_INIT;
	struct gh_rfile f;
	int rc;

	while ((rc = gh_receipt_next_file(c->r, &i, &f)) > 0)
		if (walk_access(c, &f) < 0)
			return -1;
	return rc < 0 ? rbad(c) : 0;
}

/* argv[from..] joined by spaces into a new string; with quote, each
 * element as a word a shell reads back to it (as processes[].cmd), so
 * that ["a b"] and ["a", "b"] read apart. */
static int join_argv_as(struct ctx *c, const struct gh_jv *argv, size_t from, int quote,
			char **out, size_t *len)
{
	struct gh_buf b = GH_BUF_INIT;

	gh_buf_grow(&b, 32);
	for (size_t k = from; k < gh_receipt_len(argv); k++) {
		size_t n;
		const char *s = gh_receipt_strv_get(argv, k, &n);

		if (k > from)
			gh_buf_addc(&b, ' ');
		if (quote)
			gh_buf_shell_word(&b, s, n);
		else
			gh_buf_add(&b, s, n);
	}
	if (!b.p)
		return bad(c, "out of memory");
	*out = b.p;
	*len = b.len;
	return 0;
}

/* argv[from..] joined by single spaces, as exec rules match it. */
static int join_argv(struct ctx *c, const struct gh_jv *argv, size_t from, char **out,
		     size_t *len)
{
	return join_argv_as(c, argv, from, 0, out, len);
}

/* The longest command line a violation carries, in bytes: a violation
 * is written for every item, so a command line of megabytes must not be
 * copied into each (the receipt's process_tree has it whole). */
#define CMD_MAX 512

/* Cut *cmd (malloc'ed, *len bytes) longer than CMD_MAX after its last
 * whole word that fits (else on a character boundary), with "..." after:
 * a word cut in two could leave part of a secret that gh-redact then no
 * longer recognizes. */
static int cut_cmd(struct ctx *c, char **cmd, size_t *len)
{
	size_t n = CMD_MAX;
	char *p;

	if (*len <= CMD_MAX)
		return 0;
	while (n > 0 && (*cmd)[n] != ' ')
		n--;
	if (n == 0)
		for (n = CMD_MAX; n > 0 && ((unsigned char)(*cmd)[n] & 0xc0) == 0x80; n--)
			;
	if (!(p = realloc(*cmd, n + 4)))
		return bad(c, "out of memory");
	memcpy(p + n, "...", 4);
	*cmd = p;
	*len = n + 3;
	return 0;
}

/* The command line of argv for messages: its words, shell quoted, cut
 * at CMD_MAX bytes. */
static int quote_argv(struct ctx *c, const struct gh_jv *argv, char **out, size_t *len)
{
	if (join_argv_as(c, argv, 0, 1, out, len) < 0)
		return -1;
	if (cut_cmd(c, out, len) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int cmp_pidcmd(const void *a, const void *b)
{
	const struct pidcmd *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* pid -> command: argv joined, or the older flat lists' cmd (lib/receipt) */
static int build_pids(struct ctx *c)
{
	struct gh_riter i = GH_RITER_INIT;
	struct gh_rproc p;
	size_t cap = 0;
	int rc;

	while ((rc = gh_receipt_next_proc(c->r, &i, &p)) > 0) {
		struct pidcmd *pc;

		if (c->npc == cap) {
			cap = cap ? 2 * cap : 64;
			pc = realloc(c->pc, cap * sizeof(*pc));
			if (!pc)
				return bad(c, "out of memory");
			c->pc = pc;
		}
		pc = &c->pc[c->npc];
		pc->pid = p.pid;
		if (!p.argv) {
			pc->cmd = strdup(p.cmd ? p.cmd : "");
			if (!pc->cmd)
				return bad(c, "out of memory");
			pc->len = strlen(pc->cmd);
			if (cut_cmd(c, &pc->cmd, &pc->len) < 0) {
				free(pc->cmd);
				return -1;
			}
		} else if (quote_argv(c, p.argv, &pc->cmd, &pc->len) < 0) {
			return -1;
		}
		c->npc++;
	}
	if (rc < 0)
		return rbad(c);
	if (c->npc)
		qsort(c->pc, c->npc, sizeof(*c->pc), cmp_pidcmd);
	return 0;
}

static int judge_exec(struct ctx *c, int64_t pid, const struct gh_rexec *x)
{
	struct item it = { 0 };
	char *cmd = NULL, *args = NULL;
	size_t cmd_len, args_len;
	size_t before = c->v->n;
	int rc;

	if (quote_argv(c, x->argv, &cmd, &cmd_len) < 0 ||
	    join_argv(c, x->argv, 1, &args, &args_len) < 0) {
		free(cmd);
		return -1;
	}
	it.coarse = it.fine = S_EXEC;
	it.path = x->exe;
	it.len = strlen(x->exe);
	/* a program in no directory (memfd:NAME) could be any program */
	it.unknown = !it.len || it.path[0] != '/';
	if (it.unknown)
		it.status = "unresolved";
	it.has_pid = 1;
	it.pid = pid;
	it.cmd = cmd;
	it.cmd_len = cmd_len;
	it.args = x->argv ? args : NULL;
	it.args_len = args_len;
	it.argv = x->argv;
	it.argv_cut = x->argv_truncated;
	rc = judge(c, &it, 0);
	free(args);
	if (c->v->n > before) {
		/* the violation keeps the command: hand it to the verdict */
		char **o = realloc(c->v->owned, (c->v->nowned + 1) * sizeof(*o));

		if (!o) {
			free(cmd);
			return bad(c, "out of memory");
		}
		c->v->owned = o;
		o[c->v->nowned++] = cmd;
	} else {
		free(cmd);
	}
	return rc;
}

/* every exec of every process (lib/receipt: before 0.4.0, each process's
 * exe and argv; none from the older flat lists) */
static int walk_execs(struct ctx *c)
{
	struct gh_riter i = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	int rc;

	while ((rc = gh_receipt_next_proc(c->r, &i, &p)) > 0) {
		for (size_t k = 0; (rc = gh_receipt_proc_exec(c->r, &p, k, &x)) > 0; k++)
			if (x.exe && judge_exec(c, p.pid, &x) < 0)
				return -1;
		if (rc < 0)
			break;
	}
	return rc < 0 ? rbad(c) : 0;
}

/* The peers of network.connections that have names, sorted by address:
 * looked up once per attempt (binary search), so that judging is
 * O((n + m) log n) for n peers and m attempts. */
struct peername {
	const char *dst;
	const struct gh_jv *names;
	size_t pos;	/* in network.connections: the first one wins */
};

static int cmp_peername(const void *a, const void *b)
{
	const struct peername *x = a, *y = b;
	int d = strcmp(x->dst, y->dst);

	return d ? d : x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_peerdst(const void *a, const void *b)
{
	return strcmp(((const struct peername *)a)->dst,
		      ((const struct peername *)b)->dst);
}

/* Index conn's names into *out (n entries; the first entry of a dst in
 * the receipt's order wins). 0, or -1 with the message. */
static int index_peer_names(struct ctx *c, const struct gh_jv *conn,
			    struct peername **out, size_t *n)
{
	struct peername *v;
	const struct gh_jv *e, *names;
	const char *d;
	size_t k, m = 0;
	char w[64];

	*out = NULL;
	*n = 0;
	if (!gh_receipt_len(conn))
		return 0;
	v = calloc(gh_receipt_len(conn), sizeof(*v));
	if (!v)
		return bad(c, "out of memory");
	for (k = 0; k < gh_receipt_len(conn); k++) {
		snprintf(w, sizeof(w), "network.connections[%zu]", k);
		if (gh_receipt_eobj(c->r, conn, "network.connections", k, &e) < 0 ||
		    gh_receipt_mstr(c->r, e, w, "dst", &d, NULL) <= 0 ||
		    gh_receipt_mstrv(c->r, e, w, "names", &names) <= 0)
			continue;
		v[m].dst = d;
		v[m].names = names;
		v[m].pos = k;
		m++;
	}
	qsort(v, m, sizeof(*v), cmp_peername);
	*out = v;
	*n = m;
	return 0;
}

/* The names DNS answered the address of peer addr for
 * (network.connections[].names), or NULL. */
static const struct gh_jv *peer_names(const struct peername *v, size_t n,
				      const char *addr)
{
	struct peername key = { addr, NULL, 0 };
	const struct peername *f = n ? bsearch(&key, v, n, sizeof(*v), cmp_peerdst) : NULL;

	/* bsearch finds any of equal dsts: go back to the first */
	while (f && f > v && strcmp(f[-1].dst, addr) == 0)
		f--;
	return f ? f->names : NULL;
}

/* network.attempts (else connections), then inbound */
static int walk_net(struct ctx *c)
{
	struct gh_riter i = GH_RITER_INIT;
	const struct gh_jv *conn = NULL, *dns = NULL;
	struct peername *pn = NULL;
	size_t npn = 0;
	struct gh_rpeer n;
	int rc, known;

	/* names are known where DNS was decoded (network.dns) */
	if (gh_receipt_arr(c->r, "network.dns", &dns) < 0 ||
	    gh_receipt_arr(c->r, "network.connections", &conn) < 0)
		return rbad(c);
	known = dns != NULL;
	if (known && index_peer_names(c, conn, &pn, &npn) < 0)
		return -1;
	while ((rc = gh_receipt_next_peer(c->r, &i, &n)) > 0) {
		struct item it = { 0 };

		it.path = n.addr;
		it.len = strlen(n.addr);
		it.proto = n.protocol;
		it.op = n.op;
		it.result = n.result;
		it.pids = n.pids;
		netaddr_parse(it.path, it.len, &it.na);
		it.na.host = n.host;
		if (!n.inbound && known) {
			const struct gh_jv *nm = peer_names(pn, npn, n.addr);

			it.na.names_known = 1;
			it.na.names = nm;
			it.other_key = "name";
			if (gh_receipt_len(nm))
				it.other = gh_receipt_strv_get(nm, 0, NULL);
		}
		if (n.inbound) {
			it.coarse = S_INBOUND;
			it.fine = !it.op ? S_INBOUND :
				  strcmp(it.op, "bind") == 0 ? S_BIND :
				  strcmp(it.op, "listen") == 0 ? S_LISTEN :
				  strcmp(it.op, "accept") == 0 ? S_ACCEPT : S_INBOUND;
		} else {
			it.coarse = S_CONNECT;
			it.fine = it.op && strcmp(it.op, "send") == 0 ? S_SEND : S_CONNECT;
		}
		if (judge(c, &it, 1) < 0) {
			free(pn);
			return -1;
		}
	}
	free(pn);
	return rc < 0 ? rbad(c) : 0;
}

/* Mount and root changes (the receipt's actions): a "mount" rule judges
 * the mount point (path) and a bind mount's source (source_path), a
 * "chroot" rule the new root. An action that names no path (fsopen,
 * fsmount) could be anywhere. mknod, xattr and utime judge their file
 * (coarse subject write) the way file accesses are judged: a file in no
 * directory by its name (objects), else by what it could be when its
 * path is unresolved or incomplete, or absent. */
static int judge_action_item(struct ctx *c, const struct gh_jv *e,
			     const char *w, int coarse, int fine, const char *key,
			     const char *okey, const char *other, const char *args,
			     int objects)
{
	const char *path, *seen, *status, *sys, *result;
	size_t len = 0, seen_len = 0;
	struct item it = { 0 };
	char k[32];
	int has;

	if ((has = gh_receipt_mstr(c->r, e, w, key, &path, &len)) < 0 ||
	    gh_receipt_mstr(c->r, e, w, "syscall", &sys, NULL) < 0 ||
	    gh_receipt_mstr(c->r, e, w, "result", &result, NULL) < 0 ||
	    gh_receipt_mintv(c->r, e, w, "pids", &it.pids) < 0)
		return rbad(c);
	snprintf(k, sizeof(k), "%s_seen", key);
	if (gh_receipt_mstr(c->r, e, w, k, &seen, &seen_len) < 0)
		return rbad(c);
	snprintf(k, sizeof(k), "%s_status", key);
	if (gh_receipt_mstr(c->r, e, w, k, &status, NULL) < 0)
		return rbad(c);
	it.coarse = coarse;
	it.fine = fine;
	it.path = has ? path : "";
	it.len = has ? len : 0;
	it.op = sys;
	it.result = result;
	it.seen = seen;
	it.seen_len = seen_len;
	it.status = has ? status : "unresolved";
	it.unknown = !has || (status && (strcmp(status, "unresolved") == 0 ||
					 strcmp(status, "incomplete") == 0) &&
			      !(objects && object_name(it.path, it.len)));
	it.lexical = has && lexical_ok(&it, status);
	it.other_key = okey;
	it.other = other;
	if (args) {
		it.args = args;
		it.args_len = strlen(args);
	}
	return judge(c, &it, J_PATH);
}

static int judge_action_path(struct ctx *c, const struct gh_jv *e,
			     const char *w, int subj, const char *key,
			     const char *okey, const char *other)
{
	return judge_action_item(c, e, w, subj, subj, key, okey, other, NULL, 0);
}

/* A word item (namespace kind, foreign or tree, bpf command); word NULL:
 * not known, judged by what it could be. */
static int judge_action_word(struct ctx *c, const struct gh_jv *e,
			     const char *w, int subj, const char *word,
			     const char *args)
{
	const char *sys, *result;
	struct item it = { 0 };

	if (gh_receipt_mstr(c->r, e, w, "syscall", &sys, NULL) < 0 ||
	    gh_receipt_mstr(c->r, e, w, "result", &result, NULL) < 0 ||
	    gh_receipt_mintv(c->r, e, w, "pids", &it.pids) < 0)
		return rbad(c);
	it.coarse = it.fine = subj;
	it.path = word ? word : "unknown";
	it.len = strlen(it.path);
	it.unknown = !word;
	it.op = sys;
	it.result = result;
	if (args) {
		it.args = args;
		it.args_len = strlen(args);
		it.other_key = subject_name(subj);
		it.other = args;
	}
	return judge(c, &it, J_WORD);
}

/* CLONE_NEW* bits in the order of policy_ns_kind(). */
static const uint64_t ns_bits[] = { 0x00020000, 0x02000000, 0x04000000,
				    0x08000000, 0x10000000, 0x20000000,
				    0x40000000, 0x00000080 };

/* One item per namespace kind a namespace action makes or joins; a setns
 * of any type (0) or flags not recorded: one item of unknown kind. */
static int judge_namespace(struct ctx *c, const struct gh_jv *e, const char *w)
{
	int64_t flags = 0;
	int rc;

	if ((rc = gh_receipt_mint(c->r, e, w, "flags", &flags)) < 0)
		return rbad(c);
	if (rc == 0 || flags == 0)
		return judge_action_word(c, e, w, S_NAMESPACE, NULL, NULL);
	for (size_t b = 0; b < sizeof(ns_bits) / sizeof(ns_bits[0]); b++) {
		if (!((uint64_t)flags & ns_bits[b]))
			continue;
		if (judge_action_word(c, e, w, S_NAMESPACE, policy_ns_kind(b),
				      NULL) < 0)
			return -1;
	}
	return 0;
}

/* Where a controlled process is (in_tree): foreign, tree, or NULL when
 * not known (a process group, every process). */
static int target_word(struct ctx *c, const struct gh_jv *e, const char *w,
		       const char **word)
{
	const struct gh_jv *t;
	int rc = gh_receipt_member(c->r, e, w, "in_tree", GH_JV_BOOL, &t);

	if (rc < 0)
		return rbad(c);
	*word = rc == 0 ? NULL : t->b ? "tree" : "foreign";
	return 0;
}

/* Signal names without SIG (0: the existence check; real-time signals by
 * number). */
static const char *signal_word(int64_t sig)
{
	static const char *const names[] = {
		"0",	"HUP",	"INT",	"QUIT", "ILL",	  "TRAP", "ABRT", "BUS",
		"FPE",	"KILL", "USR1", "SEGV", "USR2",	  "PIPE", "ALRM", "TERM",
		"STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
		"XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",  "PWR",  "SYS",
	};
	static char rt[33][4];

	if (sig >= 0 && sig < 32)
		return names[sig];
	if (sig >= 32 && sig <= 64) {
		snprintf(rt[sig - 32], sizeof(rt[0]), "%d", (int)sig);
		return rt[sig - 32];
	}
	return "";
}

static int action_subject(int s)
{
	return s == S_MOUNT || s == S_CHROOT || s == S_MKNOD || s == S_XATTR ||
	       s == S_UTIME || s == S_NAMESPACE || s == S_PTRACE ||
	       s == S_SIGNAL || s == S_BPF || s == S_WRITE || s == S_SYSCALL ||
	       s == S_READ;
}

/* Every action as its syscall's name (the record type as op). */
static int judge_syscall(struct ctx *c, const struct gh_jv *e, const char *w,
			 const char *type)
{
	const char *sys, *result;
	struct item it = { 0 };

	if (!c->has_subject[S_SYSCALL] && !c->p->has_default[S_SYSCALL])
		return 0;
	if (gh_receipt_mstr(c->r, e, w, "syscall", &sys, NULL) < 0 ||
	    gh_receipt_mstr(c->r, e, w, "result", &result, NULL) < 0 ||
	    gh_receipt_mintv(c->r, e, w, "pids", &it.pids) < 0)
		return rbad(c);
	it.coarse = it.fine = S_SYSCALL;
	it.path = sys ? sys : "unknown";
	it.len = strlen(it.path);
	it.unknown = !sys;
	it.op = type;
	it.result = result;
	return judge(c, &it, J_WORD);
}

static int walk_actions(struct ctx *c)
{
	const struct gh_jv *acts, *e;
	int rc, any = 0;

	for (int s = 0; s < S_COUNT; s++)
		if (action_subject(s) && (c->has_subject[s] || c->p->has_default[s]))
			any = 1;
	if (!any)
		return 0;
	if ((rc = gh_receipt_arr(c->r, "actions", &acts)) < 0)
		return rbad(c);
	for (size_t i = 0; rc > 0 && i < gh_jv_len(acts); i++) {
		const char *t, *path, *src, *sys, *name, *word, *npath;
		char w[48];
		int hp, hs, hn;
		int64_t num;

		snprintf(w, sizeof(w), "actions[%zu]", i);
		if (gh_receipt_eobj(c->r, acts, "actions", i, &e) < 0 ||
		    gh_receipt_mstr(c->r, e, w, "type", &t, NULL) <= 0 ||
		    (hp = gh_receipt_mstr(c->r, e, w, "path", &path, NULL)) < 0 ||
		    (hs = gh_receipt_mstr(c->r, e, w, "source_path", &src, NULL)) < 0) {
			if (!c->r->err[0])
				return bad(c, "%s.type: expected a string", w);
			return rbad(c);
		}
		if (judge_syscall(c, e, w, t) < 0)
			return -1;
		if (strcmp(t, "mount") == 0) {
			if (judge_action_path(c, e, w, S_MOUNT, "path",
					      hs ? "source" : NULL, hs ? src : NULL) < 0 ||
			    (hs && judge_action_path(c, e, w, S_MOUNT, "source_path",
						     hp ? "target" : NULL,
						     hp ? path : NULL) < 0))
				return -1;
			/* move_mount: where the mount goes */
			if ((hn = gh_receipt_mstr(c->r, e, w, "new_path", &npath,
						  NULL)) < 0)
				return rbad(c);
			if (hn && judge_action_path(c, e, w, S_MOUNT, "new_path",
						    hp ? "from" : NULL,
						    hp ? path : NULL) < 0)
				return -1;
		} else if (strcmp(t, "chroot") == 0 || strcmp(t, "pivot_root") == 0) {
			if (judge_action_path(c, e, w, S_CHROOT, "path", NULL, NULL) < 0)
				return -1;
		} else if (strcmp(t, "mknod") == 0 || strcmp(t, "utime") == 0) {
			if (judge_action_item(c, e, w, S_WRITE,
					      t[0] == 'm' ? S_MKNOD : S_UTIME, "path",
					      NULL, NULL, NULL, 1) < 0)
				return -1;
		} else if (strcmp(t, "setxattr") == 0 || strcmp(t, "removexattr") == 0) {
			if (gh_receipt_mstr(c->r, e, w, "name", &name, NULL) < 0)
				return rbad(c);
			if (judge_action_item(c, e, w, S_WRITE, S_XATTR, "path",
					      name ? "name" : NULL, name,
					      name ? name : "", 1) < 0)
				return -1;
		} else if (strcmp(t, "namespace") == 0) {
			if (judge_namespace(c, e, w) < 0)
				return -1;
		} else if (strcmp(t, "ptrace") == 0 || strcmp(t, "process_vm") == 0 ||
			   strcmp(t, "pidfd") == 0) {
			if (gh_receipt_mstr(c->r, e, w, "syscall", &sys, NULL) < 0)
				return rbad(c);
			if (strcmp(t, "pidfd") == 0 && (!sys || strcmp(sys, "pidfd_getfd") != 0))
				continue; /* pidfd_open controls nothing yet */
			if (target_word(c, e, w, &word) < 0 ||
			    judge_action_word(c, e, w, S_PTRACE, word, NULL) < 0)
				return -1;
		} else if (strcmp(t, "signal") == 0) {
			if ((hp = gh_receipt_mint(c->r, e, w, "signal", &num)) < 0)
				return rbad(c);
			if (target_word(c, e, w, &word) < 0 ||
			    judge_action_word(c, e, w, S_SIGNAL, word,
					      hp ? signal_word(num) : "") < 0)
				return -1;
		} else if (strcmp(t, "fd_received") == 0) {
			/* a file another process opened, now the receiver's
			 * to read, and to write when it was opened so (the
			 * mode is not recorded): judged as both */
			if (judge_action_item(c, e, w, S_READ, S_READ, "path",
					      NULL, NULL, NULL, 1) < 0 ||
			    judge_action_item(c, e, w, S_WRITE, S_WRITE, "path",
					      NULL, NULL, NULL, 1) < 0)
				return -1;
		} else if (strcmp(t, "bpf") == 0) {
			if ((hp = gh_receipt_mint(c->r, e, w, "cmd", &num)) < 0)
				return rbad(c);
			if (judge_action_word(c, e, w, S_BPF,
					      hp ? policy_bpf_cmd(num) : NULL, NULL) < 0)
				return -1;
		}
	}
	return 0;
}

/* --- limits and requirements -------------------------------------------- */

/* A measurement at a dotted path: 1 found, 0 absent or null, -1 not a
 * non-negative integer. */
static int int_at(struct ctx *c, const char *path, int64_t *out)
{
	int rc = gh_receipt_int(c->r, path, out);

	if (rc < 0 || (rc && *out < 0))
		return bad(c, "%s: expected a non-negative integer", path);
	return rc;
}

static int array_at(struct ctx *c, const char *path, const struct gh_jv **out)
{
	int rc = gh_receipt_arr(c->r, path, out);

	return rc < 0 ? rbad(c) : rc;
}

/* a + b of non-negative counts, INT64_MAX where the sum would not fit:
 * counts that wrap around to a small or negative total would pass a
 * limit. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

static int sum_counts(struct ctx *c, const struct gh_jv *list, const char *where,
		      int64_t *out)
{
	*out = 0;
	for (size_t i = 0; i < gh_jv_len(list); i++) {
		const struct gh_jv *e;
		char w[48];
		int64_t n;
		int rc;

		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (gh_receipt_eobj(c->r, list, where, i, &e) < 0 ||
		    (rc = gh_receipt_mint(c->r, e, w, "count", &n)) < 0)
			return rbad(c);
		if (rc && n < 0)
			return bad(c, "%s.count: expected a non-negative integer", w);
		*out = sat_add(*out, rc ? n : 1);
	}
	return 0;
}

/* 1: *val measured; 0: not recorded; -1: bad receipt */
static int measure(struct ctx *c, int field, int64_t *val)
{
	const struct gh_jv *list;
	int rc;

	switch (field) {
	case L_DURATION_MS:
		/* the receipt's own member first, as lib/receipt reads it */
		rc = int_at(c, "duration_ms", val);
		return rc ? rc : int_at(c, "timing.duration_ms", val);
	case L_CPU_TIME_MS:
		rc = int_at(c, "resources.cpu_time_ms", val);
		return rc ? rc : int_at(c, "timing.cpu_time_ms", val);
	case L_MAX_RSS_KB:
		return int_at(c, "resources.max_rss_kb", val);
	case L_EXIT_CODE:
		return int_at(c, "exit_code", val);
	case L_FAILED:
		return int_at(c, "filesystem.failed", val);
	case L_BYTES_SENT: {
		const struct gh_jv *net;

		rc = int_at(c, "network.bytes_sent", val);
		if (rc)
			return rc;
		/* null means none seen */
		if ((rc = gh_receipt_obj(c->r, "network", &net)) <= 0)
			return rc < 0 ? rbad(c) : 0;
		*val = 0;
		return gh_jv_get(net, "bytes_sent") != NULL;
	}
	case L_LOST: {
		int64_t a = 0, b = 0, d = 0;
		int r1 = int_at(c, "loss.ringbuf", &a), r2, r3;

		if (r1 < 0 || (r2 = int_at(c, "loss.fault", &b)) < 0 ||
		    (r3 = int_at(c, "loss.truncated", &d)) < 0)
			return -1;
		*val = sat_add(sat_add(a, b), d);
		return r1 || r2 || r3;
	}
	case L_PROCESSES: {
		size_t n;

		if ((rc = gh_receipt_nprocs(c->r, &n)) <= 0)
			return rc < 0 ? rbad(c) : 0;
		*val = (int64_t)n;
		return 1;
	}
	case L_EXECS: {
		size_t n;

		/* as exec rules read them: before 0.4.0, each process's exe */
		if ((rc = gh_receipt_nexecs(c->r, &n)) <= 0)
			return rc < 0 ? rbad(c) : 0;
		*val = (int64_t)n;
		return 1;
	}
	case L_ATTEMPTS:
	case L_INBOUND:
		rc = array_at(c, field == L_ATTEMPTS ? "network.attempts" : "network.inbound",
			      &list);
		if (rc <= 0)
			return rc;
		return sum_counts(c, list, field == L_ATTEMPTS ? "network.attempts" :
				  "network.inbound", val) < 0 ? -1 : 1;
	case L_CONNECTIONS:
		rc = array_at(c, "network.connections", &list);
		break;
	case L_READS:
	case L_WRITES:
	case L_DELETES:
		/* 0.3.0's and 0.4.0's reads, writes, deletes; v0's read and
		 * written */
		rc = gh_receipt_paths(c->r, field == L_READS ? GH_RPATHS_READ :
				      field == L_WRITES ? GH_RPATHS_WRITE :
				      GH_RPATHS_DELETE, &list);
		if (rc < 0)
			return rbad(c);
		break;
	case L_ACCESSES:
		rc = array_at(c, "filesystem.accesses", &list);
		break;
	default:
		return 0;
	}
	if (rc <= 0)
		return rc;
	*val = gh_jv_len(list);
	return 1;
}

static int check_limit(struct ctx *c, size_t i)
{
	const struct rule *r = &c->p->rules[i];
	struct violation *x;
	int64_t val = 0;
	int rc = measure(c, r->field, &val);

	if (rc < 0)
		return -1;
	if (rc == 1 && val <= r->max)
		return 0;
	x = new_violation(c, i);
	if (!x)
		return bad(c, "out of memory");
	x->value = rc == 1 ? val : -1;
	x->note = strdup(rc == 1 ? "" : "not recorded");
	if (rc == 1) {
		free(x->note);
		if (asprintf(&x->note, "%lld exceeds %lld", (long long)val,
			     (long long)r->max) < 0)
			x->note = NULL;
	}
	return x->note ? 0 : bad(c, "out of memory");
}

/* A violation of rule i when member key is not want: the note is the
 * value found ("not recorded" when absent) and the completeness reasons
 * (those starting with prefix, when given). */
static int check_state(struct ctx *c, size_t i, const char *key, const char *want,
		       const char *prefix)
{
	const struct gh_jv *reasons;
	const char *val, *s;
	size_t len;
	struct gh_buf b = GH_BUF_INIT;
	struct violation *x;
	int n = 0;

	if (gh_receipt_str(c->r, key, &val, &len) < 0 ||
	    gh_receipt_mstrv(c->r, c->r->root, "", "completeness_reasons", &reasons) < 0)
		return rbad(c);
	if (val && strcmp(val, want) == 0)
		return 0;
	if (!val)
		gh_buf_adds(&b, "not recorded");
	else
		esc_add(&b, val, len);
	for (size_t k = 0; (s = gh_receipt_strv_get(reasons, k, &len)); k++) {
		if (prefix && strncmp(s, prefix, strlen(prefix)) != 0)
			continue;
		gh_buf_adds(&b, n++ ? "; " : " (");
		esc_add(&b, s, len);
	}
	if (n)
		gh_buf_addc(&b, ')');
	x = new_violation(c, i);
	if (!x || !b.p) {
		gh_buf_release(&b);
		return bad(c, "out of memory");
	}
	x->note = b.p;
	return 0;
}

/* require complete: completeness "closed"; the note gives the reasons */
static int check_complete(struct ctx *c, size_t i)
{
	return check_state(c, i, "completeness", "closed", NULL);
}

/* Built in: audit was active (observation_mode "ebpf"). The note is the
 * mode found and the reasons audit was unavailable. */
static int check_audit(struct ctx *c, size_t i)
{
	return check_state(c, i, "observation_mode", "ebpf", "audit ");
}

static int check_signed(struct ctx *c, size_t i)
{
	const struct rule *r = &c->p->rules[i];
	const struct gh_jv *sig;
	const char *key = NULL;
	size_t len;
	struct violation *x;
	char *note = NULL;

	if (gh_receipt_obj(c->r, "signature", &sig) < 0 ||
	    gh_receipt_mstr(c->r, sig, "signature", "key", &key, &len) < 0)
		return rbad(c);
	if (!sig) {
		note = strdup("no signature");
	} else if (!r->key[0]) {
		return 0;
	} else if (!key) {
		note = strdup("the signature names no key");
	} else if (strcasecmp(key, r->key) == 0) {
		return 0;
	} else {
		struct gh_buf b = GH_BUF_INIT;

		gh_buf_adds(&b, "signed by key ");
		esc_add(&b, key, len);
		note = b.p;
	}
	x = new_violation(c, i);
	if (!x || !note) {
		free(note);
		return bad(c, "out of memory");
	}
	x->note = note;
	return 0;
}

int64_t receipt_redactions(const struct gh_jv *r)
{
	const struct gh_jv *list = gh_jv_get(r, "redactions"), *e, *n;
	int64_t sum = 0;

	for (size_t i = 0; gh_jv_is(list, GH_JV_ARRAY) && i < gh_jv_len(list); i++) {
		e = gh_jv_idx(list, i);
		n = gh_jv_get(e, "count");
		if (gh_jv_is(n, GH_JV_INT)) {
			if (gh_jv_int(n) > 0)
				sum += gh_jv_int(n);
		} else {
			sum += 1; /* an older form: a masked value listed */
		}
	}
	return sum;
}

int policy_eval(struct policy *p, const struct gh_jv *r, struct verdict *v,
		char *err, size_t errlen)
{
	struct gh_receipt rr;
	struct ctx c = { .p = p, .v = v, .r = &rr, .err = err, .errlen = errlen };
	const char *cwd = NULL;
	double t0 = now_ms(), t1;
	int rc = -1;

	err[0] = '\0';
	/* a receipt of a version this program knows, and where it ran */
	rc = gh_receipt_attach(&rr, r, NULL);
	if (rc == 0)
		rc = gh_receipt_cwd(&rr, &cwd);
	if (rc < 0) {
		bad(&c, "%s", rc == -ENOMEM ? strerror(ENOMEM) : rr.err);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (compile(&c, cwd) < 0)
		goto out;
	if (build_pids(&c) < 0)
		goto out;
	t1 = now_ms();
	v->ms_index = t1 - t0;
	if (find_relinks(&c) < 0 ||
	    walk_files(&c) < 0 || walk_execs(&c) < 0 || walk_net(&c) < 0 ||
	    walk_actions(&c) < 0)
		goto out;
	for (size_t i = 0; i < p->nrules; i++) {
		int k = p->rules[i].kind;

		if (p->rules[i].off)
			continue;
		if ((k == K_REQUIRE_AUDIT && check_audit(&c, i) < 0) ||
		    (k == K_LIMIT && check_limit(&c, i) < 0) ||
		    (k == K_REQUIRE_COMPLETE && check_complete(&c, i) < 0) ||
		    (k == K_REQUIRE_SIGNED && check_signed(&c, i) < 0))
			goto out;
	}
	v->ms_eval = now_ms() - t1;
	rc = 0;
out:
	gh_receipt_release(&rr);
	ix_release(&c.ix);
	gh_buf_release(&c.scratch);
	for (size_t i = 0; c.globs && i < p->nrules; i++) {
		for (size_t k = 0; c.globs[i] && k < p->rules[i].npats; k++) {
			gh_glob_free(c.globs[i][k]);
			free(c.bound[i][k]);
		}
		free(c.globs[i]);
		free(c.bound[i]);
	}
	free(c.globs);
	free(c.bound);
	free(c.rl);
	/* the pid table's commands are borrowed by violations */
	for (size_t i = 0; i < c.npc; i++) {
		char **o = realloc(v->owned, (v->nowned + 1) * sizeof(*o));

		if (!o) {
			free(c.pc[i].cmd);
			continue;
		}
		v->owned = o;
		o[v->nowned++] = c.pc[i].cmd;
	}
	free(c.pc);
	return rc;
}

/* --- finishing ---------------------------------------------------------- */

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int d = memcmp(a, b, al < bl ? al : bl);

	return d ? d : (al > bl) - (al < bl);
}

static int cmp_violation(const void *pa, const void *pb)
{
	const struct violation *a = pa, *b = pb;
	int d;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->item && b->item &&
	    (d = cmp_bytes(a->item, a->item_len, b->item, b->item_len)))
		return d;
	if ((d = strcmp(a->subject ? a->subject : "", b->subject ? b->subject : "")))
		return d;
	if ((d = strcmp(a->detail ? a->detail : "", b->detail ? b->detail : "")))
		return d;
	if (a->has_pid != b->has_pid)
		return a->has_pid - b->has_pid;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return cmp_bytes(a->cmd ? a->cmd : "", a->cmd_len, b->cmd ? b->cmd : "",
			 b->cmd_len);
}

/* The same (rule, item, subject, detail): one group. */
static int same_group(const struct violation *a, const struct violation *b)
{
	if (a->rule != b->rule || !a->item || !b->item)
		return 0;
	return cmp_bytes(a->item, a->item_len, b->item, b->item_len) == 0 &&
	       strcmp(a->subject ? a->subject : "", b->subject ? b->subject : "") == 0 &&
	       strcmp(a->detail ? a->detail : "", b->detail ? b->detail : "") == 0;
}

/* The line of a group: the first violation's line, its process part
 * replaced by the number of processes when there are several. */
static int group_message(const struct verdict *v, struct group *g)
{
	const struct violation *x = &v->v[g->first];
	struct gh_buf b = GH_BUF_INIT;
	const char *by;

	if (g->n == 1 || !x->has_pid) {
		g->message = strdup(x->message);
		return g->message ? 0 : -ENOMEM;
	}
	by = x->message + x->by;
	gh_buf_add(&b, x->message, x->by);
	gh_buf_printf(&b, " by %zu processes, first pid%s", g->n,
		      by + strlen(" by pid"));
	if (!b.p)
		return -ENOMEM;
	g->message = b.p;
	return 0;
}

static void violation_release(struct violation *x)
{
	free(x->detail);
	free(x->note);
	free(x->message);
}

int verdict_finish(const struct policy *p, struct verdict *v)
{
	size_t w = 0;

	if (v->n)
		qsort(v->v, v->n, sizeof(*v->v), cmp_violation);
	for (size_t i = 0; i < v->n; i++) {
		if (w && cmp_violation(&v->v[w - 1], &v->v[i]) == 0) {
			violation_release(&v->v[i]);
			continue;
		}
		v->v[w++] = v->v[i];
	}
	v->n = w;
	for (size_t i = 0; i < v->n; i++) {
		struct violation *x = &v->v[i];
		const struct rule *r = &p->rules[x->rule];
		struct gh_buf b = GH_BUF_INIT;

		if (r->line)
			gh_buf_printf(&b, "%s:%lu: ", r->file, r->line);
		else
			gh_buf_printf(&b, "%s: ", r->file);
		switch (r->kind) {
		case K_DENY:
		case K_DEFAULT_DENY:
			gh_buf_printf(&b, "%s%s ", r->kind == K_DENY ? "deny " :
				      "default deny ", x->subject);
			esc_add(&b, x->item, x->item_len);
			if (x->detail)
				gh_buf_adds(&b, x->detail);
			x->by = b.len;
			if (x->has_pid) {
				gh_buf_printf(&b, " by pid %lld", (long long)x->pid);
				if (x->cmd) {
					gh_buf_adds(&b, " (");
					esc_add(&b, x->cmd, x->cmd_len);
					gh_buf_addc(&b, ')');
				}
			}
			break;
		case K_LIMIT:
			gh_buf_printf(&b, "limit %s: %s", r->subject_word, x->note);
			break;
		case K_REQUIRE_COMPLETE:
			gh_buf_printf(&b, "require complete%s: %s",
				      x->rule == RULE_COMPLETE ?
				      " (default; 'allow partial' lifts it)" : "",
				      x->note);
			break;
		case K_REQUIRE_AUDIT:
			gh_buf_printf(&b, "require audit (always): %s", x->note);
			break;
		default:
			gh_buf_printf(&b, "require signed%s%s: %s", r->key[0] ? " " : "",
				      r->key, x->note);
			break;
		}
		if (!b.p)
			return -ENOMEM;
		x->message = b.p;
	}
	v->g = calloc(v->n + 1, sizeof(*v->g));
	if (!v->g)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		if (v->ng && same_group(&v->v[v->g[v->ng - 1].first], &v->v[i])) {
			v->g[v->ng - 1].n++;
			continue;
		}
		if (!i || v->v[i - 1].rule != v->v[i].rule)
			v->nrules++;
		v->g[v->ng].first = i;
		v->g[v->ng].n = 1;
		v->ng++;
	}
	for (size_t i = 0; i < v->ng; i++)
		if (group_message(v, &v->g[i]) < 0)
			return -ENOMEM;
	return 0;
}

void verdict_release(struct verdict *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		violation_release(&v->v[i]);
	free(v->v);
	for (size_t i = 0; v->g && i < v->ng; i++)
		free(v->g[i].message);
	free(v->g);
	for (size_t i = 0; i < v->nowned; i++)
		free(v->owned[i]);
	free(v->owned);
	memset(v, 0, sizeof(*v));
}
