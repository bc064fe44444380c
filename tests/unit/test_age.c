/* The age v1 writer (crypto/age.c) and recipient parser (crypto/recipient.c): byte for byte against
 * age's own test vectors (the testkit of age 1.1, C2SP's age suite: the files are rebuilt here
 * from the same keys and randomness and their SHA-256 compared), then with Debian's `age` as the
 * oracle: files of 0, 1, 64 KiB, 64 KiB + 1 and 3 x 64 KiB decrypt to the exact plaintext, for
 * each of two recipients; the wrong identity and any flipped byte make `age -d` fail. age_pipeline
 * (chunks sealed elsewhere while the next fills) against the same writer without it: the same file. */
/* unit-sources: crypto/age.c crypto/recipient.c lib/sha256.c */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#include "crypto/age.h"
#include "lib/sha256.h"
#include "ok.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* ---- a growing output buffer for the writer ---- */
struct outbuf {
	uint8_t *b;
	size_t len, cap;
	int calls;
	int fail_at;		/* out returns -EIO on this call (1-based; 0 never) */
};

static int out_append(void *ctx, const void *buf, size_t len)
{
	struct outbuf *o = ctx;

	if (++o->calls == o->fail_at)
		return -EIO;
	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->b = realloc(o->b, o->cap);
	}
	memcpy(o->b + o->len, buf, len);
	o->len += len;
	return 0;
}

static uint8_t chunk[AGE_CHUNK_SIZE + AGE_TAG_SIZE], chunk2[AGE_CHUNK_SIZE + AGE_TAG_SIZE];
static const struct age_sealer *pipeline;	/* age_encrypt's sealer, when set */

/* The whole file for plaintext pt (len bytes) fed in pieces of step bytes (0: one write). */
static int age_encrypt(struct outbuf *o, const uint8_t (*keys)[AGE_KEY_SIZE], int n, const struct age_secrets *sec,
		       const uint8_t *pt, size_t len, size_t step)
{
	struct age_writer w;
	const char *why = "";
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = age_begin(&w, keys, n, sec, chunk, out_append, o, &why)) != 0)
		return rc;
	if (pipeline)
		age_pipeline(&w, pipeline, chunk2);
	for (size_t off = 0; off < len;) {
		size_t k = step ? MIN(step, len - off) : len - off;

		if ((rc = age_write(&w, pt + off, k)) != 0)
			return rc;
		off += k;
	}
	return age_end(&w);
}

/* ---- age's test vectors ---- */

/* The testkit's randomness: ChaCha20 with this key and a zero nonce, drawn in order. */
static void testkit_rand(uint8_t *out, size_t n)
{
	static const uint8_t zero_iv[12];

	memset(out, 0, n);
	br_chacha20_ct_run("TEST RANDOMNESS TEST RANDOMNESS!", zero_iv, 0, out, n);
}

/* The public key of an AGE-SECRET-KEY-1... identity. */
static void identity_pub(const char *id, uint8_t pub[32])
{
	uint8_t sk[32];
	char hrp[32];
	const char *why = "";

	if (bech32_decode(id, strlen(id), hrp, sizeof(hrp), sk, sizeof(sk), &why) != 32 ||
	    strcmp(hrp, "age-secret-key-") != 0)
		fprintf(stderr, "identity %s does not decode: %s\n", id, why);
	br_ec_c25519_m31.mulgen(pub, sk, 32, BR_EC_curve25519);
}

static void test_vectors(void)
{
	static const char *const id_recipient = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6";
	static const char *const id_identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
	static const struct {
		const char *name, *identity, *file_key, *nonce;	/* nonce NULL: the testkit's next draw */
		int fill, chunks;				/* plaintext: chunks x 64 KiB of byte 0, 1, 2, ... */
		const char *text;				/* or this text */
		const char *sha256;				/* of the whole age file */
	} v[] = {
		{ "x25519", id_recipient, "59454c4c4f57205355424d4152494e45", NULL, 0, 0, "age",
		  "c61608b6c0d901cadf11d3d27b978a4a5dc2be49c6f1ca504b6dc69be6a92fac" },
		{ "stream_empty_payload", id_recipient, "59454c4c4f57205355424d4152494e45", NULL, 0, 0, "",
		  "cd5bf1a1f713c5ab16d0d0d06407f84f7609d3c051eb2ea6f8e13b2a3f7fe590" },
		{ "stream_last_chunk_full", id_identity, "5085919e0d59b19d6cbd00330f03861c",
		  "32521791a6f22e11637fb69ead3f2d5f", 1, 1, NULL,
		  "2a0cb1262cba8edc1ec1bccaf18c1530d2ba4b9d0663a3398b199b644b87675c" },
		{ "stream_two_chunks", id_identity, "7aa5bdac0e6afeed3dd0a7eccb42af44",
		  "c82f71eb82029b77136399e485e879f4", 1, 2, NULL,
		  "d1ce5c82297a2da34e556ecb4f46637eff3107e4c17e79f810234362257f6384" },
		{ "stream_three_chunks", id_identity, "7aa5bdac0e6afeed3dd0a7eccb42af44",
		  "c82f71eb82029b77136399e485e879f4", 1, 3, NULL,
		  "de15772998ac74ecdf34e4f5f2e6896a4610879b197d4d50b87e878667cdf2b1" },
	};
	static uint8_t pt[3 * AGE_CHUNK_SIZE];

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t keys[1][32], rnd[48], digest[32], want[32];
		struct age_secrets sec;
		struct outbuf o;
		size_t len;

		memset(&sec, 0, sizeof(sec));
		identity_pub(v[i].identity, keys[0]);
		testkit_rand(rnd, sizeof(rnd));
		memcpy(sec.ephemeral[0], rnd, 32);
		unhex(v[i].file_key, sec.file_key, 16);
		if (v[i].nonce)
			unhex(v[i].nonce, sec.nonce, 16);
		else
			memcpy(sec.nonce, rnd + 32, 16);
		if (v[i].text) {
			len = strlen(v[i].text);
			memcpy(pt, v[i].text, len);
		} else {
			len = (size_t)v[i].chunks * AGE_CHUNK_SIZE;
			for (int c = 0; c < v[i].chunks; c++)
				memset(pt + (size_t)c * AGE_CHUNK_SIZE, c, AGE_CHUNK_SIZE);
		}
		ok(age_encrypt(&o, (const uint8_t (*)[32])keys, 1, &sec, pt, len, 4096) == 0, "testkit %s: written", v[i].name);
		sha256(o.b, o.len, digest);
		unhex(v[i].sha256, want, 32);
		ok(memcmp(digest, want, 32) == 0, "testkit %s: the same %zu bytes as age's vector", v[i].name, o.len);
		ok(o.len == age_file_size(1, len), "testkit %s: age_file_size says %llu", v[i].name,
		   (unsigned long long)age_file_size(1, len));
		free(o.b);
	}

	/* x25519_multiple_recipients: a random recipient first (its secret is the first draw), then
	 * the testkit's; ephemeral secrets and the nonce are the next draws. */
	{
		uint8_t keys[2][32], rnd[112], digest[32], want[32];
		struct age_secrets sec;
		struct outbuf o;

		memset(&sec, 0, sizeof(sec));
		testkit_rand(rnd, sizeof(rnd));
		br_ec_c25519_m31.mulgen(keys[0], rnd, 32, BR_EC_curve25519);
		identity_pub(id_recipient, keys[1]);
		memcpy(sec.ephemeral[0], rnd + 32, 32);
		memcpy(sec.ephemeral[1], rnd + 64, 32);
		memcpy(sec.nonce, rnd + 96, 16);
		unhex("59454c4c4f57205355424d4152494e45", sec.file_key, 16);
		ok(age_encrypt(&o, (const uint8_t (*)[32])keys, 2, &sec, (const uint8_t *)"age", 3, 0) == 0,
		   "testkit x25519_multiple_recipients: written");
		sha256(o.b, o.len, digest);
		unhex("935fa6027d70d8bba7514674c91ddabb8ecd298dabcb5162214427c4af7f9100", want, 32);
		ok(memcmp(digest, want, 32) == 0, "testkit x25519_multiple_recipients: the same %zu bytes as age's vector",
		   o.len);
		free(o.b);
	}
}

/* ---- recipients ---- */

static void test_bech32(void)
{
	static const char *const valid[] = {	/* BIP 173's valid checksums */
		"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	};
	static const char *const invalid[] = {	/* BIP 173's invalid strings, and a mixed case */
		"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee",
		"A12uEL5L", "a12uel5l\x7f", "",
	};
	uint8_t out[64];
	char hrp[96];
	const char *why;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
		ok(bech32_decode(valid[i], strlen(valid[i]), hrp, sizeof(hrp), out, sizeof(out), &why) >= 0,
		   "bech32: BIP 173 valid '%s'", valid[i]);
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		why = NULL;
		rc = bech32_decode(invalid[i], strlen(invalid[i]), hrp, sizeof(hrp), out, sizeof(out), &why);
		ok(rc == -EINVAL && why, "bech32: BIP 173 invalid '%s' refused (%s)", invalid[i], why ? why : "no reason");
	}
	rc = bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 45, hrp, sizeof(hrp), out, 19, &why);
	ok(rc == -EINVAL, "bech32: data longer than the caller's buffer refused (%s)", why);
}

static void test_recipients(const char *pub1)
{
	uint8_t key[32];
	char s[128];
	const char *why;
	size_t n = strlen(pub1);
	int rc;

	ok(n == AGE_RECIPIENT_LEN && age_recipient_parse(pub1, n, key, &why) == 0, "recipient: age-keygen's %s parses",
	   pub1);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(pub1[i] >= 'a' && pub1[i] <= 'z' ? pub1[i] - 32 : pub1[i]);
	ok(age_recipient_parse(s, n, key, &why) == 0, "recipient: the same in upper case parses");
	/* Every single-character change is caught (Bech32 detects any one substitution). */
	{
		int caught = 0, tried = 0;

		for (size_t i = 4; i < n; i++) {
			memcpy(s, pub1, n);
			s[i] = s[i] == 'q' ? 'p' : 'q';
			tried++;
			caught += age_recipient_parse(s, n, key, &why) == -EINVAL;
		}
		ok(caught == tried, "recipient: %d of %d one-character typos refused", caught, tried);
	}
	rc = age_recipient_parse(pub1, n - 1, key, &why);
	ok(rc == -EINVAL, "recipient: truncated refused (%s)", why);
	memcpy(s, pub1, n);
	for (size_t i = 4; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z') {
			s[i] = (char)(s[i] - 32);	/* one letter upper case */
			break;
		}
	}
	rc = age_recipient_parse(s, n, key, &why);
	ok(rc == -EINVAL && strstr(why, "case"), "recipient: mixed case refused (%s)", why);
	rc = age_recipient_parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0", 74, key,
				 &why);
	ok(rc == -EINVAL && strstr(why, "secret"), "recipient: a secret key refused (%s)", why);
	rc = age_recipient_parse("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 45, key, &why);
	ok(rc == -EINVAL && strstr(why, "not an age"), "recipient: valid Bech32 of another kind refused (%s)", why);
	rc = age_recipient_parse("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", 62, key, &why);
	ok(rc == -EINVAL && strstr(why, "checksum"), "recipient: bad checksum refused (%s)", why);
}

/* ---- age as the oracle ---- */

static char dir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shrc;
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	shrc = system(cmd);
}

static void put_file(const char *name, const void *b, size_t n)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

static uint8_t *get_file(const char *name, size_t *n)
{
	char p[128];
	FILE *f;
	uint8_t *b;
	long len;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (!(f = fopen(p, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len + 1);
	*n = fread(b, 1, (size_t)len, f);
	fclose(f);
	return b;
}

/* The "age1..." line of an age-keygen key file. */
static void read_pub(const char *name, char pub[80])
{
	size_t n;
	char *k = (char *)get_file(name, &n), *p;

	pub[0] = 0;
	if (!k)
		return;
	k[n] = 0;
	if ((p = strstr(k, "public key: ")))
		sscanf(p + 12, "%79s", pub);
	free(k);
}

static void fill_secrets(struct age_secrets *sec)
{
	FILE *f = fopen("/dev/urandom", "rb");

	if (!f || fread(sec, sizeof(*sec), 1, f) != 1)
		abort();
	fclose(f);
}

static void test_oracle(void)
{
	static const size_t sizes[] = { 0, 1, AGE_CHUNK_SIZE, AGE_CHUNK_SIZE + 1, 3 * AGE_CHUNK_SIZE };
	static uint8_t pt[3 * AGE_CHUNK_SIZE];
	uint8_t keys[2][32];
	char pub[2][80];
	const char *why;
	struct age_secrets sec;

	strcpy(dir, "/tmp/salvage-test-age.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	sh("age-keygen -o %s/key1.txt 2>/dev/null && age-keygen -o %s/key2.txt 2>/dev/null && "
	   "age-keygen -o %s/key3.txt 2>/dev/null", dir, dir, dir);
	ok(shrc == 0, "age-keygen made three identities");
	read_pub("key1.txt", pub[0]);
	read_pub("key2.txt", pub[1]);
	test_recipients(pub[0]);
	ok(age_recipient_parse(pub[0], strlen(pub[0]), keys[0], &why) == 0 &&
	   age_recipient_parse(pub[1], strlen(pub[1]), keys[1], &why) == 0, "both recipients parse");
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 2654435761u >> 13);

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct outbuf o;
		size_t got_n;
		uint8_t *got;

		fill_secrets(&sec);
		ok(age_encrypt(&o, (const uint8_t (*)[32])keys, 2, &sec, pt, sizes[s], 1000) == 0,
		   "%zu bytes: written", sizes[s]);
		ok(o.len == age_file_size(2, sizes[s]), "%zu bytes: %zu bytes of file, as age_file_size says", sizes[s],
		   o.len);
		put_file("f.age", o.b, o.len);
		for (int k = 1; k <= 2; k++) {
			sh("age -d -i %s/key%d.txt %s/f.age > %s/out", dir, k, dir, dir);
			got = get_file("out", &got_n);
			ok(shrc == 0 && got && got_n == sizes[s] && memcmp(got, pt, got_n) == 0,
			   "%zu bytes: age -d with recipient %d's identity gives the exact plaintext", sizes[s], k);
			free(got);
			sh("rm -f %s/out", dir);
		}
		sh("age -d -i %s/key3.txt -o %s/out %s/f.age 2>/dev/null", dir, dir, dir);
		ok(shrc != 0, "%zu bytes: age -d with another identity fails", sizes[s]);
		/* Flipped bytes: in the header, its MAC, the nonce, the first and the last chunk. */
		{
			size_t hdr = AGE_HEADER_SIZE(2);
			size_t at[] = { 30, hdr - 10, hdr + 3, hdr + AGE_NONCE_SIZE, o.len / 2, o.len - 1 };
			int fails = 0;

			for (size_t a = 0; a < ARRAY_SIZE(at); a++) {
				o.b[at[a]] ^= 0x01;
				put_file("f.age", o.b, o.len);
				o.b[at[a]] ^= 0x01;
				sh("age -d -i %s/key1.txt -o %s/out %s/f.age 2>/dev/null", dir, dir, dir);
				fails += shrc != 0;
			}
			ok(fails == (int)ARRAY_SIZE(at), "%zu bytes: each of %zu flipped bytes makes age -d fail (%d did)",
			   sizes[s], ARRAY_SIZE(at), fails);
		}
		free(o.b);
	}

	/* The same secrets and plaintext give the same file whatever the write sizes; other secrets
	 * give another file. */
	{
		struct outbuf a, b, c;

		fill_secrets(&sec);
		age_encrypt(&a, (const uint8_t (*)[32])keys, 1, &sec, pt, sizeof(pt) - 5, 0);
		age_encrypt(&b, (const uint8_t (*)[32])keys, 1, &sec, pt, sizeof(pt) - 5, 7);
		fill_secrets(&sec);
		age_encrypt(&c, (const uint8_t (*)[32])keys, 1, &sec, pt, sizeof(pt) - 5, 0);
		ok(a.len == b.len && memcmp(a.b, b.b, a.len) == 0, "one write or 7-byte writes: the same file");
		ok(a.len == c.len && memcmp(a.b, c.b, a.len) != 0, "other randomness: another file of the same size");
		free(a.b);
		free(b.b);
		free(c.b);
	}
	sh("rm -rf %s", dir);
}

/* ---- age_pipeline: a sealer that seals only when waited for, refuses every third chunk (the
 * writer seals those itself) and checks that nothing it was given changes before it is done ---- */
static struct {
	const uint8_t *key, *iv;
	uint8_t *data, *tag;
	size_t len;
	uint8_t key_copy[32], iv_copy[12], *data_copy;
	bool busy;
	int starts, refused, waits, fail_at, misuse;
} fake;

static int fake_start(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t tag[16])
{
	fake.misuse += fake.busy;		/* a second chunk before the first was collected */
	if (++fake.starts % 3 == 0) {
		fake.refused++;
		return -ENODEV;
	}
	fake.key = key;
	fake.iv = iv;
	fake.data = data;
	fake.tag = tag;
	fake.len = len;
	memcpy(fake.key_copy, key, 32);
	memcpy(fake.iv_copy, iv, 12);
	fake.data_copy = realloc(fake.data_copy, len + 1);
	memcpy(fake.data_copy, data, len);
	fake.busy = true;
	return 0;
}

static int fake_wait(void)
{
	static const uint8_t no_aad[1];

	if (!fake.busy) {
		fake.misuse++;
		return 0;
	}
	fake.busy = false;
	fake.waits++;
	fake.misuse += memcmp(fake.key, fake.key_copy, 32) != 0 || memcmp(fake.iv, fake.iv_copy, 12) != 0 ||
		       memcmp(fake.data, fake.data_copy, fake.len) != 0;
	if (fake.fail_at && fake.waits == fake.fail_at)
		return -EIO;
	br_poly1305_ctmul32_run(fake.key, fake.iv, fake.data, fake.len, no_aad, 0, fake.tag, br_chacha20_ct_run, 1);
	return 0;
}

static const struct age_sealer fake_sealer = { fake_start, fake_wait };

static void fake_reset(void)
{
	free(fake.data_copy);
	memset(&fake, 0, sizeof(fake));
}

static void test_pipeline(void)
{
	static const size_t sizes[] = { 0, 1, AGE_CHUNK_SIZE, AGE_CHUNK_SIZE + 1, 3 * AGE_CHUNK_SIZE, 7 * AGE_CHUNK_SIZE - 5 };
	static const size_t steps[] = { 0, 1000, AGE_CHUNK_SIZE };
	static uint8_t pt[7 * AGE_CHUNK_SIZE];
	uint8_t keys[1][32];
	struct age_secrets sec;
	int same = 0, cases = 0;

	fill_secrets(&sec);
	br_ec_c25519_m31.mulgen(keys[0], sec.ephemeral[1], 32, BR_EC_curve25519);
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 2654435761u >> 11);
	fake_reset();
	for (size_t a = 0; a < ARRAY_SIZE(sizes); a++) {
		for (size_t b = 0; b < ARRAY_SIZE(steps); b++) {
			struct outbuf plain, piped;

			pipeline = NULL;
			age_encrypt(&plain, (const uint8_t (*)[32])keys, 1, &sec, pt, sizes[a], steps[b]);
			pipeline = &fake_sealer;
			age_encrypt(&piped, (const uint8_t (*)[32])keys, 1, &sec, pt, sizes[a], steps[b]);
			pipeline = NULL;
			cases++;
			same += plain.len == piped.len && memcmp(plain.b, piped.b, plain.len) == 0;
			free(plain.b);
			free(piped.b);
		}
	}
	ok(same == cases, "pipeline: the same file as sealing each chunk in place, for %d of %d sizes and write steps",
	   same, cases);
	ok(fake.starts > 20 && fake.refused > 0 && fake.waits == fake.starts - fake.refused && !fake.busy,
	   "pipeline: %d chunks went to the sealer, %d were refused and sealed in place, each one collected", fake.starts,
	   fake.refused);
	ok(fake.misuse == 0, "pipeline: nothing the sealer had changed before it was done, one chunk at a time");

	/* The sealer loses a chunk: the writer stops with an error, sends nothing after the chunk before
	 * it, and collects what the sealer has before wiping. */
	{
		struct outbuf plain, piped;
		size_t head = AGE_HEADER_SIZE(1) + AGE_NONCE_SIZE, c = AGE_CHUNK_SIZE + AGE_TAG_SIZE;
		int rc;

		age_encrypt(&plain, (const uint8_t (*)[32])keys, 1, &sec, pt, 5 * AGE_CHUNK_SIZE, 0);
		fake_reset();
		fake.fail_at = 2;
		pipeline = &fake_sealer;
		rc = age_encrypt(&piped, (const uint8_t (*)[32])keys, 1, &sec, pt, 5 * AGE_CHUNK_SIZE, 4096);
		pipeline = NULL;
		ok(rc == -EIO, "pipeline: a chunk the sealer lost ends the file with -EIO (%d)", rc);
		ok(piped.len == head + c && memcmp(piped.b, plain.b, piped.len) == 0,
		   "pipeline: what went out before it is the file's start, exactly (%zu bytes)", piped.len);
		free(plain.b);
		free(piped.b);
	}
	{
		struct age_writer w;
		struct outbuf o;
		const char *why;

		memset(&o, 0, sizeof(o));
		fake_reset();
		age_begin(&w, (const uint8_t (*)[32])keys, 1, &sec, chunk, out_append, &o, &why);
		age_pipeline(&w, &fake_sealer, chunk2);
		age_write(&w, pt, AGE_CHUNK_SIZE + 1);	/* the first chunk is with the sealer */
		ok(fake.busy, "pipeline: a full chunk goes to the sealer once more plaintext follows");
		age_abandon(&w);
		ok(!fake.busy && fake.misuse == 0, "pipeline: age_abandon collects it before wiping the buffers");
		free(o.b);
	}
	fake_reset();
}

/* Errors: the output's failure stops the writer and sticks; a low-order recipient is refused. */
static void test_errors(void)
{
	static const uint8_t pt[2 * AGE_CHUNK_SIZE];
	uint8_t keys[1][32] = { { 0 } };	/* the point 0: of low order */
	struct age_secrets sec;
	struct age_writer w;
	struct outbuf o;
	const char *why = NULL;
	int rc;

	fill_secrets(&sec);
	memset(&o, 0, sizeof(o));
	rc = age_begin(&w, (const uint8_t (*)[32])keys, 1, &sec, chunk, out_append, &o, &why);
	ok(rc == -EINVAL && why, "a low-order recipient key is refused (%s)", why ? why : "");
	ok(age_begin(&w, (const uint8_t (*)[32])keys, 0, &sec, chunk, out_append, &o, &why) == -EINVAL,
	   "no recipient is refused");
	br_ec_c25519_m31.mulgen(keys[0], sec.ephemeral[1], 32, BR_EC_curve25519);
	memset(&o, 0, sizeof(o));
	o.fail_at = 2;		/* the header goes, the first chunk fails */
	age_begin(&w, (const uint8_t (*)[32])keys, 1, &sec, chunk, out_append, &o, &why);
	ok(age_write(&w, pt, sizeof(pt)) == -EIO, "the output's error comes back from age_write");
	ok(age_write(&w, pt, 1) == -EIO && age_end(&w) == -EIO, "and from every later call");
	ok(o.len == AGE_HEADER_SIZE(1) + AGE_NONCE_SIZE, "only the header went out");
	free(o.b);
}

int main(void)
{
	test_vectors();
	test_bech32();
	test_oracle();
	test_pipeline();
	test_errors();
	return ok_done();
}
