/* dump.level=: the kind of every page (dump/filter.h) from the crashed kernel's mem_map (free,
 * cache, user, hwpoison and offline pages) and memory (zero pages), as makedumpfile 1.7.2 decides. */
#include "dump/filter.h"
#include "dump/elf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "mm/phys.h"

#define PAGE_SHIFT 12
#define PAGE_MASK64 ((uint64_t)PAGE_SIZE - 1)
#define SECTION_HAS_MEM_MAP 0x2ull		/* Linux mmzone.h: section_mem_map flag bits */
#define SECTION_MAP_MASK (~0x1full)		/* ... below SECTION_MAP_LAST_BIT (1 << 5) since 4.13 */
#define PAGE_STRUCT_MAX FILTER_STRUCT_PAGE_MAX
#define FREE_ORDER_DEFAULT 11			/* MAX_ORDER when LENGTH(zone.free_area) is missing */
#define FREE_ORDER_LIMIT 20			/* bound on LENGTH(zone.free_area) */
#define PAGE_MAPPING_ANON 0x1ull		/* page.mapping's low bit: an anon_vma, not a file */

#define PG_LIMIT 31				/* bound on NUMBER(PG_*): makedumpfile tests bits 0..30 */
#define COMPOUND_ORDER_LIMIT 18			/* a 1 GiB gigantic page: larger orders are corrupt */
#define OFF_NONE 0				/* an OFFSET() VMCOREINFO lacks (makedumpfile: 0 = none) */

/* The mem_map checks beyond dump.level's bits: hwpoison and offline pages, which makedumpfile
 * leaves out whenever it reads struct pages (internal, above DL_MAX). */
#define MM_OTHER 32

/* page_class's answer when the struct page leaves its page in; otherwise an FK_ kind. */
#define K_KEEP (-1)

/* VMCOREINFO's "KEY=" line (key as the warnings name it, with its '=') as a number. */
static int vmi_num(const struct filter *f, const char *key, int base, uint64_t *out)
{
	char k[64];
	size_t n = strlen(key);

	if (n == 0 || n >= sizeof(k))
		return -ENOENT;
	memcpy(k, key, n - 1);
	k[n - 1] = 0;
	return crash_vmcoreinfo_num(f->c, k, base, out);
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
static int vmi_load_base(struct filter *f, unsigned warn)
{
	const struct crash *d = f->c;
	uint64_t roots, sec_bits, phys_bits, l5 = 0, phys_base, init_top_pgt;
	const char *what = "";

#define NEED(key, base, out)						\
	do {								\
		if (vmi_num(f, key, base, out) != 0) {		\
			what = key;					\
			goto missing;					\
		}							\
	} while (0)
	if (d->machine != EM_X86_64 || d->vmcoreinfo_len == 0) {
		if (warn)
			log_warn("dump.level: struct pages need an x86_64 crashed kernel's VMCOREINFO; %s; %s in the dump",
				 d->machine != EM_X86_64 ? "this dump is not x86_64" : "this dump has none",
				 bits_name(warn));
		return -EINVAL;
	}
	NEED("SYMBOL(mem_section)=", 16, &f->vi.mem_section);
	NEED("LENGTH(mem_section)=", 10, &roots);
	NEED("SIZE(mem_section)=", 10, &f->vi.sec_size);
	NEED("OFFSET(mem_section.section_mem_map)=", 10, &f->vi.sec_map_off);
	NEED("NUMBER(SECTION_SIZE_BITS)=", 10, &sec_bits);
	NEED("NUMBER(MAX_PHYSMEM_BITS)=", 10, &phys_bits);
	NEED("SIZE(page)=", 10, &f->vi.page_size);
	NEED("OFFSET(page.flags)=", 10, &f->vi.off_flags);
	NEED("OFFSET(page.compound_head)=", 10, &f->vi.off_head);
	NEED("NUMBER(phys_base)=", 10, &phys_base);
	NEED("SYMBOL(init_top_pgt)=", 16, &init_top_pgt);
#undef NEED
	vmi_num(f, "NUMBER(pgtable_l5_enabled)=", 10, &l5);

	/* Every number bounds a later read: refuse what no x86_64 Linux has. */
	if (f->vi.page_size < 16 || f->vi.page_size > PAGE_STRUCT_MAX || f->vi.off_flags > f->vi.page_size - 8 ||
	    f->vi.off_head > f->vi.page_size - 8) {
		what = "SIZE(page) / OFFSET(page.*)";
		goto bad;
	}
	if (sec_bits < PAGE_SHIFT || sec_bits > 40 || phys_bits < sec_bits || phys_bits > 52 ||
	    phys_bits - sec_bits > 32) {
		what = "SECTION_SIZE_BITS / MAX_PHYSMEM_BITS";
		goto bad;
	}
	if (f->vi.sec_size < 8 || f->vi.sec_size > PAGE_SIZE || f->vi.sec_map_off > f->vi.sec_size - 8) {
		what = "SIZE(mem_section) / OFFSET(mem_section.section_mem_map)";
		goto bad;
	}
	if (l5 > 1) {
		what = "pgtable_l5_enabled";
		goto bad;
	}
	f->vi.nsections = 1ull << (phys_bits - sec_bits);
	f->vi.section_shift = sec_bits - PAGE_SHIFT;
	/* SPARSEMEM_EXTREME: LENGTH roots of PAGE_SIZE/SIZE(mem_section) sections each, the symbol
	 * the root array; else the symbol is the array of all sections itself. */
	f->vi.per_root = PAGE_SIZE / f->vi.sec_size;
	if (roots * f->vi.per_root == f->vi.nsections) {
		f->vi.extreme = true;
	} else if (roots == f->vi.nsections) {
		f->vi.extreme = false;
		f->vi.per_root = 1;
	} else {
		what = "LENGTH(mem_section)";
		goto bad;
	}
	f->vi.roots = roots;
	crash_vm_init(&f->vm, d, init_top_pgt, phys_base, l5 == 1);
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
static int vmi_pg(const struct filter *f, const char *key, uint64_t *out)
{
	*out = PG_LIMIT;
	if (vmi_num(f, key, 10, out) != 0) {
		*out = PG_LIMIT;
		return 0;
	}
	return *out < PG_LIMIT ? 0 : -EINVAL;
}

/* Fill f->vi from the crash's VMCOREINFO for the mem_map bits of level (DL_CACHE, DL_CACHE_PRI, DL_USER,
 * DL_FREE). Returns the bits that can be looked for, plus MM_OTHER when the walk runs and the
 * kernel exports hwpoison or offline pages; each asked-for bit that cannot be looked for gets one
 * warning naming the line missing or out of bounds. level 0: only whether the walk runs for
 * hwpoison pages (as makedumpfile, whenever NUMBER(PG_hwpoison) exists), without warnings. */
static unsigned vmi_load(struct filter *f, unsigned level)
{
	unsigned want = level & (DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE), can = want;
	uint64_t order = FREE_ORDER_DEFAULT, v;

	f->vi.off_order = f->vi.off_dtor = OFF_NONE;
	f->vi.head_mask = 0;
	f->vi.has_mapcount = f->vi.has_slab = f->vi.has_offline = f->vi.has_hugetlb = false;
	if (vmi_load_base(f, want) != 0)
		return 0;
	if (vmi_pg(f, "NUMBER(PG_hwpoison)=", &f->vi.pg_hwpoison) != 0) {
		log_warn("dump.level: VMCOREINFO NUMBER(PG_hwpoison) out of bounds; hwpoison pages stay in the dump");
		f->vi.pg_hwpoison = PG_LIMIT;
	}
	/* The fields each check reads: a missing or impossible one turns that check off. */
	f->vi.has_mapcount = vmi_num(f, "OFFSET(page._mapcount)=", 10, &f->vi.off_mapcount) == 0 &&
			  f->vi.off_mapcount <= f->vi.page_size - 4;
	f->vi.has_slab = vmi_num(f, "NUMBER(PG_slab)=", 10, &f->vi.pg_slab) == 0 && f->vi.pg_slab < 64;
	if (want & DL_FREE) {
		const char *what = NULL;

		if (!f->vi.has_mapcount || !f->vi.has_slab)
			what = "OFFSET(page._mapcount) / NUMBER(PG_slab)";
		else if (vmi_num(f, "OFFSET(page.private)=", 10, &f->vi.off_private) != 0 ||
			 f->vi.off_private > f->vi.page_size - 8)
			what = "OFFSET(page.private)";
		else if (vmi_num(f, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", 10, &v) != 0)
			what = "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)";
		else if (vmi_num(f, "LENGTH(zone.free_area)=", 10, &order) == 0 &&
			 (order == 0 || order > FREE_ORDER_LIMIT))
			what = "LENGTH(zone.free_area)";
		if (what) {
			log_warn("dump.level: VMCOREINFO has no usable %s; free pages stay in the dump", what);
			can &= ~(unsigned)DL_FREE;
		} else {
			f->vi.buddy = (uint32_t)v;
			f->vi.max_order = order;
		}
	}
	if (want & (DL_CACHE | DL_CACHE_PRI | DL_USER)) {
		if (vmi_num(f, "OFFSET(page.mapping)=", 10, &f->vi.off_mapping) != 0 ||
		    f->vi.off_mapping > f->vi.page_size - 8) {
			log_warn("dump.level: VMCOREINFO has no usable OFFSET(page.mapping); %s in the dump",
				 bits_name(want & (DL_CACHE | DL_CACHE_PRI | DL_USER)));
			can &= ~(unsigned)(DL_CACHE | DL_CACHE_PRI | DL_USER);
		}
	}
	if (can & (DL_CACHE | DL_CACHE_PRI)) {
		if (vmi_pg(f, "NUMBER(PG_lru)=", &f->vi.pg_lru) != 0 || f->vi.pg_lru == PG_LIMIT ||
		    vmi_pg(f, "NUMBER(PG_private)=", &f->vi.pg_private) != 0 || f->vi.pg_private == PG_LIMIT ||
		    vmi_pg(f, "NUMBER(PG_swapcache)=", &f->vi.pg_swapcache) != 0 || f->vi.pg_swapcache == PG_LIMIT ||
		    vmi_pg(f, "NUMBER(PG_swapbacked)=", &f->vi.pg_swapbacked) != 0) {
			log_warn("dump.level: VMCOREINFO has no usable NUMBER(PG_lru / PG_private / PG_swapcache / PG_swapbacked); page cache stays in the dump");
			can &= ~(unsigned)(DL_CACHE | DL_CACHE_PRI);
		}
	}
	/* Compound pages: their order and destructor live in the first tail page. Without them only
	 * the head page is left out (its tails stay), as makedumpfile does. */
	if (vmi_num(f, "NUMBER(PG_head_mask)=", 10, &f->vi.head_mask) != 0 || f->vi.head_mask == 0 ||
	    f->vi.head_mask >= 1ull << PG_LIMIT || (f->vi.head_mask & (f->vi.head_mask - 1)))
		f->vi.head_mask = 0;
	if (vmi_num(f, "OFFSET(page.compound_order)=", 10, &f->vi.off_order) != 0 || f->vi.off_order >= f->vi.page_size)
		f->vi.off_order = OFF_NONE;
	if (vmi_num(f, "OFFSET(page.compound_dtor)=", 10, &f->vi.off_dtor) != 0 || f->vi.off_dtor >= f->vi.page_size)
		f->vi.off_dtor = OFF_NONE;
	f->vi.has_hugetlb = vmi_num(f, "NUMBER(HUGETLB_PAGE_DTOR)=", 10, &f->vi.hugetlb_dtor) == 0;
	if (vmi_num(f, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=", 10, &v) == 0 && f->vi.has_mapcount && f->vi.has_slab) {
		f->vi.offline = (uint32_t)v;
		f->vi.has_offline = true;
	}
	if ((can & (DL_CACHE | DL_CACHE_PRI | DL_USER)) && (f->vi.head_mask == 0 || f->vi.off_order == OFF_NONE))
		log_warn("dump.level: VMCOREINFO has no usable NUMBER(PG_head_mask) / OFFSET(page.compound_order); "
			 "tail pages of compound pages stay in the dump");
	/* makedumpfile reads struct pages when asked for bits 2/4/8, for free pages, or when the
	 * kernel has PG_hwpoison; then it also leaves out hwpoison and offline pages. */
	if (can || f->vi.pg_hwpoison != PG_LIMIT)
		can |= f->vi.pg_hwpoison != PG_LIMIT || f->vi.has_offline ? MM_OTHER : 0;
	return can;
}

/* The virtual address of pfn's struct page from mem_section. Returns 0, -ENOENT when the
 * section has no mem_map (the page is kept), or -EFAULT when mem_section cannot be read. */
static int page_va(struct filter *f, uint64_t pfn, uint64_t *va)
{
	uint64_t nr = pfn >> f->vi.section_shift, sec, map;

	if (nr == f->sec_nr)
		goto out;
	f->sec_nr = nr;
	f->sec_rc = -ENOENT;
	if (nr >= f->vi.nsections)
		goto out;
	if (f->vi.extreme) {
		uint64_t root;

		if (crash_vm_read(&f->vm, f->vi.mem_section + nr / f->vi.per_root * 8, &root, sizeof(root)) != 0) {
			f->sec_rc = -EFAULT;
			goto out;
		}
		if (root == 0)
			goto out;
		sec = root + nr % f->vi.per_root * f->vi.sec_size;
	} else {
		sec = f->vi.mem_section + nr * f->vi.sec_size;
	}
	if (crash_vm_read(&f->vm, sec + f->vi.sec_map_off, &map, sizeof(map)) != 0) {
		f->sec_rc = -EFAULT;
		goto out;
	}
	if (!(map & SECTION_HAS_MEM_MAP))
		goto out;
	f->sec_map = map & SECTION_MAP_MASK;
	f->sec_rc = 0;
out:
	if (f->sec_rc == 0)
		*va = f->sec_map + pfn * f->vi.page_size;	/* the coded map is offset by the section's first pfn */
	return f->sec_rc;
}

/* Copy pfn's struct page (SIZE(page) bytes) into sp, one page of struct pages read at a time
 * (64 per read with SIZE(page) 64). Returns 0, -ENOENT (no mem_map: the page is kept) or -EFAULT
 * (mem_map unreadable). */
static int read_page_struct(struct filter *f, uint64_t pfn, uint8_t *sp)
{
	uint64_t va;
	size_t in_buf;
	int rc;

	if ((rc = page_va(f, pfn, &va)) != 0)
		return rc;
	if ((va & ~PAGE_MASK64) != f->page_va_cached) {
		f->page_va_cached = ~0ull;
		if (crash_vm_read(&f->vm, va & ~PAGE_MASK64, f->spage, PAGE_SIZE) != 0)
			return -EFAULT;
		f->page_va_cached = va & ~PAGE_MASK64;
	}
	in_buf = (size_t)(PAGE_SIZE - (va & PAGE_MASK64));
	if (in_buf >= f->vi.page_size) {
		memcpy(sp, f->spage + (va & PAGE_MASK64), (size_t)f->vi.page_size);
	} else {
		memcpy(sp, f->spage + (va & PAGE_MASK64), in_buf);
		if (crash_vm_read(&f->vm, va + in_buf, sp + in_buf, (size_t)f->vi.page_size - in_buf) != 0)
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
static int page_class(struct filter *f, uint64_t pfn, unsigned can, uint64_t *nr)
{
	uint8_t sp[PAGE_STRUCT_MAX];
	uint64_t flags, mapping = 0, order = 0, dtor = 0;
	uint32_t mapcount = 0;
	bool slab, cache, anon;
	int rc, kind = K_KEEP;

	if ((rc = read_page_struct(f, pfn, sp)) != 0)
		return rc;
	flags = get64(sp, f->vi.off_flags);
	if (get64(sp, f->vi.off_head) & 1)
		return K_KEEP;	/* a compound tail: left out with its head, or kept */
	/* Only the fields vmi_load checked are read (DL_FREE implies _mapcount and PG_slab). */
	if (f->vi.has_mapcount)
		memcpy(&mapcount, sp + f->vi.off_mapcount, sizeof(mapcount));
	if (can & (DL_CACHE | DL_CACHE_PRI | DL_USER))
		mapping = get64(sp, f->vi.off_mapping);
	slab = f->vi.has_slab && (flags >> f->vi.pg_slab & 1);
	if ((can & DL_FREE) && !slab && mapcount == f->vi.buddy) {
		order = get64(sp, f->vi.off_private);
		if (order >= f->vi.max_order || (pfn & ((1ull << order) - 1))) {
			if (!f->order_warned)
				log_warn("dump.level: pfn 0x%llx: free block order %llu is invalid; kept",
					 (unsigned long long)pfn, (unsigned long long)order);
			f->order_warned = true;
			return K_KEEP;	/* makedumpfile checks nothing else for it either */
		}
		*nr = 1ull << order;
		return FK_FREE;
	}
	cache = pg_set(flags, f->vi.pg_lru) ||
		((f->vi.pg_swapbacked == PG_LIMIT || pg_set(flags, f->vi.pg_swapbacked)) && pg_set(flags, f->vi.pg_swapcache));
	anon = mapping & PAGE_MAPPING_ANON;
	if (f->vi.head_mask && (flags & f->vi.head_mask) && (f->vi.off_order != OFF_NONE || f->vi.off_dtor != OFF_NONE) &&
	    (can & (DL_CACHE | DL_CACHE_PRI | DL_USER | MM_OTHER))) {
		uint8_t tail[PAGE_STRUCT_MAX];

		/* An aligned head never ends a section: no mem_map after it means corrupt flags. */
		if ((rc = read_page_struct(f, pfn + 1, tail)) != 0)
			return rc == -ENOENT ? K_KEEP : rc;
		order = f->vi.off_order != OFF_NONE ? tail[f->vi.off_order] : 0;
		dtor = f->vi.off_dtor != OFF_NONE ? tail[f->vi.off_dtor] : 0;
	}
	if ((can & DL_CACHE) && cache && !pg_set(flags, f->vi.pg_private) && !anon)
		kind = FK_CACHE;
	else if ((can & DL_CACHE_PRI) && cache && !anon)
		kind = FK_CACHE;
	else if ((can & DL_USER) && (anon || (f->vi.has_hugetlb && dtor == f->vi.hugetlb_dtor)))
		kind = FK_USER;
	else if ((can & MM_OTHER) && pg_set(flags, f->vi.pg_hwpoison))
		kind = FK_OTHER;
	else if ((can & MM_OTHER) && f->vi.has_offline && !slab && mapcount == f->vi.offline)
		kind = FK_OTHER;
	if (kind == K_KEEP)
		return K_KEEP;
	if (order > COMPOUND_ORDER_LIMIT || (pfn & ((1ull << order) - 1))) {
		if (!f->compound_warned)
			log_warn("dump.level: pfn 0x%llx: compound page order %llu is invalid; kept",
				 (unsigned long long)pfn, (unsigned long long)order);
		f->compound_warned = true;
		return K_KEEP;
	}
	*nr = 1ull << order;
	return kind;
}

/* Non-zero when the page at physical src is all zeros (an unreadable page is not). */
static bool zero_page(struct filter *f, uint64_t src)
{
	return phys_read(src, f->page, PAGE_SIZE) == 0 && mem_all_zero(f->page, PAGE_SIZE);
}


/* See filter.h. */
bool filter_init(struct filter *f, const struct crash *c, unsigned level)
{
	memset(&f->stats, 0, sizeof(f->stats));
	f->c = c;
	f->level = level;
	f->can = 0;
	f->sec_nr = f->page_va_cached = ~0ull;
	f->pend_start = f->pend_end = 0;
	f->order_warned = f->compound_warned = false;
	if (level == 0 || c->elfclass == 0)
		return false;
	f->can = vmi_load(f, level);
	f->stats.free_ok = f->can & DL_FREE;
	f->stats.memmap_ok = f->can != 0;
	return (level & DL_ZERO) || f->can;
}

/* The kind of page pfn of filterable load l (whole page inside its bytes). */
static uint8_t page_kind(struct filter *f, const struct crash_load *l, uint64_t pfn)
{
	uint64_t nr = 1;
	int kind = K_KEEP;

	if (pfn >= f->pend_start && pfn < f->pend_end) {
		kind = f->pend_kind;	/* inside a block that began before (maybe in another load) */
	} else if (f->can) {
		kind = page_class(f, pfn, f->can, &nr);
		if (kind == -EFAULT) {
			log_warn("dump.level: struct page of pfn 0x%llx unreadable through the page tables; "
				 "its pages from here on stay in the dump (zero pages still go)",
				 (unsigned long long)pfn);
			f->can = 0;
		}
		if (kind >= 0) {
			f->pend_start = pfn;
			f->pend_end = pfn + nr;
			f->pend_kind = (uint8_t)kind;
		}
	}
	if (kind >= 0)
		return (uint8_t)kind;
	if ((f->level & DL_ZERO) && zero_page(f, l->src + (pfn << PAGE_SHIFT) - l->paddr))
		return FK_ZERO;
	return FK_KEEP;
}

/* See filter.h. A page belongs to the first load whose bytes it meets. */
void filter_pages(struct filter *f, uint64_t pfn, uint64_t n, uint8_t *kind)
{
	const struct crash *c = f->c;

	for (uint64_t i = 0; i < n;) {
		uint64_t p = pfn + i, lo = p << PAGE_SHIFT, hi = lo + PAGE_SIZE, next = ~0ull, todo;
		const struct crash_load *l = NULL;

		for (int k = 0; k < c->nloads; k++) {
			const struct crash_load *t = &c->loads[k];
			uint64_t end = t->paddr + t->filesz < t->paddr ? ~0ull : t->paddr + t->filesz;

			if (t->filesz && t->paddr < hi && lo < end) {
				l = t;
				break;
			}
			if (t->filesz && t->paddr >= hi)
				next = MIN(next, t->paddr >> PAGE_SHIFT);
		}
		if (!l) {
			/* a hole up to the next load's first page */
			todo = MIN(n - i, next - p);
			memset(kind + i, FK_HOLE, (size_t)todo);
			f->stats.pages[FK_HOLE] += todo;
			i += todo;
			continue;
		}
		{
			uint64_t first = (l->paddr + PAGE_MASK64) >> PAGE_SHIFT;
			uint64_t last = l->paddr + l->filesz < l->paddr ? 0 : (l->paddr + l->filesz) >> PAGE_SHIFT;
			bool filterable = f->level && l->filesz == l->memsz && l->paddr + l->filesz >= l->paddr;

			if (!filterable || p < first || p >= last) {
				/* partial pages and loads that are not filtered are kept */
				kind[i] = FK_KEEP;
				f->stats.pages[FK_KEEP]++;
				i++;
				continue;
			}
			todo = MIN(n - i, last - p);
			for (uint64_t k = 0; k < todo; k++) {
				kind[i + k] = page_kind(f, l, p + k);
				f->stats.pages[kind[i + k]]++;
			}
			i += todo;
		}
	}
}
