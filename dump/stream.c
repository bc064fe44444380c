/* The stream stage (dump/stream.h): between a format and a transport, the one place that encrypts,
 * counts, digests and shows the progress of the bytes the receiver stores. Also the transport table. */
#include "dump/encrypt.h"
#include "dump/stream.h"
#include "lib/clock.h"
#include "lib/log.h"

/* The table's bounds: empty entries in the first and last sorted sections of linker.ld's
 * KEEP(*(SORT(.tbl.*))). */
struct transport transports_start[0] __attribute__((used, aligned(4), section(".tbl.transports.00")));
struct transport transports_end[0] __attribute__((used, aligned(4), section(".tbl.transports.99")));

uint8_t transport_scratch[TRANSPORT_SCRATCH_SIZE] __attribute__((aligned(64)));

/* See transport.h. */
const struct transport *transport_find(enum target_kind kind)
{
	for (const struct transport *t = transports_start; t < transports_end; t++)
		if (t->kind == kind)
			return t;
	return NULL;
}

static int stream_send(void *ctx, const void *buf, size_t len);

/* dump/encrypt.c's; weak so that unit tests of the formats and transports link without the
 * crypto: there an encrypted target is refused, as in a build that could not encrypt. */
extern const struct stream_cipher stream_age __attribute__((weak));

/* See stream.h. */
int stream_open(struct stream *s, const struct transport *ops, const struct dump_target *t,
		const struct config *cfg, const struct transport_info *info)
{
	struct transport_info sent = *info;

	s->bytes = 0;
	s->size = info->size;
	s->in_bytes = 0;
	s->in_size = info->size;
	s->enc = NULL;
	s->mem_done = s->mem_total = 0;
	s->us_transport = s->us_digest = s->us_cipher = 0;
	s->rc = 0;
	s->conn.ops = ops;
	s->conn.priv = NULL;
	if (!ops) {
		log_err("dump: no transport for target kind %d in this build", t->kind);
		return s->rc = -ENODEV;
	}
	/* Everything encryption needs is ready before the transport opens: a target it refuses
	 * receives nothing at all. */
	if (encrypt_wanted(cfg)) {
		if (!&stream_age) {
			log_err("%s: dump.encrypt= given but this build cannot encrypt; target skipped", ops->name);
			return s->rc = -ENODEV;
		}
		if ((s->rc = stream_age.begin(&s->age, cfg, info->size, &s->size, stream_send, s, ops->name)) != 0)
			return s->rc;
		s->enc = &stream_age;
		sent.size = s->size;
		sent.side = NULL;	/* the crashed kernel's log would go beside it in clear */
	}
	sha256_init(&s->sha);
	if ((s->rc = ops->open(&s->conn, t, cfg, &sent)) != 0) {
		if (s->enc)
			s->enc->abandon(&s->age);
		return s->rc;
	}
	progress_start(&s->progress, s->size == STREAM_SIZE_UNKNOWN ? 0 : s->size, ops->name);
	return 0;
}

/* The next len bytes the receiver stores, to the transport. The bytes go to the transport first
 * and are digested after: the digest (most of the CPU time under emulation, bench/results.md)
 * then overlaps the receiver's work. An age_out_fn (crypto/age.h) when encrypting. */
static int stream_send(void *ctx, const void *buf, size_t len)
{
	struct stream *s = ctx;
	uint64_t t0, t1;

	if (s->size != STREAM_SIZE_UNKNOWN && (s->bytes > s->size || len > s->size - s->bytes)) {
		log_err("%s: the file grows past its announced %llu bytes", s->conn.ops->name,
			(unsigned long long)s->size);
		return s->rc = -EINVAL;
	}
	t0 = clock_us();
	if ((s->rc = s->conn.ops->write(&s->conn, buf, len)) != 0)
		return s->rc;
	t1 = clock_us();
	sha256_update(&s->sha, buf, len);
	s->us_transport += t1 - t0;
	s->us_digest += clock_us() - t1;
	s->bytes += len;
	progress_update(&s->progress, s->bytes, s->mem_done, s->mem_total);
	return 0;
}

/* Encrypt len bytes at buf (NULL: end the file), the cipher's own time counted apart from the
 * sending it calls. */
static int cipher_call(struct stream *s, const void *buf, size_t len)
{
	uint64_t t0 = clock_us(), sent = s->us_transport + s->us_digest;
	int rc = buf ? s->enc->write(&s->age, buf, len) : s->enc->end(&s->age);

	s->us_cipher += clock_us() - t0 - (s->us_transport + s->us_digest - sent);
	return rc;
}

/* See stream.h. */
int stream_write(struct stream *s, const void *buf, size_t len)
{
	if (s->rc != 0)
		return s->rc;
	if (s->in_size != STREAM_SIZE_UNKNOWN && (s->in_bytes > s->in_size || len > s->in_size - s->in_bytes)) {
		log_err("%s: the file grows past its announced %llu bytes", s->conn.ops->name,
			(unsigned long long)s->in_size);
		return s->rc = -EINVAL;
	}
	s->in_bytes += len;
	if (s->enc)
		return s->rc = cipher_call(s, buf, len);
	return stream_send(s, buf, len);
}

/* See stream.h. */
void stream_covered(struct stream *s, uint64_t done, uint64_t total)
{
	s->mem_done = done;
	s->mem_total = total;
}

/* See stream.h. */
int stream_close(struct stream *s)
{
	const struct transport *ops = s->conn.ops;
	uint64_t total, parts;

	if (s->rc != 0) {
		stream_abort(s, s->rc);
		return s->rc;
	}
	if (s->in_size != STREAM_SIZE_UNKNOWN && s->in_bytes != s->in_size) {
		log_err("%s: the file ended after %llu of its announced %llu bytes", ops->name,
			(unsigned long long)s->in_bytes, (unsigned long long)s->in_size);
		stream_abort(s, -EINVAL);
		return -EINVAL;
	}
	/* The last chunk of an age file; its size was exact by construction. */
	if (s->enc && (s->rc = cipher_call(s, NULL, 0)) != 0) {
		s->enc = NULL;
		stream_abort(s, s->rc);
		return s->rc;
	}
	s->enc = NULL;
	if (s->size != STREAM_SIZE_UNKNOWN && s->bytes != s->size) {
		log_err("%s: sent %llu of the announced %llu bytes", ops->name, (unsigned long long)s->bytes,
			(unsigned long long)s->size);
		stream_abort(s, -EINVAL);
		return -EINVAL;
	}
	sha256_final(&s->sha, s->digest);
	if ((s->rc = ops->close(&s->conn, s->bytes, s->digest)) != 0)
		return s->rc;
	progress_end(&s->progress, s->bytes, s->digest);
	/* Where that time went: the first thing to look at when a dump is slower than it should be. */
	total = clock_us() - s->progress.start_us;
	parts = s->us_transport + s->us_digest + s->us_cipher;
	log_info("%s: time: transport %llu ms, sha256 %llu ms, encryption %llu ms, reading and formatting %llu ms",
		 ops->name, (unsigned long long)(s->us_transport / 1000), (unsigned long long)(s->us_digest / 1000),
		 (unsigned long long)(s->us_cipher / 1000), (unsigned long long)((total - MIN(total, parts)) / 1000));
	return 0;
}

/* See stream.h. */
void stream_abort(struct stream *s, int rc)
{
	if (s->enc)
		s->enc->abandon(&s->age);	/* the keys and any plaintext held */
	s->enc = NULL;
	if (s->conn.ops && s->conn.ops->abort)
		s->conn.ops->abort(&s->conn, rc);
	s->conn.ops = NULL;
	if (s->rc == 0)
		s->rc = rc;
}
