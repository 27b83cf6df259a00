/* libFuzzer target: the RFC 8785 canonicalizer and its text checks; the
 * lib/jv tree of the same text canonicalizes to the same bytes (or fails
 * with the same message). */
#include <stdlib.h>
#include <string.h>

#include "jcs.h"
#include "json.h"
#include "jv.h"

/* The json-c writer's result (rc, b, err) against the lib/jv writer's. */
static void same_as_jv(const unsigned char *data, size_t size, int rc,
		       const struct gh_buf *b, const char *err)
{
	struct gh_buf b3 = GH_BUF_INIT;
	struct gh_jdoc *doc;
	const struct gh_jv *v;
	char err3[256], *buf = malloc(size + 1);
	int rc3;

	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (gh_jdoc_parse(buf, size, &doc, &v, err3, sizeof(err3)) < 0)
		abort(); /* the same scanner accepted it */
	rc3 = gh_jcs_write_jv(&b3, v, err3, sizeof(err3));
	if (rc3 != rc || (rc == 0 && (b3.len != b->len || memcmp(b3.p, b->p, b->len) != 0)) ||
	    (rc < 0 && strcmp(err3, err) != 0))
		abort();
	gh_buf_release(&b3);
	gh_jdoc_free(doc);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_object *o = NULL, *again = NULL;
	struct gh_buf b = GH_BUF_INIT, b2 = GH_BUF_INIT;
	unsigned long line;
	char err[256];

	if (gh_json_parse((const char *)data, size, &o, err, sizeof(err)) < 0)
		return 0;
	if (gh_jcs_check_text((const char *)data, size, &line, err, sizeof(err)) == 0) {
		int rc = gh_jcs_write(&b, o, err, sizeof(err));

		same_as_jv(data, size, rc, &b, err);
		if (rc < 0)
			goto out;
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
out:
	json_object_put(o);
	json_object_put(again);
	gh_buf_release(&b);
	gh_buf_release(&b2);
	return 0;
}
