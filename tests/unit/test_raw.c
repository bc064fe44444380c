/* The raw format (dump/raw.c) on the host: a crash described from a memory map over fake memory
 * (two RAM ranges with a hole, a backup= copy, an unaligned end) through the real stream stage
 * into a capturing transport: byte P of the file is the crashed machine's physical byte P, holes
 * and salvage's own image are zeros, the size ends with the highest RAM, the digest is the
 * file's, and dump.level=1 asks the filter (zero pages stay zeros). */
/* unit-sources: dump/raw.c dump/format.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include <stdlib.h>
#include <string.h>

#include "dump/format.h"
#include "ok.h"
#include "shim.h"

#define LOW_END 0x9f000u		/* RAM 0-0x9fc00 rounds down to this */
#define HIGH_BASE 0x100000u
#define HIGH_SIZE (3u << 20)
#define BACKUP_DST (HIGH_BASE + 0x200000u)	/* low 64 KiB were copied here before the crash kernel ran */
#define BACKUP_SIZE 0x10000u
#define HIGH_END (HIGH_BASE + ((HIGH_SIZE - 100) & ~0xfffu))	/* RAM ends inside a page: rounded down */

extern const struct format format_raw;

/* ---- the capturing transport ---- */
static uint8_t *got;
static uint64_t got_len, got_cap, closed_size;
static uint8_t closed_digest[32];
static int writes;

static int cap_open(struct transport_conn *c, const struct dump_target *t, const struct config *cfg,
		    const struct transport_info *info)
{
	got_len = 0;
	writes = 0;
	return 0;
}

static int cap_write(struct transport_conn *c, const void *buf, size_t len)
{
	if (got_len + len > got_cap) {
		got_cap = (got_len + len) * 2;
		got = realloc(got, got_cap);
	}
	memcpy(got + got_len, buf, len);
	got_len += len;
	writes++;
	return 0;
}

static int cap_close(struct transport_conn *c, uint64_t size, const uint8_t digest[32])
{
	closed_size = size;
	memcpy(closed_digest, digest, 32);
	return 0;
}

static const struct transport capture = { "capture", TARGET_SERIAL, cap_open, cap_write, cap_close, NULL };

static uint8_t low[LOW_END], high[HIGH_SIZE];
static struct crash c;
static struct filter f;
static struct config cfg;

/* Prepare and produce the raw file of c at level into got. Returns 0 or the first error. */
static int produce(unsigned level)
{
	static struct stream s;
	struct format_job job = { .crash = &c, .level = level, .cfg = &cfg, .filter = &f };
	struct transport_info info;
	struct dump_target t = { .kind = TARGET_SERIAL };
	int rc;

	if ((rc = format_raw.prepare(&job)) != 0)
		return rc;
	info = (struct transport_info){ job.size, c.crashtime, "raw", NULL };
	if ((rc = stream_open(&s, &capture, &t, &cfg, &info)) != 0)
		return rc;
	if ((rc = format_raw.produce(&job, &s)) != 0)
		return rc;
	return stream_close(&s);
}

/* The expected image: crashed physical memory as the machine had it, salvage's image zeros. */
static uint8_t *expected(uint64_t size)
{
	uint8_t *e = calloc(1, size);

	memcpy(e, low, LOW_END);
	memcpy(e + HIGH_BASE, high, HIGH_END - HIGH_BASE);
	memcpy(e, high + (BACKUP_DST - HIGH_BASE), BACKUP_SIZE);	/* backup=: low bytes were saved there */
	return e;
}

int main(void)
{
	struct memmap m = { .n = 3 };
	struct backup b = { .size = BACKUP_SIZE, .src = 0, .dst = BACKUP_DST };
	uint64_t size = HIGH_END;
	uint8_t dg[32], *e;
	int rc;

	srand(3);
	for (size_t i = 0; i < sizeof(low); i++)
		low[i] = (uint8_t)rand();
	for (size_t i = 0; i < sizeof(high); i++)
		high[i] = (i >> 12) % 3 == 0 ? 0 : (uint8_t)rand(); /* every third page a zero page */
	fakemem_map(0, low, sizeof(low));
	fakemem_map(HIGH_BASE, high, sizeof(high));
	m.r[0] = (struct mem_range){ 0, 0x9fc00, MEM_RAM };
	m.r[1] = (struct mem_range){ 0xf0000, 0x10000, MEM_RESERVED };
	m.r[2] = (struct mem_range){ HIGH_BASE, HIGH_SIZE - 100, MEM_RAM };	/* ends inside a page */
	self_start = HIGH_BASE + 0x100000;
	self_end = HIGH_BASE + 0x123456;
	ok(crash_from_memmap(&c, &m, &b, 1) == 0, "crash from the memory map with a backup");
	e = expected(size);
	memset(e + (self_start & ~0xfffull), 0, (size_t)(((self_end + 0xfff) & ~0xfffull) - (self_start & ~0xfffull)));

	log_reset();
	rc = produce(0);
	ok(rc == 0 && got_len == size && closed_size == size, "raw: %llu bytes, to the end of the highest PT_LOAD (rc %d)",
	   (unsigned long long)got_len, rc);
	ok(log_has("dump: 4190208 bytes (raw physical memory 0-0x3ff000"), "raw: the size logged");
	ok(got_len == size && memcmp(got, e, size) == 0, "raw: byte P is physical P (backup bytes at their source, "
	   "hole 0x9f000-0x100000 and salvage's image as zeros)");
	sha256(got, got_len, dg);
	ok(!memcmp(dg, closed_digest, 32), "raw: the stream's digest is the file's");
	ok(writes > 100, "raw: produced in pieces (%d writes)", writes);

	rc = produce(1);
	ok(rc == 0 && got_len == size && memcmp(got, e, size) == 0, "dump.level=1: the same image (zero pages are zeros)");
	ok(f.stats.pages[FK_ZERO] >= 200, "dump.level=1: the filter was asked and found %llu zero pages",
	   (unsigned long long)f.stats.pages[FK_ZERO]);

	/* A crash with no memory at all has no raw image. */
	m.n = 0;
	crash_from_memmap(&c, &m, NULL, 0);
	log_reset();
	ok(produce(0) != 0 && log_has("no memory to image"), "raw: refused for a crash without memory");
	free(e);
	free(got);
	self_start = self_end = 0;
	return ok_done();
}
