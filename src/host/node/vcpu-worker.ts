// The entry point of a vcpu thread under Node: builds the vcpu's part of the machine from the
// data the I/O thread passed, runs it, and turns any failure into one message.

import { parentPort, workerData } from "node:worker_threads";
import { VirtVcpuThread } from "../../board/virt-vcpu-thread.js";
import { runVcpuThread } from "../vcpu-loop.js";
import type { FromVcpu, MessageSink, VcpuThreadInit } from "../thread-messages.js";

const port = parentPort;
if (port === null) throw new Error("vcpu-worker.js runs only as a worker thread");
const sink: MessageSink = { post: (m: FromVcpu) => port.postMessage(m) };
try {
  // Tests check that a failing vcpu thread ends the whole VM cleanly.
  if (process.env.ARMVMM_FAULT_INJECT === "vcpu-thread") throw new Error("injected fault");
  runVcpuThread(new VirtVcpuThread(workerData as VcpuThreadInit, sink), sink);
} catch (e) {
  sink.post({ k: "fatal", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
