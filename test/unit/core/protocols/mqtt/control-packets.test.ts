import { describe, expect, it } from 'vitest';
import { readPuback, readPublish } from '../../../../../core/protocols/mqtt/control-packets.js';

/** A PUBLISH as a broker writes it (fixed header, remaining length, topic, packet id for QoS > 0, payload). */
function publish(topic: string, payload: Buffer, qos: 0 | 1, packetId = 0): Buffer {
  const topicBytes = Buffer.from(topic);
  const variable = Buffer.concat([
    Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]),
    topicBytes,
    qos > 0 ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0),
    payload,
  ]);
  const length: number[] = [];
  let n = variable.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), ...length]), variable]);
}

describe('MQTT control packet fields', () => {
  it('reads topic, QoS, packet id and payload of a PUBLISH', () => {
    expect(readPublish(publish('$oc/devices/p_1/sys/messages/down', Buffer.from('hi'), 1, 0xbeef))).toEqual({
      qos: 1,
      topic: '$oc/devices/p_1/sys/messages/down',
      packetId: 0xbeef,
      payload: Buffer.from('hi'),
    });
    expect(readPublish(publish('a/b', Buffer.alloc(0), 0))).toEqual({ qos: 0, topic: 'a/b', payload: Buffer.alloc(0) });
  });

  it('reads a PUBLISH whose remaining length takes two bytes', () => {
    const big = Buffer.alloc(300, 0x41);
    expect(readPublish(publish('t', big, 1, 7))?.payload.equals(big)).toBe(true);
  });

  it('reads the packet id of a PUBACK and nothing else', () => {
    expect(readPuback(Buffer.from([0x40, 0x02, 0x12, 0x34]))).toBe(0x1234);
    expect(readPuback(Buffer.from([0x50, 0x02, 0x12, 0x34]))).toBeUndefined();
    expect(readPuback(publish('t', Buffer.from('x'), 1, 1))).toBeUndefined();
    expect(readPublish(Buffer.from([0x40, 0x02, 0x12, 0x34]))).toBeUndefined();
  });

  it('returns undefined for random and truncated input, never throws', () => {
    const good = publish('topic/x', Buffer.from('payload'), 1, 9);
    for (let i = 0; i < 3000; i++) {
      const random = Buffer.from(
        Array.from({ length: Math.floor(Math.random() * 40) }, () => Math.floor(Math.random() * 256)),
      );
      const cut = good.subarray(0, Math.floor(Math.random() * good.length));
      expect(() => readPublish(random)).not.toThrow();
      expect(() => readPuback(random)).not.toThrow();
      expect(readPublish(cut)).toBeUndefined();
      expect(readPuback(cut)).toBeUndefined();
    }
  });
});
