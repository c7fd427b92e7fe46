// The small CBOR subset SenML CBOR needs (RFC 8949: ints, strings, bytes, arrays, maps, floats, simple). Never throws.
import { parsed, parseError, type Parsed } from '../parse-result.js';

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

const MAX_DEPTH = 16;
const MAX_ITEMS = 100_000;

class CborError extends Error {}

export function decodeCbor(bytes: Uint8Array): Parsed<CborValue> {
  let at = 0;
  let items = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new CborError(`item at byte ${at} is cut off`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const argument = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (!size) throw new CborError(`indefinite or reserved length ${info} at byte ${at - 1}`);
    need(size);
    const v =
      size === 1
        ? view.getUint8(at)
        : size === 2
          ? view.getUint16(at)
          : size === 4
            ? view.getUint32(at)
            : Number(view.getBigUint64(at));
    at += size;
    return v;
  };
  const item = (depth: number): CborValue => {
    if (depth > MAX_DEPTH) throw new CborError(`nesting deeper than ${MAX_DEPTH}`);
    if (++items > MAX_ITEMS) throw new CborError(`more than ${MAX_ITEMS} items`);
    need(1);
    const initial = bytes[at++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25) {
        need(2);
        const h = view.getUint16(at);
        at += 2;
        const exp = (h >> 10) & 0x1f;
        const mant = h & 0x3ff;
        const v = exp === 0 ? mant * 2 ** -24 : exp === 31 ? (mant ? NaN : Infinity) : (mant + 1024) * 2 ** (exp - 25);
        return h & 0x8000 ? -v : v;
      }
      if (info === 26) {
        need(4);
        at += 4;
        return view.getFloat32(at - 4);
      }
      if (info === 27) {
        need(8);
        at += 8;
        return view.getFloat64(at - 8);
      }
      throw new CborError(`unsupported simple value ${info}`);
    }
    const n = argument(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
      case 3: {
        need(n);
        const slice = bytes.subarray(at, at + n);
        at += n;
        return major === 2 ? slice : new TextDecoder().decode(slice);
      }
      case 4: {
        if (n > bytes.length - at) throw new CborError(`array of ${n} items cannot fit`);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        if (n * 2 > bytes.length - at) throw new CborError(`map of ${n} pairs cannot fit`);
        const out = new Map<CborValue, CborValue>();
        for (let i = 0; i < n; i++) out.set(item(depth + 1), item(depth + 1));
        return out;
      }
      default:
        // Tags (major 6): SenML does not use them.
        throw new CborError(`unsupported major type ${major}`);
    }
  };
  try {
    const value = item(0);
    if (at !== bytes.length) return parseError('CBOR_TRAILING', `${bytes.length - at} bytes after the CBOR item`);
    return parsed(value);
  } catch (error) {
    return parseError('CBOR_INVALID', error instanceof Error ? error.message : String(error));
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  const head = (major: number, n: number) => {
    if (n < 24) out.push((major << 5) | n);
    else if (n <= 0xff) out.push((major << 5) | 24, n);
    else if (n <= 0xffff) out.push((major << 5) | 25, n >> 8, n & 0xff);
    else if (n <= 0xffffffff)
      out.push((major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    else {
      const b = new DataView(new ArrayBuffer(8));
      b.setBigUint64(0, BigInt(n));
      out.push((major << 5) | 27, ...new Uint8Array(b.buffer));
    }
  };
  const write = (v: CborValue) => {
    if (v === null) out.push(0xf6);
    else if (v === true) out.push(0xf5);
    else if (v === false) out.push(0xf4);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) head(v >= 0 ? 0 : 1, v >= 0 ? v : -1 - v);
      else {
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, v);
        out.push(0xfb, ...new Uint8Array(b.buffer));
      }
    } else if (typeof v === 'string') {
      const bytes = new TextEncoder().encode(v);
      head(3, bytes.length);
      for (const b of bytes) out.push(b);
    } else if (v instanceof Uint8Array) {
      head(2, v.length);
      for (const b of v) out.push(b);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(write);
    } else {
      head(5, v.size);
      for (const [k, x] of v) {
        write(k);
        write(x);
      }
    }
  };
  write(value);
  return Uint8Array.from(out);
}
