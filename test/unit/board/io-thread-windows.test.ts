// The vcpu's channel to the I/O thread: which posted writes it waits for before folding its list
// registers. A fake I/O thread finishes every posted write when the vcpu first looks at whether the
// VM still runs, which the channel does only when it has to wait.

import { test } from "node:test";
import assert from "node:assert/strict";
import { IoChannel, IoThreadWindow, virtioWindows, type IoControl } from "../../../src/board/io-thread-windows.js";
import type { FromVcpu, MessageSink } from "../../../src/host/thread-messages.js";
import { VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_QUEUE_NOTIFY } from "../../../src/devices/virtio/mmio-regs.js";
import { VIRTIO_IRQ_WORDS } from "../../../src/devices/virtio/interrupt-status.js";
import { VIRT_UART } from "../../../src/board/virt.js";

class FakeIoThread implements MessageSink, IoControl {
  readonly mmio = new Int32Array(new SharedArrayBuffer(16));
  readonly writesDone = new Int32Array(new SharedArrayBuffer(8));
  readonly posted: FromVcpu[] = [];
  /** Times the vcpu had to wait. */
  waits = 0;
  post(message: FromVcpu): void {
    this.posted.push(message);
  }
  get running(): boolean {
    this.waits++;
    Atomics.store(this.writesDone, 0, this.posted.filter((m) => m.k === "write").length);
    return true;
  }
}

function setup() {
  const io = new FakeIoThread();
  const channel = new IoChannel(io, io);
  const uart = new IoThreadWindow(VIRT_UART.base, channel);
  const irq = [new SharedArrayBuffer(4 * VIRTIO_IRQ_WORDS)];
  const virtio = virtioWindows([0], channel, irq)[0];
  assert.ok(virtio !== undefined);
  return { io, channel, uart, virtio };
}

test("before a fold the vcpu waits for a posted UART write (it may lower a level line)", () => {
  const { io, channel, uart } = setup();
  uart.write(0x44, 4, 0x7ff, 0); // UARTICR
  channel.drainLevel(0);
  assert.equal(io.waits, 1);
  assert.equal(Atomics.load(io.writesDone, 0), 1);
});

test("before a fold the vcpu does not wait for posted virtio writes (edge interrupts)", () => {
  const { io, channel, virtio } = setup();
  virtio.write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 1, 0);
  channel.drainLevel(0);
  assert.equal(io.waits, 0, "no wait");
  // An earlier UART write is still waited for, even with virtio writes after it.
  const s = setup();
  s.uart.write(0x44, 4, 0x7ff, 0);
  s.virtio.write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 1, 0);
  Atomics.store(s.io.writesDone, 0, 1); // the UART write is done, the notify is not
  s.channel.drainLevel(0);
  assert.equal(s.io.waits, 0, "the level write is done");
  Atomics.store(s.io.writesDone, 0, 0);
  s.channel.drainLevel(0);
  assert.equal(s.io.waits, 1, "the level write is outstanding");
});

test("reading InterruptStatus waits for every posted write, virtio's included (an ACK clears bits)", () => {
  const { io, virtio } = setup();
  virtio.write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 1, 0);
  virtio.read(VIRTIO_MMIO_INTERRUPT_STATUS, 4, 0);
  assert.equal(io.waits, 1);
  assert.equal(io.posted.filter((m) => m.k === "read").length, 0, "answered from the shared words");
});

test("drain waits for all writes; nothing posted, nothing to wait for", () => {
  const { io, channel, virtio } = setup();
  channel.drain(0);
  channel.drainLevel(0);
  assert.equal(io.waits, 0);
  virtio.write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 1, 0);
  channel.drain(0);
  assert.equal(io.waits, 1);
});
