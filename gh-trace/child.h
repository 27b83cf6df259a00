/* The traced command, started with vfork(2) once tracing is ready: the
 * caller puts itself in the traced set first, so the kernel adds the
 * child there when it is created, before it runs anything. */
#ifndef GH_TRACE_CHILD_H
#define GH_TRACE_CHILD_H

#include <signal.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int out_fd, err_fd;	/* read ends of the capture pipes, or -1 */
	int exec_err;		/* errno when the command could not be run */
};

struct child_opts {
	char **argv;
	uid_t uid;		/* run as (set only when change_ids) */
	gid_t gid;
	const gid_t *groups;	/* supplementary groups (set with the ids) */
	int ngroups;
	int change_ids;
	int stdout_to_stderr;	/* the event stream owns our stdout */
	int capture_out, capture_err;
	/* what gh-trace inherited, given back to the command before exec */
	const sigset_t *mask;
	const struct sigaction *sigpipe;
};

/* Start the command: the child sets up its fds and identity and execs,
 * while the caller waits (vfork). Returns 0 once it has exec'ed or
 * exited (it reports its own failures: exit 125 for the identity, 126 or
 * 127 for the exec), or -errno when no child could be made. */
int child_spawn(struct child *c, const struct child_opts *o);

#endif
