/* gh-policy internals: the compiled rules (rules.c), network patterns
 * (net.c), the evaluation of a receipt (eval.c) and its report (report.c).
 * The language itself is documented in gh-policy(5).
 *
 * Ownership: a struct policy owns every rule, string, glob and network
 * pattern it holds; struct verdict owns its violations, whose item, cmd and
 * op strings are borrowed from the receipt, which must outlive the verdict.
 */
#ifndef GH_POLICY_H
#define GH_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "gh.h"
#include "crypto.h"
#include "glob.h"
#include "jv.h"

/* Subjects: what a rule judges. Every item of a receipt has a coarse
 * subject (read, write, delete, chdir, exec, connect, inbound) and a fine
 * one (the operation itself); a rule naming either one applies. */
enum subject {
	S_READ,
	S_WRITE,
	S_DELETE,
	S_CREATE,
	S_TRUNCATE,
	S_CHMOD,
	S_CHOWN,
	S_MKDIR,
	S_LINK,
	S_SYMLINK,
	S_RENAME,
	S_UNLINK,
	S_RMDIR,
	S_CHDIR,
	S_EXEC,
	S_CONNECT,
	S_SEND,
	S_INBOUND,
	S_BIND,
	S_LISTEN,
	S_ACCEPT,
	S_MOUNT,	/* mount, umount2, open_tree, move_mount, fs*: actions */
	S_CHROOT,	/* chroot and pivot_root: actions */
	S_MKNOD,	/* mknod: actions, coarse write */
	S_XATTR,	/* setxattr, removexattr: actions, coarse write */
	S_UTIME,	/* utime: actions, coarse write */
	S_NAMESPACE,	/* namespace: actions, word items (user, mount, ...) */
	S_PTRACE,	/* ptrace, process_vm, pidfd_getfd: foreign or tree */
	S_SIGNAL,	/* signal: foreign or tree */
	S_BPF,		/* bpf: the command's name */
	S_SYSCALL,	/* every action: its syscall's name */
	S_COUNT
};

/* What a subject's patterns look like: paths, executables, network
 * peers, or words from a list (namespace kinds, foreign/tree, bpf
 * commands). */
enum family { FAM_PATH, FAM_EXEC, FAM_NET, FAM_WORD };

const char *subject_name(int s);
int subject_family(int s);
/* bpf(2) command cmd's name ("prog_load"), or NULL when not known. */
const char *policy_bpf_cmd(int64_t cmd);
/* The namespace kind of CLONE_NEW* flag number bit in rules.c's order
 * (mount, cgroup, uts, ipc, user, pid, net, time), or NULL. */
const char *policy_ns_kind(int bit);

enum kind {
	K_ALLOW,
	K_DENY,
	K_DEFAULT_ALLOW,
	K_DEFAULT_DENY,
	K_LIMIT,
	K_REQUIRE_COMPLETE,
	K_REQUIRE_SIGNED,
	K_REQUIRE_AUDIT,	/* built in, rule 0: audit was active */
	K_ALLOW_PARTIAL,	/* "allow partial": lifts the built-in rule 1 */
};

/* Rules 0 and 1 of every policy are built in (line 0 of the main file):
 * audit was active (always), and the receipt is complete (unless the rules
 * say "allow partial" or have a "require complete" of their own). */
#define RULE_AUDIT 0
#define RULE_COMPLETE 1
#define BUILTIN_RULES 2

/* Numeric fields a "limit" can bound. */
enum field {
	L_DURATION_MS,
	L_CPU_TIME_MS,
	L_MAX_RSS_KB,
	L_PROCESSES,
	L_EXECS,
	L_CONNECTIONS,
	L_ATTEMPTS,
	L_INBOUND,
	L_BYTES_SENT,
	L_READS,
	L_WRITES,
	L_DELETES,
	L_ACCESSES,
	L_FAILED,
	L_LOST,
	L_EXIT_CODE,
	L_COUNT
};

/* A path or executable pattern after brace and "~" expansion. "$CWD" at its
 * start is kept apart (cwd set) and filled in from the receipt. */
struct pathpat {
	char *text; /* the pattern, without the "$CWD" prefix when cwd */
	int cwd;
};

/* A network pattern. Addresses live in one 128-bit space where IPv4 a.b.c.d
 * is ::ffff:a.b.c.d, so IPv4 patterns also match IPv4-mapped IPv6 peers. */
enum { NP_ANY, NP_CIDR, NP_LOCALHOST, NP_HOST, NP_UNIX };
struct portrange {
	uint32_t lo, hi;
};
struct netpat {
	int kind;
	unsigned char addr[16];
	int plen;
	char *text;		/* NP_HOST: lowercase host glob; NP_UNIX: path glob */
	struct gh_glob *glob;	/* NP_UNIX */
	struct portrange *ports;	/* none: any port */
	size_t nports;
};

/* Result filters (result=...). */
enum { R_ANY, R_LIST };

struct rule {
	int kind;
	const char *file; /* borrowed from struct policy's files */
	unsigned long line;
	char *text;		/* the statement as written, without comment */
	uint32_t subjects;	/* bit (1u << S_x) per subject named */
	char *subject_word;	/* the subjects as written ("read,write") */
	struct pathpat *pats;	/* path and exec rules */
	size_t npats;
	char **args;		/* exec, xattr, signal: argument globs,
				 * alternatives; NULL: any */
	size_t nargs;
	char **words;		/* FAM_WORD: wildcard patterns, alternatives */
	size_t nwords;
	struct netpat *nets;	/* network rules: alternatives */
	size_t nnets;
	uint32_t protos;	/* bit per protocol; 0: any */
	int res_mode;
	int res_ok, res_failed;	/* result=ok, result=failed */
	char **results;		/* other result names listed */
	size_t nresults;
	int field;		/* limit */
	int64_t max;
	char key[GH_SHA256_HEX]; /* require signed KEY; "" for any key */
	int off;		/* a built-in rule lifted by the rules */
	int lexical;		/* allow ... path_status=lexical */
};

struct rules_file {
	char *path;
	char sha256[GH_SHA256_HEX];
};

struct policy {
	struct rule *rules;
	size_t nrules, caprules;
	struct rules_file *files; /* [0] is the main file, then includes */
	size_t nfiles, capfiles;
	int has_default[S_COUNT];
	size_t default_rule[S_COUNT];
};

/* Parse and compile the rules file at path ("-" or NULL: stdin) with its
 * includes. Returns 0, or -1 with the message ("FILE:LINE: expected ...,
 * got ...", or "FILE: reason") in err. */
int policy_load(struct policy *p, const char *path, char *err, size_t errlen);
void policy_release(struct policy *p);

/* protocols named in proto=... */
enum { P_TCP, P_UDP, P_UNIX, P_ICMP, P_OTHER, P_COUNT };
int proto_bit(const char *name, size_t len);

/* net.c */
/* Parse one network pattern (no braces left). 0, or -1 with "expected ...,
 * got ..." in err. */
int netpat_parse(const char *s, struct netpat *np, char *err, size_t errlen);
void netpat_release(struct netpat *np);
/* A network peer or local address from a receipt. */
struct netaddr {
	int kind; /* NA_IP, NA_UNIX, NA_OTHER */
	unsigned char addr[16];
	uint32_t port;
	const char *unix_path; /* NA_UNIX: after "unix:" */
	size_t unix_len;
	const char *host; /* a host name the receipt recorded, or NULL */
	const struct gh_jv *names; /* names DNS answered the address for
				    * (array of strings, borrowed), or NULL */
	int names_known;	/* the receipt records names (network.dns) */
};
enum { NA_IP, NA_UNIX, NA_OTHER };
void netaddr_parse(const char *dst, size_t len, struct netaddr *a);
int netpat_match(const struct netpat *np, const struct netaddr *a);
/* Whether a host name pattern np would have to judge a's name without
 * knowing it: the receipt records names, but none for a, and the port
 * matches. */
int netpat_name_unknown(const struct netpat *np, const struct netaddr *a);

/* Wildcard match of a whole string: '*' any run (including '/'), '?' one
 * byte, [...] classes, \c literal. Linear in practice, O(n*m) at worst. */
int wild_match(const char *pat, const char *s, size_t len);
/* ASCII case-insensitive variant, for host names. */
int wild_match_icase(const char *pat, const char *s, size_t len);
/* Whether argv[from..] (strings) matches an exec ARGS pattern word by
 * word: its words are separated by single spaces (not escaped, not in
 * a class), each matches one whole argument as wild_match does, a word
 * "**" any number of whole arguments; "" matches no argument. */
int args_match(const char *pat, const struct gh_jv *argv, size_t from);

/* One violation. */
struct violation {
	size_t rule;
	const char *subject; /* the subject the item was judged as */
	const char *item; /* borrowed; NULL for limit and require */
	size_t item_len;
	char *detail;	/* "[op=... result=...]" or NULL (owned) */
	const char *op, *result, *proto, *other, *other_key; /* borrowed */
	int has_pid;
	int64_t pid;
	const char *cmd; /* borrowed */
	size_t cmd_len;
	int64_t value;	/* limit: measured value; -1: not recorded */
	char *note;	/* require: what was found (owned) */
	char *message;	/* filled by verdict_finish (owned) */
	const char *status; /* judged conservatively: the path_status */
	size_t by;	/* where " by pid ..." starts in message */
};

/* Violations of one rule by one item (the same subject and detail), from
 * v[first] to v[first + n - 1]: one line of the default output. */
struct group {
	size_t first, n;
	char *message;
};

struct verdict {
	struct violation *v;
	size_t n, cap;
	struct group *g;	/* filled by verdict_finish */
	size_t ng;
	size_t nrules;		/* distinct rules violated */
	char **owned; /* strings violations borrow (commands) */
	size_t nowned;
	int allow_redacted;	/* in: judge masked items (see judge_masked) */
	size_t masked;		/* out: items with a masked value */
	/* statistics for --stats */
	size_t items;
	double ms_index, ms_eval;
};

/* The number of values gh-redact says it masked in r (the counts of its
 * "redactions" member), 0 when none. */
int64_t receipt_redactions(const struct gh_jv *r);

/* Evaluate p against receipt r (lib/jv's tree, read through
 * lib/receipt). Returns 0, or -1 with a message such as
 * "filesystem.accesses[3].path: expected a string" in err (a bad receipt).
 * Violations borrow strings from r's document. */
int policy_eval(struct policy *p, const struct gh_jv *r, struct verdict *v,
		char *err, size_t errlen);
/* Sort, deduplicate and format the messages. 0 or -ENOMEM. */
int verdict_finish(const struct policy *p, struct verdict *v);
void verdict_release(struct verdict *v);

/* report.c: the text lines, the JSON verdict object, the annotation. */
int report_text(const struct verdict *v, int verbose, struct gh_buf *out);
/* "N violations of M rules; K items" */
int report_tally(const struct verdict *v, struct gh_buf *out);
struct json_object *report_json(const struct policy *p, const struct verdict *v,
				const char *rules_name);
/* Put the verdict into r's "policy" member and the paths of file
 * violations into filesystem.policy_violations. */
int report_annotate(const struct policy *p, const struct verdict *v,
		    struct json_object *r, const char *rules_name);

/* learn.c: a rules file every receipt r[0..n) passes (--learn). */
struct learn_opts {
	size_t fold_files;	/* fold a directory with this many names */
	size_t fold_runs;	/* ... or used by this many runs, differently */
};
/* -EBADMSG: r[*bad] holds values gh-redact masked; -EDESTADDRREQ: r[*bad]
 * has a peer no network pattern names (where it is, and its address, in
 * why). */
int policy_learn(const struct gh_jv **r, size_t n, const struct learn_opts *o,
		 struct gh_buf *out, size_t *bad, char *why, size_t whylen);

/* Append s[0..len) escaped as gh_term_esc does (\\, \n, \t, \r, \xHH,
 * \u202e, ...), so that a message stays on one line and shows its items. */
int esc_add(struct gh_buf *b, const char *s, size_t len);

#endif
