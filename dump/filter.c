/* dump.level=: a pre-pass over the crashed kernel's mem_map (free, cache, user pages) and memory
 * (zero pages) that finds runs of pages to leave out, then dump_exclude lays the file out without them. */
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
#define PAGE_MAPPING_ANON 0x1ull		/* page.mapping's low bit: an anon_vma, not a file */

#define PG_LIMIT 31				/* bound on NUMBER(PG_*): makedumpfile tests bits 0..30 */
#define COMPOUND_ORDER_LIMIT 18			/* a 1 GiB gigantic page: larger orders are corrupt */
#define OFF_NONE 0				/* an OFFSET() VMCOREINFO lacks (makedumpfile: 0 = none) */

struct filter_stats filter_stats;

/* What a struct page says about its page (and the pages its block covers). */
enum page_kind { K_KEEP = -1, K_FREE, K_CACHE, K_USER, K_OTHER, K_N };

/* The mem_map checks beyond dump.level's bits: hwpoison and offline pages, which makedumpfile
 * leaves out whenever it reads struct pages (internal, above DL_MAX). */
#define MM_OTHER 32

/* What salvage needs from VMCOREINFO to read struct page, all checked by vmi_load. */
static struct vmi {
	uint64_t mem_section, init_top_pgt, phys_base;
	uint64_t roots, root_size, per_root, nsections;
	uint64_t sec_size, sec_map_off, section_shift; /* section_shift: pfn bits per section */
	uint64_t page_size, off_flags, off_mapcount, off_private, off_head;
	uint64_t off_mapping, off_order, off_dtor;	/* off_order/off_dtor: OFF_NONE when missing */
	uint64_t pg_slab, max_order, head_mask;		/* head_mask 0: compound heads not recognised */
	uint64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_hwpoison; /* PG_LIMIT: missing */
	uint32_t buddy;				/* PAGE_BUDDY_MAPCOUNT_VALUE as _mapcount holds it */
	uint32_t offline;			/* PAGE_OFFLINE_MAPCOUNT_VALUE, when has_offline */
	uint64_t hugetlb_dtor;			/* HUGETLB_PAGE_DTOR, when has_hugetlb */
	bool l5, extreme, has_mapcount, has_slab, has_offline, has_hugetlb;
} vi;

static struct dump_run runs[DUMP_MAX_RUNS];
static uint32_t run_pages[DUMP_MAX_RUNS][K_N];	/* pages of each kind in each run (the rest are zero) */
static int nruns;
static bool runs_full_warned;
static uint8_t page[PAGE_SIZE];			/* one page of memory (zero_page) */
static uint8_t spage[PAGE_SIZE];		/* one page of struct pages (kept apart: zero_page must not clobber it) */
static const struct dump *cur;			/* the dump being filtered (its loads) */
/* One-entry caches of the lookups below, reset for every dump. */
static uint64_t tlb_va, tlb_pa;			/* last translated virtual page */
static uint64_t sec_nr, sec_map;		/* last section looked up */
static int sec_rc;
static uint64_t page_va_cached;			/* virtual page of struct pages in spage[] */
static bool order_warned, compound_warned;
/* A block (buddy or compound page) found at its first pfn covers pfns up to pend_end, maybe past
 * the load's end: makedumpfile leaves all of them out, in this load or the next. */
static uint64_t pend_start, pend_end;
static enum page_kind pend_kind;

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

/* What stays in the dump when the VMCOREINFO lines for bits are missing (for warnings). */
static const char *bits_name(unsigned bits)
{
	if (bits == DL_FREE)
		return "free pages stay";
	if (bits == DL_USER)
		return "user data stays";
	if (!(bits & ~(unsigned)(DL_CACHE | DL_CACHE_PRI)))
		return "page cache stays";
	return "free pages, page cache and user data stay";
}

/* The lines the mem_map walk itself needs (mem_section, page tables, struct page's flags and
 * compound_head). Returns 0, or -EINVAL after one warning naming what is missing or out of
 * bounds when warn (the bits of warn then stay in the dump). */
static int vmi_load_base(const struct dump *d, unsigned warn)
{
	const char *t = (const char *)d->hdr + d->vmcoreinfo_off;
	uint32_t len = d->vmcoreinfo_len;
	uint64_t roots, sec_bits, phys_bits, l5 = 0;
	const char *what = "";

#define NEED(key, base, out)						\
	do {								\
		if (vmi_num(t, len, key, base, out) != 0) {		\
			what = key;					\
			goto missing;					\
		}							\
	} while (0)
	if (d->machine != EM_X86_64 || len == 0) {
		if (warn)
			log_warn("dump.level: struct pages need an x86_64 crashed kernel's VMCOREINFO; %s; %s in the dump",
				 d->machine != EM_X86_64 ? "this dump is not x86_64" : "this dump has none",
				 bits_name(warn));
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
	NEED("OFFSET(page.compound_head)=", 10, &vi.off_head);
	NEED("NUMBER(phys_base)=", 10, &vi.phys_base);
	NEED("SYMBOL(init_top_pgt)=", 16, &vi.init_top_pgt);
#undef NEED
	vmi_num(t, len, "NUMBER(pgtable_l5_enabled)=", 10, &l5);

	/* Every number bounds a later read: refuse what no x86_64 Linux has. */
	if (vi.page_size < 16 || vi.page_size > PAGE_STRUCT_MAX || vi.off_flags + 8 > vi.page_size ||
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
	if (l5 > 1) {
		what = "pgtable_l5_enabled";
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
	vi.l5 = l5 == 1;
	return 0;
missing:
	if (warn)
		log_warn("dump.level: VMCOREINFO has no %s; %s in the dump", what, bits_name(warn));
	return -EINVAL;
bad:
	if (warn)
		log_warn("dump.level: VMCOREINFO %s out of bounds; %s in the dump", what, bits_name(warn));
	return -EINVAL;
}

/* An optional NUMBER(PG_*) line: its bit in *out, or PG_LIMIT when missing. Returns 0, or
 * -EINVAL when present but not below PG_LIMIT. */
static int vmi_pg(const char *t, uint32_t len, const char *key, uint64_t *out)
{
	*out = PG_LIMIT;
	if (vmi_num(t, len, key, 10, out) != 0) {
		*out = PG_LIMIT;
		return 0;
	}
	return *out < PG_LIMIT ? 0 : -EINVAL;
}

/* Fill vi from d's VMCOREINFO for the mem_map bits of level (DL_CACHE, DL_CACHE_PRI, DL_USER,
 * DL_FREE). Returns the bits that can be looked for, plus MM_OTHER when the walk runs and the
 * kernel exports hwpoison or offline pages; each asked-for bit that cannot be looked for gets one
 * warning naming the line missing or out of bounds. level 0: only whether the walk runs for
 * hwpoison pages (as makedumpfile, whenever NUMBER(PG_hwpoison) exists), without warnings. */
static unsigned vmi_load(const struct dump *d, unsigned level)
{
	const char *t = (const char *)d->hdr + d->vmcoreinfo_off;
	uint32_t len = d->vmcoreinfo_len;
	unsigned want = level & (DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE), can = want;
	uint64_t order = FREE_ORDER_DEFAULT, v;

	vi.off_order = vi.off_dtor = OFF_NONE;
	vi.head_mask = 0;
	vi.has_mapcount = vi.has_slab = vi.has_offline = vi.has_hugetlb = false;
	if (vmi_load_base(d, want) != 0)
		return 0;
	if (vmi_pg(t, len, "NUMBER(PG_hwpoison)=", &vi.pg_hwpoison) != 0) {
		log_warn("dump.level: VMCOREINFO NUMBER(PG_hwpoison) out of bounds; hwpoison pages stay in the dump");
		vi.pg_hwpoison = PG_LIMIT;
	}
	/* The fields each check reads: a missing or impossible one turns that check off. */
	vi.has_mapcount = vmi_num(t, len, "OFFSET(page._mapcount)=", 10, &vi.off_mapcount) == 0 &&
			  vi.off_mapcount + 4 <= vi.page_size;
	vi.has_slab = vmi_num(t, len, "NUMBER(PG_slab)=", 10, &vi.pg_slab) == 0 && vi.pg_slab < 64;
	if (want & DL_FREE) {
		const char *what = NULL;

		if (!vi.has_mapcount || !vi.has_slab)
			what = "OFFSET(page._mapcount) / NUMBER(PG_slab)";
		else if (vmi_num(t, len, "OFFSET(page.private)=", 10, &vi.off_private) != 0 ||
			 vi.off_private + 8 > vi.page_size)
			what = "OFFSET(page.private)";
		else if (vmi_num(t, len, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", 10, &v) != 0)
			what = "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)";
		else if (vmi_num(t, len, "LENGTH(zone.free_area)=", 10, &order) == 0 &&
			 (order == 0 || order > FREE_ORDER_LIMIT))
			what = "LENGTH(zone.free_area)";
		if (what) {
			log_warn("dump.level: VMCOREINFO has no usable %s; free pages stay in the dump", what);
			can &= ~(unsigned)DL_FREE;
		} else {
			vi.buddy = (uint32_t)v;
			vi.max_order = order;
		}
	}
	if (want & (DL_CACHE | DL_CACHE_PRI | DL_USER)) {
		if (vmi_num(t, len, "OFFSET(page.mapping)=", 10, &vi.off_mapping) != 0 ||
		    vi.off_mapping + 8 > vi.page_size) {
			log_warn("dump.level: VMCOREINFO has no usable OFFSET(page.mapping); %s in the dump",
				 bits_name(want & (DL_CACHE | DL_CACHE_PRI | DL_USER)));
			can &= ~(unsigned)(DL_CACHE | DL_CACHE_PRI | DL_USER);
		}
	}
	if (can & (DL_CACHE | DL_CACHE_PRI)) {
		if (vmi_pg(t, len, "NUMBER(PG_lru)=", &vi.pg_lru) != 0 || vi.pg_lru == PG_LIMIT ||
		    vmi_pg(t, len, "NUMBER(PG_private)=", &vi.pg_private) != 0 || vi.pg_private == PG_LIMIT ||
		    vmi_pg(t, len, "NUMBER(PG_swapcache)=", &vi.pg_swapcache) != 0 || vi.pg_swapcache == PG_LIMIT ||
		    vmi_pg(t, len, "NUMBER(PG_swapbacked)=", &vi.pg_swapbacked) != 0) {
			log_warn("dump.level: VMCOREINFO has no usable NUMBER(PG_lru / PG_private / PG_swapcache / PG_swapbacked); page cache stays in the dump");
			can &= ~(unsigned)(DL_CACHE | DL_CACHE_PRI);
		}
	}
	/* Compound pages: their order and destructor live in the first tail page. Without them only
	 * the head page is left out (its tails stay), as makedumpfile does. */
	if (vmi_num(t, len, "NUMBER(PG_head_mask)=", 10, &vi.head_mask) != 0 || vi.head_mask == 0 ||
	    vi.head_mask >= 1ull << PG_LIMIT || (vi.head_mask & (vi.head_mask - 1)))
		vi.head_mask = 0;
	if (vmi_num(t, len, "OFFSET(page.compound_order)=", 10, &vi.off_order) != 0 || vi.off_order >= vi.page_size)
		vi.off_order = OFF_NONE;
	if (vmi_num(t, len, "OFFSET(page.compound_dtor)=", 10, &vi.off_dtor) != 0 || vi.off_dtor >= vi.page_size)
		vi.off_dtor = OFF_NONE;
	vi.has_hugetlb = vmi_num(t, len, "NUMBER(HUGETLB_PAGE_DTOR)=", 10, &vi.hugetlb_dtor) == 0;
	if (vmi_num(t, len, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=", 10, &v) == 0 && vi.has_mapcount && vi.has_slab) {
		vi.offline = (uint32_t)v;
		vi.has_offline = true;
	}
	if ((can & (DL_CACHE | DL_CACHE_PRI | DL_USER)) && (vi.head_mask == 0 || vi.off_order == OFF_NONE))
		log_warn("dump.level: VMCOREINFO has no usable NUMBER(PG_head_mask) / OFFSET(page.compound_order); "
			 "tail pages of compound pages stay in the dump");
	/* makedumpfile reads struct pages when asked for bits 2/4/8, for free pages, or when the
	 * kernel has PG_hwpoison; then it also leaves out hwpoison and offline pages. */
	if (can || vi.pg_hwpoison != PG_LIMIT)
		can |= vi.pg_hwpoison != PG_LIMIT || vi.has_offline ? MM_OTHER : 0;
	return can;
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

/* Copy pfn's struct page (SIZE(page) bytes) into sp, one page of struct pages read at a time
 * (64 per read with SIZE(page) 64). Returns 0, -ENOENT (no mem_map: the page is kept) or -EFAULT
 * (mem_map unreadable). */
static int read_page_struct(uint64_t pfn, uint8_t *sp)
{
	uint64_t va;
	size_t in_buf;
	int rc;

	if ((rc = page_va(pfn, &va)) != 0)
		return rc;
	if ((va & ~PAGE_MASK64) != page_va_cached) {
		page_va_cached = ~0ull;
		if (vread(va & ~PAGE_MASK64, spage, PAGE_SIZE) != 0)
			return -EFAULT;
		page_va_cached = va & ~PAGE_MASK64;
	}
	in_buf = (size_t)(PAGE_SIZE - (va & PAGE_MASK64));
	if (in_buf >= vi.page_size) {
		memcpy(sp, spage + (va & PAGE_MASK64), (size_t)vi.page_size);
	} else {
		memcpy(sp, spage + (va & PAGE_MASK64), in_buf);
		if (vread(va + in_buf, sp + in_buf, (size_t)vi.page_size - in_buf) != 0)
			return -EFAULT;
	}
	return 0;
}

static uint64_t get64(const uint8_t *p, uint64_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Bit pg of flags, as makedumpfile's test_bit (pg < PG_LIMIT; PG_LIMIT means "not exported"). */
static bool pg_set(uint64_t flags, uint64_t pg)
{
	return pg < PG_LIMIT && (flags >> pg & 1);
}

/* What pfn's struct page says, by makedumpfile 1.7.2's __exclude_unnecessary_pages for the checks
 * in `can` (vmi_load): a compound tail is kept (its head decides for it); then free (buddy head,
 * not slab, 2^private pages), page cache without PG_private (2), page cache (4), user data (8:
 * anonymous mapping or hugetlbfs destructor), hwpoison, offline, in that order. Page cache is
 * PG_lru, or PG_swapcache with PG_swapbacked, and a mapping without PAGE_MAPPING_ANON. A compound
 * head's block is 2^order pages (order and destructor from the first tail); an order that is not
 * aligned or too large keeps the page. Sets *nr to the pages the kind covers from pfn. Returns
 * the kind (K_KEEP when none), -ENOENT (no mem_map: kept) or -EFAULT (mem_map unreadable). */
static int page_class(uint64_t pfn, unsigned can, uint64_t *nr)
{
	uint8_t sp[PAGE_STRUCT_MAX];
	uint64_t flags, mapping = 0, order = 0, dtor = 0;
	uint32_t mapcount = 0;
	bool slab, cache, anon;
	int rc, kind = K_KEEP;

	if ((rc = read_page_struct(pfn, sp)) != 0)
		return rc;
	flags = get64(sp, vi.off_flags);
	if (get64(sp, vi.off_head) & 1)
		return K_KEEP;	/* a compound tail: left out with its head, or kept */
	/* Only the fields vmi_load checked are read (DL_FREE implies _mapcount and PG_slab). */
	if (vi.has_mapcount)
		memcpy(&mapcount, sp + vi.off_mapcount, sizeof(mapcount));
	if (can & (DL_CACHE | DL_CACHE_PRI | DL_USER))
		mapping = get64(sp, vi.off_mapping);
	slab = vi.has_slab && (flags >> vi.pg_slab & 1);
	if ((can & DL_FREE) && !slab && mapcount == vi.buddy) {
		order = get64(sp, vi.off_private);
		if (order >= vi.max_order || (pfn & ((1ull << order) - 1))) {
			if (!order_warned)
				log_warn("dump.level: pfn 0x%llx: free block order %llu is invalid; kept",
					 (unsigned long long)pfn, (unsigned long long)order);
			order_warned = true;
			return K_KEEP;	/* makedumpfile checks nothing else for it either */
		}
		*nr = 1ull << order;
		return K_FREE;
	}
	cache = pg_set(flags, vi.pg_lru) ||
		((vi.pg_swapbacked == PG_LIMIT || pg_set(flags, vi.pg_swapbacked)) && pg_set(flags, vi.pg_swapcache));
	anon = mapping & PAGE_MAPPING_ANON;
	if (vi.head_mask && (flags & vi.head_mask) && (vi.off_order != OFF_NONE || vi.off_dtor != OFF_NONE) &&
	    (can & (DL_CACHE | DL_CACHE_PRI | DL_USER | MM_OTHER))) {
		uint8_t tail[PAGE_STRUCT_MAX];

		/* An aligned head never ends a section: no mem_map after it means corrupt flags. */
		if ((rc = read_page_struct(pfn + 1, tail)) != 0)
			return rc == -ENOENT ? K_KEEP : rc;
		order = vi.off_order != OFF_NONE ? tail[vi.off_order] : 0;
		dtor = vi.off_dtor != OFF_NONE ? tail[vi.off_dtor] : 0;
	}
	if ((can & DL_CACHE) && cache && !pg_set(flags, vi.pg_private) && !anon)
		kind = K_CACHE;
	else if ((can & DL_CACHE_PRI) && cache && !anon)
		kind = K_CACHE;
	else if ((can & DL_USER) && (anon || (vi.has_hugetlb && dtor == vi.hugetlb_dtor)))
		kind = K_USER;
	else if ((can & MM_OTHER) && pg_set(flags, vi.pg_hwpoison))
		kind = K_OTHER;
	else if ((can & MM_OTHER) && vi.has_offline && !slab && mapcount == vi.offline)
		kind = K_OTHER;
	if (kind == K_KEEP)
		return K_KEEP;
	if (order > COMPOUND_ORDER_LIMIT || (pfn & ((1ull << order) - 1))) {
		if (!compound_warned)
			log_warn("dump.level: pfn 0x%llx: compound page order %llu is invalid; kept",
				 (unsigned long long)pfn, (unsigned long long)order);
		compound_warned = true;
		return K_KEEP;
	}
	*nr = 1ull << order;
	return kind;
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

/* Append run [start, end) of load li holding pages[kind] pages of each kind. When the array is
 * full, the smallest run (this one or an earlier one) stays in the dump instead: always correct. */
static void add_run(int li, uint64_t start, uint64_t end, const uint32_t *pages)
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
		memmove(&run_pages[smallest], &run_pages[smallest + 1],
			(size_t)(nruns - smallest - 1) * sizeof(run_pages[0]));
		nruns--;
	}
	runs[nruns] = (struct dump_run){ .start = start, .end = end, .load = li };
	memcpy(run_pages[nruns++], pages, sizeof(run_pages[0]));
}

/* Find the excluded runs of load li, in order: whole pages, runs of at least DL_RUN_MIN_PAGES, or
 * any run that ends the load (with the load's partial last page). can: the mem_map checks that
 * still work (vmi_load). Returns can, or 0 once the mem_map became unreadable. */
static unsigned scan_load(int li, unsigned level, unsigned can)
{
	const struct dump_load *l = &cur->loads[li];
	uint64_t pfn = (l->paddr + PAGE_MASK64) >> PAGE_SHIFT, end = (l->paddr + l->filesz) >> PAGE_SHIFT;
	uint64_t run_start = 0, run_len = 0;
	uint32_t pages[K_N] = { 0 };

	if (l->filesz != l->memsz || l->paddr + l->filesz < l->paddr)
		return can;
	while (pfn < end) {
		uint64_t n = 1, nr = 1;
		int kind = K_KEEP;

		if (pfn >= pend_start && pfn < pend_end) {
			kind = pend_kind;	/* inside a block that began before this load */
			nr = pend_end - pfn;
		} else if (can) {
			kind = page_class(pfn, can, &nr);
			if (kind == -EFAULT) {
				log_warn("dump.level: struct page of pfn 0x%llx unreadable through the page tables; "
					 "its pages from here on stay in the dump (zero pages still go)",
					 (unsigned long long)pfn);
				can = 0;
			}
			if (kind >= 0) {
				pend_start = pfn;
				pend_end = pfn + nr;
				pend_kind = (enum page_kind)kind;
			}
		}
		if (kind >= 0) {
			n = MIN(nr, end - pfn);
			pages[kind] += (uint32_t)n;
		} else if (!((level & DL_ZERO) && zero_page(l->src + (pfn << PAGE_SHIFT) - l->paddr))) {
			if (run_len >= DL_RUN_MIN_PAGES)
				add_run(li, run_start << PAGE_SHIFT, (run_start + run_len) << PAGE_SHIFT, pages);
			run_len = 0;
			memset(pages, 0, sizeof(pages));
			pfn++;
			continue;
		}
		if (run_len == 0)
			run_start = pfn;
		run_len += n;
		pfn += n;
	}
	/* makedumpfile -E ends a PT_LOAD's data before its trailing excluded pages however few,
	 * and before the partial page after them. */
	if (run_len > 0)
		add_run(li, run_start << PAGE_SHIFT, l->paddr + l->filesz, pages);
	return can;
}

/* See filter.h. */
int dump_filter(struct dump *d, unsigned level)
{
	uint64_t t0 = clock_us(), before = d->size, pages = 0, kept[K_N] = { 0 };
	unsigned can;
	int rc;

	memset(&filter_stats, 0, sizeof(filter_stats));
	if (level == 0 || d->elfclass == 0)
		return 0;
	cur = d;
	nruns = 0;
	runs_full_warned = order_warned = compound_warned = false;
	tlb_va = sec_nr = page_va_cached = ~0ull;
	pend_start = pend_end = 0;
	can = vmi_load(d, level);
	filter_stats.free_ok = can & DL_FREE;
	filter_stats.memmap_ok = can != 0;
	if (!(level & DL_ZERO) && !can)
		return 0;
	for (int li = 0; li < d->nloads; li++)
		can = scan_load(li, level, can);
	for (int i = 0; i < nruns; i++) {
		pages += (runs[i].end - runs[i].start) >> PAGE_SHIFT;
		for (int k = 0; k < K_N; k++)
			kept[k] += run_pages[i][k];
	}
	filter_stats.free_pages = kept[K_FREE];
	filter_stats.cache_pages = kept[K_CACHE];
	filter_stats.user_pages = kept[K_USER];
	filter_stats.other_pages = kept[K_OTHER];
	filter_stats.zero_pages = pages - kept[K_FREE] - kept[K_CACHE] - kept[K_USER] - kept[K_OTHER];
	filter_stats.nruns = nruns;
	if ((rc = dump_exclude(d, runs, nruns)) != 0) {
		log_warn("dump.level %u: the dump is sent unfiltered", level);
		memset(&filter_stats, 0, sizeof(filter_stats));
		return rc;
	}
	log_info("dump.level %u: excluded %llu MiB free, %llu MiB zero, %llu MiB cache, %llu MiB user, "
		 "%llu pages hwpoison/offline in %d runs (%llu ms); dump is %llu MiB (was %llu MiB)",
		 level, (unsigned long long)(filter_stats.free_pages >> 8),
		 (unsigned long long)(filter_stats.zero_pages >> 8), (unsigned long long)(filter_stats.cache_pages >> 8),
		 (unsigned long long)(filter_stats.user_pages >> 8), (unsigned long long)filter_stats.other_pages,
		 nruns, (unsigned long long)((clock_us() - t0) / 1000), (unsigned long long)(d->size >> 20),
		 (unsigned long long)(before >> 20));
	return 0;
}
