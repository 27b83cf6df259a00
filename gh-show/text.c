/* gh-show: the summary for a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "term.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

/* Lines each section may take in the summary, its "more" line included;
 * the process tree takes what is left of SUMMARY_LINES, at least
 * MIN_PROCS. */
enum { SUMMARY_LINES = 50, MIN_PROCS = 8, MAX_FILES = 11, MAX_NET = 7, MAX_FAILS = 7,
       MAX_HITS = 5 };

static void color(struct out *w, const char *c)
{
	if (w->o->color)
		out_add(w, c);
}

static void off(struct out *w)
{
	color(w, C_OFF);
}

static void esc(struct out *w, const char *s, size_t len, size_t max)
{
	if (gh_term_esc(w->b, s, len, max) < 0)
		w->err = -ENOMEM;
}

static void escs(struct out *w, const char *s, size_t max)
{
	esc(w, s ? s : "", s ? strlen(s) : 0, max);
}

/* s escaped (at most max characters), then blanks up to width columns:
 * words of the receipt's vocabulary (op, protocol, result) as printf's
 * "%-*s" would write them, anything else escaped. */
static void escpad(struct out *w, const char *s, size_t max, size_t width)
{
	size_t before = w->b->len, n;

	escs(w, s, max);
	n = w->b->len - before;
	if (n < width)
		out_addf(w, "%*s", (int)(width - n), "");
}

static void heading(struct out *w, const char *name)
{
	color(w, C_BOLD);
	out_addf(w, "%-11s", name);
	off(w);
}

/* "name[pid]" for the first of pids, " +N" for the others. */
static void who(struct out *w, const struct gh_jv *pids)
{
	size_t n = gh_receipt_len(pids), k;
	int64_t pid;

	if (!n)
		return;
	pid = gh_receipt_intv_get(pids, 0);
	k = model_proc(w->m, pid);
	out_add(w, "  ");
	color(w, C_DIM);
	if (k != NONE)
		esc(w, w->m->procs[k].name, w->m->procs[k].name_len, 24);
	out_addf(w, "[%lld]", (long long)pid);
	if (n > 1)
		out_addf(w, " +%zu", n - 1);
	off(w);
}

static void status_of(struct out *w, const struct sproc *p, int always)
{
	if (p->has_sig) {
		color(w, C_RED);
		out_addf(w, " [signal %lld]", (long long)p->sig);
		off(w);
	} else if (p->has_code && (p->code || always)) {
		if (p->code)
			color(w, C_RED);
		out_addf(w, " [exit %lld]", (long long)p->code);
		if (p->code)
			off(w);
	}
}

/* --- heading lines ----------------------------------------------------- */

static void run_lines(struct out *w)
{
	const struct gh_rrun *r = &w->m->run;
	const struct facts *f = &w->m->facts;

	heading(w, "command");
	esc(w, f->command.p ? f->command.p : "", f->command.len, w->o->width);
	out_add(w, "\n");
	heading(w, "exit");
	if (r->has_signal) {
		color(w, C_RED);
		out_addf(w, "killed by signal %lld", (long long)r->signal);
		off(w);
	} else if (r->has_exit_code) {
		if (r->exit_code)
			color(w, C_RED);
		out_addf(w, "%lld", (long long)r->exit_code);
		if (r->exit_code)
			off(w);
	} else {
		out_add(w, "unknown");
	}
	if (r->has_duration) {
		out_add(w, " after ");
		out_ms(w, r->duration_ms);
	}
	out_cpu(w);
	if (r->error) {
		out_add(w, ": ");
		color(w, C_RED);
		escs(w, r->error, 100);
		off(w);
	}
	out_add(w, "\n");
	heading(w, "record");
	if (f->record != REC_PARTIAL && f->record != REC_UNTRACED) {
		color(w, f->record == REC_COMPLETE ? C_GREEN : "");
		out_record_word(w);
		if (f->record == REC_COMPLETE)
			off(w);
		out_add(w, "\n");
		return;
	}
	color(w, C_RED);
	out_record_word(w);
	for (size_t k = 0; k < gh_receipt_len(r->reasons); k++) {
		size_t len;
		const char *s = gh_receipt_strv_get(r->reasons, k, &len);

		out_add(w, k ? "; " : ": ");
		esc(w, s, len, 120);
	}
	off(w);
	out_add(w, "\n");
}

/* --- processes --------------------------------------------------------- */

struct budget {
	long left;    /* lines that may still be written; < 0: no limit */
	long skipped; /* lines not written */
};

static int line_ok(struct budget *bu)
{
	if (bu->left == 0) {
		bu->skipped++;
		return 0;
	}
	if (bu->left > 0)
		bu->left--;
	return 1;
}

/* Folded lines of the tree, collected before printing: the summary drops
 * the deepest levels first. */
struct fline {
	int depth;
	size_t start, len; /* in the text buffer */
	size_t below;	   /* lines of its folded subtree */
};

struct flines {
	struct fline *v;
	size_t n, cap;
	struct gh_buf text;
};

struct fold_ctx {
	struct out *w;
	struct flines *fl;
	size_t *stack; /* the line of each open group, by depth */
	int cap;
};

static int enter_line(void *ctx, size_t proc, size_t count, int depth, size_t kids)
{
	struct fold_ctx *c = ctx;
	struct out *w = c->w;
	struct flines *fl = c->fl;
	const struct sproc *p = &w->m->procs[proc];
	struct gh_buf *saved = w->b;
	size_t me;

	(void)kids;
	if (fl->n == fl->cap) {
		size_t n = fl->cap ? 2 * fl->cap : 64;
		struct fline *x = realloc(fl->v, n * sizeof(*x));

		if (!x)
			return -ENOMEM;
		fl->v = x;
		fl->cap = n;
	}
	if (depth >= c->cap) {
		int n = 2 * depth + 8;
		size_t *x = realloc(c->stack, n * sizeof(*x));

		if (!x)
			return -ENOMEM;
		c->stack = x;
		c->cap = n;
	}
	me = fl->n++;
	c->stack[depth] = me;
	fl->v[me] = (struct fline){ depth, fl->text.len, 0, 0 };
	w->b = &fl->text;
	if (count > 1) {
		color(w, C_BOLD);
		out_addf(w, "%zux ", count);
		off(w);
	}
	esc(w, p->cmd, strlen(p->cmd), w->o->width > 2 * depth + 20 ? w->o->width - 2 * depth : 20);
	status_of(w, p, 0);
	w->b = saved;
	fl->v[me].len = fl->text.len - fl->v[me].start;
	return w->err;
}

/* A new line at depth, its text appended by the caller to fl->text. */
static struct fline *new_line(struct fold_ctx *c, int depth)
{
	struct flines *fl = c->fl;

	if (fl->n == fl->cap) {
		size_t n = fl->cap ? 2 * fl->cap : 64;
		struct fline *x = realloc(fl->v, n * sizeof(*x));

		if (!x)
			return NULL;
		fl->v = x;
		fl->cap = n;
	}
	fl->v[fl->n] = (struct fline){ depth, fl->text.len, 0, 0 };
	return &fl->v[fl->n++];
}

static int cut_line(void *ctx, int depth, size_t procs)
{
	struct fold_ctx *c = ctx;
	struct fline *l = new_line(c, depth);

	if (!l || gh_buf_printf(&c->fl->text, "... %zu more process%s below (gh-show --tree)",
				procs, procs == 1 ? "" : "es") < 0)
		return -ENOMEM;
	l->len = c->fl->text.len - l->start;
	return 0;
}

static int leave_line(void *ctx, int depth, size_t kids)
{
	struct fold_ctx *c = ctx;
	size_t me = c->stack[depth];

	(void)kids;
	c->fl->v[me].below = c->fl->n - me - 1;
	return 0;
}

static void fold(struct out *w, struct flines *fl, const size_t *v, size_t n, int depth)
{
	static const struct fold_ops ops = { enter_line, leave_line, cut_line };
	struct fold_ctx c = { w, fl, NULL, 0 };
	int rc = model_fold(w->m, v, n, depth, &ops, &c);

	if (rc < 0)
		w->err = rc;
	free(c.stack);
}

/* Print the folded lines: all of them when lines < 0, else the levels
 * that fit in lines (one of them kept for a "more" line), a line whose
 * children are cut saying how many lines it hides. */
static void print_fold(struct out *w, const struct flines *fl, long lines)
{
	int maxd = 0, cut;
	size_t i, shown = 0;

	for (i = 0; i < fl->n; i++)
		if (fl->v[i].depth > maxd)
			maxd = fl->v[i].depth;
	cut = maxd;
	while (lines >= 0 && cut > 2) {
		size_t k = 0;

		for (i = 0; i < fl->n; i++)
			k += fl->v[i].depth <= cut;
		if ((long)k <= lines)
			break;
		cut--;
	}
	for (i = 0; i < fl->n; i++) {
		const struct fline *l = &fl->v[i];

		if (l->depth > cut)
			continue;
		if (lines >= 0 && (long)shown >= lines - 1 && (long)shown < (long)fl->n) {
			/* even the top levels do not fit */
			size_t rest = 0;

			for (; i < fl->n; i++)
				rest += fl->v[i].depth <= cut;
			out_addf(w, "  ... %zu more line%s (gh-show --procs)\n", rest,
			     rest == 1 ? "" : "s");
			return;
		}
		out_addf(w, "%*s", 2 * l->depth, "");
		if (gh_buf_add(w->b, fl->text.p + l->start, l->len) < 0)
			w->err = -ENOMEM;
		if (l->depth == cut && l->below)
			out_addf(w, " (+%zu below)", l->below);
		out_add(w, "\n");
		shown++;
	}
}

/* Every process below root i, in order, each indented by its depth (at
 * most MODEL_FOLD_DEPTH levels, deeper ones saying their depth), walked
 * without recursion: a chain of processes can be as deep as it likes. */
static void whole_tree(struct out *w, size_t root, int depth)
{
	const struct model *m = w->m;
	/* (process, depth) pairs; each process is pushed once */
	size_t *st = malloc(2 * (m->nprocs + 1) * sizeof(*st)), top = 0;

	if (!st) {
		w->err = -ENOMEM;
		return;
	}
	st[top++] = root;
	st[top++] = (size_t)depth;
	while (top) {
		size_t d = st[--top], i = st[--top];
		const struct sproc *p = &m->procs[i];

		if (d > MODEL_FOLD_DEPTH)
			out_addf(w, "%*s[depth %zu] ", 2 * MODEL_FOLD_DEPTH, "", d);
		else
			out_addf(w, "%*s", 2 * (int)d, "");
		out_addf(w, "%lld ", (long long)p->pid);
		esc(w, p->cmd, strlen(p->cmd), 0);
		status_of(w, p, 1);
		if (!p->has_code && !p->has_sig)
			out_add(w, " [running at the end]");
		out_add(w, "\n");
		/* the first child on top */
		for (size_t k = p->nkids; k-- > 0;) {
			st[top++] = p->kids[k];
			st[top++] = d + 1;
		}
	}
	free(st);
}

/* lines: at most that many lines below the heading (< 0: all); tree:
 * unfolded */
static void procs_section(struct out *w, long lines, int tree)
{
	const struct model *m = w->m;
	struct flines fl = { 0 };
	size_t *v, n, distinct = 0;

	distinct = model_distinct(m);
	heading(w, "processes");
	out_addf(w, "%zu, %zu distinct command%s\n", m->nprocs, distinct, distinct == 1 ? "" : "s");
	n = model_roots(m, &v);
	if (!v) {
		w->err = -ENOMEM;
		return;
	}
	if (tree) {
		for (size_t i = 0; i < n; i++)
			whole_tree(w, v[i], 1);
	} else {
		fold(w, &fl, v, n, 1);
		print_fold(w, &fl, lines < 0 ? -1 : lines < MIN_PROCS ? MIN_PROCS : lines);
	}
	free(v);
	free(fl.v);
	gh_buf_release(&fl.text);
}

/* --- files ------------------------------------------------------------- */

static void counts(struct out *w, const size_t *c)
{
	int first = 1;

	for (int k = 0; k < E_KINDS; k++) {
		if (!c[k])
			continue;
		out_addf(w, "%s%zu %s", first ? "" : ", ", c[k], kind_name(k));
		first = 0;
	}
	if (first)
		out_add(w, "nothing");
}

static const char *short_kind(int k)
{
	return k == E_TRANSIENT ? "transient" : kind_name(k);
}

static size_t dir_len(const struct effect *e)
{
	size_t n = e->len;

	while (n > 0 && e->path[n - 1] != '/')
		n--;
	return n; /* with its '/' */
}

static void file_line(struct out *w, const struct effect *e, size_t dlen, int whole)
{
	color(w, e->kind == E_DELETED ? C_YELLOW : "");
	out_addf(w, "    %-10s", short_kind(e->kind));
	off(w);
	esc(w, e->path + dlen, e->len - dlen, 60);
	if (e->isdir)
		out_add(w, "/");
	/* a name the kernel did not resolve, and the process's own view */
	if (e->status || (whole && e->seen)) {
		out_add(w, " (");
		color(w, C_YELLOW);
		if (e->status)
			escs(w, e->status, 20);
		off(w);
		if (whole && e->seen) {
			out_add(w, e->status ? ", seen as " : "seen as ");
			esc(w, e->seen, e->seen_len, 80);
		}
		out_add(w, ")");
	}
	if (e->kind == E_RENAMED) {
		out_add(w, " -> ");
		if (e->target_len > dlen && memcmp(e->target, e->path, dlen) == 0 &&
		    !memchr(e->target + dlen, '/', e->target_len - dlen))
			esc(w, e->target + dlen, e->target_len - dlen, 60);
		else
			esc(w, e->target, e->target_len, 60);
	}
	if (e->folded && !whole)
		out_addf(w, " (+%zu inside)", e->folded);
	who(w, e->pids);
	out_add(w, "\n");
}

static void files_section(struct out *w, int whole)
{
	const struct model *m = w->m;
	struct budget bu = { whole ? -1 : MAX_FILES - 1, 0 };
	size_t total[E_KINDS] = { 0 }, i, last = NONE;

	for (int a = 0; a < A_AREAS; a++)
		for (int k = 0; k < E_KINDS; k++)
			total[k] += m->count[a][k];
	heading(w, "files");
	counts(w, total);
	out_add(w, "\n");
	if (!whole) {
		static const char *const names[] = { "workspace", "temporary" };

		for (int a = A_WORK; a <= A_TMP; a++) {
			size_t any = 0;

			for (int k = 0; k < E_KINDS; k++)
				any += m->count[a][k];
			if (!any || !line_ok(&bu))
				continue;
			out_addf(w, "  %s ", names[a]);
			if (a == A_WORK)
				escs(w, m->run.cwd, 50);
			else
				out_add(w, "dirs");
			out_add(w, ": ");
			counts(w, m->count[a]);
			out_add(w, "\n");
		}
	}
	for (i = 0; i < m->neff; i++) {
		const struct effect *e = &m->eff[i];
		size_t dl = dir_len(e);

		if (!whole && (e->hidden || e->area != A_OTHER))
			continue;
		if (last == NONE || dir_len(&m->eff[last]) != dl ||
		    memcmp(m->eff[last].path, e->path, dl) != 0) {
			if (line_ok(&bu)) {
				out_add(w, "  ");
				esc(w, e->path, dl, 70);
				out_add(w, "\n");
			}
		}
		last = i;
		if (line_ok(&bu))
			file_line(w, e, dl, whole);
	}
	if (bu.skipped)
		out_addf(w, "  ... %ld more line%s (gh-show --files)\n", bu.skipped, bu.skipped == 1 ? "" : "s");
}

/* --- network ----------------------------------------------------------- */

/* What names a peer: "NAME (ADDR)" with its first DNS name, "NAME +N
 * (ADDR)" when it has more, else the address. */
static void peer_label(struct gh_buf *b, const struct gh_rpeer *p, int *err)
{
	size_t n = gh_receipt_len(p->names), len;
	const char *s;
	int rc = 0;

	if (p->host || n) {
		s = p->host ? p->host : gh_receipt_strv_get(p->names, 0, &len);
		rc |= gh_term_esc(b, s, p->host ? strlen(s) : len, 40);
		if (!p->host && n > 1)
			rc |= gh_buf_printf(b, " +%zu", n - 1);
		rc |= gh_buf_adds(b, " (");
	}
	rc |= gh_term_esc(b, p->addr, strlen(p->addr), 50);
	if (p->host || n)
		rc |= gh_buf_adds(b, ")");
	if (rc < 0)
		*err = -ENOMEM;
}

static void peer_line(struct out *w, const struct gh_rpeer *p, int width, int bwidth)
{
	struct gh_buf label = GH_BUF_INIT;
	char bytes[64];

	peer_label(&label, p, &w->err);
	out_add(w, "  ");
	out_add(w, label.p ? label.p : "");
	out_addf(w, "%*s", label.len < (size_t)width ? (int)(width - label.len) : 0, "");
	gh_buf_release(&label);
	out_add(w, "  ");
	escpad(w, p->protocol ? p->protocol : "-", 16, 5);
	out_add(w, " ");
	escpad(w, p->op ? p->op : "-", 16, 8);
	out_add(w, " ");
	if (p->result && strcmp(p->result, "ok") != 0)
		color(w, C_YELLOW);
	escpad(w, p->result ? p->result : "(no result)", 24, 11);
	if (p->result && strcmp(p->result, "ok") != 0)
		off(w);
	if (p->count)
		out_addf(w, " x%-3lld", (long long)p->count);
	else if (p->pids)
		out_add(w, "     "); /* not recorded */
	if (bwidth) {
		peer_bytes(p, bytes, sizeof(bytes));
		out_addf(w, " %-*s", bwidth, bytes);
	}
	who(w, p->pids);
	/* no trailing blanks */
	while (w->b->len && w->b->p[w->b->len - 1] == ' ')
		w->b->p[--w->b->len] = '\0';
	out_add(w, "\n");
}

/* "dns  NAME TYPE -> ADDRESSES  xN  who" */
static void dns_line(struct out *w, const struct gh_rdns *d)
{
	size_t n = gh_receipt_len(d->addresses), len;

	out_add(w, "  dns ");
	escs(w, d->name, 60);
	out_add(w, " ");
	escs(w, d->type ? d->type : "-", 12);
	out_add(w, " -> ");
	if (!n)
		out_add(w, "(no address)");
	for (size_t k = 0; k < n; k++) {
		const char *a = gh_receipt_strv_get(d->addresses, k, &len);

		if (k == 4) {
			out_addf(w, " +%zu", n - k);
			break;
		}
		out_add(w, k ? " " : "");
		esc(w, a, len, 50);
	}
	if (d->count)
		out_addf(w, "  x%lld", (long long)d->count);
	who(w, d->pids);
	out_add(w, "\n");
}

/* The summary's one line of names asked: "names  a.example, b.example
 * (no address)", cut at about 90 columns. */
static void names_line(struct out *w)
{
	const struct model *m = w->m;
	struct gh_buf t = GH_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < m->ndns; i++) {
		const struct gh_rdns *d = &m->dns[i];
		size_t k = i, any = 0;

		if (i && strcmp(m->dns[i - 1].name, d->name) == 0)
			continue;
		/* its entries (one per type asked) are side by side */
		for (; k < m->ndns && strcmp(m->dns[k].name, d->name) == 0; k++)
			any += gh_receipt_len(m->dns[k].addresses);
		if (t.len)
			rc |= gh_buf_adds(&t, ", ");
		rc |= gh_buf_adds(&t, d->name);
		if (!any)
			rc |= gh_buf_adds(&t, " (no address)");
	}
	if (rc < 0) {
		w->err = -ENOMEM;
	} else {
		out_add(w, "  names    ");
		esc(w, t.p ? t.p : "", t.len, 88);
		out_add(w, "\n");
	}
	gh_buf_release(&t);
}

static void net_section(struct out *w, int whole)
{
	const struct model *m = w->m;
	struct budget bu = { whole ? -1 : MAX_NET - 1, 0 };
	size_t out = 0, in = 0, width = 0, i;
	int bwidth = 0;

	for (i = 0; i < m->npeers; i++) {
		struct gh_buf label = GH_BUF_INIT;
		char bytes[64];

		peer_label(&label, &m->peers[i], &w->err);
		m->peers[i].inbound ? in++ : out++;
		if (label.len > width && label.len <= 40)
			width = label.len;
		gh_buf_release(&label);
		peer_bytes(&m->peers[i], bytes, sizeof(bytes));
		if ((int)strlen(bytes) > bwidth)
			bwidth = (int)strlen(bytes);
	}
	heading(w, "network");
	out_addf(w, "%zu outbound, %zu inbound", out, in);
	if (m->has_bytes_received)
		out_addf(w, "; %lld bytes sent, %lld received",
			 (long long)(m->has_bytes_sent ? m->bytes_sent : 0),
			 (long long)m->bytes_received);
	else if (m->has_bytes_sent)
		out_addf(w, "; %lld bytes sent by sends with an address", (long long)m->bytes_sent);
	if (m->dns_names)
		out_addf(w, "; %zu name%s looked up", m->dns_names, m->dns_names == 1 ? "" : "s");
	out_add(w, "\n");
	if (!whole && m->ndns)
		bu.left--; /* the line of names, below */
	for (i = 0; i < m->npeers; i++)
		if (line_ok(&bu))
			peer_line(w, &m->peers[i], width, bwidth);
	for (i = 0; whole && i < m->ndns; i++)
		dns_line(w, &m->dns[i]);
	if (bu.skipped)
		out_addf(w, "  ... %ld more line%s (gh-show --net)\n", bu.skipped, bu.skipped == 1 ? "" : "s");
	if (!whole && m->ndns)
		names_line(w);
}

/* --- failures and secrets ---------------------------------------------- */

static void fail_section(struct out *w)
{
	const struct model *m = w->m;
	struct budget bu = { MAX_FAILS - 1, 0 };

	heading(w, "failures");
	if (m->nfails)
		color(w, C_RED);
	out_addf(w, "%zu that matter", m->nfails);
	if (m->nfails)
		off(w);
	if (m->noise)
		out_addf(w, "; %lld harmless lookups folded (not found, already there)",
		     (long long)m->noise);
	out_add(w, "\n");
	for (size_t i = 0; i < m->nfails; i++) {
		const struct failure *f = &m->fails[i];

		if (!line_ok(&bu))
			continue;
		if (f->kind == F_EXIT) {
			const struct sproc *p = &m->procs[f->proc];
			char st[32];

			if (p->has_sig)
				snprintf(st, sizeof(st), "signal %lld", (long long)p->sig);
			else
				snprintf(st, sizeof(st), "exit %lld", (long long)p->code);
			out_addf(w, "  %-11s", st);
			esc(w, p->cmd, strlen(p->cmd), 60);
			out_addf(w, "  ");
			color(w, C_DIM);
			esc(w, p->name, p->name_len, 24);
			out_addf(w, "[%lld]", (long long)p->pid);
			if (f->nprocs > 1)
				out_addf(w, " +%zu alike", f->nprocs - 1);
			off(w);
		} else if (f->kind == F_NOTFOUND) {
			out_addf(w, "  %-11s", "not found");
			out_add(w, "exec ");
			esc(w, f->name, f->name_len, 40);
			if (f->tries > 1)
				out_addf(w, " (%zu paths tried)", f->tries);
			who(w, m->files[f->file].pids);
		} else {
			const struct gh_rfile *x = &m->files[f->file];

			out_add(w, "  ");
			escpad(w, x->result, 11, 11);
			escs(w, x->op, 16);
			out_add(w, " ");
			esc(w, x->path, x->path_len, 60);
			if (x->count > 1)
				out_addf(w, " x%lld", (long long)x->count);
			who(w, x->pids);
		}
		out_add(w, "\n");
	}
	if (bu.skipped)
		out_addf(w, "  ... %ld more line%s\n", bu.skipped, bu.skipped == 1 ? "" : "s");
}

static void secret_section(struct out *w)
{
	const struct model *m = w->m;
	struct budget bu = { MAX_HITS - 1, 0 };

	heading(w, "sensitive");
	if (m->nhits) {
		color(w, C_RED);
		out_addf(w, "%zu access%s to secrets", m->nhits, m->nhits == 1 ? "" : "es");
		off(w);
	} else {
		out_add(w, "no known secret path touched");
	}
	out_add(w, "\n");
	for (size_t i = 0; i < m->nhits; i++) {
		const struct gh_rfile *x = &m->files[m->hits[i].file];
		struct gh_buf what = GH_BUF_INIT;

		if (!line_ok(&bu))
			continue;
		gh_buf_printf(&what, "%s%s%s", x->op,
			      x->result && strcmp(x->result, "ok") ? " " : "",
			      x->result && strcmp(x->result, "ok") ? x->result : "");
		out_add(w, "  ");
		escpad(w, what.p ? what.p : "", 39, 15);
		gh_buf_release(&what);
		esc(w, x->path, x->path_len, 60);
		who(w, x->pids);
		out_add(w, "\n");
	}
	if (bu.skipped)
		out_addf(w, "  ... %ld more line%s\n", bu.skipped, bu.skipped == 1 ? "" : "s");
}

/* Code mapped executable from outside /usr and /lib (map_exec): only
 * when there is some. */
static void code_section(struct out *w)
{
	const struct model *m = w->m;
	struct budget bu = { MAX_HITS - 1, 0 };

	if (!m->ncode)
		return;
	heading(w, "code");
	color(w, C_RED);
	out_addf(w, "%zu file%s mapped executable from outside /usr and /lib", m->ncode,
		 m->ncode == 1 ? "" : "s");
	off(w);
	out_addf(w, " (%zu mapped in all)\n", m->nmapped);
	for (size_t i = 0; i < m->ncode; i++) {
		const struct gh_rfile *x = &m->files[m->code[i]];

		if (!line_ok(&bu))
			continue;
		out_addf(w, "  %-15s", x->op);
		esc(w, x->path, x->path_len, 60);
		who(w, x->pids);
		out_add(w, "\n");
	}
	if (bu.skipped)
		out_addf(w, "  ... %ld more line%s\n", bu.skipped, bu.skipped == 1 ? "" : "s");
}

int show_text(struct gh_buf *b, const struct model *m, const struct show_opts *o)
{
	struct out w = { b, m, o, 0 };

	switch (o->section) {
	case SEC_FILES:
		files_section(&w, 1);
		break;
	case SEC_NET:
		net_section(&w, 1);
		break;
	case SEC_PROCS:
		procs_section(&w, -1, 0);
		break;
	case SEC_TREE:
		procs_section(&w, -1, 1);
		break;
	default: {
		/* the process tree gets the lines the other sections leave */
		struct gh_buf rest = GH_BUF_INIT;
		struct out w2 = { &rest, m, o, 0 };
		long lines = 0;

		run_lines(&w);
		files_section(&w2, 0);
		net_section(&w2, 0);
		fail_section(&w2);
		code_section(&w2);
		secret_section(&w2);
		for (size_t i = 0; i < b->len; i++)
			lines += b->p[i] == '\n';
		for (size_t i = 0; i < rest.len; i++)
			lines += rest.p[i] == '\n';
		procs_section(&w, SUMMARY_LINES - 1 - lines, 0);
		if (!w2.err && gh_buf_add(b, rest.p, rest.len) < 0)
			w.err = -ENOMEM;
		gh_buf_release(&rest);
		return w.err ? w.err : w2.err;
	}
	}
	return w.err;
}
