// A flattened device tree (DTB) writer, from the Devicetree Specification v0.4, chapter 5
// ("Flattened Devicetree (DTB) Format"): a tree of nodes and properties held in memory, then laid
// out as header, memory reservation block, structure block and strings block, all big-endian.

export const FDT_MAGIC = 0xd00dfeed;
/** The format version written, and the oldest version it stays compatible with. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_HEADER_SIZE = 40;

// Structure block tokens (5.4.1).
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Thrown for a tree that cannot be written: bad names, duplicates, values that do not fit. */
export class FdtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FdtError";
  }
}

// Allowed characters (2.2.1 node names, 2.2.4 property names).
const NODE_NAME = /^[0-9A-Za-z,._+-]+(@[0-9A-Za-z,._+-]+)?$/;
const PROPERTY_NAME = /^[0-9A-Za-z,._+?#-]+$/;

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

/** One node: its properties (in insertion order) and child nodes. */
export class FdtNode {
  readonly props: FdtProperty[] = [];
  readonly children: FdtNode[] = [];

  /** `name` is "node-name@unit-address", or "" for the root. */
  constructor(readonly name: string) {}

  /** Adds a child node and returns it. */
  addNode(name: string): FdtNode {
    if (!NODE_NAME.test(name)) throw new FdtError(`invalid node name "${name}"`);
    if (this.getNode(name) !== null) throw new FdtError(`duplicate node "${name}" under "${this.name || "/"}"`);
    const node = new FdtNode(name);
    this.children.push(node);
    return node;
  }

  getNode(name: string): FdtNode | null {
    for (const child of this.children) if (child.name === name) return child;
    return null;
  }

  getProperty(name: string): FdtProperty | null {
    for (const prop of this.props) if (prop.name === name) return prop;
    return null;
  }

  /** Sets a property to raw bytes (replacing an earlier value of the same name). */
  setBytes(name: string, value: Uint8Array): this {
    if (!PROPERTY_NAME.test(name)) throw new FdtError(`invalid property name "${name}"`);
    const prop = { name, value };
    const at = this.props.findIndex((p) => p.name === name);
    if (at >= 0) this.props[at] = prop;
    else this.props.push(prop);
    return this;
  }

  /** A property with no value (a boolean that is true by being present). */
  setEmpty(name: string): this {
    return this.setBytes(name, new Uint8Array(0));
  }

  /** A <u32 ...> property: one big-endian cell per value. */
  setCells(name: string, ...cells: number[]): this {
    return this.setBytes(name, encodeCells(cells));
  }

  setString(name: string, value: string): this {
    return this.setBytes(name, encodeStrings([value]));
  }

  /** A <stringlist>: NUL-terminated strings back to back. */
  setStrings(name: string, ...values: string[]): this {
    return this.setBytes(name, encodeStrings(values));
  }
}

/** Big-endian 32-bit cells. */
export function encodeCells(cells: readonly number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (!Number.isInteger(c) || c < -0x8000_0000 || c > 0xffff_ffff) {
      throw new FdtError(`cell value ${c} is not a 32-bit integer`);
    }
    view.setUint32(i * 4, c >>> 0);
  }
  return out;
}

/** A value of up to 53 bits as two cells (high, low), for #address-cells/#size-cells = 2. */
export function u64Cells(value: number): [number, number] {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`${value} is not a 64-bit address or size`);
  return [Math.floor(value / 0x1_0000_0000) >>> 0, value >>> 0];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodeStrings(values: readonly string[]): Uint8Array {
  const parts = values.map((v) => {
    if (v.includes("\0")) throw new FdtError(`string "${v}" contains NUL`);
    return utf8.encode(v);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + 1;
  }
  return out;
}

/** The cells of a property value (its length must be a multiple of 4). */
export function decodeCells(value: Uint8Array): number[] {
  if (value.length % 4 !== 0) throw new FdtError(`property length ${value.length} is not a multiple of 4`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const cells: number[] = [];
  for (let at = 0; at < value.length; at += 4) cells.push(view.getUint32(at));
  return cells;
}

/** The strings of a <stringlist> value (it must end with NUL). */
export function decodeStrings(value: Uint8Array): string[] {
  if (value.length === 0 || value[value.length - 1] !== 0) throw new FdtError("string property is not NUL-terminated");
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === 0) {
      out.push(utf8Decoder.decode(value.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

export interface FdtReservation {
  address: number;
  size: number;
}

export interface FdtWriteOptions {
  /** boot_cpuid_phys: the reg value of the boot CPU's node (default 0). */
  bootCpuId?: number;
  /** Memory reservation block entries (the DTB itself need not be listed). */
  reservations?: readonly FdtReservation[];
  /** Free bytes after the strings block, counted in totalsize, for software that edits the tree in place. */
  extraSpace?: number;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Lays `root` out as a DTB. */
export function serializeFdt(root: FdtNode, options: FdtWriteOptions = {}): Uint8Array {
  if (root.name !== "") throw new FdtError(`the root node's name must be empty, not "${root.name}"`);
  const reservations = options.reservations ?? [];

  // Strings block: each property name once.
  const stringOffsets = new Map<string, number>();
  const stringParts: Uint8Array[] = [];
  let stringsSize = 0;
  const nameOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = stringsSize;
      stringOffsets.set(name, off);
      const bytes = encodeStrings([name]);
      stringParts.push(bytes);
      stringsSize += bytes.length;
    }
    return off;
  };

  // Structure block, built as a list of words and byte runs.
  const struct: number[] = [];
  const pushBytes = (bytes: Uint8Array): void => {
    const padded = align(bytes.length, 4);
    for (let at = 0; at < padded; at += 4) {
      let w = 0;
      for (let k = 0; k < 4; k++) w = (w << 8) | (at + k < bytes.length ? bytes[at + k] : 0);
      struct.push(w >>> 0);
    }
  };
  const emit = (node: FdtNode): void => {
    struct.push(FDT_BEGIN_NODE);
    pushBytes(encodeStrings([node.name]));
    for (const prop of node.props) {
      struct.push(FDT_PROP, prop.value.length, nameOffset(prop.name));
      pushBytes(prop.value);
    }
    for (const child of node.children) emit(child);
    struct.push(FDT_END_NODE);
  };
  emit(root);
  struct.push(FDT_END);

  const offMemRsvmap = align(FDT_HEADER_SIZE, 8);
  const offDtStruct = offMemRsvmap + (reservations.length + 1) * 16;
  const sizeDtStruct = struct.length * 4;
  const offDtStrings = offDtStruct + sizeDtStruct;
  const used = offDtStrings + stringsSize;
  const totalSize = align(used + (options.extraSpace ?? 0), 4);

  const out = new Uint8Array(totalSize);
  const view = new DataView(out.buffer);
  view.setUint32(0, FDT_MAGIC);
  view.setUint32(4, totalSize);
  view.setUint32(8, offDtStruct);
  view.setUint32(12, offDtStrings);
  view.setUint32(16, offMemRsvmap);
  view.setUint32(20, FDT_VERSION);
  view.setUint32(24, FDT_LAST_COMP_VERSION);
  view.setUint32(28, options.bootCpuId ?? 0);
  view.setUint32(32, stringsSize);
  view.setUint32(36, sizeDtStruct);

  let at = offMemRsvmap;
  for (const r of reservations) {
    const [ahi, alo] = u64Cells(r.address);
    const [shi, slo] = u64Cells(r.size);
    view.setUint32(at, ahi);
    view.setUint32(at + 4, alo);
    view.setUint32(at + 8, shi);
    view.setUint32(at + 12, slo);
    at += 16;
  }
  // The all-zero terminating entry is already zero.
  for (let i = 0; i < struct.length; i++) view.setUint32(offDtStruct + i * 4, struct[i]);
  at = offDtStrings;
  for (const part of stringParts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
