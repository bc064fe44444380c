/* A helper CPU (arch/i386/smp.c): one more processor of the crashed machine, started by salvage in
 * 64-bit long mode, that runs one function of the long-mode blob at a time beside the CPU that sends
 * the dump (the stream stage seals the next age chunk there while this one is sent). Started at the
 * first use, never when there is no second CPU, its local APIC is off, or it does not answer: the
 * callers then do the work themselves. Also included by the blob (arch/i386/long64/ap64.c). */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <stdint.h>

#define SMP_ARGS	6	/* = LONG_CALL_ARGS */
#define SMP_WAKE_VECTOR	0xF1	/* the IPI that wakes the helper; TPR 0xE0 lets only 0xF0-0xFF through */

/* The local APIC as both sides use it (Intel SDM vol. 3, chapter 10): xAPIC registers at offsets of
 * the base, or in x2APIC mode MSRs 0x800 + offset / 16. */
#define MSR_APIC_BASE	0x1B
#define APIC_BASE_BSP	(1u << 8)	/* this is the boot processor */
#define APIC_BASE_X2	(1u << 10)
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_MASK	0xFFFFF000u
#define X2APIC_MSR(reg)	(0x800 + ((reg) >> 4))
#define APIC_ID		0x020
#define APIC_TPR	0x080
#define APIC_EOI	0x0B0
#define APIC_SVR	0x0F0
#define SVR_ENABLE	0x100
#define SPURIOUS_VECTOR	0xFF

/* The mailbox between the two CPUs: the sender writes fn and args and then state = SMP_RUN and wakes
 * the helper; the helper writes result and then state = SMP_DONE (or SMP_FAULT with the fault). */
enum { SMP_BOOTING, SMP_IDLE, SMP_RUN, SMP_DONE, SMP_FAULT };
struct smp_mailbox {
	volatile uint32_t state;
	uint32_t fn;			/* the blob function's address */
	uint32_t args[SMP_ARGS];	/* zero-extended into rdi, rsi, rdx, rcx, r8, r9 */
	uint32_t result;
	uint32_t fault_error, fault_rip_lo, fault_rip_hi;
};

#ifdef __i386__
struct bootinfo;
struct config;

/* What the helper needs to be found and started (the ACPI MADT, a page below 1 MiB for its
 * start-up code): kept for the first smp_run. smp.off on the command line keeps it from starting. */
void smp_prepare(const struct bootinfo *bi, const struct config *cfg);

/* Run the blob function fn with args on the helper CPU, starting the helper the first time. Returns
 * 0 when it runs there (smp_wait collects it), or a negative error when there is no helper. */
int smp_run(char *fn, const uint32_t args[SMP_ARGS]);

/* Wait for what smp_run started. Returns 0 when it finished (or nothing was running); a negative
 * error when the helper took an exception or did not finish in time (logged with what; the helper
 * is stopped and not used again, and the work it had is lost). */
int smp_wait(const char *what);

/* Stop the helper (an INIT IPI: it waits for a start-up IPI again), before salvage hands the machine
 * on. Nothing when none was started. */
void smp_stop(void);
#endif

#endif
