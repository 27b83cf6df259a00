/* libgh: DSSE envelopes. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "dsse.h"
#include "json.h"

int gh_dsse_pae(struct gh_buf *b, const char *type, size_t typelen,
		const void *body, size_t len)
{
	int ret = gh_buf_printf(b, "DSSEv1 %zu ", typelen);

	if (ret == 0)
		ret = gh_buf_add(b, type, typelen);
	if (ret == 0)
		ret = gh_buf_printf(b, " %zu ", len);
	if (ret == 0)
		ret = gh_buf_add(b, body, len);
	return ret;
}

int gh_dsse_is_envelope(struct json_object *o)
{
	return json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, "payloadType", NULL);
}

__attribute__((format(printf, 3, 4))) static int bad(char *err, size_t errlen,
						     const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int gh_dsse_parse(struct json_object *o, struct gh_dsse *d, char *err,
		  size_t errlen)
{
	struct json_object *sigs, *s, *v;
	const char *b64;
	size_t i, n, b64len;
	int r;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(o, json_type_object))
		return bad(err, errlen, "not a JSON object");
	if (gh_json_get_str(o, "payloadType", &d->type) < 0)
		return bad(err, errlen, "payloadType is not a string");
	json_object_object_get_ex(o, "payloadType", &v);
	d->typelen = (size_t)json_object_get_string_len(v);
	if (strlen(d->type) != d->typelen)
		return bad(err, errlen, "payloadType contains U+0000");
	if (gh_json_get_str(o, "payload", &b64) < 0)
		return bad(err, errlen, "payload is missing or not a string");
	json_object_object_get_ex(o, "payload", &v);
	b64len = (size_t)json_object_get_string_len(v);
	if (gh_json_get_arr(o, "signatures", &sigs) < 0)
		return bad(err, errlen, "signatures is missing or not an array");
	n = json_object_array_length(sigs);
	if (n == 0)
		return bad(err, errlen, "signatures is empty");
	d->len = b64len / 4 * 3;
	d->payload = malloc(d->len + 1);
	d->sigs = calloc(n, sizeof(*d->sigs));
	if (!d->payload || !d->sigs) {
		gh_dsse_release(d);
		return -ENOMEM;
	}
	r = gh_base64_decode(b64, b64len, d->payload, d->len);
	if (r < 0) {
		gh_dsse_release(d);
		return r == -ENOMEM ? r : bad(err, errlen, "payload is not base64");
	}
	d->len = (size_t)r;
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(sigs, i);
		if (!json_object_is_type(s, json_type_object) ||
		    gh_json_get_str(s, "sig", &d->sigs[i].sig) < 0) {
			gh_dsse_release(d);
			return bad(err, errlen, "signatures[%zu] has no sig string", i);
		}
		r = gh_json_get_str(s, "keyid", &d->sigs[i].keyid);
		if (r == -ENOENT) {
			d->sigs[i].keyid = "";
		} else if (r < 0) {
			gh_dsse_release(d);
			return bad(err, errlen, "signatures[%zu].keyid is not a string", i);
		}
	}
	d->nsigs = n;
	return 0;
}

void gh_dsse_release(struct gh_dsse *d)
{
	if (!d)
		return;
	free(d->payload);
	free(d->sigs);
	memset(d, 0, sizeof(*d));
}
