/* The raw format (dump.format=raw): the crashed machine's physical memory as one image, byte P of
 * the file being physical address P, from 0 to the end of the highest PT_LOAD; holes between the
 * PT_LOADs, bytes past a PT_LOAD's p_filesz and pages dump.level= leaves out are zeros. The "raw
 * view of the old memory" of the 2004 kdump design: `dd`, `cmp` and hex editors read it. */
#include "dump/format.h"
#include "lib/log.h"

#define PAGE_SHIFT 12
#define RAW_IO_BUF FORMAT_IO_SIZE	/* bytes produced per stream_write (page multiple) */
#define RAW_STRETCH (RAW_IO_BUF >> PAGE_SHIFT)

_Static_assert(RAW_IO_BUF % PAGE_SIZE == 0, "raw pieces are whole pages");

/* The file's plan: the loads in address order. */
static struct raw_file {
	int order[CRASH_MAX_PHDRS];	/* load indices by paddr */
	int n;
	uint64_t size;
} raw;


/* Once per dump: the size, and the loads sorted by address (insertion sort: at most 256). Refuses
 * a crash without memory or one whose top does not fit 64 bits. */
static int raw_prepare(struct format_job *job)
{
	const struct crash *c = job->crash;

	raw.size = 0;
	raw.n = 0;
	for (int i = 0; i < c->nloads; i++) {
		const struct crash_load *l = &c->loads[i];
		int k;

		if (l->paddr + l->memsz < l->paddr) {
			log_err("raw: PT_LOAD %d (0x%llx+0x%llx) runs past 2^64", i, (unsigned long long)l->paddr,
				(unsigned long long)l->memsz);
			return -EINVAL;
		}
		raw.size = MAX(raw.size, l->paddr + l->memsz);
		for (k = raw.n; k > 0 && c->loads[raw.order[k - 1]].paddr > l->paddr; k--)
			raw.order[k] = raw.order[k - 1];
		raw.order[k] = i;
		raw.n++;
	}
	if (raw.size == 0) {
		log_err("raw: the crash has no memory to image");
		return -EINVAL;
	}
	job->priv = &raw;
	job->size = raw.size;
	log_info("dump: %llu bytes (raw physical memory 0-0x%llx from %d PT_LOADs)", (unsigned long long)raw.size,
		 (unsigned long long)raw.size, raw.n);
	return 0;
}

/* size zero bytes into s. */
static int put_zeros(struct stream *s, uint64_t size)
{
	uint8_t *buf = format_io;
	int rc;

	memset(buf, 0, RAW_IO_BUF);
	while (size) {
		size_t n = (size_t)MIN(size, (uint64_t)RAW_IO_BUF);

		if ((rc = stream_write(s, buf, n)) != 0)
			return rc;
		size -= n;
	}
	return 0;
}

/* Physical [from, to) of load li's bytes into s, page-aligned pieces at a time; pages the filter
 * (when on) leaves out become zeros. */
static int put_load(struct format_job *job, struct stream *s, struct crash_span *sp, uint64_t from, uint64_t to,
		    bool filtering)
{
	uint8_t *buf = format_io, kind[RAW_STRETCH + 1];
	int rc;

	while (from < to) {
		uint64_t end = MIN(to, (from & ~(uint64_t)(RAW_IO_BUF - 1)) + RAW_IO_BUF);
		size_t n = (size_t)(end - from);

		crash_span_read(sp, from - sp->file_off, buf, n);
		if (filtering) {
			uint64_t pfn = from >> PAGE_SHIFT, npages = ((end - 1) >> PAGE_SHIFT) - pfn + 1;

			filter_pages(job->filter, pfn, npages, kind);
			for (uint64_t k = 0; k < npages; k++) {
				uint64_t a = MAX(from, (pfn + k) << PAGE_SHIFT), b = MIN(end, (pfn + k + 1) << PAGE_SHIFT);

				if (kind[k] >= FK_ZERO)
					memset(buf + (a - from), 0, (size_t)(b - a));
			}
		}
		if ((rc = stream_write(s, buf, n)) != 0)
			return rc;
		stream_covered(s, end, raw.size);
		from = end;
	}
	return 0;
}

/* Once per target: the image in address order. A byte two loads claim comes from the first (in
 * address order) that has it. */
static int raw_produce(struct format_job *job, struct stream *s)
{
	bool filtering = job->level && filter_init(job->filter, job->crash, job->level);
	uint64_t pos = 0;
	int rc;

	for (int k = 0; k < raw.n; k++) {
		int li = raw.order[k];
		const struct crash_load *l = &job->crash->loads[li];
		struct crash_span sp = { .src = l->src, .size = MIN(l->filesz, l->memsz), .file_off = l->paddr };
		uint64_t start = l->paddr, end = l->paddr + sp.size;

		if (end <= pos)
			continue;
		if (start > pos) {
			if ((rc = put_zeros(s, start - pos)) != 0)
				return rc;
			pos = start;
		}
		if ((rc = put_load(job, s, &sp, pos, end, filtering)) != 0)
			return rc;
		pos = end;
	}
	return put_zeros(s, raw.size - pos);
}

const struct format format_raw DUMP_FORMAT = {
	.name = "raw",
	.id = FORMAT_RAW,
	.prepare = raw_prepare,
	.produce = raw_produce,
};
