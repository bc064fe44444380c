/* Host implementations of the kernel hooks (phys_read, clock_us, log_*) for the unit tests. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "mm/memmap.h"
#include "mm/phys.h"
#include "ok.h"
#include "shim.h"

int ok_failures;

void ok_at(const char *file, int line, int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s:%d ", pass ? "ok" : "not ok", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!pass)
		ok_failures++;
}

struct region {
	uint64_t addr;
	uint8_t *buf;
	size_t len;
};
static struct region regions[64];
static int nregions;

void fakemem_map(uint64_t addr, void *buf, size_t len)
{
	if (nregions < (int)(sizeof(regions) / sizeof(regions[0])))
		regions[nregions++] = (struct region){ addr, buf, len };
}

void fakemem_reset(void)
{
	nregions = 0;
}

/* The byte at addr + i in the newest mapping that holds it, or NULL (unmapped, or past 2^64). */
static uint8_t *fake_byte(uint64_t addr, size_t i)
{
	uint64_t a = addr + i;

	if (a < addr)
		return NULL;
	for (int r = nregions - 1; r >= 0; r--)
		if (a >= regions[r].addr && a - regions[r].addr < regions[r].len)
			return &regions[r].buf[a - regions[r].addr];
	return NULL;
}

/* Newest mapping first. One memcpy when the newest mapping holding addr holds the whole range and
 * no newer one overlaps it (the fuzz targets read megabytes per input); else byte by byte. */
int phys_read(uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	if (len && addr + len - 1 >= addr) {
		uint64_t last = addr + len - 1;

		for (int r = nregions - 1; r >= 0; r--) {
			uint64_t s = regions[r].addr, e = s + regions[r].len - 1;

			if (!regions[r].len || last < s || addr > e)
				continue;	/* disjoint from the range */
			if (addr >= s && last <= e) {
				memcpy(out, regions[r].buf + (addr - s), len);
				return 0;
			}
			break;			/* partly covered: byte by byte */
		}
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t *b = fake_byte(addr, i);

		if (!b)
			return -ERANGE;
		out[i] = *b;
	}
	return 0;
}

/* Zero what is mapped, byte by byte (newest mapping); -ERANGE where nothing is. */
int phys_zero(uint64_t addr, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t *b = fake_byte(addr, i);

		if (!b)
			return -ERANGE;
		*b = 0;
	}
	return 0;
}

uint64_t fake_now_us, fake_us_per_look;
uint64_t clock_us(void)
{
	fake_now_us += fake_us_per_look;
	return fake_now_us;
}

uint64_t self_start, self_end;

int shim_log_stderr = 1;
char log_buf[65536];
static size_t log_len;

void log_reset(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

int log_has(const char *s)
{
	return strstr(log_buf, s) != NULL;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (shim_log_stderr)
		fprintf(stderr, LOG_PREFIX "%s%s\n", level, line);
	if (log_len + strlen(level) + strlen(line) + 2 < sizeof(log_buf))
		log_len += (size_t)sprintf(log_buf + log_len, "%s%s\n", level, line);
}

#define LOG_FN(name, level)                          \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		log_line(level, fmt, ap);            \
		va_end(ap);                          \
	}
LOG_FN(log_info, "")
LOG_FN(log_warn, "warning: ")
LOG_FN(log_err, "error: ")

void shim_core_ehdr64(void *ehdr, uint16_t phnum)
{
	Elf64_Ehdr *e = ehdr;

	memset(e, 0, sizeof(*e));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_CORE;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = phnum;
}
