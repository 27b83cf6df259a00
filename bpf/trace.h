/* Records shared by bpf/trace.bpf.c and gh-trace: fixed-size structs only.
 *
 * Every record in the ring buffer is a struct gh_event followed by its
 * variable part: up to GH_NBLOB byte strings ("blobs") whose offsets and
 * lengths, relative to the end of the struct, are in boff[] and blen[].
 * A record is exactly as long as its blobs need (size).
 *
 * Paths resolved by the kernel walk are stored as their components from
 * the leaf up, each NUL-terminated ("c\0b\0a\0" for /a/b/c); "/" is an
 * empty blob with GH_BF_FULL set.
 */
#ifndef GH_TRACE_H
#define GH_TRACE_H

/* Record kinds (gh_event.type). */
enum {
	GH_EV_EXEC = 1,	/* sched_process_exec: a successful exec */
	GH_EV_FORK = 2,	/* sched_process_fork of a new process */
	GH_EV_EXIT = 3,	/* the last thread of a process exited */
	GH_EV_SYS = 4,	/* a syscall of interest returned (op says which) */
	GH_EV_URING_DONE = 5,	/* an io_uring operation recorded at its
				 * submission (a GH_EV_SYS record with
				 * GH_EVF_URING, arg[5] the request) completed:
				 * ret, and blobs known only then */
};

/* Syscall families (gh_event.op for GH_EV_SYS), independent of the
 * architecture's numbering. */
enum {
	GH_OP_NONE = 0,
	GH_OP_OPEN, GH_OP_OPENAT, GH_OP_OPENAT2, GH_OP_CREAT,
	GH_OP_UNLINK, GH_OP_UNLINKAT, GH_OP_RMDIR,
	GH_OP_MKDIR, GH_OP_MKDIRAT,
	GH_OP_RENAME, GH_OP_RENAMEAT, GH_OP_RENAMEAT2,
	GH_OP_LINK, GH_OP_LINKAT, GH_OP_SYMLINK, GH_OP_SYMLINKAT,
	GH_OP_CHMOD, GH_OP_FCHMOD, GH_OP_FCHMODAT, GH_OP_FCHMODAT2,
	GH_OP_CHOWN, GH_OP_LCHOWN, GH_OP_FCHOWN, GH_OP_FCHOWNAT,
	GH_OP_TRUNCATE, GH_OP_FTRUNCATE,
	GH_OP_CHDIR, GH_OP_FCHDIR,
	GH_OP_EXECVE, GH_OP_EXECVEAT,
	GH_OP_CONNECT, GH_OP_BIND, GH_OP_LISTEN, GH_OP_ACCEPT, GH_OP_ACCEPT4,
	GH_OP_SENDTO, GH_OP_SENDMSG, GH_OP_SENDMMSG,
	/* after the network ops (is_net is a range) */
	GH_OP_MKNOD, GH_OP_MKNODAT,
	GH_OP_SETXATTR, GH_OP_LSETXATTR, GH_OP_FSETXATTR, GH_OP_SETXATTRAT,
	GH_OP_REMOVEXATTR, GH_OP_LREMOVEXATTR, GH_OP_FREMOVEXATTR,
	GH_OP_REMOVEXATTRAT,
	GH_OP_UTIME, GH_OP_UTIMES, GH_OP_FUTIMESAT, GH_OP_UTIMENSAT,
	GH_OP_NAME_TO_HANDLE_AT, GH_OP_OPEN_BY_HANDLE_AT,
	GH_OP_MEMFD_CREATE, GH_OP_CHROOT, GH_OP_PIVOT_ROOT,
	GH_OP_MOUNT, GH_OP_UMOUNT2, GH_OP_OPEN_TREE, GH_OP_OPEN_TREE_ATTR,
	GH_OP_MOVE_MOUNT, GH_OP_FSOPEN, GH_OP_FSMOUNT, GH_OP_FSCONFIG,
	GH_OP_FSPICK, GH_OP_MOUNT_SETATTR,
	GH_OP_UNSHARE, GH_OP_SETNS, GH_OP_CLONE, GH_OP_CLONE3,
	GH_OP_SETUID, GH_OP_SETGID, GH_OP_SETREUID, GH_OP_SETREGID,
	GH_OP_SETRESUID, GH_OP_SETRESGID, GH_OP_SETFSUID, GH_OP_SETFSGID,
	GH_OP_SETGROUPS, GH_OP_CAPSET,
	GH_OP_PTRACE, GH_OP_PROCESS_VM_READV, GH_OP_PROCESS_VM_WRITEV,
	GH_OP_PIDFD_OPEN, GH_OP_PIDFD_GETFD, GH_OP_PIDFD_SEND_SIGNAL,
	GH_OP_KILL, GH_OP_TKILL, GH_OP_TGKILL, GH_OP_RT_SIGQUEUEINFO,
	GH_OP_RT_TGSIGQUEUEINFO,
	GH_OP_SOCKET, GH_OP_BPF,
	GH_OP_GENERIC,	/* recorded as a "syscall" record: name and arguments */
	GH_OP_IOCTL,	/* only the ioctls that push input into a terminal
			 * (TIOCSTI, TIOCLINUX paste): a "tty_inject" record */
	GH_OP_RECVMSG, GH_OP_RECVMMSG,	/* only with a control buffer: one
			 * "fd_received" record per descriptor received
			 * (SCM_RIGHTS), arg[0] the socket, ret the new fd */
	GH_OP_SETOWN,	/* fcntl F_SETOWN, F_SETOWN_EX, F_SETSIG and ioctl
			 * FIOSETOWN, SIOCSPGRP: the process the kernel will
			 * signal on the file's I/O, a "signal" record (x[0]
			 * target, x[1] where, arg[3] the signal) */
	GH_OP_MMAP, GH_OP_MPROTECT,	/* only with PROT_EXEC, of a file: a
			 * "map_exec" record (mprotect: arg[3] the mapping's
			 * struct file, read at entry) */
	GH_OP_MAX
};

/* Blob slots. */
enum {
	GH_B_RAW1 = 0,	/* first path argument as passed; exec: argv */
	GH_B_PATH1,	/* kernel path: of the result (FULL) or of the base
			 * directory raw1 is relative to (BASE); exec: exe */
	GH_B_RAW2,	/* second path argument (rename/link new name,
			 * symlink target) */
	GH_B_PATH2,	/* base directory of raw2; exec: cwd */
	GH_B_EXTRA,	/* sockaddr bytes; failed exec: argv */
	GH_B_SEEN1,	/* path1 as the task sees it, when that may differ
			 * from the host's view (chroot, mount namespace) */
	GH_B_SEEN2,	/* path2 as the task sees it */
	GH_NBLOB
};

/* Blob flags (gh_event.bflags[slot]). */
enum {
	GH_BF_PRESENT = 1,	/* the blob was captured */
	GH_BF_FULL = 2,		/* a path blob is the object's own path */
	GH_BF_BASE = 4,		/* a path blob is the base of a relative name */
	GH_BF_TRUNC = 8,	/* cut at a length or component limit */
	GH_BF_FAULT = 16,	/* user or kernel memory could not be read */
	GH_BF_UNRES = 32,	/* a kernel path that does not reach the root:
				 * the components up to a detached or private
				 * mount, or a file of no directory, then the
				 * filesystem type as the last component */
	GH_BF_OBJ = 64,		/* with UNRES: a file of no directory (memfd,
				 * pipe, socket, anon inode): its name, then
				 * the filesystem type */
};

/* Record flags (gh_event.flags). */
enum {
	GH_EVF_SOCK = 1,	/* family/sock_type/proto were read from a socket */
	GH_EVF_ADDR = 2,	/* the syscall carried an address (send*) */
	GH_EVF_URING = 4,	/* the action came through io_uring */
	GH_EVF_TARGET = 8,	/* x[0]: a target process, x[1]: GH_TREE_* */
	GH_EVF_PATH_CHANGED = 16,	/* a name argument read at syscall exit
					 * is not the one read at entry */
	GH_EVF_INHERITED = 32,	/* a send on a socket the command inherited:
				 * the address is the socket's peer */
	GH_EVF_FIXED = 64,	/* io_uring: the op's fd is a fixed file's
				 * index (its socket is read at completion) */
};

/* Channels that were used but not decoded: each makes the run partial
 * (index into gh_run.part; gh-receipt(5) names them). */
enum {
	GH_PART_COMPAT = 0,	/* a 32-bit (ia32 or x32) syscall */
	GH_PART_BPF,		/* bpf() from the traced tree */
	GH_PART_URING,		/* an io_uring operation not decoded */
	GH_PART_FOREIGN,	/* control of a process outside the tree */
	GH_PART_PATH_CHANGED,	/* a name argument changed during its syscall */
	GH_PART_SCM,		/* descriptors received (SCM_RIGHTS) that were
				 * not all read: control data cut (MSG_CTRUNC),
				 * unreadable, or beyond the limits */
	GH_PART_UNWATCHED,	/* a socket received (SCM_RIGHTS) when every
				 * slot of inh_cookie was taken */
	GH_PART_SECCOMP,	/* a seccomp filter with a listener: another
				 * process may answer the tree's syscalls */
	GH_PART_NETLINK,	/* a netlink send that may change the kernel's
				 * configuration (addresses, routes, links,
				 * firewall...), or whose messages were not
				 * read: see nl_send */
	GH_PART_MAX
};

/* The target of a signal or of process control (gh_event.x[1]). */
enum {
	GH_TREE_NO = 0,		/* a process outside the traced tree */
	GH_TREE_YES = 1,	/* a process of the same run */
	GH_TREE_GROUP = 2,	/* a process group or every process */
	GH_TREE_UNKNOWN = 3,	/* not known (gh-trace in a PID namespace) */
};

/* Loss counters (index into gh_run.lost). */
enum {
	GH_LOST_RINGBUF = 0,	/* record dropped: ring buffer or stash full */
	GH_LOST_FAULT,		/* record with unreadable user memory */
	GH_LOST_TRUNC,		/* record with a truncated path or argv */
	GH_LOST_MAX
};

/* Runs. Every gh-trace run has its own ring buffer (made for it, or
 * reused from a pool of kept ones) and a run id: the kernel's id of a map
 * made for the run (its new ring buffer, or a one-entry map made only for
 * the id). The kernel hands map ids out cyclically over 2^31 values, so
 * an id is not seen again while stale state of an earlier run could still
 * name it. Records carry their run id: a reused ring buffer may still get
 * records of a run that was killed, and its reader drops them.
 *
 * The programs find a process's run in "traced" (tgid -> run id), its
 * settings and loss counters in "runs" (run id -> struct gh_run) and the
 * run's ring buffer in "rings" (the ring buffer's map id, gh_run.ring ->
 * ring buffer). Ring buffers of the pool stay in "rings" between runs: a
 * change to a map of maps waits for an RCU grace period (milliseconds).
 * A traced process whose run is gone from "runs" belongs to a finished
 * or killed run: it is dropped from the traced set and reported nowhere. */
#define GH_RUNS_MAX	1024
#define GH_INH_MAX	16	/* inherited sockets watched per run */

/* A member of the traced set (the value in "traced", keyed by tgid in the
 * initial PID namespace). Records give process ids as the run's gh-trace
 * sees them: at the level of its PID namespace (0: the initial one). */
struct gh_member {
	__u32 run;		/* the run the process belongs to */
	__u32 level;		/* PID namespace level of the run's gh-trace */
	__u32 pid;		/* the process's tgid at that level */
	__u32 pad;
};

/* gh-trace announces itself with prctl(GH_HELLO, run, cookie): sys_enter
 * then puts the caller into the run's traced set, wherever its PID
 * namespace is, and notes its tgid and level in the run. The cookie is a
 * random number in the run's entry, which only gh-trace can read; an
 * unknown prctl option fails with EINVAL and does nothing else. */
#define GH_HELLO	0x47486865	/* "GHhe" */
#define GH_NR_PRCTL	157		/* x86_64 */
#define GH_NR_SECCOMP	317		/* x86_64 */

struct gh_run {
	__u64 lost[GH_LOST_MAX];	/* counted by the programs (atomic adds) */
	__u64 part[GH_PART_MAX];	/* channels used but not decoded */
	__u64 uring_ops[4];		/* bit N: io_uring opcode N not decoded */
	__u32 argv_limit;		/* bytes of argv kept per exec */
	__u32 owner;			/* pid of the gh-trace owning the run */
	__u64 owner_start;		/* its start time, in clock ticks after
					 * boot (/proc/PID/stat field 22) */
	__u64 cookie;			/* set by gh-trace, checked by GH_HELLO,
					 * which clears it: one announce a run */
	__u32 self;			/* set by GH_HELLO: gh-trace's tgid in the
					 * initial PID namespace (0: not yet) */
	__u32 level;			/* set by GH_HELLO: its namespace level */
	struct gh_member outer;		/* set by GH_HELLO: gh-trace's own entry
					 * in the traced set before, if any */
	__u32 ring;			/* its ring buffer's key in "rings" */
	__u32 pad2;
	/* sockets the command inherits (their socket cookies, SO_COOKIE,
	 * and the descriptor number the command got): sends on them are
	 * recorded with the socket's peer */
	__u64 inh_cookie[GH_INH_MAX];
	__u32 inh_fd[GH_INH_MAX];
	__u32 pgrp;			/* gh-trace's process group, as it sees
					 * it (a stop sent to it reaches it) */
	__u32 pad3;
};

/* Tallies: the loss and "not decoded" counters again, where no bpf(2)
 * caller can lower them. A root command of the tree can rewrite its run's
 * entry in "runs" (and take itself out of the traced set) through bpf(2);
 * the programs also count into "tally", an array that gh-trace freezes
 * (BPF_MAP_FREEZE) once it is loaded: from then on only the programs
 * write it, and only by atomic adds. A run counts into slot run %
 * GH_TALLY_SLOTS; gh-trace reads the slot when the run starts and when it
 * ends, and reports the larger of the difference and the run's entry.
 * Two runs at once whose ids share a slot count into each other's
 * differences: more, never less. The bpf() call of a traced process is
 * counted in sys_enter, before it can act. */
#define GH_TALLY_SLOTS	8192
enum {
	GH_TALLY_LOST = 0,			/* lost[GH_LOST_MAX] */
	GH_TALLY_PART = GH_LOST_MAX,		/* part[GH_PART_MAX] */
	GH_TALLY_MAX = GH_LOST_MAX + GH_PART_MAX
};

struct gh_tally {
	__u64 n[GH_TALLY_MAX];
};

/* Limits. A blob of a user string holds at most GH_STR_MAX bytes; a
 * kernel path at most GH_PATH_MAX bytes of components; argv at most
 * GH_ARGV_MAX (the load-time limit may be lower). GH_HALF bounds every
 * single write into the scratch record (offsets are masked with
 * GH_HALF - 1 inside a data area of twice that). */
#define GH_STR_MAX	4096
#define GH_PATH_MAX	4096
#define GH_PATH_DEPTH	2048	/* components of a PATH_MAX path */
#define GH_WALK_STEPS	(2 * GH_PATH_DEPTH + 256)	/* two walks and
					 * a look for the host's mount */
#define GH_ARGV_MAX	(GH_HALF - 1)
#define GH_ADDR_MAX	128
#define GH_NL_MAX	8	/* netlink message types kept per send */
#define GH_HALF		65536
#define GH_DATA_MAX	(2 * GH_HALF)

struct gh_event {
	__u16 type;		/* GH_EV_* */
	__u16 op;		/* GH_OP_* for GH_EV_SYS */
	__u32 size;		/* bytes of this record, struct included */
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;		/* tgid of the real parent */
	__u32 flags;		/* GH_EVF_* */
	__s64 ret;		/* syscall return value */
	__u64 arg[6];		/* syscall arguments as passed */
	__u64 x[2];		/* per op: openat2 flags/mode; exit: code;
				 * exec: old pid; sendmmsg: bytes */
	__u32 uid, gid;		/* exec: effective ids after the exec */
	__u32 argc;		/* exec: argument count */
	__u32 argv_bytes;	/* exec: original argv length, NULs included */
	__u16 family;		/* socket: address family (AF_*) */
	__u16 sock_type;	/* socket: SOCK_* */
	__u16 proto;		/* socket: IPPROTO_* (0 for unix) */
	__u8 bflags[GH_NBLOB];
	__u8 pad[1];
	__u32 boff[GH_NBLOB];
	__u32 blen[GH_NBLOB];
	__u32 run;		/* the run the record is for */
	__u32 nr;		/* GH_EV_SYS: x86_64 syscall number; with
				 * GH_EVF_URING: the io_uring opcode */
};


/* ---- Sockets: final connect results, bytes, DNS payloads ----
 *
 * TCP sockets that a traced process connects, and inet sockets it sends
 * or receives on, have an entry in "socks" (keyed by the kernel's struct
 * sock pointer) that counts their bytes in the kernel. A GH_EV_SOCK
 * record reports an entry when its socket closes (or changes peer); the
 * entries still there when the run ends are read and reported by
 * gh-trace. A connect record names its entry's id (GH_EVF_SOCKID, x[1]). */
enum {
	GH_EV_SOCK = 20,	/* a socket's end: struct gh_sock's facts */
	GH_EV_DNS = 21,		/* a DNS message sent or received */
};

#define GH_EVF_SOCKID	0x100	/* connect: x[1] is the socket's id */
#define GH_EVF_LOADER	0x200	/* exec: a position-independent program
				 * with no interpreter: the dynamic loader
				 * run as a program, or a static-pie one */
#define GH_DNS_MAX	512	/* bytes of a DNS payload piece kept */
#define GH_DNS_PER_SOCK	64	/* DNS records per socket, at most */

/* gh_sock.flags */
enum {
	GH_SKF_CONNECT = 1,	/* made by connect(2): result is its outcome */
	GH_SKF_DNS = 2,		/* messages to or from port 53 went through */
	GH_SKF_INCALL = 4,	/* its connect(2) has not returned yet */
	GH_SKF_CLOSED = 8,	/* reported closed (kept for INCALL) */
	GH_SKF_PEER = 16,	/* family, port and addr name a peer */
	GH_SKF_FLUSHED = 32,	/* reported at the end of its run */
};

struct gh_sock {
	__u32 run;
	__u32 pid;		/* the process that made the entry (run's ids) */
	__u32 id;		/* the run's number for the socket */
	__u32 flags;		/* GH_SKF_* */
	__s32 result;		/* connect: 0, -errno, -EINPROGRESS: unknown */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port;		/* the peer's port, network order */
	__u16 ndns;		/* DNS records made */
	__u32 ino;		/* the socket's inode number */
	__u8 addr[16];		/* the peer: IPv4 in the first 4 bytes */
	__u64 sent, received;	/* payload bytes */
};

/* A GH_EV_SOCK record: pid, arg[0] the id, ret the connect result, x[0]
 * and x[1] bytes sent and received, family and proto, arg[1] the flags,
 * and the peer as a struct sockaddr in GH_B_EXTRA (when GH_SKF_PEER).
 * A GH_EV_DNS record: pid and tid, arg[0] the socket's id, x[0] 0 for a
 * message sent, 1 received, family and proto, the payload in GH_B_RAW2
 * (GH_BF_TRUNC when cut), the peer in GH_B_EXTRA when known. */

#endif
