// LwM2M meaning of a CoAP message: register/update/deregister, read/write/execute/observe/notify on /o/i/r.
import type { TrafficField, TrafficLayer } from '../../contract/traffic.js';
import type { Lwm2mDefinitions } from '../../protocols/lwm2m/lwm2m-definitions.js';
import { coapCodeName } from '../../protocols/coap/coap-codes.js';
import type { CoapMessage } from './coap-layer.js';
import { field, type FieldValues } from './layer-types.js';

export type Lwm2mOperation =
  | 'register'
  | 'update'
  | 'deregister'
  | 'read'
  | 'write'
  | 'create'
  | 'delete'
  | 'execute'
  | 'observe'
  | 'cancel-observe'
  | 'discover'
  | 'notify'
  | 'response';

export interface Lwm2mMeaning {
  op: Lwm2mOperation;
  /** `/3/0/4` form, when there is one. */
  path?: string;
  objectId?: number;
  layer: TrafficLayer;
  summary: string;
}

function numericPath(segments: string[]): number[] | undefined {
  if (segments.length === 0 || segments.length > 4) return undefined;
  const ids = segments.map((s) => (/^\d{1,5}$/.test(s) ? Number(s) : NaN));
  return ids.every((n) => Number.isInteger(n) && n <= 65535) ? ids : undefined;
}

function describePath(ids: number[], defs: Lwm2mDefinitions): string {
  const [o, i, r] = ids;
  const obj = o !== undefined ? defs.object(o) : undefined;
  const parts: string[] = [];
  if (o !== undefined) parts.push(obj?.name ?? `object ${o}`);
  if (i !== undefined) parts.push(`instance ${i}`);
  if (o !== undefined && r !== undefined) parts.push(defs.resourceName(o, r) ?? `resource ${r}`);
  return parts.join(' / ');
}

/**
 * Gives a CoAP message its LwM2M meaning. `request` is the earlier request with the same token
 * (responses and notifications carry no path of their own).
 */
export function decodeLwm2mLayer(
  m: CoapMessage,
  request: CoapMessage | undefined,
  defs: Lwm2mDefinitions,
  values: FieldValues,
): Lwm2mMeaning | undefined {
  const isRequest = m.code.startsWith('0.') && m.code !== '0.00';
  const fields: TrafficField[] = [];
  let op: Lwm2mOperation | undefined;
  let ids: number[] | undefined;
  const query = Object.fromEntries(m.uriQuery.map((q) => [q.split('=')[0] ?? q, q.slice(q.indexOf('=') + 1)]));

  if (isRequest && m.uriPath[0] === 'rd') {
    if (m.code === '0.02' && m.uriPath.length === 1) op = 'register';
    else if (m.code === '0.02') op = 'update';
    else if (m.code === '0.04') op = 'deregister';
    for (const [k, label] of [
      ['ep', 'Endpoint'],
      ['lt', 'Lifetime'],
      ['lwm2m', 'LwM2M version'],
      ['b', 'Binding'],
      ['sms', 'SMS number'],
    ] as const) {
      if (query[k] !== undefined) fields.push(field(`lwm2m.${k}`, label, query[k]));
    }
    if (m.uriPath[1]) fields.push(field('lwm2m.location', 'Registration', `/rd/${m.uriPath[1]}`));
    if (query.ep !== undefined) values['lwm2m.ep'] = query.ep;
    if ((op === 'register' || op === 'update') && m.payload.length) {
      const links = Buffer.from(m.payload).toString('utf8');
      fields.push(field('lwm2m.objects', 'Objects', links.length > 300 ? `${links.slice(0, 300)}…` : links));
    }
  } else if (isRequest) {
    ids = numericPath(m.uriPath);
    if (!ids) return undefined;
    const accept = m.options.find((o) => o.number === 17);
    if (m.code === '0.01') {
      if (m.observe === 0) op = 'observe';
      else if (m.observe === 1) op = 'cancel-observe';
      else op = accept?.value.startsWith('40') ? 'discover' : 'read';
    } else if (m.code === '0.03') op = 'write';
    else if (m.code === '0.02') op = ids.length >= 3 ? 'execute' : ids.length === 1 ? 'create' : 'write';
    else if (m.code === '0.04') op = 'delete';
  } else if (request) {
    ids = numericPath(request.uriPath);
    if (!ids && request.uriPath[0] !== 'rd') return undefined;
    op = m.observe !== undefined && request.observe === 0 && m.code.startsWith('2.') ? 'notify' : 'response';
    fields.push(field('lwm2m.result', 'Result', `${m.code} ${coapCodeName(m.code)}`));
  }
  if (!op) return undefined;

  const path = ids ? '/' + ids.join('/') : undefined;
  fields.unshift(field('lwm2m.op', 'Operation', op));
  if (ids && path) {
    fields.splice(1, 0, field('lwm2m.path', 'Path', path, { meaning: describePath(ids, defs) }));
    values['lwm2m.path'] = path;
    values['lwm2m.object'] = ids[0];
    const obj = defs.object(ids[0]!);
    if (obj) values['lwm2m.objectname'] = obj.name;
  }
  if (m.observe !== undefined && op === 'notify')
    fields.push(field('lwm2m.seq', 'Notification number', String(m.observe)));
  values['lwm2m.op'] = op;
  const where = ids ? ` ${path} (${describePath(ids, defs)})` : query.ep ? ` ep=${query.ep}` : '';
  return {
    op,
    ...(path ? { path } : {}),
    ...(ids ? { objectId: ids[0] } : {}),
    layer: { id: 'lwm2m', title: 'Lightweight M2M', fields },
    summary: `LwM2M ${op}${where}${isRequest ? '' : ` → ${m.code}`}`,
  };
}
