/* Unit tests for dump/filter.c and the elf format's runs (elf_filter, elf_layout): a fake x86_64 crashed kernel (4-level page tables
 * with 1 GiB and 2 MiB pages, SPARSEMEM_EXTREME mem_section, vmemmap struct pages, VMCOREINFO)
 * in fake physical memory; free, zero, page cache, user data, compound, hwpoison and offline
 * pages, the 256-page threshold, trailing runs, blocks across PT_LOADs, PT_LOAD splitting, and
 * malformed VMCOREINFO / page tables / orders / flags that must keep the pages. */
/* unit-sources: dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump/crash.h"
#include "dump/elfcore.h"
#include "dump/filter.h"
#include "ok.h"
#include "shim.h"

#define PG 4096ull
#define MEM_SIZE (32ull << 20)		/* the crashed kernel's RAM: physical [0, 32 MiB) */
#define HDR_ADDR 0x40000000ull		/* the elfcorehdr, outside RAM */
#define PGT 0x100000ull			/* init_top_pgt (text mapping, phys_base 0) */
#define PDPT_DIRECT 0x101000ull
#define PDPT_VMEMMAP 0x102000ull
#define PD_VMEMMAP 0x103000ull
#define ROOTS 0x104000ull			/* mem_section roots, through the direct map */
#define SECTIONS 0x105000ull
#define STRUCT_PAGES 0x200000ull		/* 2 MiB page of struct pages */
#define DIRECT 0xffff888000000000ull
#define VMEMMAP 0xffffea0000000000ull
#define TEXT 0xffffffff80000000ull

static uint8_t *mem;
static uint8_t hdr[8192];
static struct crash c;
static struct elf_file d;
static struct filter f;

static void put64(uint64_t pa, uint64_t v) { memcpy(mem + pa, &v, 8); }

/* struct page of pfn (SIZE(page) 64, Linux 6.1's layout): flags +0, compound_head +8, mapping +24,
 * private +40, _mapcount +48; in a compound page's first tail compound_dtor +16, compound_order +17. */
static void set_page(uint64_t pfn, uint64_t flags, uint64_t head, uint64_t priv, uint32_t mapcount)
{
	uint8_t *p = mem + STRUCT_PAGES + pfn * 64;

	memcpy(p, &flags, 8);
	memcpy(p + 8, &head, 8);
	memcpy(p + 40, &priv, 8);
	memcpy(p + 48, &mapcount, 4);
}

static void free_block(uint64_t pfn, unsigned order) { set_page(pfn, 0, 0, order, 0xffffff7fu); }

static void set_mapping(uint64_t pfn, uint64_t mapping) { memcpy(mem + STRUCT_PAGES + pfn * 64 + 24, &mapping, 8); }

#define F_LRU (1ull << 4)
#define F_SWAPCACHE (1ull << 10)
#define F_PRIVATE (1ull << 13)
#define F_HEAD (1ull << 16)
#define F_SWAPBACKED (1ull << 19)
#define F_HWPOISON (1ull << 23)
#define FILE_MAPPING 0xffff888001234500ull	/* a struct address_space */
#define ANON_MAPPING 0xffff888001234601ull	/* an anon_vma | PAGE_MAPPING_ANON */

/* n order-0 pages from pfn with these flags and mapping. */
static void pages(uint64_t pfn, uint64_t n, uint64_t flags, uint64_t mapping)
{
	for (uint64_t i = 0; i < n; i++) {
		set_page(pfn + i, flags, 0, 0, 0xffffffffu);
		set_mapping(pfn + i, mapping);
	}
}

/* A compound page of 2^order pages at pfn: head flags/mapping, tails pointing at the head, the
 * order and destructor in the first tail. */
static void compound(uint64_t pfn, unsigned order, uint64_t flags, uint64_t mapping, uint8_t dtor)
{
	pages(pfn, 1, flags | F_HEAD, mapping);
	for (uint64_t i = 1; i < (1ull << order); i++)
		set_page(pfn + i, 0, (VMEMMAP + pfn * 64) | 1, 0, 0xffffffffu);
	mem[STRUCT_PAGES + (pfn + 1) * 64 + 16] = dtor;
	mem[STRUCT_PAGES + (pfn + 1) * 64 + 17] = (uint8_t)order;
}

/* How many times s occurs in the log. */
static int log_count(const char *s)
{
	int n = 0;

	for (const char *p = strstr(log_buf, s); p; p = strstr(p + 1, s))
		n++;
	return n;
}

static const char vmci_good[] =
	"OSRELEASE=6.1.0-test\nSYMBOL(mem_section)=ffff888000104000\nLENGTH(mem_section)=4096\n"
	"SIZE(mem_section)=32\nOFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PG_slab)=9\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=ffffffff80100000\n"
	"NUMBER(pgtable_l5_enabled)=0\nLENGTH(zone.free_area)=11\nOFFSET(page.mapping)=24\n"
	"OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\nNUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\nNUMBER(PG_head_mask)=65536\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

/* vmci_good with its text "from" replaced by "to" (at most 16 bytes longer). */
static const char *vmci_with(const char *from, const char *to)
{
	static char v[sizeof(vmci_good) + 16];
	char *at;

	snprintf(v, sizeof(v), "%s", vmci_good);
	at = strstr(v, from);
	memmove(at + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	memcpy(at, to, strlen(to));
	return v;
}

/* The crashed machine: RAM filled with non-zero bytes, page tables, mem_section, struct pages
 * (all in use), and an ELF64 header with one VMCOREINFO note and one PT_LOAD of all RAM. */
static void machine(const char *info)
{
	size_t n = strlen(info), off;
	Elf64_Ehdr *e = (Elf64_Ehdr *)hdr;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(*e));

	for (uint64_t i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 7 + 1) | 1;
	memset(mem + PGT, 0, 0x6000);
	memset(mem + STRUCT_PAGES, 0, (MEM_SIZE / PG) * 64);
	put64(PGT + ((DIRECT >> 39) & 511) * 8, PDPT_DIRECT | 3);
	put64(PDPT_DIRECT, 0x0 | 0x83);				/* 1 GiB page: phys 0 */
	put64(PGT + ((VMEMMAP >> 39) & 511) * 8, PDPT_VMEMMAP | 3);
	put64(PDPT_VMEMMAP, PD_VMEMMAP | 3);
	put64(PD_VMEMMAP, STRUCT_PAGES | 0x83);			/* 2 MiB page of struct pages */
	put64(ROOTS, DIRECT + SECTIONS);
	put64(SECTIONS, VMEMMAP | 3);				/* section 0: present, has mem_map */

	memset(hdr, 0, sizeof(hdr));
	shim_core_ehdr64(e, 2);
	off = 1024;
	memcpy(hdr + off, &(uint32_t){ 11 }, 4);
	memcpy(hdr + off + 4, &(uint32_t){ (uint32_t)n }, 4);
	memcpy(hdr + off + 12, "VMCOREINFO", 11);
	memcpy(hdr + off + 24, info, n);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = HDR_ADDR + off, .p_filesz = 24 + ((n + 3) & ~3ul),
			      .p_memsz = 24 + ((n + 3) & ~3ul) };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = 7, .p_offset = 0, .p_vaddr = DIRECT, .p_paddr = 0,
			      .p_filesz = MEM_SIZE, .p_memsz = MEM_SIZE };
	fakemem_reset();
	fakemem_map(0, mem, MEM_SIZE);
	fakemem_map(HDR_ADDR, hdr, sizeof(hdr));
}

/* Program header i+1 (PT_LOAD i) of d's file. */
static Elf64_Phdr *load(int i)
{
	static Elf64_Phdr ph[8];

	elf_read(&d, sizeof(Elf64_Ehdr) + (size_t)(i + 1) * sizeof(Elf64_Phdr), &ph[i & 7], sizeof(Elf64_Phdr));
	return &ph[i & 7];
}

static int nloads(void)
{
	uint16_t n;

	elf_read(&d, offsetof(Elf64_Ehdr, e_phnum), &n, 2);
	return n - 1;
}

/* Every byte of every PT_LOAD's p_filesz equals the crashed memory at its p_paddr. */
static int loads_match_memory(void)
{
	static uint8_t buf[1 << 16];

	for (int i = 0; i < nloads(); i++) {
		Elf64_Phdr *p = load(i);

		for (uint64_t o = 0; o < p->p_filesz; o += sizeof(buf)) {
			size_t k = (size_t)(p->p_filesz - o < sizeof(buf) ? p->p_filesz - o : sizeof(buf));

			if (elf_read(&d, p->p_offset + o, buf, k) != 0 || memcmp(buf, mem + p->p_paddr + o, k))
				return 0;
		}
	}
	return 1;
}

static uint64_t unfiltered_size;

static int build(const char *info, unsigned level)
{
	log_reset();
	if (crash_from_elfcorehdr(&c, HDR_ADDR, sizeof(hdr)) != 0 || elf_layout(&d, &c, NULL, 0) != 0)
		return -1;
	unfiltered_size = d.size;
	(void)info;
	return elf_filter(&d, &c, &f, level);
}

static void hung(int sig)
{
	static const char msg[] = "not ok test_filter: elf_filter still running after 60 s\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int main(void)
{
	signal(SIGALRM, hung);
	mem = calloc(1, MEM_SIZE);

	/* Free blocks: 2 MiB at pfn 0x1000 (order 9, left out), 512 KiB at 0x1400 (order 7: a run
	 * of 128 < 256 pages stays), two adjacent order-8 blocks at 0x1800 (one run of 512 pages),
	 * and an order-10 block at the end of RAM (0x1c00-0x2000: a trailing run). */
	machine(vmci_good);
	free_block(0x1000, 9);
	free_block(0x1400, 7);
	free_block(0x1800, 8);
	free_block(0x1900, 8);
	free_block(0x1c00, 10);
	ok(build(vmci_good, 16) == 0, "level 16 filters");
	ok(d.stats.free_ok && d.stats.nruns == 3, "3 free runs (%d), free lookup on", d.stats.nruns);
	ok(d.stats.free_pages == 512 + 512 + 1024 && d.stats.zero_pages == 0, "free pages %llu",
	   (unsigned long long)d.stats.free_pages);
	ok(nloads() == 3, "PT_LOAD split in 3 (%d)", nloads());
	ok(load(0)->p_paddr == 0 && load(0)->p_filesz == 0x1000000 && load(0)->p_memsz == 0x1200000,
	   "piece 1: data to the first run, p_memsz over it");
	ok(load(1)->p_paddr == 0x1200000 && load(1)->p_filesz == 0x600000 && load(1)->p_memsz == 0x800000 &&
	   load(1)->p_vaddr == DIRECT + 0x1200000, "piece 2 keeps the 128-page block, stops at 0x1800000");
	ok(load(2)->p_paddr == 0x1a00000 && load(2)->p_filesz == 0x200000 && load(2)->p_memsz == 0x600000,
	   "piece 3: trailing run in p_memsz only");
	ok(d.size == unfiltered_size - 2048 * PG, "file is 8 MiB smaller");
	ok(loads_match_memory(), "every kept byte is the crashed memory");
	ok(log_has("dump.level 16: excluded 8 MiB free, 0 MiB zero, 0 MiB cache, 0 MiB user, 0 pages hwpoison/offline in 3 runs"),
	   "summary logged");

	/* Level 17: a 300-page zero run right after the 2 MiB free block joins it; 100 zero pages
	 * elsewhere stay. */
	memset(mem + 0x1200000, 0, 300 * PG);
	memset(mem + 0x300000, 0, 100 * PG);
	ok(build(vmci_good, 17) == 0 && d.stats.zero_pages == 300 && d.stats.free_pages == 2048,
	   "level 17: 300 zero + 2048 free (%llu, %llu)", (unsigned long long)d.stats.zero_pages,
	   (unsigned long long)d.stats.free_pages);
	ok(load(1)->p_paddr == 0x1200000 + 300 * PG, "zero run extends the free run");
	ok(loads_match_memory(), "level 17 bytes are the memory");
	ok(build(vmci_good, 1) == 0 && d.stats.nruns == 1 && d.stats.zero_pages == 300 &&
	   !d.stats.free_ok, "level 1: zero pages only, no VMCOREINFO needed");

	/* Level 0 changes nothing; nor do bits 2/4/8 when no page is cache or user data. */
	ok(build(vmci_good, 0) == 0 && d.size == unfiltered_size && nloads() == 1, "level 0: unfiltered");
	ok(build(vmci_good, 14) == 0 && d.size == unfiltered_size && d.stats.memmap_ok, "level 14: nothing to leave out");

	/* Malformed input keeps the free pages (zero pages still go). */
	memset(mem + 0x1200000, 1, 300 * PG);
	{
		static const struct { const char *from, *to, *why; } bad[] = {
			{ "SIZE(page)=64", "SIZE(page)=9999", "out of bounds" },
			{ "OFFSET(page._mapcount)=48", "OFFSET(page._mapcount)=62", "no usable OFFSET(page._mapcount)" },
			{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", "no usable" },
			{ "LENGTH(mem_section)=4096", "LENGTH(mem_section)=77", "out of bounds" },
			{ "NUMBER(SECTION_SIZE_BITS)=27", "NUMBER(SECTION_SIZE_BITS)=x7", "has no" },
			{ "SYMBOL(init_top_pgt)=ffffffff80100000", "SYMBOL(init_top_pgt)=ffffffff90100000",
			  "unreadable" },
			{ "SYMBOL(mem_section)=ffff888000104000", "SYMBOL(mem_section)=ffff888100104000",
			  "unreadable" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *v = vmci_with(bad[i].from, bad[i].to);

			machine(v);
			free_block(0x1000, 9);
			ok(build(v, 16) == 0 && d.stats.free_pages == 0 && d.size == unfiltered_size &&
			   log_has(bad[i].why), "%s: free pages kept, warning '%s'", bad[i].to, bad[i].why);
		}
	}

	/* Page tables: vmemmap not mapped -> kept with a warning. */
	machine(vmci_good);
	free_block(0x1000, 9);
	put64(PD_VMEMMAP, 0);
	ok(build(vmci_good, 16) == 0 && d.stats.free_pages == 0 && log_has("unreadable"),
	   "unmapped vmemmap: free pages kept");
	/* A 4 KiB-page walk works as well as the 2 MiB one. */
	put64(PD_VMEMMAP, 0x106000 | 3);
	for (uint64_t i = 0; i < 512; i++)
		put64(0x106000 + i * 8, (STRUCT_PAGES + i * PG) | 3);
	ok(build(vmci_good, 16) == 0 && d.stats.free_pages == 512, "4 KiB page tables: 512 free pages");

	/* Bad orders, tail pages and slab pages are not free. */
	machine(vmci_good);
	free_block(0x1000, 30);
	free_block(0x1100, 9);		/* not aligned to 2^9 */
	set_page(0x1400, 0, 0x1, 8, 0xffffff7fu);	/* compound tail */
	set_page(0x1800, 1 << 9, 0, 8, 0xffffff7fu);	/* PG_slab */
	ok(build(vmci_good, 16) == 0 && d.stats.free_pages == 0 && log_has("invalid"),
	   "invalid order / misaligned / tail / slab: kept");

	/* Page cache (2, 4) and user data (8), by makedumpfile 1.7.2's rules, 300 pages each:
	 * 0x1000 file LRU pages, 0x1200 file LRU pages with PG_private, 0x1400 swap cache (swapbacked)
	 * with a file mapping, 0x1600 anonymous LRU pages, 0x1800 swap cache without PG_swapbacked
	 * (not cache). */
	machine(vmci_good);
	pages(0x1000, 300, F_LRU, FILE_MAPPING);
	pages(0x1200, 300, F_LRU | F_PRIVATE, FILE_MAPPING);
	pages(0x1400, 300, F_SWAPCACHE | F_SWAPBACKED, FILE_MAPPING);
	pages(0x1600, 300, F_LRU | F_SWAPBACKED, ANON_MAPPING);
	pages(0x1800, 300, F_SWAPCACHE, FILE_MAPPING);
	ok(build(vmci_good, 2) == 0 && d.stats.cache_pages == 600 && d.stats.user_pages == 0 &&
	   nloads() == 3 && load(1)->p_paddr == 0x112c000 && load(2)->p_paddr == 0x152c000,
	   "level 2: file LRU and swap-cache pages without PG_private (%llu)", (unsigned long long)d.stats.cache_pages);
	ok(loads_match_memory(), "level 2: kept bytes are the memory");
	ok(build(vmci_good, 4) == 0 && d.stats.cache_pages == 900 && d.stats.user_pages == 0 &&
	   nloads() == 4 && load(3)->p_paddr == 0x152c000, "level 4: page cache with PG_private too (%llu)",
	   (unsigned long long)d.stats.cache_pages);
	ok(build(vmci_good, 8) == 0 && d.stats.user_pages == 300 && d.stats.cache_pages == 0 &&
	   load(1)->p_paddr == 0x172c000, "level 8: anonymous pages (%llu)", (unsigned long long)d.stats.user_pages);
	ok(build(vmci_good, 14) == 0 && d.stats.user_pages == 300 && d.stats.cache_pages == 900,
	   "level 14: cache and user");
	ok(build(vmci_good, 31) == 0 && d.stats.user_pages == 300 && d.stats.cache_pages == 900 &&
	   loads_match_memory(), "level 31: the same, every kept byte the memory");

	/* Compound pages: an anonymous THP (order 9) and a hugetlbfs page (destructor 2, a file
	 * mapping, no LRU) leave out all their pages at 8; a file THP at 2; a THP that no bit names
	 * keeps its tails. Orders that are misaligned or impossible keep the page. */
	machine(vmci_good);
	compound(0x1000, 9, F_LRU | F_SWAPBACKED, ANON_MAPPING, 1);
	compound(0x1200, 9, 0, FILE_MAPPING, 2);
	compound(0x1400, 9, F_LRU, FILE_MAPPING, 1);
	compound(0x1600, 9, 0, 0, 1);			/* e.g. a kernel compound page */
	ok(build(vmci_good, 8) == 0 && d.stats.user_pages == 1024 && nloads() == 2 &&
	   load(0)->p_filesz == 0x1000000 && load(1)->p_paddr == 0x1400000, "level 8: anon THP and hugetlbfs page (%llu)",
	   (unsigned long long)d.stats.user_pages);
	ok(build(vmci_good, 2) == 0 && d.stats.cache_pages == 512 && load(1)->p_paddr == 0x1600000,
	   "level 2: file THP, all 512 pages");
	ok(build(vmci_good, 31) == 0 && d.stats.cache_pages == 512 && d.stats.user_pages == 1024 &&
	   nloads() == 2 && load(1)->p_paddr == 0x1600000, "level 31: 3 compound pages out, the fourth kept");
	compound(0x1800, 9, F_LRU | F_SWAPBACKED, ANON_MAPPING, 1);
	mem[STRUCT_PAGES + 0x1801 * 64 + 17] = 40;	/* impossible order */
	compound(0x1a00, 9, F_LRU | F_SWAPBACKED, ANON_MAPPING, 1);
	mem[STRUCT_PAGES + 0x1a01 * 64 + 17] = 10;	/* 0x1a00 is not 2^10-aligned */
	ok(build(vmci_good, 8) == 0 && d.stats.user_pages == 1024 && log_has("compound page order 40 is invalid"),
	   "order 40 / misaligned order 10: kept with a warning");

	/* A short run that ends a PT_LOAD is left out (makedumpfile -E); a block that crosses into
	 * the next PT_LOAD leaves out its pages there too. */
	machine(vmci_good);
	pages(MEM_SIZE / PG - 10, 10, F_LRU | F_SWAPBACKED, ANON_MAPPING);
	ok(build(vmci_good, 8) == 0 && d.stats.user_pages == 10 && nloads() == 1 &&
	   load(0)->p_filesz == MEM_SIZE - 10 * PG && load(0)->p_memsz == MEM_SIZE, "10 trailing user pages left out");
	{
		Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(Elf64_Ehdr));

		((Elf64_Ehdr *)hdr)->e_phnum = 3;
		ph[1].p_filesz = ph[1].p_memsz = 0x1100000;
		ph[2] = ph[1];
		ph[2].p_paddr = ph[2].p_offset = 0x1100000;
		ph[2].p_vaddr = DIRECT + 0x1100000;
		ph[2].p_filesz = ph[2].p_memsz = MEM_SIZE - 0x1100000;
		free_block(0x1000, 9);
		ok(build(vmci_good, 16) == 0 && d.stats.free_pages == 512 && nloads() == 3 &&
		   load(0)->p_filesz == 0x1000000 && load(1)->p_paddr == 0x1100000 && load(1)->p_filesz == 0 &&
		   load(2)->p_paddr == 0x1200000, "free block across two PT_LOADs: 256 + 256 pages (%llu)",
		   (unsigned long long)d.stats.free_pages);
	}

	/* hwpoison and offline pages: makedumpfile leaves them out at any level once the kernel
	 * exports PG_hwpoison; offline pages need a walk, slab pages are never offline. */
	{
		static char v[sizeof(vmci_good) + 32];

		snprintf(v, sizeof(v), "%sNUMBER(PG_hwpoison)=23\n", vmci_good);
		machine(v);
		pages(0x1000, 300, F_HWPOISON, 0);
		for (uint64_t i = 0; i < 300; i++) {
			set_page(0x1200 + i, 0, 0, 0, 0xfffffeffu);
			set_page(0x1400 + i, 1 << 9, 0, 0, 0xfffffeffu);	/* PG_slab */
		}
		ok(build(v, 1) == 0 && d.stats.other_pages == 600 && d.stats.memmap_ok && !d.stats.free_ok,
		   "level 1 with PG_hwpoison: 300 hwpoison + 300 offline pages (%llu)",
		   (unsigned long long)d.stats.other_pages);
		machine(vmci_good);
		for (uint64_t i = 0; i < 300; i++)
			set_page(0x1200 + i, 0, 0, 0, 0xfffffeffu);
		ok(build(vmci_good, 1) == 0 && d.stats.other_pages == 0 && !d.stats.memmap_ok,
		   "level 1 without PG_hwpoison: no walk, offline pages kept");
		ok(build(vmci_good, 16) == 0 && d.stats.other_pages == 300, "level 16: offline pages out");
	}

	/* Malformed flags and mapping lines keep the pages they decide, with a warning. */
	{
		static const struct { const char *from, *to, *why; unsigned level; } bad[] = {
			{ "NUMBER(PG_lru)=4", "NUMBER(PG_lru)=40", "page cache stays", 2 },
			{ "NUMBER(PG_lru)=4", "NUMBER(PG_lru)=-4", "page cache stays", 4 },
			{ "NUMBER(PG_swapcache)=10", "NUMBER(PG_swapcachX)=10", "page cache stays", 2 },
			{ "OFFSET(page.mapping)=24", "OFFSET(page.mapping)=60", "OFFSET(page.mapping); page cache", 6 },
			{ "OFFSET(page.mapping)=24", "OFFSET(page.mapping)=6x", "user data stays", 8 },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *v = vmci_with(bad[i].from, bad[i].to);

			machine(v);
			pages(0x1000, 300, F_LRU | F_SWAPBACKED, ANON_MAPPING);
			pages(0x1200, 300, F_LRU | F_SWAPCACHE, FILE_MAPPING);
			ok(build(v, bad[i].level) == 0 && d.stats.cache_pages + d.stats.user_pages == 0 &&
			   d.size == unfiltered_size && log_has(bad[i].why), "%s at level %u: kept, warning '%s'",
			   bad[i].to, bad[i].level, bad[i].why);
		}
	}
	/* Without PG_head_mask only a compound head is left out: its 511 tails stay. */
	{
		const char *v = vmci_with("NUMBER(PG_head_mask)", "NUMBER(XG_head_mask)");

		machine(v);
		compound(0x1000, 9, F_LRU | F_SWAPBACKED, ANON_MAPPING, 1);
		ok(build(v, 8) == 0 && d.stats.user_pages == 0 && d.size == unfiltered_size &&
		   log_has("tail pages of compound pages stay"), "no PG_head_mask: THP kept");
	}
	/* Random struct pages (garbage flags, mappings, orders) never crash the walk and every kept
	 * byte is still the memory. */
	machine(vmci_good);
	srand(7);
	for (uint64_t i = 0; i < 0x2000 * 64; i += 4) {
		uint32_t r = (uint32_t)rand();

		memcpy(mem + STRUCT_PAGES + i, &r, 4);
	}
	ok(build(vmci_good, 31) == 0 && loads_match_memory(), "garbage struct pages: a valid dump of the memory");

	/* The header's warnings (here: overlapping PT_LOADs) are logged once, not again when the
	 * filtered header is built. */
	machine(vmci_good);
	{
		Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(Elf64_Ehdr));

		((Elf64_Ehdr *)hdr)->e_phnum = 3;
		ph[2] = ph[1];
		ph[2].p_filesz = ph[2].p_memsz = 0x100000;
		free_block(0x1000, 9);
		ok(build(vmci_good, 16) == 0 && d.stats.free_pages == 512 && log_count("overlap") == 1,
		   "overlap warned once (%d)", log_count("overlap"));
	}

	/* A corrupt header's 1 PiB PT_LOAD: the pre-pass gives up at its time bound (the clock here
	 * moves 1 s per look) and the dump goes out unfiltered from there, with a warning. */
	machine(vmci_good);
	{
		Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(Elf64_Ehdr));

		((Elf64_Ehdr *)hdr)->e_phnum = 3;
		ph[2] = ph[1];
		ph[2].p_paddr = ph[2].p_offset = 1ull << 40;
		ph[2].p_filesz = ph[2].p_memsz = 1ull << 50;
		free_block(0x1000, 9);
		fake_us_per_look = 1000000;
		alarm(60);
		ok(build(vmci_good, 17) == 0 && d.stats.free_pages == 512, "1 PiB PT_LOAD: filtered within the bound");
		alarm(0);
		fake_us_per_look = 0;
		ok(log_has("dump.level: the pre-pass stopped after"), "1 PiB PT_LOAD: bound reached, warned");
		ok(nloads() == 3 && load(0)->p_filesz == 0x1000000 && load(2)->p_filesz == 1ull << 50,
		   "1 PiB PT_LOAD: RAM before it filtered, itself whole");
	}

	/* elf_layout refuses runs outside their load or unsorted, and gives the unfiltered dump. */
	machine(vmci_good);
	ok(build(vmci_good, 0) == 0, "unfiltered");
	{
		struct dump_run r[2] = { { 0x2000, 0x1000, 0 }, { 0, 0x1000, 0 } };

		ok(elf_layout(&d, &c, r, 1) == -EINVAL && d.size == unfiltered_size, "empty run refused");
		r[0] = (struct dump_run){ 0x100000, 0x200000, 0 };
		ok(elf_layout(&d, &c, r, 2) == -EINVAL && d.size == unfiltered_size, "unsorted runs refused");
		r[0] = (struct dump_run){ MEM_SIZE - PG, MEM_SIZE + PG, 0 };
		ok(elf_layout(&d, &c, r, 1) == -EINVAL && nloads() == 1, "run past its load refused");
		r[0] = (struct dump_run){ 0x1000, 0x1800, 0 };
		ok(elf_layout(&d, &c, r, 1) == -EINVAL && nloads() == 1, "unaligned end inside the load refused");
		r[0] = (struct dump_run){ 0x1000, 0x2000, 1 };
		ok(elf_layout(&d, &c, r, 1) == -EINVAL, "run of a load that does not exist refused");
		r[0] = (struct dump_run){ 0, MEM_SIZE, 0 };
		ok(elf_layout(&d, &c, r, 1) == 0 && nloads() == 1 && load(0)->p_filesz == 0 &&
		   load(0)->p_offset == 0 && load(0)->p_memsz == MEM_SIZE, "a wholly excluded load: p_filesz 0, p_offset 0");
	}
	free(mem);
	return ok_done();
}
