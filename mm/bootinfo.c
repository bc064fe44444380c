/* The boot information salvage was handed — multiboot info (EAX=0x2BADB002, EBX) or Linux
 * boot_params (ESI) — turned into a struct bootinfo. All of it is untrusted: every pointer, count
 * and length is bounded, every read goes through phys_read, and whatever was wrong is logged
 * while whatever could be trusted is kept. */
#include "crypto/seed.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "mm/memmap.h"
#include "mm/phys.h"

/* Multiboot (version 1) information structure, the part salvage reads. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 1 MiB, KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_info) == 52, "multiboot info up to mmap_addr");

#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_module) == 16, "multiboot module entry");

/* A multiboot mmap entry after its size field (size counts the bytes after itself). */
struct mb_mmap_entry {
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 20, "multiboot mmap entry after size");

#define MB_MMAP_MAX_BYTES 65536u	/* far beyond any real map: reject larger */
#define MB_MMAP_ENTRY_MAX 256u		/* an entry's size field larger than this is corrupt */
#define MB_MODS_MAX 64u			/* more than this is corrupt, not just many */

/* Linux boot_params ("zero page"), offsets from Documentation/arch/x86/zero-page.rst. */
#define BP_SIZE 4096u
#define BP_ACPI_RSDP_ADDR 0x070		/* u64, boot protocol 2.14 and later */
#define BP_EXT_RAMDISK_IMAGE 0x0c0	/* u32, high half of the initrd address */
#define BP_EXT_RAMDISK_SIZE 0x0c4	/* u32, high half of the initrd size */
#define BP_EXT_CMD_LINE_PTR 0x0c8	/* u32, high half of the command line address */
#define BP_E820_ENTRIES 0x1e8		/* u8 */
#define BP_RAMDISK_IMAGE 0x218	/* u32: the initrd (kexec-tools sets it on the elf-x86 path too) */
#define BP_RAMDISK_SIZE 0x21c		/* u32 */
#define BP_CMD_LINE_PTR 0x228		/* u32 */
#define BP_E820_TABLE 0x2d0		/* struct boot_e820_entry[128] */
#define BP_E820_MAX 128u
#define BP_HDR_MAGIC 0x202		/* "HdrS" when the setup header is filled in */
#define BP_HDR_VERSION 0x206		/* u16 boot protocol version */
#define BP_VERSION_ACPI_RSDP 0x020e	/* 2.14: acpi_rsdp_addr exists */

struct boot_e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entry is 20 bytes");
_Static_assert(BP_E820_TABLE + BP_E820_MAX * sizeof(struct boot_e820_entry) <= BP_SIZE,
	       "e820 table inside boot_params");

#define CMDLINE_CHUNK 64u

/* A memory type's name for the log. */
static const char *type_name(uint32_t type)
{
	switch (type) {
	case MEM_RAM: return "RAM";
	case MEM_RESERVED: return "reserved";
	case MEM_ACPI: return "ACPI data";
	case MEM_NVS: return "ACPI NVS";
	case MEM_UNUSABLE: return "unusable";
	default: return "unknown type";
	}
}

/* Add [start, start+size) to m, kept sorted by start (equal starts keep arrival order); a
 * zero size adds nothing. Returns 0, -ERANGE when the range wraps past 2^64, -ENOSPC when full. */
int memmap_add(struct memmap *m, uint64_t start, uint64_t size, uint32_t type)
{
	int i;

	if (size == 0)
		return 0;
	if (start + size < start)
		return -ERANGE;
	if (m->n < 0 || m->n >= MEMMAP_MAX)
		return -ENOSPC;
	for (i = m->n; i > 0 && m->r[i - 1].start > start; i--)
		m->r[i] = m->r[i - 1];
	m->r[i] = (struct mem_range){ .start = start, .size = size, .type = type };
	m->n++;
	return 0;
}

/* Add one range taken from a boot protocol's table, logging it, and anything wrong with it.
 * Returns 0 or -EINVAL (a range that had to be cut or dropped). */
static int add_range(struct bootinfo *bi, const char *what, uint64_t start, uint64_t size, uint32_t type)
{
	int rc;

	if (size == 0)
		return 0;
	if (start + size < start) {
		log_err("%s: range 0x%llx+0x%llx wraps past 2^64; cut at the top", what,
			(unsigned long long)start, (unsigned long long)size);
		size = ~start;	/* end at 2^64 - 1: an end of 2^64 is not representable */
		rc = memmap_add(&bi->map, start, size, type);
		return rc == 0 ? -EINVAL : rc;
	}
	rc = memmap_add(&bi->map, start, size, type);
	if (rc == -ENOSPC) {
		log_err("%s: more than %d memory ranges; 0x%llx-0x%llx dropped", what, MEMMAP_MAX,
			(unsigned long long)start, (unsigned long long)(start + size));
		return -EINVAL;
	}
	log_info("memory: 0x%010llx-0x%010llx %s (%u)", (unsigned long long)start,
		 (unsigned long long)(start + size), type_name(type), type);
	return 0;
}

/* Copy the NUL-terminated string at phys addr into buf (size bytes), reading in small chunks so
 * a string near the end of readable memory still works. Returns 0; -ERANGE when unreadable (buf
 * keeps what was read), -EINVAL when no NUL came within size-1 bytes (buf truncated). */
static int read_string(uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	buf[0] = 0;
	while (got < size - 1) {
		size_t want = MIN((size_t)CMDLINE_CHUNK, size - 1 - got), i;
		int rc;

		/* a chunk that is unreadable as a whole may still be readable byte by byte */
		rc = phys_read(addr + got, buf + got, want);
		if (rc != 0) {
			want = 1;
			rc = phys_read(addr + got, buf + got, 1);
		}
		if (rc != 0) {
			buf[got] = 0;
			return rc;
		}
		for (i = 0; i < want; i++)
			if (buf[got + i] == 0)
				return 0;
		got += want;
	}
	buf[size - 1] = 0;
	return -EINVAL;
}

/* Read the command line at addr into bi->cmdline, logging what was wrong. Returns 0 or -EINVAL. */
static int read_cmdline(const char *what, uint64_t addr, struct bootinfo *bi)
{
	int rc = read_string(addr, bi->cmdline, sizeof(bi->cmdline));

	if (rc == -EINVAL) {
		log_warn("%s: command line at 0x%llx longer than %u bytes or unterminated; truncated",
			 what, (unsigned long long)addr, (unsigned)sizeof(bi->cmdline) - 1);
		return -EINVAL;
	}
	if (rc != 0) {
		log_err("%s: command line at 0x%llx unreadable (%d); using \"%s\"", what,
			(unsigned long long)addr, rc, bi->cmdline);
		return -EINVAL;
	}
	return 0;
}

/* Multiboot loaders (QEMU -kernel, GRUB, kexec) put the image's own path first on the command
 * line, like argv[0]: drop a first word that has no '=' so it is not taken for an option. */
static void drop_image_name(char *cmdline)
{
	size_t i = 0, j;

	while (cmdline[i] && cmdline[i] != ' ' && cmdline[i] != '=')
		i++;
	if (i == 0 || cmdline[i] == '=')
		return;
	while (cmdline[i] == ' ')
		i++;
	for (j = 0; cmdline[i + j]; j++)
		cmdline[j] = cmdline[i + j];
	cmdline[j] = 0;
}

/* Empty bi for a fresh parse by protocol. */
static void bootinfo_reset(struct bootinfo *bi, int protocol)
{
	memset(bi, 0, sizeof(*bi));
	bi->protocol = protocol;
}

/* The multiboot memory map: entries of (size, base, len, type), each followed by the next at
 * +size+4. Returns 0 or -EINVAL after logging what was wrong (ranges before it are kept). */
static int mb_mmap(const struct mb_info *mbi, struct bootinfo *bi)
{
	uint32_t off = 0, len = mbi->mmap_length;
	int rc = 0;

	if (len > MB_MMAP_MAX_BYTES) {
		log_err("multiboot: memory map length %u is absurd; reading only %u bytes", len,
			MB_MMAP_MAX_BYTES);
		len = MB_MMAP_MAX_BYTES;
		rc = -EINVAL;
	}
	while (off < len) {
		uint32_t size;
		struct mb_mmap_entry e;
		uint64_t at = (uint64_t)mbi->mmap_addr + off;

		if (len - off < 4 + sizeof(e)) {
			log_err("multiboot: memory map has %u stray bytes at its end", len - off);
			return -EINVAL;
		}
		if (phys_read(at, &size, 4) != 0 || phys_read(at + 4, &e, sizeof(e)) != 0) {
			log_err("multiboot: memory map at 0x%llx unreadable", (unsigned long long)at);
			return -EINVAL;
		}
		if (size < sizeof(e) || size > MB_MMAP_ENTRY_MAX) {
			log_err("multiboot: memory map entry at +%u has size %u (want %u..%u); map ends there",
				off, size, (unsigned)sizeof(e), MB_MMAP_ENTRY_MAX);
			return -EINVAL;
		}
		if (size + 4 > len - off) {
			log_err("multiboot: memory map entry at +%u overruns the map's %u bytes", off, len);
			return -EINVAL;
		}
		if (add_range(bi, "multiboot memory map", e.base, e.len, e.type) != 0)
			rc = -EINVAL;
		off += size + 4;
	}
	return rc;
}

/* Non-zero when the size bytes at addr start with the seed segment's magic (crypto/seed.h). */
static bool is_seed(uint64_t addr, uint64_t size)
{
	char magic[SEED_MAGIC_LEN];

	return size >= SEED_MAGIC_LEN && phys_read(addr, magic, sizeof(magic)) == 0 &&
	       seed_magic_ok(magic, sizeof(magic));
}

/* Multiboot modules (the seed segment, recognised by its magic, is kept apart in bi->seed_*):
 * start/end/string for each, at most MAX_MODULES kept. Returns 0 or -EINVAL. */
static int mb_modules(const struct mb_info *mbi, struct bootinfo *bi)
{
	uint32_t n = mbi->mods_count, i;
	int rc = 0;

	if (n > MB_MODS_MAX) {
		log_err("multiboot: module count %u is absurd; ignoring modules", n);
		return -EINVAL;
	}
	if (n > MAX_MODULES) {
		log_warn("multiboot: %u modules; only the first %d are used", n, MAX_MODULES);
		n = MAX_MODULES;
	}
	for (i = 0; i < n; i++) {
		struct mb_module mod;
		struct module *m = &bi->modules[bi->nmodules];
		uint64_t at = (uint64_t)mbi->mods_addr + i * sizeof(mod);

		if (phys_read(at, &mod, sizeof(mod)) != 0) {
			log_err("multiboot: module %u entry at 0x%llx unreadable", i, (unsigned long long)at);
			return -EINVAL;
		}
		if (mod.mod_end < mod.mod_start) {
			log_err("multiboot: module %u ends (0x%x) before it starts (0x%x); skipped", i,
				mod.mod_end, mod.mod_start);
			rc = -EINVAL;
			continue;
		}
		if (is_seed(mod.mod_start, mod.mod_end - mod.mod_start)) {
			if (bi->seed_size) {
				log_warn("multiboot: module %u is a second seed segment; ignored", i);
				continue;
			}
			log_info("module %u: 0x%x-0x%x: the seed segment", i, mod.mod_start, mod.mod_end);
			bi->seed_start = mod.mod_start;
			bi->seed_size = mod.mod_end - mod.mod_start;
			continue;
		}
		m->start = mod.mod_start;
		m->end = mod.mod_end;
		if (mod.string && read_string(mod.string, m->cmdline, sizeof(m->cmdline)) == -ERANGE)
			log_warn("multiboot: module %u string at 0x%x unreadable", i, mod.string);
		log_info("module %u: 0x%llx-0x%llx \"%s\"", i, (unsigned long long)m->start,
			 (unsigned long long)m->end, m->cmdline);
		bi->nmodules++;
	}
	return rc;
}

/* Parse the multiboot info at mbi_addr: flags, command line, memory map (or mem_lower/mem_upper
 * when there is none), modules. The loader's leading image path is dropped from the command
 * line. Returns 0, or -EINVAL after logging what was wrong; everything
 * that could be read is in bi either way. */
int bootinfo_from_multiboot(uint32_t mbi_addr, struct bootinfo *bi)
{
	struct mb_info mbi;
	int rc = 0;

	bootinfo_reset(bi, BOOT_MULTIBOOT);
	if (phys_read(mbi_addr, &mbi, sizeof(mbi)) != 0) {
		log_err("multiboot: info at 0x%x unreadable", mbi_addr);
		return -EINVAL;
	}
	if (mbi.flags & MB_INFO_CMDLINE) {
		if (read_cmdline("multiboot", mbi.cmdline, bi) != 0)
			rc = -EINVAL;
		drop_image_name(bi->cmdline);
	}
	if (mbi.flags & MB_INFO_MMAP) {
		if (mb_mmap(&mbi, bi) != 0)
			rc = -EINVAL;
	} else if (mbi.flags & MB_INFO_MEM) {
		log_warn("multiboot: no memory map; using mem_lower/mem_upper");
		if (add_range(bi, "multiboot mem_lower", 0, (uint64_t)mbi.mem_lower * 1024, MEM_RAM) ||
		    add_range(bi, "multiboot mem_upper", 0x100000, (uint64_t)mbi.mem_upper * 1024, MEM_RAM))
			rc = -EINVAL;
	} else {
		log_err("multiboot: no memory information at all");
		rc = -EINVAL;
	}
	if ((mbi.flags & MB_INFO_MODS) && mbi.mods_count && mb_modules(&mbi, bi) != 0)
		rc = -EINVAL;
	return rc;
}

/* Parse Linux boot_params at bp_addr: the command line (cmd_line_ptr, with ext_cmd_line_ptr as
 * its high half), the initrd as the place of the seed segment, the e820 table (count at +0x1e8, at most 128 entries at +0x2d0) and the RSDP's
 * address when the header's protocol version has it. Returns 0,
 * or -EINVAL after logging what was wrong; what could be read is in bi. */
int bootinfo_from_linux(uint32_t bp_addr, struct bootinfo *bi)
{
	static uint8_t bp[BP_SIZE];
	uint32_t lo, hi, i, n;
	uint64_t cmd;
	int rc = 0;

	bootinfo_reset(bi, BOOT_LINUX);
	if (phys_read(bp_addr, bp, sizeof(bp)) != 0) {
		log_err("boot_params at 0x%x unreadable", bp_addr);
		return -EINVAL;
	}
	memcpy(&lo, bp + BP_CMD_LINE_PTR, 4);
	memcpy(&hi, bp + BP_EXT_CMD_LINE_PTR, 4);
	cmd = (uint64_t)hi << 32 | lo;
	if (cmd == 0)
		log_warn("boot_params: no command line");
	else if (read_cmdline("boot_params", cmd, bi) != 0)
		rc = -EINVAL;

	/* kexec-tools' elf-x86 loader leaves the setup header empty (and passes acpi_rsdp= instead);
	 * a 2.14+ header may carry the RSDP's address. */
	if (memcmp(bp + BP_HDR_MAGIC, "HdrS", 4) == 0 &&
	    (bp[BP_HDR_VERSION] | bp[BP_HDR_VERSION + 1] << 8) >= BP_VERSION_ACPI_RSDP)
		memcpy(&bi->acpi_rsdp, bp + BP_ACPI_RSDP_ADDR, 8);

	/* The initrd: salvage-load's seed segment when there is one (crypto/random.c checks it). */
	memcpy(&lo, bp + BP_RAMDISK_IMAGE, 4);
	memcpy(&hi, bp + BP_EXT_RAMDISK_IMAGE, 4);
	bi->seed_start = (uint64_t)hi << 32 | lo;
	memcpy(&lo, bp + BP_RAMDISK_SIZE, 4);
	memcpy(&hi, bp + BP_EXT_RAMDISK_SIZE, 4);
	bi->seed_size = (uint64_t)hi << 32 | lo;

	n = bp[BP_E820_ENTRIES];
	if (n > BP_E820_MAX) {
		log_err("boot_params: e820 count %u exceeds the table's %u entries; reading %u", n,
			BP_E820_MAX, BP_E820_MAX);
		n = BP_E820_MAX;
		rc = -EINVAL;
	}
	if (n == 0) {
		log_err("boot_params: empty e820 memory map");
		rc = -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct boot_e820_entry e;

		memcpy(&e, bp + BP_E820_TABLE + i * sizeof(e), sizeof(e));
		if (add_range(bi, "boot_params e820", e.addr, e.size, e.type) != 0)
			rc = -EINVAL;
	}
	return rc;
}
