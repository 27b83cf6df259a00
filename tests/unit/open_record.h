/* An openat(AT_FDCWD, NAME, O_RDONLY) that returned 4, as the programs
 * record it (bpf/trace.h): the name as passed, the kernel's walk of
 * /etc/hostname. Shared by tests/unit/test_event.c and the record
 * writer's benchmark (bench/trace/format.c); include it after
 * bpf/trace.h. open_record writes the record at out (room for
 * sizeof(struct gh_event) + strlen(name) + 13 bytes) and returns its
 * size. */
#ifndef GH_OPEN_RECORD_H
#define GH_OPEN_RECORD_H
#include <stdint.h>
#include <string.h>

static size_t open_record(void *out, const char *name, uint64_t ts,
			  uint32_t pid, uint32_t tid)
{
	static const char walk[] = "hostname\0etc";
	struct gh_event *e = out;
	char *d = (char *)(e + 1);
	size_t n = strlen(name);

	memset(e, 0, sizeof(*e));
	e->type = GH_EV_SYS;
	e->op = GH_OP_OPENAT;
	e->ts = ts;
	e->pid = pid;
	e->tid = tid;
	e->ret = 4;
	e->arg[0] = (uint64_t)(int64_t)-100;
	e->nr = 257;
	memcpy(d, name, n);
	e->bflags[GH_B_RAW1] = GH_BF_PRESENT;
	e->boff[GH_B_RAW1] = 0;
	e->blen[GH_B_RAW1] = (uint32_t)n;
	memcpy(d + n, walk, sizeof(walk));
	e->bflags[GH_B_PATH1] = GH_BF_PRESENT | GH_BF_FULL;
	e->boff[GH_B_PATH1] = (uint32_t)n;
	e->blen[GH_B_PATH1] = sizeof(walk);
	e->size = (uint32_t)(sizeof(*e) + n + sizeof(walk));
	return e->size;
}
#endif
