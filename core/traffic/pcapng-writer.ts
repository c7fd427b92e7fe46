// pcapng for standard analysers: raw-IP interfaces (one per transport) with synthesized IPv4/IPv6 + TCP/UDP
// headers around each captured frame, consistent TCP sequence numbers per connection, a comment per packet.
import { isIPv4, isIPv6 } from 'node:net';

export interface PcapngPacket {
  timeUs: number;
  transport: 'tcp' | 'udp' | 'serial';
  direction: 'in' | 'out';
  /** `address:port` of the core and of the device. */
  local: string;
  peer: string;
  /** Frames of one TCP connection share their sequence space. */
  connectionKey: string;
  bytes: Uint8Array;
  comment?: string;
}

const LINKTYPE_RAW = 101;
const LINKTYPE_USER0 = 147;
const INTERFACES = [
  { transport: 'tcp', name: 'tcp (MQTT)', linkType: LINKTYPE_RAW },
  { transport: 'udp', name: 'udp (CoAP)', linkType: LINKTYPE_RAW },
  { transport: 'serial', name: 'serial', linkType: LINKTYPE_USER0 },
] as const;
const MAX_SEGMENT = 65_000;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function option(code: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + pad4(value.length));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

function block(type: number, body: Buffer, options: Buffer[] = []): Buffer {
  const opts = options.length ? Buffer.concat([...options, Buffer.alloc(4)]) : Buffer.alloc(0);
  const total = 12 + body.length + opts.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  opts.copy(b, 8 + body.length);
  b.writeUInt32LE(total, total - 4);
  return b;
}

interface Endpoint {
  v6: boolean;
  address: Buffer;
  port: number;
}

function parseIPv6(text: string): Buffer {
  const out = Buffer.alloc(16);
  const [head = '', tail] = text.split('::', 2) as [string, string | undefined];
  const words = (s: string): number[] => {
    if (!s) return [];
    const parts = s.split(':');
    const last = parts.at(-1) ?? '';
    if (isIPv4(last)) {
      const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
      parts.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
    }
    return parts.map((p) => parseInt(p, 16) || 0);
  };
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(Math.max(0, 8 - h.length - t.length)).fill(0), ...t];
  all.slice(0, 8).forEach((w, i) => out.writeUInt16BE(w & 0xffff, i * 2));
  return out;
}

/** `1.2.3.4:5`, `[::1]:5` or `::ffff:1.2.3.4:5`; anything unreadable becomes 0.0.0.0:0. */
export function parseEndpoint(text: string): Endpoint {
  let host = text;
  let port = 0;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    port = Number(bracket[2] ?? 0);
  } else {
    const i = text.lastIndexOf(':');
    if (i > 0 && /^\d+$/.test(text.slice(i + 1))) {
      host = text.slice(0, i);
      port = Number(text.slice(i + 1));
    }
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) host = mapped[1]!;
  if (isIPv4(host)) return { v6: false, address: Buffer.from(host.split('.').map(Number)), port: port & 0xffff };
  if (isIPv6(host)) return { v6: true, address: parseIPv6(host), port: port & 0xffff };
  return { v6: false, address: Buffer.alloc(4), port: port & 0xffff };
}

function toV6(e: Endpoint): Endpoint {
  if (e.v6) return e;
  return { v6: true, address: Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), e.address]), port: e.port };
}

function onesSum(buffers: Buffer[]): number {
  let sum = 0;
  for (const b of buffers) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2) sum += b[b.length - 1]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function checksum(buffers: Buffer[]): number {
  return ~onesSum(buffers) & 0xffff || 0xffff;
}

function ipPacket(src: Endpoint, dst: Endpoint, protocol: number, l4: Buffer, checksumAt: number): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(l4.length);
  if (src.v6 || dst.v6) {
    const s = toV6(src);
    const d = toV6(dst);
    const pseudo = Buffer.concat([s.address, d.address, len, Buffer.from([0, 0, 0, protocol])]);
    l4.writeUInt16BE(checksum([pseudo, l4]), checksumAt);
    const h = Buffer.alloc(40);
    h.writeUInt32BE(0x60000000, 0);
    h.writeUInt16BE(l4.length, 4);
    h[6] = protocol;
    h[7] = 64;
    s.address.copy(h, 8);
    d.address.copy(h, 24);
    return Buffer.concat([h, l4]);
  }
  const pseudo = Buffer.concat([src.address, dst.address, Buffer.from([0, protocol]), len.subarray(2)]);
  l4.writeUInt16BE(checksum([pseudo, l4]), checksumAt);
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = 64;
  h[9] = protocol;
  src.address.copy(h, 12);
  dst.address.copy(h, 16);
  h.writeUInt16BE(checksum([h]), 10);
  return Buffer.concat([h, l4]);
}

interface TcpState {
  /** Next sequence number of the core's side and of the device's side. */
  core: number;
  device: number;
}

export class PcapngWriter {
  private readonly tcp = new Map<string, TcpState>();

  /** Section header and the interface descriptions; write once, before any packet. */
  header(application = 'IoT Workbench'): Buffer {
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(0x1a2b3c4d, 0);
    shb.writeUInt16LE(1, 4);
    shb.writeUInt16LE(0, 6);
    shb.writeBigInt64LE(-1n, 8);
    const blocks = [block(0x0a0d0d0a, shb, [option(4, Buffer.from(application))])];
    for (const i of INTERFACES) {
      const idb = Buffer.alloc(8);
      idb.writeUInt16LE(i.linkType, 0);
      idb.writeUInt32LE(0, 4);
      // if_tsresol 6 = microseconds (the default, stated for readers that insist).
      blocks.push(block(1, idb, [option(2, Buffer.from(i.name)), option(9, Buffer.from([6]))]));
    }
    return Buffer.concat(blocks);
  }

  /** One Enhanced Packet Block per frame (several for a TCP frame over 65,000 bytes). */
  packet(p: PcapngPacket): Buffer {
    const iface = INTERFACES.findIndex((i) => i.transport === p.transport);
    const local = parseEndpoint(p.local);
    const peer = parseEndpoint(p.peer);
    const [src, dst] = p.direction === 'in' ? [peer, local] : [local, peer];
    const payloads: Buffer[] = [];
    const data = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
    if (p.transport === 'serial') {
      payloads.push(data);
    } else if (p.transport === 'udp') {
      const body = data.subarray(0, 65_000);
      const udp = Buffer.alloc(8 + body.length);
      udp.writeUInt16BE(src.port, 0);
      udp.writeUInt16BE(dst.port, 2);
      udp.writeUInt16BE(udp.length, 4);
      body.copy(udp, 8);
      payloads.push(ipPacket(src, dst, 17, udp, 6));
    } else {
      let state = this.tcp.get(p.connectionKey);
      if (!state) {
        state = { core: 1_000_000, device: 2_000_000 };
        this.tcp.set(p.connectionKey, state);
      }
      for (let at = 0; at < data.length || (at === 0 && data.length === 0); at += MAX_SEGMENT) {
        const body = data.subarray(at, at + MAX_SEGMENT);
        const tcp = Buffer.alloc(20 + body.length);
        const seq = p.direction === 'in' ? state.device : state.core;
        const ack = p.direction === 'in' ? state.core : state.device;
        tcp.writeUInt16BE(src.port, 0);
        tcp.writeUInt16BE(dst.port, 2);
        tcp.writeUInt32BE(seq >>> 0, 4);
        tcp.writeUInt32BE(ack >>> 0, 8);
        tcp[12] = 5 << 4;
        tcp[13] = 0x18; // PSH, ACK
        tcp.writeUInt16BE(65535, 14);
        body.copy(tcp, 20);
        if (p.direction === 'in') state.device = (state.device + body.length) >>> 0;
        else state.core = (state.core + body.length) >>> 0;
        payloads.push(ipPacket(src, dst, 6, tcp, 16));
        if (data.length === 0) break;
      }
    }
    return Buffer.concat(
      payloads.map((packet) => {
        const body = Buffer.alloc(20 + pad4(packet.length));
        const ts = BigInt(Math.max(0, Math.floor(p.timeUs)));
        body.writeUInt32LE(iface, 0);
        body.writeUInt32LE(Number(ts >> 32n), 4);
        body.writeUInt32LE(Number(ts & 0xffffffffn), 8);
        body.writeUInt32LE(packet.length, 12);
        body.writeUInt32LE(packet.length, 16);
        packet.copy(body, 20);
        return block(6, body, p.comment ? [option(1, Buffer.from(p.comment))] : []);
      }),
    );
  }
}
