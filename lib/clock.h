/* The one clock generic code uses. Kernel: arch/i386/clock.c (TSC calibrated against the PIT);
 * host tests: a fake clock they advance themselves. */
#ifndef LIB_CLOCK_H
#define LIB_CLOCK_H

#include <stdint.h>

/* Microseconds since boot; monotonic. */
uint64_t clock_us(void);

#endif
