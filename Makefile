# salvage — build the i386 capture kernel, its host tools, and run the demo, tests and benchmarks.
# `make` builds build/salvage.elf and build/salvage-recv; `make check` runs every test but the long
# ones, which `make check-long` runs.

export LC_ALL := C
export SOURCE_DATE_EPOCH ?= 1767225600

CROSS ?= i686-linux-gnu-
KCC := $(CROSS)gcc
KLD := $(CROSS)ld
KOBJCOPY := $(CROSS)objcopy
KNM := $(CROSS)nm
NASM ?= nasm
HOSTCC ?= gcc
B := build

# Short build lines ("  CC  dump/elfcore.c"); `make V=1` shows every full command instead.
V ?= 0
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif

# Kernel C: freestanding, position independent (salvage relocates itself at entry), strict.
# -ffunction-sections lets linker.ld put the hot loops in one page (.text.hot).
KCFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -fPIE -ffreestanding -fno-builtin -ffunction-sections \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mno-sse -mno-mmx -mno-80387 -mno-red-zone \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-I. -Iarch/i386/include -ffile-prefix-map=$(CURDIR)=.
KLDFLAGS := -m elf_i386 -pie --no-dynamic-linker -z text -z noexecstack -z max-page-size=4096 \
	-nostdlib --no-undefined --build-id=none -T linker.ld -Map=$(B)/salvage.map
NASMFLAGS := -f elf32 -g -Iboot/

# Every kernel source, sorted so the link order (and the image) is reproducible.
KSRC_C := $(sort $(wildcard boot/*.c arch/i386/*.c mm/*.c dump/*.c net/*.c drivers/*.c lib/*.c crypto/*.c))
KSRC_S := $(sort $(filter-out boot/bzimage.asm boot/multiboot-kexec.asm,$(wildcard boot/*.asm arch/i386/*.asm)))  # wrappers
KOBJS := $(patsubst %.c,$(B)/k/%.o,$(KSRC_C)) $(patsubst %.asm,$(B)/k/%.o,$(KSRC_S))
# EXTRA_KOBJS: development-only objects (never committed), e.g. while a piece is still missing.
KOBJS += $(EXTRA_KOBJS)

# The host tools are built hardened as Debian builds its packages (dpkg-buildflags).
HOSTCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -I. \
	-D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fcf-protection
HOSTLDFLAGS := -Wl,-z,relro -Wl,-z,now

.PHONY: all deps deps-quiet toolchain demo check check-long bench clean install sign fuzz deb
# Building needs only the toolchain (scripts/deps.sh build lists it) and never runs apt on the system;
# the targets that run tests, the demo or the benchmarks install what they need first.
all: $(B)/salvage.elf $(B)/salvage.bzImage $(B)/salvage.multiboot.elf $(B)/salvage-recv $(B)/salvage-mkcorehdr \
	$(B)/salvage-recipients

# A clear error naming the Debian packages when a build tool is missing (before any compiler runs).
toolchain:
	@sh scripts/deps.sh --check-build "$(KCC) $(KLD) $(KOBJCOPY) $(KNM) $(NASM) $(HOSTCC)"

# lwIP (fetched from Debian's source package at build time) adds its objects to KOBJS.
-include net/lwip.mk
# So do the page compressors of dump.format=kdump (lzo2's minilzo, zlib).
-include dump/compress.mk
# And BearSSL (X25519, ChaCha20-Poly1305, SHA-256, HMAC, HKDF, HMAC_DRBG) for encrypted dumps.
-include crypto/bearssl.mk

# SHA-256 is most of salvage's CPU time while it sends (guest profile: bench/guest-prof.py); on
# register-starved i386 the frame pointer is worth an eighth more of it.
$(B)/k/lib/sha256.o: KCFLAGS_EXTRA += -fomit-frame-pointer

# The x86_64 blob that arch/i386/long.asm includes and calls in long mode (<arch/long.h>): the SHA-256
# rounds and ChaCha20-Poly1305 sealing (BearSSL's chacha20_ct and poly1305_ctmulq from the same
# Debian source as the kernel's, -O3: 64-bit multiplies, 16 registers; general registers only, as
# long mode runs with SSE off and TCG ran BearSSL's SSE2 ChaCha slower). Linked at 0 as a PIE by
# arch/i386/long64/long64.ld: the build fails if it needs any relocation; the offsets of its entry
# points go to long64_syms.inc for long.asm. Only its bytes are used (objcopy), so its one RWX
# segment does not matter.
LONG64_CFLAGS := -m64 -std=gnu11 -fPIE -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-tree-loop-distribute-patterns -I.
LONG64_DIR := $(B)/k/arch/i386/long64
LONG64_OBJS := $(LONG64_DIR)/sha256_blocks64.o $(LONG64_DIR)/chachapoly64.o \
	$(LONG64_DIR)/chacha20_ct.o $(LONG64_DIR)/poly1305_ctmulq.o $(LONG64_DIR)/string.o $(LONG64_DIR)/ap64.o
# The blob's entry points, each LONG64_<NAME without 64> in long64_syms.inc: SHA-256 blocks, the
# sealing, and the helper CPU's loop and interrupt handlers (arch/i386/smp.c).
LONG64_ENTRIES := sha256_blocks64 chachapoly_seal64 ap_loop64 ap_isr_wake ap_isr_quiet ap_isr_fault ap_isr_fault_err \
	ap_debug_fault64
$(LONG64_DIR)/sha256_blocks64.o: lib/sha256_rounds.h
$(LONG64_DIR)/ap64.o: arch/i386/include/arch/smp.h
$(LONG64_DIR)/sha256_blocks64.o $(LONG64_DIR)/ap64.o: $(LONG64_DIR)/%.o: arch/i386/long64/%.c
	@mkdir -p $(dir $@)
	$(call say,CC64,$<)
	$(Q)$(HOSTCC) $(LONG64_CFLAGS) -Iarch/i386/include -O2 -ffreestanding -fno-builtin -Wall -Wextra -Werror -c $< -o $@
# lib/string.c's memcpy and memset, which BearSSL and the compiler call, built for the blob too.
$(LONG64_DIR)/string.o: lib/string.c lib/lib.h
	@mkdir -p $(dir $@)
	$(call say,CC64,$<)
	$(Q)$(HOSTCC) $(LONG64_CFLAGS) -O2 -ffreestanding -fno-builtin -Wall -Wextra -Werror -c $< -o $@
# BearSSL's code and its wrapper: hosted flags (so that fixed-size memcpy calls become moves) but no
# libc: lib/string.c supplies memcpy and memset.
$(LONG64_DIR)/chachapoly64.o: arch/i386/long64/chachapoly64.c | $(BEARSSL_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC64,$<)
	$(Q)$(HOSTCC) $(LONG64_CFLAGS) -O3 -Wall -Wextra -Werror -Icrypto/port $(BEARSSL_INCLUDES) -c $< -o $@
$(LONG64_DIR)/%.o: | $(BEARSSL_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC64,$(BEARSSL_DIR)/src/src/symcipher/$*.c)
	$(Q)$(HOSTCC) $(LONG64_CFLAGS) -O3 $(BEARSSL_KCFLAGS) -c $(BEARSSL_DIR)/src/src/symcipher/$*.c -o $@
$(LONG64_DIR)/long64.bin: $(LONG64_OBJS) arch/i386/long64/long64.ld
	$(call say,LD64,$@)
	$(Q)ld -m elf_x86_64 -pie --no-dynamic-linker -nostdlib --no-warn-rwx-segments -T arch/i386/long64/long64.ld -o $(LONG64_DIR)/long64.elf $(LONG64_OBJS)
	@readelf -rW $(LONG64_DIR)/long64.elf | grep -q 'no relocations' || \
		{ echo "long64.elf needs relocations:"; readelf -rW $(LONG64_DIR)/long64.elf; exit 1; }
	@nm $(LONG64_DIR)/long64.elf | grep -q '^0000000000000000 T sha256_blocks64$$' || \
		{ echo "sha256_blocks64 is not at offset 0"; exit 1; }
	@nm $(LONG64_DIR)/long64.elf | grep ' [Uu] ' && { echo "long64.elf has undefined symbols"; exit 1; } || true
	$(Q)objcopy -O binary -j .blob $(LONG64_DIR)/long64.elf $@
	@nm $(LONG64_DIR)/long64.elf | awk -v want="$(LONG64_ENTRIES)" 'BEGIN { n = split(want, w); for (i = 1; i <= n; i++) e[w[i]] = 1 } \
		($$3 in e) { s = toupper($$3); sub(/64$$/, "", s); print "LONG64_" s " equ 0x" $$1 }' >$(LONG64_DIR)/long64_syms.inc
	@[ "$$(wc -l <$(LONG64_DIR)/long64_syms.inc)" = $(words $(LONG64_ENTRIES)) ] || { echo "long64.elf: entry points missing"; exit 1; }
$(B)/k/arch/i386/long.o: $(LONG64_DIR)/long64.bin
$(B)/k/arch/i386/long.o: NASMFLAGS += -I$(LONG64_DIR)/

$(B)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(KCC) $(KCFLAGS) $(KCFLAGS_EXTRA) -MMD -MP -c $< -o $@

$(B)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(NASM) $(NASMFLAGS) -MD $(B)/k/$*.d -MP $< -o $@

# Compiler flags live here: a change to them rebuilds the kernel.
$(KOBJS): Makefile | toolchain

$(B)/salvage.elf: $(KOBJS) linker.ld
	$(call say,LD,$@)
	$(Q)$(KLD) $(KLDFLAGS) -o $@ $(KOBJS)

# The same image in bzImage form for kexec_file_load (boot/bzimage.asm), from salvage.elf's symbols.
BZ_SYMS := __data_end=DATA_END __image_end=IMAGE_END mb_header=MB_HEADER entry64=ENTRY64
$(B)/salvage.bzImage: $(B)/salvage.elf boot/bzimage.asm
	$(call say,BZIMAGE,$@)
	$(Q)$(NASM) -f bin -DIMAGE='"$<"' $$($(KNM) $< | awk -v want="$(BZ_SYMS)" \
		'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], p, "="); m[p[1]] = p[2] } } \
		 ($$3 in m) { printf "-D%s=0x%s ", m[$$3], $$1 }') boot/bzimage.asm -o $@

# The same image for kexec's multiboot-x86 loader: the multiboot header without the a.out kludge
# (boot/multiboot-kexec.asm). mb_header is linked at its file offset (linker.ld: offset == address).
$(B)/salvage.multiboot.elf: $(B)/salvage.elf boot/multiboot-kexec.asm
	$(call say,MBIMAGE,$@)
	$(Q)$(NASM) -f bin -DIMAGE='"$<"' $$($(KNM) $< | awk '$$3 == "mb_header" { printf "-DMB_HEADER=0x%s ", $$1 } \
		$$3 == "MB_FLAGS" { printf "-DMB_FLAGS=0x%s ", $$1 }') boot/multiboot-kexec.asm -o $@
	$(Q)chmod 0755 $@

# make sign KEY=key.pem CERT=cert.pem [SIGNED=file]: the bzImage signed for kexec_file_load under
# Secure Boot (sbsign: an Authenticode signature in the PE/COFF certificate table).
SIGNED ?= $(B)/salvage.signed.bzImage
sign: $(B)/salvage.bzImage
	@[ -n "$(KEY)" ] && [ -n "$(CERT)" ] || { echo "usage: make sign KEY=signing-key.pem CERT=certificate.pem"; exit 1; }
	sbsign --key "$(KEY)" --cert "$(CERT)" --output "$(SIGNED)" $(B)/salvage.bzImage
	sbverify --cert "$(CERT)" "$(SIGNED)"

$(B)/salvage-recv: tools/salvage-recv.c dump/frame.c dump/frame.h lib/sha256.c lib/sha256.h Makefile | toolchain
	@mkdir -p $(B)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(HOSTLDFLAGS) -o $@ tools/salvage-recv.c dump/frame.c lib/sha256.c

# Builds the ELF core header for `salvage-load --type multiboot` on the production (x86_64) host.
$(B)/salvage-mkcorehdr: tools/salvage-mkcorehdr.c Makefile | toolchain
	@mkdir -p $(B)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(HOSTLDFLAGS) -o $@ tools/salvage-mkcorehdr.c

# Checks age recipients for salvage-load (--encrypt-to, --recipients-file) with the kernel's parser.
$(B)/salvage-recipients: tools/salvage-recipients.c crypto/recipient.c crypto/recipient.h lib/lib.h lib/cmdline.h Makefile | toolchain
	@mkdir -p $(B)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(HOSTLDFLAGS) -o $@ tools/salvage-recipients.c crypto/recipient.c

deps:
	@sh scripts/deps.sh

# The demo, the tests and the benchmarks install what is missing first (quiet when nothing is),
# then build.
deps-quiet:
	@sh scripts/deps.sh

demo: deps-quiet
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

check: deps-quiet
	@$(MAKE) --no-print-directory all
	@sh tests/run

# Tests too long for make check (tests/long/*.sh), with the same ok / not ok counting.
check-long: deps-quiet
	@$(MAKE) --no-print-directory all
	@LONG=1 sh tests/run

bench: deps-quiet
	@$(MAKE) --no-print-directory all
	@sh bench/run

# libFuzzer targets (tests/fuzz): each runs FUZZ_S seconds (at most FUZZ_RUNS executions) from its corpus
# in the tree and merges new coverage into it; `make check` runs every corpus once.
FUZZ_S ?= 60
fuzz: deps-quiet
	@FUZZ_S=$(FUZZ_S) FUZZ_RUNS=$(FUZZ_RUNS) bash tests/fuzz/fuzz run $(FUZZ_TARGETS)

# make install: the images, tools, man pages, salvage.service, its udev rule and /etc/salvage.conf
# (kept when it exists). `make deb` installs the same into the package with PREFIX=/usr.
PREFIX ?= /usr/local
SBINDIR = $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd reads units from /usr/local/lib/systemd/system too; udev reads no rules under /usr/local.
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
UDEVDIR ?= $(SYSCONFDIR)/udev/rules.d
MANPAGES := pkg/man/salvage-load.8 pkg/man/salvage-mkcorehdr.8 pkg/man/salvage-recipients.8 pkg/man/salvage-recv.1 \
	pkg/man/salvage.conf.5
install: all
	install -D -m 0644 $(B)/salvage.elf $(DESTDIR)$(PREFIX)/lib/salvage/salvage.elf
	install -D -m 0644 $(B)/salvage.bzImage $(DESTDIR)$(PREFIX)/lib/salvage/salvage.bzImage
	install -D -m 0644 $(B)/salvage.multiboot.elf $(DESTDIR)$(PREFIX)/lib/salvage/salvage.multiboot.elf
	if [ -f $(B)/salvage.signed.bzImage ]; then install -D -m 0644 $(B)/salvage.signed.bzImage \
		$(DESTDIR)$(PREFIX)/lib/salvage/salvage.signed.bzImage; fi
	install -D -m 0755 tools/salvage-load $(DESTDIR)$(SBINDIR)/salvage-load
	install -D -m 0755 $(B)/salvage-mkcorehdr $(DESTDIR)$(SBINDIR)/salvage-mkcorehdr
	install -D -m 0755 $(B)/salvage-recipients $(DESTDIR)$(SBINDIR)/salvage-recipients
	install -D -m 0755 $(B)/salvage-recv $(DESTDIR)$(PREFIX)/bin/salvage-recv
	for m in $(MANPAGES); do s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	mkdir -p $(DESTDIR)$(SYSTEMDDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' pkg/salvage.service.in >$(DESTDIR)$(SYSTEMDDIR)/salvage.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/salvage.service
	install -D -m 0644 pkg/60-salvage.rules $(DESTDIR)$(UDEVDIR)/60-salvage.rules
	[ -e $(DESTDIR)$(SYSCONFDIR)/salvage.conf ] || install -D -m 0644 pkg/salvage.conf $(DESTDIR)$(SYSCONFDIR)/salvage.conf

# make deb: build/salvage_<version>_<arch>.deb (scripts/mkdeb.sh, dpkg-deb), what make install
# installs with PREFIX=/usr; /etc/salvage.conf is its conffile.
deb: all
	@B=$(B) MAKE="$(MAKE)" CROSS=$(CROSS) sh scripts/mkdeb.sh

clean:
	rm -rf $(B)/k $(B)/*.elf $(B)/*.bzImage $(B)/salvage-recv $(B)/salvage-mkcorehdr $(B)/salvage-recipients $(B)/salvage.map $(B)/unit $(B)/fuzz $(B)/deb $(B)/salvage_*.deb

-include $(shell find $(B)/k -name '*.d' 2>/dev/null)
