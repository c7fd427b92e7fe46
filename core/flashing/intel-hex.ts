// Intel HEX (I8HEX/I16HEX/I32HEX) to contiguous memory segments. Pure; every error names its line.
export interface HexSegment {
  address: number;
  data: Uint8Array;
}

export interface ParsedHex {
  segments: HexSegment[];
  /** From a type 03/05 record, when the file has one. */
  startAddress: number | null;
}

export class IntelHexError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'IntelHexError';
  }
}

const MAX_IMAGE = 64 * 1024 * 1024;

export function parseIntelHex(text: string): ParsedHex {
  const bytesAt = new Map<number, number>();
  let base = 0;
  let startAddress: number | null = null;
  let ended = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (ended) throw new IntelHexError(n, 'data after the end-of-file record');
    if (!line.startsWith(':')) throw new IntelHexError(n, 'a record starts with ":"');
    const hex = line.slice(1);
    if (hex.length < 10 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
      throw new IntelHexError(n, 'not a record of hex digit pairs');
    }
    const bytes = Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
    const count = bytes[0]!;
    if (bytes.length !== count + 5) throw new IntelHexError(n, `byte count ${count} does not match the record length`);
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw new IntelHexError(n, 'checksum mismatch');
    const offset = (bytes[1]! << 8) | bytes[2]!;
    const type = bytes[3]!;
    const data = bytes.subarray(4, 4 + count);
    switch (type) {
      case 0x00:
        for (let k = 0; k < data.length; k++) {
          const address = (base + offset + k) >>> 0;
          if (bytesAt.has(address)) throw new IntelHexError(n, `address 0x${address.toString(16)} is written twice`);
          bytesAt.set(address, data[k]!);
          if (bytesAt.size > MAX_IMAGE) throw new IntelHexError(n, 'the image is larger than 64 MB');
        }
        break;
      case 0x01:
        ended = true;
        break;
      case 0x02:
        if (count !== 2) throw new IntelHexError(n, 'an extended segment address record carries 2 bytes');
        base = ((data[0]! << 8) | data[1]!) * 16;
        break;
      case 0x04:
        if (count !== 2) throw new IntelHexError(n, 'an extended linear address record carries 2 bytes');
        base = ((data[0]! << 24) | (data[1]! << 16)) >>> 0;
        break;
      case 0x03:
      case 0x05:
        if (count !== 4) throw new IntelHexError(n, 'a start address record carries 4 bytes');
        startAddress = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
        break;
      default:
        throw new IntelHexError(n, `unknown record type 0x${type.toString(16).padStart(2, '0')}`);
    }
  }
  if (!ended) throw new IntelHexError(lines.length, 'no end-of-file record (:00000001FF)');
  return { segments: toSegments(bytesAt), startAddress };
}

function toSegments(bytesAt: Map<number, number>): HexSegment[] {
  const addresses = [...bytesAt.keys()].sort((a, b) => a - b);
  const segments: HexSegment[] = [];
  let start = 0;
  while (start < addresses.length) {
    let end = start;
    while (end + 1 < addresses.length && addresses[end + 1] === addresses[end]! + 1) end++;
    const data = new Uint8Array(end - start + 1);
    for (let k = start; k <= end; k++) data[k - start] = bytesAt.get(addresses[k]!)!;
    segments.push({ address: addresses[start]!, data });
    start = end + 1;
  }
  return segments;
}
