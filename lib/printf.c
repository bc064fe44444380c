/* vsnprintf/snprintf for the kernel: %d %i %u %x %X %p %s %c %%, l/ll/z/h lengths, 0 - + space
 * flags, width and precision (also as *). 64-bit numbers are converted without 64-bit division. */
#include "lib/lib.h"

struct out {
	char *buf;
	size_t size, len;	/* len counts every byte produced, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* Divide *n by base (2..16) in place and return the remainder, using 16-bit long division so
 * that i386 needs no __udivdi3: each step divides a value below base << 16 by base. */
static unsigned divmod(uint64_t *n, unsigned base)
{
	uint64_t v = *n, q = 0;
	uint32_t rem = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = (rem << 16) | (uint32_t)((v >> shift) & 0xffff);

		q |= (uint64_t)(cur / base) << shift;
		rem = cur % base;
	}
	*n = q;
	return rem;
}

#define F_LEFT 1	/* '-' */
#define F_ZERO 2	/* '0' */
#define F_PLUS 4	/* '+' */
#define F_SPACE 8	/* ' ' */
#define F_UPPER 16	/* %X */
#define F_PREFIX 32	/* '#' or %p: 0x */

/* One integer: sign, prefix, precision zeros, width padding. */
static void put_num(struct out *o, uint64_t v, bool neg, unsigned base, int flags, int width, int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;
	char sign = 0;

	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if (!(v == 0 && prec == 0)) {
		do
			tmp[n++] = digits[divmod(&v, base)];
		while (v);
	}
	len = MAX(n, prec) + (sign ? 1 : 0) + ((flags & F_PREFIX) && base == 16 ? 2 : 0);
	if (prec >= 0 || (flags & F_LEFT))
		flags &= ~F_ZERO;	/* C: a precision or '-' turns off 0 padding */
	if (!(flags & (F_LEFT | F_ZERO)))
		put_n(o, ' ', width - len);
	if (sign)
		put(o, sign);
	if ((flags & F_PREFIX) && base == 16) {
		put(o, '0');
		put(o, (flags & F_UPPER) ? 'X' : 'x');
	}
	if (flags & F_ZERO)
		put_n(o, '0', width - len);
	put_n(o, '0', prec - n);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		put_n(o, ' ', width - len);
}

/* Format into buf (at most size bytes, always NUL-terminated when size > 0). Returns the length
 * the full output would have had, like C99. Unknown conversions are printed literally. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	while (*fmt) {
		int flags = 0, width = 0, prec = -1, lng = 0;
		unsigned base = 10;
		uint64_t v;
		bool neg = false;
		const char *start = fmt;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_PREFIX;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* Length: lng 1 = long, 2 = long long, 3 = size_t, -1 = short, -2 = char. */
		if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
		} else if (*fmt == 'z') {
			lng = 3;
			fmt++;
		} else if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t s;

			if (lng == 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else if (lng == 3)
				s = (int64_t)va_arg(ap, size_t);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng == -2)
				s = (signed char)s;
			neg = s < 0;
			v = neg ? -(uint64_t)s : (uint64_t)s;
			put_num(&o, v, neg, 10, flags, width, prec);
			break;
		}
		case 'X':
			flags |= F_UPPER;
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			if (lng == 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else if (lng == 3)
				v = va_arg(ap, size_t);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			if (v == 0)
				flags &= ~F_PREFIX;	/* C: %#x of 0 is "0" */
			put_num(&o, v, false, base, flags, width, prec);
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			put_num(&o, v, false, 16, flags | F_PREFIX, width, prec);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				put_n(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				put_n(&o, ' ', width - 1);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			n = (int)strnlen(s, prec >= 0 ? (size_t)prec : (size_t)-1 >> 1);
			if (!(flags & F_LEFT))
				put_n(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				put(&o, s[i]);
			if (flags & F_LEFT)
				put_n(&o, ' ', width - n);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown: show the conversion as written so the bug is visible. */
			while (start < fmt)
				put(&o, *start++);
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

/* snprintf: vsnprintf with the arguments inline. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
