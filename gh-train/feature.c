/* Feature extraction from receipts (gh-receipt(5) 0.4.0; older receipts
 * give missing values where they lack members). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature.h"
#include "receipt.h"
#include "json.h"

const struct ft_column ft_columns[FT_NCOLS] = {
	[FT_EXECUTION_ID] = { "execution_id", FT_STR },
	[FT_EXIT_CODE] = { "exit_code", FT_INT },
	[FT_SYSCALLS_DISTINCT] = { "syscalls_distinct", FT_INT },
	[FT_READS] = { "reads", FT_INT },
	[FT_WRITES] = { "writes", FT_INT },
	[FT_NETWORK_ATTEMPTS] = { "network_attempts", FT_INT },
	[FT_SIGNAL] = { "signal", FT_INT },
	[FT_DURATION_MS] = { "duration_ms", FT_INT },
	[FT_CPU_TIME_MS] = { "cpu_time_ms", FT_INT },
	[FT_MAX_RSS_KB] = { "max_rss_kb", FT_INT },
	[FT_PROCESSES] = { "processes", FT_INT },
	[FT_EXECS] = { "execs", FT_INT },
	[FT_SHELL_EXECS] = { "shell_execs", FT_INT },
	[FT_SYSCALLS_TOTAL] = { "syscalls_total", FT_INT },
	[FT_SYSCALLS_DENIED] = { "syscalls_denied", FT_INT },
	[FT_DELETES] = { "deletes", FT_INT },
	[FT_FILES_READ] = { "files_read", FT_INT },
	[FT_FILES_WRITTEN] = { "files_written", FT_INT },
	[FT_FILES_DELETED] = { "files_deleted", FT_INT },
	[FT_FAILED_ACCESSES] = { "failed_accesses", FT_INT },
	[FT_PEERS] = { "peers", FT_INT },
	[FT_LOOPBACK_CONNECTIONS] = { "loopback_connections", FT_INT },
	[FT_EXTERNAL_CONNECTIONS] = { "external_connections", FT_INT },
	[FT_UNIX_CONNECTIONS] = { "unix_connections", FT_INT },
	[FT_INBOUND] = { "inbound", FT_INT },
	[FT_LOST_RECORDS] = { "lost_records", FT_INT },
	[FT_AUDIT_COMPLETE] = { "audit_complete", FT_BOOL },
	[FT_WROTE_OUTSIDE_CWD] = { "wrote_outside_cwd", FT_BOOL },
	[FT_TOUCHED_SENSITIVE] = { "touched_sensitive", FT_BOOL },
	[FT_SPAWNED_SHELL] = { "spawned_shell", FT_BOOL },
	[FT_NETWORK_ATTEMPTED] = { "network_attempted", FT_BOOL },
	[FT_POLICY_VERDICT] = { "policy_verdict", FT_STR },
	[FT_POLICY_VIOLATIONS] = { "policy_violations", FT_INT },
};

/* Paths that are sensitive whatever is done to them: whole components
 * anywhere in the path ("/home/u/.ssh/id_rsa", "/root/.config/gcloud"). */
static const char *const sensitive_components[] = {
	".ssh", ".gnupg", ".aws", ".azure", ".kube", ".config/gcloud",
	".docker/config.json", ".netrc", ".git-credentials", ".pgpass",
	".npmrc", ".pypirc", ".vault-token", ".mozilla/firefox",
	".config/google-chrome", ".config/chromium", NULL
};

/* ... and absolute files or trees. */
static const char *const sensitive_trees[] = {
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
	"/etc/sudoers", "/etc/sudoers.d", "/etc/ssl/private", NULL
};

/* Writes to these never count as writing outside the working directory. */
static const char *const harmless_files[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
	"/dev/tty", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/ptmx",
	NULL
};
static const char *const harmless_trees[] = { "/dev/pts", "/dev/fd", NULL };

static const char *const shells[] = {
	"sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "ksh93", "mksh",
	"pdksh", "oksh", "loksh", "yash", "posh", "fish", "csh", "tcsh", NULL
};

/* Members are read through lib/receipt, which names them in its messages
 * ("NAME:LINE: filesystem.accesses[2]: expected an object"); what only
 * gh-train checks gets the same prefix. */
struct ctx {
	struct gh_receipt *r;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = c->r->name ? snprintf(c->err, c->errlen, "%s: ", c->r->name) : 0;

	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* lib/receipt's message */
static int rfail(struct ctx *c)
{
	snprintf(c->err, c->errlen, "%s", c->r->err);
	return -1;
}

/* A count or measurement at a dotted path, or member key of o (named
 * where): a non-negative integer. 1, 0 when absent or null, -1. */
static int get_count(struct ctx *c, const struct gh_jv *o, const char *where,
		     const char *key, int64_t *out)
{
	int rc = o ? gh_receipt_mint(c->r, o, where, key, out) :
		     gh_receipt_int(c->r, key, out);

	if (rc < 0)
		return rfail(c);
	if (rc == 1 && *out < 0)
		return fail(c, "%s%s%s: expected a non-negative integer",
			    where ? where : "", where ? "." : "", key);
	return rc;
}

static int get_str(struct ctx *c, const struct gh_jv *o, const char *where,
		   const char *key, const char **s, size_t *len)
{
	int rc = o ? gh_receipt_mstr(c->r, o, where, key, s, len) :
		     gh_receipt_str(c->r, key, s, len);

	return rc < 0 ? rfail(c) : rc;
}

/* The array or object at a dotted path: 1, 0 when absent or null, -1. */
static int get_arr(struct ctx *c, const char *path, const struct gh_jv **out)
{
	int rc = gh_receipt_arr(c->r, path, out);

	return rc < 0 ? rfail(c) : rc;
}

static int get_obj(struct ctx *c, const char *path, const struct gh_jv **out)
{
	int rc = gh_receipt_obj(c->r, path, out);

	return rc < 0 ? rfail(c) : rc;
}

/* Element i of array a, which must be an object. */
static int elem(struct ctx *c, const struct gh_jv *a, const char *aname,
		size_t i, const struct gh_jv **out, char *name, size_t namelen)
{
	snprintf(name, namelen, "%s[%zu]", aname, i);
	return gh_receipt_eobj(c->r, a, aname, i, out) <= 0 ? rfail(c) : 0;
}

static int add(struct ctx *c, int64_t *acc, int64_t v, const char *what)
{
	if (__builtin_add_overflow(*acc, v, acc))
		return fail(c, "%s: sum out of range", what);
	return 0;
}

static void set_int(struct ft_row *row, int col, int64_t v)
{
	row->v[col].set = 1;
	row->v[col].i = v;
}

static void set_str(struct ft_row *row, int col, const char *s, size_t len)
{
	row->v[col].set = 1;
	row->v[col].s = s;
	row->v[col].len = len;
}

/* path is dir or below it; dir "/" holds every absolute path. */
static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 0 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int under_any(const char *path, const char *const *list)
{
	for (; *list; list++)
		if (under(path, *list))
			return 1;
	return 0;
}

/* seq ("a" or "a/b") appears in path as whole components. */
static int has_components(const char *path, const char *seq)
{
	size_t n = strlen(seq);
	const char *p;

	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		if (strncmp(p + 1, seq, n) == 0 &&
		    (p[1 + n] == '\0' || p[1 + n] == '/'))
			return 1;
	return 0;
}

/* /proc/X/name or /proc/X/task/Y/name (and below it when tree is set). */
static int proc_entry(const char *p, const char *name, int tree)
{
	size_t n = strlen(name);
	const char *q;

	if (strncmp(p, "/proc/", 6) != 0)
		return 0;
	p += 6;
	q = strchr(p, '/');
	if (!q || q == p)
		return 0;
	p = q + 1;
	if (strncmp(p, "task/", 5) == 0) {
		p += 5;
		q = strchr(p, '/');
		if (!q || q == p)
			return 0;
		p = q + 1;
	}
	return strncmp(p, name, n) == 0 &&
	       (p[n] == '\0' || (tree && p[n] == '/'));
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int sensitive_path(const char *path)
{
	const char *const *s;

	for (s = sensitive_components; *s; s++)
		if (has_components(path, *s))
			return 1;
	return under_any(path, sensitive_trees) ||
	       strncmp(path, "/etc/ssh/ssh_host_", 18) == 0 ||
	       proc_entry(path, "environ", 0) || proc_entry(path, "mem", 0);
}

/* A unix socket that hands out credentials: ssh-agent, gpg-agent. */
static int sensitive_socket(const char *path)
{
	const char *b = base_name(path);
	const char *slash;

	if (sensitive_path(path) || strncmp(b, "S.gpg-agent", 11) == 0)
		return 1;
	if (strncmp(b, "agent.", 6) != 0 || b == path)
		return 0;
	slash = b - 1;
	while (slash > path && slash[-1] != '/')
		slash--;
	return strncmp(slash, "ssh-", 4) == 0;
}

static int sensitive_access(const char *path, const char *op)
{
	if (sensitive_path(path))
		return 1;
	return strcmp(op, "read") != 0 && strcmp(op, "exec") != 0 &&
	       strcmp(op, "chdir") != 0 && under(path, "/etc");
}

static int harmless_write(const char *path)
{
	return path[0] != '/' || in_list(path, harmless_files) ||
	       under_any(path, harmless_trees) || proc_entry(path, "fd", 1);
}

enum net_class { NET_OTHER, NET_UNIX, NET_LOOPBACK, NET_EXTERNAL };

/* Classify a "dst" ("a.b.c.d:port", "[v6]:port", "unix:..."), storing an
 * IP address as 16 bytes (IPv4 in its IPv4-mapped IPv6 form). */
static enum net_class classify(const char *dst, unsigned char addr[16])
{
	char host[INET6_ADDRSTRLEN + 64];
	const char *end;
	struct in_addr a4;
	size_t n;

	if (strncmp(dst, "unix:", 5) == 0)
		return NET_UNIX;
	if (dst[0] == '[') {
		end = strchr(dst, ']');
		if (!end || end[1] != ':')
			return NET_OTHER;
		n = (size_t)(end - dst - 1);
		if (n >= sizeof(host))
			return NET_OTHER;
		memcpy(host, dst + 1, n);
		host[n] = '\0';
		host[strcspn(host, "%")] = '\0';
		if (inet_pton(AF_INET6, host, addr) != 1)
			return NET_OTHER;
		if (IN6_IS_ADDR_LOOPBACK(addr) || IN6_IS_ADDR_UNSPECIFIED(addr))
			return NET_LOOPBACK;
		if (!IN6_IS_ADDR_V4MAPPED(addr))
			return NET_EXTERNAL;
		return addr[12] == 127 ||
		       (addr[12] | addr[13] | addr[14] | addr[15]) == 0 ?
			       NET_LOOPBACK : NET_EXTERNAL;
	}
	end = strrchr(dst, ':');
	if (!end)
		return NET_OTHER;
	n = (size_t)(end - dst);
	if (n >= sizeof(host))
		return NET_OTHER;
	memcpy(host, dst, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &a4) != 1)
		return NET_OTHER;
	memset(addr, 0, 10);
	addr[10] = addr[11] = 0xff;
	memcpy(addr + 12, &a4, 4);
	return addr[12] == 127 || a4.s_addr == 0 ? NET_LOOPBACK : NET_EXTERNAL;
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* A measurement v that must not be negative, into column col. */
static int nonneg(struct ctx *c, int64_t v, const char *what, struct ft_row *row, int col)
{
	if (v < 0)
		return fail(c, "%s: expected a non-negative integer", what);
	set_int(row, col, v);
	return 0;
}

/* Scalars read straight from one member each, or through lib/receipt. */
static int f_scalars(struct ctx *c, struct ft_row *row)
{
	static const struct {
		int col;
		const char *path;
		int count;
	} direct[] = {
		{ FT_SIGNAL, "outcome.signal", 0 },
		{ FT_MAX_RSS_KB, "resources.max_rss_kb", 1 },
		{ FT_FAILED_ACCESSES, "filesystem.failed", 1 },
	};
	static const struct {
		int col, which;
	} lengths[] = {
		{ FT_FILES_READ, GH_RPATHS_READ },
		{ FT_FILES_WRITTEN, GH_RPATHS_WRITE },
		{ FT_FILES_DELETED, GH_RPATHS_DELETE },
	};
	const struct gh_jv *a;
	struct gh_rrun run;
	const char *s;
	size_t len, i;
	int64_t v;
	int rc;

	rc = get_str(c, NULL, NULL, "execution_id", &s, &len);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail(c, "execution_id: missing");
	set_str(row, FT_EXECUTION_ID, s, len);

	for (i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
		rc = direct[i].count ? get_count(c, NULL, NULL, direct[i].path, &v) :
				       gh_receipt_int(c->r, direct[i].path, &v);
		if (rc < 0)
			return direct[i].count ? -1 : rfail(c);
		if (rc)
			set_int(row, direct[i].col, v);
	}
	/* lib/receipt: the receipt's own members, else the 0.3.0 ones */
	if (gh_receipt_run(c->r, &run) < 0)
		return rfail(c);
	if (run.has_status)
		set_int(row, FT_EXIT_CODE, run.status);
	if (run.has_duration && nonneg(c, run.duration_ms, "duration_ms", row,
				       FT_DURATION_MS) < 0)
		return -1;
	if (run.has_cpu && nonneg(c, run.cpu_time_ms, "resources.cpu_time_ms", row,
				  FT_CPU_TIME_MS) < 0)
		return -1;
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		rc = gh_receipt_paths(c->r, lengths[i].which, &a);
		if (rc < 0)
			return rfail(c);
		if (rc)
			set_int(row, lengths[i].col, (int64_t)gh_jv_len(a));
	}
	if ((rc = gh_receipt_nprocs(c->r, &len)) < 0)
		return rfail(c);
	if (rc)
		set_int(row, FT_PROCESSES, (int64_t)len);
	rc = get_str(c, NULL, NULL, "completeness", &s, NULL);
	if (rc < 0)
		return -1;
	if (rc)
		set_int(row, FT_AUDIT_COMPLETE, strcmp(s, "closed") == 0);
	return 0;
}

/* Sum of the members of the object at path, non-negative integers. */
static int sum_members(struct ctx *c, const char *path, struct ft_row *row, int col)
{
	const struct gh_jv *o;
	int64_t total = 0, v;
	size_t i;
	int rc = get_obj(c, path, &o);

	if (rc <= 0)
		return rc;
	for (i = 0; i < gh_jv_len(o); i++) {
		const char *key = gh_jv_str(gh_jv_name(o, i), NULL);

		if ((rc = get_count(c, o, path, key, &v)) <= 0)
			return rc;
		if (add(c, &total, v, path) < 0)
			return -1;
	}
	set_int(row, col, total);
	return 0;
}

static int f_syscalls(struct ctx *c, struct ft_row *row)
{
	const struct gh_jv *o;
	int rc = get_obj(c, "syscalls.counts", &o);

	if (rc < 0)
		return -1;
	if (rc)
		set_int(row, FT_SYSCALLS_DISTINCT, (int64_t)gh_jv_len(o));
	if (sum_members(c, "syscalls.counts", row, FT_SYSCALLS_TOTAL) < 0 ||
	    sum_members(c, "syscalls.denied", row, FT_SYSCALLS_DENIED) < 0 ||
	    sum_members(c, "loss", row, FT_LOST_RECORDS) < 0)
		return -1;
	return 0;
}

struct sensitivity {
	int found, unknown;
};

static int f_accesses(struct ctx *c, struct ft_row *row,
		      struct sensitivity *sens)
{
	static const char *const write_ops[] = {
		"write", "create", "truncate", "chmod", "chown", "rename",
		"link", "symlink", "mkdir", NULL
	};
	static const char *const delete_ops[] = { "delete", "rmdir", NULL };
	const char *aname = "filesystem.accesses";
	const struct gh_jv *a, *e;
	int64_t reads = 0, writes = 0, deletes = 0, count;
	int counts_known = 1;
	size_t i, n;
	int rc;

	rc = get_arr(c, aname, &a);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		sens->unknown = 1;
		return 0;
	}
	n = gh_jv_len(a);
	for (i = 0; i < n; i++) {
		const char *path, *op, *result;
		char name[64];
		int rp, ro, rr, rcnt;

		if (elem(c, a, aname, i, &e, name, sizeof(name)) < 0)
			return -1;
		rp = get_str(c, e, name, "path", &path, NULL);
		ro = rp < 0 ? -1 : get_str(c, e, name, "op", &op, NULL);
		rr = ro < 0 ? -1 : get_str(c, e, name, "result", &result, NULL);
		rcnt = rr < 0 ? -1 : get_count(c, e, name, "count", &count);
		if (rcnt < 0)
			return -1;
		if (rp && ro) {
			if (sensitive_access(path, op))
				sens->found = 1;
		} else {
			sens->unknown = 1;
		}
		if (!ro || !rr || !rcnt) {
			counts_known = 0;
			continue;
		}
		if (strcmp(result, "ok") != 0)
			continue;
		if (strcmp(op, "read") == 0)
			rc = add(c, &reads, count, aname);
		else if (in_list(op, write_ops))
			rc = add(c, &writes, count, aname);
		else if (in_list(op, delete_ops))
			rc = add(c, &deletes, count, aname);
		else
			rc = 0;
		if (rc < 0)
			return -1;
	}
	if (counts_known) {
		set_int(row, FT_READS, reads);
		set_int(row, FT_WRITES, writes);
		set_int(row, FT_DELETES, deletes);
	}
	return 0;
}

/* Any path of a path list (GH_RPATHS_*) outside cwd, harmless ones
 * excepted: 1 yes, 0 no, 2 unknown, -1 error. */
static int outside(struct ctx *c, int which, const char *cwd)
{
	const struct gh_jv *a;
	size_t i;
	int rc = gh_receipt_paths(c->r, which, &a);

	if (rc < 0)
		return rfail(c);
	if (rc == 0)
		return 2;
	for (i = 0; i < gh_receipt_len(a); i++) {
		const char *p = gh_receipt_strv_get(a, i, NULL);

		if (cwd && !under(p, cwd) && !harmless_write(p))
			return 1;
	}
	return 0;
}

static int f_outside_cwd(struct ctx *c, struct ft_row *row)
{
	const char *cwd = NULL;
	int rc, w, d;

	rc = get_str(c, NULL, NULL, "provenance.cwd", &cwd, NULL);
	if (rc < 0)
		return -1;
	/* a directory that is not absolute says nothing of where paths are
	 * ("" would put every path under it) */
	if (rc && cwd[0] != '/')
		rc = 0;
	w = outside(c, GH_RPATHS_WRITE, rc ? cwd : NULL);
	if (w < 0)
		return -1;
	d = outside(c, GH_RPATHS_DELETE, rc ? cwd : NULL);
	if (d < 0)
		return -1;
	if (rc && (w == 1 || d == 1))
		set_int(row, FT_WROTE_OUTSIDE_CWD, 1);
	else if (rc && w == 0 && d == 0)
		set_int(row, FT_WROTE_OUTSIDE_CWD, 0);
	return 0;
}

/* 1 shell, 0 not, 2 unknown. */
static int is_shell_exec(const struct gh_rexec *x)
{
	const char *exe, *applet;
	size_t i;

	if (!x->exe)
		return 2;
	exe = base_name(x->exe);
	if (in_list(exe, shells))
		return 1;
	if (strcmp(exe, "busybox") != 0 && strcmp(exe, "toybox") != 0)
		return 0;
	/* A multi-call binary runs the applet named by argv[0], or by
	 * argv[1] when argv[0] names the binary itself. */
	if (!x->argv)
		return 2;
	for (i = 0; i < gh_receipt_len(x->argv) && i < 2; i++) {
		applet = base_name(gh_receipt_strv_get(x->argv, i, NULL));
		if (strcmp(applet, "busybox") == 0 ||
		    strcmp(applet, "toybox") == 0)
			continue;
		return in_list(applet, shells);
	}
	return 0;
}

/* Execs of every process, counted as gh_receipt_nexecs (gh-policy's
 * "limit execs") counts them: a process_tree entry without execs (0.3.0)
 * is one exec of its exe; the flat list of older receipts gives none
 * known. */
static int f_processes(struct ctx *c, struct ft_row *row)
{
	struct gh_receipt *r = c->r;
	struct gh_riter it = GH_RITER_INIT;
	struct gh_rproc p;
	struct gh_rexec x;
	int64_t execs = 0, shell_execs = 0;
	int shell_known = 1, found = 0;
	size_t j;
	int rc;

	/* without a process_tree nothing is known: the flat list of older
	 * receipts has no execs */
	if ((rc = gh_receipt_nexecs(r, &j)) <= 0)
		return rc < 0 ? rfail(c) : 0;
	while ((rc = gh_receipt_next_proc(r, &it, &p)) > 0) {
		for (j = 0; (rc = gh_receipt_proc_exec(r, &p, j, &x)) > 0; j++) {
			execs++;
			rc = is_shell_exec(&x);
			if (rc == 1) {
				found = 1;
				shell_execs++;
			} else if (rc == 2) {
				shell_known = 0;
			}
		}
		if (rc < 0)
			break;
	}
	if (rc < 0)
		return rfail(c);
	set_int(row, FT_EXECS, execs);
	if (shell_known)
		set_int(row, FT_SHELL_EXECS, shell_execs);
	if (found || shell_known)
		set_int(row, FT_SPAWNED_SHELL, found);
	return 0;
}

/* *sum: the counts of the entries of list path (network.attempts,
 * network.inbound); with peers, of those whose dst is an IP peer (loopback
 * or external) only. 1 when every entry says what the sum needs, 0 when
 * one does not (or the list is absent), -1 on error. */
static int sum_counts(struct ctx *c, const char *path, int peers, int64_t *sum)
{
	const struct gh_jv *a, *e;
	const char *dst = NULL;
	int64_t count;
	size_t i, n;
	int known, rd, rn;

	*sum = 0;
	known = get_arr(c, path, &a);
	if (known < 0)
		return -1;
	n = gh_jv_len(a);
	for (i = 0; i < n; i++) {
		char name[64];
		unsigned char addr[16];
		enum net_class k;

		if (elem(c, a, path, i, &e, name, sizeof(name)) < 0)
			return -1;
		rd = peers ? get_str(c, e, name, "dst", &dst, NULL) : 1;
		rn = rd < 0 ? -1 : get_count(c, e, name, "count", &count);
		if (rn < 0)
			return -1;
		if (!rd || !rn) {
			known = 0;
			continue;
		}
		k = peers ? classify(dst, addr) : NET_EXTERNAL;
		if ((k == NET_LOOPBACK || k == NET_EXTERNAL) &&
		    add(c, sum, count, path) < 0)
			return -1;
	}
	return known;
}

static int f_network(struct ctx *c, struct ft_row *row, struct sensitivity *sens)
{
	const struct gh_jv *a, *e;
	unsigned char (*addrs)[16] = NULL;
	int64_t cls[4] = { 0, 0, 0, 0 }, attempts, inbound;
	int known;
	size_t i, n, naddr = 0, peers = 0;
	const char *dst;
	int rc;

	rc = get_arr(c, "network.connections", &a);
	if (rc < 0)
		return -1;
	known = rc;
	n = gh_jv_len(a);
	if (n) {
		addrs = calloc(n, sizeof(*addrs));
		if (!addrs)
			return fail(c, "%s", strerror(ENOMEM));
	}
	for (i = 0; i < n; i++) {
		char name[64];
		enum net_class k;

		if (elem(c, a, "network.connections", i, &e, name,
			 sizeof(name)) < 0)
			goto err;
		rc = get_str(c, e, name, "dst", &dst, NULL);
		if (rc < 0)
			goto err;
		if (rc == 0) {
			known = 0;
			continue;
		}
		k = classify(dst, addrs[naddr]);
		cls[k]++;
		if (k == NET_LOOPBACK || k == NET_EXTERNAL)
			naddr++;
		if (k == NET_UNIX && sensitive_socket(dst + 5))
			sens->found = 1;
	}
	if (!known)
		sens->unknown = 1;
	if (known) {
		if (naddr)
			qsort(addrs, naddr, 16, cmp16);
		for (i = 0; i < naddr; i++)
			if (i == 0 || memcmp(addrs[i], addrs[i - 1], 16) != 0)
				peers++;
		set_int(row, FT_PEERS, (int64_t)peers);
		set_int(row, FT_LOOPBACK_CONNECTIONS, cls[NET_LOOPBACK]);
		set_int(row, FT_EXTERNAL_CONNECTIONS, cls[NET_EXTERNAL]);
		set_int(row, FT_UNIX_CONNECTIONS, cls[NET_UNIX]);
		set_int(row, FT_NETWORK_ATTEMPTED,
			cls[NET_LOOPBACK] + cls[NET_EXTERNAL] > 0);
	}
	free(addrs);

	rc = sum_counts(c, "network.attempts", 1, &attempts);
	if (rc < 0)
		return -1;
	if (rc)
		set_int(row, FT_NETWORK_ATTEMPTS, attempts);
	rc = sum_counts(c, "network.inbound", 0, &inbound);
	if (rc < 0)
		return -1;
	if (rc)
		set_int(row, FT_INBOUND, inbound);
	return 0;
err:
	free(addrs);
	return -1;
}

static int f_policy(struct ctx *c, struct ft_row *row)
{
	struct gh_rpolicy p;
	int rc = gh_receipt_policy(c->r, &p);

	if (rc <= 0)
		return rc < 0 ? rfail(c) : 0;
	if (p.verdict)
		set_str(row, FT_POLICY_VERDICT, p.verdict, strlen(p.verdict));
	if (p.violations)
		set_int(row, FT_POLICY_VIOLATIONS, (int64_t)gh_jv_len(p.violations));
	return 0;
}

int ft_extract(struct gh_receipt *r, struct ft_row *row, char *err, size_t errlen)
{
	struct ctx c = { r, err, errlen };
	struct sensitivity sens = { 0, 0 };

	memset(row, 0, sizeof(*row));
	if (f_scalars(&c, row) < 0 || f_syscalls(&c, row) < 0 ||
	    f_accesses(&c, row, &sens) < 0 || f_outside_cwd(&c, row) < 0 ||
	    f_processes(&c, row) < 0 || f_network(&c, row, &sens) < 0 ||
	    f_policy(&c, row) < 0)
		return -EINVAL;
	if (sens.found || !sens.unknown)
		set_int(row, FT_TOUCHED_SENSITIVE, sens.found);
	return 0;
}

int ft_csv_header(struct gh_buf *b)
{
	int i;

	for (i = 0; i < FT_NCOLS; i++)
		if ((i && gh_buf_addc(b, ',') < 0) ||
		    gh_buf_adds(b, ft_columns[i].name) < 0)
			return -ENOMEM;
	return gh_buf_addc(b, '\n');
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	return n <= len && gh_utf8_valid((const char *)s, n) ? n : 0;
}

/* A text cell a spreadsheet would read as a formula (OWASP's "CSV
 * injection" list): it starts with = + - @, tab or CR. */
static int csv_formula(const char *s, size_t len)
{
	return len > 0 && strchr("=+-@\t\r", s[0]) && s[0];
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double inner
 * quotes. A cell that would start a formula gets a leading ' inside the
 * quotes, so spreadsheets show it as text. Bytes that are not UTF-8
 * become U+FFFD, as in the JSON output. */
static int csv_str(struct gh_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	int quote = 0, formula = csv_formula(s, len);
	size_t i, n;
	int rc = 0;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if (quote || formula)
		rc |= gh_buf_addc(b, '"');
	if (formula)
		rc |= gh_buf_addc(b, '\'');
	for (i = 0; i < len; i += n ? n : 1) {
		n = utf8_seq(u + i, len - i);
		if (n == 0)
			rc |= gh_buf_adds(b, "\xef\xbf\xbd");
		else if (s[i] == '"')
			rc |= gh_buf_adds(b, "\"\"");
		else
			rc |= gh_buf_add(b, s + i, n);
	}
	if (quote || formula)
		rc |= gh_buf_addc(b, '"');
	return rc ? -ENOMEM : 0;
}

int ft_csv_row(struct gh_buf *b, const struct ft_row *row)
{
	int i, rc = 0;

	for (i = 0; i < FT_NCOLS; i++) {
		const struct ft_value *v = &row->v[i];

		if (i)
			rc |= gh_buf_addc(b, ',');
		if (!v->set)
			continue;
		if (ft_columns[i].type == FT_STR)
			rc |= csv_str(b, v->s, v->len);
		else
			rc |= gh_buf_printf(b, "%lld", (long long)v->i);
	}
	rc |= gh_buf_addc(b, '\n');
	return rc ? -ENOMEM : 0;
}

int ft_json_row(struct gh_buf *b, const struct ft_row *row)
{
	struct json_object *o = json_object_new_object();
	int i, rc;

	if (!o)
		return -ENOMEM;
	for (i = 0; i < FT_NCOLS; i++) {
		const struct ft_value *v = &row->v[i];
		struct json_object *val = NULL;

		if (v->set) {
			switch (ft_columns[i].type) {
			case FT_STR:
				val = json_object_new_string_len(v->s,
								 (int)v->len);
				break;
			case FT_INT:
				val = json_object_new_int64(v->i);
				break;
			case FT_BOOL:
				val = json_object_new_boolean(v->i != 0);
				break;
			}
			if (!val) {
				json_object_put(o);
				return -ENOMEM;
			}
		}
		if (json_object_object_add(o, ft_columns[i].name, val) < 0) {
			json_object_put(val);
			json_object_put(o);
			return -ENOMEM;
		}
	}
	rc = gh_json_to_buf(b, o, 0);
	json_object_put(o);
	if (rc < 0)
		return rc;
	return gh_buf_addc(b, '\n');
}
