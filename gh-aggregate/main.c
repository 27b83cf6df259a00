/* gh-aggregate: fold a gh-events(5) stream into one receipt (gh-receipt(5)). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "gh.h"
#include "json.h"
#include "agg.h"

/* In a pipeline, gh-trace -- CMD | gh-aggregate, a ^C at the terminal
 * reaches the whole process group: the command dies of it and gh-trace
 * ends the stream, which must still become a receipt. So the first SIGINT
 * only says so; a second one ends the input where it is (the descriptor
 * becomes /dev/null, so the read under way returns end of file) and the
 * receipt covers what was read. */
static volatile sig_atomic_t input_fd = -1, interrupts;

static void on_sigint(int sig)
{
	static const char first[] = ": interrupt: reading the stream to its end "
				    "(interrupt again to stop there)\n";
	static const char again[] = ": interrupt: the receipt covers the stream "
				    "read so far\n";
	int saved = errno, fd;

	(void)sig;
	if (input_fd < 0)
		return;		/* the input is read: the receipt is being written */
	if (write(2, gh_prog, strlen(gh_prog)) < 0)
		goto out;
	if (interrupts++ == 0) {
		if (write(2, first, sizeof(first) - 1) < 0)
			goto out;
	} else if (interrupts == 2) {
		if (write(2, again, sizeof(again) - 1) < 0)
			goto out;
	}
out:
	if (interrupts >= 2) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, input_fd);
			close(fd);
		}
	}
	errno = saved;
}

static void catch_sigint(void)
{
	struct sigaction sa = { .sa_handler = on_sigint, .sa_flags = SA_RESTART }, old;

	/* a SIGINT ignored by whoever started us (a background job) stays so */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

#define SYNOPSIS "[--v0] [FILE]"

static void usage(FILE *f)
{
	fprintf(f, "usage: gh-aggregate " SYNOPSIS "\n");
}

static void help(void)
{
	usage(stdout);
	printf("Read a gh-events(5) stream from FILE (or stdin) and write one receipt,\n"
	       "gh-receipt(5) version 0.4.0, on stdout.\n"
	       "\n"
	       "      --v0        write the older v0 shape for old consumers\n"
	       "  -h, --help      show this help\n"
	       "      --version   show the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "v0", no_argument, NULL, '0' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct gh_evrec *rec;
	struct gh_evreader *r;
	const char *path, *name;
	struct stat st;
	struct agg a;
	int c, v0 = 0, rc;
	FILE *f;

	gh_init(argv[0]);
	opterr = 0;
	/* parse options */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case '0':
			v0 = 1;
			break;
		case 'h':
			help();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case 'V':
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, c, argv, opts);
		}
	}
	if (argc - optind > 1) {
		gh_err("too many arguments");
		usage(stderr);
		return GH_EXIT_ERR;
	}
	path = optind < argc ? argv[optind] : NULL;
	name = gh_input_name(path);

	/* open the input */
	f = gh_open_input(path);
	if (!f)
		gh_die(GH_EXIT_ERR, "%s: %s", name, strerror(errno));
	input_fd = fileno(f);
	/* from a pipe, read in large chunks: fewer reads and wake-ups of a
	 * writer that produces faster than it is read (best effort) */
	if (fstat(input_fd, &st) == 0 && S_ISFIFO(st.st_mode))
		fcntl(input_fd, F_SETPIPE_SZ, 1 << 20);
	catch_sigint();
	r = gh_evreader_new(f, name);
	if (!r)
		gh_die(GH_EXIT_ERR, "out of memory");

	/* fold every record in */
	agg_init(&a, name);
	while ((rc = gh_evreader_next(r, &rec)) > 0) {
		if (agg_record(&a, rec) < 0)
			gh_die(GH_EXIT_ERR, "%s", a.err);
	}
	if (rc < 0)
		gh_die(GH_EXIT_ERR, "%s", gh_evreader_error(r));
	agg_flush(&a);
	if (!a.start)
		gh_die(GH_EXIT_ERR, "%s: no header record", name);
	a.records = gh_evreader_records(r);
	a.cut_line = gh_evreader_cut_line(r);
	input_fd = -1;
	gh_evreader_free(r);
	if (f != stdin)
		fclose(f);

	/* the whole input is valid: write the receipt */
	agg_finish(&a);
	receipt_write(stdout, &a, v0);
	agg_release(&a);
	return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
}
