/* Calls into 64-bit long mode (arch/i386/longmode.c, arch/i386/long.asm): functions of the x86_64
 * blob built from arch/i386/long64/, for the loops a dump spends its time in (16 registers and
 * 64-bit multiplies make them several times cheaper under emulation). */
#ifndef ARCH_LONG_H
#define ARCH_LONG_H

#include <stddef.h>
#include <stdint.h>

#define LONG_CALL_ARGS	6	/* rdi, rsi, rdx, rcx, r8, r9: the blob's functions take no more */

/* The blob's entry points (addresses in salvage's image, callable only through long_call), and the
 * helper CPU's (arch/i386/smp.c: its loop and its 64-bit IDT's handlers). */
extern char long64_sha256_blocks[], long64_chachapoly_seal[];
extern char long64_ap_loop[], long64_ap_isr_wake[], long64_ap_isr_quiet[], long64_ap_isr_fault[],
	long64_ap_isr_fault_err[], long64_ap_debug_fault[];

#define KERNEL_CS64	0x18		/* 64-bit code segment (arch/i386/cpu.c GDT index 3) */
#define IDT64_GATE_INT	0x8E		/* present, DPL 0, 64-bit interrupt gate */

/* A 64-bit IDT gate (Intel SDM vol. 3, 6.14.1) and the 10-byte LIDT operand of 64-bit mode. */
struct idt64_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt64_gate) == 16, "a 64-bit IDT gate is 16 bytes");

struct idtr64 {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct idtr64) == 10, "the 64-bit LIDT operand is 10 bytes");

/* The gate of a 64-bit interrupt handler at addr (below 4 GiB). */
static inline struct idt64_gate idt64_gate(uint32_t addr)
{
	return (struct idt64_gate){ .off_lo = addr & 0xFFFF, .sel = KERNEL_CS64, .type = IDT64_GATE_INT,
				    .off_mid = addr >> 16 };
}

/* The physical address of the long-mode identity map's PML4 (after long_available() returned 1). */
uint32_t long_pml4(void);

/* 1 when the CPU has long mode (checked once; the page tables and IDTs are built then), else 0. */
int long_available(void);

/* Call the blob's function fn with args (each zero-extended to 64 bits) in long mode and return the
 * low 32 bits of its result; what names what runs, for the log line of a fault. Interrupts are off
 * in salvage, so nothing else runs while paging is on; paging, PAE and long mode are off again on
 * return. An NMI in 64-bit mode is counted and ignored (cpu_nmi_report logs the count); any other
 * exception there is logged and re-raised as a 32-bit #GP (salvage recovers or resets as for any
 * exception). Only after long_available() returned 1. */
uint32_t long_call(const char *what, char *fn, const uint32_t args[LONG_CALL_ARGS]);

#endif
