// The virt machine's snapshot: every part of the machine as one named, versioned section, taken
// with every vcpu between slices and every device between requests (devices are synchronous, so
// nothing is in flight): between scheduler rounds on one thread; with vcpu threads, while the VM
// is held and each vcpu thread sends its own section (VirtMachine.captureSnapshot).
//
//   ram          the memory regions, sparse: only pages holding a non-zero byte are stored
//   clock        the clock's base (icount: the idle jumps; host: the count, so time resumes where
//                it was), the deadline queue's order, the scheduler's position, CNTVOFF, the SEV count
//   vcpu/N       a vcpu: power state, host PPIs, the core (cpu-snapshot.ts), its generic timer, its
//                GIC virtual CPU interface (HCR, VMCR, APR, LRs) and its vtimer (saved CNTV, host
//                timer, emulated CNTP)
//   vgic         the distributor and per-interrupt state, LR bookkeeping and overflow queues (the
//                vgic's shared arrays, as they are)
//   pl011, pl031 the UART (FIFO, registers, host input not taken yet) and the RTC
//   virtio/N     the transport in slot N, its queues and its device
//
// A component joins by adding a section (`add`), with a version of its own; restore refuses a
// section whose version it does not know and a machine whose sections do not match.

import type { Section } from "../snapshot/snapshot-format.js";
import { SnapshotError } from "../snapshot/snapshot-error.js";
import { StateReader, StateWriter, type Snapshotable } from "../snapshot/state-stream.js";
import type { GicVirtualInterface } from "../gic/virtual-interface.js";
import type { GenericTimer } from "../timer/generic-timer.js";
import type { Vcpu } from "../vmm/vcpu.js";
import type { Vpmu } from "../vmm/vpmu.js";
import type { Vtimer } from "../vmm/vtimer.js";

/** Layout version of the vcpu/N sections. */
export const VCPU_SECTION_VERSION = 2;

/** What a vcpu/N section holds: one physical CPU's state and the hypervisor's state for its vcpu. */
export interface VcpuParts {
  vcpu: Vcpu;
  timer: GenericTimer;
  gic: GicVirtualInterface;
  vtimer: Vtimer;
  pmu: Vpmu;
}

/** A vcpu's section, the same bytes whether the vcpu runs on the machine's thread or its own. */
export function vcpuSection(p: VcpuParts): Snapshotable {
  return {
    save(w) {
      p.vcpu.save(w);
      p.timer.save(w);
      p.gic.save(w);
      p.vtimer.save(w);
      p.pmu.save(w);
    },
    restore(r) {
      p.vcpu.restore(r);
      p.timer.restore(r);
      p.gic.restore(r);
      p.vtimer.restore(r);
      p.pmu.restore(r);
    },
  };
}

/** A section's bytes, whole (a vcpu thread sends its own to the I/O thread). */
export function sectionBytes(part: Snapshotable): Uint8Array {
  const w = new StateWriter();
  part.save(w);
  const parts = w.finish();
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Restores a section from its bytes, which it must use up exactly. */
export function restoreSection(part: Snapshotable, bytes: Uint8Array, name: string): void {
  const r = new StateReader(bytes, name);
  part.restore(r);
  if (r.remaining !== 0) throw new SnapshotError(`section '${name}' is longer than its contents`);
}

/** A section kept elsewhere (a vcpu thread's): saved from the bytes `get` gives, restored into
 * the bytes `put` keeps, for the thread to restore itself. */
export function bytesSection(get: () => Uint8Array, put: (bytes: Uint8Array) => void): Snapshotable {
  return {
    save(w) {
      w.raw(get());
    },
    restore(r) {
      put(r.raw(r.remaining).slice());
    },
  };
}

const PAGE = 4096;
const NO_MORE_PAGES = 0xffffffff;

interface Entry {
  version: number;
  part: Snapshotable;
}

export class MachineSnapshot {
  private readonly entries = new Map<string, Entry>();

  /** Adds a component's section (`name` unique; bump `version` when its layout changes). */
  add(name: string, version: number, part: Snapshotable): void {
    if (this.entries.has(name)) throw new Error(`snapshot section ${name} added twice`);
    this.entries.set(name, { version, part });
  }

  save(): Section[] {
    const out: Section[] = [];
    for (const [name, { version, part }] of this.entries) {
      const w = new StateWriter();
      part.save(w);
      out.push({ name, version, data: w.finish() });
    }
    return out;
  }

  /** Restores every section this machine has; all must be there, in a version it reads. */
  restore(sections: ReadonlyMap<string, { version: number; data: Uint8Array }>): void {
    for (const [name, { version, part }] of this.entries) {
      const s = sections.get(name);
      if (s === undefined) throw new SnapshotError(`the snapshot has no '${name}' section: another machine`);
      if (s.version !== version) {
        throw new SnapshotError(`section '${name}' is version ${s.version}; this armvmm reads version ${version}`);
      }
      const r = new StateReader(s.data, name);
      part.restore(r);
      if (r.remaining !== 0) throw new SnapshotError(`section '${name}' is longer than its contents`);
    }
  }
}

/** Guest memory, sparse: the region layout, then each page that is not all zeros. Only pages
 * marked in `dirtyPages` are looked at (the others were never written). */
export function ramSection(
  memory: Uint8Array,
  regions: readonly { base: number; size: number; offset: number }[],
  dirtyPages: Uint8Array,
): Snapshotable {
  const words = new Int32Array(memory.buffer, memory.byteOffset, memory.byteLength >>> 2);
  return {
    save(w) {
      w.u32(regions.length);
      for (const r of regions) {
        w.f64(r.base);
        w.f64(r.size);
      }
      const pages = Math.ceil(memory.length / PAGE);
      for (let p = 0; p < pages; p++) {
        // A page never written is all zeros: not even read (a first read faults it in).
        if (dirtyPages[p] === 0) continue;
        const start = (p * PAGE) >>> 2;
        const end = Math.min(words.length, start + (PAGE >>> 2));
        let k = start;
        while (k < end && words[k] === 0) k++;
        if (k === end) continue;
        w.u32(p);
        w.raw(memory.subarray(p * PAGE, Math.min(memory.length, (p + 1) * PAGE)));
      }
      w.u32(NO_MORE_PAGES);
    },
    restore(r) {
      if (r.u32() !== regions.length) throw new SnapshotError("the snapshot's memory map differs from this machine's");
      for (const region of regions) {
        if (r.f64() !== region.base || r.f64() !== region.size) {
          throw new SnapshotError("the snapshot's memory map differs from this machine's");
        }
      }
      for (;;) {
        const p = r.u32();
        if (p === NO_MORE_PAGES) break;
        const at = p * PAGE;
        if (at >= memory.length) throw new SnapshotError("the snapshot holds a page outside guest memory");
        memory.set(r.raw(Math.min(PAGE, memory.length - at)), at);
        dirtyPages[p] = 1;
      }
    },
  };
}

/** Shared arrays saved as they are (the vgic's state lives in them). */
export function arraysSection(buffers: readonly SharedArrayBuffer[]): Snapshotable {
  return {
    save(w) {
      w.u32(buffers.length);
      for (const b of buffers) w.bytes(new Uint8Array(b));
    },
    restore(r) {
      if (r.u32() !== buffers.length) throw new SnapshotError("the snapshot's vgic has another layout");
      for (const b of buffers) r.array(new Uint8Array(b));
    },
  };
}
