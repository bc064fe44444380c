# BearSSL from Debian's "bearssl" source package, fetched and verified into $(B)/bearssl by
# scripts/fetch-debsrc.sh at build time (never committed), built freestanding: only the objects the age
# writer and the crash-time random generator call, each BearSSL's constant-time 32-bit implementation.
# Included by the Makefile like net/lwip.mk; also offers a host build of the same objects for unit tests.

BEARSSL_DIR := $(B)/bearssl
BEARSSL_STAMP := $(BEARSSL_DIR)/VERSION

# X25519 (br_ec_c25519_m31 and br_ccopy), ChaCha20 (br_chacha20_ct_run), Poly1305 with the AEAD
# (br_poly1305_ctmul32_run), SHA-256 (sha2small.c, with the big-endian codecs it calls), HMAC, HKDF
# and HMAC_DRBG (br_hmac_drbg).
BEARSSL_SRCS := codec/ccopy.c codec/dec32be.c codec/enc32be.c ec/ec_c25519_m31.c \
	hash/sha2small.c kdf/hkdf.c mac/hmac.c rand/hmac_drbg.c \
	symcipher/chacha20_ct.c symcipher/poly1305_ctmul32.c
BEARSSL_INCLUDES := -I$(BEARSSL_DIR)/src/inc
BEARSSL_KOBJS := $(patsubst %.c,$(B)/k/bearssl/%.o,$(BEARSSL_SRCS))
KOBJS += $(BEARSSL_KOBJS)
# salvage's own code reaches BearSSL through <bearssl.h> (types and functions only; no libc header).
KCFLAGS_EXTRA += $(BEARSSL_INCLUDES)

# BearSSL's own files: the kernel's flags, its private headers, and a stand-in <string.h> with the
# four memory functions of lib/string.c (crypto/port). _LIBC_LIMITS_H_: gcc's <limits.h> defines every
# limit itself; this keeps it from chaining to the host's glibc header. -Wno-error: not ours to fix.
BEARSSL_KCFLAGS := -Icrypto/port $(BEARSSL_INCLUDES) -I$(BEARSSL_DIR)/src/src -D_LIBC_LIMITS_H_ -Wno-error

$(BEARSSL_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh bearssl bearssl src/ec/ec_c25519_m31.c .
	@touch $@

$(B)/k/bearssl/%.o: | $(BEARSSL_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$(BEARSSL_DIR)/src/src/$*.c)
	$(Q)$(KCC) $(KCFLAGS) $(BEARSSL_KCFLAGS) -MMD -MP -c $(BEARSSL_DIR)/src/src/$*.c -o $@

# salvage's code that includes <bearssl.h> (crypto/) needs it unpacked first, and the stand-in
# <string.h> that bearssl_hash.h includes.
$(filter $(B)/k/crypto/% $(B)/k/dump/%,$(KOBJS)): | $(BEARSSL_STAMP)
$(filter $(B)/k/crypto/%,$(KOBJS)): KCFLAGS_EXTRA += -Icrypto/port

# --- Host build for unit tests: the same objects, host gcc with the sanitizers of tests/run, as one
# archive. A test links it by
#   make bearssl-host; gcc ... $(BEARSSL_HOST_CFLAGS) test.c ... $(BEARSSL_HOST_LIB)
# BearSSL loads unaligned words on purpose on x86 (BR_LE_UNALIGNED): UBSan's alignment check is off.
BEARSSL_HOST_LIB := $(B)/unit/libbearssl-host.a
BEARSSL_HOST_CFLAGS := $(BEARSSL_INCLUDES)
BEARSSL_HOST_OBJS := $(patsubst %.c,$(B)/unit/bearssl/%.o,$(BEARSSL_SRCS))

$(B)/unit/bearssl/%.o: | $(BEARSSL_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(BEARSSL_DIR)/src/src/$*.c)
	$(Q)$(HOSTCC) $(LWIP_HOST_SANFLAGS) -fno-sanitize=alignment $(BEARSSL_INCLUDES) \
		-I$(BEARSSL_DIR)/src/src -w -c $(BEARSSL_DIR)/src/src/$*.c -o $@

$(BEARSSL_HOST_OBJS): crypto/bearssl.mk
$(BEARSSL_HOST_LIB): $(BEARSSL_HOST_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

.PHONY: bearssl bearssl-host print-bearssl-host-cflags print-bearssl-host-lib
bearssl: $(BEARSSL_STAMP)
bearssl-host: $(BEARSSL_HOST_LIB)
print-bearssl-host-cflags:
	@echo '$(BEARSSL_HOST_CFLAGS)'
print-bearssl-host-lib:
	@echo '$(BEARSSL_HOST_LIB)'
