/* Loading, keeping, attaching and querying gh-trace's BPF programs.
 *
 * The programs are either loaded by this process for one run (and
 * detached when it ends), or kept: loaded once and pinned in a bpf
 * filesystem (PIN_DIR/trace-HASH/, HASH naming the BPF object), where any
 * later run finds them in a few system calls. Either way each run has its
 * own ring buffer and loss counters (see "Runs" in bpf/trace.h), so runs
 * at the same time are independent. With kept programs, ring buffers of the
 * default size are kept too, in a small pool (PIN_DIR/trace-HASH/ring_ID),
 * so that a run does not pay to allocate one: a run takes one by renaming
 * its pin to busy_ID_PID_START, and gives it back at its end (a killed
 * run's is given back by the next run).
 *
 * A struct loader starts zeroed except for its fds, which loader_init()
 * sets to -1; loader_stop() frees what it holds and may be called on any
 * initialized loader.
 */
#ifndef GH_TRACE_LOADER_H
#define GH_TRACE_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../bpf/trace.h"
#include "ring.h"

#define LOADER_PIN_DIR "/sys/fs/bpf/glasshouse"
#define LOADER_NPROGS 14
#define LOADER_RINGBUF (4u << 20)	/* default ring buffer bytes */
#define LOADER_DIR_MAX 256	/* a pin directory's name */
#define LOADER_PIN_MAX (LOADER_DIR_MAX + 64)	/* a pin's */
#define LOADER_LINGER_MS 200	/* the default linger (see loader_stop) */
#define LOADER_LINGER_MAX 60000	/* the longest */

struct trace_bpf;

struct loader {
	struct trace_bpf *skel;	/* programs loaded by this process, or NULL */
	int traced_fd, rings_fd, runs_fd, socks_fd;
	int tally_fd;		/* frozen: only the programs write it */
	uint64_t tally0[GH_TALLY_MAX];	/* the run's tally slot at its start */
	int prog_fd[LOADER_NPROGS];
	int link_fd[LOADER_NPROGS];	/* kept programs: held, so that an
					 * unload cannot detach them mid-run */
	int kept;		/* the programs are the pinned ones */
	char dir[LOADER_PIN_MAX];	/* where, when they are */
	int ring_fd;		/* this run's ring buffer, -1 before */
	char busy[LOADER_PIN_MAX + 64];	/* its pin while this run has it, when
					 * it belongs to the kept pool */
	uint32_t ring_id;
	uint32_t run;		/* the run id */
	uint64_t start;		/* gh-trace's start time (/proc/PID/stat) */
	uint64_t cookie;	/* the run's GH_HELLO cookie */
	uint32_t self;		/* gh-trace's tgid in the initial PID
				 * namespace, once GH_HELLO was seen */
	struct gh_member outer;	/* its entry before GH_HELLO (run 0: none) */
	int registered;		/* the run is in the runs and rings maps */
	uint64_t misses0;	/* recursion misses when the run started */
	struct gh_ring ring;	/* this run's ring buffer's reader, once
				 * ring.fd >= 0 */
	int verbose;
	char reason[256];	/* why tracing is unavailable, when it is */
	char warning[512];	/* a problem that did not stop tracing */
	char how[512];		/* where the programs came from (for -v) */
	char core[160];		/* what CO-RE relocated against (for -v),
				 * when this process loaded the programs */
	unsigned linger_ms;	/* loader_opts.linger_ms */
	char mark[LOADER_PIN_MAX + 64];	/* the lingerer's mark, once this
					 * run left the links pinned for it */
};

struct loader_opts {
	uint32_t argv_limit;
	uint32_t ringbuf_bytes;
	int verbose;
	int keep;		/* pin the programs when they are not kept yet */
	const char *pin_dir;	/* NULL: LOADER_PIN_DIR */
	/* sockets the command inherits: their cookies (SO_COOKIE) and the
	 * descriptor numbers it gets (at most GH_INH_MAX) */
	const uint64_t *inh_cookie;
	const uint32_t *inh_fd;
	int ninh;
	/* kept programs: how long the last run to end leaves those of
	 * syscalls and socket sends attached (ms, at most LOADER_LINGER_MAX;
	 * 0: it detaches them at once) */
	unsigned linger_ms;
};

typedef int (*loader_cb)(void *ctx, void *data, size_t size);

void loader_init(struct loader *l);
/* Check the preconditions, find the kept programs or load them (and pin
 * them with o->keep), then create this run's ring buffer and its consumer
 * (cb gets every record). Returns 0, or -1 with l->reason set to a short
 * explanation ("not running as root (euid 1000)"). l->warning is set when
 * the programs could not be kept but were loaded for this run. */
int loader_start(struct loader *l, const struct loader_opts *o,
		 loader_cb cb, void *ctx);
/* Make sure current programs are kept, without starting a run. Returns 0
 * or -1 with l->reason set. */
int loader_keep(struct loader *l, const struct loader_opts *o);
/* Remove everything kept under pin_dir (NULL: LOADER_PIN_DIR). Runs in
 * progress keep their programs until they end. Returns 1 when something
 * was removed, 0 when nothing was kept, -1 with reason set. */
int loader_unload(const char *pin_dir, char *reason, size_t size);
/* Put the calling process in this run's traced set while it starts the
 * command (announcing itself with GH_HELLO, which works from any PID
 * namespace), then back where it was (in no run, or in the run of a tree
 * it belongs to). loader_trace_self returns 0, or -1 with reason set. */
int loader_trace_self(struct loader *l);
void loader_untrace_self(struct loader *l);
/* Send sig to every process of this run's traced set. */
void loader_signal_all(struct loader *l, int sig);
/* The fd to poll for records, and consuming what is there. */
int loader_fd(struct loader *l);
int loader_consume(struct loader *l);
/* This run's loss counters, lost[GH_LOST_MAX]. */
int loader_lost(struct loader *l, uint64_t *lost);
/* Program runs the kernel skipped (recursion) since this run began, of
 * any run sharing the programs: each may have been a record of this one. */
uint64_t loader_missed(struct loader *l);
/* The run's counts of channels used but not decoded (GH_PART_MAX of
 * them) and its bitmap of io_uring opcodes not decoded (4 words). */
int loader_part(struct loader *l, uint64_t *part, uint64_t *uring_ops);
/* The run's socket entries still in the kernel (bpf/trace.h: "Sockets"),
 * each given to cb as a GH_EV_SOCK record and removed; entries of runs
 * that have ended are removed too. */
void loader_socks(struct loader *l, loader_cb cb, void *ctx);
/* End the run and free everything (detaching programs loaded for it);
 * the caller is to exit soon after, without waiting for its children
 * (the lingerer is one until then), or to set linger_ms to 0 first.
 * With kept programs, the last run in progress to end detaches those of
 * syscalls and socket sends, or with a linger leaves them attached and
 * starts a lingerer: a process of its own (its own session, none of
 * gh-trace's descriptors) that sleeps linger_ms, then
 * detaches them unless a run is in progress or a later run's end started
 * another lingerer meanwhile (a run starting within the linger finds
 * them attached). */
void loader_stop(struct loader *l);

#endif
