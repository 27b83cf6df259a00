/* gh-policy: the verdict as text lines, as a JSON object, and inside the
 * receipt. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy.h"
#include "term.h"

/* As on a terminal (lib/term): control bytes as \n, \t, \xHH, a backslash
 * as \\, C1 controls and the invisible characters that reorder text
 * (U+202E, ...) as \uHHHH, so that no item is shown as another. */
int esc_add(struct gh_buf *b, const char *s, size_t len)
{
	return gh_term_esc(b, s, len, 0);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int report_tally(const struct verdict *v, struct gh_buf *out)
{
	return gh_buf_printf(out, "%zu %s of %zu %s; %zu %s", v->ng,
			     plural(v->ng, "violation", "violations"), v->nrules,
			     plural(v->nrules, "rule", "rules"), v->items,
			     plural(v->items, "item", "items"));
}

/* One line per (rule, item) group, or per violation when verbose, then
 * the tally; nothing for a pass. */
int report_text(const struct verdict *v, int verbose, struct gh_buf *out)
{
	if (!v->n)
		return 0;
	for (size_t i = 0; i < (verbose ? v->n : v->ng); i++)
		if (gh_buf_adds(out, verbose ? v->v[i].message : v->g[i].message) < 0 ||
		    gh_buf_addc(out, '\n') < 0)
			return -ENOMEM;
	if (report_tally(v, out) < 0 || gh_buf_addc(out, '\n') < 0)
		return -ENOMEM;
	return 0;
}

/* Set when an allocation of the JSON verdict failed (report_json and
 * report_annotate then give nothing): json-c's constructors return NULL,
 * which its adders take for null or refuse with an assertion. */
static int report_oom;

/* o[key] = v, v a new value (NULL: its allocation failed). */
static void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		report_oom = 1;
	}
}

static void append(struct json_object *a, struct json_object *v)
{
	if (!a || !v || json_object_array_add(a, v) < 0) {
		json_object_put(v);
		report_oom = 1;
	}
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	if (s)
		add(o, key, json_object_new_string(s));
}

static const char *action(int kind)
{
	switch (kind) {
	case K_DENY:
	case K_DEFAULT_DENY:
		return "deny";
	case K_LIMIT:
		return "limit";
	default:
		return "require";
	}
}

static struct json_object *violation_json(const struct policy *p,
					  const struct violation *x)
{
	const struct rule *r = &p->rules[x->rule];
	struct json_object *o = json_object_new_object();

	add_str(o, "message", x->message);
	add_str(o, "file", r->file);
	add(o, "line", json_object_new_int64(r->line));
	add_str(o, "rule", r->text);
	add_str(o, "action", action(r->kind));
	add_str(o, "subject", x->subject ? x->subject : r->subject_word);
	add(o, "default", json_object_new_boolean(
				       r->kind == K_DEFAULT_DENY ||
				       x->rule < BUILTIN_RULES));
	add_str(o, "phase", "post");
	if (x->item) {
		add(o, "item", json_object_new_string_len(
					       x->item, x->item_len));
		add_str(o, "op", x->op);
		add_str(o, "result", x->result ? x->result : "ok");
		add_str(o, "protocol", x->proto);
		if (x->other)
			add_str(o, x->other_key, x->other);
		if (x->status) {
			/* judged by what it could be, not by its path */
			add_str(o, "path_status", x->status);
			add(o, "conservative",
					       json_object_new_boolean(1));
		}
	}
	if (x->has_pid) {
		add(o, "pid", json_object_new_int64(x->pid));
		if (x->cmd)
			add(o, "cmd", json_object_new_string_len(
						       x->cmd, x->cmd_len));
	}
	if (r->kind == K_LIMIT) {
		add(o, "limit", json_object_new_int64(r->max));
		if (x->value < 0) {
			if (!o || json_object_object_add(o, "value", NULL) < 0)
				report_oom = 1;
		} else {
			add(o, "value", json_object_new_int64(x->value));
		}
	}
	if (r->kind == K_REQUIRE_COMPLETE || r->kind == K_REQUIRE_SIGNED ||
	    r->kind == K_REQUIRE_AUDIT)
		add_str(o, "found", x->note);
	if (r->kind == K_REQUIRE_SIGNED && r->key[0])
		add_str(o, "key", r->key);
	return o;
}

struct json_object *report_json(const struct policy *p, const struct verdict *v,
				const char *rules_name)
{
	struct json_object *o = json_object_new_object();
	struct json_object *files = json_object_new_array();
	struct json_object *list = json_object_new_array();
	struct json_object *groups, *tally;

	report_oom = 0;
	if (!o || !files || !list) {
		json_object_put(o);
		json_object_put(files);
		json_object_put(list);
		return NULL;
	}
	add_str(o, "verdict", v->n ? "fail" : "pass");
	add(o, "failed", json_object_new_boolean(v->n != 0));
	add_str(o, "tool", "gh-policy");
	add_str(o, "tool_version", GH_VERSION);
	add_str(o, "rules", rules_name);
	add_str(o, "rules_sha256", p->nfiles ? p->files[0].sha256 : "");
	for (size_t i = 0; i < p->nfiles; i++) {
		struct json_object *f = json_object_new_object();

		add_str(f, "path", p->files[i].path);
		add_str(f, "sha256", p->files[i].sha256);
		append(files, f);
	}
	add(o, "rules_files", files);
	for (size_t i = 0; i < v->n; i++)
		append(list, violation_json(p, &v->v[i]));
	add(o, "violations", list);
	groups = json_object_new_array();
	tally = json_object_new_object();
	if (!groups || !tally) {
		json_object_put(groups);
		json_object_put(tally);
		json_object_put(o);
		return NULL;
	}
	for (size_t i = 0; i < v->ng; i++) {
		struct json_object *g = json_object_new_object();

		add_str(g, "message", v->g[i].message);
		add(g, "first", json_object_new_int64(v->g[i].first));
		add(g, "processes", json_object_new_int64(v->g[i].n));
		append(groups, g);
	}
	add(o, "groups", groups);
	add(tally, "violations", json_object_new_int64(v->ng));
	add(tally, "rules", json_object_new_int64(v->nrules));
	add(tally, "items", json_object_new_int64(v->items));
	add_str(tally, "message", "");
	{
		struct gh_buf b = GH_BUF_INIT;

		if (report_tally(v, &b) == 0 && b.p)
			add_str(tally, "message", b.p);
		else
			report_oom = 1;
		gh_buf_release(&b);
	}
	add(o, "tally", tally);
	if (report_oom) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct span {
	const char *s;
	size_t len;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int d = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return d ? d : (x->len > y->len) - (x->len < y->len);
}

int report_annotate(const struct policy *p, const struct verdict *v,
		    struct json_object *r, const char *rules_name)
{
	struct json_object *verdict = report_json(p, v, rules_name);
	struct json_object *fs, *paths;
	struct span *sp;
	size_t n = 0;

	if (!verdict)
		return -ENOMEM;
	add(r, "policy", verdict);
	if (report_oom)
		return -ENOMEM;
	if (!json_object_object_get_ex(r, "filesystem", &fs) ||
	    !json_object_is_type(fs, json_type_object))
		return 0;
	sp = calloc(v->n + 1, sizeof(*sp));
	paths = json_object_new_array();
	if (!sp || !paths) {
		free(sp);
		json_object_put(paths);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct rule *ru = &p->rules[v->v[i].rule];
		int s;

		if (!v->v[i].item)
			continue;
		for (s = 0; s < S_COUNT && !(ru->subjects & (1u << s)); s++)
			;
		if (s < S_COUNT && subject_family(s) == FAM_PATH) {
			sp[n].s = v->v[i].item;
			sp[n].len = v->v[i].item_len;
			n++;
		}
	}
	if (n)
		qsort(sp, n, sizeof(*sp), cmp_span);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_span(&sp[i - 1], &sp[i]) != 0)
			append(paths, json_object_new_string_len(
						      sp[i].s, sp[i].len));
	free(sp);
	add(fs, "policy_violations", paths);
	return report_oom ? -ENOMEM : 0;
}
