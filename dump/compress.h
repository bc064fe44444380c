/* Per-page compression as makedumpfile does it for the kdump-compressed format: LZO1X-1 (lzo2's
 * minilzo), zlib level 1 and zstd level 1 (libzstd), each from its Debian source package
 * (dump/compress.mk); their work memory is one static arena in .bss, set up once per dump. */
#ifndef DUMP_COMPRESS_H
#define DUMP_COMPRESS_H

#include "lib/cmdline.h"
#include "lib/lib.h"

/* Room compress_page may write for a page of PAGE_SIZE bytes (LZO's worst case is n + n/16 + 67). */
#define COMPRESS_OUT_MAX (2 * PAGE_SIZE)

/* The name dump.compress= uses for alg ("lzo", "zlib", "zstd", "none"). */
const char *compress_name(enum dump_compress alg);

/* Make alg ready for compress_page (the arena is reset). Returns 0, or after a log line -ENOMEM or
 * -EINVAL; the caller then stores pages raw. */
int compress_begin(enum dump_compress alg);

/* Compress in[0..len) (len <= PAGE_SIZE) into out (COMPRESS_OUT_MAX bytes) with the alg given to
 * the last compress_begin. Returns the compressed size when it is smaller than len, else 0: the
 * page is then stored raw, as makedumpfile stores a page that does not shrink or that its
 * compressor refused. Never fails otherwise. */
size_t compress_page(const void *in, size_t len, void *out);

/* Bytes of the arena the current alg took (for the log and the footprint tests). */
size_t compress_arena_used(void);

/* The arena's top size bytes for another user (the stream stage's second age chunk), from now on,
 * when a dump of format f that compresses with alg leaves them free (only zlib needs the whole
 * arena); else NULL. compress_begin never touches them after this. */
void *compress_arena_spare(enum dump_format f, enum dump_compress alg, size_t size);

#endif
