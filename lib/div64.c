/* 64-bit division helpers that GCC calls on i386 (__udivdi3 and friends): the kernel links with
 * -nostdlib, so libgcc does not supply them. Shift-and-subtract; only shifts, compares and 32-bit ops. */
#include "lib/lib.h"

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/* n / d, with n % d in *rem when rem is not NULL. Division by zero returns 0 (remainder n)
 * rather than trapping: a log line with a bad rate is better than a dead capture kernel. */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;
	int shift = 0;

	if (d == 0 || n < d) {
		if (rem)
			*rem = n;
		return 0;
	}
	/* Align d's top bit with n's, then subtract back down. */
	while (!(d & (1ull << 63)) && (d << 1) <= n) {
		d <<= 1;
		shift++;
	}
	for (; shift >= 0; shift--, d >>= 1) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
	}
	if (rem)
		*rem = n;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

/* Signed versions: C semantics (quotient truncates toward zero, remainder has n's sign). */
int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
	uint64_t q = __udivmoddi4(un, ud, NULL);

	return (int64_t)((n < 0) != (d < 0) ? -q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
	uint64_t r;

	__udivmoddi4(un, ud, &r);
	return (int64_t)(n < 0 ? -r : r);
}
