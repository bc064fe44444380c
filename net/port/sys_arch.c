/* lwIP's NO_SYS system hooks for salvage: the millisecond clock behind lwIP's timers and a cheap
 * random source. Built for the kernel and for host unit tests (which supply a fake clock_us). */
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lib/clock.h"

/* Milliseconds since boot from clock_us(); wraps after 49 days like lwIP expects. */
u32_t sys_now(void)
{
	return (u32_t)(clock_us() / 1000u);
}

/* A xorshift generator seeded from the clock on first use: DHCP transaction ids and ephemeral UDP
 * ports only need to differ between boots, not to be secret. Never returns the same value twice in
 * a row. */
uint32_t lwip_port_rand(void)
{
	static uint32_t state;

	if (state == 0)
		state = (uint32_t)clock_us() ^ (uint32_t)(clock_us() >> 32) ^ 0x9e3779b9u;
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	if (state == 0)
		state = 0x9e3779b9u;
	return state;
}
