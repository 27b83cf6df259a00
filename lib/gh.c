/* libgh: messages, inputs, output check, growable buffers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gh.h"

const char *gh_prog = "gh";

void gh_init(const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;

	if (name)
		gh_prog = slash ? slash + 1 : name;
	/* A closed pipe on stdout must be a reported write error (EPIPE), not
	 * a silent death by SIGPIPE. gh-trace restores the default for its child. */
	signal(SIGPIPE, SIG_IGN);
}

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", gh_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gh_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void gh_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

void gh_print_version(void)
{
	printf("%s %s\n", gh_prog, GH_VERSION);
}

FILE *gh_open_input(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return stdin;
	return fopen(path, "rb");
}

const char *gh_input_name(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return "<stdin>";
	return path;
}

int gh_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int err = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad) {
		gh_err("write error: %s", strerror(err ? err : EIO));
		return -1;
	}
	return 0;
}

int gh_read_all(FILE *f, char **out, size_t *len)
{
	struct gh_buf b = GH_BUF_INIT;
	size_t n;

	for (;;) {
		if (gh_buf_grow(&b, 65536) < 0) {
			gh_buf_release(&b);
			return -ENOMEM;
		}
		n = fread(b.p + b.len, 1, b.cap - b.len - 1, f);
		b.len += n;
		b.p[b.len] = '\0';
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		gh_buf_release(&b);
		return -e;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

void gh_buf_release(struct gh_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

int gh_buf_grow(struct gh_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (extra >= SIZE_MAX - b->len)
		return b->err = -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need && cap)
		cap *= 2;
	p = cap ? realloc(b->p, cap) : NULL;
	if (!p)
		return b->err = -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int gh_buf_shell_word(struct gh_buf *b, const char *s, size_t n)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_@%+=:,./-";
	size_t i;
	int bare = n > 0;

	for (i = 0; i < n && bare; i++)
		bare = s[i] && strchr(plain, s[i]) != NULL;
	if (bare)
		return gh_buf_add(b, s, n);
	if (gh_buf_addc(b, '\'') < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if ((s[i] == '\'' ? gh_buf_add(b, "'\\''", 4) : gh_buf_addc(b, s[i])) < 0)
			return -ENOMEM;
	return gh_buf_addc(b, '\'');
}

int gh_buf_printf(struct gh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if (gh_buf_grow(b, (size_t)n) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void gh_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int gh_unhex(struct gh_buf *b, const char *hex, size_t n)
{
	size_t i;

	if (n % 2)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (hexval(hex[i]) < 0)
			return -EINVAL;
	if (gh_buf_grow(b, n / 2 + 1) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i += 2)
		b->p[b->len++] = (char)(hexval(hex[i]) << 4 | hexval(hex[i + 1]));
	b->p[b->len] = '\0';
	return 0;
}
