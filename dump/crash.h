/* The crash, described once and in no file's layout: class and machine of the crashed kernel, its
 * program headers (PT_LOADs: paddr, vaddr, memsz, filesz, where the bytes are now), its notes per
 * CPU (trimmed, merged as Linux merges them) and VMCOREINFO with one key lookup. Formats
 * (dump/format.h) turn it into files; DESIGN.md "The data path". */
#ifndef DUMP_CRASH_H
#define DUMP_CRASH_H

#include "lib/lib.h"
#include "lib/cmdline.h"
#include "mm/memmap.h"

#define CRASH_MAX_PHDRS 256	/* program headers of the input ELF core header */
#define CRASH_NOTES_MAX (256 * 1024)	/* merged note bytes kept */
#define CRASH_EHDR_MAX 64	/* an Elf64_Ehdr */
#define CRASH_CRASHTIME_MAX 24

/* One program header after the merged PT_NOTE, in the input's order: PT_LOADs and whatever else
 * Linux passes through unchanged (only the elf format writes those). */
struct crash_phdr {
	uint32_t type, flags;
	uint64_t src;		/* p_offset of the input header: where the bytes are now */
	uint64_t vaddr, paddr, filesz, memsz, align;
};

/* One PT_LOAD: physical [paddr, paddr+memsz), of which [paddr, paddr+filesz) has bytes, now at
 * physical src. Index i of crash.loads is "load i" everywhere (filter, formats). */
struct crash_load {
	uint64_t paddr, vaddr, memsz, filesz, src;
};

/* One note buffer of the input (a PT_NOTE: a CPU's registers, or VMCOREINFO), trimmed to the
 * notes it really holds: bytes [off, off+size) of crash.notes. */
struct crash_notes {
	uint32_t off, size;
};

struct crash {
	int elfclass;		/* 1 = ELFCLASS32, 2 = ELFCLASS64; 0 = no crash described */
	uint16_t machine;	/* EM_386 (3) or EM_X86_64 (62) */
	bool own_header;	/* the header is salvage's own (memory map): its empty PT_NOTE is expected */
	uint8_t ehdr[CRASH_EHDR_MAX]; /* the input ELF header as given (the elf format copies it) */
	struct crash_phdr phdrs[CRASH_MAX_PHDRS]; /* after the merged note, as Linux orders them */
	int nphdrs;
	struct crash_load loads[CRASH_MAX_PHDRS]; /* the PT_LOADs among phdrs, in order */
	int nloads;
	uint8_t notes[CRASH_NOTES_MAX]; /* every PT_NOTE's notes, trimmed, in order (Linux's merge) */
	uint32_t notes_size;
	struct crash_notes note_bufs[CRASH_MAX_PHDRS]; /* per input PT_NOTE, in order (empty ones too) */
	int nnote_bufs;
	uint32_t vmcoreinfo_off, vmcoreinfo_len; /* VMCOREINFO text in notes; len 0 when none */
	char crashtime[CRASH_CRASHTIME_MAX]; /* CRASHTIME digits, "" when unknown (for %t) */
};

/* Describe c from an ELF core header (ELF32 or ELF64) at physical address addr; size is its length
 * when known, else 0. Linux's checks (parse_crash_elf*_headers) and its note trimming and merge.
 * Untrusted input: returns -EINVAL/-ENOSPC with a log line naming what was wrong; c is then empty. */
int crash_from_elfcorehdr(struct crash *c, uint64_t addr, uint64_t size);

/* Describe c from the memory map: every RAM range minus salvage's own image, with backup=
 * substitution (bytes at src are read from dst), as the header kexec-tools would write (ELF32
 * unless anything lies above 4 GiB). No notes. Returns 0 or a negative error after a log line. */
int crash_from_memmap(struct crash *c, const struct memmap *m, const struct backup *b, int nbackup);

/* VMCOREINFO, parsed in this one place. The value of line "key=..." (key without '=', e.g.
 * "SYMBOL(mem_section)", "NUMBER(phys_base)", "PAGESIZE") as a number in base 16 or 10 (10 may
 * be negative). Returns 0, or -ENOENT when the line is missing or its value is not such a number. */
int crash_vmcoreinfo_num(const struct crash *c, const char *key, int base, uint64_t *out);
/* The text of line "key=..." up to the end of its line (e.g. "OSRELEASE"), NUL-terminated in
 * out[0, outsz), cut to fit. Returns its full length, or -ENOENT when the line is missing. */
int crash_vmcoreinfo_str(const struct crash *c, const char *key, char *out, size_t outsz);

/* Read the crashed kernel's physical [pa, pa+len) from where c's loads say it is now (inside one
 * load's bytes). Returns 0, or -ERANGE when no single load holds it all or it cannot be read. */
int crash_phys_read(const struct crash *c, uint64_t pa, void *buf, size_t len);

/* Kernel virtual addresses of an x86_64 crashed kernel through its init_top_pgt (4 or 5 levels,
 * 1 GiB and 2 MiB pages honoured), with a one-entry translation cache. */
struct crash_vm {
	const struct crash *c;
	uint64_t top_pgt;	/* physical address of init_top_pgt */
	bool l5;		/* 5-level paging */
	uint64_t tlb_va, tlb_pa; /* last translated virtual page */
};
/* Set vm up for c from init_top_pgt's virtual address and phys_base (VMCOREINFO's SYMBOL
 * (init_top_pgt) and NUMBER(phys_base)) and 5-level paging. */
void crash_vm_init(struct crash_vm *vm, const struct crash *c, uint64_t init_top_pgt, uint64_t phys_base, bool l5);
/* The physical address of kernel virtual va. Returns 0, or -EFAULT when not mapped or unreadable. */
int crash_vm_v2p(struct crash_vm *vm, uint64_t va, uint64_t *pa);
/* Read kernel virtual [va, va+len) page by page. Returns 0 or -EFAULT. */
int crash_vm_read(struct crash_vm *vm, uint64_t va, void *buf, size_t len);

/* A stretch of the crash's memory that a format copies into its file: bytes now at physical
 * [src, src+size), which the format places at file offset file_off (named in loss reports only).
 * Bytes of salvage's own image and unreadable memory read as zeros; each kind of loss is logged
 * once per span ("lost: 0x..-0x.. (file 0x..) ...; it reads as zeros"). */
struct crash_span {
	uint64_t src, size, file_off;
	uint8_t reported;	/* which kinds of loss were logged (crash.c) */
};
/* Copy bytes [off, off+len) of span sp (off + len <= sp->size) into buf. Never fails. */
void crash_span_read(struct crash_span *sp, uint64_t off, void *buf, size_t len);

#endif
