/* Shared by the libFuzzer targets: quiet logs and a read-through of a built dump that checks what
 * every consumer relies on (aborting, so libFuzzer reports the input). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/elfcore.h"
#include "shim.h"

#define FUZZ_ASSERT(c)                                                                      \
	do {                                                                                \
		if (!(c)) {                                                                 \
			fprintf(stderr, "fuzz: %s:%d: %s does not hold\n", __FILE__, __LINE__, #c); \
			abort();                                                            \
		}                                                                           \
	} while (0)

/* salvage's log lines go to stderr only with FUZZ_LOG=1 (to see what an input does). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_log_stderr = getenv("FUZZ_LOG") != NULL;
	return 0;
}

/* The input's patches over a machine's RAM of size bytes (a power of two or not), after putting back
 * zeros where the last input's patches wrote: records of u32 address (mod size), u16 length, u8 k
 * and k bytes, the k bytes repeated over the length (k 0: zeros). At most 256 patches. */
static inline void fuzz_patch_ram(uint8_t *ram, uint32_t size, const uint8_t *p, const uint8_t *end)
{
	static struct { uint32_t addr, len; } dirty[256];
	static int ndirty;

	for (int i = 0; i < ndirty; i++)
		memset(ram + dirty[i].addr, 0, dirty[i].len);
	ndirty = 0;
	while (end - p >= 7 && ndirty < (int)(sizeof(dirty) / sizeof(dirty[0]))) {
		uint32_t addr, len;
		uint8_t k;

		memcpy(&addr, p, 4);
		len = (uint32_t)(p[4] | p[5] << 8);
		k = p[6];
		p += 7;
		addr %= size;
		len = MIN(len, size - addr);
		if (k > end - p)
			k = (uint8_t)(end - p);
		if (k) {	/* k bytes, then doubling copies of them */
			uint32_t done = MIN((uint32_t)k, len);

			memcpy(ram + addr, p, done);
			while (done < len) {
				uint32_t c = MIN(done, len - done);

				memcpy(ram + addr + done, ram + addr, c);
				done += c;
			}
		}
		p += k;
		dirty[ndirty].addr = addr;
		dirty[ndirty++].len = len;
	}
}

/* d as laid out (rc 0): chunks in file order after the header, inside the file; then read the
 * header and the first and last bytes of every chunk (unreadable memory must read as zeros, not fail). */
static inline void fuzz_check_dump(struct elf_file *d)
{
	static uint8_t buf[4096];
	uint64_t prev = d->hdr_size;

	FUZZ_ASSERT(d->hdr_size <= DUMP_HDR_MAX && d->hdr_size <= d->size);
	FUZZ_ASSERT(d->nchunks >= 0 && d->nchunks <= DUMP_MAX_CHUNKS);
	for (int i = 0; i < d->nchunks; i++) {
		const struct crash_span *c = &d->chunks[i];

		FUZZ_ASSERT(c->file_off >= prev);	/* size 0: a PT_LOAD of p_memsz 0, as in Linux */
		FUZZ_ASSERT(c->file_off + c->size >= c->file_off && c->file_off + c->size <= d->size);
		prev = c->file_off + c->size;
	}
	for (uint64_t o = 0; o < d->hdr_size; o += sizeof(buf))
		FUZZ_ASSERT(elf_read(d, o, buf, MIN(sizeof(buf), d->hdr_size - o)) == 0);
	for (int i = 0; i < d->nchunks && i < 64; i++) {
		const struct crash_span *c = &d->chunks[i];
		size_t n = (size_t)MIN((uint64_t)sizeof(buf), c->size);

		FUZZ_ASSERT(elf_read(d, c->file_off, buf, n) == 0);
		FUZZ_ASSERT(elf_read(d, c->file_off + c->size - n, buf, n) == 0);
	}
	FUZZ_ASSERT(elf_read(d, d->size, buf, 1) == -ERANGE);
}

#endif
