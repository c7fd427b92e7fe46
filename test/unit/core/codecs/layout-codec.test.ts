// Layout codecs: encode and decode are inverse over random values, mapping to services and commands,
// and garbage or truncated frames come back as errors, never exceptions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecLayoutSchema, type CodecLayout } from '../../../../core/contract/codecs.js';
import {
  decodeLayoutRaw,
  decodeWithLayout,
  encodeCommandWithLayout,
  encodeLayoutRaw,
} from '../../../../core/codecs/layout-codec.js';
import { allTypesLayout, rawValuesArbitrary } from './layout-arbitraries.js';

const layouts = [allTypesLayout('big', 'uint8'), allTypesLayout('little', 'uint16')];

describe('layout codec', () => {
  it.each(layouts.map((l) => [`${l.endian}-endian, ${l.messageIdType} id`, l] as const))(
    'decodes what it encoded, for random values of every field type (%s)',
    (_name, layout) => {
      for (const message of layout.messages) {
        fc.assert(
          fc.property(rawValuesArbitrary(message), (values) => {
            const encoded = encodeLayoutRaw(layout, message, values);
            expect(encoded.ok).toBe(true);
            if (!encoded.ok) return;
            const decoded = decodeLayoutRaw(layout, encoded.value);
            expect(decoded).toEqual({ ok: true, value: { message, values } });
          }),
          { numRuns: 200 },
        );
      }
    },
  );

  it('writes multi-byte values in the layout byte order', () => {
    const [big, little] = layouts as [CodecLayout, CodecLayout];
    const rsp = (l: CodecLayout) => l.messages.find((m) => m.name === 'set_level_rsp')!;
    expect(encodeLayoutRaw(big, rsp(big), { mid: 0x1234, errcode: 1, result: 2 })).toEqual({
      ok: true,
      value: new Uint8Array([5, 0x12, 0x34, 1, 2]),
    });
    expect(encodeLayoutRaw(little, rsp(little), { mid: 0x1234, errcode: 1, result: 2 })).toEqual({
      ok: true,
      value: new Uint8Array([5, 0, 0x34, 0x12, 1, 2]),
    });
  });

  it('maps a command response to mid, errcode and body, and a command from its paras', () => {
    const layout = layouts[0]!;
    expect(decodeWithLayout(layout, new Uint8Array([5, 0, 7, 1, 9]))).toEqual({
      ok: true,
      value: { kind: 'commandResponse', mid: 7, errcode: 1, body: { result: 9 }, commandName: 'SET_LEVEL' },
    });
    expect(
      encodeCommandWithLayout(layout, { serviceId: 'Meter', name: 'SET_LEVEL', paras: { level: -1.5 }, mid: 258 }),
    ).toEqual({
      ok: true,
      value: new Uint8Array([4, 1, 2, 0xff, 0xfd]),
    });
    expect(encodeCommandWithLayout(layout, { serviceId: 'Meter', name: 'NOPE', paras: {}, mid: 1 })).toMatchObject({
      ok: false,
      error: { code: 'LAYOUT_NO_COMMAND' },
    });
    expect(encodeCommandWithLayout(layout, { serviceId: 'Meter', name: 'SET_LEVEL', paras: {}, mid: 1 })).toMatchObject(
      {
        ok: false,
        error: { code: 'LAYOUT_MISSING_VALUE' },
      },
    );
  });

  it('refuses values that do not fit instead of truncating them', () => {
    const layout = layouts[0]!;
    const nums = layout.messages[0]!;
    const values = Object.fromEntries(nums.fields.map((f) => [f.name, 0]));
    expect(encodeLayoutRaw(layout, nums, { ...values, n0_uint8: 256 })).toMatchObject({
      ok: false,
      error: { code: 'LAYOUT_BAD_VALUE' },
    });
    expect(encodeLayoutRaw(layout, nums, { ...values, n3_int8: 1.5 })).toMatchObject({
      ok: false,
      error: { code: 'LAYOUT_BAD_VALUE' },
    });
  });

  it('returns errors, never throws, for random and truncated frames', () => {
    for (const layout of layouts) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const result = decodeLayoutRaw(layout, bytes);
          if (!result.ok) expect(result.error.code).toMatch(/^LAYOUT_/);
        }),
        { numRuns: 2000 },
      );
      for (const message of layout.messages) {
        fc.assert(
          fc.property(rawValuesArbitrary(message), fc.nat(), (values, cut) => {
            const encoded = encodeLayoutRaw(layout, message, values);
            if (!encoded.ok || encoded.value.length === 0) return;
            const truncated = encoded.value.subarray(0, cut % encoded.value.length);
            const result = decodeLayoutRaw(layout, truncated);
            if (truncated.length < encoded.value.length) expect(result.ok).toBe(false);
          }),
          { numRuns: 200 },
        );
      }
    }
  });

  it('explains an invalid layout with the path at fault', () => {
    const result = codecLayoutSchema.safeParse({
      messages: [{ name: 'a', id: 1, direction: 'data', fields: [{ name: 's', type: 'string' }] }],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('messages.0.serviceId');
    expect(paths).toContain('messages.0.fields.0.length');
  });
});
