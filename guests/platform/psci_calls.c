/* PSCI calls that start nothing (ARM DEN 0022, PSCI 1.0): PSCI_VERSION, PSCI_FEATURES,
 * MIGRATE_INFO_TYPE, AFFINITY_INFO's argument checks and an unknown function ID.
 *
 * Where QEMU 7.2's virt machine answers differently (it implements PSCI itself, not as a
 * hypervisor would), the check accepts QEMU's answer only when on_qemu is set:
 *   - PSCI_VERSION: QEMU reports 1.1; armvmm implements 1.0.
 *   - AFFINITY_INFO with lowest affinity level 1: QEMU answers ON for every level above 0 (there
 *     is one cluster); armvmm describes level 0 only and answers INVALID_PARAMETERS.
 * Both answer an unknown function ID with NOT_SUPPORTED, as the SMC Calling Convention asks; an
 * HVC taken as UNDEFINED instead is reported as a FAIL line rather than ending the run. */
#include "guest.h"
#include "test.h"
#include "platform.h"

/* Inside the standard secure service range (0x84000000 + n) but not a PSCI function. */
#define UNKNOWN_FN 0x8400ff00u

static volatile uint32_t undef_count, in_unknown_call;

/* Counts UNDEFINED exceptions: during the unknown-function call (an HVC nobody answers) as that
 * check's result, elsewhere as stray. pc already points past the instruction. */
void undef_handler(struct exc_frame *f) {
  (void)f;
  if (in_unknown_call)
    undef_count++;
  else
    stray_exceptions++;
}

unsigned psci_count_cpus(void) {
  unsigned n = 0;
  for (unsigned cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
    if (psci_affinity_info(cpu, 0) >= 0) n++;
  return n;
}

void check_psci_calls(unsigned ncpus) {
  uint32_t version = psci_version();
  if (on_qemu)
    test_eq("PSCI_VERSION major = 1 (QEMU: 1.x)", version >> 16, 1);
  else
    test_eq("PSCI_VERSION = 1.0", version, 0x00010000);

  test_eq("PSCI_FEATURES(CPU_ON) = 0 (implemented)", psci_features(PSCI_CPU_ON), PSCI_SUCCESS);
  test_eq("PSCI_FEATURES(CPU_OFF) = 0", psci_features(PSCI_CPU_OFF), PSCI_SUCCESS);
  test_eq("PSCI_FEATURES(AFFINITY_INFO) = 0", psci_features(PSCI_AFFINITY_INFO), PSCI_SUCCESS);
  test_eq("PSCI_FEATURES(PSCI_FEATURES) = 0", psci_features(PSCI_FEATURES), PSCI_SUCCESS);
  test_eq("PSCI_FEATURES(MIGRATE) = NOT_SUPPORTED", psci_features(PSCI_MIGRATE), (uint32_t)PSCI_NOT_SUPPORTED);
  test_eq("PSCI_FEATURES(unknown function) = NOT_SUPPORTED", psci_features(UNKNOWN_FN),
          (uint32_t)PSCI_NOT_SUPPORTED);
  test_eq("MIGRATE_INFO_TYPE = 2 (no Trusted OS)", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);

  undef_count = 0;
  in_unknown_call = 1;
  int32_t r = psci_call(UNKNOWN_FN, 0, 0, 0);
  in_unknown_call = 0;
  if (undef_count != 0)
    test_fail("unknown function ID = NOT_SUPPORTED", "HVC was UNDEFINED");
  else
    test_eq("unknown function ID = NOT_SUPPORTED", r, (uint32_t)PSCI_NOT_SUPPORTED);

  test_eq("AFFINITY_INFO(cpu 0) = ON", psci_affinity_info(0, 0), PSCI_AFF_ON);
  if (ncpus < GUEST_MAX_CPUS)
    test_eq("AFFINITY_INFO(a CPU that does not exist) = INVALID_PARAMETERS", psci_affinity_info(ncpus, 0),
            (uint32_t)PSCI_INVALID_PARAMETERS);
  test_eq("AFFINITY_INFO(Aff1 = 1) = INVALID_PARAMETERS", psci_affinity_info(0x100, 0),
          (uint32_t)PSCI_INVALID_PARAMETERS);
  r = psci_affinity_info(0, 1);
  if (on_qemu && r == PSCI_AFF_ON)
    test_pass("AFFINITY_INFO(lowest level 1) (QEMU: ON)");
  else
    test_eq("AFFINITY_INFO(lowest level 1) = INVALID_PARAMETERS", r, (uint32_t)PSCI_INVALID_PARAMETERS);
}
