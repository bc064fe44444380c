/* ACPI table finder: the RSDP (given, EBDA or BIOS area), the RSDT/XSDT and tables by signature,
 * all read through phys_read and checked (signature, length, checksum) before use. */
#include "drivers/acpi.h"
#include "lib/log.h"
#include "mm/phys.h"

/* Root System Description Pointer (ACPI 6.5, 5.2.5.3). */
struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	uint8_t checksum;	/* the first 20 bytes (the ACPI 1.0 part) sum to 0 */
	char oem_id[6];
	uint8_t revision;	/* 0: ACPI 1.0, only the first 20 bytes exist; 2 and up: all of them */
	uint32_t rsdt;
	uint32_t length;	/* of the whole structure */
	uint64_t xsdt;
	uint8_t ext_checksum;	/* all length bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP (revision 2) is 36 bytes");

#define RSDP_V1_LEN 20
#define RSDP_ALIGN 16			/* the BIOS search looks at 16-byte boundaries */
#define BDA_EBDA_SEGMENT 0x40e		/* BIOS data area: u16 real-mode segment of the EBDA */
#define EBDA_SEARCH_LEN 1024		/* the RSDP is in the EBDA's first KiB */
#define EBDA_LOW 0x80000u		/* an EBDA pointer outside 512-640 KiB is not one */
#define EBDA_HIGH 0xa0000u
#define BIOS_AREA 0xe0000u		/* read-only BIOS space searched next */
#define BIOS_AREA_END 0x100000u
#define SEARCH_CHUNK 256u
#define RSDP_LEN_MAX 4096u		/* an RSDP claiming more is corrupt */
#define ROOT_ENTRIES_MAX 1024u		/* far more tables than any machine has: a longer root is bad */
#define CHECKSUM_CHUNK 256u

/* Sum of len bytes at physical addr (len already bounded by the caller). Returns 0 when they sum to
 * 0 mod 256, 1 when not, -ERANGE when unreadable. */
static int checksum_at(uint64_t addr, uint32_t len)
{
	uint8_t buf[CHECKSUM_CHUNK], sum = 0;
	uint32_t done = 0, n, i;

	while (done < len) {
		n = MIN(len - done, CHECKSUM_CHUNK);
		if (phys_read(addr + done, buf, n) != 0)
			return -ERANGE;
		for (i = 0; i < n; i++)
			sum = (uint8_t)(sum + buf[i]);
		done += n;
	}
	return sum == 0 ? 0 : 1;
}

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

/* Check the root table (RSDT or XSDT, by xsdt) at addr: signature, length, checksum. Fills r and
 * returns 0, or returns a short reason. */
static const char *root_check(uint64_t addr, bool xsdt, struct acpi_root *r)
{
	struct acpi_header h;
	uint32_t esize = xsdt ? 8 : 4;

	if (addr == 0)
		return "address 0";
	if (phys_read(addr, &h, sizeof(h)) != 0)
		return "unreadable";
	if (memcmp(h.signature, xsdt ? "XSDT" : "RSDT", 4) != 0)
		return "wrong signature";
	if (h.length < sizeof(h) || h.length > sizeof(h) + ROOT_ENTRIES_MAX * esize)
		return "absurd length";
	if (checksum_at(addr, h.length) != 0)
		return "bad checksum";
	r->root = addr;
	r->xsdt = xsdt;
	r->nentries = (h.length - (uint32_t)sizeof(h)) / esize;
	return NULL;
}

/* Is there a good RSDP at addr? When so, fill r (RSDP and a good root: the XSDT when the revision
 * has one and it checks out, else the RSDT) and return NULL; else return why not. */
static const char *rsdp_check(uint64_t addr, struct acpi_root *r)
{
	struct acpi_rsdp p;
	const char *why;

	if (phys_read(addr, &p, RSDP_V1_LEN) != 0)
		return "unreadable";
	if (memcmp(p.signature, "RSD PTR ", 8) != 0)
		return "no \"RSD PTR \" signature";
	if (checksum(&p, RSDP_V1_LEN) != 0)
		return "bad checksum";
	/* An extended part that is unreadable, too short or fails its checksum is ignored: the
	 * ACPI 1.0 part stands on its own. */
	if (p.revision >= 2 && phys_read(addr, &p, sizeof(p)) == 0 && p.length >= sizeof(p) &&
	    p.length <= RSDP_LEN_MAX && checksum_at(addr, p.length) == 0 && p.xsdt != 0) {
		why = root_check(p.xsdt, true, r);
		if (!why) {
			r->rsdp = addr;
			return NULL;
		}
		log_warn("acpi: XSDT at 0x%llx (RSDP at 0x%llx): %s; trying the RSDT",
			 (unsigned long long)p.xsdt, (unsigned long long)addr, why);
	}
	if (root_check(p.rsdt, false, r) != NULL)
		return p.rsdt ? "its RSDT is bad" : "no RSDT and no usable XSDT";
	r->rsdp = addr;
	return NULL;
}

/* Search [start, end) on 16-byte boundaries for a good RSDP. Returns 0 with r filled, or -ENOENT. */
static int rsdp_search(uint32_t start, uint32_t end, struct acpi_root *r)
{
	uint8_t buf[SEARCH_CHUNK];
	uint32_t at, n, off;

	for (at = start; at < end; at += n) {
		n = MIN(end - at, SEARCH_CHUNK);
		if (phys_read(at, buf, n) != 0)
			continue;
		for (off = 0; off + 8 <= n; off += RSDP_ALIGN)
			if (memcmp(buf + off, "RSD PTR ", 8) == 0 && rsdp_check(at + off, r) == NULL)
				return 0;
	}
	return -ENOENT;
}

/* Contract in drivers/acpi.h. */
int acpi_init(struct acpi_root *r, uint64_t hint)
{
	const char *from = "given";
	uint16_t seg;
	uint32_t ebda;

	memset(r, 0, sizeof(*r));
	if (hint) {
		const char *why = rsdp_check(hint, r);

		if (!why)
			goto found;
		log_warn("acpi: no usable RSDP at 0x%llx (%s); searching the BIOS areas",
			 (unsigned long long)hint, why);
	}
	/* The ACPI spec's legacy search: the EBDA's first KiB, then the BIOS read-only area. */
	if (phys_read(BDA_EBDA_SEGMENT, &seg, sizeof(seg)) == 0) {
		ebda = (uint32_t)seg << 4;
		if (ebda >= EBDA_LOW && ebda < EBDA_HIGH && rsdp_search(ebda, ebda + EBDA_SEARCH_LEN, r) == 0) {
			from = "EBDA";
			goto found;
		}
	}
	if (rsdp_search(BIOS_AREA, BIOS_AREA_END, r) == 0) {
		from = "BIOS area";
		goto found;
	}
	return -ENOENT;
found:
	log_info("acpi: RSDP at 0x%llx (%s), %s at 0x%llx with %u tables", (unsigned long long)r->rsdp,
		 from, r->xsdt ? "XSDT" : "RSDT", (unsigned long long)r->root, r->nentries);
	return 0;
}

/* Contract in drivers/acpi.h. */
int acpi_table(const struct acpi_root *r, const char *sig, void *buf, size_t size, uint64_t *at)
{
	uint32_t esize = r->xsdt ? 8 : 4, i, n = MIN(r->nentries, ROOT_ENTRIES_MAX);
	const char *bad = NULL;
	uint64_t bad_at = 0;
	struct acpi_header h;

	for (i = 0; i < n; i++) {
		uint64_t addr = 0;

		if (phys_read(r->root + sizeof(h) + (uint64_t)i * esize, &addr, esize) != 0 || addr == 0)
			continue;
		if (phys_read(addr, &h, sizeof(h)) != 0 || memcmp(h.signature, sig, 4) != 0)
			continue;
		if (h.length < sizeof(h) || h.length > size) {
			bad = "length out of range";
		} else if (phys_read(addr, buf, h.length) != 0) {
			bad = "unreadable";
		} else if (checksum(buf, h.length) != 0) {
			bad = "bad checksum";
		} else {
			*at = addr;
			return (int)h.length;
		}
		bad_at = addr;
	}
	if (!bad)
		return 0;
	log_warn("acpi: %.4s table at 0x%llx: %s; ignored", sig, (unsigned long long)bad_at, bad);
	return -EINVAL;
}
