/* gh-trace's record writer alone (gh-trace/event.c, event_format): CPU
 * per record of the records an open loop makes, no kernel, no I/O. The
 * records are built as the programs lay them out (bpf/trace.h): an
 * openat of an absolute name that returned a descriptor. Built against
 * a tree's own objects by bench/trace/fmt.
 *
 *   format [N]   format N open records (default 2,000,000), the lines
 *                written to a buffer emptied every 64 KiB as gh-trace
 *                does; prints "RECORDS NS_PER_RECORD BYTES_PER_RECORD"
 *   format -p    print the line of one such record
 */
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gh-trace/event.h"
#include "bpf/trace.h"
/* this tree's copy, whichever tree's objects it is built against */
#include "../../tests/unit/open_record.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char rec[1024];
	struct gh_buf b = GH_BUF_INIT;
	long i, n = argc > 1 ? atol(argv[1]) : 2000000;
	size_t size = open_record(rec, "/etc/hostname", 1000000000ull + 123456789,
				  123456, 123456);
	unsigned long long bytes = 0;
	double t0, t1;

	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		if (event_format(&b, rec, size, 1000000000ull) != 1)
			return 1;
		fputs(b.p, stdout);
		return 0;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		((struct gh_event *)rec)->ts += 1000;
		if (event_format(&b, rec, size, 1000000000ull) != 1) {
			fprintf(stderr, "format: record %ld not written\n", i);
			return 1;
		}
		if (b.len >= 1 << 16) {
			bytes += b.len;
			b.len = 0;
		}
	}
	t1 = now();
	bytes += b.len;
	printf("%ld %.1f %.1f\n", n, (t1 - t0) * 1e9 / n, (double)bytes / n);
	gh_buf_release(&b);
	return 0;
}
