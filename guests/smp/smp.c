/* Memory semantics between vcpus that run at the same time: exclusives, locks, DMB-ordered message
 * passing, cross-vcpu code modification and broadcast TLB maintenance. Runs on every CPU that PSCI
 * AFFINITY_INFO reports (1..8; the tests use 1..4); every CPU does every part, in step, and CPU 0
 * reports. The number and names of the checks do not depend on the CPU count (on one CPU each
 * part runs with that CPU in every role: it then checks the local paths only).
 *
 * What each check catches (the details are at the top of each part's file):
 *
 *  smp.c: "every CPU came up ..." -- PSCI CPU_ON started each CPU AFFINITY_INFO reports.
 *  counters.c, twice (MMU off: Strongly-ordered memory; MMU on: Normal WBWA shareable):
 *    "counter, MMU off|on: <size>, <ISA>" -- every CPU adds 1 to one shared counter M times with
 *    LDREX/STREX (B, H, word, D; ARM and Thumb-2), and the total must be exactly CPUs x M. Fails if
 *    a STREX succeeds although another CPU stored to the location after this CPU's LDREX (a
 *    per-CPU monitor that other CPUs' stores do not clear, a reservation not dropped when a vcpu is
 *    descheduled and another runs), if the exclusive store is not one atomic step against the
 *    other threads (read-compare-write in separate accesses), if a byte/halfword exclusive store
 *    writes more than its bytes (neighbour bytes are checked too), or if LDREXD/STREXD tear the
 *    64-bit value (the low word wraps during the run).
 *  lock.c: "lock: ..." -- a LDREX/STREX spinlock with WFE/SEV and a plain-store unlock guards a
 *    non-atomic read-modify-write of two counters. Fails on lost updates (lock not mutually
 *    exclusive, or the critical section's accesses leaking out past the DMBs), on two CPUs inside
 *    at once, and (as a hang reported by the guest's timeout or the harness) if SEV does not wake
 *    another vcpu waiting in WFE.
 *  mp.c: "message passing: ..." -- each CPU sends its successor 8 data words, DMB, a flag; the
 *    successor waits for the flag, DMB, reads the words and must get exactly that round's values,
 *    then acknowledges so the slot can be reused. Fails if a store or load is reordered across a
 *    DMB as another CPU sees it (stale data behind a new flag, or the reader seeing the next
 *    round's data because the producer's overwrite passed the acknowledgement).
 *  sb.c: "store buffering: ..." -- every CPU stores its flag, DMB, loads all other flags; in each
 *    round at least one CPU must see every other flag. Fails if a load passes an earlier store
 *    across a DMB (what a host's store buffer does when DMB is not a full fence on the host).
 *  code.c: "code: ..." -- one CPU rewrites a function (ARM MOV, and a Thumb-2 MOVW whose changing
 *    half sits in the next word, written by a halfword store), does DCCMVAU, DSB, ICIMVAU or
 *    ICIALLUIS, BPIALLIS, DSB, ISB and signals; every CPU then runs the function (thousands of
 *    times, so a translating emulator compiles it) and must get the new value. Fails if another
 *    vcpu keeps running stale code: a per-thread translation cache not invalidated by the
 *    store or by the broadcast instruction-cache maintenance.
 *  tlb.c: "mmu: ..." and "tlb: ..." -- every CPU runs with the MMU on through one shared table;
 *    one CPU remaps a 1 MiB section, a global small page and a non-global (ASID) small page,
 *    invalidates with TLBIMVAIS, TLBIMVAAIS/TLBIASIDIS or TLBIALLIS, and every CPU (which had the
 *    old translations cached) must then read the new pages' markers. Fails if TLB maintenance of
 *    the Inner Shareable kind only reaches the CPU that issued it, or if invalidating by MVA
 *    misses pieces of a section cached per 4 KiB.
 *
 * All waits end after five seconds of virtual time without progress with a FAIL line and
 * power-off, so a lost SEV or a deadlock shows as a failure rather than a hang wherever the
 * waiting CPU's WFE returns at all (under --clock icount, virtual time is instructions: the
 * harness's own timeout comes first there).
 *
 * Output: "smp: N cpus", the PASS/FAIL lines, "smp: <part> took N ms" (virtual time, for
 * information) and the summary "smp: P passed, F failed" (40 checks).
 *
 * Written for emulators (QEMU, armvmm): the switch from MMU off to on does no cache maintenance
 * of the shared variables, which real hardware would need. */
#include "smp.h"

unsigned ncpus;

/* ---- helpers ---- */

struct line {
  volatile uint32_t v;
  uint32_t pad[LINE / 4 - 1];
} ALIGNED_LINE;

static struct line arrive[GUEST_MAX_CPUS];
static struct line barrier_count[GUEST_MAX_CPUS]; /* each CPU's own; only it touches it */

void wait_ge(volatile uint32_t *p, uint32_t want, const char *what) {
  for (int spin = 0; spin < 64; spin++)
    if ((int32_t)(*p - want) >= 0) return;
  uint64_t deadline = read_cntvct() + 5ull * read_cntfrq();
  while ((int32_t)(*p - want) < 0) {
    if (read_cntvct() > deadline) {
      test_fail("no progress", "cpu %u waited 5 s for %s (at %u, want %u)", cpu_id(), what, *p, want);
      test_done("smp");
    }
    wfe();
  }
}

void barrier(void) {
  unsigned me = cpu_id();
  uint32_t phase = ++barrier_count[me].v;
  dmb();
  arrive[me].v = phase;
  dsb();
  sev();
  for (unsigned c = 0; c < ncpus; c++) wait_ge(&arrive[c].v, phase, "the other CPUs at a barrier");
  dmb();
}

const char *name2(const char *prefix, const char *rest) {
  static char buf[160];
  unsigned n = 0;
  while (*prefix && n < 80) buf[n++] = *prefix++;
  buf[n++] = ':';
  buf[n++] = ' ';
  while (*rest && n < sizeof buf - 1) buf[n++] = *rest++;
  buf[n] = 0;
  return buf;
}

static unsigned count_cpus(void) {
  unsigned n = 0;
  for (unsigned c = 0; c < GUEST_MAX_CPUS; c++)
    if (psci_affinity_info(c, 0) >= 0) n++;
  return n;
}

/* ---- the run, on every CPU ---- */

/* After a barrier, CPU 0 prints how long the part took in virtual time (informational). */
static void timed(unsigned me, const char *part) {
  static uint64_t last;
  barrier();
  if (me != 0) return;
  uint64_t now = read_cntvct();
  if (last != 0) printf("smp: %s took %u ms\n", part, (uint32_t)((now - last) / (read_cntfrq() / 1000)));
  last = now;
}

static volatile uint32_t came_up[GUEST_MAX_CPUS];

static void run(unsigned me) {
  came_up[me] = 1;
  barrier();
  if (me == 0) {
    unsigned up = 0;
    for (unsigned c = 0; c < ncpus; c++) up += came_up[c];
    test_eq("every CPU came up and met at the first barrier", up, ncpus);
  }
  timed(me, "start");
  counters_phase(me, "counter, MMU off");
  timed(me, "counters, MMU off");
  mmu_enable();
  mmu_phase(me);
  counters_phase(me, "counter, MMU on");
  timed(me, "counters, MMU on");
  lock_phase(me);
  timed(me, "lock");
  mp_phase(me);
  timed(me, "message passing");
  sb_phase(me);
  timed(me, "store buffering");
  code_phase(me);
  timed(me, "code");
  tlb_phase(me);
  timed(me, "tlb");
}

static void secondary(uint32_t arg) { run(arg); }

int main(void) {
  ncpus = count_cpus();
  printf("smp: %u cpus\n", ncpus);
  tlb_setup();
  code_setup();
  dsb();
  for (unsigned c = 1; c < ncpus; c++) {
    int32_t r = cpu_start(c, secondary, c);
    if (r != PSCI_SUCCESS) {
      test_fail("PSCI CPU_ON", "cpu %u: %d", c, r);
      test_done("smp");
    }
  }
  run(0);
  test_done("smp");
}
