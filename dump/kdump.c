/* dump.format=kdump: the flattened kdump-compressed stream (dump/kdump.h), one pass over memory a
 * stretch of CYCLE_PFNS pages at a time: decide, read, compress, send. */
#include "dump/kdump.h"
#include "dump/elf.h"
#include "dump/format.h"
#include "lib/log.h"

#define PAGE_SHIFT 12
#define CYCLE_PFNS (8 * PAGE_SIZE)	/* pfns per stretch: one page of each bitmap */
#define DESC_SIZE 24			/* page_desc: offset, size, flags, page_flags */
/* Descriptors and page data go out in records of exactly 64 KiB (16 bytes of record header each),
 * as makedumpfile's write_cache does (page_size << DEFAULT_ORDER): with 4 KiB and 16 KiB records a
 * 512 MiB guest's dump.level=31 stream carried about 20 KB more headers than makedumpfile's. */
#define DESC_BUF (64 * 1024)
#define DATA_BUF (64 * 1024)
#define KIND_PFNS 4096			/* filter verdicts asked for at a time */
#define FLAT_HDR_SIZE 4096		/* makedumpfile's MAX_SIZE_MDF_HEADER */
#define UTS_LEN 65			/* each field of struct new_utsname */
#define START_KERNEL_MAP 0xffffffff80000000ull

/* makedumpfile's structs as its x86_64 and i386 builds lay them out (diskdump_mod.h: native
 * longs, 64-bit off_t, struct timeval of two longs; i386 aligns 8-byte members to 4). */
struct kdump_layout {
	uint32_t dh_size, dh_timestamp, dh_status;	/* disk_dump_header; status..nr_cpus follow */
	uint32_t long_size;				/* kdump_sub_header's unsigned long */
	uint32_t kh_size, kh_offset_vmcoreinfo, kh_offset_note, kh_max_mapnr_64;
};
#define DH_HEADER_VERSION 8		/* after the 8-byte signature */
#define DH_UTSNAME 12			/* six fields of UTS_LEN */
/* disk_dump_header fields from status on, each an int: status, block_size, sub_hdr_size,
 * bitmap_blocks, max_mapnr, total_ram_blocks, device_blocks, written_blocks, current_cpu, nr_cpus. */
enum { DH_BLOCK_SIZE = 1, DH_SUB_HDR_SIZE, DH_BITMAP_BLOCKS, DH_MAX_MAPNR, DH_NR_CPUS = 9, DH_INTS };
/* timeval: two longs, 8-aligned on x86_64; the sub header's longs, off_ts (8 bytes, 4-aligned on
 * i386) and unsigned long longs in diskdump_mod.h's order. */
#define DH64_SIZE 464
#define DH64_TIMESTAMP 408
#define DH64_STATUS 424
#define KH64_SIZE 104
#define KH64_MAX_MAPNR_64 96
#define DH32_SIZE 452
#define DH32_TIMESTAMP 404
#define DH32_STATUS 412
#define KH32_SIZE 80
#define KH32_MAX_MAPNR_64 72
static const struct kdump_layout layout64 = { DH64_SIZE, DH64_TIMESTAMP, DH64_STATUS, 8, KH64_SIZE, 32, 48, KH64_MAX_MAPNR_64 };
static const struct kdump_layout layout32 = { DH32_SIZE, DH32_TIMESTAMP, DH32_STATUS, 4, KH32_SIZE, 20, 32, KH32_MAX_MAPNR_64 };
_Static_assert(DH64_STATUS + 4 * DH_INTS == DH64_SIZE && DH32_STATUS + 4 * DH_INTS == DH32_SIZE,
	       "disk_dump_header ends with nr_cpus");
_Static_assert(DH_UTSNAME + 6 * UTS_LEN <= DH32_TIMESTAMP && DH64_TIMESTAMP % 8 == 0 &&
	       DH64_TIMESTAMP + 16 == DH64_STATUS && DH32_TIMESTAMP + 8 == DH32_STATUS,
	       "timeval after utsname");
_Static_assert(KH64_MAX_MAPNR_64 + 8 == KH64_SIZE && KH32_MAX_MAPNR_64 + 8 == KH32_SIZE,
	       "kdump_sub_header ends with max_mapnr_64");

struct kdump_stats kdump_stats;

/* Everything one kdump_write carries between its steps (static storage, passed explicitly). */
struct kdump_ctx {
	const struct crash *c;
	struct filter *f;
	bool filtering;			/* f can leave pages out */
	const struct kdump_sink *out;
	const struct kdump_layout *lay;
	unsigned level;
	enum dump_compress alg;
	struct crash_span spans[CRASH_MAX_PHDRS];	/* each load's bytes, for loss reports */
	int last_load;
	uint64_t max_mapnr, bitmap_bytes;	/* bitmap_bytes: each bitmap, block-rounded */
	uint64_t off_bitmap1, off_desc, off_data, zero_off;
	uint8_t bm1[PAGE_SIZE], bm2[PAGE_SIZE];
	uint8_t kind[KIND_PFNS];	/* the filter's verdicts for part of a stretch */
	uint8_t desc[DESC_BUF];
	uint32_t ndesc_buf;		/* bytes in desc[] */
	uint64_t desc_flushed;		/* file offset of desc[0] */
	uint8_t data[DATA_BUF];
	uint32_t ndata;
	uint64_t data_flushed;		/* file offset of data[0] */
	uint8_t page[PAGE_SIZE] __attribute__((aligned(8))), packed[COMPRESS_OUT_MAX];
	uint8_t zpacked[COMPRESS_OUT_MAX];	/* a zero page as the compressor packs it */
	uint32_t nzpacked;		/* its size; 0: not packed yet (or it does not shrink) */
	bool zpacked_done;
	uint8_t blk[2 * PAGE_SIZE];	/* header blocks, notes copied after the sub header */
	int rc;				/* the sink's first error */
};
_Static_assert(sizeof(struct kdump_ctx) <= FORMAT_STATE_SIZE, "the kdump context fits format_state");

static void put32le(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64le(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64be(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i)); }
static uint32_t get32le(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
/* An unsigned long of the crashed kernel's makedumpfile (4 or 8 bytes). */
static void put_long(const struct kdump_ctx *c, uint8_t *p, uint64_t v)
{
	if (c->lay->long_size == 8)
		put64le(p, v);
	else
		put32le(p, (uint32_t)v);
}

/* Send bytes to the sink; after its first error nothing more is sent. */
static void emit(struct kdump_ctx *c, const void *buf, size_t len)
{
	if (c->rc == 0 && len > 0) {
		c->rc = c->out->write(c->out->ctx, buf, len);
		kdump_stats.stream_bytes += len;
	}
}

/* One flattened record: file bytes [off, off+len) are buf. */
static void record(struct kdump_ctx *c, uint64_t off, const void *buf, size_t len)
{
	uint8_t h[16];

	if (len == 0)
		return;
	put64be(h, off);
	put64be(h + 8, len);
	emit(c, h, sizeof(h));
	emit(c, buf, len);
}

/* Read physical page pfn from the loads that hold it (overlapping PT_LOADs, such as the kernel
 * text's, hold the same memory: the load of the last page is tried first); bytes outside every
 * load's data are zeros, and lost memory (salvage's own, unreadable) reads as zeros with one report
 * per load (crash_span_read). */
static void read_pfn(struct kdump_ctx *c, uint64_t pfn, uint8_t *buf)
{
	const struct crash *cr = c->c;
	uint64_t pa = pfn << PAGE_SHIFT;
	const struct crash_load *last = &cr->loads[c->last_load];

	/* Nearly every page lies whole in the load of the page before: no zeroing first. */
	if (pa >= last->paddr && pa + PAGE_SIZE <= last->paddr + last->filesz) {
		crash_span_read(&c->spans[c->last_load], pa - last->paddr, buf, PAGE_SIZE);
		return;
	}
	memset(buf, 0, PAGE_SIZE);
	for (int k = 0; k < cr->nloads; k++) {
		int i = (c->last_load + k) % cr->nloads;
		const struct crash_load *l = &cr->loads[i];
		uint64_t lo = MAX(pa, l->paddr), hi = MIN(pa + PAGE_SIZE, l->paddr + l->filesz);

		if (lo >= hi)
			continue;
		c->last_load = i;
		crash_span_read(&c->spans[i], lo - l->paddr, buf + (lo - pa), (size_t)(hi - lo));
		if (hi - lo == PAGE_SIZE)
			return;
	}
}

/* The pfns of [p0, p0 + CYCLE_PFNS) in some PT_LOAD, from its first page on: with partial, up to
 * its last page even when p_memsz covers it in part (makedumpfile 1.7.2's 1st bitmap when it runs
 * in one cycle, its create_1st_bitmap_file: "account for last page"), else only up to the last
 * page p_memsz covers completely (its create_bitmap_from_memhole, the 2nd bitmap's start).
 * Returns the number of bits set. */
static uint64_t make_bitmap(struct kdump_ctx *c, uint64_t p0, uint8_t *bm, bool partial)
{
	uint64_t set = 0;

	memset(bm, 0, PAGE_SIZE);
	for (int i = 0; i < c->c->nloads; i++) {
		const struct crash_load *l = &c->c->loads[i];
		uint64_t end = l->paddr + l->memsz;
		uint64_t s = MAX(l->paddr >> PAGE_SHIFT, p0);
		uint64_t e = MIN((partial ? ALIGN_UP(end, (uint64_t)PAGE_SIZE) : end) >> PAGE_SHIFT,
				 MIN(p0 + CYCLE_PFNS, c->max_mapnr));

		for (uint64_t p = s; p < e; p++)
			bm[(p - p0) >> 3] |= (uint8_t)(1u << ((p - p0) & 7));
	}
	for (size_t i = 0; i < PAGE_SIZE * 8; i++)
		set += bm[i >> 3] >> (i & 7) & 1;
	return set;
}

/* makedumpfile's exclude_nodata_pages: pages of a PT_LOAD past its file data are not dumped. */
static void clear_nodata(struct kdump_ctx *c, uint64_t p0, uint8_t *bm)
{
	for (int i = 0; i < c->c->nloads; i++) {
		const struct crash_load *l = &c->c->loads[i];
		uint64_t s = MAX(ALIGN_UP(l->paddr + l->filesz, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT, p0);
		uint64_t e = MIN(ALIGN_UP(l->paddr + l->memsz, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT, p0 + CYCLE_PFNS);

		for (uint64_t p = s; p < e; p++)
			bm[(p - p0) >> 3] &= (uint8_t)~(1u << ((p - p0) & 7));
	}
}

/* Send the nrb bytes of record buffer rb as one record at file offset *flushed. */
static void flush_rec(struct kdump_ctx *c, uint8_t *rb, uint32_t *nrb, uint64_t *flushed)
{
	record(c, *flushed, rb, *nrb);
	*flushed += *nrb;
	*nrb = 0;
}

/* Append len bytes to a record buffer of cap bytes, sending it each time it is full; a descriptor
 * or a page may straddle two records. */
static void add_rec(struct kdump_ctx *c, uint8_t *rb, uint32_t *nrb, uint64_t *flushed, size_t cap,
		    const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t n = MIN(len, cap - *nrb);

		memcpy(rb + *nrb, p, n);
		*nrb += (uint32_t)n;
		p += n;
		len -= n;
		if (*nrb == cap)
			flush_rec(c, rb, nrb, flushed);
	}
}

static void add_desc(struct kdump_ctx *c, uint64_t off, uint32_t size, uint32_t flags)
{
	uint8_t d[DESC_SIZE];

	put64le(d, off);
	put32le(d + 8, size);
	put32le(d + 12, flags);
	put64le(d + 16, 0);		/* page_flags: makedumpfile writes 0 */
	add_rec(c, c->desc, &c->ndesc_buf, &c->desc_flushed, DESC_BUF, d, sizeof(d));
}

/* Page data; returns the file offset it will have. */
static uint64_t add_data(struct kdump_ctx *c, const void *buf, size_t len)
{
	uint64_t off = c->data_flushed + c->ndata;

	add_rec(c, c->data, &c->ndata, &c->data_flushed, DATA_BUF, buf, len);
	return off;
}

/* The dumped pages of one stretch, in pfn order: shared zero page, compressed, or raw. */
static void write_pages(struct kdump_ctx *c, uint64_t p0, const uint8_t *bm)
{
	for (uint64_t i = 0; i < CYCLE_PFNS && c->rc == 0; i++) {
		size_t n;
		bool zero;

		if ((i & (KIND_PFNS - 1)) == 0 && c->out->covered)	/* progress: memory covered */
			c->out->covered(c->out->ctx, (p0 + i) << PAGE_SHIFT, c->max_mapnr << PAGE_SHIFT);
		if (!(bm[i >> 3] >> (i & 7) & 1))
			continue;
		kdump_stats.dumped++;
		read_pfn(c, p0 + i, c->page);
		zero = mem_all_zero(c->page, PAGE_SIZE);
		if ((c->level & DL_ZERO) && zero) {
			add_desc(c, c->zero_off, PAGE_SIZE, 0);
			kdump_stats.zero++;
		} else if (zero && c->zpacked_done && c->nzpacked) {
			/* Each zero page stored on its own (no bit 1): the bytes the compressor gave the
			 * first one (it is deterministic), without compressing it again. */
			add_desc(c, add_data(c, c->zpacked, c->nzpacked), c->nzpacked, c->alg);
			kdump_stats.packed++;
		} else if (c->alg != COMPRESS_NONE && (n = compress_page(c->page, PAGE_SIZE, c->packed)) != 0) {
			if (zero && !c->zpacked_done) {
				memcpy(c->zpacked, c->packed, n);
				c->nzpacked = (uint32_t)n;
				c->zpacked_done = true;
			}
			add_desc(c, add_data(c, c->packed, n), (uint32_t)n, c->alg);
			kdump_stats.packed++;
		} else {
			add_desc(c, add_data(c, c->page, PAGE_SIZE), PAGE_SIZE, 0);
			kdump_stats.raw++;
		}
	}
}

/* utsname as makedumpfile finds it: init_uts_ns (+ OFFSET(uts_namespace.name), else after its
 * int) read through the kernel text mapping with phys_base (x86_64). Without it (i386, or
 * VMCOREINFO lacking the lines) release from OSRELEASE and machine from the ELF machine, so
 * that crash still recognises the dump. */
static void put_utsname(struct kdump_ctx *c, uint8_t *uts)
{
	const struct crash *cr = c->c;
	uint64_t sym, off = 4, pb = 0;
	char rel[UTS_LEN];

	if (cr->machine == EM_X86_64 && crash_vmcoreinfo_num(cr, "SYMBOL(init_uts_ns)", 16, &sym) == 0 &&
	    sym >= START_KERNEL_MAP) {
		crash_vmcoreinfo_num(cr, "OFFSET(uts_namespace.name)", 10, &off);
		crash_vmcoreinfo_num(cr, "NUMBER(phys_base)", 10, &pb);
		if (crash_phys_read(cr, sym + off - START_KERNEL_MAP + pb, uts, 6 * UTS_LEN) == 0 &&
		    memcmp(uts, "Linux", 6) == 0) {
			for (int f = 0; f < 6; f++)
				uts[f * UTS_LEN + UTS_LEN - 1] = 0;	/* untrusted: terminate each */
			return;
		}
		log_warn("kdump: init_uts_ns at 0x%llx is not readable; utsname from VMCOREINFO", (unsigned long long)sym);
	}
	memset(uts, 0, 6 * UTS_LEN);
	memcpy(uts, "Linux", 5);
	if (crash_vmcoreinfo_str(cr, "OSRELEASE", rel, sizeof(rel)) >= 0)
		memcpy(uts + 2 * UTS_LEN, rel, strlen(rel));
	memcpy(uts + 4 * UTS_LEN, cr->machine == EM_X86_64 ? "x86_64" : "i686", cr->machine == EM_X86_64 ? 6 : 4);
}

/* Number of NT_PRSTATUS notes named "CORE": makedumpfile's nr_cpus. */
static int count_cpus(const uint8_t *p, uint64_t len)
{
	int n = 0;

	for (uint64_t pos = 0; len - pos >= 12;) {
		uint32_t namesz = get32le(p + pos), descsz = get32le(p + pos + 4), type = get32le(p + pos + 8);
		uint64_t next = pos + 12 + ALIGN_UP((uint64_t)namesz, 4) + ALIGN_UP((uint64_t)descsz, 4);

		if (namesz == 0 || next > len)
			break;
		if (namesz == 5 && memcmp(p + pos + 12, "CORE", 5) == 0 && type == 1)
			n++;
		pos = next;
	}
	return n;
}

/* The flattened header, disk_dump_header, kdump_sub_header and the notes. */
static void write_headers(struct kdump_ctx *c, uint64_t sub_blocks, const uint8_t *nt, uint64_t nlen)
{
	const struct kdump_layout *L = c->lay;
	uint8_t *b = c->blk;
	uint64_t crashtime = 0, phys_base = 0;
	uint8_t *dh;

	memset(b, 0, PAGE_SIZE);
	memcpy(b, "makedumpfile", 12);
	put64be(b + 16, 1);		/* TYPE_FLAT_HEADER */
	put64be(b + 24, 1);		/* VERSION_FLAT_HEADER */
	emit(c, b, FLAT_HDR_SIZE);

	memset(b, 0, sizeof(c->blk));
	memcpy(b, "KDUMP   ", 8);
	put32le(b + DH_HEADER_VERSION, 6);
	put_utsname(c, b + DH_UTSNAME);
	/* timestamp: the crash time (makedumpfile takes its own start time). */
	crash_vmcoreinfo_num(c->c, "CRASHTIME", 10, &crashtime);
	put_long(c, b + L->dh_timestamp, crashtime);
	dh = b + L->dh_status;
	put32le(dh, c->alg);
	put32le(dh + 4 * DH_BLOCK_SIZE, PAGE_SIZE);
	put32le(dh + 4 * DH_SUB_HDR_SIZE, (uint32_t)sub_blocks);
	put32le(dh + 4 * DH_BITMAP_BLOCKS, (uint32_t)(2 * c->bitmap_bytes / PAGE_SIZE));
	put32le(dh + 4 * DH_MAX_MAPNR, (uint32_t)MIN(c->max_mapnr, 0xffffffffull));
	put32le(dh + 4 * DH_NR_CPUS, (uint32_t)count_cpus(nt, nlen));
	record(c, 0, b, L->dh_size);

	/* Sub header at block 1, the notes right after it (VMCOREINFO's text is inside them). */
	memset(b, 0, sizeof(c->blk));
	if (c->c->machine == EM_X86_64)
		crash_vmcoreinfo_num(c->c, "NUMBER(phys_base)", 10, &phys_base);
	put_long(c, b, phys_base);
	put32le(b + L->long_size, c->level);
	if (nlen) {
		const uint8_t *vmci = c->c->notes + c->c->vmcoreinfo_off;
		uint64_t note_off = PAGE_SIZE + L->kh_size;

		put64le(b + L->kh_offset_note, note_off);
		put_long(c, b + L->kh_offset_note + 8, nlen);
		if (c->c->vmcoreinfo_len && vmci >= nt && vmci < nt + nlen) {
			put64le(b + L->kh_offset_vmcoreinfo, note_off + (uint64_t)(vmci - nt));
			put_long(c, b + L->kh_offset_vmcoreinfo + 8, c->c->vmcoreinfo_len);
		}
	}
	put64le(b + L->kh_max_mapnr_64, c->max_mapnr);
	record(c, PAGE_SIZE, b, L->kh_size);
	record(c, PAGE_SIZE + L->kh_size, nt, (size_t)nlen);
}

/* The 2nd bitmap of stretch p0: present whole pages with file bytes, less what the filter leaves
 * out (makedumpfile's create_2nd_bitmap: memory holes, exclude_nodata_pages, then
 * __exclude_unnecessary_pages; zero pages stay, sharing one stored page). */
static void make_bitmap2(struct kdump_ctx *c, uint64_t p0, uint8_t *bm)
{
	uint64_t n = MIN((uint64_t)CYCLE_PFNS, c->max_mapnr - p0);

	make_bitmap(c, p0, bm, false);
	clear_nodata(c, p0, bm);
	if (!c->filtering)
		return;
	for (uint64_t k = 0; k < n; k += KIND_PFNS) {
		uint64_t m = MIN((uint64_t)KIND_PFNS, n - k);

		filter_pages(c->f, p0 + k, m, c->kind);
		for (uint64_t i = 0; i < m; i++)
			if (c->kind[i] >= FK_ZERO)	/* every left-out kind (FK_ZERO never: bit 1 is masked) */
				bm[(k + i) >> 3] &= (uint8_t)~(1u << ((k + i) & 7));
	}
}

/* See kdump.h. */
int kdump_write(const struct crash *cr, struct filter *f, unsigned level, enum dump_compress alg,
		const struct kdump_sink *out)
{
	struct kdump_ctx *c = (struct kdump_ctx *)format_state;	/* one format at a time */
	uint64_t nlen, sub_blocks, p0, max_paddr = 0;
	const uint8_t *nt;
	uint8_t end[16];

	memset(&kdump_stats, 0, sizeof(kdump_stats));
	c->c = cr;
	c->f = f;
	c->out = out;
	c->level = level;
	c->rc = 0;
	c->last_load = 0;
	c->nzpacked = 0;
	c->zpacked_done = false;
	c->lay = cr->elfclass == 2 ? &layout64 : &layout32;
	if (cr->elfclass == 0 || cr->nloads == 0) {
		log_err("kdump: the crash has no PT_LOAD; nothing to write");
		return -EINVAL;
	}
	for (int i = 0; i < cr->nloads; i++) {
		const struct crash_load *l = &cr->loads[i];

		c->spans[i] = (struct crash_span){ .src = l->src, .size = l->filesz, .file_off = l->paddr };
		max_paddr = MAX(max_paddr, l->paddr + l->memsz);
	}
	/* A compressor that cannot start falls back to LZO, which Debian's crash and makedumpfile
	 * both read; when LZO cannot either, the pages are stored raw. */
	if (compress_begin(alg) == 0)
		c->alg = alg;
	else if (alg != COMPRESS_LZO && compress_begin(COMPRESS_LZO) == 0)
		c->alg = COMPRESS_LZO;
	else
		c->alg = COMPRESS_NONE;	/* compress_begin reset the arena: nothing to set up */
	if (c->alg != alg)
		log_warn("kdump: pages are stored with %s instead of %s", compress_name(c->alg), compress_name(alg));
	nt = cr->notes;
	nlen = cr->notes_size;
	/* makedumpfile's get_max_mapnr and prepare_bitmap2_buffer: both bitmaps block-rounded. */
	c->max_mapnr = ALIGN_UP(max_paddr, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
	c->bitmap_bytes = ALIGN_UP((c->max_mapnr + 7) / 8, (uint64_t)PAGE_SIZE);
	sub_blocks = ALIGN_UP(c->lay->kh_size + nlen, (uint64_t)PAGE_SIZE) / PAGE_SIZE;
	c->off_bitmap1 = (1 + sub_blocks) * PAGE_SIZE;
	c->off_desc = c->off_bitmap1 + 2 * c->bitmap_bytes;
	kdump_stats.max_mapnr = c->max_mapnr;
	write_headers(c, sub_blocks, nt, nlen);

	/* The 1st bitmap, whole, as makedumpfile writes it first; it counts the present pfns. */
	for (p0 = 0; p0 < c->max_mapnr && c->rc == 0; p0 += CYCLE_PFNS) {
		kdump_stats.present += make_bitmap(c, p0, c->bm1, true);
		record(c, c->off_bitmap1 + p0 / 8, c->bm1, (size_t)MIN((uint64_t)PAGE_SIZE, c->bitmap_bytes - p0 / 8));
	}
	/* One pass cannot know how many pages the filter will keep before their descriptors are due,
	 * and makedumpfile puts the data right after exactly that many. So the table keeps a slot for
	 * every present pfn (the most the 2nd bitmap can hold) and the data starts after all of them:
	 * readers (crash, makedumpfile -R and its re-filtering, --dump-dmesg) find a page's descriptor
	 * by its rank in the 2nd bitmap and its data by the descriptor's offset, and never look at the
	 * unused slots, which the stream does not send (a hole in the rebuilt file). */
	c->off_data = c->off_desc + kdump_stats.present * DESC_SIZE;
	c->desc_flushed = c->off_desc;
	c->data_flushed = c->off_data;
	c->ndesc_buf = c->ndata = 0;
	if (level & DL_ZERO) {
		memset(c->page, 0, PAGE_SIZE);
		c->zero_off = add_data(c, c->page, PAGE_SIZE);
	}

	/* Each stretch: the 2nd bitmap decided just before its pages are read, compressed and sent. */
	c->filtering = f && filter_init(f, cr, level & ~(unsigned)DL_ZERO);
	for (p0 = 0; p0 < c->max_mapnr && c->rc == 0; p0 += CYCLE_PFNS) {
		make_bitmap2(c, p0, c->bm2);
		record(c, c->off_bitmap1 + c->bitmap_bytes + p0 / 8, c->bm2,
		       (size_t)MIN((uint64_t)PAGE_SIZE, c->bitmap_bytes - p0 / 8));
		write_pages(c, p0, c->bm2);
	}
	flush_rec(c, c->data, &c->ndata, &c->data_flushed);
	flush_rec(c, c->desc, &c->ndesc_buf, &c->desc_flushed);
	if (out->covered)
		out->covered(out->ctx, c->max_mapnr << PAGE_SHIFT, c->max_mapnr << PAGE_SHIFT);
	put64be(end, ~0ull);
	put64be(end + 8, ~0ull);
	emit(c, end, sizeof(end));
	if (c->rc == 0)
		log_info("kdump: %llu of %llu pages (%llu zero, %llu %s, %llu raw), %llu MiB",
			 (unsigned long long)kdump_stats.dumped, (unsigned long long)kdump_stats.present,
			 (unsigned long long)kdump_stats.zero, (unsigned long long)kdump_stats.packed,
			 compress_name(c->alg), (unsigned long long)kdump_stats.raw,
			 (unsigned long long)(kdump_stats.stream_bytes >> 20));
	return c->rc;
}

/* --- the kdump format in the format table ------------------------------------------------------ */

static int stream_sink_write(void *ctx, const void *buf, size_t len)
{
	return stream_write(ctx, buf, len);
}

static void stream_sink_covered(void *ctx, uint64_t done, uint64_t total)
{
	stream_covered(ctx, done, total);
}

/* Nothing to decide before the first byte; the size is known only at the end. */
static int kdump_prepare(struct format_job *job)
{
	if (job->crash->elfclass == 0 || job->crash->nloads == 0) {
		log_err("dump.format=kdump: the crash has no PT_LOAD");
		return -EINVAL;
	}
	job->size = STREAM_SIZE_UNKNOWN;
	return 0;
}

static int kdump_produce(struct format_job *job, struct stream *s)
{
	struct kdump_sink sink = { stream_sink_write, stream_sink_covered, s };

	return kdump_write(job->crash, job->filter, job->level, job->cfg->dump_compress, &sink);
}

DUMP_FORMAT static const struct format kdump_format = {
	.name = "kdump",
	.id = FORMAT_KDUMP,
	.prepare = kdump_prepare,
	.produce = kdump_produce,
};
