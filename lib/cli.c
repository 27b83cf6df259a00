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

/* The long option of val that arg ("--NAME" or "--NAME=VALUE") names,
 * NAME whole or abbreviated as getopt_long takes it, or NULL. */
static const struct option *long_option(const struct option *longopts, const char *arg,
					int val)
{
	size_t n = strcspn(arg + 2, "=");
	const struct option *found = NULL;

	for (; longopts && longopts->name; longopts++)
		if (longopts->val == val && strncmp(longopts->name, arg + 2, n) == 0) {
			if (strlen(longopts->name) == n)
				return longopts;
			if (!found)
				found = longopts;
		}
	return found;
}

/* Whether arg abbreviates more than one long option (getopt_long refuses
 * it as it refuses an unknown one). */
static int long_option_ambiguous(const struct option *longopts, const char *arg)
{
	size_t n = strcspn(arg + 2, "=");
	const struct option *first = NULL;

	for (; longopts && longopts->name; longopts++) {
		if (strncmp(longopts->name, arg + 2, n) != 0)
			continue;
		if (strlen(longopts->name) == n)
			return 0;
		if (!first)
			first = longopts;
		else if (first->val != longopts->val || first->has_arg != longopts->has_arg)
			return 1;
	}
	return 0;
}

const char *gh_option_error(int c, char *const argv[], const struct option *longopts,
			    char *buf, size_t size)
{
	const char *last = optind > 0 ? argv[optind - 1] : "";
	char opt[3] = { '-', (char)optopt, 0 };
	const struct option *o = NULL;
	const char *name = opt;
	int len = 2;

	/* an unknown long option leaves optopt 0; one without its argument,
	 * or with one it does not take, sets it to its val, as a short option
	 * does */
	if (strncmp(last, "--", 2) == 0 && last[2] &&
	    (!optopt || (o = long_option(longopts, last, optopt)))) {
		name = last;
		len = (int)strcspn(last, "=");
	}
	if (c == ':')
		snprintf(buf, size, "option '%.*s' needs an argument", len, name);
	else if (o && o->has_arg == no_argument && name[len] == '=')
		snprintf(buf, size, "option '%.*s' takes no argument", len, name);
	else if (name == last && long_option_ambiguous(longopts, last))
		snprintf(buf, size, "option '%.*s' is ambiguous", len, name);
	else
		snprintf(buf, size, "unknown option '%.*s'", len, name);
	return buf;
}

void gh_bad_option(const char *synopsis, int c, char *const argv[],
		   const struct option *longopts)
{
	char msg[160];

	gh_usage_error(synopsis, "%s", gh_option_error(c, argv, longopts, msg, sizeof(msg)));
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
