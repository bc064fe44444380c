/* Internal to net/: the lwIP netif over the NIC in use (net/netif.c), used by
 * net/ipconfig.c. The public interface is net/net.h. */
#ifndef NET_ETHIF_H
#define NET_ETHIF_H

#include "lwip/netif.h"

/* Scan PCI, probe the first NIC a driver accepts (resetting it) and add it to lwIP (lwip_init must
 * have run) as the default, up netif with no address yet (after ethif_stop: the same netif, up
 * again). With want_mac (salvage.nic=), the NIC with that MAC instead: the others that start are
 * stopped, and when none has it the first that started is used, with a warning. Logs the NIC line.
 * Returns 0 and the netif in *out, or -ENODEV when no NIC worked. */
int ethif_up(const uint8_t *want_mac, struct netif **out);

/* Stop the NIC in use (its driver's stop: no more DMA) and take the netif down; a later ethif_up
 * probes afresh. Harmless when no NIC runs. */
void ethif_stop(void);

/* The MAC of the NIC in use; NULL before ethif_up succeeded. */
const uint8_t *ethif_mac(void);

#endif
