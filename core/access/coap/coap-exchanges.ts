// Our confirmable requests (RFC 7252 §4.2, RFC 7641): retransmission with exponential back-off until the ACK, the
// RST that ends one, and the tokens that route separate responses and observe notifications back to their owner.
import coapPacket, { type ParsedPacket } from 'coap-packet';
import type { Clock, TimerHandle } from '../../clock.js';
import { CoapRequestError, peerKey, type Peer, type RequestSpec } from './coap-messages.js';

const METHOD_CODES: Record<string, string> = { GET: '0.01', POST: '0.02', PUT: '0.03', DELETE: '0.04' };
const MAX_RETRANSMIT = 4;

interface PendingCon {
  timer: TimerHandle;
  onAck(packet: ParsedPacket): void;
  onReset(): void;
}

export interface ExchangeTransport {
  clock: Clock;
  /** First retransmission wait (ACK_TIMEOUT); doubled each time. */
  ackTimeoutMs: number;
  send(bytes: Buffer, peer: Peer): void;
  nextMid(): number;
}

export class ConExchanges {
  private readonly pending = new Map<string, PendingCon>();
  /** `peer#tokenHex` → who gets messages with that token. */
  private readonly tokens = new Map<string, (packet: ParsedPacket) => void>();
  /** Exchanges still waiting for an answer: close() fails them. */
  private readonly open = new Set<(error: Error) => void>();
  private closed = false;

  constructor(private readonly transport: ExchangeTransport) {}

  /** An ACK or RST from `pk`: settles the CON it answers, if we still wait for it. */
  settle(pk: string, packet: ParsedPacket): void {
    const key = `${pk}#${packet.messageId}`;
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.pending.delete(key);
    waiting.timer.cancel();
    if (packet.reset) waiting.onReset();
    else waiting.onAck(packet);
  }

  /** Who waits for a response or notification with this token from `pk`. */
  handlerOf(pk: string, token: Buffer): ((packet: ParsedPacket) => void) | undefined {
    return this.tokens.get(`${pk}#${token.toString('hex')}`);
  }

  listen(peer: Peer, token: Buffer, onMessage: (packet: ParsedPacket) => void): void {
    this.tokens.set(`${peerKey(peer)}#${token.toString('hex')}`, onMessage);
  }

  forgetToken(peer: Peer, token: Buffer): void {
    this.tokens.delete(`${peerKey(peer)}#${token.toString('hex')}`);
  }

  /** Sends one CON request and resolves with its response (piggybacked or separate). */
  exchange(peer: Peer, spec: RequestSpec, token: Buffer, timeoutMs: number): Promise<ParsedPacket> {
    const { clock, ackTimeoutMs } = this.transport;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new CoapRequestError('STOPPED', 'the CoAP server is stopped'));
      const pk = peerKey(peer);
      const tokenKey = `${pk}#${token.toString('hex')}`;
      const mid = this.transport.nextMid();
      const conKey = `${pk}#${mid}`;
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
        this.open.delete(finish);
        overall?.cancel();
        this.pending.get(conKey)?.timer.cancel();
        this.pending.delete(conKey);
        if (error || !spec.onNotify) this.tokens.delete(tokenKey);
        if (error) reject(error);
        else resolve(packet!);
      };
      this.tokens.set(tokenKey, (p) => {
        if (!done) finish(undefined, p);
        else spec.onNotify?.(p);
      });
      let attempt = 0;
      const transmit = () => {
        this.transport.send(bytes, peer);
        const wait = ackTimeoutMs * 2 ** attempt * (1 + Math.random() * 0.5);
        attempt++;
        this.pending.set(conKey, {
          timer: clock.setTimeout(() => {
            this.pending.delete(conKey);
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
      this.open.add(finish);
      overall = clock.setTimeout(
        () => finish(new CoapRequestError('TIMEOUT', `${pk} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      transmit();
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
    for (const fail of [...this.open]) fail(new CoapRequestError('STOPPED', 'the CoAP server stopped'));
    this.tokens.clear();
  }
}
