// Uplink frames for simulated devices: a product's layout codec encodes data messages from property values,
// and a generator makes plausible values (meter readings that grow, small varying temperatures, …).
import type { CodecLayout, LayoutField, LayoutMessage } from '../../contract/codecs.js';
import {
  encodeLayoutRaw,
  integerRangeOf,
  isNumberType,
  type LayoutOutcome,
  type RawValues,
} from '../../codecs/index.js';

export type PropertyValues = Record<string, unknown>;

const rawNumber = (field: LayoutField, value: number): number =>
  field.scale ? Math.round(value / field.scale) : field.type.startsWith('float') ? value : Math.round(value);

/** Encodes one data message of the layout from model property values (the reverse of the codec's decode). */
export function encodeDataWithLayout(
  layout: CodecLayout,
  serviceId: string,
  properties: PropertyValues,
  messageName?: string,
): LayoutOutcome<Uint8Array> {
  const message = layout.messages.find(
    (m) => m.direction === 'data' && m.serviceId === serviceId && (!messageName || m.name === messageName),
  );
  if (!message) {
    return {
      ok: false,
      error: { code: 'LAYOUT_NO_DATA_MESSAGE', message: `the layout has no data message for ${serviceId}` },
    };
  }
  const values: RawValues = {};
  for (const field of message.fields) {
    if (field.type === 'bits') {
      for (const bit of field.bits ?? []) {
        const v = properties[bit.key ?? bit.name];
        values[bit.name] = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : 0;
      }
      continue;
    }
    const key = field.key ?? field.name;
    const v = properties[key];
    if (v === undefined) {
      return { ok: false, error: { code: 'LAYOUT_MISSING_VALUE', message: `no value for ${serviceId}.${key}` } };
    }
    if (isNumberType(field.type)) {
      if (typeof v === 'string' && field.enumValues) {
        values[field.name] = Math.max(0, field.enumValues.indexOf(v));
      } else if (typeof v === 'number') {
        values[field.name] = rawNumber(field, v);
      } else {
        return { ok: false, error: { code: 'LAYOUT_BAD_VALUE', message: `${serviceId}.${key} must be a number` } };
      }
    } else {
      if (typeof v !== 'number' && typeof v !== 'string') {
        return { ok: false, error: { code: 'LAYOUT_BAD_VALUE', message: `${serviceId}.${key} must be text` } };
      }
      values[field.name] = String(v);
    }
  }
  return encodeLayoutRaw(layout, message, values);
}

/** Plausible values of a data message's fields for report number `seq` of device number `index`. */
export function generatedProperties(message: LayoutMessage, seq: number, index: number): PropertyValues {
  const out: PropertyValues = {};
  const wave = Math.sin((seq + index) / 3);
  for (const field of message.fields) {
    if (field.role !== 'value') continue;
    if (field.type === 'bits') {
      for (const bit of field.bits ?? []) out[bit.key ?? bit.name] = 0;
      continue;
    }
    const key = field.key ?? field.name;
    if (isNumberType(field.type)) {
      if (field.enumValues?.length) {
        out[key] = field.enumValues[seq % field.enumValues.length];
        continue;
      }
      const [min, max] = integerRangeOf(field.type) ?? [-1e6, 1e6];
      const scale = field.scale ?? 1;
      let raw: number;
      if (field.type === 'uint32' || field.type === 'int32') {
        // Counters (meter readings, activity time) only grow.
        raw = 1000 * (index + 1) + 137 * seq;
      } else if (min < 0) {
        raw = Math.round(200 + 50 * wave);
      } else {
        raw = Math.round((max - min) * 0.4 + (max - min) * 0.1 * wave);
      }
      raw = Math.min(max, Math.max(min, raw));
      out[key] = Number((raw * scale).toFixed(6));
      continue;
    }
    if (field.type === 'bcd')
      out[key] = String(seq)
        .padStart((field.length ?? 1) * 2, '0')
        .slice(-(field.length ?? 1) * 2);
    else if (field.type === 'bytes') out[key] = '00'.repeat(field.length ?? 1);
    else out[key] = field.length ? 'sim'.slice(0, field.length) : `sim-${index}`;
  }
  return out;
}

/** The data messages, in order; a simulated device reports them round-robin. */
export function dataMessages(layout: CodecLayout): LayoutMessage[] {
  return layout.messages.filter((m) => m.direction === 'data' && m.serviceId);
}

/** Frame number `seq` of device `index`: cycles through the data messages with generated values. */
export function generatedFrame(layout: CodecLayout, seq: number, index: number): LayoutOutcome<Uint8Array> {
  const messages = dataMessages(layout);
  if (messages.length === 0) {
    return { ok: false, error: { code: 'LAYOUT_NO_DATA_MESSAGE', message: 'the layout has no data message' } };
  }
  const message = messages[seq % messages.length]!;
  return encodeDataWithLayout(layout, message.serviceId!, generatedProperties(message, seq, index), message.name);
}
