/* Unit tests of lib/cli.c: the receipt operand opened and read. */
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

	unlink(file("ok.json", ""));
	unlink(file("events.json", ""));
	unlink(file("two.json", ""));
	rmdir(dir);
	return done_testing();
}
