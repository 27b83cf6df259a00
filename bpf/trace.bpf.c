// SPDX-License-Identifier: GPL-2.0
/* gh-trace's kernel side: follows the process trees of gh-trace runs and
 * reports their execs, forks, exits and syscalls of interest, each run
 * into its own ring buffer (see "Runs" in trace.h). One loaded copy of the
 * programs serves any number of runs, one after another or at once.
 *
 * Only tracepoint-family programs (tp_btf) are used: fentry, LSM and
 * kprobes are not available everywhere this must run. Every program first
 * asks whether the current process is in the traced set, so processes
 * outside the trees cost one map lookup (syscalls: a switch on the number
 * first, then the lookup). The set is keyed by ids of the initial PID
 * namespace; records carry ids of the namespace gh-trace runs in, which
 * it announces with GH_HELLO (trace.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "trace.h"
#include "systab.h"

#ifndef __TARGET_ARCH_x86
#error "gh-trace's syscall table is written for x86_64"
#endif

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD	-100
#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define SIGNAL_GROUP_EXIT 0x00000004
#define ENAMETOOLONG	36
#define EFAULT		14
#define EBUSY		16
#define NAME_MAX1	256	/* a component and its NUL */
#define AF_PACKET	17
#define SOCK_RAW	3
/* clone flags that make namespaces (CLONE_NEWTIME, NEWNS, NEWCGROUP,
 * NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET) */
#define CLONE_NS_MASK	0x7e020080ULL

/* v &= mask, in a way the compiler cannot drop (it knows the bound, the
 * verifier does not). */
#define bound(v, mask) asm volatile("%0 &= " #mask : "+r"(v))

/* The traced set: tgid -> struct gh_member. Entered here by gh-trace's
 * GH_HELLO while it starts the command and by every process it forks;
 * entries leave when processes exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct gh_member);
} traced SEC(".maps");

/* Arguments of a syscall in flight, per thread, from sys_enter to sys_exit. */
struct stash {
	__u64 arg[6];
	__u32 op;
	__u32 run;
	__u32 level;
	__u32 nr;
	/* the name arguments (path1, path2, str of the row) as read at
	 * entry: keyed sums and lengths (GH_SUM_NONE: no name, GH_SUM_FAULT:
	 * unreadable at entry) */
	__u64 sum[3];
	__u32 slen[3];
	__u32 pad;
	/* a netlink send's message types as the kernel's socket took them
	 * (sock_nl_consume), for nl_send: nlk NLK_SEEN when they are there,
	 * NLK_MORE when there were more than GH_NL_MAX */
	__u16 nlt[GH_NL_MAX];
	__u16 nln, nlk;
};

/* The syscall table (bpf/systab.h), indexed by x86_64 number. */
struct sysrow {
	__u8 op, p1, d1, p2, d2, fd, s, ad, pid;
};

#define ROW(nr, name, cls, op, p1, d1, p2, d2, fd, s, ad) \
	[nr] = { GH_OP_##op, GH_ARG(p1), GH_ARG(d1), GH_ARG(p2), GH_ARG(d2), \
		 GH_ARG(fd), GH_ARG(s), GH_ARG(ad), GH_A_N },
#define GENROW(nr, name, pid, p1, d1, p2, d2, fd, s, ad) \
	[nr] = { GH_OP_GENERIC, GH_ARG(p1), GH_ARG(d1), GH_ARG(p2), GH_ARG(d2), \
		 GH_ARG(fd), GH_ARG(s), GH_ARG(ad), GH_ARG(pid) },
#define NOROW(nr, name)
static const struct sysrow systab[GH_NR_MAX] = {
	GH_ROWS(ROW, NOROW, NOROW, GENROW)
};

/* The op of syscall nr (GH_OP_NONE when it is not recorded). */
static __always_inline __u32 sys_op(long nr)
{
	__u64 i = nr;

	if (i >= GH_NR_MAX)
		return GH_OP_NONE;
	bound(i, 511);
	return systab[i].op;
}

/* The stash lives in the thread's own storage (task local storage): a
 * thread finds it through its task_struct, without hashing, and it goes
 * with the thread. sys_enter fills it, sys_exit takes it (op back to
 * GH_OP_NONE). Threads outside every traced tree never get one. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct stash);
} stash SEC(".maps");

/* Where a record is built before it is copied, at its exact size, into
 * the ring buffer. One entry per CPU (gh-trace sets max_entries): too big
 * for a per-CPU array. Tracepoint programs run with preemption disabled
 * and do not nest, so an entry is used by one program at a time. */
struct walk {
	struct dentry *d;
	struct mount *m;
	struct dentry *root_d;		/* where the walk stops: the host's */
	struct vfsmount *root_m;	/* root, then the task's (seen) */
	struct dentry *troot_d;		/* the task's root */
	struct vfsmount *troot_m;
	struct dentry *start_d;		/* the object, for the second walk */
	struct mount *start_m;
	struct mnt_namespace *host_ns;	/* the initial mount namespace */
	struct mount *scan;		/* WS_SCAN: next mount of the sb */
	struct dentry *scan_root;	/* WS_SCAN: the sb's root dentry */
	__u32 pos, start;
	__u32 state;			/* WS_* */
	__u32 seen;			/* 1: the second (seen) walk */
	__u32 other;			/* the seen view may differ */
	__u32 host_state, host_end;	/* the first walk's end */
	/* the mount the walk is in, read once per mount: its root and
	 * whether it is the host's (walk_mount) */
	struct mount *cm;
	struct dentry *cm_root;
	__u32 cm_host;
};

/* Walk states. */
enum {
	WS_WALK = 0,	/* walking */
	WS_ROOT,	/* reached the root: the path is whole */
	WS_CUT,		/* cut at the length or step limit */
	WS_PSEUDO,	/* a file of no directory (memfd, pipe, anon inode):
			 * its name, then its filesystem type */
	WS_DETACHED,	/* under a mount the host does not have (detached,
			 * or private to a mount namespace): the path in its
			 * filesystem, then the filesystem type */
	WS_SCAN,	/* looking for the host's mount of a filesystem */
};

struct argv_walk {
	const char *const *argv;
	__u32 pos, start, limit;
	__u32 argc, bytes;
	__u32 trunc, fault;
};

/* Loop state lives here rather than on the stack: the verifier does not
 * track values in map memory, so the bpf_loop callbacks' states converge
 * (the callbacks bound every offset themselves). */
/* Keyed sums of up to three strings in the data area (sum_step). */
struct sums {
	__u32 off[4], len[4];
	__u64 h[4];
	__u64 esum[4];		/* sys_exit: the entry's sums, lengths */
	__u32 elen[4];
	__u32 nblk;		/* blocks for sum_step */
	__u32 nnames;		/* the last name column + 1 */
	__u32 changed;
	__u8 col[4];		/* argument columns of the names */
};

/* sys_exit of recvmsg and recvmmsg: a message's control data, read for
 * the descriptors received (scm_msg). */
struct cmsg_head {
	__u64 len;
	__s32 level, type;
};

struct scm_state {
	struct user_msghdr mh;
	struct cmsg_head ch;
	__u64 off;		/* of the control message ch */
	__u64 fds;		/* user address of its descriptors */
	__u32 run, level, nr;
	__s32 sfd, bad;
};

struct scratch {
	struct walk w;
	struct argv_walk a;
	struct sums sm;
	struct scm_state scm;
	struct gh_event ev;
	char data[GH_DATA_MAX + NAME_MAX1];
	__u32 wake_skip;	/* rb_flags: records since this CPU woke the reader */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Run id -> settings and loss counters (gh-trace adds and removes). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GH_RUNS_MAX);
	__type(key, __u32);
	__type(value, struct gh_run);
} runs SEC(".maps");

/* Ring buffer id (gh_run.ring) -> the ring buffer (created by gh-trace,
 * any size). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, GH_RUNS_MAX);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 4096);
	});
} rings SEC(".maps");


/* ---- tallies (trace.h: "Tallies"): frozen by gh-trace, written only
 * here ---- */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GH_TALLY_SLOTS);
	__type(key, __u32);
	__type(value, struct gh_tally);
} tally SEC(".maps");

/* Count counter i (GH_TALLY_*) of the run whose slot is *slot (run %
 * GH_TALLY_SLOTS), whatever the run's entry says. The callers turn their
 * run id into the slot in place: the key takes no stack of its own in
 * programs whose stack is near the verifier's limit. */
static __always_inline void tally_add(__u32 *slot, __u32 i)
{
	struct gh_tally *t = bpf_map_lookup_elem(&tally, slot);

	if (t && i < GH_TALLY_MAX)
		__sync_fetch_and_add(&t->n[i], 1);
}

static __always_inline void count_tally(__u32 run, __u32 i)
{
	run &= GH_TALLY_SLOTS - 1;
	tally_add(&run, i);
}

static __always_inline void count_lost(__u32 run, __u32 cause)
{
	struct gh_run *r = bpf_map_lookup_elem(&runs, &run);

	if (r && cause < GH_LOST_MAX)
		__sync_fetch_and_add(&r->lost[cause], 1);
	run &= GH_TALLY_SLOTS - 1;
	if (cause < GH_LOST_MAX)
		tally_add(&run, GH_TALLY_LOST + cause);
}

/* A channel used but not decoded (GH_PART_*). */
static __always_inline void count_part(__u32 run, __u32 what)
{
	struct gh_run *r = bpf_map_lookup_elem(&runs, &run);

	if (r && what < GH_PART_MAX)
		__sync_fetch_and_add(&r->part[what], 1);
	run &= GH_TALLY_SLOTS - 1;
	if (what < GH_PART_MAX)
		tally_add(&run, GH_TALLY_PART + what);
}

/* Wake the reader only once an eighth of the ring is waiting: a wakeup per
 * record costs the traced process more than the record itself. gh-trace
 * also reads on a short timer and at every exit, so nothing waits long.
 * Past the eighth, until half the ring waits, each CPU wakes it on one
 * record in WAKE_EVERY (the first included): a wakeup the reader has
 * taken already is a self-interrupt (a VM exit on a virtual machine) on
 * every record until the reader has caught up. */
#define WAKE_EVERY	64

static __always_inline __u64 rb_flags(void *rb)
{
	__u64 avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(rb, BPF_RB_RING_SIZE);
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);

	if (avail < size / 8) {
		if (s)
			s->wake_skip = 0;
		return BPF_RB_NO_WAKEUP;
	}
	if (avail >= size / 2 || !s || s->wake_skip++ % WAKE_EVERY == 0)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* A run's ring buffer, through its entry in runs: a ring buffer outlives
 * the runs that use it (gh-trace keeps a pool), the run's entry goes when
 * it ends. */
static __always_inline void *run_ring(__u32 run)
{
	struct gh_run *r = bpf_map_lookup_elem(&runs, &run);

	return r ? bpf_map_lookup_elem(&rings, &r->ring) : NULL;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

/* The traced-set entry of a process (copied to *m) and its run's ring
 * buffer. Returns NULL for a process outside every traced tree; a process
 * of a run that has ended (its gh-trace was killed) is dropped from the
 * traced set. */
static __always_inline void *traced_ring(__u32 tgid, struct gh_member *m)
{
	struct gh_member *v = bpf_map_lookup_elem(&traced, &tgid);
	void *rb;

	if (!v)
		return NULL;
	*m = *v;
	rb = run_ring(m->run);
	if (!rb)
		bpf_map_delete_elem(&traced, &tgid);
	return rb;
}

/* Process ids as seen at PID namespace level "level": the number of a
 * struct pid there, 0 where it has none (a process outside the namespace,
 * as getppid(2) says for a parent outside it). */
static __always_inline __u32 pid_at(struct pid *p, __u32 level)
{
	struct upid u = {};

	if (!p || BPF_CORE_READ(p, level) < level)
		return 0;
	bpf_core_read(&u, sizeof(u), &p->numbers[level]);
	return u.nr;
}

static __always_inline __u32 tgid_at(struct task_struct *t, __u32 level)
{
	return pid_at(BPF_CORE_READ(t, signal, pids[PIDTYPE_TGID]), level);
}

static __always_inline __u32 tid_at(struct task_struct *t, __u32 level)
{
	return pid_at(BPF_CORE_READ(t, thread_pid), level);
}

/* A record's pid, tid and ppid for task t, at the run's level (level 0,
 * the initial namespace, reads them straight from the task). */
static __always_inline void put_ids(struct gh_event *ev, struct task_struct *t,
				    __u32 level)
{
	if (level) {
		ev->pid = tgid_at(t, level);
		ev->tid = tid_at(t, level);
		ev->ppid = tgid_at(BPF_CORE_READ(t, real_parent), level);
	} else {
		ev->pid = t->tgid;
		ev->tid = t->pid;
		ev->ppid = BPF_CORE_READ(t, real_parent, tgid);
	}
}

/* Where a run's gh-trace stands (set by GH_HELLO): its root and mount
 * namespace, the view paths are named in. */
struct view {
	__u64 root_d, root_m, mnt_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GH_RUNS_MAX);
	__type(key, __u32);
	__type(value, struct view);
} views SEC(".maps");

static __always_inline void hello_view(__u32 run, struct task_struct *t)
{
	struct view v;

	v.root_d = (__u64)BPF_CORE_READ(t, fs, root.dentry);
	v.root_m = (__u64)BPF_CORE_READ(t, fs, root.mnt);
	v.mnt_ns = (__u64)BPF_CORE_READ(t, nsproxy, mnt_ns);
	bpf_map_update_elem(&views, &run, &v, BPF_ANY);
}

/* GH_HELLO from gh-trace: see trace.h. */
static __always_inline void hello(struct pt_regs *regs)
{
	__u32 run = regs->si, tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t = bpf_get_current_task_btf();
	struct gh_member m = {}, *old;
	struct gh_run *r;

	r = bpf_map_lookup_elem(&runs, &run);
	if (!r || !r->cookie || r->cookie != regs->dx)
		return;
	m.run = run;
	m.level = BPF_CORE_READ(t, thread_pid, level);
	m.pid = m.level ? tgid_at(t, m.level) : tgid;
	old = bpf_map_lookup_elem(&traced, &tgid);
	if (old && old->run != run)
		r->outer = *old;
	if (bpf_map_update_elem(&traced, &tgid, &m, BPF_ANY))
		return;
	r->level = m.level;
	r->self = tgid;
	hello_view(run, t);
	/* once: a process of the tree that read the cookie (from gh-trace's
	 * memory, or the map) cannot announce itself as gh-trace */
	r->cookie = 0;
}

/* seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, ...)
 * by the tree: whoever holds the listener may answer the tree's syscalls
 * for the kernel (they never reach the syscall tracepoints) and install
 * descriptors in it (SECCOMP_IOCTL_NOTIF_ADDFD). Counted, whatever the
 * call's result. */
static __always_inline void seccomp_enter(struct pt_regs *regs)
{
	struct gh_member m;

	if (regs->di != 1 /* SECCOMP_SET_MODE_FILTER */ ||
	    !(regs->si & 8 /* SECCOMP_FILTER_FLAG_NEW_LISTENER */))
		return;
	if (!traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
		return;
	count_part(m.run, GH_PART_SECCOMP);
}

/* Argument columns of the table (GH_A_N: none; GH_A_C: the cwd). */
#define ARG_NONE GH_A_N
#define ARG_CWD GH_A_C

static __always_inline int is_open(__u32 op)
{
	return op == GH_OP_OPEN || op == GH_OP_OPENAT || op == GH_OP_OPENAT2 ||
	       op == GH_OP_CREAT || op == GH_OP_OPEN_BY_HANDLE_AT;
}

static __always_inline int is_net(__u32 op)
{
	return op >= GH_OP_CONNECT && op <= GH_OP_SENDMMSG;
}

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **arr = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* Path walk, in two views. The first walks dentry by dentry up to the
 * host's root (the root of init_task, in the initial mount namespace),
 * crossing the mounts the host has; under a mount it does not have (a
 * mount namespace's copy, a bind mount made in one, a detached tree of
 * open_tree), it climbs the filesystem's own dentries to the filesystem's
 * root and goes on from the host's mount of that filesystem. When that
 * walk met anything the task sees otherwise (its root, mounts of its own
 * namespace), a second walk, as the task sees the object (up to its root,
 * through its mounts), follows. One component per bpf_loop iteration (an
 * unrolled walk exceeds the verifier's budget); components are written
 * leaf first. */
static __always_inline int put_comp(struct scratch *s, const unsigned char *name,
				    __u32 len)
{
	__u32 p = s->w.pos;
	long n;

	if (len >= NAME_MAX1 || p - s->w.start + len + 1 > GH_PATH_MAX ||
	    p >= GH_HALF) {
		s->w.state = WS_CUT;
		return -1;
	}
	n = bpf_probe_read_kernel_str(&s->data[p & (GH_HALF - 1)], NAME_MAX1, name);
	if (n <= 0) {
		s->w.state = WS_CUT;
		return -1;
	}
	s->w.pos = p + n;
	return 0;
}

/* A dentry's parent and name, read at once where the kernel has them
 * side by side (d_parent, then d_name), else in two reads. */
struct dhead {
	struct dentry *parent;
	struct qstr name;
};

static __always_inline void read_dhead(struct dentry *d, struct dhead *h)
{
	__u32 po = bpf_core_field_offset(struct dentry, d_parent);

	if (bpf_core_field_offset(struct dentry, d_name) == po + 8 &&
	    bpf_core_field_size(struct dentry, d_name) == sizeof(h->name)) {
		bpf_probe_read_kernel(h, sizeof(*h), (void *)d + po);
		return;
	}
	h->parent = BPF_CORE_READ(d, d_parent);
	bpf_core_read(&h->name, sizeof(h->name), &d->d_name);
}

/* Mount m's root and whether it is the host's, into s->w.cm_*: read when
 * the walk enters m, not at each of its components. */
static __always_inline void walk_mount(struct scratch *s, struct mount *m)
{
	if (m == s->w.cm)
		return;
	s->w.cm = m;
	s->w.cm_host = BPF_CORE_READ(m, mnt_ns) == s->w.host_ns;
	s->w.cm_root = BPF_CORE_READ(m, mnt.mnt_root);
}

static __always_inline void put_fstype(struct scratch *s, struct dentry *d)
{
	const unsigned char *t = (const void *)BPF_CORE_READ(d, d_sb, s_type, name);

	if (t)
		put_comp(s, t, 32);	/* names are short: a bound for the check */
}

/* The end of the first walk: start the second one when the task's view
 * may differ, else stop. */
static __always_inline long walk_end(struct scratch *s, __u32 state)
{
	if (s->w.seen || !s->w.other || state == WS_PSEUDO) {
		if (!s->w.seen)
			s->w.host_end = s->w.pos;
		s->w.state = state;
		return 1;
	}
	s->w.host_state = state;
	s->w.host_end = s->w.pos;
	s->w.start = s->w.pos;
	s->w.seen = 1;
	s->w.d = s->w.start_d;
	s->w.m = s->w.start_m;
	s->w.root_d = s->w.troot_d;
	s->w.root_m = s->w.troot_m;
	s->w.state = WS_WALK;
	return 0;
}

static long walk_step(__u32 i, void *arg)
{
	struct scratch *s = get_scratch();
	struct dentry *d, *parent, *mnt_root;
	struct dhead dh = {};
	struct mount *m, *pm;
	struct vfsmount *vm;
	int host;

	if (!s)
		return 1;
	d = s->w.d;
	m = s->w.m;
	if (s->w.state == WS_SCAN) {
		/* the mounts of the filesystem: the host's, at its root */
		m = s->w.scan;
		if (!m) {
			/* no host mount: FSTYPE:/path in it, as unresolved */
			put_fstype(s, s->w.scan_root);
			return walk_end(s, WS_DETACHED);
		}
		if (BPF_CORE_READ(m, mnt_ns) == s->w.host_ns &&
		    BPF_CORE_READ(m, mnt.mnt_root) == s->w.scan_root) {
			s->w.m = m;
			s->w.d = s->w.scan_root;
			s->w.state = WS_WALK;
			return 0;
		}
		s->w.scan = BPF_CORE_READ(m, mnt_next_for_sb);
		return 0;
	}
	vm = &m->mnt;
	if (d == s->w.root_d && vm == s->w.root_m)
		return walk_end(s, WS_ROOT);
	if (d == s->w.troot_d && vm == s->w.troot_m)
		s->w.other = 1;	/* the task's root is not the host's */
	walk_mount(s, m);
	host = s->w.seen || s->w.cm_host;
	if (!host) {
		s->w.other = 1;
		/* gh-trace's root reached from a mount of the same tree in
		 * another namespace (gh-trace in a container or chroot) */
		if (d == s->w.root_d)
			return walk_end(s, WS_ROOT);
	}
	mnt_root = s->w.cm_root;
	if (host && d == mnt_root) {
		pm = BPF_CORE_READ(m, mnt_parent);
		if (pm == m || !pm) {
			put_fstype(s, d);
			return walk_end(s, WS_DETACHED);
		}
		s->w.d = BPF_CORE_READ(m, mnt_mountpoint);
		s->w.m = pm;
		return 0;
	}
	read_dhead(d, &dh);
	parent = dh.parent;
	if (parent == d || !parent) {
		if (d != BPF_CORE_READ(d, d_sb, s_root)) {
			/* a file of no directory: its name and what it is */
			if (put_comp(s, dh.name.name, dh.name.len))
				return walk_end(s, WS_CUT);
			put_fstype(s, d);
			return walk_end(s, WS_PSEUDO);
		}
		if (s->w.seen || !bpf_core_field_exists(m->mnt_next_for_sb)) {
			put_fstype(s, d);
			return walk_end(s, WS_DETACHED);
		}
		s->w.scan_root = d;
		s->w.scan = BPF_CORE_READ(d, d_sb, s_mounts);
		s->w.state = WS_SCAN;
		return 0;
	}
	if (put_comp(s, dh.name.name, dh.name.len))
		return walk_end(s, WS_CUT);
	s->w.d = parent;
	return 0;
}

/* Set blob slot's place and flags. */
static __always_inline void set_blob(struct scratch *s, int slot, __u32 off,
				     __u32 len, __u8 fl)
{
	switch (slot) {
	case GH_B_PATH1: case GH_B_PATH2: case GH_B_SEEN1: case GH_B_SEEN2:
		s->ev.boff[slot] = off;
		s->ev.blen[slot] = len;
		s->ev.bflags[slot] = fl;
	}
}

/* Append the path of (dentry dp, vfsmount vmp) at pos as blob slot, and
 * the task's view of it as its seen slot when that may differ; returns the
 * position after them. A global function: the verifier checks the walk
 * once per program, not at each of the places that name a path. */
__noinline __u32 path_walk(__u32 pos, __u32 slot, __u64 dp, __u64 vmp,
			   __u32 kind)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct scratch *s = get_scratch();
	struct fs_struct *fs;
	struct dentry *d = (void *)dp;
	struct vfsmount *vm = (void *)vmp;
	struct task_struct *init;
	struct view *v;
	__u8 fl = GH_BF_PRESENT | kind;
	__u32 end, hend, hstate;

	if (!s || slot >= GH_NBLOB)
		return pos;
	bound(slot, 7);	/* for the verifier: below GH_NBLOB, checked above */
	if (!d || !vm) {
		s->ev.bflags[slot] = GH_BF_FAULT | kind;
		return pos;
	}
	s->w.d = s->w.start_d = d;
	s->w.m = s->w.start_m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	fs = BPF_CORE_READ(t, fs);	/* once for both */
	s->w.troot_d = BPF_CORE_READ(fs, root.dentry);
	s->w.troot_m = BPF_CORE_READ(fs, root.mnt);
	v = bpf_map_lookup_elem(&views, &s->ev.run);
	if (v && v->root_d) {
		/* gh-trace's own view: the host's when it runs there */
		s->w.root_d = (void *)v->root_d;
		s->w.root_m = (void *)v->root_m;
		s->w.host_ns = (void *)v->mnt_ns;
	} else {
		/* init_task: the parent of the initial PID namespace's init */
		init = BPF_CORE_READ(t, thread_pid, numbers[0].ns, child_reaper,
				     real_parent);
		s->w.root_d = BPF_CORE_READ(init, fs, root.dentry);
		s->w.root_m = BPF_CORE_READ(init, fs, root.mnt);
		s->w.host_ns = BPF_CORE_READ(init, nsproxy, mnt_ns);
	}
	if (!s->w.root_d || !s->w.host_ns) {
		/* no host root known: the task's view alone */
		s->w.root_d = s->w.troot_d;
		s->w.root_m = s->w.troot_m;
		s->w.seen = 1;
	} else {
		s->w.seen = 0;
	}
	s->w.pos = s->w.start = pos;
	s->w.state = WS_WALK;
	s->w.other = 0;
	s->w.host_end = 0;
	s->w.host_state = WS_WALK;
	s->w.cm = NULL;
	bpf_loop(GH_WALK_STEPS, walk_step, NULL, 0);
	if (s->w.state == WS_WALK || s->w.state == WS_SCAN)
		s->w.state = WS_CUT;	/* out of steps */
	hstate = s->w.state;
	hend = s->w.pos;
	if (s->w.other && s->w.seen && s->w.host_end) {
		/* two walks: the first is the object's path */
		hstate = s->w.host_state;
		hend = s->w.host_end;
		if (hend >= pos && hend - pos <= GH_PATH_MAX &&
		    s->w.pos >= hend && s->w.pos - hend <= GH_PATH_MAX) {
			__u8 sfl = GH_BF_PRESENT | kind;

			if (s->w.state == WS_CUT)
				sfl |= GH_BF_TRUNC;
			else if (s->w.state != WS_ROOT)
				sfl |= GH_BF_UNRES;
			set_blob(s, slot == GH_B_PATH1 ? GH_B_SEEN1 : GH_B_SEEN2,
				 hend, s->w.pos - hend, sfl);
		}
	}
	if (hstate == WS_CUT)
		fl |= GH_BF_TRUNC;
	else if (hstate == WS_PSEUDO)
		fl |= GH_BF_UNRES | GH_BF_OBJ;
	else if (hstate != WS_ROOT)
		fl |= GH_BF_UNRES;
	end = hend;
	if (end < pos || end - pos > GH_PATH_MAX)
		end = pos;
	s->ev.boff[slot] = pos;
	s->ev.blen[slot] = end - pos;
	s->ev.bflags[slot] = fl;
	return s->w.pos >= end && s->w.pos - end <= GH_PATH_MAX ? s->w.pos : end;
}

static __always_inline void put_path(struct scratch *s, __u32 *pos, int slot,
				     struct dentry *d, struct vfsmount *vm,
				     __u8 kind)
{
	*pos = path_walk(*pos, slot, (__u64)d, (__u64)vm, kind);
}

static __always_inline void put_file_path(struct scratch *s, __u32 *pos,
					  int slot, struct file *f, __u8 kind)
{
	struct path p = {};

	if (f)
		bpf_core_read(&p, sizeof(p), &f->f_path);	/* one read */
	put_path(s, pos, slot, p.dentry, p.mnt, kind);
}

static __always_inline void put_cwd(struct scratch *s, __u32 *pos, int slot,
				    __u8 kind)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	put_path(s, pos, slot, BPF_CORE_READ(t, fs, pwd.dentry),
		 BPF_CORE_READ(t, fs, pwd.mnt), kind);
}

/* The directory a name given with dirfd is relative to; for an absolute
 * name (abs 1), the task's root when it is not the host's (chroot); with
 * abs 2, the task's root as the object (a chroot that succeeded). */
static __always_inline void put_base(struct scratch *s, __u32 *pos, int slot,
				     __u8 darg, __u64 *args, int abs)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u8 kind = GH_BF_BASE;
	struct view *v;
	struct dentry *d;
	struct vfsmount *vm;
	struct file *f;
	long dfd;

	if (abs) {
		d = BPF_CORE_READ(t, fs, root.dentry);
		vm = BPF_CORE_READ(t, fs, root.mnt);
		v = bpf_map_lookup_elem(&views, &s->ev.run);
		if (abs == 2)
			kind = GH_BF_FULL;
		else if (v ? (__u64)d == v->root_d :
			 d == BPF_CORE_READ(t, thread_pid, numbers[0].ns,
					    child_reaper, real_parent, fs,
					    root.dentry))
			return;	/* the host's root: the name is the path */
	} else if (darg == ARG_CWD || (dfd = (int)args[darg & 7]) == AT_FDCWD) {
		d = BPF_CORE_READ(t, fs, pwd.dentry);
		vm = BPF_CORE_READ(t, fs, pwd.mnt);
	} else {
		f = fd_file(dfd);
		d = f ? BPF_CORE_READ(f, f_path.dentry) : NULL;
		vm = f ? BPF_CORE_READ(f, f_path.mnt) : NULL;
	}
	put_path(s, pos, slot, d, vm, kind);
}

/* Append a user string (without its NUL) as blob slot. Returns its first
 * byte, or -1 when nothing was read. */
static __always_inline int put_ustr(struct scratch *s, __u32 *pos, int slot,
				    const void *ptr, long ret)
{
	__u32 p = *pos;
	long n;

	if (!ptr) {
		s->ev.bflags[slot] = ret == -EFAULT ? 0 : GH_BF_FAULT;
		return -1;
	}
	if (p >= GH_HALF)
		return -1;
	n = bpf_probe_read_user_str(&s->data[p & (GH_HALF - 1)], GH_STR_MAX, ptr);
	if (n <= 0) {
		s->ev.bflags[slot] = ret == -EFAULT ? 0 : GH_BF_FAULT;
		return -1;
	}
	s->ev.boff[slot] = p;
	s->ev.blen[slot] = n - 1;
	s->ev.bflags[slot] = GH_BF_PRESENT;
	if (n == GH_STR_MAX && ret == -ENAMETOOLONG)
		s->ev.bflags[slot] |= GH_BF_TRUNC;
	*pos = p + n;
	return s->data[p & (GH_HALF - 1)];
}

/* Append len bytes of user memory as blob slot. */
static __always_inline void put_umem(struct scratch *s, __u32 *pos, int slot,
				     const void *ptr, __u64 ulen, __u32 max)
{
	__u32 p = *pos;
	__u64 len = ulen > max ? max : ulen;

	bound(len, 0xffff);	/* max < GH_HALF */
	if (p >= GH_HALF)
		return;
	if (bpf_probe_read_user(&s->data[p & (GH_HALF - 1)], len, ptr)) {
		s->ev.bflags[slot] = GH_BF_FAULT;
		return;
	}
	s->ev.boff[slot] = p;
	s->ev.blen[slot] = len;
	s->ev.bflags[slot] = GH_BF_PRESENT;
	*pos = p + len;
}

/* The argv array of a failed exec, read pointer by pointer from user
 * memory (the process image is still the old one). */
static long argv_step(__u32 i, void *arg)
{
	struct scratch *s = get_scratch();
	struct argv_walk *a;
	const char *ptr = NULL;
	__u64 room;
	__u32 p;
	long n;

	if (!s)
		return 1;
	a = &s->a;
	if (bpf_probe_read_user(&ptr, sizeof(ptr), &a->argv[i & 0xffff])) {
		a->fault = 1;
		return 1;
	}
	if (!ptr)
		return 1;
	p = a->pos;
	room = (__u32)(a->start + a->limit - p);
	if (a->trunc || room < 2 || room > GH_HALF || p >= GH_HALF) {
		/* past the limit: count the rest without keeping it */
		a->trunc = 1;
		n = bpf_probe_read_user_str(&s->data[GH_DATA_MAX - GH_STR_MAX],
					    GH_STR_MAX, ptr);
	} else {
		if (room > GH_STR_MAX)
			room = GH_STR_MAX;
		bound(room, 0x1fff);	/* <= GH_STR_MAX */
		n = bpf_probe_read_user_str(&s->data[p & (GH_HALF - 1)], room, ptr);
		if (n > 0 && n == room) {
			/* cut inside this argument: keep what fit */
			a->trunc = 1;
			a->pos = p + n;
			n = bpf_probe_read_user_str(
				&s->data[GH_DATA_MAX - GH_STR_MAX], GH_STR_MAX, ptr);
		} else if (n > 0) {
			a->pos = p + n;
		}
	}
	if (n <= 0) {
		a->fault = 1;
		return 1;
	}
	a->argc++;
	a->bytes += n;
	return 0;
}

/* The struct socket behind an fd's file, or NULL. */
static __always_inline struct socket *file_socket(struct file *f)
{
	umode_t mode;

	if (!f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(f, private_data);
}

/* Socket facts from the kernel's struct socket behind an fd. */
static __always_inline struct sock *sock_info(struct gh_event *ev, struct file *f)
{
	struct socket *sock = file_socket(f);
	struct sock *sk;

	if (!sock)
		return NULL;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	ev->sock_type = BPF_CORE_READ(sock, type);
	ev->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev->proto = BPF_CORE_READ(sk, sk_protocol);
	ev->flags |= GH_EVF_SOCK;
	return sk;
}

/* A socket's own (local) or peer address, as a struct sockaddr, into the
 * extra blob. */
static __always_inline void put_sock_addr(struct scratch *s, __u32 *pos,
					  struct sock *sk, int peer)
{
	__u32 p = *pos;
	__u16 family;
	char *dst;

	if (!sk || p >= GH_HALF)
		return;
	dst = &s->data[p & (GH_HALF - 1)];
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)dst;

		__builtin_memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		if (peer) {
			sin->sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
			sin->sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		} else {
			sin->sin_port = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
			sin->sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		}
		s->ev.blen[GH_B_EXTRA] = sizeof(*sin);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (void *)dst;

		__builtin_memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		if (peer) {
			sin6->sin6_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
			BPF_CORE_READ_INTO(&sin6->sin6_addr, sk, __sk_common.skc_v6_daddr);
		} else {
			sin6->sin6_port = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
			BPF_CORE_READ_INTO(&sin6->sin6_addr, sk, __sk_common.skc_v6_rcv_saddr);
		}
		s->ev.blen[GH_B_EXTRA] = sizeof(*sin6);
	} else if (family == AF_UNIX) {
		struct unix_sock *us = (void *)sk;
		struct unix_address *ua;
		int len;

		if (peer)
			us = (void *)BPF_CORE_READ(us, peer);
		ua = BPF_CORE_READ(us, addr);
		if (!ua) {
			/* unnamed: just the family */
			*(__u16 *)dst = AF_UNIX;
			s->ev.blen[GH_B_EXTRA] = 2;
		} else {
			len = BPF_CORE_READ(ua, len);
			if (len < 2 || len > GH_ADDR_MAX)
				len = 2;
			bpf_probe_read_kernel(dst, len & (GH_ADDR_MAX - 1 + GH_ADDR_MAX),
					      &ua->name);
			s->ev.blen[GH_B_EXTRA] = len;
		}
	} else {
		*(__u16 *)dst = family;
		s->ev.blen[GH_B_EXTRA] = 2;
	}
	s->ev.boff[GH_B_EXTRA] = p;
	s->ev.bflags[GH_B_EXTRA] = GH_BF_PRESENT;
	*pos = p + s->ev.blen[GH_B_EXTRA];
}

static __always_inline void ev_init(struct gh_event *ev, __u32 type, __u32 run)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->run = run;
	ev->ts = bpf_ktime_get_ns();
}

static __always_inline void ev_commit(struct scratch *s, __u32 pos, __u32 run)
{
	void *rb;
	__u64 size = pos;
	int fault = 0, trunc = 0;
	int i;

	for (i = 0; i < GH_NBLOB; i++) {
		fault |= s->ev.bflags[i] & GH_BF_FAULT;
		trunc |= s->ev.bflags[i] & GH_BF_TRUNC;
	}
	if (pos >= GH_DATA_MAX)
		return;
	bound(size, 0x1ffff);	/* GH_DATA_MAX - 1 */
	size += sizeof(struct gh_event);
	s->ev.size = size;
	rb = run_ring(run);
	if (!rb)
		return;
	if (bpf_ringbuf_output(rb, &s->ev, size, rb_flags(rb))) {
		count_lost(run, GH_LOST_RINGBUF);
		return;
	}
	if (fault)
		count_lost(run, GH_LOST_FAULT);
	if (trunc)
		count_lost(run, GH_LOST_TRUNC);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	struct gh_member m;
	__u32 pid, tgid, run;
	struct gh_event *ev;
	void *rb;

	rb = traced_ring(parent->tgid, &m);
	if (!rb)
		return 0;
	run = m.run;
	pid = child->pid;
	tgid = child->tgid;
	if (pid != tgid)
		return 0;	/* a new thread of a traced process */
	m.pid = m.level ? tgid_at(child, m.level) : tgid;
	if (bpf_map_update_elem(&traced, &tgid, &m, BPF_ANY)) {
		count_lost(run, GH_LOST_RINGBUF);
		return 0;
	}
	ev = bpf_ringbuf_reserve(rb, sizeof(*ev), 0);
	if (!ev) {
		count_lost(run, GH_LOST_RINGBUF);
		return 0;
	}
	ev_init(ev, GH_EV_FORK, run);
	ev->size = sizeof(*ev);
	if (m.level) {
		ev->pid = m.pid;
		ev->tid = tid_at(parent, m.level);
		ev->ppid = tgid_at(BPF_CORE_READ(child, real_parent), m.level);
	} else {
		ev->pid = tgid;
		ev->tid = parent->pid;
		ev->ppid = BPF_CORE_READ(child, real_parent, tgid);
	}
	bpf_ringbuf_submit(ev, rb_flags(rb));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, run, level;
	struct gh_member *v = bpf_map_lookup_elem(&traced, &tgid);
	struct gh_event *ev;
	__u32 flags;
	void *rb;

	if (!v)
		return 0;
	run = v->run;
	level = v->level;
	bpf_task_storage_delete(&stash, bpf_get_current_task_btf());
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;	/* not the last thread */
	bpf_map_delete_elem(&traced, &tgid);
	rb = run_ring(run);
	if (!rb)
		return 0;	/* its run has ended */
	ev = bpf_ringbuf_reserve(rb, sizeof(*ev), 0);
	if (ev) {
		ev_init(ev, GH_EV_EXIT, run);
		ev->size = sizeof(*ev);
		put_ids(ev, p, level);
		flags = BPF_CORE_READ(p, signal, flags);
		if (flags & SIGNAL_GROUP_EXIT)
			ev->x[0] = (__u32)BPF_CORE_READ(p, signal, group_exit_code);
		else
			ev->x[0] = (__u32)BPF_CORE_READ(p, exit_code);
		bpf_ringbuf_submit(ev, rb_flags(rb));
	} else {
		count_lost(run, GH_LOST_RINGBUF);
	}
	return 0;
}

/* An exec through an interpreter (a "#!" script, binfmt_misc): the name
 * the command gave (bprm->filename; bprm->interp is the interpreter's
 * once a handler took the file), as blob GH_B_RAW2. The kernel has
 * closed the script's file by now: the name is all there is, relative to
 * the working directory (the record's cwd). */
static __always_inline int put_kstr(struct scratch *s, __u32 *pos, int slot,
				    const void *ptr);

static __always_inline void put_script(struct scratch *s, __u32 *pos,
				       struct linux_binprm *bprm)
{
	const char *fn = BPF_CORE_READ(bprm, filename);

	if (fn && fn != BPF_CORE_READ(bprm, interp))
		put_kstr(s, pos, GH_B_RAW2, fn);
}

/* The program just executed is position independent (ELF ET_DYN) and
 * the kernel loaded no interpreter for it (AT_BASE 0 in the auxiliary
 * vector it built): the dynamic loader run as a program, as in
 * "/lib64/ld-linux-x86-64.so.2 PROG", under any name (or a static-pie
 * program). The loader then maps and runs PROG, which no exec names. */
#define AT_BASE		7
#define ET_DYN		3
#define AUXV_PAIRS	28	/* AT_BASE comes early: AT_VECTOR_SIZE / 2 */

static __always_inline int exec_loader(struct task_struct *p,
				       struct linux_binprm *bprm)
{
	unsigned char h[20];
	unsigned long av[2];
	struct mm_struct *mm;
	int i;

	if (bpf_probe_read_kernel(h, sizeof(h), &bprm->buf) ||
	    h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F' ||
	    (h[16] | h[17] << 8) != ET_DYN)
		return 0;
	mm = BPF_CORE_READ(p, mm);
	if (!mm)
		return 0;
	for (i = 0; i < AUXV_PAIRS; i++) {
		if (bpf_probe_read_kernel(av, sizeof(av), &mm->saved_auxv[2 * i]))
			return 0;
		if (av[0] == AT_BASE)
			return av[1] == 0;
		if (av[0] == 0)
			return 0;
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid, run;
	struct gh_member m;
	struct gh_run *r;
	struct scratch *s;
	unsigned long start, end, len;
	__u32 pos = 0, lim = 0;

	if (!traced_ring(tgid, &m))
		return 0;
	run = m.run;
	s = get_scratch();
	if (!s)
		return 0;
	ev_init(&s->ev, GH_EV_EXEC, run);
	put_ids(&s->ev, p, m.level);
	s->ev.x[0] = old_pid;
	s->ev.uid = BPF_CORE_READ(p, cred, euid.val);
	s->ev.gid = BPF_CORE_READ(p, cred, egid.val);
	s->ev.argc = BPF_CORE_READ(bprm, argc);
	if (exec_loader(p, bprm))
		s->ev.flags |= GH_EVF_LOADER;

	put_file_path(s, &pos, GH_B_PATH1, BPF_CORE_READ(bprm, file), GH_BF_FULL);
	put_script(s, &pos, bprm);
	put_cwd(s, &pos, GH_B_PATH2, GH_BF_FULL);

	/* argv last: it is the big one */
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	s->ev.argv_bytes = len;
	r = bpf_map_lookup_elem(&runs, &run);
	if (r)
		lim = r->argv_limit;
	if (lim > GH_ARGV_MAX)
		lim = GH_ARGV_MAX;
	put_umem(s, &pos, GH_B_RAW1, (const void *)start, len, lim);
	if (len > lim)
		s->ev.bflags[GH_B_RAW1] |= GH_BF_TRUNC;
	ev_commit(s, pos, run);
	return 0;
}

/* ---- name rewrite races ----
 *
 * A name argument (a path, an xattr or memfd name) lives in the process's
 * memory: another thread can rewrite it while the syscall runs, after the
 * kernel copied it and before sys_exit reads it for the record. sys_enter
 * reads each name once and keeps a keyed sum and the length in the stash;
 * sys_exit sums the name it read, and a difference (or a name that could
 * not be read at entry) flags the record and makes the run partial
 * (path_changed). The key is random per load (gh-trace sets it), so a
 * program cannot pick two names with the same sum. */

const volatile __u64 sum_key = 0;

#define GH_SUM_NONE	0xffffffffU	/* no name argument */
#define GH_SUM_FAULT	0xfffffffeU	/* unreadable at entry */
#define SUM_BLOCK	32		/* bytes summed per sum_step */

static __always_inline __u64 sum_mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

/* One block (4 words) of one of the strings s->sm describes. */
static long sum_step(__u32 i, void *arg)
{
	struct scratch *s = get_scratch();
	__u32 k = 0, blk = i, n0, n1, len, b, idx;
	__u64 w, h;
	int j;

	if (!s)
		return 1;
	n0 = s->sm.len[0] < GH_STR_MAX ? (s->sm.len[0] + SUM_BLOCK - 1) / SUM_BLOCK : 0;
	n1 = s->sm.len[1] < GH_STR_MAX ? (s->sm.len[1] + SUM_BLOCK - 1) / SUM_BLOCK : 0;
	if (blk >= n0) {
		blk -= n0;
		k = 1;
		if (blk >= n1) {
			blk -= n1;
			k = 2;
		}
	}
	len = s->sm.len[k];
	if (len >= GH_STR_MAX)
		return 1;
	h = s->sm.h[k];
	for (j = 0; j < SUM_BLOCK / 8; j++) {
		b = blk * SUM_BLOCK + j * 8;
		if (b >= len)
			break;
		idx = s->sm.off[k] + b;
		bound(idx, 0x1ffff);	/* GH_DATA_MAX - 1 */
		w = *(__u64 *)&s->data[idx];
		if (len - b < 8)
			w &= (1ULL << ((len - b) * 8)) - 1;
		h = sum_mix(h, w);
	}
	s->sm.h[k] = h;
	return 0;
}

/* Start the sum of string k of s->sm (a length of GH_SUM_NONE or
 * GH_SUM_FAULT: no string), counting its blocks for sum_step. */
static __always_inline void sum_start(struct scratch *s, __u32 k)
{
	__u32 len = s->sm.len[k & 3];

	s->sm.h[k & 3] = sum_key ^ len;
	if (len < GH_STR_MAX)
		s->sm.nblk += (len + SUM_BLOCK - 1) / SUM_BLOCK;
}

/* names_enter, name k: read from user memory, its sum started. */
static long name_read(__u32 k, void *arg)
{
	struct scratch *s = get_scratch();
	const void *ptr;
	__u32 c;
	long n;

	if (!s)
		return 1;
	k &= 3;
	s->sm.len[k] = GH_SUM_NONE;
	c = s->sm.col[k];
	ptr = c < 6 ? (const void *)s->ev.arg[c] : NULL;
	if (ptr) {
		s->sm.off[k] = k * GH_STR_MAX;
		n = bpf_probe_read_user_str(&s->data[k * GH_STR_MAX], GH_STR_MAX, ptr);
		s->sm.len[k] = n > 0 ? n - 1 : GH_SUM_FAULT;
	}
	sum_start(s, k);
	return 0;
}

/* The name columns (path1, path2, str) of syscall nr into s->sm.col. */
static __always_inline void name_cols(struct scratch *s, __u32 nr)
{
	s->sm.col[0] = s->sm.col[1] = s->sm.col[2] = GH_A_N;
	s->sm.col[3] = GH_A_N;
	s->sm.nblk = 0;
	if (nr >= GH_NR_MAX)
		return;
	bound(nr, 511);
	s->sm.col[0] = systab[nr].p1;
	s->sm.col[1] = systab[nr].p2;
	s->sm.col[2] = systab[nr].s;
	/* the loops over names stop after the last one */
	s->sm.nnames = s->sm.col[2] < 6 ? 3 : s->sm.col[1] < 6 ? 2 :
		       s->sm.col[0] < 6 ? 1 : 0;
}

/* sys_enter: the sums of the name arguments of syscall nr, whose
 * arguments are in s->ev.arg, into s->sm.len and s->sm.h. A global
 * function: verified once, not on every path of its caller. */
__noinline int names_enter(__u32 nr)
{
	struct scratch *s = get_scratch();

	if (!s)
		return 0;
	name_cols(s, nr);
	s->sm.len[0] = s->sm.len[1] = s->sm.len[2] = GH_SUM_NONE;
	if (s->sm.nnames)
		bpf_loop(s->sm.nnames, name_read, NULL, 0);
	if (s->sm.nblk)
		bpf_loop(s->sm.nblk, sum_step, NULL, 0);
	return 0;
}

#define VM_WRITE	0x2
#define VM_SHARED	0x8

/* bpf_find_vma: whether the name's memory could be written by another
 * thread (a writable or shared mapping). */
static long vma_writable(struct task_struct *t, struct vm_area_struct *vma,
			 void *ctx)
{
	*(int *)ctx = !!(vma->vm_flags & (VM_WRITE | VM_SHARED));
	return 0;
}

/* names_exit, name k: the blob sys_exit read, its sum started. */
static long name_blob(__u32 k, void *arg)
{
	struct scratch *s = get_scratch();
	__u32 slot;

	if (!s)
		return 1;
	k &= 3;
	slot = k == 0 ? GH_B_RAW1 : k == 1 ? GH_B_RAW2 : GH_B_EXTRA;
	s->sm.len[k] = GH_SUM_NONE;
	if (s->sm.elen[k] != GH_SUM_NONE &&
	    (s->ev.bflags[slot] & GH_BF_PRESENT) &&
	    s->ev.blen[slot] < GH_STR_MAX) {
		s->sm.off[k] = s->ev.boff[slot];
		s->sm.len[k] = s->ev.blen[slot];
	}
	sum_start(s, k);
	return 0;
}

/* names_exit, name k: compared with its entry. A name that could not be
 * read at entry had its page out of memory (a string constant of a
 * program not touched yet, most often): it counts as changed unless it
 * lies in a private read-only mapping, where no thread can write it
 * (gh-trace(1) LIMITATIONS). */
static long name_cmp(__u32 k, void *arg)
{
	struct scratch *s = get_scratch();
	__u32 el, c;
	int w = 1;

	if (!s)
		return 1;
	k &= 3;
	el = s->sm.elen[k];
	if (s->sm.len[k] == GH_SUM_NONE)
		return 0;
	if (el != GH_SUM_FAULT) {
		if (el != s->sm.len[k] || s->sm.esum[k] != s->sm.h[k])
			s->sm.changed = 1;
		return 0;
	}
	c = s->sm.col[k];
	if (c < 6 && bpf_find_vma(bpf_get_current_task_btf(), s->ev.arg[c],
				  vma_writable, &w, 0) == 0 && !w)
		return 0;
	s->sm.changed = 1;
	return 0;
}

/* sys_exit, once the names are in the record (s->ev): compare them with
 * the entry's sums (s->sm.esum, s->sm.elen); a difference flags the
 * record and counts for run. Global, as names_enter. */
__noinline int names_exit(__u32 nr, __u32 run)
{
	struct scratch *s = get_scratch();

	if (!s)
		return 0;
	name_cols(s, nr);
	s->sm.changed = 0;
	s->sm.len[0] = s->sm.len[1] = s->sm.len[2] = GH_SUM_NONE;
	if (!s->sm.nnames)
		return 0;
	bpf_loop(s->sm.nnames, name_blob, NULL, 0);
	if (s->sm.nblk)
		bpf_loop(s->sm.nblk, sum_step, NULL, 0);
	bpf_loop(s->sm.nnames, name_cmp, NULL, 0);
	if (!s->sm.changed)
		return 0;
	s->ev.flags |= GH_EVF_PATH_CHANGED;
	count_part(run, GH_PART_PATH_CHANGED);
	return 1;
}

/* A 32-bit syscall of a traced process: counted, never decoded. */
static __always_inline void compat_enter(void)
{
	struct gh_member m;

	if (traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
		count_part(m.run, GH_PART_COMPAT);
}

/* ---- descriptors that act outside the process ----
 *
 * ioctl, recvmsg and recvmmsg act through a descriptor the process has,
 * and most of their calls are nothing to record. Two kinds are: ioctls
 * that push input into a terminal (TIOCSTI; TIOCLINUX's paste), which
 * another process (the user's shell) reads and runs after the run; and
 * messages that carry descriptors (SCM_RIGHTS), files or sockets opened
 * outside the tree that the process may then write through. Only those
 * calls are stashed at entry: an ioctl by its number, a receive when a
 * message has a control buffer. */
#define TIOCSTI		0x5412
#define FIOSETOWN	0x8901	/* owner of a socket's I/O signals */
#define SIOCSPGRP	0x8902
#define F_SETOWN	8
#define F_SETSIG	10
#define F_SETOWN_EX	15
#define TIOCLINUX	0x541C
#define TIOCL_PASTESEL	3
#define SCM_MSGS	8	/* recvmmsg: messages looked at */
#define PROT_EXEC	0x4	/* mmap, mprotect: below */
#define MAP_ANONYMOUS	0x20

/* ---- ioctls that change a file ----
 * A file's attribute flags (immutable, append-only: chattr), its
 * extended attributes of the file system (project id, flags), its
 * generation number, fs-verity, an encryption policy, the file system's
 * label and UUID, and blocks shared with another file (FICLONE,
 * FICLONERANGE, FIDEDUPERANGE): set through ioctl(2) on a descriptor
 * that may be open for reading only, so no open for writing names the
 * change. Recorded as "syscall" records of ioctl with the descriptor's
 * file (gh-events(5)). */
#define FS_IOC_SETFLAGS		0x40086602
#define FS_IOC32_SETFLAGS	0x40046602
#define FS_IOC_SETVERSION	0x40087602
#define FS_IOC32_SETVERSION	0x40047602
#define FS_IOC_FSSETXATTR	0x401c5820
#define FS_IOC_ENABLE_VERITY	0x40806685
#define FS_IOC_SET_ENCRYPTION_POLICY 0x800c6613
#define FS_IOC_SETFSLABEL	0x41009432
#define EXT4_IOC_SETFSUUID	0x4008662c
#define FICLONE			0x40049409
#define FICLONERANGE		0x4020940d
#define FIDEDUPERANGE		0xc0189436

static __always_inline int file_ioctl(__u32 cmd)
{
	switch (cmd) {
	case FS_IOC_SETFLAGS: case FS_IOC32_SETFLAGS:
	case FS_IOC_SETVERSION: case FS_IOC32_SETVERSION:
	case FS_IOC_FSSETXATTR: case FS_IOC_ENABLE_VERITY:
	case FS_IOC_SET_ENCRYPTION_POLICY: case FS_IOC_SETFSLABEL:
	case EXT4_IOC_SETFSUUID: case FICLONE: case FICLONERANGE:
	case FIDEDUPERANGE:
		return 1;
	}
	return 0;
}

static __always_inline int enter_wanted(__u32 op, struct pt_regs *regs)
{
	struct user_msghdr mh;
	struct mmsghdr *v;
	__u32 cmd = regs->si;
	char sub = 0;
	int i;

	switch (op) {
	case GH_OP_IOCTL:
		if (cmd == TIOCSTI || cmd == FIOSETOWN || cmd == SIOCSPGRP)
			return 1;
		if (file_ioctl(cmd))
			return 1;
		if (cmd != TIOCLINUX)
			return 0;
		bpf_probe_read_user(&sub, 1, (void *)regs->dx);
		return sub == TIOCL_PASTESEL;
	case GH_OP_SETOWN:
		return cmd == F_SETOWN || cmd == F_SETOWN_EX || cmd == F_SETSIG;
	case GH_OP_RECVMSG:
		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)regs->si))
			return 0;	/* EFAULT: nothing received */
		return mh.msg_control && mh.msg_controllen;
	case GH_OP_MMAP:
		/* the pages of a file (an anonymous mapping has none) */
		return !(regs->r10 & MAP_ANONYMOUS);
	case GH_OP_RECVMMSG:
		v = (void *)regs->si;
		for (i = 0; i < SCM_MSGS; i++) {
			if (i >= regs->dx)
				break;
			if (bpf_probe_read_user(&mh, sizeof(mh), &v[i].msg_hdr))
				return 0;
			if (mh.msg_control && mh.msg_controllen)
				return 1;
		}
		/* more messages than looked at: scanned at exit */
		return regs->dx > SCM_MSGS;
	}
	return 1;
}

static __always_inline void stop_enter(__u32 op, struct pt_regs *regs,
				       __u32 run, __u32 level);

/* ---- code mapped from a file ----
 *
 * mmap with PROT_EXEC of a file, and mprotect (pkey_mprotect) adding
 * PROT_EXEC to a mapping of a file: code that can run without an exec
 * naming it (a library, LD_PRELOAD, dlopen, a program run by the dynamic
 * loader). Only those calls are stashed; the prot test comes before the
 * traced set is looked up. mprotect's file is found at entry (range_file,
 * below) and kept in the stash as arg[3], which mprotect does not have. */

/* ---- mprotect over several mappings ----
 * mprotect's range may span mappings: anonymous memory first, a file's
 * pages after it. The range's mappings are walked from addr (bpf_loop,
 * at most MPROT_VMAS of them: the kernel's default vm.max_map_count; a
 * lookup refused while another thread holds the mm's lock is tried
 * again, MPROT_TRIES times in all, then the record counts as lost);
 * the file is the first mapping of a file that is not executable yet
 * (the one that gains PROT_EXEC), else the first mapping of a file. */
#define MPROT_VMAS	65536
#define VM_EXEC_FLAG	0x4
#define MPROT_TRIES	4096	/* lookups refused while the lock is held,
				 * in all */

struct vma_walk {
	struct task_struct *t;
	__u64 a;	/* the next mapping's address */
	__u64 end;	/* the range's end */
	__u64 file;	/* the file found */
	__u64 first;	/* the first file, executable or not */
	__u64 vfile, vend, vexec;	/* the mapping at a */
	__u32 busy;	/* the last lookup was refused (-EBUSY) */
};

static long vma_step(struct task_struct *t, struct vm_area_struct *vma,
		     void *ctx)
{
	struct vma_walk *w = ctx;

	w->vfile = (__u64)BPF_CORE_READ(vma, vm_file);
	w->vend = BPF_CORE_READ(vma, vm_end);
	w->vexec = BPF_CORE_READ(vma, vm_flags) & VM_EXEC_FLAG;
	return 0;
}

static long range_step(__u32 i, void *ctx)
{
	struct vma_walk *w = ctx;
	long err;

	w->vfile = 0;
	w->vend = 0;
	w->vexec = 0;
	err = bpf_find_vma(w->t, w->a, vma_step, w, 0);
	w->busy = err == -EBUSY;
	if (w->busy)
		return 0;	/* another thread maps or unmaps: again */
	if (err)
		return 1;
	if (w->vfile && !w->vexec) {
		w->file = w->vfile;
		return 1;
	}
	if (w->vfile && !w->first)
		w->first = w->vfile;
	if (w->vend <= w->a || w->vend >= w->end)
		return 1;
	w->a = w->vend;
	return 0;
}

/* A global function: verified once, not on every path of sys_enter. */
__noinline __u64 range_file(__u64 addr, __u64 len, __u32 run)
{
	struct vma_walk w = { .t = bpf_get_current_task_btf(), .a = addr,
			      .end = addr + len };

	bpf_loop(MPROT_VMAS + MPROT_TRIES, range_step, &w, 0);
	if (w.busy && !w.file && !w.first)
		count_lost(run, GH_LOST_RINGBUF);	/* the mappings unknown */
	return w.file ? w.file : w.first;
}

/* The file mmap mapped at addr: the mapping's, not the descriptor's at
 * exit, which another thread may have made another file (dup2) since the
 * call took it; f (the descriptor's) when the mapping cannot be looked
 * up (then counted lost). */
static __always_inline struct file *mmap_file(struct file *f, __u64 addr,
					      __u32 run)
{
	__u64 m = range_file(addr, 1, run);

	return m ? (struct file *)m : f;
}

/* PROT_READ asks for PROT_EXEC too when the process's personality has
 * READ_IMPLIES_EXEC (personality(2)): the protection the kernel gives. */
#define PROT_READ		0x1
#define READ_IMPLIES_EXEC	0x0400000

static __always_inline __u64 prot_given(struct task_struct *t, __u64 prot)
{
	if ((prot & PROT_READ) && (t->personality & READ_IMPLIES_EXEC))
		prot |= PROT_EXEC;
	return prot;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct gh_member m;
	struct stash *st;
	struct scratch *s;
	struct gh_run *r;
	__u64 id;
	__u32 op;

	if (gh_sys_compat(t->thread_info.status, nr)) {
		compat_enter();
		return 0;
	}
	op = sys_op(nr);
	if (op == GH_OP_NONE) {
		if (nr == GH_NR_PRCTL && regs->di == GH_HELLO)
			hello(regs);
		else if (nr == GH_NR_SECCOMP)
			seccomp_enter(regs);
		return 0;
	}
	if ((op == GH_OP_MMAP || op == GH_OP_MPROTECT) &&
	    !(prot_given(t, regs->dx) & PROT_EXEC))
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!traced_ring(id >> 32, &m))
		return 0;
	if (op >= GH_OP_IOCTL && !enter_wanted(op, regs))
		return 0;
	if ((op >= GH_OP_KILL && op <= GH_OP_RT_TGSIGQUEUEINFO) ||
	    op == GH_OP_PIDFD_SEND_SIGNAL)
		stop_enter(op, regs, m.run, m.level);
	if (op == GH_OP_BPF) {
		/* counted before the call can change anything; gh-trace's
		 * own calls while it starts the command do not count */
		r = bpf_map_lookup_elem(&runs, &m.run);
		if (r && r->self != (__u32)(id >> 32)) {
			__sync_fetch_and_add(&r->part[GH_PART_BPF], 1);
			count_tally(m.run, GH_TALLY_PART + GH_PART_BPF);
		}
	}
	st = bpf_task_storage_get(&stash, t, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count_lost(m.run, GH_LOST_RINGBUF);
		return 0;
	}
	st->arg[0] = regs->di;
	st->arg[1] = regs->si;
	st->arg[2] = regs->dx;
	st->arg[3] = regs->r10;
	st->arg[4] = regs->r8;
	st->arg[5] = regs->r9;
	if (op == GH_OP_MMAP || op == GH_OP_MPROTECT)
		st->arg[2] = prot_given(t, regs->dx);
	if (op == GH_OP_MPROTECT) {
		st->arg[3] = range_file(regs->di, regs->si, m.run);
		if (!st->arg[3])
			return 0;	/* anonymous memory (a JIT's) */
	}
	st->run = m.run;
	st->level = m.level;
	st->nr = nr;
	s = get_scratch();
	if (s) {
		__builtin_memcpy(s->ev.arg, st->arg, sizeof(st->arg));
		names_enter(nr);
		__builtin_memcpy(st->slen, s->sm.len, sizeof(st->slen));
		__builtin_memcpy(st->sum, s->sm.h, sizeof(st->sum));
	} else {
		__builtin_memset(st->slen, 0xff, sizeof(st->slen));
	}
	st->nlk = 0;
	st->op = op;	/* last: the entry is whole */
	return 0;
}

static __always_inline void sock_connected(struct scratch *s, struct sock *sk,
					   __u32 run);

/* ---- sends on inherited sockets ----
 *
 * A socket the command inherited was connected before the run began, so
 * no connect or accept of the run names its peer. gh-trace lists such
 * sockets in the run (their cookies, SO_COOKIE, which it made the kernel
 * assign); a send on one without an address is recorded with the
 * socket's peer, whichever syscall made it: sendto, sendmsg and sendmmsg
 * in sys_exit, io_uring sends in uring_submit, and write, writev,
 * sendfile, splice and the rest in sock_send (the sock_send_length
 * tracepoint of sock_sendmsg). */

/* The index of socket a (its address) among run's inherited sockets (and
 * those received from outside the run, see watch_received), or -1. A
 * global function: to the verifier the index is one number, not sixteen
 * cases to follow through the caller. */
__noinline int inherited_at(__u32 run, __u64 a)
{
	struct sock *sk = (void *)a;
	struct gh_run *r;
	__u64 c;
	int i;

	if (!sk)
		return -1;
	c = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	r = bpf_map_lookup_elem(&runs, &run);
	if (!r)
		return -1;
	for (i = 0; i < GH_INH_MAX; i++)
		if (r->inh_cookie[i] &&
		    (r->inh_cookie[i] == c || r->inh_cookie[i] == a))
			return i;
	return -1;
}

static __always_inline int inherited_sock(__u32 run, struct sock *sk)
{
	__u64 a = 0;

	bpf_probe_read_kernel(&a, sizeof(a), &sk);	/* a number */
	return inherited_at(run, a);
}

/* A socket received over SCM_RIGHTS, as descriptor fd: watched from now
 * on as an inherited one (its sends recorded with its peer), in a free
 * slot of the run's list. It is listed by its cookie when it has one,
 * else by its address (the kernel assigns cookies only when asked; an
 * address is never a cookie, which counts from 1). No slot left: the run
 * is partial (GH_PART_UNWATCHED). */
static __always_inline void watch_received(__u32 run, struct sock *sk, int fd)
{
	struct gh_run *r;
	__u64 c;
	int i;

	if (inherited_sock(run, sk) >= 0)
		return;
	r = bpf_map_lookup_elem(&runs, &run);
	if (!r)
		return;
	c = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	if (!c)
		c = (__u64)sk;
	for (i = 0; i < GH_INH_MAX; i++) {
		if (r->inh_cookie[i])
			continue;
		if (__sync_val_compare_and_swap(&r->inh_cookie[i], 0, c) == 0) {
			r->inh_fd[i] = fd;
			return;
		}
	}
	count_part(run, GH_PART_UNWATCHED);
}

/* The peer address of socket sk as the extra blob of the record being
 * built, at pos; returns the position after it. Global (verified once):
 * called from several programs and branches. */
__noinline int sock_peer(__u64 sk, __u32 pos)
{
	struct scratch *s = get_scratch();

	if (s)
		put_sock_addr(s, &pos, (struct sock *)sk, 1);
	return pos;
}

static __always_inline int is_packet(struct gh_event *ev)
{
	return ev->flags & GH_EVF_SOCK &&
	       (ev->family == AF_PACKET || ev->sock_type == SOCK_RAW);
}

/* A unix socket address with a relative name (neither absolute nor
 * abstract): the working directory it is relative to, as the base of
 * GH_B_PATH1, so that the socket file is named by its absolute path.
 * Returns the position after it. Global (verified once). */
__noinline int unix_base(__u64 addr, __u32 alen, __u32 pos)
{
	struct scratch *s = get_scratch();
	unsigned char h[3] = {};

	if (!s || alen < 3 || bpf_probe_read_user(h, sizeof(h), (void *)addr))
		return pos;
	if ((h[0] | h[1] << 8) != AF_UNIX || h[2] == '/' || h[2] == '\0')
		return pos;
	put_cwd(s, &pos, GH_B_PATH1, GH_BF_BASE);
	return pos;
}

/* A unix socket connected by name: the kernel's path of the socket file
 * it reached (the peer's inode), as GH_B_PATH2, for a name that went
 * through a symbolic link or a magic link of /proc (the name given is
 * in GH_B_EXTRA). Nothing for other families, abstract or unnamed
 * peers. Returns the position after it. Global (verified once). */
__noinline int unix_peer_path(__u64 sk, __u32 pos)
{
	struct unix_sock *u = (struct unix_sock *)sk, *peer;
	struct dentry *d;

	if (BPF_CORE_READ(u, sk.__sk_common.skc_family) != AF_UNIX)
		return pos;
	peer = (struct unix_sock *)BPF_CORE_READ(u, peer);
	if (!peer)
		return pos;
	d = BPF_CORE_READ(peer, path.dentry);
	if (!d)
		return pos;
	return path_walk(pos, GH_B_PATH2, (__u64)d,
			 (__u64)BPF_CORE_READ(peer, path.mnt), GH_BF_FULL);
}

/* ---- netlink sends ----
 *
 * A message on a netlink socket is a request to the kernel (or to another
 * netlink socket): RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWLINK change the
 * machine's network configuration, nftables rules go through
 * NETLINK_NETFILTER, and nothing else of the record says so. The kernel
 * handles every message of the buffer in turn (netlink_rcv_skb), so the
 * types of all of them are kept, as the u16 array GH_B_RAW2 of the send
 * record. A send makes the run partial (GH_PART_NETLINK) when one of its
 * messages may change something, or when they could not all be read
 * (more than GH_NL_MAX, several iovecs, unreadable memory, a send that
 * sys_exit does not decode: see sock_send). Only requests that read are
 * left out: the control types below NLMSG_MIN_TYPE, NETLINK_ROUTE's
 * RTM_GET* (type % 4 == 2), NETLINK_SOCK_DIAG's queries and
 * NETLINK_GENERIC's controller (family lookups). */
#define AF_NETLINK		16
#define NLMSG_MIN_TYPE		16
#define NETLINK_ROUTE		0
#define NETLINK_SOCK_DIAG	4
#define NETLINK_GENERIC		16
#define SOCK_DESTROY		21

static __always_inline int nl_reads(__u16 proto, __u16 type)
{
	if (type < NLMSG_MIN_TYPE)
		return 1;
	switch (proto) {
	case NETLINK_ROUTE:
		return (type & 3) == 2;
	case NETLINK_SOCK_DIAG:
		return type < SOCK_DESTROY;	/* 18-20: the dumps */
	case NETLINK_GENERIC:
		return type == 16;		/* GENL_ID_CTRL */
	}
	return 0;
}

/* ---- netlink messages as the kernel took them ----
 * The buffer of a send is the sender's memory: another thread may
 * rewrite it between the kernel's copy and sys_exit, so that an
 * RTM_NEWADDR the kernel acted on reads as an RTM_GETADDR at exit. A
 * message for a kernel socket (rtnetlink, nftables...) is handled in
 * the sender's context, then its buffer freed with consume_skb
 * (netlink_unicast_kernel): there the kernel's own copy of the messages
 * is read, into the sending thread's stash, and nl_send takes the types
 * from it. Attached only while runs are in progress (a "sock_"
 * program): two loads per buffer freed on the machine, a traced-set
 * lookup for those a kernel netlink socket took. */
#define NETLINK_KERNEL_SOCKET	1	/* netlink_sock.flags bit 0 */
#define NLK_SEEN		1
#define NLK_MORE		2

/* The types of the messages of a netlink request's buffer, the kernel's
 * copy (head to tail: the kernel pulls handled messages off the front,
 * but a request's buffer starts at its head), into t[]; returns their
 * number, *more set when there were more than GH_NL_MAX. */
static __always_inline __u32 nl_skb_types(struct sk_buff *skb, __u16 *t,
					  __u32 *more)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u32 end = BPF_CORE_READ(skb, tail), off = 0, i, n = 0;
	struct nlmsghdr h;

	*more = 0;
	for (i = 0; i < GH_NL_MAX; i++) {
		if (off + sizeof(h) > end)
			return n;
		if (bpf_probe_read_kernel(&h, sizeof(h), head + off))
			return n;
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > end - off)
			return n;
		t[i & (GH_NL_MAX - 1)] = h.nlmsg_type;
		n++;
		off += (h.nlmsg_len + 3) & ~3U;
	}
	*more = off + sizeof(h) <= end;
	return n;
}

SEC("tp_btf/consume_skb")
int BPF_PROG(sock_nl_consume, struct sk_buff *skb, void *location)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct netlink_sock *nk;
	struct gh_member m;
	struct stash *st;
	struct sock *sk;
	__u32 more;

	/* the socket first: two loads, before a lookup */
	sk = skb->sk;
	if (!sk || sk->__sk_common.skc_family != AF_NETLINK)
		return 0;
	nk = (struct netlink_sock *)sk;
	if (!(BPF_CORE_READ(nk, flags) & NETLINK_KERNEL_SOCKET))
		return 0;
	if (!traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
		return 0;
	st = bpf_task_storage_get(&stash, t, 0, 0);
	if (!st || (st->op != GH_OP_SENDTO && st->op != GH_OP_SENDMSG))
		return 0;
	st->nln = nl_skb_types(skb, st->nlt, &more);
	st->nlk = NLK_SEEN | (more ? NLK_MORE : 0);
	return 0;
}

/* The types the kernel took for the send in flight, as GH_B_RAW2 at p,
 * the run partial when one may change something: 1; 0 when the kernel's
 * socket did not take them (nl_send then reads the sender's memory).
 * From the stash (sock_nl_consume), or, when the buffer started a dump
 * (the kernel keeps it for the dump, past the call, and frees it later),
 * from the dump's hold on it in the sending socket. */
static __always_inline int nl_kernel_types(__u32 p)
{
	struct scratch *s = get_scratch();
	struct netlink_sock *nk;
	struct sk_buff *skb;
	struct socket *so;
	struct stash *st;
	__u32 i, n, more, change;
	__u16 t[GH_NL_MAX] = {};

	if (!s)
		return 0;
	st = bpf_task_storage_get(&stash, bpf_get_current_task_btf(), 0, 0);
	if (st && (st->nlk & NLK_SEEN)) {
		n = st->nln;
		more = st->nlk & NLK_MORE;
		__builtin_memcpy(t, st->nlt, sizeof(t));
		st->nlk = 0;
	} else {
		so = file_socket(fd_file((int)s->ev.arg[0]));
		nk = so ? (struct netlink_sock *)BPF_CORE_READ(so, sk) : NULL;
		if (!nk || !BPF_CORE_READ(nk, cb_running))
			return 0;
		skb = BPF_CORE_READ(nk, cb.skb);
		if (!skb)
			return 0;
		n = nl_skb_types(skb, t, &more);
	}
	change = more;
	for (i = 0; i < GH_NL_MAX; i++) {
		if (i >= n)
			break;
		*(__u16 *)&s->data[(p + 2 * i) & (GH_HALF - 1)] = t[i];
		if (!nl_reads(s->ev.proto, t[i]))
			change = 1;
	}
	if (change)
		count_part(s->ev.run, GH_PART_NETLINK);
	s->ev.boff[GH_B_RAW2] = p;
	s->ev.blen[GH_B_RAW2] = 2 * i;
	s->ev.bflags[GH_B_RAW2] = GH_BF_PRESENT;
	return 1;
}

/* The message types of a netlink send that returned ret: buf is the
 * buffer (sendto) or, with iovlen, the iovec array (sendmsg). Appended at
 * pos as GH_B_RAW2; returns the new end. Global (verified once). */
__noinline int nl_send(__u64 buf, __u64 iovlen, long ret, __u32 pos)
{
	struct scratch *s = get_scratch();
	struct nlmsghdr h;
	__u64 base[2];
	__u64 len = ret, off = 0;
	__u32 n = 0, i, p = pos, change = 0;

	if (!s || ret <= 0)
		return pos;
	if (iovlen) {
		/* struct iovec: base, length */
		if (iovlen != 1 ||
		    bpf_probe_read_user(base, sizeof(base), (void *)buf)) {
			count_part(s->ev.run, GH_PART_NETLINK);
			return pos;
		}
		buf = base[0];
		if (base[1] < len)
			len = base[1];
	}
	if (p >= GH_HALF)
		return pos;
	if (nl_kernel_types(p))
		goto types;
	for (i = 0; i < GH_NL_MAX; i++) {
		if (off + sizeof(h) > len)
			break;
		if (bpf_probe_read_user(&h, sizeof(h), (void *)(buf + off))) {
			change = 1;
			break;
		}
		/* where the kernel stops too */
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			break;
		*(__u16 *)&s->data[(p + 2 * n) & (GH_HALF - 1)] = h.nlmsg_type;
		n++;
		if (!nl_reads(s->ev.proto, h.nlmsg_type))
			change = 1;
		off += (h.nlmsg_len + 3) & ~3U;
	}
	if (i == GH_NL_MAX && off + sizeof(h) <= len)
		change = 1;	/* more messages than kept */
	if (change)
		count_part(s->ev.run, GH_PART_NETLINK);
	s->ev.boff[GH_B_RAW2] = p;
	s->ev.blen[GH_B_RAW2] = 2 * n;
	s->ev.bflags[GH_B_RAW2] = GH_BF_PRESENT;
	return p + 2 * n;
types:
	n = s->ev.blen[GH_B_RAW2] / 2;
	return p + 2 * (n & (GH_NL_MAX * 2 - 1));
}

/* Network syscalls: socket facts and the address. Returns 0 when the
 * record is not wanted (a send without an explicit destination). */
static __always_inline int sys_net(struct scratch *s, __u32 *pos, __u32 op,
				   __u32 ad, __u64 *a, long ret)
{
	struct file *f = fd_file((int)a[0]);
	struct sock *sk = sock_info(&s->ev, f);
	struct user_msghdr mh;
	const void *addr = NULL;
	struct socket *ns;
	__u32 alen = 0, n, i;

	if (op == GH_OP_CONNECT)
		sock_connected(s, sk, s->ev.run);
	switch (op) {
	case GH_OP_CONNECT:
	case GH_OP_BIND:
	case GH_OP_SENDTO:
		addr = (const void *)a[ad & 7];
		alen = a[(ad + 1) & 7];
		break;
	case GH_OP_LISTEN:
		put_sock_addr(s, pos, sk, 0);
		return 1;
	case GH_OP_ACCEPT:
	case GH_OP_ACCEPT4:
		if (ret >= 0) {
			ns = file_socket(fd_file(ret));
			if (ns)
				put_sock_addr(s, pos, BPF_CORE_READ(ns, sk), 1);
		}
		return 1;
	case GH_OP_SENDMSG:
	case GH_OP_SENDMMSG:
		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1]))
			return ret != -EFAULT;
		addr = mh.msg_name;
		alen = mh.msg_namelen;
		break;
	}
	if (addr && op >= GH_OP_SENDTO && s->ev.flags & GH_EVF_SOCK &&
	    s->ev.proto == IPPROTO_TCP &&
	    (s->ev.family == AF_INET || s->ev.family == AF_INET6))
		/* TCP ignores the address on a connected socket (the data
		 * goes to its peer), and a fast open (MSG_FASTOPEN) is a
		 * connect: the socket's end names the peer and the bytes */
		return 0;
	if (op >= GH_OP_SENDTO && op != GH_OP_SENDMMSG &&
	    s->ev.flags & GH_EVF_SOCK && s->ev.family == AF_NETLINK) {
		/* the messages (sendmmsg's: counted in sock_send) */
		*pos = op == GH_OP_SENDTO ? nl_send(a[1], 0, ret, *pos) :
			nl_send((__u64)mh.msg_iov, mh.msg_iovlen, ret, *pos);
		if (!addr)
			return 1;
	}
	if (!addr && op >= GH_OP_SENDTO && !is_packet(&s->ev) &&
	    inherited_sock(s->ev.run, sk) >= 0) {
		/* on a socket the command inherited: its peer */
		s->ev.flags |= GH_EVF_INHERITED;
		*pos = sock_peer((__u64)sk, *pos);
	} else if (!addr) {
		/* sends without an address only on packet and raw sockets:
		 * the frame itself says where it goes */
		return op == GH_OP_CONNECT || op == GH_OP_BIND ||
		       (s->ev.flags & GH_EVF_SOCK &&
			(s->ev.family == AF_PACKET || s->ev.sock_type == SOCK_RAW));
	}
	if (op == GH_OP_SENDMMSG && ret > 0) {
		/* bytes: the msg_len the kernel wrote back for the first
		 * message (the others are records of their own, mmsg_rest) */
		struct mmsghdr *v = (void *)a[1];

		for (i = 0; i < 1; i++) {
			n = 0;
			bpf_probe_read_user(&n, sizeof(n), &v[i].msg_len);
			s->ev.x[0] += n;
		}
	}
	if (addr) {
		put_umem(s, pos, GH_B_EXTRA, addr, alen, GH_ADDR_MAX);
		*pos = unix_base((__u64)addr, alen, *pos);
	}
	if (op == GH_OP_CONNECT && ret == 0 && sk)
		*pos = unix_peer_path((__u64)sk, *pos);
	return 1;
}

/* Where the target of a signal or of process control is (GH_TREE_*):
 * pid as the caller passed it. */
static __always_inline __u32 tree_of(__u32 run, __u32 level, long pid)
{
	struct gh_member *v;
	__u32 k = pid;

	if (pid <= 0)
		return GH_TREE_GROUP;
	if (level)
		return GH_TREE_UNKNOWN;
	v = bpf_map_lookup_elem(&traced, &k);
	return v && v->run == run ? GH_TREE_YES : GH_TREE_NO;
}

/* gh-trace is in its run's traced set while it starts the command: a
 * process of the tree that controls it early (ptrace of its parent) is
 * not controlling one of the tree. */
static __always_inline __u32 tree_not_tracer(__u32 run, __u32 tgid, __u32 tree)
{
	struct gh_run *r;

	if (tree != GH_TREE_YES)
		return tree;
	r = bpf_map_lookup_elem(&runs, &run);
	return r && r->self == tgid ? GH_TREE_NO : tree;
}

/* The struct pid behind a pidfd, or NULL. */
static __always_inline struct pid *pidfd_pid(long fd)
{
	struct file *f = fd_file(fd);
	struct pid *p;

	if (!f)
		return NULL;
	p = BPF_CORE_READ(f, f_inode, i_private);
	return p ? p : BPF_CORE_READ(f, private_data);
}

/* ---- the tracer stopped by its tree ----
 * A stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) that reaches the
 * run's own gh-trace is control of a process outside the tree: while it
 * is stopped nobody reads the ring buffer (records are lost, counted) and
 * the tree has time to act on the tracer. It reaches it sent to it, to its
 * process group (kill(2) with 0 or -PGRP) or to every process (-1).
 * k0: the target's tgid in the initial PID namespace, 0 when not known;
 * pid: as the caller passed it. */
#define SIG_STOP_MASK	((1u << 19) | (1u << 20) | (1u << 21) | (1u << 22))

static __always_inline int signal_of(__u32 op, __u64 *a)
{
	switch (op) {
	case GH_OP_KILL:
	case GH_OP_TKILL:
	case GH_OP_RT_SIGQUEUEINFO:
	case GH_OP_PIDFD_SEND_SIGNAL:
		return (int)a[1];
	case GH_OP_TGKILL:
	case GH_OP_RT_TGSIGQUEUEINFO:
		return (int)a[2];
	}
	return 0;
}

/* Whether kill(2)'s group target pid (0, -1 or -PGRP) takes in the
 * process group of the run's gh-trace (r->pgrp, at its level r->level). */
static __always_inline int tracer_group(struct task_struct *t,
					struct gh_run *r, long pid)
{
	if (pid == -1)
		return 1;
	if (!r->pgrp)
		return 0;
	if (pid == 0)
		return pid_at(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]),
			      r->level) == r->pgrp;
	return BPF_CORE_READ(t, thread_pid, level) == r->level &&
	       (__u32)-pid == r->pgrp;
}

/* A global function (checked once, its stack its own: sys_exit's is
 * near the verifier's limit); called for a stop signal that was sent.
 * kill: the syscall was kill(2), where pid may name a group. */
__noinline int tracer_stopped(__u32 run, __u32 k0, long pid, int kill)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct gh_run *r = bpf_map_lookup_elem(&runs, &run);

	if (!r || !r->self)
		return 0;
	/* by its id in the initial namespace, or by the number gh-trace has
	 * in its own namespace, which the caller shares at the same level */
	if ((k0 && k0 == r->self) ||
	    (!k0 && pid > 0 && (__u32)pid == r->owner &&
	     BPF_CORE_READ(t, thread_pid, level) == r->level) ||
	    (kill && pid <= 0 && tracer_group(t, r, pid)))
		count_part(run, GH_PART_FOREIGN);
	return 0;
}

/* sys_enter of a signal syscall (before the call acts): a stop signal
 * aimed at the run's gh-trace is counted. */
static __always_inline void stop_enter(__u32 op, struct pt_regs *regs,
				       __u32 run, __u32 level)
{
	__u64 a[3] = { regs->di, regs->si, regs->dx };
	int sig = signal_of(op, a);
	long pid = (int)a[0];
	__u32 k0;

	if (sig <= 0 || sig >= 32 || !(SIG_STOP_MASK & (1u << sig)))
		return;
	if (op == GH_OP_PIDFD_SEND_SIGNAL) {
		k0 = pid_at(pidfd_pid(pid), 0);
		if (!k0)
			return;
	} else {
		k0 = level ? 0 : (__u32)pid;
	}
	tracer_stopped(run, k0, pid, op == GH_OP_KILL);
}

/* Signals and process control: the target (x[0], as the run sees it)
 * and where it is (x[1]); control of a process outside the tree makes
 * the run partial. */
static __always_inline void sys_target(struct scratch *s, __u32 op, __u64 *a,
				       long ret, __u32 run, __u32 level)
{
	struct gh_member *v;
	struct pid *p;
	__u32 tree, k;
	long pid;

	switch (op) {
	case GH_OP_PIDFD_GETFD:
	case GH_OP_PIDFD_SEND_SIGNAL:
		p = pidfd_pid((int)a[0]);
		if (!p)
			return;
		s->ev.x[0] = pid_at(p, level);
		k = pid_at(p, 0);
		v = bpf_map_lookup_elem(&traced, &k);
		tree = v && v->run == run ? GH_TREE_YES : GH_TREE_NO;
		tree = tree_not_tracer(run, k, tree);
		break;
	default:
		pid = (int)a[op == GH_OP_PTRACE ? 1 : 0];
		s->ev.x[0] = pid;
		tree = tree_of(run, level, pid);
		tree = tree_not_tracer(run, (__u32)pid, tree);
	}
	s->ev.x[1] = tree;
	s->ev.flags |= GH_EVF_TARGET;
	if (ret >= 0 && tree != GH_TREE_YES &&
	    ((op == GH_OP_PTRACE && a[0] != 0 /* PTRACE_TRACEME */) ||
	     op == GH_OP_PROCESS_VM_WRITEV || op == GH_OP_PIDFD_GETFD))
		count_part(run, GH_PART_FOREIGN);
}

/* The owner of a file's I/O signals (fcntl F_SETOWN, F_SETOWN_EX,
 * F_SETSIG; ioctl FIOSETOWN, SIOCSPGRP), read from the file at syscall
 * exit: whichever order the owner and the signal were set in, the last
 * call names both. The record begun in the scratch becomes a signal
 * record: target (x[0], negative for a process group), where it is
 * (x[1]), the signal (arg[3]: F_SETSIG's, 0 for SIGIO). Returns 0 when
 * the file has no owner (no record). Global: verified once. */
__noinline int sig_owner(__u32 run, __u32 level)
{
	struct scratch *s = get_scratch();
	struct fown_struct *fo;
	struct file *f;
	struct pid *p;
	__u32 k, tree;
	long pid;
	int type;

	if (!s)
		return 0;
	f = fd_file((int)s->ev.arg[0]);
	fo = f ? BPF_CORE_READ(f, f_owner) : NULL;
	p = fo ? BPF_CORE_READ(fo, pid) : NULL;
	if (!p)
		return 0;
	type = BPF_CORE_READ(fo, pid_type);
	pid = pid_at(p, level);
	k = pid_at(p, 0);
	if (type == PIDTYPE_PGID || type == PIDTYPE_SID) {
		pid = -pid;
		tree = GH_TREE_GROUP;
	} else if (level) {
		tree = GH_TREE_UNKNOWN;
	} else {
		struct gh_member *v = bpf_map_lookup_elem(&traced, &k);

		tree = v && v->run == run ? GH_TREE_YES : GH_TREE_NO;
		tree = tree_not_tracer(run, k, tree);
	}
	s->ev.op = GH_OP_SETOWN;
	s->ev.x[0] = pid;
	s->ev.x[1] = tree;
	s->ev.arg[3] = BPF_CORE_READ(fo, signum);
	s->ev.flags |= GH_EVF_TARGET;
	return 1;
}

static __always_inline int is_target_op(__u32 op)
{
	return (op >= GH_OP_PTRACE && op <= GH_OP_RT_TGSIGQUEUEINFO);
}

/* ---- limits, priorities and scheduling of other processes ----
 * The "syscall" records of the rows with a process id (bpf/systab.h,
 * GEN with pid): prlimit64, setpriority, sched_set*, ioprio_set, ...
 * name their target as signals do (target_pid, in_tree). setpriority
 * and ioprio_set may name a process group (0: the caller's) or every
 * process of a user (0: the caller's uid) instead: in_tree null, the
 * target the group's id negated, or -1 for a user's processes. A
 * change that reaches beyond the tree (a process outside it, a group
 * with the run's gh-trace in it or whose id names no process of the
 * run, a user's processes) is control of a process outside the tree. */
#define NR_SETPRIORITY	141
#define NR_IOPRIO_SET	251
#define NR_PRLIMIT64	302
#define NR_MOVE_PAGES	279
#define NR_PERF_EVENT_OPEN 298

#define NR_PROCESS_MADVISE 440
#define NR_PROCESS_MRELEASE 448

/* The rows that name their target by a pidfd (argument 0). */
static __always_inline int gen_pidfd(__u32 nr)
{
	return nr == NR_PROCESS_MADVISE || nr == NR_PROCESS_MRELEASE;
}

/* 0: a process, 1: a process group, 2: a user's processes. */
static __always_inline int gen_who(__u32 nr, __u64 *a)
{
	if (nr == NR_SETPRIORITY)	/* PRIO_PROCESS 0, PGRP 1, USER 2 */
		return a[0] == 1 ? 1 : a[0] == 2 ? 2 : 0;
	if (nr == NR_IOPRIO_SET)	/* IOPRIO_WHO_PROCESS 1, PGRP 2, USER 3 */
		return a[0] == 2 ? 1 : a[0] == 3 ? 2 : 0;
	return 0;
}

/* Whether the call changes its target (not only reads it). */
static __always_inline int gen_changes(__u32 nr, __u64 *a)
{
	if (nr == NR_PRLIMIT64)
		return a[2] != 0;	/* new limits */
	if (nr == NR_MOVE_PAGES)
		return a[3] != 0;	/* nodes to move to */
	return nr != NR_PERF_EVENT_OPEN;
}

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* A thread id (pid, in the initial PID namespace) of a process of the
 * run, such as a thread of the caller's own that it binds to CPUs
 * (pthread_setaffinity_np): GH_TREE_YES; GH_TREE_NO for anything else. */
static __always_inline __u32 gen_thread(__u32 run, long pid)
{
	struct task_struct *t;
	struct gh_member *v;
	__u32 k;

	if (pid <= 0)
		return GH_TREE_NO;
	t = bpf_task_from_pid(pid);
	if (!t)
		return GH_TREE_NO;
	k = t->tgid;
	bpf_task_release(t);
	if (k == (__u32)pid)
		return GH_TREE_NO;
	v = bpf_map_lookup_elem(&traced, &k);
	return v && v->run == run ? tree_not_tracer(run, k, GH_TREE_YES) : GH_TREE_NO;
}

/* The target of the "syscall" record of syscall nr begun in the
 * scratch (s->ev), when its row has a process id. A global function
 * called from exit_paths: verified once, its stack its own (sys_exit's
 * is at the verifier's limit). */
__noinline int gen_target(__u32 nr, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct scratch *s = get_scratch();
	struct gh_member *v, *m;
	struct sysrow row;
	struct gh_run *r;
	struct pid *p;
	__u32 tree, k, pg, run, level;
	int who, out;
	long pid;

	if (!s)
		return 0;
	row = systab[nr & (GH_NR_MAX - 1)];
	if (row.op != GH_OP_GENERIC ||
	    (row.pid == ARG_NONE && !gen_pidfd(nr)))
		return 0;
	k = bpf_get_current_pid_tgid() >> 32;
	m = bpf_map_lookup_elem(&traced, &k);
	if (!m)
		return 0;
	run = s->ev.run;
	level = m->level;
	who = gen_who(nr, s->ev.arg);
	pid = (int)s->ev.arg[row.pid & 7];
	r = bpf_map_lookup_elem(&runs, &run);
	if (gen_pidfd(nr)) {
		/* by a pidfd: the process behind it */
		p = pidfd_pid((int)s->ev.arg[0]);
		if (!p)
			return 0;
		s->ev.x[0] = pid_at(p, level);
		k = pid_at(p, 0);
		v = bpf_map_lookup_elem(&traced, &k);
		tree = tree_not_tracer(run, k, v && v->run == run ?
					       GH_TREE_YES : GH_TREE_NO);
		out = tree != GH_TREE_YES;
	} else if (who == 2) {
		s->ev.x[0] = (__u64)-1;
		tree = GH_TREE_GROUP;
		out = 1;
	} else if (who == 1) {
		pg = pid ? (__u32)pid :
		     pid_at(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]), level);
		s->ev.x[0] = (__u64)-(long)pg;
		tree = GH_TREE_GROUP;
		k = pg;
		v = level ? NULL : bpf_map_lookup_elem(&traced, &k);
		out = !v || v->run != run || (r && r->pgrp && r->pgrp == pg &&
					      r->level == level);
	} else {
		s->ev.x[0] = pid;
		tree = tree_not_tracer(run, (__u32)pid, tree_of(run, level, pid));
		if (tree == GH_TREE_NO)
			tree = gen_thread(run, pid);
		out = tree != GH_TREE_YES;
	}
	s->ev.x[1] = tree;
	s->ev.flags |= GH_EVF_TARGET;
	if (ret >= 0 && out && gen_changes(nr, s->ev.arg))
		count_part(run, GH_PART_FOREIGN);
	return 0;
}

/* The end of sys_exit: the names compared with the entry's, then the
 * record out. A global function: the verifier checks it once, not on
 * each of the many paths that reach the end of sys_exit. */
__noinline int exit_commit(__u32 pos, __u32 run, __u32 nr)
{
	struct scratch *s;

	names_exit(nr, run);
	s = get_scratch();
	if (s)
		ev_commit(s, pos, run);
	return 0;
}

/* Descriptors received: one record per descriptor, its file's path
 * (the kernel's walk) and, for a socket, its peer. Control data that was
 * cut or cannot be read, or more descriptors than looked at, make the
 * run partial (GH_PART_SCM). */
#define SOL_SOCKET	1
#define SCM_RIGHTS	1
#define MSG_CTRUNC	0x8
#define SCM_CMSGS	4	/* control messages looked at per message */
#define SCM_FDS		16	/* descriptors looked at per control message */

/* A record for descriptor fd, which came through socket sfd. A global
 * function: verified once with its path walk, not at each pass of the
 * verifier over the loop that calls it. */
__noinline int fd_received(__u32 run, __u32 level, __u32 nr, int sfd, int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct scratch *s = get_scratch();
	struct file *f;
	struct sock *sk;
	__u32 pos = 0;

	if (!s)
		return 0;
	ev_init(&s->ev, GH_EV_SYS, run);
	s->ev.op = nr == 299 ? GH_OP_RECVMMSG : GH_OP_RECVMSG;
	s->ev.nr = nr & (GH_NR_MAX - 1);
	put_ids(&s->ev, t, level);
	s->ev.arg[0] = sfd;
	s->ev.ret = fd;
	f = fd_file(fd);
	put_file_path(s, &pos, GH_B_PATH1, f, GH_BF_FULL);
	sk = sock_info(&s->ev, f);
	if (sk) {
		put_sock_addr(s, &pos, sk, 1);
		watch_received(run, sk, fd);
	}
	ev_commit(s, pos, run);
	return 0;
}

/* bpf_loop callback: descriptor i of the control message at s->scm. */
static long scm_fd_step(__u32 i, void *arg)
{
	struct scratch *s = get_scratch();
	struct scm_state *c;
	int fd;

	if (!s)
		return 1;
	c = &s->scm;
	if (bpf_probe_read_user(&fd, sizeof(fd), (void *)(c->fds + i * sizeof(int)))) {
		c->bad = 1;
		return 1;
	}
	fd_received(c->run, c->level, c->nr, c->sfd, fd);
	return 0;
}

/* The control buffer of one message (msg: a user struct user_msghdr,
 * read after the kernel wrote back what it used). A global function:
 * verified once, with its one path walk; its state is in the scratch
 * entry (the stack is shared with sys_exit's). */
__noinline int scm_msg(__u32 run, __u32 level, __u32 nr, int sfd, __u64 msg)
{
	struct scratch *s = get_scratch();
	struct scm_state *c;
	__u64 n, len;
	int i;

	if (!s)
		return 0;
	c = &s->scm;
	c->run = run;
	c->level = level;
	c->nr = nr;
	c->sfd = sfd;
	c->bad = 0;
	c->off = 0;
	if (bpf_probe_read_user(&c->mh, sizeof(c->mh), (void *)msg)) {
		count_part(run, GH_PART_SCM);
		return 0;
	}
	if (c->mh.msg_flags & MSG_CTRUNC)
		c->bad = 1;
	if (!c->mh.msg_control) {
		if (c->bad)
			count_part(run, GH_PART_SCM);
		return 0;
	}
	for (i = 0; i < SCM_CMSGS; i++) {
		if (c->off + sizeof(c->ch) > c->mh.msg_controllen)
			break;
		if (bpf_probe_read_user(&c->ch, sizeof(c->ch),
					(void *)((__u64)c->mh.msg_control + c->off))) {
			c->bad = 1;
			break;
		}
		len = c->ch.len;
		if (len < sizeof(c->ch) || len > c->mh.msg_controllen - c->off) {
			c->bad = 1;
			break;
		}
		if (c->ch.level == SOL_SOCKET && c->ch.type == SCM_RIGHTS) {
			n = (len - sizeof(c->ch)) / sizeof(int);
			if (n > SCM_FDS) {
				c->bad = 1;
				n = SCM_FDS;
			}
			c->fds = (__u64)c->mh.msg_control + c->off + sizeof(c->ch);
			bpf_loop(n, scm_fd_step, NULL, 0);
		}
		c->off += (len + 7) & ~7ULL;
	}
	if (i == SCM_CMSGS && c->off + sizeof(c->ch) <= c->mh.msg_controllen)
		c->bad = 1;
	if (c->bad)
		count_part(run, GH_PART_SCM);
	return 0;
}

#define SCM_VLEN_MAX	1024	/* UIO_MAXIOV: recvmmsg's limit */

struct scm_rest {
	__u64 v;
	int any;
};

static long scm_rest_step(__u32 i, void *arg)
{
	struct scm_rest *r = arg;
	struct mmsghdr *v = (void *)r->v;
	struct user_msghdr mh;

	if (bpf_probe_read_user(&mh, sizeof(mh), &v[SCM_MSGS + i].msg_hdr))
		return 1;
	if (mh.msg_control && mh.msg_controllen) {
		r->any = 1;
		return 1;
	}
	return 0;
}

static __always_inline void scm_exit(__u32 run, __u32 level, __u32 nr,
				     __u64 sfd, __u64 msg, long ret)
{
	struct mmsghdr *v = (void *)msg;
	int i;

	if (ret < 0)
		return;
	if (nr != 299) {
		scm_msg(run, level, nr, (int)sfd, msg);
		return;
	}
	for (i = 0; i < SCM_MSGS; i++) {
		if (i >= ret)
			break;
		scm_msg(run, level, nr, (int)sfd, (__u64)&v[i].msg_hdr);
	}
	if (ret > SCM_MSGS) {
		/* the others: partial when one has control data */
		struct scm_rest r = { msg, 0 };

		bpf_loop(ret > SCM_VLEN_MAX ? SCM_VLEN_MAX - SCM_MSGS : ret - SCM_MSGS,
			 scm_rest_step, &r, 0);
		if (r.any)
			count_part(run, GH_PART_SCM);
	}
}

/* sendmmsg: each message after the first that the kernel sent may name a
 * destination of its own (msg_name, also on a connected UDP socket): one
 * send record for each such message, the first's record reused with that
 * message's address, bytes (x[0]) and ret 1 (one message). */
#define MMSG_VLEN_MAX	1024	/* UIO_MAXIOV: the kernel sends no more */

static long mmsg_step(__u32 i, void *arg)
{
	struct scratch *s = get_scratch();
	struct mmsghdr *v;
	void *name = NULL;
	__u32 n = 0, alen = 0, pos = 0, b;

	if (!s)
		return 1;
	v = (void *)s->ev.arg[1];
	if (bpf_probe_read_user(&name, sizeof(name), &v[i + 1].msg_hdr.msg_name))
		return 1;
	if (!name)
		return 0;
	bpf_probe_read_user(&alen, sizeof(alen), &v[i + 1].msg_hdr.msg_namelen);
	bpf_probe_read_user(&n, sizeof(n), &v[i + 1].msg_len);
	for (b = 0; b < GH_NBLOB; b++) {
		s->ev.boff[b] = 0;
		s->ev.blen[b] = 0;
		s->ev.bflags[b] = 0;
	}
	s->ev.flags &= ~GH_EVF_INHERITED;
	s->ev.ret = 1;
	s->ev.x[0] = n;
	put_umem(s, &pos, GH_B_EXTRA, name, alen, GH_ADDR_MAX);
	pos = unix_base((__u64)name, alen, pos);
	ev_commit(s, pos, s->ev.run);
	return 0;
}

__noinline int mmsg_rest(long ret)
{
	struct scratch *s = get_scratch();

	if (ret < 2 || !s)
		return 0;
	/* TCP: addresses are not destinations (see sys_net) */
	if (s->ev.flags & GH_EVF_SOCK && s->ev.proto == IPPROTO_TCP &&
	    (s->ev.family == AF_INET || s->ev.family == AF_INET6))
		return 0;
	bpf_loop(ret > MMSG_VLEN_MAX ? MMSG_VLEN_MAX - 1 : ret - 1, mmsg_step,
		 NULL, 0);
	return 0;
}

/* sys_exit of a socket syscall, its record begun in the scratch (s->ev):
 * decoded and committed. A global function: verified once, apart from
 * the other paths of sys_exit. */
__noinline int exit_net(__u32 op, __u32 ad, long ret)
{
	struct scratch *s = get_scratch();
	__u32 pos = 0;
	__u64 a[6];

	if (!s)
		return 0;
	__builtin_memcpy(a, s->ev.arg, sizeof(a));
	if (sys_net(s, &pos, op, ad, a, ret))
		ev_commit(s, pos, s->ev.run);
	return 0;
}

/* sys_exit: the names of the record begun in the scratch (s->ev), from
 * pos, by the row of syscall nr; returns the new end. Global, as
 * names_enter: verified once, not on every path of sys_exit. */
__noinline __u32 exit_paths(__u32 pos, __u32 op, __u32 nr, long ret)
{
	struct scratch *s = get_scratch();
	struct file *f = NULL;
	struct sysrow row;
	long fdp;
	int c, want;

	if (!s)
		return pos;
	row = systab[nr & (GH_NR_MAX - 1)];
	/* the object's path: from the fd it opened or acts on (one call
	 * site: each costs the verifier a path walk) */
	fdp = 0;
	want = 0;
	if (row.p1 != ARG_NONE && (s->ev.arg[row.p1 & 7] || row.fd == ARG_NONE)) {
		c = put_ustr(s, &pos, GH_B_RAW1, (void *)s->ev.arg[row.p1 & 7], ret);
		if (is_open(op) && ret >= 0)
			fdp = ret, want = 1;
		else if (op == GH_OP_CHDIR && ret == 0)
			put_cwd(s, &pos, GH_B_PATH1, GH_BF_FULL);
		else if ((c != '/' && row.d1 != ARG_NONE) || c == '/' ||
			 (op == GH_OP_CHROOT && ret == 0))
			put_base(s, &pos, GH_B_PATH1, row.d1, s->ev.arg,
				 op == GH_OP_CHROOT && ret == 0 ? 2 : c == '/');
	} else if (row.fd != ARG_NONE) {
		fdp = (int)s->ev.arg[row.fd & 7], want = 1;
	} else if (is_open(op) && ret >= 0) {
		fdp = ret, want = 1;	/* open_by_handle_at: the file it opened */
	}
	if (want)
		f = fd_file(fdp);
	if (want && op == GH_OP_MMAP && ret > 0)
		f = mmap_file(f, ret, s->ev.run);
	else if (op == GH_OP_MPROTECT)
		f = (struct file *)s->ev.arg[3], want = 1;
	if (want)
		put_file_path(s, &pos, GH_B_PATH1, f, GH_BF_FULL);
	if (row.p2 != ARG_NONE && (s->ev.arg[row.p2 & 7] || op != GH_OP_MOUNT)) {
		c = put_ustr(s, &pos, GH_B_RAW2, (void *)s->ev.arg[row.p2 & 7], ret);
		if ((c != '/' && row.d2 != ARG_NONE) ||
		    (c == '/' && op != GH_OP_SYMLINK && op != GH_OP_SYMLINKAT))
			put_base(s, &pos, GH_B_PATH2, row.d2, s->ev.arg, c == '/');
	}
	if (row.s != ARG_NONE && s->ev.arg[row.s & 7])
		put_ustr(s, &pos, GH_B_EXTRA, (void *)s->ev.arg[row.s & 7], ret);
	if (op == GH_OP_GENERIC && (row.pid != ARG_NONE || gen_pidfd(nr)))
		gen_target(nr, ret);
	return pos;
}

/* sys_exit of an exec that failed: the working directory and argv into
 * the record begun in the scratch (s->ev), from pos; returns the new end.
 * Global, as names_enter. */
__noinline __u32 exit_exec(__u32 pos, __u32 run, __u32 op, long ret)
{
	struct scratch *s = get_scratch();
	struct gh_run *r;
	__u32 lim, end;

	if (!s)
		return pos;
	r = bpf_map_lookup_elem(&runs, &run);
	lim = r ? r->argv_limit : 0;
	put_cwd(s, &pos, GH_B_PATH2, GH_BF_FULL);
	if (lim > GH_ARGV_MAX)
		lim = GH_ARGV_MAX;
	__builtin_memset(&s->a, 0, sizeof(s->a));
	s->a.argv = (void *)s->ev.arg[op == GH_OP_EXECVE ? 1 : 2];
	s->a.pos = s->a.start = pos;
	s->a.limit = lim;
	if (s->a.argv)
		bpf_loop(8192, argv_step, NULL, 0);
	s->ev.argc = s->a.argc;
	s->ev.argv_bytes = s->a.bytes;
	end = s->a.pos;
	if (end < pos || end - pos > GH_ARGV_MAX)
		end = pos;
	s->ev.boff[GH_B_EXTRA] = pos;
	s->ev.blen[GH_B_EXTRA] = end - pos;
	s->ev.bflags[GH_B_EXTRA] = GH_BF_PRESENT |
		(s->a.trunc ? GH_BF_TRUNC : 0) |
		(s->a.fault && ret != -EFAULT ? GH_BF_FAULT : 0);
	return end;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 id, a[6], fl = 0, sum[3];
	__u32 tid, pos = 0, run, level, op, nr, slen[3];
	struct sysrow row;
	struct stash *st;
	struct scratch *s;

	if (sys_op(regs->orig_ax) == GH_OP_NONE)
		return 0;
	st = bpf_task_storage_get(&stash, bpf_get_current_task_btf(), 0, 0);
	if (!st || st->op == GH_OP_NONE)
		return 0;
	op = st->op;
	st->op = GH_OP_NONE;	/* taken */
	if (st->nr != regs->orig_ax)
		return 0;	/* entered while the programs were not attached */
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;
	run = st->run;
	level = st->level;
	nr = st->nr & (GH_NR_MAX - 1);
	__builtin_memcpy(a, st->arg, sizeof(a));
	__builtin_memcpy(sum, st->sum, sizeof(sum));
	__builtin_memcpy(slen, st->slen, sizeof(slen));
	/* its run has ended (ev_commit finds the ring buffer) */
	if (!bpf_map_lookup_elem(&runs, &run))
		return 0;
	if ((op == GH_OP_EXECVE || op == GH_OP_EXECVEAT) && ret == 0)
		return 0;	/* reported by sched_process_exec */
	/* clone makes a record only when it makes namespaces */
	if (op == GH_OP_CLONE && !(a[0] & CLONE_NS_MASK))
		return 0;
	if (op == GH_OP_CLONE3 &&
	    (bpf_probe_read_user(&fl, sizeof(fl), (void *)a[0]) ||
	     !(fl & CLONE_NS_MASK)))
		return 0;
	row = systab[nr];
	/* a process's own priority, limits or scheduling: not recorded */
	if (op == GH_OP_GENERIC && row.pid != ARG_NONE &&
	    (int)st->arg[row.pid & 7] == 0 && !gen_who(nr, a))
		return 0;

	s = get_scratch();
	if (!s)
		return 0;
	/* the entry's name sums, for names_exit */
	__builtin_memcpy(s->sm.esum, sum, sizeof(sum));
	__builtin_memcpy(s->sm.elen, slen, sizeof(slen));
	ev_init(&s->ev, GH_EV_SYS, run);
	s->ev.op = op;
	s->ev.nr = nr;
	if (op == GH_OP_EXECVE || op == GH_OP_EXECVEAT) {
		/* a failed exec names the parent, as a successful one does */
		put_ids(&s->ev, bpf_get_current_task_btf(), level);
	} else if (level) {
		struct task_struct *t = bpf_get_current_task_btf();

		s->ev.pid = tgid_at(t, level);
		s->ev.tid = tid_at(t, level);
	} else {
		s->ev.pid = id >> 32;
		s->ev.tid = tid;
	}
	s->ev.ret = ret;
	__builtin_memcpy(s->ev.arg, a, sizeof(a));

	if (op == GH_OP_RECVMSG || op == GH_OP_RECVMMSG) {
		scm_exit(run, level, nr, a[0], a[1], ret);
		return 0;
	}
	if (is_net(op)) {
		exit_net(op, row.ad, ret);
		if (op == GH_OP_SENDMMSG)
			mmsg_rest(ret);
		return 0;
	}

	switch (op) {
	case GH_OP_OPENAT2: {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)a[2]);
		s->ev.x[0] = how.flags;
		s->ev.x[1] = how.mode;
		break;
	}
	case GH_OP_CLONE3:
		s->ev.x[0] = fl;
		break;
	case GH_OP_CAPSET: {
		__u32 d[6] = {};

		/* effective and permitted sets, both 32-bit halves */
		bpf_probe_read_user(d, sizeof(d), (void *)a[1]);
		s->ev.x[0] = d[0] | (__u64)d[3] << 32;
		s->ev.x[1] = d[1] | (__u64)d[4] << 32;
		break;
	}
	case GH_OP_IOCTL:
		if (file_ioctl(a[1])) {
			s->ev.op = GH_OP_GENERIC;	/* a "syscall" record */
			break;
		}
		if (a[1] != FIOSETOWN && a[1] != SIOCSPGRP)
			break;
		/* fall through */
	case GH_OP_SETOWN:
		if (!sig_owner(run, level))
			return 0;
		break;
	default:
		if (is_target_op(op))
			sys_target(s, op, a, ret, run, level);
	}
	pos = exit_paths(pos, op, nr, ret);
	if (op == GH_OP_EXECVE || op == GH_OP_EXECVEAT)
		pos = exit_exec(pos, run, op, ret);
	exit_commit(pos, run, nr);
	return 0;
}

/* ---- io_uring ----
 *
 * An operation of a traced process is decoded at its submission (the
 * kernel's own copy of its names and arguments is there), into the record
 * of its syscall twin with GH_EVF_URING, and completed by a
 * GH_EV_URING_DONE record with the result; gh-trace joins the two. The
 * process is the one whose ring it is (the submitting task of the
 * request), whichever thread ran it: SQPOLL and io-wq workers are threads
 * of that process. Operations that act outside the process but are not
 * decoded are counted with their opcode (bpf/systab.h: GH_URING). */

#define UROW(code, name, cls, op) [code] = { GH_UC_##cls, GH_OP_##op },
static const struct { __u8 cls, op; } uring_tab[GH_URING_MAX] = {
	GH_URING(UROW)
};

struct uring_req {
	__u32 run, level, op, slot;
	__u16 code;		/* the opcode */
	__u8 fixed;		/* the op's file is a fixed file (an index) */
	__u8 noname;		/* a send without an address */
};

#define REQ_F_FIXED_FILE 1	/* IOSQE_FIXED_FILE */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct uring_req);
} uring_pending SEC(".maps");

/* Append a kernel string (a struct filename's name) as blob slot. */
static __always_inline int put_kstr(struct scratch *s, __u32 *pos, int slot,
				    const void *ptr)
{
	__u32 p = *pos;
	long n;

	if (!ptr || p >= GH_HALF) {
		s->ev.bflags[slot] = GH_BF_FAULT;
		return -1;
	}
	n = bpf_probe_read_kernel_str(&s->data[p & (GH_HALF - 1)], GH_STR_MAX, ptr);
	if (n <= 0) {
		s->ev.bflags[slot] = GH_BF_FAULT;
		return -1;
	}
	s->ev.boff[slot] = p;
	s->ev.blen[slot] = n - 1;
	s->ev.bflags[slot] = GH_BF_PRESENT;
	*pos = p + n;
	return s->data[p & (GH_HALF - 1)];
}

/* A name relative to directory fd dfd: the name, and the base path. */
static __always_inline void put_kname(struct scratch *s, __u32 *pos, int slot,
				      int bslot, struct filename *fn, int dfd)
{
	__u64 a[6] = { (__u64)(long)dfd };
	int c = put_kstr(s, pos, slot, fn ? BPF_CORE_READ(fn, name) : NULL);

	put_base(s, pos, bslot, 0, a, c == '/');
}

/* Writes through io_uring (WRITE, WRITEV, their fixed-buffer forms,
 * SPLICE into the op's file) on a socket the command inherited: a send
 * record with the socket's peer, as sock_send makes for write(2). The
 * file is the op's descriptor or fixed file (read from the ring's file
 * table: the request's own file is assigned later). */
#define IORING_OP_WRITEV	2
#define IORING_OP_WRITE_FIXED	5
#define IORING_OP_WRITE		23
#define IORING_OP_SPLICE	30
#define IORING_OP_WRITEV_FIXED	61
#define FFS_MASK		(~3UL)	/* io_uring/filetable.h: flag bits */

static __always_inline int uring_is_write(__u32 code)
{
	return code == IORING_OP_WRITEV || code == IORING_OP_WRITE_FIXED ||
	       code == IORING_OP_WRITE || code == IORING_OP_SPLICE ||
	       code == IORING_OP_WRITEV_FIXED;
}

static __always_inline struct file *uring_fixed_file(struct io_kiocb *req,
						     __u32 idx)
{
	struct io_rsrc_node **nodes = BPF_CORE_READ(req, ctx, file_table.data.nodes);
	__u32 nr = BPF_CORE_READ(req, ctx, file_table.data.nr);
	struct io_rsrc_node *n = NULL;

	if (idx >= nr || !nodes)
		return NULL;
	bpf_probe_read_kernel(&n, sizeof(n), &nodes[idx]);
	if (!n)
		return NULL;
	return (struct file *)(BPF_CORE_READ(n, file_ptr) & FFS_MASK);
}

static __always_inline void uring_write(struct io_kiocb *req,
					struct task_struct *t,
					struct gh_member *m, __u32 code)
{
	struct uring_req ur = {};
	struct scratch *s;
	struct file *f;
	struct sock *sk;
	__u64 key = (__u64)req;
	int fd = req->cqe.fd, fixed = !!(req->flags & REQ_F_FIXED_FILE);

	f = fixed ? uring_fixed_file(req, fd) : fd_file(fd);
	if (!f)
		return;
	s = get_scratch();
	if (!s)
		return;
	ev_init(&s->ev, GH_EV_SYS, m->run);
	sk = sock_info(&s->ev, f);
	if (inherited_sock(m->run, sk) < 0)
		return;
	s->ev.op = GH_OP_SENDMSG;
	s->ev.nr = code;
	s->ev.flags |= GH_EVF_URING | GH_EVF_INHERITED | (fixed ? GH_EVF_FIXED : 0);
	put_ids(&s->ev, t, m->level);
	s->ev.arg[0] = fd;
	s->ev.arg[5] = key;
	ur.run = m->run;
	ur.level = m->level;
	ur.op = GH_OP_SENDMSG;
	ur.code = code;
	if (bpf_map_update_elem(&uring_pending, &key, &ur, BPF_ANY))
		count_lost(m->run, GH_LOST_RINGBUF);
	ev_commit(s, sock_peer((__u64)sk, 0), m->run);
}

/* RECVMSG with a control buffer may receive descriptors (SCM_RIGHTS),
 * which are not decoded here: the run is partial with its opcode. The
 * message header was copied in when the request was prepared. */
#define IORING_OP_RECVMSG	10

static __always_inline void uring_recvmsg(struct io_kiocb *req,
					  struct gh_member *m, __u32 code)
{
	struct io_async_msghdr *km = BPF_CORE_READ(req, async_data);
	struct gh_run *r;

	if (!km || !BPF_CORE_READ(km, msg.msg_controllen))
		return;
	r = bpf_map_lookup_elem(&runs, &m->run);
	if (r) {
		__sync_fetch_and_add(&r->part[GH_PART_URING], 1);
		__sync_fetch_and_or(&r->uring_ops[0], 1ULL << code);
	}
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_submit, struct io_kiocb *req)
{
	/* a BTF pointer (not a value read), so that put_ids may use it */
	struct task_struct *t = req->tctx->task;
	void *cmd = &req->cmd;
	struct uring_req ur = {};
	struct filename *fn1 = NULL, *fn2 = NULL;
	int dfd1 = AT_FDCWD, dfd2 = AT_FDCWD;
	struct gh_member m;
	struct gh_run *r;
	struct scratch *s;
	struct sock *sk = NULL;
	__u32 code, op, pos = 0;
	__u64 key = (__u64)req;

	if (!t || !traced_ring(t->tgid, &m))
		return 0;
	code = req->opcode;
	op = GH_OP_NONE;
	if (code < GH_URING_MAX) {
		if (uring_tab[code & (GH_URING_MAX - 1)].cls == GH_UC_FD) {
			if (uring_is_write(code))
				uring_write(req, t, &m, code);
			else if (code == IORING_OP_RECVMSG)
				uring_recvmsg(req, &m, code);
			return 0;
		}
		op = uring_tab[code & (GH_URING_MAX - 1)].op;
	}
	if (op == GH_OP_NONE) {
		r = bpf_map_lookup_elem(&runs, &m.run);
		if (r) {
			__sync_fetch_and_add(&r->part[GH_PART_URING], 1);
			__sync_fetch_and_or(&r->uring_ops[(code >> 6) & 3],
					    1ULL << (code & 63));
		}
		return 0;
	}
	s = get_scratch();
	if (!s)
		return 0;
	ev_init(&s->ev, GH_EV_SYS, m.run);
	s->ev.op = op;
	s->ev.nr = code;
	s->ev.flags = GH_EVF_URING;
	put_ids(&s->ev, t, m.level);
	s->ev.arg[5] = key;
	if (is_net(op)) {
		/* the socket: the request's file is not assigned yet, the fd
		 * (not a fixed file's index) names it in the task's table; a
		 * fixed file's socket is read at completion */
		s->ev.arg[0] = (int)req->cqe.fd;
		if (!(req->flags & REQ_F_FIXED_FILE)) {
			sk = sock_info(&s->ev, fd_file((int)s->ev.arg[0]));
		} else {
			s->ev.flags |= GH_EVF_FIXED;
			ur.fixed = 1;
		}
	}
	/* the names: at most two, each relative to a directory fd; one
	 * call site each keeps the verifier's work small */
	switch (op) {
	case GH_OP_OPENAT:
	case GH_OP_OPENAT2: {
		struct io_open *o = cmd;

		s->ev.arg[0] = BPF_CORE_READ(o, dfd);
		s->ev.arg[2] = BPF_CORE_READ(o, how.flags);
		s->ev.arg[3] = BPF_CORE_READ(o, how.mode);
		s->ev.x[0] = s->ev.arg[2];
		s->ev.x[1] = s->ev.arg[3];
		ur.slot = BPF_CORE_READ(o, file_slot);
		fn1 = BPF_CORE_READ(o, filename);
		dfd1 = s->ev.arg[0];
		break;
	}
	case GH_OP_UNLINKAT: {
		struct io_unlink *u = cmd;

		s->ev.arg[0] = BPF_CORE_READ(u, dfd);
		s->ev.arg[2] = BPF_CORE_READ(u, flags);
		fn1 = BPF_CORE_READ(u, filename);
		dfd1 = s->ev.arg[0];
		break;
	}
	case GH_OP_MKDIRAT: {
		struct io_mkdir *d = cmd;

		s->ev.arg[0] = BPF_CORE_READ(d, dfd);
		s->ev.arg[2] = BPF_CORE_READ(d, mode);
		fn1 = BPF_CORE_READ(d, filename);
		dfd1 = s->ev.arg[0];
		break;
	}
	case GH_OP_RENAMEAT2:
	case GH_OP_LINKAT: {
		struct io_rename *n = cmd;	/* io_link has the same layout */

		s->ev.arg[0] = BPF_CORE_READ(n, old_dfd);
		s->ev.arg[2] = BPF_CORE_READ(n, new_dfd);
		s->ev.arg[4] = BPF_CORE_READ(n, flags);
		fn1 = BPF_CORE_READ(n, oldpath);
		dfd1 = s->ev.arg[0];
		fn2 = BPF_CORE_READ(n, newpath);
		dfd2 = s->ev.arg[2];
		break;
	}
	case GH_OP_SYMLINKAT: {
		struct io_link *n = cmd;

		/* oldpath: the target (no base), newpath: the link */
		s->ev.arg[1] = BPF_CORE_READ(n, new_dfd);
		fn1 = BPF_CORE_READ(n, newpath);
		dfd1 = s->ev.arg[1];
		fn2 = BPF_CORE_READ(n, oldpath);
		break;
	}
	}
	if (fn1)
		put_kname(s, &pos, GH_B_RAW1, GH_B_PATH1, fn1, dfd1);
	if (fn2 && op == GH_OP_SYMLINKAT)
		put_kstr(s, &pos, GH_B_RAW2, BPF_CORE_READ(fn2, name));
	else if (fn2)
		put_kname(s, &pos, GH_B_RAW2, GH_B_PATH2, fn2, dfd2);
	switch (op) {
	case GH_OP_SOCKET: {
		struct io_socket *so = cmd;

		s->ev.arg[0] = BPF_CORE_READ(so, domain);
		s->ev.arg[1] = BPF_CORE_READ(so, type);
		s->ev.arg[2] = BPF_CORE_READ(so, protocol);
		ur.slot = BPF_CORE_READ(so, file_slot);
		break;
	}
	case GH_OP_CONNECT: {
		struct io_connect *c = cmd;

		put_umem(s, &pos, GH_B_EXTRA, BPF_CORE_READ(c, addr),
			 BPF_CORE_READ(c, addr_len), GH_ADDR_MAX);
		break;
	}
	case GH_OP_ACCEPT:
		ur.slot = BPF_CORE_READ((struct io_accept *)cmd, file_slot);
		break;
	case GH_OP_SENDMSG: {
		struct io_async_msghdr *km = BPF_CORE_READ(req, async_data);
		void *name = km ? BPF_CORE_READ(km, msg.msg_name) : NULL;
		__u32 nlen = km ? BPF_CORE_READ(km, msg.msg_namelen) : 0;
		__u32 p = pos;

		if (!name && !is_packet(&s->ev)) {
			/* a connected send: like send(2), recorded on a socket
			 * the command inherited, with its peer; a fixed file's
			 * socket is known at completion only */
			if (ur.fixed)
				ur.noname = 1;
			else if (inherited_sock(m.run, sk) < 0)
				return 0;
			else {
				s->ev.flags |= GH_EVF_INHERITED;
				pos = sock_peer((__u64)sk, pos);
			}
		}
		if (name && p < GH_HALF) {
			if (nlen > GH_ADDR_MAX)
				nlen = GH_ADDR_MAX;
			bound(nlen, 0xff);
			if (!bpf_probe_read_kernel(&s->data[p & (GH_HALF - 1)], nlen, name)) {
				s->ev.boff[GH_B_EXTRA] = p;
				s->ev.blen[GH_B_EXTRA] = nlen;
				s->ev.bflags[GH_B_EXTRA] = GH_BF_PRESENT;
				pos = p + nlen;
			}
		}
		break;
	}
	}
	ur.run = m.run;
	ur.level = m.level;
	ur.op = op;
	ur.code = code;
	if (bpf_map_update_elem(&uring_pending, &key, &ur, BPF_ANY))
		count_lost(m.run, GH_LOST_RINGBUF);
	ev_commit(s, pos, m.run);
	return 0;
}

/* A network op on a fixed file: its socket, from the request's file
 * (assigned by now), and for a send without an address the peer. An op
 * that succeeded on a socket that cannot be read makes the run partial
 * with its opcode. */
static __always_inline void uring_fixed_socket(struct scratch *s, __u32 *pos,
					       struct io_kiocb *req,
					       struct uring_req *ur, long res)
{
	struct sock *sk = sock_info(&s->ev, BPF_CORE_READ(req, file));
	struct gh_run *r;
	__u32 code = ur->code;

	if (!sk && res < 0)
		return;		/* failed: ENOTSOCK, EBADF... */
	if (!sk) {
		r = bpf_map_lookup_elem(&runs, &ur->run);
		if (r) {
			__sync_fetch_and_add(&r->part[GH_PART_URING], 1);
			__sync_fetch_and_or(&r->uring_ops[(code >> 6) & 3],
					    1ULL << (code & 63));
		}
		return;
	}
	if (ur->noname) {
		if (inherited_sock(ur->run, sk) >= 0)
			s->ev.flags |= GH_EVF_INHERITED;
		*pos = sock_peer((__u64)sk, *pos);
	}
}

static __always_inline void sock_connected(struct scratch *s, struct sock *sk,
					   __u32 run);

SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete, struct io_ring_ctx *ring, void *req,
	     struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)req;
	struct uring_req *p = bpf_map_lookup_elem(&uring_pending, &key);
	struct uring_req ur;
	struct scratch *s;
	__u32 pos = 0;
	long res;

	if (!p)
		return 0;
	ur = *p;
	bpf_map_delete_elem(&uring_pending, &key);
	if (!run_ring(ur.run))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	res = BPF_CORE_READ(cqe, res);
	ev_init(&s->ev, GH_EV_URING_DONE, ur.run);
	s->ev.op = ur.op;
	s->ev.ret = res;
	s->ev.arg[5] = key;
	if (ur.fixed)
		uring_fixed_socket(s, &pos, (struct io_kiocb *)req, &ur, res);
	if (ur.op == GH_OP_CONNECT) {
		/* its record names the socket's entry, as connect(2)'s does */
		struct socket *so = file_socket(BPF_CORE_READ((struct io_kiocb *)req, file));

		if (so)
			sock_connected(s, BPF_CORE_READ(so, sk), ur.run);
		/* a unix socket reached by a link: its file, as connect(2) */
		if (so && res == 0)
			pos = unix_peer_path((__u64)BPF_CORE_READ(so, sk), pos);
	}
	if (res >= 0 && !ur.slot) {
		if (ur.op == GH_OP_OPENAT || ur.op == GH_OP_OPENAT2)
			put_file_path(s, &pos, GH_B_PATH1, fd_file(res), GH_BF_FULL);
		else if (ur.op == GH_OP_ACCEPT) {
			struct socket *ns = file_socket(fd_file(res));

			if (ns)
				put_sock_addr(s, &pos, BPF_CORE_READ(ns, sk), 1);
		}
	}
	ev_commit(s, pos, ur.run);
	return 0;
}

/* ---- sockets: final connect results, bytes, DNS (trace.h: "Sockets") ----
 *
 * The connect's outcome comes from the socket's state changes (the
 * inet_sock_set_state tracepoint: SYN_SENT to ESTABLISHED or to CLOSE with
 * the socket's error), which happen in softirq context, after the
 * connect(2) of a non-blocking socket returned EINPROGRESS. Bytes are
 * counted where every socket send and receive ends (sock_send_length,
 * sock_recv_length), in process context: the payload of a DNS message is
 * read there from the buffers of the syscall in progress. */

#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define EINPROGRESS	115
#define ECONNRESET	104
#define EPIPE		32
#define DNS_PORT	53
#define NR_READ		0
#define NR_WRITE	1
#define NR_READV	19
#define NR_WRITEV	20
#define NR_CONNECT	42
#define NR_SENDTO	44
#define NR_RECVFROM	45
#define NR_SENDMSG	46
#define NR_RECVMSG	47
#define NR_RECVMMSG	299
#define NR_SENDMMSG	307
#define MMSG_SCAN	8	/* sendmmsg/recvmmsg: messages looked at */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct gh_sock);
} socks SEC(".maps");

/* Ids of socket entries: one sequence for every run. */
__u64 sock_seq = 0;

/* The socket's peer (family, port, address) into e. */
static __always_inline void sk_peer_fill(struct gh_sock *e, struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->port = BPF_CORE_READ(sk, __sk_common.skc_dport);
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (e->family == AF_INET)
		BPF_CORE_READ_INTO((__u32 *)e->addr, sk, __sk_common.skc_daddr);
	else
		BPF_CORE_READ_INTO((struct in6_addr *)e->addr, sk,
				   __sk_common.skc_v6_daddr);
	if (e->port)
		e->flags |= GH_SKF_PEER;
	else
		e->flags &= ~GH_SKF_PEER;
}

static __always_inline __u32 sock_ino(struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

/* Report an entry: a GH_EV_SOCK record. Returns -1 when its run's ring
 * buffer is gone: gh-trace reads the entries left when its run ends, from
 * the time it stops taking records on. */
static __always_inline int sock_report(struct gh_sock *e)
{
	struct gh_event *ev;
	char *d;
	void *rb = run_ring(e->run);
	__u32 sz = sizeof(*ev) + sizeof(struct sockaddr_in6);

	if (!rb)
		return -1;
	ev = bpf_ringbuf_reserve(rb, sizeof(*ev) + sizeof(struct sockaddr_in6), 0);
	if (!ev) {
		count_lost(e->run, GH_LOST_RINGBUF);
		return 0;
	}
	ev_init(ev, GH_EV_SOCK, e->run);
	ev->size = sz;
	ev->pid = ev->tid = e->pid;
	ev->arg[0] = e->id;
	ev->arg[1] = e->flags;
	ev->ret = e->result;
	ev->x[0] = e->sent;
	ev->x[1] = e->received;
	ev->family = e->family;
	ev->proto = e->proto;
	ev->sock_type = e->proto == IPPROTO_TCP ? 1 : 2;	/* SOCK_STREAM, SOCK_DGRAM */
	ev->flags = GH_EVF_SOCK;
	d = (char *)(ev + 1);
	__builtin_memset(d, 0, sizeof(struct sockaddr_in6));
	if (e->flags & GH_SKF_PEER) {
		struct sockaddr_in6 *sin6 = (void *)d;

		sin6->sin6_family = e->family;
		sin6->sin6_port = e->port;
		if (e->family == AF_INET) {
			struct sockaddr_in *sin = (void *)d;

			__builtin_memcpy(&sin->sin_addr, e->addr, 4);
			ev->blen[GH_B_EXTRA] = sizeof(struct sockaddr_in);
		} else {
			__builtin_memcpy(&sin6->sin6_addr, e->addr, 16);
			ev->blen[GH_B_EXTRA] = sizeof(struct sockaddr_in6);
		}
		ev->bflags[GH_B_EXTRA] = GH_BF_PRESENT;
	}
	bpf_ringbuf_submit(ev, rb_flags(rb));
	return 0;
}

/* A new entry for sk; NULL when the map is full. */
static __always_inline struct gh_sock *sock_new(struct sock *sk, __u32 run,
						__u32 pid, __u32 flags)
{
	__u64 key = (__u64)sk;
	struct gh_sock e = {}, *old;

	/* a socket that was at this address before: gone now */
	old = bpf_map_lookup_elem(&socks, &key);
	if (old && !(old->flags & GH_SKF_CLOSED))
		sock_report(old);
	e.run = run;
	e.pid = pid;
	e.id = __sync_fetch_and_add(&sock_seq, 1) + 1;
	e.flags = flags;
	e.result = -EINPROGRESS;
	e.proto = BPF_CORE_READ(sk, sk_protocol);
	e.ino = sock_ino(sk);
	sk_peer_fill(&e, sk);
	if (bpf_map_update_elem(&socks, &key, &e, BPF_ANY)) {
		count_lost(run, GH_LOST_RINGBUF);
		return NULL;
	}
	return bpf_map_lookup_elem(&socks, &key);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct gh_sock *e;
	struct gh_member m;
	struct pt_regs *regs;
	__u32 fl = GH_SKF_CONNECT;
	int err;

	if (newstate == TCP_SYN_SENT) {
		/* in the connect(2) (or io_uring request) of the process */
		if (!traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
			return 0;
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		if (regs && BPF_CORE_READ(regs, orig_ax) == NR_CONNECT)
			fl |= GH_SKF_INCALL;
		sock_new(sk, m.run, m.pid, fl);
		return 0;
	}
	e = bpf_map_lookup_elem(&socks, &key);
	if (!e || (e->flags & GH_SKF_CLOSED))
		return 0;
	err = BPF_CORE_READ(sk, sk_err);
	if (oldstate == TCP_SYN_SENT && (e->flags & GH_SKF_CONNECT)) {
		if (newstate == TCP_ESTABLISHED)
			e->result = 0;
		else if (newstate == TCP_CLOSE && err)
			e->result = -err;
	} else if (newstate == TCP_CLOSE && e->result == 0 &&
		   (err == ECONNRESET || err == EPIPE)) {
		e->result = -ECONNRESET;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (sock_report(e) < 0)
		return 0;	/* left for gh-trace */
	if (e->flags & GH_SKF_INCALL)
		e->flags |= GH_SKF_CLOSED;	/* its connect record needs the id */
	else
		bpf_map_delete_elem(&socks, &key);
	return 0;
}

/* connect(2) returned: its record names the entry; an entry already
 * reported closed is done with. */
static __always_inline void sock_connected(struct scratch *s, struct sock *sk,
					   __u32 run)
{
	__u64 key = (__u64)sk;
	struct gh_sock *e;

	if (!sk)
		return;
	e = bpf_map_lookup_elem(&socks, &key);
	if (!e || e->run != run || !(e->flags & GH_SKF_CONNECT))
		return;
	s->ev.x[1] = e->id;
	s->ev.flags |= GH_EVF_SOCKID;
	if (e->flags & GH_SKF_CLOSED)
		bpf_map_delete_elem(&socks, &key);
	else
		e->flags &= ~GH_SKF_INCALL;
}

/* The entry of an inet socket a traced process sends or receives on
 * (made when there is none). A UDP socket that changed its peer, or a
 * socket at the address of one that is gone, is reported and begins a
 * new entry. */
static __always_inline struct gh_sock *sock_entry(struct sock *sk,
						  struct gh_member *m)
{
	__u64 key = (__u64)sk;
	struct gh_sock *e, p = {};
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 proto;

	if (fam != AF_INET && fam != AF_INET6)
		return NULL;
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	if (!traced_ring(bpf_get_current_pid_tgid() >> 32, m))
		return NULL;
	e = bpf_map_lookup_elem(&socks, &key);
	if (e && e->run == m->run && !(e->flags & GH_SKF_CLOSED)) {
		if (proto == IPPROTO_TCP && e->ino == sock_ino(sk))
			return e;
		sk_peer_fill(&p, sk);
		if (proto == IPPROTO_UDP && e->ino == sock_ino(sk) && e->port == p.port &&
		    *(__u64 *)e->addr == *(__u64 *)p.addr &&
		    *(__u64 *)&e->addr[8] == *(__u64 *)&p.addr[8])
			return e;
	}
	return sock_new(sk, m->run, m->pid, 0);
}

/* Up to len bytes of user memory at the scratch area's *pos (at most
 * GH_DNS_MAX of them). Returns the bytes copied. */
static __always_inline __u32 dns_copy(struct scratch *s, __u32 *pos,
				      const void *src, __u64 len)
{
	__u32 p = *pos;

	if (len > GH_DNS_MAX)
		len = GH_DNS_MAX;
	bound(len, 1023);
	if (!len || p > 2 * GH_DNS_MAX)
		return 0;
	if (bpf_probe_read_user(&s->data[p & 2047], len, src))
		return 0;
	*pos = p + len;
	return len;
}

/* A DNS message of the syscall in progress, when sk's entry e goes to or
 * comes from port 53: a GH_EV_DNS record. ret: its bytes. */
static __always_inline void dns_message(struct gh_sock *e, struct sock *sk,
					struct gh_member *m, int in, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	struct user_msghdr mh = {};
	struct iovec iov[2] = {};
	const void *buf = NULL, *addr = NULL;
	__u16 sa[2] = {};
	__u64 nr, a1, niov = 0, left;
	__u32 pos = 0, i, n, len;
	struct scratch *s;

	if (!regs)
		return;
	nr = BPF_CORE_READ(regs, orig_ax);
	a1 = BPF_CORE_READ(regs, si);
	switch (nr) {
	case NR_SENDTO:
		addr = (const void *)BPF_CORE_READ(regs, r8);
		/* fall through */
	case NR_READ:
	case NR_WRITE:
	case NR_RECVFROM:
		buf = (const void *)a1;
		break;
	case NR_READV:
	case NR_WRITEV:
		niov = 2;
		bpf_probe_read_user(iov, sizeof(iov), (void *)a1);
		break;
	case NR_SENDMMSG:
	case NR_RECVMMSG: {
		struct mmsghdr *v = (void *)a1;

		/* the message in progress: the first whose msg_len the
		 * kernel has not written back yet */
		for (i = 0; i < MMSG_SCAN; i++) {
			n = 1;
			bpf_probe_read_user(&n, sizeof(n), &v[i].msg_len);
			if (!n)
				break;
		}
		if (i == MMSG_SCAN)
			return;
		a1 = (__u64)&v[i].msg_hdr;
	}
		/* fall through */
	case NR_SENDMSG:
	case NR_RECVMSG:
		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)a1))
			return;
		niov = mh.msg_iovlen > 2 ? 2 : mh.msg_iovlen;
		bpf_probe_read_user(iov, sizeof(iov[0]) * 2, mh.msg_iov);
		if (!in)
			addr = mh.msg_name;
		break;
	default:
		return;		/* io_uring, splice...: not read */
	}
	if (addr)
		bpf_probe_read_user(sa, sizeof(sa), addr);
	if (!(e->flags & GH_SKF_DNS)) {
		if (!((e->flags & GH_SKF_PEER) && e->port == bpf_htons(DNS_PORT)) &&
		    !(addr && (sa[0] == AF_INET || sa[0] == AF_INET6) &&
		      sa[1] == bpf_htons(DNS_PORT)))
			return;
		e->flags |= GH_SKF_DNS;
	}
	if (e->ndns >= GH_DNS_PER_SOCK)
		return;
	e->ndns++;
	s = get_scratch();
	if (!s)
		return;
	ev_init(&s->ev, GH_EV_DNS, m->run);
	put_ids(&s->ev, t, m->level);
	s->ev.arg[0] = e->id;
	s->ev.x[0] = in;
	s->ev.family = e->family;
	s->ev.proto = e->proto;
	s->ev.sock_type = e->proto == IPPROTO_TCP ? 1 : 2;
	s->ev.flags = GH_EVF_SOCK;
	left = ret;
	if (buf) {
		dns_copy(s, &pos, buf, left);
	} else {
		len = dns_copy(s, &pos, iov[0].iov_base,
			       left < iov[0].iov_len ? left : iov[0].iov_len);
		left -= len;
		if (niov > 1 && left && len == iov[0].iov_len)
			dns_copy(s, &pos, iov[1].iov_base,
				 left < iov[1].iov_len ? left : iov[1].iov_len);
	}
	s->ev.boff[GH_B_RAW2] = 0;
	s->ev.blen[GH_B_RAW2] = pos;
	s->ev.bflags[GH_B_RAW2] = GH_BF_PRESENT | (pos < ret ? GH_BF_TRUNC : 0);
	/* the destination the call named, or the socket's peer */
	if (addr && (sa[0] == AF_INET || sa[0] == AF_INET6)) {
		put_umem(s, &pos, GH_B_EXTRA, addr,
			 sa[0] == AF_INET ? sizeof(struct sockaddr_in) :
					    sizeof(struct sockaddr_in6), GH_ADDR_MAX);
	} else if (e->flags & GH_SKF_PEER) {
		put_sock_addr(s, &pos, sk, 1);
	}
	ev_commit(s, pos, m->run);
}

/* The send in progress names its own destination: sendto(2) with an
 * address, sendmsg(2) with msg_name. On a connected UDP socket it goes
 * there, not to the socket's peer, and its send record (sys_net) counts
 * its bytes for that destination: the socket's entry must not count them
 * for the peer as well. */
static __always_inline int send_names_dest(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct user_msghdr *mh;
	void *name = NULL;
	long nr;

	if (t->flags & 0x10)	/* PF_IO_WORKER */
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr == NR_SENDTO)
		return BPF_CORE_READ(regs, r8) != 0;
	if (nr != NR_SENDMSG)
		return 0;
	mh = (struct user_msghdr *)BPF_CORE_READ(regs, si);
	return !bpf_probe_read_user(&name, sizeof(name), &mh->msg_name) && name;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(sock_send_length, struct sock *sk, int ret, int flags)
{
	struct gh_member m;
	struct gh_sock *e;

	if (ret <= 0 || !sk)
		return 0;
	e = sock_entry(sk, &m);
	if (!e)
		return 0;
	if (!(e->proto == IPPROTO_UDP && e->flags & GH_SKF_PEER &&
	      send_names_dest()))
		__sync_fetch_and_add(&e->sent, ret);
	dns_message(e, sk, &m, 0, ret);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(sock_recv_length, struct sock *sk, int ret, int flags)
{
	struct gh_member m;
	struct gh_sock *e;

	if (ret <= 0 || !sk || (flags & 2 /* MSG_PEEK */))
		return 0;
	e = sock_entry(sk, &m);
	if (!e)
		return 0;
	__sync_fetch_and_add(&e->received, ret);
	if (e->flags & GH_SKF_DNS)
		dns_message(e, sk, &m, 1, ret);
	return 0;
}

#define PF_IO_WORKER	0x00000010	/* io-wq and SQPOLL threads */
#define NR_SENDTO	44
#define NR_SENDMSG	46
#define NR_SENDMMSG	307
#define NR_IO_URING_ENTER 426

/* Every send on a socket (sock_sendmsg): one on a socket the command
 * inherited, made by a syscall that neither sys_exit nor the io_uring
 * programs decode (write, writev, sendfile, splice...), is a send record
 * with the socket's peer. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(sock_send, struct sock *sk, int ret, int flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct gh_member m;
	struct gh_run *r;
	struct scratch *s;
	__u32 pos = 0;
	__u64 addr = 0;
	long nr;
	int i;

	if (!traced_ring(t->tgid, &m))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	nr = regs ? BPF_CORE_READ(regs, orig_ax) : -1;
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_NETLINK &&
	    (t->flags & PF_IO_WORKER || (nr != NR_SENDTO && nr != NR_SENDMSG)))
		count_part(m.run, GH_PART_NETLINK);	/* not read: nl_send */
	if (t->flags & PF_IO_WORKER)
		return 0;
	if (nr == NR_SENDTO || nr == NR_SENDMSG || nr == NR_SENDMMSG ||
	    nr == NR_IO_URING_ENTER)
		return 0;
	i = inherited_sock(m.run, sk);
	if (i < 0)
		return 0;
	r = bpf_map_lookup_elem(&runs, &m.run);
	s = get_scratch();
	if (!r || !s)
		return 0;
	ev_init(&s->ev, GH_EV_SYS, m.run);
	s->ev.op = GH_OP_SENDTO;
	s->ev.nr = nr >= 0 && nr < GH_NR_MAX ? nr : 0;
	s->ev.flags = GH_EVF_INHERITED | GH_EVF_SOCK;
	put_ids(&s->ev, t, m.level);
	s->ev.ret = ret;
	s->ev.arg[0] = r->inh_fd[i & (GH_INH_MAX - 1)];
	s->ev.sock_type = BPF_CORE_READ(sk, sk_type);
	s->ev.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	s->ev.proto = BPF_CORE_READ(sk, sk_protocol);
	/* sock_peer takes the address as a number, not a trusted pointer */
	bpf_probe_read_kernel(&addr, sizeof(addr), &sk);
	pos = sock_peer(addr, pos);
	ev_commit(s, pos, m.run);
	return 0;
}

/* ---- cgroups: the tracer moved or frozen by its tree ----
 * A process of the tree that moves a process outside it (the run's
 * gh-trace included) into another cgroup changes what that process may
 * use; one that freezes a cgroup (cgroup v2, cgroup.freeze) with the
 * run's gh-trace in it stops the tracer as a stop signal does (nobody
 * reads the ring buffer, and the tree has time to act on it). Both are
 * control of a process outside the tree. The tracepoints fire in the
 * writer's context, only for cgroup changes: nothing on any hot path. */

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cgroup_attach, struct cgroup *dst, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	struct gh_member m, *v;
	__u32 k;

	if (!traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
		return 0;
	/* a whole process once, by its leader */
	if (threadgroup && task->group_leader != task)
		return 0;
	k = task->tgid;
	v = bpf_map_lookup_elem(&traced, &k);
	if (v && v->run == m.run && tree_not_tracer(m.run, k, GH_TREE_YES) == GH_TREE_YES)
		return 0;
	count_part(m.run, GH_PART_FOREIGN);
	return 0;
}

SEC("tp_btf/cgroup_freeze")
int BPF_PROG(cgroup_freeze, struct cgroup *cg, const char *path)
{
	struct task_struct *t;
	struct gh_member m;
	struct gh_run *r;
	struct cgroup *tc;
	int lv, hit;

	if (!traced_ring(bpf_get_current_pid_tgid() >> 32, &m))
		return 0;
	r = bpf_map_lookup_elem(&runs, &m.run);
	if (!r || !r->self)
		return 0;
	t = bpf_task_from_pid(r->self);
	if (!t)
		return 0;
	/* gh-trace's cgroup (of the unified hierarchy) is cg or below it */
	tc = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	bpf_task_release(t);
	lv = BPF_CORE_READ(cg, level);
	hit = tc && BPF_CORE_READ(tc, level) >= lv && lv >= 0 && lv < 256 &&
	      BPF_CORE_READ(tc, ancestors[lv]) == cg;
	if (hit)
		count_part(m.run, GH_PART_FOREIGN);
	return 0;
}
