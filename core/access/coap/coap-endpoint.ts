// The CoAP message layer on one UDP socket (RFC 7252): each datagram in is parsed and de-duplicated, then is an
// ACK/RST for one of our CONs, a request to serve, or a response/notification for a token. Our own requests are
// in coap-exchanges.ts, block-wise transfers in coap-blockwise.ts.
import { randomBytes } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import type { Clock } from '../../clock.js';
import { blockOption, optionOf, readBlock } from '../../protocols/coap/coap-options.js';
import { Block1Bodies, requestBlockwise } from './coap-blockwise.js';
import { RecentMessages } from './coap-dedup.js';
import { ConExchanges } from './coap-exchanges.js';
import {
  peerKey,
  type CoapResponse,
  type IncomingRequest,
  type Peer,
  type RequestSpec,
  type ResponseSpec,
} from './coap-messages.js';

export {
  CoapRequestError,
  peerKey,
  type CoapOption,
  type CoapResponse,
  type IncomingRequest,
  type Peer,
  type RequestSpec,
  type ResponseSpec,
} from './coap-messages.js';

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

const EXCHANGE_LIFETIME_MS = 247_000;

const isRequestCode = (code: string) => code.startsWith('0.') && code !== '0.00';

/** Empty ACK and RST (RFC 7252 §4.2/§4.3): four header bytes, no token. One goes out for every CON received. */
const emptyMessage = (type: 'ack' | 'reset', mid: number) =>
  Buffer.from([type === 'ack' ? 0x60 : 0x70, 0x00, (mid >> 8) & 0xff, mid & 0xff]);

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
  const blockSize = options.blockSize ?? 1024;
  let messageId = randomBytes(2).readUInt16BE(0);
  let closed = false;
  const seen = new RecentMessages();
  const block1Bodies = new Block1Bodies(clock);

  const nextMid = () => (messageId = (messageId + 1) & 0xffff);

  const send = (bytes: Buffer, peer: Peer) => {
    if (closed) return;
    options.onDatagram?.('out', bytes, peer);
    socket.send(bytes, peer.port, peer.address);
  };
  const exchanges = new ConExchanges({ clock, ackTimeoutMs: options.ackTimeoutMs ?? 2000, send, nextMid });

  const sweep = clock.setInterval(() => {
    const oldest = clock.now() - EXCHANGE_LIFETIME_MS;
    seen.sweep(oldest);
    block1Bodies.sweep(oldest);
  }, 10_000);

  const remember = (key: string, answer?: Buffer) => seen.remember(key, clock.now(), answer);

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
    if (!block1) return options.onRequest({ packet, peer, payload: packet.payload, respond: respondWith });
    const step = block1Bodies.take(packet, peer, block1);
    if ('answer' in step) return respondWith(step.answer);
    options.onRequest({
      packet,
      peer,
      payload: step.body,
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
    if (packet.ack || packet.reset) return exchanges.settle(pk, packet);
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
    const handler = exchanges.handlerOf(pk, packet.token);
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
    handler(packet);
  };
  socket.on('message', onMessage);

  return {
    request: (peer, spec, timeoutMs) =>
      requestBlockwise((p, s, t, ms) => exchanges.exchange(p, s, t, ms), peer, spec, timeoutMs, {
        blockSize,
        token: spec.token ?? randomBytes(4),
        newToken: () => randomBytes(4),
      }),
    forgetToken: (peer, token) => exchanges.forgetToken(peer, token),
    listen: (peer, token, onNotify) => exchanges.listen(peer, token, onNotify),
    close() {
      closed = true;
      sweep.cancel();
      socket.off('message', onMessage);
      exchanges.close();
    },
  };
}
