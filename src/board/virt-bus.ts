// Puts the virt board's trapped devices on the MMIO bus, at the addresses of the board table. Flash
// and RAM are stage-2 memory, and the GIC CPU interface is a hardware window the guest reaches
// without a trap (stage2.ts), so none of them is on the bus.

import type { MmioDevice } from "../devices/device.js";
import { VirtioMmioEmptySlot } from "../devices/virtio-mmio-slot.js";
import type { MmioBus } from "../vmm/mmio-bus.js";
import { VIRT_BOARD, VIRT_VIRTIO_SLOTS, type BoardEntry } from "./virt.js";

export interface VirtBusDevices {
  gicDistributor: MmioDevice;
  uart: MmioDevice;
  rtc: MmioDevice;
  /** Backends by slot number; an absent slot gets an empty virtio-mmio transport. */
  virtio?: readonly (MmioDevice | undefined)[];
}

/** Which board entries live on the MMIO bus. */
export function isBusEntry(entry: BoardEntry): boolean {
  return (
    entry.kind === "gic-distributor" || entry.kind === "pl011" || entry.kind === "pl031" || entry.kind === "virtio-mmio"
  );
}

/** Registers every bus device of the board. Throws MmioBusError if the bus already holds an overlapping window. */
export function mapVirtDevices(bus: MmioBus, devices: VirtBusDevices): void {
  const virtio = devices.virtio ?? [];
  if (virtio.length > VIRT_VIRTIO_SLOTS) throw new Error(`at most ${VIRT_VIRTIO_SLOTS} virtio-mmio devices`);
  let slot = 0;
  for (const entry of VIRT_BOARD) {
    let device: MmioDevice;
    switch (entry.kind) {
      case "gic-distributor":
        device = devices.gicDistributor;
        break;
      case "pl011":
        device = devices.uart;
        break;
      case "pl031":
        device = devices.rtc;
        break;
      case "virtio-mmio":
        device = virtio[slot++] ?? new VirtioMmioEmptySlot();
        break;
      default:
        continue;
    }
    bus.register(entry.name, entry.base, entry.size, device);
  }
}
