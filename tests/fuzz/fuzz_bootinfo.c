/* libFuzzer target: mm/bootinfo.c on any multiboot info (first byte even) or Linux boot_params
 * (odd), the rest of the input being the memory they and their pointers lie in; then the command
 * line it found goes through lib/cmdline.c. */
/* fuzz-sources: mm/bootinfo.c crypto/seed.c lib/cmdline.c lib/memparse.c */
#include "fuzz.h"
#include "lib/cmdline.h"
#include "mm/memmap.h"

#define INFO_ADDR 0x10000u	/* where the input (after its first byte) lies */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootinfo bi;
	static struct config cfg;
	static uint8_t mem[64 << 10];

	if (size < 1 || size - 1 > sizeof(mem))
		return -1;
	memcpy(mem, data + 1, size - 1);
	fakemem_reset();
	fakemem_map(INFO_ADDR, mem, size - 1);
	log_reset();
	if (data[0] & 1)
		bootinfo_from_linux(INFO_ADDR, &bi);
	else
		bootinfo_from_multiboot(INFO_ADDR, &bi);
	FUZZ_ASSERT(memchr(bi.cmdline, 0, sizeof(bi.cmdline)) != NULL);
	FUZZ_ASSERT(bi.map.n >= 0 && bi.map.n <= MEMMAP_MAX && bi.nmodules >= 0 && bi.nmodules <= MAX_MODULES);
	for (int i = 1; i < bi.map.n; i++)
		FUZZ_ASSERT(bi.map.r[i - 1].start <= bi.map.r[i].start);
	for (int i = 0; i < bi.nmodules; i++)
		FUZZ_ASSERT(memchr(bi.modules[i].cmdline, 0, sizeof(bi.modules[i].cmdline)) != NULL);
	cmdline_parse(bi.cmdline, &cfg);
	return 0;
}
