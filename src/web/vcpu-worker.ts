// The entry point of a vcpu thread in a browser (a Web Worker): the same code as under Node's
// worker_threads, given its part of the machine by the first message.

import { VirtVcpuThread } from "../board/virt-vcpu-thread.js";
import { runVcpuThread } from "../host/vcpu-loop.js";
import type { FromVcpu, MessageSink, VcpuThreadInit } from "../host/thread-messages.js";
import { workerScope } from "./worker-scope.js";

const sink: MessageSink = { post: (m: FromVcpu) => workerScope.postMessage(m) };
workerScope.onmessage = (e: MessageEvent<VcpuThreadInit>) => {
  workerScope.onmessage = null;
  try {
    runVcpuThread(new VirtVcpuThread(e.data, sink), sink);
  } catch (err) {
    sink.post({ k: "fatal", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
};
