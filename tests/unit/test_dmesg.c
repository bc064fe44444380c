/* Unit tests for dump/dmesg.c: a fake crashed kernel's printk log in fake physical memory -- the
 * 5.10+ lockless ring buffer as the kernel's data_alloc lays it out (x86_64 through page tables,
 * i386 through lowmem; wrapped text blocks, id wrap, data-less and uncommitted records), and the
 * 3.5-5.9 log_buf of printk_log records (wrapped at a zero-length marker) -- read as makedumpfile
 * --dump-dmesg writes it; then corrupt rings that must be skipped with one warning, never hang. */
/* unit-sources: dump/dmesg.c dump/crash.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dmesg.h"
#include "ok.h"
#include "shim.h"

#define MEM (1u << 20)
#define PGT 0x1000ull			/* x86_64 init_top_pgt (phys_base 0) */
#define PDPT_DIRECT 0x2000ull
#define PDPT_TEXT 0x3000ull
#define PRB_VAR 0x4000ull		/* the kernel's prb pointer (text mapping) */
#define RB 0x5000ull			/* struct printk_ringbuffer (direct map) */
#define DESCS 0x6000ull
#define INFOS 0x8000ull
#define DATA 0x10000ull
#define COUNT_BITS 4
#define COUNT (1u << COUNT_BITS)
#define SIZE_BITS 10
#define DSZ (1u << SIZE_BITS)
#define INFO_SIZE 88
#define DIRECT 0xffff888000000000ull
#define TEXT 0xffffffff80000000ull
#define I386_OFF 0xc0000000ull

static uint8_t *mem;
static struct crash c;
static unsigned W;			/* the crashed kernel's word: 8 (x86_64) or 4 (i386) */

static void putn(uint64_t pa, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		mem[pa + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t dva(uint64_t pa) { return (W == 8 ? DIRECT : I386_OFF) + pa; }
static uint64_t tva(uint64_t pa) { return (W == 8 ? TEXT : I386_OFF) + pa; }

/* The crash: one PT_LOAD of all of mem at 0, this VMCOREINFO text. */
static void crash_with(const char *vmci)
{
	size_t n = strlen(vmci);

	memset(&c, 0, sizeof(c));
	c.elfclass = W == 8 ? 2 : 1;
	c.machine = W == 8 ? 62 : 3;
	c.nloads = 1;
	c.loads[0] = (struct crash_load){ .paddr = 0, .vaddr = dva(0), .memsz = MEM, .filesz = MEM, .src = 0 };
	memcpy(c.notes, vmci, n);
	c.notes_size = (uint32_t)n;
	c.vmcoreinfo_off = 0;
	c.vmcoreinfo_len = (uint32_t)n;
}

/* Linux 6.1's VMCOREINFO for the ring (x86_64 offsets as a real Debian 6.1 kernel gives them;
 * i386's with 4-byte words), plus extra lines. */
static const char *vmci_rb(const char *extra)
{
	static char v[4096];
	unsigned w = W;

	snprintf(v, sizeof(v),
		 "OSRELEASE=6.1.0-test\nSYMBOL(prb)=%llx\nSIZE(printk_ringbuffer)=%u\n"
		 "OFFSET(printk_ringbuffer.desc_ring)=0\nOFFSET(printk_ringbuffer.text_data_ring)=%u\n"
		 "OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=%u\nOFFSET(prb_desc_ring.infos)=%u\n"
		 "OFFSET(prb_desc_ring.head_id)=%u\nOFFSET(prb_desc_ring.tail_id)=%u\nSIZE(prb_desc)=%u\n"
		 "OFFSET(prb_desc.state_var)=0\nOFFSET(prb_desc.text_blk_lpos)=%u\nOFFSET(prb_data_blk_lpos.begin)=0\n"
		 "OFFSET(prb_data_blk_lpos.next)=%u\nSIZE(printk_info)=%u\nOFFSET(printk_info.seq)=0\n"
		 "OFFSET(printk_info.ts_nsec)=8\nOFFSET(printk_info.text_len)=16\nOFFSET(prb_data_ring.size_bits)=0\n"
		 "OFFSET(prb_data_ring.data)=%u\nSIZE(atomic_long_t)=%u\nOFFSET(atomic_long_t.counter)=0\n"
		 "SYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n%s",
		 (unsigned long long)tva(PRB_VAR), w == 8 ? 88 : 44, w == 8 ? 48 : 24, w, 2 * w, 3 * w, 4 * w, 3 * w, w,
		 w, INFO_SIZE, w, w, extra);
	return v;
}

/* The ring the model kernel writes: ids from next_id, text positions from lpos. */
static struct {
	uint64_t next_id, lpos, head, tail;
	unsigned n;
} r;

static uint64_t idmask(void) { return (W == 8 ? ~0ull : 0xffffffffull) >> 2; }

/* The ring header: pointers, bits, head and tail ids. */
static void ring_header(void)
{
	uint64_t tr = W == 8 ? 48 : 24;

	putn(PRB_VAR, dva(RB), W);
	putn(RB + 0, COUNT_BITS, 4);
	putn(RB + W, dva(DESCS), W);
	putn(RB + 2 * W, dva(INFOS), W);
	putn(RB + 3 * W, r.head, W);
	putn(RB + 4 * W, r.tail, W);
	putn(RB + tr, SIZE_BITS, 4);
	putn(RB + tr + W, dva(DATA), W);
}

/* An empty ring whose first id is first_id; page tables for x86_64. */
static void ring_init(uint64_t first_id)
{
	memset(mem, 0xa5, MEM);
	memset(mem + DESCS, 0, COUNT * 3 * W);
	putn(PGT + ((DIRECT >> 39) & 511) * 8, PDPT_DIRECT | 3, 8);
	putn(PDPT_DIRECT, 0x83, 8);				/* 1 GiB page at phys 0 */
	putn(PGT + ((TEXT >> 39) & 511) * 8, PDPT_TEXT | 3, 8);
	putn(PDPT_TEXT + ((TEXT >> 30) & 511) * 8, 0x83, 8);
	r.next_id = first_id & idmask();
	r.lpos = 0;
	r.n = 0;
	r.head = r.tail = r.next_id;
	ring_header();
}

/* The kernel's data_alloc and desc commit for one record of len text bytes in state (2 =
 * finalized); the tail follows as the ring fills. len 0: a data-less record (lpos 3, NO_LPOS). */
static uint64_t ring_add(const void *text, uint16_t len, uint64_t ts, unsigned state)
{
	uint64_t id = r.next_id, idx = id & (COUNT - 1), begin = r.lpos, size = (W + len + W - 1) / W * W;
	uint64_t next = begin + size, at;

	if (len == 0) {
		begin = next = 3;
	} else {
		putn(DATA + begin % DSZ, id, W);
		at = begin % DSZ;
		if (begin / DSZ != next / DSZ) {	/* wraps: the text goes at the start */
			next = next / DSZ * DSZ + size;
			putn(DATA, id, W);
			at = 0;
		}
		memcpy(mem + DATA + at + W, text, len);
		r.lpos = next;
	}
	putn(DESCS + idx * 3 * W, (uint64_t)state << (8 * W - 2) | id, W);
	putn(DESCS + idx * 3 * W + W, begin, W);
	putn(DESCS + idx * 3 * W + 2 * W, next, W);
	putn(INFOS + idx * INFO_SIZE + 8, ts, 8);
	putn(INFOS + idx * INFO_SIZE + 16, len, 2);
	r.head = id;
	if (++r.n > COUNT)
		r.tail = (r.tail + 1) & idmask();
	r.next_id = (id + 1) & idmask();
	ring_header();
	return id;
}

/* The whole log as one string. */
static char text_out[1 << 16];
static size_t text_n;

static int put_text(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (text_n + len >= sizeof(text_out))
		return -ENOSPC;
	memcpy(text_out + text_n, buf, len);
	text_n += len;
	text_out[text_n] = 0;
	return 0;
}

static int read_log(struct dmesg_stats *st)
{
	text_n = 0;
	text_out[0] = 0;
	log_reset();
	return dmesg_write(&c, put_text, NULL, true, st);
}

/* The format, exactly: prefix, continuation indent, escapes of makedumpfile 1.7.2. */
static void test_format(unsigned w)
{
	struct dmesg_stats st;
	static const char t1[] = "Linux version 6.1.0-test";
	static const char t2[] = "two\nlines\tand \x01 \xc3\xa9 end";

	W = w;
	ring_init(0);
	ring_add(t1, sizeof(t1) - 1, 0, 2);
	ring_add(t2, sizeof(t2) - 1, 1234567891ull, 1);	/* committed: printed as well */
	ring_add("", 0, 5, 2);				/* data-less: nothing */
	ring_add("reserved", 8, 6, 0);			/* being written: nothing */
	ring_add("reusable", 8, 7, 3);
	ring_add("Kernel panic - not syncing: sysrq triggered crash", 49, 123456789012345ull, 2);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == 0, "w%u: the ring is read", w);
	ok(!strcmp(text_out, "[    0.000000] Linux version 6.1.0-test\n"
			     "[    1.234567] two\n"
			     "               lines\tand \\x01 \\xffffffc3\\xffffffa9 end\n"
			     "[123456.789012] Kernel panic - not syncing: sysrq triggered crash\n"),
	   "w%u: makedumpfile's text: '%s'", w, text_out);
	ok(st.records == 3 && st.lines == 4 && st.skipped == 0 && st.lockless, "w%u: 3 records, 4 lines (%u, %llu)", w,
	   st.records, (unsigned long long)st.lines);
	ok(!log_has("warning"), "w%u: no warning for a sound ring", w);
}

/* More records than the ring holds: the text wraps many times, ids wrap past the id mask; the
 * last COUNT records come out, oldest first. */
static void test_wrap(unsigned w)
{
	struct dmesg_stats st;
	char want[8192], t[64];
	size_t wn = 0;
	int wrapped = 0;

	W = w;
	ring_init(idmask() - 20);	/* ids run past the mask back to 0 */
	for (int i = 0; i < 120; i++) {
		int len = snprintf(t, sizeof(t), "record %d %.*s", i, i % 23, "abcdefghijklmnopqrstuvwxyz");
		uint64_t before = r.lpos;

		ring_add(t, (uint16_t)len, (uint64_t)i * 1000000000ull + 1000u * (uint64_t)i, 2);
		wrapped += before / DSZ != (r.lpos - 1) / DSZ;
		if (i >= 120 - (int)COUNT)
			wn += (size_t)snprintf(want + wn, sizeof(want) - wn, "[%5d.%06d] %s\n", i, i, t);
	}
	crash_with(vmci_rb(""));
	ok(wrapped >= 2 && r.head < 120, "w%u: the model wrapped text (%d times) and ids (head %llu)", w, wrapped,
	   (unsigned long long)r.head);
	ok(read_log(&st) == 0 && !strcmp(text_out, want), "w%u: the last %u records, in order:\n%s\nwant:\n%s", w, COUNT,
	   text_out, want);
	ok(!log_has("warning"), "w%u: no warning", w);
}

/* Corrupt rings: the doubtful record or the whole log left out, with one warning; never a hang. */
static void test_corrupt(unsigned w)
{
	struct dmesg_stats st;
	uint64_t id;
	int rc;

	W = w;
	/* A text block naming another record. */
	ring_init(0);
	ring_add("first", 5, 1000, 2);
	id = ring_add("second", 6, 2000, 2);
	ring_add("third", 5, 3000, 2);
	putn(DATA + (W + 5 + W - 1) / W * W, id + 7, W);	/* "second"'s block id, after "first"'s block */
	crash_with(vmci_rb(""));
	ok(read_log(&st) == 0 && !strcmp(text_out, "[    0.000001] first\n[    0.000003] third\n") && st.skipped == 1,
	   "w%u: a block of another record is skipped: '%s'", w, text_out);
	ok(log_has("warning: dmesg: 1 doubtful records of the crashed kernel's log left out (first: text block of another record)"),
	   "w%u: with one warning", w);

	/* text_len beyond its block: what the block holds (the kernel's truncated records). */
	ring_init(0);
	id = ring_add("truncated", 9, 0, 2);
	putn(INFOS + (id & (COUNT - 1)) * INFO_SIZE + 16, 900, 2);
	crash_with(vmci_rb(""));
	{
		char want[256] = "[    0.000000] truncated";
		unsigned pad = (W + 9 + W - 1) / W * W - W - 9;

		for (unsigned k = 0; k < pad; k++)
			strcat(want, "\\xffffffa5");	/* the block's padding, as makedumpfile prints it */
		strcat(want, "\n");
		ok(read_log(&st) == 0 && !strcmp(text_out, want), "w%u: text_len past its block: only the block: '%s'", w,
		   text_out);
	}

	/* A block shorter than its id. */
	ring_init(0);
	id = ring_add("x", 1, 0, 2);
	putn(DESCS + (id & (COUNT - 1)) * 3 * W + 2 * W, W - 1, W);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == 0 && text_n == 0 && st.skipped == 1 && log_has("text block shorter than its id"),
	   "w%u: a block shorter than its id is skipped with a warning", w);

	/* head and tail further apart than the ring: the ring's worth before head. */
	ring_init(0);
	for (int i = 0; i < 20; i++)
		ring_add("r", 1, (uint64_t)i * 1000, 2);
	r.tail = (r.head - 1000) & idmask();
	ring_header();
	crash_with(vmci_rb(""));
	rc = read_log(&st);
	ok(rc == 0 && st.records == COUNT && log_has("head and tail ids further apart than the ring"),
	   "w%u: tail too far back: %u records (want %u) and a warning", w, st.records, COUNT);

	/* count_bits impossible; size_bits impossible; prb pointing nowhere; offsets out of bounds. */
	ring_init(0);
	ring_add("r", 1, 0, 2);
	putn(RB, 40, 4);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == -EINVAL && log_has("warning: dmesg: the crashed kernel's log is not shown: printk_ringbuffer count_bits"),
	   "w%u: count_bits 40 refused with a warning", w);
	ring_init(0);
	putn(RB + (W == 8 ? 48 : 24), 2, 4);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == -EINVAL, "w%u: size_bits 2 refused", w);
	ring_init(0);
	putn(PRB_VAR, dva(0x7ff00000), W);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == -EINVAL && log_has("printk_ringbuffer unreadable"), "w%u: prb unreadable: refused", w);
	ring_init(0);
	{
		char v[4096], *at;

		snprintf(v, sizeof(v), "%s", vmci_rb(""));
		at = strstr(v, "OFFSET(prb_desc.text_blk_lpos)=") + strlen("OFFSET(prb_desc.text_blk_lpos)=");
		memmove(at + 5, at, strlen(at) + 1);
		memcpy(at, "99999", 5);		/* 99999<w> */
		crash_with(v);
	}
	ok(read_log(&st) == -EINVAL && log_has("out of bounds"), "w%u: an offset out of bounds refused", w);

	/* descs pointing nowhere: every record doubtful, one warning. */
	ring_init(0);
	for (int i = 0; i < 5; i++)
		ring_add("r", 1, 0, 2);
	putn(RB + W, dva(0x7ff00000), W);
	crash_with(vmci_rb(""));
	ok(read_log(&st) == 0 && st.skipped == 5 && log_has("warning: dmesg: 5 doubtful") && !strstr(strstr(log_buf, "warning") + 1, "warning"),
	   "w%u: unreadable descriptors: 5 skipped, one warning", w);
}

/* The time bound: a ring that takes too long is cut with one warning. */
static void test_time(void)
{
	struct dmesg_stats st;
	int rc;

	W = 8;
	ring_init(0);
	for (int i = 0; i < 12; i++)
		ring_add("slow", 4, 0, 2);
	crash_with(vmci_rb(""));
	fake_us_per_look = DMESG_TIME_US / 4;
	rc = read_log(&st);
	ok(rc == 0 && st.records < 12 && log_has("took too long"), "the time bound cuts the walk (%u records)", st.records);
	fake_us_per_look = 0;
}

/* --- 3.5-5.9: log_buf ---------------------------------------------------------------------------- */

#define LOGBUF 0x20000ull
#define LOGBUF_LEN 256u
#define LB_VARS 0x4000ull		/* log_buf, log_buf_len, log_first_idx, log_next_idx */
#define HSIZE 16u

static const char *vmci_lb(const char *sname)
{
	static char v[1024];

	snprintf(v, sizeof(v),
		 "OSRELEASE=4.19.0-test\nSYMBOL(log_buf)=%llx\nSYMBOL(log_buf_len)=%llx\nSYMBOL(log_first_idx)=%llx\n"
		 "SYMBOL(log_next_idx)=%llx\nSIZE(%s)=%u\nOFFSET(%s.ts_nsec)=0\nOFFSET(%s.len)=8\nOFFSET(%s.text_len)=10\n"
		 "SYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n",
		 (unsigned long long)tva(LB_VARS), (unsigned long long)tva(LB_VARS + 8),
		 (unsigned long long)tva(LB_VARS + 12), (unsigned long long)tva(LB_VARS + 16), sname, HSIZE, sname, sname,
		 sname);
	return v;
}

/* A printk_log record at idx: header, text, padded to 8. Returns the next idx. */
static uint32_t lb_rec(uint32_t idx, uint64_t ts, const char *text)
{
	uint16_t tl = (uint16_t)strlen(text), len = (uint16_t)((HSIZE + tl + 7) / 8 * 8);

	putn(LOGBUF + idx, ts, 8);
	putn(LOGBUF + idx + 8, len, 2);
	putn(LOGBUF + idx + 10, tl, 2);
	memcpy(mem + LOGBUF + idx + HSIZE, text, tl);
	return idx + len;
}

static void lb_vars(uint32_t first, uint32_t next)
{
	putn(LB_VARS, dva(LOGBUF), W);
	putn(LB_VARS + 8, LOGBUF_LEN, 4);
	putn(LB_VARS + 12, first, 4);
	putn(LB_VARS + 16, next, 4);
}

static void test_log_buf(unsigned w)
{
	struct dmesg_stats st;
	uint32_t i;

	W = w;
	/* Wrapped: records from 160 to the zero-length marker, then from 0 up to next. */
	ring_init(0);
	i = lb_rec(160, 1000, "oldest record");
	i = lb_rec(i, 2000, "second\nline");
	memset(mem + LOGBUF + i, 0, HSIZE);		/* the end marker */
	i = lb_rec(0, 3000000, "after the wrap");
	i = lb_rec(i, 4000000, "newest");
	lb_vars(160, i);
	crash_with(vmci_lb("printk_log"));
	ok(read_log(&st) == 0 && !st.lockless &&
		   !strcmp(text_out, "[    0.000001] oldest record\n[    0.000002] second\n               line\n"
				     "[    0.003000] after the wrap\n[    0.004000] newest\n"),
	   "w%u log_buf: wrapped records in order: '%s'", w, text_out);
	ok(!log_has("warning"), "w%u log_buf: no warning", w);
	crash_with(vmci_lb("log"));	/* 3.5-3.10's struct name */
	ok(read_log(&st) == 0 && st.records == 4, "w%u log_buf: SIZE(log) as well", w);
	if (w == 8) {			/* before 4.13 the page table's symbol was init_level4_pgt */
		char v[1024], *at;

		snprintf(v, sizeof(v), "%s", vmci_lb("log"));
		at = strstr(v, "SYMBOL(init_top_pgt)");
		memmove(at + 23, at + 20, strlen(at + 20) + 1);
		memcpy(at, "SYMBOL(init_level4_pgt)", 23);
		crash_with(v);
		ok(read_log(&st) == 0 && st.records == 4, "log_buf: through SYMBOL(init_level4_pgt) as well");
	}

	/* A record whose length runs past the buffer: the walk stops there, one warning. */
	ring_init(0);
	i = lb_rec(0, 1, "good");
	putn(LOGBUF + i + 8, 4000, 2);
	lb_vars(0, 200);
	crash_with(vmci_lb("printk_log"));
	ok(read_log(&st) == 0 && st.records == 1 && log_has("record length out of bounds"),
	   "w%u log_buf: a length past the buffer stops the walk with a warning", w);

	/* Two end markers (next never reached): no endless loop. */
	ring_init(0);
	memset(mem + LOGBUF, 0, HSIZE);
	memset(mem + LOGBUF + 64, 0, HSIZE);
	lb_vars(64, 32);
	crash_with(vmci_lb("printk_log"));
	ok(read_log(&st) == 0 && log_has("end marker twice"), "w%u log_buf: a marker loop is cut", w);

	/* Records that wrap back to themselves without reaching next: cut at the second marker. */
	ring_init(0);
	i = lb_rec(0, 1, "a");
	i = lb_rec(i, 2, "b");
	memset(mem + LOGBUF + i, 0, HSIZE);
	lb_vars(0, 200);
	crash_with(vmci_lb("printk_log"));
	ok(read_log(&st) == 0 && log_has("end marker twice") && st.records == 4, "w%u log_buf: a cycle is cut (%u records)",
	   w, st.records);

	/* Indexes outside the buffer. */
	lb_vars(9999, 0);
	ok(read_log(&st) == -EINVAL && log_has("indexes out of bounds"), "w%u log_buf: first index outside refused", w);
}

/* --- the console and the side file ---------------------------------------------------------------- */

static void test_show(void)
{
	char t[32];
	const struct side_file *sf;

	W = 8;
	ring_init(0);
	for (int i = 0; i < 10; i++) {
		snprintf(t, sizeof(t), "line %d", i);
		ring_add(t, (uint16_t)strlen(t), (uint64_t)i * 1000000000ull, 2);
	}
	crash_with(vmci_rb(""));
	log_reset();
	dmesg_show(&c, 3);
	ok(log_has("dmesg: the crashed kernel's log (printk_ringbuffer): 10 records, 10 lines, read in ") &&
		   log_has("; the last ones:\ndmesg: [    7.000000] line 7\ndmesg: [    8.000000] line 8\n"
			   "dmesg: [    9.000000] line 9\n") && !log_has("line 6"),
	   "dmesg_show 3: the header and the last 3 lines:\n%s", log_buf);
	log_reset();
	dmesg_show(&c, 0);
	ok(log_buf[0] == 0, "dmesg_show 0: nothing at all");
	log_reset();
	dmesg_show(&c, 50);
	ok(log_has("10 lines, read in ") && log_has("dmesg: [    0.000000] line 0\n"), "dmesg_show 50 of 10: all of them");

	sf = dmesg_side_file(&c);
	text_n = 0;
	ok(sf && !strcmp(sf->suffix, ".dmesg") && sf->produce(sf->ctx, put_text, NULL) == 0 && text_n > 0 &&
		   !strncmp(text_out, "[    0.000000] line 0\n", 22),
	   "the side file '.dmesg' gives the whole log");

	crash_with("OSRELEASE=6.1.0\n");
	log_reset();
	dmesg_show(&c, 50);
	ok(log_has("VMCOREINFO describes no printk buffer") && !log_has("warning"), "no ring in VMCOREINFO: one info line");
	ok(dmesg_side_file(&c) == NULL, "no ring: no side file");
	crash_with("OSRELEASE=6.1.0\nSYMBOL(prb)=ffffffff8289c5b8\nSYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n");
	ok(dmesg_side_file(&c) == NULL, "SYMBOL(prb) without the ring's offsets: no side file");
	crash_with(vmci_rb(""));
	ok(dmesg_side_file(&c) != NULL, "the ring's offsets: a side file");
	c.vmcoreinfo_len = 0;
	log_reset();
	dmesg_show(&c, 50);
	ok(log_has("no VMCOREINFO"), "no VMCOREINFO: said so");
}

int main(void)
{
	mem = calloc(1, MEM);
	fakemem_map(0, mem, MEM);
	test_format(8);
	test_format(4);
	test_wrap(8);
	test_wrap(4);
	test_corrupt(8);
	test_corrupt(4);
	test_time();
	test_log_buf(8);
	test_log_buf(4);
	test_show();
	free(mem);
	return ok_done();
}
