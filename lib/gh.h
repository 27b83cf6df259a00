/* libgh: what every glasshouse program shares.
 *
 * Conventions for all of lib/:
 * - Functions return 0 (or a count) on success and a negative errno on
 *   failure; they never exit and never print, except gh_err/gh_die, which
 *   exist for programs.
 * - Ownership is stated per function. json-c objects follow json-c's rules:
 *   json_object_object_get() returns a borrowed reference,
 *   json_object_object_add() takes ownership of the value.
 * - Free functions accept NULL.
 */
#ifndef GH_H
#define GH_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifndef GH_VERSION
#define GH_VERSION "0.0.0"
#endif

/* Exit statuses shared by every filter (gh-trace returns its child's). */
enum { GH_EXIT_OK = 0, GH_EXIT_NO = 1, GH_EXIT_ERR = 2 };

/* The program's name for messages, e.g. "gh-aggregate"; set once by gh_init,
 * which also ignores SIGPIPE so that writing to a closed pipe is an error
 * that gh_close_stdout reports. */
extern const char *gh_prog;
void gh_init(const char *name);

/* "gh-NAME: <formatted>\n" on stderr. */
void gh_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* gh_err, then exit(status). */
void gh_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* "gh-NAME --version" output: "gh-NAME VERSION\n" on stdout. */
void gh_print_version(void);

/* Open an input file for reading; NULL or "-" means stdin. Returns NULL
 * with errno set on failure. The name to use in messages is
 * gh_input_name(path) ("<stdin>" for stdin). */
FILE *gh_open_input(const char *path);
const char *gh_input_name(const char *path);

/* Flush and close stdout, reporting a write error (full disk, closed pipe)
 * as "gh-NAME: write error: REASON". Returns 0 or -1. Call at exit of every
 * program that writes stdout; a failure must turn into exit status 2. */
int gh_close_stdout(void);

/* Read a whole stream into memory. On success *out is malloc'ed, NUL
 * terminated (the NUL is not counted in *len), owned by the caller. */
int gh_read_all(FILE *f, char **out, size_t *len);

/* Growable byte buffer: struct gh_buf b = GH_BUF_INIT; ... gh_buf_release(&b).
 * Its error is sticky, as stdio's ferror: the first failure to grow is
 * kept in err, and every later call adds nothing and returns it, so a
 * writer appends a whole record and checks err once (clearing it, or
 * releasing the buffer, starts afresh). */
struct gh_buf {
	char *p;
	size_t len, cap;
	int err;	/* 0, or the first failure (-ENOMEM) */
};
#define GH_BUF_INIT { NULL, 0, 0, 0 }
void gh_buf_release(struct gh_buf *b);
/* Each returns 0 or -ENOMEM (b->err); b->p stays NUL terminated. The
 * appends are inline: a writer of records makes many short ones, and the
 * call cost as much as the copy. */
int gh_buf_grow(struct gh_buf *b, size_t extra);
static inline int gh_buf_add(struct gh_buf *b, const void *data, size_t len)
{
	if ((b->err || len >= b->cap - b->len) && gh_buf_grow(b, len) < 0)
		return b->err;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}
static inline int gh_buf_adds(struct gh_buf *b, const char *s)
{
	return gh_buf_add(b, s, strlen(s));
}
static inline int gh_buf_addc(struct gh_buf *b, char c)
{
	if ((b->err || 1 >= b->cap - b->len) && gh_buf_grow(b, 1) < 0)
		return b->err;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}
int gh_buf_printf(struct gh_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s[0..n) as one word a POSIX shell reads back to exactly s: bare
 * when it holds only characters no shell treats specially, else in single
 * quotes ('\'' for a quote). */
int gh_buf_shell_word(struct gh_buf *b, const char *s, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL terminated). */
void gh_hex(const unsigned char *in, size_t n, char *out);
/* Append the bytes of the lowercase hexadecimal hex[0..n) to b (a NUL
 * follows them). 0, -EINVAL (an odd length or another character, b
 * unchanged) or -ENOMEM. */
int gh_unhex(struct gh_buf *b, const char *hex, size_t n);

#endif
