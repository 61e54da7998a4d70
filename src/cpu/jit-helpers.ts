// What compiled blocks call, passed to every block as its `h` argument: the interpreter's
// executors, for the instructions they do not spell out themselves, and the pure operations
// (multiplies, divides, byte reversal, parallel add/subtract) of those they do.

import { executeA32 } from "./a32.js";
import { dataProcessing } from "./a32-dataproc.js";
import { extraLoadStore, loadStoreWordByte } from "./a32-loadstore.js";
import { blockTransfer } from "./a32-block.js";
import { mul, umull64, umlal64, smull64, smlal64, sdiv, udiv } from "./ops-multiply.js";
import { media, parallelAddSub, rev, rev16, rbit, revsh, sel } from "./ops-media.js";
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
  sdiv,
  udiv,
  media,
  parallelAddSub,
  rev,
  rev16,
  rbit,
  revsh,
  sel,
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
