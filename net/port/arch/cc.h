/* lwIP's compiler/platform port for salvage: types from <stdint.h>, printf formats, and diagnostics
 * and assertions routed to salvage's log (lib/log.h). Used by the kernel and by host unit tests. */
#ifndef NET_PORT_ARCH_CC_H
#define NET_PORT_ARCH_CC_H

#include <stdint.h>
#include "lib/log.h"

/* The kernel has no <inttypes.h> or <ctype.h>: give lwIP its printf formats and let it use its own
 * character classes. The formats match the i386 and x86_64 ABIs alike (u32_t is unsigned int). */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
/* The cross compiler's <limits.h> reaches for libc headers the kernel build does not have; the
 * freestanding kernel gets its limits from the compiler, the host keeps libc's (and its ssize_t). */
#if !__STDC_HOSTED__
#define LWIP_NO_LIMITS_H 1
#define INT_MAX __INT_MAX__
#endif
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* x86 is little-endian; salvage has no <endian.h>. */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* lwIP's debug output (only with LWIP_DEBUG); its messages carry their own newlines. */
#define LWIP_PLATFORM_DIAG(x) do { log_info x; } while (0)

/* A failed lwIP assertion is a broken invariant: say where, then trap. In the kernel the trap is a
 * CPU exception that kmain's cpu_catch_exceptions() turns into "this target failed, try the next";
 * on the host it aborts the unit test. */
#define LWIP_PLATFORM_ASSERT(x) do { \
		log_err("lwIP assertion \"%s\" failed at %s:%d", (x), __FILE__, __LINE__); \
		__builtin_trap(); \
	} while (0)

/* Packed on-wire structs: GCC attributes. */
#define PACK_STRUCT_STRUCT __attribute__((packed))

/* Random numbers for DHCP transaction ids and UDP source ports (net/port/sys_arch.c). */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() ((u32_t)lwip_port_rand())

#endif
