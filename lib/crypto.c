/* libgh: SHA-256, Ed25519 keys and signatures, base64, over libcrypto. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto.h"

#define KEY_FILE_MAX 65536

struct gh_key {
	EVP_PKEY *pkey;
	int secret;
};

int gh_sha256(const void *data, size_t len, unsigned char md[GH_SHA256_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) ||
	    n != GH_SHA256_LEN) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

/* Hash fd to its end, or to at most max bytes. */
static int sha256_fd_max(int fd, unsigned char md[GH_SHA256_LEN],
			 uint64_t *bytes, uint64_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	uint64_t total = 0;
	unsigned int n = 0;
	int ret = -EIO;
	size_t want;
	ssize_t r;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while (total < max) {
		want = max - total < sizeof(buf) ? (size_t)(max - total) : sizeof(buf);
		r = read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)r))
			goto out;
		total += (uint64_t)r;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &n) || n != GH_SHA256_LEN)
		goto out;
	if (bytes)
		*bytes = total;
	ret = 0;
out:
	if (ret == -EIO)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ret;
}

int gh_sha256_fd(int fd, unsigned char md[GH_SHA256_LEN], uint64_t *bytes)
{
	return sha256_fd_max(fd, md, bytes, UINT64_MAX);
}

int gh_sha256_file(const char *path, unsigned char md[GH_SHA256_LEN],
		   uint64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = gh_sha256_fd(fd, md, bytes);
	close(fd);
	return ret;
}

int gh_sha256_regular(const char *path, unsigned char md[GH_SHA256_LEN],
		      uint64_t *bytes)
{
	struct stat st;
	uint64_t total = 0;
	int fd, ret;

	/* O_NONBLOCK: a FIFO without a writer is refused below, not waited
	 * on; it stays set, so a regular file whose reads block fails */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ESPIPE;
	} else {
		/* one byte past the size tells a file that grew */
		ret = sha256_fd_max(fd, md, &total, (uint64_t)st.st_size + 1);
		if (ret == 0 && total != (uint64_t)st.st_size)
			ret = -EBUSY;
	}
	close(fd);
	if (ret == 0 && bytes)
		*bytes = total;
	return ret;
}

/* *out holds pkey (consumed), a secret key or not: 0, or fail when
 * libcrypto made no key (pkey NULL), -ENOMEM with *out NULL. */
static int key_wrap(EVP_PKEY *pkey, int secret, int fail, struct gh_key **out)
{
	struct gh_key *k;

	if (!pkey) {
		ERR_clear_error();
		return fail;
	}
	k = calloc(1, sizeof(*k));
	*out = k;
	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->pkey = pkey;
	k->secret = secret;
	return 0;
}

int gh_key_generate(struct gh_key **out)
{
	return key_wrap(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), 1, -EIO, out);
}

int gh_key_from_secret(const unsigned char sk[GH_ED25519_KEY_LEN],
		       struct gh_key **out)
{
	return key_wrap(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
						     GH_ED25519_KEY_LEN),
			1, -EINVAL, out);
}

int gh_key_from_public(const unsigned char pk[GH_ED25519_KEY_LEN],
		       struct gh_key **out)
{
	return key_wrap(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
						    GH_ED25519_KEY_LEN),
			0, -EINVAL, out);
}

void gh_key_free(struct gh_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey); /* libcrypto wipes the secret key */
	free(k);
}

int gh_key_has_secret(const struct gh_key *k)
{
	return k->secret;
}

int gh_key_public(const struct gh_key *k, unsigned char pk[GH_ED25519_KEY_LEN])
{
	size_t n = GH_ED25519_KEY_LEN;

	if (!EVP_PKEY_get_raw_public_key(k->pkey, pk, &n) ||
	    n != GH_ED25519_KEY_LEN) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int gh_key_fingerprint(const struct gh_key *k, char hex[GH_SHA256_HEX])
{
	unsigned char pk[GH_ED25519_KEY_LEN], md[GH_SHA256_LEN];
	int ret;

	ret = gh_key_public(k, pk);
	if (ret == 0)
		ret = gh_sha256(pk, sizeof(pk), md);
	if (ret == 0)
		gh_hex(md, sizeof(md), hex);
	return ret;
}

int gh_key_id(const struct gh_key *k, char hex[GH_SHA256_HEX])
{
	unsigned char *der = NULL, md[GH_SHA256_LEN];
	int n = i2d_PUBKEY(k->pkey, &der), ret = -EIO;

	if (n > 0)
		ret = gh_sha256(der, (size_t)n, md);
	else
		ERR_clear_error();
	if (ret == 0)
		gh_hex(md, sizeof(md), hex);
	OPENSSL_free(der);
	return ret;
}

int gh_key_sign(const struct gh_key *k, const void *msg, size_t len,
		unsigned char sig[GH_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	size_t n = GH_ED25519_SIG_LEN;
	int ret = -EIO;

	if (!k->secret)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (ctx &&
	    EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, k->pkey, NULL) &&
	    EVP_DigestSign(ctx, sig, &n, msg, len) && n == GH_ED25519_SIG_LEN)
		ret = 0;
	else
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ret;
}

int gh_key_verify(const struct gh_key *k, const void *msg, size_t len,
		  const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	int ret = -EIO, r;

	if (siglen != GH_ED25519_SIG_LEN)
		return 0;
	ctx = EVP_MD_CTX_new();
	if (ctx &&
	    EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, k->pkey, NULL)) {
		r = EVP_DigestVerify(ctx, sig, siglen, msg, len);
		/* 0 is "does not verify"; a negative answer here also comes
		 * from malformed signatures, which are just as invalid. */
		ret = r == 1 ? 1 : 0;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* Never prompt for a passphrase: an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Read a small file into buf (KEY_FILE_MAX bytes); returns its length. */
static ssize_t read_key_file(const char *path, unsigned char *buf,
			     mode_t *mode)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, err;

	/* O_NONBLOCK: a FIFO without a writer is refused below, not waited on */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ESPIPE;
	}
	if (mode)
		*mode = st.st_mode & 07777;
	for (;;) {
		r = read(fd, buf + n, KEY_FILE_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			close(fd);
			return -err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == KEY_FILE_MAX) {
			char extra;

			r = read(fd, &extra, 1);
			close(fd);
			return r == 0 ? (ssize_t)n : -EFBIG;
		}
	}
	close(fd);
	return (ssize_t)n;
}

static int is_ed25519(EVP_PKEY *pkey)
{
	return pkey && EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519;
}

static int key_load(const char *path, struct gh_key **out, mode_t *mode,
		    int want_secret)
{
	unsigned char *buf = malloc(KEY_FILE_MAX);
	EVP_PKEY *pkey = NULL;
	unsigned char pk[GH_ED25519_KEY_LEN];
	size_t pklen = sizeof(pk);
	ssize_t n;
	BIO *bio;
	int secret = 0, ret;

	if (!buf)
		return -ENOMEM;
	n = read_key_file(path, buf, mode);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	ret = -EINVAL;
	if (!want_secret) {
		bio = BIO_new_mem_buf(buf, (int)n);
		if (bio)
			pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase,
						   NULL);
		BIO_free(bio);
	}
	if (!pkey) {
		bio = BIO_new_mem_buf(buf, (int)n);
		if (bio)
			pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
						       NULL);
		BIO_free(bio);
		secret = pkey != NULL;
	}
	if (!is_ed25519(pkey))
		goto out;
	if (secret && !want_secret) {
		/* Keep only the public half of a secret key file. */
		if (!EVP_PKEY_get_raw_public_key(pkey, pk, &pklen))
			goto out;
		ret = gh_key_from_public(pk, out);
		goto out;
	}
	ret = key_wrap(pkey, secret, -EINVAL, out);
	pkey = NULL;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	OPENSSL_cleanse(buf, KEY_FILE_MAX);
	free(buf);
	return ret;
}

int gh_key_load_secret(const char *path, struct gh_key **out, mode_t *mode)
{
	return key_load(path, out, mode, 1);
}

int gh_key_load_public(const char *path, struct gh_key **out)
{
	return key_load(path, out, NULL, 0);
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Create path exclusively (never through a symlink) and write the PEM that
 * is in bio into it. */
static int save_bio(BIO *bio, const char *path, mode_t mode)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	int fd, ret;

	if (n <= 0 || !data)
		return -EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, (size_t)n);
	if (ret == 0 && fsync(fd) < 0 && errno != EINVAL)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		unlink(path);
	return ret;
}

int gh_key_save_secret(const struct gh_key *k, const char *path)
{
	BIO *bio;
	int ret = -EIO;

	if (!k->secret)
		return -EINVAL;
	/* A secure-memory BIO wipes its buffer when it grows and when freed. */
	bio = BIO_new(BIO_s_secmem());
	if (bio && PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
					    NULL))
		ret = save_bio(bio, path, 0600);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int gh_key_save_public(const struct gh_key *k, const char *path)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int ret = -EIO;

	if (bio && PEM_write_bio_PUBKEY(bio, k->pkey))
		ret = save_bio(bio, path, 0644);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int gh_base64_encode(struct gh_buf *b, const void *data, size_t len)
{
	size_t n;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return -ENOMEM;
	n = (len + 2) / 3 * 4;
	if (gh_buf_grow(b, n) < 0)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)b->p + b->len, data, (int)len);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int gh_base64_decode(const char *s, size_t len, unsigned char *out,
		     size_t outmax)
{
	struct gh_buf re = GH_BUF_INIT;
	unsigned char *tmp;
	size_t n, pad = 0;
	int r, ret = -EINVAL;

	if (len % 4 != 0 || len > (size_t)INT_MAX / 2)
		return -EINVAL;
	if (len == 0)
		return 0;
	n = len / 4 * 3;
	tmp = malloc(n);
	if (!tmp)
		return -ENOMEM;
	r = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len);
	if (r < 0 || (size_t)r != n)
		goto out;
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	n -= pad;
	/* EVP_DecodeBlock is lenient (whitespace, pad bits, '=' inside):
	 * accept only the one encoding that encoding gives back. */
	if (gh_base64_encode(&re, tmp, n) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	if (re.len != len || memcmp(re.p, s, len) != 0)
		goto out;
	if (n > outmax) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(out, tmp, n);
	ret = (int)n;
out:
	gh_buf_release(&re);
	free(tmp);
	return ret;
}
