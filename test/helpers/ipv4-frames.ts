// Ethernet frames carrying TCP or UDP over IPv4, built field by field for the offload tests, with a
// checksum routine of the test's own (summing plain arrays), so the device's is checked against
// something it did not compute.

export const TCP = 6;
export const UDP = 17;

/** RFC 1071 over whole 16-bit words (pad odd lengths with a zero byte first). */
export function refChecksum(bytes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += bytes[i] * 256 + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return 0xffff - sum;
}

function be16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

function be32(v: number): number[] {
  return [...be16(v >>> 16), ...be16(v & 0xffff)];
}

export interface FrameOptions {
  seq?: number;
  id?: number;
  /** TCP flags (default ACK). */
  flags?: number;
  /** The transport checksum field holds only the pseudo-header's sum, as Linux leaves a
   * CHECKSUM_PARTIAL packet for the NIC. */
  partial?: boolean;
  fragmentOffset?: number;
  noUdpChecksum?: boolean;
  vlan?: number;
}

/** 10.0.3.2:40000 -> 10.0.3.1:5001, between two locally administered MACs. */
export function ipv4Frame(proto: number, payload: Uint8Array, o: FrameOptions): Uint8Array {
  const src = [10, 0, 3, 2];
  const dst = [10, 0, 3, 1];
  const l4Header =
    proto === TCP
      ? [
          ...be16(40000),
          ...be16(5001),
          ...be32(o.seq ?? 1000),
          ...be32(1),
          0x50,
          o.flags ?? 0x10,
          ...be16(64240),
          0,
          0,
          0,
          0,
        ]
      : [...be16(40000), ...be16(5001), ...be16(8 + payload.length), 0, 0];
  const l4 = [...l4Header, ...payload];
  const pseudo = [...src, ...dst, 0, proto, ...be16(l4.length)];
  const at = proto === TCP ? 16 : 6;
  if (!(proto === UDP && o.noUdpChecksum === true)) {
    let sum: number;
    if (o.partial === true) {
      // The folded sum itself (not complemented): what the NIC's sum then starts from.
      sum = 0xffff - refChecksum(pseudo);
    } else {
      sum = refChecksum([...pseudo, ...l4]);
      if (proto === UDP && sum === 0) sum = 0xffff;
    }
    l4[at] = sum >>> 8;
    l4[at + 1] = sum & 0xff;
  }
  const ip = [0x45, 0, ...be16(20 + l4.length), ...be16(o.id ?? 0x1234), ...be16(0x4000 | (o.fragmentOffset ?? 0))];
  ip.push(64, proto, 0, 0, ...src, ...dst);
  const ipSum = refChecksum(ip);
  ip[10] = ipSum >>> 8;
  ip[11] = ipSum & 0xff;
  const eth = [0x52, 0x54, 0, 0, 0, 1, 0x52, 0x54, 0, 0, 0, 2];
  if (o.vlan !== undefined) eth.push(0x81, 0x00, ...be16(o.vlan));
  eth.push(0x08, 0x00);
  return Uint8Array.from([...eth, ...ip, ...l4]);
}
