/* Workloads of tests/evasion.bats: actions an adversary would try in order
 * to act while the receipt still says "closed".
 *
 *   work MODE [ARG...]
 *
 * Each mode does one thing and exits 0 when it could, 1 (with a message)
 * when it could not. Sockets are Unix sockets or loopback only. */
#define _GNU_SOURCE
#include "../work.h"
#include <sys/prctl.h>
#include <sys/un.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/types.h>
#include "../../bpf/trace.h"

/* The start of a writable mapping of process pid (its stack), or 0. */
static unsigned long stack_of(pid_t pid)
{
	char path[64], line[512];
	unsigned long lo = 0, hi;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(f);
	return lo;
}

/* procmem PID|child|parent: write 8 bytes into the process's stack
 * through /proc/PID/mem (those it holds there: the write changes nothing,
 * but could have). */
static int procmem(const char *who)
{
	pid_t p = strcmp(who, "child") == 0 ? child() :
		  strcmp(who, "parent") == 0 ? getppid() : (pid_t)atoi(who);
	char path[64], zero[8] = { 0 };
	unsigned long at;
	int fd, rc = 0;

	usleep(10000);
	at = stack_of(p);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)p);
	fd = open(path, O_RDWR);
	if (!at || fd < 0 || pread(fd, zero, sizeof(zero), (off_t)at) != sizeof(zero) ||
	    pwrite(fd, zero, sizeof(zero), (off_t)at) != sizeof(zero))
		rc = die(path);
	if (fd >= 0)
		close(fd);
	if (strcmp(who, "child") == 0)
		reap(p);
	return rc;
}

/* ptrace_parent: attach to the parent (gh-trace) and detach. */
static int ptrace_parent(void)
{
	pid_t pp = getppid();

	if (ptrace(PTRACE_ATTACH, pp, 0, 0) < 0)
		return die("ptrace");
	waitpid(pp, NULL, __WALL);
	ptrace(PTRACE_DETACH, pp, 0, 0);
	return 0;
}

/* flood N: N failed opens as fast as possible, from 4 threads. */
static long flood_n;

static void *flood_thread(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < flood_n; i++)
		open("/nonexistent/gh-evasion-flood-with-a-long-enough-name", O_RDONLY);
	return NULL;
}

static int flood(const char *n)
{
	pthread_t t[4];
	int i;

	flood_n = atol(n) / 4;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, flood_thread, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}

/* tmpfile DIR NAME: an unnamed file in DIR (O_TMPFILE), written, then
 * given the name DIR/NAME through /proc/self/fd. */
static int tmpfile_link(const char *dir, const char *name)
{
	char proc[64], dst[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		return die("O_TMPFILE");
	if (write(fd, "secret\n", 7) != 7)
		return die("write");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) < 0)
		return die("linkat");
	return 0;
}

/* mmapwrite FILE: a store into a shared writable mapping of FILE. */
static int mmapwrite(const char *file)
{
	int fd = open(file, O_RDWR);
	char *p;

	if (fd < 0)
		return die("open");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return die("mmap");
	close(fd);
	memcpy(p, "MMAP", 4);
	msync(p, 4096, MS_SYNC);
	return 0;
}

/* daemon FILE [GO]: double fork and setsid; the grandchild creates FILE
 * after the command has exited: 0.2 s later, or once GO exists (at most a
 * minute), for a test that needs it still running, whatever the load. */
static int daemonize(const char *file, const char *go)
{
	pid_t p = fork();
	int i;

	if (p < 0)
		return die("fork");
	if (p > 0) {
		waitpid(p, NULL, 0);
		return 0;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	if (!go)
		usleep(200000);
	for (i = 0; go && i < 6000 && access(go, F_OK) != 0; i++)
		usleep(10000);
	close(open(file, O_WRONLY | O_CREAT, 0600));
	_exit(0);
}

/* Unix socket helpers: one message carrying data and one descriptor. */
static int send_fd(int s, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)data, len };
	struct msghdr m = { 0 };
	struct cmsghdr *c;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(s, &m, 0) < 0 ? -1 : 0;
}

static int recv_fd(int s, void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, len };
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	int fd;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	if (recvmsg(s, &m, MSG_WAITALL) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int unix_sock(const char *path, int server)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0)
		return -1;
	if (server) {
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0)
			return -1;
	} else if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		return -1;
	}
	return s;
}

/* memserver SOCK [FILE]: hand each client of SOCK a descriptor of our
 * own memory (/proc/self/mem, read-write) with the address of our stack,
 * or of FILE with 0, until killed. Run outside the traced tree. */
static int memserver(const char *sock, const char *file)
{
	unsigned long at = file ? 0 : stack_of(getpid());
	int s = unix_sock(sock, 1), c;
	int fd = open(file ? file : "/proc/self/mem", O_RDWR);

	if (s < 0 || fd < 0 || (!at && !file))
		return die(sock);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (send_fd(c, fd, &at, sizeof(at)) < 0)
			die("sendmsg");
		close(c);
	}
}

/* memclient SOCK: take the descriptor and write 8 bytes into the
 * sender's stack through it. */
static int memclient(const char *sock)
{
	char zero[8] = { 0 };
	unsigned long at;
	int s = unix_sock(sock, 0), fd;

	if (s < 0)
		return die(sock);
	fd = recv_fd(s, &at, sizeof(at));
	if (fd < 0)
		return die("recvmsg");
	if (pwrite(fd, zero, sizeof(zero), (off_t)(at + 16)) != sizeof(zero))
		return die("pwrite");
	return 0;
}

/* threadexec DIR: a thread creates DIR/t0, DIR/t1... as fast as it can
 * while the main thread execs /bin/true (which ends the thread). */
static const char *te_dir;

static void *te_thread(void *arg)
{
	char path[4096];
	int i;

	(void)arg;
	for (i = 0; i < 100000; i++) {
		snprintf(path, sizeof(path), "%s/t%d", te_dir, i);
		close(open(path, O_WRONLY | O_CREAT, 0600));
	}
	return NULL;
}

static int threadexec(const char *dir)
{
	pthread_t t;
	char path[4096];

	te_dir = dir;
	pthread_create(&t, NULL, te_thread, NULL);
	/* let it start */
	snprintf(path, sizeof(path), "%s/t20", dir);
	while (access(path, F_OK) != 0)
		sched_yield();
	execl("/bin/true", "true", (char *)NULL);
	return die("execl");
}

/* ---- the tracer's own maps, through bpf(2) (root) ---- */

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* A descriptor of the "runs" map that holds the run of gh-trace pid
 * owner, with that run's key and entry; -1 when there is none. */
static int find_run(pid_t owner, __u32 *key, struct gh_run *run)
{
	union bpf_attr a;
	struct bpf_map_info info;
	__u32 id = 0, k, next;
	int fd;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_MAP_GET_NEXT_ID, &a) < 0)
			return -1;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.map_id = id;
		fd = (int)sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0 ||
		    strcmp(info.name, "runs") != 0 ||
		    info.value_size != sizeof(*run) || info.key_size != sizeof(k)) {
			close(fd);
			continue;
		}
		for (memset(&k, 0, sizeof(k)), next = 0;; k = next) {
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (__u64)(unsigned long)&k;
			a.next_key = (__u64)(unsigned long)&next;
			if (sys_bpf(BPF_MAP_GET_NEXT_KEY, &a) < 0)
				break;
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (__u64)(unsigned long)&next;
			a.value = (__u64)(unsigned long)run;
			if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) == 0 &&
			    run->owner == (__u32)owner) {
				*key = next;
				return fd;
			}
		}
		close(fd);
	}
}

/* bpfzero: find this run's entry and write it back with its loss and
 * "not decoded" counters at 0, then act (create FILE). */
static int bpfzero(const char *file)
{
	union bpf_attr a;
	struct gh_run run;
	__u32 key;
	int fd = find_run(getppid(), &key, &run);

	if (fd < 0)
		return die("no run of the parent in a runs map");
	memset(run.lost, 0, sizeof(run.lost));
	memset(run.part, 0, sizeof(run.part));
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (__u64)(unsigned long)&key;
	a.value = (__u64)(unsigned long)&run;
	a.flags = BPF_EXIST;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0)
		return die("update");
	close(open(file, O_WRONLY | O_CREAT, 0600));
	return 0;
}

/* hello: read this run's cookie and announce ourselves with it as
 * gh-trace does (prctl GH_HELLO); print the cookie read and whether the
 * run then names us as its gh-trace. */
static int hello_again(void)
{
	struct gh_run run;
	__u32 key;
	int fd = find_run(getppid(), &key, &run);
	unsigned long long cookie;

	if (fd < 0)
		return die("no run of the parent in a runs map");
	cookie = run.cookie;
	prctl(GH_HELLO, (unsigned long)key, (unsigned long)cookie, 0UL, 0UL);
	close(fd);
	fd = find_run(getppid(), &key, &run);
	if (fd < 0)
		return die("the run went away");
	printf("cookie %s, self %s\n", cookie ? "read" : "0",
	       run.self == (__u32)getpid() ? "me" : run.self == (__u32)getppid() ?
	       "gh-trace" : "other");
	return 0;
}

/* ---- io_uring with an SQPOLL thread ---- */

/* ringhold: a ring with an SQPOLL thread, held until killed; prints the
 * ring's descriptor. Run outside the traced tree. */
static int ringhold(void)
{
	struct io_uring_params p = { 0 };
	int fd;

	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 100;
	fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (fd < 0)
		return die("io_uring_setup");
	printf("%d\n", fd);
	fflush(stdout);
	for (;;)
		pause();
}

/* Open file (O_CREAT) through ring fd, an SQPOLL ring of 8 entries. */
static int sqpoll_open(int fd, const char *file)
{
	struct io_uring_params p = { 0 }, q = { 0 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int probe;

	/* the offsets of the rings: those of any ring of the same size */
	probe = (int)syscall(__NR_io_uring_setup, 8, &q);
	if (probe < 0)
		return die("io_uring_setup");
	close(probe);
	p = q;
	p.flags |= IORING_SETUP_SQPOLL;
	if (io_uring_queue_mmap(fd, &p, &ring) < 0)
		return die("io_uring_queue_mmap");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, file, O_WRONLY | O_CREAT, 0600);
	if (io_uring_submit(&ring) < 0 || io_uring_wait_cqe(&ring, &cqe) < 0)
		return die("io_uring");
	if (cqe->res < 0) {
		errno = -cqe->res;
		return die(file);
	}
	close(cqe->res);
	return 0;
}

/* sqpoll PID FD FILE: take ring FD of process PID (pidfd_getfd) and open
 * FILE through its SQPOLL thread; sqpoll own FILE: the same through a
 * ring of our own. */
static int sqpoll(const char *pid, const char *fd, const char *file)
{
	struct io_uring_params p = { 0 };
	int pfd, rfd;

	if (strcmp(pid, "own") == 0) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 100;
		rfd = (int)syscall(__NR_io_uring_setup, 8, &p);
	} else {
		pfd = (int)syscall(__NR_pidfd_open, atoi(pid), 0);
		if (pfd < 0)
			return die("pidfd_open");
		rfd = (int)syscall(__NR_pidfd_getfd, pfd, atoi(fd), 0);
	}
	if (rfd < 0)
		return die("ring");
	return sqpoll_open(rfd, file);
}

/* uringlink DIR: io_uring opens of DIR/linked (a link of two: an open
 * then a mkdir), DIR/async (run by an io-wq worker, IOSQE_ASYNC) and
 * DIR/direct (into a fixed slot, then FIXED_FD_INSTALL made it a plain
 * descriptor). */
static int uringlink(const char *dir)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char a[4096], b[4096], c[4096], d[4096];
	int fds[1] = { -1 }, i, n;

	snprintf(a, sizeof(a), "%s/linked", dir);
	snprintf(b, sizeof(b), "%s/linkeddir", dir);
	snprintf(c, sizeof(c), "%s/async", dir);
	snprintf(d, sizeof(d), "%s/direct", dir);
	if (io_uring_queue_init(8, &ring, 0) < 0)
		return die("io_uring_queue_init");
	if (io_uring_register_files(&ring, fds, 1) < 0)
		return die("io_uring_register_files");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, a, O_WRONLY | O_CREAT, 0600);
	sqe->flags |= IOSQE_IO_LINK;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_mkdirat(sqe, AT_FDCWD, b, 0700);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, c, O_WRONLY | O_CREAT, 0600);
	sqe->flags |= IOSQE_ASYNC;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, d, O_WRONLY | O_CREAT, 0600, 0);
	n = io_uring_submit(&ring);
	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe(&ring, &cqe) < 0)
			return die("io_uring_wait_cqe");
		if (cqe->res < 0) {
			errno = -cqe->res;
			return die("io_uring op");
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	sqe = io_uring_get_sqe(&ring);
	/* IORING_OP_FIXED_FD_INSTALL (54; newer than this liburing) */
	io_uring_prep_rw(54, sqe, 0, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_submit(&ring);
	if (io_uring_wait_cqe(&ring, &cqe) < 0 || cqe->res < 0)
		return die("fixed_fd_install");
	if (write(cqe->res, "x", 1) != 1)
		return die("write");
	return 0;
}

/* seccomp listen|plain: install a seccomp filter that allows every
 * syscall, with a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER: a descriptor
 * another process could answer the syscalls with) or without. */
static int seccomp_filter(const char *how)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 1, allow };
	unsigned flags = strcmp(how, "listen") == 0 ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;

	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0)
		return die("seccomp");
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (strcmp(m, "none") == 0)
		return 0;
	if (strcmp(m, "procmem") == 0 && argc == 3)
		return procmem(argv[2]);
	if (strcmp(m, "ptrace_parent") == 0)
		return ptrace_parent();
	if (strcmp(m, "flood") == 0 && argc == 3)
		return flood(argv[2]);
	if (strcmp(m, "tmpfile") == 0 && argc == 4)
		return tmpfile_link(argv[2], argv[3]);
	if (strcmp(m, "mmapwrite") == 0 && argc == 3)
		return mmapwrite(argv[2]);
	if (strcmp(m, "daemon") == 0 && (argc == 3 || argc == 4))
		return daemonize(argv[2], argc == 4 ? argv[3] : NULL);
	if (strcmp(m, "memserver") == 0 && (argc == 3 || argc == 4))
		return memserver(argv[2], argc == 4 ? argv[3] : NULL);
	if (strcmp(m, "memclient") == 0 && argc == 3)
		return memclient(argv[2]);
	if (strcmp(m, "threadexec") == 0 && argc == 3)
		return threadexec(argv[2]);
	if (strcmp(m, "uringlink") == 0 && argc == 3)
		return uringlink(argv[2]);
	if (strcmp(m, "seccomp") == 0 && argc == 3)
		return seccomp_filter(argv[2]);
	if (strcmp(m, "bpfzero") == 0 && argc == 3)
		return bpfzero(argv[2]);
	if (strcmp(m, "hello") == 0)
		return hello_again();
	if (strcmp(m, "ringhold") == 0)
		return ringhold();
	if (strcmp(m, "sqpoll") == 0 && argc == 5)
		return sqpoll(argv[2], argv[3], argv[4]);
	fprintf(stderr, "work: unknown mode or arguments: %s\n", m);
	return 2;
}
