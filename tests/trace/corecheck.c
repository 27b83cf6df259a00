/* Whether a BPF object's CO-RE relocations come out the same against the
 * minimal BTF of lib/btfmin.c as against the kernel's whole BTF: the
 * object is loaded both ways (not attached) and libbpf's account of each
 * instruction it patched or poisoned is compared, line by line.
 *
 *   corecheck OBJECT [shift]
 *
 * shift: the minimal BTF has the offset of its first struct member moved
 * by 8 bytes (a copy gone wrong, which must show). Prints the counts and
 * "same", or the first difference and exits 1. Needs root. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/btf.h>
#include <bpf/libbpf.h>

#include "btfmin.h"

static char **lines;
static size_t nlines, caplines;

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];

	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!strstr(buf, "patched insn") && !strstr(buf, "substituting insn"))
		return 0;
	if (nlines == caplines) {
		caplines = caplines ? 2 * caplines : 1024;
		lines = realloc(lines, caplines * sizeof(*lines));
		if (!lines)
			exit(2);
	}
	lines[nlines++] = strdup(buf);
	return 0;
}

/* Load OBJECT with btf as its CO-RE target (NULL: the kernel's BTF);
 * the lines libbpf wrote of it. */
static char **load(const char *path, const char *btf, size_t *n)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf);
	struct bpf_object *o;
	struct bpf_map *m;
	char **got;

	lines = NULL;
	nlines = caplines = 0;
	o = bpf_object__open_file(path, &oo);
	if (!o) {
		fprintf(stderr, "corecheck: %s: cannot open\n", path);
		exit(2);
	}
	bpf_object__for_each_map(m, o)
		if (strcmp(bpf_map__name(m), "scratch") == 0)
			bpf_map__set_max_entries(m, 1);
	if (bpf_object__load(o)) {
		fprintf(stderr, "corecheck: loading %s against %s failed\n", path,
			btf ? "the minimal BTF" : "the kernel's BTF");
		exit(2);
	}
	bpf_object__close(o);
	got = lines;
	*n = nlines;
	return got;
}

static void *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf)
		return NULL;
	while ((r = read(fd, buf + n, cap - n)) > 0)
		if ((n += r) == cap && !(buf = realloc(buf, cap *= 2)))
			return NULL;
	close(fd);
	*len = n;
	return r < 0 ? NULL : buf;
}

/* The first struct with members in raw BTF: its first member's offset
 * moved by 64 bits. */
static int shift(unsigned char *btf)
{
	const struct btf_header *h = (const void *)btf;
	unsigned char *p = btf + h->hdr_len + h->type_off;
	unsigned char *end = p + h->type_len;

	while (p < end) {
		struct btf_type *t = (void *)p;
		unsigned vlen = BTF_INFO_VLEN(t->info), kind = BTF_INFO_KIND(t->info);

		if (kind == BTF_KIND_STRUCT && vlen) {
			((struct btf_member *)(t + 1))->offset += 64;
			return 0;
		}
		p += sizeof(*t);
		switch (kind) {
		case BTF_KIND_INT: p += 4; break;
		case BTF_KIND_ARRAY: p += sizeof(struct btf_array); break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: p += vlen * sizeof(struct btf_member); break;
		case BTF_KIND_ENUM: p += vlen * sizeof(struct btf_enum); break;
		case BTF_KIND_ENUM64: p += vlen * sizeof(struct btf_enum64); break;
		default: break;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const void *btf, *ext;
	size_t olen, klen, btf_len, ext_len, outlen, na, nb, i;
	char **a, **b, path[] = "/tmp/corecheck.XXXXXX";
	struct gh_btfmin_stats st;
	void *obj, *kern, *out;
	int fd, err;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "shift") != 0)) {
		fprintf(stderr, "usage: corecheck OBJECT [shift]\n");
		return 2;
	}
	libbpf_set_print(print);
	obj = slurp(argv[1], &olen);
	kern = slurp("/sys/kernel/btf/vmlinux", &klen);
	if (!obj || !kern) {
		fprintf(stderr, "corecheck: reading %s or the kernel's BTF failed\n", argv[1]);
		return 2;
	}
	if (gh_elf_section(obj, olen, ".BTF", &btf, &btf_len) < 0 ||
	    gh_elf_section(obj, olen, ".BTF.ext", &ext, &ext_len) < 0) {
		fprintf(stderr, "corecheck: %s: no BTF\n", argv[1]);
		return 2;
	}
	err = gh_btfmin(btf, btf_len, ext, ext_len, kern, klen, &out, &outlen, &st);
	if (err) {
		fprintf(stderr, "corecheck: gh_btfmin: %s\n", strerror(-err));
		return 2;
	}
	if (argc == 3 && shift(out) < 0) {
		fprintf(stderr, "corecheck: no struct to shift\n");
		return 2;
	}
	fd = mkstemp(path);
	if (fd < 0 || write(fd, out, outlen) != (ssize_t)outlen) {
		fprintf(stderr, "corecheck: writing %s failed\n", path);
		return 2;
	}
	close(fd);
	a = load(argv[1], NULL, &na);
	b = load(argv[1], path, &nb);
	unlink(path);
	printf("%u relocations of %u types, %u kernel types matched, %u types kept (%zu bytes of %zu)\n",
	       st.relos, st.roots, st.cands, st.types, outlen, klen);
	for (i = 0; i < na && i < nb; i++)
		if (strcmp(a[i], b[i]) != 0) {
			printf("differs: %s  against: %s", a[i], b[i]);
			return 1;
		}
	if (na != nb) {
		printf("differs: %zu instructions patched against %zu\n", na, nb);
		return 1;
	}
	printf("same: %zu instructions patched\n", na);
	return 0;
}
