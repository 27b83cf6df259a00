/* Unit tests of lib/gh.c's struct gh_buf: appends, and its sticky error. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "gh.h"
#include "tap.h"

static int holds(const struct gh_buf *b, const char *want)
{
	return b->len == strlen(want) && b->p && memcmp(b->p, want, b->len) == 0 &&
	       b->p[b->len] == '\0';
}

int main(void)
{
	struct gh_buf b = GH_BUF_INIT;
	size_t cap;

	ok(gh_buf_adds(&b, "ab") == 0 && gh_buf_addc(&b, 'c') == 0 &&
	   gh_buf_add(&b, "de", 2) == 0 && gh_buf_printf(&b, "%d", 42) == 0,
	   "appends succeed");
	if (!ok(holds(&b, "abcde42") && b.err == 0, "the buffer holds them, no error"))
		diag("got %zu bytes \"%s\", err %d", b.len, b.p ? b.p : "", b.err);

	/* a size that cannot be had: the failure is kept */
	cap = b.cap;
	ok(gh_buf_grow(&b, SIZE_MAX) == -ENOMEM, "an impossible grow fails");
	ok(b.err == -ENOMEM && b.cap == cap && holds(&b, "abcde42"),
	   "its error is kept, the content untouched");
	ok(gh_buf_add(&b, "x", 1) == -ENOMEM, "a later add fails");
	ok(gh_buf_adds(&b, "yz") == -ENOMEM, "a later adds fails");
	ok(gh_buf_addc(&b, 'w') == -ENOMEM, "a later addc fails, room or not");
	ok(gh_buf_printf(&b, "%d", 7) == -ENOMEM, "a later printf fails");
	ok(gh_buf_grow(&b, 1) == -ENOMEM, "a later small grow fails");
	ok(holds(&b, "abcde42"), "nothing was added after the failure");

	/* the owner clears it: appends work again */
	b.err = 0;
	ok(gh_buf_addc(&b, '!') == 0 && holds(&b, "abcde42!"),
	   "cleared, the buffer takes appends again");

	/* release starts afresh */
	gh_buf_grow(&b, SIZE_MAX - 1);
	ok(b.err == -ENOMEM, "a second impossible grow fails");
	gh_buf_release(&b);
	ok(b.p == NULL && b.len == 0 && b.cap == 0 && b.err == 0,
	   "release empties it and clears the error");
	ok(gh_buf_adds(&b, "new") == 0 && holds(&b, "new"),
	   "a released buffer takes appends");

	/* an overflow of len + extra is an error, not a wrap */
	ok(gh_buf_grow(&b, SIZE_MAX - b.len) == -ENOMEM && b.err == -ENOMEM,
	   "len + extra past SIZE_MAX fails");
	gh_buf_release(&b);
	return done_testing();
}
