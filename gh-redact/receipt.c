/* Redacting one receipt: the strings that lib/receipt says may hold
 * paths, command lines, environments or secrets (gh_receipt_strings, for
 * every receipt shape) are rewritten in a json-c copy of it; then the
 * sweep for masked secrets, and keeping the lists gh_receipt_lists names
 * sorted. */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "receipt.h"
#include "redact.h"

struct visited {
	struct json_object *s;
	struct json_object *parent; /* object holding it as a member, or NULL */
	const char *key;
	int list;
};

/* A process's command line before and after, to rebuild its "cmd". */
struct cmdline {
	size_t index;
	int64_t pid;
	char *before, *after;
	struct tally tally;
};

struct walk {
	struct redactor *r;
	struct json_object *root;
	struct gh_buf out;
	struct spans sp;
	struct visited *v;
	size_t nv, capv;
	int dirty[GH_RLIST_COUNT];
	struct cmdline *cmds;
	size_t ncmds, capcmds;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct walk *w,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, w->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int nomem(struct walk *w)
{
	return fail(w, "out of memory");
}


static int cmp_value(struct json_object *a, struct json_object *b)
{
	const char *x, *y;
	size_t lx, ly;
	int c;

	/* An absent member sorts first; integers by value. */
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (json_object_is_type(a, json_type_int) &&
	    json_object_is_type(b, json_type_int)) {
		int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);

		return x < y ? -1 : x > y;
	}
	if (!json_object_is_type(a, json_type_string) ||
	    !json_object_is_type(b, json_type_string))
		return 0;
	x = json_object_get_string(a);
	y = json_object_get_string(b);
	lx = json_object_get_string_len(a);
	ly = json_object_get_string_len(b);
	c = memcmp(x, y, lx < ly ? lx : ly);
	if (c)
		return c;
	return lx < ly ? -1 : lx > ly;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *m = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &m);
	return m;
}

/* ---- one string ---- */

static int remember_visit(struct walk *w, struct json_object *s,
			  struct json_object *parent, const char *key, int list)
{
	if (w->nv == w->capv) {
		size_t cap = w->capv ? 2 * w->capv : 256;
		struct visited *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->capv = cap;
	}
	w->v[w->nv++] = (struct visited){ s, parent, key, list };
	return 0;
}

/* Write the spans in w->sp into s. */
static int rewrite(struct walk *w, struct json_object *s,
		   struct json_object *parent, const char *key, int list,
		   struct tally *t)
{
	int n;

	if (!w->sp.n)
		return 0;
	n = spans_apply(w->r, json_object_get_string(s),
			json_object_get_string_len(s), &w->sp, &w->out,
			t ? t : &w->r->tally);
	w->sp.n = 0;
	if (n < 0)
		return nomem(w);
	if (n > 0) {
		if (json_object_set_string_len(s, w->out.p, (int)w->out.len) != 1)
			return nomem(w);
		w->dirty[list] = 1;
		if (parent && key) {
			/* A raw-bytes sibling would give the original back. */
			char hex[64];

			snprintf(hex, sizeof(hex), "%s" GH_RECEIPT_HEX_SUFFIX, key);
			json_object_object_del(parent, hex);
		}
	}
	return n;
}

/* Shift spans added from index from on by off bytes. */
static void shift(struct spans *sp, size_t from, size_t off)
{
	for (; from < sp->n; from++) {
		sp->v[from].start += off;
		sp->v[from].end += off;
	}
}

static int do_string(struct walk *w, struct json_object *s, int kind,
		     struct json_object *parent, const char *key, int list)
{
	const char *p = json_object_get_string(s);
	size_t n = json_object_get_string_len(s);
	int ret = 0;

	if (remember_visit(w, s, parent, key, list) < 0)
		return nomem(w);
	w->sp.n = 0;
	switch (kind) {
	case GH_RSTR_PATH:
		ret = detect_path(w->r, p, n, &w->sp);
		break;
	case GH_RSTR_TEXT:
		ret = detect_text(w->r, p, n, &w->sp);
		break;
	case GH_RSTR_ADDR:
		/* "unix:/path", "unix:@name" or a plain path; addresses and
		 * ports are not masked. */
		if (n > 5 && !memcmp(p, "unix:", 5)) {
			ret = detect_path(w->r, p + 5, n - 5, &w->sp);
			shift(&w->sp, 0, 5);
		} else if (n && p[0] == '/') {
			ret = detect_path(w->r, p, n, &w->sp);
		}
		break;
	}
	if (ret < 0)
		return nomem(w);
	return rewrite(w, s, parent, key, list, NULL);
}

/* Every string value below o, as free text. (No parent is passed on: a
 * "_hex" sibling must not be deleted while its object is being walked.) */
static int do_tree(struct walk *w, struct json_object *o, int list)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		return do_string(w, o, GH_RSTR_TEXT, NULL, NULL, list);
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (do_tree(w, json_object_array_get_idx(o, i), list) < 0)
				return -1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (v && do_tree(w, v, list) < 0)
				return -1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

static int do_cmdline(struct walk *w, struct json_object *cmd,
		      struct json_object *parent, const char *key);

/* gh-policy's verdict: every string as free text, but the command lines
 * it copied from the receipt (a violation's cmd, and the message that
 * ends with it) as command lines, so that a secret option's value is
 * masked there as in argv, whatever its length (the sweep of masked
 * values elsewhere only looks for values of SWEEP_MIN bytes or more).
 * (No parent: see do_tree.) */
static int do_verdict(struct walk *w, struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (do_verdict(w, json_object_array_get_idx(o, i)) < 0)
				return -1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			int rc;

			if (!v)
				continue;
			if (json_object_is_type(v, json_type_string) &&
			    (strcmp(k, "cmd") == 0 || strcmp(k, "message") == 0))
				rc = do_cmdline(w, v, NULL, NULL);
			else
				rc = do_verdict(w, v);
			if (rc < 0)
				return -1;
		}
		return 0;
	}
	default:
		return do_tree(w, o, GH_RLIST_NONE);
	}
}

/* An environment: {"NAME": "VALUE"} or ["NAME=VALUE", ...]. */
static int do_env(struct walk *w, struct json_object *env)
{
	size_t i, n;

	if (json_object_is_type(env, json_type_object)) {
		json_object_object_foreach(env, k, v) {
			if (!v || !json_object_is_type(v, json_type_string))
				continue;
			if (remember_visit(w, v, NULL, NULL, GH_RLIST_NONE) < 0)
				return nomem(w);
			w->sp.n = 0;
			if (detect_env(w->r, k, strlen(k), json_object_get_string(v),
				       json_object_get_string_len(v), &w->sp) < 0 ||
			    detect_text(w->r, json_object_get_string(v),
					json_object_get_string_len(v), &w->sp) < 0)
				return nomem(w);
			if (rewrite(w, v, NULL, NULL, GH_RLIST_NONE, NULL) < 0)
				return -1;
		}
	} else if (json_object_is_type(env, json_type_array)) {
		n = json_object_array_length(env);
		for (i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(env, i);

			if (!v || !json_object_is_type(v, json_type_string))
				continue;
			if (remember_visit(w, v, NULL, NULL, GH_RLIST_NONE) < 0)
				return nomem(w);
			w->sp.n = 0;
			if (detect_env(w->r, NULL, (size_t)-1,
				       json_object_get_string(v),
				       json_object_get_string_len(v), &w->sp) < 0 ||
			    detect_text(w->r, json_object_get_string(v),
					json_object_get_string_len(v), &w->sp) < 0)
				return nomem(w);
			if (rewrite(w, v, NULL, NULL, GH_RLIST_NONE, NULL) < 0)
				return -1;
		}
	}
	return 0;
}

/* KEY_hex, beside an array KEY, holds the raw bytes of elements that are
 * not valid UTF-8 (null for the others): element i was rewritten, so its
 * raw bytes go, and the whole member when nothing is left in it. */
static void drop_hex_item(struct json_object *o, const char *key, size_t i)
{
	struct json_object *hex;
	char name[64];
	size_t k, n;

	snprintf(name, sizeof(name), "%s" GH_RECEIPT_HEX_SUFFIX, key);
	hex = get(o, name);
	if (!hex)
		return;
	if (!json_object_is_type(hex, json_type_array)) {
		json_object_object_del(o, name);
		return;
	}
	n = json_object_array_length(hex);
	if (i < n)
		json_object_array_put_idx(hex, i, NULL);
	for (k = 0; k < n; k++)
		if (json_object_array_get_idx(hex, k))
			return;
	json_object_object_del(o, name);
}

/* The argv array a, member key of o, run in cwd (may be NULL). When cl
 * is given, it receives the command line joined by spaces before and
 * after. */
static int do_argv(struct walk *w, struct json_object *o, struct json_object *a,
		   const char *key, const char *cwd, const char *where,
		   struct cmdline *cl)
{
	struct spans *sps = NULL;
	const char **argv = NULL;
	size_t *lens = NULL, i, n;
	struct gh_buf before = GH_BUF_INIT, after = GH_BUF_INIT;
	struct tally t = { 0 };
	int changed, ret = -1;

	n = json_object_array_length(a);
	sps = calloc(n + 1, sizeof(*sps));
	argv = calloc(n + 1, sizeof(*argv));
	lens = calloc(n + 1, sizeof(*lens));
	if (!sps || !argv || !lens) {
		nomem(w);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string)) {
			fail(w, "%s.%s[%zu]: expected a string", where, key, i);
			goto out;
		}
		argv[i] = json_object_get_string(s);
		lens[i] = json_object_get_string_len(s);
		if (cl && ((i && gh_buf_addc(&before, ' ') < 0) ||
			   gh_buf_add(&before, argv[i], lens[i]) < 0)) {
			nomem(w);
			goto out;
		}
	}
	if (detect_argv(w->r, argv, lens, n, cwd, sps) < 0) {
		nomem(w);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);

		if (remember_visit(w, s, NULL, NULL, GH_RLIST_NONE) < 0) {
			nomem(w);
			goto out;
		}
		w->sp.n = 0;
		/* Hand element i's spans to rewrite(). */
		{
			struct spans tmp = w->sp;

			w->sp = sps[i];
			sps[i] = tmp;
		}
		changed = rewrite(w, s, NULL, NULL, GH_RLIST_NONE, &t);
		if (changed < 0)
			goto out;
		if (changed)
			drop_hex_item(o, key, i);
		if (cl && ((i && gh_buf_addc(&after, ' ') < 0) ||
			   gh_buf_add(&after, json_object_get_string(s),
				      json_object_get_string_len(s)) < 0)) {
			nomem(w);
			goto out;
		}
	}
	if (tally_merge(&w->r->tally, &t) < 0) {
		nomem(w);
		goto out;
	}
	if (cl) {
		cl->before = before.p ? before.p : strdup("");
		cl->after = after.p ? after.p : strdup("");
		before.p = after.p = NULL;
		cl->tally = t;
		t = (struct tally){ 0 };
		if (!cl->before || !cl->after) {
			nomem(w);
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; sps && i <= n; i++)
		spans_release(&sps[i]);
	free(sps);
	free(argv);
	free(lens);
	gh_buf_release(&before);
	gh_buf_release(&after);
	tally_release(&t);
	return ret;
}

/* A command line written as one string: paths, secrets, and the words of
 * the shell command it holds. */
static int do_cmdline(struct walk *w, struct json_object *cmd,
		      struct json_object *parent, const char *key)
{
	const char *argv[1] = { json_object_get_string(cmd) };
	size_t lens[1] = { json_object_get_string_len(cmd) };
	struct spans sps[1] = { { 0 } };

	if (remember_visit(w, cmd, parent, key, GH_RLIST_NONE) < 0 ||
	    detect_argv(w->r, argv, lens, 1, NULL, sps) < 0) {
		spans_release(&sps[0]);
		return nomem(w);
	}
	spans_release(&w->sp);
	w->sp = sps[0];
	return rewrite(w, cmd, parent, key, GH_RLIST_NONE, NULL) < 0 ? -1 : 0;
}

static struct cmdline *find_cmd(struct walk *w, size_t idx, int64_t pid)
{
	size_t i;

	for (i = 0; i < w->ncmds; i++)
		if (w->cmds[i].index == idx && w->cmds[i].pid == pid)
			return &w->cmds[i];
	for (i = 0; i < w->ncmds; i++)
		if (w->cmds[i].pid == pid)
			return &w->cmds[i];
	return NULL;
}

/* processes[].cmd is the process's argv joined by spaces: when it still
 * is, it is rebuilt from the redacted argv (so that both agree exactly);
 * otherwise it is redacted as a command line of its own. */
static int do_proc_cmd(struct walk *w, struct json_object *pr,
		       struct json_object *cmd, const struct gh_rstr *s)
{
	struct cmdline *cl = find_cmd(w, s->index, s->has_pid ? s->pid : -2);

	/* (no argv, no command line to compare with) */
	if (cl && cl->before &&
	    strlen(cl->before) == (size_t)json_object_get_string_len(cmd) &&
	    !memcmp(cl->before, json_object_get_string(cmd),
		    json_object_get_string_len(cmd))) {
		if (remember_visit(w, cmd, pr, "cmd", GH_RLIST_NONE) < 0 ||
		    tally_merge(&w->r->tally, &cl->tally) < 0)
			return nomem(w);
		if (strcmp(cl->before, cl->after)) {
			if (json_object_set_string(cmd, cl->after) != 1)
				return nomem(w);
			json_object_object_del(pr, "cmd" GH_RECEIPT_HEX_SUFFIX);
		}
		return 0;
	}
	return do_cmdline(w, cmd, pr, "cmd");
}

/* A process's argv: its command line is kept for its "cmd". */
static int do_proc_argv(struct walk *w, struct json_object *pr,
			struct json_object *a, const struct gh_rstr *s)
{
	struct cmdline *cl;

	if (w->ncmds == w->capcmds) {
		size_t cap = w->capcmds ? 2 * w->capcmds : 16;

		cl = realloc(w->cmds, cap * sizeof(*cl));
		if (!cl)
			return nomem(w);
		w->cmds = cl;
		w->capcmds = cap;
	}
	cl = &w->cmds[w->ncmds++];
	*cl = (struct cmdline){ .index = s->index, .pid = s->has_pid ? s->pid : -1 };
	return do_argv(w, pr, a, s->key, s->cwd, s->where, cl);
}

/* A symlink's target is its contents, relative to the link's directory. */
static int do_target(struct walk *w, struct json_object *e,
		     struct json_object *t, const struct gh_rstr *s)
{
	const char *str = json_object_get_string(t), *rule = NULL;
	size_t len = json_object_get_string_len(t);
	struct gh_buf abs = GH_BUF_INIT;
	char *dir = NULL;
	int ret;

	if (s->link && len && str[0] != '/') {
		if (!(dir = strdup(s->link)))
			return nomem(w);
		if (strrchr(dir, '/'))
			*strrchr(dir, '/') = 0;
		ret = path_join(&abs, *dir ? dir : "/", str, len);
		free(dir);
		if (ret < 0) {
			gh_buf_release(&abs);
			return nomem(w);
		}
		rule = match_path(w->r, abs.p, abs.len);
		gh_buf_release(&abs);
	}
	if (!rule)
		return do_string(w, t, GH_RSTR_PATH, e, s->key, s->list);
	if (remember_visit(w, t, e, s->key, s->list) < 0 ||
	    spans_add(&w->sp, 0, len, rule) < 0)
		return nomem(w);
	return rewrite(w, t, e, s->key, s->list, NULL) < 0 ? -1 : 0;
}

/* One place lib/receipt names, found in the json-c copy. */
static int do_place(void *ctx, const struct gh_rstr *s)
{
	struct walk *w = ctx;
	struct json_object *up, *o = gh_receipt_json_at(w->root, s, &up);
	struct json_object *parent = s->key ? up : NULL;

	if (!o)
		return 0;
	switch (s->kind) {
	case GH_RSTR_PATH:
	case GH_RSTR_TEXT:
	case GH_RSTR_ADDR:
		return do_string(w, o, s->kind, parent, s->key, s->list) < 0 ? -1 : 0;
	case GH_RSTR_ARGV:
		if (s->proc)
			return do_proc_argv(w, up, o, s);
		return do_argv(w, up, o, s->key, s->cwd, s->where, NULL);
	case GH_RSTR_CMDLINE:
		if (s->proc)
			return do_proc_cmd(w, up, o, s);
		return do_cmdline(w, o, parent, s->key);
	case GH_RSTR_ENV:
		return do_env(w, o);
	case GH_RSTR_TREE:
		if (s->nsteps == 1 && s->key && strcmp(s->key, "policy") == 0)
			return do_verdict(w, o);
		return do_tree(w, o, s->list);
	case GH_RSTR_TARGET:
		return do_target(w, up, o, s);
	}
	return 0;
}

/* The sweep: secret values masked somewhere are masked wherever else they
 * occur. */
static int sweep(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nv; i++) {
		struct visited *v = &w->v[i];

		w->sp.n = 0;
		if (detect_masked(w->r, json_object_get_string(v->s),
				  json_object_get_string_len(v->s), &w->sp) < 0)
			return nomem(w);
		if (rewrite(w, v->s, v->parent, v->key, v->list, NULL) < 0)
			return -1;
	}
	return 0;
}

/* The sweep of the whole receipt: members this program does not know, and
 * member names, may hold a masked value too (gh-redact(1) promises none is
 * left anywhere). A rewritten value loses its KEY_hex sibling and a member
 * name is renamed, both after its object is walked. */
struct later {
	struct json_object *obj;
	char *key, *newkey;	/* newkey NULL: delete key */
};

struct sweep_all {
	struct later *v;
	size_t n, cap;
};

static int later_add(struct sweep_all *s, struct json_object *obj,
		     const char *key, const char *suffix, const char *newkey,
		     size_t newlen)
{
	struct later *l;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		l = realloc(s->v, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		s->v = l;
		s->cap = cap;
	}
	l = &s->v[s->n];
	l->obj = obj;
	if (asprintf(&l->key, "%s%s", key, suffix) < 0)
		return -ENOMEM;
	l->newkey = NULL;
	if (newkey && !(l->newkey = strndup(newkey, newlen))) {
		free(l->key);
		return -ENOMEM;
	}
	s->n++;
	return 0;
}

static int sweep_tree(struct walk *w, struct json_object *o, struct sweep_all *s)
{
	size_t i, n;
	int changed;

	switch (json_object_get_type(o)) {
	case json_type_string:
		w->sp.n = 0;
		if (detect_masked(w->r, json_object_get_string(o),
				  json_object_get_string_len(o), &w->sp) < 0)
			return nomem(w);
		return rewrite(w, o, NULL, NULL, GH_RLIST_NONE, NULL);
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (sweep_tree(w, json_object_array_get_idx(o, i), s) < 0)
				return -1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			changed = v ? sweep_tree(w, v, s) : 0;
			if (changed < 0)
				return -1;
			if (changed > 0 && later_add(s, o, k, GH_RECEIPT_HEX_SUFFIX, NULL, 0) < 0)
				return nomem(w);
			w->sp.n = 0;
			if (detect_masked(w->r, k, strlen(k), &w->sp) < 0)
				return nomem(w);
			if (w->sp.n) {
				int r = spans_apply(w->r, k, strlen(k), &w->sp, &w->out,
						    &w->r->tally);

				w->sp.n = 0;
				if (r < 0 || later_add(s, o, k, "", w->out.p, w->out.len) < 0)
					return nomem(w);
			}
		}
		return 0;
	}
	default:
		return 0;
	}
}

static int sweep_everything(struct walk *w, struct json_object *root)
{
	struct sweep_all s = { 0 };
	struct json_object *v;
	size_t i;
	int ret = sweep_tree(w, root, &s) < 0 ? -1 : 0;

	for (i = 0; i < s.n; i++) {
		struct later *l = &s.v[i];

		if (!ret && l->newkey) {
			if (json_object_object_get_ex(l->obj, l->newkey, NULL)) {
				ret = fail(w, "a member name holds a masked value, and its "
					   "masked form names another member");
			} else if (json_object_object_get_ex(l->obj, l->key, &v)) {
				json_object_get(v);
				json_object_object_del(l->obj, l->key);
				if (json_object_object_add(l->obj, l->newkey, v) < 0)
					ret = nomem(w);
			}
		} else if (!ret) {
			json_object_object_del(l->obj, l->key);
		}
		free(l->key);
		free(l->newkey);
	}
	free(s.v);
	return ret;
}

/* ---- keeping lists sorted and unique ---- */

static int cmp_members(struct json_object *a, struct json_object *b,
		       const char *const *keys)
{
	int c;

	for (; *keys; keys++) {
		c = cmp_value(get(a, *keys), get(b, *keys));
		if (c)
			return c;
	}
	return 0;
}

/* The members each list is sorted by, and that tell its entries apart
 * (gh-receipt(5); chmod and mkdir entries differ by mode too). */
static const char *const *sort_keys;

static int cmp_str_ptr(const void *a, const void *b)
{
	return cmp_value(*(struct json_object *const *)a,
			   *(struct json_object *const *)b);
}

static int cmp_obj_ptr(const void *a, const void *b)
{
	return cmp_members(*(struct json_object *const *)a,
			   *(struct json_object *const *)b, sort_keys);
}

static int cmp_int_ptr(const void *a, const void *b)
{
	int64_t x = json_object_get_int64(*(struct json_object *const *)a);
	int64_t y = json_object_get_int64(*(struct json_object *const *)b);

	return x < y ? -1 : x > y;
}

/* Keep the elements of a for which drop[i] is 0, in order, in one pass
 * (deleting them one at a time moves the rest each time). */
static void array_compact(struct json_object *a, const unsigned char *drop)
{
	size_t n = json_object_array_length(a), w = 0;

	for (size_t r = 0; r < n; r++) {
		if (drop[r])
			continue;
		if (w != r) {
			/* the slot's old value (a dropped one, or one already
			 * moved, which holds a second reference) is released */
			struct json_object *e = json_object_array_get_idx(a, r);

			json_object_array_put_idx(a, w, json_object_get(e));
		}
		w++;
	}
	if (w < n)
		json_object_array_del_idx(a, w, n - w);
}

/* Sort a list of pids and keep each once. 0 or -ENOMEM. */
static int sort_pids(struct json_object *a)
{
	size_t n = json_object_array_length(a);
	unsigned char *drop;

	json_object_array_sort(a, cmp_int_ptr);
	if (n < 2)
		return 0;
	if (!(drop = calloc(n, 1)))
		return -ENOMEM;
	for (size_t i = 1; i < n; i++)
		drop[i] = cmp_int_ptr(&(struct json_object *){ json_object_array_get_idx(a, i - 1) },
				      &(struct json_object *){ json_object_array_get_idx(a, i) }) == 0;
	array_compact(a, drop);
	free(drop);
	return 0;
}

/* dst += src for counts (at most INT64_MAX), union for pid lists (sorted
 * by the caller, once all are merged), or for "attempted". */
static int merge_entry(struct json_object *dst, struct json_object *src)
{
	struct json_object *a = get(dst, "count"), *b = get(src, "count");
	size_t i, n;

	if (a && b && json_object_is_type(a, json_type_int) &&
	    json_object_is_type(b, json_type_int)) {
		int64_t sum;

		if (__builtin_add_overflow(json_object_get_int64(a),
					   json_object_get_int64(b), &sum))
			sum = INT64_MAX;
		json_object_set_int64(a, sum);
	}
	a = get(dst, "attempted");
	b = get(src, "attempted");
	if (a && b && json_object_is_type(a, json_type_boolean) &&
	    json_object_is_type(b, json_type_boolean))
		json_object_set_boolean(a, json_object_get_boolean(a) ||
					json_object_get_boolean(b));
	a = get(dst, "pids");
	b = get(src, "pids");
	if (a && b && json_object_is_type(a, json_type_array) &&
	    json_object_is_type(b, json_type_array)) {
		n = json_object_array_length(b);
		for (i = 0; i < n; i++) {
			struct json_object *p = json_object_array_get_idx(b, i);

			if (json_object_array_add(a, json_object_get(p)) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int resort(struct walk *w, struct json_object *a,
		  const char *const *keys)
{
	unsigned char *drop;
	size_t i, n, g;

	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		/* Lists of mixed or other shapes keep their order. */
		if (keys ? !json_object_is_type(e, json_type_object) :
			   !json_object_is_type(e, json_type_string))
			return 0;
	}
	sort_keys = keys;
	json_object_array_sort(a, keys ? cmp_obj_ptr : cmp_str_ptr);
	n = json_object_array_length(a);
	if (n < 2)
		return 0;
	if (!(drop = calloc(n, 1)))
		return nomem(w);
	/* entries alike (masking made them so) become the first of them */
	for (g = 0, i = 1; i <= n; i++) {
		struct json_object *x = json_object_array_get_idx(a, g);
		struct json_object *y = i < n ? json_object_array_get_idx(a, i) : NULL;

		if (y && !(keys ? cmp_members(x, y, keys) : cmp_value(x, y))) {
			if (keys && merge_entry(x, y) < 0)
				goto oom;
			drop[i] = 1;
			continue;
		}
		if (keys && i - g > 1 && json_object_is_type(get(x, "pids"), json_type_array) &&
		    sort_pids(get(x, "pids")) < 0)
			goto oom;
		g = i;
	}
	array_compact(a, drop);
	free(drop);
	return 0;
oom:
	free(drop);
	return nomem(w);
}

static int resort_all(struct walk *w, struct json_object *root)
{
	const struct gh_rlist *l;
	struct json_object *in;
	int k;

	for (k = GH_RLIST_NONE + 1; k < GH_RLIST_COUNT; k++) {
		if (!w->dirty[k])
			continue;
		l = &gh_receipt_lists[k];
		in = l->section ? get(root, l->section) : root;
		if (resort(w, get(in, l->key), l->keys) < 0)
			return -1;
	}
	return 0;
}

/* ---- redactions ---- */

static int cmp_rule(const void *a, const void *b)
{
	return cmp_members(*(struct json_object *const *)a,
			   *(struct json_object *const *)b,
			   (const char *const[]){ "rule", NULL });
}

/* Earlier redactions of the form {"rule", "count"} are kept (counts of the
 * same rule add up); anything else there (older receipts listed the masked
 * values themselves) is dropped. Returns the number dropped. */
static int write_redactions(struct walk *w, struct json_object *root)
{
	struct json_object *old = get(root, "redactions"), *list;
	struct tally t = { 0 };
	size_t i;
	int dropped = 0;

	if (old && json_object_is_type(old, json_type_array)) {
		for (i = 0; i < json_object_array_length(old); i++) {
			struct json_object *e = json_object_array_get_idx(old, i);
			struct json_object *rule = get(e, "rule"), *count = get(e, "count");

			if (json_object_is_type(e, json_type_object) && rule &&
			    count && json_object_is_type(rule, json_type_string) &&
			    json_object_is_type(count, json_type_int) &&
			    json_object_object_length(e) == 2 &&
			    json_object_get_int64(count) >= 0) {
				if (tally_add(&t, json_object_get_string(rule),
					      json_object_get_int64(count)) < 0)
					goto oom;
			} else {
				dropped++;
			}
		}
	} else if (old) {
		dropped++;
	}
	if (tally_merge(&t, &w->r->tally) < 0)
		goto oom;
	list = json_object_new_array();
	if (!list)
		goto oom;
	for (i = 0; i < t.n; i++) {
		struct json_object *e = json_object_new_object();

		if (!e || json_object_array_add(list, e) < 0 ||
		    json_object_object_add(e, "rule",
					   json_object_new_string(t.v[i].rule)) < 0 ||
		    json_object_object_add(e, "count",
					   json_object_new_int64(t.v[i].count)) < 0) {
			json_object_put(list);
			goto oom;
		}
	}
	json_object_array_sort(list, cmp_rule);
	json_object_object_add(root, "redactions", list);
	tally_release(&t);
	return dropped;
oom:
	tally_release(&t);
	return nomem(w);
}

/* ---- home ---- */

/* ---- home ---- */

static int set_home(struct redactor *r, struct gh_receipt *rr)
{
	const char *home = NULL;
	int64_t uid;
	size_t n;

	free(r->home);
	r->home = NULL;
	r->home_len = 0;
	/* (0.3.0's provenance may be a string: no uid there) */
	if (gh_receipt_int(rr, "provenance.run_uid", &uid) > 0) {
		struct passwd *pw = getpwuid((uid_t)uid);

		if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
			home = pw->pw_dir;
	}
	if (!home) {
		home = getenv("HOME");
		if (home && home[0] != '/')
			home = NULL;
	}
	if (!home)
		return 0;
	n = strlen(home);
	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n <= 1)
		return 0; /* "/" is nobody's home prefix */
	r->home = strndup(home, n);
	if (!r->home)
		return -ENOMEM;
	r->home_len = n;
	return 0;
}

void redactor_reset(struct redactor *r)
{
	size_t i;

	tally_release(&r->tally);
	for (i = 0; i < r->nmasked; i++)
		free(r->masked[i].s);
	free(r->masked);
	r->masked = NULL;
	r->nmasked = r->capmasked = 0;
	free(r->mhead);
	free(r->mnext);
	r->mhead = r->mnext = NULL;
	r->mcap = 0;
	free(r->groups);
	free(r->ghead);
	r->groups = NULL;
	r->ghead = NULL;
	r->ngroups = r->capgroups = r->gcap = 0;
	free(r->home);
	r->home = NULL;
	r->home_len = 0;
}

int redact_receipt(struct redactor *r, struct gh_receipt *rr,
		   struct json_object *root, char *err, size_t errlen)
{
	struct walk w = { .r = r, .root = root, .err = err, .errlen = errlen };
	size_t i;
	int ret = -1;

	/* rr: read through lib/receipt, a receipt of a version it knows (v0
	 * included), every member's type checked; root: a json-c copy */
	redactor_reset(r);
	if (set_home(r, rr) < 0)
		return nomem(&w);
	if (r->home_rewrite && !r->home)
		return fail(&w, "--home: no home directory known (no user with "
			    "the receipt's provenance.run_uid, and $HOME is "
			    "unset or \"/\")");
	ret = gh_receipt_strings(rr, do_place, &w);
	if (ret == -EINVAL) {
		snprintf(err, errlen, "%s", rr->err);
		ret = -2;
		goto out;
	}
	if (ret < 0 || sweep(&w) < 0 || sweep_everything(&w, root) < 0 ||
	    resort_all(&w, root) < 0) {
		ret = -1;
		goto out;
	}
	ret = write_redactions(&w, root);
out:
	for (i = 0; i < w.ncmds; i++) {
		free(w.cmds[i].before);
		free(w.cmds[i].after);
		tally_release(&w.cmds[i].tally);
	}
	free(w.cmds);
	free(w.v);
	spans_release(&w.sp);
	gh_buf_release(&w.out);
	return ret;
}
