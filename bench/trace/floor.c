/* bench/trace/floor's measuring program: what an empty program on each
 * kind of syscall hook costs a getppid(2) of a process it does not trace,
 * and what attaching and detaching it costs.
 *
 *   floor N ROUNDS   prints, per mode, the median CPU ns per getppid of
 *                    a child making N calls, and the median attach and
 *                    detach times, the modes in a rotating order in
 *                    every round:
 *     none      nothing attached
 *     btf-pair  tp_btf/sys_enter and tp_btf/sys_exit (gh-trace's hooks)
 *     btf-exit  tp_btf/sys_exit alone
 *     tp-pair   syscalls/sys_enter_openat and sys_exit_openat: a
 *               per-syscall tracepoint, on a syscall the loop never makes
 *   floor -m N       attaches the per-syscall programs to the enter and
 *                    exit tracepoints of N syscalls gh-trace records and
 *                    prints the attach and detach times (once: detaching
 *                    takes long).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"

enum { NONE, BTF_PAIR, BTF_EXIT, TP_PAIR, NMODES };
static const char *const mode_name[NMODES] = { "none", "btf-pair", "btf-exit",
					       "tp-pair" };
static const char *const recorded[] = {
	"openat", "open", "creat", "openat2", "unlinkat", "unlink", "rename",
	"renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "chmod",
	"fchmodat", "chown", "fchownat", "lchown", "truncate", "link",
	"linkat", "symlink", "symlinkat", "chdir", "chroot", "execve",
	"execveat", "connect", "bind", "listen", "accept", "accept4", "sendto",
	"sendmsg", "mount", "umount", "setxattr", "lsetxattr", "fsetxattr",
	"utimensat", "mknod", "mknodat", "open_by_handle_at", "ftruncate",
	"fchmod", "fchown", "kill", "tgkill", "ptrace", "clone", "clone3",
	"unshare", "setns", "setuid", "setgid", "setresuid", "setresgid",
	"capset", "pivot_root", "memfd_create", "socket",
};
#define NRECORDED (sizeof(recorded) / sizeof(recorded[0]))

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* CPU ns per getppid of a child making n calls. */
static double per_call(long n)
{
	struct rusage ru;
	pid_t p = fork();
	int st;

	if (p == 0) {
		for (long i = 0; i < n; i++)
			getppid();
		_exit(0);
	}
	if (p < 0 || wait4(p, &st, 0, &ru) < 0)
		return -1;
	return ((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3) / n;
}

static int attach(struct floor_bpf *s, int mode, struct bpf_link **l)
{
	l[0] = l[1] = NULL;
	switch (mode) {
	case BTF_PAIR:
		l[1] = bpf_program__attach(s->progs.btf_enter);
		/* fall through */
	case BTF_EXIT:
		l[0] = bpf_program__attach(s->progs.btf_exit);
		break;
	case TP_PAIR:
		l[0] = bpf_program__attach_tracepoint(s->progs.tp_enter, "syscalls",
						      "sys_enter_openat");
		l[1] = bpf_program__attach_tracepoint(s->progs.tp_exit, "syscalls",
						      "sys_exit_openat");
		break;
	}
	if ((mode != NONE && !l[0]) || ((mode == BTF_PAIR || mode == TP_PAIR) && !l[1]))
		return -1;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(n - 1) / 2];
}

static int many(struct floor_bpf *s, int n)
{
	struct bpf_link *l[2 * NRECORDED];
	char name[64];
	double t0, t1, t2;
	int k = 0, i;

	if (n > (int)NRECORDED)
		n = NRECORDED;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "sys_enter_%s", recorded[i]);
		l[k] = bpf_program__attach_tracepoint(s->progs.tp_enter, "syscalls", name);
		if (l[k])
			k++;
		snprintf(name, sizeof(name), "sys_exit_%s", recorded[i]);
		l[k] = bpf_program__attach_tracepoint(s->progs.tp_exit, "syscalls", name);
		if (l[k])
			k++;
	}
	t1 = now_ms();
	for (i = 0; i < k; i++)
		bpf_link__destroy(l[i]);
	t2 = now_ms();
	printf("%d per-syscall tracepoints: attach %.1f ms, detach %.1f ms\n", k,
	       t1 - t0, t2 - t1);
	return 0;
}

int main(int argc, char **argv)
{
	static double ns[NMODES][64], at[NMODES][64], dt[NMODES][64];
	struct floor_bpf *s;
	struct bpf_link *l[2];
	long n;
	int rounds, r, k, m, i;
	double t0;

	if (argc != 3) {
		fprintf(stderr, "usage: floor N ROUNDS | floor -m N\n");
		return 2;
	}
	libbpf_set_print(NULL);
	s = floor_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "floor: cannot load the programs\n");
		return 1;
	}
	if (strcmp(argv[1], "-m") == 0)
		return many(s, atoi(argv[2]));
	n = atol(argv[1]);
	rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > 64 || n < 1) {
		fprintf(stderr, "floor: N >= 1, 1 <= ROUNDS <= 64\n");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NMODES; k++) {
			m = (r + k) % NMODES;
			t0 = now_ms();
			if (attach(s, m, l) < 0) {
				fprintf(stderr, "floor: %s: cannot attach\n", mode_name[m]);
				return 1;
			}
			at[m][r] = now_ms() - t0;
			ns[m][r] = per_call(n);
			t0 = now_ms();
			for (i = 0; i < 2; i++)
				bpf_link__destroy(l[i]);
			dt[m][r] = now_ms() - t0;
		}
	}
	for (m = 0; m < NMODES; m++)
		printf("%s %.1f %.2f %.2f\n", mode_name[m], median(ns[m], rounds),
		       median(at[m], rounds), median(dt[m], rounds));
	floor_bpf__destroy(s);
	return 0;
}
