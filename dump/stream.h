/* The stream stage between a format and a transport: everything a format produces passes through
 * stream_write once, in file order. It owns the encryption to dump.encrypt= recipients (an age
 * file, dump/encrypt.h), the SHA-256 of exactly the bytes the receiver stores (the ciphertext when
 * encrypting; computed here and nowhere else), the byte count and the progress line. One stream at
 * a time; the caller keeps struct stream (static storage is fine). */
#ifndef DUMP_STREAM_H
#define DUMP_STREAM_H

#include "crypto/age.h"
#include "dump/progress.h"
#include "dump/transport.h"
#include "lib/lib.h"
#include "lib/sha256.h"

#define STREAM_SIZE_UNKNOWN (~0ull)	/* a file whose size is known only at its end */

struct stream {
	struct transport_conn conn;	/* the transport's open connection */
	struct sha256 sha;		/* of every byte sent so far */
	uint64_t bytes;			/* bytes sent so far (what the receiver stores) */
	uint64_t size;			/* their total as announced, or STREAM_SIZE_UNKNOWN */
	uint64_t in_bytes, in_size;	/* the format's bytes so far and its file's size (the plaintext) */
	const struct stream_cipher *enc; /* encrypting (dump/encrypt.h), else NULL */
	struct age_writer age;		/* the age file, when encrypting */
	uint64_t mem_done, mem_total;	/* memory covered (stream_covered), for progress */
	struct progress progress;
	uint64_t us_transport, us_digest, us_cipher; /* time spent in each, for the closing line */
	int rc;				/* the first error; every later write returns it */
	uint8_t digest[SHA256_DIGEST_SIZE]; /* after stream_close */
};

/* Open a stream of a file (info: its size, or STREAM_SIZE_UNKNOWN; the crash time for the name)
 * to target t through transport ops (transport_find(t->kind)); with dump.encrypt= words in cfg the
 * receiver gets the age file of it, whose size is announced when info's is known. Returns 0, or a
 * negative error after a log line: the transport's, or encryption's (a malformed recipient, no
 * randomness), which comes before the transport is opened: nothing is sent then. */
int stream_open(struct stream *s, const struct transport *ops, const struct dump_target *t,
		const struct config *cfg, const struct transport_info *info);

/* The next len bytes of the file (the plaintext when encrypting). Returns 0, or a negative error
 * (the transport failed, or the file grew past its announced size) after a log line: the format
 * stops producing then. */
int stream_write(struct stream *s, const void *buf, size_t len);

/* Progress when the file's size says little (compressed, unknown): done of total bytes of the
 * crash's memory are covered so far. Formats may call it as they go; never required. */
void stream_covered(struct stream *s, uint64_t done, uint64_t total);

/* End the file: the digest goes to the transport (the receiver's check), then the summary line.
 * Returns 0 when the receiver has the whole file, else a negative error after a log line. A file
 * shorter than its announced size is an error. */
int stream_close(struct stream *s);

/* Give up on the file after a format's error rc: the transport tells the receiver when it can. */
void stream_abort(struct stream *s, int rc);

#endif
