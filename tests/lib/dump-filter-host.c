/* Host harness: salvage's own dump code (dump/crash.c, the elf format in dump/elfcore.c, dump/filter.c) run over a full dump file
 * as its "physical memory", writing the file salvage would send with dump.level=LEVEL.
 * A /proc/vmcore-layout file is itself a valid elfcorehdr when memory is the file: its PT_LOADs'
 * p_offset are where their bytes are. So level 0 must give the input back byte for byte.
 * Build: gcc -I. -Itests/unit tests/lib/dump-filter-host.c dump/crash.c dump/elfcore.c dump/format.c
 *        dump/filter.c dump/stream.c dump/progress.c lib/sha256.c tests/unit/shim.c
 * Usage: dump-filter-host LEVEL IN OUT   (prints "excluded_free_pages=N excluded_zero_pages=M
 * excluded_cache_pages=C excluded_user_pages=U ...") */
#include <stdio.h>
#include <stdlib.h>

#include "dump/elfcore.h"
#include "dump/filter.h"
#include "tests/lib/dump-file.h"

#define OUT_BUF (1u << 20)

static struct crash c;
static struct elf_file d;
static struct filter f;
static uint8_t buf[OUT_BUF];

int main(int argc, char **argv)
{
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LEVEL IN OUT\n", argv[0]);
		return 2;
	}
	if (dump_file_map(argv[2], &c) != 0)
		return 1;
	if (elf_filter(&d, &c, &f, (unsigned)strtoul(argv[1], NULL, 0)) != 0)
		return 1;
	out = fopen(argv[3], "wb");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	for (uint64_t off = 0; off < d.size; off += OUT_BUF) {
		size_t n = (size_t)(d.size - off < OUT_BUF ? d.size - off : OUT_BUF);

		if (elf_read(&d, off, buf, n) != 0 || fwrite(buf, 1, n, out) != n) {
			fprintf(stderr, "write failed at %llu\n", (unsigned long long)off);
			return 1;
		}
	}
	if (fclose(out) != 0)
		return 1;
	printf("excluded_free_pages=%llu excluded_zero_pages=%llu excluded_cache_pages=%llu excluded_user_pages=%llu "
	       "excluded_other_pages=%llu runs=%d free_ok=%d memmap_ok=%d size=%llu\n",
	       (unsigned long long)d.stats.free_pages, (unsigned long long)d.stats.zero_pages,
	       (unsigned long long)d.stats.cache_pages, (unsigned long long)d.stats.user_pages,
	       (unsigned long long)d.stats.other_pages, d.stats.nruns, d.stats.free_ok,
	       d.stats.memmap_ok, (unsigned long long)d.size);
	return 0;
}
