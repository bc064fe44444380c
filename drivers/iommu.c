/* DMA remapping units left on by the crashed kernel (Intel VT-d, AMD-Vi): DMAR/IVRS parsing, which
 * unit covers which PCI device, and turning translation off on the units that cover a NIC. */
#include "drivers/acpi.h"
#include "drivers/iommu.h"
#include "drivers/nic.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "mm/phys.h"

/* DMAR (Intel VT-d spec 4.1, chapter 8). */
#define DMAR_STRUCTS 48			/* remapping structures start after header, width, flags */
#define DMAR_TYPE_DRHD 0		/* a remapping hardware unit; others (RMRR, ATSR, ...) skipped */
#define DRHD_LEN 16			/* type, length, flags, size, segment, register base */
#define DRHD_FLAGS 4
#define DRHD_INCLUDE_PCI_ALL 0x01
#define DRHD_SEGMENT 6
#define DRHD_BASE 8
#define SCOPE_LEN_MIN 6			/* type, length, reserved, enumeration ID, start bus */
#define SCOPE_PCI_ENDPOINT 1
#define SCOPE_PCI_BRIDGE 2		/* the bridge and everything below it */
#define SCOPE_START_BUS 5
#define SCOPE_PATH 6			/* (device, function) pairs from the start bus down */

/* IVRS (AMD I/O Virtualization Technology spec 48882, 5.2). */
#define IVRS_BLOCKS 48			/* IVHD/IVMD blocks start after header, IVinfo, reserved */
#define IVHD_10 0x10			/* IVHD types: 0x10 (24-byte header), 0x11 and 0x40 (40) */
#define IVHD_11 0x11
#define IVHD_40 0x40
#define IVHD_LEN_10 24
#define IVHD_LEN_11 40
#define IVHD_BASE 8
#define IVHD_SEGMENT 16
#define IVHD_DEV_ALL 0x01		/* device entries: 4 bytes below type 0x40, 8 up to 0x7f */
#define IVHD_DEV_SELECT 0x02
#define IVHD_DEV_RANGE_START 0x03
#define IVHD_DEV_RANGE_END 0x04
#define IVHD_DEV_ALIAS_SELECT 0x42	/* requester ID at +1; DMA appears with the alias at +5 */
#define IVHD_DEV_ALIAS_RANGE 0x43
#define IVHD_DEV_EXT_SELECT 0x46
#define IVHD_DEV_EXT_RANGE 0x47
#define IVHD_DEV_ACPI_HID 0xf0		/* variable: 22 bytes plus the UID length at +21 */
#define IVHD_DEV_ALIAS 5

/* VT-d registers (spec 10.4). GCMD bits are written as the whole wanted state: the current GSTS
 * with the one-shot command bits (SRTP, SFL, WBF, SIRTP) masked out, then the one bit changed. */
#define VTD_VER 0x00
#define VTD_CAP 0x08
#define VTD_CAP_PLMR (1u << 5)		/* protected low-memory region supported */
#define VTD_CAP_PHMR (1u << 6)
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1c
#define VTD_GSTS_TES (1u << 31)		/* translation enabled */
#define VTD_GSTS_QIES (1u << 26)	/* queued invalidation enabled */
#define VTD_GSTS_IRES (1u << 25)	/* interrupt remapping enabled */
#define VTD_GSTS_PERSISTENT 0x96ffffffu	/* GSTS bits that are states, not one-shot commands */
#define VTD_PMEN 0x64
#define VTD_PMEN_EPM (1u << 31)		/* enable protected memory */
#define VTD_PMEN_PRS (1u << 0)		/* protected region status */

/* AMD-Vi registers (spec 48882, 3.4). */
#define AMD_CONTROL 0x18		/* 64-bit; every bit salvage touches is in the low half */
#define AMD_CONTROL_IOMMU_EN (1u << 0)
#define AMD_CONTROL_EVENT_LOG_EN (1u << 2)
#define AMD_CONTROL_EVENT_INT_EN (1u << 3)
#define AMD_CONTROL_COM_WAIT_INT_EN (1u << 4)
#define AMD_CONTROL_CMD_BUF_EN (1u << 12)
#define AMD_CONTROL_PPR_LOG_EN (1u << 13)
#define AMD_CONTROL_PPR_INT_EN (1u << 14)
#define AMD_STATUS 0x2020
#define AMD_STATUS_EVENT_LOG_RUN (1u << 3)
#define AMD_STATUS_CMD_BUF_RUN (1u << 4)

#define PCI_CLASS_NETWORK 0x02
#define PCI_CLASS_BRIDGE 0x06
#define PCI_CLASS_SYSTEM 0x08
#define PCI_SUBCLASS_IOMMU 0x06
#define PCI_SECONDARY_BUS 0x19		/* type 1 (bridge) header */
#define PCI_SUBORDINATE_BUS 0x1a
#define PATH_MAX_DEPTH 8		/* bridges deeper than this in one scope are not real */
#define WAIT_US 1000000u		/* a unit gets 1 s to report a state change */
#define WAIT_POLLS 10000000u		/* and so many reads, should the clock stand still */
#define TABLE_MAX 16384u		/* DMAR and IVRS tables are a few KiB even on large servers */
#define PCI_FUNCS_MAX 2048

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static const char *kind_name(enum iommu_kind k)
{
	return k == IOMMU_VTD ? "VT-d" : "AMD-Vi";
}

/* A new unit in out (kind, base, segment), or the existing one with the same kind and base; NULL
 * after a warning when the table is full. */
static struct iommu_unit *unit_at(struct iommu_units *out, enum iommu_kind kind, uint64_t base, uint16_t seg)
{
	struct iommu_unit *u;

	for (int i = 0; i < out->n; i++)
		if (out->u[i].kind == kind && out->u[i].base == base)
			return &out->u[i];
	if (out->n >= IOMMU_UNITS_MAX) {
		log_warn("iommu: more than %d units; %s unit at 0x%llx ignored", IOMMU_UNITS_MAX,
			 kind_name(kind), (unsigned long long)base);
		return NULL;
	}
	u = &out->u[out->n++];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->base = base;
	u->segment = seg;
	return u;
}

/* Record that u covers requesters [first, last]; a full list makes the unit unsure. */
static void add_range(struct iommu_unit *u, uint16_t first, uint16_t last)
{
	if (last < first)
		return;
	if (u->nranges >= IOMMU_RANGES_MAX) {
		u->unsure = true;
		return;
	}
	u->ranges[u->nranges].first = first;
	u->ranges[u->nranges].last = last;
	u->nranges++;
}

/* One DMAR device scope (s, len bytes, length already checked) of unit u: follow its path from the
 * start bus through the bridges it names and record the endpoint, or the bridge and the buses below
 * it. Scopes of other kinds (I/O APIC, HPET, ACPI devices) do no DMA salvage cares about. */
static void dmar_scope(struct iommu_unit *u, const uint8_t *s, uint32_t len)
{
	uint32_t npath = (len - SCOPE_PATH) / 2, k;
	struct pci_dev p = { .bus = s[SCOPE_START_BUS] };
	uint16_t rid;

	if (s[0] != SCOPE_PCI_ENDPOINT && s[0] != SCOPE_PCI_BRIDGE)
		return;
	if (npath == 0 || npath > PATH_MAX_DEPTH || (len - SCOPE_PATH) % 2 != 0 || u->segment != 0) {
		u->unsure = true;
		return;
	}
	for (k = 0; k < npath; k++) {
		p.dev = s[SCOPE_PATH + 2 * k];
		p.fn = s[SCOPE_PATH + 2 * k + 1];
		if (p.dev >= 32 || p.fn >= 8) {
			u->unsure = true;
			return;
		}
		if (k + 1 < npath) {
			uint8_t sec = pci_read8(&p, PCI_SECONDARY_BUS);

			/* a missing bridge reads all ones; one never configured has secondary bus 0 */
			if (sec == 0xff || sec <= p.bus) {
				u->unsure = true;
				return;
			}
			p.bus = sec;
		}
	}
	rid = (uint16_t)(p.bus << 8 | p.dev << 3 | p.fn);
	add_range(u, rid, rid);
	if (s[0] == SCOPE_PCI_BRIDGE) {
		uint8_t sec = pci_read8(&p, PCI_SECONDARY_BUS), sub = pci_read8(&p, PCI_SUBORDINATE_BUS);

		if (sec == 0xff || sec == 0 || sub < sec)
			u->unsure = true;
		else
			add_range(u, (uint16_t)(sec << 8), (uint16_t)(sub << 8 | 0xff));
	}
}

/* Contract in drivers/iommu.h. */
int iommu_parse_dmar(const uint8_t *t, uint32_t len, struct iommu_units *out)
{
	uint32_t off = DMAR_STRUCTS;

	if (len < DMAR_STRUCTS) {
		log_warn("iommu: DMAR table of %u bytes is shorter than its header; ignored", len);
		return -EINVAL;
	}
	while (off + 4 <= len) {
		uint16_t type = get16(t + off), slen = get16(t + off + 2);
		struct iommu_unit *u;
		uint64_t base;
		uint32_t s;

		if (slen < 4 || slen > len - off || (type == DMAR_TYPE_DRHD && slen < DRHD_LEN)) {
			log_warn("iommu: DMAR structure at +%u (type %u) has length %u; the rest is ignored",
				 off, type, slen);
			return -EINVAL;
		}
		if (type != DMAR_TYPE_DRHD) {
			off += slen;
			continue;
		}
		base = get64(t + off + DRHD_BASE);
		if (base == 0 || (base & 0xfff)) {
			log_warn("iommu: DMAR unit at +%u has register base 0x%llx; ignored", off,
				 (unsigned long long)base);
			off += slen;
			continue;
		}
		u = unit_at(out, IOMMU_VTD, base, get16(t + off + DRHD_SEGMENT));
		if (!u)
			return 0;
		u->all = (t[off + DRHD_FLAGS] & DRHD_INCLUDE_PCI_ALL) != 0;
		for (s = DRHD_LEN; s + 2 <= slen;) {
			uint8_t sl = t[off + s + 1];

			if (sl < SCOPE_LEN_MIN || sl > slen - s) {
				log_warn("iommu: DMAR unit at 0x%llx: device scope at +%u has length %u; "
					 "it may cover any device", (unsigned long long)base, s, sl);
				u->unsure = true;
				break;
			}
			dmar_scope(u, t + off + s, sl);
			s += sl;
		}
		off += slen;
	}
	return 0;
}

/* The device entries of one IVHD block (e, n bytes) into u. Returns 0 or -EINVAL after a warning. */
static int ivhd_entries(struct iommu_unit *u, const uint8_t *e, uint32_t n)
{
	uint32_t off = 0, elen;
	int range_start = -1;

	while (off < n) {
		uint8_t type = e[off];
		uint16_t id;

		if (type < 0x80)
			elen = 4u << (type >> 6);
		else if (type == IVHD_DEV_ACPI_HID && n - off >= 22)
			elen = 22u + e[off + 21];
		else
			elen = 0;
		if (elen == 0 || elen > n - off) {
			log_warn("iommu: IVRS unit at 0x%llx: device entry type 0x%02x at +%u is unknown or "
				 "overruns its block; it may cover any device", (unsigned long long)u->base, type, off);
			u->unsure = true;
			return -EINVAL;
		}
		id = get16(e + off + 1);
		switch (type) {
		case IVHD_DEV_ALL:
			u->all = true;
			break;
		case IVHD_DEV_SELECT:
		case IVHD_DEV_EXT_SELECT:
			add_range(u, id, id);
			break;
		case IVHD_DEV_ALIAS_SELECT:
			add_range(u, id, id);
			add_range(u, get16(e + off + IVHD_DEV_ALIAS), get16(e + off + IVHD_DEV_ALIAS));
			break;
		case IVHD_DEV_RANGE_START:
		case IVHD_DEV_ALIAS_RANGE:
		case IVHD_DEV_EXT_RANGE:
			range_start = id;
			break;
		case IVHD_DEV_RANGE_END:
			if (range_start >= 0)
				add_range(u, (uint16_t)range_start, id);
			range_start = -1;
			break;
		default:	/* padding, special (I/O APIC, HPET) and ACPI devices */
			break;
		}
		off += elen;
	}
	return 0;
}

/* Contract in drivers/iommu.h. */
int iommu_parse_ivrs(const uint8_t *t, uint32_t len, struct iommu_units *out)
{
	uint32_t off = IVRS_BLOCKS;
	int rc = 0;

	if (len < IVRS_BLOCKS) {
		log_warn("iommu: IVRS table of %u bytes is shorter than its header; ignored", len);
		return -EINVAL;
	}
	while (off + 4 <= len) {
		uint8_t type = t[off];
		uint16_t blen = get16(t + off + 2);
		uint32_t hlen = type == IVHD_10 ? IVHD_LEN_10 : IVHD_LEN_11;
		struct iommu_unit *u;
		uint64_t base;

		if (blen < 4 || blen > len - off) {
			log_warn("iommu: IVRS block at +%u (type 0x%02x) has length %u; the rest is ignored",
				 off, type, blen);
			return -EINVAL;
		}
		if (type != IVHD_10 && type != IVHD_11 && type != IVHD_40) {
			off += blen;		/* IVMD blocks and types this code does not know */
			continue;
		}
		base = get64(t + off + IVHD_BASE);
		if (blen < hlen || base == 0 || (base & 0xfff)) {
			log_warn("iommu: IVRS unit block at +%u: length %u, register base 0x%llx; ignored", off,
				 blen, (unsigned long long)base);
			rc = -EINVAL;
			off += blen;
			continue;
		}
		u = unit_at(out, IOMMU_AMDVI, base, get16(t + off + IVHD_SEGMENT));
		if (!u)
			return rc;
		if (ivhd_entries(u, t + off + hlen, blen - hlen) != 0)
			rc = -EINVAL;
		off += blen;
	}
	return rc;
}

static bool listed(const struct iommu_unit *u, uint16_t rid)
{
	for (int r = 0; r < u->nranges; r++)
		if (rid >= u->ranges[r].first && rid <= u->ranges[r].last)
			return true;
	return false;
}

/* Contract in drivers/iommu.h. */
bool iommu_covers(const struct iommu_units *us, int i, uint16_t seg, uint16_t rid)
{
	const struct iommu_unit *u = &us->u[i];

	if (u->segment != seg)
		return false;
	if (listed(u, rid) || u->unsure)
		return true;
	if (!u->all)
		return false;
	for (int j = 0; j < us->n; j++)
		if (j != i && us->u[j].segment == seg && listed(&us->u[j], rid))
			return false;
	return true;
}

/* ---- the hardware side ---- */

/* Poll reg until (value & mask) == want, at most WAIT_US. Returns 0 or -ETIMEDOUT. */
static int wait_reg(uint64_t reg, uint32_t mask, uint32_t want)
{
	uint64_t t0 = clock_us();

	for (uint32_t i = 0; i < WAIT_POLLS; i++) {
		if ((mmio_read32(reg) & mask) == want)
			return 0;
		if (clock_us() - t0 > WAIT_US)
			break;
	}
	return (mmio_read32(reg) & mask) == want ? 0 : -ETIMEDOUT;
}

/* VT-d: translation off (and protected memory regions, which block DMA even then). Interrupt
 * remapping and queued invalidation stay as they are: turning translation off needs no
 * invalidation, and salvage polls. Writes what was done into what (size n). Returns 0 or an error. */
static int vtd_off(uint64_t base, char *what, size_t n)
{
	uint32_t gsts = mmio_read32(base + VTD_GSTS), cap = mmio_read32(base + VTD_CAP), pmen;
	const char *extra = (gsts & VTD_GSTS_IRES) && (gsts & VTD_GSTS_QIES) ?
		" (interrupt remapping and queued invalidation on, left so)" :
		(gsts & VTD_GSTS_IRES) ? " (interrupt remapping on, left so)" :
		(gsts & VTD_GSTS_QIES) ? " (queued invalidation on, left so)" : "";
	int rc = 0;

	if (gsts & VTD_GSTS_TES) {
		mmio_write32(base + VTD_GCMD, (gsts & VTD_GSTS_PERSISTENT) & ~VTD_GSTS_TES);
		rc = wait_reg(base + VTD_GSTS, VTD_GSTS_TES, 0);
		snprintf(what, n, "translation was on%s; %s", extra,
			 rc ? "still on after 1 s: the NIC's DMA may be blocked" : "turned off");
	} else {
		snprintf(what, n, "translation was off%s; nothing to do", extra);
	}
	if ((cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)) && ((pmen = mmio_read32(base + VTD_PMEN)) & VTD_PMEN_EPM)) {
		size_t l = strlen(what);

		mmio_write32(base + VTD_PMEN, pmen & ~VTD_PMEN_EPM);
		if (wait_reg(base + VTD_PMEN, VTD_PMEN_PRS, 0) != 0) {
			snprintf(what + l, n - l, "; protected memory regions still on after 1 s");
			rc = -ETIMEDOUT;
		} else {
			snprintf(what + l, n - l, "; protected memory regions turned off");
		}
	}
	return rc;
}

/* AMD-Vi: command buffer, event and PPR logs off (waiting, bounded, for them to stop), then the
 * unit: with IommuEn clear it passes DMA through untranslated. Same contract as vtd_off. */
static int amd_off(uint64_t base, char *what, size_t n)
{
	uint32_t ctl = mmio_read32(base + AMD_CONTROL);
	int rc;

	if (!(ctl & AMD_CONTROL_IOMMU_EN)) {
		snprintf(what, n, "translation was off; nothing to do");
		return 0;
	}
	ctl &= ~(AMD_CONTROL_CMD_BUF_EN | AMD_CONTROL_EVENT_LOG_EN | AMD_CONTROL_EVENT_INT_EN |
		 AMD_CONTROL_COM_WAIT_INT_EN | AMD_CONTROL_PPR_LOG_EN | AMD_CONTROL_PPR_INT_EN);
	mmio_write32(base + AMD_CONTROL, ctl);
	wait_reg(base + AMD_STATUS, AMD_STATUS_CMD_BUF_RUN | AMD_STATUS_EVENT_LOG_RUN, 0);
	mmio_write32(base + AMD_CONTROL, ctl & ~AMD_CONTROL_IOMMU_EN);
	rc = wait_reg(base + AMD_CONTROL, AMD_CONTROL_IOMMU_EN, 0);
	snprintf(what, n, "translation was on; %s", rc ? "still on after 1 s: the NIC's DMA may be blocked" : "turned off");
	return rc;
}

/* The PCI functions salvage can see (segment 0), gathered once: what telling NICs and bridges apart
 * takes (a struct pci_dev each would cost 200 bytes of salvage's footprint). */
struct pci_fn {
	uint8_t bus, dev, fn, class, subclass;
};

struct pci_list {
	struct pci_fn f[PCI_FUNCS_MAX];
	int n;
	bool full;
};

static int collect(struct pci_dev *p, void *ctx)
{
	struct pci_list *l = ctx;

	if (l->n >= PCI_FUNCS_MAX) {
		l->full = true;
		return 0;
	}
	l->f[l->n++] = (struct pci_fn){ p->bus, p->dev, p->fn, p->class, p->subclass };
	return 0;
}

static uint16_t rid_of(const struct pci_fn *p)
{
	return (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn);
}

/* Is the unit translating? 1 or 0, or -ENODEV when its registers read all ones (nothing there). */
static int translating(const struct iommu_unit *u)
{
	uint32_t v;

	if (u->kind == IOMMU_VTD) {
		v = mmio_read32(u->base + VTD_GSTS);
		if (v == 0xffffffffu || mmio_read32(u->base + VTD_VER) == 0xffffffffu)
			return -ENODEV;
		return (v & VTD_GSTS_TES) != 0;
	}
	v = mmio_read32(u->base + AMD_CONTROL);
	if (v == 0xffffffffu)
		return -ENODEV;
	return (v & AMD_CONTROL_IOMMU_EN) != 0;
}

/* Unit i: when it covers a NIC and translates, stop bus mastering on every other device it covers
 * (with translation off their DMA would land at the raw addresses the crashed kernel gave them —
 * possibly in salvage), then turn translation off; one log line whatever happens. */
static void release_unit(const struct iommu_units *us, int i, const struct pci_list *pci)
{
	const struct iommu_unit *u = &us->u[i];
	const struct pci_fn *nic = NULL;
	char what[160], scope[48], stopped[64] = "";
	int j, nnic = 0, nstop = 0, on;

	if (u->unsure)
		snprintf(scope, sizeof(scope), "device list partly unreadable");
	else if (u->all)
		snprintf(scope, sizeof(scope), "all devices not listed elsewhere");
	else
		snprintf(scope, sizeof(scope), "%d device ranges", u->nranges);
	for (j = 0; j < pci->n; j++)
		if (pci->f[j].class == PCI_CLASS_NETWORK && iommu_covers(us, i, 0, rid_of(&pci->f[j]))) {
			nic = nic ? nic : &pci->f[j];
			nnic++;
		}
	if (!nic) {
		log_info("iommu: %s unit at 0x%llx (%s) covers no NIC; left as it is", kind_name(u->kind),
			 (unsigned long long)u->base, scope);
		return;
	}
	on = translating(u);
	if (on < 0) {
		snprintf(what, sizeof(what), "does not answer (registers read all ones); left alone");
	} else {
		for (j = 0; on && j < pci->n; j++) {
			const struct pci_fn *f = &pci->f[j];
			struct pci_dev p = { .bus = f->bus, .dev = f->dev, .fn = f->fn };

			if (f->class == PCI_CLASS_BRIDGE ||
			    (f->class == PCI_CLASS_SYSTEM && f->subclass == PCI_SUBCLASS_IOMMU) ||
			    !iommu_covers(us, i, 0, rid_of(f)))
				continue;
			pci_quiesce(&p);
			nstop++;
		}
		if (nstop)
			snprintf(stopped, sizeof(stopped), " (bus mastering off on its %d devices first)", nstop);
		if (u->kind == IOMMU_VTD)
			vtd_off(u->base, what, sizeof(what));
		else
			amd_off(u->base, what, sizeof(what));
	}
	log_info("iommu: %s unit at 0x%llx (%s) covers the NIC at %02x:%02x.%x%s: %s%s", kind_name(u->kind),
		 (unsigned long long)u->base, scope, nic->bus, nic->dev, nic->fn, nnic > 1 ? " and others" : "",
		 what, stopped);
}

/* Scratch space for the tables and the PCI list, in the NIC DMA arena rather than salvage's .bss
 * (whose every KiB is in the smallest crashkernel=): no NIC has been started yet, no device reaches
 * the arena before its driver sets it up afresh, and nothing here is needed after iommu_release. */
struct scratch {
	uint8_t table[TABLE_MAX];
	struct pci_list pci;
};
_Static_assert(sizeof(struct scratch) <= NIC_DMA_ARENA_SIZE, "iommu scratch fits the NIC DMA arena");

/* Contract in drivers/iommu.h. */
void iommu_release(const struct bootinfo *bi, const struct config *cfg)
{
	static struct iommu_units units;
	struct scratch *sc = (struct scratch *)nic_dma_arena;
	uint8_t *table = sc->table;
	struct pci_list *pci = &sc->pci;
	struct acpi_root root;
	uint64_t at;
	int i, len, tftp = 0;

	for (i = 0; i < cfg->ntargets; i++)
		tftp |= cfg->targets[i].kind == TARGET_TFTP;
	if (!tftp)
		return;				/* no NIC will run */
	if (acpi_init(&root, cfg->acpi_rsdp ? cfg->acpi_rsdp : bi->acpi_rsdp) != 0) {
		log_info("iommu: no ACPI tables found; assuming no IOMMU");
		return;
	}
	units.n = 0;
	if ((len = acpi_table(&root, "DMAR", table, TABLE_MAX, &at)) > 0)
		iommu_parse_dmar(table, (uint32_t)len, &units);
	if ((len = acpi_table(&root, "IVRS", table, TABLE_MAX, &at)) > 0)
		iommu_parse_ivrs(table, (uint32_t)len, &units);
	if (units.n == 0)
		return;
	pci->n = 0;
	pci->full = false;
	pci_scan(collect, pci);
	if (pci->full)
		log_warn("iommu: more than %d PCI functions; NICs beyond them are not looked for", PCI_FUNCS_MAX);
	for (i = 0; i < units.n; i++) {
		if (units.u[i].segment != 0) {
			log_info("iommu: %s unit at 0x%llx is on PCI segment %u, where salvage drives no NIC; left as it is",
				 kind_name(units.u[i].kind), (unsigned long long)units.u[i].base, units.u[i].segment);
			continue;
		}
		release_unit(&units, i, pci);
	}
}
