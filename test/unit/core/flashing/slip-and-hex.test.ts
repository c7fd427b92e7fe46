import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../../../core/flashing/esp/slip.js';
import { IntelHexError, parseIntelHex } from '../../../../core/flashing/intel-hex.js';

describe('SLIP', () => {
  it('round-trips any frames, split anywhere, with noise between frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 17 }),
        (frames, piece) => {
          const noise = new TextEncoder().encode('ets Jun  8 2016 boot:0x13\r\n');
          const stream = Buffer.concat(frames.flatMap((f) => [Buffer.from(slipEncode(f)), Buffer.from(noise)]));
          const decoder = new SlipDecoder();
          const out: Uint8Array[] = [];
          for (let i = 0; i < stream.length; i += piece) out.push(...decoder.push(stream.subarray(i, i + piece)));
          expect(out.map((f) => Buffer.from(f).toString('hex'))).toEqual(
            frames.map((f) => Buffer.from(f).toString('hex')),
          );
        },
      ),
    );
  });

  it('escapes END and ESC and drops a frame with a bad escape', () => {
    expect([...slipEncode(Uint8Array.from([0xc0, 0xdb, 1]))]).toEqual([0xc0, 0xdb, 0xdc, 0xdb, 0xdd, 1, 0xc0]);
    const decoder = new SlipDecoder();
    expect(decoder.push(Uint8Array.from([0xc0, 1, 0xdb, 0x00, 2, 0xc0, 0xc0, 7, 0xc0]))).toEqual([
      Uint8Array.from([7]),
    ]);
    expect(decoder.badFrames).toBe(1);
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        new SlipDecoder().push(bytes);
      }),
    );
  });
});

const record = (type: number, address: number, data: number[]): string => {
  const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
  const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
  return ':' + [...bytes, sum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
};

describe('Intel hex', () => {
  it('reads linear and segment addresses into contiguous segments and the start address', () => {
    const text = [
      record(0x04, 0, [0x08, 0x00]),
      record(0x00, 0x0000, [1, 2, 3, 4]),
      record(0x00, 0x0004, [5, 6]),
      record(0x00, 0x0100, [9]),
      record(0x02, 0, [0x10, 0x00]),
      record(0x00, 0x0010, [0xaa]),
      record(0x05, 0, [0x08, 0x00, 0x01, 0x01]),
      ':00000001FF',
      '',
    ].join('\r\n');
    const hex = parseIntelHex(text);
    expect(hex.segments.map((s) => [s.address, [...s.data]])).toEqual([
      [0x10010, [0xaa]],
      [0x08000000, [1, 2, 3, 4, 5, 6]],
      [0x08000100, [9]],
    ]);
    expect(hex.startAddress).toBe(0x08000101);
  });

  it('names the line of a bad checksum, a missing end, overlaps and unknown records', () => {
    const bad = record(0x00, 0, [1, 2]).slice(0, -2) + '00';
    expect(() => parseIntelHex(`${bad}\n:00000001FF`)).toThrow(/line 1: checksum/);
    expect(() => parseIntelHex(record(0x00, 0, [1]))).toThrow(/end-of-file/);
    expect(() => parseIntelHex(`${record(0, 0, [1])}\n${record(0, 0, [2])}\n:00000001FF`)).toThrow(/line 2: .*twice/);
    expect(() => parseIntelHex(`${record(0x07, 0, [])}\n:00000001FF`)).toThrow(/unknown record type 0x07/);
    expect(() => parseIntelHex(':00000001FF\n' + record(0, 0, [1]))).toThrow(/after the end-of-file/);
  });

  it('a hex file written from random segments parses back to them', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.integer({ min: 0, max: 0xffff_0000 }),
        (data, base) => {
          const lines: string[] = [];
          let upper = -1;
          for (let at = 0; at < data.length;) {
            const address = base + at;
            if (address >>> 16 !== upper) {
              upper = address >>> 16;
              lines.push(record(0x04, 0, [upper >> 8, upper & 0xff]));
            }
            const chunk = Math.min(16, data.length - at, 0x10000 - (address & 0xffff));
            lines.push(record(0x00, address & 0xffff, [...data.subarray(at, at + chunk)]));
            at += chunk;
          }
          lines.push(':00000001FF');
          const { segments } = parseIntelHex(lines.join('\n'));
          expect(segments).toHaveLength(1);
          expect(segments[0]!.address).toBe(base);
          expect(Buffer.from(segments[0]!.data).equals(Buffer.from(data))).toBe(true);
        },
      ),
    );
  });

  it('garbage gives an IntelHexError, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          parseIntelHex(text);
        } catch (error) {
          expect(error).toBeInstanceOf(IntelHexError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^:[0-9A-F]{0,40}$/), { maxLength: 20 }), (lines) => {
        try {
          parseIntelHex(lines.join('\n'));
        } catch (error) {
          expect(error).toBeInstanceOf(IntelHexError);
        }
      }),
    );
  });
});
