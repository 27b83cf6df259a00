/* gh-archive: archive receipts into SQLite or PostgreSQL, and export them
 * back. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "crypto.h"
#include "dsse.h"
#include "input.h"
#include "jcs.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"

/* The synopsis, also after a usage error. */
#define SYNOPSIS "[-rv] [--host NAME] DB [RECEIPT...]\n" \
	"       gh-archive --export ID [--pretty] DB\n" \
	"       gh-archive --export-all DB\n" \
	"       gh-archive --init DB"

static void usage(FILE *f)
{
	fprintf(f, "usage: gh-archive " SYNOPSIS "\n"
		"\n"
		"Store receipts (files, or stdin when none or \"-\"; one or many\n"
		"concatenated per input) in DB, created when missing; or write the\n"
		"receipt with execution_id ID, or every receipt, back out. DB is a\n"
		"SQLite file, or a PostgreSQL database: a postgresql:// URI, or\n"
		"--db CONNINFO in its place (any libpq connection string).\n"
		"\n"
		"  -r, --replace      replace a stored receipt whose execution_id\n"
		"                     comes again with other content (else an error)\n"
		"  -v, --verbose      print one JSON line per receipt stored\n"
		"  -e, --export ID    write the receipt ID in canonical form\n"
		"  -p, --pretty       with --export: pretty-printed, as gh-aggregate writes\n"
		"  -a, --export-all   write every receipt in canonical form, in the\n"
		"                     order stored (input for another gh-archive)\n"
		"  -d, --db CONNINFO  the PostgreSQL database to use instead of DB\n"
		"  -H, --host NAME    the machine the receipts come from (receipts.machine;\n"
		"                     default: each receipt's provenance.host)\n"
		"      --init         create or migrate the schema, store nothing\n"
		"  -h, --help         show this help\n"
		"      --version      show the version\n"
		"\n"
		"Exit status: 0 ok, 1 no receipt ID (--export), 2 error.\n");
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
	const char *dbpath, *machine;
	int pg, replace, verbose;
	struct archive *db;
	struct store *s;
	int in_txn;
	int created;	/* this run created the database file */
	dev_t dev;	/* the file opened, to see it was not removed meanwhile */
	ino_t ino;
	struct gh_buf out;
};

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

/* A database file this run created and could not finish making (a full
 * disk, no descriptor left) goes, with its sidecar files, while nothing
 * was ever stored in it: empty, or the first page alone with no table
 * made (SQLite's schema cookie 0, its page count 1) and no write-ahead
 * log holding more. A file another writer has begun to use has its
 * tables there, or in its log. */
static void unmake_empty(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	unsigned char h[100];
	char name[4096];
	struct stat st;
	size_t i;
	int fd, empty;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	empty = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		(st.st_size == 0 ||
		 (st.st_size <= 65536 && read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) &&
		  memcmp(h, "SQLite format 3", 16) == 0 && be32(h + 28) <= 1 &&
		  be32(h + 40) == 0));
	close(fd);
	if ((size_t)snprintf(name, sizeof(name), "%s-wal", path) >= sizeof(name) ||
	    (lstat(name, &st) == 0 && st.st_size > 0))
		empty = 0;
	if (!empty)
		return;
	unlink(path);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, sfx[i]) < sizeof(name))
			unlink(name);
}

static int batch_begin(struct batch *b)
{
	char err[1024];

	if (!b->db) {
		struct stat st;
		int fd;

		/* O_EXCL: of runs starting together, one is the creator */
		if (!b->pg && !archive_is_conninfo(b->dbpath)) {
			fd = open(b->dbpath,
				  O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
			if (fd >= 0) {
				b->created = 1;
				close(fd);
			}
		}
		if (archive_open(b->dbpath, b->pg, ARCHIVE_WRITE, &b->db, err,
				 sizeof(err)) < 0) {
			gh_err("%s", err);
			/* only while still empty: a file another writer has
			 * begun to use may hold its receipts */
			if (b->created)
				unmake_empty(b->dbpath);
			b->created = 0;
			return -1;
		}
		if (!b->pg && !archive_is_conninfo(b->dbpath) &&
		    stat(b->dbpath, &st) == 0) {
			b->dev = st.st_dev;
			b->ino = st.st_ino;
		}
		if (store_new(b->db, b->replace, b->machine, &b->s, err,
			      sizeof(err)) < 0) {
			gh_err("%s: %s", b->db->name, err);
			return -1;
		}
	}
	if (!b->in_txn) {
		struct stat st;

		if (archive_begin(b->db, err, sizeof(err)) < 0) {
			gh_err("%s: %s", b->db->name, err);
			return -1;
		}
		b->in_txn = 1;
		/* a run that created the file and failed removes it (under its
		 * own write lock, which this one now holds after it) */
		if (!b->pg && !archive_is_conninfo(b->dbpath) &&
		    (stat(b->dbpath, &st) < 0 || st.st_dev != b->dev ||
		     st.st_ino != b->ino)) {
			gh_err("%s: removed by another run that created it and failed; "
			       "nothing stored", b->dbpath);
			return -1;
		}
	}
	return 0;
}

/* Store one receipt, root (lib/jv) or, from an envelope, o (json-c). */
static int batch_store(struct batch *b, const struct gh_jv *root,
		       struct json_object *o, const struct store_envelope *env,
		       const char *name, unsigned long line)
{
	char err[1024], sha[65];
	struct gh_receipt r;
	const char *id;
	int st;

	/* a receipt of a version this program knows (v0 included), every
	 * member's type checked: lib/receipt */
	st = root ? gh_receipt_init(&r, root, NULL) : gh_receipt_init_json(&r, o, NULL);
	if (st < 0) {
		gh_err("%s:%lu: %s", name, line, st == -EINVAL ? r.err : strerror(-st));
		gh_receipt_release(&r);
		return -1;
	}
	if (batch_begin(b) < 0) {
		gh_receipt_release(&r);
		return -1;
	}
	st = store_receipt(b->s, &r, env, &id, sha, err, sizeof(err));
	if (st < 0) {
		gh_err("%s:%lu: %s", name, line, err);
		gh_receipt_release(&r);
		return -1;
	}
	/* id is the receipt's: written before r goes */
	if (b->verbose &&
	    (gh_buf_adds(&b->out, "{\"execution_id\":") < 0 ||
	     gh_buf_json_str(&b->out, id, strlen(id)) < 0 ||
	     gh_buf_printf(&b->out, ",\"sha256\":\"%s\",\"status\":\"%s\"}\n",
			   sha, status_name[st]) < 0)) {
		gh_err("%s", strerror(ENOMEM));
		st = -1;
	}
	gh_receipt_release(&r);
	return st < 0 ? -1 : 0;
}

static int batch_commit(struct batch *b)
{
	char err[1024];

	if (b->in_txn && archive_commit(b->db, err, sizeof(err)) < 0) {
		gh_err("%s: %s", b->db->name, err);
		return -1;
	}
	b->in_txn = 0;
	return 0;
}

/* After a failed batch: a database this run created holds no receipt
 * (its transaction is rolled back), so it goes, as if never made, unless
 * another writer stored one meanwhile. The count and the unlink happen
 * under the write lock; a writer waiting for it sees the file gone
 * (batch_begin) and stores nothing rather than into a removed file. */
static void batch_unmake(struct batch *b)
{
	if (!b->db || !b->created)
		return;
	archive_sqlite_unmake(b->db, b->dbpath);
	b->in_txn = 0;
}

static void batch_release(struct batch *b)
{
	if (b->in_txn)
		archive_rollback(b->db);
	store_free(b->s);
	archive_close(b->db);
	gh_buf_release(&b->out);
}

/* The receipt an envelope carries: predicate.glasshouseReceipt of an
 * in-toto statement (gh-sign --attest). A new reference, or NULL after a
 * message. The signature is not checked here (gh-archive has no key):
 * gh-sign -V checks the exported envelope. */
static struct json_object *envelope_receipt(struct json_object *env,
					    const char *name, char *keyid,
					    size_t keyidlen)
{
	struct json_object *st = NULL, *pred, *r = NULL;
	const char *t;
	unsigned long line;
	struct gh_dsse d;
	char err[256];
	int rc;

	rc = gh_dsse_parse(env, &d, err, sizeof(err));
	if (rc < 0) {
		gh_err("%s: malformed envelope: %s", name,
		       rc == -ENOMEM ? strerror(ENOMEM) : err);
		return NULL;
	}
	snprintf(keyid, keyidlen, "%s", d.sigs[0].keyid);
	if (d.typelen != strlen(GH_DSSE_INTOTO) ||
	    memcmp(d.type, GH_DSSE_INTOTO, d.typelen) != 0) {
		gh_err("%s: envelope payloadType is not " GH_DSSE_INTOTO, name);
		goto out;
	}
	if (gh_json_parse((const char *)d.payload, d.len, &st, err, sizeof(err)) < 0 ||
	    gh_jcs_check_text((const char *)d.payload, d.len, &line, err,
			      sizeof(err)) < 0) {
		gh_err("%s: envelope payload: %s", name, err);
		goto out;
	}
	if (gh_json_get_str(st, "_type", &t) < 0 || strcmp(t, GH_INTOTO_STATEMENT) != 0 ||
	    gh_json_get_obj(st, "predicate", &pred) < 0 ||
	    gh_json_get_obj(pred, "glasshouseReceipt", &r) < 0) {
		gh_err("%s: envelope holds no receipt (an in-toto statement with "
		       "predicate.glasshouseReceipt, as gh-sign --attest writes)", name);
		r = NULL;
		goto out;
	}
	json_object_get(r);
out:
	json_object_put(st);
	gh_dsse_release(&d);
	return r;
}

/* Store an envelope, the only value of its input, kept byte for byte. */
static int archive_envelope(struct batch *b, struct json_object *env,
			    const char *text, size_t len, const char *name)
{
	struct store_envelope e = { text, len, NULL };
	char keyid[256];
	struct json_object *r = envelope_receipt(env, name, keyid, sizeof(keyid));
	int rc;

	if (!r)
		return -1;
	e.keyid = keyid;
	rc = batch_store(b, NULL, r, &e, name, 1);
	json_object_put(r);
	return rc;
}

/* Store every receipt of one input. The input is read whole first: its
 * text is checked for what a parsed object cannot show (duplicate member
 * names, lone surrogates, integers beyond 64 bits), which would otherwise
 * be stored as something other than what was given. Returns 0 or -1
 * (message printed). */
static int archive_input(struct batch *b, const char *path)
{
	const char *name = gh_input_name(path);
	struct gh_jdoc *doc = NULL;
	const struct gh_jv *root;
	struct json_object *o;
	unsigned long n = 0, line;
	char err[1024], msg[512], *text = NULL, *copy;
	FILE *f;
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
	/* the receipts are read (lib/jv) from a copy, which the reader
	 * writes to; the text stays as given for the checks below and an
	 * envelope's bytes */
	copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, text, len);
		copy[len] = '\0';
		doc = gh_jdoc_new(copy, len);
	}
	if (!doc) {
		gh_err("%s: %s", name, strerror(ENOMEM));
		rc = -1;
		goto out;
	}
	while ((rc = gh_jdoc_next(doc, &root, msg, sizeof(msg))) == 1) {
		n++;
		/* an envelope: as gh_dsse_is_envelope sees one */
		if (gh_jv_is(root, GH_JV_OBJECT) && gh_jv_get(root, "payloadType")) {
			rc = n == 1 ? gh_jdoc_more(doc, msg, sizeof(msg)) : 1;
			if (rc < 0) {
				gh_json_locate(err, sizeof(err), name, 1, msg);
				gh_err("%s", err);
			} else if (rc > 0) {
				gh_err("%s: an envelope must be alone in its input", name);
				rc = -1;
			} else if ((rc = gh_jcs_check_text(text, len, &line, err,
							   sizeof(err))) < 0) {
				gh_err("%s:%lu: %s", name, line,
				       rc == -EINVAL ? err : strerror(-rc));
			} else if (gh_jv_to_json(root, &o) < 0) {
				gh_err("%s: %s", name, strerror(ENOMEM));
				rc = -1;
			} else {
				rc = archive_envelope(b, o, text, len, name);
				json_object_put(o);
			}
			goto out;
		}
		rc = batch_store(b, root, NULL, NULL, name, gh_jdoc_line(doc));
		if (rc < 0)
			goto out;
	}
	if (rc < 0) {
		gh_json_locate(err, sizeof(err), name, 1, msg);
		gh_err("%s", err);
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
	gh_jdoc_free(doc);
	free(text);
	return rc < 0 ? -1 : 0;
}

static int do_archive(const char *dbpath, int pg, const char *machine,
		      char **inputs, int ninputs, int replace, int verbose)
{
	struct batch b = { .dbpath = dbpath, .pg = pg, .machine = machine,
			   .replace = replace, .verbose = verbose,
			   .out = GH_BUF_INIT };
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
	/* made no further than its first page (its tables could not be) */
	if (b.created && !b.pg && !archive_is_conninfo(dbpath))
		unmake_empty(dbpath);
	return GH_EXIT_ERR;
}

/* The stored bytes must still have the stored SHA-256 (want): a damaged
 * or edited row is an error, never exported. 0 or -1 after a message. */
static int check_stored(const char *dbname, const char *id,
			const struct gh_buf *text, const char *want)
{
	struct gh_buf q = GH_BUF_INIT;
	unsigned char md[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX];

	if (gh_sha256(text->p, text->len, md) < 0) {
		gh_err("%s: %s", dbname, strerror(EIO));
		return -1;
	}
	gh_hex(md, sizeof(md), hex);
	if (strcmp(hex, want) == 0)
		return 0;
	if (gh_buf_json_str(&q, id, strlen(id)) < 0) {
		gh_err("%s", strerror(ENOMEM));
		return -1;
	}
	gh_err("%s: stored receipt %s is damaged: its bytes have SHA-256 %s, "
	       "not the stored %s", dbname, q.p, hex, want[0] ? want : "(null)");
	gh_buf_release(&q);
	return -1;
}

static int do_export(const char *dbpath, int pg, const char *id, int pretty)
{
	struct gh_buf out = GH_BUF_INIT, text = GH_BUF_INIT;
	struct json_object *o = NULL;
	struct archive *db = NULL;
	char err[1024], sha[65];
	int found, sig, status = GH_EXIT_ERR;

	if (archive_open(dbpath, pg, ARCHIVE_READ, &db, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		return GH_EXIT_ERR;
	}
	if (archive_get(db, id, &text, sha, &sig, &found, err,
			sizeof(err)) < 0) {
		gh_err("%s: %s", db->name, err);
		goto out;
	}
	if (!found) {
		gh_buf_json_str(&out, id, strlen(id));
		gh_err("%s: no receipt with execution_id %s", db->name,
		       out.p ? out.p : "");
		status = GH_EXIT_NO;
		goto out;
	}
	out.len = 0;
	if (check_stored(db->name, id, &text, sha) < 0)
		goto out;
	if (sig == 2) {
		/* an envelope: exactly the bytes that were archived */
		if (gh_buf_add(&out, text.p, text.len) < 0)
			goto nomem;
		archive_close(db);
		gh_buf_release(&text);
		return finish(&out);
	}
	if (pretty) {
		if (gh_json_parse(text.p, text.len, &o, err, sizeof(err)) < 0) {
			gh_err("%s: stored receipt: %s", db->name, err);
			goto out;
		}
		if (gh_json_to_buf(&out, o, GH_JW_PRETTY) < 0)
			goto nomem;
	} else if (gh_buf_add(&out, text.p, text.len) < 0) {
		goto nomem;
	}
	if ((out.len == 0 || out.p[out.len - 1] != '\n') &&
	    gh_buf_addc(&out, '\n') < 0)
		goto nomem;
	archive_close(db);
	json_object_put(o);
	gh_buf_release(&text);
	return finish(&out);
nomem:
	gh_err("%s", strerror(ENOMEM));
out:
	gh_buf_release(&out);
	gh_buf_release(&text);
	json_object_put(o);
	archive_close(db);
	return status;
}

/* --export-all writes each receipt as soon as it is read. */
static int write_one(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	if (fwrite(text, 1, len, stdout) != len)
		return -1;
	/* an envelope may end in its own newline */
	if ((len == 0 || text[len - 1] != '\n') && putchar('\n') == EOF)
		return -1;
	return 0;
}

static int do_export_all(const char *dbpath, int pg)
{
	struct archive *db = NULL;
	char err[1024];

	if (archive_open(dbpath, pg, ARCHIVE_READ, &db, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		return GH_EXIT_ERR;
	}
	errno = 0;
	if (archive_each(db, write_one, NULL, err, sizeof(err)) < 0) {
		if (ferror(stdout))
			gh_err("write error: %s", strerror(errno ? errno : EIO));
		else
			gh_err("%s: %s", db->name, err);
		archive_close(db);
		return GH_EXIT_ERR;
	}
	archive_close(db);
	return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
}

static int do_init(const char *dbpath, int pg)
{
	struct archive *db = NULL;
	char err[1024];

	if (archive_open(dbpath, pg, ARCHIVE_WRITE, &db, err, sizeof(err)) < 0) {
		gh_err("%s", err);
		return GH_EXIT_ERR;
	}
	archive_close(db);
	return GH_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "export", required_argument, NULL, 'e' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "export-all", no_argument, NULL, 'a' },
		{ "db", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, 'H' },
		{ "init", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *export_id = NULL, *conninfo = NULL, *machine = NULL;
	const char *target;
	int c, replace = 0, verbose = 0, pretty = 0, all = 0, init = 0, pg;
	int nargs;

	gh_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rve:pad:H:h", longopts, NULL)) != -1) {
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
		case 'a':
			all = 1;
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'H':
			machine = optarg;
			break;
		case 'I':
			init = 1;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		case 'V':
			gh_print_version();
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, c, argv, longopts);
		}
	}
	if (machine && (!*machine || strlen(machine) > 255))
		gh_usage_error(SYNOPSIS, "--host: expected a name of 1 to 255 bytes");
	/* The database: --db, else the first operand. */
	nargs = argc - optind;
	pg = conninfo != NULL;
	target = conninfo ? conninfo : nargs > 0 ? argv[optind] : NULL;
	if (!conninfo && target) {
		optind++;
		nargs--;
	}
	if (export_id || all || init) {
		const char *what = export_id ? "--export"
				   : all     ? "--export-all"
					     : "--init";

		if (!!export_id + all + init > 1)
			gh_usage_error(SYNOPSIS, "--export, --export-all and --init go alone");
		if (replace || verbose)
			gh_usage_error(SYNOPSIS, "can't combine %s with --replace or --verbose",
				       what);
		if (machine)
			gh_usage_error(SYNOPSIS, "can't combine %s with --host", what);
		if (!export_id && pretty)
			gh_usage_error(SYNOPSIS, "--pretty goes with --export");
		if (!target || nargs != 0)
			gh_usage_error(SYNOPSIS, "%s takes exactly one database", what);
		if (export_id)
			return do_export(target, pg, export_id, pretty);
		return all ? do_export_all(target, pg) : do_init(target, pg);
	}
	if (pretty)
		gh_usage_error(SYNOPSIS, "--pretty goes with --export");
	if (!target)
		gh_usage_error(SYNOPSIS, "missing database");
	return do_archive(target, pg, machine, argv + optind, nargs, replace,
			  verbose);
}
