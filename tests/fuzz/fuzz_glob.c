/* libFuzzer target: glob compilation and matching (and a match has
 * gh_glob_ncomps components). Input: pattern, a NUL byte, then paths
 * separated by newlines. */
#include <string.h>

#include "glob.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	char pat[1024];
	struct gh_glob *g;
	size_t plen = nul ? (size_t)(nul - (const char *)data) : size;
	const char *p, *end = (const char *)data + size;

	if (plen >= sizeof(pat))
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	if (gh_glob_compile(pat, &g) < 0)
		return 0;
	for (p = nul ? nul + 1 : end; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* a match has the pattern's number of components, when fixed */
		if (gh_glob_match(g, p, n) && gh_glob_ncomps(g)) {
			size_t comps = 1;

			for (size_t i = 0; i < n; i++)
				comps += p[i] == '/';
			if (comps != gh_glob_ncomps(g))
				__builtin_trap();
		}
		p += n + 1;
	}
	gh_glob_free(g);
	return 0;
}
