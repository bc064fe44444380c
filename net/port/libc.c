/* The one C library function lwIP needs that salvage's lib/ does not have: atoi (netif_find). */
#include "net/port/libc/stdlib.h"

/* Decimal prefix of s (optional sign), as C's atoi; stops at the first non-digit; 0 when none.
 * Overflow wraps instead of being undefined: lwIP only parses a netif number from a name. */
int atoi(const char *s)
{
	unsigned int v = 0;
	int neg = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		v = v * 10u + (unsigned int)(*s++ - '0');
	return neg ? -(int)v : (int)v;
}
