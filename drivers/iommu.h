/* DMA remapping units (Intel VT-d from ACPI's DMAR, AMD-Vi from IVRS) that the crashed kernel may
 * have left translating: found, matched to the NICs, and their translation turned off so that a
 * NIC's DMA reaches salvage's buffers at their physical addresses. */
#ifndef DRIVERS_IOMMU_H
#define DRIVERS_IOMMU_H

#include "lib/cmdline.h"
#include "mm/memmap.h"

#define IOMMU_UNITS_MAX 16
#define IOMMU_RANGES_MAX 32

enum iommu_kind { IOMMU_VTD, IOMMU_AMDVI };

/* One unit and the PCI requester IDs (bus << 8 | device << 3 | function) it translates for. */
struct iommu_unit {
	enum iommu_kind kind;
	uint64_t base;		/* its register block (physical) */
	uint16_t segment;	/* PCI segment group */
	bool all;		/* every device of the segment that no other unit lists (VT-d
				 * INCLUDE_PCI_ALL, an IVHD "all" entry) */
	bool unsure;		/* some of its device list could not be read or resolved: it may
				 * cover anything on its segment */
	int nranges;
	struct {
		uint16_t first, last;
	} ranges[IOMMU_RANGES_MAX];
};

struct iommu_units {
	struct iommu_unit u[IOMMU_UNITS_MAX];
	int n;
};

/* Add the DRHD units of a DMAR table (t, len bytes, already checksum-checked by drivers/acpi.c) to
 * out; device scopes through bridges are resolved with PCI config reads. Untrusted: every length is
 * checked, a bad structure ends the walk with one warning. Returns 0, or -EINVAL after that warning
 * (the units before it are kept). */
int iommu_parse_dmar(const uint8_t *t, uint32_t len, struct iommu_units *out);

/* The same for the IVHD blocks of an IVRS table; blocks describing one unit (same base) merge. */
int iommu_parse_ivrs(const uint8_t *t, uint32_t len, struct iommu_units *out);

/* Does unit i of us translate DMA from requester rid on segment seg? Listed ranges first, then an
 * "all" unit for what no unit of the segment lists; an unsure unit may cover anything there. */
bool iommu_covers(const struct iommu_units *us, int i, uint16_t seg, uint16_t rid);

/* Before any NIC DMA (when a TFTP target is configured): find the units from ACPI (the RSDP from
 * acpi_rsdp=, else boot_params, else the BIOS areas) and, on every unit covering a NIC, stop bus
 * mastering of the devices it covers and turn translation off, with one log line per unit.
 * Bounded; never fatal: a bad table or a unit that does not answer is reported and left. */
void iommu_release(const struct bootinfo *bi, const struct config *cfg);

#endif
