// How a simulated device encodes what it is read for and decodes what it is written: text, opaque, TLV, SenML JSON.
import type { ResourcePath, SimObjectStore, SimResource, SimScalar, SimValueType } from './sim-objects.js';

export const CONTENT_FORMAT = {
  text: 0,
  link: 40,
  opaque: 42,
  senmlJson: 110,
  tlv: 11542,
  senmlJsonLegacy: 1543,
  tlvLegacy: 1542,
  textLegacy: 1541,
} as const;

export type ContentOutcome = { ok: true; format: number; payload: Buffer } | { ok: false; code: string };

function intBytes(n: number): Buffer {
  if (n >= -0x80 && n <= 0x7f) return Buffer.from([n & 0xff]);
  if (n >= -0x8000 && n <= 0x7fff) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  }
  if (n >= -0x80000000 && n <= 0x7fffffff) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  }
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Math.trunc(n)));
  return b;
}

function scalarBytes(type: SimValueType, value: SimScalar): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  switch (type) {
    case 'integer':
    case 'time':
      return intBytes(Math.trunc(Number(value)));
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(value));
      return b;
    }
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    default:
      return Buffer.from(String(value));
  }
}

/** One TLV entry: kind 0 object instance, 1 resource instance, 2 multiple resource, 3 resource with value. */
function tlvEntry(kind: 0 | 1 | 2 | 3, id: number, value: Buffer): Buffer {
  const wideId = id > 0xff;
  const length = value.length;
  let lengthType = 0;
  let lengthBytes = Buffer.alloc(0);
  if (length > 7) {
    lengthType = length <= 0xff ? 1 : length <= 0xffff ? 2 : 3;
    lengthBytes = Buffer.alloc(lengthType);
    lengthBytes.writeUIntBE(length, 0, lengthType);
  }
  const typeByte = (kind << 6) | (wideId ? 0x20 : 0) | (lengthType << 3) | (lengthType === 0 ? length : 0);
  const idBytes = Buffer.alloc(wideId ? 2 : 1);
  idBytes.writeUIntBE(id, 0, idBytes.length);
  return Buffer.concat([Buffer.from([typeByte]), idBytes, lengthBytes, value]);
}

function tlvResource(store: SimObjectStore, id: number, resource: SimResource): Buffer | undefined {
  const value = store.valueOf(resource);
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    return tlvEntry(2, id, Buffer.concat(value.map((v, i) => tlvEntry(1, i, scalarBytes(resource.type, v)))));
  }
  return tlvEntry(3, id, scalarBytes(resource.type, value));
}

function tlvInstance(store: SimObjectStore, instance: Map<number, SimResource>): Buffer {
  const parts: Buffer[] = [];
  for (const [id, r] of [...instance].sort((a, b) => a[0] - b[0])) {
    if (r.execute) continue;
    const entry = tlvResource(store, id, r);
    if (entry) parts.push(entry);
  }
  return Buffer.concat(parts);
}

function senmlValue(type: SimValueType, value: SimScalar): Record<string, unknown> {
  if (value instanceof Uint8Array) return { vd: Buffer.from(value).toString('base64url') };
  if (typeof value === 'boolean') return { vb: value };
  if (type === 'integer' || type === 'float' || type === 'time') return { v: Number(value) };
  return { vs: String(value) };
}

type Leaf = { name: string; type: SimValueType; value: SimScalar };

function leaves(store: SimObjectStore, path: ResourcePath): Leaf[] | undefined {
  const out: Leaf[] = [];
  const addResource = (i: number, id: number, r: SimResource) => {
    const value = store.valueOf(r);
    if (r.execute || value === undefined) return;
    const base = `/${path.objectId}/${i}/${id}`;
    if (Array.isArray(value)) value.forEach((v, n) => out.push({ name: `${base}/${n}`, type: r.type, value: v }));
    else out.push({ name: base, type: r.type, value });
  };
  const instances = store.instances(path.objectId);
  if (!instances) return undefined;
  for (const [i, instance] of instances) {
    if (path.instanceId !== undefined && i !== path.instanceId) continue;
    for (const [id, r] of instance) {
      if (path.resourceId !== undefined && id !== path.resourceId) continue;
      addResource(i, id, r);
    }
  }
  return out.length ? out : undefined;
}

/** Encodes a read of `path` in the requested format (LwM2M defaults when `accept` is absent). */
export function encodeRead(store: SimObjectStore, path: ResourcePath, accept: number | undefined): ContentOutcome {
  const instances = store.instances(path.objectId);
  if (!instances) return { ok: false, code: '4.04' };
  const instance = path.instanceId === undefined ? undefined : instances.get(path.instanceId);
  if (path.instanceId !== undefined && !instance) return { ok: false, code: '4.04' };
  const resource = path.resourceId === undefined ? undefined : instance?.get(path.resourceId);
  if (path.resourceId !== undefined && !resource) return { ok: false, code: '4.04' };
  if (resource?.execute) return { ok: false, code: '4.05' };

  const single = resource ? store.valueOf(resource) : undefined;
  const isScalar = resource !== undefined && single !== undefined && !Array.isArray(single);
  const format =
    accept ??
    (isScalar ? (resource.type === 'opaque' ? CONTENT_FORMAT.opaque : CONTENT_FORMAT.text) : CONTENT_FORMAT.tlv);

  switch (format) {
    case CONTENT_FORMAT.text:
    case CONTENT_FORMAT.textLegacy: {
      if (!isScalar || resource.type === 'opaque') return { ok: false, code: '4.06' };
      const v = single;
      const text = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      return { ok: true, format, payload: Buffer.from(text) };
    }
    case CONTENT_FORMAT.opaque: {
      if (!isScalar || resource.type !== 'opaque') return { ok: false, code: '4.06' };
      return { ok: true, format, payload: Buffer.from(single as Uint8Array) };
    }
    case CONTENT_FORMAT.tlv:
    case CONTENT_FORMAT.tlvLegacy: {
      if (resource) {
        const entry = tlvResource(store, path.resourceId!, resource);
        return entry ? { ok: true, format, payload: entry } : { ok: false, code: '4.04' };
      }
      if (instance) return { ok: true, format, payload: tlvInstance(store, instance) };
      const parts = [...instances]
        .sort((a, b) => a[0] - b[0])
        .map(([id, inst]) => tlvEntry(0, id, tlvInstance(store, inst)));
      return { ok: true, format, payload: Buffer.concat(parts) };
    }
    case CONTENT_FORMAT.senmlJson:
    case CONTENT_FORMAT.senmlJsonLegacy: {
      const found = leaves(store, path);
      if (!found) return { ok: false, code: '4.04' };
      const records = found.map((leaf, index) => ({
        ...(index === 0 ? { bn: '' } : {}),
        n: leaf.name,
        ...senmlValue(leaf.type, leaf.value),
      }));
      return { ok: true, format, payload: Buffer.from(JSON.stringify(records)) };
    }
    default:
      return { ok: false, code: '4.06' };
  }
}

/** `</3/0>;dim…` for a Discover: the object, its instances and their resources. */
export function discoverLinks(store: SimObjectStore, path: ResourcePath): string | undefined {
  const instances = store.instances(path.objectId);
  if (!instances) return undefined;
  const links: string[] = [];
  if (path.instanceId === undefined) links.push(`</${path.objectId}>`);
  for (const [i, instance] of [...instances].sort((a, b) => a[0] - b[0])) {
    if (path.instanceId !== undefined && i !== path.instanceId) continue;
    if (path.instanceId === undefined) links.push(`</${path.objectId}/${i}>`);
    for (const [r, res] of [...instance].sort((a, b) => a[0] - b[0])) {
      if (path.resourceId !== undefined && r !== path.resourceId) continue;
      const value = res.value;
      const dim = Array.isArray(value) ? `;dim=${value.length}` : '';
      links.push(`</${path.objectId}/${i}/${r}>${dim}`);
    }
  }
  return links.length ? links.join(',') : undefined;
}

export interface TlvEntry {
  kind: 0 | 1 | 2 | 3;
  id: number;
  value: Buffer;
}

/** Splits a TLV payload into its top-level entries; undefined when the bytes are not TLV. */
export function decodeTlv(bytes: Buffer): TlvEntry[] | undefined {
  const out: TlvEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = bytes[at]!;
    const idLength = type & 0x20 ? 2 : 1;
    const lengthType = (type >> 3) & 0x03;
    const header = 1 + idLength + lengthType;
    if (at + header > bytes.length) return undefined;
    const id = bytes.readUIntBE(at + 1, idLength);
    const length = lengthType === 0 ? type & 0x07 : bytes.readUIntBE(at + 1 + idLength, lengthType);
    const start = at + header;
    if (start + length > bytes.length) return undefined;
    out.push({ kind: (type >> 6) as TlvEntry['kind'], id, value: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return out;
}

function scalarFrom(type: SimValueType, bytes: Buffer, textual: boolean): SimScalar | undefined {
  if (type === 'opaque') return new Uint8Array(bytes);
  if (textual) {
    const text = bytes.toString('utf8');
    if (type === 'string') return text;
    if (type === 'boolean') return text === '1' || text === 'true';
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  switch (type) {
    case 'string':
      return bytes.toString('utf8');
    case 'boolean':
      return bytes.length === 1 ? bytes[0] !== 0 : undefined;
    case 'float':
      return bytes.length === 4 ? bytes.readFloatBE(0) : bytes.length === 8 ? bytes.readDoubleBE(0) : undefined;
    default:
      if (![1, 2, 4, 8].includes(bytes.length)) return undefined;
      return bytes.length === 8 ? Number(bytes.readBigInt64BE(0)) : bytes.readIntBE(0, bytes.length);
  }
}

/** Values to write, by resource id, from a write payload aimed at a resource or an instance. */
export function decodeWrite(
  store: SimObjectStore,
  path: ResourcePath & { instanceId: number },
  format: number | undefined,
  payload: Buffer,
): { ok: true; values: Map<number, SimScalar | SimScalar[]> } | { ok: false; code: string } {
  const typeOf = (id: number) => store.resource(path.objectId, path.instanceId, id)?.type;
  const values = new Map<number, SimScalar | SimScalar[]>();
  if (format === CONTENT_FORMAT.tlv || format === CONTENT_FORMAT.tlvLegacy) {
    let entries = decodeTlv(payload);
    if (!entries) return { ok: false, code: '4.00' };
    if (entries.length === 1 && entries[0]!.kind === 0) entries = decodeTlv(entries[0]!.value);
    for (const e of entries ?? []) {
      const type = typeOf(e.id);
      if (!type) return { ok: false, code: '4.04' };
      if (e.kind === 2) {
        const items = decodeTlv(e.value)?.map((i) => scalarFrom(type, i.value, false));
        if (!items || items.some((i) => i === undefined)) return { ok: false, code: '4.00' };
        values.set(e.id, items as SimScalar[]);
      } else {
        const v = scalarFrom(type, e.value, false);
        if (v === undefined) return { ok: false, code: '4.00' };
        values.set(e.id, v);
      }
    }
    return { ok: true, values };
  }
  if (path.resourceId === undefined) return { ok: false, code: '4.15' };
  const type = typeOf(path.resourceId);
  if (!type) return { ok: false, code: '4.04' };
  if (format === CONTENT_FORMAT.senmlJson || format === CONTENT_FORMAT.senmlJsonLegacy) {
    try {
      const records = JSON.parse(payload.toString('utf8')) as Array<Record<string, unknown>>;
      const r = Array.isArray(records) ? records[0] : undefined;
      const raw = r?.vd ?? r?.vs ?? r?.v ?? r?.vb;
      const rawText =
        typeof raw === 'boolean'
          ? raw
            ? '1'
            : '0'
          : typeof raw === 'number' || typeof raw === 'string'
            ? String(raw)
            : undefined;
      if (rawText === undefined) return { ok: false, code: '4.00' };
      const value =
        typeof r?.vd === 'string'
          ? new Uint8Array(Buffer.from(r.vd, 'base64url'))
          : scalarFrom(type, Buffer.from(rawText), true);
      if (value === undefined) return { ok: false, code: '4.00' };
      values.set(path.resourceId, value);
      return { ok: true, values };
    } catch {
      return { ok: false, code: '4.00' };
    }
  }
  const textual = format === undefined || format === CONTENT_FORMAT.text || format === CONTENT_FORMAT.textLegacy;
  if (!textual && format !== CONTENT_FORMAT.opaque) return { ok: false, code: '4.15' };
  const value = scalarFrom(type, payload, textual);
  if (value === undefined) return { ok: false, code: '4.00' };
  values.set(path.resourceId, value);
  return { ok: true, values };
}
