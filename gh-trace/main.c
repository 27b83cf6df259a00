/* gh-trace: run a command under eBPF and stream what its process tree does
 * as gh-events(5) NDJSON. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/types.h>

#include "cli.h"
#include "gh.h"
#include "json.h"
#include "child.h"
#include "event.h"
#include "loader.h"
#include "../bpf/trace.h"
#include "trace.hash.h"

/* gh-trace's own failures; every other status is the command's. */
#define EXIT_TRACE 125

#define DEFAULT_ARGV_LIMIT 32768
#define DEFAULT_RINGBUF LOADER_RINGBUF
#define POLL_MS 20	/* the longest a record waits to be written */
#define SAY_WAIT_MS 1000	/* when to say what we wait for */

enum { WAIT_TREE, WAIT_COMMAND, WAIT_SECONDS };

struct capture {
	const char *name;	/* as given */
	char *path;		/* absolute */
	int file;		/* the capture file */
	int show;		/* where the user sees it */
	int pipe;		/* read end, -1 at EOF */
	int err;		/* errno of the first failed write to file */
	int created;		/* the file did not exist before this run */
	uint64_t bytes;		/* written to the file (all, unless err) */
};

struct run {
	/* options */
	const char *output;
	char *output_abs;	/* its absolute path, for the header */
	const char *user;
	int require_audit;
	int verbose;
	int keep;		/* keep the programs loaded: 1 (--keep), 0
				 * (--no-keep), -1 (not said: the default,
				 * GH_TRACE_KEEP=0 turns it off) */
	const char *pin_dir;	/* where they are kept */
	uint32_t argv_limit;
	uint32_t ringbuf;
	char **argv;
	unsigned linger_ms;	/* --linger or GH_TRACE_LINGER, ms */
	int linger_set;		/* --linger was given */

	/* state */
	struct loader l;
	int active;		/* tracing works */
	struct child c;
	int out;		/* event stream fd */
	int write_err;		/* errno of the first failed write */
	int read_err;		/* errno of the first failed ring buffer read */
	struct gh_buf line;
	uint64_t t0;		/* CLOCK_MONOTONIC ns of the header */
	uint64_t events;
	struct capture cap[2];	/* stdout, stderr */
	int main_done, all_done;
	int left_running;	/* processes still running when we stopped waiting */
	int wait_mode;		/* WAIT_TREE, WAIT_COMMAND, WAIT_SECONDS */
	uint64_t wait_ns;	/* with WAIT_SECONDS */
	uint64_t t_main;	/* CLOCK_MONOTONIC ns when the command ended */
	int said_waiting;
	siginfo_t status;
	uid_t run_uid;
	gid_t run_gid;
	gid_t *groups;		/* the command's supplementary groups */
	pid_t self;
	sigset_t term;		/* the terminating signals we forward */
	int term_caught;	/* their handler is in place (see flush_lines) */
	/* io_uring submissions waiting for their completion record */
	struct pending { uint64_t key; void *rec; size_t size; } *pend;
	size_t npend, pendcap;
	/* sockets the command inherits, watched by the programs (sends on
	 * them are recorded with their peer), and how many did not fit */
	uint64_t inh_cookie[GH_INH_MAX];
	uint32_t inh_fd[GH_INH_MAX];
	int ninh, inh_unwatched;
	/* gh-trace's descriptors the command inherits (not close-on-exec),
	 * in increasing order: read once from /proc/self/fd */
	int *fds;
	int nfds;
};

static void forward(struct run *r, const struct signalfd_siginfo *si);

/* A terminating signal that interrupted a blocked write of the stream. */
static volatile sig_atomic_t pending_sig, pending_code;

static void on_term(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	pending_sig = sig;
	pending_code = si ? si->si_code : 0;
}

/* Forward a signal the handler took while a write was blocked. */
static void forward_pending(struct run *r)
{
	struct signalfd_siginfo si = { 0 };

	if (!pending_sig)
		return;
	si.ssi_signo = pending_sig;
	si.ssi_code = pending_code;
	pending_sig = 0;
	forward(r, &si);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

#define SYNOPSIS "[-o FILE] [--stdout FILE] [--stderr FILE] [-u USER]\n" \
	"                [--require-audit] [--argv-limit BYTES] [--ringbuf-size BYTES]\n" \
	"                [--wait=tree|command|SECONDS] [--keep|--no-keep]\n" \
	"                [--linger=SECONDS] [-v]\n" \
	"                -- CMD [ARG...]\n" \
	"       gh-trace --keep [-v]\n" \
	"       gh-trace --unload [-v]"

/* The synopsis, and on stdout (--help) the rest of the help. */
static void usage(FILE *f)
{
	fprintf(f, "usage: gh-trace " SYNOPSIS "\n");
	if (f != stdout)
		return;
	fprintf(f,
		"Run CMD under eBPF and write what its process tree does, as gh-events(5)\n"
		"NDJSON, to stdout or FILE. Exit status: CMD's (128+N when killed by signal\n"
		"N); 125 when gh-trace itself fails.\n"
		"\n"
		"  -o, --output FILE     write the events to FILE instead of stdout\n"
		"      --stdout FILE     also copy CMD's stdout to FILE (still shown)\n"
		"      --stderr FILE     also copy CMD's stderr to FILE (still shown)\n"
		"  -u, --user USER       run CMD as USER (default under sudo: SUDO_UID)\n"
		"      --require-audit   fail (status 125) instead of running CMD untraced\n"
		"                        when eBPF cannot be used\n"
		"      --argv-limit N    keep at most N bytes of each argv (default %u)\n"
		"      --ringbuf-size N  ring buffer bytes, a power of two (default %u)\n"
		"      --wait=WHAT       after the command ends, wait for the whole tree (tree,\n"
		"                        the default), not at all (command), or at most\n"
		"                        SECONDS for the processes it left running\n"
		"      --keep            keep the programs loaded for later runs (the default;\n"
		"                        pinned in " LOADER_PIN_DIR ", attached only\n"
		"                        while a run is in progress)\n"
		"      --no-keep         load the programs for this run only, unless they are\n"
		"                        kept already (as GH_TRACE_KEEP=0)\n"
		"      --linger=SECONDS  kept programs: how long the last run to end leaves\n"
		"                        those of syscalls attached for the next run\n"
		"                        (default %g, at most %g; 0: detach them at once)\n"
		"      --unload          remove the kept programs, then exit\n"
		"  -v, --verbose         report libbpf messages and statistics on stderr\n"
		"  -h, --help            show this help\n"
		"      --version         show the version\n",
		DEFAULT_ARGV_LIMIT, DEFAULT_RINGBUF, LOADER_LINGER_MS / 1000.0,
		LOADER_LINGER_MAX / 1000.0);
}

static int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --wait=tree|command|SECONDS (a decimal number, at most a day). */
static int parse_wait(struct run *r, const char *s)
{
	char *end;
	double v;

	if (strcmp(s, "tree") == 0) {
		r->wait_mode = WAIT_TREE;
		return 0;
	}
	if (strcmp(s, "command") == 0) {
		r->wait_mode = WAIT_COMMAND;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0 && v <= 86400))
		return -1;
	r->wait_mode = WAIT_SECONDS;
	r->wait_ns = (uint64_t)(v * 1e9);
	return 0;
}

/* --linger=SECONDS or GH_TRACE_LINGER: a decimal number of seconds, at
 * most LOADER_LINGER_MAX ms, into *ms (rounded up to a millisecond). */
static int parse_linger(const char *s, unsigned *ms)
{
	char *end;
	double v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0 && v * 1000 <= LOADER_LINGER_MAX))
		return -1;
	*ms = (unsigned)(v * 1000);
	if (*ms < v * 1000)
		(*ms)++;
	return 0;
}

/* Pure helpers for the stream's text. */
static void uuid4(char out[37])
{
	unsigned char r[16];
	char hex[33];

	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		uint64_t t = now_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);

		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
	}
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	gh_hex(r, sizeof(r), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
		 hex + 16, hex + 20);
}

static void rfc3339(uint64_t ns, char out[40])
{
	time_t s = ns / 1000000000u;
	struct tm tm;
	char date[32];

	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%06uZ", date, (unsigned)(ns % 1000000000u / 1000));
}

/* Event stream output: whole lines, written with write(2) as they come.
 * A reader that stops (^Z, a full pipe) blocks the write; the terminating
 * signals are let in meanwhile, so that they still reach the command. */
static void flush_lines(struct run *r)
{
	size_t off = 0;
	ssize_t n;
	sigset_t old;
	int err;

	if (r->term_caught)
		sigprocmask(SIG_UNBLOCK, &r->term, &old);
	while (!r->write_err && off < r->line.len) {
		n = write(r->out, r->line.p + off, r->line.len - off);
		err = n < 0 ? errno : EIO;
		/* a signal ends a blocked write early, with or without bytes */
		forward_pending(r);
		if (n < 0 && err == EINTR)
			continue;
		if (n <= 0) {
			r->write_err = err;
			break;
		}
		off += n;
	}
	if (r->term_caught) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		forward_pending(r);
	}
	r->line.len = 0;
	if (r->line.p)
		r->line.p[0] = '\0';
}

static void emit(struct run *r, const void *data, size_t size)
{
	int n = event_format(&r->line, data, size, r->t0);

	if (n > 0)
		r->events++;
	else if (n < 0 && r->verbose)
		gh_err("dropped a malformed record (%zu bytes)", size);
}

/* io_uring: keep a submission until its completion comes. */
static void uring_submitted(struct run *r, const struct gh_event *e, size_t size)
{
	struct pending *p;

	if (r->npend == r->pendcap) {
		size_t cap = r->pendcap ? 2 * r->pendcap : 16;

		p = realloc(r->pend, cap * sizeof(*p));
		if (!p)
			return;
		r->pend = p;
		r->pendcap = cap;
	}
	p = &r->pend[r->npend];
	p->rec = malloc(size);
	if (!p->rec)
		return;
	memcpy(p->rec, e, size);
	p->size = size;
	p->key = e->arg[5];
	r->npend++;
}

static void uring_done(struct run *r, const struct gh_event *e, size_t size)
{
	void *rec;
	size_t i, n;

	for (i = 0; i < r->npend && r->pend[i].key != e->arg[5]; i++)
		;
	if (i == r->npend)
		return;
	if (event_uring_join(r->pend[i].rec, r->pend[i].size, e, size, &rec, &n) == 0) {
		emit(r, rec, n);
		free(rec);
	}
	free(r->pend[i].rec);
	r->pend[i] = r->pend[--r->npend];
}

/* Submissions never completed while the tree ran: written as in flight. */
static void uring_flush(struct run *r)
{
	struct gh_event *e;
	size_t i;

	for (i = 0; i < r->npend; i++) {
		e = r->pend[i].rec;
		e->ret = -EINPROGRESS;
		emit(r, e, r->pend[i].size);
		free(e);
	}
	free(r->pend);
	r->pend = NULL;
	r->npend = r->pendcap = 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	const struct gh_event *e = data;

	/* another run's (a killed one's, in a reused ring buffer), gh-trace
	 * itself, traced while it starts the command, and the command's
	 * creation (the header has its pid) */
	if (size >= sizeof(*e) && (e->run != r->l.run || e->pid == (uint32_t)r->self ||
	    (e->type == GH_EV_FORK && e->pid == (uint32_t)r->c.pid &&
	     e->ppid == (uint32_t)r->self)))
		return 0;
	if (size >= sizeof(*e) && e->type == GH_EV_SYS && (e->flags & GH_EVF_URING))
		uring_submitted(r, e, size);
	else if (size >= sizeof(*e) && e->type == GH_EV_URING_DONE)
		uring_done(r, e, size);
	else
		emit(r, data, size);
	if (r->line.len >= 1 << 16)
		flush_lines(r);
	return 0;
}

static void consume(struct run *r)
{
	int n;

	/* records the ring buffer could not give stay unread and are counted
	 * nowhere: the run fails rather than end as if it had them all */
	if (r->active && !r->read_err) {
		n = loader_consume(&r->l);
		if (n < 0)
			r->read_err = -n;
	}
	flush_lines(r);
}

static int add_capture_member(struct gh_buf *b, const char *key,
			      const struct capture *c, int with_bytes)
{
	if (!c->path)
		return jw_null(b, key);
	if (jw_key(b, key) < 0 || gh_buf_addc(b, '{') < 0 ||
	    jw_str(b, "path", c->path, strlen(c->path)) < 0)
		return -ENOMEM;
	if (with_bytes && jw_int(b, "bytes", (int64_t)c->bytes) < 0)
		return -ENOMEM;
	if (with_bytes && c->err) {
		const char *e = strerrorname_np(c->err);

		if (jw_str(b, "err", e ? e : "EIO", strlen(e ? e : "EIO")) < 0)
			return -ENOMEM;
	}
	return gh_buf_addc(b, '}');
}

/* Inherited descriptor num (a copy of gh-trace's fd): its kind, and its
 * path or peer. */
static int add_fd(struct gh_buf *b, int num, int fd, int captured)
{
	char link[64], path[PATH_MAX + 1];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *kind = "other";
	struct stat st;
	ssize_t n;
	int ok = 1;

	if (fstat(fd, &st) < 0)
		return 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG: kind = "file"; break;
	case S_IFDIR: kind = "dir"; break;
	case S_IFCHR: kind = "char"; break;
	case S_IFBLK: kind = "block"; break;
	case S_IFIFO: kind = "pipe"; break;
	case S_IFSOCK: kind = "socket"; break;
	}
	ok &= gh_buf_addc(b, b->p[b->len - 1] == '[' ? '{' : ',') >= 0;
	if (b->p[b->len - 1] == ',')
		ok &= gh_buf_addc(b, '{') >= 0;
	ok &= jw_int(b, "fd", num) >= 0;
	ok &= jw_str(b, "kind", kind, strlen(kind)) >= 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n >= 0)
		ok &= jw_str(b, "path", path, (size_t)n) >= 0;
	if (S_ISSOCK(st.st_mode) &&
	    getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		char host[INET6_ADDRSTRLEN + 16], text[INET6_ADDRSTRLEN];

		host[0] = '\0';
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (void *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
			snprintf(host, sizeof(host), "%s:%u", text, ntohs(in->sin_port));
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (void *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
			snprintf(host, sizeof(host), "[%s]:%u", text, ntohs(in6->sin6_port));
		} else if (ss.ss_family == AF_UNIX && sl > sizeof(sa_family_t)) {
			struct sockaddr_un *un = (void *)&ss;
			size_t len = sl - sizeof(sa_family_t);

			if (un->sun_path[0])
				snprintf(host, sizeof(host), "unix:%.*s",
					 (int)strnlen(un->sun_path, len), un->sun_path);
			else
				snprintf(host, sizeof(host), "unix:@%.*s",
					 (int)(len - 1), un->sun_path + 1);
		}
		if (host[0])
			ok &= jw_str(b, "peer", host, strlen(host)) >= 0;
	}
	if (captured)
		ok &= jw_bool(b, "captured", 1) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	return ok ? 0 : -ENOMEM;
}

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* The descriptors the command will start with: gh-trace's own that are
 * not close-on-exec (every one it opens itself is), into r->fds. Read
 * once, before the programs' descriptors are opened: /proc/self/fd costs
 * a lookup per entry. */
static void list_fds(struct run *r)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd, fl, cap = 0, *p;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		fl = fcntl(fd, F_GETFD);
		if (fd == dirfd(d) || fl < 0 || (fl & FD_CLOEXEC))
			continue;
		if (r->nfds == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(r->fds, cap * sizeof(*p));
			if (!p)
				break;
			r->fds = p;
		}
		r->fds[r->nfds++] = fd;
	}
	if (d)
		closedir(d);
}

/* The sockets among the descriptors the command will start with (as
 * add_fds lists them): their cookies, for the programs to recognize
 * sends on them. */
static void watch_sockets(struct run *r)
{
	uint64_t cookie;
	socklen_t len;
	struct stat st;
	int fd, src, i;

	for (i = 0; i < r->nfds; i++) {
		fd = r->fds[i];
		src = fd;
		if ((fd == 1 && r->cap[0].name) || (fd == 2 && r->cap[1].name))
			continue;	/* a capture pipe */
		if (fd == 1 && r->out == 1)
			src = 2;	/* stdout goes to stderr */
		len = sizeof(cookie);
		if (fstat(src, &st) < 0 || !S_ISSOCK(st.st_mode) ||
		    getsockopt(src, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
			continue;
		if (r->ninh == GH_INH_MAX) {
			r->inh_unwatched++;
			continue;
		}
		r->inh_cookie[r->ninh] = cookie;
		r->inh_fd[r->ninh++] = (uint32_t)fd;
	}
}

/* The descriptors the command started with: gh-trace's own that are not
 * close-on-exec, with 1 and 2 as the command got them. */
static int add_fds(struct run *r, struct gh_buf *b)
{
	int *fds = r->fds, n = r->nfds < 1024 ? r->nfds : 1024, i, j, fd;

	if (jw_key(b, "fds") < 0 || gh_buf_addc(b, '[') < 0)
		return -ENOMEM;
	for (i = 1; i < n; i++)	/* insertion sort: few */
		for (j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			fd = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = fd;
		}
	for (i = 0; i < n; i++) {
		fd = fds[i];
		if (fd == 1 && r->cap[0].name)
			fd = r->c.out_fd;	/* a pipe like the one it got */
		else if (fd == 1 && r->out == 1)
			fd = 2;			/* stdout went to stderr */
		else if (fd == 2 && r->cap[1].name)
			fd = r->c.err_fd;
		if (fd < 0)
			continue;
		/* fd: what the command's fds[i] is a copy of */
		if (add_fd(b, fds[i], fd, fd != fds[i] && fd != 2) < 0)
			return -ENOMEM;
	}
	return gh_buf_addc(b, ']');
}

static int write_header(struct run *r, const char *reason)
{
	struct gh_buf *b = &r->line;
	struct utsname u;
	char id[37], start[40], cwd[PATH_MAX], host[256];
	int ok = 1;
	size_t i;

	uname(&u);
	uuid4(id);
	rfc3339(now_ns(CLOCK_REALTIME), start);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "%s", u.nodename);
	host[sizeof(host) - 1] = '\0';

	ok &= gh_buf_adds(b, "{\"type\":\"header\",\"t\":0,\"schema\":2,"
			  "\"tool\":\"gh-trace\"") >= 0;
	ok &= jw_str(b, "tool_version", GH_VERSION, strlen(GH_VERSION)) >= 0;
	ok &= jw_str(b, "execution_id", id, strlen(id)) >= 0;
	ok &= jw_str(b, "start", start, strlen(start)) >= 0;
	ok &= jw_str(b, "host", host, strlen(host)) >= 0;
	ok &= jw_str(b, "kernel", u.release, strlen(u.release)) >= 0;
	ok &= jw_str(b, "arch", u.machine, strlen(u.machine)) >= 0;
	{
		struct gh_buf av = GH_BUF_INIT;

		for (i = 0; r->argv[i]; i++)
			ok &= gh_buf_add(&av, r->argv[i], strlen(r->argv[i]) + 1) >= 0;
		ok &= jw_strv(b, "argv", av.p ? av.p : "", av.len) >= 0;
		gh_buf_release(&av);
	}
	if (getcwd(cwd, sizeof(cwd)))
		ok &= jw_str(b, "cwd", cwd, strlen(cwd)) >= 0;
	else
		ok &= jw_null(b, "cwd") >= 0;
	ok &= jw_int(b, "uid", getuid()) >= 0;
	ok &= jw_int(b, "gid", getgid()) >= 0;
	ok &= jw_int(b, "run_uid", r->run_uid) >= 0;
	ok &= jw_int(b, "run_gid", r->run_gid) >= 0;
	ok &= jw_int(b, "pid", r->c.pid) >= 0;
	ok &= jw_key(b, "audit") >= 0 && gh_buf_addc(b, '{') >= 0;
	ok &= jw_bool(b, "active", !reason) >= 0;
	if (reason)
		ok &= jw_str(b, "reason", reason, strlen(reason)) >= 0;
	else
		ok &= jw_str(b, "programs", r->l.kept ? "kept" : "loaded",
			     r->l.kept ? 4 : 6) >= 0 &&
		      jw_str(b, "bpf_object_sha256", GH_BPF_SHA256,
			     strlen(GH_BPF_SHA256)) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	ok &= jw_key(b, "limits") >= 0 && gh_buf_addc(b, '{') >= 0;
	ok &= jw_int(b, "argv_bytes", r->argv_limit) >= 0;
	ok &= jw_int(b, "path_bytes", GH_PATH_MAX) >= 0;
	ok &= jw_int(b, "ringbuf_bytes", r->ringbuf) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	ok &= add_capture_member(b, "stdout", &r->cap[0], 0) >= 0;
	ok &= add_capture_member(b, "stderr", &r->cap[1], 0) >= 0;
	ok &= add_fds(r, b) >= 0;
	{
		const char *pd = r->pin_dir ? r->pin_dir : LOADER_PIN_DIR;

		ok &= jw_str(b, "pin_dir", pd, strlen(pd)) >= 0;
	}
	if (r->output_abs)
		ok &= jw_str(b, "output", r->output_abs, strlen(r->output_abs)) >= 0;
	ok &= gh_buf_add(b, "}\n", 2) >= 0;
	if (!ok)
		return -ENOMEM;
	flush_lines(r);
	return 0;
}

/* Whether FILE of -o no longer names the file the events went to (the
 * command removed or replaced it: what FILE holds now is not this run's
 * stream); says so. */
static int output_replaced(const struct run *r)
{
	struct stat now, ours;

	if (!r->output_abs || fstat(r->out, &ours) < 0 || !S_ISREG(ours.st_mode))
		return 0;
	if (stat(r->output_abs, &now) == 0 && now.st_dev == ours.st_dev &&
	    now.st_ino == ours.st_ino)
		return 0;
	gh_err("%s: removed or replaced during the run: it does not hold this "
	       "run's events", r->output_abs);
	return 1;
}

static int status_of(const siginfo_t *si, int *code, int *sig)
{
	*code = -1;
	*sig = 0;
	if (si->si_code == CLD_EXITED) {
		*code = si->si_status;
		return si->si_status;
	}
	*sig = si->si_status;
	return 128 + si->si_status;
}

static int write_end(struct run *r, uint64_t t_end)
{
	struct gh_buf *b = &r->line;
	uint64_t lost[GH_LOST_MAX] = { 0 }, part[GH_PART_MAX] = { 0 };
	uint64_t uops[4] = { 0 }, missed = 0;
	struct rusage ru;
	int code, sig, status, ok = 1, k, first = 1;

	if (r->active) {
		loader_lost(&r->l, lost);
		missed = loader_missed(&r->l);
		loader_part(&r->l, part, uops);
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	status = status_of(&r->status, &code, &sig);

	ok &= gh_buf_adds(b, "{\"type\":\"end\"") >= 0;
	ok &= jw_int(b, "t", t_end - r->t0) >= 0;
	ok &= jw_int(b, "pid", r->c.pid) >= 0;
	ok &= jw_int(b, "status", status) >= 0;
	ok &= (code >= 0 ? jw_int(b, "code", code) : jw_null(b, "code")) >= 0;
	ok &= (sig ? jw_int(b, "signal", sig) : jw_null(b, "signal")) >= 0;
	ok &= jw_int(b, "duration_ns", t_end - r->t0) >= 0;
	ok &= jw_key(b, "rusage") >= 0 && gh_buf_addc(b, '{') >= 0;
	ok &= jw_int(b, "utime_us", ru.ru_utime.tv_sec * 1000000LL +
					 ru.ru_utime.tv_usec) >= 0;
	ok &= jw_int(b, "stime_us", ru.ru_stime.tv_sec * 1000000LL +
					 ru.ru_stime.tv_usec) >= 0;
	ok &= jw_int(b, "maxrss_kb", ru.ru_maxrss) >= 0;
	ok &= jw_int(b, "minflt", ru.ru_minflt) >= 0;
	ok &= jw_int(b, "majflt", ru.ru_majflt) >= 0;
	ok &= jw_int(b, "inblock", ru.ru_inblock) >= 0;
	ok &= jw_int(b, "oublock", ru.ru_oublock) >= 0;
	ok &= jw_int(b, "nvcsw", ru.ru_nvcsw) >= 0;
	ok &= jw_int(b, "nivcsw", ru.ru_nivcsw) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	ok &= jw_int(b, "events", (int64_t)r->events) >= 0;
	ok &= jw_key(b, "lost") >= 0 && gh_buf_addc(b, '{') >= 0;
	ok &= jw_int(b, "ringbuf", (int64_t)lost[GH_LOST_RINGBUF]) >= 0;
	ok &= jw_int(b, "fault", (int64_t)lost[GH_LOST_FAULT]) >= 0;
	ok &= jw_int(b, "truncated", (int64_t)lost[GH_LOST_TRUNC]) >= 0;
	ok &= jw_int(b, "missed", (int64_t)missed) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	/* channels used but not decoded: each makes the receipt partial */
	ok &= jw_key(b, "undecoded") >= 0 && gh_buf_addc(b, '{') >= 0;
	ok &= jw_int(b, "compat_syscall", (int64_t)part[GH_PART_COMPAT]) >= 0;
	ok &= jw_int(b, "bpf_syscall", (int64_t)part[GH_PART_BPF]) >= 0;
	ok &= jw_int(b, "io_uring_unsupported_op", (int64_t)part[GH_PART_URING]) >= 0;
	ok &= jw_int(b, "foreign_process_control", (int64_t)part[GH_PART_FOREIGN]) >= 0;
	ok &= jw_int(b, "left_running", r->left_running) >= 0;
	ok &= jw_int(b, "path_changed", (int64_t)part[GH_PART_PATH_CHANGED]) >= 0;
	ok &= jw_int(b, "unwatched_sockets", r->inh_unwatched +
		     (int64_t)part[GH_PART_UNWATCHED]) >= 0;
	ok &= jw_int(b, "scm_rights_unread", (int64_t)part[GH_PART_SCM]) >= 0;
	ok &= jw_int(b, "seccomp_listener", (int64_t)part[GH_PART_SECCOMP]) >= 0;
	ok &= jw_int(b, "netlink_request", (int64_t)part[GH_PART_NETLINK]) >= 0;
	ok &= gh_buf_addc(b, '}') >= 0;
	ok &= jw_key(b, "io_uring_opcodes") >= 0 && gh_buf_addc(b, '[') >= 0;
	for (k = 0; k < 256; k++) {
		if (!(uops[k / 64] >> (k % 64) & 1))
			continue;
		ok &= (first ? 0 : gh_buf_addc(b, ',')) >= 0;
		ok &= gh_buf_printf(b, "%d", k) >= 0;
		first = 0;
	}
	ok &= gh_buf_addc(b, ']') >= 0;
	ok &= add_capture_member(b, "stdout", &r->cap[0], 1) >= 0;
	ok &= add_capture_member(b, "stderr", &r->cap[1], 1) >= 0;
	if (r->c.exec_err) {
		/* the command never ran: not found, or not executable */
		const char *e = strerrorname_np(r->c.exec_err);

		ok &= jw_str(b, "err", e ? e : "EIO", strlen(e ? e : "EIO")) >= 0;
	}
	ok &= gh_buf_add(b, "}\n", 2) >= 0;
	if (!ok)
		return -ENOMEM;
	flush_lines(r);
	if (r->verbose)
		gh_err("%llu events, lost: %llu ring buffer, %llu fault, %llu truncated",
		       (unsigned long long)r->events,
		       (unsigned long long)lost[GH_LOST_RINGBUF],
		       (unsigned long long)lost[GH_LOST_FAULT],
		       (unsigned long long)lost[GH_LOST_TRUNC]);
	return status;
}

/* What main() allocated for the run, freed on its early returns. */
static void run_release(struct run *r)
{
	free(r->output_abs);
	r->output_abs = NULL;
	free(r->cap[0].path);
	free(r->cap[1].path);
	r->cap[0].path = r->cap[1].path = NULL;
	free(r->groups);
	r->groups = NULL;
	free(r->fds);
	r->fds = NULL;
	r->nfds = 0;
}

/* --unload: remove the kept programs. */
static int do_unload(struct run *r)
{
	char reason[320];
	int n = loader_unload(r->pin_dir, reason, sizeof(reason));

	if (n < 0) {
		gh_err("--unload: %s", reason);
		return GH_EXIT_ERR;
	}
	if (r->verbose)
		gh_err(n ? "removed the kept programs" : "no programs were kept");
	return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
}

/* --keep without a command: load and keep the programs, or check that
 * the kept ones are this build's. */
static int do_keep(struct run *r)
{
	struct loader_opts lo = { .verbose = r->verbose, .keep = 1,
				  .pin_dir = r->pin_dir };
	int ret = loader_keep(&r->l, &lo);

	if (ret < 0)
		gh_err("--keep: %s", r->l.reason);
	else if (r->verbose)
		gh_err("%s", r->l.how);
	loader_stop(&r->l);
	if (ret < 0)
		return GH_EXIT_ERR;
	return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
}

/* The supplementary groups initgroups(3) would give user, found here:
 * the command starts under vfork, where nothing may allocate. */
static void user_groups(struct run *r, struct child_opts *co, const char *user)
{
	int n = 32;
	gid_t *g;

	if (!user)
		return;
	for (;;) {
		g = realloc(r->groups, n * sizeof(*g));
		if (!g)
			return;
		r->groups = g;
		if (getgrouplist(user, co->gid, g, &n) >= 0)
			break;
	}
	co->groups = r->groups;
	co->ngroups = n;
}

/* The environment a login as pw would have, as sudo -u and su give it:
 * the command starts under vfork, where nothing may allocate, so it is
 * set here and inherited. */
static int user_env(const struct passwd *pw)
{
	const char *shell = pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";

	if (setenv("HOME", pw->pw_dir, 1) < 0 || setenv("USER", pw->pw_name, 1) < 0 ||
	    setenv("LOGNAME", pw->pw_name, 1) < 0 || setenv("SHELL", shell, 1) < 0) {
		gh_err("setting the environment of user '%s': %s", pw->pw_name,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* A user or group id written in decimal: digits only, below (id_t)-1,
 * which the kernel reads as "unchanged". 0 or -1. */
static int parse_id(const char *s, unsigned int *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= (unsigned int)-1)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Who the command runs as: -u USER, else SUDO_UID when root under sudo,
 * else gh-trace's own identity. */
static int pick_user(struct run *r, struct child_opts *co)
{
	struct passwd *pw = NULL;
	const char *s;
	unsigned int v, g;

	co->change_ids = 0;
	r->run_uid = geteuid();
	r->run_gid = getegid();
	if (r->user) {
		pw = getpwnam(r->user);
		if (!pw) {
			if (parse_id(r->user, &v) < 0) {
				gh_err("unknown user '%s'", r->user);
				return -1;
			}
			pw = getpwuid((uid_t)v);
			if (!pw) {
				r->run_uid = (uid_t)v;
				r->run_gid = (gid_t)v;
			}
		}
	} else if (geteuid() == 0 && (s = getenv("SUDO_UID")) && *s) {
		if (parse_id(s, &v) < 0) {
			gh_err("bad SUDO_UID '%s'", s);
			return -1;
		}
		pw = getpwuid((uid_t)v);
		r->run_uid = (uid_t)v;
		r->run_gid = pw ? pw->pw_gid : (gid_t)v;
		if ((s = getenv("SUDO_GID")) && *s) {
			if (parse_id(s, &g) < 0) {
				gh_err("bad SUDO_GID '%s'", s);
				return -1;
			}
			r->run_gid = (gid_t)g;
		}
		co->uid = r->run_uid;
		co->gid = r->run_gid;
		user_groups(r, co, pw ? pw->pw_name : NULL);
		co->change_ids = 1;
		return pw ? user_env(pw) : 0;
	} else {
		return 0;
	}
	if (pw) {
		r->run_uid = pw->pw_uid;
		r->run_gid = pw->pw_gid;
	}
	co->uid = r->run_uid;
	co->gid = r->run_gid;
	user_groups(r, co, pw ? pw->pw_name : NULL);
	co->change_ids = 1;
	if (geteuid() != 0 && (r->run_uid != geteuid() || r->run_gid != getegid())) {
		gh_err("-u %s: only root can run a command as another user", r->user);
		return -1;
	}
	return pw ? user_env(pw) : 0;
}

/* Open (creating it if needed, truncating nothing yet) an output file
 * without following a symbolic link planted in its place (gh-trace runs
 * as root, often in /tmp). A link to something that is not a regular
 * file, such as /dev/stdout or a terminal, is followed. *created says
 * whether this call made the file. */
static int open_output(const char *path, int *created)
{
	struct stat st;
	int fd;

	*created = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd >= 0) {
		*created = 1;
		return fd;
	}
	if (errno != EEXIST)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 || errno != ELOOP)
		return fd;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return open(path, O_WRONLY | O_CLOEXEC);
	errno = ELOOP;
	return -1;
}

/* The files gh-trace writes: the event stream and the capture files. */
struct output {
	const char *opt;	/* the option that named it */
	const char *name;
	int fd;
	int created;
	int own;		/* opened here (not the inherited stdout) */
	struct stat st;
};

/* Refuse two outputs that are one file (by device and inode, whatever
 * the names or links), then lock the files opened here so that a second
 * run given one of them is refused, then truncate them. Exit status or
 * 0; on refusal, files this run created are removed again. */
static int claim_outputs(struct output *o, int n)
{
	int i, j, status = 0;

	for (i = 0; i < n; i++)
		if (fstat(o[i].fd, &o[i].st) < 0) {
			gh_err("%s: %s", o[i].name, strerror(errno));
			status = EXIT_TRACE;
			goto refuse;
		}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (S_ISREG(o[i].st.st_mode) && o[i].st.st_dev == o[j].st.st_dev &&
			    o[i].st.st_ino == o[j].st.st_ino) {
				gh_err("%s %s and %s %s are the same file", o[i].opt,
				       o[i].name, o[j].opt, o[j].name);
				status = GH_EXIT_ERR;
				goto refuse;
			}
	for (i = 0; i < n; i++) {
		if (!o[i].own || !S_ISREG(o[i].st.st_mode))
			continue;
		if (flock(o[i].fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK) {
				gh_err("%s: another gh-trace run is writing to it", o[i].name);
				status = GH_EXIT_ERR;
			} else {
				gh_err("%s: lock: %s", o[i].name, strerror(errno));
				status = EXIT_TRACE;
			}
			goto refuse;
		}
	}
	for (i = 0; i < n; i++)
		if (o[i].own && S_ISREG(o[i].st.st_mode) && !o[i].created &&
		    ftruncate(o[i].fd, 0) < 0) {
			gh_err("%s: %s", o[i].name, strerror(errno));
			status = EXIT_TRACE;
			goto refuse;
		}
	return 0;
refuse:
	for (i = 0; i < n; i++)
		if (o[i].created)
			unlink(o[i].name);
	return status;
}

/* A descriptor among 0, 1 and 2 that is closed when we start would be
 * the next one open(2) returns: an output file would become the
 * command's stdin, stdout or stderr, or our event stream. Hold them on
 * /dev/null; closed[fd] says which were closed. */
static int hold_std_fds(int closed[3])
{
	int fd, nul;

	for (fd = 0; fd < 3; fd++) {
		closed[fd] = fcntl(fd, F_GETFD) < 0 && errno == EBADF;
		if (!closed[fd])
			continue;
		nul = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nul != fd) {
			if (nul >= 0)
				close(nul);
			return -1;
		}
	}
	return 0;
}

static const char *output_error(int err)
{
	return err == ELOOP ? "refusing to write through a symbolic link" : strerror(err);
}

static int open_capture(struct capture *c, int show)
{
	char *abs;

	c->show = show;
	c->pipe = -1;
	if (!c->name)
		return 0;
	c->file = open_output(c->name, &c->created);
	if (c->file < 0) {
		gh_err("%s: %s", c->name, output_error(errno));
		return -1;
	}
	abs = realpath(c->name, NULL);
	if (!abs) {
		gh_err("%s: %s", c->name, strerror(errno));
		return -1;
	}
	c->path = abs;
	return 0;
}

/* 0 or the errno of the write that failed; *done counts what was written. */
static int write_all(int fd, const char *p, size_t n, uint64_t *done)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= w;
		if (done)
			*done += w;
	}
	return 0;
}

/* Move what the command wrote to its capture file and to the user.
 * Returns 0 at EOF or when nothing is left to read. */
static int pump(struct capture *c)
{
	char buf[65536];
	ssize_t n;

	if (c->pipe < 0)
		return 0;
	n = read(c->pipe, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return errno == EINTR;
	if (n <= 0) {
		close(c->pipe);
		c->pipe = -1;
		return 0;
	}
	if (!c->err)
		c->err = write_all(c->file, buf, n, &c->bytes);
	/* the user's terminal may be gone: keep capturing regardless */
	write_all(c->show, buf, n, NULL);
	return 1;
}

static void reap(struct run *r)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			r->all_done = 1;	/* ECHILD: the whole tree is gone */
			return;
		}
		if (si.si_pid == 0)
			return;
		if (si.si_pid == r->c.pid) {
			r->status = si;
			r->main_done = 1;
			r->t_main = now_ns(CLOCK_MONOTONIC);
		}
	}
}

/* Pass a terminating signal on, then SIGCONT: a stopped process only
 * acts on it once it runs again. */
static void forward(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = si->ssi_signo;

	if (!r->main_done) {
		/* a terminal's ^C already reached the command's process group */
		if (!(si->ssi_code == SI_KERNEL && getpgid(r->c.pid) == getpgrp()))
			kill(r->c.pid, sig);
		kill(r->c.pid, SIGCONT);
	} else if (r->active) {
		loader_signal_all(&r->l, sig);
		loader_signal_all(&r->l, SIGCONT);
	}
}

/* The handler that lets the terminating signals interrupt a blocked write
 * (without SA_RESTART), for those not ignored when we started: exec resets
 * a handler, not an ignored signal, so it comes after the command starts. */
static void catch_term(struct run *r)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_sigaction = on_term, .sa_flags = SA_SIGINFO }, old;
	size_t i;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&r->term);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN &&
		    sigaction(sigs[i], &sa, NULL) == 0)
			sigaddset(&r->term, sigs[i]);
	}
	r->term_caught = 1;
}

/* Our children's pids, as /proc lists them, into buf (NUL terminated);
 * the orphans of the tree come to us. Whether the list was cut short. */
static int read_children(struct run *r, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)r->self);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n >= (ssize_t)size - 1;
}

/* How many processes of the tree are still running. */
static int count_children(struct run *r)
{
	char buf[4096], *p, *end;
	int count = 0, cut = read_children(r, buf, sizeof(buf));

	for (p = buf; *p; p = end) {
		strtol(p, &end, 10);
		if (end == p)
			break;
		count++;
	}
	return cut ? count + 1 : count;	/* a longer list: at least one more */
}

/* Say which processes the command left running, once: "pid (name)"
 * for each of our children (orphans of the tree come to us). */
static void say_waiting(struct run *r)
{
	char path[64], list[512], name[64], buf[4096];
	size_t len = 0;
	int fd, count = 0;
	char *p, *end;

	read_children(r, buf, sizeof(buf));
	list[0] = '\0';
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		name[0] = '\0';
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t m = read(fd, name, sizeof(name) - 1);

			name[m > 0 ? m - 1 : 0] = '\0';	/* its newline */
			close(fd);
		}
		if (len < sizeof(list) - 80)
			len += snprintf(list + len, sizeof(list) - len, "%s%ld (%s)",
					count ? ", " : "", pid, name);
		count++;
	}
	if (count)
		gh_err("the command has ended; waiting for %d process%s it left running: %s"
		       " (--wait=command does not wait)", count, count > 1 ? "es" : "", list);
	else
		gh_err("the command has ended; waiting for the processes it left running"
		       " (--wait=command does not wait)");
}

/* After the command's end: whether to wait on for the rest of the tree. */
static int keep_waiting(struct run *r)
{
	uint64_t waited = now_ns(CLOCK_MONOTONIC) - r->t_main;

	if (r->wait_mode == WAIT_COMMAND)
		return 0;
	if (r->wait_mode == WAIT_SECONDS && waited >= r->wait_ns)
		return 0;
	if (!r->said_waiting && waited >= SAY_WAIT_MS * 1000000ull) {
		r->said_waiting = 1;
		say_waiting(r);
	}
	return 1;
}

enum { TAG_SIG, TAG_RING, TAG_OUT, TAG_ERR };

static int watch(int ep, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Wait for the whole tree, streaming records and output as they come. */
static int loop(struct run *r, int sfd)
{
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	int ep, n, i;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || watch(ep, sfd, TAG_SIG) < 0 ||
	    (r->active && watch(ep, loader_fd(&r->l), TAG_RING) < 0) ||
	    (r->cap[0].pipe >= 0 && watch(ep, r->cap[0].pipe, TAG_OUT) < 0) ||
	    (r->cap[1].pipe >= 0 && watch(ep, r->cap[1].pipe, TAG_ERR) < 0)) {
		gh_err("epoll: %s", strerror(errno));
		return -1;
	}
	reap(r);
	while (!r->all_done) {
		if (r->main_done && !keep_waiting(r)) {
			/* --wait=command or SECONDS: what is still running acts
			 * unrecorded from here on, and the receipt says so */
			r->left_running = count_children(r);
			break;
		}
		/* records wake us only in bulk: read the rest on a short timer */
		n = epoll_wait(ep, evs, 8, r->active || r->main_done ? POLL_MS : -1);
		if (n == 0)
			consume(r);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gh_err("epoll: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_SIG:
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGCHLD)
						reap(r);
					else
						forward(r, &si);
				}
				break;
			case TAG_RING:
				consume(r);
				if (r->read_err)
					epoll_ctl(ep, EPOLL_CTL_DEL, loader_fd(&r->l), NULL);
				break;
			case TAG_OUT:
			case TAG_ERR:
				pump(&r->cap[evs[i].data.u32 - TAG_OUT]);
				break;
			}
		}
	}
	close(ep);
	return 0;
}

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "stdout", required_argument, NULL, 'O' },
	{ "stderr", required_argument, NULL, 'E' },
	{ "user", required_argument, NULL, 'u' },
	{ "require-audit", no_argument, NULL, 'R' },
	{ "argv-limit", required_argument, NULL, 'A' },
	{ "ringbuf-size", required_argument, NULL, 'B' },
	{ "keep", no_argument, NULL, 'K' },
	{ "no-keep", no_argument, NULL, 'N' },
	{ "wait", required_argument, NULL, 'W' },
	{ "unload", no_argument, NULL, 'U' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "linger", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The options into r, the command (if any) into r->argv: it starts at
 * the first non-option. -1 to go on, else the status to exit with. */
static int parse_options(struct run *r, int argc, char **argv, int *unload)
{
	uint64_t v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:o:u:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': r->output = optarg; break;
		case 'O': r->cap[0].name = optarg; break;
		case 'E': r->cap[1].name = optarg; break;
		case 'u': r->user = optarg; break;
		case 'R': r->require_audit = 1; break;
		case 'K':
		case 'N':
			if (r->keep >= 0 && r->keep != (opt == 'K')) {
				gh_err("--keep and --no-keep exclude each other");
				return GH_EXIT_ERR;
			}
			r->keep = opt == 'K';
			break;
		case 'U': *unload = 1; break;
		case 'v': r->verbose = 1; break;
		case 'A':
			if (parse_size(optarg, 1, GH_ARGV_MAX, &v) < 0) {
				gh_err("--argv-limit: '%s' is not a number from 1 to %u",
				       optarg, GH_ARGV_MAX);
				return GH_EXIT_ERR;
			}
			r->argv_limit = v;
			break;
		case 'B':
			if (parse_size(optarg, 4096, 1u << 30, &v) < 0 || (v & (v - 1))) {
				gh_err("--ringbuf-size: '%s' is not a power of two from 4096 to %u",
				       optarg, 1u << 30);
				return GH_EXIT_ERR;
			}
			r->ringbuf = v;
			break;
		case 'W':
			if (parse_wait(r, optarg) < 0) {
				gh_err("--wait: '%s' is not tree, command or a number of seconds",
				       optarg);
				return GH_EXIT_ERR;
			}
			break;
		case 'L':
			if (parse_linger(optarg, &r->linger_ms) < 0) {
				gh_err("--linger: '%s' is not a number of seconds from 0 to %g",
				       optarg, LOADER_LINGER_MAX / 1000.0);
				return GH_EXIT_ERR;
			}
			r->linger_set = 1;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		case 'V':
			gh_print_version();
			return gh_close_stdout() < 0 ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, opt, argv, longopts);
		}
	}
	if (*unload && r->keep == 1) {
		gh_err("--keep and --unload exclude each other");
		return GH_EXIT_ERR;
	}
	if (*unload && optind < argc) {
		gh_err("--unload takes no command");
		return GH_EXIT_ERR;
	}
	if (optind < argc)
		r->argv = argv + optind;
	return -1;
}

/* --linger, else GH_TRACE_LINGER, else the default. 0, or -1 when
 * GH_TRACE_LINGER is not a number of seconds (said). */
static int settle_linger(struct run *r)
{
	const char *env = getenv("GH_TRACE_LINGER");

	if (r->linger_set)
		return 0;
	r->linger_ms = LOADER_LINGER_MS;
	if (env && *env && parse_linger(env, &r->linger_ms) < 0) {
		gh_err("GH_TRACE_LINGER: '%s' is not a number of seconds from 0 to %g",
		       env, LOADER_LINGER_MAX / 1000.0);
		return -1;
	}
	return 0;
}

/* Kept by default; said so (--keep, GH_TRACE_KEEP=1), a failure to keep
 * them is worth a warning, else only -v tells it. Whether it was said. */
static int settle_keep(struct run *r)
{
	const char *env = getenv("GH_TRACE_KEEP");
	int keep_asked = r->keep == 1 || (env && *env && strcmp(env, "0") != 0);

	if (r->keep < 0)
		r->keep = !(env && strcmp(env, "0") == 0);
	return keep_asked;
}

/* The event stream, then the capture files, none of them one of the
 * others nor held by another run. 0, or the status to exit with. */
static int prepare_outputs(struct run *r, const int std_closed[3])
{
	struct output outs[3];
	int i, nout = 0, nout_created = 0;

	if (r->output && strcmp(r->output, "-") != 0) {
		r->out = open_output(r->output, &nout_created);
		if (r->out < 0) {
			gh_err("%s: %s", r->output, output_error(errno));
			return EXIT_TRACE;
		}
		r->output_abs = realpath(r->output, NULL);
	} else if (std_closed[1]) {
		gh_err("standard output is closed: nowhere to write the events (use -o FILE)");
		return EXIT_TRACE;
	}
	outs[nout++] = (struct output){ .opt = r->out == 1 ? "the event stream on" : "-o", .fd = r->out,
		.name = r->out == 1 ? "standard output" : r->output,
		.created = nout_created, .own = r->out != 1 };
	if (open_capture(&r->cap[0], r->out == 1 ? 2 : 1) < 0 ||
	    open_capture(&r->cap[1], 2) < 0) {
		if (nout_created)
			unlink(r->output);
		if (r->cap[0].created)
			unlink(r->cap[0].name);
		run_release(r);
		return EXIT_TRACE;
	}
	for (i = 0; i < 2; i++)
		if (r->cap[i].name)
			outs[nout++] = (struct output){ .opt = i ? "--stderr" : "--stdout",
				.name = r->cap[i].name, .fd = r->cap[i].file,
				.created = r->cap[i].created, .own = 1 };
	i = claim_outputs(outs, nout);
	if (i)
		run_release(r);
	return i;
}

/* Signals arrive through a signalfd; SIGPIPE is an error return (the
 * command gets back the state main() saved first). The signalfd, or -1. */
static int take_signals(struct run *r)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		gh_err("signalfd: %s", strerror(errno));
		run_release(r);
		return -1;
	}
	/* orphans of the tree become our children, so we see the tree end */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return sfd;
}

/* Load and attach the programs, or find them kept, and register the run;
 * fail open unless told otherwise. *reason says why tracing is off.
 * 0, or -1 when the run must stop. */
static int load_attach(struct run *r, int keep_asked, const char **reason)
{
	struct loader_opts lo = { 0 };
	int i;

	lo.argv_limit = r->argv_limit;
	lo.ringbuf_bytes = r->ringbuf;
	lo.verbose = r->verbose;
	lo.keep = r->keep;
	lo.pin_dir = r->pin_dir;
	lo.linger_ms = r->linger_ms;
	list_fds(r);
	watch_sockets(r);
	lo.inh_cookie = r->inh_cookie;
	lo.inh_fd = r->inh_fd;
	lo.ninh = r->ninh;
	i = loader_start(&r->l, &lo, on_record, r);
	if (r->l.warning[0] && keep_asked)
		gh_err("warning: %s", r->l.warning);
	if (r->verbose && r->l.how[0])
		gh_err("%s", r->l.how);
	/* we trace ourselves while we start the command: the kernel adds it
	 * to the traced set as it is created, before it runs anything */
	if (i == 0 && loader_trace_self(&r->l) == 0) {
		r->active = 1;
		return 0;
	}
	*reason = r->l.reason[0] ? r->l.reason : "adding the command to the traced set failed";
	/* no lingerer: a child of ours that the untraced run would wait for */
	r->l.linger_ms = 0;
	loader_stop(&r->l);
	if (r->require_audit) {
		gh_err("audit unavailable: %s", *reason);
		run_release(r);
		return -1;
	}
	gh_err("warning: audit unavailable: %s; running the command untraced", *reason);
	return 0;
}

/* Start the command, traced from its creation when tracing works. 0, or
 * -1 when it could not be started. */
static int run_child(struct run *r, struct child_opts *co)
{
	int i;

	co->argv = r->argv;
	co->stdout_to_stderr = r->out == 1;
	co->capture_out = r->cap[0].name != NULL;
	co->capture_err = r->cap[1].name != NULL;
	r->t0 = now_ns(CLOCK_MONOTONIC);
	i = child_spawn(&r->c, co);
	if (r->active)
		loader_untrace_self(&r->l);
	if (i < 0) {
		gh_err("cannot start %s: %s", r->argv[0], strerror(-i));
		if (r->active)
			loader_stop(&r->l);
		run_release(r);
		return -1;
	}
	r->cap[0].pipe = r->c.out_fd;
	r->cap[1].pipe = r->c.err_fd;
	catch_term(r);
	return 0;
}

/* The tree is gone: drain the ring buffer and the capture pipes. */
static void drain(struct run *r)
{
	int i;

	consume(r);
	for (i = 0; i < 2; i++) {
		if (r->cap[i].pipe >= 0)
			fcntl(r->cap[i].pipe, F_SETFL, O_NONBLOCK);
		while (pump(&r->cap[i]))
			;
		/* closed before the end record, which says whether all got there */
		if (r->cap[i].file >= 0 && close(r->cap[i].file) < 0 && !r->cap[i].err)
			r->cap[i].err = errno;
		r->cap[i].file = -1;
	}
	uring_flush(r);
	if (r->active) {
		/* sockets still open, or closed since: their counts */
		loader_socks(&r->l, on_record, r);
		flush_lines(r);
	}
}

/* The outputs are written: their locks go now, before loader_stop forks
 * a lingerer, which holds a copy of every descriptor (and of each lock
 * with it) until it closes them all: a run started right after this one
 * is given the same files. */
static void unlock_outputs(struct run *r)
{
	int i;

	if (r->out != 1)
		flock(r->out, LOCK_UN);
	for (i = 0; i < 2; i++)
		if (r->cap[i].file >= 0)
			flock(r->cap[i].file, LOCK_UN);
}

/* The end record, then every error of the run said and everything
 * released. The status to exit with. */
static int finish(struct run *r)
{
	int i, status = EXIT_TRACE;

	if (r->main_done)
		status = write_end(r, now_ns(CLOCK_MONOTONIC));
	if (status < 0) {
		gh_err("out of memory");
		status = EXIT_TRACE;
	}
	unlock_outputs(r);
	if (r->active)
		loader_stop(&r->l);
	if (r->write_err) {
		gh_err("write error: %s", strerror(r->write_err));
		status = EXIT_TRACE;
	}
	if (r->read_err) {
		gh_err("reading the ring buffer: %s", strerror(r->read_err));
		status = EXIT_TRACE;
	}
	if (output_replaced(r))
		status = EXIT_TRACE;
	if (r->out != 1 && close(r->out) < 0 && !r->write_err) {
		gh_err("write error: %s", strerror(errno));
		status = EXIT_TRACE;
	}
	for (i = 0; i < 2; i++) {
		if (r->cap[i].file >= 0 && close(r->cap[i].file) < 0 && !r->cap[i].err)
			r->cap[i].err = errno;
		if (r->cap[i].err) {
			gh_err("%s: write error: %s", r->cap[i].name, strerror(r->cap[i].err));
			status = EXIT_TRACE;
		}
		free(r->cap[i].path);
	}
	free(r->output_abs);
	r->output_abs = NULL;
	gh_buf_release(&r->line);
	free(r->groups);
	free(r->fds);
	return status;
}

int main(int argc, char **argv)
{
	struct run r = { .argv_limit = DEFAULT_ARGV_LIMIT, .ringbuf = DEFAULT_RINGBUF,
			 .out = 1, .line = GH_BUF_INIT, .keep = -1 };
	struct child_opts co = { 0 };
	const char *reason = NULL;
	sigset_t orig_mask;
	struct sigaction orig_pipe;
	int sfd, status, unload = 0, keep_asked;
	int std_closed[3];
	const char *env;

	/* before anything is opened: 0, 1 and 2 are never reused */
	if (hold_std_fds(std_closed) < 0)
		return EXIT_TRACE;

	/* the signal state to hand on to the command (gh_init changes it) */
	sigprocmask(SIG_BLOCK, NULL, &orig_mask);
	sigaction(SIGPIPE, NULL, &orig_pipe);
	co.mask = &orig_mask;
	co.sigpipe = &orig_pipe;
	gh_init(argv[0]);
	r.c.pid = -1;
	r.self = getpid();
	r.cap[0].file = r.cap[1].file = -1;
	loader_init(&r.l);

	/* parse options; without a command, --unload or --keep alone */
	status = parse_options(&r, argc, argv, &unload);
	if (status >= 0)
		return status;
	r.pin_dir = (env = getenv("GH_TRACE_PIN_DIR")) && *env ? env : NULL;
	if (unload)
		return do_unload(&r);
	if (!r.argv && r.keep == 1)
		return do_keep(&r);
	if (!r.argv) {
		gh_err("no command given");
		usage(stderr);
		return GH_EXIT_ERR;
	}
	keep_asked = settle_keep(&r);
	if (settle_linger(&r) < 0)
		return GH_EXIT_ERR;
	if (pick_user(&r, &co) < 0)
		return EXIT_TRACE;

	/* prepare the outputs and the signals */
	status = prepare_outputs(&r, std_closed);
	if (status)
		return status;
	sfd = take_signals(&r);
	if (sfd < 0)
		return EXIT_TRACE;

	/* load and attach the programs */
	if (load_attach(&r, keep_asked, &reason) < 0)
		return EXIT_TRACE;

	/* run the command, the header first, until its tree is gone */
	if (run_child(&r, &co) < 0)
		return EXIT_TRACE;
	if (write_header(&r, reason) < 0)
		gh_err("out of memory");
	else
		loop(&r, sfd);

	/* drain what is left, then the end record */
	drain(&r);
	status = finish(&r);
	close(sfd);
	if (gh_close_stdout() < 0)
		status = EXIT_TRACE;
	return status;
}
