// An empty virtio-mmio transport slot (Virtio 1.1 4.2.2): a slot with no backend identifies itself
// as a virtio device with DeviceID 0, which drivers read as "no device" and skip. Every other
// register reads as zero and ignores writes.

import type { MmioDevice } from "./device.js";
import { readLanes, registerOf } from "./register-access.js";
import {
  VIRTIO_ID_NONE,
  VIRTIO_MMIO_DEVICE_ID,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_MAGIC_VALUE,
  VIRTIO_MMIO_VENDOR_ID,
  VIRTIO_MMIO_VERSION,
  VIRTIO_MMIO_VERSION_MODERN,
  VIRTIO_VENDOR_QEMU,
} from "./virtio/mmio-regs.js";

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
