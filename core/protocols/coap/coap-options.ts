// CoAP option values (RFC 7252 §3.2 uint, RFC 7959 Block1/Block2) read from and written to coap-packet's parsed options.
import type { ParsedPacket } from 'coap-packet';

export function uintOption(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

export function readUint(buffer: Buffer | undefined): number {
  let n = 0;
  for (const b of buffer ?? []) n = n * 256 + b;
  return n;
}

export const optionOf = (p: ParsedPacket, name: string): Buffer | undefined =>
  p.options.find((o) => o.name === name)?.value;

export const optionsOf = (p: ParsedPacket, name: string): Buffer[] =>
  p.options.filter((o) => o.name === name).map((o) => o.value);

export interface BlockValue {
  num: number;
  more: boolean;
  /** Block size in bytes. */
  size: number;
}

export function readBlock(value: Buffer | undefined): BlockValue | undefined {
  if (value === undefined || value.length > 3) return undefined;
  const n = readUint(value);
  const szx = n & 0x07;
  if (szx === 7) return undefined;
  return { num: n >> 4, more: (n & 0x08) !== 0, size: 1 << (szx + 4) };
}

export function blockOption(block: BlockValue): Buffer {
  const szx = Math.log2(block.size) - 4;
  return uintOption((block.num << 4) | (block.more ? 8 : 0) | szx);
}
