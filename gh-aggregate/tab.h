/* gh-aggregate: hash tables keyed by distinct things.
 *
 * struct strtab interns byte strings (ids from 1; 0 means "none"), so a
 * path or argv seen a million times is stored once. struct ktab maps
 * fixed-size keys (structs without padding) to values stored next to them,
 * with dense indexes 0..n-1. Both use open addressing with linear probing,
 * at most half full, and keep part of each hash in the slot so that most
 * mismatches cost no second memory access.
 */
#ifndef GH_AGG_TAB_H
#define GH_AGG_TAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Inline, so that a key's fixed size unrolls the loop. */
static inline uint64_t tab_hash(const void *p, size_t n)
{
	const unsigned char *s = p, *last;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0x100000001b3ull), w;
	uint32_t lo, hi;

	/* the tail as one more word, without a variable-length copy: the
	 * last eight bytes (overlapping), or for short strings their first
	 * and last bytes (the length is in h already) */
	if (n >= 8) {
		last = s + n - 8;
		while (s < last) {
			memcpy(&w, s, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdull;
			h ^= h >> 32;
			s += 8;
		}
		memcpy(&w, last, 8);
	} else if (n >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		w = (uint64_t)hi << 32 | lo;
	} else {
		w = n ? (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 |
			(uint64_t)s[n - 1] << 16 : 0;
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 32;
	return h;
}


/* Each string lives in the arena as a record: u32 length, two u32 user
 * values, the bytes, a NUL, padding to 8. Its id is the record's offset (never 0:
 * the arena starts with an empty record), so a lookup touches one slot and
 * one record. */
#define STRTAB_HDR 12

struct strtab {
	char *arena;
	size_t alen, acap;
	uint32_t n;		/* strings */
	uint64_t *slots;	/* 0 empty, else id | hash's top bits << 32 */
	uint32_t mask;
};

void strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);
/* The id of s[0..len) (added when new), or 0 when out of memory. */
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
/* The same, h being tab_hash(s, len). */
uint32_t strtab_intern_hashed(struct strtab *t, const char *s, size_t len,
			      uint64_t h);
/* Prefetch hints, which only read the table: the slot of a string of
 * hash h, and once that is cached, the id of the first string whose slot
 * has h's tag (probably that string), or 0. */
static inline void strtab_prefetch(const struct strtab *t, uint64_t h)
{
	if (t->slots)
		__builtin_prefetch(&t->slots[(uint32_t)h & t->mask]);
}
uint32_t strtab_guess(const struct strtab *t, uint64_t h);
static inline size_t strtab_len(const struct strtab *t, uint32_t id)
{
	uint32_t n;

	__builtin_memcpy(&n, t->arena + id, 4);
	return n;
}
static inline const char *strtab_str(const struct strtab *t, uint32_t id)
{
	return t->arena + id + STRTAB_HDR;
}
/* Two numbers callers may keep with a string (cache hints), 0 at first. */
static inline uint32_t *strtab_user(struct strtab *t, uint32_t id)
{
	return (uint32_t *)(void *)(t->arena + id + 4);
}
/* Byte order of two ids' strings (shorter prefix first); id 0 sorts first. */
int strtab_cmp(const struct strtab *t, uint32_t a, uint32_t b);

struct ktab {
	size_t ksize, voff, stride;	/* key at 0, value at voff (8-aligned) */
	unsigned char *elems;	/* n * stride */
	uint32_t n, cap;
	uint64_t *slots;	/* 0 empty, else index + 1 | hash's top bits << 32 */
	uint32_t mask;
};

/* Keys of ksize bytes (multiples of 4, no padding), each with a value of
 * vsize bytes stored next to it (zeroed when the key is added). */
void ktab_init(struct ktab *t, size_t ksize, size_t vsize);
void ktab_release(struct ktab *t);
/* The index of key: 1 when found, 0 when added, -ENOMEM. Indexes are
 * dense (0..n-1, in order of addition); pointers move when keys are added. */
int ktab_get(struct ktab *t, const void *key, uint32_t *idx);
/* The same, h being tab_hash(key, ksize); and a prefetch of its slot. */
int ktab_get_hashed(struct ktab *t, const void *key, uint64_t h, uint32_t *idx);
static inline void ktab_prefetch(const struct ktab *t, uint64_t h)
{
	if (t->slots)
		__builtin_prefetch(&t->slots[(uint32_t)h & t->mask]);
}
/* Once the slot of hash h is cached: the index + 1 of the first key
 * whose slot has h's tag (probably that key), or 0. Reads only. */
static inline uint32_t ktab_guess(const struct ktab *t, uint64_t h)
{
	uint64_t slot;
	uint32_t j;

	if (!t->slots)
		return 0;
	for (j = (uint32_t)h & t->mask; (slot = t->slots[j]); j = (j + 1) & t->mask)
		if ((slot & 0xffffffff00000000ull) == (h & 0xffffffff00000000ull))
			return (uint32_t)slot;
	return 0;
}
static inline const void *ktab_key(const struct ktab *t, uint32_t idx)
{
	return t->elems + (size_t)idx * t->stride;
}
static inline void *ktab_val(const struct ktab *t, uint32_t idx)
{
	return t->elems + (size_t)idx * t->stride + t->voff;
}

/* Equality of n bytes, inline (memcmp is a call, and these are short). */
static inline int tab_eq(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	uint64_t x, y;

	while (n >= 8) {
		__builtin_memcpy(&x, p, 8);
		__builtin_memcpy(&y, q, 8);
		if (x != y)
			return 0;
		p += 8;
		q += 8;
		n -= 8;
	}
	while (n--)
		if (*p++ != *q++)
			return 0;
	return 1;
}

/* Grow *p (an array of *cap elements of size) to hold at least n. */
int grow_array(void *p, uint32_t *cap, uint32_t n, size_t size);

#endif
