/* Unit tests of lib/ring.c on a memory file laid out as the kernel lays
 * out a BPF ring buffer: the consumer position's page, the producer
 * position's page, then the data twice (written to both copies here, as
 * the kernel's double mapping shows it). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ring.h"
#include "tap.h"

#define SIZE (256u << 10)	/* four chunks of data, eight with the copy */

static int fd;
static long page;

struct seen {
	int n;
	size_t len[16];
	char first[16];
	int stop_at;		/* return -ECANCELED on this record (1-based) */
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;

	if (s->n < 16) {
		s->len[s->n] = size;
		s->first[s->n] = size ? *(char *)data : 0;
	}
	s->n++;
	return s->n == s->stop_at ? -ECANCELED : 0;
}

static void pwrite_all(const void *p, size_t n, off_t off)
{
	if (pwrite(fd, p, n, off) != (ssize_t)n)
		abort();
}

/* Data bytes at ring position pos, in both copies. */
static void put(uint64_t pos, const void *p, size_t n)
{
	const char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t off = (pos + i) % SIZE;

		pwrite_all(c + i, 1, 2 * page + off);
		pwrite_all(c + i, 1, 2 * page + SIZE + off);
	}
}

/* A record of n bytes filled with ch at pos, with the header's flag
 * bits; returns the position after it. */
static uint64_t record(uint64_t pos, size_t n, char ch, uint32_t flags)
{
	uint32_t hdr[2] = { (uint32_t)n | flags, 0 };
	char *body = malloc(n ? n : 1);

	memset(body, ch, n);
	put(pos, hdr, sizeof(hdr));
	put(pos + 8, body, n);
	free(body);
	return pos + ((8 + n + 7) & ~7ul);
}

static void set_pos(off_t where, unsigned long v)
{
	pwrite_all(&v, sizeof(v), where);
}

static unsigned long get_pos(off_t where)
{
	unsigned long v = 0;

	if (pread(fd, &v, sizeof(v), where) != sizeof(v))
		abort();
	return v;
}

int main(void)
{
	struct gh_ring r;
	struct seen s;
	uint64_t pos, start;
	int n;

	page = sysconf(_SC_PAGESIZE);
	fd = memfd_create("ring", 0);
	if (fd < 0 || ftruncate(fd, 2 * page + 2 * SIZE) < 0)
		return 2;

	/* records from position 0: one chunk mapped, not eight */
	memset(&s, 0, sizeof(s));
	ok(gh_ring_open(&r, fd, SIZE, on_rec, &s) == 0, "opens");
	ok(r.mapped == 0, "nothing of the data mapped at open");
	ok(gh_ring_consume(&r) == 0 && s.n == 0, "an empty ring gives nothing");
	pos = record(0, 5, 'a', 0);
	pos = record(pos, 13, 'b', 0);
	set_pos(page, pos);
	n = gh_ring_consume(&r);
	ok(n == 2 && s.n == 2 && s.len[0] == 5 && s.first[0] == 'a' &&
	   s.len[1] == 13 && s.first[1] == 'b', "two records, whole");
	ok(get_pos(0) == pos, "the consumer position is past them");
	ok(r.mapped == GH_RING_CHUNK, "one chunk mapped (%zu bytes)", r.mapped);
	ok(gh_ring_consume(&r) == 0 && s.n == 2, "nothing given twice");

	/* a discarded record is skipped, a busy one stops the reading */
	pos = record(pos, 7, 'c', 1u << 30);
	start = pos;
	pos = record(pos, 9, 'd', 1u << 31);
	set_pos(page, pos);
	ok(gh_ring_consume(&r) == 0 && s.n == 2, "discarded skipped, busy not read");
	ok(get_pos(0) == start, "the position stops at the busy record");
	record(start, 9, 'd', 0);
	ok(gh_ring_consume(&r) == 1 && s.n == 3 && s.first[2] == 'd' && s.len[2] == 9,
	   "the busy record once committed");
	gh_ring_close(&r);
	ok(r.fd == -1 && r.base == NULL, "closed");

	/* a position far into the ring (a reused one): the chunk there, and a
	 * record wrapping around the end read as one piece from the copy */
	memset(&s, 0, sizeof(s));
	start = 3 * (uint64_t)SIZE - 16;	/* data offset SIZE - 16 */
	set_pos(0, start);
	pos = record(start, 100, 'w', 0);
	set_pos(page, pos);
	ok(gh_ring_open(&r, fd, SIZE, on_rec, &s) == 0, "opens again");
	ok(gh_ring_consume(&r) == 1 && s.len[0] == 100 && s.first[0] == 'w',
	   "a record across the end, whole");
	/* the header's chunk, then the next with as many ahead as were mapped */
	ok(r.mapped == 3 * GH_RING_CHUNK && r.have[SIZE / GH_RING_CHUNK - 1] &&
	   r.have[SIZE / GH_RING_CHUNK] && r.have[SIZE / GH_RING_CHUNK + 1] &&
	   !r.have[SIZE / GH_RING_CHUNK + 2] && !r.have[0],
	   "the two chunks it spans mapped and one ahead, not the start (%zu bytes)",
	   r.mapped);

	/* a record as long as the data allows spans every chunk of the copy */
	start = pos;
	pos = record(pos, SIZE - 8, 'L', 0);
	set_pos(page, pos);
	ok(gh_ring_consume(&r) == 1 && s.n == 2 && s.len[1] == SIZE - 8,
	   "a record of the whole ring");
	ok(r.mapped <= 2 * SIZE, "never more than the data twice");
	diag("mapped after a record of the whole ring: %zu of %u bytes", r.mapped,
	     2 * SIZE);
	gh_ring_close(&r);

	/* the callback's error stops the reading after that record */
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	set_pos(0, 0);
	pos = record(0, 4, 'x', 0);
	pos = record(pos, 4, 'y', 0);
	set_pos(page, pos);
	ok(gh_ring_open(&r, fd, SIZE, on_rec, &s) == 0, "opens a third time");
	ok(gh_ring_consume(&r) == -ECANCELED && s.n == 1, "the callback's error returned");
	ok(get_pos(0) == 16, "the position after the record it refused");
	ok(gh_ring_consume(&r) == 1 && s.n == 2 && s.first[1] == 'y', "the next one later");

	/* a length no kernel writes (more than the ring) is refused */
	set_pos(0, 0);
	{
		uint32_t hdr[2] = { SIZE, 0 };

		put(0, hdr, sizeof(hdr));
	}
	set_pos(page, 64);
	ok(gh_ring_consume(&r) == -EIO, "a record longer than the ring refused");
	gh_ring_close(&r);

	/* records going round the whole ring: the data mapped in a few calls,
	 * each mapping ahead as much as is mapped (1, 2, 4, then the rest) */
	memset(&s, 0, sizeof(s));
	set_pos(0, 0);
	for (pos = 0; pos < SIZE; )
		pos = record(pos, 4096 - 8, 'r', 0);
	set_pos(page, pos);
	ok(gh_ring_open(&r, fd, SIZE, on_rec, &s) == 0, "opens a fourth time");
	ok(gh_ring_consume(&r) == (int)(SIZE / 4096) && s.n == (int)(SIZE / 4096),
	   "every record of a full ring");
	ok(r.nmap <= 3 && r.mapped <= 2 * SIZE,
	   "its data mapped in %zu calls (%zu bytes)", r.nmap, r.mapped);
	gh_ring_close(&r);

	/* sizes the kernel refuses are refused here */
	ok(gh_ring_open(&r, fd, 3 * page, on_rec, &s) == -EINVAL, "not a power of two");
	ok(gh_ring_open(&r, fd, 0, on_rec, &s) == -EINVAL, "zero");
	ok(gh_ring_open(&r, -1, SIZE, on_rec, &s) == -EBADF, "a bad fd");
	gh_ring_close(&r);
	close(fd);
	return done_testing();
}
