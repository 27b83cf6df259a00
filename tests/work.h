/* What the workloads of tests/channels/work.c and tests/evasion/work.c
 * share: the headers both use, a failed step reported, and a child
 * process inside the traced tree.
 *
 * Include it after defining _GNU_SOURCE. */
#ifndef GH_TESTS_WORK_H
#define GH_TESTS_WORK_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <liburing.h>

/* "work: WHAT: strerror(errno)" on stderr; the mode's exit status, 1. */
static inline int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

/* A child that waits to be killed: a process inside the tree. */
static inline pid_t child(void)
{
	pid_t p = fork();

	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static inline void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

#endif
