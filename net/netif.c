/* lwIP netif glue in the shape of lwIP's ethernetif: low_level_init (find and reset a NIC through
 * the driver table), low_level_output (pbuf chain to one TX buffer) and low_level_input (RX frames
 * to pbufs), plus net_poll, the loop body that keeps lwIP running without interrupts, and the stop
 * that leaves the NIC quiet. */
#include "drivers/nic.h"
#include "lib/log.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "net/ethif.h"
#include "net/net.h"
#include "netif/ethernet.h"

#define ETH_MIN_FRAME 60	/* without FCS; shorter frames are padded with zeros */
#define RX_BUDGET 64		/* frames per net_poll, so timers still run under a flood */

static struct nic nic;
static struct netif ethif;
static bool ethif_ready;
static uint32_t rx_dropped;

/* What the PCI scan looks for and has found: with a wanted MAC (salvage.nic=) every NIC that starts
 * is compared with it, and the first one that started is remembered for the fallback. */
struct nic_scan {
	int seen;			/* functions a driver claimed */
	const uint8_t *want;		/* salvage.nic='s MAC, or NULL: the first NIC that starts */
	bool have_first;
	struct pci_dev first;		/* the first that started, when it was not the wanted one */
};

/* The NIC line: driver, model, PCI address, MAC, then how it was chosen (or not). */
static void log_nic(const char *how)
{
	log_info("net: %s %s at pci %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x%s", nic.drv->name,
		 nic.id->model, nic.pci.bus, nic.pci.dev, nic.pci.fn, nic.mac[0], nic.mac[1], nic.mac[2],
		 nic.mac[3], nic.mac[4], nic.mac[5], how);
}

/* Probe PCI function p with driver d (id: its entry in d's table) into nic. A failed probe is
 * logged and the device stopped. Returns the probe's result. */
static int nic_start(const struct nic_driver *d, const struct pci_id *id, const struct pci_dev *p)
{
	int rc;

	memset(&nic, 0, sizeof(nic));
	nic.drv = d;
	nic.pci = *p;
	nic.id = id;
	if ((rc = d->probe(&nic)) == 0)
		return 0;
	log_warn("net: %s %s at pci %02x:%02x.%x failed to start (%d); trying the next NIC", d->name, id->model,
		 p->bus, p->dev, p->fn, rc);
	d->stop(&nic);
	nic.drv = NULL;
	return rc;
}

/* Offer one PCI function to every driver whose id table lists it; a probe that succeeds ends the
 * scan (returns 1) unless a MAC is wanted and this NIC has another: then it is stopped (no DMA; its
 * rings in the shared arena go to the next probe) and the scan goes on. A failed probe is logged
 * and the scan goes on to the next NIC. */
static int try_function(struct pci_dev *p, void *ctx)
{
	struct nic_scan *scan = ctx;

	for (const struct nic_driver *d = nic_drivers_start; d < nic_drivers_end; d++) {
		const struct pci_id *id = nic_match(d, p);

		if (id == NULL)
			continue;
		scan->seen++;
		if (nic_start(d, id, p) != 0)
			continue;
		if (scan->want == NULL) {
			log_nic("");
			return 1;
		}
		if (memcmp(nic.mac, scan->want, 6) == 0) {
			log_nic(" (salvage.nic=)");
			return 1;
		}
		log_nic(": not salvage.nic=, left stopped");
		if (!scan->have_first) {
			scan->have_first = true;
			scan->first = *p;
		}
		d->stop(&nic);
		nic.drv = NULL;
	}
	return 0;
}

/* No NIC has salvage.nic='s MAC: start the first one that started during the scan again. */
static int fall_back_to_first(struct nic_scan *scan)
{
	const uint8_t *m = scan->want;
	int seen = scan->seen, rc;

	log_warn("net: no NIC has MAC %02x:%02x:%02x:%02x:%02x:%02x (salvage.nic=); using the first that "
		 "works", m[0], m[1], m[2], m[3], m[4], m[5]);
	scan->want = NULL;
	rc = try_function(&scan->first, scan);
	scan->seen = seen;
	return rc;
}

/* lwIP linkoutput: copy the frame (a pbuf chain) into the NIC's next TX buffer, pad, send.
 * Returns ERR_OK, ERR_BUF for an oversized frame, ERR_IF when the NIC stopped taking frames. */
static err_t low_level_output(struct netif *nif, struct pbuf *p)
{
	uint8_t *buf;
	size_t len = p->tot_len;

	if (len > NIC_FRAME_MAX) {
		log_err("net: refusing a %zu-byte frame (MTU bug)", len);
		return ERR_BUF;
	}
	if ((buf = nic.drv->tx_buffer(&nic)) == NULL)
		return ERR_IF;
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	if (len < ETH_MIN_FRAME) {
		memset(buf + len, 0, ETH_MIN_FRAME - len);
		len = ETH_MIN_FRAME;
	}
	return nic.drv->tx_submit(&nic, len) == 0 ? ERR_OK : ERR_IF;
}

/* Move up to RX_BUDGET received frames into lwIP. A frame is copied into pool pbufs before its
 * buffer goes back to the NIC; when the pool is empty the frame is dropped and counted. */
static void low_level_input(void)
{
	const void *frame;
	size_t len;

	for (int n = 0; n < RX_BUDGET && (len = nic.drv->rx_peek(&nic, &frame)) != 0; n++) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

		if (p != NULL)
			pbuf_take(p, frame, (u16_t)len);
		nic.drv->rx_release(&nic);
		if (p == NULL) {
			if (rx_dropped++ == 0)
				log_warn("net: receive pool exhausted; dropping frames");
			continue;
		}
		if (ethif.input(p, &ethif) != ERR_OK)
			pbuf_free(p);
	}
}

/* netif_add's init callback (ethernetif_init + low_level_init's netif part). */
static err_t low_level_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->output = etharp_output;
	nif->linkoutput = low_level_output;
	nif->mtu = 1500;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, nic.mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/* See net/ethif.h. */
int ethif_up(const uint8_t *want_mac, struct netif **out)
{
	static bool added;		/* the netif outlives a stop: lwIP keeps it, down */
	struct nic_scan scan = { .want = want_mac };
	int found = pci_scan(try_function, &scan);

	if (found != 1 && scan.have_first)
		found = fall_back_to_first(&scan);
	if (found != 1) {
		if (scan.seen == 0) {
			char supported[256];

			nic_supported(supported, sizeof(supported));
			log_err("net: no supported NIC on the PCI bus (salvage drives %s)", supported);
		} else {
			log_err("net: none of the %d supported NICs started", scan.seen);
		}
		return -ENODEV;
	}
	if (!added && netif_add(&ethif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, low_level_init,
				ethernet_input) == NULL) {
		log_err("net: lwIP refused the interface");
		nic.drv->stop(&nic);
		nic.drv = NULL;
		return -EIO;
	}
	added = true;
	memcpy(ethif.hwaddr, nic.mac, ETH_HWADDR_LEN);	/* after a stop, the NIC may be another one */
	netif_set_default(&ethif);
	netif_set_link_up(&ethif);
	netif_set_up(&ethif);
	ethif_ready = true;
	*out = &ethif;
	return 0;
}

/* See net/ethif.h. */
void ethif_stop(void)
{
	if (nic.drv == NULL)
		return;
	if (ethif_ready) {
		netif_set_down(&ethif);		/* drops its ARP entries; lwIP sends nothing more */
		netif_set_link_down(&ethif);
	}
	ethif_ready = false;
	nic.drv->stop(&nic);
	log_info("net: %s at pci %02x:%02x.%x stopped (receive and transmit off, reset, bus mastering off)",
		 nic.drv->name, nic.pci.bus, nic.pci.dev, nic.pci.fn);
	nic.drv = NULL;
}

const uint8_t *ethif_mac(void)
{
	return ethif_ready ? nic.mac : NULL;
}

/* See net/net.h: send what is queued, receive, then lwIP's timers. */
void net_poll(void)
{
	if (!ethif_ready)
		return;
	if (nic.drv->tx_flush)
		nic.drv->tx_flush(&nic);
	low_level_input();
	sys_check_timeouts();
}
