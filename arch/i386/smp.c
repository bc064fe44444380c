/* The helper CPU (<arch/smp.h>): another enabled processor of the ACPI MADT, started with INIT and
 * start-up IPIs (Intel SDM vol. 3, 8.4.4) through a page below 1 MiB whose bytes are put back as
 * soon as the helper runs from salvage's image (the dump sees them as they were), then driven
 * through a mailbox in 64-bit mode. The local APIC is used in the mode the crashed kernel left it:
 * xAPIC (memory-mapped; paging is off) or x2APIC (MSRs). */
#include "arch/cpu.h"
#include "arch/io.h"
#include "arch/long.h"
#include "arch/smp.h"
#include "drivers/acpi.h"
#include "lib/clock.h"
#include "lib/cmdline.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "mm/memmap.h"

#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define ICR_BUSY	(1u << 12)	/* xAPIC: the last IPI is still being sent */
#define ICR_ASSERT	(1u << 14)
#define ICR_FIXED	ICR_ASSERT
#define ICR_INIT	(5u << 8 | ICR_ASSERT)
#define ICR_STARTUP	(6u << 8 | ICR_ASSERT)
#define XAPIC_MAX_ID	0xFE		/* 0xFF is the broadcast */

/* ACPI 6.5, 5.2.12: the MADT's entries follow its header, the local APIC address and flags. */
#define MADT_ENTRIES	44
#define MADT_LAPIC	0		/* uid u8, APIC ID u8, flags u32 */
#define MADT_X2APIC	9		/* reserved u16, x2APIC ID u32, flags u32, uid u32 */
#define MADT_ENABLED	1u

#define LOW_START	0x1000u		/* start-up pages: above the real-mode IVT and BDA, */
#define LOW_END		0x9F000u	/* below the EBDA */
#define NUM_EXCEPTIONS	32
#define EXC_NMI		2
#define EXC_HAS_ERROR	0x60227D00u	/* vectors 8, 10-14, 17, 21, 29, 30 push an error code */
#define START_WAIT_US	200000u
#define RUN_WAIT_US	5000000u	/* far longer than any call takes, emulated or not */

/* ap.asm's start-up code and, inside it, the boot block it reads. */
extern const uint8_t ap_tramp[], ap_tramp_boot[], ap_tramp_end[];
struct ap_boot {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t idt_limit;
	uint64_t idt_base;
	uint32_t pml4, stack, mailbox, entry;
} __attribute__((packed));
_Static_assert(sizeof(struct ap_boot) == 32, "ap.asm's boot block is 32 bytes");

static struct smp_mailbox mailbox;
static struct idt64_gate helper_idt[256] __attribute__((aligned(16)));
static uint8_t helper_stack[8192] __attribute__((aligned(16)));
static uint8_t saved_page[PAGE_SIZE];

static struct {
	const struct bootinfo *bi;
	const struct config *cfg;
	int state;			/* 0 not tried yet, 1 running, -1 none (or stopped) */
	bool x2;			/* x2APIC mode */
	uint32_t mmio;			/* xAPIC registers */
	uint32_t self, helper;		/* APIC IDs */
	bool faulted;			/* salvage.fault=helper was done */
} smp;

static uint32_t apic_read(uint32_t reg)
{
	return smp.x2 ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : *(volatile uint32_t *)(uintptr_t)(smp.mmio + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (smp.x2)
		wrmsr(X2APIC_MSR(reg), v);
	else
		*(volatile uint32_t *)(uintptr_t)(smp.mmio + reg) = v;
}

/* Wait until the local APIC can take another IPI (xAPIC's delivery status). 0, or -ETIMEDOUT. */
static int icr_idle(void)
{
	uint64_t t0 = clock_us();

	while (!smp.x2 && (apic_read(APIC_ICR_LO) & ICR_BUSY)) {
		if (clock_us() - t0 > 100000)
			return -ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

/* Send the IPI icr to the helper; call icr_idle first. */
static void ipi(uint32_t icr)
{
	if (smp.x2) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)smp.helper << 32 | icr);
		return;
	}
	apic_write(APIC_ICR_HI, smp.helper << 24);
	apic_write(APIC_ICR_LO, icr);
}

/* The first enabled processor of the MADT other than this one. 0 with *id, or -ENOENT (logged). */
static int find_helper(uint32_t *id)
{
	uint8_t *t = helper_stack;	/* the helper's stack: unused until it starts */
	struct acpi_root root;
	uint32_t off, apic, flags;
	uint64_t at, hint = smp.cfg->acpi_rsdp ? smp.cfg->acpi_rsdp : smp.bi->acpi_rsdp;
	int len;

	if (acpi_init(&root, hint) != 0 || (len = acpi_table(&root, "APIC", t, sizeof(helper_stack), &at)) <= 0) {
		log_info("smp: no usable ACPI MADT: salvage runs on one CPU");
		return -ENOENT;
	}
	for (off = MADT_ENTRIES; off + 2 <= (uint32_t)len; off += t[off + 1]) {
		if (t[off + 1] < 2 || off + t[off + 1] > (uint32_t)len) {
			log_warn("smp: ACPI MADT entry at offset %u has length %u (table: %d bytes); its entries "
				 "from there are not read", off, t[off + 1], len);
			break;
		}
		if (t[off] == MADT_LAPIC && t[off + 1] >= 8) {
			apic = t[off + 3];
			memcpy(&flags, t + off + 4, 4);
		} else if (t[off] == MADT_X2APIC && t[off + 1] >= 16) {
			memcpy(&apic, t + off + 4, 4);
			memcpy(&flags, t + off + 8, 4);
		} else {
			continue;
		}
		if ((flags & MADT_ENABLED) && apic != smp.self && (smp.x2 || apic <= XAPIC_MAX_ID)) {
			*id = apic;
			return 0;
		}
	}
	log_info("smp: the ACPI MADT lists no other CPU: salvage runs on one");
	return -ENOENT;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* A page below 1 MiB for the start-up code: RAM in the memory map that holds none of salvage's
 * boot information. Its bytes are saved and put back. Returns its address, or 0. */
static uint32_t start_page(void)
{
	const struct memmap *m = &smp.bi->map;

	for (uint32_t p = LOW_END - PAGE_SIZE; p >= LOW_START; p -= PAGE_SIZE) {
		bool ram = false, busy = overlaps(p, p + PAGE_SIZE, self_start, self_end);

		for (int i = 0; i < m->n; i++)
			ram |= m->r[i].type == MEM_RAM && m->r[i].start <= p && p + PAGE_SIZE <= m->r[i].start + m->r[i].size;
		for (int i = 0; i < smp.bi->nmodules; i++)
			busy |= overlaps(p, p + PAGE_SIZE, smp.bi->modules[i].start, smp.bi->modules[i].end);
		if (smp.cfg->have_elfcorehdr)
			busy |= overlaps(p, p + PAGE_SIZE, smp.cfg->elfcorehdr_addr,
					 smp.cfg->elfcorehdr_addr + smp.cfg->elfcorehdr_size);
		if (ram && !busy)
			return p;
	}
	return 0;
}

/* The helper's 64-bit IDT: exceptions stop it (the mailbox says where), NMIs and the spurious
 * vector are ignored, every other vector is acknowledged (only the wake IPI gets past its TPR). */
static void build_idt(void)
{
	for (unsigned v = 0; v < ARRAY_SIZE(helper_idt); v++) {
		char *h = long64_ap_isr_wake;

		if (v == EXC_NMI || v == SPURIOUS_VECTOR)
			h = long64_ap_isr_quiet;
		else if (v < NUM_EXCEPTIONS)
			h = EXC_HAS_ERROR >> v & 1 ? long64_ap_isr_fault_err : long64_ap_isr_fault;
		helper_idt[v] = idt64_gate((uint32_t)(uintptr_t)h);
	}
}

/* Find and start the helper: smp.state 1 on success, else -1 (logged). */
static void helper_start(void)
{
	struct ap_boot *boot;
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr;
	uint64_t base, t0;
	uint32_t page, svr;

	smp.state = -1;
	if (!smp.bi || !long_available())
		return;
	if (smp.cfg->cpus < 2) {
		log_info("smp: salvage.cpus=1: salvage runs on one CPU");
		return;
	}
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE) || base >> 32) {
		log_info("smp: this CPU's local APIC is off: salvage runs on one CPU");
		return;
	}
	smp.x2 = base & APIC_BASE_X2;
	smp.mmio = (uint32_t)base & APIC_BASE_MASK;
	smp.self = smp.x2 ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
	/* An INIT sends the boot processor back to the firmware's reset code rather than to wait for a
	 * start-up IPI, and only the boot processor itself can tell it is the one (the MADT lists it
	 * first only by convention). So a helper is started only from the boot processor: every other
	 * CPU is then safe to start. */
	if (!(base & APIC_BASE_BSP)) {
		log_info("smp: the crash left salvage on a CPU other than the boot processor (APIC ID %u), from which "
			 "no other CPU is safe to start: salvage runs on one", smp.self);
		return;
	}
	if (find_helper(&smp.helper) != 0)
		return;
	if (!(page = start_page())) {
		log_info("smp: no free page below 1 MiB for a CPU's start-up: salvage runs on one CPU");
		return;
	}
	build_idt();
	memcpy(saved_page, (void *)(uintptr_t)page, PAGE_SIZE);
	memcpy((void *)(uintptr_t)page, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
	boot = (struct ap_boot *)(uintptr_t)(page + (uint32_t)(ap_tramp_boot - ap_tramp));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	*boot = (struct ap_boot){
		.gdt_limit = gdtr.limit, .gdt_base = gdtr.base,
		.idt_limit = sizeof(helper_idt) - 1, .idt_base = (uintptr_t)helper_idt,
		.pml4 = long_pml4(), .stack = (uint32_t)(uintptr_t)(helper_stack + sizeof(helper_stack)),
		.mailbox = (uint32_t)(uintptr_t)&mailbox, .entry = (uint32_t)(uintptr_t)long64_ap_loop,
	};
	mailbox.state = SMP_BOOTING;
	/* The crashed kernel software-disables its local APICs on the way down: enable this one to send. */
	svr = apic_read(APIC_SVR);
	if (!(svr & SVR_ENABLE))
		apic_write(APIC_SVR, (svr & ~0xFFu) | SVR_ENABLE | SPURIOUS_VECTOR);
	/* INIT, 10 ms, start-up, 200 us, start-up again (a CPU already running ignores it). */
	if (icr_idle() == 0) {
		ipi(ICR_INIT);
		udelay(10000);
		icr_idle();
		ipi(ICR_STARTUP | page >> 12);
		udelay(200);
		icr_idle();
		ipi(ICR_STARTUP | page >> 12);
	}
	t0 = clock_us();
	while (mailbox.state == SMP_BOOTING && clock_us() - t0 < START_WAIT_US)
		cpu_relax();
	if (mailbox.state != SMP_IDLE) {
		if (icr_idle() == 0)
			ipi(ICR_INIT);		/* off the page before its bytes go back */
		udelay(10000);
		memcpy((void *)(uintptr_t)page, saved_page, PAGE_SIZE);
		log_warn("smp: the CPU with APIC ID %u did not start (%s): salvage runs on one", smp.helper,
			 mailbox.state == SMP_FAULT ? "it took an exception" : "no answer in 200 ms");
		return;
	}
	memcpy((void *)(uintptr_t)page, saved_page, PAGE_SIZE);
	smp.state = 1;
	log_info("smp: the CPU with APIC ID %u helps (started through page 0x%x, restored; %s)", smp.helper, page,
		 smp.x2 ? "x2APIC" : "xAPIC");
}

/* Contract in arch/smp.h. */
void smp_prepare(const struct bootinfo *bi, const struct config *cfg)
{
	smp.bi = bi;
	smp.cfg = cfg;
}

/* Contract in arch/smp.h. */
int smp_run(char *fn, const uint32_t args[SMP_ARGS])
{
	if (smp.state == 0)
		helper_start();
	if (smp.state == 1 && mailbox.state == SMP_RUN)
		smp_wait("smp");	/* what a target left behind on an exception: it never overlaps */
	if (smp.state != 1)
		return -ENODEV;
	if (icr_idle() != 0) {		/* the helper has not been told: nothing of the work was done */
		log_warn("smp: the local APIC does not send; salvage runs on one CPU from here");
		smp_stop();
		return -ENODEV;
	}
	if (smp.cfg->fault_helper && !smp.faulted) {
		smp.faulted = true;
		fn = long64_ap_debug_fault;
	}
	mailbox.fn = (uint32_t)(uintptr_t)fn;
	memcpy(mailbox.args, args, sizeof(mailbox.args));
	__atomic_store_n(&mailbox.state, SMP_RUN, __ATOMIC_RELEASE);
	ipi(ICR_FIXED | SMP_WAKE_VECTOR);
	return 0;
}

/* Contract in arch/smp.h. */
int smp_wait(const char *what)
{
	uint64_t t0 = clock_us();
	uint32_t st;

	if (smp.state != 1)
		return 0;
	while ((st = __atomic_load_n(&mailbox.state, __ATOMIC_ACQUIRE)) == SMP_RUN && clock_us() - t0 < RUN_WAIT_US)
		cpu_relax();
	if (st == SMP_DONE || st == SMP_IDLE)
		return 0;
	if (st == SMP_FAULT)
		log_err("%s: the helper CPU took an exception (error code 0x%x) at rip 0x%llx; it is stopped", what,
			mailbox.fault_error, (unsigned long long)mailbox.fault_rip_hi << 32 | mailbox.fault_rip_lo);
	else
		log_err("%s: the helper CPU did not finish in %u s; it is stopped", what, RUN_WAIT_US / 1000000);
	smp_stop();
	return -EIO;
}

/* Contract in arch/smp.h. */
void smp_stop(void)
{
	if (smp.state == 1 && icr_idle() == 0)
		ipi(ICR_INIT);
	if (smp.state == 1)
		smp.state = -1;
}
