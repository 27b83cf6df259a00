/* Workloads of tests/channels.bats: one small action per channel.
 *
 *   work MODE [ARG...]
 *
 * Each mode does one thing and exits 0 when it could, 1 (with a message)
 * when it could not. Network modes use the loopback interface only. */
#define _GNU_SOURCE
#include "../work.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <sys/sendfile.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

/* PID or "child": the target of the control modes. */
static pid_t target(const char *s, int *own)
{
	*own = strcmp(s, "child") == 0;
	return *own ? child() : (pid_t)atoi(s);
}

/* Submit one prepared operation and wait for it: its result. */
static int uring_run(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(ring) != 1 || io_uring_wait_cqe(ring, &cqe) < 0)
		return -EIO;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/* Files and sockets through io_uring, in DIR and on loopback. */
static int uring(const char *dir)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct msghdr mh = { 0 };
	struct iovec iov = { "x", 1 };
	int dfd, lfd, s, u, fd;

	if (io_uring_queue_init(8, &ring, 0) < 0)
		return die("io_uring_queue_init");
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, dfd, "u", O_CREAT | O_WRONLY, 0600);
	if ((fd = uring_run(&ring)) < 0)
		return die("openat");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "ud", 0700);
	uring_run(&ring);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "u", dfd, "u2", 0);
	uring_run(&ring);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "u2", 0);
	uring_run(&ring);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, dfd, "missing", O_RDONLY, 0);
	uring_run(&ring);

	/* a TCP listener of its own on loopback, reached through the ring */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) < 0)
		return die("listen");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM, 0, 0);
	if ((s = uring_run(&ring)) < 0)
		return die("socket");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, s, (struct sockaddr *)&sin, sizeof(sin));
	if (uring_run(&ring) < 0)
		return die("connect");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accept(sqe, lfd, NULL, NULL, 0);
	if (uring_run(&ring) < 0)
		return die("accept");

	/* an unconnected UDP send with an address */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = htons(9);	/* discard: nothing listens, nothing leaves */
	mh.msg_name = &sin;
	mh.msg_namelen = sizeof(sin);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_sendmsg(sqe, u, &mh, 0);
	uring_run(&ring);
	return 0;
}

/* A name rewritten while its syscall runs: a thread opens the FIFO
 * DIR/fifo for reading, which blocks in the kernel after the name was
 * copied; once it sleeps there, this thread rewrites the name to
 * DIR/other (with flip) and opens the FIFO for writing, which lets the
 * open return. The tracer reads the name at entry and again at exit. */
struct race {
	char name[4096];
	int note[2];
	pid_t tid;
	int fd;
};

static void *race_open(void *arg)
{
	struct race *r = arg;

	r->tid = (pid_t)syscall(SYS_gettid);
	if (write(r->note[1], "x", 1) != 1)
		return NULL;
	r->fd = open(r->name, O_RDONLY);
	return NULL;
}

/* The state letter of thread tid ('S': sleeping), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static int race(const char *dir, int flip)
{
	static struct race r = { .fd = -1 };
	char fifo[4096], c;
	pthread_t t;
	int i, w;

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600) < 0 || pipe(r.note) < 0)
		return die("mkfifo");
	snprintf(r.name, sizeof(r.name), "%s", fifo);
	if (pthread_create(&t, NULL, race_open, &r) != 0)
		return die("pthread_create");
	if (read(r.note[0], &c, 1) != 1)
		return die("read");
	/* bounded: 5 s for the opener to sleep in open(2) */
	for (i = 0; i < 5000 && thread_state(r.tid) != 'S'; i++)
		usleep(1000);
	if (i == 5000) {
		fprintf(stderr, "work: the opener never slept\n");
		return 1;
	}
	if (flip)
		snprintf(r.name, sizeof(r.name), "%s/other", dir);
	w = open(fifo, O_WRONLY | O_NONBLOCK);
	if (w < 0)
		return die("open fifo");
	pthread_join(t, NULL);
	return r.fd < 0 ? die("open") : 0;
}

/* A loopback connect and a send without an address through io_uring,
 * the socket given as a fixed file (fixed) or as its fd. */
static int uring_fixed(int fixed)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int l, c, fd;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &sl) < 0)
		return die("listen");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (io_uring_queue_init(8, &ring, 0) < 0)
		return die("io_uring_queue_init");
	if (fixed && io_uring_register_files(&ring, &c, 1) < 0)
		return die("io_uring_register_files");
	fd = fixed ? 0 : c;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sin, sizeof(sin));
	if (fixed)
		sqe->flags |= IOSQE_FIXED_FILE;
	if (uring_run(&ring) < 0)
		return die("connect");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_send(sqe, fd, "x", 1, 0);
	if (fixed)
		sqe->flags |= IOSQE_FIXED_FILE;
	return uring_run(&ring) == 1 ? 0 : die("send");
}

/* A connected socket (loopback TCP or one end of a Unix socket pair)
 * whose other end another process reads to the end; -1 on failure. The
 * reader is no child of a tracer started later, which would wait for it:
 * it ends when the last copy of the returned socket is closed. */
static int reader_pair(const char *kind)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int sv[2], l;
	char buf[512];
	pid_t p;

	if (!strcmp(kind, "unix")) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return die("socketpair") - 2;
	} else {
		l = socket(AF_INET, SOCK_STREAM, 0);
		sv[0] = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0 ||
		    getsockname(l, (struct sockaddr *)&sin, &sl) < 0 ||
		    connect(sv[0], (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return die("loopback") - 2;
		sv[1] = accept(l, NULL, NULL);
		close(l);
	}
	p = fork();
	if (p == 0) {
		if (fork() == 0) {
			close(sv[0]);
			while (read(sv[1], buf, sizeof(buf)) > 0)
				;
		}
		_exit(0);
	}
	waitpid(p, NULL, 0);
	close(sv[1]);
	return sv[0];
}

/* pass tcp|unix CMD...: CMD runs with fd 3 a connected socket (loopback
 * TCP or a Unix socket pair) whose other end another process reads to the
 * end. */
static int pass(const char *kind, char **cmd)
{
	int s = reader_pair(kind);

	if (s < 0)
		return 1;
	if (dup2(s, 3) < 0)
		return die("dup2");
	if (s != 3)
		close(s);
	execvp(cmd[0], cmd);
	return die("exec");
}

/* passfd tcp|unix CMD...: CMD runs with fd 3 a Unix socket over which a
 * process outside CMD's tree sends it (SCM_RIGHTS) a connected socket as
 * pass makes one, and exits. */
static int passfd(const char *kind, char **cmd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int s = reader_pair(kind), u[2];
	pid_t p;

	if (s < 0)
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, u) < 0)
		return die("socketpair");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &s, sizeof(int));
	p = fork();
	if (p == 0) {
		if (fork() == 0)
			_exit(sendmsg(u[1], &mh, 0) == 1 ? 0 : die("sendmsg"));
		_exit(0);
	}
	waitpid(p, NULL, 0);
	close(s);
	close(u[1]);
	if (dup2(u[0], 3) < 0)
		return die("dup2");
	if (u[0] != 3)
		close(u[0]);
	execvp(cmd[0], cmd);
	return die("exec");
}

/* recv3 HOW: a socket received on fd 3 (SCM_RIGHTS), then 5 bytes on it
 * by write, send or sendmsg (none: no send). Prints its descriptor. */
static int recv3(const char *how)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { &b, 1 }, hi = { "hello", 5 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct msghdr sm = { .msg_iov = &hi, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n = 5;
	int fd;

	if (recvmsg(3, &mh, 0) != 1 || !(c = CMSG_FIRSTHDR(&mh)) ||
	    c->cmsg_type != SCM_RIGHTS)
		return die("recvmsg");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	printf("%d\n", fd);
	if (!strcmp(how, "write"))
		n = write(fd, "hello", 5);
	else if (!strcmp(how, "send"))
		n = send(fd, "hello", 5, 0);
	else if (!strcmp(how, "sendmsg"))
		n = sendmsg(fd, &sm, 0);
	else if (strcmp(how, "none"))
		return die(how);
	return n == 5 ? 0 : die(how);
}

/* send3 HOW: 5 bytes on fd 3, by write, send, sendmsg or sendfile. */
/* io_uring writes on fd 3: write, writev, write on fd 3 registered as
 * fixed file 0 (write_fixed), splice from a pipe. */
static ssize_t send3_uring(const char *how)
{
	struct iovec iov = { "hello", 5 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd3 = 3, p[2];

	if (io_uring_queue_init(8, &ring, 0) < 0)
		return die("io_uring_queue_init");
	sqe = io_uring_get_sqe(&ring);
	if (!strcmp(how, "write")) {
		io_uring_prep_write(sqe, 3, "hello", 5, 0);
	} else if (!strcmp(how, "writev")) {
		io_uring_prep_writev(sqe, 3, &iov, 1, 0);
	} else if (!strcmp(how, "write_fixed")) {
		if (io_uring_register_files(&ring, &fd3, 1) < 0)
			return die("io_uring_register_files");
		io_uring_prep_write(sqe, 0, "hello", 5, 0);
		sqe->flags |= IOSQE_FIXED_FILE;
	} else if (!strncmp(how, "recvmsg", 7)) {
		/* recvmsg_ctl: with a control buffer (for descriptors) */
		static char ctl[64], buf[8];
		static struct iovec riov = { buf, sizeof(buf) };
		static struct msghdr mh = { .msg_iov = &riov, .msg_iovlen = 1 };

		if (!strcmp(how, "recvmsg_ctl")) {
			mh.msg_control = ctl;
			mh.msg_controllen = sizeof(ctl);
		}
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 || write(p[1], "hello", 5) != 5)
			return die("socketpair");
		io_uring_prep_recvmsg(sqe, p[0], &mh, 0);
	} else if (!strcmp(how, "splice")) {
		if (pipe(p) < 0 || write(p[1], "hello", 5) != 5)
			return die("pipe");
		io_uring_prep_splice(sqe, p[0], -1, 3, -1, 5, 0);
	} else {
		return die(how);
	}
	return uring_run(&ring);
}

static int send3(const char *how)
{
	struct iovec iov = { "hello", 5 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = 0;
	int f;

	if (!strcmp(how, "write"))
		n = write(3, "hello", 5);
	else if (!strcmp(how, "send"))
		n = send(3, "hello", 5, 0);
	else if (!strcmp(how, "sendmsg"))
		n = sendmsg(3, &mh, 0);
	else if (!strcmp(how, "uring")) {
		struct io_uring ring;

		if (io_uring_queue_init(8, &ring, 0) < 0)
			return die("io_uring_queue_init");
		io_uring_prep_send(io_uring_get_sqe(&ring), 3, "hello", 5, 0);
		n = uring_run(&ring);
	} else if (!strcmp(how, "sendfile")) {
		f = memfd_create("hello", 0);
		if (f < 0 || write(f, "hello", 5) != 5 || lseek(f, 0, SEEK_SET) != 0)
			return die("memfd");
		n = sendfile(3, f, NULL, 5);
	} else if (!strcmp(how, "none")) {
		n = 5;
	} else if (!strncmp(how, "uring_", 6)) {
		n = send3_uring(how + 6);
	}
	return n == 5 ? 0 : die(how);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : "";
	int own = 0, fd;
	pid_t p;

	if (!strcmp(m, "none"))
		return 0;
	if (!strcmp(m, "bpf")) {
		/* an unknown command: refused, but made */
		syscall(SYS_bpf, 0x7fff, NULL, 0);
		return 0;
	}
	if (!strcmp(m, "x32")) {
		/* getpid with the x32 bit: ENOSYS where x32 is off */
		syscall(0x40000000 | 39);
		return 0;
	}
	if (!strcmp(m, "int80")) {
		long r = 20;	/* i386 getpid */

		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
		return 0;
	}
	if (!strcmp(m, "mknod"))
		return mknod(a, S_IFCHR | 0600, makedev(1, 3)) < 0 ? die("mknod") : 0;
	if (!strcmp(m, "setxattr")) {
		/* argv[3]: the attribute; a file capability (v2: cap_net_raw
		 * permitted and effective) for security.capability */
		const char *name = argc > 3 ? argv[3] : "user.gh";
		uint32_t cap[5] = { 0x02000001, 1u << 13, 0, 0, 0 };

		if (strcmp(name, "security.capability") == 0)
			return setxattr(a, name, cap, sizeof(cap), 0) < 0 ? die("setxattr") : 0;
		return setxattr(a, name, "v", 1, 0) < 0 ? die("setxattr") : 0;
	}
	if (!strcmp(m, "removexattr"))
		return removexattr(a, argc > 3 ? argv[3] : "user.gh") < 0 ?
		       die("removexattr") : 0;
	if (!strcmp(m, "utime"))
		return utimensat(AT_FDCWD, a, NULL, 0) < 0 ? die("utimensat") : 0;
	if (!strcmp(m, "handle")) {
		struct file_handle *h = malloc(sizeof(*h) + 128);
		int mnt;

		h->handle_bytes = 128;
		if (name_to_handle_at(AT_FDCWD, a, h, &mnt, 0) < 0)
			return die("name_to_handle_at");
		mnt = open("/", O_RDONLY | O_DIRECTORY);
		fd = open_by_handle_at(mnt, h, O_RDONLY);
		return fd < 0 ? die("open_by_handle_at") : 0;
	}
	if (!strcmp(m, "memfd"))
		return memfd_create("gh-memfd", 0) < 0 ? die("memfd_create") : 0;
	if (!strcmp(m, "mount")) {
		/* in a mount namespace of its own: nothing outside changes */
		if (unshare(CLONE_NEWNS) < 0)
			return die("unshare");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return die("mount private");
		if (mount("gh-tmp", a, "tmpfs", 0, NULL) < 0)
			return die("mount");
		return umount2(a, 0) < 0 ? die("umount2") : 0;
	}
	if (!strcmp(m, "setuid"))
		return setresuid(-1, -1, -1) < 0 ? die("setresuid") : 0;
	if (!strcmp(m, "ptrace")) {
		p = target(a, &own);
		if (ptrace(PTRACE_ATTACH, p, 0, 0) < 0)
			return die("ptrace");
		waitpid(p, NULL, __WALL);
		ptrace(PTRACE_DETACH, p, 0, 0);
		if (own)
			reap(p);
		return 0;
	}
	if (!strcmp(m, "pidfd_getfd")) {
		int pfd;

		p = target(a, &own);
		pfd = syscall(SYS_pidfd_open, p, 0);
		if (pfd < 0)
			return die("pidfd_open");
		fd = syscall(SYS_pidfd_getfd, pfd, 0, 0);
		if (own)
			reap(p);
		return fd < 0 ? die("pidfd_getfd") : 0;
	}
	if (!strcmp(m, "kill")) {
		p = target(a, &own);
		if (kill(p, SIGTERM) < 0)
			return die("kill");
		if (own)
			waitpid(p, NULL, 0);
		return 0;
	}
	if (!strcmp(m, "packet")) {
		/* a raw frame on the loopback interface, sent without an
		 * address on a bound packet socket */
		struct sockaddr_ll sll = { .sll_family = AF_PACKET,
					   .sll_protocol = htons(ETH_P_ALL) };
		unsigned char frame[60] = { 0 };

		fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		if (fd < 0)
			return die("socket");
		sll.sll_ifindex = if_nametoindex("lo");
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return die("bind");
		frame[12] = 0x88;	/* a local experimental ethertype */
		frame[13] = 0xb5;
		return send(fd, frame, sizeof(frame), 0) < 0 ? die("send") : 0;
	}
	if (!strcmp(m, "uring"))
		return uring(a);
	if (!strcmp(m, "uring_msg")) {
		/* a message to a ring: an operation gh-trace does not decode */
		struct io_uring ring;

		if (io_uring_queue_init(8, &ring, 0) < 0)
			return die("io_uring_queue_init");
		io_uring_prep_msg_ring(io_uring_get_sqe(&ring), ring.ring_fd, 0, 0, 0);
		return uring_run(&ring) < 0 ? 1 : 0;
	}
	if (!strcmp(m, "uring_nop")) {
		struct io_uring ring;

		if (io_uring_queue_init(8, &ring, 0) < 0)
			return die("io_uring_queue_init");
		io_uring_prep_nop(io_uring_get_sqe(&ring));
		return uring_run(&ring) < 0 ? 1 : 0;
	}
	if (!strcmp(m, "unread")) {
		/* a name in a page that is not there when open(2) begins:
		 * the kernel faults it in (zeros: an empty name) */
		char *pg = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (pg == MAP_FAILED)
			return die("mmap");
		if (argc > 2)	/* twin: the name written first */
			snprintf(pg, 4096, "%s", a);
		return open(pg, O_RDONLY) < 0 && errno != ENOENT ? die("open") : 0;
	}
	if (!strcmp(m, "pass") && argc > 3)
		return pass(a, argv + 3);
	if (!strcmp(m, "passfd") && argc > 3)
		return passfd(a, argv + 3);
	if (!strcmp(m, "recv3"))
		return recv3(a);
	if (!strcmp(m, "sockets") && argc > 3) {
		/* N Unix socket pairs, one end of each at fds 10.., then CMD */
		int i, sv[2];

		for (i = 0; i < atoi(a); i++)
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
			    dup2(sv[0], 10 + i) < 0 || fcntl(10 + i, F_SETFD, 0) < 0)
				return die("socketpair");
		execvp(argv[3], argv + 3);
		return die("exec");
	}
	if (!strcmp(m, "uring_fixed"))
		return uring_fixed(1);
	if (!strcmp(m, "uring_fd"))
		return uring_fixed(0);
	if (!strcmp(m, "send3"))
		return send3(a);
	if (!strcmp(m, "race"))
		return race(a, 1);
	if (!strcmp(m, "norace"))
		return race(a, 0);
	if (!strcmp(m, "udp")) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		return fd < 0 ? die("socket") : 0;
	}
	fprintf(stderr, "work: unknown mode '%s'\n", m);
	return 2;
}
