// What compiled blocks call for the instructions they do not spell out themselves: the
// interpreter's executors, passed to every block as its `h` argument.

import { executeA32 } from "./a32.js";
import { dataProcessing } from "./a32-dataproc.js";
import { extraLoadStore, loadStoreWordByte } from "./a32-loadstore.js";
import { blockTransfer } from "./a32-block.js";
import { mul, umull64, umlal64, smull64, smlal64 } from "./ops-multiply.js";
import { executeT16, executeT32 } from "./t32.js";
import { alu, shiftRegC } from "./alu.js";

export const jitHelpers = {
  executeA32,
  dataProcessing,
  loadStoreWordByte,
  extraLoadStore,
  blockTransfer,
  mul,
  umull64,
  umlal64,
  smull64,
  smlal64,
  executeT16,
  executeT32,
  shiftRegC,
  alu,
};

export type JitHelpers = typeof jitHelpers;

/** Names of the executors, as the generated code calls them (with the core and the word). */
export type HelperName =
  | "executeA32"
  | "dataProcessing"
  | "loadStoreWordByte"
  | "extraLoadStore"
  | "blockTransfer"
  | "executeT16"
  | "executeT32";
