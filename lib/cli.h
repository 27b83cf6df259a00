/* What the command lines of the receipt filters share: a usage error
 * answered alike by each, and the receipt operand opened and read.
 *
 * Ownership: gh_receipt_read_file fills a struct gh_receipt that the
 * caller releases with gh_receipt_release, on failure too.
 */
#ifndef GH_CLI_H
#define GH_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "receipt.h"

/* "gh-NAME: MESSAGE" and "usage: gh-NAME SYNOPSIS" on stderr, then exit
 * with GH_EXIT_ERR. For programs only, as gh_die. */
void gh_usage_error(const char *synopsis, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* What getopt_long's answer C means, for a program that set opterr = 0
 * and starts its optstring with ':' (after any '+'): "option 'OPT' needs
 * an argument" for ':', else "option 'OPT' takes no argument" (--OPT=VALUE
 * of an option without one), "option 'OPT' is ambiguous" (an
 * abbreviation of several) or "unknown option 'OPT'", OPT as the user
 * typed it (a long option up to any '=', a short one alone even inside a
 * group such as -qx). longopts is the table given to getopt_long; buf
 * holds the message, which is returned. */
const char *gh_option_error(int c, char *const argv[], const struct option *longopts,
			    char *buf, size_t size);

/* gh_usage_error with gh_option_error's message: how every program
 * answers getopt_long's '?' or ':' (C). For programs only. */
void gh_bad_option(const char *synopsis, int c, char *const argv[],
		   const struct option *longopts) __attribute__((noreturn));

/* Read the receipt path names (NULL or "-": stdin) into r: opened with
 * gh_open_input, a directory refused, then gh_receipt_load. Returns 0, or
 * a negative errno with "NAME: reason" or "NAME:LINE: reason" in r->err. */
int gh_receipt_read_file(struct gh_receipt *r, const char *path);

#endif
