// Resource values by LwM2M data type: TLV value bytes and text/plain bodies to values and back.
import { lwm2mResourceTypes, type Lwm2mResourceType } from '../../contract/lwm2m.js';
import { parsed, parseError, type Parsed } from '../parse-result.js';

export type ResourceValue = string | number | boolean;

const knownTypes: readonly string[] = lwm2mResourceTypes;
export const resourceType = (type: string | undefined): Lwm2mResourceType =>
  type !== undefined && knownTypes.includes(type) ? (type as Lwm2mResourceType) : 'opaque';

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function readInteger(bytes: Uint8Array, signed: boolean): Parsed<number> {
  if (![1, 2, 4, 8].includes(bytes.length))
    return parseError('VALUE_BAD_LENGTH', `an integer is 1, 2, 4 or 8 bytes, not ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const big = bytes.length === 8 ? (signed ? view.getBigInt64(0) : view.getBigUint64(0)) : undefined;
  if (big !== undefined) return parsed(Number(big));
  if (bytes.length === 1) return parsed(signed ? view.getInt8(0) : view.getUint8(0));
  if (bytes.length === 2) return parsed(signed ? view.getInt16(0) : view.getUint16(0));
  return parsed(signed ? view.getInt32(0) : view.getUint32(0));
}

/** A TLV value's bytes as the resource type says. */
export function valueFromBytes(type: Lwm2mResourceType, bytes: Uint8Array): Parsed<ResourceValue> {
  const utf8 = () => new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  switch (type) {
    case 'string':
    case 'corelnk':
      return parsed(utf8());
    case 'integer':
    case 'time':
      return readInteger(bytes, true);
    case 'unsigned':
      return readInteger(bytes, false);
    case 'float': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      if (bytes.length === 4) return parsed(view.getFloat32(0));
      if (bytes.length === 8) return parsed(view.getFloat64(0));
      return parseError('VALUE_BAD_LENGTH', `a float is 4 or 8 bytes, not ${bytes.length}`);
    }
    case 'boolean':
      if (bytes.length === 1 && bytes[0]! <= 1) return parsed(bytes[0] === 1);
      return parseError('VALUE_BAD_BOOLEAN', `a boolean is one byte 00 or 01, not ${toHex(bytes)}`);
    case 'objlnk': {
      if (bytes.length !== 4) return parseError('VALUE_BAD_LENGTH', `an object link is 4 bytes, not ${bytes.length}`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
      return parsed(`${view.getUint16(0)}:${view.getUint16(2)}`);
    }
    case 'opaque':
    case 'none':
      return parsed(toHex(bytes));
  }
}

function integerBytes(value: number): Uint8Array {
  if (value >= -128 && value <= 127) return Uint8Array.of(value & 0xff);
  const view = new DataView(new ArrayBuffer(8));
  if (value >= -32768 && value <= 32767) {
    view.setInt16(0, value);
    return new Uint8Array(view.buffer, 0, 2);
  }
  if (value >= -2147483648 && value <= 2147483647) {
    view.setInt32(0, value);
    return new Uint8Array(view.buffer, 0, 4);
  }
  view.setBigInt64(0, BigInt(Math.trunc(value)));
  return new Uint8Array(view.buffer);
}

const HEX = /^([0-9a-fA-F]{2})*$/;

/** A value to TLV value bytes; strings are converted where the type asks for a number or a boolean. Opaque
 * values are hex text (as the API carries them) or the bytes themselves. */
export function valueToBytes(type: Lwm2mResourceType, value: ResourceValue | Uint8Array): Parsed<Uint8Array> {
  if (value instanceof Uint8Array)
    return type === 'opaque' || type === 'none'
      ? parsed(value)
      : parseError('VALUE_NOT_SCALAR', `a ${type} resource takes a value, not ${value.length} raw bytes`);
  switch (type) {
    case 'string':
    case 'corelnk':
      return parsed(new TextEncoder().encode(String(value)));
    case 'integer':
    case 'unsigned':
    case 'time': {
      const n = typeof value === 'boolean' ? Number(value) : Number(value);
      if (!Number.isInteger(n)) return parseError('VALUE_NOT_INTEGER', `${String(value)} is not an integer`);
      return parsed(integerBytes(n));
    }
    case 'float': {
      const n = Number(value);
      if (!Number.isFinite(n)) return parseError('VALUE_NOT_NUMBER', `${String(value)} is not a number`);
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, n);
      return parsed(new Uint8Array(view.buffer));
    }
    case 'boolean': {
      const b = value === true || value === 'true' || value === 1 || value === '1';
      const f = value === false || value === 'false' || value === 0 || value === '0';
      if (!b && !f) return parseError('VALUE_NOT_BOOLEAN', `${String(value)} is not true or false`);
      return parsed(Uint8Array.of(b ? 1 : 0));
    }
    case 'objlnk': {
      const m = /^(\d{1,5}):(\d{1,5})$/.exec(String(value));
      if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535)
        return parseError('VALUE_NOT_OBJLNK', `${String(value)} is not an object link o:i`);
      return parsed(Uint8Array.of(Number(m[1]) >> 8, Number(m[1]) & 0xff, Number(m[2]) >> 8, Number(m[2]) & 0xff));
    }
    case 'opaque':
    case 'none': {
      const hex = String(value);
      if (!HEX.test(hex)) return parseError('VALUE_NOT_HEX', 'an opaque value is given as hex');
      return parsed(Uint8Array.from(Buffer.from(hex, 'hex')));
    }
  }
}

/** A text/plain body as the resource type says (LwM2M 1.0 §6.4.1: numbers in decimal, booleans 0/1). */
export function valueFromText(type: Lwm2mResourceType, text: string): Parsed<ResourceValue> {
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'time':
    case 'float': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n))
        return parseError('TEXT_NOT_NUMBER', `${JSON.stringify(text.slice(0, 40))} is not a number`);
      return parsed(n);
    }
    case 'boolean':
      if (text === '0' || text === '1') return parsed(text === '1');
      return parseError('TEXT_NOT_BOOLEAN', `a boolean is 0 or 1 in text, not ${JSON.stringify(text.slice(0, 40))}`);
    default:
      return parsed(text);
  }
}

export function valueToText(type: Lwm2mResourceType, value: ResourceValue): string {
  if (type === 'boolean') return value === true || value === 'true' || value === 1 || value === '1' ? '1' : '0';
  return String(value);
}
