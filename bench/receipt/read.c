/* Time reading one receipt three ways, each the median of RUNS runs in
 * this process, CPU time (user + system) and wall time:
 *   json-c     json_tokener_parse_ex over the text: json-c's tree alone,
 *              none of the strictness checks
 *   gh_json    gh_json_parse (lib/json.c): the strict scan, then json-c's
 *              tree; what the filters read receipts with before lib/jv
 *   gh_jdoc    gh_jdoc_parse (lib/jv.c): the same strict scan building
 *              the compact tree in the same pass
 * and check that the three read the same value (the jdoc tree converted
 * to json-c compares equal to json-c's own).
 *
 *   read FILE [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "json.h"
#include "jv.h"

static double cpu_s(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
	       (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return v[n / 2];
}

enum { JSONC, GHJSON, JDOC, NWAYS };
static const char *const names[NWAYS] = { "json-c", "gh_json", "gh_jdoc" };

/* One read, the tree given back inside it (a filter pays for that too).
 * With out set, the value is handed back as json-c for the check. */
static int read_once(int way, const char *text, size_t len, struct json_object **out)
{
	struct json_object *o;
	int rc;

	char err[256];

	if (way == JSONC) {
		struct json_tokener *tok = json_tokener_new_ex(GH_JSON_MAX_DEPTH + 1);

		o = json_tokener_parse_ex(tok, text, (int)len);
		json_tokener_free(tok);
		rc = o ? 0 : -1;
	} else if (way == GHJSON) {
		rc = gh_json_parse(text, len, &o, err, sizeof(err));
	} else {
		/* the copy is part of what a filter pays: it reads the file
		 * into a buffer the document then owns */
		char *buf = malloc(len + 1);
		struct gh_jdoc *d;
		const struct gh_jv *root;

		if (!buf)
			return -1;
		memcpy(buf, text, len + 1);
		o = NULL;
		rc = gh_jdoc_parse(buf, len, &d, &root, err, sizeof(err));
		if (rc == 0 && out)
			rc = gh_jv_to_json(root, &o);
		gh_jdoc_free(d);
	}
	if (out)
		*out = o;
	else
		json_object_put(o);
	return rc;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double cpu[NWAYS][64], wall[NWAYS][64];
	struct json_object *o[NWAYS];
	char *text;
	size_t len;
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "rb")) || gh_read_all(f, &text, &len) < 0) {
		fprintf(stderr, "usage: read FILE [RUNS]\n");
		return 2;
	}
	fclose(f);
	if (runs < 1 || runs > 64)
		runs = 5;
	for (int w = 0; w < NWAYS; w++)
		if (read_once(w, text, len, &o[w]) < 0) {
			fprintf(stderr, "read: %s could not read %s\n", names[w], argv[1]);
			return 2;
		}
	if (!json_object_equal(o[JSONC], o[GHJSON]) || !json_object_equal(o[JSONC], o[JDOC])) {
		fprintf(stderr, "read: the readers disagree on %s\n", argv[1]);
		return 2;
	}
	for (int w = 0; w < NWAYS; w++)
		json_object_put(o[w]);
	/* alternate the readers, so that a busy moment hits all of them */
	for (int i = 0; i < runs; i++)
		for (int w = 0; w < NWAYS; w++) {
			double c0 = cpu_s(), w0 = wall_s();

			if (read_once(w, text, len, NULL) < 0)
				return 2;
			cpu[w][i] = cpu_s() - c0;
			wall[w][i] = wall_s() - w0;
		}
	printf("%-8s %9s %9s %9s\n", "reader", "cpu ms", "wall ms", "vs json-c");
	double base = median(cpu[JSONC], runs);
	for (int w = 0; w < NWAYS; w++) {
		double c = median(cpu[w], runs);

		printf("%-8s %9.1f %9.1f %8.2fx\n", names[w], c * 1e3, median(wall[w], runs) * 1e3,
		       base / c);
	}
	free(text);
	return 0;
}
