/* Turning kernel records (bpf/trace.h) into gh-events(5) JSON lines. */
#ifndef GH_TRACE_EVENT_H
#define GH_TRACE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "gh.h"

/* Append the JSON line (with its newline) for one ring buffer record of
 * size bytes; t0 is the monotonic time of the header. Returns 1 when a
 * line was added, 0 for a record that makes no line, -EINVAL for a
 * malformed record, -ENOMEM; on failure b is as it was before the call,
 * its error (b->err) cleared. */
int event_format(struct gh_buf *b, const void *rec, size_t size, uint64_t t0);
/* Join an io_uring submission record and its completion record into the
 * record of the finished operation (in *out, malloc'ed). 0 or -errno. */
int event_uring_join(const void *sub, size_t ssize, const void *done,
		     size_t dsize, void **out, size_t *osize);
/* The name of x86_64 syscall nr, or NULL. */
const char *event_sys_name(unsigned nr);

/* JSON member helpers shared with the header and end lines. Each appends
 * ,"key":value (no comma when b ends with '{'). Strings that are not
 * valid UTF-8 also get ,"key_hex":"<raw bytes in hex>". Each returns
 * b->err: a failure is kept there (struct gh_buf), so a writer may append
 * a whole line and check b->err once. */
int jw_key(struct gh_buf *b, const char *key);
int jw_str(struct gh_buf *b, const char *key, const char *s, size_t len);
int jw_int(struct gh_buf *b, const char *key, int64_t v);
int jw_bool(struct gh_buf *b, const char *key, int v);
int jw_null(struct gh_buf *b, const char *key);
/* ,"key":[...] from n strings each NUL terminated in s[0..len) (the last
 * one may lack its NUL); with "key_hex" when any is not valid UTF-8. */
int jw_strv(struct gh_buf *b, const char *key, const char *s, size_t len);

/* Lexically normalized absolute path of name, relative to base (which
 * must be absolute, or NULL for a name that is itself absolute). Returns
 * out->err. */
int path_join(struct gh_buf *out, const char *base, size_t blen,
	      const char *name, size_t nlen);

#endif
