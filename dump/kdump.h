/* dump.format=kdump: makedumpfile's kdump-compressed file (header_version 6, the layout makedumpfile
 * 1.7.x writes for the crashed kernel's architecture) sent as makedumpfile's flattened stream
 * (`makedumpfile -F`), produced in one pass over memory in memory independent of its size.
 *
 * The file (DESIGN.md "The data path"; blocks are pages):
 *   block 0              disk_dump_header ("KDUMP   ", header_version 6, utsname, status = the
 *                        compressor's flag, block_size, sub_hdr_size, bitmap_blocks, max_mapnr, nr_cpus)
 *   block 1              kdump_sub_header (phys_base, dump_level, VMCOREINFO and notes offsets/sizes,
 *                        max_mapnr_64), then the crashed kernel's ELF notes right after it
 *   1 + sub_hdr_size     1st bitmap (pfn exists: inside a PT_LOAD), then the 2nd (pfn is dumped)
 *   + bitmap_blocks      page_desc table: {offset, size, flags, page_flags} per dumped pfn, in pfn order
 *   then                 page data (with dump.level bit 1 first one zero page that every zero page shares)
 * The flattened stream: a 4096-byte header {"makedumpfile", type 1, version 1}, then records
 * {be64 offset, be64 size, data} for stretches of that file in any order, ended by offset = size = -1.
 * `makedumpfile -R file < stream` rebuilds the file; crash reads the stream itself. */
#ifndef DUMP_KDUMP_H
#define DUMP_KDUMP_H

#include "dump/compress.h"
#include "dump/crash.h"
#include "dump/filter.h"

/* Where the stream goes, in order: write returns 0, or a negative error that ends the dump;
 * covered (may be NULL) hears how much of the crash's physical address space is done. The format
 * table's entry (dump/format.h) is the stream stage behind these. */
struct kdump_sink {
	int (*write)(void *ctx, const void *buf, size_t len);
	void (*covered)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/* What the last kdump_write produced (for the log and the tests). */
struct kdump_stats {
	uint64_t max_mapnr;		/* pfns the bitmaps cover */
	uint64_t present;		/* pfns in the 1st bitmap (a page_desc slot is kept for each) */
	uint64_t dumped;		/* pfns in the 2nd bitmap */
	uint64_t zero, raw, packed;	/* of those: shared zero page, stored raw, compressed */
	uint64_t stream_bytes;		/* bytes given to the sink */
};
extern struct kdump_stats kdump_stats;

/* Write crash c to out as a flattened kdump-compressed file, leaving out the pages dump.level
 * `level` names (filter f decides a stretch at a time, just before the stretch is compressed; f
 * NULL leaves nothing out) and compressing each page with alg (stored raw when alg cannot start).
 * Returns 0, or the sink's error, or -EINVAL after a log line when c has no PT_LOAD. */
int kdump_write(const struct crash *c, struct filter *f, unsigned level, enum dump_compress alg,
		const struct kdump_sink *out);

#endif
