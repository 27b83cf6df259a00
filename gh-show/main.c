/* gh-show: a receipt summarized for people, on a terminal or as HTML. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "show.h"

#define SYNOPSIS "[--files | --net | --procs | --tree | --html] [--color=WHEN] [FILE]"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s " SYNOPSIS "\n"
		"Summarize a receipt (FILE or stdin) on one screen: the command, how it\n"
		"ended, whether the record is complete, the process tree folded, what\n"
		"the run left on the filesystem, whom it contacted, failures that\n"
		"matter and secrets it touched.\n"
		"\n"
		"      --files       the filesystem section whole\n"
		"      --net         the network section whole\n"
		"      --procs       the folded process tree whole\n"
		"      --tree        every process, unfolded, with exit codes and signals\n"
		"      --html        one self-contained HTML page instead of text\n"
		"      --color=WHEN  auto (on a terminal, unless NO_COLOR is set),\n"
		"                    always or never\n"
		"  -h, --help        show this help and exit\n"
		"      --version     show the version and exit\n",
		gh_prog);
}

static int columns(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 40)
		return ws.ws_col;
	return 100;
}

int main(int argc, char **argv)
{
	enum { O_FILES = 256, O_NET, O_PROCS, O_TREE, O_HTML, O_COLOR, O_VERSION };
	static const struct option opts[] = {
		{ "files", no_argument, NULL, O_FILES },
		{ "net", no_argument, NULL, O_NET },
		{ "procs", no_argument, NULL, O_PROCS },
		{ "tree", no_argument, NULL, O_TREE },
		{ "html", no_argument, NULL, O_HTML },
		{ "color", required_argument, NULL, O_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { "", "--files", "--net", "--procs", "--tree" };
	struct show_opts so = { .section = SEC_SUMMARY };
	struct gh_buf out = GH_BUF_INIT;
	struct gh_receipt r;
	struct model m;
	const char *path = NULL, *name, *when = "auto", *nc;
	const char *mode = NULL;
	int c, html = 0, rc;

	gh_init("gh-show");
	opterr = 0;
	/* parse options */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int sec = -1;

		switch (c) {
		case O_FILES:
			sec = SEC_FILES;
			break;
		case O_NET:
			sec = SEC_NET;
			break;
		case O_PROCS:
			sec = SEC_PROCS;
			break;
		case O_TREE:
			sec = SEC_TREE;
			break;
		case O_HTML:
			if (mode && strcmp(mode, "--html") != 0)
				gh_usage_error(SYNOPSIS, "can't combine --html and %s", mode);
			html = 1;
			mode = "--html";
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never"))
				gh_usage_error(SYNOPSIS, "--color: expected auto, always or never, not '%s'",
					    optarg);
			when = optarg;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case O_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, c, argv, opts);
		}
		if (sec >= 0) {
			if (mode && strcmp(mode, names[sec]) != 0)
				gh_usage_error(SYNOPSIS, "can't combine %s and %s", mode,
					       names[sec]);
			mode = names[sec];
			so.section = sec;
		}
	}
	if (argc - optind > 1)
		gh_usage_error(SYNOPSIS, "too many arguments: '%s'", argv[optind + 1]);
	if (optind < argc)
		path = argv[optind];
	nc = getenv("NO_COLOR");
	so.color = strcmp(when, "always") == 0 ||
		   (strcmp(when, "auto") == 0 && isatty(STDOUT_FILENO) && !(nc && *nc));
	so.width = columns() - 11;

	/* read the receipt */
	name = gh_input_name(path);
	rc = gh_receipt_read_file(&r, path);
	if (rc < 0) {
		gh_err("%s", r.err);
		gh_receipt_release(&r);
		return GH_EXIT_ERR;
	}

	/* summarize */
	rc = model_build(&m, &r);
	if (rc == 0)
		rc = html ? show_html(&out, &m, name) : show_text(&out, &m, &so);
	if (rc < 0)
		gh_err("%s", rc == -EINVAL ? r.err : strerror(-rc));
	else if (out.len)
		fwrite(out.p, 1, out.len, stdout);
	model_release(&m);
	gh_receipt_release(&r);
	gh_buf_release(&out);
	if (rc < 0)
		return GH_EXIT_ERR;
	return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
}
