/* A BPF ring buffer reader that maps data chunks as records reach them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "ring.h"

/* The kernel's record header (include/uapi/linux/bpf.h: BPF_RINGBUF_*):
 * a 32-bit length whose two top bits say busy (being written) and
 * discarded, then 32 bits for the kernel; records are 8-byte aligned. */
#define RING_BUSY (1u << 31)
#define RING_DISCARD (1u << 30)
#define RING_HDR 8u

int gh_ring_open(struct gh_ring *r, int fd, uint64_t size, gh_ring_fn fn,
		 void *ctx)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (page <= 0 || !size || (size & (size - 1)) || size % page)
		return -EINVAL;
	r->page = page;
	r->size = size;
	r->mask = size - 1;
	r->chunk = size < GH_RING_CHUNK ? size : GH_RING_CHUNK;
	if (r->chunk < r->page)
		r->chunk = r->page;
	while (((size_t)1 << r->shift) < r->chunk)
		r->shift++;
	r->nchunk = 2 * size / r->chunk;
	r->have = calloc(r->nchunk, 1);
	if (!r->have)
		return -ENOMEM;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer = p;
	/* the address space of the rest, then its first page: the producer's */
	p = mmap(NULL, r->page + 2 * size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->base = p;
	if (mmap(r->base, r->page, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 r->page) == MAP_FAILED)
		goto fail;
	r->fd = fd;
	r->fn = fn;
	r->ctx = ctx;
	return 0;
fail:
	err = -errno;
	gh_ring_close(r);
	return err;
}

/* Map the chunks k to end of the data, and ahead of them as many as are
 * mapped already: a reader going round the ring maps it in a few calls
 * (each mmap(2) replaces part of the reservation, which costs more than
 * the pages it maps). Returns 0 or -errno. */
static int ring_map_chunks(struct gh_ring *r, size_t k, size_t end)
{
	size_t j, ahead = r->mapped / r->chunk;

	if (end + ahead >= r->nchunk)
		ahead = r->nchunk - 1 - end;
	end += ahead;
	for (; k <= end; k++) {
		if (r->have[k])
			continue;
		/* the chunks missing from here on, in one call */
		for (j = k; j <= end && !r->have[j]; j++)
			;
		if (mmap(r->base + r->page + k * r->chunk, (j - k) * r->chunk,
			 PROT_READ, MAP_SHARED | MAP_FIXED, r->fd,
			 2 * r->page + k * r->chunk) == MAP_FAILED)
			return -errno;
		memset(r->have + k, 1, j - k);
		r->mapped += (j - k) * r->chunk;
		r->nmap++;
		k = j - 1;
	}
	return 0;
}

/* Make data bytes [off, off + n) readable (off + n at most 2 x size, as
 * every record's is): at most a shift and two loads per record once
 * mapped. Returns 0 or -errno. */
static inline int ring_map(struct gh_ring *r, uint64_t off, uint64_t n)
{
	size_t k = off >> r->shift, end = (off + n - 1) >> r->shift;

	if (end - k <= 1 && r->have[k] && r->have[end])
		return 0;
	return ring_map_chunks(r, k, end);
}

int gh_ring_consume(struct gh_ring *r)
{
	unsigned long cons, prod;
	uint32_t raw, len, *hdr;
	uint64_t off;
	int n = 0, more, err;

	cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	do {
		more = 0;
		prod = __atomic_load_n((unsigned long *)r->base, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			off = cons & r->mask;
			err = ring_map(r, off, RING_HDR);
			if (err)
				return err;
			hdr = (uint32_t *)(r->base + r->page + off);
			raw = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (raw & RING_BUSY)
				return n;
			len = raw & ~(RING_BUSY | RING_DISCARD);
			if (len > r->size - RING_HDR)
				return -EIO;	/* not the kernel's */
			err = ring_map(r, off, RING_HDR + len);
			if (err)
				return err;
			more = 1;
			cons += (RING_HDR + len + 7) & ~7ul;
			if (!(raw & RING_DISCARD)) {
				err = r->fn(r->ctx, (char *)hdr + RING_HDR, len);
				if (err < 0) {
					__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
					return err;
				}
				n++;
			}
			__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
		}
	} while (more);
	return n;
}

void gh_ring_close(struct gh_ring *r)
{
	if (r->base && r->base != MAP_FAILED)
		munmap(r->base, r->page + 2 * r->size);
	if (r->consumer && (void *)r->consumer != MAP_FAILED)
		munmap(r->consumer, r->page);
	free(r->have);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
