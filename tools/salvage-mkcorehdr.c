/* salvage-mkcorehdr: build the ELF64 core header of the running x86_64 kernel, as kexec-tools does for
 * `kexec -p`, from /proc/iomem, the per-CPU crash_notes, /sys/kernel/vmcoreinfo and /proc/kcore, so
 * salvage can take it as a multiboot module (tools/salvage-load --type multiboot); and measure a
 * salvage image for salvage-load (--measure: what it occupies once loaded). Host program. */
#include <elf.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(Elf64_Ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(Elf64_Phdr) == 56, "ELF64 program header is 56 bytes");

#define MAX_RANGES 1024
#define MAX_CPUS 8192
#define KCORE_HDR_BYTES 65536		/* kexec-tools reads 32 KiB; a little more costs nothing */
#define KERN_VADDR_ALIGN 0x100000ull	/* kexec-tools rounds the text mapping down to 1 MiB */
#define PUD_MASK (~((1ull << 30) - 1))	/* KASLR places the direct map on a 1 GiB boundary */
#define START_KERNEL_MAP 0xffffffff80000000ull
#define KERNEL_TEXT_SIZE (1ull << 30)	/* x86_64 KERNEL_IMAGE_SIZE with KASLR */
#define DEFAULT_PAGE_OFFSET 0xffff888000000000ull
#define CORE_HDR_ALIGN 1024		/* kexec-tools' ELF_CORE_HEADER_ALIGN */
#define PAGE 4096ull

struct range {
	uint64_t start, end;	/* inclusive, as /proc/iomem prints them */
};

static const char *sysroot = "";
static int verbose;
static unsigned char kcore_hdr[KCORE_HDR_BYTES];	/* first bytes of /proc/kcore: its ELF headers */
static size_t kcore_len;

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("salvage-mkcorehdr: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- measuring an image (salvage-load --print-crashkernel, --status and its checks) ----------- */

#define IMAGE_MAX (64u << 20)		/* salvage is under 2 MiB; anything this large is not it */
#define MB_MAGIC 0x1BADB002u
#define MB_FLAG_AOUT_KLUDGE 0x10000u	/* load at the header's addresses, not the ELF's */
#define MB_SEARCH 8192			/* the multiboot header lies in the first 8 KiB, 4-aligned */
#define BZ_HDRS_OFF 0x202		/* x86 boot protocol: "HdrS" */
#define BZ_XLOADFLAGS_OFF 0x236
#define BZ_XLF_KERNEL_64 0x1
#define BZ_INIT_SIZE_OFF 0x260		/* bytes the kernel needs from its load address on */
#define PE_LFANEW_OFF 0x3c
#define PE_OPT_OFF 24			/* optional header after "PE\0\0" and the COFF header */
#define PE32P_NDIRS_OFF 108		/* NumberOfRvaAndSizes in a PE32+ optional header */
#define PE32P_DIRS_OFF 112
#define PE_DIR_SECURITY 4		/* the certificate table: the Authenticode signatures */

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return p[0] | p[1] << 8; }

/* Bytes of the PE/COFF certificate table of a bzImage (its signatures), 0 when unsigned or not PE. */
static uint32_t pe_signature_bytes(const unsigned char *f, size_t n)
{
	uint32_t pe, dir;

	if (n < PE_LFANEW_OFF + 4)
		return 0;
	pe = le32(f + PE_LFANEW_OFF);
	if (pe > n || n - pe < PE_OPT_OFF + PE32P_DIRS_OFF + 8 * (PE_DIR_SECURITY + 1) || memcmp(f + pe, "PE\0\0", 4))
		return 0;
	if (le32(f + pe + PE_OPT_OFF + PE32P_NDIRS_OFF) <= PE_DIR_SECURITY)
		return 0;
	dir = pe + PE_OPT_OFF + PE32P_DIRS_OFF + 8 * PE_DIR_SECURITY;
	return le32(f + dir + 4);
}

/* The offset of the multiboot header (magic with a valid checksum) in f, or -1. */
static long multiboot_header(const unsigned char *f, size_t n)
{
	size_t o;

	for (o = 0; o + 12 <= n && o < MB_SEARCH; o += 4)
		if (le32(f + o) == MB_MAGIC && (uint32_t)(le32(f + o) + le32(f + o + 4) + le32(f + o + 8)) == 0)
			return (long)o;
	return -1;
}

/* Bytes an i386 ELF image occupies once loaded: its lowest PT_LOAD to the end of its highest (memsz:
 * .bss included), page-rounded. Returns 0 with a message when f is not such an image. */
static uint64_t elf32_span(const char *path, const unsigned char *f, size_t n)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f;
	uint64_t lo = UINT64_MAX, hi = 0;
	int i;

	if (n < sizeof(*eh) || memcmp(f, ELFMAG, SELFMAG)) {
		warnx("%s is not an ELF file", path);
		return 0;
	}
	if (f[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386) {
		warnx("%s is not a 32-bit ELF image (salvage is i386)", path);
		return 0;
	}
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phnum == 0 || eh->e_phnum >= 64 ||
	    eh->e_phoff > n || (n - eh->e_phoff) / sizeof(Elf32_Phdr) < eh->e_phnum) {
		warnx("%s: unexpected program header table (%u entries of %u bytes)", path, eh->e_phnum, eh->e_phentsize);
		return 0;
	}
	for (i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, f + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr < lo)
			lo = ph.p_vaddr;
		if ((uint64_t)ph.p_vaddr + ph.p_memsz > hi)
			hi = (uint64_t)ph.p_vaddr + ph.p_memsz;
	}
	if (lo == UINT64_MAX) {
		warnx("%s has no PT_LOAD segment", path);
		return 0;
	}
	return (hi - lo + PAGE - 1) / PAGE * PAGE;
}

/* --measure=TYPE FILE: check that FILE is what kexec loads for salvage-load --type TYPE (elf: an i386
 * ELF; multiboot: the same without the multiboot a.out kludge; bzimage: a 64-bit bzImage) and print
 * "BYTES SIGNATURE_BYTES": the memory it occupies once loaded (the PT_LOAD span, or a bzImage's
 * init_size, which kexec_file_load reserves), page-rounded, and its PE signatures' size (0: none).
 * Returns the exit status; never modifies FILE. */
static int measure_image(const char *type, const char *path, const unsigned char *f, size_t n);

static int measure(const char *type, const char *path)
{
	/* The file's own size, not a static IMAGE_MAX buffer: a 64 MiB .bss made exec fail (SIGSEGV)
	 * on a 96 MiB machine. */
	unsigned char *f;
	size_t n;
	struct stat st;
	int rc;
	FILE *fi = fopen(path, "re");

	if (!fi || fstat(fileno(fi), &st) != 0) {
		warnx("cannot open %s: %s", path, strerror(errno));
		if (fi)
			fclose(fi);
		return 1;
	}
	if (st.st_size < 0 || st.st_size > IMAGE_MAX || !(f = malloc((size_t)st.st_size + 1))) {
		warnx("%s: not an image of salvage (%lld bytes)", path, (long long)st.st_size);
		fclose(fi);
		return 1;
	}
	n = fread(f, 1, (size_t)st.st_size, fi);
	fclose(fi);
	rc = measure_image(type, path, f, n);
	free(f);
	return rc;
}

/* measure's checks on the n bytes f of image path. */
static int measure_image(const char *type, const char *path, const unsigned char *f, size_t n)
{
	uint64_t bytes;
	long mb;
	if (!strcmp(type, "bzimage")) {
		if (n < BZ_INIT_SIZE_OFF + 4 || memcmp(f + BZ_HDRS_OFF, "HdrS", 4)) {
			warnx("%s is not a bzImage (no \"HdrS\" setup header): use salvage.bzImage for --type bzimage", path);
			return 1;
		}
		if (!(le16(f + BZ_XLOADFLAGS_OFF) & BZ_XLF_KERNEL_64)) {
			warnx("%s is not a 64-bit bzImage (xloadflags)", path);
			return 1;
		}
		bytes = (le32(f + BZ_INIT_SIZE_OFF) + PAGE - 1) / PAGE * PAGE;
	} else if (!strcmp(type, "elf") || !strcmp(type, "multiboot")) {
		if ((bytes = elf32_span(path, f, n)) == 0)
			return 1;
		mb = multiboot_header(f, n);
		if (!strcmp(type, "multiboot") && mb < 0) {
			warnx("%s has no multiboot header in its first 8 KiB", path);
			return 1;
		}
		/* kexec's multiboot-x86 loader obeys the kludge's fixed 2 MiB load address (for QEMU -kernel
		 * and GRUB), which is outside the crash region: kexec -p would fail. */
		if (!strcmp(type, "multiboot") && (le32(f + mb + 4) & MB_FLAG_AOUT_KLUDGE)) {
			warnx("%s asks for a fixed load address (multiboot a.out kludge, for QEMU and GRUB): "
			      "--type multiboot loads salvage.multiboot.elf, the same image without it", path);
			return 1;
		}
	} else {
		warnx("--measure wants elf, multiboot or bzimage, not '%s'", type);
		return 2;
	}
	printf("%llu %u\n", (unsigned long long)bytes, pe_signature_bytes(f, n));
	return 0;
}

/* Open path under --sysroot for reading; NULL (errno set) when it is not there. */
static FILE *open_in_root(const char *path)
{
	char full[4096];

	if ((size_t)snprintf(full, sizeof(full), "%s%s", sysroot, path) >= sizeof(full)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(full, "re");
}

/* Read the first line of a small sysfs file into buf. Returns 0, -ENOENT when absent, -EIO else. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = open_in_root(path);

	if (!f)
		return errno == ENOENT ? -ENOENT : -EIO;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

struct iomem {
	struct range ram[MAX_RANGES];
	int nram;
	struct range crash[8];
	int ncrash;
	uint64_t kernel_code;	/* physical start of "Kernel code" */
	int have_kernel_code;
};

/* One hex number of a /proc/iomem line at p: digits only (no sign, no 0x), at most 64 bits.
 * Returns 0 and sets *v and *end, or -1. */
static int iomem_hex(const char *p, uint64_t *v, char **end)
{
	if (!isxdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*v = strtoull(p, end, 16);
	if (errno == ERANGE) {
		warnx("/proc/iomem: '%.*s' does not fit 64 bits; line ignored", (int)strspn(p, "0123456789abcdefABCDEF"), p);
		return -1;
	}
	return 0;
}

/* Split a /proc/iomem line "  <start>-<end> : <name>" (start and end inclusive). Returns 0, or -1
 * when the line is not one. */
static int iomem_range(char *line, uint64_t *s, uint64_t *e, char **name)
{
	char *p = line + strspn(line, " ");

	if (iomem_hex(p, s, &p) != 0 || *p++ != '-' || iomem_hex(p, e, &p) != 0 || strncmp(p, " : ", 3) != 0)
		return -1;
	*name = p + 3;
	return 0;
}

/* Parse /proc/iomem: every "System RAM" line (at any depth, as kexec-tools), every "Crash kernel"
 * line and "Kernel code". Returns 0, or -EINVAL when no RAM was found. Addresses all zero mean the
 * reader is not root (the kernel hides them): that is reported as an error too. */
static int parse_iomem(struct iomem *m)
{
	FILE *f = open_in_root("/proc/iomem");
	char line[512];
	int nonzero = 0;

	memset(m, 0, sizeof(*m));
	if (!f) {
		warnx("cannot open /proc/iomem: %s", strerror(errno));
		return -EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t s, e;
		char *name;

		if (iomem_range(line, &s, &e, &name) != 0)
			continue;
		name[strcspn(name, "\n")] = 0;
		if (e < s) {
			warnx("/proc/iomem: range %llx-%llx ends before it starts; ignored", (unsigned long long)s,
			      (unsigned long long)e);
			continue;
		}
		/* Its size, e - s + 1, would be 0 (and "e + 1" ends a split): no real range reaches 2^64. */
		if (e == UINT64_MAX) {
			warnx("/proc/iomem: range %llx-%llx reaches the end of the 64-bit space; ignored",
			      (unsigned long long)s, (unsigned long long)e);
			continue;
		}
		if (s || e)
			nonzero = 1;
		if (strstr(name, "System RAM")) {
			if (m->nram == MAX_RANGES) {
				warnx("/proc/iomem: more than %d RAM ranges; the rest are left out", MAX_RANGES);
				continue;
			}
			m->ram[m->nram++] = (struct range){ s, e };
		} else if (strcmp(name, "Crash kernel") == 0) {
			if (m->ncrash < (int)(sizeof(m->crash) / sizeof(m->crash[0])))
				m->crash[m->ncrash++] = (struct range){ s, e };
		} else if (strcmp(name, "Kernel code") == 0 && !m->have_kernel_code) {
			m->kernel_code = s;
			m->have_kernel_code = 1;
		}
	}
	fclose(f);
	if (!nonzero) {
		warnx("/proc/iomem shows only zero addresses: run as root");
		return -EPERM;
	}
	if (m->nram == 0) {
		warnx("/proc/iomem lists no System RAM");
		return -EINVAL;
	}
	return 0;
}

/* Remove [s, e] from the RAM list, splitting a range when it lies strictly inside (the crash region
 * is one piece inside one RAM range, as kexec-tools assumes; partial overlaps are trimmed). */
static int exclude(struct iomem *m, uint64_t s, uint64_t e)
{
	int i;

	for (i = 0; i < m->nram; i++) {
		struct range *r = &m->ram[i];

		if (!(s <= r->end && e >= r->start))
			continue;
		if (s > r->start && e < r->end) {
			if (m->nram == MAX_RANGES) {
				warnx("too many RAM ranges to split around the crash region");
				return -ENOSPC;
			}
			memmove(&m->ram[i + 2], &m->ram[i + 1], (size_t)(m->nram - i - 1) * sizeof(*r));
			m->ram[i + 1] = (struct range){ e + 1, r->end };
			r->end = s - 1;
			m->nram++;
			i++;
		} else if (s > r->start) {
			r->end = s - 1;
		} else if (e < r->end) {
			r->start = e + 1;
		} else {
			memmove(r, r + 1, (size_t)(m->nram - i - 1) * sizeof(*r));
			m->nram--;
			i--;
		}
	}
	return 0;
}

struct kernel_map {
	uint64_t page_offset;
	uint64_t text_vaddr, text_size;
	int have_text;
};

/* Look up one symbol's address in /proc/kallsyms; 0 when absent or hidden. */
static uint64_t kallsyms_lookup(const char *sym)
{
	FILE *f = open_in_root("/proc/kallsyms");
	char line[512], name[256], type;
	unsigned long long addr;
	uint64_t found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && strcmp(name, sym) == 0) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The ELF header at the start of kcore_hdr, copied out (the buffer has no alignment to speak of),
 * when it is there and its program headers lie within what was read. Returns 0 or -1. */
static int kcore_ehdr(Elf64_Ehdr *eh)
{
	if (kcore_len < sizeof(*eh))
		return -1;
	memcpy(eh, kcore_hdr, sizeof(*eh));
	return eh->e_phoff <= kcore_len && eh->e_phnum <= (kcore_len - eh->e_phoff) / sizeof(Elf64_Phdr) ? 0 : -1;
}

/* Program header i of kcore_hdr (kcore_ehdr checked that it is within), copied out: e_phoff is
 * whatever the file says, not necessarily a multiple of 8. */
static Elf64_Phdr kcore_phdr(const Elf64_Ehdr *eh, int i)
{
	Elf64_Phdr ph;

	memcpy(&ph, kcore_hdr + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

/* Where the kernel maps RAM and its own image, the way kexec-tools finds them: the lowest PT_LOAD of
 * /proc/kcore (rounded down to 1 GiB) is PAGE_OFFSET, and the PT_LOAD holding _stext (rounded down to
 * 1 MiB, size page-rounded) is the text mapping. Falls back to /proc/kallsyms _text.._end and the
 * default PAGE_OFFSET with a warning. Untrusted lengths in kcore are bounds-checked. */
static void find_kernel_map(struct kernel_map *km)
{
	uint64_t stext = kallsyms_lookup("_stext");
	FILE *f = open_in_root("/proc/kcore");
	size_t n = 0;
	Elf64_Ehdr eh;
	int i;

	memset(km, 0, sizeof(*km));
	km->page_offset = DEFAULT_PAGE_OFFSET;
	if (f) {
		n = fread(kcore_hdr, 1, sizeof(kcore_hdr), f);
		kcore_len = n;
		fclose(f);
	} else {
		warnx("cannot open /proc/kcore (%s)", strerror(errno));
	}
	if (kcore_ehdr(&eh) == 0 && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		uint64_t lowest = 0;

		for (i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph = kcore_phdr(&eh, i);
			uint64_t v = ph.p_vaddr & PUD_MASK;

			if (ph.p_type == PT_LOAD && (lowest == 0 || v < lowest))
				lowest = v;
		}
		if (lowest)
			km->page_offset = lowest;
		for (i = 0; i < eh.e_phnum && !km->have_text; i++) {
			Elf64_Phdr ph = kcore_phdr(&eh, i);
			uint64_t s = ph.p_vaddr, e = ph.p_vaddr + ph.p_memsz;
			int hit = stext ? (s <= stext && e > stext)
					: (s >= START_KERNEL_MAP && e <= START_KERNEL_MAP + KERNEL_TEXT_SIZE);

			if (ph.p_type != PT_LOAD || e < s || !hit)
				continue;
			km->text_vaddr = s & ~(KERN_VADDR_ALIGN - 1);
			km->text_size = (e - km->text_vaddr + PAGE - 1) & ~(PAGE - 1);
			km->have_text = 1;
		}
	} else if (n) {
		warnx("/proc/kcore has no usable ELF64 header");
	}
	if (!km->have_text) {
		uint64_t text = kallsyms_lookup("_text"), end = kallsyms_lookup("_end");

		if (text && end > text) {
			km->text_vaddr = text & ~(KERN_VADDR_ALIGN - 1);
			km->text_size = (end - km->text_vaddr + PAGE - 1) & ~(PAGE - 1);
			km->have_text = 1;
			warnx("kernel text mapping taken from /proc/kallsyms _text.._end");
		} else {
			warnx("warning: kernel text mapping unknown: no kernel-text PT_LOAD (crash/gdb need it)");
		}
	}
}

/* Print the running kernel's VMCOREINFO note text (what a dump's VMCOREINFO note will hold, minus
 * the CRASHTIME line added at the crash), read through /proc/kcore's direct-map PT_LOAD covering
 * page_offset + addr. Returns 0, or 1 after a message when it cannot be read. */
static int print_vmcoreinfo(const struct kernel_map *km, uint64_t addr, uint64_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph = { 0 };
	uint64_t va = km->page_offset + addr;
	unsigned char note[65536];
	uint32_t namesz, descsz;
	FILE *f;
	int i;

	/* At least the 12-byte note header and the padded name "VMCOREINFO\0" (12 bytes). */
	if (kcore_ehdr(&eh) != 0 || len > sizeof(note) || len < 24) {
		warnx("cannot read VMCOREINFO: /proc/kcore headers unusable");
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		ph = kcore_phdr(&eh, i);
		if (ph.p_type == PT_LOAD && va >= ph.p_vaddr && va - ph.p_vaddr < ph.p_memsz &&
		    len <= ph.p_memsz - (va - ph.p_vaddr))
			break;
	}
	if (i == eh.e_phnum) {
		warnx("cannot read VMCOREINFO: 0x%llx is in no /proc/kcore segment", (unsigned long long)va);
		return 1;
	}
	f = open_in_root("/proc/kcore");
	if (!f || fseeko(f, (off_t)(ph.p_offset + (va - ph.p_vaddr)), SEEK_SET) != 0 ||
	    fread(note, 1, len, f) != len) {
		warnx("cannot read VMCOREINFO from /proc/kcore: %s", strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	memcpy(&namesz, note, 4);
	memcpy(&descsz, note + 4, 4);
	if (namesz != 11 || memcmp(note + 12, "VMCOREINFO", 11) != 0 || descsz > len - 24) {
		warnx("VMCOREINFO note at 0x%llx is malformed (namesz %u, descsz %u)",
		      (unsigned long long)addr, namesz, descsz);
		return 1;
	}
	fwrite(note + 24, 1, descsz, stdout);
	return 0;
}

/* Per-CPU note buffer: address from cpuN/crash_notes (hex), size from crash_notes_size (decimal).
 * Returns 0, -ENOENT when that CPU has no crash_notes (not present: skipped, as kexec-tools), -EINVAL
 * when the files are unreadable as numbers. */
static int cpu_note(int cpu, uint64_t *addr, uint64_t *len)
{
	char path[128], line[64], *end;
	int rc;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/crash_notes", cpu);
	if ((rc = read_line(path, line, sizeof(line))) != 0)
		return rc;
	errno = 0;
	*addr = strtoull(line, &end, 16);
	if (errno || end == line) {
		warnx("%s: '%s' is not a hex address", path, strtok(line, "\n"));
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/crash_notes_size", cpu);
	if (read_line(path, line, sizeof(line)) != 0) {
		*len = 368;	/* kernels before crash_notes_size: sizeof(note_buf_t) on x86_64 */
		warnx("%s missing; assuming %llu bytes", path, (unsigned long long)*len);
		return 0;
	}
	*len = strtoull(line, &end, 10);
	if (end == line || *len == 0 || *len > 65536) {
		warnx("%s: bad size '%s'", path, strtok(line, "\n"));
		return -EINVAL;
	}
	return 0;
}

/* How many CPUs to look at: like sysconf(_SC_NPROCESSORS_CONF), the count of cpuN directories. */
static int count_cpus(void)
{
	char path[128];
	int n = 0;

	for (;;) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/uevent", n);
		f = open_in_root(path);
		if (!f)
			break;
		fclose(f);
		if (++n == MAX_CPUS)
			break;
	}
	return n;
}

static void usage(FILE *to)
{
	fputs("usage: salvage-mkcorehdr [-o FILE] [--sysroot DIR] [-v] [--vmcoreinfo]\n"
	      "       salvage-mkcorehdr --measure=elf|multiboot|bzimage IMAGE\n"
	      "Writes the running x86_64 kernel's ELF64 core header (what kexec-tools builds for\n"
	      "`kexec -p`: a PT_NOTE per CPU, the VMCOREINFO PT_NOTE, the kernel text PT_LOAD and one\n"
	      "PT_LOAD per System RAM range outside the crash region) to FILE (default stdout).\n"
	      "--vmcoreinfo prints the live VMCOREINFO note text instead (to compare with a dump).\n"
	      "Needs root. --sysroot reads /proc and /sys below DIR (tests).\n"
	      "--measure checks that IMAGE suits salvage-load --type and prints the bytes it occupies\n"
	      "once loaded and the bytes of its PE signatures (0: unsigned).\n", to);
}

int main(int argc, char **argv)
{
	static struct iomem m;
	static unsigned char out[sizeof(Elf64_Ehdr) + (MAX_CPUS + 2 + 2 * MAX_RANGES) * sizeof(Elf64_Phdr)];
	static const struct option opts[] = {
		{ "output", 1, 0, 'o' }, { "sysroot", 1, 0, 'r' }, { "verbose", 0, 0, 'v' },
		{ "vmcoreinfo", 0, 0, 'V' }, { "measure", 1, 0, 'M' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	const char *outpath = NULL, *measure_type = NULL;
	struct kernel_map km;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)out;
	Elf64_Phdr *ph = (Elf64_Phdr *)(out + sizeof(*eh));
	uint64_t vmci_addr = 0, vmci_len = 0;
	char line[128];
	size_t size;
	int c, i, ncpu, nph = 0, notes = 0, want_vmcoreinfo = 0;
	FILE *fo;

	while ((c = getopt_long(argc, argv, "o:r:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'r': sysroot = optarg; break;
		case 'v': verbose = 1; break;
		case 'V': want_vmcoreinfo = 1; break;
		case 'M': measure_type = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (measure_type) {
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
		return measure(measure_type, argv[optind]);
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (parse_iomem(&m) != 0)
		return 1;
	if (m.ncrash == 0)
		warnx("warning: no \"Crash kernel\" region in /proc/iomem: all RAM is described");
	for (i = 0; i < m.ncrash; i++)
		if (exclude(&m, m.crash[i].start, m.crash[i].end) != 0)
			return 1;
	if (!m.have_kernel_code)
		warnx("warning: no \"Kernel code\" in /proc/iomem: no kernel-text PT_LOAD");
	find_kernel_map(&km);

	ncpu = count_cpus();
	for (i = 0; i < ncpu; i++) {
		uint64_t a, l;
		int rc = cpu_note(i, &a, &l);

		if (rc == -ENOENT)
			continue;		/* not present: kexec-tools skips it too */
		if (rc != 0)
			return 1;
		ph[nph++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = a, .p_paddr = a,
					  .p_filesz = l, .p_memsz = l };
		notes++;
	}
	if (notes == 0)
		warnx("warning: no CPU crash_notes found: the dump will have no registers");
	if (read_line("/sys/kernel/vmcoreinfo", line, sizeof(line)) == 0) {
		unsigned long long a, l;

		if (sscanf(line, "%llx %llx", &a, &l) == 2 && l > 0 && l <= 65536) {
			vmci_addr = a;
			vmci_len = l;
			ph[nph++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = a, .p_paddr = a,
						  .p_filesz = l, .p_memsz = l };
		} else {
			warnx("warning: /sys/kernel/vmcoreinfo: cannot parse '%s'", strtok(line, "\n"));
		}
	} else {
		warnx("warning: no /sys/kernel/vmcoreinfo: the dump will have no VMCOREINFO");
	}
	if (want_vmcoreinfo)
		return vmci_len ? print_vmcoreinfo(&km, vmci_addr, vmci_len) : 1;
	if (km.have_text && m.have_kernel_code) {
		ph[nph++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					  .p_offset = m.kernel_code, .p_paddr = m.kernel_code,
					  .p_vaddr = km.text_vaddr, .p_filesz = km.text_size,
					  .p_memsz = km.text_size };
	}
	for (i = 0; i < m.nram; i++) {
		const struct range *r = &m.ram[i];

		if (r->start == 0 && r->end == 0)
			continue;
		ph[nph++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					  .p_offset = r->start, .p_paddr = r->start,
					  .p_vaddr = r->start + km.page_offset,
					  .p_filesz = r->end - r->start + 1,
					  .p_memsz = r->end - r->start + 1 };
	}

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (Elf64_Half)nph;
	size = sizeof(*eh) + (size_t)nph * sizeof(Elf64_Phdr);
	size = (size + CORE_HDR_ALIGN - 1) & ~(size_t)(CORE_HDR_ALIGN - 1);

	if (verbose) {
		fprintf(stderr, "salvage-mkcorehdr: %d CPU notes, vmcoreinfo 0x%llx+%llu, page_offset 0x%llx,"
			" text 0x%llx+0x%llx at 0x%llx, %d RAM ranges\n", notes,
			(unsigned long long)vmci_addr, (unsigned long long)vmci_len,
			(unsigned long long)km.page_offset, (unsigned long long)km.text_vaddr,
			(unsigned long long)km.text_size, (unsigned long long)m.kernel_code, m.nram);
		for (i = 0; i < m.ncrash; i++)
			fprintf(stderr, "salvage-mkcorehdr: crash region 0x%llx-0x%llx left out\n",
				(unsigned long long)m.crash[i].start, (unsigned long long)m.crash[i].end);
	}
	fo = outpath ? fopen(outpath, "we") : stdout;
	if (!fo) {
		warnx("cannot create %s: %s", outpath, strerror(errno));
		return 1;
	}
	if (fwrite(out, 1, size, fo) != size || (outpath ? fclose(fo) : fflush(fo)) != 0) {
		warnx("cannot write %s: %s", outpath ? outpath : "stdout", strerror(errno));
		return 1;
	}
	return 0;
}
