// The northbound time format `yyyyMMdd'T'HHmmss'Z'` both ways, and garbage in query times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNorthboundTime, parseNorthboundTime } from '../../../../core/northbound/northbound-time.js';

describe('northbound times', () => {
  it('formats UTC like the platform and reads it back to the second', () => {
    expect(formatNorthboundTime(Date.UTC(2015, 11, 12, 12, 12, 12, 999))).toBe('20151212T121212Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) }), (ms) => {
        expect(parseNorthboundTime(formatNorthboundTime(ms))).toBe(ms - (ms % 1000));
      }),
    );
  });

  it('answers a malformed time with a message naming the value, never a throw', () => {
    expect(parseNorthboundTime(undefined)).toBeUndefined();
    expect(parseNorthboundTime('20151312T121212Z')).toEqual({
      error: '20151312T121212Z is not a UTC time like 20151212T121212Z',
    });
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseNorthboundTime(text);
        expect(parsed === undefined || typeof parsed === 'number' || typeof parsed.error === 'string').toBe(true);
      }),
    );
  });
});
