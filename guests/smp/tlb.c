/* The MMU on every CPU through one shared short-descriptor table, and TLB maintenance broadcast to
 * the Inner Shareable domain (DDI 0406C B3.10).
 *
 * The table (TTBCR = 0, TTBR0 shareable, inner and outer write-back write-allocate, DACR all
 * client, CONTEXTIDR.ASID = 5 on every CPU): 1 MiB sections mapping the devices below RAM (Device,
 * XN) and RAM (0x40000000..0x7fffffff, Normal WBWA, shareable) one to one, plus three remappable
 * mappings with a marker word in each physical page:
 *   V_SEC 0xa0000000  1 MiB section          -> S0 or S1 (markers at +0 and +0x80000)
 *   V_PG  0xa0100000  small page, global     -> P0 or P1   (second-level table)
 *   V_NG  0xa0101000  small page, nG, ASID 5 -> N0 or N1
 * Each round one CPU (a different one each time) switches all three to the other physical pages,
 * cleans the descriptors, DSB, invalidates, DSB, ISB, and meets the others at a barrier. Every CPU
 * had read all four markers just before (so the old translations are in its TLB) and reads them
 * again after the barrier.
 *
 * Checks, each catching:
 *  - "mmu: ..." every CPU, with its MMU just turned on, reads the markers through the table (the
 *    table, the attributes and TTBR0 set-up are right; a CPU not sharing the table fails);
 *  - "tlb: before each remap ...": every CPU reads the current mapping (set-up of each round);
 *  - "tlb: <mapping>, <operation>": a CPU still reads the old page after another CPU's
 *    TLBIMVAIS / TLBIMVAAIS / TLBIASIDIS / TLBIALLIS: the operation was applied to the issuing CPU's
 *    TLB only (not broadcast), did not match a global entry by MVA whatever the ASID, did not
 *    match a non-global entry by ASID, or (for the section) dropped only the 4 KiB piece of the
 *    section containing the MVA while the other piece, read at +0x80000, stayed cached. */
#include "smp.h"

#define L1_TABLE (HEAP)
#define L2_TABLE (HEAP + 0x4000u)
#define PAGE(n) (HEAP + 0x8000u + 0x1000u * (n)) /* P0, P1, N0, N1: pages 0..3 */
#define SECTION(n) (HEAP + 0x100000u * (1 + (n)))

#define V_SEC 0xa0000000u
#define V_PG 0xa0100000u
#define V_NG 0xa0101000u
#define ASID 5u

#define SEC_DEVICE 0x00000c16u /* section, B (shareable Device), XN, AP = 11 */
#define SEC_NORMAL 0x00011c0eu /* section, TEX = 001 C B (WBWA), AP = 11, S */
#define SEC_DATA 0x00011c1eu   /* the same, XN */
#define L1_PAGE_TABLE 0x00000001u
#define PG_NORMAL 0x0000047fu /* small page, XN, C B, AP = 11, TEX = 001, S */
#define PG_NG 0x00000800u

#define SCTLR_M (1u << 0)
#define SCTLR_C (1u << 2)
#define SCTLR_Z (1u << 11)
#define SCTLR_I (1u << 12)
#define SCTLR_TRE (1u << 28)
#define SCTLR_AFE (1u << 29)

#define ROUNDS 12u

static uint32_t mark_sec(unsigned s, unsigned half) { return 0x5ec00000u | (s << 8) | half; }
static uint32_t mark_pg(unsigned s) { return 0x9a9e0000u | s; }
static uint32_t mark_ng(unsigned s) { return 0x96000000u | s; }

static volatile uint32_t *l1(void) { return (volatile uint32_t *)L1_TABLE; }
static volatile uint32_t *l2(void) { return (volatile uint32_t *)L2_TABLE; }

static void point_to(unsigned s) {
  l1()[V_SEC >> 20] = SECTION(s) | SEC_DATA;
  l2()[(V_PG >> 12) & 0xff] = PAGE(s) | PG_NORMAL;
  l2()[(V_NG >> 12) & 0xff] = PAGE(2 + s) | PG_NORMAL | PG_NG;
}

void tlb_setup(void) {
  volatile uint32_t *t = l1();
  for (uint32_t i = 0; i < 4096; i++) {
    if (i < 0x400)
      t[i] = (i << 20) | SEC_DEVICE;
    else if (i < 0x800)
      t[i] = (i << 20) | SEC_NORMAL;
    else
      t[i] = 0;
  }
  for (uint32_t i = 0; i < 256; i++) l2()[i] = 0;
  t[V_PG >> 20] = L2_TABLE | L1_PAGE_TABLE;
  for (unsigned s = 0; s < 2; s++) {
    *(volatile uint32_t *)SECTION(s) = mark_sec(s, 0);
    *(volatile uint32_t *)(SECTION(s) + 0x80000u) = mark_sec(s, 1);
    *(volatile uint32_t *)PAGE(s) = mark_pg(s);
    *(volatile uint32_t *)PAGE(2 + s) = mark_ng(s);
  }
  point_to(0);
  dsb();
}

static uint32_t read_sctlr(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
  return v;
}

void mmu_enable(void) {
  tlbiall(0);
  iciallu(0);
  bpiall(0);
  dsb();
  isb();
  /* TTBCR: short descriptors, N = 0. TTBR0: IRGN = RGN = WBWA (bits 6, 3), S (1), NOS (5).
   * DACR: every domain client. CONTEXTIDR: ASID 5. */
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" : : "r"(0u));
  __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" : : "r"(L1_TABLE | 0x6au));
  __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" : : "r"(0x55555555u));
  __asm__ volatile("mcr p15, 0, %0, c13, c0, 1" : : "r"(ASID));
  isb();
  uint32_t sctlr = (read_sctlr() | SCTLR_M | SCTLR_C | SCTLR_Z | SCTLR_I) & ~(SCTLR_TRE | SCTLR_AFE);
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0" : : "r"(sctlr) : "memory");
  isb();
}

/* Reads the four markers; returns a bit per wrong one: 1 section +0, 2 section +0x80000, 4 global
 * page, 8 non-global page. */
static unsigned check_markers(unsigned s) {
  unsigned bad = 0;
  if (*(volatile uint32_t *)V_SEC != mark_sec(s, 0)) bad |= 1;
  if (*(volatile uint32_t *)(V_SEC + 0x80000u) != mark_sec(s, 1)) bad |= 2;
  if (*(volatile uint32_t *)V_PG != mark_pg(s)) bad |= 4;
  if (*(volatile uint32_t *)V_NG != mark_ng(s)) bad |= 8;
  return bad;
}

static struct {
  volatile uint32_t mmu_bad, before_bad;
  volatile uint32_t after_bad[3][3]; /* [operation][mapping] */
  uint32_t pad[LINE / 4 - 11];
} result[GUEST_MAX_CPUS] ALIGNED_LINE;

void mmu_phase(unsigned me) {
  uint32_t bad = check_markers(0);
  if ((read_sctlr() & SCTLR_M) == 0) bad |= 16;
  result[me].mmu_bad = bad;
  barrier();
  if (me != 0) return;
  uint32_t any = 0;
  unsigned who = 0;
  for (unsigned c = 0; c < ncpus; c++) {
    if (result[c].mmu_bad && !any) who = c;
    any |= result[c].mmu_bad;
  }
  const char *name = "mmu: every CPU reads the remappable pages through the shared table";
  if (any == 0)
    test_pass(name);
  else
    test_fail(name, "cpu %u: wrong markers/MMU off, mask %x", who, result[who].mmu_bad);
}

static void remap(unsigned s, unsigned op) {
  point_to(s);
  dccmvac(L1_TABLE + (V_SEC >> 20) * 4);
  dccmvac(L2_TABLE);
  dsb_ish();
  switch (op) {
    case 0:
      tlbimvais(V_SEC | ASID);
      tlbimvais(V_PG | ASID);
      tlbimvais(V_NG | ASID);
      break;
    case 1:
      tlbimvaais(V_SEC);
      tlbimvaais(V_PG);
      tlbiasidis(ASID);
      break;
    default:
      tlbiallis(0);
      break;
  }
  dsb_ish();
  isb();
}

void tlb_phase(unsigned me) {
  uint32_t before = 0, after[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  for (uint32_t r = 1; r <= ROUNDS; r++) {
    unsigned op = (r - 1) % 3;
    barrier();
    if (check_markers((r - 1) & 1)) before++;
    barrier(); /* everyone has the old translations cached */
    if (me == r % ncpus) remap(r & 1, op);
    barrier(); /* remapped and invalidated */
    unsigned bad = check_markers(r & 1);
    if (bad & 3) after[op][0]++;
    if (bad & 4) after[op][1]++;
    if (bad & 8) after[op][2]++;
  }
  result[me].before_bad = before;
  for (int o = 0; o < 3; o++)
    for (int k = 0; k < 3; k++) result[me].after_bad[o][k] = after[o][k];
  barrier();
  if (me != 0) return;
  static const char *const names[3][3] = {
      {"tlb: section (both 4 KiB halves read) remapped by another CPU, TLBIMVAIS",
       "tlb: global small page remapped by another CPU, TLBIMVAIS",
       "tlb: non-global small page (ASID 5) remapped by another CPU, TLBIMVAIS"},
      {"tlb: section (both 4 KiB halves read) remapped by another CPU, TLBIMVAAIS",
       "tlb: global small page remapped by another CPU, TLBIMVAAIS",
       "tlb: non-global small page (ASID 5) remapped by another CPU, TLBIASIDIS"},
      {"tlb: section (both 4 KiB halves read) remapped by another CPU, TLBIALLIS",
       "tlb: global small page remapped by another CPU, TLBIALLIS",
       "tlb: non-global small page (ASID 5) remapped by another CPU, TLBIALLIS"},
  };
  uint32_t total_before = 0;
  for (unsigned c = 0; c < ncpus; c++) total_before += result[c].before_bad;
  test_eq("tlb: before each remap every CPU reads the current pages", total_before, 0);
  for (int o = 0; o < 3; o++)
    for (int k = 0; k < 3; k++) {
      uint32_t total = 0, cpus = 0;
      for (unsigned c = 0; c < ncpus; c++) {
        total += result[c].after_bad[o][k];
        if (result[c].after_bad[o][k]) cpus |= 1u << c;
      }
      if (total == 0)
        test_pass(names[o][k]);
      else
        test_fail(names[o][k], "old page read in %u of %u CPU-rounds (CPUs mask %x)", total, ncpus * ROUNDS / 3, cpus);
    }
}
