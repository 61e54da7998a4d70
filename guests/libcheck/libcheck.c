/* Exercises the guest library itself: exception hooks (UNDEF, SVC), the virtual timer interrupt
 * through the GIC, secondary CPUs through PSCI CPU_ON with an SGI back to CPU 0, and the test
 * reporting. Run with -smp 2 or more to include the secondary-CPU checks. */
#include "guest.h"
#include "test.h"

static volatile uint32_t undef_count, svc_imm, irq_intid, sgi_from, secondary_ran;

void undef_handler(struct exc_frame *f) {
  (void)f; /* frame->pc is already the next instruction */
  undef_count++;
}

void svc_handler(struct exc_frame *f) {
  /* ARM-state SVC: the immediate is in the instruction before the return address. */
  svc_imm = *(volatile uint32_t *)(f->pc - 4) & 0xffffff;
  f->r[0] = 0x5a5a;
}

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  unsigned intid = iar & 0x3ff;
  if (intid == IRQ_VTIMER) {
    write_cntv_ctl(CNT_CTL_IMASK); /* the level drops once masked */
    irq_intid = intid;
  } else if (intid < 16) {
    sgi_from = ((iar >> 10) & 7) + 1;
  }
  if (intid != GIC_SPURIOUS) gic_eoi(iar);
}

static void secondary(uint32_t arg) {
  gic_cpu_enable();
  secondary_ran = arg;
  gic_send_sgi(3, 1); /* to CPU 0 */
}

int main(void) {
  test_eq("boot r0", boot_r0, 0);
  test_check("running on cpu 0", cpu_id() == 0);

  __asm__ volatile(".word 0xe7f000f0" ::: "memory"); /* UDF #0 (permanently undefined) */
  test_eq("undef handler ran once", undef_count, 1);

  register uint32_t r0 __asm__("r0") = 0;
  __asm__ volatile("svc #0x1234" : "+r"(r0)::"memory");
  uint32_t svc_result = r0; /* copy before any call reuses r0 */
  test_eq("svc handler result in r0", svc_result, 0x5a5a);
  test_eq("svc immediate", svc_imm, 0x1234);

  test_check("psci version >= 0.2", psci_version() >= 2);
  test_eq("psci features(CPU_ON) supported", psci_features(PSCI_CPU_ON) >= 0, 1);
  test_check("cntfrq nonzero", read_cntfrq() != 0);
  uint64_t a = read_cntvct();
  uint64_t b = read_cntvct();
  test_check("virtual count does not go backwards", b >= a);

  gic_init();
  gic_set_priority(IRQ_VTIMER, 0x80);
  gic_enable_irq(IRQ_VTIMER);
  write_cntv_tval(read_cntfrq() / 1000); /* 1 ms */
  write_cntv_ctl(CNT_CTL_ENABLE);
  irq_enable();
  for (int spins = 0; spins < 10000000 && irq_intid == 0; spins++) wfi();
  test_eq("virtual timer interrupt (PPI 27)", irq_intid, IRQ_VTIMER);

  if (psci_affinity_info(1, 0) == PSCI_AFF_OFF) {
    gic_set_priority(3, 0x80);
    gic_enable_irq(3);
    test_eq("cpu_start(1)", cpu_start(1, secondary, 0xc0de), PSCI_SUCCESS);
    for (int spins = 0; spins < 10000000 && sgi_from == 0; spins++) wfi();
    test_eq("secondary ran with its argument", secondary_ran, 0xc0de);
    test_eq("SGI 3 from cpu 1", sgi_from, 2);
    test_eq("cpu_start(1) again: ALREADY_ON or ON_PENDING or success after off",
            cpu_start(1, secondary, 0) <= 0, 1);
  } else {
    printf("libcheck: single cpu, secondary checks skipped\n");
  }
  irq_disable();
  test_done("libcheck");
}
