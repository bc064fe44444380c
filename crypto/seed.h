/* The seed segment: secret bytes salvage-load takes from getrandom() at load time and hands to
 * salvage as one of its own kexec segments (an initrd or a multiboot module), never on a command
 * line. Format (tools/salvage-load writes it; crypto/seed.c reads it, as untrusted input):
 *
 *   offset 0   12 bytes  "salvage-seed"             SEED_MAGIC
 *   offset 12  u32 LE    n, 32 <= n <= 256          bytes of seed that follow
 *   offset 16  n bytes   the seed
 *
 * The loader's segment size must be exactly 16 + n: anything else is a damaged or foreign
 * segment. Shared by the kernel (crypto/random.c) and the host tests. */
#ifndef CRYPTO_SEED_H
#define CRYPTO_SEED_H

#include "lib/lib.h"

#define SEED_MAGIC "salvage-seed"
#define SEED_MAGIC_LEN 12
#define SEED_HDR_LEN 16
#define SEED_MIN 32		/* 256 bits: the least a seed may carry */
#define SEED_MAX 256
#define SEED_SEG_MAX (SEED_HDR_LEN + SEED_MAX)

struct seed_hdr {
	char magic[SEED_MAGIC_LEN];
	uint32_t len;		/* little-endian */
} __attribute__((packed));
_Static_assert(sizeof(struct seed_hdr) == SEED_HDR_LEN, "seed segment header is 16 bytes");

/* Non-zero when the first bytes of a segment (at least SEED_MAGIC_LEN of them, have bytes) carry
 * the seed magic: how a multiboot module or an initrd is recognised as the seed. */
bool seed_magic_ok(const void *start, size_t have);

/* Check the segment seg of seglen bytes (as its loader sized it). Returns 0 and sets *off and *n to
 * where the seed bytes are inside seg and how many; else -EINVAL (bad magic, too short, a length
 * outside 32..256, a length that disagrees with the segment's size, or seed bytes that are all the
 * same value: zeroed or scribbled on), after one log line saying which. Never reads past seglen. */
int seed_parse(const void *seg, uint64_t seglen, size_t *off, size_t *n);

#endif
