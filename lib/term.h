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
 * \xHH, DEL as \x7f and C1 controls (U+0080 to U+009F, CSI among them)
 * as \u00HH; other UTF-8 as it is. At most max characters (the last three
 * "..." when cut), or all of it when max is 0. 0 or -ENOMEM. */
int gh_term_esc(struct gh_buf *b, const char *s, size_t len, size_t max);

#endif
