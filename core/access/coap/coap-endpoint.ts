// The CoAP message layer on one UDP socket (RFC 7252/7641/7959): CON retransmission, ACK/RST, MID de-duplication,
// tokens, separate responses, observe notifications, Block1/Block2 both ways. Serves requests and originates them.
import { randomBytes } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import coapPacket, { type NamedOption, type Option, type ParsedPacket } from 'coap-packet';
import type { Clock, TimerHandle } from '../../clock.js';
import { blockOption, optionOf, optionsOf, readBlock } from '../../protocols/coap/coap-options.js';

export interface Peer {
  address: string;
  port: number;
}

/** `address:port`, `[v6]:port` for IPv6, as the traffic contract writes peers. */
export const peerKey = (p: Peer): string =>
  p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;

export type CoapOption = NamedOption | Option;

export interface ResponseSpec {
  code: string;
  options?: CoapOption[];
  payload?: Buffer;
}

export interface IncomingRequest {
  packet: ParsedPacket;
  peer: Peer;
  /** The request body, reassembled when the device sent it in Block1 blocks. */
  payload: Buffer;
  respond(response: ResponseSpec): void;
}

export interface RequestSpec {
  /** `GET`, `POST`, `PUT`, `DELETE` or a `0.0x` code. */
  code: string;
  options?: CoapOption[];
  payload?: Buffer;
  /** Keep the token after the answer (observe): later messages with it go to onNotify. */
  onNotify?: (packet: ParsedPacket) => void;
  token?: Buffer;
}

export interface CoapResponse {
  packet: ParsedPacket;
  /** All Block2 blocks joined. */
  payload: Buffer;
  token: Buffer;
}

export interface CoapEndpointOptions {
  socket: Socket;
  clock: Clock;
  onRequest(request: IncomingRequest): void;
  /** Every datagram in and out, as it is on the wire. */
  onDatagram?(direction: 'in' | 'out', bytes: Buffer, peer: Peer): void;
  onMalformed?(peer: Peer, bytes: Buffer, reason: string): void;
  /** First retransmission wait (RFC 7252 ACK_TIMEOUT, 2 s); doubled each time, 4 retransmissions. */
  ackTimeoutMs?: number;
  /** Block size for Block1 writes (and Block2 when the device lets us choose): 16..1024. */
  blockSize?: number;
}

export class CoapRequestError extends Error {
  constructor(
    readonly code: 'TIMEOUT' | 'RESET' | 'STOPPED' | 'TOO_LARGE' | 'BLOCK_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'CoapRequestError';
  }
}

const METHOD_CODES: Record<string, string> = { GET: '0.01', POST: '0.02', PUT: '0.03', DELETE: '0.04' };
const MAX_RETRANSMIT = 4;
const EXCHANGE_LIFETIME_MS = 247_000;
const MAX_DEDUP_ENTRIES = 100_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const isRequestCode = (code: string) => code.startsWith('0.') && code !== '0.00';

/** Empty ACK and RST (RFC 7252 §4.2/§4.3): four header bytes, no token. One goes out for every CON received. */
const emptyMessage = (type: 'ack' | 'reset', mid: number) =>
  Buffer.from([type === 'ack' ? 0x60 : 0x70, 0x00, (mid >> 8) & 0xff, mid & 0xff]);

interface PendingCon {
  timer: TimerHandle;
  onAck(packet: ParsedPacket): void;
  onReset(): void;
}

interface TokenHandler {
  peer: string;
  handle(packet: ParsedPacket): void;
}

export interface CoapEndpoint {
  request(peer: Peer, spec: RequestSpec, timeoutMs: number): Promise<CoapResponse>;
  /** Stops routing notifications of this token (the observation is over on our side). */
  forgetToken(peer: Peer, token: Buffer): void;
  /** Routes notifications with this token from this peer to onNotify: an observation made before a restart, or
   * one whose device moved to another address. */
  listen(peer: Peer, token: Buffer, onNotify: (packet: ParsedPacket) => void): void;
  close(): void;
}

export function createCoapEndpoint(options: CoapEndpointOptions): CoapEndpoint {
  const { socket, clock } = options;
  const ackTimeout = options.ackTimeoutMs ?? 2000;
  const blockSize = options.blockSize ?? 1024;
  let messageId = randomBytes(2).readUInt16BE(0);
  let closed = false;
  const pendingCons = new Map<string, PendingCon>();
  const tokens = new Map<string, TokenHandler>();
  /** Exchanges still waiting for an answer: close() fails them. */
  const open = new Set<(error: Error) => void>();
  /** Incoming CON/NON message ids seen recently (peer#mid) with the answer we gave, for duplicates. */
  const seen = new Map<string, { at: number; answer?: Buffer }>();
  /** Incoming Block1 request bodies being assembled, by peer + token-less request key. */
  const block1Bodies = new Map<string, { chunks: Buffer[]; size: number; at: number }>();

  const nextMid = () => (messageId = (messageId + 1) & 0xffff);

  const send = (bytes: Buffer, peer: Peer) => {
    if (closed) return;
    options.onDatagram?.('out', bytes, peer);
    socket.send(bytes, peer.port, peer.address);
  };

  const sweep = clock.setInterval(() => {
    const oldest = clock.now() - EXCHANGE_LIFETIME_MS;
    for (const [k, v] of seen) {
      if (v.at >= oldest) break;
      seen.delete(k);
    }
    for (const [k, v] of block1Bodies) if (v.at < oldest) block1Bodies.delete(k);
  }, 10_000);

  const remember = (key: string, answer?: Buffer) => {
    seen.delete(key);
    seen.set(key, { at: clock.now(), ...(answer ? { answer } : {}) });
    if (seen.size > MAX_DEDUP_ENTRIES) seen.delete(seen.keys().next().value!);
  };

  const reset = (mid: number, peer: Peer) => send(emptyMessage('reset', mid), peer);

  const handleRequest = (packet: ParsedPacket, peer: Peer, key: string) => {
    let answered = false;
    const respondWith = (response: ResponseSpec) => {
      if (answered) return;
      answered = true;
      const bytes = coapPacket.generate({
        messageId: packet.confirmable ? packet.messageId : nextMid(),
        token: packet.token,
        ack: packet.confirmable,
        confirmable: false,
        code: response.code,
        options: response.options ?? [],
        payload: response.payload ?? Buffer.alloc(0),
      });
      remember(key, bytes);
      send(bytes, peer);
    };
    const block1 = readBlock(optionOf(packet, 'Block1'));
    if (!block1) {
      options.onRequest({ packet, peer, payload: packet.payload, respond: respondWith });
      return;
    }
    const bodyKey = `${peerKey(peer)} ${packet.code} ${optionsOf(packet, 'Uri-Path').join('/')}`;
    let body = block1Bodies.get(bodyKey);
    if (block1.num === 0) block1Bodies.set(bodyKey, (body = { chunks: [], size: 0, at: clock.now() }));
    if (!body || body.size !== block1.num * block1.size) {
      block1Bodies.delete(bodyKey);
      return respondWith({ code: '4.08', payload: Buffer.from('block out of order; start again at block 0') });
    }
    body.chunks.push(packet.payload);
    body.size += packet.payload.length;
    body.at = clock.now();
    if (body.size > MAX_BODY_BYTES) {
      block1Bodies.delete(bodyKey);
      return respondWith({ code: '4.13' });
    }
    if (block1.more) return respondWith({ code: '2.31', options: [{ name: 'Block1', value: blockOption(block1) }] });
    block1Bodies.delete(bodyKey);
    options.onRequest({
      packet,
      peer,
      payload: Buffer.concat(body.chunks),
      respond: (r) =>
        respondWith({ ...r, options: [...(r.options ?? []), { name: 'Block1', value: blockOption(block1) }] }),
    });
  };

  const onMessage = (bytes: Buffer, rinfo: RemoteInfo) => {
    const peer = { address: rinfo.address, port: rinfo.port };
    options.onDatagram?.('in', bytes, peer);
    let packet: ParsedPacket;
    try {
      packet = coapPacket.parse(bytes);
    } catch (error) {
      options.onMalformed?.(peer, bytes, error instanceof Error ? error.message : String(error));
      // A CON we cannot parse is rejected with a RST (RFC 7252 §4.2), when its header is readable.
      if (bytes.length >= 4 && bytes[0]! >> 6 === 1 && ((bytes[0]! >> 4) & 3) === 0) reset(bytes.readUInt16BE(2), peer);
      return;
    }
    const pk = peerKey(peer);
    if (packet.ack || packet.reset) {
      const key = `${pk}#${packet.messageId}`;
      const waiting = pendingCons.get(key);
      if (!waiting) return;
      pendingCons.delete(key);
      waiting.timer.cancel();
      if (packet.reset) waiting.onReset();
      else waiting.onAck(packet);
      return;
    }
    if (packet.code === '0.00') {
      // CoAP ping: answered with a RST.
      if (packet.confirmable) reset(packet.messageId, peer);
      return;
    }
    const key = `${pk}#${packet.messageId}`;
    const earlier = seen.get(key);
    if (earlier) {
      if (earlier.answer) send(earlier.answer, peer);
      else if (packet.confirmable && !isRequestCode(packet.code)) send(emptyMessage('ack', packet.messageId), peer);
      return;
    }
    if (isRequestCode(packet.code)) return handleRequest(packet, peer, key);
    // A separate response or a notification: find its exchange by token.
    const handler = tokens.get(`${pk}#${packet.token.toString('hex')}`);
    if (!handler) {
      // Nobody waits for it (e.g. an observation we cancelled): RST tells the device to stop (RFC 7641 §3.6).
      remember(key);
      if (packet.confirmable) reset(packet.messageId, peer);
      return;
    }
    if (packet.confirmable) {
      const ack = emptyMessage('ack', packet.messageId);
      remember(key, ack);
      send(ack, peer);
    } else remember(key);
    handler.handle(packet);
  };
  socket.on('message', onMessage);

  /** Sends one CON request and resolves with its response (piggybacked or separate). */
  const exchange = (peer: Peer, spec: RequestSpec, token: Buffer, timeoutMs: number): Promise<ParsedPacket> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new CoapRequestError('STOPPED', 'the CoAP server is stopped'));
      const pk = peerKey(peer);
      const tokenKey = `${pk}#${token.toString('hex')}`;
      const mid = nextMid();
      const bytes = coapPacket.generate({
        messageId: mid,
        token,
        confirmable: true,
        code: METHOD_CODES[spec.code] ?? spec.code,
        options: spec.options ?? [],
        payload: spec.payload ?? Buffer.alloc(0),
      });
      let done = false;
      let overall: TimerHandle | undefined = undefined;
      const finish = (error: Error | undefined, packet?: ParsedPacket) => {
        if (done) return;
        done = true;
        open.delete(finish);
        overall?.cancel();
        pendingCons.get(`${pk}#${mid}`)?.timer.cancel();
        pendingCons.delete(`${pk}#${mid}`);
        if (error || !spec.onNotify) tokens.delete(tokenKey);
        if (error) reject(error);
        else resolve(packet!);
      };
      tokens.set(tokenKey, {
        peer: pk,
        handle: (p) => {
          if (!done) finish(undefined, p);
          else spec.onNotify?.(p);
        },
      });
      let attempt = 0;
      const transmit = () => {
        send(bytes, peer);
        const wait = ackTimeout * 2 ** attempt * (1 + Math.random() * 0.5);
        attempt++;
        pendingCons.set(`${pk}#${mid}`, {
          timer: clock.setTimeout(() => {
            pendingCons.delete(`${pk}#${mid}`);
            if (attempt > MAX_RETRANSMIT)
              finish(new CoapRequestError('TIMEOUT', `${pk} did not acknowledge after ${attempt} transmissions`));
            else transmit();
          }, wait),
          onAck: (p) => {
            if (p.code !== '0.00') finish(undefined, p);
            // Empty ACK: the answer comes later as a separate response with the token.
          },
          onReset: () => finish(new CoapRequestError('RESET', `${pk} answered with a reset`)),
        });
      };
      open.add(finish);
      overall = clock.setTimeout(
        () => finish(new CoapRequestError('TIMEOUT', `${pk} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      transmit();
    });

  const withoutBlocks = (opts: CoapOption[] | undefined) =>
    (opts ?? []).filter((o) => o.name !== 'Block1' && o.name !== 'Block2' && o.name !== 'Observe');

  return {
    async request(peer, spec, timeoutMs) {
      const token = spec.token ?? randomBytes(4);
      const payload = spec.payload ?? Buffer.alloc(0);
      let first: ParsedPacket;
      if (payload.length > blockSize) {
        // Block1: the device may ask for smaller blocks in its 2.31 answers; we follow.
        let size = blockSize;
        let offset = 0;
        let answer: ParsedPacket | undefined;
        while (offset < payload.length) {
          const chunk = payload.subarray(offset, offset + size);
          const more = offset + chunk.length < payload.length;
          const block = { num: offset / size, more, size };
          answer = await exchange(
            peer,
            {
              ...spec,
              options: [...(spec.options ?? []), { name: 'Block1', value: blockOption(block) }],
              payload: chunk,
            },
            randomBytes(4),
            timeoutMs,
          );
          if (!more || answer.code !== '2.31') break;
          const asked = readBlock(optionOf(answer, 'Block1'));
          offset += chunk.length;
          if (asked && asked.size < size) size = asked.size;
          if (offset % size !== 0)
            throw new CoapRequestError('BLOCK_MISMATCH', 'the device changed block size mid-block');
        }
        first = answer!;
      } else first = await exchange(peer, spec, token, timeoutMs);

      let block2 = readBlock(optionOf(first, 'Block2'));
      if (!block2?.more) return { packet: first, payload: first.payload, token };
      const chunks = [first.payload];
      // A transfer may start mid-body (the rest of a block-wise notification).
      const start = block2.num * block2.size;
      let total = first.payload.length;
      while (block2?.more) {
        const next = { num: block2.num + 1, more: false, size: block2.size };
        const answer = await exchange(
          peer,
          {
            code: spec.code,
            options: [...withoutBlocks(spec.options), { name: 'Block2', value: blockOption(next) }],
          },
          randomBytes(4),
          timeoutMs,
        );
        if (!answer.code.startsWith('2.')) return { packet: answer, payload: answer.payload, token };
        const got = readBlock(optionOf(answer, 'Block2'));
        if (!got || got.num * got.size !== start + total)
          throw new CoapRequestError('BLOCK_MISMATCH', `block ${next.num} came back as ${got ? got.num : 'none'}`);
        chunks.push(answer.payload);
        total += answer.payload.length;
        if (total > MAX_BODY_BYTES)
          throw new CoapRequestError('TOO_LARGE', `the answer is over ${MAX_BODY_BYTES} bytes`);
        block2 = got;
      }
      return { packet: first, payload: Buffer.concat(chunks), token };
    },

    forgetToken(peer, token) {
      tokens.delete(`${peerKey(peer)}#${token.toString('hex')}`);
    },

    listen(peer, token, onNotify) {
      const pk = peerKey(peer);
      tokens.set(`${pk}#${token.toString('hex')}`, { peer: pk, handle: onNotify });
    },

    close() {
      closed = true;
      sweep.cancel();
      socket.off('message', onMessage);
      for (const p of pendingCons.values()) p.timer.cancel();
      pendingCons.clear();
      for (const fail of [...open]) fail(new CoapRequestError('STOPPED', 'the CoAP server stopped'));
      tokens.clear();
    },
  };
}
