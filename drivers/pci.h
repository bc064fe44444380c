/* PCI configuration space (mechanism #1, ports 0xCF8/0xCFC), bus scan and BAR access. The NIC
 * drivers' interface built on it is drivers/nic.h. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include "lib/lib.h"

/* Configuration space header (type 0) offsets. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001		/* respond to I/O space accesses */
#define PCI_COMMAND_MEMORY 0x0002	/* respond to memory space accesses */
#define PCI_COMMAND_MASTER 0x0004	/* may initiate DMA (bus master) */
#define PCI_COMMAND_INTX_DISABLE 0x0400	/* no legacy interrupts: salvage polls */
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x0010	/* capabilities pointer at 0x34 is valid */
#define PCI_REVISION 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_BAR0 0x10
#define PCI_BAR_IO 0x1			/* bit 0: I/O space BAR */
#define PCI_BAR_MEM_TYPE_MASK 0x6	/* bits 2:1 of a memory BAR: 00 32-bit, 10 64-bit */
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8
#define PCI_CAP_PTR 0x34
#define PCI_CAP_ID 0			/* capability: ID byte, next pointer byte, then its body */
#define PCI_CAP_NEXT 1
#define PCI_CAP_ID_MSI 0x05
#define PCI_MSI_FLAGS 2			/* MSI message control (16-bit) */
#define PCI_MSI_FLAGS_ENABLE 0x0001
#define PCI_CAP_ID_VENDOR 0x09		/* vendor-specific (virtio uses these) */
#define PCI_CAP_ID_MSIX 0x11
#define PCI_MSIX_FLAGS 2		/* MSI-X message control (16-bit) */
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_NUM_BARS 6

struct pci_bar {
	uint64_t base;		/* bus address (I/O port or physical memory address); 0 = absent */
	uint64_t size;
	bool io;		/* I/O space rather than memory */
	bool is64;		/* 64-bit memory BAR (occupies two slots) */
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if, revision;
	struct pci_bar bar[PCI_NUM_BARS];
};

/* Raw configuration space access; off is a byte offset < 256, aligned to the access size. */
uint8_t pci_read8(const struct pci_dev *p, unsigned off);
uint16_t pci_read16(const struct pci_dev *p, unsigned off);
uint32_t pci_read32(const struct pci_dev *p, unsigned off);
void pci_write16(const struct pci_dev *p, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *p, unsigned off, uint32_t v);

/* Call fn for every present function on every bus, in bus/device/function order, with its ids and
 * decoded BARs filled in; stops early when fn returns non-zero and returns that value (else 0). */
int pci_scan(int (*fn)(struct pci_dev *p, void *ctx), void *ctx);

/* Stop the function's DMA (bus mastering off, registers still decoded, INTx disabled): the crashed
 * kernel may have left it running. Use before resetting a device. */
void pci_quiesce(const struct pci_dev *p);
/* Turn off MSI and MSI-X (the crashed kernel may have enabled them; a legacy virtio device moves
 * its config registers when MSI-X is on). */
void pci_disable_msi(const struct pci_dev *p);
/* Enable memory and I/O decoding and bus mastering, with legacy interrupts disabled. */
void pci_enable(const struct pci_dev *p);

/* The first capability with this ID at or after config offset start (0: from the list head), or 0
 * when none. The walk is bounded: a looping or out-of-range list ends it. */
unsigned pci_find_cap(const struct pci_dev *p, uint8_t id, unsigned start);

/* Access to a BAR's registers, I/O or memory-mapped alike. The caller checks off + width <= size
 * (drivers check once, at probe time, that the BAR is large enough for their register block).
 * Memory BARs are accessed at their physical address: salvage runs with physical = virtual. */
uint8_t bar_read8(const struct pci_bar *b, uint32_t off);
uint16_t bar_read16(const struct pci_bar *b, uint32_t off);
uint32_t bar_read32(const struct pci_bar *b, uint32_t off);
void bar_write8(const struct pci_bar *b, uint32_t off, uint8_t v);
void bar_write16(const struct pci_bar *b, uint32_t off, uint16_t v);
void bar_write32(const struct pci_bar *b, uint32_t off, uint32_t v);

/* The bus address a device uses to reach salvage's own memory by DMA: salvage runs identity-mapped
 * (no paging, or paging with virtual == physical), so it is the pointer itself. */
static inline uint64_t dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
