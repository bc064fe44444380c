/* Unit tests for lib/string.c, lib/printf.c, lib/div64.c and lib/memparse.c. The kernel's
 * string and printf functions are compiled in here under k_ names so they do not replace libc's
 * (which the sanitizers and the shim use); expected strings are written out by hand. */
/* unit-sources: lib/memparse.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ok.h"
#include "shim.h"

#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define memchr k_memchr
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define vsnprintf k_vsnprintf
#define snprintf k_snprintf
#define __udivmoddi4 k_udivmoddi4
#define __udivdi3 k_udivdi3
#define __umoddi3 k_umoddi3
#define __divdi3 k_divdi3
#define __moddi3 k_moddi3
#include "lib/string.c"
#include "lib/printf.c"
#include "lib/div64.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef vsnprintf
#undef snprintf

static void check_fmt(const char *want, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Format with the kernel's vsnprintf and compare with want (also the returned length). */
static void check_fmt(const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = k_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ok(strcmp(buf, want) == 0 && n == (int)strlen(want), "printf \"%s\" -> \"%s\" (got \"%s\", %d)", fmt,
	   want, buf, n);
}

static void test_printf(void)
{
	char small[8];
	int n;

	check_fmt("plain", "plain");
	check_fmt("42 -42 0", "%d %i %u", 42, -42, 0u);
	check_fmt("-2147483648", "%d", (int)0x80000000);
	check_fmt("4294967295", "%u", 0xffffffffu);
	check_fmt("ff FF 0xff 0", "%x %X %#x %#x", 255u, 255u, 255u, 0u);
	check_fmt("18446744073709551615", "%llu", 18446744073709551615ull);
	check_fmt("-9223372036854775808", "%lld", (long long)(-9223372036854775807ll - 1));
	check_fmt("ffffffffffffffff", "%llx", ~0ull);
	check_fmt("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
	check_fmt("10000000000", "%llu", 10000000000ull);
	check_fmt("0x0000000100000000", "0x%016llx", 0x100000000ull);
	check_fmt("4096 4096", "%zu %lu", (size_t)4096, 4096ul);
	check_fmt("[   7] [7   ] [0007] [-007] [ +7]", "[%4d] [%-4d] [%04d] [%04d] [%+3d]", 7, 7, 7, -7, 7);
	check_fmt("[ 007] [   ]", "[%4.3d] [%3.0d]", 7, 0);
	check_fmt("[abc] [  abc] [abc  ] [ab]", "[%s] [%5s] [%-5s] [%.2s]", "abc", "abc", "abc", "abcdef");
	{
		/* Through variables so the compiler's own format checks do not object. */
		const char *volatile np = NULL, *volatile bad = "%q";

		check_fmt("(null)", "%s", np);
		check_fmt("%q", bad);
	}
	check_fmt("[x] [  y]", "[%c] [%3c]", 'x', 'y');
	check_fmt("100%", "100%%");
	check_fmt("[  5] [5  ]", "[%*d] [%-*d]", 3, 5, 3, 5);
	check_fmt("[ab]", "[%.*s]", 2, "abcd");
	check_fmt("-1 255 65535", "%hhd %hhu %hu", 255, 255, 65535);
	check_fmt("0x1000", "%p", (void *)0x1000);
	n = k_snprintf(small, sizeof(small), "%s", "truncated text");
	ok(n == 14 && strcmp(small, "truncat") == 0, "snprintf truncates, NUL-terminates, returns full length");
	n = k_snprintf(NULL, 0, "%d", 12345);
	ok(n == 5, "snprintf(NULL, 0) counts (%d)", n);
	small[0] = 'z';
	n = k_snprintf(small, 1, "abc");
	ok(n == 3 && small[0] == 0, "size 1 gives an empty string");
}

static void test_string(void)
{
	static uint64_t zero_w[4096 / 8];
	uint8_t *zero = (uint8_t *)zero_w;
	const char *nl2 = "a\nb\n";
	char a[64], b[64];

	for (int i = 0; i < 64; i++)
		a[i] = (char)i;
	for (int off = 0; off < 4; off++)
		for (int len = 0; len < 20; len++) {
			memset(b, 0x55, sizeof(b));
			k_memcpy(b + off, a + 1, (size_t)len);
			ok(memcmp(b + off, a + 1, (size_t)len) == 0 && b[off + len] == 0x55 && (off == 0 || b[off - 1] == 0x55),
			   "memcpy off %d len %d", off, len);
		}
	memcpy(b, a, 64);
	k_memmove(b + 3, b, 40);
	ok(memcmp(b + 3, a, 40) == 0, "memmove forward overlap");
	memcpy(b, a, 64);
	k_memmove(b, b + 5, 40);
	ok(memcmp(b, a + 5, 40) == 0, "memmove backward overlap");
	memset(b, 1, sizeof(b));
	k_memset(b + 1, 0xab, 37);
	ok(b[0] == 1 && (unsigned char)b[1] == 0xab && (unsigned char)b[37] == 0xab && b[38] == 1, "memset unaligned");
	ok(k_memcmp("abc", "abd", 3) < 0 && k_memcmp("abd", "abc", 3) > 0 && k_memcmp("ab\xff", "ab\x01", 3) > 0 &&
	   k_memcmp("x", "y", 0) == 0, "memcmp is unsigned");
	ok(k_memchr(nl2, '\n', 4) == nl2 + 1 && k_memchr("ab\xff", 0xff, 3) != NULL && k_memchr("ab\xff", -1, 3) != NULL &&
	   k_memchr("ab\n", '\n', 2) == NULL && k_memchr("", 0, 0) == NULL,
	   "memchr: the first match within n bytes, c as unsigned char");
	memset(zero, 0, sizeof(zero_w));
	ok(mem_all_zero(zero, sizeof(zero_w)) && mem_all_zero(zero, 0), "mem_all_zero: zeros");
	for (size_t i = 0; i < sizeof(zero_w); i += 63) {
		zero[i] = 1;
		if (mem_all_zero(zero, sizeof(zero_w)) || !mem_all_zero(zero, i & ~(size_t)255))
			break;
		zero[i] = 0;
	}
	ok(mem_all_zero(zero, sizeof(zero_w)), "mem_all_zero: a non-zero byte anywhere is seen, and none before its line");
	ok(k_strlen("") == 0 && k_strlen("abc") == 3 && k_strnlen("abcdef", 4) == 4 && k_strnlen("ab", 9) == 2,
	   "strlen/strnlen");
	ok(k_strcmp("a", "a") == 0 && k_strcmp("a", "ab") < 0 && k_strcmp("b", "a") > 0 &&
	   k_strncmp("abcx", "abcy", 3) == 0 && k_strncmp("abcx", "abcy", 4) < 0, "strcmp/strncmp");
	ok(k_strchr("a=b", '=') != NULL && *k_strchr("a=b", '=') == '=' && k_strchr("ab", 'z') == NULL &&
	   k_strchr("ab", 0) != NULL, "strchr");
}

static void test_div64(void)
{
	static const uint64_t v[] = { 0, 1, 9, 10, 4095, 4096, 0xffffffffull, 0x100000000ull, 0x123456789abcdefull,
				      ~0ull, 1ull << 63, 1000000007ull * 1000000009ull };
	int good = 1;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (size_t j = 1; j < sizeof(v) / sizeof(v[0]); j++) {
			uint64_t r;
			uint64_t q = k_udivmoddi4(v[i], v[j], &r);

			good &= q == v[i] / v[j] && r == v[i] % v[j];
			good &= k_udivdi3(v[i], v[j]) == v[i] / v[j] && k_umoddi3(v[i], v[j]) == v[i] % v[j];
			good &= k_divdi3(-(int64_t)(v[i] >> 1), (int64_t)(v[j] >> 1 | 1)) ==
				-(int64_t)(v[i] >> 1) / (int64_t)(v[j] >> 1 | 1);
			good &= k_moddi3(-(int64_t)(v[i] >> 1), (int64_t)(v[j] >> 1 | 1)) ==
				-(int64_t)(v[i] >> 1) % (int64_t)(v[j] >> 1 | 1);
		}
	ok(good, "64-bit division helpers agree with the host's");
	ok(k_udivdi3(5, 0) == 0 && k_umoddi3(5, 0) == 5, "division by zero does not trap");
}

static void check_mp(const char *s, int rc_want, uint64_t want, const char *rest)
{
	uint64_t v = 0xdead;
	const char *end = NULL;
	int rc = memparse(s, &v, &end);

	if (rc_want == 0)
		ok(rc == 0 && v == want && strcmp(end, rest) == 0, "memparse \"%s\" = 0x%llx rest \"%s\" (got %d 0x%llx \"%s\")",
		   s, (unsigned long long)want, rest, rc, (unsigned long long)v, end ? end : "(null)");
	else
		ok(rc == -EINVAL && end == s && v == 0xdead, "memparse \"%s\" is rejected (%d)", s, rc);
}

static void test_memparse(void)
{
	check_mp("0", 0, 0, "");
	check_mp("123", 0, 123, "");
	check_mp("131068K", 0, 131068ull << 10, "");		/* kexec-tools: elfcorehdr=<N>K */
	check_mp("0x7f000000", 0, 0x7f000000, "");		/* kexec_file: elfcorehdr=0x<hex> */
	check_mp("0X1fK", 0, 0x1full << 10, "");
	check_mp("64M@16M", 0, 64ull << 20, "@16M");
	check_mp("2g", 0, 2ull << 30, "");
	check_mp("1T", 0, 1ull << 40, "");
	check_mp("1P", 0, 1ull << 50, "");
	check_mp("3E", 0, 3ull << 60, "");
	check_mp("0xffffffffffffffff", 0, ~0ull, "");
	check_mp("18446744073709551615", 0, ~0ull, "");
	check_mp("0x", 0, 0, "x");				/* as Linux: the 0 only */
	check_mp("0xg", 0, 0, "xg");
	check_mp("010", 0, 10, "");				/* decimal, not octal */
	check_mp("12abc", 0, 12, "abc");
	check_mp("", -EINVAL, 0, "");
	check_mp("K", -EINVAL, 0, "");
	check_mp("-1", -EINVAL, 0, "");
	check_mp(" 1", -EINVAL, 0, "");
	check_mp("18446744073709551616", -EINVAL, 0, "");	/* 2^64 */
	check_mp("99999999999999999999", -EINVAL, 0, "");
	check_mp("0x10000000000000000", -EINVAL, 0, "");
	check_mp("16E", -EINVAL, 0, "");			/* 2^64 after the suffix */
	check_mp("0x40000000000000T", -EINVAL, 0, "");
	check_mp("16383P", 0, 16383ull << 50, "");
	{
		uint64_t v;

		ok(memparse("5", &v, NULL) == 0 && v == 5, "memparse with end NULL");
	}
}

int main(void)
{
	test_printf();
	test_string();
	test_div64();
	test_memparse();
	return ok_done();
}
