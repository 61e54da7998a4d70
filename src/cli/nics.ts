// --net: the NICs' backends, started before the machine is built so that a backend that cannot
// start (passt missing, a port in use, a peer that does not answer) is a one-line error, and their
// MAC addresses. A NIC without `mac=` gets a stable, locally administered address derived from
// what identifies the VM (its first disk image or kernel, and the NIC's own option), so a guest
// keeps its DHCP lease from run to run, and two VMs joined by a socket do not clash.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { VirtNic } from "../board/virt-virtio.js";
import { passtLink } from "../host/node/net-passt.js";
import { connectLink, listenLink, parseSocketAddress, NetBackendError } from "../host/node/net-stream.js";
import type { NetOption } from "./options.js";

export { NetBackendError };

/** 52:54:00 (QEMU's locally administered prefix) and three bytes of a hash of `identity`. */
export function stableMac(identity: string): Uint8Array {
  const h = createHash("sha256").update(identity).digest();
  return Uint8Array.of(0x52, 0x54, 0x00, h[0], h[1], h[2]);
}

export function parseMac(text: string): Uint8Array {
  return Uint8Array.from(text.split(":").map((b) => parseInt(b, 16)));
}

/** `52:54:00:12:34:56`. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** Starts every NIC's backend; on a failure, closes those already started and throws. */
export async function openNics(
  nets: readonly NetOption[],
  vmIdentity: string,
  log: (m: string) => void,
): Promise<VirtNic[]> {
  const nics: VirtNic[] = [];
  try {
    for (const [i, n] of nets.entries()) {
      let backend;
      if (n.kind === "user") {
        backend = await passtLink(log);
      } else {
        const addr = parseSocketAddress(n.address);
        if (addr === null) throw new NetBackendError(`--net socket: '${n.address}' is not HOST:PORT or unix:PATH`);
        if ("path" in addr) addr.path = resolve(addr.path);
        backend = n.mode === "listen" ? await listenLink(addr, log) : await connectLink(addr, log);
      }
      const what = n.kind === "user" ? "user" : `${n.mode}=${n.address}`;
      nics.push({ backend, mac: n.mac !== undefined ? parseMac(n.mac) : stableMac(`${vmIdentity} nic${i} ${what}`) });
    }
  } catch (e) {
    for (const nic of nics) nic.backend.close();
    throw e;
  }
  return nics;
}
