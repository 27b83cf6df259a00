/* Absolute paths as text (see path.h). */
#include <errno.h>

#include "path.h"

int gh_path_odd(const char *p, size_t len)
{
	if (!len || p[0] != '/' || len == 1)
		return 0;
	if (p[len - 1] == '/')
		return 1;
	for (size_t i = 0; i < len; i++) {
		size_t e = i + 1;

		if (p[i] != '/')
			continue;
		while (e < len && p[e] != '/')
			e++;
		if (e == i + 1 || (e == i + 2 && p[i + 1] == '.') ||
		    (e == i + 3 && p[i + 1] == '.' && p[i + 2] == '.'))
			return 1;
	}
	return 0;
}

int gh_path_lex(struct gh_buf *b, const char *p, size_t len)
{
	b->len = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;

		while (e < len && p[e] != '/')
			e++;
		if (e == i || (e == i + 1 && p[i] == '.')) {
			/* an empty component or ".": nothing */
		} else if (e == i + 2 && p[i] == '.' && p[i + 1] == '.') {
			while (b->len && b->p[b->len - 1] != '/')
				b->len--;
			if (b->len)
				b->len--;
		} else {
			gh_buf_addc(b, '/');
			gh_buf_add(b, p + i, e - i);
		}
		i = e + 1;
	}
	if (!b->len)
		gh_buf_addc(b, '/');
	if (!b->p || b->err)
		return -ENOMEM;
	b->p[b->len] = '\0'; /* gh_buf keeps room for it */
	return 0;
}
