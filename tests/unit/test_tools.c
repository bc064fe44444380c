/* The host tools (salvage-recv, salvage-mkcorehdr) on hostile input, built with UBSan and run as
 * child processes under a timeout and a file-size limit: exit status, peak memory, what they say. */
/* unit-sources: dump/frame.c lib/sha256.c */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump/frame.h"
#include "lib/sha256.h"
#include "ok.h"

#define DIR "build/unit/tools"
#define RECV DIR "/salvage-recv"
#define MKCOREHDR DIR "/salvage-mkcorehdr"
#define UBSAN "-fsanitize=undefined -fno-sanitize-recover=all"
#define TIME_LIMIT_S 30
#define FILE_LIMIT (64ull << 20)	/* a tool writing more than this is stopped (SIGXFSZ) */
#define RSS_LIMIT_KB (64 << 10)

/* How a child ended. */
struct outcome {
	int status;		/* exit code, or 128 + signal, or -1 when it ran past TIME_LIMIT_S */
	long rss_kb;		/* peak resident memory */
	double secs;
};

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	b[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

/* Run argv with stdout and stderr to out/err, files limited to FILE_LIMIT bytes, killed after
 * TIME_LIMIT_S seconds. */
static struct outcome run(char *const argv[], const char *out, const char *err)
{
	struct outcome o = { -1, 0, 0 };
	struct timespec t0, t1;
	struct rusage ru;
	int st;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		struct rlimit fs = { FILE_LIMIT, FILE_LIMIT };

		setrlimit(RLIMIT_FSIZE, &fs);
		if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
			_exit(126);
		alarm(TIME_LIMIT_S);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return o;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o.secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	o.rss_kb = ru.ru_maxrss;
	if (WIFEXITED(st))
		o.status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		o.status = -1;
	else
		o.status = 128 + WTERMSIG(st);
	return o;
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* ---- salvage-recv ---- */

static char cap[1 << 16];
static size_t cap_len;

static void add(const char *line, size_t n)
{
	memcpy(cap + cap_len, line, n);
	cap_len += n;
}

/* salvage-recv on cap[0, cap_len); its stderr in *err (to free). */
static struct outcome recv_cap(const char *name, char **err)
{
	char in[256], out[256], errp[256];
	struct outcome o;

	snprintf(in, sizeof(in), DIR "/%s.log", name);
	snprintf(out, sizeof(out), DIR "/%s.out", name);
	snprintf(errp, sizeof(errp), DIR "/%s.err", name);
	spit(in, cap, cap_len);
	o = run((char *const[]){ RECV, "--timeout", "0", "-o", out, in, NULL }, "/dev/null", errp);
	*err = slurp(errp, NULL);
	return o;
}

static bool bounded(struct outcome o)
{
	return o.status >= 0 && o.status < 128 && o.rss_kb < RSS_LIMIT_KB;
}

/* A small real capture: header, data frames of a 20000-byte file, end frame with its digest.
 * with_header 0 leaves the header line out. */
static void real_dump(uint8_t *file, size_t len, bool with_header)
{
	static struct frame_enc e;
	char line[FRAME_LINE_MAX];
	uint8_t dg[SHA256_DIGEST_SIZE];
	struct sha256 h;
	size_t n, used;

	frame_enc_init(&e, FRAME_RUNS | FRAME_LZ);
	n = frame_header(&e, len, 0x5a1fa6e0, line);
	if (with_header)
		add(line, n);
	for (size_t off = 0; off < len; off += used) {
		n = frame_data(&e, off, file + off, len - off, off < FRAME_WINDOW ? off : FRAME_WINDOW, &used, line);
		add(line, n);
	}
	sha256_init(&h);
	sha256_update(&h, file, len);
	sha256_final(&h, dg);
	n = frame_end(&e, len, dg, line);
	add(line, n);
}

static void test_recv(void)
{
	/* From issue 8's coverage-guided run: a valid data frame, a byte run of 2^40 bytes. */
	static const char huge_run[] = "$S1;rmACQAU5(0[NP#|?_2!0,m}mur\n";
	static uint8_t file[20000];
	struct frame f;
	const char *why;
	struct outcome o;
	char *err, line[FRAME_LINE_MAX];
	static struct frame_enc e;
	size_t n;

	ok(frame_parse(huge_run, sizeof(huge_run) - 2, &f, &why) == 0 && f.type == FRAME_DATA &&
	   f.len == 1ull << 40, "the issue's line is a valid data frame of 2^40 bytes");
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 131 / 7);

	cap_len = 0;
	add(huge_run, sizeof(huge_run) - 1);
	o = recv_cap("huge-run", &err);
	ok(bounded(o) && o.status == 1 && file_size(DIR "/huge-run.out") == 0 && strstr(err, "not written"),
	   "a 2^40-byte data frame with no header: exit %d in %.1f s, %ld KiB, output %lld bytes, not written",
	   o.status, o.secs, o.rss_kb, (long long)file_size(DIR "/huge-run.out"));
	free(err);

	/* The same line before a real dump: dropped when the header starts the dump. */
	cap_len = 0;
	add(huge_run, sizeof(huge_run) - 1);
	real_dump(file, sizeof(file), true);
	o = recv_cap("huge-run-then-dump", &err);
	ok(bounded(o) && o.status == 0 && file_size(DIR "/huge-run-then-dump.out") == sizeof(file) &&
	   strstr(err, "complete:"), "the line before a real dump: exit %d, %ld KiB, the dump complete",
	   o.status, o.rss_kb);
	free(err);

	/* A dump whose header line was lost still comes out whole: the end frame gives the size. */
	cap_len = 0;
	real_dump(file, sizeof(file), false);
	o = recv_cap("no-header", &err);
	ok(bounded(o) && o.status == 0 && strstr(err, "header frame missing") && strstr(err, "complete:"),
	   "header line lost: exit %d, the dump complete from the end frame's size", o.status);
	free(err);

	/* Sequence numbers near 2^32 cost no memory: a data frame with seq 0xffffffff after a header,
	 * and an end frame with seq 0xffffffff (4 billion frames lost, counted without walking them). */
	cap_len = 0;
	frame_enc_init(&e, FRAME_RUNS);
	n = frame_header(&e, 4096, 1, line);
	add(line, n);
	e.seq = 0xffffffffu;
	n = frame_run(&e, 0, 0x55, 4096, line);
	add(line, n);
	o = recv_cap("seq-max", &err);
	ok(bounded(o) && o.status == 1, "data frame seq 0xffffffff: exit %d, %ld KiB", o.status, o.rss_kb);
	free(err);
	cap_len = 0;
	frame_enc_init(&e, FRAME_RUNS);
	n = frame_header(&e, 4096, 1, line);
	add(line, n);
	n = frame_run(&e, 0, 0x55, 4096, line);
	add(line, n);
	e.seq = 0xffffffffu;
	{
		uint8_t dg[SHA256_DIGEST_SIZE];
		uint8_t page[4096];
		struct sha256 h;

		memset(page, 0x55, sizeof(page));
		sha256_init(&h);
		sha256_update(&h, page, sizeof(page));
		sha256_final(&h, dg);
		n = frame_end(&e, 4096, dg, line);
	}
	add(line, n);
	o = recv_cap("end-seq-max", &err);
	ok(bounded(o) && o.status == 0 && o.secs < 10 && strstr(err, "4294967293 of 4294967296 frames lost"),
	   "end frame seq 0xffffffff: exit %d in %.1f s, %ld KiB, the lost frames counted", o.status, o.secs,
	   o.rss_kb);
	free(err);
}

/* ---- salvage-mkcorehdr ---- */

static void mkdirs(const char *root, const char *const *dirs)
{
	char p[512];

	for (; *dirs; dirs++) {
		snprintf(p, sizeof(p), "%s%s", root, *dirs);
		mkdir(p, 0755);
	}
}

static void put_file(const char *root, const char *path, const void *p, size_t n)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", root, path);
	spit(full, p, n);
}

static void test_mkcorehdr(void)
{
	static const char *const dirs[] = { "", "/proc", "/sys", "/sys/kernel", "/sys/devices",
					     "/sys/devices/system", "/sys/devices/system/cpu", NULL };
	static const char iomem[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009fbff : System RAM\n"
		"00100000-07ffffff : System RAM\n"
		"  01000000-01ffffff : Kernel code\n"
		"00000000-ffffffffffffffff : System RAM\n"
		"100000000-1fffffffffffffffff : System RAM\n";
	static const char desc[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	static uint8_t kcore[8192];
	const char *root = DIR "/sysroot";
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	char vmci[64], *err, *out;
	size_t out_len;
	struct outcome o;
	uint32_t w;
	int loads = 0, empty = 0;

	mkdirs(root, dirs);
	put_file(root, "/proc/iomem", iomem, strlen(iomem));
	/* /proc/kcore: program headers at e_phoff 65 (not a multiple of 8), one direct-map PT_LOAD
	 * whose page at file offset 4096 holds the VMCOREINFO note at physical 0x1000. */
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_CORE;
	eh.e_phoff = 65;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 1;
	memcpy(kcore, &eh, sizeof(eh));
	ph.p_type = PT_LOAD;
	ph.p_vaddr = 0xffff888000000000ull;
	ph.p_offset = 0;
	ph.p_filesz = ph.p_memsz = 0x100000;
	memcpy(kcore + 65, &ph, sizeof(ph));
	w = 11;
	memcpy(kcore + 4096, &w, 4);
	w = sizeof(desc) - 1;
	memcpy(kcore + 4100, &w, 4);
	memcpy(kcore + 4108, "VMCOREINFO", 11);
	memcpy(kcore + 4120, desc, sizeof(desc) - 1);
	put_file(root, "/proc/kcore", kcore, sizeof(kcore));
	snprintf(vmci, sizeof(vmci), "1000 %zx\n", 24 + sizeof(desc) - 1);
	put_file(root, "/sys/kernel/vmcoreinfo", vmci, strlen(vmci));

	o = run((char *const[]){ MKCOREHDR, "--sysroot", (char *)root, "-o", DIR "/corehdr", NULL }, "/dev/null",
		DIR "/mkcorehdr.err");
	err = slurp(DIR "/mkcorehdr.err", NULL);
	out = slurp(DIR "/corehdr", &out_len);
	if (out_len >= sizeof(eh)) {
		memcpy(&eh, out, sizeof(eh));
		for (int i = 0; i < eh.e_phnum && sizeof(eh) + (i + 1) * sizeof(ph) <= out_len; i++) {
			memcpy(&ph, out + sizeof(eh) + i * sizeof(ph), sizeof(ph));
			loads += ph.p_type == PT_LOAD;
			empty += ph.p_type == PT_LOAD && ph.p_memsz == 0;
		}
	}
	ok(bounded(o) && o.status == 0 && !strstr(err, "runtime error"),
	   "mkcorehdr with /proc/kcore phdrs at offset 65: exit %d, no UBSan report (%s)", o.status,
	   strstr(err, "runtime error") ? strstr(err, "runtime error") : "none");
	ok(loads == 2 && empty == 0 && strstr(err, "reaches the end of the 64-bit space") &&
	   strstr(err, "does not fit 64 bits"),
	   "iomem 0-ffffffffffffffff and a 68-bit end: refused with a warning, no zero-size PT_LOAD "
	   "(%d PT_LOADs, %d empty)", loads, empty);
	free(err);
	free(out);

	o = run((char *const[]){ MKCOREHDR, "--sysroot", (char *)root, "--vmcoreinfo", NULL }, DIR "/vmci.out",
		DIR "/vmci.err");
	out = slurp(DIR "/vmci.out", NULL);
	err = slurp(DIR "/vmci.err", NULL);
	ok(bounded(o) && o.status == 0 && strcmp(out, desc) == 0 && !strstr(err, "runtime error"),
	   "mkcorehdr --vmcoreinfo through the misaligned phdrs: exit %d, note text read", o.status);
	free(out);
	free(err);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (system("mkdir -p " DIR " && "
		   "gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter " UBSAN " -I. -o " RECV
		   " tools/salvage-recv.c dump/frame.c lib/sha256.c && "
		   "gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter " UBSAN " -I. -o " MKCOREHDR
		   " tools/salvage-mkcorehdr.c") != 0) {
		ok(0, "building the tools with UBSan");
		return ok_done();
	}
	test_recv();
	test_mkcorehdr();
	return ok_done();
}
