# The page compressors of dump.format=kdump from Debian's source packages, fetched and verified into
# $(B)/lzo2 and $(B)/zlib by scripts/fetch-debsrc.sh at build time (never committed): lzo2's minilzo
# (LZO1X-1) and zlib's deflate built with Z_SOLO (no libc, no allocator: dump/compress.c hands it
# an arena). Included by the Makefile like net/lwip.mk; also offers a host build for unit tests.

LZO_DIR := $(B)/lzo2
LZO_STAMP := $(LZO_DIR)/VERSION
ZLIB_DIR := $(B)/zlib
ZLIB_STAMP := $(ZLIB_DIR)/VERSION

# deflate and what it calls; NO_GZIP leaves out the gzip wrapper (and crc32), as makedumpfile's
# pages are zlib streams.
ZLIB_SRCS := adler32.c deflate.c trees.c zutil.c
COMPRESS_DEFS := -DZ_SOLO -DNO_GZIP -DLZO_CFG_FREESTANDING=1
COMPRESS_INCLUDES := -I$(LZO_DIR)/src/minilzo -I$(LZO_DIR)/src/include/lzo -I$(ZLIB_DIR)/src
COMPRESS_KOBJS := $(B)/k/lzo2/minilzo.o $(patsubst %.c,$(B)/k/zlib/%.o,$(ZLIB_SRCS))
KOBJS += $(COMPRESS_KOBJS)

# Their own files get the kernel's flags plus the stand-in <string.h> (net/port/libc), without
# -Werror's extra warnings that are not ours to fix. _LIBC_LIMITS_H_: gcc's <limits.h> defines
# every limit itself; this keeps it from chaining to the host's glibc header.
COMPRESS_KCFLAGS := $(COMPRESS_DEFS) $(COMPRESS_INCLUDES) -Inet/port/libc -D_LIBC_LIMITS_H_ -Wno-error
$(B)/k/dump/compress.o: KCFLAGS_EXTRA += $(COMPRESS_DEFS) $(COMPRESS_INCLUDES) -D_LIBC_LIMITS_H_
$(B)/k/dump/compress.o: | $(LZO_STAMP) $(ZLIB_STAMP)

$(LZO_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh lzo2 lzo2 minilzo/minilzo.c .
	@touch $@
$(ZLIB_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh zlib zlib deflate.c .
	@touch $@

$(B)/k/lzo2/minilzo.o: | $(LZO_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(LZO_DIR)/src/minilzo/minilzo.c)
	$(Q)$(KCC) $(KCFLAGS) $(COMPRESS_KCFLAGS) -MMD -MP -c $(LZO_DIR)/src/minilzo/minilzo.c -o $@
$(B)/k/zlib/%.o: | $(ZLIB_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(ZLIB_DIR)/src/$*.c)
	$(Q)$(KCC) $(KCFLAGS) $(COMPRESS_KCFLAGS) -MMD -MP -c $(ZLIB_DIR)/src/$*.c -o $@

# --- Host build for unit tests: the same sources, host gcc, as one archive, plus zlib's inflate so
# that the tests can read back what they check (minilzo has its decompressor).
#   make compress-host; gcc ... $(COMPRESS_HOST_CFLAGS) test.c dump/compress.c ... $(COMPRESS_HOST_LIB)
COMPRESS_HOST_LIB := $(B)/unit/libcompress-host.a
COMPRESS_HOST_CFLAGS := $(COMPRESS_DEFS) $(COMPRESS_INCLUDES)
# LZO and zlib load unaligned words on purpose (fine on x86): UBSan's alignment check is off for them.
COMPRESS_HOST_SANFLAGS := $(LWIP_HOST_SANFLAGS) -fno-sanitize=alignment
COMPRESS_HOST_OBJS := $(B)/unit/lzo2/minilzo.o \
	$(patsubst %.c,$(B)/unit/zlib/%.o,$(ZLIB_SRCS) inflate.c inffast.c inftrees.c)

$(B)/unit/lzo2/minilzo.o: | $(LZO_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(LZO_DIR)/src/minilzo/minilzo.c)
	$(Q)$(HOSTCC) $(COMPRESS_HOST_SANFLAGS) $(COMPRESS_HOST_CFLAGS) -w -c $(LZO_DIR)/src/minilzo/minilzo.c -o $@
$(B)/unit/zlib/%.o: | $(ZLIB_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(ZLIB_DIR)/src/$*.c)
	$(Q)$(HOSTCC) $(COMPRESS_HOST_SANFLAGS) $(COMPRESS_HOST_CFLAGS) -w -c $(ZLIB_DIR)/src/$*.c -o $@

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
