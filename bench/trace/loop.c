/* Syscall-heavy workloads for bench/trace.
 *
 *   loop N [PATH]   N times open, read, close of PATH (default
 *                   /etc/hostname): every open is an event for gh-trace
 *   loop -g N       N getppid() calls: syscalls gh-trace never reports,
 *                   the cheapest a tracepoint on every syscall can slow
 *   loop -s N [PATH]  N stat() calls of PATH: a path lookup gh-trace does
 *                   not report
 *   loop -t SECONDS [PATH]  open and close PATH for SECONDS, then print
 *                   how many times on stdout: events per second
 *   loop -m N [PATH]  N times mmap of PATH with PROT_READ|PROT_EXEC and
 *                   munmap: what a traced process reports as map_exec
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	struct stat st;
	long i, n = argc > 1 ? atol(argv[1]) : 100000;
	char buf[64];
	int fd;

	if (argc > 2 && strcmp(argv[1], "-g") == 0) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++)
			getppid();
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		struct timespec t0, t;
		double secs = atof(argv[2]);

		path = argc > 3 ? argv[3] : "/etc/hostname";
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0;; i++) {
			if ((i & 1023) == 0) {
				clock_gettime(CLOCK_MONOTONIC, &t);
				if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
					break;
			}
			fd = open(path, O_RDONLY);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		printf("%ld\n", i);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		void *p;

		n = atol(argv[2]);
		path = argc > 3 ? argv[3] : "/etc/hostname";
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		for (i = 0; i < n; i++) {
			p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			munmap(p, 4096);
		}
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		n = atol(argv[2]);
		path = argc > 3 ? argv[3] : "/etc/hostname";
		for (i = 0; i < n; i++)
			if (stat(path, &st) < 0) {
				perror(path);
				return 1;
			}
		return 0;
	}
	for (i = 0; i < n; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		if (read(fd, buf, sizeof(buf)) < 0)
			perror("read");
		close(fd);
	}
	return 0;
}
