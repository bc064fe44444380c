/* age's X25519 recipient strings ("age1" + Bech32 of a 32-byte public key, age-encryption.org/v1),
 * decoded and checked: untrusted input (the command line, a recipients file), shared by the kernel
 * and salvage-recipients on the host. */
#ifndef CRYPTO_RECIPIENT_H
#define CRYPTO_RECIPIENT_H

#include "lib/lib.h"

#define AGE_KEY_SIZE 32		/* an X25519 public key */
/* "age1" + 52 data characters + 6 of checksum: the length of every X25519 recipient. */
#define AGE_RECIPIENT_LEN 62
/* BIP 173's bound on a Bech32 string; nothing longer is looked at. */
#define BECH32_MAX_LEN 90

/* Decode s (len bytes, no NUL needed) as Bech32 (BIP 173): all lower or all upper case, printable,
 * "<hrp>1<data><6-character checksum>" with a valid checksum; the data regrouped from 5 to 8 bits,
 * its padding at most 4 zero bits. The lowercased human-readable part goes to hrp (NUL-terminated,
 * hrp_size bytes at most), the data to out (out_size at most). Returns the number of data bytes, or
 * -EINVAL with *why a short reason. Reads nothing beyond s[len - 1]. */
int bech32_decode(const char *s, size_t len, char *hrp, size_t hrp_size, uint8_t *out, size_t out_size,
		  const char **why);

/* s (len bytes) as an age X25519 recipient: Bech32 with the part "age" and exactly 32 bytes of
 * key. Returns 0 and the key, or -EINVAL with *why a short reason. */
int age_recipient_parse(const char *s, size_t len, uint8_t key[AGE_KEY_SIZE], const char **why);

#endif
