/* What the filters accept as input, checked once for all of them: which
 * format a value is (a receipt, a gh-events(5) record, other JSON), the
 * type of every receipt member gh-receipt(5) names, and bounds on what is
 * read.
 *
 * Ownership: err buffers are the caller's; gh_read_* hand a malloc'ed,
 * NUL-terminated buffer to the caller.
 */
#ifndef GH_INPUT_H
#define GH_INPUT_H

#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#include "json.h"
#include "jv.h"

/* At most this many bytes of one receipt, or of one input that a filter
 * reads whole (256 MiB): beyond it the input is refused, not buffered. */
#define GH_INPUT_MAX GH_JSON_MAX_VALUE
/* At most this many bytes of a key, rules or include file (16 MiB). */
#define GH_FILE_MAX ((size_t)16 << 20)

/* 0 when o is a receipt whose members named in gh-receipt(5) have their
 * types (unknown members are not looked at); else -EINVAL and in err one
 * of: "this is a gh-events stream; run gh-aggregate first",
 * "not a receipt: expected a JSON object, not an array",
 * "not a receipt: no \"version\" or \"execution_id\" member",
 * "process_tree[3].argv: expected an array of strings",
 * "process_tree[0].pid: expected a process id (0 to 2147483647)".
 * -ENOMEM when out of memory. Members are looked at in document order.
 * One check, for a json-c value or for lib/jv's tree (nothing copied). */
int gh_receipt_check(struct json_object *o, char *err, size_t errlen);
int gh_receipt_check_jv(const struct gh_jv *o, char *err, size_t errlen);

/* Read f (named name in messages) whole, at most max bytes. With json
 * set, the first byte that is not JSON white space must be one that can
 * start a JSON value, and anything else is refused at once: endless binary
 * input is not buffered. Returns 0, or -1 with a message in err:
 * "NAME:LINE: unexpected byte 0x00, expected a JSON value",
 * "NAME: more than 256 MiB of input", "NAME: read error: ...",
 * "out of memory". */
int gh_read_input(FILE *f, const char *name, size_t max, int json, char **out,
		  size_t *len, char *err, size_t errlen);

/* Open path for reading only when it is a regular file (opened without
 * blocking, so that a FIFO without writer is refused, not waited on).
 * Returns a stream, or NULL with errno set: EINVAL for a FIFO, device or
 * socket, EISDIR for a directory, else open(2)'s. */
FILE *gh_open_regular(const char *path);

/* Read the regular file path whole, at most max bytes. Returns 0, or -1
 * with "PATH: not a regular file", "PATH: more than 16 MiB of input" or
 * "PATH: REASON" in err. */
int gh_read_regular(const char *path, size_t max, char **out, size_t *len,
		    char *err, size_t errlen);

/* "256 MiB", "16 MiB": a limit for messages (static buffer). */
const char *gh_size_str(size_t n);

#endif
