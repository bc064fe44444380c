/* Freestanding basics shared by the kernel and the host tests: types, error codes, string and
 * formatting helpers. Nothing here touches hardware. */
#ifndef LIB_LIB_H
#define LIB_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error convention: 0 is success, a negative E* value is failure. */
#define EINVAL 22	/* malformed input */
#define ERANGE 34	/* value or address out of range */
#define ENOSPC 28	/* a fixed-size table is full */
#define EIO 5		/* device or memory read failed */
#define ETIMEDOUT 110	/* peer did not answer in time */
#define ENODEV 19	/* no such device */
#define ECONNREFUSED 111 /* peer refused (e.g. TFTP ERROR packet) */
#define EHOSTUNREACH 113 /* no route to the peer (ICMP host/net unreachable) */
#define ENOMEM 12	/* out of a static pool */
#define ENOENT 2	/* no such entry (e.g. a VMCOREINFO key) */
#define EFAULT 14	/* an address does not translate or read */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define PAGE_SIZE 4096u

/* lib/string.c (the kernel's own; host tests use libc's, which behave the same). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* True when the n bytes at p (8-byte aligned, n a multiple of 256) are all zeros: four 64-byte lines
 * at a time, one test each (the zero-page test of every filtered and every kdump page). */
static inline bool mem_all_zero(const void *p, size_t n)
{
	typedef uint64_t line_t __attribute__((vector_size(64), aligned(8), may_alias));
	const line_t *l = p;

	for (size_t i = 0; i < n / 64; i += 4) {
		line_t v = l[i] | l[i + 1] | l[i + 2] | l[i + 3];

		if (v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7])
			return false;
	}
	return true;
}

/* lib/printf.c: %d %i %u %x %X %p %s %c %%, with l/ll/z length, 0/-/width/precision. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* lib/memparse.c: Linux memparse: decimal or 0x hex, optional K/M/G/T suffix.
 * Returns 0 and sets *val and *end (first unparsed char), or -EINVAL when no digits or on overflow. */
int memparse(const char *s, uint64_t *val, const char **end);
/* lib/memparse.c: one hexadecimal digit's value (either case), or -1. */
int hex_digit(char c);

#endif
