/* SHA-256, Ed25519 and base64 through OpenSSL's libcrypto (3.0 EVP APIs).
 *
 * Nothing here implements a cryptographic primitive: every hash and
 * signature is computed by libcrypto. What this adds is the file handling
 * around it: PEM keys written O_EXCL with fixed modes, secret material
 * wiped (OPENSSL_cleanse) before its memory is freed, and plain negative
 * errno returns.
 *
 * Keys are PEM: secret keys as unencrypted PKCS#8 ("PRIVATE KEY"), public
 * keys as SubjectPublicKeyInfo ("PUBLIC KEY"), the forms that
 * `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` use, so
 * the openssl command reads and checks everything written here.
 *
 * Ownership: a struct gh_key returned through an out-parameter is owned by
 * the caller and released with gh_key_free (which accepts NULL).
 */
#ifndef GH_CRYPTO_H
#define GH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gh.h"

#define GH_SHA256_LEN 32
#define GH_SHA256_HEX (2 * GH_SHA256_LEN + 1)
#define GH_ED25519_KEY_LEN 32 /* raw public key and raw secret seed */
#define GH_ED25519_SIG_LEN 64

/* SHA-256 of data[0..len) into md. Returns 0 or -EIO (libcrypto failure). */
int gh_sha256(const void *data, size_t len, unsigned char md[GH_SHA256_LEN]);

/* SHA-256 of a whole file (a regular file, a pipe, anything readable) into
 * md; *bytes (may be NULL) receives the number of bytes hashed. Returns 0,
 * or a negative errno from open/read, or -EIO. */
int gh_sha256_file(const char *path, unsigned char md[GH_SHA256_LEN],
		   uint64_t *bytes);

/* The same over an open descriptor, read to its end (not closed). */
int gh_sha256_fd(int fd, unsigned char md[GH_SHA256_LEN], uint64_t *bytes);

/* SHA-256 of the regular file path, as long as it was when opened:
 * opened without blocking, so that a FIFO, a device or an endless file is
 * refused, not read. Returns 0, -EISDIR for a directory, -ESPIPE for a
 * FIFO, device or socket, -EBUSY when it grew or shrank while it was read
 * (a file still being written, or a /proc file whose size says nothing),
 * another negative errno from open/read, or -EIO. */
int gh_sha256_regular(const char *path, unsigned char md[GH_SHA256_LEN],
		      uint64_t *bytes);

/* An Ed25519 key: a key pair (can sign) or a public key (can verify). */
struct gh_key;

/* A fresh key pair from the system's random source. Returns 0, -EIO. */
int gh_key_generate(struct gh_key **out);
/* From a raw 32-byte secret seed (RFC 8032 private key) or a raw 32-byte
 * public key. The caller still owns, and should wipe, sk. Returns 0 or
 * -EINVAL (libcrypto refused the bytes). */
int gh_key_from_secret(const unsigned char sk[GH_ED25519_KEY_LEN],
		       struct gh_key **out);
int gh_key_from_public(const unsigned char pk[GH_ED25519_KEY_LEN],
		       struct gh_key **out);
void gh_key_free(struct gh_key *k);

/* 1 when k holds a secret key (can sign), 0 for a public key. */
int gh_key_has_secret(const struct gh_key *k);
/* The raw 32-byte public key. Returns 0 or -EIO. */
int gh_key_public(const struct gh_key *k, unsigned char pk[GH_ED25519_KEY_LEN]);
/* The key's fingerprint: lowercase hex SHA-256 of the raw public key. */
int gh_key_fingerprint(const struct gh_key *k, char hex[GH_SHA256_HEX]);
/* The key's id in DSSE envelopes: lowercase hex SHA-256 of the public key's
 * DER SubjectPublicKeyInfo (what `openssl pkey -pubout -outform DER`
 * writes). Returns 0 or -EIO. */
int gh_key_id(const struct gh_key *k, char hex[GH_SHA256_HEX]);

/* Sign msg[0..len) (Ed25519, pure: no pre-hash). Returns 0, -EINVAL when k
 * has no secret key, -EIO. */
int gh_key_sign(const struct gh_key *k, const void *msg, size_t len,
		unsigned char sig[GH_ED25519_SIG_LEN]);
/* 1: sig is a valid signature of msg by k; 0: it is not (including a
 * signature of the wrong length or a non-canonical encoding); negative
 * errno when the check could not be done. */
int gh_key_verify(const struct gh_key *k, const void *msg, size_t len,
		  const unsigned char *sig, size_t siglen);

/* Loading PEM files. Only Ed25519 keys are accepted (-EINVAL for anything
 * else, including encrypted secret keys: no passphrase is ever asked for).
 * Other failures are the negative errno of open/read; files over 64 KiB are
 * -EFBIG; a FIFO, device or socket (not a regular file) is -ESPIPE, a
 * directory -EISDIR. gh_key_load_secret stores the file's permission bits in *mode (may
 * be NULL) so that the caller can refuse a key others can read; the file's
 * bytes are wiped from memory after parsing. gh_key_load_public also accepts
 * a secret key file and keeps only its public half. */
int gh_key_load_secret(const char *path, struct gh_key **out, mode_t *mode);
int gh_key_load_public(const char *path, struct gh_key **out);

/* Writing PEM files. The file must not exist: it is created with O_EXCL and
 * O_NOFOLLOW (an existing file or symlink is -EEXIST, never overwritten or
 * followed), mode 0600 for the secret key and 0644 (less the umask) for the
 * public key. On a write failure the partly written file is removed. */
int gh_key_save_secret(const struct gh_key *k, const char *path);
int gh_key_save_public(const struct gh_key *k, const char *path);

/* Base64 (RFC 4648, standard alphabet, with padding, no line breaks).
 * gh_base64_encode appends to b (0 or -ENOMEM). gh_base64_decode decodes
 * s[0..len) into out (room for outmax bytes) and returns the number of bytes,
 * or -EINVAL when s is not the canonical encoding of some bytes (bad
 * characters, bad padding, non-zero pad bits, whitespace), -ENOSPC when the
 * result would not fit. */
int gh_base64_encode(struct gh_buf *b, const void *data, size_t len);
int gh_base64_decode(const char *s, size_t len, unsigned char *out,
		     size_t outmax);

#endif
