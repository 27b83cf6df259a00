/* libFuzzer target: lib/receipt over any JSON value: every accessor and
 * iterator either reads or fails with a located message, never crashes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "receipt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_object *o = NULL;
	struct gh_receipt r;
	struct gh_rrun run;
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	struct gh_rfile f;
	struct gh_rpeer n;
	char err[256];
	int rc;

	if (gh_json_parse((const char *)data, size, &o, err, sizeof(err)) < 0)
		return 0;
	rc = gh_receipt_init(&r, o, "fuzz.json");
	json_object_put(o); /* the receipt holds its own reference */
	if (rc < 0) {
		if (rc == -EINVAL && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
		gh_receipt_release(&r);
		return 0;
	}
	if (gh_receipt_run(&r, &run) == 0) {
		struct gh_buf b = GH_BUF_INIT;

		gh_receipt_join(&b, run.command);
		gh_buf_release(&b);
	}
	while ((rc = gh_receipt_next_proc(&r, &it, &p)) > 0)
		for (size_t k = 0; gh_receipt_proc_exec(&r, &p, k, &x) > 0; k++)
			if (x.argv && gh_receipt_len(x.argv) && !gh_receipt_strv_get(x.argv, 0, NULL))
				abort();
	it = (struct gh_riter)GH_RITER_INIT;
	while ((rc = gh_receipt_next_file(&r, &it, &f)) > 0)
		if (!f.path || !f.op)
			abort();
	it = (struct gh_riter)GH_RITER_INIT;
	while ((rc = gh_receipt_next_peer(&r, &it, &n)) > 0)
		if (!n.addr)
			abort();
	if (rc < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
		abort();
	gh_receipt_release(&r);
	return 0;
}
