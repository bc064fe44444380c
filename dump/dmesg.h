/* The crashed kernel's printk log, read from its memory through VMCOREINFO (Linux 5.10+'s lockless
 * ring buffer, or the 3.5-5.9 log_buf of struct printk_log records) and written as the text
 * `makedumpfile --dump-dmesg` writes: the last lines on the console before the dump, the whole log
 * as a side file beside it (TFTP: "<path>.dmesg"). The ring buffer is untrusted: every length,
 * index and id is checked, a doubtful record is skipped with one warning, and a pass stops after
 * DMESG_TIME_US; nothing here can stop the dump. */
#ifndef DUMP_DMESG_H
#define DUMP_DMESG_H

#include "dump/crash.h"
#include "dump/transport.h"

#define DMESG_TIME_US (2u * 1000u * 1000u)	/* one pass's reading of the log at most (time in put
						 * not counted) */
#define DMESG_CONSOLE_COLS 400		/* a longer log line is cut on the console (not in the file) */

/* Where a pass's text goes, piece by piece in order. A non-zero return stops the pass with it. */
typedef int (*dmesg_put_fn)(void *ctx, const char *buf, size_t len);

/* What one pass found. */
struct dmesg_stats {
	uint32_t records;	/* records written */
	uint32_t skipped;	/* records left out as doubtful */
	uint64_t bytes, lines;	/* text written, and its '\n's */
	bool lockless;		/* the 5.10+ ring buffer (else log_buf records) */
};

/* Write c's log through put: each record as makedumpfile 1.7.2 formats it ("[%5llu.%06lu] text",
 * a '\n' in the text continued on an indented line, other unprintable bytes as \x escapes),
 * oldest first. warn: log one warning for what was doubtful (the ring's description, or skipped
 * records, or the time bound), else stay silent. Returns 0 after a walk (st says what it gave),
 * -ENOENT when VMCOREINFO describes neither ring buffer, -EINVAL when its description or the
 * ring's header is unusable, or put's non-zero return. */
int dmesg_write(const struct crash *c, dmesg_put_fn put, void *ctx, bool warn, struct dmesg_stats *st);

/* Log the last n lines of c's log on the console ("dmesg: <line>"), after one line saying how
 * much there is. n = 0: nothing at all. Never fails. */
void dmesg_show(const struct crash *c, unsigned n);

/* The side file "<dump>.dmesg" of c's whole log for a transport that can write one, or NULL when
 * c's VMCOREINFO describes no log (struct storage is static: one crash at a time). */
const struct side_file *dmesg_side_file(const struct crash *c);

#endif
