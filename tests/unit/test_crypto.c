/* Unit tests of lib/crypto.c: SHA-256 against NIST CAVP vectors, Ed25519
 * against Wycheproof (verify every case, reproduce every legacy signature
 * from its secret key), PEM files, base64. Data from $GH_SHARED/conformance. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "crypto.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_crypto.XXXXXX";

static const char *shared(void)
{
	const char *s = getenv("GH_SHARED");

	return s && *s ? s : "../shared";
}

static char *path_in(const char *dir, const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into a malloc'ed buffer; returns length or -1. */
static long unhex(const char *s, unsigned char **out)
{
	size_t n = strlen(s), i;
	unsigned char *p;

	if (n % 2)
		return -1;
	p = malloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(p);
			return -1;
		}
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = p;
	return (long)(n / 2);
}

/* One CAVP .rsp file: records "Len = bits", "Msg = hex", "MD = hex". */
static void sha256_rsp(const char *name)
{
	char path[4096], line[131072], *msg = NULL;
	long bits = -1;
	int count = 0, bad = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/conformance/sha256/%s", shared(), name);
	f = fopen(path, "rb");
	if (!ok(f != NULL, "open %s", path))
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strncmp(line, "Len = ", 6) == 0) {
			bits = atol(line + 6);
		} else if (strncmp(line, "Msg = ", 6) == 0) {
			free(msg);
			msg = strdup(line + 6);
		} else if (strncmp(line, "MD = ", 5) == 0 && msg && bits >= 0) {
			unsigned char *m = NULL, md[GH_SHA256_LEN];
			char hex[GH_SHA256_HEX];
			long len = unhex(msg, &m);
			int r;

			/* Len = 0 carries a dummy "00": the empty message. */
			if (len < bits / 8) {
				ok(0, "%s Len=%ld: bad Msg", name, bits);
				free(m);
				continue;
			}
			r = gh_sha256(m, (size_t)(bits / 8), md);
			gh_hex(md, sizeof(md), hex);
			if (!ok(r == 0 && strcmp(hex, line + 5) == 0,
				"%s Len=%ld", name, bits)) {
				diag("got %s", hex);
				bad++;
			}
			free(m);
			count++;
			bits = -1;
		}
	}
	fclose(f);
	free(msg);
	ok(count > 60 && bad == 0, "%s: %d vectors", name, count);
}

static void sha256_files(void)
{
	unsigned char md[GH_SHA256_LEN], md2[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX], *p;
	size_t big = 1000003, i;
	uint64_t bytes = 0;
	int fd, r;

	p = malloc(big);
	for (i = 0; i < big; i++)
		p[i] = (char)(i * 7 + 3);
	fd = open(path_in(tmpdir, "big"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(write(fd, p, big) == (ssize_t)big, "write a 1 MB file");
	close(fd);
	r = gh_sha256_file(path_in(tmpdir, "big"), md, &bytes);
	gh_sha256(p, big, md2);
	ok(r == 0 && bytes == big && memcmp(md, md2, sizeof(md)) == 0,
	   "sha256 of a file equals sha256 of its bytes (%llu bytes)",
	   (unsigned long long)bytes);
	free(p);

	fd = open(path_in(tmpdir, "empty"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	r = gh_sha256_file(path_in(tmpdir, "empty"), md, &bytes);
	gh_hex(md, sizeof(md), hex);
	ok(r == 0 && bytes == 0 &&
		   strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
	   "sha256 of an empty file");
	ok(gh_sha256_file(path_in(tmpdir, "missing"), md, NULL) == -ENOENT,
	   "sha256 of a missing file is -ENOENT");
	ok(gh_sha256_file(tmpdir, md, NULL) == -EISDIR,
	   "sha256 of a directory is -EISDIR");

	/* only regular files, as long as they were when opened */
	r = gh_sha256_regular(path_in(tmpdir, "big"), md2, &bytes);
	ok(r == 0 && bytes == big &&
		   gh_sha256_file(path_in(tmpdir, "big"), md, NULL) == 0 &&
		   memcmp(md, md2, sizeof(md)) == 0,
	   "sha256 of a regular file is that of gh_sha256_file");
	ok(gh_sha256_regular("/dev/zero", md, NULL) == -ESPIPE,
	   "sha256 of /dev/zero is refused with -ESPIPE, not read");
	ok(mkfifo(path_in(tmpdir, "fifo"), 0600) == 0 &&
		   gh_sha256_regular(path_in(tmpdir, "fifo"), md, NULL) == -ESPIPE,
	   "sha256 of a FIFO without writer is refused, not waited on");
	ok(gh_sha256_regular(tmpdir, md, NULL) == -EISDIR,
	   "sha256 of a directory is -EISDIR");
	ok(gh_sha256_regular("/proc/self/status", md, NULL) == -EBUSY,
	   "a file longer than its size says is -EBUSY");
	ok(gh_sha256_regular(path_in(tmpdir, "missing"), md, NULL) == -ENOENT,
	   "sha256 of a missing regular file is -ENOENT");
}

static struct json_object *load_json(const char *name)
{
	char path[4096];
	struct json_object *o;

	snprintf(path, sizeof(path), "%s/conformance/ed25519/%s", shared(), name);
	o = json_object_from_file(path);
	ok(o != NULL, "load %s", path);
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n = strlen(text);
	int r;

	if (fd < 0)
		return -1;
	r = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	return r;
}

/* Every test of a Wycheproof file: verify(pk, msg, sig) == (result ==
 * "valid"); with secret keys (legacy format), sign(sk, msg) == sig for the
 * valid ones and the derived public key equals pk. */
static void ed25519_file(const char *name, int legacy)
{
	struct json_object *root = load_json(name), *groups, *g, *key, *tests, *t;
	size_t i, j;
	int verified = 0, signed_ok = 0, pem_ok = 0, ngroups;

	if (!root)
		return;
	json_object_object_get_ex(root, "testGroups", &groups);
	ngroups = (int)json_object_array_length(groups);
	for (i = 0; i < (size_t)ngroups; i++) {
		unsigned char *pk = NULL, *sk = NULL, raw[GH_ED25519_KEY_LEN];
		struct gh_key *pub = NULL, *sec = NULL, *pem = NULL;
		const char *pem_text;

		g = json_object_array_get_idx(groups, i);
		json_object_object_get_ex(g, legacy ? "key" : "publicKey", &key);
		if (unhex(jstr(key, "pk"), &pk) != GH_ED25519_KEY_LEN ||
		    gh_key_from_public(pk, &pub) < 0) {
			ok(0, "%s group %zu: public key", name, i);
			free(pk);
			continue;
		}
		pem_text = jstr(g, legacy ? "keyPem" : "publicKeyPem");
		if (write_file(path_in(tmpdir, "wp.pem"), pem_text) == 0 &&
		    gh_key_load_public(path_in(tmpdir, "wp.pem"), &pem) == 0 &&
		    gh_key_public(pem, raw) == 0 && memcmp(raw, pk, 32) == 0)
			pem_ok++;
		else
			ok(0, "%s group %zu: PEM public key loads", name, i);
		gh_key_free(pem);
		if (legacy) {
			if (unhex(jstr(key, "sk"), &sk) != GH_ED25519_KEY_LEN ||
			    gh_key_from_secret(sk, &sec) < 0 ||
			    gh_key_public(sec, raw) < 0 || memcmp(raw, pk, 32)) {
				ok(0, "%s group %zu: public key from sk", name, i);
				gh_key_free(sec);
				sec = NULL;
			}
		}
		json_object_object_get_ex(g, "tests", &tests);
		for (j = 0; j < json_object_array_length(tests); j++) {
			unsigned char *msg = NULL, *sig = NULL;
			unsigned char mine[GH_ED25519_SIG_LEN];
			long mlen, slen;
			int valid, r;

			t = json_object_array_get_idx(tests, j);
			valid = strcmp(jstr(t, "result"), "valid") == 0;
			mlen = unhex(jstr(t, "msg"), &msg);
			slen = unhex(jstr(t, "sig"), &sig);
			r = gh_key_verify(pub, msg, (size_t)mlen, sig, (size_t)slen);
			if (ok(r == valid, "%s tcId %s: verify is %s (%s)", name,
			       jstr(t, "tcId"), valid ? "valid" : "invalid",
			       jstr(t, "comment")))
				verified++;
			if (sec && valid) {
				r = gh_key_sign(sec, msg, (size_t)mlen, mine);
				if (ok(r == 0 && slen == GH_ED25519_SIG_LEN &&
					       memcmp(mine, sig, sizeof(mine)) == 0,
				       "%s tcId %s: signing with sk reproduces sig",
				       name, jstr(t, "tcId")))
					signed_ok++;
			}
			free(msg);
			free(sig);
		}
		gh_key_free(pub);
		gh_key_free(sec);
		if (sk)
			memset(sk, 0, GH_ED25519_KEY_LEN);
		free(sk);
		free(pk);
	}
	ok(pem_ok == ngroups, "%s: %d of %d PEM public keys load", name,
	   pem_ok, ngroups);
	diag("%s: %d verify results correct, %d signatures reproduced", name,
	     verified, signed_ok);
	json_object_put(root);
}

static void keys(void)
{
	struct gh_key *k = NULL, *sec = NULL, *pub = NULL, *k2 = NULL;
	unsigned char pk[32], pk2[32], md[32], sig[64];
	char fp[GH_SHA256_HEX], hex[GH_SHA256_HEX];
	const char msg[] = "glasshouse";
	struct stat st;
	mode_t mode = 0;
	char *sp, *pp;

	ok(gh_key_generate(&k) == 0 && gh_key_has_secret(k), "generate a key pair");
	ok(gh_key_generate(&k2) == 0, "generate a second key pair");
	gh_key_public(k, pk);
	gh_key_public(k2, pk2);
	ok(memcmp(pk, pk2, 32) != 0, "two generated keys differ");
	gh_sha256(pk, 32, md);
	gh_hex(md, 32, hex);
	ok(gh_key_fingerprint(k, fp) == 0 && strcmp(fp, hex) == 0,
	   "fingerprint is the SHA-256 hex of the raw public key");
	ok(gh_key_sign(k, msg, strlen(msg), sig) == 0, "sign");
	ok(gh_key_verify(k, msg, strlen(msg), sig, 64) == 1, "verify own signature");
	ok(gh_key_verify(k2, msg, strlen(msg), sig, 64) == 0, "other key: invalid");
	ok(gh_key_verify(k, msg, strlen(msg) - 1, sig, 64) == 0,
	   "changed message: invalid");
	sig[10] ^= 1;
	ok(gh_key_verify(k, msg, strlen(msg), sig, 64) == 0,
	   "changed signature: invalid");
	ok(gh_key_verify(k, msg, strlen(msg), sig, 63) == 0,
	   "short signature: invalid");

	sp = strdup(path_in(tmpdir, "sec.pem"));
	pp = strdup(path_in(tmpdir, "pub.pem"));
	ok(gh_key_save_secret(k, sp) == 0, "save secret key");
	ok(stat(sp, &st) == 0 && (st.st_mode & 0777) == 0600,
	   "secret key file has mode 0600");
	ok(gh_key_save_secret(k, sp) == -EEXIST, "saving over a file: -EEXIST");
	ok(gh_key_save_public(k, pp) == 0, "save public key");
	ok(gh_key_save_public(k, pp) == -EEXIST, "saving public over a file: -EEXIST");
	ok(symlink("target", path_in(tmpdir, "link")) == 0 &&
		   gh_key_save_secret(k, path_in(tmpdir, "link")) == -EEXIST &&
		   access(path_in(tmpdir, "target"), F_OK) < 0,
	   "saving through a dangling symlink is refused, nothing created");
	ok(gh_key_save_public(pub = k2, path_in(tmpdir, "nodir/x.pem")) == -ENOENT,
	   "saving into a missing directory: -ENOENT");
	pub = NULL;
	ok(gh_key_load_secret(sp, &sec, &mode) == 0 && mode == 0600 &&
		   gh_key_has_secret(sec),
	   "load secret key, mode reported");
	ok(gh_key_public(sec, pk2) == 0 && memcmp(pk, pk2, 32) == 0,
	   "loaded secret key has the same public key");
	ok(gh_key_load_public(pp, &pub) == 0 && !gh_key_has_secret(pub) &&
		   gh_key_public(pub, pk2) == 0 && memcmp(pk, pk2, 32) == 0,
	   "load public key");
	ok(gh_key_sign(pub, msg, 1, sig) == -EINVAL, "a public key cannot sign");
	ok(gh_key_sign(sec, msg, strlen(msg), sig) == 0 &&
		   gh_key_verify(pub, msg, strlen(msg), sig, 64) == 1,
	   "sign with loaded secret, verify with loaded public");
	gh_key_free(pub);
	pub = NULL;
	ok(gh_key_load_public(sp, &pub) == 0 && !gh_key_has_secret(pub) &&
		   gh_key_public(pub, pk2) == 0 && memcmp(pk, pk2, 32) == 0,
	   "public key loaded from a secret key file keeps only the public half");
	gh_key_free(pub);
	pub = NULL;
	ok(gh_key_load_secret(pp, &pub, NULL) == -EINVAL,
	   "a public key file is not a secret key");
	write_file(path_in(tmpdir, "junk.pem"), "not a key\n");
	ok(gh_key_load_public(path_in(tmpdir, "junk.pem"), &pub) == -EINVAL,
	   "junk is not a public key");
	ok(gh_key_load_public(path_in(tmpdir, "none.pem"), &pub) == -ENOENT,
	   "missing key file: -ENOENT");
	ok(gh_key_load_public(tmpdir, &pub) == -EISDIR, "directory: -EISDIR");
	write_file(path_in(tmpdir, "rsa.pem"),
		   "-----BEGIN PUBLIC KEY-----\n"
		   "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n"
		   "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n"
		   "-----END PUBLIC KEY-----\n");
	ok(gh_key_load_public(path_in(tmpdir, "rsa.pem"), &pub) == -EINVAL,
	   "an RSA public key is refused");
	gh_key_free(sec);
	gh_key_free(k);
	gh_key_free(k2);
	free(sp);
	free(pp);
}

static void base64(void)
{
	static const struct {
		const char *in, *out;
	} v[] = { { "", "" },	      { "f", "Zg==" },	   { "fo", "Zm8=" },
		  { "foo", "Zm9v" }, { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		  { "foobar", "Zm9vYmFy" } };
	static const char *bad[] = { "Zg=", "Zh==", "Zm9=", "Zm 9v", "Z===",
				     "Zm9v\n", "Zg==Zg==", "Zm9!", "=Zm9" };
	unsigned char out[16];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gh_buf b = GH_BUF_INIT;
		int n;

		gh_base64_encode(&b, v[i].in, strlen(v[i].in));
		ok(strcmp(b.p ? b.p : "", v[i].out) == 0, "base64 of \"%s\" is \"%s\"",
		   v[i].in, v[i].out);
		n = gh_base64_decode(v[i].out, strlen(v[i].out), out, sizeof(out));
		ok(n == (int)strlen(v[i].in) && memcmp(out, v[i].in, (size_t)n) == 0,
		   "base64 decode of \"%s\"", v[i].out);
		gh_buf_release(&b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(gh_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out)) == -EINVAL,
		   "base64 decode rejects bad input %zu", i);
	ok(gh_base64_decode("Zm9vYmFy", 8, out, 5) == -ENOSPC,
	   "base64 decode into a short buffer: -ENOSPC");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	sha256_rsp("SHA256ShortMsg.rsp");
	sha256_rsp("SHA256LongMsg.rsp");
	sha256_files();
	ed25519_file("ed25519_test.json", 0);
	ed25519_file("eddsa_test.json", 1);
	keys();
	base64();
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	return done_testing();
}
