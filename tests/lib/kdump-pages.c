/* Test helper: the page contents of a kdump-compressed file (makedumpfile's, or salvage's rebuilt
 * with makedumpfile -R), decompressed with the same Debian lzo2/zlib sources salvage builds
 * (dump/compress.mk's host library) and, for zstd pages, by the host's zstd tool (one run over
 * all their frames): every pfn of the 2nd bitmap in order, PAGE bytes each, to OUT.
 * Two files with identical bitmaps and pages give identical outputs whatever their compressors.
 * x86_64 layout (makedumpfile's disk_dump_header / kdump_sub_header / page_desc).
 * Usage: kdump-pages FILE OUT   (prints the counts of pages by flags; exit 1 on any bad page) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minilzo.h"
#include "zlib.h"

#define PG 4096u

static void *zalloc(void *o, unsigned n, unsigned s) { (void)o; return calloc(n, s); }
static void zfree(void *o, void *p) { (void)o; free(p); }

static int readat(FILE *f, uint64_t off, void *buf, size_t len)
{
	return fseeko(f, (off_t)off, SEEK_SET) == 0 && fread(buf, 1, len, f) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint8_t dh[464], page[PG], in[2 * PG];
	uint64_t raw = 0, lzo = 0, zl = 0, zs_ = 0, bad = 0, rank = 0, max_mapnr, bm2_off, desc_off;
	uint64_t *zidx = NULL;	/* the output page index of each zstd page */
	char zpath[4096];
	FILE *zf = NULL;
	uint32_t sub, bmblocks;
	uint8_t *bm2;
	FILE *f, *out;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE OUT\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	out = fopen(argv[2], "wb");
	if (!f || !out || readat(f, 0, dh, sizeof(dh)) != 0 || memcmp(dh, "KDUMP   ", 8) != 0) {
		fprintf(stderr, "%s: not a kdump-compressed file\n", argv[1]);
		return 1;
	}
	memcpy(&sub, dh + 432, 4);
	memcpy(&bmblocks, dh + 436, 4);
	if (readat(f, PG + 96, &max_mapnr, 8) != 0 || max_mapnr > (uint64_t)bmblocks / 2 * PG * 8) {
		fprintf(stderr, "%s: bad max_mapnr_64\n", argv[1]);
		return 1;
	}
	bm2_off = (1ull + sub + bmblocks / 2) * PG;
	desc_off = (1ull + sub + bmblocks) * PG;
	bm2 = malloc((size_t)bmblocks / 2 * PG);
	if (!bm2 || readat(f, bm2_off, bm2, (size_t)bmblocks / 2 * PG) != 0)
		return 1;
	for (uint64_t pfn = 0; pfn < max_mapnr; pfn++) {
		uint8_t pd[24];
		uint64_t off;
		uint32_t size, flags;

		if (!(bm2[pfn / 8] >> (pfn % 8) & 1))
			continue;
		if (readat(f, desc_off + 24 * rank++, pd, sizeof(pd)) != 0)
			return 1;
		memcpy(&off, pd, 8);
		memcpy(&size, pd + 8, 4);
		memcpy(&flags, pd + 12, 4);
		memset(page, 0, PG);
		if (size > sizeof(in) || readat(f, off, in, size) != 0) {
			bad++;
		} else if (flags == 0 && size == PG) {
			memcpy(page, in, PG);
			raw++;
		} else if (flags == 0x2) {
			lzo_uint n = PG;

			if (lzo1x_decompress_safe(in, size, page, &n, NULL) != LZO_E_OK || n != PG)
				bad++;
			lzo++;
		} else if (flags == 0x1) {
			z_stream zs = { .zalloc = zalloc, .zfree = zfree, .next_in = in, .avail_in = size,
					.next_out = page, .avail_out = PG };

			if (inflateInit(&zs) != Z_OK || inflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out != PG)
				bad++;
			inflateEnd(&zs);
			zl++;
		} else if (flags == 0x20) {
			/* Collected, decompressed after the loop; a zero page holds the place. */
			if (!zf) {
				snprintf(zpath, sizeof(zpath), "%s.zst", argv[2]);
				zf = fopen(zpath, "wb");
			}
			zidx = realloc(zidx, (zs_ + 1) * sizeof(*zidx));
			if (!zf || !zidx || fwrite(in, 1, size, zf) != size)
				return 1;
			zidx[zs_++] = rank - 1;
		} else {
			bad++;
		}
		if (bad)
			fprintf(stderr, "%s: pfn 0x%llx: bad page (offset %llu size %u flags 0x%x)\n", argv[1],
				(unsigned long long)pfn, (unsigned long long)off, size, flags);
		if (fwrite(page, 1, PG, out) != PG)
			return 1;
		if (bad > 10)
			break;
	}
	if (zf) {
		/* The frames of all zstd pages in one file: zstd decompresses them to their pages in order. */
		char cmd[8300];
		FILE *p;

		fclose(zf);
		snprintf(cmd, sizeof(cmd), "zstd -qdc '%s'", zpath);
		p = popen(cmd, "r");
		for (uint64_t i = 0; p && i < zs_; i++) {
			if (fread(page, 1, PG, p) != PG) {
				fprintf(stderr, "%s: zstd page %llu of %llu did not decompress to %u bytes\n", argv[1],
					(unsigned long long)i, (unsigned long long)zs_, PG);
				bad++;
				break;
			}
			if (fseeko(out, (off_t)(zidx[i] * PG), SEEK_SET) != 0 || fwrite(page, 1, PG, out) != PG)
				return 1;
		}
		if (!p || fread(page, 1, 1, p) != 0 || pclose(p) != 0) {
			fprintf(stderr, "%s: zstd -d of the zstd pages failed or gave more bytes\n", argv[1]);
			bad++;
		}
		unlink(zpath);
	}
	printf("pages=%llu raw=%llu lzo=%llu zlib=%llu zstd=%llu bad=%llu\n", (unsigned long long)rank,
	       (unsigned long long)raw, (unsigned long long)lzo, (unsigned long long)zl, (unsigned long long)zs_,
	       (unsigned long long)bad);
	free(zidx);
	free(bm2);
	fclose(f);
	return bad || fclose(out) != 0 ? 1 : 0;
}
