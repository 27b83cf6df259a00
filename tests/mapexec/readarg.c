/* A program that reads the file its argument names and prints how many
 * bytes it read: built static-pie by tests/mapexec.bats, where the kernel
 * loads no interpreter for it, as for the dynamic loader run as a
 * program. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		perror("readarg");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	printf("%ld\n", total);
	return 0;
}
