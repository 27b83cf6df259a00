/* libFuzzer target: lib/receipt over any JSON value (read into lib/jv's
 * tree): every accessor and iterator either reads or fails with a located
 * message, never crashes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jv.h"
#include "receipt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const struct gh_jv *o;
	struct gh_jdoc *doc;
	struct gh_receipt r;
	struct gh_rrun run;
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	struct gh_rfile f;
	struct gh_rpeer n;
	char err[256], *buf = malloc(size + 1);
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (gh_jdoc_parse(buf, size, &doc, &o, err, sizeof(err)) < 0)
		return 0;
	rc = gh_receipt_init(&r, o, "fuzz.json");
	if (rc < 0) {
		if (rc == -EINVAL && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
		gh_receipt_release(&r);
		gh_jdoc_free(doc);
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
		if (!n.addr || (gh_receipt_len(n.names) && !gh_receipt_strv_get(n.names, 0, NULL)))
			abort();
	if (rc < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
		abort();
	{
		struct gh_rpolicy pol;
		const struct gh_jv *a;
		size_t np;

		for (int w = GH_RPATHS_READ; w <= GH_RPATHS_DELETE; w++)
			if ((rc = gh_receipt_paths(&r, w, &a)) > 0 && gh_receipt_len(a) &&
			    !gh_receipt_strv_get(a, 0, NULL))
				abort();
		if (rc < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
		if ((rc = gh_receipt_policy(&r, &pol)) > 0 && !pol.obj)
			abort();
		if (rc < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
		if ((rc = gh_receipt_nprocs(&r, &np)) < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
	}
	it = (struct gh_riter)GH_RITER_INIT;
	{
		struct gh_rdns d;

		while ((rc = gh_receipt_next_dns(&r, &it, &d)) > 0)
			if (!d.name || (gh_receipt_len(d.addresses) &&
					!gh_receipt_strv_get(d.addresses, 0, NULL)))
				abort();
		if (rc < 0 && strncmp(r.err, "fuzz.json: ", 11) != 0)
			abort();
	}
	gh_receipt_release(&r);
	gh_jdoc_free(doc);
	return 0;
}
