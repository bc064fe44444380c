/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC): bus scan, BAR decoding, bus mastering and
 * capability walks, plus BAR register access. */
#include "arch/io.h"
#include "drivers/pci.h"
#include "lib/log.h"

#define PCI_CONFIG_ADDRESS 0xcf8	/* write: enable | bus << 16 | dev << 11 | fn << 8 | offset */
#define PCI_CONFIG_DATA 0xcfc		/* read/write the addressed dword (byte lanes by offset & 3) */
#define PCI_CONFIG_ENABLE 0x80000000u
#define PCI_VENDOR_NONE 0xffff		/* no function answers at this address */
#define PCI_MAX_BUS 256
#define PCI_MAX_DEV 32
#define PCI_MAX_FN 8
#define PCI_CAP_WALK_MAX 48		/* (256 - 64) / 4: more capabilities than fit means a loop */

static void pci_select(const struct pci_dev *p, unsigned off)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)p->bus << 16 | (uint32_t)p->dev << 11 |
				 (uint32_t)p->fn << 8 | (off & 0xfc));
}

/* Config space reads and writes: off < 256, naturally aligned; other offsets are a caller bug. */
uint32_t pci_read32(const struct pci_dev *p, unsigned off)
{
	pci_select(p, off);
	return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(const struct pci_dev *p, unsigned off)
{
	pci_select(p, off);
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_dev *p, unsigned off)
{
	pci_select(p, off);
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(const struct pci_dev *p, unsigned off, uint32_t v)
{
	pci_select(p, off);
	outl(PCI_CONFIG_DATA, v);
}

void pci_write16(const struct pci_dev *p, unsigned off, uint16_t v)
{
	pci_select(p, off);
	outw(PCI_CONFIG_DATA + (off & 2), v);
}

/* Size and decode BAR i (sizing writes all ones and reads back which bits stick) with decoding
 * off meanwhile. Returns how many BAR slots it used (2 for a 64-bit BAR). */
static int decode_bar(struct pci_dev *p, int i)
{
	unsigned off = PCI_BAR0 + 4u * (unsigned)i;
	uint32_t lo = pci_read32(p, off), mask;
	struct pci_bar *b = &p->bar[i];

	pci_write32(p, off, 0xffffffffu);
	mask = pci_read32(p, off);
	pci_write32(p, off, lo);
	if (mask == 0 || mask == 0xffffffffu)
		return 1;			/* unimplemented BAR */
	if (lo & PCI_BAR_IO) {
		b->io = true;
		b->base = lo & ~0x3u;
		b->size = (uint16_t)~(mask & ~0x3u) + 1u;
		return 1;
	}
	b->base = lo & ~0xfu;
	b->size = (uint32_t)~(mask & ~0xfu) + 1u;
	if ((lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < PCI_NUM_BARS) {
		uint32_t hi = pci_read32(p, off + 4), himask;

		pci_write32(p, off + 4, 0xffffffffu);
		himask = pci_read32(p, off + 4);
		pci_write32(p, off + 4, hi);
		b->is64 = true;
		b->base |= (uint64_t)hi << 32;
		b->size = ~(((uint64_t)himask << 32) | (mask & ~0xfu)) + 1u;
		return 2;
	}
	return 1;
}

static void decode_bars(struct pci_dev *p)
{
	uint16_t cmd = pci_read16(p, PCI_COMMAND);

	pci_write16(p, PCI_COMMAND, cmd & (uint16_t)~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < PCI_NUM_BARS;)
		i += decode_bar(p, i);
	pci_write16(p, PCI_COMMAND, cmd);
}

/* Walk every bus, device and function (functions 1-7 only on multi-function devices); fill in ids
 * and BARs of each present function (header type 0 only: bridges are listed without BARs) and call
 * fn. Returns fn's first non-zero result, else 0. Reads only config space; writes only BARs while
 * sizing them, restoring them after. */
int pci_scan(int (*fn)(struct pci_dev *p, void *ctx), void *ctx)
{
	for (unsigned bus = 0; bus < PCI_MAX_BUS; bus++) {
		for (unsigned dev = 0; dev < PCI_MAX_DEV; dev++) {
			for (unsigned f = 0; f < PCI_MAX_FN; f++) {
				struct pci_dev p = { .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)f };
				uint8_t ht;
				int rc;

				p.vendor = pci_read16(&p, PCI_VENDOR_ID);
				if (p.vendor == PCI_VENDOR_NONE) {
					if (f == 0)
						break;
					continue;
				}
				ht = pci_read8(&p, PCI_HEADER_TYPE);
				p.device = pci_read16(&p, PCI_DEVICE_ID);
				p.class = pci_read8(&p, PCI_CLASS);
				p.subclass = pci_read8(&p, PCI_SUBCLASS);
				p.prog_if = pci_read8(&p, PCI_PROG_IF);
				p.revision = pci_read8(&p, PCI_REVISION);
				if ((ht & PCI_HEADER_TYPE_MASK) == 0)
					decode_bars(&p);
				if ((rc = fn(&p, ctx)) != 0)
					return rc;
				if (f == 0 && !(ht & PCI_HEADER_MULTIFUNCTION))
					break;
			}
		}
	}
	return 0;
}

/* Turn off bus mastering (the device's DMA) but keep its registers decoded so a driver can reset
 * it; interrupts stay disabled. Never touches the device's own registers. */
void pci_quiesce(const struct pci_dev *p)
{
	pci_write16(p, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
}

/* Clear the enable bits of the MSI and MSI-X capabilities, when present. */
void pci_disable_msi(const struct pci_dev *p)
{
	unsigned cap;

	if ((cap = pci_find_cap(p, PCI_CAP_ID_MSI, 0)) != 0)
		pci_write16(p, cap + PCI_MSI_FLAGS,
			    pci_read16(p, cap + PCI_MSI_FLAGS) & (uint16_t)~PCI_MSI_FLAGS_ENABLE);
	if ((cap = pci_find_cap(p, PCI_CAP_ID_MSIX, 0)) != 0)
		pci_write16(p, cap + PCI_MSIX_FLAGS,
			    pci_read16(p, cap + PCI_MSIX_FLAGS) & (uint16_t)~PCI_MSIX_FLAGS_ENABLE);
}

/* Turn on decoding of both spaces and bus mastering; INTx stays disabled (salvage polls). */
void pci_enable(const struct pci_dev *p)
{
	pci_write16(p, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				    PCI_COMMAND_INTX_DISABLE);
}

/* Follow the capability list from its head (or from start's next pointer) to the first entry with
 * this ID. Pointers below 0x40 (the standard header) end the walk, as does a list longer than can
 * fit in config space. Returns the capability's config offset, or 0. */
unsigned pci_find_cap(const struct pci_dev *p, uint8_t id, unsigned start)
{
	unsigned off;

	if (!(pci_read16(p, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = start ? pci_read8(p, start + PCI_CAP_NEXT) : pci_read8(p, PCI_CAP_PTR);
	for (int n = 0; n < PCI_CAP_WALK_MAX; n++) {
		off &= 0xfc;			/* the low two bits are reserved */
		if (off < 0x40)
			return 0;
		if (pci_read8(p, off + PCI_CAP_ID) == id)
			return off;
		off = pci_read8(p, off + PCI_CAP_NEXT);
	}
	log_warn("pci %02x:%02x.%x: capability list loops; ignoring the rest", p->bus, p->dev, p->fn);
	return 0;
}

/* BAR register access: port I/O or volatile MMIO at the physical address. */
static inline volatile void *mmio(const struct pci_bar *b, uint32_t off)
{
	return (volatile void *)(uintptr_t)(b->base + off);
}

uint8_t bar_read8(const struct pci_bar *b, uint32_t off)
{
	return b->io ? inb((uint16_t)(b->base + off)) : *(volatile uint8_t *)mmio(b, off);
}

uint16_t bar_read16(const struct pci_bar *b, uint32_t off)
{
	return b->io ? inw((uint16_t)(b->base + off)) : *(volatile uint16_t *)mmio(b, off);
}

uint32_t bar_read32(const struct pci_bar *b, uint32_t off)
{
	return b->io ? inl((uint16_t)(b->base + off)) : *(volatile uint32_t *)mmio(b, off);
}

void bar_write8(const struct pci_bar *b, uint32_t off, uint8_t v)
{
	if (b->io)
		outb((uint16_t)(b->base + off), v);
	else
		*(volatile uint8_t *)mmio(b, off) = v;
}

void bar_write16(const struct pci_bar *b, uint32_t off, uint16_t v)
{
	if (b->io)
		outw((uint16_t)(b->base + off), v);
	else
		*(volatile uint16_t *)mmio(b, off) = v;
}

void bar_write32(const struct pci_bar *b, uint32_t off, uint32_t v)
{
	if (b->io)
		outl((uint16_t)(b->base + off), v);
	else
		*(volatile uint32_t *)mmio(b, off) = v;
}
