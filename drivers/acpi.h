/* Finding ACPI tables in the crashed machine's memory: the RSDP, its RSDT or XSDT, and a table by
 * signature (drivers/iommu.c wants DMAR and IVRS). Every byte is untrusted: signatures, lengths and
 * checksums are checked and every loop is bounded. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "lib/lib.h"

/* The header every ACPI system description table starts with (ACPI 6.5, 5.2.6). */
struct acpi_header {
	char signature[4];
	uint32_t length;		/* of the whole table, this header included */
	uint8_t revision;
	uint8_t checksum;		/* all length bytes sum to 0 (mod 256) */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header is 36 bytes");

/* Where the tables are: found once by acpi_init, then searched by acpi_table. */
struct acpi_root {
	uint64_t rsdp;		/* physical address of the RSDP used */
	uint64_t root;		/* the RSDT or XSDT */
	bool xsdt;		/* root entries are 64-bit (XSDT) rather than 32-bit (RSDT) */
	uint32_t nentries;	/* table pointers in the root */
};

/* Find the RSDP — at hint first when non-zero (acpi_rsdp= or boot_params), else in the first KiB of
 * the EBDA, else in the BIOS area 0xE0000-0xFFFFF — and check it and its root table. A bad hint or
 * root is reported with one warning line. Returns 0 with r filled, or -ENOENT when there is no
 * usable ACPI. Reads only through phys_read. */
int acpi_init(struct acpi_root *r, uint64_t hint);

/* Copy the first table with this 4-character signature whose length and checksum are right into
 * buf (size bytes). Returns its length (> 0) with *at its physical address; 0 when the root lists
 * no such table; -EINVAL after one warning line when the only ones found are bad or larger than
 * size. */
int acpi_table(const struct acpi_root *r, const char *sig, void *buf, size_t size, uint64_t *at);

#endif
