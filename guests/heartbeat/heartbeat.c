/* heartbeat: the default guest. Two vcpus each keep a heartbeat on their own virtual timer (PPI 27),
 * sleeping in WFI between beats; vcpu 1 is started with PSCI CPU_ON and sends vcpu 0 an SGI at every
 * beat. Each beat prints the interval measured since the previous one. After ten beats each, a
 * summary (beats, mean and worst interval error, SGIs) and PSCI SYSTEM_OFF.
 *
 * Beats are programmed on an absolute grid (CVAL += period), so an interval's error is the
 * difference between two wake-up latencies: how late the timer interrupt reached the guest. */
#include "guest.h"

#define BEATS 10
#define NCPU 2
#define TICKS_PER_MS 62500u
#define SGI_BEAT 1 /* vcpu 1 -> vcpu 0, at every beat */
#define SGI_DONE 2 /* vcpu 1 -> vcpu 0, after its last beat */

static const uint32_t period_ms[NCPU] = {200, 300};

/* Written by the timer interrupt, read by the beating loop. */
static volatile uint64_t beat_at[NCPU][BEATS]; /* virtual count at each beat */
static volatile uint32_t beats[NCPU];
static volatile uint32_t overtime[NCPU]; /* timer interrupts after the last beat (the watchdog) */
static volatile uint32_t sgis_received;
static volatile uint32_t sgis_sent;
static volatile uint32_t finished[NCPU];
static volatile uint64_t epoch; /* the virtual count the beat grid starts from */

/* Interval errors, for the summary (microseconds). */
static int32_t worst_err[NCPU];
static uint32_t sum_abs_err[NCPU];

static uint64_t period_ticks(unsigned cpu) { return (uint64_t)period_ms[cpu] * TICKS_PER_MS; }

/* Ticks to microseconds (62.5 MHz: 16 ns per tick). */
static int32_t us_of(int64_t ticks) { return (int32_t)(ticks * 16 / 1000); }

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  unsigned intid = iar & 0x3ff;
  unsigned cpu = cpu_id();
  if (intid == IRQ_VTIMER) {
    uint64_t now = read_cntvct();
    uint32_t n = beats[cpu];
    if (n < BEATS) {
      beat_at[cpu][n] = now;
      beats[cpu] = n + 1;
      if (n + 1 < BEATS)
        write_cntv_cval(read_cntv_cval() + period_ticks(cpu));
      else
        write_cntv_ctl(0);
    } else {
      overtime[cpu]++; /* the watchdog rang */
      write_cntv_ctl(0);
    }
  } else if (intid == SGI_BEAT) {
    sgis_received++;
  }
  /* SGI_DONE only wakes vcpu 0 from WFI. */
  if (intid != GIC_SPURIOUS) gic_eoi(iar);
}

/* "12.345" from microseconds, into buf (at least 16 bytes). */
static const char *ms_str(char *buf, uint32_t us) {
  char tmp[12];
  unsigned n = 0, k = 0;
  uint32_t ms = us / 1000, frac = us % 1000;
  do {
    tmp[n++] = (char)('0' + ms % 10);
    ms /= 10;
  } while (ms);
  while (n) buf[k++] = tmp[--n];
  buf[k++] = '.';
  buf[k++] = (char)('0' + frac / 100);
  buf[k++] = (char)('0' + frac / 10 % 10);
  buf[k++] = (char)('0' + frac % 10);
  buf[k] = 0;
  return buf;
}

/* "+12" / "-7" from a signed number, into buf (at least 16 bytes). */
static const char *signed_str(char *buf, int32_t v) {
  char tmp[12];
  unsigned n = 0, k = 0;
  uint32_t u = v < 0 ? (uint32_t)-v : (uint32_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  buf[k++] = v < 0 ? '-' : '+';
  while (n) buf[k++] = tmp[--n];
  buf[k] = 0;
  return buf;
}

static void print_beat(unsigned cpu, uint32_t n) {
  uint64_t prev = n == 0 ? epoch : beat_at[cpu][n - 1];
  int64_t interval = (int64_t)(beat_at[cpu][n] - prev);
  int32_t err = us_of(interval - (int64_t)period_ticks(cpu));
  uint32_t abs_err = err < 0 ? (uint32_t)-err : (uint32_t)err;
  sum_abs_err[cpu] += abs_err;
  if (abs_err > (uint32_t)(worst_err[cpu] < 0 ? -worst_err[cpu] : worst_err[cpu])) worst_err[cpu] = err;

  char t[16], iv[16], e[16];
  ms_str(t, (uint32_t)us_of((int64_t)(beat_at[cpu][n] - epoch)));
  ms_str(iv, (uint32_t)us_of(interval));
  signed_str(e, err);
  /* vcpu 1's beats sit in a second column (COLUMN wide), so the two hearts read side by side. */
  const char *indent = cpu == 0 ? "" : "                                  ";
  printf("  %9s ms   %s<3 beat %2u  %8s ms %7s us%s\n", t, indent, n + 1, iv, e, cpu == 1 ? "   SGI -> vcpu 0" : "");
}

/* One vcpu's heart: program the timer on the grid, then sleep in WFI until each beat. */
static void heart(uint32_t cpu) {
  if (cpu != 0) gic_cpu_enable();
  gic_set_priority(IRQ_VTIMER, 0x80);
  gic_enable_irq(IRQ_VTIMER); /* PPIs are banked: this is this vcpu's */
  write_cntv_cval(epoch + period_ticks(cpu));
  write_cntv_ctl(CNT_CTL_ENABLE);
  irq_enable();
  uint32_t printed = 0;
  while (printed < BEATS) {
    wfi();
    while (printed < beats[cpu]) {
      print_beat(cpu, printed++);
      if (cpu == 1) {
        gic_send_sgi(SGI_BEAT, 1u << 0);
        sgis_sent++;
      }
    }
  }
  dsb();
  finished[cpu] = 1;
  dsb();
  if (cpu != 0) gic_send_sgi(SGI_DONE, 1u << 0); /* wake vcpu 0 for the summary */
}

static void summary_line(unsigned cpu) {
  uint32_t n = beats[cpu];
  uint32_t mean = n ? sum_abs_err[cpu] / n : 0;
  int32_t w = worst_err[cpu];
  printf("  vcpu %u   %2u beats every %u ms   interval error: mean %u us, worst %c%u us\n", cpu, n, period_ms[cpu],
         mean, w < 0 ? '-' : '+', (uint32_t)(w < 0 ? -w : w));
}

int main(void) {
  printf("\narmvmm heartbeat\n");
  uint32_t frq = read_cntfrq();
  printf("  two vcpus, each woken from WFI by its own virtual timer (PPI 27); counter %u.%u MHz\n", frq / 1000000,
         frq / 100000 % 10);
  printf("  vcpu 0 beats every %u ms; vcpu 1, started with PSCI CPU_ON, every %u ms and sends vcpu 0 an SGI\n\n",
         period_ms[0], period_ms[1]);
  printf("    guest time   vcpu 0                            vcpu 1\n");
  printf("  ------------   -------------------------------   -------------------------------\n");

  gic_init();
  gic_set_priority(SGI_BEAT, 0x80);
  gic_set_priority(SGI_DONE, 0x80);
  gic_enable_irq(SGI_BEAT);
  gic_enable_irq(SGI_DONE);
  epoch = read_cntvct();
  dsb();
  int started = cpu_start(1, heart, 1) == PSCI_SUCCESS;
  if (!started) printf("  (vcpu 1 did not start: run with two cpus, e.g. -smp 2)\n");
  heart(0);

  if (started) {
    /* Wait for vcpu 1's last beat; the virtual timer doubles as a watchdog. */
    write_cntv_cval(read_cntvct() + (uint64_t)(BEATS + 2) * period_ticks(1));
    write_cntv_ctl(CNT_CTL_ENABLE);
    while (!finished[1] && !overtime[0]) wfi();
    write_cntv_ctl(0);
  }
  irq_disable();

  uint64_t total = read_cntvct() - epoch;
  char t[16];
  /* Milliseconds through ms_str read as seconds with three decimals. */
  printf("\nsummary (%s s of guest time)\n", ms_str(t, (uint32_t)(us_of((int64_t)total) / 1000)));
  summary_line(0);
  if (started) {
    summary_line(1);
    printf("  SGIs from vcpu 1 to vcpu 0: %u sent, %u received\n", sgis_sent, sgis_received);
  }

  int ok = beats[0] == BEATS && (!started || (beats[1] == BEATS && finished[1] && sgis_received == sgis_sent &&
                                               sgis_sent == BEATS));
  printf("heartbeat: %s\n", ok ? "ok, powering off" : "something went wrong (see above), powering off");
  psci_system_off();
}
