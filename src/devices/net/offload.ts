// The offloads virtio-net offers its driver, done in the device (as a NIC does them in hardware):
// finishing a checksum the guest left partial (VIRTIO_NET_F_CSUM), cutting a TCP/IPv4 segment of
// up to 64 KiB into frames of the MSS (VIRTIO_NET_F_HOST_TSO4), and checking the checksums of
// frames for the guest, so that its stack need not (VIRTIO_NET_F_GUEST_CSUM, DATA_VALID). The
// peer on the wire (another VM, QEMU, passt) gets ordinary frames with correct checksums.
//
// Frames are Ethernet II, optionally with one 802.1Q tag. Internet checksums (RFC 1071) are the
// ones' complement of the ones' complement sum of 16-bit big-endian words.

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;
/** The smallest MSS a TCP stack may use (Linux's TCP_MIN_MSS): a smaller gso_size would make a
 * 64 KiB segment tens of thousands of frames, so it is refused as malformed. */
export const MIN_MSS = 88;

/** The 32-bit running sum of bytes [start, end) as big-endian 16-bit words, added to `sum`. */
function addWords(b: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  // One fold at the end: a 64 KiB frame sums to under 2^31, exact in a double, and its low 16
  // bits survive `&` even past 2^32.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/** The folded 16-bit ones' complement sum. */
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum of bytes [start, end) of `b`, starting from `seed` (a partial sum). */
export function internetChecksum(b: Uint8Array, start: number, end: number, seed = 0): number {
  return ~fold(addWords(b, start, end, seed)) & 0xffff;
}

/** NEEDS_CSUM: the sum from `start` to the frame's end (the guest seeded the checksum field with
 * the pseudo-header's sum) goes, complemented, at `start + offset`. False when the offsets fall
 * outside the frame: the frame is then sent as it is, as a NIC would not fix what it cannot. */
export function completeChecksum(frame: Uint8Array, start: number, offset: number): boolean {
  const at = start + offset;
  if (start >= frame.length || at + 2 > frame.length) return false;
  let sum = internetChecksum(frame, start, frame.length);
  // UDP sends a computed 0 as 0xffff (0 means "no checksum"); for TCP the two are the same sum.
  if (sum === 0) sum = 0xffff;
  frame[at] = sum >>> 8;
  frame[at + 1] = sum & 0xff;
  return true;
}

/** Where the IP header starts (after the Ethernet header and one VLAN tag), or -1 if not IPv4. */
function ipv4Start(frame: Uint8Array): number {
  if (frame.length < 14) return -1;
  let type = (frame[12] << 8) | frame[13];
  let at = 14;
  if (type === ETHERTYPE_VLAN) {
    if (frame.length < 18) return -1;
    type = (frame[16] << 8) | frame[17];
    at = 18;
  }
  if (type !== ETHERTYPE_IPV4 || frame.length < at + 20 || frame[at] >>> 4 !== 4) return -1;
  return at;
}

/** The pseudo-header sum of an IPv4 packet at `ip` for a transport segment of `length` bytes. */
function pseudoHeader(frame: Uint8Array, ip: number, proto: number, length: number): number {
  return addWords(frame, ip + 12, ip + 20, proto + length);
}

/** Writes the IPv4 header checksum of the header at `ip`. */
function ipHeaderChecksum(frame: Uint8Array, ip: number): void {
  const ihl = (frame[ip] & 15) * 4;
  frame[ip + 10] = 0;
  frame[ip + 11] = 0;
  const sum = internetChecksum(frame, ip, ip + ihl);
  frame[ip + 10] = sum >>> 8;
  frame[ip + 11] = sum & 0xff;
}

/**
 * HOST_TSO4: a TCP/IPv4 frame whose payload is longer than `mss`, cut into frames of at most
 * `mss` payload bytes each, as a NIC's segmentation would: the headers repeated, the IP total
 * length, ID (counting up) and header checksum, and the TCP sequence number per frame; CWR only
 * on the first, FIN and PSH only on the last; every TCP checksum computed whole. Null when the
 * frame is not TCP/IPv4 (or is malformed, or `mss` is under MIN_MSS): the caller then drops it.
 */
export function segmentTcp4(frame: Uint8Array, mss: number): Uint8Array[] | null {
  const ip = ipv4Start(frame);
  if (ip < 0 || frame[ip + 9] !== PROTO_TCP || mss < MIN_MSS) return null;
  const ihl = (frame[ip] & 15) * 4;
  const tcp = ip + ihl;
  if (ihl < 20 || frame.length < tcp + 20) return null;
  const thl = (frame[tcp + 12] >>> 4) * 4;
  const header = tcp + thl;
  if (thl < 20 || frame.length < header) return null;
  const payload = frame.length - header;
  const count = Math.max(1, Math.ceil(payload / mss));
  const id = (frame[ip + 4] << 8) | frame[ip + 5];
  const seq = ((frame[tcp + 4] << 24) | (frame[tcp + 5] << 16) | (frame[tcp + 6] << 8) | frame[tcp + 7]) >>> 0;
  const flags = frame[tcp + 13];
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const from = header + k * mss;
    const size = Math.min(mss, frame.length - from);
    const f = new Uint8Array(header + size);
    f.set(frame.subarray(0, header));
    f.set(frame.subarray(from, from + size), header);
    const total = ihl + thl + size;
    f[ip + 2] = total >>> 8;
    f[ip + 3] = total & 0xff;
    const segId = (id + k) & 0xffff;
    f[ip + 4] = segId >>> 8;
    f[ip + 5] = segId & 0xff;
    ipHeaderChecksum(f, ip);
    const s = (seq + k * mss) >>> 0;
    f[tcp + 4] = s >>> 24;
    f[tcp + 5] = (s >>> 16) & 0xff;
    f[tcp + 6] = (s >>> 8) & 0xff;
    f[tcp + 7] = s & 0xff;
    let fl = flags;
    if (k > 0) fl &= ~TCP_CWR;
    if (k < count - 1) fl &= ~(TCP_FIN | TCP_PSH);
    f[tcp + 13] = fl;
    f[tcp + 16] = 0;
    f[tcp + 17] = 0;
    const sum = internetChecksum(f, tcp, f.length, pseudoHeader(f, ip, PROTO_TCP, thl + size));
    f[tcp + 16] = sum >>> 8;
    f[tcp + 17] = sum & 0xff;
    out.push(f);
  }
  return out;
}

/** GUEST_CSUM: whether the frame is TCP or UDP over IPv4 (not a fragment) with correct IP and
 * transport checksums, so the guest may be told so (DATA_VALID). Anything else: false, and the
 * guest checks for itself. */
export function checksumsValid(frame: Uint8Array): boolean {
  const ip = ipv4Start(frame);
  if (ip < 0) return false;
  const ihl = (frame[ip] & 15) * 4;
  const total = (frame[ip + 2] << 8) | frame[ip + 3];
  const proto = frame[ip + 9];
  const fragment = ((frame[ip + 6] << 8) | frame[ip + 7]) & 0x3fff;
  if (ihl < 20 || total < ihl || ip + total > frame.length || fragment !== 0) return false;
  if (internetChecksum(frame, ip, ip + ihl) !== 0) return false;
  const l4 = ip + ihl;
  const length = total - ihl;
  if (proto === PROTO_TCP) {
    if (length < 20) return false;
  } else if (proto === PROTO_UDP) {
    if (length < 8) return false;
    // A UDP checksum of 0 means none was sent: nothing to vouch for.
    if (frame[l4 + 6] === 0 && frame[l4 + 7] === 0) return false;
  } else {
    return false;
  }
  return internetChecksum(frame, l4, l4 + length, pseudoHeader(frame, ip, proto, length)) === 0;
}
