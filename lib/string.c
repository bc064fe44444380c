/* The kernel's own memory and string functions (freestanding: nothing else supplies them). */
#include "lib/lib.h"

/* GCC may turn a byte loop into a call to memset/memcpy, which would recurse here: forbid it. */
#define NO_LOOP_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Copy n bytes; the ranges must not overlap. Returns dst. rep movsl for the words (this moves
 * every dumped page and every compressed one), rep movsb for the rest. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 4, bytes = n % 4;

	__asm__ volatile("cld; rep movsl" : "+S"(src), "+D"(d), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+S"(src), "+D"(d), "+c"(bytes) : : "memory");
	return dst;
}

/* Copy n bytes; the ranges may overlap. Returns dst. */
NO_LOOP_CALLS void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Fill n bytes with (uint8_t)c. Returns dst. rep stosl for the words: minilzo and zlib clear
 * their dictionaries through this for every page they compress. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	uint32_t w = (uint8_t)c * 0x01010101u;
	size_t words = n / 4, bytes = n % 4;

	__asm__ volatile("cld; rep stosl" : "+D"(d), "+c"(words) : "a"(w) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(w) : "memory");
	return dst;
}

/* Compare n bytes as unsigned; <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* First of the n bytes at s equal to (uint8_t)c, or NULL. */
void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] == (uint8_t)c)
			return (void *)(p + i);
	return NULL;
}

/* Length of the NUL-terminated string s. */
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Length of s, but never looks at more than max bytes. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Compare two strings as unsigned bytes; <0, 0 or >0. */
int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/* Compare at most n bytes of two strings; stops at the first NUL. */
int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = (uint8_t)a[i], y = (uint8_t)b[i];

		if (x != y)
			return x < y ? -1 : 1;
		if (x == 0)
			break;
	}
	return 0;
}

/* First occurrence of (char)c in s (the terminating NUL counts), or NULL. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == 0)
			return NULL;
	}
}
