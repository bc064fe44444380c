/* libFuzzer target: the memory-map dump (dump_from_memmap) with backup= substitution. Input:
 * salvage's own image [self_start, self_end) as two u64, a NUL-terminated command line (its
 * backup= words count), then e820-style entries (u64 start, u64 size, u32 type) for memmap_add. */
/* fuzz-sources: dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c mm/bootinfo.c crypto/seed.c lib/cmdline.c lib/memparse.c */
#include "fuzz.h"
#include "lib/cmdline.h"
#include "mm/memmap.h"

#define MEM_ADDR 0x100000ull	/* 64 KiB of readable memory, the rest unreadable */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crash c;
	static struct elf_file d;
	static struct memmap m;
	static struct config cfg;
	static char line[CMDLINE_MAX];
	static uint8_t mem[64 << 10];
	const uint8_t *p = data + 16, *end = data + size, *nul;

	if (size < 16)
		return -1;
	memcpy(&self_start, data, 8);
	memcpy(&self_end, data + 8, 8);
	nul = memchr(p, 0, (size_t)(end - p));
	if (!nul || (size_t)(nul - p) >= sizeof(line))
		return -1;
	memcpy(line, p, (size_t)(nul - p) + 1);
	p = nul + 1;
	log_reset();
	cmdline_parse(line, &cfg);
	m.n = 0;
	for (; end - p >= 20; p += 20) {
		uint64_t start, len;
		uint32_t type;

		memcpy(&start, p, 8);
		memcpy(&len, p + 8, 8);
		memcpy(&type, p + 16, 4);
		memmap_add(&m, start, len, type);
	}
	for (size_t i = 0; !mem[0] && i < sizeof(mem); i++)	/* once */
		mem[i] = (uint8_t)(i >> 12 | 1);
	fakemem_reset();
	fakemem_map(MEM_ADDR, mem, sizeof(mem));
	if (crash_from_memmap(&c, &m, cfg.backups, cfg.nbackups) == 0 && elf_layout(&d, &c, NULL, 0) == 0)
		fuzz_check_dump(&d);
	self_start = self_end = 0;
	return 0;
}
