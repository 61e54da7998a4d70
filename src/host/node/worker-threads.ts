// Vcpu threads on Node's worker_threads.

import { Worker } from "node:worker_threads";
import type { VcpuThreadHost } from "../thread-host.js";
import type { FromVcpu } from "../thread-messages.js";

const WORKER = new URL("./vcpu-worker.js", import.meta.url);

export const nodeThreads: VcpuThreadHost = {
  spawn(init, onMessage, onError) {
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
