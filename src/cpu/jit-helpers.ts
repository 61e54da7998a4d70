// What compiled blocks call for the instructions they do not spell out themselves: the
// interpreter's executors, passed to every block as its `h` argument.

import { executeA32 } from "./a32.js";
import { dataProcessing } from "./a32-dataproc.js";
import { extraLoadStore, loadStoreWordByte } from "./a32-loadstore.js";
import { blockTransfer } from "./a32-block.js";

export const jitHelpers = {
  executeA32,
  dataProcessing,
  loadStoreWordByte,
  extraLoadStore,
  blockTransfer,
};

export type JitHelpers = typeof jitHelpers;

/** Names of the helpers, as the generated code spells them. */
export type HelperName = keyof JitHelpers;
