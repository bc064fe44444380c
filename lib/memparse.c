/* memparse: a size or address as Linux writes them on command lines (elfcorehdr=, backup=). */
#include "lib/lib.h"

/* See lib.h. */
int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse decimal or 0x-prefixed hex digits with an optional K/M/G/T/P/E suffix (either case,
 * binary multiples), as Linux's memparse. Unlike Linux a leading 0 does not mean octal: nothing
 * that writes these command lines (kexec-tools, kexec_file) produces octal, and "010K" read as
 * 8 KiB would only surprise. "0x" with no hex digit after it parses as 0 with *end at the 'x',
 * like Linux. Returns 0 with *val and *end (first unparsed char; end may be NULL), or -EINVAL
 * when there is no digit or the value (after the suffix) does not fit 64 bits; *end is then s. */
int memparse(const char *s, uint64_t *val, const char **end)
{
	const char *p = s;
	uint64_t v = 0;
	int shift = 0, d;

	if (end)
		*end = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hex_digit(p[2]) >= 0) {
		for (p += 2; (d = hex_digit(*p)) >= 0; p++) {
			if (v >> 60)
				return -EINVAL;
			v = v << 4 | (uint64_t)d;
		}
	} else {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			d = *p - '0';
			/* v * 10 + d must stay below 2^64: UINT64_MAX is 1844674407370955161 * 10 + 5. */
			if (v > 1844674407370955161ull || (v == 1844674407370955161ull && d > 5))
				return -EINVAL;
			v = v * 10 + (uint64_t)d;
		}
	}
	switch (*p) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10;
		p++;
		break;
	default:
		break;
	}
	if (shift && (v >> (64 - shift)))
		return -EINVAL;
	*val = v << shift;
	if (end)
		*end = p;
	return 0;
}
