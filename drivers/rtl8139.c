/* Realtek RTL8139 NIC driver (QEMU's `-device rtl8139`, many older boards): polled, normal (not C+)
 * mode, the receive ring and the four transmit buffers in the NIC DMA arena. */
#include "arch/io.h"
#include "drivers/nic.h"
#include "lib/clock.h"
#include "lib/log.h"

/* Registers (byte offsets in the I/O or memory BAR), from Realtek's RTL8139 datasheet. */
#define RTL_IDR0 0x00			/* MAC bytes 0-5 */
#define RTL_MAR0 0x08			/* multicast filter, 8 bytes */
#define RTL_TSD0 0x10			/* transmit status of descriptor n at 0x10 + 4n */
#define RTL_TSD_SIZE_MASK 0x1fffu	/* frame length */
#define RTL_TSD_OWN (1u << 13)		/* the device has the buffer's bytes: it may be reused */
#define RTL_TSD_TOK (1u << 15)		/* transmitted */
#define RTL_TSD_TABT (1u << 30)		/* transmit aborted */
#define RTL_TSAD0 0x20			/* transmit start address of descriptor n at 0x20 + 4n */
#define RTL_RBSTART 0x30		/* receive ring start address */
#define RTL_CR 0x37			/* command */
#define RTL_CR_BUFE 0x01		/* receive ring empty */
#define RTL_CR_TE 0x04			/* transmitter on */
#define RTL_CR_RE 0x08			/* receiver on */
#define RTL_CR_RST 0x10			/* reset (self-clearing) */
#define RTL_CAPR 0x38			/* 16: where the driver read up to, minus 16 */
#define RTL_IMR 0x3c			/* 16: interrupt mask */
#define RTL_ISR 0x3e			/* 16: interrupt status, write 1s to clear */
#define RTL_TCR 0x40			/* transmit configuration */
#define RTL_TCR_IFG_STD (3u << 24)	/* standard inter-frame gap */
#define RTL_TCR_MXDMA_2048 (7u << 8)	/* DMA bursts up to 2048 bytes */
#define RTL_RCR 0x44			/* receive configuration */
#define RTL_RCR_APM (1u << 1)		/* our MAC */
#define RTL_RCR_AB (1u << 3)		/* broadcast */
#define RTL_RCR_WRAP (1u << 7)		/* a frame at the ring's end continues past it, not at its start */
#define RTL_RCR_MXDMA_UNLIMITED (7u << 8)
#define RTL_RCR_RBLEN_32K (2u << 11)	/* 32 KiB + 16 bytes ring */
#define RTL_RCR_RXFTH_NONE (7u << 13)	/* whole frames only */
#define RTL_MPC 0x4c			/* missed packet counter */
#define RTL_9346CR 0x50			/* EEPROM command: unlocks the CONFIG registers */
#define RTL_9346CR_UNLOCK 0xc0
#define RTL_9346CR_LOCK 0x00
#define RTL_CONFIG1 0x52
#define RTL_CONFIG1_PMEN 0x01		/* power management (cleared: the chip stays awake) */
#define RTL_MSR 0x58			/* media status */
#define RTL_MSR_LINKB 0x04		/* link fail (inverted: 0 is link up) */
#define RTL_REG_SPAN 0x80		/* the BAR must cover the registers above */

/* Receive ring entry header: status (bit 0: received OK), then the length with the 4-byte FCS. */
struct rtl_rx_hdr {
	uint16_t status;
	uint16_t len;
};
_Static_assert(sizeof(struct rtl_rx_hdr) == 4, "RTL8139 receive header is 4 bytes");
#define RTL_RX_ROK 0x0001
#define RTL_FCS 4

#define TX_DESC 4			/* the chip's four transmit descriptors, used in turn */
#define TX_BUF 1536
#define RX_RING (32u * 1024u)
#define RX_SLACK (16u + NIC_FRAME_MAX + RTL_FCS + 16u) /* RBLEN's extra 16 and a WRAP frame past the end */
#define FRAME_MIN 60
#define RESET_WAIT_US 100000u
#define LINK_WAIT_US 2000000u
#define TX_WAIT_US 2000000u

struct rtl8139_dma {
	uint8_t rx_ring[RX_RING + RX_SLACK] __attribute__((aligned(16)));
	uint8_t tx_buf[TX_DESC][TX_BUF] __attribute__((aligned(16)));	/* 32-bit aligned, as the chip needs */
};
_Static_assert(sizeof(struct rtl8139_dma) <= NIC_DMA_ARENA_SIZE, "RTL8139 buffers fit the NIC DMA arena");

static struct {
	struct pci_bar regs;		/* base 0 until probe accepted it */
	struct rtl8139_dma *dma;	/* the NIC DMA arena */
	unsigned tx_next;		/* next transmit descriptor */
	unsigned rx_off;		/* offset of the next frame's header in the ring */
	unsigned rx_next_off;		/* where the frame rx_peek handed out ends */
	bool rx_bad_logged;
} r;

/* Reset the chip: receiver and transmitter off, its state back to power-on. 0 or -EIO. */
static int reset_chip(void)
{
	uint64_t t0 = clock_us();

	bar_write16(&r.regs, RTL_IMR, 0);
	bar_write8(&r.regs, RTL_CR, 0);
	bar_write8(&r.regs, RTL_CR, RTL_CR_RST);
	while (bar_read8(&r.regs, RTL_CR) & RTL_CR_RST) {
		if (clock_us() - t0 > RESET_WAIT_US) {
			log_err("rtl8139: reset did not complete in %u ms", RESET_WAIT_US / 1000);
			return -EIO;
		}
	}
	return 0;
}

/* Point the chip at an empty receive ring and turn receive and transmit on (TCR/RCR after CR.TE/RE:
 * the chip ignores them while off). */
static void start_chip(void)
{
	r.rx_off = 0;
	bar_write32(&r.regs, RTL_RBSTART, (uint32_t)dma_addr(r.dma->rx_ring));
	bar_write8(&r.regs, RTL_CR, RTL_CR_RE | RTL_CR_TE);
	bar_write32(&r.regs, RTL_RCR, RTL_RCR_APM | RTL_RCR_AB | RTL_RCR_WRAP | RTL_RCR_MXDMA_UNLIMITED |
					      RTL_RCR_RBLEN_32K | RTL_RCR_RXFTH_NONE);
	bar_write32(&r.regs, RTL_TCR, RTL_TCR_IFG_STD | RTL_TCR_MXDMA_2048);
	bar_write16(&r.regs, RTL_CAPR, (uint16_t)(r.rx_off - 16));
	bar_write32(&r.regs, RTL_MPC, 0);
	bar_write16(&r.regs, RTL_ISR, 0xffff);
}

/* Stop what the crashed kernel left running, reset, wake the chip, read the MAC, start. */
static int rtl8139_probe(struct nic *nic)
{
	struct pci_dev *p = &nic->pci;
	const struct pci_bar *bar = &p->bar[0];
	uint64_t t0;
	int rc;

	memset(&r, 0, sizeof(r));
	if (bar->base == 0 || bar->size < RTL_REG_SPAN || (!bar->io && bar->base + bar->size > 0x100000000ull)) {
		log_err("rtl8139: BAR0 (0x%llx, %llu bytes) is not a usable register window",
			(unsigned long long)bar->base, (unsigned long long)bar->size);
		return -ENODEV;
	}
	if (dma_addr(nic_dma_arena) + sizeof(struct rtl8139_dma) > 0x100000000ull) {
		log_err("rtl8139: the DMA arena lies above 4 GiB, out of the chip's reach");
		return -ENODEV;
	}
	r.regs = *bar;
	r.dma = (struct rtl8139_dma *)nic_dma_arena;
	pci_quiesce(p);
	pci_disable_msi(p);
	bar_write8(&r.regs, RTL_9346CR, RTL_9346CR_UNLOCK);
	bar_write8(&r.regs, RTL_CONFIG1, bar_read8(&r.regs, RTL_CONFIG1) & (uint8_t)~RTL_CONFIG1_PMEN);
	bar_write8(&r.regs, RTL_9346CR, RTL_9346CR_LOCK);
	if ((rc = reset_chip()) != 0)
		return rc;
	for (unsigned i = 0; i < 6; i++)
		nic->mac[i] = bar_read8(&r.regs, RTL_IDR0 + i);
	if ((nic->mac[0] | nic->mac[1] | nic->mac[2] | nic->mac[3] | nic->mac[4] | nic->mac[5]) == 0) {
		log_err("rtl8139: the chip has no MAC address");
		return -EIO;
	}
	for (unsigned i = 0; i < 8; i++)
		bar_write8(&r.regs, RTL_MAR0 + i, 0);
	pci_enable(p);
	start_chip();

	t0 = clock_us();
	while (bar_read8(&r.regs, RTL_MSR) & RTL_MSR_LINKB) {
		if (clock_us() - t0 > LINK_WAIT_US) {
			log_warn("rtl8139: link still down after %u s; continuing", LINK_WAIT_US / 1000000);
			break;
		}
	}
	return 0;
}

/* See drivers/nic.h: receiver and transmitter off and the chip reset (when probe accepted the BAR),
 * then bus mastering off. */
static void rtl8139_stop(struct nic *nic)
{
	if (r.regs.base != 0)
		(void)reset_chip();
	pci_quiesce(&nic->pci);
}

/* The next transmit buffer, once the chip has taken the frame last queued in it (OWN). */
static void *rtl8139_tx_buffer(struct nic *nic)
{
	uint64_t t0 = clock_us();
	uint32_t tsd;

	while (!((tsd = bar_read32(&r.regs, RTL_TSD0 + 4 * r.tx_next)) & RTL_TSD_OWN)) {
		if (clock_us() - t0 > TX_WAIT_US) {
			log_err("rtl8139: transmit descriptor %u not done in %u ms (status 0x%x)", r.tx_next,
				TX_WAIT_US / 1000, tsd);
			return NULL;
		}
	}
	return r.dma->tx_buf[r.tx_next];
}

/* Send the current buffer: its address, then the length (OWN clear) starts the transmission. */
static int rtl8139_tx_submit(struct nic *nic, size_t len)
{
	if (len < FRAME_MIN || len > NIC_FRAME_MAX)
		return -EINVAL;
	dma_wmb();
	bar_write32(&r.regs, RTL_TSAD0 + 4 * r.tx_next, (uint32_t)dma_addr(r.dma->tx_buf[r.tx_next]));
	bar_write32(&r.regs, RTL_TSD0 + 4 * r.tx_next, (uint32_t)len & RTL_TSD_SIZE_MASK);
	r.tx_next = (r.tx_next + 1) % TX_DESC;
	return 0;
}

/* The next received frame (FCS stripped). A header that makes no sense (the chip and salvage lost
 * step) restarts the receiver on an empty ring, with one warning. */
static size_t rtl8139_rx_peek(struct nic *nic, const void **frame)
{
	volatile struct rtl_rx_hdr *h;
	uint16_t status, len;

	if (bar_read8(&r.regs, RTL_CR) & RTL_CR_BUFE)
		return 0;
	h = (volatile struct rtl_rx_hdr *)(r.dma->rx_ring + r.rx_off);
	status = h->status;
	len = h->len;
	if (!(status & RTL_RX_ROK) || len < FRAME_MIN + RTL_FCS || len > NIC_FRAME_MAX + RTL_FCS) {
		if (!r.rx_bad_logged)
			log_warn("rtl8139: bad receive header (status 0x%04x, length %u) at ring offset %u; "
				 "restarting the receiver", status, len, r.rx_off);
		r.rx_bad_logged = true;
		bar_write8(&r.regs, RTL_CR, RTL_CR_TE);
		start_chip();
		return 0;
	}
	*frame = r.dma->rx_ring + r.rx_off + sizeof(*h);
	r.rx_next_off = ALIGN_UP(r.rx_off + sizeof(*h) + len, 4) % RX_RING;
	return len - RTL_FCS;
}

/* Move the read pointer past the frame rx_peek handed out. */
static void rtl8139_rx_release(struct nic *nic)
{
	r.rx_off = r.rx_next_off;
	bar_write16(&r.regs, RTL_CAPR, (uint16_t)(r.rx_off - 16));
}

static const struct pci_id rtl8139_ids[] = {
	{ 0x10ec, 0x8139, "RTL8139" },	/* QEMU "rtl8139" */
};

struct nic_driver rtl8139_driver NIC_DRIVER = {
	.name = "rtl8139",
	.ids = rtl8139_ids,
	.nids = ARRAY_SIZE(rtl8139_ids),
	.probe = rtl8139_probe,
	.stop = rtl8139_stop,
	.tx_buffer = rtl8139_tx_buffer,
	.tx_submit = rtl8139_tx_submit,
	.rx_peek = rtl8139_rx_peek,
	.rx_release = rtl8139_rx_release,
};
