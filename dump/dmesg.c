/* The crashed kernel's printk log (dump/dmesg.h): found as makedumpfile 1.7.2's --dump-dmesg
 * finds it (dump_lockless_dmesg for Linux 5.10+, dump_dmesg's printk_log records for 3.5-5.9),
 * with every value read from the crashed kernel checked before it bounds a read or a loop. */
#include "dump/dmesg.h"
#include "dump/elf.h"
#include "lib/clock.h"
#include "lib/log.h"

/* i386: Debian's kernels split at 3 GiB (VMSPLIT_3G) and VMCOREINFO does not say so; the
 * ring buffer lives in lowmem, where a kernel virtual address is physical + PAGE_OFFSET. */
#define I386_PAGE_OFFSET 0xc0000000ull
#define I386_LOWMEM_END 0xf8000000ull		/* 896 MiB above PAGE_OFFSET, at most */

#define VMI_STRUCT_MAX 1024u		/* bound on the SIZE() of any struct read here */
#define TEXT_CHUNK 256u			/* record text is read this much at a time */
#define OUT_MAX 512u			/* formatted text handed to put this much at a time */
#define RB_COUNT_BITS_MAX 26u		/* Linux: log_buf_len <= 2^31 bytes, 32 bytes a record on average */
#define RB_SIZE_BITS_MAX 31u
#define LOG_BUF_LEN_MAX (1ull << 31)

/* Lockless ring buffer descriptor states (Linux printk_ringbuffer.h: the top two bits of
 * state_var; the rest is the record's id). */
#define DESC_COMMITTED 1u
#define DESC_FINALIZED 2u

/* One pass: the crash, its address translation, where the text goes, what was doubtful. */
struct dm {
	const struct crash *c;
	struct crash_vm vm;
	bool pgt;			/* x86_64: through the page tables; else i386 lowmem */
	unsigned word;			/* sizeof(unsigned long) of the crashed kernel: 4 or 8 */
	dmesg_put_fn put;
	void *ctx;
	int rc;				/* put's first non-zero return */
	uint64_t deadline;
	struct dmesg_stats st;
	const char *doubt;		/* the first doubtful thing seen */
	size_t outn;
	char out[OUT_MAX];
	uint8_t text[TEXT_CHUNK];
	uint8_t hdr[VMI_STRUCT_MAX], desc[VMI_STRUCT_MAX], info[VMI_STRUCT_MAX];
};

/* Little-endian fields of a buffer read from the crashed kernel. */
static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* [off, off+n) lies within a struct of size bytes (all three bounded by VMI_STRUCT_MAX first). */
static bool fits(uint64_t off, uint64_t n, uint64_t size)
{
	return size <= VMI_STRUCT_MAX && off <= size && n <= size - off;
}

/* Read the crashed kernel's virtual [va, va+len). Returns 0 or -EFAULT. */
static int vread(struct dm *d, uint64_t va, void *buf, size_t len)
{
	uint8_t *out = buf;

	if (d->pgt)
		return crash_vm_read(&d->vm, va, buf, len);
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));

		if (va < I386_PAGE_OFFSET || va >= I386_LOWMEM_END ||
		    crash_phys_read(d->c, va - I386_PAGE_OFFSET, out, n) != 0)
			return -EFAULT;
		va += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* One word of the crashed kernel at va into *v. */
static int vread_word(struct dm *d, uint64_t va, uint64_t *v)
{
	uint8_t b[8];

	if (vread(d, va, b, d->word) != 0)
		return -EFAULT;
	*v = get_le(b, d->word);
	return 0;
}

/* Remember the first doubtful thing of the pass (warned about once, at its end). */
static void doubt(struct dm *d, const char *what)
{
	if (!d->doubt)
		d->doubt = what;
}

/* Hand the buffered text to put. The time bound is on reading the crashed kernel's memory: the
 * time put takes (a TFTP transfer) moves the deadline. */
static void flush(struct dm *d)
{
	if (d->outn && d->rc == 0) {
		uint64_t t0 = clock_us();

		d->rc = d->put(d->ctx, d->out, d->outn);
		d->deadline += clock_us() - t0;
	}
	d->outn = 0;
}

static void emit(struct dm *d, const char *s, size_t n)
{
	while (n) {
		size_t k = MIN(n, OUT_MAX - d->outn);

		memcpy(d->out + d->outn, s, k);
		d->outn += k;
		d->st.bytes += k;
		s += k;
		n -= k;
		if (d->outn == OUT_MAX)
			flush(d);
	}
}

/* A byte of the text written as it is: printable, or a space other than '\n'. */
static bool plain(uint8_t ch)
{
	return ch != '\n' && ((ch >= 0x20 && ch < 0x7f) || (ch >= 0x09 && ch <= 0x0d));
}

/* One record as makedumpfile writes it: "[%5llu.%06lu] ", the text with each '\n' followed by
 * the prefix's width of spaces, bytes neither printable nor space as "\x%02x" of a signed char
 * (makedumpfile's "\xffffffc3" for 0xc3), then '\n'. Text unreadable part way: the line ends there
 * and the record counts as doubtful. */
static void record(struct dm *d, uint64_t ts_nsec, uint64_t text_va, uint32_t text_len)
{
	static const char spaces[] = "                                ";
	char head[48], esc[16];
	int hl = snprintf(head, sizeof(head), "[%5llu.%06lu] ", (unsigned long long)(ts_nsec / 1000000000u),
			  (unsigned long)(ts_nsec % 1000000000u / 1000u));

	emit(d, head, (size_t)hl);
	for (uint32_t at = 0; at < text_len;) {
		uint32_t n = MIN(text_len - at, TEXT_CHUNK);

		if (vread(d, text_va + at, d->text, n) != 0) {
			doubt(d, "record text unreadable");
			d->st.skipped++;
			break;
		}
		for (uint32_t i = 0, j; i < n; i = j) {
			uint8_t ch = d->text[i];

			/* a run of bytes written as they are, in one emit */
			for (j = i; j < n && plain(d->text[j]); j++)
				;
			if (j > i) {
				emit(d, (const char *)d->text + i, j - i);
				continue;
			}
			j = i + 1;
			if (ch == '\n') {
				emit(d, "\n", 1);
				emit(d, spaces, MIN((size_t)hl, sizeof(spaces) - 1));
				d->st.lines++;
			} else {
				emit(d, esc, (size_t)snprintf(esc, sizeof(esc), ch >= 0x80 ? "\\xffffff%02x" : "\\x%02x", ch));
			}
		}
		at += n;
	}
	emit(d, "\n", 1);
	d->st.lines++;
	d->st.records++;
}

/* Past the pass's time bound: the rest is left out (one doubt). */
static bool out_of_time(struct dm *d)
{
	if (clock_us() <= d->deadline)
		return false;
	doubt(d, "the walk took too long: the rest of the log is left out");
	return true;
}

/* --- Linux 5.10+: the lockless ring buffer (kernel/printk/printk_ringbuffer.c) ---------------- */

/* VMCOREINFO's description of it (log_buf_vmcoreinfo_setup), each read with its base. */
struct rb_vmi {
	uint64_t prb, rb_size, desc_ring, text_ring, count_bits, descs, infos, head_id, tail_id, counter;
	uint64_t desc_size, state_var, text_lpos, lpos_begin, lpos_next, info_size, ts_nsec, text_len;
	uint64_t size_bits, data;
};

static const struct vmi_key {
	const char *key;
	size_t at;
	int base;
} rb_keys[] = {
	{ "SYMBOL(prb)", offsetof(struct rb_vmi, prb), 16 },
	{ "SIZE(printk_ringbuffer)", offsetof(struct rb_vmi, rb_size), 10 },
	{ "OFFSET(printk_ringbuffer.desc_ring)", offsetof(struct rb_vmi, desc_ring), 10 },
	{ "OFFSET(printk_ringbuffer.text_data_ring)", offsetof(struct rb_vmi, text_ring), 10 },
	{ "OFFSET(prb_desc_ring.count_bits)", offsetof(struct rb_vmi, count_bits), 10 },
	{ "OFFSET(prb_desc_ring.descs)", offsetof(struct rb_vmi, descs), 10 },
	{ "OFFSET(prb_desc_ring.infos)", offsetof(struct rb_vmi, infos), 10 },
	{ "OFFSET(prb_desc_ring.head_id)", offsetof(struct rb_vmi, head_id), 10 },
	{ "OFFSET(prb_desc_ring.tail_id)", offsetof(struct rb_vmi, tail_id), 10 },
	{ "OFFSET(atomic_long_t.counter)", offsetof(struct rb_vmi, counter), 10 },
	{ "SIZE(prb_desc)", offsetof(struct rb_vmi, desc_size), 10 },
	{ "OFFSET(prb_desc.state_var)", offsetof(struct rb_vmi, state_var), 10 },
	{ "OFFSET(prb_desc.text_blk_lpos)", offsetof(struct rb_vmi, text_lpos), 10 },
	{ "OFFSET(prb_data_blk_lpos.begin)", offsetof(struct rb_vmi, lpos_begin), 10 },
	{ "OFFSET(prb_data_blk_lpos.next)", offsetof(struct rb_vmi, lpos_next), 10 },
	{ "SIZE(printk_info)", offsetof(struct rb_vmi, info_size), 10 },
	{ "OFFSET(printk_info.ts_nsec)", offsetof(struct rb_vmi, ts_nsec), 10 },
	{ "OFFSET(printk_info.text_len)", offsetof(struct rb_vmi, text_len), 10 },
	{ "OFFSET(prb_data_ring.size_bits)", offsetof(struct rb_vmi, size_bits), 10 },
	{ "OFFSET(prb_data_ring.data)", offsetof(struct rb_vmi, data), 10 },
};

/* Fill the fields of keys[0, n) into base. Returns NULL, or the first key missing. */
static const char *vmi_read(const struct crash *c, const struct vmi_key *keys, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++)
		if (crash_vmcoreinfo_num(c, keys[i].key, keys[i].base, (uint64_t *)((uint8_t *)base + keys[i].at)) != 0)
			return keys[i].key;
	return NULL;
}

/* The geometry of one ring, checked. */
struct rb {
	uint64_t descs, infos, data, count, size, idmask, head, tail;
};

/* Record id of the ring as makedumpfile's dump_record reads it: skipped silently when not
 * committed or finalized or without text (as makedumpfile and the kernel's readers do), as
 * doubtful when its blocks contradict each other. */
static void rb_record(struct dm *d, const struct rb_vmi *v, const struct rb *r, uint64_t id)
{
	uint64_t idx = id & (r->count - 1), sv, begin, next, blk_id, w = d->word;
	unsigned state;
	uint32_t text_len;

	if (vread(d, r->descs + idx * v->desc_size, d->desc, (size_t)v->desc_size) != 0) {
		doubt(d, "descriptor unreadable");
		d->st.skipped++;
		return;
	}
	sv = get_le(d->desc + v->state_var + v->counter, d->word);
	state = (unsigned)(sv >> (w * 8 - 2)) & 3u;
	if ((sv & r->idmask) != id || (state != DESC_COMMITTED && state != DESC_FINALIZED))
		return;
	begin = get_le(d->desc + v->text_lpos + v->lpos_begin, d->word) & (r->size - 1);
	next = get_le(d->desc + v->text_lpos + v->lpos_next, d->word) & (r->size - 1);
	if (begin == next)
		return;				/* a record without text */
	if (begin > next)
		begin = 0;			/* the block wrapped: its text is at the ring's start */
	if (next - begin < w) {
		doubt(d, "text block shorter than its id");
		d->st.skipped++;
		return;
	}
	if (vread(d, r->infos + idx * v->info_size, d->info, (size_t)v->info_size) != 0 ||
	    vread_word(d, r->data + begin, &blk_id) != 0) {
		doubt(d, "record unreadable");
		d->st.skipped++;
		return;
	}
	if ((blk_id & r->idmask) != id) {
		doubt(d, "text block of another record");
		d->st.skipped++;
		return;
	}
	begin += w;
	/* The kernel stores text_len in full and truncates the block: print what is there. */
	text_len = (uint32_t)MIN(get_le(d->info + v->text_len, 2), next - begin);
	record(d, get_le(d->info + v->ts_nsec, 8), r->data + begin, text_len);
}

/* The lockless ring buffer. Returns 0 after the walk, or -EINVAL when its description is unusable
 * (d->doubt says why). */
static int walk_lockless(struct dm *d, const struct rb_vmi *v)
{
	uint64_t w = d->word, rbp, n, id;
	struct rb r;

	if (!fits(v->desc_ring, 0, v->rb_size) || !fits(v->text_ring, 0, v->rb_size) ||
	    !fits(v->desc_ring + v->count_bits, 4, v->rb_size) || !fits(v->desc_ring + v->descs, w, v->rb_size) ||
	    !fits(v->desc_ring + v->infos, w, v->rb_size) || v->counter > 64 ||
	    !fits(v->desc_ring + v->head_id + v->counter, w, v->rb_size) ||
	    !fits(v->desc_ring + v->tail_id + v->counter, w, v->rb_size) ||
	    !fits(v->text_ring + v->size_bits, 4, v->rb_size) || !fits(v->text_ring + v->data, w, v->rb_size) ||
	    !fits(v->state_var + v->counter, w, v->desc_size) || v->text_lpos > VMI_STRUCT_MAX ||
	    !fits(v->text_lpos + v->lpos_begin, w, v->desc_size) || !fits(v->text_lpos + v->lpos_next, w, v->desc_size) ||
	    !fits(v->ts_nsec, 8, v->info_size) || !fits(v->text_len, 2, v->info_size)) {
		doubt(d, "VMCOREINFO's printk_ringbuffer sizes and offsets out of bounds");
		return -EINVAL;
	}
	if (vread_word(d, v->prb, &rbp) != 0 || vread(d, rbp, d->hdr, (size_t)v->rb_size) != 0) {
		doubt(d, "printk_ringbuffer unreadable");
		return -EINVAL;
	}
	n = get_le(d->hdr + v->desc_ring + v->count_bits, 4);
	r.count = 1ull << MIN(n, 63u);
	r.size = 1ull << MIN(get_le(d->hdr + v->text_ring + v->size_bits, 4), 63u);
	if (n == 0 || n > RB_COUNT_BITS_MAX || r.size < 2 * w || r.size > 1ull << RB_SIZE_BITS_MAX) {
		doubt(d, "printk_ringbuffer count_bits or size_bits out of bounds");
		return -EINVAL;
	}
	r.descs = get_le(d->hdr + v->desc_ring + v->descs, d->word);
	r.infos = get_le(d->hdr + v->desc_ring + v->infos, d->word);
	r.data = get_le(d->hdr + v->text_ring + v->data, d->word);
	r.idmask = (w == 8 ? ~0ull : 0xffffffffull) >> 2;
	r.head = get_le(d->hdr + v->desc_ring + v->head_id + v->counter, d->word);
	r.tail = get_le(d->hdr + v->desc_ring + v->tail_id + v->counter, d->word);
	if ((r.head | r.tail) & ~r.idmask) {
		doubt(d, "head or tail id with state bits");
		r.head &= r.idmask;
		r.tail &= r.idmask;
	}
	/* The kernel keeps tail within the ring behind head; further apart, only the ring's worth
	 * before head can be records. */
	n = ((r.head - r.tail) & r.idmask) + 1;
	if (n > r.count) {
		doubt(d, "head and tail ids further apart than the ring");
		r.tail = (r.head - r.count + 1) & r.idmask;
		n = r.count;
	}
	d->st.lockless = true;
	for (id = r.tail; n-- && d->rc == 0 && !out_of_time(d); id = (id + 1) & r.idmask)
		rb_record(d, v, &r, id);
	return 0;
}

/* --- Linux 3.5-5.9: log_buf of struct printk_log records (kernel/printk/printk.c) -------------- */

struct lb_vmi {
	uint64_t log_buf, log_buf_len, first_idx, next_idx, hsize, ts_nsec, len, text_len;
};

static const struct vmi_key lb_keys[] = {
	{ "SYMBOL(log_buf)", offsetof(struct lb_vmi, log_buf), 16 },
	{ "SYMBOL(log_buf_len)", offsetof(struct lb_vmi, log_buf_len), 16 },
	{ "SYMBOL(log_first_idx)", offsetof(struct lb_vmi, first_idx), 16 },
	{ "SYMBOL(log_next_idx)", offsetof(struct lb_vmi, next_idx), 16 },
};
/* The record's struct: "printk_log" since 3.11, "log" in 3.5-3.10 (makedumpfile reads both). */
static const struct vmi_key lb_struct_keys[2][4] = {
	{ { "SIZE(printk_log)", offsetof(struct lb_vmi, hsize), 10 },
	  { "OFFSET(printk_log.ts_nsec)", offsetof(struct lb_vmi, ts_nsec), 10 },
	  { "OFFSET(printk_log.len)", offsetof(struct lb_vmi, len), 10 },
	  { "OFFSET(printk_log.text_len)", offsetof(struct lb_vmi, text_len), 10 } },
	{ { "SIZE(log)", offsetof(struct lb_vmi, hsize), 10 },
	  { "OFFSET(log.ts_nsec)", offsetof(struct lb_vmi, ts_nsec), 10 },
	  { "OFFSET(log.len)", offsetof(struct lb_vmi, len), 10 },
	  { "OFFSET(log.text_len)", offsetof(struct lb_vmi, text_len), 10 } },
};

/* The records from log_first_idx to log_next_idx; a zero len marks the end of the buffer's
 * used part (the next record is at 0). Returns 0 after the walk, or -EINVAL when the buffer's
 * description is unusable. */
static int walk_log_buf(struct dm *d, const struct lb_vmi *v)
{
	uint64_t buf, blen, first, next, idx, steps, len;
	uint8_t b[3][4];
	bool wrapped = false;

	if (v->hsize > 64 || !fits(v->ts_nsec, 8, v->hsize) || !fits(v->len, 2, v->hsize) ||
	    !fits(v->text_len, 2, v->hsize)) {
		doubt(d, "VMCOREINFO's printk_log size and offsets out of bounds");
		return -EINVAL;
	}
	if (vread_word(d, v->log_buf, &buf) != 0 || vread(d, v->log_buf_len, b[0], 4) != 0 ||
	    vread(d, v->first_idx, b[1], 4) != 0 || vread(d, v->next_idx, b[2], 4) != 0) {
		doubt(d, "log_buf, log_buf_len or the indexes unreadable");
		return -EINVAL;
	}
	blen = get_le(b[0], 4);
	first = get_le(b[1], 4);
	next = get_le(b[2], 4);
	if (blen < v->hsize || blen > LOG_BUF_LEN_MAX || first > blen - v->hsize || next > blen - v->hsize) {
		doubt(d, "log_buf_len or the indexes out of bounds");
		return -EINVAL;
	}
	/* Every record is at least a header long: more steps than that means a cycle. */
	steps = blen / v->hsize + 2;
	for (idx = first; idx != next && d->rc == 0 && !out_of_time(d); idx += len) {
		if (steps-- == 0) {
			doubt(d, "records in a cycle");
			break;
		}
		if (idx > blen - v->hsize || vread(d, buf + idx, d->hdr, (size_t)v->hsize) != 0) {
			doubt(d, idx > blen - v->hsize ? "record index outside log_buf" : "record unreadable");
			break;
		}
		len = get_le(d->hdr + v->len, 2);
		if (len == 0) {			/* the end marker: the next record is at the start */
			if (wrapped || idx == 0) {
				doubt(d, "end marker twice");
				break;
			}
			wrapped = true;
			idx = 0;
			continue;
		}
		if (len < v->hsize || len > blen - idx) {
			doubt(d, "record length out of bounds");
			break;
		}
		if (get_le(d->hdr + v->text_len, 2) > len - v->hsize) {
			doubt(d, "text longer than its record");
			d->st.skipped++;
			continue;
		}
		record(d, get_le(d->hdr + v->ts_nsec, 8), buf + idx + v->hsize, (uint32_t)get_le(d->hdr + v->text_len, 2));
	}
	return 0;
}

/* --- the passes ---------------------------------------------------------------------------------- */

/* The one pass at a time (put never starts another) and what VMCOREINFO says of its log. */
static struct dm pass;
static struct rb_vmi pass_rv;
static struct lb_vmi pass_lv;

/* Which log c's VMCOREINFO describes, with what to read it: DESCRIBES_RING (rv filled),
 * DESCRIBES_LOG_BUF (lv filled) or DESCRIBES_NONE. The address translation goes into d. */
enum { DESCRIBES_NONE, DESCRIBES_RING, DESCRIBES_LOG_BUF };
static int describes(const struct crash *c, struct dm *d, struct rb_vmi *rv, struct lb_vmi *lv)
{
	uint64_t top, phys_base = 0, l5 = 0;

	if (c->vmcoreinfo_len == 0 || (c->machine != EM_X86_64 && c->machine != EM_386))
		return DESCRIBES_NONE;
	d->c = c;
	d->word = c->machine == EM_X86_64 ? 8 : 4;
	if (c->machine == EM_X86_64) {
		/* init_level4_pgt: its name before Linux 4.13 (the log_buf years) */
		if ((crash_vmcoreinfo_num(c, "SYMBOL(init_top_pgt)", 16, &top) != 0 &&
		     crash_vmcoreinfo_num(c, "SYMBOL(init_level4_pgt)", 16, &top) != 0) ||
		    crash_vmcoreinfo_num(c, "NUMBER(phys_base)", 10, &phys_base) != 0)
			return DESCRIBES_NONE;
		crash_vmcoreinfo_num(c, "NUMBER(pgtable_l5_enabled)", 10, &l5);
		crash_vm_init(&d->vm, c, top, phys_base, l5 == 1);
		d->pgt = true;
	}
	if (!vmi_read(c, rb_keys, ARRAY_SIZE(rb_keys), rv))
		return DESCRIBES_RING;
	if (!vmi_read(c, lb_keys, ARRAY_SIZE(lb_keys), lv) &&
	    (!vmi_read(c, lb_struct_keys[0], 4, lv) || !vmi_read(c, lb_struct_keys[1], 4, lv)))
		return DESCRIBES_LOG_BUF;
	return DESCRIBES_NONE;
}

/* See dmesg.h. */
int dmesg_write(const struct crash *c, dmesg_put_fn put, void *ctx, bool warn, struct dmesg_stats *st)
{
	struct dm *d = &pass;
	int rc, kind;

	memset(d, 0, sizeof(*d));
	memset(st, 0, sizeof(*st));
	kind = describes(c, d, &pass_rv, &pass_lv);
	if (kind == DESCRIBES_NONE)
		return -ENOENT;
	d->put = put;
	d->ctx = ctx;
	d->deadline = clock_us() + DMESG_TIME_US;
	rc = kind == DESCRIBES_RING ? walk_lockless(d, &pass_rv) : walk_log_buf(d, &pass_lv);
	flush(d);
	*st = d->st;
	if (warn && d->doubt) {
		if (rc != 0)
			log_warn("dmesg: the crashed kernel's log is not shown: %s", d->doubt);
		else if (d->st.skipped)
			log_warn("dmesg: %u doubtful records of the crashed kernel's log left out (first: %s)",
				 d->st.skipped, d->doubt);
		else
			log_warn("dmesg: part of the crashed kernel's log left out: %s", d->doubt);
	}
	return rc ? rc : d->rc;
}

/* The console's pass: count the lines, or log those from line first on. */
struct show {
	uint64_t line, first;
	bool counting;
	size_t n;
	char buf[DMESG_CONSOLE_COLS + 1];
};

static int show_put(void *ctx, const char *buf, size_t len)
{
	struct show *s = ctx;

	/* line by line (memchr), each line's start kept up to DMESG_CONSOLE_COLS when shown */
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t k = nl ? (size_t)(nl - buf) : len;
		bool shown = !s->counting && s->line >= s->first;

		if (shown) {
			size_t m = MIN(k, DMESG_CONSOLE_COLS - s->n);

			memcpy(s->buf + s->n, buf, m);
			s->n += m;
		}
		if (!nl)
			break;
		if (shown) {
			s->buf[s->n] = 0;
			log_info("dmesg: %s", s->buf);
		}
		s->n = 0;
		s->line++;
		buf = nl + 1;
		len -= k + 1;
	}
	return 0;
}

/* See dmesg.h. */
void dmesg_show(const struct crash *c, unsigned n)
{
	static struct show s;
	struct dmesg_stats st;
	uint64_t t0 = clock_us(), ms;
	int rc;

	if (n == 0)
		return;
	memset(&s, 0, sizeof(s));
	s.counting = true;
	rc = dmesg_write(c, show_put, &s, true, &st);
	ms = (clock_us() - t0) / 1000;
	if (rc == -ENOENT) {
		log_info("dmesg: %s: the crashed kernel's log is not shown",
			 c->vmcoreinfo_len ? "VMCOREINFO describes no printk buffer this reader knows" : "no VMCOREINFO");
		return;
	}
	if (rc != 0)
		return;
	log_info("dmesg: the crashed kernel's log (%s): %u records, %llu lines, read in %llu ms%s",
		 st.lockless ? "printk_ringbuffer" : "log_buf", st.records, (unsigned long long)st.lines,
		 (unsigned long long)ms, st.lines > n ? "; the last ones:" : ":");
	s.first = st.lines > n ? st.lines - n : 0;
	s.line = 0;
	s.counting = false;
	dmesg_write(c, show_put, &s, false, &st);
}

static int side_produce(const void *ctx, int (*put)(void *pctx, const char *buf, size_t len), void *pctx)
{
	struct dmesg_stats st;

	return dmesg_write(ctx, put, pctx, false, &st);
}

/* See dmesg.h. */
const struct side_file *dmesg_side_file(const struct crash *c)
{
	static struct side_file side;

	memset(&pass, 0, sizeof(pass));
	if (describes(c, &pass, &pass_rv, &pass_lv) == DESCRIBES_NONE)
		return NULL;
	side = (struct side_file){ .suffix = ".dmesg", .produce = side_produce, .ctx = c };
	return &side;
}
