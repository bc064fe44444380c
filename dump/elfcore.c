/* The dump description and its ELF core file: the crashed kernel's elfcorehdr (or salvage's own
 * header for the memory map) turned into exactly the bytes Linux 6.1's fs/proc/vmcore.c serves,
 * with the header and merged notes built once in memory and memory chunks read on demand. */
#include "dump/dump.h"
#include "dump/elf.h"
#include "lib/log.h"
#include "mm/phys.h"

#define PAGE_MASK64 ((uint64_t)PAGE_SIZE - 1)
#define NOTE_HDR_SIZE 12u
#define IN_HDR_MAX (sizeof(struct elf64_ehdr) + DUMP_MAX_PHDRS * sizeof(struct elf64_phdr))

/* One program header of either class, widened. */
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
	bool cut;		/* a piece of a PT_LOAD split by dump_exclude: its data is p_filesz long */
};

/* Scratch state for building one dump (no malloc in the kernel; one dump at a time). */
static uint8_t in_hdr[IN_HDR_MAX];		/* input ELF header + program headers */
static struct phdr in_ph[DUMP_MAX_PHDRS];
static struct phdr out_ph[DUMP_MAX_PHDRS + 1];
/* out_ph with PT_LOADs split at excluded runs: what the file's program headers say. */
static struct phdr fin_ph[DUMP_MAX_PHDRS + 1 + DUMP_MAX_RUNS];
/* The runs the next build() leaves out (dump_exclude), and how the last build() was asked. */
static const struct dump_run *ex_runs;
static int ex_nruns;
static bool last_quiet;
/* dump_exclude's rebuild: the first build already logged the input header's warnings. */
static bool rebuilding;
#define hdr_warn(...)					\
	do {						\
		if (!rebuilding)			\
			log_warn(__VA_ARGS__);		\
	} while (0)
/* Per chunk: which kinds of loss dump_read has already reported (LOST_*). */
static uint8_t lost_reported[DUMP_MAX_CHUNKS];
#define LOST_SELF 1
#define LOST_UNREADABLE 2
#define LOST_PROBE_PAGES 4096	/* how far a loss report looks ahead for its end (16 MiB) */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_MASK64) & ~PAGE_MASK64;
}

/* Program header i of the raw table at p (class cls) into the widened form. */
static void phdr_get(int cls, const uint8_t *p, struct phdr *ph)
{
	if (cls == ELFCLASS64) {
		ph->type = get32(p + 0);
		ph->flags = get32(p + 4);
		ph->offset = get64(p + 8);
		ph->vaddr = get64(p + 16);
		ph->paddr = get64(p + 24);
		ph->filesz = get64(p + 32);
		ph->memsz = get64(p + 40);
		ph->align = get64(p + 48);
	} else {
		ph->type = get32(p + 0);
		ph->offset = get32(p + 4);
		ph->vaddr = get32(p + 8);
		ph->paddr = get32(p + 12);
		ph->filesz = get32(p + 16);
		ph->memsz = get32(p + 20);
		ph->flags = get32(p + 24);
		ph->align = get32(p + 28);
	}
}

/* The widened header back to raw bytes; ELF32 fields are truncated as Linux's u32 stores are. */
static void phdr_put(int cls, uint8_t *p, const struct phdr *ph)
{
	if (cls == ELFCLASS64) {
		put32(p + 0, ph->type);
		put32(p + 4, ph->flags);
		put64(p + 8, ph->offset);
		put64(p + 16, ph->vaddr);
		put64(p + 24, ph->paddr);
		put64(p + 32, ph->filesz);
		put64(p + 40, ph->memsz);
		put64(p + 48, ph->align);
	} else {
		put32(p + 0, ph->type);
		put32(p + 4, (uint32_t)ph->offset);
		put32(p + 8, (uint32_t)ph->vaddr);
		put32(p + 12, (uint32_t)ph->paddr);
		put32(p + 16, (uint32_t)ph->filesz);
		put32(p + 20, (uint32_t)ph->memsz);
		put32(p + 24, ph->flags);
		put32(p + 28, (uint32_t)ph->align);
	}
}

static size_t ehdr_size(int cls)
{
	return cls == ELFCLASS64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
}

static size_t phdr_size(int cls)
{
	return cls == ELFCLASS64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
}

/* Offset of e_phnum in the ELF header of class cls. */
static size_t phnum_off(int cls)
{
	return cls == ELFCLASS64 ? 56 : 44;
}

/* Check the ELF header in in_hdr as Linux's parse_crash_elf{32,64}_headers do (magic, ET_CORE,
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
	type = get16(h + 16);
	machine = get16(h + 18);
	version = get32(h + 20);
	ehsize = get16(h + (cls == ELFCLASS64 ? 52 : 40));
	phentsize = get16(h + (cls == ELFCLASS64 ? 54 : 42));
	phnum = get16(h + phnum_off(cls));
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
	if (ehsize != ehdr_size(cls) || phentsize != phdr_size(cls)) {
		log_err("elfcorehdr: e_ehsize %u / e_phentsize %u are not %u / %u", ehsize, phentsize,
			(unsigned)ehdr_size(cls), (unsigned)phdr_size(cls));
		return -EINVAL;
	}
	if (phnum == 0 || phnum > DUMP_MAX_PHDRS) {
		log_err("elfcorehdr: e_phnum %u is not in 1..%d", phnum, DUMP_MAX_PHDRS);
		return -EINVAL;
	}
	return cls;
}

/* Walk the notes of one PT_NOTE as Linux's update_note_header_size_elf*: while n_namesz != 0 add
 * 12 + roundup4(namesz) + roundup4(descsz), stopping before a note that would pass p_memsz.
 * Unlike Linux it never reads past p_memsz (when Linux would, the result is the same: a note
 * header that does not fit is always dropped) and an unreadable note ends the walk.
 * Returns the trimmed size (which stops growing once past DUMP_HDR_MAX: the caller refuses that). */
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
			hdr_warn("PT_NOTE %d: note header at 0x%llx unreadable; keeping the %llu bytes before it",
				 idx, (unsigned long long)(off + real), (unsigned long long)real);
			break;
		}
		namesz = get32(nh);
		descsz = get32(nh + 4);
		if (namesz == 0)
			break;
		sz = NOTE_HDR_SIZE + (((uint64_t)namesz + 3) & ~3ull) + (((uint64_t)descsz + 3) & ~3ull);
		if (n < NOTE_HDR_SIZE || real + sz > max) {
			hdr_warn("PT_NOTE %d: Exceeded p_memsz, dropping PT_NOTE entry n_namesz=0x%x, n_descsz=0x%x",
				 idx, namesz, n < NOTE_HDR_SIZE ? 0 : descsz);
			break;
		}
		real += sz;
		if (real > DUMP_HDR_MAX)
			break;	/* more than salvage keeps: the caller refuses it; stop reading now */
	}
	return real;
}

/* d->crashtime from the "CRASHTIME=<digits>" line of a VMCOREINFO note in the merged notes
 * [p, p+len); "" when there is none. Every length is checked against len. */
static void find_crashtime(struct dump *d, const uint8_t *p, uint64_t len)
{
	static const char key[] = "CRASHTIME=";
	uint64_t pos = 0;

	d->crashtime[0] = 0;
	d->vmcoreinfo_off = d->vmcoreinfo_len = 0;
	while (len - pos >= NOTE_HDR_SIZE) {
		uint32_t namesz = get32(p + pos), descsz = get32(p + pos + 4);
		uint64_t name = pos + NOTE_HDR_SIZE;
		uint64_t desc = name + (((uint64_t)namesz + 3) & ~3ull);
		uint64_t next = desc + (((uint64_t)descsz + 3) & ~3ull);

		if (namesz == 0 || next > len || desc + descsz > len)
			return;
		if (namesz == 11 && memcmp(p + name, "VMCOREINFO", 11) == 0) {
			const char *t = (const char *)p + desc;

			d->vmcoreinfo_off = (uint32_t)(p + desc - d->hdr);
			d->vmcoreinfo_len = descsz;

			for (uint64_t i = 0; i + sizeof(key) - 1 <= descsz; i++) {
				size_t n = 0;

				if ((i > 0 && t[i - 1] != '\n') || memcmp(t + i, key, sizeof(key) - 1) != 0)
					continue;
				i += sizeof(key) - 1;
				while (i + n < descsz && n + 1 < sizeof(d->crashtime) && t[i + n] >= '0' &&
				       t[i + n] <= '9') {
					d->crashtime[n] = t[i + n];
					n++;
				}
				d->crashtime[n] = 0;
				return;
			}
		}
		pos = next;
	}
}

/* Warn about PT_LOADs whose physical ranges overlap (Linux keeps them; so do we). */
static void warn_overlaps(const struct phdr *ph, int n)
{
	for (int i = 0; i < n; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		for (int j = i + 1; j < n; j++) {
			if (ph[j].type != PT_LOAD || ph[j].memsz == 0)
				continue;
			if (ph[i].paddr < ph[j].paddr + ph[j].memsz && ph[j].paddr < ph[i].paddr + ph[i].memsz) {
				hdr_warn("PT_LOADs %d and %d overlap (paddr 0x%llx+0x%llx, 0x%llx+0x%llx); kept as Linux does",
					 i, j, (unsigned long long)ph[i].paddr, (unsigned long long)ph[i].memsz,
					 (unsigned long long)ph[j].paddr, (unsigned long long)ph[j].memsz);
				return;
			}
		}
	}
}

/* fin_ph from out_ph[0..out_n): each PT_LOAD with runs in ex_runs becomes pieces that start at
 * the load or right after a run and end (p_memsz) at the next run's end, their data (p_filesz)
 * stopping at its start, as makedumpfile -E lays them out. Fills d->loads. Returns fin_n. */
static int split_loads(struct dump *d, int out_n)
{
	int i, n = 0, r = 0;

	d->nloads = 0;
	for (i = 0; i < out_n; i++) {
		const struct phdr *ph = &out_ph[i];
		uint64_t p = ph->paddr, end = ph->paddr + ph->memsz;
		int li;

		if (ph->type != PT_LOAD) {
			fin_ph[n++] = *ph;
			continue;
		}
		li = d->nloads++;
		d->loads[li] = (struct dump_load){ .paddr = ph->paddr, .vaddr = ph->vaddr, .memsz = ph->memsz,
						   .filesz = ph->filesz, .src = ph->offset };
		if (r >= ex_nruns || ex_runs[r].load != li) {
			fin_ph[n] = *ph;
			fin_ph[n++].cut = false;
			continue;
		}
		for (; r < ex_nruns && ex_runs[r].load == li; r++) {
			fin_ph[n] = *ph;
			fin_ph[n].cut = true;
			fin_ph[n].paddr = p;
			fin_ph[n].vaddr = ph->vaddr + (p - ph->paddr);
			fin_ph[n].offset = ph->offset + (p - ph->paddr);
			fin_ph[n].filesz = ex_runs[r].start - p;
			fin_ph[n++].memsz = ex_runs[r].end - p;
			p = ex_runs[r].end;
		}
		if (p < end) {
			fin_ph[n] = *ph;
			fin_ph[n].cut = true;
			fin_ph[n].paddr = p;
			fin_ph[n].vaddr = ph->vaddr + (p - ph->paddr);
			fin_ph[n].offset = ph->offset + (p - ph->paddr);
			fin_ph[n].filesz = fin_ph[n].memsz = end - p;
			n++;
		}
	}
	return n;
}

/* Turn the input header in in_hdr (already checked by check_ehdr) into d, as Linux's
 * merge_note_headers_elf* and process_ptload_program_headers_elf* do. quiet_empty_notes: the
 * header is salvage's own (memory map), whose empty PT_NOTE is expected.
 * Returns 0, or a negative error after a log line. */
static int build(struct dump *d, int cls, bool quiet_empty_notes)
{
	size_t esz = ehdr_size(cls), psz = phdr_size(cls);
	int phnum = get16(in_hdr + phnum_off(cls)), nr_note = 0, last_note = -1;
	int out_n, fin_n, i;
	uint64_t notes_sum = 0, hdr_len, elfsz, notes_sz, cur, vmcore_off;
	uint64_t limit64 = cls == ELFCLASS64 ? ~0ull : 0xffffffffull;

	/* Program headers: Linux reads them right after the ELF header whatever e_phoff says. */
	if ((cls == ELFCLASS64 ? get64(in_hdr + 32) : get32(in_hdr + 28)) != esz)
		hdr_warn("elfcorehdr: e_phoff is not %u; program headers read right after the ELF header, as Linux does",
			 (unsigned)esz);
	for (i = 0; i < phnum; i++) {
		struct phdr *ph = &in_ph[i];

		phdr_get(cls, in_hdr + esz + (size_t)i * psz, ph);
		if (ph->type != PT_LOAD && ph->type != PT_NOTE)
			continue;
		/* Linux adds these in 64 bits (also for ELF32); only a wrap is refused. */
		if (ph->offset + ph->memsz < ph->offset) {
			log_err("elfcorehdr: phdr %d: p_offset 0x%llx + p_memsz 0x%llx overflows", i,
				(unsigned long long)ph->offset, (unsigned long long)ph->memsz);
			return -EINVAL;
		}
		if (ph->type == PT_LOAD && page_up(ph->offset + ph->memsz) < ph->offset) {
			log_err("elfcorehdr: phdr %d: PT_LOAD end 0x%llx cannot be page-rounded", i,
				(unsigned long long)(ph->offset + ph->memsz));
			return -EINVAL;
		}
	}

	/* Trim every PT_NOTE to the notes it really holds. */
	for (i = 0; i < phnum; i++) {
		struct phdr *ph = &in_ph[i];

		if (ph->type != PT_NOTE)
			continue;
		last_note = i;
		ph->memsz = note_walk(i, ph->offset, ph->memsz);
		if (ph->memsz == 0 && !quiet_empty_notes)
			hdr_warn("PT_NOTE %d: Zero PT_NOTE entries found", i);
		nr_note++;
		notes_sum += ph->memsz;
		if (notes_sum > DUMP_HDR_MAX) {
			log_err("elfcorehdr: notes exceed %u bytes", (unsigned)DUMP_HDR_MAX);
			return -ENOSPC;
		}
	}
	if (nr_note == 0)
		hdr_warn("elfcorehdr: no PT_NOTE (Linux would crash here); adding an empty one first");
	else if (last_note >= nr_note)
		hdr_warn("elfcorehdr: PT_NOTEs are not the first program headers; merging as Linux does, "
			 "which puts the merged note over phdrs 0..%d whatever they are", nr_note - 1);

	/* The merged PT_NOTE replaces phdr 0; phdrs 1..nr_note-1 are dropped (Linux's memmove). */
	out_n = phnum - nr_note + 1;
	for (i = 1; i < out_n; i++)
		out_ph[i] = in_ph[nr_note == 0 ? i - 1 : i + nr_note - 1];
	fin_n = split_loads(d, out_n);
	hdr_len = esz + (uint64_t)fin_n * psz;
	elfsz = page_up(hdr_len);
	notes_sz = page_up(notes_sum);
	if (elfsz + notes_sz > DUMP_HDR_MAX) {
		log_err("elfcorehdr: headers and notes need %llu bytes, more than %u",
			(unsigned long long)(elfsz + notes_sz), (unsigned)DUMP_HDR_MAX);
		return -ENOSPC;
	}
	/* p_align 0: what Debian 12's Linux 6.1 writes (measured by tests/lib/oracle.sh; not 4). */
	fin_ph[0] = (struct phdr){ .type = PT_NOTE, .flags = 0, .offset = elfsz, .vaddr = 0, .paddr = 0,
				   .filesz = notes_sum, .memsz = notes_sum, .align = 0 };

	/* PT_LOADs: page-rounded chunks of old memory read from p_offset, laid out after the notes. */
	d->nchunks = 0;
	vmcore_off = elfsz + notes_sz;
	for (i = 0; i < fin_n; i++) {
		struct phdr *ph = &fin_ph[i];
		uint64_t start, end;

		if (ph->type != PT_LOAD)
			continue;
		if (ph->cut && ph->filesz == 0) {
			ph->offset = 0;	/* no bytes in the file: makedumpfile -E says 0 too */
			continue;
		}
		start = ph->offset & ~PAGE_MASK64;
		/* Linux serves p_memsz bytes of every PT_LOAD; a cut piece has only p_filesz. */
		end = page_up(ph->offset + (ph->cut ? ph->filesz : ph->memsz));
		if (vmcore_off + (end - start) < vmcore_off) {
			log_err("elfcorehdr: PT_LOAD %d: file size overflows 64 bits", i);
			return -EINVAL;
		}
		d->chunks[d->nchunks++] = (struct dump_chunk){ .file_off = vmcore_off, .phys = start,
							      .size = end - start };
		ph->offset = vmcore_off + (ph->offset - start);
		if (ph->offset > limit64)
			hdr_warn("PT_LOAD %d: file offset 0x%llx does not fit ELF32 (truncated, as Linux does)",
				 i, (unsigned long long)ph->offset);
		vmcore_off += end - start;
	}
	warn_overlaps(out_ph, out_n);

	/* The bytes: ELF header as given but e_phnum, program headers, zero padding, notes. */
	memset(d->hdr, 0, (size_t)(elfsz + notes_sz));
	memcpy(d->hdr, in_hdr, esz);
	put16(d->hdr + phnum_off(cls), (uint16_t)fin_n);
	for (i = 0; i < fin_n; i++)
		phdr_put(cls, d->hdr + esz + (size_t)i * psz, &fin_ph[i]);
	cur = elfsz;
	for (i = 0; i < phnum; i++) {
		const struct phdr *ph = &in_ph[i];

		if (ph->type != PT_NOTE || ph->memsz == 0)
			continue;
		if (phys_read(ph->offset, d->hdr + cur, (size_t)ph->memsz) != 0) {
			hdr_warn("PT_NOTE %d: notes at 0x%llx became unreadable; zeros instead", i,
				 (unsigned long long)ph->offset);
			memset(d->hdr + cur, 0, (size_t)ph->memsz);
		}
		cur += ph->memsz;
	}
	d->elfclass = cls;
	d->machine = get16(in_hdr + 18);
	d->hdr_size = (uint32_t)(elfsz + notes_sz);
	d->size = vmcore_off;
	find_crashtime(d, d->hdr + elfsz, notes_sum);
	memset(lost_reported, 0, sizeof(lost_reported));
	last_quiet = quiet_empty_notes;
	return 0;
}

/* Empty d so that a failed build never leaves a half description behind. */
static void dump_clear(struct dump *d)
{
	d->elfclass = 0;
	d->machine = 0;
	d->hdr_size = 0;
	d->nchunks = 0;
	d->size = 0;
	d->crashtime[0] = 0;
}

/* Build d from the ELF core header at physical addr (size bytes long, 0 when unknown): Linux's
 * checks, then Linux's transformation (see build). Never reads past size when size is known.
 * Returns 0, or -EINVAL/-ENOSPC after a log line naming what was wrong; d is then empty. */
int dump_from_elfcorehdr(struct dump *d, uint64_t addr, uint64_t size)
{
	size_t esz, need;
	int cls, rc;

	dump_clear(d);
	if (size != 0 && size < sizeof(struct elf32_ehdr)) {
		log_err("elfcorehdr at 0x%llx: %llu bytes cannot hold an ELF header", (unsigned long long)addr,
			(unsigned long long)size);
		return -EINVAL;
	}
	if (phys_read(addr, in_hdr, EI_NIDENT) != 0) {
		log_err("elfcorehdr at 0x%llx: cannot read it", (unsigned long long)addr);
		return -EINVAL;
	}
	esz = in_hdr[EI_CLASS] == ELFCLASS64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	if (size != 0 && size < esz) {
		log_err("elfcorehdr at 0x%llx: %llu bytes are fewer than its %u-byte ELF header",
			(unsigned long long)addr, (unsigned long long)size, (unsigned)esz);
		return -EINVAL;
	}
	if (phys_read(addr, in_hdr, esz) != 0) {
		log_err("elfcorehdr at 0x%llx: ELF header unreadable", (unsigned long long)addr);
		return -EINVAL;
	}
	cls = check_ehdr(in_hdr);
	if (cls < 0)
		return cls;
	need = esz + (size_t)get16(in_hdr + phnum_off(cls)) * phdr_size(cls);
	if (size != 0 && size < need) {
		log_err("elfcorehdr at 0x%llx: truncated: %llu bytes given, header and program headers need %u",
			(unsigned long long)addr, (unsigned long long)size, (unsigned)need);
		return -EINVAL;
	}
	if (addr + need < addr || phys_read(addr, in_hdr, need) != 0) {
		log_err("elfcorehdr at 0x%llx: program headers (%u bytes) unreadable",
			(unsigned long long)addr, (unsigned)need);
		return -EINVAL;
	}
	rc = build(d, cls, false);
	if (rc != 0) {
		dump_clear(d);
		return rc;
	}
	log_info("elfcorehdr at 0x%llx: ELF%d, %u program headers, %u bytes of notes%s%s",
		 (unsigned long long)addr, cls == ELFCLASS64 ? 64 : 32, get16(d->hdr + phnum_off(cls)),
		 (unsigned)(cls == ELFCLASS64 ? get64(d->hdr + esz + 32) : get32(d->hdr + esz + 16)),
		 d->crashtime[0] ? ", crash time " : "", d->crashtime);
	return 0;
}

/* One piece of the memory-map dump: physical [paddr, paddr+len) whose bytes are now at where. */
struct seg {
	uint64_t paddr, len, where;
};
static struct seg segs[DUMP_MAX_PHDRS];

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
		if (*n >= DUMP_MAX_PHDRS - 1) {
			log_warn("lost: 0x%llx-0x%llx: memory map has more than %d pieces", (unsigned long long)s,
				 (unsigned long long)e, DUMP_MAX_PHDRS - 1);
			return false;
		}
		segs[(*n)++] = (struct seg){ s, cut - s, where };
		s = cut;
	}
	return true;
}

/* Build d from the memory map: every MEM_RAM range, page-rounded inward, minus salvage's own
 * pages, cut at backup= boundaries (bytes of [src, src+size) come from dst). salvage writes the
 * ELF core header kexec-tools would (ELF32/EM_386 unless anything lies above 4 GiB, then
 * ELF64/EM_X86_64; PT_LOADs with p_flags RWX, p_offset where the bytes are now, vaddr = paddr,
 * p_align 0) with one empty PT_NOTE first, and then applies Linux's transformation to it. For an
 * empty note segment Linux's result is a PT_NOTE with p_offset = the page-rounded header size,
 * p_filesz = p_memsz = 0, p_align 0, and no note pages: that is what consumers see here.
 * (Linux itself would crash on p_memsz 0; the header therefore says p_memsz 0 only to us.)
 * Returns 0, or a negative error after a log line (d then holds a header-only dump or is empty). */
int dump_from_memmap(struct dump *d, const struct memmap *m, const struct backup *b, int nbackup)
{
	uint64_t self_lo = self_start & ~PAGE_MASK64, self_hi = page_up(self_end), prev_end = 0;
	uint64_t top = 0, total;
	int n = 0, cls, i, rc;
	size_t esz, psz;
	uint8_t *h = in_hdr;
	struct backup ok_b[MAX_BACKUPS];
	int nb = 0;

	dump_clear(d);

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
	esz = ehdr_size(cls);
	psz = phdr_size(cls);

	memset(h, 0, esz + (size_t)(n + 1) * psz);
	h[0] = 0x7f;
	h[1] = 'E';
	h[2] = 'L';
	h[3] = 'F';
	h[EI_CLASS] = (uint8_t)cls;
	h[EI_DATA] = ELFDATA2LSB;
	h[EI_VERSION] = EV_CURRENT;
	put16(h + 16, ET_CORE);
	put16(h + 18, cls == ELFCLASS64 ? EM_X86_64 : EM_386);
	put32(h + 20, EV_CURRENT);
	if (cls == ELFCLASS64) {
		put64(h + 32, esz);	/* e_phoff */
		put16(h + 52, (uint16_t)esz);
		put16(h + 54, (uint16_t)psz);
	} else {
		put32(h + 28, (uint32_t)esz);
		put16(h + 40, (uint16_t)esz);
		put16(h + 42, (uint16_t)psz);
	}
	put16(h + phnum_off(cls), (uint16_t)(n + 1));
	/* phdr 0: the empty PT_NOTE (all other fields 0). */
	{
		struct phdr note = { .type = PT_NOTE };

		phdr_put(cls, h + esz, &note);
	}
	for (i = 0; i < n; i++) {
		struct phdr ph = { .type = PT_LOAD, .flags = PF_R | PF_W | PF_X, .offset = segs[i].where,
				   .vaddr = segs[i].paddr, .paddr = segs[i].paddr, .filesz = segs[i].len,
				   .memsz = segs[i].len, .align = 0 };

		phdr_put(cls, h + esz + (size_t)(i + 1) * psz, &ph);
	}
	if (n == 0)
		log_warn("memory map: no RAM left to dump (the dump is headers only)");
	rc = build(d, cls, true);
	if (rc != 0) {
		dump_clear(d);
		return rc;
	}
	log_info("memory map: ELF%d, %d RAM pieces, %d backup%s", cls == ELFCLASS64 ? 64 : 32, n, nbackup,
		 nbackup == 1 ? "" : "s");
	return 0;
}

/* Check runs against d->loads: sorted by load then address, page-aligned (or ending at the load's
 * end), non-empty, inside a load whose p_filesz is its p_memsz, not overlapping. Returns 0 or -EINVAL after a log line. */
static int check_runs(const struct dump *d, const struct dump_run *runs, int nruns)
{
	for (int i = 0; i < nruns; i++) {
		const struct dump_run *r = &runs[i];
		const struct dump_load *l;

		if (r->load < 0 || r->load >= d->nloads)
			goto bad;
		l = &d->loads[r->load];
		/* Page-aligned, but the last run of a load may end where the load does. */
		if ((r->start & PAGE_MASK64) || ((r->end & PAGE_MASK64) && r->end != l->paddr + l->memsz) ||
		    r->start >= r->end || r->start < l->paddr || r->end > l->paddr + l->memsz || l->filesz != l->memsz)
			goto bad;
		if (i > 0 && (runs[i - 1].load > r->load ||
			      (runs[i - 1].load == r->load && runs[i - 1].end > r->start)))
			goto bad;
		continue;
bad:
		log_err("dump.level: excluded run %d (load %d, 0x%llx-0x%llx) is not a sorted page range inside its PT_LOAD",
			i, r->load, (unsigned long long)r->start, (unsigned long long)r->end);
		return -EINVAL;
	}
	return 0;
}

/* Rebuild d from the same input header without runs[0..nruns) (see dump.h). On any failure the
 * unfiltered dump is rebuilt: never lose the dump because a filter went wrong. */
int dump_exclude(struct dump *d, const struct dump_run *runs, int nruns)
{
	int rc;

	if (d->elfclass == 0)
		return -EINVAL;
	if (nruns < 0 || nruns > DUMP_MAX_RUNS) {
		log_err("dump.level: %d excluded runs, at most %d", nruns, DUMP_MAX_RUNS);
		rc = -EINVAL;
	} else {
		rc = check_runs(d, runs, nruns);
	}
	rebuilding = true;
	if (rc == 0) {
		ex_runs = runs;
		ex_nruns = nruns;
		rc = build(d, d->elfclass, last_quiet);
	}
	ex_runs = NULL;
	ex_nruns = 0;
	if (rc != 0 && build(d, d->elfclass, last_quiet) != 0)
		dump_clear(d);
	rebuilding = false;
	return rc;
}

/* Report a loss in chunk ci once per kind: [lo, hi) physical reads as zeros because why. */
static void report_lost(const struct dump *d, int ci, int kind, uint64_t lo, uint64_t hi, const char *why)
{
	if (lost_reported[ci] & kind)
		return;
	lost_reported[ci] |= (uint8_t)kind;
	log_warn("lost: 0x%llx-0x%llx (file 0x%llx) %s; it reads as zeros%s", (unsigned long long)lo,
		 (unsigned long long)hi,
		 (unsigned long long)(d->chunks[ci].file_off + (lo - d->chunks[ci].phys)), why,
		 " (further such losses in this chunk are not reported)");
}

/* Read physical [phys, phys+len) of chunk ci into buf, page by page when the whole read fails;
 * unreadable pages become zeros and are reported. */
static void read_readable(const struct dump *d, int ci, uint64_t phys, uint8_t *buf, size_t len)
{
	const struct dump_chunk *c = &d->chunks[ci];

	if (phys_read(phys, buf, len) == 0)
		return;
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, PAGE_SIZE - (phys & PAGE_MASK64));

		if (phys_read(phys, buf, n) != 0) {
			memset(buf, 0, n);
			if (!(lost_reported[ci] & LOST_UNREADABLE)) {
				/* Name the unreadable stretch from here: probe page by page, but only so far
				 * (a terabyte of unreadable memory must not stall the dump here). */
				uint64_t hi = (phys & ~PAGE_MASK64) + PAGE_SIZE, end = c->phys + c->size;
				unsigned probes = 0;
				uint8_t probe;

				while (hi < end && probes < LOST_PROBE_PAGES && phys_read(hi, &probe, 1) != 0) {
					hi += PAGE_SIZE;
					probes++;
				}
				report_lost(d, ci, LOST_UNREADABLE, phys, MIN(hi, end),
					    hi < end && probes == LOST_PROBE_PAGES ?
					    "cannot be read (nor, perhaps, what follows)" : "cannot be read");
			}
		}
		phys += n;
		buf += n;
		len -= n;
	}
}

/* Copy file bytes [off, off+len) into buf: header and notes from d->hdr, memory through
 * phys_read. Bytes of salvage's own image [self_start, self_end) and unreadable memory read as
 * zeros, reported once per chunk. Returns 0, or -ERANGE (nothing copied) past d->size. */
int dump_read(const struct dump *d, uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf;
	int ci = 0, hi = d->nchunks;

	if (off > d->size || len > d->size - off)
		return -ERANGE;
	/* The first chunk that may hold off: chunks are in file order (thousands with dump.level). */
	while (ci < hi) {
		int mid = ci + (hi - ci) / 2;

		if (d->chunks[mid].file_off + d->chunks[mid].size <= off)
			ci = mid + 1;
		else
			hi = mid;
	}
	while (len) {
		const struct dump_chunk *c;
		uint64_t phys, avail;
		size_t n;

		if (off < d->hdr_size) {
			n = (size_t)MIN((uint64_t)len, d->hdr_size - off);
			memcpy(out, d->hdr + off, n);
			goto next;
		}
		while (ci < d->nchunks && d->chunks[ci].file_off + d->chunks[ci].size <= off)
			ci++;
		if (ci >= d->nchunks || off < d->chunks[ci].file_off) {
			/* Not in any chunk (never the case for files build() made). */
			uint64_t gap = ci < d->nchunks ? d->chunks[ci].file_off - off : len;

			n = (size_t)MIN((uint64_t)len, gap);
			memset(out, 0, n);
			goto next;
		}
		c = &d->chunks[ci];
		phys = c->phys + (off - c->file_off);
		avail = c->size - (off - c->file_off);
		n = (size_t)MIN((uint64_t)len, avail);
		if (self_end > self_start && phys < self_end && self_start < phys + n) {
			/* Cut at salvage's own image: before it, inside it (zeros), after it. */
			if (phys < self_start) {
				n = (size_t)(self_start - phys);
				read_readable(d, ci, phys, out, n);
			} else {
				n = (size_t)MIN((uint64_t)n, self_end - phys);
				memset(out, 0, n);
				report_lost(d, ci, LOST_SELF, MAX(c->phys, self_start),
					    MIN(c->phys + c->size, self_end), "is salvage's own memory now");
			}
		} else {
			read_readable(d, ci, phys, out, n);
		}
next:
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}
