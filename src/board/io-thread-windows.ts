// A vcpu thread's windows onto the devices that live on the I/O thread, and the channel they use:
// reads wait for the answer (through this vcpu's shared answer slot), writes are posted, in order
// with this vcpu's reads (both travel on the same port).
//
// A posted write that lowers a level-triggered interrupt (a UART's interrupt clear) must still
// reach the vgic before the guest's EOI is resampled, as KVM completes an MMIO exit before the
// vcpu runs on: the vcpu waits for such writes before every fold of its list registers
// (`IoChannel.drainLevel`). Virtio's interrupts are edges (as on QEMU's virt board), and a write
// to a virtio transport (a QueueNotify, an InterruptACK) changes no level the fold could resample,
// so the vcpu does not wait for those there: it would otherwise wait, at its next exit, for the
// I/O thread to finish serving each QueueNotify.

import type { MmioDevice } from "../devices/device.js";
import { VIRTIO_IRQ_WORDS, VirtioInterruptStatus } from "../devices/virtio/interrupt-status.js";
import { VIRTIO_MMIO_INTERRUPT_STATUS } from "../devices/virtio/mmio-regs.js";
import { SharedArrays } from "../host/shared-arrays.js";
import type { MessageSink } from "../host/thread-messages.js";
import type { VmControl } from "../vmm/vm-control.js";
import { VIRT_VIRTIO_ENTRIES } from "./virt-virtio.js";

/** What the channel needs of the VM's shared control block. */
export type IoControl = Pick<VmControl, "mmio" | "writesDone" | "running">;

/** MMIO to the I/O thread: synchronous reads through this vcpu's shared answer slot, posted writes. */
export class IoChannel {
  /** Writes posted so far (the I/O thread counts those done in VmControl.writesDone), and the
   * number of the last one that may lower a level-triggered line. */
  private posted = 0;
  private levelPosted = 0;
  constructor(
    readonly sink: MessageSink,
    private readonly control: IoControl,
  ) {}

  read(vcpu: number, ipa: number, size: number): number {
    const slot = this.control.mmio;
    Atomics.store(slot, vcpu * 2, 0);
    this.sink.post({ k: "read", vcpu, ipa, size });
    while (Atomics.load(slot, vcpu * 2) === 0) {
      if (!this.control.running) return 0;
      Atomics.wait(slot, vcpu * 2, 0, 50);
    }
    return Atomics.load(slot, vcpu * 2) === 1 ? slot[vcpu * 2 + 1] >>> 0 : 0;
  }

  /** Posts a write; `level`: the device's interrupt is level-triggered (the write may lower it). */
  write(vcpu: number, ipa: number, size: number, value: number, level: boolean): void {
    this.posted = (this.posted + 1) | 0;
    if (level) this.levelPosted = this.posted;
    this.sink.post({ k: "write", vcpu, ipa, size, value });
  }

  /** Waits until the I/O thread has carried out every write this vcpu posted. */
  drain(vcpu: number): void {
    this.drainTo(vcpu, this.posted);
  }

  /** Waits until it has carried out every write that may lower a level-triggered line. */
  drainLevel(vcpu: number): void {
    this.drainTo(vcpu, this.levelPosted);
  }

  private drainTo(vcpu: number, target: number): void {
    const done = this.control.writesDone;
    for (;;) {
      const d = Atomics.load(done, vcpu);
      // The counts wrap at 2^31 together; done never passes posted.
      if (((d - target) | 0) >= 0 || !this.control.running) return;
      Atomics.wait(done, vcpu, d, 50);
    }
  }
}

/** A device window served by the I/O thread, for a device whose interrupt (if any) is taken as
 * level-triggered. */
export class IoThreadWindow implements MmioDevice {
  constructor(
    private readonly base: number,
    protected readonly io: IoChannel,
    private readonly level = true,
  ) {}
  read(offset: number, size: number, cpu: number): number {
    return this.io.read(cpu, (this.base + offset) >>> 0, size);
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    this.io.write(cpu, (this.base + offset) >>> 0, size, value, this.level);
  }
}

/** A virtio-mmio transport on the I/O thread (edge-triggered), except that the driver's reads of
 * InterruptStatus are answered here from the transport's shared words: the read an interrupt
 * handler does first costs no round trip. It still comes after this vcpu's posted writes (an
 * acknowledge before it has cleared its bits), as every read does on the I/O thread. */
class VirtioThreadWindow extends IoThreadWindow {
  constructor(
    base: number,
    io: IoChannel,
    private readonly interrupt: VirtioInterruptStatus,
  ) {
    super(base, io, false);
  }
  override read(offset: number, size: number, cpu: number): number {
    if (offset !== VIRTIO_MMIO_INTERRUPT_STATUS || size !== 4) return super.read(offset, size, cpu);
    this.io.drain(cpu);
    return this.interrupt.read();
  }
}

/** Windows for the occupied virtio slots (the empty ones answer locally); `irq` holds their
 * InterruptStatus words in slot order. */
export function virtioWindows(
  slots: readonly number[],
  io: IoChannel,
  irq: readonly SharedArrayBuffer[],
): (MmioDevice | undefined)[] {
  const windows: (MmioDevice | undefined)[] = [];
  const words = new SharedArrays(irq);
  for (const n of slots) {
    const status = new VirtioInterruptStatus(words.i32(VIRTIO_IRQ_WORDS));
    windows[n] = new VirtioThreadWindow(VIRT_VIRTIO_ENTRIES[n].base, io, status);
  }
  return windows;
}
