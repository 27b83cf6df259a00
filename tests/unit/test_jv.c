/* Unit tests of lib/jv.c: the compact tree reads what gh_json_parse reads
 * (JSONTestSuite, the same verdicts and messages, the same values), its
 * accessors, and sequences of values. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "json.h"
#include "jv.h"
#include "tap.h"

static const char *shared_dir(void)
{
	const char *s = getenv("GH_SHARED");

	return s && *s ? s : "../shared";
}

static char *dup_text(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* gh_jdoc_parse on a copy of text[0..len): rc, message, and the value as
 * json-c (*o, a new reference) */
static int jv_parse(const char *text, size_t len, struct json_object **o, char *err,
		    size_t errlen)
{
	struct gh_jdoc *d;
	const struct gh_jv *root;
	int rc;

	*o = NULL;
	err[0] = '\0';
	rc = gh_jdoc_parse(dup_text(text, len), len, &d, &root, err, errlen);
	if (rc == 0) {
		if (gh_jv_to_json(root, o) < 0)
			rc = -ENOMEM;
		gh_jdoc_free(d);
	}
	return rc;
}

static void test_suite(void)
{
	char dir[4096], path[8192], e1[256], e2[256];
	int n = 0, acc = 0, rej = 0, differ = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/conformance/JSONTestSuite/test_parsing", shared_dir());
	d = opendir(dir);
	if (!ok(d != NULL, "open %s", dir))
		return;
	while ((de = readdir(d))) {
		struct json_object *a = NULL, *b = NULL;
		char *buf;
		size_t len;
		int ra, rb;

		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (gh_read_regular(path, GH_FILE_MAX, &buf, &len, e1, sizeof(e1)) < 0)
			continue;
		n++;
		ra = gh_json_parse(buf, len, &a, e1, sizeof(e1));
		rb = jv_parse(buf, len, &b, e2, sizeof(e2));
		if (ra != rb || (ra && strcmp(e1, e2)) || (!ra && !json_object_equal(a, b))) {
			diag("%s: gh_json %d (%s), gh_jdoc %d (%s)", de->d_name, ra, ra ? e1 : "",
			     rb, rb ? e2 : "");
			differ++;
		}
		if (rb == 0)
			acc++;
		else
			rej++;
		json_object_put(a);
		json_object_put(b);
		free(buf);
	}
	closedir(d);
	ok(n == 318 && differ == 0,
	   "JSONTestSuite: all %d files read as gh_json_parse reads them (%d accepted, %d "
	   "rejected, %d differ)", n, acc, rej, differ);
}

static void test_errors(void)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		/* the line counted past white space and a decoded newline */
		{ "[1]\n\n x", "line 3: unexpected data after the value" },
		{ "{\"a\":\"x\\n\\ny\",\n\"\\u0061\":2}", "line 2: a: duplicate member name" },
		/* int64's bounds, and past them */
		{ "-9223372036854775809", "line 1: integer out of range" },
		{ "[18446744073709551616]", "line 1: integer out of range" },
		{ "[1e999]", "line 1: number out of range" },
		{ "[\"\xc3\"]", "line 1: invalid UTF-8 in string" },
		{ "{\"k\":[{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
		  "\"i\":9,\"a\":0}]}", "line 1: k[0].a: duplicate member name" },
	};
	struct json_object *o;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = jv_parse(cases[i].in, strlen(cases[i].in), &o, err, sizeof(err));

		ok(rc == -EINVAL && strcmp(err, cases[i].msg) == 0, "error for %s: %s",
		   cases[i].in, rc ? err : "(accepted)");
		json_object_put(o);
	}
	{
		char deep[1200];

		memset(deep, '[', 513);
		memset(deep + 513, ']', 513);
		ok(jv_parse(deep, 1026, &o, err, sizeof(err)) == -EINVAL &&
			   !strcmp(err, "line 1: nesting deeper than 512"),
		   "513 nested arrays: %s", err);
		ok(jv_parse(deep + 1, 1024, &o, err, sizeof(err)) == 0 && o,
		   "512 nested arrays read");
		json_object_put(o);
	}
}

static void test_access(void)
{
	const char in[] = " {\"s\":\"a\\u0000b\\\"\",\"plain\":\"p q\",\"i\":-9223372036854775808,"
			  "\"m\":9223372036854775807,\"d\":-1.5e3,\"t\":true,\"f\":false,"
			  "\"n\":null,\"o\":{},\"a\":[1,[2],{\"k\":\"v\"}]} ";
	const struct gh_jv *r, *a, *v;
	struct gh_jdoc *d;
	const char *s;
	char err[256] = "";
	size_t len;

	if (!ok(gh_jdoc_parse(dup_text(in, sizeof(in) - 1), sizeof(in) - 1, &d, &r, err,
			      sizeof(err)) == 0, "access: parses (%s)", err))
		return;
	ok(gh_jv_type(r) == GH_JV_OBJECT && gh_jv_len(r) == 10, "root: an object of 10 members");
	s = gh_jv_str(gh_jv_get(r, "s"), &len);
	ok(s && len == 4 && !memcmp(s, "a\0b\"", 5), "escapes decoded, U+0000 kept, length 4");
	s = gh_jv_str(gh_jv_get(r, "plain"), &len);
	ok(s && len == 3 && !strcmp(s, "p q"), "a plain string is NUL terminated in place");
	ok(gh_jv_int(gh_jv_get(r, "i")) == INT64_MIN && gh_jv_int(gh_jv_get(r, "m")) == INT64_MAX,
	   "int64 bounds exact");
	ok(gh_jv_is(gh_jv_get(r, "d"), GH_JV_DOUBLE) && gh_jv_double(gh_jv_get(r, "d")) == -1500,
	   "a double");
	ok(gh_jv_is(gh_jv_get(r, "i"), GH_JV_INT) && !gh_jv_is(gh_jv_get(r, "d"), GH_JV_INT),
	   "an integer is GH_JV_INT, a number with an exponent is not");
	ok(gh_jv_bool(gh_jv_get(r, "t")) == 1 && gh_jv_bool(gh_jv_get(r, "f")) == 0 &&
		   gh_jv_is(gh_jv_get(r, "f"), GH_JV_BOOL),
	   "booleans");
	ok(gh_jv_get(r, "n") != NULL && gh_jv_type(gh_jv_get(r, "n")) == GH_JV_NULL &&
		   gh_jv_get(r, "nope") == NULL && gh_jv_get(r, "pla") == NULL,
	   "a null member is found, an absent one (or a prefix of a name) is not");
	ok(gh_jv_is(gh_jv_get(r, "o"), GH_JV_OBJECT) && gh_jv_len(gh_jv_get(r, "o")) == 0,
	   "an empty object");
	a = gh_jv_get(r, "a");
	ok(gh_jv_len(a) == 3 && gh_jv_int(gh_jv_idx(a, 0)) == 1 &&
		   gh_jv_int(gh_jv_idx(gh_jv_idx(a, 1), 0)) == 2 &&
		   !strcmp(gh_jv_str(gh_jv_get(gh_jv_idx(a, 2), "k"), NULL), "v") &&
		   gh_jv_idx(a, 3) == NULL,
	   "array elements by index, NULL past the end");
	v = gh_jv_name(r, 9);
	ok(v && !strcmp(gh_jv_str(v, NULL), "a") && gh_jv_val(r, 9) == a && gh_jv_name(r, 10) == NULL,
	   "members in document order, name and value");
	ok(gh_jv_str(a, &len) == NULL && len == 0 && gh_jv_int(NULL) == 0 && gh_jv_len(NULL) == 0 &&
		   gh_jv_get(a, "k") == NULL && gh_jv_idx(r, 0) == NULL,
	   "wrong types and NULL read as absent");
	{
		struct json_object *o = NULL;
		struct gh_buf b = GH_BUF_INIT;

		ok(gh_jv_to_json(gh_jv_get(r, "d"), &o) == 0 && gh_json_to_buf(&b, o, 0) == 0 &&
			   !strcmp(b.p, "-1.5e3"),
		   "a double converted to json-c is written as it was read");
		json_object_put(o);
		gh_buf_release(&b);
	}
	gh_jdoc_free(d);
	gh_jdoc_free(NULL);
}

static void test_seq(void)
{
	const char in[] = "{\n  \"a\": 1\n}\n{}[1]\"s\"2 3\n\n{\"x\": [\"y\"]}\n";
	const struct gh_jv *v;
	struct gh_jdoc *d = gh_jdoc_new(dup_text(in, sizeof(in) - 1), sizeof(in) - 1);
	unsigned long lines[8];
	int n = 0, rc;
	char err[256] = "";

	while ((rc = gh_jdoc_next(d, &v, err, sizeof(err))) == 1 && n < 8)
		lines[n++] = gh_jdoc_line(d);
	ok(rc == 0 && n == 7, "seq: seven values, then the end (rc %d, n %d)", rc, n);
	ok(n == 7 && lines[0] == 1 && lines[1] == 4 && lines[5] == 4 && lines[6] == 6,
	   "seq: the line each value starts on");
	ok(gh_jv_is(v, GH_JV_NULL) && v == NULL, "seq: no value at the end");
	gh_jdoc_free(d);

	const char glued[] = "1 12true";
	d = gh_jdoc_new(dup_text(glued, sizeof(glued) - 1), sizeof(glued) - 1);
	ok(gh_jdoc_next(d, &v, err, sizeof(err)) == 1 && gh_jv_int(v) == 1, "seq: a number");
	ok(gh_jdoc_next(d, &v, err, sizeof(err)) == -1 &&
		   !strcmp(err, "line 1: unexpected data after a value"),
	   "seq: a number glued to a literal is an error (%s)", err);
	gh_jdoc_free(d);

	/* a string ends with its quote, escapes or not: the next value may
	 * follow at once, as in the stream reader (fuzz_json found this) */
	const char esc[] = "\"\\u00e9\"[\"\\uFFFF\"]\"a\\n\"\"b\"";
	n = 0;
	d = gh_jdoc_new(dup_text(esc, sizeof(esc) - 1), sizeof(esc) - 1);
	while ((rc = gh_jdoc_next(d, &v, err, sizeof(err))) == 1 && n < 8)
		n++;
	ok(rc == 0 && n == 4, "seq: strings with escapes glued to the next value (rc %d, n %d, %s)",
	   rc, n, rc ? err : "");
	gh_jdoc_free(d);
	const char gluedstr[] = "\"\\u00e9\"1";
	d = gh_jdoc_new(dup_text(gluedstr, sizeof(gluedstr) - 1), sizeof(gluedstr) - 1);
	ok(gh_jdoc_next(d, &v, err, sizeof(err)) == 1 && gh_jdoc_next(d, &v, err, sizeof(err)) == 1 &&
		   gh_jv_int(v) == 1 && gh_jdoc_next(d, &v, err, sizeof(err)) == 0,
	   "seq: a number after a string needs no space");
	gh_jdoc_free(d);

	const char bad[] = "{}\n{\n  \"a\": tru }";
	d = gh_jdoc_new(dup_text(bad, sizeof(bad) - 1), sizeof(bad) - 1);
	ok(gh_jdoc_next(d, &v, err, sizeof(err)) == 1, "seq: first value");
	ok(gh_jdoc_next(d, &v, err, sizeof(err)) == -1 &&
		   !strcmp(err, "line 3: unexpected character 't', expected value"),
	   "seq: an error names its line (%s)", err);
	gh_jdoc_free(d);
}

static void test_from_json(void)
{
	struct json_object *o = NULL, *deep, *in;
	const struct gh_jv *root;
	struct gh_jdoc *d;
	char text[1100], err[256];
	int rc;

	/* 512 nested arrays around a number: the deepest gh_json_parse reads */
	memset(text, '[', 512);
	text[512] = '7';
	memset(text + 513, ']', 512);
	if (!ok(gh_json_parse(text, 1025, &o, err, sizeof(err)) == 0, "512 nested arrays parse"))
		return;
	rc = gh_jdoc_from_json(o, &d, &root);
	for (int i = 0; rc == 0 && i < 512; i++)
		root = gh_jv_idx(root, 0);
	ok(rc == 0 && gh_jv_int(root) == 7, "from json-c: 512 nested arrays and the number in them");
	if (rc == 0)
		gh_jdoc_free(d);
	/* one more level than any parsed text has */
	deep = json_object_new_array();
	json_object_array_add(deep, o);
	ok(gh_jdoc_from_json(deep, &d, &root) == -EINVAL && d == NULL,
	   "from json-c: 513 nested arrays refused");
	json_object_put(deep);
	in = json_object_new_object();
	json_object_object_add(in, "s", json_object_new_string_len("a\0b", 3));
	json_object_object_add(in, "d", json_object_new_double_s(2.5, "2.50"));
	rc = gh_jdoc_from_json(in, &d, &root);
	ok(rc == 0 && gh_jv_str(gh_jv_get(root, "s"), NULL)[2] == 'b' &&
		   gh_jv_double(gh_jv_get(root, "d")) == 2.5 && gh_jv_len(root) == 2,
	   "from json-c: strings with U+0000, doubles, members");
	if (rc == 0)
		gh_jdoc_free(d);
	json_object_put(in);
}

int main(void)
{
	test_suite();
	test_errors();
	test_access();
	test_seq();
	test_from_json();
	return done_testing();
}
