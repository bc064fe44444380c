/* salvage's main line: from the boot information to a dump sent to the first target that takes it.
 * Called by boot/entry.asm once salvage has relocated itself and has a stack, GDT and IDT. */
#include "arch/cpu.h"
#include "arch/smp.h"
#include "crypto/random.h"
#include "drivers/console.h"
#include "drivers/iommu.h"
#include "dump/crash.h"
#include "dump/dmesg.h"
#include "dump/format.h"
#include "lib/cmdline.h"
#include "lib/lib.h"
#include "lib/log.h"
#include "mm/memmap.h"
#include "net/net.h"

static struct bootinfo bootinfo;
static struct config config;
static struct crash crash;
static struct filter filter;
static struct format_job job;
static const struct format *format;

/* Pick what to dump: the elfcorehdr (command line, else a multiboot module), else the memory map.
 * A corrupt header is reported and the memory map serves instead: a dump is still made. */
static void describe_dump(void)
{
	if (config.have_elfcorehdr) {
		if (crash_from_elfcorehdr(&crash, config.elfcorehdr_addr, config.elfcorehdr_size) == 0)
			return;
		log_warn("elfcorehdr at 0x%llx unusable; dumping the memory map instead",
			 (unsigned long long)config.elfcorehdr_addr);
	} else if (bootinfo.nmodules > 0) {
		const struct module *m = &bootinfo.modules[0];

		if (crash_from_elfcorehdr(&crash, m->start, m->end - m->start) == 0)
			return;
		log_warn("ELF core header module unusable; dumping the memory map instead");
	} else {
		log_info("no elfcorehdr: dumping all RAM in the memory map");
	}
	crash_from_memmap(&crash, &bootinfo.map, config.backups, config.nbackups);
}

/* Lay out the file of dump.format= (the elf format when this build has no such format or it cannot
 * make one; the memory map when not even the elf format can take the crash's header). */
static void prepare_dump(void)
{
	job = (struct format_job){ .crash = &crash, .level = config.dump_level, .cfg = &config, .filter = &filter,
				   .side = dmesg_side_file(&crash) };
	format = format_find(config.dump_format);
	if (!format) {
		log_warn("dump.format=%s is not in this build; sending the elf format", dump_format_names[config.dump_format]);
		format = format_find(FORMAT_ELF);
	}
	if (format->prepare(&job) == 0)
		return;
	if (format->id != FORMAT_ELF) {
		log_warn("dump.format=%s cannot be made; sending the elf format", format->name);
		format = format_find(FORMAT_ELF);
		if (format->prepare(&job) == 0)
			return;
	}
	log_warn("the crash's header does not fit the elf format; dumping the memory map instead");
	crash_from_memmap(&crash, &bootinfo.map, config.backups, config.nbackups);
	format->prepare(&job);
}

/* Send the dump to target i (0-based) with CPU exceptions caught: an exception inside it is
 * reported and counts as the target's failure (-EIO). salvage.fault=<i+1> provokes one. */
static int try_target(int i, const struct dump_target *t)
{
	int rc;

	if (cpu_catch_exceptions() != 0) {
		log_err("target %d failed with a CPU exception", i + 1);
		return -EIO;
	}
	if (config.fault_target == i + 1)
		cpu_debug_fault();
	rc = format_send(format, &job, t);
	cpu_release_exceptions();
	return rc;
}

/* Try each dump target in order until one succeeds. Returns 0 or the last target's error. */
static int send_dump(void)
{
	static const struct dump_target serial_default = { .kind = TARGET_SERIAL, .serial_port = -1 };
	const struct dump_target *targets = config.targets;
	int n = config.ntargets, i, rc = -ENODEV;

	if (n == 0) {
		targets = &serial_default;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		rc = try_target(i, &targets[i]);
		if (rc == 0)
			return 0;
		net_stop();		/* a NIC that failed its target is left quiet for the next */
		log_warn("target %d failed (%d)%s", i + 1, rc, i + 1 < n ? "; trying the next" : "");
	}
	return rc;
}

void kmain(uint32_t magic, uint32_t info)
{
	int rc;

	console_early_init();					/* ttyS0 at 115200 until console= is known */
	rc = cpu_boot_info(magic, info, &bootinfo);		/* multiboot or Linux boot_params */
	cmdline_parse(bootinfo.cmdline, &config);		/* never fatal: bad words get defaults */
	console_init(config.console_port, config.console_baud);
	log_info("salvage at 0x%llx-0x%llx, booted by %s%s", (unsigned long long)self_start,
		 (unsigned long long)self_end,
		 bootinfo.protocol == BOOT_LINUX ? "Linux boot protocol" : "multiboot",
		 rc ? " (boot information partly unusable)" : "");
	random_take_seed(&bootinfo);				/* salvage-load's seed: copied, then wiped */
	clock_init();						/* TSC against the PIT */
	if (config.random_test)
		random_test_draw(config.random_test);		/* salvage.random=<n> (debug) */
	if (config.fault_target == 0)
		cpu_debug_fault();				/* salvage.fault=0: test an unguarded exception */
	describe_dump();					/* elfcorehdr, else the memory map */
	dmesg_show(&crash, config.dmesg_lines);			/* why it crashed: its last log lines */
	prepare_dump();						/* dump.format=, dump.level=: before the first byte */
	iommu_release(&bootinfo, &config);			/* VT-d / AMD-Vi translation off for the NIC */
	smp_prepare(&bootinfo, &config);			/* a helper CPU, started when one is of use */
	rc = send_dump();
	if (rc != 0)
		log_err("no dump target succeeded: the dump is lost");
	net_stop();						/* no DMA into the next kernel */
	smp_stop();						/* the helper waits for a start-up IPI */
	cpu_done(config.done);					/* reboot, halt or power off */
}
