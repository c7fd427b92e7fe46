import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../core/clock.js';
import type { TrafficField, TrafficFrameDetail } from '../../../../core/contract/traffic.js';
import { loadLwm2mDefinitions } from '../../../../core/protocols/lwm2m/lwm2m-definitions.js';
import { TrafficCapture } from '../../../../core/traffic/traffic-capture.js';
import { coapFrame, mqttFrame, rawFrame, sampleSession } from '../../../support/traffic-frames.js';

function setup(capacity?: number) {
  const bus = createEventBus((_t, e) => {
    throw e;
  });
  const clock = createManualClock();
  const capture = new TrafficCapture({ bus, clock, dataDir: '/nonexistent', lwm2m: loadLwm2mDefinitions(), capacity });
  capture.start();
  return { bus, clock, capture };
}

const hexBuf = (h: string) => Buffer.from(h, 'hex');

function allFields(detail: TrafficFrameDetail): TrafficField[] {
  const out: TrafficField[] = [];
  const walk = (fs: TrafficField[]) => fs.forEach((f) => (out.push(f), walk(f.children ?? [])));
  detail.layers.forEach((l) => walk(l.fields));
  return out;
}

function fieldOf(detail: TrafficFrameDetail, key: string): TrafficField {
  const f = allFields(detail).find((x) => x.key === key);
  if (!f) throw new Error(`no field ${key} in ${JSON.stringify(detail.layers.map((l) => l.fields.map((x) => x.key)))}`);
  return f;
}

function bytesOf(detail: TrafficFrameDetail, f: TrafficField): Buffer {
  return Buffer.from(detail.bytesBase64, 'base64').subarray(f.offset, f.offset! + f.length!);
}

describe('traffic capture decoding', () => {
  it('decodes an MQTT session: client id, topics, QoS, codes, with byte ranges', () => {
    const { bus, capture } = setup();
    for (const e of sampleSession(hexBuf)) bus.publish('frame', e);
    const { frames } = capture.list({ limit: 100 });
    expect(frames.map((f) => f.protocol)).toEqual([
      'MQTT',
      'MQTT',
      'MQTT',
      'MQTT',
      'MQTT',
      'MQTT',
      'LwM2M',
      'LwM2M',
      'LwM2M',
      'LwM2M',
      'PCP',
      'PCP',
      'LwM2M',
      'CoAP',
    ]);
    expect(frames[0]!.summary).toBe('CONNECT client dev-1_0_0_2026010100');
    expect(frames[1]!.summary).toBe('CONNACK 0 (connection accepted)');
    expect(frames[3]!.summary).toBe('SUBACK id 1 [1]');
    expect(frames[4]!.summary).toBe('PUBLISH /huawei/v1/devices/dev-1/data/json QoS 1 id 2, 20 bytes');

    const publish = capture.detail(frames[4]!.seq)!;
    const topic = fieldOf(publish, 'mqtt.topic');
    expect(topic.value).toBe('/huawei/v1/devices/dev-1/data/json');
    // The range covers the length prefix and the topic text.
    expect(bytesOf(publish, topic).subarray(2).toString()).toBe(topic.value);
    expect(bytesOf(publish, fieldOf(publish, 'mqtt.msgid')).readUInt16BE(0)).toBe(2);
    expect(bytesOf(publish, fieldOf(publish, 'mqtt.msg')).toString()).toBe('{"temperature":21.5}');
    expect(
      bytesOf(fieldOfDetail(capture, frames[0]!.seq), fieldOf(fieldOfDetail(capture, frames[0]!.seq), 'mqtt.clientid'))
        .subarray(2)
        .toString(),
    ).toBe('dev-1_0_0_2026010100');
  });

  it('decodes CoAP options by name and gives LwM2M meaning with object names', () => {
    const { bus, capture } = setup();
    for (const e of sampleSession(hexBuf)) bus.publish('frame', e);
    const frames = capture.list({ limit: 100 }).frames;
    const register = capture.detail(frames[6]!.seq)!;
    expect(fieldOf(register, 'lwm2m.op').value).toBe('register');
    expect(fieldOf(register, 'lwm2m.ep').value).toBe('imei-8640');
    expect(fieldOf(register, 'coap.code').value).toBe('0.02');
    expect(bytesOf(register, fieldOf(register, 'coap.opt.uri-query')).subarray(1).toString()).toBe('ep=imei-8640');

    expect(frames[8]!.summary).toContain('LwM2M observe /19/0/0 (BinaryAppDataContainer / instance 0 / Data)');
    // The first notification answers the observe: its path comes from the request with the same token.
    const notify = capture.detail(frames[9]!.seq)!;
    expect(fieldOf(notify, 'lwm2m.op').value).toBe('notify');
    expect(fieldOf(notify, 'lwm2m.path').value).toBe('/19/0/0');
    expect(fieldOf(notify, 'coap.opt.content-format').value).toBe('42 (application/octet-stream)');
    expect(frames[12]!.summary).toContain('LwM2M execute /3/0/4 (Device / instance 0 / Reboot)');
    const block = capture.detail(frames[13]!.seq)!;
    expect(fieldOf(block, 'coap.opt.block1').value).toBe('14 (block 0, more, size 1024)');
  });

  it('decodes PCP carried in /19 with fields located inside the CoAP payload', () => {
    const { bus, capture } = setup();
    for (const e of sampleSession(hexBuf)) bus.publish('frame', e);
    const frames = capture.list({ limit: 100 }).frames;
    expect(frames[10]!.summary).toMatch(/^PCP 21 request shard \[request\]: V1.0, shard 0/);
    const d = capture.detail(frames[10]!.seq)!;
    expect(bytesOf(d, fieldOf(d, 'pcp.targetVersion')).toString('latin1').replace(/\0+$/, '')).toBe('V1.0');
    expect(bytesOf(d, fieldOf(d, 'pcp.start')).toString('hex')).toBe('fffe');
    expect(frames[11]!.summary).toMatch(/^PCP 23 execute upgrade \[request\]/);
  });

  it('says "not PCP because …" for a broken 0xFFFE payload and marks the frame', () => {
    const { bus, capture } = setup();
    bus.publish('frame', rawFrame(hexBuf('FFFE01131234' + '0000'), { protocol: 'pcp' }));
    const [frame] = capture.list({ limit: 10 }).frames;
    expect(frame!.error).toBe('not PCP because checksum 0x1234 does not match computed 0x4C9A');
    const d = capture.detail(frame!.seq)!;
    expect(d.layers.find((l) => l.id === 'pcp')?.error).toMatch(/^not PCP because/);
  });

  it('decodes MQTT 5 packets of a connection that said so in its CONNECT', () => {
    const { bus, capture } = setup();
    bus.publish(
      'frame',
      mqttFrame({ cmd: 'connect', clientId: 'v5', protocolVersion: 5 }, { protocolVersion: 5, connectionId: 'k5' }),
    );
    bus.publish(
      'frame',
      mqttFrame(
        {
          cmd: 'publish',
          topic: 't/5',
          payload: Buffer.from('hi'),
          qos: 0,
          retain: true,
          dup: false,
          properties: { contentType: 'text/plain' },
        },
        { protocolVersion: 5, connectionId: 'k5' },
      ),
    );
    const frames = capture.list({ limit: 10 }).frames;
    expect(frames[1]!.summary).toBe('PUBLISH t/5 QoS 0 retain, 2 bytes');
    expect(capture.detail(frames[1]!.seq)!.layers[1]!.title).toContain('MQTT 5');
  });

  it('keeps the newest frames in a full ring and counts the dropped ones', () => {
    const { bus, capture } = setup(100);
    for (let i = 0; i < 250; i++) bus.publish('frame', mqttFrame({ cmd: 'pingreq' }));
    expect(capture.stats()).toMatchObject({
      capacity: 100,
      stored: 100,
      captured: 250,
      dropped: 150,
      oldestSeq: 151,
      newestSeq: 250,
    });
    capture.setCapacity(200);
    expect(capture.stats().stored).toBe(100);
    capture.clear();
    expect(capture.stats()).toMatchObject({ stored: 0, captured: 0, dropped: 0 });
  });

  it('pages back and forward with cursors', () => {
    const { bus, capture } = setup();
    for (let i = 0; i < 25; i++) bus.publish('frame', mqttFrame({ cmd: 'pingreq' }));
    const page1 = capture.list({ limit: 10 });
    expect(page1.frames.map((f) => f.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    const page2 = capture.list({ limit: 10, before: page1.olderCursor });
    expect(page2.frames[0]!.seq).toBe(6);
    const page3 = capture.list({ limit: 10, before: page2.olderCursor });
    expect(page3.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page3.olderCursor).toBeUndefined();
    bus.publish('frame', mqttFrame({ cmd: 'pingresp' }, { direction: 'out' }));
    expect(capture.list({ limit: 10, after: page1.newerCursor }).frames.map((f) => f.summary)).toEqual(['PINGRESP']);
  });

  it('sends live summaries in batches through the bus, never more than the batch limit', () => {
    const { bus, clock, capture } = setup();
    const batches: { frames: unknown[]; notShown: number }[] = [];
    bus.subscribe('traffic', (e) => batches.push(e));
    for (let i = 0; i < 1500; i++) bus.publish('frame', mqttFrame({ cmd: 'pingreq' }));
    expect(batches).toHaveLength(0);
    clock.advance(60);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.frames).toHaveLength(150);
    expect(batches[0]!.notShown).toBe(1350);
    void capture;
  });

  it('builds no live summaries while nobody watches, and starts when a live view subscribes', () => {
    const { bus, clock, capture } = setup();
    const seen: string[] = [];
    const published = bus.publish.bind(bus);
    bus.publish = (topic, event) => {
      seen.push(topic);
      published(topic, event);
    };
    for (let i = 0; i < 10; i++) bus.publish('frame', mqttFrame({ cmd: 'pingreq' }));
    clock.advance(60);
    expect(seen).not.toContain('traffic');
    expect(capture.stats().stored).toBe(10);
    const batches: { frames: unknown[] }[] = [];
    const stop = bus.subscribeAll(
      (tagged) => tagged.topic === 'traffic' && batches.push(tagged.event),
      (topic) => topic === 'traffic',
    );
    bus.publish('frame', mqttFrame({ cmd: 'pingresp' }, { direction: 'out' }));
    clock.advance(60);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.frames).toHaveLength(1);
    stop();
  });

  it('marks malformed MQTT and CoAP without throwing', () => {
    const { bus, capture } = setup();
    bus.publish('frame', rawFrame(hexBuf('30ff'), { protocol: 'mqtt', transport: 'tcp' }));
    bus.publish('frame', rawFrame(hexBuf('41'), { protocol: 'coap' }));
    const frames = capture.list({ limit: 10 }).frames;
    expect(frames[0]!.error).toMatch(/malformed PUBLISH/);
    expect(frames[1]!.error).toMatch(/malformed CoAP/);
  });
});

function fieldOfDetail(capture: TrafficCapture, seq: number): TrafficFrameDetail {
  return capture.detail(seq)!;
}

describe('decoders on garbage', () => {
  it('never throw on random frames of any protocol', async () => {
    const fc = (await import('fast-check')).default;
    const { bus, capture } = setup(10_000);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('mqtt', 'coap', 'pcp', 'raw'),
        (bytes, protocol) => {
          bus.publish('frame', rawFrame(bytes, { protocol, transport: protocol === 'mqtt' ? 'tcp' : 'udp' }));
          const newest = capture.stats().newestSeq!;
          const d = capture.detail(newest);
          expect(d?.seq).toBe(newest);
        },
      ),
      { numRuns: 3000 },
    );
    // Truncations of real frames too.
    for (const e of sampleSession(hexBuf)) {
      const full = Buffer.from(e.bytesBase64, 'base64');
      for (let n = 0; n < full.length; n += 1 + Math.floor(full.length / 40)) {
        bus.publish('frame', { ...e, bytesBase64: full.subarray(0, n).toString('base64') });
        capture.detail(capture.stats().newestSeq!);
      }
    }
    expect(coapFrame).toBeTypeOf('function');
  });

  it('names a notification by its observe request even thousands of frames later', () => {
    const { bus, capture } = setup(10_000);
    const token = Buffer.from('a1b2c3d4', 'hex');
    bus.publish(
      'frame',
      coapFrame(
        {
          code: 'GET',
          confirmable: true,
          messageId: 1,
          token,
          options: [
            { name: 'Observe', value: Buffer.alloc(0) },
            { name: 'Uri-Path', value: Buffer.from('19') },
            { name: 'Uri-Path', value: Buffer.from('0') },
            { name: 'Uri-Path', value: Buffer.from('0') },
          ],
        },
        { direction: 'out' },
      ),
    );
    for (let i = 0; i < 3000; i++) {
      bus.publish(
        'frame',
        coapFrame(
          { code: '2.05', ack: true, messageId: 100 + i, token: Buffer.from([i & 0xff]) },
          { peer: `127.0.0.1:${20000 + (i % 500)}` },
        ),
      );
    }
    bus.publish(
      'frame',
      coapFrame({
        code: '2.05',
        confirmable: true,
        messageId: 9,
        token,
        options: [{ name: 'Observe', value: Buffer.from([5]) }],
        payload: Buffer.from([1, 2]),
      }),
    );
    const newest = capture.list({ limit: 1 }).frames[0]!;
    const detail = capture.detail(newest.seq)!;
    expect(fieldOf(detail, 'lwm2m.op').value).toBe('notify');
    expect(fieldOf(detail, 'lwm2m.path').value).toBe('/19/0/0');
  });
});
