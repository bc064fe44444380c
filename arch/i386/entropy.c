/* The CPU's entropy for crypto/random.c: RDSEED and RDRAND when CPUID lists them, and the TSC to
 * time a memory walk with (contracts in crypto/entropy.h). */
#include "arch/io.h"
#include "crypto/entropy.h"

#define CPUID_1_ECX_RDRAND (1u << 30)
#define CPUID_7_EBX_RDSEED (1u << 18)
#define CPUID_1_EDX_TSC (1u << 4)
#define RDRAND_TRIES 10		/* Intel DRNG guide 5.2.1: a failure 10 times running means a broken DRNG */
#define RDSEED_TRIES 100	/* RDSEED runs dry under load by design: retry longer, pausing */
#define JITTER_BUF 8192u	/* scattered over many cache sets and two pages */

/* CPUID.1:ECX.RDRAND and CPUID.(7,0):EBX.RDSEED. */
static bool cpu_has(bool seed)
{
	uint32_t a, b, c, d, max;

	cpuid(0, &max, &b, &c, &d);
	if (!seed) {
		if (max < 1)
			return false;
		cpuid(1, &a, &b, &c, &d);
		return c & CPUID_1_ECX_RDRAND;
	}
	if (max < 7)
		return false;
	cpuid(7, &a, &b, &c, &d);
	return b & CPUID_7_EBX_RDSEED;
}

/* One 32-bit word; the carry flag says whether it is valid. */
static bool rdrand32(uint32_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdseed32(uint32_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

/* Fill buf word by word from one instruction with its retry rule. */
static int fill(void *buf, size_t n, bool seed)
{
	uint8_t *p = buf;
	size_t i;

	if (!cpu_has(seed))
		return -ENODEV;
	for (i = 0; i + 4 <= n; i += 4) {
		uint32_t v = 0;
		int tries = seed ? RDSEED_TRIES : RDRAND_TRIES;

		while (!(seed ? rdseed32(&v) : rdrand32(&v)))
			if (--tries == 0)
				return -EIO;
			else if (seed)
				cpu_relax();
		memcpy(p + i, &v, 4);
	}
	return 0;
}

/* Contracts of these three in crypto/entropy.h. */
int entropy_rdseed(void *buf, size_t n)
{
	return fill(buf, n, true);
}

int entropy_rdrand(void *buf, size_t n)
{
	return fill(buf, n, false);
}

/* Each sample times 64 dependent read-modify-writes at TSC-derived places in an 8 KiB buffer. */
int entropy_jitter(uint32_t *deltas, size_t n)
{
	static volatile uint8_t walk[JITTER_BUF];
	uint32_t a, b, c, d, at = 0;
	size_t i, j;

	cpuid(1, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_TSC))
		return -ENODEV;
	for (i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		at ^= (uint32_t)t0;
		for (j = 0; j < 64; j++) {
			at = at * 1103515245u + 12345u + walk[at % JITTER_BUF];
			walk[(at >> 8) % JITTER_BUF] += (uint8_t)j;
		}
		deltas[i] = (uint32_t)(rdtsc() - t0);
	}
	return 0;
}
