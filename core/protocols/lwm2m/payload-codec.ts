// LwM2M payloads by content format: answers and notifications to values, write values to a body. Pure, never throws.
import {
  lwm2mContentFormats,
  type Lwm2mContentFormatName,
  type Lwm2mLink,
  type Lwm2mResourceType,
  type Lwm2mValue,
  type Lwm2mWriteValue,
} from '../../contract/lwm2m.js';
import type { Lwm2mDefinitions } from './lwm2m-definitions.js';
import { parseLinkFormat } from './link-format.js';
import { parsed, parseError, type Parsed } from '../parse-result.js';
import {
  resourceType,
  toHex,
  valueFromBytes,
  valueFromText,
  valueToBytes,
  valueToText,
  type ResourceValue,
} from './resource-values.js';
import {
  encodeSenmlCbor,
  encodeSenmlJson,
  parseLwm2mJson,
  parseSenmlCbor,
  parseSenmlJson,
  type SenmlEntry,
} from './senml.js';
import { encodeTlv, parseTlv, type TlvEntry, type TlvNode } from './tlv.js';

export const CF = lwm2mContentFormats;

export function contentFormatName(n: number | undefined): Lwm2mContentFormatName | undefined {
  return (Object.keys(CF) as Lwm2mContentFormatName[]).find((k) => CF[k] === n);
}

export const pathIds = (path: string): number[] => path.split('/').filter(Boolean).map(Number);

export interface DecodedPayload {
  values?: Lwm2mValue[];
  links?: Lwm2mLink[];
  decodeError?: string;
}

function definitionOf(defs: Lwm2mDefinitions, ids: number[]) {
  const [o, , r] = ids;
  return o !== undefined && r !== undefined ? defs.object(o)?.resources.find((x) => x.id === r) : undefined;
}

function describe(defs: Lwm2mDefinitions, ids: number[]): { type: Lwm2mResourceType; name?: string; units?: string } {
  const res = definitionOf(defs, ids);
  return {
    type: resourceType(res?.type),
    ...(res ? { name: res.name } : {}),
    ...(res?.units ? { units: res.units } : {}),
  };
}

function value(defs: Lwm2mDefinitions, ids: number[], v: ResourceValue, type?: Lwm2mResourceType): Lwm2mValue {
  const d = describe(defs, ids);
  return { path: '/' + ids.join('/'), value: v, ...d, type: type ?? d.type };
}

function tlvValues(defs: Lwm2mDefinitions, base: number[], entries: TlvEntry[]): Parsed<Lwm2mValue[]> {
  const out: Lwm2mValue[] = [];
  const [o, i, r] = base;
  const walk = (list: TlvEntry[], ctx: { i?: number; r?: number }): string | undefined => {
    for (const e of list) {
      if (e.kind === 'instance') {
        const err = walk(e.children ?? [], { i: e.id });
        if (err) return err;
        continue;
      }
      if (e.kind === 'multipleResource') {
        const err = walk(e.children ?? [], { ...ctx, r: e.id });
        if (err) return err;
        continue;
      }
      const inst = ctx.i ?? i;
      const ids = e.kind === 'resource' ? [o!, inst ?? 0, e.id] : [o!, inst ?? 0, ctx.r ?? r ?? 0, e.id];
      const { type } = describe(defs, ids);
      const v = valueFromBytes(type, e.value);
      out.push(v.ok ? value(defs, ids, v.value) : value(defs, ids, toHex(e.value), 'opaque'));
    }
    return undefined;
  };
  walk(entries, {});
  return parsed(out);
}

function senmlValues(defs: Lwm2mDefinitions, entries: SenmlEntry[]): Parsed<Lwm2mValue[]> {
  const out: Lwm2mValue[] = [];
  for (const e of entries) {
    if (!/^(\/\d{1,5}){1,4}$/.test(e.name))
      return parseError('SENML_BAD_PATH', `record name ${JSON.stringify(e.name.slice(0, 60))} is not a path`);
    const ids = pathIds(e.name);
    const v = e.value;
    switch (v.kind) {
      case 'number':
      case 'string':
      case 'boolean':
        out.push(value(defs, ids, v.v));
        break;
      case 'opaque':
        out.push(value(defs, ids, toHex(v.v), 'opaque'));
        break;
      case 'objlnk':
        out.push(value(defs, ids, v.v, 'objlnk'));
        break;
      case 'none':
        break;
    }
  }
  return parsed(out);
}

/** Decodes an answer or a notification of `path`; an undecodable body gives decodeError, never a throw. */
export function decodePayload(
  defs: Lwm2mDefinitions,
  path: string,
  contentFormat: number | undefined,
  payload: Uint8Array,
): DecodedPayload {
  const ids = pathIds(path);
  const fail = (r: { ok: false; error: { code: string; message: string } }) => ({
    decodeError: `${r.error.code}: ${r.error.message}`,
  });
  try {
    if (payload.length === 0) return {};
    switch (contentFormat) {
      case CF.link: {
        const r = parseLinkFormat(new TextDecoder().decode(payload));
        return r.ok ? { links: r.value.map((l) => ({ path: l.uri, attributes: l.attributes })) } : fail(r);
      }
      case CF.tlv: {
        const t = parseTlv(payload);
        if (!t.ok) return fail(t);
        const v = tlvValues(defs, ids, t.value);
        return v.ok ? { values: v.value } : fail(v);
      }
      case CF['senml-json']:
      case CF['lwm2m-json']: {
        const s = contentFormat === CF['lwm2m-json'] ? parseLwm2mJson(payload) : parseSenmlJson(payload);
        if (!s.ok) return fail(s);
        const v = senmlValues(defs, s.value);
        return v.ok ? { values: v.value } : fail(v);
      }
      case CF['senml-cbor']: {
        const s = parseSenmlCbor(payload);
        if (!s.ok) return fail(s);
        const v = senmlValues(defs, s.value);
        return v.ok ? { values: v.value } : fail(v);
      }
      case CF.opaque:
        return { values: [value(defs, ids, toHex(payload), 'opaque')] };
      case CF.text:
      case undefined: {
        if (ids.length < 3) return { decodeError: `text/plain only carries a single resource, not ${path}` };
        const { type } = describe(defs, ids);
        const text = new TextDecoder().decode(payload);
        if (type === 'opaque') return { values: [value(defs, ids, text, 'string')] };
        const v = valueFromText(type, text);
        return v.ok ? { values: [value(defs, ids, v.value)] } : fail(v);
      }
      default:
        return { decodeError: `content format ${contentFormat} is not decoded here; the bytes are kept as hex` };
    }
  } catch (error) {
    return { decodeError: `DECODE_FAILED: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export interface EncodedBody {
  contentFormat: number;
  payload: Uint8Array;
}

/** A resource (instance) value with its type, at its full path /o/i/r or /o/i/r/ri. */
export interface TypedResourceValue {
  ids: number[];
  type: Lwm2mResourceType;
  /** Opaque values as hex text or as the bytes. */
  value: ResourceValue | Uint8Array;
}

/** The type of a value written without one to a resource no definition describes: what the value is (a number
 * is not opaque hex: 42 must arrive as 42, not as the byte 0x42). */
function typeOfValue(value: ResourceValue): Lwm2mResourceType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return 'string';
}

/** Encodes write values under `path` (each value's path must be `path` or below it); a value without a type takes
 * its resource's type, or for an unknown resource the type of the value itself. */
export function encodeWrite(
  defs: Lwm2mDefinitions,
  path: string,
  values: Lwm2mWriteValue[],
  format: Lwm2mContentFormatName | undefined,
): Parsed<EncodedBody> {
  const base = pathIds(path);
  if (values.length === 0) return parseError('WRITE_NO_VALUES', 'nothing to write');
  const typed: TypedResourceValue[] = [];
  for (const v of values) {
    const ids = pathIds(v.path);
    if (ids.length < 3 || base.some((id, k) => ids[k] !== id))
      return parseError('WRITE_BAD_PATH', `${v.path} is not a resource under ${path}`);
    const known = definitionOf(defs, ids);
    typed.push({ ids, type: v.type ?? (known ? resourceType(known.type) : typeOfValue(v.value)), value: v.value });
  }
  if (base.length < 2 && (format ?? 'tlv') === 'tlv')
    return parseError('WRITE_BAD_PATH', 'a TLV write targets an instance /o/i or below');
  return encodeResourceValues(path, typed, format);
}

/**
 * Encodes resource values found under `path` (an object, an instance or a resource) in one content format: a read
 * answer, a notification or a write body. Without a format: text for one resource (opaque for opaque ones), TLV
 * for more. Every value's ids must lie under `path`.
 */
export function encodeResourceValues(
  path: string,
  typed: TypedResourceValue[],
  format: Lwm2mContentFormatName | undefined,
): Parsed<EncodedBody> {
  const base = pathIds(path);
  const outside = typed.find((t) => t.ids.length < 3 || t.ids.length > 4 || base.some((id, k) => t.ids[k] !== id));
  if (outside) return parseError('WRITE_BAD_PATH', `/${outside.ids.join('/')} is not a resource under ${path}`);
  // TLV identifiers are 16 bits: a larger id would be cut silently.
  const tooBig = typed.find((t) => t.ids.some((id) => !Number.isInteger(id) || id < 0 || id > 65535));
  if (tooBig) return parseError('WRITE_BAD_PATH', `/${tooBig.ids.join('/')} has an id outside 0..65535`);
  const single = typed.length === 1 && typed[0]!.ids.length === base.length ? typed[0]! : undefined;
  const chosen = format ?? (single && base.length >= 3 ? (single.type === 'opaque' ? 'opaque' : 'text') : 'tlv');
  switch (chosen) {
    case 'text': {
      if (!single) return parseError('WRITE_NOT_SINGLE', 'text/plain carries exactly one resource at the path');
      if (single.value instanceof Uint8Array)
        return parseError('TEXT_NOT_OPAQUE', 'opaque bytes go as application/octet-stream, not text/plain');
      return parsed({
        contentFormat: CF.text,
        payload: new TextEncoder().encode(valueToText(single.type, single.value)),
      });
    }
    case 'opaque': {
      if (!single) return parseError('WRITE_NOT_SINGLE', 'opaque carries exactly one resource at the path');
      const b = valueToBytes('opaque', single.value);
      return b.ok ? parsed({ contentFormat: CF.opaque, payload: b.value }) : b;
    }
    case 'tlv': {
      const nodes = tlvNodes(base, typed);
      return nodes.ok ? parsed({ contentFormat: CF.tlv, payload: encodeTlv(nodes.value) }) : nodes;
    }
    case 'senml-json':
    case 'senml-cbor': {
      const entries: SenmlEntry[] = [];
      for (const t of typed) {
        const entry = senmlEntry(t);
        if (!entry.ok) return entry;
        entries.push(entry.value);
      }
      return parsed({
        contentFormat: chosen === 'senml-json' ? CF['senml-json'] : CF['senml-cbor'],
        payload: chosen === 'senml-json' ? encodeSenmlJson(entries) : encodeSenmlCbor(entries),
      });
    }
    default:
      return parseError(
        'WRITE_BAD_FORMAT',
        `values are encoded as text, opaque, tlv, senml-json or senml-cbor, not ${chosen}`,
      );
  }
}

function senmlEntry(t: TypedResourceValue): Parsed<SenmlEntry> {
  const name = '/' + t.ids.join('/');
  if (t.type === 'opaque' || t.value instanceof Uint8Array) {
    const b = valueToBytes(t.type, t.value);
    return b.ok ? parsed({ name, value: { kind: 'opaque', v: b.value } }) : b;
  }
  if (t.type === 'string' || t.type === 'corelnk')
    return parsed({ name, value: { kind: 'string', v: String(t.value) } });
  if (t.type === 'boolean')
    return parsed({ name, value: { kind: 'boolean', v: valueToText('boolean', t.value) === '1' } });
  if (t.type === 'objlnk') return parsed({ name, value: { kind: 'objlnk', v: String(t.value) } });
  const n = Number(t.value);
  if (!Number.isFinite(n)) return parseError('VALUE_NOT_NUMBER', `${String(t.value)} is not a number`);
  return parsed({ name, value: { kind: 'number', v: n } });
}

/** TLV tree for values under `base`: object instances (for /o), resources, multiple resources and their instances. */
function tlvNodes(base: number[], typed: TypedResourceValue[]): Parsed<TlvNode[]> {
  const instances = new Map<number, Map<number, TlvNode>>();
  for (const t of typed) {
    const bytes = valueToBytes(t.type, t.value);
    if (!bytes.ok) return bytes;
    const [, i, r] = t.ids as [number, number, number, number?];
    let resources = instances.get(i);
    if (!resources) instances.set(i, (resources = new Map<number, TlvNode>()));
    if (t.ids.length === 3) resources.set(r, { kind: 'resource', id: r, value: bytes.value });
    else {
      let multi = resources.get(r);
      if (!multi || multi.kind !== 'multipleResource')
        resources.set(r, (multi = { kind: 'multipleResource', id: r, children: [] }));
      multi.children!.push({ kind: 'resourceInstance', id: t.ids[3]!, value: bytes.value });
    }
  }
  if (base.length >= 2) return parsed([...(instances.get(base[1]!)?.values() ?? [])]);
  return parsed([...instances].map(([id, resources]) => ({ kind: 'instance', id, children: [...resources.values()] })));
}
