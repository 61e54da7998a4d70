// Vcpu threads on Web Workers (module workers started from the I/O worker).

import type { VcpuThreadHost } from "../host/thread-host.js";
import type { FromVcpu } from "../host/thread-messages.js";

export function webThreads(workerUrl: URL): VcpuThreadHost {
  return {
    spawn(init, onMessage, onError) {
      const worker = new Worker(workerUrl, { type: "module", name: `vcpu${init.vcpu}` });
      worker.onmessage = (e: MessageEvent<FromVcpu>) => onMessage(e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        onError(new Error(e.message || `vcpu${init.vcpu} thread failed to start`));
      };
      worker.postMessage(init);
      return { terminate: () => worker.terminate() };
    },
  };
}
