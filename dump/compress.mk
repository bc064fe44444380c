# The page compressors of dump.format=kdump from Debian's source packages, fetched and verified into
# $(B)/lzo2, $(B)/zlib and $(B)/zstd by scripts/fetch-debsrc.sh at build time (never committed):
# lzo2's minilzo (LZO1X-1), zlib's deflate built with Z_SOLO (no libc, no allocator: dump/compress.c
# hands it an arena) and libzstd's compressor (a static CCtx in the same arena). Included by the
# Makefile like net/lwip.mk; also offers a host build for unit tests.

LZO_DIR := $(B)/lzo2
LZO_STAMP := $(LZO_DIR)/VERSION
ZLIB_DIR := $(B)/zlib
ZLIB_STAMP := $(ZLIB_DIR)/VERSION
ZSTD_DIR := $(B)/zstd
ZSTD_STAMP := $(ZSTD_DIR)/VERSION

# deflate and what it calls; NO_GZIP leaves out the gzip wrapper (and crc32), as makedumpfile's
# pages are zlib streams.
ZLIB_SRCS := adler32.c deflate.c trees.c zutil.c
# Z_SOLO makes zlib clear and copy with its own byte loops (zmemzero was 15% of a zlib dump's
# profile: deflateReset clears a 64 KiB hash table for every page); HAVE_MEMCPY gives it memset
# and memcpy, declared by the <string.h> it then needs.
ZLIB_DEFS := -DHAVE_MEMCPY -include string.h
COMPRESS_DEFS := -DZ_SOLO -DNO_GZIP -DLZO_CFG_FREESTANDING=1
COMPRESS_INCLUDES := -I$(LZO_DIR)/src/minilzo -I$(LZO_DIR)/src/include/lzo -I$(ZLIB_DIR)/src -I$(ZSTD_DIR)/src/lib
# Freestanding, minilzo clears its 32 KiB dictionary for every page with its own byte loop
# (lzo_memset): most of an LZO dump's time. -ftree-loop-distribute-patterns makes gcc turn that loop
# into a call to lib/string.c's memset (rep stosl).
LZO_KDEFS := -ftree-loop-distribute-patterns
$(B)/k/lzo2/minilzo.o: dump/compress.mk
COMPRESS_KOBJS := $(B)/k/lzo2/minilzo.o $(patsubst %.c,$(B)/k/zlib/%.o,$(ZLIB_SRCS)) $(B)/k/zstd.o
KOBJS += $(COMPRESS_KOBJS)

# libzstd 1.5.4's compressor, sized down the ways its lib/README.md offers: no error strings, -Os,
# no tracing, no multithreading (never defined). zstd_deps.h's allocator is replaced by one that
# always fails: salvage only uses a static CCtx (ZSTD_initStaticCCtx), which never allocates (a CCtx
# that needed to would fail the page, and the page is stored raw). 1.5.4 has no switches to leave out
# the block compressors level 1 never uses (double_fast, lazy, opt, ldm, superblock): those are built
# with ZSTD_NO_INLINE (lazy alone is 114 KiB with its inlined templates, 14 KiB without); level 1's
# own path keeps zstd's forced inlining (with ZSTD_NO_INLINE everywhere the code was 86 KiB, but a
# 512 MiB crash's dump.level=31 dump took 35.5 s, 13.4 s with it: bench runs, load 9-11). The objects are linked into one (ld -r
# --gc-sections from the entry points dump/compress.c calls), which drops what nothing reaches:
# 105 KiB of i386 code remain.
ZSTD_SRCS := common/entropy_common.c common/error_private.c common/fse_decompress.c common/xxhash.c \
	common/zstd_common.c compress/fse_compress.c compress/hist.c compress/huf_compress.c \
	compress/zstd_compress.c compress/zstd_compress_literals.c compress/zstd_compress_sequences.c \
	compress/zstd_compress_superblock.c compress/zstd_double_fast.c compress/zstd_fast.c \
	compress/zstd_lazy.c compress/zstd_ldm.c compress/zstd_opt.c
ZSTD_ENTRIES := ZSTD_initStaticCCtx ZSTD_compressCCtx ZSTD_estimateCCtxSize_usingCParams ZSTD_getCParams \
	ZSTD_isError
ZSTD_COLD := compress/zstd_double_fast.c compress/zstd_lazy.c compress/zstd_opt.c compress/zstd_ldm.c \
	compress/zstd_compress_superblock.c
ZSTD_DEFS := -DZSTD_STRIP_ERROR_STRINGS -DZSTD_DISABLE_ASM -DZSTD_TRACE=0 -DDEBUGLEVEL=0 \
	-DZSTD_DEPS_MALLOC '-DZSTD_malloc(s)=((void)(s), (void *)0)' \
	'-DZSTD_calloc(n, s)=((void)(n), (void)(s), (void *)0)' '-DZSTD_free(p)=((void)(p))' \
	'-DXXH_STATIC_ASSERT(c)=_Static_assert((c), \#c)'
ZSTD_KOBJS := $(patsubst %.c,$(B)/k/zstd/%.o,$(ZSTD_SRCS))

# Their own files get the kernel's flags plus the stand-in <string.h> (net/port/libc), without
# -Werror's extra warnings that are not ours to fix. _LIBC_LIMITS_H_: gcc's <limits.h> defines
# every limit itself; this keeps it from chaining to the host's glibc header.
COMPRESS_KCFLAGS := $(COMPRESS_DEFS) $(COMPRESS_INCLUDES) -Inet/port/libc -D_LIBC_LIMITS_H_ -Wno-error
$(B)/k/dump/compress.o: KCFLAGS_EXTRA += $(COMPRESS_DEFS) $(COMPRESS_INCLUDES) -D_LIBC_LIMITS_H_
$(B)/k/dump/compress.o: | $(LZO_STAMP) $(ZLIB_STAMP) $(ZSTD_STAMP)

$(LZO_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh lzo2 lzo2 minilzo/minilzo.c .
	@touch $@
$(ZLIB_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh zlib zlib deflate.c .
	@touch $@
$(ZSTD_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh libzstd zstd lib/compress/zstd_compress.c .
	@touch $@

$(B)/k/lzo2/minilzo.o: | $(LZO_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(LZO_DIR)/src/minilzo/minilzo.c)
	$(Q)$(KCC) $(KCFLAGS) $(COMPRESS_KCFLAGS) $(LZO_KDEFS) -MMD -MP -c $(LZO_DIR)/src/minilzo/minilzo.c -o $@
$(B)/k/zlib/%.o: | $(ZLIB_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(ZLIB_DIR)/src/$*.c)
	$(Q)$(KCC) $(KCFLAGS) $(COMPRESS_KCFLAGS) $(ZLIB_DEFS) -w -MMD -MP -c $(ZLIB_DIR)/src/$*.c -o $@
$(B)/k/zstd/%.o: | $(ZSTD_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(ZSTD_DIR)/src/lib/$*.c)
	$(Q)$(KCC) $(KCFLAGS) $(COMPRESS_KCFLAGS) $(ZSTD_DEFS) -Os -fdata-sections -MMD -MP -c $(ZSTD_DIR)/src/lib/$*.c -o $@
$(B)/k/zstd.o: $(ZSTD_KOBJS)
	$(call say,LD,$@)
	$(Q)$(KLD) -m elf_i386 -r --gc-sections $(addprefix -u ,$(ZSTD_ENTRIES)) -o $@ $(ZSTD_KOBJS)
$(ZSTD_KOBJS) $(patsubst %.c,$(B)/k/zlib/%.o,$(ZLIB_SRCS)): dump/compress.mk
$(patsubst %.c,$(B)/k/zstd/%.o,$(ZSTD_COLD)): ZSTD_DEFS += -DZSTD_NO_INLINE

# --- Host build for unit tests: the same sources, host gcc, as one archive, plus zlib's inflate so
# that the tests can read back what they check (minilzo has its decompressor).
#   make compress-host; gcc ... $(COMPRESS_HOST_CFLAGS) test.c dump/compress.c ... $(COMPRESS_HOST_LIB)
COMPRESS_HOST_LIB := $(B)/unit/libcompress-host.a
COMPRESS_HOST_CFLAGS := $(COMPRESS_DEFS) $(COMPRESS_INCLUDES)
# LZO and zlib load unaligned words on purpose (fine on x86): UBSan's alignment check is off for them.
COMPRESS_HOST_SANFLAGS := $(LWIP_HOST_SANFLAGS) -fno-sanitize=alignment
COMPRESS_HOST_OBJS := $(B)/unit/lzo2/minilzo.o \
	$(patsubst %.c,$(B)/unit/zlib/%.o,$(ZLIB_SRCS) inflate.c inffast.c inftrees.c) \
	$(patsubst %.c,$(B)/unit/zstd/%.o,$(ZSTD_SRCS))

$(B)/unit/lzo2/minilzo.o: | $(LZO_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(LZO_DIR)/src/minilzo/minilzo.c)
	$(Q)$(HOSTCC) $(COMPRESS_HOST_SANFLAGS) $(COMPRESS_HOST_CFLAGS) -w -c $(LZO_DIR)/src/minilzo/minilzo.c -o $@
$(B)/unit/zlib/%.o: | $(ZLIB_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(ZLIB_DIR)/src/$*.c)
	$(Q)$(HOSTCC) $(COMPRESS_HOST_SANFLAGS) $(COMPRESS_HOST_CFLAGS) $(ZLIB_DEFS) -w -c $(ZLIB_DIR)/src/$*.c -o $@
$(B)/unit/zstd/%.o: | $(ZSTD_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(ZSTD_DIR)/src/lib/$*.c)
	$(Q)$(HOSTCC) $(COMPRESS_HOST_SANFLAGS) $(COMPRESS_HOST_CFLAGS) $(ZSTD_DEFS) -w -c $(ZSTD_DIR)/src/lib/$*.c -o $@

$(COMPRESS_HOST_OBJS): dump/compress.mk
$(COMPRESS_HOST_LIB): $(COMPRESS_HOST_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

.PHONY: compress-host print-compress-host-cflags print-compress-host-lib
compress-host: $(COMPRESS_HOST_LIB)
print-compress-host-cflags:
	@echo '$(COMPRESS_HOST_CFLAGS)'
print-compress-host-lib:
	@echo '$(COMPRESS_HOST_LIB)'
