// Decodes a captured frame layer by layer: frame, MQTT or CoAP, LwM2M, PCP, and the product's codec.
import type { TrafficLayer } from '../../contract/traffic.js';
import type { Lwm2mDefinitions } from '../../protocols/lwm2m/lwm2m-definitions.js';
import { decodeCoapLayer, type CoapMessage } from './coap-layer.js';
import type { FrameMeta } from '../frame-store.js';
import { field, type FieldValues } from './layer-types.js';
import { decodeLwm2mLayer } from './lwm2m-layer.js';
import { decodeMqttLayer } from './mqtt-layer.js';
import { decodePcpLayer } from './pcp-layer.js';

export interface CapturedFrame extends FrameMeta {
  seq: number;
  timeUs: number;
  bytes: Uint8Array;
  /** MQTT protocol level of the connection at capture time (from its CONNECT). */
  mqttVersion?: number;
  decoded?: DecodedFrame;
}

export interface DecodedFrame {
  protocol: string;
  summary: string;
  error?: string;
  layers: TrafficLayer[];
  values: FieldValues;
  decoded?: unknown;
  /** Where the business payload sits in the frame (after MQTT/CoAP/LwM2M, when it is not PCP): the codec's input. */
  payloadRef?: PayloadRef;
}

export interface PayloadRef {
  protocol: 'mqtt' | 'coap' | 'raw';
  topic?: string;
  path?: string;
  offset: number;
  length: number;
}

export interface PayloadDecodeRequest {
  deviceId?: string;
  protocol: 'mqtt' | 'coap' | 'raw';
  direction: 'in' | 'out';
  topic?: string;
  path?: string;
  payload: Uint8Array;
}

export interface DecodeEnv {
  lwm2m: Lwm2mDefinitions;
  /** The latest earlier CoAP request to this peer with this token (for responses and notifications). */
  findCoapRequest(frame: CapturedFrame, tokenHex: string): CoapMessage | undefined;
  /** whether the device's product upgrades over PCP; undefined = not known, assume yes. */
  productSupportsPcp?(deviceId: string | undefined): boolean | undefined;
}

const PROTOCOL_LABEL: Record<string, string> = {
  mqtt: 'MQTT',
  coap: 'CoAP',
  lwm2m: 'LwM2M',
  pcp: 'PCP',
  codec: 'Codec',
};

function payloadText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function frameLayer(f: CapturedFrame): TrafficLayer {
  const fields = [
    field(
      'frame.time',
      'Time',
      new Date(Math.floor(f.timeUs / 1000)).toISOString().replace('Z', `${String(f.timeUs % 1000).padStart(3, '0')}Z`),
    ),
    field('dir', 'Direction', f.direction === 'in' ? 'in (device → core)' : 'out (core → device)'),
    field('transport', 'Transport', f.transport),
    field('local', 'Local', f.local),
    field('peer', 'Peer', f.peer),
    field('len', 'Length', `${f.bytes.length} bytes`, { offset: 0, length: f.bytes.length }),
  ];
  if (f.deviceId) fields.push(field('device', 'Device', f.deviceId));
  if (f.connectionId) fields.push(field('frame.connection', 'Connection', f.connectionId));
  return { id: 'frame', title: `Frame ${f.seq}`, fields };
}

/** `brief` skips what only the detail view shows (the frame layer), for list summaries and filters. */
export function decodeFrame(f: CapturedFrame, env: DecodeEnv, brief = false): DecodedFrame {
  const values: FieldValues = {
    dir: f.direction,
    transport: f.transport,
    peer: f.peer,
    local: f.local,
    len: f.bytes.length,
    ...(f.deviceId ? { device: f.deviceId } : {}),
  };
  const layers: TrafficLayer[] = brief ? [] : [frameLayer(f)];
  const protos: string[] = [];
  let summary = '';
  let error: string | undefined;
  let payload: { bytes: Uint8Array; offset: number } | undefined;
  let payloadRequest: Omit<PayloadDecodeRequest, 'payload'> | undefined;
  let pcpCandidate = false;
  const sender = f.direction === 'in' ? 'device' : 'platform';

  if (f.protocol === 'mqtt') {
    const r = decodeMqttLayer(f.bytes, f.mqttVersion ?? 4, values);
    layers.push(r.layer);
    protos.push('mqtt');
    summary = r.summary;
    error = r.error;
    if (r.payload) {
      payload = { bytes: r.payload.bytes, offset: r.payload.offset };
      payloadRequest = { protocol: 'mqtt', direction: f.direction, topic: r.payload.topic };
    }
  } else if (f.protocol === 'coap') {
    const r = decodeCoapLayer(f.bytes, values);
    layers.push(r.layer);
    protos.push('coap');
    summary = r.summary;
    error = r.error;
    const m = r.message;
    if (m) {
      const isResponse = !(m.code.startsWith('0.') && m.code !== '0.00');
      const request = isResponse && m.tokenHex ? env.findCoapRequest(f, m.tokenHex) : undefined;
      const lwm2m = decodeLwm2mLayer(m, request, env.lwm2m, values);
      if (lwm2m) {
        layers.push(lwm2m.layer);
        protos.push('lwm2m');
        summary = `${lwm2m.summary} (${summary})`;
        pcpCandidate = lwm2m.objectId === 19;
      }
      if (m.payload.length) {
        payload = { bytes: m.payload, offset: m.payloadOffset };
        payloadRequest = { protocol: 'coap', direction: f.direction, ...(lwm2m?.path ? { path: lwm2m.path } : {}) };
      }
    }
  } else {
    payload = { bytes: f.bytes, offset: 0 };
    payloadRequest = { protocol: 'raw', direction: f.direction };
    summary = `${f.protocol} ${f.bytes.length} bytes`;
  }

  if (payload) {
    values.payload = payloadText(payload.bytes);
    const startsPcp = payload.bytes[0] === 0xff && payload.bytes[1] === 0xfe;
    if (startsPcp || (pcpCandidate && payload.bytes.length >= 2) || f.protocol === 'pcp') {
      const supports = env.productSupportsPcp?.(f.deviceId);
      const pcp = decodePcpLayer(payload.bytes, payload.offset, sender, values, supports);
      // A /19 payload that does not start with 0xFFFE is plain business data, not a broken PCP frame.
      if (pcp.valid || startsPcp || f.protocol === 'pcp') {
        layers.push(pcp.layer);
        protos.push('pcp');
        summary = pcp.valid ? `${pcp.summary} (${summary})` : `${summary}; ${pcp.summary}`;
        if (pcp.valid) payload = undefined;
        else if (f.protocol === 'pcp') error ??= pcp.error;
      }
    }
  }

  values.proto = protos.length ? protos : [f.protocol];
  if (error) values.error = true;
  const top = protos.filter((p) => p !== 'codec').at(-1) ?? f.protocol;
  return {
    protocol: PROTOCOL_LABEL[top] ?? f.protocol,
    summary,
    ...(error ? { error } : {}),
    layers,
    values,
    ...(payload && payloadRequest && payload.bytes.length > 0
      ? {
          payloadRef: {
            protocol: payloadRequest.protocol,
            ...(payloadRequest.topic !== undefined ? { topic: payloadRequest.topic } : {}),
            ...(payloadRequest.path !== undefined ? { path: payloadRequest.path } : {}),
            offset: payload.offset,
            length: payload.bytes.length,
          },
        }
      : {}),
  };
}
