/* A spinlock (atomic.S: LDREX/STREX, WFE while held, DMB after taking it; unlock DMB, plain STR 0,
 * DSB, SEV) guarding plain, non-atomic read-modify-writes. Each CPU takes it M times, alternating
 * the ARM and the Thumb-2 lock code, and inside it reads two counters, checks they are equal and
 * that it is the recorded owner, and writes both back plus one.
 *
 * Checks, each catching:
 *  - "lock: first counter" / "lock: second counter" = CPUs x M: lost updates, from two CPUs in the
 *    critical section at once (the STREX that takes the lock succeeding after another CPU took it,
 *    or after the holder's plain-store release was overwritten), or from loads and stores of the
 *    critical section seen by another CPU outside the DMBs that bound it;
 *  - "lock: nobody else inside while held": a CPU saw the two counters differ or another owner,
 *    i.e. someone else was between its lock and unlock;
 *  - "lock: free at the end": the lock word is 0 (no stale exclusive store revived it).
 * A SEV that does not reach a vcpu sleeping in WFE leaves it waiting for a lock that is free: the
 * wait then ends only by the guest's timeout, if WFE returns at all, or by the harness's. */
#include "smp.h"

#define M 10000u

static volatile uint32_t lock_word ALIGNED_LINE;
static struct {
  volatile uint32_t a, b, owner;
} crit ALIGNED_LINE;
static struct {
  volatile uint32_t v;
  uint32_t pad[LINE / 4 - 1];
} overlaps[GUEST_MAX_CPUS] ALIGNED_LINE;

void lock_phase(unsigned me) {
  if (me == 0) {
    lock_word = 0;
    crit.a = crit.b = 0;
    crit.owner = 0xff;
  }
  barrier();
  uint32_t bad = 0;
  for (uint32_t i = 0; i < M; i++) {
    int thumb = (i + me) & 1;
    if (thumb)
      smp_lock_thumb(&lock_word);
    else
      smp_lock_arm(&lock_word);
    crit.owner = me;
    uint32_t a = crit.a;
    uint32_t b = crit.b;
    if (a != b) bad++;
    crit.a = a + 1;
    crit.b = b + 1;
    if (crit.owner != me) bad++;
    if (thumb)
      smp_unlock_thumb(&lock_word);
    else
      smp_unlock_arm(&lock_word);
  }
  overlaps[me].v = bad;
  barrier();
  if (me != 0) return;
  uint32_t seen = 0;
  for (unsigned c = 0; c < ncpus; c++) seen += overlaps[c].v;
  test_eq("lock: first counter = CPUs x M", crit.a, ncpus * M);
  test_eq("lock: second counter = CPUs x M", crit.b, ncpus * M);
  test_eq("lock: nobody else inside while held (counters equal, owner unchanged)", seen, 0);
  test_eq("lock: free at the end", lock_word, 0);
}
