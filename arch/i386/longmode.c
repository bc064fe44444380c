/* Calls into 64-bit long mode (<arch/long.h>): the identity map and IDTs they run with, and the
 * architecture hooks that use them: SHA-256 blocks (lib/sha256.h; a..h stay in registers) and
 * ChaCha20-Poly1305 sealing (crypto/age.h; BearSSL's chacha20_ct and poly1305_ctmulq built for
 * x86_64, 64-bit multiplies), each several times cheaper under emulation than its 32-bit code. */
#include "arch/cpu.h"
#include "arch/io.h"
#include "arch/long.h"
#include "arch/smp.h"
#include "crypto/age.h"
#include "lib/sha256.h"
#include "lib/lib.h"
#include "lib/log.h"

#define CPUID_EXT_MAX	0x80000000u
#define CPUID_EXT_FEAT	0x80000001u
#define CPUID_EXT_EDX_LM (1u << 29)	/* long mode */
#define PTE_P		0x1ull		/* present */
#define PTE_RW		0x2ull		/* writable */
#define PDE_PS		0x80ull		/* 2 MiB page */
#define BIG_PAGE	0x200000ull
#define NPD		4		/* page directories: 4 x 512 x 2 MiB = the low 4 GiB */
#define NENT		512
#define NUM_EXCEPTIONS	32
#define EXC_NMI		2
#define EXC_STUB_SIZE	16		/* long_exc64_stubs spacing */

/* arch/i386/long.asm */
uint32_t long_call_asm(uint32_t pml4, const void *fn, const uint32_t args[LONG_CALL_ARGS],
		       const struct idtr64 *idtr, const struct idtr64 *switch_idtr);
extern char long_exc64_stubs[], long_nmi64[];
extern uint32_t long_nmi_count;
extern struct {
	uint32_t vector_plus1, error;
	uint64_t rip;
} long_fault;

/* Long-mode paging: PML4[0] -> PDPT[0..3] -> 2 MiB pages identity-mapping the low 4 GiB. */
static uint64_t pml4[NENT] __attribute__((aligned(4096)));
static uint64_t pdpt[NENT] __attribute__((aligned(4096)));
static uint64_t pd[NPD][NENT] __attribute__((aligned(4096)));
static struct idt64_gate idt64[NUM_EXCEPTIONS] __attribute__((aligned(16)));
static struct idtr64 idt64_ptr;

/* The IDT loaded while the mode switches, when the CPU may be in either mode. Read as 32-bit gates
 * its vector 2 is salvage's 32-bit NMI entry; read as 64-bit gates its vector 2 is long_nmi64. The
 * two gates do not overlap, so an NMI at any instruction of the switch is taken and ignored. (QEMU
 * delivers a pending NMI right after the mode-switching far return: without this, NMIs during a
 * dump reset the machine within seconds.) Vectors 0, 1 (and 3-5 as 32-bit) are not present. */
static struct {
	uint64_t gate32[4];		/* bytes 0-31: vector 2 as a 32-bit gate */
	struct idt64_gate nmi64;	/* bytes 32-47: vector 2 as a 64-bit gate */
} switch_idt __attribute__((aligned(16)));
_Static_assert(sizeof(switch_idt) == 3 * sizeof(struct idt64_gate), "64-bit vector 2 ends the table");
static struct idtr64 switch_idt_ptr;
static int long_state;		/* 0 not yet checked, 1 usable, -1 no long mode */

_Static_assert(sizeof(pd[0]) == 4096, "a page directory is one 4 KiB page of 512 8-byte entries");

/* Contract in arch/long.h: checks CPUID for long mode and builds the identity map and IDTs, once;
 * logs which path hashes and seals. */
int long_available(void)
{
	uint32_t a, b, c, d = 0;
	int i, j;

	if (long_state)
		return long_state > 0;
	cpuid(CPUID_EXT_MAX, &a, &b, &c, &d);
	if (a >= CPUID_EXT_FEAT && a < CPUID_EXT_MAX + 0x100)
		cpuid(CPUID_EXT_FEAT, &a, &b, &c, &d);
	else
		d = 0;
	if (!(d & CPUID_EXT_EDX_LM)) {
		log_info("sha256: 32-bit blocks (this CPU has no long mode)");
		long_state = -1;
		return 0;
	}
	for (i = 0; i < NPD; i++) {
		for (j = 0; j < NENT; j++)
			pd[i][j] = ((uint64_t)(i * NENT + j) * BIG_PAGE) | PTE_P | PTE_RW | PDE_PS;
		pdpt[i] = (uint64_t)(uintptr_t)pd[i] | PTE_P | PTE_RW; /* flat segments: pointer = physical */
	}
	pml4[0] = (uint64_t)(uintptr_t)pdpt | PTE_P | PTE_RW;
	for (i = 0; i < NUM_EXCEPTIONS; i++) {
		uint32_t off = i == EXC_NMI ? (uintptr_t)long_nmi64
					    : (uintptr_t)long_exc64_stubs + i * EXC_STUB_SIZE;

		idt64[i] = idt64_gate(off);
	}
	idt64_ptr.limit = sizeof(idt64) - 1;
	idt64_ptr.base = (uintptr_t)idt64;
	switch_idt.gate32[EXC_NMI] = cpu_idt_gate(EXC_NMI);
	switch_idt.nmi64 = idt64[EXC_NMI];
	switch_idt_ptr.limit = sizeof(switch_idt) - 1;
	switch_idt_ptr.base = (uintptr_t)&switch_idt;
	long_state = 1;
	log_info("sha256: 64-bit long-mode blocks");
	return 1;
}

/* Contract in arch/long.h. */
uint32_t long_pml4(void)
{
	return (uint32_t)(uintptr_t)pml4;
}

/* Contract in arch/long.h. */
uint32_t long_call(const char *what, char *fn, const uint32_t args[LONG_CALL_ARGS])
{
	uint32_t r = long_call_asm((uint32_t)(uintptr_t)pml4, fn, args, &idt64_ptr, &switch_idt_ptr);

	if (long_nmi_count) {
		cpu_nmi_count_long(long_nmi_count);	/* logged at the next whole line */
		long_nmi_count = 0;
	}
	if (long_fault.vector_plus1) {
		log_err("%s: CPU exception %u (error code 0x%x) at rip 0x%llx in 64-bit mode", what,
			long_fault.vector_plus1 - 1, long_fault.error, (unsigned long long)long_fault.rip);
		long_fault.vector_plus1 = 0;
		cpu_debug_fault();
	}
	return r;
}

/* Contract in lib/sha256.h: the blob's sha256_blocks64 (arch/i386/long64/sha256_blocks64.c). */
int sha256_arch_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks, const uint32_t k[64])
{
	uint32_t args[LONG_CALL_ARGS] = {
		(uint32_t)(uintptr_t)h, (uint32_t)(uintptr_t)p, (uint32_t)nblocks, (uint32_t)(uintptr_t)k,
	};

	if (!long_available())
		return -ENODEV;
	long_call("sha256", long64_sha256_blocks, args);
	return 0;
}

/* Contract in crypto/age.h: the blob's chachapoly_seal64 (arch/i386/long64/chachapoly64.c). */
int age_arch_seal(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t tag[16])
{
	uint32_t args[LONG_CALL_ARGS] = {
		(uint32_t)(uintptr_t)key, (uint32_t)(uintptr_t)iv, (uint32_t)(uintptr_t)data, (uint32_t)len,
		(uint32_t)(uintptr_t)tag,
	};

	if (!long_available())
		return -ENODEV;
	long_call("chacha20-poly1305", long64_chachapoly_seal, args);
	return 0;
}

/* crypto/age.h's age_arch_sealer: the blob's chachapoly_seal64 on the helper CPU. */
static int helper_seal_start(const uint8_t key[32], const uint8_t iv[12], void *data, size_t len, uint8_t tag[16])
{
	uint32_t args[LONG_CALL_ARGS] = {
		(uint32_t)(uintptr_t)key, (uint32_t)(uintptr_t)iv, (uint32_t)(uintptr_t)data, (uint32_t)len,
		(uint32_t)(uintptr_t)tag,
	};

	return smp_run(long64_chachapoly_seal, args);
}

static int helper_seal_wait(void)
{
	return smp_wait("chacha20-poly1305");
}

const struct age_sealer age_arch_sealer = { helper_seal_start, helper_seal_wait };
