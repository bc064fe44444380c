/* Unit tests for dump/filter.c and dump_exclude: a fake x86_64 crashed kernel (4-level page tables
 * with 1 GiB and 2 MiB pages, SPARSEMEM_EXTREME mem_section, vmemmap struct pages, VMCOREINFO)
 * in fake physical memory; free and zero runs, the 256-page threshold, PT_LOAD splitting, and
 * malformed VMCOREINFO / page tables / orders that must keep the pages. */
/* unit-sources: dump/elfcore.c dump/filter.c */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"
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
static struct dump d;
static char vmci[4096];

static void put64(uint64_t pa, uint64_t v) { memcpy(mem + pa, &v, 8); }

/* struct page of pfn (SIZE(page) 64): flags +0, compound_head +8, private +40, _mapcount +48. */
static void set_page(uint64_t pfn, uint64_t flags, uint64_t head, uint64_t priv, uint32_t mapcount)
{
	uint8_t *p = mem + STRUCT_PAGES + pfn * 64;

	memcpy(p, &flags, 8);
	memcpy(p + 8, &head, 8);
	memcpy(p + 40, &priv, 8);
	memcpy(p + 48, &mapcount, 4);
}

static void free_block(uint64_t pfn, unsigned order) { set_page(pfn, 0, 0, order, 0xffffff7fu); }

static const char vmci_good[] =
	"OSRELEASE=6.1.0-test\nSYMBOL(mem_section)=ffff888000104000\nLENGTH(mem_section)=4096\n"
	"SIZE(mem_section)=32\nOFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PG_slab)=9\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=ffffffff80100000\n"
	"NUMBER(pgtable_l5_enabled)=0\nLENGTH(zone.free_area)=11\n";

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
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_CORE;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*ph);
	e->e_phnum = 2;
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

/* Program header i+1 (PT_LOAD i) of d, copied out of d.hdr (not 8-byte aligned). */
static Elf64_Phdr *load(int i)
{
	static Elf64_Phdr ph[8];

	memcpy(&ph[i & 7], d.hdr + sizeof(Elf64_Ehdr) + (size_t)(i + 1) * sizeof(Elf64_Phdr), sizeof(Elf64_Phdr));
	return &ph[i & 7];
}

static int nloads(void)
{
	uint16_t n;

	memcpy(&n, d.hdr + offsetof(Elf64_Ehdr, e_phnum), 2);
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

			if (dump_read(&d, p->p_offset + o, buf, k) != 0 || memcmp(buf, mem + p->p_paddr + o, k))
				return 0;
		}
	}
	return 1;
}

static uint64_t unfiltered_size;

static int build(const char *info, unsigned level)
{
	log_reset();
	if (dump_from_elfcorehdr(&d, HDR_ADDR, sizeof(hdr)) != 0)
		return -1;
	unfiltered_size = d.size;
	(void)info;
	return dump_filter(&d, level);
}

int main(void)
{
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
	ok(filter_stats.free_ok && filter_stats.nruns == 3, "3 free runs (%d), free lookup on", filter_stats.nruns);
	ok(filter_stats.free_pages == 512 + 512 + 1024 && filter_stats.zero_pages == 0, "free pages %llu",
	   (unsigned long long)filter_stats.free_pages);
	ok(nloads() == 3, "PT_LOAD split in 3 (%d)", nloads());
	ok(load(0)->p_paddr == 0 && load(0)->p_filesz == 0x1000000 && load(0)->p_memsz == 0x1200000,
	   "piece 1: data to the first run, p_memsz over it");
	ok(load(1)->p_paddr == 0x1200000 && load(1)->p_filesz == 0x600000 && load(1)->p_memsz == 0x800000 &&
	   load(1)->p_vaddr == DIRECT + 0x1200000, "piece 2 keeps the 128-page block, stops at 0x1800000");
	ok(load(2)->p_paddr == 0x1a00000 && load(2)->p_filesz == 0x200000 && load(2)->p_memsz == 0x600000,
	   "piece 3: trailing run in p_memsz only");
	ok(d.size == unfiltered_size - 2048 * PG, "file is 8 MiB smaller");
	ok(loads_match_memory(), "every kept byte is the crashed memory");
	ok(log_has("dump.level 16: excluded 8 MiB free, 0 MiB zero in 3 runs"), "summary logged");

	/* Level 17: a 300-page zero run right after the 2 MiB free block joins it; 100 zero pages
	 * elsewhere stay. */
	memset(mem + 0x1200000, 0, 300 * PG);
	memset(mem + 0x300000, 0, 100 * PG);
	ok(build(vmci_good, 17) == 0 && filter_stats.zero_pages == 300 && filter_stats.free_pages == 2048,
	   "level 17: 300 zero + 2048 free (%llu, %llu)", (unsigned long long)filter_stats.zero_pages,
	   (unsigned long long)filter_stats.free_pages);
	ok(load(1)->p_paddr == 0x1200000 + 300 * PG, "zero run extends the free run");
	ok(loads_match_memory(), "level 17 bytes are the memory");
	ok(build(vmci_good, 1) == 0 && filter_stats.nruns == 1 && filter_stats.zero_pages == 300 &&
	   !filter_stats.free_ok, "level 1: zero pages only, no VMCOREINFO needed");

	/* Level 0 and bits 2/4/8 alone change nothing. */
	ok(build(vmci_good, 0) == 0 && d.size == unfiltered_size && nloads() == 1, "level 0: unfiltered");
	ok(build(vmci_good, 8) == 0 && d.size == unfiltered_size && log_has("not filtered yet"),
	   "level 8: kept, with a warning");

	/* Malformed input keeps the free pages (zero pages still go). */
	memset(mem + 0x1200000, 1, 300 * PG);
	{
		static const struct { const char *from, *to, *why; } bad[] = {
			{ "SIZE(page)=64", "SIZE(page)=9999", "out of bounds" },
			{ "OFFSET(page._mapcount)=48", "OFFSET(page._mapcount)=62", "out of bounds" },
			{ "LENGTH(mem_section)=4096", "LENGTH(mem_section)=77", "out of bounds" },
			{ "NUMBER(SECTION_SIZE_BITS)=27", "NUMBER(SECTION_SIZE_BITS)=x7", "has no" },
			{ "SYMBOL(init_top_pgt)=ffffffff80100000", "SYMBOL(init_top_pgt)=ffffffff90100000",
			  "unreadable" },
			{ "SYMBOL(mem_section)=ffff888000104000", "SYMBOL(mem_section)=ffff888100104000",
			  "unreadable" },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			static char v[sizeof(vmci_good) + 16];
			char *at;

			snprintf(v, sizeof(v), "%s", vmci_good);
			at = strstr(v, bad[i].from);
			memmove(at + strlen(bad[i].to), at + strlen(bad[i].from), strlen(at + strlen(bad[i].from)) + 1);
			memcpy(at, bad[i].to, strlen(bad[i].to));
			machine(v);
			free_block(0x1000, 9);
			ok(build(v, 16) == 0 && filter_stats.free_pages == 0 && d.size == unfiltered_size &&
			   log_has(bad[i].why), "%s: free pages kept, warning '%s'", bad[i].to, bad[i].why);
		}
	}
	(void)vmci;

	/* Page tables: vmemmap not mapped -> kept with a warning. */
	machine(vmci_good);
	free_block(0x1000, 9);
	put64(PD_VMEMMAP, 0);
	ok(build(vmci_good, 16) == 0 && filter_stats.free_pages == 0 && log_has("unreadable"),
	   "unmapped vmemmap: free pages kept");
	/* A 4 KiB-page walk works as well as the 2 MiB one. */
	put64(PD_VMEMMAP, 0x106000 | 3);
	for (uint64_t i = 0; i < 512; i++)
		put64(0x106000 + i * 8, (STRUCT_PAGES + i * PG) | 3);
	ok(build(vmci_good, 16) == 0 && filter_stats.free_pages == 512, "4 KiB page tables: 512 free pages");

	/* Bad orders, tail pages and slab pages are not free. */
	machine(vmci_good);
	free_block(0x1000, 30);
	free_block(0x1100, 9);		/* not aligned to 2^9 */
	set_page(0x1400, 0, 0x1, 8, 0xffffff7fu);	/* compound tail */
	set_page(0x1800, 1 << 9, 0, 8, 0xffffff7fu);	/* PG_slab */
	ok(build(vmci_good, 16) == 0 && filter_stats.free_pages == 0 && log_has("invalid"),
	   "invalid order / misaligned / tail / slab: kept");

	/* dump_exclude refuses runs outside their load or unsorted, and gives the unfiltered dump. */
	machine(vmci_good);
	ok(build(vmci_good, 0) == 0, "unfiltered");
	{
		struct dump_run r[2] = { { 0x2000, 0x1000, 0 }, { 0, 0x1000, 0 } };

		ok(dump_exclude(&d, r, 1) == -EINVAL && d.size == unfiltered_size, "empty run refused");
		r[0] = (struct dump_run){ 0x100000, 0x200000, 0 };
		ok(dump_exclude(&d, r, 2) == -EINVAL && d.size == unfiltered_size, "unsorted runs refused");
		r[0] = (struct dump_run){ MEM_SIZE - PG, MEM_SIZE + PG, 0 };
		ok(dump_exclude(&d, r, 1) == -EINVAL && nloads() == 1, "run past its load refused");
		r[0] = (struct dump_run){ 0x1000, 0x2000, 1 };
		ok(dump_exclude(&d, r, 1) == -EINVAL, "run of a load that does not exist refused");
		r[0] = (struct dump_run){ 0, MEM_SIZE, 0 };
		ok(dump_exclude(&d, r, 1) == 0 && nloads() == 1 && load(0)->p_filesz == 0 &&
		   load(0)->p_offset == 0 && load(0)->p_memsz == MEM_SIZE, "a wholly excluded load: p_filesz 0, p_offset 0");
	}
	free(mem);
	return ok_done();
}
