/* gh-sign: hash the captured outputs of a receipt, sign it, verify it. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest.h"
#include "cli.h"
#include "crypto.h"
#include "dsse.h"
#include "gh.h"
#include "input.h"
#include "jcs.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"
#include "term.h"

enum { OPT_CANONICAL = 256, OPT_ATTEST, OPT_SUBJECT, OPT_STDOUT, OPT_STDERR,
       OPT_VERSION };

#define SUBJECTS_MAX 256

struct opts {
	int verb;		/* 'G', 'S', 'H', 'V', OPT_ATTEST, OPT_CANONICAL or 0 */
	const char *secret;	/* -s */
	const char *public;	/* -p */
	const char *out[2];	/* --stdout, --stderr */
	int quiet;		/* -q */
	const char *input;	/* FILE operand, NULL for stdin */
	const char *subject[SUBJECTS_MAX]; /* --subject */
	size_t nsubjects;
};

static const char *const stream_name[2] = { "stdout", "stderr" };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %1$s -G -s SECRET.pem -p PUBLIC.pem\n"
		"       %1$s -S -s SECRET.pem [--stdout FILE] [--stderr FILE] [RECEIPT]\n"
		"       %1$s -H [--stdout FILE] [--stderr FILE] [RECEIPT]\n"
		"       %1$s --attest -s SECRET.pem [--subject FILE]... [--stdout FILE] [--stderr FILE] [RECEIPT]\n"
		"       %1$s -V [-q] -p PUBLIC.pem [--stdout FILE] [--stderr FILE] [RECEIPT|ENVELOPE]\n"
		"       %1$s --canonical [RECEIPT]\n",
		gh_prog);
}

static void help(void)
{
	usage(stdout);
	fputs("\n"
	      "Make a receipt tamper-evident: hash the stdout and stderr files it\n"
	      "names (SHA-256) and sign its RFC 8785 canonical form (Ed25519).\n"
	      "\n"
	      "  -G, --generate       create a key pair (SECRET.pem mode 0600)\n"
	      "  -S, --sign           hash the captured outputs and sign\n"
	      "  -H, --hash           hash the captured outputs only\n"
	      "      --attest         write a signed in-toto attestation (DSSE envelope)\n"
	      "  -V, --verify         check the signature and the captured outputs, or\n"
	      "                       an envelope and its subjects\n"
	      "      --canonical      print the bytes that are signed\n"
	      "  -s, --secret FILE    secret key (PEM)\n"
	      "  -p, --public FILE    public key (PEM)\n"
	      "      --stdout FILE    the command's captured stdout is FILE\n"
	      "      --stderr FILE    the command's captured stderr is FILE\n"
	      "      --subject FILE   --attest: a subject of the statement (repeatable)\n"
	      "  -q, --quiet          -V: print nothing on success\n"
	      "  -h, --help           show this help and exit\n"
	      "      --version        show the version and exit\n"
	      "\n"
	      "Exit status: 0 success (-V: valid), 1 -V: invalid, 2 error.\n",
	      stdout);
}

static const char *verb_flag(int verb)
{
	switch (verb) {
	case 'G': return "-G";
	case 'S': return "-S";
	case 'H': return "-H";
	case 'V': return "-V";
	case OPT_ATTEST: return "--attest";
	default: return "--canonical";
	}
}

__attribute__((format(printf, 1, 2), noreturn)) static void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", gh_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(GH_EXIT_ERR);
}

static void set_verb(struct opts *o, int verb)
{
	if (o->verb && o->verb != verb)
		bad_usage("can't combine %s and %s", verb_flag(o->verb),
			  verb_flag(verb));
	o->verb = verb;
}

/* Reject what the chosen verb cannot use, right after option parsing. */
static void check_combinations(struct opts *o, int nargs)
{
	const char *v = verb_flag(o->verb);
	int wants_secret = o->verb == 'G' || o->verb == 'S' || o->verb == OPT_ATTEST;
	int wants_public = o->verb == 'G' || o->verb == 'V';

	if (!o->verb)
		bad_usage("no mode given: use -G, -S, -H, -V, --attest or --canonical");
	if (o->secret && !wants_secret)
		bad_usage("can't combine %s and -s", v);
	if (o->public && !wants_public)
		bad_usage("can't combine %s and -p", v);
	if (o->quiet && o->verb != 'V')
		bad_usage("can't combine %s and -q", v);
	if (o->out[0] && (o->verb == 'G' || o->verb == OPT_CANONICAL))
		bad_usage("can't combine %s and --stdout", v);
	if (o->out[1] && (o->verb == 'G' || o->verb == OPT_CANONICAL))
		bad_usage("can't combine %s and --stderr", v);
	if (o->nsubjects && o->verb != OPT_ATTEST)
		bad_usage("can't combine %s and --subject", v);
	if (wants_secret && !o->secret)
		bad_usage("%s needs -s SECRET.pem", v);
	if (wants_public && !o->public)
		bad_usage("%s needs -p PUBLIC.pem", v);
	if (o->verb == 'G' && nargs > 0)
		bad_usage("-G takes no file operand");
	if (nargs > 1)
		bad_usage("too many arguments: one receipt at a time");
	if (o->verb == 'G' && strcmp(o->secret, o->public) == 0)
		bad_usage("-s and -p name the same file");
}

/* ---- keys ------------------------------------------------------------- */

static int generate(const struct opts *o)
{
	const char *paths[2] = { o->secret, o->public };
	struct gh_key *k = NULL;
	struct stat st;
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (lstat(paths[i], &st) == 0) {
			gh_err("%s: %s, refusing to %s it", paths[i],
			       S_ISLNK(st.st_mode) ? "is a symbolic link" : "file exists",
			       S_ISLNK(st.st_mode) ? "follow" : "overwrite");
			return GH_EXIT_ERR;
		}
	}
	ret = gh_key_generate(&k);
	if (ret < 0) {
		gh_err("cannot generate a key: %s", strerror(-ret));
		return GH_EXIT_ERR;
	}
	ret = gh_key_save_secret(k, o->secret);
	if (ret < 0) {
		gh_err("%s: %s", o->secret, strerror(-ret));
		gh_key_free(k);
		return GH_EXIT_ERR;
	}
	ret = gh_key_save_public(k, o->public);
	gh_key_free(k);
	if (ret < 0) {
		gh_err("%s: %s", o->public, strerror(-ret));
		unlink(o->secret); /* created above, by us */
		return GH_EXIT_ERR;
	}
	return GH_EXIT_OK;
}

static struct gh_key *load_secret(const char *path)
{
	struct gh_key *k = NULL;
	mode_t mode = 0;
	int ret;

	ret = gh_key_load_secret(path, &k, &mode);
	if (ret == -EINVAL) {
		gh_err("%s: not an Ed25519 secret key in PEM form", path);
		return NULL;
	}
	if (ret < 0) {
		gh_err("%s: %s", path, ret == -ESPIPE ? "not a regular file" : strerror(-ret));
		return NULL;
	}
	if (mode & 077) {
		gh_err("%s: secret key is accessible by group or others (mode %04o), "
		       "refusing to use it: chmod 600 %s",
		       path, (unsigned)mode, path);
		gh_key_free(k);
		return NULL;
	}
	return k;
}

static struct gh_key *load_public(const char *path)
{
	struct gh_key *k = NULL;
	int ret;

	ret = gh_key_load_public(path, &k);
	if (ret == -EINVAL) {
		gh_err("%s: not an Ed25519 public key in PEM form", path);
		return NULL;
	}
	if (ret < 0) {
		gh_err("%s: %s", path, ret == -ESPIPE ? "not a regular file" : strerror(-ret));
		return NULL;
	}
	return k;
}

/* ---- receipts --------------------------------------------------------- */

/* What an input must be. */
enum want { WANT_ANY, WANT_RECEIPT, WANT_RECEIPT_OR_ENVELOPE };

/* One input: the json-c tree that is canonicalized and written, and for a
 * receipt lib/receipt's view of the same value, which reads it. */
struct input {
	struct json_object *o;	/* NULL for a JSON null */
	struct gh_receipt r;	/* with receipt set; owns the parsed document */
	int receipt;
};

static void input_release(struct input *in)
{
	json_object_put(in->o);
	in->o = NULL;
	if (in->receipt)
		gh_receipt_release(&in->r);
	in->receipt = 0;
}

/* Parse text (lib/jv: strict, I-JSON) as exactly one JSON value of the
 * kind want asks for: a receipt is what lib/receipt accepts (an event
 * stream is told to run gh-aggregate first). 0, or -1 after a message. */
static int parse_input(const char *text, size_t len, const char *name, enum want want,
		       struct input *in)
{
	const char *what = want == WANT_ANY ? "a JSON value" : "a receipt";
	struct gh_jdoc *doc = NULL;
	const struct gh_jv *root;
	char err[256], where[1024], *copy;
	unsigned long line;
	int rc;

	memset(in, 0, sizeof(*in));
	if (len == 0) {
		gh_err("%s: empty input, expected %s", name, what);
		return -1;
	}
	/* the document takes a copy over; text stays for gh_jcs_check_text */
	copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, text, len);
		copy[len] = '\0';
	}
	if (!copy || !(doc = gh_jdoc_new(copy, len))) {
		gh_err("%s: %s", name, strerror(ENOMEM));
		return -1;
	}
	rc = gh_jdoc_next(doc, &root, err, sizeof(err));
	if (rc <= 0) {
		if (rc < 0) {
			gh_json_locate(where, sizeof(where), name, 1, err);
			gh_err("%s", where);
		} else {
			gh_err("%s: empty input, expected %s", name, what);
		}
		goto fail;
	}
	line = gh_jdoc_line(doc);
	if (gh_jv_to_json(root, &in->o) < 0) {
		gh_err("%s: %s", name, strerror(ENOMEM));
		goto fail;
	}
	if (want == WANT_RECEIPT ||
	    (want == WANT_RECEIPT_OR_ENVELOPE && !gh_dsse_is_envelope(in->o))) {
		snprintf(where, sizeof(where), "%s:%lu", name, line);
		rc = gh_receipt_init(&in->r, root, where);
		in->receipt = 1;
		if (rc < 0) {
			gh_err("%s", rc == -EINVAL ? in->r.err : strerror(-rc));
			goto fail;
		}
	}
	rc = gh_jdoc_more(doc, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0) {
			gh_json_locate(where, sizeof(where), name, 1, err);
			gh_err("%s", where);
		} else {
			gh_err("%s:%lu: more than one JSON value, expected one %s", name,
			       gh_jdoc_line(doc), want == WANT_ANY ? "JSON value" : "receipt");
		}
		goto fail;
	}
	if (want != WANT_ANY && !json_object_is_type(in->o, json_type_object)) {
		gh_err("%s:%lu: not a JSON object, expected a receipt", name, line);
		goto fail;
	}
	/* What a parsed value cannot show: duplicate names, lone surrogates. */
	if (gh_jcs_check_text(text, len, &line, err, sizeof(err)) < 0) {
		gh_err("%s:%lu: %s", name, line, err);
		goto fail;
	}
	if (in->receipt)
		in->r.doc = doc; /* the receipt's nodes live in it */
	else
		gh_jdoc_free(doc);
	return 0;
fail:
	input_release(in);
	gh_jdoc_free(doc);
	return -1;
}

/* Read one input from path (NULL or "-": stdin) into in. 0, or -1 after
 * a message. */
static int read_input(const char *path, enum want want, struct input *in)
{
	const char *name = gh_input_name(path);
	FILE *f = gh_open_input(path);
	char *text = NULL, err[512];
	size_t len = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	if (!f) {
		gh_err("%s: %s", name, strerror(errno));
		return -1;
	}
	rc = gh_read_input(f, name, GH_INPUT_MAX, 1, &text, &len, err, sizeof(err));
	if (rc < 0)
		gh_err("%s", err);
	else
		rc = parse_input(text, len, name, want, in);
	free(text);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The canonical bytes of the receipt without its top-level "signature",
 * with every integer exact (GH_JCS_EXACT). */
static int refuted(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* With verifying set, an integer beyond 2^53 is a failed verification
 * (refuted), not an input error. */
static int canonical(struct json_object *r, const char *name, struct gh_buf *b,
		     int verifying)
{
	struct json_object *sig = NULL;
	char err[256];
	int had, ret;

	had = json_object_object_get_ex(r, "signature", &sig);
	if (had) {
		json_object_get(sig);
		json_object_object_del(r, "signature");
	}
	ret = gh_jcs_write_flags(b, r, GH_JCS_EXACT, err, sizeof(err));
	if (had)
		json_object_object_add(r, "signature", sig);
	if (ret == -ERANGE && verifying)
		refuted(name, "cannot canonicalize: %s", err);
	else if (ret == -EINVAL || ret == -ERANGE)
		gh_err("%s: cannot canonicalize: %s", name, err);
	else if (ret < 0)
		gh_err("%s: %s", name, strerror(-ret));
	return ret;
}

static int write_receipt(struct json_object *r)
{
	struct gh_buf b = GH_BUF_INIT;
	int ret = gh_json_to_buf(&b, r, GH_JW_PRETTY);

	if (ret == 0)
		ret = gh_buf_addc(&b, '\n');
	if (ret < 0) {
		gh_err("%s", strerror(-ret));
	} else {
		fwrite(b.p, 1, b.len, stdout);
	}
	gh_buf_release(&b);
	return ret;
}

/* artifacts, created when the receipt has none. NULL after a message when
 * it is there but not an object. */
static struct json_object *artifacts(struct json_object *r, const char *name)
{
	struct json_object *a = NULL;

	if (json_object_object_get_ex(r, "artifacts", &a) && a) {
		if (!json_object_is_type(a, json_type_object)) {
			gh_err("%s: artifacts is not an object", name);
			return NULL;
		}
		return a;
	}
	a = json_object_new_object();
	json_object_object_add(r, "artifacts", a);
	return a;
}

/* Where stream i was captured: the --stdout/--stderr override, else
 * artifacts.<stream>.path; *bytes = artifacts.<stream>.bytes or -1. */
static const char *captured(struct gh_receipt *r, const struct opts *o, int i,
			    int64_t *bytes)
{
	const char *path = NULL;
	char key[32];

	snprintf(key, sizeof(key), "artifacts.%s.path", stream_name[i]);
	if (gh_receipt_str(r, key, &path, NULL) <= 0)
		path = NULL;
	snprintf(key, sizeof(key), "artifacts.%s.bytes", stream_name[i]);
	if (gh_receipt_int(r, key, bytes) <= 0)
		*bytes = -1;
	return o->out[i] ? o->out[i] : path;
}

/* Why gh_sha256_regular failed, for a message. */
static const char *hash_error(int ret)
{
	if (ret == -ESPIPE || ret == -EISDIR)
		return "not a regular file";
	if (ret == -EBUSY)
		return "its size changed while it was read";
	return strerror(-ret);
}

/* Fill artifacts.stdout_hash and stderr_hash. 0, or -1 after a message. */
static int hash_outputs(struct input *in, const struct opts *o, const char *name)
{
	struct json_object *a = artifacts(in->o, name);
	unsigned char md[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX], key[16];
	const char *path;
	uint64_t size;
	int64_t bytes;
	int i, ret;

	if (!a)
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s_hash", stream_name[i]);
		path = captured(&in->r, o, i, &bytes);
		if (!path) {
			if (!json_object_object_get_ex(a, key, NULL))
				json_object_object_add(a, key, NULL);
			continue;
		}
		ret = gh_sha256_regular(path, md, &size);
		if (ret < 0) {
			gh_err("%s: %s", path, hash_error(ret));
			return -1;
		}
		if (bytes >= 0 && (uint64_t)bytes != size) {
			gh_err("%s: %s has %llu bytes, the receipt says %lld", path,
			       stream_name[i], (unsigned long long)size,
			       (long long)bytes);
			return -1;
		}
		gh_hex(md, sizeof(md), hex);
		json_object_object_add(a, key, json_object_new_string(hex));
	}
	return 0;
}

static int sign_or_hash(const struct opts *o)
{
	const char *name = gh_input_name(o->input);
	struct gh_buf canon = GH_BUF_INIT, b64 = GH_BUF_INIT;
	unsigned char sig[GH_ED25519_SIG_LEN];
	char fp[GH_SHA256_HEX];
	struct input in = { 0 };
	struct json_object *r, *s;
	struct gh_key *k = NULL;
	int status = GH_EXIT_ERR;

	if (o->verb == 'S' && !(k = load_secret(o->secret)))
		goto out;
	if (read_input(o->input, WANT_RECEIPT, &in) < 0 || hash_outputs(&in, o, name) < 0)
		goto out;
	r = in.o;
	if (o->verb == 'H') {
		if (json_object_object_get_ex(r, "signature", NULL)) {
			json_object_object_del(r, "signature");
			gh_err("%s: signature removed: sign again with -S", name);
		}
	} else {
		if (canonical(r, name, &canon, 0) < 0)
			goto out;
		if (gh_key_sign(k, canon.p, canon.len, sig) < 0 ||
		    gh_key_fingerprint(k, fp) < 0 ||
		    gh_base64_encode(&b64, sig, sizeof(sig)) < 0) {
			gh_err("%s: signing failed", o->secret);
			goto out;
		}
		s = json_object_new_object();
		json_object_object_add(s, "alg", json_object_new_string("Ed25519"));
		json_object_object_add(s, "key", json_object_new_string(fp));
		json_object_object_add(s, "sig", json_object_new_string(b64.p));
		json_object_object_add(r, "signature", s);
	}
	if (write_receipt(r) == 0)
		status = GH_EXIT_OK;
out:
	gh_buf_release(&canon);
	gh_buf_release(&b64);
	input_release(&in);
	gh_key_free(k);
	return status;
}

/* ---- attestations ----------------------------------------------------- */

/* Hash one subject file into s. 0, or -1 after a message. */
static int hash_subject(struct subject *s, const char *path)
{
	unsigned char md[GH_SHA256_LEN];
	int ret = gh_sha256_regular(path, md, NULL);

	if (ret < 0) {
		gh_err("%s: %s", path, hash_error(ret));
		return -1;
	}
	gh_hex(md, sizeof(md), s->hex);
	s->name = path;
	s->abs = realpath(path, NULL);
	return 0;
}

/* The subjects: the --subject files, else the captured outputs. The
 * number of them, or -1 after a message. */
static int get_subjects(struct gh_receipt *r, const struct opts *o,
			const char *name, struct subject *s)
{
	const char *path;
	int64_t bytes;
	size_t n = 0, i;

	if (o->nsubjects) {
		for (i = 0; i < o->nsubjects; i++)
			if (hash_subject(&s[n++], o->subject[i]) < 0)
				return -1;
		return (int)n;
	}
	for (i = 0; i < 2; i++) {
		path = captured(r, o, (int)i, &bytes);
		if (path && hash_subject(&s[n++], path) < 0)
			return -1;
	}
	if (n == 0)
		gh_err("%s: nothing to attest: no --subject FILE and no captured "
		       "stdout or stderr", name);
	return n ? (int)n : -1;
}

/* The envelope of a signed payload. */
static struct json_object *envelope(const struct gh_buf *payload,
				    const char *keyid, const unsigned char *sig)
{
	struct gh_buf b64 = GH_BUF_INIT;
	struct json_object *env = json_object_new_object();
	struct json_object *sigs = json_object_new_array();
	struct json_object *one = json_object_new_object();

	gh_base64_encode(&b64, payload->p, payload->len);
	json_object_object_add(env, "payload", json_object_new_string(b64.p ? b64.p : ""));
	json_object_object_add(env, "payloadType", json_object_new_string(GH_DSSE_INTOTO));
	b64.len = 0;
	gh_base64_encode(&b64, sig, GH_ED25519_SIG_LEN);
	json_object_object_add(one, "keyid", json_object_new_string(keyid));
	json_object_object_add(one, "sig", json_object_new_string(b64.p ? b64.p : ""));
	json_object_array_add(sigs, one);
	json_object_object_add(env, "signatures", sigs);
	gh_buf_release(&b64);
	return env;
}

static int attest(const struct opts *o)
{
	const char *name = gh_input_name(o->input);
	struct gh_buf canon = GH_BUF_INIT, payload = GH_BUF_INIT, pae = GH_BUF_INIT;
	struct subject subj[SUBJECTS_MAX];
	unsigned char sig[GH_ED25519_SIG_LEN];
	struct json_object *st = NULL, *env = NULL;
	struct input in = { 0 };
	struct gh_key *k = NULL;
	char id[GH_SHA256_HEX], err[256];
	int status = GH_EXIT_ERR, n = 0, ret;

	memset(subj, 0, sizeof(subj));
	if (!(k = load_secret(o->secret)))
		goto out;
	if (read_input(o->input, WANT_RECEIPT, &in) < 0 || hash_outputs(&in, o, name) < 0 ||
	    canonical(in.o, name, &canon, 0) < 0)
		goto out;
	n = get_subjects(&in.r, o, name, subj);
	if (n < 0)
		goto out;
	st = attest_statement(in.o, &in.r, subj, (size_t)n);
	ret = st ? gh_jcs_write_flags(&payload, st, GH_JCS_EXACT, err, sizeof(err)) : -ENOMEM;
	if (ret == 0)
		ret = gh_dsse_pae(&pae, GH_DSSE_INTOTO, strlen(GH_DSSE_INTOTO),
				  payload.p, payload.len);
	if (ret < 0) {
		gh_err("%s: %s", name, ret == -ENOMEM ? strerror(ENOMEM) : err);
		goto out;
	}
	if (gh_key_sign(k, pae.p, pae.len, sig) < 0 || gh_key_id(k, id) < 0) {
		gh_err("%s: signing failed", o->secret);
		goto out;
	}
	env = envelope(&payload, id, sig);
	if (write_receipt(env) == 0)
		status = GH_EXIT_OK;
out:
	while (n-- > 0)
		free(subj[n].abs);
	gh_buf_release(&canon);
	gh_buf_release(&payload);
	gh_buf_release(&pae);
	json_object_put(env);
	json_object_put(st);
	input_release(&in);
	gh_key_free(k);
	return status;
}

/* ---- verification ----------------------------------------------------- */

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* A negative answer of -V: the reason on stderr, and on stdout, where the
 * "ok" lines go, as "NAME: FAILED: reason". Returns GH_EXIT_NO. */
static int refuted(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s as gh_term_esc writes it, in b (valid until b's next use): strings
 * from a receipt or an envelope (an alg, a payload type, subject names)
 * never reach the terminal raw, and a newline in them cannot make a line
 * of its own, such as a forged "ok". */
static const char *vis(struct gh_buf *b, const char *s)
{
	b->len = 0;
	if (gh_term_esc(b, s, strlen(s), 0) < 0 || !b->p)
		return "";
	return b->p;
}

static int refuted(const char *name, const char *fmt, ...)
{
	struct gh_buf b = GH_BUF_INIT;
	char msg[1024];
	const char *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m = vis(&b, msg);
	gh_err("%s: %s", name, m);
	printf("%s: FAILED: %s\n", name, m);
	gh_buf_release(&b);
	return GH_EXIT_NO;
}

/* Check the signature member. 0 valid, 1 invalid (message said), 2 error. */
static int check_signature(struct input *in, struct gh_key *pub,
			   const struct opts *o, const char *name)
{
	struct gh_buf canon = GH_BUF_INIT;
	unsigned char sig[GH_ED25519_SIG_LEN + 3];
	const char *alg = NULL, *key = NULL, *b64 = NULL;
	const struct gh_jv *s = gh_jv_get(in->r.root, "signature");
	char fp[GH_SHA256_HEX];
	int n, ret;

	if (gh_jv_is(s, GH_JV_NULL)) {
		return refuted(name, "not signed (no signature member)");
	}
	if (!gh_jv_is(s, GH_JV_OBJECT) || !(alg = gh_jv_str(gh_jv_get(s, "alg"), NULL)) ||
	    !(key = gh_jv_str(gh_jv_get(s, "key"), NULL)) ||
	    !(b64 = gh_jv_str(gh_jv_get(s, "sig"), NULL)) || gh_jv_len(s) != 3) {
		return refuted(name, "malformed signature member (want exactly "
			       "alg, key, sig strings)");
	}
	if (strcmp(alg, "Ed25519") != 0) {
		return refuted(name, "unsupported signature algorithm \"%.32s\"", alg);
	}
	if (gh_key_fingerprint(pub, fp) < 0) {
		gh_err("%s: cannot compute the key fingerprint", o->public);
		return GH_EXIT_ERR;
	}
	if (!is_hex64(key)) {
		return refuted(name, "malformed signature key (want 64 lowercase "
			       "hex digits)");
	}
	if (strcmp(key, fp) != 0) {
		return refuted(name, "signed with another key: %s, not %s (%s)",
			       key, o->public, fp);
	}
	n = gh_base64_decode(b64, strlen(b64), sig, sizeof(sig));
	if (n != GH_ED25519_SIG_LEN) {
		return refuted(name, "malformed signature (want 64 bytes in base64)");
	}
	ret = canonical(in->o, name, &canon, 1);
	if (ret < 0) {
		gh_buf_release(&canon);
		/* an integer the signature cannot cover exactly */
		return ret == -ERANGE ? GH_EXIT_NO : GH_EXIT_ERR;
	}
	ret = gh_key_verify(pub, canon.p, canon.len, sig, (size_t)n);
	gh_buf_release(&canon);
	if (ret < 0) {
		gh_err("%s: cannot verify: %s", name, strerror(-ret));
		return GH_EXIT_ERR;
	}
	if (ret == 0) {
		return refuted(name, "signature does not match (receipt modified "
			       "or wrong key)");
	}
	if (!o->quiet)
		printf("%s: signature ok\n", name);
	return GH_EXIT_OK;
}

/* Re-hash the captured outputs that are present. 0, 1 or 2 as above. */
static int check_outputs(struct gh_receipt *r, const struct opts *o,
			 const char *name)
{
	const struct gh_jv *a;
	unsigned char md[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX], key[16], member[32];
	const char *want, *path;
	struct gh_buf v = GH_BUF_INIT;
	int status = GH_EXIT_OK, i, ret;
	int64_t bytes;

	if (gh_receipt_obj(r, "artifacts", &a) <= 0)
		return GH_EXIT_OK;
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s_hash", stream_name[i]);
		snprintf(member, sizeof(member), "artifacts.%s", key);
		path = captured(r, o, i, &bytes);
		if (gh_receipt_str(r, member, &want, NULL) <= 0) {
			if (o->out[i]) {
				status = refuted(name, "no %s to check %s against", key, path);
			}
			continue;
		}
		if (!path)
			continue;
		ret = gh_sha256_regular(path, md, NULL);
		if (ret == -ENOENT && !o->out[i]) {
			gh_err("%s: %s not checked: %s is not present", name,
			       stream_name[i], vis(&v, path));
			continue;
		}
		if (ret < 0) {
			gh_err("%s: %s", vis(&v, path), hash_error(ret));
			gh_buf_release(&v);
			return GH_EXIT_ERR;
		}
		gh_hex(md, sizeof(md), hex);
		if (strcmp(hex, want) != 0) {
			status = refuted(name, "%s hash differs: %s", stream_name[i], path);
		} else if (!o->quiet) {
			printf("%s: %s ok: %s\n", name, stream_name[i], vis(&v, path));
		}
	}
	gh_buf_release(&v);
	return status;
}

/* The statement of a verified envelope: strict JSON, an in-toto Statement
 * v1 with a predicate type and subjects. NULL after a message. */
static struct json_object *read_statement(const struct gh_dsse *d,
					  const char *name)
{
	struct json_object *st = NULL, *subj;
	const char *t;
	unsigned long line;
	char err[256];

	if (d->typelen != strlen(GH_DSSE_INTOTO) ||
	    memcmp(d->type, GH_DSSE_INTOTO, d->typelen) != 0) {
		refuted(name, "payloadType is \"%.64s\", not " GH_DSSE_INTOTO, d->type);
		return NULL;
	}
	if (gh_json_parse((const char *)d->payload, d->len, &st, err, sizeof(err)) < 0 ||
	    gh_jcs_check_text((const char *)d->payload, d->len, &line, err,
			      sizeof(err)) < 0) {
		refuted(name, "payload is not a JSON statement: %s", err);
		json_object_put(st);
		return NULL;
	}
	if (gh_json_get_str(st, "_type", &t) < 0 || strcmp(t, GH_INTOTO_STATEMENT) != 0) {
		refuted(name, "payload is not an in-toto statement (_type is not "
			GH_INTOTO_STATEMENT ")");
	} else if (gh_json_get_str(st, "predicateType", &t) < 0) {
		refuted(name, "statement has no predicateType string");
	} else if (gh_json_get_arr(st, "subject", &subj) < 0 ||
		   json_object_array_length(subj) == 0) {
		refuted(name, "statement has no subject");
	} else {
		return st;
	}
	json_object_put(st);
	return NULL;
}

/* Check each subject whose file is present. 0, 1 or 2 as below. */
static int check_subjects(struct json_object *st, const struct opts *o,
			  const char *name)
{
	struct json_object *subj = NULL, *e, *dg;
	unsigned char md[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX];
	const char *file, *want;
	struct gh_buf v = GH_BUF_INIT;
	int status = GH_EXIT_OK, ret;
	size_t i, n;

	gh_json_get_arr(st, "subject", &subj);
	n = json_object_array_length(subj);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(subj, i);
		if (gh_json_get_str(e, "name", &file) < 0 ||
		    gh_json_get_obj(e, "digest", &dg) < 0) {
			status = refuted(name, "subject %zu has no name or digest", i);
			continue;
		}
		if (gh_json_get_str(dg, "sha256", &want) < 0 || !is_hex64(want)) {
			gh_err("%s: subject %s not checked: no sha256 digest", name, vis(&v, file));
			continue;
		}
		/* names come from the statement: only regular files are read */
		ret = gh_sha256_regular(file, md, NULL);
		if (ret == -ESPIPE || ret == -EISDIR) {
			gh_err("%s: subject %s not checked: not a regular file", name, vis(&v, file));
			continue;
		}
		if (ret == -ENOENT) {
			if (!o->quiet)
				printf("%s: subject %s sha256:%s not present, not checked\n",
				       name, vis(&v, file), want);
			continue;
		}
		if (ret < 0) {
			gh_err("%s: %s", vis(&v, file), hash_error(ret));
			gh_buf_release(&v);
			return GH_EXIT_ERR;
		}
		gh_hex(md, sizeof(md), hex);
		if (strcmp(hex, want) != 0) {
			status = refuted(name, "subject %s: sha256 differs (%s in the statement)",
					 file, want);
		} else if (!o->quiet) {
			printf("%s: subject %s sha256:%s ok\n", name, vis(&v, file), want);
		}
	}
	gh_buf_release(&v);
	return status;
}

/* Verify a DSSE envelope: a signature by pub over PAE(type, payload), then
 * the statement it carries and its subjects. 0 valid, 1 invalid, 2 error. */
static int verify_envelope(struct json_object *env, struct gh_key *pub,
			   const struct opts *o, const char *name)
{
	unsigned char sig[GH_ED25519_SIG_LEN + 3];
	struct gh_buf pae = GH_BUF_INIT;
	struct json_object *st = NULL;
	struct gh_dsse d;
	char id[GH_SHA256_HEX], err[256];
	int status = GH_EXIT_NO, ret, found = 0, good = 0, len;
	const char *pt = "";
	size_t i;

	if (o->out[0] || o->out[1]) {
		gh_err("%s: an envelope's files are its subjects: --stdout and "
		       "--stderr apply to receipts", name);
		return GH_EXIT_ERR;
	}
	ret = gh_dsse_parse(env, &d, err, sizeof(err));
	if (ret < 0) {
		if (ret == -ENOMEM)
			gh_err("%s: %s", name, strerror(ENOMEM));
		else
			refuted(name, "malformed envelope: %s", err);
		return ret == -ENOMEM ? GH_EXIT_ERR : GH_EXIT_NO;
	}
	if (gh_key_id(pub, id) < 0 ||
	    gh_dsse_pae(&pae, d.type, d.typelen, d.payload, d.len) < 0) {
		gh_err("%s: %s", o->public, strerror(ENOMEM));
		status = GH_EXIT_ERR;
		goto out;
	}
	for (i = 0; i < d.nsigs && !good; i++) {
		if (d.sigs[i].keyid[0] && strcmp(d.sigs[i].keyid, id) != 0)
			continue;
		found = 1;
		len = gh_base64_decode(d.sigs[i].sig, strlen(d.sigs[i].sig), sig,
				       sizeof(sig));
		if (len == GH_ED25519_SIG_LEN)
			good = gh_key_verify(pub, pae.p, pae.len, sig, (size_t)len);
		if (good < 0) {
			gh_err("%s: cannot verify: %s", name, strerror(-good));
			status = GH_EXIT_ERR;
			goto out;
		}
	}
	if (!found) {
		refuted(name, "no signature by %s (keyid %s)", o->public, id);
		goto out;
	}
	if (!good) {
		refuted(name, "signature does not match (envelope modified or wrong key)");
		goto out;
	}
	if (!o->quiet)
		printf("%s: signature ok\n", name);
	st = read_statement(&d, name);
	if (!st)
		goto out;
	gh_json_get_str(st, "predicateType", &pt);
	if (!o->quiet) {
		struct gh_buf v = GH_BUF_INIT;

		printf("%s: predicate %s\n", name, vis(&v, pt));
		gh_buf_release(&v);
	}
	status = check_subjects(st, o, name);
out:
	json_object_put(st);
	gh_buf_release(&pae);
	gh_dsse_release(&d);
	return status;
}

static int verify(const struct opts *o)
{
	const char *name = gh_input_name(o->input);
	struct input in;
	struct gh_key *pub;
	int s1, s2;

	pub = load_public(o->public);
	if (!pub)
		return GH_EXIT_ERR;
	if (read_input(o->input, WANT_RECEIPT_OR_ENVELOPE, &in) < 0) {
		gh_key_free(pub);
		return GH_EXIT_ERR;
	}
	if (!in.receipt) {
		s1 = verify_envelope(in.o, pub, o, name);
		s2 = GH_EXIT_OK;
	} else {
		s1 = check_signature(&in, pub, o, name);
		s2 = s1 == GH_EXIT_ERR ? s1 : check_outputs(&in.r, o, name);
	}
	input_release(&in);
	gh_key_free(pub);
	return s1 > s2 ? s1 : s2;
}

/* --canonical: RFC 8785 of any JSON value; an object without its top-level
 * signature member, as -S signs it. */
static int print_canonical(const struct opts *o)
{
	const char *name = gh_input_name(o->input);
	struct gh_buf b = GH_BUF_INIT;
	struct json_object *v, *sig = NULL;
	int status = GH_EXIT_ERR, had = 0, ret;
	struct input in;
	char err[256];

	if (read_input(o->input, WANT_ANY, &in) < 0)
		return GH_EXIT_ERR;
	v = in.o;
	if (json_object_is_type(v, json_type_object))
		had = json_object_object_get_ex(v, "signature", &sig);
	if (had) {
		json_object_get(sig);
		json_object_object_del(v, "signature");
	}
	ret = gh_jcs_write(&b, v, err, sizeof(err));
	if (ret == -EINVAL)
		gh_err("%s: cannot canonicalize: %s", name, err);
	else if (ret < 0)
		gh_err("%s: %s", name, strerror(-ret));
	else {
		fwrite(b.p, 1, b.len, stdout);
		status = GH_EXIT_OK;
	}
	if (had)
		json_object_put(sig);
	gh_buf_release(&b);
	json_object_put(v);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "generate", no_argument, NULL, 'G' },
		{ "sign", no_argument, NULL, 'S' },
		{ "hash", no_argument, NULL, 'H' },
		{ "verify", no_argument, NULL, 'V' },
		{ "canonical", no_argument, NULL, OPT_CANONICAL },
		{ "attest", no_argument, NULL, OPT_ATTEST },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "secret", required_argument, NULL, 's' },
		{ "public", required_argument, NULL, 'p' },
		{ "stdout", required_argument, NULL, OPT_STDOUT },
		{ "stderr", required_argument, NULL, OPT_STDERR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	int c, status;

	gh_init(argv[0]);
	opterr = 0;
	/* Parse options; each mode is a verb, combinations checked below. */
	while ((c = getopt_long(argc, argv, ":GSHVs:p:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'G':
		case 'S':
		case 'H':
		case 'V':
		case OPT_CANONICAL:
		case OPT_ATTEST:
			set_verb(&o, c);
			break;
		case OPT_SUBJECT:
			if (o.nsubjects == SUBJECTS_MAX)
				bad_usage("more than %d --subject files", SUBJECTS_MAX);
			o.subject[o.nsubjects++] = optarg;
			break;
		case 's':
			o.secret = optarg;
			break;
		case 'p':
			o.public = optarg;
			break;
		case OPT_STDOUT:
			o.out[0] = optarg;
			break;
		case OPT_STDERR:
			o.out[1] = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			help();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case OPT_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default: {
			char msg[128];

			bad_usage("%s", gh_option_error(c, argv, longopts, msg, sizeof(msg)));
		}
		}
	}
	check_combinations(&o, argc - optind);
	if (optind < argc)
		o.input = argv[optind];

	switch (o.verb) {
	case 'G':
		status = generate(&o);
		break;
	case 'S':
	case 'H':
		status = sign_or_hash(&o);
		break;
	case 'V':
		status = verify(&o);
		break;
	case OPT_ATTEST:
		status = attest(&o);
		break;
	default:
		status = print_canonical(&o);
	}
	if (gh_close_stdout() < 0)
		status = GH_EXIT_ERR;
	return status;
}
