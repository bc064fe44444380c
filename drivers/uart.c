/* 16550 UART driver for ttyS0-3 at the standard PC I/O ports: polled, 8N1, 16-byte FIFO. */
#include "arch/io.h"
#include "drivers/uart.h"
#include "lib/lib.h"

/* Register offsets from the port base. */
#define UART_THR 0	/* transmit holding (write, DLAB=0) */
#define UART_DLL 0	/* divisor latch low (DLAB=1) */
#define UART_IER 1	/* interrupt enable (DLAB=0) */
#define UART_DLM 1	/* divisor latch high (DLAB=1) */
#define UART_IIR 2	/* interrupt identification (read) */
#define UART_FCR 2	/* FIFO control (write) */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */
#define UART_SCR 7	/* scratch */

#define LCR_8N1 0x03		/* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB 0x80		/* divisor latch access */
#define FCR_ENABLE 0x01		/* FIFOs on */
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER_14 0xC0	/* RX interrupt level (unused: polled) */
#define IIR_FIFO_MASK 0xC0	/* both set: a 16550A with working FIFOs */
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define LSR_THRE 0x20		/* transmit holding register (FIFO, when enabled) empty */

#define UART_CLOCK_DIV1 115200u	/* baud rate at divisor 1 (1.8432 MHz / 16) */
#define UART_FIFO_SIZE 16
#define THRE_SPINS 1000000u	/* per divisor step: give up on a UART that never drains (a FIFO
				 * takes 1.4 ms at 115200 baud; this is about a second or more) */

static const uint16_t uart_base[4] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };

static struct uart_state {
	bool ready;		/* initialised and answering */
	bool dead;		/* stopped draining: writes are dropped */
	int fifo;		/* bytes per THRE wait */
	uint32_t spins;		/* THRE polls before declaring the UART dead */
	bool mid_line;		/* last byte written was not '\n' */
} uarts[4];

/* Program ttyS<port> for baud, 8N1, FIFOs on, interrupts off. Returns 0, -EINVAL for a bad port
 * or a baud that is not 115200/n, or -ENODEV when the scratch register does not hold a value
 * (no UART at that address). */
int uart_init(int port, uint32_t baud)
{
	uint16_t base;
	uint32_t div;
	struct uart_state *u;

	if (port < 0 || port >= (int)ARRAY_SIZE(uart_base) || baud == 0 || baud > UART_CLOCK_DIV1 ||
	    UART_CLOCK_DIV1 % baud != 0)
		return -EINVAL;
	base = uart_base[port];
	u = &uarts[port];
	outb(base + UART_SCR, 0x5A);
	if (inb(base + UART_SCR) != 0x5A)
		return -ENODEV;
	outb(base + UART_SCR, 0xA5);
	if (inb(base + UART_SCR) != 0xA5)
		return -ENODEV;
	div = UART_CLOCK_DIV1 / baud;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, div & 0xFF);
	outb(base + UART_DLM, (div >> 8) & 0xFF);
	outb(base + UART_LCR, LCR_8N1);
	outb(base + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);
	outb(base + UART_MCR, MCR_DTR | MCR_RTS);
	u->fifo = (inb(base + UART_IIR) & IIR_FIFO_MASK) == IIR_FIFO_MASK ? UART_FIFO_SIZE : 1;
	u->spins = THRE_SPINS * div;
	u->ready = true;
	u->dead = false;
	return 0;
}

/* Wait until the transmitter (the whole FIFO) is empty. false when it stays full for max_spins
 * polls (a UART that stopped draining). */
static bool wait_thre(uint16_t base, uint32_t max_spins)
{
	uint32_t spins;

	for (spins = 0; spins < max_spins; spins++)
		if (inb(base + UART_LSR) & LSR_THRE)
			return true;
	return false;
}

/* Write n bytes to ttyS<port>: after each THRE-empty wait, up to a FIFO's worth. Writes to an
 * uninitialised port, or one that stopped draining, are dropped. */
void uart_write(int port, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	struct uart_state *u;
	uint16_t base;
	int i;

	if (port < 0 || port >= (int)ARRAY_SIZE(uart_base) || n == 0)
		return;
	u = &uarts[port];
	if (!u->ready || u->dead)
		return;
	base = uart_base[port];
	while (n > 0) {
		if (!wait_thre(base, u->spins)) {
			u->dead = true;
			return;
		}
		for (i = 0; i < u->fifo && n > 0; i++, n--)
			outb(base + UART_THR, *p++);
		u->mid_line = p[-1] != '\n';
	}
}

/* True when the last byte written to ttyS<port> was not a newline (a line is unfinished). */
bool uart_mid_line(int port)
{
	return port >= 0 && port < (int)ARRAY_SIZE(uart_base) && uarts[port].mid_line;
}
