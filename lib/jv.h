/* A compact JSON tree for reading large documents (receipts) fast.
 *
 * gh_jdoc_parse and gh_jdoc_next check the text exactly as gh_json_parse
 * does (lib/json.c's one scanner: RFC 8259 strict, member names unique in
 * each object, GH_JSON_MAX_DEPTH, valid UTF-8, int64 integers), with the
 * same messages, and build the tree in the same single pass: nodes and
 * child lists come from an arena in large chunks (no allocation per
 * node), strings without escapes are slices of the input (NUL terminated
 * in place), the rare strings with escapes are decoded into the arena.
 *
 * Ownership: a gh_jdoc owns the input buffer handed to it, and every node
 * and string of the values parsed from it. Nodes and strings are borrowed
 * by the caller and live until gh_jdoc_free, or, with gh_jdoc_next, until
 * the next call. The tree is read only.
 */
#ifndef GH_JV_H
#define GH_JV_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

enum gh_jv_type {
	GH_JV_NULL,
	GH_JV_BOOL,
	GH_JV_INT, /* a number written without fraction or exponent */
	GH_JV_DOUBLE,
	GH_JV_STRING,
	GH_JV_ARRAY,
	GH_JV_OBJECT,
};

struct gh_jv {
	unsigned char type; /* enum gh_jv_type */
	unsigned char b;    /* GH_JV_BOOL: 0 or 1 */
	uint32_t n;	    /* string bytes, array elements, object members */
	union {
		const char *s;	     /* NUL terminated; may hold U+0000.
					GH_JV_DOUBLE: the number as written */
		int64_t i;
		struct gh_jv **kids; /* array: n values; object: name, value
					pairs in document order (2n) */
	} u;
};

struct gh_jdoc;

/* Parse exactly one JSON value from buf[0..len) (surrounding white space
 * allowed). buf must be malloc'ed with buf[len] == '\0'; the document
 * takes it over in every case (it is written to: strings are terminated
 * in place). Returns 0 with *doc and *root set, -EINVAL with "line N:
 * reason" in err (gh_json_parse's messages), or -ENOMEM. */
int gh_jdoc_parse(char *buf, size_t len, struct gh_jdoc **doc,
		  const struct gh_jv **root, char *err, size_t errlen);

/* Values one after another in one buffer (receipts concatenated, as
 * gh_jreader's GH_JR_SEQ reads them: white space between two values is
 * optional after an object, array or string, required after a number or
 * literal). gh_jdoc_new takes buf over as gh_jdoc_parse does (NULL and
 * errno ENOMEM when out of memory, buf freed). gh_jdoc_next returns 1 with
 * *root, 0 at the end, -1 with "line N: reason" in err (lines counted
 * from the start of buf). Each call releases the previous value's tree.
 * gh_jdoc_line: the line (1-based) where the last value started. */
struct gh_jdoc *gh_jdoc_new(char *buf, size_t len);
int gh_jdoc_next(struct gh_jdoc *doc, const struct gh_jv **root, char *err,
		 size_t errlen);
unsigned long gh_jdoc_line(const struct gh_jdoc *doc);
/* Whether another value follows, without reading it into the tree (the
 * last value's tree stays): 0 only white space left, 1 a value (checked;
 * gh_jdoc_line gives its line), -1 an error as gh_jdoc_next's. */
int gh_jdoc_more(struct gh_jdoc *doc, char *err, size_t errlen);
void gh_jdoc_free(struct gh_jdoc *doc);

/* Access. A NULL node reads as absent: type GH_JV_NULL, length 0. */
static inline int gh_jv_type(const struct gh_jv *v)
{
	return v ? v->type : GH_JV_NULL;
}
static inline int gh_jv_is(const struct gh_jv *v, int type)
{
	return gh_jv_type(v) == type;
}
/* Elements of an array, members of an object; 0 for anything else. */
static inline size_t gh_jv_len(const struct gh_jv *v)
{
	return v && (v->type == GH_JV_ARRAY || v->type == GH_JV_OBJECT) ? v->n : 0;
}
/* Element k of an array (NULL past the end or for another type). */
const struct gh_jv *gh_jv_idx(const struct gh_jv *a, size_t k);
/* Member k of an object: its name and its value. */
const struct gh_jv *gh_jv_name(const struct gh_jv *o, size_t k);
const struct gh_jv *gh_jv_val(const struct gh_jv *o, size_t k);
/* The member named key (NUL terminated), or NULL when absent or o is not
 * an object. A member whose value is null is found (type GH_JV_NULL). */
const struct gh_jv *gh_jv_get(const struct gh_jv *o, const char *key);
const struct gh_jv *gh_jv_getn(const struct gh_jv *o, const char *key,
			       size_t keylen);
/* The string (len: its length), or NULL for another type. */
const char *gh_jv_str(const struct gh_jv *v, size_t *len);
/* GH_JV_INT's value (0 for another type); GH_JV_DOUBLE's or GH_JV_INT's
 * value as a double (a GH_JV_DOUBLE keeps its text, as json-c does, so
 * that it is written back as it was read). */
int64_t gh_jv_int(const struct gh_jv *v);
double gh_jv_double(const struct gh_jv *v);
int gh_jv_bool(const struct gh_jv *v);

/* The tree of a json-c value, for code that holds json-c trees (strings
 * copied: o may be released at once). 0, -ENOMEM, or -EINVAL when o nests
 * deeper than GH_JSON_MAX_DEPTH. */
int gh_jdoc_from_json(struct json_object *o, struct gh_jdoc **doc,
		      const struct gh_jv **root);

/* A json-c tree of the same value (a new reference; NULL for null, and
 * with *out NULL for -ENOMEM): for code that still edits json-c trees. */
int gh_jv_to_json(const struct gh_jv *v, struct json_object **out);

/* Between lib/jv.c and lib/json.c's scanner, which builds the tree while
 * it scans: gh_json_scan checks one value at p (white space before it
 * skipped; lines counted from start), adding its nodes to b; 0 with *stop
 * just after it, or -1 with "line N: reason" in err. */
struct gh_jb;
int gh_json_scan(struct gh_jb *b, const char *start, const char *p,
		 const char *end, const char **stop, char *err, size_t errlen);
int gh_jb_scalar(struct gh_jb *b, int type, int64_t i);
int gh_jb_double(struct gh_jb *b, const char *text, size_t len);
/* copy: s[0..len) is copied; else it is a slice of the input and s[len]
 * (the closing quote) is overwritten with NUL. */
int gh_jb_string(struct gh_jb *b, const char *s, size_t len, int copy);
int gh_jb_open(struct gh_jb *b, int type);
int gh_jb_close(struct gh_jb *b);

#endif
