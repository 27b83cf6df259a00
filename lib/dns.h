/* Decoding DNS messages (RFC 1035): the questions and the A, AAAA and
 * CNAME answers of one message, from a bounded copy of its payload.
 *
 * gh_dns_parse() fills a caller's struct gh_dns and allocates nothing;
 * names are in presentation form (labels joined by '.', bytes outside
 * printable ASCII and '.' or '\' inside a label written as \DDD), without
 * the final dot ("." for the root). A message over TCP may keep its
 * two-byte length prefix: with tcp set, a prefix that matches the length
 * is skipped.
 *
 * Ownership: nothing is allocated; m->error points to a constant string.
 */
#ifndef GH_DNS_H
#define GH_DNS_H

#include <stddef.h>
#include <stdint.h>

#define GH_DNS_NAME_MAX 1024	/* presentation form, NUL included */
#define GH_DNS_QD_MAX 4		/* questions kept */
#define GH_DNS_AN_MAX 32	/* answers kept (A, AAAA, CNAME) */

enum { GH_DNS_A = 1, GH_DNS_CNAME = 5, GH_DNS_AAAA = 28 };

struct gh_dns_q {
	char name[GH_DNS_NAME_MAX];
	uint16_t type, klass;
};

struct gh_dns_rr {
	char name[GH_DNS_NAME_MAX];
	uint16_t type;
	uint32_t ttl;
	char data[GH_DNS_NAME_MAX];	/* the address, or the CNAME target */
};

struct gh_dns {
	uint16_t id;
	int response;		/* the QR bit */
	int rcode;
	int tc;			/* the TC bit: the answer was cut by the server */
	unsigned nq, nan;	/* kept */
	unsigned qdcount, ancount;	/* as the header says */
	struct gh_dns_q q[GH_DNS_QD_MAX];
	struct gh_dns_rr an[GH_DNS_AN_MAX];
	const char *error;	/* why the message is malformed, or NULL */
};

/* Decode len bytes at p into m. Returns 0, or -EINVAL with m->error
 * naming the first problem (what was decoded before it stays in m). A
 * payload cut short by the capture (cut set) is not malformed where it
 * ends: decoding stops there, with m->error "truncated". */
int gh_dns_parse(const unsigned char *p, size_t len, int tcp, int cut,
		 struct gh_dns *m);

/* The name of a record type ("A", "AAAA", "CNAME", ... or "TYPE<n>"),
 * into buf (at least 16 bytes); returns buf. */
const char *gh_dns_type_name(uint16_t type, char *buf);

#endif
