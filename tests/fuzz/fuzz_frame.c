/* libFuzzer target: dump/frame.c's decoder on any text: every line through frame_find and
 * frame_parse, every accepted data frame expanded, which must write exactly its own byte range. */
/* fuzz-sources: dump/frame.c lib/sha256.c */
#include "dump/frame.h"
#include "fuzz.h"

static const struct frame *cur;
static uint64_t expanded;

static void sink(void *ctx, uint64_t off, const uint8_t *data, uint8_t fill, uint64_t n)
{
	FUZZ_ASSERT(off == cur->off + expanded && n <= cur->len - expanded);
	expanded += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame f;
	static struct frame_window w;
	const char *s = (const char *)data, *end = s + size;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *m, *why = NULL;
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		m = frame_find(s, n);
		if (m) {
			FUZZ_ASSERT(m >= s && m < s + n);
			if (frame_parse(m, n - (size_t)(m - s), &f, &why) == 0) {
				FUZZ_ASSERT(f.body_len <= FRAME_BODY_MAX);
				if (f.type == FRAME_DATA) {
					FUZZ_ASSERT(f.ops <= f.ops_end && f.ops_end <= f.body_len);
					FUZZ_ASSERT(f.back <= FRAME_WINDOW && f.back <= f.off);
					cur = &f;
					expanded = 0;
					frame_expand(&f, &w, sink, NULL);
					FUZZ_ASSERT(expanded == f.len);
				}
			} else {
				FUZZ_ASSERT(why != NULL);
			}
		}
		s += n + 1;
	}
	return 0;
}
