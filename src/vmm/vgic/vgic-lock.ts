// The vgic's locking, for vcpus that run on threads of their own. bhyve guards its vgic with one
// mutex and KVM its distributor with a lock; here one re-entrant lock guards the shared interrupt
// state (irq-state.ts, the LR bookkeeping), taken by every vcpu thread around flush and sync, by
// distributor traps, and by the I/O thread when a device line changes.
//
// Distributor accesses that read or change pending or active state need more: that state may sit
// in other vcpus' list registers while they run. KVM halts the guest for such changes
// (kvm_arm_halt_guest); so does `haltOthers`: every other vcpu is kicked out of its guest, folds
// its LRs and waits at its entry gate until `resumeOthers`. A vcpu marks itself out of the guest
// while it waits, so two vcpus that trap at once cannot wait for each other.
//
// With every vcpu on one thread the same calls cost next to nothing and never wait.

import type { SharedArrays } from "../../host/shared-arrays.js";

/** What the vgic needs to serialize with other threads. */
export interface VgicSync {
  lock(): void;
  unlock(): void;
  /** Brings every vcpu but `self` out of its guest and keeps it out until resumeOthers(). */
  haltOthers(self: number): void;
  resumeOthers(): void;
}

/** Every vcpu on one thread: nothing to wait for. */
export const SINGLE_THREAD: VgicSync = {
  lock() {},
  unlock() {},
  haltOthers() {},
  resumeOthers() {},
};

const LOCK = 0;
const DEPTH = 1;
const HALT_OWNER = 2;
const HALT_REQ = 3;
const IN_GUEST = 4;

/** Spins this many times before blocking (locks are held for microseconds). */
const SPINS = 200;

export class VgicLock implements VgicSync {
  private readonly words: Int32Array;
  private readonly vcpus: number;
  /** This thread's tag: vcpu id + 1, or vcpus + 1 for the I/O thread. */
  private readonly tag: number;
  /** Atomics.wait is allowed here (not on a browser's main thread). */
  private readonly canBlock: boolean;
  private readonly kick: (vcpu: number) => void;

  constructor(mem: SharedArrays, vcpus: number, tag: number, canBlock: boolean, kick: (vcpu: number) => void) {
    this.words = mem.i32(IN_GUEST + vcpus);
    this.vcpus = vcpus;
    this.tag = tag;
    this.canBlock = canBlock;
    this.kick = kick;
  }

  lock(): void {
    const w = this.words;
    if (Atomics.load(w, LOCK) === this.tag) {
      w[DEPTH]++;
      return;
    }
    this.acquire(LOCK);
    w[DEPTH] = 1;
  }

  unlock(): void {
    const w = this.words;
    if (--w[DEPTH] > 0) return;
    Atomics.store(w, LOCK, 0);
    Atomics.notify(w, LOCK, 1);
  }

  private acquire(index: number): void {
    const w = this.words;
    let spins = 0;
    for (;;) {
      const owner = Atomics.compareExchange(w, index, 0, this.tag);
      if (owner === 0) return;
      if (++spins < SPINS || !this.canBlock) continue;
      Atomics.wait(w, index, owner, 1);
    }
  }

  haltOthers(self: number): void {
    const w = this.words;
    // Out of the guest while waiting for another halter, who may fold this vcpu's LRs.
    if (Atomics.load(w, HALT_OWNER) !== 0 || Atomics.compareExchange(w, HALT_OWNER, 0, this.tag) !== 0) {
      this.leaveGuest(self);
      this.acquire(HALT_OWNER);
    }
    Atomics.store(w, HALT_REQ, this.tag);
    for (let v = 0; v < this.vcpus; v++) if (v !== self && Atomics.load(w, IN_GUEST + v) !== 0) this.kick(v);
    for (let v = 0; v < this.vcpus; v++) {
      if (v === self) continue;
      let spins = 0;
      while (Atomics.load(w, IN_GUEST + v) !== 0) {
        if (++spins < SPINS || !this.canBlock) continue;
        Atomics.wait(w, IN_GUEST + v, 1, 1);
      }
    }
  }

  resumeOthers(): void {
    const w = this.words;
    Atomics.store(w, HALT_REQ, 0);
    Atomics.notify(w, HALT_REQ);
    Atomics.store(w, HALT_OWNER, 0);
    Atomics.notify(w, HALT_OWNER);
  }

  /** A vcpu thread before guest code runs (slice entry, return from a trap): waits while another
   * thread has the guests halted (out of its guest meanwhile), then marks `vcpu` in its guest. True if it had to wait (its
   * list registers may have changed: re-evaluate the interface's outputs). */
  enterGuest(vcpu: number): boolean {
    const w = this.words;
    let waited = false;
    for (;;) {
      const req = Atomics.load(w, HALT_REQ);
      if (req !== 0 && req !== this.tag) {
        // Called on the way back from a trap, this vcpu may still count as in its guest: the
        // halter would wait for it while it waits for the halter.
        if (Atomics.load(w, IN_GUEST + vcpu) !== 0) this.leaveGuest(vcpu);
        waited = true;
        Atomics.wait(w, HALT_REQ, req, 5);
        continue;
      }
      Atomics.store(w, IN_GUEST + vcpu, 1);
      const again = Atomics.load(w, HALT_REQ);
      if (again === 0 || again === this.tag) return waited;
      this.leaveGuest(vcpu);
    }
  }

  isInGuest(vcpu: number): boolean {
    return Atomics.load(this.words, IN_GUEST + vcpu) !== 0;
  }

  /** A vcpu thread after its LRs are folded (slice exit) or while it waits for the halt mutex. */
  leaveGuest(vcpu: number): void {
    const w = this.words;
    Atomics.store(w, IN_GUEST + vcpu, 0);
    Atomics.notify(w, IN_GUEST + vcpu);
  }
}
