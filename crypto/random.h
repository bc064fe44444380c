/* Crash-time randomness for encrypted dumps: the age file key, the ephemeral X25519 keys and the
 * payload nonce come from here. */
#ifndef CRYPTO_RANDOM_H
#define CRYPTO_RANDOM_H

#include <stddef.h>

/* Fills buf with n bytes fit for keys. Returns 0, or a negative error after a log line saying why
 * there is not enough entropy (the caller then skips the encrypted target: never sends in clear). */
int random_bytes(void *buf, size_t n);

#endif
