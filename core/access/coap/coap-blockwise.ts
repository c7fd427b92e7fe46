// Block-wise transfers (RFC 7959) over the message layer: request bodies a device sends in Block1 blocks are
// reassembled; our own requests upload big bodies in Block1 blocks and fetch big answers in Block2 blocks.
import type { ParsedPacket } from 'coap-packet';
import type { Clock } from '../../clock.js';
import { blockOption, optionOf, optionsOf, readBlock, type BlockValue } from '../../protocols/coap/coap-options.js';
import {
  CoapRequestError,
  peerKey,
  type CoapOption,
  type CoapResponse,
  type Peer,
  type RequestSpec,
  type ResponseSpec,
} from './coap-messages.js';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** One CON request and its response (piggybacked or separate): what the endpoint's message layer offers. */
export type Exchange = (peer: Peer, spec: RequestSpec, token: Buffer, timeoutMs: number) => Promise<ParsedPacket>;

/** Incoming Block1 request bodies being assembled, by peer, method and path (the token may change per block). */
export class Block1Bodies {
  private readonly bodies = new Map<string, { chunks: Buffer[]; size: number; at: number }>();

  constructor(private readonly clock: Clock) {}

  /** Takes one block: the answer to send now (2.31 for more, or an error), or the whole body after the last one. */
  take(packet: ParsedPacket, peer: Peer, block1: BlockValue): { answer: ResponseSpec } | { body: Buffer } {
    const key = `${peerKey(peer)} ${packet.code} ${optionsOf(packet, 'Uri-Path').join('/')}`;
    let body = this.bodies.get(key);
    if (block1.num === 0) this.bodies.set(key, (body = { chunks: [], size: 0, at: this.clock.now() }));
    if (!body || body.size !== block1.num * block1.size) {
      this.bodies.delete(key);
      return { answer: { code: '4.08', payload: Buffer.from('block out of order; start again at block 0') } };
    }
    body.chunks.push(packet.payload);
    body.size += packet.payload.length;
    body.at = this.clock.now();
    if (body.size > MAX_BODY_BYTES) {
      this.bodies.delete(key);
      return { answer: { code: '4.13' } };
    }
    if (block1.more) return { answer: { code: '2.31', options: [{ name: 'Block1', value: blockOption(block1) }] } };
    this.bodies.delete(key);
    return { body: Buffer.concat(body.chunks) };
  }

  /** Forgets bodies whose last block came before `oldest` (the device gave up). */
  sweep(oldest: number): void {
    for (const [k, v] of this.bodies) if (v.at < oldest) this.bodies.delete(k);
  }
}

const withoutBlocks = (opts: CoapOption[] | undefined) =>
  (opts ?? []).filter((o) => o.name !== 'Block1' && o.name !== 'Block2' && o.name !== 'Observe');

/** Sends the body in Block1 blocks; the device may ask for smaller blocks in its 2.31 answers, and we follow. */
async function uploadInBlocks(
  exchange: Exchange,
  peer: Peer,
  spec: RequestSpec,
  timeoutMs: number,
  blockSize: number,
  token: () => Buffer,
): Promise<ParsedPacket> {
  const payload = spec.payload ?? Buffer.alloc(0);
  let size = blockSize;
  let offset = 0;
  let answer: ParsedPacket | undefined;
  while (offset < payload.length) {
    const chunk = payload.subarray(offset, offset + size);
    const more = offset + chunk.length < payload.length;
    const block = { num: offset / size, more, size };
    answer = await exchange(
      peer,
      { ...spec, options: [...(spec.options ?? []), { name: 'Block1', value: blockOption(block) }], payload: chunk },
      token(),
      timeoutMs,
    );
    if (!more || answer.code !== '2.31') break;
    const asked = readBlock(optionOf(answer, 'Block1'));
    offset += chunk.length;
    if (asked && asked.size < size) size = asked.size;
    if (offset % size !== 0) throw new CoapRequestError('BLOCK_MISMATCH', 'the device changed block size mid-block');
  }
  return answer!;
}

/** Fetches the Block2 blocks after `first`; a transfer may start mid-body (the rest of a block-wise notification). */
async function downloadRest(
  exchange: Exchange,
  peer: Peer,
  spec: RequestSpec,
  first: ParsedPacket,
  timeoutMs: number,
  token: () => Buffer,
): Promise<{ packet: ParsedPacket; payload: Buffer }> {
  let block2 = readBlock(optionOf(first, 'Block2'));
  if (!block2?.more) return { packet: first, payload: first.payload };
  const chunks = [first.payload];
  const start = block2.num * block2.size;
  let total = first.payload.length;
  while (block2?.more) {
    const next = { num: block2.num + 1, more: false, size: block2.size };
    const answer = await exchange(
      peer,
      { code: spec.code, options: [...withoutBlocks(spec.options), { name: 'Block2', value: blockOption(next) }] },
      token(),
      timeoutMs,
    );
    if (!answer.code.startsWith('2.')) return { packet: answer, payload: answer.payload };
    const got = readBlock(optionOf(answer, 'Block2'));
    if (!got || got.num * got.size !== start + total)
      throw new CoapRequestError('BLOCK_MISMATCH', `block ${next.num} came back as ${got ? got.num : 'none'}`);
    chunks.push(answer.payload);
    total += answer.payload.length;
    if (total > MAX_BODY_BYTES) throw new CoapRequestError('TOO_LARGE', `the answer is over ${MAX_BODY_BYTES} bytes`);
    block2 = got;
  }
  return { packet: first, payload: Buffer.concat(chunks) };
}

/** A request with its whole answer: Block1 upload when the body is bigger than a block, then any Block2 blocks. */
export async function requestBlockwise(
  exchange: Exchange,
  peer: Peer,
  spec: RequestSpec,
  timeoutMs: number,
  options: { blockSize: number; token: Buffer; newToken: () => Buffer },
): Promise<CoapResponse> {
  const first =
    (spec.payload?.length ?? 0) > options.blockSize
      ? await uploadInBlocks(exchange, peer, spec, timeoutMs, options.blockSize, options.newToken)
      : await exchange(peer, spec, options.token, timeoutMs);
  const whole = await downloadRest(exchange, peer, spec, first, timeoutMs, options.newToken);
  return { ...whole, token: options.token };
}
