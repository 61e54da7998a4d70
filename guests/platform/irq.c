/* CPU 0's interrupt handling and the waits every check uses. Waits sleep in WFI with a deadline on
 * the virtual timer (PPI 27), so a device that never answers gives a FAIL line, never a hang; in
 * armvmm's icount mode a vcpu asleep in WFI lets guest time jump to the deadline. */
#include "guest.h"
#include "test.h"
#include "platform.h"

/* The inactivity timeout counts in ticks of this length. */
#define IDLE_TICK_MS 10

volatile uint32_t stray_irqs;
static volatile uint32_t vtimer_fired;
static uint32_t tpm;

uint32_t ticks_per_ms(void) { return tpm; }

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  unsigned id = iar & 0x3ff;
  if (id >= 1020) return; /* spurious: nothing to end */
  switch (id) {
    case IRQ_VTIMER:
      /* Only a deadline that has passed counts: a stale level from an earlier wait is not one. */
      if (read_cntv_ctl() & CNT_CTL_ISTATUS) {
        write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK); /* the level drops */
        vtimer_fired = 1;
      }
      break;
    case IRQ_UART:
      uart_irq();
      break;
    case IRQ_RTC:
      rtc_irq();
      break;
    default:
      stray_irqs++;
      break;
  }
  gic_eoi(iar);
}

void irq_setup(void) {
  tpm = read_cntfrq() / 1000;
  gic_init();
  gic_set_priority(IRQ_VTIMER, 0xa0);
  gic_enable_irq(IRQ_VTIMER);
}

void irq_route_spi(unsigned intid, uint8_t priority) {
  gic_set_priority(intid, priority);
  gic_set_target(intid, 1);
  gic_set_edge(intid, 0);
  gic_enable_irq(intid);
}

static void timer_start(unsigned ms) {
  vtimer_fired = 0;
  write_cntv_tval(tpm * ms);
  write_cntv_ctl(CNT_CTL_ENABLE);
}

static void timer_stop(void) { write_cntv_ctl(0); }

/* One WFI with IRQs masked (so a wake-up between the test and the WFI is not lost), then a window
 * with IRQs unmasked for the handler to run. */
static void sleep_once(void) {
  wfi();
  irq_enable();
  isb();
  irq_disable();
}

uint32_t wait_flag_ms(volatile uint32_t *flag, unsigned ms) {
  timer_start(ms);
  irq_disable();
  while (!*flag && !vtimer_fired) sleep_once();
  timer_stop();
  return *flag;
}

void sleep_ms(unsigned ms) {
  static volatile uint32_t never;
  wait_flag_ms(&never, ms);
}

uint32_t wait_flag_idle_ms(volatile uint32_t *flag, volatile uint32_t *progress, unsigned idle_ms) {
  uint32_t seen = *progress;
  unsigned idle = 0;
  while (!*flag && idle < idle_ms) {
    timer_start(IDLE_TICK_MS);
    irq_disable();
    while (!*flag && !vtimer_fired && *progress == seen) sleep_once();
    timer_stop();
    if (*progress != seen) {
      seen = *progress;
      idle = 0;
    } else if (vtimer_fired) {
      idle += IDLE_TICK_MS;
    }
  }
  return *flag;
}
