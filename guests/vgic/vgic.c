/* The GICv2 seen from inside a guest (IHI 0048B): distributor registers, acknowledge/EOI, active
 * state, priority preemption, more pending interrupts than a hypervisor has list registers, level
 * versus edge delivery, and SGIs between CPUs. Run with -smp 1..8; the SGI checks use every CPU.
 *
 * Test SPIs are INTIDs 64..79 (virtio-mmio slots 16..31 on the virt board, idle without devices),
 * made pending with GICD_ISPENDR. The level and edge checks use real lines: the PL011 UART's TX
 * interrupt (SPI 33, high while the transmitter is idle and TXIM is set) and the virtual timer
 * (PPI 27, high while its condition holds). */
#include "guest.h"
#include "test.h"

#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UART_TX (1u << 5)

#define SPI_MANY 64 /* 64..71: eight at once, more than a GIC-400 has list registers */
#define N_MANY 8
#define SPI_LOW 72 /* preemption: HIGH interrupts LOW's handler, LOWER does not */
#define SPI_HIGH 73
#define SPI_LOWER 74
#define SPI_ACTIVE 75
#define SPI_TARGET 77

#define MAX_ID 128
#define END_OF(id) (0x1000u | (id))

static unsigned ncpus, nirqs;
static uint8_t prio_mask;

static volatile uint32_t irq_count[MAX_ID]; /* CPU 0, by INTID */
static volatile uint32_t sgi_count[GUEST_MAX_CPUS][16][GUEST_MAX_CPUS]; /* [receiver][SGI][source] */
static volatile uint32_t order[32], norder;
static volatile uint32_t unexpected, spurious;
static volatile uint32_t uart_level_mode;
static volatile uint32_t rpr_in_low, rpr_in_high, high_during_low, lower_during_low;

static uint64_t nest_stack[512]; /* System-mode stack for the preemptible part of a handler */
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
  if (norder < 32) order[norder++] = what;
}

static uint32_t bit_of(unsigned intid) { return 1u << (intid % 32); }
static uint32_t word_of(uint32_t base, unsigned intid) { return base + (intid / 32) * 4; }

static void setup_spi(unsigned intid, uint8_t priority) {
  gic_set_priority(intid, priority);
  gic_set_target(intid, 1); /* CPU 0 (RAZ/WI on a uniprocessor, where everything goes to CPU 0) */
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
  /* A uniprocessor GIC has RAZ/WI target registers; otherwise SGI/PPI fields read as the reader. */
  uint8_t own = ncpus > 1 ? (uint8_t)(1u << cpu_id()) : 0;
  int ok = 1;
  for (unsigned k = 0; k < 32; k++) ok &= mmio_read8(t + k) == own;
  test_check("ITARGETSR0-7 bytes read as this CPU's bit", ok);
  mmio_write8(t + IRQ_VTIMER, 0xff);
  test_eq("ITARGETSR of a PPI is read-only", mmio_read8(t + IRQ_VTIMER), own);

  uint8_t all = ncpus > 1 ? (uint8_t)((1u << ncpus) - 1) : 0;
  mmio_write8(t + SPI_TARGET, 0xff);
  test_eq("ITARGETSR SPI byte: bits of absent CPUs are RAZ/WI (QEMU 7.2 keeps them)", mmio_read8(t + SPI_TARGET), all);
  gicd_write(GICD_ITARGETSR + (SPI_TARGET & ~3u), 0);
  mmio_write8(t + SPI_TARGET, 0x01);
  test_eq("ITARGETSR byte write touches only its interrupt", gicd_read(GICD_ITARGETSR + (SPI_TARGET & ~3u)),
          (ncpus > 1 ? 1u : 0u) << (8 * (SPI_TARGET & 3)));
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
  check_sgis();
  irq_disable();
  test_eq("no interrupt arrived that no check asked for", unexpected, 0);
  test_done("vgic");
}
