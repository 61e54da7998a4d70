// A component's snapshot section as a reader over its bytes: for save/restore tests.

import { sectionBytes } from "../../src/board/virt-snapshot.js";
import { StateReader, type StateWriter } from "../../src/snapshot/state-stream.js";

export function saved(save: (w: StateWriter) => void): StateReader {
  return new StateReader(sectionBytes({ save, restore() {} }), "test");
}
