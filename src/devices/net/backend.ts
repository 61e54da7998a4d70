// The far side of a virtio-net NIC: where the guest's Ethernet frames go and where frames for it
// come from. Backends (user-mode networking through passt, QEMU-compatible stream sockets) live in
// src/host/node; the device only sees this interface, so a browser can bring its own.

export interface NetBackend {
  /** Sends one Ethernet frame (without the virtio-net header). */
  send(frame: Uint8Array): void;
  /** Whether a peer is there (the link's carrier). */
  readonly linkUp: boolean;
  /** Set by the device: a frame for the guest arrived. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Set by the device: the carrier came or went. */
  onLink: ((up: boolean) => void) | null;
  close(): void;
}

/** A backend with no peer: frames from the guest are dropped, none arrive (tests, `--net none`). */
export class NullNetBackend implements NetBackend {
  readonly linkUp = false;
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onLink: ((up: boolean) => void) | null = null;
  send(): void {}
  close(): void {}
}
