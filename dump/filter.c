/* dump.level=: a pre-pass over the crashed kernel's mem_map (free pages) and memory (zero pages)
 * that finds runs of pages to leave out, then dump_exclude lays the file out without them. */
#include "dump/filter.h"
#include "dump/elf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "mm/phys.h"

#define PAGE_SHIFT 12
#define PAGE_MASK64 ((uint64_t)PAGE_SIZE - 1)
#define START_KERNEL_MAP 0xffffffff80000000ull	/* x86_64 kernel text mapping base */
#define PTE_PRESENT 0x1ull
#define PTE_PS 0x80ull				/* 1 GiB (PUD) or 2 MiB (PMD) page */
#define PTE_ADDR 0x000ffffffffff000ull		/* physical address bits 12..51 */
#define SECTION_HAS_MEM_MAP 0x2ull		/* Linux mmzone.h: section_mem_map flag bits */
#define SECTION_MAP_MASK (~0x1full)		/* ... below SECTION_MAP_LAST_BIT (1 << 5) since 4.13 */
#define PAGE_STRUCT_MAX 256			/* bound on SIZE(page) */
#define FREE_ORDER_DEFAULT 11			/* MAX_ORDER when LENGTH(zone.free_area) is missing */
#define FREE_ORDER_LIMIT 20			/* bound on LENGTH(zone.free_area) */

struct filter_stats filter_stats;

/* What salvage needs from VMCOREINFO to read struct page, all checked by vmi_load. */
static struct vmi {
	uint64_t mem_section, init_top_pgt, phys_base;
	uint64_t roots, root_size, per_root, nsections;
	uint64_t sec_size, sec_map_off, section_shift; /* section_shift: pfn bits per section */
	uint64_t page_size, off_flags, off_mapcount, off_private, off_head;
	uint64_t pg_slab, max_order;
	uint32_t buddy;				/* PAGE_BUDDY_MAPCOUNT_VALUE as _mapcount holds it */
	bool l5, extreme;
} vi;

static struct dump_run runs[DUMP_MAX_RUNS];
static uint32_t run_free[DUMP_MAX_RUNS];	/* free pages in each run (the rest are zero pages) */
static int nruns;
static bool runs_full_warned;
static uint8_t page[PAGE_SIZE];			/* one page of memory or of struct pages */
static const struct dump *cur;			/* the dump being filtered (its loads) */
/* One-entry caches of the lookups below, reset for every dump. */
static uint64_t tlb_va, tlb_pa;			/* last translated virtual page */
static uint64_t sec_nr, sec_map;		/* last section looked up */
static int sec_rc;
static uint64_t page_va_cached;			/* virtual page of struct pages in page[] */
static bool order_warned;

/* The value of "key" (e.g. "SIZE(page)=") in the VMCOREINFO text t[0..len): base 16 or 10
 * (10 may be negative). Returns 0, or -ENOENT when the line is missing or not a number. */
static int vmi_num(const char *t, uint32_t len, const char *key, int base, uint64_t *out)
{
	size_t kl = strlen(key);

	for (uint32_t i = 0; i + kl <= len; i++) {
		uint64_t v = 0;
		bool neg = false;
		int digits = 0;

		if ((i > 0 && t[i - 1] != '\n') || memcmp(t + i, key, kl) != 0)
			continue;
		i += (uint32_t)kl;
		if (base == 10 && i < len && t[i] == '-') {
			neg = true;
			i++;
		}
		for (; i < len && t[i] != '\n'; i++, digits++) {
			char c = t[i];
			unsigned dv = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
				      base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
				      base == 16 && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99u;

			if (dv >= (unsigned)base || digits >= (base == 16 ? 16 : 20))
				return -ENOENT;
			v = v * (uint64_t)base + dv;
		}
		if (digits == 0)
			return -ENOENT;
		*out = neg ? (uint64_t)0 - v : v;
		return 0;
	}
	return -ENOENT;
}

/* Fill vi from d's VMCOREINFO. Returns 0, or -EINVAL after one warning naming what is missing
 * or out of bounds (free pages then stay in the dump). */
static int vmi_load(const struct dump *d)
{
	const char *t = (const char *)d->hdr + d->vmcoreinfo_off;
	uint32_t len = d->vmcoreinfo_len;
	uint64_t roots, sec_bits, phys_bits, l5 = 0, order = FREE_ORDER_DEFAULT, buddy, pg_slab;
	const char *what = "";

#define NEED(key, base, out)						\
	do {								\
		if (vmi_num(t, len, key, base, out) != 0) {		\
			what = key;					\
			goto missing;					\
		}							\
	} while (0)
	if (d->machine != EM_X86_64 || len == 0) {
		log_warn("dump.level: free pages need an x86_64 crashed kernel's VMCOREINFO; %s", d->machine != EM_X86_64 ?
			 "this dump is not x86_64" : "this dump has none");
		return -EINVAL;
	}
	NEED("SYMBOL(mem_section)=", 16, &vi.mem_section);
	NEED("LENGTH(mem_section)=", 10, &roots);
	NEED("SIZE(mem_section)=", 10, &vi.sec_size);
	NEED("OFFSET(mem_section.section_mem_map)=", 10, &vi.sec_map_off);
	NEED("NUMBER(SECTION_SIZE_BITS)=", 10, &sec_bits);
	NEED("NUMBER(MAX_PHYSMEM_BITS)=", 10, &phys_bits);
	NEED("SIZE(page)=", 10, &vi.page_size);
	NEED("OFFSET(page.flags)=", 10, &vi.off_flags);
	NEED("OFFSET(page._mapcount)=", 10, &vi.off_mapcount);
	NEED("OFFSET(page.private)=", 10, &vi.off_private);
	NEED("OFFSET(page.compound_head)=", 10, &vi.off_head);
	NEED("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", 10, &buddy);
	NEED("NUMBER(PG_slab)=", 10, &pg_slab);
	NEED("NUMBER(phys_base)=", 10, &vi.phys_base);
	NEED("SYMBOL(init_top_pgt)=", 16, &vi.init_top_pgt);
#undef NEED
	vmi_num(t, len, "NUMBER(pgtable_l5_enabled)=", 10, &l5);
	vmi_num(t, len, "LENGTH(zone.free_area)=", 10, &order);

	/* Every number bounds a later read: refuse what no x86_64 Linux has. */
	if (vi.page_size < 16 || vi.page_size > PAGE_STRUCT_MAX || vi.off_flags + 8 > vi.page_size ||
	    vi.off_mapcount + 4 > vi.page_size || vi.off_private + 8 > vi.page_size ||
	    vi.off_head + 8 > vi.page_size) {
		what = "SIZE(page) / OFFSET(page.*)";
		goto bad;
	}
	if (sec_bits < PAGE_SHIFT || sec_bits > 40 || phys_bits < sec_bits || phys_bits > 52 ||
	    phys_bits - sec_bits > 32) {
		what = "SECTION_SIZE_BITS / MAX_PHYSMEM_BITS";
		goto bad;
	}
	if (vi.sec_size < 8 || vi.sec_size > PAGE_SIZE || vi.sec_map_off + 8 > vi.sec_size) {
		what = "SIZE(mem_section) / OFFSET(mem_section.section_mem_map)";
		goto bad;
	}
	if (pg_slab > 63 || order == 0 || order > FREE_ORDER_LIMIT || l5 > 1) {
		what = "PG_slab / LENGTH(zone.free_area) / pgtable_l5_enabled";
		goto bad;
	}
	vi.nsections = 1ull << (phys_bits - sec_bits);
	vi.section_shift = sec_bits - PAGE_SHIFT;
	/* SPARSEMEM_EXTREME: LENGTH roots of PAGE_SIZE/SIZE(mem_section) sections each, the symbol
	 * the root array; else the symbol is the array of all sections itself. */
	vi.per_root = PAGE_SIZE / vi.sec_size;
	if (roots * vi.per_root == vi.nsections) {
		vi.extreme = true;
	} else if (roots == vi.nsections) {
		vi.extreme = false;
		vi.per_root = 1;
	} else {
		what = "LENGTH(mem_section)";
		goto bad;
	}
	vi.roots = roots;
	vi.buddy = (uint32_t)buddy;
	vi.pg_slab = pg_slab;
	vi.max_order = order;
	vi.l5 = l5 == 1;
	return 0;
missing:
	log_warn("dump.level: VMCOREINFO has no %s; free pages stay in the dump", what);
	return -EINVAL;
bad:
	log_warn("dump.level: VMCOREINFO %s out of bounds; free pages stay in the dump", what);
	return -EINVAL;
}

/* Read the crashed kernel's physical [pa, pa+len) from where the dump's loads say it is now.
 * Returns 0, or -ERANGE when no single load holds it all or it cannot be read. */
static int old_read(uint64_t pa, void *buf, size_t len)
{
	for (int i = 0; i < cur->nloads; i++) {
		const struct dump_load *l = &cur->loads[i];

		if (pa >= l->paddr && pa - l->paddr < l->filesz && len <= l->filesz - (pa - l->paddr))
			return phys_read(l->src + (pa - l->paddr), buf, len);
	}
	return -ERANGE;
}

/* The physical address of kernel virtual address va through init_top_pgt (4 or 5 levels,
 * 1 GiB and 2 MiB pages honoured). Returns 0, or -EFAULT when not mapped or unreadable. */
static int v2p(uint64_t va, uint64_t *pa)
{
	uint64_t table = vi.init_top_pgt - START_KERNEL_MAP + vi.phys_base, e;
	int levels = vi.l5 ? 5 : 4;

	if ((va & ~PAGE_MASK64) == tlb_va) {
		*pa = tlb_pa + (va & PAGE_MASK64);
		return 0;
	}
	for (int lvl = levels; lvl >= 1; lvl--) {
		unsigned shift = PAGE_SHIFT + 9u * (unsigned)(lvl - 1);

		if (old_read(table + ((va >> shift) & 511) * 8, &e, sizeof(e)) != 0 || !(e & PTE_PRESENT))
			return -EFAULT;
		if ((lvl == 2 || lvl == 3) && (e & PTE_PS)) {
			uint64_t mask = (1ull << shift) - 1;

			table = (e & PTE_ADDR & ~mask) + (va & mask & ~PAGE_MASK64);
			break;
		}
		table = e & PTE_ADDR;
	}
	tlb_va = va & ~PAGE_MASK64;
	tlb_pa = table;
	*pa = table + (va & PAGE_MASK64);
	return 0;
}

/* Read kernel virtual [va, va+len) (len <= PAGE_SIZE) page by page. Returns 0 or -EFAULT. */
static int vread(uint64_t va, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, PAGE_SIZE - (va & PAGE_MASK64));
		uint64_t pa;

		if (v2p(va, &pa) != 0 || old_read(pa, out, n) != 0)
			return -EFAULT;
		va += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* The virtual address of pfn's struct page from mem_section. Returns 0, -ENOENT when the
 * section has no mem_map (the page is kept), or -EFAULT when mem_section cannot be read. */
static int page_va(uint64_t pfn, uint64_t *va)
{
	uint64_t nr = pfn >> vi.section_shift, sec, map;

	if (nr == sec_nr)
		goto out;
	sec_nr = nr;
	sec_rc = -ENOENT;
	if (nr >= vi.nsections)
		goto out;
	if (vi.extreme) {
		uint64_t root;

		if (vread(vi.mem_section + nr / vi.per_root * 8, &root, sizeof(root)) != 0) {
			sec_rc = -EFAULT;
			goto out;
		}
		if (root == 0)
			goto out;
		sec = root + nr % vi.per_root * vi.sec_size;
	} else {
		sec = vi.mem_section + nr * vi.sec_size;
	}
	if (vread(sec + vi.sec_map_off, &map, sizeof(map)) != 0) {
		sec_rc = -EFAULT;
		goto out;
	}
	if (!(map & SECTION_HAS_MEM_MAP))
		goto out;
	sec_map = map & SECTION_MAP_MASK;
	sec_rc = 0;
out:
	if (sec_rc == 0)
		*va = sec_map + pfn * vi.page_size;	/* the coded map is offset by the section's first pfn */
	return sec_rc;
}

/* The free block that starts at pfn: its order in *order when pfn's struct page is a buddy
 * allocator head (not a compound tail, not slab, _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE), as
 * makedumpfile decides. Returns 1 (free block), 0 (not free), -ENOENT (no mem_map: kept) or
 * -EFAULT (mem_map unreadable). */
static int free_block(uint64_t pfn, uint64_t *order)
{
	uint8_t sp[PAGE_STRUCT_MAX];
	uint64_t va, flags, priv, head;
	uint32_t mapcount;
	size_t in_buf;
	int rc;

	if ((rc = page_va(pfn, &va)) != 0)
		return rc;
	/* One page of struct pages at a time (64 per read with SIZE(page) 64). */
	if ((va & ~PAGE_MASK64) != page_va_cached) {
		page_va_cached = ~0ull;
		if (vread(va & ~PAGE_MASK64, page, PAGE_SIZE) != 0)
			return -EFAULT;
		page_va_cached = va & ~PAGE_MASK64;
	}
	in_buf = (size_t)(PAGE_SIZE - (va & PAGE_MASK64));
	if (in_buf >= vi.page_size) {
		memcpy(sp, page + (va & PAGE_MASK64), (size_t)vi.page_size);
	} else {
		memcpy(sp, page + (va & PAGE_MASK64), in_buf);
		if (vread(va + in_buf, sp + in_buf, (size_t)vi.page_size - in_buf) != 0)
			return -EFAULT;
	}
	memcpy(&flags, sp + vi.off_flags, 8);
	memcpy(&mapcount, sp + vi.off_mapcount, 4);
	memcpy(&priv, sp + vi.off_private, 8);
	memcpy(&head, sp + vi.off_head, 8);
	if ((head & 1) || (flags >> vi.pg_slab & 1) || mapcount != vi.buddy)
		return 0;
	*order = priv;
	return 1;
}

/* Non-zero when the page at physical src is all zeros (an unreadable page is not). */
static bool zero_page(uint64_t src)
{
	const uint32_t *w = (const uint32_t *)page;

	if (phys_read(src, page, PAGE_SIZE) != 0)
		return false;
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

/* Append run [start, end) of load li holding nfree free pages. When the array is full, the
 * smallest run (this one or an earlier one) stays in the dump instead: always correct. */
static void add_run(int li, uint64_t start, uint64_t end, uint32_t nfree)
{
	int smallest = nruns;
	uint64_t len = end - start;

	if (nruns == DUMP_MAX_RUNS) {
		if (!runs_full_warned)
			log_warn("dump.level: more than %d excluded runs; the smallest stay in the dump", DUMP_MAX_RUNS);
		runs_full_warned = true;
		for (int i = 0; i < nruns; i++)
			if (runs[i].end - runs[i].start < (smallest == nruns ? len : runs[smallest].end - runs[smallest].start))
				smallest = i;
		if (smallest == nruns)
			return;
		memmove(&runs[smallest], &runs[smallest + 1], (size_t)(nruns - smallest - 1) * sizeof(runs[0]));
		memmove(&run_free[smallest], &run_free[smallest + 1],
			(size_t)(nruns - smallest - 1) * sizeof(run_free[0]));
		nruns--;
	}
	runs[nruns] = (struct dump_run){ .start = start, .end = end, .load = li };
	run_free[nruns++] = nfree;
}

/* Find the excluded runs of load li: whole pages only, in order. want_free: free pages can be
 * looked up. Returns false when the mem_map became unreadable (free lookup is then off). */
static bool scan_load(int li, unsigned level, bool want_free)
{
	const struct dump_load *l = &cur->loads[li];
	uint64_t pfn = (l->paddr + PAGE_MASK64) >> PAGE_SHIFT, end = (l->paddr + l->filesz) >> PAGE_SHIFT;
	uint64_t run_start = 0, run_len = 0;
	uint32_t run_nfree = 0;

	if (l->filesz != l->memsz || l->paddr + l->filesz < l->paddr)
		return want_free;
	while (pfn < end) {
		uint64_t n = 1, order;
		bool out = false;

		if (want_free) {
			int rc = free_block(pfn, &order);

			if (rc == -EFAULT) {
				log_warn("dump.level: struct page of pfn 0x%llx unreadable through the page tables; "
					 "free pages from here on stay in the dump", (unsigned long long)pfn);
				want_free = false;
			} else if (rc == 1 && (order >= vi.max_order || (pfn & ((1ull << order) - 1)))) {
				if (!order_warned)
					log_warn("dump.level: pfn 0x%llx: free block order %llu is invalid; kept",
						 (unsigned long long)pfn, (unsigned long long)order);
				order_warned = true;
			} else if (rc == 1) {
				n = MIN(1ull << order, end - pfn);
				out = true;
			}
		}
		if (out) {
			run_nfree += (uint32_t)n;
		} else if ((level & DL_ZERO) && zero_page(l->src + (pfn << PAGE_SHIFT) - l->paddr)) {
			out = true;
		}
		if (out) {
			if (run_len == 0)
				run_start = pfn;
			run_len += n;
		} else {
			if (run_len >= DL_RUN_MIN_PAGES)
				add_run(li, run_start << PAGE_SHIFT, (run_start + run_len) << PAGE_SHIFT, run_nfree);
			run_len = 0;
			run_nfree = 0;
		}
		pfn += n;
	}
	if (run_len >= DL_RUN_MIN_PAGES)
		add_run(li, run_start << PAGE_SHIFT, (run_start + run_len) << PAGE_SHIFT, run_nfree);
	return want_free;
}

/* See filter.h. */
int dump_filter(struct dump *d, unsigned level)
{
	uint64_t t0 = clock_us(), before = d->size, pages = 0;
	bool want_free;
	int rc;

	memset(&filter_stats, 0, sizeof(filter_stats));
	if (level == 0 || d->elfclass == 0)
		return 0;
	if (level & (DL_CACHE | DL_CACHE_PRI | DL_USER))
		log_warn("dump.level %u: page cache and user data (bits 2, 4, 8) are not filtered yet; they stay in the dump",
			 level);
	cur = d;
	nruns = 0;
	runs_full_warned = order_warned = false;
	tlb_va = sec_nr = page_va_cached = ~0ull;
	want_free = (level & DL_FREE) && vmi_load(d) == 0;
	filter_stats.free_ok = want_free;
	if (!(level & (DL_ZERO | DL_FREE)) || (!(level & DL_ZERO) && !want_free))
		return 0;
	for (int li = 0; li < d->nloads; li++)
		want_free = scan_load(li, level, want_free);
	for (int i = 0; i < nruns; i++) {
		pages += (runs[i].end - runs[i].start) >> PAGE_SHIFT;
		filter_stats.free_pages += run_free[i];
	}
	filter_stats.zero_pages = pages - filter_stats.free_pages;
	filter_stats.nruns = nruns;
	if ((rc = dump_exclude(d, runs, nruns)) != 0) {
		log_warn("dump.level %u: the dump is sent unfiltered", level);
		memset(&filter_stats, 0, sizeof(filter_stats));
		return rc;
	}
	log_info("dump.level %u: excluded %llu MiB free, %llu MiB zero in %d runs (%llu ms); dump is %llu MiB (was %llu MiB)",
		 level, (unsigned long long)(filter_stats.free_pages >> 8),
		 (unsigned long long)(filter_stats.zero_pages >> 8), nruns,
		 (unsigned long long)((clock_us() - t0) / 1000), (unsigned long long)(d->size >> 20),
		 (unsigned long long)(before >> 20));
	return 0;
}
