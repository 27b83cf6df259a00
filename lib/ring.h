/* Reading a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) from user space,
 * mapping its data only as far as records reach.
 *
 * The kernel lays the map out as the consumer position's page (the only
 * writable one), the producer position's page, then the data twice over
 * (so that a record that wraps around the end reads as one piece):
 * file offsets 0, PAGE and 2 * PAGE. A reader that maps all of it, as
 * libbpf's ring_buffer__new() does, pays for every page of both copies
 * (2 x 4 MiB by default) at each start, though a short command writes a
 * few kilobytes. Here the address space for all of it is reserved at
 * open, and the data is mapped in chunks as records reach them; a long
 * run ends with it all mapped, a short one with a chunk or two.
 *
 * The caller owns the map's fd (not closed here). A struct gh_ring is
 * set by gh_ring_open(); gh_ring_close() frees what it maps and accepts a
 * zeroed or closed one.
 */
#ifndef GH_RING_H
#define GH_RING_H

#include <stddef.h>
#include <stdint.h>

/* Gets each record (its data, without the kernel's header); a negative
 * return stops gh_ring_consume(), which returns it. */
typedef int (*gh_ring_fn)(void *ctx, void *data, size_t size);

#define GH_RING_CHUNK (64u << 10)	/* bytes mapped at a time, at most */

struct gh_ring {
	int fd;
	size_t page;
	uint64_t size, mask;	/* data bytes (a power of two), size - 1 */
	size_t chunk;		/* min(GH_RING_CHUNK, size) */
	unsigned int shift;	/* log2(chunk) */
	unsigned long *consumer;	/* the consumer position's page */
	char *base;		/* producer page, then 2 x size of data */
	unsigned char *have;	/* chunk k of the data's 2 x size mapped */
	size_t nchunk;
	size_t mapped;		/* data bytes mapped so far */
	size_t nmap;		/* in how many mmap(2) calls */
	gh_ring_fn fn;
	void *ctx;
};

/* Map the positions of the ring buffer fd, whose data is size bytes (a
 * power of two, as the kernel requires). Returns 0 or -errno. */
int gh_ring_open(struct gh_ring *r, int fd, uint64_t size, gh_ring_fn fn,
		 void *ctx);
/* Give fn every record committed so far (records discarded by the
 * programs are skipped), then the space back to the kernel. Returns the
 * number of records given, or -errno (fn's negative return, or mapping
 * a chunk failed), the position then left after the last record read. */
int gh_ring_consume(struct gh_ring *r);
void gh_ring_close(struct gh_ring *r);

#endif
