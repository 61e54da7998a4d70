// Moving interrupts between the vgic's state and a vcpu's list registers, through the GICH frame
// as a real hypervisor does.
//
// flush (before entry): every interrupt on the vcpu's queue that is active, or pending and
// forwardable, is a candidate (an SGI once per source CPU). If they do not all fit, pending ones go
// first, then by priority; what is left stays queued and the interface is asked for a maintenance
// interrupt when LRs free up (UIE, NPIE) or when the guest completes an active interrupt that had
// no LR (LRENPIE). Written LRs take the pending state out of the vgic (edge latch, SGI source).
//
// fold (sync after exit): every LR written at flush is read back (empty ones, per ELRSR, are known
// without reading) and its state returned to the vgic: active from the LR, edge pending re-latched
// if still pending, level pending re-derived from the line once the guest has taken it (the LR's
// EOI bit makes its deactivation raise a maintenance interrupt, the resample point). EOIs counted
// in GICH_HCR.EOICount deactivate the active interrupts that had no LR. Then all LRs are cleared
// and HCR is reset to just En, which clears every maintenance condition.

import {
  GICH_ELRSR0,
  GICH_ELRSR1,
  GICH_EISR0,
  GICH_EISR1,
  GICH_HCR,
  GICH_HCR_EN,
  GICH_HCR_EOICOUNT_SHIFT,
  GICH_HCR_LRENPIE,
  GICH_HCR_NPIE,
  GICH_HCR_UIE,
  GICH_LR0,
  GICH_LR_STATE_MASK,
  GICH_MISR,
  GICH_VMCR,
  GICH_VMCR_VMPRIMASK_SHIFT,
  GICH_VTR,
  LR_STATE_ACTIVE,
  LR_STATE_PENDING,
  PRIVATE_COUNT,
  SGI_COUNT,
} from "../../gic/registers.js";
import { lrCpuId, lrPriority, lrState, lrVirtualId, makeLr } from "../../gic/list-register.js";
import type { RegisterWindow } from "../../gic/virtual-interface.js";
import type { IrqState } from "./irq-state.js";
import type { SharedArrays } from "../../host/shared-arrays.js";
import { MAINTENANCE_KINDS, type VgicStats } from "./stats.js";

/** What the LR code needs from the vgic. */
export interface LrContext {
  readonly state: IrqState;
  readonly stats: VgicStats;
  /** May the distributor forward this pending interrupt (enabled, its group enabled in GICD_CTLR)? */
  canForward(idx: number): boolean;
  /** Wakes or stops a vcpu that now has an interrupt to take. */
  kick(vcpu: number): void;
  /** Trace sink, or null when tracing is off. */
  readonly trace: ((vcpu: number, text: string) => void) | null;
  /** Told of each interrupt newly written into one of `vcpu`'s LRs (a live view's probe), or null. */
  readonly onFill: ((vcpu: number, intid: number) => void) | null;
}

export class ListRegisters {
  /** LRs used per vcpu (implemented LRs, capped by the vgic's `lrs` option). */
  readonly count: Int32Array;
  private readonly gich: readonly RegisterWindow[];
  private readonly ctx: LrContext;
  /** LRs written at the last flush, and the values written. */
  private readonly used: Int32Array;
  private readonly shadow: Uint32Array[];
  /** Active interrupts left without an LR at the last flush (INTID | source << 10), highest priority first. */
  private readonly outside: Int32Array[];
  private readonly outsideCount: Int32Array;
  /** Pending instances already placed in an LR once and returned unacknowledged (not counted as new
   * fills again): a flag per interrupt, a source bitmap per SGI. */
  readonly listed: Uint8Array;

  // Flush scratch (no allocation per flush).
  private readonly candId: Int32Array;
  private readonly candState: Uint8Array;
  private readonly candKey: Int32Array;

  constructor(ctx: LrContext, gich: readonly RegisterWindow[], maxLrs: number, mem: SharedArrays) {
    const st = ctx.state;
    this.ctx = ctx;
    this.gich = gich;
    const n = st.vcpus;
    this.count = mem.i32(n);
    this.used = mem.i32(n);
    this.shadow = [];
    this.outside = [];
    this.outsideCount = mem.i32(n);
    const maxCandidates = st.intids + SGI_COUNT * 8;
    for (let v = 0; v < n; v++) {
      const implemented = (gich[v].read(GICH_VTR) & 0x3f) + 1;
      this.shadow.push(mem.u32(implemented));
      this.outside.push(mem.i32(maxCandidates));
      if (!mem.fresh) continue;
      this.count[v] = Math.min(implemented, maxLrs);
      gich[v].write(GICH_HCR, GICH_HCR_EN);
    }
    this.listed = mem.u8(st.size);
    this.candId = new Int32Array(maxCandidates);
    this.candState = new Uint8Array(maxCandidates);
    this.candKey = new Int32Array(maxCandidates);
  }

  /** The guest's GICV_PMR, from GICH_VMCR. */
  priorityMask(vcpu: number): number {
    return (this.gich[vcpu].read(GICH_VMCR) >>> GICH_VMCR_VMPRIMASK_SHIFT) << 3;
  }

  /** Is a pending interrupt loaded in one of the vcpu's LRs with a priority under the mask? */
  lrHasDeliverable(vcpu: number): boolean {
    const used = this.used[vcpu];
    if (used === 0) return false;
    const gich = this.gich[vcpu];
    const pmr = this.priorityMask(vcpu);
    for (let i = 0; i < used; i++) {
      const lr = gich.read(GICH_LR0 + 4 * i);
      if (lrState(lr) === LR_STATE_PENDING && lrPriority(lr) < pmr) return true;
    }
    return false;
  }

  // ---- flush ----

  flush(vcpu: number): void {
    this.fold(vcpu);
    const ctx = this.ctx;
    const st = ctx.state;
    const q = st.queue[vcpu];
    let count = 0;
    for (let w = 0; w < q.length; w++) {
      let bits = q[w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const intid = (w << 5) | b;
        const idx = st.index(vcpu, intid);
        const forward = ctx.canForward(idx);
        if (intid < SGI_COUNT) {
          const pend = forward ? st.sgiPending[idx] : 0;
          const act = st.sgiActive[idx];
          let sources = (pend | act) & 0xff;
          while (sources !== 0) {
            const src = 31 - Math.clz32(sources & -sources);
            sources &= sources - 1;
            const s = ((pend >>> src) & 1) | (((act >>> src) & 1) << 1);
            count = this.addCandidate(count, intid | (src << 10), s, st.priority[idx]);
          }
        } else {
          const active = st.active[idx] !== 0;
          // A level interrupt is never pending and active in an LR: its pending state comes back
          // from the line at the EOI maintenance interrupt. Neither is an SPI active here but
          // now targeting another vcpu: it moves there once deactivated.
          const pending =
            forward &&
            st.isPending(idx) &&
            !(active && st.edge[idx] === 0) &&
            (intid < PRIVATE_COUNT || st.spiTarget(idx) === vcpu);
          if (!active && !pending) continue;
          count = this.addCandidate(count, intid, (pending ? 1 : 0) | (active ? 2 : 0), st.priority[idx]);
        }
      }
    }
    if (count > ctx.stats.deepestQueue) ctx.stats.deepestQueue = count;
    const n = this.count[vcpu];
    if (count > n) {
      this.sortCandidates(count);
      ctx.stats.overflows++;
    }
    const fill = Math.min(count, n);
    const gich = this.gich[vcpu];
    const shadow = this.shadow[vcpu];
    for (let i = 0; i < fill; i++) {
      const lr = this.load(vcpu, this.candId[i], this.candState[i]);
      gich.write(GICH_LR0 + 4 * i, lr);
      shadow[i] = lr;
    }
    this.used[vcpu] = fill;
    // What did not fit.
    let pendingOut = 0;
    let activeOut = 0;
    const outside = this.outside[vcpu];
    for (let i = fill; i < count; i++) {
      const s = this.candState[i];
      if (s === LR_STATE_PENDING) pendingOut++;
      if ((s & LR_STATE_ACTIVE) !== 0) outside[activeOut++] = this.candId[i];
    }
    this.outsideCount[vcpu] = activeOut;
    let hcr = GICH_HCR_EN;
    // Sorted pending-first, so pending left over means every LR holds a pending interrupt: U (at
    // most one valid LR) and NP (no pending LR) are both false now and become true only as the
    // guest takes them. With a single LR, U would hold at once, so rely on NP alone.
    if (pendingOut > 0) hcr |= GICH_HCR_NPIE | (n >= 2 ? GICH_HCR_UIE : 0);
    if (activeOut > 0) hcr |= GICH_HCR_LRENPIE;
    gich.write(GICH_HCR, hcr);
  }

  private addCandidate(count: number, id: number, state: number, priority: number): number {
    this.candId[count] = id;
    this.candState[count] = state;
    // Pending-only first, then priority, then INTID and source.
    const intid = id & 0x3ff;
    this.candKey[count] = ((state === LR_STATE_PENDING ? 0 : 1) << 21) | (priority << 13) | (intid << 3) | (id >>> 10);
    return count + 1;
  }

  /** Selection sort by key (counts are small; no allocation). */
  private sortCandidates(count: number): void {
    const key = this.candKey;
    const id = this.candId;
    const state = this.candState;
    for (let i = 0; i < count - 1; i++) {
      let best = i;
      for (let j = i + 1; j < count; j++) if (key[j] < key[best]) best = j;
      if (best !== i) {
        const k = key[i];
        key[i] = key[best];
        key[best] = k;
        const d = id[i];
        id[i] = id[best];
        id[best] = d;
        const s = state[i];
        state[i] = state[best];
        state[best] = s;
      }
    }
  }

  /** Builds the LR for a candidate and takes its pending state out of the vgic. */
  private load(vcpu: number, id: number, state: number): number {
    const ctx = this.ctx;
    const st = ctx.state;
    const intid = id & 0x3ff;
    const src = id >>> 10;
    const idx = st.index(vcpu, intid);
    const level = intid >= SGI_COUNT && st.edge[idx] === 0;
    // Ask for an EOI maintenance interrupt when the deactivation must be seen: a level interrupt
    // is resampled, an active SPI with a pending state held back for another vcpu moves there.
    const eoi = level || (state === LR_STATE_ACTIVE && intid >= PRIVATE_COUNT && st.isPending(idx));
    let fresh = false;
    if ((state & LR_STATE_PENDING) !== 0) {
      if (intid < SGI_COUNT) {
        st.sgiPending[idx] &= ~(1 << src);
        fresh = (this.listed[idx] & (1 << src)) === 0;
        this.listed[idx] &= ~(1 << src);
      } else {
        if (!level) st.pendingLatch[idx] = 0;
        fresh = this.listed[idx] === 0;
        this.listed[idx] = 0;
      }
      st.requeue(idx);
    }
    const lr = makeLr(intid, src, st.priority[idx], state, st.group[idx], eoi);
    if (fresh) {
      ctx.stats.lrFills++;
      if (ctx.onFill !== null) ctx.onFill(vcpu, intid);
      if (ctx.trace !== null)
        ctx.trace(vcpu, `fill INTID ${intid}${sgiSource(intid, src)} prio 0x${hex(st.priority[idx])}`);
    }
    return lr;
  }

  // ---- fold (sync) ----

  /** Returns every LR's state to the vgic and clears the LRs and the maintenance requests. */
  fold(vcpu: number): void {
    const gich = this.gich[vcpu];
    const used = this.used[vcpu];
    const hcr = gich.read(GICH_HCR);
    if (used === 0 && hcr === GICH_HCR_EN) return;
    const misr = gich.read(GICH_MISR);
    if (misr !== 0 && (hcr & GICH_HCR_EN) !== 0) this.countMaintenance(vcpu, misr);
    const shadow = this.shadow[vcpu];
    const elrsr0 = gich.read(GICH_ELRSR0);
    const elrsr1 = used > 32 ? gich.read(GICH_ELRSR1) : 0;
    const eisr0 = gich.read(GICH_EISR0);
    const eisr1 = used > 32 ? gich.read(GICH_EISR1) : 0;
    for (let i = 0; i < used; i++) {
      const empty = ((i < 32 ? elrsr0 >>> i : elrsr1 >>> (i - 32)) & 1) !== 0;
      const eoi = ((i < 32 ? eisr0 >>> i : eisr1 >>> (i - 32)) & 1) !== 0;
      // An empty LR still holds what was written, with the State field cleared.
      const lr = empty ? shadow[i] & ~GICH_LR_STATE_MASK : gich.read(GICH_LR0 + 4 * i);
      this.foldOne(vcpu, lr, shadow[i], eoi);
      gich.write(GICH_LR0 + 4 * i, 0);
    }
    this.used[vcpu] = 0;
    // EOIs the interface could not match to an LR complete the active interrupts that had none,
    // in the order a nesting guest completes them: highest priority first.
    const eoiCount = hcr >>> GICH_HCR_EOICOUNT_SHIFT;
    const outside = this.outside[vcpu];
    const outsideCount = this.outsideCount[vcpu];
    for (let k = 0; k < eoiCount && k < outsideCount; k++) this.deactivateOutside(vcpu, outside[k]);
    this.outsideCount[vcpu] = 0;
    gich.write(GICH_HCR, GICH_HCR_EN);
  }

  private foldOne(vcpu: number, lr: number, written: number, eoiSignalled: boolean): void {
    const ctx = this.ctx;
    const st = ctx.state;
    const intid = lrVirtualId(lr);
    if (intid >= st.intids) return;
    const idx = st.index(vcpu, intid);
    const state = lrState(lr);
    const before = lrState(written);
    const stillPending = (state & LR_STATE_PENDING) !== 0;
    const nowActive = (state & LR_STATE_ACTIVE) !== 0;
    const acknowledged = (before & LR_STATE_PENDING) !== 0 && !stillPending;
    let src = 0;
    if (intid < SGI_COUNT) {
      src = lrCpuId(lr);
      const bit = 1 << src;
      if (nowActive) st.sgiActive[idx] |= bit;
      else st.sgiActive[idx] &= ~bit;
      if (stillPending) {
        st.sgiPending[idx] |= bit;
        this.listed[idx] |= bit;
      } else this.listed[idx] &= ~bit;
    } else {
      st.active[idx] = nowActive ? 1 : 0;
      st.activeOn[idx] = nowActive ? vcpu : -1;
      if (st.edge[idx] !== 0) {
        if (stillPending) st.pendingLatch[idx] = 1;
      } else if (acknowledged) {
        // Taken by the guest: a GICD_ISPENDR latch is consumed; the line decides from now on. (A
        // latch held back from an active-only LR is still pending.)
        st.pendingLatch[idx] = 0;
      }
      this.listed[idx] = stillPending ? 1 : 0;
    }
    const deactivated = ((before & LR_STATE_ACTIVE) !== 0 || acknowledged) && !nowActive;
    if (acknowledged) {
      ctx.stats.acknowledges++;
      if (ctx.trace !== null) ctx.trace(vcpu, `ack INTID ${intid}${sgiSource(intid, src)}`);
    }
    if (deactivated) {
      ctx.stats.eois++;
      if (ctx.trace !== null) {
        const resample = eoiSignalled ? ` (EOI maintenance, line ${st.lineLevel[idx]})` : "";
        ctx.trace(vcpu, `eoi INTID ${intid}${sgiSource(intid, src)}${resample}`);
      }
    }
    this.requeueAndKick(vcpu, idx);
  }

  /** Requeues after a state change; an interrupt that moves to another vcpu's queue kicks it. */
  private requeueAndKick(vcpu: number, idx: number): void {
    const st = this.ctx.state;
    st.requeue(idx);
    const owner = st.queuedOn[idx];
    if (owner >= 0 && owner !== vcpu && this.ctx.canForward(idx)) this.ctx.kick(owner);
  }

  private deactivateOutside(vcpu: number, id: number): void {
    const ctx = this.ctx;
    const st = ctx.state;
    const intid = id & 0x3ff;
    const src = id >>> 10;
    const idx = st.index(vcpu, intid);
    if (intid < SGI_COUNT) st.sgiActive[idx] &= ~(1 << src);
    else {
      st.active[idx] = 0;
      st.activeOn[idx] = -1;
    }
    this.requeueAndKick(vcpu, idx);
    ctx.stats.eois++;
    if (ctx.trace !== null) ctx.trace(vcpu, `eoi INTID ${intid}${sgiSource(intid, src)} (no LR, EOICount)`);
  }

  private countMaintenance(vcpu: number, misr: number): void {
    const stats = this.ctx.stats;
    stats.maintenanceInterrupts++;
    let kinds = "";
    for (let k = 0; k < MAINTENANCE_KINDS.length; k++) {
      if (((misr >>> k) & 1) !== 0) {
        stats.maintenanceByKind[k]++;
        if (this.ctx.trace !== null) kinds += (kinds === "" ? "" : ",") + MAINTENANCE_KINDS[k];
      }
    }
    if (this.ctx.trace !== null) this.ctx.trace(vcpu, `maintenance ${kinds}`);
  }
}

function sgiSource(intid: number, src: number): string {
  return intid < SGI_COUNT ? ` from cpu${src}` : "";
}

function hex(v: number): string {
  return v.toString(16).padStart(2, "0");
}
