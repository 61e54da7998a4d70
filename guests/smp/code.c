/* Code written by one CPU and run by the others (DDI 0406C A3.5.4, concurrent modification and
 * execution: the writer's DCCMVAU, DSB, ICIMVAU or ICIALLUIS, BPIALLIS, DSB, ISB, and an ISB on the
 * CPU that runs the code after it learns of the change).
 *
 * Two functions, each in a page of its own (MMU on, Normal memory):
 *   ARM:    mov r0, #k ; bx lr                 (the MOV rewritten by a word store)
 *   Thumb:  nop ; movw r0, #k ; bx lr          the MOVW at an address = 2 mod 4, so it straddles
 *                                              two words; only its second halfword (imm8 = k) is
 *                                              rewritten, by a halfword store into the NEXT word
 * Each round a different CPU is the writer: it stores the new k, does the maintenance (ICIMVAU on
 * even rounds, ICIALLUIS on odd ones) and meets the others at a barrier; then every CPU does ISB
 * and calls both functions CALLS times, each from a loop in the other instruction set (so each
 * call goes through a translating emulator's dispatcher: armvmm compiles the function after 4000
 * entries, so stale translated code is what a missed invalidation leaves), and every call must
 * return the new k.
 *
 * Checks, each catching:
 *  - "code: before any rewrite ...": the first version runs everywhere (the set-up is right);
 *  - "code: ARM ... ICIMVAU / ICIALLUIS": a vcpu keeps running a stale translation or stale
 *    fetched instructions after another vcpu's store and broadcast maintenance, e.g. a per-thread
 *    code cache that the other thread's store does not invalidate, or maintenance that is
 *    only applied locally;
 *  - "code: Thumb ...": the same, where the store hits the second word of an instruction whose
 *    first halfword is in the word before (invalidation keyed only on the word an instruction
 *    starts in misses it). */
#include "smp.h"

#define CODE_PAGE (HEAP + 0x10000u)
#define ARM_FN CODE_PAGE
/* Thumb halfwords from THUMB_FN (the entry point, word aligned): nop, movw hw1, movw hw2, bx lr.
 * The MOVW starts at THUMB_FN + 2: its first half ends the first word, its second half (the
 * rewritten one) starts the next word. */
#define THUMB_FN (CODE_PAGE + 0x1100u) /* a page of its own: a store to the ARM one could drop it */
#define MOVW_HW2 (THUMB_FN + 4u)
#define ROUNDS 12u
#define CALLS 4500u

static uint32_t kval(uint32_t round) { return (round * 77u + 13u) & 0xffu; }

typedef uint32_t (*fn_t)(void);

static void publish(uint32_t k, int all) {
  volatile uint32_t *arm = (volatile uint32_t *)ARM_FN;
  arm[0] = 0xe3a00000u | k;                  /* mov r0, #k */
  *(volatile uint16_t *)MOVW_HW2 = (uint16_t)k; /* movw r0, #k, second half: imm3 = 0, Rd = r0, imm8 = k */
  dccmvau(ARM_FN);
  dccmvau(MOVW_HW2);
  dsb_ish();
  if (all) {
    icialluis(0);
  } else {
    icimvau(ARM_FN);
    icimvau(MOVW_HW2);
  }
  bpiallis(0);
  dsb_ish();
  isb();
}

void code_setup(void) {
  volatile uint32_t *arm = (volatile uint32_t *)ARM_FN;
  volatile uint16_t *thumb = (volatile uint16_t *)THUMB_FN;
  arm[1] = 0xe12fff1eu; /* bx lr */
  thumb[0] = 0xbf00;    /* nop */
  thumb[1] = 0xf240;    /* movw r0, #imm16, first half (i = 0, imm4 = 0) */
  thumb[3] = 0x4770;    /* bx lr */
  publish(kval(0), 1);
}

static struct {
  volatile uint32_t bad[2][2]; /* [thumb][all] */
  volatile uint32_t bad_first;
  uint32_t pad[LINE / 4 - 5];
} result[GUEST_MAX_CPUS] ALIGNED_LINE;

/* Each function is called from a loop in the other instruction set (atomic.S). */
static uint32_t calls(fn_t fn, uint32_t want) {
  if ((uintptr_t)fn & 1) return smp_calls_from_arm(fn, CALLS, want);
  return smp_calls_from_thumb(fn, CALLS, want);
}

void code_phase(unsigned me) {
  fn_t arm = (fn_t)ARM_FN;
  fn_t thumb = (fn_t)(THUMB_FN + 1);
  uint32_t bad[2][2] = {{0, 0}, {0, 0}};
  barrier();
  isb();
  result[me].bad_first = calls(arm, kval(0)) + calls(thumb, kval(0));
  for (uint32_t r = 1; r <= ROUNDS; r++) {
    int all = r & 1;
    barrier(); /* everyone is done calling the old version */
    if (me == r % ncpus) publish(kval(r), all);
    barrier(); /* the new version is published */
    isb();
    bad[0][all] += calls(arm, kval(r));
    bad[1][all] += calls(thumb, kval(r));
  }
  for (int t = 0; t < 2; t++)
    for (int a = 0; a < 2; a++) result[me].bad[t][a] = bad[t][a];
  barrier();
  if (me != 0) return;
  static const char *const names[2][2] = {
      {"code: ARM function rewritten by another CPU runs new (DCCMVAU, ICIMVAU, BPIALLIS)",
       "code: ARM function rewritten by another CPU runs new (DCCMVAU, ICIALLUIS, BPIALLIS)"},
      {"code: Thumb MOVW rewritten in its second word runs new (DCCMVAU, ICIMVAU, BPIALLIS)",
       "code: Thumb MOVW rewritten in its second word runs new (DCCMVAU, ICIALLUIS, BPIALLIS)"},
  };
  uint32_t first = 0;
  for (unsigned c = 0; c < ncpus; c++) first += result[c].bad_first;
  test_eq("code: before any rewrite every CPU runs the first version", first, 0);
  for (int t = 0; t < 2; t++)
    for (int a = 0; a < 2; a++) {
      uint32_t total = 0;
      unsigned who = 0;
      for (unsigned c = 0; c < ncpus; c++) {
        if (result[c].bad[t][a] && total == 0) who = c;
        total += result[c].bad[t][a];
      }
      if (total == 0)
        test_pass(names[t][a]);
      else
        test_fail(names[t][a], "%u of %u calls returned an old value; first on cpu %u", total,
                  ncpus * CALLS * ROUNDS / 2, who);
    }
}
