/* The helper CPU's 64-bit side (arch/i386/smp.c, <arch/smp.h>), built into the long-mode blob: the
 * loop ap.asm's start-up code calls, and the handlers of the helper's own 64-bit IDT. The helper
 * sleeps in hlt with only the wake vector let through (TPR), runs what the mailbox names, says it
 * is done, and sleeps again. An exception is written to the mailbox and stops the helper. */
#pragma GCC visibility push(hidden)
#include "arch/io.h"
#include "arch/smp.h"

#define TPR_WAKE_ONLY	0xE0		/* priority classes 0-14 held: device interrupts stay pending */

/* The frame the CPU pushes for an interrupt in 64-bit mode. */
struct interrupt_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

static struct smp_mailbox *mb;
static uint32_t apic_mmio;		/* xAPIC registers' address; 0 in x2APIC mode */

static void apic_write(uint32_t reg, uint32_t v)
{
	if (apic_mmio)
		*(volatile uint32_t *)(uintptr_t)(apic_mmio + reg) = v;
	else
		wrmsr(X2APIC_MSR(reg), v);
}

/* The wake IPI: acknowledged; the loop looks at the mailbox. */
__attribute__((interrupt)) void ap_isr_wake(struct interrupt_frame *f)
{
	(void)f;
	apic_write(APIC_EOI, 0);
}

/* NMI and the spurious vector: nothing to acknowledge. */
__attribute__((interrupt)) void ap_isr_quiet(struct interrupt_frame *f)
{
	(void)f;
}

static void __attribute__((noreturn)) fault(uint64_t rip, uint64_t error)
{
	mb->fault_error = (uint32_t)error;
	mb->fault_rip_lo = (uint32_t)rip;
	mb->fault_rip_hi = (uint32_t)(rip >> 32);
	__atomic_store_n(&mb->state, SMP_FAULT, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* An exception without and with an error code: the helper stops. */
__attribute__((interrupt)) void ap_isr_fault(struct interrupt_frame *f)
{
	fault(f->rip, 0);
}

__attribute__((interrupt)) void ap_isr_fault_err(struct interrupt_frame *f, uint64_t error)
{
	fault(f->rip, error);
}

/* Called by ap.asm with the mailbox; never returns. */
void ap_loop64(struct smp_mailbox *m)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint64_t (*fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

	mb = m;
	apic_mmio = base & APIC_BASE_X2 ? 0 : (uint32_t)base & APIC_BASE_MASK;
	apic_write(APIC_TPR, TPR_WAKE_ONLY);
	apic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	__atomic_store_n(&m->state, SMP_IDLE, __ATOMIC_RELEASE);
	for (;;) {
		/* sti's one-instruction delay makes "sti; hlt" atomic: a wake IPI that arrives after
		 * the check ends the hlt rather than being taken before it. */
		__asm__ volatile("cli");
		while (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE) != SMP_RUN)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		fn = (void *)(uintptr_t)m->fn;
		m->result = (uint32_t)fn(m->args[0], m->args[1], m->args[2], m->args[3], m->args[4], m->args[5]);
		__atomic_store_n(&m->state, SMP_DONE, __ATOMIC_RELEASE);
	}
}

/* salvage.fault=helper (debug, tests): an invalid opcode on the helper. */
void ap_debug_fault64(void)
{
	__asm__ volatile("ud2");
}
