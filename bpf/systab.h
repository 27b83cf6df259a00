/* The x86_64 syscall table of gh-trace: one row per syscall that can act
 * on anything outside the calling process (files, file metadata, other
 * processes, identity, namespaces and mounts, the network, the kernel, BPF
 * itself), and, apart, the list of those that cannot.
 *
 * Used by bpf/trace.bpf.c (the rows become an array indexed by number),
 * by gh-trace (names of syscalls in records) and by the unit test
 * tests/unit/test_systab.c, which fails when a syscall of the installed
 * <asm/unistd_64.h> is in neither list. gh-events(5) lists the classes.
 *
 * A row: X(number, name, class, op, path1, dir1, path2, dir2, fd, str, addr)
 *   class  REC   recorded: op is the GH_OP_* whose record it makes
 *          FD    acts only through a descriptor the process already has
 *                (read, write, mmap of a file...): the open, socket or
 *                accept that made the descriptor is recorded, this is not
 *          META  reads names, metadata or facts without changing them:
 *                not recorded
 *   path1, path2  argument index (0-5) of a path (or name) string, or N
 *   dir1, dir2    argument index of the directory fd that path is
 *                 relative to, C for the working directory, or N
 *   fd     argument index of a descriptor whose file the syscall acts on
 *   str    argument index of another string kept (xattr name, memfd name,
 *          file system type)
 *   addr   argument index of a struct sockaddr (its length follows)
 */
#ifndef GH_SYSTAB_H
#define GH_SYSTAB_H

#define GH_NR_MAX	512	/* table size: every x86_64 number is below */
#define GH_A_N		7	/* no such argument */
#define GH_A_C		6	/* relative to the working directory */

enum { GH_CL_NONE = 0, GH_CL_REC, GH_CL_FD, GH_CL_META };

/* Argument columns are written 0-5, N or C: GH_ARG(x) is their value. */
#define GH_A_0 0
#define GH_A_1 1
#define GH_A_2 2
#define GH_A_3 3
#define GH_A_4 4
#define GH_A_5 5
#define GH_ARG(x) GH_A_##x

/* 32-bit syscalls: made through the ia32 entry (the task's thread_info
 * status has TS_COMPAT) or with the x32 bit in the number. Their numbers
 * are another table's (i386 open is 5, x86_64 fstat): never looked up
 * here, they are counted and make the run partial (compat_syscall). */
#define GH_TS_COMPAT	0x0002
#define GH_X32_BIT	0x40000000

static inline int gh_sys_compat(unsigned long status, long nr)
{
	return (status & GH_TS_COMPAT) || (nr & GH_X32_BIT);
}

/* Shorthands: FD and META rows carry no op and no arguments; GEN rows
 * are recorded as "syscall" records (name and arguments):
 * GEN(number, name, pid, path1, dir1, path2, dir2, fd, str, addr), where
 * pid is the argument index of a process id (N: none), and a call whose
 * pid is 0 (the caller itself) is not recorded. */
#define GH_ROWS(X, FDR, META, GEN) \
	/* files: opening and creating */ \
	X(2, open, REC, OPEN, 0, C, N, N, N, N, N) \
	X(85, creat, REC, CREAT, 0, C, N, N, N, N, N) \
	X(257, openat, REC, OPENAT, 1, 0, N, N, N, N, N) \
	X(437, openat2, REC, OPENAT2, 1, 0, N, N, N, N, N) \
	X(304, open_by_handle_at, REC, OPEN_BY_HANDLE_AT, N, N, N, N, N, N, N) \
	X(303, name_to_handle_at, REC, NAME_TO_HANDLE_AT, 1, 0, N, N, 0, N, N) \
	X(319, memfd_create, REC, MEMFD_CREATE, N, N, N, N, N, 0, N) \
	X(133, mknod, REC, MKNOD, 0, C, N, N, N, N, N) \
	X(259, mknodat, REC, MKNODAT, 1, 0, N, N, N, N, N) \
	X(83, mkdir, REC, MKDIR, 0, C, N, N, N, N, N) \
	X(258, mkdirat, REC, MKDIRAT, 1, 0, N, N, N, N, N) \
	X(88, symlink, REC, SYMLINK, 1, C, 0, N, N, N, N) \
	X(266, symlinkat, REC, SYMLINKAT, 2, 1, 0, N, N, N, N) \
	X(86, link, REC, LINK, 0, C, 1, C, N, N, N) \
	X(265, linkat, REC, LINKAT, 1, 0, 3, 2, N, N, N) \
	/* files: deleting and renaming */ \
	X(87, unlink, REC, UNLINK, 0, C, N, N, N, N, N) \
	X(263, unlinkat, REC, UNLINKAT, 1, 0, N, N, N, N, N) \
	X(84, rmdir, REC, RMDIR, 0, C, N, N, N, N, N) \
	X(82, rename, REC, RENAME, 0, C, 1, C, N, N, N) \
	X(264, renameat, REC, RENAMEAT, 1, 0, 3, 2, N, N, N) \
	X(316, renameat2, REC, RENAMEAT2, 1, 0, 3, 2, N, N, N) \
	/* file metadata */ \
	X(90, chmod, REC, CHMOD, 0, C, N, N, N, N, N) \
	X(91, fchmod, REC, FCHMOD, N, N, N, N, 0, N, N) \
	X(268, fchmodat, REC, FCHMODAT, 1, 0, N, N, N, N, N) \
	X(452, fchmodat2, REC, FCHMODAT2, 1, 0, N, N, N, N, N) \
	X(92, chown, REC, CHOWN, 0, C, N, N, N, N, N) \
	X(94, lchown, REC, LCHOWN, 0, C, N, N, N, N, N) \
	X(93, fchown, REC, FCHOWN, N, N, N, N, 0, N, N) \
	X(260, fchownat, REC, FCHOWNAT, 1, 0, N, N, N, N, N) \
	X(76, truncate, REC, TRUNCATE, 0, C, N, N, N, N, N) \
	X(77, ftruncate, REC, FTRUNCATE, N, N, N, N, 0, N, N) \
	X(188, setxattr, REC, SETXATTR, 0, C, N, N, N, 1, N) \
	X(189, lsetxattr, REC, LSETXATTR, 0, C, N, N, N, 1, N) \
	X(190, fsetxattr, REC, FSETXATTR, N, N, N, N, 0, 1, N) \
	X(463, setxattrat, REC, SETXATTRAT, 1, 0, N, N, 0, 3, N) \
	X(197, removexattr, REC, REMOVEXATTR, 0, C, N, N, N, 1, N) \
	X(198, lremovexattr, REC, LREMOVEXATTR, 0, C, N, N, N, 1, N) \
	X(199, fremovexattr, REC, FREMOVEXATTR, N, N, N, N, 0, 1, N) \
	X(466, removexattrat, REC, REMOVEXATTRAT, 1, 0, N, N, 0, 3, N) \
	X(132, utime, REC, UTIME, 0, C, N, N, N, N, N) \
	X(235, utimes, REC, UTIMES, 0, C, N, N, N, N, N) \
	X(261, futimesat, REC, FUTIMESAT, 1, 0, N, N, N, N, N) \
	X(280, utimensat, REC, UTIMENSAT, 1, 0, N, N, 0, N, N) \
	GEN(469, file_setattr, N, 1, 0, N, N, N, N, N) \
	/* working directory and root */ \
	X(80, chdir, REC, CHDIR, 0, C, N, N, N, N, N) \
	X(81, fchdir, REC, FCHDIR, N, N, N, N, 0, N, N) \
	X(161, chroot, REC, CHROOT, 0, C, N, N, N, N, N) \
	X(155, pivot_root, REC, PIVOT_ROOT, 0, C, 1, C, N, N, N) \
	/* mounts */ \
	X(165, mount, REC, MOUNT, 1, C, 0, C, N, 2, N) \
	X(166, umount2, REC, UMOUNT2, 0, C, N, N, N, N, N) \
	X(428, open_tree, REC, OPEN_TREE, 1, 0, N, N, N, N, N) \
	X(467, open_tree_attr, REC, OPEN_TREE_ATTR, 1, 0, N, N, N, N, N) \
	X(429, move_mount, REC, MOVE_MOUNT, 1, 0, 3, 2, N, N, N) \
	X(430, fsopen, REC, FSOPEN, N, N, N, N, N, 0, N) \
	X(432, fsmount, REC, FSMOUNT, N, N, N, N, N, N, N) \
	X(431, fsconfig, REC, FSCONFIG, N, N, N, N, N, 2, N) \
	X(433, fspick, REC, FSPICK, 1, 0, N, N, N, N, N) \
	X(442, mount_setattr, REC, MOUNT_SETATTR, 1, 0, N, N, N, N, N) \
	/* programs */ \
	X(59, execve, REC, EXECVE, 0, C, N, N, N, N, N) \
	X(322, execveat, REC, EXECVEAT, 1, 0, N, N, N, N, N) \
	GEN(134, uselib, N, 0, C, N, N, N, N, N) \
	/* namespaces */ \
	X(272, unshare, REC, UNSHARE, N, N, N, N, N, N, N) \
	X(308, setns, REC, SETNS, N, N, N, N, 0, N, N) \
	X(56, clone, REC, CLONE, N, N, N, N, N, N, N) \
	X(435, clone3, REC, CLONE3, N, N, N, N, N, N, N) \
	/* identity */ \
	X(105, setuid, REC, SETUID, N, N, N, N, N, N, N) \
	X(106, setgid, REC, SETGID, N, N, N, N, N, N, N) \
	X(113, setreuid, REC, SETREUID, N, N, N, N, N, N, N) \
	X(114, setregid, REC, SETREGID, N, N, N, N, N, N, N) \
	X(117, setresuid, REC, SETRESUID, N, N, N, N, N, N, N) \
	X(119, setresgid, REC, SETRESGID, N, N, N, N, N, N, N) \
	X(122, setfsuid, REC, SETFSUID, N, N, N, N, N, N, N) \
	X(123, setfsgid, REC, SETFSGID, N, N, N, N, N, N, N) \
	X(116, setgroups, REC, SETGROUPS, N, N, N, N, N, N, N) \
	X(126, capset, REC, CAPSET, N, N, N, N, N, N, N) \
	/* other processes */ \
	X(101, ptrace, REC, PTRACE, N, N, N, N, N, N, N) \
	X(310, process_vm_readv, REC, PROCESS_VM_READV, N, N, N, N, N, N, N) \
	X(311, process_vm_writev, REC, PROCESS_VM_WRITEV, N, N, N, N, N, N, N) \
	X(434, pidfd_open, REC, PIDFD_OPEN, N, N, N, N, N, N, N) \
	X(438, pidfd_getfd, REC, PIDFD_GETFD, N, N, N, N, N, N, N) \
	X(424, pidfd_send_signal, REC, PIDFD_SEND_SIGNAL, N, N, N, N, N, N, N) \
	X(62, kill, REC, KILL, N, N, N, N, N, N, N) \
	X(200, tkill, REC, TKILL, N, N, N, N, N, N, N) \
	X(234, tgkill, REC, TGKILL, N, N, N, N, N, N, N) \
	X(129, rt_sigqueueinfo, REC, RT_SIGQUEUEINFO, N, N, N, N, N, N, N) \
	X(297, rt_tgsigqueueinfo, REC, RT_TGSIGQUEUEINFO, N, N, N, N, N, N, N) \
	GEN(440, process_madvise, N, N, N, N, N, N, N, N) \
	GEN(448, process_mrelease, N, N, N, N, N, N, N, N) \
	GEN(256, migrate_pages, 0, N, N, N, N, N, N, N) \
	GEN(279, move_pages, 0, N, N, N, N, N, N, N) \
	GEN(109, setpgid, 0, N, N, N, N, N, N, N) \
	GEN(141, setpriority, 1, N, N, N, N, N, N, N) \
	GEN(142, sched_setparam, 0, N, N, N, N, N, N, N) \
	GEN(144, sched_setscheduler, 0, N, N, N, N, N, N, N) \
	GEN(203, sched_setaffinity, 0, N, N, N, N, N, N, N) \
	GEN(314, sched_setattr, 0, N, N, N, N, N, N, N) \
	GEN(251, ioprio_set, 1, N, N, N, N, N, N, N) \
	GEN(302, prlimit64, 0, N, N, N, N, N, N, N) \
	GEN(298, perf_event_open, 1, N, N, N, N, N, N, N) \
	/* network */ \
	X(41, socket, REC, SOCKET, N, N, N, N, N, N, N) \
	X(42, connect, REC, CONNECT, N, N, N, N, 0, N, 1) \
	X(49, bind, REC, BIND, N, N, N, N, 0, N, 1) \
	X(50, listen, REC, LISTEN, N, N, N, N, 0, N, N) \
	X(43, accept, REC, ACCEPT, N, N, N, N, 0, N, N) \
	X(288, accept4, REC, ACCEPT4, N, N, N, N, 0, N, N) \
	X(44, sendto, REC, SENDTO, N, N, N, N, 0, N, 4) \
	X(46, sendmsg, REC, SENDMSG, N, N, N, N, 0, N, N) \
	X(307, sendmmsg, REC, SENDMMSG, N, N, N, N, 0, N, N) \
	/* BPF itself */ \
	X(321, bpf, REC, BPF, N, N, N, N, N, N, N) \
	/* System V and POSIX IPC: shared with processes outside the tree */ \
	GEN(29, shmget, N, N, N, N, N, N, N, N) \
	GEN(30, shmat, N, N, N, N, N, N, N, N) \
	GEN(31, shmctl, N, N, N, N, N, N, N, N) \
	GEN(64, semget, N, N, N, N, N, N, N, N) \
	GEN(65, semop, N, N, N, N, N, N, N, N) \
	GEN(66, semctl, N, N, N, N, N, N, N, N) \
	GEN(220, semtimedop, N, N, N, N, N, N, N, N) \
	GEN(68, msgget, N, N, N, N, N, N, N, N) \
	GEN(69, msgsnd, N, N, N, N, N, N, N, N) \
	GEN(70, msgrcv, N, N, N, N, N, N, N, N) \
	GEN(71, msgctl, N, N, N, N, N, N, N, N) \
	GEN(240, mq_open, N, 0, N, N, N, N, N, N) \
	GEN(241, mq_unlink, N, 0, N, N, N, N, N, N) \
	GEN(242, mq_timedsend, N, N, N, N, N, N, N, N) \
	GEN(243, mq_timedreceive, N, N, N, N, N, N, N, N) \
	GEN(244, mq_notify, N, N, N, N, N, N, N, N) \
	GEN(245, mq_getsetattr, N, N, N, N, N, N, N, N) \
	/* the machine: time, names, modules, swap, accounting, keys */ \
	GEN(159, adjtimex, N, N, N, N, N, N, N, N) \
	GEN(305, clock_adjtime, N, N, N, N, N, N, N, N) \
	GEN(164, settimeofday, N, N, N, N, N, N, N, N) \
	GEN(227, clock_settime, N, N, N, N, N, N, N, N) \
	GEN(170, sethostname, N, N, N, N, N, N, N, N) \
	GEN(171, setdomainname, N, N, N, N, N, N, N, N) \
	GEN(163, acct, N, 0, C, N, N, N, N, N) \
	GEN(167, swapon, N, 0, C, N, N, N, N, N) \
	GEN(168, swapoff, N, 0, C, N, N, N, N, N) \
	GEN(169, reboot, N, N, N, N, N, N, N, N) \
	GEN(175, init_module, N, N, N, N, N, N, N, N) \
	GEN(313, finit_module, N, N, N, N, N, 0, N, N) \
	GEN(176, delete_module, N, N, N, N, N, N, N, N) \
	GEN(246, kexec_load, N, N, N, N, N, N, N, N) \
	GEN(320, kexec_file_load, N, N, N, N, N, N, N, N) \
	GEN(179, quotactl, N, 1, C, N, N, N, N, N) \
	GEN(443, quotactl_fd, N, N, N, N, N, 0, N, N) \
	GEN(103, syslog, N, N, N, N, N, N, N, N) \
	GEN(153, vhangup, N, N, N, N, N, N, N, N) \
	GEN(172, iopl, N, N, N, N, N, N, N, N) \
	GEN(173, ioperm, N, N, N, N, N, N, N, N) \
	GEN(300, fanotify_init, N, N, N, N, N, N, N, N) \
	GEN(301, fanotify_mark, N, N, N, N, N, N, N, N) \
	GEN(248, add_key, N, N, N, N, N, N, 1, N) \
	GEN(249, request_key, N, N, N, N, N, N, 1, N) \
	GEN(250, keyctl, N, N, N, N, N, N, N, N) \
	GEN(162, sync, N, N, N, N, N, N, N, N) \
	GEN(306, syncfs, N, N, N, N, N, 0, N, N) \
	GEN(460, lsm_set_self_attr, N, N, N, N, N, N, N, N) \
	/* through descriptors, recorded only when they act outside the \
	 * process (decided at entry): ioctls that push input into a \
	 * terminal (TIOCSTI, TIOCLINUX paste), messages with a control \
	 * buffer (descriptors received, SCM_RIGHTS) */ \
	X(16, ioctl, REC, IOCTL, N, N, N, N, 0, N, N) \
	X(47, recvmsg, REC, RECVMSG, N, N, N, N, 0, N, N) \
	X(299, recvmmsg, REC, RECVMMSG, N, N, N, N, 0, N, N) \
	/* the owner of a file's I/O signals (F_SETOWN, F_SETOWN_EX, \
	 * F_SETSIG): a process the kernel signals later, any process */ \
	X(72, fcntl, REC, SETOWN, N, N, N, N, 0, N, N) \
	/* code of a file mapped executable (PROT_EXEC), which no exec \
	 * names: libraries, LD_PRELOAD, dlopen (decided at entry) */ \
	X(9, mmap, REC, MMAP, N, N, N, N, 4, N, N) \
	X(10, mprotect, REC, MPROTECT, N, N, N, N, N, N, N) \
	X(329, pkey_mprotect, REC, MPROTECT, N, N, N, N, N, N, N) \
	/* through descriptors the process has */ \
	FDR(0, read) FDR(1, write) FDR(17, pread64) FDR(18, pwrite64) \
	FDR(19, readv) FDR(20, writev) FDR(295, preadv) FDR(296, pwritev) \
	FDR(327, preadv2) FDR(328, pwritev2) \
	FDR(40, sendfile) FDR(45, recvfrom) \
	FDR(48, shutdown) FDR(54, setsockopt) FDR(73, flock) \
	FDR(74, fsync) FDR(75, fdatasync) FDR(187, readahead) \
	FDR(221, fadvise64) FDR(275, splice) FDR(276, tee) \
	FDR(277, sync_file_range) FDR(278, vmsplice) FDR(285, fallocate) \
	FDR(326, copy_file_range) FDR(209, io_submit) \
	FDR(426, io_uring_enter) FDR(425, io_uring_setup) \
	FDR(427, io_uring_register) FDR(233, epoll_ctl) \
	FDR(254, inotify_add_watch) FDR(26, msync) FDR(216, remap_file_pages) \
	FDR(451, cachestat) \
	/* names, metadata and facts, read only */ \
	META(4, stat) META(5, fstat) META(6, lstat) META(262, newfstatat) \
	META(332, statx) META(21, access) META(269, faccessat) \
	META(439, faccessat2) META(89, readlink) META(267, readlinkat) \
	META(78, getdents) META(217, getdents64) META(79, getcwd) \
	META(137, statfs) META(138, fstatfs) META(136, ustat) \
	META(191, getxattr) META(192, lgetxattr) META(193, fgetxattr) \
	META(194, listxattr) META(195, llistxattr) META(196, flistxattr) \
	META(464, getxattrat) META(465, listxattrat) META(468, file_getattr) \
	META(457, statmount) META(458, listmount) META(139, sysfs) \
	META(51, getsockname) META(52, getpeername) META(55, getsockopt) \
	META(312, kcmp) META(125, capget) META(99, sysinfo) META(63, uname) \
	META(121, getpgid) META(124, getsid) META(140, getpriority) \
	META(143, sched_getparam) META(145, sched_getscheduler) \
	META(204, sched_getaffinity) META(315, sched_getattr) \
	META(148, sched_rr_get_interval) META(252, ioprio_get) \
	META(239, get_mempolicy) META(212, lookup_dcookie) \
	META(459, lsm_get_self_attr) META(461, lsm_list_modules) \
	META(247, waitid) META(61, wait4)

/* What cannot act on anything outside the process (its own memory,
 * signals to itself, time, ids it reads, descriptors it makes that lead
 * nowhere yet), or does not exist in this kernel. */
#define GH_INERT(I) \
	/* descriptors: closing, duplicating, polling, seeking */ \
	I(3, close) I(436, close_range) I(32, dup) I(33, dup2) I(292, dup3) \
	I(8, lseek) I(7, poll) I(23, select) I(270, pselect6) I(271, ppoll) \
	I(213, epoll_create) I(291, epoll_create1) I(232, epoll_wait) \
	I(281, epoll_pwait) I(441, epoll_pwait2) \
	/* anonymous descriptors: pipes, events, timers, signals, inotify */ \
	I(22, pipe) I(293, pipe2) I(53, socketpair) I(284, eventfd) \
	I(290, eventfd2) I(282, signalfd) I(289, signalfd4) \
	I(283, timerfd_create) I(286, timerfd_settime) \
	I(287, timerfd_gettime) I(253, inotify_init) I(294, inotify_init1) \
	I(255, inotify_rm_watch) I(323, userfaultfd) I(447, memfd_secret) \
	/* asynchronous I/O contexts (io_submit acts through descriptors) */ \
	I(206, io_setup) I(207, io_destroy) I(208, io_getevents) \
	I(210, io_cancel) I(333, io_pgetevents) \
	/* memory of the process */ \
	I(11, munmap) I(12, brk) I(25, mremap) \
	I(27, mincore) I(28, madvise) I(67, shmdt) I(149, mlock) \
	I(150, munlock) I(151, mlockall) I(152, munlockall) I(325, mlock2) \
	I(237, mbind) I(238, set_mempolicy) I(450, set_mempolicy_home_node) \
	I(330, pkey_alloc) I(331, pkey_free) \
	I(324, membarrier) I(453, map_shadow_stack) I(462, mseal) \
	/* signals to itself, handlers, masks */ \
	I(13, rt_sigaction) I(14, rt_sigprocmask) I(15, rt_sigreturn) \
	I(127, rt_sigpending) I(128, rt_sigtimedwait) I(130, rt_sigsuspend) \
	I(131, sigaltstack) I(34, pause) \
	/* time and timers */ \
	I(35, nanosleep) I(230, clock_nanosleep) I(228, clock_gettime) \
	I(229, clock_getres) I(96, gettimeofday) I(201, time) \
	I(36, getitimer) I(37, alarm) I(38, setitimer) I(100, times) \
	I(222, timer_create) I(223, timer_settime) I(224, timer_gettime) \
	I(225, timer_getoverrun) I(226, timer_delete) \
	/* its own ids, limits and scheduling */ \
	I(39, getpid) I(110, getppid) I(186, gettid) I(102, getuid) \
	I(104, getgid) I(107, geteuid) I(108, getegid) I(115, getgroups) \
	I(118, getresuid) I(120, getresgid) I(111, getpgrp) I(112, setsid) \
	I(97, getrlimit) I(160, setrlimit) I(98, getrusage) I(95, umask) \
	I(24, sched_yield) I(146, sched_get_priority_max) \
	I(147, sched_get_priority_min) I(309, getcpu) I(318, getrandom) \
	I(135, personality) I(157, prctl) I(158, arch_prctl) \
	I(154, modify_ldt) I(205, set_thread_area) I(211, get_thread_area) \
	I(218, set_tid_address) I(273, set_robust_list) \
	I(274, get_robust_list) I(334, rseq) I(317, seccomp) \
	I(444, landlock_create_ruleset) I(445, landlock_add_rule) \
	I(446, landlock_restrict_self) \
	/* futexes: memory the process maps (shared mappings come from \
	 * recorded opens or IPC) */ \
	I(202, futex) I(449, futex_waitv) I(454, futex_wake) \
	I(455, futex_wait) I(456, futex_requeue) \
	/* processes: new ones join the traced tree; ending itself */ \
	I(57, fork) I(58, vfork) I(60, exit) I(231, exit_group) \
	I(219, restart_syscall) \
	/* uretprobe: entered only from the kernel's own return trampoline */ \
	I(335, uretprobe) \
	/* not implemented by Linux (ENOSYS) */ \
	I(156, _sysctl) I(174, create_module) I(177, get_kernel_syms) \
	I(178, query_module) I(180, nfsservctl) I(181, getpmsg) \
	I(182, putpmsg) I(183, afs_syscall) I(184, tuxcall) I(185, security) \
	I(214, epoll_ctl_old) I(215, epoll_wait_old) I(236, vserver)

/* io_uring operations, by opcode: U(opcode, name, class, op).
 *   REC   decoded into the record of its syscall twin (op), with
 *         "via": "io_uring"
 *   FD    acts only through descriptors (or makes ones that lead nowhere
 *         yet), as the syscalls of class FD: not recorded
 *   UND   acts on files, sockets or other rings but is not decoded: makes
 *         the run partial (io_uring_unsupported_op) with its opcode
 * Opcodes past the list (newer kernels) are UND. */
#define GH_URING_MAX	64
#define GH_URING(U) \
	U(0, NOP, FD, NONE) U(1, READV, FD, NONE) U(2, WRITEV, FD, NONE) \
	U(3, FSYNC, FD, NONE) U(4, READ_FIXED, FD, NONE) \
	U(5, WRITE_FIXED, FD, NONE) U(6, POLL_ADD, FD, NONE) \
	U(7, POLL_REMOVE, FD, NONE) U(8, SYNC_FILE_RANGE, FD, NONE) \
	U(9, SENDMSG, REC, SENDMSG) U(10, RECVMSG, FD, NONE) \
	U(11, TIMEOUT, FD, NONE) U(12, TIMEOUT_REMOVE, FD, NONE) \
	U(13, ACCEPT, REC, ACCEPT) U(14, ASYNC_CANCEL, FD, NONE) \
	U(15, LINK_TIMEOUT, FD, NONE) U(16, CONNECT, REC, CONNECT) \
	U(17, FALLOCATE, FD, NONE) U(18, OPENAT, REC, OPENAT) \
	U(19, CLOSE, FD, NONE) U(20, FILES_UPDATE, FD, NONE) \
	U(21, STATX, FD, NONE) U(22, READ, FD, NONE) U(23, WRITE, FD, NONE) \
	U(24, FADVISE, FD, NONE) U(25, MADVISE, FD, NONE) \
	U(26, SEND, REC, SENDMSG) U(27, RECV, FD, NONE) \
	U(28, OPENAT2, REC, OPENAT2) U(29, EPOLL_CTL, FD, NONE) \
	U(30, SPLICE, FD, NONE) U(31, PROVIDE_BUFFERS, FD, NONE) \
	U(32, REMOVE_BUFFERS, FD, NONE) U(33, TEE, FD, NONE) \
	U(34, SHUTDOWN, FD, NONE) U(35, RENAMEAT, REC, RENAMEAT2) \
	U(36, UNLINKAT, REC, UNLINKAT) U(37, MKDIRAT, REC, MKDIRAT) \
	U(38, SYMLINKAT, REC, SYMLINKAT) U(39, LINKAT, REC, LINKAT) \
	U(40, MSG_RING, UND, NONE) U(41, FSETXATTR, UND, NONE) \
	U(42, SETXATTR, UND, NONE) U(43, FGETXATTR, FD, NONE) \
	U(44, GETXATTR, FD, NONE) U(45, SOCKET, REC, SOCKET) \
	U(46, URING_CMD, UND, NONE) U(47, SEND_ZC, REC, SENDMSG) \
	U(48, SENDMSG_ZC, REC, SENDMSG) U(49, READ_MULTISHOT, FD, NONE) \
	U(50, WAITID, FD, NONE) U(51, FUTEX_WAIT, FD, NONE) \
	U(52, FUTEX_WAKE, FD, NONE) U(53, FUTEX_WAITV, FD, NONE) \
	U(54, FIXED_FD_INSTALL, FD, NONE) U(55, FTRUNCATE, UND, NONE) \
	U(56, BIND, UND, NONE) U(57, LISTEN, UND, NONE) \
	U(58, RECV_ZC, FD, NONE) U(59, EPOLL_WAIT, FD, NONE) \
	U(60, READV_FIXED, FD, NONE) U(61, WRITEV_FIXED, FD, NONE) \
	U(62, PIPE, FD, NONE)

enum { GH_UC_UND = 0, GH_UC_REC, GH_UC_FD };

#endif
