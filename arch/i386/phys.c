/* Physical memory reads and device register access on i386 with paging off: addresses below 4 GiB
 * are the linear addresses of our flat segments; anything above goes through a PAE window
 * (arch/i386/pae.c). */
#include "arch/pae.h"
#include "mm/phys.h"

#define PHYS_LIMIT 0x100000000ull	/* first address a flat 32-bit segment cannot reach */

/* Copy len bytes at physical addr into buf. Returns 0, or -ERANGE when the range wraps or lies
 * beyond what PAE reaches. Never faults: with paging off every address below 4 GiB reads
 * something (all ones where nothing answers). Copies with rep movs itself so that address 0 is
 * an ordinary address, not a null pointer the compiler may reason about. */
int phys_read(uint64_t addr, void *buf, size_t len)
{
	uint32_t src, dwords, bytes;
	void *dst = buf;

	if (len == 0)
		return 0;
	if (addr >= PHYS_LIMIT || len > PHYS_LIMIT - addr)
		return pae_read(addr, buf, len);
	src = (uint32_t)addr;
	dwords = len / 4;
	bytes = len % 4;
	__asm__ volatile("cld; rep movsl" : "+S"(src), "+D"(dst), "+c"(dwords) : : "memory");
	__asm__ volatile("rep movsb" : "+S"(src), "+D"(dst), "+c"(bytes) : : "memory");
	return 0;
}

/* Contract in mm/phys.h. rep stos, for the same reason as above. */
int phys_zero(uint64_t addr, size_t len)
{
	uint32_t dst;

	if (addr >= PHYS_LIMIT || len > PHYS_LIMIT - addr)
		return -ERANGE;
	dst = (uint32_t)addr;
	__asm__ volatile("cld; rep stosb" : "+D"(dst), "+c"(len) : "a"(0) : "memory");
	return 0;
}

/* Contract in mm/phys.h. One movl each, so the device sees a single 32-bit access. */
uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v = 0xffffffffu;

	if (addr <= PHYS_LIMIT - 4)
		__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"((uint32_t)addr) : "memory");
	else
		pae_mmio32(addr, &v, false);
	return v;
}

void mmio_write32(uint64_t addr, uint32_t v)
{
	if (addr <= PHYS_LIMIT - 4)
		__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"((uint32_t)addr) : "memory");
	else
		pae_mmio32(addr, &v, true);
}
