/* The format table (dump/format.h) and sending one prepared file through the stream stage. */
#include "dump/format.h"
#include "lib/log.h"

/* The table's bounds: empty entries in the first and last sorted sections of linker.ld's
 * KEEP(*(SORT(.tbl.*))). */
struct format formats_start[0] __attribute__((used, aligned(4), section(".tbl.formats.00")));
struct format formats_end[0] __attribute__((used, aligned(4), section(".tbl.formats.99")));

uint8_t format_io[FORMAT_IO_SIZE] __attribute__((aligned(64)));
uint8_t format_state[FORMAT_STATE_SIZE] __attribute__((aligned(64)));

/* See format.h. */
const struct format *format_find(enum dump_format id)
{
	for (const struct format *f = formats_start; f < formats_end; f++)
		if (f->id == id)
			return f;
	return NULL;
}

/* See format.h. */
int format_send(const struct format *f, struct format_job *job, const struct dump_target *t)
{
	static struct stream s;
	struct transport_info info = { .size = job->size, .crashtime = job->crash->crashtime, .format = f->name,
					.side = job->side };
	const struct transport *ops = transport_find(t->kind);
	int rc;

	if (!ops) {
		log_err("dump: this build has no transport for target kind %d", t->kind);
		return -ENODEV;
	}
	if ((rc = stream_open(&s, ops, t, job->cfg, &info)) != 0)
		return rc;
	if ((rc = f->produce(job, &s)) != 0) {
		log_err("%s: the %s file stopped after %llu bytes (%d)", ops->name, f->name,
			(unsigned long long)s.bytes, rc);
		stream_abort(&s, rc);
		return rc;
	}
	return stream_close(&s);
}
