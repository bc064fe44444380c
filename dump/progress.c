/* Console progress lines for dump transfers (dump/progress.h); time from clock_us(). */
#include "dump/progress.h"
#include "lib/clock.h"
#include "lib/log.h"

static struct {
	uint64_t total, start_us, last_us;
	const char *what;
} pr;

/* Remember the size and the start time; logs nothing. */
void progress_start(uint64_t total, const char *what)
{
	pr.total = total;
	pr.what = what ? what : "dump";
	pr.start_us = pr.last_us = clock_us();
}

/* Bytes per second over elapsed microseconds, 0 when no time has passed. */
static uint64_t rate_bps(uint64_t done, uint64_t elapsed_us)
{
	if (elapsed_us == 0)
		return 0;
	/* done * 1e6 overflows only past 16 TiB. */
	return done * 1000000u / elapsed_us;
}

/* Logs "<what>: P% (D of T MiB), R.RR MB/s, ETA XmYYs" when the last line is old enough. */
void progress_update(uint64_t done)
{
	uint64_t now = clock_us(), el, bps, pct;

	if (now - pr.last_us < PROGRESS_INTERVAL_US)
		return;
	pr.last_us = now;
	el = now - pr.start_us;
	bps = rate_bps(done, el);
	pct = pr.total ? done * 100 / pr.total : 100;
	if (bps) {
		uint64_t eta = (pr.total > done ? pr.total - done : 0) / bps;

		log_info("%s: %llu%% (%llu.%llu of %llu.%llu MiB), %llu.%02llu MB/s, ETA %llum%02llus", pr.what,
			 (unsigned long long)pct, (unsigned long long)(done >> 20),
			 (unsigned long long)(((done & 0xfffff) * 10) >> 20), (unsigned long long)(pr.total >> 20),
			 (unsigned long long)(((pr.total & 0xfffff) * 10) >> 20), (unsigned long long)(bps / 1000000),
			 (unsigned long long)(bps / 10000 % 100), (unsigned long long)(eta / 60),
			 (unsigned long long)(eta % 60));
	} else {
		log_info("%s: %llu%% (%llu of %llu MiB)", pr.what, (unsigned long long)pct,
			 (unsigned long long)(done >> 20), (unsigned long long)(pr.total >> 20));
	}
}

/* The summary line; the digest (when given) is the receiver's check on the whole file. */
void progress_end(uint64_t done, const uint8_t digest[SHA256_DIGEST_SIZE])
{
	uint64_t el = clock_us() - pr.start_us, bps = rate_bps(done, el);
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	if (digest)
		sha256_hex(digest, hex);
	log_info("%s: sent %llu bytes in %llu.%01llu s (%llu.%02llu MB/s)%s%s", pr.what,
		 (unsigned long long)done, (unsigned long long)(el / 1000000),
		 (unsigned long long)(el / 100000 % 10), (unsigned long long)(bps / 1000000),
		 (unsigned long long)(bps / 10000 % 100), digest ? ", sha256 " : "", digest ? hex : "");
}
