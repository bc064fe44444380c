/* libFuzzer target: dump/filter.c (dump.level=) on a small crashed x86_64 machine described by the
 * input: its VMCOREINFO and everything in its 1 MiB of RAM (page tables, mem_section, struct pages,
 * page contents), as tests/unit/test_filter.c lays one out. Input: level byte, flags byte (bit 0:
 * RAM as two PT_LOADs), u16 VMCOREINFO length and text, then patches over zeroed RAM: u32 address,
 * u16 length, u8 k and k bytes repeated over the length (k 0: zeros). */
/* fuzz-sources: dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include <elf.h>

#include "dump/filter.h"
#include "fuzz.h"

#define RAM_SIZE (1u << 20)
#define HDR_ADDR 0x40000000ull
#define DIRECT 0xffff888000000000ull

static uint8_t ram[RAM_SIZE];
static uint8_t hdr[4096 + 65536] __attribute__((aligned(8)));

/* The ELF64 header kexec-tools would write: the VMCOREINFO note, then RAM as one or two PT_LOADs. */
static void make_hdr(const uint8_t *info, size_t n, bool split)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)hdr;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(*e));
	size_t off = 1024, nsz = 24 + ((n + 3) & ~(size_t)3);
	uint64_t half = split ? RAM_SIZE / 2 : RAM_SIZE;

	memset(hdr, 0, off + nsz);
	shim_core_ehdr64(e, split ? 3 : 2);
	memcpy(hdr + off, &(uint32_t){ 11 }, 4);
	memcpy(hdr + off + 4, &(uint32_t){ (uint32_t)n }, 4);
	memcpy(hdr + off + 12, "VMCOREINFO", 11);
	memcpy(hdr + off + 24, info, n);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = HDR_ADDR + off, .p_filesz = nsz, .p_memsz = nsz };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = 7, .p_offset = 0, .p_vaddr = DIRECT,
			      .p_filesz = half, .p_memsz = half };
	if (split)	/* the second half, with the last page left out of the file (p_filesz < p_memsz) */
		ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = 7, .p_offset = half, .p_vaddr = DIRECT + half,
				      .p_paddr = half, .p_filesz = half - 4096, .p_memsz = half };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crash c;
	static struct elf_file d;
	static struct filter f;
	const uint8_t *p = data + 4, *end = data + size;
	size_t n;

	if (size < 4 || (n = (size_t)(data[2] | data[3] << 8)) > (size_t)(end - p) || n > 65536 - 32)
		return -1;
	make_hdr(p, n, data[1] & 1);
	p += n;
	fuzz_patch_ram(ram, RAM_SIZE, p, end);
	fakemem_reset();
	fakemem_map(0, ram, RAM_SIZE);
	fakemem_map(HDR_ADDR, hdr, sizeof(hdr));
	log_reset();
	if (crash_from_elfcorehdr(&c, HDR_ADDR, 0) != 0 || elf_layout(&d, &c, NULL, 0) != 0)
		return 0;
	if (elf_filter(&d, &c, &f, data[0] & DL_MAX) == 0)
		fuzz_check_dump(&d);
	return 0;
}
