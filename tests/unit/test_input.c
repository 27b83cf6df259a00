/* Unit tests of lib/input.c: format detection, the receipt's member types,
 * bounded reading, regular files only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "json.h"
#include "tap.h"

/* The message of gh_receipt_check for text ("" when accepted). */
static const char *check(const char *text)
{
	static char err[512];
	struct json_object *o = NULL;

	if (gh_json_parse(text, strlen(text), &o, err, sizeof(err)) < 0)
		return "(not JSON)";
	if (gh_receipt_check(o, err, sizeof(err)) == 0)
		err[0] = '\0';
	json_object_put(o);
	return err;
}

static void test_check(void)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"version\":\"0.4.0\"}", "" },
		{ "{\"execution_id\":\"e\"}", "" },
		{ "{\"version\":\"0.4.0\",\"x_unknown\":[1,{\"argv\":null}]}", "" },
		{ "{\"type\":\"header\",\"execution_id\":\"e\"}",
		  "this is a gh-events stream; run gh-aggregate first" },
		{ "{\"type\":\"open\"}", "this is a gh-events stream; run gh-aggregate first" },
		{ "{}", "not a receipt: no \"version\" or \"execution_id\" member" },
		{ "[]", "not a receipt: expected a JSON object, not an array" },
		{ "3", "not a receipt: expected a JSON object, not a number" },
		{ "null", "not a receipt: expected a JSON object, not null" },
		{ "{\"version\":4}", "version: expected a string" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{},{\"argv\":null}]}",
		  "process_tree[1].argv: expected an array of strings" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"argv\":[\"a\",1]}]}",
		  "process_tree[0].argv[1]: expected a string" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":4294967297}]}",
		  "process_tree[0].pid: expected a process id (0 to 2147483647)" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":-1}]}",
		  "process_tree[0].pid: expected a process id (0 to 2147483647)" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":2147483647}]}", "" },
		{ "{\"version\":\"0.4.0\",\"syscalls\":{\"counts\":{\"a b\":\"1\"}}}",
		  "syscalls.counts[\"a b\"]: expected an integer" },
		{ "{\"version\":\"0.4.0\",\"outcome\":{\"exit_code\":null,\"error\":1}}",
		  "outcome.error: expected a string" },
		{ "{\"version\":\"0.4.0\",\"environment\":{\"sandbox\":1}}",
		  "environment.sandbox: expected a string or an object" },
		{ "{\"version\":\"0.4.0\",\"network\":{\"attempts\":{}}}",
		  "network.attempts: expected an array of objects" },
		{ "{\"version\":\"0.4.0\",\"filesystem\":{\"accesses\":[{\"pids\":[1,\"2\"]}]}}",
		  "filesystem.accesses[0].pids[1]: expected a process id (0 to 2147483647)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = check(cases[i].in);

		if (!ok(strcmp(got, cases[i].msg) == 0, "check %s: %s", cases[i].in,
			*got ? got : "(accepted)"))
			diag("want: %s", *cases[i].msg ? cases[i].msg : "(accepted)");
	}
}

static void test_read(void)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = fmemopen("  \n\n\x01{}", 7, "r");
	rc = gh_read_input(f, "in", 1024, 1, &buf, &len, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "in:3: unexpected byte 0x01, expected a JSON value"),
	   "binary input refused at its first byte: %s", err);
	fclose(f);
	f = fmemopen("{\"a\": 12345}", 12, "r");
	rc = gh_read_input(f, "in", 8, 1, &buf, &len, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "in: more than 8 bytes of input"), "bounded: %s", err);
	fclose(f);
	f = fmemopen("{\"a\": 1}", 8, "r");
	rc = gh_read_input(f, "in", 8, 1, &buf, &len, err, sizeof(err));
	ok(rc == 0 && len == 8 && !strcmp(buf, "{\"a\": 1}"), "exactly the limit is read");
	free(buf);
	buf = NULL;
	f = fmemopen("x", 1, "r");
	rc = gh_read_input(f, "in", 8, 0, &buf, &len, err, sizeof(err));
	ok(rc == 0 && len == 1, "without json, any first byte");
	free(buf);
	buf = NULL;
	fclose(f);
}

static void test_regular(void)
{
	char dir[] = "/tmp/gh-test-input.XXXXXX", fifo[64], file[64], err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	ok(mkfifo(fifo, 0600) == 0, "mkfifo");
	/* no writer: refused at once, not waited on */
	f = gh_open_regular(fifo);
	ok(!f && errno == EINVAL, "a FIFO is not a regular file");
	f = gh_open_regular(dir);
	ok(!f && errno == EISDIR, "a directory is not a regular file");
	rc = gh_read_regular("/dev/zero", 16, &buf, &len, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "/dev/zero: not a regular file"), "%s", err);
	f = fopen(file, "w");
	fputs("deny read /**\n", f);
	fclose(f);
	rc = gh_read_regular(file, 16, &buf, &len, err, sizeof(err));
	ok(rc == 0 && len == 14, "a regular file is read");
	free(buf);
	buf = NULL;
	rc = gh_read_regular(file, 8, &buf, &len, err, sizeof(err));
	ok(rc == -1 && strstr(err, ": more than 8 bytes of input"), "and bounded: %s", err);
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	test_check();
	test_read();
	test_regular();
	return done_testing();
}
