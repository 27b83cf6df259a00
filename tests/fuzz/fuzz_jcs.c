/* libFuzzer target: the RFC 8785 canonicalizer and its text checks. */
#include <stdlib.h>
#include <string.h>

#include "jcs.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_object *o = NULL, *again = NULL;
	struct gh_buf b = GH_BUF_INIT, b2 = GH_BUF_INIT;
	unsigned long line;
	char err[256];

	if (gh_json_parse((const char *)data, size, &o, err, sizeof(err)) < 0)
		return 0;
	if (gh_jcs_check_text((const char *)data, size, &line, err, sizeof(err)) == 0 &&
	    gh_jcs_write(&b, o, err, sizeof(err)) == 0) {
		/* Canonical form is a fixed point. The one exception: an integer
		 * near 2^63 prints through binary64 as a literal beyond int64,
		 * which the strict reader refuses (json-c would clamp it). */
		if (gh_json_parse(b.p, b.len, &again, err, sizeof(err)) < 0) {
			if (!strstr(err, "integer out of range"))
				abort();
		} else if (gh_jcs_write(&b2, again, err, sizeof(err)) < 0 || b.len != b2.len ||
			   memcmp(b.p, b2.p, b.len) != 0) {
			abort();
		}
	}
	json_object_put(o);
	json_object_put(again);
	gh_buf_release(&b);
	gh_buf_release(&b2);
	return 0;
}
