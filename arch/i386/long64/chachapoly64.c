/* ChaCha20-Poly1305 sealing built for x86_64 into the long-mode blob: BearSSL's chacha20_ct and
 * poly1305_ctmulq (64x64->128-bit multiplies), compiled with it from Debian's source package
 * (memcpy and memset: lib/string.c, built into the blob too). */
/* Every symbol is in the blob: hidden, so that taking br_chacha20_ct_run's address needs no GOT. */
#pragma GCC visibility push(hidden)
#include <bearssl.h>

/* The blob's entry (SysV AMD64: rdi, rsi, rdx, rcx, r8): seal len bytes at data in place with key
 * and the 12-byte nonce iv, no associated data, the 16-byte tag to tag (RFC 8439), exactly as
 * crypto/age.c's 32-bit br_poly1305_ctmul32_run does. Returns 0. */
int chachapoly_seal64(const void *key, const void *iv, void *data, uint64_t len, void *tag)
{
	static const unsigned char no_aad[1];

	br_poly1305_ctmulq_run(key, iv, data, len, no_aad, 0, tag, br_chacha20_ct_run, 1);
	return 0;
}
