/* The age v1 writer (crypto/age.h) on BearSSL's X25519 (ec_c25519_m31), HKDF-SHA-256, HMAC-SHA-256
 * and ChaCha20-Poly1305 (chacha20_ct + poly1305_ctmul32, or the architecture's faster code for the
 * payload's chunks: age_arch_seal). Format: age-encryption.org/v1. */
#include <bearssl.h>

#include "crypto/age.h"
#include "lib/log.h"

#define B64_LEN(n) (((n) * 4 + 2) / 3)	/* unpadded base64 characters of n bytes */

_Static_assert(B64_LEN(32) == 43, "a 32-byte value is 43 base64 characters");
_Static_assert(B64_LEN(AGE_FILE_KEY_SIZE + AGE_TAG_SIZE) < 64, "a wrapped file key fits one 64-column line");
_Static_assert(AGE_HEADER_SIZE(1) == sizeof("age-encryption.org/v1\n") - 1 + sizeof("-> X25519 \n\n") - 1 +
	       2 * B64_LEN(32) + sizeof("--- \n") - 1 + B64_LEN(32), "AGE_HEADER_SIZE counts the header");

/* Standard base64 (RFC 4648) of n bytes without padding, as age writes it; returns the length. */
static size_t b64(const uint8_t *in, size_t n, char *out)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
		out[o++] = alpha[v & 63];
	}
	if (n - i == 1) {
		out[o++] = alpha[in[i] >> 2];
		out[o++] = alpha[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = alpha[v >> 10];
		out[o++] = alpha[(v >> 4) & 63];
		out[o++] = alpha[(v & 15) << 2];
	}
	return o;
}

/* HKDF-SHA-256 (RFC 5869) of ikm with salt and the text info, 32 bytes into out. */
static void hkdf_sha256(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len, const char *info,
			uint8_t out[32])
{
	br_hkdf_context hc;

	br_hkdf_init(&hc, &br_sha256_vtable, salt, salt_len);
	br_hkdf_inject(&hc, ikm, ikm_len);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, strlen(info), out, 32);
	crypto_wipe(&hc, sizeof(hc));
}

/* ChaCha20-Poly1305 (RFC 8439) in place with BearSSL's constant-time 32-bit code: len bytes at data
 * with key and the 12-byte nonce, no associated data; the 16-byte tag goes to tag. */
static void seal32(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t *tag)
{
	static const uint8_t no_aad[1];

	br_poly1305_ctmul32_run(key, iv, data, len, no_aad, 0, tag, br_chacha20_ct_run, 1);
}

/* Whether the architecture's sealing (age_arch_seal) may be used: checked once, at the first chunk
 * of the first encrypted dump, against seal32 on a buffer of a length that ends inside a ChaCha and
 * a Poly1305 block; 1 when it gives the same bytes, else 0 (logged; seal32 seals everything then). */
static int arch_seal_checked(void)
{
	static int state;		/* 0 not yet checked, 1 use it, -1 do not */
	uint8_t key[32], iv[12], a[300 + AGE_TAG_SIZE], b[sizeof(a)];
	size_t i, n = sizeof(a) - AGE_TAG_SIZE;

	if (state)
		return state > 0;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(0xA0 + i);
	for (i = 0; i < n; i++)
		a[i] = b[i] = (uint8_t)(i * 13 + 5);
	seal32(key, iv, a, n, a + n);
	if (age_arch_seal(key, iv, b, n, b + n) != 0) {
		state = -1;
		return 0;
	}
	if (memcmp(a, b, sizeof(a)) != 0) {
		log_warn("age: the faster ChaCha20-Poly1305 does not match BearSSL's 32-bit code; using that");
		state = -1;
		return 0;
	}
	log_info("age: ChaCha20-Poly1305 in the faster code (checked against BearSSL's 32-bit code)");
	state = 1;
	return 1;
}

/* ChaCha20-Poly1305 of one chunk (see seal32): the architecture's faster code when it has one and it
 * passed its check, else seal32. */
static void seal(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t *tag)
{
	if (AGE_ARCH_SEAL && arch_seal_checked() && age_arch_seal(key, iv, data, len, tag) == 0)
		return;
	seal32(key, iv, data, len, tag);
}

/* Append one X25519 stanza for public key pub with ephemeral secret eph wrapping file_key to
 * *p. Returns 0, or -EINVAL when the shared secret is all zeros (pub is a low-order point, which
 * age refuses). */
static int x25519_stanza(char **p, const uint8_t pub[32], const uint8_t eph[32], const uint8_t *file_key)
{
	const br_ec_impl *ec = &br_ec_c25519_m31;
	uint8_t share[32], shared[32], salt[64], wrap[32], body[AGE_FILE_KEY_SIZE + AGE_TAG_SIZE];
	static const uint8_t zero_iv[12];
	uint8_t any = 0;
	int rc = 0;

	ec->mulgen(share, eph, 32, BR_EC_curve25519);
	memcpy(shared, pub, 32);
	ec->mul(shared, 32, eph, 32, BR_EC_curve25519);
	for (int i = 0; i < 32; i++)
		any |= shared[i];
	if (any == 0) {
		rc = -EINVAL;
		goto out;
	}
	memcpy(salt, share, 32);
	memcpy(salt + 32, pub, 32);
	hkdf_sha256(salt, sizeof(salt), shared, 32, "age-encryption.org/v1/X25519", wrap);
	memcpy(body, file_key, AGE_FILE_KEY_SIZE);
	seal32(wrap, zero_iv, body, AGE_FILE_KEY_SIZE, body + AGE_FILE_KEY_SIZE);
	memcpy(*p, "-> X25519 ", 10);
	*p += 10;
	*p += b64(share, 32, *p);
	*(*p)++ = '\n';
	*p += b64(body, sizeof(body), *p);	/* one line: shorter than 64 columns */
	*(*p)++ = '\n';
out:
	crypto_wipe(shared, sizeof(shared));
	crypto_wipe(wrap, sizeof(wrap));
	return rc;
}

/* See age.h. */
uint64_t age_file_size(int nrecipients, uint64_t plain)
{
	uint64_t chunks = plain == 0 ? 1 : (plain + AGE_CHUNK_SIZE - 1) / AGE_CHUNK_SIZE;

	return AGE_HEADER_SIZE(nrecipients) + AGE_NONCE_SIZE + plain + chunks * AGE_TAG_SIZE;
}

/* See age.h. */
int age_begin(struct age_writer *w, const uint8_t (*keys)[AGE_KEY_SIZE], int n, const struct age_secrets *sec,
	      uint8_t *chunk, age_out_fn out, void *ctx, const char **why)
{
	static const char version[] = "age-encryption.org/v1\n";
	uint8_t mac_key[32], mac[32];
	br_hmac_key_context kc;
	br_hmac_context hc;
	char *p = (char *)w->head;

	memset(w, 0, sizeof(*w));
	w->out = out;
	w->ctx = ctx;
	w->chunk = chunk;
	if (n < 1 || n > AGE_MAX_RECIPIENTS) {
		*why = "want 1 to 8 recipients";
		return w->rc = -EINVAL;
	}
	memcpy(p, version, sizeof(version) - 1);
	p += sizeof(version) - 1;
	for (int i = 0; i < n; i++) {
		if (x25519_stanza(&p, keys[i], sec->ephemeral[i], sec->file_key) != 0) {
			*why = "a recipient key is a low-order point (no shared secret): not a real public key";
			return w->rc = -EINVAL;
		}
	}
	/* The MAC covers the header up to and including "---". */
	memcpy(p, "---", 3);
	p += 3;
	hkdf_sha256("", 0, sec->file_key, AGE_FILE_KEY_SIZE, "header", mac_key);
	br_hmac_key_init(&kc, &br_sha256_vtable, mac_key, sizeof(mac_key));
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, w->head, (size_t)(p - (char *)w->head));
	br_hmac_out(&hc, mac);
	*p++ = ' ';
	p += b64(mac, sizeof(mac), p);
	*p++ = '\n';
	memcpy(p, sec->nonce, AGE_NONCE_SIZE);
	p += AGE_NONCE_SIZE;
	w->head_len = (size_t)(p - (char *)w->head);
	hkdf_sha256(sec->nonce, AGE_NONCE_SIZE, sec->file_key, AGE_FILE_KEY_SIZE, "payload", w->payload_key);
	crypto_wipe(mac_key, sizeof(mac_key));
	crypto_wipe(&kc, sizeof(kc));
	crypto_wipe(&hc, sizeof(hc));
	return 0;
}

/* Send the header once, before anything else. */
static int send_head(struct age_writer *w)
{
	if (w->rc == 0 && !w->head_sent) {
		w->head_sent = true;
		w->rc = w->out(w->ctx, w->head, w->head_len);
	}
	return w->rc;
}

/* See age.h. */
void age_pipeline(struct age_writer *w, const struct age_sealer *sealer, uint8_t *other)
{
	w->sealer = sealer;
	w->other = other;
	w->sealing = 0;
}

/* Wait for the chunk with the sealer, if any; 0 or the error that lost it. */
static int sealed(struct age_writer *w)
{
	if (!w->sealing)
		return 0;
	if (w->sealer->wait() != 0 && w->rc == 0)
		w->rc = -EIO;
	return w->rc;
}

/* Seal the plaintext waiting in the chunk buffer as chunk number w->counter (last: the final one)
 * and send it with its tag. The nonce is the 11-byte big-endian counter and the last-chunk flag.
 * With a sealer, the chunk goes to it and the one it had before is sent meanwhile: each chunk is
 * sent one call later (the last one at once), in the same order. */
static int send_chunk(struct age_writer *w, bool last)
{
	uint8_t *full = w->chunk, *prev = w->other;
	size_t prev_len = w->sealing ? w->sealing - 1 : 0, len = w->fill;
	bool had = w->sealing != 0;

	if (sealed(w) != 0)
		return w->rc;
	w->sealing = 0;
	memset(w->iv, 0, sizeof(w->iv));
	for (int i = 0; i < 8; i++)
		w->iv[10 - i] = (uint8_t)(w->counter >> (8 * i));
	w->iv[11] = last ? 1 : 0;
	w->counter++;
	w->fill = 0;
	if (w->sealer && (!AGE_ARCH_SEAL || arch_seal_checked()) &&
	    w->sealer->start(w->payload_key, w->iv, full, len, full + len) == 0) {
		w->sealing = len + 1;
		w->other = full;
		w->chunk = prev;	/* sent below, then filled */
	} else {
		seal(w->payload_key, w->iv, full, len, full + len);
	}
	if (had && (w->rc = w->out(w->ctx, prev, prev_len + AGE_TAG_SIZE)) != 0)
		return w->rc;
	if (!w->sealing)
		return w->rc = w->out(w->ctx, full, len + AGE_TAG_SIZE);
	if (last) {
		if (sealed(w) != 0)
			return w->rc;
		w->sealing = 0;
		return w->rc = w->out(w->ctx, full, len + AGE_TAG_SIZE);
	}
	return 0;
}

/* See age.h. */
int age_write(struct age_writer *w, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (send_head(w) != 0)
		return w->rc;
	while (len > 0) {
		size_t n;

		/* A full chunk is sealed only once more plaintext shows it is not the last. */
		if (w->fill == AGE_CHUNK_SIZE && send_chunk(w, false) != 0)
			return w->rc;
		n = MIN(len, AGE_CHUNK_SIZE - w->fill);
		memcpy(w->chunk + w->fill, b, n);
		w->fill += n;
		b += n;
		len -= n;
	}
	return 0;
}

/* See age.h. */
int age_end(struct age_writer *w)
{
	if (send_head(w) == 0)
		send_chunk(w, true);
	age_abandon(w);
	return w->rc;
}

/* See age.h. */
void age_abandon(struct age_writer *w)
{
	sealed(w);
	w->sealing = 0;
	crypto_wipe(w->payload_key, sizeof(w->payload_key));
	if (w->chunk)
		crypto_wipe(w->chunk, AGE_CHUNK_SIZE + AGE_TAG_SIZE);
	if (w->other)
		crypto_wipe(w->other, AGE_CHUNK_SIZE + AGE_TAG_SIZE);
	w->fill = 0;
}
