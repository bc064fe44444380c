/* salvage-recv: rebuild a dump file from a console capture of salvage's serial frames
 * (dump/frame.h), following a file, pipe or serial device while it is still being written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "dump/frame.h"
#include "lib/log.h"
#include "lib/sha256.h"

#define LINE_MAX_READ 4096	/* longer lines are cut here (no frame is longer than FRAME_LINE_MAX) */
#define REPORT_MAX 10		/* per kind of problem, before only counting */
#define PROGRESS_SEC 2
#define PENDING_MAX 65536	/* data frames held while no header or end frame has given the size */

static const char *prog = "salvage-recv";

static struct {
	const char *out_name;
	int verbose;
	double timeout;		/* idle seconds at EOF; < 0 = forever */
	int timeout_given;
} opt = { "vmcore", 0, 10, 0 };

struct range {
	uint64_t start, end;
};

/* A set of numbers (byte offsets, sequence numbers) as sorted, merged [start, end) ranges: memory
 * grows with the gaps, not with the values a frame claims. */
struct ranges {
	struct range *r;
	size_t nr, cap;
};

/* Everything known about the dump being rebuilt. */
static struct {
	int fd;
	bool have_header, have_end, have_size, any;
	uint32_t session;
	uint64_t size;
	struct frame end;
	struct ranges seqs;	/* sequence numbers received */
	struct ranges bytes;	/* file bytes received */
	struct frame *pend;	/* data frames before any header: no size bounds them yet */
	size_t npend;
	uint64_t frames, corrupt, dups, orphans, unsized, restarts, received, lineno;
	struct frame_window win;
} st;

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-o FILE] [-v] [--timeout SECONDS] [LOG|-]\n"
		"Rebuild the dump salvage sent over serial from a console capture.\n"
		"\n"
		"  LOG               capture file, serial device (put in raw mode) or - for stdin (default)\n"
		"  -o, --output FILE write the dump here (default: vmcore)\n"
		"  -t, --timeout S   at end of input, wait up to S seconds of silence for more until the\n"
		"                    end frame arrives (default 10; 0: stop at end of input; serial devices\n"
		"                    wait forever unless given)\n"
		"  -v, --verbose     echo salvage's own log lines to stderr\n"
		"  -h, --help        this text\n"
		"\n"
		"       %s --unflatten KDUMP [FLAT|-]\n"
		"Rebuild the kdump-compressed file KDUMP from a flattened stream (what dump.format=kdump\n"
		"sends: the TFTP file, or the file rebuilt above), as makedumpfile -R does.\n"
		"\n"
		"Exit status: 0 when the whole file arrived and its SHA-256 matches the end frame, 1 when\n"
		"it is incomplete or does not match (the missing byte ranges are listed), 2 on usage or I/O\n"
		"errors.\n",
		prog, prog);
}

/* makedumpfile's flattened format (dump/kdump.h): a 4096-byte header {"makedumpfile", be64 type 1,
 * be64 version 1}, records {be64 offset, be64 size, data}, then offset = size = -1. */
#define FLAT_HDR_SIZE 4096
#define FLAT_OFF_MAX (1ull << 50)	/* no dump file is larger: a bigger offset is corruption */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (uint8_t *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* --unflatten: write each record of the stream on fd in at its offset of out_name. The stream is
 * untrusted: a bad header, an offset or size past FLAT_OFF_MAX or a missing end record is an error
 * naming the record. Returns the exit status (0, 1 for a bad or cut stream, 2 for I/O errors). */
static int unflatten(int in, const char *in_name, const char *out_name)
{
	static uint8_t buf[1 << 20];
	uint8_t h[16];
	uint64_t records = 0;
	int out;

	if (read_full(in, buf, FLAT_HDR_SIZE) != 0 || memcmp(buf, "makedumpfile", 13) != 0 ||
	    be64(buf + 16) != 1 || be64(buf + 24) != 1) {
		msg("%s: not a flattened kdump stream (makedumpfile header, type 1, version 1)", in_name);
		return 1;
	}
	out = open(out_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		die("%s: %s", out_name, strerror(errno));
	for (;;) {
		uint64_t off, size;

		if (read_full(in, h, sizeof(h)) != 0) {
			msg("%s: cut after %llu records (no end record)", in_name, (unsigned long long)records);
			close(out);
			return 1;
		}
		off = be64(h);
		size = be64(h + 8);
		if (off == ~0ull && size == ~0ull)
			break;
		if (off >= FLAT_OFF_MAX || size >= FLAT_OFF_MAX - off) {
			msg("%s: record %llu: offset 0x%llx size 0x%llx out of bounds", in_name,
			    (unsigned long long)records, (unsigned long long)off, (unsigned long long)size);
			close(out);
			return 1;
		}
		while (size) {
			size_t n = size < sizeof(buf) ? (size_t)size : sizeof(buf);

			if (read_full(in, buf, n) != 0) {
				msg("%s: record %llu cut short", in_name, (unsigned long long)records);
				close(out);
				return 1;
			}
			if (pwrite(out, buf, n, (off_t)off) != (ssize_t)n)
				die("%s: %s", out_name, strerror(errno));
			off += n;
			size -= n;
		}
		records++;
	}
	if (close(out) != 0)
		die("%s: %s", out_name, strerror(errno));
	msg("%s: %llu records written to %s", in_name, (unsigned long long)records, out_name);
	return 0;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- received ranges ---- */

/* Add [a, b) to rs. */
static void ranges_add(struct ranges *rs, uint64_t a, uint64_t b)
{
	size_t i = rs->nr, j;

	if (a >= b)
		return;
	/* common case: in order, touching or after the last range */
	if (rs->nr && a >= rs->r[rs->nr - 1].start && a <= rs->r[rs->nr - 1].end) {
		if (b > rs->r[rs->nr - 1].end)
			rs->r[rs->nr - 1].end = b;
		return;
	}
	while (i > 0 && rs->r[i - 1].start > a)
		i--;
	/* i: first range starting after a; merge with the one before when they touch */
	if (i > 0 && rs->r[i - 1].end >= a) {
		i--;
		if (b > rs->r[i].end)
			rs->r[i].end = b;
	} else {
		if (rs->nr == rs->cap) {
			rs->cap = rs->cap ? 2 * rs->cap : 64;
			rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
			if (!rs->r)
				die("out of memory");
		}
		memmove(rs->r + i + 1, rs->r + i, (rs->nr - i) * sizeof(*rs->r));
		rs->r[i] = (struct range){ a, b };
		rs->nr++;
	}
	for (j = i + 1; j < rs->nr && rs->r[j].start <= rs->r[i].end; j++)
		if (rs->r[j].end > rs->r[i].end)
			rs->r[i].end = rs->r[j].end;
	memmove(rs->r + i + 1, rs->r + j, (rs->nr - j) * sizeof(*rs->r));
	rs->nr -= j - i - 1;
}

/* True when all of [a, b) is in rs (binary search: ranges are sorted and disjoint). */
static bool ranges_covered(const struct ranges *rs, uint64_t a, uint64_t b)
{
	size_t lo = 0, hi = rs->nr;

	if (a >= b)
		return true;
	while (lo < hi) {	/* first range starting after a */
		size_t mid = lo + (hi - lo) / 2;

		if (rs->r[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && b <= rs->r[lo - 1].end;
}

/* How much of [0, below) rs holds. */
static uint64_t ranges_total(const struct ranges *rs, uint64_t below)
{
	uint64_t t = 0;

	for (size_t i = 0; i < rs->nr && rs->r[i].start < below; i++)
		t += MIN(rs->r[i].end, below) - rs->r[i].start;
	return t;
}

/* ---- sequence numbers ---- */

/* Mark seq seen; returns true when it already was. */
static bool seq_seen(uint32_t seq)
{
	if (ranges_covered(&st.seqs, seq, (uint64_t)seq + 1))
		return true;
	ranges_add(&st.seqs, seq, (uint64_t)seq + 1);
	return false;
}

/* ---- output ---- */

static void write_at(uint64_t off, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = pwrite(st.fd, b, n, (off_t)off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("writing %s at offset %llu: %s", opt.out_name, (unsigned long long)off, strerror(errno));
		}
		b += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
}

/* frame_sink: data goes to the file; zero runs stay holes (the file starts empty). */
static void sink(void *ctx, uint64_t off, const uint8_t *data, uint8_t fill, uint64_t n)
{
	static uint8_t block[65536];

	if (data) {
		write_at(off, data, (size_t)n);
		return;
	}
	if (fill == 0)
		return;
	memset(block, fill, sizeof(block));
	while (n) {
		size_t k = n < sizeof(block) ? (size_t)n : sizeof(block);

		write_at(off, block, k);
		off += k;
		n -= k;
	}
}

/* Forget everything received (a new dump started in the same capture). */
static void reset_dump(void)
{
	if (ftruncate(st.fd, 0) != 0)
		die("truncating %s: %s", opt.out_name, strerror(errno));
	st.have_header = st.have_end = st.have_size = false;
	st.bytes.nr = st.seqs.nr = st.npend = 0;
	st.frames = st.corrupt = st.dups = st.orphans = st.unsized = st.received = 0;
}

static void report(uint64_t *count, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(uint64_t *count, const char *fmt, ...)
{
	va_list ap;

	if (++*count > REPORT_MAX) {
		if (*count == REPORT_MAX + 1)
			msg("(further such messages only counted)");
		return;
	}
	fprintf(stderr, "%s: line %llu: ", prog, (unsigned long long)st.lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void take_frame(const struct frame *f);

/* A data frame before any header frame (lost, or a line that merely parses as a frame): kept
 * until the end frame gives the file size that bounds it, dropped when a header starts a dump. */
static void hold_frame(const struct frame *f)
{
	st.any = true;
	if (st.npend == PENDING_MAX) {
		report(&st.unsized, "frame %u (bytes 0x%llx-0x%llx) before any header frame, with %d held "
		       "already; ignored", f->seq, (unsigned long long)f->off,
		       (unsigned long long)(f->off + f->len), PENDING_MAX);
		return;
	}
	if (!st.pend && !(st.pend = malloc(PENDING_MAX * sizeof(*st.pend))))
		die("out of memory");
	st.pend[st.npend++] = *f;
}

/* One checked frame. */
static void take_frame(const struct frame *f)
{
	if (f->type == FRAME_HEADER) {
		if (st.have_header && f->session == st.session) {
			report(&st.dups, "duplicate header frame ignored");
			return;
		}
		if (st.any) {
			msg("line %llu: a new dump (session %08x) starts before the previous one ended; "
			    "discarding the previous one", (unsigned long long)st.lineno, f->session);
			st.restarts++;
			reset_dump();
		}
		st.any = st.have_header = true;
		st.session = f->session;
		seq_seen(f->seq);
		st.frames++;
		if (f->size == 0) {
			/* a compressed or encrypted file: its size comes with the end frame */
			msg("dump of a size known only at its end, session %08x, writing %s", f->session, opt.out_name);
			return;
		}
		st.have_size = true;
		st.size = f->size;
		if (ftruncate(st.fd, (off_t)f->size) != 0) /* sparse, full size: zero runs stay holes */
			die("sizing %s: %s", opt.out_name, strerror(errno));
		msg("dump of %llu bytes (%.1f MiB), session %08x, writing %s", (unsigned long long)f->size,
		    f->size / 1048576.0, f->session, opt.out_name);
		return;
	}
	/* Before any header nothing bounds a data frame: hold it. After a header of a size known only
	 * at the end (compressed, encrypted), frames are this dump's: take them as they come, and the
	 * end frame cuts the file to its size (a capture cannot be held whole in memory). */
	if (f->type == FRAME_DATA && !st.have_size && !st.have_header) {
		hold_frame(f);
		return;
	}
	if (seq_seen(f->seq)) {
		if (f->type == FRAME_DATA)
			report(&st.dups, "duplicate frame %u (bytes 0x%llx-0x%llx) ignored", f->seq,
			       (unsigned long long)f->off, (unsigned long long)(f->off + f->len));
		else
			report(&st.dups, "duplicate end frame ignored");
		return;
	}
	st.any = true;
	st.frames++;
	if (f->type == FRAME_END) {
		if (st.have_size && f->size != st.size)
			msg("line %llu: end frame says %llu bytes but the header said %llu",
			    (unsigned long long)st.lineno, (unsigned long long)f->size, (unsigned long long)st.size);
		st.end = *f;
		st.have_end = true;
		if (!st.have_size) {
			st.size = f->size;
			if (ftruncate(st.fd, (off_t)f->size) != 0)
				die("sizing %s: %s", opt.out_name, strerror(errno));
		}
		st.have_size = true;
		for (size_t i = 0; i < st.npend; i++)
			take_frame(&st.pend[i]);
		st.npend = 0;
		return;
	}
	if (st.have_size && f->off + f->len > st.size) {
		report(&st.corrupt, "frame %u covers bytes 0x%llx-0x%llx, past the %llu-byte file; ignored", f->seq,
		       (unsigned long long)f->off, (unsigned long long)(f->off + f->len),
		       (unsigned long long)st.size);
		return;
	}
	if (f->back) {
		/* Its matches copy bytes from before it (same FRAME_SYNC block): they must be here. */
		uint64_t a = f->off - f->back;
		uint8_t tmp[FRAME_WINDOW];

		if (!ranges_covered(&st.bytes, a, f->off)) {
			report(&st.orphans, "frame %u (bytes 0x%llx-0x%llx) copies from bytes 0x%llx-0x%llx, which are "
			       "missing; lost with them", f->seq, (unsigned long long)f->off,
			       (unsigned long long)(f->off + f->len), (unsigned long long)a, (unsigned long long)f->off);
			return;
		}
		ssize_t got = pread(st.fd, tmp, (size_t)f->back, (off_t)a);

		if (got < 0)
			die("reading back %s at %llu: %s", opt.out_name, (unsigned long long)a, strerror(errno));
		memset(tmp + got, 0, (size_t)f->back - (size_t)got); /* past the end: zero runs not written */
		for (uint64_t i = 0; i < f->back; i++)
			st.win.b[(a + i) % FRAME_WINDOW] = tmp[i];
	}
	frame_expand(f, &st.win, sink, NULL);
	ranges_add(&st.bytes, f->off, f->off + f->len);
	st.received += f->len;
}

static void take_line(char *s, size_t n)
{
	static struct frame f;
	const char *m = frame_find(s, n), *why = "";
	const char *log = memmem(s, n, LOG_PREFIX, strlen(LOG_PREFIX));

	st.lineno++;
	if (log && (!m || log < m)) {
		if (opt.verbose) {
			while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
				n--;
			fprintf(stderr, "%.*s\n", (int)n, s);
		}
		return;
	}
	if (!m)
		return;
	if (frame_parse(m, n - (size_t)(m - s), &f, &why) != 0) {
		report(&st.corrupt, "corrupt frame ignored: %s", why);
		return;
	}
	take_frame(&f);
}

static void progress(bool force)
{
	static double last;
	double t = now_sec();

	if (!force && t - last < PROGRESS_SEC)
		return;
	last = t;
	if (st.have_size && st.size)
		msg("%.0f%% (%.1f of %.1f MiB) in %llu frames, %llu corrupt",
		    100.0 * ranges_total(&st.bytes, st.size) / st.size, ranges_total(&st.bytes, st.size) / 1048576.0, st.size / 1048576.0, (unsigned long long)st.frames,
		    (unsigned long long)st.corrupt);
}

/* Serial devices: raw 8-bit input, no echo or line editing; the baud rate is left as it is. */
static void tty_raw(int fd, const char *name)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0)
		die("%s: tcgetattr: %s", name, strerror(errno));
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		die("%s: tcsetattr: %s", name, strerror(errno));
}

/* Read the capture line by line until the end frame, or until input ends and stays silent for
 * opt.timeout seconds. */
static void read_input(int in, const char *name)
{
	static char buf[65536], line[LINE_MAX_READ];
	struct stat sb;
	size_t ln = 0;
	bool regular, said_wait = false;
	double idle_since = now_sec();

	if (fstat(in, &sb) != 0)
		die("%s: %s", name, strerror(errno));
	regular = S_ISREG(sb.st_mode);
	if (isatty(in)) {
		tty_raw(in, name);
		if (!opt.timeout_given)
			opt.timeout = -1;
	}
	while (!st.have_end) {
		ssize_t n;

		if (!regular) {
			struct pollfd p = { .fd = in, .events = POLLIN };
			int ms = opt.timeout < 0 ? 1000 : 200;
			int rc = poll(&p, 1, ms);

			if (rc < 0 && errno != EINTR)
				die("%s: poll: %s", name, strerror(errno));
			if (rc <= 0) {
				progress(false);
				if (opt.timeout >= 0 && now_sec() - idle_since >= opt.timeout) {
					msg("no input for %.0f s; stopping", opt.timeout);
					break;
				}
				continue;
			}
		}
		n = read(in, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("reading %s: %s", name, strerror(errno));
		}
		if (n == 0) {
			if (!regular)
				break;	/* pipe closed */
			if (opt.timeout == 0 || (opt.timeout > 0 && now_sec() - idle_since >= opt.timeout))
				break;
			if (!said_wait) {
				msg("end of %s before the end frame; waiting up to %.0f s for more (--timeout)",
				    name, opt.timeout);
				said_wait = true;
			}
			progress(false);
			usleep(100000);
			continue;
		}
		idle_since = now_sec();
		/* line by line (memchr); a line longer than line[] keeps its start */
		for (const char *p = buf, *e = buf + n; p < e && !st.have_end;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			size_t k = (size_t)((nl ? nl : e) - p);

			memcpy(line + ln, p, MIN(k, sizeof(line) - ln));
			ln += MIN(k, sizeof(line) - ln);
			if (!nl)
				break;
			take_line(line, ln);
			ln = 0;
			p = nl + 1;
		}
		progress(false);
	}
	if (ln && !st.have_end)
		take_line(line, ln);	/* last line without its newline */
}

/* Name what is missing and check the digest; returns the exit status. */
static int finish(void)
{
	uint64_t missing = 0, prev = 0, nmiss = 0, lost = 0;
	int rc = 0;

	if (!st.any) {
		msg("no salvage frames found");
		return 1;
	}
	if (!st.have_header)
		msg("header frame missing");
	if (st.have_size && ftruncate(st.fd, (off_t)st.size) != 0)
		die("sizing %s: %s", opt.out_name, strerror(errno));
	progress(true);
	if (st.have_size) {
		for (size_t i = 0; i <= st.bytes.nr; i++) {
			uint64_t a = prev, b = i < st.bytes.nr ? st.bytes.r[i].start : st.size;

			if (b > a) {
				if (++nmiss <= 20)
					msg("missing bytes 0x%llx-0x%llx (%llu bytes)", (unsigned long long)a,
					    (unsigned long long)b, (unsigned long long)(b - a));
				missing += b - a;
			}
			if (i < st.bytes.nr)
				prev = st.bytes.r[i].end;
		}
		if (nmiss > 20)
			msg("... %llu missing ranges in all", (unsigned long long)nmiss);
	}
	if (st.have_end) {
		lost = st.end.seq - ranges_total(&st.seqs, st.end.seq);
		if (lost)
			msg("%llu of %llu frames lost", (unsigned long long)lost, (unsigned long long)st.end.seq + 1);
	} else {
		msg("end frame missing: the dump did not finish, or its end was lost");
		rc = 1;
	}
	if (st.npend)
		msg("%zu data frame%s came with no header or end frame to give the file size: not written",
		    st.npend, st.npend == 1 ? "" : "s");
	if (st.unsized)
		msg("%llu data frame%s before any header frame ignored (more than %d held)",
		    (unsigned long long)st.unsized, st.unsized == 1 ? "" : "s", PENDING_MAX);
	if (st.corrupt)
		msg("%llu corrupt frame%s ignored", (unsigned long long)st.corrupt, st.corrupt == 1 ? "" : "s");
	if (st.dups)
		msg("%llu duplicate frame%s ignored", (unsigned long long)st.dups, st.dups == 1 ? "" : "s");
	if (st.orphans)
		msg("%llu frame%s lost with the bytes they copy from", (unsigned long long)st.orphans,
		    st.orphans == 1 ? "" : "s");
	if (missing) {
		msg("INCOMPLETE: %llu of %llu bytes missing", (unsigned long long)missing,
		    (unsigned long long)st.size);
		rc = 1;
	}
	if (rc == 0) {
		static uint8_t b[1 << 20];
		uint8_t dg[SHA256_DIGEST_SIZE];
		char hex[2 * SHA256_DIGEST_SIZE + 1];
		struct sha256 h;
		uint64_t off = 0;

		sha256_init(&h);
		while (off < st.size) {
			ssize_t n = pread(st.fd, b, sizeof(b), (off_t)off);

			if (n <= 0)
				die("reading back %s: %s", opt.out_name, n ? strerror(errno) : "short file");
			sha256_update(&h, b, (size_t)n);
			off += (uint64_t)n;
		}
		sha256_final(&h, dg);
		sha256_hex(dg, hex);
		if (memcmp(dg, st.end.digest, sizeof(dg)) != 0) {
			char want[2 * SHA256_DIGEST_SIZE + 1];

			sha256_hex(st.end.digest, want);
			msg("DIGEST MISMATCH: %s has sha256 %s, salvage sent %s", opt.out_name, hex, want);
			rc = 1;
		} else {
			msg("complete: %s, %llu bytes, sha256 %s", opt.out_name, (unsigned long long)st.size, hex);
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "unflatten", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	const char *in_name = "-", *unflatten_out = NULL;
	int c, in;

	while ((c = getopt_long(argc, argv, "o:t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.out_name = optarg;
			break;
		case 't': {
			char *end;

			opt.timeout = strtod(optarg, &end);
			if (*end || opt.timeout < 0) {
				fprintf(stderr, "%s: --timeout wants seconds (0 or more), not '%s'\n", prog, optarg);
				return 2;
			}
			opt.timeout_given = 1;
			break;
		}
		case 'v':
			opt.verbose = 1;
			break;
		case 'U':
			unflatten_out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return 2;
	}
	if (optind < argc)
		in_name = argv[optind];
	if (strcmp(in_name, "-") == 0) {
		in = 0;
		in_name = "stdin";
	} else if ((in = open(in_name, O_RDONLY | O_NOCTTY)) < 0) {
		die("%s: %s", in_name, strerror(errno));
	}
	if (unflatten_out)
		return unflatten(in, in_name, unflatten_out);
	st.fd = open(opt.out_name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (st.fd < 0)
		die("%s: %s", opt.out_name, strerror(errno));
	read_input(in, in_name);
	c = finish();
	if (close(st.fd) != 0)
		die("closing %s: %s", opt.out_name, strerror(errno));
	return c;
}
