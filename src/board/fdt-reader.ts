// Reads a DTB back into an FdtNode tree (Devicetree Specification v0.4, chapter 5), checking the
// header, block bounds and token structure. Used to check the board's own output and to inspect a
// user-supplied DTB.

import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FdtError,
  FdtNode,
  type FdtReservation,
} from "./fdt.js";

export interface ParsedFdt {
  root: FdtNode;
  version: number;
  lastCompVersion: number;
  bootCpuId: number;
  totalSize: number;
  reservations: FdtReservation[];
}

const decoder = new TextDecoder();

export function parseFdt(bytes: Uint8Array): ParsedFdt {
  if (bytes.length < FDT_HEADER_SIZE) throw new FdtError(`DTB too short for a header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number): number => {
    if (at < 0 || at + 4 > bytes.length) throw new FdtError(`read past the end of the DTB at ${at}`);
    return view.getUint32(at);
  };
  if (u32(0) !== FDT_MAGIC) throw new FdtError(`bad DTB magic 0x${u32(0).toString(16)}`);
  const totalSize = u32(4);
  const offStruct = u32(8);
  const offStrings = u32(12);
  const offRsvmap = u32(16);
  const version = u32(20);
  const lastCompVersion = u32(24);
  const bootCpuId = u32(28);
  const sizeStrings = u32(32);
  const sizeStruct = u32(36);
  if (totalSize > bytes.length) throw new FdtError(`totalsize ${totalSize} exceeds the ${bytes.length} bytes given`);
  if (offStruct % 4 !== 0 || offRsvmap % 8 !== 0) throw new FdtError("misaligned DTB block");
  if (offStruct + sizeStruct > totalSize || offStrings + sizeStrings > totalSize) {
    throw new FdtError("DTB block runs past totalsize");
  }

  const reservations: FdtReservation[] = [];
  for (let at = offRsvmap; ; at += 16) {
    const address = u32(at) * 0x1_0000_0000 + u32(at + 4);
    const size = u32(at + 8) * 0x1_0000_0000 + u32(at + 12);
    if (address === 0 && size === 0) break;
    reservations.push({ address, size });
  }

  const stringAt = (off: number): string => {
    if (off >= sizeStrings) throw new FdtError(`property name offset ${off} outside the strings block`);
    const start = offStrings + off;
    const end = bytes.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) throw new FdtError("unterminated string in the strings block");
    return decoder.decode(bytes.subarray(start, end));
  };

  const structEnd = offStruct + sizeStruct;
  let at = offStruct;
  const token = (): number => {
    if (at + 4 > structEnd) throw new FdtError("structure block ended without FDT_END");
    const t = u32(at);
    at += 4;
    return t;
  };

  let root: FdtNode | null = null;
  const stack: FdtNode[] = [];
  for (;;) {
    const t = token();
    if (t === FDT_BEGIN_NODE) {
      const end = bytes.indexOf(0, at);
      if (end < 0 || end >= structEnd) throw new FdtError("unterminated node name");
      const name = decoder.decode(bytes.subarray(at, end));
      at = (end + 4) & ~3;
      let node: FdtNode;
      if (stack.length === 0) {
        if (root !== null) throw new FdtError("more than one root node");
        node = root = new FdtNode(name);
      } else {
        node = stack[stack.length - 1].addNode(name);
      }
      stack.push(node);
    } else if (t === FDT_PROP) {
      if (stack.length === 0) throw new FdtError("property outside any node");
      const len = token();
      const name = stringAt(token());
      if (at + len > structEnd) throw new FdtError(`property "${name}" runs past the structure block`);
      stack[stack.length - 1].setBytes(name, bytes.slice(at, at + len));
      at = (at + len + 3) & ~3;
    } else if (t === FDT_END_NODE) {
      if (stack.length === 0) throw new FdtError("FDT_END_NODE without a node");
      stack.pop();
    } else if (t === FDT_NOP) {
      continue;
    } else if (t === FDT_END) {
      if (stack.length !== 0) throw new FdtError("FDT_END inside a node");
      break;
    } else {
      throw new FdtError(`unknown structure token 0x${t.toString(16)} at offset ${at - 4}`);
    }
  }
  if (root === null) throw new FdtError("DTB has no root node");
  return { root, version, lastCompVersion, bootCpuId, totalSize, reservations };
}

/** The node at an absolute path such as "/cpus/cpu@0", or null. */
export function findNode(root: FdtNode, path: string): FdtNode | null {
  let node: FdtNode | null = root;
  for (const part of path.split("/")) {
    if (part === "") continue;
    node = node.getNode(part);
    if (node === null) return null;
  }
  return node;
}
