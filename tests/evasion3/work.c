/* Workloads of tests/evasion3.bats: a third round of actions an adversary
 * would try in order to act while the receipt still says "closed".
 *
 *   work MODE [ARG...]
 *
 * Each mode does one thing and exits 0 when it could, 1 (with a message)
 * when it could not. Sockets are loopback ones. The netlink modes first move into a network
 * namespace of their own (unshare(CLONE_NEWNET)), so that what they change
 * is that namespace's loopback device and nothing of the machine's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

static int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

/* A netlink request: a header, then a struct ifaddrmsg or ifinfomsg,
 * then one IFA_LOCAL attribute (an IPv4 address). */
struct nlreq {
	struct nlmsghdr h;
	struct ifaddrmsg ifa;
	struct rtattr rta;
	struct in_addr addr;
};

/* RTM_NEWADDR 127.9.9.9/32 on interface index ifi (or RTM_GETADDR, a
 * dump of every address, for get) */
static void req(struct nlreq *r, int get, int ifi, unsigned seq)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = sizeof(*r);
	r->h.nlmsg_type = get ? RTM_GETADDR : RTM_NEWADDR;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			   (get ? NLM_F_DUMP : NLM_F_CREATE | NLM_F_EXCL);
	r->h.nlmsg_seq = seq;
	r->ifa.ifa_family = AF_INET;
	r->ifa.ifa_prefixlen = 32;
	r->ifa.ifa_index = get ? 0 : ifi;
	r->rta.rta_type = IFA_LOCAL;
	r->rta.rta_len = RTA_LENGTH(sizeof(struct in_addr));
	inet_pton(AF_INET, "127.9.9.9", &r->addr);
	if (get)
		r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
}

/* "127.9.9.9" on the namespace's loopback: 1 when the kernel has it */
static int has_addr(int s)
{
	char buf[16384];
	struct nlreq r;
	struct nlmsghdr *h;
	ssize_t n;
	int found = 0;

	req(&r, 1, 0, 99);
	if (send(s, &r, r.h.nlmsg_len, 0) < 0)
		return -1;
	while ((n = recv(s, buf, sizeof(buf), 0)) > 0) {
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			struct rtattr *a = IFA_RTA(ifa);
			int len = IFA_PAYLOAD(h);

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return found;
			if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_seq != 99)
				continue;
			for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
				if (a->rta_type == IFA_LOCAL &&
				    !memcmp(RTA_DATA(a), "\x7f\x09\x09\x09", 4))
					found = 1;
		}
	}
	return found;
}

/* nl HOW: in a new network namespace, add 127.9.9.9/32 to lo through
 * NETLINK_ROUTE, or only list the addresses (get), and print "added" when
 * the kernel has the address afterwards, "absent" when not. HOW:
 *   sendto    one RTM_NEWADDR, sendto(2)
 *   behind    RTM_GETADDR first, RTM_NEWADDR second, in one sendto(2)
 *   write     one RTM_NEWADDR, write(2)
 *   iov       one RTM_NEWADDR, sendmsg(2) with the header and the body
 *             in two iovecs
 *   get       RTM_GETADDR only (the twin: reads, changes nothing) */
static int nl(const char *how)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlreq r[2];
	struct iovec iov[2];
	struct msghdr mh = { .msg_name = &k, .msg_namelen = sizeof(k),
			     .msg_iov = iov };
	char ack[4096];
	int s, lo, found;
	ssize_t n;

	if (unshare(CLONE_NEWNET))
		return die("unshare");
	lo = if_nametoindex("lo");
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0 || !lo)
		return die("netlink socket");
	req(&r[0], 0, lo, 1);
	if (!strcmp(how, "sendto")) {
		n = sendto(s, r, r[0].h.nlmsg_len, 0, (void *)&k, sizeof(k));
	} else if (!strcmp(how, "behind")) {
		/* the GET padded to the NEWADDR's size, then the NEWADDR */
		req(&r[0], 1, 0, 1);
		r[0].h.nlmsg_len = sizeof(r[0]);
		req(&r[1], 0, lo, 2);
		n = sendto(s, r, sizeof(r), 0, (void *)&k, sizeof(k));
	} else if (!strcmp(how, "write")) {
		n = write(s, r, r[0].h.nlmsg_len);
	} else if (!strcmp(how, "iov")) {
		iov[0] = (struct iovec){ &r[0].h, sizeof(r[0].h) };
		iov[1] = (struct iovec){ &r[0].ifa, sizeof(r[0]) - sizeof(r[0].h) };
		mh.msg_iovlen = 2;
		n = sendmsg(s, &mh, 0);
	} else if (!strcmp(how, "get")) {
		n = 0;
	} else {
		fprintf(stderr, "work: nl: unknown %s\n", how);
		return 1;
	}
	if (n < 0)
		return die(how);
	if (n > 0)
		while (recv(s, ack, sizeof(ack), MSG_DONTWAIT) > 0)
			;
	found = has_addr(s);
	if (found < 0)
		return die("RTM_GETADDR");
	puts(found ? "added" : "absent");
	return 0;
}

/* A loopback socket of type t bound to a port the kernel picks: its
 * descriptor, the address in *a. */
static int bound(int t, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int s = socket(AF_INET, t, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (void *)a, sizeof(*a)) ||
	    getsockname(s, (void *)a, &len))
		return -1;
	return s;
}

/* udp HOW: a UDP socket connected to one local UDP socket (the peer)
 * sends "hello": to another local one named in sendto(2) (dest), or to
 * its peer (peer). Prints "PEERPORT OTHERPORT WHOGOT". */
static int udp(const char *how)
{
	struct sockaddr_in pa, oa;
	int p = bound(SOCK_DGRAM, &pa), o = bound(SOCK_DGRAM, &oa), s;
	char buf[16];
	ssize_t n;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (p < 0 || o < 0 || s < 0 || connect(s, (void *)&pa, sizeof(pa)))
		return die("udp sockets");
	if (!strcmp(how, "dest"))
		n = sendto(s, "hello", 5, 0, (void *)&oa, sizeof(oa));
	else
		n = send(s, "hello", 5, 0);
	if (n != 5)
		return die("udp send");
	n = recv(o, buf, sizeof(buf), MSG_DONTWAIT);
	printf("%d %d %s\n", ntohs(pa.sin_port), ntohs(oa.sin_port),
	       n == 5 ? "other" : "peer");
	return 0;
}

/* tcp HOW: "hello" to a local TCP listener through
 *   decoy  a connected socket, by sendto(2) naming 127.0.0.9:9 (TCP
 *          ignores the address: the listener's connection gets it)
 *   mmsg   the same by sendmmsg(2): "hel" without an address, "lo"
 *          naming 127.0.0.9:9
 *   tfo    an unconnected socket, by sendto(2) with MSG_FASTOPEN (the
 *          connect happens in the send)
 * Prints "PORT GOT" (the listener's port, the bytes it received). */
static int tcp(const char *how)
{
	struct sockaddr_in la, decoy = { .sin_family = AF_INET,
					 .sin_port = htons(9) };
	int q = 5, l = bound(SOCK_STREAM, &la), s, c;
	char buf[16];
	ssize_t n;

	inet_pton(AF_INET, "127.0.0.9", &decoy.sin_addr);
	if (l < 0 || setsockopt(l, IPPROTO_TCP, TCP_FASTOPEN, &q, sizeof(q)) ||
	    listen(l, 4))
		return die("tcp listener");
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return die("tcp socket");
	if (!strcmp(how, "decoy")) {
		if (connect(s, (void *)&la, sizeof(la)))
			return die("connect");
		n = sendto(s, "hello", 5, 0, (void *)&decoy, sizeof(decoy));
	} else if (!strcmp(how, "mmsg")) {
		struct iovec v[2] = { { "hel", 3 }, { "lo", 2 } };
		struct mmsghdr m[2] = {
			{ .msg_hdr = { .msg_iov = &v[0], .msg_iovlen = 1 } },
			{ .msg_hdr = { .msg_name = &decoy,
				       .msg_namelen = sizeof(decoy),
				       .msg_iov = &v[1], .msg_iovlen = 1 } },
		};

		if (connect(s, (void *)&la, sizeof(la)))
			return die("connect");
		n = sendmmsg(s, m, 2, 0) == 2 ? 5 : -1;
	} else {
		n = sendto(s, "hello", 5, MSG_FASTOPEN, (void *)&la, sizeof(la));
	}
	if (n != 5)
		return die("tcp send");
	c = accept(l, NULL, NULL);
	n = c < 0 ? -1 : recv(c, buf, 5, MSG_WAITALL);
	printf("%d %zd\n", ntohs(la.sin_port), n);
	close(s);
	return 0;
}

/* mq NAME...: each POSIX message queue NAME made, sent one message and
 * removed (a queue is a channel to any process that opens its name) */
static int mq(int n, char **names)
{
	struct mq_attr at = { .mq_maxmsg = 1, .mq_msgsize = 8 };
	mqd_t q;
	int i;

	for (i = 0; i < n; i++) {
		q = mq_open(names[i], O_CREAT | O_WRONLY, 0600, &at);
		if (q == (mqd_t)-1 || mq_send(q, "x", 1, 0) || mq_close(q) ||
		    mq_unlink(names[i]))
			return die(names[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "nl"))
		return nl(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "udp"))
		return udp(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "tcp"))
		return tcp(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "mq"))
		return mq(argc - 2, argv + 2);
	fprintf(stderr, "usage: work MODE [ARG...]\n");
	return 2;
}
