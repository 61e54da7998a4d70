// virtio-console (Virtio 1.1 5.3) with one port, the guest's /dev/hvc0: queue 0 carries bytes to
// the guest (receiveq), queue 1 from it (transmitq). Offered: EMERG_WRITE, a configuration field
// the guest writes one character to before the queues are up. Host input waits in a queue here
// while the guest has no receive buffers posted, and goes out when the driver posts more.

import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";
import { readConfigBytes, serveQueue, type VirtioContext, type VirtioDevice } from "./device.js";
import { VIRTIO_ID_CONSOLE } from "./mmio-regs.js";
import { Chain, VirtqueueError } from "./virtqueue.js";

export const VIRTIO_CONSOLE_F_SIZE = 0;
export const VIRTIO_CONSOLE_F_EMERG_WRITE = 2;
/** Configuration: le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr. */
export const CONSOLE_CFG_MAX_NR_PORTS = 4;
export const CONSOLE_CFG_EMERG_WR = 8;
const CONSOLE_CFG_SIZE = 12;

export const CONSOLE_RX = 0;
export const CONSOLE_TX = 1;
/** Host input held while the guest has no receive buffer, at most (older bytes are kept). */
const MAX_PENDING_INPUT = 1 << 20;

export class VirtioConsole implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_CONSOLE;
  readonly name = "virtio-console";
  readonly features: readonly [number, number] = [1 << VIRTIO_CONSOLE_F_EMERG_WRITE, 0];
  readonly queueSizes = [64, 64];
  private readonly config = new Uint8Array(CONSOLE_CFG_SIZE);
  private readonly chain = new Chain();
  private pending: number[] = [];
  private ctx: VirtioContext | null = null;

  constructor(private readonly output: (bytes: Uint8Array) => void) {
    this.config[CONSOLE_CFG_MAX_NR_PORTS] = 1;
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(offset: number, _size: number, value: number): void {
    if (offset === CONSOLE_CFG_EMERG_WR) this.output(Uint8Array.of(value & 0xff));
  }

  start(ctx: VirtioContext): void {
    this.ctx = ctx;
    this.deliver();
  }

  reset(): void {
    this.ctx = null;
  }

  /** Snapshots: typed input the guest has not taken yet. */
  save(w: StateWriter): void {
    w.bytes(Uint8Array.from(this.pending));
  }

  restore(r: StateReader): void {
    this.pending = [...r.bytes()];
  }

  /** Bytes typed on the host's terminal. */
  input(bytes: Uint8Array): void {
    const room = MAX_PENDING_INPUT - this.pending.length;
    for (let i = 0; i < bytes.length && i < room; i++) this.pending.push(bytes[i]);
    this.deliver();
  }

  notify(q: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    if (q === CONSOLE_RX) {
      this.deliver();
      return;
    }
    const mem = ctx.memory.bytes;
    serveQueue(ctx, q, this.chain, (chain) => {
      for (const s of chain.readable) this.output(mem.slice(s.offset, s.offset + s.len));
      return 0;
    });
  }

  /** Moves pending input into the guest's receive buffers. */
  private deliver(): void {
    const ctx = this.ctx;
    if (ctx === null || this.pending.length === 0) return;
    const vq = ctx.queues[CONSOLE_RX];
    const mem = ctx.memory.bytes;
    try {
      while (this.pending.length > 0 && vq.pop(this.chain)) {
        const n = Math.min(this.pending.length, this.chain.writableBytes);
        const written = this.chain.write(mem, 0, Uint8Array.from(this.pending.slice(0, n)));
        this.pending.splice(0, written);
        vq.push(this.chain.head, written);
      }
      vq.armNotify();
    } catch (e) {
      ctx.fail(`queue ${CONSOLE_RX}: ${e instanceof VirtqueueError ? e.message : `internal error: ${String(e)}`}`);
      return;
    }
    ctx.interruptIfWanted(CONSOLE_RX);
  }
}
