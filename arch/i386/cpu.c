/* i386 CPU setup and services: GDT, IDT with reports for all 32 exception vectors, recovery into
 * cpu_catch_exceptions, boot information, and the final reboot/halt/poweroff. */
#include "arch/cpu.h"
#include "arch/io.h"
#include "drivers/uart.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "mm/memmap.h"

#define MB_BOOT_MAGIC 0x2BADB002	/* EAX from a multiboot loader */

/* Segment selectors (GDT index * 8). */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define KERNEL_CS64 0x18	/* 64-bit code for arch/i386/long.asm */

/* Descriptor access bytes and flags. */
#define SEG_PRESENT 0x80
#define SEG_CODE_DATA 0x10	/* S: code/data, not system */
#define SEG_EXEC 0x08
#define SEG_RW 0x02		/* readable code / writable data */
#define SEG_GRAN_4K 0x80	/* limit in 4 KiB units */
#define SEG_32BIT 0x40
#define SEG_LONG 0x20		/* L: 64-bit code segment (D must be 0) */
#define IDT_GATE_INT32 0x8E	/* present, DPL 0, 32-bit interrupt gate */

#define NUM_EXCEPTIONS 32
#define EXC_NMI 2

/* Reset and power ports. */
#define PORT_RESET_CTRL 0xCF9	/* PCI reset control register (PIIX/ICH) */
#define RESET_CTRL_HARD 0x02	/* full reset, not just the CPU */
#define RESET_CTRL_DO 0x04	/* 0->1 starts the reset */
#define PORT_KBC_STATUS 0x64	/* 8042 keyboard controller */
#define KBC_STATUS_IBF 0x02	/* input buffer full */
#define KBC_CMD_PULSE_RESET 0xFE
#define PORT_QEMU_PM1A_CNT 0x604	/* ACPI PM1a control as SeaBIOS sets it up (PIIX4, ICH9) */
#define PORT_BOCHS_PM1A_CNT 0xB004	/* older QEMU/Bochs */
#define PM1_SLP_EN_S5 0x2000	/* SLP_EN with SLP_TYP 0 (S5 on QEMU) */

#define CR0_PG 0x80000000u

struct gdt_entry {
	uint16_t limit_lo, base_lo;
	uint8_t base_mid, access, flags_limit_hi, base_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct gdt_entry) == 8, "GDT entry is 8 bytes");

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_entry) == 8, "IDT gate is 8 bytes");

struct table_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct table_ptr) == 6, "GDTR/IDTR operand is 6 bytes");

/* What arch/i386/isr.asm pushes before calling exception_handler. */
struct exc_frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax; /* pushad */
	uint32_t es, ds;		/* the faulting code's (low 16 bits) */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;	/* pushed by the CPU (no privilege change: no ss:esp) */
};
_Static_assert(sizeof(struct exc_frame) == 60, "exception frame layout of isr.asm");

/* arch/i386/isr.asm */
struct exc_jmpbuf {
	uint32_t ebx, esi, edi, ebp, esp, eip, armed;
};
extern struct exc_jmpbuf exc_jb;
extern uint32_t exc_stubs[NUM_EXCEPTIONS];
void exc_longjmp(int val) __attribute__((noreturn));

/* linker.ld */
extern char __image_start[], __image_end[];

uint64_t self_start, self_end;

static struct gdt_entry gdt[4] __attribute__((aligned(8)));
static struct idt_entry idt[NUM_EXCEPTIONS] __attribute__((aligned(8)));
static uint32_t bad_relocs;
static int in_exception;
/* NMIs: the handler only counts (a line written from it could land inside a frame or log line);
 * cpu_nmi_report logs them at the next whole line. nmi_count and nmi_first_eip change only in the
 * handler, nmi_reported and nmi_long only outside it. */
static volatile uint32_t nmi_count, nmi_first_eip, nmi_reported;
static uint32_t nmi_long;

void cpu_init(uint32_t unsupported_relocs);
void exception_handler(struct exc_frame *f);
void cpu_boot_failed(void) __attribute__((noreturn));

/* GDT entry i: a flat 4 GiB 32-bit segment with the given access byte. */
static void gdt_set(int i, uint8_t access)
{
	gdt[i] = (struct gdt_entry){
		.limit_lo = 0xFFFF,
		.base_lo = 0,
		.base_mid = 0,
		.access = access,
		.flags_limit_hi = SEG_GRAN_4K | SEG_32BIT | 0x0F,
		.base_hi = 0,
	};
}

/* Called by boot/entry.asm once relocated, with a stack: load our own flat GDT (reloading every
 * segment register) and an IDT covering the 32 exception vectors. Logs nothing (no console yet). */
void cpu_init(uint32_t unsupported_relocs)
{
	struct table_ptr p;
	int i;

	bad_relocs = unsupported_relocs;
	self_start = (uintptr_t)__image_start;
	self_end = (uintptr_t)__image_end;

	gdt_set(1, SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW);
	gdt_set(2, SEG_PRESENT | SEG_CODE_DATA | SEG_RW);
	gdt_set(KERNEL_CS64 / 8, SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW);
	gdt[KERNEL_CS64 / 8].flags_limit_hi = SEG_GRAN_4K | SEG_LONG | 0x0F;
	p.limit = sizeof(gdt) - 1;
	p.base = (uintptr_t)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%fs\n\t"
			 "movw %w1, %%gs\n\t"
			 "movw %w1, %%ss\n\t"
			 /* reload CS with a far return to the next instruction */
			 "pushl %2\n\t"
			 "call 1f\n"
			 "1:\taddl $(2f - 1b), (%%esp)\n\t"
			 "lret\n"
			 "2:"
			 : : "m"(p), "r"(KERNEL_DS), "i"(KERNEL_CS) : "memory");

	for (i = 0; i < NUM_EXCEPTIONS; i++)
		idt[i] = (struct idt_entry){
			.off_lo = exc_stubs[i] & 0xFFFF,
			.sel = KERNEL_CS,
			.zero = 0,
			.type = IDT_GATE_INT32,
			.off_hi = exc_stubs[i] >> 16,
		};
	p.limit = sizeof(idt) - 1;
	p.base = (uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

uint64_t cpu_idt_gate(unsigned v)
{
	uint64_t g = 0;

	if (v < NUM_EXCEPTIONS)
		memcpy(&g, &idt[v], sizeof(g));
	return g;
}

/* Fill bi from the multiboot info (magic 0x2BADB002, info = EBX) or Linux boot_params (info = ESI)
 * and report anything odd about our own image. Returns 0 or a negative error from the parser. */
int cpu_boot_info(uint32_t magic, uint32_t info, struct bootinfo *bi)
{
	int rc, i;

	if (bad_relocs)
		log_err("boot: %u relocations of an unsupported type were not applied", bad_relocs);
	if (magic == MB_BOOT_MAGIC)
		rc = bootinfo_from_multiboot(info, bi);
	else
		rc = bootinfo_from_linux(info, bi);
	/* Our .bss is only as good as the RAM under it: say so when the map disagrees. */
	for (i = 0; i < bi->map.n; i++) {
		const struct mem_range *r = &bi->map.r[i];

		if (r->type == MEM_RAM && r->start <= self_start && self_end - r->start <= r->size)
			break;
	}
	if (bi->map.n > 0 && i == bi->map.n)
		log_err("boot: salvage's image 0x%llx-0x%llx is not inside one RAM range of the memory map",
			(unsigned long long)self_start, (unsigned long long)self_end);
	return rc;
}

/* Disarm: an exception from here on resets the machine. */
void cpu_release_exceptions(void)
{
	exc_jb.armed = 0;
}

static const char *const exc_names[NUM_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

/* Contract in arch/cpu.h. */
void cpu_nmi_count_long(uint32_t n)
{
	nmi_long += n;
}

/* Contract in arch/cpu.h. A report's own log line does not report again (NMIs that arrive
 * meanwhile wait for the next line). */
void cpu_nmi_report(void)
{
	static bool busy;
	uint32_t n = nmi_count, eip = nmi_first_eip, fresh = n - nmi_reported, in64 = nmi_long;

	if (busy || (fresh == 0 && in64 == 0))
		return;
	busy = true;
	nmi_reported = n;
	nmi_long = 0;
	if (fresh && in64)
		log_warn("%u NMIs ignored since the last line (first at eip 0x%08x, salvage+0x%x; %u in 64-bit "
			 "long-mode code)", fresh + in64, eip, eip - (uint32_t)self_start, in64);
	else if (fresh)
		log_warn("%u NMI%s ignored since the last line (first at eip 0x%08x, salvage+0x%x)", fresh,
			 fresh == 1 ? "" : "s", eip, eip - (uint32_t)self_start);
	else
		log_warn("%u NMI%s ignored since the last line (in 64-bit long-mode code)", in64, in64 == 1 ? "" : "s");
	busy = false;
}

/* Report the exception (vector, error code, EIP, registers), then resume at the armed
 * cpu_catch_exceptions with vector + 1, or reset. A fault inside this report resets at once.
 * An NMI is not an error (the crashed kernel may have sent one to stop CPUs; a watchdog or a BMC
 * may keep sending them): it is only counted, and the interrupted code goes on. */
void exception_handler(struct exc_frame *f)
{
	uint32_t cr0, cr2, cr3, cr4, esp = (uintptr_t)&f->eflags + 4;
	uint16_t ss;

	if (f->vector == EXC_NMI) {
		if (nmi_count == nmi_reported)
			nmi_first_eip = f->eip;
		nmi_count++;
		return;
	}
	if (in_exception++) {
		/* Faulted while reporting: no console to trust; reset without a word. */
		cpu_done(DONE_REBOOT);
	}
	__asm__ volatile("mov %%cr0, %0; mov %%cr2, %1; mov %%cr3, %2; mov %%cr4, %3"
			 : "=r"(cr0), "=r"(cr2), "=r"(cr3), "=r"(cr4));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	log_err("CPU exception %u (%s), error code 0x%x, at eip 0x%08x (salvage+0x%x)",
		f->vector, f->vector < NUM_EXCEPTIONS ? exc_names[f->vector] : "?", f->error,
		f->eip, f->eip - (uint32_t)self_start);
	log_err("  eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x esp=%08x",
		f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp, esp);
	log_err("  eflags=%08x cs=%04x ds=%04x es=%04x ss=%04x cr0=%08x cr2=%08x cr3=%08x cr4=%08x",
		f->eflags, f->cs & 0xFFFF, f->ds & 0xFFFF, f->es & 0xFFFF, ss, cr0, cr2, cr3, cr4);
	if (exc_jb.armed) {
		in_exception = 0;
		exc_longjmp((int)f->vector + 1);
	}
	log_err("exception outside a dump target: resetting");
	cpu_done(DONE_REBOOT);
}

/* Provoke a #GP with error code 0x1234 (ES loaded with 0x1234, an LDT selector, and there is no
 * LDT): the salvage.fault= debug word uses it to test exception recovery. */
void cpu_debug_fault(void)
{
	__asm__ volatile("movw %w0, %%es" : : "r"(0x1234) : "memory");
}

/* Reset the machine by every means there is, best first; never returns. Logs nothing. */
static void reset_now(void) __attribute__((noreturn));
static void reset_now(void)
{
	static const struct table_ptr no_idt = { 0, 0 };
	int i;

	outb(PORT_RESET_CTRL, RESET_CTRL_HARD);
	outb(PORT_RESET_CTRL, RESET_CTRL_HARD | RESET_CTRL_DO);
	for (i = 0; i < 100000; i++)
		io_delay();
	for (i = 0; i < 100000 && (inb(PORT_KBC_STATUS) & KBC_STATUS_IBF); i++)
		io_delay();
	outb(PORT_KBC_STATUS, KBC_CMD_PULSE_RESET);
	for (i = 0; i < 100000; i++)
		io_delay();
	/* Last resort: a triple fault (no IDT, then an exception). */
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Stop here for good (an NMI wakes hlt: loop). */
static void halt_forever(void) __attribute__((noreturn));
static void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Reboot (PCI reset register, then the keyboard controller, then a triple fault), halt, or power
 * off (ACPI PM1a ports QEMU/SeaBIOS use; best effort, halts if still running). Never returns. */
void cpu_done(enum done_action what)
{
	switch (what) {
	case DONE_HALT:
		log_info("halting");
		halt_forever();
	case DONE_POWEROFF:
		log_info("powering off");
		outw(PORT_QEMU_PM1A_CNT, PM1_SLP_EN_S5);
		outw(PORT_BOCHS_PM1A_CNT, PM1_SLP_EN_S5);
		udelay(500000);	/* the power may take a moment to go */
		log_warn("power off did not work; halting");
		halt_forever();
	case DONE_REBOOT:
	default:
		if (in_exception <= 1)
			log_info("rebooting");
		reset_now();
	}
}

/* kmain returned (it must not): reboot. */
void cpu_boot_failed(void)
{
	log_err("kmain returned; rebooting");
	reset_now();
}
