// virtio-net (Virtio 1.1 5.1) with one queue pair: receiveq 0, transmitq 1. Every buffer starts
// with the 12-byte virtio_net_hdr of VERSION_1 {flags, gso_type, hdr_len, gso_size, csum_start,
// csum_offset, num_buffers}. Offered: MAC, STATUS (link up while the backend has a peer),
// MRG_RXBUF (a received frame may span several chains; num_buffers says how many), and the
// offloads of ../net/offload.ts: CSUM (the guest may leave a checksum for the device to finish),
// HOST_TSO4 (it may send a TCP/IPv4 segment of up to 64 KiB, which the device cuts into frames)
// and GUEST_CSUM (received TCP/UDP over IPv4 whose checksums the device checked come marked
// DATA_VALID, so the guest's stack does not sum every byte again). The backend always carries
// plain frames with correct checksums, so any peer (QEMU's stream netdev, passt) understands them.
// Receive offloads that merge frames (GUEST_TSO4) are not offered.
//
// Frames from the backend wait in a bounded queue while the guest has no receive buffers, as a
// NIC's FIFO would; when it overflows the oldest are dropped (and counted), never the process.

import { readConfigBytes, serveQueue, type VirtioContext, type VirtioDevice } from "./device.js";
import { VIRTIO_ID_NET } from "./mmio-regs.js";
import { Chain, VirtqueueError } from "./virtqueue.js";
import type { NetBackend } from "../net/backend.js";
import { checksumsValid, completeChecksum, segmentTcp4 } from "../net/offload.js";
import { SnapshotError } from "../../snapshot/snapshot-error.js";
import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";

export const VIRTIO_NET_F_CSUM = 0;
export const VIRTIO_NET_F_GUEST_CSUM = 1;
export const VIRTIO_NET_F_MAC = 5;
export const VIRTIO_NET_F_HOST_TSO4 = 11;
export const VIRTIO_NET_F_MRG_RXBUF = 15;
export const VIRTIO_NET_F_STATUS = 16;
export const VIRTIO_NET_S_LINK_UP = 1;

/** virtio_net_hdr.flags, and gso_type values. */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;
export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;

/** Configuration: mac[6], le16 status, le16 max_virtqueue_pairs. */
export const NET_CFG_MAC = 0;
export const NET_CFG_STATUS = 6;
export const NET_CFG_MAX_PAIRS = 8;
const NET_CFG_SIZE = 10;

export const NET_RX = 0;
export const NET_TX = 1;
export const NET_HDR = 12;
const NUM_BUFFERS = 10;
export const NET_QUEUE_SIZE = 256;
/** Frames held for the guest at most while it posts no receive buffers. */
export const NET_RX_BACKLOG = 256;

export interface NetStats {
  txFrames: number;
  /** Transmit buffers dropped: a segmentation the device was not offered, or a malformed one. */
  txDropped: number;
  rxFrames: number;
  rxDropped: number;
}

export class VirtioNet implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_NET;
  readonly name: string;
  readonly features: readonly [number, number] = [
    ((1 << VIRTIO_NET_F_CSUM) |
      (1 << VIRTIO_NET_F_GUEST_CSUM) |
      (1 << VIRTIO_NET_F_MAC) |
      (1 << VIRTIO_NET_F_HOST_TSO4) |
      (1 << VIRTIO_NET_F_MRG_RXBUF) |
      (1 << VIRTIO_NET_F_STATUS)) >>>
      0,
    0,
  ];
  readonly queueSizes = [NET_QUEUE_SIZE, NET_QUEUE_SIZE];
  readonly stats: NetStats = { txFrames: 0, txDropped: 0, rxFrames: 0, rxDropped: 0 };
  private readonly config = new Uint8Array(NET_CFG_SIZE);
  private readonly chain = new Chain();
  private readonly header = new Uint8Array(NET_HDR);
  private backlog: Uint8Array[] = [];
  private ctx: VirtioContext | null = null;

  constructor(
    private readonly backend: NetBackend,
    mac: Uint8Array,
    name = "virtio-net",
  ) {
    this.name = name;
    this.config.set(mac.subarray(0, 6), NET_CFG_MAC);
    this.config[NET_CFG_MAX_PAIRS] = 1;
    this.setLink(backend.linkUp);
    backend.onFrame = (frame) => this.receive(frame);
    backend.onLink = (up) => {
      this.setLink(up);
      this.ctx?.configChanged();
    };
  }

  get linkUp(): boolean {
    return (this.config[NET_CFG_STATUS] & VIRTIO_NET_S_LINK_UP) !== 0;
  }

  private setLink(up: boolean): void {
    this.config[NET_CFG_STATUS] = up ? VIRTIO_NET_S_LINK_UP : 0;
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(): void {
    // The MAC is writable only with VIRTIO_NET_F_CTRL_MAC_ADDR's legacy path, not offered.
  }

  start(ctx: VirtioContext): void {
    this.ctx = ctx;
    // A restored NIC has a new backend, whose link may not be what the guest last saw.
    if (this.backend.linkUp !== this.linkUp) {
      this.setLink(this.backend.linkUp);
      ctx.configChanged();
    }
    this.deliver();
  }

  /** Snapshots: the link as the guest last saw it, and the frames waiting for receive buffers. */
  save(w: StateWriter): void {
    w.bool(this.linkUp);
    w.u32(this.backlog.length);
    for (const frame of this.backlog) w.bytes(frame);
  }

  restore(r: StateReader): void {
    this.setLink(r.bool());
    const n = r.u32();
    if (n > NET_RX_BACKLOG) throw new SnapshotError(`${this.name}: ${n} waiting frames, more than a NIC holds`);
    this.backlog = [];
    for (let k = 0; k < n; k++) this.backlog.push(r.bytes().slice());
  }

  reset(): void {
    this.ctx = null;
  }

  notify(q: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    if (q === NET_RX) {
      this.deliver();
      return;
    }
    if (q !== NET_TX) return;
    const mem = ctx.memory.bytes;
    const header = this.header;
    serveQueue(ctx, q, this.chain, (chain) => {
      const len = chain.readableBytes - NET_HDR;
      if (len > 0) {
        const frame = new Uint8Array(len);
        chain.read(mem, 0, header);
        chain.read(mem, NET_HDR, frame);
        this.transmit(ctx, frame, header);
      }
      return 0;
    });
  }

  /** A frame from the guest, with its header's offload requests carried out, to the backend. */
  private transmit(ctx: VirtioContext, frame: Uint8Array, header: Uint8Array): void {
    const gso = header[1] & 0x7f;
    if (gso !== VIRTIO_NET_HDR_GSO_NONE) {
      const mss = header[4] | (header[5] << 8);
      const frames =
        gso === VIRTIO_NET_HDR_GSO_TCPV4 && ctx.negotiated(VIRTIO_NET_F_HOST_TSO4) ? segmentTcp4(frame, mss) : null;
      if (frames === null) {
        this.stats.txDropped++;
        return;
      }
      for (const f of frames) this.backend.send(f);
      this.stats.txFrames += frames.length;
      return;
    }
    if ((header[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0 && ctx.negotiated(VIRTIO_NET_F_CSUM)) {
      completeChecksum(frame, header[6] | (header[7] << 8), header[8] | (header[9] << 8));
    }
    this.stats.txFrames++;
    this.backend.send(frame);
  }

  /** The receive header of `frame`: DATA_VALID when the guest takes it and the sums are right. */
  private rxHeader(ctx: VirtioContext, frame: Uint8Array): Uint8Array {
    this.header.fill(0);
    if (ctx.negotiated(VIRTIO_NET_F_GUEST_CSUM) && checksumsValid(frame)) this.header[0] = VIRTIO_NET_HDR_F_DATA_VALID;
    return this.header;
  }

  /** A frame from the backend for the guest. */
  receive(frame: Uint8Array): void {
    if (this.backlog.length >= NET_RX_BACKLOG) {
      this.backlog.shift();
      this.stats.rxDropped++;
    }
    this.backlog.push(frame);
    this.deliver();
  }

  /** Moves waiting frames into the guest's receive buffers. */
  private deliver(): void {
    const ctx = this.ctx;
    if (ctx === null || this.backlog.length === 0) return;
    const vq = ctx.queues[NET_RX];
    const mem = ctx.memory.bytes;
    const mergeable = ctx.negotiated(VIRTIO_NET_F_MRG_RXBUF);
    try {
      while (this.backlog.length > 0) {
        const frame = this.backlog[0];
        if (!vq.pop(this.chain)) break;
        if (!mergeable) {
          // One chain per frame: what does not fit is cut, as a too-small buffer on a real NIC.
          let written = this.chain.write(mem, 0, this.rxHeader(ctx, frame));
          written += this.chain.write(mem, NET_HDR, frame);
          vq.push(this.chain.head, written);
        } else {
          this.deliverMerged(frame, ctx, mem);
        }
        this.backlog.shift();
        this.stats.rxFrames++;
      }
      vq.armNotify();
    } catch (e) {
      ctx.fail(`queue ${NET_RX}: ${e instanceof VirtqueueError ? e.message : `internal error: ${String(e)}`}`);
      return;
    }
    ctx.interruptIfWanted(NET_RX);
  }

  /** With MRG_RXBUF: the header and frame across as many chains as needed (the first is popped). */
  private deliverMerged(frame: Uint8Array, ctx: VirtioContext, mem: Uint8Array): void {
    const vq = ctx.queues[NET_RX];
    const firstHead = this.chain.head;
    const firstHdr = this.chain.writable[0] as { offset: number; len: number } | undefined;
    // The driver must make every mergeable buffer at least a header long (5.1.6.3.1), so that
    // num_buffers can be filled in once the frame is placed.
    if (firstHdr === undefined || firstHdr.len < NET_HDR) {
      throw new VirtqueueError(`receive buffer of ${firstHdr?.len ?? 0} bytes is shorter than the header`);
    }
    let written = this.chain.write(mem, 0, this.rxHeader(ctx, frame));
    let at = 0;
    let buffers = 1;
    at += this.chain.write(mem, written, frame);
    written += at;
    const used: [number, number][] = [[firstHead, written]];
    while (at < frame.length) {
      if (!vq.pop(this.chain)) break; // no more buffers: the rest of the frame is lost
      const n = this.chain.write(mem, 0, frame.subarray(at));
      at += n;
      buffers++;
      used.push([this.chain.head, n]);
    }
    mem[firstHdr.offset + NUM_BUFFERS] = buffers & 0xff;
    mem[firstHdr.offset + NUM_BUFFERS + 1] = buffers >>> 8;
    for (const [head, len] of used) vq.push(head, len);
  }
}
