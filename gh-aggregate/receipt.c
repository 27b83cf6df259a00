/* gh-aggregate: the receipt, built from the folded state and sorted.
 *
 * A receipt can list hundreds of thousands of accesses; as json-c objects
 * they would take several times the memory of everything else. So the
 * receipt is written in two parts: a skeleton (every member, with the long
 * lists empty) serialized by gh_json_to_buf, and the long lists, each
 * element built, serialized by gh_json_to_buf, indented to its depth and
 * freed in turn, spliced in where the skeleton has their "KEY": [] line.
 * The bytes are exactly those gh_json_to_buf would write for the whole
 * tree (json.h: two-space indent, one element per line).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gh.h"
#include "json.h"
#include "agg.h"

#define RECEIPT_VERSION "0.4.0"

static const char *const op_names[OP_COUNT] = {
	"chdir", "chmod", "chown", "create", "delete", "exec", "link",
	"mkdir", "read", "rename", "rmdir", "symlink", "truncate", "write",
	"map_exec",
};
static const char *const nop_names[NOP_COUNT] = {
	"accept", "bind", "connect", "listen", "send",
};

/* qsort has no context argument */
static const struct agg *sort_agg;

static __attribute__((noreturn)) void oom(void)
{
	gh_die(GH_EXIT_ERR, "out of memory");
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v) < 0)
		oom();
}

static void push(struct json_object *arr, struct json_object *v)
{
	if (json_object_array_add(arr, v) < 0)
		oom();
}

static struct json_object *obj(void)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		oom();
	return o;
}

static struct json_object *arr(void)
{
	struct json_object *o = json_object_new_array();

	if (!o)
		oom();
	return o;
}

static struct json_object *jint(int64_t v)
{
	struct json_object *o = json_object_new_int64(v);

	if (!o)
		oom();
	return o;
}

static struct json_object *jbool(int v)
{
	struct json_object *o = json_object_new_boolean(v);

	if (!o)
		oom();
	return o;
}

static struct json_object *jtext(const char *s, size_t n)
{
	struct json_object *o = json_object_new_string_len(s, (int)n);

	if (!o)
		oom();
	return o;
}

static struct json_object *jcstr(const char *s)
{
	return jtext(s, strlen(s));
}

/* A string by id (null for 0). */
static struct json_object *jstr(const struct agg *a, uint32_t id)
{
	if (!id)
		return NULL;
	return jtext(strtab_str(&a->str, id), strtab_len(&a->str, id));
}

static struct json_object *jhex(const char *s, size_t n)
{
	char *h = malloc(2 * n + 1);
	struct json_object *o;

	if (!h)
		oom();
	gh_hex((const unsigned char *)s, n, h);
	o = jtext(h, 2 * n);
	free(h);
	return o;
}

/* key: the string (invalid UTF-8 bytes become U+FFFD when written), and
 * key_hex with the raw bytes when they are not valid UTF-8. */
static void add_str(struct json_object *o, const char *key,
		    const struct agg *a, uint32_t id)
{
	char hkey[64];
	const char *s;
	size_t n;

	add(o, key, jstr(a, id));
	if (!id)
		return;
	s = strtab_str(&a->str, id);
	n = strtab_len(&a->str, id);
	if (gh_utf8_valid(s, n))
		return;
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	add(o, hkey, jhex(s, n));
}

/* Walk an interned argv: calls fn for each element. */
static void argv_each(const struct agg *a, uint32_t id,
		      void (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	const char *p, *end;
	uint32_t n;

	if (!id)
		return;
	p = strtab_str(&a->str, id);
	end = p + strtab_len(&a->str, id);
	while (p + sizeof(n) <= end) {
		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		fn(ctx, p, n);
		p += n;
	}
}

struct argv_ctx {
	struct json_object *arr, *hex;
	size_t bad;
	struct gh_buf *cmd;
};

static void argv_elem(void *ctx, const char *s, size_t n)
{
	struct argv_ctx *c = ctx;
	int ok = gh_utf8_valid(s, n);

	push(c->arr, jtext(s, n));
	push(c->hex, ok ? NULL : jhex(s, n));
	c->bad += !ok;
}

/* key: [elements], and key_hex: [null or hex per element] when any is
 * not valid UTF-8 (the event stream's own convention). */
static void add_argv(struct json_object *o, const char *key,
		     const struct agg *a, uint32_t id)
{
	struct argv_ctx c = { arr(), arr(), 0, NULL };
	char hkey[64];

	argv_each(a, id, argv_elem, &c);
	add(o, key, c.arr);
	if (c.bad) {
		snprintf(hkey, sizeof(hkey), "%s_hex", key);
		add(o, hkey, c.hex);
	} else {
		json_object_put(c.hex);
	}
}

/* One word of the command line, as a shell reads it back. */
static void cmd_elem(void *ctx, const char *s, size_t n)
{
	struct gh_buf *b = ctx;

	if ((b->len && gh_buf_addc(b, ' ') < 0) || gh_buf_shell_word(b, s, n) < 0)
		oom();
}

static void first_elem(void *ctx, const char *s, size_t n)
{
	struct gh_buf *b = ctx;

	if (!b->p && gh_buf_add(b, s, n) < 0)
		oom();
}

/* argv as a shell command line that gives it back. */
static struct json_object *jcmd(const struct agg *a, uint32_t id)
{
	struct gh_buf b = GH_BUF_INIT;
	struct json_object *o;

	argv_each(a, id, cmd_elem, &b);
	o = jtext(b.p ? b.p : "", b.len);
	gh_buf_release(&b);
	return o;
}

/* ---- output ---- */

struct out {
	FILE *f;
	struct gh_buf b;	/* pending bytes */
	struct gh_buf el;	/* one serialized element */
};

static void out_flush(struct out *o)
{
	if (o->b.len && fwrite(o->b.p, 1, o->b.len, o->f) != o->b.len) {
		/* reported by gh_close_stdout() through ferror() */
	}
	o->b.len = 0;
}

static void out_add(struct out *o, const char *s, size_t n)
{
	if (gh_buf_add(&o->b, s, n) < 0)
		oom();
	if (o->b.len >= (1u << 20))
		out_flush(o);
}

static void out_indent(struct out *o, int level)
{
	static const char spaces[] = "                                ";
	size_t n = 2 * (size_t)level;

	out_add(o, "\n", 1);
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		out_add(o, spaces, k);
		n -= k;
	}
}

/* A long list being written: "[", elements at level + 1, "]". */
struct list {
	struct out *o;
	int level;
	size_t n;
};

/* Serialize el (consumed) as the list's next element. */
static void list_add(struct list *l, struct json_object *el)
{
	struct gh_buf *b = &l->o->el;
	const char *p, *nl, *end;

	b->len = 0;
	if (gh_json_to_buf(b, el, GH_JW_PRETTY) < 0)
		oom();
	json_object_put(el);
	out_add(l->o, l->n++ ? "," : "[", 1);
	out_indent(l->o, l->level + 1);
	/* the element was written at level 0: indent each of its lines */
	p = b->p;
	end = b->p + b->len;
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		out_add(l->o, p, (size_t)(nl - p));
		out_indent(l->o, l->level + 1);
		p = nl + 1;
	}
	out_add(l->o, p, (size_t)(end - p));
}

static void list_end(struct list *l)
{
	if (!l->n) {
		out_add(l->o, "[]", 2);
		return;
	}
	out_indent(l->o, l->level);
	out_add(l->o, "]", 1);
}

/* ---- sorting ---- */

static int cmp_proc(const void *x, const void *y)
{
	const struct proc *p = &sort_agg->procs[*(const uint32_t *)x];
	const struct proc *q = &sort_agg->procs[*(const uint32_t *)y];

	if (p->start_ns != q->start_ns)
		return p->start_ns < q->start_ns ? -1 : 1;
	if (p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Keys compare member by member: the first that differs decides (a ?: b
 * is a when a is not 0). */
static int num_cmp(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int str_cmp(uint32_t a, uint32_t b)
{
	return strtab_cmp(&sort_agg->str, a, b);
}

static int cmp_access(const void *x, const void *y)
{
	const struct akey *k = ktab_key(&sort_agg->acc, *(const uint32_t *)x);
	const struct akey *l = ktab_key(&sort_agg->acc, *(const uint32_t *)y);

	return str_cmp(k->path, l->path) ?:
	       strcmp(op_names[k->op], op_names[l->op]) ?:
	       str_cmp(k->target, l->target) ?:
	       str_cmp(k->result, l->result) ?:
	       num_cmp(k->has_mode, l->has_mode) ?:
	       num_cmp(k->mode, l->mode) ?:
	       num_cmp(k->status, l->status) ?:
	       str_cmp(k->seen, l->seen) ?:
	       num_cmp(k->tstatus, l->tstatus) ?:
	       str_cmp(k->tseen, l->tseen);
}

/* network.attempts and .inbound: inbound entries have no family (0). */
static int cmp_net(const struct nkey *k, const struct nkey *l)
{
	return str_cmp(k->dst, l->dst) ?:
	       str_cmp(k->proto, l->proto) ?:
	       strcmp(nop_names[k->op], nop_names[l->op]) ?:
	       str_cmp(k->result, l->result) ?:
	       str_cmp(k->family, l->family) ?:
	       str_cmp(k->raw, l->raw);
}

static int cmp_attempt(const void *x, const void *y)
{
	return cmp_net(ktab_key(&sort_agg->att, *(const uint32_t *)x),
		       ktab_key(&sort_agg->att, *(const uint32_t *)y));
}

static int cmp_inbound(const void *x, const void *y)
{
	return cmp_net(ktab_key(&sort_agg->inb, *(const uint32_t *)x),
		       ktab_key(&sort_agg->inb, *(const uint32_t *)y));
}

static int cmp_action(const void *x, const void *y)
{
	uint32_t k = *(const uint32_t *)ktab_key(&sort_agg->act, *(const uint32_t *)x);
	uint32_t l = *(const uint32_t *)ktab_key(&sort_agg->act, *(const uint32_t *)y);

	return strtab_cmp(&sort_agg->str, k, l);
}

static int cmp_dns(const void *x, const void *y)
{
	const struct dkey *k = ktab_key(&sort_agg->dns, *(const uint32_t *)x);
	const struct dkey *l = ktab_key(&sort_agg->dns, *(const uint32_t *)y);

	return str_cmp(k->name, l->name) ?: str_cmp(k->type, l->type);
}

static int cmp_dnsa(const void *x, const void *y)
{
	const struct dakey *k = ktab_key(&sort_agg->dnsa, *(const uint32_t *)x);
	const struct dakey *l = ktab_key(&sort_agg->dnsa, *(const uint32_t *)y);

	return str_cmp(k->name, l->name) ?: str_cmp(k->type, l->type) ?:
	       str_cmp(k->addr, l->addr);
}

static int cmp_names(const void *x, const void *y)
{
	const struct nmkey *k = ktab_key(&sort_agg->names, *(const uint32_t *)x);
	const struct nmkey *l = ktab_key(&sort_agg->names, *(const uint32_t *)y);

	return str_cmp(k->addr, l->addr) ?: str_cmp(k->name, l->name);
}

static int cmp_id(const void *x, const void *y)
{
	return strtab_cmp(&sort_agg->str, *(const uint32_t *)x, *(const uint32_t *)y);
}

static uint32_t *sorted(struct agg *a, uint32_t n,
			int (*cmp)(const void *, const void *))
{
	uint32_t *ix = malloc(((size_t)n + 1) * sizeof(*ix)), i;

	if (!ix)
		oom();
	for (i = 0; i < n; i++)
		ix[i] = i;
	sort_agg = a;
	qsort(ix, n, sizeof(*ix), cmp);
	return ix;
}

/* Everything sorted and derived, before writing. */
struct prep {
	uint32_t *procs, *acc, *att, *inb, *act;
	uint32_t *dns, *dnsa, *names;		/* sorted indexes */
	uint32_t *reads, *writes, *deletes;	/* sorted unique path ids */
	uint32_t nr, nw, nd;
	uint64_t failed;
	uint32_t unknown;			/* the "unknown" peer */
};

static void id_add(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t id)
{
	if (grow_array(v, cap, *n + 1, sizeof(**v)) < 0)
		oom();
	(*v)[(*n)++] = id;
}

/* Sort and deduplicate a list of string ids. */
static void id_sort(struct agg *a, uint32_t *v, uint32_t *n)
{
	uint32_t i, j = 0;

	if (!*n)
		return;
	sort_agg = a;
	qsort(v, *n, sizeof(*v), cmp_id);
	for (i = 0; i < *n; i++)
		if (i == 0 || v[i] != v[j - 1])
			v[j++] = v[i];
	*n = j;
}

static void prepare(struct agg *a, struct prep *p)
{
	uint32_t i, cr = 0, cw = 0, cd = 0;
	const struct akey *k;

	memset(p, 0, sizeof(*p));
	p->procs = sorted(a, a->nproc, cmp_proc);
	p->acc = sorted(a, a->acc.n, cmp_access);
	p->att = sorted(a, a->att.n, cmp_attempt);
	p->inb = sorted(a, a->inb.n, cmp_inbound);
	p->act = sorted(a, a->act.n, cmp_action);
	p->dns = sorted(a, a->dns.n, cmp_dns);
	p->dnsa = sorted(a, a->dnsa.n, cmp_dnsa);
	p->names = sorted(a, a->names.n, cmp_names);
	p->unknown = strtab_intern(&a->str, "unknown", 7);
	if (!p->unknown)
		oom();
	for (i = 0; i < a->acc.n; i++) {
		k = ktab_key(&a->acc, i);
		if (k->result != a->s_ok) {
			p->failed += ((struct counted *)ktab_val(&a->acc, i))->count;
			continue;
		}
		switch (k->op) {
		case OP_READ:
			id_add(&p->reads, &p->nr, &cr, k->path);
			break;
		case OP_WRITE: case OP_CREATE: case OP_MKDIR: case OP_CHMOD:
		case OP_CHOWN: case OP_TRUNCATE: case OP_SYMLINK:
			id_add(&p->writes, &p->nw, &cw, k->path);
			break;
		case OP_LINK:
			if (k->target)
				id_add(&p->writes, &p->nw, &cw, k->target);
			break;
		case OP_RENAME:
			id_add(&p->deletes, &p->nd, &cd, k->path);
			if (k->target)
				id_add(&p->writes, &p->nw, &cw, k->target);
			break;
		case OP_DELETE: case OP_RMDIR:
			id_add(&p->deletes, &p->nd, &cd, k->path);
			break;
		}
	}
	id_sort(a, p->reads, &p->nr);
	id_sort(a, p->writes, &p->nw);
	id_sort(a, p->deletes, &p->nd);
}

static void prep_release(struct prep *p)
{
	free(p->procs);
	free(p->acc);
	free(p->att);
	free(p->inb);
	free(p->act);
	free(p->dns);
	free(p->dnsa);
	free(p->names);
	free(p->reads);
	free(p->writes);
	free(p->deletes);
}

/* ---- the long lists ---- */

static int64_t ms(int64_t ns)
{
	return ns / 1000000;
}

static struct json_object *pid_list(const struct pidset *s)
{
	struct json_object *l = arr();
	uint32_t i;

	const int32_t *v = pidset_pids(s);

	for (i = 0; i < s->n; i++)
		push(l, jint(v[i]));
	return l;
}

static void gen_process_tree(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o, *execs, *e;
	const struct proc *p;
	uint32_t i, j;

	for (i = 0; i < a->nproc; i++) {
		p = &a->procs[pp->procs[i]];
		o = obj();
		add(o, "pid", jint(p->pid));
		add(o, "ppid", jint(p->ppid));
		add_str(o, "exe", a, p->exe);
		add_argv(o, "argv", a, p->argv);
		add(o, "argv_truncated", jbool(p->truncated));
		add_str(o, "working_dir", a, p->cwd);
		execs = arr();
		for (j = 0; j < p->nexec; j++) {
			e = obj();
			add_str(e, "exe", a, p->execs[j].exe);
			add_argv(e, "argv", a, p->execs[j].argv);
			add(e, "argv_truncated", jbool(p->execs[j].truncated));
			add_str(e, "cwd", a, p->execs[j].cwd);
			if (p->execs[j].other_ids) {
				add(e, "uid", jint(p->execs[j].uid));
				add(e, "gid", jint(p->execs[j].gid));
			}
			push(execs, e);
		}
		add(o, "execs", execs);
		add(o, "exit_code", p->has_code ? jint(p->code) : NULL);
		add(o, "signal", p->has_signal ? jint(p->signal) : NULL);
		add(o, "start_ms", jint(ms(p->start_ns)));
		add(o, "end_ms", p->end_ns >= 0 ? jint(ms(p->end_ns)) : NULL);
		list_add(l, o);
	}
}

static void gen_processes(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o;
	const struct proc *p;
	uint32_t i;

	for (i = 0; i < a->nproc; i++) {
		p = &a->procs[pp->procs[i]];
		o = obj();
		add(o, "pid", jint(p->pid));
		add(o, "ppid", jint(p->ppid));
		add(o, "cmd", jcmd(a, p->argv));
		list_add(l, o);
	}
}

static void gen_accesses(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o;
	const struct akey *k;
	uint32_t i;

	for (i = 0; i < a->acc.n; i++) {
		k = ktab_key(&a->acc, pp->acc[i]);
		o = obj();
		add_str(o, "path", a, k->path);
		if (k->seen)
			add_str(o, "path_seen", a, k->seen);
		if (k->status)
			add(o, "path_status", jcstr(path_status_names[k->status]));
		add(o, "op", jcstr(op_names[k->op]));
		if (k->target)
			add_str(o, "target", a, k->target);
		if (k->tseen)
			add_str(o, "target_seen", a, k->tseen);
		if (k->tstatus)
			add(o, "target_status", jcstr(path_status_names[k->tstatus]));
		if (k->has_mode)
			add(o, "mode", jint(k->mode));
		add(o, "result", jstr(a, k->result));
		add(o, "count", jint((int64_t)((struct counted *)ktab_val(&a->acc, pp->acc[i]))->count));
		add(o, "pids", pid_list(&((struct counted *)ktab_val(&a->acc, pp->acc[i]))->pids));
		list_add(l, o);
	}
}

static void gen_paths(struct agg *a, const uint32_t *v, uint32_t n,
		      struct list *l)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		list_add(l, jstr(a, v[i]));
}

static void gen_reads(struct agg *a, struct prep *pp, struct list *l)
{
	gen_paths(a, pp->reads, pp->nr, l);
}

static void gen_writes(struct agg *a, struct prep *pp, struct list *l)
{
	gen_paths(a, pp->writes, pp->nw, l);
}

static void gen_deletes(struct agg *a, struct prep *pp, struct list *l)
{
	gen_paths(a, pp->deletes, pp->nd, l);
}

static void gen_attempts(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o;
	const struct nkey *k;
	uint32_t i;

	for (i = 0; i < a->att.n; i++) {
		k = ktab_key(&a->att, pp->att[i]);
		o = obj();
		add_str(o, "dst", a, k->dst);
		add(o, "protocol", jstr(a, k->proto));
		add(o, "op", jcstr(nop_names[k->op]));
		add(o, "family", jstr(a, k->family));
		add(o, "result", jstr(a, k->result));
		if (k->raw)
			add_str(o, "addr_raw", a, k->raw);
		add(o, "count", jint((int64_t)((struct counted *)ktab_val(&a->att, pp->att[i]))->count));
		add(o, "pids", pid_list(&((struct counted *)ktab_val(&a->att, pp->att[i]))->pids));
		list_add(l, o);
	}
}

/* The address of a dst ("1.2.3.4:80", "[::1]:53"), interned. */
static uint32_t dst_addr(struct agg *a, uint32_t dst)
{
	const char *s = strtab_str(&a->str, dst), *c;
	size_t n = strtab_len(&a->str, dst);
	uint32_t id;

	if (n && s[0] == '[') {
		c = memchr(s, ']', n);
		s++;
		n = c ? (size_t)(c - s) : n - 1;
	} else if ((c = memrchr(s, ':', n))) {
		n = (size_t)(c - s);
	}
	id = strtab_intern(&a->str, s, n);
	if (!id)
		oom();
	return id;
}

/* A peer's bytes and the names DNS answered its address for. */
static void add_peer_facts(struct agg *a, struct prep *pp, struct json_object *o,
			   const struct nkey *k)
{
	struct pkey pk = { k->dst, k->proto };
	const struct pbytes *b;
	const struct nmkey *m;
	struct json_object *names = arr();
	uint32_t i, lo = 0, hi = a->names.n, addr;

	if (ktab_get(&a->peers, &pk, &i) < 0)
		oom();
	b = ktab_val(&a->peers, i);
	add(o, "bytes_sent", jint((int64_t)b->sent));
	add(o, "bytes_received", jint((int64_t)b->received));
	addr = dst_addr(a, k->dst);
	/* the first name entry of the address (sorted by address) */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		m = ktab_key(&a->names, pp->names[mid]);
		if (strtab_cmp(&a->str, m->addr, addr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < a->names.n; i++) {
		m = ktab_key(&a->names, pp->names[i]);
		if (m->addr != addr)
			break;
		push(names, jstr(a, m->name));
	}
	add(o, "names", names);
}

/* network.dns: each name and type asked, how often and by whom, and the
 * addresses answered. */
static void gen_dns(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o, *addrs;
	const struct dkey *k;
	const struct dakey *d;
	const struct counted *c;
	uint32_t i, j = 0;

	for (i = 0; i < a->dns.n; i++) {
		k = ktab_key(&a->dns, pp->dns[i]);
		c = ktab_val(&a->dns, pp->dns[i]);
		o = obj();
		add_str(o, "name", a, k->name);
		add(o, "type", jstr(a, k->type));
		add(o, "count", jint((int64_t)c->count));
		add(o, "pids", pid_list(&c->pids));
		addrs = arr();
		/* both lists are sorted by name and type first */
		for (; j < a->dnsa.n; j++) {
			d = ktab_key(&a->dnsa, pp->dnsa[j]);
			if (strtab_cmp(&a->str, d->name, k->name) > 0 ||
			    (d->name == k->name &&
			     strtab_cmp(&a->str, d->type, k->type) > 0))
				break;
			if (d->name == k->name && d->type == k->type)
				push(addrs, jstr(a, d->addr));
		}
		add(o, "addresses", addrs);
		list_add(l, o);
	}
}

/* One per distinct (dst, protocol) of the attempts, which are sorted by
 * those first; attempts without an address are not peers. */
static void gen_connections(struct agg *a, struct prep *pp, struct list *l)
{
	const struct nkey *k, *prev = NULL;
	struct json_object *o;
	uint32_t i;

	for (i = 0; i < a->att.n; i++) {
		k = ktab_key(&a->att, pp->att[i]);
		if (k->dst != pp->unknown &&
		    (!prev || prev->dst != k->dst || prev->proto != k->proto)) {
			o = obj();
			add_str(o, "dst", a, k->dst);
			add(o, "protocol", jstr(a, k->proto));
			add(o, "attempted", jbool(1));
			if (a->has_sock)
				add_peer_facts(a, pp, o, k);
			list_add(l, o);
		}
		prev = k;
	}
}

static void gen_inbound(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o;
	const struct nkey *k;
	uint32_t i;

	for (i = 0; i < a->inb.n; i++) {
		k = ktab_key(&a->inb, pp->inb[i]);
		o = obj();
		add(o, "op", jcstr(nop_names[k->op]));
		add_str(o, "addr", a, k->dst);
		add(o, "protocol", jstr(a, k->proto));
		add(o, "result", jstr(a, k->result));
		if (k->raw)
			add_str(o, "addr_raw", a, k->raw);
		add(o, "count", jint((int64_t)((struct counted *)ktab_val(&a->inb, pp->inb[i]))->count));
		add(o, "pids", pid_list(&((struct counted *)ktab_val(&a->inb, pp->inb[i]))->pids));
		list_add(l, o);
	}
}

/* Actions: sorted by their JSON text, then count and pids added. */
static void gen_actions(struct agg *a, struct prep *pp, struct list *l)
{
	struct json_object *o;
	const struct counted *c;
	uint32_t i, id;

	for (i = 0; i < a->act.n; i++) {
		id = *(const uint32_t *)ktab_key(&a->act, pp->act[i]);
		c = ktab_val(&a->act, pp->act[i]);
		o = json_tokener_parse(strtab_str(&a->str, id));
		if (!o)
			oom();
		add(o, "count", jint((int64_t)c->count));
		add(o, "pids", pid_list(&c->pids));
		list_add(l, o);
	}
}

/* ---- the skeleton ---- */

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A growing list of reasons (as many as there are kinds of them, and
 * more to come): where the next one goes. */
struct reasons {
	char **v;
	uint32_t n, cap;
};

static char **reason_next(struct reasons *rs)
{
	if (grow_array(&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v)) < 0)
		oom();
	return &rs->v[rs->n++];
}

static struct json_object *reasons(struct agg *a)
{
	struct json_object *l = arr();
	struct reasons rs = { NULL, 0, 0 };
	size_t i;
	const char *why;
	/* writes into /proc/PID/mem of processes outside the tree count as
	 * process_vm_writev does */
	int64_t und_foreign = a->und_foreign + (int64_t)agg_foreign_mem_writes(a);
	int64_t und_bpf = a->und_bpf > (int64_t)a->counts[GH_ET_BPF] ? a->und_bpf :
			  (int64_t)a->counts[GH_ET_BPF];

	if (!a->audit_active) {
		why = a->audit_reason ? strtab_str(&a->str, a->audit_reason) : NULL;
		if (asprintf(reason_next(&rs), why ? "audit unavailable: %s" : "audit unavailable",
			     why) < 0)
			oom();
	}
	if (!a->has_end && asprintf(reason_next(&rs), "stream ended without end record") < 0)
		oom();
	if (a->cut_line &&
	    asprintf(reason_next(&rs), "stream cut off inside a record at line %lu",
		     a->cut_line) < 0)
		oom();
	if (a->has_end) {
		if (a->lost_ringbuf &&
		    asprintf(reason_next(&rs), "lost %lld records: ring buffer full",
			     (long long)a->lost_ringbuf) < 0)
			oom();
		if (a->lost_missed &&
		    asprintf(reason_next(&rs), "%lld program runs skipped by the kernel "
			     "(recursion): records may be lost", (long long)a->lost_missed) < 0)
			oom();
		if (a->lost_fault &&
		    asprintf(reason_next(&rs), "lost %lld records: user memory fault",
			     (long long)a->lost_fault) < 0)
			oom();
		if (a->lost_truncated &&
		    asprintf(reason_next(&rs), "%lld records truncated",
			     (long long)a->lost_truncated) < 0)
			oom();
		if (a->stdout_err &&
		    asprintf(reason_next(&rs), "stdout capture incomplete: %s after %lld bytes",
			     strtab_str(&a->str, a->stdout_err),
			     (long long)a->stdout_bytes) < 0)
			oom();
		if (a->stderr_err &&
		    asprintf(reason_next(&rs), "stderr capture incomplete: %s after %lld bytes",
			     strtab_str(&a->str, a->stderr_err),
			     (long long)a->stderr_bytes) < 0)
			oom();
		/* channels used but not decoded: "NAME: what" */
		/* the counter, or the records when there are more: a root
		 * command can rewrite the counter through bpf() itself, but
		 * not take back the records already read */
		if (und_bpf &&
		    asprintf(reason_next(&rs), "bpf_syscall: %lld bpf() calls by the traced tree",
			     (long long)und_bpf) < 0)
			oom();
		if (a->und_compat &&
		    asprintf(reason_next(&rs), "compat_syscall: %lld 32-bit syscalls not decoded",
			     (long long)a->und_compat) < 0)
			oom();
		if (a->und_uring &&
		    asprintf(reason_next(&rs), "io_uring_unsupported_op: %lld io_uring operations "
			     "not decoded (opcodes %s)", (long long)a->und_uring,
			     a->uring_opcodes ? strtab_str(&a->str, a->uring_opcodes) : "?") < 0)
			oom();
		if (und_foreign &&
		    asprintf(reason_next(&rs), "foreign_process_control: %lld controls of processes "
			     "outside the traced tree", (long long)und_foreign) < 0)
			oom();
		if (a->und_left &&
		    asprintf(reason_next(&rs), "left_running: %lld processes still running when "
			     "gh-trace stopped waiting (--wait); what they did after is "
			     "not recorded", (long long)a->und_left) < 0)
			oom();
		if (a->und_path &&
		    asprintf(reason_next(&rs), "path_changed: %lld names changed while their "
			     "syscall ran: the recorded name may not be the one the "
			     "kernel used", (long long)a->und_path) < 0)
			oom();
		if (a->und_sockets &&
		    asprintf(reason_next(&rs), "unwatched_sockets: %lld inherited sockets beyond the "
			     "16 watched: sends on them are not recorded",
			     (long long)a->und_sockets) < 0)
			oom();
		if (a->und_scm &&
		    asprintf(reason_next(&rs), "scm_rights_unread: %lld received messages whose "
			     "descriptors (SCM_RIGHTS) were not all read: control data cut "
			     "or beyond the limits", (long long)a->und_scm) < 0)
			oom();
		if (a->und_seccomp &&
		    asprintf(reason_next(&rs), "seccomp_listener: %lld seccomp filters with a "
			     "listener: another process may answer the tree's syscalls "
			     "and install descriptors, unrecorded", (long long)a->und_seccomp) < 0)
			oom();
		if (a->und_netlink &&
		    asprintf(reason_next(&rs), "netlink_request: %lld netlink sends that may "
			     "change the kernel's configuration (addresses, routes, links, "
			     "firewall rules...) or were not read: not decoded",
			     (long long)a->und_netlink) < 0)
			oom();
		if ((uint64_t)a->events != a->records &&
		    asprintf(reason_next(&rs), "end record counts %lld records, stream has %llu",
			     (long long)a->events, (unsigned long long)a->records) < 0)
			oom();
	}
	if (a->pin_writes &&
	    asprintf(reason_next(&rs), "bpf_syscall: %llu changes under the tracer's bpf directory %s",
		     (unsigned long long)a->pin_writes, strtab_str(&a->str, a->pin_dir)) < 0)
		oom();
	if (a->output_writes &&
	    asprintf(reason_next(&rs), "stream_written: %llu changes of the event stream's "
		     "own file %s by the traced tree", (unsigned long long)a->output_writes,
		     strtab_str(&a->str, a->output)) < 0)
		oom();
	if (a->tty_injections &&
	    asprintf(reason_next(&rs), "tty_injection: %lld inputs pushed into a terminal "
		     "(TIOCSTI, TIOCLINUX paste): what reads them runs outside the "
		     "traced tree, after the run", (long long)a->tty_injections) < 0)
		oom();
	if (a->core_dumps &&
	    asprintf(reason_next(&rs), "core_dump: %lld processes dumped core: the file the "
		     "kernel wrote for them is not recorded", (long long)a->core_dumps) < 0)
		oom();
	if (a->und_fanotify &&
	    asprintf(reason_next(&rs), "fanotify_fds: %lld fanotify groups whose events carry "
		     "descriptors: files they open for the tree are not recorded",
		     (long long)a->und_fanotify) < 0)
		oom();
	if (a->und_family &&
	    asprintf(reason_next(&rs), "undecoded_socket: %lld sockets of families whose "
		     "peers and traffic are not decoded", (long long)a->und_family) < 0)
		oom();
	if (a->und_tun &&
	    asprintf(reason_next(&rs), "tun_device: %lld opens of the tun/tap driver "
		     "(/dev/net/tun) or nodes made for it: interfaces it makes and "
		     "packets written to it are not decoded", (long long)a->und_tun) < 0)
		oom();
	if (rs.n)
		qsort(rs.v, rs.n, sizeof(rs.v[0]), cmp_cstr);
	for (i = 0; i < rs.n; i++) {
		push(l, jcstr(rs.v[i]));
		free(rs.v[i]);
	}
	free(rs.v);
	return l;
}

static struct json_object *end_time(struct agg *a)
{
	int64_t ns = a->start_usec * 1000 + a->duration_ns;
	time_t sec = (time_t)(a->start_sec + ns / 1000000000);
	struct tm tm;
	char buf[64];

	if (!a->has_end || !gmtime_r(&sec, &tm))
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (long long)(ns % 1000000000 / 1000));
	return jcstr(buf);
}

static struct json_object *stdio(struct agg *a, uint32_t end_path,
				 int64_t bytes, uint32_t hdr_path)
{
	struct json_object *o;

	if (a->has_end ? !end_path : !hdr_path)
		return NULL;
	o = obj();
	add_str(o, "path", a, a->has_end ? end_path : hdr_path);
	add(o, "bytes", a->has_end ? jint(bytes) : NULL);
	return o;
}

/* outcome, and the top-level exit_code: from the end record, else from the
 * command's exit record. */
static struct json_object *outcome(struct agg *a, struct json_object **exit_code)
{
	struct json_object *o = obj();
	/* the header creates the command's process first */
	const struct proc *root = a->nproc ? &a->procs[0] : NULL;
	int has_code = a->has_code, has_signal = a->has_signal;
	int64_t code = a->code, signal = a->signal;
	char *err = NULL;

	if (!a->has_end) {
		has_code = root && root->exited && root->has_code;
		code = has_code ? root->code : 0;
		has_signal = root && root->exited && root->has_signal;
		signal = has_signal ? root->signal : 0;
	}
	add(o, "exit_code", has_code ? jint(code) : NULL);
	add(o, "signal", has_signal ? jint(signal) : NULL);
	if (root && !root->nexec && root->failed_err) {
		if (asprintf(&err, "cannot execute the command: %s",
			     strtab_str(&a->str, root->failed_err)) < 0)
			oom();
	} else if (a->end_err) {
		/* gh-trace found nothing to exec (no failed exec to see) */
		struct gh_buf name = GH_BUF_INIT;
		const char *e = strtab_str(&a->str, a->end_err);

		argv_each(a, a->argv, first_elem, &name);
		if (asprintf(&err, strcmp(e, "ENOENT") == 0 ? "command not found: %.*s" :
				   "cannot execute the command: %.*s: %s",
			     (int)name.len, name.p ? name.p : "", e) < 0)
			oom();
		gh_buf_release(&name);
	} else if (!a->has_end) {
		err = strdup("stream ended without end record");
		if (!err)
			oom();
	}
	add(o, "error", err ? jcstr(err) : NULL);
	free(err);
	*exit_code = has_code ? jint(code) : has_signal ? jint(128 + signal) : NULL;
	return o;
}

static struct json_object *provenance(struct agg *a)
{
	struct json_object *o = obj();

	add(o, "tool", jcstr("glasshouse"));
	add_str(o, "tool_version", a, a->tool_version);
	add(o, "events_schema", jint(a->schema));
	add_str(o, "host", a, a->host);
	add_str(o, "kernel", a, a->kernel);
	add_str(o, "bpf_object_sha256", a, a->bpf_object_sha256);
	add_str(o, "bpf_programs", a, a->bpf_programs);
	add_argv(o, "command", a, a->argv);
	add_str(o, "cwd", a, a->cwd);
	add(o, "uid", jint(a->uid));
	add(o, "gid", jint(a->gid));
	add(o, "run_uid", jint(a->run_uid));
	add(o, "run_gid", jint(a->run_gid));
	return o;
}

static struct json_object *counts(const uint64_t *c)
{
	struct json_object *o = obj();
	int t;

	for (t = 0; t < GH_ET_COUNT; t++)
		if (c[t])
			add(o, gh_ev_type_name(t), jint((int64_t)c[t]));
	return o;
}

static struct json_object *skeleton(struct agg *a, struct prep *pp)
{
	struct json_object *r = obj(), *o, *exit_code;
	int64_t duration_ns = a->has_end ? a->duration_ns : a->last_t;
	int closed;

	add(r, "version", jcstr(RECEIPT_VERSION));
	add_str(r, "execution_id", a, a->execution_id);
	add(r, "provenance", provenance(a));
	add_str(r, "timestamp", a, a->start);
	add_str(r, "start_time", a, a->start);
	add(r, "end_time", end_time(a));
	add(r, "observation_mode", jcstr(a->audit_active ? "ebpf" : "none"));
	o = reasons(a);
	closed = json_object_array_length(o) == 0;
	add(r, "completeness", jcstr(closed ? "closed" : "partial"));
	add(r, "completeness_reasons", o);
	o = obj();
	add(o, "ringbuf", a->has_end ? jint(a->lost_ringbuf) : NULL);
	add(o, "fault", a->has_end ? jint(a->lost_fault) : NULL);
	add(o, "truncated", a->has_end ? jint(a->lost_truncated) : NULL);
	add(r, "loss", o);
	add(r, "outcome", outcome(a, &exit_code));
	o = obj();
	add(o, "duration_ms", jint(ms(duration_ns)));
	add(o, "cpu_time_ms", a->has_end ? jint((a->utime_us + a->stime_us) / 1000) : NULL);
	add(r, "timing", o);
	add(r, "exit_code", exit_code);
	add(r, "duration_ms", jint(ms(duration_ns)));
	add(r, "process_tree", arr());
	add(r, "processes", arr());
	o = obj();
	add(o, "counts", counts(a->counts));
	add(o, "denied", counts(a->denied));
	add(r, "syscalls", o);
	o = obj();
	add(o, "runtime", jcstr("native"));
	add(o, "os", jcstr("linux"));
	add_str(o, "arch", a, a->arch);
	add(o, "sandbox", jcstr("none"));
	add(r, "environment", o);
	o = obj();
	add(o, "backend", jcstr("gh-trace/ebpf"));
	add(o, "isolation", jcstr("none"));
	add(r, "execution", o);
	o = obj();
	add(o, "stdout_hash", NULL);
	add(o, "stderr_hash", NULL);
	add(o, "stdout", stdio(a, a->end_stdout, a->stdout_bytes, a->hdr_stdout));
	add(o, "stderr", stdio(a, a->end_stderr, a->stderr_bytes, a->hdr_stderr));
	add(r, "artifacts", o);
	o = obj();
	add(o, "reads", arr());
	add(o, "writes", arr());
	add(o, "deletes", arr());
	add(o, "policy_violations", arr());
	add(o, "accesses", arr());
	add(o, "failed", jint((int64_t)pp->failed));
	add(o, "unresolved", jint((int64_t)a->unresolved));
	add(r, "filesystem", o);
	o = obj();
	add(o, "connections", arr());
	add(o, "attempts", arr());
	add(o, "inbound", arr());
	add(o, "bytes_sent", a->has_send || a->has_sock ?
		jint((int64_t)a->bytes_sent) : NULL);
	add(o, "bytes_received", a->has_sock ? jint((int64_t)a->bytes_received) : NULL);
	if (a->has_sock) {
		add(o, "dns", arr());
		add(o, "dns_malformed", jint((int64_t)a->dns_malformed));
	}
	add(r, "network", o);
	/* only when there are any: receipts of runs without them stay
	 * as they were */
	if (a->act.n)
		add(r, "actions", arr());
	o = obj();
	add(o, "cpu_time_ms", a->has_end ? jint((a->utime_us + a->stime_us) / 1000) : NULL);
	add(o, "max_rss_kb", a->has_end ? jint(a->maxrss_kb) : NULL);
	add(r, "resources", o);
	add(r, "redactions", arr());
	add(r, "policy", NULL);
	return r;
}

static struct json_object *skeleton_v0(struct agg *a)
{
	struct json_object *r = obj(), *o, *exit_code;
	int64_t duration_ns = a->has_end ? a->duration_ns : a->last_t;

	json_object_put(outcome(a, &exit_code));
	add_str(r, "execution_id", a, a->execution_id);
	add(r, "command", jcmd(a, a->argv));
	add(r, "exit_code", exit_code);
	add(r, "duration_ms", jint(ms(duration_ns)));
	add(r, "processes", arr());
	o = obj();
	add(o, "read", arr());
	add(o, "written", arr());
	add(r, "filesystem", o);
	o = obj();
	add(o, "connections", arr());
	add(r, "network", o);
	return r;
}

/* ---- writing ---- */

struct splice {
	const char *key;
	int level;
	void (*gen)(struct agg *a, struct prep *pp, struct list *l);
	size_t at;	/* offset of "[]" in the skeleton */
};

static int cmp_splice(const void *x, const void *y)
{
	const struct splice *s = x, *t = y;

	return s->at < t->at ? -1 : s->at > t->at;
}

/* Where the skeleton has "\n<indent>"KEY": []": a string cannot hold a raw
 * newline, so only the member itself matches. */
static size_t find_list(const struct gh_buf *sk, const char *key, int level)
{
	char pat[128];
	const char *at;
	int n;

	n = snprintf(pat, sizeof(pat), "\n%*s\"%s\": []", 2 * level, "", key);
	at = memmem(sk->p, sk->len, pat, (size_t)n);
	if (!at)
		gh_die(GH_EXIT_ERR, "internal error: no list \"%s\"", key);
	return (size_t)(at - sk->p) + (size_t)n - 2;
}

int receipt_write(FILE *f, struct agg *a, int v0)
{
	struct splice full[] = {
		{ "process_tree", 1, gen_process_tree, 0 },
		{ "processes", 1, gen_processes, 0 },
		{ "accesses", 2, gen_accesses, 0 },
		{ "reads", 2, gen_reads, 0 },
		{ "writes", 2, gen_writes, 0 },
		{ "deletes", 2, gen_deletes, 0 },
		{ "connections", 2, gen_connections, 0 },
		{ "attempts", 2, gen_attempts, 0 },
		{ "inbound", 2, gen_inbound, 0 },
		{ "actions", 1, gen_actions, 0 },
		{ "dns", 2, gen_dns, 0 },
	};
	struct splice old[] = {
		{ "processes", 1, gen_processes, 0 },
		{ "read", 2, gen_reads, 0 },
		{ "written", 2, gen_writes, 0 },
		{ "connections", 2, gen_connections, 0 },
	};
	struct splice *sp = v0 ? old : full;
	size_t nsp = v0 ? sizeof(old) / sizeof(old[0]) : sizeof(full) / sizeof(full[0]);
	struct out o = { f, GH_BUF_INIT, GH_BUF_INIT };
	struct gh_buf sk = GH_BUF_INIT;
	struct json_object *r;
	struct list l;
	struct prep pp;
	size_t i, j, pos = 0;

	prepare(a, &pp);
	r = v0 ? skeleton_v0(a) : skeleton(a, &pp);
	if (gh_json_to_buf(&sk, r, GH_JW_PRETTY) < 0)
		oom();
	json_object_put(r);
	/* lists present only when there are any */
	for (i = j = 0; i < nsp; i++)
		if (v0 || !((strcmp(sp[i].key, "actions") == 0 && !a->act.n) ||
			    (strcmp(sp[i].key, "dns") == 0 && !a->has_sock)))
			sp[j++] = sp[i];
	nsp = j;
	for (i = 0; i < nsp; i++)
		sp[i].at = find_list(&sk, sp[i].key, sp[i].level);
	qsort(sp, nsp, sizeof(*sp), cmp_splice);
	for (i = 0; i < nsp; i++) {
		out_add(&o, sk.p + pos, sp[i].at - pos);
		l = (struct list){ &o, sp[i].level, 0 };
		sp[i].gen(a, &pp, &l);
		list_end(&l);
		pos = sp[i].at + 2;
	}
	out_add(&o, sk.p + pos, sk.len - pos);
	out_add(&o, "\n", 1);
	out_flush(&o);
	gh_buf_release(&o.b);
	gh_buf_release(&o.el);
	gh_buf_release(&sk);
	prep_release(&pp);
	return 0;
}
