# lwIP from Debian's "lwip" source package, fetched and verified into $(B)/lwip by
# scripts/fetch-debsrc.sh at build time (never committed). Included by the Makefile: adds lwIP's
# objects and salvage's port to KOBJS and the include paths to KCFLAGS_EXTRA; also offers a host
# build of the same sources for unit tests (`make lwip-host`, see below).

LWIP_DIR := $(B)/lwip
LWIP_SRCDIR := $(LWIP_DIR)/src
LWIP_STAMP := $(LWIP_DIR)/VERSION

# The lwIP sources salvage runs (paths under src/): the core, IPv4 and the Ethernet layer. Modules
# lwipopts.h disables (TCP, DNS, IGMP, AutoIP, stats) compile to nothing, so all are listed.
LWIP_SRCS := core/def.c core/dns.c core/inet_chksum.c core/init.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c \
	core/ipv4/autoip.c core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/igmp.c \
	core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	netif/ethernet.c
# salvage's port: sys_now()/random (kernel and host) and atoi (kernel only; the host has libc's).
LWIP_PORT_SRCS := net/port/sys_arch.c
LWIP_PORT_KSRCS := net/port/libc.c

# Everything that includes lwIP headers finds salvage's arch/cc.h and lwipopts.h first.
LWIP_INCLUDES := -Inet/port -I$(LWIP_SRCDIR)/include
KCFLAGS_EXTRA += $(LWIP_INCLUDES)

LWIP_KOBJS := $(patsubst %.c,$(B)/k/lwip/%.o,$(LWIP_SRCS))
KOBJS += $(LWIP_KOBJS) $(patsubst %.c,$(B)/k/%.o,$(LWIP_PORT_SRCS) $(LWIP_PORT_KSRCS))

# lwIP's own files get the kernel's flags, -Werror included, plus a stand-in <string.h>/<stdlib.h>
# (the cross compiler has no libc headers), and -fno-strict-aliasing: lwIP casts between its
# packed protocol headers and byte buffers.
LWIP_KCFLAGS := -Inet/port/libc -fno-strict-aliasing

$(LWIP_STAMP): scripts/fetch-debsrc.sh
	@B=$(B) sh scripts/fetch-debsrc.sh lwip lwip core/init.c src
	@touch $@

$(B)/k/lwip/%.o: $(LWIP_SRCDIR)/%.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(KCC) $(KCFLAGS) $(KCFLAGS_EXTRA) $(LWIP_KCFLAGS) -MMD -MP -c $< -o $@

# The lwIP sources appear once the fetch ran; salvage's network code needs lwIP's headers first.
$(addprefix $(LWIP_SRCDIR)/,$(LWIP_SRCS)): | $(LWIP_STAMP)
$(filter $(B)/k/net/%,$(KOBJS)): | $(LWIP_STAMP)

# --- Host build for unit tests (the TFTP tests): the same lwIP sources and port, host gcc
# with the sanitizers tests/run uses, as one archive. A test links it by
#   make lwip-host    (fetches lwIP if needed; builds $(LWIP_HOST_LIB))
#   gcc ... $(LWIP_HOST_CFLAGS) test.c ... $(LWIP_HOST_LIB)
# `make -s print-lwip-host-cflags` / `print-lwip-host-lib` print the two values for scripts.
# lwIP's own files are built without -Werror on the host: they are not ours to fix, and x86_64 and
# newer host compilers warn where the i386 kernel build does not.
LWIP_HOST_LIB := $(B)/unit/liblwip-host.a
LWIP_HOST_CFLAGS := -I. $(LWIP_INCLUDES)
LWIP_HOST_SANFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -fno-strict-aliasing
LWIP_HOST_OBJS := $(patsubst %.c,$(B)/unit/lwip/%.o,$(LWIP_SRCS) $(LWIP_PORT_SRCS))

$(B)/unit/lwip/%.o: $(LWIP_SRCDIR)/%.c net/port/lwipopts.h net/port/arch/cc.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(LWIP_HOST_SANFLAGS) $(LWIP_HOST_CFLAGS) -w -c $< -o $@

$(B)/unit/lwip/net/port/%.o: net/port/%.c net/port/lwipopts.h net/port/arch/cc.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(LWIP_HOST_SANFLAGS) $(LWIP_HOST_CFLAGS) -Wall -Wextra -Werror -c $< -o $@

$(LWIP_HOST_LIB): $(LWIP_HOST_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

.PHONY: lwip lwip-host print-lwip-host-cflags print-lwip-host-lib print-lwip-srcdir print-lwip-srcs
lwip: $(LWIP_STAMP)
lwip-host: $(LWIP_HOST_LIB)
print-lwip-host-cflags:
	@echo '$(LWIP_HOST_CFLAGS)'
print-lwip-host-lib:
	@echo '$(LWIP_HOST_LIB)'
print-lwip-srcdir: $(LWIP_STAMP)
	@echo '$(LWIP_SRCDIR)'
# The host build's sources (lwIP's under print-lwip-srcdir, the port's under the tree), for tests/fuzz/fuzz.
print-lwip-srcs:
	@echo '$(LWIP_SRCS) $(LWIP_PORT_SRCS)'
