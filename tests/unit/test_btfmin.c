/* Unit tests of lib/btfmin.c on small BTFs built here: a "kernel" with
 * two candidates of a relocated struct (one a ___flavor), an anonymous
 * union, an array of structs, a pointer and types nothing reads; an
 * "object" whose relocations read some of it. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "btfmin.h"
#include "tap.h"

struct blob {
	unsigned char types[4096];
	size_t tlen;
	char strs[1024];
	size_t slen;
	unsigned char raw[8192];
	size_t len;
};

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1;
}

static uint32_t str(struct blob *b, const char *s)
{
	uint32_t at = (uint32_t)b->slen;

	if (!*s)
		return 0;
	memcpy(b->strs + b->slen, s, strlen(s) + 1);
	b->slen += strlen(s) + 1;
	return at;
}

static void add(struct blob *b, const void *p, size_t n)
{
	memcpy(b->types + b->tlen, p, n);
	b->tlen += n;
}

static void type(struct blob *b, const char *name, int kind, int vlen,
		 uint32_t size_type)
{
	struct btf_type t = { str(b, name), (uint32_t)kind << 24 | vlen, { size_type } };

	add(b, &t, sizeof(t));
}

static void t_int(struct blob *b)
{
	uint32_t enc = BTF_INT_SIGNED << 24 | 32;

	type(b, "int", BTF_KIND_INT, 0, 4);
	add(b, &enc, 4);
}

static void member(struct blob *b, const char *name, uint32_t t, uint32_t bits)
{
	struct btf_member m = { str(b, name), t, bits };

	add(b, &m, sizeof(m));
}

static void enumerator(struct blob *b, const char *name, int32_t v)
{
	struct btf_enum e = { str(b, name), v };

	add(b, &e, sizeof(e));
}

static void array(struct blob *b, uint32_t elem, uint32_t index, uint32_t n)
{
	struct btf_array a = { elem, index, n };

	type(b, "", BTF_KIND_ARRAY, 0, 0);
	add(b, &a, sizeof(a));
}

static void finish(struct blob *b)
{
	struct btf_header h = { BTF_MAGIC, BTF_VERSION, 0, sizeof(h), 0,
				(uint32_t)b->tlen, (uint32_t)b->tlen, (uint32_t)b->slen };

	memcpy(b->raw, &h, sizeof(h));
	memcpy(b->raw + sizeof(h), b->types, b->tlen);
	memcpy(b->raw + sizeof(h) + b->tlen, b->strs, b->slen);
	b->len = sizeof(h) + b->tlen + b->slen;
}

/* The kernel:
 *  [1] int
 *  [2] struct task (48): pid@0, <anon union [3]>@64, next@128 (ptr [4]),
 *      names@192 ([5]), x@320, unused@352
 *  [3] union (4): x, y
 *  [4] ptr -> [2]
 *  [5] item[2], index int
 *  [6] struct item (8): v@0, w@32
 *  [7] struct task___old (8): pid@32
 *  [8] struct unrelated (4): pid@0
 *  [9] enum state (4): RUNNING = 0, STOPPED = 4 */
static void kernel(struct blob *b)
{
	blob_init(b);
	t_int(b);
	type(b, "task", BTF_KIND_STRUCT, 6, 48);
	member(b, "pid", 1, 0);
	member(b, "", 3, 64);
	member(b, "next", 4, 128);
	member(b, "names", 5, 192);
	member(b, "x", 1, 320);
	member(b, "unused", 1, 352);
	type(b, "", BTF_KIND_UNION, 2, 4);
	member(b, "x", 1, 0);
	member(b, "y", 1, 0);
	type(b, "", BTF_KIND_PTR, 0, 2);
	array(b, 6, 1, 2);
	type(b, "item", BTF_KIND_STRUCT, 2, 8);
	member(b, "v", 1, 0);
	member(b, "w", 1, 32);
	type(b, "task___old", BTF_KIND_STRUCT, 1, 8);
	member(b, "pid", 1, 32);
	type(b, "unrelated", BTF_KIND_STRUCT, 1, 4);
	member(b, "pid", 1, 0);
	type(b, "state", BTF_KIND_ENUM, 2, 4);
	enumerator(b, "RUNNING", 0);
	enumerator(b, "STOPPED", 4);
	finish(b);
}

/* The object's view (compiled against other offsets):
 *  [1] int
 *  [2] struct task___local (40): pid, <anon union [3]>, names ([4]), next ([6])
 *  [3] union: x
 *  [4] item[2]
 *  [5] struct item: w
 *  [6] ptr -> [2]
 *  [7] struct gone: q
 *  [8] enum state___x: STOPPED = 2
 * Access strings (in its strings): "0:0", "0:1:0", "0:2:1:0", "0:3", "0:0". */
static uint32_t acc_off[5];

static void object(struct blob *b)
{
	static const char *acc[] = { "0:0", "0:1:0", "0:2:1:0", "0:3", "0:0" };
	int i;

	blob_init(b);
	t_int(b);
	type(b, "task___local", BTF_KIND_STRUCT, 4, 40);
	member(b, "pid", 1, 0);
	member(b, "", 3, 32);
	member(b, "names", 4, 64);
	member(b, "next", 6, 256);
	type(b, "", BTF_KIND_UNION, 1, 4);
	member(b, "x", 1, 0);
	array(b, 5, 1, 2);
	type(b, "item", BTF_KIND_STRUCT, 1, 4);
	member(b, "w", 1, 0);
	type(b, "", BTF_KIND_PTR, 0, 2);
	type(b, "gone", BTF_KIND_STRUCT, 1, 4);
	member(b, "q", 1, 0);
	type(b, "state___x", BTF_KIND_ENUM, 1, 4);
	enumerator(b, "STOPPED", 2);
	for (i = 0; i < 5; i++)
		acc_off[i] = str(b, acc[i]);
	finish(b);
}

/* A .BTF.ext with relocations (type id, access string, kind) */
struct relo {
	uint32_t type_id, acc, kind;
};

static size_t ext(unsigned char *out, const struct relo *r, int n)
{
	uint32_t hdr[8] = { 0xeB9F | 1u << 16, 32, 0, 0, 0, 0, 0,
			    (uint32_t)(4 + 8 + n * 16) };
	uint32_t w[4 + 64 * 4];
	int i, k = 0;

	w[k++] = 16;		/* record size */
	w[k++] = 0;		/* section name */
	w[k++] = (uint32_t)n;
	for (i = 0; i < n; i++) {
		w[k++] = (uint32_t)i * 8;
		w[k++] = r[i].type_id;
		w[k++] = r[i].acc;
		w[k++] = r[i].kind;
	}
	memcpy(out, hdr, sizeof(hdr));
	memcpy(out + sizeof(hdr), w, k * 4);
	return sizeof(hdr) + k * 4;
}

/* The minimal BTF, read back: type ids by name, their members. */
struct got {
	const unsigned char *types;
	const char *strs;
	const struct btf_type *t[64];
	int n;
};

static void got_read(struct got *g, const void *raw)
{
	const struct btf_header *h = raw;
	const unsigned char *p, *end;

	g->types = (const unsigned char *)raw + h->hdr_len + h->type_off;
	g->strs = (const char *)raw + h->hdr_len + h->str_off;
	p = g->types;
	end = p + h->type_len;
	g->n = 1;
	while (p < end && g->n < 64) {
		const struct btf_type *t = (const void *)p;
		int kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);

		g->t[g->n++] = t;
		p += sizeof(*t);
		if (kind == BTF_KIND_INT)
			p += 4;
		else if (kind == BTF_KIND_ARRAY)
			p += sizeof(struct btf_array);
		else if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION)
			p += vlen * sizeof(struct btf_member);
		else if (kind == BTF_KIND_ENUM)
			p += vlen * sizeof(struct btf_enum);
	}
}

/* "NAME(SIZE): A=1 B=2" of the enum named name, or "". */
static const char *enum_layout(const struct got *g, const char *name)
{
	static char buf[256];
	int i, j;

	buf[0] = '\0';
	for (i = 1; i < g->n; i++) {
		const struct btf_type *t = g->t[i];
		const struct btf_enum *e = (const void *)(t + 1);
		size_t n;

		if (BTF_INFO_KIND(t->info) != BTF_KIND_ENUM ||
		    strcmp(g->strs + t->name_off, name) != 0)
			continue;
		n = snprintf(buf, sizeof(buf), "%s(%u):", name, t->size);
		for (j = 0; j < (int)BTF_INFO_VLEN(t->info); j++)
			n += snprintf(buf + n, sizeof(buf) - n, " %s=%d",
				      g->strs + e[j].name_off, e[j].val);
		break;
	}
	return buf;
}

/* "NAME(SIZE): MEMBER@BITS ..." of the composite kind named name (the
 * anonymous one: name ""), or "" when there is none. */
static const char *layout(const struct got *g, int kind, const char *name)
{
	static char buf[256];
	int i, j;

	buf[0] = '\0';
	for (i = 1; i < g->n; i++) {
		const struct btf_type *t = g->t[i];
		const struct btf_member *m = (const void *)(t + 1);
		size_t n;

		if ((int)BTF_INFO_KIND(t->info) != kind ||
		    strcmp(g->strs + t->name_off, name) != 0)
			continue;
		n = snprintf(buf, sizeof(buf), "%s(%u):", name, t->size);
		for (j = 0; j < (int)BTF_INFO_VLEN(t->info); j++)
			n += snprintf(buf + n, sizeof(buf) - n, " %s@%u",
				      g->strs[m[j].name_off] ? g->strs + m[j].name_off : "-",
				      m[j].offset);
		break;
	}
	return buf;
}

/* The kind of what member name of struct sname refers to (-1: none). */
static int member_kind(const struct got *g, const char *sname, const char *name,
		       uint32_t *target)
{
	int i, j;

	for (i = 1; i < g->n; i++) {
		const struct btf_type *t = g->t[i];
		const struct btf_member *m = (const void *)(t + 1);

		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT ||
		    strcmp(g->strs + t->name_off, sname) != 0)
			continue;
		for (j = 0; j < (int)BTF_INFO_VLEN(t->info); j++)
			if (strcmp(g->strs + m[j].name_off, name) == 0 &&
			    m[j].type && (int)m[j].type < g->n) {
				*target = g->t[m[j].type]->type;
				return BTF_INFO_KIND(g->t[m[j].type]->info);
			}
	}
	return -1;
}

int main(void)
{
	static struct blob k, o;
	unsigned char e[2048];
	struct gh_btfmin_stats st;
	struct got g;
	void *out = NULL;
	size_t out_len = 0, elen;
	const void *sec;
	size_t sec_len;
	uint32_t target = 99;
	int r;

	kernel(&k);
	object(&o);
	{
		struct relo rs[] = { { 2, acc_off[0], 0 }, { 2, acc_off[1], 0 },
				     { 2, acc_off[2], 1 }, { 2, acc_off[3], 0 } };

		elen = ext(e, rs, 4);
	}
	r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, &st);
	ok(r == 0, "four field relocations of one struct: made (%d)", r);
	if (r != 0)
		return done_testing();
	ok(st.relos == 4 && st.roots == 1 && st.cands == 2,
	   "counted 4 relocations of 1 type, 2 kernel candidates (%u %u %u)",
	   st.relos, st.roots, st.cands);
	got_read(&g, out);
	ok(strcmp(layout(&g, BTF_KIND_STRUCT, "task"),
		  "task(48): pid@0 -@64 next@128 names@192") == 0,
	   "task keeps the members read, at their offsets, not x@320 or unused: %s",
	   layout(&g, BTF_KIND_STRUCT, "task"));
	ok(strcmp(layout(&g, BTF_KIND_UNION, ""), "(4): x@0") == 0,
	   "the anonymous union keeps x (the first x: libbpf's match), not y: %s",
	   layout(&g, BTF_KIND_UNION, ""));
	ok(strcmp(layout(&g, BTF_KIND_STRUCT, "item"), "item(8): w@32") == 0,
	   "the array's element keeps w, not v: %s", layout(&g, BTF_KIND_STRUCT, "item"));
	ok(strcmp(layout(&g, BTF_KIND_STRUCT, "task___old"), "task___old(8): pid@32") == 0,
	   "the flavored candidate keeps pid: %s", layout(&g, BTF_KIND_STRUCT, "task___old"));
	ok(layout(&g, BTF_KIND_STRUCT, "unrelated")[0] == '\0',
	   "a struct no relocation names is left out");
	r = member_kind(&g, "task", "next", &target);
	ok(r == BTF_KIND_PTR && target == 0, "a pointer member points to void (kind %d, to %u)",
	   r, target);
	ok(member_kind(&g, "task", "names", &target) == BTF_KIND_ARRAY,
	   "the array member stays an array");
	if (!ok(g.n == 8, "7 types kept: int, task, the union, the pointer, the array, item, task___old (%d)",
		g.n - 1))
		diag("%zu bytes", out_len);
	free(out);
	out = NULL;

	/* type and enum value relocations: the candidates whole */
	{
		struct relo rs[] = { { 2, acc_off[4], 9 }, { 2, acc_off[4], 8 },
				     { 8, acc_off[4], 11 }, { 8, acc_off[4], 10 } };

		elen = ext(e, rs, 4);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, &st);
		ok(r == 0 && st.roots == 2 && st.cands == 3,
		   "type size and existence, enum value and existence: made (%d), 2 types, 3 candidates (%u %u)",
		   r, st.roots, st.cands);
		if (r == 0) {
			got_read(&g, out);
			ok(strcmp(layout(&g, BTF_KIND_STRUCT, "task"), "task(48):") == 0,
			   "the struct's candidate, with its size: %s",
			   layout(&g, BTF_KIND_STRUCT, "task"));
			ok(strcmp(layout(&g, BTF_KIND_STRUCT, "task___old"), "task___old(8):") == 0,
			   "and its flavored one: %s", layout(&g, BTF_KIND_STRUCT, "task___old"));
			ok(strcmp(enum_layout(&g, "state"), "state(4): RUNNING=0 STOPPED=4") == 0,
			   "the enum whole: %s", enum_layout(&g, "state"));
			ok(g.n == 4, "3 types kept (%d)", g.n - 1);
		}
		free(out);
		out = NULL;
	}

	/* the twins: what it does not make */
	{
		struct relo rs[] = { { 2, acc_off[0], 0 }, { 2, acc_off[4], 7 } };

		elen = ext(e, rs, 2);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -EOPNOTSUPP && !out, "a target type id relocation (ids differ): -EOPNOTSUPP (%d)", r);
		rs[1].kind = 12;
		elen = ext(e, rs, 2);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -EOPNOTSUPP && !out, "a type match relocation (whole shapes): -EOPNOTSUPP (%d)", r);
		rs[1].kind = 9;
		rs[1].type_id = 6;
		elen = ext(e, rs, 2);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -EOPNOTSUPP && !out,
		   "the size of a pointer type (compared through what it points to): -EOPNOTSUPP (%d)", r);
	}
	{
		struct relo rs[] = { { 2, acc_off[0], 0 }, { 7, acc_off[0], 0 } };

		elen = ext(e, rs, 2);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -ENOENT && !out, "a struct the kernel lacks: -ENOENT (%d)", r);
	}
	{
		struct relo rs[] = { { 2, acc_off[0], 6 } };

		elen = ext(e, rs, 1);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -ENODATA && !out, "only a local type id: nothing to relocate, -ENODATA (%d)", r);
		elen = ext(e, rs, 0);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -ENODATA && !out, "no relocations: -ENODATA (%d)", r);
	}
	{
		struct relo rs[] = { { 2, acc_off[0], 0 } };

		elen = ext(e, rs, 1);
		k.raw[0] ^= 0xff;
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == -EINVAL && !out, "a kernel BTF with a bad magic: -EINVAL (%d)", r);
		k.raw[0] ^= 0xff;
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len - 2, &out, &out_len, NULL);
		ok(r == -EINVAL && !out, "a kernel BTF cut short: -EINVAL (%d)", r);
		r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out, &out_len, NULL);
		ok(r == 0 && out, "the same, whole: made (%d)", r);
		free(out);
	}
	ok(gh_elf_section(k.raw, k.len, ".BTF", &sec, &sec_len) == -EINVAL,
	   "gh_elf_section: not an ELF file: -EINVAL");

	/* every byte of each input changed, three ways: made, or one of
	 * the documented errors (and, under ASan, no access out of bounds) */
	{
		struct relo rs[] = { { 2, acc_off[0], 0 }, { 2, acc_off[1], 0 },
				     { 2, acc_off[2], 1 }, { 2, acc_off[3], 0 } };
		static const unsigned char flips[] = { 0x01, 0x80, 0xff };
		unsigned char *in[3] = { k.raw, o.raw, e };
		size_t len[3] = { k.len, o.len, 0 }, i, made = 0, refused = 0, other = 0;
		int w, f;

		len[2] = elen = ext(e, rs, 4);
		for (w = 0; w < 3; w++)
			for (i = 0; i < len[w]; i++)
				for (f = 0; f < 3; f++) {
					in[w][i] ^= flips[f];
					out = NULL;
					r = gh_btfmin(o.raw, o.len, e, elen, k.raw, k.len, &out,
						      &out_len, NULL);
					in[w][i] ^= flips[f];
					if (r == 0 && out)
						made++;
					else if (!out && (r == -EINVAL || r == -ENOENT ||
							  r == -EOPNOTSUPP || r == -ENODATA))
						refused++;
					else if (other++ == 0)
						diag("input %d, byte %zu ^ 0x%x: %d", w, i, flips[f], r);
					free(out);
				}
		ok(other == 0 && made > 0 && refused > 0,
		   "%zu changed inputs: %zu made, %zu refused with a documented error, %zu else",
		   made + refused + other, made, refused, other);
	}
	return done_testing();
}
