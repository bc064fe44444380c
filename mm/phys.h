/* Reading the crashed machine's physical memory: the one way generic code gets at it.
 * Kernel: arch/i386/phys.c; host tests: a fake memory in tests/unit/shim.c. */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include "lib/lib.h"

/* Copy len bytes at physical address addr into buf. Returns 0, or -ERANGE when any part of the
 * range cannot be read (above 4 GiB it goes through a PAE window, arch/i386/pae.c, when the CPU has one).
 * Never faults on a bad range. */
int phys_read(uint64_t addr, void *buf, size_t len);

#endif
