/* Syscall-heavy workloads for bench/trace.
 *
 *   loop N [PATH]   N times open, read, close of PATH (default
 *                   /etc/hostname): every open is an event for gh-trace
 *   loop -g N       N getppid() calls: syscalls gh-trace never reports,
 *                   the cheapest a tracepoint on every syscall can slow
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	long i, n = argc > 1 ? atol(argv[1]) : 100000;
	char buf[64];
	int fd;

	if (argc > 2 && strcmp(argv[1], "-g") == 0) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++)
			getppid();
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
