/* Strings made safe for a terminal: see term.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "term.h"

int gh_term_esc(struct gh_buf *b, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t chars = 0;
	char tmp[8];

	while (p < end) {
		size_t n = 1;
		const char *rep = NULL;

		if (max && chars + 1 >= max && end - p > 1) {
			/* room for the last character only when it is the last one */
			return gh_buf_adds(b, "...");
		}
		if (*p == '\n')
			rep = "\\n";
		else if (*p == '\t')
			rep = "\\t";
		else if (*p == '\r')
			rep = "\\r";
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
			rep = tmp;
		} else if (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls (CSI is U+009B) */
			snprintf(tmp, sizeof(tmp), "\\u%04x", p[1]);
			rep = tmp;
			n = 2;
		} else if (*p >= 0x80) {
			while (p + n < end && (p[n] & 0xc0) == 0x80)
				n++;
		}
		if (rep ? gh_buf_adds(b, rep) < 0 : gh_buf_add(b, p, n) < 0)
			return -ENOMEM;
		chars += rep ? strlen(rep) : 1;
		p += n;
	}
	return 0;
}
