/* libFuzzer target: the DSSE envelope reader (lib/dsse.c) that gh-sign -V
 * and gh-archive apply to envelopes from anywhere. Any JSON value gets a
 * verdict (0, or -EINVAL with a reason); an envelope read has a type
 * without U+0000, at least one signature with its strings, and a PAE
 * built from what was read that holds both. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsse.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gh_buf pae = GH_BUF_INIT;
	struct json_object *o;
	struct gh_dsse d;
	char err[256];
	int rc;

	/* the input as it is, not terminated: a read past it is caught */
	if (gh_json_parse((const char *)data, size, &o, err, sizeof(err)) < 0)
		return 0;
	gh_dsse_is_envelope(o);
	err[0] = '\0';
	rc = gh_dsse_parse(o, &d, err, sizeof(err));
	if ((rc == -EINVAL) != (err[0] != '\0') || (rc != 0 && rc != -EINVAL && rc != -ENOMEM))
		abort();
	if (rc == 0) {
		if (!d.type || strlen(d.type) != d.typelen || !d.payload || d.nsigs == 0)
			abort();
		for (size_t i = 0; i < d.nsigs; i++)
			if (!d.sigs[i].sig || !d.sigs[i].keyid)
				abort();
		/* "DSSEv1" SP LEN SP type SP LEN SP body */
		if (gh_dsse_pae(&pae, d.type, d.typelen, d.payload, d.len) == 0 &&
		    (pae.len < d.typelen + d.len + 12 || memcmp(pae.p, "DSSEv1 ", 7) != 0 ||
		     memcmp(pae.p + pae.len - d.len, d.payload, d.len) != 0))
			abort();
		gh_buf_release(&pae);
	}
	gh_dsse_release(&d);
	json_object_put(o);
	return 0;
}
