/* Zeroing secrets (keys, seeds, plaintext held for a chunk) so that it happens: a memset at the end of
 * a buffer's life is a dead store the compiler may drop. */
#ifndef CRYPTO_WIPE_H
#define CRYPTO_WIPE_H

#include "lib/lib.h"

static inline void crypto_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

#endif
