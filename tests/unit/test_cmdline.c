/* Unit tests for lib/cmdline.c: every option form of DESIGN.md "Command line", the command lines
 * kexec-tools and kexec_file really write, and bad values that must be reported and defaulted. */
/* unit-sources: lib/cmdline.c lib/memparse.c */
#include <stdio.h>
#include <string.h>

#include "lib/cmdline.h"
#include "ok.h"
#include "shim.h"

static struct config c;

static int parse(const char *s)
{
	log_reset();
	return cmdline_parse(s, &c);
}

static void test_defaults(void)
{
	ok(parse("") == 0, "empty line: no complaints");
	ok(c.console_port == 0 && c.console_baud == 115200 && c.ntargets == 0 && c.ip_dhcp &&
	   !c.have_elfcorehdr && c.nbackups == 0 && c.done == DONE_REBOOT, "defaults");
	ok(cmdline_parse(NULL, &c) == 0 && c.console_baud == 115200, "NULL line gives defaults");
	memset(&c, 0x5a, sizeof(c));
	ok(parse("   \t\n ") == 0 && c.ntargets == 0 && c.ip_dhcp, "whitespace only; stale struct reset");
}

static void test_kexec_lines(void)
{
	/* What kexec-tools appends on x86 (decimal KiB) after the user's words. */
	ok(parse("console=ttyS1,38400n8 dump=tftp://10.0.2.2:6969/vmcore-%m-%t dump=serial "
		 "elfcorehdr=2096124K memmap=exactmap") == 1, "kexec-tools line: only memmap= unknown");
	ok(c.console_port == 1 && c.console_baud == 38400, "console=ttyS1,38400n8");
	ok(c.have_elfcorehdr && c.elfcorehdr_addr == 2096124ull * 1024 && c.elfcorehdr_size == 0,
	   "elfcorehdr=<N>K");
	ok(c.ntargets == 2 && c.targets[0].kind == TARGET_TFTP && c.targets[0].tftp_ip == 0x0a000202 &&
	   c.targets[0].tftp_port == 6969 && strcmp(c.targets[0].tftp_path, "vmcore-%m-%t") == 0,
	   "dump=tftp with port and %% escapes kept");
	ok(c.targets[1].kind == TARGET_SERIAL && c.targets[1].serial_port == -1 && c.targets[1].serial_baud == 0,
	   "dump=serial: the console port");
	ok(log_has("ignoring 1 unknown command-line word: memmap=exactmap"), "unknown word listed");

	/* kexec_file: hex address; size@addr form. */
	ok(parse("elfcorehdr=0x7f000000") == 0 && c.elfcorehdr_addr == 0x7f000000 && c.elfcorehdr_size == 0,
	   "elfcorehdr=0x<hex>");
	ok(parse("elfcorehdr=4K@0x1000000") == 0 && c.elfcorehdr_addr == 0x1000000 && c.elfcorehdr_size == 4096,
	   "elfcorehdr=<size>@<addr>");
	ok(parse("elfcorehdr=1 elfcorehdr=2") == 0 && c.elfcorehdr_addr == 2, "last elfcorehdr= wins");
}

static void test_targets(void)
{
	ok(parse("dump=tftp://192.168.1.5/a/b.core") == 0 && c.targets[0].tftp_ip == 0xc0a80105 &&
	   c.targets[0].tftp_port == 69 && !strcmp(c.targets[0].tftp_path, "a/b.core"), "tftp default port 69");
	ok(parse("dump=serial:ttyS2 dump=serial:ttyS3,9600") == 0 && c.ntargets == 2 &&
	   c.targets[0].serial_port == 2 && c.targets[0].serial_baud == 0 && c.targets[1].serial_port == 3 &&
	   c.targets[1].serial_baud == 9600, "dump=serial:ttyS<n>[,baud]");
	ok(parse("\"dump=tftp://10.0.0.1/with space\"") == 0 && !strcmp(c.targets[0].tftp_path, "with space"),
	   "quoted word keeps its space");
	ok(parse("dump=\"serial\"") == 0 && c.targets[0].kind == TARGET_SERIAL, "quoted value");

	static const char *const bad[] = {
		"dump=", "dump", "dump=ftp://1.2.3.4/x", "dump=tftp://1.2.3/x", "dump=tftp://1.2.3.256/x",
		"dump=tftp://1.2.3.4", "dump=tftp://1.2.3.4/", "dump=tftp://1.2.3.4:0/x",
		"dump=tftp://1.2.3.4:65536/x", "dump=tftp://1.2.3.4:x/y", "dump=tftp://host/x",
		"dump=serial:ttyS4", "dump=serial:tty0", "dump=serial:ttyS0,12345", "dump=serial:ttyS0,0",
		"dump=serials", "dump=tftp://99999999999.1.1.1/x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i]) == 1 && c.ntargets == 0 && log_has("target skipped"), "%s: reported, skipped", bad[i]);

	char line[CMDLINE_MAX];
	size_t n = 0;
	for (int i = 0; i < MAX_TARGETS + 2; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "dump=serial:ttyS%d ", i % 4);
	ok(parse(line) == 2 && c.ntargets == MAX_TARGETS && log_has("too many"), "more than %d targets", MAX_TARGETS);

	char longpath[300];
	memset(longpath, 0, sizeof(longpath));
	strcpy(longpath, "dump=tftp://1.2.3.4/");
	memset(longpath + strlen(longpath), 'p', TFTP_PATH_MAX);
	ok(parse(longpath) == 1 && c.ntargets == 0 && log_has("path too long"), "path of %d chars refused", TFTP_PATH_MAX);
	longpath[20 + TFTP_PATH_MAX - 1] = 0;
	ok(parse(longpath) == 0 && strlen(c.targets[0].tftp_path) == TFTP_PATH_MAX - 1, "path of %d chars fits",
	   TFTP_PATH_MAX - 1);
}

static void test_console(void)
{
	ok(parse("console=ttyS3") == 0 && c.console_port == 3 && c.console_baud == 115200, "console=ttyS3");
	ok(parse("console=tty0 console=ttyS1,57600") == 0 && c.console_port == 1 && c.console_baud == 57600 &&
	   log_has("console=tty0: not a serial port"), "tty0 skipped quietly, ttyS1 used");
	ok(parse("console=ttyS0,115200 console=hvc0") == 0 && c.console_port == 0, "last ttyS wins over hvc0");
	static const char *const bad[] = { "console=ttyS9", "console=ttyS1,0", "console=ttyS1,7",
					   "console=ttyS1,115200x", "console=", "console=ttyS", "console=ttyS1,abc" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i]) == 1 && c.console_port == 0 && c.console_baud == 115200 && log_has("keeping"),
		   "%s: reported, default kept", bad[i]);
}

static void test_ip(void)
{
	ok(parse("ip=dhcp") == 0 && c.ip_dhcp, "ip=dhcp");
	ok(parse("ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0") == 0 && !c.ip_dhcp && c.ip_client == 0x0a00020f &&
	   c.ip_server == 0x0a000202 && c.ip_gw == 0x0a000202 && c.ip_netmask == 0xffffff00, "static ip=");
	ok(parse("ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:salvage:eth0:off") == 0 && !c.ip_dhcp,
	   "static with host, dev, autoconf off");
	ok(parse("ip=10.0.2.15::::::") == 0 && !c.ip_dhcp && c.ip_gw == 0 && c.ip_netmask == 0xff000000,
	   "empty fields; class A default netmask");
	ok(parse("ip=172.16.0.9") == 0 && c.ip_netmask == 0xffff0000, "class B default netmask");
	ok(parse("ip=192.168.7.9::192.168.7.1") == 0 && c.ip_netmask == 0xffffff00 && c.ip_gw == 0xc0a80701,
	   "class C default netmask, gateway");
	ok(parse("ip=:::::eth0:dhcp") == 0 && c.ip_dhcp, "autoconf field dhcp");
	ok(parse("ip=10.0.0.1 ip=on") == 0 && c.ip_dhcp, "later ip=on wins");
	static const char *const bad[] = { "ip=", "ip=bogus", "ip=10.0.0", "ip=10.0.0.1:x", "ip=10.0.0.1:1.2.3.4:gw",
					   "ip=::1.2.3.4:255.0.0.0", "ip=300.1.1.1" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i]) == 1 && c.ip_dhcp && log_has("DHCP"), "%s: reported, DHCP kept", bad[i]);
}

/* salvage.nic=: strict MAC, and the words salvage-load --ip auto writes (on-link: empty gateway). */
static void test_nic(void)
{
	static const uint8_t want[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	ok(parse("") == 0 && !c.have_nic_mac, "salvage.nic default: none");
	ok(parse("salvage.nic=52:54:00:ab:cd:ef") == 0 && c.have_nic_mac && !memcmp(c.nic_mac, want, 6),
	   "salvage.nic=<lower-case MAC>");
	ok(parse("salvage.nic=52:54:00:AB:Cd:eF") == 0 && c.have_nic_mac && !memcmp(c.nic_mac, want, 6),
	   "salvage.nic=<mixed-case MAC>");
	ok(parse("ip=10.0.2.15:10.0.2.2::255.255.255.0::eth1:off salvage.nic=52:54:00:ab:cd:ef") == 0 &&
	   !c.ip_dhcp && c.ip_client == 0x0a00020f && c.ip_server == 0x0a000202 && c.ip_gw == 0 &&
	   c.ip_netmask == 0xffffff00 && c.have_nic_mac && !memcmp(c.nic_mac, want, 6),
	   "salvage-load --ip auto words, server on-link: no gateway");
	ok(parse("ip=192.168.7.9:10.1.1.1:192.168.7.1:255.255.255.0::eth0:off") == 0 && c.ip_gw == 0xc0a80701 &&
	   c.ip_netmask == 0xffffff00, "salvage-load --ip auto words, server behind a gateway");
	static const char *const bad[] = {
		"salvage.nic", "salvage.nic=", "salvage.nic=52:54:00:ab:cd", "salvage.nic=52:54:00:ab:cd:ef:",
		"salvage.nic=52:54:00:ab:cd:ef0", "salvage.nic=52-54-00-ab-cd-ef", "salvage.nic=525400abcdef",
		"salvage.nic=52:54:00:ab:cd:eg", "salvage.nic=5:54:00:ab:cd:ef0", "salvage.nic=52:54::00:ab:cd",
		"salvage.nic=52:54:00:ab:cd:e", "salvage.nic= 52:54:00:ab:cd:ef",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i]) >= 1 && !c.have_nic_mac && log_has("want a MAC as xx:xx:xx:xx:xx:xx; ignored"),
		   "%s: reported, ignored", bad[i]);
	ok(parse("salvage.nic=52:54:00:ab:cd:ef salvage.nic=bogus") == 1 && c.have_nic_mac &&
	   !memcmp(c.nic_mac, want, 6), "a bad salvage.nic= after a good one keeps the good one");
}

static void test_backup_done(void)
{
	ok(parse("backup=16M@0:0x1f000000 backup=640K@0x0:0x2000000") == 0 && c.nbackups == 2 &&
	   c.backups[0].size == 16ull << 20 && c.backups[0].src == 0 && c.backups[0].dst == 0x1f000000 &&
	   c.backups[1].size == 640 << 10 && c.backups[1].dst == 0x2000000, "backup= twice");
	static const char *const bad[] = { "backup=", "backup=16M", "backup=16M@0", "backup=16M@0:", "backup=0@0:0",
					   "backup=16M@0:1x", "backup=16M@0xffffffffffffffff:0",
					   "backup=1@0:0xffffffffffffffff", "backup=x@0:0" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse(bad[i]) == 1 && c.nbackups == 0 && log_has("ignored"), "%s: reported, ignored", bad[i]);
	ok(parse("backup=1@0:1 backup=1@0:1 backup=1@0:1 backup=1@0:1 backup=1@0:1") == 1 &&
	   c.nbackups == MAX_BACKUPS && log_has("too many"), "more than %d backups", MAX_BACKUPS);

	ok(parse("") == 0 && c.dump_level == 0, "dump.level defaults to 0");
	ok(parse("dump.level=31") == 0 && c.dump_level == 31, "dump.level=31");
	ok(parse("dump.level=0x11") == 0 && c.dump_level == 17, "dump.level=0x11");
	ok(parse("dump.level=32") == 1 && c.dump_level == 0 && log_has("want 0-31"), "dump.level=32 refused");
	ok(parse("dump.level=1x") == 1 && c.dump_level == 0, "dump.level=1x refused");
	ok(parse("") == 0 && c.dump_format == FORMAT_ELF, "dump.format defaults to elf");
	ok(parse("dump.format=raw") == 0 && c.dump_format == FORMAT_RAW, "dump.format=raw");
	ok(parse("dump.format=kdump") == 0 && c.dump_format == FORMAT_KDUMP, "dump.format=kdump");
	ok(parse("dump.format=lzo") == 1 && c.dump_format == FORMAT_ELF && log_has("want elf, raw or kdump"),
	   "dump.format=lzo refused");
	ok(parse("") == 0 && c.dump_compress == COMPRESS_LZO, "dump.compress defaults to lzo");
	ok(parse("dump.compress=zlib") == 0 && c.dump_compress == COMPRESS_ZLIB, "dump.compress=zlib");
	ok(parse("dump.compress=zstd") == 0 && c.dump_compress == COMPRESS_ZSTD, "dump.compress=zstd");
	ok(parse("dump.compress=none") == 0 && c.dump_compress == COMPRESS_NONE, "dump.compress=none");
	ok(parse("dump.compress=gzip") == 1 && c.dump_compress == COMPRESS_LZO && log_has("want lzo, zlib, zstd or none"),
	   "dump.compress=gzip refused, lzo kept");
	ok(parse("salvage.done=halt") == 0 && c.done == DONE_HALT, "salvage.done=halt");
	ok(parse("salvage.done=poweroff") == 0 && c.done == DONE_POWEROFF, "salvage.done=poweroff");
	ok(parse("salvage.done=reboot") == 0 && c.done == DONE_REBOOT, "salvage.done=reboot");
	ok(parse("salvage.done=explode") == 1 && c.done == DONE_REBOOT && log_has("keeping reboot"),
	   "salvage.done bad value");
	ok(parse("") == 0 && c.cpus == 2 && !c.fault_helper, "salvage.cpus default: 2; no helper fault");
	ok(parse("salvage.cpus=1") == 0 && c.cpus == 1, "salvage.cpus=1");
	ok(parse("salvage.cpus=0 salvage.cpus=3 salvage.cpus=x") == 3 && c.cpus == 2 &&
		   log_has("salvage.cpus=3: want 1 or 2; keeping 2"), "salvage.cpus=0, 3, x: refused, 2 kept");
	ok(parse("salvage.fault=helper") == 0 && c.fault_helper && c.fault_target == -1,
	   "salvage.fault=helper: the helper CPU, no target");
	ok(parse("salvage.fault=helpers") == 1 && !c.fault_helper && log_has("want a target number 0-8 or helper"),
	   "salvage.fault=helpers: refused");
	ok(parse("") == 0 && c.dmesg_lines == 50, "salvage.dmesg default: 50 lines");
	ok(parse("salvage.dmesg=0") == 0 && c.dmesg_lines == 0, "salvage.dmesg=0: none");
	ok(parse("salvage.dmesg=200") == 0 && c.dmesg_lines == 200, "salvage.dmesg=200");
	ok(parse("salvage.dmesg=-1 salvage.dmesg=x salvage.dmesg salvage.dmesg=1000001") == 4 && c.dmesg_lines == 50 &&
		   log_has("salvage.dmesg=x: want a number of lines 0-100000; keeping 50"),
	   "salvage.dmesg bad values reported, default kept");
	ok(parse("") == 0 && c.fault_target == -1, "salvage.fault default: never");
	ok(parse("salvage.fault=2") == 0 && c.fault_target == 2, "salvage.fault=2");
	ok(parse("salvage.fault=0") == 0 && c.fault_target == 0, "salvage.fault=0");
	ok(parse("salvage.fault=9 salvage.fault=x salvage.fault") == 3 && c.fault_target == -1,
	   "salvage.fault bad values reported");
	ok(parse("elfcorehdr= elfcorehdr=12Q elfcorehdr=1@ elfcorehdr=@1 elfcorehdr") == 5 && !c.have_elfcorehdr,
	   "bad elfcorehdr= forms all reported");
}

/* acpi_rsdp=: what kexec-tools always appends; hexadecimal like Linux's setup_acpi_rsdp. */
static void test_acpi_rsdp(void)
{
	ok(parse("elfcorehdr=2096124K acpi_rsdp=0xf59e0") == 0 && c.acpi_rsdp == 0xf59e0 &&
	   !log_has("unknown"), "acpi_rsdp=0x<hex> as kexec-tools writes it: known, no warning");
	ok(parse("acpi_rsdp=7FFE0014") == 0 && c.acpi_rsdp == 0x7ffe0014, "acpi_rsdp= without 0x is hex too");
	ok(parse("acpi_rsdp=0xffffffffffffffff") == 0 && c.acpi_rsdp == ~0ull, "64-bit address");
	ok(parse("") == 0 && c.acpi_rsdp == 0, "default 0: search");
	ok(parse("acpi_rsdp=0x1ffffffffffffffff acpi_rsdp= acpi_rsdp acpi_rsdp=0x acpi_rsdp=12g") == 5 &&
	   c.acpi_rsdp == 0 && log_has("acpi_rsdp=12g: want a hexadecimal address"),
	   "too long, empty, missing, bare 0x and non-hex values reported, default kept");
}

static void test_unknown(void)
{
	/* What the crashed kernel's own line (reused by kdump scripts) tends to hold. */
	ok(parse("BOOT_IMAGE=/vmlinuz root=UUID=1234 ro quiet irqpoll nr_cpus=1 reset_devices "
		 "dump=serial -- init-arg") == 7 && c.ntargets == 1, "7 unknown words, the rest parsed");
	ok(log_has("ignoring 7 unknown command-line words: BOOT_IMAGE=/vmlinuz root=UUID=1234 ro quiet "
		   "irqpoll nr_cpus=1 reset_devices"), "listed on one line");
	ok(!log_has("init-arg"), "words after -- are not salvage's");
	{
		int count = 0;

		for (const char *p = log_buf; (p = strstr(p, "unknown")); p++)
			count++;
		ok(count == 1, "one warning line for all of them");
	}
	/* A line longer than CMDLINE_MAX, full of junk: bounded, truncated list. */
	static char big[CMDLINE_MAX * 2];
	memset(big, 'a', sizeof(big) - 1);
	for (size_t i = 10; i < sizeof(big) - 1; i += 11)
		big[i] = ' ';
	int n = parse(big);
	ok(n > 100 && n < 200 && log_has(" ..."), "huge line read up to CMDLINE_MAX (%d words)", n);
	ok(parse("salvage.unknown=1") == 1 && log_has("salvage.unknown=1"), "unknown salvage.* word reported");
}

int main(void)
{
	test_defaults();
	test_kexec_lines();
	test_targets();
	test_console();
	test_ip();
	test_nic();
	test_backup_done();
	test_acpi_rsdp();
	test_unknown();
	return ok_done();
}
