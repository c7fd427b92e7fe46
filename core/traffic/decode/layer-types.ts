// Shared shapes of the decoders: a field builder and the flat field values the display filter reads.
import type { TrafficField } from '../../contract/traffic.js';

export type FieldValue = string | number | boolean;
/** Filter field name (`mqtt.topic`) to its value; arrays for fields a frame has several of. */
export type FieldValues = Record<string, FieldValue | FieldValue[] | undefined>;

export function field(
  key: string,
  label: string,
  value: string,
  extra: { offset?: number; length?: number; meaning?: string } = {},
): TrafficField {
  const f: TrafficField = { key, label, value };
  if (extra.offset !== undefined && extra.length !== undefined && extra.length > 0) {
    f.offset = extra.offset;
    f.length = extra.length;
  }
  if (extra.meaning !== undefined) f.meaning = extra.meaning;
  return f;
}

/** Moves every byte range of a field tree by `by` (a layer decoded from a payload inside the frame). */
export function shiftFields(fields: TrafficField[], by: number): TrafficField[] {
  return fields.map((f) => ({
    ...f,
    ...(f.offset !== undefined ? { offset: f.offset + by } : {}),
    ...(f.children ? { children: shiftFields(f.children, by) } : {}),
  }));
}
