/* Progress lines for a transfer on the console: percent, MB/s and ETA at most every
 * PROGRESS_INTERVAL_US, then one summary line with bytes, seconds, rate and the SHA-256.
 * One transfer at a time (serial or TFTP); the state is static. */
#ifndef DUMP_PROGRESS_H
#define DUMP_PROGRESS_H

#include "lib/lib.h"
#include "lib/sha256.h"

#define PROGRESS_INTERVAL_US 2000000u

/* Start timing a transfer of total bytes; what names it in every line ("serial", "tftp"). */
void progress_start(uint64_t total, const char *what);
/* done bytes are through; logs a line when the last one is PROGRESS_INTERVAL_US old. */
void progress_update(uint64_t done);
/* Summary line: "<what>: sent N bytes in S.s s (R MB/s), sha256 <hex>"; digest may be NULL. */
void progress_end(uint64_t done, const uint8_t digest[SHA256_DIGEST_SIZE]);

#endif
