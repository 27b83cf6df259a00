/* Unit tests of lib/dsse.c: the pre-authentication encoding against the
 * DSSE spec's own example, and what an envelope must hold. */
#include <errno.h>
#include <string.h>

#include "dsse.h"
#include "gh.h"
#include "json.h"
#include "tap.h"

static void pae(void)
{
	struct gh_buf b = GH_BUF_INIT;
	static const char want[] =
		"DSSEv1 29 http://example.com/HelloWorld 11 hello world";

	/* the example of the DSSE protocol document */
	ok(gh_dsse_pae(&b, "http://example.com/HelloWorld", 29, "hello world", 11) == 0 &&
	   b.len == strlen(want) && memcmp(b.p, want, b.len) == 0,
	   "PAE of the spec's example");
	b.len = 0;
	ok(gh_dsse_pae(&b, "", 0, "", 0) == 0 && b.len == 12 &&
	   memcmp(b.p, "DSSEv1 0  0 ", 12) == 0, "PAE of an empty type and body");
	b.len = 0;
	ok(gh_dsse_pae(&b, "t", 1, "a\0b", 3) == 0 && b.len == 16 &&
	   memcmp(b.p, "DSSEv1 1 t 3 a\0b", 16) == 0, "PAE keeps a NUL in the body");
	if (b.len != 16)
		diag("PAE length %zu", b.len);
	gh_buf_release(&b);
}

/* parse TEXT: gh_dsse_parse's return; the reason in err. d borrows from
 * *o, which the caller puts after d is released. */
static int parse(const char *text, struct gh_dsse *d, char *err,
		 struct json_object **o)
{
	*o = NULL;
	err[0] = '\0';
	if (gh_json_parse(text, strlen(text), o, err, 256) < 0)
		return -999;
	return gh_dsse_parse(*o, d, err, 256);
}

static void envelopes(void)
{
	static const struct {
		const char *text, *why; /* why NULL: accepted */
	} v[] = {
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"AA==\"}]}", NULL },
		{ "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"\"}]}", NULL },
		{ "{\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"AA==\"}]}", "payloadType is not a string" },
		{ "{\"payloadType\":1,\"payload\":\"aGk=\",\"signatures\":[]}", "payloadType is not a string" },
		{ "{\"payloadType\":\"t\\u0000x\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"\"}]}", "payloadType contains U+0000" },
		{ "{\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"\"}]}", "payload is missing or not a string" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk\",\"signatures\":[{\"sig\":\"\"}]}", "payload is not base64" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\\u0000\",\"signatures\":[{\"sig\":\"\"}]}", "payload is not base64" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":{}}", "signatures is missing or not an array" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[]}", "signatures is empty" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"keyid\":\"k\"}]}", "signatures[0] has no sig string" },
		{ "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"\",\"keyid\":2}]}", "signatures[0].keyid is not a string" },
	};
	struct json_object *o;
	struct gh_dsse d;
	char err[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = parse(v[i].text, &d, err, &o);
		if (v[i].why)
			ok(r == -EINVAL && strcmp(err, v[i].why) == 0,
			   "refused: %s (%s)", v[i].why, err);
		else
			ok(r == 0 && d.nsigs == 1, "accepted: %s", v[i].text);
		gh_dsse_release(&d);
		json_object_put(o);
	}
	r = parse("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"AA==\"},{\"keyid\":\"k\",\"sig\":\"\"}]}",
		  &d, err, &o);
	ok(r == 0 && d.len == 2 && memcmp(d.payload, "hi", 2) == 0 && d.typelen == 1 &&
	   d.nsigs == 2 && strcmp(d.sigs[0].keyid, "") == 0 &&
	   strcmp(d.sigs[1].keyid, "k") == 0, "payload decoded, key ids kept");
	gh_dsse_release(&d);
	json_object_put(o);
	ok(gh_dsse_is_envelope(NULL) == 0, "null is no envelope");
}

int main(void)
{
	pae();
	envelopes();
	return done_testing();
}
