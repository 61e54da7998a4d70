/* The PL011 UART (ARM DDI 0183) from inside: its PrimeCell identification, flags that make sense,
 * and console input taken by interrupt: UARTIMSC.RXIM|RTIM raise SPI 1 (INTID 33), the handler
 * drains the receive FIFO, and a whole line comes back as "echo: <LINE IN UPPER CASE>". CPU 0 sleeps
 * in WFI meanwhile and never reads UARTDR itself; the wait ends after ECHO_IDLE_MS without input. */
#include "guest.h"
#include "test.h"
#include "platform.h"

#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTICR 0x044
#define UART_PERIPH_ID0 0xfe0
#define UART_PCELL_ID0 0xff0
#define UARTFR_RXFF (1u << 6)
#define UARTFR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

#define ECHO_IDLE_MS 5000
#define LINE_MAX 80

static const char *const periph_names[4] = {"UARTPeriphID0 = 0x11", "UARTPeriphID1 = 0x10", "UARTPeriphID2 = 0x14",
                                            "UARTPeriphID3 = 0x00"};
static const uint8_t periph_id[4] = {0x11, 0x10, 0x14, 0x00};
static const char *const pcell_names[4] = {"UARTPCellID0 = 0x0D", "UARTPCellID1 = 0xF0", "UARTPCellID2 = 0x05",
                                           "UARTPCellID3 = 0xB1"};
static const uint8_t pcell_id[4] = {0x0d, 0xf0, 0x05, 0xb1};

void check_pl011_registers(void) {
  for (unsigned k = 0; k < 4; k++) {
    test_eq(periph_names[k], mmio_read32(UART_BASE + UART_PERIPH_ID0 + 4 * k), periph_id[k]);
    test_eq(pcell_names[k], mmio_read32(UART_BASE + UART_PCELL_ID0 + 4 * k), pcell_id[k]);
  }
  uint32_t fr = mmio_read32(UART_BASE + UARTFR);
  test_eq("UARTFR.TXFF = 0 (room to transmit)", fr & UARTFR_TXFF, 0);
  test_eq("UARTFR.TXFE = 1 (everything sent)", fr & UARTFR_TXFE, UARTFR_TXFE);
  test_eq("UARTFR.BUSY = 0 (transmitter idle)", fr & UARTFR_BUSY, 0);
  test_check("UARTFR: RXFE and RXFF not both set", (fr & (UARTFR_RXFE | UARTFR_RXFF)) != (UARTFR_RXFE | UARTFR_RXFF));
  test_eq("UARTFR bits [31:9] read as zero", fr >> 9, 0);
  mmio_write32(UART_BASE + UARTIMSC, INT_RX | INT_RT);
  test_eq("UARTIMSC reads back RXIM|RTIM", mmio_read32(UART_BASE + UARTIMSC), INT_RX | INT_RT);
  mmio_write32(UART_BASE + UARTIMSC, 0);
}

static volatile uint32_t rx_irqs, rx_bytes, line_done, line_len;
static char line[LINE_MAX];

/* INTID 33: take everything the FIFO holds; the line ends at CR or LF. */
void uart_irq(void) {
  rx_irqs++;
  while (!(mmio_read32(UART_BASE + UARTFR) & UARTFR_RXFE)) {
    char c = (char)(mmio_read32(UART_BASE + UARTDR) & 0xff);
    rx_bytes++;
    if (line_done) continue;
    if (c == '\n' || c == '\r')
      line_done = 1;
    else if (line_len < LINE_MAX - 1)
      line[line_len++] = c;
  }
  mmio_write32(UART_BASE + UARTICR, INT_RX | INT_RT);
}

void check_console_echo(void) {
  printf("platform: type a line and press Enter (console input by interrupt)\n");
  rx_irqs = rx_bytes = line_done = line_len = 0;
  irq_route_spi(IRQ_UART, 0x40);
  mmio_write32(UART_BASE + UARTIMSC, INT_RX | INT_RT);
  wait_flag_idle_ms(&line_done, &rx_bytes, ECHO_IDLE_MS);
  mmio_write32(UART_BASE + UARTIMSC, 0);
  gic_disable_irq(IRQ_UART);
  if (!line_done) {
    test_fail("console line received by interrupt", "no end of line after %u ms without input (%u bytes)",
              ECHO_IDLE_MS, rx_bytes);
    return;
  }
  print_begin();
  printf("echo: ");
  for (unsigned k = 0; k < line_len; k++) {
    char c = line[k];
    uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
  }
  printf("\n");
  print_end();
  test_pass("console line received by interrupt");
  test_check("RX interrupt (INTID 33) taken", rx_irqs > 0);
}
