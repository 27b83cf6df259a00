/* Paths whose access says a run touched secrets: keys, credentials,
 * tokens, shell histories, the system's password files and other
 * processes' environments. One list for every program that looks for
 * them (gh-show reports accesses to them, gh-redact --sensitive masks
 * them).
 *
 * Patterns are lib/glob.h globs; a leading "~/" stands for any home
 * directory and is expanded to "/root/" and "/home/STAR/" (STAR being
 * '*').
 *
 * Ownership: gh_sensitive_globs is static; gh_sensitive_new returns a
 * new set released by gh_sensitive_free.
 */
#ifndef GH_SENSITIVE_H
#define GH_SENSITIVE_H

#include <stddef.h>

/* NULL terminated. */
extern const char *const gh_sensitive_globs[];

struct gh_sensitive;
/* 0, or -ENOMEM. */
int gh_sensitive_new(struct gh_sensitive **out);
/* The pattern (as written in gh_sensitive_globs) that path[0..len)
 * matches, or NULL. */
const char *gh_sensitive_match(const struct gh_sensitive *s, const char *path,
			       size_t len);
/* The expanded globs one by one (i from 0): 1 and *glob set, or 0 at the
 * end. */
int gh_sensitive_glob(const struct gh_sensitive *s, size_t i, const char **glob);
void gh_sensitive_free(struct gh_sensitive *s);

#endif
