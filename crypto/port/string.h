/* Kernel-only stand-in for <string.h> when compiling BearSSL freestanding: the four memory functions
 * of lib/string.c. Not lib/lib.h itself: BearSSL's inner.h defines MIN and MAX as functions. */
#ifndef CRYPTO_PORT_STRING_H
#define CRYPTO_PORT_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
