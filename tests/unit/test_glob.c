/* Unit tests of lib/glob.c: path-component globbing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "tap.h"

struct mcase {
	const char *pattern, *path;
	int want;
};

static const struct mcase cases[] = {
	/* whole-path, component semantics */
	{ "/secret", "/secret", 1 },
	{ "/secret", "/secretary", 0 },
	{ "/secret", "/secret/x", 0 },
	{ "/secret", "/secre", 0 },
	{ "/secret", "secret", 0 },
	{ "/secret/**", "/secret", 1 },
	{ "/secret/**", "/secret/x", 1 },
	{ "/secret/**", "/secret/x/y/z", 1 },
	{ "/secret/**", "/secretary", 0 },
	{ "/secret/**", "/secretary/x", 0 },
	/* '*' stays within a component */
	{ "/home/*/.ssh", "/home/u/.ssh", 1 },
	{ "/home/*/.ssh", "/home/u/v/.ssh", 0 },
	{ "/home/*/.ssh/**", "/home/u/.ssh/id_rsa", 1 },
	{ "/home/*/.ssh/**", "/home/u/.ssh", 1 },
	{ "/home/*/.ssh/**", "/home/u/.sshx/id", 0 },
	{ "/home/*/.ssh/**", "/root/.ssh/id", 0 },
	{ "/home/*", "/home/", 1 },
	{ "/home/*", "/home", 0 },
	{ "/tmp/*.txt", "/tmp/a.txt", 1 },
	{ "/tmp/*.txt", "/tmp/.txt", 1 },
	{ "/tmp/*.txt", "/tmp/a/b.txt", 0 },
	{ "/tmp/*.txt", "/tmp/a.txt.bak", 0 },
	{ "/tmp/a*b*c", "/tmp/abc", 1 },
	{ "/tmp/a*b*c", "/tmp/aXbYbZc", 1 },
	{ "/tmp/a*b*c", "/tmp/aXbYbZcd", 0 },
	{ "*", "abc", 1 },
	{ "*", "a/b", 0 },
	{ "*", "", 1 },
	/* "**" crosses components */
	{ "**", "", 1 },
	{ "**", "/", 1 },
	{ "**", "a", 1 },
	{ "**", "/a/b/c", 1 },
	{ "/**", "/", 1 },
	{ "/**", "/a/b", 1 },
	{ "/**", "a/b", 0 },
	{ "/**", "", 1 }, /* as "/a" matches "/a" then any components */
	{ "**/curl", "/usr/bin/curl", 1 },
	{ "**/curl", "curl", 1 },
	{ "**/curl", "/usr/bin/curlx", 0 },
	{ "/a/**/b", "/a/b", 1 },
	{ "/a/**/b", "/a/x/b", 1 },
	{ "/a/**/b", "/a/x/y/b", 1 },
	{ "/a/**/b", "/a/x/y/c", 0 },
	{ "/a/**/b", "/a/b/c", 0 },
	{ "/a/**/b/**", "/a/x/b/c/d", 1 },
	{ "/a/**/**/b", "/a/b", 1 },
	{ "/a/**/x*/b", "/a/1/2/xy/b", 1 },
	{ "/a/**/x*/b", "/a/1/2/y/b", 0 },
	{ "/a/**/b/c", "/a/b/x/b/c", 1 },
	{ "/a/**/b/c", "/a/b/c/b/d", 0 },
	/* "**" inside a component is '*' */
	{ "/a/x**y", "/a/xzzy", 1 },
	{ "/a/x**y", "/a/xz/zy", 0 },
	/* '?' */
	{ "/a/?", "/a/b", 1 },
	{ "/a/?", "/a/bc", 0 },
	{ "/a/?", "/a/", 0 },
	{ "/a?b", "/a/b", 0 },
	{ "/a/?", "/a/\xc3\xa9", 1 },         /* one UTF-8 character */
	{ "/a/??", "/a/\xc3\xa9", 0 },
	{ "/a/?", "/a/\xff", 1 },              /* one invalid byte */
	{ "/a/?x", "/a/\xc3x", 1 },            /* truncated sequence: one byte */
	/* classes */
	{ "/a/[abc]", "/a/b", 1 },
	{ "/a/[abc]", "/a/d", 0 },
	{ "/a/[a-c]x", "/a/cx", 1 },
	{ "/a/[a-c]x", "/a/dx", 0 },
	{ "/a/[!a-c]", "/a/d", 1 },
	{ "/a/[!a-c]", "/a/a", 0 },
	{ "/a/[^a-c]", "/a/d", 1 },
	{ "/a/[]]", "/a/]", 1 },
	{ "/a/[!]]", "/a/]", 0 },
	{ "/a/[!]]", "/a/x", 1 },
	{ "/a/[a-]", "/a/-", 1 },
	{ "/a/[-a]", "/a/-", 1 },
	{ "/a/[z-a]", "/a/m", 0 },
	{ "/a/[\\]x]", "/a/]", 1 },
	{ "/a/[\xc3\xa9]", "/a/\xc3\xa9", 1 },
	{ "/a/[\xc3\xa9]", "/a/e", 0 },
	{ "/a/[!x]", "/a/\xc3\xa9", 1 },
	{ "/a/[\xc3\xa0-\xc3\xbf]", "/a/\xc3\xa9", 1 },
	{ "/a/[*]", "/a/*", 1 },
	{ "/a/[*]", "/a/x", 0 },
	/* escapes */
	{ "/a/\\*", "/a/*", 1 },
	{ "/a/\\*", "/a/x", 0 },
	{ "/a/\\?", "/a/?", 1 },
	{ "/a/\\[x]", "/a/[x]", 1 },
	{ "/a/\\\\", "/a/\\", 1 },
	{ "/a\\/b", "/a/b", 1 },
	{ "/a/\\**", "/a/*xyz", 1 },
	{ "/a/\\**", "/a/xyz", 0 },
	/* empty and trailing components */
	{ "", "", 1 },
	{ "", "/", 0 },
	{ "/a/", "/a/", 1 },
	{ "/a/", "/a", 0 },
	{ "/a", "/a/", 0 },
	{ "//a", "//a", 1 },
	{ "//a", "/a", 0 },
	/* dot files are not special */
	{ "/h/*", "/h/.bashrc", 1 },
	{ "/h/?bashrc", "/h/.bashrc", 1 },
	/* relative patterns */
	{ "a/*", "a/b", 1 },
	{ "a/*", "/a/b", 0 },
};

static int match(const char *pattern, const char *path)
{
	struct gh_glob *g;
	int r;

	if (gh_glob_compile(pattern, &g) < 0)
		return -1;
	r = gh_glob_match(g, path, strlen(path));
	gh_glob_free(g);
	return r;
}

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = match(cases[i].pattern, cases[i].path);

		ok(r == cases[i].want, "'%s' %s '%s'", cases[i].pattern,
		   cases[i].want ? "matches" : "does not match", cases[i].path);
	}
}

/* gh_glob_ncomps: the depth of every match, 0 when it varies; every
 * matching case of the table has that many components. */
static void test_ncomps(void)
{
	static const struct {
		const char *pattern;
		size_t want;
	} v[] = {
		{ "/a/b", 3 },	  { "/a/*", 3 },   { "/a/b/", 4 },  { "a", 1 },
		{ "/a\\/b", 3 }, { "/*/[xy]", 3 }, { "/a/**", 0 }, { "**", 0 },
		{ "**/curl", 0 }, { "/a/**/b", 0 },
	};
	size_t i, bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gh_glob *g = NULL;

		ok(gh_glob_compile(v[i].pattern, &g) == 0 &&
			   gh_glob_ncomps(g) == v[i].want,
		   "'%s' has %zu components", v[i].pattern, v[i].want);
		gh_glob_free(g);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gh_glob *g = NULL;
		size_t n = 1;

		if (!cases[i].want || gh_glob_compile(cases[i].pattern, &g) < 0)
			continue;
		for (const char *p = cases[i].path; *p; p++)
			n += *p == '/';
		if (gh_glob_ncomps(g) && gh_glob_ncomps(g) != n) {
			diag("'%s' matches '%s' (%zu components), ncomps %zu",
			     cases[i].pattern, cases[i].path, n, gh_glob_ncomps(g));
			bad++;
		}
		gh_glob_free(g);
	}
	ok(bad == 0, "every match of the table has the pattern's ncomps");
}

static void test_malformed(void)
{
	static const char *bad[] = {
		"/a/[abc", "/a/[", "/a/[!", "/a/[]", "/a/[a/b]", "/a/\\",
		"[a-\\", "/a/[\\/]",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gh_glob *g = (struct gh_glob *)1;
		int r = gh_glob_compile(bad[i], &g);

		ok(r == -EINVAL && g == NULL, "'%s' is malformed (-EINVAL)",
		   bad[i]);
	}
}

static void test_api(void)
{
	struct gh_glob *g;
	const char nul_path[] = "/a/b\0c";

	ok(gh_glob_compile("/x/**/*.pem", &g) == 0, "compile returns 0");
	ok(strcmp(gh_glob_pattern(g), "/x/**/*.pem") == 0,
	   "gh_glob_pattern returns the pattern");
	ok(gh_glob_match(g, "/x/k.pem/more", 8) == 1,
	   "match uses len, not the NUL terminator");
	ok(gh_glob_match(g, "/x/k.pem/more", 13) == 0,
	   "match uses the whole len");
	gh_glob_free(g);
	gh_glob_free(NULL);
	ok(1, "gh_glob_free(NULL) is a no-op");

	ok(gh_glob_compile("/a/*", &g) == 0, "compile '/a/*'");
	ok(gh_glob_match(g, nul_path, sizeof(nul_path) - 1) == 1,
	   "a NUL byte is an ordinary character");
	ok(gh_glob_match(g, nul_path, 4) == 1, "prefix '/a/b' matches");
	gh_glob_free(g);
}

/* Patterns that take exponential time with naive backtracking. With the
 * single-backtrack scans these finish at once; a regression would hang. */
static void test_pathological(void)
{
	char pat[256], path[4200];
	struct gh_glob *g;
	size_t i, n = 0;

	/* character level: a*a*a*...*b against aaaa...a */
	n = 0;
	pat[n++] = '/';
	for (i = 0; i < 40; i++) {
		pat[n++] = 'a';
		pat[n++] = '*';
	}
	pat[n++] = 'b';
	pat[n] = 0;
	path[0] = '/';
	memset(path + 1, 'a', 4000);
	path[4001] = 0;
	ok(gh_glob_compile(pat, &g) == 0, "compile a*a*...*b");
	ok(gh_glob_match(g, path, 4001) == 0, "a*a*...*b vs 4000 a's: no match");
	path[4000] = 'b';
	ok(gh_glob_match(g, path, 4001) == 1, "a*a*...*b vs a...ab: match");
	gh_glob_free(g);

	/* component level: "/ ** /a" 30 times, then "/b", against /a/a/... */
	n = 0;
	for (i = 0; i < 30; i++) {
		memcpy(pat + n, "/**/a", 5);
		n += 5;
	}
	memcpy(pat + n, "/b", 3);
	for (i = 0, n = 0; i < 2000; i++) {
		path[n++] = '/';
		path[n++] = 'a';
	}
	path[n] = 0;
	ok(gh_glob_compile(pat, &g) == 0, "compile /**/a/**/a/.../b");
	ok(gh_glob_match(g, path, n) == 0, "vs /a/a/... (2000): no match");
	memcpy(path + n, "/b", 3);
	ok(gh_glob_match(g, path, n + 2) == 1, "vs /a/a/.../b: match");
	gh_glob_free(g);
}

int main(void)
{
	test_table();
	test_ncomps();
	test_malformed();
	test_api();
	test_pathological();
	diag("%zu match cases", sizeof(cases) / sizeof(cases[0]));
	return done_testing();
}
