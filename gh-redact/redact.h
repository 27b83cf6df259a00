/* gh-redact internals: finding what to mask in strings (rules.c) and where
 * strings stand in a receipt (receipt.c).
 *
 * Detection never changes a string: detectors add spans (byte ranges of the
 * original string, each with the rule that found it) and spans_apply()
 * writes the new string once, so every masked byte range is gone from the
 * output whatever rules overlapped on it.
 */
#ifndef GH_REDACT_H
#define GH_REDACT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "gh.h"
#include "glob.h"

#define REDACTED "[REDACTED]"
/* "[HMAC:" + 16 hex + "]" */
#define HMAC_HEX 16

/* Paths longer than this are never looked for inside longer strings. */
#define SCAN_PATH_MAX 4096
/* Delimiters (':', ',', '=', ']', '}') a path written inside a longer
 * string may contain, at most. */
#define SCAN_ENDS_MAX 16
/* Glob matches tried per string (each over at most SCAN_PATH_MAX bytes);
 * past that, the rest of the string is masked rather than scanned. */
#define SCAN_BUDGET 65536
/* Masked values shorter than this are not searched for elsewhere. */
#define SWEEP_MIN 6

struct span {
	size_t start, end;
	const char *rule; /* NULL: a --home rewrite to "~" */
};

struct spans {
	struct span *v;
	size_t n, cap;
};

/* Rules that fired and how many values each masked. */
struct tally {
	struct tally_ent {
		char *rule;
		long count;
	} *v;
	size_t n, cap;
};

/* A value that was masked, remembered so that the same bytes can be masked
 * wherever else they occur in the receipt. */
struct masked {
	char *s;
	size_t len;
	uint64_t h;	/* FNV-1a of s[0..len) */
	const char *rule;
};

/* The lengths of masked values that start with the same SWEEP_MIN bytes
 * (by their hash ph): one group per start and length. */
struct mgroup {
	uint32_t ph, len, next;
};

struct redactor {
	/* -m GLOB: the compiled globs and their rule names ("-m GLOB") */
	struct gh_glob **globs;
	char **glob_rules;
	size_t nglobs;
	int secrets;		/* default secret rules on */
	int home_rewrite;	/* --home */
	const unsigned char *key; /* --hash-key: HMAC key, else NULL */
	size_t keylen;

	/* per receipt */
	char *home;		/* home directory (no trailing '/'), or NULL */
	size_t home_len;
	struct tally tally;
	struct masked *masked;
	size_t nmasked, capmasked;
	/* masked[] by the hash of the whole value: chains of indices
	 * (mhead[bucket], then mnext[i]; MASKED_NONE ends one) */
	uint32_t *mhead, *mnext;
	size_t mcap;
	/* groups[] by the hash of their first SWEEP_MIN bytes, each chain
	 * sorted by length: at each byte the sweep hashes the bytes there
	 * once, up to the longest length that starts alike, and looks up
	 * one value per length, not every value that starts alike */
	struct mgroup *groups;
	size_t ngroups, capgroups;
	uint32_t *ghead;
	size_t gcap;
};

#define MASKED_NONE UINT32_MAX

/* spans */
int spans_add(struct spans *sp, size_t start, size_t end, const char *rule);
void spans_release(struct spans *sp);
/* Write s with its spans replaced into out (reset first): masked ranges
 * become "[REDACTED]" or "[HMAC:...]", home prefixes "~". Overlapping
 * ranges merge (a mask wins over a home rewrite; the earliest-added rule
 * names the merged range). Each written range adds 1 to its rule in t and
 * is remembered in r->masked. Returns the number of ranges written, or
 * -ENOMEM. */
int spans_apply(struct redactor *r, const char *s, size_t len,
		struct spans *sp, struct gh_buf *out, struct tally *t);

/* tallies */
int tally_add(struct tally *t, const char *rule, long n);
int tally_merge(struct tally *dst, const struct tally *src);
void tally_release(struct tally *t);

/* Detectors (rules.c). Each adds spans for s[0..n) and returns 0 or
 * -ENOMEM. */
/* The first -m rule whose glob matches the whole of s, or NULL. */
const char *match_path(const struct redactor *r, const char *s, size_t n);
/* A string that is one path: masked whole when a glob matches, else home
 * prefix and secret shapes. */
int detect_path(const struct redactor *r, const char *s, size_t n,
		struct spans *sp);
/* Free text: absolute paths found inside it, home prefixes, secret shapes. */
int detect_text(const struct redactor *r, const char *s, size_t n,
		struct spans *sp);
/* A command line: argv[0..argc) with their lengths, the working directory
 * it ran in (NULL if unknown). sps[i] receives element i's spans. Adds
 * detect_text for every element, relative paths resolved against cwd,
 * and (when secrets are on) option values and NAME=VALUE secrets, also
 * inside elements that hold a shell command. */
int detect_argv(const struct redactor *r, const char *const *argv,
		const size_t *lens, size_t argc, const char *cwd,
		struct spans *sps);
/* One NAME=VALUE environment entry, or name and value apart (name_len ==
 * (size_t)-1 means s is "NAME=VALUE"): masks the value when the name says
 * secret. */
int detect_env(const struct redactor *r, const char *name, size_t name_len,
	       const char *s, size_t n, struct spans *sp);
/* Occurrences of already masked values (the sweep). */
int detect_masked(const struct redactor *r, const char *s, size_t n,
		  struct spans *sp);

/* Normalize base + "/" + rel (or rel alone when absolute) into out:
 * no ".", "..", "//". Returns 0 or -ENOMEM. */
int path_join(struct gh_buf *out, const char *base, const char *rel,
	      size_t rel_len);

/* Receipts (receipt.c): redact receipt, a json-c copy of rr (which
 * gh_receipt_init accepted), in place; where its strings stand is rr's to
 * say. Returns the number of earlier "redactions" entries dropped for not
 * being {"rule", "count"} (0 normally), -1 with a message in err ("out of
 * memory"), or -2 with a located message of lib/receipt in err ("NAME:3:
 * process_tree[0].execs[1]: expected an object"). */
struct gh_receipt;
int redact_receipt(struct redactor *r, struct gh_receipt *rr,
		   struct json_object *receipt, char *err, size_t errlen);
void redactor_reset(struct redactor *r);

/* The replacement for a masked value (main.c owns the key). */
int mask_text(const struct redactor *r, const char *s, size_t n,
	      struct gh_buf *out);

#endif
