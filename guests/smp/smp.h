/* Shared declarations of the smp guest (see smp.c for what it checks). */
#ifndef SMP_H
#define SMP_H

#include "guest.h"
#include "test.h"

/* Every shared variable that several CPUs write sits alone in its own 64-byte line (a Cortex-A15
 * cache line and exclusives reservation granule), so the checks do not depend on false sharing. */
#define LINE 64
#define ALIGNED_LINE __attribute__((aligned(LINE)))

/* The CPUs taking part: all that PSCI AFFINITY_INFO knows (CPU 0 + the secondaries it starts). */
extern unsigned ncpus;

/* All CPUs meet here. Per-CPU arrival words only (no atomic read-modify-write), so a broken
 * LDREX/STREX cannot break the barrier itself. Waits use WFE; arrivals DSB then SEV. */
void barrier(void);

/* Waits until *p >= want (wrapping compare), spinning briefly and then with WFE. After five seconds
 * of virtual time without progress it reports a FAIL naming `what` and powers the machine off. */
void wait_ge(volatile uint32_t *p, uint32_t want, const char *what);

/* "prefix: rest" in a static buffer (test names are printed at once). */
const char *name2(const char *prefix, const char *rest);

/* Free RAM above the image: page tables, the rewritten code, the remapped pages (tlb.c). */
extern char __heap_start[];
#define HEAP ((uintptr_t)__heap_start)

/* ---- atomic.S: the LDREX/STREX loops, in ARM and in Thumb-2 ----
 * smp_incN_ISA(p, n) adds 1 to the N-bit counter at p, n times, each with one exclusive
 * load/store pair retried until the store succeeds. The byte and halfword forms return how many of
 * their successful stores wrote 0 (the counter wrapped), so the exact total can be rebuilt. */
uint32_t smp_inc8_arm(volatile void *p, uint32_t n);
uint32_t smp_inc16_arm(volatile void *p, uint32_t n);
uint32_t smp_inc32_arm(volatile void *p, uint32_t n);
uint32_t smp_inc64_arm(volatile void *p, uint32_t n);
uint32_t smp_inc8_thumb(volatile void *p, uint32_t n);
uint32_t smp_inc16_thumb(volatile void *p, uint32_t n);
uint32_t smp_inc32_thumb(volatile void *p, uint32_t n);
uint32_t smp_inc64_thumb(volatile void *p, uint32_t n);

/* A test-and-set spinlock: LDREX, WFE while held, STREX 1, DMB; unlock is DMB, plain STR 0, DSB,
 * SEV. */
void smp_lock_arm(volatile uint32_t *lock);
void smp_unlock_arm(volatile uint32_t *lock);
void smp_lock_thumb(volatile uint32_t *lock);
void smp_unlock_thumb(volatile uint32_t *lock);

/* Calls fn n times from a loop in ARM (Thumb) state; returns how many calls did not return want. */
uint32_t smp_calls_from_arm(uint32_t (*fn)(void), uint32_t n, uint32_t want);
uint32_t smp_calls_from_thumb(uint32_t (*fn)(void), uint32_t n, uint32_t want);

/* ---- the parts, run by every CPU in the same order (me = this CPU's index) ---- */
void counters_phase(unsigned me, const char *prefix);
void lock_phase(unsigned me);
void mp_phase(unsigned me);
void sb_phase(unsigned me);
void code_setup(void);
void code_phase(unsigned me);
void tlb_setup(void);
void mmu_enable(void);
void mmu_phase(unsigned me);
void tlb_phase(unsigned me);

/* ---- CP15 maintenance (DDI 0406C B4.2) ---- */
#define CP15_OP(name, crn, op1, crm, op2)                                                               \
  static inline void name(uint32_t v) {                                                                \
    __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : : "r"(v) : "memory"); \
  }
CP15_OP(dccmvau, c7, 0, c11, 1)   /* clean data cache line by VA to the point of unification */
CP15_OP(dccmvac, c7, 0, c10, 1)   /* clean data cache line by VA to the point of coherency */
CP15_OP(icimvau, c7, 0, c5, 1)    /* invalidate instruction cache line by VA to PoU */
CP15_OP(iciallu, c7, 0, c5, 0)    /* invalidate all instruction caches, this CPU */
CP15_OP(icialluis, c7, 0, c1, 0)  /* ... Inner Shareable (every CPU) */
CP15_OP(bpiall, c7, 0, c5, 6)     /* invalidate the branch predictor, this CPU */
CP15_OP(bpiallis, c7, 0, c1, 6)   /* ... Inner Shareable */
CP15_OP(tlbiall, c8, 0, c7, 0)    /* invalidate the unified TLB, this CPU */
CP15_OP(tlbiallis, c8, 0, c3, 0)  /* ... Inner Shareable */
CP15_OP(tlbimvais, c8, 0, c3, 1)  /* by MVA and ASID, Inner Shareable */
CP15_OP(tlbiasidis, c8, 0, c3, 2) /* by ASID, Inner Shareable */
CP15_OP(tlbimvaais, c8, 0, c3, 3) /* by MVA, all ASIDs, Inner Shareable */

static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dmb_ish(void) { __asm__ volatile("dmb ish" ::: "memory"); }

#endif
