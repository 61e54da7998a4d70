// A virtio-mmio transport's InterruptStatus, kept in two words that another thread may map. With
// vcpu threads the driver's read of InterruptStatus is answered on the vcpu's own thread from
// these words (as KVM serves an MMIO read in the kernel when it can), so taking a virtio
// interrupt costs no round trip to the I/O thread. Raising a cause and taking an acknowledge stay
// with the device on the I/O thread, which alone drives the interrupt line.

/** Words per transport: InterruptStatus, and the causes raised since the driver last read it. */
export const VIRTIO_IRQ_WORDS = 2;
const STATUS = 0;
const RAISED = 1;

export class VirtioInterruptStatus {
  constructor(private readonly words: Int32Array = new Int32Array(VIRTIO_IRQ_WORDS)) {
    if (words.length !== VIRTIO_IRQ_WORDS) throw new RangeError(`InterruptStatus needs ${VIRTIO_IRQ_WORDS} words`);
  }

  /** InterruptStatus as it stands. */
  get status(): number {
    return Atomics.load(this.words, STATUS) >>> 0;
  }

  /** Causes raised since the driver last read InterruptStatus. */
  get raisedSinceRead(): number {
    return Atomics.load(this.words, RAISED) >>> 0;
  }

  /** The device raises `bits` (its own thread). */
  raise(bits: number): void {
    Atomics.or(this.words, RAISED, bits);
    Atomics.or(this.words, STATUS, bits);
  }

  /** The driver reads InterruptStatus (any thread). A cause raised after this read is not one the
   * driver saw: the flag is cleared before the status is read, so a raise in between is both
   * seen and kept through the acknowledge (one interrupt too many at worst, never one lost). */
  read(): number {
    Atomics.store(this.words, RAISED, 0);
    return Atomics.load(this.words, STATUS) >>> 0;
  }

  /** InterruptACK (the device's thread): clears the acknowledged causes except those raised since
   * the driver's read, which it cannot have handled. Returns the causes left. */
  acknowledge(value: number): number {
    const clear = value & ~Atomics.load(this.words, RAISED);
    return (Atomics.and(this.words, STATUS, ~clear) & ~clear) >>> 0;
  }

  /** Device reset: no cause left. Returns whether one was set. */
  clear(): boolean {
    Atomics.store(this.words, RAISED, 0);
    return Atomics.exchange(this.words, STATUS, 0) !== 0;
  }

  /** Snapshots. */
  restore(status: number, raisedSinceRead: number): void {
    Atomics.store(this.words, STATUS, status | 0);
    Atomics.store(this.words, RAISED, raisedSinceRead | 0);
  }
}
