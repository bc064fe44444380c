/* The serial transport: the file as dump/frame.h lines into a byte sink (a UART, between whole
 * console log lines), ending with the file's SHA-256 (tools/salvage-recv rebuilds the file). */
#include "dump/frame.h"
#include "dump/stream.h"
#include "dump/transport.h"
#include "lib/clock.h"
#include "lib/log.h"

/* Encoder features (frame.h FRAME_RUNS | FRAME_LZ); build with KCFLAGS_EXTRA=-DSERIAL_FRAME_FLAGS=0
 * to measure the plain base85 encoding. */
#ifndef SERIAL_FRAME_FLAGS
#define SERIAL_FRAME_FLAGS (FRAME_RUNS | FRAME_LZ)
#endif
#define SERIAL_BUF (32 * 1024)		/* file bytes held: match history plus what waits for a frame */
#define SERIAL_LOOKAHEAD (8 * 1024)	/* a frame is encoded once this much follows it (or at the end) */
#define RUN_EXTEND_MIN 256		/* a run reaching the held bytes' end is followed through the file */

/* One connection's state, in the transport scratch memory (one transport runs at a time). */
struct serial_conn {
	struct frame_enc enc;
	uint8_t buf[SERIAL_BUF];	/* file bytes [base, base+have) */
	char line[FRAME_LINE_MAX];
	struct byte_sink sink;
	uint64_t base;
	size_t have, p;			/* buf[p, have) is not sent yet */
	bool in_run;			/* bytes [run_start, +run_count) all equal run_value, not sent yet */
	uint8_t run_value;
	uint64_t run_start, run_count;
	uint64_t frames, wire;
};
_Static_assert(sizeof(struct serial_conn) <= TRANSPORT_SCRATCH_SIZE, "serial state fits the transport scratch");

/* One whole frame line into the sink. */
static void send_line(struct serial_conn *s, size_t n)
{
	s->sink.write(s->sink.ctx, s->line, n);
	s->frames++;
	s->wire += n;
}

typedef uint32_t __attribute__((may_alias)) word_t;

/* How many of the n bytes at b equal v, counting from the start; word compares where aligned,
 * since whole zero pages go through here. */
static size_t same_bytes(const uint8_t *b, size_t n, uint8_t v)
{
	uint32_t vw = v * 0x01010101u;
	size_t i = 0;

	while (i < n && ((uintptr_t)(b + i) & 3) && b[i] == v)
		i++;
	if (i < n && !((uintptr_t)(b + i) & 3))
		while (i + 4 <= n && *(const word_t *)(b + i) == vw)
			i += 4;
	while (i < n && b[i] == v)
		i++;
	return i;
}

/* Frames for the held bytes: each once SERIAL_LOOKAHEAD bytes follow it (all of them at the end).
 * A run reaching the end of what is held is followed into the next writes (in_run). */
static void encode(struct serial_conn *s, bool final)
{
	while (s->p < s->have) {
		size_t used, r;

		if (!final && s->have - s->p < SERIAL_LOOKAHEAD)
			return;
		r = same_bytes(s->buf + s->p, s->have - s->p, s->buf[s->p]);
		if ((SERIAL_FRAME_FLAGS & FRAME_RUNS) && s->p + r == s->have && r >= RUN_EXTEND_MIN && !final) {
			s->in_run = true;
			s->run_value = s->buf[s->p];
			s->run_start = s->base + s->p;
			s->run_count = r;
			s->p = s->have;
			return;
		}
		send_line(s, frame_data(&s->enc, s->base + s->p, s->buf + s->p, s->have - s->p, s->p, &used, s->line));
		s->p += used;
	}
}

/* The run ends (or the file does): one frame for all of it; then up to FRAME_WINDOW bytes of it
 * stay held as history for the matches of the frames after it. */
static void end_run(struct serial_conn *s)
{
	size_t h = (size_t)MIN(s->run_count, (uint64_t)FRAME_WINDOW);

	send_line(s, frame_run(&s->enc, s->run_start, s->run_value, s->run_count, s->line));
	memset(s->buf, s->run_value, h);
	s->base = s->run_start + s->run_count - h;
	s->have = s->p = h;
	s->in_run = false;
}

/* Keep the unsent bytes and up to FRAME_WINDOW bytes of history before them, at the front. */
static void compact(struct serial_conn *s)
{
	size_t from = s->p - MIN(s->p, (size_t)FRAME_WINDOW);

	memmove(s->buf, s->buf + from, s->have - from);
	s->base += from;
	s->have -= from;
	s->p -= from;
}

/* See transport.h: the sink, the encoder, the header line (its size 0 when not known). */
static int serial_open(struct transport_conn *c, const struct dump_target *t, const struct config *cfg,
		       const struct transport_info *info)
{
	struct serial_conn *s = (struct serial_conn *)transport_scratch;
	uint64_t size = info->size == STREAM_SIZE_UNKNOWN ? 0 : info->size;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = serial_sink_open(t->serial_port, t->serial_baud, &s->sink)) != 0)
		return rc;
	c->priv = s;
	frame_enc_init(&s->enc, SERIAL_FRAME_FLAGS);
	if (size)
		log_info("serial: sending %llu bytes as framed lines on ttyS%d at %u baud; rebuild with salvage-recv",
			 (unsigned long long)size, s->sink.port, s->sink.baud);
	else
		log_info("serial: sending a %s file of yet unknown size as framed lines on ttyS%d at %u baud; "
			 "rebuild with salvage-recv", info->format ? info->format : "dump", s->sink.port, s->sink.baud);
	send_line(s, frame_header(&s->enc, size, (uint32_t)clock_us() ^ (uint32_t)(size >> 12), s->line));
	return 0;
}

/* See transport.h. */
static int serial_write(struct transport_conn *c, const void *buf, size_t len)
{
	struct serial_conn *s = c->priv;
	const uint8_t *in = buf;

	while (len) {
		size_t k;

		if (s->in_run) {
			k = same_bytes(in, len, s->run_value);
			s->run_count += k;
			in += k;
			len -= k;
			if (len == 0)
				break;
			end_run(s);
		}
		if (s->have == SERIAL_BUF)
			compact(s);
		k = MIN(len, SERIAL_BUF - s->have);
		memcpy(s->buf + s->have, in, k);
		s->have += k;
		in += k;
		len -= k;
		encode(s, false);
	}
	return 0;
}

/* See transport.h. Serial has no way to hear the receiver: done once the end frame is out. */
static int serial_close(struct transport_conn *c, uint64_t size, const uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct serial_conn *s = c->priv;

	if (s->in_run)
		end_run(s);
	encode(s, true);
	send_line(s, frame_end(&s->enc, size, digest, s->line));
	log_info("serial: %llu frames, %llu line bytes for %llu file bytes", (unsigned long long)s->frames,
		 (unsigned long long)s->wire, (unsigned long long)size);
	return 0;
}

/* See transport.h: the receiver sees no end frame and says what is missing. */
static void serial_abort(struct transport_conn *c, int rc)
{
	struct serial_conn *s = c->priv;

	if (s)
		log_err("serial: dump abandoned after %llu frames (%d); salvage-recv will report it incomplete",
			(unsigned long long)s->frames, rc);
}

const struct transport transport_serial TRANSPORT = {
	.name = "serial",
	.kind = TARGET_SERIAL,
	.open = serial_open,
	.write = serial_write,
	.close = serial_close,
	.abort = serial_abort,
};
