/* salvage's network entry points: bring up a NIC (salvage.nic='s, else the first that works) under
 * lwIP (NO_SYS=1, polled) and configure IPv4, then keep it serviced. The TFTP client (net/tftp.c)
 * uses lwIP's raw UDP API on top. */
#ifndef NET_NET_H
#define NET_NET_H

#include "lib/cmdline.h"
#include "lib/lib.h"

/* Probe PCI, reset and bring up the NIC salvage.nic= names (else the first a driver accepts), start
 * lwIP, then configure IPv4: static from cfg's ip= when cfg->ip_dhcp is false, else DHCP with a bounded wait (NET_DHCP_WAIT_US).
 * Copies the NIC's MAC into mac (may be NULL). Logs one line naming the NIC and one with the address.
 * Idempotent: later calls return the first call's result without touching the hardware again.
 * Returns 0 when an address is configured; -ENODEV (no usable NIC), -ETIMEDOUT (no DHCP lease),
 * -EIO (device failed), -EINVAL (bad static config). */
int net_up(const struct config *cfg, uint8_t mac[6]);

/* Start sending the frames lwIP queued since the last call (drivers batch them: one doorbell),
 * drain the NIC's receive ring into lwIP and run lwIP's due timers (ARP, DHCP, IP reassembly).
 * Never blocks; call it in every wait loop, and once after the last send. Harmless before net_up
 * or after it failed. */
void net_poll(void);

/* Stop the NIC (its driver's stop: receive and transmit off, reset, bus mastering off: no DMA
 * after it) and take the interface down. Called when a dump target failed, before the next one,
 * and before salvage reboots or halts. A later net_up brings a NIC up afresh. Harmless when the
 * network never came up. */
void net_stop(void);

/* The MAC of the NIC in use (for %m), or NULL before net_up succeeded. */
const uint8_t *net_mac(void);

/* Our IPv4 address and gateway in host byte order (0 before net_up succeeded). */
uint32_t net_ip(void);
uint32_t net_gw(void);

/* How long DHCP may take before net_up gives up. */
#define NET_DHCP_WAIT_US (10u * 1000u * 1000u)

#endif
