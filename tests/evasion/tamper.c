/* A root command that tampers with the tracer through bpf(2), for
 * tests/evasion.bats.
 *
 *   tamper chain FILE   stop gh-trace (the parent, same uid), flood its
 *                       ring buffer so that the records of what follows
 *                       are dropped, find the tracer's maps by name
 *                       (BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID),
 *                       take this process out of the traced set, zero the
 *                       run's loss and "not decoded" counters, create
 *                       FILE, let gh-trace go on, put the process back
 *   tamper plain FILE   create FILE, nothing else (the twin)
 *   tamper stop HOW     stop gh-trace (HOW: kill or pidfd, for kill(2) or
 *                       pidfd_send_signal(2)), wait until it is, let it
 *                       go on (SIGCONT)
 *   tamper cont         send gh-trace SIGCONT only
 *   tamper stopgroup    the same as stop, through gh-trace's process group
 *                       (kill(-PGRP)) from a child in a group of its own
 *   tamper stopown      stop and go on a child's process group (the twin)
 *
 * chain prints what it found before zeroing: "ringbuf N bpf M" (records
 * dropped, bpf() calls counted in the run's entry), then how zeroing the
 * run's slot in every map named "tally" went: "tally zeroed", "tally
 * ERRNO" (the first error's name) or "tally none"; it exits 0, or 1 with a
 * message when a step failed (gh-trace is let go on either way). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "../../bpf/trace.h"

#define FLOOD 4000	/* failed opens of long names: far more than the
			 * default ring buffer (4 MiB) holds */

static int fail(const char *what)
{
	fprintf(stderr, "tamper: %s: %s\n", what, strerror(errno));
	return 1;
}

static long bpf_call(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* cmd (BPF_MAP_LOOKUP_ELEM, _UPDATE_ELEM, _DELETE_ELEM with val NULL) on
 * the element key of map fd. */
static int map_elem(int cmd, int fd, const void *key, const void *val)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (__u64)(unsigned long)key;
	a.value = (__u64)(unsigned long)val;
	return (int)bpf_call(cmd, &a);
}

/* The next map after id named name with the given key and value sizes:
 * its descriptor (*id moves on), or -1 at the end. */
static int next_map(__u32 *id, const char *name, __u32 ksize, __u32 vsize)
{
	struct bpf_map_info info;
	union bpf_attr a;
	int fd;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = *id;
		if (bpf_call(BPF_MAP_GET_NEXT_ID, &a) < 0)
			return -1;
		*id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.map_id = *id;
		fd = (int)bpf_call(BPF_MAP_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (__u32)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (bpf_call(BPF_OBJ_GET_INFO_BY_FD, &a) == 0 &&
		    strcmp(info.name, name) == 0 && info.key_size == ksize &&
		    info.value_size == vsize)
			return fd;
		close(fd);
	}
}

/* Whether process pid is stopped (state T in /proc/PID/stat). */
static int stopped(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'T';
}

static int create(const char *file)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return fail(file);
	if (write(fd, "x\n", 2) != 2)
		return fail("write");
	close(fd);
	return 0;
}

/* Fill the ring buffer with records nobody reads: failed opens of names
 * of GH_STR_MAX - 1 bytes, then of short names for the room the long
 * ones leave. */
static void flood(void)
{
	static char name[GH_STR_MAX];
	int i;

	memset(name, 'f', sizeof(name) - 1);
	memcpy(name, "/nonexistent/", 13);
	for (i = 0; i < FLOOD; i++)
		open(name, O_RDONLY);
	for (i = 0; i < FLOOD; i++)
		open("/nonexistent/f", O_RDONLY);
}

/* Try to zero the run's slot in the tracer's tallies too; print how it
 * went ("tally none" where there are none). */
static void tally_zero(__u32 run)
{
	__u32 id = 0, slot = run & (GH_TALLY_SLOTS - 1);
	struct gh_tally t;
	int fd, n = 0, err = 0;

	memset(&t, 0, sizeof(t));
	while ((fd = next_map(&id, "tally", sizeof(slot), sizeof(t))) >= 0) {
		n++;
		if (map_elem(BPF_MAP_UPDATE_ELEM, fd, &slot, &t) < 0 && !err)
			err = errno;
		close(fd);
	}
	printf("tally %s\n", !n ? "none" : err ? strerrorname_np(err) : "zeroed");
	fflush(stdout);
}

static int chain_steps(pid_t owner, const char *file)
{
	struct timespec ms = { 0, 1000000 };
	__u32 id = 0, self = (__u32)getpid(), run = 0;
	struct gh_member m;
	struct gh_run r;
	int traced = -1, runs, i;

	for (i = 0; i < 5000 && !stopped(owner); i++)
		nanosleep(&ms, NULL);
	if (!stopped(owner)) {
		errno = ETIMEDOUT;
		return fail("gh-trace did not stop");
	}
	flood();
	/* the traced set that holds this process, and its run */
	while ((traced = next_map(&id, "traced", sizeof(self), sizeof(m))) >= 0) {
		if (map_elem(BPF_MAP_LOOKUP_ELEM, traced, &self, &m) == 0) {
			run = m.run;
			break;
		}
		close(traced);
	}
	if (traced < 0)
		return fail("no traced set holds this process");
	for (id = 0; (runs = next_map(&id, "runs", sizeof(run), sizeof(r))) >= 0;
	     close(runs))
		if (map_elem(BPF_MAP_LOOKUP_ELEM, runs, &run, &r) == 0 &&
		    r.owner == (__u32)owner)
			break;
	if (runs < 0)
		return fail("no runs map holds the run");
	printf("ringbuf %llu bpf %llu\n", (unsigned long long)r.lost[GH_LOST_RINGBUF],
	       (unsigned long long)r.part[GH_PART_BPF]);
	fflush(stdout);
	/* out of the traced set: nothing of what follows is seen */
	if (map_elem(BPF_MAP_DELETE_ELEM, traced, &self, NULL) < 0)
		return fail("deleting this process from the traced set");
	if (map_elem(BPF_MAP_LOOKUP_ELEM, runs, &run, &r) < 0)
		return fail("reading the run");
	memset(r.lost, 0, sizeof(r.lost));
	memset(r.part, 0, sizeof(r.part));
	if (map_elem(BPF_MAP_UPDATE_ELEM, runs, &run, &r) < 0)
		return fail("zeroing the run's counters");
	tally_zero(run);
	if (create(file))
		return 1;
	/* gh-trace goes on while nothing is seen: no record of the signal;
	 * it is given the time to empty the ring buffer before anything of
	 * this process is recorded again */
	kill(owner, SIGCONT);
	ms.tv_nsec = 300000000;
	nanosleep(&ms, NULL);
	if (map_elem(BPF_MAP_UPDATE_ELEM, traced, &self, &m) < 0)
		return fail("putting this process back");
	return 0;
}

/* stop: stop gh-trace (kill(2), or pidfd_send_signal(2) with "pidfd"),
 * wait until it is stopped, let it go on. */
static int stop(pid_t owner, const char *how)
{
	struct timespec ms = { 0, 1000000 };
	int i, r;

	if (strcmp(how, "pidfd") == 0) {
		int fd = (int)syscall(__NR_pidfd_open, owner, 0);

		if (fd < 0)
			return fail("pidfd_open");
		r = (int)syscall(__NR_pidfd_send_signal, fd, SIGSTOP, NULL, 0);
		close(fd);
	} else {
		r = kill(owner, SIGSTOP);
	}
	if (r < 0)
		return fail("stopping gh-trace");
	for (i = 0; i < 5000 && !stopped(owner); i++)
		nanosleep(&ms, NULL);
	kill(owner, SIGCONT);
	return 0;
}

/* stopgroup: a child in a process group of its own stops the process
 * group of gh-trace (the command's, which it shares), waits until
 * gh-trace is stopped, lets the group go on. */
static int stopgroup(pid_t owner)
{
	struct timespec ms = { 0, 1000000 };
	pid_t g = getpgid(owner), c;
	int i, st;

	if (g < 0)
		return fail("getpgid");
	c = fork();
	if (c < 0)
		return fail("fork");
	if (c == 0) {
		if (setpgid(0, 0) < 0 || kill(-g, SIGSTOP) < 0)
			_exit(fail("stopping the group"));
		for (i = 0; i < 5000 && !stopped(owner); i++)
			nanosleep(&ms, NULL);
		kill(-g, SIGCONT);
		_exit(0);
	}
	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			return fail("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* stopown: stop and go on a process group of the tree's own (a child's),
 * which gh-trace is not in. */
static int stopown(void)
{
	pid_t c = fork();

	if (c < 0)
		return fail("fork");
	if (c == 0) {
		for (;;)
			pause();
	}
	if (setpgid(c, c) < 0 || kill(-c, SIGSTOP) < 0 || kill(-c, SIGCONT) < 0)
		return fail("the child's group");
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	pid_t owner = getppid();
	int r;

	if (argc == 3 && strcmp(argv[1], "plain") == 0)
		return create(argv[2]);
	if (argc == 3 && strcmp(argv[1], "stop") == 0)
		return stop(owner, argv[2]);
	if (argc == 2 && strcmp(argv[1], "stopgroup") == 0)
		return stopgroup(owner);
	if (argc == 2 && strcmp(argv[1], "stopown") == 0)
		return stopown();
	if (argc == 2 && strcmp(argv[1], "cont") == 0)
		return kill(owner, SIGCONT) < 0 ? fail("kill") : 0;
	if (argc != 3 || strcmp(argv[1], "chain") != 0) {
		fprintf(stderr, "usage: tamper chain|plain FILE | stop kill|pidfd | stopgroup | stopown | cont\n");
		return 2;
	}
	if (kill(owner, SIGSTOP) < 0)
		return fail("stopping gh-trace");
	r = chain_steps(owner, argv[2]);
	if (r)
		kill(owner, SIGCONT);
	return r;
}
