/* Test helper for the real-crash tests: a known 16 MiB pattern, either written to a file (host side,
 * for the checker) or kept in locked memory of a running process (guest side) until it is killed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u

/* Fill one 4 KiB page: splitmix64 seeded by (seed, page index), so every page is different and the
 * same seed always gives the same bytes. The first 16 bytes name the page for humans. */
static void fill_page(uint8_t *p, uint64_t seed, uint64_t index)
{
	uint64_t x = seed ^ (index * 0x9E3779B97F4A7C15ull);
	size_t i;

	for (i = 0; i < PAGE; i += 8) {
		uint64_t z = (x += 0x9E3779B97F4A7C15ull);

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		z ^= z >> 31;
		memcpy(p + i, &z, 8);
	}
	snprintf((char *)p, 16, "PAT%012llx", (unsigned long long)index);
}

int main(int argc, char **argv)
{
	uint64_t seed, mib, pages, i;
	uint8_t *buf;

	if (argc < 4 || (strcmp(argv[1], "write") != 0 && strcmp(argv[1], "hold") != 0)) {
		fprintf(stderr, "usage: pattern write SEED MIB FILE | pattern hold SEED MIB\n");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	mib = strtoull(argv[3], NULL, 0);
	pages = mib * 256;
	if (mib == 0 || mib > 1024)
		return 2;
	buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("pattern: mmap");
		return 1;
	}
	for (i = 0; i < pages; i++)
		fill_page(buf + i * PAGE, seed, i);
	if (argv[1][0] == 'w') {
		FILE *f = argc > 4 ? fopen(argv[4], "wb") : NULL;

		if (!f || fwrite(buf, PAGE, pages, f) != pages || fclose(f) != 0) {
			perror("pattern: write");
			return 1;
		}
		return 0;
	}
	if (mlock(buf, pages * PAGE) != 0)
		perror("pattern: mlock (pages stay resident anyway: no swap)");
	printf("pattern: %llu MiB held at virtual %p", (unsigned long long)mib, (void *)buf);
	{
		/* Physical addresses of pages 0 and 1 (/proc/self/pagemap: PFN in bits 0-54 for root), for
		 * tests that point a crash-note header at pattern bytes to corrupt it. */
		int fd = open("/proc/self/pagemap", O_RDONLY);
		uint64_t e[2];

		if (fd >= 0 && pread(fd, e, sizeof(e), (off_t)((uintptr_t)buf / PAGE * 8)) == sizeof(e) &&
		    (e[0] >> 63) && (e[1] >> 63))
			printf(", physical page0 0x%llx page1 0x%llx",
			       (unsigned long long)((e[0] & ((1ull << 55) - 1)) * PAGE),
			       (unsigned long long)((e[1] & ((1ull << 55) - 1)) * PAGE));
		if (fd >= 0)
			close(fd);
	}
	printf("\n");
	fflush(stdout);
	for (;;)
		pause();
}
