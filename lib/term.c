/* Strings made safe for a terminal: see term.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "term.h"

/* The code point of the valid n-byte UTF-8 sequence at p. */
static unsigned utf8_cp(const unsigned char *p, size_t n)
{
	unsigned cp = p[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* Code points written as \uXXXX although valid: C1 controls, and the
 * invisible ones that change how the text around them is shown (bidi
 * embeddings, overrides and isolates, marks, zero-width characters, line
 * and paragraph separators), which can make one name look like another. */
static int hidden(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

int gh_term_esc(struct gh_buf *b, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t chars = 0;
	char tmp[8];

	while (p < end) {
		size_t n = 1;
		unsigned cp;
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
		else if (*p == '\\')
			rep = "\\\\"; /* so that \n always means a newline */
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
			rep = tmp;
		} else if (*p >= 0x80 && !(n = gh_utf8_len(p, end))) {
			/* a byte of no valid sequence (a name that is not UTF-8) */
			snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
			rep = tmp;
			n = 1;
		} else if (*p >= 0x80 && hidden(cp = utf8_cp(p, n))) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
			rep = tmp;
		}
		if (rep ? gh_buf_adds(b, rep) < 0 : gh_buf_add(b, p, n) < 0)
			return -ENOMEM;
		chars += rep ? strlen(rep) : 1;
		p += n;
	}
	return 0;
}

size_t gh_term_hidden(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = len && *p >= 0x80 ? gh_utf8_len(p, p + len) : 0;

	return n && hidden(utf8_cp(p, n)) ? n : 0;
}
