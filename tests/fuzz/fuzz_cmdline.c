/* libFuzzer target: lib/cmdline.c on any command line (the bytes up to CMDLINE_MAX, NUL-terminated). */
/* fuzz-sources: lib/cmdline.c lib/memparse.c */
#include "fuzz.h"
#include "lib/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[CMDLINE_MAX + 64];
	static struct config cfg;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = 0;
	log_reset();
	cmdline_parse(line, &cfg);
	return 0;
}
