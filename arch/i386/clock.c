/* Time for salvage: the TSC, calibrated once against the PIT (channel 2, gated through port 0x61
 * as PCs have done since the AT), gives clock_us() and udelay(). */
#include "arch/cpu.h"
#include "arch/io.h"
#include "lib/clock.h"
#include "lib/log.h"

#define PIT_HZ 1193182u		/* PIT input clock */
#define PIT_PORT_CH2 0x42	/* channel 2 counter */
#define PIT_PORT_CMD 0x43	/* mode/command register */
#define PIT_CMD_CH2 0x80	/* select channel 2 */
#define PIT_CMD_LOHI 0x30	/* access: low byte then high byte */
#define PIT_CMD_MODE0 0x00	/* interrupt on terminal count: OUT goes high when done */
#define PORT_SYS_CTRL_B 0x61	/* system control port B */
#define SYS_CTRL_GATE2 0x01	/* PIT channel 2 gate */
#define SYS_CTRL_SPEAKER 0x02	/* speaker data enable (kept off) */
#define SYS_CTRL_OUT2 0x20	/* PIT channel 2 output, read-only */

#define CAL_MS 10u		/* calibration interval */
#define CAL_RUNS 5
#define CAL_TICKS (PIT_HZ * CAL_MS / 1000u)
#define CAL_FALLBACK_KHZ 1000000u /* assume 1 GHz if the PIT never answers */

static uint64_t tsc_at_boot;
static uint32_t tsc_khz;

/* Count TSC ticks over CAL_MS of PIT channel 2 counting down in mode 0. Returns 0 if OUT2 never
 * rose (no PIT): bounded by a loop count, never hangs. */
static uint64_t tsc_ticks_per_interval(void)
{
	uint64_t t0, t1;
	uint32_t spins = 0;
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);

	outb(PORT_SYS_CTRL_B, (ctrl & ~SYS_CTRL_SPEAKER) | SYS_CTRL_GATE2);
	outb(PIT_PORT_CMD, PIT_CMD_CH2 | PIT_CMD_LOHI | PIT_CMD_MODE0);
	outb(PIT_PORT_CH2, CAL_TICKS & 0xFF);
	outb(PIT_PORT_CH2, CAL_TICKS >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_OUT2))
		if (++spins > 50000000u)
			return 0;
	t1 = rdtsc();
	outb(PORT_SYS_CTRL_B, ctrl & ~(SYS_CTRL_SPEAKER | SYS_CTRL_GATE2));
	return t1 - t0;
}

/* Calibrate the TSC against the PIT, best of CAL_RUNS (a late look at OUT2 only adds ticks, so
 * the shortest run is the least disturbed), and start clock_us() at zero. Logs the frequency. */
void clock_init(void)
{
	uint64_t best = 0, t;
	int i;

	for (i = 0; i < CAL_RUNS; i++) {
		t = tsc_ticks_per_interval();
		if (t && (!best || t < best))
			best = t;
	}
	if (best / CAL_MS == 0 || best / CAL_MS > 0xFFFFFFFFull) {
		tsc_khz = CAL_FALLBACK_KHZ;
		log_warn("clock: PIT calibration failed; assuming a %u MHz TSC", tsc_khz / 1000);
	} else {
		tsc_khz = (uint32_t)(best / CAL_MS);
		log_info("clock: TSC at %u.%03u MHz", tsc_khz / 1000, tsc_khz % 1000);
	}
	tsc_at_boot = rdtsc();
}

/* n / d and n % d with two 32-bit divl instead of libgcc's 64-bit loop (lib/div64.c): clock_us
 * runs for every stream write and lwIP timer check, and __udivdi3 was 13% of an LZO dump's profile. */
static uint64_t div64_32(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, qlo, r = hi % d;

	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));	/* r < d: no overflow */
	*rem = r;
	return (uint64_t)qhi << 32 | qlo;
}

/* Microseconds since clock_init (0 before it). */
uint64_t clock_us(void)
{
	uint32_t r, r2;
	uint64_t q;

	if (!tsc_khz)
		return 0;
	q = div64_32(rdtsc() - tsc_at_boot, tsc_khz, &r);
	return q * 1000 + div64_32((uint64_t)r * 1000, tsc_khz, &r2);
}

/* Busy-wait at least us microseconds; calibrates the clock first if nobody has. */
void udelay(uint32_t us)
{
	uint64_t start;

	if (!tsc_khz)
		clock_init();
	start = clock_us();
	while (clock_us() - start < us)
		cpu_relax();
}
