/* The Cortex-A15 performance monitors (PMUv2) from inside a guest: every register's reset value,
 * instructions and cycles counted over a loop of known length (and the cycle counter's ratio to
 * the instruction count, with and without the ÷64 divider), exceptions taken and returned, software
 * increments, an overflow and its interrupt (PPI 23) through the GIC, and PMUSERENR from PL0.
 * "INFO:" lines carry the raw figures for comparison with QEMU. */
#include "guest.h"
#include "test.h"

#define IRQ_PMU 23

#define EV_SW_INCR 0x00
#define EV_INST_RETIRED 0x08
#define EV_EXC_TAKEN 0x09
#define EV_EXC_RETURN 0x0a
#define EV_PC_WRITE_RETIRED 0x0c
#define EV_CPU_CYCLES 0x11
#define EV_MEM_ACCESS 0x13

#define PMCR_E (1u << 0)
#define PMCR_P (1u << 1)
#define PMCR_C (1u << 2)
#define PMCR_D (1u << 3)
#define CYCLE (1u << 31)

#define PMU_REG(name, crm, op2)                                                                   \
  static inline uint32_t read_##name(void) {                                                     \
    uint32_t v;                                                                                   \
    __asm__ volatile("mrc p15, 0, %0, c9, " #crm ", " #op2 : "=r"(v));                            \
    return v;                                                                                     \
  }                                                                                               \
  static inline void write_##name(uint32_t v) {                                                  \
    __asm__ volatile("mcr p15, 0, %0, c9, " #crm ", " #op2 ::"r"(v) : "memory");                  \
  }

PMU_REG(pmcr, c12, 0)
PMU_REG(pmcntenset, c12, 1)
PMU_REG(pmcntenclr, c12, 2)
PMU_REG(pmovsr, c12, 3)
PMU_REG(pmswinc, c12, 4)
PMU_REG(pmselr, c12, 5)
PMU_REG(pmceid0, c12, 6)
PMU_REG(pmceid1, c12, 7)
PMU_REG(pmccntr, c13, 0)
PMU_REG(pmxevtyper, c13, 1)
PMU_REG(pmxevcntr, c13, 2)
PMU_REG(pmuserenr, c14, 0)
PMU_REG(pmintenset, c14, 1)
PMU_REG(pmintenclr, c14, 2)

static void set_counter(unsigned n, uint32_t event, uint32_t value) {
  write_pmselr(n);
  write_pmxevtyper(event);
  write_pmxevcntr(value);
}

static uint32_t counter(unsigned n) {
  write_pmselr(n);
  return read_pmxevcntr();
}

static volatile uint32_t undefs, pmu_irqs, irq_ovs, irq_count_at_entry;

void undef_handler(struct exc_frame *f) {
  (void)f; /* frame->pc is already the next instruction */
  undefs++;
}

/* The PL0 probes end with SVC #0: back to SVC mode after the SVC. */
void svc_handler(struct exc_frame *f) { f->spsr = (f->spsr & ~0x1fu) | 0x13u; }

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  unsigned intid = iar & 0x3ff;
  if (intid == GIC_SPURIOUS) return;
  if (intid == IRQ_PMU) {
    irq_count_at_entry = counter(5);
    irq_ovs = read_pmovsr();
    write_pmovsr(irq_ovs); /* the level drops */
    pmu_irqs++;
  }
  gic_eoi(iar);
}

/* Reads PMCCNTR (or, with `inten`, PMINTENSET) at PL0; returns 0xdead if the read was UNDEFINED. */
static uint32_t pl0_read(int inten) {
  uint32_t v;
  __asm__ volatile("push {r4, lr}\n"
                   "mov r4, %1\n"
                   "movw r0, #0xdead\n"
                   "cps #0x10\n"
                   "cmp r4, #0\n"
                   "mrceq p15, 0, r0, c9, c13, 0\n"
                   "mrcne p15, 0, r0, c9, c14, 1\n"
                   "svc #0\n"
                   "mov %0, r0\n"
                   "pop {r4, lr}\n"
                   : "=r"(v)
                   : "r"(inten)
                   : "r0", "r4", "memory", "cc");
  return v;
}

static void check_reset_values(void) {
  test_eq("PMCR reset (IMP 0x41, IDCODE 0x0F, N = 6)", read_pmcr(), 0x410f3000);
  test_eq("PMCNTENSET reset", read_pmcntenset(), 0);
  test_eq("PMCNTENCLR reset", read_pmcntenclr(), 0);
  test_eq("PMOVSR reset", read_pmovsr(), 0);
  test_eq("PMSELR reset", read_pmselr(), 0);
  test_eq("PMCEID0: SW_INCR, INST_RETIRED, EXC_TAKEN, EXC_RETURN, PC_WRITE_RETIRED, CPU_CYCLES, MEM_ACCESS",
          read_pmceid0(), 0x000a1701);
  test_eq("PMCEID1", read_pmceid1(), 0);
  test_eq("PMCCNTR reset", read_pmccntr(), 0);
  test_eq("PMUSERENR reset", read_pmuserenr(), 0);
  test_eq("PMINTENSET reset", read_pmintenset(), 0);
  test_eq("PMINTENCLR reset", read_pmintenclr(), 0);
  for (unsigned n = 0; n < 6; n++) {
    write_pmselr(n);
    test_eq("PMXEVTYPER reset", read_pmxevtyper(), 0);
    test_eq("PMXEVCNTR reset", read_pmxevcntr(), 0);
  }
  write_pmselr(31);
  test_eq("PMCCFILTR (PMXEVTYPER, SEL 31) reset", read_pmxevtyper(), 0);
}

/* Reads PMCCNTR and counter 0 (SEL 0) around a loop of `n` iterations: 2n + 3 instructions apart. */
static void measure(uint32_t n, uint32_t out[4]) {
  uint32_t c0, i0, c1, i1;
  write_pmselr(0);
  __asm__ volatile("mrc p15, 0, %0, c9, c13, 0\n"
                   "mrc p15, 0, %1, c9, c13, 2\n"
                   "mov r3, %4\n"
                   "1: subs r3, r3, #1\n"
                   "bne 1b\n"
                   "mrc p15, 0, %2, c9, c13, 0\n"
                   "mrc p15, 0, %3, c9, c13, 2\n"
                   : "=&r"(c0), "=&r"(i0), "=&r"(c1), "=&r"(i1)
                   : "r"(n)
                   : "r3", "cc");
  out[0] = c0;
  out[1] = i0;
  out[2] = c1;
  out[3] = i1;
}

static void check_counting(void) {
  uint32_t m[4];
  set_counter(0, EV_INST_RETIRED, 0);
  set_counter(1, EV_CPU_CYCLES, 0);
  write_pmcntenset(CYCLE | 3);
  write_pmcr(PMCR_E | PMCR_P | PMCR_C);
  measure(1000, m);
  uint32_t cycles = m[2] - m[0], insns = m[3] - m[1];
  printf("INFO: loop of 1000: %u instructions, %u cycles\n", insns, cycles);
  test_eq("INST_RETIRED over the loop: 2n + 3 instructions", insns, 2003);
  test_eq("PMCCNTR over the loop: one cycle per instruction", cycles, 2003);
  uint32_t c1 = counter(1);
  test_check("CPU_CYCLES counts", c1 > 2003);

  /* The ÷64 divider: a loop of 64000 iterations is 128003 cycles, 2000 counts of 64. */
  write_pmcr(PMCR_E | PMCR_C | PMCR_D);
  measure(64000, m);
  uint32_t div = m[2] - m[0];
  insns = m[3] - m[1];
  printf("INFO: loop of 64000 with PMCR.D: %u instructions, %u cycle counts\n", insns, div);
  test_eq("INST_RETIRED over the long loop", insns, 128003);
  test_check("PMCCNTR with PMCR.D counts every 64 cycles", div == 2000 || div == 2001);

  /* Disabled counters hold still. */
  write_pmcr(0);
  measure(1000, m);
  test_eq("PMCR.E = 0: PMCCNTR holds", m[2] - m[0], 0);
  test_eq("PMCR.E = 0: event counters hold", m[3] - m[1], 0);
  write_pmcntenclr(0xffffffff);
}

static volatile uint32_t words[4];

/* MEM_ACCESS counted over n iterations of a load, a store and a two-word LDM. */
static uint32_t mem_loop(uint32_t n) {
  set_counter(1, EV_MEM_ACCESS, 0);
  write_pmcntenset(2);
  write_pmcr(PMCR_E);
  __asm__ volatile("1: ldr r4, [%1]\n"
                   "str r4, [%1, #4]\n"
                   "ldmia %1, {r4, r5}\n"
                   "subs %0, %0, #1\n"
                   "bne 1b\n"
                   "mcr p15, 0, %0, c9, c12, 0\n" /* PMCR = 0: stop */
                   : "+r"(n)
                   : "r"(words)
                   : "r4", "r5", "cc", "memory");
  write_pmcntenclr(0xffffffff);
  return counter(1);
}

static void check_events(void) {
  set_counter(2, EV_EXC_TAKEN, 0);
  set_counter(3, EV_EXC_RETURN, 0);
  set_counter(4, EV_SW_INCR, 0);
  write_pmcntenset(0x1c);
  write_pmcr(PMCR_E);
  __asm__ volatile("svc #0" ::: "memory");
  write_pmswinc(1u << 4);
  write_pmswinc(1u << 4);
  write_pmswinc(0x3);           /* counters 0 and 1 count other events */
  write_pmswinc(1u << 4);
  write_pmcr(0);
  test_eq("EXC_TAKEN: one SVC", counter(2), 1);
  test_eq("EXC_RETURN: its return", counter(3), 1);
  test_eq("SW_INCR: three PMSWINC writes", counter(4), 3);
  write_pmcntenclr(0xffffffff);

  /* PC writes: 99 taken branches of a 100-iteration loop. */
  set_counter(0, EV_PC_WRITE_RETIRED, 0);
  write_pmcntenset(1);
  write_pmcr(PMCR_E);
  __asm__ volatile("mov r3, #100\n"
                   "1: subs r3, r3, #1\n"
                   "bne 1b\n"
                   "mcr p15, 0, r3, c9, c12, 0\n" /* PMCR = 0: stop */
                   ::
                       : "r3", "cc", "memory");
  test_eq("PC_WRITE_RETIRED: the loop's taken branches", counter(0), 99);
  write_pmcntenclr(0xffffffff);

  /* Data accesses: a loop of n iterations of a load, a store and a two-word LDM. The setup around
   * it (a literal-pool load of the address) costs the same for every n, so the difference of two
   * loops is exact. */
  uint32_t long_loop = mem_loop(50), short_loop = mem_loop(10);
  test_eq("MEM_ACCESS: a load, a store and a two-word LDM, 40 times more", long_loop - short_loop, 160);
  write_pmcntenclr(0xffffffff);
}

static void check_overflow(void) {
  gic_init();
  gic_set_priority(IRQ_PMU, 0x80);
  gic_enable_irq(IRQ_PMU);
  set_counter(5, EV_INST_RETIRED, 0xffffffffu - 9999);
  write_pmintenset(1u << 5);
  write_pmcntenset(1u << 5);
  write_pmcr(PMCR_E);
  irq_enable();
  for (volatile int k = 0; k < 20000 && pmu_irqs == 0; k++)
    ;
  for (volatile int k = 0; k < 2000; k++)
    ;
  irq_disable();
  write_pmcr(0);
  test_eq("overflow interrupt (PPI 23) taken once", pmu_irqs, 1);
  test_eq("PMOVSR names counter 5", irq_ovs, 1u << 5);
  test_eq("PMOVSR cleared by the handler", read_pmovsr(), 0);
  printf("INFO: counter 5 read %u instructions after its wrap, in the handler\n", irq_count_at_entry);
  test_check("the interrupt came right after the wrap", irq_count_at_entry < 100);
  write_pmintenclr(0xffffffff);
  write_pmcntenclr(0xffffffff);

  /* The cycle counter with ÷64 overflows too. */
  pmu_irqs = 0;
  write_pmccntr(0xfffffff0u);
  write_pmintenset(CYCLE);
  write_pmcntenset(CYCLE);
  write_pmcr(PMCR_E | PMCR_D);
  irq_enable();
  for (volatile int k = 0; k < 20000 && pmu_irqs == 0; k++)
    ;
  irq_disable();
  write_pmcr(0);
  test_eq("cycle counter overflow interrupt", pmu_irqs, 1);
  test_eq("PMOVSR names the cycle counter", irq_ovs, CYCLE);
  write_pmintenclr(0xffffffff);
  write_pmcntenclr(0xffffffff);
}

static void check_pl0(void) {
  write_pmcntenset(CYCLE);
  write_pmccntr(0x1000);
  undefs = 0;
  uint32_t v = pl0_read(0);
  test_eq("PL0 PMCCNTR read with PMUSERENR.EN = 0 is UNDEFINED", undefs, 1);
  test_eq("  and reads nothing", v, 0xdead);
  write_pmuserenr(1);
  test_eq("PMUSERENR.EN set", read_pmuserenr(), 1);
  undefs = 0;
  v = pl0_read(0);
  test_eq("PL0 PMCCNTR read with PMUSERENR.EN = 1", undefs, 0);
  test_eq("  reads the counter", v, 0x1000);
  v = pl0_read(1);
  test_eq("PL0 PMINTENSET read is UNDEFINED even with EN", undefs, 1);
  write_pmuserenr(0);
}

int main(void) {
  check_reset_values();
  check_counting();
  check_events();
  check_overflow();
  check_pl0();
  test_done("pmu");
}
