// The virtio-mmio transport, version 2 (Virtio 1.1 4.2.2), in front of one device: feature
// negotiation, queue setup, notifications, the interrupt and the device status, as the driver sees
// them through a 512-byte register window. The interrupt line is driven high while InterruptStatus
// has a bit set, as QEMU does; the board describes it as an edge-triggered SPI, so the GIC latches
// each rise and the driver, which reads InterruptStatus and acknowledges what it handled, never
// misses a cause.
//
// Whatever the driver does wrong leaves the VM running. Misaligned or narrow accesses to the
// control registers, writes to a live queue's setup, unknown queues and notifications before
// DRIVER_OK are logged once and ignored (a notification is kept and served at DRIVER_OK). A
// malformed ring sets DEVICE_NEEDS_RESET with a configuration-change interrupt, and the device
// touches no queue again until the driver resets it.

import type { IrqLine, MmioDevice } from "../device.js";
import type { VirtioContext, VirtioDevice } from "./device.js";
import type { GuestMemory } from "./guest-memory.js";
import { Virtqueue, VirtqueueError } from "./virtqueue.js";
import { VirtioInterruptStatus } from "./interrupt-status.js";
import { SnapshotError } from "../../snapshot/snapshot-error.js";
import * as R from "./mmio-regs.js";
import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";

/** Feature bits the transport offers on behalf of every device (word 0, word 1). */
const TRANSPORT_FEATURES: readonly [number, number] = [
  ((1 << R.VIRTIO_F_INDIRECT_DESC) | (1 << R.VIRTIO_F_EVENT_IDX)) >>> 0,
  1 << (R.VIRTIO_F_VERSION_1 - 32),
];

interface QueueSetup {
  num: number;
  ready: boolean;
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
}

function emptySetup(): QueueSetup {
  return { num: 0, ready: false, desc: [0, 0], driver: [0, 0], device: [0, 0] };
}

export class VirtioMmio implements MmioDevice, VirtioContext {
  readonly queues: Virtqueue[];
  private readonly setups: QueueSetup[];
  private readonly offered: [number, number];
  private readonly accepted: [number, number] = [0, 0];
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private status = 0;
  private configGeneration = 0;
  /** Queues notified before DRIVER_OK, served when it comes. */
  private deferred = 0;
  private readonly warned = new Set<string>();

  constructor(
    readonly device: VirtioDevice,
    readonly memory: GuestMemory,
    private readonly irq: IrqLine,
    private readonly logLine: (message: string) => void,
    /** InterruptStatus, in words a vcpu thread may read too (interrupt-status.ts). */
    readonly interrupt: VirtioInterruptStatus = new VirtioInterruptStatus(),
  ) {
    this.offered = [
      (device.features[0] | TRANSPORT_FEATURES[0]) >>> 0,
      (device.features[1] | TRANSPORT_FEATURES[1]) >>> 0,
    ];
    this.queues = device.queueSizes.map(() => new Virtqueue(memory));
    this.setups = device.queueSizes.map(emptySetup);
  }

  // --- VirtioContext -----------------------------------------------------------------------

  negotiated(bit: number): boolean {
    return ((this.accepted[bit >>> 5] >>> (bit & 31)) & 1) !== 0;
  }

  interruptIfWanted(q: number): void {
    if (this.queues[q].shouldInterrupt()) this.raise(R.INT_USED_BUFFER);
  }

  configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    if ((this.status & R.STATUS_DRIVER_OK) !== 0) this.raise(R.INT_CONFIG_CHANGE);
  }

  log(message: string): void {
    this.logLine(`${this.device.name}: ${message}`);
  }

  // --- Snapshots ----------------------------------------------------------------------------

  /** The transport's registers, each queue's setup and indices, then the device's own state.
   * Taken between requests (devices serve each notification to the end before returning). */
  save(w: StateWriter): void {
    w.u32(this.device.deviceId);
    for (const v of [this.accepted[0], this.accepted[1], this.deviceFeaturesSel, this.driverFeaturesSel]) w.f64(v);
    for (const v of [this.queueSel, this.status, this.interrupt.status, this.interrupt.raisedSinceRead]) w.f64(v);
    w.f64(this.configGeneration);
    w.f64(this.deferred);
    w.u32(this.setups.length);
    this.setups.forEach((s, q) => {
      for (const v of [s.num, ...s.desc, ...s.driver, ...s.device]) w.f64(v);
      w.bool(s.ready);
      this.queues[q].save(w);
    });
    this.device.save?.(w);
  }

  restore(r: StateReader): void {
    if (r.u32() !== this.device.deviceId)
      throw new SnapshotError(`${this.device.name}: the snapshot has another device here`);
    this.accepted[0] = r.f64();
    this.accepted[1] = r.f64();
    this.deviceFeaturesSel = r.f64();
    this.driverFeaturesSel = r.f64();
    this.queueSel = r.f64();
    this.status = r.f64();
    const interruptStatus = r.f64();
    this.interrupt.restore(interruptStatus, r.f64());
    this.configGeneration = r.f64();
    this.deferred = r.f64();
    if (r.u32() !== this.setups.length)
      throw new SnapshotError(`${this.device.name}: the snapshot has another queue count`);
    this.setups.forEach((s, q) => {
      s.num = r.f64();
      s.desc = [r.f64(), r.f64()];
      s.driver = [r.f64(), r.f64()];
      s.device = [r.f64(), r.f64()];
      s.ready = r.bool();
      this.queues[q].restore(r);
    });
    this.device.restore?.(r);
    const live = R.STATUS_DRIVER_OK | R.STATUS_FEATURES_OK;
    if ((this.status & live) === live && (this.status & R.STATUS_DEVICE_NEEDS_RESET) === 0) this.device.start(this);
  }

  // --- MmioDevice --------------------------------------------------------------------------

  read(offset: number, size: number, _cpu: number): number {
    if (offset >= R.VIRTIO_MMIO_CONFIG) return this.device.readConfig(offset - R.VIRTIO_MMIO_CONFIG, size);
    if (size !== 4 || (offset & 3) !== 0) {
      this.warnOnce(
        `read${size}@${offset}`,
        `${size}-byte read at 0x${offset.toString(16)} ignored (registers are 32-bit)`,
      );
      return 0;
    }
    const q = this.setups[this.queueSel] as QueueSetup | undefined;
    switch (offset) {
      case R.VIRTIO_MMIO_MAGIC_VALUE:
        return R.VIRTIO_MMIO_MAGIC;
      case R.VIRTIO_MMIO_VERSION:
        return R.VIRTIO_MMIO_VERSION_MODERN;
      case R.VIRTIO_MMIO_DEVICE_ID:
        return this.device.deviceId;
      case R.VIRTIO_MMIO_VENDOR_ID:
        return R.VIRTIO_VENDOR_QEMU;
      case R.VIRTIO_MMIO_DEVICE_FEATURES:
        return this.deviceFeaturesSel < 2 ? this.offered[this.deviceFeaturesSel] : 0;
      case R.VIRTIO_MMIO_QUEUE_NUM_MAX:
        return q === undefined ? 0 : this.device.queueSizes[this.queueSel];
      case R.VIRTIO_MMIO_QUEUE_READY:
        return q?.ready === true ? 1 : 0;
      case R.VIRTIO_MMIO_INTERRUPT_STATUS:
        return this.interrupt.read();
      case R.VIRTIO_MMIO_STATUS:
        return this.status;
      case R.VIRTIO_MMIO_QUEUE_NUM:
        return q?.num ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DESC_LOW:
        return q?.desc[0] ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DESC_HIGH:
        return q?.desc[1] ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        return q?.driver[0] ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        return q?.driver[1] ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        return q?.device[0] ?? 0;
      case R.VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return q?.device[1] ?? 0;
      case R.VIRTIO_MMIO_SHM_LEN_LOW:
      case R.VIRTIO_MMIO_SHM_LEN_HIGH:
      case R.VIRTIO_MMIO_SHM_BASE_LOW:
      case R.VIRTIO_MMIO_SHM_BASE_HIGH:
        return 0xffff_ffff; // no shared memory regions: length -1
      case R.VIRTIO_MMIO_CONFIG_GENERATION:
        return this.configGeneration;
      default:
        return 0; // write-only and reserved registers
    }
  }

  write(offset: number, size: number, value: number, _cpu: number): void {
    if (offset >= R.VIRTIO_MMIO_CONFIG) {
      this.device.writeConfig(offset - R.VIRTIO_MMIO_CONFIG, size, value);
      return;
    }
    if (size !== 4 || (offset & 3) !== 0) {
      this.warnOnce(
        `write${size}@${offset}`,
        `${size}-byte write at 0x${offset.toString(16)} ignored (registers are 32-bit)`,
      );
      return;
    }
    value >>>= 0;
    switch (offset) {
      case R.VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        this.deviceFeaturesSel = value;
        return;
      case R.VIRTIO_MMIO_DRIVER_FEATURES:
        this.writeDriverFeatures(value);
        return;
      case R.VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        this.driverFeaturesSel = value;
        return;
      case R.VIRTIO_MMIO_QUEUE_SEL:
        this.queueSel = value;
        return;
      case R.VIRTIO_MMIO_QUEUE_NOTIFY:
        this.notify(value);
        return;
      case R.VIRTIO_MMIO_INTERRUPT_ACK:
        this.acknowledge(value);
        return;
      case R.VIRTIO_MMIO_STATUS:
        this.writeStatus(value & 0xff);
        return;
      case R.VIRTIO_MMIO_QUEUE_READY:
        this.writeQueueReady(value);
        return;
      case R.VIRTIO_MMIO_QUEUE_NUM:
      case R.VIRTIO_MMIO_QUEUE_DESC_LOW:
      case R.VIRTIO_MMIO_QUEUE_DESC_HIGH:
      case R.VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      case R.VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
      case R.VIRTIO_MMIO_QUEUE_DEVICE_LOW:
      case R.VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        this.writeQueueSetup(offset, value);
        return;
      default:
        this.warnOnce(`write@${offset}`, `write to read-only or reserved register 0x${offset.toString(16)} ignored`);
    }
  }

  private writeDriverFeatures(value: number): void {
    if ((this.status & R.STATUS_FEATURES_OK) !== 0) {
      this.warnOnce("features-late", "DriverFeatures written after FEATURES_OK; ignored");
      return;
    }
    if (this.driverFeaturesSel < 2) this.accepted[this.driverFeaturesSel] = value;
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    const added = value & ~this.status;
    let status = value;
    // FEATURES_OK sticks only for a subset of what was offered that includes VERSION_1: the
    // driver reads it back and gives up if it is clear.
    if ((added & R.STATUS_FEATURES_OK) !== 0) {
      const subset = (this.accepted[0] & ~this.offered[0]) === 0 && (this.accepted[1] & ~this.offered[1]) === 0;
      if (!subset || !this.negotiated(R.VIRTIO_F_VERSION_1)) {
        this.log(
          subset ? "driver did not accept VIRTIO_F_VERSION_1" : "driver accepted features the device does not offer",
        );
        status &= ~R.STATUS_FEATURES_OK;
      } else {
        for (const q of this.queues) {
          q.eventIdx = this.negotiated(R.VIRTIO_F_EVENT_IDX);
          q.indirect = this.negotiated(R.VIRTIO_F_INDIRECT_DESC);
        }
      }
    }
    status |= this.status & R.STATUS_DEVICE_NEEDS_RESET;
    this.status = status;
    if ((added & R.STATUS_DRIVER_OK) !== 0 && (status & R.STATUS_FEATURES_OK) !== 0) {
      this.device.start(this);
      const deferred = this.deferred;
      this.deferred = 0;
      for (let q = 0; q < this.queues.length; q++) if ((deferred >>> q) & 1) this.notify(q);
    }
  }

  private writeQueueReady(value: number): void {
    const s = this.setups[this.queueSel] as QueueSetup | undefined;
    if (s === undefined) {
      this.warnOnce(`ready${this.queueSel}`, `QueueReady for queue ${this.queueSel}, which does not exist`);
      return;
    }
    if ((value & 1) === 0) {
      s.ready = false;
      this.queues[this.queueSel].disable();
      return;
    }
    if (s.ready) return;
    if (s.num > this.device.queueSizes[this.queueSel]) {
      this.needsReset(
        `queue ${this.queueSel}: size ${s.num} is above QueueNumMax ${this.device.queueSizes[this.queueSel]}`,
      );
      return;
    }
    try {
      this.queues[this.queueSel].enable(s.num, s.desc, s.driver, s.device);
      s.ready = true;
    } catch (e) {
      if (!(e instanceof VirtqueueError)) throw e;
      this.needsReset(`queue ${this.queueSel}: ${e.message}`);
    }
  }

  private writeQueueSetup(offset: number, value: number): void {
    const s = this.setups[this.queueSel] as QueueSetup | undefined;
    if (s === undefined || s.ready) {
      this.warnOnce(
        `setup${this.queueSel}`,
        s === undefined
          ? `setup of queue ${this.queueSel}, which does not exist, ignored`
          : `setup of queue ${this.queueSel} while it is ready ignored`,
      );
      return;
    }
    switch (offset) {
      case R.VIRTIO_MMIO_QUEUE_NUM:
        s.num = value;
        return;
      case R.VIRTIO_MMIO_QUEUE_DESC_LOW:
      case R.VIRTIO_MMIO_QUEUE_DESC_HIGH:
        s.desc[(offset >> 2) & 1] = value;
        return;
      case R.VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      case R.VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        s.driver[(offset >> 2) & 1] = value;
        return;
      default:
        s.device[(offset >> 2) & 1] = value;
    }
  }

  private notify(q: number): void {
    if (q >= this.queues.length) {
      this.warnOnce(`notify${q}`, `notification for queue ${q}, which does not exist`);
      return;
    }
    if ((this.status & R.STATUS_DEVICE_NEEDS_RESET) !== 0) return;
    if (!this.setups[q].ready) {
      this.warnOnce(`notready${q}`, `notification for queue ${q}, which is not ready; ignored`);
      return;
    }
    if ((this.status & R.STATUS_DRIVER_OK) === 0) {
      this.warnOnce("early-notify", `queue ${q} notified before DRIVER_OK; served when the driver is ready`);
      this.deferred |= 1 << q;
      return;
    }
    try {
      this.device.notify(q);
    } catch (e) {
      // A malformed ring, or a failure of our own that must not take the VM down with it.
      const why =
        e instanceof VirtqueueError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      this.needsReset(`queue ${q}: ${why}`);
    }
  }

  fail(reason: string): void {
    this.needsReset(reason);
  }

  /** The driver broke the rules: the device stops until reset, and tells the driver. */
  needsReset(reason: string): void {
    this.log(`${reason}; device needs reset`);
    this.status |= R.STATUS_DEVICE_NEEDS_RESET;
    this.device.reset(); // it forgets the queues, so host-side events (input) no longer reach them
    if ((this.status & R.STATUS_DRIVER_OK) !== 0) this.raise(R.INT_CONFIG_CHANGE);
  }

  /**
   * InterruptACK. With vcpu threads the write is posted, so the device may have published more
   * used buffers between the driver's read of InterruptStatus and this acknowledge, after the
   * driver looked at its rings. Such causes stay set, and the line falls and rises again so the
   * edge-triggered SPI is taken once more: otherwise that work would wait for the next event (a
   * lost interrupt; TCP stalls until its retransmit timer). On one thread nothing happens in
   * between, and this is the plain acknowledge.
   */
  private acknowledge(value: number): void {
    const left = this.interrupt.acknowledge(value);
    this.irq.set(false);
    if (left !== 0) this.irq.set(true);
  }

  private raise(bits: number): void {
    this.interrupt.raise(bits);
    this.irq.set(true);
  }

  private reset(): void {
    this.status = 0;
    this.accepted[0] = this.accepted[1] = 0;
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    this.deferred = 0;
    for (let q = 0; q < this.setups.length; q++) {
      this.setups[q] = emptySetup();
      this.queues[q] = new Virtqueue(this.memory);
    }
    this.device.reset();
    if (this.interrupt.clear()) this.irq.set(false);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log(message);
  }
}
