/* libFuzzer target: the gh-events(5) stream reader (lib/events.c). Any
 * input gives records and then its end, or an error located at a line;
 * every record it returns comes from a line that the strict JSON parser
 * reads as an object of the same "type" (the scanner and gh_json_parse
 * agree on what they accept); values are what their kinds say. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "json.h"

/* Line n (1-based) of data, without its newline, or NULL past the end. */
static const char *line_at(const char *data, size_t size, unsigned long n, size_t *len)
{
	const char *p = data, *end = data + size, *nl;

	while (--n) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

static void check_value(const struct gh_evval *v)
{
	switch (v->kind) {
	case GH_EVK_STR:
		if ((v->len && !v->s) || (v->blen && !v->b))
			abort();
		break;
	case GH_EVK_ARR:
		if (v->len && !v->elems)
			abort();
		for (size_t k = 0; k < v->len; k++)
			check_value(&v->elems[k]);
		break;
	case GH_EVK_OBJ:
		if (!v->obj)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	const struct gh_evrec *rec;
	struct gh_evreader *r;
	unsigned long last = 0;
	int rc;

	if (!f)
		return 0;
	if (!size)
		fgetc(f);
	r = gh_evreader_new(f, "fuzz");
	if (!r)
		abort();
	while ((rc = gh_evreader_next(r, &rec)) == 1) {
		struct json_object *o = NULL, *t;
		const char *line;
		char err[256];
		size_t len;

		if (rec->line <= last)
			abort();
		last = rec->line;
		line = line_at((const char *)data, size, rec->line, &len);
		if (!line || gh_json_parse(line, len, &o, err, sizeof(err)) < 0 ||
		    !json_object_object_get_ex(o, "type", &t) ||
		    strcmp(json_object_get_string(t), gh_ev_type_name(rec->type)) != 0)
			abort();
		json_object_put(o);
		for (int k = 0; k < GH_EK_COUNT; k++)
			check_value(&rec->v[k]);
	}
	if (rc < 0) {
		const char *e = gh_evreader_error(r);

		if (strncmp(e, "fuzz:", 5) != 0 && strcmp(e, "out of memory") != 0)
			abort();
	}
	gh_evreader_free(r);
	fclose(f);
	return 0;
}
