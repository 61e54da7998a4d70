/* Store buffering (Dekker's pattern), the reordering a host with store buffers (x86 included) does
 * by itself: each round every CPU writes its own flag = round, DMB, then reads every other CPU's
 * flag. With the DMB between its store and its loads, the CPU whose store comes last in the order
 * of all the stores reads every other store of the round, so at least one CPU must see all the
 * other flags at the current round.
 *
 * Check, catching:
 *  - "store buffering: ...": a round in which every CPU read some other CPU's flag as still old,
 *    i.e. a load overtook the same CPU's earlier store across the DMB (a DMB that orders nothing
 *    on the host, store then load on plain memory from different host threads). On one CPU the
 *    check is trivially met.
 * Rounds start together after a barrier; the outcome needs the CPUs to be within a few
 * instructions of each other, so it is a stress test: passing proves nothing, failing is a bug. */
#include "smp.h"

#define ROUNDS 300u

static struct {
  volatile uint32_t v;
  uint32_t pad[LINE / 4 - 1];
} flag[GUEST_MAX_CPUS] ALIGNED_LINE;
static volatile uint8_t saw_all[GUEST_MAX_CPUS][ROUNDS];

void sb_phase(unsigned me) {
  for (uint32_t r = 1; r <= ROUNDS; r++) {
    barrier();
    flag[me].v = r;
    dmb_ish();
    unsigned all = 1;
    for (unsigned c = 0; c < ncpus; c++)
      if (c != me && flag[c].v != r) all = 0;
    saw_all[me][r - 1] = (uint8_t)all;
  }
  barrier();
  if (me != 0) return;
  uint32_t forbidden = 0, first = 0;
  for (uint32_t r = 0; r < ROUNDS; r++) {
    unsigned any = 0;
    for (unsigned c = 0; c < ncpus; c++) any |= saw_all[c][r];
    if (!any && forbidden++ == 0) first = r + 1;
  }
  const char *name = "store buffering: in every round some CPU sees all the others' stores (STR, DMB, LDR)";
  if (forbidden == 0)
    test_pass(name);
  else
    test_fail(name, "%u of %u rounds had every CPU read an old flag, first round %u", forbidden, ROUNDS, first);
}
