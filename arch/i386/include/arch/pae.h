/* Reading physical memory above 4 GiB on i386 through a PAE paging window (arch/i386/pae.c). */
#ifndef ARCH_PAE_H
#define ARCH_PAE_H

#include "lib/lib.h"

/* Copy len bytes at physical addr (any address the CPU can reach: 36 bits, or what CPUID
 * 0x80000008 says) into buf, which must lie below 0xFFE00000. Paging is on only during the call.
 * Returns 0, or -ERANGE without PAE or beyond the CPU's physical address width. */
int pae_read(uint64_t addr, void *buf, size_t len);

/* One uncached 32-bit read (into *v) or write (of *v) of a device register at physical addr
 * (4-byte aligned) through the same window. Returns 0, or -ERANGE as pae_read. */
int pae_mmio32(uint64_t addr, uint32_t *v, bool write);

#endif
