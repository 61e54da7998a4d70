// The virt board's virtio devices: which device sits in which virtio-mmio slot, each behind its own
// transport, with its interrupt line to the vgic. Disks take the first slots in --drive order (so
// the first is /dev/vda: Linux probes the device tree's nodes in address order), then the NICs in
// --net order (eth0, eth1...), then the entropy device, then the console, then the shared folders
// in --share order. Only occupied slots get a device-tree node.

import type { IrqLine } from "../devices/device.js";
import type { BlockBackend } from "../devices/virtio/block-backend.js";
import { VirtioBlk } from "../devices/virtio/blk.js";
import { VirtioConsole } from "../devices/virtio/console.js";
import type { VirtioDevice } from "../devices/virtio/device.js";
import type { GuestMemory } from "../devices/virtio/guest-memory.js";
import { VirtioRng, type EntropySource } from "../devices/virtio/rng.js";
import type { FsBackend } from "../devices/virtio/9p/backend.js";
import { VirtioP9 } from "../devices/virtio/9p/virtio-9p.js";
import { VirtioMmio } from "../devices/virtio/transport.js";
import { VirtioNet } from "../devices/virtio/net.js";
import { VIRTIO_IRQ_WORDS, VirtioInterruptStatus } from "../devices/virtio/interrupt-status.js";
import type { NetBackend } from "../devices/net/backend.js";
import { VIRT_BOARD, VIRT_VIRTIO_SLOTS, type BoardEntry } from "./virt.js";

export interface VirtDisk {
  backend: BlockBackend;
  /** What the device answers to GET_ID. */
  serial: string;
}

export interface VirtNic {
  backend: NetBackend;
  /** Six bytes. */
  mac: Uint8Array;
}

export interface VirtShare {
  backend: FsBackend;
  /** The mount tag the guest names (`mount -t 9p TAG DIR`). */
  tag: string;
}

export interface VirtioConfig {
  disks?: readonly VirtDisk[];
  nics?: readonly VirtNic[];
  /** Feeds a virtio-rng device; null or absent: none. */
  entropy?: EntropySource | null;
  /** Bytes the guest writes to /dev/hvc0; absent: no virtio-console. */
  consoleOutput?: (bytes: Uint8Array) => void;
  /** virtio-9p shared folders. */
  shares?: readonly VirtShare[];
}

export interface VirtioSet {
  /** Transports by slot number (undefined: an empty slot). */
  readonly transports: (VirtioMmio | undefined)[];
  /** Occupied slots, in order. */
  readonly slots: number[];
  readonly console: VirtioConsole | null;
}

/** The board entries of the virtio-mmio slots, by slot number. */
export const VIRT_VIRTIO_ENTRIES: readonly BoardEntry[] = VIRT_BOARD.filter((e) => e.kind === "virtio-mmio");

/** The devices `config` asks for, in slot order. */
export function virtioDevices(config: VirtioConfig): { devices: VirtioDevice[]; console: VirtioConsole | null } {
  const devices: VirtioDevice[] = [];
  (config.disks ?? []).forEach((d, i) => {
    devices.push(new VirtioBlk(d.backend, { name: `vd${String.fromCharCode(97 + i)}`, serial: d.serial }));
  });
  (config.nics ?? []).forEach((n, i) => devices.push(new VirtioNet(n.backend, n.mac, `virtio-net ${i}`)));
  if (config.entropy) devices.push(new VirtioRng(config.entropy));
  const console = config.consoleOutput !== undefined ? new VirtioConsole(config.consoleOutput) : null;
  if (console !== null) devices.push(console);
  for (const share of config.shares ?? []) devices.push(new VirtioP9(share.backend, share.tag));
  if (devices.length > VIRT_VIRTIO_SLOTS) {
    throw new RangeError(`${devices.length} virtio devices do not fit the board's ${VIRT_VIRTIO_SLOTS} slots`);
  }
  return { devices, console };
}

/** Puts each device behind a transport in its slot. `line(slot)` is the slot's interrupt line. */
export function buildVirtio(
  config: VirtioConfig,
  memory: GuestMemory,
  line: (entry: BoardEntry) => IrqLine,
  log: (message: string) => void,
  /** The words of each transport's InterruptStatus, asked for in slot order (shared with vcpu threads). */
  irqWords: () => Int32Array = () => new Int32Array(VIRTIO_IRQ_WORDS),
): VirtioSet {
  const { devices, console } = virtioDevices(config);
  const transports: (VirtioMmio | undefined)[] = [];
  const slots: number[] = [];
  devices.forEach((device, slot) => {
    const status = new VirtioInterruptStatus(irqWords());
    transports[slot] = new VirtioMmio(device, memory, line(VIRT_VIRTIO_ENTRIES[slot]), log, status);
    slots.push(slot);
  });
  return { transports, slots, console };
}

/** The occupied slots `config` gives, without building anything (for the device tree). */
export function virtioSlotsOf(config: VirtioConfig): number[] {
  const count =
    (config.disks?.length ?? 0) +
    (config.nics?.length ?? 0) +
    (config.entropy ? 1 : 0) +
    (config.consoleOutput !== undefined ? 1 : 0) +
    (config.shares?.length ?? 0);
  return Array.from({ length: Math.min(count, VIRT_VIRTIO_SLOTS) }, (_v, slot) => slot);
}
