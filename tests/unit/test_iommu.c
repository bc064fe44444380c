/* Unit tests for drivers/acpi.c and drivers/iommu.c: RSDP/RSDT/XSDT, DMAR and IVRS tables built in
 * fake physical memory — good ones and truncated, looping, mis-summed and lying ones — and the
 * register sequences that turn VT-d and AMD-Vi translation off, against small register models. */
/* unit-sources: drivers/acpi.c drivers/iommu.c */
#include <stdio.h>
#include <string.h>

#include "drivers/acpi.h"
#include "drivers/iommu.h"
#include "drivers/nic.h"
#include "mm/phys.h"
#include "ok.h"
#include "shim.h"

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* ---- fake PCI: a function list, bridges' bus numbers, and which functions were quiesced ---- */

struct fake_fn {
	uint8_t bus, dev, fn, class, subclass, secondary, subordinate;
	int quiesced;
};
static struct fake_fn fns[16];
static int nfns;

static void fn_add(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t class, uint8_t subclass, uint8_t sec, uint8_t sub)
{
	fns[nfns++] = (struct fake_fn){ bus, dev, fn, class, subclass, sec, sub, 0 };
}

static struct fake_fn *fn_at(const struct pci_dev *p)
{
	for (int i = 0; i < nfns; i++)
		if (fns[i].bus == p->bus && fns[i].dev == p->dev && fns[i].fn == p->fn)
			return &fns[i];
	return NULL;
}

uint8_t nic_dma_arena[NIC_DMA_ARENA_SIZE];	/* drivers/nic.c's; iommu_release's scratch */

int pci_scan(int (*fn)(struct pci_dev *p, void *ctx), void *ctx)
{
	for (int i = 0; i < nfns; i++) {
		struct pci_dev p = { .bus = fns[i].bus, .dev = fns[i].dev, .fn = fns[i].fn,
				     .class = fns[i].class, .subclass = fns[i].subclass };
		int rc = fn(&p, ctx);

		if (rc)
			return rc;
	}
	return 0;
}

uint8_t pci_read8(const struct pci_dev *p, unsigned off)
{
	struct fake_fn *f = fn_at(p);

	if (!f)
		return 0xff;
	return off == 0x19 ? f->secondary : off == 0x1a ? f->subordinate : 0;
}

void pci_quiesce(const struct pci_dev *p)
{
	struct fake_fn *f = fn_at(p);

	if (f)
		f->quiesced++;
}

/* ---- register models: one VT-d unit and one AMD-Vi unit ---- */

#define VTD_BASE 0xfed90000ull
#define AMD_BASE 0xfed80000ull

static struct {
	uint32_t gsts, cap, pmen, last_gcmd;
	int gcmd_writes;
	bool stuck;		/* TES never clears */
	bool dead;		/* every register reads all ones */
} vtd;

static struct {
	uint32_t control, status;
	int writes;
} amd;

static int mmio_reads;

/* Every register read advances the fake clock by 1 ms, so a unit that never answers ends a
 * bounded wait quickly. */
uint32_t mmio_read32(uint64_t addr)
{
	mmio_reads++;
	fake_now_us += 1000;
	if (addr >= VTD_BASE && addr < VTD_BASE + 0x1000) {
		if (vtd.dead)
			return 0xffffffffu;
		switch (addr - VTD_BASE) {
		case 0x00: return 0x10;
		case 0x08: return vtd.cap;
		case 0x1c: return vtd.gsts;
		case 0x64: return vtd.pmen;
		}
		return 0;
	}
	if (addr == AMD_BASE + 0x18)
		return amd.control;
	if (addr == AMD_BASE + 0x2020)
		return amd.status;
	return 0xffffffffu;
}

void mmio_write32(uint64_t addr, uint32_t v)
{
	if (addr == VTD_BASE + 0x18) {
		vtd.last_gcmd = v;
		vtd.gcmd_writes++;
		/* the model keeps the persistent state bits it is given; TE is the one that moves */
		if (!vtd.stuck)
			vtd.gsts = (vtd.gsts & ~0x80000000u) | (v & 0x80000000u);
	} else if (addr == VTD_BASE + 0x64) {
		vtd.pmen = v & 0x80000000u ? v | 1 : v & ~1u;
	} else if (addr == AMD_BASE + 0x18) {
		amd.writes++;
		amd.control = v;
		amd.status = (v & (1u << 12) ? 1u << 4 : 0) | (v & (1u << 2) ? 1u << 3 : 0);
	}
}

/* ---- building ACPI tables ---- */

/* Fill a standard header (signature, length) and fix its checksum. */
static void acpi_seal(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "SALVGE", 6);
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - sum(t, len));
}

/* An RSDP at p: revision 2 with an XSDT when xsdt != 0, else revision 0 with only the RSDT. */
static void rsdp_make(uint8_t *p, uint32_t rsdt, uint64_t xsdt)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "SALVGE", 6);
	p[15] = xsdt ? 2 : 0;
	put32(p + 16, rsdt);
	p[8] = (uint8_t)(0x100 - sum(p, 20));
	if (xsdt) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
		p[32] = (uint8_t)(0x100 - sum(p, 36));
	}
}

/* Fake memory: BIOS area, BDA and EBDA, and a high region holding the root tables and tables. */
static uint8_t bios[0x20000], bda[0x100], ebda[0x400], high[0x10000];
#define HIGH 0x7000000u
#define XSDT_AT (HIGH + 0x0)
#define RSDT_AT (HIGH + 0x100)
#define DMAR_AT (HIGH + 0x1000)
#define IVRS_AT (HIGH + 0x3000)
#define HINT_AT (HIGH + 0x8000)
#define EBDA_AT 0x9fc00u

static void mem_reset(void)
{
	fakemem_reset();
	log_reset();
	memset(bios, 0, sizeof(bios));
	memset(bda, 0, sizeof(bda));
	memset(ebda, 0, sizeof(ebda));
	memset(high, 0, sizeof(high));
	fakemem_map(0xe0000, bios, sizeof(bios));
	fakemem_map(0x400, bda, sizeof(bda));
	fakemem_map(EBDA_AT, ebda, sizeof(ebda));
	fakemem_map(HIGH, high, sizeof(high));
}

/* XSDT and RSDT listing the given table addresses (n of them). */
static void roots(const uint64_t *tables, int n)
{
	for (int i = 0; i < n; i++) {
		put64(high + (XSDT_AT - HIGH) + 36 + 8 * i, tables[i]);
		put32(high + (RSDT_AT - HIGH) + 36 + 4 * i, (uint32_t)tables[i]);
	}
	acpi_seal(high + (XSDT_AT - HIGH), "XSDT", 36 + 8 * n);
	acpi_seal(high + (RSDT_AT - HIGH), "RSDT", 36 + 4 * n);
}

/* A DMAR table under construction. */
static uint8_t tb[4096];
static uint32_t tlen;

static void dmar_begin(void)
{
	memset(tb, 0, sizeof(tb));
	tlen = 48;
	tb[36] = 38;		/* host address width - 1 */
}

/* A DRHD with flags, segment and base; returns its offset so scopes can be added. */
static uint32_t drhd(uint8_t flags, uint16_t seg, uint64_t base)
{
	uint32_t at = tlen;

	put16(tb + at, 0);
	put16(tb + at + 2, 16);
	tb[at + 4] = flags;
	put16(tb + at + 6, seg);
	put64(tb + at + 8, base);
	tlen += 16;
	return at;
}

/* A device scope appended to the DRHD at `at`: type, start bus, npath (dev, fn) pairs. */
static void scope(uint32_t at, uint8_t type, uint8_t bus, int npath, const uint8_t *path)
{
	uint8_t *s = tb + tlen;

	s[0] = type;
	s[1] = (uint8_t)(6 + 2 * npath);
	s[5] = bus;
	if (npath)
		memcpy(s + 6, path, (size_t)(2 * npath));
	tlen += s[1];
	put16(tb + at + 2, (uint16_t)(tlen - at));
}

static struct iommu_units us;

static int parse_dmar(void)
{
	memset(&us, 0, sizeof(us));
	log_reset();
	return iommu_parse_dmar(tb, tlen, &us);
}

static uint16_t rid(int bus, int dev, int fn)
{
	return (uint16_t)(bus << 8 | dev << 3 | fn);
}

/* ---- ACPI finder ---- */

static void test_rsdp_sources(void)
{
	struct acpi_root r;
	uint64_t t[1] = { DMAR_AT };

	mem_reset();
	roots(t, 1);
	ok(acpi_init(&r, 0) == -ENOENT, "no RSDP anywhere: -ENOENT");

	rsdp_make(bios + 0x159e0, RSDT_AT, XSDT_AT);
	ok(acpi_init(&r, 0) == 0 && r.rsdp == 0xf59e0 && r.xsdt && r.root == XSDT_AT && r.nentries == 1,
	   "legacy search finds the RSDP in the BIOS area and takes its XSDT");
	ok(log_has("RSDP at 0xf59e0 (BIOS area), XSDT at 0x7000000 with 1 tables"), "one line says where");

	rsdp_make(ebda + 0x40, RSDT_AT, 0);
	put16(bda + 0x0e, EBDA_AT >> 4);
	ok(acpi_init(&r, 0) == 0 && r.rsdp == EBDA_AT + 0x40 && !r.xsdt && r.root == RSDT_AT,
	   "the EBDA is searched first; a revision 0 RSDP gives the RSDT");
	put16(bda + 0x0e, 0x1234);	/* an EBDA pointer outside 512-640 KiB is ignored */
	ok(acpi_init(&r, 0) == 0 && r.rsdp == 0xf59e0, "absurd EBDA pointer: BIOS area");

	rsdp_make(high + (HINT_AT - HIGH), RSDT_AT, XSDT_AT);
	log_reset();
	ok(acpi_init(&r, HINT_AT) == 0 && r.rsdp == HINT_AT && log_has("(given)"), "a good hint is used");
	log_reset();
	ok(acpi_init(&r, HINT_AT + 16) == 0 && r.rsdp == 0xf59e0 &&
	   log_has("no usable RSDP at 0x7008010 (no \"RSD PTR \" signature); searching"),
	   "a hint with no RSDP: one warning, then the search");
	log_reset();
	ok(acpi_init(&r, 0xfffffffffffff000ull) == 0 && log_has("(unreadable)"), "an unreadable hint: warning");
}

static void test_rsdp_bad(void)
{
	struct acpi_root r;
	uint64_t t[1] = { DMAR_AT };
	uint8_t *p = high + (HINT_AT - HIGH);

	mem_reset();
	roots(t, 1);
	rsdp_make(p, RSDT_AT, XSDT_AT);
	p[8]++;
	ok(acpi_init(&r, HINT_AT) == -ENOENT && log_has("bad checksum"), "RSDP checksum wrong: refused");

	/* A bad extended checksum leaves the ACPI 1.0 part: RSDT. */
	rsdp_make(p, RSDT_AT, XSDT_AT);
	p[32]++;
	ok(acpi_init(&r, HINT_AT) == 0 && !r.xsdt && r.root == RSDT_AT, "extended checksum wrong: RSDT");
	rsdp_make(p, RSDT_AT, XSDT_AT);
	put32(p + 20, 0xffffffffu);
	p[32] = 0;
	p[32] = (uint8_t)(0x100 - sum(p, 36));
	ok(acpi_init(&r, HINT_AT) == 0 && !r.xsdt, "absurd RSDP length: RSDT");

	/* A bad XSDT falls back to the RSDT with a warning; both bad: no ACPI. */
	rsdp_make(p, RSDT_AT, XSDT_AT);
	high[(XSDT_AT - HIGH) + 40]++;
	log_reset();
	ok(acpi_init(&r, HINT_AT) == 0 && !r.xsdt && log_has("XSDT at 0x7000000 (RSDP at 0x7008000): bad checksum; trying the RSDT"),
	   "XSDT checksum wrong: warning, RSDT used");
	high[(RSDT_AT - HIGH) + 36]++;
	ok(acpi_init(&r, HINT_AT) == -ENOENT && log_has("its RSDT is bad"), "both roots bad: no ACPI");

	/* Root lengths that lie. */
	roots(t, 1);
	put32(high + (XSDT_AT - HIGH) + 4, 0x40000000u);
	ok(acpi_init(&r, HINT_AT) == 0 && !r.xsdt && log_has("absurd length"), "XSDT length 1 GiB: refused");
	roots(t, 1);
	memcpy(high + (XSDT_AT - HIGH), "XSDX", 4);
	ok(acpi_init(&r, HINT_AT) == 0 && !r.xsdt && log_has("wrong signature"), "XSDT signature wrong");
	rsdp_make(p, 0, XSDT_AT);
	ok(acpi_init(&r, HINT_AT) == -ENOENT && log_has("no RSDT and no usable XSDT"), "no RSDT, bad XSDT");
}

static void test_tables(void)
{
	struct acpi_root r;
	static uint8_t buf[4096];
	uint64_t t[3] = { 0, DMAR_AT, IVRS_AT }, at = 0;
	uint8_t *d = high + (DMAR_AT - HIGH);

	mem_reset();
	roots(t, 3);
	rsdp_make(bios + 0x100, RSDT_AT, XSDT_AT);
	acpi_seal(d, "DMAR", 48);
	ok(acpi_init(&r, 0) == 0 && r.nentries == 3, "three entries (one of them 0)");
	ok(acpi_table(&r, "DMAR", buf, sizeof(buf), &at) == 48 && at == DMAR_AT && !memcmp(buf, "DMAR", 4),
	   "DMAR found and copied");
	ok(acpi_table(&r, "IVRS", buf, sizeof(buf), &at) == 0 && !log_has("warning"), "no IVRS: 0, quietly");
	d[40]++;
	ok(acpi_table(&r, "DMAR", buf, sizeof(buf), &at) == -EINVAL &&
	   log_has("DMAR table at 0x7001000: bad checksum; ignored"), "DMAR checksum wrong: one warning");
	acpi_seal(d, "DMAR", 48);
	ok(acpi_table(&r, "DMAR", buf, 40, &at) == -EINVAL && log_has("length out of range"), "larger than the buffer");
	put32(d + 4, 20);
	ok(acpi_table(&r, "DMAR", buf, sizeof(buf), &at) == -EINVAL, "length below the header");
	/* A second, good DMAR after a bad one is still found. */
	acpi_seal(d, "DMAR", 48);
	d[40]++;
	acpi_seal(high + (IVRS_AT - HIGH), "DMAR", 48);
	ok(acpi_table(&r, "DMAR", buf, sizeof(buf), &at) == 48 && at == IVRS_AT, "the good one of two");
}

/* ---- DMAR ---- */

static void test_dmar(void)
{
	static const uint8_t gfx[] = { 2, 0 }, rp[] = { 0x1c, 0 }, behind[] = { 0x1c, 0, 0, 0 };
	uint32_t a;

	nfns = 0;
	fn_add(0, 0x1c, 0, 0x06, 0x04, 2, 3);	/* root port: buses 2-3 behind it */
	dmar_begin();
	drhd(1, 0, VTD_BASE);
	ok(parse_dmar() == 0 && us.n == 1 && us.u[0].kind == IOMMU_VTD && us.u[0].base == VTD_BASE &&
	   us.u[0].all && !us.u[0].unsure, "one INCLUDE_PCI_ALL unit");
	ok(iommu_covers(&us, 0, 0, rid(0, 5, 0)) && !iommu_covers(&us, 0, 1, rid(0, 5, 0)),
	   "it covers 00:05.0 on segment 0 only");

	/* A graphics unit listing 00:02.0 and an "all" unit: each device has one unit. */
	dmar_begin();
	a = drhd(0, 0, 0xfed91000);
	scope(a, 1, 0, 1, gfx);
	drhd(1, 0, VTD_BASE);
	ok(parse_dmar() == 0 && us.n == 2 && us.u[0].nranges == 1, "two units");
	ok(iommu_covers(&us, 0, 0, rid(0, 2, 0)) && !iommu_covers(&us, 1, 0, rid(0, 2, 0)),
	   "00:02.0 belongs to the unit that lists it, not to the 'all' one");
	ok(!iommu_covers(&us, 0, 0, rid(0, 5, 0)) && iommu_covers(&us, 1, 0, rid(0, 5, 0)), "00:05.0 to the 'all' one");

	/* A bridge scope covers the bridge and its buses; a path resolves through bridges. */
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	scope(a, 2, 0, 1, rp);
	scope(a, 1, 0, 2, behind);
	ok(parse_dmar() == 0 && !us.u[0].unsure && us.u[0].nranges == 3, "bridge scope and a 2-step path");
	ok(iommu_covers(&us, 0, 0, rid(0, 0x1c, 0)) && iommu_covers(&us, 0, 0, rid(2, 0, 0)) &&
	   iommu_covers(&us, 0, 0, rid(3, 31, 7)) && !iommu_covers(&us, 0, 0, rid(4, 0, 0)) &&
	   !iommu_covers(&us, 0, 0, rid(0, 5, 0)), "covers 00:1c.0 and buses 2-3, nothing else");

	/* Paths that cannot be followed make the unit unsure (it may cover anything). */
	static const uint8_t missing[] = { 0x1d, 0, 0, 0 }, baddev[] = { 40, 0 };
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	scope(a, 1, 0, 2, missing);
	ok(parse_dmar() == 0 && us.u[0].unsure && iommu_covers(&us, 0, 0, rid(7, 0, 0)), "missing bridge: unsure");
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	scope(a, 1, 0, 1, baddev);
	ok(parse_dmar() == 0 && us.u[0].unsure, "device 40: unsure");
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	scope(a, 1, 0, 0, NULL);
	ok(parse_dmar() == 0 && us.u[0].unsure, "empty path: unsure");
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	scope(a, 3, 0, 1, gfx);		/* an I/O APIC: no DMA */
	ok(parse_dmar() == 0 && !us.u[0].unsure && us.u[0].nranges == 0, "I/O APIC scope ignored");
}

/* Malformed DMAR tables: each is reported once, never loops, keeps what came before. */
static void test_dmar_bad(void)
{
	uint32_t a;

	dmar_begin();
	drhd(1, 0, VTD_BASE);
	put16(tb + 48 + 2, 0);
	ok(parse_dmar() == -EINVAL && us.n == 0 && log_has("structure at +48 (type 0) has length 0"),
	   "structure length 0: warning, no loop");
	dmar_begin();
	drhd(1, 0, VTD_BASE);
	put16(tb + 48 + 2, 17);
	ok(parse_dmar() == -EINVAL && us.n == 0, "structure longer than the table");
	dmar_begin();
	drhd(1, 0, VTD_BASE);
	put16(tb + 48 + 2, 8);
	put16(tb + 56, 1), put16(tb + 58, 8);
	ok(parse_dmar() == -EINVAL && log_has("length 8"), "DRHD shorter than 16 bytes");
	dmar_begin();
	drhd(1, 0, VTD_BASE);
	a = drhd(1, 0, 0);
	ok(parse_dmar() == 0 && us.n == 1 && log_has("register base 0x0; ignored"), "base 0: that unit ignored");
	dmar_begin();
	drhd(1, 0, 0xfed90010);
	ok(parse_dmar() == 0 && us.n == 0, "unaligned base ignored");
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	tb[tlen] = 1, tb[tlen + 1] = 0;		/* scope length 0 */
	tlen += 8;
	put16(tb + a + 2, (uint16_t)(tlen - a));
	ok(parse_dmar() == 0 && us.u[0].unsure && log_has("device scope at +16 has length 0"), "scope length 0: unsure");
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	tb[tlen] = 1, tb[tlen + 1] = 200;	/* past its DRHD */
	tlen += 8;
	put16(tb + a + 2, (uint16_t)(tlen - a));
	ok(parse_dmar() == 0 && us.u[0].unsure, "scope overrunning its DRHD: unsure");
	dmar_begin();
	for (int i = 0; i < 20; i++)
		drhd(1, 0, VTD_BASE + 0x1000ull * (unsigned)i);
	ok(parse_dmar() == 0 && us.n == IOMMU_UNITS_MAX && log_has("more than 16 units"), "20 units: 16 kept, warned");
	dmar_begin();
	drhd(1, 0, VTD_BASE);
	drhd(1, 0, VTD_BASE);
	ok(parse_dmar() == 0 && us.n == 1, "the same base twice is one unit");
	memset(&us, 0, sizeof(us));
	ok(iommu_parse_dmar(tb, 40, &us) == -EINVAL && us.n == 0, "table shorter than its header");
	/* 40 scopes: more ranges than a unit holds makes it unsure rather than wrong. */
	static const uint8_t one[] = { 3, 0 };
	dmar_begin();
	a = drhd(0, 0, VTD_BASE);
	for (int i = 0; i < 40; i++)
		scope(a, 1, (uint8_t)i, 1, one);
	ok(parse_dmar() == 0 && us.u[0].unsure && us.u[0].nranges == IOMMU_RANGES_MAX, "too many scopes: unsure");
}

/* ---- IVRS ---- */

static void ivrs_begin(void)
{
	memset(tb, 0, sizeof(tb));
	tlen = 48;
}

/* An IVHD block of type (0x10, 0x11, 0x40) with base and device entries e (n bytes). */
static void ivhd(uint8_t type, uint64_t base, const uint8_t *e, uint32_t n)
{
	uint32_t h = type == 0x10 ? 24 : 40;
	uint8_t *b = tb + tlen;

	b[0] = type;
	put16(b + 2, (uint16_t)(h + n));
	put16(b + 4, 0x10);		/* the IOMMU's own requester ID, 00:02.0 */
	put64(b + 8, base);
	if (n)
		memcpy(b + h, e, n);
	tlen += h + n;
}

static int parse_ivrs(void)
{
	memset(&us, 0, sizeof(us));
	log_reset();
	return iommu_parse_ivrs(tb, tlen, &us);
}

static void test_ivrs(void)
{
	static const uint8_t all[] = { 0x01, 0, 0, 0 };
	static const uint8_t sel[] = { 0x02, 0x28, 0x00, 0, 0x03, 0x00, 0x01, 0, 0x04, 0xff, 0x01, 0 };
	static const uint8_t alias[] = { 0x42, 0x00, 0x03, 0, 0, 0x08, 0x03, 0 };
	/* an ACPI HID entry with a 5-byte UID, then a select of 00:06.0 */
	static const uint8_t hid[] = { 0xf0, 0xa0, 0, 0, 'A', 'M', 'D', 'I', '0', '0', '4', '0', 0, 0, 0, 0, 0, 0, 0, 0, 2, 5,
				       '1', '2', '3', '4', '5', 0x02, 0x30, 0x00, 0 };
	/* IVMD blocks are skipped */
	static const uint8_t ivmd[] = { 0x20, 0, 32, 0 };

	ivrs_begin();
	ivhd(0x10, AMD_BASE, all, sizeof(all));
	ok(parse_ivrs() == 0 && us.n == 1 && us.u[0].kind == IOMMU_AMDVI && us.u[0].base == AMD_BASE &&
	   us.u[0].all, "IVHD 0x10 with an 'all' entry");

	ivrs_begin();
	ivhd(0x10, AMD_BASE, sel, sizeof(sel));
	memcpy(tb + tlen, ivmd, sizeof(ivmd));
	tlen += 32;
	ivhd(0x11, AMD_BASE, alias, sizeof(alias));
	ivhd(0x40, AMD_BASE, hid, sizeof(hid));
	ok(parse_ivrs() == 0 && us.n == 1, "0x10, IVMD, 0x11, 0x40 blocks of one unit: one unit");
	ok(iommu_covers(&us, 0, 0, rid(0, 5, 0)) && iommu_covers(&us, 0, 0, rid(1, 31, 7)) &&
	   !iommu_covers(&us, 0, 0, rid(2, 0, 0)) && !iommu_covers(&us, 0, 0, rid(0, 4, 0)),
	   "select 00:05.0 and range 01:00.0-01:1f.7");
	ok(iommu_covers(&us, 0, 0, rid(3, 0, 0)) && iommu_covers(&us, 0, 0, rid(3, 1, 0)), "alias select: both IDs");
	ok(iommu_covers(&us, 0, 0, rid(0, 6, 0)) && !us.u[0].unsure, "entry after a variable-length ACPI HID entry");

	ivrs_begin();
	ivhd(0x10, AMD_BASE, all, sizeof(all));
	ivhd(0x10, AMD_BASE + 0x100000, sel, 4);
	ok(parse_ivrs() == 0 && us.n == 2 && !iommu_covers(&us, 0, 0, rid(0, 5, 0)) &&
	   iommu_covers(&us, 1, 0, rid(0, 5, 0)) && iommu_covers(&us, 0, 0, rid(0, 7, 0)),
	   "two units: the listed device belongs to the one listing it");
}

static void test_ivrs_bad(void)
{
	static const uint8_t unknown[] = { 0x85, 0, 0, 0 }, shortent[] = { 0x42, 0, 0, 0 };
	static const uint8_t hidshort[] = { 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200 };
	static const uint8_t endonly[] = { 0x04, 0xff, 0xff, 0 };

	ivrs_begin();
	ivhd(0x10, AMD_BASE, unknown, sizeof(unknown));
	ok(parse_ivrs() == -EINVAL && us.n == 1 && us.u[0].unsure && log_has("type 0x85"), "unknown entry type: unsure");
	ivrs_begin();
	ivhd(0x11, AMD_BASE, shortent, sizeof(shortent));
	ok(parse_ivrs() == -EINVAL && us.u[0].unsure, "8-byte entry in 4 bytes: unsure");
	ivrs_begin();
	ivhd(0x11, AMD_BASE, hidshort, sizeof(hidshort));
	ok(parse_ivrs() == -EINVAL && us.u[0].unsure, "ACPI HID entry with a UID past the block: unsure");
	ivrs_begin();
	ivhd(0x10, AMD_BASE, endonly, sizeof(endonly));
	ok(parse_ivrs() == 0 && us.u[0].nranges == 0 && !us.u[0].unsure, "range end without start: nothing");
	ivrs_begin();
	ivhd(0x10, AMD_BASE, NULL, 0);
	put16(tb + 48 + 2, 0);
	ok(parse_ivrs() == -EINVAL && us.n == 0 && log_has("has length 0"), "block length 0: warning, no loop");
	ivrs_begin();
	ivhd(0x10, AMD_BASE, NULL, 0);
	put16(tb + 48 + 2, 4000);
	ok(parse_ivrs() == -EINVAL && us.n == 0, "block past the table");
	ivrs_begin();
	ivhd(0x11, AMD_BASE, NULL, 0);
	put16(tb + 48 + 2, 24);
	ok(parse_ivrs() == -EINVAL && us.n == 0 && log_has("length 24"), "type 0x11 block shorter than its header");
	ivrs_begin();
	ivhd(0x10, 0, NULL, 0);
	ok(parse_ivrs() == -EINVAL && us.n == 0, "base 0 ignored");
	memset(&us, 0, sizeof(us));
	ok(iommu_parse_ivrs(tb, 47, &us) == -EINVAL, "table shorter than its header");
}

/* ---- iommu_release: tables in memory, the PCI functions and the register models ---- */

static struct bootinfo bi;
static struct config cfg;

/* A machine: RSDP (at the hint) -> XSDT -> DMAR (unit at VTD_BASE, all) and/or IVRS (AMD_BASE, all),
 * PCI: host bridge 00:00.0, AMD IOMMU function 00:02.0, disk 00:03.0, NIC 00:05.0. */
static void machine(bool with_dmar, bool with_ivrs)
{
	static const uint8_t all[] = { 0x01, 0, 0, 0 };
	uint64_t t[2];
	int n = 0;

	mem_reset();
	if (with_dmar) {
		dmar_begin();
		drhd(1, 0, VTD_BASE);
		memcpy(high + (DMAR_AT - HIGH), tb, tlen);
		acpi_seal(high + (DMAR_AT - HIGH), "DMAR", tlen);
		t[n++] = DMAR_AT;
	}
	if (with_ivrs) {
		ivrs_begin();
		ivhd(0x10, AMD_BASE, all, sizeof(all));
		memcpy(high + (IVRS_AT - HIGH), tb, tlen);
		acpi_seal(high + (IVRS_AT - HIGH), "IVRS", tlen);
		t[n++] = IVRS_AT;
	}
	roots(t, n);
	rsdp_make(high + (HINT_AT - HIGH), RSDT_AT, XSDT_AT);
	nfns = 0;
	fn_add(0, 0, 0, 0x06, 0x00, 0, 0);
	fn_add(0, 2, 0, 0x08, 0x06, 0, 0);
	fn_add(0, 3, 0, 0x01, 0x06, 0, 0);
	fn_add(0, 5, 0, 0x02, 0x00, 0, 0);
	memset(&bi, 0, sizeof(bi));
	memset(&cfg, 0, sizeof(cfg));
	cfg.ntargets = 1;
	cfg.targets[0].kind = TARGET_TFTP;
	cfg.acpi_rsdp = HINT_AT;
	memset(&vtd, 0, sizeof(vtd));
	memset(&amd, 0, sizeof(amd));
	mmio_reads = 0;
}

static void test_release_vtd(void)
{
	/* TES, RTPS, QIES, IRES, IRTPS on: GCMD gets the persistent ones back without TE. */
	machine(true, false);
	vtd.gsts = 0xc7000000u;
	iommu_release(&bi, &cfg);
	ok(vtd.gcmd_writes == 1 && vtd.last_gcmd == 0x06000000u,
	   "GCMD written once from GSTS: QIE and IRE kept, one-shot bits and TE clear (0x%08x)", vtd.last_gcmd);
	ok(!(vtd.gsts & 0x80000000u), "translation off");
	ok(log_has("iommu: VT-d unit at 0xfed90000 (all devices not listed elsewhere) covers the NIC at 00:05.0: "
		   "translation was on (interrupt remapping and queued invalidation on, left so); turned off "
		   "(bus mastering off on its 2 devices first)"),
	   "one line says what was done");
	ok(fns[3].quiesced == 1 && fns[2].quiesced == 1 && fns[0].quiesced == 0 && fns[1].quiesced == 0,
	   "bus mastering stopped on the NIC and the disk first, not on bridges or the IOMMU");

	/* From boot_params when the command line gives nothing. */
	machine(true, false);
	cfg.acpi_rsdp = 0;
	bi.acpi_rsdp = HINT_AT;
	vtd.gsts = 0x80000000u;
	iommu_release(&bi, &cfg);
	ok(log_has("(given)") && !(vtd.gsts & 0x80000000u) && vtd.last_gcmd == 0, "RSDP from boot_params");

	/* Translation already off: nothing written. */
	machine(true, false);
	iommu_release(&bi, &cfg);
	ok(vtd.gcmd_writes == 0 && log_has("translation was off; nothing to do") && !log_has("bus mastering") &&
	   fns[3].quiesced == 0, "already off: no write, no device touched");

	/* A unit that never clears TES: bounded, reported. */
	machine(true, false);
	vtd.gsts = 0x80000000u;
	vtd.stuck = true;
	fake_now_us = 0;
	iommu_release(&bi, &cfg);
	ok(log_has("still on after 1 s: the NIC's DMA may be blocked") && mmio_reads < 2000,
	   "stuck unit: bounded wait (%d reads), reported", mmio_reads);

	/* Protected memory regions block DMA even with translation off. */
	machine(true, false);
	vtd.gsts = 0x80000000u;
	vtd.cap = 1u << 5;
	vtd.pmen = 0x80000001u;
	iommu_release(&bi, &cfg);
	ok(vtd.pmen == 0 && log_has("turned off; protected memory regions turned off"), "PMRs off");

	machine(true, false);
	vtd.dead = true;
	iommu_release(&bi, &cfg);
	ok(vtd.gcmd_writes == 0 && log_has("does not answer") && fns[3].quiesced == 0, "a unit reading all ones is left alone");

	/* No NIC under the unit: nothing touched. */
	machine(true, false);
	nfns = 3;
	vtd.gsts = 0x80000000u;
	iommu_release(&bi, &cfg);
	ok(vtd.gcmd_writes == 0 && fns[2].quiesced == 0 && log_has("covers no NIC; left as it is"),
	   "no NIC behind it: left as it is");

	/* Serial-only dumps leave the IOMMU alone and read nothing. */
	machine(true, false);
	cfg.targets[0].kind = TARGET_SERIAL;
	vtd.gsts = 0x80000000u;
	iommu_release(&bi, &cfg);
	ok(vtd.gcmd_writes == 0 && mmio_reads == 0 && log_buf[0] == 0, "no TFTP target: nothing done, nothing said");

	/* No ACPI: one line. */
	mem_reset();
	cfg.targets[0].kind = TARGET_TFTP;
	iommu_release(&bi, &cfg);
	ok(log_has("no ACPI tables found"), "no ACPI: one info line");
}

static void test_release_amd(void)
{
	machine(false, true);
	amd.control = 1u | 1u << 2 | 1u << 12;
	amd.status = 1u << 3 | 1u << 4;
	iommu_release(&bi, &cfg);
	ok(amd.control == 0 && amd.writes == 2, "logs and command buffer stopped, then IommuEn cleared");
	ok(log_has("iommu: AMD-Vi unit at 0xfed80000 (all devices not listed elsewhere) covers the NIC at 00:05.0: "
		   "translation was on; turned off (bus mastering off on its 2 devices first)"), "one line says what was done");

	machine(false, true);
	iommu_release(&bi, &cfg);
	ok(amd.writes == 0 && log_has("AMD-Vi unit at 0xfed80000 (all devices not listed elsewhere) covers the NIC at 00:05.0: translation was off"),
	   "already off: no write");

	/* Both kinds in one machine (as a table could claim): each unit gets its own line. */
	machine(true, true);
	amd.control = 1;
	vtd.gsts = 0x80000000u;
	iommu_release(&bi, &cfg);
	ok(amd.control == 0 && !(vtd.gsts & 0x80000000u) && log_has("VT-d unit") && log_has("AMD-Vi unit"),
	   "DMAR and IVRS units both handled");

	/* A corrupt IVRS is reported; the dump goes on. */
	machine(false, true);
	high[(IVRS_AT - HIGH) + 50] = 0;
	high[(IVRS_AT - HIGH) + 51] = 0;
	acpi_seal(high + (IVRS_AT - HIGH), "IVRS", 48 + 28);
	amd.control = 1;
	iommu_release(&bi, &cfg);
	ok(amd.control == 1 && log_has("IVRS block at +48 (type 0x10) has length 0"), "corrupt IVRS: one warning, unit untouched");
}

int main(void)
{
	test_rsdp_sources();
	test_rsdp_bad();
	test_tables();
	test_dmar();
	test_dmar_bad();
	test_ivrs();
	test_ivrs_bad();
	test_release_vtd();
	test_release_amd();
	return ok_done();
}
