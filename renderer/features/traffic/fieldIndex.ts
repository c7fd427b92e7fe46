// Links the detail tree and the bytes view: every field gets an id, and a byte finds the narrowest field that covers it.
import type { TrafficField, TrafficLayer } from '../../../core/contract/index.js';

export interface IndexedField {
  id: string;
  field: TrafficField;
  layerId: TrafficLayer['id'];
}

export function indexFields(layers: TrafficLayer[]): IndexedField[] {
  const out: IndexedField[] = [];
  const walk = (fields: TrafficField[], prefix: string, layerId: TrafficLayer['id']) =>
    fields.forEach((f, i) => {
      const id = `${prefix}.${i}`;
      out.push({ id, field: f, layerId });
      if (f.children) walk(f.children, id, layerId);
    });
  layers.forEach((l, i) => walk(l.fields, String(i), l.id));
  return out;
}

export function fieldAtByte(fields: IndexedField[], offset: number): IndexedField | undefined {
  let best: IndexedField | undefined;
  for (const f of fields) {
    const { offset: start, length } = f.field;
    if (start === undefined || length === undefined || offset < start || offset >= start + length) continue;
    // The narrowest range wins; on a tie the deeper layer (decoded from inside the payload) does.
    if (!best || length <= best.field.length!) best = f;
  }
  return best;
}

export function fieldRange(f: IndexedField | undefined): [number, number] | undefined {
  if (!f || f.field.offset === undefined || f.field.length === undefined) return undefined;
  return [f.field.offset, f.field.offset + f.field.length];
}
