/* Per-page compressors for the kdump format: thin calls into lzo2's minilzo, zlib (Z_SOLO) and
 * libzstd, all built from Debian's sources by dump/compress.mk, with their work memory carved from
 * one arena. */
#include "dump/compress.h"
#include "lib/log.h"
#include "minilzo.h"
#include "zlib.h"
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize_usingCParams */
#include "zstd.h"

/* One arena serves whichever compressor a dump uses: zlib's deflate at level 1 with zlib's default
 * window and memLevel (what makedumpfile's deflateInit gets) takes about 262 KiB, LZO1X-1 64 KiB,
 * zstd's level-1 CCtx for a 4 KiB source (ZSTD_estimateCCtxSize_usingCParams) 74 KiB. */
#define ARENA_SIZE (272 * 1024)

/* makedumpfile's zstd level (ZSTD_compressCCtx(..., 1) per page). */
#define ZSTD_LEVEL 1

/* What LZO1X-1 and zstd leave free at the top of the arena for compress_arena_spare. */
#define ARENA_SPARE_MAX (ARENA_SIZE - 128 * 1024)

static struct {
	enum dump_compress alg;
	size_t used;
	size_t lent;			/* the top bytes compress_arena_spare gave away */
	z_stream zs;
	ZSTD_CCtx *zc;
	_Alignas(16) uint8_t arena[ARENA_SIZE];
} cs;

const char *compress_name(enum dump_compress alg)
{
	switch (alg) {
	case COMPRESS_LZO: return "lzo";
	case COMPRESS_ZLIB: return "zlib";
	case COMPRESS_ZSTD: return "zstd";
	case COMPRESS_NONE: break;
	}
	return "none";
}

/* zlib's allocator under Z_SOLO: a bump pointer in the arena; nothing is freed before the next
 * compress_begin. Returns NULL when the arena is exhausted (zlib then reports Z_MEM_ERROR). */
static voidpf arena_alloc(voidpf opaque, uInt items, uInt size)
{
	uint64_t n = ALIGN_UP((uint64_t)items * size, 16);

	(void)opaque;
	if (n > ARENA_SIZE - cs.lent - cs.used)
		return NULL;
	cs.used += (size_t)n;
	return cs.arena + cs.used - n;
}

static void arena_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

/* See compress.h. */
int compress_begin(enum dump_compress alg)
{
	cs.alg = COMPRESS_NONE;
	cs.used = 0;
	switch (alg) {
	case COMPRESS_NONE:
		return 0;
	case COMPRESS_LZO:
		if (lzo_init() != LZO_E_OK) {
			log_err("dump.compress=lzo: lzo_init failed; pages are stored raw");
			return -EINVAL;
		}
		_Static_assert(LZO1X_1_MEM_COMPRESS <= ARENA_SIZE - ARENA_SPARE_MAX, "LZO work memory exceeds the arena");
		cs.used = LZO1X_1_MEM_COMPRESS;
		break;
	case COMPRESS_ZLIB:
		memset(&cs.zs, 0, sizeof(cs.zs));
		cs.zs.zalloc = arena_alloc;
		cs.zs.zfree = arena_free;
		if (deflateInit(&cs.zs, Z_BEST_SPEED) != Z_OK) {
			log_err("dump.compress=zlib: deflateInit failed (%zu bytes of arena taken); pages are stored raw",
				cs.used);
			return -ENOMEM;
		}
		break;
	case COMPRESS_ZSTD: {
		/* Sized for what every call compresses: one page at level 1 (the parameters
		 * ZSTD_compressCCtx picks from the level and the source size). */
		size_t need = ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(ZSTD_LEVEL, PAGE_SIZE, 0));

		cs.zc = need <= ARENA_SIZE - cs.lent ? ZSTD_initStaticCCtx(cs.arena, ARENA_SIZE - cs.lent) : NULL;
		if (!cs.zc) {
			log_err("dump.compress=zstd: a level-%d context needs %zu bytes, the arena has %zu; pages are stored raw",
				ZSTD_LEVEL, need, ARENA_SIZE - cs.lent);
			return -ENOMEM;
		}
		cs.used = need;
		break;
	}
	default:
		log_err("dump.compress: unknown compressor 0x%x", (unsigned)alg);
		return -EINVAL;
	}
	cs.alg = alg;
	return 0;
}

/* See compress.h. */
size_t compress_page(const void *in, size_t len, void *out)
{
	switch (cs.alg) {
	case COMPRESS_LZO: {
		lzo_uint n = COMPRESS_OUT_MAX;

		if (lzo1x_1_compress(in, len, out, &n, cs.arena) != LZO_E_OK)
			return 0;
		return n < len ? n : 0;
	}
	case COMPRESS_ZLIB: {
		/* makedumpfile's compress_mdf: one deflate(Z_FINISH) of the page, then deflateReset. The
		 * output may take len - 1 bytes at most: a page that does not fit is stored raw. */
		size_t n;
		int rc;

		cs.zs.next_in = (Bytef *)(uintptr_t)in;
		cs.zs.avail_in = (uInt)len;
		cs.zs.next_out = out;
		cs.zs.avail_out = (uInt)(len - 1);
		rc = deflate(&cs.zs, Z_FINISH);
		n = cs.zs.total_out;
		deflateReset(&cs.zs);
		return rc == Z_STREAM_END ? n : 0;
	}
	case COMPRESS_ZSTD: {
		/* makedumpfile's compress: one frame per page; an error (the static CCtx is too small,
		 * which it is not) stores the page raw. */
		size_t n = ZSTD_compressCCtx(cs.zc, out, COMPRESS_OUT_MAX, in, len, ZSTD_LEVEL);

		return !ZSTD_isError(n) && n < len ? n : 0;
	}
	default:
		return 0;
	}
}

size_t compress_arena_used(void)
{
	return cs.used;
}

/* See compress.h. */
void *compress_arena_spare(enum dump_format f, enum dump_compress alg, size_t size)
{
	if ((f == FORMAT_KDUMP && alg == COMPRESS_ZLIB) || size > ARENA_SPARE_MAX)
		return NULL;
	cs.lent = MAX(cs.lent, ALIGN_UP(size, 16));
	return cs.arena + ARENA_SIZE - cs.lent;
}
