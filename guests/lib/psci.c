/* PSCI over HVC. */
#include "guest.h"

int32_t psci_call(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3) {
  register uint32_t r0 __asm__("r0") = fn;
  register uint32_t r1 __asm__("r1") = a1;
  register uint32_t r2 __asm__("r2") = a2;
  register uint32_t r3 __asm__("r3") = a3;
  __asm__ volatile(".arch_extension virt\n\thvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
  return (int32_t)r0;
}

uint32_t psci_version(void) { return (uint32_t)psci_call(PSCI_VERSION, 0, 0, 0); }

int32_t psci_features(uint32_t fn) { return psci_call(PSCI_FEATURES, fn, 0, 0); }

int32_t psci_cpu_on(uint32_t mpidr, uint32_t entry, uint32_t context_id) {
  return psci_call(PSCI_CPU_ON, mpidr, entry, context_id);
}

int32_t psci_cpu_off(void) { return psci_call(PSCI_CPU_OFF, 0, 0, 0); }

int32_t psci_affinity_info(uint32_t mpidr, uint32_t lowest_level) {
  return psci_call(PSCI_AFFINITY_INFO, mpidr, lowest_level, 0);
}

void psci_system_off(void) {
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
  /* SYSTEM_OFF does not return; if it did, stop here rather than run on. */
  for (;;) wfi();
}

void psci_system_reset(void) {
  psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
  for (;;) wfi();
}
