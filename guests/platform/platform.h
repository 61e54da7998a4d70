/* Shared declarations of the platform guest: the checks of one virt machine (PSCI, unmapped MMIO,
 * PL011, PL031) split by subject, and the interrupt and wait helpers they share. */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdint.h>

/* Set when the guest runs on QEMU's virt machine rather than armvmm (fdt.c). A few behaviours
 * differ on purpose or are left open by the specs; the checks for them accept QEMU's answer only
 * then. */
extern int on_qemu;
/* Looks at the device tree at `dtb` (r2 at boot; 0: the start of RAM) for QEMU's signs. */
int detect_qemu(uint32_t dtb);

/* ---- interrupts and waits (irq.c) ---- */

/* Handlers for the device interrupts, called by irq_handler with the INTID acknowledged. */
void uart_irq(void);
void rtc_irq(void);

/* Counts interrupts nobody expected (any INTID without a handler, spurious excluded). */
extern volatile uint32_t stray_irqs;
/* Counts data aborts and UNDEFINED instructions outside the checks that provoke them. */
extern volatile uint32_t stray_exceptions;

/* Sets up CPU 0's GIC interface and the virtual timer interrupt (PPI 27) the waits use. */
void irq_setup(void);
/* Enables SPI `intid` at `priority`, level-sensitive, routed to CPU 0. */
void irq_route_spi(unsigned intid, uint8_t priority);
/* Sleeps in WFI with IRQs unmasked until *flag != 0 or `ms` milliseconds of virtual time pass.
 * Returns *flag. flag may be 0 to just sleep. */
uint32_t wait_flag_ms(volatile uint32_t *flag, unsigned ms);
void sleep_ms(unsigned ms);
/* Like wait_flag_ms, but the time limit counts only while *progress stays unchanged: each change
 * restarts it (an inactivity timeout). Returns *flag. */
uint32_t wait_flag_idle_ms(volatile uint32_t *flag, volatile uint32_t *progress, unsigned idle_ms);
/* Virtual counter ticks per millisecond (CNTFRQ / 1000). */
uint32_t ticks_per_ms(void);

/* ---- the checks, in the order main runs them ---- */

unsigned psci_count_cpus(void);
void check_psci_calls(unsigned ncpus);   /* psci_calls.c: VERSION, FEATURES, MIGRATE_INFO_TYPE... */
void check_smp(unsigned ncpus);          /* smp.c: CPU_ON bring-up, errors, CPU_OFF and restart */
void check_unmapped_mmio(void);          /* unmapped.c */
void check_pl011_registers(void);        /* pl011.c */
void check_pl031(void);                  /* pl031.c */
void check_console_echo(void);           /* pl011.c: input by interrupt, echoed in upper case */

#endif
