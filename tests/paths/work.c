/* Workloads of tests/paths.bats: ways a traced command can reach a file
 * under a name other than the host's, as an unprivileged user with a user
 * namespace of its own.
 *
 *   work chroot DIR NAME NEW     in DIR as root directory: read NAME,
 *                                create NEW
 *   work bind SRC DST NAME       bind-mount SRC over DST in a mount
 *                                namespace of its own, read DST/NAME
 *   work tree DIR NAME           open_tree(OPEN_TREE_CLONE) of DIR, read
 *                                NAME through /proc/self/fd/N
 *   work memfd NAME EXE [ARG...] copy EXE into a memfd called NAME and
 *                                fexecve it
 *   work read PATH               read PATH
 *   work truncate PATH           truncate(2) PATH to 0 bytes
 *   work meta PATH               setxattr(2) user.gh and utimensat(2) on
 *                                PATH by name
 *   work fds PATH                the same and fchmod, ftruncate on a
 *                                descriptor of PATH (the kernel's path)
 *   work direct PATH             read PATH opened by io_uring into a
 *                                fixed slot (a direct descriptor)
 *   work mounts DIR              clone(CLONE_NEWUSER) a child that exits;
 *                                then in user and mount namespaces of its
 *                                own: a tmpfs made by fsopen, fsconfig,
 *                                fsmount and move_mount onto DIR,
 *                                pivot_root into it, umount2 of the old
 *                                root, setns back into the first user
 *                                namespace (refused)
 *
 * Each mode exits 0 when it could do its part, 1 (with a message) when it
 * could not. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <liburing.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#include <signal.h>
#include <sys/wait.h>
#define GH_FSCONFIG_CMD_CREATE 6
#define GH_MOVE_MOUNT_F_EMPTY_PATH 0x00000004

extern char **environ;

static int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

static int put(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A user namespace where this process is root (and, with ns, a mount
 * namespace of its own). */
static int userns(int ns)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | ns) < 0)
		return die("unshare");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (put("/proc/self/setgroups", "deny") < 0 ||
	    put("/proc/self/uid_map", map) < 0)
		return die("uid_map");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (put("/proc/self/gid_map", map) < 0)
		return die("gid_map");
	return 0;
}

static int readfile(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return die(path);
	if (read(fd, buf, sizeof(buf)) < 0)
		return die("read");
	close(fd);
	return 0;
}

static int jail(const char *dir, const char *name, const char *new)
{
	int fd;

	if (userns(0) || chroot(dir) < 0 || chdir("/") < 0)
		return die("chroot");
	if (readfile(name))
		return 1;
	fd = open(new, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return die(new);
	close(fd);
	return 0;
}

static int bindmount(const char *src, const char *dst, const char *name)
{
	char path[4096];

	if (userns(CLONE_NEWNS))
		return 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return die("mount");
	snprintf(path, sizeof(path), "%s/%s", dst, name);
	return readfile(path);
}

static int mounts(const char *dir)
{
	char old[4096];
	int fs, m, ns, st;
	long pid;

	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		return die("clone");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &st, 0) < 0)
		return die("waitpid");
	ns = open("/proc/self/ns/user", O_RDONLY);
	if (ns < 0)
		return die("ns");
	if (userns(CLONE_NEWNS))
		return 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return die("mount");
	fs = syscall(SYS_fsopen, "tmpfs", 0);
	if (fs < 0 || syscall(SYS_fsconfig, fs, GH_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return die("fsopen");
	m = syscall(SYS_fsmount, fs, 0, 0);
	if (m < 0 || syscall(SYS_move_mount, m, "", AT_FDCWD, dir,
			     GH_MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return die("fsmount");
	snprintf(old, sizeof(old), "%s/old", dir);
	if (mkdir(old, 0700) < 0 || syscall(SYS_pivot_root, dir, old) < 0 ||
	    chdir("/") < 0 || umount2("/old", MNT_DETACH) < 0)
		return die("pivot_root");
	/* back into the first user namespace: not allowed from a child one */
	if (setns(ns, CLONE_NEWUSER) == 0)
		return die("setns succeeded");
	return 0;
}

static int tree(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	if (userns(CLONE_NEWNS))
		return 1;
	fd = syscall(SYS_open_tree, AT_FDCWD, dir, OPEN_TREE_CLONE | O_CLOEXEC);
	if (fd < 0)
		return die("open_tree");
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", fd, name);
	return readfile(path);
}

static int memexec(const char *name, const char *exe, char **argv)
{
	struct stat st;
	int in, fd;

	fd = memfd_create(name, 0);
	in = open(exe, O_RDONLY);
	if (fd < 0 || in < 0 || fstat(in, &st) < 0)
		return die("memfd");
	if (sendfile(fd, in, NULL, st.st_size) != st.st_size)
		return die("sendfile");
	close(in);
	fexecve(fd, argv, environ);
	return die("fexecve");
}

static int meta(const char *path)
{
	if (setxattr(path, "user.gh", "v", 1, 0) < 0)
		return die("setxattr");
	return utimensat(AT_FDCWD, path, NULL, 0) < 0 ? die("utimensat") : 0;
}

static int fds(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return die(path);
	if (fchmod(fd, 0644) < 0 || ftruncate(fd, 0) < 0 ||
	    fsetxattr(fd, "user.gh", "v", 1, 0) < 0 || futimens(fd, NULL) < 0)
		return die("fd call");
	close(fd);
	return 0;
}

static int direct(const char *path)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	char buf[256];
	int slot = -1, res;

	if (io_uring_queue_init(4, &ring, 0) < 0 ||
	    io_uring_register_files(&ring, &slot, 1) < 0)
		return die("io_uring");
	io_uring_prep_openat_direct(io_uring_get_sqe(&ring), AT_FDCWD, path,
				    O_RDONLY, 0, 0);
	if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe) < 0)
		return die("io_uring_submit");
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (res < 0) {
		errno = -res;
		return die(path);
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe) < 0)
		return die("io_uring_submit");
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (res < 0) {
		errno = -res;
		return die("read");
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (strcmp(m, "chroot") == 0 && argc == 5)
		return jail(argv[2], argv[3], argv[4]);
	if (strcmp(m, "bind") == 0 && argc == 5)
		return bindmount(argv[2], argv[3], argv[4]);
	if (strcmp(m, "tree") == 0 && argc == 4)
		return tree(argv[2], argv[3]);
	if (strcmp(m, "memfd") == 0 && argc >= 4)
		return memexec(argv[2], argv[3], argv + 3);
	if (strcmp(m, "read") == 0 && argc == 3)
		return readfile(argv[2]);
	if (strcmp(m, "truncate") == 0 && argc == 3)
		return truncate(argv[2], 0) < 0 ? die(argv[2]) : 0;
	if (strcmp(m, "meta") == 0 && argc == 3)
		return meta(argv[2]);
	if (strcmp(m, "mounts") == 0 && argc == 3)
		return mounts(argv[2]);
	if (strcmp(m, "fds") == 0 && argc == 3)
		return fds(argv[2]);
	if (strcmp(m, "direct") == 0 && argc == 3)
		return direct(argv[2]);
	fprintf(stderr, "usage: work chroot|bind|tree|memfd|read|truncate|meta|fds|direct|mounts ARG...\n");
	return 2;
}
