/* A compact JSON tree: see jv.h. The text is checked by lib/json.c's
 * scanner, which calls the gh_jb_* functions below as it goes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jv.h"

/* Memory for nodes, child lists and decoded strings: chunks that grow
 * from 8 KiB to 8 MiB, freed all at once. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct gh_jb {
	struct chunk *chunks;
	size_t next_cap;
	/* values whose container is still open, in document order */
	struct gh_jv **pend;
	size_t npend, cap;
	struct gh_jv *open[GH_JSON_MAX_DEPTH];
	size_t from[GH_JSON_MAX_DEPTH];
	int depth;
	int oom;
};

struct gh_jdoc {
	char *buf;
	size_t len, pos;
	size_t counted;	      /* lines are counted up to here */
	unsigned long line;   /* at counted */
	unsigned long vline;  /* where the last value started */
	struct gh_jb b;
};

static void *arena(struct gh_jb *b, size_t size)
{
	struct chunk *c = b->chunks;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < size) {
		size_t cap = b->next_cap < 8192 ? 8192 : b->next_cap;

		if (cap < size)
			cap = size;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			b->oom = 1;
			return NULL;
		}
		c->next = b->chunks;
		c->used = 0;
		c->cap = cap;
		b->chunks = c;
		b->next_cap = cap < ((size_t)8 << 20) ? 2 * cap : cap;
	}
	p = c->data + c->used;
	c->used += size;
	return p;
}

static void jb_reset(struct gh_jb *b)
{
	struct chunk *c, *next;

	for (c = b->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	b->chunks = NULL;
	b->next_cap = 0;
	b->npend = 0;
	b->depth = 0;
	b->oom = 0;
}

static struct gh_jv *add(struct gh_jb *b, int type)
{
	struct gh_jv *v;

	if (b->npend == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct gh_jv **p = realloc(b->pend, cap * sizeof(*p));

		if (!p) {
			b->oom = 1;
			return NULL;
		}
		b->pend = p;
		b->cap = cap;
	}
	v = arena(b, sizeof(*v));
	if (!v)
		return NULL;
	v->type = (unsigned char)type;
	v->b = 0;
	v->n = 0;
	b->pend[b->npend++] = v;
	return v;
}

int gh_jb_scalar(struct gh_jb *b, int type, int64_t i)
{
	struct gh_jv *v = add(b, type);

	if (!v)
		return -ENOMEM;
	if (type == GH_JV_BOOL)
		v->b = i != 0;
	else
		v->u.i = i;
	return 0;
}

int gh_jb_double(struct gh_jb *b, const char *text, size_t len)
{
	int rc = gh_jb_string(b, text, len, 1);

	if (rc == 0)
		b->pend[b->npend - 1]->type = GH_JV_DOUBLE;
	return rc;
}

int gh_jb_string(struct gh_jb *b, const char *s, size_t len, int copy)
{
	struct gh_jv *v = add(b, GH_JV_STRING);
	char *c;

	if (!v)
		return -ENOMEM;
	v->n = (uint32_t)len;
	if (!copy) {
		((char *)s)[len] = '\0';
		v->u.s = s;
		return 0;
	}
	if (!(c = arena(b, len + 1)))
		return -ENOMEM;
	memcpy(c, s, len);
	c[len] = '\0';
	v->u.s = c;
	return 0;
}

int gh_jb_open(struct gh_jb *b, int type)
{
	struct gh_jv *v = add(b, type);

	if (!v)
		return -ENOMEM;
	b->open[b->depth] = v;
	b->from[b->depth++] = b->npend;
	return 0;
}

int gh_jb_close(struct gh_jb *b)
{
	struct gh_jv *v = b->open[--b->depth];
	size_t from = b->from[b->depth], n = b->npend - from;

	v->u.kids = NULL;
	if (n) {
		v->u.kids = arena(b, n * sizeof(*v->u.kids));
		if (!v->u.kids)
			return -ENOMEM;
		memcpy(v->u.kids, b->pend + from, n * sizeof(*v->u.kids));
	}
	v->n = (uint32_t)(v->type == GH_JV_OBJECT ? n / 2 : n);
	b->npend = from;
	return 0;
}

/* --- documents --------------------------------------------------------- */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static unsigned long lines_to(struct gh_jdoc *d, size_t pos)
{
	const char *p = d->buf + d->counted, *end = d->buf + pos;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		d->line++;
		p++;
	}
	d->counted = pos;
	return d->line;
}

struct gh_jdoc *gh_jdoc_new(char *buf, size_t len)
{
	struct gh_jdoc *d = calloc(1, sizeof(*d));

	if (!d) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	d->buf = buf;
	d->len = len;
	d->line = 1;
	return d;
}

void gh_jdoc_free(struct gh_jdoc *d)
{
	if (!d)
		return;
	jb_reset(&d->b);
	free(d->b.pend);
	free(d->buf);
	free(d);
}

unsigned long gh_jdoc_line(const struct gh_jdoc *d)
{
	return d->vline;
}

static int value(struct gh_jdoc *d, const struct gh_jv **root, char *err, size_t errlen)
{
	const char *stop;

	jb_reset(&d->b);
	if (d->len > (size_t)UINT32_MAX - 1) {
		snprintf(err, errlen, "line 1: input too large");
		return -1;
	}
	if (gh_json_scan(&d->b, d->buf, d->buf + d->pos, d->buf + d->len, &stop, err,
			 errlen) < 0)
		return d->b.oom ? -ENOMEM : -1;
	*root = d->b.pend[0];
	d->b.npend = 0;
	d->pos = (size_t)(stop - d->buf);
	return 0;
}

int gh_jdoc_next(struct gh_jdoc *d, const struct gh_jv **root, char *err, size_t errlen)
{
	int rc;

	*root = NULL;
	while (d->pos < d->len && is_ws(d->buf[d->pos]))
		d->pos++;
	if (d->pos >= d->len) {
		jb_reset(&d->b);
		return 0;
	}
	d->vline = lines_to(d, d->pos);
	if ((rc = value(d, root, err, errlen)) < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "line %lu: out of memory", d->vline);
		return -1;
	}
	/* "}{" is two values; "1 2" needs the space. A string ends with its
	 * own delimiter too, but the scanner decoded it in place: its type
	 * says so, not the byte before pos (after an escape, not a quote). */
	if (d->pos < d->len && !is_ws(d->buf[d->pos]) && !strchr("}]", d->buf[d->pos - 1]) &&
	    !gh_jv_is(*root, GH_JV_STRING)) {
		snprintf(err, errlen, "line %lu: unexpected data after a value", d->vline);
		*root = NULL;
		return -1;
	}
	return 1;
}

int gh_jdoc_more(struct gh_jdoc *d, char *err, size_t errlen)
{
	const char *stop;
	size_t pos = d->pos;

	while (pos < d->len && is_ws(d->buf[pos]))
		pos++;
	if (pos >= d->len)
		return 0;
	d->vline = lines_to(d, pos);
	return gh_json_scan(NULL, d->buf, d->buf + pos, d->buf + d->len, &stop, err, errlen) < 0 ?
		       -1 : 1;
}

int gh_jdoc_parse(char *buf, size_t len, struct gh_jdoc **doc, const struct gh_jv **root,
		  char *err, size_t errlen)
{
	struct gh_jdoc *d = gh_jdoc_new(buf, len);
	int rc;

	*doc = NULL;
	*root = NULL;
	if (!d)
		return -ENOMEM;
	if ((rc = value(d, root, err, errlen)) < 0) {
		gh_jdoc_free(d);
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	while (d->pos < d->len && is_ws(d->buf[d->pos]))
		d->pos++;
	if (d->pos < d->len) {
		snprintf(err, errlen, "line %lu: unexpected data after the value",
			 lines_to(d, d->pos));
		gh_jdoc_free(d);
		*root = NULL;
		return -EINVAL;
	}
	*doc = d;
	return 0;
}

static int from_json(struct gh_jb *b, struct json_object *o, int depth)
{
	size_t k, n;
	int rc;

	if (depth >= GH_JSON_MAX_DEPTH && (json_object_is_type(o, json_type_array) ||
					   json_object_is_type(o, json_type_object)))
		return -EINVAL;
	switch (json_object_get_type(o)) {
	case json_type_null:
		return gh_jb_scalar(b, GH_JV_NULL, 0);
	case json_type_boolean:
		return gh_jb_scalar(b, GH_JV_BOOL, json_object_get_boolean(o));
	case json_type_int:
		return gh_jb_scalar(b, GH_JV_INT, json_object_get_int64(o));
	case json_type_double:
		return gh_jb_double(b, json_object_get_string(o), strlen(json_object_get_string(o)));
	case json_type_string:
		return gh_jb_string(b, json_object_get_string(o),
				    (size_t)json_object_get_string_len(o), 1);
	case json_type_array:
		if (gh_jb_open(b, GH_JV_ARRAY) < 0)
			return -ENOMEM;
		n = json_object_array_length(o);
		for (k = 0; k < n; k++)
			if ((rc = from_json(b, json_object_array_get_idx(o, k), depth + 1)) < 0)
				return rc;
		return gh_jb_close(b);
	case json_type_object:
		if (gh_jb_open(b, GH_JV_OBJECT) < 0)
			return -ENOMEM;
		json_object_object_foreach(o, key, m) {
			if (gh_jb_string(b, key, strlen(key), 1) < 0)
				return -ENOMEM;
			if ((rc = from_json(b, m, depth + 1)) < 0)
				return rc;
		}
		return gh_jb_close(b);
	}
	return -EINVAL;
}

int gh_jdoc_from_json(struct json_object *o, struct gh_jdoc **doc, const struct gh_jv **root)
{
	struct gh_jdoc *d = gh_jdoc_new(NULL, 0);
	int rc;

	*doc = NULL;
	*root = NULL;
	if (!d)
		return -ENOMEM;
	if ((rc = from_json(&d->b, o, 0)) < 0) {
		gh_jdoc_free(d);
		return rc;
	}
	*root = d->b.pend[0];
	d->b.npend = 0;
	*doc = d;
	return 0;
}

/* --- access ------------------------------------------------------------ */

const struct gh_jv *gh_jv_idx(const struct gh_jv *a, size_t k)
{
	return gh_jv_is(a, GH_JV_ARRAY) && k < a->n ? a->u.kids[k] : NULL;
}

const struct gh_jv *gh_jv_name(const struct gh_jv *o, size_t k)
{
	return gh_jv_is(o, GH_JV_OBJECT) && k < o->n ? o->u.kids[2 * k] : NULL;
}

const struct gh_jv *gh_jv_val(const struct gh_jv *o, size_t k)
{
	return gh_jv_is(o, GH_JV_OBJECT) && k < o->n ? o->u.kids[2 * k + 1] : NULL;
}

const struct gh_jv *gh_jv_getn(const struct gh_jv *o, const char *key, size_t keylen)
{
	size_t k;

	if (!gh_jv_is(o, GH_JV_OBJECT))
		return NULL;
	for (k = 0; k < o->n; k++) {
		const struct gh_jv *name = o->u.kids[2 * k];

		if (name->n == keylen && !memcmp(name->u.s, key, keylen))
			return o->u.kids[2 * k + 1];
	}
	return NULL;
}

const struct gh_jv *gh_jv_get(const struct gh_jv *o, const char *key)
{
	return gh_jv_getn(o, key, strlen(key));
}

const char *gh_jv_str(const struct gh_jv *v, size_t *len)
{
	if (!gh_jv_is(v, GH_JV_STRING)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = v->n;
	return v->u.s;
}

int64_t gh_jv_int(const struct gh_jv *v)
{
	return gh_jv_is(v, GH_JV_INT) ? v->u.i : 0;
}

double gh_jv_double(const struct gh_jv *v)
{
	if (gh_jv_is(v, GH_JV_DOUBLE))
		return strtod(v->u.s, NULL);
	return gh_jv_is(v, GH_JV_INT) ? (double)v->u.i : 0;
}

int gh_jv_bool(const struct gh_jv *v)
{
	return gh_jv_is(v, GH_JV_BOOL) && v->b;
}

int gh_jv_to_json(const struct gh_jv *v, struct json_object **out)
{
	struct json_object *o = NULL, *m;
	size_t k;

	*out = NULL;
	switch (gh_jv_type(v)) {
	case GH_JV_NULL:
		return 0;
	case GH_JV_BOOL:
		o = json_object_new_boolean(v->b);
		break;
	case GH_JV_INT:
		o = json_object_new_int64(v->u.i);
		break;
	case GH_JV_DOUBLE:
		o = json_object_new_double_s(strtod(v->u.s, NULL), v->u.s);
		break;
	case GH_JV_STRING:
		o = json_object_new_string_len(v->u.s, (int)v->n);
		break;
	case GH_JV_ARRAY:
		if (!(o = json_object_new_array_ext((int)v->n)))
			return -ENOMEM;
		for (k = 0; k < v->n; k++) {
			if (gh_jv_to_json(v->u.kids[k], &m) < 0 ||
			    json_object_array_add(o, m) < 0) {
				json_object_put(m);
				json_object_put(o);
				return -ENOMEM;
			}
		}
		break;
	case GH_JV_OBJECT:
		if (!(o = json_object_new_object()))
			return -ENOMEM;
		for (k = 0; k < v->n; k++) {
			const struct gh_jv *name = v->u.kids[2 * k];

			if (gh_jv_to_json(v->u.kids[2 * k + 1], &m) < 0 ||
			    json_object_object_add_ex(o, name->u.s, m, 0) < 0) {
				json_object_put(m);
				json_object_put(o);
				return -ENOMEM;
			}
		}
		break;
	}
	if (!o)
		return -ENOMEM;
	*out = o;
	return 0;
}
