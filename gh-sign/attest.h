/* gh-sign: a receipt as an in-toto Statement v1 with the Runtime Trace
 * v0.2 predicate (see gh-sign(1), ATTESTATIONS). */
#ifndef GH_SIGN_ATTEST_H
#define GH_SIGN_ATTEST_H

#include <json-c/json.h>

#include "crypto.h"

/* The monitor type glasshouse writes in predicate.monitor.type. */
#define ATTEST_MONITOR_TYPE "urn:glasshouse:gh-trace"
/* The predicate member that carries the whole receipt. */
#define ATTEST_RECEIPT_MEMBER "glasshouseReceipt"

/* A file the statement names: its name as given, its absolute path (for
 * matching the receipt's file accesses, NULL when unknown) and digest. */
struct subject {
	const char *name;
	char *abs;
	char hex[GH_SHA256_HEX];
};

/* A new Statement for receipt r, a json-c tree of rr with its output
 * hashes (not modified; its signature member is left out of the copy),
 * naming subjects s[0..n). What the predicate takes from the receipt is
 * read through rr (lib/receipt). NULL when out of memory. */
struct gh_receipt;
struct json_object *attest_statement(struct json_object *r, struct gh_receipt *rr,
				     const struct subject *s, size_t n);

#endif
