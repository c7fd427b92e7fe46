import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../../../../core/access/mqtt/delivery-tracker.js';

function publish(topic: string, payload: string, packetId?: number): Buffer {
  const t = Buffer.from(topic);
  const id = packetId === undefined ? Buffer.alloc(0) : Buffer.from([packetId >> 8, packetId & 0xff]);
  const variable = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, id, Buffer.from(payload)]);
  return Buffer.concat([Buffer.from([packetId === undefined ? 0x30 : 0x32, variable.length]), variable]);
}
const puback = (packetId: number) => Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]);

const state = async (p: Promise<boolean>) =>
  Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);

describe('downlink delivery tracking', () => {
  it('settles a downlink on the PUBACK of the packet id it went out with', async () => {
    const tracker = new DeliveryTracker();
    const delivered = tracker.expect('t/a', Buffer.from('one'));
    tracker.sent(publish('t/a', 'one', 41));
    tracker.received(puback(40));
    expect(await state(delivered)).toBe('pending');
    tracker.received(puback(41));
    expect(await delivered).toBe(true);
  });

  it('matches by topic and bytes, so other packets in between do not count', async () => {
    const tracker = new DeliveryTracker();
    const a = tracker.expect('t/a', Buffer.from('A'));
    const b = tracker.expect('t/b', Buffer.from('B'));
    tracker.sent(publish('t/b', 'B', 2));
    tracker.sent(publish('t/a', 'other bytes', 3));
    tracker.sent(publish('t/a', 'A', 4));
    tracker.received(puback(3));
    tracker.received(puback(2));
    expect(await b).toBe(true);
    expect(await state(a)).toBe('pending');
    tracker.received(puback(4));
    expect(await a).toBe(true);
  });

  it('counts a downlink the device subscription downgraded to QoS 0 as delivered once written', async () => {
    const tracker = new DeliveryTracker();
    const delivered = tracker.expect('t/a', Buffer.from('x'));
    tracker.sent(publish('t/a', 'x'));
    expect(await delivered).toBe(true);
  });

  it('settles everything unacknowledged as not delivered when the connection ends, and later ones at once', async () => {
    const tracker = new DeliveryTracker();
    const written = tracker.expect('t/a', Buffer.from('1'));
    const unwritten = tracker.expect('t/a', Buffer.from('2'));
    tracker.sent(publish('t/a', '1', 1));
    tracker.end();
    expect(await written).toBe(false);
    expect(await unwritten).toBe(false);
    expect(await tracker.expect('t/a', Buffer.from('3'))).toBe(false);
  });

  it('ignores garbage from either side', () => {
    const tracker = new DeliveryTracker();
    void tracker.expect('t', Buffer.from('x'));
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: i % 20 }, () => Math.floor(Math.random() * 256)));
      expect(() => tracker.sent(bytes)).not.toThrow();
      expect(() => tracker.received(bytes)).not.toThrow();
    }
  });
});
