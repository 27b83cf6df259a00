/* gh-train: one row of features per receipt, as NDJSON or CSV. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feature.h"
#include "gh.h"
#include "input.h"
#include "json.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--csv] [RECEIPT...]\n"
		"Print one row of features per receipt, from files or stdin\n"
		"(each may hold many receipts): NDJSON, or CSV with --csv.\n"
		"\n"
		"  -c, --csv      CSV with a header line instead of NDJSON\n"
		"  -h, --help     show this help and exit\n"
		"      --version  show the version and exit\n",
		gh_prog);
}

/* Append the rows of every receipt in path to out. 0, or -1 after a
 * message. */
static int train_file(const char *path, int csv, struct gh_buf *out)
{
	const char *name = gh_input_name(path);
	struct gh_jreader *r = NULL;
	struct json_object *o;
	struct ft_row row;
	struct stat st;
	char err[512];
	FILE *f;
	size_t n = 0;
	int rc, ret = -1;

	f = gh_open_input(path);
	if (!f) {
		gh_err("%s: %s", name, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		gh_err("%s: %s", name, strerror(EISDIR));
		goto out;
	}
	r = gh_jreader_new(f, name, GH_JR_SEQ);
	if (!r) {
		gh_err("%s: %s", name, strerror(ENOMEM));
		goto out;
	}
	while ((rc = gh_jreader_next(r, &o)) == 1) {
		n++;
		if (gh_receipt_check(o, err, sizeof(err)) < 0 ||
		    ft_extract(o, &row, err, sizeof(err)) < 0) {
			gh_err("%s:%lu: %s", name, gh_jreader_line(r), err);
			json_object_put(o);
			goto out;
		}
		rc = csv ? ft_csv_row(out, &row) : ft_json_row(out, &row);
		json_object_put(o);
		if (rc < 0) {
			gh_err("%s", strerror(-rc));
			goto out;
		}
	}
	if (rc < 0)
		gh_err("%s", gh_jreader_error(r));
	else if (n == 0)
		gh_err("%s: no receipt in input", name);
	else
		ret = 0;
out:
	gh_jreader_free(r);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct gh_buf out = GH_BUF_INIT;
	int csv = 0, c, i;

	gh_init(argv[0]);
	while ((c = getopt_long(argc, argv, "ch", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			csv = 1;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case 'V':
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			usage(stderr);
			return GH_EXIT_ERR;
		}
	}

	/* Rows are collected first: bad input leaves stdout empty. */
	if (csv && ft_csv_header(&out) < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	if (optind == argc && train_file(NULL, csv, &out) < 0)
		goto fail;
	for (i = optind; i < argc; i++)
		if (train_file(argv[i], csv, &out) < 0)
			goto fail;

	if (out.len)
		fwrite(out.p, 1, out.len, stdout);
	gh_buf_release(&out);
	return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
fail:
	gh_buf_release(&out);
	return GH_EXIT_ERR;
}
