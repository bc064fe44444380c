/* IPv4 configuration for salvage's one interface: DHCP by default with a bounded wait, or the
 * static address of Linux-style ip=; implements net_up and the address getters of net/net.h. */
#include "lib/clock.h"
#include "lib/log.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "net/ethif.h"
#include "net/net.h"

/* How long to wait for the first hop to answer ARP: QEMU's e1000 holds received frames for 1 s
 * after the receive-control write, so 1 s raced with the answer. */
#define ARP_WAIT_US 3000000u

static int up_rc = 1;		/* 1: net_up not called yet (or net_stop since); else its result */
static bool lwip_started;	/* lwip_init runs once: the netif and pools outlive a net_stop */
static struct netif *nif;

#define IP_ARGS(a) (unsigned)((a) >> 24), (unsigned)(((a) >> 16) & 0xff), \
	(unsigned)(((a) >> 8) & 0xff), (unsigned)((a) & 0xff)

static uint32_t host_order(const ip4_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(a));
}

static void set_addr(ip4_addr_t *a, uint32_t host)
{
	ip4_addr_set_u32(a, lwip_htonl(host));
}

/* A netmask is contiguous ones from the top. */
static bool mask_ok(uint32_t m)
{
	return m != 0 && ((~m + 1u) & ~m) == 0;
}

/* Apply the static ip=: client address (required), netmask (default from the address class, as
 * Linux's ipconfig does), gateway (optional). Returns 0 or -EINVAL. */
static int configure_static(const struct config *cfg)
{
	uint32_t ip = cfg->ip_client, mask = cfg->ip_netmask, gw = cfg->ip_gw;
	ip4_addr_t a, m, g;

	if (ip == 0 || (ip >> 24) == 0 || (ip >> 24) == 127 || (ip >> 28) >= 0xe) {
		log_err("net: ip=: client address %u.%u.%u.%u is not a usable unicast address", IP_ARGS(ip));
		return -EINVAL;
	}
	if (mask == 0) {
		mask = (ip >> 31) == 0 ? 0xff000000u : (ip >> 30) == 2 ? 0xffff0000u : 0xffffff00u;
	} else if (!mask_ok(mask)) {
		log_err("net: ip=: netmask %u.%u.%u.%u is not contiguous", IP_ARGS(mask));
		return -EINVAL;
	}
	if (gw != 0 && (gw & mask) != (ip & mask)) {
		log_warn("net: ip=: gateway %u.%u.%u.%u is outside %u.%u.%u.%u/%u.%u.%u.%u; ignoring it",
			 IP_ARGS(gw), IP_ARGS(ip), IP_ARGS(mask));
		gw = 0;
	}
	set_addr(&a, ip);
	set_addr(&m, mask);
	set_addr(&g, gw);
	netif_set_addr(nif, &a, &m, &g);
	log_info("net: static address %u.%u.%u.%u/%u.%u.%u.%u gateway %u.%u.%u.%u", IP_ARGS(ip),
		 IP_ARGS(mask), IP_ARGS(gw));
	return 0;
}

/* Run DHCP until lwIP has bound a lease or NET_DHCP_WAIT_US passed. Returns 0 or -ETIMEDOUT. */
static int configure_dhcp(void)
{
	uint64_t t0 = clock_us(), waited;
	err_t err;

	if ((err = dhcp_start(nif)) != ERR_OK) {
		log_err("net: DHCP could not start (lwIP error %d)", err);
		return -ENOMEM;
	}
	while (!dhcp_supplied_address(nif)) {
		if (clock_us() - t0 > NET_DHCP_WAIT_US) {
			const uint8_t *mac = ethif_mac();

			dhcp_stop(nif);
			log_err("net: no DHCP lease after %u s for MAC %02x:%02x:%02x:%02x:%02x:%02x; is a "
				"DHCP server on this network? (ip=<client>::<gateway>:<netmask> sets a static "
				"address)", NET_DHCP_WAIT_US / 1000000u, mac[0], mac[1], mac[2], mac[3],
				mac[4], mac[5]);
			return -ETIMEDOUT;
		}
		net_poll();
	}
	waited = clock_us() - t0;
	log_info("net: DHCP lease %u.%u.%u.%u/%u.%u.%u.%u gateway %u.%u.%u.%u from %u.%u.%u.%u in %u ms",
		 IP_ARGS(host_order(netif_ip4_addr(nif))), IP_ARGS(host_order(netif_ip4_netmask(nif))),
		 IP_ARGS(host_order(netif_ip4_gw(nif))),
		 IP_ARGS(host_order(ip_2_ip4(&netif_dhcp_data(nif)->server_ip_addr))),
		 (unsigned)(waited / 1000u));
	return 0;
}

/* The address the first packets will go to at the link layer: the gateway, else the first TFTP
 * target (on-link). 0 when there is neither. */
static uint32_t first_hop(const struct config *cfg)
{
	uint32_t gw = host_order(netif_ip4_gw(nif));

	if (gw != 0)
		return gw;
	for (int i = 0; i < cfg->ntargets; i++)
		if (cfg->targets[i].kind == TARGET_TFTP)
			return cfg->targets[i].tftp_ip;
	return 0;
}

/* Resolve the first hop by ARP now, so the first (fragmented) TFTP block goes straight out, and
 * to show on the console that the network answers. Not fatal: lwIP resolves again when sending. */
static void resolve_first_hop(const struct config *cfg)
{
	uint32_t hop = first_hop(cfg);
	uint64_t t0 = clock_us();
	struct eth_addr *eth;
	const ip4_addr_t *ipret;
	ip4_addr_t a;

	if (hop == 0)
		return;
	set_addr(&a, hop);
	if (!ip4_addr_netcmp(&a, netif_ip4_addr(nif), netif_ip4_netmask(nif)))
		return;
	etharp_request(nif, &a);
	while (etharp_find_addr(nif, &a, &eth, &ipret) < 0) {
		if (clock_us() - t0 > ARP_WAIT_US) {
			log_warn("net: %u.%u.%u.%u does not answer ARP", IP_ARGS(hop));
			return;
		}
		net_poll();
	}
	log_info("net: %u.%u.%u.%u is at %02x:%02x:%02x:%02x:%02x:%02x (ARP, %u ms)", IP_ARGS(hop),
		 eth->addr[0], eth->addr[1], eth->addr[2], eth->addr[3], eth->addr[4], eth->addr[5],
		 (unsigned)((clock_us() - t0) / 1000u));
}

/* See net/net.h. */
int net_up(const struct config *cfg, uint8_t mac[6])
{
	int rc;

	if (up_rc <= 0) {
		if (up_rc == 0 && mac)
			memcpy(mac, ethif_mac(), 6);
		return up_rc;
	}
	if (!lwip_started)
		lwip_init();
	lwip_started = true;
	if ((rc = ethif_up(cfg->have_nic_mac ? cfg->nic_mac : NULL, &nif)) == 0)
		rc = cfg->ip_dhcp ? configure_dhcp() : configure_static(cfg);
	if (rc == 0) {
		resolve_first_hop(cfg);
		if (mac)
			memcpy(mac, ethif_mac(), 6);
	}
	up_rc = rc;
	return rc;
}

/* See net/net.h: DHCP ends without a word on the wire (no RELEASE: the NIC goes quiet now). */
void net_stop(void)
{
	if (up_rc == 1)
		return;
	if (nif != NULL && netif_dhcp_data(nif) != NULL)
		dhcp_stop(nif);
	ethif_stop();
	up_rc = 1;
}

const uint8_t *net_mac(void)
{
	return up_rc == 0 ? ethif_mac() : NULL;
}

uint32_t net_ip(void)
{
	return up_rc == 0 ? host_order(netif_ip4_addr(nif)) : 0;
}

uint32_t net_gw(void)
{
	return up_rc == 0 ? host_order(netif_ip4_gw(nif)) : 0;
}
