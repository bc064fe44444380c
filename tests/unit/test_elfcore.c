/* Unit tests for dump/crash.c and the elf format (dump/elfcore.c): ELF32 and ELF64 elfcorehdr inputs against an independent
 * reference written here from Linux 6.1's fs/proc/vmcore.c algorithm (in-place merge with
 * memmove, as Linux does it), hand-checked header fields, note trimming, memory-map dumps with
 * backup substitution, lost memory, malformed headers and a fixed-seed mutation loop. */
/* unit-sources: dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/elfcore.h"
#include "mm/phys.h"
#include "ok.h"
#include "shim.h"

#define PG 4096ull
#define RUP(x) (((x) + PG - 1) / PG * PG)
#define RDOWN(x) ((x) / PG * PG)

static struct crash c;
static struct elf_file d;
/* The file's header and notes, copied to an aligned buffer so the tests can look at it through
 * <elf.h>'s structs. */
static uint8_t H[DUMP_HDR_MAX] __attribute__((aligned(8)));

/* The crash described (rc), then laid out as the elf format (a failed description leaves an
 * empty file); H holds the file's first bytes. */
static int lay_out(int rc)
{
	int lrc = elf_layout(&d, &c, NULL, 0);

	memset(H, 0, sizeof(H));
	elf_read(&d, 0, H, d.size < d.hdr_size ? d.size : d.hdr_size);
	return rc != 0 ? rc : lrc;
}

static int from_hdr(uint64_t addr, uint64_t size)
{
	return lay_out(crash_from_elfcorehdr(&c, addr, size));
}

static int from_map(const struct memmap *m, const struct backup *b, int nb)
{
	return lay_out(crash_from_memmap(&c, m, b, nb));
}

/* ---- fake crashed memory: a low region (16 MiB + 2 MiB) and a region above 4 GiB ---- */
#define LOW_BASE 0x1000000ull
#define LOW_SIZE (2u << 20)
#define HIGH_BASE 0x100000000ull
#define HIGH_SIZE (64u << 10)
static uint8_t low[LOW_SIZE], high[HIGH_SIZE];

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void mem_setup(void)
{
	fakemem_reset();
	for (size_t i = 0; i < sizeof(low); i++)
		low[i] = (uint8_t)(rnd() | 1);
	for (size_t i = 0; i < sizeof(high); i++)
		high[i] = (uint8_t)(rnd() | 1);
	fakemem_map(LOW_BASE, low, sizeof(low));
	fakemem_map(HIGH_BASE, high, sizeof(high));
}

#define AUX_BASE 0x7000000ull
static uint8_t aux[8192] __attribute__((aligned(8)));	/* a second header, mapped on demand */

static uint8_t *at(uint64_t phys)
{
	if (phys >= AUX_BASE && phys < AUX_BASE + sizeof(aux))
		return aux + (phys - AUX_BASE);
	if (phys >= HIGH_BASE)
		return high + (phys - HIGH_BASE);
	return low + (phys - LOW_BASE);
}

/* Put one note (name with its NUL, desc) at p; returns its size. */
static size_t put_note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh = { (uint32_t)strlen(name) + 1, descsz, type };
	size_t o = sizeof(nh);

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + o, name, nh.n_namesz);
	o += (nh.n_namesz + 3) & ~3u;
	memcpy(p + o, desc, descsz);
	o += (descsz + 3) & ~3u;
	return o;
}

/* A per-CPU crash_notes buffer: one NT_PRSTATUS note, zero padded to bufsz (like Linux's). */
static void make_cpu_notes(uint64_t phys, uint32_t prsz, uint32_t bufsz, uint8_t fill)
{
	uint8_t desc[400];

	memset(at(phys), 0, bufsz);
	memset(desc, fill, sizeof(desc));
	put_note(at(phys), "CORE", NT_PRSTATUS, desc, prsz);
}

static const char vmcoreinfo_text[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1767225600\n"
				      "SYMBOL(init_uts_ns)=ffffffff82a1b2c0\n";

static void make_vmcoreinfo(uint64_t phys, uint32_t bufsz)
{
	memset(at(phys), 0, bufsz);
	put_note(at(phys), "VMCOREINFO", 0, vmcoreinfo_text, sizeof(vmcoreinfo_text) - 1);
}

/* ---- the independent reference: Linux 6.1 vmcore.c, transcribed per class ---- */
struct ref {
	uint8_t *file;
	uint64_t size;
};

static void ref_read(uint64_t addr, void *buf, uint64_t len)
{
	uint8_t *b = buf;

	for (uint64_t i = 0; i < len; i++)
		if (phys_read(addr + i, b + i, 1) != 0)
			b[i] = 0;
}

#define REF_VMCORE(BITS)                                                                         \
static struct ref ref_vmcore##BITS(uint64_t addr)                                                \
{                                                                                                \
	Elf##BITS##_Ehdr eh;                                                                     \
	Elf##BITS##_Phdr *ph, merged;                                                            \
	uint8_t *buf, *notes;                                                                    \
	size_t elfsz;                                                                            \
	uint64_t notes_sz, sum = 0, off, vmcore_off;                                             \
	int nr = 0, i, k;                                                                        \
	struct ref r;                                                                            \
	uint64_t cstart[300], csize[300];                                                        \
	int nc = 0;                                                                              \
                                                                                                 \
	ref_read(addr, &eh, sizeof(eh));                                                         \
	elfsz = sizeof(eh) + eh.e_phnum * sizeof(Elf##BITS##_Phdr);                              \
	buf = calloc(RUP(elfsz), 1);                                                             \
	ref_read(addr, buf, elfsz);                                                              \
	ph = (Elf##BITS##_Phdr *)(buf + sizeof(eh));                                             \
	for (i = 0; i < eh.e_phnum; i++) {                                                       \
		uint8_t *n;                                                                      \
		uint64_t real = 0, max;                                                          \
		if (ph[i].p_type != PT_NOTE)                                                     \
			continue;                                                                \
		max = ph[i].p_memsz;                                                             \
		n = calloc(max + 64, 1);                                                         \
		ref_read(ph[i].p_offset, n, max);                                                \
		for (Elf##BITS##_Nhdr *nh = (void *)n; nh->n_namesz != 0;) {                    \
			uint64_t sz = sizeof(*nh) + (((uint64_t)nh->n_namesz + 3) & ~3ull) +      \
				      (((uint64_t)nh->n_descsz + 3) & ~3ull);                     \
			if (real + sz > max)                                                     \
				break;                                                           \
			real += sz;                                                              \
			nh = (void *)((uint8_t *)nh + sz);                                       \
		}                                                                                \
		free(n);                                                                         \
		ph[i].p_memsz = real;                                                            \
	}                                                                                        \
	for (i = 0; i < eh.e_phnum; i++)                                                         \
		if (ph[i].p_type == PT_NOTE) {                                                   \
			nr++;                                                                    \
			sum += ph[i].p_memsz;                                                    \
		}                                                                                \
	notes_sz = RUP(sum);                                                                     \
	notes = calloc(notes_sz + 1, 1);                                                         \
	off = 0;                                                                                 \
	for (i = 0; i < eh.e_phnum; i++)                                                         \
		if (ph[i].p_type == PT_NOTE) {                                                   \
			ref_read(ph[i].p_offset, notes + off, ph[i].p_memsz);                    \
			off += ph[i].p_memsz;                                                    \
		}                                                                                \
	memset(&merged, 0, sizeof(merged));                                                      \
	merged.p_type = PT_NOTE;                                                                 \
	merged.p_offset = RUP(sizeof(eh) + (eh.e_phnum - nr + 1) * sizeof(merged));             \
	merged.p_filesz = merged.p_memsz = sum;                                                  \
	merged.p_align = 0;                                                                      \
	memcpy(buf + sizeof(eh), &merged, sizeof(merged));                                       \
	k = (nr - 1) * (int)sizeof(merged);                                                      \
	elfsz -= k;                                                                              \
	memmove(buf + sizeof(eh) + sizeof(merged), buf + sizeof(eh) + sizeof(merged) + k,       \
		elfsz - sizeof(eh) - sizeof(merged));                                            \
	memset(buf + elfsz, 0, k);                                                               \
	elfsz = RUP(elfsz);                                                                      \
	((Elf##BITS##_Ehdr *)buf)->e_phnum = eh.e_phnum - nr + 1;                                \
	vmcore_off = elfsz + notes_sz;                                                           \
	for (i = 0; i < eh.e_phnum - nr + 1; i++) {                                              \
		uint64_t pa = ph[i].p_offset, s = RDOWN(pa), e = RUP(pa + ph[i].p_memsz);        \
		if (ph[i].p_type != PT_LOAD)                                                     \
			continue;                                                                \
		cstart[nc] = s;                                                                  \
		csize[nc++] = e - s;                                                             \
		ph[i].p_offset = vmcore_off + (pa - s);                                          \
		vmcore_off += e - s;                                                             \
	}                                                                                        \
	r.size = vmcore_off;                                                                     \
	r.file = calloc(r.size + 1, 1);                                                          \
	memcpy(r.file, buf, elfsz);                                                              \
	memcpy(r.file + elfsz, notes, notes_sz);                                                 \
	off = elfsz + notes_sz;                                                                  \
	for (i = 0; i < nc; i++) {                                                               \
		ref_read(cstart[i], r.file + off, csize[i]);                                     \
		off += csize[i];                                                                 \
	}                                                                                        \
	free(buf);                                                                               \
	free(notes);                                                                             \
	return r;                                                                                \
}
REF_VMCORE(32)
REF_VMCORE(64)

/* The whole file through dump_read, in odd-sized pieces, compared with the reference. */
static int same_as_ref(struct ref r, const char *what)
{
	uint8_t *got = calloc(d.size + 1, 1);
	uint64_t off = 0;
	int same;

	ok(d.size == r.size, "%s: file size %llu == reference %llu", what, (unsigned long long)d.size,
	   (unsigned long long)r.size);
	while (off < d.size) {
		size_t n = 1 + rnd() % 9000;

		if (n > d.size - off)
			n = d.size - off;
		if (elf_read(&d, off, got + off, n) != 0)
			break;
		off += n;
	}
	same = d.size == r.size && memcmp(got, r.file, r.size) == 0;
	if (!same && d.size == r.size)
		for (uint64_t i = 0; i < r.size; i++)
			if (got[i] != r.file[i]) {
				printf("# %s: first difference at file offset 0x%llx: got %02x want %02x\n",
				       what, (unsigned long long)i, got[i], r.file[i]);
				break;
			}
	ok(same, "%s: dump_read bytes identical to the Linux reference", what);
	free(got);
	free(r.file);
	return same;
}

/* ---- input header builders ---- */
#define HDR_PHYS (LOW_BASE + 0x1000)
#define CPU0 (LOW_BASE + 0x3000)
#define CPU1 (LOW_BASE + 0x3200)
#define VMCI (LOW_BASE + 0x4000)

struct in_load {
	uint64_t offset, paddr, memsz, align;
};

static void build_hdr64(uint64_t at_phys, const uint64_t *note_off, const uint64_t *note_sz, int nn,
			const struct in_load *l, int nl)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)at(at_phys);
	Elf64_Phdr *ph = (Elf64_Phdr *)(eh + 1);

	memset(eh, 0, sizeof(*eh) + (nn + nl) * sizeof(*ph));
	shim_core_ehdr64(eh, (uint16_t)(nn + nl));
	eh->e_flags = 0x5a5a;	/* copied verbatim, whatever it is */
	for (int i = 0; i < nn; i++) {
		ph[i].p_type = PT_NOTE;
		ph[i].p_offset = ph[i].p_paddr = note_off[i];
		ph[i].p_filesz = ph[i].p_memsz = note_sz[i];
	}
	for (int i = 0; i < nl; i++) {
		Elf64_Phdr *p = &ph[nn + i];

		p->p_type = PT_LOAD;
		p->p_flags = PF_R | PF_W | PF_X;
		p->p_offset = l[i].offset;
		p->p_paddr = l[i].paddr;
		p->p_vaddr = 0xffff888000000000ull + l[i].paddr;
		p->p_filesz = p->p_memsz = l[i].memsz;
		p->p_align = l[i].align;
	}
}

static void build_hdr32(uint64_t at_phys, const uint64_t *note_off, const uint64_t *note_sz, int nn,
			const struct in_load *l, int nl)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)at(at_phys);
	Elf32_Phdr *ph = (Elf32_Phdr *)(eh + 1);

	memset(eh, 0, sizeof(*eh) + (nn + nl) * sizeof(*ph));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (uint16_t)(nn + nl);
	for (int i = 0; i < nn; i++) {
		ph[i].p_type = PT_NOTE;
		ph[i].p_offset = ph[i].p_paddr = (uint32_t)note_off[i];
		ph[i].p_filesz = ph[i].p_memsz = (uint32_t)note_sz[i];
	}
	for (int i = 0; i < nl; i++) {
		Elf32_Phdr *p = &ph[nn + i];

		p->p_type = PT_LOAD;
		p->p_flags = PF_R | PF_W | PF_X;
		p->p_offset = (uint32_t)l[i].offset;
		p->p_paddr = (uint32_t)l[i].paddr;
		p->p_vaddr = 0xc0000000u + (uint32_t)l[i].paddr;
		p->p_filesz = p->p_memsz = (uint32_t)l[i].memsz;
		p->p_align = (uint32_t)l[i].align;
	}
}

static const uint64_t std_note_off[3] = { CPU0, CPU1, VMCI };
static const uint64_t std_note_sz[3] = { 368, 368, 4132 };

static void std_notes(void)
{
	make_cpu_notes(CPU0, 336, 368, 0x11);
	make_cpu_notes(CPU1, 336, 368, 0x22);
	make_vmcoreinfo(VMCI, 4132);
}

/* Size of the merged notes of std_notes() for CPU notes of prsz bytes. */
static uint64_t std_notes_size(uint32_t prsz)
{
	return 2 * (12 + 8 + ((prsz + 3) & ~3u)) + 12 + 12 + ((sizeof(vmcoreinfo_text) - 1 + 3) & ~3u);
}

/* ELF64 like kexec-tools' x86_64 header: backup PT_LOAD whose p_offset differs from p_paddr,
 * unaligned start and end, a load above 4 GiB, p_align values that must be kept. */
static void test_elf64(void)
{
	static const struct in_load loads[] = {
		{ LOW_BASE + 0x100000, 0x0, 0xa0000, 0 },		/* backup of low 640 KiB */
		{ LOW_BASE + 0x40123, LOW_BASE + 0x40123, 0x2345, 0 },	/* unaligned both ends */
		{ HIGH_BASE, HIGH_BASE, HIGH_SIZE, 0x1000 },		/* above 4 GiB, p_align kept */
		{ LOW_BASE + 0x60000, LOW_BASE + 0x60000, 0x1000, 0 },
	};
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)H;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(eh + 1);
	uint64_t nsz = std_notes_size(336);

	mem_setup();
	std_notes();
	build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 4);
	log_reset();
	ok(from_hdr(HDR_PHYS, 0) == 0, "ELF64: accepted");
	same_as_ref(ref_vmcore64(HDR_PHYS), "ELF64");

	/* Hand-checked fields. */
	ok(c.elfclass == 2 && c.machine == EM_X86_64, "ELF64: class 2, EM_X86_64");
	ok(memcmp(H, at(HDR_PHYS), 48) == 0, "ELF64: ehdr copied verbatim up to e_phnum");
	ok(eh->e_phnum == 5 && eh->e_flags == 0x5a5a, "ELF64: e_phnum 5 (1 note + 4 loads)");
	ok(ph[0].p_type == PT_NOTE && ph[0].p_flags == 0 && ph[0].p_offset == 4096 && ph[0].p_vaddr == 0 &&
	   ph[0].p_paddr == 0 && ph[0].p_filesz == nsz && ph[0].p_memsz == nsz && ph[0].p_align == 0,
	   "ELF64: merged PT_NOTE at 4096, %llu bytes, align 0", (unsigned long long)nsz);
	ok(d.hdr_size == 8192, "ELF64: header page + notes page (%u)", d.hdr_size);
	ok(ph[1].p_type == PT_LOAD && ph[1].p_offset == 8192 && ph[1].p_paddr == 0 &&
	   ph[1].p_filesz == 0xa0000 && ph[1].p_align == 0, "ELF64: backup load at 8192, paddr 0");
	ok(ph[2].p_offset == 8192 + 0xa0000 + 0x123 && ph[2].p_memsz == 0x2345,
	   "ELF64: unaligned load keeps its page offset");
	ok(ph[3].p_offset == 8192 + 0xa0000 + 0x3000 && ph[3].p_align == 0x1000,
	   "ELF64: next load after a 3-page chunk; p_align kept");
	ok(ph[4].p_offset == 8192 + 0xa0000 + 0x3000 + HIGH_SIZE, "ELF64: 4th load offset");
	ok(d.size == 8192 + 0xa0000 + 0x3000 + HIGH_SIZE + 0x1000, "ELF64: total size");
	ok(memcmp(H + 4096, at(CPU0), 356) == 0 && memcmp(H + 4096 + 356, at(CPU1), 356) == 0,
	   "ELF64: CPU notes trimmed to 356 bytes and concatenated");
	ok(H[4096 + nsz] == 0 && H[8191] == 0, "ELF64: notes page zero padded");
	ok(strcmp(c.crashtime, "1767225600") == 0, "ELF64: CRASHTIME found (%s)", c.crashtime);
	ok(!log_has("lost:"), "ELF64: nothing lost");
	ok(!log_has("overlap"), "ELF64: no overlap warning");
}

/* ELF32 as kexec-tools writes on i386 (176-byte CPU buffers with 144-byte prstatus). */
static void test_elf32(void)
{
	static const struct in_load loads[] = {
		{ LOW_BASE + 0x100000, 0x0, 0xa0000, 0 },
		{ LOW_BASE + 0x1ff00, 0x100000, 0x12345, 0 },
		{ LOW_BASE + 0x80000, LOW_BASE + 0x80000, 0x0, 0 },	/* empty load at a page edge */
		{ LOW_BASE + 0x90010, LOW_BASE + 0x90010, 0x0, 0 },	/* empty load mid-page: one page */
	};
	static const uint64_t sz[3] = { 176, 176, 4132 };
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)H;
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(eh + 1);
	uint64_t nsz = std_notes_size(144);

	mem_setup();
	make_cpu_notes(CPU0, 144, 176, 0x33);
	make_cpu_notes(CPU1, 144, 176, 0x44);
	make_vmcoreinfo(VMCI, 4132);
	build_hdr32(HDR_PHYS, std_note_off, sz, 3, loads, 4);
	log_reset();
	ok(from_hdr(HDR_PHYS, 4096) == 0, "ELF32: accepted");
	same_as_ref(ref_vmcore32(HDR_PHYS), "ELF32");
	ok(c.elfclass == 1 && c.machine == EM_386, "ELF32: class 1, EM_386");
	ok(eh->e_phnum == 5 && ph[0].p_offset == 4096 && ph[0].p_filesz == nsz && ph[0].p_align == 0,
	   "ELF32: merged PT_NOTE");
	ok(ph[2].p_offset == 8192 + 0xa0000 + 0xf00 && ph[2].p_paddr == 0x100000, "ELF32: load 2 offset");
	ok(ph[3].p_offset == 8192 + 0xa0000 + 0x14000 && ph[4].p_offset == ph[3].p_offset + 0x10,
	   "ELF32: empty loads: no page at a page edge, one page mid-page");
	ok(d.size == 8192 + 0xa0000 + 0x14000 + 0x1000, "ELF32: total size");
}

/* Note trimming: an all-zero CPU buffer, a note longer than its buffer, a buffer filled exactly,
 * a buffer whose last bytes hold half a note header. */
static void test_notes(void)
{
	static const struct in_load loads[] = { { LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x1000, 0 } };
	uint64_t off[5] = { CPU0, CPU1, VMCI, LOW_BASE + 0x6000, LOW_BASE + 0x7000 };
	uint64_t sz[5] = { 368, 368, 4132, 356, 364 };
	uint32_t big = 0x7ffffff0;

	mem_setup();
	memset(at(CPU0), 0, 368);			/* CPU that never saved its registers */
	make_cpu_notes(CPU1, 336, 368, 0x55);
	/* VMCOREINFO whose descsz runs past the buffer: dropped entirely. */
	memset(at(VMCI), 0, 4132);
	put_note(at(VMCI), "VMCOREINFO", 0, vmcoreinfo_text, 8);
	memcpy(at(VMCI) + 4, &big, 4);
	make_cpu_notes(off[3], 336, 356, 0x66);	/* exactly full: nothing after it to read */
	make_cpu_notes(off[4], 336, 364, 0x77);	/* 8 stray bytes after the note */
	memset(at(off[4]) + 356, 0xee, 8);
	build_hdr64(HDR_PHYS, off, sz, 5, loads, 1);
	log_reset();
	ok(from_hdr(HDR_PHYS, 0) == 0, "notes: accepted");
	same_as_ref(ref_vmcore64(HDR_PHYS), "notes");
	ok(log_has("Zero PT_NOTE entries found"), "notes: empty CPU buffer reported");
	ok(log_has("Exceeded p_memsz"), "notes: overlong note reported");
	ok(((const Elf64_Phdr *)(H + 64))->p_filesz == 3 * 356, "notes: 3 x 356 bytes kept");
	ok(c.crashtime[0] == 0, "notes: no VMCOREINFO, no crash time");

	/* A lone all-zero PT_NOTE: merged size 0, no notes page; PT_LOAD right after the header page. */
	mem_setup();
	memset(at(CPU0), 0, 368);
	build_hdr64(HDR_PHYS, off, sz, 1, loads, 1);
	ok(from_hdr(HDR_PHYS, 0) == 0 && d.hdr_size == 4096 &&
	   ((const Elf64_Phdr *)(H + 64))[1].p_offset == 4096, "notes: zero notes, no notes page");
	same_as_ref(ref_vmcore64(HDR_PHYS), "zero notes");
}

/* PT_NOTEs after a PT_LOAD: Linux's merge drops phdrs 1..nr-1 whatever they are; so must we. */
static void test_notes_not_first(void)
{
	uint8_t *h;
	Elf64_Phdr *ph, tmp;
	static const struct in_load loads[] = {
		{ LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x1000, 0 },
		{ LOW_BASE + 0x50000, LOW_BASE + 0x50000, 0x2000, 0 },
	};

	mem_setup();
	std_notes();
	build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 2);
	h = at(HDR_PHYS);
	ph = (Elf64_Phdr *)(h + 64);
	tmp = ph[1];
	ph[1] = ph[3];	/* order: NOTE LOAD NOTE LOAD NOTE */
	ph[3] = tmp;
	tmp = ph[2];
	ph[2] = ph[4];
	ph[4] = tmp;
	log_reset();
	ok(from_hdr(HDR_PHYS, 0) == 0, "notes-not-first: accepted");
	ok(log_has("not the first program headers"), "notes-not-first: warned");
	same_as_ref(ref_vmcore64(HDR_PHYS), "notes-not-first");

	/* One PT_NOTE, second: the merged note lands on the PT_LOAD in slot 0 (lost, as in Linux)
	 * and the original PT_NOTE stays in slot 1, trimmed. */
	mem_setup();
	std_notes();
	build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 1, loads, 2);
	ph = (Elf64_Phdr *)(at(HDR_PHYS) + 64);
	tmp = ph[0];
	ph[0] = ph[1];
	ph[1] = tmp;
	log_reset();
	ok(from_hdr(HDR_PHYS, 0) == 0 && log_has("over phdrs 0..0"), "one note second: accepted, warned");
	same_as_ref(ref_vmcore64(HDR_PHYS), "one note second");
	ok(((const Elf64_Ehdr *)H)->e_phnum == 3 && ((const Elf64_Phdr *)(H + 64))[1].p_type == PT_NOTE &&
	   ((const Elf64_Phdr *)(H + 64))[1].p_memsz == 356 && d.nchunks == 1, "one note second: layout as Linux");
}

/* dump_read: salvage's own image and unreadable memory read as zeros, reported once. */
static void test_lost(void)
{
	static const struct in_load loads[] = {
		{ LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x10000, 0 },
		{ LOW_BASE + LOW_SIZE - 0x1000, LOW_BASE + LOW_SIZE - 0x1000, 0x3000, 0 }, /* runs off */
	};
	uint8_t *buf = malloc(0x10000);
	uint8_t *buf2 = malloc(0x3000);
	uint64_t f0, f1;
	int z = 1;

	mem_setup();
	std_notes();
	build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 2);
	ok(from_hdr(HDR_PHYS, 0) == 0, "lost: accepted");
	f0 = d.chunks[0].file_off;
	f1 = d.chunks[1].file_off;
	self_start = LOW_BASE + 0x42010;
	self_end = LOW_BASE + 0x44000;
	log_reset();
	ok(elf_read(&d, f0, buf, 0x10000) == 0, "lost: read chunk 0");
	ok(memcmp(buf, at(LOW_BASE + 0x40000), 0x2010) == 0 &&
	   memcmp(buf + 0x4000, at(LOW_BASE + 0x44000), 0xc000) == 0, "lost: bytes around self intact");
	for (int i = 0x2010; i < 0x4000; i++)
		z &= buf[i] == 0;
	ok(z, "lost: salvage's own bytes read as zeros");
	ok(log_has("lost: 0x1042010-0x1044000"), "lost: self range named");
	elf_read(&d, f0, buf, 0x10000);
	{
		int count = 0;

		for (const char *p = log_buf; (p = strstr(p, "lost:")); p++)
			count++;
		ok(count == 1, "lost: reported once per chunk (%d)", count);
	}
	self_start = self_end = 0;
	log_reset();
	ok(elf_read(&d, f1, buf2, 0x3000) == 0, "lost: read chunk 1");
	ok(memcmp(buf2, at(LOW_BASE + LOW_SIZE - 0x1000), 0x1000) == 0, "lost: readable page intact");
	z = 1;
	for (int i = 0x1000; i < 0x3000; i++)
		z &= buf2[i] == 0;
	ok(z, "lost: unreadable pages are zeros");
	ok(log_has("lost: 0x1200000-0x1202000"), "lost: unreadable range named");
	/* A terabyte that cannot be read: reported without probing all of it. */
	{
		static const struct in_load tb[] = { { 1ull << 44, 1ull << 44, 1ull << 40, 0 } };

		mem_setup();
		std_notes();
		build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, tb, 1);
		log_reset();
		ok(from_hdr(HDR_PHYS, 0) == 0 && d.size == 8192 + (1ull << 40), "lost: 1 TiB PT_LOAD accepted");
		ok(elf_read(&d, 8192 + 0x5000, buf, 0x2000) == 0 && buf[0] == 0 && buf[0x1fff] == 0 &&
		   log_has("lost: 0x100000005000-0x100001006000 (file 0x7000) cannot be read (nor, perhaps"),
		   "lost: unreadable terabyte reported after a bounded look-ahead");
	}
	ok(elf_read(&d, d.size - 1, buf, 1) == 0, "read: last byte");
	ok(elf_read(&d, d.size, buf, 0) == 0, "read: empty read at the end");
	ok(elf_read(&d, d.size, buf, 1) == -ERANGE, "read: past the end is -ERANGE");
	ok(elf_read(&d, d.size - 1, buf, 2) == -ERANGE, "read: straddling the end is -ERANGE");
	ok(elf_read(&d, ~0ull, buf, 2) == -ERANGE, "read: huge offset is -ERANGE");
	free(buf);
	free(buf2);
}

/* Headers that must be refused with a clear error line. */
static void expect_reject(const char *what, uint64_t size, const char *msg)
{
	log_reset();
	ok(from_hdr(HDR_PHYS, size) < 0, "reject %s", what);
	ok(log_has(msg), "reject %s: says \"%s\"", what, msg);
	ok(d.size == 0 && d.nchunks == 0, "reject %s: dump left empty", what);
}

static void test_malformed(void)
{
	static const struct in_load loads[] = { { LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x1000, 0 } };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)at(HDR_PHYS);
	Elf64_Phdr *ph = (Elf64_Phdr *)(eh + 1);

#define FRESH() (mem_setup(), std_notes(), build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 1))
	FRESH();
	expect_reject("truncated header (size 40)", 40, "cannot hold an ELF header");
	expect_reject("truncated header (size 60)", 60, "fewer than its 64-byte ELF header");
	expect_reject("truncated phdrs", 64 + 3 * 56, "truncated");
	FRESH(); eh->e_ident[1] = 'X';
	expect_reject("bad magic", 0, "no ELF magic");
	FRESH(); eh->e_ident[EI_CLASS] = 3;
	expect_reject("bad class", 0, "ELF class 3");
	FRESH(); eh->e_type = ET_EXEC;
	expect_reject("not ET_CORE", 0, "not ET_CORE");
	FRESH(); eh->e_machine = EM_386;
	expect_reject("ELF64 with EM_386", 0, "e_machine 3");
	FRESH(); eh->e_version = 2;
	expect_reject("e_version", 0, "not EV_CURRENT");
	FRESH(); eh->e_ident[EI_VERSION] = 0;
	expect_reject("EI_VERSION", 0, "not EV_CURRENT");
	FRESH(); eh->e_phentsize = 32;
	expect_reject("e_phentsize", 0, "e_phentsize 32");
	FRESH(); eh->e_ehsize = 52;
	expect_reject("e_ehsize", 0, "e_ehsize 52");
	FRESH(); eh->e_phnum = 0;
	expect_reject("e_phnum 0", 0, "e_phnum 0");
	FRESH(); eh->e_phnum = 65535;
	expect_reject("absurd e_phnum", 0, "e_phnum 65535");
	FRESH(); ph[3].p_offset = ~0ull - 0x10;
	expect_reject("PT_LOAD offset+size wraps", 0, "overflows");
	FRESH(); ph[3].p_offset = ~0ull - 0x1000; ph[3].p_memsz = 0x800;
	expect_reject("PT_LOAD end cannot be page-rounded", 0, "cannot be page-rounded");
	FRESH(); ph[3].p_offset = 0; ph[3].p_memsz = ~0ull - 0xffe;	/* page_up(end) wraps to 0 */
	expect_reject("PT_LOAD at offset 0 whose end rounds to 0", 0, "cannot be page-rounded");
	FRESH(); ph[0].p_memsz = ~0ull;
	expect_reject("PT_NOTE size wraps", 0, "overflows");
	log_reset();
	ok(from_hdr(0x5000000, 0) < 0 && log_has("cannot read"), "reject unreadable header");
	FRESH();
	memcpy(at(LOW_BASE + LOW_SIZE - 70), at(HDR_PHYS), 70);
	log_reset();
	ok(from_hdr(LOW_BASE + LOW_SIZE - 70, 0) < 0 && log_has("program headers (288 bytes) unreadable"),
	   "reject phdrs running off readable memory");

	/* ELF32 with EM_X86_64 and ELF32 with phdrs past a known size. */
	mem_setup();
	std_notes();
	build_hdr32(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 1);
	((Elf32_Ehdr *)at(HDR_PHYS))->e_machine = EM_X86_64;
	expect_reject("ELF32 with EM_X86_64", 0, "e_machine 62");
	((Elf32_Ehdr *)at(HDR_PHYS))->e_machine = EM_386;
	expect_reject("ELF32 truncated", 52 + 3 * 32, "truncated");

	/* Notes far larger than salvage keeps: refused, not overflowed. */
	{
		static const struct in_load one[] = { { LOW_BASE, LOW_BASE, 0x1000, 0 } };
		uint64_t off[1] = { LOW_BASE + 0x10000 }, sz[1] = { 0x80000 };
		uint8_t desc[4096] = { 0 };

		mem_setup();
		for (int i = 0; i < 0x80000 / 4108; i++)
			put_note(at(off[0]) + i * 4108, "BIG", 1, desc, 4092);
		build_hdr64(HDR_PHYS, off, sz, 1, one, 1);
		expect_reject("notes larger than DUMP_HDR_MAX", 0, "notes exceed");
	}

	/* A megabyte of 16-byte notes: refused without walking all of them. */
	{
		static const struct in_load one[] = { { LOW_BASE, LOW_BASE, 0x1000, 0 } };
		uint64_t off[1] = { LOW_BASE + 0x10000 }, sz[1] = { 0x100000 };

		mem_setup();
		for (int i = 0; i < 0x100000 / 16; i++)
			put_note(at(off[0]) + i * 16, "", 1, "", 0);
		build_hdr64(HDR_PHYS, off, sz, 1, one, 1);
		expect_reject("a megabyte of tiny notes", 0, "notes exceed");
	}

	/* Overlapping PT_LOADs: kept as Linux keeps them, with a warning. */
	{
		static const struct in_load ov[] = {
			{ LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x3000, 0 },
			{ LOW_BASE + 0x41000, LOW_BASE + 0x41000, 0x3000, 0 },
		};

		mem_setup();
		std_notes();
		build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, ov, 2);
		log_reset();
		ok(from_hdr(HDR_PHYS, 0) == 0, "overlap: accepted");
		ok(log_has("overlap"), "overlap: warned");
		same_as_ref(ref_vmcore64(HDR_PHYS), "overlap");
	}
	/* No PT_NOTE at all: Linux would crash; salvage adds an empty one first. */
	{
		mem_setup();
		build_hdr64(HDR_PHYS, NULL, NULL, 0, loads, 1);
		log_reset();
		ok(from_hdr(HDR_PHYS, 0) == 0 && log_has("no PT_NOTE"), "no PT_NOTE: accepted, warned");
		ok(((const Elf64_Ehdr *)H)->e_phnum == 2 && ((const Elf64_Phdr *)(H + 64))[0].p_type == PT_NOTE &&
		   ((const Elf64_Phdr *)(H + 64))[1].p_offset == 4096, "no PT_NOTE: empty note first, load after");
	}
#undef FRESH
}

/* ---- memory map ---- */
static void add(struct memmap *m, uint64_t s, uint64_t n, uint32_t t)
{
	m->r[m->n++] = (struct mem_range){ s, n, t };
}

static void test_memmap(void)
{
	struct memmap m = { .n = 0 };
	struct backup b[2] = { { 0x10000, 0x0, LOW_BASE + 0x100000 },		/* low 64 KiB */
			       { 0x2000, LOW_BASE + 0x80000, LOW_BASE + 0x1f0000 } };
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)H;
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(eh + 1);
	uint8_t *buf;
	/* Expected pieces: paddr, len, source. */
	static const struct { uint64_t paddr, len, src; } want[] = {
		{ 0x0, 0x10000, LOW_BASE + 0x100000 },		/* backup substituted */
		{ 0x10000, 0x8f000 - 0x10000, 0x10000 },		/* rest of low RAM, inward-rounded */
		{ LOW_BASE, 0x80000, LOW_BASE },
		{ LOW_BASE + 0x80000, 0x2000, LOW_BASE + 0x1f0000 },	/* second backup */
		{ LOW_BASE + 0x82000, 0x10000 - 0x2000, LOW_BASE + 0x82000 },
		{ LOW_BASE + 0x92000, LOW_SIZE - 0x92000, LOW_BASE + 0x92000 }, /* after salvage */
	};
	static uint8_t low0[0x8f000];
	int good = 1;

	mem_setup();
	for (size_t i = 0; i < sizeof(low0); i++)
		low0[i] = (uint8_t)rnd();
	fakemem_map(0, low0, sizeof(low0));
	add(&m, 0x0, 0x8f400, 1);			/* ends mid-page: rounded down */
	add(&m, 0x8f400, 0x10c00, 2);			/* reserved */
	add(&m, 0xf0000, 0x10000, 2);
	add(&m, LOW_BASE - 0x10, LOW_SIZE + 0x10, 1);	/* starts mid-page: rounded up */
	self_start = LOW_BASE + 0x90000;
	self_end = LOW_BASE + 0x91ffc;			/* salvage: 2 pages */
	log_reset();
	ok(from_map(&m, b, 2) == 0, "memmap: built");
	ok(c.elfclass == 1 && c.machine == EM_386 && eh->e_machine == EM_386 && eh->e_type == ET_CORE &&
	   eh->e_phoff == 52 && eh->e_phentsize == 32, "memmap: ELF32 EM_386 below 4 GiB");
	ok(eh->e_phnum == 1 + ARRAY_SIZE(want), "memmap: %d phdrs", eh->e_phnum);
	ok(ph[0].p_type == PT_NOTE && ph[0].p_offset == 4096 && ph[0].p_filesz == 0 && ph[0].p_memsz == 0 &&
	   ph[0].p_align == 0 && ph[0].p_flags == 0, "memmap: empty PT_NOTE first, as Linux makes it");
	ok(d.hdr_size == 4096, "memmap: no notes page");
	ok(!log_has("Zero PT_NOTE"), "memmap: no warning for its own empty note");
	for (size_t i = 0; i < ARRAY_SIZE(want) && i + 1 < eh->e_phnum; i++) {
		const Elf32_Phdr *p = &ph[i + 1];

		if (p->p_type != PT_LOAD || p->p_paddr != want[i].paddr || p->p_vaddr != want[i].paddr ||
		    p->p_filesz != want[i].len || p->p_memsz != want[i].len || p->p_flags != 7 ||
		    p->p_align != 0) {
			printf("# piece %zu: paddr 0x%x len 0x%x (want 0x%llx 0x%llx)\n", i, p->p_paddr,
			       p->p_filesz, (unsigned long long)want[i].paddr, (unsigned long long)want[i].len);
			good = 0;
			continue;
		}
		buf = malloc(want[i].len);
		if (elf_read(&d, p->p_offset, buf, want[i].len) != 0 ||
		    memcmp(buf, want[i].src < LOW_BASE ? low0 + want[i].src : at(want[i].src), want[i].len))
			good = 0, printf("# piece %zu: bytes differ\n", i);
		free(buf);
	}
	ok(good, "memmap: pieces, backup substitution and bytes as expected");
	/* The whole file equals what Linux makes of the kexec-tools-style header for these pieces
	 * (planted in memory of its own, with the empty note's p_memsz 4 so Linux would not crash). */
	{
		struct in_load l[ARRAY_SIZE(want)];
		uint64_t noff[1] = { AUX_BASE + 0x800 }, nsz[1] = { 4 };
		Elf32_Phdr *p = (Elf32_Phdr *)(aux + 52);

		for (size_t i = 0; i < ARRAY_SIZE(want); i++)
			l[i] = (struct in_load){ want[i].src, want[i].paddr, want[i].len, 0 };
		memset(aux, 0, sizeof(aux));
		fakemem_map(AUX_BASE, aux, sizeof(aux));
		build_hdr32(AUX_BASE, noff, nsz, 1, l, ARRAY_SIZE(want));
		for (size_t i = 0; i < ARRAY_SIZE(want); i++)
			p[i + 1].p_vaddr = (uint32_t)want[i].paddr;
		self_start = self_end = 0;
		same_as_ref(ref_vmcore32(AUX_BASE), "memmap");
		self_start = LOW_BASE + 0x90000;
		self_end = LOW_BASE + 0x91ffc;
		ok(memcmp(H, aux, 44) == 0, "memmap: ELF header as kexec-tools writes it");
	}
	ok(d.size == 4096 + 0x8f000 + LOW_SIZE - 0x2000, "memmap: total size");
	self_start = self_end = 0;

	/* RAM above 4 GiB: ELF64 / EM_X86_64. */
	m.n = 0;
	add(&m, LOW_BASE, LOW_SIZE, 1);
	add(&m, HIGH_BASE, HIGH_SIZE, 1);
	ok(from_map(&m, NULL, 0) == 0 && c.elfclass == 2 && c.machine == EM_X86_64 &&
	   ((const Elf64_Ehdr *)H)->e_phnum == 3, "memmap: ELF64 when RAM is above 4 GiB");
	{
		const Elf64_Phdr *p = (const Elf64_Phdr *)(H + 64);

		ok(p[2].p_paddr == HIGH_BASE && p[2].p_offset == 4096 + LOW_SIZE && d.size == 4096 + LOW_SIZE + HIGH_SIZE,
		   "memmap: high piece laid out");
	}
	/* A backup whose copy would run past 2^64 is ignored with a warning, not trusted. */
	m.n = 0;
	add(&m, LOW_BASE, LOW_SIZE, 1);
	{
		struct backup wrap[2] = { { 0x2000, LOW_BASE, ~0ull - 0x1800 }, { 0x1000, LOW_BASE + 0x3000, LOW_BASE } };

		log_reset();
		ok(from_map(&m, wrap, 2) == 0 && log_has("backup 1 (0x2000 bytes 0x1000000 -> 0xffffffffffffe7ff) wraps") &&
		   ((const Elf32_Ehdr *)H)->e_phnum == 4 && ((const Elf32_Phdr *)(H + 52))[2].p_offset == 4096 + 0x3000,
		   "memmap: wrapping backup ignored, the other one used");
	}
	/* No RAM at all: headers only, said so. */
	m.n = 0;
	add(&m, 0x100000, 0x100, 1);	/* less than a page: nothing after inward rounding */
	log_reset();
	ok(from_map(&m, NULL, 0) == 0 && d.size == 4096 && log_has("no RAM"),
	   "memmap: no RAM gives a header-only dump with a warning");
	/* The most fragmented map there can be (128 ranges, 4 backups inside them). */
	{
		static struct memmap big;

		big.n = 0;
		for (int i = 0; i < MEMMAP_MAX; i++)
			add(&big, (uint64_t)i * 0x4000, 0x1000, 1);
		struct backup many[MAX_BACKUPS];
		for (int i = 0; i < MAX_BACKUPS; i++)
			many[i] = (struct backup){ 0x800, (uint64_t)i * 0x4000 + 0x400, 0x1000000 };
		log_reset();
		ok(from_map(&big, many, MAX_BACKUPS) == 0 && c.elfclass == 1 &&
		   ((const Elf32_Ehdr *)H)->e_phnum == 1 + MEMMAP_MAX + 2 * MAX_BACKUPS,
		   "memmap: 128 ranges, 4 of them cut in 3 by backups");
	}
}

/* True when Linux could process the header at addr without crashing or failing to allocate:
 * at least one PT_NOTE, and no PT_NOTE over 64 KiB. */
static int ref_safe(uint64_t addr)
{
	uint8_t h[64 + 256 * 56] __attribute__((aligned(8)));
	int cls, n, notes = 0;

	ref_read(addr, h, 64);
	cls = h[EI_CLASS];
	n = cls == 2 ? ((Elf64_Ehdr *)h)->e_phnum : ((Elf32_Ehdr *)h)->e_phnum;
	if (n > 256)
		return 0;
	ref_read(addr, h, sizeof(h));
	for (int i = 0; i < n; i++) {
		uint32_t type;
		uint64_t memsz;

		if (cls == 2) {
			Elf64_Phdr *p = (Elf64_Phdr *)(h + 64) + i;

			type = p->p_type;
			memsz = p->p_memsz;
		} else {
			Elf32_Phdr *p = (Elf32_Phdr *)(h + 52) + i;

			type = p->p_type;
			memsz = p->p_memsz;
		}
		if (type == PT_NOTE && memsz > 65536)
			return 0;
		notes += type == PT_NOTE;
	}
	return notes > 0;
}

/* Random mutations of a valid header (and its notes) must never crash, and whatever is
 * accepted must be a consistent file. */
static void test_fuzz(void)
{
	static const struct in_load loads[] = {
		{ LOW_BASE + 0x40000, LOW_BASE + 0x40000, 0x3000, 0 },
		{ LOW_BASE + 0x100000, 0, 0x5000, 0 },
	};
	static uint8_t saved[0x6000];
	int accepted = 0, consistent = 1, compared = 0, same = 1;
	uint8_t tmp[4096];

	mem_setup();
	std_notes();
	build_hdr64(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 2);
	memcpy(saved, at(HDR_PHYS), sizeof(saved));
	rng_state = 4242;
	for (int it = 0; it < 3000; it++) {
		int nmut = 1 + rnd() % 6;

		memcpy(at(HDR_PHYS), saved, sizeof(saved));
		if (it % 2)	/* also try ELF32 */
			build_hdr32(HDR_PHYS, std_note_off, std_note_sz, 3, loads, 2);
		for (int k = 0; k < nmut; k++) {
			uint32_t r = rnd(), pos = rnd() % (it % 3 ? 0x180 : sizeof(saved));
			uint8_t *p = at(HDR_PHYS) + pos;

			switch (r % 4) {
			case 0: *p ^= (uint8_t)(1u << (r >> 8) % 8); break;
			case 1: *p = (uint8_t)(r >> 8); break;
			case 2: memset(p, 0xff, 1 + (r >> 8) % 8 < sizeof(saved) - pos ? 1 + (r >> 8) % 8 : 1); break;
			default: *p = 0; break;
			}
		}
		log_reset();
		if (from_hdr(HDR_PHYS, it % 5 ? 0 : 64 + (rnd() % 600)) != 0)
			continue;
		accepted++;
		uint64_t sum = d.hdr_size;
		for (int c = 0; c < d.nchunks; c++) {
			consistent &= d.chunks[c].file_off == sum;
			sum += d.chunks[c].size;
		}
		consistent &= sum == d.size && d.hdr_size <= DUMP_HDR_MAX && d.hdr_size % 4096 == 0;
		elf_read(&d, 0, tmp, (size_t)(d.size < sizeof(tmp) ? d.size : sizeof(tmp)));
		if (d.size > 2 * sizeof(tmp))
			elf_read(&d, d.size - sizeof(tmp), tmp, sizeof(tmp));
		if (ref_safe(HDR_PHYS) && d.size < (8u << 20)) {
			struct ref r = c.elfclass == 2 ? ref_vmcore64(HDR_PHYS) : ref_vmcore32(HDR_PHYS);
			uint8_t *got = malloc(d.size + 1);

			compared++;
			if (r.size != d.size || elf_read(&d, 0, got, d.size) != 0 || memcmp(got, r.file, d.size)) {
				if (same)
					printf("# fuzz: mutant %d differs from the reference\n", it);
				same = 0;
			}
			free(got);
			free(r.file);
		}
	}
	ok(accepted > 100, "fuzz: %d of 3000 mutants accepted, none crashed", accepted);
	ok(consistent, "fuzz: every accepted mutant is a consistent file");
	ok(compared > 100 && same, "fuzz: %d mutants Linux itself could handle match the reference", compared);
}

/* Random memory maps, backups and salvage placements: never a crash, always a consistent file
 * whose PT_LOADs avoid salvage's pages. */
static void test_fuzz_memmap(void)
{
	static struct memmap m;
	struct backup b[MAX_BACKUPS];
	int consistent = 1, avoided = 1;
	uint8_t tmp[512];

	mem_setup();
	rng_state = 777;
	for (int it = 0; it < 2000; it++) {
		int nb = (int)(rnd() % (MAX_BACKUPS + 1));
		uint64_t scale = it % 3 == 0 ? 1ull << 40 : it % 3 == 1 ? 1ull << 28 : ~0ull;

		m.n = (int)(rnd() % 12);
		for (int i = 0; i < m.n; i++) {
			uint64_t s = ((uint64_t)rnd() << 32 | rnd()) % scale;
			uint64_t n = ((uint64_t)rnd() << 32 | rnd()) % (scale / 8 + 1);

			m.r[i] = (struct mem_range){ s, n, rnd() % 4 ? MEM_RAM : MEM_RESERVED };
		}
		for (int i = 0; i < nb; i++)
			b[i] = (struct backup){ rnd() % 0x2000000, rnd() % (scale / 4 + 1), rnd() % (scale / 2 + 1) };
		self_start = ((uint64_t)rnd() << 32 | rnd()) % scale;
		self_end = self_start + rnd() % 0x400000;
		log_reset();
		if (from_map(&m, b, nb) != 0)
			continue;
		uint64_t sum = d.hdr_size;
		for (int c = 0; c < d.nchunks; c++) {
			consistent &= d.chunks[c].file_off == sum;
			sum += d.chunks[c].size;
		}
		consistent &= sum == d.size;
		int n = c.elfclass == 2 ? ((const Elf64_Ehdr *)H)->e_phnum : ((const Elf32_Ehdr *)H)->e_phnum;
		for (int i = 1; i < n; i++) {
			uint64_t pa, len;

			if (c.elfclass == 2) {
				pa = ((const Elf64_Phdr *)(H + 64))[i].p_paddr;
				len = ((const Elf64_Phdr *)(H + 64))[i].p_memsz;
			} else {
				pa = ((const Elf32_Phdr *)(H + 52))[i].p_paddr;
				len = ((const Elf32_Phdr *)(H + 52))[i].p_memsz;
			}
			if (self_end > self_start && pa < self_end && self_start < pa + len)
				avoided = 0;
		}
		elf_read(&d, 0, tmp, (size_t)MIN(d.size, sizeof(tmp)));
		elf_read(&d, d.size - MIN(d.size, sizeof(tmp)), tmp, (size_t)MIN(d.size, sizeof(tmp)));
	}
	self_start = self_end = 0;
	ok(consistent, "memmap fuzz: 2000 random maps, consistent files");
	ok(avoided, "memmap fuzz: no PT_LOAD covers salvage's own pages");
}

int main(void)
{
	test_elf64();
	test_elf32();
	test_notes();
	test_notes_not_first();
	test_lost();
	test_malformed();
	test_memmap();
	test_fuzz();
	test_fuzz_memmap();
	return ok_done();
}
