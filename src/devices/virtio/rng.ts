// virtio-rng, the entropy device (Virtio 1.1 5.4): one queue of device-writable buffers, each
// filled with random bytes. No features, no configuration. The bytes come from an entropy source:
// the host's CSPRNG (Web Crypto's getRandomValues, in Node and browsers alike), or, for icount runs
// that must repeat exactly, a seeded generator that is not cryptographic.

import { serveQueue, type VirtioContext, type VirtioDevice } from "./device.js";
import { VIRTIO_ID_ENTROPY } from "./mmio-regs.js";
import { Chain } from "./virtqueue.js";
import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";

export interface EntropySource {
  /** Fills `dst` with random bytes. */
  fill(dst: Uint8Array): void;
  /** Snapshots of a generator with state (a seeded stream must go on where it was). */
  save?(w: StateWriter): void;
  restore?(r: StateReader): void;
}

/** getRandomValues takes at most 65536 bytes per call. */
const CRYPTO_CHUNK = 65536;

/** The host's CSPRNG. Browsers refuse views of shared memory, so it fills a scratch buffer there. */
export class CryptoEntropy implements EntropySource {
  private scratch: Uint8Array | null = null;

  fill(dst: Uint8Array): void {
    for (let at = 0; at < dst.length; at += CRYPTO_CHUNK) {
      const part = dst.subarray(at, Math.min(dst.length, at + CRYPTO_CHUNK));
      if (this.scratch === null) {
        try {
          crypto.getRandomValues(part);
          continue;
        } catch {
          this.scratch = new Uint8Array(CRYPTO_CHUNK);
        }
      }
      const s = this.scratch.subarray(0, part.length);
      crypto.getRandomValues(s);
      part.set(s);
    }
  }
}

/** A repeatable stream (xorshift128), for --clock icount, whose runs must be identical. */
export class SeededEntropy implements EntropySource {
  private s: Uint32Array;

  constructor(seed: number) {
    this.s = new Uint32Array([seed | 1, 0x9e3779b9, 0x7f4a7c15, 0x85ebca6b]);
  }

  save(w: StateWriter): void {
    w.array(this.s);
  }

  restore(r: StateReader): void {
    r.array(this.s);
  }

  fill(dst: Uint8Array): void {
    const s = this.s;
    for (let i = 0; i < dst.length; i++) {
      let t = s[3];
      t ^= t << 11;
      t ^= t >>> 8;
      s[3] = s[2];
      s[2] = s[1];
      s[1] = s[0];
      s[0] = (t ^ s[0] ^ (s[0] >>> 19)) >>> 0;
      dst[i] = s[0];
    }
  }
}

/** Bytes given per buffer at most; Linux asks for 64 at a time anyway. */
const MAX_PER_BUFFER = 1 << 16;

export class VirtioRng implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_ENTROPY;
  readonly name = "virtio-rng";
  readonly features: readonly [number, number] = [0, 0];
  readonly queueSizes = [64];
  private readonly chain = new Chain();
  private ctx: VirtioContext | null = null;

  constructor(private readonly source: EntropySource) {}

  readConfig(): number {
    return 0;
  }

  save(w: StateWriter): void {
    w.bool(this.source.save !== undefined);
    this.source.save?.(w);
  }

  restore(r: StateReader): void {
    if (r.bool()) this.source.restore?.(r);
  }

  writeConfig(): void {}

  start(ctx: VirtioContext): void {
    this.ctx = ctx;
  }

  reset(): void {
    this.ctx = null;
  }

  notify(q: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    const mem = ctx.memory.bytes;
    serveQueue(ctx, q, this.chain, (chain) => {
      let given = 0;
      for (const s of chain.writable) {
        const n = Math.min(s.len, MAX_PER_BUFFER - given);
        this.source.fill(mem.subarray(s.offset, s.offset + n));
        given += n;
        if (given >= MAX_PER_BUFFER) break;
      }
      return given;
    });
  }
}
