/* The bare-metal guest library: one header for everything a guest uses. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdint.h>

#include "gic.h"
#include "psci.h"
#include "timer.h"
#include "uart.h"

#define GUEST_MAX_CPUS 8

/* QEMU virt / armvmm board addresses. */
#define RAM_BASE 0x40000000u
#define IMAGE_BASE 0x40010000u

/* Exception kinds passed to exception_dispatch. */
enum exc_kind { EXC_UNDEF = 1, EXC_SVC = 2, EXC_PABT = 3, EXC_DABT = 4, EXC_IRQ = 6, EXC_FIQ = 7 };

/* What crt0 saves on exception entry (on the exception mode's stack).
 * pc is the address the handler returns to: for UNDEF and SVC the next instruction; for prefetch
 * and data aborts the faulting instruction (a handler that wants to skip it advances pc); for IRQ
 * and FIQ the interrupted instruction. spsr is the interrupted CPSR; writing it changes what the
 * return restores. */
struct exc_frame {
  uint32_t r[13];
  uint32_t pad;
  uint32_t pc;
  uint32_t spsr;
};

/* C hooks called by the vector table. Each has a weak default that prints a diagnostic and fails
 * the run; a guest defines its own to handle the exception (returning resumes at frame->pc). */
void undef_handler(struct exc_frame *f);
void svc_handler(struct exc_frame *f);
void pabt_handler(struct exc_frame *f);
void dabt_handler(struct exc_frame *f);
void irq_handler(struct exc_frame *f);
void fiq_handler(struct exc_frame *f);

/* The guest's entry point, on CPU 0 in SVC mode with IRQ/FIQ masked; returning powers off. */
int main(void);

/* Boot arguments as the loader left them (r0, r1, r2 = DTB address). */
extern uint32_t boot_r0, boot_r1, boot_dtb;

/* This CPU's index (MPIDR.Aff0). */
static inline unsigned cpu_id(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(v));
  return v & 0xff;
}

/* Starts CPU `cpu` (MPIDR Aff0) via PSCI CPU_ON; it runs fn(arg) on its own stack in SVC mode with
 * interrupts masked and calls PSCI CPU_OFF when fn returns. Returns the PSCI status (0 = success). */
int cpu_start(unsigned cpu, void (*fn)(uint32_t arg), uint32_t arg);

/* The raw PSCI CPU_ON entry point that cpu_start uses (r0 = context id = the CPU index). */
void secondary_entry(void);

/* Enables CP10/CP11 in CPACR and sets FPEXC.EN: call before any VFP instruction. */
void vfp_enable(void);

static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void wfe(void) { __asm__ volatile("wfe" ::: "memory"); }
static inline void sev(void) { __asm__ volatile("sev" ::: "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void dmb(void) { __asm__ volatile("dmb sy" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

static inline uint32_t read_cpsr(void) {
  uint32_t v;
  __asm__ volatile("mrs %0, cpsr" : "=r"(v));
  return v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t mmio_read32(uint32_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write8(uint32_t addr, uint8_t v) { *(volatile uint8_t *)addr = v; }
static inline uint8_t mmio_read8(uint32_t addr) { return *(volatile uint8_t *)addr; }

/* A spinlock (LDREX/STREX); re-entrant on the same CPU so an exception handler can print. */
struct spinlock {
  volatile uint32_t owner; /* cpu_id() + 1, or 0 when free */
  uint32_t depth;
};
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/* Minimal string helpers (no libc). */
void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n);
int strcmp(const char *a, const char *b);
unsigned strlen(const char *s);

#endif
