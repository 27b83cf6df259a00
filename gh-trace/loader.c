/* gh-trace: BPF program loading and keeping (fail-open reasons are
 * gathered here). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "btfmin.h"
#include "gh.h"
#include "loader.h"
#include "../bpf/trace.h"
#include "trace.skel.h"
#include "trace.hash.h"

/* What a run needs of the object, by name: the programs (their pins are
 * "prog_NAME" and "link_NAME") and the maps shared with gh-trace. */
static const char *const prog_names[LOADER_NPROGS] = {
	"sched_process_fork", "sched_process_exit", "sched_process_exec",
	"sys_enter", "sys_exit", "uring_submit", "uring_complete",
	"sock_send",
	"inet_sock_set_state", "sock_send_length", "sock_recv_length",
	"cgroup_attach", "cgroup_freeze", "sock_nl_consume",
};

enum { MAP_TRACED, MAP_RINGS, MAP_RUNS, MAP_SOCKS, MAP_TALLY, NMAPS };
static const char *const map_names[NMAPS] = { "traced", "rings", "runs",
					      "socks", "tally" };

#define BPFFS_MOUNT "/sys/fs/bpf"
#define KEPT_PREFIX "trace-"
/* Lengths: a pin directory (checked on entry), the paths in it. */
#define DIR_MAX LOADER_DIR_MAX
#define PIN_MAX LOADER_PIN_MAX
#define POOL_MAX 4	/* free ring buffers kept for later runs */

static int verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->reason, sizeof(l->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static int *map_fd(struct loader *l, int i)
{
	int *fds[NMAPS] = { &l->traced_fd, &l->rings_fd, &l->runs_fd,
			    &l->socks_fd, &l->tally_fd };

	return fds[i];
}

static void reset(struct loader *l)
{
	int i;

	l->skel = NULL;
	memset(&l->ring, 0, sizeof(l->ring));
	l->ring.fd = -1;
	l->kept = l->registered = 0;
	l->dir[0] = l->busy[0] = '\0';
	l->traced_fd = l->rings_fd = l->runs_fd = l->ring_fd = -1;
	l->socks_fd = -1;
	l->tally_fd = -1;
	for (i = 0; i < LOADER_NPROGS; i++)
		l->prog_fd[i] = l->link_fd[i] = -1;
}

void loader_init(struct loader *l)
{
	memset(l, 0, sizeof(*l));
	reset(l);
}

/* A process's start time in clock ticks after boot (/proc/PID/stat field
 * 22), or 0 when it does not exist or is a zombie. */
static uint64_t proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (i = 3;; i++) {
		while (*p == ' ')
			p++;
		if (i == 3 && (*p == 'Z' || *p == 'X'))
			return 0;
		if (i == 22 || !*p)
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (sscanf(p, "%llu", &v) != 1)
		return 0;
	return v;
}

static int run_alive(const struct gh_run *r)
{
	if (r->owner_start)
		return proc_start(r->owner) == r->owner_start;
	return kill(r->owner, 0) == 0 || errno == EPERM;
}

/* Whether fewer than need descriptors can be opened under the open files
 * limit (counted below the limit, where the kernel allocates them). */
static int fds_short(unsigned need)
{
	struct rlimit rl;
	unsigned fd, used = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 65536)
		return 0;
	for (fd = 0; fd < rl.rlim_cur; fd++)
		if (fcntl((int)fd, F_GETFD) >= 0)
			used++;
	return rl.rlim_cur - used < need;
}

/* Why the kernel refused the programs, as precisely as cheap probes tell.
 * need: the descriptors a load holds at once (its maps, programs and BTF). */
static int load_failed(struct loader *l, int err, unsigned need)
{
	struct rlimit rl;

	/* libbpf turns some failures to get a descriptor into other errors:
	 * a map whose creation fails is retried without BTF, which a task
	 * storage map cannot do without (EINVAL); a feature probe that cannot
	 * open one reads as a feature missing. Few descriptors left: that is
	 * the cause. */
	if (err != -EMFILE && err != -ENFILE && fds_short(need))
		err = -EMFILE;
	/* out of descriptors or memory: the probes below would fail the
	 * same way and blame the kernel */
	if ((err == -EMFILE || err == -ENFILE) && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		return fail(l, "loading BPF programs failed: %s (open files limit %llu)",
			    strerror(-err), (unsigned long long)rl.rlim_cur);
	if (err == -ENOMEM || err == -EPERM || err == -EMFILE || err == -ENFILE)
		return fail(l, "loading BPF programs failed: %s", strerror(-err));
	/* the probes answer 1 (there), 0 (missing) or -errno (no answer) */
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0)
		return fail(l, "the kernel has no BPF ring buffer (Linux 5.8 or later is needed)");
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop,
				    NULL) == 0)
		return fail(l, "the kernel has no bpf_loop helper (Linux 5.17 or later is needed)");
	return fail(l, "loading BPF programs failed: %s%s", strerror(-err),
		    l->verbose ? "" : " (-v shows the verifier's log)");
}

/* The kernel's BTF, mapped (Linux 6.15 and later) or read; NULL when it
 * cannot be had. */
static void *kernel_btf(size_t *len, int *mapped)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	void *p;
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	*len = st.st_size;
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	*mapped = p != MAP_FAILED;
	if (!*mapped && (p = malloc(*len)))
		while (n < *len && (r = read(fd, (char *)p + n, *len - n)) > 0)
			n += r;
	close(fd);
	if (!*mapped && p && n != *len) {
		free(p);
		p = NULL;
	}
	return p;
}

/* A minimal BTF for the object's CO-RE relocations (lib/btfmin.h), in a
 * memfd whose name for libbpf is written to path: libbpf then searches a
 * few hundred types for each kernel struct the programs read instead of
 * the kernel's whole BTF (126,000 types, 46 searches: a third of a
 * load's CPU). Returns the memfd, or -1 (l->core says why) when libbpf
 * is to search the whole BTF, as it does by itself. */
static int core_btf(struct loader *l, char *path, size_t size)
{
	struct gh_btfmin_stats st;
	const void *btf, *ext;
	size_t elf_len, btf_len, ext_len, kern_len = 0, out_len = 0;
	const void *elf = trace_bpf__elf_bytes(&elf_len);
	void *kern, *out = NULL;
	int mapped = 0, fd = -1, err;

	kern = kernel_btf(&kern_len, &mapped);
	if (!kern) {
		snprintf(l->core, sizeof(l->core), "the kernel's BTF cannot be read");
		return -1;
	}
	err = gh_elf_section(elf, elf_len, ".BTF", &btf, &btf_len);
	if (!err)
		err = gh_elf_section(elf, elf_len, ".BTF.ext", &ext, &ext_len);
	if (!err)
		err = gh_btfmin(btf, btf_len, ext, ext_len, kern, kern_len, &out,
				&out_len, &st);
	if (mapped)
		munmap(kern, kern_len);
	else
		free(kern);
	if (err) {
		snprintf(l->core, sizeof(l->core), "CO-RE against the kernel's whole BTF "
			 "(no minimal BTF: %s)", strerror(-err));
		return -1;
	}
	fd = memfd_create("gh-trace-core-btf", MFD_CLOEXEC);
	snprintf(path, size, "/proc/self/fd/%d", fd);
	if (fd < 0 || write(fd, out, out_len) != (ssize_t)out_len ||
	    access(path, R_OK) < 0) {
		snprintf(l->core, sizeof(l->core), "CO-RE against the kernel's whole BTF "
			 "(no minimal BTF: %s: %s)", fd < 0 ? "memfd_create" : path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		free(out);
		return -1;
	}
	free(out);
	snprintf(l->core, sizeof(l->core), "CO-RE: %u relocations against a minimal "
		 "BTF (%u of the kernel's types)", st.relos, st.types);
	return fd;
}

/* Load the programs in this process, and attach them unless they are to
 * be kept (kept programs are attached through pinned links, see
 * attach_kept); the fds stay the skeleton's. */
static int load_private(struct loader *l, int attach)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	const struct bpf_object_skeleton *sk;
	char core_path[64];
	int ncpu, err, i, j, core_fd;

	/* open (with a minimal BTF for CO-RE), size the per-CPU scratch area */
	core_fd = core_btf(l, core_path, sizeof(core_path));
	if (core_fd >= 0)
		oo.btf_custom_path = core_path;
	l->skel = trace_bpf__open_opts(&oo);
	if (!l->skel) {
		err = errno;
		if (core_fd >= 0)
			close(core_fd);
		return fail(l, "opening BPF object failed: %s", strerror(err));
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		if (core_fd >= 0)
			close(core_fd);
		return fail(l, "counting CPUs failed: %s", strerror(-ncpu));
	}
	bpf_map__set_max_entries(l->skel->maps.scratch, ncpu);
	/* the key of the name sums (bpf/trace.bpf.c: name rewrite races) */
	if (getrandom((void *)&l->skel->rodata->sum_key,
		      sizeof(l->skel->rodata->sum_key), 0) !=
	    sizeof(l->skel->rodata->sum_key)) {
		err = errno;
		if (core_fd >= 0)
			close(core_fd);
		return fail(l, "getrandom failed: %s", strerror(err));
	}

	/* load (the verifier runs here), then attach */
	err = trace_bpf__load(l->skel);
	if (core_fd >= 0)
		close(core_fd);
	if (err)
		return load_failed(l, err, l->skel->skeleton->map_cnt +
				   l->skel->skeleton->prog_cnt + 8);
	if (attach && (err = trace_bpf__attach(l->skel)))
		return fail(l, "attaching BPF programs failed: %s", strerror(-err));

	l->traced_fd = bpf_map__fd(l->skel->maps.traced);
	l->rings_fd = bpf_map__fd(l->skel->maps.rings);
	l->runs_fd = bpf_map__fd(l->skel->maps.runs);
	l->socks_fd = bpf_map__fd(l->skel->maps.socks);
	l->tally_fd = bpf_map__fd(l->skel->maps.tally);
	/* from here on only the programs write the tallies */
	if (bpf_map_freeze(l->tally_fd) < 0)
		return fail(l, "freezing the tally map failed: %s", strerror(errno));
	sk = l->skel->skeleton;
	if (sk->prog_cnt != LOADER_NPROGS)
		return fail(l, "BPF object has %d programs, not %d", sk->prog_cnt,
			    LOADER_NPROGS);
	for (i = 0; i < LOADER_NPROGS; i++) {
		for (j = 0; j < sk->prog_cnt; j++)
			if (strcmp(sk->progs[j].name, prog_names[i]) == 0)
				break;
		if (j == sk->prog_cnt || (attach && !*sk->progs[j].link))
			return fail(l, "BPF object lacks program %s", prog_names[i]);
		l->prog_fd[i] = bpf_program__fd(*sk->progs[j].prog);
		if (attach)
			l->link_fd[i] = bpf_link__fd(*sk->progs[j].link);
	}
	return 0;
}

/* Attach the programs loaded (not attached) by load_private for this run
 * only: when they could not be kept. */
static int attach_private(struct loader *l)
{
	const struct bpf_object_skeleton *sk = l->skel->skeleton;
	int err = trace_bpf__attach(l->skel), i, j;

	if (err)
		return fail(l, "attaching BPF programs failed: %s", strerror(-err));
	for (i = 0; i < LOADER_NPROGS; i++) {
		for (j = 0; j < sk->prog_cnt; j++)
			if (strcmp(sk->progs[j].name, prog_names[i]) == 0)
				break;
		if (j == sk->prog_cnt || !*sk->progs[j].link)
			return fail(l, "BPF object lacks program %s", prog_names[i]);
		l->link_fd[i] = bpf_link__fd(*sk->progs[j].link);
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Close the links, the last attached first. Two programs share a
 * tracepoint (sock_send and sock_send_length): when the one the kernel
 * calls first is detached while the other stays, it waits for an RCU
 * grace period before it calls the other directly (kernel/tracepoint.c,
 * the 2->1 transition), 8 to 16 ms on a loaded 2-CPU machine; detached
 * in the reverse order, the first one is the last left and nothing waits. */
static void close_links(struct loader *l)
{
	int i;

	for (i = LOADER_NPROGS - 1; i >= 0; i--)
		close_fd(&l->link_fd[i]);
}

/* Close the fds of kept programs (a private load's belong to the
 * skeleton). */
static void close_pinned(struct loader *l)
{
	int i;

	if (l->kept)
		close_links(l);
	if (l->skel)
		return;
	for (i = 0; i < NMAPS; i++)
		close_fd(map_fd(l, i));
	for (i = 0; i < LOADER_NPROGS; i++) {
		close_fd(&l->prog_fd[i]);
		close_fd(&l->link_fd[i]);
	}
}

/* Whether the pins opened are one load's programs and maps: each under
 * its own name, and each program using at least one of the maps pinned
 * beside it. A pin from another load (an older build's, another pin
 * directory's, or put there by hand) would make a run that sees nothing
 * of the maps this run registers in. */
static int pins_match(struct loader *l)
{
	uint32_t ours[NMAPS], ids[32], len, n, i, j, k;
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	int found;

	for (i = 0; i < NMAPS; i++) {
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(*map_fd(l, i), &mi, &len) < 0 ||
		    strncmp(mi.name, map_names[i], sizeof(mi.name) - 1) != 0)
			return 0;
		ours[i] = mi.id;
	}
	for (i = 0; i < LOADER_NPROGS; i++) {
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
		pi.map_ids = (uint64_t)(uintptr_t)ids;
		len = sizeof(pi);
		if (bpf_obj_get_info_by_fd(l->prog_fd[i], &pi, &len) < 0 ||
		    strncmp(pi.name, prog_names[i], sizeof(pi.name) - 1) != 0)
			return 0;
		n = pi.nr_map_ids < 32 ? pi.nr_map_ids : 32;
		found = 0;
		for (j = 0; j < n && !found; j++)
			for (k = 0; k < NMAPS && !found; k++)
				found = ids[j] == ours[k];
		if (!found)
			return 0;
	}
	return 1;
}

/* Open the programs kept in dir. Returns 0, or -1 (nothing kept open). */
static int open_pinned(struct loader *l, const char *dir)
{
	char path[PIN_MAX + 32];
	int i;

	for (i = 0; i < NMAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		*map_fd(l, i) = bpf_obj_get(path);
		if (*map_fd(l, i) < 0)
			goto fail;
	}
	for (i = 0; i < LOADER_NPROGS; i++) {
		snprintf(path, sizeof(path), "%s/prog_%s", dir, prog_names[i]);
		l->prog_fd[i] = bpf_obj_get(path);
		if (l->prog_fd[i] < 0)
			goto fail;
	}
	if (!pins_match(l))
		goto fail;
	l->kept = 1;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	return 0;
fail:
	close_pinned(l);
	return -1;
}

static int pin_all(struct loader *l, const char *dir)
{
	char path[PIN_MAX + 32];
	int i;

	for (i = 0; i < NMAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		if (bpf_obj_pin(*map_fd(l, i), path) < 0)
			return -errno;
	}
	for (i = 0; i < LOADER_NPROGS; i++) {
		snprintf(path, sizeof(path), "%s/prog_%s", dir, prog_names[i]);
		if (bpf_obj_pin(l->prog_fd[i], path) < 0)
			return -errno;
	}
	return 0;
}

/* Remove path: a pin, or a directory of pins (one level deep below). */
static int remove_tree(const char *path)
{
	char sub[PIN_MAX + NAME_MAX];
	struct dirent *e;
	DIR *d;
	int err = 0;

	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (unlink(sub) < 0 && errno != ENOENT && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT && !err)
		err = -errno;
	return err;
}

static int on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Wait for the lock of path (fd) that another process holds: a run
 * loading or ending holds it for a moment; after a second of waiting,
 * say what we wait for, once, then wait on. */
static void lock_wait(int fd, const char *path)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 1000; i++) {
		nanosleep(&ms, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
			return;
	}
	gh_err("waiting for %s: locked by another process", path);
}

/* An exclusive lock on a directory (a BPF filesystem's too), or -1. */
static int lock_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK)
		lock_wait(fd, path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Make sure pin_dir can be on a bpf filesystem: its parent is one, or is
 * /sys/fs/bpf, where one is mounted (as systemd does at boot) when none
 * is. Returns 0 or -1 with msg set. */
static int ensure_bpffs(const char *pin_dir, char *msg, size_t size)
{
	char parent[DIR_MAX];
	char *slash;
	int fd, err = 0;

	if (on_bpffs(pin_dir))
		return 0;
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (!slash) {
		snprintf(msg, size, "%s: not an absolute path", pin_dir);
		return -1;
	}
	*(slash == parent ? slash + 1 : slash) = '\0';
	if (on_bpffs(parent))
		return 0;
	if (strcmp(parent, BPFFS_MOUNT) != 0) {
		snprintf(msg, size, "%s: not on a bpf filesystem", parent);
		return -1;
	}
	/* one mount only, when several runs start at once */
	fd = lock_dir(parent);
	if (fd < 0) {
		snprintf(msg, size, "%s: %s", parent, strerror(errno));
		return -1;
	}
	if (!on_bpffs(parent) &&
	    mount("bpf", parent, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700") < 0)
		err = errno;
	close(fd);
	if (err) {
		snprintf(msg, size, "mounting a bpf filesystem on %s: %s", parent,
			 strerror(err));
		return -1;
	}
	return 0;
}

/* Lock pin_dir (created when missing) against other loaders. The lock is
 * taken on the directory itself; one removed meanwhile is created again. */
static int lock_pin_dir(const char *pin_dir, char *msg, size_t size)
{
	struct stat a, b;
	int fd, tries;

	for (tries = 0; tries < 16; tries++) {
		if (mkdir(pin_dir, 0700) < 0 && errno != EEXIST)
			break;
		fd = lock_dir(pin_dir);
		if (fd < 0)
			break;
		if (fstat(fd, &a) == 0 && stat(pin_dir, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	snprintf(msg, size, "%s: %s", pin_dir, strerror(errno));
	return -1;
}

/* Remove what other builds or killed loaders left in pin_dir. */
static void remove_others(const char *pin_dir, const char *keep)
{
	char path[PIN_MAX + NAME_MAX];
	struct dirent *e;
	DIR *d = opendir(pin_dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, keep) == 0 ||
		    (strncmp(e->d_name, KEPT_PREFIX, strlen(KEPT_PREFIX)) != 0 &&
		     strncmp(e->d_name, "new-", 4) != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		remove_tree(path);
	}
	closedir(d);
}

/* Whether pin_dir holds programs kept by another build. */
static int has_others(const char *pin_dir)
{
	struct dirent *e;
	DIR *d = opendir(pin_dir);
	int n = 0;

	while (d && !n && (e = readdir(d)))
		n = strncmp(e->d_name, KEPT_PREFIX, strlen(KEPT_PREFIX)) == 0;
	if (d)
		closedir(d);
	return n;
}

/* ---- tallies (bpf/trace.h: "Tallies") ---- */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The run's tally slot as it is now, GH_TALLY_MAX counters. */
static int tally_read(struct loader *l, uint64_t *t)
{
	uint32_t slot = l->run & (GH_TALLY_SLOTS - 1);
	struct gh_tally v;
	int k;

	memset(&v, 0, sizeof(v));
	if (l->tally_fd < 0 || bpf_map_lookup_elem(l->tally_fd, &slot, &v) < 0)
		return -1;
	for (k = 0; k < GH_TALLY_MAX; k++)
		t[k] = v.n[k];
	return 0;
}

/* Whether the tally map is what the programs count into and frozen:
 * kept maps are found by their pins, which a run of the past may have
 * replaced (its receipt says so: bpf_syscall). A write to a frozen map is
 * refused before its key is looked at; to any other array, a key past
 * its end is. */
static int tally_trusted(struct loader *l)
{
	uint32_t ids[64], slot = GH_TALLY_SLOTS, n, i;
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	uint32_t len;
	struct gh_tally v;

	memset(&v, 0, sizeof(v));
	if (bpf_map_update_elem(l->tally_fd, &slot, &v, BPF_ANY) == 0 ||
	    errno != EPERM)
		return 0;
	memset(&mi, 0, sizeof(mi));
	len = sizeof(mi);
	if (bpf_obj_get_info_by_fd(l->tally_fd, &mi, &len) < 0)
		return 0;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	len = sizeof(pi);
	for (i = 0; i < LOADER_NPROGS; i++)
		if (strcmp(prog_names[i], "sys_enter") == 0)
			break;
	if (i == LOADER_NPROGS ||
	    bpf_obj_get_info_by_fd(l->prog_fd[i], &pi, &len) < 0)
		return 0;
	n = pi.nr_map_ids < 64 ? pi.nr_map_ids : 64;
	for (i = 0; i < n; i++)
		if (ids[i] == mi.id)
			return 1;
	return 0;
}

/* What the run's slot counted since the run started (zeros when it
 * cannot be read). */
static void tally_delta(struct loader *l, uint64_t *t)
{
	int k;

	if (tally_read(l, t) < 0) {
		memset(t, 0, GH_TALLY_MAX * sizeof(*t));
		return;
	}
	for (k = 0; k < GH_TALLY_MAX; k++)
		t[k] = t[k] >= l->tally0[k] ? t[k] - l->tally0[k] : 0;
}

/* Find the kept programs or load and keep them. Returns 0 when the
 * programs are there (kept, or loaded for this run only with l->warning
 * set when pinning them failed), 1 when they could not be kept and
 * nothing was loaded (l->warning says why), -1 when loading failed. */
static int keep_programs(struct loader *l, const char *pin_dir,
			 const char *dir)
{
	const char *name = strrchr(dir, '/') + 1;
	char tmp[PIN_MAX], msg[DIR_MAX + 128];
	int fd, err;

	if (ensure_bpffs(pin_dir, msg, sizeof(msg)) < 0 ||
	    (fd = lock_pin_dir(pin_dir, msg, sizeof(msg))) < 0) {
		snprintf(l->warning, sizeof(l->warning),
			 "cannot keep the programs: %s", msg);
		return 1;
	}
	/* another run may have kept them while we waited for the lock */
	if (open_pinned(l, dir) == 0) {
		close(fd);
		snprintf(l->how, sizeof(l->how), "using the programs kept in %s", dir);
		return 0;
	}
	if (load_private(l, 0) < 0) {
		close(fd);
		return -1;
	}
	/* pin into a new directory, then publish it whole under its name */
	snprintf(tmp, sizeof(tmp), "%s/new-%d", pin_dir, (int)getpid());
	remove_tree(tmp);
	err = mkdir(tmp, 0700) < 0 ? -errno : pin_all(l, tmp);
	if (!err)
		remove_tree(dir);	/* what is there could not be opened */
	if (!err && rename(tmp, dir) < 0)
		err = -errno;
	if (err) {
		remove_tree(tmp);
		snprintf(l->warning, sizeof(l->warning),
			 "cannot keep the programs: pinning in %s: %s", pin_dir,
			 strerror(-err));
		snprintf(l->how, sizeof(l->how), "loaded the programs for this run");
		if (attach_private(l) < 0) {
			close(fd);
			return -1;
		}
	} else {
		l->kept = 1;
		snprintf(l->dir, sizeof(l->dir), "%s", dir);
		remove_others(pin_dir, name);
		snprintf(l->how, sizeof(l->how), "loaded the programs and kept them in %s",
			 dir);
	}
	close(fd);
	return 0;
}

/* Remove the runs whose gh-trace is gone (it was killed): their settings,
 * their ring buffers unless pinned for the pool (the next run takes those
 * back), then the processes they still had traced. New runs never see
 * these (run ids are not reused); this only frees their memory and map
 * slots. */
static void sweep(struct loader *l)
{
	uint32_t key, next, *prev = NULL, dead[64], *keys = NULL;
	char busy[PIN_MAX + 64];
	size_t n = 0, cap = 0;
	struct gh_run r;
	int ndead = 0, i;

	while (bpf_map_get_next_key(l->runs_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (ndead < 64 && bpf_map_lookup_elem(l->runs_fd, &key, &r) == 0 &&
		    !run_alive(&r))
			dead[ndead++] = key;
	}
	for (i = 0; i < ndead; i++) {
		if (bpf_map_lookup_elem(l->runs_fd, &dead[i], &r) < 0)
			continue;
		bpf_map_delete_elem(l->runs_fd, &dead[i]);
		snprintf(busy, sizeof(busy), "%s/busy_%u_%u_%llu", l->dir, r.ring,
			 r.owner, (unsigned long long)r.owner_start);
		if (!l->kept || access(busy, F_OK) < 0)
			bpf_map_delete_elem(l->rings_fd, &r.ring);
	}
	if (!ndead)
		return;
	/* traced processes whose run is gone */
	prev = NULL;
	while (bpf_map_get_next_key(l->traced_fd, prev, &next) == 0) {
		if (n == cap) {
			uint32_t *k = realloc(keys, (cap = cap ? 2 * cap : 256) * sizeof(*k));

			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key = next;
		prev = &key;
	}
	for (i = 0; i < (int)n; i++) {
		struct gh_member m;

		if (bpf_map_lookup_elem(l->traced_fd, &keys[i], &m) == 0 &&
		    bpf_map_lookup_elem(l->runs_fd, &m.run, &r) < 0 &&
		    errno == ENOENT)
			bpf_map_delete_elem(l->traced_fd, &keys[i]);
	}
	free(keys);
}

/* Runs the kernel skipped because a program was already running on that
 * CPU (it does not nest): records that may be lost, counted on their own
 * (a skipped run may or may not have been one of this run's records).
 * Per program, not per run: a run counts those of its own time. */
static uint64_t recursion_misses(struct loader *l)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < LOADER_NPROGS; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(l->prog_fd[i], &info, &len) == 0)
			n += info.recursion_misses;
	}
	return n;
}

/* A ring buffer map, named for bpftool's listing. Not libbpf's
 * bpf_map_create(): its first use in a process loads a probe program to
 * learn how the kernel accounts memory, which costs more than the rest of
 * a kept run's setup. */
static int ring_create(uint32_t size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_RINGBUF;
	a.max_entries = size;
	snprintf(a.map_name, sizeof(a.map_name), "gh_trace_run");
	return syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static uint32_t map_id(int fd, uint32_t *max_entries)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return 0;
	if (max_entries)
		*max_entries = info.max_entries;
	return info.id;
}

/* A fresh run id for a run that reuses a ring buffer: the id of a map
 * made for the purpose (and freed at once). */
static uint32_t new_run_id(void)
{
	union bpf_attr a;
	uint32_t id;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = a.value_size = 4;
	a.max_entries = 1;
	snprintf(a.map_name, sizeof(a.map_name), "gh_trace_id");
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		return 0;
	id = map_id(fd, NULL);
	close(fd);
	return id;
}

/* Give a pooled ring buffer back (pin renamed from busy to ring_ID, its
 * entry in the rings map kept: a run that takes it does not have to add
 * it, which waits for an RCU grace period), or let it go with its pin and
 * its entry when the pool is full. */
static void pool_put(struct loader *l, const char *busy, uint32_t id)
{
	const char *dir = l->dir;
	char free_pin[PIN_MAX + 32];
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && (e = readdir(d)))
		n += strncmp(e->d_name, "ring_", 5) == 0;
	if (d)
		closedir(d);
	snprintf(free_pin, sizeof(free_pin), "%s/ring_%u", dir, id);
	if (n >= POOL_MAX || rename(busy, free_pin) < 0) {
		unlink(busy);
		bpf_map_delete_elem(l->rings_fd, &id);
	}
}

/* Rename the pooled ring buffer at path busy for this run and open it.
 * Returns its fd, or -1 (taken by another run, or not of size bytes: then
 * out of the pool). */
static int pool_claim(struct loader *l, const char *path, unsigned int id,
		      uint32_t size)
{
	uint32_t max = 0;
	int fd;

	snprintf(l->busy, sizeof(l->busy), "%s/busy_%u_%d_%llu", l->dir, id,
		 (int)getpid(), (unsigned long long)l->start);
	if (rename(path, l->busy) < 0)
		return -1;
	fd = bpf_obj_get(l->busy);
	l->ring_id = fd >= 0 ? map_id(fd, &max) : 0;
	if (!l->ring_id || max != size) {
		if (fd >= 0)
			close(fd);
		unlink(l->busy);
		if (l->ring_id)
			bpf_map_delete_elem(l->rings_fd, &l->ring_id);
		return -1;
	}
	return fd;
}

/* Take a ring buffer of size bytes from the kept pool: first one a run
 * whose gh-trace is gone still has (what its processes wrote since is
 * dropped: those records are not of our run), else a free one. The other
 * ones of gone runs go back to the pool. Returns its fd or -1. */
static int pool_take(struct loader *l, uint32_t size)
{
	char path[PIN_MAX + NAME_MAX + 2], dead[8][PIN_MAX + NAME_MAX + 2];
	unsigned long long start;
	unsigned int id, ids[8], free_id = 0;
	struct dirent *e;
	int fd = -1, ndead = 0, pid, i;
	DIR *d = opendir(l->dir);

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", l->dir, e->d_name);
		if (sscanf(e->d_name, "busy_%u_%d_%llu", &id, &pid, &start) == 3) {
			if (proc_start(pid) == start)
				continue;	/* its run goes on */
			if (fd < 0)
				fd = pool_claim(l, path, id, size);
			else if (ndead < 8) {
				snprintf(dead[ndead], sizeof(dead[0]), "%s", path);
				ids[ndead++] = id;
			}
		} else if (!free_id && sscanf(e->d_name, "ring_%u", &id) == 1) {
			free_id = id;
		}
	}
	if (d)
		closedir(d);
	if (fd < 0 && free_id) {
		snprintf(path, sizeof(path), "%s/ring_%u", l->dir, free_id);
		fd = pool_claim(l, path, free_id, size);
	}
	if (fd < 0)
		l->busy[0] = '\0';
	for (i = 0; i < ndead; i++)
		pool_put(l, dead[i], ids[i]);
	return fd;
}

/* This run's ring buffer (from the pool, or made now), its run id, and
 * its entries in runs and rings. */
static int start_run(struct loader *l, const struct loader_opts *o,
		     loader_cb cb, void *ctx)
{
	uint32_t size = o->ringbuf_bytes ? o->ringbuf_bytes : LOADER_RINGBUF, id;
	struct gh_run r;
	int i;

	l->start = proc_start(getpid());
	if (l->kept && size == LOADER_RINGBUF && l->start)
		l->ring_fd = pool_take(l, size);
	if (l->ring_fd >= 0) {
		l->run = new_run_id();
		if (!l->run)
			return fail(l, "making a run id failed: %s", strerror(errno));
	} else {
		l->ring_fd = ring_create(size);
		if (l->ring_fd < 0)
			return fail(l, "creating ring buffer failed: %s", strerror(errno));
		l->run = l->ring_id = map_id(l->ring_fd, NULL);
		if (!l->run)
			return fail(l, "reading ring buffer id failed: %s", strerror(errno));
		/* pinned busy, to join the pool when the run ends */
		if (l->kept && size == LOADER_RINGBUF && l->start) {
			snprintf(l->busy, sizeof(l->busy), "%s/busy_%u_%d_%llu", l->dir,
				 l->ring_id, (int)getpid(), (unsigned long long)l->start);
			if (bpf_obj_pin(l->ring_fd, l->busy) < 0)
				l->busy[0] = '\0';
		}
	}

	memset(&r, 0, sizeof(r));
	r.ring = l->ring_id;
	r.argv_limit = o->argv_limit;
	r.owner = getpid();
	r.owner_start = l->start;
	r.pgrp = (uint32_t)getpgrp();
	if (getrandom(&l->cookie, sizeof(l->cookie), 0) != sizeof(l->cookie) ||
	    !l->cookie)
		return fail(l, "getrandom failed: %s", strerror(errno));
	r.cookie = l->cookie;
	for (i = 0; i < o->ninh && i < GH_INH_MAX; i++) {
		r.inh_cookie[i] = o->inh_cookie[i];
		r.inh_fd[i] = o->inh_fd[i];
	}
	if (!tally_trusted(l))
		return fail(l, "the tally map is not the programs' own, or not frozen "
			    "(kept programs changed since they were kept: gh-trace "
			    "--unload removes them)");
	if (tally_read(l, l->tally0) < 0)
		return fail(l, "reading the tallies failed: %s", strerror(errno));
	if (bpf_map_update_elem(l->runs_fd, &l->run, &r, BPF_NOEXIST) < 0)
		return fail(l, "registering the run failed: %s%s", strerror(errno),
			    errno == E2BIG ? " (too many runs at once)" : "");
	l->registered = 1;
	/* a ring buffer from the pool is in the rings map already */
	if (bpf_map_lookup_elem(l->rings_fd, &l->ring_id, &id) < 0 &&
	    bpf_map_update_elem(l->rings_fd, &l->ring_id, &l->ring_fd, BPF_NOEXIST) < 0)
		return fail(l, "registering the ring buffer failed: %s", strerror(errno));

	/* its data is mapped as records reach it (lib/ring.h): a short
	 * command does not pay to map 2 x 4 MiB */
	i = gh_ring_open(&l->ring, l->ring_fd, size, cb, ctx);
	if (i < 0)
		return fail(l, "creating ring buffer consumer failed: %s", strerror(-i));
	/* what a killed run left in a reused ring buffer: the callback drops
	 * records of other runs */
	if (l->busy[0])
		gh_ring_consume(&l->ring);
	l->misses0 = recursion_misses(l);
	return 0;
}

/* The kept programs of syscalls and socket sends (sys_enter, sys_exit,
 * sock_send: every syscall or send on the machine runs them) are attached
 * only while runs are in progress: with none, they cost nothing. The first run to need them
 * attaches them and pins the links (link_NAME in the kept directory), the
 * last one to end removes those pins, both under the directory's lock; a
 * run holds the links open meanwhile, so that --unload does not detach
 * them under it. The other programs (process creation, exec, exit,
 * io_uring requests, socket sends) stay attached once a run attached
 * them: they cost a lookup per process, per io_uring request or per
 * socket send, and attaching a program
 * patches code on every CPU, an interrupt each (measured: detaching and
 * attaching the io_uring ones too made a kept run of true 1.5 ms longer
 * on a loaded 2-CPU machine). */
static int idle_detached(int i)
{
	return strncmp(prog_names[i], "sys_", 4) == 0 ||
	       strncmp(prog_names[i], "sock_", 5) == 0;
}

/* Attach what is not (with the run registered in the runs map, so that
 * a run ending meanwhile sees it). */
static int attach_kept(struct loader *l)
{
	char path[PIN_MAX + 32];
	int fd, i, err = 0;

	fd = lock_dir(l->dir);
	if (fd < 0)
		return fail(l, "%s: %s", l->dir, strerror(errno));
	for (i = 0; i < LOADER_NPROGS && !err; i++) {
		snprintf(path, sizeof(path), "%s/link_%s", l->dir, prog_names[i]);
		l->link_fd[i] = bpf_obj_get(path);
		if (l->link_fd[i] >= 0)
			continue;
		l->link_fd[i] = bpf_raw_tracepoint_open(NULL, l->prog_fd[i]);
		if (l->link_fd[i] < 0 || bpf_obj_pin(l->link_fd[i], path) < 0)
			err = errno;
	}
	close(fd);
	if (err)
		return fail(l, "attaching BPF programs failed: %s", strerror(err));
	return 0;
}

/* Lingering (loader.h, loader_stop): the last run to end marks the kept
 * directory with linger_PID_START (a pin of the runs map, naming it) and
 * leaves the links pinned; its lingerer detaches them later if the mark
 * is still there, under the directory's lock. A later run's end removes
 * every mark (the lingerers that made them leave the links alone) and
 * makes its own; --unload removes everything, marks and links, at once.
 * A lingerer killed before it wakes leaves the links attached until the
 * next run ends, or --unload. */
#define LINGER_PREFIX "linger_"

/* Under the directory's lock, with no run in progress: remove the marks
 * of earlier lingerers, then mark it for this run's when it lingers (and
 * can: gh-trace as a PID namespace's init takes its lingerer along when
 * it exits). Whether the links are to stay pinned: they do, lingering or
 * not, when this was no run (--keep without a command). */
static int linger_mark(struct loader *l)
{
	char path[PIN_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d;
	int has_links = 0, i;

	for (i = 0; i < LOADER_NPROGS; i++)
		has_links |= l->link_fd[i] >= 0;
	if (!has_links)
		return 1;
	d = opendir(l->dir);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, LINGER_PREFIX, strlen(LINGER_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", l->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	l->mark[0] = '\0';
	if (!l->linger_ms || getpid() == 1)
		return 0;
	snprintf(l->mark, sizeof(l->mark), "%s/" LINGER_PREFIX "%d_%llu", l->dir,
		 (int)getpid(), (unsigned long long)l->start);
	if (bpf_obj_pin(l->runs_fd, l->mark) < 0) {
		l->mark[0] = '\0';
		return 0;
	}
	return 1;
}

/* Whether the run of any entry in runs is in progress. */
static int runs_alive(int runs_fd)
{
	uint32_t key, next, *prev = NULL;
	struct gh_run r;

	while (bpf_map_get_next_key(runs_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(runs_fd, &key, &r) == 0 && run_alive(&r))
			return 1;
	}
	return 0;
}

/* The lingerer's end (and the run's own, when no lingerer could be
 * started): detach the programs of syscalls and sends if mark is still
 * there and no run is in progress. */
static void linger_end(const char *dir, const char *mark)
{
	char path[PIN_MAX + 32];
	int fd, runs, i;

	fd = lock_dir(dir);
	if (fd < 0)
		return;
	/* gone: --unload, or a later run's end took over */
	if (unlink(mark) == 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[MAP_RUNS]);
		runs = bpf_obj_get(path);
		if (runs >= 0 && !runs_alive(runs))
			for (i = 0; i < LOADER_NPROGS; i++) {
				if (!idle_detached(i))
					continue;
				snprintf(path, sizeof(path), "%s/link_%s", dir,
					 prog_names[i]);
				unlink(path);
			}
		if (runs >= 0)
			close(runs);
	}
	close(fd);
}

/* The lingerer: no descriptor of gh-trace's (/dev/null as 0, 1 and 2), no
 * signal blocked or handled, its own session, / as its directory; it
 * sleeps, then ends the linger. */
static void __attribute__((noreturn)) lingerer(const char *dir, const char *mark,
					       unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	sigset_t none;
	int fd;

	setsid();
	if (chdir("/") < 0)
		_exit(1);
	if (close_range(0, ~0u, 0) < 0)
		for (fd = 0; fd < 1024; fd++)
			close(fd);
	fd = open("/dev/null", O_RDWR);
	if (fd == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	for (fd = 1; fd < NSIG; fd++)
		signal(fd, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "gh-trace-linger", 0, 0, 0);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	linger_end(dir, mark);
	_exit(0);
}

/* Start this run's lingerer (its mark is made), with one fork: the
 * caller is about to exit (loader.h), and the lingerer, in a session of
 * its own, outlives it (a grandchild would cost gh-trace a second fork
 * and a wait). Without one, the linger ends now. */
static void linger_start(struct loader *l)
{
	pid_t pid;

	if (!l->mark[0])
		return;
	pid = fork();
	if (pid == 0)
		lingerer(l->dir, l->mark, l->linger_ms);
	if (pid < 0)
		linger_end(l->dir, l->mark);
	l->mark[0] = '\0';
}

/* The end of a run with kept programs (already out of the runs map):
 * the last run in progress detaches them. Our links are closed before
 * the lock is let go: a run starting then attaches new ones, which must
 * not run beside these. */
static void detach_kept(struct loader *l)
{
	char path[PIN_MAX + 32];
	uint32_t key;
	int fd, i;

	fd = lock_dir(l->dir);
	if (fd >= 0) {
		sweep(l);
		if (bpf_map_get_next_key(l->runs_fd, NULL, &key) < 0 &&
		    errno == ENOENT && !linger_mark(l))
			for (i = 0; i < LOADER_NPROGS; i++) {
				if (!idle_detached(i))
					continue;
				snprintf(path, sizeof(path), "%s/link_%s", l->dir,
					 prog_names[i]);
				unlink(path);
			}
	}
	close_links(l);
	if (fd >= 0)
		close(fd);
}

static void set_libbpf_print(int verbose)
{
	verbose_libbpf = verbose;
	libbpf_set_print(libbpf_print);
}

static int preconditions(struct loader *l)
{
	if (geteuid() != 0)
		return fail(l, "not running as root (euid %u)", (unsigned)geteuid());
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return fail(l, "kernel BTF not available (/sys/kernel/btf/vmlinux: %s)",
			    strerror(errno));
	return 0;
}

/* Where this build's programs are kept: PIN_DIR/trace-HASH, HASH naming
 * the BPF object, so that a build never uses programs another kept. */
static int kept_dir(struct loader *l, const char *pin_dir, char dir[PIN_MAX])
{
	if (strlen(pin_dir) >= DIR_MAX)
		return fail(l, "pin directory name too long");
	snprintf(dir, PIN_MAX, "%s/" KEPT_PREFIX GH_BPF_HASH, pin_dir);
	return 0;
}

/* Kept programs of this build, else (with keep) load and keep them, else
 * load them for this run. */
static int get_programs(struct loader *l, const struct loader_opts *o)
{
	const char *pin_dir = o->pin_dir ? o->pin_dir : LOADER_PIN_DIR;
	char dir[PIN_MAX];
	int r;

	if (kept_dir(l, pin_dir, dir) < 0)
		return -1;
	if (open_pinned(l, dir) == 0) {
		snprintf(l->how, sizeof(l->how), "using the programs kept in %s", dir);
		return 0;
	}
	if (o->keep) {
		r = keep_programs(l, pin_dir, dir);
		if (r <= 0)
			return r;
	}
	if (load_private(l, 1) < 0)
		return -1;
	snprintf(l->how, sizeof(l->how), "loaded the programs for this run%s",
		 !o->keep && has_others(pin_dir) ?
		 " (the kept ones are another build's: --keep replaces them)" : "");
	return 0;
}

/* Add to how the programs came what CO-RE relocated against, when they
 * were loaded here. */
static void note_core(struct loader *l)
{
	size_t n = strlen(l->how);

	if (l->core[0] && n)
		snprintf(l->how + n, sizeof(l->how) - n, "; %s", l->core);
}

int loader_start(struct loader *l, const struct loader_opts *o,
		 loader_cb cb, void *ctx)
{
	l->verbose = o->verbose;
	l->linger_ms = o->linger_ms < LOADER_LINGER_MAX ? o->linger_ms : LOADER_LINGER_MAX;
	set_libbpf_print(o->verbose);
	if (preconditions(l) < 0 || get_programs(l, o) < 0)
		return -1;
	note_core(l);
	if (l->kept)
		sweep(l);
	if (start_run(l, o, cb, ctx) < 0)
		return -1;
	return l->kept ? attach_kept(l) : 0;
}

int loader_keep(struct loader *l, const struct loader_opts *o)
{
	const char *pin_dir = o->pin_dir ? o->pin_dir : LOADER_PIN_DIR;
	char dir[PIN_MAX];

	l->verbose = o->verbose;
	set_libbpf_print(o->verbose);
	if (preconditions(l) < 0 || kept_dir(l, pin_dir, dir) < 0)
		return -1;
	if (open_pinned(l, dir) == 0)
		snprintf(l->how, sizeof(l->how), "using the programs kept in %s", dir);
	else if (keep_programs(l, pin_dir, dir) < 0)
		return -1;
	note_core(l);
	if (!l->kept)
		return fail(l, "%s", l->warning);
	sweep(l);
	return 0;
}

int loader_unload(const char *pin_dir, char *reason, size_t size)
{
	char path[PIN_MAX + NAME_MAX];
	struct dirent *e;
	int fd, sub, n = 0, err = 0;
	DIR *d;

	if (!pin_dir)
		pin_dir = LOADER_PIN_DIR;
	if (geteuid() != 0) {
		snprintf(reason, size, "not running as root (euid %u)",
			 (unsigned)geteuid());
		return -1;
	}
	if (strlen(pin_dir) >= DIR_MAX) {
		snprintf(reason, size, "pin directory name too long");
		return -1;
	}
	fd = lock_dir(pin_dir);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(reason, size, "%s: %s", pin_dir, strerror(errno));
		return -1;
	}
	d = opendir(pin_dir);
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		/* not while a run attaches or detaches its programs */
		sub = lock_dir(path);
		if (!err)
			err = remove_tree(path);
		if (sub >= 0)
			close(sub);
		n++;
	}
	if (d)
		closedir(d);
	if (!err && rmdir(pin_dir) < 0 && errno != ENOENT)
		err = -errno;
	close(fd);
	if (err) {
		snprintf(reason, size, "%s: %s", pin_dir, strerror(-err));
		return -1;
	}
	return n > 0;
}

int loader_trace_self(struct loader *l)
{
	struct gh_run r;

	/* The map is keyed by tgids of the initial PID namespace, which
	 * getpid() does not give inside another one: the programs enter us
	 * when we announce ourselves. An entry we had (inside a tree another
	 * run traces with the same programs) is noted in the run, to be put
	 * back once the command has started. */
	prctl(GH_HELLO, (unsigned long)l->run, (unsigned long)l->cookie, 0UL, 0UL);
	memset(&r, 0, sizeof(r));
	if (bpf_map_lookup_elem(l->runs_fd, &l->run, &r) < 0)
		return fail(l, "reading the run failed: %s", strerror(errno));
	if (!r.self)
		return fail(l, "the programs did not see gh-trace announce itself "
			    "(is prctl(2) filtered?)");
	l->self = r.self;
	l->outer = r.outer;
	return 0;
}

void loader_untrace_self(struct loader *l)
{
	if (!l->self)
		return;
	if (l->outer.run)
		bpf_map_update_elem(l->traced_fd, &l->self, &l->outer, BPF_ANY);
	else
		bpf_map_delete_elem(l->traced_fd, &l->self);
}

void loader_signal_all(struct loader *l, int sig)
{
	uint32_t key, next, *prev = NULL;
	struct gh_member m;

	/* the members' ids as we see them: m.pid, at our namespace level
	 * (the level every member of the run inherits from us) */
	while (bpf_map_get_next_key(l->traced_fd, prev, &next) == 0) {
		if (next != l->self &&
		    bpf_map_lookup_elem(l->traced_fd, &next, &m) == 0 &&
		    m.run == l->run && m.pid)
			kill((pid_t)m.pid, sig);
		key = next;
		prev = &key;
	}
}

int loader_fd(struct loader *l)
{
	return l->ring.fd;
}

int loader_consume(struct loader *l)
{
	return l->ring.fd >= 0 ? gh_ring_consume(&l->ring) : 0;
}

/* The counts of the run's entry are what a bpf(2) caller may have
 * rewritten (or deleted): each is at least its tally's. */
int loader_part(struct loader *l, uint64_t *part, uint64_t *uring_ops)
{
	uint64_t t[GH_TALLY_MAX];
	struct gh_run r;
	int k, err = 0;

	memset(&r, 0, sizeof(r));
	if (bpf_map_lookup_elem(l->runs_fd, &l->run, &r))
		err = -errno;
	tally_delta(l, t);
	for (k = 0; k < GH_PART_MAX; k++)
		part[k] = max_u64(r.part[k], t[GH_TALLY_PART + k]);
	for (k = 0; k < 4; k++)
		uring_ops[k] = r.uring_ops[k];
	return err;
}

int loader_lost(struct loader *l, uint64_t *lost)
{
	uint64_t t[GH_TALLY_MAX];
	struct gh_run r;
	int k, err = 0;

	memset(&r, 0, sizeof(r));	/* for checkers blind to bpf(2) */
	if (bpf_map_lookup_elem(l->runs_fd, &l->run, &r))
		err = -errno;
	tally_delta(l, t);
	for (k = 0; k < GH_LOST_MAX; k++)
		lost[k] = max_u64(r.lost[k], t[GH_TALLY_LOST + k]);
	return err;
}

uint64_t loader_missed(struct loader *l)
{
	return recursion_misses(l) - l->misses0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void loader_socks(struct loader *l, loader_cb cb, void *ctx)
{
	struct {
		struct gh_event ev;
		struct sockaddr_in6 sa;
	} rec;
	uint64_t key, next, *prev = NULL, *keys = NULL;
	size_t n = 0, cap = 0, i;
	struct gh_sock e;
	struct gh_run r;

	if (l->socks_fd < 0 || !l->registered)
		return;
	/* no more records of the run: the programs leave the entries of
	 * sockets that close from now on to this. Not for a ring buffer
	 * that joins the pool (busy): its entry stays in the rings map for
	 * the run that takes it (pool_put), as a ring taken from the pool
	 * keeps it here (its key is not the run id); deleted, it would wait
	 * for an RCU grace period here (a map of maps), and again in the
	 * next run to add it back: 10 to 15 ms each. */
	if (!l->busy[0])
		bpf_map_delete_elem(l->rings_fd, &l->run);
	loader_consume(l);
	while (bpf_map_get_next_key(l->socks_fd, prev, &next) == 0) {
		if (n == cap) {
			uint64_t *k = realloc(keys, (cap = cap ? 2 * cap : 64) * sizeof(*k));

			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key = next;
		prev = &key;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(l->socks_fd, &keys[i], &e) < 0)
			continue;
		if (e.run != l->run) {
			/* a run that has ended (its gh-trace was killed) */
			if (bpf_map_lookup_elem(l->runs_fd, &e.run, &r) < 0)
				bpf_map_delete_elem(l->socks_fd, &keys[i]);
			continue;
		}
		bpf_map_delete_elem(l->socks_fd, &keys[i]);
		if (e.flags & GH_SKF_CLOSED)
			continue;	/* reported already */
		memset(&rec, 0, sizeof(rec));
		rec.ev.type = GH_EV_SOCK;
		rec.ev.size = sizeof(rec);
		rec.ev.run = e.run;
		rec.ev.ts = mono_ns();
		rec.ev.pid = rec.ev.tid = e.pid;
		rec.ev.arg[0] = e.id;
		rec.ev.arg[1] = e.flags | GH_SKF_FLUSHED;
		rec.ev.ret = e.result;
		rec.ev.x[0] = e.sent;
		rec.ev.x[1] = e.received;
		rec.ev.family = e.family;
		rec.ev.proto = e.proto;
		rec.ev.sock_type = e.proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
		rec.ev.flags = GH_EVF_SOCK;
		if (e.flags & GH_SKF_PEER) {
			rec.sa.sin6_family = e.family;
			rec.sa.sin6_port = e.port;
			if (e.family == AF_INET) {
				memcpy(&((struct sockaddr_in *)&rec.sa)->sin_addr, e.addr, 4);
				rec.ev.blen[GH_B_EXTRA] = sizeof(struct sockaddr_in);
			} else {
				memcpy(&rec.sa.sin6_addr, e.addr, 16);
				rec.ev.blen[GH_B_EXTRA] = sizeof(struct sockaddr_in6);
			}
			rec.ev.bflags[GH_B_EXTRA] = GH_BF_PRESENT;
		}
		cb(ctx, &rec, sizeof(rec));
	}
	free(keys);
}

void loader_stop(struct loader *l)
{
	/* the run first: what its processes still do goes nowhere */
	if (l->registered) {
		bpf_map_delete_elem(l->runs_fd, &l->run);
		l->registered = 0;
	}
	if (l->kept)
		detach_kept(l);
	/* the ring buffer back to the pool, else out of the kept rings map
	 * (programs loaded for this run go with theirs) */
	if (l->busy[0]) {
		pool_put(l, l->busy, l->ring_id);
		l->busy[0] = '\0';
	} else if (l->kept && l->ring_id) {
		bpf_map_delete_elem(l->rings_fd, &l->ring_id);
	}
	gh_ring_close(&l->ring);
	close_fd(&l->ring_fd);
	close_pinned(l);
	trace_bpf__destroy(l->skel);
	/* last, so that it copies little of this process */
	linger_start(l);
	reset(l);
}
