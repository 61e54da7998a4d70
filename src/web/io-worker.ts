// The machine's I/O thread in a browser: a worker that builds the virt machine from the guest the
// page sent, starts a Web Worker per vcpu (host clock) or runs every vcpu here (icount), keeps the
// devices, and trades console bytes and controls with the page. The page reads the vgic, the GIC
// interfaces and the event rings itself, from the shared buffers it is sent at the start.

import { buildVirtMachine, type VirtMachine } from "../board/virt-machine.js";
import { VmFate } from "../vmm/vm.js";
import type { DiskSource, FromIo, StartRequest, ToIo } from "./protocol.js";
import type { VirtDisk } from "../board/virt-virtio.js";
import { OverlayBlockBackend, SparseMemoryBackend } from "../devices/virtio/block-backend.js";
import { BlobBlockBackend } from "./disk/blob-backend.js";
import { HttpBlockBackend } from "./disk/http-backend.js";
import { CryptoEntropy, SeededEntropy } from "../devices/virtio/rng.js";
import { webLoop } from "./web-loop.js";
import { webThreads } from "./web-threads.js";
import { workerScope } from "./worker-scope.js";

const post = (m: FromIo, transfer: Transferable[] = []) => workerScope.postMessage(m, transfer);
let machine: VirtMachine | null = null;

// Console output is batched per turn of the event loop: one message per burst, not per byte.
let outBytes: number[] = [];
const flushOutput = () => {
  if (outBytes.length === 0) return;
  const bytes = Uint8Array.from(outBytes);
  outBytes = [];
  post({ k: "output", bytes }, [bytes.buffer]);
};

/** Each disk under a copy-on-write layer in memory: the guest may write, nothing leaves the page. */
function openDisks(sources: DiskSource[]): VirtDisk[] {
  return sources.map((d) => {
    const base = "file" in d ? new BlobBlockBackend(d.file) : new HttpBlockBackend(d.url);
    return { backend: new OverlayBlockBackend(base, new SparseMemoryBackend(base.size)), serial: d.name.slice(0, 20) };
  });
}

function start(req: StartRequest): void {
  const loop = webLoop();
  const g = req.guest;
  try {
    const disks = openDisks(g.disks ?? []);
    machine = buildVirtMachine({
      ramSize: req.ramMb * 1024 * 1024,
      vcpus: req.vcpus,
      clock: req.clock,
      kernel: g.kernel,
      initrd: g.initrd,
      bios: g.bios,
      bootargs: g.bootargs,
      loop,
      output: (byte) => {
        if (outBytes.length === 0) setTimeout(flushOutput, 0);
        outBytes.push(byte);
      },
      log: (message) => post({ k: "log", message }),
      threads: req.clock === "host" ? webThreads(new URL("./vcpu-worker.js", import.meta.url)) : undefined,
      // As the CLI's default (--rng on): seeded in icount mode, so runs repeat.
      virtio: { disks, entropy: req.clock === "icount" ? new SeededEntropy(1) : new CryptoEntropy() },
    });
  } catch (e) {
    post({ k: "ended", how: "stopped", error: e instanceof Error ? e.message.split("\n")[0] : String(e) });
    return;
  }
  const m = machine;
  post({ k: "started", buffers: m.shared, threaded: m.threaded });
  m.run().then(
    () => {
      flushOutput();
      const how = m.vm.fate === VmFate.POWER_OFF ? "power-off" : m.vm.fate === VmFate.RESET ? "reset" : "stopped";
      post({ k: "ended", how });
    },
    (e: unknown) => {
      flushOutput();
      post({ k: "ended", how: "stopped", error: e instanceof Error ? e.message.split("\n")[0] : String(e) });
    },
  );
}

function stats(m: VirtMachine): void {
  m.refreshStats();
  const rows = m.statsRows();
  post({
    k: "stats",
    exits: rows.exits.map((exits, vcpu) => ({ vcpu, exits })),
    vtimer: rows.vtimer.map((exits, vcpu) => ({ vcpu, exits })),
    instructions: m.instructions(),
    guestSeconds: m.clock.now() / 62_500_000,
  });
}

workerScope.onmessage = (e: MessageEvent<ToIo>) => {
  const msg = e.data;
  switch (msg.k) {
    case "start":
      if (machine === null) start(msg);
      return;
    case "input":
      machine?.input(msg.bytes);
      return;
    case "pause":
      machine?.pause(msg.on);
      return;
    case "power-off":
      machine?.stop();
      return;
    case "stats":
      if (machine !== null) stats(machine);
      return;
  }
};
