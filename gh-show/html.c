/* gh-show --html: one self-contained page. Nothing is fetched: styles and
 * the script are inline, and the page's Content-Security-Policy allows no
 * source at all besides them (the script by its SHA-256), so that even a
 * string escaped wrongly could not run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "show.h"
#include "term.h"

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
	"h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}"
	"code,td,summary,.leaf{font-family:ui-monospace,monospace;font-size:13px}"
	"table{border-collapse:collapse}th,td{text-align:left;padding:2px 8px;vertical-align:top}"
	"table.sortable th{cursor:pointer;background:#eee}table.sortable th:hover{background:#ddd}"
	"tr:nth-child(even) td{background:#f7f7f7}"
	".bad{color:#b00;font-weight:bold}.good{color:#070}.warn{color:#a60}"
	".facts th{color:#555;font-weight:normal}"
	".tree details{margin-left:1.2em}.tree .leaf{margin-left:2.4em}"
	".tree>details{margin-left:0}.count{font-weight:bold}"
	".who{color:#555}.seen{color:#555;font-size:12px}input[type=search]{margin:4px 0;width:20em}"
	"td,li,summary,.leaf,h1{overflow-wrap:anywhere}";

/* Filter rows by what they contain; sort by a column on a click on its
 * heading (numbers as numbers). Text goes through textContent only. */
static const char script[] =
	"(function(){"
	"document.querySelectorAll('input[data-filter]').forEach(function(inp){"
	"var t=document.getElementById(inp.getAttribute('data-filter'));"
	"inp.addEventListener('input',function(){var q=inp.value.toLowerCase();"
	"Array.prototype.forEach.call(t.tBodies[0].rows,function(r){"
	"r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});});"
	"document.querySelectorAll('table.sortable th').forEach(function(th){"
	"th.addEventListener('click',function(){"
	"var t=th.closest('table'),i=th.cellIndex,b=t.tBodies[0];"
	"var rows=Array.prototype.slice.call(b.rows);"
	"var dir=th.getAttribute('data-dir')==='asc'?-1:1;"
	"th.setAttribute('data-dir',dir>0?'asc':'desc');"
	"function v(r){var c=r.cells[i];return c.hasAttribute('data-v')?"
	"Number(c.getAttribute('data-v')):c.textContent;}"
	"rows.sort(function(x,y){var a=v(x),c=v(y);return a<c?-dir:a>c?dir:0;});"
	"rows.forEach(function(r){b.appendChild(r);});});});"
	"document.body.setAttribute('data-ready','1');"
	"})();";

/* Text for an element or an attribute: control characters made visible
 * as on a terminal, then & < > " ' as entities. */
static void esc(struct out *w, const char *s, size_t len)
{
	struct gh_buf t = GH_BUF_INIT;

	if (gh_term_esc(&t, s ? s : "", s ? len : 0, 0) < 0) {
		w->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < t.len; i++) {
		const char *e = NULL;

		switch (t.p[i]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		}
		if (e ? gh_buf_adds(w->b, e) < 0 : gh_buf_addc(w->b, t.p[i]) < 0)
			w->err = -ENOMEM;
	}
	gh_buf_release(&t);
}

static void escs(struct out *w, const char *s)
{
	esc(w, s, s ? strlen(s) : 0);
}

/* The longest command line a process cell's title holds, in bytes: a
 * cell is written for every row the process appears in, so a command
 * line of megabytes must not be copied into each. */
#define TITLE_MAX 512

/* cmd as a title attribute's value: cut at TITLE_MAX bytes (on a
 * character boundary) with "..." after. */
static void title_esc(struct out *w, const char *cmd)
{
	size_t n = cmd ? strlen(cmd) : 0;

	if (n <= TITLE_MAX) {
		esc(w, cmd, n);
		return;
	}
	n = TITLE_MAX;
	while (n > 0 && ((unsigned char)cmd[n] & 0xc0) == 0x80)
		n--;
	esc(w, cmd, n);
	out_add(w, "...");
}

/* A cell naming the processes: "name[pid]" each, with the command as
 * its title. */
static void who_cell(struct out *w, const struct gh_jv *pids)
{
	out_add(w, "<td class=\"who\">");
	for (size_t k = 0; k < gh_receipt_len(pids); k++) {
		int64_t pid = gh_receipt_intv_get(pids, k);
		size_t i = model_proc(w->m, pid);

		if (k)
			out_add(w, " ");
		if (i == NONE) {
			out_addf(w, "[%lld]", (long long)pid);
			continue;
		}
		out_add(w, "<span title=\"");
		title_esc(w, w->m->procs[i].cmd);
		out_add(w, "\">");
		esc(w, w->m->procs[i].name, w->m->procs[i].name_len);
		out_addf(w, "[%lld]</span>", (long long)pid);
	}
	out_add(w, "</td>");
}

static void status_span(struct out *w, const struct sproc *p)
{
	if (p->has_sig)
		out_addf(w, " <span class=\"bad\">[signal %lld]</span>", (long long)p->sig);
	else if (p->has_code && p->code)
		out_addf(w, " <span class=\"bad\">[exit %lld]</span>", (long long)p->code);
}

/* The filter box and the head of the sortable table ID, with the header
 * cells COLS (NULL-terminated); the caller may add cells, then
 * table_body() ends the head with the process column. */
static void table_open(struct out *w, const char *id, const char *const *cols)
{
	out_addf(w, "<input type=\"search\" data-filter=\"%s\" placeholder=\"filter\">\n"
		 "<table class=\"sortable\" id=\"%s\"><thead><tr>", id, id);
	for (; *cols; cols++)
		out_addf(w, "<th>%s</th>", *cols);
}

static void table_body(struct out *w)
{
	out_add(w, "<th>process</th></tr></thead>\n<tbody>\n");
}

/* A number cell, sorted by its value. */
static void num_cell(struct out *w, long long n)
{
	out_addf(w, "<td data-v=\"%lld\">%lld</td>", n, n);
}

/* A row's last cell, the processes that did it, and the row's end. */
static void row_end(struct out *w, const struct gh_jv *pids)
{
	who_cell(w, pids);
	out_add(w, "</tr>\n");
}

static void table_close(struct out *w)
{
	out_add(w, "</tbody></table>\n");
}

/* --- sections ---------------------------------------------------------- */

static void facts(struct out *w)
{
	const struct gh_rrun *r = &w->m->run;
	const struct facts *f = &w->m->facts;

	out_add(w, "<table class=\"facts\">\n<tr><th>command</th><td><code>");
	esc(w, f->command.p ? f->command.p : "", f->command.len);
	out_add(w, "</code></td></tr>\n<tr><th>exit</th><td>");
	if (r->has_signal)
		out_addf(w, "<span class=\"bad\">killed by signal %lld</span>", (long long)r->signal);
	else if (r->has_exit_code)
		out_addf(w, "<span class=\"%s\">%lld</span>", r->exit_code ? "bad" : "good",
			 (long long)r->exit_code);
	else
		out_add(w, "unknown");
	if (r->error) {
		out_add(w, " <span class=\"bad\">");
		escs(w, r->error);
		out_add(w, "</span>");
	}
	out_add(w, "</td></tr>\n<tr><th>duration</th><td>");
	if (r->has_duration)
		out_ms(w, r->duration_ms);
	out_cpu(w);
	out_add(w, "</td></tr>\n<tr><th>record</th><td id=\"completeness\">");
	if (f->record == REC_UNKNOWN) {
		out_record_word(w);
	} else if (f->record == REC_COMPLETE) {
		out_add(w, "<span class=\"good\">");
		out_record_word(w);
		out_add(w, "</span>");
	} else {
		out_add(w, "<span class=\"bad\">");
		out_record_word(w);
		for (size_t k = 0; k < gh_receipt_len(r->reasons); k++) {
			size_t len;
			const char *s = gh_receipt_strv_get(r->reasons, k, &len);

			out_add(w, k ? "; " : ": ");
			esc(w, s, len);
		}
		out_add(w, "</span>");
	}
	out_add(w, "</td></tr>\n</table>\n");
}

static int enter_node(void *ctx, size_t proc, size_t count, int depth, size_t kids)
{
	struct out *w = ctx;
	const struct sproc *p = &w->m->procs[proc];

	(void)depth;
	out_add(w, kids ? "<details open><summary>" : "<div class=\"leaf\">");
	if (count > 1)
		out_addf(w, "<span class=\"count\">%zux</span> ", count);
	esc(w, p->cmd, strlen(p->cmd));
	status_span(w, p);
	out_add(w, kids ? "</summary>\n" : "</div>\n");
	return w->err;
}

static int leave_node(void *ctx, int depth, size_t kids)
{
	struct out *w = ctx;

	(void)depth;
	if (kids)
		out_add(w, "</details>\n");
	return w->err;
}

static int cut_node(void *ctx, int depth, size_t procs)
{
	struct out *w = ctx;

	(void)depth;
	out_addf(w, "<div class=\"leaf\">... %zu more process%s below (gh-show --tree)</div>\n",
		 procs, procs == 1 ? "" : "es");
	return w->err;
}

static void procs(struct out *w)
{
	static const struct fold_ops ops = { enter_node, leave_node, cut_node };
	size_t *v, n = model_roots(w->m, &v);
	int rc;

	out_addf(w, "<h2>Processes (%zu)</h2>\n<div class=\"tree\" id=\"procs\">\n", w->m->nprocs);
	if (!v) {
		w->err = -ENOMEM;
		return;
	}
	rc = model_fold(w->m, v, n, 1, &ops, w);
	if (rc < 0)
		w->err = rc;
	free(v);
	out_add(w, "</div>\n");
}

/* After a path: its status when the kernel did not resolve it, and the
 * path as the process saw it when that differs. */
static void path_view(struct out *w, const char *status, const char *seen, size_t seen_len)
{
	if (path_mark(status)) {
		out_add(w, " <span class=\"warn\">(");
		escs(w, status);
		out_add(w, ")</span>");
	}
	if (seen) {
		out_add(w, "<br><span class=\"seen\">seen as ");
		esc(w, seen, seen_len);
		out_add(w, "</span>");
	}
}

static void effects(struct out *w)
{
	const struct model *m = w->m;
	static const char *const cols[] = { "effect", "where", "path", "to", NULL };

	out_addf(w, "<h2>Left behind (%zu paths)</h2>\n", m->neff);
	table_open(w, "effects", cols);
	table_body(w);
	for (size_t i = 0; i < m->neff; i++) {
		const struct effect *e = &m->eff[i];
		static const char *const areas[] = { "workspace", "temporary", "elsewhere" };

		out_addf(w, "<tr><td>%s</td><td>%s</td><td>", kind_name(e->kind), areas[e->area]);
		esc(w, e->path, e->len);
		if (e->isdir)
			out_add(w, "/");
		path_view(w, e->status, e->seen, e->seen_len);
		out_add(w, "</td><td>");
		if (e->target)
			esc(w, e->target, e->target_len);
		out_add(w, "</td>");
		row_end(w, e->pids);
	}
	table_close(w);
}

static void accesses(struct out *w)
{
	const struct model *m = w->m;
	static const char *const cols[] = { "path", "op", "result", "count", "target", NULL };

	out_addf(w, "<h2>File accesses (%zu)</h2>\n", m->nfiles);
	table_open(w, "files", cols);
	table_body(w);
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct gh_rfile *f = &m->files[i];
		int ok = f->result && strcmp(f->result, "ok") == 0;

		out_add(w, "<tr><td>");
		esc(w, f->path, f->path_len);
		path_view(w, f->path_status, f->path_seen, f->path_seen_len);
		out_add(w, "</td><td>");
		escs(w, f->op);
		out_addf(w, "</td><td%s>", ok ? "" : " class=\"warn\"");
		escs(w, f->result);
		out_add(w, "</td>");
		num_cell(w, (long long)f->count);
		out_add(w, "<td>");
		if (f->target)
			esc(w, f->target, f->target_len);
		out_add(w, "</td>");
		row_end(w, f->pids);
	}
	table_close(w);
}

/* Strings of an array joined by ", ". */
static void esc_list(struct out *w, const struct gh_jv *v)
{
	for (size_t k = 0; k < gh_receipt_len(v); k++) {
		size_t len;
		const char *s = gh_receipt_strv_get(v, k, &len);

		if (k)
			out_add(w, ", ");
		esc(w, s, len);
	}
}

static void peers(struct out *w)
{
	const struct model *m = w->m;
	static const char *const cols[] = { "address", "name", "protocol", "op", "result",
					    "count", NULL };
	static const char *const dns_cols[] = { "name", "type", "addresses", "count", NULL };
	int bytes = m->has_bytes_received;

	for (size_t i = 0; i < m->npeers; i++)
		bytes |= m->peers[i].has_bytes;
	out_addf(w, "<h2>Network peers (%zu)</h2>\n", m->npeers);
	if (m->has_bytes_received)
		out_addf(w, "<p id=\"bytes\">%lld bytes sent, %lld bytes received in all.</p>\n",
			 (long long)(m->has_bytes_sent ? m->bytes_sent : 0),
			 (long long)m->bytes_received);
	else if (m->has_bytes_sent)
		out_addf(w, "<p>%lld bytes sent by sends with an address; bytes on connected "
		     "sockets are not measured.</p>\n", (long long)m->bytes_sent);
	table_open(w, "peers", cols);
	if (bytes)
		out_add(w, "<th>bytes out</th><th>bytes in</th>");
	table_body(w);
	for (size_t i = 0; i < m->npeers; i++) {
		const struct gh_rpeer *p = &m->peers[i];
		int ok = p->result && strcmp(p->result, "ok") == 0;

		out_add(w, "<tr><td>");
		escs(w, p->addr);
		out_add(w, "</td><td>");
		if (p->host)
			escs(w, p->host);
		else
			esc_list(w, p->names);
		out_add(w, "</td><td>");
		escs(w, p->protocol);
		out_add(w, "</td><td>");
		escs(w, p->op ? p->op : p->inbound ? "inbound" : "");
		out_addf(w, "</td><td%s>", ok ? "" : " class=\"warn\"");
		escs(w, p->result);
		out_add(w, "</td>");
		num_cell(w, (long long)p->count);
		if (bytes && p->has_bytes) {
			num_cell(w, (long long)p->bytes_sent);
			num_cell(w, (long long)p->bytes_received);
		} else if (bytes) {
			out_add(w, "<td data-v=\"-1\"></td><td data-v=\"-1\"></td>");
		}
		row_end(w, p->pids);
	}
	table_close(w);
	if (!m->ndns)
		return;
	out_addf(w, "<h2>Names looked up (%zu)</h2>\n", m->dns_names);
	table_open(w, "dns", dns_cols);
	table_body(w);
	for (size_t i = 0; i < m->ndns; i++) {
		const struct gh_rdns *d = &m->dns[i];

		out_add(w, "<tr><td>");
		escs(w, d->name);
		out_add(w, "</td><td>");
		escs(w, d->type);
		out_add(w, "</td><td>");
		esc_list(w, d->addresses);
		out_add(w, "</td>");
		num_cell(w, (long long)d->count);
		row_end(w, d->pids);
	}
	table_close(w);
}

static void failures(struct out *w)
{
	const struct model *m = w->m;

	out_addf(w, "<h2>Failures that matter (%zu)</h2>\n", m->nfails);
	if (m->noise)
		out_addf(w, "<p>%lld harmless lookups folded (not found, already there).</p>\n",
		     (long long)m->noise);
	out_add(w, "<ul id=\"failures\">\n");
	for (size_t i = 0; i < m->nfails; i++) {
		const struct failure *f = &m->fails[i];

		out_add(w, "<li><code>");
		if (f->kind == F_EXIT) {
			const struct sproc *p = &m->procs[f->proc];

			esc(w, p->cmd, strlen(p->cmd));
			status_span(w, p);
			out_addf(w, " [%lld]", (long long)p->pid);
			if (f->nprocs > 1)
				out_addf(w, " and %zu alike", f->nprocs - 1);
		} else if (f->kind == F_NOTFOUND) {
			out_add(w, "not found: exec ");
			esc(w, f->name, f->name_len);
			out_addf(w, " (%zu paths tried)", f->tries);
		} else {
			const struct gh_rfile *x = &m->files[f->file];

			escs(w, x->result);
			out_add(w, " ");
			escs(w, x->op);
			out_add(w, " ");
			esc(w, x->path, x->path_len);
		}
		out_add(w, "</code></li>\n");
	}
	out_add(w, "</ul>\n");
}

static void secrets(struct out *w)
{
	const struct model *m = w->m;

	out_addf(w, "<h2>Sensitive paths (%zu)</h2>\n<ul id=\"sensitive\">\n", m->nhits);
	for (size_t i = 0; i < m->nhits; i++) {
		const struct gh_rfile *x = &m->files[m->hits[i].file];

		out_add(w, "<li><code class=\"bad\">");
		escs(w, x->op);
		if (x->result && strcmp(x->result, "ok") != 0) {
			out_add(w, " ");
			escs(w, x->result);
		}
		out_add(w, " ");
		esc(w, x->path, x->path_len);
		out_add(w, "</code> (");
		escs(w, m->hits[i].pattern);
		out_add(w, ")</li>\n");
	}
	out_add(w, "</ul>\n");
}

int show_html(struct gh_buf *b, const struct model *m, const char *title)
{
	struct out w = { b, m, NULL, 0 };
	unsigned char md[GH_SHA256_LEN];
	struct gh_buf hash = GH_BUF_INIT;

	if (gh_sha256(script, strlen(script), md) < 0 ||
	    gh_base64_encode(&hash, md, sizeof(md)) < 0) {
		gh_buf_release(&hash);
		return -ENOMEM;
	}
	out_add(&w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'sha256-");
	out_add(&w, hash.p);
	gh_buf_release(&hash);
	out_add(&w, "'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>gh-show: ");
	escs(&w, title);
	out_add(&w, "</title>\n<style>");
	out_add(&w, style);
	out_add(&w, "</style>\n</head>\n<body>\n<h1>Receipt <code>");
	escs(&w, title);
	out_add(&w, "</code></h1>\n");
	facts(&w);
	procs(&w);
	effects(&w);
	peers(&w);
	failures(&w);
	secrets(&w);
	accesses(&w);
	out_add(&w, "<script>");
	out_add(&w, script);
	out_add(&w, "</script>\n</body>\n</html>\n");
	return w.err;
}
