/* gh-trace: starting the command. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

/* Only async-signal-safe calls below vfork, none that allocates: the
 * child runs in the caller's memory until it execs. */
static void say(const char *a, const char *b, const char *c)
{
	const char *parts[] = { "gh-trace: ", a, b, c, "\n" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0)
			return;
}

/* The file execvp would run, searched before the child is traced so that
 * the stream holds the command's exec, not a walk along PATH. */
static const char *find_exe(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;
	size_t n, len = strlen(name);
	const char *first = NULL;

	if (strchr(name, '/'))
		return name;
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		n = end - p;
		if (n == 0) {
			p = ".";
			n = 1;
		}
		if (n + 1 + len + 1 <= size) {
			memcpy(buf, p, n);
			buf[n] = '/';
			memcpy(buf + n + 1, name, len + 1);
			if (access(buf, X_OK) == 0)
				return buf;
			if (!first && errno == EACCES && access(buf, F_OK) == 0)
				first = "";
		}
		if (!*end)
			break;
	}
	errno = first ? EACCES : ENOENT;
	return NULL;
}

/* c is the parent's (vfork shares its memory): what went wrong is left
 * there for the end record. */
static void __attribute__((noreturn))
child_main(struct child *c, const struct child_opts *o, int out_w, int err_w)
{
	char buf[PATH_MAX];
	const char *exe;
	int err;

	/* the signal state gh-trace inherited: a signal ignored by whoever
	 * started us (SIGINT in a background job) stays ignored */
	sigaction(SIGPIPE, o->sigpipe, NULL);
	sigprocmask(SIG_SETMASK, o->mask, NULL);

	if (o->capture_out)
		dup2(out_w, 1);
	else if (o->stdout_to_stderr)
		dup2(2, 1);
	if (o->capture_err)
		dup2(err_w, 2);
	if (out_w > 2)
		close(out_w);
	if (err_w > 2)
		close(err_w);

	if (o->change_ids) {
		if ((o->ngroups ? setgroups(o->ngroups, o->groups)
				: setgroups(1, &o->gid)) < 0 ||
		    setgid(o->gid) < 0 || setuid(o->uid) < 0) {
			say("cannot switch user: ", strerror(errno), NULL);
			_exit(125);
		}
	}
	exe = find_exe(o->argv[0], buf, sizeof(buf));
	err = errno;
	if (exe) {
		execv(exe, o->argv);
		err = errno;
		if (err == ENOEXEC) {
			/* what execvp does with a script without #! */
			int n = 0;

			while (o->argv[n])
				n++;
			{
				char *sh[n + 2];

				sh[0] = "sh";
				sh[1] = (char *)exe;
				memcpy(sh + 2, o->argv + 1, n * sizeof(char *));
				execv("/bin/sh", sh);
			}
		}
	}
	say(o->argv[0], ": ", strerror(err));
	c->exec_err = err;
	_exit(err == ENOENT ? 127 : 126);
}

int child_spawn(struct child *c, const struct child_opts *o)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int e;

	c->pid = -1;
	c->out_fd = c->err_fd = -1;
	c->exec_err = 0;
	if (o->capture_out && pipe2(out, O_CLOEXEC) < 0)
		goto fail;
	if (o->capture_err && pipe2(err, O_CLOEXEC) < 0)
		goto fail;
	/* vfork: no copy of gh-trace's memory to make and fault in, which
	 * is most of what starting a short command costs */
	c->pid = vfork();
	if (c->pid < 0)
		goto fail;
	if (c->pid == 0) {
		/* the capture write ends must survive exec: dup2 clears
		 * O_CLOEXEC on the copies made in child_main */
		child_main(c, o, out[1], err[1]);
	}
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	c->out_fd = out[0];
	c->err_fd = err[0];
	return 0;
fail:
	e = errno;
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return -e;
}
