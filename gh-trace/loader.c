/* gh-trace: BPF program loading (fail-open reasons are gathered here). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "../bpf/trace.h"
#include "trace.skel.h"

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

/* Why the kernel refused the programs, as precisely as cheap probes tell. */
static int load_failed(struct loader *l, int err)
{
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0)
		return fail(l, "the kernel has no BPF ring buffer (Linux 5.8 or later is needed)");
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop,
				    NULL) <= 0)
		return fail(l, "the kernel has no bpf_loop helper (Linux 5.17 or later is needed)");
	return fail(l, "loading BPF programs failed: %s%s", strerror(-err),
		    l->verbose ? "" : " (-v shows the verifier's log)");
}

int loader_start(struct loader *l, const struct loader_opts *o,
		 loader_cb cb, void *ctx)
{
	int ncpu, err;

	l->verbose = o->verbose;
	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);

	if (geteuid() != 0)
		return fail(l, "not running as root (euid %u)", (unsigned)geteuid());
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return fail(l, "kernel BTF not available (/sys/kernel/btf/vmlinux: %s)",
			    strerror(errno));

	/* open, size the maps, set the load-time settings */
	l->skel = trace_bpf__open();
	if (!l->skel)
		return fail(l, "opening BPF object failed: %s", strerror(errno));
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return fail(l, "counting CPUs failed: %s", strerror(-ncpu));
	bpf_map__set_max_entries(l->skel->maps.scratch, ncpu);
	if (o->ringbuf_bytes)
		bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_bytes);
	l->skel->rodata->argv_limit = o->argv_limit;
	/* wake the reader when an eighth of the buffer is waiting */
	l->skel->rodata->wakeup_bytes = (o->ringbuf_bytes ? o->ringbuf_bytes : 16u << 20) / 8;

	/* load (the verifier runs here), then attach */
	err = trace_bpf__load(l->skel);
	if (err)
		return load_failed(l, err);
	err = trace_bpf__attach(l->skel);
	if (err)
		return fail(l, "attaching BPF programs failed: %s", strerror(-err));

	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events),
				 (ring_buffer_sample_fn)cb, ctx, NULL);
	if (!l->rb)
		return fail(l, "creating ring buffer failed: %s", strerror(errno));
	return 0;
}

int loader_trace_pid(struct loader *l, int pid)
{
	uint32_t key = pid, run = 1;

	if (bpf_map__update_elem(l->skel->maps.traced, &key, sizeof(key), &run,
				 sizeof(run), BPF_ANY))
		return -errno;
	return 0;
}

void loader_signal_all(struct loader *l, int sig)
{
	uint32_t key, next, *prev = NULL;

	while (bpf_map__get_next_key(l->skel->maps.traced, prev, &next,
				     sizeof(next)) == 0) {
		if ((pid_t)next != getpid())
			kill((pid_t)next, sig);
		key = next;
		prev = &key;
	}
}

int loader_fd(struct loader *l)
{
	return ring_buffer__epoll_fd(l->rb);
}

int loader_consume(struct loader *l)
{
	return ring_buffer__consume(l->rb);
}

/* Runs the kernel skipped because a program was already running on that
 * CPU (it does not nest): records lost, counted with the ring buffer's. */
static uint64_t recursion_misses(struct loader *l)
{
	struct bpf_program *prog;
	uint64_t n = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
			n += info.recursion_misses;
	}
	return n;
}

int loader_lost(struct loader *l, uint64_t *lost)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1];
	uint32_t k;
	int i;

	if (ncpu <= 0)
		return -EINVAL;
	for (k = 0; k < GH_LOST_MAX; k++) {
		lost[k] = 0;
		memset(vals, 0, sizeof(vals));	/* for checkers blind to bpf(2) */
		if (bpf_map__lookup_elem(l->skel->maps.lost, &k, sizeof(k), vals,
					 sizeof(vals), 0))
			return -errno;
		for (i = 0; i < ncpu; i++)
			lost[k] += vals[i];
	}
	lost[GH_LOST_RINGBUF] += recursion_misses(l);
	return 0;
}

void loader_stop(struct loader *l)
{
	ring_buffer__free(l->rb);
	l->rb = NULL;
	trace_bpf__destroy(l->skel);
	l->skel = NULL;
}
