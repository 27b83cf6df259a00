/* gh-show: what a receipt says, gathered once for every output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensitive.h"
#include "show.h"

static const char *const kind_names[E_KINDS] = {
	"created", "written", "modified", "deleted", "renamed", "created and removed",
};

const char *kind_name(int kind)
{
	return kind_names[kind];
}

static int push(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, c * size);

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	return 0;
}

/* --- a string map: bytes -> index, open addressing ------------------- */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The slot of key: its value (*found 1), or where it goes (*found 0).
 * -ENOMEM when the map cannot grow. */
static long smap_slot(struct smap *m, const char *k, size_t n, int *found)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct smap_ent *v = calloc(cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++) {
			size_t j;

			if (!m->v[i].k)
				continue;
			for (j = m->v[i].h & (cap - 1); v[j].k; j = (j + 1) & (cap - 1))
				;
			v[j] = m->v[i];
		}
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	uint64_t h = hash_bytes(k, n);
	size_t i;

	for (i = h & (m->cap - 1); m->v[i].k; i = (i + 1) & (m->cap - 1))
		if (m->v[i].h == h && m->v[i].n == n && memcmp(m->v[i].k, k, n) == 0) {
			*found = 1;
			return (long)i;
		}
	m->v[i].h = h;
	*found = 0;
	return (long)i;
}

/* Add key (borrowed) with value val unless there; *val_out its value.
 * 1 added, 0 there already, -ENOMEM. */
int smap_put(struct smap *m, const char *k, size_t n, size_t val, size_t *val_out)
{
	int found;
	long i = smap_slot(m, k, n, &found);

	if (i < 0)
		return (int)i;
	if (!found) {
		m->v[i].k = k;
		m->v[i].n = n;
		m->v[i].val = val;
		m->n++;
	}
	if (val_out)
		*val_out = m->v[i].val;
	return !found;
}

int smap_has(const struct smap *m, const char *k, size_t n)
{
	uint64_t h;

	if (!m->cap)
		return 0;
	h = hash_bytes(k, n);
	for (size_t i = h & (m->cap - 1); m->v[i].k; i = (i + 1) & (m->cap - 1))
		if (m->v[i].h == h && m->v[i].n == n && memcmp(m->v[i].k, k, n) == 0)
			return 1;
	return 0;
}

void smap_release(struct smap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static const char *base_name(const char *s, size_t *len)
{
	const char *slash = strrchr(s, '/');

	s = slash && slash[1] ? slash + 1 : s;
	*len = strlen(s);
	return s;
}

/* --- processes --------------------------------------------------------- */

static const struct model *sort_m;

static int cmp_pid(const void *a, const void *b)
{
	const struct sproc *x = &sort_m->procs[*(const size_t *)a];
	const struct sproc *y = &sort_m->procs[*(const size_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* the position in bypid of the first process of pid (or where it would be) */
static size_t model_first(const struct model *m, int64_t pid)
{
	size_t lo = 0, hi = m->nprocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->procs[m->bypid[mid]].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t model_proc(const struct model *m, int64_t pid)
{
	size_t k = model_first(m, pid);

	return k < m->nprocs && m->procs[m->bypid[k]].pid == pid ? m->bypid[k] : NONE;
}

/* A name that is not UTF-8 is written with U+FFFD for its bad bytes,
 * which makes names that differ only there alike; its KEY_hex sibling
 * holds the bytes themselves. Point *s at those (owned by m), so that they
 * are shown as they are (\xHH): 0, or -ENOMEM. A sibling that is not
 * hexadecimal, or holds a NUL (no name does), leaves the name as it was. */
static int raw_name(struct model *m, const struct gh_jv *entry, const char *key,
		    const char **s, size_t *len)
{
	struct gh_buf b = GH_BUF_INIT;
	const char *hex;
	size_t n;
	char **v;
	int rc;

	if (!entry || !*s || gh_receipt_mstr(m->r, entry, "", key, &hex, &n) <= 0)
		return 0;
	rc = gh_unhex(&b, hex, n);
	if (rc == -EINVAL || (rc == 0 && memchr(b.p, 0, b.len))) {
		gh_buf_release(&b);
		return 0;
	}
	v = rc < 0 ? NULL : realloc(m->raw, (m->nraw + 1) * sizeof(*m->raw));
	if (!v) {
		gh_buf_release(&b);
		return -ENOMEM;
	}
	m->raw = v;
	m->raw[m->nraw++] = b.p;
	*s = b.p;
	*len = b.len;
	return 0;
}

/* a + b for counts a receipt gives (each at most INT64_MAX), stopping at
 * INT64_MAX instead of overflowing. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

/* argv into b as a shell reads it back: words joined by spaces, each
 * quoted as gh_buf_shell_word does where it needs it (so that ["a b"] and
 * ["a", "b"] read apart), each element that has bytes in hex (an array as
 * long as argv: argv_hex) as those bytes. Control bytes are left to the
 * terminal or HTML escaping. 0 or -ENOMEM. */
static int join_raw(struct gh_buf *b, const struct gh_jv *argv, const struct gh_jv *hex)
{
	struct gh_buf raw = GH_BUF_INIT;
	size_t k, len, n;
	int rc = 0;

	if (!gh_jv_is(hex, GH_JV_ARRAY) || gh_jv_len(hex) != gh_receipt_len(argv))
		hex = NULL;
	for (k = 0; k < gh_receipt_len(argv) && rc == 0; k++) {
		const char *x = hex ? gh_jv_str(gh_jv_idx(hex, k), &n) : NULL;
		const char *a = gh_receipt_strv_get(argv, k, &len);

		if (k && gh_buf_addc(b, ' ') < 0) {
			rc = -ENOMEM;
			break;
		}
		raw.len = 0;
		if (x && (rc = gh_unhex(&raw, x, n)) == 0 && raw.p &&
		    !memchr(raw.p, 0, raw.len)) {
			rc = gh_buf_shell_word(b, raw.p, raw.len);
			continue;
		}
		if (rc == -ENOMEM)
			break;
		rc = gh_buf_shell_word(b, a, len);
	}
	gh_buf_release(&raw);
	return rc < 0 ? -ENOMEM : 0;
}

/* The command line of p into b, and its exe, with the bytes of their
 * *_hex siblings where a name is not UTF-8 (see raw_name). 0 or -ENOMEM. */
static int proc_raw(struct model *m, const struct gh_rproc *p, struct sproc *s,
		    struct gh_buf *b)
{
	const struct gh_jv *e = NULL, *hex = NULL;
	size_t len;

	if (p->where && strcmp(p->where, "process_tree") == 0) {
		e = gh_jv_idx(gh_jv_get(m->r->root, "process_tree"), p->index);
		hex = gh_jv_get(e, "argv_hex");
		if (raw_name(m, e, "exe_hex", &s->exe, &len) < 0)
			return -ENOMEM;
	}
	if (!p->argv)
		return gh_buf_adds(b, p->cmd ? p->cmd : "");
	return join_raw(b, p->argv, hex);
}

static int load_procs(struct model *m)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	size_t cap = 0, i;
	int rc;

	while ((rc = gh_receipt_next_proc(m->r, &it, &p)) > 0) {
		struct gh_buf b = GH_BUF_INIT;
		struct sproc *s;

		if (push((void **)&m->procs, &m->nprocs, &cap, sizeof(*m->procs)) < 0)
			return -ENOMEM;
		s = &m->procs[m->nprocs];
		memset(s, 0, sizeof(*s));
		s->rp = p;
		s->pid = p.pid;
		s->ppid = p.ppid;
		s->exe = p.exe;
		if (proc_raw(m, &p, s, &b) < 0)
			return -ENOMEM;
		/* the key of alike processes: the same command line, the same end */
		if (gh_buf_printf(&b, "%c%d %lld %d %lld", 0, p.has_exit_code,
				  (long long)(p.has_exit_code ? p.exit_code : 0), p.has_signal,
				  (long long)(p.has_signal ? p.signal : 0)) < 0)
			return -ENOMEM;
		s->cmd = b.p;
		s->key = b.p;
		s->key_len = b.len;
		if (s->exe)
			s->name = base_name(s->exe, &s->name_len);
		else if (gh_receipt_len(p.argv))
			s->name = base_name(gh_receipt_strv_get(p.argv, 0, NULL), &s->name_len);
		else {
			s->name = s->cmd;
			s->name_len = strcspn(s->cmd, " ");
		}
		s->has_code = p.has_exit_code;
		s->code = p.exit_code;
		s->has_sig = p.has_signal;
		s->sig = p.signal;

		s->parent = NONE;
		m->nprocs++;
	}
	if (rc < 0)
		return rc;
	m->bypid = malloc((m->nprocs + 1) * sizeof(*m->bypid));
	if (!m->bypid)
		return -ENOMEM;
	for (i = 0; i < m->nprocs; i++)
		m->bypid[i] = i;
	sort_m = m;
	qsort(m->bypid, m->nprocs, sizeof(*m->bypid), cmp_pid);
	/* parents: the latest process of that pid started before this one */
	for (i = 0; i < m->nprocs; i++) {
		struct sproc *s = &m->procs[i], *pp;
		size_t par = NONE, k;

		/* bypid holds processes of one pid in order of start */
		for (k = model_first(m, s->ppid); k < m->nprocs &&
		     m->procs[m->bypid[k]].pid == s->ppid && m->bypid[k] < i; k++)
			par = m->bypid[k];
		if (par == NONE || par == i)
			continue;
		s->parent = par;
		pp = &m->procs[par];
		if (push((void **)&pp->kids, &pp->nkids, &pp->capkids, sizeof(size_t)) < 0)
			return -ENOMEM;
		pp->kids[pp->nkids++] = i;
	}
	return 0;
}

/* --- files ------------------------------------------------------------- */

static int load_files(struct model *m)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rfile f;
	size_t cap = 0;
	int rc;

	while ((rc = gh_receipt_next_file(m->r, &it, &f)) > 0) {
		if (push((void **)&m->files, &m->nfiles, &cap, sizeof(f)) < 0 ||
		    raw_name(m, f.entry, "path_hex", &f.path, &f.path_len) < 0 ||
		    raw_name(m, f.entry, "target_hex", &f.target, &f.target_len) < 0 ||
		    raw_name(m, f.entry, "path_seen_hex", &f.path_seen, &f.path_seen_len) < 0 ||
		    raw_name(m, f.entry, "target_seen_hex", &f.target_seen,
			     &f.target_seen_len) < 0)
			return -ENOMEM;
		m->files[m->nfiles++] = f;
	}
	return rc;
}

static int has_prefix_dir(const char *p, size_t len, const char *dir, size_t dlen)
{
	return len > dlen && memcmp(p, dir, dlen) == 0 && p[dlen] == '/';
}

int model_area(const struct model *m, const char *p, size_t len)
{
	static const char *const tmp[] = { "/tmp", "/var/tmp", "/dev/shm" };
	const char *cwd = m->run.cwd;

	/* a cwd that is not absolute ("" would hold every path) is none */
	if (cwd && cwd[0] == '/' && strcmp(cwd, "/") != 0 &&
	    has_prefix_dir(p, len, cwd, strlen(cwd)))
		return A_WORK;
	for (size_t i = 0; i < sizeof(tmp) / sizeof(tmp[0]); i++)
		if (has_prefix_dir(p, len, tmp[i], strlen(tmp[i])))
			return A_TMP;
	return A_OTHER;
}

/* Paths that are not files a run leaves behind. */
static int pseudo(const char *p, size_t len)
{
	if (len == 0 || p[0] != '/')
		return 1; /* pipe:[..], socket:[..], unresolved names */
	if (has_prefix_dir(p, len, "/dev/shm", 8))
		return 0;
	return has_prefix_dir(p, len, "/dev", 4) || has_prefix_dir(p, len, "/proc", 5) ||
	       has_prefix_dir(p, len, "/sys", 4) || (len == 4 && !memcmp(p, "/dev", 4));
}

enum { FL_C = 1, FL_M = 2, FL_D = 4, FL_RT = 8, FL_W = 16, FL_DIR = 32 };

struct pflag {
	const char *path, *target;
	size_t len, tlen;
	int flags;
	const struct gh_jv *pids;
	const char *status, *seen; /* the access's view of this path */
	size_t seen_len;
};

static int cmp_pflag(const void *a, const void *b)
{
	const struct pflag *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->path, y->path, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static size_t dir_part(const struct effect *e)
{
	size_t n = e->len;

	while (n > 0 && e->path[n - 1] != '/')
		n--;
	return n;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int cmp_by_dir(const void *a, const void *b)
{
	const struct effect *x = a, *y = b;
	size_t dx = dir_part(x), dy = dir_part(y);
	int c = cmp_bytes(x->path, dx, y->path, dy);

	return c ? c : cmp_bytes(x->path + dx, x->len - dx, y->path + dy, y->len - dy);
}

static int op_flags(const char *op)
{
	static const struct {
		const char *op;
		int fl;
	} t[] = {
		{ "create", FL_W },   { "mkdir", FL_C | FL_DIR }, { "symlink", FL_C },
		{ "write", FL_W },    { "truncate", FL_W },	  { "chmod", FL_M },
		{ "chown", FL_M },    { "delete", FL_D },	  { "rmdir", FL_D | FL_DIR },
		{ "rename", FL_D },   { "link", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(op, t[i].op) == 0)
			return t[i].fl;
	return -1;
}

static int effects(struct model *m)
{
	struct smap targets = { 0 };
	struct pflag *v = NULL;
	size_t n = 0, cap = 0, i, k;

	for (i = 0; i < m->nfiles; i++) {
		const struct gh_rfile *f = &m->files[i];
		int fl = op_flags(f->op);

		if (fl < 0 || !f->result || strcmp(f->result, "ok") != 0)
			continue;
		if (!pseudo(f->path, f->path_len)) {
			if (push((void **)&v, &n, &cap, sizeof(*v)) < 0)
				goto nomem;
			v[n++] = (struct pflag){ f->path, NULL, f->path_len, 0, fl, f->pids,
						 f->path_status, f->path_seen, f->path_seen_len };
			if (strcmp(f->op, "rename") == 0 && f->target) {
				v[n - 1].target = f->target;
				v[n - 1].tlen = f->target_len;
			}
		}
		if ((strcmp(f->op, "rename") == 0 || strcmp(f->op, "link") == 0) &&
		    f->target && !pseudo(f->target, f->target_len)) {
			if (push((void **)&v, &n, &cap, sizeof(*v)) < 0)
				goto nomem;
			v[n++] = (struct pflag){ f->target, NULL, f->target_len, 0,
						 strcmp(f->op, "rename") == 0 ? FL_RT : FL_C,
						 f->pids, f->target_status, f->target_seen,
						 f->target_seen_len };
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_pflag);
	m->eff = calloc(n + 1, sizeof(*m->eff));
	if (!m->eff)
		goto nomem;
	for (i = 0; i < n; i = k) {
		struct effect *e = &m->eff[m->neff];
		int fl = 0;
		const char *target = NULL, *status = NULL;
		size_t tlen = 0;
		int resolved = 0;

		for (k = i; k < n && cmp_pflag(&v[i], &v[k]) == 0; k++) {
			fl |= v[k].flags;
			/* marked only when the kernel resolved none of them */
			if (!path_mark(v[k].status))
				resolved = 1;
			else if (!status)
				status = v[k].status;
			if (v[k].seen && !e->seen) {
				e->seen = v[k].seen;
				e->seen_len = v[k].seen_len;
			}
			if (v[k].target) {
				target = v[k].target;
				tlen = v[k].tlen;
			}
		}
		e->path = v[i].path;
		e->len = v[i].len;
		e->pids = v[i].pids;
		e->status = resolved ? NULL : status;
		e->isdir = !!(fl & FL_DIR);
		if ((fl & FL_D) && (fl & (FL_C | FL_RT | FL_W)))
			e->kind = E_TRANSIENT;
		else if ((fl & FL_D) && target)
			e->kind = E_RENAMED;
		else if (fl & FL_D)
			e->kind = E_DELETED;
		else if (fl & FL_C)
			e->kind = E_CREATED;
		else if (fl & FL_RT)
			e->kind = -1; /* a rename's target: decided below */
		else if (fl & FL_W)
			e->kind = E_WRITTEN;
		else
			e->kind = E_MODIFIED;
		if (e->kind == E_RENAMED) {
			e->target = target;
			e->target_len = tlen;
		}
		e->area = model_area(m, e->path, e->len);
		m->neff++;
	}
	/* a rename's target is shown as its source's rename; when the source
	 * itself was made by the run (and so is not shown), it is new */
	for (i = 0; i < m->neff; i++)
		if (m->eff[i].kind == E_RENAMED &&
		    smap_put(&targets, m->eff[i].target, m->eff[i].target_len, 0, NULL) < 0)
			goto nomem;
	for (i = 0; i < m->neff; i++)
		if (m->eff[i].kind == -1 && !smap_has(&targets, m->eff[i].path, m->eff[i].len))
			m->eff[i].kind = E_WRITTEN;
	smap_release(&targets);
	for (i = k = 0; i < m->neff; i++)
		if (m->eff[i].kind != -1)
			m->eff[k++] = m->eff[i];
	m->neff = k;
	/* fold what is below a directory created or deleted, or below a
	 * transient one */
	for (i = 0; i < m->neff; i++) {
		struct effect *d = &m->eff[i];

		if (d->hidden || !d->isdir ||
		    (d->kind != E_CREATED && d->kind != E_DELETED && d->kind != E_TRANSIENT))
			continue;
		for (k = i + 1; k < m->neff && has_prefix_dir(m->eff[k].path, m->eff[k].len,
							       d->path, d->len); k++) {
			m->eff[k].hidden = 1;
			if (d->kind != E_TRANSIENT || m->eff[k].kind == E_TRANSIENT)
				d->folded++;
		}
	}
	for (i = 0; i < m->neff; i++)
		m->count[m->eff[i].area][m->eff[i].kind]++;
	/* shown directory by directory */
	qsort(m->eff, m->neff, sizeof(*m->eff), cmp_by_dir);
	free(v);
	return 0;
nomem:
	smap_release(&targets);
	free(v);
	return -ENOMEM;
}

/* --- failures ---------------------------------------------------------- */

/* The names of programs that ran: basenames of successful execs and of
 * their argv[0] (execvp("sh") runs /usr/bin/dash). */
static int ran_names(struct model *m, struct smap *names)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct gh_rfile *f = &m->files[i];
		size_t bl;
		const char *b;

		if (strcmp(f->op, "exec") != 0 || !f->result || strcmp(f->result, "ok") != 0)
			continue;
		b = base_name(f->path, &bl);
		if (smap_put(names, b, bl, 0, NULL) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		struct gh_rexec x;

		for (size_t k = 0; gh_receipt_proc_exec(m->r, &m->procs[i].rp, k, &x) > 0; k++) {
			const char *b;
			size_t bl;

			if (!gh_receipt_len(x.argv))
				continue;
			b = base_name(gh_receipt_strv_get(x.argv, 0, NULL), &bl);
			if (smap_put(names, b, bl, 0, NULL) < 0)
				return -ENOMEM;
		}
		if (m->procs[i].exe && smap_put(names, m->procs[i].name, m->procs[i].name_len,
						 0, NULL) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int harmless(const struct gh_rfile *f)
{
	const char *e = f->result;

	if (pseudo(f->path, f->path_len))
		return 1; /* /proc, /sys, /dev/tty without a terminal */
	if (strcmp(e, "EEXIST") == 0)
		return strcmp(f->op, "mkdir") == 0 || strcmp(f->op, "create") == 0 ||
		       strcmp(f->op, "symlink") == 0;
	if (strcmp(e, "ENOENT") != 0 && strcmp(e, "ENOTDIR") != 0)
		return 0;
	/* lookups: a library, a configuration file, a PATH entry */
	return strcmp(f->op, "read") == 0 || strcmp(f->op, "chdir") == 0 ||
	       strcmp(f->op, "delete") == 0;
}

static int add_fail(struct model *m, size_t *cap, struct failure f)
{
	if (push((void **)&m->fails, &m->nfails, cap, sizeof(f)) < 0)
		return -ENOMEM;
	m->fails[m->nfails++] = f;
	return 0;
}

/* The key of alike processes: program name, exit status and signal. */
static int exit_key(const struct sproc *p, struct gh_buf *b)
{
	b->len = 0;
	if (gh_buf_add(b, p->name, p->name_len) < 0)
		return -ENOMEM;
	return gh_buf_printf(b, "%c%d %lld %d %lld", 0, p->has_code, (long long)p->code,
			     p->has_sig, (long long)p->sig);
}

static int failures(struct model *m)
{
	struct smap names = { 0 }, exits = { 0 }, notfound = { 0 };
	struct gh_buf key = GH_BUF_INIT;
	char **keys = NULL;
	size_t cap = 0, i, nkeys = 0, k;
	int rc = -ENOMEM;

	if (ran_names(m, &names) < 0)
		goto out;
	/* non-zero exits and signals, alike ones (same program, same status)
	 * folded; the command itself is in the heading */
	keys = calloc(m->nprocs + 1, sizeof(*keys));
	if (!keys)
		goto out;
	for (i = 1; i < m->nprocs; i++) {
		const struct sproc *p = &m->procs[i];
		int added;

		if (!(p->has_sig || (p->has_code && p->code != 0)))
			continue;
		if (exit_key(p, &key) < 0 || !(keys[nkeys] = malloc(key.len + 1)))
			goto out;
		memcpy(keys[nkeys], key.p, key.len);
		added = smap_put(&exits, keys[nkeys], key.len, m->nfails, &k);
		nkeys++;
		if (added < 0)
			goto out;
		if (!added) {
			m->fails[k].nprocs++;
			continue;
		}
		if (add_fail(m, &cap, (struct failure){ .kind = F_EXIT, .proc = i,
							 .nprocs = 1 }) < 0)
			goto out;
	}
	for (i = 0; i < m->nfiles; i++) {
		const struct gh_rfile *f = &m->files[i];
		int64_t n = f->count ? f->count : 1;

		if (!f->result || strcmp(f->result, "ok") == 0)
			continue;
		if (strcmp(f->op, "exec") == 0 &&
		    (strcmp(f->result, "ENOENT") == 0 || strcmp(f->result, "ENOTDIR") == 0)) {
			size_t bl;
			const char *b = base_name(f->path, &bl);
			int added;

			if (smap_has(&names, b, bl)) {
				m->noise = sat_add(m->noise, n); /* a PATH entry tried first */
				continue;
			}
			added = smap_put(&notfound, b, bl, m->nfails, &k);
			if (added < 0)
				goto out;
			if (!added) {
				m->fails[k].tries++;
				continue;
			}
			if (add_fail(m, &cap, (struct failure){ .kind = F_NOTFOUND, .file = i,
								 .tries = 1, .name = b,
								 .name_len = bl }) < 0)
				goto out;
			continue;
		}
		if (harmless(f)) {
			m->noise = sat_add(m->noise, n);
			continue;
		}
		if (add_fail(m, &cap, (struct failure){ .kind = F_ACCESS, .file = i }) < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	gh_buf_release(&key);
	smap_release(&names);
	smap_release(&exits);
	smap_release(&notfound);
	return rc;
}

static int sensitive(struct model *m)
{
	struct gh_sensitive *s;
	size_t cap = 0;

	if (gh_sensitive_new(&s) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->nfiles; i++) {
		const char *pat = gh_sensitive_match(s, m->files[i].path, m->files[i].path_len);

		if (!pat)
			continue;
		if (push((void **)&m->hits, &m->nhits, &cap, sizeof(*m->hits)) < 0) {
			gh_sensitive_free(s);
			return -ENOMEM;
		}
		m->hits[m->nhits++] = (struct sensitive_hit){ i, pat };
	}
	gh_sensitive_free(s);
	return 0;
}

/* Files mapped executable (map_exec): libraries, mostly. Those from
 * outside the system's directories (a preload, dlopen of a path, a
 * memfd) are the ones a reader wants to see. */
static int system_code(const char *p, size_t n)
{
	static const char *const dirs[] = { "/usr/", "/lib/", "/lib64/", "/lib32/" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (n > strlen(dirs[i]) && memcmp(p, dirs[i], strlen(dirs[i])) == 0)
			return 1;
	return 0;
}

static int mapped_code(struct model *m)
{
	size_t cap = 0;

	for (size_t i = 0; i < m->nfiles; i++) {
		const struct gh_rfile *f = &m->files[i];

		if (strcmp(f->op, "map_exec") != 0 || (f->result && strcmp(f->result, "ok") != 0))
			continue;
		m->nmapped++;
		if (system_code(f->path, f->path_len))
			continue;
		if (push((void **)&m->code, &m->ncode, &cap, sizeof(*m->code)) < 0)
			return -ENOMEM;
		m->code[m->ncode++] = i;
	}
	return 0;
}

static int load_peers(struct model *m)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rpeer p;
	size_t cap = 0;
	int rc;

	while ((rc = gh_receipt_next_peer(m->r, &it, &p)) > 0) {
		size_t len;

		if (push((void **)&m->peers, &m->npeers, &cap, sizeof(p)) < 0 ||
		    raw_name(m, p.entry, p.inbound ? "addr_hex" : "dst_hex", &p.addr, &len) < 0)
			return -ENOMEM;
		m->peers[m->npeers++] = p;
	}
	if (rc < 0)
		return rc;
	rc = gh_receipt_int(m->r, "network.bytes_sent", &m->bytes_sent);
	m->has_bytes_sent = rc > 0;
	if (rc < 0)
		return rc;
	rc = gh_receipt_int(m->r, "network.bytes_received", &m->bytes_received);
	m->has_bytes_received = rc > 0;
	return rc < 0 ? rc : 0;
}

static int load_dns(struct model *m)
{
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rdns d;
	size_t cap = 0;
	int rc;

	while ((rc = gh_receipt_next_dns(m->r, &it, &d)) > 0) {
		if (push((void **)&m->dns, &m->ndns, &cap, sizeof(d)) < 0)
			return -ENOMEM;
		/* sorted by name, then type */
		if (!m->ndns || strcmp(m->dns[m->ndns - 1].name, d.name) != 0)
			m->dns_names++;
		m->dns[m->ndns++] = d;
	}
	return rc;
}

void peer_bytes(const struct gh_rpeer *p, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!p->has_bytes || (!p->bytes_sent && !p->bytes_received))
		return;
	snprintf(buf, n, "%lld B out, %lld B in", (long long)p->bytes_sent,
		 (long long)p->bytes_received);
}

const char *path_mark(const char *status)
{
	return status && *status ? status : NULL;
}

/* The command line and whether the record is whole. */
static int facts(struct model *m)
{
	const struct gh_rrun *r = &m->run;
	struct facts *f = &m->facts;
	int untraced = r->observation_mode && strcmp(r->observation_mode, "none") == 0;
	const struct gh_jv *hex = gh_jv_get(gh_jv_get(m->r->root, "provenance"), "command_hex");

	if (r->command ? join_raw(&f->command, r->command, hex) < 0 :
			 gh_buf_adds(&f->command, r->command_str ? r->command_str : "") < 0)
		return -ENOMEM;
	if (!r->completeness)
		f->record = REC_UNKNOWN;
	else if (untraced)
		f->record = REC_UNTRACED;
	else if (strcmp(r->completeness, "closed") == 0)
		f->record = REC_COMPLETE;
	else
		f->record = REC_PARTIAL;
	return 0;
}

int model_build(struct model *m, struct gh_receipt *r)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->r = r;
	if ((rc = gh_receipt_run(r, &m->run)) < 0 || (rc = facts(m)) < 0 ||
	    (rc = load_procs(m)) < 0 ||
	    (rc = load_files(m)) < 0 || (rc = load_peers(m)) < 0 || (rc = load_dns(m)) < 0 ||
	    (rc = effects(m)) < 0 || (rc = failures(m)) < 0 || (rc = sensitive(m)) < 0 ||
	    (rc = mapped_code(m)) < 0)
		return rc;
	return 0;
}

void model_release(struct model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		free(m->procs[i].cmd);
		free(m->procs[i].kids);
	}
	free(m->procs);
	free(m->bypid);
	free(m->files);
	for (size_t i = 0; i < m->nraw; i++)
		free(m->raw[i]);
	free(m->raw);
	free(m->peers);
	free(m->dns);
	free(m->eff);
	free(m->fails);
	free(m->hits);
	free(m->code);
	gh_buf_release(&m->facts.command);
	memset(m, 0, sizeof(*m));
}

/* --- the folded tree --------------------------------------------------- */

/* The group of each sibling: g[i] is the index in v of the first one
 * alike v[i]. */
static int group(const struct model *m, const size_t *v, size_t n, size_t *g)
{
	struct smap seen = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct sproc *p = &m->procs[v[i]];

		if (smap_put(&seen, p->key, p->key_len, i, &g[i]) < 0) {
			smap_release(&seen);
			return -ENOMEM;
		}
	}
	smap_release(&seen);
	return 0;
}

size_t model_subtrees(const struct model *m, const size_t *v, size_t n)
{
	/* each process is some one's kid at most once: n + nprocs is room */
	size_t *st = malloc((n + m->nprocs + 1) * sizeof(*st)), top = 0, count = 0;

	if (!st)
		return 0;
	for (size_t i = 0; i < n; i++)
		st[top++] = v[i];
	while (top) {
		const struct sproc *p = &m->procs[st[--top]];

		count++;
		for (size_t k = 0; k < p->nkids; k++)
			st[top++] = p->kids[k];
	}
	free(st);
	return count;
}

int model_fold(const struct model *m, const size_t *v, size_t n, int depth,
	       const struct fold_ops *ops, void *ctx)
{
	size_t *g = malloc((n + 1) * sizeof(*g)), *count = calloc(n + 1, sizeof(*count));
	size_t *nk = calloc(n + 1, sizeof(*nk)), *at = calloc(n + 1, sizeof(*at));
	size_t *kids = NULL, total = 0;
	int rc = 0;

	if (!g || !count || !nk || !at || group(m, v, n, g) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		count[g[i]]++;
		nk[g[i]] += m->procs[v[i]].nkids;
	}
	/* the children of each group, side by side, in order */
	for (size_t i = 0; i < n; i++)
		if (g[i] == i) {
			at[i] = total;
			total += nk[i];
		}
	kids = malloc((total + 1) * sizeof(*kids));
	if (!kids) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < m->procs[v[i]].nkids; c++)
			kids[at[g[i]]++] = m->procs[v[i]].kids[c];
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (g[i] != i)
			continue;
		if ((rc = ops->enter(ctx, v[i], count[i], depth, nk[i])) < 0)
			break;
		if (nk[i] && depth >= MODEL_FOLD_DEPTH)
			rc = ops->cut ? ops->cut(ctx, depth + 1,
						 model_subtrees(m, kids + at[i] - nk[i], nk[i])) : 0;
		else if (nk[i])
			rc = model_fold(m, kids + at[i] - nk[i], nk[i], depth + 1, ops, ctx);
		if (rc == 0 && ops->leave)
			rc = ops->leave(ctx, depth, nk[i]);
	}
out:
	free(g);
	free(count);
	free(nk);
	free(at);
	free(kids);
	return rc;
}

size_t model_distinct(const struct model *m)
{
	struct smap seen = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < m->nprocs; i++) {
		int added = smap_put(&seen, m->procs[i].cmd, strlen(m->procs[i].cmd), 0, NULL);

		if (added < 0) {
			n = 0;
			break;
		}
		n += added;
	}
	smap_release(&seen);
	return n;
}

size_t model_roots(const struct model *m, size_t **out)
{
	size_t n = 0, *v = malloc((m->nprocs + 1) * sizeof(*v));

	for (size_t i = 0; v && i < m->nprocs; i++)
		if (m->procs[i].parent == NONE)
			v[n++] = i;
	*out = v;
	return v ? n : 0;
}
