/* libFuzzer target: dump/elfcore.c on any elfcorehdr (ELF32 or ELF64 core header, program headers
 * and the notes they point to), then the dump read through and, when e_ident[15] (padding) has
 * bits of dump.level set, filtered (dump/filter.c without a usable VMCOREINFO: zero pages). */
/* fuzz-sources: dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include "dump/filter.h"
#include "fuzz.h"

#define HDR_ADDR 0x1000000ull		/* the input, as the elfcorehdr */
#define MEM_ADDR 0x100000ull		/* 64 KiB of readable crashed memory for the PT_LOADs */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crash c;
	static struct elf_file d;
	static struct filter f;
	static uint8_t hdr[DUMP_HDR_MAX], mem[64 << 10];
	unsigned level;

	if (size > sizeof(hdr))
		return -1;
	memcpy(hdr, data, size);	/* an aligned, writable copy, like kexec's */
	level = size > 15 ? data[15] & DL_MAX : 0;
	for (size_t i = 0; !mem[0] && i < sizeof(mem); i++)	/* once */
		mem[i] = (uint8_t)(i >> 12 | 1);
	fakemem_reset();
	fakemem_map(MEM_ADDR, mem, sizeof(mem));
	fakemem_map(HDR_ADDR, hdr, size);
	log_reset();
	/* As kexec-tools passes it (elfcorehdr=<addr>, size unknown), or with its size. */
	if (crash_from_elfcorehdr(&c, HDR_ADDR, size > 15 && (data[14] & 1) ? size : 0) != 0 ||
	    elf_layout(&d, &c, NULL, 0) != 0)
		return 0;
	fuzz_check_dump(&d);
	/* The clock moves 10 s a look, so the filter's time bound ends a huge PT_LOAD's scan at once. */
	fake_us_per_look = 10000000;
	if (level && elf_filter(&d, &c, &f, level) == 0)
		fuzz_check_dump(&d);
	fake_us_per_look = 0;
	return 0;
}
