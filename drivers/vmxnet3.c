/* VMware vmxnet3 paravirtual NIC driver (VMware guests; QEMU's `-device vmxnet3`): revision 1 of the
 * device interface, one transmit and one receive queue, polled, rings and buffers in the NIC DMA arena. */
#include "arch/io.h"
#include "drivers/nic.h"
#include "lib/clock.h"
#include "lib/log.h"

#define VMXNET3_VENDOR 0x15ad			/* VMware */
#define VMXNET3_DEVICE 0x07b0

/* BAR1 ("VD") registers, 8 bytes apart. */
#define VMXNET3_VD_VRRS 0x00		/* read: revisions the device offers (bit n: revision n+1); write: the one chosen */
#define VMXNET3_VD_UVRS 0x08		/* the same for the UPT version */
#define VMXNET3_VD_DSAL 0x10		/* driver shared area, low 32 bits (0: deactivate) */
#define VMXNET3_VD_DSAH 0x18		/* ... high 32 bits */
#define VMXNET3_VD_CMD 0x20		/* write a command; read its result */
#define VMXNET3_VD_MACL 0x28		/* MAC bytes 0-3 */
#define VMXNET3_VD_MACH 0x30		/* MAC bytes 4-5 */
#define VMXNET3_VD_SIZE 0x38		/* BAR1 must cover the registers above */
/* BAR0 ("PT") registers. */
#define VMXNET3_PT_IMR 0x000		/* interrupt mask of vector n at 8n: 1 masks */
#define VMXNET3_PT_TXPROD 0x600		/* TX queue 0 producer index: the doorbell */
#define VMXNET3_PT_RXPROD 0x800		/* RX queue 0 ring 0 producer index */
#define VMXNET3_PT_SIZE 0x808		/* BAR0 must cover the registers above */

/* Commands (VMXNET3_VD_CMD). */
#define VMXNET3_CMD_ACTIVATE_DEV 0xcafe0000u	/* read back 0: active */
#define VMXNET3_CMD_QUIESCE_DEV 0xcafe0001u
#define VMXNET3_CMD_RESET_DEV 0xcafe0002u
#define VMXNET3_CMD_GET_LINK 0xf00d0002u	/* read back: bit 0 link up, bits 31:16 speed in Mbit/s */
#define VMXNET3_CMD_GET_PERM_MAC_LO 0xf00d0003u
#define VMXNET3_CMD_GET_PERM_MAC_HI 0xf00d0004u

#define VMXNET3_REVISION_1 1u		/* the VRRS/UVRS bit of revision 1; its layouts are the ones below */
#define VMXNET3_REV1_MAGIC 0xbabefee1u	/* driver shared area magic */
#define VMXNET3_GOS_32BIT 1u		/* gos bits 1:0 */
#define VMXNET3_GOS_LINUX (1u << 2)	/* gos bits 5:2: a non-Windows type, so frames may span buffers */
#define VMXNET3_RXM_UCAST 0x01		/* receive filter: our MAC */
#define VMXNET3_RXM_BCAST 0x04		/* and broadcast (ARP) */
#define VMXNET3_IC_DISABLE_ALL 0x1	/* intrCtrl: no interrupts at all */
#define VMXNET3_LINK_UP 0x1

/* Transmit descriptor: addr, then dword 2 (len 13:0, gen 14) and dword 3 (eop 12, cq 13). */
struct vmxnet3_tx_desc {
	uint64_t addr;
	uint32_t len_gen;
	uint32_t flags;
};
_Static_assert(sizeof(struct vmxnet3_tx_desc) == 16, "vmxnet3 TX descriptor is 16 bytes");
#define VMXNET3_TXD_GEN (1u << 14)
#define VMXNET3_TXD_EOP (1u << 12)	/* end of packet */
#define VMXNET3_TXD_CQ (1u << 13)	/* completion wanted */

/* Transmit completion: dword 0 bits 11:0 the EOP descriptor's index; dword 3 bit 31 gen. */
struct vmxnet3_tx_comp {
	uint32_t txd_idx;
	uint32_t ext2, ext3;
	uint32_t type_gen;
};
_Static_assert(sizeof(struct vmxnet3_tx_comp) == 16, "vmxnet3 TX completion is 16 bytes");
#define VMXNET3_TCD_IDX_MASK 0xfffu
#define VMXNET3_CD_GEN (1u << 31)	/* completion descriptors (TX and RX): generation bit */

/* Receive descriptor: addr, then len 13:0, btype 14 (0: head buffer), gen 31. */
struct vmxnet3_rx_desc {
	uint64_t addr;
	uint32_t len_gen;
	uint32_t ext1;
};
_Static_assert(sizeof(struct vmxnet3_rx_desc) == 16, "vmxnet3 RX descriptor is 16 bytes");
#define VMXNET3_RXD_GEN (1u << 31)

/* Receive completion: dword 0 rxdIdx 11:0, eop 14, sop 15, rqID 25:16; dword 2 len 13:0, err 14;
 * dword 3 gen 31. */
struct vmxnet3_rx_comp {
	uint32_t idx_flags;
	uint32_t rss_hash;
	uint32_t len_err;
	uint32_t csum_gen;
};
_Static_assert(sizeof(struct vmxnet3_rx_comp) == 16, "vmxnet3 RX completion is 16 bytes");
#define VMXNET3_RCD_IDX_MASK 0xfffu
#define VMXNET3_RCD_EOP (1u << 14)
#define VMXNET3_RCD_SOP (1u << 15)
#define VMXNET3_RCD_RQID_SHIFT 16
#define VMXNET3_RCD_RQID_MASK 0x3ffu
#define VMXNET3_RCD_LEN_MASK 0x3fffu
#define VMXNET3_RCD_ERR (1u << 14)

/* Queue descriptors (the device reads conf, writes ctrl, status and stats). */
struct vmxnet3_tx_queue_desc {
	uint32_t tx_num_deferred, tx_threshold;
	uint64_t ctrl_reserved;
	uint64_t tx_ring_pa, data_ring_pa, comp_ring_pa, dd_pa, conf_reserved;
	uint32_t tx_ring_size, data_ring_size, comp_ring_size, dd_len;
	uint8_t intr_idx, pad1;
	uint16_t data_desc_size;
	uint8_t pad2[4];
	uint8_t stopped, status_pad[3];	/* written by the device: the queue stopped on an error */
	uint32_t error;
	uint8_t stats[80];
	uint8_t pad[88];
};
_Static_assert(sizeof(struct vmxnet3_tx_queue_desc) == 256, "vmxnet3 TX queue descriptor is 256 bytes");

struct vmxnet3_rx_queue_desc {
	uint8_t update_rx_prod;		/* set by the device: it wants RXPROD written after refills */
	uint8_t ctrl_pad[7];
	uint64_t ctrl_reserved;
	uint64_t rx_ring_pa[2], comp_ring_pa, dd_pa, data_ring_pa;
	uint32_t rx_ring_size[2], comp_ring_size, dd_len;
	uint8_t intr_idx, pad1;
	uint16_t data_desc_size;
	uint8_t pad2[4];
	uint8_t status[8];
	uint8_t stats[80];
	uint8_t pad[88];
};
_Static_assert(sizeof(struct vmxnet3_rx_queue_desc) == 256, "vmxnet3 RX queue descriptor is 256 bytes");

/* The driver shared area of revision 1 (Vmxnet3_DriverShared): DSAL/DSAH point at it. */
struct vmxnet3_shared {
	uint32_t magic;
	uint32_t pad;
	/* devRead.misc */
	uint32_t driver_version, gos, rev_spt, upt_spt;
	uint64_t upt_features, dd_pa, queue_desc_pa;
	uint32_t dd_len, queue_desc_len, mtu;
	uint16_t max_num_rx_sg;
	uint8_t num_tx_queues, num_rx_queues;
	uint32_t misc_reserved[4];
	/* devRead.intrConf */
	uint8_t auto_mask, num_intrs, event_intr_idx, mod_levels[25];
	uint32_t intr_ctrl;
	uint32_t intr_reserved[2];
	/* devRead.rxFilterConf */
	uint32_t rx_mode;
	uint16_t mf_table_len, mf_pad;
	uint64_t mf_table_pa;
	uint32_t vf_table[128];
	/* devRead.rssConfDesc, pmConfDesc, pluginConfDesc: version, length, address */
	uint32_t var_conf[3][4];
	uint32_t ecr;			/* events the device raised (link change, queue error) */
	uint32_t reserved;
	uint32_t cmd_info[4];
};
_Static_assert(sizeof(struct vmxnet3_shared) == 720, "vmxnet3 driver shared area (revision 1) is 720 bytes");
_Static_assert(__builtin_offsetof(struct vmxnet3_shared, auto_mask) == 80, "intrConf at 80");
_Static_assert(__builtin_offsetof(struct vmxnet3_shared, rx_mode) == 120, "rxFilterConf at 120");
_Static_assert(__builtin_offsetof(struct vmxnet3_shared, ecr) == 696, "ecr at 696");

/* Ring sizes are multiples of 32 (the device's rule). QEMU's vmxnet3 drops a frame that finds no
 * receive buffer (e1000 and virtio-net hold it back instead), and a 64 KiB datagram arrives as 45
 * fragments in one burst: the receive ring holds more than that. Transmit completes quickly, so 32
 * descriptors keep it busy. One frame is one buffer each way: no jumbo frames. */
#define TX_RING 32
#define RX_RING 64			/* ring 0: head buffers */
#define RX_RING2 32			/* ring 1: body buffers, left empty (frames fit one buffer) */
#define RX_COMP (RX_RING + RX_RING2)
#define BUF_SIZE 1536
#define TX_DATA_DESC 128		/* the transmit data ring's entry size (unused, but described) */
#define MTU 1500
#define CMD_WAIT_US 100000u
#define LINK_WAIT_US 2000000u
#define TX_WAIT_US 2000000u		/* as e1000/virtio-net: a busy host delays completions */

/* The device's memory in the NIC DMA arena: rings 512-byte aligned, queue descriptors 128. */
struct vmxnet3_dma {
	struct vmxnet3_tx_desc tx_ring[TX_RING] __attribute__((aligned(512)));
	struct vmxnet3_tx_comp tx_comp[TX_RING] __attribute__((aligned(512)));
	struct vmxnet3_rx_desc rx_ring[RX_RING] __attribute__((aligned(512)));
	struct vmxnet3_rx_desc rx_ring2[RX_RING2] __attribute__((aligned(512)));
	struct vmxnet3_rx_comp rx_comp[RX_COMP] __attribute__((aligned(512)));
	struct vmxnet3_tx_queue_desc txq __attribute__((aligned(128)));
	struct vmxnet3_rx_queue_desc rxq;	/* right after txq: the device reads them as one table */
	struct vmxnet3_shared shared __attribute__((aligned(128)));
	uint8_t tx_data[TX_RING][TX_DATA_DESC] __attribute__((aligned(512)));
	uint8_t tx_buf[TX_RING][BUF_SIZE] __attribute__((aligned(64)));
	uint8_t rx_buf[RX_RING][BUF_SIZE] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct vmxnet3_dma) <= NIC_DMA_ARENA_SIZE, "vmxnet3 rings fit the NIC DMA arena");
_Static_assert(__builtin_offsetof(struct vmxnet3_dma, rxq) ==
	       __builtin_offsetof(struct vmxnet3_dma, txq) + sizeof(struct vmxnet3_tx_queue_desc),
	       "RX queue descriptor follows the TX one");

static struct {
	struct pci_bar pt, vd;		/* BAR0, BAR1; vd.base 0 until probe accepted them */
	struct vmxnet3_dma *dma;	/* the NIC DMA arena */
	unsigned tx_next;		/* next TX descriptor we fill */
	uint32_t tx_gen;		/* its generation bit (VMXNET3_TXD_GEN or 0) */
	unsigned tx_comp_next;
	uint32_t tx_comp_gen;		/* generation of completions not yet seen */
	bool tx_busy[TX_RING];		/* submitted, completion not yet seen */
	unsigned rx_fill;		/* next RX descriptor we hand back (the device fills in order) */
	uint32_t rx_fill_gen;
	unsigned rx_comp_next;
	uint32_t rx_comp_gen;
	bool rx_held;			/* rx_peek handed out a frame (rx_comp_next) not yet released */
} x;

static uint32_t vd_read(uint32_t reg)
{
	return bar_read32(&x.vd, reg);
}

static void vd_write(uint32_t reg, uint32_t v)
{
	bar_write32(&x.vd, reg, v);
}

/* Run a command and return what the command register reads back after it. */
static uint32_t command(uint32_t cmd)
{
	vd_write(VMXNET3_VD_CMD, cmd);
	return vd_read(VMXNET3_VD_CMD);
}

/* Deactivate and reset the device and forget the shared area: it reads and writes no memory after. */
static void reset_device(void)
{
	(void)command(VMXNET3_CMD_QUIESCE_DEV);
	(void)command(VMXNET3_CMD_RESET_DEV);
	vd_write(VMXNET3_VD_DSAL, 0);
	vd_write(VMXNET3_VD_DSAH, 0);
}

/* The MAC: the permanent one (the crashed kernel may have set another in MACL/MACH), else MACL/MACH;
 * written back to MACL/MACH, which the receive filter uses. Returns 0 or -EIO when both are zero. */
static int read_mac(struct nic *nic)
{
	uint32_t lo = command(VMXNET3_CMD_GET_PERM_MAC_LO), hi = command(VMXNET3_CMD_GET_PERM_MAC_HI) & 0xffff;

	if (lo == 0 && hi == 0) {
		lo = vd_read(VMXNET3_VD_MACL);
		hi = vd_read(VMXNET3_VD_MACH) & 0xffff;
	}
	if (lo == 0 && hi == 0) {
		log_err("vmxnet3: the device has no MAC address");
		return -EIO;
	}
	for (int i = 0; i < 4; i++)
		nic->mac[i] = (uint8_t)(lo >> (8 * i));
	nic->mac[4] = (uint8_t)hi;
	nic->mac[5] = (uint8_t)(hi >> 8);
	vd_write(VMXNET3_VD_MACL, lo);
	vd_write(VMXNET3_VD_MACH, hi);
	return 0;
}

/* Check that a BAR is a memory window of at least min bytes below 4 GiB. */
static bool bar_ok(const struct pci_bar *b, uint32_t min)
{
	return !b->io && b->base != 0 && b->size >= min && b->base + b->size <= 0x100000000ull;
}

/* Fill the shared area, the queue descriptors and the rings: one TX queue (descriptors owned by us:
 * generation 0 against the device's 1), one RX queue whose ring 0 holds a buffer in every descriptor. */
static void setup_rings(void)
{
	struct vmxnet3_dma *d = x.dma;
	struct vmxnet3_shared *sh = &d->shared;

	memset(d, 0, __builtin_offsetof(struct vmxnet3_dma, tx_buf));
	/* All ring-0 descriptors but the last go to the device now (generation 1, head buffers), as
	 * Linux does; the last is the first rx_refill hands over. */
	for (unsigned i = 0; i < RX_RING; i++) {
		d->rx_ring[i].addr = dma_addr(d->rx_buf[i]);
		d->rx_ring[i].len_gen = BUF_SIZE | (i < RX_RING - 1 ? VMXNET3_RXD_GEN : 0);
	}
	x.rx_fill = RX_RING - 1;
	x.rx_fill_gen = VMXNET3_RXD_GEN;
	x.tx_gen = VMXNET3_TXD_GEN;	/* the device starts every ring at generation 1 */
	x.tx_comp_gen = VMXNET3_CD_GEN;
	x.rx_comp_gen = VMXNET3_CD_GEN;

	d->txq.tx_ring_pa = dma_addr(d->tx_ring);
	d->txq.data_ring_pa = dma_addr(d->tx_data);
	d->txq.comp_ring_pa = dma_addr(d->tx_comp);
	d->txq.tx_ring_size = TX_RING;
	d->txq.data_ring_size = TX_RING;
	d->txq.comp_ring_size = TX_RING;
	d->txq.data_desc_size = TX_DATA_DESC;
	d->rxq.rx_ring_pa[0] = dma_addr(d->rx_ring);
	d->rxq.rx_ring_pa[1] = dma_addr(d->rx_ring2);
	d->rxq.comp_ring_pa = dma_addr(d->rx_comp);
	d->rxq.rx_ring_size[0] = RX_RING;
	d->rxq.rx_ring_size[1] = RX_RING2;
	d->rxq.comp_ring_size = RX_COMP;

	sh->magic = VMXNET3_REV1_MAGIC;
	sh->gos = VMXNET3_GOS_32BIT | VMXNET3_GOS_LINUX;
	sh->rev_spt = VMXNET3_REVISION_1;
	sh->upt_spt = VMXNET3_REVISION_1;
	sh->queue_desc_pa = dma_addr(&d->txq);
	sh->queue_desc_len = sizeof(d->txq) + sizeof(d->rxq);
	sh->mtu = MTU;
	sh->max_num_rx_sg = 1;
	sh->num_tx_queues = 1;
	sh->num_rx_queues = 1;
	sh->auto_mask = 0;
	sh->num_intrs = 1;		/* vector 0 for everything (INTx), and masked */
	sh->intr_ctrl = VMXNET3_IC_DISABLE_ALL;
	sh->rx_mode = VMXNET3_RXM_UCAST | VMXNET3_RXM_BCAST;
	sh->vf_table[0] = 1;		/* VLAN 0: untagged frames */
	dma_wmb();
}

/* Reset whatever the crashed kernel left running, choose revision 1, read the MAC, describe our
 * rings in the shared area and activate; then wait (bounded) for the link. */
static int vmxnet3_probe(struct nic *nic)
{
	struct pci_dev *p = &nic->pci;
	uint32_t rev, link;
	uint64_t t0;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!bar_ok(&p->bar[0], VMXNET3_PT_SIZE) || !bar_ok(&p->bar[1], VMXNET3_VD_SIZE)) {
		log_err("vmxnet3: BAR0 (0x%llx, %llu bytes) or BAR1 (0x%llx, %llu bytes) is not a usable register "
			"window below 4 GiB", (unsigned long long)p->bar[0].base, (unsigned long long)p->bar[0].size,
			(unsigned long long)p->bar[1].base, (unsigned long long)p->bar[1].size);
		return -ENODEV;
	}
	x.pt = p->bar[0];
	x.vd = p->bar[1];
	x.dma = (struct vmxnet3_dma *)nic_dma_arena;
	pci_quiesce(p);
	pci_disable_msi(p);
	reset_device();

	/* Revision: bit n of VRRS offers revision n+1; salvage speaks revision 1, which every device
	 * offers (the later ones add offloads and queues salvage does not use). */
	rev = vd_read(VMXNET3_VD_VRRS);
	if (!(rev & VMXNET3_REVISION_1)) {
		log_err("vmxnet3: the device does not offer revision 1 (VRRS 0x%x)", rev);
		return -ENODEV;
	}
	vd_write(VMXNET3_VD_VRRS, VMXNET3_REVISION_1);
	rev = vd_read(VMXNET3_VD_UVRS);
	if (!(rev & VMXNET3_REVISION_1)) {
		log_err("vmxnet3: the device does not offer UPT version 1 (UVRS 0x%x)", rev);
		return -ENODEV;
	}
	vd_write(VMXNET3_VD_UVRS, VMXNET3_REVISION_1);
	if ((rc = read_mac(nic)) != 0)
		return rc;

	setup_rings();
	pci_enable(p);
	vd_write(VMXNET3_VD_DSAL, (uint32_t)dma_addr(&x.dma->shared));
	vd_write(VMXNET3_VD_DSAH, (uint32_t)(dma_addr(&x.dma->shared) >> 32));
	if ((rc = (int)command(VMXNET3_CMD_ACTIVATE_DEV)) != 0) {
		log_err("vmxnet3: the device refused to activate (status %d)", rc);
		return -EIO;
	}
	bar_write32(&x.pt, VMXNET3_PT_IMR, 1);		/* vector 0 masked: salvage polls */
	bar_write32(&x.pt, VMXNET3_PT_RXPROD, x.rx_fill);

	t0 = clock_us();
	while (!((link = command(VMXNET3_CMD_GET_LINK)) & VMXNET3_LINK_UP)) {
		if (clock_us() - t0 > LINK_WAIT_US) {
			log_warn("vmxnet3: link still down after %u s; continuing", LINK_WAIT_US / 1000000);
			return 0;
		}
	}
	log_info("vmxnet3: revision 1 (device offers 0x%x), link up at %u Mbit/s", vd_read(VMXNET3_VD_VRRS),
		 link >> 16);
	return 0;
}

/* See drivers/nic.h: quiesce, reset and forget the shared area (when probe accepted the BARs),
 * then bus mastering off. */
static void vmxnet3_stop(struct nic *nic)
{
	if (x.vd.base != 0)
		reset_device();
	pci_quiesce(&nic->pci);
}

/* Retire transmit completions: each names the descriptor of a frame the device is done with. */
static void tx_reclaim(void)
{
	for (;;) {
		volatile struct vmxnet3_tx_comp *c = &x.dma->tx_comp[x.tx_comp_next];
		uint32_t idx;

		if ((c->type_gen & VMXNET3_CD_GEN) != x.tx_comp_gen)
			return;
		dma_wmb();
		idx = c->txd_idx & VMXNET3_TCD_IDX_MASK;
		if (idx < TX_RING)
			x.tx_busy[idx] = false;
		if (++x.tx_comp_next == TX_RING) {
			x.tx_comp_next = 0;
			x.tx_comp_gen ^= VMXNET3_CD_GEN;
		}
	}
}

/* The next TX buffer, waiting (bounded) for the device to complete the frame in it. */
static void *vmxnet3_tx_buffer(struct nic *nic)
{
	uint64_t t0 = clock_us();

	for (;;) {
		tx_reclaim();
		if (!x.tx_busy[x.tx_next])
			return x.dma->tx_buf[x.tx_next];
		cpu_relax();			/* tx_submit rang the doorbell for it already */
		if (clock_us() - t0 > TX_WAIT_US) {
			volatile struct vmxnet3_tx_queue_desc *q = &x.dma->txq;

			log_err("vmxnet3: transmit descriptor %u not completed in %u ms (queue %s, error 0x%x, "
				"events 0x%x)", x.tx_next, TX_WAIT_US / 1000, q->stopped ? "stopped" : "running",
				q->error, ((volatile struct vmxnet3_shared *)&x.dma->shared)->ecr);
			return NULL;
		}
	}
}

/* Queue the current buffer as one frame of len bytes (one descriptor: EOP, completion wanted); the
 * generation bit, written last, hands the descriptor to the device; then the doorbell. */
static int vmxnet3_tx_submit(struct nic *nic, size_t len)
{
	unsigned i = x.tx_next;
	volatile struct vmxnet3_tx_desc *d = &x.dma->tx_ring[i];

	if (len == 0 || len > BUF_SIZE)
		return -EINVAL;
	d->addr = dma_addr(x.dma->tx_buf[i]);
	d->flags = VMXNET3_TXD_EOP | VMXNET3_TXD_CQ;
	dma_wmb();
	d->len_gen = (uint32_t)len | x.tx_gen;
	x.tx_busy[i] = true;
	if (++x.tx_next == TX_RING) {
		x.tx_next = 0;
		x.tx_gen ^= VMXNET3_TXD_GEN;
	}
	dma_wmb();
	bar_write32(&x.pt, VMXNET3_PT_TXPROD, x.tx_next);
	return 0;
}

/* Hand ring-0 descriptor rx_fill back to the device (buffers stay at their index), and tell the
 * device when it asked to be told. */
static void rx_refill(void)
{
	volatile struct vmxnet3_rx_desc *d = &x.dma->rx_ring[x.rx_fill];

	d->addr = dma_addr(x.dma->rx_buf[x.rx_fill]);
	dma_wmb();
	d->len_gen = BUF_SIZE | x.rx_fill_gen;
	if (++x.rx_fill == RX_RING) {
		x.rx_fill = 0;
		x.rx_fill_gen ^= VMXNET3_RXD_GEN;
	}
	if (((volatile struct vmxnet3_rx_queue_desc *)&x.dma->rxq)->update_rx_prod)
		bar_write32(&x.pt, VMXNET3_PT_RXPROD, x.rx_fill);
}

/* Consume the current receive completion; a ring-0 buffer it used goes back to the device. */
static void rx_next(void)
{
	volatile struct vmxnet3_rx_comp *c = &x.dma->rx_comp[x.rx_comp_next];
	uint32_t rq = (c->idx_flags >> VMXNET3_RCD_RQID_SHIFT) & VMXNET3_RCD_RQID_MASK;

	if (rq == 0)
		rx_refill();
	if (++x.rx_comp_next == RX_COMP) {
		x.rx_comp_next = 0;
		x.rx_comp_gen ^= VMXNET3_CD_GEN;
	}
	x.rx_held = false;
}

/* The next whole frame: a completion with start and end of packet in one ring-0 buffer, no error,
 * a length that fits. Anything else (a frame spread over buffers, an error) is dropped. */
static size_t vmxnet3_rx_peek(struct nic *nic, const void **frame)
{
	for (;;) {
		volatile struct vmxnet3_rx_comp *c = &x.dma->rx_comp[x.rx_comp_next];
		uint32_t flags, len_err, idx, len;

		if ((c->csum_gen & VMXNET3_CD_GEN) != x.rx_comp_gen)
			return 0;
		dma_wmb();
		flags = c->idx_flags;
		len_err = c->len_err;
		idx = flags & VMXNET3_RCD_IDX_MASK;
		len = len_err & VMXNET3_RCD_LEN_MASK;
		if ((flags & (VMXNET3_RCD_SOP | VMXNET3_RCD_EOP)) == (VMXNET3_RCD_SOP | VMXNET3_RCD_EOP) &&
		    ((flags >> VMXNET3_RCD_RQID_SHIFT) & VMXNET3_RCD_RQID_MASK) == 0 && idx < RX_RING &&
		    !(len_err & VMXNET3_RCD_ERR) && len > 0 && len <= BUF_SIZE) {
			*frame = x.dma->rx_buf[idx];
			x.rx_held = true;
			return len;
		}
		rx_next();
	}
}

/* Give the frame rx_peek handed out back to the device. */
static void vmxnet3_rx_release(struct nic *nic)
{
	if (x.rx_held)
		rx_next();
}

static const struct pci_id vmxnet3_ids[] = {
	{ VMXNET3_VENDOR, VMXNET3_DEVICE, "VMXNET3" },	/* VMware; QEMU "vmxnet3" */
};

struct nic_driver vmxnet3_driver NIC_DRIVER = {
	.name = "vmxnet3",
	.ids = vmxnet3_ids,
	.nids = ARRAY_SIZE(vmxnet3_ids),
	.probe = vmxnet3_probe,
	.stop = vmxnet3_stop,
	.tx_buffer = vmxnet3_tx_buffer,
	.tx_submit = vmxnet3_tx_submit,
	.rx_peek = vmxnet3_rx_peek,
	.rx_release = vmxnet3_rx_release,
};
