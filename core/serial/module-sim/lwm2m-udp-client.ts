// The module emulator's LwM2M side over plain CoAP/UDP (coap-packet): registers with ep = IMEI, answers the
// platform's observe of /19/0/0, sends AT+NMGS bytes as notifications and hands writes on /19/1/0 to the module.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import type { Clock, TimerHandle } from '../../clock.js';
import type { LwM2mClient } from './module-emulator.js';

const CONTENT_FORMAT_LINK = 40;
const CONTENT_FORMAT_OCTETS = 42;
const OBJECT_LINKS = '</1/0>,</3/0>,</19/0>,</19/1>';

function uintOption(value: number): Buffer {
  if (value === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

/** coap-packet parses request codes as `0.01` … `0.04`; generate accepts the names. */
const METHOD_BY_CODE: Record<string, string> = { '0.01': 'GET', '0.02': 'POST', '0.03': 'PUT', '0.04': 'DELETE' };
const methodOf = (packet: ParsedPacket): string => METHOD_BY_CODE[packet.code] ?? packet.code;

function uriPath(packet: ParsedPacket): string {
  return packet.options
    .filter((o) => o.name === 'Uri-Path')
    .map((o) => o.value.toString())
    .join('/');
}

export interface LwM2mUdpClientOptions {
  clock: Clock;
  lifetimeS?: number;
  /** First CON retransmission wait; doubled each time (RFC 7252 ACK_TIMEOUT). */
  ackTimeoutMs?: number;
  onEvent?: (event: string) => void;
}

export function createLwM2mUdpClient(options: LwM2mUdpClientOptions): LwM2mClient & { registered(): boolean } {
  const downlinkListeners = new Set<(bytes: Uint8Array) => void>();
  let socket: Socket | undefined;
  let server: { host: string; port: number } | undefined;
  let messageId = randomBytes(2).readUInt16BE(0);
  let location: string[] = [];
  let observeToken: Buffer | undefined;
  let observeSeq = 2;
  const pending = new Map<
    number,
    { resolve: (p: ParsedPacket) => void; reject: (e: Error) => void; timer: TimerHandle }
  >();

  const nextId = (): number => (messageId = (messageId + 1) & 0xffff);
  const send = (packet: Parameters<typeof coapPacket.generate>[0]): void => {
    if (socket && server) socket.send(coapPacket.generate(packet), server.port, server.host);
  };

  /** Sends a CON request and resolves with its piggybacked response, retransmitting through the clock. */
  const request = (packet: Parameters<typeof coapPacket.generate>[0]): Promise<ParsedPacket> =>
    new Promise((resolve, reject) => {
      const id = nextId();
      const full = { ...packet, messageId: id, confirmable: true, token: packet.token ?? randomBytes(4) };
      let attempt = 0;
      const transmit = (): void => {
        send(full);
        const wait = (options.ackTimeoutMs ?? 2000) * 2 ** attempt;
        attempt++;
        const timer = options.clock.setTimeout(() => {
          if (attempt > 4) {
            pending.delete(id);
            reject(new Error(`no answer from ${server?.host ?? '?'}:${server?.port ?? '?'}`));
          } else transmit();
        }, wait);
        pending.set(id, { resolve, reject, timer });
      };
      transmit();
    });

  const answer = (to: ParsedPacket, code: string, extra: Partial<Parameters<typeof coapPacket.generate>[0]> = {}) =>
    send({ messageId: to.messageId, token: to.token, ack: true, code, ...extra });

  const onMessage = (raw: Buffer): void => {
    let packet: ParsedPacket;
    try {
      packet = coapPacket.parse(raw);
    } catch {
      return;
    }
    if (packet.ack || packet.reset) {
      const waiting = pending.get(packet.messageId);
      if (!waiting) return;
      pending.delete(packet.messageId);
      waiting.timer.cancel();
      if (packet.reset) waiting.reject(new Error('the server reset the request'));
      else waiting.resolve(packet);
      return;
    }
    const path = uriPath(packet);
    const method = methodOf(packet);
    if (method === 'GET' && path === '19/0/0') {
      const observe = packet.options.find((o) => o.name === 'Observe');
      if (observe && observe.value.length <= 1 && (observe.value[0] ?? 0) === 0) {
        observeToken = packet.token;
        options.onEvent?.('observed /19/0/0');
      }
      answer(packet, '2.05', {
        options: [
          ...(observe ? [{ name: 'Observe' as const, value: uintOption(1) }] : []),
          { name: 'Content-Format', value: uintOption(CONTENT_FORMAT_OCTETS) },
        ],
      });
      return;
    }
    if ((method === 'PUT' || method === 'POST') && (path === '19/1/0' || path === '19/1')) {
      answer(packet, '2.04');
      for (const l of [...downlinkListeners]) l(new Uint8Array(packet.payload));
      return;
    }
    if (packet.confirmable) answer(packet, '4.04');
  };

  const closeSocket = (): void => {
    for (const [, p] of pending) p.timer.cancel();
    pending.clear();
    socket?.close();
    socket = undefined;
    observeToken = undefined;
    location = [];
  };

  return {
    registered: () => location.length > 0,
    ready: () => observeToken !== undefined,
    async connect(target, endpoint) {
      closeSocket();
      server = target;
      const s = createSocket('udp4');
      socket = s;
      s.on('message', onMessage);
      s.on('error', () => undefined);
      await new Promise<void>((resolve) => s.bind(0, resolve));
      const response = await request({
        code: 'POST',
        options: [
          { name: 'Uri-Path', value: Buffer.from('rd') },
          { name: 'Content-Format', value: uintOption(CONTENT_FORMAT_LINK) },
          { name: 'Uri-Query', value: Buffer.from(`ep=${endpoint}`) },
          { name: 'Uri-Query', value: Buffer.from(`lt=${options.lifetimeS ?? 86400}`) },
          { name: 'Uri-Query', value: Buffer.from('lwm2m=1.0') },
          { name: 'Uri-Query', value: Buffer.from('b=U') },
        ],
        payload: Buffer.from(OBJECT_LINKS),
      });
      if (response.code !== '2.01') throw new Error(`registration refused with ${response.code}`);
      location = response.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString());
      options.onEvent?.(`registered at /${location.join('/')}`);
    },
    sendUplink(bytes) {
      if (!socket || !observeToken) {
        return Promise.reject(new Error('the platform has not observed /19/0/0 yet'));
      }
      send({
        messageId: nextId(),
        token: observeToken,
        confirmable: false,
        code: '2.05',
        options: [
          { name: 'Observe', value: uintOption(observeSeq++ & 0xffffff) },
          { name: 'Content-Format', value: uintOption(CONTENT_FORMAT_OCTETS) },
        ],
        payload: Buffer.from(bytes),
      });
      return Promise.resolve();
    },
    onDownlink(listener) {
      downlinkListeners.add(listener);
    },
    close() {
      if (socket && location.length) {
        send({
          messageId: nextId(),
          token: randomBytes(4),
          confirmable: false,
          code: 'DELETE',
          options: location.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) })),
        });
      }
      closeSocket();
      return Promise.resolve();
    },
  };
}
