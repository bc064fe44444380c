/* The serial dump wire format: text lines that carry the dump file through any console logger,
 * shared by the kernel's encoder (dump/serial.c) and the host decoder (tools/salvage-recv.c).
 *
 * Wire format, version 1
 * ----------------------
 * A frame is one line:   "$S" <version digit> <base85 body> "\r\n"     (at most FRAME_LINE_MAX bytes)
 *   - The marker "$S1" may be preceded by anything a logger adds (timestamps, "[ttyS0] "); the decoder
 *     takes the first "$S<digit>" on a line and the body up to the end of the line (trailing white
 *     space ignored). Log lines start with "salvage: " and never contain '$'.
 *   - base85: 4 body bytes, big-endian, become 5 digits, most significant first, over the alphabet
 *     FRAME_B85 (printable ASCII without  " $ % & ' < > \ `  so '$' never occurs inside a body and
 *     no shell, HTML or printf-style logger mangles it). A final group of k = 1..3 bytes is padded
 *     with zero bytes and only its first k+1 digits are sent; the decoder pads with the top digit
 *     and accepts only the digits the encoder would have sent (so every changed character shows).
 *   - body: type byte, fields (varint = unsigned LEB128, at most 10 bytes; u32 = 4 bytes little
 *     endian), then a CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init and xorout 0xFFFFFFFF)
 *     of every body byte before it, as u32. Bodies are at most FRAME_BODY_MAX (152) bytes, so
 *     lines at most 195 characters. FRAME_WINDOW = FRAME_SYNC = 4096 in version 1.
 *
 *   'H' header   varint seq (0), varint version (1), varint file size (0: not known at the start,
 *                the end frame says it), u32 session id
 *   'D' data     varint seq, varint file offset, varint length, then ops until the CRC;
 *                the ops decode to exactly `length` file bytes starting at `offset`
 *   'E' end      varint seq, varint file size, varint number of frames sent before this one,
 *                32-byte SHA-256 of the whole file
 * seq counts frames from 0 (the header) up by one per frame; a receiver uses it to spot lost and
 * duplicated frames, and the offsets to name the missing byte ranges.
 * Matches may reach back before their frame, but never before the FRAME_SYNC-aligned block holding
 * the frame's first file byte: a lost line loses its own range plus, at worst, the frames after it
 * that start in the same block (and one that starts in it and runs into the next).
 *
 * Ops (tag byte T, then its operands):
 *   T 0x00-0x7f  literal: T+1 bytes follow
 *   T 0x80-0xbf  match: n = (T & 0x3f) + 4, plus a varint when T & 0x3f == 0x3f; then varint
 *                distance d, 1 <= d <= FRAME_WINDOW, with the source (file offset of the next byte
 *                minus d) not below rounddown(frame offset, FRAME_SYNC): copy n bytes from d back
 *                (overlap allowed, byte by byte)
 *   T 0xc0-0xdf  zero run: n = (T & 0x1f) + 1, plus a varint when T & 0x1f == 0x1f
 *   T 0xe0-0xff  byte run: value byte, then n as for the zero run
 * A run may be any length, so a frame can carry gigabytes of zeros in a dozen characters.
 */
#ifndef DUMP_FRAME_H
#define DUMP_FRAME_H

#include "lib/lib.h"
#include "lib/sha256.h"

#define FRAME_VERSION 1
#define FRAME_MARK "$S1"		/* "$S" + FRAME_VERSION */
#define FRAME_MARK_LEN 3
#define FRAME_BODY_MAX 152		/* body bytes, CRC included */
#define FRAME_LINE_MAX (FRAME_MARK_LEN + FRAME_BODY_MAX / 4 * 5 + 2) /* with "\r\n": 195 */
#define FRAME_WINDOW 4096		/* farthest match distance */
#define FRAME_SYNC 4096			/* matches stay inside the aligned block of the frame start */
#define FRAME_HASH_BITS 12
#define FRAME_HASH_WAYS 4		/* match candidates tried per position */
#define FRAME_B85 "!#()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~"

_Static_assert(FRAME_BODY_MAX % 4 == 0, "body is whole base85 groups");
_Static_assert(FRAME_LINE_MAX < 200, "frame lines must stay short for loggers");

enum frame_type { FRAME_HEADER = 'H', FRAME_DATA = 'D', FRAME_END = 'E' };

/* Encoder flags. */
#define FRAME_RUNS 1	/* encode runs of one byte value as run ops */
#define FRAME_LZ 2	/* encode repeats within a frame as match ops */

/* Encoder state; large (hash table), so callers keep it static. */
struct frame_enc {
	uint32_t seq;			/* next frame's sequence number */
	int flags;			/* FRAME_RUNS | FRAME_LZ */
	uint32_t misses;		/* match searches that failed in a row */
	/* Low 32 bits of file offset + 1 of the last 4-byte strings per hash, newest first; 0 = none.
	 * Candidates are checked against the bytes at hand, so a stale one costs only time. */
	uint32_t hash[1u << FRAME_HASH_BITS][FRAME_HASH_WAYS];
};

void frame_enc_init(struct frame_enc *e, int flags);
/* Each writes one whole frame line ("\r\n"-terminated, no NUL) to line and returns its length. */
size_t frame_header(struct frame_enc *e, uint64_t size, uint32_t session, char line[FRAME_LINE_MAX]);
/* Encodes a prefix of buf (file bytes [off, off+len)), as much as one frame holds (at least one
 * byte when len > 0); *used says how many bytes it took. buf[-hist, 0) are the file bytes just
 * before off, which matches may use (0 when there are none at hand). */
size_t frame_data(struct frame_enc *e, uint64_t off, const uint8_t *buf, size_t len, size_t hist,
		  size_t *used, char line[FRAME_LINE_MAX]);
/* A frame saying file bytes [off, off+n) all equal value. */
size_t frame_run(struct frame_enc *e, uint64_t off, uint8_t value, uint64_t n, char line[FRAME_LINE_MAX]);
size_t frame_end(struct frame_enc *e, uint64_t size, const uint8_t digest[SHA256_DIGEST_SIZE],
		 char line[FRAME_LINE_MAX]);

/* A parsed, checked frame. */
struct frame {
	int type;			/* enum frame_type */
	uint32_t seq;
	uint32_t version;		/* H */
	uint64_t size;			/* H, E: file size */
	uint32_t session;		/* H */
	uint64_t off, len;		/* D: file range it covers */
	uint64_t back;			/* D: its matches read file bytes [off - back, off) */
	uint64_t frames;		/* E: frames sent before it */
	uint8_t digest[SHA256_DIGEST_SIZE]; /* E */
	uint8_t body[FRAME_BODY_MAX];
	size_t body_len;
	size_t ops, ops_end;		/* D: ops are body[ops, ops_end) */
};

/* The decoder's history for match ops: file byte x lives at b[x % FRAME_WINDOW]. Before
 * frame_expand it must hold the frame's bytes [off - back, off); decoding frames in file order
 * leaves them there. */
struct frame_window {
	uint8_t b[FRAME_WINDOW];
};

/* Where the frame marker ("$S" and a digit) starts in line[0, n), or NULL. */
const char *frame_find(const char *line, size_t n);
/* Decode and check the frame text s[0, n) starting at its marker (trailing white space allowed).
 * Returns 0, or -EINVAL with *why saying what was wrong (bad character, CRC mismatch, ...). Data
 * frames are fully checked here: frame_expand cannot fail on a frame this accepted. */
int frame_parse(const char *s, size_t n, struct frame *f, const char **why);
/* Output of a data frame, in file order: n bytes at file offset off, either data[0, n) or, when
 * data is NULL, n copies of fill. */
typedef void frame_sink(void *ctx, uint64_t off, const uint8_t *data, uint8_t fill, uint64_t n);
void frame_expand(const struct frame *f, struct frame_window *w, frame_sink *sink, void *ctx);

/* CRC-32 (IEEE) of buf, continuing from crc (start with 0). */
uint32_t frame_crc32(uint32_t crc, const void *buf, size_t len);

#endif
