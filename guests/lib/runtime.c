/* Exception dispatch with weak default hooks, secondary-CPU start, locks and string helpers. */
#include "guest.h"
#include "test.h"

uint32_t boot_r0, boot_r1, boot_dtb;

static const char *const exc_names[] = {"?", "UNDEF", "SVC", "PREFETCH ABORT", "DATA ABORT", "RESERVED", "IRQ", "FIQ"};

static uint32_t read_dfsr(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(v));
  return v;
}
static uint32_t read_dfar(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(v));
  return v;
}
static uint32_t read_ifsr(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(v));
  return v;
}
static uint32_t read_ifar(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(v));
  return v;
}

/* Prints what happened and ends the run as a failure. */
static void unexpected(struct exc_frame *f, unsigned kind) {
  print_begin();
  printf("unexpected %s exception on cpu %u: pc=%08x spsr=%08x", exc_names[kind & 7], cpu_id(), f->pc, f->spsr);
  if (kind == EXC_DABT) printf(" dfsr=%08x dfar=%08x", read_dfsr(), read_dfar());
  if (kind == EXC_PABT) printf(" ifsr=%08x ifar=%08x", read_ifsr(), read_ifar());
  if (kind == EXC_IRQ) printf(" intid=%u", gic_ack() & 0x3ff);
  printf("\n");
  for (int k = 0; k < 13; k++) printf("  r%d=%08x%s", k, f->r[k], (k % 4 == 3) ? "\n" : "");
  printf("\n");
  print_end();
  test_fail("unexpected exception", "%s at pc=%08x", exc_names[kind & 7], f->pc);
  test_done("guest");
}

__attribute__((weak)) void undef_handler(struct exc_frame *f) { unexpected(f, EXC_UNDEF); }
__attribute__((weak)) void svc_handler(struct exc_frame *f) { unexpected(f, EXC_SVC); }
__attribute__((weak)) void pabt_handler(struct exc_frame *f) { unexpected(f, EXC_PABT); }
__attribute__((weak)) void dabt_handler(struct exc_frame *f) { unexpected(f, EXC_DABT); }
__attribute__((weak)) void irq_handler(struct exc_frame *f) { unexpected(f, EXC_IRQ); }
__attribute__((weak)) void fiq_handler(struct exc_frame *f) { unexpected(f, EXC_FIQ); }

/* Called by the vector stubs in crt0.S. */
void exception_dispatch(struct exc_frame *f, unsigned kind);
void exception_dispatch(struct exc_frame *f, unsigned kind) {
  switch (kind) {
    case EXC_UNDEF:
      undef_handler(f);
      break;
    case EXC_SVC:
      svc_handler(f);
      break;
    case EXC_PABT:
      pabt_handler(f);
      break;
    case EXC_DABT:
      dabt_handler(f);
      break;
    case EXC_IRQ:
      irq_handler(f);
      break;
    case EXC_FIQ:
      fiq_handler(f);
      break;
    default:
      unexpected(f, kind);
  }
}

/* main returned: power off. */
void guest_exit(int rc);
void guest_exit(int rc) {
  if (rc != 0) printf("main returned %d\n", rc);
  psci_system_off();
}

static void (*volatile start_fn[GUEST_MAX_CPUS])(uint32_t);
static volatile uint32_t start_arg[GUEST_MAX_CPUS];

int cpu_start(unsigned cpu, void (*fn)(uint32_t arg), uint32_t arg) {
  if (cpu >= GUEST_MAX_CPUS) return PSCI_INVALID_PARAMETERS;
  start_fn[cpu] = fn;
  start_arg[cpu] = arg;
  dsb();
  return psci_cpu_on(cpu, (uint32_t)&secondary_entry, cpu);
}

/* Called by secondary_entry in crt0.S with the context id (the CPU index cpu_start passed). */
void secondary_main(uint32_t context);
void secondary_main(uint32_t context) {
  unsigned cpu = context < GUEST_MAX_CPUS ? context : cpu_id();
  void (*fn)(uint32_t) = start_fn[cpu];
  if (fn) fn(start_arg[cpu]);
  psci_cpu_off();
  printf("cpu %u: PSCI CPU_OFF returned\n", cpu_id());
  for (;;) wfi();
}

void spin_lock(struct spinlock *l) {
  uint32_t me = cpu_id() + 1;
  if (l->owner == me) {
    l->depth++;
    return;
  }
  for (;;) {
    uint32_t expected = 0;
    if (__atomic_compare_exchange_n(&l->owner, &expected, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) break;
  }
  l->depth = 1;
}

void spin_unlock(struct spinlock *l) {
  if (--l->depth == 0) __atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
}

void *memset(void *d, int c, unsigned n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (uint8_t)*a - (uint8_t)*b;
}

unsigned strlen(const char *s) {
  unsigned n = 0;
  while (s[n]) n++;
  return n;
}
