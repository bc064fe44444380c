/* Host harness: salvage's log reader (dump/dmesg.c) run over a dump file as its "physical memory"
 * (a /proc/vmcore-layout file is its own elfcorehdr then), writing the crashed kernel's log as
 * salvage writes "<path>.dmesg": the text `makedumpfile --dump-dmesg` writes.
 * Build: gcc -I. -Itests/unit tests/lib/dmesg-host.c dump/dmesg.c dump/crash.c
 *        tests/unit/shim.c
 * Usage: dmesg-host IN OUT   (prints "records=N skipped=N lines=N bytes=N"; exit 1 when no log) */
#include <stdio.h>

#include "dump/dmesg.h"
#include "tests/lib/dump-file.h"

static struct crash c;

static int put(void *ctx, const char *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct dmesg_stats ds;
	FILE *out;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
		return 2;
	}
	if (dump_file_map(argv[1], &c) != 0)
		return 1;
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	rc = dmesg_write(&c, put, out, true, &ds);
	if (fclose(out) != 0 || rc != 0) {
		fprintf(stderr, "dmesg_write: %d\n", rc);
		return 1;
	}
	printf("records=%u skipped=%u lines=%llu bytes=%llu\n", ds.records, ds.skipped, (unsigned long long)ds.lines,
	       (unsigned long long)ds.bytes);
	return 0;
}
