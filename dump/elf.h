/* The ELF structures and constants of core files (System V ABI / ELF spec), for salvage's own
 * use: the freestanding kernel has no <elf.h>. Names are lower-case so host tests may also
 * include glibc's <elf.h>. */
#ifndef DUMP_ELF_H
#define DUMP_ELF_H

#include <stddef.h>
#include <stdint.h>

/* glibc's <elf.h> (host tests) defines the same constants, some spelled differently. */
#ifndef _ELF_H
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_CORE 4
#define EM_386 3
#define EM_486 6	/* accepted by Linux's i386 elf_check_arch */
#define EM_X86_64 62
#define PT_NULL 0
#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1
#define PF_W 2
#define PF_R 4
#endif

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* Same layout in both classes. */
struct elf_nhdr {
	uint32_t n_namesz, n_descsz, n_type;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "Elf32_Ehdr is 52 bytes");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "Elf32_Phdr is 32 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(sizeof(struct elf_nhdr) == 12, "Elf_Nhdr is 12 bytes");
_Static_assert(__builtin_offsetof(struct elf32_ehdr, e_phnum) == 44, "Elf32 e_phnum at 44");
_Static_assert(__builtin_offsetof(struct elf64_ehdr, e_phnum) == 56, "Elf64 e_phnum at 56");
_Static_assert(__builtin_offsetof(struct elf64_phdr, p_offset) == 8, "Elf64 p_offset at 8");

/* Little-endian fields of ELF structures in byte buffers (input headers are untrusted and
 * unaligned; salvage's output is written byte by byte). */
static inline uint16_t elf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t elf_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t elf_get64(const uint8_t *p)
{
	return (uint64_t)elf_get32(p) | (uint64_t)elf_get32(p + 4) << 32;
}

static inline void elf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void elf_put32(uint8_t *p, uint32_t v)
{
	elf_put16(p, (uint16_t)v);
	elf_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void elf_put64(uint8_t *p, uint64_t v)
{
	elf_put32(p, (uint32_t)v);
	elf_put32(p + 4, (uint32_t)(v >> 32));
}

/* Sizes of the ELF header and of one program header of class cls. */
static inline size_t elf_ehdr_size(int cls)
{
	return cls == ELFCLASS64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
}

static inline size_t elf_phdr_size(int cls)
{
	return cls == ELFCLASS64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
}

/* One program header of either class, widened. */
struct elf_phdr_w {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Program header at p (class cls) into the widened form. */
static inline void elf_phdr_get(int cls, const uint8_t *p, struct elf_phdr_w *ph)
{
	if (cls == ELFCLASS64) {
		ph->type = elf_get32(p + 0);
		ph->flags = elf_get32(p + 4);
		ph->offset = elf_get64(p + 8);
		ph->vaddr = elf_get64(p + 16);
		ph->paddr = elf_get64(p + 24);
		ph->filesz = elf_get64(p + 32);
		ph->memsz = elf_get64(p + 40);
		ph->align = elf_get64(p + 48);
	} else {
		ph->type = elf_get32(p + 0);
		ph->offset = elf_get32(p + 4);
		ph->vaddr = elf_get32(p + 8);
		ph->paddr = elf_get32(p + 12);
		ph->filesz = elf_get32(p + 16);
		ph->memsz = elf_get32(p + 20);
		ph->flags = elf_get32(p + 24);
		ph->align = elf_get32(p + 28);
	}
}

/* The widened header back to raw bytes; ELF32 fields are truncated as Linux's u32 stores are. */
static inline void elf_phdr_put(int cls, uint8_t *p, const struct elf_phdr_w *ph)
{
	if (cls == ELFCLASS64) {
		elf_put32(p + 0, ph->type);
		elf_put32(p + 4, ph->flags);
		elf_put64(p + 8, ph->offset);
		elf_put64(p + 16, ph->vaddr);
		elf_put64(p + 24, ph->paddr);
		elf_put64(p + 32, ph->filesz);
		elf_put64(p + 40, ph->memsz);
		elf_put64(p + 48, ph->align);
	} else {
		elf_put32(p + 0, ph->type);
		elf_put32(p + 4, (uint32_t)ph->offset);
		elf_put32(p + 8, (uint32_t)ph->vaddr);
		elf_put32(p + 12, (uint32_t)ph->paddr);
		elf_put32(p + 16, (uint32_t)ph->filesz);
		elf_put32(p + 20, (uint32_t)ph->memsz);
		elf_put32(p + 24, ph->flags);
		elf_put32(p + 28, (uint32_t)ph->align);
	}
}

#endif
