/* gh-archive: what both engines share: choosing the engine, transactions,
 * reading receipts back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

/* Statement numbers of the reading side (store.c uses those below). */
enum { RD_GET = ARCHIVE_MAX_STMT - 2, RD_EACH = ARCHIVE_MAX_STMT - 1 };

/* Receipts per query of archive_each: bounds the memory a PostgreSQL
 * result takes. */
#define EACH_PAGE 256

int archive_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int archive_check_schema(struct archive *a, const struct archive_schema *sc,
			 int mode, char *err, size_t errlen)
{
	int state, ver;
	char e[512], sql[128];

	if (a->ops->exec(a, mode == ARCHIVE_WRITE ? sc->begin_write
						  : sc->begin_read,
			 e, sizeof(e)) < 0)
		return archive_fail(err, errlen, "%s: %s", a->name, e);
	if (sc->marks(a, &state, &ver, e, sizeof(e)) < 0) {
		archive_fail(err, errlen, "%s: %s", a->name, e);
		goto out;
	}
	if (state == MARKS_EMPTY) {
		if (mode != ARCHIVE_WRITE) {
			archive_fail(err, errlen, "%s: empty database, no receipts",
				     a->name);
			goto out;
		}
		if (a->ops->exec(a, sc->create, e, sizeof(e)) < 0) {
			archive_fail(err, errlen, "%s: creating the schema: %s",
				     a->name, e);
			goto out;
		}
		state = MARKS_OURS;
		ver = 1;
	}
	if (state != MARKS_OURS) {
		archive_fail(err, errlen, "%s: not a gh-archive database",
			     a->name);
		goto out;
	}
	if (ver < 1 || ver > ARCHIVE_SCHEMA_VERSION) {
		archive_fail(err, errlen,
			     "%s: schema version %d, this gh-archive knows version %d",
			     a->name, ver, ARCHIVE_SCHEMA_VERSION);
		goto out;
	}
	for (; mode == ARCHIVE_WRITE && ver < ARCHIVE_SCHEMA_VERSION; ver++) {
		snprintf(sql, sizeof(sql), sc->set_version, ver + 1);
		if (a->ops->exec(a, sc->migrations[ver - 1], e, sizeof(e)) < 0 ||
		    a->ops->exec(a, sql, e, sizeof(e)) < 0) {
			archive_fail(err, errlen,
				     "%s: migrating the schema to version %d: %s",
				     a->name, ver + 1, e);
			goto out;
		}
	}
	if (a->ops->exec(a, "COMMIT", e, sizeof(e)) < 0)
		return archive_fail(err, errlen, "%s: %s", a->name, e);
	return 0;
out:
	a->ops->exec(a, "ROLLBACK", e, sizeof(e));
	return -1;
}

int archive_is_conninfo(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 ||
	       strncmp(target, "postgres://", 11) == 0;
}

int archive_open(const char *target, int pg, int mode, struct archive **out,
		 char *err, size_t errlen)
{
	if (pg || archive_is_conninfo(target))
		return archive_open_pg(target, mode, out, err, errlen);
	return archive_open_sqlite(target, mode, out, err, errlen);
}

void archive_close(struct archive *a)
{
	if (a)
		a->ops->close(a);
}

int archive_begin(struct archive *a, char *err, size_t errlen)
{
	return a->ops->exec(a, a->engine == ENGINE_SQLITE ? "BEGIN IMMEDIATE"
							  : "BEGIN",
			    err, errlen);
}

int archive_commit(struct archive *a, char *err, size_t errlen)
{
	return a->ops->exec(a, "COMMIT", err, errlen);
}

void archive_rollback(struct archive *a)
{
	char e[256];

	a->ops->exec(a, "ROLLBACK", e, sizeof(e));
}

struct got {
	struct gh_buf *out;
	char *sha_hex;
	int *sig;
	int found, nomem;
};

static int get_row(void *ctx, int ncol, const struct av *cols)
{
	struct got *g = ctx;

	if (ncol < 3 || cols[0].type != AV_TEXT)
		return 0;
	g->found = 1;
	if (gh_buf_add(g->out, cols[0].s, cols[0].len) < 0)
		g->nomem = 1;
	if (cols[1].type == AV_TEXT)
		snprintf(g->sha_hex, 65, "%.*s",
			 (int)(cols[1].len < 64 ? cols[1].len : 64), cols[1].s);
	*g->sig = cols[2].type == AV_TEXT ? atoi(cols[2].s) : 0;
	return 1;
}

int archive_get(struct archive *a, const char *id, struct gh_buf *out,
		char sha_hex[65], int *sig, int *found, char *err,
		size_t errlen)
{
	struct av v = { .type = AV_TEXT, .s = id, .len = strlen(id) };
	struct got g = { .out = out, .sha_hex = sha_hex, .sig = sig };

	*found = 0;
	sha_hex[0] = '\0';
	*sig = 0;
	if (a->ops->prepare(a, RD_GET,
			    "SELECT canonical, sha256, signed FROM receipts"
			    " WHERE execution_id = ?1",
			    err, errlen) < 0 ||
	    a->ops->run(a, RD_GET, &v, 1, get_row, &g, err, errlen) < 0)
		return -1;
	if (g.nomem) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	*found = g.found;
	return 0;
}

struct each {
	int (*fn)(void *ctx, const char *text, size_t len);
	void *ctx;
	long long last;
	int rows, stop;
};

static int each_row(void *ctx, int ncol, const struct av *cols)
{
	struct each *e = ctx;

	if (ncol < 2 || cols[0].type != AV_TEXT || cols[1].type != AV_TEXT)
		return 0;
	e->last = strtoll(cols[0].s, NULL, 10);
	e->rows++;
	if (e->fn(e->ctx, cols[1].s, cols[1].len) < 0) {
		e->stop = 1;
		return 1;
	}
	return 0;
}

int archive_each(struct archive *a,
		 int (*fn)(void *ctx, const char *text, size_t len), void *ctx,
		 char *err, size_t errlen)
{
	struct each e = { .fn = fn, .ctx = ctx, .last = 0 };
	struct av v[2] = { { .type = AV_INT }, { .type = AV_INT,
						  .i = EACH_PAGE } };

	if (a->ops->prepare(a, RD_EACH,
			    "SELECT id, canonical FROM receipts WHERE id > ?1"
			    " ORDER BY id LIMIT ?2",
			    err, errlen) < 0)
		return -1;
	do {
		e.rows = 0;
		v[0].i = e.last;
		if (a->ops->run(a, RD_EACH, v, 2, each_row, &e, err, errlen) < 0)
			return -1;
		if (e.stop) {
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
			return -1;
		}
	} while (e.rows == EACH_PAGE);
	return 0;
}
