/* SHA-256 written from FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3, 6.2). Freestanding. */
#include "lib/sha256.h"
#include "lib/sha256_rounds.h"

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* One block of the portable rounds (the block loop stays outside: on i386 it would cost registers). */
static __attribute__((noinline)) void sha256_block(uint32_t h[8], const uint8_t *p)
{
	sha256_rounds(h, p, 1, K);
}

/* Hash n whole blocks at p: the architecture's faster rounds when it has them (SHA256_ARCH_BLOCKS,
 * lib/sha256.h), else the portable ones. */
static void sha256_blocks(struct sha256 *s, const uint8_t *p, size_t n)
{
	if (SHA256_ARCH_BLOCKS && sha256_arch_blocks(s->h, p, n, K) == 0)
		return;
	for (; n; n--, p += SHA256_BLOCK_SIZE)
		sha256_block(s->h, p);
}

/* Start a new message. */
void sha256_init(struct sha256 *s)
{
	for (int i = 0; i < 8; i++)
		s->h[i] = H0[i];
	s->nbytes = 0;
	s->fill = 0;
}

/* Append len bytes of data; whole blocks are hashed straight from data without copying. */
void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->nbytes += len;
	if (s->fill) {
		while (len && s->fill < SHA256_BLOCK_SIZE) {
			s->block[s->fill++] = *p++;
			len--;
		}
		if (s->fill < SHA256_BLOCK_SIZE)
			return;
		sha256_blocks(s, s->block, 1);
		s->fill = 0;
	}
	if (len >= SHA256_BLOCK_SIZE) {
		size_t n = len / SHA256_BLOCK_SIZE;

		sha256_blocks(s, p, n);
		p += n * SHA256_BLOCK_SIZE;
		len -= n * SHA256_BLOCK_SIZE;
	}
	while (len--)
		s->block[s->fill++] = *p++;
}

/* Pad (FIPS 180-4 5.1.1: a 1 bit, zeros, the 64-bit big-endian bit length) and output H(N). */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint64_t bits = s->nbytes << 3;
	int i;

	s->block[s->fill++] = 0x80;
	if (s->fill > SHA256_BLOCK_SIZE - 8) {
		while (s->fill < SHA256_BLOCK_SIZE)
			s->block[s->fill++] = 0;
		sha256_blocks(s, s->block, 1);
		s->fill = 0;
	}
	while (s->fill < SHA256_BLOCK_SIZE - 8)
		s->block[s->fill++] = 0;
	for (i = 0; i < 8; i++)
		s->block[SHA256_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_blocks(s, s->block, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

/* Digest of one buffer. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

/* Lowercase hex, NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[2 * SHA256_DIGEST_SIZE + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * SHA256_DIGEST_SIZE] = 0;
}
