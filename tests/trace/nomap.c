/* Preloaded into gh-trace by tests/gh-trace-edges.bats: mmap(2) fails with
 * ENOMEM for the ring buffer's data (a read-only, fixed, shared mapping at
 * a file offset past the two position pages), as when memory runs out
 * while the records are read. Every other mapping is the kernel's. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && prot == PROT_READ && (flags & MAP_FIXED) &&
	    (flags & MAP_SHARED) && off >= 2 * sysconf(_SC_PAGESIZE)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
