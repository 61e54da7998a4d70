// What a virtio device type (block, entropy, console...) implements behind the transport. The
// transport owns the feature negotiation, the queues and the interrupt; the device knows its
// configuration space and what a buffer on each of its queues means.

import type { GuestMemory } from "./guest-memory.js";
import type { Chain, Virtqueue } from "./virtqueue.js";
import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";

/** The transport's services, as the device sees them once the driver is ready. */
export interface VirtioContext {
  readonly memory: GuestMemory;
  readonly queues: readonly Virtqueue[];
  /** Whether the driver accepted feature bit `bit` (0..63). */
  negotiated(bit: number): boolean;
  /** Raises the used-buffer interrupt for queue `q` if the driver wants one now. */
  interruptIfWanted(q: number): void;
  /** The configuration space changed: bumps ConfigGeneration and raises the config interrupt. */
  configChanged(): void;
  /** The driver broke the rules outside a notification (found while serving host input): the
   * device needs a reset. */
  fail(reason: string): void;
  /** One line for the VMM's log. */
  log(message: string): void;
}

export interface VirtioDevice {
  readonly deviceId: number;
  /** Short name for messages ("virtio-blk vda"). */
  readonly name: string;
  /** Device feature bits offered (bits 0..23 and any device bits above the transport's), as
   * [bits 0..31, bits 32..63]; the transport adds its own. */
  readonly features: readonly [number, number];
  /** QueueNumMax of each queue. */
  readonly queueSizes: readonly number[];
  /** Reads `size` bytes (1, 2 or 4) of the configuration space at `offset` (little-endian). */
  readConfig(offset: number, size: number): number;
  writeConfig(offset: number, size: number, value: number): void;
  /** DRIVER_OK: the queues are set up and the device may use them through `ctx`. */
  start(ctx: VirtioContext): void;
  /** The driver made buffers available on queue `q` (only called after start). Throws
   * VirtqueueError for a malformed ring. */
  notify(q: number): void;
  /** A device reset: forget the driver's queues and any request state. */
  reset(): void;
  /** Snapshots: state of the device's own beyond the transport's (taken with no request in
   * flight); devices without any leave these out. */
  save?(w: StateWriter): void;
  restore?(r: StateReader): void;
}

/** Little-endian reads of a configuration-space byte array, zero outside it. */
export function readConfigBytes(config: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = (v << 8) | (offset + i < config.length ? config[offset + i] : 0);
  return v >>> 0;
}

/** Serves every chain waiting on queue `q` with `serve` (which returns the bytes it wrote into the
 * chain), re-arms the driver's notifications and serves what arrived meanwhile, then interrupts
 * if the driver wants to hear. The request-queue loop every device shares. */
export function serveQueue(ctx: VirtioContext, q: number, chain: Chain, serve: (chain: Chain) => number): void {
  const vq = ctx.queues[q];
  do {
    while (vq.pop(chain)) vq.push(chain.head, serve(chain));
  } while (vq.armNotify());
  ctx.interruptIfWanted(q);
}
