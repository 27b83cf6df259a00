#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void gh_usage_error(const char *synopsis, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", gh_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s\n", gh_prog, synopsis);
	exit(GH_EXIT_ERR);
}

int gh_receipt_read_file(struct gh_receipt *r, const char *path)
{
	const char *name = gh_input_name(path);
	struct stat st;
	FILE *f;
	int rc;

	memset(r, 0, sizeof(*r));
	f = gh_open_input(path);
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", name, strerror(-rc));
		return rc;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else
		rc = gh_receipt_load(r, f, name);
	if (f != stdin)
		fclose(f);
	if (rc < 0 && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s: %s", name, strerror(-rc));
	return rc;
}
