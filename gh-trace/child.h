/* The traced command: created first, held until tracing is ready. */
#ifndef GH_TRACE_CHILD_H
#define GH_TRACE_CHILD_H

#include <signal.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int go_fd;		/* write end of the hold pipe; -1 once released */
	int out_fd, err_fd;	/* read ends of the capture pipes, or -1 */
};

struct child_opts {
	char **argv;
	uid_t uid;		/* run as (set only when change_ids) */
	gid_t gid;
	const char *user;	/* for initgroups, may be NULL */
	int change_ids;
	int stdout_to_stderr;	/* the event stream owns our stdout */
	int capture_out, capture_err;
	/* what gh-trace inherited, given back to the command before exec */
	const sigset_t *mask;
	const struct sigaction *sigpipe;
};

/* Fork the command. The child sets up its fds and identity, then blocks
 * until child_release(); only then does it exec. Returns 0 or -errno. */
int child_spawn(struct child *c, const struct child_opts *o);
/* Let the command exec (release = 1) or make it exit 127 unexecuted. */
void child_release(struct child *c, int release);

#endif
