/* gh-policy: judge a receipt against a rules file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "json.h"
#include "policy.h"

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
		"usage: gh-policy [-j | -a | -q] [--stats] RULES [RECEIPT]\n"
		"       gh-policy -c RULES\n"
		"Judge a glasshouse receipt (file or stdin) against a rules file.\n"
		"  -j, --json      print the verdict as a JSON object\n"
		"  -a, --annotate  print the receipt with the verdict in its \"policy\" member\n"
		"  -q, --quiet     print nothing; the exit status is the verdict\n"
		"  -c, --check     only check the rules file\n"
		"      --stats     print timings to stderr\n"
		"  -h, --help      show this help\n"
		"      --version   show the version\n"
		"Exit status: 0 pass, 1 violations, 2 error. See gh-policy(1), gh-policy(5).\n");
	exit(status);
}

/* The one receipt of the input: 0, or -1 after printing the error. */
static int read_receipt(const char *path, struct json_object **out)
{
	const char *name = gh_input_name(path);
	FILE *f = gh_open_input(path);
	struct gh_jreader *jr;
	struct json_object *extra = NULL;
	char err[512];
	int rc;

	if (!f) {
		gh_err("%s: %s", name, strerror(errno));
		return -1;
	}
	jr = gh_jreader_new(f, name, GH_JR_SEQ);
	if (!jr) {
		gh_err("%s: %s", name, strerror(ENOMEM));
		goto fail;
	}
	rc = gh_jreader_next(jr, out);
	if (rc == 0) {
		gh_err("%s: expected a receipt, got empty input", name);
		goto fail;
	}
	if (rc < 0) {
		gh_err("%s", gh_jreader_error(jr));
		goto fail;
	}
	if (gh_receipt_check(*out, err, sizeof(err)) < 0) {
		gh_err("%s:%lu: %s", name, gh_jreader_line(jr), err);
		json_object_put(*out);
		*out = NULL;
		goto fail;
	}
	rc = gh_jreader_next(jr, &extra);
	if (rc != 0) {
		if (rc > 0)
			gh_err("%s:%lu: expected one receipt, got a second JSON value",
			       name, gh_jreader_line(jr));
		else
			gh_err("%s", gh_jreader_error(jr));
		json_object_put(extra);
		json_object_put(*out);
		*out = NULL;
		goto fail;
	}
	gh_jreader_free(jr);
	if (f != stdin)
		fclose(f);
	return 0;
fail:
	gh_jreader_free(jr);
	if (f != stdin)
		fclose(f);
	return -1;
}

int main(int argc, char **argv)
{
	enum { OPT_VERSION = 256, OPT_STATS };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "annotate", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", no_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, annotate = 0, quiet = 0, check = 0, stats = 0, ch;
	struct policy pol = { 0 };
	struct verdict ver = { 0 };
	struct json_object *receipt = NULL;
	struct gh_buf out = GH_BUF_INIT;
	const char *rules, *rpath;
	char err[1024];
	int status = GH_EXIT_ERR;

	gh_init("gh-policy");
	while ((ch = getopt_long(argc, argv, "jaqch", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'a':
			annotate = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'c':
			check = 1;
			break;
		case OPT_STATS:
			stats = 1;
			break;
		case 'h':
			usage(GH_EXIT_OK);
			break;
		case OPT_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			usage(GH_EXIT_ERR);
		}
	}
	if (json + annotate + quiet + check > 1) {
		gh_err("can't combine %s", check ? "--check with other output options" :
		       "--json, --annotate and --quiet");
		usage(GH_EXIT_ERR);
	}
	if (optind >= argc) {
		gh_err("missing rules file");
		usage(GH_EXIT_ERR);
	}
	if (argc - optind > (check ? 1 : 2)) {
		gh_err("too many arguments");
		usage(GH_EXIT_ERR);
	}
	rules = argv[optind];
	rpath = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!check && strcmp(rules, "-") == 0 && (!rpath || strcmp(rpath, "-") == 0)) {
		gh_err("can't read both the rules and the receipt from stdin");
		usage(GH_EXIT_ERR);
	}

	/* compile the rules once */
	if (policy_load(&pol, rules, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		goto out;
	}
	if (check) {
		status = GH_EXIT_OK;
		goto out;
	}
	if (read_receipt(rpath, &receipt) < 0)
		goto out;
	if (policy_eval(&pol, receipt, &ver, err, sizeof(err)) < 0) {
		gh_err("%s: %s", gh_input_name(rpath), err);
		goto out;
	}
	if (verdict_finish(&pol, &ver) < 0) {
		gh_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (stats)
		fprintf(stderr, "gh-policy: stats: %zu rules, %zu items, %zu violations, "
			"compile %.1f ms, evaluate %.1f ms\n", pol.nrules, ver.items,
			ver.n, ver.ms_index, ver.ms_eval);

	/* build the whole output, then write it */
	if (json || annotate) {
		struct json_object *o = receipt;
		int rc;

		if (annotate) {
			if (json_object_object_get_ex(receipt, "signature", NULL))
				gh_err("warning: %s: annotating a signed receipt "
				       "invalidates its signature (annotate, then sign)",
				       gh_input_name(rpath));
			rc = report_annotate(&pol, &ver, receipt, rules);
		} else {
			o = report_json(&pol, &ver, rules);
			rc = o ? 0 : -ENOMEM;
		}
		if (rc == 0)
			rc = gh_json_to_buf(&out, o, GH_JW_PRETTY);
		if (rc == 0 && (out.len == 0 || out.p[out.len - 1] != '\n'))
			rc = gh_buf_addc(&out, '\n');
		if (!annotate)
			json_object_put(o);
		if (rc < 0) {
			gh_err("%s", strerror(-rc));
			goto out;
		}
	} else if (!quiet && report_text(&ver, &out) < 0) {
		gh_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
		goto out; /* gh_close_stdout reports it */
	status = ver.n ? GH_EXIT_NO : GH_EXIT_OK;
out:
	gh_buf_release(&out);
	verdict_release(&ver);
	json_object_put(receipt);
	policy_release(&pol);
	if (gh_close_stdout() < 0)
		status = GH_EXIT_ERR;
	return status;
}
