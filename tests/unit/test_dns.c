/* Unit tests of lib/dns.c: decoding DNS messages, and refusing malformed
 * ones without reading past them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "tap.h"

/* A response: gh-test.example A, answered by a CNAME to www.gh-test.example
 * (a compression pointer to the question's name) and its A 127.0.0.7
 * (a pointer to the CNAME's target). */
static const unsigned char resp[] = {
	0x47, 0x01, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
	7, 'g', 'h', '-', 't', 'e', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0, 1, 0, 1,
	/* offset 33: CNAME */
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6,
	3, 'w', 'w', 'w', 0xc0, 12,
	/* offset 51: A, owner at 45 (the CNAME's target) */
	0xc0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 7,
};

static const unsigned char query[] = {
	0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	1, 'a', 2, 'b', '.', 0, 0, 28, 0, 1,
};

int main(void)
{
	struct gh_dns *m = malloc(sizeof(*m));
	unsigned char buf[128];
	char tn[16];
	size_t i;

	if (!m)
		return 2;
	ok(gh_dns_parse(resp, sizeof(resp), 0, 0, m) == 0 && !m->error,
	   "a response with compression decodes");
	ok(m->id == 0x4701 && m->response && m->rcode == 0 && m->nq == 1 &&
	   strcmp(m->q[0].name, "gh-test.example") == 0 && m->q[0].type == 1,
	   "its header and question");
	ok(m->nan == 2 && m->an[0].type == GH_DNS_CNAME &&
	   strcmp(m->an[0].data, "www.gh-test.example") == 0 && m->an[0].ttl == 60,
	   "the CNAME and its target");
	ok(strcmp(m->an[1].name, "www.gh-test.example") == 0 &&
	   strcmp(m->an[1].data, "127.0.0.7") == 0, "the A record, named by a pointer");

	ok(gh_dns_parse(query, sizeof(query), 0, 0, m) == 0 && !m->response &&
	   strcmp(m->q[0].name, "a.b\\046") == 0 && m->q[0].type == GH_DNS_AAAA,
	   "a query: a '.' inside a label is escaped (%s)", m->q[0].name);

	/* TCP: the length prefix is skipped when it matches */
	buf[0] = 0;
	buf[1] = sizeof(query);
	memcpy(buf + 2, query, sizeof(query));
	ok(gh_dns_parse(buf, sizeof(query) + 2, 1, 0, m) == 0 && m->id == 0x1234,
	   "over TCP, with its length prefix");
	ok(gh_dns_parse(buf, sizeof(query) + 2, 0, 0, m) == -EINVAL,
	   "the same bytes are not a message over UDP");

	/* every shorter prefix of the response is refused, never read past */
	for (i = 0; i < sizeof(resp); i++)
		if (gh_dns_parse(resp, i, 0, 0, m) != -EINVAL || !m->error)
			break;
	if (!ok(i == sizeof(resp), "every cut of the response is malformed"))
		diag("a cut at %zu bytes was accepted", i);
	ok(gh_dns_parse(resp, 40, 0, 1, m) == -EINVAL &&
	   strcmp(m->error, "truncated") == 0 && m->nq == 1,
	   "a cut message keeps what came before the cut");

	/* a pointer to itself */
	memcpy(buf, resp, sizeof(resp));
	buf[33] = 0xc0;
	buf[34] = 33;
	ok(gh_dns_parse(buf, sizeof(resp), 0, 0, m) == -EINVAL &&
	   strcmp(m->error, "compression loop") == 0, "a compression loop");
	/* a pointer beyond the message */
	buf[34] = 200;
	ok(gh_dns_parse(buf, sizeof(resp), 0, 0, m) == -EINVAL,
	   "a pointer out of the message");
	/* an A record of 3 bytes */
	memcpy(buf, resp, sizeof(resp));
	buf[sizeof(resp) - 5] = 3;
	ok(gh_dns_parse(buf, sizeof(resp) - 1, 0, 0, m) == -EINVAL &&
	   strcmp(m->error, "A record of a bad length") == 0, "a bad A length");
	/* a reserved label type */
	memcpy(buf, query, sizeof(query));
	buf[12] = 0x41;
	ok(gh_dns_parse(buf, sizeof(query), 0, 0, m) == -EINVAL &&
	   strcmp(m->error, "bad label type") == 0, "a reserved label type");
	ok(gh_dns_parse(query, 5, 0, 0, m) == -EINVAL &&
	   strcmp(m->error, "shorter than a header") == 0, "shorter than a header");

	ok(strcmp(gh_dns_type_name(28, tn), "AAAA") == 0 &&
	   strcmp(gh_dns_type_name(999, tn), "TYPE999") == 0, "type names");
	free(m);
	return done_testing();
}
