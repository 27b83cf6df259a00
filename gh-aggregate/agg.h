/* gh-aggregate: folding gh-events(5) records into the receipt's state.
 *
 * Everything kept grows with distinct things (processes, strings, access
 * keys, peers), never with the number of records: counters are summed in
 * place and lists are built and sorted only by receipt_write().
 */
#ifndef GH_AGG_H
#define GH_AGG_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "events.h"
#include "tab.h"

/* File access operations, in the byte order of their names. */
enum {
	OP_CHDIR, OP_CHMOD, OP_CHOWN, OP_CREATE, OP_DELETE, OP_EXEC, OP_LINK,
	OP_MKDIR, OP_READ, OP_RENAME, OP_RMDIR, OP_SYMLINK, OP_TRUNCATE,
	OP_WRITE,
	OP_MAP_EXEC,	/* appended: "map_exec" sorts by its name */
	OP_COUNT
};
/* Network operations, in the byte order of their names. */
enum { NOP_ACCEPT, NOP_BIND, NOP_CONNECT, NOP_LISTEN, NOP_SEND, NOP_COUNT };

/* Sorted distinct pids; the first few inline (most sets are small).
 * An access's set may instead be a bitmap over the distinct pids (bit
 * i: the pid of index i in struct agg's pidmap) when that is no larger
 * than its pids: cap has PIDSET_BITS set, with the number of 64-bit
 * words of v below it. agg_finish makes every set sorted pids again. */
#define PIDS_INLINE 3
#define PIDSET_BITS 0x80000000u
struct pidset {
	uint32_t n, cap;	/* cap 0: the pids are in inl */
	int32_t last;		/* the pid added last, when n > 0 */
	int32_t inl[PIDS_INLINE];	/* cap > 0: pids of v added before last */
	int32_t *v;
};

static inline const int32_t *pidset_pids(const struct pidset *s)
{
	return s->cap ? s->v : s->inl;
}

struct execrec {
	uint32_t exe, argv, cwd;	/* string ids; 0 = null */
	int truncated;
	int other_ids;			/* effective ids after the exec are not
					 * the run's (run_uid, run_gid) */
	int64_t uid, gid;
};

struct proc {
	int32_t pid, ppid;
	uint32_t seq;			/* creation order: the last tie-break */
	int64_t start_ns, end_ns;	/* end_ns < 0: no exit seen */
	int forked, exited;
	int has_code, has_signal;
	int64_t code, signal;
	uint32_t exe, argv, cwd;	/* current: last exec or inherited */
	int truncated;
	struct execrec *execs;
	uint32_t nexec, execcap;
	uint32_t failed_err;		/* err of the last failed exec */
	uint32_t pix;			/* the pid's index in pidmap */
	uint32_t loader;		/* argv of its exec of the dynamic
					 * loader as a program (0: none): the
					 * files it opens by those names run */
	uint32_t *lopen;		/* those files (path ids): executed
					 * once it maps them executable */
	uint32_t nlopen, lopencap;
};

/* Keys are compared and hashed as bytes: no padding, and zeroed first.
 * With their struct counted, an access or a network entry fills one
 * 64-byte cache line. */
struct akey {				/* filesystem.accesses */
	uint32_t path, target, result;	/* target 0: none */
	uint16_t op, has_mode;
	int64_t mode;
	uint32_t seen, tseen;		/* the task's views; 0: the same */
	uint16_t status, tstatus;	/* PS_*: how the paths were found */
	uint32_t pad;
};

/* How a path was found (gh-events(5) path_status), in the order of
 * their names after the kernel's walk. */
enum { PS_KERNEL, PS_INCOMPLETE, PS_LEXICAL, PS_UNRESOLVED, PS_COUNT };
extern const char *const path_status_names[PS_COUNT];

/* The task's view and status of an access's path and target. */
struct aview {
	uint32_t seen, tseen;
	int status, tstatus;
};

struct nkey {				/* network.attempts and .inbound */
	uint32_t dst, proto, result, family;
	uint32_t op;
	uint32_t raw;		/* a relative unix name as given (addr_raw) */
};

struct counted {
	uint64_t count;
	struct pidset pids;
};

/* A file record waiting in the batch (see agg_record): what folding it
 * needs, its strings as offsets into the batch's bytes. */
#define AGG_BATCH 32
struct pending {
	int type, op, has_ppid, has_mode, has_err;
	int exchange;				/* a rename each way */
	int status, tstatus;			/* PS_* of path and target */
	size_t seen, tseen;			/* the views' offsets, or SIZE_MAX */
	uint32_t slen, tslen;
	int32_t pid, ppid;
	int64_t t, ret, mode;
	size_t path, target, err;		/* offsets; SIZE_MAX: none */
	uint32_t plen, tlen, elen;
	uint64_t hash;				/* of the path */
	uint32_t guess;				/* its probable id, or 0 */
	uint32_t path_id, target_id, result;	/* interned at the flush */
	struct akey key;			/* then the access ... */
	uint64_t key_hash;			/* ... and its hash */
	uint32_t entry;				/* its index + 1 when known */
	int32_t pipe_pid;			/* a pipe reopened through
						 * /proc/PID/fd: PID, -1 not
						 * known, 0 the opener's own */
};

/* Sockets (sock_end and dns records). */
struct pkey {				/* a peer's bytes: dst, protocol */
	uint32_t dst, proto;
};
struct pbytes {
	uint64_t sent, received;
};
struct dkey {				/* network.dns: name, type */
	uint32_t name, type;
};
struct dakey {				/* an answer: name, type, address */
	uint32_t name, type, addr;
};
struct nmkey {				/* a peer address and a name for it */
	uint32_t addr, name;
};
/* A connect record whose socket's end (with the final result) has not
 * been read yet, or a socket's end read before its connect record.
 * They wait in an array with a hash index by sock (open addressing,
 * linear probing): those of one sock in the order they came, the first
 * found first. */
struct pend {
	int64_t sock;
	struct nkey k;
	int32_t pid;
	int end_first;
};

struct agg {
	const char *name;		/* input name for messages */
	struct strtab str;
	uint32_t s_ok;			/* the string "ok" */

	struct proc *procs;
	uint32_t nproc, proccap;
	struct ktab pidmap;		/* pid -> index of its current proc */
	int32_t last_pid;		/* the pid of the last record ... */
	uint32_t last_proc;		/* ... and its proc, when nproc > 0 */

	struct ktab acc;		/* struct akey -> struct counted */
	uint64_t unresolved;

	struct ktab att, inb;		/* struct nkey -> struct counted */
	struct ktab act;		/* actions: id of their JSON text ->
					 * struct counted */
	uint32_t pin_dir;		/* header: the tracer's bpf directory */
	uint64_t pin_writes;		/* changes under it */
	uint32_t output;		/* header: the stream's own file (-o) */
	uint64_t output_writes;		/* changes of it */
	int has_send;
	uint64_t bytes_sent;
	int has_sock;			/* sock_end or dns records were read */
	uint64_t bytes_received;
	struct ktab peers;		/* struct pkey -> struct pbytes */
	struct ktab dns;		/* struct dkey -> struct counted */
	struct ktab dnsa;		/* struct dakey -> nothing */
	struct ktab names;		/* struct nmkey -> nothing */
	uint64_t dns_malformed;
	struct pend *socks;		/* connects and ends waiting for the other */
	uint32_t nsocks, sockscap;
	uint32_t *sockix;		/* their index + 1 by sock, 0: none */
	uint32_t sockmask;		/* slots 0..sockmask, at most half full */

	uint64_t counts[GH_ET_COUNT], denied[GH_ET_COUNT];
	int64_t last_t;

	/* header */
	uint32_t execution_id, start, host, kernel, arch, tool_version;
	uint32_t argv, cwd;
	int64_t schema, uid, gid, run_uid, run_gid, root_pid;
	int64_t start_sec, start_usec;	/* parsed "start" */
	int audit_active;
	uint32_t audit_reason;
	uint32_t bpf_programs, bpf_object_sha256; /* header audit members */
	uint32_t hdr_stdout, hdr_stderr;	/* path ids, 0 = null */

	/* end */
	int has_end;
	int64_t status, code, signal, duration_ns, events;
	int has_code, has_signal;
	int64_t utime_us, stime_us, maxrss_kb;
	int64_t lost_ringbuf, lost_fault, lost_truncated, lost_missed;
	/* channels used but not decoded (the end record's "undecoded") */
	int64_t und_compat, und_bpf, und_uring, und_foreign, und_left;
	int64_t core_dumps;		/* exit records saying "core": true */
	int64_t und_path;		/* names changed during their syscall */
	int64_t und_sockets;		/* inherited sockets not watched */
	int64_t und_scm;		/* descriptors received, not all read */
	int64_t und_seccomp;		/* seccomp filters with a listener */
	int loaders;			/* a process ran the dynamic loader as
					 * a program (its opens are looked at) */
	int64_t und_netlink;		/* netlink sends that may change the
					 * kernel's configuration */
	int64_t tty_injections;		/* tty_inject records that succeeded */
	int64_t und_fanotify;		/* fanotify groups reporting descriptors */
	int64_t und_family;		/* sockets of undecoded families */
	int64_t und_tun;		/* tun/tap driver opened, or its node made */
	int32_t *memw;			/* pids whose /proc/PID/mem the tree opened
					 * for writing, or received */
	uint32_t nmemw, memwcap;
	uint32_t uring_opcodes;		/* "14, 40": string id, 0 for none */
	uint32_t end_stdout, end_stderr;
	int64_t stdout_bytes, stderr_bytes;
	uint32_t stdout_err, stderr_err;	/* a capture write failed: errno name */
	uint32_t end_err;		/* the command never ran: why (errno name) */

	struct pending pend[AGG_BATCH];
	uint32_t npend;
	struct gh_buf pend_bytes;

	uint64_t records;		/* from the reader */
	unsigned long cut_line;

	char err[512];
};

void agg_init(struct agg *a, const char *name);
void agg_release(struct agg *a);
/* Fold one record in. 0, or -1 with a message in a->err. File records
 * are batched: their strings are looked up together, so that the cache
 * misses of a batch overlap, and then each is folded in order, before
 * any other record. The result does not depend on the batching. */
int agg_record(struct agg *a, const struct gh_evrec *rec);
/* Fold in the records still batched: after the last agg_record. */
void agg_flush(struct agg *a);

/* After the last record: fold in what waited for a later record. */
void agg_finish(struct agg *a);
/* Opens for writing (and descriptors received) of /proc/PID/mem whose
 * PID is no process of the tree: writes into a process outside it. */
uint64_t agg_foreign_mem_writes(const struct agg *a);
/* Write the receipt (0.4.0), or the older v0 shape with v0 set, to f,
 * pretty-printed and followed by a newline. Sorts a's tables in place.
 * Write errors are left for ferror(f). */
int receipt_write(FILE *f, struct agg *a, int v0);

#endif
