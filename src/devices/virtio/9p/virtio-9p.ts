// virtio-9p (Virtio 1.1 5.x "9P transport"): a shared folder the guest mounts with
// `mount -t 9p -o trans=virtio TAG DIR`. One request queue; each chain carries one T-message in
// its readable buffers and gets the R-message in its writable ones. The configuration space is
// le16 tag_len + the tag, and MOUNT_TAG (bit 0) must be offered: Linux refuses the device without
// it. Requests are served at once, in order, so Tflush never finds anything to cancel.

import { readConfigBytes, serveQueue, type VirtioContext, type VirtioDevice } from "../device.js";
import { VIRTIO_ID_9P } from "../mmio-regs.js";
import { Chain, VirtqueueError } from "../virtqueue.js";
import type { FsBackend } from "./backend.js";
import { p9bytes } from "./codec.js";
import { HEADER_SIZE } from "./protocol.js";
import { MAX_MSIZE, P9Server } from "./server.js";

export const VIRTIO_9P_F_MOUNT_TAG = 0;
/** Ring entries (Linux's 9p transport uses up to 128 scatter entries per request). */
export const P9_QUEUE_SIZE = 128;
/** Longest tag (QEMU's limit too; Linux copies it into a 32-byte-safe string). */
export const MAX_TAG_BYTES = 31;
/** Rlerror: size[4] type[1] tag[2] ecode[4]; a chain with less room cannot be answered. */
const RLERROR_SIZE = HEADER_SIZE + 4;
/** Bytes of a request read from the guest at most: msize and some slack; a longer chain is
 * answered with Rlerror (its size field no longer matches). */
const MAX_REQUEST = MAX_MSIZE + 4096;

export class VirtioP9 implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_9P;
  readonly name: string;
  readonly features: readonly [number, number] = [1 << VIRTIO_9P_F_MOUNT_TAG, 0];
  readonly queueSizes = [P9_QUEUE_SIZE];
  readonly server: P9Server;
  private readonly config: Uint8Array;
  private readonly chain = new Chain();
  private readonly request = new Uint8Array(MAX_REQUEST);
  private ctx: VirtioContext | null = null;

  constructor(backend: FsBackend, tag: string, log: (message: string) => void = () => {}) {
    const bytes = p9bytes(tag);
    if (bytes.length === 0 || bytes.length > MAX_TAG_BYTES)
      throw new RangeError(`9p tag '${tag}' is not 1 to 31 bytes`);
    this.name = `virtio-9p ${tag}`;
    this.config = new Uint8Array(2 + bytes.length);
    this.config[0] = bytes.length;
    this.config.set(bytes, 2);
    this.server = new P9Server(backend, (m) => (this.ctx ?? { log }).log(m));
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(): void {
    // The configuration space is read-only.
  }

  start(ctx: VirtioContext): void {
    this.ctx = ctx;
  }

  reset(): void {
    this.ctx = null;
    this.server.reset();
  }

  notify(q: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    serveQueue(ctx, q, this.chain, (chain) => this.serve(chain, ctx.memory.bytes));
  }

  /** One T-message in, one R-message out; returns the bytes written. */
  private serve(chain: Chain, mem: Uint8Array): number {
    if (chain.writableBytes < RLERROR_SIZE) {
      throw new VirtqueueError(`9p request with ${chain.writableBytes} writable bytes has no room for a reply`);
    }
    const n = Math.min(chain.readableBytes, this.request.length);
    const req = this.request.subarray(0, n);
    chain.read(mem, 0, req);
    return chain.write(mem, 0, this.server.handle(req, chain.writableBytes));
  }
}
