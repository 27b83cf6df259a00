/* gh-trace: kernel records to gh-events(5) lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <linux/types.h>
#include <linux/vm_sockets.h>

#include "event.h"
#include "json.h"
#include "dns.h"
#include "../bpf/trace.h"
#include "../bpf/systab.h"

#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif

#ifndef MS_BIND
#define MS_BIND 4096
#endif

struct blob {
	const char *p;	/* NULL when absent */
	size_t len;
	unsigned fl;
};

/* Every writer here appends to b and leaves a failure in b->err (sticky:
 * later calls add nothing); event_format checks it once per record. */

/* Room for n more bytes and a NUL at the end of b, or NULL once b has
 * failed: a member is written in place, in one piece. */
static inline char *room(struct gh_buf *b, size_t n)
{
	if (!b->err && n < b->cap - b->len)
		return b->p + b->len;
	return gh_buf_grow(b, n) < 0 ? NULL : b->p + b->len;
}

/* The end of a piece written in place at p. */
static inline void done(struct gh_buf *b, char *p)
{
	*p = '\0';
	b->len = (size_t)(p - b->p);
}

/* A failure building a scratch buffer fails the record. */
static void take_err(struct gh_buf *b, const struct gh_buf *from)
{
	if (from->err && !b->err)
		b->err = from->err;
}

/* The member writers are inlined where they are called here, so that the
 * length of a literal key is known there. */
#define INLINE inline __attribute__((always_inline))

INLINE int jw_key(struct gh_buf *b, const char *key)
{
	size_t n = strlen(key);
	char *p = room(b, n + 4);

	if (!p)
		return b->err;
	if (b->len && p[-1] != '{' && p[-1] != '[')
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	done(b, p);
	return 0;
}

static void hex_str(struct gh_buf *b, const char *s, size_t len)
{
	if (gh_buf_grow(b, 2 * len + 2) < 0)
		return;
	b->p[b->len++] = '"';
	gh_hex((const unsigned char *)s, len, b->p + b->len);
	b->len += 2 * len;
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

/* s as a JSON string (gh_buf_json_str's); 1 when it is valid UTF-8. Most
 * are printable ASCII, copied as they are checked. */
static int str_val(struct gh_buf *b, const char *s, size_t len)
{
	char *p = room(b, len + 2);
	size_t i;

	if (!p)
		return 1;
	*p++ = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			break;
		p[i] = (char)c;
	}
	if (i == len) {
		p[len] = '"';
		done(b, p + len + 1);
		return 1;
	}
	gh_buf_json_str(b, s, len);
	return gh_utf8_valid(s, len);
}

/* "key_hex", the bytes of a string that is not valid UTF-8. */
static void str_hex(struct gh_buf *b, const char *key, const char *s, size_t len)
{
	char hkey[64];

	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	jw_key(b, hkey);
	hex_str(b, s, len);
}

INLINE int jw_str(struct gh_buf *b, const char *key, const char *s, size_t len)
{
	jw_key(b, key);
	if (!str_val(b, s, len))
		str_hex(b, key, s, len);
	return b->err;
}

/* An integer in decimal: a digit loop, not vsnprintf (every record has
 * several, and formatting is most of gh-trace's time per record). */
static inline void put_int(struct gh_buf *b, int64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
		10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull,
		10000000000000000000ull,
	};
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char *p = room(b, 20);
	unsigned n, k;

	if (!p)
		return;
	/* the digits, counted without a division (log10 from the bit
	 * length, 1233 / 4096 being log10(2)), then two at a time */
	n = (64u - (unsigned)__builtin_clzll(u | 1)) * 1233 >> 12;
	n += u >= pow10[n];
	n += !n;
	if (v < 0)
		*p++ = '-';
	for (k = n; u >= 100; u /= 100) {
		k -= 2;
		memcpy(p + k, pairs + 2 * (u % 100), 2);
	}
	if (u >= 10)
		memcpy(p, pairs + 2 * u, 2);
	else
		p[0] = (char)('0' + u);
	done(b, p + n);
}

INLINE int jw_int(struct gh_buf *b, const char *key, int64_t v)
{
	jw_key(b, key);
	put_int(b, v);
	return b->err;
}

INLINE int jw_bool(struct gh_buf *b, const char *key, int v)
{
	jw_key(b, key);
	return gh_buf_adds(b, v ? "true" : "false");
}

INLINE int jw_null(struct gh_buf *b, const char *key)
{
	jw_key(b, key);
	return gh_buf_adds(b, "null");
}

int jw_strv(struct gh_buf *b, const char *key, const char *s, size_t len)
{
	size_t i, n, bad = 0;
	char hkey[64];

	jw_key(b, key);
	gh_buf_addc(b, '[');
	for (i = 0; i < len; i += n + 1) {
		n = strnlen(s + i, len - i);
		if (i)
			gh_buf_addc(b, ',');
		bad += !str_val(b, s + i, n);
	}
	gh_buf_addc(b, ']');
	if (!bad)
		return b->err;
	/* argv_hex: one member per element, null where it is valid */
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	jw_key(b, hkey);
	gh_buf_addc(b, '[');
	for (i = 0; i < len; i += n + 1) {
		n = strnlen(s + i, len - i);
		if (i)
			gh_buf_addc(b, ',');
		if (gh_utf8_valid(s + i, n))
			gh_buf_adds(b, "null");
		else
			hex_str(b, s + i, n);
	}
	return gh_buf_addc(b, ']');
}

/* Append one component, applying "." and ".." lexically. */
static void push_component(struct gh_buf *out, size_t root, const char *c,
			   size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.') || out->err)
		return;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (out->len > root && out->p[out->len - 1] != '/')
			out->len--;
		if (out->len > root)
			out->len--;	/* the slash */
		if (out->p)
			out->p[out->len] = '\0';
		return;
	}
	gh_buf_addc(out, '/');
	gh_buf_add(out, c, n);
}

static void push_path(struct gh_buf *out, size_t root, const char *s, size_t len)
{
	size_t i = 0, j;

	while (i < len) {
		for (j = i; j < len && s[j] != '/'; j++)
			;
		push_component(out, root, s + i, j - i);
		i = j + 1;
	}
}

int path_join(struct gh_buf *out, const char *base, size_t blen,
	      const char *name, size_t nlen)
{
	size_t root = out->len;

	if (base && (nlen == 0 || name[0] != '/'))
		push_path(out, root, base, blen);
	push_path(out, root, name, nlen);
	if (out->len == root)
		gh_buf_addc(out, '/');
	return out->err;
}

/* A kernel walk ("c\0b\0a\0", leaf first) as "/a/b/c". */
static void kpath(struct gh_buf *out, const struct blob *k)
{
	size_t end = k->len, start;

	while (end > 0 && k->p[end - 1] == '\0')
		end--;
	if (end == 0) {
		gh_buf_addc(out, '/');
		return;
	}
	for (;;) {
		start = end;
		while (start > 0 && k->p[start - 1] != '\0')
			start--;
		gh_buf_addc(out, '/');
		gh_buf_add(out, k->p + start, end - start);
		if (start == 0)
			break;
		end = start - 1;
	}
}

/* The name /proc/PID/fd gives a file of filesystem type t that is in no
 * directory, before its own name. */
static const char *object_prefix(const char *t, size_t n)
{
	static const struct {
		const char *fs, *prefix;
	} map[] = {
		{ "anon_inodefs", "anon_inode:" }, { "pipefs", "pipe:" },
		{ "sockfs", "socket:" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].fs) == n && memcmp(map[i].fs, t, n) == 0)
			return map[i].prefix;
	return NULL;
}

/* A kernel walk that did not reach the root (GH_BF_UNRES): its last
 * component is the filesystem type. A file in no directory is named as
 * /proc/PID/fd names it ("memfd:NAME", "anon_inode:[eventfd]", else
 * "FSTYPE:NAME"); a file under a mount the host does not have as
 * "FSTYPE:/path/in/it". *root is set to the length of the "FSTYPE:"
 * prefix, where a path joined to it starts. */
static void kname(struct gh_buf *out, const struct blob *k, size_t *root)
{
	struct blob in = *k;
	size_t end = k->len, start;
	const char *pre;

	*root = out->len;
	if (!(k->fl & GH_BF_UNRES)) {
		kpath(out, k);
		return;
	}
	while (end > 0 && k->p[end - 1] == '\0')
		end--;
	start = end;
	while (start > 0 && k->p[start - 1] != '\0')
		start--;
	in.len = start;	/* the components before the type */
	if (k->fl & GH_BF_OBJ) {
		while (in.len > 0 && in.p[in.len - 1] == '\0')
			in.len--;
		pre = object_prefix(k->p + start, end - start);
		if (in.len >= 6 && memcmp(in.p, "memfd:", 6) == 0)
			pre = "";
		if (pre) {
			gh_buf_adds(out, pre);
			gh_buf_add(out, in.p, in.len);
			return;
		}
	}
	gh_buf_add(out, k->p + start, end - start);
	gh_buf_addc(out, ':');
	*root = out->len;
	if (k->fl & GH_BF_OBJ)
		gh_buf_add(out, in.p, strnlen(in.p, in.len));
	else
		kpath(out, &in);
}

static int get_blob(const struct gh_event *e, size_t size, int slot,
		    struct blob *bl)
{
	size_t avail = size - sizeof(*e);

	bl->p = NULL;
	bl->len = 0;
	bl->fl = e->bflags[slot];
	if (!(bl->fl & GH_BF_PRESENT))
		return 0;
	if (e->boff[slot] > avail || e->blen[slot] > avail - e->boff[slot])
		return -EINVAL;
	bl->p = (const char *)(e + 1) + e->boff[slot];
	bl->len = e->blen[slot];
	return 0;
}

/* Every blob of a record (GH_B_*), each present one inside it. */
static int get_blobs(const struct gh_event *e, size_t size, struct blob *bl)
{
	for (int i = 0; i < GH_NBLOB; i++)
		if (get_blob(e, size, i, &bl[i]) < 0)
			return -EINVAL;
	return 0;
}

/* A scratch buffer reused from record to record, emptied: gh-trace
 * formats one record at a time, and a malloc per record costs as much as
 * formatting it. Buffer 0 is a record's path, 1 a base path (used while 0
 * is), 2 the path as the process saw it. */
static struct gh_buf *scratch(int n)
{
	static struct gh_buf s[3] = { GH_BUF_INIT, GH_BUF_INIT, GH_BUF_INIT };

	s[n].len = 0;
	s[n].err = 0;
	if (s[n].p)
		s[n].p[0] = '\0';
	return &s[n];
}

/* raw joined to the kernel path of its base directory (or, absolute, of
 * the task's root), ".." applied lexically and never above the base when
 * it is the task's root. */
static void join_base(struct gh_buf *out, const struct blob *base,
		      const struct blob *raw)
{
	struct gh_buf *b = scratch(1);
	size_t root;

	kname(b, base, &root);
	take_err(out, b);
	if (out->err)
		return;
	gh_buf_add(out, b->p, root);
	if (raw->len && raw->p[0] == '/') {
		/* the task's root: ".." stops at it */
		size_t top;

		if (b->len - root > 1)
			gh_buf_add(out, b->p + root, b->len - root);
		top = out->len;
		path_join(out, NULL, 0, raw->p, raw->len);
		if (!out->err && top > root && out->len == top + 1)
			out->p[out->len = top] = '\0';	/* the root itself */
	} else {
		path_join(out, b->p + root, b->len - root, raw->p, raw->len);
	}
}

/* How a path was found: by the kernel's walk, or otherwise. */
enum { PS_KERNEL, PS_LEXICAL, PS_UNRESOLVED, PS_INCOMPLETE };

static const char *const status_names[] = {
	[PS_LEXICAL] = "lexical", [PS_UNRESOLVED] = "unresolved",
	[PS_INCOMPLETE] = "incomplete",
};

/* The absolute path of a record's object: the kernel's when it has one,
 * else raw resolved lexically against its base directory (the task's
 * root for an absolute name in a chroot). seen: the task's view of the
 * kernel path or of the base, when the kernel walked it too. Returns 1
 * when out holds a path (and seen_out the task's view, when it was
 * walked), 0 when it cannot be known (e.g. a bad dirfd). */
/* A path joined from the argument names the file the kernel acted on
 * only when no symbolic link or ".." on the way led elsewhere. Look, in
 * gh-trace's own view, just after the call: the argument joined to its
 * base as it was given (".." not applied), its directory (or, for a call
 * that follows a last symbolic link, all of it) resolved by realpath(3).
 * When that names another file, it replaces out and the lexical path
 * goes to seen_out (unless the task's view is there already). Paths
 * under /proc name other files from here (self) and are left alone. */
/* Whether resolving path (in gh-trace's own process) goes through a
 * magic link of /proc (/dev/fd/N, /dev/stdout, /proc/self/cwd reached
 * through a symbolic link...): such a link names gh-trace's own file, not
 * the command's, so the path cannot be checked here. */
static int via_magic_link(const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ELOOP;
}

static void recheck(struct gh_buf *out, struct gh_buf *seen_out,
		    const struct blob *raw, const struct blob *kp, int follow)
{
	struct gh_buf j = GH_BUF_INIT, r = GH_BUF_INIT;
	const char *last = NULL;
	size_t root, dlen, llen = 0;
	char *real = NULL;

	if (raw->len && raw->p[0] == '/' && kp->p && (kp->fl & GH_BF_BASE)) {
		kname(&j, kp, &root);
	} else if (raw->len && raw->p[0] != '/') {
		kname(&j, kp, &root);
		gh_buf_addc(&j, '/');
	}
	gh_buf_add(&j, raw->p, raw->len);
	if (j.err || out->err)
		goto done;
	if (j.len == 0 || j.p[0] != '/' || memchr(j.p, '\0', j.len) ||
	    (j.len >= 6 && memcmp(j.p, "/proc/", 6) == 0) ||
	    (out->len >= 6 && memcmp(out->p, "/proc/", 6) == 0))
		goto done;
	dlen = j.len;
	while (dlen > 1 && j.p[dlen - 1] == '/')
		dlen--;
	if (!follow) {
		last = memrchr(j.p, '/', dlen);
		llen = dlen - (last - j.p) - 1;
		last++;
		if ((llen == 1 && last[0] == '.') ||
		    (llen == 2 && last[0] == '.' && last[1] == '.') || !llen) {
			follow = 1;
		} else {
			/* the name itself, then its directory alone */
			if (gh_buf_add(&r, last, llen) < 0)
				goto done;
			dlen = last - j.p > 1 ? (size_t)(last - j.p - 1) : 1;
		}
	}
	j.p[dlen] = '\0';
	if (via_magic_link(j.p))
		goto done;
	real = realpath(j.p, NULL);
	if (!real)
		goto done;
	if (!follow) {
		size_t n = strlen(real);

		if (gh_buf_grow(&r, n + 1) < 0)
			goto done;
		memmove(r.p + n + (n > 1), r.p, r.len);
		memcpy(r.p, real, n);
		if (n > 1)
			r.p[n] = '/';
		r.len += n + (n > 1);
		r.p[r.len] = '\0';
	} else if (gh_buf_adds(&r, real) < 0) {
		goto done;
	}
	if (r.len != out->len || memcmp(r.p, out->p, r.len)) {
		if (!seen_out->len)
			gh_buf_add(seen_out, out->p, out->len);
		out->len = 0;
		gh_buf_add(out, r.p, r.len);
	}
done:
	take_err(out, &j);
	take_err(out, &r);
	free(real);
	gh_buf_release(&j);
	gh_buf_release(&r);
}

/* A name of one component ("f", not ".", "..", "a/b" or "f/"). */
static int single_name(const struct blob *raw)
{
	return raw->len && !memchr(raw->p, '/', raw->len) &&
	       !(raw->len == 1 && raw->p[0] == '.') &&
	       !(raw->len == 2 && raw->p[0] == '.' && raw->p[1] == '.');
}

/* "/", "//"...: the task's root itself, which no link or ".." can move. */
static int root_name(const struct blob *raw)
{
	size_t i = 0;

	while (i < raw->len && raw->p[i] == '/')
		i++;
	return raw->len && i == raw->len;
}

/* follow: -1 no recheck (the call failed, or the name is the kernel's);
 * 1 the call follows a symbolic link as last component; 0 it does not;
 * NAME_EXACT, NAME_EXACT_FAILED: it does not, and a single name in a
 * directory the kernel walked (its base) is the object itself (see
 * name_follow), recorded as kernel-resolved without a recheck. */
enum { NAME_EXACT = 2, NAME_EXACT_FAILED = 3 };

static int resolve(struct gh_buf *out, struct gh_buf *seen_out,
		   const struct blob *raw, const struct blob *kp,
		   const struct blob *seen, int *incomplete, int *status,
		   int follow)
{
	size_t root;
	unsigned fl;
	int exact = follow == NAME_EXACT || follow == NAME_EXACT_FAILED;

	if (exact)
		follow = follow == NAME_EXACT ? 0 : -1;

	if (kp->p && (kp->fl & GH_BF_FULL)) {
		*incomplete |= !!(kp->fl & GH_BF_TRUNC);
		*status = kp->fl & GH_BF_TRUNC ? PS_INCOMPLETE :
			  kp->fl & GH_BF_UNRES ? PS_UNRESOLVED : PS_KERNEL;
		kname(out, kp, &root);
		if (seen->p)
			kname(seen_out, seen, &root);
		return 1;
	}
	if (!raw->p)
		return 0;
	*incomplete |= !!(raw->fl & GH_BF_TRUNC);
	fl = raw->fl & GH_BF_TRUNC;
	if (raw->len && raw->p[0] == '/' && !(kp->p && (kp->fl & GH_BF_BASE))) {
		*status = fl ? PS_INCOMPLETE : root_name(raw) ? PS_KERNEL :
			  PS_LEXICAL;
		path_join(out, NULL, 0, raw->p, raw->len);
		if (follow >= 0 && !fl)
			recheck(out, seen_out, raw, kp, follow);
		return 1;
	}
	if (!kp->p || !(kp->fl & GH_BF_BASE))
		return 0;
	*incomplete |= !!(kp->fl & GH_BF_TRUNC);
	fl |= kp->fl & GH_BF_TRUNC;
	*status = fl ? PS_INCOMPLETE : kp->fl & GH_BF_UNRES ? PS_UNRESOLVED :
		  PS_LEXICAL;
	join_base(out, kp, raw);
	if (raw->len && raw->p[0] == '/')
		path_join(seen_out, NULL, 0, raw->p, raw->len);
	else if (seen->p)
		join_base(seen_out, seen, raw);
	if (*status == PS_LEXICAL && ((exact && single_name(raw)) || root_name(raw)))
		*status = PS_KERNEL;
	if (*status == PS_LEXICAL && follow >= 0)
		recheck(out, seen_out, raw, kp, follow);
	return 1;
}

/* "KEY_seen" (the task's view, when it differs) and "KEY_status" (how
 * the path was found, when not by the kernel's walk to the root). */
static void add_view(struct gh_buf *b, const char *pkey, const struct gh_buf *p,
		     const struct gh_buf *seen, int status)
{
	char key[32];

	take_err(b, p);
	take_err(b, seen);
	if (b->err)
		return;
	if (seen->len && (seen->len != p->len || memcmp(seen->p, p->p, p->len))) {
		snprintf(key, sizeof(key), "%s_seen", pkey);
		jw_str(b, key, seen->p, seen->len);
	}
	if (status == PS_KERNEL)
		return;
	snprintf(key, sizeof(key), "%s_status", pkey);
	jw_str(b, key, status_names[status], strlen(status_names[status]));
}

static void add_path(struct gh_buf *b, const char *pkey, const char *rkey,
		     const struct blob *raw, const struct blob *kp,
		     const struct blob *seen, int *incomplete, int follow)
{
	struct gh_buf *p = scratch(0), *sp = scratch(2);
	int status = PS_KERNEL;
	int found = resolve(p, sp, raw, kp, seen, incomplete, &status, follow);

	take_err(b, p);
	take_err(b, sp);
	if (found)
		jw_str(b, pkey, p->p, p->len);
	if (raw->p && rkey)
		jw_str(b, rkey, raw->p, raw->len);
	if (found)
		add_view(b, pkey, p, sp, status);
}

static void add_kpath(struct gh_buf *b, const char *key, const struct blob *kp,
		      const struct blob *seen)
{
	struct gh_buf *p = scratch(0), *sp = scratch(2);
	size_t root;

	if (!kp->p) {
		jw_null(b, key);
		return;
	}
	kname(p, kp, &root);
	if (seen->p)
		kname(sp, seen, &root);
	take_err(b, p);
	jw_str(b, key, p->p, p->len);
	add_view(b, key, p, sp,
		 kp->fl & GH_BF_TRUNC ? PS_INCOMPLETE :
		 kp->fl & GH_BF_UNRES ? PS_UNRESOLVED : PS_KERNEL);
}

static const char *errname(long ret)
{
	static char buf[24];
	const char *n = strerrorname_np((int)-ret);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%ld", -ret);
	return buf;
}

static void add_ret(struct gh_buf *b, long long ret)
{
	const char *n;

	jw_int(b, "ret", ret);
	if (ret >= 0)
		return;
	n = errname(ret);
	jw_str(b, "err", n, strlen(n));
}

static const char *record_type(const struct gh_event *e)
{
	switch (e->op) {
	case GH_OP_OPEN: case GH_OP_OPENAT: case GH_OP_OPENAT2:
	case GH_OP_CREAT:
		return "open";
	case GH_OP_UNLINK:
		return "unlink";
	case GH_OP_UNLINKAT:
		return (e->arg[2] & AT_REMOVEDIR) ? "rmdir" : "unlink";
	case GH_OP_RMDIR:
		return "rmdir";
	case GH_OP_MKDIR: case GH_OP_MKDIRAT:
		return "mkdir";
	case GH_OP_RENAME: case GH_OP_RENAMEAT: case GH_OP_RENAMEAT2:
		return "rename";
	case GH_OP_LINK: case GH_OP_LINKAT:
		return "link";
	case GH_OP_SYMLINK: case GH_OP_SYMLINKAT:
		return "symlink";
	case GH_OP_CHMOD: case GH_OP_FCHMOD: case GH_OP_FCHMODAT:
	case GH_OP_FCHMODAT2:
		return "chmod";
	case GH_OP_CHOWN: case GH_OP_LCHOWN: case GH_OP_FCHOWN:
	case GH_OP_FCHOWNAT:
		return "chown";
	case GH_OP_TRUNCATE: case GH_OP_FTRUNCATE:
		return "truncate";
	case GH_OP_CHDIR: case GH_OP_FCHDIR:
		return "chdir";
	case GH_OP_EXECVE: case GH_OP_EXECVEAT:
		return "exec";
	case GH_OP_CONNECT:
		return "connect";
	case GH_OP_BIND:
		return "bind";
	case GH_OP_LISTEN:
		return "listen";
	case GH_OP_ACCEPT: case GH_OP_ACCEPT4:
		return "accept";
	case GH_OP_SENDTO: case GH_OP_SENDMSG: case GH_OP_SENDMMSG:
		return "send";
	case GH_OP_MKNOD: case GH_OP_MKNODAT:
		return "mknod";
	case GH_OP_SETXATTR: case GH_OP_LSETXATTR: case GH_OP_FSETXATTR:
	case GH_OP_SETXATTRAT:
		return "setxattr";
	case GH_OP_REMOVEXATTR: case GH_OP_LREMOVEXATTR:
	case GH_OP_FREMOVEXATTR: case GH_OP_REMOVEXATTRAT:
		return "removexattr";
	case GH_OP_UTIME: case GH_OP_UTIMES: case GH_OP_FUTIMESAT:
	case GH_OP_UTIMENSAT:
		return "utime";
	case GH_OP_NAME_TO_HANDLE_AT:
		return "name_to_handle";
	case GH_OP_OPEN_BY_HANDLE_AT:
		return "open";
	case GH_OP_MEMFD_CREATE:
		return "memfd";
	case GH_OP_CHROOT:
		return "chroot";
	case GH_OP_PIVOT_ROOT:
		return "pivot_root";
	case GH_OP_MOUNT: case GH_OP_UMOUNT2: case GH_OP_OPEN_TREE:
	case GH_OP_OPEN_TREE_ATTR: case GH_OP_MOVE_MOUNT: case GH_OP_FSOPEN:
	case GH_OP_FSMOUNT: case GH_OP_FSCONFIG: case GH_OP_FSPICK:
	case GH_OP_MOUNT_SETATTR:
		return "mount";
	case GH_OP_UNSHARE: case GH_OP_SETNS: case GH_OP_CLONE:
	case GH_OP_CLONE3:
		return "namespace";
	case GH_OP_SETUID: case GH_OP_SETGID: case GH_OP_SETREUID:
	case GH_OP_SETREGID: case GH_OP_SETRESUID: case GH_OP_SETRESGID:
	case GH_OP_SETFSUID: case GH_OP_SETFSGID: case GH_OP_SETGROUPS:
	case GH_OP_CAPSET:
		return "identity";
	case GH_OP_PTRACE:
		return "ptrace";
	case GH_OP_PROCESS_VM_READV: case GH_OP_PROCESS_VM_WRITEV:
		return "process_vm";
	case GH_OP_PIDFD_OPEN: case GH_OP_PIDFD_GETFD:
		return "pidfd";
	case GH_OP_PIDFD_SEND_SIGNAL: case GH_OP_KILL: case GH_OP_TKILL:
	case GH_OP_TGKILL: case GH_OP_RT_SIGQUEUEINFO:
	case GH_OP_RT_TGSIGQUEUEINFO: case GH_OP_SETOWN:
		return "signal";
	case GH_OP_SOCKET:
		return "socket";
	case GH_OP_BPF:
		return "bpf";
	case GH_OP_GENERIC:
		return "syscall";
	case GH_OP_IOCTL:
		return "tty_inject";
	case GH_OP_RECVMSG: case GH_OP_RECVMMSG:
		return "fd_received";
	case GH_OP_MMAP: case GH_OP_MPROTECT:
		return "map_exec";
	}
	return NULL;
}

static void fmt_map_exec(struct gh_buf *b, const struct gh_event *e);

/* Syscall names by x86_64 number (bpf/systab.h). */
#define SYSNAME(nr, name, ...) [nr] = #name,
static const char *const sys_names[GH_NR_MAX] = {
	GH_ROWS(SYSNAME, SYSNAME, SYSNAME, SYSNAME)
};

const char *event_sys_name(unsigned nr)
{
	return nr < GH_NR_MAX ? sys_names[nr] : NULL;
}

static void head(struct gh_buf *b, const char *type, const struct gh_event *e,
		 uint64_t t0)
{
	int64_t t = e->ts > t0 ? (int64_t)(e->ts - t0) : 0;

	gh_buf_adds(b, "{\"type\":");
	str_val(b, type, strlen(type));
	jw_int(b, "t", t);
	jw_int(b, "pid", e->pid);
}

static void fmt_exec(struct gh_buf *b, const struct gh_event *e,
		     const struct blob *bl)
{
	struct blob argv = bl[GH_B_RAW1], exe = bl[GH_B_PATH1],
		    cwd = bl[GH_B_PATH2], exe_seen = bl[GH_B_SEEN1],
		    cwd_seen = bl[GH_B_SEEN2], script = bl[GH_B_RAW2];
	int inc = 0;

	jw_int(b, "tid", e->tid);
	jw_int(b, "ppid", e->ppid);
	add_kpath(b, "exe", &exe, &exe_seen);
	jw_strv(b, "argv", argv.p ? argv.p : "", argv.len);
	jw_int(b, "argc", e->argc);
	jw_int(b, "argv_bytes", e->argv_bytes);
	jw_bool(b, "argv_truncated", !!(argv.fl & GH_BF_TRUNC));
	add_kpath(b, "cwd", &cwd, &cwd_seen);
	inc = !!((exe.fl | cwd.fl) & GH_BF_TRUNC);
	if (script.p) {
		/* an interpreter's exec: the name of the script (or other
		 * file) it runs, relative to the working directory */
		struct blob base = cwd, base_seen = cwd_seen, none = { 0 };

		base.fl = (base.fl & ~GH_BF_FULL) | GH_BF_BASE;
		base_seen.fl = (base_seen.fl & ~GH_BF_FULL) | GH_BF_BASE;
		if (script.len && script.p[0] == '/')
			base = base_seen = none;
		add_path(b, "script", NULL, &script, &base, &base_seen, &inc, 1);
	}
	if (inc)
		jw_bool(b, "path_incomplete", 1);
	jw_int(b, "uid", e->uid);
	jw_int(b, "gid", e->gid);
	if (argv.fl & GH_BF_FAULT)
		jw_bool(b, "argv_fault", 1);
	/* the dynamic loader run as a program: it runs a file it opens */
	if (e->flags & GH_EVF_LOADER)
		jw_bool(b, "loader", 1);
	add_ret(b, 0);
}

static void fmt_exit(struct gh_buf *b, const struct gh_event *e)
{
	unsigned status = (unsigned)e->x[0];
	unsigned sig = status & 0x7f;

	jw_int(b, "ppid", e->ppid);
	if (sig == 0) {
		jw_int(b, "code", (status >> 8) & 0xff);
		jw_null(b, "signal");
	} else {
		jw_null(b, "code");
		jw_int(b, "signal", sig);
	}
	jw_bool(b, "core", !!(status & 0x80));
}

static const char *family_name(unsigned f)
{
	switch (f) {
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_UNIX: return "unix";
	case AF_PACKET: return "packet";
	case AF_NETLINK: return "netlink";
	case AF_VSOCK: return "vsock";
	case AF_XDP: return "xdp";
	}
	return "other";
}

static const char *sock_type_name(const struct gh_event *e)
{
	if (!(e->flags & GH_EVF_SOCK))
		return "other";
	switch (e->sock_type & 0xf) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	case SOCK_RAW: return "raw";
	}
	return "other";
}

static const char *proto_name(const struct gh_event *e)
{
	if (!(e->flags & GH_EVF_SOCK))
		return "other";
	if (e->family == AF_UNIX)
		return "unix";
	if (e->family != AF_INET && e->family != AF_INET6)
		return "other";
	switch (e->proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: case IPPROTO_ICMPV6: return "icmp";
	}
	return "other";
}

static const char *connect_result(long long ret)
{
	switch (ret) {
	case 0: return "ok";
	case -EINPROGRESS: return "in_progress";
	case -ECONNREFUSED: return "refused";
	case -ENETUNREACH: case -EHOSTUNREACH: return "unreachable";
	case -ETIMEDOUT: return "timeout";
	case -EACCES: case -EPERM: return "denied";
	case -ECONNRESET: return "reset";
	}
	return "error";
}

/* family, addr and port from a struct sockaddr (or the socket). */
static void add_addr(struct gh_buf *b, const struct gh_event *e,
		     const struct blob *sa)
{
	char text[INET6_ADDRSTRLEN];
	unsigned family = e->flags & GH_EVF_SOCK ? e->family : AF_UNSPEC;
	const char *fam;
	sa_family_t f;

	if (sa->p && sa->len >= sizeof(f)) {
		memcpy(&f, sa->p, sizeof(f));
		family = f;
	}
	fam = family_name(family);
	jw_str(b, "family", fam, strlen(fam));
	if (!sa->p)
		return;
	if (family == AF_INET && sa->len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, sa->p, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text));
		jw_str(b, "addr", text, strlen(text));
		jw_int(b, "port", ntohs(sin.sin_port));
	} else if (family == AF_INET6 && sa->len >= 24) {
		struct sockaddr_in6 sin6 = { 0 };

		memcpy(&sin6, sa->p, sa->len < sizeof(sin6) ? sa->len : sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text));
		jw_str(b, "addr", text, strlen(text));
		jw_int(b, "port", ntohs(sin6.sin6_port));
	} else if (family == AF_VSOCK && sa->len >= sizeof(struct sockaddr_vm)) {
		/* a virtual machine's socket: context id (2 is the host), port */
		struct sockaddr_vm svm;

		memcpy(&svm, sa->p, sizeof(svm));
		snprintf(text, sizeof(text), "%u", svm.svm_cid);
		jw_str(b, "addr", text, strlen(text));
		jw_int(b, "port", svm.svm_port);
	} else if (family == AF_UNIX) {
		const char *path = sa->p + sizeof(sa_family_t);
		size_t n = sa->len - sizeof(sa_family_t);
		struct gh_buf *a = scratch(0);

		if (n > 0 && path[0] == '\0') {
			/* abstract: "@name", every byte significant */
			gh_buf_addc(a, '@');
			gh_buf_add(a, path + 1, n - 1);
		} else {
			gh_buf_add(a, path, strnlen(path, n));
		}
		take_err(b, a);
		jw_str(b, "addr", a->p ? a->p : "", a->len);
	}
}

/* A unix socket address with a relative name, and the working directory
 * it is relative to (GH_B_PATH1): addr is the absolute path, addr_raw the
 * name as given. */
static void add_unix_rel(struct gh_buf *b, const struct blob *sa,
			 const struct blob *base)
{
	struct blob raw = { NULL, 0, 0 };
	struct gh_buf *p = scratch(0);

	if (sa->p && sa->len > sizeof(sa_family_t)) {
		raw.p = sa->p + sizeof(sa_family_t);
		raw.len = strnlen(raw.p, sa->len - sizeof(sa_family_t));
	}
	jw_str(b, "family", "unix", 4);
	if (!raw.len)
		return;
	join_base(p, base, &raw);
	take_err(b, p);
	jw_str(b, "addr", p->p, p->len);
	jw_str(b, "addr_raw", raw.p, raw.len);
}

/* A unix socket connected by a name that is not its file's path (a
 * symbolic link, /proc/self/fd/N): "addr" the kernel's path of the
 * socket file (peer), "addr_raw" the name as given. */
static int add_unix_peer(struct gh_buf *b, const struct blob *sa,
			 const struct blob *peer, const struct blob *base)
{
	struct gh_buf *p = scratch(0), *g = scratch(2);
	struct blob raw = { NULL, 0, 0 };
	size_t root;

	if (sa->p && sa->len > sizeof(sa_family_t)) {
		raw.p = sa->p + sizeof(sa_family_t);
		raw.len = strnlen(raw.p, sa->len - sizeof(sa_family_t));
	}
	if (base->p && (base->fl & GH_BF_BASE))
		join_base(g, base, &raw);
	else
		gh_buf_add(g, raw.p, raw.len);
	kname(p, peer, &root);
	take_err(b, p);
	take_err(b, g);
	if (b->err)
		return 0;
	if (p->len == g->len && !memcmp(p->p, g->p, p->len))
		return -EAGAIN;		/* the name is the file's path */
	jw_str(b, "family", "unix", 4);
	jw_str(b, "addr", p->p, p->len);
	jw_str(b, "addr_raw", raw.p, raw.len);
	if (peer->fl & (GH_BF_UNRES | GH_BF_TRUNC))
		jw_str(b, "addr_status", "unresolved", 10);
	return 0;
}

/* A send to a unix socket name that is not the socket file's path (a
 * symbolic link): the kernel keeps no trace of the file it reached, so
 * the name is checked here, as lexical paths are (realpath(3), after the
 * call, not through magic links): "addr" what it names now, "addr_raw"
 * the name as given, "addr_status" lexical. -EAGAIN: nothing to say. */
static int add_unix_send(struct gh_buf *b, const struct blob *sa,
			 const struct blob *base)
{
	struct gh_buf *g = scratch(2);
	struct blob raw = { NULL, 0, 0 };
	char *real;
	int r = -EAGAIN;

	if (sa->p && sa->len > sizeof(sa_family_t) + 1) {
		raw.p = sa->p + sizeof(sa_family_t);
		raw.len = strnlen(raw.p, sa->len - sizeof(sa_family_t));
	}
	if (!raw.len || raw.p[0] == '\0')
		return -EAGAIN;		/* unnamed or abstract */
	if (raw.p[0] == '/')
		gh_buf_add(g, raw.p, raw.len);
	else if (base->p && (base->fl & GH_BF_BASE))
		join_base(g, base, &raw);
	else
		return -EAGAIN;
	gh_buf_addc(g, '\0');
	take_err(b, g);
	if (b->err)
		return 0;
	if (memchr(g->p, '\0', g->len - 1) || via_magic_link(g->p))
		return -EAGAIN;
	real = realpath(g->p, NULL);
	if (!real)
		return -EAGAIN;
	if (strcmp(real, g->p)) {
		jw_str(b, "family", "unix", 4);
		jw_str(b, "addr", real, strlen(real));
		jw_str(b, "addr_raw", raw.p, raw.len);
		jw_str(b, "addr_status", "lexical", 7);
		r = 0;
	}
	free(real);
	return r;
}

/* A send on a netlink socket: the socket's netlink protocol and the
 * types of the messages sent (nl_send in bpf/trace.bpf.c). */
static void add_netlink(struct gh_buf *b, const struct gh_event *e,
			const struct blob *t)
{
	uint16_t v;
	size_t i;

	if (!(e->flags & GH_EVF_SOCK) || e->family != AF_NETLINK ||
	    e->op < GH_OP_SENDTO || e->op > GH_OP_SENDMMSG)
		return;
	jw_int(b, "netlink_protocol", e->proto);
	if (!t->p)
		return;
	jw_key(b, "nlmsg_types");
	gh_buf_addc(b, '[');
	for (i = 0; i + 2 <= t->len; i += 2) {
		memcpy(&v, t->p + i, sizeof(v));
		if (i)
			gh_buf_addc(b, ',');
		put_int(b, v);
	}
	gh_buf_addc(b, ']');
}

static void fmt_net(struct gh_buf *b, const struct gh_event *e,
		    const struct blob *bl)
{
	const char *st = sock_type_name(e), *pr = proto_name(e);
	struct blob sa = bl[GH_B_EXTRA], base = bl[GH_B_PATH1],
		    peer = bl[GH_B_PATH2];
	int up = -EAGAIN;

	jw_int(b, "fd", (int)e->arg[0]);
	if (peer.p && (peer.fl & GH_BF_FULL))
		up = add_unix_peer(b, &sa, &peer, &base);
	else if (e->op >= GH_OP_SENDTO && e->op <= GH_OP_SENDMMSG && e->ret >= 0 &&
		 sa.p && sa.len > sizeof(sa_family_t)) {
		sa_family_t f;

		memcpy(&f, sa.p, sizeof(f));
		if (f == AF_UNIX)
			up = add_unix_send(b, &sa, &base);
	}
	if (up == -EAGAIN && base.p && (base.fl & GH_BF_BASE))
		add_unix_rel(b, &sa, &base);
	else if (up == -EAGAIN)
		add_addr(b, e, &sa);
	jw_str(b, "sock_type", st, strlen(st));
	jw_str(b, "proto", pr, strlen(pr));
	switch (e->op) {
	case GH_OP_CONNECT: {
		const char *r = connect_result(e->ret);

		jw_str(b, "result", r, strlen(r));
		if (e->flags & GH_EVF_SOCKID)
			jw_int(b, "sock", (int64_t)e->x[1]);
		break;
	}
	case GH_OP_LISTEN:
		jw_int(b, "backlog", (int)e->arg[1]);
		break;
	case GH_OP_SENDTO: case GH_OP_SENDMSG:
		if (e->ret >= 0)
			jw_int(b, "bytes", e->ret);
		break;
	case GH_OP_SENDMMSG:
		if (e->ret >= 0) {
			jw_int(b, "bytes", (int64_t)e->x[0]);
			jw_int(b, "messages", e->ret);
		}
		break;
	}
	add_netlink(b, e, &bl[GH_B_RAW2]);
	if (sa.fl & GH_BF_FAULT)
		jw_bool(b, "addr_fault", 1);
	add_ret(b, e->ret);
}

#ifndef AT_SYMLINK_NOFOLLOW
#define AT_SYMLINK_NOFOLLOW 0x100
#endif
#ifndef AT_SYMLINK_FOLLOW
#define AT_SYMLINK_FOLLOW 0x400
#endif

/* For recheck: whether a successful call followed a symbolic link as the
 * last component of its first name (second: of its second name, which
 * no call follows); -1 for a failed call. */
static int follow_last(const struct gh_event *e, int second)
{
	const __u64 *a = e->arg;

	if (e->ret < 0)
		return -1;
	if (second)
		return 0;
	/* a successful open has a lexical path only when the kernel's is
	 * not at hand (an io_uring open into a fixed slot): it followed a
	 * last symbolic link unless told not to */
	switch (e->op) {
	case GH_OP_OPEN:
		return !((int)a[1] & O_NOFOLLOW);
	case GH_OP_OPENAT:
		return !((int)a[2] & O_NOFOLLOW);
	case GH_OP_OPENAT2:
		return !((int64_t)e->x[0] & O_NOFOLLOW);
	case GH_OP_CREAT:
		return 1;
	}
	if (e->flags & GH_EVF_URING)
		return 0;
	switch (e->op) {
	case GH_OP_CHMOD: case GH_OP_CHOWN: case GH_OP_TRUNCATE:
	case GH_OP_SETXATTR: case GH_OP_REMOVEXATTR: case GH_OP_UTIME:
	case GH_OP_UTIMES: case GH_OP_FUTIMESAT: case GH_OP_FCHMODAT:
		return 1;
	case GH_OP_FCHMODAT2: case GH_OP_UTIMENSAT:
		return !(a[3] & AT_SYMLINK_NOFOLLOW);
	case GH_OP_FCHOWNAT:
		return !(a[4] & AT_SYMLINK_NOFOLLOW);
	case GH_OP_SETXATTRAT: case GH_OP_REMOVEXATTRAT:
		return !(a[2] & AT_SYMLINK_NOFOLLOW);
	case GH_OP_LINKAT: case GH_OP_NAME_TO_HANDLE_AT:
		return !!(a[4] & AT_SYMLINK_FOLLOW);
	}
	return 0;
}

/* follow_last, or NAME_EXACT (NAME_EXACT_FAILED for a failed call) for
 * a name whose last component the call does not follow and acts on
 * itself: unlink, rmdir, mkdir, mknod, rename (both names), link (the new
 * name; the old one without AT_SYMLINK_FOLLOW), symlink (the link), and
 * lchown, lsetxattr, lremovexattr and the *at calls given
 * AT_SYMLINK_NOFOLLOW. The directory is read at the call's exit from the
 * kernel (dirfd or cwd), so a single name there names exactly the entry
 * acted on. Not io_uring: its operations may run after the directory
 * was read, in a cwd or descriptor table changed since. */
static int name_follow(const struct gh_event *e, int second)
{
	const __u64 *a = e->arg;
	int f = follow_last(e, second), exact = 0;

	if (e->flags & GH_EVF_URING)
		return f;
	switch (e->op) {
	case GH_OP_UNLINK: case GH_OP_UNLINKAT: case GH_OP_RMDIR:
	case GH_OP_MKDIR: case GH_OP_MKDIRAT: case GH_OP_MKNOD:
	case GH_OP_MKNODAT: case GH_OP_RENAME: case GH_OP_RENAMEAT:
	case GH_OP_RENAMEAT2: case GH_OP_LINK: case GH_OP_SYMLINK:
	case GH_OP_SYMLINKAT: case GH_OP_LCHOWN: case GH_OP_LSETXATTR:
	case GH_OP_LREMOVEXATTR:
		exact = 1;
		break;
	case GH_OP_LINKAT:
		exact = second || !(a[4] & AT_SYMLINK_FOLLOW);
		break;
	case GH_OP_FCHMODAT2: case GH_OP_UTIMENSAT:
		exact = !second && (a[3] & AT_SYMLINK_NOFOLLOW);
		break;
	case GH_OP_FCHOWNAT:
		exact = !second && (a[4] & AT_SYMLINK_NOFOLLOW);
		break;
	case GH_OP_SETXATTRAT: case GH_OP_REMOVEXATTRAT:
		exact = !second && (a[2] & AT_SYMLINK_NOFOLLOW);
		break;
	}
	if (!exact)
		return f;
	return e->ret < 0 ? NAME_EXACT_FAILED : NAME_EXACT;
}

static void fmt_failed_exec(struct gh_buf *b, const struct gh_event *e,
			    const struct blob *bl)
{
	const struct blob *cwd = &bl[GH_B_PATH2], *argv = &bl[GH_B_EXTRA];
	int inc = 0;

	jw_int(b, "ppid", e->ppid);
	add_path(b, "path", "raw", &bl[GH_B_RAW1], &bl[GH_B_PATH1],
		 &bl[GH_B_SEEN1], &inc, -1);
	jw_strv(b, "argv", argv->p ? argv->p : "", argv->len);
	jw_int(b, "argc", e->argc);
	jw_int(b, "argv_bytes", e->argv_bytes);
	jw_bool(b, "argv_truncated", !!(argv->fl & GH_BF_TRUNC));
	add_kpath(b, "cwd", cwd, &bl[GH_B_SEEN2]);
	if (inc)
		jw_bool(b, "path_incomplete", 1);
	add_ret(b, e->ret);
}

static void fmt_file(struct gh_buf *b, const struct gh_event *e,
		     const struct blob *bl)
{
	struct blob raw1 = bl[GH_B_RAW1], kp1 = bl[GH_B_PATH1],
		    raw2 = bl[GH_B_RAW2], kp2 = bl[GH_B_PATH2],
		    seen1 = bl[GH_B_SEEN1], seen2 = bl[GH_B_SEEN2];
	const __u64 *a = e->arg;
	int inc = 0, inc2 = 0;

	jw_int(b, "tid", e->tid);
	if (e->op == GH_OP_EXECVE || e->op == GH_OP_EXECVEAT) {
		fmt_failed_exec(b, e, bl);
		return;
	}

	switch (e->op) {
	case GH_OP_FCHMOD: case GH_OP_FCHOWN: case GH_OP_FTRUNCATE:
	case GH_OP_FCHDIR:
		jw_int(b, "fd", (int)a[0]);
		break;
	}
	add_path(b, "path", "raw", &raw1, &kp1, &seen1, &inc, name_follow(e, 0));
	if (e->op == GH_OP_SYMLINK || e->op == GH_OP_SYMLINKAT) {
		if (raw2.p)
			jw_str(b, "target", raw2.p, raw2.len);
		inc |= !!(raw2.fl & GH_BF_TRUNC);
	} else if (raw2.p || (raw2.fl & GH_BF_FAULT)) {
		add_path(b, "new_path", "new_raw", &raw2, &kp2, &seen2, &inc2, name_follow(e, 1));
	}
	if (inc || inc2)
		jw_bool(b, "path_incomplete", 1);
	if ((raw1.fl | raw2.fl) & GH_BF_FAULT)
		jw_bool(b, "raw_fault", 1);

	switch (e->op) {
	case GH_OP_OPEN:
		jw_int(b, "dirfd", AT_FDCWD);
		jw_int(b, "flags", (int)a[1]);
		jw_int(b, "mode", (int)a[2]);
		break;
	case GH_OP_CREAT:
		jw_int(b, "dirfd", AT_FDCWD);
		jw_int(b, "flags", O_CREAT | O_WRONLY | O_TRUNC);
		jw_int(b, "mode", (int)a[1]);
		break;
	case GH_OP_OPENAT:
		jw_int(b, "dirfd", (int)a[0]);
		jw_int(b, "flags", (int)a[2]);
		jw_int(b, "mode", (int)a[3]);
		break;
	case GH_OP_OPENAT2:
		jw_int(b, "dirfd", (int)a[0]);
		jw_int(b, "flags", (int64_t)e->x[0]);
		jw_int(b, "mode", (int64_t)e->x[1]);
		break;
	case GH_OP_MKDIR: case GH_OP_CHMOD: case GH_OP_FCHMOD:
		jw_int(b, "mode", (int)a[1]);
		break;
	case GH_OP_MKDIRAT: case GH_OP_FCHMODAT: case GH_OP_FCHMODAT2:
		jw_int(b, "mode", (int)a[2]);
		break;
	case GH_OP_RENAME: case GH_OP_RENAMEAT:
		jw_int(b, "flags", 0);
		break;
	case GH_OP_RENAMEAT2:
		jw_int(b, "flags", (int)a[4]);
		break;
	case GH_OP_CHOWN: case GH_OP_LCHOWN: case GH_OP_FCHOWN:
		jw_int(b, "uid", (int)a[1]);
		jw_int(b, "gid", (int)a[2]);
		break;
	case GH_OP_FCHOWNAT:
		jw_int(b, "uid", (int)a[2]);
		jw_int(b, "gid", (int)a[3]);
		break;
	case GH_OP_TRUNCATE: case GH_OP_FTRUNCATE:
		jw_int(b, "length", (int64_t)a[1]);
		break;
	}
	add_ret(b, e->ret);
}

static void jw_int_list(struct gh_buf *b, const char *key, const __u64 *v,
			int n)
{
	int i;

	jw_key(b, key);
	gh_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			gh_buf_addc(b, ',');
		put_int(b, (int64_t)v[i]);
	}
	gh_buf_addc(b, ']');
}

/* Where a target process is (GH_TREE_*): in_tree true, false or null. */
static void add_target(struct gh_buf *b, const struct gh_event *e)
{
	if (!(e->flags & GH_EVF_TARGET)) {
		jw_null(b, "target_pid");
		jw_null(b, "in_tree");
		return;
	}
	jw_int(b, "target_pid", (int64_t)e->x[0]);
	switch (e->x[1]) {
	case GH_TREE_YES: jw_bool(b, "in_tree", 1); break;
	case GH_TREE_NO: jw_bool(b, "in_tree", 0); break;
	default: jw_null(b, "in_tree");
	}
}

#define TIOCSTI_NR 0x5412

/* An ioctl that changes a file (bpf/trace.bpf.c: file_ioctl), as a
 * "syscall" record: its descriptor and request (its argument is a
 * pointer, left out so that the same call gives the same record), the
 * request's name. */
#define GH_NR_IOCTL 16

static const struct {
	unsigned req;
	const char *name;
} file_ioctls[] = {
	{ 0x40086602, "FS_IOC_SETFLAGS" }, { 0x40046602, "FS_IOC32_SETFLAGS" },
	{ 0x40087602, "FS_IOC_SETVERSION" }, { 0x40047602, "FS_IOC32_SETVERSION" },
	{ 0x401c5820, "FS_IOC_FSSETXATTR" }, { 0x40806685, "FS_IOC_ENABLE_VERITY" },
	{ 0x800c6613, "FS_IOC_SET_ENCRYPTION_POLICY" },
	{ 0x41009432, "FS_IOC_SETFSLABEL" }, { 0x4008662c, "EXT4_IOC_SETFSUUID" },
	{ 0x40049409, "FICLONE" }, { 0x4020940d, "FICLONERANGE" },
	{ 0xc0189436, "FIDEDUPERANGE" },
};

static void fmt_file_ioctl(struct gh_buf *b, const struct gh_event *e)
{
	const char *n = "?";
	size_t i;

	for (i = 0; i < sizeof(file_ioctls) / sizeof(file_ioctls[0]); i++)
		if (file_ioctls[i].req == (unsigned)e->arg[1])
			n = file_ioctls[i].name;
	jw_int_list(b, "args", e->arg, 2);
	jw_int(b, "fd", (int)e->arg[0]);
	jw_int(b, "request", (unsigned)e->arg[1]);
	jw_str(b, "name", n, strlen(n));
}

/* The records of syscalls beyond files and sockets (gh-events(5)). */
static void fmt_action(struct gh_buf *b, const struct gh_event *e,
		       const struct blob *bl)
{
	struct blob raw1 = bl[GH_B_RAW1], kp1 = bl[GH_B_PATH1],
		    raw2 = bl[GH_B_RAW2], kp2 = bl[GH_B_PATH2],
		    seen1 = bl[GH_B_SEEN1], seen2 = bl[GH_B_SEEN2],
		    ex = bl[GH_B_EXTRA];
	const __u64 *a = e->arg;
	const char *sys = e->flags & GH_EVF_URING ? "io_uring" : event_sys_name(e->nr);
	const char *exkey = NULL;
	int inc = 0, inc2 = 0;

	jw_int(b, "tid", e->tid);
	jw_str(b, "syscall", sys ? sys : "?", strlen(sys ? sys : "?"));
	if (raw1.p || kp1.p || (raw1.fl & GH_BF_FAULT))
		add_path(b, "path", "raw", &raw1, &kp1, &seen1, &inc, name_follow(e, 0));
	if ((raw2.p || (raw2.fl & GH_BF_FAULT)) && e->op == GH_OP_MOUNT) {
		jw_str(b, "source", raw2.p, raw2.len);
		/* a bind mount's source is a path: where it is */
		if ((a[3] & MS_BIND) && raw2.p)
			add_path(b, "source_path", NULL, &raw2, &kp2, &seen2,
				 &inc2, e->ret < 0 ? -1 : 1);
	} else if (raw2.p || (raw2.fl & GH_BF_FAULT)) {
		add_path(b, "new_path", "new_raw", &raw2, &kp2, &seen2, &inc2, name_follow(e, 1));
	}
	if (inc || inc2)
		jw_bool(b, "path_incomplete", 1);
	if ((raw1.fl | raw2.fl | ex.fl) & GH_BF_FAULT)
		jw_bool(b, "raw_fault", 1);

	switch (e->op) {
	case GH_OP_MKNOD:
		jw_int(b, "mode", (int)a[1]);
		jw_int(b, "dev", (int64_t)a[2]);
		break;
	case GH_OP_MKNODAT:
		jw_int(b, "mode", (int)a[2]);
		jw_int(b, "dev", (int64_t)a[3]);
		break;
	case GH_OP_SETXATTR: case GH_OP_LSETXATTR: case GH_OP_FSETXATTR:
	case GH_OP_SETXATTRAT: case GH_OP_REMOVEXATTR: case GH_OP_LREMOVEXATTR:
	case GH_OP_FREMOVEXATTR: case GH_OP_REMOVEXATTRAT:
		exkey = "name";
		/* a file capability grants privileges to whoever runs it */
		jw_bool(b, "capability", ex.p && ex.len == 19 &&
			memcmp(ex.p, "security.capability", 19) == 0);
		if (e->op == GH_OP_FSETXATTR || e->op == GH_OP_FREMOVEXATTR)
			jw_int(b, "fd", (int)a[0]);
		break;
	case GH_OP_UTIMENSAT:
		if (!a[1])
			jw_int(b, "fd", (int)a[0]);
		break;
	case GH_OP_NAME_TO_HANDLE_AT:
		jw_int(b, "flags", (int)a[4]);
		break;
	case GH_OP_OPEN_BY_HANDLE_AT:
		jw_int(b, "dirfd", (int)a[0]);
		jw_int(b, "flags", (int)a[2]);
		jw_int(b, "mode", 0);
		jw_str(b, "via", "handle", 6);
		break;
	case GH_OP_MEMFD_CREATE:
		exkey = "name";
		jw_int(b, "flags", (int)a[1]);
		break;
	case GH_OP_MOUNT:
		exkey = "fstype";
		jw_int(b, "flags", (int64_t)a[3]);
		break;
	case GH_OP_FSOPEN:
		exkey = "fstype";
		jw_int(b, "flags", (int)a[1]);
		break;
	case GH_OP_FSCONFIG:
		exkey = "name";
		jw_int(b, "cmd", (int)a[1]);
		jw_int(b, "fd", (int)a[0]);
		break;
	case GH_OP_UMOUNT2: case GH_OP_FSMOUNT:
		jw_int(b, "flags", (int)a[1]);
		break;
	case GH_OP_OPEN_TREE: case GH_OP_OPEN_TREE_ATTR: case GH_OP_FSPICK:
	case GH_OP_MOUNT_SETATTR:
		jw_int(b, "flags", (int)a[2]);
		break;
	case GH_OP_MOVE_MOUNT:
		jw_int(b, "flags", (int)a[4]);
		break;
	case GH_OP_UNSHARE: case GH_OP_CLONE:
		jw_int(b, "flags", (int64_t)a[0]);
		break;
	case GH_OP_CLONE3:
		jw_int(b, "flags", (int64_t)e->x[0]);
		break;
	case GH_OP_SETNS:
		jw_int(b, "fd", (int)a[0]);
		jw_int(b, "flags", (int)a[1]);
		break;
	case GH_OP_SETUID: case GH_OP_SETGID: case GH_OP_SETFSUID:
	case GH_OP_SETFSGID: case GH_OP_SETGROUPS:
		jw_int_list(b, "args", a, 1);
		break;
	case GH_OP_SETREUID: case GH_OP_SETREGID:
		jw_int_list(b, "args", a, 2);
		break;
	case GH_OP_SETRESUID: case GH_OP_SETRESGID:
		jw_int_list(b, "args", a, 3);
		break;
	case GH_OP_CAPSET:
		jw_int(b, "effective", (int64_t)e->x[0]);
		jw_int(b, "permitted", (int64_t)e->x[1]);
		break;
	case GH_OP_PTRACE:
		jw_int(b, "request", (int64_t)a[0]);
		add_target(b, e);
		break;
	case GH_OP_PROCESS_VM_READV: case GH_OP_PROCESS_VM_WRITEV:
	case GH_OP_PIDFD_OPEN:
		add_target(b, e);
		break;
	case GH_OP_PIDFD_GETFD:
		add_target(b, e);
		jw_int(b, "fd", (int)a[1]);
		break;
	case GH_OP_KILL: case GH_OP_TKILL: case GH_OP_RT_SIGQUEUEINFO:
	case GH_OP_PIDFD_SEND_SIGNAL:
		add_target(b, e);
		jw_int(b, "signal", (int)a[1]);
		break;
	case GH_OP_TGKILL: case GH_OP_RT_TGSIGQUEUEINFO:
		add_target(b, e);
		jw_int(b, "signal", (int)a[2]);
		break;
	case GH_OP_SETOWN:
		/* the owner of the file's I/O signals: the signal F_SETSIG
		 * chose, 0 there meaning SIGIO */
		add_target(b, e);
		jw_int(b, "signal", (int)a[3] ? (int)a[3] : SIGIO);
		jw_int(b, "fd", (int)a[0]);
		break;
	case GH_OP_SOCKET: {
		const char *fam = family_name((unsigned)a[0]);
		struct gh_event se = *e;

		se.flags |= GH_EVF_SOCK;
		se.family = (__u16)a[0];
		se.sock_type = (__u16)a[1];
		se.proto = (__u16)a[2];
		jw_str(b, "family", fam, strlen(fam));
		jw_str(b, "sock_type", sock_type_name(&se), strlen(sock_type_name(&se)));
		jw_str(b, "proto", proto_name(&se), strlen(proto_name(&se)));
		jw_int(b, "protocol", (int)a[2]);
		break;
	}
	case GH_OP_BPF:
		jw_int(b, "cmd", (int)a[0]);
		break;
	case GH_OP_GENERIC:
		if (e->nr == GH_NR_IOCTL) {
			fmt_file_ioctl(b, e);
			break;
		}
		jw_int_list(b, "args", a, 6);
		if (e->flags & GH_EVF_TARGET)
			add_target(b, e);
		/* a string argument of the row: add_key's and
		 * request_key's description of the key */
		exkey = "name";
		break;
	case GH_OP_IOCTL:
		/* name: TIOCSTI, or TIOCLINUX (its paste subcode) */
		jw_int(b, "fd", (int)a[0]);
		jw_int(b, "request", (unsigned)a[1]);
		jw_str(b, "name", (unsigned)a[1] == TIOCSTI_NR ? "TIOCSTI" :
		       "TIOCLINUX", (unsigned)a[1] == TIOCSTI_NR ? 7 : 9);
		break;
	case GH_OP_RECVMSG: case GH_OP_RECVMMSG:
		/* ret: the descriptor received, through socket arg[0] */
		jw_int(b, "fd", e->ret);
		jw_int(b, "sock_fd", (int)a[0]);
		if (e->flags & GH_EVF_SOCK)
			add_addr(b, e, &ex);
		break;
	}
	if (exkey && ex.p)
		jw_str(b, exkey, ex.p, ex.len);
	if (e->op == GH_OP_MMAP || e->op == GH_OP_MPROTECT) {
		fmt_map_exec(b, e);
		return;
	}
	add_ret(b, e->ret);
}

/* A file mapped executable (mmap, or mprotect adding PROT_EXEC): its
 * protection, mmap's flags and descriptor; ret 0 for success (mmap's
 * address says nothing about the file). */
static void fmt_map_exec(struct gh_buf *b, const struct gh_event *e)
{
	const __u64 *a = e->arg;

	jw_int(b, "prot", (int)a[2]);
	if (e->op == GH_OP_MMAP) {
		jw_int(b, "flags", (int)a[3]);
		jw_int(b, "fd", (int)a[4]);
	}
	add_ret(b, e->ret > 0 ? 0 : e->ret);
}

/* A send on a socket the command inherited: say so, and by which
 * syscall (write, sendfile... when not a send*). */
static void add_inherited(struct gh_buf *b, const struct gh_event *e)
{
	const char *sys = event_sys_name(e->nr);

	jw_bool(b, "inherited", 1);
	if (!(e->flags & GH_EVF_URING) && sys)
		jw_str(b, "syscall", sys, strlen(sys));
}

int event_uring_join(const void *sub, size_t ssize, const void *done,
		     size_t dsize, void **out, size_t *osize)
{
	const struct gh_event *s = sub, *d = done;
	size_t sdata, ddata;
	struct gh_event *e;
	int i;

	if (ssize < sizeof(*s) || dsize < sizeof(*d) || s->size != ssize ||
	    d->size != dsize)
		return -EINVAL;
	sdata = ssize - sizeof(*s);
	ddata = dsize - sizeof(*d);
	e = malloc(ssize + ddata);
	if (!e)
		return -ENOMEM;
	memcpy(e, s, ssize);
	memcpy((char *)(e + 1) + sdata, d + 1, ddata);
	for (i = 0; i < GH_NBLOB; i++) {
		if (!(d->bflags[i] & GH_BF_PRESENT) ||
		    d->boff[i] > ddata || d->blen[i] > ddata - d->boff[i])
			continue;
		e->boff[i] = (__u32)(sdata + d->boff[i]);
		e->blen[i] = d->blen[i];
		e->bflags[i] = d->bflags[i];
	}
	e->ret = d->ret;
	/* a fixed file's socket, read at completion */
	if (d->flags & GH_EVF_SOCK) {
		e->family = d->family;
		e->sock_type = d->sock_type;
		e->proto = d->proto;
	}
	/* a connect's socket entry, named at completion */
	if (d->flags & GH_EVF_SOCKID)
		e->x[1] = d->x[1];
	e->flags |= d->flags & (GH_EVF_SOCK | GH_EVF_INHERITED | GH_EVF_SOCKID);
	e->size = (__u32)(ssize + ddata);
	*out = e;
	*osize = e->size;
	return 0;
}

/* A socket's end (bpf/trace.h: "Sockets"). */
static void fmt_sock(struct gh_buf *b, const struct gh_event *e,
		     const struct blob *bl)
{
	const char *pr = proto_name(e), *r;
	const struct blob *sa = &bl[GH_B_EXTRA];

	jw_int(b, "sock", (int64_t)e->arg[0]);
	add_addr(b, e, sa);
	jw_str(b, "proto", pr, strlen(pr));
	if (e->arg[1] & GH_SKF_CONNECT) {
		r = connect_result(e->ret);
		jw_str(b, "connect", r, strlen(r));
	}
	jw_int(b, "bytes_sent", (int64_t)e->x[0]);
	jw_int(b, "bytes_received", (int64_t)e->x[1]);
	jw_bool(b, "at_end", !!(e->arg[1] & GH_SKF_FLUSHED));
}

static void dns_names(struct gh_buf *b, const char *key, const struct gh_dns *m,
		      int answers)
{
	char tn[16];
	unsigned i, n = answers ? m->nan : m->nq;

	jw_key(b, key);
	gh_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		const char *name = answers ? m->an[i].name : m->q[i].name;
		uint16_t type = answers ? m->an[i].type : m->q[i].type;

		gh_dns_type_name(type, tn);
		if (i)
			gh_buf_addc(b, ',');
		gh_buf_addc(b, '{');
		jw_str(b, "name", name, strlen(name));
		jw_str(b, "type", tn, strlen(tn));
		if (answers) {
			jw_int(b, "ttl", m->an[i].ttl);
			jw_str(b, "data", m->an[i].data, strlen(m->an[i].data));
		}
		gh_buf_addc(b, '}');
	}
	gh_buf_addc(b, ']');
}

/* "addresses": the A and AAAA answers; "names": the names they answer
 * for (the questions, and the owners and targets of the answers). */
static void dns_flat(struct gh_buf *b, const struct gh_dns *m)
{
	const char *v[GH_DNS_QD_MAX + 2 * GH_DNS_AN_MAX];
	unsigned i, j, n = 0, first = 1;

	jw_key(b, "addresses");
	gh_buf_addc(b, '[');
	for (i = 0; i < m->nan; i++) {
		if (m->an[i].type == GH_DNS_CNAME)
			continue;
		if (!first)
			gh_buf_addc(b, ',');
		gh_buf_json_str(b, m->an[i].data, strlen(m->an[i].data));
		first = 0;
	}
	gh_buf_addc(b, ']');
	for (i = 0; i < m->nq; i++)
		v[n++] = m->q[i].name;
	for (i = 0; i < m->nan; i++) {
		v[n++] = m->an[i].name;
		if (m->an[i].type == GH_DNS_CNAME)
			v[n++] = m->an[i].data;
	}
	jw_key(b, "names");
	gh_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(v[j], v[i]); j++)
			;
		if (j < i)
			continue;
		if (i)
			gh_buf_addc(b, ',');
		gh_buf_json_str(b, v[i], strlen(v[i]));
	}
	gh_buf_addc(b, ']');
}

/* A DNS message a process sent or received, decoded. */
static void fmt_dns(struct gh_buf *b, const struct gh_event *e,
		    const struct blob *bl)
{
	static struct gh_dns m;
	const char *pr = proto_name(e);
	char tn[16];
	struct blob sa = bl[GH_B_EXTRA], msg = bl[GH_B_RAW2];
	int cut, bad;

	cut = !!(msg.fl & GH_BF_TRUNC);
	bad = gh_dns_parse((const unsigned char *)(msg.p ? msg.p : ""), msg.len,
			   e->proto == IPPROTO_TCP, cut, &m) < 0;
	jw_int(b, "tid", e->tid);
	jw_int(b, "sock", (int64_t)e->arg[0]);
	add_addr(b, e, &sa);
	jw_str(b, "proto", pr, strlen(pr));
	jw_str(b, "direction", e->x[0] ? "received" : "sent", e->x[0] ? 8 : 4);
	jw_int(b, "bytes", (int64_t)msg.len);
	jw_bool(b, "truncated", cut);
	if (bad && cut && strcmp(m.error, "truncated") == 0)
		bad = 0;	/* cut by the capture, not by the sender */
	if (bad)
		jw_str(b, "malformed", m.error, strlen(m.error));
	if (m.nq) {
		gh_dns_type_name(m.q[0].type, tn);
		jw_str(b, "name", m.q[0].name, strlen(m.q[0].name));
		jw_str(b, "qtype", tn, strlen(tn));
	}
	jw_int(b, "id", m.id);
	jw_bool(b, "response", m.response);
	jw_int(b, "rcode", m.rcode);
	dns_names(b, "questions", &m, 0);
	dns_names(b, "answers", &m, 1);
	dns_flat(b, &m);
}

int event_format(struct gh_buf *b, const void *rec, size_t size, uint64_t t0)
{
	const struct gh_event *e = rec;
	struct blob bl[GH_NBLOB];
	size_t start = b->len;
	const char *type;

	if (size < sizeof(*e) || e->size != size)
		return -EINVAL;
	/* DNS over TCP: a read of the two-byte length alone */
	if (e->type == GH_EV_DNS && e->proto == IPPROTO_TCP &&
	    e->blen[GH_B_RAW2] == 2)
		return 0;
	if (e->type != GH_EV_FORK && e->type != GH_EV_EXIT &&
	    get_blobs(e, size, bl) < 0)
		return -EINVAL;
	switch (e->type) {
	case GH_EV_EXEC:
		head(b, "exec", e, t0);
		fmt_exec(b, e, bl);
		break;
	case GH_EV_FORK:
		head(b, "fork", e, t0);
		jw_int(b, "ppid", e->ppid);
		jw_int(b, "tid", e->tid);
		break;
	case GH_EV_EXIT:
		head(b, "exit", e, t0);
		fmt_exit(b, e);
		break;
	case GH_EV_SYS:
		type = record_type(e);
		if (!type)
			return -EINVAL;
		head(b, type, e, t0);
		if (e->op >= GH_OP_CONNECT && e->op <= GH_OP_SENDMMSG) {
			jw_int(b, "tid", e->tid);
			fmt_net(b, e, bl);
		} else if (e->op >= GH_OP_MKNOD) {
			fmt_action(b, e, bl);
		} else {
			fmt_file(b, e, bl);
		}
		if (e->flags & GH_EVF_URING) {
			jw_str(b, "via", "io_uring", 8);
			jw_int(b, "opcode", e->nr);
		}
		if (e->flags & GH_EVF_PATH_CHANGED)
			jw_bool(b, "path_changed", 1);
		if (e->flags & GH_EVF_INHERITED)
			add_inherited(b, e);
		if (e->flags & GH_EVF_FIXED)
			jw_bool(b, "fixed_file", 1);
		break;
	case GH_EV_SOCK:
		head(b, "sock_end", e, t0);
		fmt_sock(b, e, bl);
		break;
	case GH_EV_DNS:
		head(b, "dns", e, t0);
		fmt_dns(b, e, bl);
		break;
	default:
		return -EINVAL;
	}
	if (gh_buf_add(b, "}\n", 2) < 0) {
		/* the buffer as it was, ready for the next record */
		int r = b->err;

		b->err = 0;
		b->len = start;
		if (b->p)
			b->p[start] = '\0';
		return r;
	}
	return 1;
}
