/* Unit tests of lib/json.c: JSONTestSuite conformance, the stream readers
 * and the deterministic writer. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

/* The i_* files we accept; every other i_* file must be rejected (see the
 * comment at the top of lib/json.c for why). */
static const char *const i_accepted[] = {
	"i_number_double_huge_neg_exp.json", /* 123.456e-789: underflows to 0 */
	"i_number_real_underflow.json",	     /* 123e-10000000 */
	"i_structure_500_nested_arrays.json",
	NULL,
};

/* The y_* files we reject: a member name twice in one object (I-JSON). */
static const char *const y_rejected[] = {
	"y_object_duplicated_key.json",
	"y_object_duplicated_key_and_value.json",
	NULL,
};

static const char *shared_dir(void)
{
	const char *s = getenv("GH_SHARED");

	return s && *s ? s : "../shared";
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return -errno;
	rc = gh_read_all(f, buf, len);
	fclose(f);
	return rc;
}

static int is_accepted_i(const char *name)
{
	for (int i = 0; i_accepted[i]; i++)
		if (strcmp(name, i_accepted[i]) == 0)
			return 1;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_suite(void)
{
	char dir[4096], path[8192], err[256];
	char *names[1024];
	int n = 0, y = 0, nn = 0, ii = 0, ybad = 0, nbad = 0, ibad = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/conformance/JSONTestSuite/test_parsing", shared_dir());
	d = opendir(dir);
	if (!ok(d != NULL, "open %s", dir))
		return;
	while ((de = readdir(d)) && n < 1024)
		if (strstr(de->d_name, ".json"))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	ok(n == 318, "JSONTestSuite has 318 test_parsing files (found %d)", n);
	for (int i = 0; i < n; i++) {
		struct json_object *o = NULL;
		char *buf;
		size_t len;
		int rc, want;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_file(path, &buf, &len) < 0) {
			ok(0, "read %s", path);
			continue;
		}
		rc = gh_json_parse(buf, len, &o, err, sizeof(err));
		json_object_put(o);
		free(buf);
		switch (names[i][0]) {
		case 'y':
			y++;
			want = 0;
			for (int k = 0; y_rejected[k]; k++)
				if (!strcmp(names[i], y_rejected[k]))
					want = -EINVAL;
			break;
		case 'n':
			nn++;
			want = -EINVAL;
			break;
		default:
			ii++;
			want = is_accepted_i(names[i]) ? 0 : -EINVAL;
		}
		if (rc != want) {
			diag("%s: got %s (%s)", names[i], rc ? "rejected" : "accepted", rc ? err : "");
			if (names[i][0] == 'y')
				ybad++;
			else if (names[i][0] == 'n')
				nbad++;
			else
				ibad++;
		}
		free(names[i]);
	}
	ok(y == 95 && ybad == 0, "all %d y_ files accepted but the 2 with duplicate names (%d wrong)", y, ybad);
	ok(nn == 188 && nbad == 0, "all %d n_ files rejected (%d wrong)", nn, nbad);
	ok(ii == 35 && ibad == 0, "all %d i_ files give the documented outcome (%d wrong)", ii, ibad);
}

static void test_parse_errors(void)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"a\":1,}", "line 1: unexpected character '}', expected string key" },
		{ "[1,\n2,\n-01]", "line 3: leading zero in number" },
		{ "\"a\tb\"", "line 1: unescaped control character 0x09 in string" },
		{ "[1] x", "line 1: unexpected data after the value" },
		{ "", "line 1: unexpected end of input, expected value" },
		{ "NaN", "line 1: unexpected character 'N', expected value" },
		{ "9223372036854775808", "line 1: integer out of range" },
		{ "\"\\ud800\"", "line 1: lone high surrogate \\ud800" },
		{ "{\"a\":1,\n\"a\":2}", "line 2: a: duplicate member name" },
		{ "{\"a\":1,\"\\u0061\":2}", "line 1: a: duplicate member name" },
		{ "{\"p\":[{},{\"x\":{\"a b\":1,\"a b\":1}}]}",
		  "line 1: p[1].x[\"a b\"]: duplicate member name" },
		{ "[{\"a\":1,\"b\":{\"c\":1},\"d\":[1,{\"e\":1,\"f\":0,\"e\":2}]}]",
		  "line 1: [0].d[1].e: duplicate member name" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o = NULL;
		int rc = gh_json_parse(cases[i].in, strlen(cases[i].in), &o, err, sizeof(err));

		ok(rc == -EINVAL && strcmp(err, cases[i].msg) == 0, "error for %s: %s",
		   cases[i].in, rc ? err : "(accepted)");
		json_object_put(o);
	}
	{
		struct json_object *o = NULL;
		int rc = gh_json_parse(" 42 ", 4, &o, err, sizeof(err));

		ok(rc == 0 && json_object_get_int64(o) == 42, "top-level scalar at end of input");
		json_object_put(o);
	}
	{
		char deep[2000];
		struct json_object *o = NULL;

		memset(deep, '[', sizeof(deep));
		ok(gh_json_parse(deep, sizeof(deep), &o, err, sizeof(err)) == -EINVAL &&
			   strcmp(err, "line 1: nesting deeper than 512") == 0,
		   "depth limit: %s", err);
	}
}

static void test_ndjson(void)
{
	const char text[] = "{\"a\":1}\n\n  \n[2]\n{\"b\":\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct gh_jreader *r = gh_jreader_new(f, "ev.ndjson", GH_JR_NDJSON);
	struct json_object *o;

	ok(gh_jreader_next(r, &o) == 1 && gh_jreader_line(r) == 1, "ndjson: first value on line 1");
	json_object_put(o);
	ok(gh_jreader_next(r, &o) == 1 && gh_jreader_line(r) == 4, "ndjson: blank lines skipped");
	json_object_put(o);
	ok(gh_jreader_next(r, &o) == -1 &&
		   strcmp(gh_jreader_error(r),
			  "ev.ndjson:5: unexpected end of input, expected value") == 0,
	   "ndjson: value split over lines is an error naming file:line (%s)", gh_jreader_error(r));
	gh_jreader_free(r);
	fclose(f);

	const char two[] = "{} {}\n";
	f = fmemopen((void *)two, sizeof(two) - 1, "r");
	r = gh_jreader_new(f, "x", GH_JR_NDJSON);
	ok(gh_jreader_next(r, &o) == -1 &&
		   strcmp(gh_jreader_error(r), "x:1: unexpected data after the value") == 0,
	   "ndjson: two values on a line rejected (%s)", gh_jreader_error(r));
	gh_jreader_free(r);
	fclose(f);
}

static void test_seq(void)
{
	/* Concatenated pretty receipts, one ending in a bare number, with a
	 * value larger than the reader's first buffer. */
	struct gh_buf in = GH_BUF_INIT;
	struct json_object *o;
	struct gh_jreader *r;
	FILE *f;
	int n = 0, rc;

	gh_buf_adds(&in, "{\n  \"a\": 1\n}\n{\n  \"big\": \"");
	for (int i = 0; i < 300000; i++)
		gh_buf_adds(&in, "\xc3\xa9");
	gh_buf_adds(&in, "\"\n}\n\n7");
	f = fmemopen(in.p, in.len, "r");
	r = gh_jreader_new(f, "r.json", GH_JR_SEQ);
	while ((rc = gh_jreader_next(r, &o)) == 1) {
		n++;
		if (n == 2)
			ok(gh_jreader_line(r) == 4, "seq: second value starts on line 4 (%lu)",
			   gh_jreader_line(r));
		if (n == 3)
			ok(json_object_get_int64(o) == 7 && gh_jreader_line(r) == 8,
			   "seq: bare number at end of input read");
		json_object_put(o);
	}
	ok(rc == 0 && n == 3, "seq: three values then end (rc %d, n %d)", rc, n);
	gh_jreader_free(r);
	fclose(f);
	gh_buf_release(&in);

	const char adj[] = "{}[1]\"s\"2 3";
	int kinds = 0;

	f = fmemopen((void *)adj, sizeof(adj) - 1, "r");
	r = gh_jreader_new(f, "adj", GH_JR_SEQ);
	while (gh_jreader_next(r, &o) == 1) {
		kinds++;
		json_object_put(o);
	}
	ok(kinds == 5, "seq: values after a delimiter need no white space (%d values)", kinds);
	gh_jreader_free(r);
	fclose(f);

	const char glued[] = "12true";
	f = fmemopen((void *)glued, sizeof(glued) - 1, "r");
	r = gh_jreader_new(f, "g", GH_JR_SEQ);
	ok(gh_jreader_next(r, &o) == -1 &&
		   strcmp(gh_jreader_error(r), "g:1: unexpected data after a value") == 0,
	   "seq: a number glued to a literal is an error (%s)", gh_jreader_error(r));
	gh_jreader_free(r);
	fclose(f);

	const char bad[] = "{}\n{\n  \"a\": tru }";
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	r = gh_jreader_new(f, "r.json", GH_JR_SEQ);
	ok(gh_jreader_next(r, &o) == 1, "seq: first value");
	json_object_put(o);
	ok(gh_jreader_next(r, &o) == -1 &&
		   strcmp(gh_jreader_error(r), "r.json:3: unexpected character 't', expected value") == 0,
	   "seq: error names file:line (%s)", gh_jreader_error(r));
	gh_jreader_free(r);
	fclose(f);
}

static void test_writer(void)
{
	const char in[] = "{\"b\":[1,{}],\"a\":\"q\\\"\\\\\\n\\u0001\\u007f\\u00e9/\",\"c\":[],\"d\":-1.5e3}";
	const char want_compact[] =
		"{\"a\":\"q\\\"\\\\\\n\\u0001\x7f\xc3\xa9/\",\"b\":[1,{}],\"c\":[],\"d\":-1.5e3}";
	const char want_pretty[] = "{\n  \"a\": \"q\\\"\\\\\\n\\u0001\x7f\xc3\xa9/\",\n"
				   "  \"b\": [\n    1,\n    {}\n  ],\n  \"c\": [],\n  \"d\": -1.5e3\n}";
	struct gh_buf b = GH_BUF_INIT;
	struct json_object *o;
	char err[256];

	if (!ok(gh_json_parse(in, sizeof(in) - 1, &o, err, sizeof(err)) == 0, "writer input parses"))
		return;
	gh_json_to_buf(&b, o, 0);
	ok(strcmp(b.p, want_compact) == 0, "compact output sorted and escaped: %s", b.p);
	b.len = 0;
	gh_json_to_buf(&b, o, GH_JW_PRETTY);
	ok(strcmp(b.p, want_pretty) == 0, "pretty output exact");
	json_object_put(o);

	b.len = 0;
	gh_buf_json_str(&b, "a\xff" "b\xc3", 4);
	ok(strcmp(b.p, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"") == 0,
	   "invalid UTF-8 bytes written as U+FFFD");
	ok(gh_utf8_valid("\xc3\xa9", 2) && !gh_utf8_valid("\xc0\xaf", 2) &&
		   !gh_utf8_valid("\xed\xa0\x80", 3),
	   "utf8 validity: overlong and surrogate rejected");
	gh_buf_release(&b);
}

static void test_getters(void)
{
	const char in[] = "{\"s\":\"x\",\"i\":3,\"b\":true,\"n\":null,\"o\":{},\"a\":[]}";
	struct json_object *o, *x;
	const char *s;
	int64_t i;
	int bo;
	char err[64];

	gh_json_parse(in, sizeof(in) - 1, &o, err, sizeof(err));
	ok(gh_json_get_str(o, "s", &s) == 0 && strcmp(s, "x") == 0, "get_str");
	ok(gh_json_get_int(o, "i", &i) == 0 && i == 3, "get_int");
	ok(gh_json_get_bool(o, "b", &bo) == 0 && bo == 1, "get_bool");
	ok(gh_json_get_obj(o, "o", &x) == 0 && gh_json_get_arr(o, "a", &x) == 0, "get_obj/get_arr");
	ok(gh_json_get_int(o, "s", &i) == -EINVAL, "wrong type is -EINVAL");
	ok(gh_json_get_str(o, "zz", &s) == -ENOENT && gh_json_get_str(o, "n", &s) == -ENOENT,
	   "absent or null is -ENOENT");
	json_object_put(o);
}

static void test_escape(void)
{
	static const struct {
		unsigned char c;
		const char *want;
	} cases[] = {
		{ '"', "\\\"" }, { '\\', "\\\\" }, { '\b', "\\b" }, { '\f', "\\f" },
		{ '\n', "\\n" }, { '\r', "\\r" }, { '\t', "\\t" }, { 0, "\\u0000" },
		{ 0x0b, "\\u000b" }, { 0x1f, "\\u001f" },
	};
	char esc[7];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(esc, 'x', sizeof(esc));
		n = gh_json_escape(cases[i].c, esc);
		ok(n == strlen(cases[i].want) && strcmp(esc, cases[i].want) == 0,
		   "escape 0x%02x: %s", cases[i].c, esc);
	}
}

int main(void)
{
	test_escape();
	test_suite();
	test_parse_errors();
	test_ndjson();
	test_seq();
	test_writer();
	test_getters();
	return done_testing();
}
