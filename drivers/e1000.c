/* Intel 8254x/82574 gigabit NIC driver (QEMU's e1000 = 82540EM, e1000-82545em, e1000e = 82574L):
 * polled, legacy descriptors, one RX and one TX ring with their buffers in .bss. */
#include "arch/cpu.h"
#include "arch/io.h"
#include "drivers/nic.h"
#include "lib/clock.h"
#include "lib/log.h"

/* Registers (byte offsets in the BAR0 memory window), from Intel's 8254x/82574 manuals. */
#define E1000_CTRL 0x0000		/* device control */
#define E1000_CTRL_ASDE (1u << 5)	/* auto-speed detection enable */
#define E1000_CTRL_SLU (1u << 6)	/* set link up */
#define E1000_CTRL_ILOS (1u << 7)	/* invert loss-of-signal */
#define E1000_CTRL_RST (1u << 26)	/* device reset (self-clearing) */
#define E1000_CTRL_PHY_RST (1u << 31)	/* PHY reset */
#define E1000_CTRL_LRST (1u << 3)	/* link reset */
#define E1000_STATUS 0x0008
#define E1000_STATUS_LU (1u << 1)	/* link up */
#define E1000_EERD 0x0014		/* EEPROM read */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE_8254X (1u << 4)	/* 8254x: done bit 4, address bits 15:8 */
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_82574 (1u << 1)	/* 82574: done bit 1, address bits 15:2 */
#define E1000_EERD_ADDR_SHIFT_82574 2
#define E1000_EERD_DATA_SHIFT 16
#define E1000_ICR 0x00c0		/* interrupt cause read (clears on read) */
#define E1000_IMC 0x00d8		/* interrupt mask clear */
#define E1000_IMC_ALL 0xffffffffu
#define E1000_RCTL 0x0100		/* receive control */
#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_BAM (1u << 15)	/* accept broadcast */
#define E1000_RCTL_BSIZE_2048 (0u << 16) /* BSIZE 00 with BSEX 0: 2048-byte buffers */
#define E1000_RCTL_SECRC (1u << 26)	/* strip the Ethernet CRC */
#define E1000_TCTL 0x0400		/* transmit control */
#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3)	/* pad short packets */
#define E1000_TCTL_CT_SHIFT 4		/* collision threshold */
#define E1000_TCTL_CT 0x0fu
#define E1000_TCTL_COLD_SHIFT 12	/* collision distance */
#define E1000_TCTL_COLD_FD 0x40u	/* full duplex */
#define E1000_TIPG 0x0410		/* transmit inter-packet gap */
#define E1000_TIPG_DEFAULT (10u | 8u << 10 | 6u << 20) /* IPGT 10, IPGR1 8, IPGR2 6 (copper) */
#define E1000_RDBAL 0x2800		/* RX descriptor ring: base low/high, length, head, tail */
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_TDBAL 0x3800		/* TX descriptor ring */
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_MTA 0x5200		/* multicast table array, 128 dwords */
#define E1000_MTA_LEN 128
#define E1000_RAL0 0x5400		/* receive address 0 (our MAC), low and high */
#define E1000_RAH0 0x5404
#define E1000_RAH_AV (1u << 31)		/* address valid */
#define E1000_REG_SPAN 0x10000		/* BAR0 must cover at least this much */
#define E1000_DEV_82574L 0x10d3		/* PCI device ID whose EERD layout differs */

/* Legacy receive descriptor. */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");
#define E1000_RXD_STAT_DD (1u << 0)	/* descriptor done */
#define E1000_RXD_STAT_EOP (1u << 1)	/* end of packet */

/* Legacy transmit descriptor. */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
#define E1000_TXD_CMD_EOP (1u << 0)	/* end of packet */
#define E1000_TXD_CMD_IFCS (1u << 1)	/* insert FCS */
#define E1000_TXD_CMD_RS (1u << 3)	/* report status (write back DD) */
#define E1000_TXD_STAT_DD (1u << 0)

#define RX_RING 32			/* ring lengths are multiples of 8 (128-byte RDLEN/TDLEN units) */
#define TX_RING 64
#define RX_BUF 2048			/* matches RCTL.BSIZE */
#define TX_BUF 1536
#define RESET_WAIT_US 100000u		/* CTRL.RST self-clears within microseconds */
#define LINK_WAIT_US 2000000u
#define TX_WAIT_US 2000000u	/* a descriptor not completed by then is stuck (100 ms was hit on a busy host) */

/* The device's memory, in the shared NIC DMA arena: rings 128-byte aligned (the arena is page
 * aligned and the rings come first), buffers 16-byte aligned. */
struct e1000_dma {
	struct e1000_rx_desc rx_ring[RX_RING];
	struct e1000_tx_desc tx_ring[TX_RING];
	uint8_t rx_bufs[RX_RING][RX_BUF];
	uint8_t tx_bufs[TX_RING][TX_BUF];
};
_Static_assert(sizeof(struct e1000_dma) <= NIC_DMA_ARENA_SIZE, "e1000 rings fit the NIC DMA arena");
_Static_assert(sizeof(struct e1000_rx_desc) * RX_RING % 128 == 0, "TX ring stays 128-byte aligned");

static struct {
	struct pci_bar regs;		/* BAR0; base 0 until probe accepted it */
	struct e1000_dma *dma;		/* the NIC DMA arena */
	unsigned rx_next;		/* next RX descriptor the device fills */
	unsigned tx_tail;		/* next TX descriptor we fill (== TDT) */
	bool tx_busy[TX_RING];		/* submitted, DD not yet seen */
} e;

static uint32_t rd(uint32_t reg)
{
	return bar_read32(&e.regs, reg);
}

static void wr(uint32_t reg, uint32_t v)
{
	bar_write32(&e.regs, reg, v);
}

/* Read EEPROM word addr through EERD (format differs between 8254x and 82574). Returns 0 and the
 * word in *out, or -ETIMEDOUT. */
static int eeprom_read(bool is82574, unsigned addr, uint16_t *out)
{
	uint32_t done = is82574 ? E1000_EERD_DONE_82574 : E1000_EERD_DONE_8254X;
	unsigned shift = is82574 ? E1000_EERD_ADDR_SHIFT_82574 : E1000_EERD_ADDR_SHIFT_8254X;
	uint64_t t0 = clock_us();

	wr(E1000_EERD, E1000_EERD_START | (uint32_t)addr << shift);
	while (clock_us() - t0 < RESET_WAIT_US) {
		uint32_t v = rd(E1000_EERD);

		if (v & done) {
			*out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/* The MAC: receive address 0, which the device loads from its EEPROM at reset; else the EEPROM's
 * first three words. Returns 0 or -EIO. */
static int read_mac(struct nic *nic)
{
	uint32_t lo = rd(E1000_RAL0), hi = rd(E1000_RAH0);

	if ((hi & E1000_RAH_AV) && (lo || (hi & 0xffff))) {
		for (int i = 0; i < 4; i++)
			nic->mac[i] = (uint8_t)(lo >> (8 * i));
		nic->mac[4] = (uint8_t)hi;
		nic->mac[5] = (uint8_t)(hi >> 8);
		return 0;
	}
	for (unsigned i = 0; i < 3; i++) {
		uint16_t w;

		if (eeprom_read(nic->pci.device == E1000_DEV_82574L, i, &w) != 0) {
			log_err("e1000: no valid receive address and the EEPROM does not answer");
			return -EIO;
		}
		nic->mac[2 * i] = (uint8_t)w;
		nic->mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	/* Program it back so the receive filter accepts our unicast frames. */
	wr(E1000_RAL0, (uint32_t)nic->mac[0] | (uint32_t)nic->mac[1] << 8 | (uint32_t)nic->mac[2] << 16 |
			       (uint32_t)nic->mac[3] << 24);
	wr(E1000_RAH0, (uint32_t)nic->mac[4] | (uint32_t)nic->mac[5] << 8 | E1000_RAH_AV);
	return 0;
}

/* Interrupts masked, receive and transmit off, then the full device reset (CTRL.RST, which
 * self-clears). Returns 0 or -EIO when the reset does not complete. */
static int reset_device(void)
{
	uint64_t t0;

	wr(E1000_IMC, E1000_IMC_ALL);
	wr(E1000_RCTL, 0);
	wr(E1000_TCTL, E1000_TCTL_PSP);
	(void)rd(E1000_STATUS);			/* flush the posted writes */
	udelay(1000);				/* let in-flight DMA finish before the reset */
	wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_RST);
	udelay(10);
	t0 = clock_us();
	while (rd(E1000_CTRL) & E1000_CTRL_RST) {
		if (clock_us() - t0 > RESET_WAIT_US) {
			log_err("e1000: device reset did not complete in %u ms", RESET_WAIT_US / 1000);
			return -EIO;
		}
	}
	return 0;
}

/* Stop the device the crashed kernel left running, reset it and set up our rings. The order
 * matters: bus mastering off (no DMA into the old kernel's buffers), receive and transmit off, then
 * the full device reset, and only then our rings and bus mastering back on. */
static int e1000_probe(struct nic *nic)
{
	struct pci_dev *p = &nic->pci;
	const struct pci_bar *bar = &p->bar[0];
	uint64_t t0;
	int rc;

	memset(&e, 0, sizeof(e));
	if (bar->io || bar->base == 0 || bar->size < E1000_REG_SPAN || bar->base + bar->size > 0x100000000ull) {
		log_err("e1000: BAR0 (0x%llx, %llu bytes) is not a usable register window below 4 GiB",
			(unsigned long long)bar->base, (unsigned long long)bar->size);
		return -ENODEV;
	}
	e.regs = *bar;
	e.dma = (struct e1000_dma *)nic_dma_arena;
	pci_quiesce(p);
	pci_disable_msi(p);
	if ((rc = reset_device()) != 0)
		return rc;
	wr(E1000_IMC, E1000_IMC_ALL);
	(void)rd(E1000_ICR);
	wr(E1000_CTRL, (rd(E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE) &
			       ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS));
	if (read_mac(nic) != 0)
		return -EIO;
	for (unsigned i = 0; i < E1000_MTA_LEN; i++)
		wr(E1000_MTA + 4 * i, 0);

	memset(e.dma->rx_ring, 0, sizeof(e.dma->rx_ring));
	for (unsigned i = 0; i < RX_RING; i++)
		e.dma->rx_ring[i].addr = dma_addr(e.dma->rx_bufs[i]);
	memset(e.dma->tx_ring, 0, sizeof(e.dma->tx_ring));
	dma_wmb();
	pci_enable(p);
	wr(E1000_RDBAL, (uint32_t)dma_addr(e.dma->rx_ring));
	wr(E1000_RDBAH, (uint32_t)(dma_addr(e.dma->rx_ring) >> 32));
	wr(E1000_RDLEN, sizeof(e.dma->rx_ring));
	wr(E1000_RDH, 0);
	wr(E1000_RDT, RX_RING - 1);		/* all but one descriptor belong to the device */
	wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC);
	wr(E1000_TDBAL, (uint32_t)dma_addr(e.dma->tx_ring));
	wr(E1000_TDBAH, (uint32_t)(dma_addr(e.dma->tx_ring) >> 32));
	wr(E1000_TDLEN, sizeof(e.dma->tx_ring));
	wr(E1000_TDH, 0);
	wr(E1000_TDT, 0);
	wr(E1000_TIPG, E1000_TIPG_DEFAULT);
	wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT << E1000_TCTL_CT_SHIFT |
			       E1000_TCTL_COLD_FD << E1000_TCTL_COLD_SHIFT);

	t0 = clock_us();
	while (!(rd(E1000_STATUS) & E1000_STATUS_LU)) {
		if (clock_us() - t0 > LINK_WAIT_US) {
			log_warn("e1000: link still down after %u s; continuing", LINK_WAIT_US / 1000000);
			break;
		}
	}
	return 0;
}

/* See drivers/nic.h: engines off and the device reset (when probe accepted its registers), then bus
 * mastering off. */
static void e1000_stop(struct nic *nic)
{
	if (e.regs.base != 0)
		(void)reset_device();		/* a failed reset is logged; bus mastering goes off anyway */
	pci_quiesce(&nic->pci);
}

/* The next TX buffer. The descriptor after it must be free too, so the ring never fills up: TDT ==
 * TDH would mean empty to the device. One still in flight is polled (bounded) for DD. */
static void *e1000_tx_buffer(struct nic *nic)
{
	for (unsigned k = 0; k < 2; k++) {
		unsigned i = (e.tx_tail + k) % TX_RING;
		uint64_t t0;

		if (!e.tx_busy[i])
			continue;
		t0 = clock_us();
		while (!(((volatile struct e1000_tx_desc *)e.dma->tx_ring)[i].status & E1000_TXD_STAT_DD)) {
			if (clock_us() - t0 > TX_WAIT_US) {
				log_err("e1000: transmit descriptor %u not completed in %u ms", i,
					TX_WAIT_US / 1000);
				return NULL;
			}
		}
		e.tx_busy[i] = false;
	}
	return e.dma->tx_bufs[e.tx_tail];
}

/* Queue the buffer tx_buffer returned (len bytes) and move the tail past it. */
static int e1000_tx_submit(struct nic *nic, size_t len)
{
	unsigned i = e.tx_tail;

	if (len > TX_BUF)
		return -EINVAL;
	e.dma->tx_ring[i].addr = dma_addr(e.dma->tx_bufs[i]);
	e.dma->tx_ring[i].length = (uint16_t)len;
	e.dma->tx_ring[i].cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	e.dma->tx_ring[i].status = 0;
	e.tx_busy[i] = true;
	e.tx_tail = (i + 1) % TX_RING;
	/* The doorbell per frame: QEMU's e1000 sends synchronously inside this write, and batching
	 * the writes (as virtio-net does) measured 5% slower here. */
	dma_wmb();
	wr(E1000_TDT, e.tx_tail);
	return 0;
}

/* The next complete frame; frames spanning buffers or with errors cannot happen with 2 KiB buffers
 * and no jumbo frames, and are dropped if they do. */
static size_t e1000_rx_peek(struct nic *nic, const void **frame)
{
	for (;;) {
		volatile struct e1000_rx_desc *d = &e.dma->rx_ring[e.rx_next];
		uint8_t status = d->status;

		if (!(status & E1000_RXD_STAT_DD))
			return 0;
		dma_wmb();
		if ((status & E1000_RXD_STAT_EOP) && d->errors == 0 && d->length > 0 && d->length <= RX_BUF) {
			*frame = e.dma->rx_bufs[e.rx_next];
			return d->length;
		}
		nic->drv->rx_release(nic);
	}
}

/* Give the current RX descriptor back to the device. */
static void e1000_rx_release(struct nic *nic)
{
	unsigned i = e.rx_next;

	e.dma->rx_ring[i].status = 0;
	dma_wmb();
	wr(E1000_RDT, i);
	e.rx_next = (i + 1) % RX_RING;
}

static const struct pci_id e1000_ids[] = {
	{ 0x8086, 0x100e, "82540EM" },	/* QEMU "e1000" */
	{ 0x8086, 0x100f, "82545EM" },	/* QEMU "e1000-82545em" (copper) */
	{ 0x8086, E1000_DEV_82574L, "82574L" },	/* QEMU "e1000e" */
};

struct nic_driver e1000_driver NIC_DRIVER = {
	.name = "e1000",
	.ids = e1000_ids,
	.nids = ARRAY_SIZE(e1000_ids),
	.probe = e1000_probe,
	.stop = e1000_stop,
	.tx_buffer = e1000_tx_buffer,
	.tx_submit = e1000_tx_submit,
	.rx_peek = e1000_rx_peek,
	.rx_release = e1000_rx_release,
};
