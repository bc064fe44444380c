/* Crash-time randomness (contract in crypto/random.h): what counts as enough entropy, gathering it
 * and mixing it through BearSSL's HMAC_DRBG with SHA-256 (NIST SP 800-90A), which does all the
 * cryptography here.
 *
 * When there is enough. A file key must be (1) secret and (2) never the same twice:
 *  - secret: 256 bits that no one on the network can know. Either salvage-load's seed (at least
 *    32 bytes of getrandom() taken at load time, salvage-load's own kexec segment), or the CPU's
 *    RDSEED (32 bytes) or RDRAND (8 KiB: Intel's DRNG guide has 512 128-bit RDRAND outputs span a
 *    reseed of its generator, so they hold at least one full seed).
 *  - fresh: input that differs at every boot, because one load can boot salvage more than once
 *    (a reset before the crash region is reloaded, a test rig, a VM snapshot): RDSEED/RDRAND, or
 *    timing jitter of at least JITTER_FRESH_BITS by the estimate below.
 * Timing jitter never counts toward secrecy: salvage runs alone on one CPU with interrupts off right
 * after a reset, where a loop's timing is largely a function of the machine's state, and a VM's
 * TSC can be replayed exactly; salvage has no validated model of it. So without a seed and without
 * RDRAND/RDSEED salvage refuses to encrypt and says to load it with salvage-load.
 * Jitter estimate, after NIST SP 800-90B: per sample, -log2 of the upper 99% bound of the share of
 * samples the best of a few simple guessers predicts (the commonest value; the value or the step of
 * k samples before, k = 1..16), of which a quarter is credited since successive samples are not
 * independent; a run of JITTER_RCT_CUTOFF equal samples (the repetition count test) means a stuck
 * timer and credits nothing. Under QEMU's TCG this credited 218-560 bits in 8 boots (2048 samples).
 * Everything found is mixed in, credited or not; every input buffer is wiped after mixing. */
#include <bearssl.h>
#include "crypto/entropy.h"
#include "crypto/random.h"
#include "crypto/seed.h"
#include "crypto/wipe.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "mm/phys.h"

#define HW_SEED_BYTES 32u		/* RDSEED: 256 bits */
#define HW_RAND_BYTES 8192u		/* RDRAND: 512 x 128 bits, one full reseed of the DRNG */
#define JITTER_SAMPLES 2048u
#define JITTER_FRESH_BITS 64u		/* two boots share a key with chance 2^-64 at most */
/* SP 800-90B 4.4.1's repetition count cutoff 1 + 20/H (false alarms 2^-20) for the least entropy
 * per sample that could still add up to JITTER_FRESH_BITS: H = 64/2048 bits. */
#define JITTER_RCT_CUTOFF (1u + 20u * JITTER_SAMPLES / JITTER_FRESH_BITS)
#define JITTER_LAGS 16u
#define RANDOM_PERSONAL "salvage crash-time random v1"

static struct {
	uint8_t seed[SEED_MAX];		/* the load-time seed, until the generator is seeded */
	size_t seed_len;
	int state;			/* 0 not seeded yet, 1 seeded, < 0 refused (the error) */
	char why[256];			/* the refusal, logged again at every call */
	br_hmac_drbg_context drbg;
	union {				/* the CPU's bytes, then (mixed and wiped) the jitter estimate's scratch */
		uint8_t hw[HW_RAND_BYTES];
		uint32_t sorted[JITTER_SAMPLES];
	};
	uint32_t jitter[JITTER_SAMPLES];
} pool;

void random_forget(void)
{
	crypto_wipe(&pool, sizeof(pool));
}

/* Contract in crypto/random.h. The segment is wiped only once its magic says it is the seed: a
 * boot_params initrd or a module that is something else is left alone. */
void random_take_seed(const struct bootinfo *bi)
{
	static uint8_t seg[SEED_SEG_MAX];
	uint64_t len = bi->seed_size;
	size_t off, n;

	if (len == 0)
		return;
	if (phys_read(bi->seed_start, seg, MIN(len, (uint64_t)SEED_SEG_MAX)) != 0) {
		log_err("seed: segment at 0x%llx unreadable; not used", (unsigned long long)bi->seed_start);
		return;
	}
	if (!seed_magic_ok(seg, MIN(len, (uint64_t)SEED_SEG_MAX))) {
		log_info("seed: the initrd at 0x%llx is no seed segment; not used",
			 (unsigned long long)bi->seed_start);
		return;
	}
	/* seed_parse refuses a segment longer than what seg holds (its size disagrees with the
	 * header's count, at most SEED_MAX) before it reads past the header. */
	if (seed_parse(seg, len, &off, &n) == 0) {
		memcpy(pool.seed, seg + off, n);
		pool.seed_len = n;
	}
	crypto_wipe(seg, sizeof(seg));
	if (phys_zero(bi->seed_start, MIN(len, (uint64_t)SEED_SEG_MAX)) != 0)
		log_warn("seed: segment at 0x%llx could not be wiped", (unsigned long long)bi->seed_start);
	if (pool.seed_len)
		log_info("seed: %u bytes from salvage-load taken, segment wiped", (unsigned)pool.seed_len);
}

/* floor(256 * log2(x)) for x >= 1: the integer part from the top bit, then 8 fraction bits by
 * squaring the mantissa (no floating point in the kernel). */
static uint32_t log2_q8(uint32_t x)
{
	uint32_t k = 31, frac = 0, i;
	uint64_t y;

	while (!(x >> k))
		k--;
	y = ((uint64_t)x << 16) >> k;		/* mantissa in [1, 2), 16 fraction bits */
	for (i = 0; i < 8; i++) {
		y = y * y >> 16;
		frac <<= 1;
		if (y >= 2u << 16) {
			y >>= 1;
			frac |= 1;
		}
	}
	return k << 8 | frac;
}

static uint32_t isqrt(uint32_t v)
{
	uint32_t r = 0, b;

	for (b = 1u << 15; b; b >>= 1)
		if ((r + b) * (r + b) <= v)
			r += b;
	return r;
}

/* The most samples of d[0..n) that one simple guesser gets right: the commonest value (SP 800-90B
 * 6.3.1, on a sorted copy), "the same as k samples ago" and "the same step as k samples ago" for
 * k = 1..JITTER_LAGS (its lag predictor, 6.3.8, also on first differences, which catches counters). */
static size_t best_guesses(const uint32_t *d, uint32_t *sorted, size_t n)
{
	size_t i, j, gap, run = 1, best = 1, k;

	memcpy(sorted, d, n * sizeof(*d));
	for (gap = n / 2; gap; gap /= 2)	/* Shell sort: n is small and fixed */
		for (i = gap; i < n; i++)
			for (j = i; j >= gap && sorted[j - gap] > sorted[j]; j -= gap) {
				uint32_t t = sorted[j];

				sorted[j] = sorted[j - gap];
				sorted[j - gap] = t;
			}
	for (i = 1; i < n; i++) {
		run = sorted[i] == sorted[i - 1] ? run + 1 : 1;
		best = MAX(best, run);
	}
	for (k = 1; k <= JITTER_LAGS && k + 1 < n; k++) {
		size_t same = 0, step = 0;

		for (i = k; i < n; i++)
			same += d[i] == d[i - k];
		for (i = k + 1; i < n; i++)
			step += d[i] - d[i - 1] == d[i - k] - d[i - k - 1];
		best = MAX(best, MAX(same, step));
	}
	return best;
}

/* Bits of fresh input credited to n jitter samples (see the top of the file). */
static uint32_t jitter_bits(const uint32_t *d, uint32_t *sorted, size_t n)
{
	size_t i, run = 1, best;
	uint32_t upper, var;

	if (n < 2 * JITTER_LAGS)
		return 0;
	for (i = 1; i < n; i++) {
		run = d[i] == d[i - 1] ? run + 1 : 1;
		if (run >= JITTER_RCT_CUTOFF)
			return 0;
	}
	best = best_guesses(d, sorted, n);
	/* the guesser's hits plus 2.576 standard deviations: an upper 99% bound (SP 800-90B 6.3.1) */
	var = (uint32_t)(best * (n - best) / n);
	upper = MIN((uint32_t)n, (uint32_t)best + (isqrt(var) * 2576u + 999u) / 1000u + 1u);
	return (log2_q8((uint32_t)n) - log2_q8(upper)) * (uint32_t)n / 256u / 4u;
}

/* No two equal 32-bit words running for 4: a CPU generator stuck on one value (AMD's RDRAND
 * returning all ones after resume was one) fails this; a working one does with chance 2^-96. */
static bool hw_healthy(const uint8_t *b, size_t n)
{
	uint32_t w, prev = 0;
	size_t i, run = 0;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, b + i, 4);
		run = (i && w == prev) ? run + 1 : 1;
		if (run >= 4)
			return false;
		prev = w;
	}
	return true;
}


/* Gather every source, decide whether there is enough, seed the generator. Returns 0 or -EIO with
 * pool.why set. */
static int seed_generator(void)
{
	const char *hw = NULL;
	size_t hw_len = 0;
	uint32_t jbits = 0;
	uint64_t now;
	int rc;

	rc = entropy_rdseed(pool.hw, HW_SEED_BYTES);
	if (rc == 0 && hw_healthy(pool.hw, HW_SEED_BYTES)) {
		hw = "RDSEED";
		hw_len = HW_SEED_BYTES;
	} else {
		rc = entropy_rdrand(pool.hw, HW_RAND_BYTES);
		if (rc == 0 && hw_healthy(pool.hw, HW_RAND_BYTES)) {
			hw = "RDRAND";
			hw_len = HW_RAND_BYTES;
		} else if (rc != -ENODEV) {
			log_warn("random: RDRAND %s; not used", rc == 0 ? "repeats itself (broken)" : "kept failing");
		}
	}
	/* Instantiate with whatever is secret, then add everything else. */
	if (pool.seed_len)
		br_hmac_drbg_init(&pool.drbg, &br_sha256_vtable, pool.seed, pool.seed_len);
	else
		br_hmac_drbg_init(&pool.drbg, &br_sha256_vtable, pool.hw, hw_len);
	br_hmac_drbg_update(&pool.drbg, pool.hw, hw_len);
	crypto_wipe(pool.seed, sizeof(pool.seed));
	crypto_wipe(pool.hw, sizeof(pool.hw));
	if (entropy_jitter(pool.jitter, JITTER_SAMPLES) == 0)
		jbits = jitter_bits(pool.jitter, pool.sorted, JITTER_SAMPLES);
	br_hmac_drbg_update(&pool.drbg, pool.jitter, sizeof(pool.jitter));
	now = clock_us();
	br_hmac_drbg_update(&pool.drbg, &now, sizeof(now));
	br_hmac_drbg_update(&pool.drbg, RANDOM_PERSONAL, sizeof(RANDOM_PERSONAL) - 1);
	crypto_wipe(pool.jitter, sizeof(pool.jitter));
	crypto_wipe(pool.sorted, sizeof(pool.sorted));

	/* A refusal is kept in pool.why: random_bytes says it at every call. */
	if (!pool.seed_len && !hw) {
		snprintf(pool.why, sizeof(pool.why), "random: not enough entropy to encrypt: no seed from "
			 "salvage-load and no RDRAND/RDSEED on this CPU (timing jitter alone is not trusted "
			 "for keys); load salvage with salvage-load, which passes it a seed from getrandom()");
		return pool.state = -EIO;
	}
	if (!hw && jbits < JITTER_FRESH_BITS) {
		snprintf(pool.why, sizeof(pool.why), "random: not enough entropy to encrypt: without "
			 "RDRAND/RDSEED, timing jitter gave %u of the %u fresh bits needed next to "
			 "salvage-load's seed (the same at every boot of one load): a key could repeat",
			 (unsigned)jbits, JITTER_FRESH_BITS);
		return pool.state = -EIO;
	}
	log_info("random: seeded from %s%s%s%s, timing jitter (~%u bits)",
		 pool.seed_len ? "salvage-load's seed" : "", pool.seed_len && hw ? ", " : "", hw ? hw : "",
		 hw && hw_len == HW_RAND_BYTES ? " (8 KiB)" : "", jbits);
	pool.state = 1;
	return 0;
}

/* Contract in crypto/random.h. HMAC_DRBG updates its state after each draw: these bytes tell nothing
 * about later ones (the keys). */
void random_test_draw(unsigned n)
{
	uint8_t b[32];
	char hex[2 * sizeof(b) + 1];

	n = MIN(n, (unsigned)sizeof(b));
	if (random_bytes(b, n) != 0)
		return;
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	log_info("random: test draw %s", hex);
}

/* Contract in crypto/random.h. */
int random_bytes(void *buf, size_t n)
{
	if (pool.state == 0)
		seed_generator();
	if (pool.state < 0) {
		log_err("%s", pool.why);
		return pool.state;
	}
	br_hmac_drbg_generate(&pool.drbg, buf, n);
	return 0;
}
