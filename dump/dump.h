/* What to dump and the ELF core file made from it: byte for byte what Linux's /proc/vmcore shows
 * for the same crash state (DESIGN.md "The dump"). The file is random-access through dump_read, so
 * a transport can resend any part of it; its header and merged notes are built once in memory. */
#ifndef DUMP_DUMP_H
#define DUMP_DUMP_H

#include "lib/lib.h"
#include "lib/cmdline.h"
#include "mm/memmap.h"

#define DUMP_MAX_PHDRS 256
#define DUMP_HDR_MAX (256 * 1024) /* ELF header + program headers + merged notes, page-rounded */
#define DUMP_MAX_RUNS 1024	/* excluded runs (dump.level=), each splitting a PT_LOAD; bounded by crashkernel=2M */
#define DUMP_MAX_CHUNKS (DUMP_MAX_PHDRS + DUMP_MAX_RUNS)

/* One stretch of the output file that comes from physical memory. */
struct dump_chunk {
	uint64_t file_off;	/* where it starts in the output file */
	uint64_t phys;		/* where its bytes are now (page-aligned) */
	uint64_t size;		/* page multiple */
};

/* One PT_LOAD of the dump before any exclusion: physical [paddr, paddr+memsz) whose bytes are
 * now at src (p_offset of the input header). */
struct dump_load {
	uint64_t paddr, vaddr, memsz, filesz, src;
};

/* Pages of load `load` (an index into dump.loads) left out of the file: physical [start, end),
 * inside the load, page-aligned except that end may be the load's own (unaligned) end. */
struct dump_run {
	uint64_t start, end;
	int load;
};

struct dump {
	int elfclass;		/* 1 = ELFCLASS32, 2 = ELFCLASS64 */
	uint16_t machine;	/* EM_386 (3) or EM_X86_64 (62) */
	uint8_t hdr[DUMP_HDR_MAX]; /* file bytes [0, hdr_size): headers then notes, zero padded */
	uint32_t hdr_size;
	struct dump_chunk chunks[DUMP_MAX_CHUNKS]; /* in file order */
	int nchunks;
	struct dump_load loads[DUMP_MAX_PHDRS]; /* the PT_LOADs, in order, unfiltered */
	int nloads;
	uint32_t vmcoreinfo_off, vmcoreinfo_len; /* VMCOREINFO text in hdr; len 0 when none */
	uint64_t size;		/* total file size */
	char crashtime[24];	/* VMCOREINFO CRASHTIME value, "" when unknown (for %t) */
};

/* Build d from an ELF core header (ELF32 or ELF64) at physical address addr; size is its length
 * when known, else 0. Untrusted input: returns -EINVAL with a log line naming what was wrong. */
int dump_from_elfcorehdr(struct dump *d, uint64_t addr, uint64_t size);

/* Build d from the memory map: every RAM range minus salvage's own image, with backup=
 * substitution (bytes at src are read from dst). No notes. */
int dump_from_memmap(struct dump *d, const struct memmap *m, const struct backup *b, int nbackup);

/* Rebuild d (made by one of the two above) without the pages of runs[0..nruns) (sorted by load,
 * then address, not overlapping): every PT_LOAD with runs is split as `makedumpfile -E` does, each
 * run ending one program header (p_memsz covers it, p_filesz stops before it; a header with no
 * bytes has p_offset 0). nruns 0 gives the unfiltered dump back. Returns 0, or -EINVAL/-ENOSPC
 * after a log line, and d is then the unfiltered dump. */
int dump_exclude(struct dump *d, const struct dump_run *runs, int nruns);

/* Copy file bytes [off, off+len) into buf. Reads past d->size are an error (-ERANGE). Memory that
 * cannot be read (or that salvage itself now occupies) reads as zeros; returns 0. */
int dump_read(const struct dump *d, uint64_t off, void *buf, size_t len);

#endif
