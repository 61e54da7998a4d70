/* Message passing ordered by DMB, in a ring: every CPU is producer for its successor and consumer
 * of its predecessor at once (on two CPUs: both directions; on one, a CPU passes messages to
 * itself). Round r, each CPU:
 *   producer: waits until its consumer acknowledged round r-SLOTS (the slot it will reuse), DMB,
 *             writes 8 data words for round r into slot r % SLOTS, DMB, writes flag = r, DSB, SEV;
 *   consumer: waits until the predecessor's flag >= r, DMB, reads that round's 8 words and compares
 *             them with what round r must hold, DMB, writes ack = r, DSB, SEV.
 * Data, flag and ack are in separate 64-byte lines.
 *
 * Checks, each catching:
 *  - "message passing: every round's data complete and current": the consumer saw the flag of
 *    round r but a data word from before it (the producer's stores became visible out of order
 *    across its DMB, or the consumer's loads ran ahead of its DMB), or of round r+SLOTS (the
 *    producer's overwrite became visible before the consumer's reads completed, i.e. the reads
 *    passed the DMB before the ack);
 *  - "message passing: producer never more than SLOTS-1 rounds ahead": the flag read by a consumer
 *    was beyond r+SLOTS-1, which the producer's wait for the ack forbids (a load of the ack that
 *    saw a value never written, or reordering of the producer's wait and stores).
 * The slots give the ring slack, so a CPU descheduled by the host for a while does not stall every
 * other one at each round. */
#include "smp.h"

#define ROUNDS 1000u
#define SLOTS 8u
#define WORDS 8

struct mailbox {
  volatile uint32_t data[SLOTS][WORDS] ALIGNED_LINE; /* 32 bytes each: two per line */
  volatile uint32_t flag ALIGNED_LINE;
  volatile uint32_t ack ALIGNED_LINE;
};

static struct mailbox box[GUEST_MAX_CPUS];
static struct {
  volatile uint32_t bad_data, first_bad_round, bad_flag;
  uint32_t pad[LINE / 4 - 3];
} result[GUEST_MAX_CPUS] ALIGNED_LINE;

static uint32_t pattern(unsigned src, uint32_t round, unsigned i) {
  return (round * 0x9e3779b1u) ^ ((uint32_t)src << 28) ^ (i * 0x01010101u);
}

void mp_phase(unsigned me) {
  struct mailbox *out = &box[me];
  unsigned prev = (me + ncpus - 1) % ncpus;
  struct mailbox *in = &box[prev];
  out->flag = 0;
  out->ack = 0;
  barrier();
  uint32_t bad_data = 0, first_bad = 0, bad_flag = 0;
  for (uint32_t r = 1; r <= ROUNDS; r++) {
    /* produce */
    if (r > SLOTS) wait_ge(&out->ack, r - SLOTS, "a message acknowledgement");
    dmb_ish();
    for (unsigned i = 0; i < WORDS; i++) out->data[r % SLOTS][i] = pattern(me, r, i);
    dmb_ish();
    out->flag = r;
    dsb_ish();
    sev();
    /* consume */
    wait_ge(&in->flag, r, "a message flag");
    uint32_t flag = in->flag;
    dmb_ish();
    uint32_t got[WORDS];
    for (unsigned i = 0; i < WORDS; i++) got[i] = in->data[r % SLOTS][i];
    dmb_ish();
    in->ack = r;
    dsb_ish();
    sev();
    if (flag - r >= SLOTS) bad_flag++;
    for (unsigned i = 0; i < WORDS; i++) {
      if (got[i] != pattern(prev, r, i)) {
        if (bad_data++ == 0) first_bad = r;
      }
    }
  }
  result[me].bad_data = bad_data;
  result[me].first_bad_round = first_bad;
  result[me].bad_flag = bad_flag;
  barrier();
  if (me != 0) return;
  uint32_t total_bad = 0, total_flag = 0;
  unsigned who = 0;
  for (unsigned c = 0; c < ncpus; c++) {
    if (result[c].bad_data && total_bad == 0) who = c;
    total_bad += result[c].bad_data;
    total_flag += result[c].bad_flag;
  }
  const char *name = "message passing: every round's data complete and current (DMB between data and flag)";
  if (total_bad == 0)
    test_pass(name);
  else
    test_fail(name, "%u wrong words; cpu %u first in round %u", total_bad, who, result[who].first_bad_round);
  test_eq("message passing: producer never more than SLOTS-1 rounds ahead of the acknowledgement", total_flag, 0);
}
