// Child process of lwm2m.bench.ts: N LwM2M devices on their own UDP sockets register, answer the observe of
// /19/0/0, then each sends M water meter frames as confirmable notifications, one after the other.
// Prints one JSON line: registration time, time until all were observed, lost and retransmitted messages, the CPU
// and wall time of the notification phase, and the send time of every frame.
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import coapPacket, { type ParsedPacket } from 'coap-packet';

const [port, count, perDevice] = process.argv.slice(2).map(Number) as [number, number, number];
const endpointPrefix = process.argv[5] ?? 'BENCH';
const now = () => performance.timeOrigin + performance.now();
const uint = (v: number) => {
  const out: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256);
  return Buffer.from(out);
};

/** A water meter basic report whose reading (uint32, thousandths of m³) carries the frame's sequence number. */
const frame = (seq: number) => {
  const b = Buffer.from('0100BC614E00000E1000D7007D', 'hex');
  b.writeUInt32BE(seq, 1);
  return b;
};

interface Device {
  index: number;
  socket: Socket;
  mid: number;
  observeToken?: Buffer;
  pending: Map<number, { timer: NodeJS.Timeout; onAck: () => void }>;
}

const sends: [number, number][] = [];
let registered = 0;
let observed = 0;
let finished = 0;
let lost = 0;
let retransmissions = 0;
const start = now();
let registerMs = 0;
let observedMs = 0;
/** CPU this process spent sending notifications: when it nears the wall time, the devices are the bottleneck. */
let notifyCpuStart: NodeJS.CpuUsage | undefined;
let notifyStart = 0;

function sendCon(d: Device, packet: Parameters<typeof coapPacket.generate>[0], onAck: () => void): void {
  d.mid = (d.mid + 1) & 0xffff;
  const bytes = coapPacket.generate({ ...packet, messageId: d.mid, confirmable: true });
  const mid = d.mid;
  let wait = 2000 * (1 + Math.random() * 0.5);
  let attempts = 0;
  const transmit = () => {
    if (attempts++ > 4) {
      d.pending.delete(mid);
      lost++;
      return onAck();
    }
    if (attempts > 1) retransmissions++;
    d.socket.send(bytes, port, '127.0.0.1');
    d.pending.set(mid, { timer: setTimeout(transmit, wait), onAck });
    wait *= 2;
  };
  transmit();
}

function notifyNext(d: Device, n: number): void {
  if (n === perDevice) {
    if (++finished === count) {
      const cpu = process.cpuUsage(notifyCpuStart);
      const notifyCpuMs = (cpu.user + cpu.system) / 1000;
      const notifyMs = now() - notifyStart;
      process.stdout.write(
        JSON.stringify({ registerMs, observedMs, lost, retransmissions, notifyCpuMs, notifyMs, sends }) + '\n',
        () => process.exit(0),
      );
    }
    return;
  }
  const seq = d.index * perDevice + n + 1;
  sends.push([seq, now()]);
  sendCon(
    d,
    {
      token: d.observeToken!,
      code: '2.05',
      options: [
        { name: 'Observe', value: uint(n + 2) },
        { name: 'Content-Format', value: uint(42) },
      ],
      payload: frame(seq),
    },
    () => notifyNext(d, n + 1),
  );
}

function onMessage(d: Device, raw: Buffer): void {
  let p: ParsedPacket;
  try {
    p = coapPacket.parse(raw);
  } catch {
    return;
  }
  const waiting = p.ack ? d.pending.get(p.messageId) : undefined;
  if (waiting) {
    clearTimeout(waiting.timer);
    d.pending.delete(p.messageId);
    waiting.onAck();
    return;
  }
  if (p.reset) {
    const failed = d.pending.get(p.messageId);
    if (failed) {
      clearTimeout(failed.timer);
      d.pending.delete(p.messageId);
      lost++;
      failed.onAck();
    }
    return;
  }
  if (p.code === '0.01') {
    const first = d.observeToken === undefined;
    d.observeToken = p.token;
    d.socket.send(
      coapPacket.generate({
        messageId: p.messageId,
        token: p.token,
        ack: true,
        code: '2.05',
        options: [
          { name: 'Observe', value: uint(1) },
          { name: 'Content-Format', value: uint(42) },
        ],
      }),
      port,
      '127.0.0.1',
    );
    if (first && ++observed === count) {
      observedMs = now() - start;
      notifyCpuStart = process.cpuUsage();
      notifyStart = now();
      for (const x of devices) notifyNext(x, 0);
    }
  }
}

const devices: Device[] = [];
if (process.env.BENCH_PROGRESS)
  setInterval(
    () =>
      process.stderr.write(
        `registered ${registered} observed ${observed} sent ${sends.length} finished ${finished} lost ${lost} retransmissions ${retransmissions}\n`,
      ),
    1000,
  ).unref();
for (let i = 0; i < count; i++) {
  const socket = createSocket('udp4');
  const d: Device = { index: i, socket, mid: Math.floor(Math.random() * 65536), pending: new Map() };
  socket.on('message', (m) => onMessage(d, m));
  devices.push(d);
}
await Promise.all(devices.map((d) => new Promise<void>((r) => d.socket.bind(0, '127.0.0.1', r))));
for (const d of devices) {
  sendCon(
    d,
    {
      token: Buffer.from([d.index & 0xff, (d.index >> 8) & 0xff]),
      code: 'POST',
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Content-Format', value: uint(40) },
        { name: 'Uri-Query', value: Buffer.from(`ep=${endpointPrefix}${d.index}`) },
        { name: 'Uri-Query', value: Buffer.from('lt=86400') },
        { name: 'Uri-Query', value: Buffer.from('lwm2m=1.0') },
        { name: 'Uri-Query', value: Buffer.from('b=UQ') },
      ],
      payload: Buffer.from('</1/0>,</3/0>,</19/0>,</19/1>'),
    },
    () => {
      if (++registered === count) registerMs = now() - start;
    },
  );
}
