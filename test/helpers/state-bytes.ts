// A component's snapshot section as one byte array, and a reader over it: for save/restore tests.

import { StateReader, StateWriter } from "../../src/snapshot/state-stream.js";

export function saved(save: (w: StateWriter) => void): StateReader {
  const w = new StateWriter();
  save(w);
  const parts = w.finish();
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return new StateReader(bytes, "test");
}
