// TLV, SenML (JSON and CBOR), link format and the payload codec: known bytes, round trips, garbage and truncation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../../../../core/protocols/lwm2m/cbor.js';
import {
  parseLinkFormat,
  registeredObjects,
  formatLinkFormat,
} from '../../../../../core/protocols/lwm2m/link-format.js';
import {
  decodePayload,
  encodeResourceValues,
  encodeWrite,
  type TypedResourceValue,
} from '../../../../../core/protocols/lwm2m/payload-codec.js';
import { valueFromBytes } from '../../../../../core/protocols/lwm2m/resource-values.js';
import {
  encodeSenmlCbor,
  encodeSenmlJson,
  parseLwm2mJson,
  parseSenmlCbor,
  parseSenmlJson,
} from '../../../../../core/protocols/lwm2m/senml.js';
import { encodeTlv, parseTlv } from '../../../../../core/protocols/lwm2m/tlv.js';
import { lwm2mContentFormats as CF } from '../../../../../core/contract/lwm2m.js';
import { loadLwm2mDefinitions } from '../../../../../core/protocols/lwm2m/lwm2m-definitions.js';

const defs = loadLwm2mDefinitions();
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// The Device object example of the LwM2M 1.0 TLV section: manufacturer, model, serial, firmware, power sources.
const specDeviceTlv = hex(`
  C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
  C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
  C8 02 09 33 34 35 30 30 30 31 32 33
  C3 03 31 2E 30
  86 06 41 00 01 41 01 05
  88 07 08 42 00 0E D8 42 01 13 88`);

describe('TLV', () => {
  it('parses the Device object example of the specification', () => {
    const r = parseTlv(specDeviceTlv);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((e) => [e.kind, e.id])).toEqual([
      ['resource', 0],
      ['resource', 1],
      ['resource', 2],
      ['resource', 3],
      ['multipleResource', 6],
      ['multipleResource', 7],
    ]);
    expect(r.value[5]!.children!.map((c) => Buffer.from(c.value).toString('hex'))).toEqual(['0ed8', '1388']);
  });

  it('gives the example its values, names and units', () => {
    const { values } = decodePayload(defs, '/3/0', CF.tlv, specDeviceTlv);
    expect(values).toEqual(
      expect.arrayContaining([
        { path: '/3/0/0', value: 'Open Mobile Alliance', type: 'string', name: 'Manufacturer' },
        { path: '/3/0/3', value: '1.0', type: 'string', name: 'Firmware Version' },
        { path: '/3/0/6/1', value: 5, type: 'integer', name: 'Available Power Sources' },
        { path: '/3/0/7/0', value: 3800, type: 'integer', name: 'Power Source Voltage', units: 'mV' },
      ]),
    );
  });

  it('encodes what it parses, byte for byte', () => {
    const r = parseTlv(specDeviceTlv);
    if (!r.ok) throw new Error(r.error.message);
    expect(Buffer.from(encodeTlv(r.value)).toString('hex')).toBe(Buffer.from(specDeviceTlv).toString('hex'));
  });

  it('uses 16-bit ids and 8/16/24-bit lengths where needed', () => {
    const big = new Uint8Array(70_000).fill(7);
    const bytes = encodeTlv([
      { kind: 'resource', id: 4014, value: big },
      { kind: 'resource', id: 1, value: new Uint8Array(300) },
    ]);
    const r = parseTlv(bytes);
    expect(r.ok && r.value.map((e) => [e.id, e.value.length])).toEqual([
      [4014, 70_000],
      [1, 300],
    ]);
  });

  it('reports a truncated or badly nested TLV as an error', () => {
    expect(parseTlv(specDeviceTlv.subarray(0, 10))).toMatchObject({ ok: false, error: { code: 'TLV_TRUNCATED' } });
    expect(parseTlv(hex('08 00 03 C1 00 01'))).toMatchObject({ ok: true });
    expect(parseTlv(hex('08 00 03 41 00 01'))).toMatchObject({ ok: false, error: { code: 'TLV_BAD_NESTING' } });
  });

  it('never throws on random or truncated input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
        for (const input of [bytes, bytes.subarray(0, cut), specDeviceTlv.subarray(0, cut % specDeviceTlv.length)]) {
          const r = parseTlv(input);
          expect(typeof r.ok).toBe('boolean');
          const d = decodePayload(defs, '/3/0', CF.tlv, input);
          expect(d.values !== undefined || d.decodeError !== undefined || input.length === 0).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SenML', () => {
  it('resolves base names and values of a JSON pack', () => {
    const text =
      '[{"bn":"/3/0/","n":"0","vs":"Acme"},{"n":"9","v":87},{"n":"13","v":1764158400,"bt":10},{"n":"7/1","v":5000}]';
    const r = parseSenmlJson(new TextEncoder().encode(text));
    expect(r.ok && r.value.map((e) => [e.name, e.value.kind])).toEqual([
      ['/3/0/0', 'string'],
      ['/3/0/9', 'number'],
      ['/3/0/13', 'number'],
      ['/3/0/7/1', 'number'],
    ]);
  });

  it('round-trips opaque, boolean and object-link values through JSON and CBOR', () => {
    const entries = [
      { name: '/19/0/0', value: { kind: 'opaque' as const, v: hex('0100bc614e') } },
      { name: '/1/0/6', value: { kind: 'boolean' as const, v: true } },
      { name: '/3/0/20', value: { kind: 'number' as const, v: -1.5 } },
      { name: '/0/0/0', value: { kind: 'string' as const, v: 'coap://[::1]:5683' } },
      { name: '/21/0/1', value: { kind: 'objlnk' as const, v: '3:0' } },
    ];
    for (const [encode, parse] of [
      [encodeSenmlJson, parseSenmlJson],
      [encodeSenmlCbor, parseSenmlCbor],
    ] as const) {
      const r = parse(encode(entries));
      expect(r).toEqual({ ok: true, value: entries });
    }
  });

  it('reads the LwM2M 1.0 JSON format (11543) with its base name', () => {
    const body = '{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"9","v":95},{"n":"7/0","v":3800}]}';
    const { values } = decodePayload(defs, '/3/0', CF['lwm2m-json'], new TextEncoder().encode(body));
    expect(values?.map((v) => [v.path, v.value])).toEqual([
      ['/3/0/0', 'Open Mobile Alliance'],
      ['/3/0/9', 95],
      ['/3/0/7/0', 3800],
    ]);
    fc.assert(
      fc.property(fc.json(), fc.nat(100), (json, cut) => {
        expect(typeof parseLwm2mJson(new TextEncoder().encode(json)).ok).toBe('boolean');
        expect(typeof parseLwm2mJson(new TextEncoder().encode(body.slice(0, cut))).ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('reports bad packs as errors with the record that is wrong', () => {
    expect(parseSenmlJson(new TextEncoder().encode('{"n":"x"}'))).toMatchObject({
      ok: false,
      error: { code: 'SENML_NOT_ARRAY' },
    });
    const badValue = parseSenmlJson(new TextEncoder().encode('[{"n":"/3/0/1","v":"x"}]'));
    expect(!badValue.ok && badValue.error.message).toContain('record 0');
    expect(parseSenmlJson(new TextEncoder().encode('[{"v":1}]'))).toMatchObject({
      ok: false,
      error: { code: 'SENML_NO_NAME' },
    });
    expect(
      decodePayload(defs, '/3/0', CF['senml-json'], new TextEncoder().encode('[{"n":"weird","v":1}]')).decodeError,
    ).toMatch(/SENML_BAD_PATH/);
  });

  it('never throws on random JSON, random CBOR or truncated packs', () => {
    const pack = encodeSenmlCbor([{ name: '/3/0/0', value: { kind: 'string', v: 'Acme' } }]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.json(), fc.nat(100), (bytes, json, cut) => {
        expect(typeof parseSenmlCbor(bytes).ok).toBe('boolean');
        expect(typeof parseSenmlJson(bytes).ok).toBe('boolean');
        expect(typeof parseSenmlJson(new TextEncoder().encode(json)).ok).toBe('boolean');
        expect(parseSenmlCbor(pack.subarray(0, cut % pack.length)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CBOR', () => {
  it('decodes what it encodes and refuses huge declared lengths without allocating', () => {
    const value = [1, -2, 'x', true, null, 1.5, new Uint8Array([1, 2]), new Map([[0, 'a']])];
    expect(decodeCbor(encodeCbor(value))).toEqual({ ok: true, value });
    expect(decodeCbor(hex('9b 00 00 00 ff ff ff ff ff'))).toMatchObject({ ok: false });
    expect(decodeCbor(hex('5a ff ff ff ff'))).toMatchObject({ ok: false });
  });

  it('refuses deep nesting instead of overflowing the stack', () => {
    expect(decodeCbor(new Uint8Array(100_000).fill(0x81))).toMatchObject({
      ok: false,
      error: { code: 'CBOR_INVALID' },
    });
  });
});

describe('link format', () => {
  it('parses a registration body with an alternate root path and attributes', () => {
    const r = parseLinkFormat('</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/1/0>,</lwm2m/3/0>;ver=1.1,</lwm2m/19>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]).toEqual({ uri: '/lwm2m', attributes: { rt: 'oma.lwm2m', ct: '11543' } });
    expect(registeredObjects(r.value)).toEqual({
      rootPath: '/lwm2m',
      objects: [{ objectId: 1, instanceId: 0 }, { objectId: 3, instanceId: 0 }, { objectId: 19 }],
    });
  });

  it('keeps commas and semicolons inside quoted values and round-trips', () => {
    const text = '</3/0/1>;title="a,b;c";pmin=10,</3/0/2>;obs';
    const r = parseLinkFormat(text);
    expect(r.ok && r.value).toEqual([
      { uri: '/3/0/1', attributes: { title: 'a,b;c', pmin: '10' } },
      { uri: '/3/0/2', attributes: { obs: '' } },
    ]);
    if (r.ok) expect(parseLinkFormat(formatLinkFormat(r.value))).toEqual(r);
  });

  it('reports where a broken body goes wrong', () => {
    const broken = parseLinkFormat('</1/0>,/3/0');
    expect(!broken.ok && broken.error.message).toContain('character 7');
    expect(parseLinkFormat('</1/0')).toMatchObject({ ok: false, error: { code: 'LINK_UNTERMINATED' } });
    expect(parseLinkFormat('</1/0>;t="x')).toMatchObject({ ok: false, error: { code: 'LINK_UNTERMINATED' } });
    expect(parseLinkFormat('')).toEqual({ ok: true, value: [] });
  });

  it('never throws or hangs on random text or truncated bodies', () => {
    const body = '</1/0>,</3/0>;ver="1.1",</19/0>,</19/1>;rt="x"';
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(60), (text, cut) => {
        expect(typeof parseLinkFormat(text).ok).toBe('boolean');
        expect(typeof parseLinkFormat(body.slice(0, cut)).ok).toBe('boolean');
        expect(typeof parseLinkFormat(text.replace(/[a-z]/g, '<')).ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('payload codec', () => {
  it('decodes text and opaque single resources by their type', () => {
    expect(decodePayload(defs, '/3/0/9', CF.text, new TextEncoder().encode('87')).values).toEqual([
      { path: '/3/0/9', value: 87, type: 'integer', name: 'Battery Level', units: '%' },
    ]);
    expect(decodePayload(defs, '/19/0/0', CF.opaque, hex('0102')).values?.[0]).toMatchObject({
      value: '0102',
      type: 'opaque',
    });
    expect(decodePayload(defs, '/3/0/9', CF.text, new TextEncoder().encode('eighty')).decodeError).toMatch(
      /TEXT_NOT_NUMBER/,
    );
    expect(decodePayload(defs, '/3/0', 9999, hex('00')).decodeError).toMatch(/9999/);
  });

  it('chooses text for one plain resource, opaque for bytes and TLV for several', () => {
    expect(encodeWrite(defs, '/3/0/14', [{ path: '/3/0/14', value: '+08:00' }], undefined)).toMatchObject({
      ok: true,
      value: { contentFormat: CF.text },
    });
    expect(encodeWrite(defs, '/19/1/0', [{ path: '/19/1/0', value: 'a1b2' }], undefined)).toMatchObject({
      ok: true,
      value: { contentFormat: CF.opaque },
    });
    const tlv = encodeWrite(
      defs,
      '/1/0',
      [
        { path: '/1/0/1', value: 300 },
        { path: '/1/0/6', value: true },
      ],
      undefined,
    );
    expect(tlv.ok && tlv.value.contentFormat).toBe(CF.tlv);
    if (tlv.ok)
      expect(decodePayload(defs, '/1/0', CF.tlv, tlv.value.payload).values?.map((v) => v.value)).toEqual([300, true]);
  });

  it('refuses values that do not fit the resource type or path', () => {
    expect(encodeWrite(defs, '/1/0', [{ path: '/1/0/1', value: 'soon' }], 'tlv')).toMatchObject({
      ok: false,
      error: { code: 'VALUE_NOT_INTEGER' },
    });
    expect(encodeWrite(defs, '/1/0', [{ path: '/3/0/1', value: 1 }], 'tlv')).toMatchObject({
      ok: false,
      error: { code: 'WRITE_BAD_PATH' },
    });
  });
});

describe('resource value encoder', () => {
  it('encodes a whole object as instances of resources in TLV, and what the server decodes is what went in', () => {
    const values: TypedResourceValue[] = [
      { ids: [3, 0, 0], type: 'string', value: 'Acme' },
      { ids: [3, 0, 6, 0], type: 'integer', value: 1 },
      { ids: [3, 0, 6, 1], type: 'integer', value: 5 },
      { ids: [3, 1, 9], type: 'integer', value: 87 },
    ];
    const tlv = encodeResourceValues('/3', values, 'tlv');
    if (!tlv.ok) throw new Error(tlv.error.message);
    const tree = parseTlv(tlv.value.payload);
    expect(tree.ok && tree.value.map((e) => [e.kind, e.id, e.children?.map((c) => [c.kind, c.id])])).toEqual([
      [
        'instance',
        0,
        [
          ['resource', 0],
          ['multipleResource', 6],
        ],
      ],
      ['instance', 1, [['resource', 9]]],
    ]);
    expect(decodePayload(defs, '/3', CF.tlv, tlv.value.payload).values?.map((v) => [v.path, v.value])).toEqual([
      ['/3/0/0', 'Acme'],
      ['/3/0/6/0', 1],
      ['/3/0/6/1', 5],
      ['/3/1/9', 87],
    ]);
  });

  it('takes opaque values as bytes or as hex, and refuses raw bytes for typed resources and text', () => {
    const bytes = Uint8Array.of(0xff, 0xfe, 0x01);
    for (const value of [bytes, 'fffe01']) {
      const body = encodeResourceValues('/19/0/0', [{ ids: [19, 0, 0], type: 'opaque', value }], undefined);
      expect(body.ok && [body.value.contentFormat, Buffer.from(body.value.payload).toString('hex')]).toEqual([
        CF.opaque,
        'fffe01',
      ]);
    }
    expect(encodeResourceValues('/3/0/9', [{ ids: [3, 0, 9], type: 'integer', value: bytes }], 'tlv')).toMatchObject({
      ok: false,
      error: { code: 'VALUE_NOT_SCALAR' },
    });
    expect(encodeResourceValues('/19/0/0', [{ ids: [19, 0, 0], type: 'opaque', value: bytes }], 'text')).toMatchObject({
      ok: false,
      error: { code: 'TEXT_NOT_OPAQUE' },
    });
    expect(encodeResourceValues('/3/0', [{ ids: [5, 0, 1], type: 'string', value: 'x' }], 'tlv')).toMatchObject({
      ok: false,
      error: { code: 'WRITE_BAD_PATH' },
    });
    // A TLV identifier has 16 bits; 65536 must not come out as 0.
    expect(encodeResourceValues('/3/0', [{ ids: [3, 0, 65_536], type: 'string', value: 'x' }], 'tlv')).toMatchObject({
      ok: false,
      error: { code: 'WRITE_BAD_PATH' },
    });
  });

  const typedValue = fc.oneof(
    fc.record({ type: fc.constant('string' as const), value: fc.string({ maxLength: 40 }) }),
    fc.record({ type: fc.constant('integer' as const), value: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) }),
    fc.record({ type: fc.constant('float' as const), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
    fc.record({ type: fc.constant('boolean' as const), value: fc.boolean() }),
    fc.record({ type: fc.constant('opaque' as const), value: fc.uint8Array({ maxLength: 300 }) }),
  );
  const instanceValues = fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 65_535 }), typedValue), {
      minLength: 1,
      maxLength: 12,
      selector: ([id]) => id,
    })
    .map((list) => list.map(([r, v]): TypedResourceValue => ({ ids: [30_000, 2, r], ...v })));
  // SenML JSON has no -0, so 0 and -0 count as the same number.
  const same = (t: TypedResourceValue, back: unknown) =>
    t.value instanceof Uint8Array ? Buffer.from(t.value).toString('hex') === back : t.value === back;

  it('round-trips random resources through TLV and SenML JSON/CBOR', () => {
    fc.assert(
      fc.property(instanceValues, (values) => {
        const tlv = encodeResourceValues('/30000/2', values, 'tlv');
        if (!tlv.ok) throw new Error(tlv.error.message);
        const entries = parseTlv(tlv.value.payload);
        if (!entries.ok) throw new Error(entries.error.message);
        expect(entries.value.map((e) => e.id)).toEqual(values.map((v) => v.ids[2]));
        entries.value.forEach((e, k) => {
          const back = valueFromBytes(values[k]!.type, e.value);
          expect(back.ok && same(values[k]!, back.value)).toBe(true);
        });
        for (const [format, parse] of [
          ['senml-json', parseSenmlJson],
          ['senml-cbor', parseSenmlCbor],
        ] as const) {
          const body = encodeResourceValues('/30000/2', values, format);
          if (!body.ok) throw new Error(body.error.message);
          const records = parse(body.value.payload);
          if (!records.ok) throw new Error(records.error.message);
          expect(records.value.map((r) => r.name)).toEqual(values.map((v) => `/${v.ids.join('/')}`));
          records.value.forEach((r, k) => {
            const v = r.value;
            const back = v.kind === 'opaque' ? Buffer.from(v.v).toString('hex') : 'v' in v ? v.v : undefined;
            expect(same(values[k]!, back)).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on values of the wrong type or paths outside the target', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ids: fc.array(fc.nat(70_000), { maxLength: 6 }),
            type: fc.constantFrom('string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk'),
            value: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.uint8Array({ maxLength: 8 })),
          }),
          { maxLength: 6 },
        ),
        fc.constantFrom('/3', '/3/0', '/3/0/1', '/3/0/1/2'),
        fc.constantFrom(undefined, 'text', 'opaque', 'tlv', 'senml-json', 'senml-cbor', 'link'),
        (values, path, format) => {
          const r = encodeResourceValues(path, values, format);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
