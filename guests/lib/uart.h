/* PL011 UART at 0x09000000 (polled; the emulators need no baud-rate set-up). */
#ifndef UART_H
#define UART_H

#include <stdarg.h>
#include <stdint.h>

#define UART_BASE 0x09000000u
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFF (1u << 5)
#define UARTFR_BUSY (1u << 3)

void uart_putc(char c);
void uart_puts(const char *s);
/* Returns the next received byte, or -1 when the receive FIFO is empty (never blocks). */
int uart_getc(void);

/* printf-lite: %d %i %u %x %X %p %s %c %% with optional '0' flag, width and 'l' (ignored).
 * A whole call prints under one lock, so lines from different CPUs do not interleave. */
/* Holds the console for several calls (re-entrant on one CPU), so a multi-call line stays whole. */
void print_begin(void);
void print_end(void);

void printf(const char *fmt, ...);
void vprintf(const char *fmt, va_list ap);

#endif
