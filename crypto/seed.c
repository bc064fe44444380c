/* The seed segment's parser (format in crypto/seed.h). Its bytes lie in memory the crashed kernel
 * could have scribbled on: every length is checked against the loader's segment size, never trusted. */
#include "crypto/seed.h"
#include "lib/log.h"

bool seed_magic_ok(const void *start, size_t have)
{
	return have >= SEED_MAGIC_LEN && memcmp(start, SEED_MAGIC, SEED_MAGIC_LEN) == 0;
}

/* Contract in crypto/seed.h. */
int seed_parse(const void *seg, uint64_t seglen, size_t *off, size_t *n)
{
	const uint8_t *p = seg;
	struct seed_hdr h;
	size_t i;

	if (seglen < SEED_HDR_LEN) {
		log_err("seed: segment of %llu bytes is shorter than its %u-byte header; not used",
			(unsigned long long)seglen, SEED_HDR_LEN);
		return -EINVAL;
	}
	memcpy(&h, p, sizeof(h));
	if (!seed_magic_ok(h.magic, sizeof(h.magic))) {
		log_err("seed: segment has no \"%s\" magic; not used", SEED_MAGIC);
		return -EINVAL;
	}
	if (h.len < SEED_MIN || h.len > SEED_MAX) {
		log_err("seed: segment says %u seed bytes (want %u..%u); not used", h.len, SEED_MIN, SEED_MAX);
		return -EINVAL;
	}
	if (seglen != SEED_HDR_LEN + (uint64_t)h.len) {
		log_err("seed: segment is %llu bytes but its header says %u + %u; not used",
			(unsigned long long)seglen, SEED_HDR_LEN, h.len);
		return -EINVAL;
	}
	for (i = 1; i < h.len && p[SEED_HDR_LEN + i] == p[SEED_HDR_LEN]; i++)
		;
	if (i == h.len) {
		log_err("seed: all %u seed bytes are 0x%02x (overwritten?); not used", h.len, p[SEED_HDR_LEN]);
		return -EINVAL;
	}
	*off = SEED_HDR_LEN;
	*n = h.len;
	return 0;
}
