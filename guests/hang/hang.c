/* A guest that hangs on purpose, for the host's fault handling: vcpu 1 spins with interrupts
 * masked and never stops, while vcpu 0 goes on taking its timer interrupts and printing. Then vcpu
 * 0 hangs the same way. The VM never powers off: the host must still end it (Ctrl-A x, a signal),
 * with every vcpu thread gone and the terminal restored. On one host thread a spinning vcpu could
 * freeze the others if the scheduler waited for it; on vcpu threads it must not matter at all.
 */
#include "guest.h"

#define TICKS 5
#define TICK_MS 20

static volatile uint32_t ticks;

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  if ((iar & 0x3ff) == IRQ_VTIMER) {
    ticks++;
    write_cntv_tval(read_cntfrq() / 1000 * TICK_MS);
  }
  if ((iar & 0x3ff) != GIC_SPURIOUS) gic_eoi(iar);
}

static void spin_masked(uint32_t arg) {
  (void)arg;
  __asm__ volatile("cpsid if\n1: b 1b" ::: "memory");
}

int main(void) {
  gic_init();
  gic_enable_irq(IRQ_VTIMER);
  if (cpu_start(1, spin_masked, 0) != 0) {
    printf("hang: no second vcpu (run with --smp 2 or more)\n");
    return 0;
  }
  printf("hang: vcpu 1 spins with interrupts masked\n");
  write_cntv_tval(read_cntfrq() / 1000 * TICK_MS);
  write_cntv_ctl(1);
  irq_enable();
  while (ticks < TICKS) wfi();
  printf("hang: vcpu 0 took %u timer interrupts meanwhile\n", (unsigned)ticks);
  printf("hang: now vcpu 0 spins too\n");
  spin_masked(0);
  return 0;
}
