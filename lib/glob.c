/* Path globs: see glob.h.
 *
 * A pattern is split at '/' into components. A component that is exactly
 * "**" matches any number of whole path components; every other component
 * matches exactly one path component. Within a component '*' matches any run
 * of characters, '?' and classes match one character. "Character" means one
 * valid UTF-8 sequence, or one byte where the bytes are not valid UTF-8, so
 * '?' matches "é" and a class may name non-ASCII characters.
 *
 * Matching never backtracks more than one level at a time: both the
 * component level ("**") and the character level ('*') use the classic
 * "remember the last star" scan, which is correct because every other item
 * consumes exactly one component or one character. The cost is at most
 * O(pattern length x path length), whatever the pattern.
 *
 * Decisions the header leaves open:
 * - "**" that is not a whole component (as in "a**b") is the same as '*'.
 * - '*' and '?' match a leading '.' like any other character.
 * - "\/" is a separator like '/'; a '\' at the end of the pattern, an
 *   unclosed '[' and a '/' inside a class are malformed (-EINVAL).
 * - In a class, "[!...]" and "[^...]" negate; a ']' first in the class is
 *   literal; "a-z" is a range (an empty one, such as "z-a", matches nothing);
 *   '-' first or last is literal; "\c" is c.
 * - The empty pattern matches only the empty path. A trailing '/' in a
 *   pattern or path is an empty last component: "/a/" matches "/a/" only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"

enum { C_LIT, C_GLOB, C_DSTAR };
enum { OP_LIT, OP_ANY, OP_STAR, OP_CLASS };

/* A raw byte that is not part of valid UTF-8 gets a code outside Unicode, so
 * that it only ever equals the same raw byte. */
#define RAW_BYTE(b) (0x110000u + (unsigned char)(b))

struct comp {
	int kind;
	uint32_t off, n; /* C_LIT: bytes in lit; C_GLOB: ops */
};

struct op {
	uint8_t kind, neg;
	uint32_t off, n; /* OP_LIT: bytes in lit; OP_CLASS: pairs in ranges */
};

struct gh_glob {
	char *pattern;
	struct comp *comps;
	struct op *ops;
	char *lit;
	uint32_t *ranges; /* lo, hi pairs */
	size_t ncomps;
};

/* Length of the character at s[0..n) (n > 0) and its code in *cp. */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		*cp = RAW_BYTE(s[0]);
		return 1;
	}
	if (n < len)
		goto raw;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto raw;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto raw;
	*cp = c;
	return len;
raw:
	*cp = RAW_BYTE(s[0]);
	return 1;
}

struct builder {
	struct gh_glob *g;
	size_t nops, nlit, nranges;
};

/* Parse a class starting after '[' at p; returns the position after ']' or
 * NULL when malformed. */
static const char *parse_class(struct builder *b, const char *p,
			       const char *end)
{
	struct op *op = &b->g->ops[b->nops++];
	int first = 1;

	op->kind = OP_CLASS;
	op->neg = 0;
	op->off = b->nranges;
	op->n = 0;
	if (p < end && (*p == '!' || *p == '^')) {
		op->neg = 1;
		p++;
	}
	for (;;) {
		uint32_t lo, hi;

		if (p >= end || *p == '/')
			return NULL;
		if (*p == ']' && !first)
			return p + 1;
		first = 0;
		if (*p == '\\') {
			if (++p >= end || *p == '/')
				return NULL;
		}
		p += utf8_char((const unsigned char *)p, end - p, &lo);
		hi = lo;
		if (p + 1 < end && *p == '-' && p[1] != ']') {
			p++;
			if (*p == '\\') {
				if (++p >= end || *p == '/')
					return NULL;
			}
			if (*p == '/')
				return NULL;
			p += utf8_char((const unsigned char *)p, end - p, &hi);
		}
		b->g->ranges[2 * b->nranges] = lo;
		b->g->ranges[2 * b->nranges + 1] = hi;
		b->nranges++;
		op->n++;
	}
}

/* Compile the component pattern[s..e) (no unescaped '/' inside). */
static int parse_comp(struct builder *b, const char *s, const char *e)
{
	struct comp *c = &b->g->comps[b->g->ncomps];
	size_t first_op = b->nops;
	int literal = 1;
	const char *p = s;

	if (e - s == 2 && s[0] == '*' && s[1] == '*') {
		/* Consecutive "**" components are one. */
		if (b->g->ncomps && c[-1].kind == C_DSTAR)
			return 0;
		c->kind = C_DSTAR;
		c->off = c->n = 0;
		b->g->ncomps++;
		return 0;
	}
	while (p < e) {
		switch (*p) {
		case '*':
			if (b->nops == first_op ||
			    b->g->ops[b->nops - 1].kind != OP_STAR)
				b->g->ops[b->nops++].kind = OP_STAR;
			literal = 0;
			p++;
			break;
		case '?':
			b->g->ops[b->nops].kind = OP_ANY;
			b->nops++;
			literal = 0;
			p++;
			break;
		case '[':
			p = parse_class(b, p + 1, e);
			if (!p)
				return -EINVAL;
			literal = 0;
			break;
		case '\\':
			if (++p >= e)
				return -EINVAL;
			/* fallthrough */
		default: {
			/* A literal run never glues onto an earlier component's. */
			struct op *last = b->nops > first_op ?
				&b->g->ops[b->nops - 1] : NULL;

			if (!last || last->kind != OP_LIT) {
				last = &b->g->ops[b->nops++];
				last->kind = OP_LIT;
				last->off = b->nlit;
				last->n = 0;
			}
			b->g->lit[b->nlit++] = *p++;
			last->n++;
			break;
		}
		}
	}
	if (literal) {
		/* A plain component: one byte string compared with memcmp. */
		c->kind = C_LIT;
		if (b->nops > first_op) {
			c->off = b->g->ops[first_op].off;
			c->n = b->g->ops[first_op].n;
		} else {
			c->off = b->nlit;
			c->n = 0;
		}
		b->nops = first_op;
	} else {
		c->kind = C_GLOB;
		c->off = first_op;
		c->n = b->nops - first_op;
	}
	b->g->ncomps++;
	return 0;
}

int gh_glob_compile(const char *pattern, struct gh_glob **out)
{
	size_t len = strlen(pattern);
	struct builder b = { 0 };
	struct gh_glob *g;
	const char *p, *s, *end = pattern + len;
	int ret;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	b.g = g;
	g->pattern = strdup(pattern);
	g->comps = calloc(len + 1, sizeof(*g->comps));
	g->ops = calloc(len + 1, sizeof(*g->ops));
	g->lit = malloc(len + 1);
	g->ranges = calloc(2 * (len + 1), sizeof(*g->ranges));
	if (!g->pattern || !g->comps || !g->ops || !g->lit || !g->ranges) {
		gh_glob_free(g);
		return -ENOMEM;
	}
	/* Split at separators, skipping escapes and classes (which are
	 * checked for a '/' inside by parse_class). */
	for (s = p = pattern;; p++) {
		if (p < end && *p == '\\' && p + 1 < end && p[1] != '/') {
			p++;
			continue;
		}
		if (p < end && *p == '[') {
			/* Find the class end the same way parse_class does. */
			const char *q = p + 1;
			if (q < end && (*q == '!' || *q == '^'))
				q++;
			if (q < end && *q == ']')
				q++;
			while (q < end && *q != ']' && *q != '/') {
				if (*q == '\\' && q + 1 < end && q[1] != '/')
					q++;
				q++;
			}
			if (q >= end || *q == '/') {
				gh_glob_free(g);
				return -EINVAL;
			}
			p = q;
			continue;
		}
		if (p < end && *p != '/' &&
		    !(*p == '\\' && p + 1 < end && p[1] == '/'))
			continue;
		ret = parse_comp(&b, s, p);
		if (ret < 0) {
			gh_glob_free(g);
			return ret;
		}
		if (p >= end)
			break;
		if (*p == '\\')
			p++;
		s = p + 1;
	}
	*out = g;
	return 0;
}

static int class_has(const struct gh_glob *g, const struct op *op, uint32_t c)
{
	const uint32_t *r = g->ranges + 2 * op->off;
	uint32_t i;

	for (i = 0; i < op->n; i++)
		if (c >= r[2 * i] && c <= r[2 * i + 1])
			return !op->neg;
	return op->neg;
}

/* One op at s[i..n): the number of bytes it consumes, or 0 for no match. */
static size_t op_match(const struct gh_glob *g, const struct op *op,
		       const char *s, size_t n, size_t i)
{
	uint32_t c;
	size_t l;

	switch (op->kind) {
	case OP_LIT:
		if (n - i < op->n || memcmp(s + i, g->lit + op->off, op->n))
			return 0;
		return op->n;
	case OP_ANY:
		return utf8_char((const unsigned char *)s + i, n - i, &c);
	case OP_CLASS:
		l = utf8_char((const unsigned char *)s + i, n - i, &c);
		return class_has(g, op, c) ? l : 0;
	}
	return 0;
}

static int comp_match(const struct gh_glob *g, const struct comp *c,
		      const char *s, size_t n)
{
	const struct op *ops = g->ops + c->off;
	size_t np = c->n, pi = 0, si = 0, star = SIZE_MAX, star_si = 0, l;
	uint32_t cp;

	if (c->kind == C_LIT)
		return n == c->n && !memcmp(s, g->lit + c->off, n);
	while (si < n) {
		if (pi < np && ops[pi].kind == OP_STAR) {
			star = pi++;
			star_si = si;
			continue;
		}
		if (pi < np && (l = op_match(g, &ops[pi], s, n, si))) {
			pi++;
			si += l;
			continue;
		}
		if (star == SIZE_MAX)
			return 0;
		/* Let the last star take one more character. */
		star_si += utf8_char((const unsigned char *)s + star_si,
				     n - star_si, &cp);
		si = star_si;
		pi = star + 1;
	}
	while (pi < np && ops[pi].kind == OP_STAR)
		pi++;
	return pi == np;
}

static size_t comp_end(const char *path, size_t len, size_t pos)
{
	const char *e = memchr(path + pos, '/', len - pos);

	return e ? (size_t)(e - path) : len;
}

int gh_glob_match(const struct gh_glob *g, const char *path, size_t len)
{
	size_t pc = 0, pos = 0, star = SIZE_MAX, star_pos = 0, end;

	/* pos is the start of the next path component; len + 1 once the last
	 * one has been consumed. */
	while (pos <= len) {
		end = comp_end(path, len, pos);
		if (pc < g->ncomps && g->comps[pc].kind == C_DSTAR) {
			star = pc++;
			star_pos = pos;
			continue;
		}
		if (pc < g->ncomps &&
		    comp_match(g, &g->comps[pc], path + pos, end - pos)) {
			pc++;
			pos = end + 1;
			continue;
		}
		if (star == SIZE_MAX)
			return 0;
		/* Let the last "**" take one more component. */
		star_pos = comp_end(path, len, star_pos) + 1;
		pos = star_pos;
		pc = star + 1;
	}
	while (pc < g->ncomps && g->comps[pc].kind == C_DSTAR)
		pc++;
	return pc == g->ncomps;
}

size_t gh_glob_ncomps(const struct gh_glob *g)
{
	if (!g->ncomps)
		return 0;
	for (size_t i = 0; i < g->ncomps; i++)
		if (g->comps[i].kind == C_DSTAR)
			return 0;
	return g->ncomps;
}

const char *gh_glob_pattern(const struct gh_glob *g)
{
	return g->pattern;
}

void gh_glob_free(struct gh_glob *g)
{
	if (!g)
		return;
	free(g->pattern);
	free(g->comps);
	free(g->ops);
	free(g->lit);
	free(g->ranges);
	free(g);
}
