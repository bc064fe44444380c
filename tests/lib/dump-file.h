/* For the host harnesses in tests/lib: a dump file on disk as a crash's "physical memory". A
 * /proc/vmcore-layout file is then its own elfcorehdr (its PT_LOADs' p_offset are where their bytes
 * are), so salvage's dump code reads it as it reads a crashed machine. */
#ifndef TESTS_LIB_DUMP_FILE_H
#define TESTS_LIB_DUMP_FILE_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/crash.h"
#include "shim.h"

/* Map path read-only as physical memory from address 0 and describe the crash it holds into c.
 * Returns 0, or 1 after a message on stderr. */
static inline int dump_file_map(const char *path, struct crash *c)
{
	struct stat st;
	void *mem;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		return 1;
	}
	if (st.st_size == 0) {
		fprintf(stderr, "%s: empty, no dump in it\n", path);
		close(fd);
		return 1;
	}
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	fakemem_map(0, mem, (size_t)st.st_size);
	if (crash_from_elfcorehdr(c, 0, (uint64_t)st.st_size) != 0) {
		fprintf(stderr, "%s: salvage cannot read it as an ELF core file (see its log above)\n", path);
		return 1;
	}
	return 0;
}

#endif
