// Where each field of a layout message sits in the frame: the byte-map preview of the layout editor.
import type { CodecLayout, LayoutField, LayoutMessage } from '../../../core/contract/index.js';

export interface ByteSegment {
  label: string;
  /** 'id' for the message id, 'prefix' for a length prefix, else the field's type. */
  kind: string;
  /** Byte offset, or undefined after a variable-length field. */
  start: number | undefined;
  /** Bytes, or undefined for variable length. */
  size: number | undefined;
  fieldIndex?: number;
}

const fixedSize: Record<string, number> = {
  uint8: 1,
  uint16: 2,
  uint32: 4,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

function sizeOf(field: LayoutField): number | undefined {
  if (field.type in fixedSize) return fixedSize[field.type];
  if (field.type === 'bits' || field.type === 'bcd') return field.length ?? 1;
  return field.lengthPrefix ? undefined : field.length;
}

export function byteMap(layout: Pick<CodecLayout, 'messageIdType'>, message: LayoutMessage): ByteSegment[] {
  const idSize = layout.messageIdType === 'uint16' ? 2 : 1;
  const segments: ByteSegment[] = [{ label: 'messageId', kind: 'id', start: 0, size: idSize }];
  let offset: number | undefined = idSize;
  message.fields.forEach((field, fieldIndex) => {
    if (field.lengthPrefix) {
      const prefix = fixedSize[field.lengthPrefix]!;
      segments.push({ label: `${field.name}.length`, kind: 'prefix', start: offset, size: prefix, fieldIndex });
      offset = offset === undefined ? undefined : offset + prefix;
    }
    const size = sizeOf(field);
    segments.push({ label: field.name, kind: field.type, start: offset, size, fieldIndex });
    offset = offset === undefined || size === undefined ? undefined : offset + size;
  });
  return segments;
}

/** The frame's total length when every field is fixed. */
export function fixedLength(segments: readonly ByteSegment[]): number | undefined {
  const last = segments[segments.length - 1];
  return last?.start === undefined || last.size === undefined ? undefined : last.start + last.size;
}
