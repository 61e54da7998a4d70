// The scheduler's HostLoop in a browser worker: `defer` through a MessageChannel (setTimeout(0)
// is clamped to 4 ms once nested), `sleep` through setTimeout.

import type { HostLoop } from "../host/scheduler.js";

export function webLoop(): HostLoop {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => {
    const callback = queue.shift();
    callback?.();
  };
  return {
    defer(callback) {
      queue.push(callback);
      channel.port2.postMessage(0);
    },
    sleep(ms, callback) {
      const timer = setTimeout(callback, Math.ceil(ms));
      return () => clearTimeout(timer);
    },
  };
}
