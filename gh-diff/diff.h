/* gh-diff internals: what one run did, as sorted sets of strings
 * (runset.c), compared by main.c.
 *
 * Ownership: a struct runset owns its strings; it borrows nothing from the
 * receipt it was built from after runset_build returns.
 */
#ifndef GH_DIFF_H
#define GH_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "receipt.h"

struct strset {
	char **v;
	size_t n, cap;
};

/* The sets gh-diff compares. */
enum { S_EXEC, S_WRITTEN, S_DELETED, S_PEERS, S_COUNT };

struct runset {
	struct strset s[S_COUNT];
	int has_code, has_sig;
	int64_t code, sig;
	char *completeness; /* "closed", "partial", or NULL (v0) */
};

/* Build the sets of a receipt, with paths under the run's working
 * directory written $CWD/... and the temporary directories and files it
 * made directly in /tmp, /var/tmp or /dev/shm written $TMP. -EINVAL
 * (message in r->err) or -ENOMEM. */
int runset_build(struct runset *rs, struct gh_receipt *r);
void runset_release(struct runset *rs);
const char *set_name(int s);

#endif
