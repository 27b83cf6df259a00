/* opens [-g] DIR N [create]: open N distinct files DIR/f0 .. DIR/f(N-1),
 * each once, then exit 0: read-only (each fails with ENOENT when DIR is
 * empty), or with "create" created. With -g, first write the process id
 * on stdout and wait for a byte (or EOF) on stdin: the test lets the burst
 * start when it is ready. Linked statically by tests/faults.bats: traced,
 * its only records are its exec, the N opens and its exit (write and read
 * are not traced). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], c;
	long i, n;
	int flags = O_RDONLY, fd, gate = 0;

	if (argc > 1 && strcmp(argv[1], "-g") == 0) {
		gate = 1;
		argc--;
		argv++;
	}
	if (argc < 3 || argc > 4) {
		fputs("usage: opens [-g] DIR N [create]\n", stderr);
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (argc == 4 && strcmp(argv[3], "create") == 0)
		flags = O_WRONLY | O_CREAT | O_EXCL;
	if (gate) {
		dprintf(1, "%d\n", (int)getpid());
		if (read(0, &c, 1) < 0)
			return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", argv[1], i);
		fd = open(path, flags, 0644);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
