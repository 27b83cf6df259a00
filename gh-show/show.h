/* gh-show internals: the summary of a receipt (model.c), written for a
 * terminal (text.c) or as one HTML page (html.c).
 *
 * Ownership: a struct model borrows the receipt it was built from (every
 * string and node in it lives as long as the receipt); model_release
 * frees what the model allocated itself.
 */
#ifndef GH_SHOW_H
#define GH_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "gh.h"
#include "receipt.h"

#define NONE ((size_t)-1)

/* A map of byte strings (borrowed) to indexes. */
struct smap {
	struct smap_ent {
		const char *k;
		size_t n, val;
		uint64_t h;
	} *v;
	size_t n, cap;
};
/* 1 added, 0 there already (*val_out: its value either way; may be
 * NULL), -ENOMEM. */
int smap_put(struct smap *m, const char *k, size_t n, size_t val, size_t *val_out);
int smap_has(const struct smap *m, const char *k, size_t n);
void smap_release(struct smap *m);

struct sproc {
	int64_t pid, ppid;
	char *cmd; /* argv joined by spaces (owned) */
	const char *key; /* cmd, NUL, the exit status and signal: alike ones */
	size_t key_len;
	const char *exe;
	const char *name; /* basename of exe, else of argv[0] */
	size_t name_len;
	int has_code, has_sig;
	int64_t code, sig;
	struct gh_rproc rp; /* as the receipt has it */
	size_t parent; /* index, or NONE for a root */
	size_t *kids;
	size_t nkids, capkids;
};

/* What a path ended as. */
/* created: a new directory, symbolic or hard link; written: opened to
 * create or write (new or changed: the receipt does not say which);
 * modified: its mode or owner changed. */
enum { E_CREATED, E_WRITTEN, E_MODIFIED, E_DELETED, E_RENAMED, E_TRANSIENT, E_KINDS };
/* Where it is. */
enum { A_WORK, A_TMP, A_OTHER, A_AREAS };

struct effect {
	const char *path;
	size_t len;
	int kind, area, isdir;
	const char *target; /* E_RENAMED: the new path */
	size_t target_len;
	size_t folded;	/* entries below a created or deleted directory */
	int hidden;	/* folded into such a directory above it */
	const struct gh_jv *pids;
	const char *status; /* path_status when no access of the path was
			       resolved by the kernel (lexical, ...), or NULL */
	const char *seen;   /* a path_seen of its accesses, or NULL */
	size_t seen_len;
};

/* A failure that matters. */
enum { F_EXIT, F_ACCESS, F_NOTFOUND };
struct failure {
	int kind;
	size_t proc;	   /* F_EXIT: the first process */
	size_t nprocs;	   /* F_EXIT: processes alike (same program and status) */
	size_t file;	   /* F_ACCESS, F_NOTFOUND: index in files */
	size_t tries;	   /* F_NOTFOUND: paths tried */
	const char *name;  /* F_NOTFOUND: the command's name */
	size_t name_len;
};

struct sensitive_hit {
	size_t file; /* index in files */
	const char *pattern;
};

/* Whether the record is whole, as the summary opens with it. */
enum { REC_UNKNOWN, REC_COMPLETE, REC_PARTIAL, REC_UNTRACED };

/* The facts the summary opens with, worked out once for both printers. */
struct facts {
	struct gh_buf command; /* the command line, words joined (owned) */
	int record;	       /* REC_*; the reasons are run.reasons */
};

struct model {
	struct gh_receipt *r;
	struct gh_rrun run;
	struct facts facts;
	struct sproc *procs;
	size_t nprocs;
	size_t *bypid; /* indexes sorted by pid, then order */
	struct gh_rfile *files;
	size_t nfiles;
	char **raw; /* owned: names rebuilt from their *_hex bytes */
	size_t nraw;
	struct gh_rpeer *peers;
	size_t npeers;
	struct effect *eff;
	size_t neff;
	size_t count[A_AREAS][E_KINDS];
	struct failure *fails;
	size_t nfails;
	int64_t noise; /* records of harmless failures folded */
	struct sensitive_hit *hits;
	size_t nhits;
	int has_bytes_sent;
	int64_t bytes_sent;
	int has_bytes_received; /* receipts that count bytes per socket */
	int64_t bytes_received;
	struct gh_rdns *dns;	/* names asked (network.dns) */
	size_t ndns;
	size_t dns_names;	/* distinct names among them */
	size_t nmapped;		/* files mapped executable (map_exec, ok) */
	size_t *code;		/* those outside /usr and /lib: indexes */
	size_t ncode;		/* in files */
};

/* Build the model; -EINVAL (message in r->err) or -ENOMEM. */
int model_build(struct model *m, struct gh_receipt *r);
void model_release(struct model *m);
/* The process of pid (the first one, when a pid was reused), or NONE. */
size_t model_proc(const struct model *m, int64_t pid);
/* The area of a path, for a model's working directory. */
int model_area(const struct model *m, const char *path, size_t len);
const char *kind_name(int kind);
/* A peer's bytes, "1234 B out, 300 B in", into buf (empty when the receipt
 * does not count them, or both are 0). */
void peer_bytes(const struct gh_rpeer *p, char *buf, size_t n);
/* Whether the file entry's path is not the kernel's own resolution
 * (path_status lexical or unresolved, or incomplete): its status, else
 * NULL. */
const char *path_mark(const char *status);

/* The process tree folded: among siblings, processes alike (same command,
 * same exit status or signal) are one group, and the children of a
 * group's processes are folded together in turn. enter is called for each
 * group (proc: its first process; count: its processes; kids: the
 * children of them all) before its children, leave after them; either
 * may stop the walk with a negative errno. */
struct fold_ops {
	int (*enter)(void *ctx, size_t proc, size_t count, int depth, size_t kids);
	int (*leave)(void *ctx, int depth, size_t kids);
	/* At MODEL_FOLD_DEPTH the walk goes no deeper: instead of the
	 * children of a group, cut is told at their depth how many processes
	 * they and those below them are. */
	int (*cut)(void *ctx, int depth, size_t procs);
};
/* A chain of processes each the parent of the next can be as long as the
 * command likes: the folded tree shows this many levels, --tree indents
 * this many. */
#define MODEL_FOLD_DEPTH 100
int model_fold(const struct model *m, const size_t *v, size_t n, int depth,
	       const struct fold_ops *ops, void *ctx);
/* The processes in the subtrees of v[0..n), v included, counted without
 * recursion (0 when out of memory). */
size_t model_subtrees(const struct model *m, const size_t *v, size_t n);
/* The number of distinct command lines. */
size_t model_distinct(const struct model *m);
/* The processes without a parent in the receipt, in order: *out is
 * malloc'ed (NULL and 0 when out of memory). */
size_t model_roots(const struct model *m, size_t **out);

/* Output. */
enum { SEC_SUMMARY, SEC_FILES, SEC_NET, SEC_PROCS, SEC_TREE };
struct show_opts {
	int section; /* SEC_* */
	int color;
	int width;   /* columns for a command line */
};

/* What a printer writes into (out.c): the buffer, with a sticky error
 * (-ENOMEM) that the printer returns at its end. */
struct out {
	struct gh_buf *b;
	const struct model *m;
	const struct show_opts *o; /* the text printer's options, or NULL */
	int err;
};
void out_add(struct out *w, const char *s);
void out_addf(struct out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A duration: "1.234 s" from a second on, else "12 ms". */
void out_ms(struct out *w, int64_t ms);
/* " (cpu 1.234 s)" when the receipt says, else nothing. */
void out_cpu(struct out *w);
/* The record's verdict: "complete", "PARTIAL", "UNTRACED" or
 * "completeness unknown (a v0 receipt does not say)". */
void out_record_word(struct out *w);
int show_text(struct gh_buf *out, const struct model *m, const struct show_opts *o);
int show_html(struct gh_buf *out, const struct model *m, const char *title);

#endif
