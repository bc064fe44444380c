/* Progress lines: nothing before PROGRESS_INTERVAL_US, then percent, MiB, MB/s and ETA from the
 * fake clock; the summary line with bytes, seconds, rate and digest. */
/* unit-sources: dump/progress.c lib/sha256.c */
#include <string.h>

#include "dump/progress.h"
#include "ok.h"
#include "shim.h"

int main(void)
{
	static struct progress p;
	uint8_t dg[32];

	log_reset();
	fake_now_us = 5000000;
	progress_start(&p, 100u << 20, "serial");
	fake_now_us += 1000000;
	progress_update(&p, 10u << 20, 0, 0);
	ok(log_buf[0] == 0, "no line within the first 2 s: '%s'", log_buf);
	fake_now_us += 1500000;
	progress_update(&p, 25u << 20, 0, 0);
	/* 26214400 bytes in 2.5 s = 10.48 MB/s; 78643200 left / 10485760 B/s = 7.5 s */
	ok(log_has("serial: 25% (25.0 of 100.0 MiB), 10.48 MB/s, ETA 0m07s"), "progress line: %s", log_buf);
	log_reset();
	fake_now_us += 1000000;
	progress_update(&p, 30u << 20, 0, 0);
	ok(log_buf[0] == 0, "next line waits another 2 s");
	fake_now_us += 1000000;
	progress_update(&p, 45u << 20, 0, 0);
	ok(log_has("serial: 45% (45.0 of 100.0 MiB)") && log_has("ETA 0m05s"), "second line: %s", log_buf);
	log_reset();
	fake_now_us += 3000000;
	sha256("abc", 3, dg);
	progress_end(&p, 100u << 20, dg);
	ok(log_has("serial: sent 104857600 bytes in 7.5 s (13.98 MB/s), sha256 "
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "summary line: %s", log_buf);

	/* A transfer with no time passed and no size does not divide by zero. */
	log_reset();
	progress_start(&p, 0, "tftp");
	progress_end(&p, 0, NULL);
	ok(log_has("tftp: sent 0 bytes in 0.0 s (0.00 MB/s)"), "empty transfer: %s", log_buf);
	return ok_done();
}
