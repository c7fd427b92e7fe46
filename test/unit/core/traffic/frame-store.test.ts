import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameStore } from '../../../../core/traffic/frame-store.js';

const meta = { direction: 'in' as const, transport: 'udp' as const, protocol: 'coap', local: 'a:1', peer: 'b:2' };
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('frame store', () => {
  it('keeps the newest frames when the byte slab is full and counts the evicted ones', () => {
    const store = new FrameStore<string>(1000, 1000);
    for (let i = 0; i < 50; i++) store.push(meta, i, b64(new Array<number>(100).fill(i)), undefined);
    expect(store.size).toBeLessThanOrEqual(10);
    expect(store.evicted).toBe(50 - store.size);
    for (const seq of store.seqs(0, 1)) {
      const f = store.get(seq)!;
      expect([...f.bytes]).toEqual(new Array<number>(100).fill(seq - 1));
    }
  });

  it('never hands out bytes another frame overwrote', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }),
        fc.integer({ min: 3, max: 40 }),
        (sizes, cap) => {
          const store = new FrameStore<string>(cap, 1024);
          sizes.forEach((n, i) => store.push(meta, i, b64(new Array<number>(n).fill(i & 0xff)), undefined));
          for (const seq of store.seqs(0, 1)) {
            const f = store.get(seq)!;
            const n = sizes[seq - 1]!;
            expect(f.length).toBe(n);
            expect(f.bytes.every((b) => b === ((seq - 1) & 0xff))).toBe(true);
            expect(f.bytes.length).toBe(Math.min(n, 512));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('drops the frames left in the slab tail when the write position wraps', () => {
    const sizes = [253, 225, 168, 143, 39, 197, 193, 147, 191, 297];
    const store = new FrameStore<string>(5, 1024);
    sizes.forEach((n, i) => store.push(meta, i, b64(new Array<number>(n).fill(i)), undefined));
    for (const seq of store.seqs(0, 1)) expect(store.get(seq)!.bytes.every((b) => b === seq - 1)).toBe(true);
    expect(store.newestSeq).toBe(10);
  });

  it('resizes keeping the newest frames and their cached decode', () => {
    const store = new FrameStore<string>(10, 4096);
    for (let i = 0; i < 10; i++) store.setCached(store.push(meta, i, b64([i]), undefined), `frame ${i}`);
    store.resize(4);
    expect([...store.seqs(0, 1)]).toEqual([7, 8, 9, 10]);
    expect(store.cachedOf(10)).toBe('frame 9');
    expect([...store.get(7)!.bytes]).toEqual([6]);
    store.push(meta, 11, b64([11]), undefined);
    expect(store.oldestSeq).toBe(8);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.push(meta, 12, b64([12]), undefined)).toBe(12);
  });
});
