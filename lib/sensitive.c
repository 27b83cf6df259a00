/* The list of sensitive paths: see sensitive.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "sensitive.h"

const char *const gh_sensitive_globs[] = {
	/* keys, credentials and tokens in a home directory */
	"~/.ssh/**", "~/.gnupg/**", "~/.aws/**", "~/.azure/**", "~/.kube/**",
	"~/.docker/config.json", "~/.password-store/**",
	"~/.config/gcloud/**", "~/.config/gh/**", "~/.config/hub/**",
	"~/.config/doctl/**", "~/.config/op/**", "~/.config/rclone/**",
	"~/.netrc", "~/.git-credentials", "~/.npmrc", "~/.pypirc", "~/.pgpass",
	"~/.my.cnf", "~/.vault-token", "~/.local/share/keyrings/**",
	/* histories */
	"~/.bash_history", "~/.zsh_history", "~/.python_history",
	"~/.psql_history", "~/.mysql_history", "~/.lesshst",
	/* browser profiles: cookies, saved passwords */
	"~/.mozilla/**", "~/.config/google-chrome/**", "~/.config/chromium/**",
	/* the system's own secrets */
	"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-",
	"/etc/sudoers", "/etc/sudoers.d/**", "/etc/ssl/private/**",
	"/etc/ssh/ssh_host_*_key",
	/* other processes' environments and memory */
	"/proc/*/environ", "/proc/*/mem",
	NULL,
};

struct gh_sensitive {
	struct gh_glob **g;
	const char **orig; /* the unexpanded pattern of each */
	size_t n;
};

static int add(struct gh_sensitive *s, const char *pattern, const char *orig)
{
	if (gh_glob_compile(pattern, &s->g[s->n]) < 0)
		return -ENOMEM; /* the list is fixed: only memory can fail */
	s->orig[s->n++] = orig;
	return 0;
}

int gh_sensitive_new(struct gh_sensitive **out)
{
	struct gh_sensitive *s = calloc(1, sizeof(*s));
	size_t n = 0, i;
	char *p = NULL;

	*out = NULL;
	while (gh_sensitive_globs[n])
		n++;
	if (!s || !(s->g = calloc(2 * n, sizeof(*s->g))) ||
	    !(s->orig = calloc(2 * n, sizeof(*s->orig))))
		goto nomem;
	for (i = 0; i < n; i++) {
		const char *g = gh_sensitive_globs[i];

		if (strncmp(g, "~/", 2) != 0) {
			if (add(s, g, g) < 0)
				goto nomem;
			continue;
		}
		if (asprintf(&p, "/root/%s", g + 2) < 0 || add(s, p, g) < 0)
			goto nomem;
		free(p);
		if (asprintf(&p, "/home/*/%s", g + 2) < 0 || add(s, p, g) < 0)
			goto nomem;
		free(p);
		p = NULL;
	}
	*out = s;
	return 0;
nomem:
	free(p);
	gh_sensitive_free(s);
	return -ENOMEM;
}

const char *gh_sensitive_match(const struct gh_sensitive *s, const char *path,
			       size_t len)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (gh_glob_match(s->g[i], path, len))
			return s->orig[i];
	return NULL;
}

int gh_sensitive_glob(const struct gh_sensitive *s, size_t i, const char **glob)
{
	if (!s || i >= s->n)
		return 0;
	*glob = gh_glob_pattern(s->g[i]);
	return 1;
}

void gh_sensitive_free(struct gh_sensitive *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->g && i < s->n; i++)
		gh_glob_free(s->g[i]);
	free(s->g);
	free(s->orig);
	free(s);
}
