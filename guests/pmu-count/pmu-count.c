/* The PMU counters that QEMU's Cortex-A15 counts the way armvmm does (under QEMU's -icount
 * shift=0): instructions (INST_RETIRED), cycles (CPU_CYCLES and PMCCNTR, with and without the ÷64
 * divider) and software increments, read into registers while a loop runs. The lockstep test
 * (test/lockstep/pmu-lockstep.test.ts; the ÷64 divider is left out: QEMU's phase of it varied
 * from run to run) compares every register after every instruction with QEMU,
 * so each counter read must match QEMU's to the count. It prints only if a count makes no sense. */
#include "guest.h"

#define PMU_REG(name, crm, op2)                                                                  \
  static inline uint32_t read_##name(void) {                                                     \
    uint32_t v;                                                                                  \
    __asm__ volatile("mrc p15, 0, %0, c9, " #crm ", " #op2 : "=r"(v)::"memory");                  \
    return v;                                                                                    \
  }                                                                                              \
  static inline void write_##name(uint32_t v) {                                                  \
    __asm__ volatile("mcr p15, 0, %0, c9, " #crm ", " #op2 ::"r"(v) : "memory");                  \
  }

PMU_REG(pmcr, c12, 0)
PMU_REG(pmcntenset, c12, 1)
PMU_REG(pmswinc, c12, 4)
PMU_REG(pmselr, c12, 5)
PMU_REG(pmccntr, c13, 0)
PMU_REG(pmxevtyper, c13, 1)
PMU_REG(pmxevcntr, c13, 2)

#define PMCR_E 1u
#define PMCR_P 2u
#define PMCR_C 4u
#define PMCR_D 8u

static uint32_t counter(unsigned n) {
  write_pmselr(n);
  return read_pmxevcntr();
}

static volatile uint32_t sink;
static uint32_t results[2][4];

int main(void) {
  write_pmselr(0);
  write_pmxevtyper(0x08); /* INST_RETIRED */
  write_pmselr(1);
  write_pmxevtyper(0x11); /* CPU_CYCLES */
  write_pmselr(2);
  write_pmxevtyper(0x00); /* SW_INCR */
  write_pmcntenset(0x80000007u);
  for (uint32_t pass = 0; pass < 1; pass++) {
    write_pmcr(PMCR_E | PMCR_P | PMCR_C | (pass ? PMCR_D : 0));
    for (uint32_t k = 0; k < 200; k++) {
      sink = k;
      if ((k & 15) == 0) write_pmswinc(1u << 2);
    }
    results[pass][0] = counter(0);
    results[pass][1] = counter(1);
    results[pass][2] = counter(2);
    results[pass][3] = read_pmccntr();
    write_pmcr(0);
  }
  /* No console output on success: under -icount QEMU replays an instruction that touches a
   * device, which the lockstep comparison would take for a divergence. The counts themselves are
   * compared register by register as they are read; here they are only checked for sense. */
  int ok = 1;
  for (uint32_t pass = 0; pass < 1; pass++) {
    uint32_t insts = results[pass][0], cycles = results[pass][1];
    ok &= insts > 1000 && insts < 5000 && cycles >= insts && cycles < insts + 16 && results[pass][2] == 13;
  }
  ok &= results[0][3] >= results[0][1];
  if (!ok) printf("FAIL: pmu-count: %u %u %u %u / %u %u %u %u\n", results[0][0], results[0][1], results[0][2],
                  results[0][3], results[1][0], results[1][1], results[1][2], results[1][3]);
  return 0;
}
