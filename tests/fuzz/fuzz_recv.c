/* libFuzzer target: tools/salvage-recv.c's reader (read_input, take_line, take_frame, finish) on
 * any console capture, writing the dump to a memory file. The tool is compiled here unchanged,
 * its main() renamed out of the way. */
/* fuzz-sources: dump/frame.c lib/sha256.c */
#define main salvage_recv_main
#include "tools/salvage-recv.c"
#undef main

#include <sys/mman.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;

	if (in < 0) {
		in = memfd_create("capture", 0);
		out = memfd_create("vmcore", 0);
		FUZZ_ASSERT(in >= 0 && out >= 0);
	}
	FUZZ_ASSERT(ftruncate(in, 0) == 0 && ftruncate(out, 0) == 0);
	FUZZ_ASSERT(pwrite(in, data, size, 0) == (ssize_t)size && lseek(in, 0, SEEK_SET) == 0);
	free(st.seen);
	free(st.r);
	memset(&st, 0, sizeof(st));
	st.fd = out;
	opt.out_name = "vmcore";
	opt.timeout = 0;	/* stop at the end of the capture */
	read_input(in, "capture");
	finish();
	return 0;
}
