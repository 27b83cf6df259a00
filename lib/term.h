/* Strings from receipts made safe for a terminal: a file name may hold an
 * escape sequence or a newline, which must never reach a terminal raw.
 *
 * Ownership: the caller owns the buffer.
 */
#ifndef GH_TERM_H
#define GH_TERM_H

#include <stddef.h>

#include "gh.h"

/* Append s[0..len) to b with control bytes written as \n, \t, \r or
 * \xHH, DEL as \x7f, a backslash as \\, each byte that is not part of
 * valid UTF-8 as \xHH, C1 controls (U+0080 to U+009F, CSI among them) and
 * the invisible characters that reorder or hide text (bidi controls
 * U+202A to U+202E and U+2066 to U+2069, marks, zero-width characters,
 * U+2028, U+2029, U+FEFF) as \uHHHH; other UTF-8 as it is. Two different
 * strings are never written alike. At most max characters (the last three
 * "..." when cut), or all of it when max is 0. 0 or -ENOMEM. */
int gh_term_esc(struct gh_buf *b, const char *s, size_t len, size_t max);

/* The byte length of the character at s[0..len) when it is one that
 * gh_term_esc writes as \uHHHH (a C1 control, an invisible character),
 * else 0. */
size_t gh_term_hidden(const char *s, size_t len);

#endif
