// Messages between the page and the worker that runs the machine's I/O thread.

import type { MachineBuffers } from "../board/virt-machine.js";

/** A virtio disk: a file the user picked, or an image on a server that takes range requests. Both
 * are read-only under a copy-on-write layer in memory. */
export type DiskSource = { name: string; file: Blob } | { name: string; url: string };

export interface GuestFiles {
  /** What the page calls it (a bare-metal guest's name, or "Linux"). */
  name: string;
  kernel: Uint8Array | null;
  initrd: Uint8Array | null;
  bios: Uint8Array | null;
  bootargs?: string;
  disks?: DiskSource[];
}

export interface StartRequest {
  k: "start";
  guest: GuestFiles;
  vcpus: number;
  clock: "host" | "icount";
  ramMb: number;
}

export type ToIo =
  StartRequest | { k: "input"; bytes: Uint8Array } | { k: "pause"; on: boolean } | { k: "power-off" } | { k: "stats" };

export interface VcpuExits {
  vcpu: number;
  exits: [string, number][];
}

export type FromIo =
  | { k: "started"; buffers: MachineBuffers; threaded: boolean }
  | { k: "output"; bytes: Uint8Array }
  | { k: "log"; message: string }
  | { k: "stats"; exits: VcpuExits[]; vtimer: VcpuExits[]; instructions: number; guestSeconds: number }
  /** The machine ended: powered off, reset by the guest, stopped, or failed (`error`). */
  | { k: "ended"; how: "power-off" | "reset" | "stopped"; error?: string };
