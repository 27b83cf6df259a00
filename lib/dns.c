/* lib/dns: decoding DNS messages (see dns.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

#define HDR 12
#define PTR_MAX 32	/* compression pointers followed in one name */

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int bad(struct gh_dns *m, const char *why)
{
	if (!m->error)
		m->error = why;
	return -EINVAL;
}

/* The name at *off into out (presentation form); *off moves past it in
 * the message (not through pointers). */
static int get_name(const unsigned char *p, size_t len, size_t *off,
		    char out[GH_DNS_NAME_MAX], struct gh_dns *m)
{
	size_t o = *off, n = 0, end = 0, i;
	int jumps = 0, first = 1;
	unsigned l;

	for (;;) {
		if (o >= len)
			return bad(m, "truncated");
		l = p[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len)
				return bad(m, "truncated");
			if (!end)
				end = o + 2;
			if (++jumps > PTR_MAX)
				return bad(m, "compression loop");
			o = (l & 0x3f) << 8 | p[o + 1];
			if (o >= len)
				return bad(m, "compression pointer out of the message");
			continue;
		}
		if (l & 0xc0)
			return bad(m, "bad label type");
		if (l == 0) {
			o++;
			break;
		}
		if (o + 1 + l > len)
			return bad(m, "truncated");
		if (!first)
			out[n++] = '.';
		first = 0;
		for (i = 0; i < l; i++) {
			unsigned char c = p[o + 1 + i];

			if (n + 5 >= GH_DNS_NAME_MAX)
				return bad(m, "name too long");
			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\')
				out[n++] = (char)c;
			else
				n += (size_t)snprintf(out + n, 5, "\\%03u", c);
		}
		o += 1 + l;
	}
	if (first)
		out[n++] = '.';
	out[n] = '\0';
	*off = end ? end : o;
	return 0;
}

int gh_dns_parse(const unsigned char *p, size_t len, int tcp, int cut,
		 struct gh_dns *m)
{
	size_t off = HDR;
	unsigned i, qd, an;
	uint16_t flags;

	memset(m, 0, sizeof(*m));
	if (tcp && len >= 2 && be16(p) == len - 2) {
		p += 2;
		len -= 2;
	}
	if (len < HDR)
		return bad(m, cut ? "truncated" : "shorter than a header");
	m->id = be16(p);
	flags = be16(p + 2);
	m->response = !!(flags & 0x8000);
	m->tc = !!(flags & 0x0200);
	m->rcode = flags & 0xf;
	if (flags & 0x7800)
		return bad(m, "not a query (opcode)");
	m->qdcount = qd = be16(p + 4);
	m->ancount = an = be16(p + 6);
	if (qd == 0 && !m->response)
		return bad(m, "a query without a question");
	for (i = 0; i < qd; i++) {
		struct gh_dns_q q;

		if (get_name(p, len, &off, q.name, m) < 0)
			return -EINVAL;
		if (off + 4 > len)
			return bad(m, "truncated");
		q.type = be16(p + off);
		q.klass = be16(p + off + 2);
		off += 4;
		if (m->nq < GH_DNS_QD_MAX)
			m->q[m->nq++] = q;
	}
	for (i = 0; i < an; i++) {
		struct gh_dns_rr *r = &m->an[m->nan < GH_DNS_AN_MAX ? m->nan : 0];
		struct gh_dns_rr skip;
		uint16_t rdlen;
		size_t rd;

		if (m->nan >= GH_DNS_AN_MAX)
			r = &skip;
		if (get_name(p, len, &off, r->name, m) < 0)
			return -EINVAL;
		if (off + 10 > len)
			return bad(m, "truncated");
		r->type = be16(p + off);
		r->ttl = (uint32_t)be16(p + off + 4) << 16 | be16(p + off + 6);
		rdlen = be16(p + off + 8);
		off += 10;
		rd = off;
		if (rd + rdlen > len)
			return bad(m, "truncated");
		off += rdlen;
		if (be16(p + rd - 8) != 1)
			continue;	/* not class IN */
		if (r->type == GH_DNS_A) {
			if (rdlen != 4)
				return bad(m, "A record of a bad length");
			inet_ntop(AF_INET, p + rd, r->data, sizeof(r->data));
		} else if (r->type == GH_DNS_AAAA) {
			if (rdlen != 16)
				return bad(m, "AAAA record of a bad length");
			inet_ntop(AF_INET6, p + rd, r->data, sizeof(r->data));
		} else if (r->type == GH_DNS_CNAME) {
			size_t o = rd;

			if (get_name(p, rd + rdlen, &o, r->data, m) < 0 ||
			    o != rd + rdlen)
				return bad(m, "bad CNAME record");
		} else {
			continue;
		}
		if (r != &skip)
			m->nan++;
	}
	return 0;
}

const char *gh_dns_type_name(uint16_t type, char *buf)
{
	static const struct {
		uint16_t t;
		const char *n;
	} names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" },
		{ 12, "PTR" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
		{ 33, "SRV" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 255, "ANY" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return strcpy(buf, names[i].n);
	snprintf(buf, 16, "TYPE%u", type);
	return buf;
}
