/* Two vcpus use the VFP at the same time, each with its own values in all 32 D registers, and
 * check them again and again across many scheduling slices. On one host thread the vcpus share a
 * physical register file, which the hypervisor switches lazily on HCPTR traps (--stats: "fp trap");
 * a register of one vcpu's seen by the other is a failure. Run with -smp 2. */
#include "guest.h"
#include "test.h"

#define ROUNDS 200
#define SPIN 20000

#define D_REGS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

/* D<n> = (seed + n, seed). */
static void fill(uint32_t seed) {
  __asm__ volatile(".fpu vfpv3\n"
                   ".irp n," D_REGS "\n"
                   "add r2, %0, #\\n\n"
                   "vmov d\\n, r2, %0\n"
                   ".endr\n" ::"r"(seed)
                   : "r2", "memory");
}

/* The number of words that differ from what fill(seed) wrote. */
static uint32_t mismatches(uint32_t seed) {
  uint32_t bad;
  __asm__ volatile(".fpu vfpv3\n"
                   "mov %0, #0\n"
                   ".irp n," D_REGS "\n"
                   "vmov r2, r3, d\\n\n"
                   "add r1, %1, #\\n\n"
                   "cmp r2, r1\n"
                   "addne %0, %0, #1\n"
                   "cmp r3, %1\n"
                   "addne %0, %0, #1\n"
                   ".endr\n"
                   : "=&r"(bad)
                   : "r"(seed)
                   : "r1", "r2", "r3", "cc");
  return bad;
}

static volatile uint32_t errors[2], done[2];

static void run(unsigned me) {
  vfp_enable();
  uint32_t bad = 0;
  for (uint32_t round = 0; round < ROUNDS; round++) {
    uint32_t seed = ((me + 1) << 24) | (round << 8);
    fill(seed);
    for (volatile int k = 0; k < SPIN; k++)
      ;
    bad += mismatches(seed);
  }
  errors[me] = bad;
  dsb();
  done[me] = 1;
}

static void secondary(uint32_t arg) { run(arg); }

int main(void) {
  int32_t r = cpu_start(1, secondary, 1);
  test_eq("PSCI CPU_ON of vcpu 1", (uint32_t)r, PSCI_SUCCESS);
  run(0);
  while (!done[1])
    ;
  dmb();
  test_eq("vcpu 0 kept its own VFP registers", errors[0], 0);
  test_eq("vcpu 1 kept its own VFP registers", errors[1], 0);
  test_done("fpswitch");
}
