/* Progress lines for a transfer on the console: percent, MB/s and ETA at most every
 * PROGRESS_INTERVAL_US (against the file's size when known, else against the crash's memory
 * covered), then one summary line with bytes, seconds, rate and the SHA-256. The stream stage
 * (dump/stream.c) keeps one struct progress per stream. */
#ifndef DUMP_PROGRESS_H
#define DUMP_PROGRESS_H

#include "lib/lib.h"
#include "lib/sha256.h"

#define PROGRESS_INTERVAL_US 2000000u

struct progress {
	uint64_t total, start_us, last_us;
	const char *what;
};

/* Start timing a transfer of total bytes (0 when unknown); what names it in every line ("serial",
 * "tftp"). Logs nothing. */
void progress_start(struct progress *p, uint64_t total, const char *what);
/* done bytes are through; logs a line when the last one is PROGRESS_INTERVAL_US old. When the
 * total is unknown, mem_done of mem_total bytes of memory covered give the percent and ETA
 * (mem_total 0: bytes and rate only). */
void progress_update(struct progress *p, uint64_t done, uint64_t mem_done, uint64_t mem_total);
/* Summary line: "<what>: sent N bytes in S.s s (R MB/s), sha256 <hex>"; digest may be NULL. */
void progress_end(struct progress *p, uint64_t done, const uint8_t digest[SHA256_DIGEST_SIZE]);

#endif
