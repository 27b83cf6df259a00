/* Per-command latency for bench/trace: runs several commands ROUNDS times
 * each, interleaved (one of each per round, so that changes in the
 * machine's load touch all alike), and prints per command the median and
 * the 10th and 90th percentiles of wall time, and the median CPU time
 * (user + system of the command and everything it waited for).
 *
 *   lat ROUNDS [-s SETUP] [NAME=VALUE...] CMD [ARG...] [:: ...]...
 *
 * SETUP is a shell command run (untimed) before every timed run of the
 * command that follows it; NAME=VALUE words before the command are put in
 * its environment (as env(1) would, without the cost of running env).
 * The command's stdout and stderr go to
 * /dev/null. Output: one line per command, tab-separated:
 * median_ms p10_ms p90_ms cpu_ms failures.
 * With LAT_RAW=FILE in lat's environment, every timed run is appended to
 * FILE too, one line each: command index (from 0), wall ms, CPU ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

struct cmd {
	char **env;		/* NAME=VALUE words, up to argv */
	char **argv;
	const char *setup;
	double *wall, *cpu;
	int fails;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, int p)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(n - 1) * p / 100];
}

/* Run argv, return its exit status; *wall and *cpu get its cost. */
static int run(char **env, char **argv, double *wall, double *cpu)
{
	struct rusage ru;
	double t0 = now_ms();
	int status, fd;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		for (; env && env < argv; env++)
			putenv(*env);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		exit(2);
	}
	*wall = now_ms() - t0;
	*cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	return status;
}

int main(int argc, char **argv)
{
	struct cmd cmds[16];
	int rounds, ncmd = 0, i, r;
	double w, c;
	const char *raw_name = getenv("LAT_RAW");
	FILE *raw = NULL;

	if (argc < 3 || (rounds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: lat ROUNDS [-s SETUP] CMD [ARG...] [:: ...]\n");
		return 2;
	}
	for (i = 2; i < argc && ncmd < 16;) {
		struct cmd *k = &cmds[ncmd++];

		memset(k, 0, sizeof(*k));
		if (strcmp(argv[i], "-s") == 0 && i + 2 < argc) {
			k->setup = argv[i + 1];
			i += 2;
		}
		k->env = argv + i;
		while (i < argc && strchr(argv[i], '=') && argv[i][0] != '=')
			i++;
		k->argv = argv + i;
		while (i < argc && strcmp(argv[i], "::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		k->wall = calloc(rounds, sizeof(double));
		k->cpu = calloc(rounds, sizeof(double));
		if (!k->wall || !k->cpu || !k->argv[0]) {
			fprintf(stderr, "lat: bad command list\n");
			return 2;
		}
	}
	if (raw_name && *raw_name && !(raw = fopen(raw_name, "a"))) {
		perror(raw_name);
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < ncmd; i++) {
			char *sh[] = { "sh", "-c", (char *)cmds[i].setup, NULL };

			if (cmds[i].setup)
				run(NULL, sh, &w, &c);
			if (run(cmds[i].env, cmds[i].argv, &cmds[i].wall[r], &cmds[i].cpu[r]))
				cmds[i].fails++;
			if (raw)
				fprintf(raw, "%d\t%.3f\t%.3f\n", i, cmds[i].wall[r],
					cmds[i].cpu[r]);
		}
	}
	if (raw && fclose(raw) != 0) {
		perror(raw_name);
		return 2;
	}
	for (i = 0; i < ncmd; i++)
		printf("%.2f\t%.2f\t%.2f\t%.2f\t%d\n", pct(cmds[i].wall, rounds, 50),
		       pct(cmds[i].wall, rounds, 10), pct(cmds[i].wall, rounds, 90),
		       pct(cmds[i].cpu, rounds, 50), cmds[i].fails);
	return 0;
}
