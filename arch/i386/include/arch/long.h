/* Calls into 64-bit long mode (arch/i386/longmode.c, arch/i386/long.asm): functions of the x86_64
 * blob built from arch/i386/long64/, for the loops a dump spends its time in (16 registers and
 * 64-bit multiplies make them several times cheaper under emulation). */
#ifndef ARCH_LONG_H
#define ARCH_LONG_H

#include <stddef.h>
#include <stdint.h>

#define LONG_CALL_ARGS	6	/* rdi, rsi, rdx, rcx, r8, r9: the blob's functions take no more */

/* The blob's entry points (addresses in salvage's image, callable only through long_call). */
extern char long64_sha256_blocks[], long64_chachapoly_seal[];

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
