import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../core/clock.js';
import type { DecodeResult } from '../../../../core/contract/codecs.js';
import { isCodecPayload, type CodecResolver, type CodecTarget } from '../../../../core/traffic/codec-layer.js';
import { loadLwm2mDefinitions } from '../../../../core/protocols/lwm2m/lwm2m-definitions.js';
import { TrafficCapture } from '../../../../core/traffic/traffic-capture.js';
import { coapFrame, mqttFrame } from '../../../support/traffic-frames.js';

const binaryTopic = (id: string) => `/huawei/v1/devices/${id}/data/binary`;

/** A codec stand-in: first byte 0x01 is a temperature report (second byte °C), anything else fails. */
function fakeResolver(devices: Record<string, CodecTarget>) {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const resolver: CodecResolver = {
    target: (deviceId) => devices[deviceId],
    async decode(_productId, bytes, topic): Promise<DecodeResult> {
      calls.push(`${Buffer.from(bytes).toString('hex')}@${topic}`);
      if (hold) await new Promise<void>((r) => (release = r));
      const raw = Buffer.from(bytes).toString('hex').toUpperCase();
      if (bytes[0] === 0xfe) throw new Error('the worker died');
      if (bytes[0] !== 0x01) return { ok: false, error: { code: 'UNKNOWN_MESSAGE', message: `id ${bytes[0]}` }, raw };
      return {
        ok: true,
        message: { kind: 'data', services: [{ serviceId: 'Env', properties: { temperature: bytes[1] ?? 0 } }] },
        issues: [],
        raw,
      };
    },
  };
  return {
    resolver,
    calls,
    holdDecodes: () => (hold = true),
    releaseDecode: () => {
      hold = false;
      release?.();
    },
  };
}

function setup(capacity?: number) {
  const bus = createEventBus((_t, e) => {
    throw e;
  });
  const clock = createManualClock();
  const capture = new TrafficCapture({ bus, clock, dataDir: '/nonexistent', lwm2m: loadLwm2mDefinitions(), capacity });
  // A live view is open: frames sent to it get their codec decode ahead of a request.
  bus.subscribe('traffic', () => undefined);
  capture.start();
  const target = { productId: 'p-1', version: 1 };
  const fake = fakeResolver({ 'dev-1': target });
  capture.setCodecResolver(fake.resolver);
  const publish = (payloadHex: string, init: { deviceId?: string; topic?: string; direction?: 'in' | 'out' } = {}) =>
    bus.publish(
      'frame',
      mqttFrame(
        {
          cmd: 'publish',
          topic: init.topic ?? binaryTopic('dev-1'),
          payload: Buffer.from(payloadHex, 'hex'),
          qos: 0,
          retain: false,
          dup: false,
        },
        { deviceId: init.deviceId ?? 'dev-1', direction: init.direction ?? 'in' },
      ),
    );
  /** Lets the flush timer run and the decodes it started settle. */
  const settle = async () => {
    clock.advance(100);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { bus, clock, capture, target, publish, settle, ...fake };
}

describe('codec layer of captured frames', () => {
  it('decodes frames sent to the live view after capture, once per codec version and payload', async () => {
    const { capture, publish, settle, calls, target } = setup();
    publish('0115');
    publish('0115');
    publish('0116');
    expect(calls).toEqual([]);
    await settle();
    expect(calls).toEqual([`0115@${binaryTopic('dev-1')}`, `0116@${binaryTopic('dev-1')}`]);
    const [first, second] = capture.list({ limit: 10 }).frames;
    expect(capture.detail(first!.seq)!.codec).toMatchObject({ status: 'decoded', version: 1, payloadHex: '0115' });
    expect(capture.detail(second!.seq)!.decoded).toEqual({
      kind: 'data',
      services: [{ serviceId: 'Env', properties: { temperature: 0x15 } }],
    });

    target.version = 2;
    publish('0115');
    await settle();
    expect(calls).toHaveLength(3);
  });

  it('lays the decode out as a tree with property names and the payload bytes', async () => {
    const { capture, publish, settle } = setup();
    publish('0117');
    await settle();
    const detail = capture.detail(capture.list({ limit: 1 }).frames[0]!.seq)!;
    const layer = detail.layers.at(-1)!;
    expect(layer).toMatchObject({ id: 'codec', title: 'Codec decode (v1)' });
    const service = layer.fields.find((f) => f.label === 'Env')!;
    const temperature = service.children![0]!;
    expect(temperature).toMatchObject({ key: 'decoded.temperature', label: 'temperature', value: '23' });
    const bytes = Buffer.from(detail.bytesBase64, 'base64');
    expect(bytes.subarray(temperature.offset, temperature.offset! + temperature.length!).toString('hex')).toBe('0117');
  });

  it('filters on decoded properties, decoding frames nobody looked at yet', async () => {
    const { capture, publish } = setup();
    for (let t = 10; t < 40; t++) publish(`01${t.toString(16).padStart(2, '0')}`);
    const warm = await capture.listDecoded({
      limit: 100,
      filter: TrafficCapture.parseFilter('decoded.temperature >= 35'),
    });
    expect(warm.frames).toHaveLength(5);
    const byService = await capture.listDecoded({
      limit: 100,
      filter: TrafficCapture.parseFilter('decoded.Env.temperature == 10 || decoded.serviceId == "Other"'),
    });
    expect(byService.frames).toHaveLength(1);
  });

  it('shows a decode error, also when the codec throws, and filters on it', async () => {
    const { capture, publish } = setup();
    publish('0203');
    publish('fe00');
    const seqs = capture.list({ limit: 10 }).frames.map((f) => f.seq);
    const refused = (await capture.decodedDetail(seqs[0]!))!;
    expect(refused.codec).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_MESSAGE' } });
    expect(refused.layers.at(-1)!.error).toBe('UNKNOWN_MESSAGE: id 2');
    const thrown = (await capture.decodedDetail(seqs[1]!))!;
    expect(thrown.codec).toMatchObject({
      status: 'error',
      error: { code: 'CODEC_FAILED', message: 'the worker died' },
    });
    const errors = await capture.listDecoded({ limit: 10, filter: TrafficCapture.parseFilter('decoded.error') });
    expect(errors.frames).toHaveLength(2);
  });

  it('decodes only uplinks of known devices on codec topics', async () => {
    const { capture, publish, settle, calls } = setup();
    publish('0101', { topic: '/huawei/v1/devices/dev-1/data/json' });
    publish('0101', { direction: 'out' });
    publish('0101', { deviceId: 'stranger' });
    await settle();
    expect(calls).toEqual([]);
    for (const f of capture.list({ limit: 10 }).frames) {
      const d = (await capture.decodedDetail(f.seq))!;
      expect(d.codec).toBeUndefined();
      expect(d.layers.some((l) => l.id === 'codec')).toBe(false);
    }
  });

  it('answers "pending" while the codec is busy, and keeps nothing for a frame that left the ring', async () => {
    const { capture, publish, settle, holdDecodes, releaseDecode, clock } = setup(100);
    holdDecodes();
    publish('0120');
    const seq = capture.list({ limit: 1 }).frames[0]!.seq;
    const waiting = capture.decodedDetail(seq);
    clock.advance(2000);
    expect((await waiting)!.codec).toMatchObject({ status: 'pending', payloadHex: '0120' });
    for (let i = 0; i < 150; i++) publish('0220', { topic: 't/other' });
    releaseDecode();
    await settle();
    expect(capture.detail(seq)).toBeUndefined();
    expect(capture.stats().oldestSeq).toBeGreaterThan(seq);
  });

  it('classifies codec payloads: legacy binary MQTT topic and LwM2M object 19 uplinks', () => {
    const ref = { offset: 0, length: 2 };
    expect(isCodecPayload({ ...ref, protocol: 'mqtt', topic: '/huawei/v1/devices/d/data/binary' }, 'in')).toBe(true);
    expect(isCodecPayload({ ...ref, protocol: 'mqtt', topic: '/huawei/v1/devices/d/data/json' }, 'in')).toBe(false);
    expect(isCodecPayload({ ...ref, protocol: 'mqtt', topic: '/huawei/v1/devices/d/data/binary' }, 'out')).toBe(false);
    expect(isCodecPayload({ ...ref, protocol: 'coap', path: '/19/0/0' }, 'in')).toBe(true);
    expect(isCodecPayload({ ...ref, protocol: 'coap', path: '/3/0/0' }, 'in')).toBe(false);
    expect(isCodecPayload({ ...ref, protocol: 'raw' }, 'in')).toBe(false);
    expect(isCodecPayload({ offset: 0, length: 0, protocol: 'coap', path: '/19/0/0' }, 'in')).toBe(false);
  });

  it('decodes a CoAP notification on /19/0/0 with the codec', async () => {
    const { bus, capture, settle, calls } = setup();
    bus.publish(
      'frame',
      coapFrame(
        {
          code: '2.05',
          messageId: 7,
          token: Buffer.from('a1', 'hex'),
          options: [],
          payload: Buffer.from('0119', 'hex'),
        },
        { direction: 'in', deviceId: 'dev-1' },
      ),
    );
    // A notification gets its path from the observe request the core sent with the same token.
    await settle();
    expect(calls).toEqual([]);
    bus.publish(
      'frame',
      coapFrame(
        {
          code: '0.01',
          messageId: 6,
          token: Buffer.from('b2', 'hex'),
          options: [
            { name: 'Observe', value: Buffer.alloc(0) },
            { name: 'Uri-Path', value: Buffer.from('19') },
            { name: 'Uri-Path', value: Buffer.from('0') },
            { name: 'Uri-Path', value: Buffer.from('0') },
          ],
        },
        { direction: 'out', deviceId: 'dev-1' },
      ),
    );
    bus.publish(
      'frame',
      coapFrame(
        {
          code: '2.05',
          messageId: 6,
          token: Buffer.from('b2', 'hex'),
          options: [],
          payload: Buffer.from('0119', 'hex'),
        },
        { direction: 'in', deviceId: 'dev-1' },
      ),
    );
    await settle();
    expect(calls).toEqual(['0119@']);
    const seq = capture.list({ limit: 1 }).frames[0]!.seq;
    expect(capture.detail(seq)!.codec).toMatchObject({ status: 'decoded', payloadHex: '0119' });
  });

  it('never throws on garbage payloads from a known device', async () => {
    const { capture, publish } = setup(500);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        publish(Buffer.from(bytes).toString('hex'));
        const seq = capture.list({ limit: 1 }).frames[0]!.seq;
        const detail = await capture.decodedDetail(seq);
        expect(detail).toBeDefined();
        if (bytes.length) expect(detail!.codec?.status).toMatch(/decoded|error/);
      }),
      { numRuns: 200 },
    );
  });
});
