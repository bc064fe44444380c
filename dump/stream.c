/* The stream stage (dump/stream.h): between a format and a transport, the one place that counts,
 * digests and shows the progress of the bytes the receiver stores. Also the transport table. */
#include "dump/stream.h"
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

/* See stream.h. */
int stream_open(struct stream *s, const struct transport *ops, const struct dump_target *t,
		const struct config *cfg, const struct transport_info *info)
{
	s->bytes = 0;
	s->size = info->size;
	s->mem_done = s->mem_total = 0;
	s->rc = 0;
	s->conn.ops = ops;
	s->conn.priv = NULL;
	if (!ops) {
		log_err("dump: no transport for target kind %d in this build", t->kind);
		return s->rc = -ENODEV;
	}
	sha256_init(&s->sha);
	if ((s->rc = ops->open(&s->conn, t, cfg, info)) != 0)
		return s->rc;
	progress_start(&s->progress, info->size == STREAM_SIZE_UNKNOWN ? 0 : info->size, ops->name);
	return 0;
}

/* See stream.h. The bytes go to the transport first and are digested after: the digest (most of
 * the CPU time under emulation, bench/results.md) then overlaps the receiver's work. */
int stream_write(struct stream *s, const void *buf, size_t len)
{
	if (s->rc != 0)
		return s->rc;
	if (s->size != STREAM_SIZE_UNKNOWN && (s->bytes > s->size || len > s->size - s->bytes)) {
		log_err("%s: the file grows past its announced %llu bytes", s->conn.ops->name,
			(unsigned long long)s->size);
		return s->rc = -EINVAL;
	}
	if ((s->rc = s->conn.ops->write(&s->conn, buf, len)) != 0)
		return s->rc;
	sha256_update(&s->sha, buf, len);
	s->bytes += len;
	progress_update(&s->progress, s->bytes, s->mem_done, s->mem_total);
	return 0;
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

	if (s->rc != 0) {
		stream_abort(s, s->rc);
		return s->rc;
	}
	if (s->size != STREAM_SIZE_UNKNOWN && s->bytes != s->size) {
		log_err("%s: the file ended after %llu of its announced %llu bytes", ops->name,
			(unsigned long long)s->bytes, (unsigned long long)s->size);
		stream_abort(s, -EINVAL);
		return -EINVAL;
	}
	sha256_final(&s->sha, s->digest);
	if ((s->rc = ops->close(&s->conn, s->bytes, s->digest)) != 0)
		return s->rc;
	progress_end(&s->progress, s->bytes, s->digest);
	return 0;
}

/* See stream.h. */
void stream_abort(struct stream *s, int rc)
{
	if (s->conn.ops && s->conn.ops->abort)
		s->conn.ops->abort(&s->conn, rc);
	s->conn.ops = NULL;
	if (s->rc == 0)
		s->rc = rc;
}
