/* 16550 UART driver: ttyS0-3 at the standard PC I/O ports, polled, FIFO enabled. */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Program ttyS<port> (0-3) for baud, 8N1, FIFOs on. Returns 0, or -ENODEV if no UART answers. */
int uart_init(int port, uint32_t baud);
/* Write n bytes, filling the 16-byte FIFO per THRE-empty wait. */
void uart_write(int port, const void *buf, size_t n);
/* True when the last byte written to ttyS<port> was not a newline (a line is unfinished). */
bool uart_mid_line(int port);

#endif
