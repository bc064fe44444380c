/* libFuzzer target: dump/dmesg.c (the crashed kernel's log) on a small crashed machine described by
 * the input: its VMCOREINFO and everything in its 1 MiB of RAM (page tables, the ring buffer or
 * log_buf, their pointers and text), as tests/unit/test_dmesg.c lays one out. Input: flags byte
 * (bit 0: an i386 kernel, else x86_64; bits 1-7: salvage.dmesg= lines for the console pass), u16
 * VMCOREINFO length and text, then patches over zeroed RAM: u32 address, u16 length, u8 k and k
 * bytes repeated over the length (k 0: zeros). Checked beyond memory safety: the pass ends, its
 * counts match the text it gave, and the text is only printable bytes, spaces and '\n'. */
/* fuzz-sources: dump/dmesg.c dump/crash.c */
#include "dump/dmesg.h"
#include "fuzz.h"

#define RAM_SIZE (1u << 20)
#define LOOK_US (20u * 1000u)		/* the fake clock per look: the 2 s bound after ~100 records */

static uint8_t ram[RAM_SIZE];

struct out {
	uint64_t bytes, lines;
};

static int count(void *ctx, const char *buf, size_t len)
{
	struct out *o = ctx;

	for (size_t i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)buf[i];

		FUZZ_ASSERT((ch >= 0x20 && ch < 0x7f) || (ch >= 0x09 && ch <= 0x0d));
		o->lines += ch == '\n';
	}
	o->bytes += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crash c;
	const uint8_t *p = data + 3, *end = data + size;
	struct dmesg_stats st;
	struct out o = { 0, 0 };
	size_t n;
	int rc;

	if (size < 3 || (n = (size_t)(data[1] | data[2] << 8)) > (size_t)(end - p) || n > CRASH_NOTES_MAX)
		return -1;
	memset(&c, 0, sizeof(c));
	c.machine = data[0] & 1 ? 3 : 62;
	c.elfclass = data[0] & 1 ? 1 : 2;
	c.nloads = 1;
	c.loads[0] = (struct crash_load){ .paddr = 0, .memsz = RAM_SIZE, .filesz = RAM_SIZE, .src = 0 };
	memcpy(c.notes, p, n);
	c.notes_size = c.vmcoreinfo_len = (uint32_t)n;
	p += n;
	fuzz_patch_ram(ram, RAM_SIZE, p, end);
	fakemem_reset();
	fakemem_map(0, ram, RAM_SIZE);
	log_reset();
	fake_us_per_look = LOOK_US;
	rc = dmesg_write(&c, count, &o, true, &st);
	FUZZ_ASSERT(rc == 0 || rc == -ENOENT || rc == -EINVAL);
	FUZZ_ASSERT(st.bytes == o.bytes && st.lines == o.lines);
	FUZZ_ASSERT(rc != 0 || st.lines >= st.records);
	dmesg_show(&c, data[0] >> 1);
	fake_us_per_look = 0;
	return 0;
}
