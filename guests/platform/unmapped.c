/* Loads and stores to guest physical addresses where the virt board has nothing: 0x0C000000 (QEMU's
 * platform-bus window, empty) and 0x20000000 (inside QEMU's PCIe MMIO window, which armvmm does not
 * have). On armvmm each must be a synchronous external abort taken by the guest (DDI 0406C B3.13:
 * short-descriptor DFSR.FS = 0b01000, FS split over bits [10] and [3:0]; WnR in bit 11; DFAR = the
 * address), and the guest carries on once its handler steps over the instruction.
 *
 * QEMU 7.2 aborts the same way at 0x0C000000, but 0x20000000 lies in its PCIe MMIO window, where an
 * access no device claims reads as all ones and a write is dropped, as on a PCI bus. So when on_qemu
 * is set, an access that does not abort passes with a note; one that aborts is checked as on
 * armvmm. */
#include "guest.h"
#include "test.h"
#include "platform.h"

#define DFSR_FS(v) (((v) & 0xfu) | (((v) >> 6) & 0x10u))
#define FS_SYNC_EXTERNAL 0x08u
#define DFSR_WNR (1u << 11)
#define CPSR_ABT 0x17u
#define CPSR_SVC 0x13u
#define CPSR_T (1u << 5)

static volatile uint32_t dabt_count, dabt_dfsr, dabt_dfar, dabt_pc, dabt_mode, dabt_from;
static volatile uint32_t probing;
volatile uint32_t stray_exceptions;

/* A data abort outside the probes is counted as stray (main reports it) and skipped too, so that
 * the run still reaches its summary. */
void dabt_handler(struct exc_frame *f) {
  uint32_t dfsr, dfar;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
  dabt_dfsr = dfsr;
  dabt_dfar = dfar;
  dabt_pc = f->pc;
  dabt_mode = read_cpsr() & 0x1f;
  dabt_from = f->spsr & 0x1f;
  if (probing)
    dabt_count++;
  else
    stray_exceptions++;
  f->pc += (f->spsr & CPSR_T) ? 2 : 4; /* the probes below are ARM instructions */
}

struct probe {
  uint32_t insn_pc; /* address of the load or store */
  uint32_t after;   /* set to 1 by the instruction after it */
  uint32_t value;   /* what the load returned */
};

static void probe_read(uint32_t addr, struct probe *p) {
  uint32_t value = 0x5eed5eed, after = 0, pc;
  __asm__ volatile("adr %[pc], 1f\n"
                   "1: ldr %[v], [%[a]]\n"
                   "mov %[after], #1\n"
                   : [v] "+r"(value), [after] "+r"(after), [pc] "=&r"(pc)
                   : [a] "r"(addr)
                   : "memory");
  p->insn_pc = pc;
  p->after = after;
  p->value = value;
}

static void probe_write(uint32_t addr, struct probe *p) {
  uint32_t value = 0xdeadbeef, after = 0, pc;
  __asm__ volatile("adr %[pc], 1f\n"
                   "1: str %[v], [%[a]]\n"
                   "mov %[after], #1\n"
                   : [after] "+r"(after), [pc] "=&r"(pc)
                   : [a] "r"(addr), [v] "r"(value)
                   : "memory");
  p->insn_pc = pc;
  p->after = after;
  p->value = 0;
}

static void check_access(uint32_t addr, int write) {
  struct probe p;
  uint32_t before = dabt_count;
  probing = 1;
  if (write)
    probe_write(addr, &p);
  else
    probe_read(addr, &p);
  probing = 0;
  uint32_t aborts = dabt_count - before;
  const char *what = write ? "write" : "read";

  print_begin();
  printf("  %s of unmapped 0x%08x: %u abort(s), DFSR 0x%08x, DFAR 0x%08x\n", what, addr, aborts, dabt_dfsr,
         dabt_dfar);
  print_end();
  if (aborts == 0 && on_qemu) {
    print_begin();
    printf("  (QEMU: no abort; %s 0x%08x)\n", write ? "ignored" : "read", p.value);
    print_end();
    test_check("unmapped access: execution goes on (QEMU answers without an abort)", p.after == 1);
    return;
  }
  test_eq("unmapped access: exactly one data abort", aborts, 1);
  test_eq("unmapped access: DFSR.FS = synchronous external abort (0b01000)", DFSR_FS(dabt_dfsr), FS_SYNC_EXTERNAL);
  test_eq("unmapped access: DFSR.WnR says read or write", (dabt_dfsr & DFSR_WNR) != 0, write != 0);
  test_eq("unmapped access: DFAR = the address", dabt_dfar, addr);
  test_eq("unmapped access: the abort names the faulting instruction", dabt_pc, p.insn_pc);
  test_eq("unmapped access: taken in Abort mode", dabt_mode, CPSR_ABT);
  test_eq("unmapped access: from SVC mode", dabt_from, CPSR_SVC);
  test_eq("unmapped access: execution goes on after the handler skips it", p.after, 1);
}

void check_unmapped_mmio(void) {
  static const uint32_t addrs[] = {0x0c000000u, 0x20000000u};
  for (unsigned k = 0; k < sizeof addrs / sizeof addrs[0]; k++) {
    check_access(addrs[k], 0);
    check_access(addrs[k], 1);
  }
}
