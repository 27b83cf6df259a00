/* gh-policy: network patterns, receipt addresses, and the plain wildcard
 * matcher used for arguments and host names. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "receipt.h"

#define PAT_HELP "a network pattern (ADDRESS[/BITS][:PORTS], " \
	"[IPV6[/BITS]][:PORTS], *[:PORTS], localhost[:PORTS], HOST[:PORTS] " \
	"or unix:PATH)"

static void mask(unsigned char a[16], int plen)
{
	for (int i = 0; i < 16; i++) {
		int keep = plen - 8 * i;

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

static void v4_mapped(unsigned char a[16], const unsigned char v4[4])
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	memcpy(a + 12, v4, 4);
}

/* "ADDR[/BITS]" of one family into the 128-bit space. */
static int parse_cidr(const char *s, size_t len, int v6, unsigned char a[16],
		      int *plen)
{
	char buf[64];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	int max = v6 ? 128 : 32;

	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, buf, a) != 1)
			return -1;
	} else {
		unsigned char v4[4];

		if (inet_pton(AF_INET, buf, v4) != 1)
			return -1;
		v4_mapped(a, v4);
	}
	*plen = max;
	if (slash) {
		const char *d = slash + 1;
		size_t n = len - alen - 1;
		int bits = 0;

		if (n == 0 || n > 3)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)d[i]))
				return -1;
			bits = bits * 10 + (d[i] - '0');
		}
		if (bits > max)
			return -1;
		*plen = bits;
	}
	if (!v6)
		*plen += 96;
	mask(a, *plen);
	return 0;
}

static int parse_port(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int parse_ports(const char *s, struct netpat *np, char *err,
		       size_t errlen)
{
	const char *p = s;

	if (strcmp(s, "*") == 0)
		return 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *dash = memchr(p, '-', n);
		struct portrange r, *v;

		if (dash ? parse_port(p, dash - p, &r.lo) < 0 ||
				   parse_port(dash + 1, n - (dash - p) - 1, &r.hi) < 0 ||
				   r.lo > r.hi :
			   parse_port(p, n, &r.lo) < 0) {
			snprintf(err, errlen, "expected ports (N, N-M with N <= M, "
				 "lists N,M, or '*'; 0 to 65535), got '%.*s'",
				 (int)strlen(s), s);
			return -1;
		}
		if (!dash)
			r.hi = r.lo;
		v = realloc(np->ports, (np->nports + 1) * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		np->ports = v;
		np->ports[np->nports++] = r;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int host_glob_ok(const char *s, size_t n)
{
	int letter = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (isalpha(c))
			letter = 1;
		else if (!isdigit(c) && c != '.' && c != '-' && c != '_' &&
			 c != '*' && c != '?')
			return 0;
	}
	return letter;
}

int netpat_parse(const char *s, struct netpat *np, char *err, size_t errlen)
{
	const char *host = s, *ports = NULL, *colon;
	size_t hlen;
	int ncolon = 0;

	memset(np, 0, sizeof(*np));
	if (strncmp(s, "unix:", 5) == 0) {
		np->kind = NP_UNIX;
		if (!s[5] || !(np->text = strdup(s + 5)) ||
		    gh_glob_compile(np->text, &np->glob) < 0) {
			snprintf(err, errlen, "expected a socket path glob after "
				 "'unix:', got '%s'", s);
			netpat_release(np);
			return -1;
		}
		return 0;
	}
	for (const char *c = s; *c; c++)
		ncolon += *c == ':';
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		np->kind = NP_CIDR;
		if (parse_cidr(s + 1, close - s - 1, 1, np->addr, &np->plen) < 0)
			goto bad;
		ports = close[1] ? close + 2 : NULL;
		goto ports;
	}
	if (ncolon >= 2) {
		np->kind = NP_CIDR;
		if (parse_cidr(s, strlen(s), 1, np->addr, &np->plen) < 0)
			goto bad;
		return 0;
	}
	colon = strchr(s, ':');
	hlen = colon ? (size_t)(colon - s) : strlen(s);
	ports = colon ? colon + 1 : NULL;
	if (hlen == 1 && host[0] == '*') {
		np->kind = NP_ANY;
	} else if (hlen == 9 && strncasecmp(host, "localhost", 9) == 0) {
		np->kind = NP_LOCALHOST;
	} else if (strspn(host, "0123456789./") >= hlen) {
		np->kind = NP_CIDR;
		if (parse_cidr(host, hlen, 0, np->addr, &np->plen) < 0)
			goto bad;
	} else if (host_glob_ok(host, hlen)) {
		np->kind = NP_HOST;
		np->text = strndup(host, hlen);
		if (!np->text)
			goto bad;
		for (char *c = np->text; *c; c++)
			*c = tolower((unsigned char)*c);
	} else {
		goto bad;
	}
ports:
	if (ports && parse_ports(ports, np, err, errlen) < 0) {
		netpat_release(np);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "expected %s, got '%s'", PAT_HELP, s);
	netpat_release(np);
	return -1;
}

void netpat_release(struct netpat *np)
{
	free(np->text);
	gh_glob_free(np->glob);
	free(np->ports);
	memset(np, 0, sizeof(*np));
}

void netaddr_parse(const char *dst, size_t len, struct netaddr *a)
{
	char buf[64];
	const char *end = dst + len, *portp = NULL;
	size_t alen;

	memset(a, 0, sizeof(*a));
	a->kind = NA_OTHER;
	a->port = UINT32_MAX;
	if (len >= 5 && memcmp(dst, "unix:", 5) == 0) {
		a->kind = NA_UNIX;
		a->unix_path = dst + 5;
		a->unix_len = len - 5;
		return;
	}
	if (len > 0 && dst[0] == '[') {
		const char *close = memchr(dst, ']', len);

		if (!close)
			return;
		alen = close - dst - 1;
		if (alen >= sizeof(buf))
			return;
		memcpy(buf, dst + 1, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET6, buf, a->addr) != 1)
			return;
		if (close + 1 < end && close[1] == ':')
			portp = close + 2;
	} else {
		const char *colon = memrchr(dst, ':', len);
		unsigned char v4[4];

		alen = colon ? (size_t)(colon - dst) : len;
		if (alen >= sizeof(buf))
			return;
		memcpy(buf, dst, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET, buf, v4) != 1)
			return;
		v4_mapped(a->addr, v4);
		if (colon)
			portp = colon + 1;
	}
	a->kind = NA_IP;
	if (portp && parse_port(portp, end - portp, &a->port) < 0)
		a->port = UINT32_MAX;
}

static int port_ok(const struct netpat *np, uint32_t port)
{
	if (np->nports == 0)
		return 1;
	for (size_t i = 0; i < np->nports; i++)
		if (port >= np->ports[i].lo && port <= np->ports[i].hi)
			return 1;
	return 0;
}

static int in_cidr(const unsigned char *net, int plen, const unsigned char *a)
{
	unsigned char m[16];

	memcpy(m, a, 16);
	mask(m, plen);
	return memcmp(m, net, 16) == 0;
}

static const unsigned char loop4[16] = { [10] = 0xff, [11] = 0xff, [12] = 127 };
static const unsigned char loop6[16] = { [15] = 1 };

int netpat_match(const struct netpat *np, const struct netaddr *a)
{
	switch (np->kind) {
	case NP_UNIX:
		return a->kind == NA_UNIX &&
		       gh_glob_match(np->glob, a->unix_path, a->unix_len);
	case NP_HOST:
		if (!port_ok(np, a->port))
			return 0;
		if (a->host && wild_match_icase(np->text, a->host, strlen(a->host)))
			return 1;
		for (size_t i = 0; i < gh_receipt_len(a->names); i++) {
			size_t len;
			const char *n = gh_receipt_strv_get(a->names, i, &len);

			if (n && wild_match_icase(np->text, n, len))
				return 1;
		}
		return 0;
	case NP_ANY:
		return a->kind == NA_IP && port_ok(np, a->port);
	case NP_LOCALHOST:
		return a->kind == NA_IP &&
		       (in_cidr(loop4, 104, a->addr) || in_cidr(loop6, 128, a->addr)) &&
		       port_ok(np, a->port);
	case NP_CIDR:
		return a->kind == NA_IP && in_cidr(np->addr, np->plen, a->addr) &&
		       port_ok(np, a->port);
	}
	return 0;
}

int netpat_name_unknown(const struct netpat *np, const struct netaddr *a)
{
	return np->kind == NP_HOST && a->names_known && a->kind == NA_IP &&
	       !a->host && gh_receipt_len(a->names) == 0 &&
	       port_ok(np, a->port);
}

static unsigned char fold(unsigned char c, int icase)
{
	return icase ? (unsigned char)tolower(c) : c;
}

/* Does the single-character item at p match c? *next gets what follows it. */
static int one(const char *p, unsigned char c, const char **next, int icase)
{
	c = fold(c, icase);
	if (*p == '?') {
		*next = p + 1;
		return 1;
	}
	if (*p == '\\' && p[1]) {
		*next = p + 2;
		return fold(p[1], icase) == c;
	}
	if (*p == '[') {
		const char *q = p + 1;
		int neg = 0, hit = 0, first = 1;

		if (*q == '!' || *q == '^') {
			neg = 1;
			q++;
		}
		for (; *q && (first || *q != ']'); first = 0) {
			unsigned char lo, hi;

			if (*q == '\\' && q[1])
				q++;
			lo = hi = fold(*q++, icase);
			if (*q == '-' && q[1] && q[1] != ']') {
				q++;
				if (*q == '\\' && q[1])
					q++;
				hi = fold(*q++, icase);
			}
			if (c >= lo && c <= hi)
				hit = 1;
		}
		if (*q == ']') {
			*next = q + 1;
			return hit != neg;
		}
		/* unclosed: a literal '[' (rules.c refuses such patterns) */
	}
	*next = p + 1;
	return fold(*p, icase) == c;
}

/* Match s against the pattern pat..pend. */
static int wild(const char *pat, const char *pend, const char *s, size_t len,
		int icase)
{
	const char *p = pat, *star = NULL, *next;
	size_t i = 0, star_i = 0;

	while (i < len) {
		if (p < pend && *p == '*') {
			while (p < pend && *p == '*')
				p++;
			if (p == pend)
				return 1;
			star = p;
			star_i = i;
			continue;
		}
		if (p < pend && one(p, s[i], &next, icase)) {
			p = next;
			i++;
			continue;
		}
		if (!star)
			return 0;
		p = star;
		i = ++star_i;
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

int wild_match(const char *pat, const char *s, size_t len)
{
	return wild(pat, pat + strlen(pat), s, len, 0);
}

int wild_match_icase(const char *pat, const char *s, size_t len)
{
	return wild(pat, pat + strlen(pat), s, len, 1);
}

/* The end of the word of an ARGS pattern that starts at p: the first
 * space that is neither escaped nor inside a class, or the end. */
static const char *arg_word_end(const char *p)
{
	while (*p && *p != ' ')
		one(p, 0, &p, 0);
	return p;
}

/* The word after the one ending at e; NULL after the last. */
static const char *arg_word_next(const char *e)
{
	return *e ? e + 1 : NULL;
}

static int arg_word_dstar(const char *p, const char *e)
{
	return e - p == 2 && p[0] == '*' && p[1] == '*';
}

/* Words are matched as wild() matches characters, a word "**" as its
 * '*': on a mismatch only the last "**" takes one more argument, which
 * is enough since each word either matches an argument or not. */
int args_match(const char *pat, const struct gh_jv *argv, size_t from)
{
	const char *p = *pat ? pat : NULL, *star = NULL, *e;
	size_t n = gh_receipt_len(argv), i = from, star_i = 0;

	while (i < n) {
		size_t len;
		const char *s;

		if (p && arg_word_dstar(p, e = arg_word_end(p))) {
			if (!(p = arg_word_next(e)))
				return 1;
			star = p;
			star_i = i;
			continue;
		}
		if (p) {
			e = arg_word_end(p);
			s = gh_receipt_strv_get(argv, i, &len);
			if (s && wild(p, e, s, len, 0)) {
				p = arg_word_next(e);
				i++;
				continue;
			}
		}
		if (!star)
			return 0;
		p = star;
		i = ++star_i;
	}
	while (p && arg_word_dstar(p, e = arg_word_end(p)))
		p = arg_word_next(e);
	return !p;
}
