import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createPacketSplitter } from '../../../../../core/protocols/mqtt/packet-splitter.js';

const publish = (n: number) =>
  generate({
    cmd: 'publish',
    topic: 't/x',
    payload: Buffer.alloc(n, 1),
    qos: 1,
    messageId: 1,
    dup: false,
    retain: false,
  });

describe('MQTT packet splitter', () => {
  it('yields whole packets whatever the chunking', () => {
    const stream = Buffer.concat([publish(3), publish(200), publish(20_000), generate({ cmd: 'pingreq' })]);
    for (const size of [1, 2, 7, 128, stream.length]) {
      const splitter = createPacketSplitter(1 << 20);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...splitter.push(stream.subarray(i, i + size)).packets);
      expect(out.map((p) => p.length)).toEqual([publish(3).length, publish(200).length, publish(20_000).length, 2]);
    }
  });

  it('refuses a packet above the limit as soon as its header arrives', () => {
    const splitter = createPacketSplitter(1000);
    const r = splitter.push(publish(2000).subarray(0, 5));
    expect(r.error?.code).toBe('MQTT_PACKET_TOO_LARGE');
  });

  it('returns errors on garbage and truncated input, never throws or hangs', () => {
    for (let i = 0; i < 3000; i++) {
      const splitter = createPacketSplitter(64 * 1024);
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(Math.random() * 64) }, () => Math.floor(Math.random() * 256)),
      );
      expect(() => splitter.push(bytes)).not.toThrow();
      expect(() => splitter.push(publish(10).subarray(0, Math.floor(Math.random() * 10)))).not.toThrow();
    }
    expect(createPacketSplitter(1 << 20).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])).error?.code).toBe(
      'MQTT_BAD_LENGTH',
    );
  });
});
