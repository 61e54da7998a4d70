/* GICv2 helpers. Per-interrupt fields are reached with 32-bit accesses only (read-modify-write
 * for the byte-per-interrupt registers), the way most guests do it. */
#include "guest.h"

void gic_dist_enable(void) { gicd_write(GICD_CTLR, 1); }

void gic_cpu_enable(void) {
  gicc_write(GICC_PMR, 0xff);
  gicc_write(GICC_BPR, 0);
  gicc_write(GICC_CTLR, 1);
}

void gic_init(void) {
  gic_dist_enable();
  gic_cpu_enable();
}

static inline uint32_t bit_reg(unsigned intid) { return (intid / 32) * 4; }
static inline uint32_t bit_mask(unsigned intid) { return 1u << (intid % 32); }

void gic_enable_irq(unsigned intid) { gicd_write(GICD_ISENABLER + bit_reg(intid), bit_mask(intid)); }
void gic_disable_irq(unsigned intid) { gicd_write(GICD_ICENABLER + bit_reg(intid), bit_mask(intid)); }
void gic_set_pending(unsigned intid) { gicd_write(GICD_ISPENDR + bit_reg(intid), bit_mask(intid)); }
void gic_clear_pending(unsigned intid) { gicd_write(GICD_ICPENDR + bit_reg(intid), bit_mask(intid)); }
int gic_is_pending(unsigned intid) { return (gicd_read(GICD_ISPENDR + bit_reg(intid)) & bit_mask(intid)) != 0; }
int gic_is_active(unsigned intid) { return (gicd_read(GICD_ISACTIVER + bit_reg(intid)) & bit_mask(intid)) != 0; }

static void set_byte_field(uint32_t base, unsigned intid, uint8_t value) {
  uint32_t off = base + (intid & ~3u);
  uint32_t shift = (intid & 3u) * 8;
  uint32_t v = gicd_read(off);
  v = (v & ~(0xffu << shift)) | ((uint32_t)value << shift);
  gicd_write(off, v);
}

void gic_set_priority(unsigned intid, uint8_t priority) { set_byte_field(GICD_IPRIORITYR, intid, priority); }
void gic_set_target(unsigned intid, uint8_t cpu_mask) { set_byte_field(GICD_ITARGETSR, intid, cpu_mask); }

void gic_set_edge(unsigned intid, int edge) {
  uint32_t off = GICD_ICFGR + (intid / 16) * 4;
  uint32_t bit = 2u << ((intid % 16) * 2);
  uint32_t v = gicd_read(off);
  gicd_write(off, edge ? (v | bit) : (v & ~bit));
}

uint32_t gic_ack(void) { return gicc_read(GICC_IAR); }
void gic_eoi(uint32_t iar) { gicc_write(GICC_EOIR, iar); }

void gic_send_sgi(unsigned intid, uint8_t cpu_mask) {
  dsb();
  gicd_write(GICD_SGIR, (SGI_TO_LIST << 24) | ((uint32_t)cpu_mask << 16) | (intid & 0xf));
}

void gic_send_sgi_filter(unsigned intid, unsigned filter) {
  dsb();
  gicd_write(GICD_SGIR, (filter << 24) | (intid & 0xf));
}
