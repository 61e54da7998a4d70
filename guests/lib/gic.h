/* GICv2 distributor (0x08000000) and CPU interface (0x08010000) of QEMU virt / armvmm.
 * Register names and byte offsets as in the GIC Architecture Specification v2 (IHI 0048B). */
#ifndef GIC_H
#define GIC_H

#include <stdint.h>

#define GICD_BASE 0x08000000u
#define GICC_BASE 0x08010000u

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20

#define GICC_CTLR 0x0000
#define GICC_PMR 0x0004
#define GICC_BPR 0x0008
#define GICC_IAR 0x000c
#define GICC_EOIR 0x0010
#define GICC_RPR 0x0014
#define GICC_HPPIR 0x0018
#define GICC_APR0 0x00d0
#define GICC_IIDR 0x00fc
#define GICC_DIR 0x1000

#define GIC_SPURIOUS 1023
/* INTIDs on the virt board. */
#define IRQ_VTIMER 27
#define IRQ_PTIMER 30
#define IRQ_UART 33
#define IRQ_RTC 34

/* GICD_SGIR target list filters. */
#define SGI_TO_LIST 0u
#define SGI_TO_OTHERS 1u
#define SGI_TO_SELF 2u

static inline uint32_t gicd_read(uint32_t off) { return *(volatile uint32_t *)(GICD_BASE + off); }
static inline void gicd_write(uint32_t off, uint32_t v) { *(volatile uint32_t *)(GICD_BASE + off) = v; }
static inline uint32_t gicc_read(uint32_t off) { return *(volatile uint32_t *)(GICC_BASE + off); }
static inline void gicc_write(uint32_t off, uint32_t v) { *(volatile uint32_t *)(GICC_BASE + off) = v; }

/* Enables the distributor (GICD_CTLR = 1). Call once, on CPU 0. */
void gic_dist_enable(void);
/* Enables this CPU's interface with priority mask 0xff (every priority passes) and BPR 0. */
void gic_cpu_enable(void);
/* Both of the above. */
void gic_init(void);

void gic_enable_irq(unsigned intid);
void gic_disable_irq(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t priority);
/* CPU target mask (bit n = CPU n) for an SPI; read-only for SGIs and PPIs. */
void gic_set_target(unsigned intid, uint8_t cpu_mask);
/* Edge-triggered (1) or level-sensitive (0), for SPIs and PPIs that allow it. */
void gic_set_edge(unsigned intid, int edge);
void gic_set_pending(unsigned intid);
void gic_clear_pending(unsigned intid);
int gic_is_pending(unsigned intid);
int gic_is_active(unsigned intid);

/* Acknowledge: returns GICC_IAR (INTID in bits 9:0, source CPU of an SGI in bits 12:10). */
uint32_t gic_ack(void);
/* End of interrupt: write back the value gic_ack returned. */
void gic_eoi(uint32_t iar);

/* Sends SGI `intid` (0..15) to the CPUs in `cpu_mask`, or by filter (SGI_TO_OTHERS/SELF). */
void gic_send_sgi(unsigned intid, uint8_t cpu_mask);
void gic_send_sgi_filter(unsigned intid, unsigned filter);

#endif
