// Path globs with path-component semantics, compiled once, matched often.
//
//   *      any run of characters within one component (never '/')
//   ?      one character other than '/'
//   [...]  a character class ([a-z], [!x]); never matches '/'
//   **     as a whole component: zero or more whole components
//          ("/a/**" matches "/a" and everything below it; "/**" matches every
//          absolute path; "**" alone matches anything)
//   \c     the character c literally
// A pattern matches the whole path: "/secret" matches "/secret" only, never
// "/secretary" nor "/secret/x" (write "/secret/**" for the tree).
//
// Ownership: gh_glob_compile returns a new object released by gh_glob_free.
#ifndef GH_GLOB_H
#define GH_GLOB_H

#include <stddef.h>

struct gh_glob;
/* 0, or -EINVAL for a malformed pattern (e.g. an unclosed '['), or -ENOMEM. */
int gh_glob_compile(const char *pattern, struct gh_glob **out);
/* 1 when path[0..len) matches, else 0. Never allocates. */
int gh_glob_match(const struct gh_glob *g, const char *path, size_t len);
/* The number of components (1 + the number of '/') of every path that
 * matches, or 0 when it varies (a "**" component) or for the empty
 * pattern: a caller can pass over paths of another depth at once. */
size_t gh_glob_ncomps(const struct gh_glob *g);
const char *gh_glob_pattern(const struct gh_glob *g);
void gh_glob_free(struct gh_glob *g);

#endif
