/* Crash-time randomness for encrypted dumps: the load-time seed from salvage-load, the CPU's
 * RDSEED/RDRAND and timing jitter, mixed by BearSSL's HMAC_DRBG (SHA-256). crypto/random.c says
 * when there is enough of it. */
#ifndef CRYPTO_RANDOM_H
#define CRYPTO_RANDOM_H

#include "lib/lib.h"
#include "mm/memmap.h"

/* Fill buf with n random bytes. Returns 0, or a negative error (-EIO) after one log line saying
 * why there is not enough entropy and what to do; the caller then skips its encrypted target
 * (never sending in clear). The first call gathers the sources (tens of milliseconds) and logs
 * which were used, never their values. */
int random_bytes(void *buf, size_t n);

/* Boot step, before anything is sent: find the seed segment salvage-load passed (bi->seed), keep
 * a copy in salvage's .bss and wipe the segment, so no target, encrypted or not, can carry it.
 * A damaged segment is reported and ignored. */
void random_take_seed(const struct bootinfo *bi);

/* salvage.random=<n> (debug, tests): draw n (at most 32) bytes that nothing else uses and log them
 * in hex, so a test sees the generator work and differ between boots. */
void random_test_draw(unsigned n);

/* Forget the seed and the generator (host tests and fuzz targets, between cases). */
void random_forget(void);

#endif
