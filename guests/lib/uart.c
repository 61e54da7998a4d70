/* PL011 output and the printf-lite used by every guest. No division: decimal conversion subtracts
 * powers of ten, so the library needs no libgcc helpers and runs before SDIV/UDIV are trusted. */
#include "guest.h"

static struct spinlock print_lock;

void print_begin(void) { spin_lock(&print_lock); }
void print_end(void) { spin_unlock(&print_lock); }

void uart_putc(char c) {
  while (mmio_read32(UART_BASE + UARTFR) & UARTFR_TXFF) {
  }
  mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

void uart_puts(const char *s) {
  spin_lock(&print_lock);
  while (*s) uart_putc(*s++);
  spin_unlock(&print_lock);
}

int uart_getc(void) {
  if (mmio_read32(UART_BASE + UARTFR) & UARTFR_RXFE) return -1;
  return (int)(mmio_read32(UART_BASE + UARTDR) & 0xff);
}

static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u, 100000u,
                                 10000u,      1000u,      100u,      10u,      1u};

/* Writes `v` in decimal to buf (no terminator); returns the digit count. */
static int fmt_dec(char *buf, uint32_t v) {
  int n = 0;
  for (int k = 0; k < 10; k++) {
    char d = '0';
    while (v >= pow10[k]) {
      v -= pow10[k];
      d++;
    }
    if (d != '0' || n > 0 || k == 9) buf[n++] = d;
  }
  return n;
}

static int fmt_hex(char *buf, uint32_t v, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  for (int shift = 28; shift >= 0; shift -= 4) {
    uint32_t d = (v >> shift) & 0xf;
    if (d != 0 || n > 0 || shift == 0) buf[n++] = digits[d];
  }
  return n;
}

static void emit_padded(const char *s, int len, int width, char pad, int negative) {
  if (negative && pad == '0') uart_putc('-');
  for (int k = len + negative; k < width; k++) uart_putc(pad);
  if (negative && pad != '0') uart_putc('-');
  for (int k = 0; k < len; k++) uart_putc(s[k]);
}

void vprintf(const char *fmt, va_list ap) {
  char buf[12];
  spin_lock(&print_lock);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      uart_putc(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') fmt++;
    switch (*fmt) {
      case 'd':
      case 'i': {
        int32_t v = va_arg(ap, int32_t);
        int neg = v < 0;
        int n = fmt_dec(buf, neg ? (uint32_t)0 - (uint32_t)v : (uint32_t)v);
        emit_padded(buf, n, width, pad, neg);
        break;
      }
      case 'u': {
        int n = fmt_dec(buf, va_arg(ap, uint32_t));
        emit_padded(buf, n, width, pad, 0);
        break;
      }
      case 'x':
      case 'X': {
        int n = fmt_hex(buf, va_arg(ap, uint32_t), *fmt == 'X');
        emit_padded(buf, n, width, pad, 0);
        break;
      }
      case 'p': {
        int n = fmt_hex(buf, (uint32_t)va_arg(ap, void *), 0);
        uart_putc('0');
        uart_putc('x');
        emit_padded(buf, n, 8, '0', 0);
        break;
      }
      case 's': {
        const char *s = va_arg(ap, const char *);
        if (!s) s = "(null)";
        emit_padded(s, (int)strlen(s), width, ' ', 0);
        break;
      }
      case 'c':
        buf[0] = (char)va_arg(ap, int);
        emit_padded(buf, 1, width, ' ', 0);
        break;
      case '%':
        uart_putc('%');
        break;
      case '\0':
        fmt--;
        break;
      default:
        uart_putc('%');
        uart_putc(*fmt);
        break;
    }
  }
  spin_unlock(&print_lock);
}

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}
