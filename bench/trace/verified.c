/* The verifier's work on a BPF object: load it (no attach) and print,
 * per program, its instructions and the instructions the verifier
 * processed (bpf_prog_info.verified_insns), and the load's wall time.
 *
 *   cc -o verified bench/trace/verified.c -lbpf
 *   ./verified build/trace.bpf.o
 *
 * Needs root. The load time includes libbpf's reading of the kernel's
 * BTF; the verified instructions are the machine-independent figure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct bpf_object *o;
	struct bpf_program *p;
	struct bpf_map *m;
	unsigned long total = 0;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: verified OBJECT\n");
		return 2;
	}
	libbpf_set_print(print);
	o = bpf_object__open_file(argv[1], NULL);
	if (!o) {
		fprintf(stderr, "verified: %s: cannot open\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_map(m, o)
		if (strcmp(bpf_map__name(m), "scratch") == 0)
			bpf_map__set_max_entries(m, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bpf_object__load(o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		fprintf(stderr, "verified: %s: load failed: %s\n", argv[1], strerror(-err));
		return 1;
	}
	printf("| program | instructions | verified |\n| --- | ---: | ---: |\n");
	bpf_object__for_each_program(p, o) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) < 0)
			continue;
		printf("| %s | %u | %u |\n", bpf_program__name(p),
		       info.xlated_prog_len / 8, info.verified_insns);
		total += info.verified_insns;
	}
	printf("| all | | %lu |\n\nload: %.0f ms\n", total,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	bpf_object__close(o);
	return 0;
}
