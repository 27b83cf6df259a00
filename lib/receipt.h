/* Reading receipts (gh-receipt(5)) of every shape, with located errors.
 *
 * Shapes (gh_receipt_init detects them):
 *   GH_RECEIPT_V0    gh-aggregate --v0: no version member, the command as
 *                    one string, filesystem.read and filesystem.written,
 *                    network.connections only.
 *   GH_RECEIPT_030   version "0.3.0": process_tree without execs or exit
 *                    status, filesystem.reads/writes/deletes, network
 *                    attempts without op or count.
 *   GH_RECEIPT_040   version "0.4.0", and any later "0.x" (members this
 *                    version does not know are ignored).
 * The iterators below hide the differences: a v0 or 0.3.0 receipt gives
 * processes, file entries and peers with the members it cannot have set
 * to NULL or 0.
 *
 * Errors: functions return 1 (found, or one more item), 0 (absent, null, or
 * the end), or a negative errno. On -EINVAL the receipt's err holds a
 * located message "NAME: process_tree[3].argv: expected an array of
 * strings", where NAME is the name given to gh_receipt_init (without
 * "NAME: " when that name is NULL, for programs that add their own
 * "FILE:LINE: ").
 *
 * Receipts are read into lib/jv's compact tree (one pass, no allocation
 * per node), not into json-c objects; the accessors below hand out its
 * nodes.
 *
 * Ownership: gh_receipt_init and gh_receipt_attach borrow the root (its
 * document must outlive the receipt); gh_receipt_load, gh_receipt_*_json
 * make a document of their own, which gh_receipt_release frees. Every
 * string and node handed out by an accessor or iterator is borrowed from
 * the document and lives as long as it. Strings are NUL terminated; where
 * a length is given, it is the length of the JSON string (which may hold
 * U+0000).
 */
#ifndef GH_RECEIPT_H
#define GH_RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "gh.h"
#include "jv.h"

enum { GH_RECEIPT_V0 = 1, GH_RECEIPT_030, GH_RECEIPT_040 };

struct gh_receipt {
	const struct gh_jv *root;
	struct gh_jdoc *doc;	  /* owned, or NULL when the root is borrowed */
	char *name;		  /* for messages, owned; or NULL */
	int shape;		  /* GH_RECEIPT_* */
	const char *version;	  /* the version member, NULL for v0 */
	char err[512];
};

/* Check that root is a receipt and detect its shape. -EINVAL (message in
 * r->err) for what is not one: what gh_receipt_check (lib/input.h)
 * refuses (not an object, an event stream record, a member gh-receipt(5)
 * names with another type), and a version that is not "0.x"; -ENOMEM. r
 * is usable for gh_receipt_release in every case. */
int gh_receipt_init(struct gh_receipt *r, const struct gh_jv *root,
		    const char *name);
/* The same for a value gh_receipt_check already accepted: the shape only,
 * without walking the whole receipt again. */
int gh_receipt_attach(struct gh_receipt *r, const struct gh_jv *root,
		      const char *name);
/* Both for a json-c value (for programs that edit json-c trees): the
 * receipt reads a copy of its own, root may be released at once. */
int gh_receipt_init_json(struct gh_receipt *r, struct json_object *root,
			 const char *name);
int gh_receipt_attach_json(struct gh_receipt *r, struct json_object *root,
			   const char *name);
/* Read the whole of f (strict JSON, one value, at most GH_INPUT_MAX
 * bytes, binary input refused at once: lib/input) and init from it, with
 * "NAME:LINE" (the line the receipt starts on) as the name in messages.
 * On failure r->err holds "NAME:LINE: reason" or "NAME: reason". */
int gh_receipt_load(struct gh_receipt *r, FILE *f, const char *name);
/* The next receipt of a document holding receipts one after another
 * (gh_jdoc_new over a whole input): 1 and r set (init, with "NAME:LINE"
 * in messages), 0 at the end of the input, or -EINVAL with
 * "NAME:LINE: reason" in r->err. r borrows the document's current value,
 * which the next call replaces; release r before it. */
int gh_receipt_read(struct gh_receipt *r, struct gh_jdoc *doc,
		    const char *name);
void gh_receipt_release(struct gh_receipt *r);
/* "0.4.0", "0.3.0" or "v0". */
const char *gh_receipt_shape_name(const struct gh_receipt *r);

/* Typed access by a dotted path from the root ("outcome.exit_code"):
 * 1 and *out set, 0 when a member on the way is absent or null, -EINVAL
 * when one has another type. Integers must be JSON integers. */
int gh_receipt_str(struct gh_receipt *r, const char *path, const char **out,
		   size_t *len);
int gh_receipt_int(struct gh_receipt *r, const char *path, int64_t *out);
int gh_receipt_arr(struct gh_receipt *r, const char *path,
		   const struct gh_jv **out);
int gh_receipt_obj(struct gh_receipt *r, const char *path,
		   const struct gh_jv **out);

/* The same on one member of an object found elsewhere; where names that
 * object in messages ("process_tree[3]"). An o that is NULL has nothing. */
int gh_receipt_mstr(struct gh_receipt *r, const struct gh_jv *o,
		    const char *where, const char *key, const char **out,
		    size_t *len);
int gh_receipt_mint(struct gh_receipt *r, const struct gh_jv *o,
		    const char *where, const char *key, int64_t *out);
/* Member key of o of type t (GH_JV_*): 1 and *out, 0 when absent or null,
 * -EINVAL "WHERE.KEY: expected an integer" (a string, an array, ...). */
int gh_receipt_member(struct gh_receipt *r, const struct gh_jv *o,
		      const char *where, const char *key, int t,
		      const struct gh_jv **out);
/* An array whose elements are all strings ("expected an array of
 * strings") or all integers ("expected an array of integers"). */
int gh_receipt_mstrv(struct gh_receipt *r, const struct gh_jv *o,
		     const char *where, const char *key,
		     const struct gh_jv **out);
int gh_receipt_mintv(struct gh_receipt *r, const struct gh_jv *o,
		     const char *where, const char *key,
		     const struct gh_jv **out);

/* Element k of array a (named where in messages), which must be an
 * object: 1 and *out set, -EINVAL "WHERE[K]: expected an object". */
int gh_receipt_eobj(struct gh_receipt *r, const struct gh_jv *a,
		    const char *where, size_t k, const struct gh_jv **out);

/* Element k of an array the accessors checked. */
const char *gh_receipt_strv_get(const struct gh_jv *a, size_t k, size_t *len);
int64_t gh_receipt_intv_get(const struct gh_jv *a, size_t k);
size_t gh_receipt_len(const struct gh_jv *a); /* 0 for NULL */
/* Append the elements of a string array joined by single spaces. */
int gh_receipt_join(struct gh_buf *b, const struct gh_jv *strv);

/* What the run was and how it ended. */
struct gh_rrun {
	const struct gh_jv *command; /* strings: provenance.command, else the
					first process's argv; NULL for v0 */
	const char *command_str;     /* without command: v0's command string,
					else the first cmd of the flat
					processes list; or NULL */
	const char *cwd;	     /* provenance.cwd, else the first
					process's working_dir, or NULL */
	const char *execution_id;    /* or NULL */
	const char *start_time;	     /* or NULL */
	int has_status, has_exit_code, has_signal, has_duration, has_cpu;
	int64_t status;		     /* as a shell reports it: exit_code
					(128+N after signal N), else the 0.3.0
					outcome.exit_code */
	int64_t exit_code;	     /* the status, but none (has_exit_code 0)
					when a signal killed the command */
	int64_t signal;		     /* outcome.signal */
	int64_t duration_ms;	     /* duration_ms, else timing.duration_ms */
	int64_t cpu_time_ms;	     /* resources.cpu_time_ms, else
					timing.cpu_time_ms */
	const char *error;	     /* outcome.error, or NULL */
	const char *completeness;    /* "closed", "partial", NULL for v0 */
	const struct gh_jv *reasons; /* strings, or NULL */
	const char *observation_mode; /* "ebpf", "none" or NULL */
};
int gh_receipt_run(struct gh_receipt *r, struct gh_rrun *run);
/* Where the command was started: provenance.cwd, else the first process's
 * working_dir. 1 and *cwd set, 0 when neither says, -EINVAL. */
int gh_receipt_cwd(struct gh_receipt *r, const char **cwd);

/* The verdict gh-policy --annotate recorded (policy). */
struct gh_rpolicy {
	const struct gh_jv *obj;	/* the policy object */
	const char *verdict;		/* "pass" or "fail": verdict, else the
					   0.3.0 boolean pass; or NULL */
	const struct gh_jv *violations; /* objects, or NULL */
	const char *rules_sha256;	/* or NULL */
};
/* 1 and *p set, 0 when the receipt has none (policy absent or null),
 * -EINVAL. */
int gh_receipt_policy(struct gh_receipt *r, struct gh_rpolicy *p);

/* The distinct paths read, written or deleted (GH_RPATHS_*): 0.3.0's
 * filesystem.reads, writes, deletes (kept by 0.4.0), v0's
 * filesystem.read and written. 1 and *out (strings), 0 when the receipt
 * has no such list (v0 has no deletes), -EINVAL. */
enum { GH_RPATHS_READ, GH_RPATHS_WRITE, GH_RPATHS_DELETE };
int gh_receipt_paths(struct gh_receipt *r, int which, const struct gh_jv **out);

/* Iterator state: struct gh_riter it = GH_RITER_INIT; */
struct gh_riter {
	size_t list, i;
	char where[64]; /* the last item's path, for messages */
};
#define GH_RITER_INIT { 0, 0, "" }

/* Processes: process_tree, else the flat processes list (v0, some 0.3.0
 * receipts). */
struct gh_rproc {
	size_t index;		  /* in its list */
	const char *where;	  /* "process_tree" or "processes" */
	int64_t pid, ppid;	  /* ppid -1 when not recorded */
	const char *exe;	  /* or NULL */
	const struct gh_jv *argv; /* strings, or NULL (flat lists) */
	const char *cmd;	  /* processes[].cmd of flat lists, or NULL */
	const char *working_dir;  /* or NULL */
	const struct gh_jv *execs; /* 0.4.0: objects, or NULL */
	int has_exit_code, has_signal, has_start, has_end;
	int64_t exit_code, signal, start_ms, end_ms;
};
int gh_receipt_next_proc(struct gh_receipt *r, struct gh_riter *it,
			 struct gh_rproc *p);
/* How many processes gh_receipt_next_proc gives: 1 and *n, 0 when the
 * receipt has no process list, -EINVAL. */
int gh_receipt_nprocs(struct gh_receipt *r, size_t *n);

/* Successful execs of one process: 0.4.0's execs[k], or for older
 * receipts the process's own exe and argv as its only exec (none for the
 * older flat processes list, which records no execs). */
struct gh_rexec {
	const char *exe;	  /* or NULL */
	const struct gh_jv *argv; /* strings, or NULL */
	const char *cwd;	  /* or NULL */
	int argv_truncated;	  /* argv holds only what fit (gh-trace's
				   * limits.argv_bytes): more followed */
};
int gh_receipt_proc_exec(struct gh_receipt *r, const struct gh_rproc *p,
			 size_t k, struct gh_rexec *x);
/* How many execs gh_receipt_proc_exec gives over all processes: 1 and
 * *n, 0 when the receipt records no execs (no process_tree: v0 and the
 * flat processes list), -EINVAL. */
int gh_receipt_nexecs(struct gh_receipt *r, size_t *n);

/* File entries: filesystem.accesses, else one entry per path of the
 * older lists (reads: op "read"; writes, written: "write"; deletes:
 * "delete"; result "ok", count 0 for not recorded, pids NULL). */
struct gh_rfile {
	const char *path;
	size_t path_len;
	const char *op;	    /* read, write, create, delete, rename, ... */
	const char *target; /* rename, link, symlink: or NULL */
	size_t target_len;
	const char *result; /* "ok", an errno name, or NULL */
	int has_mode;
	int64_t mode;
	int64_t count;		  /* records; 0 when not recorded */
	const struct gh_jv *pids; /* integers, or NULL */
	const struct gh_jv *entry; /* the accesses[] object (NULL for the
				      older lists), for members not named
				      here: read them with gh_receipt_m* */
	const char *where;	  /* "filesystem.accesses[3]" (NULL with entry),
				     valid until the next call */
	const char *path_seen;	  /* the process's view of path, or NULL */
	size_t path_seen_len;
	const char *path_status;  /* lexical, unresolved, incomplete, or NULL */
	const char *target_seen;  /* the same for target */
	size_t target_seen_len;
	const char *target_status;
};
int gh_receipt_next_file(struct gh_receipt *r, struct gh_riter *it,
			 struct gh_rfile *f);

/* Network peers: network.attempts (outbound) then network.inbound; for
 * receipts without attempts, network.connections. */
struct gh_rpeer {
	const char *addr;     /* dst or addr: "1.2.3.4:443", "unix:/x", ... */
	const char *protocol; /* or NULL */
	const char *op;	      /* connect, send, bind, listen, accept, or NULL */
	const char *family;   /* or NULL */
	const char *result;   /* "ok", "refused", ... or NULL */
	const char *host;     /* a name for the address when recorded, or NULL */
	int inbound;
	int64_t count;		  /* 0 when not recorded */
	const struct gh_jv *pids; /* integers, or NULL */
	const struct gh_jv *entry; /* the list's object, for members not
				      named here */
	const char *where;	  /* "network.attempts[0]", until the next call */
	/* What network.connections says of the peer (dst and protocol) in
	 * receipts of tracers that count bytes per socket and tie DNS
	 * answers to addresses (has_bytes 1); for inbound entries, and in
	 * older receipts, has_bytes 0, the bytes 0 and names NULL. */
	int has_bytes;
	int64_t bytes_sent, bytes_received;
	const struct gh_jv *names; /* strings: DNS names of the address */
};
int gh_receipt_next_peer(struct gh_receipt *r, struct gh_riter *it,
			 struct gh_rpeer *p);

/* --- where strings stand, for programs that rewrite them --------------- */

/* Lists a receipt keeps sorted and free of duplicates (gh-receipt(5)):
 * gh_receipt_lists[GH_RLIST_X] names where each stands and what its
 * entries are sorted by. */
enum {
	GH_RLIST_NONE,
	GH_RLIST_READS,		/* 0.3.0: filesystem.reads */
	GH_RLIST_WRITES,	/* 0.3.0: filesystem.writes */
	GH_RLIST_DELETES,	/* 0.3.0: filesystem.deletes */
	GH_RLIST_READ_V0,	/* v0: filesystem.read */
	GH_RLIST_WRITTEN_V0,	/* v0: filesystem.written */
	GH_RLIST_ACCESSES,
	GH_RLIST_CONNECTIONS,
	GH_RLIST_ATTEMPTS,
	GH_RLIST_INBOUND,
	GH_RLIST_REASONS,
	GH_RLIST_VIOLATIONS,
	GH_RLIST_COUNT
};
struct gh_rlist {
	const char *section;	  /* "filesystem", "network", NULL: the root */
	const char *key;	  /* the list's member name */
	const char *const *keys;  /* entries are objects sorted by these
				     members, which tell them apart (NULL
				     terminated); NULL: a list of strings */
};
extern const struct gh_rlist gh_receipt_lists[GH_RLIST_COUNT];

/* Raw bytes: beside a string member KEY whose bytes are not valid UTF-8
 * (written with U+FFFD), KEY_hex holds them in hex; beside an array of
 * strings KEY, KEY_hex is an array of the same length holding the hex of
 * each such element (null for the others). A program that rewrites KEY
 * drops KEY_hex (or the element) with it. */
#define GH_RECEIPT_HEX_SUFFIX "_hex"

/* What a string of a receipt holds. */
enum {
	GH_RSTR_PATH,	 /* one path */
	GH_RSTR_TEXT,	 /* free text, which may hold paths */
	GH_RSTR_ADDR,	 /* a peer's address: "unix:/path", "unix:@name", a
			    path, or an address and port */
	GH_RSTR_ARGV,	 /* an array of strings: a command line */
	GH_RSTR_CMDLINE, /* a command line written as one string */
	GH_RSTR_ENV,	 /* an environment: {"NAME": "VALUE"} or an array
			    of "NAME=VALUE" (other members and elements are
			    not strings of it) */
	GH_RSTR_TREE,	 /* every string below v, as free text */
	GH_RSTR_TARGET,	 /* the target of a rename, link or symlink */
};

/* One place in a receipt where such strings stand. */
#define GH_RSTEPS_MAX 6
struct gh_rstr {
	int kind;		/* GH_RSTR_* */
	int list;		/* GH_RLIST_* of the list it is in, or NONE */
	const struct gh_jv *v;	/* the value (a string, but for ARGV, ENV,
				   TREE) */
	const char *key;	/* the member name holding v in its object;
				   NULL for an element of an array */
	const char *cwd;	/* ARGV: where the command ran, or NULL */
	const char *link;	/* TARGET: the entry's path when it is a
				   symlink's (a relative target is relative
				   to the link's directory), else NULL */
	int proc;		/* ARGV: process_tree[index].argv; CMDLINE:
				   processes[index].cmd, which is that
				   process's argv joined by spaces */
	size_t index;
	int has_pid;		/* with proc: the process's pid */
	int64_t pid;
	const char *where;	/* "process_tree[3].argv", for messages */
	/* the way from the root to v: member names, or (key NULL) array
	 * indexes; gh_receipt_json_at follows it in a json-c copy */
	struct gh_rstep {
		const char *key;
		size_t index;
	} step[GH_RSTEPS_MAX];
	int nsteps;
};

/* Call fn for every place of r where a string may name a file, hold a
 * command line, an environment or a secret, for every shape: provenance,
 * processes and their execs, the older flat process list, file lists and
 * entries, peers, captured output files, the v0 command string, the
 * outcome's error, completeness reasons, policy results and the
 * environment. Every place is given once, in that order. Returns 0, what
 * fn returned when negative (which stops the walk), or -EINVAL (a member
 * of another type, message in r->err). s and what it points to live until
 * fn returns (strings and nodes as long as the receipt). */
int gh_receipt_strings(struct gh_receipt *r,
		       int (*fn)(void *ctx, const struct gh_rstr *s), void *ctx);

/* The value at s's steps in root, a json-c tree of the same receipt (a
 * borrowed reference, NULL when not there); *parent (may be NULL) the
 * object or array holding it. */
struct json_object *gh_receipt_json_at(struct json_object *root,
				       const struct gh_rstr *s,
				       struct json_object **parent);
/* Names asked of DNS: network.dns (absent from older receipts). */
struct gh_rdns {
	const char *name;
	const char *type;	       /* "A", "AAAA", ... */
	int64_t count;		       /* queries sent */
	const struct gh_jv *pids;      /* integers, or NULL */
	const struct gh_jv *addresses; /* strings answered, or NULL */
	const char *where;	       /* "network.dns[0]", until the next call */
};
int gh_receipt_next_dns(struct gh_receipt *r, struct gh_riter *it,
			struct gh_rdns *d);

#endif
