/* The serial transport end to end on the host: the real crash (crash_from_memmap over fake memory)
 * as the real elf format through the real stream stage and encoder into a captured "serial port" with the log lines interleaved as on the console, then
 * decoded in-process and by build/salvage-recv, also with injected log lines, logger timestamps,
 * dropped, corrupted and duplicated frames, a wrong digest, a truncated capture and follow mode. */
/* unit-sources: dump/serial.c drivers/serial_sink.c dump/stream.c dump/progress.c dump/frame.c lib/sha256.c dump/crash.c dump/elfcore.c dump/format.c dump/filter.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "drivers/console.h"
#include "drivers/uart.h"
#include "dump/frame.h"
#include "dump/elfcore.h"
#include "dump/stream.h"
#include "dump/transport.h"
#include "lib/log.h"
#include "ok.h"
#include "shim.h"

#define MEM_BASE 0x100000u
#define MEM_SIZE (3u << 20)
#define LOGDIR "build/unit/serial"
#define RECV "build/salvage-recv"

/* ---- the fake console UART: captured bytes; log lines go in whole, before the next write ---- */
static char *cap;
static size_t cap_len, cap_cap, log_done;
static int uart_port_seen = -2;

static void cap_put(const char *s, size_t n)
{
	if (cap_len + n > cap_cap) {
		cap_cap = (cap_len + n) * 2;
		cap = realloc(cap, cap_cap);
	}
	memcpy(cap + cap_len, s, n);
	cap_len += n;
}

/* Copy log lines logged since the last call, as the console would print them. */
static void flush_log(void)
{
	size_t n = strlen(log_buf);

	while (log_done < n) {
		char *nl = strchr(log_buf + log_done, '\n');
		size_t k = (size_t)(nl - (log_buf + log_done));

		cap_put(LOG_PREFIX, strlen(LOG_PREFIX));
		cap_put(log_buf + log_done, k);
		cap_put("\r\n", 2);
		log_done += k + 1;
	}
	if (n > sizeof(log_buf) / 2) {
		log_reset();
		log_done = 0;
	}
}

void uart_write(int port, const void *buf, size_t n)
{
	flush_log();
	uart_port_seen = port;
	cap_put(buf, n);
	fake_now_us += n * 1000000 / 11520; /* 115200 baud, 8N1 */
}

static int init_port = -1, init_rc;
static uint32_t init_baud;
int uart_init(int port, uint32_t baud)
{
	init_port = port;
	init_baud = baud;
	return init_rc;
}
void console_init(int port, uint32_t baud) {}
int console_port(void) { return 0; }
uint32_t console_baud(void) { return 115200; }

/* ---- helpers ---- */

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	b[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static void spit(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(b, 1, n, f);
	fclose(f);
}

/* The capture split into lines (pointers into a copy, "\n" kept). */
static char **lines;
static size_t nlines;

static void split_lines(void)
{
	char *c = malloc(cap_len + 1);
	size_t i = 0;

	memcpy(c, cap, cap_len);
	c[cap_len] = 0;
	lines = calloc(cap_len / 2 + 2, sizeof(*lines));
	while (i < cap_len) {
		char *nl = memchr(c + i, '\n', cap_len - i);
		size_t k = nl ? (size_t)(nl - (c + i)) + 1 : cap_len - i;

		lines[nlines] = malloc(k + 1);
		memcpy(lines[nlines], c + i, k);
		lines[nlines][k] = 0;
		nlines++;
		i += k;
	}
	free(c);
}

/* Run salvage-recv on text; returns its exit status and leaves its stderr in *err. */
static int recv_text(const char *name, const char *text, size_t n, const char *args, char **err)
{
	char cmd[1024], path[256];

	snprintf(path, sizeof(path), LOGDIR "/%s.log", name);
	spit(path, text, n);
	snprintf(cmd, sizeof(cmd), RECV " --timeout 0 %s -o " LOGDIR "/%s.out %s 2>" LOGDIR "/%s.err", args,
		 name, path, name);
	int rc = run(cmd);
	snprintf(path, sizeof(path), LOGDIR "/%s.err", name);
	*err = slurp(path, NULL);
	return rc;
}

static uint8_t *file;	/* the dump file, read back with elf_read */
static size_t file_len;

static int out_equals(const char *name)
{
	char path[256];
	size_t n;
	char *b;
	int same;

	snprintf(path, sizeof(path), LOGDIR "/%s.out", name);
	b = slurp(path, &n);
	same = b && n == file_len && memcmp(b, file, n) == 0;
	free(b);
	return same;
}

/* Build a capture from the line list with a per-line edit: 0 keep, 1 drop, 2 double. */
static char *assemble(const int *edit, const char *prefix, size_t *len)
{
	size_t cap2 = cap_len * 2 + nlines * 32 + 1, n = 0;
	char *b = malloc(cap2);

	for (size_t i = 0; i < nlines; i++) {
		int times = edit ? (edit[i] == 1 ? 0 : edit[i] == 2 ? 2 : 1) : 1;

		for (int t = 0; t < times; t++)
			n += (size_t)sprintf(b + n, "%s%s", prefix, lines[i]);
	}
	*len = n;
	return b;
}

static struct crash c;
static struct elf_file d;
static struct config cfg;
extern const struct transport transport_serial;

/* The elf file of d through the stream stage into the serial transport to target t; size_known
 * false: the stream announces no size (as a compressed format's). */
static int serial_send(const struct dump_target *t, bool size_known)
{
	static struct stream s;
	struct transport_info info = { size_known ? d.size : STREAM_SIZE_UNKNOWN, c.crashtime, "elf", NULL };
	int rc;

	if ((rc = stream_open(&s, &transport_serial, t, &cfg, &info)) != 0)
		return rc;
	if ((rc = elf_produce(&d, &s)) != 0) {
		stream_abort(&s, rc);
		return rc;
	}
	return stream_close(&s);
}

/* frame_sink into the in-process copy (ctx). */
static void put(void *ctx, uint64_t off, const uint8_t *data, uint8_t fill, uint64_t n)
{
	if (data)
		memcpy((uint8_t *)ctx + off, data, n);
	else
		memset((uint8_t *)ctx + off, fill, n);
}

int main(void)
{
	static uint8_t mem[MEM_SIZE];
	static const struct dump_target tgt = { .kind = TARGET_SERIAL, .serial_port = -1 };
	struct memmap m = { .n = 0 };
	struct frame f;
	const char *why;
	char *err, digest_hex[65], want[80];
	uint8_t dg[32];
	int rc, bad_shape = 0, progress_lines = 0;
	size_t n, data_lines = 0;

	if (run("make -s " RECV " >/dev/null") != 0 || run("mkdir -p " LOGDIR) != 0) {
		ok(0, "building " RECV);
		return ok_done();
	}

	/* Memory like an idle machine's: mostly zero pages, some text, some random, some 0xff, some
	 * repeating every 600 bytes with changes (frames copy from earlier frames). */
	srand(7);
	for (size_t p = 0; p < MEM_SIZE; p += 4096) {
		int kind = rand() % 10;

		for (size_t i = 0; i < 4096; i++)
			mem[p + i] = kind == 0 ? (uint8_t)rand() :
				     kind == 1 ? (uint8_t)("swapper/0 init kworker/u2:1 "[i % 28]) :
				     kind == 2 ? 0xff :
				     kind == 3 ? (i < 600 || i % 97 == 0 ? (uint8_t)rand() : mem[p + i - 600]) : 0;
	}
	memset(mem + MEM_SIZE - 8192, 0, 8192); /* the file ends in zero pages */
	fakemem_map(MEM_BASE, mem, MEM_SIZE);
	m.r[0] = (struct mem_range){ MEM_BASE, MEM_SIZE, MEM_RAM };
	m.n = 1;
	rc = crash_from_memmap(&c, &m, NULL, 0);
	rc = rc ? rc : elf_layout(&d, &c, NULL, 0);
	ok(rc == 0 && d.size > MEM_SIZE, "crash_from_memmap, elf_layout: %llu-byte file", (unsigned long long)d.size);
	file_len = (size_t)d.size;
	file = malloc(file_len);
	ok(elf_read(&d, 0, file, file_len) == 0, "elf_read of the whole file");
	sha256(file, file_len, dg);
	sha256_hex(dg, digest_hex);

	/* ---- the real encoder into the fake port ---- */
	log_reset();
	fake_now_us = 1000;
	rc = serial_send(&tgt, true);
	flush_log();
	ok(rc == 0, "serial transport returns 0");
	ok(uart_port_seen == 0, "port -1 means the console's (ttyS0)");
	split_lines();
	for (size_t i = 0; i < nlines; i++) {
		const char *l = lines[i];
		size_t k = strlen(l);

		for (size_t j = 0; j + 2 < k; j++)
			if (l[j] < 0x20 || l[j] > 0x7e)
				bad_shape++;
		if (k > 199 || k < 2 || strcmp(l + k - 2, "\r\n") != 0)
			bad_shape++;
		if (strncmp(l, FRAME_MARK, 3) == 0)
			data_lines++;
		else if (strncmp(l, LOG_PREFIX, strlen(LOG_PREFIX)) != 0)
			bad_shape++;
		if (strstr(l, "serial: ") && strstr(l, "% (") && strstr(l, "MB/s") && strstr(l, "ETA"))
			progress_lines++;
	}
	ok(bad_shape == 0, "%zu lines: printable ASCII, CRLF, < 200 chars, each a whole frame or log line",
	   nlines);
	ok(progress_lines >= 3, "%d progress lines with percent, MB/s and ETA", progress_lines);
	snprintf(want, sizeof(want), "sha256 %s", digest_hex);
	ok(log_has(want) || strstr(cap, want), "summary line carries the file's sha256 %s", digest_hex);
	ok(strstr(cap, "serial: sent ") != NULL, "summary line with bytes, seconds and rate");
	ok(cap_len < file_len / 4, "%zu wire bytes for %zu file bytes (%.1f%%)", cap_len, file_len,
	   100.0 * cap_len / file_len);

	/* In-process decode. */
	{
		uint8_t *got = calloc(1, file_len);
		static struct frame_window w;
		int bad = 0, ends = 0;

		for (size_t i = 0; i < nlines; i++) {
			const char *mk = frame_find(lines[i], strlen(lines[i]));

			if (!mk)
				continue;
			if (frame_parse(mk, strlen(mk), &f, &why) != 0) {
				bad++;
				continue;
			}
			if (f.type == FRAME_DATA && f.off + f.len <= file_len) {
				for (uint64_t k = 0; k < f.len; k++)
					got[f.off + k] = 0xee;
				frame_expand(&f, &w, put, got);
			} else if (f.type == FRAME_END) {
				ends++;
				if (memcmp(f.digest, dg, 32) != 0 || f.size != file_len)
					bad++;
			}
		}
		ok(!bad && ends == 1 && memcmp(got, file, file_len) == 0,
		   "frames decode in-process to the dump file; end frame has its size and digest");
		free(got);
	}

	/* ---- salvage-recv on variants of the capture ---- */
	rc = recv_text("intact", cap, cap_len, "", &err);
	ok(rc == 0 && out_equals("intact") && strstr(err, digest_hex), "intact capture: exit %d, file and digest match",
	   rc);
	free(err);

	{
		/* A stream whose size is known only at its end: header size 0, salvage-recv sizes the file
		 * from the end frame (the file ends in zero pages: a trailing hole). */
		char *saved = cap;
		size_t saved_len = cap_len;

		cap = NULL;
		cap_len = cap_cap = 0;
		log_reset();
		log_done = 0;
		rc = serial_send(&tgt, false);
		flush_log();
		ok(rc == 0 && strstr(cap, "of yet unknown size"), "unknown size: serial transport returns 0 and says so");
		rc = recv_text("unsized", cap, cap_len, "", &err);
		ok(rc == 0 && out_equals("unsized") && strstr(err, digest_hex) && strstr(err, "known only at its end"),
		   "unknown size: salvage-recv rebuilds the file from the end frame's size: exit %d", rc);
		free(err);
		free(cap);
		cap = saved;
		cap_len = cap_cap = saved_len;
	}

	{
		/* Log noise between lines, a kernel-style timestamp before every line. */
		size_t n2;
		char *b = assemble(NULL, "[  123.456789] ", &n2), *b2 = malloc(n2 * 2 + 4096);
		size_t k = 0;

		for (size_t i = 0, j = 0; i < n2; i++) {
			b2[k++] = b[i];
			if (b[i] == '\n' && ++j % 50 == 0)
				k += (size_t)sprintf(b2 + k, "random console noise $ %% \\ line %zu\r\n"
							      "salvage: warning: interleaved log line\n", j);
		}
		rc = recv_text("noisy", b2, k, "-v", &err);
		ok(rc == 0 && out_equals("noisy") && strstr(err, "interleaved log line"),
		   "timestamps, noise and log lines between frames: exit %d, file matches, -v echoes log lines", rc);
		free(err);
		free(b);
		free(b2);
	}

	{
		/* Dropped frames, each followed by one that copies from before itself: the missing ranges
		 * start exactly at each dropped frame, end no later than the first frame of the next sync
		 * block, and every byte outside them is right. */
		int *edit = calloc(nlines, sizeof(int));
		size_t n2, ndrop = 0, named = 0;
		struct frame prev = { 0 };
		uint64_t drop_off[3], bound[3];
		size_t prev_line = 0;
		char *b, *o;
		int wrong = 0;

		for (size_t i = 0; i < nlines; i++) {
			if (strncmp(lines[i], FRAME_MARK, 3) != 0 || frame_parse(lines[i], strlen(lines[i]), &f, &why) ||
			    f.type != FRAME_DATA)
				continue;
			for (size_t k = 0; k < ndrop; k++)
				if (!bound[k] && f.off >= ALIGN_UP(drop_off[k] + 1, (uint64_t)FRAME_SYNC))
					bound[k] = f.off;
			if (ndrop < 3 && f.back && prev.type == FRAME_DATA && f.off > (ndrop + 1) * file_len / 5) {
				edit[prev_line] = 1;
				drop_off[ndrop] = prev.off;
				bound[ndrop++] = 0;
			}
			prev = f;
			prev_line = i;
		}
		b = assemble(edit, "", &n2);
		rc = recv_text("dropped", b, n2, "", &err);
		o = slurp(LOGDIR "/dropped.out", &n2);
		for (const char *q = err; (q = strstr(q, "missing bytes 0x")) != NULL; q++) {
			unsigned long long a, e;

			if (sscanf(q, "missing bytes 0x%llx-0x%llx", &a, &e) != 2 || e > n2)
				continue;
			for (size_t k = 0; k < ndrop; k++)
				named += a == drop_off[k] && e <= (bound[k] ? bound[k] : file_len);
		}
		for (size_t k = 0; k < n2 && n2 == file_len; k++) {
			int in_gap = 0;

			if (o[k] == (char)file[k])
				continue;
			for (const char *q = err; (q = strstr(q, "missing bytes 0x")) != NULL && !in_gap; q++) {
				unsigned long long a, e;

				if (sscanf(q, "missing bytes 0x%llx-0x%llx", &a, &e) == 2 && k >= a && k < e)
					in_gap = 1;
			}
			wrong += !in_gap;
		}
		ok(rc == 1 && ndrop == 3 && named == 3 && strstr(err, "3 of ") && strstr(err, "INCOMPLETE") &&
		   strstr(err, "lost with the bytes they copy from") && n2 == file_len && wrong == 0,
		   "3 dropped frames: exit %d, %zu of 3 missing ranges start there and end within their sync "
		   "block, dependent frames reported, %d wrong bytes elsewhere", rc, named, wrong);
		free(o);
		free(err);
		free(b);

		/* Duplicates (every 7th line twice) are ignored and counted. */
		memset(edit, 0, nlines * sizeof(int));
		for (size_t i = 0; i < nlines; i += 7)
			edit[i] = 2;
		b = assemble(edit, "", &n2);
		rc = recv_text("dups", b, n2, "", &err);
		ok(rc == 0 && out_equals("dups") && strstr(err, "duplicate frame") &&
		   strstr(err, "duplicate frames ignored"), "duplicated frames: exit %d, reported and ignored", rc);
		free(err);
		free(b);
		free(edit);
	}

	{
		/* Flipped characters in two frames: counted as corrupt, their ranges missing. */
		char *b = malloc(cap_len);
		size_t hits = 0, pos = 0;

		memcpy(b, cap, cap_len);
		for (size_t i = 0; i < nlines; i++) {
			size_t k = strlen(lines[i]);

			if (hits < 2 && strncmp(lines[i], FRAME_MARK, 3) == 0 && i > nlines / 3 * (hits + 1) && k > 30) {
				b[pos + 20] = b[pos + 20] == 'A' ? 'B' : 'A';
				hits++;
			}
			pos += k;
		}
		rc = recv_text("flipped", b, cap_len, "", &err);
		ok(rc == 1 && strstr(err, "corrupt frame ignored: checksum mismatch") &&
		   strstr(err, "2 corrupt frames ignored") && strstr(err, "missing bytes"),
		   "2 flipped characters: exit %d, checksum mismatches counted, ranges missing", rc);
		free(err);
		free(b);
	}

	{
		/* End frame with another digest: mismatch detected. */
		static struct frame_enc e2;
		char end[FRAME_LINE_MAX], *b = malloc(cap_len + 256);
		size_t k = 0;
		uint8_t wrong[32];

		memcpy(wrong, dg, 32);
		wrong[5] ^= 1;
		for (size_t i = 0; i < nlines; i++) {
			if (!strncmp(lines[i], FRAME_MARK, 3) && !frame_parse(lines[i], strlen(lines[i]), &f, &why) &&
			    f.type == FRAME_END) {
				frame_enc_init(&e2, 0);
				e2.seq = f.seq;
				n = frame_end(&e2, f.size, wrong, end);
				memcpy(b + k, end, n);
				k += n;
			} else {
				k += (size_t)sprintf(b + k, "%s", lines[i]);
			}
		}
		rc = recv_text("digest", b, k, "", &err);
		ok(rc == 1 && strstr(err, "DIGEST MISMATCH"), "wrong digest in the end frame: exit %d", rc);
		free(err);

		/* Cut off before the end frame. */
		rc = recv_text("truncated", cap, cap_len * 2 / 3, "", &err);
		ok(rc == 1 && strstr(err, "end frame missing") && strstr(err, "missing bytes"),
		   "capture cut at 2/3: exit %d, end frame and byte ranges reported missing", rc);
		free(err);
		free(b);

		/* Nothing at all. */
		rc = recv_text("empty", "salvage: hello\n", 15, "", &err);
		ok(rc == 1 && strstr(err, "no salvage frames"), "no frames: exit %d", rc);
		free(err);
	}

	/* Follow mode: a pipe fed in two halves, and a file still being appended to. */
	{
		char cmd[1024];
		size_t half = cap_len / 2;

		spit(LOGDIR "/follow.log", cap, cap_len);
		snprintf(cmd, sizeof(cmd),
			 "(head -c %zu " LOGDIR "/follow.log; sleep 1; tail -c +%zu " LOGDIR "/follow.log) | "
			 RECV " -o " LOGDIR "/pipe.out - 2>" LOGDIR "/pipe.err", half, half + 1);
		rc = run(cmd);
		ok(rc == 0 && out_equals("pipe"), "stdin pipe written in two halves: exit %d", rc);

		snprintf(cmd, sizeof(cmd),
			 "head -c %zu " LOGDIR "/follow.log >" LOGDIR "/grow.log; "
			 "(sleep 1.5; tail -c +%zu " LOGDIR "/follow.log >>" LOGDIR "/grow.log) & "
			 RECV " --timeout 10 -o " LOGDIR "/grow.out " LOGDIR "/grow.log 2>" LOGDIR "/grow.err; "
			 "rc=$?; wait; exit $rc", half, half + 1);
		rc = run(cmd);
		ok(rc == 0 && out_equals("grow"), "file still being written (follow at EOF): exit %d", rc);
		snprintf(cmd, sizeof(cmd), "head -c %zu " LOGDIR "/follow.log >" LOGDIR "/grow.log; "
			 RECV " --timeout 1 -o " LOGDIR "/grow2.out " LOGDIR "/grow.log 2>" LOGDIR "/grow2.err", half);
		rc = run(cmd);
		err = slurp(LOGDIR "/grow2.err", NULL);
		ok(rc == 1 && strstr(err, "waiting up to 1 s"), "half a file, --timeout 1: gives up, exit %d", rc);
		free(err);
	}

	/* A serial device: a pseudo-terminal, which salvage-recv must put in raw mode (else the line
	 * discipline echoes and turns CR into NL). */
	{
		int master = posix_openpt(O_RDWR | O_NOCTTY), st = -1;
		struct termios tio;
		char cmd[512];
		pid_t pid;

		if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
			ok(0, "no pseudo-terminal for the serial device case");
		} else {
			snprintf(cmd, sizeof(cmd), "exec " RECV " --timeout 5 -o " LOGDIR "/tty.out %s 2>" LOGDIR "/tty.err",
				 ptsname(master));
			pid = fork();
			if (pid == 0) {
				execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
				_exit(127);
			}
			usleep(700000); /* let it open the device and switch to raw mode */
			for (size_t off = 0; off < cap_len;) {
				ssize_t w = write(master, cap + off, MIN((size_t)4096, cap_len - off));

				if (w <= 0)
					break;
				off += (size_t)w;
			}
			waitpid(pid, &st, 0);
			ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out_equals("tty"),
			   "capture through a pseudo-terminal: exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			/* Linux reports the terminal side's settings through the master. */
			ok(tcgetattr(master, &tio) == 0 && !(tio.c_lflag & (ECHO | ICANON)) && !(tio.c_iflag & ICRNL),
			   "salvage-recv put the device in raw mode (no echo, no line editing, CR kept)");
			close(master);
		}
	}

	/* Another port: initialised (default 115200 baud), frames there; a dead UART fails the target. */
	{
		static const struct dump_target t1 = { .kind = TARGET_SERIAL, .serial_port = 1 };
		static const struct dump_target t2 = { .kind = TARGET_SERIAL, .serial_port = 2, .serial_baud = 9600 };

		cap_len = 0;
		rc = serial_send(&t1, true);
		ok(rc == 0 && init_port == 1 && init_baud == 115200 && uart_port_seen == 1 && cap_len > 1000,
		   "dump=serial:ttyS1: uart_init(1, 115200), frames on ttyS1");
		init_rc = -ENODEV;
		log_reset();
		log_done = 0;
		rc = serial_send(&t2, true);
		ok(rc == -ENODEV && init_port == 2 && init_baud == 9600 && log_has("no UART answers at ttyS2"),
		   "dump=serial:ttyS2,9600 without a UART: %d and a log line", rc);
	}

	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	free(cap);
	free(file);
	return ok_done();
}
