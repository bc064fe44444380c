/* The elf format: the ELF core file Linux 6.1's /proc/vmcore serves for the crash, byte for byte
 * (DESIGN.md "The dump"), with dump.level='s pages left out in runs as makedumpfile -E does. Its
 * layout (header, notes, one chunk of memory per PT_LOAD piece) is decided before the first byte;
 * the file is random-access through elf_read (tests) and produced in order by elf_produce. */
#ifndef DUMP_ELFCORE_H
#define DUMP_ELFCORE_H

#include "dump/crash.h"
#include "dump/elf.h"
#include "dump/filter.h"
#include "dump/stream.h"

#define DUMP_HDR_MAX (256 * 1024) /* ELF header + program headers + merged notes, page-rounded */
#define DUMP_MAX_RUNS 1024	/* excluded runs (dump.level=), each splitting a PT_LOAD; bounded by crashkernel=2M */
#define DUMP_MAX_CHUNKS (CRASH_MAX_PHDRS + DUMP_MAX_RUNS)
#define DUMP_MAX_PHDRS_OUT (CRASH_MAX_PHDRS + 1 + DUMP_MAX_RUNS)
#define DL_RUN_MIN_PAGES 256	/* makedumpfile -E's PFN_EXCLUDED: shorter excluded runs stay in the file */
#define DL_SCAN_MAX_S 120	/* bound on the dump.level pre-pass: a corrupt header can claim petabytes */

/* Pages of load `load` (an index into crash.loads) left out of the file: physical [start, end),
 * inside the load, page-aligned except that end may be the load's own (unaligned) end. */
struct dump_run {
	uint64_t start, end;
	int load;
};

/* One program header of the file, compactly: the crash's program header it comes from (type,
 * flags, align, vaddr's base), and what the layout or a split changed. */
struct elf_piece {
	uint64_t offset, paddr, filesz, memsz;
	int16_t from;		/* index into crash.phdrs; -1: the merged PT_NOTE */
	bool cut;		/* a piece of a PT_LOAD split at runs: its data is p_filesz long */
};

/* What the last elf_filter left out, in pages (for the log and the tests). */
struct elf_filter_stats {
	uint64_t free_pages, zero_pages;	/* in runs that were left out */
	uint64_t cache_pages, user_pages;	/* bits 2/4 and 8 */
	uint64_t other_pages;			/* hwpoison and offline pages */
	int nruns;
	bool free_ok, memmap_ok;		/* as struct filter_stats */
};

/* The file's layout. Its memory chunks are spans of the crash (crash.h) in file order. */
struct elf_file {
	const struct crash *c;
	struct elf_piece ph[DUMP_MAX_PHDRS_OUT]; /* the file's program headers; ph[0] the merged PT_NOTE */
	int nph;
	uint32_t elfsz;		/* ELF header + program headers, page-rounded */
	uint32_t hdr_size;	/* elfsz + notes, page-rounded: where memory starts */
	struct crash_span chunks[DUMP_MAX_CHUNKS];
	int nchunks;
	uint64_t size;		/* total file size */
	struct dump_run runs[DUMP_MAX_RUNS]; /* what elf_filter leaves out */
	uint32_t run_pages[DUMP_MAX_RUNS][FK_N - FK_FREE]; /* pages of each left-out kind but FK_ZERO */
	int nruns;
	struct elf_filter_stats stats;
};

/* Lay e out for crash c without the pages of runs[0..nruns) (sorted by load, then address, not
 * overlapping): every PT_LOAD with runs is split as `makedumpfile -E` does, each run ending one
 * program header (p_memsz covers it, p_filesz stops before it; a header with no bytes has
 * p_offset 0). nruns 0 gives the unfiltered file. Returns 0, or -EINVAL/-ENOSPC after a log line,
 * and e is then the unfiltered file (or empty, size 0, when even that does not fit). */
int elf_layout(struct elf_file *e, const struct crash *c, const struct dump_run *runs, int nruns);

/* Lay e out for c leaving out what level names, in runs of at least DL_RUN_MIN_PAGES pages (or
 * ending a load), decided by filter f (filter_init'ed here) before the first byte. level 0 is
 * elf_layout without runs. Returns 0 (filtered, or unfiltered after a warning) or a negative
 * error from elf_layout. */
int elf_filter(struct elf_file *e, const struct crash *c, struct filter *f, unsigned level);

/* Copy file bytes [off, off+len) into buf. Reads past e->size are an error (-ERANGE). Memory that
 * cannot be read (or that salvage itself now occupies) reads as zeros, reported once per chunk. */
int elf_read(struct elf_file *e, uint64_t off, void *buf, size_t len);

/* The whole file, in order, into s. Returns 0 or stream_write's error. */
int elf_produce(struct elf_file *e, struct stream *s);

#endif
