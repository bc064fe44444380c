/* Unit tests for crypto/seed.c (the seed segment parser, on malformed segments) and crypto/random.c
 * (taking and wiping the segment, when there is enough entropy, the mixing), with the CPU's
 * generators and the jitter timer replaced by sources the test controls. */
/* unit-sources: crypto/random.c crypto/seed.c */
#define _GNU_SOURCE		/* memmem */
#include <stdlib.h>
#include <string.h>

#include "crypto/entropy.h"
#include "crypto/random.h"
#include "crypto/seed.h"
#include "ok.h"
#include "shim.h"

/* --- the fake sources ------------------------------------------------------------------------ */
static int has_rdseed, has_rdrand, rdrand_stuck, jitter_kind;
static uint32_t hw_salt;	/* changes what the fake generators give */

static int fake_fill(void *buf, size_t n, uint32_t tag)
{
	uint8_t *p = buf;

	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t v = rdrand_stuck ? 0xffffffffu : (uint32_t)(i * 2654435761u) ^ hw_salt ^ tag;

		memcpy(p + i, &v, 4);
	}
	return 0;
}

int entropy_rdseed(void *buf, size_t n)
{
	return has_rdseed ? fake_fill(buf, n, 0x5eed) : -ENODEV;
}

int entropy_rdrand(void *buf, size_t n)
{
	return has_rdrand ? fake_fill(buf, n, 0x4a4d) : -ENODEV;
}

/* jitter_kind 0: a stuck timer (one value); 1: two values alternating; 2: spread like real timing;
 * 3: a counter (every value new, but predictable); 4: a cycle of 7 values. */
int entropy_jitter(uint32_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = jitter_kind == 0 ? 700 : jitter_kind == 1 ? 700 + (uint32_t)(i & 1) :
		       jitter_kind == 3 ? 700 + 3 * (uint32_t)i : jitter_kind == 4 ? 700 + (uint32_t)(i % 7) * 13 :
		       600 + (uint32_t)(rand() % 400);
	return 0;
}

/* --- helpers ---------------------------------------------------------------------------------- */
static size_t make_seg(uint8_t *seg, uint32_t n, uint8_t fill)
{
	memcpy(seg, SEED_MAGIC, SEED_MAGIC_LEN);
	memcpy(seg + SEED_MAGIC_LEN, &n, 4);
	for (uint32_t i = 0; i < n; i++)
		seg[SEED_HDR_LEN + i] = (uint8_t)(fill + i * 7);
	return SEED_HDR_LEN + n;
}

static int parse(const uint8_t *seg, uint64_t len, const char *want_log)
{
	size_t off = 0, n = 0;
	int rc;

	log_reset();
	rc = seed_parse(seg, len, &off, &n);
	if (want_log && !log_has(want_log))
		return 99;
	return rc == 0 ? (int)n : rc;
}

/* Fresh pool; take a seed segment of n bytes (0: none) mapped at 0x300000; draw 32 bytes. */
static int draw(uint32_t n, uint8_t fill, uint8_t out[32])
{
	static uint8_t seg[SEED_SEG_MAX];
	struct bootinfo bi;

	random_forget();
	fakemem_reset();
	memset(&bi, 0, sizeof(bi));
	if (n) {
		bi.seed_start = 0x300000;
		bi.seed_size = make_seg(seg, n, fill);
		fakemem_map(0x300000, seg, bi.seed_size);
	}
	log_reset();
	random_take_seed(&bi);
	srand(1);
	return random_bytes(out, 32);
}

/* --- the parser -------------------------------------------------------------------------------- */
static void test_parse(void)
{
	uint8_t seg[SEED_SEG_MAX + 64];
	size_t len;

	len = make_seg(seg, 64, 1);
	ok(parse(seg, len, NULL) == 64, "a 64-byte seed segment parses");
	len = make_seg(seg, SEED_MIN, 1);
	ok(parse(seg, len, NULL) == SEED_MIN, "the smallest seed (32 bytes) parses");
	len = make_seg(seg, SEED_MAX, 1);
	ok(parse(seg, len, NULL) == SEED_MAX, "the largest seed (256 bytes) parses");

	len = make_seg(seg, 64, 1);
	seg[3] ^= 1;
	ok(parse(seg, len, "no \"salvage-seed\" magic") == -EINVAL, "bad magic refused with its line");
	len = make_seg(seg, 64, 1);
	ok(parse(seg, 15, "shorter than its 16-byte header") == -EINVAL, "a segment shorter than the header refused");
	ok(parse(seg, 0, "shorter") == -EINVAL, "an empty segment refused");
	len = make_seg(seg, 31, 1);
	ok(parse(seg, len, "says 31 seed bytes (want 32..256)") == -EINVAL, "a 31-byte seed refused (too short)");
	len = make_seg(seg, 257, 1);
	ok(parse(seg, len, "says 257 seed bytes") == -EINVAL, "a 257-byte seed refused (oversize)");
	make_seg(seg, 64, 1);
	memcpy(seg + SEED_MAGIC_LEN, &(uint32_t){ 0xffffffffu }, 4);
	ok(parse(seg, 80, "says 4294967295 seed bytes") == -EINVAL, "a length of 2^32-1 refused, nothing read past the segment");
	len = make_seg(seg, 64, 1);
	ok(parse(seg, len - 1, "is 79 bytes but its header says 16 + 64") == -EINVAL,
	   "a segment shorter than its header's length refused");
	ok(parse(seg, len + 1, "is 81 bytes but its header says 16 + 64") == -EINVAL,
	   "a segment longer than its header's length refused");
	ok(parse(seg, (uint64_t)1 << 40, "header says") == -EINVAL, "a 1 TiB segment refused");
	len = make_seg(seg, 64, 0);
	memset(seg + SEED_HDR_LEN, 0, 64);
	ok(parse(seg, len, "all 64 seed bytes are 0x00") == -EINVAL, "a zeroed seed refused");
	memset(seg + SEED_HDR_LEN, 0xab, 64);
	ok(parse(seg, len, "are 0xab") == -EINVAL, "a seed of one repeated byte refused");
}

/* --- taking the seed segment -------------------------------------------------------------------- */
static void test_take(void)
{
	static uint8_t seg[4096], zero[4096];
	struct bootinfo bi;
	size_t len;

	memset(&bi, 0, sizeof(bi));
	random_forget();
	fakemem_reset();
	len = make_seg(seg, 64, 9);
	bi.seed_start = 0x200000;
	bi.seed_size = len;
	fakemem_map(0x200000, seg, sizeof(seg));
	log_reset();
	random_take_seed(&bi);
	ok(log_has("seed: 64 bytes from salvage-load taken, segment wiped"), "the seed is taken and says so");
	ok(memcmp(seg, zero, len) == 0, "the segment is wiped (header and seed)");
	ok(!log_has("\\x") && !log_has("09 10"), "no seed bytes in the log");

	/* A foreign initrd: not touched. */
	random_forget();
	memset(seg, 0x5a, sizeof(seg));
	bi.seed_size = 100;
	log_reset();
	random_take_seed(&bi);
	ok(log_has("is no seed segment") && seg[0] == 0x5a && seg[99] == 0x5a, "a foreign initrd is left alone");

	/* Magic right, length wrong: not used, but wiped all the same (it is ours, and secret). */
	random_forget();
	len = make_seg(seg, 64, 9);
	bi.seed_size = len + 8;
	log_reset();
	random_take_seed(&bi);
	ok(log_has("header says 16 + 64") && !log_has("taken") && memcmp(seg, zero, len + 8) == 0,
	   "a damaged seed segment is not used and is wiped");

	/* A huge declared size: refused; only the first SEED_SEG_MAX bytes are wiped. */
	random_forget();
	memset(seg, 0x77, sizeof(seg));
	make_seg(seg, 64, 9);
	bi.seed_size = (uint64_t)1 << 32;
	log_reset();
	random_take_seed(&bi);
	ok(log_has("segment is 4294967296 bytes but its header says 16 + 64") && !log_has("taken") &&
	   seg[SEED_SEG_MAX - 1] == 0 && seg[SEED_SEG_MAX] == 0x77,
	   "an oversize segment is refused and wiped only up to the largest seed segment");

	/* Unreadable memory: reported, nothing taken. */
	random_forget();
	bi.seed_start = 0x90000000;
	bi.seed_size = 80;
	log_reset();
	random_take_seed(&bi);
	ok(log_has("unreadable"), "an unreadable seed segment is reported");
	fakemem_reset();
}

/* --- enough entropy, and the mixing ------------------------------------------------------------ */
static void test_enough(void)
{
	uint8_t a[32];
	int rc;

	has_rdseed = 0, has_rdrand = 0, rdrand_stuck = 0, jitter_kind = 2, hw_salt = 0;
	rc = draw(0, 0, a);
	ok(rc < 0 && log_has("not enough entropy to encrypt: no seed from salvage-load and no RDRAND/RDSEED") &&
	   log_has("load salvage with salvage-load"), "no seed, no RDRAND: refused with why and what to do (%d)", rc);
	log_reset();
	ok(random_bytes(a, 16) < 0 && log_has("not enough entropy"), "a second call is refused with the line again");

	jitter_kind = 0;
	rc = draw(64, 1, a);
	ok(rc < 0 && log_has("timing jitter gave 0 of the 64 fresh bits"),
	   "a seed with a stuck timer and no RDRAND: refused (a key could repeat)");
	jitter_kind = 1;
	rc = draw(64, 1, a);
	ok(rc < 0 && log_has("fresh bits needed"), "a seed with jitter of two values alternating: refused");
	jitter_kind = 3;
	rc = draw(64, 1, a);
	ok(rc < 0 && log_has("fresh bits needed"), "a seed with jitter that counts up: refused");
	jitter_kind = 4;
	rc = draw(64, 1, a);
	ok(rc < 0 && log_has("fresh bits needed"), "a seed with jitter cycling through 7 values: refused");
	jitter_kind = 2;
	rc = draw(64, 1, a);
	ok(rc == 0 && log_has("random: seeded from salvage-load's seed, timing jitter (~"),
	   "a seed and measurable jitter: enough, sources named");

	has_rdrand = 1;
	rc = draw(0, 0, a);
	ok(rc == 0 && log_has("seeded from RDRAND (8 KiB), timing jitter"), "RDRAND without a seed: enough");
	rc = draw(64, 1, a);
	ok(rc == 0 && log_has("seeded from salvage-load's seed, RDRAND (8 KiB)"), "seed and RDRAND: both named");
	has_rdseed = 1;
	rc = draw(64, 1, a);
	ok(rc == 0 && log_has("seeded from salvage-load's seed, RDSEED, timing"), "RDSEED is preferred to RDRAND");
	has_rdseed = 0;

	rdrand_stuck = 1;
	rc = draw(0, 0, a);
	ok(rc < 0 && log_has("RDRAND repeats itself (broken)") && log_has("not enough entropy"),
	   "a stuck RDRAND is not trusted: refused without a seed");
	rc = draw(64, 1, a);
	ok(rc == 0 && log_has("seeded from salvage-load's seed, timing jitter"), "... and with a seed, jitter gives freshness");
	rdrand_stuck = 0;
	has_rdrand = 0;
}

static void test_mixing(void)
{
	uint8_t a[32], b[32], c[32], z[32] = { 0 };

	has_rdseed = 0, has_rdrand = 1, rdrand_stuck = 0, jitter_kind = 2, hw_salt = 0;
	draw(64, 1, a);
	draw(64, 1, b);
	ok(memcmp(a, b, 32) == 0, "the same inputs give the same output (the output is a function of the inputs)");
	ok(memcmp(a, z, 32) != 0, "the output is not zeros");
	draw(64, 2, b);
	ok(memcmp(a, b, 32) != 0, "a different seed gives different output");
	hw_salt = 1;
	draw(64, 1, b);
	ok(memcmp(a, b, 32) != 0, "the same seed with different RDRAND output gives different output");
	hw_salt = 0;
	has_rdrand = 0;
	draw(64, 1, a);
	srand(2);
	random_forget();
	{
		/* same seed, other jitter samples */
		static uint8_t seg[SEED_SEG_MAX];
		struct bootinfo bi = { 0 };

		fakemem_reset();
		bi.seed_start = 0x300000;
		bi.seed_size = make_seg(seg, 64, 1);
		fakemem_map(0x300000, seg, bi.seed_size);
		random_take_seed(&bi);
		srand(2);
		random_bytes(b, 32);
	}
	ok(memcmp(a, b, 32) != 0, "the same seed with other jitter (another boot of one load) gives different output");
	random_bytes(c, 32);
	ok(memcmp(b, c, 32) != 0, "successive draws differ");
	draw(64, 1, a);
	ok(memcmp(a, c, 32) != 0 && memmem(a, 32, "\x01\x08\x0f\x16", 4) == NULL, "the output holds no seed bytes");
	random_forget();
}

int main(void)
{
	test_parse();
	test_take();
	test_enough();
	test_mixing();
	return ok_done();
}
