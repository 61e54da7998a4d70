// Counters kept by the vgic, and their printout (armvmm --stats). Plain numbers, updated in place.

import { COUNTER_HZ } from "../../host/time.js";

/** Maintenance interrupt kinds, in GICH_MISR bit order. */
export const MAINTENANCE_KINDS = ["EOI", "U", "LRENP", "NP", "VGrp0E", "VGrp0D", "VGrp1E", "VGrp1D"] as const;

export class VgicStats {
  /** Injections (line rising edges, SGIs, GICD_ISPENDR writes) per INTID. */
  readonly injections: Float64Array;
  /** Interrupts written into a list register as newly pending. */
  lrFills = 0;
  /** Acknowledges seen at sync (an LR went from pending to active or invalid). */
  acknowledges = 0;
  /** Deactivations seen at sync (through an LR, or counted in EOICount). */
  eois = 0;
  /** Syncs that found the maintenance interrupt condition raised. */
  maintenanceInterrupts = 0;
  /** Per kind (MAINTENANCE_KINDS order): how often that condition was part of a maintenance interrupt. */
  readonly maintenanceByKind = new Float64Array(MAINTENANCE_KINDS.length);
  /** Flushes that could not fit every deliverable interrupt in the list registers. */
  overflows = 0;
  /** The most interrupts ever waiting for one vcpu at a flush (pending or active). */
  deepestQueue = 0;

  constructor(intids: number) {
    this.injections = new Float64Array(intids);
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
