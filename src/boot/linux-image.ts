// An uncompressed ARM Linux Image (arch/arm/boot/Image) has no header. It is recognised by the
// kernel banner that every Linux kernel carries in its data ("Linux version ..."), which a zImage
// only holds compressed. It must run at a 16 MiB-aligned base + TEXT_OFFSET (0x8000): the kernel
// derives PHYS_OFFSET from where it runs (ARM_PATCH_PHYS_VIRT).

export const LINUX_TEXT_OFFSET = 0x8000;

const BANNER = new TextEncoder().encode("Linux version ");

export function isLinuxImage(bytes: Uint8Array): boolean {
  const first = BANNER[0];
  for (
    let at = bytes.indexOf(first);
    at >= 0 && at + BANNER.length <= bytes.length;
    at = bytes.indexOf(first, at + 1)
  ) {
    let k = 1;
    while (k < BANNER.length && bytes[at + k] === BANNER[k]) k++;
    if (k === BANNER.length) return true;
  }
  return false;
}
