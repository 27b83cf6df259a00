/* gh-aggregate: folding records into distinct processes, paths and peers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gh.h"
#include "json.h"
#include "agg.h"

static __attribute__((noreturn)) void oom(void)
{
	gh_die(GH_EXIT_ERR, "out of memory");
}

static uint32_t intern(struct agg *a, const char *s, size_t n)
{
	uint32_t id = strtab_intern(&a->str, s, n);

	if (!id)
		oom();
	return id;
}

/* The raw bytes of a string member, interned; 0 when absent or null. */
static uint32_t sid(struct agg *a, const struct gh_evrec *rec, int key)
{
	const struct gh_evval *v = &rec->v[key];

	if (v->kind != GH_EVK_STR)
		return 0;
	return intern(a, v->b, v->blen);
}

/* An argv array as one interned string: per element a 4-byte length, then
 * its raw bytes. */
static uint32_t argv_id(struct agg *a, const struct gh_evval *v)
{
	static struct gh_buf b = GH_BUF_INIT;
	uint32_t n;
	size_t i;

	b.len = 0;
	for (i = 0; i < v->len; i++) {
		n = (uint32_t)v->elems[i].blen;
		if (gh_buf_add(&b, &n, sizeof(n)) < 0 ||
		    gh_buf_add(&b, v->elems[i].b, n) < 0)
			oom();
	}
	return intern(a, b.p ? b.p : "", b.len);
}

__attribute__((format(printf, 3, 4))) static int afail(struct agg *a,
						       const struct gh_evrec *rec,
						       const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(a->err, sizeof(a->err), "%s:%lu: ", a->name, rec->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(a->err))
		vsnprintf(a->err + n, sizeof(a->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

void agg_init(struct agg *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->name = name;
	strtab_init(&a->str);
	a->s_ok = intern(a, "ok", 2);
	ktab_init(&a->pidmap, sizeof(int32_t), sizeof(uint32_t));
	ktab_init(&a->acc, sizeof(struct akey), sizeof(struct counted));
	ktab_init(&a->att, sizeof(struct nkey), sizeof(struct counted));
	ktab_init(&a->inb, sizeof(struct nkey), sizeof(struct counted));
	ktab_init(&a->act, sizeof(uint32_t), sizeof(struct counted));
	ktab_init(&a->peers, sizeof(struct pkey), sizeof(struct pbytes));
	ktab_init(&a->dns, sizeof(struct dkey), sizeof(struct counted));
	ktab_init(&a->dnsa, sizeof(struct dakey), 4);
	ktab_init(&a->names, sizeof(struct nmkey), 4);
	a->last_pid = -1;
}

static void counted_release(struct ktab *t)
{
	struct counted *c;
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		c = ktab_val(t, i);
		if (c->pids.cap)
			free(c->pids.v);
	}
	ktab_release(t);
}

void agg_release(struct agg *a)
{
	uint32_t i;

	for (i = 0; i < a->nproc; i++) {
		free(a->procs[i].execs);
		free(a->procs[i].lopen);
	}
	free(a->procs);
	free(a->memw);
	counted_release(&a->acc);
	counted_release(&a->att);
	counted_release(&a->inb);
	counted_release(&a->act);
	gh_buf_release(&a->pend_bytes);
	ktab_release(&a->peers);
	counted_release(&a->dns);
	ktab_release(&a->dnsa);
	ktab_release(&a->names);
	free(a->socks);
	free(a->sockix);
	ktab_release(&a->pidmap);
	strtab_release(&a->str);
}

/* ---- processes ---- */

static struct proc *find_proc(struct agg *a, int32_t pid)
{
	uint32_t k, *cur;
	int rc;

	if (pid == a->last_pid)
		return &a->procs[a->last_proc];
	/* ktab_get adds missing keys; an added key maps to no process yet */
	rc = ktab_get(&a->pidmap, &pid, &k);
	if (rc < 0)
		oom();
	cur = ktab_val(&a->pidmap, k);
	if (rc == 0)
		*cur = UINT32_MAX;
	if (*cur == UINT32_MAX)
		return NULL;
	a->last_pid = pid;
	a->last_proc = *cur;
	return &a->procs[*cur];
}

static struct proc *new_proc(struct agg *a, int32_t pid, int64_t t)
{
	struct proc *p;
	uint32_t k;

	if (grow_array(&a->procs, &a->proccap, a->nproc + 1, sizeof(*a->procs)) < 0 ||
	    ktab_get(&a->pidmap, &pid, &k) < 0)
		oom();
	*(uint32_t *)ktab_val(&a->pidmap, k) = a->nproc;
	a->last_pid = pid;
	a->last_proc = a->nproc;
	p = &a->procs[a->nproc];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->pix = k;
	p->seq = a->nproc++;
	p->start_ns = t;
	p->end_ns = -1;
	return p;
}

/* The live process with this pid, created on first sight (or when the
 * pid's previous process has exited: pids are reused). */
static struct proc *get_proc(struct agg *a, int32_t pid, int64_t t)
{
	struct proc *p = find_proc(a, pid);

	if (p && !p->exited)
		return p;
	return new_proc(a, pid, t);
}

static void set_ppid(struct proc *p, const struct gh_evrec *rec)
{
	/* the first parent seen wins: exit records carry the reaper after
	 * reparenting, and failed exec records may say 0 */
	if (!p->ppid && rec->v[GH_EK_PPID].kind == GH_EVK_INT)
		p->ppid = (int32_t)rec->v[GH_EK_PPID].i;
}

static void on_fork(struct agg *a, const struct gh_evrec *rec, int64_t t)
{
	int32_t pid = (int32_t)rec->v[GH_EK_PID].i;
	int32_t ppid = (int32_t)rec->v[GH_EK_PPID].i;
	struct proc *p = find_proc(a, pid), *parent;
	uint32_t exe = 0, argv = 0, cwd = 0;
	int truncated = 0;

	parent = find_proc(a, ppid);
	if (parent) {
		exe = parent->exe;
		argv = parent->argv;
		cwd = parent->cwd;
		truncated = parent->truncated;
	}
	if (p && !p->forked && !p->exited) {
		/* the child's own records came first: adopt them */
		if (t < p->start_ns)
			p->start_ns = t;
	} else {
		p = new_proc(a, pid, t);
	}
	p->forked = 1;
	p->ppid = ppid;
	if (!p->nexec) {
		p->exe = exe;
		p->argv = argv;
		p->cwd = cwd;
		p->truncated = truncated;
	}
}

/* ---- filesystem ---- */

static void pid_add(struct pidset *s, int32_t pid)
{
	uint32_t lo = 0, hi = s->n, mid;
	int32_t *v;

	if (s->n && s->last == pid)
		return;
	if (s->cap) {
		/* spilled: inl keeps the pids looked up before last, all in
		 * the set, so that most lookups do not touch v */
		if (s->inl[0] == pid || s->inl[1] == pid || s->inl[2] == pid) {
			s->last = pid;
			return;
		}
		s->inl[2] = s->inl[1];
		s->inl[1] = s->inl[0];
		s->inl[0] = s->last;
	}
	v = s->cap ? s->v : s->inl;
	/* pids mostly grow: a new one often goes last */
	if (s->n && v[s->n - 1] < pid) {
		lo = hi;
	} else if (hi) {
		/* the first pid not below, without branches to mispredict */
		const int32_t *b = v;

		while (hi > 1) {
			mid = hi / 2;
			/* (a mask, not a branch: compilers keep this one) */
			b += mid & (0 - (uint32_t)(b[mid - 1] < pid));
			hi -= mid;
		}
		lo = (uint32_t)(b - v) + (*b < pid);
	}
	s->last = pid;
	if (lo < s->n && v[lo] == pid)
		return;
	if (!s->cap && s->n == PIDS_INLINE) {
		v = malloc(2 * PIDS_INLINE * sizeof(*v));
		if (!v)
			oom();
		memcpy(v, s->inl, sizeof(s->inl));
		s->v = v;
		s->cap = 2 * PIDS_INLINE;
	} else if (s->cap && grow_array(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0) {
		oom();
	}
	v = s->cap ? s->v : s->inl;
	memmove(v + lo + 1, v + lo, (s->n - lo) * sizeof(*v));
	v[lo] = pid;
	s->n++;
}

/* ---- pid sets as bitmaps (see struct pidset) ---- */

static int cmp_pid(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

/* Sorted pids into a bitmap of every distinct pid so far. */
static void pids_to_bits(struct agg *a, struct pidset *s)
{
	uint32_t words = (a->pidmap.n + 63) / 64, i, k;
	uint64_t *w = calloc(words, sizeof(*w));

	if (!w)
		oom();
	for (i = 0; i < s->n; i++) {
		/* (every pid of an access has a process: it is there) */
		switch (ktab_get(&a->pidmap, &s->v[i], &k)) {
		case 0:
			*(uint32_t *)ktab_val(&a->pidmap, k) = UINT32_MAX;
			break;
		case 1:
			break;
		default:
			oom();
		}
		w[k / 64] |= 1ull << (k % 64);
	}
	free(s->v);
	s->v = (int32_t *)(void *)w;
	s->cap = words | PIDSET_BITS;
}

/* A bitmap back into sorted pids (the hints, pids of the set). */
static void pids_from_bits(struct agg *a, struct pidset *s)
{
	const uint64_t *w = (const uint64_t *)(const void *)s->v;
	uint32_t words = s->cap & ~PIDSET_BITS, cap = 0, i, n = 0;
	int32_t *v = NULL;

	if (grow_array(&v, &cap, s->n, sizeof(*v)) < 0)
		oom();
	for (i = 0; i < words * 64; i++)
		if (w[i / 64] >> (i % 64) & 1)
			v[n++] = *(const int32_t *)ktab_key(&a->pidmap, i);
	qsort(v, n, sizeof(*v), cmp_pid);
	free(s->v);
	s->v = v;
	s->cap = cap;
	s->inl[0] = s->inl[1] = s->inl[2] = s->last;
}

/* Add pid (pix: its index in pidmap) to an access's set. */
static void pid_add_ix(struct agg *a, struct pidset *s, int32_t pid, uint32_t pix)
{
	uint32_t words = s->cap & ~PIDSET_BITS, need, old;
	uint64_t *w;

	if (s->cap & PIDSET_BITS) {
		if (pix / 64 >= words) {
			/* a pid newer than the bitmap: grow it, unless it
			 * would then be larger than twice the pids */
			need = pix / 64 + 1;
			if (need * 8 > 8 * (s->n + 1)) {
				pids_from_bits(a, s);
				pid_add(s, pid);
				return;
			}
			need += need / 4;
			w = realloc(s->v, need * sizeof(*w));
			if (!w)
				oom();
			memset(w + words, 0, (need - words) * sizeof(*w));
			s->v = (int32_t *)(void *)w;
			s->cap = need | PIDSET_BITS;
		}
		w = (uint64_t *)(void *)s->v;
		s->last = pid;
		if (!(w[pix / 64] >> (pix % 64) & 1)) {
			w[pix / 64] |= 1ull << (pix % 64);
			s->n++;
		}
		return;
	}
	old = s->cap;
	pid_add(s, pid);
	/* grown: a bitmap when no larger than the pids themselves */
	if (s->cap != old && (a->pidmap.n + 63) / 64 * 8 <= 4 * s->n)
		pids_to_bits(a, s);
}

static void count(struct ktab *t, const void *key, int32_t pid)
{
	struct counted *c;
	uint32_t i;

	if (ktab_get(t, key, &i) < 0)
		oom();
	c = ktab_val(t, i);
	c->count++;
	pid_add(&c->pids, pid);
}

/* Whether path is the tracer's bpf directory or under it. */
static int under_pin_dir(struct agg *a, uint32_t path)
{
	const char *d, *p;
	size_t dn, pn;

	if (!a->pin_dir || !path)
		return 0;
	d = strtab_str(&a->str, a->pin_dir);
	dn = strtab_len(&a->str, a->pin_dir);
	p = strtab_str(&a->str, path);
	pn = strtab_len(&a->str, path);
	return pn >= dn && memcmp(p, d, dn) == 0 && (pn == dn || p[dn] == '/');
}

const char *const path_status_names[PS_COUNT] = {
	[PS_KERNEL] = NULL, [PS_INCOMPLETE] = "incomplete",
	[PS_LEXICAL] = "lexical", [PS_UNRESOLVED] = "unresolved",
};

/* A record's KEY_status (or, in streams without one, path_incomplete). */
static int path_status(const struct gh_evrec *rec, int key)
{
	const struct gh_evval *v = &rec->v[key];

	if (v->kind != GH_EVK_STR)
		return key != GH_EK_NEW_PATH_STATUS &&
		       rec->v[GH_EK_PATH_INCOMPLETE].kind == GH_EVK_BOOL &&
		       rec->v[GH_EK_PATH_INCOMPLETE].i ? PS_INCOMPLETE : PS_KERNEL;
	for (int i = 1; i < PS_COUNT; i++)
		if (strlen(path_status_names[i]) == v->len &&
		    memcmp(path_status_names[i], v->s, v->len) == 0)
			return i;
	return PS_KERNEL;
}

static void access_key(struct akey *k, uint32_t path, int op, uint32_t target,
		       uint32_t result, int has_mode, int64_t mode,
		       const struct aview *view)
{
	memset(k, 0, sizeof(*k));
	k->path = path;
	k->op = (uint16_t)op;
	k->target = target;
	k->result = result;
	k->seen = view->seen;
	k->tseen = view->tseen;
	k->status = (uint16_t)view->status;
	k->tstatus = (uint16_t)view->tstatus;
	if (has_mode) {
		k->has_mode = 1;
		k->mode = mode;
	}
}

/* Count an access by pid; h is tab_hash of k, or 0 to compute it;
 * entry is the index + 1 of k's entry when known, else 0. */
static void access_count(struct agg *a, const struct akey *k, uint64_t h,
			 int32_t pid, uint32_t pix, uint32_t entry)
{
	struct counted *c;
	uint32_t *hint, i;

	if (k->op != OP_READ && k->op != OP_EXEC && k->op != OP_CHDIR &&
	    k->op != OP_MAP_EXEC &&
	    (under_pin_dir(a, k->path) || under_pin_dir(a, k->target)))
		a->pin_writes++;
	/* the stream's own file (gh-trace -o), rewritten in place or
	 * replaced by the tree it records */
	if (k->op != OP_READ && k->op != OP_EXEC && k->op != OP_CHDIR &&
	    k->op != OP_MAP_EXEC && a->output &&
	    (k->path == a->output || k->target == a->output))
		a->output_writes++;
	/* the path remembers its last read and its last other access entry:
	 * most records repeat one of them */
	hint = strtab_user(&a->str, k->path) + (k->op != OP_READ);
	if (entry) {
		*hint = entry;
		c = ktab_val(&a->acc, entry - 1);
	} else if (*hint && tab_eq(ktab_key(&a->acc, *hint - 1), k, sizeof(*k))) {
		c = ktab_val(&a->acc, *hint - 1);
	} else {
		if (ktab_get_hashed(&a->acc, k, h ? h : tab_hash(k, sizeof(*k)),
				    &i) < 0)
			oom();
		*hint = i + 1;
		c = ktab_val(&a->acc, i);
	}
	c->count++;
	pid_add_ix(a, &c->pids, pid, pix);
}

static void access_add(struct agg *a, uint32_t path, int op, uint32_t target,
		       uint32_t result, int has_mode, int64_t mode, int32_t pid,
		       uint32_t pix, const struct aview *view)
{
	struct akey k;

	access_key(&k, path, op, target, result, has_mode, mode, view);
	access_count(a, &k, 0, pid, pix, 0);
}

static int open_op(int64_t flags)
{
	if (flags & O_CREAT)
		return OP_CREATE;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return OP_WRITE;
	return OP_READ;
}

/* renameat2(2) RENAME_EXCHANGE: the two names swap and both stay, so the
 * record is a rename each way (a lone rename would say the old name went) */
static int rename_exchange(const struct gh_evval *v)
{
	return v[GH_EK_FLAGS].kind == GH_EVK_INT && (v[GH_EK_FLAGS].i & 2);
}

/* Copy a string member's raw bytes into the batch (pend_file has made
 * room); SIZE_MAX when absent. */
static size_t pend_str(struct agg *a, const struct gh_evval *v, uint32_t *len)
{
	struct gh_buf *b = &a->pend_bytes;
	size_t off = b->len;

	if (v->kind != GH_EVK_STR)
		return SIZE_MAX;
	memcpy(b->p + off, v->b, v->blen);
	b->len += v->blen;
	*len = (uint32_t)v->blen;
	return off;
}

/* The bytes of a string member, 0 when absent. */
static size_t str_bytes(const struct gh_evval *v)
{
	return v->kind == GH_EVK_STR ? v->blen : 0;
}

/* A pipe (the kernel's path "pipe:", an anonymous pipe: a FIFO has a
 * path of its own) opened by name can only be reached through a magic
 * link of /proc, /proc/PID/fd/N: the process whose pipe it is, from the
 * name as given (raw). A name of the opener's own descriptors (/dev/fd,
 * /dev/std*, /proc/self, /proc/thread-self) gives 0; any other name (one
 * relative to a directory descriptor, a symbolic link) gives -1: not
 * known, so counted as outside the tree. */
static int32_t pipe_owner(const struct gh_evval *path, const struct gh_evval *raw)
{
	static const char *const own[] = {
		"/dev/fd/", "/dev/stdin", "/dev/stdout", "/dev/stderr",
		"/proc/self/", "/proc/thread-self/"
	};
	const char *p;
	int64_t pid = 0;
	size_t i, n;

	if (path->kind != GH_EVK_STR || path->len < 5 || memcmp(path->s, "pipe:", 5))
		return 0;
	if (raw->kind != GH_EVK_STR)
		return -1;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		n = strlen(own[i]);
		if (raw->len >= n && !memcmp(raw->s, own[i], n))
			return 0;
	}
	if (raw->len <= 6 || memcmp(raw->s, "/proc/", 6))
		return -1;
	for (p = raw->s + 6, n = 0; p < raw->s + raw->len && *p >= '0' && *p <= '9' && n < 10;
	     p++, n++)
		pid = pid * 10 + (*p - '0');
	return n && *p == '/' && pid > 0 && pid <= INT32_MAX ? (int32_t)pid : -1;
}

static void pend_file(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v;
	struct pending *q = &a->pend[a->npend++];
	/* room for every string member pend_str may copy (lines are at
	 * most 16 MiB, so each fits in 32 bits) */
	size_t need = str_bytes(&v[GH_EK_ERR]) + str_bytes(&v[GH_EK_PATH]) +
		      str_bytes(&v[GH_EK_RAW]) + str_bytes(&v[GH_EK_NEW_PATH]) +
		      str_bytes(&v[GH_EK_NEW_RAW]) + str_bytes(&v[GH_EK_TARGET]) +
		      str_bytes(&v[GH_EK_PATH_SEEN]) +
		      str_bytes(&v[GH_EK_NEW_PATH_SEEN]);

	if (a->pend_bytes.cap - a->pend_bytes.len <= need &&
	    gh_buf_grow(&a->pend_bytes, need) < 0)
		oom();
	q->type = rec->type;
	q->pid = (int32_t)v[GH_EK_PID].i;
	q->t = v[GH_EK_T].i;
	q->ret = v[GH_EK_RET].i;	/* an integer in every file record */
	q->has_ppid = v[GH_EK_PPID].kind == GH_EVK_INT;
	q->ppid = (int32_t)v[GH_EK_PPID].i;
	q->has_err = v[GH_EK_ERR].kind == GH_EVK_STR;
	q->err = pend_str(a, &v[GH_EK_ERR], &q->elen);
	/* the views and how the paths were found, as on_file did */
	q->status = path_status(rec, GH_EK_PATH_STATUS);
	q->tstatus = PS_KERNEL;
	q->seen = q->tseen = SIZE_MAX;
	q->path = pend_str(a, &v[GH_EK_PATH], &q->plen);
	if (q->path != SIZE_MAX) {
		q->seen = pend_str(a, &v[GH_EK_PATH_SEEN], &q->slen);
	} else {
		q->path = pend_str(a, &v[GH_EK_RAW], &q->plen);
		q->status = PS_UNRESOLVED;
	}
	q->target = SIZE_MAX;
	q->has_mode = 0;
	q->exchange = 0;
	q->pipe_pid = rec->type == GH_ET_OPEN ? pipe_owner(&v[GH_EK_PATH], &v[GH_EK_RAW]) : 0;
	switch (rec->type) {
	case GH_ET_OPEN: q->op = open_op(v[GH_EK_FLAGS].i); break;
	case GH_ET_UNLINK: q->op = OP_DELETE; break;
	case GH_ET_RMDIR: q->op = OP_RMDIR; break;
	case GH_ET_MKDIR: q->op = OP_MKDIR; break;
	case GH_ET_CHMOD: q->op = OP_CHMOD; break;
	case GH_ET_CHOWN: q->op = OP_CHOWN; break;
	case GH_ET_TRUNCATE: q->op = OP_TRUNCATE; break;
	case GH_ET_CHDIR: q->op = OP_CHDIR; break;
	case GH_ET_RENAME:
	case GH_ET_LINK:
		q->op = rec->type == GH_ET_RENAME ? OP_RENAME : OP_LINK;
		q->target = pend_str(a, &v[GH_EK_NEW_PATH], &q->tlen);
		q->tstatus = path_status(rec, GH_EK_NEW_PATH_STATUS);
		q->tseen = pend_str(a, &v[GH_EK_NEW_PATH_SEEN], &q->tslen);
		if (q->target == SIZE_MAX) {
			q->target = pend_str(a, &v[GH_EK_NEW_RAW], &q->tlen);
			q->tstatus = q->target != SIZE_MAX ? PS_UNRESOLVED : PS_KERNEL;
		}
		q->exchange = rec->type == GH_ET_RENAME && rename_exchange(v);
		break;
	case GH_ET_SYMLINK:
		q->op = OP_SYMLINK;
		q->target = pend_str(a, &v[GH_EK_TARGET], &q->tlen);
		break;
	}
	if ((rec->type == GH_ET_MKDIR || rec->type == GH_ET_CHMOD) &&
	    v[GH_EK_MODE].kind == GH_EVK_INT) {
		q->has_mode = 1;
		q->mode = v[GH_EK_MODE].i;
	}
}

/* The pid of a path /proc/PID/... or /proc/PID/task/TID/... (also on a
 * proc mounted elsewhere: proc:/...), with *rest set to what follows
 * (from its '/'); 0 for any other path. */
static int32_t proc_pid_path(const char *path, size_t len, const char **rest)
{
	const char *p = path, *end = path + len;
	int64_t pid = 0;
	int digits = 0;

	if (len > 6 && (memcmp(p, "/proc/", 6) == 0 || memcmp(p, "proc:/", 6) == 0))
		p += 6;
	else
		return 0;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
		pid = pid * 10 + (*p - '0');
	if (!digits || pid <= 0 || pid > INT32_MAX)
		return 0;
	if (end - p > 6 && memcmp(p, "/task/", 6) == 0) {
		for (p += 6, digits = 0; p < end && *p >= '0' && *p <= '9'; p++)
			digits++;
		if (!digits)
			return 0;
	}
	*rest = p;
	return (int32_t)pid;
}

/* The process whose memory path names (/proc/PID/mem or
 * /proc/PID/task/TID/mem), or 0. Writing there changes that process as
 * process_vm_writev does. */
static int32_t proc_mem_pid(const char *path, size_t len)
{
	const char *p, *end = path + len;
	int32_t pid = proc_pid_path(path, len, &p);

	return pid && end - p == 4 && memcmp(p, "/mem", 4) == 0 ? pid : 0;
}

/* Note a process memory the tree may write (checked against the tree
 * once the stream is read: agg_foreign_mem_writes). */
static void note_pid(struct agg *a, int32_t pid);

/* The pid of /proc/PID/FILE or /proc/PID/task/TID/FILE where FILE,
 * written by another process, changes the process (beside its memory):
 * how the kernel picks it to kill when memory runs out, its timer
 * slack, what its core dump holds, its page reference bits, its
 * scheduling group and statistics, its user namespace's id maps, fault
 * injection; 0 for any other path. (Its name, LSM labels and login id
 * only the process itself can write.) */
static int32_t proc_ctl_pid(const char *path, size_t len)
{
	static const char *const ctl[] = {
		"oom_score_adj", "oom_adj", "timerslack_ns", "coredump_filter",
		"clear_refs", "autogroup", "sched", "uid_map", "gid_map",
		"projid_map", "setgroups", "make-it-fail", "fail-nth",
	};
	const char *p, *end = path + len;
	int32_t pid = proc_pid_path(path, len, &p);
	size_t i, n;

	if (!pid || p >= end || *p++ != '/')
		return 0;
	for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		n = strlen(ctl[i]);
		if ((size_t)(end - p) == n && memcmp(p, ctl[i], n) == 0)
			return pid;
	}
	return 0;
}

static void note_mem(struct agg *a, const char *path, size_t len)
{
	int32_t pid = proc_mem_pid(path, len);

	note_pid(a, pid ? pid : proc_ctl_pid(path, len));
}

/* Note a process the tree may control (pid -1: one not known). */
static void note_pid(struct agg *a, int32_t pid)
{
	if (!pid)
		return;
	if (grow_array(&a->memw, &a->memwcap, a->nmemw + 1, sizeof(*a->memw)) < 0)
		oom();
	a->memw[a->nmemw++] = pid;
}

uint64_t agg_foreign_mem_writes(const struct agg *a)
{
	uint64_t n = 0;
	uint32_t i, j;

	for (i = 0; i < a->nmemw; i++) {
		for (j = 0; j < a->nproc && a->procs[j].pid != a->memw[i]; j++)
			;
		n += j == a->nproc;
	}
	return n;
}

/* The tun/tap driver's node: a descriptor of it makes network
 * interfaces (TUNSETIFF) and puts packets into the network stack with
 * write(2), which no record decodes. */
static int tun_path(struct agg *a, uint32_t id)
{
	return strtab_len(&a->str, id) == 12 &&
	       memcmp(strtab_str(&a->str, id), "/dev/net/tun", 12) == 0;
}

static void fold_file(struct agg *a, const struct pending *q)
{
	struct proc *p;

	if (q->t > a->last_t)
		a->last_t = q->t;
	a->counts[q->type]++;
	if (q->ret == -EACCES || q->ret == -EPERM)
		a->denied[q->type]++;
	p = get_proc(a, q->pid, q->t);
	if (!p->ppid && q->has_ppid)
		p->ppid = q->ppid;	/* as set_ppid */
	if (!q->path_id) {
		a->unresolved++;
		return;
	}
	access_count(a, &q->key, q->key_hash, q->pid, p->pix, q->entry);
	if (q->type == GH_ET_OPEN && q->ret >= 0 &&
	    (q->op == OP_WRITE || q->op == OP_CREATE)) {
		note_mem(a, strtab_str(&a->str, q->path_id), strtab_len(&a->str, q->path_id));
		/* writing into another process's pipe: its input */
		note_pid(a, q->pipe_pid);
	}
	if (q->type == GH_ET_OPEN && q->ret >= 0 && tun_path(a, q->path_id))
		a->und_tun++;
	if (q->exchange && q->target_id) {
		struct aview x = { q->key.tseen, q->key.seen, q->tstatus, q->status };

		access_add(a, q->target_id, q->op, q->path_id, q->result,
			   q->has_mode, q->mode, q->pid, p->pix, &x);
	}
}

void agg_flush(struct agg *a)
{
	const char *b = a->pend_bytes.p;
	struct aview view;
	struct pending *q;
	uint32_t i, id, hint;

	/* the strings first, in stages (the paths' slots, their records,
	 * then the lookups), so that their cache misses overlap */
	for (i = 0; i < a->npend; i++) {
		q = &a->pend[i];
		if (q->path != SIZE_MAX) {
			q->hash = tab_hash(b + q->path, q->plen);
			strtab_prefetch(&a->str, q->hash);
		}
	}
	for (i = 0; i < a->npend; i++) {
		q = &a->pend[i];
		q->guess = 0;
		if (q->path != SIZE_MAX && (id = strtab_guess(&a->str, q->hash))) {
			__builtin_prefetch(a->str.arena + id);
			q->guess = id;
		}
	}
	for (i = 0; i < a->npend; i++) {
		q = &a->pend[i];
		q->path_id = 0;
		/* the guess when it is the path (ids never move) */
		if (q->guess && strtab_len(&a->str, q->guess) == q->plen &&
		    tab_eq(strtab_str(&a->str, q->guess), b + q->path, q->plen))
			q->path_id = q->guess;
		else if (q->path != SIZE_MAX &&
			 !(q->path_id = strtab_intern_hashed(&a->str, b + q->path,
							     q->plen, q->hash)))
			oom();
		q->target_id = q->target == SIZE_MAX ? 0 :
			       intern(a, b + q->target, q->tlen);
		q->result = q->ret >= 0 ? a->s_ok :
			    q->has_err ? intern(a, b + q->err, q->elen) : 0;
		view.seen = q->seen == SIZE_MAX ? 0 : intern(a, b + q->seen, q->slen);
		view.tseen = q->tseen == SIZE_MAX ? 0 :
			     intern(a, b + q->tseen, q->tslen);
		view.status = q->status;
		view.tstatus = q->tstatus;
		access_key(&q->key, q->path_id, q->op, q->target_id, q->result,
			   q->has_mode, q->mode, &view);
	}
	/* the access entries the paths had last, and the slots of the
	 * entries looked for (when the last one is not it), before they
	 * are needed */
	for (i = 0; i < a->npend; i++) {
		q = &a->pend[i];
		q->entry = 0;
		if (!q->path_id)
			continue;
		q->key_hash = tab_hash(&q->key, sizeof(q->key));
		ktab_prefetch(&a->acc, q->key_hash);
		if ((hint = strtab_user(&a->str, q->path_id)[q->op != OP_READ]))
			__builtin_prefetch(ktab_key(&a->acc, hint - 1));
	}
	/* then the entry each record folds into: the path's last one when
	 * it is the same access (and that entry's pids, for pid_add), else
	 * the entry the table's slot most probably names */
	for (i = 0; i < a->npend; i++) {
		q = &a->pend[i];
		if (!q->path_id)
			continue;
		hint = strtab_user(&a->str, q->path_id)[q->op != OP_READ];
		if (hint && tab_eq(ktab_key(&a->acc, hint - 1), &q->key, sizeof(q->key))) {
			const struct pidset *s =
				&((const struct counted *)ktab_val(&a->acc, hint - 1))->pids;

			q->entry = hint;
			if (s->cap & PIDSET_BITS) {
				__builtin_prefetch(s->v);
			} else if (s->cap && s->last != q->pid) {
				__builtin_prefetch(&s->v[s->n - 1]);
				__builtin_prefetch(&s->v[s->n / 2 - 1]);
			}
		} else if ((id = ktab_guess(&a->acc, q->key_hash))) {
			__builtin_prefetch(ktab_key(&a->acc, id - 1));
		}
	}
	for (i = 0; i < a->npend; i++)
		fold_file(a, &a->pend[i]);
	a->npend = 0;
	a->pend_bytes.len = 0;
}

static void on_exec(struct agg *a, const struct gh_evrec *rec, struct proc *p,
		    uint32_t result)
{
	const struct gh_evval *v = rec->v;
	struct execrec *e;
	uint32_t path;

	struct aview view = { 0 };

	if (v[GH_EK_RET].i < 0) {
		p->failed_err = result;
		path = sid(a, rec, GH_EK_PATH);
		view.status = path_status(rec, GH_EK_PATH_STATUS);
		view.seen = sid(a, rec, GH_EK_PATH_SEEN);
		if (!path) {
			path = sid(a, rec, GH_EK_RAW);
			view.status = PS_UNRESOLVED;
		}
		if (path)
			access_add(a, path, OP_EXEC, 0, result, 0, 0, p->pid, p->pix, &view);
		else
			a->unresolved++;
		return;
	}
	if (grow_array(&p->execs, &p->execcap, p->nexec + 1, sizeof(*p->execs)) < 0)
		oom();
	e = &p->execs[p->nexec++];
	e->exe = sid(a, rec, GH_EK_EXE);
	e->argv = argv_id(a, &v[GH_EK_ARGV]);
	e->cwd = sid(a, rec, GH_EK_CWD);
	e->truncated = (int)v[GH_EK_ARGV_TRUNCATED].i;
	/* a set-user-ID or set-group-ID program (or ids changed before):
	 * the process runs as someone the run did not start as */
	e->uid = v[GH_EK_UID].kind == GH_EVK_INT ? v[GH_EK_UID].i : a->run_uid;
	e->gid = v[GH_EK_GID].kind == GH_EVK_INT ? v[GH_EK_GID].i : a->run_gid;
	e->other_ids = e->uid != a->run_uid || e->gid != a->run_gid;
	p->exe = e->exe;
	p->argv = e->argv;
	p->cwd = e->cwd;
	p->truncated = e->truncated;
	view.status = path_status(rec, GH_EK_EXE_STATUS);
	view.seen = sid(a, rec, GH_EK_EXE_SEEN);
	if (e->exe)
		access_add(a, e->exe, OP_EXEC, 0, result, 0, 0, p->pid, p->pix, &view);
	else
		a->unresolved++;
	p->loader = v[GH_EK_LOADER].kind == GH_EVK_BOOL && v[GH_EK_LOADER].i &&
		    result == a->s_ok ? e->argv : 0;
	p->nlopen = 0;
	if (p->loader)
		a->loaders = 1;
	/* a script run by its interpreter (exe) is executed too */
	if (v[GH_EK_SCRIPT].kind == GH_EVK_STR) {
		view.status = path_status(rec, GH_EK_SCRIPT_STATUS);
		view.seen = sid(a, rec, GH_EK_SCRIPT_SEEN);
		access_add(a, sid(a, rec, GH_EK_SCRIPT), OP_EXEC, 0, result, 0, 0,
			   p->pid, p->pix, &view);
	}
}

/* ---- network ---- */

/* Append c and the decimal digits of i (as printf's %lld). */
static int add_int(struct gh_buf *b, char c, int64_t i)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (i < 0)
		*--p = '-';
	*--p = c;
	return gh_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

static uint32_t peer(struct agg *a, const struct gh_evrec *rec)
{
	static struct gh_buf b = GH_BUF_INIT;
	const struct gh_evval *v = rec->v;
	const struct gh_evval *fam = &v[GH_EK_FAMILY], *addr = &v[GH_EK_ADDR];
	int r = 0;

	if (addr->kind != GH_EVK_STR)
		return intern(a, "unknown", 7);
	b.len = 0;
	if (fam->len == 4 && memcmp(fam->s, "unix", 4) == 0) {
		r |= gh_buf_adds(&b, "unix:");
		r |= gh_buf_add(&b, addr->b, addr->blen);
		if (r < 0)
			oom();
		return intern(a, b.p, b.len);
	}
	if (fam->len == 5 && memcmp(fam->s, "vsock", 5) == 0)
		r |= gh_buf_adds(&b, "vsock:");
	if (fam->len == 5 && memcmp(fam->s, "inet6", 5) == 0)
		r |= gh_buf_addc(&b, '[');
	r |= gh_buf_add(&b, addr->b, addr->blen);
	if (fam->len == 5 && memcmp(fam->s, "inet6", 5) == 0)
		r |= gh_buf_addc(&b, ']');
	if (v[GH_EK_PORT].kind == GH_EVK_INT)
		r |= add_int(&b, ':', v[GH_EK_PORT].i);
	if (r < 0)
		oom();
	return intern(a, b.p, b.len);
}

/* The connect vocabulary for a send's errno name. */
static const char *send_result(const struct gh_evrec *rec)
{
	static const char *const map[][2] = {
		{ "EINPROGRESS", "in_progress" }, { "ECONNREFUSED", "refused" },
		{ "ENETUNREACH", "unreachable" }, { "EHOSTUNREACH", "unreachable" },
		{ "ETIMEDOUT", "timeout" }, { "EACCES", "denied" },
		{ "EPERM", "denied" },
	};
	const struct gh_evval *err = &rec->v[GH_EK_ERR];
	size_t i;

	if (rec->v[GH_EK_RET].i >= 0)
		return "ok";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i][0]) == err->len &&
		    memcmp(map[i][0], err->s, err->len) == 0)
			return map[i][1];
	return "error";
}

static void peer_bytes(struct agg *a, uint32_t dst, uint32_t proto,
		       uint64_t sent, uint64_t received)
{
	struct pkey k = { dst, proto };
	struct pbytes *b;
	uint32_t i;

	if (ktab_get(&a->peers, &k, &i) < 0)
		oom();
	b = ktab_val(&a->peers, i);
	b->sent += sent;
	b->received += received;
}

static uint32_t sock_home(const struct agg *a, int64_t sock)
{
	uint64_t h = (uint64_t)sock * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & a->sockmask;
}

/* The first of sock's waiting entries (the one that came first). */
static struct pend *pend_find(struct agg *a, int64_t sock)
{
	uint32_t j, ix;

	if (!a->sockix)
		return NULL;
	for (j = sock_home(a, sock); (ix = a->sockix[j]); j = (j + 1) & a->sockmask)
		if (a->socks[ix - 1].sock == sock)
			return &a->socks[ix - 1];
	return NULL;
}

/* Index entry i (after the entries of its sock already there). */
static void pend_index(struct agg *a, uint32_t i)
{
	uint32_t j;

	for (j = sock_home(a, a->socks[i].sock); a->sockix[j]; j = (j + 1) & a->sockmask)
		;
	a->sockix[j] = i + 1;
}

/* The slot of entry i. */
static uint32_t pend_slot(const struct agg *a, uint32_t i)
{
	uint32_t j;

	for (j = sock_home(a, a->socks[i].sock); a->sockix[j] != i + 1;
	     j = (j + 1) & a->sockmask)
		;
	return j;
}

static void pend_add(struct agg *a, int64_t sock, const struct nkey *k,
		     int32_t pid, int end_first)
{
	uint32_t *old = a->sockix, oldsize = old ? a->sockmask + 1 : 0, size, i, n;
	struct pend *p;

	if (grow_array(&a->socks, &a->sockscap, a->nsocks + 1, sizeof(*a->socks)) < 0)
		oom();
	if (2 * (a->nsocks + 1) > oldsize) {
		size = oldsize ? 2 * oldsize : 64;
		if (!size)
			oom();
		a->sockix = calloc(size, sizeof(*a->sockix));
		if (!a->sockix)
			oom();
		a->sockmask = size - 1;
		/* in slot order from a gap on: each sock's entries keep
		 * their order */
		for (i = 0; i < oldsize && old[i]; i++)
			;
		for (n = 0; n < oldsize; n++)
			if (old[(i + n) % oldsize])
				pend_index(a, old[(i + n) % oldsize] - 1);
		free(old);
	}
	p = &a->socks[a->nsocks];
	p->sock = sock;
	p->k = *k;
	p->pid = pid;
	p->end_first = end_first;
	pend_index(a, a->nsocks++);
}

/* Remove p: its slot, the slots after it moved back where their probe
 * allows (so that no search stops early, and each sock's entries keep
 * their order), and the last entry moved to its place. */
static void pend_del(struct agg *a, struct pend *p)
{
	uint32_t del = (uint32_t)(p - a->socks), last = a->nsocks - 1;
	uint32_t i = pend_slot(a, del), j = i, home;

	for (;;) {
		a->sockix[i] = 0;
		for (;;) {
			j = (j + 1) & a->sockmask;
			if (!a->sockix[j])
				goto moved;
			home = sock_home(a, a->socks[a->sockix[j] - 1].sock);
			/* j may move to i unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		a->sockix[i] = a->sockix[j];
		i = j;
	}
moved:
	if (del != last) {
		a->sockix[pend_slot(a, last)] = del + 1;
		a->socks[del] = a->socks[last];
	}
	a->nsocks--;
}

/* A socket's end: its bytes, and the final result of its connect (the
 * attempt is counted here, with the pid that connected). */
static void on_sock_end(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v;
	int64_t sent = v[GH_EK_BYTES_SENT].i, recv = v[GH_EK_BYTES_RECEIVED].i;
	int has_peer = v[GH_EK_ADDR].kind == GH_EVK_STR;
	struct pend *p;
	struct nkey k;

	a->has_sock = 1;
	if (sent < 0 || recv < 0)
		sent = recv = 0;
	memset(&k, 0, sizeof(k));
	k.dst = peer(a, rec);
	k.proto = sid(a, rec, GH_EK_PROTO);
	/* an unconnected socket's sends are in its send records */
	if (has_peer) {
		a->bytes_sent += (uint64_t)sent;
		peer_bytes(a, k.dst, k.proto, (uint64_t)sent, (uint64_t)recv);
	}
	a->bytes_received += (uint64_t)recv;
	if (v[GH_EK_CONNECT].kind != GH_EVK_STR)
		return;
	k.op = NOP_CONNECT;
	k.result = sid(a, rec, GH_EK_CONNECT);
	k.family = sid(a, rec, GH_EK_FAMILY);
	count(&a->att, &k, (int32_t)v[GH_EK_PID].i);
	p = pend_find(a, v[GH_EK_SOCK].i);
	if (p)
		pend_del(a, p);
	else
		pend_add(a, v[GH_EK_SOCK].i, &k, 0, 1);
}

/* A DNS message: the question sent (counted), the addresses answered and
 * the names they answer for. */
static void on_dns(struct agg *a, const struct gh_evrec *rec, int32_t pid)
{
	const struct gh_evval *v = rec->v, *ad = &v[GH_EK_ADDRESSES];
	const struct gh_evval *nm = &v[GH_EK_NAMES];
	struct dakey dk;
	struct nmkey mk;
	struct dkey k;
	struct counted *c;
	size_t i, j;
	uint32_t idx;

	a->has_sock = 1;
	if (v[GH_EK_MALFORMED].kind == GH_EVK_STR) {
		a->dns_malformed++;
		return;
	}
	if (v[GH_EK_NAME].kind != GH_EVK_STR || v[GH_EK_QTYPE].kind != GH_EVK_STR)
		return;		/* no question */
	k.name = sid(a, rec, GH_EK_NAME);
	k.type = sid(a, rec, GH_EK_QTYPE);
	if (ktab_get(&a->dns, &k, &idx) < 0)
		oom();
	if (!v[GH_EK_RESPONSE].i) {
		c = ktab_val(&a->dns, idx);
		c->count++;
		pid_add(&c->pids, pid);
		return;
	}
	for (i = 0; i < ad->len; i++) {
		dk.name = k.name;
		dk.type = k.type;
		dk.addr = intern(a, ad->elems[i].b, ad->elems[i].blen);
		if (ktab_get(&a->dnsa, &dk, &idx) < 0)
			oom();
		/* Only an answer that came from port 53 names the addresses it
		 * gives: one on a socket connected there (or a TCP connection),
		 * where the kernel takes datagrams from that peer alone. An
		 * answer on an unconnected socket comes from a sender the
		 * record does not give: any process, the traced command
		 * itself among them, can send one, naming any address as a
		 * host the rules allow. */
		if (v[GH_EK_PORT].kind != GH_EVK_INT || v[GH_EK_PORT].i != 53)
			continue;
		for (j = 0; j < nm->len; j++) {
			mk.addr = dk.addr;
			mk.name = intern(a, nm->elems[j].b, nm->elems[j].blen);
			if (ktab_get(&a->names, &mk, &idx) < 0)
				oom();
		}
	}
}

static void on_net(struct agg *a, const struct gh_evrec *rec, int32_t pid,
		   uint32_t result)
{
	const struct gh_evval *v = rec->v;
	struct nkey k;
	const char *r;

	memset(&k, 0, sizeof(k));
	k.dst = peer(a, rec);
	k.proto = sid(a, rec, GH_EK_PROTO);
	k.raw = sid(a, rec, GH_EK_ADDR_RAW);
	switch (rec->type) {
	case GH_ET_CONNECT:
	case GH_ET_SEND:
		if (rec->type == GH_ET_CONNECT) {
			k.op = NOP_CONNECT;
			k.result = sid(a, rec, GH_EK_RESULT);
		} else {
			k.op = NOP_SEND;
			r = send_result(rec);
			k.result = intern(a, r, strlen(r));
			a->has_send = 1;
			/* a send on an inherited socket: its bytes are in
			 * the socket's sock_end */
			if (v[GH_EK_BYTES].kind == GH_EVK_INT &&
			    !(v[GH_EK_INHERITED].kind == GH_EVK_BOOL && v[GH_EK_INHERITED].i)) {
				a->bytes_sent += (uint64_t)v[GH_EK_BYTES].i;
				peer_bytes(a, k.dst, k.proto, (uint64_t)v[GH_EK_BYTES].i, 0);
			}
		}
		k.family = sid(a, rec, GH_EK_FAMILY);
		if (rec->type == GH_ET_CONNECT && v[GH_EK_SOCK].kind == GH_EVK_INT) {
			/* counted with its final result by the socket's end */
			struct pend *p = pend_find(a, v[GH_EK_SOCK].i);

			if (p && p->end_first)
				pend_del(a, p);
			else
				pend_add(a, v[GH_EK_SOCK].i, &k, pid, 0);
			break;
		}
		count(&a->att, &k, pid);
		break;
	default:
		k.op = rec->type == GH_ET_BIND ? NOP_BIND :
		       rec->type == GH_ET_LISTEN ? NOP_LISTEN : NOP_ACCEPT;
		k.result = result;
		count(&a->inb, &k, pid);
	}
}

/* At the end of the stream: connects whose socket's end never came (the
 * stream was cut) count with the result their own record gave. */
void agg_finish(struct agg *a)
{
	struct counted *c;
	uint32_t i;

	/* pid sets as sorted pids for the receipt */
	for (i = 0; i < a->acc.n; i++) {
		c = ktab_val(&a->acc, i);
		if (c->pids.cap & PIDSET_BITS)
			pids_from_bits(a, &c->pids);
	}

	for (i = 0; i < a->nsocks; i++)
		if (!a->socks[i].end_first)
			count(&a->att, &a->socks[i].k, a->socks[i].pid);
	a->nsocks = 0;
}

/* ---- actions: the records beyond files and sockets ---- */

/* The members an action is told apart by, in the order they are written. */
static const int act_keys[] = {
	GH_EK_TYPE, GH_EK_SYSCALL, GH_EK_PATH, GH_EK_NEW_PATH, GH_EK_SOURCE,
	GH_EK_FSTYPE, GH_EK_NAME, GH_EK_CAPABILITY, GH_EK_FLAGS, GH_EK_MODE,
	GH_EK_DEV, GH_EK_CMD, GH_EK_REQUEST, GH_EK_ARGS, GH_EK_EFFECTIVE,
	GH_EK_PERMITTED, GH_EK_TARGET_PID, GH_EK_IN_TREE, GH_EK_SIGNAL,
	GH_EK_FAMILY, GH_EK_SOCK_TYPE, GH_EK_PROTO, GH_EK_PROTOCOL, GH_EK_VIA,
	GH_EK_PATH_SEEN, GH_EK_PATH_STATUS, GH_EK_NEW_PATH_SEEN,
	GH_EK_NEW_PATH_STATUS, GH_EK_SOURCE_PATH, GH_EK_SOURCE_PATH_SEEN,
	GH_EK_SOURCE_PATH_STATUS,
};

static int add_val(struct gh_buf *b, const struct gh_evval *v)
{
	size_t i;
	int r = 0;

	switch (v->kind) {
	case GH_EVK_NULL: return gh_buf_adds(b, "null");
	case GH_EVK_BOOL: return gh_buf_adds(b, v->i ? "true" : "false");
	case GH_EVK_INT: return gh_buf_printf(b, "%lld", (long long)v->i);
	case GH_EVK_STR: return gh_buf_json_str(b, v->s, v->len);
	case GH_EVK_ARR:
		r |= gh_buf_addc(b, '[');
		for (i = 0; i < v->len; i++) {
			if (i)
				r |= gh_buf_addc(b, ',');
			r |= add_val(b, &v->elems[i]);
		}
		return r | gh_buf_addc(b, ']');
	}
	return gh_buf_adds(b, "null");
}

/* Channels that records show used but whose actions no record decodes:
 * a fanotify group that reports events with descriptors (each a file,
 * opened by the kernel with the group's flags, that no open record
 * names), and sockets of families whose peers and traffic are not
 * decoded (gh-events(5), Sockets). */
static int str_is(const struct gh_evval *v, const char *s)
{
	return v->kind == GH_EVK_STR && v->len == strlen(s) && !memcmp(v->s, s, v->len);
}

static void note_undecoded(struct agg *a, const struct gh_evrec *rec)
{
	static const char *const known[] = {
		"inet", "inet6", "unix", "packet", "netlink", "vsock"
	};
	const struct gh_evval *v = rec->v, *args = &v[GH_EK_ARGS];
	size_t i;

	if (v[GH_EK_RET].kind != GH_EVK_INT || v[GH_EK_RET].i < 0)
		return;
	/* fanotify_init(flags, ...) without FAN_REPORT_FID or
	 * FAN_REPORT_DIR_FID: events carry open descriptors */
	if (rec->type == GH_ET_SYSCALL && str_is(&v[GH_EK_SYSCALL], "fanotify_init") &&
	    args->kind == GH_EVK_ARR && args->len > 0 &&
	    args->elems[0].kind == GH_EVK_INT && !(args->elems[0].i & 0x600))
		a->und_fanotify++;
	/* a node of the tun/tap driver (character device 10:200, the
	 * dev_t as mknod(2) takes it): see tun_path */
	if (rec->type == GH_ET_MKNOD && v[GH_EK_MODE].kind == GH_EVK_INT &&
	    v[GH_EK_DEV].kind == GH_EVK_INT && (v[GH_EK_MODE].i & 0170000) == 0020000 &&
	    ((v[GH_EK_DEV].i >> 8) & 0xfff) == 10 &&
	    ((v[GH_EK_DEV].i & 0xff) | ((v[GH_EK_DEV].i >> 12) & 0xfff00)) == 200)
		a->und_tun++;
	if (rec->type != GH_ET_SOCKET)
		return;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (str_is(&v[GH_EK_FAMILY], known[i]))
			return;
	a->und_family++;
}

static void on_action(struct agg *a, const struct gh_evrec *rec, int32_t pid,
		      uint32_t result)
{
	static struct gh_buf b = GH_BUF_INIT;
	const struct gh_evval *v;
	uint32_t id;
	size_t i;
	int r = 0;

	b.len = 0;
	r |= gh_buf_addc(&b, '{');
	for (i = 0; i < sizeof(act_keys) / sizeof(act_keys[0]); i++) {
		v = &rec->v[act_keys[i]];
		if (v->kind == GH_EVK_ABSENT)
			continue;
		if (b.len > 1)
			r |= gh_buf_addc(&b, ',');
		r |= gh_buf_json_str(&b, gh_ev_key_name(act_keys[i]),
				     strlen(gh_ev_key_name(act_keys[i])));
		r |= gh_buf_addc(&b, ':');
		r |= add_val(&b, v);
	}
	/* a name that is no path (a POSIX message queue's): as given */
	v = &rec->v[GH_EK_RAW];
	if (rec->v[GH_EK_PATH].kind == GH_EVK_ABSENT && v->kind == GH_EVK_STR) {
		r |= gh_buf_adds(&b, b.len > 1 ? ",\"raw\":" : "\"raw\":");
		r |= add_val(&b, v);
	}
	r |= gh_buf_adds(&b, b.len > 1 ? ",\"result\":" : "\"result\":");
	r |= gh_buf_json_str(&b, strtab_str(&a->str, result),
			     strtab_len(&a->str, result));
	r |= gh_buf_addc(&b, '}');
	if (r < 0)
		oom();
	id = intern(a, b.p, b.len);
	count(&a->act, &id, pid);
	/* input pushed into a terminal runs in another process, later */
	if (rec->type == GH_ET_TTY_INJECT && rec->v[GH_EK_RET].kind == GH_EVK_INT &&
	    rec->v[GH_EK_RET].i >= 0)
		a->tty_injections++;
	/* a descriptor of another process's memory, opened by whoever sent it */
	if (rec->type == GH_ET_FD_RECEIVED && rec->v[GH_EK_PATH].kind == GH_EVK_STR)
		note_mem(a, rec->v[GH_EK_PATH].s, rec->v[GH_EK_PATH].len);
	note_undecoded(a, rec);
}

/* ---- header and end ---- */

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (RFC 3339, UTC). */
static int parse_start(const char *s, size_t n, int64_t *sec, int64_t *usec)
{
	struct tm tm;
	int y, mo, d, h, mi, se, us = 0, scale = 100000;
	size_t i;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[n - 1] != 'Z' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se))
		return -1;
	if (n > 20) {
		if (s[19] != '.' || n == 21 || n > 30)
			return -1;
		for (i = 20; i < n - 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			us += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*sec = (int64_t)timegm(&tm);
	*usec = us;
	return 0;
}

static uint32_t obj_path(struct agg *a, struct json_object *o)
{
	static char *buf;
	static size_t cap;
	struct json_object *h;
	const char *p;
	size_t n, need = 0;

	if (!o)
		return 0;
	if (json_object_object_get_ex(o, "path_hex", &h) && h)
		need = (size_t)json_object_get_string_len(h) / 2;
	if (need > cap) {
		char *nb = realloc(buf, need);

		if (!nb)
			oom();
		buf = nb;
		cap = need;
	}
	if (gh_ev_obj_bytes(o, "path", buf, cap, &p, &n) < 0)
		return 0;
	return intern(a, p, n);
}

static struct json_object *obj_of(const struct gh_evval *v)
{
	return v->kind == GH_EVK_OBJ ? v->obj : NULL;
}

static int on_header(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v;
	struct json_object *audit = v[GH_EK_AUDIT].obj;
	const char *reason;
	struct proc *p;
	int active = 0;

	if (parse_start(v[GH_EK_START].s, v[GH_EK_START].len, &a->start_sec,
			&a->start_usec) < 0)
		return afail(a, rec, "header: member \"start\" must be an RFC 3339 UTC time");
	a->execution_id = sid(a, rec, GH_EK_EXECUTION_ID);
	a->start = sid(a, rec, GH_EK_START);
	a->host = sid(a, rec, GH_EK_HOST);
	a->kernel = sid(a, rec, GH_EK_KERNEL);
	a->arch = sid(a, rec, GH_EK_ARCH);
	a->tool_version = sid(a, rec, GH_EK_TOOL_VERSION);
	a->argv = argv_id(a, &v[GH_EK_ARGV]);
	a->cwd = sid(a, rec, GH_EK_CWD);
	a->schema = v[GH_EK_SCHEMA].i;
	a->uid = v[GH_EK_UID].i;
	a->gid = v[GH_EK_GID].i;
	a->run_uid = v[GH_EK_RUN_UID].i;
	a->run_gid = v[GH_EK_RUN_GID].i;
	a->root_pid = v[GH_EK_PID].i;
	gh_json_get_bool(audit, "active", &active);
	a->audit_active = active;
	if (gh_json_get_str(audit, "reason", &reason) == 0)
		a->audit_reason = intern(a, reason, strlen(reason));
	if (gh_json_get_str(audit, "programs", &reason) == 0)
		a->bpf_programs = intern(a, reason, strlen(reason));
	if (gh_json_get_str(audit, "bpf_object_sha256", &reason) == 0)
		a->bpf_object_sha256 = intern(a, reason, strlen(reason));
	a->pin_dir = sid(a, rec, GH_EK_PIN_DIR);
	a->output = sid(a, rec, GH_EK_OUTPUT);
	a->hdr_stdout = obj_path(a, obj_of(&v[GH_EK_STDOUT]));
	a->hdr_stderr = obj_path(a, obj_of(&v[GH_EK_STDERR]));
	/* the command's process: known from the header even if it never
	 * shows up in a record (audit unavailable) */
	p = new_proc(a, (int32_t)a->root_pid, 0);
	p->argv = a->argv;
	p->cwd = a->cwd;
	return 0;
}

static int64_t get_int(struct json_object *o, const char *key)
{
	int64_t v = 0;

	gh_json_get_int(o, key, &v);
	return v;
}

/* The err member of a capture object, interned, or 0. */
static uint32_t obj_err(struct agg *a, struct json_object *o)
{
	const char *e;

	if (!o || gh_json_get_str(o, "err", &e) < 0)
		return 0;
	return intern(a, e, strlen(e));
}

static void on_end(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v;
	struct json_object *ru = v[GH_EK_RUSAGE].obj, *lost = v[GH_EK_LOST].obj;
	struct json_object *so = obj_of(&v[GH_EK_STDOUT]), *se = obj_of(&v[GH_EK_STDERR]);
	struct proc *root;

	a->has_end = 1;
	a->status = v[GH_EK_STATUS].i;
	a->has_code = v[GH_EK_CODE].kind == GH_EVK_INT;
	a->code = v[GH_EK_CODE].i;
	a->has_signal = v[GH_EK_SIGNAL].kind == GH_EVK_INT;
	a->signal = v[GH_EK_SIGNAL].i;
	a->duration_ns = v[GH_EK_DURATION_NS].i;
	a->events = v[GH_EK_EVENTS].i;
	a->utime_us = get_int(ru, "utime_us");
	a->stime_us = get_int(ru, "stime_us");
	a->maxrss_kb = get_int(ru, "maxrss_kb");
	a->lost_ringbuf = get_int(lost, "ringbuf");
	a->lost_fault = get_int(lost, "fault");
	a->lost_missed = get_int(lost, "missed");
	a->lost_truncated = get_int(lost, "truncated");
	if (v[GH_EK_UNDECODED].kind == GH_EVK_OBJ) {
		struct json_object *u = v[GH_EK_UNDECODED].obj;

		a->und_compat = get_int(u, "compat_syscall");
		a->und_bpf = get_int(u, "bpf_syscall");
		a->und_uring = get_int(u, "io_uring_unsupported_op");
		a->und_foreign = get_int(u, "foreign_process_control");
		a->und_left = get_int(u, "left_running");
		a->und_path = get_int(u, "path_changed");
		a->und_sockets = get_int(u, "unwatched_sockets");
		a->und_scm = get_int(u, "scm_rights_unread");
		a->und_seccomp = get_int(u, "seccomp_listener");
		a->und_netlink = get_int(u, "netlink_request");
	}
	if (v[GH_EK_IO_URING_OPCODES].kind == GH_EVK_ARR &&
	    v[GH_EK_IO_URING_OPCODES].len) {
		struct gh_buf ob = GH_BUF_INIT;
		const struct gh_evval *ops = &v[GH_EK_IO_URING_OPCODES];
		size_t i;

		for (i = 0; i < ops->len; i++)
			if (gh_buf_printf(&ob, i ? ", %lld" : "%lld",
					  (long long)ops->elems[i].i) < 0)
				oom();
		a->uring_opcodes = intern(a, ob.p, ob.len);
		gh_buf_release(&ob);
	}
	a->end_stdout = obj_path(a, so);
	a->end_stderr = obj_path(a, se);
	a->stdout_bytes = so ? get_int(so, "bytes") : 0;
	a->stderr_bytes = se ? get_int(se, "bytes") : 0;
	a->end_err = sid(a, rec, GH_EK_ERR);
	a->stdout_err = obj_err(a, so);
	a->stderr_err = obj_err(a, se);
	/* the command's exit status is known even when its exit record is not */
	root = find_proc(a, (int32_t)a->root_pid);
	if (root && !root->exited) {
		root->exited = 1;
		root->end_ns = v[GH_EK_T].i;
		root->has_code = a->has_code;
		root->code = a->code;
		root->has_signal = a->has_signal;
		root->signal = a->signal;
	}
}

/* An open by a process that runs the dynamic loader as a program
 * ("ld.so PROG", exec record "loader"): a name from its argv (after
 * argv[0]) is the program it runs, or a library it preloads
 * (--preload), which no exec names: executed, beside the read, once the
 * process maps it executable (on_map_exec). A static-pie program is
 * flagged "loader" too, and may only read a file its argv names. */
static void loader_open(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v, *raw = &v[GH_EK_RAW];
	struct proc *p = find_proc(a, (int32_t)v[GH_EK_PID].i);
	const char *s, *end;
	uint32_t n, path;
	int first = 1;

	if (!p || !p->loader || raw->kind != GH_EVK_STR ||
	    v[GH_EK_RET].kind != GH_EVK_INT || v[GH_EK_RET].i < 0)
		return;
	s = strtab_str(&a->str, p->loader);
	end = s + strtab_len(&a->str, p->loader);
	for (; end - s >= (ptrdiff_t)sizeof(n); s += n, first = 0) {
		memcpy(&n, s, sizeof(n));
		s += sizeof(n);
		if ((size_t)(end - s) < n)
			return;
		if (first || n != raw->blen || memcmp(s, raw->b, n))
			continue;
		path = sid(a, rec, GH_EK_PATH);
		if (!path)
			return;	/* a mapping names the kernel's path */
		if (grow_array(&p->lopen, &p->lopencap, p->nlopen + 1,
			       sizeof(*p->lopen)) < 0)
			oom();
		p->lopen[p->nlopen++] = path;
		return;
	}
}

/* A file mapped executable (map_exec): code from it can run with no exec
 * of it. The file a loader process opened under one of its argv names
 * (loader_open) is executed ("exec"); any other is "map_exec". */
static void on_map_exec(struct agg *a, const struct gh_evrec *rec,
			struct proc *p, uint32_t result)
{
	struct aview view = { 0, 0, PS_KERNEL, PS_KERNEL };
	uint32_t path = sid(a, rec, GH_EK_PATH), i;
	int op = OP_MAP_EXEC;

	if (!path) {
		a->unresolved++;
		return;
	}
	view.status = path_status(rec, GH_EK_PATH_STATUS);
	view.seen = sid(a, rec, GH_EK_PATH_SEEN);
	if (p->loader && result == a->s_ok)
		for (i = 0; i < p->nlopen; i++)
			if (p->lopen[i] == path)
				op = OP_EXEC;
	access_add(a, path, op, 0, result, 0, 0, p->pid, p->pix, &view);
}

int agg_record(struct agg *a, const struct gh_evrec *rec)
{
	const struct gh_evval *v = rec->v;
	int64_t t = v[GH_EK_T].i;
	int32_t pid = (int32_t)v[GH_EK_PID].i;
	uint32_t result = 0;
	struct proc *p;
	int type = rec->type;

	if (GH_ET_IS_FILE(type)) {
		if (type == GH_ET_OPEN)
			if (a->loaders)
				loader_open(a, rec);
		pend_file(a, rec);
		if (a->npend == AGG_BATCH)
			agg_flush(a);
		return 0;
	}
	agg_flush(a);
	if (type == GH_ET_HEADER)
		return on_header(a, rec);
	if (type == GH_ET_END) {
		on_end(a, rec);
		return 0;
	}
	if (t > a->last_t)
		a->last_t = t;
	if (type == GH_ET_SOCK_END) {
		on_sock_end(a, rec);
		return 0;
	}
	if (type == GH_ET_DNS) {
		on_dns(a, rec, pid);
		return 0;
	}
	a->counts[type]++;
	if (v[GH_EK_RET].kind == GH_EVK_INT) {
		int64_t ret = v[GH_EK_RET].i;

		if (ret == -EACCES || ret == -EPERM)
			a->denied[type]++;
		result = ret >= 0 ? a->s_ok : sid(a, rec, GH_EK_ERR);
	}
	if (type == GH_ET_FORK) {
		on_fork(a, rec, t);
		return 0;
	}
	p = get_proc(a, pid, t);
	set_ppid(p, rec);
	if (type == GH_ET_EXIT) {
		p->exited = 1;
		p->end_ns = t;
		p->has_code = v[GH_EK_CODE].kind == GH_EVK_INT;
		p->code = v[GH_EK_CODE].i;
		p->has_signal = v[GH_EK_SIGNAL].kind == GH_EVK_INT;
		p->signal = v[GH_EK_SIGNAL].i;
		/* the kernel wrote the core (a file, or a core_pattern helper's
		 * input) without a syscall of the tree: no record names it */
		if (v[GH_EK_CORE].kind == GH_EVK_BOOL && v[GH_EK_CORE].i)
			a->core_dumps++;
	} else if (type == GH_ET_EXEC) {
		on_exec(a, rec, p, result);
	} else if (type == GH_ET_MAP_EXEC) {
		on_map_exec(a, rec, p, result);
	} else if (GH_ET_IS_NET(type)) {
		on_net(a, rec, pid, result);
	} else if (GH_ET_IS_ACTION(type)) {
		on_action(a, rec, pid, result);
	}
	return 0;
}
