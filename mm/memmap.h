/* The physical memory map salvage was given (multiboot mmap or Linux e820), and the boot
 * information around it: command line and multiboot modules. */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/lib.h"

#define MEMMAP_MAX 128
#define MAX_MODULES 8

/* E820 / multiboot memory types. */
#define MEM_RAM 1
#define MEM_RESERVED 2
#define MEM_ACPI 3
#define MEM_NVS 4
#define MEM_UNUSABLE 5

struct mem_range {
	uint64_t start, size;
	uint32_t type;
};

struct memmap {
	struct mem_range r[MEMMAP_MAX];
	int n;
};

struct module {
	uint64_t start, end;	/* physical, end exclusive */
	char cmdline[64];	/* module string, truncated */
};

struct bootinfo {
	enum { BOOT_MULTIBOOT, BOOT_LINUX } protocol;
	char cmdline[2048];	/* copied, NUL-terminated, truncated with a warning */
	struct memmap map;
	struct module modules[MAX_MODULES];
	int nmodules;
	uint64_t acpi_rsdp;	/* boot_params' acpi_rsdp_addr (protocol 2.14+), else 0 */
	/* Where salvage-load's seed segment may be (crypto/seed.h): boot_params' initrd, or the
	 * multiboot module that starts with its magic (kept out of modules[]); size 0 when none. */
	uint64_t seed_start, seed_size;
};

/* Parse the multiboot info at mbi_addr (EAX was 0x2BADB002). Untrusted: every pointer and length
 * is checked with phys_read. Returns 0, or -EINVAL with a log line saying what was wrong; the
 * fields that could be read are filled in either way. */
int bootinfo_from_multiboot(uint32_t mbi_addr, struct bootinfo *bi);

/* Parse Linux boot_params at bp_addr (ESI on the 32-bit entry): cmd_line_ptr at +0x228, e820 count
 * at +0x1e8, entries at +0x2d0, acpi_rsdp_addr at +0x070. Same contract as above. */
int bootinfo_from_linux(uint32_t bp_addr, struct bootinfo *bi);

/* Add [start, start+size) to the map, keeping it sorted; -ENOSPC when full. */
int memmap_add(struct memmap *m, uint64_t start, uint64_t size, uint32_t type);

/* What salvage itself occupies in physical memory (its whole image, .bss included). Set once at boot. */
extern uint64_t self_start, self_end;

#endif
