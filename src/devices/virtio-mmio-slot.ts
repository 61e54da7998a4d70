// An empty virtio-mmio transport slot (Virtio 1.1 4.2.2, "MMIO Device Register Layout"): the board
// has 32 of them like QEMU's virt machine, and a slot with no backend identifies itself as a virtio
// device with DeviceID 0, which the Linux virtio-mmio driver reads as "no device" and skips. Every
// other register reads as zero and ignores writes.

import type { MmioDevice } from "./device.js";
import { readLanes, registerOf } from "./register-access.js";

export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
export const VIRTIO_MMIO_VERSION = 0x004;
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;

/** "virt" in little-endian ASCII. */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** The non-legacy (virtio 1.0+) register layout. */
export const VIRTIO_MMIO_VERSION_MODERN = 2;
/** "QEMU" in little-endian ASCII, the vendor QEMU reports; guests don't check it. */
export const VIRTIO_VENDOR_QEMU = 0x554d4551;
/** DeviceID 0: reserved, meaning no device behind the transport. */
export const VIRTIO_ID_NONE = 0;

/** Size of one transport window. */
export const VIRTIO_MMIO_SLOT_SIZE = 0x200;

export class VirtioMmioEmptySlot implements MmioDevice {
  read(offset: number, size: number, _cpu: number): number {
    return readLanes(this.readRegister(registerOf(offset)), offset, size);
  }

  write(_offset: number, _size: number, _value: number, _cpu: number): void {
    // Nothing is writable without a device.
  }

  private readRegister(reg: number): number {
    switch (reg) {
      case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_VERSION_MODERN;
      case VIRTIO_MMIO_DEVICE_ID:
        return VIRTIO_ID_NONE;
      case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_VENDOR_QEMU;
      default:
        return 0;
    }
  }
}
