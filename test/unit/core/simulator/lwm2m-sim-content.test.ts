// The simulated device's content formats and frames: TLV/SenML/text reads, writes, garbage, layout uplinks.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCodecSamplesDir } from '../../../../core/codecs/codec-samples.js';
import { parseLayoutSource } from '../../../../core/codecs/codec-service.js';
import { decodeWithLayout } from '../../../../core/codecs/layout-codec.js';
import { decodePayload, encodeSenmlJson, parseSenmlCbor, parseTlv } from '../../../../core/protocols/lwm2m/index.js';
import { lwm2mContentFormats } from '../../../../core/contract/lwm2m.js';
import { loadLwm2mDefinitions } from '../../../../core/protocols/lwm2m/lwm2m-definitions.js';
import {
  CONTENT_FORMAT,
  decodeWrite,
  discoverLinks,
  encodeRead,
} from '../../../../core/simulator/lwm2m/sim-content.js';
import { createDeviceObjects, parsePath } from '../../../../core/simulator/lwm2m/sim-objects.js';
import { encodeDataWithLayout, generatedFrame } from '../../../../core/simulator/lwm2m/uplink-frames.js';

const objects = () =>
  createDeviceObjects(
    {
      nodeId: '863703030000001',
      manufacturer: 'Acme Meters',
      model: 'WM-NB1',
      deviceType: 'WaterMeter',
      firmwareVersion: 'V1.0.0',
      softwareVersion: 'SW1.0.0',
      lifetimeS: 86400,
      radio: { rsrpDbm: -95, sinrDb: 8, cellId: 95271489 },
    },
    {
      now: () => Date.UTC(2026, 0, 1),
      reboot: () => undefined,
      factoryReset: () => undefined,
      firmwareUpdate: () => undefined,
    },
  );

const path = (p: string) => parsePath(p)!;

describe('reads', () => {
  it('answers a single resource as text and an instance as TLV by default', () => {
    const store = objects();
    const text = encodeRead(store, path('/3/0/0'), undefined);
    expect(text).toMatchObject({ ok: true, format: CONTENT_FORMAT.text });
    expect(text.ok && text.payload.toString()).toBe('Acme Meters');
    const tlv = encodeRead(store, path('/3/0'), undefined);
    expect(tlv.ok && tlv.format).toBe(CONTENT_FORMAT.tlv);
    const parsedTlv = tlv.ok ? parseTlv(tlv.payload) : undefined;
    const entries = parsedTlv?.ok ? parsedTlv.value : [];
    const manufacturer = entries.find((e) => e.id === 0);
    expect(Buffer.from(manufacturer?.value ?? []).toString()).toBe('Acme Meters');
    // Multiple-instance resources (Available Power Sources) are nested; executables are left out.
    expect(entries.find((e) => e.id === 6)?.kind).toBe('multipleResource');
    expect(entries.find((e) => e.id === 4)).toBeUndefined();
  });

  it('answers SenML JSON with one record per resource instance', () => {
    const read = encodeRead(objects(), path('/3/0'), CONTENT_FORMAT.senmlJson);
    const records = read.ok ? (JSON.parse(read.payload.toString()) as { n: string; vs?: string; v?: number }[]) : [];
    expect(records).toContainEqual({ n: '/3/0/0', vs: 'Acme Meters' });
    expect(records).toContainEqual({ n: '/3/0/9', v: 87 });
    expect(records).toContainEqual({ n: '/3/0/6/0', v: 1 });
  });

  it('answers in the encodings the server decodes: its values come back the same in TLV, SenML JSON and CBOR', () => {
    const defs = loadLwm2mDefinitions();
    for (const format of [CONTENT_FORMAT.tlv, CONTENT_FORMAT.senmlJson, CONTENT_FORMAT.senmlCbor]) {
      const read = encodeRead(objects(), path('/3'), format);
      if (!read.ok) throw new Error(read.code);
      const { values, decodeError } = decodePayload(defs, '/3', format, read.payload);
      expect(decodeError).toBeUndefined();
      expect(values).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: '/3/0/0', value: 'Acme Meters', name: 'Manufacturer' }),
          expect.objectContaining({ path: '/3/0/9', value: 87 }),
          expect.objectContaining({ path: '/3/0/6/0', value: 1 }),
          expect.objectContaining({ path: '/3/0/13', value: Date.UTC(2026, 0, 1) / 1000 }),
        ]),
      );
    }
    const cbor = encodeRead(objects(), path('/3/0/0'), CONTENT_FORMAT.senmlCbor);
    const records = cbor.ok ? parseSenmlCbor(cbor.payload) : undefined;
    expect(records?.ok && records.value).toEqual([{ name: '/3/0/0', value: { kind: 'string', v: 'Acme Meters' } }]);
    expect(lwm2mContentFormats['senml-cbor']).toBe(CONTENT_FORMAT.senmlCbor);
  });

  it('refuses reads of executables, unknown paths and formats that do not fit', () => {
    const store = objects();
    expect(encodeRead(store, path('/3/0/4'), undefined)).toEqual({ ok: false, code: '4.05' });
    expect(encodeRead(store, path('/42'), undefined)).toEqual({ ok: false, code: '4.04' });
    expect(encodeRead(store, path('/3/0'), CONTENT_FORMAT.text)).toEqual({ ok: false, code: '4.06' });
    expect(encodeRead(store, path('/3/0/0'), 9999)).toEqual({ ok: false, code: '4.06' });
  });

  it('lists objects, instances and resources for a discover', () => {
    expect(discoverLinks(objects(), path('/5'))).toMatch(/^<\/5>,<\/5\/0>,<\/5\/0\/0>,<\/5\/0\/1>/);
    expect(discoverLinks(objects(), path('/3/0'))).toContain('</3/0/6>;dim=1');
  });
});

describe('writes', () => {
  it('decodes text, opaque and TLV writes into typed values', () => {
    const store = objects();
    const text = decodeWrite(
      store,
      { objectId: 1, instanceId: 0, resourceId: 1 },
      CONTENT_FORMAT.text,
      Buffer.from('300'),
    );
    expect(text.ok && text.values.get(1)).toBe(300);
    const opaque = decodeWrite(
      store,
      { objectId: 19, instanceId: 1, resourceId: 0 },
      CONTENT_FORMAT.opaque,
      Buffer.from([1, 2]),
    );
    expect(opaque.ok && opaque.values.get(0)).toEqual(new Uint8Array([1, 2]));
    // TLV: resource 1 (Lifetime) = 0x012C (300) as a 2-byte integer.
    const tlv = decodeWrite(
      store,
      { objectId: 1, instanceId: 0 },
      CONTENT_FORMAT.tlv,
      Buffer.from([0xc2, 0x01, 0x01, 0x2c]),
    );
    expect(tlv.ok && tlv.values.get(1)).toBe(300);
  });

  it('takes a SenML write of several resources of an instance, and refuses a record outside it', () => {
    const store = objects();
    const pack = (records: Parameters<typeof encodeSenmlJson>[0]) => Buffer.from(encodeSenmlJson(records));
    const written = decodeWrite(
      store,
      { objectId: 1, instanceId: 0 },
      CONTENT_FORMAT.senmlJson,
      pack([
        { name: '/1/0/1', value: { kind: 'number', v: 600 } },
        { name: '/1/0/6', value: { kind: 'boolean', v: false } },
        { name: '/1/0/7', value: { kind: 'string', v: 'U' } },
      ]),
    );
    expect(written.ok && [...written.values]).toEqual([
      [1, 600],
      [6, false],
      [7, 'U'],
    ]);
    const outside = decodeWrite(
      store,
      { objectId: 1, instanceId: 0 },
      CONTENT_FORMAT.senmlJson,
      pack([{ name: '/3/0/14', value: { kind: 'string', v: '+01:00' } }]),
    );
    expect(outside).toEqual({ ok: false, code: '4.00' });
  });

  it('returns errors, never throws, on garbage and truncated TLV and SenML', () => {
    const store = objects();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(
          CONTENT_FORMAT.tlv,
          CONTENT_FORMAT.senmlJson,
          CONTENT_FORMAT.senmlCbor,
          CONTENT_FORMAT.text,
          42,
        ),
        (bytes, format) => {
          const buffer = Buffer.from(bytes);
          const out = decodeWrite(store, { objectId: 3, instanceId: 0, resourceId: 14 }, format, buffer);
          expect(typeof out.ok).toBe('boolean');
          const whole = decodeWrite(store, { objectId: 1, instanceId: 0 }, format, buffer);
          expect(typeof whole.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
    const truncated = decodeWrite(store, { objectId: 1, instanceId: 0 }, CONTENT_FORMAT.tlv, Buffer.from([0xc8, 0x01]));
    expect(truncated).toEqual({ ok: false, code: '4.00' });
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', '/a/b', '/1/2/3/4/5', '/99999999', '/3/-1']) expect(parsePath(bad)).toBeUndefined();
  });
});

describe('uplink frames from the water meter layout', () => {
  const source = readFileSync(join(defaultCodecSamplesDir(), 'water-meter', 'layout.json'), 'utf8');
  const parsed = parseLayoutSource(source);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const layout = parsed.layout;

  it('encodes a basic report that the codec decodes back to the same reading', () => {
    const frame = encodeDataWithLayout(layout, 'WaterMeterBasic', {
      currentReading: 1234.5,
      dailyActivityTime: 3600,
      temperature: 21.5,
      flow: 1.25,
    });
    expect(frame.ok).toBe(true);
    const decoded = frame.ok ? decodeWithLayout(layout, frame.value) : undefined;
    expect(decoded?.ok && decoded.value).toMatchObject({
      kind: 'data',
      services: [{ serviceId: 'WaterMeterBasic', properties: { currentReading: 1234.5, temperature: 21.5 } }],
    });
  });

  it('generates frames for every data message that all decode, readings growing', () => {
    const readings: number[] = [];
    for (let seq = 0; seq < 12; seq++) {
      const frame = generatedFrame(layout, seq, 3);
      expect(frame.ok).toBe(true);
      const decoded = frame.ok ? decodeWithLayout(layout, frame.value) : undefined;
      expect(decoded?.ok).toBe(true);
      if (decoded?.ok && decoded.value.kind === 'data') {
        const p = decoded.value.services[0]!.properties;
        if (typeof p.currentReading === 'number') readings.push(p.currentReading);
      }
    }
    expect(readings.length).toBeGreaterThan(1);
    expect([...readings].sort((a, b) => a - b)).toEqual(readings);
  });

  it('says which value is missing', () => {
    const frame = encodeDataWithLayout(layout, 'WaterMeterBasic', { currentReading: 1 });
    expect(frame).toMatchObject({ ok: false, error: { code: 'LAYOUT_MISSING_VALUE' } });
  });
});
