// coverage levels from RSRP/SINR and the per-cell limits, mixed levels using the weaker.
import { describe, expect, it } from 'vitest';
import { coverageLevelOf, coverageLimit, weakerLevel } from '../../../../core/ota/coverage.js';

describe('coverageLevelOf', () => {
  it('puts RSRP >= -105 dBm with SINR >= 7 dB in level 0', () => {
    expect(coverageLevelOf(-105, 7)).toBe('0');
    expect(coverageLevelOf(-80, 20)).toBe('0');
  });
  it('puts -115 <= RSRP < -105 with -3 <= SINR < 7 in level 1', () => {
    expect(coverageLevelOf(-115, -3)).toBe('1');
    expect(coverageLevelOf(-106, 6)).toBe('1');
  });
  it('lets the weaker measure decide when the two fall in different bands', () => {
    expect(coverageLevelOf(-90, 0)).toBe('1');
    expect(coverageLevelOf(-110, 20)).toBe('1');
    expect(coverageLevelOf(-90, -5)).toBe('2');
  });
  it('puts level 2 and anything out of range in level 2', () => {
    expect(coverageLevelOf(-125, -8)).toBe('2');
    expect(coverageLevelOf(-116, 0)).toBe('2');
    expect(coverageLevelOf(-140, -20)).toBe('2');
  });
});

describe('limits', () => {
  it('allows 50, 10 and 1 devices per cell, and 10 when the coverage query failed', () => {
    expect([coverageLimit('0'), coverageLimit('1'), coverageLimit('2'), coverageLimit('unknown')]).toEqual([
      50, 10, 1, 10,
    ]);
  });
  it('uses the weaker level of a mixed cell', () => {
    expect(weakerLevel('0', '2')).toBe('2');
    expect(weakerLevel('1', '0')).toBe('1');
    expect(weakerLevel('0', 'unknown')).toBe('unknown');
  });
});
