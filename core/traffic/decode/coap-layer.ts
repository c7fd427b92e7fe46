// CoAP layer: one datagram parsed by coap-packet, options named and valued, byte ranges walked by hand.
import coapPacket from 'coap-packet';
import type { TrafficField, TrafficLayer } from '../../contract/traffic.js';
import { field, type FieldValues } from './layer-types.js';
import { coapCodeName, contentFormats } from '../../protocols/coap/coap-codes.js';

export interface CoapOptionValue {
  number: number;
  name: string;
  /** Human form: text for string options, a number for uint options, hex for opaque ones. */
  value: string;
  raw: Uint8Array;
  offset: number;
  length: number;
}

export interface CoapMessage {
  version: number;
  type: 'CON' | 'NON' | 'ACK' | 'RST';
  /** `2.05` form. */
  code: string;
  messageId: number;
  tokenHex: string;
  options: CoapOptionValue[];
  uriPath: string[];
  uriQuery: string[];
  observe?: number;
  contentFormat?: number;
  payload: Uint8Array;
  payloadOffset: number;
}

const types = ['CON', 'NON', 'ACK', 'RST'] as const;

const optionNames: Record<number, string> = {
  1: 'If-Match',
  3: 'Uri-Host',
  4: 'ETag',
  5: 'If-None-Match',
  6: 'Observe',
  7: 'Uri-Port',
  8: 'Location-Path',
  9: 'OSCORE',
  11: 'Uri-Path',
  12: 'Content-Format',
  14: 'Max-Age',
  15: 'Uri-Query',
  16: 'Hop-Limit',
  17: 'Accept',
  19: 'Q-Block1',
  20: 'Location-Query',
  23: 'Block2',
  27: 'Block1',
  28: 'Size2',
  31: 'Q-Block2',
  35: 'Proxy-Uri',
  39: 'Proxy-Scheme',
  60: 'Size1',
  258: 'No-Response',
};

const stringOptions = new Set([3, 8, 11, 15, 20, 35, 39]);
const opaqueOptions = new Set([1, 4, 9]);

function uint(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function blockText(v: number): string {
  const size = 2 ** ((v & 0x07) + 4);
  return `block ${v >> 4}${v & 0x08 ? ', more' : ''}, size ${size}`;
}

function optionText(number: number, raw: Uint8Array): string {
  if (stringOptions.has(number)) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (opaqueOptions.has(number)) return hex(raw);
  const v = uint(raw);
  if (number === 12 || number === 17) return contentFormats[v] ? `${v} (${contentFormats[v]})` : String(v);
  if (number === 23 || number === 27) return `${v} (${blockText(v)})`;
  return String(v);
}

/** Parses one datagram; an Error names what is wrong with it. */
export function parseCoapMessage(bytes: Uint8Array): CoapMessage | Error {
  if (bytes.length < 4) return new Error(`${bytes.length} bytes, fewer than the 4 of a CoAP header`);
  const version = bytes[0]! >> 6;
  if (version !== 1) return new Error(`version ${version}, not 1`);
  const tkl = bytes[0]! & 0x0f;
  if (tkl > 8) return new Error(`token length ${tkl} is more than 8`);
  if (4 + tkl > bytes.length) return new Error('the token runs past the end');
  try {
    // coap-packet validates what it knows; the walk below adds ranges and catches values past the end.
    coapPacket.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const codeByte = bytes[1]!;
  const code = `${codeByte >> 5}.${String(codeByte & 0x1f).padStart(2, '0')}`;
  const options: CoapOptionValue[] = [];
  let pos = 4 + tkl;
  let number = 0;
  let payloadOffset = bytes.length;
  while (pos < bytes.length) {
    const start = pos;
    const head = bytes[pos++]!;
    if (head === 0xff) {
      if (pos === bytes.length) return new Error('payload marker with no payload');
      payloadOffset = pos;
      break;
    }
    let delta = head >> 4;
    let len = head & 0x0f;
    const ext = (n: number): number | Error => {
      if (n === 13) {
        if (pos + 1 > bytes.length) return new Error('option header runs past the end');
        return bytes[pos++]! + 13;
      }
      if (n === 14) {
        if (pos + 2 > bytes.length) return new Error('option header runs past the end');
        const v = ((bytes[pos]! << 8) | bytes[pos + 1]!) + 269;
        pos += 2;
        return v;
      }
      if (n === 15) return new Error('reserved option nibble 15');
      return n;
    };
    const d = ext(delta);
    if (d instanceof Error) return d;
    delta = d;
    const l = ext(len);
    if (l instanceof Error) return l;
    len = l;
    if (pos + len > bytes.length) return new Error(`option ${number + delta} value runs past the end`);
    number += delta;
    const raw = bytes.subarray(pos, pos + len);
    pos += len;
    options.push({
      number,
      name: optionNames[number] ?? `Option ${number}`,
      value: optionText(number, raw),
      raw,
      offset: start,
      length: pos - start,
    });
  }
  const uriPath = options.filter((o) => o.number === 11).map((o) => o.value);
  const uriQuery = options.filter((o) => o.number === 15).map((o) => o.value);
  const observe = options.find((o) => o.number === 6);
  const cf = options.find((o) => o.number === 12);
  return {
    version,
    type: types[(bytes[0]! >> 4) & 0x03]!,
    code,
    messageId: (bytes[2]! << 8) | bytes[3]!,
    tokenHex: hex(bytes.subarray(4, 4 + tkl)),
    options,
    uriPath,
    uriQuery,
    ...(observe ? { observe: uint(observe.raw) } : {}),
    ...(cf ? { contentFormat: uint(cf.raw) } : {}),
    payload: bytes.subarray(payloadOffset),
    payloadOffset,
  };
}

export interface CoapDecodeResult {
  layer: TrafficLayer;
  summary: string;
  error?: string;
  message?: CoapMessage;
}

export function coapUri(m: CoapMessage): string {
  return '/' + m.uriPath.join('/') + (m.uriQuery.length ? '?' + m.uriQuery.join('&') : '');
}

export function decodeCoapLayer(bytes: Uint8Array, values: FieldValues): CoapDecodeResult {
  const m = parseCoapMessage(bytes);
  if (m instanceof Error) {
    const error = `malformed CoAP: ${m.message}`;
    return {
      layer: { id: 'coap', title: 'Constrained Application Protocol', error, fields: [] },
      summary: error,
      error,
    };
  }
  values['coap.type'] = m.type.toLowerCase();
  values['coap.code'] = m.code;
  values['coap.mid'] = m.messageId;
  values['coap.token'] = m.tokenHex;
  values['coap.uri'] = coapUri(m);
  if (m.observe !== undefined) values['coap.observe'] = m.observe;
  if (m.contentFormat !== undefined) values['coap.cf'] = m.contentFormat;
  const tkl = m.tokenHex.length / 2;
  const fields: TrafficField[] = [
    field('coap.version', 'Version', String(m.version), { offset: 0, length: 1 }),
    field('coap.type', 'Type', m.type, { offset: 0, length: 1 }),
    field('coap.tkl', 'Token length', String(tkl), { offset: 0, length: 1 }),
    field('coap.code', 'Code', m.code, { offset: 1, length: 1, meaning: coapCodeName(m.code) }),
    field('coap.mid', 'Message ID', String(m.messageId), { offset: 2, length: 2 }),
    field('coap.token', 'Token', m.tokenHex || '(none)', { offset: 4, length: tkl }),
  ];
  for (const o of m.options) {
    fields.push(field(`coap.opt.${o.name.toLowerCase()}`, o.name, o.value, { offset: o.offset, length: o.length }));
  }
  if (m.payload.length) {
    const cf = m.contentFormat !== undefined ? (contentFormats[m.contentFormat] ?? String(m.contentFormat)) : undefined;
    fields.push(
      field('coap.payload', 'Payload', `${m.payload.length} bytes`, {
        offset: m.payloadOffset,
        length: m.payload.length,
        ...(cf ? { meaning: cf } : {}),
      }),
    );
  }
  const isRequest = m.code.startsWith('0.') && m.code !== '0.00';
  const uri = m.uriPath.length || m.uriQuery.length ? ` ${coapUri(m)}` : '';
  const summary = `${m.type} ${isRequest ? coapCodeName(m.code) : `${m.code} ${coapCodeName(m.code)}`}${uri} MID ${m.messageId}${m.tokenHex ? ` token ${m.tokenHex}` : ''}${m.observe !== undefined ? ` observe ${m.observe}` : ''}`;
  return { layer: { id: 'coap', title: 'Constrained Application Protocol', fields }, summary, message: m };
}
