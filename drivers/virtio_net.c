/* virtio-net driver over PCI, both transports: modern (virtio 1.x, registers found through vendor
 * capabilities) and legacy (virtio 0.9, I/O BAR0). Polled; one receive and one transmit split
 * virtqueue with their rings and buffers in .bss; no offloads, MAC from the device config. */
#include "arch/cpu.h"
#include "arch/io.h"
#include "drivers/nic.h"
#include "lib/clock.h"
#include "lib/log.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_DEV_NET_TRANSITIONAL 0x1000	/* legacy or transitional network device */
#define VIRTIO_DEV_NET_MODERN 0x1041		/* 0x1040 + device type 1 (network) */

/* Device status bits (both transports). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

/* Feature bits. */
#define VIRTIO_NET_F_MAC 5			/* device config holds the MAC */
#define VIRTIO_F_VERSION_1 32			/* modern device; required by the modern transport */
#define VIRTIO_F_ACCESS_PLATFORM 33		/* DMA goes through the platform's IOMMU like any device's */

/* Legacy transport: registers in I/O BAR0. */
#define VIRTIO_LEGACY_HOST_FEATURES 0x00	/* 32 */
#define VIRTIO_LEGACY_GUEST_FEATURES 0x04	/* 32 */
#define VIRTIO_LEGACY_QUEUE_PFN 0x08		/* 32: ring physical address >> 12 */
#define VIRTIO_LEGACY_QUEUE_NUM 0x0c		/* 16: ring size, fixed by the device */
#define VIRTIO_LEGACY_QUEUE_SEL 0x0e		/* 16 */
#define VIRTIO_LEGACY_QUEUE_NOTIFY 0x10		/* 16 */
#define VIRTIO_LEGACY_STATUS 0x12		/* 8 */
#define VIRTIO_LEGACY_ISR 0x13			/* 8 */
#define VIRTIO_LEGACY_CONFIG 0x14		/* device config (with MSI-X off) */
#define VIRTIO_LEGACY_QUEUE_ALIGN 4096
#define VIRTIO_LEGACY_PFN_SHIFT 12

/* Modern transport: struct virtio_pci_cap in config space (cap_vndr 0x09). */
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16		/* notify_off_multiplier, notify capability only */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
/* Common configuration structure offsets. */
#define VIRTIO_COMMON_DFSELECT 0x00		/* le32 device_feature_select */
#define VIRTIO_COMMON_DF 0x04			/* le32 device_feature */
#define VIRTIO_COMMON_GFSELECT 0x08		/* le32 driver_feature_select */
#define VIRTIO_COMMON_GF 0x0c			/* le32 driver_feature */
#define VIRTIO_COMMON_STATUS 0x14		/* u8 device_status */
#define VIRTIO_COMMON_Q_SELECT 0x16		/* le16 queue_select */
#define VIRTIO_COMMON_Q_SIZE 0x18		/* le16 queue_size */
#define VIRTIO_COMMON_Q_ENABLE 0x1c		/* le16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF 0x1e		/* le16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESCLO 0x20		/* le64 queue_desc */
#define VIRTIO_COMMON_Q_DESCHI 0x24
#define VIRTIO_COMMON_Q_AVAILLO 0x28		/* le64 queue_driver */
#define VIRTIO_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_COMMON_Q_USEDLO 0x30		/* le64 queue_device */
#define VIRTIO_COMMON_Q_USEDHI 0x34
#define VIRTIO_COMMON_LEN 0x38

/* virtio-net device config and queues. */
#define VIRTIO_NET_CFG_MAC 0			/* u8 mac[6] */
#define VIRTIO_NET_Q_RX 0
#define VIRTIO_NET_Q_TX 1

/* Split virtqueue layout. */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct vring_desc) == 16, "virtq descriptor is 16 bytes");
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_USED_F_NO_NOTIFY 1		/* used->flags: the device is polling; skip notifies */

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtq used element is 8 bytes");

/* The packet header in front of every frame: 10 bytes legacy, 12 (with num_buffers) modern. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio-net header is 12 bytes");
#define VIRTIO_NET_HDR_LEGACY 10

#define VQ_MAX 256				/* largest ring we have memory for */
#define VQ_MEM (3 * 4096)			/* legacy layout of a 256-entry ring: 12 KiB */
#define RX_BUFS 32				/* posted receive buffers (2 descriptors each) */
#define TX_BUFS 64				/* transmit slots (2 descriptors each): a 64 KiB
						 * datagram is 45 fragments */
#define BUF_SIZE 1536
#define RESET_WAIT_US 100000u
#define TX_WAIT_US 2000000u	/* the device (QEMU: its main loop) may lag on a busy host; 100 ms was hit */

struct vq {
	uint16_t size;
	volatile struct vring_desc *desc;
	volatile uint16_t *avail;		/* flags, idx, ring[size], used_event */
	volatile uint16_t *used_hdr;		/* flags, idx */
	volatile struct vring_used_elem *used;	/* ring[size] */
	uint16_t avail_idx;			/* our next avail->idx */
	uint16_t kicked_idx;			/* avail_idx at the last vq_kick */
	uint16_t last_used;			/* used entries consumed so far */
	uint32_t notify_off;			/* modern: offset of this queue's notify register */
};

/* The device's memory, in the shared NIC DMA arena (page aligned, so the rings come first). */
struct virtio_net_dma {
	uint8_t vq_mem[2][VQ_MEM];
	uint8_t rx_buf[RX_BUFS][BUF_SIZE];
	uint8_t tx_buf[TX_BUFS][BUF_SIZE];
	struct virtio_net_hdr rx_hdr[RX_BUFS], tx_hdr[TX_BUFS];
};
_Static_assert(sizeof(struct virtio_net_dma) <= NIC_DMA_ARENA_SIZE, "virtio-net rings fit the NIC DMA arena");

static struct {
	struct virtio_net_dma *dma;		/* the NIC DMA arena */
	bool transport;				/* modern or legacy registers found: reset works */
	bool modern;
	struct pci_bar io;			/* legacy: BAR0 */
	struct pci_bar common, notify, device;	/* modern: BAR windows of each structure */
	uint32_t notify_mult;
	unsigned hdr_len;
	struct vq q[2];
	unsigned tx_next;			/* next TX slot */
	bool tx_busy[TX_BUFS];
	const struct vring_used_elem *rx_cur;	/* frame handed out by rx_peek */
} v;

/* --- transport-neutral register access ----------------------------------------------------- */

static uint8_t get_status(void)
{
	return v.modern ? bar_read8(&v.common, VIRTIO_COMMON_STATUS) : bar_read8(&v.io, VIRTIO_LEGACY_STATUS);
}

static void set_status(uint8_t s)
{
	if (v.modern)
		bar_write8(&v.common, VIRTIO_COMMON_STATUS, s);
	else
		bar_write8(&v.io, VIRTIO_LEGACY_STATUS, s);
}

static uint8_t config_read8(unsigned off)
{
	return v.modern ? bar_read8(&v.device, off) : bar_read8(&v.io, VIRTIO_LEGACY_CONFIG + off);
}

static void notify(unsigned q)
{
	if (v.modern)
		bar_write16(&v.notify, v.q[q].notify_off, (uint16_t)q);
	else
		bar_write16(&v.io, VIRTIO_LEGACY_QUEUE_NOTIFY, (uint16_t)q);
}

/* Lay out a split ring of n entries in mem the legacy way (descriptors, avail, then used at the
 * next 4 KiB): valid for both transports. Returns 0, or -ENOSPC when it does not fit. */
static int vq_layout(struct vq *q, uint8_t *mem, uint16_t n)
{
	size_t avail_off = 16u * n, used_off = ALIGN_UP(avail_off + 6u + 2u * n, VIRTIO_LEGACY_QUEUE_ALIGN);

	if (n == 0 || n > VQ_MAX || (n & (n - 1)) || used_off + 6u + 8u * n > VQ_MEM)
		return -ENOSPC;
	memset(mem, 0, VQ_MEM);
	q->size = n;
	q->desc = (volatile struct vring_desc *)mem;
	q->avail = (volatile uint16_t *)(mem + avail_off);
	q->used_hdr = (volatile uint16_t *)(mem + used_off);
	q->used = (volatile struct vring_used_elem *)(mem + used_off + 4);
	q->avail_idx = q->kicked_idx = 0;
	q->last_used = 0;
	return 0;
}

/* Tell the device about the chains made available since the last kick, unless it asked not to be
 * told (it is still working through the ring). */
static void vq_kick(unsigned qi)
{
	struct vq *q = &v.q[qi];

	if (q->kicked_idx == q->avail_idx)
		return;
	dma_mb();
	q->kicked_idx = q->avail_idx;
	if (!(q->used_hdr[0] & VRING_USED_F_NO_NOTIFY))
		notify(qi);
}

/* Make descriptor chain head available to the device; tell it now, or leave that to vq_kick. */
static void vq_push(unsigned qi, uint16_t head, bool kick)
{
	struct vq *q = &v.q[qi];

	q->avail[2 + q->avail_idx % q->size] = head;
	dma_wmb();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	if (kick)
		vq_kick(qi);
}

/* Set up queue qi: size it, place its ring, tell the device where. Returns 0 or an error. */
static int setup_queue(unsigned qi)
{
	struct vq *q = &v.q[qi];
	uint16_t n;

	if (v.modern) {
		bar_write16(&v.common, VIRTIO_COMMON_Q_SELECT, (uint16_t)qi);
		n = bar_read16(&v.common, VIRTIO_COMMON_Q_SIZE);
		if (n == 0) {
			log_err("virtio-net: queue %u does not exist", qi);
			return -ENODEV;
		}
		n = MIN(n, VQ_MAX);		/* the driver may shrink a modern queue */
		if (vq_layout(q, v.dma->vq_mem[qi], n) != 0) {
			log_err("virtio-net: queue %u size %u is not a power of two", qi, n);
			return -EIO;
		}
		bar_write16(&v.common, VIRTIO_COMMON_Q_SIZE, n);
		bar_write32(&v.common, VIRTIO_COMMON_Q_DESCLO, (uint32_t)dma_addr((void *)q->desc));
		bar_write32(&v.common, VIRTIO_COMMON_Q_DESCHI, (uint32_t)(dma_addr((void *)q->desc) >> 32));
		bar_write32(&v.common, VIRTIO_COMMON_Q_AVAILLO, (uint32_t)dma_addr((void *)q->avail));
		bar_write32(&v.common, VIRTIO_COMMON_Q_AVAILHI, (uint32_t)(dma_addr((void *)q->avail) >> 32));
		bar_write32(&v.common, VIRTIO_COMMON_Q_USEDLO, (uint32_t)dma_addr((void *)q->used_hdr));
		bar_write32(&v.common, VIRTIO_COMMON_Q_USEDHI, (uint32_t)(dma_addr((void *)q->used_hdr) >> 32));
		q->notify_off = (uint32_t)bar_read16(&v.common, VIRTIO_COMMON_Q_NOFF) * v.notify_mult;
		if ((uint64_t)q->notify_off + 2 > v.notify.size) {
			log_err("virtio-net: queue %u notify offset 0x%x outside the notify window", qi,
				q->notify_off);
			return -EIO;
		}
		bar_write16(&v.common, VIRTIO_COMMON_Q_ENABLE, 1);
		return 0;
	}
	bar_write16(&v.io, VIRTIO_LEGACY_QUEUE_SEL, (uint16_t)qi);
	n = bar_read16(&v.io, VIRTIO_LEGACY_QUEUE_NUM);
	if (vq_layout(q, v.dma->vq_mem[qi], n) != 0) {
		/* A legacy device fixes the ring size; ours holds up to VQ_MAX entries. */
		log_err("virtio-net: legacy queue %u has %u entries; salvage supports powers of two up to %u",
			qi, n, VQ_MAX);
		return -ENOSPC;
	}
	if (dma_addr(v.dma->vq_mem[qi]) >> (32 + VIRTIO_LEGACY_PFN_SHIFT))
		return -ERANGE;
	bar_write32(&v.io, VIRTIO_LEGACY_QUEUE_PFN, (uint32_t)(dma_addr(v.dma->vq_mem[qi]) >> VIRTIO_LEGACY_PFN_SHIFT));
	return 0;
}

/* The BAR window a modern capability at config offset cap points to, checked to lie inside its BAR
 * and below 4 GiB, with at least min bytes. Returns 0 or -ENODEV. */
static int cap_window(const struct pci_dev *p, unsigned cap, uint32_t min, struct pci_bar *out)
{
	uint8_t bar = pci_read8(p, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read32(p, cap + VIRTIO_PCI_CAP_OFFSET);
	uint32_t len = pci_read32(p, cap + VIRTIO_PCI_CAP_LENGTH);
	const struct pci_bar *b;

	if (bar >= PCI_NUM_BARS || (b = &p->bar[bar])->base == 0 || len < min ||
	    (uint64_t)off + len > b->size || (!b->io && b->base + b->size > 0x100000000ull)) {
		log_warn("virtio-net: capability at 0x%x: BAR %u offset 0x%x length 0x%x unusable", cap,
			 bar, off, len);
		return -ENODEV;
	}
	*out = *b;
	out->base += off;
	out->size = len;
	return 0;
}

/* Find the modern transport's common, notify and device structures. Returns 0 or -ENODEV. */
static int find_modern(const struct pci_dev *p)
{
	bool common = false, notify_ok = false, device = false;

	for (unsigned cap = pci_find_cap(p, PCI_CAP_ID_VENDOR, 0); cap;
	     cap = pci_find_cap(p, PCI_CAP_ID_VENDOR, cap)) {
		switch (pci_read8(p, cap + VIRTIO_PCI_CAP_CFG_TYPE)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!common)
				common = cap_window(p, cap, VIRTIO_COMMON_LEN, &v.common) == 0;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!notify_ok && cap_window(p, cap, 2, &v.notify) == 0) {
				v.notify_mult = pci_read32(p, cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
				notify_ok = true;
			}
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!device)
				device = cap_window(p, cap, 6, &v.device) == 0;
			break;
		}
	}
	return common && notify_ok && device ? 0 : -ENODEV;
}

/* Reset: status 0, then (modern) wait until the device reads back 0. */
static int reset_device(void)
{
	uint64_t t0 = clock_us();

	set_status(0);
	while (get_status() != 0) {
		if (clock_us() - t0 > RESET_WAIT_US) {
			log_err("virtio-net: device did not finish its reset");
			return -EIO;
		}
	}
	return 0;
}

/* Features: only the MAC (and VERSION_1 on the modern transport, and ACCESS_PLATFORM when offered:
 * QEMU's iommu_platform=on device refuses a driver that declines it, and salvage's bus addresses are
 * what any device would use — drivers/iommu.c sees to the IOMMU). Returns 0 or an error. */
static int negotiate(void)
{
	uint64_t offered, want;

	if (v.modern) {
		bar_write32(&v.common, VIRTIO_COMMON_DFSELECT, 0);
		offered = bar_read32(&v.common, VIRTIO_COMMON_DF);
		bar_write32(&v.common, VIRTIO_COMMON_DFSELECT, 1);
		offered |= (uint64_t)bar_read32(&v.common, VIRTIO_COMMON_DF) << 32;
	} else {
		offered = bar_read32(&v.io, VIRTIO_LEGACY_HOST_FEATURES);
	}
	if (!(offered & (1ull << VIRTIO_NET_F_MAC))) {
		log_err("virtio-net: the device offers no MAC address (feature VIRTIO_NET_F_MAC)");
		return -ENODEV;
	}
	want = 1ull << VIRTIO_NET_F_MAC;
	if (v.modern) {
		if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
			log_err("virtio-net: modern transport without VIRTIO_F_VERSION_1");
			return -ENODEV;
		}
		want |= 1ull << VIRTIO_F_VERSION_1;
		want |= offered & (1ull << VIRTIO_F_ACCESS_PLATFORM);
		bar_write32(&v.common, VIRTIO_COMMON_GFSELECT, 0);
		bar_write32(&v.common, VIRTIO_COMMON_GF, (uint32_t)want);
		bar_write32(&v.common, VIRTIO_COMMON_GFSELECT, 1);
		bar_write32(&v.common, VIRTIO_COMMON_GF, (uint32_t)(want >> 32));
		set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
		if (!(get_status() & VIRTIO_STATUS_FEATURES_OK)) {
			log_err("virtio-net: device refused features 0x%llx", (unsigned long long)want);
			return -EIO;
		}
	} else {
		bar_write32(&v.io, VIRTIO_LEGACY_GUEST_FEATURES, (uint32_t)want);
	}
	return 0;
}

/* Bring the device from whatever the crashed kernel left to running with our queues: DMA off,
 * MSI(-X) off, reset, acknowledge, features, queues, receive buffers, DRIVER_OK. Prefers the modern
 * transport and falls back to legacy I/O when the modern structures are unusable. */
static int virtio_net_probe(struct nic *nic)
{
	struct pci_dev *p = &nic->pci;
	int rc;

	memset(&v, 0, sizeof(v));
	v.dma = (struct virtio_net_dma *)nic_dma_arena;
	pci_quiesce(p);
	pci_disable_msi(p);
	if (find_modern(p) == 0) {
		v.modern = true;
		v.hdr_len = sizeof(struct virtio_net_hdr);
	} else if (p->device == VIRTIO_DEV_NET_TRANSITIONAL && p->bar[0].io && p->bar[0].size >= 0x20) {
		v.io = p->bar[0];
		v.hdr_len = VIRTIO_NET_HDR_LEGACY;
	} else {
		log_err("virtio-net: neither a usable modern nor a legacy transport");
		return -ENODEV;
	}
	v.transport = true;
	if ((rc = reset_device()) != 0)
		return rc;
	pci_enable(p);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	if ((rc = negotiate()) != 0 || (rc = setup_queue(VIRTIO_NET_Q_RX)) != 0 ||
	    (rc = setup_queue(VIRTIO_NET_Q_TX)) != 0) {
		set_status(VIRTIO_STATUS_FAILED);	/* the driver gave up (stop resets it next) */
		return rc;
	}
	for (unsigned i = 0; i < 6; i++)
		nic->mac[i] = config_read8(VIRTIO_NET_CFG_MAC + i);

	/* Receive chains: header then frame, both device-writable; head = 2 * buffer index. */
	for (uint16_t i = 0; i < RX_BUFS && 2u * i + 1 < v.q[VIRTIO_NET_Q_RX].size; i++) {
		volatile struct vring_desc *d = v.q[VIRTIO_NET_Q_RX].desc;

		d[2 * i] = (struct vring_desc){ dma_addr(&v.dma->rx_hdr[i]), v.hdr_len,
						VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, (uint16_t)(2 * i + 1) };
		d[2 * i + 1] = (struct vring_desc){ dma_addr(v.dma->rx_buf[i]), BUF_SIZE, VRING_DESC_F_WRITE, 0 };
		v.q[VIRTIO_NET_Q_RX].avail[2 + i] = (uint16_t)(2 * i);
		v.q[VIRTIO_NET_Q_RX].avail_idx++;
	}
	/* Transmit chains: header (all zero: no offloads) then frame. */
	for (uint16_t i = 0; i < TX_BUFS && 2u * i + 1 < v.q[VIRTIO_NET_Q_TX].size; i++) {
		volatile struct vring_desc *d = v.q[VIRTIO_NET_Q_TX].desc;

		d[2 * i] = (struct vring_desc){ dma_addr(&v.dma->tx_hdr[i]), v.hdr_len, VRING_DESC_F_NEXT,
						(uint16_t)(2 * i + 1) };
		d[2 * i + 1] = (struct vring_desc){ dma_addr(v.dma->tx_buf[i]), 0, 0, 0 };
	}
	dma_wmb();
	v.q[VIRTIO_NET_Q_RX].avail[1] = v.q[VIRTIO_NET_Q_RX].avail_idx;
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
		   (v.modern ? VIRTIO_STATUS_FEATURES_OK : 0));
	notify(VIRTIO_NET_Q_RX);
	log_info("virtio-net: %s transport, queues %u/%u", v.modern ? "modern (1.0)" : "legacy",
		 v.q[VIRTIO_NET_Q_RX].size, v.q[VIRTIO_NET_Q_TX].size);
	return 0;
}

/* See drivers/nic.h: a device reset (status 0) ends its use of the queues; then bus mastering off. */
static void virtio_net_stop(struct nic *nic)
{
	if (v.transport)
		(void)reset_device();		/* a reset that does not finish is logged */
	pci_quiesce(&nic->pci);
}

/* Retire completed transmit chains from the used ring. */
static void tx_reclaim(void)
{
	struct vq *q = &v.q[VIRTIO_NET_Q_TX];

	while (q->last_used != q->used_hdr[1]) {
		uint32_t id = q->used[q->last_used % q->size].id;

		dma_wmb();
		if (id / 2 < TX_BUFS)
			v.tx_busy[id / 2] = false;
		q->last_used++;
	}
}

/* The next transmit slot's frame buffer, waiting (bounded) for the device to finish with it. */
static void *virtio_net_tx_buffer(struct nic *nic)
{
	uint64_t t0 = clock_us();

	for (;;) {
		tx_reclaim();
		if (!v.tx_busy[v.tx_next])
			return v.dma->tx_buf[v.tx_next];
		vq_kick(VIRTIO_NET_Q_TX);
		if (clock_us() - t0 > TX_WAIT_US) {
			log_err("virtio-net: transmit slot %u not completed in %u ms", v.tx_next,
				TX_WAIT_US / 1000);
			return NULL;
		}
	}
}

/* Queue the current slot's frame of len bytes. */
static int virtio_net_tx_submit(struct nic *nic, size_t len)
{
	unsigned i = v.tx_next;

	if (len > BUF_SIZE)
		return -EINVAL;
	v.q[VIRTIO_NET_Q_TX].desc[2 * i + 1].len = (uint32_t)len;
	v.tx_busy[i] = true;
	v.tx_next = (i + 1) % TX_BUFS;
	/* kick at the next flush, or now in a long burst so the device starts on its first half */
	vq_push(VIRTIO_NET_Q_TX, (uint16_t)(2 * i),
		(uint16_t)(v.q[VIRTIO_NET_Q_TX].avail_idx - v.q[VIRTIO_NET_Q_TX].kicked_idx) >= TX_BUFS / 2);
	return 0;
}

static void virtio_net_tx_flush(struct nic *nic)
{
	vq_kick(VIRTIO_NET_Q_TX);
}

/* The next received frame (after its virtio-net header), or 0. Malformed completions (unknown
 * chain, length shorter than the header or longer than the buffer) are recycled and skipped. */
static size_t virtio_net_rx_peek(struct nic *nic, const void **frame)
{
	struct vq *q = &v.q[VIRTIO_NET_Q_RX];

	while (q->last_used != q->used_hdr[1]) {
		volatile struct vring_used_elem *u = &q->used[q->last_used % q->size];
		uint32_t id = u->id, len = u->len;

		dma_wmb();
		v.rx_cur = (const struct vring_used_elem *)u;
		if (id % 2 == 0 && id / 2 < RX_BUFS && len > v.hdr_len && len - v.hdr_len <= BUF_SIZE) {
			*frame = v.dma->rx_buf[id / 2];
			return len - v.hdr_len;
		}
		log_warn("virtio-net: bad receive completion (id %u, length %u) skipped", id, len);
		nic->drv->rx_release(nic);
	}
	return 0;
}

/* Give the buffer of the current receive completion back to the device. */
static void virtio_net_rx_release(struct nic *nic)
{
	struct vq *q = &v.q[VIRTIO_NET_Q_RX];
	uint32_t id = v.rx_cur ? v.rx_cur->id : 0;

	q->last_used++;
	v.rx_cur = NULL;
	if (id % 2 == 0 && id / 2 < RX_BUFS)
		vq_push(VIRTIO_NET_Q_RX, (uint16_t)id, true);
}

static const struct pci_id virtio_net_ids[] = {
	{ VIRTIO_VENDOR, VIRTIO_DEV_NET_TRANSITIONAL, "transitional" },
	{ VIRTIO_VENDOR, VIRTIO_DEV_NET_MODERN, "modern" },
};

struct nic_driver virtio_net_driver NIC_DRIVER = {
	.name = "virtio-net",
	.ids = virtio_net_ids,
	.nids = ARRAY_SIZE(virtio_net_ids),
	.probe = virtio_net_probe,
	.stop = virtio_net_stop,
	.tx_buffer = virtio_net_tx_buffer,
	.tx_submit = virtio_net_tx_submit,
	.tx_flush = virtio_net_tx_flush,
	.rx_peek = virtio_net_rx_peek,
	.rx_release = virtio_net_rx_release,
};
