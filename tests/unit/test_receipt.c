/* Unit tests of lib/receipt.c: shapes, located errors, iterators. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "receipt.h"
#include "tap.h"

/* attach to JSON text (the shape only: the iterators' own checks are
 * what is tested); returns gh_receipt_attach's status */
static int from_text(struct gh_receipt *r, const char *text)
{
	struct json_object *o = NULL;
	char err[128];
	int rc;

	if (gh_json_parse(text, strlen(text), &o, err, sizeof(err)) < 0) {
		diag("bad test JSON: %s", err);
		memset(r, 0, sizeof(*r));
		return -999;
	}
	rc = gh_receipt_attach_json(r, o, "t.json");
	json_object_put(o);
	return rc;
}

/* init: lib/input's check of every member first */
static int init_text(struct gh_receipt *r, const char *text)
{
	struct json_object *o = NULL;
	char err[128];
	int rc;

	if (gh_json_parse(text, strlen(text), &o, err, sizeof(err)) < 0) {
		memset(r, 0, sizeof(*r));
		return -999;
	}
	rc = gh_receipt_init_json(r, o, "t.json");
	json_object_put(o);
	return rc;
}

static int from_file(struct gh_receipt *r, const char *rel)
{
	const char *root = getenv("GH_ROOT");
	char path[1024];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	f = fopen(path, "rb");
	if (!f) {
		diag("cannot open %s", path);
		memset(r, 0, sizeof(*r));
		return -999;
	}
	rc = gh_receipt_load(r, f, rel);
	fclose(f);
	return rc;
}

/* the error of the first failing step over every item of every iterator */
static int walk_all(struct gh_receipt *r, size_t *np, size_t *nf, size_t *nn)
{
	struct gh_riter a = GH_RITER_INIT, b = GH_RITER_INIT, c = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rfile f;
	struct gh_rpeer n;
	struct gh_rrun run;
	int rc;

	*np = *nf = *nn = 0;
	if ((rc = gh_receipt_run(r, &run)) < 0)
		return rc;
	while ((rc = gh_receipt_next_proc(r, &a, &p)) > 0)
		(*np)++;
	if (rc < 0)
		return rc;
	while ((rc = gh_receipt_next_file(r, &b, &f)) > 0)
		(*nf)++;
	if (rc < 0)
		return rc;
	while ((rc = gh_receipt_next_peer(r, &c, &n)) > 0)
		(*nn)++;
	return rc;
}

static void shapes(void)
{
	struct gh_receipt r;
	struct gh_rrun run;
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rfile f;
	struct gh_rpeer n;
	struct gh_rproc p;
	struct gh_rexec x;
	struct gh_buf b = GH_BUF_INIT;
	size_t np = 0, nf = 0, nn = 0;
	int rc;

	ok(from_file(&r, "tests/fixtures/aggregate/net.json") == 0 &&
	   r.shape == GH_RECEIPT_040, "net.json is a 0.4.0 receipt");
	rc = walk_all(&r, &np, &nf, &nn);
	ok(rc == 0 && np == 1 && nf == 44 && nn == 8,
	   "0.4.0: 1 process, 44 file entries, 8 peers (%zu %zu %zu)", np, nf, nn);
	ok(gh_receipt_run(&r, &run) == 0 && run.has_exit_code && run.exit_code == 0 &&
	   run.has_duration && run.duration_ms == 111 &&
	   strcmp(run.completeness, "closed") == 0 && gh_receipt_len(run.reasons) == 0 &&
	   strcmp(run.cwd, "/tmp/gh-fx") == 0, "0.4.0: the run");
	gh_receipt_join(&b, run.command);
	ok(b.p && strcmp(b.p, "perl net.pl") == 0, "0.4.0: the command");
	gh_buf_release(&b);
	it = (struct gh_riter)GH_RITER_INIT;
	while (gh_receipt_next_peer(&r, &it, &n) > 0 && !n.inbound)
		;
	ok(n.inbound && strcmp(n.op, "bind") == 0 && strcmp(n.addr, "127.0.0.1:0") == 0 && n.count == 1 &&
	   gh_receipt_len(n.pids) == 1, "0.4.0: inbound peers follow the attempts");
	{
		const char *s;

		ok(gh_receipt_mstr(&r, n.entry, n.where, "addr", &s, NULL) == 1 && s == n.addr &&
			   strncmp(n.where, "network.inbound[", 16) == 0,
		   "0.4.0: a peer's own entry and its path (%s)", n.where);
		it = (struct gh_riter)GH_RITER_INIT;
		gh_receipt_next_file(&r, &it, &f);
		ok(gh_receipt_mstr(&r, f.entry, f.where, "path", &s, NULL) == 1 && s == f.path &&
			   strcmp(f.where, "filesystem.accesses[0]") == 0,
		   "0.4.0: a file entry's own object and its path");
		ok(gh_receipt_mint(&r, f.entry, f.where, "path", &(int64_t){ 0 }) == -EINVAL &&
			   strcmp(r.err, "tests/fixtures/aggregate/net.json:1: "
					 "filesystem.accesses[0].path: expected an integer") == 0,
		   "a member read from the entry is named by its path: %s", r.err);
	}
	gh_receipt_release(&r);

	ok(from_file(&r, "tests/fixtures/aggregate/net.v0.json") == 0 &&
	   r.shape == GH_RECEIPT_V0 && strcmp(gh_receipt_shape_name(&r), "v0") == 0,
	   "net.v0.json is a v0 receipt");
	rc = walk_all(&r, &np, &nf, &nn);
	ok(rc == 0 && np == 1 && nf == 30 && nn == 5,
	   "v0: 1 process, 30 paths, 5 connections (%zu %zu %zu)", np, nf, nn);
	ok(gh_receipt_run(&r, &run) == 0 && !run.command && run.command_str &&
	   strcmp(run.command_str, "perl net.pl") == 0 && !run.completeness,
	   "v0: the command is one string, no completeness");
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_file(&r, &it, &f) == 1 && strcmp(f.op, "read") == 0 &&
	   strcmp(f.result, "ok") == 0 && f.count == 0 && !f.pids && !f.entry,
	   "v0: filesystem.read gives read entries, with no object of their own");
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_peer(&r, &it, &n) == 1 && !n.op &&
	   !n.result && strcmp(n.addr, "127.0.0.1:1") == 0,
	   "v0: connections give peers without op or result");
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_proc(&r, &it, &p) == 1 && strcmp(p.where, "processes") == 0 &&
	   !p.argv && strcmp(p.cmd, "perl net.pl") == 0 &&
	   gh_receipt_proc_exec(&r, &p, 0, &x) == 0,
	   "v0: processes are the flat list, without execs");
	gh_receipt_release(&r);

	ok(from_file(&r, "tests/fixtures/archive/v0.3.0.json") == 0 &&
	   r.shape == GH_RECEIPT_030, "v0.3.0.json is a 0.3.0 receipt");
	rc = walk_all(&r, &np, &nf, &nn);
	ok(rc == 0 && np == 1 && nf == 2 && nn == 1,
	   "0.3.0: 1 process, 2 paths, 1 peer (%zu %zu %zu)", np, nf, nn);
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_proc(&r, &it, &p) == 1 && !p.execs &&
	   gh_receipt_proc_exec(&r, &p, 0, &x) == 1 && strcmp(x.exe, "/usr/bin/make") == 0 &&
	   gh_receipt_proc_exec(&r, &p, 1, &x) == 0,
	   "0.3.0: the process's exe is its one exec");
	it = (struct gh_riter)GH_RITER_INIT;
	gh_receipt_next_file(&r, &it, &f);
	ok(strcmp(f.path, "/srv/Makefile") == 0 && strcmp(f.op, "read") == 0 &&
	   gh_receipt_next_file(&r, &it, &f) == 1 && strcmp(f.op, "write") == 0 &&
	   gh_receipt_next_file(&r, &it, &f) == 0, "0.3.0: reads then writes");
	ok(gh_receipt_run(&r, &run) == 0 && run.has_exit_code && run.exit_code == 1 &&
	   strcmp(run.cwd, "/srv") == 0, "0.3.0: the run");
	gh_receipt_release(&r);
}

struct bad_case {
	const char *text, *want;
};

static const struct bad_case bads[] = {
	{ "[1]", "t.json: not a receipt: expected a JSON object" },
	{ "{\"type\":\"header\",\"schema\":1}",
	  "t.json: not a receipt: an event stream record (gh-aggregate makes a receipt of a stream)" },
	{ "{\"foo\":1}", "t.json: not a receipt: no \"version\" string" },
	{ "{\"version\":4}", "t.json: version: expected a string" },
	{ "{\"execution_id\":4}", "t.json: execution_id: expected a string" },
	{ "{\"version\":\"1.0.0\"}", "t.json: version: unknown receipt version \"1.0.0\"" },
	{ "{\"version\":\"0.4x\"}", "t.json: version: unknown receipt version \"0.4x\"" },
	{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1},{\"pid\":2},{\"pid\":3},"
	  "{\"pid\":4,\"argv\":[\"a\",1]}]}",
	  "t.json: process_tree[3].argv: expected an array of strings" },
	{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"ppid\":1}]}",
	  "t.json: process_tree[0].pid: expected an integer" },
	{ "{\"version\":\"0.4.0\",\"process_tree\":{}}",
	  "t.json: process_tree: expected an array" },
	{ "{\"version\":\"0.4.0\",\"outcome\":{\"exit_code\":\"0\"}}",
	  "t.json: outcome.exit_code: expected an integer" },
	{ "{\"version\":\"0.4.0\",\"completeness_reasons\":[1]}",
	  "t.json: completeness_reasons: expected an array of strings" },
	{ "{\"version\":\"0.4.0\",\"filesystem\":{\"accesses\":[{\"path\":\"/a\",\"op\":\"read\","
	  "\"pids\":[1.5]}]}}",
	  "t.json: filesystem.accesses[0].pids: expected an array of integers" },
	{ "{\"version\":\"0.4.0\",\"filesystem\":{\"accesses\":[{\"op\":\"read\"}]}}",
	  "t.json: filesystem.accesses[0].path: expected a string" },
	{ "{\"version\":\"0.3.0\",\"filesystem\":{\"reads\":[\"/a\",7]}}",
	  "t.json: filesystem.reads[1]: expected a string" },
	{ "{\"execution_id\":\"x\",\"filesystem\":{\"written\":{}}}",
	  "t.json: filesystem.written: expected an array" },
	{ "{\"version\":\"0.4.0\",\"network\":{\"attempts\":[{\"dst\":\"a\",\"result\":5}]}}",
	  "t.json: network.attempts[0].result: expected a string" },
	{ "{\"version\":\"0.4.0\",\"network\":{\"inbound\":[{\"dst\":\"a\"}]}}",
	  "t.json: network.inbound[0].addr: expected a string" },
	{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,\"execs\":[{\"exe\":2}]}]}",
	  "t.json: process_tree[0].execs[0].exe: expected a string" },
	{ "{\"version\":\"0.4.0\",\"network\":{\"attempts\":[{\"dst\":\"a\"}],"
	  "\"connections\":[{\"dst\":\"a\",\"bytes_received\":\"9\"}]}}",
	  "t.json: network.connections[0].bytes_received: expected an integer" },
	{ "{\"version\":\"0.4.0\",\"network\":{\"connections\":[{\"dst\":\"a\",\"names\":[2]}]}}",
	  "t.json: network.connections[0].names: expected an array of strings" },
};

static void errors(void)
{
	struct gh_receipt r;
	size_t i, np = 0, nf = 0, nn = 0;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int rc = from_text(&r, bads[i].text);

		if (rc == 0) {
			struct gh_riter it = GH_RITER_INIT;
			struct gh_rproc p;
			struct gh_rexec x;

			rc = walk_all(&r, &np, &nf, &nn);
			while (rc == 0 && gh_receipt_next_proc(&r, &it, &p) > 0)
				if ((rc = gh_receipt_proc_exec(&r, &p, 0, &x)) > 0)
					rc = 0;
		}
		ok(rc == -EINVAL && strcmp(r.err, bads[i].want) == 0, "error: %s (got %s)",
		   bads[i].want, r.err);
		gh_receipt_release(&r);
	}
	/* the twin: the same shapes with the right types read cleanly */
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":4,"
			 "\"argv\":[\"a\",\"1\"]}],\"filesystem\":{\"accesses\":"
			 "[{\"path\":\"/a\",\"op\":\"read\",\"pids\":[1]}]},"
			 "\"network\":{\"inbound\":[{\"addr\":\"a\"}]}}") == 0 &&
	   walk_all(&r, &np, &nf, &nn) == 0 && np == 1 && nf == 1 && nn == 1,
	   "well-typed members read without error");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.9.1\",\"execution_id\":\"x\"}") == 0 &&
	   r.shape == GH_RECEIPT_040, "a later 0.x version reads as 0.4.0");
	gh_receipt_release(&r);
}

static void no_name(void)
{
	struct json_object *o = json_object_new_array();
	struct gh_receipt r;

	ok(gh_receipt_init_json(&r, o, NULL) == -EINVAL &&
	   strcmp(r.err, "not a receipt: expected a JSON object, not an array") == 0,
	   "without a name, messages have no prefix (%s)", r.err);
	gh_receipt_release(&r);
	json_object_put(o);
}

/* gh_receipt_init checks every member's type (lib/input), then the
 * version */
static void checked(void)
{
	static const struct bad_case c[] = {
		{ "[1]", "t.json: not a receipt: expected a JSON object, not an array" },
		{ "{\"type\":\"header\",\"schema\":1}",
		  "t.json: this is a gh-events stream; run gh-aggregate first" },
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,\"argv\":[\"a\",1]}]}",
		  "t.json: process_tree[0].argv[1]: expected a string" },
		{ "{\"version\":\"7.1\"}", "t.json: version: unknown receipt version \"7.1\"" },
	};
	struct gh_receipt r;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ok(init_text(&r, c[i].text) == -EINVAL && strcmp(r.err, c[i].want) == 0,
		   "init: %s (got %s)", c[i].want, r.err);
		gh_receipt_release(&r);
	}
	ok(init_text(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,"
			 "\"argv\":[\"a\"]}]}") == 0 && r.shape == GH_RECEIPT_040,
	   "init: the twin, well typed, is read");
	gh_receipt_release(&r);
}

static void signals(void)
{
	struct gh_receipt r;
	struct gh_rrun run;

	ok(from_text(&r, "{\"version\":\"0.4.0\",\"exit_code\":143,\"outcome\":"
			 "{\"exit_code\":null,\"signal\":15}}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && !run.has_exit_code && run.has_signal &&
	   run.signal == 15, "killed: a signal and no exit code");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"exit_code\":3,\"outcome\":"
			 "{\"exit_code\":3,\"signal\":null}}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && run.has_exit_code && run.exit_code == 3 &&
	   !run.has_signal, "exited: an exit code and no signal");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"exit_code\":143,\"outcome\":"
			 "{\"exit_code\":null,\"signal\":15}}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && run.has_status && run.status == 143,
	   "killed: the status as a shell reports it, 128+N");
	gh_receipt_release(&r);
}

/* Values some shapes hold in two places: the receipt's own members first. */
static void two_places(void)
{
	struct gh_receipt r;
	struct gh_rrun run;

	ok(from_text(&r, "{\"version\":\"0.4.0\",\"exit_code\":3,\"duration_ms\":7,"
			 "\"outcome\":{\"exit_code\":5},\"timing\":{\"duration_ms\":9,"
			 "\"cpu_time_ms\":4},\"resources\":{\"cpu_time_ms\":2}}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && run.status == 3 && run.exit_code == 3 &&
	   run.duration_ms == 7 && run.cpu_time_ms == 2,
	   "run: exit_code, duration_ms, resources.cpu_time_ms before the 0.3.0 places");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.3.0\",\"exit_code\":null,\"outcome\":"
			 "{\"exit_code\":5},\"timing\":{\"duration_ms\":9,\"cpu_time_ms\":4}}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && run.has_status && run.status == 5 &&
	   run.has_exit_code && run.exit_code == 5 && run.duration_ms == 9 &&
	   run.cpu_time_ms == 4, "run: twin, without them the 0.3.0 places");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"execution_id\":\"x\",\"command\":\"make all\",\"processes\":"
			 "[{\"pid\":2,\"cmd\":\"make\"}]}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && !run.command &&
	   strcmp(run.command_str, "make all") == 0, "run: v0's command string");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.3.0\",\"processes\":[{\"pid\":2,\"cmd\":\"make\"}]}") == 0 &&
	   gh_receipt_run(&r, &run) == 0 && !run.command &&
	   strcmp(run.command_str, "make") == 0, "run: else the flat list's first cmd");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.3.0\",\"processes\":[7]}") == 0 &&
	   gh_receipt_run(&r, &run) == -EINVAL &&
	   strcmp(r.err, "t.json: processes[0]: expected an object") == 0,
	   "run: a flat list entry that is not an object (got %s)", r.err);
	gh_receipt_release(&r);
}

static void policy_paths_procs(void)
{
	struct gh_receipt r;
	struct gh_rpolicy pol;
	const struct gh_jv *a;
	size_t n;

	ok(from_text(&r, "{\"version\":\"0.3.0\",\"policy\":{\"pass\":false}}") == 0 &&
	   gh_receipt_policy(&r, &pol) == 1 && strcmp(pol.verdict, "fail") == 0 &&
	   !pol.violations, "policy: the 0.3.0 boolean pass");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"policy\":{\"verdict\":\"pass\",\"pass\":false,"
			 "\"violations\":[]}}") == 0 &&
	   gh_receipt_policy(&r, &pol) == 1 && strcmp(pol.verdict, "pass") == 0 &&
	   gh_receipt_len(pol.violations) == 0 && pol.violations,
	   "policy: the verdict wins over pass");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"policy\":null}") == 0 &&
	   gh_receipt_policy(&r, &pol) == 0 && !pol.obj, "policy: null is none");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"policy\":{\"pass\":1}}") == 0 &&
	   gh_receipt_policy(&r, &pol) == -EINVAL &&
	   strcmp(r.err, "t.json: policy.pass: expected a boolean") == 0,
	   "policy: a pass that is not a boolean (got %s)", r.err);
	gh_receipt_release(&r);

	ok(from_text(&r, "{\"execution_id\":\"x\",\"filesystem\":{\"read\":[\"/a\",\"/b\"],"
			 "\"written\":[\"/w\"]}}") == 0 &&
	   gh_receipt_paths(&r, GH_RPATHS_READ, &a) == 1 && gh_receipt_len(a) == 2 &&
	   gh_receipt_paths(&r, GH_RPATHS_WRITE, &a) == 1 && gh_receipt_len(a) == 1 &&
	   gh_receipt_paths(&r, GH_RPATHS_DELETE, &a) == 0 && !a,
	   "paths: v0's read and written, no deletes");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"filesystem\":{\"reads\":[\"/a\"],"
			 "\"deletes\":[\"/d\",\"/e\"]}}") == 0 &&
	   gh_receipt_paths(&r, GH_RPATHS_READ, &a) == 1 && gh_receipt_len(a) == 1 &&
	   gh_receipt_paths(&r, GH_RPATHS_WRITE, &a) == 0 &&
	   gh_receipt_paths(&r, GH_RPATHS_DELETE, &a) == 1 && gh_receipt_len(a) == 2,
	   "paths: reads, writes, deletes of 0.3.0 and later");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"filesystem\":{\"writes\":[\"/a\",2]}}") == 0 &&
	   gh_receipt_paths(&r, GH_RPATHS_WRITE, &a) == -EINVAL &&
	   strcmp(r.err, "t.json: filesystem.writes: expected an array of strings") == 0,
	   "paths: a list with a non-string (got %s)", r.err);
	gh_receipt_release(&r);

	ok(from_text(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1}],"
			 "\"processes\":[{\"pid\":1},{\"pid\":2}]}") == 0 &&
	   gh_receipt_nprocs(&r, &n) == 1 && n == 1, "nprocs: the tree first");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"execution_id\":\"x\",\"processes\":[{\"pid\":1},{\"pid\":2}]}") == 0 &&
	   gh_receipt_nprocs(&r, &n) == 1 && n == 2, "nprocs: else the flat list");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"execution_id\":\"x\"}") == 0 && gh_receipt_nprocs(&r, &n) == 0 &&
	   n == 0, "nprocs: no list at all");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,\"exe\":\"/a\","
			 "\"execs\":[{\"exe\":\"/a\"},{\"exe\":\"/b\"}]},{\"pid\":2,\"exe\":\"/a\","
			 "\"execs\":[]}]}") == 0 &&
	   gh_receipt_nexecs(&r, &n) == 1 && n == 2, "nexecs: 0.4.0 counts execs[]");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.3.0\",\"process_tree\":[{\"pid\":1,\"exe\":\"/a\"},"
			 "{\"pid\":2,\"exe\":\"/b\"},{\"pid\":3}]}") == 0 &&
	   gh_receipt_nexecs(&r, &n) == 1 && n == 2,
	   "nexecs: 0.3.0 counts each process's exe");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"execution_id\":\"x\",\"processes\":[{\"pid\":1,\"cmd\":\"a\"}]}") == 0 &&
	   gh_receipt_nexecs(&r, &n) == 0 && n == 0, "nexecs: the flat list records none");
	gh_receipt_release(&r);
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,\"execs\":[3]}]}") == 0 &&
	   gh_receipt_nexecs(&r, &n) == -EINVAL &&
	   strcmp(r.err, "t.json: process_tree[0].execs[0]: expected an object") == 0,
	   "nexecs: a bad exec is a located error (got %s)", r.err);
	gh_receipt_release(&r);
}

static int stop_at_first(void *ctx, const struct gh_rstr *s)
{
	(void)ctx;
	(void)s;
	return -ECANCELED;
}

/* --- where strings stand ---------------------------------------------- */

static const char *const kind_names[] = { "path", "text", "addr", "argv",
					  "cmdline", "env", "tree", "target" };

struct places {
	struct gh_buf b;
	struct json_object *copy; /* a json-c copy, to follow the steps in */
	int lost;		  /* places gh_receipt_json_at did not find */
};

/* "KIND WHERE[ list=K][ cwd=C][ link=L][ proc=I/PID]" per line; each
 * place is looked up in the json-c copy and must be the same value */
static int note_place(void *ctx, const struct gh_rstr *s)
{
	struct places *pl = ctx;
	struct json_object *up, *o = gh_receipt_json_at(pl->copy, s, &up);
	const char *str = gh_jv_str(s->v, NULL);

	if (!o || !up || (str && strcmp(json_object_get_string(o), str) != 0) ||
	    (!str && !json_object_is_type(o, gh_jv_is(s->v, GH_JV_ARRAY) ?
						 json_type_array : json_type_object)))
		pl->lost++;
	gh_buf_printf(&pl->b, "%s %s", kind_names[s->kind], s->where);
	if (s->list)
		gh_buf_printf(&pl->b, " list=%s", gh_receipt_lists[s->list].key);
	if (s->cwd)
		gh_buf_printf(&pl->b, " cwd=%s", s->cwd);
	if (s->link)
		gh_buf_printf(&pl->b, " link=%s", s->link);
	if (s->proc)
		gh_buf_printf(&pl->b, " proc=%zu/%lld", s->index,
			      s->has_pid ? (long long)s->pid : -1LL);
	return gh_buf_addc(&pl->b, '\n');
}

/* gh_receipt_strings over text (attached, not checked): 0 and the places
 * in *out (malloc'ed), or its error */
static int places_of(struct gh_receipt *r, const char *text, char **out, int *lost)
{
	struct places pl = { GH_BUF_INIT, NULL, 0 };
	char err[128];
	int rc;

	*out = NULL;
	if ((rc = from_text(r, text)) < 0)
		return rc;
	if (gh_json_parse(text, strlen(text), &pl.copy, err, sizeof(err)) < 0)
		return -999;
	rc = gh_receipt_strings(r, note_place, &pl);
	json_object_put(pl.copy);
	if (gh_buf_addc(&pl.b, '\0') < 0)
		return -ENOMEM;
	*out = pl.b.p;
	*lost = pl.lost;
	return rc;
}

static void strings(void)
{
	static const struct {
		const char *name, *text, *want;
	} shapes[] = {
		{ "v0",
		  "{\"execution_id\":\"x\",\"command\":\"sh -c 'cat /a'\",\"filesystem\":"
		  "{\"read\":[\"/a\",\"/b\"],\"written\":[\"/c\"]},\"network\":"
		  "{\"connections\":[{\"dst\":\"unix:/s\"}]},\"processes\":[{\"pid\":7,"
		  "\"cmd\":\"cat /a\"}]}",
		  "cmdline processes[0].cmd proc=0/7\n"
		  "path filesystem.read[0] list=read\n"
		  "path filesystem.read[1] list=read\n"
		  "path filesystem.written[0] list=written\n"
		  "addr network.connections[0].dst list=connections\n"
		  "cmdline command\n" },
		{ "0.3.0",
		  "{\"version\":\"0.3.0\",\"provenance\":\"host\",\"process_tree\":[{\"pid\":3,"
		  "\"argv\":[\"ls\",\"d\"],\"exe\":\"/bin/ls\",\"working_dir\":\"/w\"}],"
		  "\"processes\":[{\"cmd\":\"ls d\"}],\"filesystem\":{\"reads\":[\"/r\"],"
		  "\"writes\":[\"/w/o\"],\"deletes\":[\"/w/t\"],\"policy_violations\":[\"x\"]},"
		  "\"network\":{\"attempts\":[{\"dst\":\"1.2.3.4:80\"}]},"
		  "\"completeness_reasons\":[\"lost /x\"]}",
		  "text provenance\n"
		  "argv process_tree[0].argv cwd=/w proc=0/3\n"
		  "path process_tree[0].exe\n"
		  "path process_tree[0].working_dir\n"
		  "cmdline processes[0].cmd proc=0/-1\n"
		  "path filesystem.reads[0] list=reads\n"
		  "path filesystem.writes[0] list=writes\n"
		  "path filesystem.deletes[0] list=deletes\n"
		  "tree filesystem.policy_violations list=policy_violations\n"
		  "addr network.attempts[0].dst list=attempts\n"
		  "text completeness_reasons[0] list=completeness_reasons\n" },
		{ "0.4.0",
		  "{\"version\":\"0.4.0\",\"provenance\":{\"command\":[\"make\"],\"cwd\":\"/p\","
		  "\"env\":{\"A\":\"b\"}},\"process_tree\":[{\"pid\":5,\"argv\":[\"make\"],"
		  "\"execs\":[{\"argv\":[\"cc\"],\"cwd\":\"/p/s\",\"exe\":\"/bin/cc\","
		  "\"envp\":[\"T=1\"]}]}],\"filesystem\":{\"accesses\":[{\"path\":\"/p/l\","
		  "\"op\":\"symlink\",\"target\":\"../t\",\"path_seen\":\"l\"}]},"
		  "\"network\":{\"inbound\":[{\"addr\":\"[::1]:8\"}]},\"artifacts\":"
		  "{\"stdout\":{\"path\":\"/o\"},\"stderr\":null},\"outcome\":{\"error\":"
		  "\"e\"},\"policy\":{\"v\":[\"p\"]},\"environment\":{\"os\":\"linux\"}}",
		  "argv provenance.command cwd=/p\n"
		  "path provenance.cwd\n"
		  "env provenance.env\n"
		  "argv process_tree[0].argv proc=0/5\n"
		  "argv process_tree[0].execs[0].argv cwd=/p/s\n"
		  "path process_tree[0].execs[0].exe\n"
		  "path process_tree[0].execs[0].cwd\n"
		  "env process_tree[0].execs[0].envp\n"
		  "path filesystem.accesses[0].path list=accesses\n"
		  "path filesystem.accesses[0].path_seen list=accesses\n"
		  "target filesystem.accesses[0].target list=accesses link=/p/l\n"
		  "addr network.inbound[0].addr list=inbound\n"
		  "path artifacts.stdout.path\n"
		  "text outcome.error\n"
		  "tree policy\n"
		  "env environment\n" },
	};
	static const struct bad_case wrong[] = {
		{ "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,\"execs\":[{},2]}]}",
		  "t.json: process_tree[0].execs[1]: expected an object" },
		{ "{\"version\":\"0.4.0\",\"provenance\":{\"command\":[\"a\",[]]}}",
		  "t.json: provenance.command[1]: expected a string" },
		{ "{\"execution_id\":\"x\",\"filesystem\":{\"written\":[\"/a\",{}]}}",
		  "t.json: filesystem.written[1]: expected a string" },
		{ "{\"version\":\"0.3.0\",\"processes\":[{\"cmd\":[\"ls\"]}]}",
		  "t.json: processes[0].cmd: expected a string" },
		{ "{\"version\":\"0.4.0\",\"filesystem\":{\"accesses\":[{\"path\":\"/l\","
		  "\"target\":1}]}}",
		  "t.json: filesystem.accesses[0].target: expected a string" },
		{ "{\"version\":\"0.4.0\",\"artifacts\":{\"stderr\":{\"path\":false}}}",
		  "t.json: artifacts.stderr.path: expected a string" },
	};
	struct gh_receipt r;
	char *got;
	size_t i;
	int rc, lost = 0;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		rc = places_of(&r, shapes[i].text, &got, &lost);
		ok(rc == 0 && got && !strcmp(got, shapes[i].want) && !lost,
		   "strings of a %s receipt, each found in a json-c copy", shapes[i].name);
		if (rc || !got || strcmp(got, shapes[i].want))
			diag("rc %d, %s, got:\n%s", rc, r.err, got ? got : "");
		free(got);
		gh_receipt_release(&r);
	}
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		rc = places_of(&r, wrong[i].text, &got, &lost);
		ok(rc == -EINVAL && !strcmp(r.err, wrong[i].want), "strings: %s (got %s)",
		   wrong[i].want, r.err);
		free(got);
		gh_receipt_release(&r);
	}
	/* the twin of the first: the same with the right type */
	rc = places_of(&r, "{\"version\":\"0.4.0\",\"process_tree\":[{\"pid\":1,"
			   "\"execs\":[{},{\"exe\":\"/x\"}]}]}", &got, &lost);
	ok(rc == 0 && got && !strcmp(got, "path process_tree[0].execs[1].exe\n"),
	   "strings: the well-typed twin is walked");
	free(got);
	gh_receipt_release(&r);
	/* a stop asked by the callback is handed back */
	ok(from_text(&r, shapes[0].text) == 0 &&
	   gh_receipt_strings(&r, stop_at_first, NULL) == -ECANCELED,
	   "strings: the callback's error stops the walk");
	gh_receipt_release(&r);
	ok(gh_receipt_lists[GH_RLIST_ACCESSES].keys &&
	   !strcmp(gh_receipt_lists[GH_RLIST_ACCESSES].keys[0], "path") &&
	   !gh_receipt_lists[GH_RLIST_READS].keys &&
	   !strcmp(gh_receipt_lists[GH_RLIST_INBOUND].section, "network"),
	   "the sorted lists: accesses by path first, reads are strings");
}

/* Peers with their connection's bytes and names; names asked of DNS. */
static void peer_bytes(void)
{
	struct gh_receipt r;
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rpeer n;
	struct gh_rdns d;
	size_t len, k = 0;
	int seen = 0;

	ok(from_file(&r, "tests/fixtures/show/net.json") == 0, "show/net.json read");
	while (gh_receipt_next_peer(&r, &it, &n) > 0) {
		if (strncmp(n.addr, "127.0.0.7:", 10) == 0)
			seen |= 1 * (n.has_bytes && n.bytes_sent == 1234 && n.bytes_received == 300 &&
				     gh_receipt_len(n.names) == 2 &&
				     strcmp(gh_receipt_strv_get(n.names, 0, &len), "gh-test.example") == 0 &&
				     strcmp(gh_receipt_strv_get(n.names, 1, NULL), "www.gh-test.example") == 0);
		if (strcmp(n.addr, "127.0.0.1:1") == 0)
			seen |= 2 * (n.has_bytes && !n.bytes_sent && !n.bytes_received &&
				     gh_receipt_len(n.names) == 0 && strcmp(n.result, "refused") == 0);
	}
	ok(seen == 3, "an attempt has its connection's bytes and names (%d)", seen);
	it = (struct gh_riter)GH_RITER_INIT;
	while (gh_receipt_next_dns(&r, &it, &d) > 0) {
		ok(strcmp(d.name, "gh-test.example") == 0 && d.count == 1 &&
		   gh_receipt_len(d.pids) == 1 && gh_receipt_len(d.addresses) == 1 &&
		   strcmp(d.type, k ? "AAAA" : "A") == 0 &&
		   strcmp(gh_receipt_strv_get(d.addresses, 0, NULL), k ? "::1" : "127.0.0.7") == 0 &&
		   strcmp(d.where, k ? "network.dns[1]" : "network.dns[0]") == 0,
		   "network.dns[%zu]: name, type, answers", k);
		k++;
	}
	ok(k == 2, "two names asked (%zu)", k);
	gh_receipt_release(&r);

	/* the twin: receipts of tracers that did not count have nothing */
	ok(from_file(&r, "tests/fixtures/aggregate/net.json") == 0, "aggregate/net.json read");
	it = (struct gh_riter)GH_RITER_INIT;
	k = 0;
	while (gh_receipt_next_peer(&r, &it, &n) > 0)
		k += n.has_bytes || n.names || n.bytes_sent;
	ok(k == 0, "older receipt: no bytes, no names");
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_dns(&r, &it, &d) == 0, "older receipt: no names asked");
	gh_receipt_release(&r);

	/* connections out of order, and an attempt without one */
	ok(from_text(&r, "{\"version\":\"0.4.0\",\"network\":{\"attempts\":["
			 "{\"dst\":\"b:1\",\"protocol\":\"tcp\"},{\"dst\":\"c:1\",\"protocol\":\"tcp\"}],"
			 "\"connections\":[{\"dst\":\"b:1\",\"protocol\":\"udp\",\"bytes_sent\":1},"
			 "{\"dst\":\"b:1\",\"protocol\":\"tcp\",\"bytes_sent\":7,\"names\":[\"x\"]},"
			 "{\"dst\":\"a:1\",\"protocol\":\"tcp\",\"bytes_sent\":3}]}}") == 0,
	   "unsorted connections");
	it = (struct gh_riter)GH_RITER_INIT;
	ok(gh_receipt_next_peer(&r, &it, &n) == 1 && n.has_bytes && n.bytes_sent == 7 &&
	   gh_receipt_len(n.names) == 1, "found by protocol too, in any order");
	ok(gh_receipt_next_peer(&r, &it, &n) == 1 && !n.has_bytes && !n.names,
	   "an attempt without its connection has no bytes");
	gh_receipt_release(&r);
}

int main(void)
{
	shapes();
	errors();
	signals();
	two_places();
	policy_paths_procs();
	no_name();
	checked();
	strings();
	peer_bytes();
	return done_testing();
}
