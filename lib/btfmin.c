/* A minimal BTF for the CO-RE relocations of a BPF object (btfmin.h). */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "btfmin.h"

#define MAX_DEPTH 64	/* accesses in a path, nesting, typedef chains */

/* .BTF.ext's header and CO-RE relocation record (not in the uapi) */
struct ext_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

struct core_relo {
	uint32_t insn_off, type_id, access_str_off, kind;
};

enum {
	RELO_FIELD_LAST = 5,	/* 0-5: offset, size, exists, signed, shifts */
	RELO_TYPE_ID_LOCAL = 6,
	RELO_TYPE_EXISTS = 8,
	RELO_TYPE_SIZE = 9,
	RELO_ENUMVAL_EXISTS = 10,
	RELO_ENUMVAL_VALUE = 11,
};

int gh_elf_section(const void *elf, size_t len, const char *name,
		   const void **data, size_t *size)
{
	const unsigned char *p = elf;
	const Elf64_Ehdr *eh = elf;
	const Elf64_Shdr *sh, *strs;
	size_t i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
	    eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(p + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > len || strs->sh_size > len - strs->sh_offset)
		return -EINVAL;
	for (i = 0; i < eh->e_shnum; i++) {
		const char *s = (const char *)p + strs->sh_offset + sh[i].sh_name;
		size_t room = strs->sh_size - sh[i].sh_name;

		if (sh[i].sh_name >= strs->sh_size || strnlen(s, room) == room ||
		    strcmp(s, name) != 0)
			continue;
		if (sh[i].sh_type == SHT_NOBITS || sh[i].sh_offset > len ||
		    sh[i].sh_size > len - sh[i].sh_offset)
			return -EINVAL;
		*data = p + sh[i].sh_offset;
		*size = sh[i].sh_size;
		return 0;
	}
	return -ENOENT;
}

/* A BTF blob read in place: its types by id (0 is void). */
struct view {
	const unsigned char *types;
	const char *strs;
	uint32_t strs_len;
	uint32_t n;		/* types, void included */
	uint32_t *off;		/* type id -> offset in types */
};

static const struct btf_type *type_at(const struct view *v, uint32_t id)
{
	return id && id < v->n ? (const void *)(v->types + v->off[id]) : NULL;
}

/* A name, or NULL when name_off is outside the strings. */
static const char *name_at(const struct view *v, uint32_t off)
{
	return off < v->strs_len ? v->strs + off : NULL;
}

static int kind_of(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static unsigned vlen_of(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static int is_composite(const struct btf_type *t)
{
	return t && (kind_of(t) == BTF_KIND_STRUCT || kind_of(t) == BTF_KIND_UNION);
}

/* Bytes a type's record takes, or 0 for a kind this does not know. */
static size_t record_size(const struct btf_type *t)
{
	size_t n = vlen_of(t);

	switch (kind_of(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return sizeof(*t) + 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sizeof(*t);
	case BTF_KIND_ARRAY:
		return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sizeof(*t) + n * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return sizeof(*t) + n * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return sizeof(*t) + n * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return sizeof(*t) + n * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return sizeof(*t) + n * sizeof(struct btf_enum64);
	default:
		return 0;
	}
}

static int view_open(struct view *v, const void *data, size_t len)
{
	const struct btf_header *h = data;
	size_t pos, cap = 1024;
	uint32_t *off;

	memset(v, 0, sizeof(*v));
	if (len < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > len || h->type_off > len - h->hdr_len ||
	    h->type_len > len - h->hdr_len - h->type_off ||
	    h->str_off > len - h->hdr_len || h->str_len > len - h->hdr_len - h->str_off ||
	    h->str_len == 0 || h->type_off % 4)
		return -EINVAL;
	v->types = (const unsigned char *)data + h->hdr_len + h->type_off;
	v->strs = (const char *)data + h->hdr_len + h->str_off;
	v->strs_len = h->str_len;
	if (v->strs[v->strs_len - 1] != '\0')
		return -EINVAL;
	v->off = malloc(cap * sizeof(*v->off));
	if (!v->off)
		return -ENOMEM;
	v->off[0] = 0;
	v->n = 1;
	for (pos = 0; pos < h->type_len;) {
		const struct btf_type *t = (const void *)(v->types + pos);
		size_t sz;

		if (h->type_len - pos < sizeof(*t) || !(sz = record_size(t)) ||
		    sz > h->type_len - pos)
			goto bad;
		if (v->n == cap) {
			off = realloc(v->off, (cap *= 2) * sizeof(*off));
			if (!off) {
				free(v->off);
				return -ENOMEM;
			}
			v->off = off;
		}
		v->off[v->n++] = pos;
		pos += sz;
	}
	return 0;
bad:
	free(v->off);
	v->off = NULL;
	return -EINVAL;
}

/* The type under typedefs and qualifiers (its id in *id), or NULL. */
static const struct btf_type *skip_mods(const struct view *v, uint32_t *id)
{
	const struct btf_type *t;
	int i;

	for (i = 0; i < MAX_DEPTH; i++) {
		t = type_at(v, *id);
		if (!t)
			return NULL;
		switch (kind_of(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			*id = t->type;
			break;
		default:
			return t;
		}
	}
	return NULL;
}

/* The length of a name without its "___flavor" suffix (X___Y, where X
 * and Y are not underscores: the last such separator). */
static size_t essential_len(const char *s)
{
	size_t n = strlen(s), i;

	for (i = n; i >= 5; i--) {
		const char *p = s + i - 5;

		if (p[0] != '_' && p[1] == '_' && p[2] == '_' && p[3] == '_' &&
		    p[4] != '_')
			return i - 4;
	}
	return n;
}

/* Kinds libbpf takes as candidates of each other. */
static int kinds_match(int a, int b)
{
	if (a == BTF_KIND_ENUM64)
		a = BTF_KIND_ENUM;
	if (b == BTF_KIND_ENUM64)
		b = BTF_KIND_ENUM;
	return a == b;
}

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct root {
	int kind;
	const char *name;	/* in the local BTF; essential part: len */
	size_t len;
	uint32_t *cands;	/* kernel type ids */
	unsigned ncands, cap;
};

/* A kernel type kept in the minimal BTF (its new id: index + 1). */
struct keep {
	uint32_t id;
	unsigned char *used;	/* composites: members kept */
};

struct ctx {
	struct view local, kern;
	struct root *roots;
	unsigned nroots;
	uint32_t *slot;		/* kernel type id -> index in keeps + 1 */
	struct keep *keeps;
	unsigned nkeeps, capkeeps;
	unsigned char *out;	/* types, then strings */
	size_t len, cap;
	char *strs;
	size_t strs_len, strs_cap;
};

/* The entry of kernel type id (added when new): its index, or -errno. */
static int keep(struct ctx *c, uint32_t id)
{
	const struct btf_type *t = type_at(&c->kern, id);
	struct keep *k;

	if (!t)
		return -EINVAL;
	if (c->slot[id])
		return c->slot[id] - 1;
	if (c->nkeeps == c->capkeeps) {
		unsigned cap = c->capkeeps ? 2 * c->capkeeps : 256;

		k = realloc(c->keeps, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		c->keeps = k;
		c->capkeeps = cap;
	}
	k = &c->keeps[c->nkeeps];
	k->id = id;
	k->used = NULL;
	if (is_composite(t) && vlen_of(t) && !(k->used = calloc(vlen_of(t), 1)))
		return -ENOMEM;
	c->slot[id] = ++c->nkeeps;
	return c->nkeeps - 1;
}

static int mark(struct ctx *c, uint32_t id, unsigned member)
{
	int i = keep(c, id);

	if (i < 0)
		return i;
	c->keeps[i].used[member] = 1;
	return 0;
}

/* Find member name in composite id as libbpf does (the first one of that
 * name, anonymous members searched in their place) and mark the path to
 * it. 1: found (*next: its type; *holder, *index: where), 0: not, <0. */
static int find_member(struct ctx *c, uint32_t id, const char *name,
		       uint32_t *next, uint32_t *holder, unsigned *index,
		       int depth)
{
	const struct btf_type *t = type_at(&c->kern, id);
	const struct btf_member *m = (const void *)(t + 1);
	unsigned i;
	int r;

	if (depth > MAX_DEPTH)
		return -EINVAL;
	for (i = 0; i < vlen_of(t); i++, m++) {
		const char *mname = name_at(&c->kern, m->name_off);
		uint32_t sub = m->type;

		if (!mname)
			return -EINVAL;
		if (!*mname) {
			if (!is_composite(skip_mods(&c->kern, &sub)))
				continue;
			r = find_member(c, sub, name, next, holder, index, depth + 1);
			if (r == 0)
				continue;
			if (r > 0)
				r = mark(c, id, i);
			return r < 0 ? r : 1;
		}
		if (strcmp(mname, name) == 0) {
			*next = m->type;
			*holder = id;
			*index = i;
			r = mark(c, id, i);
			return r < 0 ? r : 1;
		}
	}
	return 0;
}

/* Follow one relocation's access path (acc, n accesses, on local type
 * lid) in kernel type kid, marking what it reads. */
static int walk(struct ctx *c, uint32_t lid, const int *acc, int n, uint32_t kid)
{
	uint32_t holder = 0, next;
	unsigned index = 0;
	int i, r;

	if (!skip_mods(&c->local, &lid) || !skip_mods(&c->kern, &kid))
		return 0;
	for (i = 1; i < n; i++) {
		const struct btf_type *lt = skip_mods(&c->local, &lid);
		const struct btf_type *kt = skip_mods(&c->kern, &kid);

		if (!lt)
			return -EINVAL;
		if (is_composite(lt)) {
			const struct btf_member *m = (const void *)(lt + 1);
			const char *name;

			if (acc[i] < 0 || (unsigned)acc[i] >= vlen_of(lt))
				return -EINVAL;
			m += acc[i];
			lid = m->type;
			if (!m->name_off)
				continue;	/* anonymous: no step in the kernel's */
			name = name_at(&c->local, m->name_off);
			if (!name || !*name)
				return -EINVAL;
			if (!is_composite(kt))
				return 0;
			r = find_member(c, kid, name, &next, &holder, &index, 0);
			if (r <= 0)
				return r;
			kid = next;
		} else if (kind_of(lt) == BTF_KIND_ARRAY) {
			const struct btf_array *a = (const void *)(lt + 1);

			lid = a->type;
			if (!kt || kind_of(kt) != BTF_KIND_ARRAY)
				return 0;
			a = (const void *)(kt + 1);
			/* an array of no elements is flexible when it is the
			 * last member: the last member stays the last */
			if (a->nelems == 0 && holder) {
				const struct btf_type *h = type_at(&c->kern, holder);

				if ((r = mark(c, holder, vlen_of(h) - 1)) < 0)
					return r;
			}
			if ((r = keep(c, kid)) < 0)
				return r;
			kid = a->type;
			holder = 0;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* "0:1:2" into acc; the count, or -1. */
static int parse_access(const char *s, int *acc)
{
	int n = 0;
	char *end;

	while (*s) {
		long v;

		if (n == MAX_DEPTH)
			return -1;
		v = strtol(s, &end, 10);
		if (end == s || v < 0 || v > 0xffff)
			return -1;
		acc[n++] = (int)v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return -1;
	}
	return n ? n : -1;
}

static int root_of(struct ctx *c, uint32_t type_id)
{
	const struct btf_type *t = type_at(&c->local, type_id);
	const char *name;
	size_t len;
	unsigned i;
	struct root *r;

	if (!t || !(name = name_at(&c->local, t->name_off)) || !*name)
		return -EINVAL;
	len = essential_len(name);
	for (i = 0; i < c->nroots; i++)
		if (kinds_match(c->roots[i].kind, kind_of(t)) && c->roots[i].len == len &&
		    memcmp(c->roots[i].name, name, len) == 0)
			return i;
	r = realloc(c->roots, (c->nroots + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	c->roots = r;
	r += c->nroots;
	memset(r, 0, sizeof(*r));
	r->kind = kind_of(t);
	r->name = name;
	r->len = len;
	return c->nroots++;
}

/* Every kernel type matching a root, in one pass. */
static int find_cands(struct ctx *c)
{
	unsigned size = 64, i, mask, kinds = 0;
	uint32_t id, *map;

	while (size < 2 * c->nroots)
		size *= 2;
	mask = size - 1;
	map = calloc(size, sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (i = 0; i < c->nroots; i++) {
		uint32_t h = name_hash(c->roots[i].name, c->roots[i].len) & mask;

		while (map[h])
			h = (h + 1) & mask;
		map[h] = i + 1;
		kinds |= 1u << c->roots[i].kind;
		if (c->roots[i].kind == BTF_KIND_ENUM || c->roots[i].kind == BTF_KIND_ENUM64)
			kinds |= 1u << BTF_KIND_ENUM | 1u << BTF_KIND_ENUM64;
	}
	for (id = 1; id < c->kern.n; id++) {
		const struct btf_type *t = type_at(&c->kern, id);
		const char *name;
		uint32_t h;
		size_t len;

		if (!(kinds & 1u << kind_of(t)) || !t->name_off)
			continue;
		name = name_at(&c->kern, t->name_off);
		if (!name) {
			free(map);
			return -EINVAL;
		}
		len = essential_len(name);
		for (h = name_hash(name, len) & mask; map[h]; h = (h + 1) & mask) {
			struct root *r = &c->roots[map[h] - 1];

			if (r->len != len || !kinds_match(r->kind, kind_of(t)) ||
			    memcmp(r->name, name, len) != 0)
				continue;
			if (r->ncands == r->cap) {
				uint32_t *p = realloc(r->cands, (r->cap = r->cap ? 2 * r->cap : 2) *
							       sizeof(*p));
				if (!p) {
					free(map);
					return -ENOMEM;
				}
				r->cands = p;
			}
			r->cands[r->ncands++] = id;
		}
	}
	free(map);
	for (i = 0; i < c->nroots; i++)
		if (!c->roots[i].ncands)
			return -ENOENT;
	return 0;
}

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *p;
	size_t n = *cap ? *cap : 4096;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

static int put(struct ctx *c, const void *data, size_t size)
{
	if (grow(&c->out, &c->cap, c->len + size) < 0)
		return -ENOMEM;
	memcpy(c->out + c->len, data, size);
	c->len += size;
	return 0;
}

/* A kernel name into the new strings: its offset there, or -errno. */
static long str_of(struct ctx *c, uint32_t off)
{
	const char *s = name_at(&c->kern, off);
	size_t n;
	long at;

	if (!s)
		return -EINVAL;
	if (!*s)
		return 0;
	n = strlen(s) + 1;
	if (grow((unsigned char **)&c->strs, &c->strs_cap, c->strs_len + n) < 0)
		return -ENOMEM;
	memcpy(c->strs + c->strs_len, s, n);
	at = (long)c->strs_len;
	c->strs_len += n;
	return at;
}

/* The new id of kernel type id (void stays void), or -errno. */
static long ref(struct ctx *c, uint32_t id)
{
	int i;

	if (!id)
		return 0;
	i = keep(c, id);
	return i < 0 ? i : i + 1;
}

/* Write the record of c->keeps[i]. */
static int emit(struct ctx *c, unsigned i)
{
	const struct btf_type *t = type_at(&c->kern, c->keeps[i].id);
	struct btf_type nt = *t;
	long name = str_of(c, t->name_off), r;
	unsigned j, n = 0;

	if (name < 0)
		return (int)name;
	nt.name_off = (uint32_t)name;
	switch (kind_of(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
		return put(c, &nt, sizeof(nt)) ?: put(c, t + 1, record_size(t) - sizeof(*t));
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		const unsigned char *e = (const void *)(t + 1);
		size_t esz = kind_of(t) == BTF_KIND_ENUM ? sizeof(struct btf_enum) :
							   sizeof(struct btf_enum64);

		if ((r = put(c, &nt, sizeof(nt))) < 0)
			return (int)r;
		for (j = 0; j < vlen_of(t); j++, e += esz) {
			unsigned char buf[sizeof(struct btf_enum64)];
			uint32_t off;

			memcpy(buf, e, esz);
			memcpy(&off, buf, sizeof(off));
			if ((r = str_of(c, off)) < 0)
				return (int)r;
			off = (uint32_t)r;
			memcpy(buf, &off, sizeof(off));
			if ((r = put(c, buf, esz)) < 0)
				return (int)r;
		}
		return 0;
	}
	case BTF_KIND_PTR:
		nt.type = 0;
		return put(c, &nt, sizeof(nt));
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		if ((r = ref(c, t->type)) < 0)
			return (int)r;
		nt.type = (uint32_t)r;
		return put(c, &nt, sizeof(nt));
	case BTF_KIND_ARRAY: {
		struct btf_array a = *(const struct btf_array *)(t + 1);

		if ((r = ref(c, a.type)) < 0)
			return (int)r;
		a.type = (uint32_t)r;
		if ((r = ref(c, a.index_type)) < 0)
			return (int)r;
		a.index_type = (uint32_t)r;
		return put(c, &nt, sizeof(nt)) ?: put(c, &a, sizeof(a));
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const void *)(t + 1);
		const unsigned char *used = c->keeps[i].used;

		for (j = 0; j < vlen_of(t); j++)
			n += used[j];
		nt.info = (t->info & ~0xffffu) | n;
		if ((r = put(c, &nt, sizeof(nt))) < 0)
			return (int)r;
		for (j = 0; j < vlen_of(t); j++) {
			struct btf_member nm = m[j];

			if (!used[j])
				continue;
			if ((r = str_of(c, m[j].name_off)) < 0)
				return (int)r;
			nm.name_off = (uint32_t)r;
			if ((r = ref(c, m[j].type)) < 0)
				return (int)r;
			nm.type = (uint32_t)r;
			if ((r = put(c, &nm, sizeof(nm))) < 0)
				return (int)r;
		}
		return 0;
	}
	default:
		return -EOPNOTSUPP;
	}
}

/* Whether relocation kind on local type id is handled: field ones; type
 * existence and size of a type that is not made of others through
 * pointers, arrays or functions (libbpf compares those through them:
 * pointers are to void here); enum values (enums are kept whole). */
static int handled(const struct view *local, uint32_t kind, uint32_t id)
{
	const struct btf_type *t;

	if (kind <= RELO_FIELD_LAST || kind == RELO_ENUMVAL_EXISTS ||
	    kind == RELO_ENUMVAL_VALUE)
		return 1;
	if (kind != RELO_TYPE_EXISTS && kind != RELO_TYPE_SIZE)
		return 0;
	t = skip_mods(local, &id);
	if (!t)
		return 0;
	switch (kind_of(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return 1;
	default:
		return 0;
	}
}

/* The relocations of ext: for each, walk every candidate of its type. */
static int walk_relos(struct ctx *c, const void *ext, size_t ext_len,
		      struct gh_btfmin_stats *st)
{
	const struct ext_header *h = ext;
	const unsigned char *p, *end;
	uint32_t rec_size;
	int acc[MAX_DEPTH];

	if (ext_len < offsetof(struct ext_header, core_relo_off) ||
	    h->magic != BTF_MAGIC || h->hdr_len > ext_len)
		return -EINVAL;
	if (h->hdr_len < sizeof(*h) || h->core_relo_len == 0)
		return -ENODATA;
	if (h->core_relo_off > ext_len - h->hdr_len ||
	    h->core_relo_len > ext_len - h->hdr_len - h->core_relo_off ||
	    h->core_relo_len < 4)
		return -EINVAL;
	p = (const unsigned char *)ext + h->hdr_len + h->core_relo_off;
	end = p + h->core_relo_len;
	memcpy(&rec_size, p, 4);
	p += 4;
	if (rec_size < sizeof(struct core_relo))
		return -EINVAL;
	/* first the types relocated, then their candidates, then the paths */
	for (int pass = 0; pass < 2; pass++) {
		const unsigned char *q = p;

		if (pass == 1) {
			int r = find_cands(c);

			if (r < 0)
				return r;
		}
		while (q < end) {
			uint32_t hdr[2], k;

			if ((size_t)(end - q) < sizeof(hdr))
				return -EINVAL;
			memcpy(hdr, q, sizeof(hdr));
			q += sizeof(hdr);
			if (hdr[1] > (size_t)(end - q) / rec_size)
				return -EINVAL;
			for (k = 0; k < hdr[1]; k++, q += rec_size) {
				struct core_relo rl;
				const char *s;
				int root, n, r;
				unsigned j;

				memcpy(&rl, q, sizeof(rl));
				if (rl.kind == RELO_TYPE_ID_LOCAL)
					continue;
				if (!handled(&c->local, rl.kind, rl.type_id))
					return -EOPNOTSUPP;
				if ((root = root_of(c, rl.type_id)) < 0)
					return root;
				if (pass == 0) {
					st->relos++;
					continue;
				}
				s = name_at(&c->local, rl.access_str_off);
				if (!s || (n = parse_access(s, acc)) < 0)
					return -EINVAL;
				/* type and enum value relocations read the
				 * candidates themselves: kept */
				if (rl.kind > RELO_FIELD_LAST)
					n = 1;
				for (j = 0; j < c->roots[root].ncands; j++) {
					if ((r = keep(c, c->roots[root].cands[j])) < 0)
						return r;
					r = walk(c, rl.type_id, acc, n, c->roots[root].cands[j]);
					if (r < 0)
						return r;
				}
			}
		}
	}
	return st->relos ? 0 : -ENODATA;
}

int gh_btfmin(const void *local, size_t local_len, const void *ext,
	      size_t ext_len, const void *kernel, size_t kernel_len,
	      void **out, size_t *out_len, struct gh_btfmin_stats *st)
{
	struct gh_btfmin_stats dummy;
	struct btf_header h;
	struct ctx c;
	unsigned i;
	int err;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	if ((err = view_open(&c.local, local, local_len)) < 0 ||
	    (err = view_open(&c.kern, kernel, kernel_len)) < 0)
		goto done;
	c.slot = calloc(c.kern.n, sizeof(*c.slot));
	c.strs = malloc(c.strs_cap = 4096);
	if (!c.slot || !c.strs) {
		err = -ENOMEM;
		goto done;
	}
	c.strs[0] = '\0';
	c.strs_len = 1;
	if ((err = walk_relos(&c, ext, ext_len, st)) < 0)
		goto done;
	/* the records after the header; emit() adds what they refer to */
	memset(&h, 0, sizeof(h));
	if ((err = put(&c, &h, sizeof(h))) < 0)
		goto done;
	for (i = 0; i < c.nkeeps; i++)
		if ((err = emit(&c, i)) < 0)
			goto done;
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_off = 0;
	h.type_len = (uint32_t)(c.len - sizeof(h));
	h.str_off = h.type_len;
	h.str_len = (uint32_t)c.strs_len;
	memcpy(c.out, &h, sizeof(h));
	if ((err = put(&c, c.strs, c.strs_len)) < 0)
		goto done;
	st->roots = c.nroots;
	for (i = 0; i < c.nroots; i++)
		st->cands += c.roots[i].ncands;
	st->types = c.nkeeps;
	*out = c.out;
	*out_len = c.len;
	c.out = NULL;
done:
	for (i = 0; i < c.nkeeps; i++)
		free(c.keeps[i].used);
	for (i = 0; i < c.nroots; i++)
		free(c.roots[i].cands);
	free(c.keeps);
	free(c.roots);
	free(c.slot);
	free(c.strs);
	free(c.out);
	free(c.local.off);
	free(c.kern.off);
	return err;
}
