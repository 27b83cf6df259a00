/* Unit tests of lib/cli.c: the receipt operand opened and read, bad
 * options named as typed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tap.h"

static char dir[] = "/tmp/gh-test-cli-XXXXXX";

/* write text to a file in dir; its path in a static buffer */
static const char *file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		diag("cannot write %s", path);
	return path;
}

/* The message for the first bad option of argv (NULL-terminated), or ""
 * when getopt_long takes them all. */
static const char *bad_option(char **argv)
{
	static const struct option longopts[] = {
		{ "secret", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "subject", required_argument, NULL, 256 },
		{ NULL, 0, NULL, 0 },
	};
	static char msg[128];
	int argc = 0, c;

	while (argv[argc])
		argc++;
	optind = 0;	/* a fresh scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:q", longopts, NULL)) != -1)
		if (c == '?' || c == ':')
			return gh_option_error(c, argv, longopts, msg, sizeof(msg));
	return "";
}

#define ARGV(...) ((char *[]){ "prog", __VA_ARGS__, NULL })

static void test_option_error(void)
{
	const struct {
		char **argv;
		const char *want;
	} cases[] = {
		{ ARGV("-x"), "unknown option '-x'" },
		{ ARGV("-qx"), "unknown option '-x'" },
		{ ARGV("--quiet", "-xq"), "unknown option '-x'" },
		{ ARGV("--bogus"), "unknown option '--bogus'" },
		{ ARGV("-q", "--bogus=1"), "unknown option '--bogus'" },
		{ ARGV("--secret"), "option '--secret' needs an argument" },
		{ ARGV("-q", "-s"), "option '-s' needs an argument" },
		{ ARGV("-qs"), "option '-s' needs an argument" },
		{ ARGV("-q", "--subject"), "option '--subject' needs an argument" },
		{ ARGV("--quiet=1"), "option '--quiet' takes no argument" },
		{ ARGV("--qui=yes"), "option '--qui' takes no argument" },
		{ ARGV("--secr"), "option '--secr' needs an argument" },
		{ ARGV("--s", "k"), "option '--s' is ambiguous" },
		{ ARGV("--bogus=1"), "unknown option '--bogus'" },
		/* after an operand, which getopt_long moves behind the options */
		{ ARGV("file", "--quiet=1"), "option '--quiet' takes no argument" },
		{ ARGV("file", "-q", "--secret"), "option '--secret' needs an argument" },
		/* the twins: the same options, well formed */
		{ ARGV("-q", "-s", "k", "--subject=f", "--secret", "k"), "" },
		{ ARGV("-qsk", "--quiet"), "" },
		{ ARGV("--qui", "--secr", "k", "--su", "f"), "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = bad_option(cases[i].argv);

		ok(strcmp(got, cases[i].want) == 0, "gh_option_error: %s %s: '%s'",
		   cases[i].argv[1], cases[i].argv[2] ? cases[i].argv[2] : "", got);
	}
}

int main(void)
{
	struct gh_receipt r;
	char want[512];
	const char *p;
	int rc;

	if (!mkdtemp(dir)) {
		diag("mkdtemp failed");
		return 1;
	}
	p = file("ok.json", "{\"version\": \"0.4.0\", \"execution_id\": \"x\"}\n");
	rc = gh_receipt_read_file(&r, p);
	ok(rc == 0 && r.root && r.shape == GH_RECEIPT_040 && !r.err[0],
	   "a receipt is read (rc %d)", rc);
	gh_receipt_release(&r);

	p = file("events.json", "{\"type\": \"exec\", \"ts_ns\": 1}\n");
	rc = gh_receipt_read_file(&r, p);
	snprintf(want, sizeof(want), "%s:1: this is a gh-events stream; run gh-aggregate first", p);
	ok(rc == -EINVAL && strcmp(r.err, want) == 0, "an event record is refused: %s", r.err);
	gh_receipt_release(&r);

	p = file("two.json", "{\"version\": \"0.4.0\"}\n{}\n");
	rc = gh_receipt_read_file(&r, p);
	snprintf(want, sizeof(want), "%s:2: expected one receipt, got a second JSON value", p);
	ok(rc == -EINVAL && strcmp(r.err, want) == 0, "a second value is refused: %s", r.err);
	gh_receipt_release(&r);

	rc = gh_receipt_read_file(&r, dir);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	ok(rc == -EISDIR && strcmp(r.err, want) == 0, "a directory is refused: %s", r.err);
	gh_receipt_release(&r);

	p = file("gone.json", "");
	unlink(p);
	rc = gh_receipt_read_file(&r, p);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	ok(rc == -ENOENT && strcmp(r.err, want) == 0, "a missing file: %s", r.err);
	gh_receipt_release(&r);

	test_option_error();

	unlink(file("ok.json", ""));
	unlink(file("events.json", ""));
	unlink(file("two.json", ""));
	rmdir(dir);
	return done_testing();
}
