// How the I/O thread starts vcpu threads: Node's worker_threads (src/host/node/worker-threads.ts)
// or a browser's Web Workers implement this.

import type { FromVcpu, VcpuThreadInit } from "./thread-messages.js";

export interface VcpuThreadHandle {
  /** Ends the thread at once (the VM is over, or it misbehaved). */
  terminate(): void;
}

export interface VcpuThreadHost {
  /** Starts a thread running vcpu `init.vcpu`; its messages and its failure come back here. */
  spawn(
    init: VcpuThreadInit,
    onMessage: (message: FromVcpu) => void,
    onError: (error: Error) => void,
  ): VcpuThreadHandle;
}
