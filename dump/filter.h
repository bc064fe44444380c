/* dump.level=: which pages of the crash to leave out by makedumpfile's -d bits (zero pages, page
 * cache, user data, free pages), decided per page from the crashed kernel's mem_map and memory,
 * for a stretch of pages at a time, so a format asks just before it sends that stretch. */
#ifndef DUMP_FILTER_H
#define DUMP_FILTER_H

#include "dump/crash.h"

#define DL_ZERO 1		/* pages full of zeros */
#define DL_CACHE 2		/* page cache (LRU or swap cache, not anonymous) without PG_private */
#define DL_CACHE_PRI 4		/* page cache with or without PG_private */
#define DL_USER 8		/* user process data: anonymous pages and hugetlbfs pages */
#define DL_FREE 16		/* free pages: buddy allocator heads, 2^order pages each */
#define DL_MAX 31

#define FILTER_PAGE_SHIFT 12
#define FILTER_STRUCT_PAGE_MAX 256	/* bound on SIZE(page) */

/* What the filter says of one page frame. */
enum filter_kind {
	FK_HOLE,	/* no PT_LOAD has the whole page's bytes (not in the file at all) */
	FK_KEEP,	/* dumpable: in the dump */
	FK_ZERO,	/* left out: all zeros (bit 1) */
	FK_FREE,	/* left out: free (bit 16) */
	FK_CACHE,	/* left out: page cache (bits 2, 4) */
	FK_USER,	/* left out: user data (bit 8) */
	FK_OTHER,	/* left out: hwpoison or offline (whenever struct pages are read) */
	FK_N
};

/* What the filter left out so far, in pages, and what it could look at (for the log and tests). */
struct filter_stats {
	uint64_t pages[FK_N];	/* pages given each kind */
	bool free_ok;		/* free pages can be found (VMCOREINFO, page tables) */
	bool memmap_ok;		/* struct pages are read (any of bits 2, 4, 8, 16, or hwpoison) */
};

/* VMCOREINFO's numbers for reading struct page, each checked by filter_init (filter.c). */
struct filter_vmi {
	uint64_t mem_section, roots, per_root, nsections;
	uint64_t sec_size, sec_map_off, section_shift; /* section_shift: pfn bits per section */
	uint64_t page_size, off_flags, off_mapcount, off_private, off_head;
	uint64_t off_mapping, off_order, off_dtor;
	uint64_t pg_slab, max_order, head_mask;
	uint64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_hwpoison;
	uint32_t buddy, offline;
	uint64_t hugetlb_dtor;
	bool extreme, has_mapcount, has_slab, has_offline, has_hugetlb;
};

/* One pass of the filter over a crash: pages asked for in increasing pfn order (a free or
 * compound block found at its first page covers the pages after it, maybe in the next load). */
struct filter {
	const struct crash *c;
	unsigned level;		/* dump.level bits */
	unsigned can;		/* the mem_map checks that work (filter.c) */
	struct filter_vmi vi;
	struct crash_vm vm;
	uint64_t sec_nr, sec_map;	/* last section looked up */
	int sec_rc;
	uint64_t page_va_cached;	/* virtual page of struct pages in spage[] */
	uint64_t pend_start, pend_end;	/* the block (buddy or compound) being covered */
	uint8_t pend_kind;
	bool order_warned, compound_warned;
	struct filter_stats stats;
	uint8_t page[1 << FILTER_PAGE_SHIFT] __attribute__((aligned(8)));	/* one page of memory (zero test) */
	uint8_t spage[1 << FILTER_PAGE_SHIFT];	/* one page of struct pages */
};

/* Start a pass of f over c for level (makedumpfile -d bits): reads and checks what VMCOREINFO says
 * of struct page, with one warning per bit that cannot be looked for (those pages stay). level 0
 * leaves nothing out (every page in a load is FK_KEEP), as does a crash without VMCOREINFO for
 * the mem_map bits. Returns true when the pass can leave anything out at all. */
bool filter_init(struct filter *f, const struct crash *c, unsigned level);

/* The kinds of pages [pfn, pfn+n) into kind[0, n), as makedumpfile 1.7.2 decides them
 * (__exclude_unnecessary_pages, then the zero test of bit 1 on what it keeps). Pages of a load
 * whose p_filesz is not its p_memsz, and partial pages at a load's ends, are FK_KEEP. Everything
 * read from the crashed kernel is checked: when in doubt a page is kept, with one warning. Calls
 * with increasing pfn give makedumpfile's result; f->stats counts every kind given. */
void filter_pages(struct filter *f, uint64_t pfn, uint64_t n, uint8_t *kind);

#endif
