/* libFuzzer target: tools/salvage-mkcorehdr.c's readers of /proc/iomem, /proc/kallsyms, /proc/kcore,
 * /sys/kernel/vmcoreinfo and the CPUs' crash_notes, and the header it builds from them (both modes).
 * The input is those files' contents, separated by lines "@@" in the order of files[] below (a file
 * past the last section is absent). The tool is compiled here unchanged: its main() renamed, and
 * its fopen served from the input. */
/* fuzz-sources: */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

static FILE *fuzz_fopen(const char *path, const char *mode);
static int fuzz_fclose(FILE *f);
#define main salvage_mkcorehdr_main
#define fopen fuzz_fopen
#define fclose fuzz_fclose
#include "tools/salvage-mkcorehdr.c"
#undef fclose
#undef fopen
#undef main

#include "fuzz.h"

#define ROOT "/fuzz"
static const char *const files[] = {
	"/proc/iomem", "/proc/kallsyms", "/proc/kcore", "/sys/kernel/vmcoreinfo",
	"/sys/devices/system/cpu/cpu0/crash_notes", "/sys/devices/system/cpu/cpu0/crash_notes_size",
	"/sys/devices/system/cpu/cpu1/crash_notes", "/sys/devices/system/cpu/cpu1/crash_notes_size",
};
#define NFILES (sizeof(files) / sizeof(files[0]))
static const uint8_t *sec[NFILES];
static size_t sec_len[NFILES];
static int nsec;

/* stdio buffers for the open files (the tool has one open at a time): a fresh 4 KiB malloc per
 * fopen, filled and soon quarantined by ASan, cost more than the parsing. */
static struct {
	FILE *f;
	char buf[BUFSIZ];
} bufs[4];

static FILE *buffered(FILE *f)
{
	for (size_t i = 0; f && i < sizeof(bufs) / sizeof(bufs[0]); i++)
		if (!bufs[i].f) {
			FUZZ_ASSERT(setvbuf(f, bufs[i].buf, _IOFBF, sizeof(bufs[i].buf)) == 0);
			bufs[i].f = f;
			break;
		}
	return f;
}

static int fuzz_fclose(FILE *f)
{
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		if (bufs[i].f == f)
			bufs[i].f = NULL;
	return fclose(f);
}

static FILE *fuzz_fopen(const char *path, const char *mode)
{
	size_t i;

	if (mode[0] != 'r' || strncmp(path, ROOT, strlen(ROOT)) != 0)
		return buffered(fopen(path, mode));
	path += strlen(ROOT);
	for (i = 0; i < NFILES && (int)i < nsec; i++)
		if (strcmp(path, files[i]) == 0)
			return buffered(sec_len[i] ? fmemopen((void *)sec[i], sec_len[i], "r") : fopen("/dev/null", "r"));
	/* cpuN/uevent exists when cpuN's crash_notes does */
	for (i = 4; i < NFILES && (int)i < nsec; i += 2) {
		size_t l = strlen(files[i]) - strlen("crash_notes");

		if (strncmp(path, files[i], l) == 0 && strcmp(path + l, "uevent") == 0)
			return buffered(fopen("/dev/null", "r"));
	}
	errno = ENOENT;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char arg0[] = "salvage-mkcorehdr", o[] = "-o", null[] = "/dev/null", r[] = "--sysroot",
		    root[] = ROOT, v[] = "--vmcoreinfo";
	char *argv_hdr[] = { arg0, o, null, r, root, NULL }, *argv_vmci[] = { arg0, r, root, v, NULL };
	const uint8_t *p = data, *end = data + size;

	for (nsec = 0; nsec < (int)NFILES && p <= end; nsec++) {
		const uint8_t *q = memmem(p, (size_t)(end - p), "\n@@\n", 4);

		sec[nsec] = p;
		sec_len[nsec] = (size_t)((q ? q + 1 : end) - p);	/* the newline stays with the file */
		p = q ? q + 4 : end + 1;
	}
	kcore_len = 0;
	optind = 0;
	salvage_mkcorehdr_main(5, argv_hdr);
	kcore_len = 0;
	optind = 0;
	salvage_mkcorehdr_main(4, argv_vmci);
	return 0;
}
