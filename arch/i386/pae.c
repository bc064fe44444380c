/* Physical memory above 4 GiB on i386: PAE paging switched on just for a copy, the low 4 GiB
 * identity-mapped in 2 MiB pages and the last 2 MiB page moved over the memory wanted (a window). */
#include "arch/io.h"
#include "arch/pae.h"
#include "lib/log.h"

#define CR0_PG		0x80000000u	/* paging enable */
#define CR4_PAE		0x00000020u	/* physical address extension: 64-bit entries, 36+ bit addresses */
#define CPUID_1_EDX_PAE	(1u << 6)
#define CPUID_1_EDX_PSE36 (1u << 17)
#define CPUID_EXT_MAX	0x80000000u
#define CPUID_ADDR_SIZE	0x80000008u	/* EAX[7:0] = physical address bits */
#define PDPTE_P		0x1ull		/* PAE PDPTEs: present; RW and US are reserved bits there */
#define PDE_P		0x1ull		/* present */
#define PDE_RW		0x2ull		/* writable */
#define PDE_PWT		0x8ull		/* write-through */
#define PDE_PCD		0x10ull		/* cache disabled: with PWT, uncached (device registers) */
#define PDE_PS		0x80ull		/* maps a 2 MiB page (no CR4.PSE needed under PAE) */
#define BIG_PAGE	0x200000ull
#define NPD		4		/* page directories: 4 x 512 x 2 MiB = 4 GiB */
#define NPDE		512
/* The window: the last 2 MiB of the linear space (firmware ROM, which salvage never reads while a
 * copy runs; every other linear address stays identity-mapped, so code, stack and buf keep working). */
#define WIN_PD		3
#define WIN_PDE		511
#define WIN_VA		0xFFE00000u

static uint64_t pdpt[NPD] __attribute__((aligned(32)));
static uint64_t pd[NPD][NPDE] __attribute__((aligned(4096)));
static int pae_state;		/* 0 not yet set up, 1 ready, -1 unusable */
static uint64_t pae_limit;	/* first physical address the CPU cannot reach */

_Static_assert(sizeof(pd[0]) == 4096, "a PAE page directory is one 4 KiB page of 512 8-byte entries");

/* Check for PAE, learn the physical address width and build the identity map, once. Returns 0
 * when windows can be used, else -ERANGE (after one log line). */
static int pae_setup(void)
{
	uint32_t a, b, c, d, bits;
	int i, j;

	if (pae_state != 0)
		return pae_state > 0 ? 0 : -ERANGE;
	cpuid(0, &a, &b, &c, &d);
	if (a >= 1)
		cpuid(1, &a, &b, &c, &d);
	else
		d = 0;
	if (!(d & CPUID_1_EDX_PAE)) {
		log_err("phys: this CPU has no PAE; memory above 4 GiB cannot be read");
		pae_state = -1;
		return -ERANGE;
	}
	/* Without CPUID 0x80000008 the width is 36 bits with PSE-36, else 32 (QEMU's qemu32 model has
	 * PAE but no PSE-36, and then faults on any PDE address bit above 31). */
	bits = (d & CPUID_1_EDX_PSE36) ? 36 : 32;
	cpuid(CPUID_EXT_MAX, &a, &b, &c, &d);
	if (a >= CPUID_ADDR_SIZE && a < CPUID_EXT_MAX + 0x100) {
		cpuid(CPUID_ADDR_SIZE, &a, &b, &c, &d);
		if ((a & 0xFF) >= 32 && (a & 0xFF) <= 52)
			bits = a & 0xFF;
	}
	if (bits <= 32) {
		log_err("phys: this CPU reaches only 32-bit physical addresses; memory above 4 GiB cannot be read");
		pae_state = -1;
		return -ERANGE;
	}
	pae_limit = 1ull << bits;
	for (i = 0; i < NPD; i++) {
		for (j = 0; j < NPDE; j++)
			pd[i][j] = ((uint64_t)(i * NPDE + j) * BIG_PAGE) | PDE_P | PDE_RW | PDE_PS;
		pdpt[i] = (uint64_t)(uintptr_t)pd[i] | PDPTE_P; /* flat segments: pointer = physical */
	}
	pae_state = 1;
	log_info("phys: PAE windows for memory above 4 GiB (%u-bit physical addresses)", bits);
	return 0;
}

/* Paging on with the identity map (CR0 and CR4 as they were go to *cr0, *cr4). */
static void paging_on(uint32_t *cr0, uint32_t *cr4)
{
	__asm__ volatile("mov %%cr0, %0; mov %%cr4, %1" : "=r"(*cr0), "=r"(*cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(*cr4 | CR4_PAE) : "memory");
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pdpt) : "memory");
	__asm__ volatile("mov %0, %%cr0" : : "r"(*cr0 | CR0_PG) : "memory");
}

/* The window's 2 MiB page back over its identity frame, then paging off again. */
static void paging_off(uint32_t cr0, uint32_t cr4)
{
	pd[WIN_PD][WIN_PDE] = ((uint64_t)(WIN_PD * NPDE + WIN_PDE) * BIG_PAGE) | PDE_P | PDE_RW | PDE_PS;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~CR0_PG) : "memory");
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~CR4_PAE) : "memory");
}

/* Point the window at the 2 MiB frame, with extra PDE bits (cache control). */
static void window(uint64_t frame, uint64_t extra)
{
	pd[WIN_PD][WIN_PDE] = frame | PDE_P | PDE_RW | PDE_PS | extra;
	__asm__ volatile("invlpg (%0)" : : "r"(WIN_VA) : "memory");
}

/* Contract in arch/pae.h. Interrupts are off in salvage, so nothing else runs while paging is on;
 * paging and PAE are off again on return. */
int pae_read(uint64_t addr, void *buf, size_t len)
{
	uint8_t *dst = buf;
	uint32_t cr0, cr4;
	int rc;

	if ((rc = pae_setup()) != 0)
		return rc;
	if (addr >= pae_limit || len > pae_limit - addr)
		return -ERANGE;
	paging_on(&cr0, &cr4);
	while (len > 0) {
		uint64_t frame = addr & ~(BIG_PAGE - 1);
		uint32_t off = (uint32_t)(addr - frame);
		size_t n = BIG_PAGE - off < len ? (size_t)(BIG_PAGE - off) : len;
		uint32_t src = WIN_VA + off, count = (uint32_t)n;

		window(frame, 0);
		__asm__ volatile("cld; rep movsb" : "+S"(src), "+D"(dst), "+c"(count) : : "memory");
		addr += n;
		len -= n;
	}
	paging_off(cr0, cr4);
	return 0;
}

/* Contract in arch/pae.h. The window is uncached (PCD and PWT) for the one access. */
int pae_mmio32(uint64_t addr, uint32_t *v, bool write)
{
	uint64_t frame = addr & ~(BIG_PAGE - 1);
	uint32_t cr0, cr4, va = WIN_VA + (uint32_t)(addr - frame);
	int rc;

	if ((rc = pae_setup()) != 0)
		return rc;
	if (addr >= pae_limit || pae_limit - addr < 4)
		return -ERANGE;
	paging_on(&cr0, &cr4);
	window(frame, PDE_PCD | PDE_PWT);
	if (write)
		__asm__ volatile("movl %0, (%1)" : : "r"(*v), "r"(va) : "memory");
	else
		__asm__ volatile("movl (%1), %0" : "=r"(*v) : "r"(va) : "memory");
	paging_off(cr0, cr4);
	return 0;
}
