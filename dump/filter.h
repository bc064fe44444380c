/* dump.level=: leave pages out of the dump by makedumpfile's -d bits (zero pages, page cache, user
 * data, free pages), deciding which pages those are before the first byte is sent (no seeking). */
#ifndef DUMP_FILTER_H
#define DUMP_FILTER_H

#include "dump/dump.h"

#define DL_ZERO 1		/* pages full of zeros */
#define DL_CACHE 2		/* page cache (LRU or swap cache, not anonymous) without PG_private */
#define DL_CACHE_PRI 4		/* page cache with or without PG_private */
#define DL_USER 8		/* user process data: anonymous pages and hugetlbfs pages */
#define DL_FREE 16		/* free pages: buddy allocator heads, 2^order pages each */
#define DL_MAX 31
#define DL_RUN_MIN_PAGES 256	/* makedumpfile -E's PFN_EXCLUDED: shorter excluded runs stay in the file */

/* What the last dump_filter left out, in pages (for the log and the tests). */
struct filter_stats {
	uint64_t free_pages, zero_pages;	/* in runs that were left out */
	uint64_t cache_pages, user_pages;	/* bits 2/4 and 8 */
	uint64_t other_pages;			/* hwpoison and offline pages (makedumpfile drops them at any level) */
	int nruns;
	bool free_ok;				/* free pages could be found (VMCOREINFO, page tables) */
	bool memmap_ok;				/* struct pages were read (any of bits 2, 4, 8, 16, or hwpoison) */
};
extern struct filter_stats filter_stats;

/* Leave out of d (built by dump_from_*) the pages that level (makedumpfile -d bits) names, in
 * runs of at least DL_RUN_MIN_PAGES pages, as makedumpfile 1.7.2 -E does (which also drops
 * hwpoison and offline pages at any level when the kernel exports PG_hwpoison). Everything read
 * from the crashed kernel is checked; when in doubt a page is kept, with one warning. level 0 does
 * nothing. Returns 0 (d filtered, or unchanged after a warning) or a negative error from
 * dump_exclude (d is then the unfiltered dump). */
int dump_filter(struct dump *d, unsigned level);

#endif
