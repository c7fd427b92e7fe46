// Write values to resources no definition describes: the type comes from the value (42 is the integer 42, not
// the opaque byte 0x42); a value given with a type or to a known resource keeps that type.
import { describe, expect, it } from 'vitest';
import { lwm2mContentFormats as CF } from '../../../../../core/contract/lwm2m.js';
import { loadLwm2mDefinitions } from '../../../../../core/protocols/lwm2m/lwm2m-definitions.js';
import { decodePayload, encodeWrite } from '../../../../../core/protocols/lwm2m/payload-codec.js';
import { parseTlv } from '../../../../../core/protocols/lwm2m/tlv.js';

const defs = loadLwm2mDefinitions();
const text = (r: ReturnType<typeof encodeWrite>) => (r.ok ? new TextDecoder().decode(r.value.payload) : r.error.code);

describe('write values to an unknown object', () => {
  it('sends a number written without a type to an unknown resource as the number, in text', () => {
    const r = encodeWrite(defs, '/30000/0/1', [{ path: '/30000/0/1', value: 42 }], undefined);
    expect(r).toMatchObject({ ok: true, value: { contentFormat: CF.text } });
    expect(text(r)).toBe('42');
  });

  it('gives integers, floats, booleans and strings their own TLV types', () => {
    const r = encodeWrite(
      defs,
      '/30000/0',
      [
        { path: '/30000/0/1', value: 42 },
        { path: '/30000/0/2', value: 1.5 },
        { path: '/30000/0/3', value: true },
        { path: '/30000/0/4', value: '42' },
      ],
      'tlv',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const entries = parseTlv(r.value.payload);
    expect(entries.ok && entries.value.map((e) => Buffer.from(e.value).toString('hex'))).toEqual([
      '2a',
      '3ff8000000000000',
      '01',
      Buffer.from('42').toString('hex'),
    ]);
  });

  it('writes SenML with numbers, booleans and strings as such', () => {
    const r = encodeWrite(
      defs,
      '/30000/0',
      [
        { path: '/30000/0/1', value: 42 },
        { path: '/30000/0/3', value: false },
      ],
      'senml-json',
    );
    expect(
      r.ok && decodePayload(defs, '/30000/0', CF['senml-json'], r.value.payload).values?.map((v) => v.value),
    ).toEqual([42, false]);
  });

  it('keeps the type given with the value, and the type of a known resource', () => {
    expect(text(encodeWrite(defs, '/30000/0/1', [{ path: '/30000/0/1', value: '42', type: 'opaque' }], 'opaque'))).toBe(
      'B',
    );
    const known = encodeWrite(defs, '/19/1/0', [{ path: '/19/1/0', value: 'a1b2' }], undefined);
    expect(known).toMatchObject({ ok: true, value: { contentFormat: CF.opaque } });
  });
});
