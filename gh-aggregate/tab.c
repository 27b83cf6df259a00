/* gh-aggregate: string interning and fixed-key hash tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tab.h"

int grow_array(void *p, uint32_t *cap, uint32_t n, size_t size)
{
	void **arr = p;
	uint32_t c = *cap ? *cap : 16;
	void *np;

	if (n <= *cap)
		return 0;
	while (c < n) {
		if (c > UINT32_MAX / 2)
			return -ENOMEM;
		c *= 2;
	}
	np = realloc(*arr, (size_t)c * size);
	if (!np)
		return -ENOMEM;
	*arr = np;
	*cap = c;
	return 0;
}

/* A slot: index + 1 in the low half, the hash's top half above. */
#define SLOT(i, h) ((uint64_t)(i) | ((h) & 0xffffffff00000000ull))
#define SLOT_IX(s) ((uint32_t)(s))
#define SLOT_TAG(s) ((s) & 0xffffffff00000000ull)

/* A new slot array twice as large (at least 1024, at least 2n), filled
 * with entries 0..n-1 (hash_of gives each one's hash). */
static int rehash(uint64_t **slots, uint32_t *mask, uint32_t n,
		  uint64_t (*hash_of)(void *ctx, uint32_t i), void *ctx)
{
	uint32_t size = *mask ? (*mask + 1) * 2 : 1024, i, j;
	uint64_t *s, h;

	while (size < 2 * n)
		size *= 2;
	s = calloc(size, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		h = hash_of(ctx, i);
		j = (uint32_t)h & (size - 1);
		while (s[j])
			j = (j + 1) & (size - 1);
		s[j] = SLOT(i + 1, h);
	}
	free(*slots);
	*slots = s;
	*mask = size - 1;
	return 0;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void strtab_release(struct strtab *t)
{
	free(t->arena);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static size_t record_size(size_t len)
{
	return (STRTAB_HDR + len + 1 + 7) & ~(size_t)7;
}

static int strtab_rehash(struct strtab *t)
{
	uint32_t size = t->mask ? (t->mask + 1) * 2 : 1024, j;
	uint64_t *s, h;
	size_t off, len;

	while (size < 2 * (t->n + 1))
		size *= 2;
	s = calloc(size, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (off = record_size(0); off < t->alen; off += record_size(len)) {
		len = strtab_len(t, (uint32_t)off);
		h = tab_hash(strtab_str(t, (uint32_t)off), len);
		for (j = (uint32_t)h & (size - 1); s[j]; j = (j + 1) & (size - 1))
			;
		s[j] = SLOT(off, h);
	}
	free(t->slots);
	t->slots = s;
	t->mask = size - 1;
	return 0;
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	return strtab_intern_hashed(t, s, len, tab_hash(s, len));
}

uint32_t strtab_guess(const struct strtab *t, uint64_t h)
{
	uint64_t slot;
	uint32_t j;

	if (!t->slots)
		return 0;
	for (j = (uint32_t)h & t->mask; (slot = t->slots[j]); j = (j + 1) & t->mask)
		if (SLOT_TAG(slot) == SLOT_TAG(h))
			return SLOT_IX(slot);
	return 0;
}

uint32_t strtab_intern_hashed(struct strtab *t, const char *s, size_t len,
			      uint64_t h)
{
	uint64_t slot;
	size_t need = record_size(len);
	uint32_t j, id, n32 = (uint32_t)len;

	if (len > UINT32_MAX / 2)
		return 0;
	if (t->slots) {
		for (j = (uint32_t)h & t->mask; (slot = t->slots[j]); j = (j + 1) & t->mask) {
			id = SLOT_IX(slot);
			if (SLOT_TAG(slot) == SLOT_TAG(h) && strtab_len(t, id) == len &&
			    tab_eq(strtab_str(t, id), s, len))
				return id;
		}
	}
	if (!t->arena)
		t->alen = record_size(0);	/* the empty record at offset 0 */
	if (t->alen + need > UINT32_MAX)
		return 0;
	if (t->alen + need > t->acap) {
		size_t cap = t->acap ? t->acap : 65536;
		char *a;

		while (cap < t->alen + need)
			cap *= 2;
		a = realloc(t->arena, cap);
		if (!a)
			return 0;
		if (!t->arena)
			memset(a, 0, record_size(0));
		t->arena = a;
		t->acap = cap;
	}
	if (2 * (t->n + 1) > t->mask + 1 && strtab_rehash(t) < 0)
		return 0;
	id = (uint32_t)t->alen;
	memcpy(t->arena + id, &n32, 4);
	memset(t->arena + id + 4, 0, need - 4);
	if (len)
		memcpy(t->arena + id + STRTAB_HDR, s, len);
	t->alen += need;
	t->n++;
	for (j = (uint32_t)h & t->mask; t->slots[j]; j = (j + 1) & t->mask)
		;
	t->slots[j] = SLOT(id, h);
	return id;
}

int strtab_cmp(const struct strtab *t, uint32_t a, uint32_t b)
{
	size_t la, lb;
	int c;

	if (a == b)
		return 0;
	if (!a || !b)
		return a ? 1 : -1;
	la = strtab_len(t, a);
	lb = strtab_len(t, b);
	c = memcmp(strtab_str(t, a), strtab_str(t, b), la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

void ktab_init(struct ktab *t, size_t ksize, size_t vsize)
{
	memset(t, 0, sizeof(*t));
	t->ksize = ksize;
	t->voff = (ksize + 7) & ~(size_t)7;
	t->stride = (t->voff + vsize + 7) & ~(size_t)7;
	if (t->stride > 32 && t->stride < 64)
		t->stride = 64;
	else if (t->stride > 16 && t->stride < 32)
		t->stride = 32;
}

void ktab_release(struct ktab *t)
{
	free(t->elems);
	free(t->slots);
	t->elems = NULL;
	t->slots = NULL;
	t->n = t->cap = t->mask = 0;
}

static uint64_t key_hash_of(void *ctx, uint32_t i)
{
	struct ktab *t = ctx;

	return tab_hash(ktab_key(t, i), t->ksize);
}

int ktab_get(struct ktab *t, const void *key, uint32_t *idx)
{
	return ktab_get_hashed(t, key, tab_hash(key, t->ksize), idx);
}

int ktab_get_hashed(struct ktab *t, const void *key, uint64_t h, uint32_t *idx)
{
	uint64_t slot;
	uint32_t j;

	if (t->slots) {
		for (j = (uint32_t)h & t->mask; (slot = t->slots[j]); j = (j + 1) & t->mask) {
			if (SLOT_TAG(slot) == SLOT_TAG(h) &&
			    tab_eq(ktab_key(t, SLOT_IX(slot) - 1), key, t->ksize)) {
				*idx = SLOT_IX(slot) - 1;
				return 1;
			}
		}
	}
	if (2 * (t->n + 1) > t->mask + 1 &&
	    rehash(&t->slots, &t->mask, t->n, key_hash_of, t) < 0)
		return -ENOMEM;
	if (t->n == t->cap) {
		/* aligned, so that small entries do not straddle cache lines */
		uint32_t cap = t->cap ? 2 * t->cap : 64;
		unsigned char *e = aligned_alloc(64, (size_t)cap * t->stride);

		if (!e || cap < t->cap)
			return -ENOMEM;
		if (t->n)
			memcpy(e, t->elems, (size_t)t->n * t->stride);
		free(t->elems);
		t->elems = e;
		t->cap = cap;
	}
	memset(t->elems + (size_t)t->n * t->stride, 0, t->stride);
	memcpy(t->elems + (size_t)t->n * t->stride, key, t->ksize);
	for (j = (uint32_t)h & t->mask; t->slots[j]; j = (j + 1) & t->mask)
		;
	t->slots[j] = SLOT(t->n + 1, h);
	*idx = t->n++;
	return 0;
}
