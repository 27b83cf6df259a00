/* Run a command and report its wall time, CPU time and peak memory.
 *
 *   measure [-i FILE] [-o FILE] -- CMD [ARG...]
 *
 * CMD's stdin is FILE (-i) or measure's own, its stdout goes to FILE (-o)
 * or /dev/null. Prints one line on stdout:
 *   wall_s user_s sys_s maxrss_kb status
 * where maxrss_kb is the peak resident set of CMD (wait4's ru_maxrss) and
 * status its exit status (128+N when killed by signal N).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = "/dev/null";
	struct rusage ru;
	double t0, t1;
	int c, st, fd;
	pid_t pid;

	while ((c = getopt(argc, argv, "+i:o:")) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: measure [-i FILE] [-o FILE] -- CMD [ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: measure [-i FILE] [-o FILE] -- CMD [ARG...]\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		if (in) {
			fd = open(in, O_RDONLY);
			if (fd < 0 || dup2(fd, 0) < 0) {
				perror(in);
				_exit(127);
			}
			close(fd);
		}
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0) {
			perror(out);
			_exit(127);
		}
		close(fd);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("measure: wait4");
		return 2;
	}
	t1 = now();
	printf("%.3f %.3f %.3f %ld %d\n", t1 - t0,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	       ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
