/* Tells QEMU's virt machine from armvmm by the device tree each gives the guest:
 *   - QEMU's has a fw-cfg node ("fw-cfg@9020000", QEMU's firmware configuration device), which
 *     armvmm does not model;
 *   - armvmm always passes a device tree in r2 (for an ELF too), while QEMU 7.2 enters a bare-metal
 *     ELF with r2 = 0 and no device tree at the start of RAM either (as observed with this image at
 *     0x40010000): no device tree at all means QEMU.
 * The flattened device tree format: a big-endian header, then a structure block of tokens
 * (BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP, END), each 4-byte aligned. */
#include "guest.h"
#include "platform.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define FDT_MAX_SIZE 0x100000u

int on_qemu;

/* Byte reads: the MMU is off (Device memory), so nothing here may be unaligned. */
static uint32_t be32(uint32_t addr) {
  const volatile uint8_t *p = (const volatile uint8_t *)addr;
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int starts_with(uint32_t addr, const char *prefix) {
  const volatile char *s = (const volatile char *)addr;
  while (*prefix)
    if (*s++ != *prefix++) return 0;
  return 1;
}

static uint32_t align4(uint32_t n) { return (n + 3) & ~3u; }

int detect_qemu(uint32_t dtb) {
  if (dtb == 0) dtb = RAM_BASE; /* where armvmm and QEMU put one below the image, if they do */
  if (be32(dtb) != FDT_MAGIC) return 1;
  uint32_t total = be32(dtb + 4);
  if (total > FDT_MAX_SIZE) return 0;
  uint32_t p = dtb + be32(dtb + 8);
  uint32_t end = dtb + total;
  while (p + 4 <= end) {
    uint32_t token = be32(p);
    p += 4;
    switch (token) {
      case FDT_BEGIN_NODE: {
        if (starts_with(p, "fw-cfg@")) return 1;
        uint32_t n = 0;
        while (p + n < end && *(const volatile char *)(p + n)) n++;
        p += align4(n + 1);
        break;
      }
      case FDT_PROP:
        p += 8 + align4(be32(p));
        break;
      case FDT_END_NODE:
      case FDT_NOP:
        break;
      default: /* FDT_END or something unreadable */
        return 0;
    }
  }
  return 0;
}
