/* Alignment faults seen from inside a guest (DDI 0406C A3.2.1, table A3-1; B3.12.x):
 *   - LDREX/STREX (word, halfword, doubleword), LDM/STM, PUSH/POP, LDRD/STRD, VLDR/VSTR/VLDM
 *     misaligned to what they require fault everywhere, whatever SCTLR.A says;
 *   - with SCTLR.A = 0, unaligned LDR/STR/LDRH/STRH are allowed to Normal memory and fault on
 *     Device and Strongly-ordered memory: with the MMU off (every data access is Strongly-ordered)
 *     and through page tables mapping a buffer as Device or Strongly-ordered (and the UART as
 *     Device), also when the mapping's permissions would refuse the access (alignment comes first);
 *   - with SCTLR.A = 1 every unaligned access faults.
 * Each fault must be an Alignment fault (DFSR.FS = 0b00001, WnR for stores), with DFAR the address,
 * and the faulting instruction must have no effect: registers, base writeback and memory unchanged.
 *
 * QEMU 7.2 models the first and the last class but not the memory-type one (its TCG splits or
 * performs unaligned Device accesses); test/guests/align.test.ts checks that exactly the
 * "device:" and "mmu off: LDR..." checks differ there. armvmm follows the architecture. */
#include "guest.h"
#include "test.h"

#define FS_MASK 0x140fu /* FS[4] (bit 10), FS[3:0], ExT (bit 12) */
#define FS_ALIGNMENT 0x001u
#define FS_PERMISSION_SECTION 0x00du
#define DFSR_WNR (1u << 11)
#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SENTINEL 0x5eed5eedu

extern char __heap_start[];

static volatile uint32_t ab_count, ab_dfsr, ab_dfar;

/* Every probe is one ARM instruction: the handler records the abort and steps over it. */
void dabt_handler(struct exc_frame *f) {
  uint32_t dfsr, dfar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
  ab_count++;
  ab_dfsr = dfsr;
  ab_dfar = dfar;
  f->pc += 4;
}

static void arm_abort(void) { ab_count = ab_dfsr = ab_dfar = 0; }

/* A check's name: "<ctx>: <what> <verdict>". */
static char name[128];
static const char *nm(const char *ctx, const char *what, const char *verdict) {
  const char *parts[] = {ctx, ": ", what, " ", verdict};
  unsigned n = 0;
  for (unsigned k = 0; k < 5; k++)
    for (const char *p = parts[k]; *p && n < sizeof name - 1; p++) name[n++] = *p;
  name[n] = 0;
  return name;
}

/* The last probe took exactly one Alignment fault at `addr`, and `unchanged` holds. */
static void expect_fault(const char *name, uint32_t addr, int write, uint32_t fs, int unchanged) {
  uint32_t want = fs | (write ? DFSR_WNR : 0);
  if (ab_count != 1)
    test_fail(name, "%u aborts, want 1", ab_count);
  else if ((ab_dfsr & (FS_MASK | DFSR_WNR)) != want)
    test_fail(name, "DFSR 0x%08x, want FS/WnR 0x%03x", ab_dfsr, want);
  else if (ab_dfar != addr)
    test_fail(name, "DFAR 0x%08x, want 0x%08x", ab_dfar, addr);
  else if (!unchanged)
    test_fail(name, "the faulting instruction had an effect");
  else
    test_pass(name);
}

static void expect_no_fault(const char *name, int ok) {
  if (ab_count != 0)
    test_fail(name, "aborted: DFSR 0x%08x DFAR 0x%08x", ab_dfsr, ab_dfar);
  else if (!ok)
    test_fail(name, "wrong value");
  else
    test_pass(name);
}

/* ---- Single loads and stores (MemU: allowed unaligned to Normal memory with SCTLR.A = 0) ---- */

static uint32_t ldr(uint32_t a) {
  uint32_t v = SENTINEL;
  __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
  return v;
}
static uint32_t ldrh(uint32_t a) {
  uint32_t v = SENTINEL;
  __asm__ volatile("ldrh %0, [%1]" : "+r"(v) : "r"(a) : "memory");
  return v;
}
static void str(uint32_t a, uint32_t v) { __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static void strh(uint32_t a, uint32_t v) { __asm__ volatile("strh %0, [%1]" : : "r"(v), "r"(a) : "memory"); }

static uint32_t peek(uint32_t a) { return *(volatile uint32_t *)a; }
static void poke(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* Unaligned LDR, LDRH, STR and STRH at `va` (RAM at `buf` behind it, or a device when buf = 0)
 * must fault (`fault`) or work. */
static void check_single(const char *ctx, uint32_t va, uint32_t buf, int fault) {
  const char *verdict = fault ? "faults" : "works";
  if (buf) {
    poke(buf, 0x44332211);
    poke(buf + 4, 0x88776655);
  }
  arm_abort();
  uint32_t v = ldr(va + 1);
  const char *nLDR = nm(ctx, "LDR [+1]", verdict);
  if (fault)
    expect_fault(nLDR, va + 1, 0, FS_ALIGNMENT, v == SENTINEL);
  else
    expect_no_fault(name, v == 0x55443322);
  arm_abort();
  v = ldrh(va + 3);
  const char *nLDRH = nm(ctx, "LDRH [+3]", verdict);
  if (fault)
    expect_fault(nLDRH, va + 3, 0, FS_ALIGNMENT, v == SENTINEL);
  else
    expect_no_fault(name, v == 0x5544);
  if (!buf) return; /* no stores to a device */
  arm_abort();
  str(va + 2, 0xa1b2c3d4);
  const char *nSTR = nm(ctx, "STR [+2]", verdict);
  if (fault)
    expect_fault(nSTR, va + 2, 1, FS_ALIGNMENT, peek(buf) == 0x44332211 && peek(buf + 4) == 0x88776655);
  else
    expect_no_fault(name, peek(buf) == 0xc3d42211 && peek(buf + 4) == 0x8877a1b2);
  arm_abort();
  strh(va + 5, 0xbeef);
  const char *nSTRH = nm(ctx, "STRH [+5]", verdict);
  if (fault)
    expect_fault(nSTRH, va + 5, 1, FS_ALIGNMENT, peek(buf + 4) == (fault ? 0x88776655 : 0));
  else
    expect_no_fault(name, (peek(buf + 4) & 0x00ffff00) == 0x00beef00);
}

/* ---- The instructions that always check alignment (MemA) ---- */

/* Each probe runs one instruction with base `a` and the registers preset to SENTINEL values; it
 * returns 1 when nothing changed (registers, base, memory at [buf, buf + 16)). */

static int same_mem(uint32_t buf) {
  return peek(buf) == 0x11111111 && peek(buf + 4) == 0x22222222 && peek(buf + 8) == 0x33333333 &&
         peek(buf + 12) == 0x44444444;
}

static void fill(uint32_t buf) {
  poke(buf, 0x11111111);
  poke(buf + 4, 0x22222222);
  poke(buf + 8, 0x33333333);
  poke(buf + 12, 0x44444444);
}

static int probe_ldrex(uint32_t a, uint32_t buf) {
  uint32_t v = SENTINEL;
  __asm__ volatile("ldrex %0, [%1]" : "+r"(v) : "r"(a) : "memory");
  __asm__ volatile("clrex");
  return v == SENTINEL && same_mem(buf);
}
static int probe_strex(uint32_t a, uint32_t buf) {
  uint32_t status = SENTINEL;
  __asm__ volatile("strex %0, %2, [%1]" : "+&r"(status) : "r"(a), "r"(0xdeadbeefu) : "memory");
  return status == SENTINEL && same_mem(buf);
}
static int probe_ldrexh(uint32_t a, uint32_t buf) {
  uint32_t v = SENTINEL;
  __asm__ volatile("ldrexh %0, [%1]" : "+r"(v) : "r"(a) : "memory");
  __asm__ volatile("clrex");
  return v == SENTINEL && same_mem(buf);
}
static int probe_ldrexd(uint32_t a, uint32_t buf) {
  register uint32_t lo __asm__("r2") = SENTINEL;
  register uint32_t hi __asm__("r3") = SENTINEL;
  __asm__ volatile("ldrexd r2, r3, [%2]" : "+r"(lo), "+r"(hi) : "r"(a) : "memory");
  __asm__ volatile("clrex");
  return lo == SENTINEL && hi == SENTINEL && same_mem(buf);
}
static int probe_strexd(uint32_t a, uint32_t buf) {
  register uint32_t lo __asm__("r2") = 1;
  register uint32_t hi __asm__("r3") = 2;
  uint32_t status = SENTINEL;
  __asm__ volatile("strexd %0, r2, r3, [%1]" : "+&r"(status) : "r"(a), "r"(lo), "r"(hi) : "memory");
  return status == SENTINEL && same_mem(buf);
}
static int probe_ldm(uint32_t a, uint32_t buf) {
  register uint32_t base __asm__("r4") = a;
  register uint32_t x __asm__("r2") = SENTINEL;
  register uint32_t y __asm__("r3") = SENTINEL;
  __asm__ volatile("ldmia r4!, {r2, r3}" : "+r"(base), "+r"(x), "+r"(y) : : "memory");
  return base == a && x == SENTINEL && y == SENTINEL && same_mem(buf);
}
static int probe_stm(uint32_t a, uint32_t buf) {
  register uint32_t base __asm__("r4") = a;
  register uint32_t x __asm__("r2") = 1;
  register uint32_t y __asm__("r3") = 2;
  __asm__ volatile("stmia r4!, {r2, r3}" : "+r"(base) : "r"(x), "r"(y) : "memory");
  return base == a && same_mem(buf);
}
static int probe_push(uint32_t a, uint32_t buf) {
  uint32_t sp_after;
  __asm__ volatile("mov r5, sp\n"
                   "mov sp, %1\n"
                   "push {r2, r3}\n"
                   "mov %0, sp\n"
                   "mov sp, r5\n"
                   : "=r"(sp_after)
                   : "r"(a)
                   : "r2", "r3", "r5", "memory");
  return sp_after == a && same_mem(buf);
}
static int probe_pop(uint32_t a, uint32_t buf) {
  uint32_t sp_after;
  register uint32_t x __asm__("r2") = SENTINEL;
  register uint32_t y __asm__("r3") = SENTINEL;
  __asm__ volatile("mov r5, sp\n"
                   "mov sp, %3\n"
                   "pop {r2, r3}\n"
                   "mov %0, sp\n"
                   "mov sp, r5\n"
                   : "=&r"(sp_after), "+r"(x), "+r"(y)
                   : "r"(a)
                   : "r5", "memory");
  return sp_after == a && x == SENTINEL && y == SENTINEL && same_mem(buf);
}
static int probe_ldrd(uint32_t a, uint32_t buf) {
  register uint32_t lo __asm__("r2") = SENTINEL;
  register uint32_t hi __asm__("r3") = SENTINEL;
  __asm__ volatile("ldrd r2, r3, [%2]" : "+r"(lo), "+r"(hi) : "r"(a) : "memory");
  return lo == SENTINEL && hi == SENTINEL && same_mem(buf);
}
static int probe_strd(uint32_t a, uint32_t buf) {
  register uint32_t lo __asm__("r2") = 1;
  register uint32_t hi __asm__("r3") = 2;
  __asm__ volatile("strd r2, r3, [%0]" : : "r"(a), "r"(lo), "r"(hi) : "memory");
  return same_mem(buf);
}
static int probe_vldr(uint32_t a, uint32_t buf) {
  uint32_t lo = SENTINEL, hi = SENTINEL;
  __asm__ volatile(".fpu vfpv3\n"
                   "vmov d0, %0, %1\n"
                   "vldr d0, [%2]\n"
                   "vmov %0, %1, d0\n"
                   : "+r"(lo), "+r"(hi)
                   : "r"(a)
                   : "memory");
  return lo == SENTINEL && hi == SENTINEL && same_mem(buf);
}
static int probe_vstr(uint32_t a, uint32_t buf) {
  __asm__ volatile(".fpu vfpv3\n"
                   "vmov s0, %1\n"
                   "vstr s0, [%0]\n"
                   :
                   : "r"(a), "r"(1u)
                   : "memory");
  return same_mem(buf);
}
static int probe_vldm(uint32_t a, uint32_t buf) {
  register uint32_t base __asm__("r4") = a;
  uint32_t v = SENTINEL;
  __asm__ volatile(".fpu vfpv3\n"
                   "vmov s1, %1\n"
                   "vldmia r4!, {s1, s2}\n"
                   "vmov %1, s1\n"
                   : "+r"(base), "+r"(v)
                   :
                   : "memory");
  return base == a && v == SENTINEL && same_mem(buf);
}

struct always {
  const char *what;
  int (*probe)(uint32_t a, uint32_t buf);
  uint32_t offset; /* from the 8-byte aligned buffer */
  int write;
};

static const struct always ALWAYS[] = {
    {"LDREX [+2]", probe_ldrex, 2, 0},       {"STREX [+1]", probe_strex, 1, 1},
    {"LDREXH [+1]", probe_ldrexh, 1, 0},     {"LDREXD [+4]", probe_ldrexd, 4, 0},
    {"STREXD [+4]", probe_strexd, 4, 1},     {"LDM [+2]", probe_ldm, 2, 0},
    {"STM [+1]", probe_stm, 1, 1},           {"PUSH (SP +2)", probe_push, 2 + 8, 1},
    {"POP (SP +2)", probe_pop, 2, 0},        {"LDRD [+2]", probe_ldrd, 2, 0},
    {"STRD [+2]", probe_strd, 2, 1},         {"VLDR [+2]", probe_vldr, 2, 0},
    {"VSTR [+1]", probe_vstr, 1, 1},         {"VLDM [+2]", probe_vldm, 2, 0},
};

static void check_always(const char *ctx, uint32_t buf) {
  for (unsigned k = 0; k < sizeof ALWAYS / sizeof ALWAYS[0]; k++) {
    const struct always *c = &ALWAYS[k];
    fill(buf);
    arm_abort();
    int unchanged = c->probe(buf + c->offset, buf);
    nm(ctx, c->what, "faults");
    /* PUSH stores below SP: the first address written is SP - 8. */
    uint32_t far = c->probe == probe_push ? buf + c->offset - 8 : buf + c->offset;
    expect_fault(name, far, c->write, FS_ALIGNMENT, unchanged);
  }
  /* The same instructions aligned work (a sample, so a fault-always bug shows). */
  fill(buf);
  arm_abort();
  int ok = !probe_ldrexd(buf + 8, buf); /* registers changed: it worked */
  nm(ctx, "LDREXD aligned", "works");
  expect_no_fault(name, ok);
  arm_abort();
  ok = !probe_ldm(buf + 4, buf);
  nm(ctx, "LDM aligned", "works");
  expect_no_fault(name, ok);
}

/* ---- Page tables ---- */

#define SECTION 0x2u
#define AP_FULL (3u << 10)
#define TEXCB_NORMAL_WB ((1u << 12) | (1u << 3) | (1u << 2)) /* TEX 001, C, B: write-back */
#define TEXCB_DEVICE (1u << 2)                                /* TEX 000, C 0, B 1 */
#define TEXCB_STRONGLY_ORDERED 0u
#define UART_BASE 0x09000000u
#define ALIAS_DEVICE 0x80000000u
#define ALIAS_SO 0x80100000u
#define ALIAS_NORMAL 0x80200000u
#define ALIAS_DEVICE_NO_ACCESS 0x80300000u

static void map_section(uint32_t *l1, uint32_t va, uint32_t pa, uint32_t attrs) {
  l1[va >> 20] = (pa & 0xfff00000u) | attrs | SECTION;
}

static uint32_t read_sctlr(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
  return v;
}
static void write_sctlr(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(v) : "memory"); }

/* Devices (the lowest GiB) as Device memory, RAM as Normal, and aliases of `buf`'s section. */
static void mmu_on(uint32_t *l1, uint32_t buf) {
  for (uint32_t mb = 0; mb < 4096; mb++) l1[mb] = 0;
  for (uint32_t mb = 0; mb < 0x400; mb++) map_section(l1, mb << 20, mb << 20, AP_FULL | TEXCB_DEVICE);
  for (uint32_t mb = 0x400; mb < 0x800; mb++) map_section(l1, mb << 20, mb << 20, AP_FULL | TEXCB_NORMAL_WB);
  map_section(l1, ALIAS_DEVICE, buf, AP_FULL | TEXCB_DEVICE);
  map_section(l1, ALIAS_SO, buf, AP_FULL | TEXCB_STRONGLY_ORDERED);
  map_section(l1, ALIAS_NORMAL, buf, AP_FULL | TEXCB_NORMAL_WB);
  map_section(l1, ALIAS_DEVICE_NO_ACCESS, buf, TEXCB_DEVICE); /* AP = 000: no access */
  __asm__ volatile("dsb\n"
                   "mcr p15, 0, %0, c2, c0, 2\n" /* TTBCR = 0 */
                   "mcr p15, 0, %1, c2, c0, 0\n" /* TTBR0 */
                   "mcr p15, 0, %2, c3, c0, 0\n" /* DACR: domain 0 client */
                   "mcr p15, 0, %0, c8, c7, 0\n" /* TLBIALL */
                   "dsb\n isb"
                   :
                   : "r"(0), "r"((uint32_t)l1), "r"(1u)
                   : "memory");
  write_sctlr(read_sctlr() | SCTLR_M);
}

static void mmu_off(void) {
  write_sctlr(read_sctlr() & ~SCTLR_M);
  __asm__ volatile("mcr p15, 0, %0, c8, c7, 0\n dsb\n isb" : : "r"(0) : "memory");
}

int main(void) {
  vfp_enable();
  uint32_t *l1 = (uint32_t *)__heap_start;           /* 1 MiB aligned: a valid TTBR0 base */
  uint32_t buf = (uint32_t)__heap_start + 0x100000u; /* its own section, for the aliases */
  printf("align: SCTLR 0x%08x\n", read_sctlr());
  if (read_sctlr() & SCTLR_A) write_sctlr(read_sctlr() & ~SCTLR_A);

  /* The MMU off: data accesses are Strongly-ordered. */
  check_always("mmu off", buf);
  check_single("mmu off", buf, buf, 1);
  check_single("device: mmu off, UART", UART_BASE + 0xfe0, 0, 1);

  mmu_on(l1, buf);
  check_always("normal", ALIAS_NORMAL);
  check_single("normal", ALIAS_NORMAL, buf, 0);
  check_single("normal, identity", buf, buf, 0);
  check_single("device: Device alias", ALIAS_DEVICE, buf, 1);
  check_single("device: Strongly-ordered alias", ALIAS_SO, buf, 1);
  check_single("device: UART", UART_BASE + 0xfe0, 0, 1);
  check_always("device: Device alias", ALIAS_DEVICE);

  /* Alignment (from the memory type) comes before the permission check; aligned, the same
   * access is a permission fault. */
  arm_abort();
  uint32_t v = ldr(ALIAS_DEVICE_NO_ACCESS + 2);
  expect_fault("device: no-access Device mapping, LDR [+2]: alignment before permission", ALIAS_DEVICE_NO_ACCESS + 2,
               0, FS_ALIGNMENT, v == SENTINEL);
  arm_abort();
  v = ldr(ALIAS_DEVICE_NO_ACCESS + 4);
  expect_fault("no-access Device mapping, LDR [+4]: permission fault", ALIAS_DEVICE_NO_ACCESS + 4, 0,
               FS_PERMISSION_SECTION, v == SENTINEL);

  /* SCTLR.A = 1: every unaligned access faults, Normal memory too. */
  write_sctlr(read_sctlr() | SCTLR_A);
  arm_abort();
  v = ldr(ALIAS_NORMAL + 1);
  uint32_t h = ldrh(ALIAS_NORMAL + 3);
  uint32_t after_two = ab_count;
  str(ALIAS_NORMAL + 2, 0);
  write_sctlr(read_sctlr() & ~SCTLR_A);
  test_eq("SCTLR.A = 1: unaligned LDR, LDRH and STR to Normal memory all fault", ab_count, 3);
  test_check("SCTLR.A = 1: the faulting loads changed no register", v == SENTINEL && h == SENTINEL && after_two == 2);
  test_eq("SCTLR.A = 1: the STR fault is an alignment fault with WnR", ab_dfsr & (FS_MASK | DFSR_WNR),
          FS_ALIGNMENT | DFSR_WNR);
  test_eq("SCTLR.A = 1: DFAR", ab_dfar, ALIAS_NORMAL + 2);
  arm_abort();
  v = ldr(ALIAS_NORMAL);
  expect_no_fault("SCTLR.A = 1: an aligned LDR works", v == peek(buf));

  mmu_off();
  test_done("align");
}
