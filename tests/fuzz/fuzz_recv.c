/* libFuzzer target: tools/salvage-recv.c's reader (read_input, take_line, take_frame, finish) on
 * any console capture, writing the dump to a memory file of at most 64 MiB, then its --unflatten
 * reader on the same bytes as a flattened kdump stream (written to /dev/null). The tool is compiled
 * here unchanged: its main() renamed out of the way, and its exit() (die: an I/O error) returning
 * to the next input when the file limit stopped a dump whose frames declared more than that. */
/* fuzz-sources: dump/frame.c lib/sha256.c */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdlib.h>

#define FILE_LIMIT (64 << 20)

static jmp_buf died;
static void fuzz_exit(int status) __attribute__((noreturn));

#define main salvage_recv_main
#define exit fuzz_exit
#include "tools/salvage-recv.c"
#undef exit
#undef main

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "fuzz.h"

/* Only a dump declared larger than the file limit may end in die(): anything else written past it
 * came from frames no header bounded. */
static void fuzz_exit(int status)
{
	FUZZ_ASSERT(st.have_size && st.size > FILE_LIMIT);
	longjmp(died, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	struct frame *pend;

	if (in < 0) {
		/* a frame may rightly claim a terabyte: the file stops at 64 MiB (writes fail, die()) */
		struct rlimit fsize = { FILE_LIMIT, FILE_LIMIT };
		struct stat err, null;

		FUZZ_ASSERT(setrlimit(RLIMIT_FSIZE, &fsize) == 0);
		/* The tool's messages cost three writes each on an unbuffered stderr: buffered instead
		 * when they go nowhere (-close_fd_mask=2 puts /dev/null there). */
		if (fstat(2, &err) == 0 && stat("/dev/null", &null) == 0 && S_ISCHR(err.st_mode) &&
		    err.st_rdev == null.st_rdev)
			setvbuf(stderr, NULL, _IOFBF, 1 << 16);
		signal(SIGXFSZ, SIG_IGN);
		in = memfd_create("capture", 0);
		out = memfd_create("vmcore", 0);
		FUZZ_ASSERT(in >= 0 && out >= 0);
	}
	FUZZ_ASSERT(ftruncate(in, 0) == 0 && ftruncate(out, 0) == 0);
	FUZZ_ASSERT(pwrite(in, data, size, 0) == (ssize_t)size && lseek(in, 0, SEEK_SET) == 0);
	/* The held-frame array (15 MiB, allocated by the first frame before a header) is kept for the
	 * next input: a fresh one each time costs far more under ASan than the parse. */
	pend = st.pend;
	memset(&st, 0, sizeof(st));
	st.pend = pend;
	st.fd = out;
	opt.out_name = "vmcore";
	opt.timeout = 0;	/* stop at the end of the capture */
	if (setjmp(died) == 0) {
		read_input(in, "capture");
		finish();
	}
	FUZZ_ASSERT(lseek(in, 0, SEEK_SET) == 0);
	unflatten(in, "capture", "/dev/null");
	/* freed here, not at the next input: libFuzzer takes more mallocs than frees for a leak and
	 * runs LeakSanitizer's whole-heap scan on the input */
	free(st.seqs.r);
	free(st.bytes.r);
	st.seqs.r = st.bytes.r = NULL;
	return 0;
}
