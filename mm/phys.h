/* Reading the crashed machine's physical memory: the one way generic code gets at it.
 * Kernel: arch/i386/phys.c; host tests: a fake memory in tests/unit/shim.c. */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include "lib/lib.h"

/* Copy len bytes at physical address addr into buf. Returns 0, or -ERANGE when any part of the
 * range cannot be read (above 4 GiB it goes through a PAE window, arch/i386/pae.c, when the CPU has one).
 * Never faults on a bad range. */
int phys_read(uint64_t addr, void *buf, size_t len);

/* Zero len bytes at physical address addr: only for memory salvage was handed by its loader (the
 * seed segment, crypto/random.c). Returns 0, or -ERANGE above 4 GiB (not reachable for writes). */
int phys_zero(uint64_t addr, size_t len);

/* A 32-bit device register at physical address addr (4-byte aligned), read or written with one
 * uncached access — for registers that are not in a PCI BAR (drivers/iommu.c). Above 4 GiB through
 * a PAE window; where nothing can be reached, reads give all ones and writes are dropped.
 * Kernel: arch/i386/phys.c; host tests: the test's own register model. */
uint32_t mmio_read32(uint64_t addr);
void mmio_write32(uint64_t addr, uint32_t v);

#endif
