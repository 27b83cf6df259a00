/* Unit tests of bpf/systab.h, gh-trace's syscall table: every syscall of
 * the installed <asm/unistd_64.h> (or of the header named as the first
 * argument) is either a row of the table or on the list of syscalls that
 * cannot act outside the process, under its own name and number; 32-bit
 * syscalls are never looked up in the x86_64 table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bpf/systab.h"
#include "tap.h"

#define UNISTD_64 "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
#define UNISTD_32 "/usr/include/x86_64-linux-gnu/asm/unistd_32.h"

struct row {
	int nr, cls;
	const char *name;
	int args[7];	/* path1 dir1 path2 dir2 fd str addr */
	int has_op;
};

#define X(nr, name, cls, op, p1, d1, p2, d2, fd, s, ad) \
	{ nr, GH_CL_##cls, #name, { GH_ARG(p1), GH_ARG(d1), GH_ARG(p2), \
	  GH_ARG(d2), GH_ARG(fd), GH_ARG(s), GH_ARG(ad) }, 1 },
#define GEN(nr, name, pid, p1, d1, p2, d2, fd, s, ad) \
	X(nr, name, REC, GENERIC, p1, d1, p2, d2, fd, s, ad)
#define FDR(nr, name) { nr, GH_CL_FD, #name, { 7, 7, 7, 7, 7, 7, 7 }, 0 },
#define META(nr, name) { nr, GH_CL_META, #name, { 7, 7, 7, 7, 7, 7, 7 }, 0 },
static const struct row rows[] = { GH_ROWS(X, FDR, META, GEN) };
#define I(nr, name) { nr, 0, #name, { 0 }, 0 },
static const struct row inert[] = { GH_INERT(I) };

#define NROWS (int)(sizeof(rows) / sizeof(rows[0]))
#define NINERT (int)(sizeof(inert) / sizeof(inert[0]))

static const struct row *find(const struct row *v, int n, int nr)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].nr == nr)
			return &v[i];
	return NULL;
}

/* Every "#define __NR_name nr" of path: 0 when each is classified. */
static int check_header(const char *path, int *count)
{
	char line[512], name[128];
	const struct row *r, *q;
	int nr, bad = 0;
	FILE *f = fopen(path, "r");

	*count = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define __NR_%127s %d", name, &nr) != 2)
			continue;
		++*count;
		r = find(rows, NROWS, nr);
		q = find(inert, NINERT, nr);
		if (!r && !q) {
			diag("%s (%d) is neither in the table nor on the inert list",
			     name, nr);
			bad++;
		} else if (strcmp((r ? r : q)->name, name) != 0) {
			diag("%d is %s in the header, %s in the table", nr, name,
			     (r ? r : q)->name);
			bad++;
		}
	}
	fclose(f);
	return bad;
}

int main(int argc, char **argv)
{
	const char *hdr = argc > 1 ? argv[1] : UNISTD_64;
	int i, j, n, dup = 0, range = 0, args = 0, recop = 0;

	n = 0;
	i = check_header(hdr, &n);
	if (argc > 1) {
		/* a header of one's own: only that verdict */
		ok(i == 0 && n > 0, "every syscall of %s is classified (%d)", hdr, n);
		return done_testing();
	}
	ok(i == 0 && n > 300, "every syscall of %s is classified (%d of them)",
	   hdr, n);

	for (i = 0; i < NROWS; i++) {
		if (rows[i].nr < 0 || rows[i].nr >= GH_NR_MAX)
			range++;
		for (j = 0; j < 7; j++)
			if (rows[i].args[j] > 5 && rows[i].args[j] != GH_A_N &&
			    !(rows[i].args[j] == GH_A_C && (j == 1 || j == 3)))
				args++;
		if (rows[i].cls == GH_CL_REC && !rows[i].has_op)
			recop++;
		for (j = 0; j < i; j++)
			if (rows[j].nr == rows[i].nr || !strcmp(rows[j].name, rows[i].name))
				dup++;
		if (find(inert, NINERT, rows[i].nr))
			dup++;
	}
	for (i = 0; i < NINERT; i++)
		for (j = 0; j < i; j++)
			if (inert[j].nr == inert[i].nr)
				dup++;
	ok(dup == 0, "no syscall is listed twice");
	ok(range == 0, "every number is below GH_NR_MAX (%d)", GH_NR_MAX);
	ok(args == 0, "argument columns are 0-5, N, or C for a directory");
	ok(recop == 0, "every recorded row names its record");

	/* rows the table must have, with their arguments */
	{
		const struct row *r;

		r = find(rows, NROWS, 257);
		ok(r && r->cls == GH_CL_REC && r->args[0] == 1 && r->args[1] == 0,
		   "openat: path argument 1, relative to dirfd argument 0");
		r = find(rows, NROWS, 265);
		ok(r && r->args[2] == 3 && r->args[3] == 2,
		   "linkat: new path argument 3, relative to argument 2");
		r = find(rows, NROWS, 44);
		ok(r && r->args[6] == 4 && r->args[4] == 0,
		   "sendto: fd argument 0, address argument 4");
		r = find(rows, NROWS, 188);
		ok(r && r->args[5] == 1, "setxattr: attribute name argument 1");
		r = find(rows, NROWS, 321);
		ok(r && r->cls == GH_CL_REC, "bpf is recorded");
		ok(find(rows, NROWS, 39) == NULL && find(inert, NINERT, 39),
		   "getpid is inert");
	}

	/* 32-bit syscalls: never decoded with x86_64 numbers */
	{
		char line[512], name[128];
		int nr, n32 = 0, wrong = 0;
		FILE *f = fopen(UNISTD_32, "r");

		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "#define __NR_%127s %d", name, &nr) != 2)
				continue;
			n32++;
			if (!gh_sys_compat(GH_TS_COMPAT, nr))
				wrong++;
		}
		if (f)
			fclose(f);
		ok(f && n32 > 300 && wrong == 0,
		   "every i386 syscall (%d) with TS_COMPAT is counted, not decoded",
		   n32);
		/* i386 open (5), unlink (10), execve (11) would read as x86_64
		 * fstat, mprotect, munmap */
		ok(gh_sys_compat(GH_TS_COMPAT, 5) && gh_sys_compat(GH_TS_COMPAT, 10) &&
		   gh_sys_compat(GH_TS_COMPAT, 11),
		   "i386 open, unlink and execve are compat syscalls");
		ok(!gh_sys_compat(0, 2) && !gh_sys_compat(0, 257),
		   "x86_64 open and openat are not");
		ok(gh_sys_compat(0, 0x40000000 | 2),
		   "an x32 syscall (open | __X32_SYSCALL_BIT) is counted");
		ok(!gh_sys_compat(0x1 | 0x4, 59),
		   "status bits other than TS_COMPAT do not count");
	}
	return done_testing();
}
