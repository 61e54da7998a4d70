// The Node event loop as the scheduler's HostLoop.

import type { HostLoop } from "../scheduler.js";

export const nodeLoop: HostLoop = {
  defer(callback) {
    setImmediate(callback);
  },
  sleep(ms, callback) {
    // setTimeout's resolution is 1 ms; round up so the deadline has passed when we wake.
    const timer = setTimeout(callback, Math.ceil(ms));
    return () => clearTimeout(timer);
  },
};
