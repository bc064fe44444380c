/* The SHA-256 rounds built for x86_64 (16 registers, no spills of a..h), turned into a flat
 * position-independent blob that arch/i386/long.asm includes and calls in long mode. */
#include "lib/sha256_rounds.h"

/* The blob's only function, at offset 0 (SysV AMD64: rdi, rsi, rdx, rcx): hash nblocks blocks at
 * p into h with constants k. No data of its own and no calls, so the blob needs no relocation. */
void sha256_blocks64(uint32_t h[8], const uint8_t *p, uint64_t nblocks, const uint32_t *k)
{
	sha256_rounds(h, p, nblocks, k);
}
