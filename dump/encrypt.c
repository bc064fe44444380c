/* The stream stage's encryption (dump/encrypt.h): dump.encrypt= recipients decoded, the file's
 * randomness drawn, the age writer started on its 64 KiB chunk buffer, and on a second one that a
 * helper CPU seals in when the kernel can start one. */
#include "crypto/random.h"
#include "dump/compress.h"
#include "dump/encrypt.h"
#include "dump/stream.h"
#include "lib/log.h"

_Static_assert(MAX_RECIPIENTS <= AGE_MAX_RECIPIENTS, "every dump.encrypt= word gets its stanza");
_Static_assert(RECIPIENT_TEXT_MAX > BECH32_MAX_LEN, "a Bech32 string fits a dump.encrypt= value");

/* The plaintext of one chunk and its tag: the stream stage's only buffer for encryption. */
static uint8_t age_chunk[AGE_CHUNK_SIZE + AGE_TAG_SIZE] __attribute__((aligned(64)));

/* See encrypt.h. */
static int age_stream_begin(struct age_writer *w, const struct config *cfg, uint64_t plain, uint64_t *size,
			    age_out_fn out, void *ctx, const char *what)
{
	uint8_t keys[MAX_RECIPIENTS][AGE_KEY_SIZE];
	struct age_secrets sec;
	const char *why = "";
	int n = cfg->nencrypt, rc;

	if (cfg->encrypt_lost > 0) {
		log_err("%s: %d dump.encrypt= word%s could not be kept (see above); target skipped: an encrypted "
			"dump is never sent in clear", what, cfg->encrypt_lost, cfg->encrypt_lost > 1 ? "s" : "");
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		const char *r = cfg->encrypt_to[i];

		if (age_recipient_parse(r, strnlen(r, RECIPIENT_TEXT_MAX), keys[i], &why) != 0) {
			log_err("%s: dump.encrypt=%s: %s; target skipped: an encrypted dump is never sent in clear",
				what, r, why);
			return -EINVAL;
		}
	}
	/* The file key, the payload nonce and one ephemeral secret a recipient, all fresh. */
	if ((rc = random_bytes(&sec, offsetof(struct age_secrets, ephemeral) + (size_t)n * sizeof(sec.ephemeral[0]))) != 0) {
		log_err("%s: no randomness for the file's keys (%d); target skipped: an encrypted dump is never "
			"sent in clear", what, rc);
		crypto_wipe(&sec, sizeof(sec));
		return rc;
	}
	rc = age_begin(w, (const uint8_t (*)[AGE_KEY_SIZE])keys, n, &sec, age_chunk, out, ctx, &why);
	crypto_wipe(&sec, sizeof(sec));
	if (rc != 0) {
		log_err("%s: dump.encrypt=: %s; target skipped: an encrypted dump is never sent in clear", what, why);
		return rc;
	}
#if AGE_ARCH_SEAL
	/* A second chunk buffer, from the compressors' arena when this dump's compressor leaves it,
	 * lets a helper CPU seal each chunk while the next one fills and the last one is sent. A
	 * target left by a CPU exception may have left the helper sealing in these buffers: that ends
	 * first. */
	age_arch_sealer.wait();
	{
		uint8_t *other = compress_arena_spare(cfg->dump_format, cfg->dump_compress, sizeof(age_chunk));

		if (other)
			age_pipeline(w, &age_arch_sealer, other);
		else
			log_info("%s: dump.compress=zlib takes all the memory a second chunk would: sealing on this CPU", what);
	}
#endif
	/* A size past any real file is taken as unknown rather than overflow. */
	*size = plain >= (1ull << 62) ? STREAM_SIZE_UNKNOWN : age_file_size(n, plain);
	if (*size == STREAM_SIZE_UNKNOWN)
		log_info("%s: encrypted to %d age recipient%s (age v1: X25519, ChaCha20-Poly1305), size known at the end",
			 what, n, n > 1 ? "s" : "");
	else
		log_info("%s: encrypted to %d age recipient%s (age v1: X25519, ChaCha20-Poly1305), %llu bytes",
			 what, n, n > 1 ? "s" : "", (unsigned long long)*size);
	return 0;
}

const struct stream_cipher stream_age = { age_stream_begin, age_write, age_end, age_abandon };
