/* gh-diff: what run B did that run A did not, and the reverse. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "json.h"
#include "term.h"

#define SYNOPSIS "[--exec] [--files] [--net] [--status] [--json] A B"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s " SYNOPSIS "\n"
		"Compare two receipts: executables run, paths written and deleted\n"
		"(inside a directory the run made: the directory), network peers and\n"
		"names, exit status and completeness. Paths under each run's working\n"
		"directory read $CWD, its own temporary directories and files $TMP.\n"
		"Exit status: 0 no difference, 1 a difference, 2 an error.\n"
		"\n"
		"      --exec     compare executables\n"
		"      --files    compare paths written and deleted\n"
		"      --net      compare peers and names\n"
		"      --status   compare exit status and completeness\n"
		"                 (none of these four: all of them)\n"
		"      --json     the differences as one JSON object\n"
		"  -h, --help     show this help and exit\n"
		"      --version  show the version and exit\n",
		gh_prog);
}

static int load(const char *path, struct runset *rs)
{
	struct gh_receipt r;
	int rc = gh_receipt_read_file(&r, path);

	if (rc == 0)
		rc = runset_build(rs, &r);
	if (rc < 0)
		gh_err("%s", r.err[0] ? r.err : strerror(-rc));
	gh_receipt_release(&r);
	return rc < 0 ? -1 : 0;
}

struct delta {
	const char **added, **removed; /* borrowed from the runsets */
	size_t nadded, nremoved;
};

static int compare(const struct strset *a, const struct strset *b, struct delta *d)
{
	size_t i = 0, k = 0;

	memset(d, 0, sizeof(*d));
	d->added = malloc((b->n + 1) * sizeof(*d->added));
	d->removed = malloc((a->n + 1) * sizeof(*d->removed));
	if (!d->added || !d->removed)
		return -ENOMEM;
	while (i < a->n || k < b->n) {
		int c = i == a->n ? 1 : k == b->n ? -1 : strcmp(a->v[i], b->v[k]);

		if (c < 0)
			d->removed[d->nremoved++] = a->v[i++];
		else if (c > 0)
			d->added[d->nadded++] = b->v[k++];
		else
			i++, k++;
	}
	return 0;
}

static void status_str(const struct runset *rs, char *buf, size_t n)
{
	if (rs->has_sig)
		snprintf(buf, n, "signal %lld", (long long)rs->sig);
	else if (rs->has_code)
		snprintf(buf, n, "exit %lld", (long long)rs->code);
	else
		snprintf(buf, n, "unknown");
}

static struct json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jstatus(const struct runset *rs)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "exit_code", rs->has_code && !rs->has_sig ?
				json_object_new_int64(rs->code) : NULL);
	json_object_object_add(o, "signal", rs->has_sig ? json_object_new_int64(rs->sig) : NULL);
	return o;
}

static struct json_object *jlist(const char **v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* s escaped for a terminal, then a newline */
static int term_line(struct gh_buf *b, const char *s)
{
	if (gh_term_esc(b, s, strlen(s), 0) < 0)
		return -ENOMEM;
	return gh_buf_addc(b, '\n');
}

/* A completeness for a terminal, then a newline: closed and partial as
 * they are, "unknown" when the receipt has none, anything else quoted and
 * escaped (a receipt that says "unknown" must not read as one that does
 * not say). */
static int comp_line(struct gh_buf *b, const char *s)
{
	if (!s)
		return gh_buf_adds(b, "unknown\n");
	if (strcmp(s, "closed") == 0 || strcmp(s, "partial") == 0)
		return term_line(b, s);
	if (gh_buf_addc(b, '"') < 0 || gh_term_esc(b, s, strlen(s), 0) < 0)
		return -ENOMEM;
	return gh_buf_adds(b, "\"\n");
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int main(int argc, char **argv)
{
	enum { O_EXEC = 256, O_FILES, O_NET, O_STATUS, O_JSON, O_VERSION };
	static const struct option opts[] = {
		{ "exec", no_argument, NULL, O_EXEC },
		{ "files", no_argument, NULL, O_FILES },
		{ "net", no_argument, NULL, O_NET },
		{ "status", no_argument, NULL, O_STATUS },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	/* which sets each selection compares */
	int want[S_COUNT] = { 0 }, want_status = 0, any = 0, json = 0, c, i, differ = 0;
	struct runset a, b;
	struct delta d[S_COUNT];
	struct gh_buf out = GH_BUF_INIT;
	char sa[48], sb[48];
	int status_differs, comp_differs, rc = GH_EXIT_ERR;

	gh_init("gh-diff");
	opterr = 0;
	/* parse options */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_EXEC:
			want[S_EXEC] = any = 1;
			break;
		case O_FILES:
			want[S_WRITTEN] = want[S_DELETED] = any = 1;
			break;
		case O_NET:
			want[S_PEERS] = any = 1;
			break;
		case O_STATUS:
			want_status = any = 1;
			break;
		case O_JSON:
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		case O_VERSION:
			gh_print_version();
			return gh_close_stdout() ? GH_EXIT_ERR : GH_EXIT_OK;
		default:
			gh_bad_option(SYNOPSIS, c, argv, opts);
		}
	}
	if (argc - optind < 2)
		gh_usage_error(SYNOPSIS, "expected two receipts, A and B");
	if (argc - optind > 2)
		gh_usage_error(SYNOPSIS, "too many arguments: '%s'", argv[optind + 2]);
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
		gh_usage_error(SYNOPSIS, "A and B can't both be stdin");
	if (!any) {
		for (i = 0; i < S_COUNT; i++)
			want[i] = 1;
		want_status = 1;
	}

	/* read both */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(d, 0, sizeof(d));
	if (load(argv[optind], &a) < 0 || load(argv[optind + 1], &b) < 0)
		goto out;

	/* compare */
	for (i = 0; i < S_COUNT; i++) {
		if (compare(&a.s[i], &b.s[i], &d[i]) < 0) {
			gh_err("%s", strerror(ENOMEM));
			goto out;
		}
		if (want[i] && (d[i].nadded || d[i].nremoved))
			differ = 1;
	}
	status_str(&a, sa, sizeof(sa));
	status_str(&b, sb, sizeof(sb));
	status_differs = strcmp(sa, sb) != 0;
	comp_differs = !same_str(a.completeness, b.completeness);
	if (want_status && (status_differs || comp_differs))
		differ = 1;

	/* write */
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "a", json_object_new_string(gh_input_name(argv[optind])));
		json_object_object_add(o, "b", json_object_new_string(gh_input_name(argv[optind + 1])));
		json_object_object_add(o, "differ", json_object_new_boolean(differ));
		for (i = 0; i < S_COUNT; i++) {
			struct json_object *s;

			if (!want[i])
				continue;
			s = json_object_new_object();
			json_object_object_add(s, "added", jlist(d[i].added, d[i].nadded));
			json_object_object_add(s, "removed", jlist(d[i].removed, d[i].nremoved));
			json_object_object_add(o, set_name(i), s);
		}
		if (want_status) {
			struct json_object *s = json_object_new_object(), *x;

			json_object_object_add(s, "a", jstatus(&a));
			json_object_object_add(s, "b", jstatus(&b));
			json_object_object_add(s, "differ", json_object_new_boolean(status_differs));
			json_object_object_add(o, "status", s);
			x = json_object_new_object();
			json_object_object_add(x, "a", jstr_or_null(a.completeness));
			json_object_object_add(x, "b", jstr_or_null(b.completeness));
			json_object_object_add(x, "differ", json_object_new_boolean(comp_differs));
			json_object_object_add(o, "completeness", x);
		}
		if (gh_json_to_buf(&out, o, GH_JW_PRETTY) < 0 || gh_buf_addc(&out, '\n') < 0) {
			json_object_put(o);
			gh_err("%s", strerror(ENOMEM));
			goto out;
		}
		json_object_put(o);
	} else {
		if (differ) {
			gh_buf_adds(&out, "--- ");
			term_line(&out, gh_input_name(argv[optind]));
			gh_buf_adds(&out, "+++ ");
			term_line(&out, gh_input_name(argv[optind + 1]));
		}
		for (i = 0; i < S_COUNT; i++) {
			if (!want[i] || !(d[i].nadded + d[i].nremoved))
				continue;
			gh_buf_printf(&out, "%s\n", set_name(i));
			for (size_t k = 0; k < d[i].nremoved; k++) {
				gh_buf_adds(&out, "- ");
				if (term_line(&out, d[i].removed[k]) < 0)
					goto nomem;
			}
			for (size_t k = 0; k < d[i].nadded; k++) {
				gh_buf_adds(&out, "+ ");
				if (term_line(&out, d[i].added[k]) < 0)
					goto nomem;
			}
		}
		if (want_status && status_differs)
			gh_buf_printf(&out, "status\n- %s\n+ %s\n", sa, sb);
		if (want_status && comp_differs) {
			gh_buf_adds(&out, "completeness\n- ");
			comp_line(&out, a.completeness);
			gh_buf_adds(&out, "+ ");
			if (comp_line(&out, b.completeness) < 0)
				goto nomem;
		}
		if (!out.p && gh_buf_adds(&out, "") < 0)
			goto nomem;
	}
	fwrite(out.p, 1, out.len, stdout);
	rc = gh_close_stdout() ? GH_EXIT_ERR : differ ? GH_EXIT_NO : GH_EXIT_OK;
	goto out;
nomem:
	gh_err("%s", strerror(ENOMEM));
out:
	for (i = 0; i < S_COUNT; i++) {
		free(d[i].added);
		free(d[i].removed);
	}
	runset_release(&a);
	runset_release(&b);
	gh_buf_release(&out);
	return rc;
}
