/* Unit tests of gh-trace/event.c: the JSON members of a record, a whole
 * record, and how a record that cannot be written leaves the buffer. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "../../gh-trace/event.h"
#include "../../bpf/trace.h"
#include "json.h"
#include "open_record.h"
#include "tap.h"

/* Every jw_int of v against printf's. */
static int int_is(struct gh_buf *b, int64_t v)
{
	char want[40];

	b->len = 0;
	snprintf(want, sizeof(want), "\"k\":%" PRId64, v);
	return jw_int(b, "k", v) == 0 && strcmp(b->p, want) == 0;
}

/* jw_str's member against "key": and gh_buf_json_str's string. */
static int str_is(const char *s, size_t len, const char *hex)
{
	struct gh_buf got = GH_BUF_INIT, want = GH_BUF_INIT;
	int r;

	jw_str(&got, "k", s, len);
	gh_buf_adds(&want, "\"k\":");
	gh_buf_json_str(&want, s, len);
	if (hex) {
		gh_buf_adds(&want, ",\"k_hex\":\"");
		gh_buf_adds(&want, hex);
		gh_buf_addc(&want, '"');
	}
	r = got.len == want.len && !memcmp(got.p, want.p, got.len);
	if (!r)
		diag("got %s, want %s", got.p, want.p);
	gh_buf_release(&got);
	gh_buf_release(&want);
	return r;
}

int main(void)
{
	static const int64_t edges[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, -1, -9, -10,
		-99, -100, -101, 2147483647, -2147483648LL, 4294967296LL,
		999999999999999999LL, 1000000000000000000LL, INT64_MAX,
		INT64_MIN, INT64_MIN + 1,
	};
	static const char line[] =
		"{\"type\":\"open\",\"t\":1000,\"pid\":42,\"tid\":43,"
		"\"path\":\"/etc/hostname\",\"raw\":\"/etc/hostname\","
		"\"dirfd\":-100,\"flags\":0,\"mode\":0,\"ret\":4}\n";
	char rec[512];
	struct gh_buf b = GH_BUF_INIT;
	int64_t v;
	size_t i, size;
	int bad;

	/* integers */
	for (i = 0, bad = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (!int_is(&b, edges[i])) {
			diag("%" PRId64 " written %s", edges[i], b.p);
			bad++;
		}
	ok(!bad, "jw_int writes the extremes as printf does");
	for (v = -200000, bad = 0; v <= 200000; v++)
		bad += !int_is(&b, v);
	for (v = 1; v < INT64_MAX / 7; v = v * 7 + 3)
		bad += !int_is(&b, v) + !int_is(&b, -v);
	ok(!bad, "jw_int writes every integer tried as printf does (%d differ)", bad);
	b.len = 0;
	jw_int(&b, "a", 1);
	jw_int(&b, "b", -2);
	ok(strcmp(b.p, "\"a\":1,\"b\":-2") == 0, "members after the first get a comma");
	b.len = 0;
	gh_buf_addc(&b, '{');
	jw_bool(&b, "t", 1);
	gh_buf_addc(&b, ',');
	gh_buf_addc(&b, '[');
	jw_null(&b, "n");
	ok(strcmp(b.p, "{\"t\":true,[\"n\":null") == 0,
	   "no comma after '{' or '[' (got %s)", b.p);

	/* strings: printable ASCII copied, the others escaped as json.c does */
	ok(str_is("/etc/hostname", 13, NULL), "a printable name");
	ok(str_is("", 0, NULL), "an empty string");
	ok(str_is("a\"b\\c", 5, NULL), "a quote and a backslash are escaped");
	ok(str_is("tab\there\x01\x1f\x7f", 12, NULL), "control characters are escaped");
	ok(str_is("caf\xc3\xa9 \xe2\x82\xac", 9, NULL), "UTF-8 is kept as it is");
	ok(str_is("bad\xff\xfe.", 6, "626164fffe2e"),
	   "invalid UTF-8 is replaced, and kept in hex");
	ok(str_is("nul\0in", 6, NULL), "a NUL byte is escaped");
	b.len = 0;
	jw_str(&b, "k", "x\"y", 3);
	ok(strcmp(b.p, "\"k\":\"x\\\"y\"") == 0, "a quote in a string reads back (%s)", b.p);

	/* a whole record */
	size = open_record(rec, "/etc/hostname", 6000, 42, 43);
	b.len = 0;
	gh_buf_adds(&b, "before\n");
	ok(event_format(&b, rec, size, 5000) == 1, "an open record makes a line");
	ok(b.len == 7 + strlen(line) && strncmp(b.p, "before\n", 7) == 0 &&
	   strcmp(b.p + 7, line) == 0, "the line, after what the buffer held");
	if (b.len != 7 + strlen(line))
		diag("got %s", b.p + 7);

	/* a malformed record: nothing written */
	((struct gh_event *)rec)->blen[GH_B_PATH1] = 4096;
	b.len = 0;
	gh_buf_adds(&b, "kept");
	ok(event_format(&b, rec, size, 5000) == -EINVAL,
	   "a blob past the record's end: -EINVAL");
	ok(strcmp(b.p, "kept") == 0 && b.len == 4, "and the buffer as it was");
	ok(event_format(&b, rec, size - 1, 5000) == -EINVAL && b.len == 4,
	   "a size that is not the record's: -EINVAL, nothing written");

	/* a buffer that fails: the record is dropped, the buffer restored */
	size = open_record(rec, "/etc/hostname", 6000, 42, 43);
	b.err = -ENOMEM;
	ok(event_format(&b, rec, size, 5000) == -ENOMEM, "a failing buffer: -ENOMEM");
	ok(b.len == 4 && strcmp(b.p, "kept") == 0 && b.err == 0,
	   "the buffer as it was, its error cleared");
	ok(event_format(&b, rec, size, 5000) == 1 && strcmp(b.p + 4, line) == 0,
	   "the next record is written whole");
	gh_buf_release(&b);
	return done_testing();
}
