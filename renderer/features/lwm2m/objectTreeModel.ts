// Pure helpers of the object tree: which instances to show, and the last known value of a resource.
import type { Lwm2mRegistration, Lwm2mValue } from '../../../core/contract/index.js';

export interface ShownValue {
  value: string | number | boolean;
  type?: Lwm2mValue['type'];
  at: number;
  source: 'read' | 'notify';
}

export interface TreeInstance {
  key: string;
  objectId: number;
  instanceId: number | undefined;
}

/** Object instances of the registration, ordered; object 0 (security) is never shown to a server. */
export function instancesOf(registration: Pick<Lwm2mRegistration, 'objects'>): TreeInstance[] {
  const seen = new Set<string>();
  const out: TreeInstance[] = [];
  for (const o of registration.objects) {
    if (o.objectId === 0) continue;
    const key = o.instanceId === undefined ? `${o.objectId}` : `${o.objectId}/${o.instanceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, objectId: o.objectId, instanceId: o.instanceId });
  }
  // An object listed bare and with instances is shown by its instances only.
  const withInstances = new Set(out.filter((i) => i.instanceId !== undefined).map((i) => i.objectId));
  return out
    .filter((i) => i.instanceId !== undefined || !withInstances.has(i.objectId))
    .sort((a, b) => a.objectId - b.objectId || (a.instanceId ?? -1) - (b.instanceId ?? -1));
}

/** Merges decoded values into the value map (a new map, for React state). */
export function withValues(
  current: ReadonlyMap<string, ShownValue>,
  values: readonly Lwm2mValue[],
  at: number,
  source: ShownValue['source'],
): Map<string, ShownValue> {
  const next = new Map(current);
  for (const v of values) next.set(v.path, { value: v.value, type: v.type, at, source });
  return next;
}

const MAX_TEXT = 200;

/** Time resources are seconds since the epoch: shown as a date, with the raw number kept. */
function shown(v: ShownValue): string {
  if (v.type === 'time' && typeof v.value === 'number' && Number.isFinite(v.value)) {
    return `${new Date(v.value * 1000).toISOString().replace('.000Z', 'Z')} (${v.value})`;
  }
  return String(v.value);
}

/** A resource's value as text; multiple-instance resources list their instances (`0: 1, 1: 5`). */
export function valueText(
  values: ReadonlyMap<string, ShownValue>,
  path: string,
): { text: string; source: ShownValue['source'] } | undefined {
  const own = values.get(path);
  if (own) return { text: shown(own).slice(0, MAX_TEXT), source: own.source };
  const prefix = `${path}/`;
  const parts: [string, ShownValue][] = [];
  for (const [p, v] of values) if (p.startsWith(prefix)) parts.push([p.slice(prefix.length), v]);
  if (parts.length === 0) return undefined;
  parts.sort((a, b) => Number(a[0]) - Number(b[0]));
  const text = parts.map(([i, v]) => `${i}: ${shown(v)}`).join(', ');
  const latest = parts.reduce((a, b) => (b[1].at > a[1].at ? b : a));
  return { text: text.slice(0, MAX_TEXT), source: latest[1].source };
}
