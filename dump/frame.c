/* Encoder and decoder of the serial dump wire format described in dump/frame.h. Freestanding:
 * the kernel encodes with it, tools/salvage-recv decodes with it. */
#include "dump/frame.h"

#define WMASK (FRAME_WINDOW - 1)
_Static_assert((FRAME_WINDOW & WMASK) == 0, "window is a power of two");
_Static_assert(sizeof(FRAME_B85) == 86, "base85 alphabet has 85 digits");

#define LIT_MAX 128		/* literal op: T+1 bytes, T < 0x80 */
#define MATCH_MIN 4
#define MATCH_SHORT 0x3f	/* match length field meaning "67 + varint" */
#define RUN_SHORT 0x1f		/* run length field meaning "32 + varint" */
#define OP_MATCH 0x80
#define OP_ZERO 0xc0
#define OP_BYTE 0xe0
#define VARINT_MAX 10
#define LZ_MISSES_SKIP 32	/* after this many failed searches in a row, skip positions... */
#define LZ_SKIP_MAX 16		/* ...up to this many between searches */

static uint32_t crc_table[256];
static bool crc_ready;

/* CRC-32 (IEEE 802.3, reflected); the table is built on first use. */
uint32_t frame_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
		crc_ready = true;
	}
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- encoder ---- */

/* Bytes an unsigned LEB128 of v takes. */
static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Append v as LEB128 at b[*n]; the caller has checked the space. */
static void put_varint(uint8_t *b, size_t *n, uint64_t v)
{
	while (v >= 0x80) {
		b[(*n)++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[(*n)++] = (uint8_t)v;
}

static void put_u32(uint8_t *b, size_t *n, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[(*n)++] = (uint8_t)(v >> (8 * i));
}

/* Append the CRC to body[0, n) and write the whole line; returns the line length. */
static size_t finish_line(uint8_t *body, size_t n, char *line)
{
	static const char digits[] = FRAME_B85;
	size_t out = 0;

	put_u32(body, &n, frame_crc32(0, body, n));
	for (size_t i = 0; i < FRAME_MARK_LEN; i++)
		line[out++] = FRAME_MARK[i];
	for (size_t i = 0; i < n; i += 4) {
		size_t k = MIN((size_t)4, n - i);
		uint32_t v = 0;
		char g[5];

		for (size_t j = 0; j < 4; j++)
			v = v << 8 | (j < k ? body[i + j] : 0);
		for (int j = 4; j >= 0; j--) {
			g[j] = digits[v % 85];
			v /= 85;
		}
		for (size_t j = 0; j < k + 1; j++)
			line[out++] = g[j];
	}
	line[out++] = '\r';
	line[out++] = '\n';
	return out;
}

/* Start a frame sequence (seq 0 is the header) with FRAME_RUNS / FRAME_LZ flags. */
void frame_enc_init(struct frame_enc *e, int flags)
{
	e->seq = 0;
	e->flags = flags;
	e->misses = 0;
	for (size_t i = 0; i < ARRAY_SIZE(e->hash); i++)
		for (int w = 0; w < FRAME_HASH_WAYS; w++)
			e->hash[i][w] = 0;
}

/* Header frame: format version, file size and a session id that tells dumps in one log apart. */
size_t frame_header(struct frame_enc *e, uint64_t size, uint32_t session, char line[FRAME_LINE_MAX])
{
	uint8_t body[FRAME_BODY_MAX];
	size_t n = 0;

	body[n++] = FRAME_HEADER;
	put_varint(body, &n, e->seq++);
	put_varint(body, &n, FRAME_VERSION);
	put_varint(body, &n, size);
	put_u32(body, &n, session);
	return finish_line(body, n, line);
}

/* End frame: file size, frames sent so far and the SHA-256 of the whole file. */
size_t frame_end(struct frame_enc *e, uint64_t size, const uint8_t digest[SHA256_DIGEST_SIZE],
		 char line[FRAME_LINE_MAX])
{
	uint8_t body[FRAME_BODY_MAX];
	size_t n = 0;

	body[n++] = FRAME_END;
	put_varint(body, &n, e->seq);
	put_varint(body, &n, size);
	put_varint(body, &n, e->seq);
	e->seq++;
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		body[n++] = digest[i];
	return finish_line(body, n, line);
}

/* Bytes a run op of n copies of value takes. */
static size_t run_op_len(uint8_t value, uint64_t n)
{
	return 1 + (value != 0) + (n > RUN_SHORT ? varint_len(n - (RUN_SHORT + 1)) : 0);
}

static void put_run(uint8_t *b, size_t *k, uint8_t value, uint64_t n)
{
	uint8_t field = n > RUN_SHORT ? RUN_SHORT : (uint8_t)(n - 1);

	b[(*k)++] = (uint8_t)((value ? OP_BYTE : OP_ZERO) | field);
	if (value)
		b[(*k)++] = value;
	if (n > RUN_SHORT)
		put_varint(b, k, n - (RUN_SHORT + 1));
}

/* Assemble a data frame from its ops and write the line. */
static size_t data_line(struct frame_enc *e, uint64_t off, uint64_t len, const uint8_t *ops, size_t nops,
			char *line)
{
	uint8_t body[FRAME_BODY_MAX];
	size_t n = 0;

	body[n++] = FRAME_DATA;
	put_varint(body, &n, e->seq++);
	put_varint(body, &n, off);
	put_varint(body, &n, len);
	for (size_t i = 0; i < nops; i++)
		body[n++] = ops[i];
	return finish_line(body, n, line);
}

/* One data frame saying [off, off+n) is all value. */
size_t frame_run(struct frame_enc *e, uint64_t off, uint8_t value, uint64_t n, char line[FRAME_LINE_MAX])
{
	uint8_t ops[1 + 1 + VARINT_MAX];
	size_t k = 0;

	put_run(ops, &k, value, n);
	return data_line(e, off, n, ops, k, line);
}

static inline uint32_t hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (v * 2654435761u) >> (32 - FRAME_HASH_BITS);
}

/* Remember that the 4 bytes at p sit at file offset pos (newest first, oldest dropped). */
static inline void hash_insert(struct frame_enc *e, const uint8_t *p, uint64_t pos)
{
	uint32_t *slot = e->hash[hash4(p)];

	for (int w = FRAME_HASH_WAYS - 1; w > 0; w--)
		slot[w] = slot[w - 1];
	slot[0] = (uint32_t)(pos + 1);
}

/* Greedy encoding of a prefix of buf into one frame: runs first, then the longest LZ77 match among
 * FRAME_HASH_WAYS candidates (within FRAME_WINDOW, the history at hand and the frame's FRAME_SYNC
 * block), else a literal byte. Stops before an op that would overflow the body; always takes at least one byte
 * when len > 0. */
size_t frame_data(struct frame_enc *e, uint64_t off, const uint8_t *buf, size_t len, size_t hist,
		  size_t *used, char line[FRAME_LINE_MAX])
{
	uint8_t ops[FRAME_BODY_MAX];
	size_t budget, k = 0, p = 0, lit_at = 0, lit_n = 0, skip = 0;
	uint64_t lo = ALIGN_DOWN(off, (uint64_t)FRAME_SYNC);

	if (off - lo > hist)
		lo = off - hist;	/* the oldest byte a match may copy */

	/* type, seq, offset, length (worst case: all of len), CRC */
	budget = FRAME_BODY_MAX - 1 - varint_len(e->seq) - varint_len(off) - varint_len(len) - 4;
	while (p < len) {
		size_t r = 1, left = len - p;

		if (e->flags & FRAME_RUNS) {
			while (r < left && buf[p + r] == buf[p])
				r++;
			if (r >= (buf[p] ? 4u : 3u)) {
				if (k + run_op_len(buf[p], r) > budget)
					break;
				put_run(ops, &k, buf[p], r);
				lit_n = 0;
				p += r;
				continue;
			}
		}
		if ((e->flags & FRAME_LZ) && left >= MATCH_MIN && skip) {
			skip--;		/* incompressible stretch: look less often (LZ4's acceleration) */
		} else if ((e->flags & FRAME_LZ) && left >= MATCH_MIN) {
			uint64_t here = off + p, dist = 0;
			uint32_t *slot = e->hash[hash4(buf + p)];
			size_t m = 0;

			for (int w = 0; w < FRAME_HASH_WAYS; w++) {
				/* distance back to a candidate, modulo 2^32 like the table */
				uint32_t c = slot[w], d = (uint32_t)(here + 1) - c;
				const uint8_t *src;
				size_t n = 0;

				if (c == 0 || d == 0 || d > FRAME_WINDOW || d > here - lo)
					continue;
				src = buf + p - d;	/* may lie before buf: history */
				while (n < left && src[n] == buf[p + n])
					n++;
				if (n > m) {
					m = n;
					dist = d;
				}
			}
			hash_insert(e, buf + p, here);
			if (m < MATCH_MIN && ++e->misses >= LZ_MISSES_SKIP)
				skip = MIN(e->misses / LZ_MISSES_SKIP, (uint32_t)LZ_SKIP_MAX);
			if (m >= MATCH_MIN) {
				e->misses = 0;
				size_t cost = 1 + varint_len(dist) +
					      (m - MATCH_MIN >= MATCH_SHORT ? varint_len(m - MATCH_MIN - MATCH_SHORT) : 0);

				if (k + cost > budget)
					break;
				if (m - MATCH_MIN >= MATCH_SHORT) {
					ops[k++] = OP_MATCH | MATCH_SHORT;
					put_varint(ops, &k, m - MATCH_MIN - MATCH_SHORT);
				} else {
					ops[k++] = (uint8_t)(OP_MATCH | (m - MATCH_MIN));
				}
				put_varint(ops, &k, dist);
				/* later matches may start inside this one */
				for (size_t q = 1; q < m && q + MATCH_MIN <= left; q++)
					hash_insert(e, buf + p + q, here + q);
				lit_n = 0;
				p += m;
				continue;
			}
		}
		/* literal byte: opens a new literal op when none is open or the open one is full */
		if (lit_n == 0 || lit_n == LIT_MAX) {
			if (k + 2 > budget)
				break;
			lit_at = k++;
			lit_n = 0;
		} else if (k + 1 > budget) {
			break;
		}
		ops[k++] = buf[p++];
		ops[lit_at] = (uint8_t)lit_n++;
	}
	*used = p;
	return data_line(e, off, p, ops, k, line);
}

/* ---- decoder ---- */

static int8_t b85_value[256];
static bool b85_ready;

/* Read one LEB128 from [*pp, end) into *v; false when truncated or wider than 64 bits. */
static bool get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;

	for (int i = 0; i < VARINT_MAX; i++) {
		if (p >= end)
			return false;
		uint8_t b = *p++;
		if (i == VARINT_MAX - 1 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			*pp = p;
			return true;
		}
	}
	return false;
}

/* Where "$S<digit>" first occurs in line[0, n), or NULL. */
const char *frame_find(const char *line, size_t n)
{
	for (size_t i = 0; i + FRAME_MARK_LEN <= n; i++)
		if (line[i] == '$' && line[i + 1] == 'S' && line[i + 2] >= '0' && line[i + 2] <= '9')
			return line + i;
	return NULL;
}

/* Walk a data frame's ops: check every length and distance and say in *backp how far before the
 * frame its matches read; when sink is set, also produce the bytes (w holds the match history).
 * Returns 0 or -EINVAL with *why. */
static int ops_walk(const struct frame *f, struct frame_window *w, frame_sink *sink, void *ctx,
		    uint64_t *backp, const char **why)
{
	const uint8_t *p = f->body + f->ops, *end = f->body + f->ops_end;
	uint64_t done = 0, n, x, sync = f->off - ALIGN_DOWN(f->off, (uint64_t)FRAME_SYNC), back = 0;

	while (p < end) {
		uint8_t t = *p++;

		if (t < OP_MATCH) {
			n = (uint64_t)t + 1;
			if (n > (uint64_t)(end - p))
				return *why = "literal runs past the end of the frame", -EINVAL;
			if (n > f->len - done)
				return *why = "ops produce more bytes than the frame length", -EINVAL;
			if (sink) {
				sink(ctx, f->off + done, p, 0, n);
				for (uint64_t i = 0; i < n; i++)
					w->b[(f->off + done + i) & WMASK] = p[i];
			}
			p += n;
		} else if (t < OP_ZERO) {
			uint64_t d;

			n = (uint64_t)(t & MATCH_SHORT) + MATCH_MIN;
			if ((t & MATCH_SHORT) == MATCH_SHORT) {
				if (!get_varint(&p, end, &x) || x > UINT64_MAX - n)
					return *why = "bad match length", -EINVAL;
				n += x;
			}
			if (!get_varint(&p, end, &d))
				return *why = "bad match distance", -EINVAL;
			if (d == 0 || d > FRAME_WINDOW || d > done + sync)
				return *why = "match reaches outside the window or the frame's sync block", -EINVAL;
			if (d > done && d - done > back)
				back = d - done;
			if (n > f->len - done)
				return *why = "ops produce more bytes than the frame length", -EINVAL;
			if (sink) {
				uint8_t tmp[256];
				uint64_t i = 0;

				while (i < n) {
					size_t k = 0;
					uint64_t at = done + i;

					while (k < sizeof(tmp) && i < n) {
						uint64_t pos = f->off + done + i;
						uint8_t b = w->b[(pos - d) & WMASK];
						w->b[pos & WMASK] = b;
						tmp[k++] = b;
						i++;
					}
					sink(ctx, f->off + at, tmp, 0, k);
				}
			}
		} else {
			uint8_t v = 0;

			if (t >= OP_BYTE) {
				if (p >= end)
					return *why = "byte run without its value", -EINVAL;
				v = *p++;
			}
			n = (uint64_t)(t & RUN_SHORT) + 1;
			if ((t & RUN_SHORT) == RUN_SHORT) {
				if (!get_varint(&p, end, &x) || x > UINT64_MAX - n)
					return *why = "bad run length", -EINVAL;
				n += x;
			}
			if (n > f->len - done)
				return *why = "ops produce more bytes than the frame length", -EINVAL;
			if (sink) {
				sink(ctx, f->off + done, NULL, v, n);
				for (uint64_t i = n > FRAME_WINDOW ? n - FRAME_WINDOW : 0; i < n; i++)
					w->b[(f->off + done + i) & WMASK] = v;
			}
		}
		done += n;
	}
	if (done != f->len)
		return *why = "ops produce fewer bytes than the frame length", -EINVAL;
	if (backp)
		*backp = back;
	return 0;
}

/* Decode the base85 text, check the CRC, then every field of the frame. */
int frame_parse(const char *s, size_t n, struct frame *f, const char **why)
{
	const uint8_t *p, *end;
	size_t m, i, out = 0;
	uint64_t x;

	if (!b85_ready) {
		static const char digits[] = FRAME_B85;

		for (i = 0; i < 256; i++)
			b85_value[i] = -1;
		for (i = 0; i < 85; i++)
			b85_value[(uint8_t)digits[i]] = (int8_t)i;
		b85_ready = true;
	}
	if (n < FRAME_MARK_LEN || s[0] != '$' || s[1] != 'S' || s[2] < '0' || s[2] > '9')
		return *why = "no frame marker", -EINVAL;
	if (s[2] != '0' + FRAME_VERSION)
		return *why = "unsupported frame format version", -EINVAL;
	while (n > FRAME_MARK_LEN && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	s += FRAME_MARK_LEN;
	m = n - FRAME_MARK_LEN;
	if (m % 5 == 1)
		return *why = "truncated line (base85 length)", -EINVAL;
	if (m / 5 * 4 + (m % 5 ? m % 5 - 1 : 0) > FRAME_BODY_MAX)
		return *why = "line longer than any frame", -EINVAL;
	for (i = 0; i < m; i += 5) {
		size_t k = MIN((size_t)5, m - i);
		uint64_t v = 0;

		for (size_t j = 0; j < 5; j++) {
			int d = 84;

			if (j < k && (d = b85_value[(uint8_t)s[i + j]]) < 0)
				return *why = "character outside the base85 alphabet", -EINVAL;
			v = v * 85 + (uint64_t)d;
		}
		if (v > 0xffffffffu && k == 5)
			return *why = "base85 group out of range", -EINVAL;
		for (size_t j = 0; j < k - 1; j++)
			f->body[out++] = (uint8_t)(v >> (24 - 8 * j));
		if (k < 5) {
			/* A short group's last digit has slack: accept only the digits the encoder
			 * would write, so every corrupted character is caught. */
			uint32_t c = (uint32_t)(v >> (8 * (5 - k))) << (8 * (5 - k));

			for (int j = 4; j >= 0; j--, c /= 85)
				if ((size_t)j < k && b85_value[(uint8_t)s[i + j]] != (int8_t)(c % 85))
					return *why = "non-canonical base85", -EINVAL;
		}
	}
	f->body_len = out;
	if (out < 1 + 1 + 4)
		return *why = "frame too short", -EINVAL;
	out -= 4;
	x = (uint32_t)f->body[out] | (uint32_t)f->body[out + 1] << 8 | (uint32_t)f->body[out + 2] << 16 |
	    (uint32_t)f->body[out + 3] << 24;
	if (frame_crc32(0, f->body, out) != (uint32_t)x)
		return *why = "checksum mismatch", -EINVAL;

	p = f->body + 1;
	end = f->body + out;
	f->type = f->body[0];
	if (!get_varint(&p, end, &x) || x > 0xffffffffu)
		return *why = "bad sequence number", -EINVAL;
	f->seq = (uint32_t)x;
	switch (f->type) {
	case FRAME_HEADER:
		if (!get_varint(&p, end, &x) || x != FRAME_VERSION)
			return *why = "header names an unsupported format version", -EINVAL;
		f->version = (uint32_t)x;
		if (!get_varint(&p, end, &f->size))
			return *why = "bad file size in header", -EINVAL;
		if (end - p != 4)
			return *why = "header has the wrong length", -EINVAL;
		f->session = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		return 0;
	case FRAME_END:
		if (!get_varint(&p, end, &f->size) || !get_varint(&p, end, &f->frames))
			return *why = "bad size or frame count in end frame", -EINVAL;
		if (end - p != SHA256_DIGEST_SIZE)
			return *why = "end frame has the wrong length", -EINVAL;
		for (i = 0; i < SHA256_DIGEST_SIZE; i++)
			f->digest[i] = p[i];
		return 0;
	case FRAME_DATA:
		if (!get_varint(&p, end, &f->off) || !get_varint(&p, end, &f->len))
			return *why = "bad offset or length in data frame", -EINVAL;
		if (f->off + f->len < f->off)
			return *why = "data frame range wraps around", -EINVAL;
		f->ops = (size_t)(p - f->body);
		f->ops_end = out;
		return ops_walk(f, NULL, NULL, NULL, &f->back, why);
	default:
		return *why = "unknown frame type", -EINVAL;
	}
}

/* Produce a checked data frame's bytes through sink, in file order. */
void frame_expand(const struct frame *f, struct frame_window *w, frame_sink *sink, void *ctx)
{
	const char *why;

	(void)ops_walk(f, w, sink, ctx, NULL, &why);
}
