// Vcpu threads on Node's worker_threads.

import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { VcpuThreadHost } from "../thread-host.js";
import type { FromVcpu } from "../thread-messages.js";

const WORKER = new URL("./vcpu-worker.js", import.meta.url);

/** V8 compiles a function when it is first called. A vcpu thread's first timer interrupt then paid
 * for compiling its whole path (the vtimer's expiry, the vgic's injection, the exception entry,
 * the GIC acknowledge) and came 1–2 ms late: the heartbeat's first beat was the worst of all.
 * With --no-lazy each vcpu thread compiles its code as it loads it (some 0.04 s more to start a VM, and a few MB).
 * V8's flags are the process's: set before the first vcpu thread loads its code, they change
 * nothing on the I/O thread, whose code is loaded by then. */
let eager = false;

export const nodeThreads: VcpuThreadHost = {
  spawn(init, onMessage, onError) {
    if (!eager) {
      setFlagsFromString("--no-lazy");
      eager = true;
    }
    const worker = new Worker(WORKER, { workerData: init });
    worker.on("message", (m: FromVcpu) => onMessage(m));
    worker.on("error", (e: Error) => onError(e));
    // A thread that cannot start (no memory for a worker) fails the same way.
    worker.on("exit", (code) => {
      if (code !== 0) onError(new Error(`vcpu${init.vcpu} thread exited with code ${code}`));
    });
    return { terminate: () => void worker.terminate() };
  },
};
