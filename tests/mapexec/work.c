/* Workloads of tests/mapexec.bats: code run from a file that no exec
 * names, and their twins.
 *
 *   work MODE PATH [DEST]
 *
 *   dlopen PATH       dlopen(PATH) and call its gh_mapexec_lib()
 *   copyload PATH DEST  write a copy of PATH to DEST, then dlopen DEST
 *   read PATH         read PATH whole (no mapping)
 *   mmapread PATH     map PATH readable only
 *   mprotect PATH     map PATH readable, then add PROT_EXEC (mprotect)
 *   anon PATH         anonymous memory made executable (a JIT's way);
 *                     PATH is only read
 *   memfd PATH        copy PATH into a memfd named "gh-code", map it
 *                     executable
 *   span PATH         anonymous memory, PATH's first page mapped readable
 *                     right after it, then one mprotect of both adding
 *                     PROT_EXEC
 *   spananon PATH     the same mappings, mprotect of the anonymous page
 *                     only
 *   span2 PATH DEST   PATH's first page mapped executable, DEST's
 *                     readable after it, one mprotect of both adding
 *                     PROT_EXEC
 *   spanmany PATH     as span, 40 anonymous mappings (alternate
 *                     protections: they do not merge) before PATH's page
 *   spanmanyanon PATH the same mappings, mprotect of the anonymous ones
 *                     only
 *   race PATH         PATH mapped readable, made executable and back
 *                     5000 times while 3 threads map and unmap memory
 *                     (they hold the lock of the mappings); prints how
 *                     many mprotect adding PROT_EXEC succeeded
 *   norace PATH       the same without the threads
 *   fdrace PATH DEST  one descriptor made PATH's and DEST's by turns
 *                     (dup2) by another thread while this one maps it
 *                     executable 2000 times; prints how many mappings
 *                     were of PATH and of DEST (their first bytes differ)
 *   rie PATH          personality READ_IMPLIES_EXEC, then PATH mapped
 *                     with PROT_READ only
 *
 * Each mode prints one word and exits 0 when it could, 1 (with a
 * message) when it could not. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "work: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Copy the file at src to the descriptor out. */
static int copy(const char *src, int out)
{
	char buf[8192];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	return n < 0 ? -1 : 0;
}

static int load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW);
	int (*fn)(void);

	if (!h) {
		fprintf(stderr, "work: dlopen: %s\n", dlerror());
		return 1;
	}
	*(void **)&fn = dlsym(h, "gh_mapexec_lib");
	if (!fn || fn() != 42) {
		fprintf(stderr, "work: gh_mapexec_lib: not found\n");
		return 1;
	}
	puts("loaded");
	return 0;
}

/* Map the file at path with prot; *len its size. */
static void *map(const char *path, int prot, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	*len = (size_t)st.st_size;
	p = mmap(NULL, *len, prot, MAP_PRIVATE, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Map the first page of the file at path at addr (MAP_FIXED) with prot. */
static int map_at(void *addr, const char *path, int prot)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return -1;
	p = mmap(addr, 4096, prot, MAP_PRIVATE | MAP_FIXED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? -1 : 0;
}

/* The span modes: two adjacent pages, the second PATH's, the first
 * anonymous (span, spananon) or dest's executable (span2); one mprotect
 * adding PROT_EXEC to both, or (spananon) to the first only. */
static int span(const char *mode, const char *path, const char *dest)
{
	size_t n = strncmp(mode, "spanmany", 8) == 0 ? 40 : 1, i;
	char *p = mmap(NULL, (n + 1) * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return die("mmap");
	for (i = 1; n > 1 && i < n; i += 2)
		if (mprotect(p + i * 4096, 4096, PROT_READ) < 0)
			return die("mprotect");
	if (n > 1) {
		if (map_at(p + n * 4096, path, PROT_READ) < 0)
			return die(path);
	} else if (strcmp(mode, "span2") == 0) {
		if (map_at(p, path, PROT_READ | PROT_EXEC) < 0 ||
		    map_at(p + 4096, dest, PROT_READ) < 0)
			return die("mmap");
	} else if (map_at(p + 4096, path, PROT_READ) < 0) {
		return die(path);
	}
	if (mprotect(p, (strstr(mode, "anon") ? n : n + 1) * 4096,
		     PROT_READ | PROT_EXEC) < 0)
		return die("mprotect");
	puts("protected");
	return 0;
}

static volatile int churning;

static void *churn(void *arg)
{
	void *q;

	(void)arg;
	while (churning) {
		q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED)
			munmap(q, 4096);
	}
	return NULL;
}

/* race, norace: see the top. */
static int race(const char *path, int threads)
{
	pthread_t t[3];
	size_t len;
	char *p = map(path, PROT_READ, &len);
	int i, n = 0;

	if (!p)
		return die(path);
	churning = 1;
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, churn, NULL))
			return die("pthread_create");
	for (i = 0; i < 5000; i++) {
		n += mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0;
		mprotect(p, 4096, PROT_READ);
	}
	churning = 0;
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("%d\n", n);
	return 0;
}

static int race_fd[3];	/* PATH's, DEST's, the one mapped */

static void *swap_fd(void *arg)
{
	(void)arg;
	while (churning) {
		dup2(race_fd[1], race_fd[2]);
		dup2(race_fd[0], race_fd[2]);
	}
	return NULL;
}

/* fdrace: see the top. */
static int fdrace(const char *path, const char *dest)
{
	char first;
	pthread_t t;
	int i, n[2] = { 0, 0 };
	char *p;

	race_fd[0] = open(path, O_RDONLY | O_CLOEXEC);
	race_fd[1] = open(dest, O_RDONLY | O_CLOEXEC);
	if (race_fd[0] < 0 || race_fd[1] < 0 ||
	    pread(race_fd[0], &first, 1, 0) != 1)
		return die("open");
	race_fd[2] = dup(race_fd[0]);
	churning = 1;
	if (race_fd[2] < 0 || pthread_create(&t, NULL, swap_fd, NULL))
		return die("dup");
	for (i = 0; i < 2000; i++) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
			 race_fd[2], 0);
		if (p == MAP_FAILED)
			continue;	/* between the two: none */
		n[p[0] != first]++;
		munmap(p, 4096);
	}
	churning = 0;
	pthread_join(t, NULL);
	printf("%d %d\n", n[0], n[1]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "", *path = argc > 2 ? argv[2] : "";
	char buf[4096];
	size_t len;
	void *p;
	int fd;

	if (strcmp(mode, "dlopen") == 0)
		return load(path);
	if (strcmp(mode, "copyload") == 0 && argc > 3) {
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0 || copy(path, fd) < 0 || close(fd) < 0)
			return die(argv[3]);
		return load(argv[3]);
	}
	if (strcmp(mode, "read") == 0 || strcmp(mode, "anon") == 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return die(path);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		if (mode[0] == 'r') {
			puts("read");
			return 0;
		}
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return die("mmap");
		memcpy(p, buf, 16);
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0)
			return die("mprotect");
		puts("jit");
		return 0;
	}
	if (strcmp(mode, "mmapread") == 0) {
		if (!map(path, PROT_READ, &len))
			return die(path);
		puts("mapped");
		return 0;
	}
	if (strcmp(mode, "mprotect") == 0) {
		p = map(path, PROT_READ, &len);
		if (!p)
			return die(path);
		if (mprotect(p, len, PROT_READ | PROT_EXEC) < 0)
			return die("mprotect");
		puts("protected");
		return 0;
	}
	if (strcmp(mode, "memfd") == 0) {
		fd = memfd_create("gh-code", MFD_CLOEXEC);
		if (fd < 0 || copy(path, fd) < 0)
			return die("memfd");
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return die("mmap");
		puts("memfd");
		return 0;
	}
	if (strcmp(mode, "span") == 0 || strcmp(mode, "spananon") == 0 ||
	    strcmp(mode, "spanmany") == 0 || strcmp(mode, "spanmanyanon") == 0 ||
	    (strcmp(mode, "span2") == 0 && argc > 3))
		return span(mode, path, argv[3]);
	if (strcmp(mode, "race") == 0 || strcmp(mode, "norace") == 0)
		return race(path, mode[0] == 'r' ? 3 : 0);
	if (strcmp(mode, "fdrace") == 0 && argc > 3)
		return fdrace(path, argv[3]);
	if (strcmp(mode, "rie") == 0) {
		if (personality(READ_IMPLIES_EXEC) < 0)
			return die("personality");
		if (!map(path, PROT_READ, &len))
			return die(path);
		puts("mapped");
		return 0;
	}
	fprintf(stderr, "usage: work MODE PATH [DEST]\n");
	return 2;
}
