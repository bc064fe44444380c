/* The NIC driver table (its bounds and the DMA arena the drivers share) and the lookups over it. */
#include "drivers/nic.h"

/* Empty markers sorted around the drivers' NIC_DRIVER entries by the linker script's
 * KEEP(*(SORT(.tbl.*))). */
struct nic_driver nic_drivers_start[0] __attribute__((used, aligned(4), section(".tbl.nic_drivers.00")));
struct nic_driver nic_drivers_end[0] __attribute__((used, aligned(4), section(".tbl.nic_drivers.99")));

uint8_t nic_dma_arena[NIC_DMA_ARENA_SIZE] __attribute__((aligned(4096)));

/* See drivers/nic.h. */
const struct pci_id *nic_match(const struct nic_driver *d, const struct pci_dev *p)
{
	for (size_t i = 0; i < d->nids; i++)
		if (d->ids[i].vendor == p->vendor && d->ids[i].device == p->device)
			return &d->ids[i];
	return NULL;
}

/* See drivers/nic.h: each driver's name, then its vendor:device ids. n counts what snprintf would
 * have written, so a cut line stays cut. */
void nic_supported(char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (const struct nic_driver *d = nic_drivers_start; d < nic_drivers_end; d++) {
		const char *sep = d == nic_drivers_start ? "" : ", ";

		n += (size_t)snprintf(buf + MIN(n, size), size - MIN(n, size), "%s%s", sep, d->name);
		for (size_t i = 0; i < d->nids; i++)
			n += (size_t)snprintf(buf + MIN(n, size), size - MIN(n, size), " %04x:%04x",
					      d->ids[i].vendor, d->ids[i].device);
	}
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}
