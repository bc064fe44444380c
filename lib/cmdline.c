/* The salvage command line (DESIGN.md "Command line") parsed into struct config: one handler per
 * option word in a table, every value checked, bad or unknown words reported and never fatal. */
#include "lib/cmdline.h"
#include "lib/log.h"

/* ---- small parsers; each returns the first unparsed char, or NULL when nothing was parsed ---- */

/* Decimal u32 (no sign, at most 4294967295). */
static const char *parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xffffffffull)
			return NULL;
	}
	if (p == s)
		return NULL;
	*out = (uint32_t)v;
	return p;
}

/* Dotted-quad IPv4 a.b.c.d, each part 0-255, into host byte order. */
static const char *parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t ip = 0, part;

	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				return NULL;
			s++;
		}
		if (*s < '0' || *s > '9')
			return NULL;
		s = parse_u32(s, &part);
		if (!s || part > 255)
			return NULL;
		ip = ip << 8 | part;
	}
	*out = ip;
	return s;
}

/* A UART's baud rate: the 16550 divisor 115200/baud must be a whole number. */
static bool baud_ok(uint32_t baud)
{
	return baud > 0 && baud <= 115200 && 115200 % baud == 0;
}

/* "ttyS<n>[,<baud>[<parity><bits>[<flow>]]]" (Linux console= syntax; the framing suffix such as
 * "n8" is accepted but salvage always uses 8N1). *baud is left alone when not given.
 * Returns 0, or -EINVAL with why set to a short reason. */
static int parse_tty(const char *s, int *port, uint32_t *baud, bool *have_baud, const char **why)
{
	uint32_t n, b;

	*have_baud = false;
	if (strncmp(s, "ttyS", 4) != 0) {
		*why = "not a ttyS<n> serial port";
		return -EINVAL;
	}
	s = parse_u32(s + 4, &n);
	if (!s || n > 3) {
		*why = "port must be ttyS0-ttyS3";
		return -EINVAL;
	}
	if (*s == ',') {
		s = parse_u32(s + 1, &b);
		if (!s || !baud_ok(b)) {
			*why = "baud must divide 115200 (e.g. 115200, 57600, 38400, 9600)";
			return -EINVAL;
		}
		if (*s == 'n' || *s == 'o' || *s == 'e') {
			s++;
			if (*s >= '5' && *s <= '8')
				s++;
			if (*s == 'r')
				s++;
		}
		*have_baud = true;
		*baud = b;
	}
	if (*s != 0) {
		*why = "trailing characters";
		return -EINVAL;
	}
	*port = (int)n;
	return 0;
}

/* ---- option handlers: val is the text after '=' (NULL when there was no '=');
 * each returns 0, or -EINVAL after a log_warn that names the word and keeps a default ---- */

/* console=ttyS<n>[,<baud>]; other consoles (tty0, hvc0 from the crashed kernel's line) are not
 * salvage's business and are skipped with an info line, not counted as errors. */
static int opt_console(const char *val, struct config *cfg)
{
	int port;
	uint32_t baud = cfg->console_baud;
	bool have_baud;
	const char *why;

	if (!val || !*val) {
		log_warn("console=: empty value; keeping ttyS%d", cfg->console_port);
		return -EINVAL;
	}
	if (strncmp(val, "ttyS", 4) != 0) {
		log_info("console=%s: not a serial port, ignored", val);
		return 0;
	}
	if (parse_tty(val, &port, &baud, &have_baud, &why) != 0) {
		log_warn("console=%s: %s; keeping ttyS%d,%u", val, why, cfg->console_port,
			 (unsigned)cfg->console_baud);
		return -EINVAL;
	}
	cfg->console_port = port;
	cfg->console_baud = baud;
	return 0;
}

/* tftp://<ipv4>[:<port>]/<path> into t. */
static int parse_tftp(const char *s, struct dump_target *t, const char **why)
{
	uint32_t port = 69;
	size_t len;

	t->kind = TARGET_TFTP;
	s = parse_ipv4(s, &t->tftp_ip);
	if (!s) {
		*why = "server must be a dotted IPv4 address";
		return -EINVAL;
	}
	if (*s == ':') {
		s = parse_u32(s + 1, &port);
		if (!s || port == 0 || port > 65535) {
			*why = "port must be 1-65535";
			return -EINVAL;
		}
	}
	if (*s != '/' || s[1] == 0) {
		*why = "missing /<path> after the server";
		return -EINVAL;
	}
	s++;
	len = strnlen(s, TFTP_PATH_MAX);
	if (len >= TFTP_PATH_MAX) {
		*why = "path too long";
		return -EINVAL;
	}
	memcpy(t->tftp_path, s, len + 1);
	t->tftp_port = (uint16_t)port;
	return 0;
}

/* dump=<target>, repeatable: tftp://... or serial[:ttyS<n>[,<baud>]]. */
static int opt_dump(const char *val, struct config *cfg)
{
	struct dump_target t;
	const char *why = "unknown target (want tftp://<ip>[:<port>]/<path> or serial[:ttyS<n>[,<baud>]])";
	int rc = -EINVAL;

	if (!val)
		val = "";
	memset(&t, 0, sizeof(t));
	t.serial_port = -1;
	if (strncmp(val, "tftp://", 7) == 0) {
		rc = parse_tftp(val + 7, &t, &why);
	} else if (strcmp(val, "serial") == 0) {
		t.kind = TARGET_SERIAL;
		rc = 0;
	} else if (strncmp(val, "serial:", 7) == 0) {
		bool have_baud;

		t.kind = TARGET_SERIAL;
		rc = parse_tty(val + 7, &t.serial_port, &t.serial_baud, &have_baud, &why);
	}
	if (rc == 0 && cfg->ntargets >= MAX_TARGETS) {
		why = "too many dump= targets";
		rc = -EINVAL;
	}
	if (rc != 0) {
		log_warn("dump=%s: %s; target skipped", val, why);
		return rc;
	}
	cfg->targets[cfg->ntargets++] = t;
	return 0;
}

/* Linux's default netmask for a client address when ip= gives none (classful, as ipconfig.c). */
static uint32_t classful_netmask(uint32_t ip)
{
	if ((ip >> 31) == 0)
		return 0xff000000u;	/* class A */
	if ((ip >> 30) == 2)
		return 0xffff0000u;	/* class B */
	return 0xffffff00u;		/* class C and the rest */
}

/* ip=dhcp (also Linux's on/any/bootp) or ip=<client>:<server>:<gw>:<netmask>[:<host>[:<dev>
 * [:<autoconf>]]...]; empty fields are allowed as in Linux; host and dev are accepted and unused.
 * A static line whose autoconf field asks for dhcp/on/any means DHCP. */
static int opt_ip(const char *val, struct config *cfg)
{
	uint32_t f[4] = { 0, 0, 0, 0 };
	const char *p = val ? val : "";
	int i;

	if (!strcmp(p, "dhcp") || !strcmp(p, "on") || !strcmp(p, "any") || !strcmp(p, "bootp")) {
		cfg->ip_dhcp = true;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (*p != ':' && *p != 0) {
			p = parse_ipv4(p, &f[i]);
			if (!p || (*p != ':' && *p != 0))
				goto bad;
		}
		if (*p == ':')
			p++;
		else
			break;
	}
	/* Skip <host> and <dev>; look at <autoconf>. */
	for (i = 0; i < 2 && *p; i++) {
		const char *c = strchr(p, ':');

		p = c ? c + 1 : p + strlen(p);
	}
	if (*p) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if ((n == 4 && !strncmp(p, "dhcp", 4)) || (n == 2 && !strncmp(p, "on", 2)) ||
		    (n == 3 && !strncmp(p, "any", 3))) {
			cfg->ip_dhcp = true;
			return 0;
		}
	}
	if (f[0] == 0) {
		log_warn("ip=%s: no client address; keeping DHCP", val ? val : "");
		return -EINVAL;
	}
	cfg->ip_dhcp = false;
	cfg->ip_client = f[0];
	cfg->ip_server = f[1];
	cfg->ip_gw = f[2];
	cfg->ip_netmask = f[3] ? f[3] : classful_netmask(f[0]);
	return 0;
bad:
	log_warn("ip=%s: want dhcp or <client>:<server>:<gw>:<netmask>[:...] with dotted IPv4 "
		 "addresses; keeping DHCP", val ? val : "");
	cfg->ip_dhcp = true;
	return -EINVAL;
}

/* salvage.nic=<xx:xx:xx:xx:xx:xx>: the MAC of the NIC to send through (salvage-load names the one
 * that routes to the TFTP server). Exactly six pairs of hex digits separated by colons. */
static int opt_nic(const char *val, struct config *cfg)
{
	uint8_t mac[6];
	const char *p = val ? val : "";

	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);

		if (lo < 0 || p[2] != (i < 5 ? ':' : 0)) {
			log_warn("salvage.nic=%s: want a MAC as xx:xx:xx:xx:xx:xx; ignored (the first NIC "
				 "that works is used)", val ? val : "");
			return -EINVAL;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
		p += 3;
	}
	memcpy(cfg->nic_mac, mac, sizeof(mac));
	cfg->have_nic_mac = true;
	return 0;
}

/* elfcorehdr=[<size>@]<addr>, parsed as Linux's setup_elfcorehdr (memparse both). */
static int opt_elfcorehdr(const char *val, struct config *cfg)
{
	uint64_t a, b;
	const char *end;

	if (!val || memparse(val, &a, &end) != 0)
		goto bad;
	if (*end == '@') {
		if (memparse(end + 1, &b, &end) != 0)
			goto bad;
		if (*end != 0)
			goto bad;
		cfg->elfcorehdr_size = a;
		cfg->elfcorehdr_addr = b;
	} else {
		if (*end != 0)
			goto bad;
		cfg->elfcorehdr_size = 0;
		cfg->elfcorehdr_addr = a;
	}
	cfg->have_elfcorehdr = true;
	return 0;
bad:
	log_warn("elfcorehdr=%s: want [<size>@]<addr> (decimal or 0x hex, K/M/G suffix); ignored",
		 val ? val : "");
	return -EINVAL;
}

/* backup=<size>@<src>:<dst>, repeatable. */
static int opt_backup(const char *val, struct config *cfg)
{
	struct backup b;
	const char *p;
	const char *why = "want <size>@<src>:<dst> (memparse numbers)";

	if (!val || memparse(val, &b.size, &p) != 0 || *p != '@' ||
	    memparse(p + 1, &b.src, &p) != 0 || *p != ':' ||
	    memparse(p + 1, &b.dst, &p) != 0 || *p != 0)
		goto bad;
	if (b.size == 0) {
		why = "size is 0";
		goto bad;
	}
	if (b.src + b.size < b.src || b.dst + b.size < b.dst) {
		why = "range wraps past 2^64";
		goto bad;
	}
	if (cfg->nbackups >= MAX_BACKUPS) {
		why = "too many backup= words";
		goto bad;
	}
	cfg->backups[cfg->nbackups++] = b;
	return 0;
bad:
	log_warn("backup=%s: %s; ignored", val ? val : "", why);
	return -EINVAL;
}

/* acpi_rsdp=<addr>: where the ACPI RSDP is (kexec-tools passes the running kernel's). Parsed as
 * Linux's setup_acpi_rsdp does: hexadecimal, with or without 0x. drivers/iommu.c uses it. */
static int opt_acpi_rsdp(const char *val, struct config *cfg)
{
	uint64_t v = 0;
	const char *p = val;
	int digits = 0;

	if (p && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p && *p && digits <= 16; p++, digits++) {
		int d = hex_digit(*p);

		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (!p || *p || digits == 0 || digits > 16) {
		log_warn("acpi_rsdp=%s: want a hexadecimal address; searching the BIOS areas instead",
			 val ? val : "");
		return -EINVAL;
	}
	cfg->acpi_rsdp = v;
	return 0;
}

/* salvage.done=reboot|halt|poweroff. */
static int opt_done(const char *val, struct config *cfg)
{
	if (val && !strcmp(val, "reboot"))
		cfg->done = DONE_REBOOT;
	else if (val && !strcmp(val, "halt"))
		cfg->done = DONE_HALT;
	else if (val && !strcmp(val, "poweroff"))
		cfg->done = DONE_POWEROFF;
	else {
		log_warn("salvage.done=%s: want reboot, halt or poweroff; keeping %s", val ? val : "",
			 cfg->done == DONE_HALT ? "halt" : cfg->done == DONE_POWEROFF ? "poweroff" : "reboot");
		return -EINVAL;
	}
	return 0;
}

/* dump.level=<0-31>: makedumpfile's -d bits (1 zero pages, 2/4 page cache, 8 user data, 16 free
 * pages) of what to leave out of the dump (dump/filter.c). */
static int opt_dump_level(const char *val, struct config *cfg)
{
	uint64_t n;
	const char *end;

	if (!val || memparse(val, &n, &end) != 0 || *end || n > 31) {
		log_warn("dump.level=%s: want 0-31 (makedumpfile -d bits); keeping %u", val ? val : "",
			 cfg->dump_level);
		return -EINVAL;
	}
	cfg->dump_level = (unsigned)n;
	return 0;
}

const char *const dump_format_names[FORMAT_N] = { [FORMAT_ELF] = "elf", [FORMAT_RAW] = "raw", [FORMAT_KDUMP] = "kdump" };

/* dump.format=elf|raw|kdump: the file the targets receive (dump/format.h). */
static int opt_dump_format(const char *val, struct config *cfg)
{
	const char *const *names = dump_format_names;

	for (unsigned i = 0; val && i < FORMAT_N; i++) {
		if (!strcmp(val, names[i])) {
			cfg->dump_format = (enum dump_format)i;
			return 0;
		}
	}
	log_warn("dump.format=%s: want elf, raw or kdump; keeping %s", val ? val : "", names[cfg->dump_format]);
	return -EINVAL;
}

/* dump.compress=lzo|zlib|zstd|none: the page compressor of dump.format=kdump (dump/compress.h). */
static int opt_dump_compress(const char *val, struct config *cfg)
{
	static const struct { const char *name; enum dump_compress c; } names[] = {
		{ "lzo", COMPRESS_LZO }, { "zlib", COMPRESS_ZLIB }, { "zstd", COMPRESS_ZSTD }, { "none", COMPRESS_NONE },
	};

	for (unsigned i = 0; val && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(val, names[i].name)) {
			cfg->dump_compress = names[i].c;
			return 0;
		}
	}
	log_warn("dump.compress=%s: want lzo, zlib, zstd or none; keeping %s", val ? val : "",
		 cfg->dump_compress == COMPRESS_LZO ? "lzo" : cfg->dump_compress == COMPRESS_ZLIB ? "zlib" :
		 cfg->dump_compress == COMPRESS_ZSTD ? "zstd" : "none");
	return -EINVAL;
}

/* dump.encrypt=<recipient>, repeatable: encrypt every target's file to this age recipient. Kept as
 * text: dump/encrypt.c decodes it when a target starts and refuses the target when it is malformed.
 * A word that cannot be kept still asks for encryption (encrypt_lost): never a reason to send in
 * clear. */
static int opt_dump_encrypt(const char *val, struct config *cfg)
{
	size_t len = val ? strnlen(val, RECIPIENT_TEXT_MAX) : 0;

	if (len >= RECIPIENT_TEXT_MAX || cfg->nencrypt >= MAX_RECIPIENTS) {
		cfg->encrypt_lost++;
		log_warn("dump.encrypt=%.16s...: %s; no target will be sent (never in clear)", val ? val : "",
			 len >= RECIPIENT_TEXT_MAX ? "too long for a recipient" : "more than 8 recipients");
		return -EINVAL;
	}
	memcpy(cfg->encrypt_to[cfg->nencrypt++], val ? val : "", len + 1);
	return 0;
}

/* salvage.fault=<n> (debug, tests): a CPU exception in dump target n (1-based), or at 0 outside
 * any target; boot/kmain.c provokes it. salvage.fault=helper: one in the helper CPU's first work
 * (arch/i386/smp.c). */
static int opt_fault(const char *val, struct config *cfg)
{
	uint64_t n;
	const char *end;

	if (val && strcmp(val, "helper") == 0) {
		cfg->fault_helper = true;
		return 0;
	}
	if (!val || memparse(val, &n, &end) != 0 || *end || n > MAX_TARGETS) {
		log_warn("salvage.fault=%s: want a target number 0-%d or helper; ignored", val ? val : "", MAX_TARGETS);
		return -EINVAL;
	}
	cfg->fault_target = (int)n;
	return 0;
}

/* salvage.random=<n> (debug, tests): boot/kmain.c logs a test draw of n (1-32) random bytes. */
static int opt_random(const char *val, struct config *cfg)
{
	uint64_t n;
	const char *end;

	if (!val || memparse(val, &n, &end) != 0 || *end || n < 1 || n > 32) {
		log_warn("salvage.random=%s: want a byte count 1-32; ignored", val ? val : "");
		return -EINVAL;
	}
	cfg->random_test = (unsigned)n;
	return 0;
}

/* salvage.dmesg=<n>: how many of the crashed kernel's last log lines go to the console before the
 * dump (dump/dmesg.h); 0 shows none. */
static int opt_dmesg(const char *val, struct config *cfg)
{
	uint64_t n;
	const char *end;

	if (!val || memparse(val, &n, &end) != 0 || *end || n > CMDLINE_DMESG_MAX) {
		log_warn("salvage.dmesg=%s: want a number of lines 0-%u; keeping %u", val ? val : "",
			 CMDLINE_DMESG_MAX, cfg->dmesg_lines);
		return -EINVAL;
	}
	cfg->dmesg_lines = (unsigned)n;
	return 0;
}

/* salvage.cpus=<1|2>: how many of the machine's CPUs salvage runs on; 2 (the default) lets it start a
 * helper CPU for encrypted dumps (arch/i386/smp.c), 1 leaves every other CPU stopped. */
static int opt_cpus(const char *val, struct config *cfg)
{
	uint64_t n;
	const char *end;

	if (!val || memparse(val, &n, &end) != 0 || *end || n < 1 || n > 2) {
		log_warn("salvage.cpus=%s: want 1 or 2; keeping %u", val ? val : "", cfg->cpus);
		return -EINVAL;
	}
	cfg->cpus = (unsigned)n;
	return 0;
}

/* Every word salvage understands, by the key before '='. Other parts of salvage add their own
 * salvage.<name>= options here: a handler above (same contract), a field in struct config with
 * its default set in config_defaults(), and one line in this table. */
static const struct option {
	const char *key;
	int (*parse)(const char *val, struct config *cfg);
} options[] = {
	{ "console", opt_console },
	{ "dump", opt_dump },
	{ "ip", opt_ip },
	{ "elfcorehdr", opt_elfcorehdr },
	{ "backup", opt_backup },
	{ "acpi_rsdp", opt_acpi_rsdp },
	{ "dump.level", opt_dump_level },
	{ "dump.format", opt_dump_format },
	{ "dump.compress", opt_dump_compress },
	{ "dump.encrypt", opt_dump_encrypt },
	{ "salvage.done", opt_done },
	{ "salvage.fault", opt_fault },
	{ "salvage.random", opt_random },
	{ "salvage.nic", opt_nic },
	{ "salvage.dmesg", opt_dmesg },
	{ "salvage.cpus", opt_cpus },
};

/* Defaults for every field: used for whatever the command line does not say. */
static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->console_port = 0;
	cfg->console_baud = 115200;
	cfg->ip_dhcp = true;
	cfg->done = DONE_REBOOT;
	cfg->dump_compress = COMPRESS_LZO;	/* what Debian's makedumpfile and crash both read */
	cfg->dump_format = FORMAT_ELF;
	cfg->fault_target = -1;
	cfg->dmesg_lines = CMDLINE_DMESG_DEFAULT;
	cfg->cpus = 2;
}

/* Append word to the unknown-words line (one warning for all of them, at the end). */
static void note_unknown(char *line, size_t size, const char *word)
{
	size_t len = strlen(line), wl = strlen(word);

	if (len + 1 + wl + 4 >= size) {
		if (len + 4 < size && (len < 3 || strcmp(line + len - 3, "...")))
			memcpy(line + len, " ...", 5);
		return;
	}
	if (len)
		line[len++] = ' ';
	memcpy(line + len, word, wl + 1);
}

/* Fill cfg with defaults, then apply every word of s. Words are split on spaces, tabs and
 * newlines; a double-quoted stretch ("...") may contain spaces and loses its quotes (as Linux's
 * next_arg). "--" ends salvage's words (the rest was meant for an init). Only the first CMDLINE_MAX
 * bytes are read. Returns the number of words reported as bad or unknown. */
int cmdline_parse(const char *s, struct config *cfg)
{
	static char word[CMDLINE_MAX + 1];
	static char unknown[256];
	size_t i = 0, n = s ? strnlen(s, CMDLINE_MAX) : 0;
	int bad = 0, nunknown = 0;

	config_defaults(cfg);
	unknown[0] = 0;
	while (i < n) {
		size_t w = 0;
		bool quoted = false;
		char *eq;
		size_t k;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i >= n)
			break;
		for (; i < n; i++) {
			if (s[i] == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
				break;
			word[w++] = s[i];
		}
		word[w] = 0;
		if (w == 0)
			continue;
		if (!strcmp(word, "--"))
			break;
		eq = strchr(word, '=');
		if (eq)
			*eq = 0;
		for (k = 0; k < ARRAY_SIZE(options); k++)
			if (!strcmp(word, options[k].key))
				break;
		if (k < ARRAY_SIZE(options)) {
			if (options[k].parse(eq ? eq + 1 : NULL, cfg) != 0)
				bad++;
			continue;
		}
		if (eq)
			*eq = '=';
		note_unknown(unknown, sizeof(unknown), word);
		nunknown++;
	}
	if (nunknown)
		log_warn("ignoring %d unknown command-line word%s: %s", nunknown, nunknown == 1 ? "" : "s",
			 unknown);
	return bad + nunknown;
}
