/* Dump formats: in-order producers of one file from the crash description (dump/crash.h) into the
 * stream stage (dump/stream.h). Each registers itself with DUMP_FORMAT in a link-time table and is
 * chosen by dump.format= (lib/cmdline.h enum dump_format). A format knows nothing of transports.
 *   elf    the file Linux's /proc/vmcore shows (dump/elfcore.c); dump.level= leaves out runs of
 *          pages decided before the header, as makedumpfile -E does
 *   raw    physical memory from address 0 to the end of the highest PT_LOAD, holes and left-out
 *          pages as zeros (dump/raw.c)
 *   kdump  makedumpfile's kdump-compressed format as its flattened stream (dump/kdump.c) */
#ifndef DUMP_FORMAT_H
#define DUMP_FORMAT_H

#include "dump/crash.h"
#include "dump/filter.h"
#include "dump/stream.h"
#include "lib/cmdline.h"

/* One dump being made: the crash, the options, and the format's own state between prepare and
 * the produce of each target tried. */
struct format_job {
	struct crash *crash;
	unsigned level;			/* dump.level= (makedumpfile -d bits) */
	const struct config *cfg;	/* the rest of the command line (dump.compress=, ...) */
	struct filter *filter;		/* storage for the format's filter pass(es) */
	uint64_t size;			/* the file's size once prepared, or STREAM_SIZE_UNKNOWN */
	const struct side_file *side;	/* beside the dump where the transport can (the log), or NULL */
	void *priv;			/* the format's own state (static storage of its file) */
};

struct format {
	const char *name;		/* "elf", "raw", "kdump" */
	enum dump_format id;
	/* Once per dump, before any target: decide what must be known before the first byte (elf:
	 * the excluded runs and the header) and set job->size. Returns 0, or a negative error after
	 * a log line (the dump then falls back to the elf format). */
	int (*prepare)(struct format_job *job);
	/* Once per target tried: the whole file, in order, through stream_write (and stream_covered
	 * as memory is covered). Does not open or close s. Returns 0, or the first negative error
	 * (stream_write's, or the format's own after a log line). */
	int (*produce)(struct format_job *job, struct stream *s);
};

/* Place a format in the link-time table (linker.ld gathers .tbl.* sorted; dump/format.c). */
#define DUMP_FORMAT __attribute__((used, aligned(4), section(".tbl.formats.01")))

/* Where a format puts the bytes of its next stream_write: one format produces at a time. */
#define FORMAT_IO_SIZE (4 * 1024)
extern uint8_t format_io[FORMAT_IO_SIZE];

/* The state of the format whose file is being made: the elf format's layout (from prepare through
 * every target's produce, with its 60 KiB write buffer in the rest) or the kdump format's record
 * buffers (one produce). A dump uses one
 * format; when a prepare fails the elf format that follows starts afresh. Each format asserts that
 * its state fits. */
#define FORMAT_STATE_SIZE (180 * 1024)
extern uint8_t format_state[FORMAT_STATE_SIZE];

/* The format for id, or NULL when this build has none. */
const struct format *format_find(enum dump_format id);

/* Send job's file (prepared) to target t: open a stream, produce, close (or abort on an error).
 * Returns 0 when the receiver has it all, else a negative error after a log line. */
int format_send(const struct format *f, struct format_job *job, const struct dump_target *t);

#endif
