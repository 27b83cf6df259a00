/* libFuzzer target: the gh-policy rules parser and compiler. The input is
 * written to a memory file and loaded as a rules file. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct policy p = { 0 };
	char path[64], err[512];
	int fd = memfd_create("rules", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	policy_load(&p, path, err, sizeof(err));
	policy_release(&p); /* also after a failed load, as gh-policy does */
	close(fd);
	return 0;
}
