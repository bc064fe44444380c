/* Kernel-only stand-in for <stdlib.h> when compiling lwIP freestanding: only atoi, which lwIP's
 * netif_find uses (net/port/libc.c). lwIP's malloc paths are disabled (MEM_LIBC_MALLOC 0). */
#ifndef NET_PORT_LIBC_STDLIB_H
#define NET_PORT_LIBC_STDLIB_H

int atoi(const char *s);

#endif
