/* Host harness: salvage's dump.format=kdump producer (dump/kdump.c, dump/compress.c, dump/filter.c,
 * dump/elfcore.c) run over a full ELF dump file as its "physical memory" (a /proc/vmcore-layout file
 * is itself a valid elfcorehdr when memory is the file), writing the flattened stream salvage
 * would send with dump.level=LEVEL and dump.compress=ALG.
 * Build: gcc -fsanitize=address,undefined -I. -Itests/unit $(make -s print-compress-host-cflags)
 *        tests/lib/kdump-host.c $(KDUMP_HOST_SRCS below) tests/unit/shim.c $(make -s print-compress-host-lib)
 * KDUMP_HOST_SRCS: dump/kdump.c dump/compress.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c
 * Usage: kdump-host LEVEL lzo|zlib|zstd|none IN OUT   (prints the page counts) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/kdump.h"
#include "tests/lib/dump-file.h"

static struct crash c;
static struct filter filt;

static int file_write(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; enum dump_compress alg; } algs[] = {
		{ "lzo", COMPRESS_LZO }, { "zlib", COMPRESS_ZLIB }, { "zstd", COMPRESS_ZSTD }, { "none", COMPRESS_NONE },
	};
	struct kdump_sink sink;
	enum dump_compress alg = COMPRESS_NONE;
	size_t i;
	FILE *out;

	if (argc != 5) {
		fprintf(stderr, "usage: %s LEVEL lzo|zlib|zstd|none IN OUT\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]) && strcmp(argv[2], algs[i].name) != 0; i++)
		;
	if (i == sizeof(algs) / sizeof(algs[0])) {
		fprintf(stderr, "unknown compressor %s\n", argv[2]);
		return 2;
	}
	alg = algs[i].alg;
	if (dump_file_map(argv[3], &c) != 0)
		return 1;
	out = fopen(argv[4], "wb");
	if (!out) {
		perror(argv[4]);
		return 1;
	}
	sink = (struct kdump_sink){ file_write, NULL, out };
	if (kdump_write(&c, &filt, (unsigned)strtoul(argv[1], NULL, 0), alg, &sink) != 0 || fclose(out) != 0)
		return 1;
	printf("dumped=%llu present=%llu zero=%llu packed=%llu raw=%llu stream=%llu\n",
	       (unsigned long long)kdump_stats.dumped, (unsigned long long)kdump_stats.present,
	       (unsigned long long)kdump_stats.zero, (unsigned long long)kdump_stats.packed,
	       (unsigned long long)kdump_stats.raw, (unsigned long long)kdump_stats.stream_bytes);
	return 0;
}
