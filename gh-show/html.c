/* gh-show --html: one self-contained page. */
#include <errno.h>

#include "show.h"

int show_html(struct gh_buf *out, const struct model *m, const char *title)
{
	(void)out;
	(void)m;
	(void)title;
	return -ENOSYS;
}
