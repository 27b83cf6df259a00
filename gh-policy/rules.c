/* gh-policy: reading and compiling a rules file (the language is in
 * gh-policy(5)). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"
#include "policy.h"

#define MAX_TOKENS 64
#define MAX_INCLUDE_DEPTH 32
#define MAX_FILES 256	/* rules files read in all, the main one included */
#define MAX_RULES 100000
#define MAX_ALTERNATIVES 256

/* Namespace kinds, in the order of the CLONE_NEW* bits eval.c maps. */
static const char *const ns_words[] = { "mount", "cgroup", "uts", "ipc", "user",
					"pid",	 "net",	   "time", NULL };
/* Where a controlled process is: outside the traced tree or in it. */
static const char *const target_words[] = { "foreign", "tree", NULL };
/* bpf(2) commands, lower case without BPF_, by number (enum bpf_cmd). */
static const char *const bpf_words[] = {
	"map_create", "map_lookup_elem", "map_update_elem", "map_delete_elem",
	"map_get_next_key", "prog_load", "obj_pin", "obj_get", "prog_attach",
	"prog_detach", "prog_test_run", "prog_get_next_id", "map_get_next_id",
	"prog_get_fd_by_id", "map_get_fd_by_id", "obj_get_info_by_fd",
	"prog_query", "raw_tracepoint_open", "btf_load", "btf_get_fd_by_id",
	"task_fd_query", "map_lookup_and_delete_elem", "map_freeze",
	"btf_get_next_id", "map_lookup_batch", "map_lookup_and_delete_batch",
	"map_update_batch", "map_delete_batch", "link_create", "link_update",
	"link_get_fd_by_id", "link_get_next_id", "enable_stats", "iter_create",
	"link_detach", "prog_bind_map", "token_create",
	"prog_stream_read_by_fd", NULL
};

const char *policy_bpf_cmd(int64_t cmd)
{
	if (cmd < 0 || cmd >= (int64_t)(sizeof(bpf_words) / sizeof(bpf_words[0]) - 1))
		return NULL;
	return bpf_words[cmd];
}

const char *policy_ns_kind(int bit)
{
	return bit >= 0 && bit < 8 ? ns_words[bit] : NULL;
}

static const struct {
	const char *name;
	int family;
	int args;
	const char *const *words;
} subjects[S_COUNT] = {
	[S_READ] = { "read", FAM_PATH, 0, NULL },
	[S_WRITE] = { "write", FAM_PATH, 0, NULL },
	[S_DELETE] = { "delete", FAM_PATH, 0, NULL },
	[S_CREATE] = { "create", FAM_PATH, 0, NULL },
	[S_TRUNCATE] = { "truncate", FAM_PATH, 0, NULL },
	[S_CHMOD] = { "chmod", FAM_PATH, 0, NULL },
	[S_CHOWN] = { "chown", FAM_PATH, 0, NULL },
	[S_MKDIR] = { "mkdir", FAM_PATH, 0, NULL },
	[S_LINK] = { "link", FAM_PATH, 0, NULL },
	[S_SYMLINK] = { "symlink", FAM_PATH, 0, NULL },
	[S_RENAME] = { "rename", FAM_PATH, 0, NULL },
	[S_UNLINK] = { "unlink", FAM_PATH, 0, NULL },
	[S_RMDIR] = { "rmdir", FAM_PATH, 0, NULL },
	[S_CHDIR] = { "chdir", FAM_PATH, 0, NULL },
	[S_EXEC] = { "exec", FAM_EXEC, 1, NULL },
	[S_CONNECT] = { "connect", FAM_NET, 0, NULL },
	[S_SEND] = { "send", FAM_NET, 0, NULL },
	[S_INBOUND] = { "inbound", FAM_NET, 0, NULL },
	[S_BIND] = { "bind", FAM_NET, 0, NULL },
	[S_LISTEN] = { "listen", FAM_NET, 0, NULL },
	[S_ACCEPT] = { "accept", FAM_NET, 0, NULL },
	[S_MOUNT] = { "mount", FAM_PATH, 0, NULL },
	[S_CHROOT] = { "chroot", FAM_PATH, 0, NULL },
	[S_MKNOD] = { "mknod", FAM_PATH, 0, NULL },
	[S_XATTR] = { "xattr", FAM_PATH, 1, NULL },
	[S_UTIME] = { "utime", FAM_PATH, 0, NULL },
	[S_NAMESPACE] = { "namespace", FAM_WORD, 0, ns_words },
	[S_PTRACE] = { "ptrace", FAM_WORD, 0, target_words },
	[S_SIGNAL] = { "signal", FAM_WORD, 1, target_words },
	[S_BPF] = { "bpf", FAM_WORD, 0, bpf_words },
	[S_SYSCALL] = { "syscall", FAM_WORD, 0, NULL },
};

static const char *const fields[L_COUNT] = {
	[L_DURATION_MS] = "duration_ms",
	[L_CPU_TIME_MS] = "cpu_time_ms",
	[L_MAX_RSS_KB] = "max_rss_kb",
	[L_PROCESSES] = "processes",
	[L_EXECS] = "execs",
	[L_CONNECTIONS] = "connections",
	[L_ATTEMPTS] = "attempts",
	[L_INBOUND] = "inbound",
	[L_BYTES_SENT] = "bytes_sent",
	[L_READS] = "reads",
	[L_WRITES] = "writes",
	[L_DELETES] = "deletes",
	[L_ACCESSES] = "accesses",
	[L_FAILED] = "failed",
	[L_LOST] = "lost",
	[L_EXIT_CODE] = "exit_code",
};

static const char *const protos[P_COUNT] = {
	[P_TCP] = "tcp", [P_UDP] = "udp", [P_UNIX] = "unix",
	[P_ICMP] = "icmp", [P_OTHER] = "other",
};

const char *subject_name(int s)
{
	return subjects[s].name;
}

int subject_family(int s)
{
	return subjects[s].family;
}

int proto_bit(const char *name, size_t len)
{
	for (int i = 0; i < P_COUNT; i++)
		if (strlen(protos[i]) == len && memcmp(protos[i], name, len) == 0)
			return i;
	return -1;
}

struct token {
	char *s; /* unquoted text, NUL terminated */
	size_t len;
	int quoted;
	size_t start, end; /* in the line */
};

struct strvec {
	char **v;
	size_t n, cap;
};

static void strvec_release(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static int strvec_push(struct strvec *sv, char *s)
{
	if (!s)
		return -ENOMEM;
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? 2 * sv->cap : 4;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

struct parser {
	struct policy *p;
	char *err;
	size_t errlen;
	const char *file;
	unsigned long line;
	struct {
		dev_t dev;
		ino_t ino;
		const char *path;
	} stack[MAX_INCLUDE_DEPTH + 1];
	int depth;
	int statements; /* statements read so far in the current file */
	struct token tok[MAX_TOKENS];
	size_t ntok;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "%s:%lu: ", ps->file, ps->line);

	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* "'text'" (escaped) for messages, in a static buffer: one use per
 * message. */
static const char *quote(const char *s, size_t len)
{
	static char out[256];
	struct gh_buf b = GH_BUF_INIT;

	gh_buf_addc(&b, '\'');
	esc_add(&b, s, len > 160 ? 160 : len);
	if (len > 160)
		gh_buf_adds(&b, "...");
	gh_buf_addc(&b, '\'');
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "''");
	gh_buf_release(&b);
	return out;
}

static const char *got(struct parser *ps, size_t i)
{
	if (i >= ps->ntok)
		return "end of line";
	return quote(ps->tok[i].s, ps->tok[i].len);
}

static void tokens_release(struct parser *ps)
{
	for (size_t i = 0; i < ps->ntok; i++)
		free(ps->tok[i].s);
	ps->ntok = 0;
}

/* Split a line into words: blanks separate, '#' at the start of a word
 * begins a comment, "..." quotes (with \" and \\ as escapes; any other
 * backslash stays, as in sh). */
static int tokenize(struct parser *ps, const char *line, size_t len)
{
	size_t i = 0;

	ps->ntok = 0;
	for (;;) {
		struct gh_buf b = GH_BUF_INIT;
		struct token *t;
		int quoted = 0;
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len || line[i] == '#')
			return 0;
		if (ps->ntok == MAX_TOKENS)
			return fail(ps, "expected at most %d words, got more",
				    MAX_TOKENS);
		start = i;
		if (gh_buf_grow(&b, 16) < 0)
			return fail(ps, "out of memory");
		while (i < len && line[i] != ' ' && line[i] != '\t') {
			if (line[i] != '"') {
				gh_buf_addc(&b, line[i++]);
				continue;
			}
			quoted = 1;
			i++;
			while (i < len && line[i] != '"') {
				if (line[i] == '\\' && i + 1 < len &&
				    (line[i + 1] == '"' || line[i + 1] == '\\'))
					i++;
				gh_buf_addc(&b, line[i++]);
			}
			if (i >= len) {
				gh_buf_release(&b);
				return fail(ps, "expected a closing '\"', got end of line");
			}
			i++;
		}
		b.p[b.len] = '\0'; /* gh_buf_grow left room; "" adds nothing */
		t = &ps->tok[ps->ntok++];
		t->s = b.p;
		t->len = b.len;
		t->quoted = quoted;
		t->start = start;
		t->end = i;
	}
}

/* Index of the ']' closing the class that starts at s[i] == '[', or 0. */
static size_t class_end(const char *s, size_t i)
{
	size_t j = i + 1;

	if (s[j] == '!' || s[j] == '^')
		j++;
	if (s[j] == ']')
		j++;
	for (; s[j]; j++) {
		if (s[j] == '\\' && s[j + 1])
			j++;
		else if (s[j] == ']')
			return j;
	}
	return 0;
}

/* For brace_expand, in one pass over s[0..len): where the '{' at each
 * index closes (0: it does not) and whether a comma of its own is in it,
 * as a scan from that '{' finds them (backslash escapes skipped, classes
 * not); and at each index, the first ']' a class scan from there stops
 * at (0: none), as class_end scans. A scan from every '{' or '[' would
 * take time quadratic in the word: a hostile rules file could make one
 * line cost minutes. */
struct braces {
	size_t *close, *rbr, *stack;
	unsigned char *comma;
};

static void braces_release(struct braces *t)
{
	free(t->close);
	free(t->rbr);
	free(t->stack);
	free(t->comma);
}

static int braces_scan(const char *s, size_t len, struct braces *t)
{
	size_t j, top = 0;

	t->close = calloc(len + 2, sizeof(*t->close));
	t->rbr = calloc(len + 2, sizeof(*t->rbr));
	t->stack = calloc(len + 1, sizeof(*t->stack));
	t->comma = calloc(len + 1, 1);
	if (!t->close || !t->rbr || !t->stack || !t->comma)
		return -1;
	for (j = 0; j < len; j++) {
		if (s[j] == '\\' && s[j + 1])
			j++;
		else if (s[j] == '{')
			t->stack[top++] = j;
		else if (s[j] == '}' && top)
			t->close[t->stack[--top]] = j;
		else if (s[j] == ',' && top)
			t->comma[t->stack[top - 1]] = 1;
	}
	for (j = len; j-- > 0;) {
		if (s[j] == '\\' && s[j + 1])
			t->rbr[j] = t->rbr[j + 2];
		else
			t->rbr[j] = s[j] == ']' ? j : t->rbr[j + 1];
	}
	return 0;
}

/* class_end(s, i) from the table. */
static size_t class_end_of(const char *s, size_t i, const struct braces *t)
{
	size_t j = i + 1;

	if (s[j] == '!' || s[j] == '^')
		j++;
	if (s[j] == ']')
		j++;
	return t->rbr[j];
}

/* Brace expansion as in sh: "a{b,c}d" gives "abd" and "acd"; a group
 * without a comma, or an unmatched brace, stays literal. */
static int brace_expand(struct parser *ps, const char *s, struct strvec *out)
{
	size_t i, len = strlen(s);
	struct braces t = { 0 };

	if (braces_scan(s, len, &t) < 0) {
		braces_release(&t);
		return fail(ps, "out of memory");
	}
	for (i = 0; i < len; i++) {
		size_t j, depth, close;

		if (s[i] == '\\' && s[i + 1]) {
			i++;
			continue;
		}
		if (s[i] == '[') {
			size_t e = class_end_of(s, i, &t);

			if (e)
				i = e;
			continue;
		}
		if (s[i] != '{' || !t.close[i] || !t.comma[i])
			continue;
		close = t.close[i];
		braces_release(&t);
		/* expand each alternative of s[i+1..close) */
		size_t a = i + 1;
		depth = 0;
		for (j = i + 1; j <= close; j++) {
			if (j < close && s[j] == '\\' && s[j + 1]) {
				j++;
				continue;
			}
			if (j < close && s[j] == '{')
				depth++;
			else if (j < close && s[j] == '}')
				depth--;
			else if (j == close || (s[j] == ',' && depth == 0)) {
				struct gh_buf b = GH_BUF_INIT;
				int rc;

				gh_buf_add(&b, s, i);
				gh_buf_add(&b, s + a, j - a);
				gh_buf_adds(&b, s + close + 1);
				if (!b.p)
					return fail(ps, "out of memory");
				rc = brace_expand(ps, b.p, out);
				gh_buf_release(&b);
				if (rc < 0)
					return rc;
				a = j + 1;
			}
		}
		return 0;
	}
	braces_release(&t);
	if (out->n >= MAX_ALTERNATIVES)
		return fail(ps, "expected at most %d brace alternatives, got more",
			    MAX_ALTERNATIVES);
	if (strvec_push(out, strdup(s)) < 0)
		return fail(ps, "out of memory");
	return 0;
}

static int expand(struct parser *ps, size_t i, struct strvec *out)
{
	return brace_expand(ps, ps->tok[i].s, out);
}

static int add_pathpat(struct rule *r, const char *text, int cwd)
{
	struct pathpat *pp = realloc(r->pats, (r->npats + 1) * sizeof(*pp));
	char *t, *w;

	if (!pp)
		return -ENOMEM;
	r->pats = pp;
	t = strdup(text);
	if (!t)
		return -ENOMEM;
	/* collapse runs of '/', drop a trailing one */
	for (w = t; *text; text++) {
		if (*text == '/' && w > t && w[-1] == '/')
			continue;
		*w++ = *text;
	}
	*w = '\0';
	if (w - t > 1 && w[-1] == '/' && !(w - t >= 2 && w[-2] == '\\'))
		w[-1] = '\0';
	pp[r->npats].text = t;
	pp[r->npats].cwd = cwd;
	r->npats++;
	return 0;
}

/* "pipe:", "socket:", "anon_inode:": names the kernel gives to what is not
 * in the file system tree. */
static int pseudo_prefix(const char *s)
{
	size_t i = 0;

	while (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z'))
		i++;
	return i > 0 && s[i] == ':';
}

/* One path or executable pattern (braces already expanded). */
static int path_pattern(struct parser *ps, struct rule *r, const char *alt,
			int exec, const char *tokshown)
{
	struct gh_buf b = GH_BUF_INIT;
	size_t before = r->npats;
	int rc = 0;

	if (strncmp(alt, "$CWD", 4) == 0 && (alt[4] == '/' || !alt[4])) {
		rc = add_pathpat(r, alt + 4, 1);
	} else if (alt[0] == '~') {
		const char *rest = strchrnul(alt, '/');
		size_t nlen = rest - alt - 1;

		if (nlen == 0) {
			gh_buf_printf(&b, "/root%s", rest);
			rc = add_pathpat(r, b.p, 0);
			b.len = 0;
			gh_buf_printf(&b, "/home/*%s", rest);
			rc = rc ? rc : add_pathpat(r, b.p, 0);
		} else if (nlen == 4 && memcmp(alt + 1, "root", 4) == 0) {
			gh_buf_printf(&b, "/root%s", rest);
			rc = add_pathpat(r, b.p, 0);
		} else {
			gh_buf_printf(&b, "/home/%.*s%s", (int)nlen, alt + 1, rest);
			rc = add_pathpat(r, b.p, 0);
		}
	} else if (exec && !strchr(alt, '/')) {
		gh_buf_printf(&b, "**/%s", alt);
		rc = add_pathpat(r, b.p, 0);
	} else if (alt[0] == '/' || alt[0] == '*' ||
		   (!exec && pseudo_prefix(alt))) {
		rc = add_pathpat(r, alt, 0);
	} else {
		return fail(ps, "expected an absolute %s pattern (/..., ~/..., "
			    "$CWD/... or **/...), got %s",
			    exec ? "executable" : "path", tokshown);
	}
	gh_buf_release(&b);
	if (rc < 0)
		return fail(ps, "out of memory");
	/* compile once here so that a malformed glob is an error with its line */
	for (size_t k = before; k < r->npats; k++) {
		struct gh_glob *g = NULL;
		struct gh_buf t = GH_BUF_INIT;

		gh_buf_printf(&t, "%s%s", r->pats[k].cwd ? "/cwd" : "",
			      r->pats[k].text);
		rc = t.p ? gh_glob_compile(t.p, &g) : -ENOMEM;
		gh_buf_release(&t);
		gh_glob_free(g);
		if (rc == -EINVAL)
			return fail(ps, "expected a well-formed glob (classes "
				    "closed, no '\\' at the end), got %s",
				    quote(alt, strlen(alt)));
		if (rc < 0)
			return fail(ps, "out of memory");
	}
	return 0;
}

static int args_pattern_ok(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == '[' && !class_end(s, i))
			return 0;
		else if (s[i] == '[')
			i = class_end(s, i);
	}
	return 1;
}

/* Whether every subject in bits takes an argument pattern. */
static int takes_args(uint32_t bits)
{
	for (int s = 0; s < S_COUNT; s++)
		if ((bits & (1u << s)) && !subjects[s].args)
			return 0;
	return bits != 0;
}

/* One word pattern (braces already expanded; takes alt): it must match a
 * word of one of the rule's subjects, so that a misspelt name is an error
 * rather than a rule that never fires. */
static int word_pattern(struct parser *ps, struct rule *r, char *alt)
{
	struct gh_buf b = GH_BUF_INIT;
	char **v;
	int hit = 0;

	for (int s = 0; s < S_COUNT && !hit; s++) {
		/* syscall: any name, in the characters names have */
		if ((r->subjects & (1u << s)) && !subjects[s].words)
			hit = args_pattern_ok(alt) && alt[0] &&
			      strspn(alt, "abcdefghijklmnopqrstuvwxyz0123456789_*?[]!-{},") ==
				      strlen(alt);
		for (size_t k = 0; (r->subjects & (1u << s)) && subjects[s].words &&
				   subjects[s].words[k] && !hit; k++)
			hit = args_pattern_ok(alt) &&
			      wild_match(alt, subjects[s].words[k],
					 strlen(subjects[s].words[k]));
	}
	if (!hit) {
		for (int s = 0; s < S_COUNT; s++)
			for (size_t k = 0; (r->subjects & (1u << s)) &&
					   subjects[s].words && subjects[s].words[k]; k++)
				gh_buf_printf(&b, "%s%s", b.len ? ", " : "",
					      subjects[s].words[k]);
		if (b.p)
			fail(ps, "expected %s (or a pattern matching some), got %s",
			     b.p, quote(alt, strlen(alt)));
		else
			fail(ps, "expected a syscall name or a pattern of one "
			     "(a-z, 0-9, _, wildcards), got %s", quote(alt, strlen(alt)));
		gh_buf_release(&b);
		free(alt);
		return -1;
	}
	v = realloc(r->words, (r->nwords + 1) * sizeof(*v));
	if (!v) {
		free(alt);
		return fail(ps, "out of memory");
	}
	r->words = v;
	r->words[r->nwords++] = alt;
	return 0;
}

static int qualifier(const struct token *t, const char *key)
{
	size_t n = strlen(key);

	return !t->quoted && t->len > n && memcmp(t->s, key, n) == 0 &&
	       t->s[n] == '=';
}

static int parse_results(struct parser *ps, struct rule *r, size_t i)
{
	const char *s = ps->tok[i].s + strlen("result=");

	if (r->res_mode != R_ANY)
		return fail(ps, "expected one result= qualifier, got a second: %s",
			    got(ps, i));
	r->res_mode = R_LIST;
	for (;;) {
		size_t n = strcspn(s, ",");
		char **v;

		if (n == 0)
			return fail(ps, "expected result names (ok, failed, "
				    "ENOENT, refused, ...) after 'result=', got %s",
				    got(ps, i));
		for (size_t k = 0; k < n; k++)
			if (!isalnum((unsigned char)s[k]) && s[k] != '_')
				return fail(ps, "expected result names (ok, failed, "
					    "ENOENT, refused, ...) after "
					    "'result=', got %s", got(ps, i));
		if (n == 2 && memcmp(s, "ok", 2) == 0) {
			r->res_ok = 1;
		} else if (n == 6 && memcmp(s, "failed", 6) == 0) {
			r->res_failed = 1;
		} else {
			v = realloc(r->results, (r->nresults + 1) * sizeof(*v));
			if (!v || !(v[r->nresults] = strndup(s, n))) {
				if (v)
					r->results = v;
				return fail(ps, "out of memory");
			}
			r->results = v;
			r->nresults++;
		}
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

static int parse_protos(struct parser *ps, struct rule *r, size_t i)
{
	const char *s = ps->tok[i].s + strlen("proto=");

	if (r->protos)
		return fail(ps, "expected one proto= qualifier, got a second: %s",
			    got(ps, i));
	for (;;) {
		size_t n = strcspn(s, ",");
		int bit = proto_bit(s, n);

		if (bit < 0)
			return fail(ps, "expected protocols (tcp, udp, unix, icmp, "
				    "other) after 'proto=', got %s", got(ps, i));
		r->protos |= 1u << bit;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

/* path_status=lexical: an allow rule that takes a lexical path at its
 * word (gh-policy(5), "Two names, and paths not resolved"). */
static int parse_path_status(struct parser *ps, struct rule *r, size_t i)
{
	if (strcmp(ps->tok[i].s, "path_status=lexical") != 0)
		return fail(ps, "expected 'path_status=lexical', got %s", got(ps, i));
	if (r->kind != K_ALLOW)
		return fail(ps, "expected path_status=lexical on an allow rule "
			    "(a deny already takes every lexical path it could "
			    "match), got %s", got(ps, i));
	if (r->lexical)
		return fail(ps, "expected one path_status= qualifier, got a "
			    "second: %s", got(ps, i));
	r->lexical = 1;
	return 0;
}

/* "read,write" -> bits; all of one family. */
static int parse_subjects(struct parser *ps, size_t i, uint32_t *bits,
			  int *family)
{
	const char *s;

	if (i >= ps->ntok)
		goto bad;
	s = ps->tok[i].s;
	*bits = 0;
	*family = -1;
	for (;;) {
		size_t n = strcspn(s, ",");
		int k;

		for (k = 0; k < S_COUNT; k++)
			if (strlen(subjects[k].name) == n &&
			    memcmp(subjects[k].name, s, n) == 0)
				break;
		if (k == S_COUNT)
			goto bad;
		if (*family >= 0 && *family != subjects[k].family)
			return fail(ps, "expected subjects of one kind (file "
				    "operations, exec, network, or namespace, "
				    "ptrace, signal, bpf, syscall), got %s",
				    got(ps, i));
		*family = subjects[k].family;
		*bits |= 1u << k;
		if (!s[n])
			return 0;
		s += n + 1;
	}
bad:
	return fail(ps, "expected a subject (read, write, delete, create, "
		    "truncate, chmod, chown, mkdir, link, symlink, rename, "
		    "unlink, rmdir, chdir, exec, connect, send, inbound, bind, "
		    "listen, accept, mount, chroot, mknod, xattr, utime, "
		    "namespace, ptrace, signal, bpf, syscall), got %s", got(ps, i));
}

static int end_of_line(struct parser *ps, size_t i)
{
	if (i < ps->ntok)
		return fail(ps, "expected end of line, got %s", got(ps, i));
	return 0;
}

static int parse_match(struct parser *ps, struct rule *r)
{
	struct strvec alts = { 0 };
	int family, rc = -1;
	size_t i = 3;

	if (parse_subjects(ps, 1, &r->subjects, &family) < 0)
		return -1;
	r->subject_word = strdup(ps->tok[1].s);
	if (!r->subject_word)
		return fail(ps, "out of memory");
	if (ps->ntok < 3)
		return fail(ps, "expected %s pattern, got end of line",
			    family == FAM_NET ? "a network" :
			    family == FAM_EXEC ? "an executable" :
			    family == FAM_WORD ? "a word" : "a path");
	if (expand(ps, 2, &alts) < 0)
		goto out;
	for (size_t k = 0; k < alts.n; k++) {
		if (family == FAM_NET) {
			struct netpat *np = realloc(r->nets, (r->nnets + 1) * sizeof(*np));
			char why[200];

			if (!np) {
				fail(ps, "out of memory");
				goto out;
			}
			r->nets = np;
			if (netpat_parse(alts.v[k], &np[r->nnets], why, sizeof(why)) < 0) {
				fail(ps, "%s", why);
				goto out;
			}
			r->nnets++;
		} else if (family == FAM_WORD) {
			char *w = alts.v[k];

			alts.v[k] = NULL;
			if (word_pattern(ps, r, w) < 0)
				goto out;
		} else if (path_pattern(ps, r, alts.v[k], family == FAM_EXEC,
					got(ps, 2)) < 0) {
			goto out;
		}
	}
	strvec_release(&alts);
	if (takes_args(r->subjects) && i < ps->ntok && !qualifier(&ps->tok[i], "result")) {
		if (expand(ps, i, &alts) < 0)
			goto out;
		for (size_t k = 0; k < alts.n; k++)
			if (!args_pattern_ok(alts.v[k])) {
				fail(ps, "expected a well-formed argument pattern "
				     "(classes closed), got %s", got(ps, i));
				goto out;
			}
		r->args = alts.v;
		r->nargs = alts.n;
		alts.v = NULL;
		alts.n = alts.cap = 0;
		i++;
	}
	for (; i < ps->ntok; i++) {
		if (qualifier(&ps->tok[i], "result")) {
			if (parse_results(ps, r, i) < 0)
				goto out;
		} else if (family == FAM_NET && qualifier(&ps->tok[i], "proto")) {
			if (parse_protos(ps, r, i) < 0)
				goto out;
		} else if (family == FAM_PATH && qualifier(&ps->tok[i], "path_status")) {
			if (parse_path_status(ps, r, i) < 0)
				goto out;
		} else {
			fail(ps, "expected %s or end of line, got %s",
			     family == FAM_NET ? "a qualifier (proto=..., result=...)" :
						 "a qualifier (result=...)",
			     got(ps, i));
			goto out;
		}
	}
	rc = 0;
out:
	strvec_release(&alts);
	return rc;
}

static int parse_default(struct parser *ps, struct rule *r)
{
	struct policy *p = ps->p;
	int family;

	if (ps->ntok < 2 || (strcmp(ps->tok[1].s, "allow") != 0 &&
			     strcmp(ps->tok[1].s, "deny") != 0))
		return fail(ps, "expected allow or deny after 'default', got %s",
			    got(ps, 1));
	r->kind = ps->tok[1].s[0] == 'a' ? K_DEFAULT_ALLOW : K_DEFAULT_DENY;
	if (parse_subjects(ps, 2, &r->subjects, &family) < 0)
		return -1;
	r->subject_word = strdup(ps->tok[2].s);
	if (!r->subject_word)
		return fail(ps, "out of memory");
	/* a later default replaces an earlier one: a file can include
	 * another and then change its defaults */
	for (int s = 0; s < S_COUNT; s++)
		if (r->subjects & (1u << s)) {
			p->has_default[s] = 1;
			p->default_rule[s] = p->nrules; /* r is appended next */
		}
	return end_of_line(ps, 3);
}

static int parse_limit(struct parser *ps, struct rule *r)
{
	const char *s;
	char *end;
	int f;

	r->kind = K_LIMIT;
	for (f = 0; f < L_COUNT; f++)
		if (ps->ntok > 1 && strcmp(ps->tok[1].s, fields[f]) == 0)
			break;
	if (f == L_COUNT) {
		struct gh_buf b = GH_BUF_INIT;

		for (int k = 0; k < L_COUNT; k++)
			gh_buf_printf(&b, "%s%s", k ? ", " : "", fields[k]);
		fail(ps, "expected a limit field (%s), got %s",
		     b.p ? b.p : "", got(ps, 1));
		gh_buf_release(&b);
		return -1;
	}
	r->field = f;
	r->subject_word = strdup(fields[f]);
	if (!r->subject_word)
		return fail(ps, "out of memory");
	if (ps->ntok < 3 || !isdigit((unsigned char)ps->tok[2].s[0]))
		return fail(ps, "expected a non-negative integer, got %s", got(ps, 2));
	s = ps->tok[2].s;
	errno = 0;
	r->max = strtoll(s, &end, 10);
	if (*end || errno == ERANGE)
		return fail(ps, "expected a non-negative integer, got %s", got(ps, 2));
	return end_of_line(ps, 3);
}

/* require signed KEY: 64 hex digits, or an Ed25519 public key file (PEM)
 * named relative to the rules file. */
static int parse_key(struct parser *ps, struct rule *r, const char *dir)
{
	const struct token *t = &ps->tok[2];
	struct gh_key *k = NULL;
	struct gh_buf path = GH_BUF_INIT;
	int rc;

	if (t->len == 64 && strspn(t->s, "0123456789abcdefABCDEF") == 64) {
		for (int i = 0; i < 64; i++)
			r->key[i] = tolower((unsigned char)t->s[i]);
		r->key[64] = '\0';
		return 0;
	}
	if (t->s[0] != '/' && dir)
		gh_buf_printf(&path, "%s/%s", dir, t->s);
	else
		gh_buf_adds(&path, t->s);
	if (!path.p)
		return fail(ps, "out of memory");
	rc = gh_key_load_public(path.p, &k);
	if (rc == 0)
		rc = gh_key_fingerprint(k, r->key);
	gh_key_free(k);
	if (rc < 0) {
		fail(ps, "expected a key fingerprint (64 hex digits) or an "
		     "Ed25519 public key file, got %s (%s: %s)", got(ps, 2),
		     path.p, rc == -EINVAL ? "not an Ed25519 key" : strerror(-rc));
		gh_buf_release(&path);
		return -1;
	}
	gh_buf_release(&path);
	return 0;
}

static int parse_require(struct parser *ps, struct rule *r, const char *dir)
{
	if (ps->ntok > 1 && strcmp(ps->tok[1].s, "complete") == 0) {
		r->kind = K_REQUIRE_COMPLETE;
		r->subject_word = strdup("complete");
		return r->subject_word ? end_of_line(ps, 2) : fail(ps, "out of memory");
	}
	if (ps->ntok > 1 && strcmp(ps->tok[1].s, "signed") == 0) {
		r->kind = K_REQUIRE_SIGNED;
		r->subject_word = strdup("signed");
		if (!r->subject_word)
			return fail(ps, "out of memory");
		if (ps->ntok > 2 && parse_key(ps, r, dir) < 0)
			return -1;
		return end_of_line(ps, 3);
	}
	return fail(ps, "expected complete or signed after 'require', got %s",
		    got(ps, 1));
}

static void rule_release(struct rule *r)
{
	free(r->text);
	free(r->subject_word);
	for (size_t i = 0; i < r->npats; i++)
		free(r->pats[i].text);
	free(r->pats);
	for (size_t i = 0; i < r->nargs; i++)
		free(r->args[i]);
	free(r->args);
	for (size_t i = 0; i < r->nwords; i++)
		free(r->words[i]);
	free(r->words);
	for (size_t i = 0; i < r->nnets; i++)
		netpat_release(&r->nets[i]);
	free(r->nets);
	for (size_t i = 0; i < r->nresults; i++)
		free(r->results[i]);
	free(r->results);
}

static int load_file(struct parser *ps, const char *path, const char *from,
		     unsigned long from_line);

/* The directory part of path ("." for none); malloc'ed. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

static int parse_line(struct parser *ps, const char *line, size_t len)
{
	struct policy *p = ps->p;
	struct rule r = { 0 };
	const char *w;
	char *dir = NULL;
	int rc = -1;

	if (memchr(line, '\0', len))
		return fail(ps, "expected text, got a NUL byte");
	for (size_t k = 0; k < len; k++) {
		unsigned char ch = line[k];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail(ps, "expected text, got the control byte "
				    "\\x%02x at column %zu", ch, k + 1);
	}
	if (tokenize(ps, line, len) < 0)
		goto out;
	if (ps->ntok == 0) {
		rc = 0;
		goto out;
	}
	w = ps->tok[0].s;
	dir = strcmp(ps->file, "<stdin>") ? dir_of(ps->file) : NULL;
	if (strcmp(w, "include") == 0) {
		struct gh_buf inc = GH_BUF_INIT;
		unsigned long line_no = ps->line;
		const char *file = ps->file;

		if (ps->ntok < 2) {
			fail(ps, "expected a file name after 'include', got end of line");
			goto out;
		}
		if (end_of_line(ps, 2) < 0)
			goto out;
		ps->statements++;
		if (ps->tok[1].s[0] != '/' && dir)
			gh_buf_printf(&inc, "%s/%s", dir, ps->tok[1].s);
		else
			gh_buf_adds(&inc, ps->tok[1].s);
		tokens_release(ps);
		rc = inc.p ? load_file(ps, inc.p, file, line_no) : fail(ps, "out of memory");
		gh_buf_release(&inc);
		ps->file = file;
		ps->line = line_no;
		goto out;
	}
	r.file = ps->file;
	r.line = ps->line;
	r.text = strndup(line + ps->tok[0].start,
			 ps->tok[ps->ntok - 1].end - ps->tok[0].start);
	if (!r.text) {
		fail(ps, "out of memory");
		goto out;
	}
	if (strcmp(w, "allow") == 0 && ps->ntok >= 2 &&
	    strcmp(ps->tok[1].s, "partial") == 0) {
		r.kind = K_ALLOW_PARTIAL;
		r.subject_word = strdup("partial");
		rc = r.subject_word ? end_of_line(ps, 2) : fail(ps, "out of memory");
	} else if (strcmp(w, "allow") == 0 || strcmp(w, "deny") == 0) {
		r.kind = w[0] == 'a' ? K_ALLOW : K_DENY;
		rc = parse_match(ps, &r);
	} else if (strcmp(w, "default") == 0) {
		rc = parse_default(ps, &r);
	} else if (strcmp(w, "limit") == 0) {
		rc = parse_limit(ps, &r);
	} else if (strcmp(w, "require") == 0) {
		rc = parse_require(ps, &r, dir);
	} else if (ps->statements == 0) {
		/* maybe not a rules file at all: never quote its content */
		rc = fail(ps, "expected allow, deny, default, limit, require or "
			  "include, got a line that is none of them (not a "
			  "rules file?)");
	} else {
		rc = fail(ps, "expected allow, deny, default, limit, require or "
			  "include, got %s", got(ps, 0));
	}
	if (rc < 0)
		goto out;
	ps->statements++;
	if (p->nrules - BUILTIN_RULES >= MAX_RULES) {
		rc = fail(ps, "expected at most %d rules in all, got more",
			  MAX_RULES);
		goto out;
	}
	if (p->nrules == p->caprules) {
		size_t cap = p->caprules ? 2 * p->caprules : 32;
		struct rule *v = realloc(p->rules, cap * sizeof(*v));

		if (!v) {
			rc = fail(ps, "out of memory");
			goto out;
		}
		p->rules = v;
		p->caprules = cap;
	}
	p->rules[p->nrules++] = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	if (rc < 0)
		rule_release(&r);
	tokens_release(ps);
	free(dir);
	return rc;
}

static int add_file(struct policy *p, const char *path, const char *hex)
{
	if (p->nfiles == p->capfiles) {
		size_t cap = p->capfiles ? 2 * p->capfiles : 4;
		struct rules_file *v = realloc(p->files, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->files = v;
		p->capfiles = cap;
	}
	p->files[p->nfiles].path = strdup(path);
	if (!p->files[p->nfiles].path)
		return -ENOMEM;
	memcpy(p->files[p->nfiles].sha256, hex, GH_SHA256_HEX);
	p->nfiles++;
	return 0;
}

static int load_file(struct parser *ps, const char *path, const char *from,
		     unsigned long from_line)
{
	const char *name = gh_input_name(path);
	/* stdin, or a regular file: not a FIFO or device that never ends */
	FILE *f = !path || !strcmp(path, "-") ? stdin : gh_open_regular(path);
	const char *why = !f && errno == EINVAL ? "not a regular file" : strerror(errno);
	unsigned char md[GH_SHA256_LEN];
	char hex[GH_SHA256_HEX];
	struct stat st;
	char *buf = NULL;
	size_t len, pos, i;
	int rc, saved, stdin_ = f == stdin;

	if (!f) {
		if (from)
			return snprintf(ps->err, ps->errlen, "%s:%lu: cannot include %s: %s",
					from, from_line, quote(name, strlen(name)),
					why), -1;
		return snprintf(ps->err, ps->errlen, "%s: %s", name, why), -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!stdin_)
			fclose(f);
		if (from)
			return snprintf(ps->err, ps->errlen, "%s:%lu: cannot include %s: %s",
					from, from_line, quote(name, strlen(name)),
					strerror(EISDIR)), -1;
		return snprintf(ps->err, ps->errlen, "%s: %s", name, strerror(EISDIR)), -1;
	}
	for (int d = 0; d < ps->depth && !stdin_; d++) {
		struct gh_buf chain = GH_BUF_INIT;

		if (ps->stack[d].dev != st.st_dev || ps->stack[d].ino != st.st_ino)
			continue;
		for (int k = d; k < ps->depth; k++)
			gh_buf_printf(&chain, "%s -> ", ps->stack[k].path);
		gh_buf_adds(&chain, name);
		snprintf(ps->err, ps->errlen, "%s:%lu: include cycle: %s", from,
			 from_line, chain.p ? chain.p : "");
		gh_buf_release(&chain);
		fclose(f);
		return -1;
	}
	if (ps->p->nfiles >= MAX_FILES) {
		snprintf(ps->err, ps->errlen, "%s:%lu: expected at most %d rules "
			 "files read in all (includes counted each time), got more",
			 from, from_line, MAX_FILES);
		if (!stdin_)
			fclose(f);
		return -1;
	}
	if (ps->depth > MAX_INCLUDE_DEPTH) {
		snprintf(ps->err, ps->errlen, "%s:%lu: expected includes nested at "
			 "most %d deep, got deeper", from, from_line,
			 MAX_INCLUDE_DEPTH);
		if (!stdin_)
			fclose(f);
		return -1;
	}
	rc = gh_read_input(f, name, GH_FILE_MAX, 0, &buf, &len, ps->err, ps->errlen);
	if (!stdin_)
		fclose(f);
	if (rc < 0)
		return -1;
	if (gh_sha256(buf, len, md) < 0) {
		free(buf);
		return snprintf(ps->err, ps->errlen, "%s: cannot hash: %s", name,
				strerror(EIO)), -1;
	}
	gh_hex(md, sizeof(md), hex);
	if (add_file(ps->p, name, hex) < 0) {
		free(buf);
		return snprintf(ps->err, ps->errlen, "%s: %s", name, strerror(ENOMEM)), -1;
	}
	ps->stack[ps->depth].dev = st.st_dev;
	ps->stack[ps->depth].ino = st.st_ino;
	ps->stack[ps->depth].path = ps->p->files[ps->p->nfiles - 1].path;
	ps->depth++;
	saved = ps->statements;
	ps->statements = 0;
	rc = 0;
	for (pos = 0, i = 1; pos < len && rc == 0; i++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;

		if (n && buf[pos + n - 1] == '\r')
			n--;
		ps->file = ps->stack[ps->depth - 1].path;
		ps->line = i;
		rc = parse_line(ps, buf + pos, n);
		pos = end + 1;
	}
	ps->depth--;
	ps->statements = saved;
	free(buf);
	return rc;
}

int policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	struct parser ps = { 0 };
	int lifted = 0;

	memset(p, 0, sizeof(*p));
	ps.p = p;
	ps.err = err;
	ps.errlen = errlen;
	p->caprules = 32;
	p->rules = calloc(p->caprules, sizeof(*p->rules));
	if (!p->rules)
		return snprintf(err, errlen, "%s", strerror(ENOMEM)), -1;
	p->nrules = BUILTIN_RULES;
	p->rules[RULE_AUDIT].kind = K_REQUIRE_AUDIT;
	p->rules[RULE_AUDIT].text = strdup("require audit");
	p->rules[RULE_AUDIT].subject_word = strdup("audit");
	p->rules[RULE_COMPLETE].kind = K_REQUIRE_COMPLETE;
	p->rules[RULE_COMPLETE].text = strdup("require complete");
	p->rules[RULE_COMPLETE].subject_word = strdup("complete");
	for (int i = 0; i < BUILTIN_RULES; i++)
		if (!p->rules[i].text || !p->rules[i].subject_word)
			return snprintf(err, errlen, "%s", strerror(ENOMEM)), -1;
	if (load_file(&ps, path, NULL, 0) < 0)
		return -1;
	for (size_t i = 0; i < BUILTIN_RULES; i++)
		p->rules[i].file = p->files[0].path;
	for (size_t i = BUILTIN_RULES; i < p->nrules; i++)
		if (p->rules[i].kind == K_ALLOW_PARTIAL ||
		    p->rules[i].kind == K_REQUIRE_COMPLETE)
			lifted = 1;
	p->rules[RULE_COMPLETE].off = lifted;
	return 0;
}

void policy_release(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].path);
	free(p->files);
	memset(p, 0, sizeof(*p));
}
