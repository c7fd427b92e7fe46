// The layout editor's byte map: offsets of fixed fields, and open-ended offsets after a variable-length one.
import { describe, expect, it } from 'vitest';
import { codecLayoutSchema } from '../../../../core/contract/codecs.js';
import { byteMap, fixedLength } from '../../../../renderer/features/codecs/byteMap.js';

describe('byte map', () => {
  const layout = codecLayoutSchema.parse({
    messageIdType: 'uint16',
    messages: [
      {
        name: 'm',
        id: 1,
        direction: 'data',
        serviceId: 'S',
        fields: [
          { name: 'a', type: 'uint32' },
          { name: 'f', type: 'bits', length: 1, bits: [{ name: 'x', width: 1 }] },
          { name: 's', type: 'string', lengthPrefix: 'uint8' },
          { name: 'b', type: 'uint8' },
        ],
      },
    ],
  });

  it('places each field after the message id and marks what follows a variable field as unknown', () => {
    const segments = byteMap(layout, layout.messages[0]!);
    expect(segments.map((s) => [s.label, s.start, s.size])).toEqual([
      ['messageId', 0, 2],
      ['a', 2, 4],
      ['f', 6, 1],
      ['s.length', 7, 1],
      ['s', 8, undefined],
      ['b', undefined, 1],
    ]);
    expect(fixedLength(segments)).toBeUndefined();
    expect(fixedLength(segments.slice(0, 3))).toBe(7);
  });
});
