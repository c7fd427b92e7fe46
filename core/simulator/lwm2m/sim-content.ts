// How a simulated device answers reads and takes writes: its object store's values through the server's own
// content-format codecs (text, opaque, TLV, SenML JSON/CBOR in core/protocols/lwm2m), plus the device's refusals.
import {
  encodeResourceValues,
  formatLinkFormat,
  parseSenmlCbor,
  parseSenmlJson,
  parseTlv,
  valueFromBytes,
  valueFromText,
  type Link,
  type SenmlEntry,
  type TlvEntry,
  type TypedResourceValue,
} from '../../protocols/lwm2m/index.js';
import type { Lwm2mContentFormatName } from '../../contract/lwm2m.js';
import {
  pathText,
  type ResourcePath,
  type SimInstance,
  type SimObjectStore,
  type SimScalar,
  type SimValueType,
} from './sim-objects.js';

export const CONTENT_FORMAT = {
  text: 0,
  link: 40,
  opaque: 42,
  senmlJson: 110,
  senmlCbor: 112,
  tlv: 11542,
  senmlJsonLegacy: 1543,
  tlvLegacy: 1542,
  textLegacy: 1541,
} as const;

/** The encoding behind each Content-Format number the device accepts (pre-registration numbers included). */
const FORMAT_NAMES = new Map<number, Lwm2mContentFormatName>([
  [CONTENT_FORMAT.text, 'text'],
  [CONTENT_FORMAT.textLegacy, 'text'],
  [CONTENT_FORMAT.opaque, 'opaque'],
  [CONTENT_FORMAT.tlv, 'tlv'],
  [CONTENT_FORMAT.tlvLegacy, 'tlv'],
  [CONTENT_FORMAT.senmlJson, 'senml-json'],
  [CONTENT_FORMAT.senmlJsonLegacy, 'senml-json'],
  [CONTENT_FORMAT.senmlCbor, 'senml-cbor'],
]);

export type ContentOutcome = { ok: true; format: number; payload: Buffer } | { ok: false; code: string };

/** Every readable value under `path`, in id order (executables and unset resources left out). */
function valuesUnder(store: SimObjectStore, path: ResourcePath): TypedResourceValue[] {
  const out: TypedResourceValue[] = [];
  const byId = <T>(m: Map<number, T>) => [...m].sort((a, b) => a[0] - b[0]);
  for (const [i, instance] of byId(store.instances(path.objectId) ?? new Map<number, SimInstance>())) {
    if (path.instanceId !== undefined && i !== path.instanceId) continue;
    for (const [r, resource] of byId(instance)) {
      if (path.resourceId !== undefined && r !== path.resourceId) continue;
      const value = store.valueOf(resource);
      if (resource.execute || value === undefined) continue;
      const ids = [path.objectId, i, r];
      if (Array.isArray(value)) value.forEach((v, n) => out.push({ ids: [...ids, n], type: resource.type, value: v }));
      else out.push({ ids, type: resource.type, value });
    }
  }
  return out;
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
  const name = FORMAT_NAMES.get(format);
  if (!name) return { ok: false, code: '4.06' };
  // text/plain and opaque carry one scalar resource, of a textual resp. opaque type.
  if (name === 'text' && (!isScalar || resource.type === 'opaque')) return { ok: false, code: '4.06' };
  if (name === 'opaque' && (!isScalar || resource.type !== 'opaque')) return { ok: false, code: '4.06' };
  const values = valuesUnder(store, path);
  if (values.length === 0 && (resource || name !== 'tlv')) return { ok: false, code: '4.04' };
  const encoded = encodeResourceValues(pathText(path), values, name);
  return encoded.ok ? { ok: true, format, payload: Buffer.from(encoded.value.payload) } : { ok: false, code: '5.00' };
}

/** `</3/0>;dim…` for a Discover: the object, its instances and their resources. */
export function discoverLinks(store: SimObjectStore, path: ResourcePath): string | undefined {
  const instances = store.instances(path.objectId);
  if (!instances) return undefined;
  const links: Link[] = [];
  if (path.instanceId === undefined) links.push({ uri: `/${path.objectId}`, attributes: {} });
  for (const [i, instance] of [...instances].sort((a, b) => a[0] - b[0])) {
    if (path.instanceId !== undefined && i !== path.instanceId) continue;
    if (path.instanceId === undefined) links.push({ uri: `/${path.objectId}/${i}`, attributes: {} });
    for (const [r, res] of [...instance].sort((a, b) => a[0] - b[0])) {
      if (path.resourceId !== undefined && r !== path.resourceId) continue;
      const attributes: Record<string, string> = Array.isArray(res.value) ? { dim: String(res.value.length) } : {};
      links.push({ uri: `/${path.objectId}/${i}/${r}`, attributes });
    }
  }
  return links.length ? formatLinkFormat(links) : undefined;
}

type WriteOutcome = { ok: true; values: Map<number, SimScalar | SimScalar[]> } | { ok: false; code: string };

/** A value of the device's resource type from TLV value bytes (`textual`: from a text/plain body). */
function scalarFrom(type: SimValueType, bytes: Uint8Array, textual: boolean): SimScalar | undefined {
  if (type === 'opaque') return new Uint8Array(bytes);
  const value = textual ? valueFromText(type, new TextDecoder().decode(bytes)) : valueFromBytes(type, bytes);
  return value.ok ? value.value : undefined;
}

function tlvWrite(typeOf: (id: number) => SimValueType | undefined, entries: TlvEntry[]): WriteOutcome {
  const values = new Map<number, SimScalar | SimScalar[]>();
  // A write to an instance may come wrapped in its object instance entry.
  const list = entries.length === 1 && entries[0]!.kind === 'instance' ? (entries[0]!.children ?? []) : entries;
  for (const e of list) {
    const type = typeOf(e.id);
    if (e.kind === 'instance' || e.kind === 'resourceInstance') return { ok: false, code: '4.00' };
    if (!type) return { ok: false, code: '4.04' };
    if (e.kind === 'multipleResource') {
      const items = (e.children ?? []).map((c) => scalarFrom(type, c.value, false));
      if (items.some((i) => i === undefined)) return { ok: false, code: '4.00' };
      values.set(e.id, items as SimScalar[]);
    } else {
      const v = scalarFrom(type, e.value, false);
      if (v === undefined) return { ok: false, code: '4.00' };
      values.set(e.id, v);
    }
  }
  return { ok: true, values };
}

function senmlScalar(type: SimValueType, entry: SenmlEntry): SimScalar | undefined {
  const v = entry.value;
  switch (v.kind) {
    case 'opaque':
      return type === 'opaque' ? v.v : undefined;
    case 'number':
      return type === 'integer' || type === 'time' || type === 'float' ? v.v : undefined;
    case 'boolean':
      return type === 'boolean' ? v.v : undefined;
    case 'string':
      return type === 'string' ? v.v : scalarFrom(type, new TextEncoder().encode(v.v), true);
    default:
      return undefined;
  }
}

/** SenML records under the written instance: `/o/i/r` resources and `/o/i/r/ri` resource instances. */
function senmlWrite(
  typeOf: (id: number) => SimValueType | undefined,
  path: ResourcePath & { instanceId: number },
  entries: SenmlEntry[],
): WriteOutcome {
  const values = new Map<number, SimScalar | SimScalar[]>();
  const prefix = `/${path.objectId}/${path.instanceId}/`;
  for (const e of entries) {
    if (!e.name.startsWith(prefix)) return { ok: false, code: '4.00' };
    const [r, ri, ...rest] = e.name.slice(prefix.length).split('/').map(Number);
    if (r === undefined || !Number.isInteger(r) || rest.length) return { ok: false, code: '4.00' };
    if (path.resourceId !== undefined && r !== path.resourceId) return { ok: false, code: '4.00' };
    const type = typeOf(r);
    if (!type) return { ok: false, code: '4.04' };
    const value = senmlScalar(type, e);
    if (value === undefined) return { ok: false, code: '4.00' };
    if (ri === undefined) values.set(r, value);
    else {
      const earlier = values.get(r);
      const list = Array.isArray(earlier) ? earlier : [];
      list[ri] = value;
      values.set(r, list);
    }
  }
  return values.size ? { ok: true, values } : { ok: false, code: '4.00' };
}

/** Values to write, by resource id, from a write payload aimed at a resource or an instance. */
export function decodeWrite(
  store: SimObjectStore,
  path: ResourcePath & { instanceId: number },
  format: number | undefined,
  payload: Buffer,
): WriteOutcome {
  const typeOf = (id: number) => store.resource(path.objectId, path.instanceId, id)?.type;
  const name = format === undefined ? 'text' : FORMAT_NAMES.get(format);
  if (name === 'tlv') {
    const entries = parseTlv(payload);
    return entries.ok ? tlvWrite(typeOf, entries.value) : { ok: false, code: '4.00' };
  }
  if (name === 'senml-json' || name === 'senml-cbor') {
    const entries = name === 'senml-json' ? parseSenmlJson(payload) : parseSenmlCbor(payload);
    return entries.ok ? senmlWrite(typeOf, path, entries.value) : { ok: false, code: '4.00' };
  }
  if (path.resourceId === undefined) return { ok: false, code: '4.15' };
  const type = typeOf(path.resourceId);
  if (!type) return { ok: false, code: '4.04' };
  if (name !== 'text' && name !== 'opaque') return { ok: false, code: '4.15' };
  const value = scalarFrom(type, payload, name === 'text');
  if (value === undefined) return { ok: false, code: '4.00' };
  return { ok: true, values: new Map([[path.resourceId, value]]) };
}
