/* Loading, attaching and querying gh-trace's BPF programs. */
#ifndef GH_TRACE_LOADER_H
#define GH_TRACE_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct trace_bpf;
struct ring_buffer;

struct loader {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	int verbose;
	char reason[256];	/* why tracing is unavailable, when it is */
};

struct loader_opts {
	uint32_t argv_limit;
	uint32_t ringbuf_bytes;
	int verbose;
};

typedef int (*loader_cb)(void *ctx, void *data, size_t size);

/* Check the preconditions, open, load and attach the programs and create
 * the ring buffer consumer (cb gets every record). Returns 0, or -1 with
 * l->reason set to a short explanation ("not running as root (euid
 * 1000)"). */
int loader_start(struct loader *l, const struct loader_opts *o,
		 loader_cb cb, void *ctx);
/* Add a process to the traced set. */
int loader_trace_pid(struct loader *l, int pid);
/* Send sig to every process in the traced set. */
void loader_signal_all(struct loader *l, int sig);
/* The fd to poll for records, and consuming what is there. */
int loader_fd(struct loader *l);
int loader_consume(struct loader *l);
/* Sum of the per-CPU loss counters, lost[GH_LOST_MAX]. */
int loader_lost(struct loader *l, uint64_t *lost);
/* Detach and free everything; accepts a never-started loader. */
void loader_stop(struct loader *l);

#endif
