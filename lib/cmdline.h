/* The salvage command line (DESIGN.md "Command line") parsed into one struct config.
 * Unknown words and bad values are reported with log_warn and a default is kept: never fatal. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include "lib/lib.h"

#define CMDLINE_MAX 2048
#define MAX_TARGETS 8
#define MAX_BACKUPS 4
#define TFTP_PATH_MAX 128
#define MAX_RECIPIENTS 8	/* dump.encrypt= words (crypto/age.h AGE_MAX_RECIPIENTS) */
#define RECIPIENT_TEXT_MAX 96	/* a dump.encrypt= value and its NUL (Bech32 strings have 90 at most) */
#define CMDLINE_DMESG_DEFAULT 50	/* salvage.dmesg=: log lines of the crashed kernel on the console */
#define CMDLINE_DMESG_MAX 100000

enum target_kind { TARGET_SERIAL, TARGET_TFTP };

struct dump_target {
	enum target_kind kind;
	/* TARGET_SERIAL */
	int serial_port;	/* ttyS<n>; -1 means the console port */
	uint32_t serial_baud;	/* 0 means the console baud */
	/* TARGET_TFTP */
	uint32_t tftp_ip;	/* host byte order, e.g. 10.0.2.2 == 0x0a000202 */
	uint16_t tftp_port;	/* default 69 */
	char tftp_path[TFTP_PATH_MAX]; /* unexpanded: %m %t %% still in it */
};

struct backup {
	uint64_t size, src, dst;	/* bytes at src were copied to dst before the reboot */
};

enum done_action { DONE_REBOOT, DONE_HALT, DONE_POWEROFF };

/* dump.format=: the file a dump target receives (dump/format.h). */
enum dump_format { FORMAT_ELF, FORMAT_RAW, FORMAT_KDUMP, FORMAT_N };
extern const char *const dump_format_names[FORMAT_N];	/* "elf", "raw", "kdump" */

/* dump.compress=: how dump.format=kdump stores each page (dump/compress.h); the values are
 * makedumpfile's page_desc flags. */
enum dump_compress { COMPRESS_NONE = 0, COMPRESS_ZLIB = 0x1, COMPRESS_LZO = 0x2, COMPRESS_ZSTD = 0x20 };

struct config {
	int console_port;		/* ttyS<n>, default 0 */
	uint32_t console_baud;		/* default 115200 */

	struct dump_target targets[MAX_TARGETS];
	int ntargets;			/* 0 after parsing means none given: use serial on the console */

	bool ip_dhcp;			/* default true */
	uint32_t ip_client, ip_server, ip_gw, ip_netmask; /* host byte order; static ip= */
	bool have_nic_mac;		/* salvage.nic=<MAC>: use the NIC with this MAC (net/netif.c) */
	uint8_t nic_mac[6];

	bool have_elfcorehdr;
	uint64_t elfcorehdr_addr, elfcorehdr_size; /* size 0 when not given */

	struct backup backups[MAX_BACKUPS];
	int nbackups;

	uint64_t acpi_rsdp;		/* acpi_rsdp=<hex>: the ACPI RSDP (kexec-tools passes it); 0 = search */

	/* dump.encrypt=<age1...>, repeatable: the age recipients every target's file is encrypted to
	 * (dump/encrypt.c decodes them). encrypt_lost counts words that could not be kept (too long,
	 * too many): encryption was asked for all the same, so every target is then refused. */
	char encrypt_to[MAX_RECIPIENTS][RECIPIENT_TEXT_MAX];
	int nencrypt, encrypt_lost;

	unsigned dump_level;		/* dump.level=<0-31>: makedumpfile -d bits to leave out; default 0 */
	enum dump_format dump_format;	/* dump.format=elf|raw|kdump; default elf */
	enum dump_compress dump_compress; /* dump.compress=lzo|zlib|zstd|none; default lzo */
	enum done_action done;		/* default DONE_REBOOT */
	unsigned random_test;		/* salvage.random=<1-32> (debug): log a test draw of n bytes */
	unsigned dmesg_lines;		/* salvage.dmesg=<n>: the crashed kernel's last log lines on the
				 * console before the dump (0: none); default 50 */
	unsigned cpus;			/* salvage.cpus=<1|2>: CPUs salvage may run on; default 2 */
	int fault_target;		/* salvage.fault=<n> (debug): provoke a CPU exception in
				 * target n, or before any target when 0; default -1 (never) */
	bool fault_helper;		/* salvage.fault=helper (debug): one in the helper CPU */
};

/* Fill cfg with defaults, then apply every word of s (NUL-terminated, at most CMDLINE_MAX used).
 * Returns the number of words that were reported as bad or unknown (0 when all were understood). */
int cmdline_parse(const char *s, struct config *cfg);

#endif
