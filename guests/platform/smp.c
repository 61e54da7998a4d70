/* SMP bring-up through PSCI CPU_ON (ARM DEN 0022, 5.6 and 6.4): every secondary reports in with
 * the context id it was given in r0, its MPIDR, SVC mode with A, I and F masked, the MMU off, and
 * in Thumb state when bit 0 of the entry address is set. Then CPU_ON's errors, AFFINITY_INFO before
 * and after a secondary turns itself off with CPU_OFF, and starting that CPU again. Every secondary
 * is off again at the end, so the later checks run on CPU 0 alone. */
#include "guest.h"
#include "test.h"
#include "platform.h"

#define PATH_ARM 1
#define PATH_THUMB 2
#define CONTEXT(cpu) (0xc0de0000u | (cpu))
#define CONTEXT_AGAIN(cpu) (0xc0de0100u | (cpu))
#define WAIT_MS 1000

#define CPSR_MODE 0x1fu
#define CPSR_SVC 0x13u
#define CPSR_AIF (7u << 6)
#define SCTLR_M 1u

/* Written by entry.S (layout documented there). */
struct entry_report {
  uint32_t context, cpsr, sctlr, mpidr, path, arrivals, pad[2];
};
volatile struct entry_report entry_reports[GUEST_MAX_CPUS];

void entry_arm(void);
void entry_thumb(void);
void platform_secondary(uint32_t context);

#define CMD_NONE 0
#define CMD_OFF 1
static volatile uint32_t command[GUEST_MAX_CPUS];

/* A secondary waits for CPU 0 to tell it to turn itself off. */
void platform_secondary(uint32_t context) {
  (void)context;
  unsigned cpu = cpu_id();
  for (;;) {
    if (command[cpu] == CMD_OFF) {
      command[cpu] = CMD_NONE;
      dsb();
      psci_cpu_off();
      test_fail("CPU_OFF does not return", "cpu %u", cpu);
    }
    wfe();
  }
}

/* "cpu N<tag>: <what>" in a static buffer (test names are printed at once). */
static const char *name_of(unsigned cpu, const char *tag, const char *what) {
  static char buf[96];
  unsigned n = 0;
  for (const char *s = "cpu "; *s;) buf[n++] = *s++;
  buf[n++] = (char)('0' + cpu);
  while (*tag && n < 40) buf[n++] = *tag++;
  buf[n++] = ':';
  buf[n++] = ' ';
  while (*what && n < sizeof buf - 1) buf[n++] = *what++;
  buf[n] = 0;
  return buf;
}

/* Waits (with other CPUs running) until the arrival count of `cpu` passes `before`. */
static int wait_arrival(unsigned cpu, uint32_t before) {
  uint64_t end = read_cntvct() + (uint64_t)ticks_per_ms() * WAIT_MS;
  while (entry_reports[cpu].arrivals == before && read_cntvct() < end) wfe();
  return entry_reports[cpu].arrivals != before;
}

static int32_t wait_affinity(unsigned cpu, int32_t want) {
  uint64_t end = read_cntvct() + (uint64_t)ticks_per_ms() * WAIT_MS;
  int32_t state = psci_affinity_info(cpu, 0);
  while (state != want && read_cntvct() < end) {
    wfe();
    state = psci_affinity_info(cpu, 0);
  }
  return state;
}

static void check_report(unsigned cpu, const char *tag, uint32_t before, uint32_t context, uint32_t path) {
  if (!test_check(name_of(cpu, tag, "reported in after CPU_ON"), wait_arrival(cpu, before))) return;
  volatile struct entry_report *r = &entry_reports[cpu];
  test_eq(name_of(cpu, tag, "context id in r0"), r->context, context);
  test_eq(name_of(cpu, tag, "MPIDR affinity = its index (Aff0), Aff1 = Aff2 = 0"), r->mpidr & 0xffffff, cpu);
  test_eq(name_of(cpu, tag, "started in SVC mode"), r->cpsr & CPSR_MODE, CPSR_SVC);
  test_eq(name_of(cpu, tag, "started with A, I and F masked"), r->cpsr & CPSR_AIF, CPSR_AIF);
  test_eq(name_of(cpu, tag, "started with the MMU off"), r->sctlr & SCTLR_M, 0);
  test_eq(name_of(cpu, tag, path == PATH_THUMB ? "started in Thumb state (entry bit 0 set)" : "started in ARM state"),
          r->path, path);
}

static uint32_t entry_for(uint32_t path) {
  return path == PATH_THUMB ? (uint32_t)&entry_thumb : (uint32_t)&entry_arm;
}

void check_smp(unsigned ncpus) {
  if (ncpus < 2) {
    test_fail("SMP checks", "need 2 or more CPUs, have %u", ncpus);
    return;
  }
  unsigned thumb_cpu = ncpus >= 3 ? 2 : 1;
  test_eq("the Thumb entry's address has bit 0 set", (uint32_t)&entry_thumb & 1, 1);

  for (unsigned cpu = 1; cpu < ncpus; cpu++)
    test_eq(name_of(cpu, "", "AFFINITY_INFO = OFF before CPU_ON"), psci_affinity_info(cpu, 0), PSCI_AFF_OFF);

  /* CPU_ON's argument errors. */
  if (ncpus < GUEST_MAX_CPUS)
    test_eq("CPU_ON(a CPU that does not exist) = INVALID_PARAMETERS", psci_cpu_on(ncpus, entry_for(PATH_ARM), 0),
            (uint32_t)PSCI_INVALID_PARAMETERS);
  test_eq("CPU_ON(Aff0 = 0xff) = INVALID_PARAMETERS", psci_cpu_on(0xff, entry_for(PATH_ARM), 0),
          (uint32_t)PSCI_INVALID_PARAMETERS);
  test_eq("CPU_ON(Aff1 = 1) = INVALID_PARAMETERS", psci_cpu_on(0x101, entry_for(PATH_ARM), 0),
          (uint32_t)PSCI_INVALID_PARAMETERS);
  test_eq("CPU_ON(the calling CPU) = ALREADY_ON", psci_cpu_on(0, entry_for(PATH_ARM), 0),
          (uint32_t)PSCI_ALREADY_ON);

  /* Bring-up: every secondary at once, one of them at the Thumb entry. */
  uint32_t before[GUEST_MAX_CPUS];
  for (unsigned cpu = 1; cpu < ncpus; cpu++) {
    uint32_t path = cpu == thumb_cpu ? PATH_THUMB : PATH_ARM;
    before[cpu] = entry_reports[cpu].arrivals;
    test_eq(name_of(cpu, "", "CPU_ON = SUCCESS"), psci_cpu_on(cpu, entry_for(path), CONTEXT(cpu)), PSCI_SUCCESS);
  }
  for (unsigned cpu = 1; cpu < ncpus; cpu++)
    check_report(cpu, "", before[cpu], CONTEXT(cpu), cpu == thumb_cpu ? PATH_THUMB : PATH_ARM);
  for (unsigned cpu = 1; cpu < ncpus; cpu++)
    test_eq(name_of(cpu, "", "AFFINITY_INFO = ON once running"), psci_affinity_info(cpu, 0), PSCI_AFF_ON);
  test_eq("CPU_ON(a running secondary) = ALREADY_ON", psci_cpu_on(1, entry_for(PATH_ARM), 0),
          (uint32_t)PSCI_ALREADY_ON);

  /* CPU 1 turns itself off, then starts again, this time at the other entry. */
  command[1] = CMD_OFF;
  dsb();
  sev();
  test_eq("cpu 1: AFFINITY_INFO = OFF after its CPU_OFF", wait_affinity(1, PSCI_AFF_OFF), PSCI_AFF_OFF);
  uint32_t path = thumb_cpu == 1 ? PATH_ARM : PATH_THUMB;
  uint32_t arrivals = entry_reports[1].arrivals;
  test_eq("cpu 1: CPU_ON after CPU_OFF = SUCCESS", psci_cpu_on(1, entry_for(path), CONTEXT_AGAIN(1)), PSCI_SUCCESS);
  check_report(1, " again", arrivals, CONTEXT_AGAIN(1), path);
  test_eq("cpu 1: AFFINITY_INFO = ON again", psci_affinity_info(1, 0), PSCI_AFF_ON);

  /* Everyone off: the rest of the run is CPU 0's. */
  for (unsigned cpu = 1; cpu < ncpus; cpu++) command[cpu] = CMD_OFF;
  dsb();
  sev();
  unsigned off = 0;
  for (unsigned cpu = 1; cpu < ncpus; cpu++)
    if (wait_affinity(cpu, PSCI_AFF_OFF) == PSCI_AFF_OFF) off++;
  test_eq("every secondary off again (CPU_OFF from each)", off, ncpus - 1);
}
