/* Strict JSON reading and deterministic JSON writing, over json-c.
 *
 * Reading is RFC 8259 strict (every JSONTestSuite n_* file rejected, every
 * y_* accepted but the two with a duplicate member name: names must be
 * unique in an object, as I-JSON requires), which json-c alone is not: lib/json.c validates the text
 * before json-c builds objects. Nesting deeper than GH_JSON_MAX_DEPTH is an
 * error, not a stack overflow. What is done with implementation-defined
 * input (JSONTestSuite i_*) is documented in json.c and pinned by
 * tests/unit/test_json.c.
 *
 * Ownership: every struct json_object ** out-parameter receives a new
 * reference that the caller releases with json_object_put(). As in json-c,
 * the JSON value null is represented by a NULL object.
 */
#ifndef GH_JSON_H
#define GH_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <json-c/json.h>

#include "gh.h"

#define GH_JSON_MAX_DEPTH 512
/* The largest value a gh_jreader in GH_JR_SEQ mode buffers (256 MiB): a
 * longer one (endless input) is an error. */
#define GH_JSON_MAX_VALUE ((size_t)256 << 20)

/* Parse exactly one JSON value from buf[0..len) (surrounding whitespace
 * allowed, nothing else). Returns 0, or -EINVAL with a message such as
 * "line 3: unexpected character 'x'" in err (errlen bytes, NUL terminated). */
int gh_json_parse(const char *buf, size_t len, struct json_object **out,
		  char *err, size_t errlen);

/* A message "line N: reason" of the parser as "NAME:M: reason" in out,
 * M = base + N - 1 (base: the line the text started on). Returns -1. */
int gh_json_locate(char *out, size_t outlen, const char *name, unsigned long base,
		   const char *msg);

/* A reader of a stream of JSON values.
 * GH_JR_NDJSON: one value per line (blank lines skipped, a line with two
 * values or a value spread over lines is an error): event streams.
 * GH_JR_SEQ: values one after another, each possibly spread over many
 * lines: receipts, one file or many concatenated. White space between two
 * values is optional after an object, array or string ("}{" is two values)
 * and required after a number or literal. */
enum { GH_JR_NDJSON = 1, GH_JR_SEQ = 2 };
struct gh_jreader;
/* name is used in messages ("<stdin>" for stdin); the reader does not own f. */
struct gh_jreader *gh_jreader_new(FILE *f, const char *name, int mode);
/* 1: *out holds the next value; 0: end of input; -1: error, see
 * gh_jreader_error() ("NAME:LINE: reason"). After an error, stop reading. */
int gh_jreader_next(struct gh_jreader *r, struct json_object **out);
const char *gh_jreader_error(const struct gh_jreader *r);
/* Line number (1-based) where the last value returned started. */
unsigned long gh_jreader_line(const struct gh_jreader *r);
void gh_jreader_free(struct gh_jreader *r);

/* Writing. Output is deterministic: object members sorted by key (byte
 * order), integers exact, doubles in the shortest form that reads back
 * the same, strings escaped with \" \\ \b \f \n \r \t and \u00XX for other
 * controls, other characters as UTF-8; a byte that is not part of valid
 * UTF-8 is written as U+FFFD (the writer never emits invalid JSON).
 * GH_JW_PRETTY: two-space indent, one member or element per line; empty
 * containers as {} and []. Without it: compact, no spaces. */
enum { GH_JW_PRETTY = 1 };
int gh_json_to_buf(struct gh_buf *b, struct json_object *o, int flags);
/* Append s[0..len) as a quoted JSON string (escaping as above). */
int gh_buf_json_str(struct gh_buf *b, const char *s, size_t len);

/* The escape of byte c (a control byte, '"' or '\\') in a JSON string, as
 * RFC 8785 writes it: \" \\ \b \f \n \r \t, else \u00xx (lowercase
 * hex), into esc, NUL terminated. Its length, 2 or 6. */
size_t gh_json_escape(unsigned char c, char esc[7]);

/* Append a member name to a path for messages: ".name" (no dot first)
 * when it is a plain identifier ([A-Za-z_][A-Za-z0-9_]*), else
 * ["name"] with JSON escapes; array indexes are written "[N]". The
 * paths read "process_tree[3].argv". Returns 0 or -ENOMEM. */
int gh_json_path_add(struct gh_buf *b, const char *name, size_t len);

/* Length of the UTF-8 sequence at p (valid, shortest form, no surrogates,
 * at most U+10FFFF; 1 for ASCII), or 0 when invalid or cut off by end. */
size_t gh_utf8_len(const unsigned char *p, const unsigned char *end);
/* The value of the four hex digits at p (a \uXXXX escape), or -1. */
int gh_json_hex4(const char *p);
/* 1 when s[0..len) is valid UTF-8 (no surrogates, no overlongs). */
int gh_utf8_valid(const char *s, size_t len);

/* Typed getters for reading records: each returns 0 and stores the value,
 * -ENOENT when the member is absent (or null, for the _opt forms), and
 * -EINVAL when it has the wrong type. Borrowed pointers live as long as o. */
int gh_json_get_str(struct json_object *o, const char *key, const char **out);
int gh_json_get_int(struct json_object *o, const char *key, int64_t *out);
int gh_json_get_bool(struct json_object *o, const char *key, int *out);
int gh_json_get_obj(struct json_object *o, const char *key, struct json_object **out);
int gh_json_get_arr(struct json_object *o, const char *key, struct json_object **out);

#endif
