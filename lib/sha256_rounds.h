/* The SHA-256 compression function (FIPS 180-4 4.1.2, 6.2.2), shared by lib/sha256.c and the
 * 64-bit build in arch/i386/long64/: freestanding, no data of its own (K comes by pointer). */
#ifndef LIB_SHA256_ROUNDS_H
#define LIB_SHA256_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t sha256_rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* FIPS 180-4 4.1.2 functions. */
/* Ch and Maj in their equivalent three- and four-operation forms (fewer instructions on i386). */
#define SHA256_CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define SHA256_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define SHA256_BSIG0(x) (sha256_rotr(x, 2) ^ sha256_rotr(x, 13) ^ sha256_rotr(x, 22))
#define SHA256_BSIG1(x) (sha256_rotr(x, 6) ^ sha256_rotr(x, 11) ^ sha256_rotr(x, 25))
#define SHA256_SSIG0(x) (sha256_rotr(x, 7) ^ sha256_rotr(x, 18) ^ ((x) >> 3))
#define SHA256_SSIG1(x) (sha256_rotr(x, 17) ^ sha256_rotr(x, 19) ^ ((x) >> 10))

/* One round of FIPS 180-4 6.2.2 step 3 with the working variables renamed instead of moved:
 * after it, (a..h) of the next round are (h', a, b, c, d', e, f, g). */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, t)                                              \
	do {                                                                                 \
		uint32_t t1 = h + SHA256_BSIG1(e) + SHA256_CH(e, f, g) + k[t] + w[t];        \
		d += t1;                                                                     \
		h = t1 + SHA256_BSIG0(a) + SHA256_MAJ(a, b, c);                              \
	} while (0)

typedef uint32_t __attribute__((may_alias, aligned(1))) sha256_be32_word;

/* Process nblocks consecutive 64-byte blocks at p into h (FIPS 180-4 6.2.2), eight rounds per
 * loop pass; k is the 64-word constant table K (section 4.2.2). */
static inline void sha256_rounds(uint32_t h[8], const uint8_t *p, size_t nblocks, const uint32_t *k)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;
	int t;

	for (; nblocks; nblocks--, p += 64) {
		for (t = 0; t < 16; t++) /* big-endian words, any alignment */
			w[t] = __builtin_bswap32(((const sha256_be32_word *)p)[t]);
		for (t = 16; t < 64; t++)
			w[t] = SHA256_SSIG1(w[t - 2]) + w[t - 7] + SHA256_SSIG0(w[t - 15]) + w[t - 16];
		a = h[0]; b = h[1]; c = h[2]; d = h[3];
		e = h[4]; f = h[5]; g = h[6]; hh = h[7];
		for (t = 0; t < 64; t += 8) {
			SHA256_ROUND(a, b, c, d, e, f, g, hh, t);
			SHA256_ROUND(hh, a, b, c, d, e, f, g, t + 1);
			SHA256_ROUND(g, hh, a, b, c, d, e, f, t + 2);
			SHA256_ROUND(f, g, hh, a, b, c, d, e, t + 3);
			SHA256_ROUND(e, f, g, hh, a, b, c, d, t + 4);
			SHA256_ROUND(d, e, f, g, hh, a, b, c, t + 5);
			SHA256_ROUND(c, d, e, f, g, hh, a, b, t + 6);
			SHA256_ROUND(b, c, d, e, f, g, hh, a, t + 7);
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d;
		h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
	}
}

#endif
