/* The elf format (dump/elfcore.h): the crash description laid out as exactly the bytes Linux 6.1's
 * fs/proc/vmcore.c serves, split at dump.level's runs as makedumpfile -E splits, produced in order. */
#include "dump/elfcore.h"
#include "dump/format.h"
#include "lib/clock.h"
#include "lib/log.h"

#define PAGE_SHIFT 12
#define PAGE_MASK64 ((uint64_t)PAGE_SIZE - 1)
#define FILTER_STRETCH 512		/* pages asked of the filter at a time */

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_MASK64) & ~PAGE_MASK64;
}

/* Check runs against c->loads: sorted by load then address, page-aligned (or ending at the load's
 * end), non-empty, inside a load whose p_filesz is its p_memsz, not overlapping. Returns 0 or
 * -EINVAL after a log line. */
static int check_runs(const struct crash *c, const struct dump_run *runs, int nruns)
{
	for (int i = 0; i < nruns; i++) {
		const struct dump_run *r = &runs[i];
		const struct crash_load *l;

		if (r->load < 0 || r->load >= c->nloads)
			goto bad;
		l = &c->loads[r->load];
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

/* e->ph[1..] from c's program headers: each PT_LOAD with runs becomes pieces that start at the
 * load or right after a run and end (p_memsz) at the next run's end, their data (p_filesz)
 * stopping at its start, as makedumpfile -E lays them out. Returns the number of headers. */
static int split_loads(struct elf_file *e, const struct dump_run *runs, int nruns)
{
	const struct crash *c = e->c;
	int n = 1, r = 0, li = 0;

	for (int i = 0; i < c->nphdrs; i++) {
		const struct crash_phdr *cp = &c->phdrs[i];
		struct elf_piece ph = { .offset = cp->src, .paddr = cp->paddr, .filesz = cp->filesz, .memsz = cp->memsz,
					.from = (int16_t)i, .cut = false };
		uint64_t p = ph.paddr, end = ph.paddr + ph.memsz;

		if (cp->type != PT_LOAD || r >= nruns || runs[r].load != li) {
			e->ph[n++] = ph;
			li += cp->type == PT_LOAD;
			continue;
		}
		ph.cut = true;
		for (; r < nruns && runs[r].load == li; r++) {
			e->ph[n] = ph;
			e->ph[n].paddr = p;
			e->ph[n].offset = ph.offset + (p - ph.paddr);
			e->ph[n].filesz = runs[r].start - p;
			e->ph[n++].memsz = runs[r].end - p;
			p = runs[r].end;
		}
		if (p < end) {
			e->ph[n] = ph;
			e->ph[n].paddr = p;
			e->ph[n].offset = ph.offset + (p - ph.paddr);
			e->ph[n].filesz = e->ph[n].memsz = end - p;
			n++;
		}
		li++;
	}
	return n;
}

/* Program header i of the file, widened for writing. */
static void piece_phdr(const struct elf_file *e, int i, struct elf_phdr_w *w)
{
	const struct elf_piece *p = &e->ph[i];
	const struct crash_phdr *cp;

	if (p->from < 0) {
		/* p_align 0: what Debian 12's Linux 6.1 writes (measured by tests/lib/oracle.sh; not 4). */
		*w = (struct elf_phdr_w){ .type = PT_NOTE, .offset = p->offset, .filesz = p->filesz, .memsz = p->memsz };
		return;
	}
	cp = &e->c->phdrs[p->from];
	*w = (struct elf_phdr_w){ .type = cp->type, .flags = cp->flags, .offset = p->offset,
				  .vaddr = cp->vaddr + (p->paddr - cp->paddr), .paddr = p->paddr, .filesz = p->filesz,
				  .memsz = p->memsz, .align = cp->align };
}

/* Lay e out: program headers (merged note first, loads split at runs), then the PT_LOAD data as
 * page-rounded chunks after the notes, each at its own p_offset. warn: log the header's warnings
 * (not again when the filter lays the same crash out anew). Returns 0 or a negative error after a
 * log line. */
static int layout(struct elf_file *e, const struct crash *c, const struct dump_run *runs, int nruns, bool warn)
{
	int cls = c->elfclass;
	uint64_t elfsz, notes_sz, cur, limit = cls == ELFCLASS64 ? ~0ull : 0xffffffffull;

	e->c = c;
	e->nph = split_loads(e, runs, nruns);
	elfsz = page_up(elf_ehdr_size(cls) + (uint64_t)e->nph * elf_phdr_size(cls));
	notes_sz = page_up(c->notes_size);
	if (elfsz + notes_sz > DUMP_HDR_MAX) {
		log_err("elfcorehdr: headers and notes need %llu bytes, more than %u",
			(unsigned long long)(elfsz + notes_sz), (unsigned)DUMP_HDR_MAX);
		return -ENOSPC;
	}
	e->ph[0] = (struct elf_piece){ .offset = elfsz, .filesz = c->notes_size, .memsz = c->notes_size, .from = -1 };
	e->nchunks = 0;
	cur = elfsz + notes_sz;
	for (int i = 1; i < e->nph; i++) {
		struct elf_piece *ph = &e->ph[i];
		uint64_t start, end;

		if (c->phdrs[ph->from].type != PT_LOAD)
			continue;
		if (ph->cut && ph->filesz == 0) {
			ph->offset = 0;	/* no bytes in the file: makedumpfile -E says 0 too */
			continue;
		}
		start = ph->offset & ~PAGE_MASK64;
		/* Linux serves p_memsz bytes of every PT_LOAD; a cut piece has only p_filesz. */
		end = page_up(ph->offset + (ph->cut ? ph->filesz : ph->memsz));
		if (cur + (end - start) < cur) {
			log_err("elfcorehdr: PT_LOAD %d: file size overflows 64 bits", i);
			return -EINVAL;
		}
		e->chunks[e->nchunks++] = (struct crash_span){ .src = start, .size = end - start, .file_off = cur };
		ph->offset = cur + (ph->offset - start);
		if (ph->offset > limit && warn)
			log_warn("PT_LOAD %d: file offset 0x%llx does not fit ELF32 (truncated, as Linux does)",
				 i, (unsigned long long)ph->offset);
		cur += end - start;
	}
	e->elfsz = (uint32_t)elfsz;
	e->hdr_size = (uint32_t)(elfsz + notes_sz);
	e->size = cur;
	return 0;
}

/* An empty file: nothing to send but what a failed layout must not leave half-made. */
static void elf_clear(struct elf_file *e)
{
	e->nph = 0;
	e->nchunks = 0;
	e->elfsz = e->hdr_size = 0;
	e->size = 0;
}

/* Lay out with runs, or after a failure without them: never lose the dump because a filter went
 * wrong. warn as for layout. */
static int layout_or_unfiltered(struct elf_file *e, const struct crash *c, const struct dump_run *runs,
				int nruns, bool warn)
{
	int rc;

	if (c->elfclass == 0) {
		elf_clear(e);
		return -EINVAL;
	}
	if (nruns < 0 || nruns > DUMP_MAX_RUNS) {
		log_err("dump.level: %d excluded runs, at most %d", nruns, DUMP_MAX_RUNS);
		rc = -EINVAL;
	} else {
		rc = check_runs(c, runs, nruns);
	}
	if (rc == 0)
		rc = layout(e, c, runs, nruns, warn);
	if (rc != 0 && (nruns == 0 || layout(e, c, NULL, 0, false) != 0))
		elf_clear(e);
	return rc;
}

/* See elfcore.h. */
int elf_layout(struct elf_file *e, const struct crash *c, const struct dump_run *runs, int nruns)
{
	return layout_or_unfiltered(e, c, runs, nruns, nruns == 0);
}

/* Append run [start, end) of load li holding pages[kind] pages of each kind. When the array is
 * full, the smallest run (this one or an earlier one) stays in the dump instead: always correct. */
static void add_run(struct elf_file *e, int li, uint64_t start, uint64_t end, const uint32_t *pages, bool *warned)
{
	int smallest = e->nruns;
	uint64_t len = end - start;

	if (e->nruns == DUMP_MAX_RUNS) {
		if (!*warned)
			log_warn("dump.level: more than %d excluded runs; the smallest stay in the dump", DUMP_MAX_RUNS);
		*warned = true;
		for (int i = 0; i < e->nruns; i++)
			if (e->runs[i].end - e->runs[i].start <
			    (smallest == e->nruns ? len : e->runs[smallest].end - e->runs[smallest].start))
				smallest = i;
		if (smallest == e->nruns)
			return;
		memmove(&e->runs[smallest], &e->runs[smallest + 1], (size_t)(e->nruns - smallest - 1) * sizeof(e->runs[0]));
		memmove(&e->run_pages[smallest], &e->run_pages[smallest + 1],
			(size_t)(e->nruns - smallest - 1) * sizeof(e->run_pages[0]));
		e->nruns--;
	}
	e->runs[e->nruns] = (struct dump_run){ .start = start, .end = end, .load = li };
	memcpy(e->run_pages[e->nruns++], pages, sizeof(e->run_pages[0]));
}

/* The excluded runs of load li, in order, from the filter's page kinds: runs of at least
 * DL_RUN_MIN_PAGES whole pages, or any run that ends the load (with the load's partial last page,
 * as makedumpfile -E ends a PT_LOAD's data before its trailing excluded pages however few).
 * Past deadline (clock_us) it stops with a warning and sets *late: the rest stays in the dump. */
static void scan_load(struct elf_file *e, struct filter *f, int li, bool *warned, uint64_t deadline, bool *late)
{
	const struct crash_load *l = &e->c->loads[li];
	uint64_t pfn = (l->paddr + PAGE_MASK64) >> PAGE_SHIFT, end = (l->paddr + l->filesz) >> PAGE_SHIFT;
	uint64_t run_start = 0, run_len = 0;
	uint32_t pages[FK_N - FK_FREE] = { 0 };
	uint8_t kind[FILTER_STRETCH];

	if (l->filesz != l->memsz || l->paddr + l->filesz < l->paddr)
		return;
	while (pfn < end) {
		uint64_t n = MIN((uint64_t)FILTER_STRETCH, end - pfn);

		/* A corrupt header's PT_LOAD can be petabytes long: nothing may stop the dump for it. */
		if (clock_us() >= deadline) {
			log_warn("dump.level: the pre-pass stopped after %u s at pfn 0x%llx of PT_LOAD %d; "
				 "the rest of the dump is sent unfiltered", DL_SCAN_MAX_S, (unsigned long long)pfn, li);
			*late = true;
			if (run_len >= DL_RUN_MIN_PAGES)
				add_run(e, li, run_start << PAGE_SHIFT, (run_start + run_len) << PAGE_SHIFT, pages, warned);
			return;
		}
		filter_pages(f, pfn, n, kind);
		for (uint64_t i = 0; i < n; i++) {
			if (kind[i] <= FK_KEEP) {
				if (run_len >= DL_RUN_MIN_PAGES)
					add_run(e, li, run_start << PAGE_SHIFT, (run_start + run_len) << PAGE_SHIFT,
						pages, warned);
				run_len = 0;
				memset(pages, 0, sizeof(pages));
				continue;
			}
			if (run_len == 0)
				run_start = pfn + i;
			run_len++;
			if (kind[i] >= FK_FREE)
				pages[kind[i] - FK_FREE]++;
		}
		pfn += n;
	}
	if (run_len > 0)
		add_run(e, li, run_start << PAGE_SHIFT, l->paddr + l->filesz, pages, warned);
}

/* See elfcore.h. */
int elf_filter(struct elf_file *e, const struct crash *c, struct filter *f, unsigned level)
{
	uint64_t t0 = clock_us(), before, pages = 0, kept[FK_N] = { 0 };
	bool warned = false, late = false;
	int rc;

	memset(&e->stats, 0, sizeof(e->stats));
	e->nruns = 0;
	if ((rc = layout_or_unfiltered(e, c, NULL, 0, true)) != 0 || level == 0)
		return rc;
	before = e->size;
	if (!filter_init(f, c, level)) {
		e->stats.free_ok = f->stats.free_ok;
		e->stats.memmap_ok = f->stats.memmap_ok;
		return 0;
	}
	for (int li = 0; li < c->nloads && !late; li++)
		scan_load(e, f, li, &warned, t0 + DL_SCAN_MAX_S * 1000000ull, &late);
	for (int i = 0; i < e->nruns; i++) {
		pages += (e->runs[i].end - e->runs[i].start) >> PAGE_SHIFT;
		for (int k = FK_FREE; k < FK_N; k++)
			kept[k] += e->run_pages[i][k - FK_FREE];
	}
	e->stats.free_ok = f->stats.free_ok;
	e->stats.memmap_ok = f->stats.memmap_ok;
	e->stats.free_pages = kept[FK_FREE];
	e->stats.cache_pages = kept[FK_CACHE];
	e->stats.user_pages = kept[FK_USER];
	e->stats.other_pages = kept[FK_OTHER];
	e->stats.zero_pages = pages - kept[FK_FREE] - kept[FK_CACHE] - kept[FK_USER] - kept[FK_OTHER];
	e->stats.nruns = e->nruns;
	if ((rc = layout_or_unfiltered(e, c, e->runs, e->nruns, false)) != 0) {
		log_warn("dump.level %u: the dump is sent unfiltered", level);
		memset(&e->stats, 0, sizeof(e->stats));
		return rc;
	}
	log_info("dump.level %u: excluded %llu MiB free, %llu MiB zero, %llu MiB cache, %llu MiB user, "
		 "%llu pages hwpoison/offline in %d runs (%llu ms); dump is %llu MiB (was %llu MiB)",
		 level, (unsigned long long)(e->stats.free_pages >> 8),
		 (unsigned long long)(e->stats.zero_pages >> 8), (unsigned long long)(e->stats.cache_pages >> 8),
		 (unsigned long long)(e->stats.user_pages >> 8), (unsigned long long)e->stats.other_pages,
		 e->nruns, (unsigned long long)((clock_us() - t0) / 1000), (unsigned long long)(e->size >> 20),
		 (unsigned long long)(before >> 20));
	return 0;
}

/* Header bytes [off, off+len) (inside hdr_size) into out: the ELF header as given but e_phnum,
 * the program headers, zero padding, the notes, zero padding. */
static void hdr_read(const struct elf_file *e, uint64_t off, uint8_t *out, size_t len)
{
	const struct crash *c = e->c;
	int cls = c->elfclass;
	size_t esz = elf_ehdr_size(cls), psz = elf_phdr_size(cls);
	uint8_t tmp[sizeof(struct elf64_ehdr)];
	uint64_t end = off + len;

	memset(out, 0, len);
	/* Each piece: [from, to) of the file, copied where it meets [off, end). */
#define PIECE(from, src, n)								\
	do {										\
		uint64_t f_ = (from), t_ = f_ + (n);					\
		if (f_ < end && off < t_) {						\
			uint64_t a_ = MAX(f_, off), b_ = MIN(t_, end);			\
			memcpy(out + (a_ - off), (src) + (a_ - f_), (size_t)(b_ - a_));	\
		}									\
	} while (0)
	if (off < esz) {
		memcpy(tmp, c->ehdr, esz);
		elf_put16(tmp + (cls == ELFCLASS64 ? offsetof(struct elf64_ehdr, e_phnum) :
				 offsetof(struct elf32_ehdr, e_phnum)), (uint16_t)e->nph);
		PIECE(0, tmp, esz);
	}
	if (off < esz + (uint64_t)e->nph * psz && end > esz) {
		int first = off > esz ? (int)((off - esz) / psz) : 0;

		for (int i = first; i < e->nph && esz + (uint64_t)i * psz < end; i++) {
			uint8_t p[sizeof(struct elf64_phdr)];
			struct elf_phdr_w w;

			piece_phdr(e, i, &w);
			elf_phdr_put(cls, p, &w);
			PIECE(esz + (uint64_t)i * psz, p, psz);
		}
	}
	PIECE(e->elfsz, c->notes, c->notes_size);
#undef PIECE
}

/* See elfcore.h. */
int elf_read(struct elf_file *e, uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf;
	int ci = 0, hi = e->nchunks;

	if (off > e->size || len > e->size - off)
		return -ERANGE;
	/* The first chunk that may hold off: chunks are in file order (thousands with dump.level). */
	while (ci < hi) {
		int mid = ci + (hi - ci) / 2;

		if (e->chunks[mid].file_off + e->chunks[mid].size <= off)
			ci = mid + 1;
		else
			hi = mid;
	}
	while (len) {
		struct crash_span *c;
		size_t n;

		if (off < e->hdr_size) {
			n = (size_t)MIN((uint64_t)len, e->hdr_size - off);
			hdr_read(e, off, out, n);
			goto next;
		}
		while (ci < e->nchunks && e->chunks[ci].file_off + e->chunks[ci].size <= off)
			ci++;
		if (ci >= e->nchunks || off < e->chunks[ci].file_off) {
			/* Not in any chunk (never the case for files layout() made). */
			uint64_t gap = ci < e->nchunks ? e->chunks[ci].file_off - off : len;

			n = (size_t)MIN((uint64_t)len, gap);
			memset(out, 0, n);
			goto next;
		}
		c = &e->chunks[ci];
		n = (size_t)MIN((uint64_t)len, c->size - (off - c->file_off));
		crash_span_read(c, off - c->file_off, out, n);
next:
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* elf_produce through a buffer of bufsize bytes. */
static int produce(struct elf_file *e, struct stream *s, uint8_t *buf, size_t bufsize)
{
	uint64_t mem_total = 0, mem_done = 0;
	int rc;

	for (int i = 0; i < e->nchunks; i++)
		mem_total += e->chunks[i].size;
	for (uint64_t off = 0; off < e->hdr_size; off += bufsize) {
		size_t n = (size_t)MIN((uint64_t)bufsize, e->hdr_size - off);

		hdr_read(e, off, buf, n);
		if ((rc = stream_write(s, buf, n)) != 0)
			return rc;
	}
	for (int i = 0; i < e->nchunks; i++) {
		struct crash_span *c = &e->chunks[i];

		for (uint64_t off = 0; off < c->size; off += bufsize) {
			size_t n = (size_t)MIN((uint64_t)bufsize, c->size - off);

			crash_span_read(c, off, buf, n);
			if ((rc = stream_write(s, buf, n)) != 0)
				return rc;
			mem_done += n;
			stream_covered(s, mem_done, mem_total);
		}
	}
	return 0;
}

/* See elfcore.h. */
int elf_produce(struct elf_file *e, struct stream *s)
{
	return produce(e, s, format_io, FORMAT_IO_SIZE);
}

/* The format table's entry: prepare lays the file out (with dump.level's runs) once, in the format
 * stage's shared state; the rest of that state, in whole pages (60 KiB in the kernel), is the buffer
 * of each stream_write: a long-mode SHA-256 call costs 5-10 us under emulation whatever its length,
 * and 4 KiB writes spent 10-18 % of a clear dump's time in them. */
struct elf_state {
	struct elf_file file;
	uint8_t io[] __attribute__((aligned(64)));
};
#define ELF_STATE_IO_SIZE ((FORMAT_STATE_SIZE - sizeof(struct elf_state)) / PAGE_SIZE * PAGE_SIZE)
_Static_assert(ELF_STATE_IO_SIZE >= FORMAT_IO_SIZE, "the elf layout and a buffer fit format_state");

static int elf_prepare(struct format_job *job)
{
	struct elf_file *e = &((struct elf_state *)format_state)->file;
	int rc = elf_filter(e, job->crash, job->filter, job->level);

	job->priv = e;
	job->size = e->size;
	if (rc == 0 || e->size != 0)
		log_info("dump: %llu bytes (ELF%d, %d memory chunks)", (unsigned long long)e->size,
			 job->crash->elfclass == 2 ? 64 : 32, e->nchunks);
	return e->size != 0 ? 0 : rc;
}

static int elf_job_produce(struct format_job *job, struct stream *s)
{
	return produce(job->priv, s, ((struct elf_state *)format_state)->io, ELF_STATE_IO_SIZE);
}

const struct format format_elf DUMP_FORMAT = {
	.name = "elf",
	.id = FORMAT_ELF,
	.prepare = elf_prepare,
	.produce = elf_job_produce,
};
