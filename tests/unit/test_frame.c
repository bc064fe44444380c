/* Serial frame format: encode -> decode round trips over random data, zero and byte runs, repeats
 * and edge sizes with every encoder flag; line shape; header/end fields; corrupted lines. */
/* unit-sources: dump/frame.c lib/sha256.c */
#include <stdlib.h>
#include <string.h>

#include "dump/frame.h"
#include "ok.h"

static struct frame_enc enc;
static struct frame_window win;
static char line[FRAME_LINE_MAX];

struct out {
	uint8_t *b;
	uint64_t size;
	int overflow;
};

static void sink(void *ctx, uint64_t off, const uint8_t *data, uint8_t fill, uint64_t n)
{
	struct out *o = ctx;

	if (off > o->size || n > o->size - off) {
		o->overflow = 1;
		return;
	}
	if (data)
		memcpy(o->b + off, data, n);
	else
		memset(o->b + off, fill, n);
}

/* Printable ASCII, "\r\n" at the end, marker first, no '$' after it, within FRAME_LINE_MAX. */
static int line_ok(const char *l, size_t n)
{
	if (n > FRAME_LINE_MAX || n < FRAME_MARK_LEN + 2 || memcmp(l, FRAME_MARK, FRAME_MARK_LEN) != 0)
		return 0;
	if (l[n - 2] != '\r' || l[n - 1] != '\n')
		return 0;
	for (size_t i = FRAME_MARK_LEN; i < n - 2; i++)
		if (l[i] < 0x21 || l[i] > 0x7e || l[i] == '$')
			return 0;
	return 1;
}

/* Encode buf whole with flags, decode every line, compare; returns wire bytes (0 on failure). */
static size_t round_trip(const uint8_t *buf, size_t len, int flags, const char *what)
{
	uint8_t *got = calloc(1, len + 1);
	struct out o = { got, len, 0 };
	struct frame f;
	const char *why = "";
	size_t p = 0, wire = 0, frames = 0;
	int bad_line = 0, bad_parse = 0;

	memset(got, 0xa5, len + 1);
	frame_enc_init(&enc, flags);
	while (p < len) {
		size_t used = 0, n = frame_data(&enc, p, buf + p, len - p, p, &used, line);

		if (!line_ok(line, n))
			bad_line++;
		if (used == 0)
			break;
		if (frame_parse(line, n, &f, &why) != 0 || f.type != FRAME_DATA || f.off != p || f.len != used)
			bad_parse++;
		else
			frame_expand(&f, &win, sink, &o);
		p += used;
		wire += n;
		frames++;
	}
	ok(p == len && !bad_line && !bad_parse && !o.overflow && memcmp(got, buf, len) == 0,
	   "%s, %zu bytes, flags %d: %zu frames, %zu wire bytes (%s%s)", what, len, flags, frames, wire,
	   bad_line ? "bad line shape " : "", bad_parse ? why : "");
	free(got);
	return p == len ? wire : 0;
}

static void fill_random(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(rand() >> 7);
}

/* Memory-like data: zero runs, byte runs, repeated structs, random stretches. */
static void fill_mixed(uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = MIN((size_t)(rand() % 3000 + 1), n - i);
		switch (rand() % 4) {
		case 0: memset(b + i, 0, k); break;
		case 1: memset(b + i, rand() & 0xff, k); break;
		case 2:
			for (size_t j = 0; j < k; j++)
				b[i + j] = (uint8_t)("task_struct pid=1234 comm=bash "[j % 31]);
			break;
		default: fill_random(b + i, k); break;
		}
		i += k;
	}
}

int main(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 31, 32, 33, 66, 67, 68, 127, 128, 129, 130,
					4095, 4096, 4097, 65536 + 3 };
	static const int flagsets[] = { 0, FRAME_RUNS, FRAME_LZ, FRAME_RUNS | FRAME_LZ };
	size_t big = 1 << 20, wire_plain, wire_runs, wire_all;
	uint8_t *buf = malloc(big);
	struct frame f;
	const char *why;
	size_t n;

	srand(42);
	ok(strlen(FRAME_B85) == 85, "base85 alphabet has 85 distinct printable digits");
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (size_t fl = 0; fl < ARRAY_SIZE(flagsets); fl++) {
			fill_random(buf, sizes[s]);
			round_trip(buf, sizes[s], flagsets[fl], "random");
			memset(buf, 0, sizes[s]);
			round_trip(buf, sizes[s], flagsets[fl], "zeros");
			memset(buf, 0xff, sizes[s]);
			round_trip(buf, sizes[s], flagsets[fl], "0xff bytes");
		}

	/* Random data: each frame carries close to the base85 limit. */
	fill_random(buf, big);
	n = round_trip(buf, big, FRAME_RUNS | FRAME_LZ, "1 MiB random");
	ok(n > 0 && n < big * 150 / 100, "random data costs %zu wire bytes per 100 (base85 + framing)",
	   n * 100 / big);

	fill_mixed(buf, big);
	wire_plain = round_trip(buf, big, 0, "1 MiB mixed");
	wire_runs = round_trip(buf, big, FRAME_RUNS, "1 MiB mixed");
	wire_all = round_trip(buf, big, FRAME_RUNS | FRAME_LZ, "1 MiB mixed");
	ok(wire_runs < wire_plain * 6 / 10 && wire_all < wire_runs,
	   "mixed data: %zu wire bytes plain, %zu with runs, %zu with runs + LZ", wire_plain, wire_runs,
	   wire_all);

	/* Repeats with a long period inside one frame's window. */
	for (size_t i = 0; i < 8192; i++)
		buf[i] = (uint8_t)(i % 1000 < 200 ? (size_t)rand() : i % 7);
	round_trip(buf, 8192, FRAME_RUNS | FRAME_LZ, "periodic");

	/* A gigabyte of zeros is one short frame. */
	{
		static uint8_t dummy[1];
		struct out o = { dummy, 0, 0 };
		uint64_t runs = 0;

		frame_enc_init(&enc, FRAME_RUNS | FRAME_LZ);
		n = frame_run(&enc, 0x1000, 0, 1ull << 30, line);
		ok(line_ok(line, n) && n <= 32, "1 GiB zero run: %zu-byte line: %.*s", n, (int)n - 2, line);
		ok(frame_parse(line, n, &f, &why) == 0 && f.off == 0x1000 && f.len == 1ull << 30,
		   "zero run frame parses");
		(void)o;
		(void)runs;
	}

	/* Header and end frames carry their fields; a logger's timestamp prefix is skipped. */
	{
		uint8_t dg[32];
		char text[300];
		const char *at;

		for (int i = 0; i < 32; i++)
			dg[i] = (uint8_t)(i * 37);
		frame_enc_init(&enc, FRAME_RUNS);
		n = frame_header(&enc, 0x123456789ull, 0xdeadbeef, line);
		ok(line_ok(line, n) && frame_parse(line, n, &f, &why) == 0 && f.type == FRAME_HEADER &&
		   f.seq == 0 && f.version == 1 && f.size == 0x123456789ull && f.session == 0xdeadbeef,
		   "header frame round trip");
		n = frame_run(&enc, 0, 0, 10, line);
		n = frame_end(&enc, 0x123456789ull, dg, line);
		snprintf(text, sizeof(text), "[  12.345678] %.*s", (int)n, line);
		at = frame_find(text, strlen(text));
		ok(at && frame_parse(at, strlen(at), &f, &why) == 0 && f.type == FRAME_END && f.seq == 2 &&
		   f.frames == 2 && f.size == 0x123456789ull && memcmp(f.digest, dg, 32) == 0,
		   "end frame round trip behind a timestamp prefix");
		ok(frame_find("salvage: dumping 12% 0.3 MB/s", 29) == NULL, "log lines hold no marker");
	}

	/* Corruption: every single-character substitution, truncation and insertion is rejected. */
	{
		int accepted = 0, tried = 0;
		char bad[FRAME_LINE_MAX + 1];

		fill_mixed(buf, 4096);
		frame_enc_init(&enc, FRAME_RUNS | FRAME_LZ);
		for (size_t p = 0, used = 0; p < 4096; p += used) {
			n = frame_data(&enc, p, buf + p, 4096 - p, p, &used, line);
			for (size_t i = FRAME_MARK_LEN; i < n - 2; i++)
				for (int d = 1; d < 85; d += 7) {
					const char *a = FRAME_B85, *c = strchr(a, line[i]);

					memcpy(bad, line, n);
					bad[i] = a[(c - a + d) % 85];
					tried++;
					accepted += frame_parse(bad, n, &f, &why) == 0;
				}
			for (size_t cut = FRAME_MARK_LEN; cut < n - 2; cut++) {
				tried++;
				accepted += frame_parse(line, cut, &f, &why) == 0;
			}
			memcpy(bad, line, 10);
			bad[10] = 'x';
			memcpy(bad + 11, line + 10, n - 10);
			tried++;
			accepted += frame_parse(bad, n + 1, &f, &why) == 0;
		}
		ok(accepted == 0, "%d of %d corrupted lines accepted", accepted, tried);

		fill_random(buf, 100);
		n = frame_data(&enc, 0, buf, 100, 0, &(size_t){ 0 }, line);
		line[20] ^= 1; /* may leave the alphabet or break the CRC */
		ok(frame_parse(line, n, &f, &why) != 0 && why && *why, "corrupt line rejected: %s", why);
		line[20] = '"';
		ok(frame_parse(line, n, &f, &why) != 0 && strstr(why, "alphabet"), "bad character: %s", why);
		memcpy(line, "$S2", 3);
		ok(frame_parse(line, n, &f, &why) != 0 && strstr(why, "version"), "future version: %s", why);
	}
	/* Fuzz: random data-frame bodies with a valid CRC, base85-encoded here independently. Whatever
	 * frame_parse accepts must expand to exactly its range, and nothing may crash (ASan). */
	{
		int accepted = 0, bad = 0;

		for (int it = 0; it < 200000; it++) {
			uint8_t body[FRAME_BODY_MAX];
			size_t bl = 0, ol = (size_t)(rand() % 24);
			uint32_t crc;
			char text[FRAME_LINE_MAX + 8];
			size_t tl = 0;

			body[bl++] = it % 50 ? FRAME_DATA : "HEX"[it % 3];
			body[bl++] = (uint8_t)(rand() & 0x7f);			/* seq */
			body[bl++] = (uint8_t)(0x80 | rand()); body[bl++] = 0x20; /* off: one page-ish */
			body[bl++] = (uint8_t)(rand() % 200);			/* len < 128 or a 2-byte varint */
			if (body[bl - 1] & 0x80)
				body[bl++] = (uint8_t)(rand() % 3);
			for (size_t i = 0; i < ol; i++) /* ops: bias toward plausible tags */
				body[bl++] = (uint8_t)(i % 3 == 0 ? (rand() % 2 ? rand() % 8 : 0x80 | rand()) : rand() % 40);
			crc = frame_crc32(0, body, bl);
			for (int i = 0; i < 4; i++)
				body[bl++] = (uint8_t)(crc >> (8 * i));
			memcpy(text, FRAME_MARK, 3);
			tl = 3;
			for (size_t i = 0; i < bl; i += 4) {
				size_t k = MIN((size_t)4, bl - i);
				uint32_t v = 0;
				char g[5];

				for (size_t j = 0; j < 4; j++)
					v = v << 8 | (j < k ? body[i + j] : 0);
				for (int j = 4; j >= 0; j--, v /= 85)
					g[j] = FRAME_B85[v % 85];
				memcpy(text + tl, g, k + 1);
				tl += k + 1;
			}
			if (frame_parse(text, tl, &f, &why) != 0)
				continue;
			accepted++;
			if (f.type == FRAME_DATA) {
				static uint8_t out[1 << 16];
				struct out o = { out, f.off + f.len, 0 };

				if (f.off + f.len > sizeof(out) || f.back > f.off - ALIGN_DOWN(f.off, (uint64_t)FRAME_SYNC) ||
				    f.back > FRAME_WINDOW) {
					bad++;
					continue;
				}
				frame_expand(&f, &win, sink, &o);
				bad += o.overflow;
			}
		}
		ok(bad == 0 && accepted > 100, "fuzz: %d random frames with valid CRCs accepted, %d misbehaved",
		   accepted, bad);
	}
	free(buf);
	return ok_done();
}
