import { test } from "node:test";
import assert from "node:assert/strict";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import type { VirtioContext, VirtioDevice } from "../../../src/devices/virtio/device.js";
import { Chain, VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_DESC_F_NEXT } from "../../../src/devices/virtio/virtqueue.js";
import { RAM_BASE, RAM_SIZE, TestDriver } from "../../helpers/virtio-driver.js";
import { VIRTIO_IRQ_WORDS, VirtioInterruptStatus } from "../../../src/devices/virtio/interrupt-status.js";

/** A device that echoes: each chain's readable bytes are copied, reversed, into its writable ones. */
class Echo implements VirtioDevice {
  readonly deviceId = 0x42;
  readonly name = "echo";
  readonly features: readonly [number, number] = [1 << 3, 0];
  readonly queueSizes = [8, 4];
  readonly config = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  ctx: VirtioContext | null = null;
  starts = 0;
  resets = 0;
  notified: number[] = [];
  private readonly chain = new Chain();

  readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | (this.config[offset + i] ?? 0);
    return v >>> 0;
  }
  writeConfig(offset: number, _size: number, value: number): void {
    this.config[offset] = value;
  }
  start(ctx: VirtioContext): void {
    this.ctx = ctx;
    this.starts++;
  }
  reset(): void {
    this.ctx = null;
    this.resets++;
  }
  notify(q: number): void {
    this.notified.push(q);
    const ctx = this.ctx!;
    const vq = ctx.queues[q];
    do {
      while (vq.pop(this.chain)) {
        const data = new Uint8Array(this.chain.readableBytes);
        this.chain.read(ctx.memory.bytes, 0, data);
        data.reverse();
        vq.push(this.chain.head, this.chain.write(ctx.memory.bytes, 0, data));
      }
    } while (vq.armNotify());
    ctx.interruptIfWanted(q);
  }
}

const ALL_STATUS = R.STATUS_ACKNOWLEDGE | R.STATUS_DRIVER | R.STATUS_FEATURES_OK | R.STATUS_DRIVER_OK;

test("identification registers: magic, version 2, device and vendor IDs", () => {
  const d = new TestDriver(new Echo());
  assert.equal(d.reg(R.VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
  assert.equal(d.reg(R.VIRTIO_MMIO_VERSION), 2);
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 0x42);
  assert.equal(d.reg(R.VIRTIO_MMIO_VENDOR_ID), 0x554d4551);
  assert.equal(d.reg(R.VIRTIO_MMIO_SHM_LEN_LOW), 0xffff_ffff, "no shared memory region: length -1");
});

test("offered features: the device's bits plus VERSION_1, INDIRECT_DESC and EVENT_IDX", () => {
  const d = new TestDriver(new Echo());
  const [lo, hi] = d.deviceFeatures();
  assert.equal(lo, ((1 << 3) | (1 << 28) | (1 << 29)) >>> 0);
  assert.equal(hi, 1, "VERSION_1 is bit 32");
  d.setReg(R.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_FEATURES), 0, "words past the second are zero");
});

test("FEATURES_OK is refused without VERSION_1 and for bits not offered, kept for a subset", () => {
  const d = new TestDriver(new Echo());
  assert.equal(d.negotiate([1 << 3, 0]), false, "no VERSION_1");
  assert.match(d.logs.join("\n"), /VERSION_1/);
  assert.equal(d.negotiate([1 << 4, 1]), false, "bit 4 not offered");
  assert.equal(d.negotiate([0, 1]), true, "VERSION_1 alone");
  assert.equal(d.transport.negotiated(R.VIRTIO_F_VERSION_1), true);
  assert.equal(d.transport.negotiated(R.VIRTIO_F_EVENT_IDX), false);
});

test("driver features written after FEATURES_OK are ignored", () => {
  const d = new TestDriver(new Echo());
  d.negotiate([0, 1]);
  d.setReg(R.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  d.setReg(R.VIRTIO_MMIO_DRIVER_FEATURES, 1 << 29);
  assert.equal(d.transport.negotiated(R.VIRTIO_F_EVENT_IDX), false);
});

test("QueueNumMax per queue, 0 for a queue that does not exist; setup registers read back", () => {
  const d = new TestDriver(new Echo());
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM_MAX), 8);
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 1);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM_MAX), 4);
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 2);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
  d.negotiate();
  d.setupQueue(0);
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_READY), 1);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM), 8);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_DESC_LOW), d.layout(0).desc);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_DRIVER_LOW), d.layout(0).avail);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_DEVICE_LOW), d.layout(0).used);
});

test("a live queue's setup cannot change; it can after QueueReady is cleared", () => {
  const d = new TestDriver(new Echo());
  d.negotiate();
  d.setupQueue(0);
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
  d.setReg(R.VIRTIO_MMIO_QUEUE_NUM, 2);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM), 8, "ignored while ready");
  assert.match(d.logs.join("\n"), /while it is ready/);
  d.setReg(R.VIRTIO_MMIO_QUEUE_READY, 0);
  d.setReg(R.VIRTIO_MMIO_QUEUE_NUM, 2);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_NUM), 2);
});

test("a chain goes through and raises the used-buffer interrupt; ACK lowers the line", () => {
  const dev = new Echo();
  const d = new TestDriver(dev);
  d.start();
  assert.equal(d.status, ALL_STATUS);
  assert.equal(dev.starts, 1);
  const p = d.post(0, [{ data: Uint8Array.of(1, 2, 3) }, { len: 3 }]);
  d.notify(0);
  assert.deepEqual(d.takeUsed(0), [{ id: p.head, len: 3 }]);
  assert.deepEqual([...d.bytesAt(p.writable[0].addr, 3)], [3, 2, 1]);
  assert.equal(d.irqLevel, true);
  assert.equal(d.ackInterrupt(), R.INT_USED_BUFFER);
  assert.equal(d.irqLevel, false);
  assert.equal(d.reg(R.VIRTIO_MMIO_INTERRUPT_STATUS), 0);
});

test("chains split across descriptors and through an indirect table are read and written across buffers", () => {
  const d = new TestDriver(new Echo());
  d.start();
  const direct = d.post(0, [{ data: Uint8Array.of(1, 2) }, { data: Uint8Array.of(3) }, { len: 1 }, { len: 2 }]);
  const indirect = d.post(0, [{ data: Uint8Array.of(9, 8, 7) }, { len: 2 }, { len: 1 }], { indirect: true });
  d.notify(0);
  assert.deepEqual(d.takeUsed(0), [
    { id: direct.head, len: 3 },
    { id: indirect.head, len: 3 },
  ]);
  assert.deepEqual([...d.bytesAt(direct.writable[0].addr, 1), ...d.bytesAt(direct.writable[1].addr, 2)], [3, 2, 1]);
  assert.deepEqual([...d.bytesAt(indirect.writable[0].addr, 2), ...d.bytesAt(indirect.writable[1].addr, 1)], [7, 8, 9]);
});

test("without INDIRECT_DESC negotiated, an indirect descriptor is a malformed ring", () => {
  const d = new TestDriver(new Echo());
  d.start([0, 1]);
  d.post(0, [{ len: 1 }], { indirect: true });
  d.notify(0);
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
});

test("avail.flags NO_INTERRUPT suppresses the interrupt without EVENT_IDX", () => {
  const d = new TestDriver(new Echo());
  d.start([0, 1]);
  d.setAvailFlags(0, VIRTQ_AVAIL_F_NO_INTERRUPT);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.takeUsed(0).length, 1);
  assert.equal(d.irqEdges, 0);
  d.setAvailFlags(0, 0);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqEdges, 1);
});

test("EVENT_IDX: the device interrupts only when the used index passes used_event, and publishes avail_event", () => {
  const d = new TestDriver(new Echo());
  d.start([(1 << 29) >>> 0, 1]);
  // used_event = 1: no interrupt for the first used entry (index 0 -> 1 passes event 1? no: only
  // a move past 1, i.e. to 2, does).
  d.setUsedEvent(0, 1);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqEdges, 0, "used index 1 has not passed used_event 1");
  assert.equal(d.availEvent(0), 1, "avail_event: notify me at the next chain");
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqEdges, 1, "used index 2 passed used_event 1");
  d.ackInterrupt();
  d.setUsedEvent(0, 5);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqEdges, 1, "used_event 5 not reached by 3");
  assert.equal(d.availEvent(0), 3);
});

test("a notification before DRIVER_OK is served when DRIVER_OK comes", () => {
  const dev = new Echo();
  const d = new TestDriver(dev);
  d.negotiate();
  d.setupQueue(0);
  d.setupQueue(1);
  const p = d.post(0, [{ data: Uint8Array.of(5) }, { len: 1 }]);
  d.notify(0);
  assert.deepEqual(dev.notified, [], "not before DRIVER_OK");
  d.driverOk();
  assert.deepEqual(dev.notified, [0]);
  assert.deepEqual(d.takeUsed(0), [{ id: p.head, len: 1 }]);
});

test("reset (Status = 0) clears status, interrupt, queues and negotiated features", () => {
  const dev = new Echo();
  const d = new TestDriver(dev);
  d.start();
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqLevel, true);
  const resets = dev.resets;
  d.setReg(R.VIRTIO_MMIO_STATUS, 0);
  assert.equal(d.status, 0);
  assert.equal(d.irqLevel, false);
  assert.equal(d.reg(R.VIRTIO_MMIO_INTERRUPT_STATUS), 0);
  d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_READY), 0);
  assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
  assert.equal(d.transport.negotiated(R.VIRTIO_F_VERSION_1), false);
  assert.equal(dev.resets, resets + 1);
});

test("config space: device bytes at 0x100 in any width; ConfigGeneration moves on a change", () => {
  const dev = new Echo();
  const d = new TestDriver(dev);
  assert.equal(d.transport.read(0x100, 4, 0), 0x04030201);
  assert.equal(d.transport.read(0x102, 2, 0), 0x0403);
  assert.equal(d.transport.read(0x107, 1, 0), 8);
  d.transport.write(0x101, 1, 0x55, 0);
  assert.equal(dev.config[1], 0x55);
  d.start();
  const gen = d.reg(R.VIRTIO_MMIO_CONFIG_GENERATION);
  dev.ctx!.configChanged();
  assert.equal(d.reg(R.VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
  assert.equal(d.ackInterrupt(), R.INT_CONFIG_CHANGE);
});

test("narrow accesses to control registers are ignored and logged", () => {
  const d = new TestDriver(new Echo());
  assert.equal(d.transport.read(0x000, 2, 0), 0);
  d.transport.write(R.VIRTIO_MMIO_STATUS, 1, 1, 0);
  assert.equal(d.status, 0);
  assert.equal(d.logs.length, 2);
});

for (const [what, setup] of [
  ["queue size not a power of two", (d: TestDriver) => d.setupQueue(0, 6)],
  ["queue size 0", (d: TestDriver) => d.setupQueue(0, 0)],
  ["queue size above QueueNumMax", (d: TestDriver) => d.setupQueue(0, 16)],
] as const) {
  test(`QueueReady with a bad queue (${what}) sets DEVICE_NEEDS_RESET`, () => {
    const d = new TestDriver(new Echo());
    d.negotiate();
    setup(d);
    assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
    d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
    assert.equal(d.reg(R.VIRTIO_MMIO_QUEUE_READY), 0);
  });
}

test("a ring outside guest RAM or misaligned is refused at QueueReady", () => {
  for (const [reg, value] of [
    [R.VIRTIO_MMIO_QUEUE_DESC_LOW, RAM_BASE + RAM_SIZE - 8],
    [R.VIRTIO_MMIO_QUEUE_DEVICE_LOW, RAM_BASE + 2],
    [R.VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 1],
  ] as const) {
    const d = new TestDriver(new Echo());
    d.negotiate();
    d.setReg(R.VIRTIO_MMIO_QUEUE_SEL, 0);
    d.setReg(R.VIRTIO_MMIO_QUEUE_NUM, 8);
    d.setReg(R.VIRTIO_MMIO_QUEUE_DESC_LOW, RAM_BASE);
    d.setReg(R.VIRTIO_MMIO_QUEUE_DRIVER_LOW, RAM_BASE + 0x1000);
    d.setReg(R.VIRTIO_MMIO_QUEUE_DEVICE_LOW, RAM_BASE + 0x2000);
    d.setReg(reg, value);
    d.setReg(R.VIRTIO_MMIO_QUEUE_READY, 1);
    assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET, `register 0x${reg.toString(16)}`);
  }
});

test("malformed chains: a loop, a buffer outside RAM, a bad head, an index jump all need a reset, with a config interrupt", () => {
  const cases: [string, (d: TestDriver) => void][] = [
    [
      "loops",
      (d) => {
        const l = d.layout(0);
        d.writeDesc(l.desc, 0, RAM_BASE + 0x9_0000, 4, VIRTQ_DESC_F_NEXT, 1);
        d.writeDesc(l.desc, 1, RAM_BASE + 0x9_0000, 4, VIRTQ_DESC_F_NEXT, 0);
        d.publish(0, 0);
      },
    ],
    [
      "not in guest",
      (d) => {
        d.writeDesc(d.layout(0).desc, 0, 0x1000, 4, 0, 0);
        d.publish(0, 0);
      },
    ],
    [
      "outside a table",
      (d) => {
        d.publish(0, 200);
      },
    ],
    [
      "moved",
      (d) => {
        d.setAvailIdx(0, 100);
      },
    ],
  ];
  for (const [pattern, corrupt] of cases) {
    const d = new TestDriver(new Echo());
    d.start();
    corrupt(d);
    d.notify(0);
    assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET, pattern);
    assert.match(d.logs.join("\n"), new RegExp(pattern));
    assert.equal(d.ackInterrupt(), R.INT_CONFIG_CHANGE, pattern);
    // It stays stopped until reset, then works again.
    d.notify(0);
    d.start();
    assert.equal(d.status & R.STATUS_DEVICE_NEEDS_RESET, 0);
    const p = d.post(0, [{ data: Uint8Array.of(1) }, { len: 1 }]);
    d.notify(0);
    assert.deepEqual(d.takeUsed(0), [{ id: p.head, len: 1 }], `${pattern}: works after reset`);
  }
});

test("a readable buffer after a writable one is malformed", () => {
  const d = new TestDriver(new Echo());
  d.start();
  d.post(0, [{ len: 1 }, { data: Uint8Array.of(1) }]);
  d.notify(0);
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
});

test("notifications for missing or unready queues are ignored", () => {
  const dev = new Echo();
  const d = new TestDriver(dev);
  d.negotiate();
  d.setupQueue(0);
  d.driverOk();
  d.notify(1);
  d.notify(7);
  assert.deepEqual(dev.notified, []);
  assert.equal(d.status & R.STATUS_DEVICE_NEEDS_RESET, 0);
});

test("the ring wraps: more chains than the queue size over time", () => {
  const d = new TestDriver(new Echo());
  d.start();
  for (let i = 0; i < 40; i++) {
    const p = d.post(0, [{ data: Uint8Array.of(i) }, { len: 1 }]);
    d.notify(0);
    assert.deepEqual(d.takeUsed(0), [{ id: p.head, len: 1 }]);
    assert.equal(d.bytesAt(p.writable[0].addr, 1)[0], i);
  }
});

test("an acknowledge posted after the device raised again keeps that cause and makes a new edge", () => {
  const d = new TestDriver(new Echo());
  d.start([0, 1]);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(d.irqEdges, 1);
  // The driver reads InterruptStatus, looks at its ring; meanwhile (its acknowledge still on the
  // way, as a posted write from a vcpu thread) the device publishes another buffer.
  assert.equal(d.reg(R.VIRTIO_MMIO_INTERRUPT_STATUS), R.INT_USED_BUFFER);
  assert.equal(d.takeUsed(0).length, 1);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  d.setReg(R.VIRTIO_MMIO_INTERRUPT_ACK, R.INT_USED_BUFFER);
  assert.equal(d.reg(R.VIRTIO_MMIO_INTERRUPT_STATUS), R.INT_USED_BUFFER, "the later cause is still set");
  assert.equal(d.irqLevel, true);
  assert.equal(d.irqEdges, 2, "a new rising edge for the edge-triggered SPI");
  // Read, then acknowledge with nothing new in between: the line goes down.
  assert.equal(d.ackInterrupt(), R.INT_USED_BUFFER);
  assert.equal(d.irqLevel, false);
  assert.equal(d.takeUsed(0).length, 1);
});

test("InterruptStatus read on a vcpu thread, from the transport's shared words, counts as the driver's read", () => {
  const words = new Int32Array(new SharedArrayBuffer(4 * VIRTIO_IRQ_WORDS));
  const d = new TestDriver(new Echo(), new VirtioInterruptStatus(words));
  // The vcpu thread's view: other objects over the same words.
  const vcpu = new VirtioInterruptStatus(new Int32Array(words.buffer));
  d.start([0, 1]);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(vcpu.read(), R.INT_USED_BUFFER, "the device's cause, seen from the other view");
  d.setReg(R.VIRTIO_MMIO_INTERRUPT_ACK, R.INT_USED_BUFFER);
  assert.equal(d.irqLevel, false, "the acknowledge after that read clears the cause");
  assert.equal(vcpu.read(), 0);

  // A cause raised after the vcpu's read survives the acknowledge, with a new edge.
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  assert.equal(vcpu.read(), R.INT_USED_BUFFER);
  d.post(0, [{ len: 1 }]);
  d.notify(0);
  d.setReg(R.VIRTIO_MMIO_INTERRUPT_ACK, R.INT_USED_BUFFER);
  assert.equal(vcpu.read(), R.INT_USED_BUFFER, "the later cause is still set");
  assert.equal(d.irqLevel, true);
  assert.equal(d.irqEdges, 3);
});

test("InterruptStatus words: an acknowledge clears only what was read; reset clears all", () => {
  const s = new VirtioInterruptStatus();
  s.raise(R.INT_USED_BUFFER);
  assert.equal(s.acknowledge(R.INT_USED_BUFFER), R.INT_USED_BUFFER, "not read yet: kept");
  assert.equal(s.read(), R.INT_USED_BUFFER);
  s.raise(R.INT_CONFIG_CHANGE);
  assert.equal(s.acknowledge(R.INT_USED_BUFFER | R.INT_CONFIG_CHANGE), R.INT_CONFIG_CHANGE);
  assert.equal(s.status, R.INT_CONFIG_CHANGE);
  assert.equal(s.clear(), true);
  assert.equal(s.clear(), false);
  assert.equal(s.status | s.raisedSinceRead, 0);
  s.restore(R.INT_USED_BUFFER, R.INT_CONFIG_CHANGE);
  assert.deepEqual([s.status, s.raisedSinceRead], [R.INT_USED_BUFFER, R.INT_CONFIG_CHANGE]);
});
