// What a vcpu thread and the I/O thread say to each other by message (everything the other side
// needs at once goes through shared memory instead: kicks, vgic state, MMIO read answers). Written
// for any message port: Node's worker_threads here, Web Workers in a browser.

/** Everything a vcpu thread needs to build its part of the machine. */
export interface VcpuThreadInit {
  vcpu: number;
  vcpus: number;
  /** Guest RAM and flash, and the RAM regions in it. */
  memory: SharedArrayBuffer;
  /** `romd`: the flash bank whose read-array word gates the region (-1: plain memory). */
  regions: { base: number; size: number; offset: number; writable: boolean; romd: number }[];
  /** The flash banks' read-array words (board/virt-flash.ts), when the board has flash. */
  flashGates: SharedArrayBuffer | null;
  /** Buffers of each physical CPU's GIC virtual interface, of the vgic, of the VM's control words. */
  gic: SharedArrayBuffer[][];
  vgic: SharedArrayBuffer[];
  control: SharedArrayBuffer[];
  /** The VM's CNTVOFF (the host clock itself is shared through the control words). */
  cntvoff: number;
  /** Visits before a block is translated, or null for the interpreter alone. */
  jitThreshold: number | null;
  /** Trace kinds (vgic, vtimer, psci, mmio). */
  trace: string[];
  /** Where the boot vcpu starts (entry with bit 0 = Thumb, r0..r2), or null for secondaries. */
  boot: { entry: number; r0: number; r1: number; r2: number } | null;
  /** Virtio-mmio slots that hold a device (served by the I/O thread). */
  virtioSlots: number[];
  /** Their InterruptStatus words (VirtioInterruptStatus), in slot order. */
  virtioIrq: SharedArrayBuffer[];
  /** The machine's map of pages ever written (CodeCache.dirtyPages), shared. */
  dirtyPages: SharedArrayBuffer;
  /** The vcpu's snapshot section to start from (a restored machine), or null. */
  restore: Uint8Array | null;
}

/** Statistics a vcpu thread reports (at the end, and when asked). */
export interface VcpuThreadStats {
  vcpu: number;
  exits: [string, number][];
  instructions: number;
  vtimer: [string, number][];
  jit: string;
  /** Host milliseconds spent running guest code. */
  busyMs: number;
}

export type FromVcpu =
  | { k: "read"; vcpu: number; ipa: number; size: number }
  | { k: "write"; vcpu: number; ipa: number; size: number; value: number }
  | { k: "warn"; key: string; message: string }
  /** A trace line, stamped `t` (the time its text shows). */
  | { k: "trace"; vcpu: number; t: number; line: string }
  | { k: "stats"; stats: VcpuThreadStats; final: boolean }
  | { k: "fatal"; message: string }
  /** The thread is built and about to run its vcpu. */
  | { k: "ready"; vcpu: number }
  /** The vcpu's snapshot section, asked for with MAINT_SAVE while the VM is held. */
  | { k: "saved"; vcpu: number; data: Uint8Array }
  /** What time is it on the I/O thread? (clock-sync.ts) */
  | { k: "clock"; vcpu: number };

/** The sending half of a port, as a vcpu thread uses it. */
export interface MessageSink {
  post(message: FromVcpu): void;
}
