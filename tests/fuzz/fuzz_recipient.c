/* libFuzzer target: crypto/recipient.c on any string: Bech32 decoding (checked by re-encoding what
 * it accepted: the lowercased input must come back) and the age1... recipient form. */
/* fuzz-sources: crypto/recipient.c */
#include "crypto/recipient.h"
#include "fuzz.h"

/* Bech32 encoding (BIP 173), only to check the decoder: hrp, then the data regrouped to 5 bits
 * (zero-padded), then the checksum. Returns the length written to s. */
static size_t bech32_encode(const char *hrp, const uint8_t *d, size_t n, char *s)
{
	static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint8_t v[256];
	size_t nv = 0, hl = strlen(hrp), o = 0;
	uint32_t acc = 0, chk = 1;
	unsigned bits = 0;

	for (size_t i = 0; i < hl; i++)
		v[nv++] = (uint8_t)((unsigned char)hrp[i] >> 5);
	v[nv++] = 0;
	for (size_t i = 0; i < hl; i++)
		v[nv++] = (uint8_t)(hrp[i] & 31);
	size_t data_at = nv;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | d[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			v[nv++] = (uint8_t)((acc >> bits) & 31);
		}
	}
	if (bits)
		v[nv++] = (uint8_t)((acc << (5 - bits)) & 31);
	size_t data_end = nv;
	for (int i = 0; i < 6; i++)
		v[nv++] = 0;
	for (size_t i = 0; i < nv; i++) {
		uint32_t top = chk >> 25;

		chk = (chk & 0x1ffffff) << 5 ^ v[i];
		for (int j = 0; j < 5; j++)
			if ((top >> j) & 1)
				chk ^= gen[j];
	}
	chk ^= 1;
	memcpy(s, hrp, hl);
	o = hl;
	s[o++] = '1';
	for (size_t i = data_at; i < data_end; i++)
		s[o++] = cs[v[i]];
	for (int i = 0; i < 6; i++)
		s[o++] = cs[(chk >> (5 * (5 - i))) & 31];
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char hrp[BECH32_MAX_LEN + 1], again[2 * BECH32_MAX_LEN];
	static uint8_t out[BECH32_MAX_LEN], key[AGE_KEY_SIZE];
	const char *s = (const char *)data, *why = NULL;
	int n;

	n = bech32_decode(s, size, hrp, sizeof(hrp), out, sizeof(out), &why);
	FUZZ_ASSERT(n == -EINVAL ? why != NULL : n >= 0 && (size_t)n <= size);
	if (n >= 0) {
		size_t len = bech32_encode(hrp, out, (size_t)n, again);

		FUZZ_ASSERT(len == size);
		for (size_t i = 0; i < size; i++)
			FUZZ_ASSERT(again[i] == (s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]));
	}
	why = NULL;
	if (age_recipient_parse(s, size, key, &why) == 0)
		FUZZ_ASSERT(n == AGE_KEY_SIZE && memcmp(key, out, AGE_KEY_SIZE) == 0 && size == AGE_RECIPIENT_LEN);
	else
		FUZZ_ASSERT(why != NULL);
	return 0;
}
