/* A minimal random_bytes (crypto/random.h) from the CPU's RDRAND alone, for this branch's tests of
 * encrypted dumps: the crash-time generator (load-time seed, RDSEED/RDRAND, jitter, HMAC_DRBG)
 * replaces this file. Without RDRAND it refuses, as the contract asks. */
#include "crypto/random.h"
#include "lib/lib.h"
#include "lib/log.h"

#define CPUID_1_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES 10	/* Intel's DRNG guide: a failure 10 times in a row means a broken unit */

/* One 32-bit RDRAND value; 0 when the unit gave none. */
static int rdrand32(uint32_t *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return 1;
	}
	return 0;
}

/* See random.h. */
int random_bytes(void *buf, size_t n)
{
	uint32_t a, b, c, d;
	uint8_t *p = buf;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0u));
	if (!(c & CPUID_1_ECX_RDRAND)) {
		log_err("random: this CPU has no RDRAND and this build takes randomness from nowhere else");
		return -EIO;
	}
	while (n > 0) {
		uint32_t v;
		size_t k = MIN(n, sizeof(v));

		if (!rdrand32(&v)) {
			log_err("random: RDRAND gave no value %d times in a row", RDRAND_RETRIES);
			return -EIO;
		}
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
	return 0;
}
