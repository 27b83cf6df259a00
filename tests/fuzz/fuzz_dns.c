/* libFuzzer target: the DNS message decoder (lib/dns.c), which reads the
 * payloads a traced command sends to and receives from port 53. Any
 * bytes, over UDP or TCP, cut or not: a verdict (0, or -EINVAL with the
 * reason in m.error), what was kept within its bounds, every name a
 * terminated string. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

static void check_name(const char *s)
{
	if (!memchr(s, '\0', GH_DNS_NAME_MAX))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct gh_dns m;
	char tbuf[16];

	for (int tcp = 0; tcp < 2; tcp++)
		for (int cut = 0; cut < 2; cut++) {
			int rc = gh_dns_parse(data, size, tcp, cut, &m);

			if ((rc == 0) != (m.error == NULL) || (rc != 0 && rc != -EINVAL))
				abort();
			if (m.nq > GH_DNS_QD_MAX || m.nan > GH_DNS_AN_MAX ||
			    m.nq > m.qdcount || m.nan > m.ancount)
				abort();
			for (unsigned i = 0; i < m.nq; i++) {
				check_name(m.q[i].name);
				gh_dns_type_name(m.q[i].type, tbuf);
				check_name(tbuf);
			}
			for (unsigned i = 0; i < m.nan; i++) {
				check_name(m.an[i].name);
				check_name(m.an[i].data);
			}
		}
	return 0;
}
