/* libFuzzer target: the strict JSON parser, both stream readers, lib/jv's
 * tree (it must read exactly what gh_json_parse reads: the same verdict,
 * message and value) and the receipt check every filter runs
 * (lib/input.h). */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "input.h"
#include "json.h"
#include "jv.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_object *o = NULL;
	struct gh_buf b = GH_BUF_INIT;
	char err[256];
	int modes[2] = { GH_JR_NDJSON, GH_JR_SEQ };
	char jerr[256], *buf = malloc(size + 1);
	struct json_object *jo = NULL;
	const struct gh_jv *root;
	struct gh_jdoc *doc;
	int rc, jrc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	jrc = gh_jdoc_parse(buf, size, &doc, &root, jerr, sizeof(jerr));
	rc = gh_json_parse((const char *)data, size, &o, err, sizeof(err));
	if (jrc == -ENOMEM)
		abort();
	if (rc != jrc || (rc && strcmp(err, jerr)))
		abort();
	if (rc == 0) {
		if (gh_jv_to_json(root, &jo) < 0 || !json_object_equal(o, jo))
			abort();
		json_object_put(jo);
		gh_jdoc_free(doc);
	}
	if (rc == 0) {
		/* What was accepted must write out and read back to the same bytes. */
		struct json_object *again = NULL;
		struct gh_buf b2 = GH_BUF_INIT;

		if (gh_json_to_buf(&b, o, 0) < 0 ||
		    gh_json_parse(b.p, b.len, &again, err, sizeof(err)) < 0 ||
		    gh_json_to_buf(&b2, again, 0) < 0 || b.len != b2.len ||
		    memcmp(b.p, b2.p, b.len) != 0)
			abort();
		json_object_put(again);
		gh_buf_release(&b2);
		/* any value: a receipt or a message, never a crash */
		if (gh_receipt_check(o, err, sizeof(err)) < 0 && !err[0])
			abort();
	}
	json_object_put(o);
	gh_buf_release(&b);
	for (int m = 0; m < 2; m++) {
		FILE *f = fmemopen((void *)data, size ? size : 1, "r");
		struct gh_jreader *r;
		int n = 0;

		if (!f)
			continue;
		if (!size)
			fgetc(f);
		r = gh_jreader_new(f, "fuzz", modes[m]);
		while ((rc = gh_jreader_next(r, &o)) == 1) {
			json_object_put(o);
			n++;
		}
		gh_jreader_free(r);
		fclose(f);
		if (modes[m] == GH_JR_SEQ) {
			/* lib/jv reads a sequence as the stream reader does:
			 * the same end or error, and without an error the
			 * same number of values */
			int jn = 0;

			buf = malloc(size + 1);
			if (!buf)
				return 0;
			memcpy(buf, data, size);
			buf[size] = '\0';
			doc = gh_jdoc_new(buf, size);
			while (doc && (jrc = gh_jdoc_next(doc, &root, jerr, sizeof(jerr))) == 1)
				jn++;
			if (doc && ((jrc < 0) != (rc < 0) || (rc == 0 && jn != n)))
				abort();
			gh_jdoc_free(doc);
		}
	}
	return 0;
}
