// A minimal virtio-mmio driver for tests: guest memory in an ordinary buffer, one RAM region, and
// the steps a driver takes (reset, feature negotiation, queue setup, DRIVER_OK, posting chains and
// collecting used elements), written out from the Virtio 1.1 specification rather than copied from
// any one driver, so the device is tested against the spec's order of things.

import type { VirtioInterruptStatus } from "../../src/devices/virtio/interrupt-status.js";
import type { VirtioDevice } from "../../src/devices/virtio/device.js";
import { GuestMemory } from "../../src/devices/virtio/guest-memory.js";
import * as R from "../../src/devices/virtio/mmio-regs.js";
import { VirtioMmio } from "../../src/devices/virtio/transport.js";
import { VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE } from "../../src/devices/virtio/virtqueue.js";

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 1 << 20;

/** One buffer of a chain the test posts: `data` for a readable one, `len` for a writable one. */
export type Buf = { data: Uint8Array } | { len: number };

export interface Posted {
  head: number;
  /** Guest addresses of the writable buffers, to read back what the device wrote. */
  writable: { addr: number; len: number }[];
}

interface QueueLayout {
  size: number;
  desc: number;
  avail: number;
  used: number;
  nextDesc: number;
  availIdx: number;
  lastUsed: number;
}

export class TestDriver {
  readonly mem: GuestMemory;
  readonly transport: VirtioMmio;
  readonly logs: string[] = [];
  /** Rising edges of the interrupt line, and its level. */
  irqEdges = 0;
  irqLevel = false;
  /** Next free guest address for buffers. */
  private heap = RAM_BASE + 0x8_0000;
  private readonly queues: QueueLayout[] = [];

  /** `interrupt`: the transport's InterruptStatus words (shared ones, to read them from elsewhere). */
  constructor(
    readonly device: VirtioDevice,
    interrupt?: VirtioInterruptStatus,
  ) {
    const buffer = new SharedArrayBuffer(RAM_SIZE);
    this.mem = new GuestMemory(buffer, [{ base: RAM_BASE, size: RAM_SIZE, offset: 0, writable: true }]);
    this.transport = new VirtioMmio(
      device,
      this.mem,
      {
        set: (level) => {
          if (level && !this.irqLevel) this.irqEdges++;
          this.irqLevel = level;
        },
      },
      (m) => this.logs.push(m),
      interrupt,
    );
  }

  reg(offset: number): number {
    return this.transport.read(offset, 4, 0);
  }

  setReg(offset: number, value: number): void {
    this.transport.write(offset, 4, value, 0);
  }

  get status(): number {
    return this.reg(R.VIRTIO_MMIO_STATUS);
  }

  /** The device's feature bits as one number per word. */
  deviceFeatures(): [number, number] {
    this.setReg(R.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    const lo = this.reg(R.VIRTIO_MMIO_DEVICE_FEATURES);
    this.setReg(R.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    return [lo, this.reg(R.VIRTIO_MMIO_DEVICE_FEATURES)];
  }

  /** Reset, ACKNOWLEDGE, DRIVER, accept `features` (default: all offered), FEATURES_OK; returns
   * whether the device kept FEATURES_OK. */
  negotiate(features?: [number, number]): boolean {
    this.setReg(R.VIRTIO_MMIO_STATUS, 0);
    this.setReg(R.VIRTIO_MMIO_STATUS, R.STATUS_ACKNOWLEDGE);
    this.setReg(R.VIRTIO_MMIO_STATUS, R.STATUS_ACKNOWLEDGE | R.STATUS_DRIVER);
    const f = features ?? this.deviceFeatures();
    for (let sel = 0; sel < 2; sel++) {
      this.setReg(R.VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
      this.setReg(R.VIRTIO_MMIO_DRIVER_FEATURES, f[sel]);
    }
    this.setReg(R.VIRTIO_MMIO_STATUS, R.STATUS_ACKNOWLEDGE | R.STATUS_DRIVER | R.STATUS_FEATURES_OK);
    return (this.status & R.STATUS_FEATURES_OK) !== 0;
  }

  /** Sets up queue `q` with `size` entries (default QueueNumMax) at fresh addresses. */
  setupQueue(q: number, size?: number): void {
    this.setReg(R.VIRTIO_MMIO_QUEUE_SEL, q);
    const n = size ?? this.reg(R.VIRTIO_MMIO_QUEUE_NUM_MAX);
    const desc = RAM_BASE + 0x1_0000 * (q + 1);
    const layout: QueueLayout = {
      size: n,
      desc,
      avail: desc + 16 * n,
      used: (desc + 16 * n + 6 + 2 * n + 3) & ~3,
      nextDesc: 0,
      availIdx: 0,
      lastUsed: 0,
    };
    this.queues[q] = layout;
    this.setReg(R.VIRTIO_MMIO_QUEUE_NUM, n);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DESC_LOW, layout.desc);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DRIVER_LOW, layout.avail);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DEVICE_LOW, layout.used);
    this.setReg(R.VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
    this.setReg(R.VIRTIO_MMIO_QUEUE_READY, 1);
  }

  driverOk(): void {
    this.setReg(R.VIRTIO_MMIO_STATUS, this.status | R.STATUS_DRIVER_OK);
  }

  /** negotiate + every queue + DRIVER_OK. */
  start(features?: [number, number]): void {
    if (!this.negotiate(features)) throw new Error("FEATURES_OK refused");
    for (let q = 0; q < this.device.queueSizes.length; q++) this.setupQueue(q);
    this.driverOk();
  }

  off(addr: number): number {
    return addr - RAM_BASE;
  }

  /** Copies `data` to a fresh guest buffer; returns its address. */
  alloc(len: number, data?: Uint8Array): number {
    const addr = this.heap;
    this.heap += (len + 15) & ~15;
    if (this.heap > RAM_BASE + RAM_SIZE) throw new Error("test heap exhausted");
    if (data !== undefined) this.mem.bytes.set(data, this.off(addr));
    else this.mem.bytes.fill(0xee, this.off(addr), this.off(addr) + len);
    return addr;
  }

  /** Frees every buffer allocated so far (for long request sequences; earlier chains must be used). */
  resetHeap(): void {
    this.heap = RAM_BASE + 0x8_0000;
  }

  bytesAt(addr: number, len: number): Uint8Array {
    return this.mem.bytes.slice(this.off(addr), this.off(addr) + len);
  }

  /** Writes a descriptor of queue q's table (or of a table at `table`). */
  writeDesc(table: number, index: number, addr: number, len: number, flags: number, next: number): void {
    const d = this.off(table) + 16 * index;
    this.mem.write32(d, addr);
    this.mem.write32(d + 4, 0);
    this.mem.write32(d + 8, len);
    this.mem.write16(d + 12, flags);
    this.mem.write16(d + 14, next);
  }

  /** Posts a chain on queue q (in the table, or through one indirect descriptor) without notifying. */
  post(q: number, bufs: Buf[], opts: { indirect?: boolean } = {}): Posted {
    const l = this.queues[q];
    const writable: { addr: number; len: number }[] = [];
    const descs = bufs.map((b) => {
      if ("data" in b) return { addr: this.alloc(b.data.length, b.data), len: b.data.length, flags: 0 };
      const addr = this.alloc(b.len);
      writable.push({ addr, len: b.len });
      return { addr, len: b.len, flags: VIRTQ_DESC_F_WRITE };
    });
    let head: number;
    if (opts.indirect === true) {
      const table = this.alloc(16 * descs.length);
      descs.forEach((d, i) =>
        this.writeDesc(table, i, d.addr, d.len, d.flags | (i + 1 < descs.length ? VIRTQ_DESC_F_NEXT : 0), i + 1),
      );
      head = l.nextDesc;
      this.writeDesc(l.desc, head, table, 16 * descs.length, VIRTQ_DESC_F_INDIRECT, 0);
      l.nextDesc = (l.nextDesc + 1) % l.size;
    } else {
      head = l.nextDesc;
      descs.forEach((d, i) => {
        const index = (head + i) % l.size;
        const next = (head + i + 1) % l.size;
        this.writeDesc(l.desc, index, d.addr, d.len, d.flags | (i + 1 < descs.length ? VIRTQ_DESC_F_NEXT : 0), next);
      });
      l.nextDesc = (l.nextDesc + descs.length) % l.size;
    }
    this.publish(q, head);
    return { head, writable };
  }

  /** Puts `head` in the available ring and bumps its index. */
  publish(q: number, head: number): void {
    const l = this.queues[q];
    this.mem.write16(this.off(l.avail) + 4 + 2 * (l.availIdx % l.size), head);
    l.availIdx = (l.availIdx + 1) & 0xffff;
    this.mem.write16(this.off(l.avail) + 2, l.availIdx);
  }

  /** Sets the available ring's index directly (to test a bad one). */
  setAvailIdx(q: number, idx: number): void {
    this.mem.write16(this.off(this.queues[q].avail) + 2, idx);
  }

  setAvailFlags(q: number, flags: number): void {
    this.mem.write16(this.off(this.queues[q].avail), flags);
  }

  /** used_event (after the available ring), for EVENT_IDX. */
  setUsedEvent(q: number, value: number): void {
    const l = this.queues[q];
    this.mem.write16(this.off(l.avail) + 4 + 2 * l.size, value);
  }

  /** avail_event (after the used ring), which the device writes with EVENT_IDX. */
  availEvent(q: number): number {
    const l = this.queues[q];
    return this.mem.read16(this.off(l.used) + 4 + 8 * l.size);
  }

  notify(q: number): void {
    this.setReg(R.VIRTIO_MMIO_QUEUE_NOTIFY, q);
  }

  /** Used elements published since the last call. */
  takeUsed(q: number): { id: number; len: number }[] {
    const l = this.queues[q];
    const idx = this.mem.read16(this.off(l.used) + 2);
    const out: { id: number; len: number }[] = [];
    while (l.lastUsed !== idx) {
      const e = this.off(l.used) + 4 + 8 * (l.lastUsed % l.size);
      out.push({ id: this.mem.read32(e), len: this.mem.read32(e + 4) });
      l.lastUsed = (l.lastUsed + 1) & 0xffff;
    }
    return out;
  }

  /** Reads InterruptStatus and acknowledges it, as a driver's interrupt handler does. */
  ackInterrupt(): number {
    const s = this.reg(R.VIRTIO_MMIO_INTERRUPT_STATUS);
    this.setReg(R.VIRTIO_MMIO_INTERRUPT_ACK, s);
    return s;
  }

  layout(q: number): Readonly<QueueLayout> {
    return this.queues[q];
  }
}
