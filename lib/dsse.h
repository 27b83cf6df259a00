/* DSSE, the Dead Simple Signing Envelope (v1), and the in-toto names that
 * travel in it.
 *
 * An envelope is a JSON object
 *   {"payload": BASE64, "payloadType": TYPE,
 *    "signatures": [{"keyid": ID, "sig": BASE64}, ...]}
 * whose signatures cover not the payload alone but its pre-authentication
 * encoding (PAE), which binds the type to the bytes:
 *   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * LEN being the byte length in ASCII decimal without leading zeros.
 * Members other than these are ignored (and not authenticated).
 *
 * Ownership: gh_dsse_parse borrows strings from the json-c object it was
 * given (valid as long as that object) and owns the decoded payload and the
 * signature array, released by gh_dsse_release.
 */
#ifndef GH_DSSE_H
#define GH_DSSE_H

#include <stddef.h>
#include <json-c/json.h>

#include "gh.h"

#define GH_DSSE_INTOTO "application/vnd.in-toto+json"
#define GH_INTOTO_STATEMENT "https://in-toto.io/Statement/v1"
#define GH_RUNTIME_TRACE "https://in-toto.io/attestation/runtime-trace/v0.2"

/* Append PAE(type, body) to b. 0 or -ENOMEM. */
int gh_dsse_pae(struct gh_buf *b, const char *type, size_t typelen,
		const void *body, size_t len);

/* 1 when o is an object with a payloadType member (an envelope, well
 * formed or not), else 0. */
int gh_dsse_is_envelope(struct json_object *o);

struct gh_dsse_sig {
	const char *keyid; /* "" when absent */
	const char *sig;   /* base64, as in the envelope */
};

struct gh_dsse {
	const char *type;
	size_t typelen;
	unsigned char *payload; /* decoded */
	size_t len;
	struct gh_dsse_sig *sigs;
	size_t nsigs;
};

/* Read an envelope. Returns 0; -EINVAL with the reason in err (errlen
 * bytes) when a member is missing, of the wrong type, the payload is not
 * canonical base64 or there is no signature; -ENOMEM. */
int gh_dsse_parse(struct json_object *o, struct gh_dsse *d, char *err,
		  size_t errlen);
void gh_dsse_release(struct gh_dsse *d);

#endif
