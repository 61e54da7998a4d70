/* The PL031 RTC (ARM DDI 0224) from inside: its PrimeCell identification, a plausible time in
 * RTCDR, one tick per second of guest time (timed with the virtual timer), and the match interrupt
 * (SPI 2, INTID 34) when RTCDR reaches RTCMR = RTCDR + 1 with RTCIMSC set. */
#include "guest.h"
#include "test.h"
#include "platform.h"

#define RTC_BASE 0x09010000u
#define RTCDR 0x000
#define RTCMR 0x004
#define RTCCR 0x00c
#define RTCIMSC 0x010
#define RTCRIS 0x014
#define RTCMIS 0x018
#define RTCICR 0x01c
#define RTC_PERIPH_ID0 0xfe0
#define RTC_PCELL_ID0 0xff0

/* 2020-01-01 and 2100-01-01, in seconds since the epoch. */
#define PLAUSIBLE_FROM 1577836800u
#define PLAUSIBLE_TO 4102444800u

static uint32_t rtc_read(uint32_t off) { return mmio_read32(RTC_BASE + off); }
static void rtc_write(uint32_t off, uint32_t v) { mmio_write32(RTC_BASE + off, v); }

static volatile uint32_t rtc_fired, rtc_mis, rtc_dr_at_irq, rtc_ris_after;
static volatile uint64_t rtc_irq_count;

/* INTID 34: note what the RTC shows, clear and mask the interrupt so the level drops. */
void rtc_irq(void) {
  rtc_irq_count = read_cntvct();
  rtc_mis = rtc_read(RTCMIS);
  rtc_dr_at_irq = rtc_read(RTCDR);
  rtc_write(RTCICR, 1);
  rtc_ris_after = rtc_read(RTCRIS);
  rtc_write(RTCIMSC, 0);
  rtc_fired++;
}

static void check_ids(void) {
  static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
  uint32_t got = 0, want = 0;
  for (unsigned k = 0; k < 4; k++) {
    got |= (rtc_read(RTC_PERIPH_ID0 + 4 * k) & 0xff) << (8 * k);
    want |= (uint32_t)id[k] << (8 * k);
  }
  test_eq("RTCPeriphID0..3 = 31 10 14 00", got, want);
  got = want = 0;
  for (unsigned k = 0; k < 4; k++) {
    got |= (rtc_read(RTC_PCELL_ID0 + 4 * k) & 0xff) << (8 * k);
    want |= (uint32_t)id[4 + k] << (8 * k);
  }
  test_eq("RTCPCellID0..3 = 0D F0 05 B1", got, want);
}

void check_pl031(void) {
  check_ids();
  uint32_t t = rtc_read(RTCDR);
  printf("  RTCDR = %u\n", t);
  test_check("RTCDR is a plausible time (2020..2100)", t >= PLAUSIBLE_FROM && t < PLAUSIBLE_TO);
  test_eq("RTCCR.RTCStart = 1 (running)", rtc_read(RTCCR) & 1, 1);

  /* Find a tick, then look half a second and one and a half seconds after it. */
  uint32_t t0 = t;
  for (unsigned waited = 0; t0 == t && waited < 1500; waited += 10) {
    sleep_ms(10);
    t0 = rtc_read(RTCDR);
  }
  test_eq("RTCDR ticks within 1.5 s, by one", t0, t + 1);
  sleep_ms(500);
  test_eq("RTCDR holds for half a second after a tick", rtc_read(RTCDR), t0);
  sleep_ms(1000);
  test_eq("RTCDR advances by 1 one second later", rtc_read(RTCDR), t0 + 1);

  /* Half a second from the next tick: the match lies ahead. */
  rtc_write(RTCICR, 1);
  rtc_fired = 0;
  uint32_t match = rtc_read(RTCDR) + 1;
  rtc_write(RTCMR, match);
  test_eq("RTCMR reads back", rtc_read(RTCMR), match);
  test_eq("RTCRIS = 0 before the match", rtc_read(RTCRIS) & 1, 0);
  rtc_write(RTCIMSC, 1);
  irq_route_spi(IRQ_RTC, 0x40);
  uint64_t set_at = read_cntvct();
  wait_flag_ms(&rtc_fired, 2000);
  gic_disable_irq(IRQ_RTC);
  rtc_write(RTCIMSC, 0);
  if (!test_check("match interrupt (INTID 34) when RTCDR reaches RTCMR", rtc_fired != 0)) return;
  uint32_t ms = (uint32_t)((rtc_irq_count - set_at) / ticks_per_ms());
  printf("  match interrupt %u ms after RTCMR = RTCDR + 1\n", ms);
  test_eq("RTCMIS = 1 in the handler", rtc_mis & 1, 1);
  test_eq("RTCDR = RTCMR when it fired", rtc_dr_at_irq, match);
  test_eq("RTCRIS = 0 after RTCICR", rtc_ris_after & 1, 0);
  /* QEMU 7.2 arms its alarm for (RTCMR - RTCDR) whole seconds after the RTCMR write rather than at
   * the tick, so there it comes up to a second later. */
  if (on_qemu)
    test_check("it fired within a second and a bit (QEMU: counts whole seconds from the write)",
               ms >= 200 && ms <= 1200);
  else
    test_check("it fired at the next tick, about half a second later (200..900 ms)", ms >= 200 && ms <= 900);
  test_eq("it fired once", rtc_fired, 1);
}
