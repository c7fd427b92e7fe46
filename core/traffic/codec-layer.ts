// The codec layer of captured frames: which payloads a product's codec decodes, the asynchronous decode with a
// cache by (product, codec version, topic, bytes), and the detail-tree layer and filter values made of the result.
import type { CodecError, CodecIssue, DecodeResult, DecodedMessage } from '../contract/codecs.js';
import type { ProductModel } from '../contract/product-model.js';
import type { TrafficCodecDecode, TrafficField, TrafficLayer } from '../contract/traffic.js';
import { field, type FieldValue, type FieldValues } from './decode/layer-types.js';
import type { PayloadRef } from './decode/frame-decoder.js';

/** A payload a device sent, as the codec would get it. */
export interface CodecInput {
  deviceId: string;
  protocol: PayloadRef['protocol'];
  topic?: string;
  path?: string;
  payload: Uint8Array;
}

export interface CodecTarget {
  productId: string;
  /** Active codec version: decodes are cached per version, so a new version decodes afresh. */
  version: number;
  model?: ProductModel;
}

/** How the capture reaches devices and codecs; the composition root builds it from the registry and codecs. */
export interface CodecResolver {
  /** The device's product and its active codec, or undefined (unknown device, no codec). */
  target(deviceId: string): CodecTarget | undefined;
  decode(productId: string, bytes: Uint8Array, topic: string): Promise<DecodeResult>;
}

export interface CodecOutcome {
  target: CodecTarget;
  payloadOffset: number;
  payloadLength: number;
  payloadHex: string;
  topic?: string;
  result: DecodeResult;
  /** `decoded.*` values for the display filter. */
  values: FieldValues;
}

const LEGACY_BINARY_TOPIC = /^\/huawei\/v1\/devices\/[^/]+\/data\/binary$/;

/**
 * Payloads the platform hands to the codec: MQTT uplinks on the legacy binary data topic, and LwM2M uplinks on
 * object 19 (Huawei's binary app data container). Everything else (JSON reports, registrations) is not codec data.
 */
export function isCodecPayload(ref: PayloadRef, direction: 'in' | 'out'): boolean {
  if (direction !== 'in' || ref.length === 0) return false;
  if (ref.protocol === 'mqtt') return ref.topic !== undefined && LEGACY_BINARY_TOPIC.test(ref.topic);
  if (ref.protocol === 'coap') return ref.path !== undefined && /^\/19(\/|$)/.test(ref.path);
  return false;
}

const CACHE_ENTRIES = 5000;

/** Decodes through the resolver, sharing results (and in-flight decodes) of identical inputs. */
export class CodecDecodeCache {
  private readonly entries = new Map<string, Promise<DecodeResult>>();

  constructor(private readonly resolver: CodecResolver) {}

  target(deviceId: string): CodecTarget | undefined {
    return this.resolver.target(deviceId);
  }

  decode(target: CodecTarget, payloadHex: string, payload: Uint8Array, topic: string): Promise<DecodeResult> {
    const key = `${target.productId}\n${target.version}\n${topic}\n${payloadHex}`;
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const pending = this.resolver.decode(target.productId, payload, topic).catch((error: unknown): DecodeResult => ({
      ok: false,
      error: { code: 'CODEC_FAILED', message: error instanceof Error ? error.message : String(error) },
      raw: payloadHex,
    }));
    this.entries.set(key, pending);
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }
}

function display(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 199)}…` : json;
}

function scalar(value: unknown): FieldValue | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** Filter values of a decode: `decoded.<property>`, `decoded.<serviceId>.<property>`, `decoded.serviceId`, … */
export function codecValues(result: DecodeResult): FieldValues {
  const values: FieldValues = {};
  if (!result.ok) {
    values['decoded.error'] = `${result.error.code}: ${result.error.message}`;
    return values;
  }
  const m = result.message;
  values['decoded.kind'] = m.kind;
  const put = (name: string, v: unknown) => {
    const s = scalar(v);
    if (s !== undefined) values[`decoded.${name}`] ??= s;
  };
  if (m.kind === 'data') {
    values['decoded.serviceId'] = m.services.map((s) => s.serviceId);
    for (const s of m.services) {
      for (const [k, v] of Object.entries(s.properties)) {
        put(k, v);
        put(`${s.serviceId}.${k}`, v);
      }
    }
  } else {
    values['decoded.mid'] = m.mid;
    values['decoded.errcode'] = m.errcode;
    if (m.commandName) values['decoded.commandName'] = m.commandName;
    for (const [k, v] of Object.entries(m.body)) put(k, v);
  }
  if (result.issues.length) values['decoded.issues'] = result.issues.map((i) => i.message);
  return values;
}

function propertyMeaning(model: ProductModel | undefined, serviceId: string, name: string): string | undefined {
  const property = model?.services.find((s) => s.serviceId === serviceId)?.properties.find((p) => p.name === name);
  if (!property) return model ? 'not in the product model' : undefined;
  return [property.dataType, property.unit, property.description].filter(Boolean).join(' · ');
}

function messageFields(m: DecodedMessage, model: ProductModel | undefined, at: { offset: number; length: number }) {
  if (m.kind === 'data') {
    return m.services.map((s, i) => {
      const service = field(`decoded.services.${i}`, s.serviceId, `${Object.keys(s.properties).length} properties`, {
        ...at,
        ...(s.eventTime ? { meaning: `eventTime ${s.eventTime}` } : {}),
      });
      const children = Object.entries(s.properties).map(([k, v]) => {
        const meaning = propertyMeaning(model, s.serviceId, k);
        return field(`decoded.${k}`, k, display(v), { ...at, ...(meaning ? { meaning } : {}) });
      });
      return { ...service, children };
    });
  }
  return [
    field('decoded.commandName', 'Command', m.commandName ?? '(unnamed)', at),
    field('decoded.mid', 'mid', String(m.mid), at),
    field('decoded.errcode', 'errcode', String(m.errcode), at),
    ...Object.entries(m.body).map(([k, v]) => field(`decoded.${k}`, k, display(v), at)),
  ];
}

function issueFields(issues: CodecIssue[]): TrafficField[] {
  return issues.map((i) =>
    field('decoded.issue', i.severity === 'error' ? 'Model error' : 'Model warning', i.message, {
      ...(i.path ? { meaning: i.path } : {}),
    }),
  );
}

const errorText = (e: CodecError) => `${e.code}: ${e.message}`;

export function codecLayer(outcome: CodecOutcome): TrafficLayer {
  const at = { offset: outcome.payloadOffset, length: outcome.payloadLength };
  const { target, result } = outcome;
  const head = [
    field(
      'codec.product',
      'Product',
      target.model ? `${target.model.deviceType} (${target.productId})` : target.productId,
    ),
    field('codec.version', 'Codec version', `v${target.version}`),
    field('codec.input', 'Input', `${outcome.payloadLength} bytes${outcome.topic ? ` from ${outcome.topic}` : ''}`, at),
  ];
  const title = `Codec decode (v${target.version})`;
  if (!result.ok) return { id: 'codec', title, error: errorText(result.error), fields: head };
  return {
    id: 'codec',
    title,
    fields: [
      ...head,
      field('decoded.kind', 'Message', result.message.kind),
      ...messageFields(result.message, target.model, at),
      ...issueFields(result.issues),
    ],
  };
}

export function codecDecodeOf(outcome: CodecOutcome): TrafficCodecDecode {
  const base = {
    productId: outcome.target.productId,
    ...(outcome.target.model ? { productName: outcome.target.model.deviceType } : {}),
    version: outcome.target.version,
    payloadHex: outcome.payloadHex,
    ...(outcome.topic !== undefined ? { topic: outcome.topic } : {}),
  };
  const r = outcome.result;
  return r.ok
    ? { ...base, status: 'decoded', message: r.message, issues: r.issues }
    : { ...base, status: 'error', error: r.error };
}
