/* Unit tests for dump/kdump.c: a synthetic x86_64 crash (three PT_LOADs: a partial last page, a
 * load with fewer file bytes than memory; zero, text and random pages; two CPU notes, VMCOREINFO,
 * init_uts_ns) written as a flattened kdump-compressed stream with every compressor and with and
 * without dump.level bit 1. The stream is read back here from the format's facts (DESIGN.md "The
 * data path"): headers, both bitmaps, every page decompressed against memory; and, when the host
 * has it, `makedumpfile -R` must rebuild the same file. */
/* unit-sources: dump/kdump.c dump/format.c dump/compress.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump/kdump.h"
#include "minilzo.h"
#include "ok.h"
#include "shim.h"
#include "zlib.h"

#define PG 4096u
#define HDR_ADDR 0x100000000ull		/* the ELF core header and notes, above the loads */
#define SRC_BASE 0x1000000ull		/* where the loads' bytes are now */
#define MEM_SIZE (7u << 20)		/* physical [0, 7 MiB) of the crashed kernel */
#define UTS_PA 0x200000ull		/* init_uts_ns (phys_base 0) */
#define NLOADS 3

static const struct { uint64_t paddr, memsz, filesz; } loads[NLOADS] = {
	{ 0x0, 0x9fc00, 0x9fc00 },		/* its partial last page: in the 1st bitmap only */
	{ 0x100000, 0x300000, 0x300000 },
	{ 0x500000, 0x200000, 0x100000 },	/* 0x600000..: no file bytes, not dumped */
};

static uint8_t mem[MEM_SIZE];
static uint8_t hdrmem[3 * PG];
static struct crash d;
static struct filter filt;

static uint32_t rng = 2024;
static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void put_note(uint8_t **p, const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
	Elf64_Nhdr n = { (uint32_t)strlen(name) + 1, descsz, type };

	memcpy(*p, &n, sizeof(n));
	*p += sizeof(n);
	memcpy(*p, name, n.n_namesz);
	*p += (n.n_namesz + 3) & ~3u;
	memcpy(*p, desc, descsz);
	*p += (descsz + 3) & ~3u;
}

/* The crash: memory pages of three kinds, then an ELF64 core header as kexec-tools writes it. */
static void setup(void)
{
	static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff80200000\n"
				   "OFFSET(uts_namespace.name)=0\nNUMBER(phys_base)=0\nCRASHTIME=1767225600\n";
	static const char *uts[6] = { "Linux", "box", "6.1.0-test", "#1 SMP", "x86_64", "(none)" };
	uint8_t prs[336] = { 0 }, *n = hdrmem + PG;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdrmem + sizeof(Elf64_Ehdr));

	for (uint32_t pfn = 0; pfn < MEM_SIZE / PG; pfn++) {
		uint8_t *p = mem + pfn * PG;

		switch (pfn % 5) {
		case 0: case 3:
			memset(p, 0, PG);				/* zero */
			break;
		case 1:
			for (uint32_t i = 0; i < PG; i++)		/* text: compresses */
				p[i] = (uint8_t)("salvage kdump test page "[i % 24] + (i / 512 == pfn % 8));
			break;
		default:
			for (uint32_t i = 0; i < PG; i++)		/* random: stored raw */
				p[i] = (uint8_t)rnd();
		}
	}
	memset(mem + UTS_PA, 0, 6 * 65);
	for (int f = 0; f < 6; f++)
		memcpy(mem + UTS_PA + f * 65, uts[f], strlen(uts[f]));
	fakemem_reset();
	fakemem_map(SRC_BASE, mem, MEM_SIZE);

	memset(hdrmem, 0, sizeof(hdrmem));
	shim_core_ehdr64(hdrmem, NLOADS + 1);
	put_note(&n, "CORE", NT_PRSTATUS, prs, sizeof(prs));
	put_note(&n, "CORE", NT_PRSTATUS, prs, sizeof(prs));
	put_note(&n, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = HDR_ADDR + PG,
			      .p_filesz = (uint64_t)(n - hdrmem - PG), .p_memsz = (uint64_t)(n - hdrmem - PG) };
	for (int i = 0; i < NLOADS; i++)
		ph[i + 1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					  .p_offset = SRC_BASE + loads[i].paddr, .p_paddr = loads[i].paddr,
					  .p_vaddr = 0xffff888000000000ull + loads[i].paddr,
					  .p_filesz = loads[i].filesz, .p_memsz = loads[i].memsz };
	fakemem_map(HDR_ADDR, hdrmem, sizeof(hdrmem));
	ok(crash_from_elfcorehdr(&d, HDR_ADDR, 0) == 0, "synthetic crash described");
}

/* The sink: the stream in a growing buffer; fail_at > 0 makes it fail from that byte on. */
static uint8_t *sbuf;
static size_t slen, scap, fail_at;

static int sink_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (fail_at && slen + len > fail_at)
		return -EIO;
	if (slen + len > scap) {
		scap = (slen + len) * 2;
		sbuf = realloc(sbuf, scap);
	}
	memcpy(sbuf + slen, buf, len);
	slen += len;
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The file the records describe (zero where none wrote); NULL when the stream is malformed. */
static uint8_t *rebuild(size_t *flen)
{
	uint8_t *f = NULL;
	size_t pos = 4096, len = 0;

	if (slen < 4096 || memcmp(sbuf, "makedumpfile", 13) != 0 || be64(sbuf + 16) != 1 || be64(sbuf + 24) != 1)
		return NULL;
	while (pos + 16 <= slen) {
		uint64_t off = be64(sbuf + pos), sz = be64(sbuf + pos + 8);

		pos += 16;
		if (off == ~0ull && sz == ~0ull) {
			*flen = len;
			return pos == slen ? f : NULL;
		}
		if (sz > slen - pos || off > (1u << 30))
			break;
		if (off + sz > len) {
			f = realloc(f, off + sz);
			memset(f + len, 0, off + sz - len);
			len = off + sz;
		}
		memcpy(f + off, sbuf + pos, sz);
		pos += sz;
	}
	free(f);
	return NULL;
}

static void *zalloc(void *o, unsigned n, unsigned s)
{
	(void)o;
	return calloc(n, s);
}

static void zfree(void *o, void *p)
{
	(void)o;
	free(p);
}

static int bit(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn / 8] >> (pfn % 8) & 1;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* makedumpfile -R of the stream must give the file rebuilt here. */
static void check_makedumpfile_r(const uint8_t *f, size_t flen, const char *what)
{
	char spath[] = "/tmp/test_kdump.XXXXXX", cmd[256], out[64];
	FILE *fp;
	int fd = mkstemp(spath);
	uint8_t *g;
	long glen;

	if (system("command -v makedumpfile >/dev/null 2>&1") != 0) {
		ok(1, "%s: makedumpfile not installed, -R not tried", what);
		return;
	}
	ok(fd >= 0 && write(fd, sbuf, slen) == (ssize_t)slen, "%s: stream written", what);
	close(fd);
	snprintf(out, sizeof(out), "%s.R", spath);
	snprintf(cmd, sizeof(cmd), "makedumpfile -R %s < %s >/dev/null 2>&1", out, spath);
	ok(system(cmd) == 0, "%s: makedumpfile -R rebuilds the stream", what);
	fp = fopen(out, "rb");
	g = malloc(flen + 1);
	glen = fp ? (long)fread(g, 1, flen + 1, fp) : -1;
	ok(glen == (long)flen && memcmp(f, g, flen & ((1u << 30) - 1)) == 0, "%s: makedumpfile -R gives the same %zu bytes (got %ld)",
	   what, flen, glen);
	if (fp)
		fclose(fp);
	free(g);
	unlink(out);
	unlink(spath);
}

/* The zstd pages, one frame each, decompressed by the host's zstd (a concatenation of frames
 * decompresses to the concatenation of their contents), equal the memory they came from. */
static void check_zstd_frames(const uint8_t *frames, size_t flen, const uint8_t *want, size_t wlen, const char *what)
{
	char zpath[] = "/tmp/test_kdump.zst.XXXXXX", cmd[128];
	uint8_t *got = malloc(wlen + 1);
	int fd = mkstemp(zpath);
	size_t glen = 0;
	FILE *fp;

	if (system("command -v zstd >/dev/null 2>&1") != 0) {
		ok(1, "%s: the zstd tool is not installed, pages not read back", what);
	} else {
		ok(fd >= 0 && flen > 0 && write(fd, frames, flen) == (ssize_t)flen, "%s: %zu bytes of zstd frames", what, flen);
		snprintf(cmd, sizeof(cmd), "zstd -qdc %s", zpath);
		fp = popen(cmd, "r");
		glen = fp ? fread(got, 1, wlen + 1, fp) : 0;
		ok(fp && pclose(fp) == 0 && glen == wlen && memcmp(got, want, wlen) == 0,
		   "%s: the host's zstd decompresses the %zu zstd pages to memory's bytes", what, wlen / PG);
	}
	if (fd >= 0)
		close(fd);
	unlink(zpath);
	free(got);
}

static void run(enum dump_compress alg, unsigned level)
{
	struct kdump_sink sink = { sink_write, NULL, NULL };
	char what[64];
	size_t flen = 0;
	uint8_t *f, *bm1, *bm2, *kh, *desc;
	uint64_t max_mapnr = 0x700, sub, bmblocks, rank = 0, want_zero = 0, bad = 0, zero_off = ~0ull;
	uint64_t nzero = 0, npacked = 0, nraw = 0;
	uint8_t *zframes = NULL, *zwant = NULL;	/* zstd pages, read back at the end by the zstd tool */
	size_t nlen, zflen = 0, zwlen = 0;
	int rc;

	snprintf(what, sizeof(what), "%s level %u", compress_name(alg), level);
	slen = 0;
	fail_at = 0;
	rc = kdump_write(&d, &filt, level, alg, &sink);
	ok(rc == 0, "%s: kdump_write returns %d", what, rc);
	ok(kdump_stats.stream_bytes == slen, "%s: stats count the %zu stream bytes", what, slen);
	f = rebuild(&flen);
	ok(f != NULL, "%s: flattened stream well formed, ends with the end record", what);
	if (!f)
		return;
	/* disk_dump_header (x86_64 makedumpfile layout) */
	ok(memcmp(f, "KDUMP   ", 8) == 0 && get32(f + 8) == 6, "%s: KDUMP signature, header_version 6", what);
	ok(strcmp((char *)f + 12, "Linux") == 0 && strcmp((char *)f + 12 + 65, "box") == 0 &&
	   strcmp((char *)f + 12 + 2 * 65, "6.1.0-test") == 0 && strcmp((char *)f + 12 + 4 * 65, "x86_64") == 0,
	   "%s: utsname read from init_uts_ns", what);
	ok(get64(f + 408) == 1767225600, "%s: timestamp is CRASHTIME", what);
	ok(get32(f + 424) == (uint32_t)alg, "%s: status 0x%x is the compressor's flag", what, get32(f + 424));
	ok(get32(f + 428) == PG, "%s: block_size %u", what, get32(f + 428));
	sub = get32(f + 432);
	bmblocks = get32(f + 436);
	ok(sub == 1 && bmblocks == 2, "%s: sub_hdr_size %llu, bitmap_blocks %llu", what,
	   (unsigned long long)sub, (unsigned long long)bmblocks);
	ok(get32(f + 440) == max_mapnr && get32(f + 460) == 2, "%s: max_mapnr 0x%x, nr_cpus %u", what,
	   get32(f + 440), get32(f + 460));
	/* kdump_sub_header */
	kh = f + PG;
	ok(get64(kh) == 0 && get32(kh + 8) == level && get64(kh + 96) == max_mapnr,
	   "%s: phys_base, dump_level, max_mapnr_64", what);
	nlen = get64(hdrmem + sizeof(Elf64_Ehdr) + 32) & (PG - 1);	/* under a page, bounded for memcmp */
	ok(get64(kh + 48) == PG + 104 && get64(kh + 56) == nlen && memcmp(f + PG + 104, hdrmem + PG, nlen) == 0,
	   "%s: offset_note/size_note: the notes", what);
	ok(get64(kh + 40) == d.vmcoreinfo_len && memcmp(f + get64(kh + 32), "OSRELEASE=6.1.0-test\n", 21) == 0,
	   "%s: offset/size_vmcoreinfo: the VMCOREINFO text", what);
	/* bitmaps */
	bm1 = f + (1 + sub) * PG;
	bm2 = bm1 + bmblocks / 2 * PG;
	for (uint64_t pfn = 0; pfn < 8 * PG; pfn++) {
		int in1 = pfn <= 0x9f || (pfn >= 0x100 && pfn < 0x400) || (pfn >= 0x500 && pfn < 0x700);
		int in2 = in1 && pfn != 0x9f && pfn < 0x600;

		if (bit(bm1, pfn) != in1 || bit(bm2, pfn) != in2)
			bad++;
	}
	ok(bad == 0, "%s: 1st bitmap = pages of the loads, 2nd = whole ones with file bytes (%llu wrong)",
	   what, (unsigned long long)bad);
	/* every dumped page, by its rank in the 2nd bitmap */
	desc = f + (1 + sub + bmblocks) * PG;
	bad = 0;
	for (uint64_t pfn = 0; pfn < max_mapnr; pfn++) {
		uint8_t page[PG], *pd;
		uint64_t off;
		uint32_t size, flags;
		size_t n = PG;

		if (!bit(bm2, pfn))
			continue;
		pd = desc + 24 * rank++;
		off = get64(pd);
		size = get32(pd + 8);
		flags = get32(pd + 12);
		if (off + size > flen || get64(pd + 16) != 0) {
			bad++;
			continue;
		}
		if (flags == 0 && size == PG) {
			memcpy(page, f + off, PG);
			nraw++;
		} else if (flags == COMPRESS_LZO && alg == COMPRESS_LZO) {
			lzo_uint out = PG;

			if (lzo1x_decompress_safe(f + off, size, page, &out, NULL) != LZO_E_OK || out != PG)
				bad++;
			npacked++;
		} else if (flags == COMPRESS_ZLIB && alg == COMPRESS_ZLIB) {
			z_stream zs = { .zalloc = zalloc, .zfree = zfree, .next_in = f + off, .avail_in = size,
					.next_out = page, .avail_out = PG };

			if (inflateInit(&zs) != Z_OK || inflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out != PG)
				bad++;
			inflateEnd(&zs);
			npacked++;
		} else if (flags == COMPRESS_ZSTD && alg == COMPRESS_ZSTD) {
			zframes = realloc(zframes, zflen + size);
			zwant = realloc(zwant, zwlen + PG);
			memcpy(zframes + zflen, f + off, size);
			memcpy(zwant + zwlen, mem + pfn * PG, PG);
			zflen += size;
			zwlen += PG;
			memcpy(page, mem + pfn * PG, PG);	/* compared below, all frames at once */
			npacked++;
		} else {
			bad++;
			continue;
		}
		(void)n;
		if (memcmp(page, mem + pfn * PG, PG) != 0)
			bad++;
		if (pfn % 5 == 0 || pfn % 5 == 3) {
			if (pfn * PG != UTS_PA)
				want_zero++;
			if ((level & 1) && flags == 0) {
				if (zero_off == ~0ull)
					zero_off = off;
				nzero += off == zero_off;
			}
		}
	}
	ok(bad == 0, "%s: %llu pages read back equal to memory (%llu wrong)", what, (unsigned long long)rank,
	   (unsigned long long)bad);
	ok(rank == kdump_stats.dumped, "%s: stats: %llu dumped", what, (unsigned long long)kdump_stats.dumped);
	if (level & 1)
		ok(nzero == want_zero && kdump_stats.zero == want_zero, "%s: the %llu zero pages share one stored page",
		   what, (unsigned long long)want_zero);
	else
		ok(kdump_stats.zero == 0, "%s: without bit 1 zero pages are stored like any", what);
	if (alg == COMPRESS_ZSTD)
		check_zstd_frames(zframes, zflen, zwant, zwlen, what);
	free(zframes);
	free(zwant);
	if (alg == COMPRESS_NONE)
		ok(npacked == 0 && kdump_stats.packed == 0, "%s: nothing compressed", what);
	else
		ok(npacked > 0 && npacked == kdump_stats.packed && nraw > 0,
		   "%s: %llu pages compressed, %llu raw (random pages do not shrink)", what,
		   (unsigned long long)npacked, (unsigned long long)nraw);
	check_makedumpfile_r(f, flen, what);
	free(f);
}

/* A compressor that cannot start: LZO instead, said once in the log. zstd's static CCtx cannot fail
 * for its one page size, so an unknown compressor stands in. */
static void bad_compressor_falls_back(void)
{
	struct kdump_sink sink = { sink_write, NULL, NULL };
	size_t flen = 0;
	uint8_t *f;

	slen = 0;
	log_reset();
	ok(kdump_write(&d, &filt, 0, (enum dump_compress)0x40, &sink) == 0, "compressor 0x40: kdump_write returns 0");
	f = rebuild(&flen);
	ok(f && get32(f + 424) == COMPRESS_LZO && kdump_stats.packed > 0, "compressor 0x40: pages stored with LZO, status says so");
	ok(log_has("unknown compressor 0x40") && log_has("stored with lzo instead of"),
	   "compressor 0x40: the log says why and what instead");
	free(f);
}

/* zstd's level-1 context for a page lives in the compressors' arena, well inside it. */
static void zstd_arena(void)
{
	ok(compress_begin(COMPRESS_ZSTD) == 0 && compress_arena_used() > 0 && compress_arena_used() <= 272 * 1024,
	   "zstd: a level-1 context for 4 KiB pages takes %zu bytes of the arena", compress_arena_used());
}

/* The arena's top lent to the stream stage (its second age chunk): never for a kdump dump with zlib,
 * which needs the whole arena; otherwise LZO and zstd dumps (checked by makedumpfile -R as every
 * run is) leave the lent bytes as they were, and zlib, which no longer fits, is refused rather than
 * written into them. Last: the lending lasts. */
static void arena_spare(void)
{
	size_t n = 65536 + 16;
	uint8_t *p;
	size_t i, same = 0;

	ok(compress_arena_spare(FORMAT_KDUMP, COMPRESS_ZLIB, n) == NULL, "spare: none while a kdump dump may use zlib");
	p = compress_arena_spare(FORMAT_ELF, COMPRESS_ZLIB, n);
	ok(p != NULL, "spare: %zu bytes for an elf dump, which compresses nothing", n);
	if (!p)
		return;
	ok(compress_arena_spare(FORMAT_KDUMP, COMPRESS_LZO, n) == p, "spare: the same bytes each time it is asked");
	memset(p, 0xA5, n);
	run(COMPRESS_LZO, 31);
	run(COMPRESS_ZSTD, 0);
	for (i = 0; i < n; i++)
		same += p[i] == 0xA5;
	ok(same == n, "spare: LZO and zstd dumps left the lent bytes alone (%zu of %zu)", same, n);
	ok(compress_begin(COMPRESS_ZLIB) != 0, "spare: zlib no longer fits and is refused");
}

/* A sink that fails ends the dump with its error, quickly. */
static void sink_error(void)
{
	struct kdump_sink sink = { sink_write, NULL, NULL };

	slen = 0;
	fail_at = 100000;
	ok(kdump_write(&d, &filt, 0, COMPRESS_LZO, &sink) == -EIO && slen <= fail_at,
	   "a failing sink ends the dump with its error");
	fail_at = 0;
}

int main(void)
{
	setup();
	run(COMPRESS_LZO, 0);
	run(COMPRESS_LZO, 1);
	run(COMPRESS_ZLIB, 1);
	run(COMPRESS_NONE, 0);
	run(COMPRESS_NONE, 31);
	run(COMPRESS_ZSTD, 0);
	run(COMPRESS_ZSTD, 31);
	zstd_arena();
	bad_compressor_falls_back();
	sink_error();
	arena_spare();
	free(sbuf);
	return ok_done();
}
