/* Strict JSON reading and deterministic writing over json-c.
 *
 * json-c's tokener, even in strict mode, accepts text that RFC 8259
 * forbids (leading zeros, "2.", NaN, single quotes, raw tabs in strings,
 * ...) and clamps out-of-range integers silently. So every text is first
 * checked by scan_value(), an iterative RFC 8259 scanner with a bounded
 * container stack, and only then handed to json-c to build objects.
 *
 * Implementation-defined inputs (JSONTestSuite i_*), pinned by
 * tests/unit/test_json.c:
 * - rejected: invalid or overlong UTF-8, UTF-16 text, a byte order mark,
 *   \u escapes that form lone or inverted surrogates (I-JSON, RFC 7493),
 *   integers outside the int64 range and numbers that overflow binary64
 *   (json-c would clamp them or make them infinite: data would change);
 * - accepted: numbers that underflow to zero (their text is kept), nesting
 *   up to GH_JSON_MAX_DEPTH (500 nested arrays pass).
 * Beyond RFC 8259, a member name that comes twice in one object is
 * refused (I-JSON, RFC 7493): json-c would keep the last one, a reader
 * elsewhere the first. This rejects two y_ files of JSONTestSuite
 * (y_object_duplicated_key*.json).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jv.h"

struct scan {
	const unsigned char *p, *end, *start;
	char *err;
	size_t errlen;
	int incomplete; /* ran out of input inside a value */
	struct gh_jb *b; /* builds a lib/jv tree while scanning, or NULL */
	int esc;	 /* the last string scanned had an escape */
};

/* Member names of the objects open in scan_value, to refuse duplicates:
 * names holds each name unescaped, ents one entry per member (the last
 * one of an open object is the member being read). */
struct keys {
	struct gh_buf names;
	struct kent {
		size_t off, len;		/* in names */
		const unsigned char *at;	/* the name's text, for the line */
	} *ents;
	size_t n, cap;
};

__attribute__((format(printf, 2, 3))) static int fail(struct scan *s, const char *fmt, ...)
{
	va_list ap;
	size_t line = 1;
	const unsigned char *q;
	int n;

	for (q = s->start; q < s->p && q < s->end; q++)
		line += *q == '\n';
	if (s->err && s->errlen) {
		n = snprintf(s->err, s->errlen, "line %zu: ", line);
		if (n >= 0 && (size_t)n < s->errlen) {
			va_start(ap, fmt);
			vsnprintf(s->err + n, s->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

static int fail_char(struct scan *s, const char *what)
{
	if (s->p >= s->end) {
		s->incomplete = 1;
		return fail(s, "unexpected end of input, expected %s", what);
	}
	if (*s->p >= 0x20 && *s->p < 0x7f)
		return fail(s, "unexpected character '%c', expected %s", *s->p, what);
	return fail(s, "unexpected byte 0x%02x, expected %s", *s->p, what);
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

size_t gh_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int gh_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = gh_utf8_len(p, end);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

int gh_json_hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int hex4(const unsigned char *p, unsigned *out)
{
	int v = gh_json_hex4((const char *)p);

	if (v < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int scan_string(struct scan *s)
{
	unsigned u, lo;
	size_t n;

	s->p++; /* opening quote */
	s->esc = 0;
	for (;;) {
		if (s->p >= s->end) {
			s->incomplete = 1;
			return fail(s, "unterminated string");
		}
		if (*s->p == '"') {
			s->p++;
			return 0;
		}
		if (*s->p < 0x20)
			return fail(s, "unescaped control character 0x%02x in string", *s->p);
		if (*s->p == '\\') {
			s->esc = 1;
			if (s->end - s->p < 2) {
				s->p = s->end;
				s->incomplete = 1;
				return fail(s, "unterminated string");
			}
			switch (s->p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				s->p += 2;
				continue;
			case 'u':
				break;
			default:
				s->p++;
				return fail(s, "invalid escape '\\%c' in string", *s->p >= 0x20 && *s->p < 0x7f ? *s->p : '?');
			}
			if (s->end - s->p < 6) {
				s->incomplete = 1;
				return fail(s, "truncated \\u escape");
			}
			if (hex4(s->p + 2, &u) < 0)
				return fail(s, "invalid \\u escape");
			s->p += 6;
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(s, "lone low surrogate \\u%04x", u);
			if (u >= 0xd800 && u <= 0xdbff) {
				if (s->end - s->p < 6)
					s->incomplete = 1;
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
				    hex4(s->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return fail(s, "lone high surrogate \\u%04x", u);
				s->p += 6;
			}
			continue;
		}
		if (*s->p < 0x80) {
			s->p++;
			continue;
		}
		n = gh_utf8_len(s->p, s->end);
		if (!n) {
			if (s->end - s->p < 4)
				s->incomplete = 1; /* maybe cut by the end of a read */
			return fail(s, "invalid UTF-8 in string");
		}
		s->p += n;
	}
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static int scan_number(struct scan *s)
{
	const unsigned char *b = s->p;
	int integer = 1, neg = 0;
	uint64_t u = 0;
	char tmp[64], *ep;

	if (*s->p == '-')
		s->p++, neg = 1;
	if (!is_digit(s->p, s->end))
		return fail_char(s, "digit");
	if (*s->p == '0') {
		s->p++;
		if (is_digit(s->p, s->end))
			return fail(s, "leading zero in number");
	} else {
		while (is_digit(s->p, s->end)) {
			unsigned dg = *s->p++ - '0';

			/* past 2^63 (the int64 range, and one more for -2^63) */
			if (u > ((uint64_t)1 << 63) / 10 ||
			    u * 10 + dg > ((uint64_t)1 << 63))
				integer = -1;
			else
				u = u * 10 + dg;
		}
	}
	if (s->p < s->end && *s->p == '.') {
		integer = 0;
		s->p++;
		if (!is_digit(s->p, s->end))
			return fail_char(s, "digit after decimal point");
		while (is_digit(s->p, s->end))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		integer = 0;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!is_digit(s->p, s->end))
			return fail_char(s, "digit in exponent");
		while (is_digit(s->p, s->end))
			s->p++;
	}
	/* A number touching the end of the buffer may continue in the next read. */
	if (s->p >= s->end)
		s->incomplete = 2;
	if (integer) {
		if (integer < 0 || (!neg && u > (uint64_t)INT64_MAX))
			return fail(s, "integer out of range");
		if (s->b && gh_jb_scalar(s->b, GH_JV_INT, neg ? (int64_t)(0 - u) : (int64_t)u) < 0)
			return fail(s, "out of memory");
	} else {
		char *buf;
		size_t n = s->p - b;
		double d;

		buf = n < sizeof(tmp) ? tmp : malloc(n + 1);
		if (!buf)
			return fail(s, "out of memory");
		memcpy(buf, b, n);
		buf[n] = '\0';
		d = strtod(buf, &ep);
		if (buf != tmp)
			free(buf);
		if (isinf(d))
			return fail(s, "number out of range");
		if (s->b && gh_jb_double(s->b, (const char *)b, n) < 0)
			return fail(s, "out of memory");
	}
	return 0;
}

static int scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit), avail = s->end - s->p;

	if (avail < n) {
		if (memcmp(s->p, lit, avail) == 0) {
			s->p = s->end;
			s->incomplete = 1;
			return fail(s, "unexpected end of input in literal");
		}
		return fail_char(s, "value");
	}
	if (memcmp(s->p, lit, n) != 0)
		return fail_char(s, "value");
	s->p += n;
	return 0;
}

/* Unescape the string at q (its opening quote; already checked by
 * scan_string) into b. */
static int unescape(struct gh_buf *b, const unsigned char *q, const unsigned char *end)
{
	unsigned u = 0, lo;

	for (q++; q < end && *q != '"'; q++) {
		if (*q != '\\') {
			if (gh_buf_addc(b, (char)*q) < 0)
				return -ENOMEM;
			continue;
		}
		q++;
		switch (*q) {
		case 'b': u = '\b'; break;
		case 'f': u = '\f'; break;
		case 'n': u = '\n'; break;
		case 'r': u = '\r'; break;
		case 't': u = '\t'; break;
		case 'u':
			hex4(q + 1, &u);
			q += 4;
			if (u >= 0xd800 && u <= 0xdbff && hex4(q + 3, &lo) == 0) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				q += 6;
			}
			break;
		default: u = *q;
		}
		if (u < 0x80) {
			if (gh_buf_addc(b, (char)u) < 0)
				return -ENOMEM;
		} else {
			char o[4];
			size_t n;

			if (u < 0x800)
				o[0] = (char)(0xc0 | u >> 6), n = 2;
			else if (u < 0x10000)
				o[0] = (char)(0xe0 | u >> 12), n = 3;
			else
				o[0] = (char)(0xf0 | u >> 18), n = 4;
			for (size_t i = 1; i < n; i++)
				o[i] = (char)(0x80 | ((u >> (6 * (n - 1 - i))) & 0x3f));
			if (gh_buf_add(b, o, n) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int key_add(struct keys *k, const unsigned char *q, const unsigned char *end)
{
	size_t off = k->names.len;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		struct kent *e = realloc(k->ents, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		k->ents = e;
		k->cap = cap;
	}
	/* (grown even for "": names.p is never NULL once a name is in) */
	if (gh_buf_grow(&k->names, (size_t)(end - q)) < 0)
		return -ENOMEM;
	if (memchr(q + 1, '\\', (size_t)(end - q - 2)))
		unescape(&k->names, q, end);
	else
		gh_buf_add(&k->names, q + 1, (size_t)(end - q - 2));
	k->ents[k->n++] = (struct kent){ off, k->names.len - off, q };
	return 0;
}

static const char *key_names_base;

static int kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;
	int c = memcmp(key_names_base + x->off, key_names_base + y->off,
		       x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int name_is_plain(const char *s, size_t n)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int gh_json_path_add(struct gh_buf *b, const char *name, size_t len)
{
	if (name_is_plain(name, len)) {
		if (b->len && gh_buf_addc(b, '.') < 0)
			return -ENOMEM;
		return gh_buf_add(b, name, len);
	}
	if (gh_buf_addc(b, '[') < 0 || gh_buf_json_str(b, name, len) < 0)
		return -ENOMEM;
	return gh_buf_addc(b, ']');
}

/* The members of the object whose entries start at from: sorted, a
 * duplicate name is an error naming its path. */
static int keys_close(struct scan *s, struct keys *k, size_t from, const char *stack,
		      const size_t *kstart, const size_t *idx, int depth)
{
	struct gh_buf path = GH_BUF_INIT;
	struct kent *dup = NULL;
	size_t i, n = k->n - from;
	int d;

	if (n > 1 && n <= 8) {
		/* small objects, most of them: each pair */
		for (i = from + 1; i < k->n && !dup; i++) {
			struct kent *b = &k->ents[i];

			for (size_t j = from; j < i; j++) {
				struct kent *a = &k->ents[j];

				if (a->len == b->len &&
				    !memcmp(k->names.p + a->off, k->names.p + b->off, a->len)) {
					dup = b;
					break;
				}
			}
		}
	} else if (n > 1) {
		key_names_base = k->names.p;
		qsort(k->ents + from, n, sizeof(*k->ents), kent_cmp);
		for (i = from + 1; i < k->n; i++) {
			struct kent *a = &k->ents[i - 1], *b = &k->ents[i];

			if (a->len == b->len &&
			    !memcmp(k->names.p + a->off, k->names.p + b->off, a->len)) {
				dup = b;
				break;
			}
		}
	}
	if (!dup) {
		k->names.len = k->ents[from].off;
		k->n = from;
		return 0;
	}
	/* the path: every enclosing container, then the name */
	for (d = 0; d < depth - 1; d++) {
		if (stack[d] == '[') {
			gh_buf_printf(&path, "[%zu]", idx[d]);
		} else {
			struct kent *e = &k->ents[kstart[d + 1] - 1];

			gh_json_path_add(&path, k->names.p + e->off, e->len);
		}
	}
	gh_json_path_add(&path, k->names.p + dup->off, dup->len);
	s->p = dup->at;
	if (!path.p)
		fail(s, "out of memory");
	else
		fail(s, "%s: duplicate member name", path.p);
	gh_buf_release(&path);
	return -1;
}

/* The string just scanned, from q (its opening quote) to s->p, as a tree
 * node: a slice of the input, or decoded when it has escapes. */
static int build_string(struct scan *s, const unsigned char *q)
{
	struct gh_buf d = GH_BUF_INIT;
	int rc;

	if (!s->esc)
		return gh_jb_string(s->b, (const char *)q + 1, (size_t)(s->p - q - 2), 0) < 0 ?
			       fail(s, "out of memory") : 0;
	if (gh_buf_grow(&d, (size_t)(s->p - q)) < 0 || unescape(&d, q, s->p) < 0)
		rc = -1;
	else
		rc = gh_jb_string(s->b, d.p, d.len, 1);
	gh_buf_release(&d);
	return rc < 0 ? fail(s, "out of memory") : 0;
}

/* The container just closed, in the tree */
static int build_close(struct scan *s)
{
	return s->b && gh_jb_close(s->b) < 0 ? fail(s, "out of memory") : 0;
}

/* Scan one value starting at s->p (after whitespace). Iterative: the
 * container stack is a byte array of at most GH_JSON_MAX_DEPTH. Member
 * names must be unique in each object (I-JSON, RFC 7493). */
static int scan_value(struct scan *s)
{
	char stack[GH_JSON_MAX_DEPTH];
	/* per depth: the first member entry of an object, an array's index */
	size_t kstart[GH_JSON_MAX_DEPTH], idx[GH_JSON_MAX_DEPTH];
	struct keys k = { GH_BUF_INIT, NULL, 0, 0 };
	const unsigned char *q;
	int depth = 0, rc = -1;

	skip_ws(s);
value:
	if (s->p >= s->end) {
		fail_char(s, "value");
		goto out;
	}
	switch (*s->p) {
	case '{':
	case '[':
		if (depth == GH_JSON_MAX_DEPTH) {
			fail(s, "nesting deeper than %d", GH_JSON_MAX_DEPTH);
			goto out;
		}
		kstart[depth] = k.n;
		idx[depth] = 0;
		stack[depth++] = *s->p;
		if (s->b && gh_jb_open(s->b, *s->p == '{' ? GH_JV_OBJECT : GH_JV_ARRAY) < 0) {
			fail(s, "out of memory");
			goto out;
		}
		s->p++;
		skip_ws(s);
		if (s->p < s->end && *s->p == (stack[depth - 1] == '{' ? '}' : ']')) {
			s->p++;
			depth--;
			if (build_close(s) < 0)
				goto out;
			goto after;
		}
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	case '"':
		q = s->p;
		if (scan_string(s) < 0 || (s->b && build_string(s, q) < 0))
			goto out;
		break;
	case 't':
		if (scan_literal(s, "true") < 0 ||
		    (s->b && gh_jb_scalar(s->b, GH_JV_BOOL, 1) < 0))
			goto out;
		break;
	case 'f':
		if (scan_literal(s, "false") < 0 ||
		    (s->b && gh_jb_scalar(s->b, GH_JV_BOOL, 0) < 0))
			goto out;
		break;
	case 'n':
		if (scan_literal(s, "null") < 0 ||
		    (s->b && gh_jb_scalar(s->b, GH_JV_NULL, 0) < 0))
			goto out;
		break;
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) {
			if (scan_number(s) < 0)
				goto out;
			break;
		}
		fail_char(s, "value");
		goto out;
	}
after:
	if (depth == 0) {
		rc = 0;
		goto out;
	}
	skip_ws(s);
	if (s->p >= s->end) {
		fail_char(s, stack[depth - 1] == '{' ? "',' or '}'" : "',' or ']'");
		goto out;
	}
	if (*s->p == ',') {
		s->p++;
		skip_ws(s);
		if (stack[depth - 1] == '{')
			goto key;
		idx[depth - 1]++;
		goto value;
	}
	if (*s->p == (stack[depth - 1] == '{' ? '}' : ']')) {
		if (stack[depth - 1] == '{') {
			const unsigned char *close = s->p;

			if (keys_close(s, &k, kstart[depth - 1], stack, kstart, idx, depth) < 0)
				goto out;
			s->p = close;
		}
		s->p++;
		depth--;
		if (build_close(s) < 0)
			goto out;
		goto after;
	}
	fail_char(s, stack[depth - 1] == '{' ? "',' or '}'" : "',' or ']'");
	goto out;
key:
	if (s->p >= s->end || *s->p != '"') {
		fail_char(s, "string key");
		goto out;
	}
	q = s->p;
	if (scan_string(s) < 0)
		goto out;
	if (key_add(&k, q, s->p) < 0) {
		fail(s, "out of memory");
		goto out;
	}
	if (s->b && build_string(s, q) < 0)
		goto out;
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':') {
		fail_char(s, "':'");
		goto out;
	}
	s->p++;
	skip_ws(s);
	goto value;
out:
	gh_buf_release(&k.names);
	free(k.ents);
	return rc;
}

int gh_json_scan(struct gh_jb *b, const char *start, const char *p, const char *end,
		 const char **stop, char *err, size_t errlen)
{
	struct scan s = { (const unsigned char *)p, (const unsigned char *)end,
			  (const unsigned char *)start, err, errlen, 0, b, 0 };

	if (scan_value(&s) < 0)
		return -1;
	*stop = (const char *)s.p;
	return 0;
}

/* Build json-c objects from text already checked by scan_value. json-c
 * represents JSON null as a NULL object, so success is reported apart. */
static int build(const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex(GH_JSON_MAX_DEPTH + 1);
	enum json_tokener_error e;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*out = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	if (!*out && e == json_tokener_continue) {
		*out = json_tokener_parse_ex(tok, "", 1); /* end of input ends a number */
		e = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	return e == json_tokener_success ? 0 : -EINVAL;
}

int gh_json_parse(const char *buf, size_t len, struct json_object **out, char *err, size_t errlen)
{
	struct scan s = { (const unsigned char *)buf, (const unsigned char *)buf + len,
			  (const unsigned char *)buf, err, errlen, 0, NULL, 0 };
	const unsigned char *vstart;

	if (len > (size_t)INT32_MAX - 1) {
		snprintf(err, errlen, "line 1: input too large");
		return -EINVAL;
	}
	skip_ws(&s);
	vstart = s.p;
	if (scan_value(&s) < 0)
		return -EINVAL;
	skip_ws(&s);
	if (s.p < s.end) {
		fail(&s, "unexpected data after the value");
		return -EINVAL;
	}
	if (build((const char *)vstart, s.p - vstart, out) < 0) {
		snprintf(err, errlen, "line 1: json-c could not build the value");
		return -EINVAL;
	}
	return 0;
}

/* ---- stream reader ---- */

struct gh_jreader {
	FILE *f;
	char *name;
	int mode;
	char *buf; /* NDJSON: the current line; SEQ: buffered input */
	size_t cap, len, pos;
	unsigned long line;     /* NDJSON: current line number; SEQ: line at pos */
	unsigned long vline;    /* line where the last value started */
	int eof;
	char err[512];
};

struct gh_jreader *gh_jreader_new(FILE *f, const char *name, int mode)
{
	struct gh_jreader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->f = f;
	r->mode = mode;
	r->name = strdup(name ? name : "<stdin>");
	r->line = mode == GH_JR_SEQ ? 1 : 0;
	if (!r->name) {
		free(r);
		return NULL;
	}
	return r;
}

void gh_jreader_free(struct gh_jreader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->name);
	free(r);
}

const char *gh_jreader_error(const struct gh_jreader *r)
{
	return r->err;
}

unsigned long gh_jreader_line(const struct gh_jreader *r)
{
	return r->vline;
}

__attribute__((format(printf, 3, 4))) static int rfail(struct gh_jreader *r, unsigned long line,
							const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s:%lu: ", r->name, line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(r->err))
		vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

int gh_json_locate(char *out, size_t outlen, const char *name, unsigned long base,
		   const char *msg)
{
	unsigned long l = 1;
	const char *rest = msg;

	if (sscanf(msg, "line %lu: ", &l) == 1 && (rest = strstr(msg, ": ")))
		rest += 2;
	else
		rest = msg;
	snprintf(out, outlen, "%s:%lu: %s", name, base + l - 1, rest);
	return -1;
}

/* "line N: reason" from the scanner -> "NAME:LINE+base-1: reason". */
static int scan_fail(struct gh_jreader *r, const char *msg, unsigned long base)
{
	return gh_json_locate(r->err, sizeof(r->err), r->name, base, msg);
}

static int next_ndjson(struct gh_jreader *r, struct json_object **out)
{
	char msg[256];
	ssize_t n;
	size_t i;

	for (;;) {
		n = getline(&r->buf, &r->cap, r->f);
		if (n < 0) {
			if (ferror(r->f))
				return rfail(r, r->line, "read error: %s", strerror(errno));
			r->len = 0;
			return 0;
		}
		r->line++;
		r->len = (size_t)n;
		if (r->len && r->buf[r->len - 1] == '\n')
			r->buf[--r->len] = '\0';
		for (i = 0; i < r->len; i++)
			if (!strchr(" \t\r", r->buf[i]))
				break;
		if (i < r->len)
			break;
	}
	r->vline = r->line;
	if (gh_json_parse(r->buf, r->len, out, msg, sizeof(msg)) < 0)
		return scan_fail(r, msg, r->line);
	return 1;
}

static int fill(struct gh_jreader *r)
{
	size_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < 65536) {
		size_t cap = r->cap ? r->cap * 2 : 131072;
		char *p = realloc(r->buf, cap);

		if (!p)
			return -ENOMEM;
		r->buf = p;
		r->cap = cap;
	}
	n = fread(r->buf + r->len, 1, r->cap - r->len - 1, r->f);
	r->len += n;
	r->buf[r->len] = '\0';
	if (n == 0) {
		if (ferror(r->f))
			return -(errno ? errno : EIO);
		r->eof = 1;
	}
	return (int)n;
}

static int next_seq(struct gh_jreader *r, struct json_object **out)
{
	char msg[256];
	struct scan s;
	const unsigned char *vstart;
	int rc;

	if (!r->buf && (rc = fill(r)) < 0)
		return rfail(r, r->line, "read error: %s", strerror(-rc));
	for (;;) {
		s = (struct scan){ (const unsigned char *)r->buf + r->pos,
				   (const unsigned char *)r->buf + r->len,
				   (const unsigned char *)r->buf + r->pos, msg, sizeof(msg), 0, NULL, 0 };
		skip_ws(&s);
		if (s.p == s.end) {
			/* only whitespace buffered: count its lines, drop it */
			for (const char *q = r->buf + r->pos; q < r->buf + r->len; q++)
				r->line += *q == '\n';
			r->pos = r->len;
			if (r->eof)
				return 0;
			rc = fill(r);
			if (rc < 0)
				return rfail(r, r->line, "read error: %s", strerror(-rc));
			continue;
		}
		vstart = s.p;
		rc = scan_value(&s);
		if ((rc < 0 && s.incomplete == 1) || (rc == 0 && s.incomplete == 2)) {
			if (!r->eof && r->len - r->pos > GH_JSON_MAX_VALUE) {
				for (const char *q = r->buf + r->pos; q < (const char *)vstart; q++)
					r->line += *q == '\n';
				return rfail(r, r->line, "a JSON value larger than %zu MiB",
					     GH_JSON_MAX_VALUE >> 20);
			}
			if (!r->eof) {
				rc = fill(r);
				if (rc < 0)
					return rfail(r, r->line, "read error: %s", strerror(-rc));
				continue;
			}
		}
		if (rc < 0)
			return scan_fail(r, msg, r->line);
		break;
	}
	for (const char *q = r->buf + r->pos; q < (const char *)vstart; q++)
		r->line += *q == '\n';
	r->vline = r->line;
	/* A value that ends with its own delimiter may be followed directly
	 * by the next one ("}{"); a number or literal needs white space. */
	if (s.p < s.end && !strchr(" \t\r\n", *s.p) && !strchr("}]\"", s.p[-1]))
		return rfail(r, r->vline, "unexpected data after a value");
	if (build((const char *)vstart, (const char *)s.p - (const char *)vstart, out) < 0)
		return rfail(r, r->vline, "json-c could not build the value");
	for (const char *q = (const char *)vstart; q < (const char *)s.p; q++)
		r->line += *q == '\n';
	r->pos = (const char *)s.p - r->buf;
	return 1;
}

int gh_jreader_next(struct gh_jreader *r, struct json_object **out)
{
	*out = NULL;
	return r->mode == GH_JR_SEQ ? next_seq(r, out) : next_ndjson(r, out);
}

/* ---- writer ---- */

size_t gh_json_escape(unsigned char c, char esc[7])
{
	static const char hexd[] = "0123456789abcdef";

	esc[0] = '\\';
	esc[2] = '\0';
	switch (c) {
	case '"': esc[1] = '"'; break;
	case '\\': esc[1] = '\\'; break;
	case '\b': esc[1] = 'b'; break;
	case '\f': esc[1] = 'f'; break;
	case '\n': esc[1] = 'n'; break;
	case '\r': esc[1] = 'r'; break;
	case '\t': esc[1] = 't'; break;
	default:
		memcpy(esc + 1, "u00", 3);
		esc[4] = hexd[c >> 4];
		esc[5] = hexd[c & 15];
		esc[6] = '\0';
		return 6;
	}
	return 2;
}

int gh_buf_json_str(struct gh_buf *b, const char *str, size_t len)
{
	const unsigned char *p = (const unsigned char *)str, *end = p + len, *run;
	size_t n;

	if (gh_buf_grow(b, len + 2) < 0)
		return -ENOMEM;
	b->p[b->len++] = '"';
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
			p++;
		if (p > run && gh_buf_add(b, run, p - run) < 0)
			return -ENOMEM;
		if (p >= end)
			break;
		if (*p >= 0x80) {
			n = gh_utf8_len(p, end);
			if (n) {
				if (gh_buf_add(b, p, n) < 0)
					return -ENOMEM;
				p += n;
			} else {
				if (gh_buf_add(b, "\xef\xbf\xbd", 3) < 0)
					return -ENOMEM;
				p++;
			}
			continue;
		}
		char esc[7];

		if (gh_buf_add(b, esc, gh_json_escape(*p, esc)) < 0)
			return -ENOMEM;
		p++;
	}
	return gh_buf_addc(b, '"');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int indent(struct gh_buf *b, int flags, int level)
{
	if (!(flags & GH_JW_PRETTY))
		return 0;
	if (gh_buf_addc(b, '\n') < 0 || gh_buf_grow(b, 2 * (size_t)level) < 0)
		return -ENOMEM;
	memset(b->p + b->len, ' ', 2 * (size_t)level);
	b->len += 2 * (size_t)level;
	b->p[b->len] = '\0';
	return 0;
}

/* A number as json-c writes it, which is NULL when its buffer cannot be
 * had. */
static int add_number(struct gh_buf *b, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	return s ? gh_buf_adds(b, s) : -ENOMEM;
}

static int write_value(struct gh_buf *b, struct json_object *o, int flags, int level)
{
	const char *sep = flags & GH_JW_PRETTY ? ": " : ":";
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return gh_buf_adds(b, "null");
	case json_type_boolean:
		return gh_buf_adds(b, json_object_get_boolean(o) ? "true" : "false");
	case json_type_int:
		return add_number(b, o);
	case json_type_double: {
		double d = json_object_get_double(o);

		if (!isfinite(d))
			return gh_buf_adds(b, "null");
		return add_number(b, o);
	}
	case json_type_string:
		return gh_buf_json_str(b, json_object_get_string(o),
				       (size_t)json_object_get_string_len(o));
	case json_type_array:
		n = json_object_array_length(o);
		if (n == 0)
			return gh_buf_adds(b, "[]");
		if (gh_buf_addc(b, '[') < 0)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			if ((i && gh_buf_addc(b, ',') < 0) || indent(b, flags, level + 1) < 0 ||
			    write_value(b, json_object_array_get_idx(o, i), flags, level + 1) < 0)
				return -ENOMEM;
		}
		if (indent(b, flags, level) < 0)
			return -ENOMEM;
		return gh_buf_addc(b, ']');
	case json_type_object: {
		const char **keys;
		int rc = 0;

		n = (size_t)json_object_object_length(o);
		if (n == 0)
			return gh_buf_adds(b, "{}");
		keys = malloc(n * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		i = 0;
		json_object_object_foreach(o, k, v) {
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_keys);
		if (gh_buf_addc(b, '{') < 0)
			rc = -ENOMEM;
		for (i = 0; i < n && !rc; i++) {
			if ((i && gh_buf_addc(b, ',') < 0) || indent(b, flags, level + 1) < 0 ||
			    gh_buf_json_str(b, keys[i], strlen(keys[i])) < 0 ||
			    gh_buf_adds(b, sep) < 0 ||
			    write_value(b, json_object_object_get(o, keys[i]), flags, level + 1) < 0)
				rc = -ENOMEM;
		}
		free(keys);
		if (rc || indent(b, flags, level) < 0)
			return -ENOMEM;
		return gh_buf_addc(b, '}');
	}
	}
	return -EINVAL;
}

int gh_json_to_buf(struct gh_buf *b, struct json_object *o, int flags)
{
	return write_value(b, o, flags, 0);
}

/* ---- typed getters ---- */

static int get(struct json_object *o, const char *key, enum json_type t, struct json_object **v)
{
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, v) || !*v)
		return -ENOENT;
	return json_object_is_type(*v, t) ? 0 : -EINVAL;
}

int gh_json_get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;
	int rc = get(o, key, json_type_string, &v);

	if (rc == 0)
		*out = json_object_get_string(v);
	return rc;
}

int gh_json_get_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;
	int rc = get(o, key, json_type_int, &v);

	if (rc == 0)
		*out = json_object_get_int64(v);
	return rc;
}

int gh_json_get_bool(struct json_object *o, const char *key, int *out)
{
	struct json_object *v;
	int rc = get(o, key, json_type_boolean, &v);

	if (rc == 0)
		*out = json_object_get_boolean(v);
	return rc;
}

int gh_json_get_obj(struct json_object *o, const char *key, struct json_object **out)
{
	return get(o, key, json_type_object, out);
}

int gh_json_get_arr(struct json_object *o, const char *key, struct json_object **out)
{
	return get(o, key, json_type_array, out);
}
