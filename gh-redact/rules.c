/* What gh-redact masks inside one string: -m globs, the home prefix and the
 * default secret rules. See gh-redact(1) for the rules as users see them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

#define R_OPTION "default:secret-option"
#define R_ENV "default:secret-env"
#define R_URL "default:url-password"
#define R_AWS "default:aws-access-key"
#define R_GITHUB "default:github-token"
#define R_GITLAB "default:gitlab-token"
#define R_SLACK "default:slack-token"
#define R_JWT "default:jwt"
#define R_BEARER "default:bearer-token"
#define R_HEADER "default:secret-header"
#define R_PRIVKEY "default:private-key"
#define R_QUERY "default:url-query"
/* Looking for paths in a string took too long: the rest is masked. */
#define R_LIMIT "limit:path-scan"

/* ---- spans and tallies ---- */

int spans_add(struct spans *sp, size_t start, size_t end, const char *rule)
{
	if (start >= end)
		return 0;
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? 2 * sp->cap : 8;
		struct span *v = realloc(sp->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sp->v = v;
		sp->cap = cap;
	}
	sp->v[sp->n++] = (struct span){ start, end, rule };
	return 0;
}

void spans_release(struct spans *sp)
{
	free(sp->v);
	sp->v = NULL;
	sp->n = sp->cap = 0;
}

int tally_add(struct tally *t, const char *rule, long n)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].rule, rule) == 0) {
			t->v[i].count += n;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct tally_ent *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].rule = strdup(rule);
	if (!t->v[t->n].rule)
		return -ENOMEM;
	t->v[t->n++].count = n;
	return 0;
}

int tally_merge(struct tally *dst, const struct tally *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (tally_add(dst, src->v[i].rule, src->v[i].count) < 0)
			return -ENOMEM;
	return 0;
}

void tally_release(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].rule);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* FNV-1a of the SWEEP_MIN bytes at s: the key of the length groups of
 * masked values that start alike. */
static uint32_t mhash(const char *s)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < SWEEP_MIN; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

#define FNV64_INIT 14695981039346656037ull
#define FNV64_PRIME 1099511628211ull

static uint64_t fhash(const char *s, size_t n)
{
	uint64_t h = FNV64_INIT;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV64_PRIME;
	return h;
}

static size_t fbucket(const struct redactor *r, uint64_t h, size_t len)
{
	return (size_t)((h ^ (h >> 32) ^ len) & (r->mcap - 1));
}

/* The masked value s[0..n) whose whole hash is h, or MASKED_NONE. */
static uint32_t masked_find(const struct redactor *r, const char *s, size_t n,
			    uint64_t h)
{
	if (!r->mcap)
		return MASKED_NONE;
	for (uint32_t k = r->mhead[fbucket(r, h, n)]; k != MASKED_NONE;
	     k = r->mnext[k]) {
		const struct masked *m = &r->masked[k];

		if (m->h == h && m->len == n && !memcmp(m->s, s, n))
			return k;
	}
	return MASKED_NONE;
}

/* Put masked[i] in the index of whole values, growing it to twice the
 * values. */
static int mindex_add(struct redactor *r, size_t i)
{
	if ((i + 1) * 2 > r->mcap) {
		size_t cap = r->mcap ? 2 * r->mcap : 64;
		uint32_t *head = malloc(cap * sizeof(*head));

		if (!head)
			return -ENOMEM;
		for (size_t b = 0; b < cap; b++)
			head[b] = MASKED_NONE;
		free(r->mhead);
		r->mhead = head;
		r->mcap = cap;
		for (size_t k = 0; k < i; k++) {
			size_t b = fbucket(r, r->masked[k].h, r->masked[k].len);

			r->mnext[k] = head[b];
			head[b] = (uint32_t)k;
		}
	}
	{
		size_t b = fbucket(r, r->masked[i].h, r->masked[i].len);

		r->mnext[i] = r->mhead[b];
		r->mhead[b] = (uint32_t)i;
	}
	return 0;
}

/* Link group g into its bucket's chain, kept sorted by length. */
static void group_link(struct redactor *r, uint32_t g)
{
	uint32_t *p = &r->ghead[r->groups[g].ph & (r->gcap - 1)];

	while (*p != MASKED_NONE && r->groups[*p].len <= r->groups[g].len)
		p = &r->groups[*p].next;
	r->groups[g].next = *p;
	*p = g;
}

/* Note that a masked value of length n starts with the bytes whose
 * mhash() is ph (one group per such start and length). */
static int group_add(struct redactor *r, uint32_t ph, size_t n)
{
	uint32_t g;

	if (r->gcap)
		for (g = r->ghead[ph & (r->gcap - 1)]; g != MASKED_NONE;
		     g = r->groups[g].next)
			if (r->groups[g].ph == ph && r->groups[g].len == n)
				return 0;
	if (r->ngroups == r->capgroups) {
		size_t cap = r->capgroups ? 2 * r->capgroups : 16;
		struct mgroup *v = realloc(r->groups, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->groups = v;
		r->capgroups = cap;
	}
	if ((r->ngroups + 1) * 2 > r->gcap) {
		size_t cap = r->gcap ? 2 * r->gcap : 64;
		uint32_t *head = malloc(cap * sizeof(*head));

		if (!head)
			return -ENOMEM;
		for (size_t b = 0; b < cap; b++)
			head[b] = MASKED_NONE;
		free(r->ghead);
		r->ghead = head;
		r->gcap = cap;
		for (g = 0; g < r->ngroups; g++)
			group_link(r, g);
	}
	g = (uint32_t)r->ngroups++;
	r->groups[g] = (struct mgroup){ ph, (uint32_t)n, MASKED_NONE };
	group_link(r, g);
	return 0;
}

/* The first masked value (lowest index) that s[0..n) starts with, or
 * MASKED_NONE: for each length of the values that start alike, shortest
 * first, the one value of that length and bytes, found by its hash
 * (computed once over the longest). */
static uint32_t masked_at(const struct redactor *r, const char *s, size_t n)
{
	uint32_t best = MASKED_NONE, ph, g, k;
	uint64_t h = FNV64_INIT;
	size_t pos = 0;

	if (n < SWEEP_MIN || !r->gcap)
		return best;
	ph = mhash(s);
	for (g = r->ghead[ph & (r->gcap - 1)]; g != MASKED_NONE;
	     g = r->groups[g].next) {
		const struct mgroup *G = &r->groups[g];

		if (G->len > n)
			break;
		if (G->ph != ph)
			continue;
		for (; pos < G->len; pos++)
			h = (h ^ (unsigned char)s[pos]) * FNV64_PRIME;
		k = masked_find(r, s, G->len, h);
		if (k < best)
			best = k;
	}
	return best;
}

static int remember(struct redactor *r, const char *s, size_t n,
		    const char *rule)
{
	uint64_t h;

	/* Only secrets are searched for elsewhere: a masked path is found
	 * again by the globs themselves, at path boundaries, so that "/secret"
	 * never masks part of "/secretary". */
	if (n < SWEEP_MIN || n > UINT32_MAX || strncmp(rule, "default:", 8) != 0)
		return 0;
	h = fhash(s, n);
	if (masked_find(r, s, n, h) != MASKED_NONE)
		return 0;
	if (r->nmasked >= MASKED_NONE - 1)
		return -ENOMEM;
	if (r->nmasked == r->capmasked) {
		size_t cap = r->capmasked ? 2 * r->capmasked : 16;
		struct masked *v = realloc(r->masked, cap * sizeof(*v));
		uint32_t *next;

		if (!v)
			return -ENOMEM;
		r->masked = v;
		next = realloc(r->mnext, cap * sizeof(*next));
		if (!next)
			return -ENOMEM;
		r->mnext = next;
		r->capmasked = cap;
	}
	r->masked[r->nmasked].s = malloc(n + 1);
	if (!r->masked[r->nmasked].s)
		return -ENOMEM;
	memcpy(r->masked[r->nmasked].s, s, n);
	r->masked[r->nmasked].s[n] = 0;
	r->masked[r->nmasked].len = n;
	r->masked[r->nmasked].h = h;
	r->masked[r->nmasked].rule = rule;
	if (mindex_add(r, r->nmasked) < 0 || group_add(r, mhash(s), n) < 0) {
		free(r->masked[r->nmasked].s);
		return -ENOMEM;
	}
	r->nmasked++;
	return 0;
}

struct ispan {
	struct span sp;
	size_t idx;
};

static int ispan_cmp(const void *a, const void *b)
{
	const struct ispan *x = a, *y = b;

	if (x->sp.start != y->sp.start)
		return x->sp.start < y->sp.start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int spans_apply(struct redactor *r, const char *s, size_t len,
		struct spans *sp, struct gh_buf *out, struct tally *t)
{
	struct ispan *v;
	size_t i, j, pos = 0;
	int written = 0, ret = -ENOMEM;

	out->len = 0;
	if (gh_buf_grow(out, len) < 0)
		return -ENOMEM;
	out->p[0] = 0;
	v = calloc(sp->n ? sp->n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < sp->n; i++)
		v[i] = (struct ispan){ sp->v[i], i };
	qsort(v, sp->n, sizeof(*v), ispan_cmp);
	for (i = 0; i < sp->n; i = j) {
		size_t start = v[i].sp.start, end = v[i].sp.end, best = v[i].idx;
		const char *rule = v[i].sp.rule;

		for (j = i + 1; j < sp->n && v[j].sp.start < end; j++) {
			if (v[j].sp.end > end)
				end = v[j].sp.end;
			/* A mask wins over a home rewrite; among masks, the
			 * rule that was asked first. */
			if (v[j].sp.rule && (!rule || v[j].idx < best)) {
				rule = v[j].sp.rule;
				best = v[j].idx;
			}
		}
		if (gh_buf_add(out, s + pos, start - pos) < 0)
			goto out;
		if (rule) {
			if (mask_text(r, s + start, end - start, out) < 0 ||
			    tally_add(t, rule, 1) < 0 ||
			    remember(r, s + start, end - start, rule) < 0)
				goto out;
		} else {
			if (gh_buf_addc(out, '~') < 0 ||
			    tally_add(t, "--home", 1) < 0)
				goto out;
		}
		pos = end;
		written++;
	}
	if (gh_buf_add(out, s + pos, len - pos) < 0)
		goto out;
	ret = written;
out:
	free(v);
	return ret;
}

/* ---- paths ---- */

static const char *match_glob(const struct redactor *r, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < r->nglobs; i++)
		if (gh_glob_match(r->globs[i], s, n))
			return r->glob_rules[i];
	return NULL;
}

/* 1 when the absolute path s[0..n) is not written the way receipts write
 * paths: a // or a . or .. component, a final /, or a /proc/PID/root
 * prefix (the same file from the process's root). */
static int unusual_path(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '/')
			continue;
		if (i + 1 == n && n > 1)
			return 1;
		if (i + 1 < n && s[i + 1] == '/')
			return 1;
		if (i + 1 < n && s[i + 1] == '.' &&
		    (i + 2 == n || s[i + 2] == '/' ||
		     (s[i + 2] == '.' && (i + 3 == n || s[i + 3] == '/'))))
			return 1;
	}
	return n > 6 && memcmp(s, "/proc/", 6) == 0;
}

/* The length of a /proc/self, /proc/thread-self or /proc/PID prefix of
 * s[0..n), else 0. */
static size_t proc_task(const char *s, size_t n)
{
	size_t i = 6;

	if (n <= 6 || memcmp(s, "/proc/", 6) != 0)
		return 0;
	if (n - i >= 4 && memcmp(s + i, "self", 4) == 0)
		i += 4;
	else if (n - i >= 11 && memcmp(s + i, "thread-self", 11) == 0)
		i += 11;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	return i == 6 ? 0 : i;
}

/* The length of a /proc/self/root, /proc/thread-self/root or
 * /proc/PID/root prefix of the normalized path s (before its final /),
 * else 0. */
static size_t proc_root(const char *s, size_t n)
{
	size_t i = proc_task(s, n);

	if (!i || n - i < 6 || memcmp(s + i, "/root/", 6) != 0)
		return 0;
	return i + 5;
}

/* The length of a /proc/self/cwd, /proc/thread-self/cwd or /proc/PID/cwd
 * prefix of s[0..n) followed by '/' or the end, else 0. */
static size_t proc_cwd(const char *s, size_t n)
{
	size_t i = proc_task(s, n);

	if (!i || n - i < 4 || memcmp(s + i, "/cwd", 4) != 0 ||
	    (n > i + 4 && s[i + 4] != '/'))
		return 0;
	return i + 4;
}

const char *match_path(const struct redactor *r, const char *s, size_t n)
{
	struct gh_buf norm = GH_BUF_INIT;
	const char *rule = match_glob(r, s, n);
	size_t skip;

	/* A path written another way names the same file: /a//b, /a/./b,
	 * /a/x/../b, /a/b/, /proc/self/root/a/b are all /a/b (.. taken
	 * lexically), and a command chooses how it writes its arguments. */
	if (rule || !n || s[0] != '/' || n > SCAN_PATH_MAX || !unusual_path(s, n))
		return rule;
	if (path_join(&norm, NULL, s, n) == 0) {
		skip = proc_root(norm.p, norm.len);
		rule = match_glob(r, norm.p + skip, norm.len - skip);
	}
	gh_buf_release(&norm);
	return rule;
}

int path_join(struct gh_buf *out, const char *base, const char *rel,
	      size_t rel_len)
{
	struct gh_buf raw = GH_BUF_INIT;
	size_t i, start;
	int ret = -ENOMEM;

	out->len = 0;
	if (gh_buf_grow(out, 1) < 0)
		return -ENOMEM;
	out->p[0] = 0;
	if (!(rel_len && rel[0] == '/') && base) {
		if (gh_buf_adds(&raw, base) < 0 || gh_buf_addc(&raw, '/') < 0)
			goto done;
	}
	if (gh_buf_add(&raw, rel, rel_len) < 0)
		goto done;
	/* Walk the components of raw, keeping a stack in out. */
	for (i = 0; i <= raw.len; i = start + 1) {
		size_t n;

		start = i;
		while (start < raw.len && raw.p[start] != '/')
			start++;
		n = start - i;
		if (n == 0 || (n == 1 && raw.p[i] == '.'))
			continue;
		if (n == 2 && raw.p[i] == '.' && raw.p[i + 1] == '.') {
			while (out->len && out->p[out->len - 1] != '/')
				out->len--;
			if (out->len)
				out->len--;
			out->p[out->len] = 0;
			continue;
		}
		if (gh_buf_addc(out, '/') < 0 ||
		    gh_buf_add(out, raw.p + i, n) < 0)
			goto done;
	}
	if (!out->len && gh_buf_addc(out, '/') < 0)
		goto done;
	ret = 0;
done:
	gh_buf_release(&raw);
	return ret;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Characters that end a path written inside a longer string. */
static int is_hard_end(char c)
{
	return is_space(c) || c == '"' || c == '\'' || c == '`' || c == 0 ||
	       c == '|' || c == '&' || c == ';' || c == '<' || c == '>' ||
	       c == '(' || c == ')';
}

/* Characters where a path may end, tried as ends too. */
static int is_soft_end(char c)
{
	return c == ':' || c == ',' || c == '=' || c == ']' || c == '}';
}

/* Characters after which a path may start. */
static int is_path_boundary(char c)
{
	return is_hard_end(c) || is_soft_end(c) || c == '[' || c == '{' ||
	       c == '@' || c == '/';
}

/* Home prefix at s[0..n): 1 when s starts with home followed by the end,
 * '/' or a delimiter. */
static int home_at(const struct redactor *r, const char *s, size_t n)
{
	if (!r->home || n < r->home_len || memcmp(s, r->home, r->home_len))
		return 0;
	return n == r->home_len || s[r->home_len] == '/' ||
	       is_hard_end(s[r->home_len]) || is_soft_end(s[r->home_len]);
}

/* A glob match for the path written at s[0..max), starting there: the
 * shortest candidate that matches, ending before a soft delimiter or at
 * the end of the word. No candidate spans a delimiter followed by '/' or
 * '~' (lists such as "/a:/b" or "/a,/b" are masked item by item), nor more
 * than SCAN_ENDS_MAX delimiters. "~/..." is tried with the home directory
 * in its place. Returns the matched length (0: none) and the rule in
 * *rule; R_LIMIT and the rest of s when the budget of glob matches runs
 * out. */
static size_t path_here(const struct redactor *r, const char *s, size_t max,
			const char **rule, struct gh_buf *tmp, size_t *budget)
{
	size_t ends[SCAN_ENDS_MAX + 1], nends = 0, tok, i;
	int tilde = s[0] == '~';

	for (tok = 0; tok < max && tok <= SCAN_PATH_MAX && !is_hard_end(s[tok]);
	     tok++)
		;
	/* Punctuation after a path in text ("open /x/y: ENOENT") is not
	 * part of it. */
	while (tok > 1 && (s[tok - 1] == ':' || s[tok - 1] == ',' ||
			   s[tok - 1] == '.' || s[tok - 1] == '='))
		tok--;
	for (i = 2; i < tok; i++) {
		if (!is_soft_end(s[i]))
			continue;
		ends[nends++] = i;
		/* A delimiter before another path ends a list item: no
		 * candidate spans it. */
		if ((i + 1 < max && (s[i + 1] == '/' || s[i + 1] == '~')) ||
		    nends == SCAN_ENDS_MAX)
			break;
	}
	if (i >= tok && tok <= SCAN_PATH_MAX)
		ends[nends++] = tok;
	for (i = 0; i < nends; i++) {
		const char *p = s;
		size_t n = ends[i];

		if (tilde) {
			tmp->len = 0;
			if (gh_buf_add(tmp, r->home, r->home_len) < 0 ||
			    gh_buf_add(tmp, s + 1, n - 1) < 0)
				return 0;
			p = tmp->p;
			n = tmp->len;
		}
		if (*budget < r->nglobs) {
			*rule = R_LIMIT;
			return max;
		}
		*budget -= r->nglobs;
		*rule = match_path(r, p, n);
		if (*rule)
			return ends[i];
	}
	return 0;
}

/* 1 when s[i] follows short options written at the start of a word
 * with their value glued on: the path of -C/x, -o/x or tar's -xzf/x. */
static int after_short_opt(const char *s, size_t i)
{
	size_t j = i;

	while (j > 0 && ((s[j - 1] >= 'a' && s[j - 1] <= 'z') ||
			 (s[j - 1] >= 'A' && s[j - 1] <= 'Z') ||
			 (s[j - 1] >= '0' && s[j - 1] <= '9')))
		j--;
	return j < i && j > 0 && s[j - 1] == '-' &&
	       (j == 1 || is_hard_end(s[j - 2]));
}

static int scan_paths(const struct redactor *r, const char *s, size_t n,
		      struct spans *sp)
{
	struct gh_buf tmp = GH_BUF_INIT;
	size_t i = 0, m, budget = SCAN_BUDGET;
	const char *rule;
	int ret = 0;

	while (i < n) {
		int start = (s[i] == '/' ||
			     (s[i] == '~' && r->home && i + 1 < n &&
			      s[i + 1] == '/')) &&
			    (i == 0 || is_path_boundary(s[i - 1]) ||
			     after_short_opt(s, i));

		if (!start) {
			i++;
			continue;
		}
		m = r->nglobs ? path_here(r, s + i, n - i, &rule, &tmp, &budget) :
				   0;
		if (m) {
			ret = spans_add(sp, i, i + m, rule);
			i += m;
		} else if (r->home_rewrite && s[i] == '/' &&
			   home_at(r, s + i, n - i)) {
			ret = spans_add(sp, i, i + r->home_len, NULL);
			i += r->home_len;
		} else {
			i++;
		}
		if (ret < 0)
			break;
	}
	gh_buf_release(&tmp);
	return ret;
}

/* ---- secret shapes ---- */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int is_upnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_b64url(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static int is_tokchar(char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
	       c == '+' || c == '/' || c == '=';
}

static size_t run(const char *s, size_t n, size_t i, int (*ok)(char))
{
	size_t j = i;

	while (j < n && ok(s[j]))
		j++;
	return j - i;
}

static int is_alnum_us(char c)
{
	return is_alnum(c) || c == '_';
}

static int starts_ci(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && strncasecmp(s, w, l) == 0;
}

/* Tokens with a recognisable shape, anywhere in s. */
static int scan_shapes(const char *s, size_t n, struct spans *sp)
{
	size_t i, k;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		char prev = i ? s[i - 1] : 0;
		const char *rest = s + i;
		size_t left = n - i;

		/* AWS access key ids */
		if (!is_alnum(prev) && left >= 20 &&
		    (!memcmp(rest, "AKIA", 4) || !memcmp(rest, "ASIA", 4) ||
		     !memcmp(rest, "ABIA", 4) || !memcmp(rest, "ACCA", 4)) &&
		    run(s, n, i + 4, is_upnum) == 16 &&
		    (left == 20 || !is_alnum(rest[20]))) {
			ret = spans_add(sp, i, i + 20, R_AWS);
			i += 19;
			continue;
		}
		/* GitHub tokens */
		if (!is_alnum_us(prev) && left > 4 && rest[0] == 'g' &&
		    rest[1] == 'h' && strchr("pousr", rest[2]) && rest[2] &&
		    rest[3] == '_' && (k = run(s, n, i + 4, is_alnum)) >= 36) {
			ret = spans_add(sp, i, i + 4 + k, R_GITHUB);
			i += 3 + k;
			continue;
		}
		if (!is_alnum_us(prev) && starts_ci(rest, left, "github_pat_") &&
		    (k = run(s, n, i + 11, is_alnum_us)) >= 22) {
			ret = spans_add(sp, i, i + 11 + k, R_GITHUB);
			i += 10 + k;
			continue;
		}
		if (!is_alnum_us(prev) && left > 6 && !memcmp(rest, "glpat-", 6) &&
		    (k = run(s, n, i + 6, is_b64url)) >= 20) {
			ret = spans_add(sp, i, i + 6 + k, R_GITLAB);
			i += 5 + k;
			continue;
		}
		/* Slack tokens: xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr- */
		if (!is_alnum(prev) && left > 5 && !memcmp(rest, "xox", 3) &&
		    rest[3] && strchr("abposr", rest[3]) && rest[4] == '-' &&
		    (k = run(s, n, i + 5, is_b64url)) >= 10) {
			ret = spans_add(sp, i, i + 5 + k, R_SLACK);
			i += 4 + k;
			continue;
		}
		/* JSON Web Tokens: eyJ...eyJ... */
		if (!is_b64url(prev) && left > 3 && !memcmp(rest, "eyJ", 3)) {
			size_t a = run(s, n, i, is_b64url), b, c;

			if (a >= 10 && i + a < n && s[i + a] == '.' &&
			    i + a + 4 < n && !memcmp(s + i + a + 1, "eyJ", 3) &&
			    (b = run(s, n, i + a + 1, is_b64url)) >= 10 &&
			    i + a + 1 + b < n && s[i + a + 1 + b] == '.') {
				c = run(s, n, i + a + 2 + b, is_b64url);
				ret = spans_add(sp, i, i + a + 2 + b + c, R_JWT);
				i += a + 1 + b + c;
				continue;
			}
		}
		/* "Bearer TOKEN" */
		if (!is_alnum(prev) && starts_ci(rest, left, "bearer") &&
		    left > 7 && (rest[6] == ' ' || rest[6] == '\t')) {
			size_t sp_ = run(s, n, i + 6, is_space);

			k = run(s, n, i + 6 + sp_, is_tokchar);
			if (k >= 8) {
				ret = spans_add(sp, i + 6 + sp_, i + 6 + sp_ + k,
						R_BEARER);
				i += 5 + sp_ + k;
				continue;
			}
		}
		/* "Authorization: SCHEME CREDENTIALS" anywhere (curl -H, git
		 * -c http.extraheader=...): the credentials up to a quote or
		 * the end of the line, or the one word after the colon. */
		if (!is_alnum(prev) && starts_ci(rest, left, "authorization:")) {
			size_t v = i + 14, w, c, e;

			while (v < n && (s[v] == ' ' || s[v] == '\t'))
				v++;
			for (w = v; w < n && !is_space(s[w]) && s[w] != '"' &&
				    s[w] != '\'';)
				w++;
			for (c = w; c < n && (s[c] == ' ' || s[c] == '\t');)
				c++;
			if (c >= n || s[c] == '"' || s[c] == '\'' || s[c] == '\n' ||
			    s[c] == '\r')
				c = v; /* no scheme word */
			for (e = c; e < n && s[e] != '"' && s[e] != '\'' &&
				    s[e] != '\n' && s[e] != '\r';)
				e++;
			while (e > c && is_space(s[e - 1]))
				e--;
			if (e > c) {
				ret = spans_add(sp, c, e, R_HEADER);
				i = e - 1;
				continue;
			}
		}
		/* user:password@ in URLs */
		if (left > 3 && !memcmp(rest, "://", 3) && i > 0 &&
		    isalpha((unsigned char)prev)) {
			size_t u = i + 3, colon = 0, at = 0;

			for (k = u; k < n; k++) {
				char c = s[k];

				if (c == '@') {
					at = k;
					break;
				}
				if (c == '/' || c == '?' || c == '#' ||
				    is_hard_end(c))
					break;
				if (c == ':' && !colon)
					colon = k;
			}
			if (at && colon && colon + 1 < at) {
				ret = spans_add(sp, colon + 1, at, R_URL);
				i = at;
				continue;
			}
		}
		/* PEM private key blocks */
		if (left > 11 && !memcmp(rest, "-----BEGIN ", 11)) {
			const char *eol = memmem(rest + 11, left - 11, "-----", 5);
			const char *pk = memmem(rest + 11, left - 11,
						"PRIVATE KEY", 11);

			if (eol && pk && pk < eol) {
				const char *end = memmem(eol + 5,
							 n - (eol + 5 - s),
							 "-----END ", 9);
				size_t stop = n;

				if (end) {
					const char *close =
						memmem(end + 9, n - (end + 9 - s),
						       "-----", 5);
					stop = close ? (size_t)(close + 5 - s) : n;
				}
				ret = spans_add(sp, i, stop, R_PRIVKEY);
				i = stop - 1;
				continue;
			}
		}
	}
	return ret;
}

/* ---- names that say secret ---- */

static int word_in(const char *w, size_t n, const char *const *set)
{
	for (; *set; set++)
		if (strlen(*set) == n && strncasecmp(w, *set, n) == 0)
			return 1;
	return 0;
}

static const char *const secret_words[] = {
	"token", "tokens", "password", "passwd", "passphrase", "pass", "pw",
	"secret", "secrets", "apikey", "credential", "credentials", "passin",
	"passout", "storepass", "keypass", "srcstorepass", "deststorepass",
	"srckeypass", "destkeypass", NULL,
};
/* Words before "key" that make it a secret key in an option name. */
static const char *const key_words[] = {
	"api", "access", "private", "secret", "auth", "session", "master",
	"encryption", "signing", "account", "storage", "client", "shared",
	"license", "app", NULL,
};
/* Last words of option names whose value names where a secret is, not it. */
static const char *const not_value_words[] = {
	"file", "path", "dir", "stdin", "fd", "env", "cmd", "command",
	"prompt", "id", "length", "len", "type", NULL,
};

static int has_ci(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w), i;

	for (i = 0; i + l <= n; i++)
		if (strncasecmp(s + i, w, l) == 0)
			return 1;
	return 0;
}

static size_t split_words(const char *name, size_t n, const char **w,
			  size_t *wl, size_t max)
{
	size_t i = 0, nw = 0;

	while (i < n && nw < max) {
		size_t j = i;

		while (j < n && name[j] != '-' && name[j] != '_' &&
		       name[j] != '.')
			j++;
		if (j > i) {
			w[nw] = name + i;
			wl[nw++] = j - i;
		}
		i = j + 1;
	}
	return nw;
}

/* Split name at '-', '_' and '.' and look at its words. env: an
 * environment variable name (any "KEY" word counts; PWD alone, the working
 * directory, does not); else an option name, where a value that only
 * says where a secret is (--password-file, --token-stdin) or a negation
 * (--no-password) does not count. */
static int secret_name(const char *name, size_t n, int env)
{
	const char *w[32];
	size_t wl[32], nw, i;
	int found;

	if (!n || n > 128)
		return 0;
	nw = split_words(name, n, w, wl, 32);
	found = has_ci(name, n, "password") || has_ci(name, n, "passwd") ||
		has_ci(name, n, "secret") || has_ci(name, n, "apikey") ||
		has_ci(name, n, "credential");
	for (i = 0; i < nw && !found; i++) {
		if (word_in(w[i], wl[i], secret_words))
			found = 1;
		else if (wl[i] == 3 && !strncasecmp(w[i], "key", 3))
			found = env || (i && word_in(w[i - 1], wl[i - 1], key_words));
		else if (env && wl[i] == 4 && !strncasecmp(w[i], "keys", 4))
			found = 1;
		else if (env && wl[i] == 3 && !strncasecmp(w[i], "pwd", 3))
			found = nw > 1;
	}
	if (!found || env || !nw)
		return found;
	if (wl[0] == 2 && !strncasecmp(w[0], "no", 2))
		return 0;
	return !word_in(w[nw - 1], wl[nw - 1], not_value_words);
}

static int is_env_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alnum_us(s[i]))
			return 0;
	return 1;
}

int detect_env(const struct redactor *r, const char *name, size_t name_len,
	       const char *s, size_t n, struct spans *sp)
{
	size_t off = 0;

	if (!r->secrets)
		return 0;
	if (name_len == (size_t)-1) {
		const char *eq = memchr(s, '=', n);

		if (!eq || !is_env_name(s, eq - s))
			return 0;
		name = s;
		name_len = eq - s;
		off = name_len + 1;
	}
	if (!secret_name(name, name_len, 1))
		return 0;
	return spans_add(sp, off, n, R_ENV);
}

/* ---- command lines ---- */

struct tok {
	const char *s;
	size_t len;
	size_t host, off; /* element of argv and offset in it */
	/* NULL: byte i of s is byte off + i of the element; else map[i] is
	 * its offset there (a word of a script, its quotes taken away) */
	const size_t *map;
};

static const char *const mysql_progs[] = {
	"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow",
	"mysqlcheck", "mysqlpump", "mysqlslap", "mariadb", "mariadb-dump",
	"mariadb-admin", "mariadb-import", "mariadb-show", "mariadb-check",
	"mariadb-slap", NULL,
};

enum { P_MYSQL = 1, P_SSHPASS = 2, P_REDIS = 4, P_CURL = 8, P_REGISTRY = 16,
       P_LOGIN = 32 };

static const char *const registry_progs[] = {
	"docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras",
	NULL,
};

/* A program's name without what stands for a substitution in a script's
 * word ($(true)vault and vault`true` run vault): subst_in_word() keeps
 * the first and the last byte of each, and no program is named so. */
static void subst_trim(const char **s, size_t *n)
{
	while (*n && **s && strchr("$)`", **s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && (*s)[*n - 1] && strchr("$)`", (*s)[*n - 1]))
		(*n)--;
}

static int prog_of(const char *s, size_t n)
{
	const char *slash = memrchr(s, '/', n);

	if (slash) {
		n -= slash + 1 - s;
		s = slash + 1;
	}
	subst_trim(&s, &n);
	if (word_in(s, n, mysql_progs))
		return P_MYSQL;
	if (n == 7 && !memcmp(s, "sshpass", 7))
		return P_SSHPASS;
	if (n == 9 && !memcmp(s, "redis-cli", 9))
		return P_REDIS;
	if (n == 4 && !memcmp(s, "curl", 4))
		return P_CURL;
	if (word_in(s, n, registry_progs))
		return P_REGISTRY;
	return 0;
}

static int add_tok(struct spans *sps, const struct tok *t, size_t from,
		   size_t to, const char *rule)
{
	if (from >= to)
		return 0;
	if (t->map)
		return spans_add(&sps[t->host], t->map[from], t->map[to - 1] + 1,
				 rule);
	return spans_add(&sps[t->host], t->off + from, t->off + to, rule);
}

/* curl's user:password: mask after the first ':'. */
static int add_userpass(struct spans *sps, const struct tok *t, size_t from)
{
	const char *c = memchr(t->s + from, ':', t->len - from);

	if (!c || (size_t)(c - t->s) + 1 >= t->len)
		return 0;
	return add_tok(sps, t, c - t->s + 1, t->len, R_OPTION);
}

/* -c, or a cluster of short options ending in c (-lc, -ec). */
static int is_script_opt(const struct tok *t)
{
	size_t i;

	if (t->len < 2 || t->s[0] != '-' || t->s[t->len - 1] != 'c')
		return 0;
	for (i = 1; i < t->len; i++)
		if (!isalpha((unsigned char)t->s[i]))
			return 0;
	return 1;
}

/* Where the secret starts in the value v of the option NAME: openssl's
 * -pass, -passin and -passout take pass:PASSWORD (only PASSWORD is
 * masked) or say where the password is (env:VAR, file:PATH, fd:N, stdin:
 * (size_t)-1, nothing to mask); any other value is masked whole. */
static size_t pass_arg(const char *name, size_t nl, const char *v, size_t n)
{
	if (!((nl == 4 && !memcmp(name, "pass", 4)) ||
	      (nl == 6 && !memcmp(name, "passin", 6)) ||
	      (nl == 7 && !memcmp(name, "passout", 7))))
		return 0;
	if (n >= 5 && !memcmp(v, "pass:", 5))
		return 5;
	if ((n >= 4 && !memcmp(v, "env:", 4)) ||
	    (n >= 5 && !memcmp(v, "file:", 5)) ||
	    (n >= 3 && !memcmp(v, "fd:", 3)) || (n == 5 && !memcmp(v, "stdin", 5)))
		return (size_t)-1;
	return 0;
}

static int token_rules(const struct redactor *r, struct tok *toks, size_t n,
		       struct spans *sps)
{
	struct spans one = { 0 };
	size_t i, j;
	int progs = 0, ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		struct tok *t = &toks[i];
		const char *s = t->s, *eq, *name;
		size_t len = t->len, nl;
		struct tok *next = i + 1 < n ? &toks[i + 1] : NULL;
		int next_value = next && next->len && next->s[0] != '-';

		if (!len)
			continue;
		/* The script of sh -c (bash -lc, ...) is looked at word by
		 * word only. */
		if (i && is_script_opt(&toks[i - 1]) &&
		    (memchr(s, ' ', len) || memchr(s, '\n', len) ||
		     memchr(s, '\t', len)))
			continue;
		if (s[0] != '-') {
			/* docker login -p, podman login -p: -p is a port
			 * elsewhere in those programs. */
			if ((progs & P_REGISTRY) && len == 5 &&
			    !memcmp(s, "login", 5))
				progs |= P_LOGIN;
			progs |= prog_of(s, len);
			one.n = 0;
			ret = detect_env(r, NULL, (size_t)-1, s, len, &one);
			for (j = 0; j < one.n && ret == 0; j++)
				ret = add_tok(sps, t, one.v[j].start,
					      one.v[j].end, one.v[j].rule);
			continue;
		}
		/* program-specific short options */
		if ((progs & P_MYSQL) && len > 2 && s[1] == 'p') {
			ret = add_tok(sps, t, 2, len, R_OPTION);
			continue;
		}
		if (((progs & (P_SSHPASS | P_LOGIN)) && s[1] == 'p' && len >= 2) ||
		    ((progs & P_REDIS) && s[1] == 'a' && len >= 2)) {
			if (len > 2) {
				ret = add_tok(sps, t, 2, len, R_OPTION);
			} else if (next) {
				ret = add_tok(sps, next, 0, next->len, R_OPTION);
				i++;
			}
			continue;
		}
		if (progs & P_CURL) {
			if ((len == 2 && (s[1] == 'u' || s[1] == 'U')) ||
			    (len == 6 && !memcmp(s, "--user", 6)) ||
			    (len == 12 && !memcmp(s, "--proxy-user", 12))) {
				if (next) {
					ret = add_userpass(sps, next, 0);
					i++;
				}
				continue;
			}
			if (len > 2 && (s[1] == 'u' || s[1] == 'U')) {
				ret = add_userpass(sps, t, 2);
				continue;
			}
			if (len > 7 && !memcmp(s, "--user=", 7)) {
				ret = add_userpass(sps, t, 7);
				continue;
			}
			if (len > 13 && !memcmp(s, "--proxy-user=", 13)) {
				ret = add_userpass(sps, t, 13);
				continue;
			}
		}
		/* --NAME=VALUE, -NAME=VALUE, --NAME VALUE */
		name = s + 1 + (len > 1 && s[1] == '-');
		eq = memchr(name, '=', len - (name - s));
		nl = eq ? (size_t)(eq - name) : len - (name - s);
		if (eq) {
			size_t voff = eq + 1 - s;

			if (secret_name(name, nl, 0)) {
				size_t from = pass_arg(name, nl, eq + 1, len - voff);

				if (from != (size_t)-1)
					ret = add_tok(sps, t, voff + from, len,
						      R_OPTION);
				continue;
			}
			/* --env=NAME=VALUE, --build-arg=NAME=VALUE */
			one.n = 0;
			ret = detect_env(r, NULL, (size_t)-1, eq + 1,
					 len - voff, &one);
			for (j = 0; j < one.n && ret == 0; j++)
				ret = add_tok(sps, t, voff + one.v[j].start,
					      voff + one.v[j].end, one.v[j].rule);
			continue;
		}
		if (nl >= 2 && next_value && secret_name(name, nl, 0)) {
			size_t from = pass_arg(name, nl, next->s, next->len);

			if (from != (size_t)-1)
				ret = add_tok(sps, next, from, next->len,
					      R_OPTION);
			i++;
		}
	}
	spans_release(&one);
	return ret;
}

/* ---- shell scripts ---- */

/* Rules for programs that take a secret by position or by an option of
 * their own. */
#define R_OPENSSL "default:openssl-key"
#define R_HTPASSWD "default:htpasswd-password"
#define R_VAULT "default:vault-token"

/* Scripts held in script words are split this deep, no deeper. */
#define SCRIPT_DEPTH 16

static int tok_is(const struct tok *t, const char *w)
{
	size_t l = strlen(w);

	return t->len == l && !memcmp(t->s, w, l);
}

/* The program a word names: its part after the last '/'. */
static const char *prog_name(const struct tok *t, size_t *n)
{
	const char *slash = memrchr(t->s, '/', t->len);

	const char *p = slash ? slash + 1 : t->s;

	*n = slash ? t->len - (size_t)(slash + 1 - t->s) : t->len;
	subst_trim(&p, n);
	return p;
}

static int is_assignment(const struct tok *t)
{
	const char *eq = memchr(t->s, '=', t->len);

	return eq && is_env_name(t->s, eq - t->s);
}

/* Programs that run the command given after their own options (and
 * after as many other words): short options that take a value. */
static const struct wrapper {
	const char *name;
	const char *argopts;
	int positionals;
} wrappers[] = {
	{ "sudo", "CDghpRrTtUu", 0 }, { "doas", "Cu", 0 },
	{ "env", "CSu", 0 },	      { "timeout", "ks", 1 },
	{ "nice", "n", 0 },	      { "nohup", "", 0 },
	{ "xargs", "aEILnPsd", 0 },   { "exec", "a", 0 },
	{ "command", "", 0 },	      { "time", "fo", 0 },
	{ "stdbuf", "ioe", 0 },	      { "ionice", "cnp", 0 },
	{ "setsid", "", 0 },	      { "chroot", "", 1 },
	{ "nocache", "", 0 },	      { "chronic", "", 0 },
	/* a script run through its #! line: /bin/sh /usr/local/bin/vault */
	{ "sh", "oO", 0 },	      { "bash", "oO", 0 },
	{ "dash", "oO", 0 },	      { "zsh", "oO", 0 },
	{ "ksh", "oO", 0 },	      { "busybox", "", 0 },
	/* builtins, and programs that run the rest of their words */
	{ "builtin", "", 0 },	      { "eval", "", 0 },
	{ "taskset", "", 1 },	      { "watch", "n", 0 },
	{ "flock", "wEc", 1 },	      { "runuser", "ugGcsw", 0 },
	{ "pkexec", "", 0 },	      { "nsenter", "tSGrw", 0 },
	{ "strace", "eoIpsuPSXbEa", 0 }, { "fakeroot", "isl", 0 },
	{ "chrt", "TPD", 1 },	      { "sg", "", 1 },
	{ "unshare", "SGRw", 0 },
	{ NULL, NULL, 0 },
};

/* Long options of the wrappers above that take the next word as value. */
static const char *const wrapper_longargs[] = {
	"user", "group", "host", "prompt", "chdir", "close-from", "role",
	"type", "other-user", "command-timeout", "unset", "split-string",
	"signal", "kill-after", "adjustment", "arg-file", "delimiter",
	"max-args", "max-procs", "max-chars", "max-lines", "format", "output",
	"userspec", "groups", "interval", NULL,
};

/* Shell words that come before a command without being it. */
static const char *const reserved_words[] = {
	"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}",
	NULL,
};

/* Skip a wrapper's options and positionals: the index of the command it
 * runs (n: none). */
static size_t skip_wrapper(const struct wrapper *wr, const struct tok *w,
			   size_t n, size_t i)
{
	int pos = wr->positionals;

	while (i < n) {
		const struct tok *t = &w[i];

		if (tok_is(t, "--"))
			return i + 1 + pos <= n ? i + 1 + pos : n;
		if (t->len >= 2 && t->s[0] == '-' && t->s[1] == '-') {
			i += 1 + (!memchr(t->s, '=', t->len) &&
				  word_in(t->s + 2, t->len - 2, wrapper_longargs));
			continue;
		}
		if (t->len >= 2 && t->s[0] == '-') {
			/* a cluster: the first option that takes a value
			 * takes the rest, or the next word */
			size_t k;

			for (k = 1; k < t->len; k++)
				if (strchr(wr->argopts, t->s[k]))
					break;
			i += 1 + (k == t->len - 1);
			continue;
		}
		if (pos) {
			pos--;
			i++;
			continue;
		}
		return i;
	}
	return n;
}

/* The index of the program a simple command runs: past NAME=VALUE
 * prefixes, reserved words and wrappers (sudo, env, timeout, ...). */
static size_t command_start(const struct tok *w, size_t n)
{
	size_t i = 0;

	/* (each wrapper moves i on: sudo sudo ... ends) */
	while (i < n) {
		const struct wrapper *wr;
		const char *p;
		size_t pl;

		while (i < n && (is_assignment(&w[i]) ||
				 word_in(w[i].s, w[i].len, reserved_words)))
			i++;
		if (i >= n)
			break;
		p = prog_name(&w[i], &pl);
		for (wr = wrappers; wr->name; wr++)
			if (strlen(wr->name) == pl && !memcmp(wr->name, p, pl))
				break;
		if (!wr->name)
			break;
		i = skip_wrapper(wr, w, n, i + 1);
	}
	return i;
}

/* openssl's option at t is -NAME (or --NAME), alone or as -NAME=VALUE:
 * 1 alone, 2 with "=", 0 another word. */
static int openssl_opt(const struct tok *t, const char *name)
{
	size_t d = t->len > 1 && t->s[1] == '-' ? 2 : 1, l = strlen(name);

	if (t->len < d + l || t->s[0] != '-' || memcmp(t->s + d, name, l))
		return 0;
	if (t->len == d + l)
		return 1;
	return t->s[d + l] == '=' ? 2 : 0;
}

/* The key of -macopt's value v[from..]: after key: or hexkey:. */
static int openssl_macopt(const struct tok *v, size_t from, struct spans *sps)
{
	const char *s = v->s + from;
	size_t n = v->len - from;

	if (n > 4 && !memcmp(s, "key:", 4))
		return add_tok(sps, v, from + 4, v->len, R_OPENSSL);
	if (n > 7 && !memcmp(s, "hexkey:", 7))
		return add_tok(sps, v, from + 7, v->len, R_OPENSSL);
	return 0;
}

/* openssl: the passphrase of -k, the key of -K and -hmac, the key of
 * -macopt key:KEY or hexkey:HEX; openssl also reads --NAME for -NAME and
 * -NAME=VALUE for -NAME VALUE. */
static int openssl_rules(const struct tok *w, size_t n, struct spans *sps)
{
	static const char *const keyopts[] = { "k", "K", "hmac" };
	int ret = 0;

	for (size_t i = 1; i < n && ret == 0; i++) {
		const struct tok *t = &w[i];
		int k, f = 0;

		for (k = 0; k < 3 && !f; k++)
			f = openssl_opt(t, keyopts[k]);
		if (f == 2) {
			ret = add_tok(sps, t, (size_t)((const char *)memchr(
						       t->s, '=', t->len) - t->s) + 1,
				      t->len, R_OPENSSL);
		} else if (f == 1 && i + 1 < n) {
			ret = add_tok(sps, &w[i + 1], 0, w[i + 1].len, R_OPENSSL);
			i++;
		} else if ((f = openssl_opt(t, "macopt")) == 2) {
			ret = openssl_macopt(t, (size_t)((const char *)memchr(
						     t->s, '=', t->len) - t->s) + 1,
					     sps);
		} else if (f == 1 && i + 1 < n) {
			ret = openssl_macopt(&w[i + 1], 0, sps);
			i++;
		}
	}
	return ret;
}

/* htpasswd -b [other options] [FILE] USER PASSWORD: the password is the
 * last of the names after the options (-n: no FILE). */
static int htpasswd_rules(const struct tok *w, size_t n, struct spans *sps)
{
	size_t i, npos = 0, pos[3];
	int batch = 0, nofile = 0;

	for (i = 1; i < n; i++) {
		const struct tok *t = &w[i];

		if (npos == 0 && t->len >= 2 && t->s[0] == '-') {
			for (size_t k = 1; k < t->len; k++) {
				batch |= t->s[k] == 'b';
				nofile |= t->s[k] == 'n';
			}
			/* -C COST, -r ROUNDS */
			if (strchr("Cr", t->s[t->len - 1]))
				i++;
			continue;
		}
		if (npos < 3)
			pos[npos] = i;
		npos++;
	}
	if (!batch || npos != (size_t)(nofile ? 2 : 3))
		return 0;
	return add_tok(sps, &w[pos[npos - 1]], 0, w[pos[npos - 1]].len, R_HTPASSWD);
}

/* Options of vault login that take the next word as value. */
static const char *const vault_argopts[] = {
	"method", "path", "address", "agent-address", "namespace", "ns",
	"format", "field", "ca-cert", "ca-path", "client-cert", "client-key",
	"tls-server-name", "mfa", "wrap-ttl", "header", "policy-override",
	NULL,
};

/* vault login TOKEN: a name after the options that is no K=V pair (those
 * are the method's: password=... is masked as NAME=VALUE); "-" reads the
 * token from stdin. */
static int vault_rules(const struct tok *w, size_t n, struct spans *sps)
{
	size_t i;

	if (n < 3 || !tok_is(&w[1], "login"))
		return 0;
	for (i = 2; i < n; i++) {
		const struct tok *t = &w[i];

		if (t->len >= 2 && t->s[0] == '-') {
			size_t d = 1 + (t->s[1] == '-');

			if (!memchr(t->s, '=', t->len) &&
			    word_in(t->s + d, t->len - d, vault_argopts))
				i++;
			continue;
		}
		/* (an empty word is no token: the next word may be) */
		if (!t->len || tok_is(t, "-") || memchr(t->s, '=', t->len))
			continue;
		return add_tok(sps, t, 0, t->len, R_VAULT);
	}
	return 0;
}

static const char *const ldap_progs[] = {
	"ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapwhoami",
	"ldappasswd", "ldapcompare", "ldapmodrdn", "ldapexop", NULL,
};
static const char *const smb_progs[] = {
	"smbclient", "rpcclient", "smbcacls", "smbget", "smbtree", "net", NULL,
};
static const char *const mongo_progs[] = {
	"mongo", "mongosh", "mongodump", "mongorestore", "mongoexport",
	"mongoimport", "mongostat", "mongotop", "mongofiles", NULL,
};

/* A short option of one letter whose value holds a password, glued on
 * (-wPW) or in the next word (-w PW, not an option: -p alone prompts);
 * mask() masks what of the value is secret. */
static int short_secret(const struct tok *w, size_t n, char opt,
			const char *flags,
			int (*mask)(struct spans *, const struct tok *, size_t),
			struct spans *sps)
{
	int ret = 0;

	for (size_t i = 1; i < n && ret == 0; i++) {
		const struct tok *t = &w[i];
		size_t k = 1;

		if (tok_is(t, "--"))
			break;
		if (t->len < 2 || t->s[0] != '-')
			continue;
		/* after options that take no value, as getopt reads a
		 * cluster: -xw PW, -xwPW, -NU user%PW */
		while (k < t->len && t->s[k] && strchr(flags, t->s[k]))
			k++;
		if (k >= t->len || t->s[k] != opt)
			continue;
		if (t->len > k + 1) {
			struct tok v = *t;

			/* the value glued on: a tok that starts after -X */
			v.s += k + 1;
			v.len -= k + 1;
			if (v.map)
				v.map += k + 1;
			else
				v.off += k + 1;
			ret = mask(sps, &v, 0);
		} else if (i + 1 < n && !(w[i + 1].len && w[i + 1].s[0] == '-')) {
			ret = mask(sps, &w[++i], 0);
		}
	}
	return ret;
}

/* Options that take no value: of the ldap tools (-x simple bind, -W
 * prompt, ...), and of the samba tools (-N no password, -k kerberos). */
#define LDAP_FLAGS "cCMnNQvVxZIALtuW"
#define SMB_FLAGS "NkgqE"

static int mask_whole(struct spans *sps, const struct tok *t, size_t from)
{
	return add_tok(sps, t, from, t->len, R_OPTION);
}

/* Samba's user%password: mask after the first '%'. */
static int mask_after_pct(struct spans *sps, const struct tok *t, size_t from)
{
	const char *c = memchr(t->s + from, '%', t->len - from);

	return c ? add_tok(sps, t, c - t->s + 1, t->len, R_OPTION) : 0;
}

/* Rules that look at where a word stands in a simple command. */
static int tool_rules(const struct tok *w, size_t n, struct spans *sps)
{
	size_t i = command_start(w, n), pl;
	const char *p;

	if (i >= n)
		return 0;
	p = prog_name(&w[i], &pl);
	if (pl == 7 && !memcmp(p, "openssl", 7))
		return openssl_rules(w + i, n - i, sps);
	if (pl == 8 && !memcmp(p, "htpasswd", 8))
		return htpasswd_rules(w + i, n - i, sps);
	if (pl == 5 && !memcmp(p, "vault", 5))
		return vault_rules(w + i, n - i, sps);
	if (word_in(p, pl, ldap_progs))
		return short_secret(w + i, n - i, 'w', LDAP_FLAGS, mask_whole,
				    sps);
	if (word_in(p, pl, mongo_progs))
		return short_secret(w + i, n - i, 'p', "", mask_whole, sps);
	if (word_in(p, pl, smb_progs)) {
		int ret = short_secret(w + i, n - i, 'U', SMB_FLAGS,
				       mask_after_pct, sps);

		for (size_t k = i + 1; k < n && ret == 0; k++)
			if (w[k].len > 7 && !memcmp(w[k].s, "--user=", 7))
				ret = mask_after_pct(sps, &w[k], 7);
			else if (tok_is(&w[k], "--user") && k + 1 < n)
				ret = mask_after_pct(sps, &w[++k], 0);
		return ret;
	}
	return 0;
}

/* A simple command being read: its words, unquoted into text, with the
 * offset in the argv element of each byte in map. */
struct cmdbuf {
	char *text;
	size_t *map;
	size_t len, cap;
	struct tok *w;
	size_t nw, capw;
	size_t wstart;	/* where the word being read starts in text */
	int inword;
	int redirect;	/* the next word is a redirection's target */
};

struct lexer {
	const struct redactor *r;
	struct spans *sps;
	size_t host;
	int err;
};

static int lex_script(struct lexer *L, const char *s, size_t n,
		      const size_t *pmap, size_t pbase, int depth);

static void cb_char(struct lexer *L, struct cmdbuf *c, char ch, size_t at)
{
	if (L->err)
		return;
	if (c->len == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		char *t = realloc(c->text, cap);
		size_t *m;

		if (!t) {
			L->err = -ENOMEM;
			return;
		}
		c->text = t;
		m = realloc(c->map, cap * sizeof(*m));
		if (!m) {
			L->err = -ENOMEM;
			return;
		}
		c->map = m;
		c->cap = cap;
	}
	if (!c->inword) {
		c->inword = 1;
		c->wstart = c->len;
	}
	c->text[c->len] = ch;
	c->map[c->len++] = at;
}

/* The word being read is complete (a redirection's target, and a file
 * descriptor number glued before < or >, are dropped). */
static void cb_word(struct lexer *L, struct cmdbuf *c)
{
	if (!c->inword || L->err)
		return;
	c->inword = 0;
	if (c->redirect) {
		c->redirect = 0;
		c->len = c->wstart;
		return;
	}
	if (c->nw == c->capw) {
		size_t cap = c->capw ? 2 * c->capw : 16;
		struct tok *v = realloc(c->w, cap * sizeof(*v));

		if (!v) {
			L->err = -ENOMEM;
			return;
		}
		c->w = v;
		c->capw = cap;
	}
	/* s and map are set when the command is complete (text may move) */
	c->w[c->nw++] = (struct tok){ NULL, c->len - c->wstart, L->host,
				      c->wstart, NULL };
}

/* A string that may hold a shell command with arguments: one with a blank
 * (a URL's "?a=1&b=2" is no script). */
static int has_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
			return 1;
	return 0;
}

/* Where the command starts in a word that holds one after an option of
 * env: --split-string=COMMAND, -SCOMMAND, after flags -ivS... (0: at
 * the start). */
static size_t split_string_at(const char *s, size_t n)
{
	size_t k = 1;

	if (n > 15 && !memcmp(s, "--split-string=", 15))
		return 15;
	if (!n || s[0] != '-')
		return 0;
	while (k < n && (s[k] == 'i' || s[k] == 'v' || s[k] == '0'))
		k++;
	return k + 1 < n && s[k] == 'S' ? k + 1 : 0;
}

static int header_rule(const char *s, size_t n, struct spans *sp);

/* "Header-Name: value" in a word of a script (curl -H 'X-Api-Key: ...'),
 * as header_rule() finds it in an argv element. */
static int word_header(struct lexer *L, const struct tok *t)
{
	struct spans one = { 0 };
	int ret = header_rule(t->s, t->len, &one);

	for (size_t j = 0; j < one.n && ret == 0; j++)
		ret = add_tok(L->sps, t, one.v[j].start, one.v[j].end,
			      one.v[j].rule);
	spans_release(&one);
	return ret;
}

/* A simple command is complete: apply the command-line rules to its
 * words, and read the words that hold a script (sh -c '...', ssh host
 * '...') as scripts. */
static void cb_command(struct lexer *L, struct cmdbuf *c, int depth)
{
	size_t i;

	cb_word(L, c);
	c->redirect = 0;
	if (!L->err && c->nw) {
		/* (a command of empty words only has no text) */
		for (i = 0; i < c->nw; i++) {
			c->w[i].s = c->text ? c->text + c->w[i].off : "";
			c->w[i].map = c->map ? c->map + c->w[i].off : NULL;
		}
		L->err = token_rules(L->r, c->w, c->nw, L->sps);
		if (!L->err)
			L->err = tool_rules(c->w, c->nw, L->sps);
		for (i = 0; i < c->nw && !L->err; i++)
			if (memchr(c->w[i].s, ':', c->w[i].len))
				L->err = word_header(L, &c->w[i]);
		for (i = 0; i < c->nw && !L->err; i++)
			if (depth + 1 < SCRIPT_DEPTH && has_blank(c->w[i].s, c->w[i].len)) {
				size_t o = split_string_at(c->w[i].s, c->w[i].len);

				L->err = lex_script(L, c->w[i].s + o,
						    c->w[i].len - o,
						    c->w[i].map + o, 0, depth + 1);
			}
	}
	c->nw = 0;
	c->len = 0;
}

static size_t lex_body(struct lexer *L, const char *s, size_t n,
		       const size_t *pmap, size_t pbase, size_t i, char close,
		       int depth);

/* A substitution $(...) or `...` at s[i] in the word being read: a
 * script of its own, and in the word its first and its last byte, so
 * that a rule that masks the word (vault login "$(echo TOKEN)") masks
 * the substitution with it. Returns the index after it. */
static size_t subst_in_word(struct lexer *L, struct cmdbuf *c, const char *s,
			    size_t n, const size_t *pmap, size_t pbase,
			    size_t i, int bq, int depth)
{
	size_t j;

	cb_char(L, c, s[i], pmap ? pmap[i] : pbase + i);
	j = lex_body(L, s, n, pmap, pbase, i + 1 + !bq, bq ? '`' : ')',
		     depth + 1);
	if (j > n)
		j = n;
	if (j - 1 > i)
		cb_char(L, c, s[j - 1], pmap ? pmap[j - 1] : pbase + j - 1);
	return j;
}

/* Read s[0..n) (byte i is byte pmap[i], or pbase + i, of the argv
 * element) as shell text, up to the end or to the byte that closes it:
 * ')' for $(...), '`' for `...`. Returns the index after that byte (or n),
 * a simple command at a time handed to cb_command(). Quotes, backslashes
 * and $(...) are read as the shell reads them; the words keep where each
 * of their bytes came from. */
static size_t lex_body(struct lexer *L, const char *s, size_t n,
		       const size_t *pmap, size_t pbase, size_t i, char close,
		       int depth)
{
	struct cmdbuf c = { 0 };
#define AT(k) (pmap ? pmap[(k)] : pbase + (k))

	while (i < n && !L->err) {
		char ch = s[i];

		if (close && ch == close) {
			i++;
			goto done;
		}
		if (ch == ' ' || ch == '\t') {
			cb_word(L, &c);
			i++;
		} else if (depth + 1 >= SCRIPT_DEPTH &&
			   (ch == '\'' || ch == '"' || ch == '`' ||
			    (ch == '$' && i + 1 < n && s[i + 1] == '('))) {
			/* deeper than scripts are read: a quote or a
			 * substitution only ends a command, so that the
			 * commands inside are still looked at */
			cb_command(L, &c, depth);
			i += 1 + (ch == '$');
		} else if (ch == '\n' || ch == ';' || ch == '&' || ch == '|' ||
			   ch == '(' || ch == ')') {
			cb_command(L, &c, depth);
			i++;
		} else if (ch == '<' || ch == '>') {
			/* 2>file, >>file, <&3: the number and the target go */
			int digits = c.inword;

			for (size_t k = c.wstart; digits && k < c.len; k++)
				digits = c.text[k] >= '0' && c.text[k] <= '9';
			if (digits)
				c.redirect = 1;
			cb_word(L, &c);
			while (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '&' ||
					 s[i] == '|'))
				i++;
			/* <(cmd) is a command, not a target */
			c.redirect = !(i < n && s[i] == '(');
		} else if (ch == '#' && !c.inword) {
			while (i < n && s[i] != '\n')
				i++;
		} else if (ch == '\\') {
			if (i + 1 < n && s[i + 1] != '\n')
				cb_char(L, &c, s[i + 1], AT(i + 1));
			i += 2;
		} else if (ch == '\'') {
			/* an empty '' is a word too */
			if (!c.inword) {
				c.inword = 1;
				c.wstart = c.len;
			}
			for (i++; i < n && s[i] != '\''; i++)
				cb_char(L, &c, s[i], AT(i));
			i++;
		} else if (ch == '"') {
			if (!c.inword) {
				c.inword = 1;
				c.wstart = c.len;
			}
			for (i++; i < n && s[i] != '"' && !L->err;) {
				if (s[i] == '\\' && i + 1 < n &&
				    strchr("$`\"\\\n", s[i + 1])) {
					if (s[i + 1] != '\n')
						cb_char(L, &c, s[i + 1], AT(i + 1));
					i += 2;
				} else if (depth + 1 < SCRIPT_DEPTH &&
					   ((s[i] == '$' && i + 1 < n &&
					     s[i + 1] == '(') ||
					    s[i] == '`')) {
					int bq = s[i] == '`';

					i = subst_in_word(L, &c, s, n, pmap,
							  pbase, i, bq, depth);
				} else {
					cb_char(L, &c, s[i], AT(i));
					i++;
				}
			}
			i++;
		} else if (depth + 1 < SCRIPT_DEPTH &&
			   ((ch == '$' && i + 1 < n && s[i + 1] == '(') ||
			    ch == '`')) {
			int bq = ch == '`';

			/* the substitution is a script of its own; the word
			 * it stands in goes on after it */
			i = subst_in_word(L, &c, s, n, pmap, pbase, i, bq,
					  depth);
		} else {
			cb_char(L, &c, ch, AT(i));
			i++;
		}
	}
	if (i > n)
		i = n;
done:
	cb_command(L, &c, depth);
#undef AT
	free(c.text);
	free(c.map);
	free(c.w);
	return i;
}

static int lex_script(struct lexer *L, const char *s, size_t n,
		      const size_t *pmap, size_t pbase, int depth)
{
	lex_body(L, s, n, pmap, pbase, 0, 0, depth);
	return L->err;
}

/* The values of URL query parameters whose name says secret (as an
 * option name does): ?access_token=VALUE, &api_key=VALUE, ?password=...
 * A parameter starts right after a '?' or '&' that follows a character
 * other than a blank (so that a shell's "cmd & NAME=x" is not one); its
 * value ends at '&', '#' or where a path inside a string ends. */
static int scan_query(const char *s, size_t n, struct spans *sp)
{
	for (size_t i = 1; i < n; i++) {
		size_t a, eq, e;

		if ((s[i] != '?' && s[i] != '&') || is_hard_end(s[i - 1]))
			continue;
		for (eq = a = i + 1; eq < n && (is_alnum_us(s[eq]) || s[eq] == '-' ||
						s[eq] == '.');)
			eq++;
		if (eq == a || eq >= n || s[eq] != '=' || !secret_name(s + a, eq - a, 0))
			continue;
		for (e = eq + 1; e < n && s[e] != '&' && s[e] != '#' && !is_hard_end(s[e]);)
			e++;
		if (e > eq + 1 && spans_add(sp, eq + 1, e, R_QUERY) < 0)
			return -ENOMEM;
		i = e - 1;
	}
	return 0;
}

int detect_text(const struct redactor *r, const char *s, size_t n,
		struct spans *sp)
{
	int ret = scan_paths(r, s, n, sp);

	if (ret == 0 && r->secrets)
		ret = scan_shapes(s, n, sp);
	if (ret == 0 && r->secrets)
		ret = scan_query(s, n, sp);
	return ret;
}

/* "Header-Name: value" at the start of s, with a name that says secret, or
 * Authorization (whose scheme word is kept). */
static int header_rule(const char *s, size_t n, struct spans *sp)
{
	size_t i = 0, v;

	while (i < n && (is_alnum(s[i]) || s[i] == '-' || s[i] == '_'))
		i++;
	if (!i || i >= n || s[i] != ':')
		return 0;
	v = i + 1;
	while (v < n && is_space(s[v]))
		v++;
	if (v >= n)
		return 0;
	/* Authorization headers are found by scan_shapes(); other headers
	 * only with a dash in the name, so that text such as
	 * "key: value" is left alone. */
	if (!memchr(s, '-', i))
		return 0;
	if (secret_name(s, i, 0) || has_ci(s, i, "auth") ||
	    (i >= 3 && !strncasecmp(s + i - 3, "key", 3)))
		return spans_add(sp, v, n, R_HEADER);
	return 0;
}

int detect_path(const struct redactor *r, const char *s, size_t n,
		struct spans *sp)
{
	const char *rule = match_path(r, s, n);

	if (rule)
		return spans_add(sp, 0, n, rule);
	if (r->home_rewrite && home_at(r, s, n) &&
	    (n == r->home_len || s[r->home_len] == '/')) {
		if (spans_add(sp, 0, r->home_len, NULL) < 0)
			return -ENOMEM;
	}
	return r->secrets ? scan_shapes(s, n, sp) : 0;
}

int detect_argv(const struct redactor *r, const char *const *argv,
		const size_t *lens, size_t argc, const char *cwd,
		struct spans *sps)
{
	struct gh_buf abs = GH_BUF_INIT;
	struct tok *toks = NULL;
	size_t i, k;
	int ret = -ENOMEM;

	toks = calloc(argc ? argc : 1, sizeof(*toks));
	if (!toks)
		goto out;
	for (i = 0; i < argc; i++) {
		const char *s = argv[i], *rule;
		size_t n = lens[i];

		toks[i] = (struct tok){ s, n, i, 0, NULL };
		rule = n && s[0] == '/' ? match_path(r, s, n) : NULL;
		/* /proc/self/cwd/x is x where the command ran (and so, for
		 * masking, /proc/PID/cwd/x: the process's or its shell's). */
		if (!rule && cwd && n < SCAN_PATH_MAX && (k = proc_cwd(s, n))) {
			if (path_join(&abs, cwd, s + k + (k < n), n - k - (k < n)) < 0)
				goto out;
			rule = match_path(r, abs.p, abs.len);
		}
		/* A relative path, resolved where the command ran (not an
		 * option, a NAME=VALUE, a list, nor the script of sh -c). */
		if (!rule && n && n < SCAN_PATH_MAX && s[0] != '/' &&
		    s[0] != '-' && (i > 0 || memchr(s, '/', n)) &&
		    strcspn(s, "=:,") >= n &&
		    !(i && lens[i - 1] == 2 && !memcmp(argv[i - 1], "-c", 2))) {
			int tilde = n >= 2 && s[0] == '~' && s[1] == '/';

			if (tilde && r->home) {
				if (path_join(&abs, r->home, s + 2, n - 2) < 0)
					goto out;
				rule = match_path(r, abs.p, abs.len);
			} else if (!tilde && cwd) {
				if (path_join(&abs, cwd, s, n) < 0)
					goto out;
				rule = match_path(r, abs.p, abs.len);
			}
		}
		if (rule) {
			if (spans_add(&sps[i], 0, n, rule) < 0)
				goto out;
			continue;
		}
		if (detect_text(r, s, n, &sps[i]) < 0)
			goto out;
		if (r->secrets && header_rule(s, n, &sps[i]) < 0)
			goto out;
	}
	if (r->secrets) {
		struct lexer L = { r, sps, 0, 0 };

		if (token_rules(r, toks, argc, sps) < 0 ||
		    tool_rules(toks, argc, sps) < 0)
			goto out;
		/* Elements that hold a whole shell command (sh -c '...'). */
		for (i = 0; i < argc; i++) {
			if (!has_blank(argv[i], lens[i]))
				continue;
			size_t o = split_string_at(argv[i], lens[i]);

			L.host = i;
			if (lex_script(&L, argv[i] + o, lens[i] - o, NULL, o, 0) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(toks);
	gh_buf_release(&abs);
	return ret;
}

/* Placeholders written by earlier masks, never searched inside. */
static size_t placeholder_at(const char *s, size_t n)
{
	size_t l = strlen(REDACTED), i;

	if (n >= l && !memcmp(s, REDACTED, l))
		return l;
	if (n >= 6 + HMAC_HEX + 1 && !memcmp(s, "[HMAC:", 6) &&
	    s[6 + HMAC_HEX] == ']') {
		for (i = 6; i < 6 + HMAC_HEX; i++)
			if (!strchr("0123456789abcdef", s[i]) || !s[i])
				return 0;
		return 6 + HMAC_HEX + 1;
	}
	return 0;
}

int detect_masked(const struct redactor *r, const char *s, size_t n,
		  struct spans *sp)
{
	size_t i = 0, l;
	uint32_t k;

	if (!r->nmasked)
		return 0;
	while (i < n) {
		if (s[i] == '[' && (l = placeholder_at(s + i, n - i))) {
			i += l;
			continue;
		}
		/* the first value in masked[] order that starts here, as a
		 * scan of them all would find: only those whose first
		 * SWEEP_MIN bytes hash alike can */
		if ((k = masked_at(r, s + i, n - i)) != MASKED_NONE) {
			const struct masked *m = &r->masked[k];

			if (spans_add(sp, i, i + m->len, m->rule) < 0)
				return -ENOMEM;
			i += m->len - 1;
		}
		i++;
	}
	return 0;
}
