/* The NIC driver interface: each driver file registers a struct nic_driver with NIC_DRIVER, and
 * net/netif.c offers every PCI function to the drivers whose id tables list it (drivers/nic.c). */
#ifndef DRIVERS_NIC_H
#define DRIVERS_NIC_H

#include "drivers/pci.h"
#include "lib/lib.h"

#define NIC_FRAME_MAX 1514	/* Ethernet frame without FCS; no jumbo frames */

struct pci_id {
	uint16_t vendor, device;
	const char *model;	/* e.g. "82540EM" */
};

struct nic;

/* A driver drives one device at a time: its state is static. Every operation but probe and stop is
 * called only between a probe that returned 0 and the next stop. */
struct nic_driver {
	const char *name;	/* e.g. "e1000" */
	const struct pci_id *ids;
	size_t nids;
	/* Reset the device (whatever state the crashed kernel left it in), set up its rings in
	 * nic_dma_arena and start receiving; fill nic->mac. Returns 0 or a negative error after
	 * logging why; stop follows a failed probe, so probe need not undo what it did. */
	int (*probe)(struct nic *nic);
	/* Quiet the device for good: receive and transmit off, device reset where it has one, bus
	 * mastering off, so it neither reads nor writes memory again until the next probe. Safe on a
	 * device in any state probe left it in (even one whose BARs probe refused); bounded in time;
	 * never fails. Called after a failed probe, when a dump target fails over to the next and
	 * before salvage reboots or halts: the next driver, target or kernel gets a quiet device. */
	void (*stop)(struct nic *nic);
	/* A free transmit buffer of NIC_FRAME_MAX bytes, reclaiming completed ones (when the ring is
	 * full: flushing, then waiting a bounded time); NULL when the device stopped taking frames. */
	void *(*tx_buffer)(struct nic *nic);
	/* Queue the buffer returned by the last tx_buffer, len bytes (60..NIC_FRAME_MAX): sent at
	 * once, or at the next tx_flush for a driver that has one. */
	int (*tx_submit)(struct nic *nic, size_t len);
	/* Optional: ring the doorbell once for every frame queued since the last flush (virtio-net:
	 * its notify waits for QEMU's main loop, and a 64 KiB TFTP block is 45 frames). */
	void (*tx_flush)(struct nic *nic);
	/* The next received frame: its length (and *frame points at it), or 0 when none is waiting.
	 * The frame stays valid until rx_release, which returns the buffer to the device. */
	size_t (*rx_peek)(struct nic *nic, const void **frame);
	void (*rx_release)(struct nic *nic);
};

struct nic {
	const struct nic_driver *drv;
	struct pci_dev pci;
	const struct pci_id *id;	/* the matching entry of drv->ids */
	uint8_t mac[6];
};

/* Rings and buffers the NIC's DMA reaches, shared by all drivers: only one NIC runs at a time, and a
 * driver's stop ends the device's DMA before the next driver takes the arena. Each driver overlays
 * its own struct (a pointer in its state, never a macro) and _Static_asserts that it fits. */
#define NIC_DMA_ARENA_SIZE (176u * 1024u)
extern uint8_t nic_dma_arena[NIC_DMA_ARENA_SIZE];

/* Place a driver in the link-time table (linker.ld gathers .tbl.* sorted; see drivers/nic.c). */
#define NIC_DRIVER __attribute__((used, aligned(4), section(".tbl.nic_drivers.01")))

/* The driver table's bounds (drivers/nic.c): iterate d = nic_drivers_start; d < nic_drivers_end. */
extern struct nic_driver nic_drivers_start[], nic_drivers_end[];

/* The id entry of driver d that lists PCI function p, or NULL. */
const struct pci_id *nic_match(const struct nic_driver *d, const struct pci_dev *p);

/* The supported NICs as one line built from the table, "e1000 8086:100e 8086:100f, virtio-net
 * 1af4:1000 ...", into buf (always NUL-terminated; cut short with "..." when it does not fit). */
void nic_supported(char *buf, size_t size);

#endif
