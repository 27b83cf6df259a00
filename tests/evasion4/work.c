/* Workloads of tests/evasion4.bats: a fourth round of actions an
 * adversary would try in order to act while the receipt still says
 * "closed".
 *
 *   work MODE [ARG...]
 *
 * Each mode does one thing and exits 0 when it could, 1 (with a message)
 * when it could not. What they change is a file of the test's own, or
 * the limits and priority of gh-trace (the command's parent) set to the
 * values they already have.
 *
 *   attr FILE       set FILE append-only through ioctl FS_IOC_SETFLAGS on
 *                   a descriptor open for reading only, show that a write
 *                   is refused, clear the flag again
 *   getattr FILE    only read FILE's flags (FS_IOC_GETFLAGS)
 *   fsx FILE        the same as attr through FS_IOC_FSSETXATTR
 *                   (FS_XFLAG_APPEND)
 *   lim parent|child set|get
 *                   prlimit64 on gh-trace (the parent) or on a child of
 *                   its own: set RLIMIT_NOFILE to the value it has, or
 *                   only read it
 *   prio pgrp|own   setpriority(PRIO_PGRP, 0) to the group's own value:
 *                   the group it was started in (gh-trace's, under
 *                   setsid), or a group of its own (setpgid(0, 0))
 *   proc parent|self|PID FILE
 *                   write /proc/PID/FILE of gh-trace (the parent), of
 *                   itself or of PID with the value it has
 *                   (oom_score_adj...)
 *   cg freeze|move|own A B
 *                   cgroup v2 directories A (where gh-trace is) and B:
 *                   freeze: move itself into B, freeze A (and gh-trace
 *                   with it), thaw it; move: move gh-trace into B and
 *                   back into A; own: move a child of its own into B,
 *                   freeze B, thaw it
 *   aff parent|child|thread
 *                   sched_setaffinity of gh-trace (the parent), of a
 *                   child of its own or of a thread of its own (by its
 *                   thread id), to the CPUs it may run on already
 *   prio user       setpriority(PRIO_USER, 0) to the user's own value
 *   madv parent|child
 *                   process_madvise(MADV_COLD) of the first page mapped
 *                   in gh-trace (the parent) or in a child of its own,
 *                   through a pidfd
 *   nlrace N [dump] in a network namespace of its own: N sends (up to 20 N
 *                   until the kernel took one as RTM_NEWADDR) of one
 *                   netlink buffer while another thread flips its type
 *                   between RTM_NEWADDR (127.9.9.9/32 on lo) and
 *                   RTM_GETADDR; prints how many the kernel took as
 *                   RTM_NEWADDR (the type its acknowledgement echoes);
 *                   dump: the buffer starts with an RTM_GETADDR dump
 *                   (which the kernel keeps the buffer for)
 *   key NAME...     join a new session keyring (it goes when the process
 *                   does) and add a "user" key to it under each NAME
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Whether FILE refuses to be opened for writing without O_APPEND. */
static int append_only(const char *file)
{
	int fd = open(file, O_WRONLY);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EPERM;
}

static int attr(const char *file)
{
	int fd = open(file, O_RDONLY), fl, ok;

	if (fd < 0)
		return die("open");
	if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
		return die("FS_IOC_GETFLAGS");
	fl |= FS_APPEND_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &fl) < 0)
		return die("FS_IOC_SETFLAGS");
	ok = append_only(file);
	fl &= ~FS_APPEND_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &fl) < 0)
		return die("FS_IOC_SETFLAGS");
	printf("%s\n", ok ? "append-only" : "writable");
	return !ok;
}

static int getattr(const char *file)
{
	int fd = open(file, O_RDONLY), fl;

	if (fd < 0)
		return die("open");
	if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
		return die("FS_IOC_GETFLAGS");
	printf("%s\n", fl & FS_APPEND_FL ? "append-only" : "writable");
	return 0;
}

static int fsx(const char *file)
{
	struct fsxattr x;
	int fd = open(file, O_RDONLY), ok;

	if (fd < 0)
		return die("open");
	if (ioctl(fd, FS_IOC_FSGETXATTR, &x) < 0)
		return die("FS_IOC_FSGETXATTR");
	x.fsx_xflags |= FS_XFLAG_APPEND;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &x) < 0)
		return die("FS_IOC_FSSETXATTR");
	ok = append_only(file);
	x.fsx_xflags &= ~FS_XFLAG_APPEND;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &x) < 0)
		return die("FS_IOC_FSSETXATTR");
	printf("%s\n", ok ? "append-only" : "writable");
	return !ok;
}

/* The process a call acts on: gh-trace (who "parent"), or a child of
 * the command's own, which waits until *hold is closed (target_done).
 * Returns its pid, or -1 (after a message). */
static pid_t target(const char *who, int *hold)
{
	int p[2];
	pid_t pid;
	char c;

	*hold = -1;
	if (strcmp(who, "parent") == 0)
		return getppid();
	if (pipe(p) < 0)
		return die("pipe"), -1;
	pid = fork();
	if (pid < 0)
		return die("fork"), -1;
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0);
	}
	close(p[0]);
	*hold = p[1];
	return pid;
}

/* Let target's child go and reap it (nothing for gh-trace). */
static void target_done(pid_t pid, int hold)
{
	int status;

	if (hold < 0)
		return;
	close(hold);
	waitpid(pid, &status, 0);
}

/* prlimit64 through syscall(2): the C library's prlimit is the same call */
static int lim(const char *who, const char *what)
{
	int hold, set = strcmp(what, "set") == 0;
	struct rlimit cur;
	pid_t pid;

	pid = target(who, &hold);
	if (pid < 0)
		return 1;
	if (syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &cur) < 0)
		return die("prlimit64 get");
	if (set && syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &cur, NULL) < 0)
		return die("prlimit64 set");
	target_done(pid, hold);
	printf("%llu\n", (unsigned long long)cur.rlim_cur);
	return 0;
}

static int prio(const char *which)
{
	int w = strcmp(which, "user") == 0 ? PRIO_USER : PRIO_PGRP, n;

	if (strcmp(which, "own") == 0 && setpgid(0, 0) < 0)
		return die("setpgid");
	errno = 0;
	n = getpriority(w, 0);
	if (n == -1 && errno)
		return die("getpriority");
	if (setpriority(w, 0, n) < 0)
		return die("setpriority");
	printf("%d\n", n);
	return 0;
}

static int proc(const char *who, const char *file)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s",
		 strcmp(who, "parent") == 0 ? (int)getppid() :
		 strcmp(who, "self") == 0 ? (int)getpid() : atoi(who), file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return die("open");
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return die("read");
	close(fd);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return die("open for writing");
	if (write(fd, buf, n) != n)
		return die("write");
	close(fd);
	printf("%.*s", (int)n, buf);
	return 0;
}

static int put(const char *dir, const char *file, const char *what)
{
	char path[4096];
	int fd, n = (int)strlen(what);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return die(path);
	if (write(fd, what, n) != n)
		return die(path);
	close(fd);
	return 0;
}

static int cg(const char *mode, const char *a, const char *b)
{
	char pid[32];
	int hold = -1;
	pid_t c = 0;

	if (strcmp(mode, "move") == 0) {
		snprintf(pid, sizeof(pid), "%d", (int)getppid());
		if (put(b, "cgroup.procs", pid) || put(a, "cgroup.procs", pid))
			return 1;
		printf("moved\n");
		return 0;
	}
	if (strcmp(mode, "own") == 0) {
		c = target("child", &hold);
		if (c < 0)
			return 1;
		a = b;
	}
	snprintf(pid, sizeof(pid), "%d", (int)(c ? c : getpid()));
	if (put(b, "cgroup.procs", pid) || put(a, "cgroup.freeze", "1") ||
	    put(a, "cgroup.freeze", "0"))
		return 1;
	target_done(c, hold);
	printf("thawed\n");
	return 0;
}

struct nlreq {
	struct nlmsghdr h;
	struct ifaddrmsg ifa;
	struct rtattr rta;
	struct in_addr addr;
};

/* the buffer sent: a dump request (RTM_GETADDR, NLM_F_DUMP) first, for
 * nlrace's dump mode, then the request whose type flips */
static struct {
	struct nlmsghdr dump;
	struct ifaddrmsg dump_ifa;
	struct nlreq req;
} race;
static volatile int race_stop, race_started;

static void *race_flip(void *arg)
{
	volatile __u16 *t = &race.req.h.nlmsg_type;
	long i;

	(void)arg;
	race_started = 1;
	/* bounded: the sender stops it long before */
	for (i = 0; i < 2000000000L && !race_stop; i++)
		*t = (i & 1) ? RTM_GETADDR : RTM_NEWADDR;
	return NULL;
}

/* The replies to one send: until the request's acknowledgement (and the
 * dump's end, when there is a dump); 1 when it echoes RTM_NEWADDR. */
static int race_replies(int s, int dump)
{
	char buf[16384];
	struct nlmsghdr *h;
	struct nlmsgerr *e;
	int i, acked = 0, done = !dump, added = 0;
	ssize_t n;

	for (i = 0; i < 64 && !(acked && done); i++) {
		n = recv(s, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				acked = 1;
				added = e->msg.nlmsg_type == RTM_NEWADDR;
			}
		}
	}
	return added;
}

static int nlrace(int n, int dump)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlreq *r = &race.req;
	pthread_t th;
	int s, lo, i, added = 0;
	char *buf = dump ? (char *)&race : (char *)r;
	size_t len = dump ? sizeof(race) : sizeof(*r);

	if (unshare(CLONE_NEWNET))
		return die("unshare");
	lo = if_nametoindex("lo");
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0 || !lo)
		return die("netlink socket");
	race.dump.nlmsg_len = sizeof(race.dump) + sizeof(race.dump_ifa);
	race.dump.nlmsg_type = RTM_GETADDR;
	race.dump.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	race.dump_ifa.ifa_family = AF_INET;
	r->h.nlmsg_len = sizeof(*r);
	r->h.nlmsg_type = RTM_GETADDR;
	/* no NLM_F_DUMP: a GETADDR is refused (EOPNOTSUPP), a NEWADDR adds
	 * the address once (EEXIST after); both are acknowledged */
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	r->ifa.ifa_family = AF_INET;
	r->ifa.ifa_prefixlen = 32;
	r->ifa.ifa_index = lo;
	r->rta.rta_type = IFA_LOCAL;
	r->rta.rta_len = RTA_LENGTH(sizeof(struct in_addr));
	inet_pton(AF_INET, "127.9.9.9", &r->addr);
	if (pthread_create(&th, NULL, race_flip, NULL) != 0)
		return die("pthread_create");
	for (i = 0; i < 1000000 && !race_started; i++)
		sched_yield();
	/* N sends, more (up to 20 N) while the kernel took none as
	 * RTM_NEWADDR: the other thread may not have run yet */
	for (i = 0; i < 20 * n && (i < n || !added); i++) {
		if (sendto(s, buf, len, 0, (void *)&k, sizeof(k)) < 0)
			return die("sendto");
		added += race_replies(s, dump);
	}
	race_stop = 1;
	pthread_join(th, NULL);
	printf("%d\n", added);
	return 0;
}

#ifndef MADV_COLD
#define MADV_COLD 20
#endif

static int madv(const char *who)
{
	int hold, fd, pidfd;
	unsigned long start;
	struct iovec iov;
	char path[64], buf[256];
	pid_t pid;
	ssize_t n;

	pid = target(who, &hold);
	if (pid < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return die("open maps");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return die("read maps");
	buf[n] = 0;
	start = strtoul(buf, NULL, 16);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return die("pidfd_open");
	iov.iov_base = (void *)start;
	iov.iov_len = 4096;
	if (syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0) < 0)
		return die("process_madvise");
	target_done(pid, hold);
	printf("cold\n");
	return 0;
}

#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEY_SPEC_SESSION_KEYRING (-3)

static int key(int n, char **names)
{
	int i;

	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return die("keyctl");
	for (i = 0; i < n; i++)
		if (syscall(SYS_add_key, "user", names[i], "x", 1,
			    KEY_SPEC_SESSION_KEYRING) < 0)
			return die("add_key");
	printf("%d\n", n);
	return 0;
}

static int thread_pipe[2];
static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	thread_tid = gettid();
	return (void *)(long)read(thread_pipe[0], &c, 1);
}

static int aff(const char *who)
{
	int hold, i, thread = strcmp(who, "thread") == 0;
	pthread_t th;
	cpu_set_t set;
	pid_t pid;

	if (thread) {
		if (pipe(thread_pipe) < 0 ||
		    pthread_create(&th, NULL, thread_main, NULL) != 0)
			return die("pthread_create");
		for (i = 0; i < 1000000 && !thread_tid; i++)
			sched_yield();
		if (!thread_tid)
			return die("thread start");
		pid = thread_tid;
		hold = thread_pipe[1];
	} else {
		pid = target(who, &hold);
		if (pid < 0)
			return 1;
	}
	if (sched_getaffinity(pid, sizeof(set), &set) < 0)
		return die("sched_getaffinity");
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		return die("sched_setaffinity");
	if (thread) {
		close(hold);
		pthread_join(th, NULL);
	} else {
		target_done(pid, hold);
	}
	printf("%d\n", CPU_COUNT(&set));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "attr") == 0)
		return attr(argv[2]);
	if (argc == 3 && strcmp(argv[1], "getattr") == 0)
		return getattr(argv[2]);
	if (argc == 3 && strcmp(argv[1], "fsx") == 0)
		return fsx(argv[2]);
	if (argc == 4 && strcmp(argv[1], "lim") == 0)
		return lim(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "prio") == 0)
		return prio(argv[2]);
	if (argc == 4 && strcmp(argv[1], "proc") == 0)
		return proc(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "cg") == 0)
		return cg(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "madv") == 0)
		return madv(argv[2]);
	if (argc == 3 && strcmp(argv[1], "aff") == 0)
		return aff(argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "nlrace") == 0)
		return nlrace(atoi(argv[2]), argc == 4 && strcmp(argv[3], "dump") == 0);
	if (argc >= 3 && strcmp(argv[1], "key") == 0)
		return key(argc - 2, argv + 2);
	fprintf(stderr, "usage: work attr|getattr|fsx FILE | lim parent|child set|get | "
		"prio pgrp|own|user | aff parent|child|thread | madv parent|child | proc parent|self|PID FILE | cg freeze|move|own A B | nlrace N [dump] | key NAME...\n");
	return 2;
}
