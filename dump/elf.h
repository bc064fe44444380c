/* The ELF structures and constants of core files (System V ABI / ELF spec), for salvage's own
 * use: the freestanding kernel has no <elf.h>. Names are lower-case so host tests may also
 * include glibc's <elf.h>. */
#ifndef DUMP_ELF_H
#define DUMP_ELF_H

#include <stdint.h>

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

#endif
