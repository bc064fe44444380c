/* The BearSSL build salvage links (crypto/bearssl.mk), against the RFCs' own test vectors: X25519
 * (RFC 7748), ChaCha20-Poly1305 (RFC 8439), HMAC-SHA-256 and HKDF-SHA-256 (RFC 5869). */
/* unit-sources: */
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "ok.h"

static void unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

static int eqhex(const unsigned char *b, size_t n, const char *hex)
{
	unsigned char want[256];

	if (strlen(hex) != 2 * n || n > sizeof(want))
		return 0;
	unhex(hex, want, n);
	return memcmp(b, want, n) == 0;
}

static void test_x25519(void)
{
	const br_ec_impl *ec = &br_ec_c25519_m31;
	unsigned char k[32], u[32], pa[32], pb[32], sa[32], sb[32];

	/* RFC 7748 5.2, the first vector. */
	unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", k, 32);
	unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", u, 32);
	ok(ec->mul(u, 32, k, 32, BR_EC_curve25519) == 1, "X25519 RFC 7748 5.2: mul succeeds");
	ok(eqhex(u, 32, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
	   "X25519 RFC 7748 5.2: the expected u-coordinate");

	/* RFC 7748 6.1: both public keys from the generator, then the shared secret both ways. */
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", sa, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", sb, 32);
	ok(ec->mulgen(pa, sa, 32, BR_EC_curve25519) == 32 &&
	   eqhex(pa, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
	   "X25519 RFC 7748 6.1: Alice's public key");
	ok(ec->mulgen(pb, sb, 32, BR_EC_curve25519) == 32 &&
	   eqhex(pb, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
	   "X25519 RFC 7748 6.1: Bob's public key");
	ec->mul(pb, 32, sa, 32, BR_EC_curve25519);
	ec->mul(pa, 32, sb, 32, BR_EC_curve25519);
	ok(eqhex(pb, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742") &&
	   memcmp(pa, pb, 32) == 0, "X25519 RFC 7748 6.1: the shared secret, both ways");
}

static void test_chacha20_poly1305(void)
{
	static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
				 "for the future, sunscreen would be it.";
	unsigned char key[32], iv[12], aad[12], buf[sizeof(pt) - 1], tag[16];

	/* RFC 8439 2.8.2. */
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(0x80 + i);
	unhex("070000004041424344454647", iv, 12);
	unhex("50515253c0c1c2c3c4c5c6c7", aad, 12);
	memcpy(buf, pt, sizeof(buf));
	br_poly1305_ctmul32_run(key, iv, buf, sizeof(buf), aad, sizeof(aad), tag, br_chacha20_ct_run, 1);
	ok(eqhex(buf, sizeof(buf),
		 "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da9272"
		 "8b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831"
		 "d7bc3ff4def08e4b7a9de576d26586cec64b6116"),
	   "ChaCha20-Poly1305 RFC 8439 2.8.2: the ciphertext");
	ok(eqhex(tag, 16, "1ae10b594f09e26a7e902ecbd0600691"), "ChaCha20-Poly1305 RFC 8439 2.8.2: the tag");
	br_poly1305_ctmul32_run(key, iv, buf, sizeof(buf), aad, sizeof(aad), tag, br_chacha20_ct_run, 0);
	ok(memcmp(buf, pt, sizeof(buf)) == 0, "ChaCha20-Poly1305: decryption gives the plaintext back");
}

static void test_hkdf(void)
{
	unsigned char ikm[22], salt[13], info[10], okm[42], prk[32];
	br_hkdf_context hc;
	br_hmac_key_context kc;
	br_hmac_context mc;

	/* RFC 5869 A.1: the PRK is HMAC(salt, IKM), then HKDF-Expand. */
	memset(ikm, 0x0b, sizeof(ikm));
	for (int i = 0; i < 13; i++)
		salt[i] = (unsigned char)i;
	for (int i = 0; i < 10; i++)
		info[i] = (unsigned char)(0xf0 + i);
	br_hmac_key_init(&kc, &br_sha256_vtable, salt, sizeof(salt));
	br_hmac_init(&mc, &kc, 0);
	br_hmac_update(&mc, ikm, sizeof(ikm));
	ok(br_hmac_out(&mc, prk) == 32 &&
	   eqhex(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"),
	   "HMAC-SHA-256: RFC 5869 A.1's PRK");
	br_hkdf_init(&hc, &br_sha256_vtable, salt, sizeof(salt));
	br_hkdf_inject(&hc, ikm, sizeof(ikm));
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, sizeof(info), okm, sizeof(okm));
	ok(eqhex(okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
	   "HKDF-SHA-256: RFC 5869 A.1's OKM");
}

int main(void)
{
	test_x25519();
	test_chacha20_poly1305();
	test_hkdf();
	return ok_done();
}
