/* The CPU-level services kmain uses: boot information, exception recovery, clock setup and the
 * final reboot/halt. Implemented in arch/i386/. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "lib/cmdline.h"
#include "mm/memmap.h"

/* magic is EAX at entry (0x2BADB002 for multiboot), info is EBX (multiboot) or ESI (Linux
 * boot_params). Fills bi; returns 0 or a negative error when some of it could not be trusted. */
int cpu_boot_info(uint32_t magic, uint32_t info, struct bootinfo *bi);

/* setjmp-like: returns 0 when armed; returns again, non-zero, after a CPU exception was reported
 * (vector, error code, EIP, registers) while armed. cpu_release_exceptions() disarms. An exception
 * while disarmed is reported and then the machine resets: never a silent triple fault or hang. */
int cpu_catch_exceptions(void) __attribute__((returns_twice));
void cpu_release_exceptions(void);

/* NMIs are only counted where they strike; this logs one line with how many arrived since the last
 * report (and where the first struck) when there are any. The console calls it before each line,
 * the one moment a line can go out whole. */
void cpu_nmi_report(void);

/* n NMIs taken in 64-bit mode (arch/i386/longmode.c), for the next report. */
void cpu_nmi_count_long(uint32_t n);

/* Provoke a CPU exception (#GP, error code 0x1234) for the salvage.fault= debug word. */
void cpu_debug_fault(void);

/* The 8-byte 32-bit IDT gate salvage installed for exception vector v (< 32), for a table that must
 * reach the same handler (arch/i386/longmode.c). */
uint64_t cpu_idt_gate(unsigned v);

/* Calibrate the TSC against the PIT so clock_us() works. */
void clock_init(void);

/* Busy-wait. */
void udelay(uint32_t us);

/* Reboot, halt or power off; never returns. */
void cpu_done(enum done_action what) __attribute__((noreturn));

#endif
