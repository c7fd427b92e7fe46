// SenML JSON (110) and SenML CBOR (112) as LwM2M 1.1 uses them: records resolved to full paths. Never throws.
import { decodeCbor, encodeCbor, type CborValue } from './cbor.js';
import { parsed, parseError, type Parsed } from '../parse-result.js';

/** One resolved record: its full name (bn + n) and its one value. */
export interface SenmlEntry {
  name: string;
  value:
    | { kind: 'number'; v: number }
    | { kind: 'string'; v: string }
    | { kind: 'boolean'; v: boolean }
    | { kind: 'opaque'; v: Uint8Array }
    | { kind: 'objlnk'; v: string }
    | { kind: 'none' };
  /** Resolved time (bt + t), when given. */
  time?: number;
}

interface RawRecord {
  bn?: unknown;
  bt?: unknown;
  n?: unknown;
  v?: unknown;
  vs?: unknown;
  vb?: unknown;
  vd?: unknown;
  vlo?: unknown;
  t?: unknown;
}

const MAX_RECORDS = 10_000;

function base64UrlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

function resolve(records: RawRecord[]): Parsed<SenmlEntry[]> {
  if (records.length > MAX_RECORDS) return parseError('SENML_TOO_MANY', `more than ${MAX_RECORDS} records`);
  const out: SenmlEntry[] = [];
  let baseName = '';
  let baseTime = 0;
  for (const [i, r] of records.entries()) {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      return parseError('SENML_BAD_RECORD', `record ${i} is not an object`);
    if (r.bn !== undefined) {
      if (typeof r.bn !== 'string') return parseError('SENML_BAD_FIELD', `record ${i}: bn is not a string`);
      baseName = r.bn;
    }
    if (r.bt !== undefined) {
      if (typeof r.bt !== 'number') return parseError('SENML_BAD_FIELD', `record ${i}: bt is not a number`);
      baseTime = r.bt;
    }
    if (r.n !== undefined && typeof r.n !== 'string')
      return parseError('SENML_BAD_FIELD', `record ${i}: n is not a string`);
    const name = baseName + (r.n ?? '');
    if (!name) return parseError('SENML_NO_NAME', `record ${i} has no name`);
    let value: SenmlEntry['value'];
    if (r.v !== undefined) {
      if (typeof r.v !== 'number') return parseError('SENML_BAD_FIELD', `record ${i}: v is not a number`);
      value = { kind: 'number', v: r.v };
    } else if (r.vs !== undefined) {
      if (typeof r.vs !== 'string') return parseError('SENML_BAD_FIELD', `record ${i}: vs is not a string`);
      value = { kind: 'string', v: r.vs };
    } else if (r.vb !== undefined) {
      if (typeof r.vb !== 'boolean') return parseError('SENML_BAD_FIELD', `record ${i}: vb is not a boolean`);
      value = { kind: 'boolean', v: r.vb };
    } else if (r.vd !== undefined) {
      const bytes = r.vd instanceof Uint8Array ? r.vd : typeof r.vd === 'string' ? base64UrlDecode(r.vd) : undefined;
      if (!bytes) return parseError('SENML_BAD_FIELD', `record ${i}: vd is not base64 data`);
      value = { kind: 'opaque', v: bytes };
    } else if (r.vlo !== undefined) {
      if (typeof r.vlo !== 'string') return parseError('SENML_BAD_FIELD', `record ${i}: vlo is not a string`);
      value = { kind: 'objlnk', v: r.vlo };
    } else value = { kind: 'none' };
    const entry: SenmlEntry = { name, value };
    if (typeof r.t === 'number' || r.bt !== undefined) entry.time = baseTime + (typeof r.t === 'number' ? r.t : 0);
    out.push(entry);
  }
  return parsed(out);
}

export function parseSenmlJson(bytes: Uint8Array): Parsed<SenmlEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    return parseError('SENML_BAD_JSON', error instanceof Error ? error.message : String(error));
  }
  if (!Array.isArray(json)) return parseError('SENML_NOT_ARRAY', 'a SenML pack is a JSON array');
  return resolve(json as RawRecord[]);
}

/** OMA LwM2M 1.0 JSON (11543): `{"bn":"/3/0/","e":[{"n":"0","sv":"Acme"},{"n":"9","v":87}]}`. */
export function parseLwm2mJson(bytes: Uint8Array): Parsed<SenmlEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    return parseError('LWM2M_JSON_BAD_JSON', error instanceof Error ? error.message : String(error));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return parseError('LWM2M_JSON_NOT_OBJECT', 'an LwM2M JSON body is an object with bn and e');
  const { bn, bt, e } = json as { bn?: unknown; bt?: unknown; e?: unknown };
  if (!Array.isArray(e)) return parseError('LWM2M_JSON_NO_ENTRIES', 'the e array is missing');
  const records: RawRecord[] = [{}];
  if (bn !== undefined) records[0]!.bn = bn;
  if (bt !== undefined) records[0]!.bt = bt;
  for (const [i, item] of (e as unknown[]).entries()) {
    if (typeof item !== 'object' || item === null) return parseError('SENML_BAD_RECORD', `entry ${i} is not an object`);
    const x = item as Record<string, unknown>;
    const r: RawRecord = i === 0 ? records[0]! : {};
    r.n = x.n ?? '';
    if (x.v !== undefined) r.v = x.v;
    if (x.sv !== undefined) r.vs = x.sv;
    if (x.bv !== undefined) r.vb = x.bv;
    if (x.ov !== undefined) r.vlo = x.ov;
    if (x.t !== undefined) r.t = x.t;
    if (i > 0) records.push(r);
  }
  return e.length === 0 ? parsed([]) : resolve(records);
}

/** SenML CBOR labels (RFC 8428 §6) to the JSON names. */
const CBOR_LABELS = new Map<CborValue, keyof RawRecord>([
  [-2, 'bn'],
  [-3, 'bt'],
  [0, 'n'],
  [2, 'v'],
  [3, 'vs'],
  [4, 'vb'],
  [8, 'vd'],
  [6, 't'],
  ['vlo', 'vlo'],
]);

export function parseSenmlCbor(bytes: Uint8Array): Parsed<SenmlEntry[]> {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return decoded;
  if (!Array.isArray(decoded.value)) return parseError('SENML_NOT_ARRAY', 'a SenML pack is a CBOR array');
  const records: RawRecord[] = [];
  for (const [i, item] of decoded.value.entries()) {
    if (!(item instanceof Map)) return parseError('SENML_BAD_RECORD', `record ${i} is not a map`);
    const r: Record<string, unknown> = {};
    for (const [k, v] of item) {
      const name = CBOR_LABELS.get(k);
      if (name) r[name] = v;
    }
    records.push(r);
  }
  return resolve(records);
}

function rawRecord(entry: SenmlEntry): RawRecord {
  const r: RawRecord = { n: entry.name };
  switch (entry.value.kind) {
    case 'number':
      r.v = entry.value.v;
      break;
    case 'string':
      r.vs = entry.value.v;
      break;
    case 'boolean':
      r.vb = entry.value.v;
      break;
    case 'opaque':
      r.vd = entry.value.v;
      break;
    case 'objlnk':
      r.vlo = entry.value.v;
      break;
    case 'none':
      break;
  }
  return r;
}

export function encodeSenmlJson(entries: SenmlEntry[]): Uint8Array {
  const records = entries.map((e) => {
    const r = rawRecord(e);
    if (r.vd instanceof Uint8Array) r.vd = Buffer.from(r.vd).toString('base64url');
    return r;
  });
  return new TextEncoder().encode(JSON.stringify(records));
}

export function encodeSenmlCbor(entries: SenmlEntry[]): Uint8Array {
  const labels = new Map([...CBOR_LABELS].map(([k, v]) => [v, k]));
  return encodeCbor(
    entries.map((e) => {
      const m = new Map<CborValue, CborValue>();
      for (const [k, v] of Object.entries(rawRecord(e))) m.set(labels.get(k as keyof RawRecord)!, v as CborValue);
      return m;
    }),
  );
}
