/* Unit tests for mm/bootinfo.c: multiboot info and Linux boot_params built in fake physical
 * memory — good ones, and truncated, absurd, unreadable and unterminated ones that must be
 * reported while everything trustworthy is kept. */
/* unit-sources: mm/bootinfo.c crypto/seed.c */
#include <stdio.h>
#include <string.h>

#include "mm/memmap.h"
#include "ok.h"
#include "shim.h"

static struct bootinfo bi;

/* ---- multiboot ---- */

#define MBI_AT 0x10000u
#define MMAP_AT 0x11000u
#define MODS_AT 0x12000u
#define STR_AT 0x13000u
#define CMD_AT 0x14000u

static uint8_t mbi[52], mmap[4096], mods[16 * 16], strs[256], cmd[4096];

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A multiboot info with flags, a command line, n mmap entries of entry size esize (>= 20). */
static uint32_t mmap_len;
static void mmap_entry(uint32_t esize, uint64_t base, uint64_t len, uint32_t type)
{
	put32(mmap + mmap_len, esize);
	put64(mmap + mmap_len + 4, base);
	put64(mmap + mmap_len + 12, len);
	put32(mmap + mmap_len + 20, type);
	mmap_len += esize + 4;
}

static void mb_reset(uint32_t flags, const char *cmdline)
{
	fakemem_reset();
	log_reset();
	memset(mbi, 0, sizeof(mbi));
	memset(mmap, 0, sizeof(mmap));
	memset(mods, 0, sizeof(mods));
	memset(strs, 0, sizeof(strs));
	memset(cmd, 0, sizeof(cmd));
	mmap_len = 0;
	put32(mbi + 0, flags);
	put32(mbi + 16, CMD_AT);
	put32(mbi + 48, MMAP_AT);
	put32(mbi + 24, MODS_AT);
	if (cmdline)
		strcpy((char *)cmd, cmdline);
	fakemem_map(MBI_AT, mbi, sizeof(mbi));
	fakemem_map(MMAP_AT, mmap, sizeof(mmap));
	fakemem_map(MODS_AT, mods, sizeof(mods));
	fakemem_map(STR_AT, strs, sizeof(strs));
	fakemem_map(CMD_AT, cmd, sizeof(cmd));
}

static void set_mmap_length(uint32_t n) { put32(mbi + 44, n); }

static void module(int i, uint32_t start, uint32_t end, const char *s)
{
	put32(mods + 16 * i, start);
	put32(mods + 16 * i + 4, end);
	if (s) {
		strcpy((char *)strs + 32 * i, s);
		put32(mods + 16 * i + 8, STR_AT + 32 * i);
	}
}

#define F_MEM 1u
#define F_CMDLINE 4u
#define F_MODS 8u
#define F_MMAP 64u

static void test_mb_good(void)
{
	mb_reset(F_MEM | F_CMDLINE | F_MODS | F_MMAP, "/boot/salvage.elf console=ttyS1 dump=serial");
	mmap_entry(20, 0x100000, 0x1f00000, 1);
	mmap_entry(24, 0, 0x9fc00, 1);		/* size 24: the next entry is at +28 */
	mmap_entry(20, 0xfffc0000, 0x40000, 2);
	set_mmap_length(mmap_len);
	put32(mbi + 20, 2);
	module(0, 0x300000, 0x301000, "corehdr");
	module(1, 0x400000, 0x400000, NULL);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0, "good multiboot info: 0");
	ok(bi.protocol == BOOT_MULTIBOOT, "protocol multiboot");
	ok(!strcmp(bi.cmdline, "console=ttyS1 dump=serial"), "image path dropped: '%s'", bi.cmdline);
	ok(bi.map.n == 3, "three ranges (%d)", bi.map.n);
	ok(bi.map.r[0].start == 0 && bi.map.r[0].size == 0x9fc00 && bi.map.r[0].type == 1 &&
	   bi.map.r[1].start == 0x100000 && bi.map.r[2].start == 0xfffc0000 && bi.map.r[2].type == 2,
	   "sorted, entry size field honoured");
	ok(bi.nmodules == 2 && bi.modules[0].start == 0x300000 && bi.modules[0].end == 0x301000 &&
	   !strcmp(bi.modules[0].cmdline, "corehdr") && bi.modules[1].cmdline[0] == 0,
	   "modules with and without a string");
	ok(!log_has("error") && !log_has("warning"), "nothing reported");

	mb_reset(F_CMDLINE | F_MMAP, "console=ttyS0 x");
	mmap_entry(20, 0, 0x1000, 1);
	set_mmap_length(mmap_len);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && !strcmp(bi.cmdline, "console=ttyS0 x"),
	   "first word with '=' kept (no image path given)");
	mb_reset(F_CMDLINE | F_MMAP, "/boot/salvage.elf");
	set_mmap_length(0);
	bootinfo_from_multiboot(MBI_AT, &bi);
	ok(bi.cmdline[0] == 0, "image path alone leaves an empty line");
}

static void test_mb_mem_only(void)
{
	mb_reset(F_MEM, NULL);
	put32(mbi + 4, 639);
	put32(mbi + 8, 31 * 1024);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0, "mem_lower/mem_upper only: 0");
	ok(bi.map.n == 2 && bi.map.r[0].size == 639 * 1024 && bi.map.r[1].start == 0x100000 &&
	   bi.map.r[1].size == 31u << 20, "two RAM ranges from mem_*");
	ok(log_has("no memory map"), "says so");
	mb_reset(0, NULL);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 0 &&
	   log_has("no memory information"), "no memory info at all: -EINVAL, reported");
}

static void test_mb_bad_mmap(void)
{
	mb_reset(F_MMAP, NULL);
	mmap_entry(20, 0, 0x1000, 1);
	mmap_entry(20, 0x100000, 0x1000, 1);
	set_mmap_length(0x40000000);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL, "absurd mmap_length: -EINVAL");
	ok(bi.map.n == 2 && log_has("absurd"), "entries before the end of memory kept, reported");

	mb_reset(F_MMAP, NULL);
	mmap_entry(20, 0, 0x1000, 1);
	mmap_entry(0, 0x100000, 0x1000, 1);
	mmap_entry(20, 0x200000, 0x1000, 1);
	set_mmap_length(mmap_len + 16);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 1 && log_has("has size 0"),
	   "entry size 0: map ends there, earlier entry kept");

	mb_reset(F_MMAP, NULL);
	mmap_entry(20, 0, 0x1000, 1);
	mmap_entry(200, 0x100000, 0x1000, 1);
	set_mmap_length(24 + 40);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 1 && log_has("overruns"),
	   "entry overrunning mmap_length: rejected");

	mb_reset(F_MMAP, NULL);
	mmap_entry(20, 0, 0x1000, 1);
	set_mmap_length(mmap_len + 7);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 1 && log_has("stray bytes"),
	   "truncated last entry: reported");

	mb_reset(F_MMAP, NULL);
	mmap_entry(20, 0xffffffffffff0000ull, 0x20000, 1);
	set_mmap_length(mmap_len);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 1 &&
	   bi.map.r[0].size == 0xffff && log_has("wraps"), "range wrapping 2^64: cut, reported");

	mb_reset(F_MMAP, NULL);
	put32(mbi + 48, 0xdead0000);
	set_mmap_length(48);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == 0 && log_has("unreadable"),
	   "mmap_addr pointing nowhere: reported");

	mb_reset(F_MMAP, NULL);
	for (int i = 0; i < 140; i++)
		mmap_entry(20, (uint64_t)i << 20, 0x1000, 1);
	set_mmap_length(mmap_len);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.map.n == MEMMAP_MAX &&
	   log_has("more than 128"), "more ranges than the table holds: first 128 kept, reported");
}

static void test_mb_bad_modules(void)
{
	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 100000);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.nmodules == 0 && log_has("absurd"),
	   "absurd module count: none used, reported");

	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 12);
	for (int i = 0; i < 12; i++)
		module(i, 0x100000 * (i + 1), 0x100000 * (i + 1) + 10, NULL);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && bi.nmodules == MAX_MODULES &&
	   log_has("only the first 8"), "12 modules: first 8 kept, warned");

	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 2);
	module(0, 0x200000, 0x100000, "backwards");
	module(1, 0x300000, 0x301000, "fine");
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.nmodules == 1 &&
	   !strcmp(bi.modules[0].cmdline, "fine") && log_has("ends (0x100000) before"),
	   "module ending before its start: skipped, the next kept");

	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 1);
	put32(mbi + 24, 0xdead0000);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.nmodules == 0 && log_has("unreadable"),
	   "mods_addr pointing nowhere: reported");

	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 1);
	module(0, 0x300000, 0x301000, NULL);
	put32(mods + 8, 0xdead0000);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && bi.nmodules == 1 && bi.modules[0].cmdline[0] == 0 &&
	   log_has("string at 0xdead0000 unreadable"), "unreadable module string: module kept, warned");

	mb_reset(F_MODS | F_MEM, NULL);
	put32(mbi + 20, 1);
	module(0, 0x300000, 0x301000, NULL);
	memset(strs, 'm', sizeof(strs));
	put32(mods + 8, STR_AT);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && strlen(bi.modules[0].cmdline) == 63,
	   "unterminated module string: truncated to 63");
}

static void test_mb_bad_info(void)
{
	mb_reset(F_MEM, NULL);
	ok(bootinfo_from_multiboot(0xdead0000, &bi) == -EINVAL && log_has("unreadable"),
	   "info pointer to nowhere: -EINVAL, reported");
	mb_reset(F_MEM, NULL);
	ok(bootinfo_from_multiboot(MBI_AT + 20, &bi) == -EINVAL, "info running off readable memory");

	mb_reset(F_CMDLINE | F_MEM, NULL);
	put32(mbi + 16, 0xdead0000);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && bi.cmdline[0] == 0 &&
	   log_has("command line at 0xdead0000 unreadable"), "cmdline pointer to nowhere: empty, reported");

	/* A command line whose NUL is the very last readable byte. */
	mb_reset(F_CMDLINE | F_MEM, NULL);
	memset(cmd, 0, sizeof(cmd));
	strcpy((char *)cmd + sizeof(cmd) - 6, "a=b c");
	put32(mbi + 16, CMD_AT + sizeof(cmd) - 6);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && !strcmp(bi.cmdline, "a=b c"),
	   "command line ending at the last readable byte");
	/* ... and one that runs off the end unterminated: what was read is kept. */
	memset(cmd + sizeof(cmd) - 6, 'x', 6);
	cmd[sizeof(cmd) - 7] = '=';
	put32(mbi + 16, CMD_AT + sizeof(cmd) - 7);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == -EINVAL && !strcmp(bi.cmdline, "=xxxxxx"),
	   "unterminated at the end of memory: kept, reported ('%s')", bi.cmdline);
}

/* ---- Linux boot_params ---- */

#define BP_AT 0x90000u
static uint8_t bp[4096], lcmd[4096];

static void bp_reset(const char *cmdline)
{
	fakemem_reset();
	log_reset();
	memset(bp, 0, sizeof(bp));
	memset(lcmd, 0, sizeof(lcmd));
	if (cmdline) {
		strcpy((char *)lcmd, cmdline);
		put32(bp + 0x228, 0x91000);
	}
	fakemem_map(BP_AT, bp, sizeof(bp));
	fakemem_map(0x91000, lcmd, sizeof(lcmd));
}

static void e820(int i, uint64_t addr, uint64_t size, uint32_t type)
{
	put64(bp + 0x2d0 + 20 * i, addr);
	put64(bp + 0x2d0 + 20 * i + 8, size);
	put32(bp + 0x2d0 + 20 * i + 16, type);
}

static void test_linux_good(void)
{
	bp_reset("elfcorehdr=123K console=ttyS0");
	bp[0x1e8] = 3;
	e820(0, 0x1b000000, 0x4000000, 1);
	e820(1, 0, 0xa0000, 1);
	e820(2, 0xf0000, 0x10000, 2);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0, "good boot_params: 0");
	ok(bi.protocol == BOOT_LINUX, "protocol Linux");
	ok(!strcmp(bi.cmdline, "elfcorehdr=123K console=ttyS0"), "command line whole (nothing dropped)");
	ok(bi.map.n == 3 && bi.map.r[0].start == 0 && bi.map.r[1].type == 2 &&
	   bi.map.r[2].start == 0x1b000000 && bi.map.r[2].size == 0x4000000, "e820 sorted");
	ok(!log_has("error") && !log_has("warning"), "nothing reported");
	ok(bi.acpi_rsdp == 0, "no setup header: no RSDP address");

	/* acpi_rsdp_addr at +0x070 counts only with a "HdrS" header of protocol 2.14 or later. */
	put64(bp + 0x070, 0x7ffe0014);
	memcpy(bp + 0x202, "HdrS", 4);
	bp[0x206] = 0x0d, bp[0x207] = 0x02;
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.acpi_rsdp == 0, "protocol 2.13: acpi_rsdp_addr ignored");
	bp[0x206] = 0x0f;
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.acpi_rsdp == 0x7ffe0014, "protocol 2.15: acpi_rsdp_addr read");
	memcpy(bp + 0x202, "HdrX", 4);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.acpi_rsdp == 0, "no HdrS magic: ignored");

	/* ext_cmd_line_ptr supplies the high half of the address. */
	bp_reset(NULL);
	static char high[64] = "console=ttyS1";
	fakemem_map(0x100002000ull, high, sizeof(high));
	put32(bp + 0x228, 0x2000);
	put32(bp + 0x0c8, 1);
	bp[0x1e8] = 1;
	e820(0, 0x100000, 0x100000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && !strcmp(bi.cmdline, "console=ttyS1"),
	   "command line above 4 GiB via ext_cmd_line_ptr");
}

static void test_linux_bad(void)
{
	bp_reset(NULL);
	ok(bootinfo_from_linux(0xdead0000, &bi) == -EINVAL && log_has("unreadable") && bi.map.n == 0,
	   "boot_params pointer to nowhere: -EINVAL, reported");
	ok(bootinfo_from_linux(BP_AT + 8, &bi) == -EINVAL, "boot_params running off readable memory");

	bp_reset(NULL);
	bp[0x1e8] = 1;
	e820(0, 0x100000, 0x100000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.cmdline[0] == 0 && log_has("no command line"),
	   "no command line: empty, warned");

	bp_reset("x");
	put32(bp + 0x228, 0xdead0000);
	bp[0x1e8] = 1;
	e820(0, 0x100000, 0x100000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == -EINVAL && bi.cmdline[0] == 0 && bi.map.n == 1 &&
	   log_has("unreadable"), "cmd_line_ptr to nowhere: reported, e820 still read");

	bp_reset(NULL);
	memset(lcmd, 'a', sizeof(lcmd));
	put32(bp + 0x228, 0x91000);
	bp[0x1e8] = 1;
	e820(0, 0x100000, 0x100000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == -EINVAL && strlen(bi.cmdline) == sizeof(bi.cmdline) - 1 &&
	   log_has("truncated"), "unterminated command line: truncated to %zu, warned",
	   sizeof(bi.cmdline) - 1);

	bp_reset("a=1");
	bp[0x1e8] = 0;
	ok(bootinfo_from_linux(BP_AT, &bi) == -EINVAL && bi.map.n == 0 && log_has("empty e820") &&
	   !strcmp(bi.cmdline, "a=1"), "e820 count 0: reported, command line kept");

	bp_reset("a=1");
	bp[0x1e8] = 200;
	e820(0, 0x100000, 0x100000, 1);
	e820(127, 0x800000, 0x1000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == -EINVAL && bi.map.n == 2 && log_has("exceeds"),
	   "e820 count 200: only the table's 128 entries read, reported");

	bp_reset("a=1");
	bp[0x1e8] = 2;
	e820(0, 0xfffffffffffff000ull, 0x2000, 1);
	e820(1, 0x100000, 0x100000, 1);
	ok(bootinfo_from_linux(BP_AT, &bi) == -EINVAL && bi.map.n == 2 && log_has("wraps") &&
	   bi.map.r[1].size == 0xfff,
	   "wrapping e820 entry: cut, reported, the rest kept");
}

static void test_memmap_add(void)
{
	struct memmap m = { .n = 0 };

	ok(memmap_add(&m, 0x1000, 0, 1) == 0 && m.n == 0, "size 0 adds nothing");
	ok(memmap_add(&m, 0x3000, 0x1000, 1) == 0 && memmap_add(&m, 0x1000, 0x1000, 2) == 0 &&
	   memmap_add(&m, 0x2000, 0x1000, 1) == 0 && m.n == 3 && m.r[0].start == 0x1000 &&
	   m.r[0].type == 2 && m.r[1].start == 0x2000 && m.r[2].start == 0x3000, "kept sorted");
	ok(memmap_add(&m, ~0ull - 10, 100, 1) == -ERANGE && m.n == 3, "wrapping range refused");
	m.n = MEMMAP_MAX;
	ok(memmap_add(&m, 0, 0x1000, 1) == -ENOSPC && m.n == MEMMAP_MAX, "full: -ENOSPC");
}

/* The seed segment (crypto/seed.h): a multiboot module that starts with its magic is kept apart from
 * modules[] (module 0 stays the ELF core header, wherever the seed module is); boot_params' initrd,
 * with its ext_ high halves, is where the seed may be. */
static void test_seed(void)
{
	static uint8_t seg[80], hdr[64];

	memcpy(seg, "salvage-seed", 12);
	put32(seg + 12, 64);
	mb_reset(F_CMDLINE | F_MODS | F_MMAP, "x=1");
	mmap_entry(20, 0x100000, 0x1f00000, 1);
	set_mmap_length(mmap_len);
	put32(mbi + 20, 3);
	fakemem_map(0x500000, seg, sizeof(seg));
	fakemem_map(0x600000, hdr, sizeof(hdr));
	module(0, 0x500000, 0x500050, "/proc/self/fd/9");
	module(1, 0x600000, 0x600040, "corehdr");
	module(2, 0x500000, 0x500050, NULL);
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0, "multiboot with a seed module: 0");
	ok(bi.seed_start == 0x500000 && bi.seed_size == 80, "the seed module is found by its magic");
	ok(bi.nmodules == 1 && bi.modules[0].start == 0x600000 && !strcmp(bi.modules[0].cmdline, "corehdr"),
	   "... and kept out of modules[]: the header is module 0");
	ok(log_has("module 2 is a second seed segment; ignored"), "a second seed module is reported");
	seg[0] = 'S';
	ok(bootinfo_from_multiboot(MBI_AT, &bi) == 0 && bi.seed_size == 0 && bi.nmodules == 3,
	   "without the magic it is an ordinary module");

	bp_reset("x=1");
	bp[0x1e8] = 1;
	e820(0, 0x100000, 0x100000, 1);
	put32(bp + 0x218, 0x7fe000);
	put32(bp + 0x21c, 80);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.seed_start == 0x7fe000 && bi.seed_size == 80,
	   "boot_params: the initrd is where the seed may be");
	put32(bp + 0x0c0, 1);
	put32(bp + 0x0c4, 2);
	ok(bootinfo_from_linux(BP_AT, &bi) == 0 && bi.seed_start == 0x1007fe000ull && bi.seed_size == 0x200000050ull,
	   "boot_params: ext_ramdisk_image/size are the high halves");
}

int main(void)
{
	test_seed();
	test_mb_good();
	test_mb_mem_only();
	test_mb_bad_mmap();
	test_mb_bad_modules();
	test_mb_bad_info();
	test_linux_good();
	test_linux_bad();
	test_memmap_add();
	return ok_done();
}
