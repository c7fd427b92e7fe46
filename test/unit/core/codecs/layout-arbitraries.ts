// fast-check generators of raw values for a layout message (shared by the round-trip and the C tests).
import fc from 'fast-check';
import {
  codecLayoutSchema,
  type CodecLayout,
  type LayoutField,
  type LayoutMessage,
} from '../../../../core/contract/codecs.js';
import { fieldCapacity } from '../../../../core/codecs/layout-c-generator.js';
import type { RawValues } from '../../../../core/codecs/layout-codec.js';

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();
const ascii = (max: number) =>
  fc.array(fc.integer({ min: 32, max: 126 }), { maxLength: max }).map((codes) => String.fromCharCode(...codes));

function fieldArbitrary(field: LayoutField): [string, fc.Arbitrary<number | string>][] {
  switch (field.type) {
    case 'uint8':
      return [[field.name, fc.integer({ min: 0, max: 0xff })]];
    case 'uint16':
      return [[field.name, fc.integer({ min: 0, max: 0xffff })]];
    case 'uint32':
      return [[field.name, fc.integer({ min: 0, max: 0xffffffff })]];
    case 'int8':
      return [[field.name, fc.integer({ min: -0x80, max: 0x7f })]];
    case 'int16':
      return [[field.name, fc.integer({ min: -0x8000, max: 0x7fff })]];
    case 'int32':
      return [[field.name, fc.integer({ min: -0x80000000, max: 0x7fffffff })]];
    case 'float32':
      return [[field.name, fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => Math.fround(v))]];
    case 'float64':
      return [[field.name, fc.double({ noNaN: true, noDefaultInfinity: true })]];
    case 'bcd':
      return [
        [
          field.name,
          fc
            .array(fc.integer({ min: 0, max: 9 }), {
              minLength: (field.length ?? 0) * 2,
              maxLength: (field.length ?? 0) * 2,
            })
            .map((d) => d.join('')),
        ],
      ];
    case 'string':
      return [[field.name, ascii(fieldCapacity(field))]];
    case 'bytes':
      return [
        [field.name, fc.uint8Array({ minLength: field.length ?? 0, maxLength: fieldCapacity(field) }).map(hexOf)],
      ];
    case 'bits':
      return (field.bits ?? []).map((b) => [b.name, fc.integer({ min: 0, max: 2 ** b.width - 1 })]);
  }
}

export function rawValuesArbitrary(message: LayoutMessage): fc.Arbitrary<RawValues> {
  return fc.record(Object.fromEntries(message.fields.flatMap(fieldArbitrary)));
}

/** A layout with every field type, in both byte orders and message-id widths. */
export function allTypesLayout(endian: 'big' | 'little', messageIdType: 'uint8' | 'uint16'): CodecLayout {
  return codecLayoutSchema.parse({
    endian,
    messageIdType,
    messages: [
      {
        name: 'nums',
        id: 1,
        direction: 'data',
        serviceId: 'Nums',
        fields: ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32', 'float64'].map((type, i) => ({
          name: `n${i}_${type}`,
          type,
        })),
      },
      {
        name: 'texts',
        id: 2,
        direction: 'data',
        serviceId: 'Texts',
        fields: [
          { name: 'meter_no', type: 'bcd', length: 3 },
          { name: 'label', type: 'string', length: 8 },
          { name: 'note', type: 'string', lengthPrefix: 'uint8', maxLength: 20 },
          { name: 'raw4', type: 'bytes', length: 4 },
          { name: 'blob', type: 'bytes', lengthPrefix: 'uint16', maxLength: 16 },
        ],
      },
      {
        name: 'flags',
        id: 3,
        direction: 'data',
        serviceId: 'Flags',
        fields: [
          {
            name: 'w16',
            type: 'bits',
            length: 2,
            bits: [
              { name: 'a', width: 1 },
              { name: 'b', width: 3 },
              { name: 'c', width: 12 },
            ],
          },
          {
            name: 'w32',
            type: 'bits',
            length: 4,
            bits: [
              { name: 'd', width: 5 },
              { name: 'e', width: 27 },
            ],
          },
          { name: 'w8', type: 'bits', length: 1, bits: [{ name: 'f', width: 7 }] },
        ],
      },
      {
        name: 'set_level',
        id: 4,
        direction: 'command',
        serviceId: 'Meter',
        command: 'SET_LEVEL',
        fields: [
          { name: 'mid', type: 'uint16', role: 'mid' },
          { name: 'level', type: 'int16', scale: 0.5 },
        ],
      },
      {
        name: 'set_level_rsp',
        id: 5,
        direction: 'commandResponse',
        serviceId: 'Meter',
        command: 'SET_LEVEL',
        fields: [
          { name: 'mid', type: 'uint16', role: 'mid' },
          { name: 'errcode', type: 'uint8', role: 'errcode' },
          { name: 'result', type: 'uint8' },
        ],
      },
    ],
  });
}
