// OMA LwM2M TLV (application/vnd.oma.lwm2m+tlv, 11542): parse to a tree, encode from one. Pure, never throws.
import { parsed, parseError, type Parsed } from '../parse-result.js';

export type TlvKind = 'instance' | 'resourceInstance' | 'multipleResource' | 'resource';

export interface TlvEntry {
  kind: TlvKind;
  id: number;
  /** The value bytes (for instance / multipleResource: the nested TLVs' bytes). */
  value: Uint8Array;
  /** Nested entries of an instance or a multiple resource. */
  children?: TlvEntry[];
}

const KINDS: TlvKind[] = ['instance', 'resourceInstance', 'multipleResource', 'resource'];
const MAX_DEPTH = 3;

function parseLevel(bytes: Uint8Array, depth: number): Parsed<TlvEntry[]> {
  const entries: TlvEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const type = bytes[at++]!;
    const kind = KINDS[type >> 6]!;
    const idLength = type & 0x20 ? 2 : 1;
    const lengthType = (type >> 3) & 0x03;
    if (at + idLength > bytes.length) return parseError('TLV_TRUNCATED', `identifier at byte ${start} is cut off`);
    const id = idLength === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : bytes[at]!;
    at += idLength;
    let length = type & 0x07;
    if (lengthType > 0) {
      if (at + lengthType > bytes.length) return parseError('TLV_TRUNCATED', `length at byte ${start} is cut off`);
      length = 0;
      for (let i = 0; i < lengthType; i++) length = length * 256 + bytes[at + i]!;
      at += lengthType;
    }
    if (at + length > bytes.length)
      return parseError(
        'TLV_TRUNCATED',
        `entry at byte ${start} declares ${length} bytes, only ${bytes.length - at} remain`,
      );
    const value = bytes.subarray(at, at + length);
    at += length;
    const entry: TlvEntry = { kind, id, value };
    if (kind === 'instance' || kind === 'multipleResource') {
      if (depth >= MAX_DEPTH) return parseError('TLV_TOO_DEEP', `entries nest deeper than ${MAX_DEPTH} levels`);
      const nested = parseLevel(value, depth + 1);
      if (!nested.ok) return nested;
      const allowed: TlvKind[] = kind === 'instance' ? ['resource', 'multipleResource'] : ['resourceInstance'];
      const wrong = nested.value.find((c) => !allowed.includes(c.kind));
      if (wrong) return parseError('TLV_BAD_NESTING', `a ${kind} ${id} holds a ${wrong.kind} ${wrong.id}`);
      entry.children = nested.value;
    }
    entries.push(entry);
  }
  return parsed(entries);
}

export function parseTlv(bytes: Uint8Array): Parsed<TlvEntry[]> {
  try {
    return parseLevel(bytes, 0);
  } catch (error) {
    return parseError('TLV_INVALID', error instanceof Error ? error.message : String(error));
  }
}

export interface TlvNode {
  kind: TlvKind;
  id: number;
  value?: Uint8Array;
  children?: TlvNode[];
}

export function encodeTlv(nodes: TlvNode[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const node of nodes) {
    const value = node.children ? encodeTlv(node.children) : (node.value ?? new Uint8Array());
    const wideId = node.id > 0xff;
    const len = value.length;
    const lengthType = len < 8 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;
    const header = [(KINDS.indexOf(node.kind) << 6) | (wideId ? 0x20 : 0) | (lengthType << 3) | (lengthType ? 0 : len)];
    if (wideId) header.push(node.id >> 8, node.id & 0xff);
    else header.push(node.id);
    for (let i = lengthType - 1; i >= 0; i--) header.push(Math.floor(len / 256 ** i) & 0xff);
    parts.push(Uint8Array.from(header), value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
