/* A minimal BTF for the CO-RE relocations of a BPF object.
 *
 * libbpf relocates an object's accesses to kernel structs (CO-RE) by
 * searching the kernel's whole BTF (some 126,000 types) once for each
 * struct the object names: for gh-trace's 46 structs, about a third of
 * the CPU of a run that loads the programs. gh_btfmin() makes, in one
 * pass over the kernel's BTF, a BTF holding only what those relocations
 * read:
 *
 *   - every kernel type whose kind and name (less a "___flavor" suffix)
 *     are those of a relocated type, its size and name;
 *   - in those, the members that the relocations' access paths name
 *     (found as libbpf finds them: by name, through anonymous members),
 *     at their offsets, and likewise in the structs those members embed;
 *   - the types of those members: integers, floats, enums and forward
 *     declarations whole, arrays with their element type, typedefs and
 *     qualifiers with what they name, pointers as pointers to void (a
 *     pointer's target never takes part in a field relocation: the next
 *     step of a chain of reads is a relocation of its own).
 *
 * Given to libbpf as its CO-RE target (bpf_object_open_opts's
 * btf_custom_path), it yields the offsets, sizes, existence and
 * signedness answers the whole BTF yields: a member is found in it
 * exactly when it is found in the whole (the members kept are in their
 * order, and hold the first match of every name looked up).
 *
 * Handled: field relocations (byte offset, byte size, existence,
 * signedness, bitfield shifts), local type ids, enum value relocations
 * and type existence and size relocations of structs, unions, enums,
 * integers and floats (their candidates kept whole, or with their size).
 * Otherwise nothing is made and the caller lets libbpf search the whole
 * BTF:
 *   -ENODATA     the object has no CO-RE relocations;
 *   -EOPNOTSUPP  it has others (target type ids, which would be the
 *                minimal BTF's; type matches, which compare whole
 *                shapes; types compared through pointers), or the
 *                kernel's BTF has a member type of a kind not copied;
 *   -ENOENT      a relocated type is not in the kernel's BTF (libbpf
 *                then looks in the modules' BTF, which this does not);
 *   -EINVAL      malformed input; -ENOMEM.
 *
 * The inputs are borrowed; on success *out is malloc'd raw BTF (a file's
 * contents) for the caller to free.
 */
#ifndef GH_BTFMIN_H
#define GH_BTFMIN_H

#include <stddef.h>

struct gh_btfmin_stats {
	unsigned relos;		/* CO-RE relocations in the object */
	unsigned roots;		/* distinct types they relocate */
	unsigned cands;		/* kernel types matching those */
	unsigned types;		/* types in the minimal BTF */
};

/* The section called name of a 64-bit little-endian ELF file (elf, len
 * bytes): 0 with *data, *size set, -ENOENT when there is none, -EINVAL
 * when elf is not such a file. */
int gh_elf_section(const void *elf, size_t len, const char *name,
		   const void **data, size_t *size);

/* The minimal BTF for the relocations in ext (the object's .BTF.ext) of
 * the types of local (its .BTF), against kernel (raw BTF, such as
 * /sys/kernel/btf/vmlinux). st may be NULL. */
int gh_btfmin(const void *local, size_t local_len, const void *ext,
	      size_t ext_len, const void *kernel, size_t kernel_len,
	      void **out, size_t *out_len, struct gh_btfmin_stats *st);

#endif
