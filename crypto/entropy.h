/* The hardware behind crypto/random.c: the CPU's random number instructions and a timer to
 * measure jitter with. Kernel: arch/i386/entropy.c; host tests: fakes the test controls. */
#ifndef CRYPTO_ENTROPY_H
#define CRYPTO_ENTROPY_H

#include "lib/lib.h"

/* Fill buf (n a multiple of 4) from RDSEED / RDRAND, with the retry rules of Intel's DRNG guide
 * (RDRAND: 10 tries a word; RDSEED: 100, pausing between). Return 0, -ENODEV when CPUID does not
 * list the instruction, -EIO when a word still failed after its retries. */
int entropy_rdseed(void *buf, size_t n);
int entropy_rdrand(void *buf, size_t n);

/* n timing samples: the cycle counts of a short memory walk each, which vary with the caches,
 * TLBs, pipeline and (in a VM) the host. Returns 0 or -ENODEV (no cycle counter). */
int entropy_jitter(uint32_t *deltas, size_t n);

#endif
