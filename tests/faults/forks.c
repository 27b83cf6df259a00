/* forks [-g] N CODE: fork N children that exit at once with CODE, wait
 * for them all, then exit 0. -g as for opens.c: write the process id on
 * stdout and wait for a byte (or EOF) on stdin first. Linked statically by
 * tests/faults.bats: traced, its records are its exec, N forks and N + 1
 * exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	long i, n, born = 0;
	int code, st;
	char c;

	if (argc > 1 && strcmp(argv[1], "-g") == 0) {
		dprintf(1, "%d\n", (int)getpid());
		if (read(0, &c, 1) < 0)
			return 1;
		argc--;
		argv++;
	}
	if (argc != 3) {
		fputs("usage: forks [-g] N CODE\n", stderr);
		return 2;
	}
	n = strtol(argv[1], NULL, 10);
	code = atoi(argv[2]);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(code);
		if (p > 0)
			born++;
	}
	while (born > 0 && wait(&st) > 0)
		born--;
	return born == 0 ? 0 : 1;
}
