/* Reading receipts of every shape: see receipt.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"
#include "term.h"

__attribute__((format(printf, 2, 3))) static int bad(struct gh_receipt *r,
						     const char *fmt, ...)
{
	va_list ap;
	int n;

	n = r->name ? snprintf(r->err, sizeof(r->err), "%s: ", r->name) : 0;
	if (n < 0 || (size_t)n >= sizeof(r->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *type_words(int t)
{
	switch (t) {
	case GH_JV_STRING:
		return "a string";
	case GH_JV_INT:
		return "an integer";
	case GH_JV_ARRAY:
		return "an array";
	case GH_JV_OBJECT:
		return "an object";
	case GH_JV_BOOL:
		return "a boolean";
	default:
		return "a value";
	}
}

/* o.key, or NULL when absent or null */
static const struct gh_jv *get(const struct gh_jv *o, const char *key)
{
	const struct gh_jv *m = gh_jv_get(o, key);

	return gh_jv_is(m, GH_JV_NULL) ? NULL : m;
}

/* 1: *out is o.key of type t; 0: absent or null; -EINVAL: another type. */
static int member(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		  const char *key, int t, const struct gh_jv **out)
{
	const struct gh_jv *m = get(o, key);

	*out = NULL;
	if (!m)
		return 0;
	if (!gh_jv_is(m, t))
		return bad(r, "%s%s%s: expected %s", where ? where : "",
			   where && *where ? "." : "", key, type_words(t));
	*out = m;
	return 1;
}

int gh_receipt_member(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		      const char *key, int t, const struct gh_jv **out)
{
	return member(r, o, where, key, t, out);
}

/* Walk a dotted path; the last member must have type t. */
static int at(struct gh_receipt *r, const char *path, int t, const struct gh_jv **out)
{
	const struct gh_jv *o = r->root;
	char where[128] = "", key[64];
	const char *p = path;
	int rc;

	*out = NULL;
	for (;;) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (!p[n])
			return member(r, o, where, key, t, out);
		rc = member(r, o, where, key, GH_JV_OBJECT, &o);
		if (rc <= 0)
			return rc;
		snprintf(where, sizeof(where), "%.*s", (int)(p + n - path), path);
		p += n + 1;
	}
}

int gh_receipt_str(struct gh_receipt *r, const char *path, const char **out,
		   size_t *len)
{
	const struct gh_jv *m;
	int rc = at(r, path, GH_JV_STRING, &m);

	*out = rc > 0 ? gh_jv_str(m, len) : NULL;
	if (len && rc <= 0)
		*len = 0;
	return rc;
}

int gh_receipt_int(struct gh_receipt *r, const char *path, int64_t *out)
{
	const struct gh_jv *m;
	int rc = at(r, path, GH_JV_INT, &m);

	*out = rc > 0 ? gh_jv_int(m) : 0;
	return rc;
}

int gh_receipt_arr(struct gh_receipt *r, const char *path, const struct gh_jv **out)
{
	return at(r, path, GH_JV_ARRAY, out);
}

int gh_receipt_obj(struct gh_receipt *r, const char *path, const struct gh_jv **out)
{
	return at(r, path, GH_JV_OBJECT, out);
}

int gh_receipt_mstr(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		    const char *key, const char **out, size_t *len)
{
	const struct gh_jv *m;
	int rc = member(r, o, where, key, GH_JV_STRING, &m);

	*out = rc > 0 ? gh_jv_str(m, len) : NULL;
	if (len && rc <= 0)
		*len = 0;
	return rc;
}

int gh_receipt_mint(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		    const char *key, int64_t *out)
{
	const struct gh_jv *m;
	int rc = member(r, o, where, key, GH_JV_INT, &m);

	*out = rc > 0 ? gh_jv_int(m) : 0;
	return rc;
}

static int vec(struct gh_receipt *r, const struct gh_jv *o, const char *where,
	       const char *key, int t, const char *words, const struct gh_jv **out)
{
	const struct gh_jv *m = get(o, key);
	size_t i, n;

	*out = NULL;
	if (!m)
		return 0;
	if (!gh_jv_is(m, GH_JV_ARRAY))
		goto wrong;
	n = gh_jv_len(m);
	for (i = 0; i < n; i++)
		if (!gh_jv_is(gh_jv_idx(m, i), t))
			goto wrong;
	*out = m;
	return 1;
wrong:
	return bad(r, "%s%s%s: expected an array of %s", where ? where : "",
		   where && *where ? "." : "", key, words);
}

int gh_receipt_mstrv(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		     const char *key, const struct gh_jv **out)
{
	return vec(r, o, where, key, GH_JV_STRING, "strings", out);
}

int gh_receipt_mintv(struct gh_receipt *r, const struct gh_jv *o, const char *where,
		     const char *key, const struct gh_jv **out)
{
	return vec(r, o, where, key, GH_JV_INT, "integers", out);
}

int gh_receipt_eobj(struct gh_receipt *r, const struct gh_jv *a, const char *where,
		    size_t k, const struct gh_jv **out)
{
	*out = gh_jv_idx(a, k);
	if (!gh_jv_is(*out, GH_JV_OBJECT)) {
		*out = NULL;
		return bad(r, "%s[%zu]: expected an object", where, k);
	}
	return 1;
}

const char *gh_receipt_strv_get(const struct gh_jv *a, size_t k, size_t *len)
{
	return gh_jv_str(gh_jv_idx(a, k), len);
}

int64_t gh_receipt_intv_get(const struct gh_jv *a, size_t k)
{
	return gh_jv_int(gh_jv_idx(a, k));
}

size_t gh_receipt_len(const struct gh_jv *a)
{
	return gh_jv_is(a, GH_JV_ARRAY) ? gh_jv_len(a) : 0;
}

int gh_receipt_join(struct gh_buf *b, const struct gh_jv *strv)
{
	size_t k, len;
	const char *s;

	for (k = 0; k < gh_receipt_len(strv); k++) {
		s = gh_receipt_strv_get(strv, k, &len);
		if ((k && gh_buf_addc(b, ' ') < 0) || gh_buf_add(b, s, len) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* --- the receipt ------------------------------------------------------- */

static int start(struct gh_receipt *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	if (name && !(r->name = strdup(name)))
		return -ENOMEM;
	return 0;
}

/* "unknown receipt version" with (the start of) the version escaped as
 * on a terminal: the string is the input's, and the message goes to one. */
static int bad_version(struct gh_receipt *r, const char *s)
{
	struct gh_buf q = GH_BUF_INIT;
	int rc;

	if (gh_term_esc(&q, s, strnlen(s, 40), 0) < 0) {
		gh_buf_release(&q);
		return -ENOMEM;
	}
	rc = bad(r, "version: unknown receipt version \"%s\"", q.p ? q.p : "");
	gh_buf_release(&q);
	return rc;
}

/* The shape of a receipt, from its version. */
static int detect(struct gh_receipt *r, const struct gh_jv *root)
{
	const struct gh_jv *v;
	const char *s;
	char *end;
	long minor;

	if (!gh_jv_is(root, GH_JV_OBJECT))
		return bad(r, "not a receipt: expected a JSON object");
	r->root = root;
	v = get(root, "version");
	if (!v) {
		if (gh_jv_is(get(root, "type"), GH_JV_STRING))
			return bad(r, "not a receipt: an event stream record "
				   "(gh-aggregate makes a receipt of a stream)");
		/* the older v0 shape (gh-aggregate --v0) has no version */
		if (!get(root, "execution_id"))
			return bad(r, "not a receipt: no \"version\" string");
		if (!gh_jv_is(get(root, "execution_id"), GH_JV_STRING))
			return bad(r, "execution_id: expected a string");
		r->shape = GH_RECEIPT_V0;
		return 0;
	}
	if (!gh_jv_is(v, GH_JV_STRING))
		return bad(r, "version: expected a string");
	s = gh_jv_str(v, NULL);
	if (strncmp(s, "0.", 2) != 0 || s[2] < '0' || s[2] > '9')
		return bad_version(r, s);
	minor = strtol(s + 2, &end, 10);
	if (*end && *end != '.')
		return bad_version(r, s);
	r->version = s;
	r->shape = minor <= 3 ? GH_RECEIPT_030 : GH_RECEIPT_040;
	return 0;
}

int gh_receipt_init(struct gh_receipt *r, const struct gh_jv *root, const char *name)
{
	char msg[sizeof(r->err)];
	int rc = start(r, name);

	if (rc < 0)
		return rc;
	/* the type of every member gh-receipt(5) names: lib/input */
	rc = gh_receipt_check_jv(root, msg, sizeof(msg));
	if (rc == -EINVAL)
		return bad(r, "%s", msg);
	if (rc < 0)
		return rc;
	return detect(r, root);
}

int gh_receipt_attach(struct gh_receipt *r, const struct gh_jv *root, const char *name)
{
	int rc = start(r, name);

	return rc < 0 ? rc : detect(r, root);
}

/* A tree of our own of a json-c value, then init or attach on it. */
static int from_json(struct gh_receipt *r, struct json_object *root, const char *name,
		     int check)
{
	struct gh_jdoc *doc;
	const struct gh_jv *v;
	int rc = gh_jdoc_from_json(root, &doc, &v);

	if (rc < 0) {
		memset(r, 0, sizeof(*r));
		snprintf(r->err, sizeof(r->err), "%s%s%s", name ? name : "", name ? ": " : "",
			 rc == -ENOMEM ? "out of memory" : "nesting too deep");
		return rc;
	}
	rc = check ? gh_receipt_init(r, v, name) : gh_receipt_attach(r, v, name);
	r->doc = doc;
	return rc;
}

int gh_receipt_init_json(struct gh_receipt *r, struct json_object *root, const char *name)
{
	return from_json(r, root, name, 1);
}

int gh_receipt_attach_json(struct gh_receipt *r, struct json_object *root, const char *name)
{
	return from_json(r, root, name, 0);
}

int gh_receipt_read(struct gh_receipt *r, struct gh_jdoc *doc, const char *name)
{
	const char *n = name ? name : "<stdin>";
	const struct gh_jv *root;
	char where[1024], msg[256];
	int rc;

	memset(r, 0, sizeof(*r));
	rc = gh_jdoc_next(doc, &root, msg, sizeof(msg));
	if (rc <= 0) {
		if (rc < 0)
			gh_json_locate(r->err, sizeof(r->err), n, 1, msg);
		return rc < 0 ? -EINVAL : 0;
	}
	/* messages say "NAME:LINE:" with the line the receipt starts on, as
	 * every filter's do */
	if (snprintf(where, sizeof(where), "%s:%lu", n, gh_jdoc_line(doc)) >=
	    (int)sizeof(where))
		snprintf(where, sizeof(where), "%s", n);
	rc = gh_receipt_init(r, root, where);
	return rc < 0 ? rc : 1;
}

int gh_receipt_load(struct gh_receipt *r, FILE *f, const char *name)
{
	const char *n = name ? name : "<stdin>";
	struct gh_jdoc *doc;
	char msg[256], *buf;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	/* bounded, binary refused at once: lib/input */
	if (gh_read_input(f, n, GH_INPUT_MAX, 1, &buf, &len, r->err, sizeof(r->err)) < 0)
		return -EINVAL;
	if (!(doc = gh_jdoc_new(buf, len)))
		return -ENOMEM;
	rc = gh_receipt_read(r, doc, n);
	if (rc == 0)
		snprintf(r->err, sizeof(r->err), "%s: expected a receipt, got empty input", n);
	if (rc <= 0) {
		gh_jdoc_free(doc);
		r->doc = NULL;
		return rc < 0 ? rc : -EINVAL;
	}
	r->doc = doc;
	/* one value only; the doc keeps the first one's tree meanwhile */
	if ((rc = gh_jdoc_more(doc, msg, sizeof(msg))) != 0) {
		if (rc > 0)
			snprintf(r->err, sizeof(r->err),
				 "%s:%lu: expected one receipt, got a second JSON value", n,
				 gh_jdoc_line(doc));
		else
			gh_json_locate(r->err, sizeof(r->err), n, 1, msg);
		return -EINVAL;
	}
	return 0;
}

void gh_receipt_release(struct gh_receipt *r)
{
	if (!r)
		return;
	gh_jdoc_free(r->doc);
	r->doc = NULL;
	r->root = NULL;
	free(r->name);
	r->name = NULL;
}

const char *gh_receipt_shape_name(const struct gh_receipt *r)
{
	return r->shape == GH_RECEIPT_V0 ? "v0" : r->shape == GH_RECEIPT_030 ? "0.3.0" :
									       "0.4.0";
}

/* --- the run ----------------------------------------------------------- */

/* provenance (NULL when absent, or a string as some 0.3.0 receipts have)
 * and the first process (NULL when none) */
static int prov_first(struct gh_receipt *r, const struct gh_jv **prov,
		      const struct gh_jv **first)
{
	const struct gh_jv *pt;

	*prov = *first = NULL;
	if (!gh_jv_is(get(r->root, "provenance"), GH_JV_STRING) &&
	    gh_receipt_obj(r, "provenance", prov) < 0)
		return -EINVAL;
	if (gh_receipt_arr(r, "process_tree", &pt) < 0)
		return -EINVAL;
	if (gh_receipt_len(pt)) {
		*first = gh_jv_idx(pt, 0);
		if (!gh_jv_is(*first, GH_JV_OBJECT))
			return bad(r, "process_tree[0]: expected an object");
	}
	return 0;
}

int gh_receipt_cwd(struct gh_receipt *r, const char **cwd)
{
	const struct gh_jv *prov, *first;
	int rc;

	*cwd = NULL;
	if (prov_first(r, &prov, &first) < 0)
		return -EINVAL;
	if ((rc = gh_receipt_mstr(r, prov, "provenance", "cwd", cwd, NULL)) != 0)
		return rc;
	return gh_receipt_mstr(r, first, "process_tree[0]", "working_dir", cwd, NULL);
}

/* The first cmd of the flat processes list, or NULL. */
static int first_cmd(struct gh_receipt *r, const char **cmd)
{
	const struct gh_jv *list, *e;

	*cmd = NULL;
	if (gh_receipt_arr(r, "processes", &list) < 0)
		return -EINVAL;
	if (!gh_receipt_len(list))
		return 0;
	if (gh_receipt_eobj(r, list, "processes", 0, &e) < 0)
		return -EINVAL;
	return gh_receipt_mstr(r, e, "processes[0]", "cmd", cmd, NULL);
}

/* The integer at path, else at alt: 1 and *out, 0 when neither has one. */
static int int_alt(struct gh_receipt *r, const char *path, const char *alt,
		   int64_t *out)
{
	int rc = gh_receipt_int(r, path, out);

	return rc == 0 ? gh_receipt_int(r, alt, out) : rc;
}

int gh_receipt_run(struct gh_receipt *r, struct gh_rrun *run)
{
	const struct gh_jv *prov, *first;
	int rc;

	memset(run, 0, sizeof(*run));
	if (gh_receipt_str(r, "execution_id", &run->execution_id, NULL) < 0 ||
	    gh_receipt_str(r, "start_time", &run->start_time, NULL) < 0)
		return -EINVAL;
	if (prov_first(r, &prov, &first) < 0)
		return -EINVAL;
	if (r->shape == GH_RECEIPT_V0) {
		if (gh_receipt_str(r, "command", &run->command_str, NULL) < 0)
			return -EINVAL;
	} else {
		if (gh_receipt_mstrv(r, prov, "provenance", "command", &run->command) < 0)
			return -EINVAL;
		if (!run->command &&
		    gh_receipt_mstrv(r, first, "process_tree[0]", "argv", &run->command) < 0)
			return -EINVAL;
	}
	if (!run->command && !run->command_str && first_cmd(r, &run->command_str) < 0)
		return -EINVAL;
	if (gh_receipt_cwd(r, &run->cwd) < 0)
		return -EINVAL;
	/* the receipt's own members first: exit_code and duration_ms are in
	 * every shape but 0.3.0, which has only outcome and timing */
	if ((rc = int_alt(r, "exit_code", "outcome.exit_code", &run->status)) < 0)
		return rc;
	run->has_status = rc;
	if ((rc = gh_receipt_int(r, "outcome.signal", &run->signal)) < 0)
		return rc;
	run->has_signal = rc;
	run->has_exit_code = run->has_status;
	run->exit_code = run->status;
	if (run->has_signal && !get(get(r->root, "outcome"), "exit_code"))
		run->has_exit_code = 0; /* the status is then 128+N */
	if (gh_receipt_str(r, "outcome.error", &run->error, NULL) < 0)
		return -EINVAL;
	if ((rc = int_alt(r, "duration_ms", "timing.duration_ms", &run->duration_ms)) < 0)
		return rc;
	run->has_duration = rc;
	if ((rc = int_alt(r, "resources.cpu_time_ms", "timing.cpu_time_ms",
			  &run->cpu_time_ms)) < 0)
		return rc;
	run->has_cpu = rc;
	if (gh_receipt_str(r, "completeness", &run->completeness, NULL) < 0 ||
	    gh_receipt_str(r, "observation_mode", &run->observation_mode, NULL) < 0 ||
	    gh_receipt_mstrv(r, r->root, "", "completeness_reasons", &run->reasons) < 0)
		return -EINVAL;
	return 0;
}

int gh_receipt_policy(struct gh_receipt *r, struct gh_rpolicy *p)
{
	const struct gh_jv *pass;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = gh_receipt_obj(r, "policy", &p->obj)) <= 0)
		return rc;
	if (gh_receipt_mstr(r, p->obj, "policy", "verdict", &p->verdict, NULL) < 0 ||
	    member(r, p->obj, "policy", "violations", GH_JV_ARRAY, &p->violations) < 0 ||
	    gh_receipt_mstr(r, p->obj, "policy", "rules_sha256", &p->rules_sha256, NULL) < 0 ||
	    member(r, p->obj, "policy", "pass", GH_JV_BOOL, &pass) < 0)
		return -EINVAL;
	if (!p->verdict && pass)
		p->verdict = gh_jv_bool(pass) ? "pass" : "fail";
	return 1;
}

int gh_receipt_paths(struct gh_receipt *r, int which, const struct gh_jv **out)
{
	static const char *const keys[][2] = {
		[GH_RPATHS_READ] = { "reads", "read" },
		[GH_RPATHS_WRITE] = { "writes", "written" },
		[GH_RPATHS_DELETE] = { "deletes", NULL },
	};
	const struct gh_jv *fs;
	int rc;

	*out = NULL;
	if (which < 0 || which > GH_RPATHS_DELETE)
		return -EINVAL;
	/* the names differ between shapes, never collide: try both */
	if ((rc = gh_receipt_obj(r, "filesystem", &fs)) <= 0)
		return rc;
	rc = gh_receipt_mstrv(r, fs, "filesystem", keys[which][0], out);
	if (rc == 0 && keys[which][1])
		rc = gh_receipt_mstrv(r, fs, "filesystem", keys[which][1], out);
	return rc;
}

/* --- processes --------------------------------------------------------- */

int gh_receipt_next_proc(struct gh_receipt *r, struct gh_riter *it, struct gh_rproc *p)
{
	const struct gh_jv *list, *e;
	char w[48];
	int rc, flat = 0;

	memset(p, 0, sizeof(*p));
	if ((rc = gh_receipt_arr(r, "process_tree", &list)) < 0)
		return rc;
	if (!rc) {
		if ((rc = gh_receipt_arr(r, "processes", &list)) < 0)
			return rc;
		if (!rc)
			return 0;
		flat = 1;
	}
	if (it->i >= gh_jv_len(list))
		return 0;
	p->index = it->i++;
	p->where = flat ? "processes" : "process_tree";
	snprintf(w, sizeof(w), "%s[%zu]", p->where, p->index);
	e = gh_jv_idx(list, p->index);
	if (!gh_jv_is(e, GH_JV_OBJECT))
		return bad(r, "%s: expected an object", w);
	if ((rc = gh_receipt_mint(r, e, w, "pid", &p->pid)) <= 0)
		return rc < 0 ? rc : bad(r, "%s.pid: expected an integer", w);
	if ((rc = gh_receipt_mint(r, e, w, "ppid", &p->ppid)) < 0)
		return rc;
	if (!rc)
		p->ppid = -1;
	if (gh_receipt_mstr(r, e, w, "exe", &p->exe, NULL) < 0 ||
	    gh_receipt_mstrv(r, e, w, "argv", &p->argv) < 0 ||
	    gh_receipt_mstr(r, e, w, "cmd", &p->cmd, NULL) < 0 ||
	    gh_receipt_mstr(r, e, w, "working_dir", &p->working_dir, NULL) < 0 ||
	    member(r, e, w, "execs", GH_JV_ARRAY, &p->execs) < 0)
		return -EINVAL;
	if ((rc = gh_receipt_mint(r, e, w, "exit_code", &p->exit_code)) < 0)
		return rc;
	p->has_exit_code = rc;
	if ((rc = gh_receipt_mint(r, e, w, "signal", &p->signal)) < 0)
		return rc;
	p->has_signal = rc;
	if ((rc = gh_receipt_mint(r, e, w, "start_ms", &p->start_ms)) < 0)
		return rc;
	p->has_start = rc;
	if ((rc = gh_receipt_mint(r, e, w, "end_ms", &p->end_ms)) < 0)
		return rc;
	p->has_end = rc;
	return 1;
}

int gh_receipt_nprocs(struct gh_receipt *r, size_t *n)
{
	const struct gh_jv *list;
	int rc;

	*n = 0;
	if ((rc = gh_receipt_arr(r, "process_tree", &list)) == 0)
		rc = gh_receipt_arr(r, "processes", &list);
	if (rc > 0)
		*n = gh_jv_len(list);
	return rc;
}

int gh_receipt_proc_exec(struct gh_receipt *r, const struct gh_rproc *p, size_t k,
			 struct gh_rexec *x)
{
	const struct gh_jv *e, *t = NULL;
	char w[80];

	memset(x, 0, sizeof(*x));
	if (!p->execs) {
		/* the older flat lists record no execs */
		if (k > 0 || !p->exe || strcmp(p->where, "processes") == 0)
			return 0;
		x->exe = p->exe;
		x->argv = p->argv;
		x->cwd = p->working_dir;
		e = gh_jv_idx(gh_jv_get(r->root, p->where), p->index);
		x->argv_truncated = gh_jv_bool(gh_jv_get(e, "argv_truncated"));
		return 1;
	}
	if (k >= gh_jv_len(p->execs))
		return 0;
	snprintf(w, sizeof(w), "%s[%zu].execs[%zu]", p->where, p->index, k);
	e = gh_jv_idx(p->execs, k);
	if (!gh_jv_is(e, GH_JV_OBJECT))
		return bad(r, "%s: expected an object", w);
	if (gh_receipt_mstr(r, e, w, "exe", &x->exe, NULL) < 0 ||
	    gh_receipt_mstrv(r, e, w, "argv", &x->argv) < 0 ||
	    gh_receipt_mstr(r, e, w, "cwd", &x->cwd, NULL) < 0 ||
	    gh_receipt_member(r, e, w, "argv_truncated", GH_JV_BOOL, &t) < 0)
		return -EINVAL;
	x->argv_truncated = gh_jv_bool(t);
	return 1;
}

int gh_receipt_nexecs(struct gh_receipt *r, size_t *n)
{
	struct gh_riter it = GH_RITER_INIT;
	const struct gh_jv *tree;
	struct gh_rproc p;
	struct gh_rexec x;
	size_t k;
	int rc;

	*n = 0;
	if ((rc = gh_receipt_arr(r, "process_tree", &tree)) <= 0)
		return rc;
	while ((rc = gh_receipt_next_proc(r, &it, &p)) > 0) {
		for (k = 0; (rc = gh_receipt_proc_exec(r, &p, k, &x)) > 0; k++)
			;
		if (rc < 0)
			return rc;
		*n += k;
	}
	return rc < 0 ? rc : 1;
}

/* --- files ------------------------------------------------------------- */

static const struct {
	const char *key, *op;
} old_lists[] = {
	{ "reads", "read" }, { "writes", "write" }, { "deletes", "delete" },
	{ "read", "read" },  { "written", "write" },
};

int gh_receipt_next_file(struct gh_receipt *r, struct gh_riter *it, struct gh_rfile *f)
{
	const struct gh_jv *fs, *acc, *e, *list;
	char w[64];
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = gh_receipt_obj(r, "filesystem", &fs)) <= 0)
		return rc;
	if ((rc = member(r, fs, "filesystem", "accesses", GH_JV_ARRAY, &acc)) < 0)
		return rc;
	if (acc) {
		if (it->i >= gh_jv_len(acc))
			return 0;
		snprintf(w, sizeof(w), "filesystem.accesses[%zu]", it->i);
		snprintf(it->where, sizeof(it->where), "%s", w);
		f->where = it->where;
		e = gh_jv_idx(acc, it->i++);
		f->entry = e;
		if (!gh_jv_is(e, GH_JV_OBJECT))
			return bad(r, "%s: expected an object", w);
		if ((rc = gh_receipt_mstr(r, e, w, "path", &f->path, &f->path_len)) <= 0)
			return rc < 0 ? rc : bad(r, "%s.path: expected a string", w);
		if ((rc = gh_receipt_mstr(r, e, w, "op", &f->op, NULL)) <= 0)
			return rc < 0 ? rc : bad(r, "%s.op: expected a string", w);
		if (gh_receipt_mstr(r, e, w, "target", &f->target, &f->target_len) < 0 ||
		    gh_receipt_mstr(r, e, w, "result", &f->result, NULL) < 0 ||
		    gh_receipt_mint(r, e, w, "count", &f->count) < 0 ||
		    gh_receipt_mintv(r, e, w, "pids", &f->pids) < 0 ||
		    gh_receipt_mstr(r, e, w, "path_seen", &f->path_seen,
				    &f->path_seen_len) < 0 ||
		    gh_receipt_mstr(r, e, w, "path_status", &f->path_status, NULL) < 0 ||
		    gh_receipt_mstr(r, e, w, "target_seen", &f->target_seen,
				    &f->target_seen_len) < 0 ||
		    gh_receipt_mstr(r, e, w, "target_status", &f->target_status,
				    NULL) < 0)
			return -EINVAL;
		if ((rc = gh_receipt_mint(r, e, w, "mode", &f->mode)) < 0)
			return rc;
		f->has_mode = rc;
		return 1;
	}
	/* older shapes: the plain lists of paths */
	for (; it->list < sizeof(old_lists) / sizeof(old_lists[0]); it->list++, it->i = 0) {
		if ((rc = member(r, fs, "filesystem", old_lists[it->list].key,
				 GH_JV_ARRAY, &list)) < 0)
			return rc;
		if (it->i >= gh_receipt_len(list))
			continue;
		e = gh_jv_idx(list, it->i);
		if (!gh_jv_is(e, GH_JV_STRING))
			return bad(r, "filesystem.%s[%zu]: expected a string",
				   old_lists[it->list].key, it->i);
		it->i++;
		f->path = gh_jv_str(e, &f->path_len);
		f->op = old_lists[it->list].op;
		f->result = "ok";
		return 1;
	}
	return 0;
}

/* --- peers ------------------------------------------------------------- */

/* lists in order; a list is skipped when an earlier one covers it */
enum { PL_ATTEMPTS, PL_CONNECTIONS, PL_INBOUND, PL_END };

/* The bytes and names of a network.connections entry e, when it has them. */
static int peer_bytes(struct gh_receipt *r, const struct gh_jv *e, const char *w,
		      struct gh_rpeer *p)
{
	int rc;

	if ((rc = gh_receipt_mint(r, e, w, "bytes_sent", &p->bytes_sent)) < 0)
		return rc;
	p->has_bytes = rc;
	if ((rc = gh_receipt_mint(r, e, w, "bytes_received", &p->bytes_received)) < 0)
		return rc;
	p->has_bytes |= rc;
	if (gh_receipt_mstrv(r, e, w, "names", &p->names) < 0)
		return -EINVAL;
	return 1;
}

/* -1, 0, 1 as the connection entry e sorts before, with or after dst and
 * protocol (byte order, as gh-aggregate sorts them); 2 when e is not an
 * object with a string dst. */
static int conn_cmp(const struct gh_jv *e, const char *dst, size_t dlen, const char *proto,
		    size_t plen)
{
	const struct gh_jv *d = gh_jv_get(e, "dst"), *q = gh_jv_get(e, "protocol");
	const char *s;
	size_t n;
	int c;

	if (!gh_jv_is(e, GH_JV_OBJECT) || !gh_jv_is(d, GH_JV_STRING))
		return 2;
	s = gh_jv_str(d, &n);
	c = memcmp(s, dst, n < dlen ? n : dlen);
	if (!c)
		c = (n > dlen) - (n < dlen);
	if (c)
		return c < 0 ? -1 : 1;
	s = gh_jv_is(q, GH_JV_STRING) ? gh_jv_str(q, &n) : "";
	if (!gh_jv_is(q, GH_JV_STRING))
		n = 0;
	c = memcmp(s, proto, n < plen ? n : plen);
	if (!c)
		c = (n > plen) - (n < plen);
	return c < 0 ? -1 : c > 0;
}

/* An attempt's bytes and names: its network.connections entry (same dst
 * and protocol), found by bisection in the sorted list, else by a scan
 * (a list not sorted, or an attempt without its entry). */
static int peer_conn(struct gh_receipt *r, const struct gh_jv *net, struct gh_rpeer *p)
{
	const struct gh_jv *list, *e = NULL;
	const char *proto = p->protocol ? p->protocol : "";
	size_t dlen = strlen(p->addr), plen = strlen(proto), lo = 0, hi, k = 0;
	char w[64];
	int rc;

	if ((rc = member(r, net, "network", "connections", GH_JV_ARRAY, &list)) <= 0)
		return rc < 0 ? rc : 1;
	hi = gh_jv_len(list);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = conn_cmp(gh_jv_idx(list, mid), p->addr, dlen, proto, plen);

		if (c == 2)
			break;
		if (c == 0) {
			e = gh_jv_idx(list, mid);
			k = mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* not sorted as gh-aggregate writes it: look at each */
	for (size_t i = 0; !e && i < gh_jv_len(list); i++)
		if (conn_cmp(gh_jv_idx(list, i), p->addr, dlen, proto, plen) == 0) {
			e = gh_jv_idx(list, i);
			k = i;
		}
	if (!e)
		return 1;
	snprintf(w, sizeof(w), "network.connections[%zu]", k);
	return peer_bytes(r, e, w, p);
}

int gh_receipt_next_peer(struct gh_receipt *r, struct gh_riter *it, struct gh_rpeer *p)
{
	static const char *const names[] = { "attempts", "connections", "inbound" };
	const struct gh_jv *net, *list, *att, *e;
	char w[64];
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = gh_receipt_obj(r, "network", &net)) <= 0)
		return rc;
	if ((rc = member(r, net, "network", "attempts", GH_JV_ARRAY, &att)) < 0)
		return rc;
	for (; it->list < PL_END; it->list++, it->i = 0) {
		if (it->list == PL_CONNECTIONS && gh_receipt_len(att))
			continue;
		if ((rc = member(r, net, "network", names[it->list], GH_JV_ARRAY,
				 &list)) < 0)
			return rc;
		if (it->i >= gh_receipt_len(list))
			continue;
		snprintf(w, sizeof(w), "network.%s[%zu]", names[it->list], it->i);
		snprintf(it->where, sizeof(it->where), "%s", w);
		p->where = it->where;
		e = gh_jv_idx(list, it->i++);
		p->entry = e;
		if (!gh_jv_is(e, GH_JV_OBJECT))
			return bad(r, "%s: expected an object", w);
		p->inbound = it->list == PL_INBOUND;
		rc = gh_receipt_mstr(r, e, w, p->inbound ? "addr" : "dst", &p->addr, NULL);
		if (rc <= 0)
			return rc < 0 ? rc : bad(r, "%s.%s: expected a string", w,
						 p->inbound ? "addr" : "dst");
		if (gh_receipt_mstr(r, e, w, "protocol", &p->protocol, NULL) < 0 ||
		    gh_receipt_mstr(r, e, w, "op", &p->op, NULL) < 0 ||
		    gh_receipt_mstr(r, e, w, "family", &p->family, NULL) < 0 ||
		    gh_receipt_mstr(r, e, w, "result", &p->result, NULL) < 0 ||
		    gh_receipt_mstr(r, e, w, "host", &p->host, NULL) < 0 ||
		    gh_receipt_mint(r, e, w, "count", &p->count) < 0 ||
		    gh_receipt_mintv(r, e, w, "pids", &p->pids) < 0)
			return -EINVAL;
		if (p->inbound)
			return 1;
		if (it->list == PL_ATTEMPTS)
			return peer_conn(r, net, p);
		return peer_bytes(r, e, w, p);
	}
	return 0;
}

/* --- where strings stand ----------------------------------------------- */

static const char *const k_access[] = { "path", "op", "target", "result", "mode",
					"path_status", "path_seen", "target_status",
					"target_seen", NULL };
static const char *const k_conn[] = { "dst", "protocol", NULL };
static const char *const k_attempt[] = { "dst", "protocol", "op", "result", "family",
					 NULL };
static const char *const k_inbound[] = { "addr", "protocol", "op", "result", NULL };

const struct gh_rlist gh_receipt_lists[GH_RLIST_COUNT] = {
	[GH_RLIST_READS] = { "filesystem", "reads", NULL },
	[GH_RLIST_WRITES] = { "filesystem", "writes", NULL },
	[GH_RLIST_DELETES] = { "filesystem", "deletes", NULL },
	[GH_RLIST_READ_V0] = { "filesystem", "read", NULL },
	[GH_RLIST_WRITTEN_V0] = { "filesystem", "written", NULL },
	[GH_RLIST_ACCESSES] = { "filesystem", "accesses", k_access },
	[GH_RLIST_CONNECTIONS] = { "network", "connections", k_conn },
	[GH_RLIST_ATTEMPTS] = { "network", "attempts", k_attempt },
	[GH_RLIST_INBOUND] = { "network", "inbound", k_inbound },
	[GH_RLIST_REASONS] = { NULL, "completeness_reasons", NULL },
	[GH_RLIST_VIOLATIONS] = { "filesystem", "policy_violations", NULL },
};

/* where environments of variables may stand in an object */
static const char *const env_keys[] = { "env", "envp", "environ", "environment", NULL };

struct swalk {
	struct gh_receipt *r;
	int (*fn)(void *ctx, const struct gh_rstr *s);
	void *ctx;
	struct gh_rstep step[GH_RSTEPS_MAX];
	int n;
	char where[160];
};

static void push_key(struct swalk *w, const char *key)
{
	w->step[w->n].key = key;
	w->step[w->n++].index = 0;
}

static void push_idx(struct swalk *w, size_t i)
{
	w->step[w->n].key = NULL;
	w->step[w->n++].index = i;
}

/* The steps so far as "process_tree[3].argv" (in w->where). */
static const char *where_of(struct swalk *w)
{
	size_t n = 0;
	int k;

	w->where[0] = '\0';
	for (k = 0; k < w->n && n < sizeof(w->where); k++) {
		if (w->step[k].key)
			n += snprintf(w->where + n, sizeof(w->where) - n, "%s%s",
				      k ? "." : "", w->step[k].key);
		else
			n += snprintf(w->where + n, sizeof(w->where) - n, "[%zu]",
				      w->step[k].index);
	}
	return w->where;
}

/* fn on s (kind, list, v and its own fields set) at the steps so far */
static int emit(struct swalk *w, struct gh_rstr *s)
{
	memcpy(s->step, w->step, (size_t)w->n * sizeof(s->step[0]));
	s->nsteps = w->n;
	s->where = where_of(w);
	return w->fn(w->ctx, s);
}

static int emit_at(struct swalk *w, const char *key, int kind, int list,
		   const struct gh_jv *v)
{
	struct gh_rstr s = { .kind = kind, .list = list, .v = v, .key = key };
	int rc;

	push_key(w, key);
	rc = emit(w, &s);
	w->n--;
	return rc;
}

/* o.key, a string */
static int str_member(struct swalk *w, const struct gh_jv *o, const char *key, int kind,
		      int list)
{
	const struct gh_jv *v;
	int rc = member(w->r, o, where_of(w), key, GH_JV_STRING, &v);

	return rc <= 0 ? rc : emit_at(w, key, kind, list, v);
}

/* o.key, an array of strings, each element apart */
static int str_list(struct swalk *w, const struct gh_jv *o, const char *key, int kind,
		    int list)
{
	struct gh_rstr s = { .kind = kind, .list = list };
	const struct gh_jv *a;
	size_t i;
	int rc = member(w->r, o, where_of(w), key, GH_JV_ARRAY, &a);

	if (rc <= 0)
		return rc;
	push_key(w, key);
	for (i = 0; i < gh_jv_len(a) && rc >= 0; i++) {
		s.v = gh_jv_idx(a, i);
		if (!gh_jv_is(s.v, GH_JV_STRING)) {
			rc = bad(w->r, "%s[%zu]: expected a string", where_of(w), i);
			break;
		}
		push_idx(w, i);
		rc = emit(w, &s);
		w->n--;
	}
	w->n--;
	return rc < 0 ? rc : 0;
}

/* o.key, an array of strings run as one command line */
static int argv_member(struct swalk *w, const struct gh_jv *o, const char *key,
		       struct gh_rstr *s)
{
	const struct gh_jv *a;
	int rc = member(w->r, o, where_of(w), key, GH_JV_ARRAY, &a);
	size_t i;

	if (rc <= 0)
		return rc;
	for (i = 0; i < gh_jv_len(a); i++)
		if (!gh_jv_is(gh_jv_idx(a, i), GH_JV_STRING))
			return bad(w->r, "%s.%s[%zu]: expected a string", where_of(w), key,
				   i);
	s->kind = GH_RSTR_ARGV;
	s->v = a;
	s->key = key;
	push_key(w, key);
	rc = emit(w, s);
	w->n--;
	return rc;
}

static int envs(struct swalk *w, const struct gh_jv *o)
{
	const char *const *k;
	const struct gh_jv *e;
	int rc;

	for (k = env_keys; *k; k++) {
		e = get(o, *k);
		if ((gh_jv_is(e, GH_JV_OBJECT) || gh_jv_is(e, GH_JV_ARRAY)) &&
		    (rc = emit_at(w, *k, GH_RSTR_ENV, GH_RLIST_NONE, e)) < 0)
			return rc;
	}
	return 0;
}

static const char *str_of(const struct gh_jv *o, const char *key)
{
	return gh_jv_str(get(o, key), NULL);
}

static int s_provenance(struct swalk *w)
{
	const struct gh_jv *p = get(w->r->root, "provenance");
	struct gh_rstr s = { 0 };
	int rc;

	/* 0.3.0 receipts may have it as one string */
	if (gh_jv_is(p, GH_JV_STRING))
		return emit_at(w, "provenance", GH_RSTR_TEXT, GH_RLIST_NONE, p);
	if ((rc = member(w->r, w->r->root, "", "provenance", GH_JV_OBJECT, &p)) <= 0)
		return rc;
	push_key(w, "provenance");
	s.cwd = str_of(p, "cwd");
	if ((rc = argv_member(w, p, "command", &s)) >= 0 &&
	    (rc = str_member(w, p, "cwd", GH_RSTR_PATH, GH_RLIST_NONE)) >= 0)
		rc = envs(w, p);
	w->n--;
	return rc;
}

static int s_exec(struct swalk *w, const struct gh_jv *e)
{
	struct gh_rstr s = { .cwd = str_of(e, "cwd") };
	int rc;

	if ((rc = argv_member(w, e, "argv", &s)) < 0 ||
	    (rc = str_member(w, e, "exe", GH_RSTR_PATH, GH_RLIST_NONE)) < 0 ||
	    (rc = str_member(w, e, "cwd", GH_RSTR_PATH, GH_RLIST_NONE)) < 0)
		return rc;
	return envs(w, e);
}

static int s_process(struct swalk *w, const struct gh_jv *p, size_t i)
{
	struct gh_rstr s = { .cwd = str_of(p, "working_dir"), .proc = 1, .index = i };
	const struct gh_jv *pid = get(p, "pid"), *execs, *e;
	size_t k;
	int rc;

	s.has_pid = gh_jv_is(pid, GH_JV_INT);
	s.pid = gh_jv_int(pid);
	if ((rc = argv_member(w, p, "argv", &s)) < 0 ||
	    (rc = str_member(w, p, "exe", GH_RSTR_PATH, GH_RLIST_NONE)) < 0 ||
	    (rc = str_member(w, p, "working_dir", GH_RSTR_PATH, GH_RLIST_NONE)) < 0 ||
	    (rc = envs(w, p)) < 0)
		return rc;
	if ((rc = member(w->r, p, where_of(w), "execs", GH_JV_ARRAY, &execs)) <= 0)
		return rc;
	push_key(w, "execs");
	for (k = 0; k < gh_jv_len(execs) && rc >= 0; k++) {
		e = gh_jv_idx(execs, k);
		push_idx(w, k);
		rc = gh_jv_is(e, GH_JV_OBJECT) ? s_exec(w, e) :
						 bad(w->r, "%s: expected an object", where_of(w));
		w->n--;
	}
	w->n--;
	return rc < 0 ? rc : 0;
}

/* process_tree, or the flat processes list with its command lines */
static int s_processes(struct swalk *w, const char *key)
{
	const struct gh_jv *a, *p, *cmd, *pid;
	size_t i;
	int rc = member(w->r, w->r->root, "", key, GH_JV_ARRAY, &a);

	if (rc <= 0)
		return rc;
	push_key(w, key);
	for (i = 0; i < gh_jv_len(a) && rc >= 0; i++) {
		push_idx(w, i);
		p = gh_jv_idx(a, i);
		if (!gh_jv_is(p, GH_JV_OBJECT)) {
			rc = bad(w->r, "%s: expected an object", where_of(w));
		} else if (!strcmp(key, "process_tree")) {
			rc = s_process(w, p, i);
		} else if ((rc = member(w->r, p, where_of(w), "cmd", GH_JV_STRING, &cmd)) > 0) {
			struct gh_rstr s = { .kind = GH_RSTR_CMDLINE, .v = cmd, .key = "cmd",
					     .proc = 1, .index = i };

			pid = get(p, "pid");
			s.has_pid = gh_jv_is(pid, GH_JV_INT);
			s.pid = gh_jv_int(pid);
			push_key(w, "cmd");
			rc = emit(w, &s);
			w->n--;
		}
		w->n--;
	}
	w->n--;
	return rc < 0 ? rc : 0;
}

static int s_access(struct swalk *w, const struct gh_jv *e)
{
	struct gh_rstr s = { .kind = GH_RSTR_TARGET, .list = GH_RLIST_ACCESSES,
			     .key = "target" };
	const char *op = str_of(e, "op");
	int rc;

	if (op && !strcmp(op, "symlink"))
		s.link = str_of(e, "path");
	if ((rc = str_member(w, e, "path", GH_RSTR_PATH, GH_RLIST_ACCESSES)) < 0 ||
	    (rc = str_member(w, e, "path_seen", GH_RSTR_PATH, GH_RLIST_ACCESSES)) < 0 ||
	    (rc = str_member(w, e, "target_seen", GH_RSTR_PATH, GH_RLIST_ACCESSES)) < 0 ||
	    (rc = member(w->r, e, where_of(w), "target", GH_JV_STRING, &s.v)) <= 0)
		return rc;
	push_key(w, "target");
	rc = emit(w, &s);
	w->n--;
	return rc;
}

static int s_filesystem(struct swalk *w)
{
	static const int lists[] = { GH_RLIST_READS, GH_RLIST_WRITES, GH_RLIST_DELETES,
				     GH_RLIST_READ_V0, GH_RLIST_WRITTEN_V0 };
	const struct gh_jv *fs, *a, *e;
	size_t i;
	int rc = member(w->r, w->r->root, "", "filesystem", GH_JV_OBJECT, &fs);

	if (rc <= 0)
		return rc;
	push_key(w, "filesystem");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && rc >= 0; i++)
		rc = str_list(w, fs, gh_receipt_lists[lists[i]].key, GH_RSTR_PATH, lists[i]);
	if (rc >= 0 && (rc = member(w->r, fs, "filesystem", "accesses", GH_JV_ARRAY, &a)) > 0) {
		push_key(w, "accesses");
		for (i = 0; i < gh_jv_len(a) && rc >= 0; i++) {
			e = gh_jv_idx(a, i);
			push_idx(w, i);
			rc = gh_jv_is(e, GH_JV_OBJECT) ? s_access(w, e) :
				bad(w->r, "%s: expected an object", where_of(w));
			w->n--;
		}
		w->n--;
	}
	if (rc >= 0 && (e = get(fs, "policy_violations")))
		rc = emit_at(w, "policy_violations", GH_RSTR_TREE, GH_RLIST_VIOLATIONS, e);
	w->n--;
	return rc < 0 ? rc : 0;
}

static int s_network(struct swalk *w)
{
	static const int lists[] = { GH_RLIST_CONNECTIONS, GH_RLIST_ATTEMPTS,
				     GH_RLIST_INBOUND };
	const struct gh_jv *net, *a, *e;
	const char *key;
	size_t i, k;
	int rc = member(w->r, w->r->root, "", "network", GH_JV_OBJECT, &net);

	if (rc <= 0)
		return rc;
	push_key(w, "network");
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]) && rc >= 0; k++) {
		key = gh_receipt_lists[lists[k]].key;
		if ((rc = member(w->r, net, "network", key, GH_JV_ARRAY, &a)) <= 0)
			continue;
		push_key(w, key);
		for (i = 0; i < gh_jv_len(a) && rc >= 0; i++) {
			e = gh_jv_idx(a, i);
			push_idx(w, i);
			rc = gh_jv_is(e, GH_JV_OBJECT) ?
				     str_member(w, e, lists[k] == GH_RLIST_INBOUND ? "addr" : "dst",
						GH_RSTR_ADDR, lists[k]) :
				     bad(w->r, "%s: expected an object", where_of(w));
			w->n--;
		}
		w->n--;
	}
	w->n--;
	return rc < 0 ? rc : 0;
}

static int s_artifacts(struct swalk *w)
{
	static const char *const keys[] = { "stdout", "stderr" };
	const struct gh_jv *art, *f;
	size_t i;
	int rc = member(w->r, w->r->root, "", "artifacts", GH_JV_OBJECT, &art);

	if (rc <= 0)
		return rc;
	push_key(w, "artifacts");
	for (i = 0; i < 2 && rc >= 0; i++) {
		if ((rc = member(w->r, art, "artifacts", keys[i], GH_JV_OBJECT, &f)) <= 0)
			continue;
		push_key(w, keys[i]);
		rc = str_member(w, f, "path", GH_RSTR_PATH, GH_RLIST_NONE);
		w->n--;
	}
	w->n--;
	return rc < 0 ? rc : 0;
}

static int s_misc(struct swalk *w)
{
	const struct gh_jv *root = w->r->root, *o;
	int rc;

	/* v0: the command line as one string */
	if ((rc = str_member(w, root, "command", GH_RSTR_CMDLINE, GH_RLIST_NONE)) < 0)
		return rc;
	if ((rc = member(w->r, root, "", "outcome", GH_JV_OBJECT, &o)) < 0)
		return rc;
	if (o) {
		push_key(w, "outcome");
		rc = str_member(w, o, "error", GH_RSTR_TEXT, GH_RLIST_NONE);
		w->n--;
		if (rc < 0)
			return rc;
	}
	if ((rc = str_list(w, root, "completeness_reasons", GH_RSTR_TEXT, GH_RLIST_REASONS)) < 0)
		return rc;
	if ((o = get(root, "policy")) &&
	    (rc = emit_at(w, "policy", GH_RSTR_TREE, GH_RLIST_NONE, o)) < 0)
		return rc;
	/* the receipt's "environment" describes the platform; an environment
	 * of variables may stand there too */
	o = get(root, "environment");
	if (gh_jv_is(o, GH_JV_OBJECT) || gh_jv_is(o, GH_JV_ARRAY))
		return emit_at(w, "environment", GH_RSTR_ENV, GH_RLIST_NONE, o);
	return 0;
}

int gh_receipt_strings(struct gh_receipt *r, int (*fn)(void *ctx, const struct gh_rstr *s),
		       void *ctx)
{
	struct swalk w = { .r = r, .fn = fn, .ctx = ctx };
	int rc;

	if ((rc = s_provenance(&w)) < 0 || (rc = s_processes(&w, "process_tree")) < 0 ||
	    (rc = s_processes(&w, "processes")) < 0 || (rc = s_filesystem(&w)) < 0 ||
	    (rc = s_network(&w)) < 0 || (rc = s_artifacts(&w)) < 0 || (rc = s_misc(&w)) < 0)
		return rc;
	return 0;
}

struct json_object *gh_receipt_json_at(struct json_object *root, const struct gh_rstr *s,
				       struct json_object **parent)
{
	struct json_object *o = root, *up = NULL;
	int k;

	for (k = 0; k < s->nsteps && o; k++) {
		up = o;
		if (s->step[k].key) {
			if (!json_object_is_type(o, json_type_object) ||
			    !json_object_object_get_ex(o, s->step[k].key, &o))
				o = NULL;
		} else {
			o = json_object_is_type(o, json_type_array) ?
				    json_object_array_get_idx(o, s->step[k].index) :
				    NULL;
		}
	}
	if (parent)
		*parent = o ? up : NULL;
	return o;
}

int gh_receipt_next_dns(struct gh_receipt *r, struct gh_riter *it, struct gh_rdns *d)
{
	const struct gh_jv *list, *e;
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = gh_receipt_arr(r, "network.dns", &list)) <= 0)
		return rc;
	if (it->i >= gh_jv_len(list))
		return 0;
	snprintf(it->where, sizeof(it->where), "network.dns[%zu]", it->i);
	d->where = it->where;
	e = gh_jv_idx(list, it->i++);
	if (!gh_jv_is(e, GH_JV_OBJECT))
		return bad(r, "%s: expected an object", d->where);
	if ((rc = gh_receipt_mstr(r, e, d->where, "name", &d->name, NULL)) <= 0)
		return rc < 0 ? rc : bad(r, "%s.name: expected a string", d->where);
	if (gh_receipt_mstr(r, e, d->where, "type", &d->type, NULL) < 0 ||
	    gh_receipt_mint(r, e, d->where, "count", &d->count) < 0 ||
	    gh_receipt_mintv(r, e, d->where, "pids", &d->pids) < 0 ||
	    gh_receipt_mstrv(r, e, d->where, "addresses", &d->addresses) < 0)
		return -EINVAL;
	return 1;
}
