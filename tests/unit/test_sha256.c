/* SHA-256 against the NIST FIPS 180-4 example vectors, and split updates against one-shot digests. */
/* unit-sources: lib/sha256.c */
#include <stdlib.h>
#include <string.h>

#include "lib/sha256.h"
#include "ok.h"

static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
	  "mnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

int main(void)
{
	uint8_t d[32], d2[32];
	char hex[65];
	struct sha256 s;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sha256(vectors[i].msg, strlen(vectors[i].msg), d);
		sha256_hex(d, hex);
		ok(strcmp(hex, vectors[i].hex) == 0, "NIST vector %zu (%zu bytes): %s", i,
		   strlen(vectors[i].msg), hex);
	}

	/* One million 'a', fed in uneven pieces. */
	{
		static char a[1000000];
		size_t off = 0, step = 1;

		memset(a, 'a', sizeof(a));
		sha256_init(&s);
		while (off < sizeof(a)) {
			size_t n = step < sizeof(a) - off ? step : sizeof(a) - off;
			sha256_update(&s, a + off, n);
			off += n;
			step = step * 7 % 1031 + 1;
		}
		sha256_final(&s, d);
		sha256_hex(d, hex);
		ok(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
		   "NIST one million 'a' in uneven pieces: %s", hex);
	}

	/* Every length around the padding boundaries: split at every point equals one-shot. */
	{
		uint8_t buf[200];
		int bad = 0;

		srand(1);
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		for (size_t len = 0; len <= 130 && !bad; len++) {
			sha256(buf, len, d);
			for (size_t cut = 0; cut <= len; cut++) {
				sha256_init(&s);
				sha256_update(&s, buf, cut);
				sha256_update(&s, buf + cut, len - cut);
				sha256_final(&s, d2);
				if (memcmp(d, d2, 32) != 0) {
					bad = 1;
					ok(0, "split digest differs at len %zu cut %zu", len, cut);
					break;
				}
			}
		}
		ok(!bad, "split updates equal one-shot digests for lengths 0..130 at every cut");
	}
	return ok_done();
}
