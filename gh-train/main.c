/* gh-train: one row of features per receipt, as NDJSON or CSV. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "feature.h"
#include "gh.h"
#include "input.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"

#define SYNOPSIS "[--csv] [RECEIPT...]"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s " SYNOPSIS "\n"
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
	struct gh_jdoc *doc = NULL;
	struct gh_receipt r;
	struct ft_row row;
	struct stat st;
	char err[512], *buf;
	FILE *f;
	size_t n = 0, len;
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
	/* the whole input, bounded, binary refused at once: lib/input */
	if (gh_read_input(f, name, GH_INPUT_MAX, 1, &buf, &len, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		goto out;
	}
	if (!(doc = gh_jdoc_new(buf, len))) {
		gh_err("%s", strerror(ENOMEM));
		goto out;
	}
	while ((rc = gh_receipt_read(&r, doc, name)) == 1) {
		n++;
		if (ft_extract(&r, &row, err, sizeof(err)) < 0) {
			gh_err("%s", err);
			gh_receipt_release(&r);
			goto out;
		}
		rc = csv ? ft_csv_row(out, &row) : ft_json_row(out, &row);
		gh_receipt_release(&r);
		if (rc < 0) {
			gh_err("%s", strerror(-rc));
			goto out;
		}
	}
	if (rc < 0)
		gh_err("%s", r.err);
	else if (n == 0)
		gh_err("%s: no receipt in input", name);
	else
		ret = 0;
	gh_receipt_release(&r);
out:
	gh_jdoc_free(doc);
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
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ch", opts, NULL)) != -1) {
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
			gh_bad_option(SYNOPSIS, c, argv, opts);
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
