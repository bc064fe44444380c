/* The byte sink of the serial dump transport (dump/transport.h serial_sink_open): a 16550 UART,
 * the console's own port (switching its baud when asked) or another one. */
#include "drivers/console.h"
#include "drivers/uart.h"
#include "dump/transport.h"
#include "lib/log.h"

#define DEFAULT_BAUD 115200

static void uart_sink_write(void *ctx, const void *buf, size_t n)
{
	uart_write((int)(intptr_t)ctx, buf, n);
}

/* See transport.h. */
int serial_sink_open(int port, uint32_t baud, struct byte_sink *s)
{
	int cport = console_port(), rc;

	s->port = port < 0 ? cport : port;
	s->baud = baud ? baud : (s->port == cport ? console_baud() : DEFAULT_BAUD);
	s->write = uart_sink_write;
	s->ctx = (void *)(intptr_t)s->port;
	if (s->port == cport) {
		if (s->baud != console_baud()) {
			log_info("serial: console ttyS%d switches to %u baud for the dump", s->port, s->baud);
			console_init(s->port, s->baud);
		}
		return 0;
	}
	if ((rc = uart_init(s->port, s->baud)) != 0)
		log_err("serial: no UART answers at ttyS%d (%d)", s->port, rc);
	return rc;
}
