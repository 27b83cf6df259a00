/* gh-redact: mask paths, secrets and the home directory in receipts. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "input.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"
#include "redact.h"
#include "sensitive.h"

#define KEY_MAX 65536

static struct redactor red = { .secrets = 1 };

#define SYNOPSIS "[-m GLOB]... [--sensitive] [--home] [--hash-key FILE] " \
	"[--no-default-secrets] [FILE]"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gh-redact " SYNOPSIS "\n"
		"Mask paths, secrets and the home directory in a receipt.\n"
		"\n"
		"  -m, --mask GLOB         mask paths matching GLOB ('*' within a\n"
		"                          component, '**' across components),\n"
		"                          wherever they stand\n"
		"      --sensitive         mask the paths of secrets glasshouse knows\n"
		"                          (keys, credentials, histories, /etc/shadow...)\n"
		"      --home              rewrite the home directory prefix to '~'\n"
		"      --hash-key FILE     mask as [HMAC:...] keyed by FILE's bytes, so\n"
		"                          equal values stay equal\n"
		"      --no-default-secrets\n"
		"                          do not mask passwords, tokens and keys\n"
		"                          (the default:* rules)\n"
		"  -h, --help              show this help\n"
		"      --version           show the version\n");
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", gh_prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fprintf(stderr, "usage: gh-redact " SYNOPSIS "\n");
	exit(GH_EXIT_ERR);
}

int mask_text(const struct redactor *r, const char *s, size_t n,
	      struct gh_buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	size_t mdlen = 0;

	if (!r->key)
		return gh_buf_adds(out, REDACTED);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, r->key, r->keylen,
		       (const unsigned char *)s, n, md, sizeof(md), &mdlen) ||
	    mdlen < HMAC_HEX / 2)
		return -EIO;
	gh_hex(md, HMAC_HEX / 2, hex);
	return gh_buf_printf(out, "[HMAC:%s]", hex);
}

/* The key is the file's bytes, exactly (a trailing newline is part of it). */
static unsigned char *load_key(const char *path, size_t *len)
{
	FILE *f = gh_open_regular(path);
	unsigned char *key;
	size_t n;

	if (!f)
		gh_die(GH_EXIT_ERR, "--hash-key: %s: %s", path,
		       errno == EINVAL ? "not a regular file" : strerror(errno));
	key = OPENSSL_secure_malloc(KEY_MAX + 1);
	if (!key)
		key = malloc(KEY_MAX + 1);
	if (!key)
		gh_die(GH_EXIT_ERR, "--hash-key: %s: %s", path, strerror(ENOMEM));
	n = fread(key, 1, KEY_MAX + 1, f);
	if (ferror(f))
		gh_die(GH_EXIT_ERR, "--hash-key: %s: %s", path, strerror(errno));
	fclose(f);
	if (n == 0)
		gh_die(GH_EXIT_ERR, "--hash-key: %s: empty key", path);
	if (n > KEY_MAX)
		gh_die(GH_EXIT_ERR, "--hash-key: %s: key longer than %d bytes",
		       path, KEY_MAX);
	*len = n;
	return key;
}

static void wipe_key(void)
{
	if (red.key) {
		OPENSSL_cleanse((void *)red.key, KEY_MAX + 1);
		if (CRYPTO_secure_allocated(red.key))
			OPENSSL_secure_free((void *)red.key);
		else
			free((void *)red.key);
		red.key = NULL;
	}
}

/* Mask what pattern matches, under the rule named opt + " " + pattern. */
static int add_glob_rule(const char *pattern, const char *opt)
{
	struct gh_glob *g;
	char *rule;
	size_t i;
	int ret;

	for (i = 0; i < red.nglobs; i++)
		if (!strcmp(gh_glob_pattern(red.globs[i]), pattern))
			return 0;
	ret = gh_glob_compile(pattern, &g);
	if (ret == -EINVAL)
		usage_error("-m '%s': malformed pattern", pattern);
	if (ret < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(-ret));
	red.globs = realloc(red.globs, (red.nglobs + 1) * sizeof(*red.globs));
	red.glob_rules = realloc(red.glob_rules,
				 (red.nglobs + 1) * sizeof(*red.glob_rules));
	if (!red.globs || !red.glob_rules ||
	    asprintf(&rule, "%s %s", opt, pattern) < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	red.globs[red.nglobs] = g;
	red.glob_rules[red.nglobs++] = rule;
	return 0;
}

static int add_glob(const char *pattern)
{
	return add_glob_rule(pattern, "-m");
}

/* --sensitive: the list of lib/sensitive, the one gh-show reports from */
static void add_sensitive(void)
{
	struct gh_sensitive *s;
	const char *g;

	if (gh_sensitive_new(&s) < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	for (size_t i = 0; gh_sensitive_glob(s, i, &g); i++)
		add_glob_rule(g, "--sensitive");
	gh_sensitive_free(s);
}

static int same_json(struct json_object *o, const struct gh_buf *before)
{
	struct gh_buf now = GH_BUF_INIT;
	int same;

	if (gh_json_to_buf(&now, o, 0) < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	same = now.len == before->len && !memcmp(now.p, before->p, now.len);
	gh_buf_release(&now);
	return same;
}

/* Redact one receipt (read and checked by lib/receipt; edited as a json-c
 * tree) and append it to out. */
static void redact_one(struct gh_receipt *rr, const char *name,
		       unsigned long line, struct gh_buf *out)
{
	struct gh_buf before = GH_BUF_INIT;
	struct json_object *o, *sig = NULL;
	char err[512];
	int dropped;

	if (gh_jv_to_json(rr->root, &o) < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	/* The signature covers the receipt without it: keep it only when
	 * nothing changes. */
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "signature", &sig)) {
		json_object_get(sig);
		json_object_object_del(o, "signature");
		if (gh_json_to_buf(&before, o, 0) < 0)
			gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	}
	dropped = redact_receipt(&red, rr, o, err, sizeof(err));
	if (dropped == -2)
		gh_die(GH_EXIT_ERR, "%s", err);
	if (dropped < 0)
		gh_die(GH_EXIT_ERR, "%s:%lu: %s", name, line, err);
	if (dropped)
		gh_err("%s:%lu: dropped %d \"redactions\" entries that are not "
		       "{\"rule\", \"count\"}", name, line, dropped);
	if (sig) {
		if (same_json(o, &before))
			json_object_object_add(o, "signature", sig);
		else {
			gh_err("%s:%lu: removed the signature, which redaction "
			       "invalidates (sign the redacted receipt again)",
			       name, line);
			json_object_put(sig);
		}
	}
	gh_buf_release(&before);
	if (gh_json_to_buf(out, o, GH_JW_PRETTY) < 0 || gh_buf_addc(out, '\n') < 0)
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	enum { O_HOME = 256, O_HASH_KEY, O_NO_SECRETS, O_VERSION, O_SENSITIVE };
	static const struct option opts[] = {
		{ "mask", required_argument, NULL, 'm' },
		{ "home", no_argument, NULL, O_HOME },
		{ "sensitive", no_argument, NULL, O_SENSITIVE },
		{ "hash-key", required_argument, NULL, O_HASH_KEY },
		{ "no-default-secrets", no_argument, NULL, O_NO_SECRETS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct gh_buf out = GH_BUF_INIT;
	struct gh_receipt rr;
	struct gh_jdoc *doc;
	const char *path = NULL, *name, *key_path = NULL;
	char err[512], msg[160], *text;
	FILE *in;
	int c, ret, n = 0;
	size_t i, len;

	gh_init("gh-redact");
	opterr = 0;
	/* parse options */
	while ((c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			add_glob(optarg);
			break;
		case O_HOME:
			red.home_rewrite = 1;
			break;
		case O_SENSITIVE:
			add_sensitive();
			break;
		case O_HASH_KEY:
			key_path = optarg;
			break;
		case O_NO_SECRETS:
			red.secrets = 0;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case O_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			usage_error("%s", gh_option_error(c, argv, opts, msg, sizeof(msg)));
		}
	}
	if (argc - optind > 1)
		usage_error("too many arguments: '%s'", argv[optind + 1]);
	if (optind < argc)
		path = argv[optind];
	if (key_path)
		red.key = load_key(key_path, &red.keylen);

	/* read, redact, buffer: nothing is written unless all went well */
	name = gh_input_name(path);
	in = gh_open_input(path);
	if (!in)
		gh_die(GH_EXIT_ERR, "%s: %s", name, strerror(errno));
	/* the whole input, bounded, binary refused at once (lib/input);
	 * receipts one after another, each checked (lib/receipt) */
	if (gh_read_input(in, name, GH_INPUT_MAX, 1, &text, &len, err, sizeof(err)) < 0)
		gh_die(GH_EXIT_ERR, "%s", err);
	if (in != stdin)
		fclose(in);
	if (!(doc = gh_jdoc_new(text, len)))
		gh_die(GH_EXIT_ERR, "%s", strerror(ENOMEM));
	while ((ret = gh_receipt_read(&rr, doc, name)) == 1) {
		redact_one(&rr, name, gh_jdoc_line(doc), &out);
		gh_receipt_release(&rr);
		n++;
	}
	if (ret < 0)
		gh_die(GH_EXIT_ERR, "%s", ret == -ENOMEM ? strerror(ENOMEM) : rr.err);
	if (n == 0)
		gh_die(GH_EXIT_ERR, "%s: no receipt in input", name);
	gh_receipt_release(&rr);
	gh_jdoc_free(doc);
	wipe_key();

	/* write */
	ret = fwrite(out.p, 1, out.len, stdout) == out.len;
	gh_buf_release(&out);
	redactor_reset(&red);
	for (i = 0; i < red.nglobs; i++) {
		gh_glob_free(red.globs[i]);
		free(red.glob_rules[i]);
	}
	free(red.globs);
	free(red.glob_rules);
	if (!ret) {
		gh_close_stdout();
		return GH_EXIT_ERR;
	}
	return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
}
