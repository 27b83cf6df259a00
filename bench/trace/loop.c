/* Syscall-heavy workload for bench/trace: N times open, read, close of a
 * file (default /etc/hostname). Every open is an event for gh-trace. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	long i, n = argc > 1 ? atol(argv[1]) : 100000;
	char buf[64];
	int fd;

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
