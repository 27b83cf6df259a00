/* Absolute paths as text: the form gh-trace writes (no empty, "." or
 * ".." component, no trailing slash), and a path brought to it.
 *
 * Receipts hold paths in that form; one that is not was edited on its
 * way, and a filter that compares or judges paths takes it for the path
 * it names, so that "/w/../etc/shadow" is no other file than
 * "/etc/shadow".
 */
#ifndef GH_PATH_H
#define GH_PATH_H

#include <stddef.h>

#include "gh.h"

/* 1 when p[0..len) starts with '/' and has an empty, "." or ".."
 * component or a trailing slash ("/" alone has none), else 0. */
int gh_path_odd(const char *p, size_t len);

/* p[0..len) (absolute) with "//", "." and ".." applied as text ("/.." is
 * "/"), as gh-trace writes lexical paths, into b (its content replaced,
 * NUL terminated). 0 or -ENOMEM. */
int gh_path_lex(struct gh_buf *b, const char *p, size_t len);

#endif
