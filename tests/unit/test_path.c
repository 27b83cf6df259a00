/* Unit tests of lib/path.c: paths not in gh-trace's form, and the path
 * they name. */
#include <string.h>

#include "path.h"
#include "tap.h"

struct pcase {
	const char *in;
	int odd;
	const char *lex;
};

static const struct pcase cases[] = {
	{ "/", 0, "/" },
	{ "/etc/shadow", 0, "/etc/shadow" },
	{ "/etc/.shadow", 0, "/etc/.shadow" },
	{ "/etc/...", 0, "/etc/..." },
	{ "/etc/..x", 0, "/etc/..x" },
	{ "/etc/shadow/", 1, "/etc/shadow" },
	{ "//etc/shadow", 1, "/etc/shadow" },
	{ "/etc//shadow", 1, "/etc/shadow" },
	{ "/etc/./shadow", 1, "/etc/shadow" },
	{ "/etc/shadow/.", 1, "/etc/shadow" },
	{ "/home/u/project/../../../etc/shadow", 1, "/etc/shadow" },
	{ "/a/b/../../../../etc", 1, "/etc" },
	{ "/..", 1, "/" },
	{ "/a/..", 1, "/" },
	{ "//", 1, "/" },
	{ "relative/../x", 0, "/x" },
	{ "", 0, "/" },
};

int main(void)
{
	struct gh_buf b = GH_BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		size_t n = strlen(c->in);

		ok(gh_path_odd(c->in, n) == c->odd, "odd(%s) = %d", c->in, c->odd);
		ok(gh_path_lex(&b, c->in, n) == 0 && strcmp(b.p, c->lex) == 0 &&
			   b.len == strlen(c->lex),
		   "lex(%s) = %s (got %s)", c->in, c->lex, b.p ? b.p : "(null)");
	}
	/* a NUL inside is a byte of a component like any other */
	ok(gh_path_lex(&b, "/a\0b/../c", 9) == 0 && b.len == 2 && memcmp(b.p, "/c", 3) == 0,
	   "lex keeps lengths: /a\\0b/../c = /c");
	/* the buffer's content is replaced, never appended to */
	ok(gh_path_lex(&b, "/x/./y", 6) == 0 && strcmp(b.p, "/x/y") == 0, "lex replaces");
	gh_buf_release(&b);
	diag("%zu path cases", sizeof(cases) / sizeof(cases[0]));
	return done_testing();
}
