/* Console progress lines for dump transfers (dump/progress.h); time from clock_us(). */
#include "dump/progress.h"
#include "lib/clock.h"
#include "lib/log.h"

/* Remember the size and the start time; logs nothing. */
void progress_start(struct progress *p, uint64_t total, const char *what)
{
	p->total = total;
	p->what = what ? what : "dump";
	p->start_us = p->last_us = clock_us();
}

/* Bytes per second over elapsed microseconds, 0 when no time has passed. */
static uint64_t rate_bps(uint64_t done, uint64_t elapsed_us)
{
	if (elapsed_us == 0)
		return 0;
	/* done * 1e6 overflows only past 16 TiB. */
	return done * 1000000u / elapsed_us;
}

/* Whole and tenths of MiB, for "%llu.%llu". */
#define MIB(x) (unsigned long long)((x) >> 20), (unsigned long long)((((x) & 0xfffff) * 10) >> 20)

/* Logs "<what>: P% (D of T MiB), R.RR MB/s, ETA XmYYs" when the last line is old enough; with an
 * unknown total "<what>: D MiB sent, P% of M MiB of memory covered, R.RR MB/s, ETA XmYYs". */
void progress_update(struct progress *p, uint64_t done, uint64_t mem_done, uint64_t mem_total)
{
	uint64_t now = clock_us(), el, bps, pct, eta = 0;

	if (now - p->last_us < PROGRESS_INTERVAL_US)
		return;
	p->last_us = now;
	el = now - p->start_us;
	bps = rate_bps(done, el);
	if (p->total == 0) {
		/* the file's size is not known: how much of memory is covered says how far it got */
		uint64_t mbps = rate_bps(mem_done, el);

		pct = mem_total ? mem_done * 100 / mem_total : 0;
		if (mbps && mem_total > mem_done)
			eta = (mem_total - mem_done) / mbps;
		log_info("%s: %llu.%llu MiB sent, %llu%% of %llu.%llu MiB of memory covered, %llu.%02llu MB/s, "
			 "ETA %llum%02llus", p->what, MIB(done), (unsigned long long)pct, MIB(mem_total),
			 (unsigned long long)(bps / 1000000), (unsigned long long)(bps / 10000 % 100),
			 (unsigned long long)(eta / 60), (unsigned long long)(eta % 60));
		return;
	}
	pct = done * 100 / p->total;
	if (bps) {
		eta = (p->total > done ? p->total - done : 0) / bps;
		log_info("%s: %llu%% (%llu.%llu of %llu.%llu MiB), %llu.%02llu MB/s, ETA %llum%02llus", p->what,
			 (unsigned long long)pct, MIB(done), MIB(p->total), (unsigned long long)(bps / 1000000),
			 (unsigned long long)(bps / 10000 % 100), (unsigned long long)(eta / 60),
			 (unsigned long long)(eta % 60));
	} else {
		log_info("%s: %llu%% (%llu of %llu MiB)", p->what, (unsigned long long)pct,
			 (unsigned long long)(done >> 20), (unsigned long long)(p->total >> 20));
	}
}

/* The summary line; the digest (when given) is the receiver's check on the whole file. */
void progress_end(struct progress *p, uint64_t done, const uint8_t digest[SHA256_DIGEST_SIZE])
{
	uint64_t el = clock_us() - p->start_us, bps = rate_bps(done, el);
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	if (digest)
		sha256_hex(digest, hex);
	log_info("%s: sent %llu bytes in %llu.%01llu s (%llu.%02llu MB/s)%s%s", p->what,
		 (unsigned long long)done, (unsigned long long)(el / 1000000),
		 (unsigned long long)(el / 100000 % 10), (unsigned long long)(bps / 1000000),
		 (unsigned long long)(bps / 10000 % 100), digest ? ", sha256 " : "", digest ? hex : "");
}
