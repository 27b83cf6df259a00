/* gh-events(5) reader: a fast scanner for common lines, gh_json_parse for
 * the rest, then one schema check for both.
 *
 * The scanner takes a line only when it is certain gh_json_parse would
 * accept it: an object of scalars and flat arrays, plain keys, integers
 * within int64, valid UTF-8, well-formed escapes. Anything else (including
 * every invalid line) is parsed again by gh_json_parse, so the error
 * messages are the library's and the two paths never disagree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gh.h"
#include "json.h"
#include "events.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define READ_CHUNK (1u << 20)
/* Zeroed bytes kept after the data read, so that the scanner may load 16
 * bytes at a time up to the NUL that ends a line, and 24 bytes (a key
 * name and its quote) from anywhere in a line. */
#define READ_PAD 32
/* Key positions remembered per record type (see scan_line). */
#define PRED_KEYS 32

struct gh_evreader {
	FILE *f;
	char *name;
	char *buf;		/* input; a line is NUL terminated in place */
	size_t cap, len, pos, scan;
	int eof;
	unsigned long line, cut;
	uint64_t records;
	int seen_header, seen_end;
	struct gh_evrec rec;
	unsigned char set[GH_EK_COUNT];
	int setkeys[GH_EK_COUNT], nset;
	struct gh_evval *elems;
	size_t nelems, elemcap;
	char *scratch;		/* decoded escapes and hex of the current line */
	size_t scratchlen, scratchcap;
	struct json_object *obj;	/* the current line when json-c parsed it */
	int scan_type;		/* the type the scanner found, or -1 */
	int last_type;		/* the type of the last line it found, or -1 */
	unsigned kflags;	/* KF_* of the members set in this line */
	/* the key seen at each position of the last line of each type (row
	 * GH_ET_COUNT: before the type is known), tried first */
	short pred[GH_ET_COUNT + 1][PRED_KEYS];
	char err[1024];
};

static const char *const type_names[GH_ET_COUNT] = {
	"header", "end", "exec", "fork", "exit",
	"open", "unlink", "rmdir", "mkdir", "rename",
	"link", "symlink", "chmod", "chown", "truncate",
	"chdir", "connect", "bind", "listen", "accept",
	"send",
	"mknod", "setxattr", "removexattr", "utime",
	"name_to_handle", "memfd", "chroot", "pivot_root",
	"mount", "namespace", "identity", "ptrace",
	"process_vm", "pidfd", "signal", "socket", "bpf",
	"syscall",
	"sock_end", "dns",
	"tty_inject", "fd_received",
	"map_exec",
};

static const char *const key_names[GH_EK_COUNT] = {
	"type", "t", "pid", "tid", "ppid",
	"exe", "exe_hex", "argv", "argv_hex", "argc",
	"argv_bytes", "argv_truncated", "cwd", "cwd_hex",
	"uid", "gid", "ret", "err",
	"path", "path_hex", "raw", "raw_hex",
	"path_incomplete", "dirfd", "flags", "mode",
	"new_path", "new_path_hex", "new_raw", "new_raw_hex",
	"target", "target_hex", "length", "fd",
	"code", "signal", "core",
	"family", "addr", "addr_hex", "port", "sock_type",
	"proto", "result", "backlog", "bytes",
	"schema", "tool", "tool_version", "execution_id",
	"start", "host", "kernel", "arch", "run_uid",
	"run_gid", "audit", "limits", "stdout", "stderr",
	"status", "duration_ns", "rusage", "events", "lost",
	"syscall", "args", "name", "name_hex", "capability",
	"dev", "source", "source_hex", "fstype",
	"fstype_hex", "target_pid", "in_tree", "request",
	"cmd", "via", "effective", "permitted", "protocol",
	"opcode", "path_changed", "undecoded",
	"io_uring_opcodes", "fds", "pin_dir",
	"path_seen", "path_seen_hex", "path_status",
	"new_path_seen", "new_path_seen_hex", "new_path_status",
	"exe_seen", "exe_seen_hex", "exe_status",
	"source_path", "source_path_hex", "source_path_seen",
	"source_path_seen_hex", "source_path_status",
	"sock", "connect", "bytes_sent", "bytes_received",
	"at_end", "direction", "truncated", "malformed",
	"id", "response", "rcode", "questions", "answers",
	"addresses", "names", "qtype", "inherited",
	"sock_fd", "addr_raw",
	"output",
	"script", "script_hex", "script_seen", "script_seen_hex",
	"script_status",
	"loader",
	"prot",
};

const char *gh_ev_type_name(int type)
{
	return type >= 0 && type < GH_ET_COUNT ? type_names[type] : "?";
}

const char *gh_ev_key_name(int key)
{
	return key >= 0 && key < GH_EK_COUNT ? key_names[key] : "?";
}

/* ---- name lookup: small open-addressing tables built once ---- */

#define NAME_SLOTS 256
/* key ids go past 127: slots and predictions are shorts */
static short key_slot[NAME_SLOTS], type_slot[NAME_SLOTS];
static unsigned char key_len[GH_EK_COUNT], type_len[GH_ET_COUNT];
/* Each key name followed by its closing quote, zero padded, and the mask
 * of those bytes: a word-wise comparison with the text of a line. */
static uint64_t key_quoted[GH_EK_COUNT][3], key_mask[GH_EK_COUNT][3];
/* The same for type names (at most 15 bytes with the quote). */
static uint64_t type_quoted[GH_ET_COUNT][2], type_mask[GH_ET_COUNT][2];
/* What check_record must look at when a member is present: a *_hex
 * member (every one is named so) for check_hex. */
enum { KF_HEX = 1, KF_ENUM = 2 };
static unsigned char key_flags[GH_EK_COUNT];
static int tables_ready;
static void checks_init(void);

static unsigned name_hash(const char *s, size_t n)
{
	unsigned h = (unsigned)n * 31u;

	if (n) {
		h += (unsigned char)s[0] * 7u;
		h += (unsigned char)s[n - 1] * 131u;
		h += (unsigned char)s[n / 2] * 17u;
	}
	return h;
}

static void table_add(short *slots, const char *name, int id)
{
	unsigned h = name_hash(name, strlen(name));

	while (slots[h % NAME_SLOTS] >= 0)
		h++;
	slots[h % NAME_SLOTS] = (short)id;
}

/* NAME and its closing quote, zero padded to SIZE bytes, into Q, and the
 * mask of those bytes into M (NAME is shorter than SIZE); its length. */
static unsigned char quote_name(const char *name, void *q, void *m, size_t size)
{
	size_t n = strlen(name);

	memset(q, 0, size);
	memcpy(q, name, n);
	((unsigned char *)q)[n] = '"';
	memset(m, 0, size);
	memset(m, 0xff, n + 1);
	return (unsigned char)n;
}

static void tables_init(void)
{
	int i;

	if (tables_ready)
		return;
	memset(key_slot, -1, sizeof(key_slot));
	memset(type_slot, -1, sizeof(type_slot));
	for (i = 0; i < GH_EK_COUNT; i++) {
		table_add(key_slot, key_names[i], i);
		key_len[i] = quote_name(key_names[i], key_quoted[i], key_mask[i],
					sizeof(key_quoted[i]));
		if (key_len[i] > 4 && strcmp(key_names[i] + key_len[i] - 4, "_hex") == 0)
			key_flags[i] |= KF_HEX;
	}
	for (i = 0; i < GH_ET_COUNT; i++) {
		table_add(type_slot, type_names[i], i);
		type_len[i] = quote_name(type_names[i], type_quoted[i], type_mask[i],
					 sizeof(type_quoted[i]));
	}
	checks_init();
	tables_ready = 1;
}

static int table_find(const short *slots, const char *const *names,
		      const unsigned char *lens, const char *s, size_t n)
{
	unsigned h = name_hash(s, n);
	int id;

	size_t i;

	while ((id = slots[h % NAME_SLOTS]) >= 0) {
		if (lens[id] == n) {
			/* names are short: compare inline */
			for (i = 0; i < n && names[id][i] == s[i]; i++)
				;
			if (i == n)
				return id;
		}
		h++;
	}
	return -1;
}

/* ---- reader ---- */

struct gh_evreader *gh_evreader_new(FILE *f, const char *name)
{
	struct gh_evreader *r = calloc(1, sizeof(*r));

	tables_init();
	if (!r)
		return NULL;
	r->f = f;
	r->name = strdup(name ? name : "<stdin>");
	r->cap = READ_CHUNK + 1;
	r->buf = malloc(r->cap + READ_PAD);
	if (!r->name || !r->buf) {
		gh_evreader_free(r);
		return NULL;
	}
	memset(r->buf, 0, READ_PAD);
	memset(r->pred, -1, sizeof(r->pred));
	r->scan_type = -1;
	r->last_type = -1;
	return r;
}

void gh_evreader_free(struct gh_evreader *r)
{
	if (!r)
		return;
	if (r->obj)
		json_object_put(r->obj);
	free(r->name);
	free(r->buf);
	free(r->elems);
	free(r->scratch);
	free(r);
}

const char *gh_evreader_error(const struct gh_evreader *r)
{
	return r->err;
}

unsigned long gh_evreader_cut_line(const struct gh_evreader *r)
{
	return r->cut;
}

uint64_t gh_evreader_records(const struct gh_evreader *r)
{
	return r->records;
}

__attribute__((format(printf, 2, 3))) static int fail(struct gh_evreader *r,
						       const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s:%lu: ", r->name, r->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(r->err))
		vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom_fail(struct gh_evreader *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	return -1;
}

/* The line being read, still without its newline: -1 (with a message)
 * when it is longer than GH_EVENTS_MAX_LINE or starts with a byte that
 * cannot start a JSON value (binary data, endless input). */
static int line_bad(struct gh_evreader *r)
{
	const unsigned char *p = (const unsigned char *)r->buf + r->pos;
	const unsigned char *e = (const unsigned char *)r->buf + r->len;

	if ((size_t)(e - p) > GH_EVENTS_MAX_LINE) {
		snprintf(r->err, sizeof(r->err), "%s:%lu: a line longer than %d MiB, "
			 "expected a gh-events record", r->name, r->line + 1,
			 GH_EVENTS_MAX_LINE >> 20);
		return -1;
	}
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	/* (what starts another JSON value gets the parser's message) */
	if (p < e && (!*p || !strchr("{[\"-0123456789tfn", *p))) {
		if (*p >= 0x20 && *p < 0x7f)
			snprintf(r->err, sizeof(r->err), "%s:%lu: unexpected character '%c', "
				 "expected a JSON value", r->name, r->line + 1, *p);
		else
			snprintf(r->err, sizeof(r->err), "%s:%lu: unexpected byte 0x%02x, "
				 "expected a JSON value", r->name, r->line + 1, *p);
		return -1;
	}
	return 0;
}

/* The next line, NUL terminated in place (the newline is dropped).
 * 1: a line; 0: end of input; -1: read error or out of memory. */
static int next_line(struct gh_evreader *r, char **line, size_t *n, int *nl)
{
	char *end;
	size_t got;

	for (;;) {
		end = memchr(r->buf + r->scan, '\n', r->len - r->scan);
		if (end) {
			*line = r->buf + r->pos;
			*n = (size_t)(end - *line);
			*end = '\0';
			r->pos = r->scan = (size_t)(end - r->buf) + 1;
			*nl = 1;
			return 1;
		}
		r->scan = r->len;
		if (r->eof) {
			if (r->pos == r->len)
				return 0;
			*line = r->buf + r->pos;
			*n = r->len - r->pos;
			r->buf[r->len] = '\0';
			r->pos = r->scan = r->len;
			*nl = 0;
			return 1;
		}
		/* More to read for this line: refuse what cannot become a
		 * record (endless input, binary data) before buffering it. */
		if (line_bad(r) < 0)
			return -1;
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->scan -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < READ_CHUNK + 1) {
			size_t cap = r->cap * 2;
			char *p = realloc(r->buf, cap + READ_PAD);

			if (!p) {
				oom_fail(r);
				return -1;
			}
			r->buf = p;
			r->cap = cap;
		}
		got = fread(r->buf + r->len, 1, r->cap - r->len - 1, r->f);
		r->len += got;
		memset(r->buf + r->len, 0, READ_PAD);
		if (got == 0) {
			if (ferror(r->f)) {
				snprintf(r->err, sizeof(r->err), "%s: read error: %s",
					 r->name, strerror(errno ? errno : EIO));
				return -1;
			}
			r->eof = 1;
		}
	}
}

/* ---- the fast scanner ----
 * Works on a NUL-terminated line [p, e): the NUL stops every inner loop. */

/* 1 for bytes that end a run of plain string characters. */
static unsigned char str_stop[256];

static void str_stop_init(void)
{
	int c;

	if (str_stop['"'])
		return;
	for (c = 0; c < 256; c++)
		str_stop[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

/* The first byte at or after p that ends a run of plain string characters.
 * Sixteen (SSE2) or eight bytes at a time: the line's NUL stops it, and the reader keeps
 * READ_PAD initialized bytes after the data, so no load goes past them. */
static inline const unsigned char *skip_plain(const unsigned char *p)
{
#if defined(__SSE2__)
	/* sixteen bytes at a time: as signed bytes, those below 0x20 and
	 * those from 0x80 are both less than 0x20 */
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);
	__m128i w;
	unsigned m;

	for (;;) {
		w = _mm_loadu_si128((const __m128i *)(const void *)p);
		m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote),
						  _mm_cmpeq_epi8(w, bslash)),
				     _mm_cmplt_epi8(w, space)));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	uint64_t w, q, b, m;

	for (;;) {
		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* a zero byte of q or b, a byte below 0x20 or from 0x80: the
		 * lowest flagged byte is always a true one */
		m = (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) &
		    highs;
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#else
	while (!str_stop[*p])
		p++;
	return p;
#endif
}

static inline const unsigned char *skip_ws(const unsigned char *p)
{
	if (*p > ' ')
		return p;	/* compact JSON: no white space at all */
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Length of the valid UTF-8 sequence at p (shortest form, no surrogates,
 * at most U+10FFFF), 0 when invalid. */
static int hex_digit(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

static int hex4(const unsigned char *p, unsigned *out)
{
	int i, d;
	unsigned v = 0;

	for (i = 0; i < 4; i++) {
		d = hex_digit(p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* A string with escapes, decoded into scratch (which holds the line). */
static const unsigned char *scan_str_esc(struct gh_evreader *r,
					 const unsigned char *s,
					 const unsigned char *p,
					 const unsigned char *e,
					 struct gh_evval *v)
{
	char *start = r->scratch + r->scratchlen, *o = start;
	unsigned u, lo;
	size_t n;

	memcpy(o, s, (size_t)(p - s));
	o += p - s;
	for (;;) {
		if (*p == '"') {
			v->kind = GH_EVK_STR;
			v->s = v->b = start;
			v->len = v->blen = (size_t)(o - start);
			r->scratchlen += v->len;
			return p + 1;
		}
		if (*p == '\\') {
			switch (p[1]) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u':
				if (e - p < 6 || hex4(p + 2, &u) < 0)
					return NULL;
				if (u >= 0xdc00 && u <= 0xdfff)
					return NULL;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
					    hex4(p + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
						return NULL;
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
				o = put_utf8(o, u);
				p += 4;
				break;
			default:
				return NULL;
			}
			p += 2;
			continue;
		}
		if (*p < 0x20)
			return NULL;
		if (*p >= 0x80) {
			n = gh_utf8_len(p, e);
			if (!n)
				return NULL;
			memcpy(o, p, n);
			o += n;
			p += n;
			continue;
		}
		*o++ = (char)*p++;
	}
}

/* p is just after the opening quote. */
static inline const unsigned char *scan_str(struct gh_evreader *r,
				     const unsigned char *p,
				     const unsigned char *e, struct gh_evval *v)
{
	const unsigned char *s = p;
	size_t n;

	for (;;) {
		p = skip_plain(p);
		if (*p == '"') {
			v->kind = GH_EVK_STR;
			v->s = v->b = (const char *)s;
			v->len = v->blen = (size_t)(p - s);
			return p + 1;
		}
		if (*p == '\\')
			return scan_str_esc(r, s, p, e, v);
		if (*p < 0x80)
			return NULL;	/* control byte, or the end of the line */
		n = gh_utf8_len(p, e);
		if (!n)
			return NULL;
		p += n;
	}
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The number of ASCII digits from p on, eight bytes at a time (as
 * skip_plain, the line's NUL stops it). */
static inline size_t digit_run(const unsigned char *p)
{
	const uint64_t highs = 0xf0f0f0f0f0f0f0f0ull, threes = 0x3030303030303030ull;
	uint64_t w, m;
	size_t n = 0;

	for (;;) {
		memcpy(&w, p + n, 8);
		/* a digit's high nibble is 3, and adding 6 to it does not
		 * carry into that nibble */
		m = ((w & highs) ^ threes) |
		    (((w + 0x0606060606060606ull) & highs) ^ threes);
		if (m)
			return n + (__builtin_ctzll(m) >> 3);
		n += 8;
	}
}

/* The value of the k (1 to 8) digits at p, with three multiplications:
 * the digits go to the top bytes of a word (leading zeros below), then
 * pairs, quads and the eight are combined. */
static inline uint64_t eight_digits(const unsigned char *p, size_t k)
{
	uint64_t w;

	memcpy(&w, p, 8);
	w = (w - 0x3030303030303030ull) << (8 * (8 - k));
	w = (w * 10) + (w >> 8);
	w = (((w & 0x000000ff000000ffull) * 0x000f424000000064ull) +
	     (((w >> 16) & 0x000000ff000000ffull) * 0x0000271000000001ull)) >> 32;
	return w;
}
#endif

static inline const unsigned char *scan_int(const unsigned char *p, struct gh_evval *v)
{
	uint64_t x = 0;
	int neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
						  1000000, 10000000, 100000000 };
		size_t n = digit_run(p), k;

		if (n > 19)
			return NULL;	/* 19 digits cannot overflow 64 bits */
		for (; n; n -= k, p += k) {
			k = n < 8 ? n : 8;
			x = x * pow10[k] + eight_digits(p, k);
		}
#else
		const unsigned char *d = p;

		while (*p >= '0' && *p <= '9') {
			x = x * 10 + (unsigned)(*p - '0');
			p++;
			if (p - d > 19)
				return NULL;
		}
#endif
		if (x > (uint64_t)INT64_MAX + (uint64_t)neg)
			return NULL;
	} else {
		return NULL;
	}
	if ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E')
		return NULL;	/* leading zero or not an integer: json-c decides */
	v->kind = GH_EVK_INT;
	v->i = neg ? (int64_t)(0 - x) : (int64_t)x;
	return p;
}

static int grow_elems(struct gh_evreader *r)
{
	size_t cap;
	struct gh_evval *p;

	if (r->nelems < r->elemcap)
		return 0;
	cap = r->elemcap ? r->elemcap * 2 : 64;
	p = realloc(r->elems, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	r->elems = p;
	r->elemcap = cap;
	return 0;
}

static const unsigned char *scan_value(struct gh_evreader *r,
				       const unsigned char *p,
				       const unsigned char *e,
				       struct gh_evval *v, int in_array);

/* p is at '['. Elements go to r->elems; v->i holds the first index until
 * the line is done (r->elems may move meanwhile). */
static const unsigned char *scan_array(struct gh_evreader *r,
				       const unsigned char *p,
				       const unsigned char *e,
				       struct gh_evval *v)
{
	size_t first = r->nelems;
	struct gh_evval *el;

	p = skip_ws(p + 1);
	if (*p != ']') {
		for (;;) {
			if (grow_elems(r) < 0)
				return NULL;
			el = &r->elems[r->nelems++];
			memset(el, 0, sizeof(*el));
			p = scan_value(r, p, e, el, 1);
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p == ',') {
				p = skip_ws(p + 1);
				continue;
			}
			if (*p != ']')
				return NULL;
			break;
		}
	}
	v->kind = GH_EVK_ARR;
	v->i = (int64_t)first;
	v->len = r->nelems - first;
	return p + 1;
}

static const unsigned char *scan_value(struct gh_evreader *r,
				       const unsigned char *p,
				       const unsigned char *e,
				       struct gh_evval *v, int in_array)
{
	switch (*p) {
	case '"':
		return scan_str(r, p + 1, e, v);
	case 't':
		if (e - p < 4 || memcmp(p, "true", 4) != 0)
			return NULL;
		v->kind = GH_EVK_BOOL;
		v->i = 1;
		return p + 4;
	case 'f':
		if (e - p < 5 || memcmp(p, "false", 5) != 0)
			return NULL;
		v->kind = GH_EVK_BOOL;
		v->i = 0;
		return p + 5;
	case 'n':
		if (e - p < 4 || memcmp(p, "null", 4) != 0)
			return NULL;
		v->kind = GH_EVK_NULL;
		return p + 4;
	case '[':
		return in_array ? NULL : scan_array(r, p, e, v);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return scan_int(p, v);
	}
	return NULL;
}

static void clear_rec(struct gh_evreader *r)
{
	int i, k;

	for (i = 0; i < r->nset; i++) {
		k = r->setkeys[i];
		memset(&r->rec.v[k], 0, sizeof(r->rec.v[k]));
		r->set[k] = 0;
	}
	r->nset = 0;
	r->nelems = 0;
	r->scratchlen = 0;
	r->scan_type = -1;
	r->kflags = 0;
	if (r->obj) {
		json_object_put(r->obj);
		r->obj = NULL;
	}
}

/* The value of a key already set in this line, emptied. */
static inline struct gh_evval *slot_clear(struct gh_evreader *r, int key)
{
	struct gh_evval *v = &r->rec.v[key];

	v->kind = GH_EVK_ABSENT;
	v->obj = NULL;
	v->elems = NULL;
	return v;
}

/* slot() for a key not yet set in this line. */
static inline struct gh_evval *slot_new(struct gh_evreader *r, int key)
{
	r->set[key] = 1;
	r->setkeys[r->nset++] = key;
	r->kflags |= key_flags[key];
	return slot_clear(r, key);
}

static struct gh_evval *slot(struct gh_evreader *r, int key)
{
	return r->set[key] ? slot_clear(r, key) : slot_new(r, key);
}

/* Whether the name key and its closing quote are at k (the reader's
 * padding makes the 24 bytes loaded there readable). */
static inline int key_at(const unsigned char *k, int key)
{
	uint64_t w[3];

	memcpy(w, k, sizeof(w));
	return !(((w[0] ^ key_quoted[key][0]) & key_mask[key][0]) |
		 ((w[1] ^ key_quoted[key][1]) & key_mask[key][1]) |
		 ((w[2] ^ key_quoted[key][2]) & key_mask[key][2]));
}

/* Whether the type name t and its closing quote are at s (as key_at). */
static inline int type_at(const char *s, int t)
{
	uint64_t w[2];

	memcpy(w, s, sizeof(w));
	return !(((w[0] ^ type_quoted[t][0]) & type_mask[t][0]) |
		 ((w[1] ^ type_quoted[t][1]) & type_mask[t][1]));
}

/* 0 when the line was decoded into r->rec, -1 when it must go to json-c. */
static int scan_line(struct gh_evreader *r, const unsigned char *p,
		     const unsigned char *e)
{
	const unsigned char *k, *vstart;
	struct gh_evval dummy, *v;
	struct {
		const unsigned char *k;
		size_t n;
	} other[16];	/* names this reader does not know */
	size_t nother = 0, pos = 0;
	short *row = r->pred[GH_ET_COUNT], *pred;
	int key;

	p = skip_ws(p);
	if (*p != '{')
		return -1;
	p = skip_ws(p + 1);
	if (*p != '}') {
		for (;; pos++) {
			if (*p != '"')
				return -1;
			k = ++p;
			/* Records of a type mostly list the same members in the
			 * same order: try the key the last one had here. */
			pred = row + (pos < PRED_KEYS ? pos : PRED_KEYS - 1);
			key = *pred;
			if (key >= 0 && key_at(k, key)) {
				p = k + key_len[key];
			} else {
				p = skip_plain(p);
				if (*p != '"')
					return -1;	/* escapes or non-ASCII in a key */
				key = table_find(key_slot, key_names, key_len,
						 (const char *)k, (size_t)(p - k));
				if (key >= 0 && pos < PRED_KEYS)
					*pred = (short)key;
			}
			/* A name seen before in this line: json-c's path says
			 * which (duplicates are refused). */
			if (key >= 0 && r->set[key])
				return -1;
			if (key < 0) {
				size_t i, n = (size_t)(p - k);

				if (nother == sizeof(other) / sizeof(other[0]))
					return -1;
				for (i = 0; i < nother; i++)
					if (other[i].n == n && !memcmp(other[i].k, k, n))
						return -1;
				other[nother].k = k;
				other[nother++].n = n;
			}
			p = skip_ws(p + 1);
			if (*p != ':')
				return -1;
			p = skip_ws(p + 1);
			v = key >= 0 ? slot_new(r, key) : &dummy;
			vstart = p;
			/* the common kinds without a call */
			if (*p == '"')
				p = scan_str(r, p + 1, e, v);
			else if ((*p >= '0' && *p <= '9') || *p == '-')
				p = scan_int(p, v);
			else
				p = scan_value(r, p, e, v, 0);
			if (!p)
				return -1;
			if (key == GH_EK_TYPE && v->kind == GH_EVK_STR) {
				/* most lines have the type of the line before
				 * (a value without escapes ends at its quote) */
				int lt = r->last_type;

				if (lt >= 0 && v->len == type_len[lt] &&
				    v->s == (const char *)vstart + 1 &&
				    type_at(v->s, lt))
					r->scan_type = lt;
				else
					r->scan_type = r->last_type =
						table_find(type_slot, type_names,
							   type_len, v->s, v->len);
				row = r->pred[r->scan_type >= 0 ? r->scan_type : GH_ET_COUNT];
			}
			p = skip_ws(p);
			if (*p == ',') {
				p = skip_ws(p + 1);
				continue;
			}
			if (*p != '}')
				return -1;
			break;
		}
	}
	p = skip_ws(p + 1);
	return p == e ? 0 : -1;
}

/* ---- the json-c path ---- */

static int from_json(struct gh_evreader *r, struct json_object *o,
		     struct gh_evval *v, int in_array)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		v->kind = GH_EVK_NULL;
		break;
	case json_type_boolean:
		v->kind = GH_EVK_BOOL;
		v->i = json_object_get_boolean(o) ? 1 : 0;
		break;
	case json_type_int:
		v->kind = GH_EVK_INT;
		v->i = json_object_get_int64(o);
		break;
	case json_type_string:
		v->kind = GH_EVK_STR;
		v->s = v->b = json_object_get_string(o);
		v->len = v->blen = (size_t)json_object_get_string_len(o);
		break;
	case json_type_array:
		if (in_array) {
			v->kind = GH_EVK_OTHER;
			break;
		}
		n = json_object_array_length(o);
		v->kind = GH_EVK_ARR;
		v->i = (int64_t)r->nelems;
		v->len = n;
		for (i = 0; i < n; i++) {
			if (grow_elems(r) < 0)
				return -ENOMEM;
			memset(&r->elems[r->nelems], 0, sizeof(r->elems[0]));
			from_json(r, json_object_array_get_idx(o, i),
				  &r->elems[r->nelems++], 1);
		}
		break;
	case json_type_object:
		if (in_array) {
			v->kind = GH_EVK_OTHER;
			break;
		}
		v->kind = GH_EVK_OBJ;
		v->obj = o;
		break;
	default:
		v->kind = GH_EVK_OTHER;
	}
	return 0;
}

static int parse_json(struct gh_evreader *r, const char *line, size_t n)
{
	char msg[512];
	const char *rest = msg;
	int key;

	if (gh_json_parse(line, n, &r->obj, msg, sizeof(msg)) < 0) {
		r->obj = NULL;
		if (strncmp(msg, "line ", 5) == 0 && strstr(msg, ": "))
			rest = strstr(msg, ": ") + 2;
		return fail(r, "%s", rest);
	}
	if (!json_object_is_type(r->obj, json_type_object))
		return fail(r, "a record must be a JSON object");
	json_object_object_foreach(r->obj, k, val) {
		key = table_find(key_slot, key_names, key_len, k, strlen(k));
		if (key >= 0 && from_json(r, val, slot(r, key), 0) < 0)
			return oom_fail(r);
	}
	return 0;
}

/* ---- the schema ---- */

enum { C_END, C_INT, C_INT_NULL, C_STR, C_STR_NULL, C_BOOL, C_OBJ,
       C_OBJ_NULL, C_STRV, C_INTV, C_BOOL_NULL, C_ARR };

struct field {
	unsigned char key, check, req;
};

#define REQ(k, c) { GH_EK_##k, C_##c, 1 }
#define OPT(k, c) { GH_EK_##k, C_##c, 0 }
#define FEND { 0, C_END, 0 }

static const struct field f_header[] = {
	REQ(PID, INT), REQ(SCHEMA, INT), REQ(TOOL, STR), REQ(TOOL_VERSION, STR),
	REQ(EXECUTION_ID, STR), REQ(START, STR), REQ(HOST, STR),
	REQ(KERNEL, STR), REQ(ARCH, STR), REQ(ARGV, STRV), REQ(CWD, STR_NULL),
	REQ(UID, INT), REQ(GID, INT), REQ(RUN_UID, INT), REQ(RUN_GID, INT),
	REQ(AUDIT, OBJ), REQ(LIMITS, OBJ), OPT(STDOUT, OBJ_NULL),
	OPT(STDERR, OBJ_NULL), OPT(FDS, ARR), OPT(PIN_DIR, STR_NULL),
	OPT(OUTPUT, STR_NULL), FEND
};
static const struct field f_end[] = {
	REQ(PID, INT), REQ(STATUS, INT), REQ(CODE, INT_NULL),
	REQ(SIGNAL, INT_NULL), REQ(DURATION_NS, INT), REQ(RUSAGE, OBJ),
	REQ(EVENTS, INT), REQ(LOST, OBJ), OPT(STDOUT, OBJ_NULL),
	OPT(STDERR, OBJ_NULL), OPT(UNDECODED, OBJ), OPT(IO_URING_OPCODES, INTV),
	FEND
};
static const struct field f_exec[] = {
	REQ(PPID, INT), REQ(ARGV, STRV), REQ(ARGC, INT), REQ(ARGV_BYTES, INT),
	REQ(ARGV_TRUNCATED, BOOL), REQ(CWD, STR_NULL), OPT(EXE, STR_NULL),
	OPT(PATH, STR), OPT(RAW, STR), OPT(UID, INT), OPT(GID, INT),
	OPT(PATH_INCOMPLETE, BOOL), OPT(PATH_CHANGED, BOOL), OPT(EXE_SEEN, STR),
	OPT(EXE_STATUS, STR), OPT(PATH_SEEN, STR), OPT(PATH_STATUS, STR),
	OPT(SCRIPT, STR), OPT(SCRIPT_SEEN, STR), OPT(SCRIPT_STATUS, STR), FEND
};
static const struct field f_fork[] = {
	REQ(PID, INT), REQ(PPID, INT), REQ(TID, INT), FEND
};
static const struct field f_exit[] = {
	REQ(PID, INT), REQ(CODE, INT_NULL), REQ(SIGNAL, INT_NULL),
	REQ(CORE, BOOL), OPT(PPID, INT), FEND
};
/* Every file record; then one list per type. */
static const struct field f_file[] = {
	OPT(PATH, STR), OPT(RAW, STR), OPT(PATH_INCOMPLETE, BOOL), OPT(FD, INT),
	OPT(VIA, STR), OPT(OPCODE, INT), OPT(PATH_CHANGED, BOOL),
	OPT(PATH_SEEN, STR), OPT(PATH_STATUS, STR), OPT(NEW_PATH_SEEN, STR),
	OPT(NEW_PATH_STATUS, STR), FEND
};
static const struct field f_open[] = {
	REQ(DIRFD, INT), REQ(FLAGS, INT), REQ(MODE, INT), FEND
};
/* Every record of the syscalls beyond files and sockets; then per type. */
static const struct field f_action[] = {
	REQ(SYSCALL, STR), OPT(PATH, STR), OPT(RAW, STR), OPT(NEW_PATH, STR),
	OPT(NEW_RAW, STR), OPT(PATH_INCOMPLETE, BOOL), OPT(FD, INT),
	OPT(FLAGS, INT), OPT(PATH_CHANGED, BOOL), OPT(PATH_SEEN, STR),
	OPT(PATH_STATUS, STR), OPT(NEW_PATH_SEEN, STR), OPT(NEW_PATH_STATUS, STR),
	FEND
};
static const struct field f_mknod[] = { REQ(MODE, INT), REQ(DEV, INT), FEND };
static const struct field f_xattr[] = {
	REQ(CAPABILITY, BOOL), OPT(NAME, STR), FEND
};
static const struct field f_flags[] = { REQ(FLAGS, INT), FEND };
static const struct field f_memfd[] = { REQ(FLAGS, INT), OPT(NAME, STR), FEND };
static const struct field f_mount[] = {
	OPT(SOURCE, STR), OPT(FSTYPE, STR), OPT(NAME, STR), OPT(CMD, INT),
	OPT(SOURCE_PATH, STR), OPT(SOURCE_PATH_SEEN, STR),
	OPT(SOURCE_PATH_STATUS, STR), FEND
};
static const struct field f_identity[] = {
	OPT(ARGS, INTV), OPT(EFFECTIVE, INT), OPT(PERMITTED, INT), FEND
};
static const struct field f_target[] = {
	REQ(TARGET_PID, INT_NULL), REQ(IN_TREE, BOOL_NULL), OPT(REQUEST, INT),
	FEND
};
static const struct field f_signal[] = {
	REQ(TARGET_PID, INT_NULL), REQ(IN_TREE, BOOL_NULL), REQ(SIGNAL, INT),
	FEND
};
static const struct field f_socket[] = {
	REQ(FAMILY, STR), REQ(SOCK_TYPE, STR), REQ(PROTO, STR),
	REQ(PROTOCOL, INT), FEND
};
static const struct field f_bpf[] = { REQ(CMD, INT), FEND };
static const struct field f_syscall[] = {
	REQ(ARGS, INTV), OPT(TARGET_PID, INT_NULL), OPT(IN_TREE, BOOL_NULL),
	OPT(REQUEST, INT), OPT(NAME, STR), FEND
};
static const struct field f_mode[] = { REQ(MODE, INT), FEND };
static const struct field f_rename[] = {
	REQ(FLAGS, INT), OPT(NEW_PATH, STR), OPT(NEW_RAW, STR), FEND
};
static const struct field f_link[] = {
	OPT(NEW_PATH, STR), OPT(NEW_RAW, STR), FEND
};
static const struct field f_symlink[] = { OPT(TARGET, STR), FEND };
static const struct field f_chown[] = { REQ(UID, INT), REQ(GID, INT), FEND };
static const struct field f_truncate[] = { REQ(LENGTH, INT), FEND };
static const struct field f_none[] = { FEND };
/* Every network record; then one list per type. */
static const struct field f_net[] = {
	REQ(FD, INT), REQ(FAMILY, STR), OPT(ADDR, STR), OPT(PORT, INT),
	REQ(SOCK_TYPE, STR), REQ(PROTO, STR), FEND
};
static const struct field f_connect[] = { REQ(RESULT, STR), OPT(SOCK, INT), FEND };
static const struct field f_listen[] = { REQ(BACKLOG, INT), FEND };
static const struct field f_send[] = { OPT(BYTES, INT), OPT(INHERITED, BOOL), FEND };
/* A socket's end; a DNS message. */
static const struct field f_sock_end[] = {
	REQ(PID, INT), REQ(SOCK, INT), REQ(FAMILY, STR), OPT(ADDR, STR),
	OPT(PORT, INT), REQ(PROTO, STR), OPT(CONNECT, STR),
	REQ(BYTES_SENT, INT), REQ(BYTES_RECEIVED, INT), REQ(AT_END, BOOL), FEND
};
static const struct field f_dns[] = {
	REQ(PID, INT), REQ(TID, INT), REQ(SOCK, INT), REQ(FAMILY, STR),
	OPT(ADDR, STR), OPT(PORT, INT), REQ(PROTO, STR), REQ(DIRECTION, STR),
	REQ(BYTES, INT), REQ(TRUNCATED, BOOL), OPT(MALFORMED, STR),
	REQ(ID, INT), REQ(RESPONSE, BOOL), REQ(RCODE, INT), REQ(QUESTIONS, ARR),
	REQ(ANSWERS, ARR), REQ(ADDRESSES, STRV), REQ(NAMES, STRV),
	OPT(NAME, STR), OPT(QTYPE, STR), FEND
};
/* Input pushed into a terminal; a descriptor received. */
static const struct field f_tty_inject[] = {
	REQ(FD, INT), REQ(REQUEST, INT), REQ(NAME, STR), FEND
};
static const struct field f_fd_received[] = {
	REQ(FD, INT), REQ(SOCK_FD, INT), OPT(FAMILY, STR), OPT(ADDR, STR),
	OPT(PORT, INT), FEND
};
/* A file mapped executable. */
static const struct field f_map_exec[] = { REQ(PROT, INT), FEND };
/* Every syscall record (exec, file, network). */
static const struct field f_sys[] = {
	REQ(PID, INT), REQ(TID, INT), REQ(RET, INT), OPT(ERR, STR), FEND
};

static const struct field *const f_type[GH_ET_COUNT] = {
	[GH_ET_HEADER] = f_header, [GH_ET_END] = f_end, [GH_ET_EXEC] = f_exec,
	[GH_ET_FORK] = f_fork, [GH_ET_EXIT] = f_exit, [GH_ET_OPEN] = f_open,
	[GH_ET_UNLINK] = f_none, [GH_ET_RMDIR] = f_none, [GH_ET_MKDIR] = f_mode,
	[GH_ET_RENAME] = f_rename, [GH_ET_LINK] = f_link,
	[GH_ET_SYMLINK] = f_symlink, [GH_ET_CHMOD] = f_mode,
	[GH_ET_CHOWN] = f_chown, [GH_ET_TRUNCATE] = f_truncate,
	[GH_ET_CHDIR] = f_none, [GH_ET_CONNECT] = f_connect,
	[GH_ET_BIND] = f_none, [GH_ET_LISTEN] = f_listen,
	[GH_ET_ACCEPT] = f_none, [GH_ET_SEND] = f_send,
	[GH_ET_MKNOD] = f_mknod, [GH_ET_SETXATTR] = f_xattr,
	[GH_ET_REMOVEXATTR] = f_xattr, [GH_ET_UTIME] = f_none,
	[GH_ET_NAME_TO_HANDLE] = f_flags, [GH_ET_MEMFD] = f_memfd,
	[GH_ET_CHROOT] = f_none, [GH_ET_PIVOT_ROOT] = f_none,
	[GH_ET_MOUNT] = f_mount, [GH_ET_NAMESPACE] = f_flags,
	[GH_ET_IDENTITY] = f_identity, [GH_ET_PTRACE] = f_target,
	[GH_ET_PROCESS_VM] = f_target, [GH_ET_PIDFD] = f_target,
	[GH_ET_SIGNAL] = f_signal, [GH_ET_SOCKET] = f_socket,
	[GH_ET_BPF] = f_bpf, [GH_ET_SYSCALL] = f_syscall,
	[GH_ET_SOCK_END] = f_sock_end, [GH_ET_DNS] = f_dns,
	[GH_ET_TTY_INJECT] = f_tty_inject, [GH_ET_FD_RECEIVED] = f_fd_received,
	[GH_ET_MAP_EXEC] = f_map_exec,
};

static const char *const check_what[] = {
	[C_INT] = "an integer", [C_INT_NULL] = "an integer or null",
	[C_STR] = "a string", [C_STR_NULL] = "a string or null",
	[C_BOOL] = "a boolean", [C_OBJ] = "an object",
	[C_OBJ_NULL] = "an object or null", [C_STRV] = "an array of strings",
	[C_INTV] = "an array of integers", [C_BOOL_NULL] = "a boolean or null",
	[C_ARR] = "an array",
};

static int kind_ok(const struct gh_evval *v, int check)
{
	size_t i;

	switch (check) {
	case C_INT: return v->kind == GH_EVK_INT;
	case C_INT_NULL: return v->kind == GH_EVK_INT || v->kind == GH_EVK_NULL;
	case C_STR: return v->kind == GH_EVK_STR;
	case C_STR_NULL: return v->kind == GH_EVK_STR || v->kind == GH_EVK_NULL;
	case C_BOOL: return v->kind == GH_EVK_BOOL;
	case C_OBJ: return v->kind == GH_EVK_OBJ;
	case C_OBJ_NULL: return v->kind == GH_EVK_OBJ || v->kind == GH_EVK_NULL;
	case C_STRV:
	case C_INTV:
		if (v->kind != GH_EVK_ARR)
			return 0;
		for (i = 0; i < v->len; i++)
			if (v->elems[i].kind != (check == C_STRV ? GH_EVK_STR : GH_EVK_INT))
				return 0;
		return 1;
	case C_BOOL_NULL: return v->kind == GH_EVK_BOOL || v->kind == GH_EVK_NULL;
	case C_ARR: return v->kind == GH_EVK_ARR || v->kind == GH_EVK_OBJ ||
			   v->kind == GH_EVK_OTHER;
	}
	return 0;
}

/* The kinds each scalar check accepts, as bits (1 << GH_EVK_*). */
#define K(k) (1u << GH_EVK_##k)
static const unsigned short check_kinds[] = {
	[C_INT] = K(INT), [C_INT_NULL] = K(INT) | K(NULL), [C_STR] = K(STR),
	[C_STR_NULL] = K(STR) | K(NULL), [C_BOOL] = K(BOOL), [C_OBJ] = K(OBJ),
	[C_OBJ_NULL] = K(OBJ) | K(NULL), [C_BOOL_NULL] = K(BOOL) | K(NULL),
	[C_ARR] = K(ARR) | K(OBJ) | K(OTHER),
};
#undef K

static int check_fields(struct gh_evreader *r, const struct field *f)
{
	const char *tn = type_names[r->rec.type];
	const struct gh_evval *v;

	for (; f->check != C_END; f++) {
		v = &r->rec.v[f->key];
		if (check_kinds[f->check] & (1u << v->kind))
			continue;
		if (v->kind == GH_EVK_ABSENT) {
			if (f->req)
				return fail(r, "%s: missing member \"%s\"", tn,
					    key_names[f->key]);
			continue;
		}
		if (!kind_ok(v, f->check))
			return fail(r, "%s: member \"%s\" must be %s", tn,
				    key_names[f->key], check_what[f->check]);
	}
	return 0;
}

static int one_of(const struct gh_evval *v, const char *const *names)
{
	for (; *names; names++)
		if (v->len && **names == *v->s && strlen(*names) == v->len &&
		    memcmp(*names, v->s, v->len) == 0)
			return 1;
	return 0;
}

static const char *const families[] = { "inet", "inet6", "unix", "packet",
					 "netlink", "other", "vsock", "xdp", NULL };
static const char *const sock_types[] = { "stream", "dgram", "seqpacket", "raw",
					  "other", NULL };
static const char *const protos[] = { "tcp", "udp", "unix", "icmp", "other", NULL };
static const char *const results[] = { "ok", "in_progress", "refused",
				       "unreachable", "timeout", "denied",
				       "error", "reset", NULL };

static const char *const directions[] = { "sent", "received", NULL };

/* A quoted, escaped, shortened copy of s for messages. */
static const char *quote(struct gh_buf *b, const char *s, size_t n)
{
	b->len = 0;
	if (n > 64) {
		gh_buf_json_str(b, s, 64);
		gh_buf_adds(b, "...");
	} else {
		gh_buf_json_str(b, s, n);
	}
	return b->p ? b->p : "\"\"";
}

/* How a path was found, when not by the kernel's walk to the root. */
static const char *const path_statuses[] = {
	"lexical", "unresolved", "incomplete", NULL
};

/* The members whose values are enumerated. */
static const struct {
	int key;
	const char *const *names;
} enums[] = {
	{ GH_EK_FAMILY, families }, { GH_EK_SOCK_TYPE, sock_types },
	{ GH_EK_PROTO, protos }, { GH_EK_RESULT, results },
	{ GH_EK_PATH_STATUS, path_statuses },
	{ GH_EK_NEW_PATH_STATUS, path_statuses },
	{ GH_EK_EXE_STATUS, path_statuses },
	{ GH_EK_SOURCE_PATH_STATUS, path_statuses },
	{ GH_EK_SCRIPT_STATUS, path_statuses },
	{ GH_EK_CONNECT, results }, { GH_EK_DIRECTION, directions },
};

static int check_enums(struct gh_evreader *r)
{
	struct gh_buf q = GH_BUF_INIT;
	const struct gh_evval *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(enums) / sizeof(enums[0]) && !rc; i++) {
		v = &r->rec.v[enums[i].key];
		if (v->kind == GH_EVK_STR && !one_of(v, enums[i].names))
			rc = fail(r, "%s: member \"%s\" has an unknown value %s",
				  type_names[r->rec.type], key_names[enums[i].key],
				  quote(&q, v->s, v->len));
	}
	gh_buf_release(&q);
	return rc;
}

/* Lowercase hex of even length into scratch; NULL when malformed. */
static const char *unhex(struct gh_evreader *r, const char *s, size_t n,
			 size_t *out)
{
	char *o = r->scratch + r->scratchlen;
	size_t i;
	int hi, lo;

	if (n % 2)
		return NULL;
	for (i = 0; i < n; i += 2) {
		hi = hex_digit((unsigned char)s[i]);
		lo = hex_digit((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0 || (s[i] >= 'A' && s[i] <= 'F') ||
		    (s[i + 1] >= 'A' && s[i + 1] <= 'F'))
			return NULL;
		o[i / 2] = (char)(hi << 4 | lo);
	}
	*out = n / 2;
	r->scratchlen += n / 2;
	return o;
}

static int check_hex(struct gh_evreader *r)
{
	static const int hex_keys[] = {
		GH_EK_EXE_HEX, GH_EK_CWD_HEX, GH_EK_PATH_HEX, GH_EK_RAW_HEX,
		GH_EK_NEW_PATH_HEX, GH_EK_NEW_RAW_HEX, GH_EK_TARGET_HEX,
		GH_EK_ADDR_HEX, GH_EK_NAME_HEX, GH_EK_SOURCE_HEX,
		GH_EK_FSTYPE_HEX, GH_EK_PATH_SEEN_HEX, GH_EK_NEW_PATH_SEEN_HEX,
		GH_EK_EXE_SEEN_HEX, GH_EK_SOURCE_PATH_HEX,
		GH_EK_SOURCE_PATH_SEEN_HEX, GH_EK_SCRIPT_HEX,
		GH_EK_SCRIPT_SEEN_HEX,
	};
	const char *tn = type_names[r->rec.type];
	struct gh_evval *v, *base;
	size_t i;
	int k;

	for (i = 0; i < sizeof(hex_keys) / sizeof(hex_keys[0]); i++) {
		k = hex_keys[i];
		v = &r->rec.v[k];
		base = &r->rec.v[k - 1];
		if (v->kind == GH_EVK_ABSENT || v->kind == GH_EVK_NULL)
			continue;
		if (v->kind != GH_EVK_STR)
			return fail(r, "%s: member \"%s\" must be a string", tn,
				    key_names[k]);
		if (base->kind != GH_EVK_STR)
			return fail(r, "%s: member \"%s\" without a string \"%s\"",
				    tn, key_names[k], key_names[k - 1]);
		base->b = unhex(r, v->s, v->len, &base->blen);
		if (!base->b)
			return fail(r, "%s: member \"%s\" must be lowercase hex",
				    tn, key_names[k]);
	}
	v = &r->rec.v[GH_EK_ARGV_HEX];
	base = &r->rec.v[GH_EK_ARGV];
	if (v->kind == GH_EVK_ABSENT || v->kind == GH_EVK_NULL)
		return 0;
	if (v->kind != GH_EVK_ARR || base->kind != GH_EVK_ARR ||
	    v->len != base->len)
		return fail(r, "%s: member \"argv_hex\" must be an array as long as \"argv\"",
			    tn);
	for (i = 0; i < v->len; i++) {
		if (v->elems[i].kind == GH_EVK_NULL)
			continue;
		if (v->elems[i].kind != GH_EVK_STR)
			return fail(r, "%s: argv_hex[%zu] must be a string or null",
				    tn, i);
		base->elems[i].b = unhex(r, v->elems[i].s, v->elems[i].len,
					 &base->elems[i].blen);
		if (!base->elems[i].b)
			return fail(r, "%s: argv_hex[%zu] must be lowercase hex",
				    tn, i);
	}
	return 0;
}

/* Members of the header's and end record's objects. */
static int check_obj(struct gh_evreader *r, int key, const char *const *ints,
		     int stdio_bytes)
{
	struct json_object *o = r->rec.v[key].obj;
	const char *tn = type_names[r->rec.type], *s;
	int64_t i64;
	int b, rc;

	if (r->rec.v[key].kind != GH_EVK_OBJ)
		return 0;
	for (; ints && *ints; ints++) {
		rc = gh_json_get_int(o, *ints, &i64);
		if (rc == -ENOENT)
			return fail(r, "%s: missing member \"%s.%s\"", tn,
				    key_names[key], *ints);
		if (rc < 0)
			return fail(r, "%s: member \"%s.%s\" must be an integer",
				    tn, key_names[key], *ints);
	}
	if (key == GH_EK_AUDIT) {
		rc = gh_json_get_bool(o, "active", &b);
		if (rc == -ENOENT)
			return fail(r, "%s: missing member \"audit.active\"", tn);
		if (rc < 0)
			return fail(r, "%s: member \"audit.active\" must be a boolean",
				    tn);
		if (gh_json_get_str(o, "reason", &s) == -EINVAL)
			return fail(r, "%s: member \"audit.reason\" must be a string",
				    tn);
		if (gh_json_get_str(o, "programs", &s) == -EINVAL)
			return fail(r, "%s: member \"audit.programs\" must be a string",
				    tn);
		if (gh_json_get_str(o, "bpf_object_sha256", &s) == -EINVAL)
			return fail(r, "%s: member \"audit.bpf_object_sha256\" must be a string",
				    tn);
	}
	if (key == GH_EK_STDOUT || key == GH_EK_STDERR) {
		rc = gh_json_get_str(o, "path", &s);
		if (rc == -ENOENT)
			return fail(r, "%s: missing member \"%s.path\"", tn,
				    key_names[key]);
		if (rc < 0)
			return fail(r, "%s: member \"%s.path\" must be a string",
				    tn, key_names[key]);
		rc = gh_json_get_str(o, "path_hex", &s);
		if (rc == -EINVAL || (rc == 0 && (strlen(s) % 2 ||
						  strspn(s, "0123456789abcdef") != strlen(s))))
			return fail(r, "%s: member \"%s.path_hex\" must be lowercase hex",
				    tn, key_names[key]);
		rc = gh_json_get_int(o, "bytes", &i64);
		if ((rc == -ENOENT && stdio_bytes) || rc == -EINVAL)
			return fail(r, "%s: member \"%s.bytes\" must be an integer",
				    tn, key_names[key]);
	}
	return 0;
}

/* Process and thread ids are pid_t: a larger number would be cut to
 * another process's id. */
static int check_ids(struct gh_evreader *r)
{
	static const int keys[] = { GH_EK_PID, GH_EK_TID, GH_EK_PPID };
	const struct gh_evval *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = &r->rec.v[keys[i]];
		if (v->kind == GH_EVK_INT && (v->i < 0 || v->i > INT32_MAX))
			return fail(r, "%s: member \"%s\" is not a process id (0 to %d): %lld",
				    type_names[r->rec.type], key_names[keys[i]],
				    INT32_MAX, (long long)v->i);
	}
	return 0;
}

/* The member checks of every record type, merged from its lists (see
 * check_record) into one table: per type and key, the check (C_*, 0 for
 * a key no list names) with FC_REQ when required, and how many keys are
 * required. A type whose lists check a key two ways keeps the lists. */
#define FC_REQ 0x80
static unsigned char fcheck[GH_ET_COUNT][GH_EK_COUNT];
static unsigned char fcheck_nreq[GH_ET_COUNT], fcheck_off[GH_ET_COUNT];

static void checks_merge(int t, const struct field *f)
{
	unsigned char *c;

	for (; f->check != C_END; f++) {
		c = &fcheck[t][f->key];
		if (*c && (*c & ~FC_REQ) != f->check)
			fcheck_off[t] = 1;
		if (f->req && !(*c & FC_REQ))
			fcheck_nreq[t]++;
		*c = (unsigned char)(f->check | (f->req || (*c & FC_REQ) ? FC_REQ : 0));
	}
}

static void checks_init(void)
{
	size_t i;
	int t;

	for (t = 0; t < GH_ET_COUNT; t++) {
		if (t == GH_ET_EXEC || GH_ET_IS_FILE(t) || GH_ET_IS_NET(t) ||
		    GH_ET_IS_ACTION(t))
			checks_merge(t, f_sys);
		if (GH_ET_IS_FILE(t))
			checks_merge(t, f_file);
		if (GH_ET_IS_NET(t))
			checks_merge(t, f_net);
		if (GH_ET_IS_ACTION(t))
			checks_merge(t, f_action);
		checks_merge(t, f_type[t]);
	}
	for (i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		key_flags[enums[i].key] |= KF_ENUM;
}

/* Whether every member check of type t passes: one look at each member
 * of the line instead of one per member the lists name. When not (or
 * for a type without the merged table), check_fields says which fails. */
static int fields_ok(const struct gh_evreader *r, int t)
{
	const struct gh_evval *v;
	unsigned c, nreq = 0;
	int i;

	if (fcheck_off[t])
		return 0;
	for (i = 0; i < r->nset; i++) {
		c = fcheck[t][r->setkeys[i]];
		if (!c)
			continue;
		v = &r->rec.v[r->setkeys[i]];
		if (!(check_kinds[c & ~FC_REQ] & (1u << v->kind)) &&
		    !kind_ok(v, (int)(c & ~FC_REQ)))
			return 0;
		nreq += c >> 7;
	}
	return nreq == fcheck_nreq[t];
}

static int check_record(struct gh_evreader *r)
{
	static const char *const limits[] = { "argv_bytes", "path_bytes",
					      "ringbuf_bytes", NULL };
	static const char *const rusage[] = { "utime_us", "stime_us", "maxrss_kb",
					      "minflt", "majflt", "inblock",
					      "oublock", "nvcsw", "nivcsw", NULL };
	static const char *const lost[] = { "ringbuf", "fault", "truncated", NULL };
	static const char *const undecoded[] = { "compat_syscall", "bpf_syscall",
						  "io_uring_unsupported_op",
						  "foreign_process_control", NULL };
	struct gh_evrec *rec = &r->rec;
	struct gh_evval *v = rec->v;
	struct gh_buf q = GH_BUF_INIT;
	const char *tn;
	int t = rec->type;

	if (v[GH_EK_TYPE].kind == GH_EVK_ABSENT)
		return fail(r, "missing member \"type\"");
	if (v[GH_EK_TYPE].kind != GH_EVK_STR)
		return fail(r, "member \"type\" must be a string");
	t = r->scan_type >= 0 ? r->scan_type :
	    table_find(type_slot, type_names, type_len, v[GH_EK_TYPE].s,
		       v[GH_EK_TYPE].len);
	if (t < 0) {
		fail(r, "unknown record type %s",
		     quote(&q, v[GH_EK_TYPE].s, v[GH_EK_TYPE].len));
		gh_buf_release(&q);
		return -1;
	}
	rec->type = t;
	tn = type_names[t];
	if (!r->seen_header && t != GH_ET_HEADER)
		return fail(r, "the first record must be a header, not %s", tn);
	if (r->seen_header && t == GH_ET_HEADER)
		return fail(r, "a second header record");
	if (r->seen_end)
		return fail(r, "%s record after the end record", tn);
	if (v[GH_EK_T].kind == GH_EVK_ABSENT)
		return fail(r, "%s: missing member \"t\"", tn);
	if (v[GH_EK_T].kind != GH_EVK_INT)
		return fail(r, "%s: member \"t\" must be an integer", tn);
	if (v[GH_EK_T].i < 0)
		return fail(r, "%s: member \"t\" must not be negative", tn);
	if (fields_ok(r, t)) {
		/* as below, with every member check passed */
		if ((t == GH_ET_EXEC || GH_ET_IS_FILE(t) || GH_ET_IS_NET(t) ||
		     GH_ET_IS_ACTION(t)) &&
		    v[GH_EK_RET].i < 0 && v[GH_EK_ERR].kind == GH_EVK_ABSENT)
			return fail(r, "%s: missing member \"err\" (ret is negative)", tn);
	} else {
		if (t == GH_ET_EXEC || GH_ET_IS_FILE(t) || GH_ET_IS_NET(t) ||
		    GH_ET_IS_ACTION(t)) {
			if (check_fields(r, f_sys) < 0)
				return -1;
			if (v[GH_EK_RET].i < 0 && v[GH_EK_ERR].kind == GH_EVK_ABSENT)
				return fail(r, "%s: missing member \"err\" (ret is negative)", tn);
		}
		if (GH_ET_IS_FILE(t) && check_fields(r, f_file) < 0)
			return -1;
		if (GH_ET_IS_NET(t) && check_fields(r, f_net) < 0)
			return -1;
		if (GH_ET_IS_ACTION(t) && check_fields(r, f_action) < 0)
			return -1;
		if (check_fields(r, f_type[t]) < 0)
			return -1;
	}
	if (t == GH_ET_EXEC && v[GH_EK_RET].i >= 0 &&
	    v[GH_EK_EXE].kind == GH_EVK_ABSENT)
		return fail(r, "exec: missing member \"exe\"");
	if (((r->kflags & KF_ENUM) && check_enums(r) < 0) ||
	    ((r->kflags & KF_HEX) && check_hex(r) < 0) ||
	    check_ids(r) < 0)
		return -1;
	if (t == GH_ET_HEADER) {
		if (v[GH_EK_SCHEMA].i < GH_EVENTS_SCHEMA_MIN ||
		    v[GH_EK_SCHEMA].i > GH_EVENTS_SCHEMA)
			return fail(r, "header: events schema %lld is not supported (only %d and %d)",
				    (long long)v[GH_EK_SCHEMA].i, GH_EVENTS_SCHEMA_MIN,
				    GH_EVENTS_SCHEMA);
		if (check_obj(r, GH_EK_AUDIT, NULL, 0) < 0 ||
		    check_obj(r, GH_EK_LIMITS, limits, 0) < 0 ||
		    check_obj(r, GH_EK_STDOUT, NULL, 0) < 0 ||
		    check_obj(r, GH_EK_STDERR, NULL, 0) < 0)
			return -1;
	}
	if (t == GH_ET_END &&
	    (check_obj(r, GH_EK_RUSAGE, rusage, 0) < 0 ||
	     check_obj(r, GH_EK_LOST, lost, 0) < 0 ||
	     check_obj(r, GH_EK_UNDECODED, undecoded, 0) < 0 ||
	     check_obj(r, GH_EK_STDOUT, NULL, 1) < 0 ||
	     check_obj(r, GH_EK_STDERR, NULL, 1) < 0))
		return -1;
	return 0;
}

static int grow_scratch(struct gh_evreader *r, size_t n)
{
	size_t need = 2 * n + 64;
	char *p;

	if (need <= r->scratchcap)
		return 0;
	p = realloc(r->scratch, need);
	if (!p)
		return -ENOMEM;
	r->scratch = p;
	r->scratchcap = need;
	return 0;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* The first record is not a header: when the input is a receipt (one
 * line, or pretty-printed over many and buffered whole), say so. line[0..n)
 * is the first line, its newline replaced by a NUL when nl is set. */
static int not_a_stream(struct gh_evreader *r, char *line, size_t n, int nl)
{
	struct json_object *o = NULL;
	struct gh_jreader *jr;
	FILE *mem;
	int is_receipt = 0;

	if (nl)
		line[n] = '\n';
	mem = fmemopen(line, (size_t)(r->buf + r->len - line), "r");
	jr = mem ? gh_jreader_new(mem, r->name, GH_JR_SEQ) : NULL;
	if (jr && gh_jreader_next(jr, &o) == 1 &&
	    json_object_is_type(o, json_type_object) &&
	    !json_object_object_get_ex(o, "type", NULL) &&
	    (json_object_object_get_ex(o, "version", NULL) ||
	     json_object_object_get_ex(o, "execution_id", NULL)))
		is_receipt = 1;
	json_object_put(o);
	gh_jreader_free(jr);
	if (mem)
		fclose(mem);
	if (nl)
		line[n] = '\0';
	if (is_receipt)
		fail(r, "this is a receipt, not a gh-events stream; "
		     "gh-aggregate reads what gh-trace writes");
	return -1;
}

int gh_evreader_next(struct gh_evreader *r, const struct gh_evrec **out)
{
	char *line;
	size_t n;
	int nl, rc, i;

	str_stop_init();
	*out = NULL;
	clear_rec(r);
	do {
		rc = next_line(r, &line, &n, &nl);
		if (rc <= 0)
			return rc;
		r->line++;
	} while (blank(line, n));
	if (grow_scratch(r, n) < 0)
		return oom_fail(r);
	if (scan_line(r, (const unsigned char *)line,
		      (const unsigned char *)line + n) < 0) {
		clear_rec(r);
		if (parse_json(r, line, n) < 0) {
			if (!nl && r->seen_header && !r->seen_end) {
				/* cut off inside the last record */
				r->cut = r->line;
				clear_rec(r);
				return 0;
			}
			if (!r->seen_header)
				return not_a_stream(r, line, n, nl);
			return -1;
		}
	}
	/* (no elements: no array, or only empty ones, which keep NULL) */
	for (i = 0; r->nelems && i < r->nset; i++) {
		struct gh_evval *v = &r->rec.v[r->setkeys[i]];

		if (v->kind == GH_EVK_ARR)
			v->elems = r->elems + v->i;
	}
	r->rec.line = r->line;
	if (check_record(r) < 0) {
		if (!r->seen_header)
			return not_a_stream(r, line, n, nl);
		return -1;
	}
	if (r->rec.type == GH_ET_HEADER)
		r->seen_header = 1;
	else if (r->rec.type == GH_ET_END)
		r->seen_end = 1;
	else
		r->records++;
	*out = &r->rec;
	return 1;
}

int gh_ev_obj_bytes(struct json_object *o, const char *key, char *buf,
		    size_t bufsize, const char **p, size_t *len)
{
	char hkey[64];
	const char *s, *h;
	size_t i, n;
	int rc, hi, lo;

	rc = gh_json_get_str(o, key, &s);
	if (rc < 0)
		return rc;
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	rc = gh_json_get_str(o, hkey, &h);
	if (rc == -ENOENT) {
		struct json_object *v = json_object_object_get(o, key);

		*p = s;
		*len = (size_t)json_object_get_string_len(v);
		return 0;
	}
	if (rc < 0)
		return rc;
	n = strlen(h);
	if (n % 2)
		return -EINVAL;
	if (n / 2 > bufsize)
		return -ENOSPC;
	for (i = 0; i < n; i += 2) {
		hi = hex_digit((unsigned char)h[i]);
		lo = hex_digit((unsigned char)h[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		buf[i / 2] = (char)(hi << 4 | lo);
	}
	*p = buf;
	*len = n / 2;
	return 0;
}
