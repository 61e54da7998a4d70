// Counters kept by the vgic, and their printout (armvmm --stats). Numbers in shared memory, updated
// in place.

import { COUNTER_HZ } from "../../host/time.js";
import { SharedArrays } from "../../host/shared-arrays.js";

/** Maintenance interrupt kinds, in GICH_MISR bit order. */
export const MAINTENANCE_KINDS = ["EOI", "U", "LRENP", "NP", "VGrp0E", "VGrp0D", "VGrp1E", "VGrp1D"] as const;

export class VgicStats {
  /** Injections (line rising edges, SGIs, GICD_ISPENDR writes) per INTID. */
  readonly injections: Float64Array;
  /** Per kind (MAINTENANCE_KINDS order): how often that condition was part of a maintenance interrupt. */
  readonly maintenanceByKind: Float64Array;
  /** The counters below, in shared memory: every vcpu thread counts into the same ones (under the
   * vgic lock). */
  private readonly c: Float64Array;

  constructor(intids: number, mem = new SharedArrays()) {
    this.injections = mem.f64(intids);
    this.maintenanceByKind = mem.f64(MAINTENANCE_KINDS.length);
    this.c = mem.f64(6);
  }

  /** Interrupts written into a list register as newly pending. */
  get lrFills(): number {
    return this.c[0];
  }
  set lrFills(v: number) {
    this.c[0] = v;
  }
  /** Acknowledges seen at sync (an LR went from pending to active or invalid). */
  get acknowledges(): number {
    return this.c[1];
  }
  set acknowledges(v: number) {
    this.c[1] = v;
  }
  /** Deactivations seen at sync (through an LR, or counted in EOICount). */
  get eois(): number {
    return this.c[2];
  }
  set eois(v: number) {
    this.c[2] = v;
  }
  /** Syncs that found the maintenance interrupt condition raised. */
  get maintenanceInterrupts(): number {
    return this.c[3];
  }
  set maintenanceInterrupts(v: number) {
    this.c[3] = v;
  }
  /** Flushes that could not fit every deliverable interrupt in the list registers. */
  get overflows(): number {
    return this.c[4];
  }
  set overflows(v: number) {
    this.c[4] = v;
  }
  /** The most interrupts ever waiting for one vcpu at a flush (pending or active). */
  get deepestQueue(): number {
    return this.c[5];
  }
  set deepestQueue(v: number) {
    this.c[5] = v;
  }

  get underflows(): number {
    return this.maintenanceByKind[1];
  }

  format(): string {
    const lines: string[] = [];
    lines.push(`vgic: ${this.lrFills} LR fills, ${this.acknowledges} acknowledges, ${this.eois} EOIs`);
    const kinds: string[] = [];
    for (let k = 0; k < MAINTENANCE_KINDS.length; k++) {
      if (this.maintenanceByKind[k] !== 0) kinds.push(`${MAINTENANCE_KINDS[k]} ${this.maintenanceByKind[k]}`);
    }
    lines.push(
      `vgic: ${this.maintenanceInterrupts} maintenance interrupts` + (kinds.length > 0 ? ` (${kinds.join(", ")})` : ""),
    );
    lines.push(`vgic: ${this.overflows} LR overflows, deepest queue ${this.deepestQueue}`);
    const inj: string[] = [];
    for (let id = 0; id < this.injections.length; id++) {
      if (this.injections[id] !== 0) inj.push(`${id}: ${this.injections[id]}`);
    }
    lines.push(`vgic: injections by INTID: ${inj.length > 0 ? inj.join(", ") : "none"}`);
    return lines.join("\n");
  }
}

/** Guest time in microseconds, for trace lines. */
export function formatMicros(ticks: number): string {
  return ((ticks * 1e6) / COUNTER_HZ).toFixed(3);
}
