/* The age v1 file writer (age-encryption.org/v1): an X25519 stanza per recipient, the header MAC,
 * the payload nonce, then the STREAM payload of ChaCha20-Poly1305 64 KiB chunks. Every primitive is
 * BearSSL's; the randomness is the caller's (crypto/random.h at crash time, fixed in unit tests).
 * Plaintext goes in, the file comes out in order through an output callback: no seeking. */
#ifndef CRYPTO_AGE_H
#define CRYPTO_AGE_H

#include "crypto/recipient.h"
#include "crypto/wipe.h"
#include "lib/lib.h"

#define AGE_MAX_RECIPIENTS 8
#define AGE_FILE_KEY_SIZE 16
#define AGE_NONCE_SIZE 16		/* the payload nonce after the header */
#define AGE_CHUNK_SIZE 65536u		/* plaintext bytes per STREAM chunk */
#define AGE_TAG_SIZE 16			/* Poly1305 tag after each chunk */
/* The header's bytes: the version line (22), each stanza "-> X25519 <43>\n<43>\n" (98), the MAC
 * line "--- <43>\n" (48); then the nonce. */
#define AGE_HEADER_SIZE(n) (22u + 98u * (unsigned)(n) + 48u)
#define AGE_HEAD_MAX (AGE_HEADER_SIZE(AGE_MAX_RECIPIENTS) + AGE_NONCE_SIZE)

/* The randomness of one file; each value serves once. */
struct age_secrets {
	uint8_t file_key[AGE_FILE_KEY_SIZE];
	uint8_t nonce[AGE_NONCE_SIZE];
	uint8_t ephemeral[AGE_MAX_RECIPIENTS][32];	/* X25519 secret scalars, one a recipient */
};

/* Where the file's bytes go, in order; 0 or a negative error (the writer then stops). */
typedef int (*age_out_fn)(void *ctx, const void *buf, size_t len);

/* Sealing a chunk elsewhere (another CPU) while the writer goes on: start returns 0 once it began
 * sealing len bytes at data in place with key and iv, the tag to tag (as age_arch_seal), and wait
 * then returns 0 when that is done or a negative error when it never will be (the chunk is lost);
 * start returns a negative error when the writer must seal the chunk itself. */
struct age_sealer {
	int (*start)(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t tag[16]);
	int (*wait)(void);
};

struct age_writer {
	age_out_fn out;
	void *ctx;
	uint8_t *chunk;			/* AGE_CHUNK_SIZE + AGE_TAG_SIZE bytes, the caller's: filling */
	size_t fill;			/* plaintext bytes waiting in chunk */
	const struct age_sealer *sealer; /* age_pipeline's; NULL: every chunk is sealed here */
	uint8_t *other;			/* the second chunk buffer: free, or with the sealer */
	size_t sealing;			/* bytes of other with the sealer (+ 1: 0 is none) */
	uint8_t iv[12];			/* the nonce of the chunk being sealed */
	uint64_t counter;		/* chunks sealed so far */
	uint8_t payload_key[32];
	uint8_t head[AGE_HEAD_MAX];	/* header and nonce, sent before the first chunk */
	size_t head_len;
	bool head_sent;
	int rc;				/* the first error; every later call returns it */
};

/* Bytes of the age file for nrecipients and plain bytes of plaintext: the header, the nonce, and
 * the plaintext with a tag per chunk (an empty payload is one empty chunk). */
uint64_t age_file_size(int nrecipients, uint64_t plain);

/* Start a file to the n (1..AGE_MAX_RECIPIENTS) X25519 public keys with sec's randomness: builds
 * the header (nothing is sent yet). chunk: AGE_CHUNK_SIZE + AGE_TAG_SIZE bytes of the caller's.
 * Returns 0, or -EINVAL with *why set (a recipient key of low order: no shared secret). */
int age_begin(struct age_writer *w, const uint8_t (*keys)[AGE_KEY_SIZE], int n, const struct age_secrets *sec,
	      uint8_t *chunk, age_out_fn out, void *ctx, const char **why);

/* Seal with sealer (when it can) each full chunk while the next fills other (AGE_CHUNK_SIZE +
 * AGE_TAG_SIZE bytes of the caller's), after age_begin and before the first age_write. The file is
 * the same byte for byte. */
void age_pipeline(struct age_writer *w, const struct age_sealer *sealer, uint8_t *other);

/* The next len bytes of plaintext. Sends the header first, then each full chunk once more
 * plaintext follows it. Returns 0 or out's first error. */
int age_write(struct age_writer *w, const void *buf, size_t len);

/* The plaintext ended: seal and send the last chunk. Returns 0 or out's first error. Wipes the
 * writer's keys either way. */
int age_end(struct age_writer *w);

/* Wipe the writer's keys and plaintext without ending the file (after an error elsewhere), once
 * the sealer, if it has a chunk, is done with it. */
void age_abandon(struct age_writer *w);

/* Architecture hook: ChaCha20-Poly1305 (RFC 8439) of len bytes at data in place with key and the
 * 12-byte nonce iv, no associated data, the tag to tag, byte for byte what BearSSL's 32-bit code gives
 * (age.c checks it once against that code) but faster, and return 0; or return a negative error
 * (nothing done; the caller seals with the 32-bit code). Only the i386 kernel has one
 * (arch/i386/longmode.c: 64-bit long mode when the CPU has it); host builds never call it. */
#ifdef __i386__
#define AGE_ARCH_SEAL 1
#else
#define AGE_ARCH_SEAL 0
#endif
int age_arch_seal(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t tag[16]);

/* The same sealing on a helper CPU (arch/i386/longmode.c, <arch/smp.h>), for age_pipeline: it starts
 * only when the machine has a second CPU salvage could start. i386 kernel only. */
extern const struct age_sealer age_arch_sealer;

#endif
