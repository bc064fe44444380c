/* The host side of the kernel's hooks: a fake physical memory, a fake clock and a captured log,
 * so unit tests drive the kernel's own sources unchanged. */
#ifndef TESTS_UNIT_SHIM_H
#define TESTS_UNIT_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* Map host buffer buf as physical [addr, addr+len). Up to 64 regions; later ones win. */
void fakemem_map(uint64_t addr, void *buf, size_t len);
/* Forget every mapping (buffers stay the caller's). */
void fakemem_reset(void);

/* The fake clock: clock_us() returns this, first advancing it by fake_us_per_look (0 unless a
 * test wants time to pass while the code under test runs). */
extern uint64_t fake_now_us, fake_us_per_look;

/* Log lines also go to stderr unless this is 0 (the fuzz targets clear it). */
extern int shim_log_stderr;

/* Everything logged since the last log_reset(), one line per log call. */
extern char log_buf[65536];
void log_reset(void);
/* Non-zero when s occurs in log_buf. */
int log_has(const char *s);

/* Fill ehdr (an Elf64_Ehdr) as an x86_64 little-endian ET_CORE header whose phnum program headers
 * follow it directly, as kexec-tools writes them; everything else zero. */
void shim_core_ehdr64(void *ehdr, uint16_t phnum);

#endif
