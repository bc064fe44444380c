/* The crash description (dump/crash.h): the crashed kernel's elfcorehdr, or salvage's own header for
 * the memory map, checked and trimmed as Linux 6.1's fs/proc/vmcore.c does; VMCOREINFO lookups;
 * reading the crashed memory (physical, kernel virtual, and spans with loss reports). */
#include "dump/crash.h"
#include "dump/elf.h"
#include "lib/log.h"
#include "mm/phys.h"

#define PAGE_MASK64 ((uint64_t)PAGE_SIZE - 1)
#define NOTE_HDR_SIZE 12u
#define IN_HDR_MAX (sizeof(struct elf64_ehdr) + CRASH_MAX_PHDRS * sizeof(struct elf64_phdr))
#define LOST_SELF 1
#define LOST_UNREADABLE 2
#define LOST_PROBE_PAGES 4096	/* how far a loss report looks ahead for its end (16 MiB) */
#define START_KERNEL_MAP 0xffffffff80000000ull	/* x86_64 kernel text mapping base */
#define PTE_PRESENT 0x1ull
#define PTE_PS 0x80ull				/* 1 GiB (PUD) or 2 MiB (PMD) page */
#define PTE_ADDR 0x000ffffffffff000ull		/* physical address bits 12..51 */

/* Scratch for reading one input header (no malloc in the kernel; one crash at a time). */
static struct {
	uint8_t hdr[IN_HDR_MAX];		/* input ELF header + program headers */
	uint64_t note_size[CRASH_MAX_PHDRS];	/* each PT_NOTE's trimmed size */
} in;


static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_MASK64) & ~PAGE_MASK64;
}

/* Offset of e_phnum in the ELF header of class cls. */
static size_t phnum_off(int cls)
{
	return cls == ELFCLASS64 ? offsetof(struct elf64_ehdr, e_phnum) : offsetof(struct elf32_ehdr, e_phnum);
}

/* Input program header i of class cls, widened; a PT_NOTE with its trimmed size once known. */
static void in_phdr(int cls, int i, struct elf_phdr_w *ph, bool trimmed)
{
	elf_phdr_get(cls, in.hdr + elf_ehdr_size(cls) + (size_t)i * elf_phdr_size(cls), ph);
	if (trimmed && ph->type == PT_NOTE)
		ph->memsz = in.note_size[i];
}

/* Check the ELF header at h as Linux's parse_crash_elf{32,64}_headers do (magic, ET_CORE,
 * machine, class, both versions, e_ehsize, e_phentsize, e_phnum != 0), plus salvage's own bound
 * on e_phnum. Returns the class, or -EINVAL after a log line naming the first bad field. */
static int check_ehdr(const uint8_t *h)
{
	int cls = h[EI_CLASS];
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version;

	if (h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
		log_err("elfcorehdr: no ELF magic (starts %02x %02x %02x %02x)", h[0], h[1], h[2], h[3]);
		return -EINVAL;
	}
	if (cls != ELFCLASS32 && cls != ELFCLASS64) {
		log_err("elfcorehdr: ELF class %d is neither ELFCLASS32 nor ELFCLASS64", cls);
		return -EINVAL;
	}
	type = elf_get16(h + 16);
	machine = elf_get16(h + 18);
	version = elf_get32(h + 20);
	ehsize = elf_get16(h + (cls == ELFCLASS64 ? 52 : 40));
	phentsize = elf_get16(h + (cls == ELFCLASS64 ? 54 : 42));
	phnum = elf_get16(h + phnum_off(cls));
	if (type != ET_CORE) {
		log_err("elfcorehdr: e_type %u is not ET_CORE", type);
		return -EINVAL;
	}
	if (cls == ELFCLASS64 ? machine != EM_X86_64 : (machine != EM_386 && machine != EM_486)) {
		log_err("elfcorehdr: e_machine %u is not %s for ELF%d", machine,
			cls == ELFCLASS64 ? "EM_X86_64" : "EM_386", cls == ELFCLASS64 ? 64 : 32);
		return -EINVAL;
	}
	if (h[EI_VERSION] != EV_CURRENT || version != EV_CURRENT) {
		log_err("elfcorehdr: ELF version %u/%u is not EV_CURRENT", h[EI_VERSION], version);
		return -EINVAL;
	}
	if (ehsize != elf_ehdr_size(cls) || phentsize != elf_phdr_size(cls)) {
		log_err("elfcorehdr: e_ehsize %u / e_phentsize %u are not %u / %u", ehsize, phentsize,
			(unsigned)elf_ehdr_size(cls), (unsigned)elf_phdr_size(cls));
		return -EINVAL;
	}
	if (phnum == 0 || phnum > CRASH_MAX_PHDRS) {
		log_err("elfcorehdr: e_phnum %u is not in 1..%d", phnum, CRASH_MAX_PHDRS);
		return -EINVAL;
	}
	return cls;
}

/* Walk the notes of one PT_NOTE as Linux's update_note_header_size_elf*: while n_namesz != 0 add
 * 12 + roundup4(namesz) + roundup4(descsz), stopping before a note that would pass p_memsz.
 * Unlike Linux it never reads past p_memsz (when Linux would, the result is the same: a note
 * header that does not fit is always dropped) and an unreadable note ends the walk.
 * Returns the trimmed size (which stops growing once past CRASH_NOTES_MAX: the caller refuses that). */
static uint64_t note_walk(int idx, uint64_t off, uint64_t max)
{
	uint64_t real = 0;
	uint8_t nh[NOTE_HDR_SIZE];

	while (max - real >= 4) {
		size_t n = max - real >= NOTE_HDR_SIZE ? NOTE_HDR_SIZE : (size_t)(max - real);
		uint32_t namesz, descsz;
		uint64_t sz;

		memset(nh, 0, sizeof(nh));
		if (phys_read(off + real, nh, n) != 0) {
			log_warn("PT_NOTE %d: note header at 0x%llx unreadable; keeping the %llu bytes before it",
				 idx, (unsigned long long)(off + real), (unsigned long long)real);
			break;
		}
		namesz = elf_get32(nh);
		descsz = elf_get32(nh + 4);
		if (namesz == 0)
			break;
		sz = NOTE_HDR_SIZE + (((uint64_t)namesz + 3) & ~3ull) + (((uint64_t)descsz + 3) & ~3ull);
		if (n < NOTE_HDR_SIZE || real + sz > max) {
			log_warn("PT_NOTE %d: Exceeded p_memsz, dropping PT_NOTE entry n_namesz=0x%x, n_descsz=0x%x",
				 idx, namesz, n < NOTE_HDR_SIZE ? 0 : descsz);
			break;
		}
		real += sz;
		if (real > CRASH_NOTES_MAX)
			break;	/* more than salvage keeps: the caller refuses it; stop reading now */
	}
	return real;
}

/* Find the VMCOREINFO note in c->notes (every length checked) and its CRASHTIME. */
static void find_vmcoreinfo(struct crash *c)
{
	const uint8_t *p = c->notes;
	uint64_t pos = 0, len = c->notes_size;

	c->crashtime[0] = 0;
	c->vmcoreinfo_off = c->vmcoreinfo_len = 0;
	while (len - pos >= NOTE_HDR_SIZE) {
		uint32_t namesz = elf_get32(p + pos), descsz = elf_get32(p + pos + 4);
		uint64_t name = pos + NOTE_HDR_SIZE;
		uint64_t desc = name + (((uint64_t)namesz + 3) & ~3ull);
		uint64_t next = desc + (((uint64_t)descsz + 3) & ~3ull);

		if (namesz == 0 || next > len || desc + descsz > len)
			return;
		if (namesz == 11 && memcmp(p + name, "VMCOREINFO", 11) == 0) {
			char t[CRASH_CRASHTIME_MAX];
			size_t n = 0;

			c->vmcoreinfo_off = (uint32_t)desc;
			c->vmcoreinfo_len = descsz;
			/* CRASHTIME: digits only (it names files, %t) */
			if (crash_vmcoreinfo_str(c, "CRASHTIME", t, sizeof(t)) >= 0)
				while (t[n] >= '0' && t[n] <= '9') {
					c->crashtime[n] = t[n];
					n++;
				}
			c->crashtime[n] = 0;
			return;
		}
		pos = next;
	}
}

/* Where line "key=" starts its value in VMCOREINFO, or -1. */
static int64_t vmci_find(const struct crash *c, const char *key)
{
	const char *t = (const char *)c->notes + c->vmcoreinfo_off;
	uint32_t len = c->vmcoreinfo_len;
	size_t kl = strlen(key);

	/* line by line: the next line starts after the '\n' memchr finds */
	for (uint32_t i = 0; i + kl + 1 <= len;) {
		const char *nl;

		if (memcmp(t + i, key, kl) == 0 && t[i + kl] == '=')
			return (int64_t)(i + kl + 1);
		if (!(nl = memchr(t + i, '\n', len - i)))
			break;
		i = (uint32_t)(nl - t) + 1;
	}
	return -1;
}

/* See crash.h. */
int crash_vmcoreinfo_num(const struct crash *c, const char *key, int base, uint64_t *out)
{
	const char *t = (const char *)c->notes + c->vmcoreinfo_off;
	uint32_t len = c->vmcoreinfo_len, i;
	int64_t at = vmci_find(c, key);
	uint64_t v = 0;
	bool neg = false;
	int digits = 0;

	if (at < 0)
		return -ENOENT;
	i = (uint32_t)at;
	if (base == 10 && i < len && t[i] == '-') {
		neg = true;
		i++;
	}
	for (; i < len && t[i] != '\n'; i++, digits++) {
		char ch = t[i];
		unsigned dv = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') :
			      base == 16 && ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) :
			      base == 16 && ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10) : 99u;

		if (dv >= (unsigned)base || digits >= (base == 16 ? 16 : 20))
			return -ENOENT;
		v = v * (uint64_t)base + dv;
	}
	if (digits == 0)
		return -ENOENT;
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

/* See crash.h. */
int crash_vmcoreinfo_str(const struct crash *c, const char *key, char *out, size_t outsz)
{
	const char *t = (const char *)c->notes + c->vmcoreinfo_off;
	uint32_t len = c->vmcoreinfo_len, i, n = 0;
	int64_t at = vmci_find(c, key);

	if (at < 0)
		return -ENOENT;
	for (i = (uint32_t)at; i < len && t[i] != '\n' && t[i] != 0; i++, n++)
		if (outsz && n + 1 < outsz)
			out[n] = t[i];
	if (outsz)
		out[MIN((size_t)n, outsz - 1)] = 0;
	return (int)n;
}

/* Warn about PT_LOADs whose physical ranges overlap (Linux keeps them; so do we). */
static void warn_overlaps(const struct crash *c)
{
	for (int i = 0; i < c->nphdrs; i++) {
		const struct crash_phdr *a = &c->phdrs[i];

		if (a->type != PT_LOAD || a->memsz == 0)
			continue;
		for (int j = i + 1; j < c->nphdrs; j++) {
			const struct crash_phdr *b = &c->phdrs[j];

			if (b->type != PT_LOAD || b->memsz == 0)
				continue;
			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz) {
				/* numbered as in the file's program headers (the merged note is 0) */
				log_warn("PT_LOADs %d and %d overlap (paddr 0x%llx+0x%llx, 0x%llx+0x%llx); kept as Linux does",
					 i + 1, j + 1, (unsigned long long)a->paddr, (unsigned long long)a->memsz,
					 (unsigned long long)b->paddr, (unsigned long long)b->memsz);
				return;
			}
		}
	}
}

/* Turn the input header in in.hdr (already checked by check_ehdr) into c, as Linux's
 * merge_note_headers_elf* and process_ptload_program_headers_elf* see it: every PT_NOTE trimmed,
 * their notes merged in order, the program headers after the merged note. Returns 0, or a
 * negative error after a log line. */
static int describe(struct crash *c, int cls, bool own)
{
	size_t esz = elf_ehdr_size(cls);
	int phnum = elf_get16(in.hdr + phnum_off(cls)), nr_note = 0, last_note = -1, out_n, i;
	struct elf_phdr_w phb, *ph = &phb;
	uint64_t notes_sum = 0;

	/* Program headers: Linux reads them right after the ELF header whatever e_phoff says. */
	if ((cls == ELFCLASS64 ? elf_get64(in.hdr + 32) : elf_get32(in.hdr + 28)) != esz)
		log_warn("elfcorehdr: e_phoff is not %u; program headers read right after the ELF header, as Linux does",
			 (unsigned)esz);
	for (i = 0; i < phnum; i++) {
		in_phdr(cls, i, ph, false);
		if (ph->type != PT_LOAD && ph->type != PT_NOTE)
			continue;
		/* Linux adds these in 64 bits (also for ELF32); only a wrap is refused. */
		if (ph->offset + ph->memsz < ph->offset) {
			log_err("elfcorehdr: phdr %d: p_offset 0x%llx + p_memsz 0x%llx overflows", i,
				(unsigned long long)ph->offset, (unsigned long long)ph->memsz);
			return -EINVAL;
		}
		if (ph->type == PT_LOAD && page_up(ph->offset + ph->memsz) < ph->offset + ph->memsz) {
			log_err("elfcorehdr: phdr %d: PT_LOAD end 0x%llx cannot be page-rounded", i,
				(unsigned long long)(ph->offset + ph->memsz));
			return -EINVAL;
		}
	}

	/* Trim every PT_NOTE to the notes it really holds. */
	for (i = 0; i < phnum; i++) {
		in_phdr(cls, i, ph, false);
		if (ph->type != PT_NOTE)
			continue;
		last_note = i;
		ph->memsz = in.note_size[i] = note_walk(i, ph->offset, ph->memsz);
		if (ph->memsz == 0 && !own)
			log_warn("PT_NOTE %d: Zero PT_NOTE entries found", i);
		nr_note++;
		notes_sum += ph->memsz;
		if (notes_sum > CRASH_NOTES_MAX) {
			log_err("elfcorehdr: notes exceed %u bytes", (unsigned)CRASH_NOTES_MAX);
			return -ENOSPC;
		}
	}
	if (nr_note == 0)
		log_warn("elfcorehdr: no PT_NOTE (Linux would crash here); adding an empty one first");
	else if (last_note >= nr_note)
		log_warn("elfcorehdr: PT_NOTEs are not the first program headers; merging as Linux does, "
			 "which puts the merged note over phdrs 0..%d whatever they are", nr_note - 1);

	/* The merged PT_NOTE replaces phdr 0; phdrs 1..nr_note-1 are dropped (Linux's memmove). */
	out_n = phnum - nr_note + 1;
	c->nphdrs = c->nloads = 0;
	for (i = 1; i < out_n; i++) {
		in_phdr(cls, nr_note == 0 ? i - 1 : i + nr_note - 1, ph, true);

		c->phdrs[c->nphdrs++] = (struct crash_phdr){ .type = ph->type, .flags = ph->flags, .src = ph->offset,
							      .vaddr = ph->vaddr, .paddr = ph->paddr,
							      .filesz = ph->filesz, .memsz = ph->memsz,
							      .align = ph->align };
		if (ph->type == PT_LOAD)
			c->loads[c->nloads++] = (struct crash_load){ .paddr = ph->paddr, .vaddr = ph->vaddr,
								     .memsz = ph->memsz, .filesz = ph->filesz,
								     .src = ph->offset };
	}

	/* The notes' bytes, merged in order. */
	c->notes_size = 0;
	c->nnote_bufs = 0;
	for (i = 0; i < phnum; i++) {
		in_phdr(cls, i, ph, true);
		if (ph->type != PT_NOTE)
			continue;
		c->note_bufs[c->nnote_bufs++] = (struct crash_notes){ c->notes_size, (uint32_t)ph->memsz };
		if (ph->memsz == 0)
			continue;
		if (phys_read(ph->offset, c->notes + c->notes_size, (size_t)ph->memsz) != 0) {
			log_warn("PT_NOTE %d: notes at 0x%llx became unreadable; zeros instead", i,
				 (unsigned long long)ph->offset);
			memset(c->notes + c->notes_size, 0, (size_t)ph->memsz);
		}
		c->notes_size += (uint32_t)ph->memsz;
	}
	memcpy(c->ehdr, in.hdr, esz);
	c->elfclass = cls;
	c->machine = elf_get16(in.hdr + 18);
	c->own_header = own;
	find_vmcoreinfo(c);
	warn_overlaps(c);
	return 0;
}

/* Empty c so that a failed description never leaves half a crash behind. */
static void crash_clear(struct crash *c)
{
	c->elfclass = 0;
	c->machine = 0;
	c->nphdrs = c->nloads = c->nnote_bufs = 0;
	c->notes_size = 0;
	c->vmcoreinfo_off = c->vmcoreinfo_len = 0;
	c->crashtime[0] = 0;
}

/* See crash.h. Never reads past size when size is known. */
int crash_from_elfcorehdr(struct crash *c, uint64_t addr, uint64_t size)
{
	size_t esz, need;
	int cls, rc;

	crash_clear(c);
	if (size != 0 && size < sizeof(struct elf32_ehdr)) {
		log_err("elfcorehdr at 0x%llx: %llu bytes cannot hold an ELF header", (unsigned long long)addr,
			(unsigned long long)size);
		return -EINVAL;
	}
	if (phys_read(addr, in.hdr, EI_NIDENT) != 0) {
		log_err("elfcorehdr at 0x%llx: cannot read it", (unsigned long long)addr);
		return -EINVAL;
	}
	esz = in.hdr[EI_CLASS] == ELFCLASS64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	if (size != 0 && size < esz) {
		log_err("elfcorehdr at 0x%llx: %llu bytes are fewer than its %u-byte ELF header",
			(unsigned long long)addr, (unsigned long long)size, (unsigned)esz);
		return -EINVAL;
	}
	if (phys_read(addr, in.hdr, esz) != 0) {
		log_err("elfcorehdr at 0x%llx: ELF header unreadable", (unsigned long long)addr);
		return -EINVAL;
	}
	cls = check_ehdr(in.hdr);
	if (cls < 0)
		return cls;
	need = esz + (size_t)elf_get16(in.hdr + phnum_off(cls)) * elf_phdr_size(cls);
	if (size != 0 && size < need) {
		log_err("elfcorehdr at 0x%llx: truncated: %llu bytes given, header and program headers need %u",
			(unsigned long long)addr, (unsigned long long)size, (unsigned)need);
		return -EINVAL;
	}
	if (addr + need < addr || phys_read(addr, in.hdr, need) != 0) {
		log_err("elfcorehdr at 0x%llx: program headers (%u bytes) unreadable",
			(unsigned long long)addr, (unsigned)need);
		return -EINVAL;
	}
	rc = describe(c, cls, false);
	if (rc != 0) {
		crash_clear(c);
		return rc;
	}
	log_info("elfcorehdr at 0x%llx: ELF%d, %u program headers, %u bytes of notes%s%s",
		 (unsigned long long)addr, cls == ELFCLASS64 ? 64 : 32, (unsigned)(c->nphdrs + 1),
		 (unsigned)c->notes_size, c->crashtime[0] ? ", crash time " : "", c->crashtime);
	return 0;
}

/* One piece of the memory-map crash: physical [paddr, paddr+len) whose bytes are now at where. */
struct seg {
	uint64_t paddr, len, where;
};
static struct seg segs[CRASH_MAX_PHDRS];

/* Add [s, e) of RAM to segs, cut where backup ranges start or end; a piece inside a backup's
 * src range is read from its dst. Returns false when segs is full (the rest is reported lost). */
static bool add_ram(int *n, uint64_t s, uint64_t e, const struct backup *b, int nb)
{
	while (s < e) {
		uint64_t cut = e, where = s;
		int k;

		/* Inside a backup's src range: read from its dst up to its end (the first one wins). */
		for (k = 0; k < nb; k++) {
			if (s >= b[k].src && s - b[k].src < b[k].size) {
				where = b[k].dst + (s - b[k].src);
				cut = MIN(cut, b[k].src + b[k].size);
				break;
			}
		}
		/* Any other backup starting inside the piece cuts it there. */
		for (k = 0; k < nb; k++)
			if (b[k].src > s && b[k].src < cut)
				cut = b[k].src;
		if (*n >= CRASH_MAX_PHDRS - 1) {
			log_warn("lost: 0x%llx-0x%llx: memory map has more than %d pieces", (unsigned long long)s,
				 (unsigned long long)e, CRASH_MAX_PHDRS - 1);
			return false;
		}
		segs[(*n)++] = (struct seg){ s, cut - s, where };
		s = cut;
	}
	return true;
}

/* See crash.h. Every MEM_RAM range, page-rounded inward, minus salvage's own pages, cut at
 * backup= boundaries. salvage writes the ELF core header kexec-tools would (ELF32/EM_386 unless
 * anything lies above 4 GiB, then ELF64/EM_X86_64; PT_LOADs with p_flags RWX, p_offset where the
 * bytes are now, vaddr = paddr, p_align 0) with one empty PT_NOTE first, and describes that. For
 * the empty note segment the elf format then writes what Linux would: a PT_NOTE with p_offset =
 * the page-rounded header size, p_filesz = p_memsz = 0, p_align 0, and no note pages. */
int crash_from_memmap(struct crash *c, const struct memmap *m, const struct backup *b, int nbackup)
{
	uint64_t self_lo = self_start & ~PAGE_MASK64, self_hi = page_up(self_end), prev_end = 0;
	uint64_t top = 0, total;
	int n = 0, cls, i, rc;
	size_t esz, psz;
	uint8_t *h = in.hdr;
	struct backup ok_b[MAX_BACKUPS];
	int nb = 0;

	crash_clear(c);

	/* Only backups whose both ranges stay clear of 2^64 (after page rounding) are usable. */
	for (i = 0; b && i < nbackup && i < MAX_BACKUPS; i++) {
		if (b[i].size == 0 || b[i].src + b[i].size < b[i].src ||
		    page_up(b[i].dst + b[i].size) < b[i].dst) {
			log_warn("backup %d (0x%llx bytes 0x%llx -> 0x%llx) wraps past 2^64; ignored", i + 1,
				 (unsigned long long)b[i].size, (unsigned long long)b[i].src,
				 (unsigned long long)b[i].dst);
			continue;
		}
		ok_b[nb++] = b[i];
	}
	b = ok_b;
	nbackup = nb;
	for (i = 0; i < m->n && i < MEMMAP_MAX; i++) {
		const struct mem_range *r = &m->r[i];
		uint64_t s, e;

		if (r->type != MEM_RAM || r->size == 0)
			continue;
		e = r->start + r->size;
		if (e < r->start)
			e = ~0ull;
		s = page_up(r->start);
		if (s < r->start)
			continue;
		e &= ~PAGE_MASK64;
		s = MAX(s, prev_end);	/* overlapping map entries: dump each page once */
		if (s >= e)
			continue;
		prev_end = e;
		/* Minus salvage's own image. */
		if (self_hi > self_lo && s < self_hi && self_lo < e) {
			if (s < self_lo && !add_ram(&n, s, self_lo, b, nbackup))
				break;
			if (self_hi < e && !add_ram(&n, self_hi, e, b, nbackup))
				break;
		} else if (!add_ram(&n, s, e, b, nbackup)) {
			break;
		}
	}

	/* ELF32 holds it only if every address, source and file offset stays below 4 GiB. */
	total = PAGE_SIZE + page_up(sizeof(struct elf32_ehdr) + (uint64_t)(n + 1) * sizeof(struct elf32_phdr));
	for (i = 0; i < n; i++) {
		top = MAX(top, segs[i].paddr + segs[i].len);
		top = MAX(top, page_up(segs[i].where + segs[i].len));
		total += page_up(segs[i].where + segs[i].len) - (segs[i].where & ~PAGE_MASK64);
	}
	cls = (top > 0x100000000ull || total > 0xffffffffull) ? ELFCLASS64 : ELFCLASS32;
	esz = elf_ehdr_size(cls);
	psz = elf_phdr_size(cls);

	memset(h, 0, esz + (size_t)(n + 1) * psz);
	h[0] = 0x7f;
	h[1] = 'E';
	h[2] = 'L';
	h[3] = 'F';
	h[EI_CLASS] = (uint8_t)cls;
	h[EI_DATA] = ELFDATA2LSB;
	h[EI_VERSION] = EV_CURRENT;
	elf_put16(h + 16, ET_CORE);
	elf_put16(h + 18, cls == ELFCLASS64 ? EM_X86_64 : EM_386);
	elf_put32(h + 20, EV_CURRENT);
	if (cls == ELFCLASS64) {
		elf_put64(h + 32, esz);	/* e_phoff */
		elf_put16(h + 52, (uint16_t)esz);
		elf_put16(h + 54, (uint16_t)psz);
	} else {
		elf_put32(h + 28, (uint32_t)esz);
		elf_put16(h + 40, (uint16_t)esz);
		elf_put16(h + 42, (uint16_t)psz);
	}
	elf_put16(h + phnum_off(cls), (uint16_t)(n + 1));
	/* phdr 0: the empty PT_NOTE (all other fields 0). */
	{
		struct elf_phdr_w note = { .type = PT_NOTE };

		elf_phdr_put(cls, h + esz, &note);
	}
	for (i = 0; i < n; i++) {
		struct elf_phdr_w ph = { .type = PT_LOAD, .flags = PF_R | PF_W | PF_X, .offset = segs[i].where,
				   .vaddr = segs[i].paddr, .paddr = segs[i].paddr, .filesz = segs[i].len,
				   .memsz = segs[i].len, .align = 0 };

		elf_phdr_put(cls, h + esz + (size_t)(i + 1) * psz, &ph);
	}
	if (n == 0)
		log_warn("memory map: no RAM left to dump (the dump is headers only)");
	rc = describe(c, cls, true);
	if (rc != 0) {
		crash_clear(c);
		return rc;
	}
	log_info("memory map: ELF%d, %d RAM pieces, %d backup%s", cls == ELFCLASS64 ? 64 : 32, n, nbackup,
		 nbackup == 1 ? "" : "s");
	return 0;
}

/* See crash.h. */
int crash_phys_read(const struct crash *c, uint64_t pa, void *buf, size_t len)
{
	for (int i = 0; i < c->nloads; i++) {
		const struct crash_load *l = &c->loads[i];

		if (pa >= l->paddr && pa - l->paddr < l->filesz && len <= l->filesz - (pa - l->paddr))
			return phys_read(l->src + (pa - l->paddr), buf, len);
	}
	return -ERANGE;
}

/* See crash.h. */
void crash_vm_init(struct crash_vm *vm, const struct crash *c, uint64_t init_top_pgt, uint64_t phys_base, bool l5)
{
	vm->c = c;
	vm->top_pgt = init_top_pgt - START_KERNEL_MAP + phys_base;
	vm->l5 = l5;
	vm->tlb_va = ~0ull;
	vm->tlb_pa = 0;
}

/* See crash.h. */
int crash_vm_v2p(struct crash_vm *vm, uint64_t va, uint64_t *pa)
{
	uint64_t table = vm->top_pgt, e;
	int levels = vm->l5 ? 5 : 4;

	if ((va & ~PAGE_MASK64) == vm->tlb_va) {
		*pa = vm->tlb_pa + (va & PAGE_MASK64);
		return 0;
	}
	for (int lvl = levels; lvl >= 1; lvl--) {
		unsigned shift = 12 + 9u * (unsigned)(lvl - 1);

		if (crash_phys_read(vm->c, table + ((va >> shift) & 511) * 8, &e, sizeof(e)) != 0 ||
		    !(e & PTE_PRESENT))
			return -EFAULT;
		if ((lvl == 2 || lvl == 3) && (e & PTE_PS)) {
			uint64_t mask = (1ull << shift) - 1;

			table = (e & PTE_ADDR & ~mask) + (va & mask & ~PAGE_MASK64);
			break;
		}
		table = e & PTE_ADDR;
	}
	vm->tlb_va = va & ~PAGE_MASK64;
	vm->tlb_pa = table;
	*pa = table + (va & PAGE_MASK64);
	return 0;
}

/* See crash.h. */
int crash_vm_read(struct crash_vm *vm, uint64_t va, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, PAGE_SIZE - (va & PAGE_MASK64));
		uint64_t pa;

		if (crash_vm_v2p(vm, va, &pa) != 0 || crash_phys_read(vm->c, pa, out, n) != 0)
			return -EFAULT;
		va += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* Report a loss in span sp once per kind: [lo, hi) physical reads as zeros because why. */
static void report_lost(struct crash_span *sp, int kind, uint64_t lo, uint64_t hi, const char *why)
{
	if (sp->reported & kind)
		return;
	sp->reported |= (uint8_t)kind;
	log_warn("lost: 0x%llx-0x%llx (file 0x%llx) %s; it reads as zeros%s", (unsigned long long)lo,
		 (unsigned long long)hi, (unsigned long long)(sp->file_off + (lo - sp->src)), why,
		 " (further such losses in this chunk are not reported)");
}

/* Read physical [phys, phys+len) of span sp into buf, page by page when the whole read fails;
 * unreadable pages become zeros and are reported. */
static void read_readable(struct crash_span *sp, uint64_t phys, uint8_t *buf, size_t len)
{
	if (phys_read(phys, buf, len) == 0)
		return;
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, PAGE_SIZE - (phys & PAGE_MASK64));

		if (phys_read(phys, buf, n) != 0) {
			memset(buf, 0, n);
			if (!(sp->reported & LOST_UNREADABLE)) {
				/* Name the unreadable stretch from here: probe page by page, but only so far
				 * (a terabyte of unreadable memory must not stall the dump here). */
				uint64_t hi = (phys & ~PAGE_MASK64) + PAGE_SIZE, end = sp->src + sp->size;
				unsigned probes = 0;
				uint8_t probe;

				while (hi < end && probes < LOST_PROBE_PAGES && phys_read(hi, &probe, 1) != 0) {
					hi += PAGE_SIZE;
					probes++;
				}
				report_lost(sp, LOST_UNREADABLE, phys, MIN(hi, end),
					    hi < end && probes == LOST_PROBE_PAGES ?
					    "cannot be read (nor, perhaps, what follows)" : "cannot be read");
			}
		}
		phys += n;
		buf += n;
		len -= n;
	}
}

/* See crash.h: cut at salvage's own image (before it, inside it as zeros, after it). */
void crash_span_read(struct crash_span *sp, uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		uint64_t phys = sp->src + off;
		size_t n = len;

		if (self_end > self_start && phys < self_end && self_start < phys + n) {
			if (phys < self_start) {
				n = (size_t)(self_start - phys);
				read_readable(sp, phys, out, n);
			} else {
				n = (size_t)MIN((uint64_t)n, self_end - phys);
				memset(out, 0, n);
				report_lost(sp, LOST_SELF, MAX(sp->src, self_start), MIN(sp->src + sp->size, self_end),
					    "is salvage's own memory now");
			}
		} else {
			read_readable(sp, phys, out, n);
		}
		out += n;
		off += n;
		len -= n;
	}
}
