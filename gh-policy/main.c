/* gh-policy: judge a receipt against a rules file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "json.h"
#include "receipt.h"
#include "policy.h"
#include "term.h"

#define SYNOPSIS "[-v | -j | -a | -q] [--allow-redacted] [--stats] RULES [RECEIPT]\n" \
	"       gh-policy -c RULES\n" \
	"       gh-policy --learn [--fold-files N] [--fold-runs N] RECEIPT..."

/* The synopsis on stderr after a usage error, else the help on stdout. */
static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: gh-policy " SYNOPSIS "\n");
	if (status)
		exit(status);
	fprintf(f,
		"Judge a glasshouse receipt (file or stdin) against a rules file.\n"
		"  -v, --verbose   one line per process, not per rule and item\n"
		"  -j, --json      print the verdict as a JSON object\n"
		"  -a, --annotate  print the receipt with the verdict in its \"policy\" member\n"
		"  -q, --quiet     print nothing; the exit status is the verdict\n"
		"  -c, --check     only check the rules file\n"
		"      --learn     print rules that every RECEIPT passes, as tight as they allow\n"
		"      --fold-files N  fold a directory with N names or more (default 8)\n"
		"      --fold-runs N   fold a directory N runs used differently (default 2)\n"
		"      --allow-redacted\n"
		"                  judge a redacted receipt: masked items match every deny rule\n"
		"      --stats     print timings to stderr\n"
		"  -h, --help      show this help\n"
		"      --version   show the version\n"
		"Exit status: 0 pass, 1 violations, 2 error. See gh-policy(1), gh-policy(5).\n");
	exit(status);
}

/* The one receipt of the input (lib/receipt: read whole, every member's
 * type checked): 0, or -1 after printing the error. */
static int read_receipt(const char *path, struct gh_receipt *r)
{
	const char *name = gh_input_name(path);
	FILE *f = gh_open_input(path);
	int rc;

	memset(r, 0, sizeof(*r));
	if (!f) {
		gh_err("%s: %s", name, strerror(errno));
		return -1;
	}
	rc = gh_receipt_load(r, f, name);
	if (rc < 0)
		gh_err("%s", rc == -ENOMEM ? strerror(ENOMEM) : r->err);
	if (f != stdin)
		fclose(f);
	return rc < 0 ? -1 : 0;
}

/* A positive count for --fold-files and --fold-runs. */
static size_t count_arg(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || s[0] == '-' || errno || v == 0 || v > 1000000) {
		gh_err("%s: expected a count from 1 to 1000000, got '%s'", opt, s);
		usage(GH_EXIT_ERR);
	}
	return v;
}

/* Why a receipt cannot be learned from, or NULL. */
static const char *unlearnable(struct gh_receipt *r)
{
	const char *m;

	if (gh_receipt_str(r, "observation_mode", &m, NULL) <= 0 || strcmp(m, "ebpf") != 0)
		return "audit was not active in this run: nothing to learn from";
	if (gh_receipt_str(r, "completeness", &m, NULL) <= 0 || strcmp(m, "closed") != 0)
		return "the receipt is partial: learn from complete runs only";
	if (receipt_redactions(r->root) > 0)
		return "the receipt is redacted: learn from receipts before redacting";
	return NULL;
}

/* --learn: read every receipt, learn, check that each passes, print. */
static int learn(char **paths, int n, const struct learn_opts *o)
{
	struct gh_receipt *r = calloc(n + 1, sizeof(*r));
	const struct gh_jv **roots = calloc(n + 1, sizeof(*roots));
	struct gh_buf out = GH_BUF_INIT;
	int status = GH_EXIT_ERR, i, rc;
	size_t bad = 0;
	char why[512] = "";

	if (!r || !roots) {
		gh_err("%s", strerror(ENOMEM));
		free(r);
		free(roots);
		return GH_EXIT_ERR;
	}
	for (i = 0; i < n; i++) {
		const char *why;

		if (read_receipt(paths[i], &r[i]) < 0)
			goto out;
		roots[i] = r[i].root;
		if ((why = unlearnable(&r[i]))) {
			gh_err("%s: %s", gh_input_name(paths[i]), why);
			goto out;
		}
	}
	rc = policy_learn(roots, n, o, &out, &bad, why, sizeof(why));
	if (rc == -EBADMSG) {
		gh_err("%s: the receipt has masked values ([REDACTED], [HMAC:...]): "
		       "learn from receipts before redacting", gh_input_name(paths[bad]));
		goto out;
	}
	if (rc == -EDESTADDRREQ) {
		gh_err("%s: %s: no network pattern names this peer: learn from "
		       "runs that do not contact it", gh_input_name(paths[bad]), why);
		goto out;
	}
	if (rc < 0) {
		gh_err("%s", strerror(-rc));
		goto out;
	}
	/* the promise: every receipt passes what was learned */
	{
		int fd = memfd_create("learned.rules", MFD_CLOEXEC);
		char path[64], err[1024];
		struct policy pol = { 0 };

		if (fd < 0 || write(fd, out.p, out.len) != (ssize_t)out.len) {
			gh_err("learned rules: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rc = policy_load(&pol, path, err, sizeof(err));
		for (i = 0; rc == 0 && i < n; i++) {
			struct verdict v = { 0 };
			size_t k = 0;

			rc = policy_eval(&pol, roots[i], &v, err, sizeof(err));
			while (rc == 0 && k < v.n && v.v[k].status && v.v[k].item)
				k++;
			if (rc == 0 && v.n && k == v.n) {
				/* no allow rule passes what is judged by what it
				 * could be: not a bug, a run to learn from
				 * another */
				struct gh_buf e = GH_BUF_INIT;

				gh_term_esc(&e, v.v[0].item, v.v[0].item_len, 0);
				gh_err("%s: %s (path_status=%s) is judged by what it could "
				       "be: %s; no allow rule passes it: learn from runs "
				       "that do not", gh_input_name(paths[i]),
				       e.p ? e.p : "", v.v[0].status,
				       strcmp(v.v[0].status, "lexical") == 0 ?
				       "the run made a symbolic link at, or removed or "
				       "renamed, a directory above it (gh-policy(5), \"Two "
				       "names\")" :
				       "the receipt does not say where it is (gh-receipt(5))");
				gh_buf_release(&e);
				rc = -2;
			} else if (rc == 0 && v.n) {
				snprintf(err, sizeof(err), "%s fails them",
					 gh_input_name(paths[i]));
				rc = -1;
			}
			verdict_release(&v);
		}
		policy_release(&pol);
		close(fd);
		if (rc == -2)
			goto out;
		if (rc < 0) {
			gh_err("learned rules: %s (a bug)", err);
			goto out;
		}
	}
	if (fwrite(out.p, 1, out.len, stdout) == out.len)
		status = GH_EXIT_OK;
out:
	for (i = 0; i < n; i++)
		gh_receipt_release(&r[i]);
	free(r);
	free(roots);
	gh_buf_release(&out);
	if (gh_close_stdout() < 0)
		status = GH_EXIT_ERR;
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_VERSION = 256, OPT_STATS, OPT_ALLOW_REDACTED, OPT_VERBOSE,
	       OPT_LEARN, OPT_FOLD_FILES, OPT_FOLD_RUNS };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "annotate", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", no_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "allow-redacted", no_argument, NULL, OPT_ALLOW_REDACTED },
		{ "verbose", no_argument, NULL, 'v' },
		{ "learn", no_argument, NULL, OPT_LEARN },
		{ "fold-files", required_argument, NULL, OPT_FOLD_FILES },
		{ "fold-runs", required_argument, NULL, OPT_FOLD_RUNS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, annotate = 0, quiet = 0, check = 0, stats = 0, verbose = 0, ch;
	int learning = 0;
	struct learn_opts lo = { .fold_files = 8, .fold_runs = 2 };
	struct policy pol = { 0 };
	struct verdict ver = { 0 };
	struct gh_receipt receipt = { 0 };
	struct gh_buf out = GH_BUF_INIT;
	const char *rules, *rpath;
	char err[1024];
	int status = GH_EXIT_ERR;

	gh_init("gh-policy");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":jaqchv", longopts, NULL)) != -1) {
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
		case 'v':
			verbose = 1;
			break;
		case OPT_LEARN:
			learning = 1;
			break;
		case OPT_FOLD_FILES:
			lo.fold_files = count_arg("--fold-files", optarg);
			break;
		case OPT_FOLD_RUNS:
			lo.fold_runs = count_arg("--fold-runs", optarg);
			break;
		case OPT_ALLOW_REDACTED:
			ver.allow_redacted = 1;
			break;
		case 'h':
			usage(GH_EXIT_OK);
			break;
		case OPT_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, ch, argv, longopts);
		}
	}
	if (learning) {
		if (json + annotate + quiet + check + verbose + stats ||
		    ver.allow_redacted) {
			gh_err("can't combine --learn with other options than "
			       "--fold-files and --fold-runs");
			usage(GH_EXIT_ERR);
		}
		if (optind >= argc) {
			gh_err("--learn: missing receipts");
			usage(GH_EXIT_ERR);
		}
		return learn(argv + optind, argc - optind, &lo);
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
	if (policy_eval(&pol, receipt.root, &ver, err, sizeof(err)) < 0) {
		gh_err("%s: %s", gh_input_name(rpath), err);
		goto out;
	}
	if (!ver.allow_redacted) {
		int64_t n = receipt_redactions(receipt.root);

		if (n > 0 || ver.masked) {
			gh_err("%s: the receipt is redacted (%lld %s masked): judge "
			       "a receipt before redacting it (gh-policy --annotate, "
			       "then gh-redact), or give --allow-redacted to count "
			       "masked items against every deny rule",
			       gh_input_name(rpath),
			       (long long)(n > 0 ? n : (int64_t)ver.masked),
			       n > 0 ? "values" : "items");
			goto out;
		}
	}
	if (verdict_finish(&pol, &ver) < 0) {
		gh_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (stats)
		fprintf(stderr, "gh-policy: stats: %zu rules, %zu items, %zu violations, "
			"compile %.1f ms, evaluate %.1f ms\n", pol.nrules - BUILTIN_RULES, ver.items,
			ver.n, ver.ms_index, ver.ms_eval);

	/* build the whole output, then write it */
	if (json || annotate) {
		struct json_object *o = NULL;
		int rc;

		if (annotate) {
			if (gh_jv_get(receipt.root, "signature"))
				gh_err("warning: %s: annotating a signed receipt "
				       "invalidates its signature (annotate, then sign)",
				       gh_input_name(rpath));
			/* the receipt as json-c, to edit and write */
			rc = gh_jv_to_json(receipt.root, &o);
			if (rc == 0)
				rc = report_annotate(&pol, &ver, o, rules);
		} else {
			o = report_json(&pol, &ver, rules);
			rc = o ? 0 : -ENOMEM;
		}
		if (rc == 0)
			rc = gh_json_to_buf(&out, o, GH_JW_PRETTY);
		if (rc == 0 && (out.len == 0 || out.p[out.len - 1] != '\n'))
			rc = gh_buf_addc(&out, '\n');
		json_object_put(o);
		if (rc < 0) {
			gh_err("%s", strerror(-rc));
			goto out;
		}
	} else if (!quiet && report_text(&ver, verbose, &out) < 0) {
		gh_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
		goto out; /* gh_close_stdout reports it */
	status = ver.n ? GH_EXIT_NO : GH_EXIT_OK;
out:
	gh_buf_release(&out);
	verdict_release(&ver);
	gh_receipt_release(&receipt);
	policy_release(&pol);
	if (gh_close_stdout() < 0)
		status = GH_EXIT_ERR;
	return status;
}
