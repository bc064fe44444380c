/* The serial dump target: the whole dump file as dump/frame.h lines on a UART, between whole
 * progress log lines, ending with the file's SHA-256 (tools/salvage-recv rebuilds the file). */
#include "drivers/console.h"
#include "drivers/uart.h"
#include "dump/frame.h"
#include "dump/progress.h"
#include "dump/transport.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/sha256.h"

/* Encoder features (frame.h FRAME_RUNS | FRAME_LZ); build with KCFLAGS_EXTRA=-DSERIAL_FRAME_FLAGS=0
 * to measure the plain base85 encoding. */
#ifndef SERIAL_FRAME_FLAGS
#define SERIAL_FRAME_FLAGS (FRAME_RUNS | FRAME_LZ)
#endif
#define SERIAL_BUF (64 * 1024)		/* file bytes read ahead */
#define SERIAL_LOOKAHEAD (8 * 1024)	/* refill when less than this is left */
#define RUN_EXTEND_MIN 256		/* a run reaching the buffer end is followed through the file */
#define DEFAULT_BAUD 115200

static struct frame_enc enc;
static uint8_t buf[SERIAL_BUF];
static char line[FRAME_LINE_MAX];
static struct sha256 hash;

static struct {
	const struct dump *d;
	int port;
	uint64_t base;		/* file offset of buf[0] */
	size_t have;		/* valid bytes in buf */
	uint64_t frames, wire;
} s;

/* Append file bytes [base+have, +n) to buf and to the digest. The file is read exactly once, in
 * order, so the digest covers every byte. */
static int fill(size_t n)
{
	int rc = dump_read(s.d, s.base + s.have, buf + s.have, n);

	if (rc != 0) {
		log_err("serial: reading dump bytes 0x%llx+0x%zx failed (%d)",
			(unsigned long long)(s.base + s.have), n, rc);
		return rc;
	}
	sha256_update(&hash, buf + s.have, n);
	s.have += n;
	return 0;
}

/* Move the unsent tail [*p, have), with up to FRAME_WINDOW bytes of history before it, to the
 * front and read as much as fits; *p becomes the tail's new index. */
static int refill(size_t *p)
{
	size_t from = *p - MIN(*p, (size_t)FRAME_WINDOW);
	uint64_t left;

	for (size_t i = from; i < s.have; i++)
		buf[i - from] = buf[i];
	s.base += from;
	s.have -= from;
	*p -= from;
	left = s.d->size - (s.base + s.have);
	return left ? fill((size_t)MIN((uint64_t)(SERIAL_BUF - s.have), left)) : 0;
}

/* One whole frame line to the port. */
static void send_line(size_t n)
{
	uart_write(s.port, line, n);
	s.frames++;
	s.wire += n;
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

/* Length of the run of buf[p] within [p, have). */
static size_t run_at(size_t p)
{
	return same_bytes(buf + p, s.have - p, buf[p]);
}

/* A run of value from file offset start reaches the buffer end: read on while it lasts, then send it
 * as one frame. Leaves buf holding the last chunk read, *p at the first byte after the run. */
static int extend_run(uint64_t start, uint8_t value, size_t *p)
{
	uint64_t count = s.base + s.have - start;
	int rc;

	for (;;) {
		size_t r;

		s.base += s.have;
		s.have = 0;
		if (s.base == s.d->size)
			break;
		if ((rc = fill((size_t)MIN((uint64_t)SERIAL_BUF, s.d->size - s.base))) != 0)
			return rc;
		r = same_bytes(buf, s.have, value);
		count += r;
		progress_update(s.base + r);
		if (r < s.have) {
			*p = r;
			break;
		}
	}
	if (s.have == 0)
		*p = 0;
	send_line(frame_run(&enc, start, value, count, line));
	return 0;
}

/* Pick the port (-1: the console's) and baud (0: the console's) and make the UART ready. */
static int setup_port(const struct dump_target *t, uint32_t *baud)
{
	int cport = console_port(), rc;

	s.port = t->serial_port < 0 ? cport : t->serial_port;
	*baud = t->serial_baud ? t->serial_baud : (s.port == cport ? console_baud() : DEFAULT_BAUD);
	if (s.port == cport) {
		if (*baud != console_baud()) {
			log_info("serial: console ttyS%d switches to %u baud for the dump", s.port, *baud);
			console_init(s.port, *baud);
		}
		return 0;
	}
	if ((rc = uart_init(s.port, *baud)) != 0)
		log_err("serial: no UART answers at ttyS%d (%d)", s.port, rc);
	return rc;
}

/* Send the whole file of d as frames: header, data in file order (zero and byte runs followed
 * across the read buffer into one frame), end with the digest. Returns 0 once the end frame is
 * out (serial has no way to hear the receiver), else a negative error after a log line. */
int serial_send(const struct dump *d, const struct dump_target *t, const struct config *cfg)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	uint32_t baud;
	size_t p = 0;
	int rc;

	s.d = d;
	s.base = 0;
	s.have = 0;
	s.frames = s.wire = 0;
	if ((rc = setup_port(t, &baud)) != 0)
		return rc;
	frame_enc_init(&enc, SERIAL_FRAME_FLAGS);
	sha256_init(&hash);
	log_info("serial: sending %llu bytes as framed lines on ttyS%d at %u baud; rebuild with salvage-recv",
		 (unsigned long long)d->size, s.port, baud);
	send_line(frame_header(&enc, d->size, (uint32_t)clock_us() ^ (uint32_t)(d->size >> 12), line));
	progress_start(d->size, "serial");
	while (s.base + p < d->size) {
		size_t used, r;

		if (s.have - p < SERIAL_LOOKAHEAD && s.base + s.have < d->size) {
			if ((rc = refill(&p)) != 0)
				return rc;
		}
		r = run_at(p);
		if ((SERIAL_FRAME_FLAGS & FRAME_RUNS) && p + r == s.have && r >= RUN_EXTEND_MIN &&
		    s.base + s.have < d->size) {
			if ((rc = extend_run(s.base + p, buf[p], &p)) != 0)
				return rc;
			continue;
		}
		send_line(frame_data(&enc, s.base + p, buf + p, s.have - p, p, &used, line));
		p += used;
		progress_update(s.base + p);
	}
	sha256_final(&hash, digest);
	send_line(frame_end(&enc, d->size, digest, line));
	log_info("serial: %llu frames, %llu line bytes for %llu file bytes", (unsigned long long)s.frames,
		 (unsigned long long)s.wire, (unsigned long long)d->size);
	progress_end(d->size, digest);
	return 0;
}
