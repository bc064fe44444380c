/* dump.level=: leave pages out of the dump by makedumpfile's -d bits (1 zero pages, 16 free pages),
 * deciding which pages those are before the first byte is sent (the stream has no seeking). */
#ifndef DUMP_FILTER_H
#define DUMP_FILTER_H

#include "dump/dump.h"

#define DL_ZERO 1		/* pages full of zeros */
#define DL_CACHE 2		/* non-private page cache (not implemented: kept) */
#define DL_CACHE_PRI 4		/* private page cache (not implemented: kept) */
#define DL_USER 8		/* user process data (not implemented: kept) */
#define DL_FREE 16		/* free pages: buddy allocator heads, 2^order pages each */
#define DL_MAX 31
#define DL_RUN_MIN_PAGES 256	/* makedumpfile -E's PFN_EXCLUDED: shorter excluded runs stay in the file */

/* What the last dump_filter left out, in pages (for the log and the tests). */
struct filter_stats {
	uint64_t free_pages, zero_pages;	/* in runs that were left out */
	int nruns;
	bool free_ok;				/* free pages could be found (VMCOREINFO, page tables) */
};
extern struct filter_stats filter_stats;

/* Leave out of d (built by dump_from_*) the pages that level (makedumpfile -d bits) names, in
 * runs of at least DL_RUN_MIN_PAGES pages, as makedumpfile -E does. Everything read from the
 * crashed kernel is checked; when in doubt a page is kept, with one warning. level 0 does
 * nothing. Returns 0 (d filtered, or unchanged after a warning) or a negative error from
 * dump_exclude (d is then the unfiltered dump). */
int dump_filter(struct dump *d, unsigned level);

#endif
