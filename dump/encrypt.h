/* Encryption in the stream stage (dump/stream.c): when dump.encrypt= names recipients, every
 * target's file becomes an age v1 file to them (crypto/age.h), with the file key, ephemeral keys
 * and nonce from crypto/random.h. dump/encrypt.c provides stream_age; stream.c refuses an encrypted
 * target in a build (a unit test) without it, and never sends such a target in clear. */
#ifndef DUMP_ENCRYPT_H
#define DUMP_ENCRYPT_H

#include "crypto/age.h"
#include "lib/cmdline.h"

struct stream_cipher {
	/* Start the age file of plain bytes (STREAM_SIZE_UNKNOWN: known only at the end) to cfg's
	 * recipients in w, its bytes to go through out(ctx); nothing is sent yet. Sets *size to the
	 * file's size (unknown stays unknown). Returns 0, or a negative error after a log line naming
	 * the target's transport (what) and why: a malformed recipient, no randomness. */
	int (*begin)(struct age_writer *w, const struct config *cfg, uint64_t plain, uint64_t *size,
		     age_out_fn out, void *ctx, const char *what);
	int (*write)(struct age_writer *w, const void *buf, size_t len);	/* age_write */
	int (*end)(struct age_writer *w);					/* age_end */
	void (*abandon)(struct age_writer *w);				/* age_abandon */
};

/* dump/encrypt.c's, on crypto/age.c. */
extern const struct stream_cipher stream_age;

/* Whether cfg asks for encryption: any dump.encrypt= word, kept or not. */
static inline bool encrypt_wanted(const struct config *cfg)
{
	return cfg->nencrypt > 0 || cfg->encrypt_lost > 0;
}

#endif
