/* Workloads of tests/evasion2.bats: more actions an adversary would try
 * in order to act while the receipt still says "closed".
 *
 *   work MODE [ARG...]
 *
 * Each mode does one thing and exits 0 when it could, 1 (with a message)
 * when it could not. Sockets are loopback or Unix sockets only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <liburing.h>
#include <linux/vm_sockets.h>

static int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

static struct sockaddr_in lo(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* mmsg IP:PORT|-...: one UDP sendmmsg of one message to each address;
 * a "-" sends its message without an address, on a socket connected
 * first to a UDP socket of this process (127.0.0.1, a port the kernel
 * picks). */
static int mmsg(int argc, char **argv)
{
	struct sockaddr_in a[64];
	struct mmsghdr m[64];
	struct iovec iov = { "x", 1 };
	int s, i, n = argc, conn = 0;

	if (n > 64)
		n = 64;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return die("socket");
	memset(m, 0, sizeof(m));
	for (i = 0; i < n; i++) {
		char ip[64];
		int port = 0;

		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
		if (!strcmp(argv[i], "-")) {
			conn = 1;
			continue;
		}
		if (sscanf(argv[i], "%63[^:]:%d", ip, &port) != 2)
			return die("address");
		a[i] = lo(ip, port);
		m[i].msg_hdr.msg_name = &a[i];
		m[i].msg_hdr.msg_namelen = sizeof(a[i]);
	}
	if (conn) {
		struct sockaddr_in r = lo("127.0.0.1", 0);
		socklen_t rl = sizeof(r);
		int rs = socket(AF_INET, SOCK_DGRAM, 0);

		if (rs < 0 || bind(rs, (struct sockaddr *)&r, sizeof(r)) < 0 ||
		    getsockname(rs, (struct sockaddr *)&r, &rl) < 0 ||
		    connect(s, (struct sockaddr *)&r, sizeof(r)) < 0)
			return die("connect");
	}
	i = sendmmsg(s, m, n, 0);
	if (i != n)
		return die("sendmmsg");
	printf("sent %d\n", i);
	return 0;
}

/* A fanotify group (fanotify_init's flags and event_f_flags) marked for
 * the opens of FILE, FILE opened for reading, and the event that open
 * raised read into buf (len bytes): 0, or 1 after a message. */
static int fan_event(const char *file, unsigned flags, unsigned event_f_flags,
		     void *buf, size_t len)
{
	int f, fd;

	f = fanotify_init(flags, event_f_flags);
	if (f < 0)
		return die("fanotify_init");
	if (fanotify_mark(f, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, file) < 0)
		return die("fanotify_mark");
	fd = open(file, O_RDONLY);
	if (fd < 0)
		return die("open");
	close(fd);
	if (read(f, buf, len) < (ssize_t)sizeof(struct fanotify_event_metadata))
		return die("read event");
	return 0;
}

/* fanotify FILE: read FILE (an open for reading), and write through the
 * read-write descriptor of FILE that fanotify hands over with the event. */
static int fan(const char *file)
{
	struct fanotify_event_metadata ev;

	if (fan_event(file, FAN_CLASS_NOTIF, O_RDWR, &ev, sizeof(ev)))
		return 1;
	if (ev.fd < 0)
		return die("read event");
	if (pwrite(ev.fd, "owned\n", 6, 0) != 6)
		return die("write");
	return 0;
}

/* vsock PORT: a non-blocking connect to PORT of this machine's own vsock
 * context (VMADDR_CID_LOCAL); whether anyone listens does not matter. */
static int vsock(int port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_port = port,
				 .svm_cid = VMADDR_CID_LOCAL };
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (s < 0)
		return die("socket");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	    errno != EINPROGRESS && errno != ECONNRESET && errno != ENODEV &&
	    errno != ECONNREFUSED)
		return die("connect");
	return 0;
}

/* family NAME: a socket of family xdp (raw frames from a user-space
 * ring: no send call names them) or netlink (the kernel's routing). */
static int family(const char *name)
{
	int s;

	if (!strcmp(name, "xdp"))
		s = socket(AF_XDP, SOCK_RAW, 0);
	else if (!strcmp(name, "netlink"))
		s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	else
		return die("family");
	if (s < 0)
		return die("socket");
	return 0;
}

/* fanfid FILE: the same with a group that reports file ids, not
 * descriptors: the event's fd is FAN_NOFD. */
static int fanfid(const char *file)
{
	char buf[4096];
	struct fanotify_event_metadata *ev = (void *)buf;

	if (fan_event(file, FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY, buf,
		      sizeof(buf)))
		return 1;
	if (ev->fd != FAN_NOFD)
		return die("read event");
	return 0;
}

/* sigio PID|self SIG [ioctl]: make PID the owner of a pipe's reading end (fcntl
 * F_SETOWN), or of a socket's (ioctl FIOSETOWN), choose SIG for its I/O signals
 * (F_SETSIG), and write into the pipe: the kernel sends SIG to PID. A
 * negative PID is a process group. */
static int sigio(int pid, int sig, int by_ioctl)
{
	int p[2];

	/* FIOSETOWN is a socket's ioctl */
	if (by_ioctl ? socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 : pipe(p) < 0)
		return die("pipe");
	if (by_ioctl ? ioctl(p[0], FIOSETOWN, &pid) < 0 :
	    fcntl(p[0], F_SETOWN, pid) < 0)
		return die("owner");
	if (fcntl(p[0], F_SETSIG, sig) < 0 ||
	    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0)
		return die("fcntl");
	if (write(p[1], "x", 1) != 1)
		return die("write");
	return 0;
}

/* fexec FILE: run FILE through fexecve(3) (execveat of its descriptor,
 * moved to 5 and left open across the exec, AT_EMPTY_PATH) in a child,
 * and wait. */
static int fexec(const char *file)
{
	char *argv[] = { "fexec-child", NULL }, *envp[] = { NULL };
	int fd = open(file, O_RDONLY), st;
	pid_t p;

	if (fd < 0 || dup2(fd, 5) < 0)
		return die("open");
	fd = 5;
	p = fork();
	if (p == 0) {
		fexecve(fd, argv, envp);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return die("fork");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* uconn PATH LINK: a unix socket listening at PATH, then connects to it
 * through LINK (a symbolic link to PATH, made here) and through
 * /proc/self/fd/9 (an O_PATH descriptor of PATH); with LINK "-", one
 * connect by PATH itself. */
static int uconn(const char *path, const char *link)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c, fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0)
		return die("listen");
	if (!strcmp(link, "-")) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
			return die("connect");
		return 0;
	}
	if (symlink(path, link) < 0)
		return die("symlink");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", link);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return die("connect link");
	fd = open(path, O_PATH);
	if (fd < 0 || dup2(fd, 9) < 0)
		return die("open");
	fd = 9;
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d", fd);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return die("connect fd");
	return 0;
}

/* uconn_uring PATH LINK: as uconn, the connect through LINK made by an
 * io_uring CONNECT. */
static int uconn_uring(const char *path, const char *link)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0)
		return die("listen");
	if (symlink(path, link) < 0)
		return die("symlink");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", link);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c < 0 || io_uring_queue_init(4, &ring, 0) < 0)
		return die("io_uring");
	io_uring_prep_connect(io_uring_get_sqe(&ring), c, (struct sockaddr *)&a,
			      sizeof(a));
	if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_wait_cqe(&ring, &cqe) < 0)
		return die("submit");
	if (cqe->res < 0) {
		errno = -cqe->res;
		return die("connect");
	}
	return 0;
}

/* usend PATH LINK: a unix datagram socket bound at PATH, and a datagram
 * sent to it through LINK (a symbolic link to PATH, made here); with
 * LINK "-", sent to PATH itself. */
static int usend(const char *path, const char *link)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_DGRAM, 0), c;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0)
		return die("bind");
	if (strcmp(link, "-")) {
		if (symlink(path, link) < 0)
			return die("symlink");
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", link);
	}
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (c < 0 || sendto(c, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) != 1)
		return die("sendto");
	return 0;
}

/* tun: open the tun/tap driver and make an interface with it (run it in
 * a network namespace of its own: unshare -n). */
static int tun(void)
{
	struct ifreq r = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR);

	snprintf(r.ifr_name, sizeof(r.ifr_name), "ghtun0");
	if (fd < 0 || ioctl(fd, TUNSETIFF, &r) < 0)
		return die("tun");
	return 0;
}

/* xchg_uring A B [plain]: swap the names A and B with an io_uring
 * RENAMEAT (RENAME_EXCHANGE), or with "plain" rename A to B. */
static int xchg_uring(const char *a, const char *b, int plain)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;

	if (io_uring_queue_init(4, &ring, 0) < 0)
		return die("io_uring");
	io_uring_prep_renameat(io_uring_get_sqe(&ring), AT_FDCWD, a, AT_FDCWD, b,
			       plain ? 0 : RENAME_EXCHANGE);
	if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_wait_cqe(&ring, &cqe) < 0)
		return die("submit");
	if (cqe->res < 0) {
		errno = -cqe->res;
		return die("renameat");
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "mmsg"))
		return mmsg(argc - 2, argv + 2);
	if (!strcmp(argv[1], "fanotify") && argc == 3)
		return fan(argv[2]);
	if (!strcmp(argv[1], "fanfid") && argc == 3)
		return fanfid(argv[2]);
	if (!strcmp(argv[1], "sigio") && argc >= 4)
		return sigio(strcmp(argv[2], "self") ? atoi(argv[2]) : getpid(),
			     atoi(argv[3]), argc == 5);
	if (!strcmp(argv[1], "fexec") && argc == 3)
		return fexec(argv[2]);
	if (!strcmp(argv[1], "uconn") && argc == 4)
		return uconn(argv[2], argv[3]);
	if (!strcmp(argv[1], "uconn_uring") && argc == 4)
		return uconn_uring(argv[2], argv[3]);
	if (!strcmp(argv[1], "usend") && argc == 4)
		return usend(argv[2], argv[3]);
	if (!strcmp(argv[1], "tun"))
		return tun();
	if (!strcmp(argv[1], "xchg_uring") && argc >= 4)
		return xchg_uring(argv[2], argv[3], argc == 5);
	if (!strcmp(argv[1], "vsock") && argc == 3)
		return vsock(atoi(argv[2]));
	if (!strcmp(argv[1], "family") && argc == 3)
		return family(argv[2]);
	fprintf(stderr, "work: unknown mode %s\n", argv[1]);
	return 2;
}
