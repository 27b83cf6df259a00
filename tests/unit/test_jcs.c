/* Unit tests of lib/jcs.c: the RFC 8785 vectors of $GH_SHARED/conformance/jcs
 * byte for byte, the 10,000 ES6 number vectors both ways, and the I-JSON
 * rejections decided in jcs.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gh.h"
#include "jcs.h"
#include "json.h"
#include "jv.h"
#include "tap.h"

static const char *shared(void)
{
	const char *s = getenv("GH_SHARED");

	return s && *s ? s : "../shared";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;

	if (!f)
		return NULL;
	if (gh_read_all(f, &p, len) < 0)
		p = NULL;
	fclose(f);
	return p;
}

/* Values canon wrote, and those of them gh_jcs_write_jv wrote otherwise
 * (from lib/jv's tree of the same text). */
static int jv_written, jv_differ;

/* gh_jcs_write_jv of text into b (0, or its error). */
static int canon_jv(const char *text, size_t len, struct gh_buf *b)
{
	struct gh_jdoc *doc;
	const struct gh_jv *root;
	char *copy = malloc(len + 1), err[256];
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	b->len = 0;
	ret = gh_jdoc_parse(copy, len, &doc, &root, err, sizeof(err));
	if (ret == 0)
		ret = gh_jcs_write_jv(b, root, err, sizeof(err));
	gh_jdoc_free(doc);
	return ret;
}

/* Parse text with the project's strict parser, check the text and write its
 * canonical form into b. Returns 0 or the first error (reason in err).
 * Each value written is also written from lib/jv's tree, which must give
 * the same bytes. */
static int canon(const char *text, size_t len, struct gh_buf *b, char *err,
		 size_t errlen)
{
	struct json_object *o = NULL;
	struct gh_buf jb = GH_BUF_INIT;
	unsigned long line;
	int ret;

	b->len = 0;
	ret = gh_json_parse(text, len, &o, err, errlen);
	if (ret == 0)
		ret = gh_jcs_check_text(text, len, &line, err, errlen);
	if (ret == 0)
		ret = gh_jcs_write(b, o, err, errlen);
	if (ret == 0) {
		jv_written++;
		if (canon_jv(text, len, &jb) != 0 || jb.len != b->len ||
		    memcmp(jb.p, b->p, b->len) != 0)
			jv_differ++;
	}
	gh_buf_release(&jb);
	json_object_put(o);
	return ret;
}

/* gh_jcs_write_jv: the bytes of gh_jcs_write for every value canon wrote. */
static void jv_same(void)
{
	static const char in[] = "{\"b\":1.0,\"a\":[1e2,\"\\u0041\"]}";
	struct gh_buf b = GH_BUF_INIT;

	ok(jv_written > 100 && jv_differ == 0,
	   "gh_jcs_write_jv wrote gh_jcs_write's bytes for all %d values (%d differ)",
	   jv_written, jv_differ);
	/* the twin: it does canonicalize (members sorted, numbers in their
	 * shortest form), it does not copy the text */
	ok(canon_jv(in, sizeof(in) - 1, &b) == 0 &&
	   b.len == 21 && memcmp(b.p, "{\"a\":[100,\"A\"],\"b\":1}", 21) == 0,
	   "gh_jcs_write_jv: sorted members, shortest numbers, unescaped strings");
	gh_buf_release(&b);
}

static int canon_str(const char *text, struct gh_buf *b, char *err)
{
	return canon(text, strlen(text), b, err, 256);
}

/* The six RFC 8785 reference cases: output/NAME.json and outhex/NAME.txt. */
static void vectors(void)
{
	static const char *names[] = { "arrays", "french", "structures",
				       "unicode", "values", "weird" };
	struct gh_buf b = GH_BUF_INIT;
	char path[4096], err[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t inlen = 0, outlen = 0, hexlen = 0, j, k;
		char *in, *out, *hex;
		int r, same;

		snprintf(path, sizeof(path), "%s/conformance/jcs/input/%s.json",
			 shared(), names[i]);
		in = slurp(path, &inlen);
		snprintf(path, sizeof(path), "%s/conformance/jcs/output/%s.json",
			 shared(), names[i]);
		out = slurp(path, &outlen);
		snprintf(path, sizeof(path), "%s/conformance/jcs/outhex/%s.txt",
			 shared(), names[i]);
		hex = slurp(path, &hexlen);
		if (!ok(in && out && hex, "jcs %s: read the vector files", names[i]))
			continue;
		r = canon(in, inlen, &b, err, sizeof(err));
		ok(r == 0 && b.len == outlen && memcmp(b.p, out, outlen) == 0,
		   "jcs %s: output/%s.json byte for byte", names[i], names[i]);
		if (r)
			diag("error: %s", err);
		/* The same bytes from the hex dump. */
		same = r == 0;
		for (j = 0, k = 0; same && j < hexlen;) {
			unsigned int byte;
			int used;

			if (sscanf(hex + j, " %2x%n", &byte, &used) != 1)
				break;
			j += (size_t)used;
			same = k < b.len && (unsigned char)b.p[k] == byte;
			k++;
		}
		ok(same && k == b.len, "jcs %s: outhex/%s.txt byte for byte",
		   names[i], names[i]);
		free(in);
		free(out);
		free(hex);
	}
	gh_buf_release(&b);
}

/* es6testfile10k.txt: "HEX,EXPECTED" per line. Formatting the double with
 * those bits gives EXPECTED; parsing EXPECTED as JSON gives the bits back
 * (-0 comes back as 0). */
static void es6(void)
{
	char path[4096], line[256], num[GH_JCS_NUM_MAX], err[256];
	int lines = 0, fmt_bad = 0, parse_bad = 0, json_parsed = 0;
	char *endp;
	FILE *f;

	snprintf(path, sizeof(path), "%s/conformance/jcs/es6/es6testfile10k.txt",
		 shared());
	f = fopen(path, "r");
	if (!ok(f != NULL, "open %s", path))
		return;
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = NULL;
		char *comma = strchr(line, ','), *want;
		uint64_t bits, back;
		double d, e;

		if (!comma)
			continue;
		*comma = '\0';
		want = comma + 1;
		want[strcspn(want, "\r\n")] = '\0';
		bits = strtoull(line, NULL, 16);
		memcpy(&d, &bits, sizeof(d));
		lines++;
		if (gh_jcs_number(d, num) < 0 || strcmp(num, want) != 0) {
			if (fmt_bad++ < 10)
				diag("%s: got %s, want %s", line, num, want);
		}
		/* Back: the JSON number text read as binary64 (strtod rounds
		 * correctly; gh_json_parse refuses integers beyond int64,
		 * which ES6 prints up to 1e21). */
		e = strtod(want, &endp);
		memcpy(&back, &e, sizeof(back));
		if ((*endp || back != (bits == 0x8000000000000000ULL ? 0 : bits)) &&
		    parse_bad++ < 10)
			diag("%s reads back as %016llx, want %s", want,
			     (unsigned long long)back, line);
		if (gh_json_parse(want, strlen(want), &o, err, sizeof(err)) == 0) {
			json_parsed++;
			e = json_object_get_double(o);
			memcpy(&back, &e, sizeof(back));
			if (back != (bits == 0x8000000000000000ULL ? 0 : bits) &&
			    parse_bad++ < 10)
				diag("gh_json_parse(%s) gives %016llx, want %s", want,
				     (unsigned long long)back, line);
		}
		json_object_put(o);
	}
	fclose(f);
	ok(lines == 10000, "es6: %d lines", lines);
	ok(fmt_bad == 0, "es6: every double formats as expected (%d wrong)", fmt_bad);
	ok(parse_bad == 0, "es6: every expected string reads back as its bits (%d wrong)",
	   parse_bad);
	ok(json_parsed > 9900, "es6: %d of the strings read through gh_json_parse too",
	   json_parsed);
}

static void numbers(void)
{
	static const struct {
		double d;
		const char *want;
	} v[] = {
		{ 0.0, "0" },
		{ -0.0, "0" },
		{ 1.0, "1" },
		{ -1.5, "-1.5" },
		{ 1e21, "1e+21" },
		{ 1e20, "100000000000000000000" },
		{ 123456789012345680000.0, "123456789012345680000" },
		{ 1e-6, "0.000001" },
		{ 1e-7, "1e-7" },
		{ 0.1, "0.1" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 5e-324, "5e-324" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 9007199254740993.0, "9007199254740992" },
		{ 4.35, "4.35" },
		{ 2e-3, "0.002" },
		{ 333333333.33333329, "333333333.3333333" },
	};
	char num[GH_JCS_NUM_MAX];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int n = gh_jcs_number(v[i].d, num);

		ok(n == (int)strlen(v[i].want) && strcmp(num, v[i].want) == 0,
		   "number %.17g is %s", v[i].d, v[i].want);
	}
	ok(gh_jcs_number(NAN, num) == -EDOM, "NaN is refused");
	ok(gh_jcs_number(INFINITY, num) == -EDOM, "Infinity is refused");
	ok(gh_jcs_number(-INFINITY, num) == -EDOM, "-Infinity is refused");
}

/* Canonical form of objects built in memory (no parser involved). */
static void objects(void)
{
	struct gh_buf b = GH_BUF_INIT;
	struct json_object *o, *a;
	char err[256];
	int r, i;

	o = json_object_new_object();
	json_object_object_add(o, "\xee\x80\x80", json_object_new_int(1));   /* U+E000 */
	json_object_object_add(o, "\xf0\x9f\x98\x80", json_object_new_int(2)); /* U+1F600 */
	json_object_object_add(o, "\xef\xbf\xbf", json_object_new_int(3));   /* U+FFFF */
	json_object_object_add(o, "a", json_object_new_int(4));
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == 0 && strcmp(b.p, "{\"a\":4,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1,"
				 "\"\xef\xbf\xbf\":3}") == 0,
	   "names sort by UTF-16 code units: U+1F600 (D83D) before U+E000");
	json_object_put(o);

	b.len = 0;
	o = json_object_new_string_len("a\0b\x01\x1f\x7f\"\\/\b\f\n\r\t\xc2\x80", 16);
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == 0 && b.len == 40 &&
		   memcmp(b.p, "\"a\\u0000b\\u0001\\u001f\x7f\\\"\\\\/\\b\\f\\n\\r\\t\xc2\x80\"",
			  40) == 0,
	   "escapes: controls as \\u00xx lowercase, DEL and U+0080 raw, / unescaped");
	json_object_put(o);

	b.len = 0;
	o = json_object_new_array();
	json_object_array_add(o, NULL);
	json_object_array_add(o, json_object_new_boolean(1));
	json_object_array_add(o, json_object_new_boolean(0));
	json_object_array_add(o, json_object_new_int64(INT64_MIN));
	json_object_array_add(o, json_object_new_uint64(UINT64_MAX));
	json_object_array_add(o, json_object_new_int64(9007199254740993LL));
	json_object_array_add(o, json_object_new_double(-0.0));
	json_object_array_add(o, json_object_new_object());
	json_object_array_add(o, json_object_new_array());
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == 0 && strcmp(b.p, "[null,true,false,-9223372036854776000,"
				 "18446744073709552000,9007199254740992,0,{},[]]") == 0,
	   "literals, 64-bit integers through binary64, -0, empty containers");
	json_object_put(o);
	ok(gh_jcs_write(&b, NULL, err, sizeof(err)) == 0, "NULL writes null");

	/* Integers up to 2^53 are written as their digits: the form the
	 * binary64 route gives them, for every magnitude and sign; beyond,
	 * they still go through binary64 (the twin above: 2^53 + 1). */
	{
		long long vals[] = { 0, -1, 4101, 9007199254740991LL,
				     9007199254740992LL, -9007199254740992LL };
		unsigned long long x = 88172645463325252ULL;
		char num[GH_JCS_NUM_MAX];
		int bad = 0, k;

		b.len = 0;
		o = json_object_new_array();
		for (k = 0; k < (int)(sizeof(vals) / sizeof(vals[0])); k++)
			json_object_array_add(o, json_object_new_int64(vals[k]));
		r = gh_jcs_write(&b, o, err, sizeof(err));
		ok(r == 0 && strcmp(b.p, "[0,-1,4101,9007199254740991,"
					 "9007199254740992,-9007199254740992]") == 0,
		   "integers up to 2^53 in magnitude: their digits");
		json_object_put(o);
		for (k = 0; k < 20000; k++) {
			long long v;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (long long)(x % (9007199254740992ULL >> (k % 53)));
			if (k & 1)
				v = -v;
			b.len = 0;
			o = json_object_new_int64(v);
			if (gh_jcs_write(&b, o, err, sizeof(err)) != 0 ||
			    gh_jcs_number((double)v, num) < 0 || strcmp(b.p, num) != 0) {
				if (!bad++)
					diag("%lld: %s, binary64 gives %s", v, b.p ? b.p : "", num);
			}
			json_object_put(o);
		}
		ok(bad == 0, "20000 integers of every magnitude: as gh_jcs_number writes them");
	}

	b.len = 0;
	o = json_object_new_object();
	a = json_object_new_array();
	json_object_object_add(o, "x/y~z", a);
	json_object_array_add(a, json_object_new_int(1));
	json_object_array_add(a, json_object_new_double(NAN));
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == -EINVAL && strcmp(err, "number is not finite at /x~1y~0z/1") == 0,
	   "NaN is refused with its JSON pointer (%s)", err);
	json_object_put(o);

	o = json_object_new_double(INFINITY);
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == -EINVAL && strcmp(err, "number is not finite at top level") == 0,
	   "Infinity is refused (%s)", err);
	json_object_put(o);

	static const char *bad_utf8[] = {
		"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
		"\xe2\x82", "\x80", "\xf8\x88\x80\x80\x80",
	};
	for (i = 0; i < (int)(sizeof(bad_utf8) / sizeof(bad_utf8[0])); i++) {
		o = json_object_new_string(bad_utf8[i]);
		r = gh_jcs_write(&b, o, err, sizeof(err));
		ok(r == -EINVAL && strcmp(err, "string is not valid UTF-8 at top level") == 0,
		   "invalid UTF-8 string %d refused (overlong, surrogate, range, cut)", i);
		json_object_put(o);
		o = json_object_new_object();
		json_object_object_add(o, bad_utf8[i], NULL);
		r = gh_jcs_write(&b, o, err, sizeof(err));
		ok(r == -EINVAL && strcmp(err, "member name is not valid UTF-8 at top level") == 0,
		   "invalid UTF-8 member name %d refused", i);
		json_object_put(o);
	}
	b.len = 0;
	o = json_object_new_string("\xef\xbf\xbe\xef\xb7\x90\xf4\x8f\xbf\xbf");
	ok(gh_jcs_write(&b, o, err, sizeof(err)) == 0 &&
		   strcmp(b.p, "\"\xef\xbf\xbe\xef\xb7\x90\xf4\x8f\xbf\xbf\"") == 0,
	   "noncharacters U+FFFE, U+FDD0, U+10FFFF are kept");
	json_object_put(o);

	o = json_object_new_array();
	a = o;
	for (i = 0; i < GH_JSON_MAX_DEPTH + 1; i++) {
		struct json_object *n = json_object_new_array();

		json_object_array_add(a, n);
		a = n;
	}
	b.len = 0;
	r = gh_jcs_write(&b, o, err, sizeof(err));
	ok(r == -EINVAL && strstr(err, "nesting deeper than") != NULL,
	   "nesting deeper than GH_JSON_MAX_DEPTH is refused");
	json_object_put(o);
	gh_buf_release(&b);
}

/* gh_jcs_check_text: what a parsed json-c object cannot show. */
static void text_checks(void)
{
	static const struct {
		const char *text, *err; /* err NULL: accepted */
		unsigned long line;
	} v[] = {
		{ "{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":1},{\"a\":1}]}", NULL, 0 },
		{ "{\"a\":\"a\",\"b\":\"a\",\"{\\\"a\\\":1,\\\"a\\\":1}\":0}", NULL, 0 },
		{ "{\"a\":1,\"a\":2}", "duplicate member name \"a\" (not I-JSON)", 1 },
		{ "{\"a\":1,\"\\u0061\":2}", "duplicate member name \"a\" (not I-JSON)", 1 },
		{ "{\n\"x\": {\n\"k\": 1,\n\"k\": 1}}", "duplicate member name \"k\" (not I-JSON)", 4 },
		{ "[{\"b\":[],\"a\":0,\"b\":{}}]", "duplicate member name \"b\" (not I-JSON)", 1 },
		{ "[\"\\ud83d\\ude00\", \"\\uD834\\uDD1E\"]", NULL, 0 },
		{ "[\"\\ud800\"]", "lone high surrogate \\ud800 (not I-JSON)", 1 },
		{ "[\"\\ud800\\u0041\"]", "lone high surrogate \\ud800 (not I-JSON)", 1 },
		{ "[\"\\ud800\\ud800\"]", "lone high surrogate \\ud800 (not I-JSON)", 1 },
		{ "\n[\"x\\uDC00\"]", "lone low surrogate \\udc00 (not I-JSON)", 2 },
		{ "{\"\\ude00\\ud83d\":0}", "lone low surrogate \\ude00 (not I-JSON)", 1 },
		{ "{\"a\\u0000b\":0}", "member name contains U+0000", 1 },
		{ "[\"a\\u0000b\"]", NULL, 0 },
		{ "[18446744073709551615,-9223372036854775808,1e400000,1.5e9999]", NULL, 0 },
		{ "[18446744073709551616]",
		  "integer 18446744073709551616 is out of the 64-bit range", 1 },
		{ "[-9223372036854775809]",
		  "integer -9223372036854775809 is out of the 64-bit range", 1 },
		{ "[123456789012345678901234567890]",
		  "integer of 30 digits is out of the 64-bit range", 1 },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned long line = 0;
		int r = gh_jcs_check_text(v[i].text, strlen(v[i].text), &line, err,
					  sizeof(err));

		if (!v[i].err)
			ok(r == 0, "check_text accepts %s", v[i].text);
		else
			ok(r == -EINVAL && strcmp(err, v[i].err) == 0 && line == v[i].line,
			   "check_text: %s (got line %lu: %s)", v[i].err, line, err);
	}
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* JSONTestSuite: every y_ file the parser accepts canonicalizes, except the
 * two with duplicate member names and the one with U+0000 in a member name
 * (json-c would cut the name there); canonicalizing the canonical form
 * changes nothing; i_ files never crash and the surrogate ones are refused. */
static void suite(void)
{
	static const struct {
		const char *name, *err;
	} refused[] = {
		/* (the two y_object_duplicated_key* files are refused by the
		 * parser already: lib/json.c) */
		{ "y_object_escaped_null_in_key.json", "member name contains U+0000" },
	};
	struct gh_buf b = GH_BUF_INIT, b2 = GH_BUF_INIT;
	char dir[4096], path[4700], err[256];
	int y = 0, y_ok = 0, y_bad = 0, idem_bad = 0, sur = 0, sur_ok = 0, nref = 0;
	FILE *ls;
	char cmd[4200], name[512];

	snprintf(dir, sizeof(dir), "%s/conformance/JSONTestSuite/test_parsing",
		 shared());
	snprintf(cmd, sizeof(cmd), "ls '%s'", dir);
	ls = popen(cmd, "r");
	if (!ok(ls != NULL, "list %s", dir))
		return;
	while (fgets(name, sizeof(name), ls)) {
		size_t len;
		struct json_object *o = NULL;
		const char *want_err;
		char *text;
		size_t k;
		int r;

		name[strcspn(name, "\n")] = '\0';
		if (!has_prefix(name, "y_") && !has_prefix(name, "i_"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		text = slurp(path, &len);
		if (!text)
			continue;
		r = canon(text, len, &b, err, sizeof(err));
		if (has_prefix(name, "y_")) {
			/* What the parser refuses is test_json's business. */
			if (gh_json_parse(text, len, &o, err, sizeof(err)) < 0) {
				diag("%s: not parsed, skipped", name);
				free(text);
				continue;
			}
			json_object_put(o);
			r = canon(text, len, &b, err, sizeof(err));
			y++;
			want_err = NULL;
			for (k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
				if (!strcmp(name, refused[k].name))
					want_err = refused[k].err;
			nref += want_err != NULL;
			if (want_err ? r == -EINVAL && strstr(err, want_err) != NULL : r == 0)
				y_ok++;
			else if (y_bad++ < 10)
				diag("%s: %d %s", name, r, err);
			if (r == 0 && (canon(b.p, b.len, &b2, err, sizeof(err)) != 0 ||
				       b2.len != b.len || memcmp(b.p, b2.p, b.len))) {
				if (idem_bad++ < 10)
					diag("%s: canonical form is not a fixed point", name);
			}
		} else if (strstr(name, "surrogate") && !strstr(name, "UTF8_surrogate") &&
			   !strstr(name, "inverted")) {
			/* \u escapes: the parser may refuse, the check must. */
			sur++;
			if (r == -EINVAL)
				sur_ok++;
			else
				diag("%s: accepted", name);
		}
		free(text);
	}
	pclose(ls);
	ok(y > 90 && y_ok == y && nref == 1,
	   "JSONTestSuite: %d of %d y_ files canonicalize or are refused as decided", y_ok, y);
	ok(idem_bad == 0, "JSONTestSuite: canonical forms are fixed points");
	ok(sur > 5 && sur_ok == sur, "JSONTestSuite: %d of %d lone surrogate i_ files refused",
	   sur_ok, sur);
	gh_buf_release(&b);
	gh_buf_release(&b2);
}

/* JSONTestSuite test_transform: the canonical form this project gives. */
static void transforms(void)
{
	static const struct {
		const char *name, *want; /* want "!reason": refused */
	} v[] = {
		{ "number_1.0", "[1]" },
		{ "number_1.000000000000000005", "[1]" },
		{ "number_1000000000000000", "[1000000000000000]" },
		{ "number_10000000000000000999", "!integer out of range" },
		{ "number_1e-999", "[0]" },
		{ "number_1e6", "[1000000]" },
		{ "number_-9223372036854775808", "[-9223372036854776000]" },
		{ "number_9223372036854775807", "[9223372036854776000]" },
		{ "number_9223372036854775808", "!integer out of range" },
		{ "number_-9223372036854775809", "!integer out of range" },
		{ "object_key_nfc_nfd", "{\"e\xcc\x81\":\"NFD\",\"\xc3\xa9\":\"NFC\"}" },
		{ "object_key_nfd_nfc", "{\"e\xcc\x81\":\"NFD\",\"\xc3\xa9\":\"NFC\"}" },
		{ "string_1_invalid_codepoint", "!" },
		{ "string_2_invalid_codepoints", "!" },
		{ "string_3_invalid_codepoints", "!" },
		{ "object_same_key_different_values", "!duplicate member name" },
		{ "object_same_key_same_value", "!duplicate member name" },
		{ "object_same_key_unclear_values", "!duplicate member name" },
		{ "string_with_escaped_NULL", "[\"A\\u0000B\"]" },
		{ "string_1_escaped_invalid_codepoint", "!lone" },
		{ "string_2_escaped_invalid_codepoints", "!lone" },
		{ "string_3_escaped_invalid_codepoints", "!lone" },
	};
	struct gh_buf b = GH_BUF_INIT;
	char path[4096], err[256];
	size_t i, len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *text;
		int r;

		snprintf(path, sizeof(path),
			 "%s/conformance/JSONTestSuite/test_transform/%s.json", shared(),
			 v[i].name);
		text = slurp(path, &len);
		if (!ok(text != NULL, "read %s", path))
			continue;
		r = canon(text, len, &b, err, sizeof(err));
		if (v[i].want[0] == '!')
			ok(r == -EINVAL && strstr(err, v[i].want + 1),
			   "transform %s: refused (%s)", v[i].name, r ? err : b.p);
		else
			ok(r == 0 && strcmp(b.p, v[i].want) == 0, "transform %s: %s (%s)",
			   v[i].name, v[i].want, r ? err : b.p);
		free(text);
	}
	gh_buf_release(&b);
	(void)canon_str;
}

/* GH_JCS_EXACT: integers beyond 2^53 refused with -ERANGE, where they are
 * named; 2^53 itself and doubles pass; without the flag, RFC 8785 alone. */
static void exact(void)
{
	static const struct {
		const char *text, *want; /* want NULL: refused */
	} v[] = {
		{ "9007199254740992", "9007199254740992" },
		{ "-9007199254740992", "-9007199254740992" },
		{ "9007199254740993", NULL },
		{ "-9007199254740993", NULL },
		{ "[1, {\"a\": 9223372036854775807}]", NULL },
		{ "9007199254740993.0", "9007199254740992" },
		{ "1e300", "1e+300" },
	};
	struct gh_buf b = GH_BUF_INIT;
	struct json_object *o;
	char err[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		o = NULL;
		b.len = 0;
		r = gh_json_parse(v[i].text, strlen(v[i].text), &o, err, sizeof(err));
		if (r == 0)
			r = gh_jcs_write_flags(&b, o, GH_JCS_EXACT, err, sizeof(err));
		if (v[i].want)
			ok(r == 0 && strcmp(b.p, v[i].want) == 0, "exact: %s is %s",
			   v[i].text, v[i].want);
		else
			ok(r == -ERANGE && strstr(err, "is beyond 2^53"),
			   "exact: %s refused (%s)", v[i].text, err);
		json_object_put(o);
	}
	o = NULL;
	gh_json_parse("{\"x\": [0, 9007199254740993]}", 28, &o, err, sizeof(err));
	b.len = 0;
	r = gh_jcs_write_flags(&b, o, GH_JCS_EXACT, err, sizeof(err));
	ok(r == -ERANGE && strcmp(err, "integer 9007199254740993 is beyond 2^53 and has "
				  "no exact canonical form at /x/1") == 0,
	   "exact: the refusal names the integer and where (%s)", err);
	b.len = 0;
	ok(gh_jcs_write(&b, o, err, sizeof(err)) == 0 &&
	   strcmp(b.p, "{\"x\":[0,9007199254740992]}") == 0,
	   "without the flag: RFC 8785 rounds through binary64");
	json_object_put(o);
	gh_buf_release(&b);
}

int main(void)
{
	vectors();
	es6();
	numbers();
	objects();
	text_checks();
	suite();
	transforms();
	exact();
	jv_same();
	return done_testing();
}
