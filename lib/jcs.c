/* libgh: RFC 8785 canonical JSON (JCS). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jcs.h"
#include "json.h"
#include "jv.h"

/* ---- numbers ---------------------------------------------------------- */

/* The shortest decimal that reads back as v (v > 0, finite): digits s
 * (no trailing zeros) and n such that v ~ 0.s * 10^n, as ECMA-262
 * Number::toString defines them. For each precision p the correctly
 * rounded p-digit decimal is the closest candidate; when it does not read
 * back (the rounding interval of a power of two is lopsided) the neighbour
 * on the other side of v still may. */
static void shortest(double v, char *s, int *n)
{
	char buf[48];
	uint64_t m = 0;
	int p, e, q, k, i;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
		/* buf is "d.ddde[+-]xx" (or "de[+-]xx" for p = 1). */
		m = 0;
		for (i = 0; buf[i] != 'e'; i++)
			if (buf[i] != '.')
				m = m * 10 + (uint64_t)(buf[i] - '0');
		e = atoi(buf + i + 1);
		q = e - (p - 1); /* v ~ m * 10^q */
		if (strtod(buf, NULL) == v)
			break;
		snprintf(buf, sizeof(buf), "%" PRIu64 "e%d",
			 strtod(buf, NULL) < v ? m + 1 : m - 1, q);
		if (strtod(buf, NULL) == v) {
			m = strtoull(buf, NULL, 10);
			break;
		}
	}
	/* %.16e always reads back, so the loop ended with a match. */
	while (m % 10 == 0) {
		m /= 10;
		q++;
	}
	k = snprintf(s, 24, "%" PRIu64, m);
	*n = q + k;
}

int gh_jcs_number(double d, char out[GH_JCS_NUM_MAX])
{
	char s[24], *o = out;
	int n, k, i;

	if (!isfinite(d))
		return -EDOM;
	if (d == 0) { /* and -0 */
		strcpy(out, "0");
		return 1;
	}
	if (d < 0) {
		*o++ = '-';
		d = -d;
	}
	shortest(d, s, &n);
	k = (int)strlen(s);
	if (k <= n && n <= 21) {
		/* an integer: the digits, then n - k zeros */
		memcpy(o, s, (size_t)k);
		o += k;
		for (i = 0; i < n - k; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(o, s, (size_t)n);
		o += n;
		*o++ = '.';
		memcpy(o, s + n, (size_t)(k - n));
		o += k - n;
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -n; i++)
			*o++ = '0';
		memcpy(o, s, (size_t)k);
		o += k;
	} else {
		*o++ = s[0];
		if (k > 1) {
			*o++ = '.';
			memcpy(o, s + 1, (size_t)(k - 1));
			o += k - 1;
		}
		o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	*o = '\0';
	return (int)(o - out);
}

/* ---- strings ---------------------------------------------------------- */

/* Decode one UTF-8 sequence at s[0..len): the code point, or -1 when the
 * bytes are not valid UTF-8 (overlong, surrogate, above U+10FFFF, cut). */
static long utf8_next(const unsigned char *s, size_t len, size_t *used)
{
	unsigned long c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*used = 1;
		return (long)c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return -1;
	if (len < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*used = n;
	return (long)c;
}

static int utf8_ok(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (utf8_next((const unsigned char *)s + i, len - i, &n) < 0)
			return 0;
		i += n;
	}
	return 1;
}

static int write_string(struct gh_buf *b, const char *s, size_t len)
{
	size_t i, run = 0;
	int ret = gh_buf_addc(b, '"');

	for (i = 0; i < len && ret == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ret = gh_buf_add(b, s + run, i - run);
		run = i + 1;
		if (ret == 0)
			ret = gh_buf_add(b, esc, gh_json_escape(c, esc));
	}
	if (ret == 0)
		ret = gh_buf_add(b, s + run, len - run);
	if (ret == 0)
		ret = gh_buf_addc(b, '"');
	return ret;
}

/* ---- values ----------------------------------------------------------- */

struct jcs {
	struct gh_buf *b;
	struct gh_buf path; /* JSON pointer of the value being written */
	int flags;
	char *err;
	size_t errlen;
	int jv; /* the tree is lib/jv's, not json-c's */
};

/* A value of either tree (j->jv says which): both are written by the one
 * writer below, through the few accessors that tell them apart. */
struct node {
	struct json_object *o;
	const struct gh_jv *v;
};

/* Say why at the current JSON pointer; returns ret. */
__attribute__((format(printf, 3, 4))) static int fail_as(struct jcs *j, int ret,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!j->err || !j->errlen)
		return ret;
	va_start(ap, fmt);
	n = vsnprintf(j->err, j->errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < j->errlen)
		snprintf(j->err + n, j->errlen - (size_t)n, " at %s",
			 j->path.len ? j->path.p : "top level");
	return ret;
}

#define fail(j, ...) fail_as(j, -EINVAL, __VA_ARGS__)

/* Append one JSON pointer token (RFC 6901: ~ as ~0, / as ~1). */
static int path_push(struct jcs *j, const char *key, size_t len)
{
	size_t i;
	int ret = gh_buf_addc(&j->path, '/');

	for (i = 0; i < len && ret == 0; i++) {
		if (key[i] == '~')
			ret = gh_buf_adds(&j->path, "~0");
		else if (key[i] == '/')
			ret = gh_buf_adds(&j->path, "~1");
		else
			ret = gh_buf_addc(&j->path, (unsigned char)key[i] < 0x20 ? '?' : key[i]);
	}
	return ret;
}

static void path_pop(struct jcs *j, size_t len)
{
	j->path.len = len;
	if (j->path.p)
		j->path.p[len] = '\0';
}

/* ---- the two trees ---------------------------------------------------- */

/* n's type as a GH_JV_* */
static int node_type(const struct jcs *j, struct node n)
{
	if (j->jv)
		return gh_jv_type(n.v);
	switch (json_object_get_type(n.o)) {
	case json_type_boolean:
		return GH_JV_BOOL;
	case json_type_int:
		return GH_JV_INT;
	case json_type_double:
		return GH_JV_DOUBLE;
	case json_type_string:
		return GH_JV_STRING;
	case json_type_array:
		return GH_JV_ARRAY;
	case json_type_object:
		return GH_JV_OBJECT;
	default:
		return GH_JV_NULL;
	}
}

static int node_bool(const struct jcs *j, struct node n)
{
	return j->jv ? gh_jv_bool(n.v) : json_object_get_boolean(n.o);
}

/* json-c's get_int64 clamps a uint64 beyond INT64_MAX to INT64_MAX, which
 * is beyond the exact range too. */
static int64_t node_int(const struct jcs *j, struct node n)
{
	return j->jv ? gh_jv_int(n.v) : json_object_get_int64(n.o);
}

/* The binary64 value of a number: json-c converts int64 and uint64 alike,
 * rounding to nearest, as ES6 would hold it; a lib/jv integer is int64. */
static double node_double(const struct jcs *j, struct node n)
{
	return j->jv ? gh_jv_double(n.v) : json_object_get_double(n.o);
}

/* An integer as the input wrote it, for messages. */
static const char *node_int_text(const struct jcs *j, struct node n, char buf[24])
{
	if (!j->jv)
		return json_object_get_string(n.o);
	snprintf(buf, 24, "%" PRId64, gh_jv_int(n.v));
	return buf;
}

static const char *node_str(const struct jcs *j, struct node n, size_t *len)
{
	if (j->jv)
		return gh_jv_str(n.v, len);
	*len = (size_t)json_object_get_string_len(n.o);
	return json_object_get_string(n.o);
}

static size_t node_len(const struct jcs *j, struct node n)
{
	if (j->jv)
		return gh_jv_len(n.v);
	return json_object_get_type(n.o) == json_type_object ?
		       (size_t)json_object_object_length(n.o) :
		       json_object_array_length(n.o);
}

static struct node node_idx(const struct jcs *j, struct node a, size_t i)
{
	struct node e = { NULL, NULL };

	if (j->jv)
		e.v = gh_jv_idx(a.v, i);
	else
		e.o = json_object_array_get_idx(a.o, i);
	return e;
}

struct member {
	const char *key;
	size_t keylen;
	uint16_t *u16; /* the name as UTF-16 code units */
	size_t n16;
	struct node val;
};

/* The members of object o into m[0..node_len) in document order. */
static void node_members(const struct jcs *j, struct node o, struct member *m)
{
	size_t i = 0;

	if (j->jv) {
		for (i = 0; i < gh_jv_len(o.v); i++) {
			m[i].key = gh_jv_str(gh_jv_name(o.v, i), &m[i].keylen);
			m[i].val.v = gh_jv_val(o.v, i);
		}
		return;
	}
	json_object_object_foreach(o.o, key, val)
	{
		m[i].key = key;
		m[i].keylen = strlen(key);
		m[i].val.o = val;
		i++;
	}
}

/* ---- values ----------------------------------------------------------- */

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t i, n = x->n16 < y->n16 ? x->n16 : y->n16;

	for (i = 0; i < n; i++)
		if (x->u16[i] != y->u16[i])
			return x->u16[i] < y->u16[i] ? -1 : 1;
	return x->n16 < y->n16 ? -1 : x->n16 > y->n16;
}

/* UTF-16 code units of a valid UTF-8 name; -EINVAL when it is not valid. */
static int to_utf16(struct member *m)
{
	const unsigned char *s = (const unsigned char *)m->key;
	size_t i = 0, used;
	long c;

	m->u16 = malloc((m->keylen + 1) * sizeof(*m->u16));
	if (!m->u16)
		return -ENOMEM;
	m->n16 = 0;
	while (i < m->keylen) {
		c = utf8_next(s + i, m->keylen - i, &used);
		if (c < 0)
			return -EINVAL;
		if (c >= 0x10000) {
			c -= 0x10000;
			m->u16[m->n16++] = (uint16_t)(0xd800 + (c >> 10));
			m->u16[m->n16++] = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else {
			m->u16[m->n16++] = (uint16_t)c;
		}
		i += used;
	}
	return 0;
}

static int write_value(struct jcs *j, struct node n, int depth);

/* An integer of at most 2^53 in magnitude is exact in binary64, and its
 * shortest form (gh_jcs_number) is its decimal digits: written directly,
 * without the search for the shortest form. */
static int write_int(struct gh_buf *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return gh_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

static int write_object(struct jcs *j, struct node o, int depth)
{
	size_t n = node_len(j, o), i, mark;
	struct member *m = calloc(n ? n : 1, sizeof(*m));
	int ret = 0;

	if (!m)
		return -ENOMEM;
	node_members(j, o, m);
	for (i = 0; i < n; i++) {
		ret = to_utf16(&m[i]);
		if (ret == -EINVAL) {
			ret = fail(j, "member name is not valid UTF-8");
			goto out;
		}
		if (ret < 0)
			goto out;
	}
	qsort(m, n, sizeof(*m), member_cmp);
	ret = gh_buf_addc(j->b, '{');
	for (i = 0; i < n && ret == 0; i++) {
		if (i > 0)
			ret = gh_buf_addc(j->b, ',');
		if (ret == 0)
			ret = write_string(j->b, m[i].key, m[i].keylen);
		if (ret == 0)
			ret = gh_buf_addc(j->b, ':');
		mark = j->path.len;
		if (ret == 0)
			ret = path_push(j, m[i].key, m[i].keylen);
		if (ret == 0)
			ret = write_value(j, m[i].val, depth + 1);
		path_pop(j, mark);
	}
	if (ret == 0)
		ret = gh_buf_addc(j->b, '}');
out:
	while (n-- > 0)
		free(m[n].u16);
	free(m);
	return ret;
}

static int write_array(struct jcs *j, struct node a, int depth)
{
	size_t n = node_len(j, a), i, mark;
	char idx[24];
	int ret = gh_buf_addc(j->b, '[');

	for (i = 0; i < n && ret == 0; i++) {
		if (i > 0)
			ret = gh_buf_addc(j->b, ',');
		mark = j->path.len;
		snprintf(idx, sizeof(idx), "%zu", i);
		if (ret == 0)
			ret = path_push(j, idx, strlen(idx));
		if (ret == 0)
			ret = write_value(j, node_idx(j, a, i), depth + 1);
		path_pop(j, mark);
	}
	if (ret == 0)
		ret = gh_buf_addc(j->b, ']');
	return ret;
}

static int write_value(struct jcs *j, struct node n, int depth)
{
	char num[GH_JCS_NUM_MAX], text[24];
	const char *s;
	size_t len;
	int64_t i;

	if (depth > GH_JSON_MAX_DEPTH)
		return fail(j, "nesting deeper than %d", GH_JSON_MAX_DEPTH);
	switch (node_type(j, n)) {
	case GH_JV_NULL:
		return gh_buf_adds(j->b, "null");
	case GH_JV_BOOL:
		return gh_buf_adds(j->b, node_bool(j, n) ? "true" : "false");
	case GH_JV_INT:
		i = node_int(j, n);
		if (i <= GH_JCS_INT_MAX && i >= -GH_JCS_INT_MAX)
			return write_int(j->b, i);
		if (j->flags & GH_JCS_EXACT)
			return fail_as(j, -ERANGE,
				       "integer %s is beyond 2^53 and has no exact canonical form",
				       node_int_text(j, n, text));
		/* beyond: the binary64 value nearest, as ES6's */
		/* fall through */
	case GH_JV_DOUBLE:
		if (gh_jcs_number(node_double(j, n), num) < 0)
			return fail(j, "number is not finite");
		return gh_buf_adds(j->b, num);
	case GH_JV_STRING:
		s = node_str(j, n, &len);
		if (!utf8_ok(s, len))
			return fail(j, "string is not valid UTF-8");
		return write_string(j->b, s, len);
	case GH_JV_ARRAY:
		return write_array(j, n, depth);
	case GH_JV_OBJECT:
		return write_object(j, n, depth);
	}
	return fail(j, "unknown value type");
}

static int write_root(struct jcs *j, struct node n)
{
	int ret;

	if (j->err && j->errlen)
		j->err[0] = '\0';
	ret = write_value(j, n, 0);
	gh_buf_release(&j->path);
	return ret;
}

int gh_jcs_write(struct gh_buf *b, struct json_object *o, char *err,
		 size_t errlen)
{
	return gh_jcs_write_flags(b, o, 0, err, errlen);
}

int gh_jcs_write_flags(struct gh_buf *b, struct json_object *o, int flags,
		       char *err, size_t errlen)
{
	struct jcs j = { b, GH_BUF_INIT, flags, err, errlen, 0 };
	struct node n = { o, NULL };

	return write_root(&j, n);
}

int gh_jcs_write_jv(struct gh_buf *b, const struct gh_jv *v, char *err,
		    size_t errlen)
{
	struct jcs j = { b, GH_BUF_INIT, 0, err, errlen, 1 };
	struct node n = { NULL, v };

	return write_root(&j, n);
}

/* ---- text checks ------------------------------------------------------ */

struct name {
	char *s;
	size_t len;
	unsigned long line;
};

struct frame {
	int object, want_key;
	struct name *names;
	size_t n, cap;
};

struct scan {
	const char *p, *end;
	unsigned long line;
	struct frame *stack;
	size_t depth, cap;
	struct gh_buf str;
	char *err;
	size_t errlen;
	unsigned long *errline;
};

__attribute__((format(printf, 3, 4))) static int scan_fail(struct scan *s,
							   unsigned long line,
							   const char *fmt, ...)
{
	va_list ap;

	if (s->errline)
		*s->errline = line;
	if (s->err && s->errlen) {
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Scan a string starting at the opening quote; its unescaped bytes go to
 * s->str (escapes other than \u kept as their character, \uXXXX as UTF-8;
 * exactness only matters for comparing names). */
static int scan_string(struct scan *s)
{
	const char *p = s->p + 1;
	int ret = 0, u, lo;
	char c8[4];

	s->str.len = 0;
	while (p < s->end && *p != '"' && ret == 0) {
		if (*p != '\\') {
			const char *q = p;

			while (q < s->end && *q != '"' && *q != '\\')
				q++;
			ret = gh_buf_add(&s->str, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if (p + 1 >= s->end)
			break;
		if (p[1] != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *f = strchr(from, p[1]);

			ret = gh_buf_addc(&s->str, f ? to[f - from] : p[1]);
			p += 2;
			continue;
		}
		u = s->end - p >= 6 ? gh_json_hex4(p + 2) : -1;
		if (u < 0)
			return scan_fail(s, s->line, "bad \\u escape");
		p += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			return scan_fail(s, s->line,
					 "lone low surrogate \\u%04x (not I-JSON)", u);
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = s->end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? gh_json_hex4(p + 2) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return scan_fail(s, s->line,
						 "lone high surrogate \\u%04x (not I-JSON)", u);
			p += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		/* Code point to UTF-8. */
		if (u < 0x80) {
			c8[0] = (char)u;
			ret = gh_buf_add(&s->str, c8, 1);
		} else if (u < 0x800) {
			c8[0] = (char)(0xc0 | u >> 6);
			c8[1] = (char)(0x80 | (u & 0x3f));
			ret = gh_buf_add(&s->str, c8, 2);
		} else if (u < 0x10000) {
			c8[0] = (char)(0xe0 | u >> 12);
			c8[1] = (char)(0x80 | (u >> 6 & 0x3f));
			c8[2] = (char)(0x80 | (u & 0x3f));
			ret = gh_buf_add(&s->str, c8, 3);
		} else {
			c8[0] = (char)(0xf0 | u >> 18);
			c8[1] = (char)(0x80 | (u >> 12 & 0x3f));
			c8[2] = (char)(0x80 | (u >> 6 & 0x3f));
			c8[3] = (char)(0x80 | (u & 0x3f));
			ret = gh_buf_add(&s->str, c8, 4);
		}
	}
	if (ret < 0)
		return ret;
	s->p = p < s->end ? p + 1 : p;
	return 0;
}

/* An integer literal (no fraction, no exponent) beyond int64/uint64. */
static int scan_number(struct scan *s)
{
	const char *p = s->p, *d;
	int neg = *p == '-', integer = 1;
	size_t n;

	d = p + neg;
	while (p < s->end && *p && strchr("+-0123456789.eE", *p)) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			integer = 0;
		p++;
	}
	s->p = p;
	if (!integer)
		return 0;
	n = (size_t)(p - d);
	if (n < 19 || (n == 19 && !neg) ||
	    (n == 19 && memcmp(d, "9223372036854775808", 19) <= 0) ||
	    (n == 20 && !neg && memcmp(d, "18446744073709551615", 20) <= 0))
		return 0;
	if (n > 24)
		return scan_fail(s, s->line,
				 "integer of %zu digits is out of the 64-bit range", n);
	return scan_fail(s, s->line, "integer %s%.*s is out of the 64-bit range",
			 neg ? "-" : "", (int)n, d);
}

static int name_cmp(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void frame_release(struct frame *f)
{
	while (f->n > 0)
		free(f->names[--f->n].s);
	free(f->names);
	f->names = NULL;
	f->cap = 0;
}

/* Make a printable copy of a name for messages: controls and quotes as
 * '?', cut at 40 bytes. */
static void printable(char *out, const char *s, size_t len)
{
	size_t i, n = len > 40 ? 40 : len;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == '"' ? '?' : s[i];
	strcpy(out + n, len > 40 ? "..." : "");
}

static int frame_close(struct scan *s, struct frame *f)
{
	char shown[48];
	size_t i;

	if (f->n > 1) {
		qsort(f->names, f->n, sizeof(*f->names), name_cmp);
		for (i = 1; i < f->n; i++) {
			if (name_cmp(&f->names[i - 1], &f->names[i]) == 0) {
				unsigned long l = f->names[i].line > f->names[i - 1].line
							  ? f->names[i].line
							  : f->names[i - 1].line;

				printable(shown, f->names[i].s, f->names[i].len);
				return scan_fail(s, l,
						 "duplicate member name \"%s\" (not I-JSON)",
						 shown);
			}
		}
	}
	return 0;
}

static int add_name(struct scan *s, struct frame *f, unsigned long line)
{
	struct name *nn;

	if (memchr(s->str.p ? s->str.p : "", '\0', s->str.len))
		return scan_fail(s, line, "member name contains U+0000");
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;

		nn = realloc(f->names, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		f->names = nn;
		f->cap = cap;
	}
	nn = &f->names[f->n];
	nn->s = malloc(s->str.len + 1);
	if (!nn->s)
		return -ENOMEM;
	memcpy(nn->s, s->str.p ? s->str.p : "", s->str.len);
	nn->len = s->str.len;
	nn->line = line;
	f->n++;
	return 0;
}

int gh_jcs_check_text(const char *buf, size_t len, unsigned long *line,
		      char *err, size_t errlen)
{
	struct scan s = { buf, buf + len, 1, NULL, 0, 0, GH_BUF_INIT, err,
			  errlen, line };
	struct frame *top, *st;
	unsigned long start;
	int ret = 0;

	if (err && errlen)
		err[0] = '\0';
	while (s.p < s.end && ret == 0) {
		top = s.depth ? &s.stack[s.depth - 1] : NULL;
		switch (*s.p) {
		case '\n':
			s.line++;
			/* fall through */
		case ' ': case '\t': case '\r': case ':':
			s.p++;
			break;
		case ',':
			if (top && top->object)
				top->want_key = 1;
			s.p++;
			break;
		case '{':
		case '[':
			if (s.depth == s.cap) {
				size_t cap = s.cap ? 2 * s.cap : 16;

				st = realloc(s.stack, cap * sizeof(*st));
				if (!st) {
					ret = -ENOMEM;
					break;
				}
				s.stack = st;
				s.cap = cap;
			}
			top = &s.stack[s.depth++];
			memset(top, 0, sizeof(*top));
			top->object = top->want_key = *s.p == '{';
			s.p++;
			break;
		case '}':
		case ']':
			if (top) {
				ret = frame_close(&s, top);
				frame_release(top);
				s.depth--;
			}
			s.p++;
			break;
		case '"':
			start = s.line;
			ret = scan_string(&s);
			if (ret == 0 && top && top->object && top->want_key) {
				top->want_key = 0;
				ret = add_name(&s, top, start);
			}
			break;
		default:
			if (*s.p == '-' || (*s.p >= '0' && *s.p <= '9'))
				ret = scan_number(&s);
			else
				s.p++; /* true, false, null, one byte at a time */
		}
	}
	while (s.depth > 0)
		frame_release(&s.stack[--s.depth]);
	free(s.stack);
	gh_buf_release(&s.str);
	return ret;
}
