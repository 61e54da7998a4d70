/* The GICv2 seen from inside a guest (IHI 0048B): distributor registers, acknowledge/EOI, active
 * state, priority preemption, more pending interrupts than a hypervisor has list registers, level
 * versus edge delivery, and SGIs between CPUs. Run with -smp 1..8; the SGI checks use every CPU.
 *
 * Test SPIs are INTIDs 64..95 (virtio-mmio slots 16..31 on the virt board, idle without devices,
 * and unconnected lines), made pending with GICD_ISPENDR; test PPIs are the unconnected 16..24.
 * The level and edge checks use real lines: the PL011 UART's TX interrupt (SPI 33, high while the
 * transmitter is idle and TXIM is set) and the virtual timer (PPI 27, high while its condition
 * holds).
 *
 * What a hypervisor with a virtual GIC fed through list registers must get right, each seen from
 * here (the vgic has 4 LRs):
 *   - a level interrupt whose line stays high is taken again after each EOI (and after each DIR
 *     with EOImode 1), at once and exactly once: the EOI is the hypervisor's resample point;
 *   - the set/clear registers (IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER) change only the bits
 *     written as 1;
 *   - with more pending (and more active) interrupts than LRs, SGIs, PPIs and SPIs are still
 *     taken in priority order, GICC_PMR masks the ones at or below it, and preemption nests six
 *     deep.
 * QEMU 7.2's GIC ignores GICD_ISPENDR writes for PPIs, so there the checks that make PPIs pending
 * fail; armvmm and the architecture allow it. */
#include "guest.h"
#include "test.h"

#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UART_TX (1u << 5)
#define GICC_CTLR_EOIMODE (1u << 9) /* EOImodeNS: EOIR drops the priority, DIR deactivates */

#define SPI_MANY 64 /* 64..71: eight at once, more than a GIC-400 has list registers */
#define N_MANY 8
#define SPI_LOW 72 /* preemption: HIGH interrupts LOW's handler, LOWER does not */
#define SPI_HIGH 73
#define SPI_LOWER 74
#define SPI_ACTIVE 75
#define SPI_TARGET 77

#define MAX_ID 128
#define END_OF(id) (0x1000u | (id))
#define MAX_ORDER 64

/* Priority masking with ten interrupts pending at once: SGIs, PPIs and SPIs mixed. */
#define N_MASKED 10
static const uint8_t mask_ids[N_MASKED] = {8, 9, 10, 16, 17, 18, 80, 81, 82, 83};
static const uint8_t mask_prio[N_MASKED] = {0x50, 0x20, 0x80, 0x60, 0x30, 0x90, 0x40, 0xa0, 0x10, 0x70};
#define MASK_PMR 0x80 /* the last three (0x80, 0x90, 0xa0) wait for the mask to open */

/* Preemption six deep: each CHAIN interrupt's handler makes the next (higher priority) one pending
 * and lets it in, and makes one TAIL interrupt pending (lower than the whole chain): six active
 * and up to six pending at once, more than the LRs hold. */
#define N_CHAIN 6
#define CHAIN_BASE 84 /* 84..89, priorities 0xB0 down to 0x60 */
#define CHAIN_PRIO(d) ((uint8_t)(0xb0 - 0x10 * (d)))
static const uint8_t tail_ids[N_CHAIN] = {12, 19, 90, 13, 20, 91};
static const uint8_t tail_prio[N_CHAIN] = {0xe0, 0xc0, 0xf0, 0xd0, 0xe8, 0xc8};

static unsigned ncpus, nirqs;
static uint8_t prio_mask;

static volatile uint32_t irq_count[MAX_ID]; /* CPU 0, by INTID */
static volatile uint32_t sgi_count[GUEST_MAX_CPUS][16][GUEST_MAX_CPUS]; /* [receiver][SGI][source] */
static volatile uint32_t order[MAX_ORDER], norder;
static volatile uint32_t unexpected, spurious;
static volatile uint32_t uart_level_mode;
static volatile uint32_t rpr_in_low, rpr_in_high, high_during_low, lower_during_low;
static volatile uint32_t chain_depth, chain_rpr[N_CHAIN], chain_active[N_CHAIN];

/* The level probe: the handler's side of check_level_resample. */
static volatile uint32_t probe_id = GIC_SPURIOUS; /* the INTID under test, or none */
static volatile uint32_t probe_limit;             /* the entry at which the handler drops the line */
static volatile uint32_t probe_split;             /* EOImode 1: EOIR in the handler, DIR by the test */
static volatile uint32_t probe_entries, probe_repended, probe_quiet, probe_iar;

static uint64_t nest_stack[512]; /* System-mode stack for the preemptible part of a handler */
static uint64_t chain_stack[N_CHAIN][256]; /* one per nesting level */
void run_preemptible(void (*fn)(void), void *sys_stack_top);

/* ---- helpers ---- */

static uint64_t ms_ticks(unsigned ms) { return (uint64_t)read_cntfrq() / 1000 * ms; }

static void delay_ms(unsigned ms) {
  uint64_t end = read_cntvct() + ms_ticks(ms);
  while (read_cntvct() < end) {
  }
}

/* Spins until *p >= want or `ms` milliseconds of virtual time pass. */
static void wait_for(volatile uint32_t *p, uint32_t want, unsigned ms) {
  uint64_t end = read_cntvct() + ms_ticks(ms);
  while (*p < want && read_cntvct() < end) {
  }
}

static void record(uint32_t what) {
  if (norder < MAX_ORDER) order[norder++] = what;
}

/* "a" followed by "b", in a static buffer (test names). */
static char name_buf[112];
static const char *cat(const char *a, const char *b) {
  unsigned k = 0;
  for (const char *p = a; *p && k < sizeof name_buf - 1; p++) name_buf[k++] = *p;
  for (const char *p = b; *p && k < sizeof name_buf - 1; p++) name_buf[k++] = *p;
  name_buf[k] = 0;
  return name_buf;
}

static void print_order(const char *what, unsigned from) {
  print_begin();
  printf("  %s:", what);
  for (unsigned k = from; k < norder; k++) {
    if (order[k] & 0x1000u)
      printf(" end-%u", order[k] & 0x3ff);
    else
      printf(" %u", order[k]);
  }
  printf("\n");
  print_end();
}

static uint32_t bit_of(unsigned intid) { return 1u << (intid % 32); }
static uint32_t word_of(uint32_t base, unsigned intid) { return base + (intid / 32) * 4; }

static void setup_spi(unsigned intid, uint8_t priority) {
  gic_set_priority(intid, priority);
  gic_set_target(intid, 1); /* CPU 0 */
  gic_enable_irq(intid);
}

/* ---- interrupt handling ---- */

/* The preemptible part of LOW's handler: make a higher and a lower priority interrupt pending and
 * see which of them gets in while LOW is still active. */
static void low_body(void) {
  gic_set_pending(SPI_HIGH);
  gic_set_pending(SPI_LOWER);
  wait_for(&irq_count[SPI_HIGH], 1, 200);
  delay_ms(2);
  high_during_low = irq_count[SPI_HIGH];
  lower_during_low = irq_count[SPI_LOWER];
}

/* The preemptible part of a CHAIN handler: let the next, higher priority one in. */
static void chain_body(void) {
  unsigned next = CHAIN_BASE + chain_depth + 1;
  gic_set_pending(next);
  wait_for(&irq_count[next], 1, 200);
}

/* A CHAIN interrupt at nesting depth d (0 = outermost). */
static void chain_handler(unsigned d) {
  chain_rpr[d] = gicc_read(GICC_RPR);
  if (tail_ids[d] < 16)
    gicd_write(GICD_SGIR, (SGI_TO_SELF << 24) | tail_ids[d]);
  else
    gic_set_pending(tail_ids[d]);
  if (d + 1 < N_CHAIN) {
    chain_depth = d;
    run_preemptible(chain_body, chain_stack[d] + 256);
  }
  /* The handlers nested in this one have completed: this one and the outer ones are active. */
  chain_active[d] = (gicd_read(word_of(GICD_ISACTIVER, CHAIN_BASE)) >> (CHAIN_BASE % 32)) & ((1u << N_CHAIN) - 1);
}

/* Takes the line under test down (the handler's last entry). */
static void probe_drop_line(unsigned id) {
  if (id == IRQ_UART) mmio_write32(UART_BASE + UARTIMSC, 0);
  if (id == IRQ_VTIMER) write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

/* Whether `id` is pending again within a few reads of GICC_HPPIR: right after an EOI of a level
 * interrupt whose line is high, the hypervisor (at its EOI maintenance interrupt) has resampled it. */
static int pending_again(unsigned id) {
  for (int k = 0; k < 4; k++)
    if ((gicc_read(GICC_HPPIR) & 0x3ff) == id) return 1;
  return 0;
}

/* The level probe: count the entry; at the last one drop the line before the EOI. With EOImode 0
 * the EOI deactivates, and the line (still high, or just dropped) decides at once whether it is
 * pending again. With EOImode 1 the EOIR only drops the priority: the test deactivates with DIR. */
static void level_probe(uint32_t iar, unsigned id) {
  uint32_t n = ++probe_entries;
  if (n >= probe_limit) probe_drop_line(id);
  gic_eoi(iar);
  if (probe_split) {
    probe_iar = iar;
    return;
  }
  if (n < probe_limit)
    probe_repended += pending_again(id);
  else
    probe_quiet = (gicc_read(GICC_HPPIR) & 0x3ff) != id;
}

void irq_handler(struct exc_frame *f) {
  (void)f;
  uint32_t iar = gic_ack();
  uint32_t id = iar & 0x3ff;
  unsigned cpu = cpu_id();
  if (id >= 1020) {
    spurious++;
    return;
  }
  if (id < 16) {
    sgi_count[cpu][id][(iar >> 10) & 7]++;
    if (cpu == 0) {
      irq_count[id]++;
      record(id);
    }
    gic_eoi(iar);
    return;
  }
  if (cpu != 0 || id >= MAX_ID) {
    unexpected++;
    gic_eoi(iar);
    return;
  }
  irq_count[id]++;
  record(id);
  if (id == probe_id) {
    level_probe(iar, id);
    return;
  }
  if (id >= CHAIN_BASE && id < CHAIN_BASE + N_CHAIN) {
    chain_handler(id - CHAIN_BASE);
    record(END_OF(id));
    gic_eoi(iar);
    return;
  }
  switch (id) {
    case SPI_LOW:
      rpr_in_low = gicc_read(GICC_RPR);
      run_preemptible(low_body, nest_stack + 512);
      record(END_OF(id));
      break;
    case SPI_HIGH:
      rpr_in_high = gicc_read(GICC_RPR);
      break;
    case IRQ_VTIMER:
      /* Level: it comes back after each EOI until the timer output drops. */
      if (irq_count[id] >= 3) write_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
      break;
    case IRQ_UART:
      if (uart_level_mode && irq_count[id] >= 3) mmio_write32(UART_BASE + UARTIMSC, 0);
      break;
  }
  gic_eoi(iar);
}

/* ---- distributor identification ---- */

static unsigned count_cpus(void) {
  unsigned n = 0;
  for (unsigned c = 0; c < GUEST_MAX_CPUS; c++)
    if (psci_affinity_info(c, 0) >= 0) n++;
  return n;
}

static void check_identification(void) {
  uint32_t typer = gicd_read(GICD_TYPER);
  gicd_write(GICD_TYPER, ~typer);
  test_eq("GICD_TYPER is read-only", gicd_read(GICD_TYPER), typer);
  test_eq("GICD_TYPER.CPUNumber = CPUs - 1", (typer >> 5) & 7, ncpus - 1);
  nirqs = 32 * ((typer & 0x1f) + 1);
  printf("  %u CPUs, %u interrupt IDs\n", ncpus, nirqs);

  uint32_t iidr = gicd_read(GICD_IIDR);
  test_eq("GICD_IIDR.Implementer = Arm (0x43B)", iidr & 0xfff, 0x43b);
  gicd_write(GICD_IIDR, ~iidr);
  test_eq("GICD_IIDR is read-only", gicd_read(GICD_IIDR), iidr);

  test_eq("GICD_PIDR2.ArchRev = 2 (GICv2)", (gicd_read(0xfe8) >> 4) & 0xf, 2);
  uint32_t cidr = 0;
  for (int k = 0; k < 4; k++) cidr |= (gicd_read(0xff0 + 4 * k) & 0xff) << (8 * k);
  test_eq("GICD_CIDR0..3 = 0D F0 05 B1", cidr, 0xb105f00d);
  uint32_t pidr2 = gicd_read(0xfe8);
  gicd_write(0xfe8, 0);
  gicd_write(0xff0, 0);
  test_eq("ID registers are read-only", gicd_read(0xfe8) | (gicd_read(0xff0) << 8), pidr2 | (0x0d << 8));

  uint32_t giccid = gicc_read(GICC_IIDR);
  test_eq("GICC_IIDR.ArchitectureVersion = 2", (giccid >> 16) & 0xf, 2);
}

/* ---- priorities ---- */

static void check_priorities(void) {
  const uint32_t p = GICD_BASE + GICD_IPRIORITYR;
  mmio_write8(p + SPI_TARGET, 0xff);
  prio_mask = mmio_read8(p + SPI_TARGET);
  unsigned bits = 0;
  while (bits < 8 && (prio_mask & (0x80u >> bits))) bits++;
  test_check("IPRIORITYR byte: the implemented bits are the top 4 to 8", bits >= 4 && prio_mask == (uint8_t)(0xff << (8 - bits)));
  printf("  %u priority bits (mask %02x)\n", bits, prio_mask);
  mmio_write8(p + SPI_TARGET, 0);
  test_eq("IPRIORITYR byte write of 0 reads 0", mmio_read8(p + SPI_TARGET), 0);

  for (unsigned k = 0; k < 4; k++) mmio_write8(p + SPI_MANY + k, (uint8_t)(0x10 * (k + 1)));
  test_eq("IPRIORITYR byte writes land in their own lanes", gicd_read(GICD_IPRIORITYR + SPI_MANY), 0x40302010);
  gicd_write(GICD_IPRIORITYR + SPI_MANY + 4, 0xa0b0c0d0);
  uint32_t lanes = 0;
  for (unsigned k = 0; k < 4; k++) lanes |= (uint32_t)mmio_read8(p + SPI_MANY + 4 + k) << (8 * k);
  test_eq("IPRIORITYR word write, byte reads", lanes, 0xa0b0c0d0);
  gicd_write(GICD_IPRIORITYR + SPI_MANY, 0xffffffff);
  test_eq("IPRIORITYR word access keeps only implemented bits", gicd_read(GICD_IPRIORITYR + SPI_MANY),
          prio_mask * 0x01010101u);
  gicd_write(GICD_IPRIORITYR + SPI_MANY, 0);
  gicd_write(GICD_IPRIORITYR + SPI_MANY + 4, 0);

  gicc_write(GICC_PMR, 0xff);
  test_eq("GICC_PMR implements the same priority bits", gicc_read(GICC_PMR), prio_mask);

  mmio_write8(p + nirqs - 1, 0xff);
  test_eq("IPRIORITYR of the last interrupt ID is implemented", mmio_read8(p + nirqs - 1), prio_mask);
  mmio_write8(p + nirqs - 1, 0);
  if (nirqs < 1020) {
    mmio_write8(p + nirqs, 0xff);
    test_eq("IPRIORITYR past the last interrupt is RAZ/WI", mmio_read8(p + nirqs), 0);
    gicd_write(word_of(GICD_ISENABLER, nirqs), 0xffffffff);
    test_eq("ISENABLER past the last interrupt is RAZ/WI", gicd_read(word_of(GICD_ISENABLER, nirqs)), 0);
  }
}

/* ---- targets ---- */

static void check_targets(void) {
  const uint32_t t = GICD_BASE + GICD_ITARGETSR;
  /* SGI/PPI fields read as the reader, one CPU included: KVM's vgic-v2 keeps the targets of a VM
   * with one vcpu (QEMU 7.2 makes them RAZ/WI there, as a uniprocessor GIC may). */
  uint8_t own = (uint8_t)(1u << cpu_id());
  int ok = 1;
  for (unsigned k = 0; k < 32; k++) ok &= mmio_read8(t + k) == own;
  test_check("ITARGETSR0-7 bytes read as this CPU's bit", ok);
  mmio_write8(t + IRQ_VTIMER, 0xff);
  test_eq("ITARGETSR of a PPI is read-only", mmio_read8(t + IRQ_VTIMER), own);

  uint8_t all = (uint8_t)((1u << ncpus) - 1);
  mmio_write8(t + SPI_TARGET, 0xff);
  test_eq("ITARGETSR SPI byte: bits of absent CPUs are RAZ/WI (QEMU 7.2 keeps them)", mmio_read8(t + SPI_TARGET), all);
  gicd_write(GICD_ITARGETSR + (SPI_TARGET & ~3u), 0);
  mmio_write8(t + SPI_TARGET, 0x01);
  test_eq("ITARGETSR byte write touches only its interrupt", gicd_read(GICD_ITARGETSR + (SPI_TARGET & ~3u)),
          1u << (8 * (SPI_TARGET & 3)));
}

/* ---- active state ---- */

static void check_active_state(void) {
  setup_spi(SPI_ACTIVE, 0x80);
  gic_set_pending(SPI_ACTIVE);
  test_eq("HPPIR: the SPI made pending by ISPENDR", gicc_read(GICC_HPPIR) & 0x3ff, SPI_ACTIVE);
  uint32_t iar = gic_ack();
  test_eq("IAR acknowledges it", iar & 0x3ff, SPI_ACTIVE);
  test_check("acknowledged: active and no longer pending", gic_is_active(SPI_ACTIVE) && !gic_is_pending(SPI_ACTIVE));
  test_eq("GICC_RPR = its priority", gicc_read(GICC_RPR), 0x80);
  gicd_write(word_of(GICD_ICACTIVER, SPI_ACTIVE), bit_of(SPI_ACTIVE));
  test_check("ICACTIVER clears the active state", !gic_is_active(SPI_ACTIVE));
  gic_eoi(iar);
  test_eq("EOIR drops the running priority", gicc_read(GICC_RPR), 0xff);

  gicd_write(word_of(GICD_ISACTIVER, SPI_ACTIVE), bit_of(SPI_ACTIVE));
  test_check("ISACTIVER sets the active state", gic_is_active(SPI_ACTIVE));
  gic_set_pending(SPI_ACTIVE);
  test_check("an active interrupt made pending is not signalled", (gicc_read(GICC_HPPIR) & 0x3ff) != SPI_ACTIVE);
  gicd_write(word_of(GICD_ICACTIVER, SPI_ACTIVE), bit_of(SPI_ACTIVE));
  test_eq("once deactivated by ICACTIVER it is signalled", gicc_read(GICC_HPPIR) & 0x3ff, SPI_ACTIVE);
  iar = gic_ack();
  gic_eoi(iar);
  test_eq("taken once more, then nothing is pending", (iar & 0x3ff) | (gicc_read(GICC_HPPIR) << 16),
          SPI_ACTIVE | (GIC_SPURIOUS << 16));
  gic_disable_irq(SPI_ACTIVE);
}

/* ---- set/clear register pairs ---- */

/* The first step of a sequence whose value was not the one expected. */
struct steps {
  unsigned failed_step;
  uint32_t got, want;
};

static void step(struct steps *r, unsigned n, uint32_t got, uint32_t want) {
  if (r->failed_step == 0 && got != want) {
    r->failed_step = n;
    r->got = got;
    r->want = want;
  }
}

static void report(const char *name, const struct steps *r) {
  if (r->failed_step == 0)
    test_pass(name);
  else
    test_fail(name, "step %u: read %08x, want %08x", r->failed_step, r->got, r->want);
}

/* GICD_IS<x>R / GICD_IC<x>R on the 32 interrupts of word `w`, of which `usable` may be changed:
 * a write sets (or clears) exactly the bits written as 1, whatever the others hold, and both
 * registers read the same state. Leaves the usable bits clear. */
static void check_set_clear(const char *name, uint32_t set_reg, uint32_t clear_reg, unsigned w, uint32_t usable) {
  uint32_t set = set_reg + 4 * w, clr = clear_reg + 4 * w;
  struct steps sets = {0, 0, 0}, clears = {0, 0, 0}, reads = {0, 0, 0};
  gicd_write(clr, usable);
  uint32_t others = gicd_read(set) & ~usable; /* bits this check leaves alone */
#define STATE() (gicd_read(set) & usable)
  step(&clears, 1, STATE(), 0);
  uint32_t a = 0x0f0f0f0fu & usable, b = 0x00ff00ffu & usable, c = 0x33333333u & usable;
  gicd_write(set, a);
  step(&sets, 1, STATE(), a);
  gicd_write(set, b);
  step(&sets, 2, STATE(), a | b);
  gicd_write(set, 0);
  step(&sets, 3, STATE(), a | b);
  gicd_write(clr, 0);
  step(&clears, 2, STATE(), a | b);
  step(&reads, 1, gicd_read(clr) & usable, a | b);
  gicd_write(clr, c);
  step(&clears, 3, STATE(), (a | b) & ~c);
  uint32_t one = (a | b) & ~c & -((a | b) & ~c); /* the lowest bit still set */
  gicd_write(clr, one);
  step(&clears, 4, STATE(), (a | b) & ~c & ~one);
  gicd_write(set, usable);
  step(&sets, 4, STATE(), usable);
  step(&reads, 2, gicd_read(clr) & usable, usable);
  uint32_t top = usable & ~(usable >> 1); /* the highest usable bit */
  gicd_write(clr, top);
  step(&clears, 5, STATE(), usable & ~top);
  gicd_write(clr, usable);
  step(&clears, 6, STATE(), 0);
  step(&reads, 3, gicd_read(set) & ~usable, others);
#undef STATE
  report(cat(name, ": the set register sets only the bits written as 1"), &sets);
  report(cat(name, ": the clear register clears only the bits written as 1"), &clears);
  report(cat(name, ": set and clear registers read the same state; other bits untouched"), &reads);
}

static void check_set_clear_registers(void) {
  irq_disable();
  /* Nothing enabled or pending while the active state is tried, nothing enabled while the
   * pending state is: no interrupt is taken on the way. */
  const uint32_t spis = 0xffffffffu, ppis = 0x01ff0000u; /* INTIDs 64..95; PPIs 16..24 */
  for (unsigned id = 64; id < 96; id++) gic_set_target(id, 1); /* SPIs pend on their targets */
  check_set_clear("ISENABLER2/ICENABLER2 (SPIs 64-95)", GICD_ISENABLER, GICD_ICENABLER, 2, spis);
  check_set_clear("ISENABLER0/ICENABLER0 (PPIs 16-24)", GICD_ISENABLER, GICD_ICENABLER, 0, ppis);
  check_set_clear("ISPENDR2/ICPENDR2 (SPIs 64-95)", GICD_ISPENDR, GICD_ICPENDR, 2, spis);
  check_set_clear("ISPENDR0/ICPENDR0 (PPIs 16-24)", GICD_ISPENDR, GICD_ICPENDR, 0, ppis);
  check_set_clear("ISACTIVER2/ICACTIVER2 (SPIs 64-95)", GICD_ISACTIVER, GICD_ICACTIVER, 2, spis);
  check_set_clear("ISACTIVER0/ICACTIVER0 (PPIs 16-24)", GICD_ISACTIVER, GICD_ICACTIVER, 0, ppis);
  test_eq("after the set/clear checks nothing is pending", gicc_read(GICC_HPPIR) & 0x3ff, GIC_SPURIOUS);
}

/* ---- many pending ---- */

/* Eight SPIs made pending at once (more than a GIC-400 has list registers), edge-triggered (a
 * hypervisor refills LRs on an underflow) or level-sensitive (on each EOI maintenance interrupt). */
static void check_many_pending(int edge) {
  irq_disable();
  for (unsigned k = 0; k < N_MANY; k++) {
    gic_set_edge(SPI_MANY + k, edge);
    setup_spi(SPI_MANY + k, (uint8_t)(0x90 - 0x10 * k));
    irq_count[SPI_MANY + k] = 0;
  }
  norder = 0;
  for (unsigned k = 0; k < N_MANY; k++) gic_set_pending(SPI_MANY + k);
  irq_enable();
  isb();
  uint32_t at_once = norder; /* taken before the next instruction here: LRs refilled as they drain */
  for (unsigned k = 0; k < N_MANY; k++) wait_for(&irq_count[SPI_MANY + k], 1, 200);
  delay_ms(2);
  int once = 1;
  for (unsigned k = 0; k < N_MANY; k++) once &= irq_count[SPI_MANY + k] == 1;
  if (!once) {
    print_begin();
    printf("  counts:");
    for (unsigned k = 0; k < N_MANY; k++) printf(" %u:%u", SPI_MANY + k, irq_count[SPI_MANY + k]);
    printf("\n");
    print_end();
  }
  test_check(edge ? "8 edge SPIs pending at once: each delivered exactly once"
                  : "8 level SPIs pending at once: each delivered exactly once",
             once);
  int sorted = norder == N_MANY;
  for (unsigned k = 0; k < N_MANY && sorted; k++) sorted = order[k] == SPI_MANY + N_MANY - 1 - k;
  test_check(edge ? "... edge: in priority order" : "... level: in priority order", sorted);
  test_eq(edge ? "... edge: all 8 taken as soon as IRQs are unmasked (LRs refilled as they drain)"
               : "... level: all 8 taken as soon as IRQs are unmasked (LRs refilled as they drain)",
          at_once, N_MANY);
  for (unsigned k = 0; k < N_MANY; k++) gic_disable_irq(SPI_MANY + k);
}

/* ---- preemption ---- */

static void check_preemption(void) {
  setup_spi(SPI_LOW, 0xa0);
  setup_spi(SPI_HIGH, 0x40);
  setup_spi(SPI_LOWER, 0xc0);
  norder = 0;
  gic_set_pending(SPI_LOW);
  wait_for(&irq_count[SPI_LOWER], 1, 500);
  delay_ms(2);
  test_eq("LOW (0xA0) handled once", irq_count[SPI_LOW], 1);
  test_eq("HIGH (0x40) preempted LOW's handler", high_during_low, 1);
  test_eq("LOWER (0xC0) did not preempt LOW", lower_during_low, 0);
  test_check("order: LOW, HIGH, end of LOW, LOWER", norder == 4 && order[0] == SPI_LOW && order[1] == SPI_HIGH &&
                                                         order[2] == END_OF(SPI_LOW) && order[3] == SPI_LOWER);
  test_eq("GICC_RPR in LOW's handler", rpr_in_low, 0xa0);
  test_eq("GICC_RPR in HIGH's handler", rpr_in_high, 0x40);
  test_eq("idle again: GICC_RPR = 0xFF", gicc_read(GICC_RPR), 0xff);
  gic_disable_irq(SPI_LOW);
  gic_disable_irq(SPI_HIGH);
  gic_disable_irq(SPI_LOWER);
}

/* ---- level and edge on real lines ---- */

static void check_uart_lines(void) {
  mmio_write32(UART_BASE + UARTIMSC, 0);
  test_check("PL011 TXRIS is set while the transmitter is idle", (mmio_read32(UART_BASE + UARTRIS) & UART_TX) != 0);
  /* Edge-triggered: the line rises once and stays high; one interrupt. */
  gic_set_edge(IRQ_UART, 1);
  setup_spi(IRQ_UART, 0x80);
  irq_count[IRQ_UART] = 0;
  uart_level_mode = 0;
  mmio_write32(UART_BASE + UARTIMSC, UART_TX);
  wait_for(&irq_count[IRQ_UART], 1, 200);
  delay_ms(2);
  uint32_t edge_count = irq_count[IRQ_UART];
  mmio_write32(UART_BASE + UARTIMSC, 0);
  /* Level-sensitive: the same line comes back after every EOI until the handler masks it. */
  gic_set_edge(IRQ_UART, 0);
  irq_count[IRQ_UART] = 0;
  uart_level_mode = 1;
  mmio_write32(UART_BASE + UARTIMSC, UART_TX);
  wait_for(&irq_count[IRQ_UART], 3, 200);
  delay_ms(2);
  uint32_t level_count = irq_count[IRQ_UART];
  mmio_write32(UART_BASE + UARTIMSC, 0);
  gic_disable_irq(IRQ_UART);
  test_eq("edge SPI 33: one interrupt for one rising edge, the line staying high", edge_count, 1);
  test_eq("level SPI 33: taken again after each EOI while asserted (3 times)", level_count, 3);
}

static void check_timer_level(void) {
  gic_set_priority(IRQ_VTIMER, 0x80);
  gic_enable_irq(IRQ_VTIMER);
  irq_count[IRQ_VTIMER] = 0;
  write_cntv_tval(0);
  write_cntv_ctl(CNT_CTL_ENABLE);
  wait_for(&irq_count[IRQ_VTIMER], 3, 200);
  delay_ms(2);
  uint32_t n = irq_count[IRQ_VTIMER];
  write_cntv_ctl(0);
  gic_disable_irq(IRQ_VTIMER);
  test_eq("level PPI 27 (virtual timer): taken again after each EOI while asserted (3 times)", n, 3);
}

/* ---- level resampling at EOI ---- */

#define PROBE_N 5

/* Raises the line under test (UART TX interrupt enabled, or the virtual timer's condition made
 * true), which stays high until the handler's PROBE_N-th entry drops it. */
static void probe_raise(unsigned id) {
  if (id == IRQ_UART) mmio_write32(UART_BASE + UARTIMSC, UART_TX);
  if (id == IRQ_VTIMER) {
    write_cntv_tval(0);
    write_cntv_ctl(CNT_CTL_ENABLE);
  }
}

static void probe_start(unsigned id, int split) {
  irq_disable();
  if (id >= 32) {
    gic_set_edge(id, 0);
    setup_spi(id, 0x80);
  } else {
    gic_set_priority(id, 0x80);
    gic_enable_irq(id);
  }
  irq_count[id] = 0;
  probe_entries = probe_repended = probe_quiet = 0;
  probe_limit = PROBE_N;
  probe_split = split;
  probe_id = id;
}

static void probe_end(unsigned id) {
  irq_disable();
  probe_id = GIC_SPURIOUS;
  probe_drop_line(id);
  if (id == IRQ_VTIMER) write_cntv_ctl(0);
  gic_disable_irq(id);
}

/* EOImode 0: the EOI of a level interrupt whose line is still high makes it pending again at
 * once, and it is taken once per EOI; the EOI after the line dropped leaves it idle. */
static void check_level_resample(unsigned id, const char *what) {
  probe_start(id, 0);
  probe_raise(id);
  irq_enable();
  wait_for(&probe_entries, PROBE_N, 200);
  delay_ms(2);
  uint32_t entries = probe_entries, repended = probe_repended, quiet = probe_quiet;
  probe_end(id);
  test_eq(cat(what, ": line held high, taken once per EOI until the handler drops it (5 times)"), entries, PROBE_N);
  test_eq(cat(what, ": pending again right after each EOI while high (resampled at the EOI)"), repended, PROBE_N - 1);
  test_check(cat(what, ": not pending after the EOI that follows the line's drop"), quiet);
}

/* EOImode 1: EOIR only drops the priority; while it stays active the interrupt is not taken
 * again however long the line stays high, and each DIR brings it back at once, exactly once. DIR
 * comes straight after the handler's EOIR for odd entries (the list register the interrupt was
 * taken from) and after a millisecond with exits for even ones (a list register refilled since). */
static void check_level_split_eoi(unsigned id, const char *what) {
  uint32_t ctlr = gicc_read(GICC_CTLR);
  gicc_write(GICC_CTLR, ctlr | GICC_CTLR_EOIMODE);
  probe_start(id, 1);
  probe_raise(id);
  irq_enable();
  uint32_t held = 1, back = 0;
  for (uint32_t k = 1; k <= PROBE_N; k++) {
    wait_for(&probe_entries, k, 200);
    if (probe_entries != k) break;
    if (k % 2 == 0) {
      delay_ms(1); /* active, priority dropped, line high: no second entry */
      held &= probe_entries == k;
    }
    gicc_write(GICC_DIR, probe_iar);
    isb();
    for (int r = 0; r < 4 && probe_entries == k; r++) {
    }
    if (k < PROBE_N) back += probe_entries == k + 1;
  }
  delay_ms(2);
  uint32_t entries = probe_entries;
  probe_end(id);
  gicc_write(GICC_CTLR, ctlr);
  test_eq(cat(what, ", EOImode 1: one entry per DIR until the line drops (5 times)"), entries, PROBE_N);
  test_check(cat(what, ", EOImode 1: not taken again while active after EOIR (priority drop)"), held);
  test_eq(cat(what, ", EOImode 1: taken again right after each DIR while high"), back, PROBE_N - 1);
}

/* ---- priority masking and preemption with more interrupts than list registers ---- */

static void make_pending(unsigned id) {
  if (id < 16)
    gicd_write(GICD_SGIR, (SGI_TO_SELF << 24) | id);
  else
    gic_set_pending(id);
}

static void setup_any(unsigned id, uint8_t priority) {
  if (id >= 32) {
    gic_set_edge(id, 0);
    setup_spi(id, priority);
  } else {
    gic_set_priority(id, priority);
    gic_enable_irq(id); /* RAO/WI for SGIs */
  }
  irq_count[id] = 0;
}

/* Ten interrupts (3 SGIs, 3 PPIs, 4 SPIs) pending at once at ten priorities, with GICC_PMR = 0x80:
 * the seven above the mask are taken highest first, the three others stay pending until the mask
 * opens, then are taken highest first too. */
static void check_pmr_many(void) {
  irq_disable();
  for (unsigned k = 0; k < N_MASKED; k++) setup_any(mask_ids[k], mask_prio[k]);
  gicc_write(GICC_PMR, MASK_PMR);
  norder = 0;
  for (unsigned k = 0; k < N_MASKED; k++) make_pending(mask_ids[k]);
  /* The expected order: by priority. */
  uint8_t want[N_MASKED];
  unsigned above = 0;
  for (unsigned k = 0; k < N_MASKED; k++) {
    unsigned rank = 0;
    for (unsigned j = 0; j < N_MASKED; j++) rank += mask_prio[j] < mask_prio[k];
    want[rank] = mask_ids[k];
    above += mask_prio[k] < MASK_PMR;
  }
  irq_enable();
  for (unsigned k = 0; k < above; k++) wait_for(&irq_count[want[k]], 1, 200);
  delay_ms(2);
  irq_disable();
  unsigned taken_masked = norder;
  int order_ok = norder == above;
  for (unsigned k = 0; k < above && order_ok; k++) order_ok = order[k] == want[k];
  if (!order_ok) print_order("taken under PMR 0x80", 0);
  test_check("10 pending (SGIs, PPIs, SPIs), 4 LRs, PMR 0x80: the 7 above the mask taken, highest first", order_ok);
  int still = 1;
  for (unsigned k = 0; k < N_MASKED; k++)
    if (mask_prio[k] >= MASK_PMR) still &= irq_count[mask_ids[k]] == 0;
  uint32_t pend = gicd_read(word_of(GICD_ISPENDR, 81)) & (bit_of(81));
  uint32_t sgi10 = (gicd_read(GICD_SPENDSGIR + 8) >> 16) & 0xff; /* SGI 10's sources */
  test_check("... the 3 at or below the mask are held back, still pending", still && pend && sgi10 == 1);
  gicc_write(GICC_PMR, 0xff);
  irq_enable();
  for (unsigned k = above; k < N_MASKED; k++) wait_for(&irq_count[want[k]], 1, 200);
  delay_ms(2);
  irq_disable();
  int rest_ok = norder == N_MASKED && taken_masked == above;
  for (unsigned k = above; k < N_MASKED && rest_ok; k++) rest_ok = order[k] == want[k];
  if (!rest_ok) print_order("taken after PMR 0xFF", above);
  test_check("... once PMR opens, the other 3 taken, highest first, each once", rest_ok);
  for (unsigned k = 0; k < N_MASKED; k++)
    if (mask_ids[k] >= 16) gic_disable_irq(mask_ids[k]);
}

/* Preemption six deep (six active interrupts, four LRs) with six lower priority interrupts made
 * pending on the way: the chain nests in order, unwinds in reverse, and only then are the six
 * others taken, highest first. */
static void check_nesting(void) {
  irq_disable();
  for (unsigned d = 0; d < N_CHAIN; d++) {
    setup_any(CHAIN_BASE + d, CHAIN_PRIO(d));
    setup_any(tail_ids[d], tail_prio[d]);
    chain_rpr[d] = chain_active[d] = 0;
  }
  norder = 0;
  gic_set_pending(CHAIN_BASE);
  irq_enable();
  uint8_t tails[N_CHAIN];
  for (unsigned k = 0; k < N_CHAIN; k++) {
    unsigned rank = 0;
    for (unsigned j = 0; j < N_CHAIN; j++) rank += tail_prio[j] < tail_prio[k];
    tails[rank] = tail_ids[k];
  }
  for (unsigned k = 0; k < N_CHAIN; k++) wait_for(&irq_count[tails[k]], 1, 200);
  delay_ms(2);
  irq_disable();
  uint32_t want[3 * N_CHAIN];
  for (unsigned d = 0; d < N_CHAIN; d++) {
    want[d] = CHAIN_BASE + d;
    want[N_CHAIN + d] = END_OF(CHAIN_BASE + N_CHAIN - 1 - d);
    want[2 * N_CHAIN + d] = tails[d];
  }
  int nest_ok = norder == 3 * N_CHAIN;
  for (unsigned k = 0; k < 2 * N_CHAIN && nest_ok; k++) nest_ok = order[k] == want[k];
  int tail_ok = norder == 3 * N_CHAIN;
  for (unsigned k = 2 * N_CHAIN; k < 3 * N_CHAIN && tail_ok; k++) tail_ok = order[k] == want[k];
  if (!nest_ok || !tail_ok) print_order("order", 0);
  test_check("preemption 6 deep (more active than LRs): nested in priority order, unwound in reverse", nest_ok);
  test_check("... the 6 lower ones made pending meanwhile waited, then were taken highest first", tail_ok);
  int active_ok = 1;
  for (unsigned d = 0; d < N_CHAIN; d++) active_ok &= chain_active[d] == (2u << d) - 1;
  if (!active_ok) {
    print_begin();
    printf("  GICD_ISACTIVER bits of 84..89 as each level completed (innermost first):");
    for (unsigned d = N_CHAIN; d-- > 0;) printf(" %02x", chain_active[d]);
    printf("\n");
    print_end();
  }
  test_check("... as each level completes, GICD_ISACTIVER shows exactly the handlers still running", active_ok);
  int rpr_ok = 1;
  for (unsigned d = 0; d < N_CHAIN; d++) rpr_ok &= chain_rpr[d] == CHAIN_PRIO(d);
  test_check("GICC_RPR at each depth = that handler's priority", rpr_ok);
  test_eq("idle again: GICC_RPR = 0xFF, no active priority left", gicc_read(GICC_RPR) | (gicc_read(GICC_APR0) << 8),
          0xff);
  for (unsigned d = 0; d < N_CHAIN; d++) {
    gic_disable_irq(CHAIN_BASE + d);
    if (tail_ids[d] >= 16) gic_disable_irq(tail_ids[d]);
  }
}

/* ---- SGIs between CPUs ---- */

#define CMD_EXIT 0xffffffffu
struct cpu_cmd {
  volatile uint32_t seq, sgir, done, ready;
};
static struct cpu_cmd cmds[GUEST_MAX_CPUS];

static void secondary(uint32_t cpu) {
  gic_cpu_enable();
  irq_enable();
  cmds[cpu].ready = 1;
  uint32_t seen = 0;
  for (;;) {
    uint32_t seq = cmds[cpu].seq;
    if (seq == seen) continue;
    seen = seq;
    uint32_t v = cmds[cpu].sgir;
    if (v != CMD_EXIT) {
      dsb();
      gicd_write(GICD_SGIR, v);
    }
    dmb();
    cmds[cpu].done = seq;
    if (v == CMD_EXIT) break;
  }
  irq_disable();
}

/* Makes CPU `cpu` write `sgir` to GICD_SGIR (or stop). */
static void run_on(unsigned cpu, uint32_t sgir) {
  if (cpu == 0) {
    dsb();
    gicd_write(GICD_SGIR, sgir);
    return;
  }
  cmds[cpu].sgir = sgir;
  dmb();
  uint32_t seq = cmds[cpu].seq + 1;
  cmds[cpu].seq = seq;
  wait_for(&cmds[cpu].done, seq, 500);
}

static uint32_t sgir_value(unsigned filter, unsigned targets, unsigned sgi) { return (filter << 24) | (targets << 16) | sgi; }

/* Waits for `total` SGI `sgi` deliveries, then compares every [receiver][source] count with `want`. */
static void check_sgi_matrix(const char *what, unsigned sgi, uint8_t want[GUEST_MAX_CPUS][GUEST_MAX_CPUS]) {
  uint32_t total = 0;
  for (unsigned r = 0; r < ncpus; r++)
    for (unsigned s = 0; s < ncpus; s++) total += want[r][s];
  uint64_t end = read_cntvct() + ms_ticks(500);
  for (;;) {
    uint32_t got = 0;
    for (unsigned r = 0; r < ncpus; r++)
      for (unsigned s = 0; s < GUEST_MAX_CPUS; s++) got += sgi_count[r][sgi][s];
    if (got >= total || read_cntvct() >= end) break;
  }
  delay_ms(2);
  int all_ok = 1;
  for (unsigned r = 0; r < ncpus; r++) {
    for (unsigned s = 0; s < GUEST_MAX_CPUS; s++) {
      uint32_t w = s < ncpus ? want[r][s] : 0;
      if (sgi_count[r][sgi][s] != w) {
        test_fail(what, "cpu %u got SGI %u from cpu %u %u times, want %u", r, sgi, s, sgi_count[r][sgi][s], w);
        all_ok = 0;
        break;
      }
    }
  }
  if (all_ok) test_pass(what);
}

static void check_sgis(void) {
  for (unsigned c = 1; c < ncpus; c++) {
    if (cpu_start(c, secondary, c) != PSCI_SUCCESS) test_fail("cpu_start", "cpu %u", c);
    wait_for(&cmds[c].ready, 1, 1000);
  }
  uint8_t want[GUEST_MAX_CPUS][GUEST_MAX_CPUS];

  /* To self. */
  memset(want, 0, sizeof want);
  for (unsigned c = 0; c < ncpus; c++) {
    run_on(c, sgir_value(SGI_TO_SELF, 0, 1));
    want[c][c] = 1;
  }
  check_sgi_matrix("SGI to self: each CPU gets it once, from itself", 1, want);

  /* To a target list: CPU 0 to everyone (itself included), the last CPU to CPUs 0 and 1. */
  memset(want, 0, sizeof want);
  run_on(0, sgir_value(SGI_TO_LIST, (1u << ncpus) - 1, 2));
  for (unsigned r = 0; r < ncpus; r++) want[r][0] = 1;
  if (ncpus > 1) {
    run_on(ncpus - 1, sgir_value(SGI_TO_LIST, 0x3, 2));
    want[0][ncpus - 1]++;
    want[1][ncpus - 1]++;
  }
  check_sgi_matrix("SGI to a target list: each target once, with the sender's ID", 2, want);

  /* To all but self, from every CPU. */
  memset(want, 0, sizeof want);
  for (unsigned c = 0; c < ncpus; c++) run_on(c, sgir_value(SGI_TO_OTHERS, 0, 3));
  for (unsigned r = 0; r < ncpus; r++)
    for (unsigned s = 0; s < ncpus; s++) want[r][s] = r != s;
  check_sgi_matrix("SGI to all but self: once from every other CPU, never from itself", 3, want);

  for (unsigned c = 1; c < ncpus; c++) run_on(c, CMD_EXIT);
}

int main(void) {
  ncpus = count_cpus();
  printf("vgic guest: GICv2 checks on %u CPUs\n", ncpus);
  gic_init();
  check_identification();
  if (nirqs < 96) {
    test_fail("GICD_TYPER.ITLinesNumber", "%u interrupt IDs: the test SPIs need INTIDs up to 95", nirqs);
    test_done("vgic");
  }
  check_priorities();
  check_targets();
  check_active_state();
  check_many_pending(1);
  check_many_pending(0);
  check_preemption();
  check_uart_lines();
  check_timer_level();
  check_set_clear_registers();
  check_level_resample(IRQ_UART, "level SPI 33 (PL011 TX)");
  check_level_resample(IRQ_VTIMER, "level PPI 27 (virtual timer)");
  check_level_split_eoi(IRQ_UART, "level SPI 33 (PL011 TX)");
  check_pmr_many();
  check_nesting();
  irq_enable(); /* the SGI checks take their interrupts on CPU 0 too */
  check_sgis();
  irq_disable();
  test_eq("no interrupt arrived that no check asked for", unexpected, 0);
  test_done("vgic");
}
