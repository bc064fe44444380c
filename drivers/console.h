/* The log console (a 16550 UART): where log_info/log_warn/log_err lines go. */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stdint.h>

/* ttyS0 at 115200 so the earliest messages are seen. */
void console_early_init(void);
/* Switch to ttyS<port> at baud (from console=). */
void console_init(int port, uint32_t baud);
/* The port and baud in use (serial dump target defaults). */
int console_port(void);
uint32_t console_baud(void);

#endif
