/* gh-archive: archive receipts into SQLite, and export them back. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "input.h"
#include "jcs.h"
#include "json.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gh-archive [-rv] DB [RECEIPT...]\n"
		"       gh-archive --export ID [--pretty] DB\n"
		"\n"
		"Store receipts (files, or stdin when none or \"-\"; one or many\n"
		"concatenated per input) in the SQLite database DB, created when\n"
		"missing; or write the receipt with execution_id ID back out.\n"
		"\n"
		"  -r, --replace      replace a stored receipt whose execution_id\n"
		"                     comes again with other content (else an error)\n"
		"  -v, --verbose      print one JSON line per receipt stored\n"
		"  -e, --export ID    write the receipt ID in canonical form\n"
		"  -p, --pretty       with --export: pretty-printed, as gh-aggregate writes\n"
		"  -h, --help         show this help\n"
		"      --version      show the version\n"
		"\n"
		"Exit status: 0 ok, 1 no receipt ID (--export), 2 error.\n");
}

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", gh_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "usage: gh-archive [-rv] DB [RECEIPT...]\n"
			"       gh-archive --export ID [--pretty] DB\n");
	exit(GH_EXIT_ERR);
}

static int finish(struct gh_buf *out)
{
	if (out->len && fwrite(out->p, 1, out->len, stdout) != out->len) {
		gh_err("write error: %s", strerror(errno));
		gh_buf_release(out);
		return GH_EXIT_ERR;
	}
	gh_buf_release(out);
	return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
}

static const char *const status_name[] = {
	[STORE_STORED] = "stored",
	[STORE_UNCHANGED] = "unchanged",
	[STORE_REPLACED] = "replaced",
};

/* One invocation's receipts: the database is opened (and created) when
 * the first receipt is ready, and one transaction holds them all. */
struct batch {
	const char *dbpath;
	int replace, verbose;
	sqlite3 *db;
	struct store *s;
	int in_txn;
	int created;	/* the database did not exist before this run */
	struct gh_buf out;
};

static int batch_begin(struct batch *b)
{
	char err[1024];

	if (!b->db) {
		struct stat st;

		b->created = lstat(b->dbpath, &st) < 0 && errno == ENOENT;
		if (archive_open(b->dbpath, ARCHIVE_WRITE, &b->db, err,
				 sizeof(err)) < 0) {
			gh_err("%s", err);
			return -1;
		}
		if (store_new(b->db, b->replace, &b->s, err, sizeof(err)) < 0) {
			gh_err("%s: %s", b->dbpath, err);
			return -1;
		}
	}
	if (!b->in_txn) {
		if (archive_exec(b->db, "BEGIN IMMEDIATE", err, sizeof(err)) < 0) {
			gh_err("%s: %s", b->dbpath, err);
			return -1;
		}
		b->in_txn = 1;
	}
	return 0;
}

static int batch_store(struct batch *b, struct json_object *o,
		       const char *name, unsigned long line)
{
	char err[1024], sha[65];
	const char *id;
	int st;

	if (gh_receipt_check(o, err, sizeof(err)) < 0) {
		gh_err("%s:%lu: %s", name, line, err);
		return -1;
	}
	if (batch_begin(b) < 0)
		return -1;
	st = store_receipt(b->s, o, &id, sha, err, sizeof(err));
	if (st < 0) {
		gh_err("%s:%lu: %s", name, line, err);
		return -1;
	}
	if (b->verbose &&
	    (gh_buf_adds(&b->out, "{\"execution_id\":") < 0 ||
	     gh_buf_json_str(&b->out, id, strlen(id)) < 0 ||
	     gh_buf_printf(&b->out, ",\"sha256\":\"%s\",\"status\":\"%s\"}\n",
			   sha, status_name[st]) < 0)) {
		gh_err("%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

static int batch_commit(struct batch *b)
{
	char err[1024];

	if (b->in_txn && archive_exec(b->db, "COMMIT", err, sizeof(err)) < 0) {
		gh_err("%s: %s", b->dbpath, err);
		return -1;
	}
	b->in_txn = 0;
	return 0;
}

/* After a failed batch: a database this run created holds no receipt
 * (its transaction is rolled back), so it goes, as if never made, unless
 * another writer stored one meanwhile. */
static void batch_unmake(struct batch *b)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	char name[4096];
	sqlite3_stmt *st = NULL;
	int n = -1;
	size_t i;

	if (!b->db || !b->created)
		return;
	if (b->in_txn)
		sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
	b->in_txn = 0;
	if (sqlite3_exec(b->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(b->db, "SELECT count(*) FROM receipts", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n == 0) {
		unlink(b->dbpath);
		for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
			if ((size_t)snprintf(name, sizeof(name), "%s%s", b->dbpath,
					     sfx[i]) < sizeof(name))
				unlink(name);
	}
	sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
}

static void batch_release(struct batch *b)
{
	if (b->in_txn)
		sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
	store_free(b->s);
	archive_close(b->db);
	gh_buf_release(&b->out);
}

/* Store every receipt of one input. The input is read whole first: its
 * text is checked for what a parsed object cannot show (duplicate member
 * names, lone surrogates, integers beyond 64 bits), which would otherwise
 * be stored as something other than what was given. Returns 0 or -1
 * (message printed). */
static int archive_input(struct batch *b, const char *path)
{
	const char *name = gh_input_name(path);
	struct gh_jreader *r = NULL;
	struct json_object *o;
	unsigned long n = 0, line;
	char err[1024], *text = NULL;
	FILE *f, *mem = NULL;
	size_t len = 0;
	int rc;

	f = gh_open_input(path);
	if (!f) {
		gh_err("%s: %s", name, strerror(errno));
		return -1;
	}
	rc = gh_read_input(f, name, GH_INPUT_MAX, 1, &text, &len, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc < 0) {
		gh_err("%s", err);
		return -1;
	}
	if (len == 0)
		goto done;
	mem = fmemopen(text, len, "r");
	r = mem ? gh_jreader_new(mem, name, GH_JR_SEQ) : NULL;
	if (!r) {
		gh_err("%s: %s", name, strerror(errno ? errno : ENOMEM));
		rc = -1;
		goto out;
	}
	while ((rc = gh_jreader_next(r, &o)) == 1) {
		n++;
		rc = batch_store(b, o, name, gh_jreader_line(r));
		json_object_put(o);
		if (rc < 0)
			goto out;
	}
	if (rc < 0) {
		gh_err("%s", gh_jreader_error(r));
		goto out;
	}
	rc = gh_jcs_check_text(text, len, &line, err, sizeof(err));
	if (rc == -EINVAL) {
		gh_err("%s:%lu: %s", name, line, err);
		goto out;
	} else if (rc < 0) {
		gh_err("%s: %s", name, strerror(-rc));
		goto out;
	}
done:
	if (n == 0) {
		gh_err("%s: no receipt in input", name);
		rc = -1;
	}
out:
	gh_jreader_free(r);
	if (mem)
		fclose(mem);
	free(text);
	return rc < 0 ? -1 : 0;
}

static int do_archive(const char *dbpath, char **inputs, int ninputs,
		      int replace, int verbose)
{
	struct batch b = { .dbpath = dbpath, .replace = replace,
			   .verbose = verbose, .out = GH_BUF_INIT };
	struct gh_buf out;
	int i;

	if (ninputs == 0 && archive_input(&b, NULL) < 0)
		goto fail;
	for (i = 0; i < ninputs; i++)
		if (archive_input(&b, inputs[i]) < 0)
			goto fail;
	if (batch_commit(&b) < 0)
		goto fail;
	out = b.out;
	b.out = (struct gh_buf)GH_BUF_INIT;
	batch_release(&b);
	return finish(&out);
fail:
	batch_unmake(&b);
	batch_release(&b);
	return GH_EXIT_ERR;
}

static int do_export(const char *dbpath, const char *id, int pretty)
{
	struct gh_buf out = GH_BUF_INIT;
	struct json_object *o = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	char err[1024];
	int rc, status = GH_EXIT_ERR;

	if (archive_open(dbpath, ARCHIVE_READ, &db, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		return GH_EXIT_ERR;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT canonical FROM receipts"
			       " WHERE execution_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		gh_buf_json_str(&out, id, strlen(id));
		gh_err("%s: no receipt with execution_id %s", dbpath,
		       out.p ? out.p : "");
		status = GH_EXIT_NO;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto dberr;
	if (pretty) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		size_t len = sqlite3_column_bytes(st, 0);

		if (gh_json_parse(text, len, &o, err, sizeof(err)) < 0) {
			gh_err("%s: stored receipt: %s", dbpath, err);
			goto out;
		}
		if (gh_json_to_buf(&out, o, GH_JW_PRETTY) < 0)
			goto nomem;
	} else if (gh_buf_add(&out, sqlite3_column_blob(st, 0),
			      sqlite3_column_bytes(st, 0)) < 0) {
		goto nomem;
	}
	if ((out.len == 0 || out.p[out.len - 1] != '\n') &&
	    gh_buf_addc(&out, '\n') < 0)
		goto nomem;
	sqlite3_finalize(st);
	archive_close(db);
	json_object_put(o);
	return finish(&out);
nomem:
	gh_err("%s", strerror(ENOMEM));
	goto out;
dberr:
	gh_err("%s: %s", dbpath, sqlite3_errmsg(db));
out:
	gh_buf_release(&out);
	json_object_put(o);
	sqlite3_finalize(st);
	archive_close(db);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "export", required_argument, NULL, 'e' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *export_id = NULL;
	int c, replace = 0, verbose = 0, pretty = 0;

	gh_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rve:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			replace = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'e':
			export_id = optarg;
			break;
		case 'p':
			pretty = 1;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		case 'V':
			gh_print_version();
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		case ':':
			usage_error("%s: missing argument", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("-%c: unknown option", optopt);
			usage_error("%s: unknown option", argv[optind - 1]);
		}
	}
	if (export_id) {
		if (replace || verbose)
			usage_error("can't combine --export with --replace or --verbose");
		if (argc - optind != 1)
			usage_error("--export takes exactly one database");
		return do_export(argv[optind], export_id, pretty);
	}
	if (pretty)
		usage_error("--pretty goes with --export");
	if (optind >= argc)
		usage_error("missing database");
	return do_archive(argv[optind], argv + optind + 1, argc - optind - 1,
			  replace, verbose);
}
