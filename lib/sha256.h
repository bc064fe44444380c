/* SHA-256 (FIPS 180-4): the digest every dump ends with. Freestanding; also built into host tools. */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256 {
	uint32_t h[8];			/* intermediate hash value H(i) */
	uint64_t nbytes;		/* message length so far */
	uint8_t block[SHA256_BLOCK_SIZE]; /* partial block */
	uint32_t fill;			/* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Pads, writes the 32-byte digest to out; s must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
/* One-shot convenience. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);
/* Architecture hook: hash nblocks whole 64-byte blocks at p into h with constants k faster than the
 * portable rounds and return 0, or return a negative error (nothing done; the caller hashes them
 * itself). Only the i386 kernel has one (arch/i386/longmode.c: 64-bit long mode when the CPU
 * has it); host builds never call it. */
#ifdef __i386__
#define SHA256_ARCH_BLOCKS 1
#else
#define SHA256_ARCH_BLOCKS 0
#endif
int sha256_arch_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks, const uint32_t k[64]);
/* Writes 64 lowercase hex digits and a NUL to hex (65 bytes). */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[2 * SHA256_DIGEST_SIZE + 1]);

#endif
