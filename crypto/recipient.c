/* age recipient strings: Bech32 (BIP 173) decoding with its checksum, and the age1... X25519 form
 * (crypto/recipient.h). A parser of untrusted input: every length is checked before it is used. */
#include "crypto/recipient.h"

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* BIP 173's checksum polynomial over GF(32), one 5-bit value at a time. */
static uint32_t bech32_polymod_step(uint32_t chk, uint8_t v)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t top = chk >> 25;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (int i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

/* The 5-bit value of Bech32 character c (either case), or -1. */
static int bech32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	for (int i = 0; i < 32; i++)
		if (bech32_charset[i] == c)
			return i;
	return -1;
}

/* See recipient.h. */
int bech32_decode(const char *s, size_t len, char *hrp, size_t hrp_size, uint8_t *out, size_t out_size,
		  const char **why)
{
	bool lower = false, upper = false;
	size_t sep = 0, nout = 0, i;
	uint32_t chk = 1, acc = 0;
	unsigned bits = 0;

	if (len > BECH32_MAX_LEN) {
		*why = "longer than Bech32's 90 characters";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126) {
			*why = "a character outside printable ASCII";
			return -EINVAL;
		}
		lower |= c >= 'a' && c <= 'z';
		upper |= c >= 'A' && c <= 'Z';
		if (c == '1')
			sep = i;	/* the last '1' separates: the data part has none */
	}
	if (lower && upper) {
		*why = "mixed upper and lower case";
		return -EINVAL;
	}
	if (sep == 0) {
		*why = "no human-readable part before a '1'";
		return -EINVAL;
	}
	if (len - sep - 1 < 6) {
		*why = "shorter than its 6-character checksum";
		return -EINVAL;
	}
	if (sep + 1 > hrp_size) {
		*why = "human-readable part too long";
		return -EINVAL;
	}
	/* The checksum covers the expanded human-readable part: high bits, a zero, low bits. */
	for (i = 0; i < sep; i++) {
		char c = s[i];

		hrp[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		chk = bech32_polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
	}
	hrp[sep] = 0;
	chk = bech32_polymod_step(chk, 0);
	for (i = 0; i < sep; i++)
		chk = bech32_polymod_step(chk, (uint8_t)(hrp[i] & 31));
	for (i = sep + 1; i < len; i++) {
		int v = bech32_value(s[i]);

		if (v < 0) {
			*why = "a character outside Bech32's alphabet";
			return -EINVAL;
		}
		chk = bech32_polymod_step(chk, (uint8_t)v);
		if (i >= len - 6)
			continue;	/* checksum characters carry no data */
		acc = (acc << 5 | (uint32_t)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (nout >= out_size) {
				*why = "more data than expected";
				return -EINVAL;
			}
			out[nout++] = (uint8_t)(acc >> bits);
		}
	}
	if (chk != 1) {
		*why = "bad Bech32 checksum (a mistyped or truncated string)";
		return -EINVAL;
	}
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
		*why = "bad padding of the data (not Bech32 of whole bytes)";
		return -EINVAL;
	}
	return (int)nout;
}

/* See recipient.h. */
int age_recipient_parse(const char *s, size_t len, uint8_t key[AGE_KEY_SIZE], const char **why)
{
	uint8_t data[AGE_KEY_SIZE];
	char hrp[8];
	int n;

	if (len >= 4 && (strncmp(s, "AGE-", 4) == 0 || strncmp(s, "age-", 4) == 0)) {
		*why = "this is a secret identity (AGE-SECRET-KEY-...), not a recipient: give its public key "
		       "(age-keygen -y)";
		return -EINVAL;
	}
	n = bech32_decode(s, len, hrp, sizeof(hrp), data, sizeof(data), why);
	if (n < 0)
		return n;
	if (strcmp(hrp, "age") != 0) {
		*why = "not an age X25519 recipient (want age1...)";
		return -EINVAL;
	}
	if (n != AGE_KEY_SIZE) {
		*why = "the key is not 32 bytes";
		return -EINVAL;
	}
	memcpy(key, data, AGE_KEY_SIZE);
	return 0;
}
