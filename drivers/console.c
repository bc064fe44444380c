/* The log console: log_info/log_warn/log_err as whole "salvage: ..." lines on a 16550 UART. Each
 * line goes out in one uart_write, so serial dump frames on the same port interleave only
 * between whole lines; control characters inside a message are replaced so a message can never
 * break a line or fake a frame. */
#include "arch/cpu.h"
#include "drivers/console.h"
#include "drivers/uart.h"
#include "lib/lib.h"
#include "lib/log.h"

#define CONSOLE_LINE_MAX 512
#define DEFAULT_PORT 0
#define DEFAULT_BAUD 115200u

static int con_port = DEFAULT_PORT;
static uint32_t con_baud = DEFAULT_BAUD;

/* ttyS0 at 115200 so the earliest messages are seen (silently nothing if it is absent). */
void console_early_init(void)
{
	con_port = DEFAULT_PORT;
	con_baud = DEFAULT_BAUD;
	uart_init(con_port, con_baud);
}

/* Switch the log to ttyS<port> at baud. When that UART cannot be programmed the log stays where
 * it is, with a warning there. */
void console_init(int port, uint32_t baud)
{
	int rc;

	if (port == con_port && baud == con_baud)
		return;
	rc = uart_init(port, baud);
	if (rc != 0) {
		log_warn("console: ttyS%d at %u baud unusable (%d); staying on ttyS%d", port,
			 (unsigned)baud, rc, con_port);
		return;
	}
	if (port != con_port)
		log_info("console: moving to ttyS%d at %u baud", port, (unsigned)baud);
	con_port = port;
	con_baud = baud;
	log_info("console: ttyS%d at %u baud", port, (unsigned)baud);
}

/* The port and baud the log is on now (the serial target's defaults). */
int console_port(void)
{
	return con_port;
}

uint32_t console_baud(void)
{
	return con_baud;
}

/* Format one line "salvage: <level><message>\n" and write it in one piece; a message that does
 * not fit is cut and ends in "...". Starts with a newline if someone left the port mid-line.
 * NMIs counted since the last line are reported first, in a line of their own. */
static void log_line(const char *level, const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	size_t n = 0, head, i;
	int len;

	cpu_nmi_report();
	if (uart_mid_line(con_port))
		line[n++] = '\n';
	head = n + strlen(LOG_PREFIX) + strlen(level);
	len = snprintf(line + n, sizeof(line) - n, "%s%s", LOG_PREFIX, level);
	n = len > 0 ? head : n;
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof(line) - n - 1) {
		len = (int)(sizeof(line) - n - 2);
		memcpy(line + n + len - 3, "...", 3);
	}
	for (i = n; i < n + (size_t)len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7F)
			line[i] = '?';
	n += (size_t)len;
	line[n++] = '\n';
	uart_write(con_port, line, n);
}

#define LOG_FN(name, level)               \
	void name(const char *fmt, ...)   \
	{                                 \
		va_list ap;               \
		va_start(ap, fmt);        \
		log_line(level, fmt, ap); \
		va_end(ap);               \
	}
LOG_FN(log_info, "")
LOG_FN(log_warn, "warning: ")
LOG_FN(log_err, "error: ")
