/* RFC 8785 JSON Canonicalization Scheme (JCS) over json-c objects.
 *
 * The canonical form is what gets hashed and signed: no whitespace; object
 * members sorted by their names compared as arrays of UTF-16 code units;
 * strings with only \" \\ \b \f \n \r \t and \u00xx (lowercase hex, other
 * controls below U+0020) escaped, everything else as raw UTF-8; numbers as
 * ECMAScript's Number.prototype.toString prints the binary64 value (shortest
 * digits that read back to the same double, -0 as 0, exponent form below
 * 1e-6 and from 1e21 on); literals as null, true, false.
 *
 * RFC 8785 accepts only I-JSON (RFC 7493) input. What is rejected here, with
 * -EINVAL and a reason naming where (a JSON pointer) in err:
 *   - numbers that are not finite (NaN, Infinity: json-c turns 1e400 into
 *     Infinity, so an overflowing number ends up here);
 *   - strings and member names that are not valid UTF-8, including UTF-8
 *     encoded surrogates (U+D800..U+DFFF), overlong forms and code points
 *     above U+10FFFF: a lone surrogate has no UTF-8 form at all;
 *   - nesting deeper than GH_JSON_MAX_DEPTH.
 * Accepted: Unicode noncharacters (U+FFFE, U+FDD0, ...), which I-JSON
 * discourages but which ECMAScript and every JCS implementation keep;
 * integers of any size json-c holds (printed through binary64, as ES6 does:
 * 10000000000000000999 gives 10000000000000000000).
 *
 * What a json-c object cannot show cannot be checked here: duplicate member
 * names (json-c keeps the last), lone surrogate escapes such as "\ud800"
 * (json-c's tokener turns them into U+FFFD) and integers beyond 64 bits
 * (json-c clamps them). Those are properties of the text and must be
 * refused where the text is read; gh_jcs_check_text does that for callers
 * that start from text.
 *
 * Ownership: nothing here takes or keeps a reference to the objects given.
 */
#ifndef GH_JCS_H
#define GH_JCS_H

#include <stddef.h>
#include <json-c/json.h>

#include "gh.h"

/* Large enough for any ES6 number string plus NUL ("-1.2345678901234567e-300"). */
#define GH_JCS_NUM_MAX 32

/* ES6 Number.prototype.toString of d into out, NUL terminated. Returns the
 * length, or -EDOM when d is NaN or infinite. */
int gh_jcs_number(double d, char out[GH_JCS_NUM_MAX]);

/* Append the canonical form of o (NULL is JSON null) to b. Returns 0,
 * -EINVAL (not canonicalizable: reason in err, errlen bytes, may be NULL)
 * or -ENOMEM. On error b may hold a partial result: discard it. */
int gh_jcs_write(struct gh_buf *b, struct json_object *o, char *err,
		 size_t errlen);

/* The largest integer magnitude whose canonical form reads back as the
 * same integer: 2^53. Beyond it, binary64 rounding makes neighbours share
 * one canonical form (9007199254740993 prints as 9007199254740992), so a
 * signature over the canonical form would not cover the exact value that
 * a reader of the JSON text sees. */
#define GH_JCS_INT_MAX 9007199254740992LL
/* GH_JCS_EXACT: refuse, with -ERANGE and the reason in err, an integer
 * whose magnitude is beyond GH_JCS_INT_MAX (what is signed must be what
 * every reader reads). Doubles are written as they are: their text already
 * went through binary64 when it was parsed. */
enum { GH_JCS_EXACT = 1 };
int gh_jcs_write_flags(struct gh_buf *b, struct json_object *o, int flags,
		       char *err, size_t errlen);

/* Check JSON text for what I-JSON (RFC 7493) forbids and a json-c object
 * cannot show once parsed: duplicate member names (compared after
 * unescaping), \u escapes that leave a lone surrogate, a U+0000 in a member
 * name (json-c cuts names at NUL) and integer literals outside the 64-bit
 * range (json-c clamps them to the nearest 64-bit value). The text must
 * already be valid JSON (gh_json_parse accepted it): this scans tokens, it
 * does not check the grammar again. Returns 0, -ENOMEM, or -EINVAL with the
 * reason in err and its 1-based line number in *line (may be NULL). */
int gh_jcs_check_text(const char *buf, size_t len, unsigned long *line,
		      char *err, size_t errlen);

/* gh_jcs_write of a lib/jv value (a tree gh_jdoc_parse or gh_jdoc_next
 * built, or gh_receipt's): the same bytes as gh_jcs_write gives for the
 * json-c value parsed from the same text. */
struct gh_jv;
int gh_jcs_write_jv(struct gh_buf *b, const struct gh_jv *v, char *err,
		    size_t errlen);

#endif
