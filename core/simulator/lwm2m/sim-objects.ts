// The objects a simulated NB-IoT device exposes (1, 3, 4, 5, 19, 20): typed resource values, executables, changes.
export type SimValueType = 'string' | 'integer' | 'float' | 'boolean' | 'opaque' | 'time';
export type SimScalar = string | number | boolean | Uint8Array;

export interface SimResource {
  type: SimValueType;
  /** A value, or the values of a multiple-instance resource (by instance id). */
  value?: SimScalar | SimScalar[];
  writable?: boolean;
  /** Present on executable resources; the argument is the request payload as text. */
  execute?: (argument: string) => void;
  /** Computed on every read (e.g. /3/0/13 Current Time). */
  read?: () => SimScalar;
}

export type SimInstance = Map<number, SimResource>;

export interface ResourcePath {
  objectId: number;
  instanceId?: number;
  resourceId?: number;
}

/** `/3/0/4`, `3/0`, `/19` → path; anything else → undefined. */
export function parsePath(text: string): ResourcePath | undefined {
  const parts = text.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => !/^\d{1,5}$/.test(p))) return undefined;
  const [o, i, r] = parts.map(Number);
  if (o === undefined || o > 65535 || (i ?? 0) > 65535 || (r ?? 0) > 65535) return undefined;
  return { objectId: o, ...(i === undefined ? {} : { instanceId: i }), ...(r === undefined ? {} : { resourceId: r }) };
}

export const pathText = (p: ResourcePath): string =>
  `/${[p.objectId, p.instanceId, p.resourceId].filter((x) => x !== undefined).join('/')}`;

export class SimObjectStore {
  private readonly objects = new Map<number, Map<number, SimInstance>>();
  private readonly listeners = new Set<(path: string) => void>();

  define(objectId: number, instanceId: number, resources: Record<number, SimResource>): void {
    const instances = this.objects.get(objectId) ?? new Map<number, SimInstance>();
    instances.set(instanceId, new Map(Object.entries(resources).map(([id, r]) => [Number(id), r])));
    this.objects.set(objectId, instances);
  }

  objectIds(): number[] {
    return [...this.objects.keys()].sort((a, b) => a - b);
  }

  instances(objectId: number): Map<number, SimInstance> | undefined {
    return this.objects.get(objectId);
  }

  resource(objectId: number, instanceId: number, resourceId: number): SimResource | undefined {
    return this.objects.get(objectId)?.get(instanceId)?.get(resourceId);
  }

  /** The value a read returns (computed resources evaluated). */
  valueOf(resource: SimResource): SimScalar | SimScalar[] | undefined {
    return resource.read ? resource.read() : resource.value;
  }

  get(objectId: number, instanceId: number, resourceId: number): SimScalar | SimScalar[] | undefined {
    const r = this.resource(objectId, instanceId, resourceId);
    return r ? this.valueOf(r) : undefined;
  }

  /** Sets a value from the device side (sensor, state machine) and tells observers. */
  set(objectId: number, instanceId: number, resourceId: number, value: SimScalar | SimScalar[]): void {
    const r = this.resource(objectId, instanceId, resourceId);
    if (!r) throw new Error(`the device has no resource /${objectId}/${instanceId}/${resourceId}`);
    r.value = value;
    for (const l of [...this.listeners]) l(`/${objectId}/${instanceId}/${resourceId}`);
  }

  onChange(listener: (path: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The registration body: `</1/0>,</3/0>,…` (CoRE link format). */
  links(): string {
    const links: string[] = [];
    for (const objectId of this.objectIds()) {
      for (const instanceId of [...(this.objects.get(objectId)?.keys() ?? [])].sort((a, b) => a - b)) {
        links.push(`</${objectId}/${instanceId}>`);
      }
    }
    return links.join(',');
  }
}

export interface SimDeviceInfo {
  nodeId: string;
  manufacturer: string;
  model: string;
  deviceType: string;
  firmwareVersion: string;
  softwareVersion: string;
  lifetimeS: number;
  radio: { rsrpDbm: number; sinrDb: number; cellId: number };
}

export interface SimDeviceHooks {
  now(): number;
  reboot(): void;
  factoryReset(): void;
  /** The platform executed /5/0/2 (install the downloaded firmware). */
  firmwareUpdate(): void;
}

const LOG_RUNNING = 1;

function measured(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`no ${what}`);
  return Math.round(value);
}
const LOG_STOPPED = 0;

/** Objects with the values a BC28-class water meter reports; numbers chosen to look like a real one. */
export function createDeviceObjects(info: SimDeviceInfo, hooks: SimDeviceHooks): SimObjectStore {
  const store = new SimObjectStore();
  store.define(1, 0, {
    0: { type: 'integer', value: 123 },
    1: { type: 'integer', value: info.lifetimeS, writable: true },
    2: { type: 'integer', value: 0, writable: true },
    3: { type: 'integer', value: 0, writable: true },
    6: { type: 'boolean', value: true, writable: true },
    7: { type: 'string', value: 'UQ', writable: true },
  });
  store.define(3, 0, {
    0: { type: 'string', value: info.manufacturer },
    1: { type: 'string', value: info.model },
    2: { type: 'string', value: info.nodeId },
    3: { type: 'string', value: info.firmwareVersion },
    4: { type: 'opaque', execute: () => hooks.reboot() },
    5: { type: 'opaque', execute: () => hooks.factoryReset() },
    6: { type: 'integer', value: [1] },
    7: { type: 'integer', value: [3600] },
    8: { type: 'integer', value: [12] },
    9: { type: 'integer', value: 87 },
    10: { type: 'integer', value: 45 },
    11: { type: 'integer', value: [0] },
    12: { type: 'opaque', execute: () => store.set(3, 0, 11, [0]) },
    13: { type: 'time', read: () => Math.floor(hooks.now() / 1000), writable: true },
    14: { type: 'string', value: '+08:00', writable: true },
    15: { type: 'string', value: 'Asia/Shanghai', writable: true },
    16: { type: 'string', value: 'UQ' },
    17: { type: 'string', value: info.deviceType },
    18: { type: 'string', value: 'HW-V1.2' },
    19: { type: 'string', value: info.softwareVersion },
    20: { type: 'integer', value: 0 },
    21: { type: 'integer', value: 128 },
  });
  store.define(4, 0, {
    0: { type: 'integer', value: 7 },
    1: { type: 'integer', value: [7] },
    // A NaN RSRP or a negative cell id (OTA fault injection) makes the read fail, as a module with no fix does.
    2: { type: 'integer', read: () => measured(info.radio.rsrpDbm, 'RSRP') },
    3: { type: 'integer', read: () => Math.round(info.radio.sinrDb) },
    4: { type: 'string', value: ['100.64.12.7'] },
    7: { type: 'string', value: ['ctnb'] },
    8: { type: 'integer', read: () => measured(info.radio.cellId < 0 ? Number.NaN : info.radio.cellId, 'cell id') },
    9: { type: 'integer', value: 11 },
    10: { type: 'integer', value: 460 },
  });
  store.define(5, 0, {
    0: { type: 'opaque', value: new Uint8Array(), writable: true },
    1: { type: 'string', value: '', writable: true },
    2: { type: 'opaque', execute: () => hooks.firmwareUpdate() },
    3: { type: 'integer', value: 0 },
    5: { type: 'integer', value: 0 },
    6: { type: 'string', value: '' },
    7: { type: 'string', value: '' },
    8: { type: 'integer', value: [0] },
    9: { type: 'integer', value: 0 },
  });
  store.define(19, 0, { 0: { type: 'opaque', value: new Uint8Array() } });
  store.define(19, 1, { 0: { type: 'opaque', value: new Uint8Array(), writable: true } });
  store.define(20, 0, {
    4010: { type: 'integer', value: 1, writable: true },
    4011: { type: 'opaque', execute: () => store.set(20, 0, 4013, LOG_RUNNING) },
    4012: { type: 'opaque', execute: () => store.set(20, 0, 4013, LOG_STOPPED) },
    4013: { type: 'integer', value: LOG_RUNNING },
    4014: { type: 'opaque', value: new Uint8Array() },
    4015: { type: 'integer', value: 0, writable: true },
  });
  return store;
}

const MAX_LOG_BYTES = 16 * 1024;

/** Appends a line to the device's log (/20/0/4014), keeping the newest 16 KiB like a module's ring buffer. */
export function appendDeviceLog(store: SimObjectStore, atMs: number, line: string): void {
  if (store.get(20, 0, 4013) !== LOG_RUNNING) return;
  const current = store.get(20, 0, 4014);
  const previous = current instanceof Uint8Array ? Buffer.from(current) : Buffer.alloc(0);
  const added = Buffer.from(`${new Date(atMs).toISOString()} ${line}\n`);
  let next = Buffer.concat([previous, added]);
  if (next.length > MAX_LOG_BYTES) {
    next = next.subarray(next.length - MAX_LOG_BYTES);
    const firstLine = next.indexOf(0x0a);
    if (firstLine >= 0) next = next.subarray(firstLine + 1);
  }
  const r = store.resource(20, 0, 4014);
  if (r) r.value = new Uint8Array(next);
}
