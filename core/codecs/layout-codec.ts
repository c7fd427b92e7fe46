// Declarative binary layouts: one description gives decode and encode of every message (raw field values),
// and the mapping of those values to service properties, command paras and command responses.
import type {
  CodecCommand,
  CodecError,
  CodecLayout,
  DecodedMessage,
  LayoutField,
  LayoutMessage,
  LayoutNumberType,
} from '../contract/codecs.js';

/** Raw values by field name (bit fields by bit name): numbers, BCD digit strings, text, bytes as hex. */
export type RawValues = Record<string, number | string>;

export type LayoutOutcome<T> = { ok: true; value: T } | { ok: false; error: CodecError };

/** Bytes of each number type on the wire (and in the generated C). */
export const numberSize: Record<LayoutNumberType, number> = {
  uint8: 1,
  uint16: 2,
  uint32: 4,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

const integerRange: Partial<Record<LayoutNumberType, [number, number]>> = {
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffffffff],
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x80000000, 0x7fffffff],
};

export function isNumberType(type: string): type is LayoutNumberType {
  return type in numberSize;
}

export function integerRangeOf(type: LayoutNumberType): [number, number] | undefined {
  return integerRange[type];
}

const fail = (code: string, message: string): { ok: false; error: CodecError } => ({
  ok: false,
  error: { code, message },
});

function readNumber(view: DataView, offset: number, type: LayoutNumberType, little: boolean): number {
  switch (type) {
    case 'uint8':
      return view.getUint8(offset);
    case 'uint16':
      return view.getUint16(offset, little);
    case 'uint32':
      return view.getUint32(offset, little);
    case 'int8':
      return view.getInt8(offset);
    case 'int16':
      return view.getInt16(offset, little);
    case 'int32':
      return view.getInt32(offset, little);
    case 'float32':
      return view.getFloat32(offset, little);
    case 'float64':
      return view.getFloat64(offset, little);
  }
}

function writeNumber(view: DataView, offset: number, type: LayoutNumberType, value: number, little: boolean): void {
  switch (type) {
    case 'uint8':
      return view.setUint8(offset, value);
    case 'uint16':
      return view.setUint16(offset, value, little);
    case 'uint32':
      return view.setUint32(offset, value, little);
    case 'int8':
      return view.setInt8(offset, value);
    case 'int16':
      return view.setInt16(offset, value, little);
    case 'int32':
      return view.setInt32(offset, value, little);
    case 'float32':
      return view.setFloat32(offset, value, little);
    case 'float64':
      return view.setFloat64(offset, value, little);
  }
}

export function messageIdOf(layout: CodecLayout, bytes: Uint8Array): number | undefined {
  const size = layout.messageIdType === 'uint8' ? 1 : 2;
  if (bytes.length < size) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readNumber(view, 0, layout.messageIdType, layout.endian === 'little');
}

/** Decodes one frame into its message and raw values; never throws on bad input. */
export function decodeLayoutRaw(
  layout: CodecLayout,
  bytes: Uint8Array,
): LayoutOutcome<{ message: LayoutMessage; values: RawValues }> {
  const id = messageIdOf(layout, bytes);
  if (id === undefined) return fail('LAYOUT_TRUNCATED', 'the frame is shorter than its message id');
  const message = layout.messages.find((m) => m.id === id);
  if (!message) return fail('LAYOUT_UNKNOWN_MESSAGE', `no message has id ${id} (0x${id.toString(16).toUpperCase()})`);
  const little = layout.endian === 'little';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = layout.messageIdType === 'uint8' ? 1 : 2;
  const values: RawValues = {};
  const need = (n: number, field: LayoutField): CodecError | undefined =>
    offset + n > bytes.length
      ? {
          code: 'LAYOUT_TRUNCATED',
          message: `${message.name}.${field.name} needs ${n} byte(s) at offset ${offset}, the frame has ${bytes.length}`,
        }
      : undefined;
  for (const field of message.fields) {
    if (isNumberType(field.type)) {
      const size = numberSize[field.type];
      const short = need(size, field);
      if (short) return { ok: false, error: short };
      values[field.name] = readNumber(view, offset, field.type, little);
      offset += size;
      continue;
    }
    if (field.type === 'bits') {
      const size = field.length ?? 1;
      const short = need(size, field);
      if (short) return { ok: false, error: short };
      const container = readNumber(view, offset, size === 1 ? 'uint8' : size === 2 ? 'uint16' : 'uint32', little);
      offset += size;
      // Bits are packed from the most significant end, in the order they are listed.
      let shift = size * 8;
      for (const bit of field.bits ?? []) {
        shift -= bit.width;
        values[bit.name] = Math.floor(container / 2 ** shift) % 2 ** bit.width;
      }
      continue;
    }
    let length = field.length ?? 0;
    if (field.lengthPrefix) {
      const prefixSize = numberSize[field.lengthPrefix];
      const short = need(prefixSize, field);
      if (short) return { ok: false, error: short };
      length = readNumber(view, offset, field.lengthPrefix, little);
      offset += prefixSize;
      const capacity = field.maxLength ?? (field.lengthPrefix === 'uint8' ? 255 : 1024);
      if (length > capacity) {
        return fail(
          'LAYOUT_LENGTH_TOO_LARGE',
          `${message.name}.${field.name} says ${length} bytes; the most is ${capacity}`,
        );
      }
    }
    const short = need(length, field);
    if (short) return { ok: false, error: short };
    const slice = bytes.subarray(offset, offset + length);
    offset += length;
    if (field.type === 'bcd') {
      let digits = '';
      for (const b of slice) {
        const hi = b >> 4;
        const lo = b & 0x0f;
        if (hi > 9 || lo > 9) {
          return fail('LAYOUT_BAD_BCD', `${message.name}.${field.name} holds 0x${b.toString(16)}, not two BCD digits`);
        }
        digits += `${hi}${lo}`;
      }
      values[field.name] = digits;
    } else if (field.type === 'string') {
      // Fixed-length strings are padded with NULs on the wire.
      const end = field.length ? slice.indexOf(0) : -1;
      values[field.name] = Buffer.from(end >= 0 ? slice.subarray(0, end) : slice).toString('utf8');
    } else {
      values[field.name] = Buffer.from(slice).toString('hex').toUpperCase();
    }
  }
  if (offset !== bytes.length) {
    return fail(
      'LAYOUT_TRAILING_BYTES',
      `${message.name} ends at byte ${offset}; the frame has ${bytes.length - offset} more`,
    );
  }
  return { ok: true, value: { message, values } };
}

function fieldBytes(field: LayoutField, value: number | string | undefined, where: string): LayoutOutcome<Uint8Array> {
  if (field.type === 'bcd') {
    const digits = typeof value === 'number' ? String(value) : (value ?? '');
    const width = (field.length ?? 0) * 2;
    if (!/^\d*$/.test(digits) || digits.length > width) {
      return fail('LAYOUT_BAD_VALUE', `${where}: ${JSON.stringify(value)} is not up to ${width} decimal digits`);
    }
    const padded = digits.padStart(width, '0');
    const out = new Uint8Array(field.length ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = (Number(padded[2 * i]) << 4) | Number(padded[2 * i + 1]);
    return { ok: true, value: out };
  }
  if (typeof value !== 'string')
    return fail('LAYOUT_BAD_VALUE', `${where}: expected ${field.type === 'bytes' ? 'hex' : 'text'}`);
  let data: Uint8Array;
  if (field.type === 'bytes') {
    if (!/^([0-9a-fA-F]{2})*$/.test(value))
      return fail('LAYOUT_BAD_VALUE', `${where}: ${JSON.stringify(value)} is not hex`);
    data = new Uint8Array(Buffer.from(value, 'hex'));
  } else {
    data = new Uint8Array(Buffer.from(value, 'utf8'));
  }
  const limit = field.length ?? field.maxLength ?? (field.lengthPrefix === 'uint8' ? 255 : 1024);
  if (data.length > limit) return fail('LAYOUT_BAD_VALUE', `${where}: ${data.length} bytes; the most is ${limit}`);
  if (field.length) {
    const out = new Uint8Array(field.length);
    out.set(data);
    return { ok: true, value: out };
  }
  return { ok: true, value: data };
}

/** Encodes one message from raw values; every value is range-checked, nothing is silently truncated. */
export function encodeLayoutRaw(
  layout: CodecLayout,
  message: LayoutMessage,
  values: RawValues,
): LayoutOutcome<Uint8Array> {
  const little = layout.endian === 'little';
  const parts: Uint8Array[] = [];
  const pushNumber = (type: LayoutNumberType, value: number) => {
    const part = new Uint8Array(numberSize[type]);
    writeNumber(new DataView(part.buffer), 0, type, value, little);
    parts.push(part);
  };
  pushNumber(layout.messageIdType, message.id);
  for (const field of message.fields) {
    const where = `${message.name}.${field.name}`;
    if (isNumberType(field.type)) {
      const value = values[field.name];
      if (typeof value !== 'number' || Number.isNaN(value))
        return fail('LAYOUT_MISSING_VALUE', `${where}: expected a number`);
      const range = integerRange[field.type];
      if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
        return fail('LAYOUT_BAD_VALUE', `${where}: ${value} does not fit ${field.type} (${range[0]}..${range[1]})`);
      }
      pushNumber(field.type, value);
      continue;
    }
    if (field.type === 'bits') {
      const size = field.length ?? 1;
      let container = 0;
      let shift = size * 8;
      for (const bit of field.bits ?? []) {
        shift -= bit.width;
        const value = values[bit.name];
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** bit.width) {
          return fail(
            'LAYOUT_BAD_VALUE',
            `${where}.${bit.name}: ${JSON.stringify(value)} does not fit ${bit.width} bit(s)`,
          );
        }
        container += value * 2 ** shift;
      }
      pushNumber(size === 1 ? 'uint8' : size === 2 ? 'uint16' : 'uint32', container);
      continue;
    }
    const data = fieldBytes(field, values[field.name], where);
    if (!data.ok) return data;
    if (field.lengthPrefix) pushNumber(field.lengthPrefix, data.value.length);
    parts.push(data.value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return { ok: true, value: out };
}

function decimalsOf(scale: number): number {
  const text = String(scale);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]);
  return text.includes('.') ? text.split('.')[1]!.length : 0;
}

function scaled(field: LayoutField, raw: number): number {
  if (!field.scale) return raw;
  const d = Math.min(decimalsOf(field.scale), 15);
  return Number((raw * field.scale).toFixed(d));
}

function unscaled(field: LayoutField, value: unknown): number | undefined {
  if (typeof value !== 'number') return undefined;
  return field.scale ? Math.round(value / field.scale) : value;
}

/** The mapped (property / para) values of a message's value fields. */
function mappedValues(message: LayoutMessage, values: RawValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of message.fields) {
    if (field.role !== 'value') continue;
    if (field.type === 'bits') {
      for (const bit of field.bits ?? []) out[bit.key ?? bit.name] = values[bit.name];
      continue;
    }
    const raw = values[field.name];
    if (typeof raw === 'number' && field.enumValues) out[field.key ?? field.name] = field.enumValues[raw] ?? raw;
    else out[field.key ?? field.name] = typeof raw === 'number' ? scaled(field, raw) : raw;
  }
  return out;
}

function roleValue(message: LayoutMessage, values: RawValues, role: 'mid' | 'errcode'): number | undefined {
  const field = message.fields.find((f) => f.role === role);
  const value = field ? values[field.name] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Decodes an uplink frame to the internal decoded message. */
export function decodeWithLayout(layout: CodecLayout, bytes: Uint8Array): LayoutOutcome<DecodedMessage> {
  const raw = decodeLayoutRaw(layout, bytes);
  if (!raw.ok) return raw;
  const { message, values } = raw.value;
  if (message.direction === 'data') {
    return {
      ok: true,
      value: {
        kind: 'data',
        services: [{ serviceId: message.serviceId ?? '', properties: mappedValues(message, values) }],
      },
    };
  }
  if (message.direction === 'commandResponse') {
    return {
      ok: true,
      value: {
        kind: 'commandResponse',
        mid: roleValue(message, values, 'mid') ?? 0,
        errcode: roleValue(message, values, 'errcode') ?? 0,
        body: mappedValues(message, values),
        ...(message.command ? { commandName: message.command } : {}),
      },
    };
  }
  return fail('LAYOUT_NOT_UPLINK', `message ${message.name} is a ${message.direction} (downlink) message`);
}

/** Encodes a command for the device with the layout's command message of that name. */
export function encodeCommandWithLayout(layout: CodecLayout, command: CodecCommand): LayoutOutcome<Uint8Array> {
  const message = layout.messages.find(
    (m) =>
      m.direction === 'command' && m.command === command.name && (!m.serviceId || m.serviceId === command.serviceId),
  );
  if (!message)
    return fail('LAYOUT_NO_COMMAND', `the layout has no command message for ${command.serviceId}.${command.name}`);
  const values: RawValues = {};
  for (const field of message.fields) {
    if (field.role === 'mid') {
      values[field.name] = command.mid;
      continue;
    }
    if (field.role === 'errcode') {
      values[field.name] = 0;
      continue;
    }
    if (field.type === 'bits') {
      for (const bit of field.bits ?? []) {
        const v = command.paras[bit.key ?? bit.name];
        if (typeof v === 'number') values[bit.name] = v;
        else if (typeof v === 'boolean') values[bit.name] = v ? 1 : 0;
      }
      continue;
    }
    const para = command.paras[field.key ?? field.name];
    if (para === undefined) return fail('LAYOUT_MISSING_VALUE', `the command has no para ${field.key ?? field.name}`);
    if (isNumberType(field.type)) {
      if (typeof para === 'string' && field.enumValues) {
        const index = field.enumValues.indexOf(para);
        if (index < 0)
          return fail(
            'LAYOUT_BAD_VALUE',
            `para ${field.key ?? field.name} is not one of ${field.enumValues.join(', ')}`,
          );
        values[field.name] = index;
        continue;
      }
      const raw = unscaled(field, para);
      if (raw === undefined) return fail('LAYOUT_BAD_VALUE', `para ${field.key ?? field.name} must be a number`);
      values[field.name] = raw;
    } else if (typeof para === 'string' || typeof para === 'number') {
      values[field.name] = para;
    } else {
      return fail('LAYOUT_BAD_VALUE', `para ${field.key ?? field.name} must be text`);
    }
  }
  return encodeLayoutRaw(layout, message, values);
}
