/* libFuzzer target: the seed segment parser (crypto/seed.c) on any segment, with the input's size as
 * the loader's segment size, as random_take_seed hands it over. */
/* fuzz-sources: crypto/seed.c */
#include "crypto/seed.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, n = 0;

	log_reset();
	if (size > SEED_SEG_MAX + 64)
		size = SEED_SEG_MAX + 64;	/* random_take_seed reads at most SEED_SEG_MAX */
	if (seed_parse(data, size, &off, &n) == 0) {
		FUZZ_ASSERT(off == SEED_HDR_LEN && n >= SEED_MIN && n <= SEED_MAX && off + n == size);
		FUZZ_ASSERT(seed_magic_ok(data, size));
	} else {
		FUZZ_ASSERT(log_has("seed: "));	/* a refusal always says why */
	}
	return 0;
}
