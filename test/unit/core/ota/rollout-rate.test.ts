// The rollout rate with its ramp-up: the starting rate doubles every interval after the task started, up to the max.
import { describe, expect, it } from 'vitest';
import { otaPolicySchema } from '../../../../core/contract/ota.js';
import { rolloutRate } from '../../../../core/ota/ota-service.js';

const policy = (p: object) => otaPolicySchema.parse(p);

describe('rolloutRate', () => {
  it('is the plain rate, never raised, without a ramp', () => {
    expect(rolloutRate(policy({ ratePerMinute: 7 }), 0, 10 * 60_000)).toEqual({ perMinute: 7, raisedAt: Infinity });
  });

  it('doubles at each interval and says when it next goes up', () => {
    const p = policy({ ratePerMinute: 3, rampDoubleEveryS: 120, rampMaxPerMinute: 20 });
    expect(rolloutRate(p, 1_000, 1_000)).toEqual({ perMinute: 3, raisedAt: 121_000 });
    expect(rolloutRate(p, 1_000, 120_999)).toEqual({ perMinute: 3, raisedAt: 121_000 });
    expect(rolloutRate(p, 1_000, 121_000)).toEqual({ perMinute: 6, raisedAt: 241_000 });
    expect(rolloutRate(p, 1_000, 241_000)).toEqual({ perMinute: 12, raisedAt: 361_000 });
  });

  it('stops at the max, however long the task runs', () => {
    const p = policy({ ratePerMinute: 3, rampDoubleEveryS: 1, rampMaxPerMinute: 20 });
    expect(rolloutRate(p, 0, 3_000)).toEqual({ perMinute: 20, raisedAt: Infinity });
    expect(rolloutRate(p, 0, 10 * 365 * 86_400_000)).toEqual({ perMinute: 20, raisedAt: Infinity });
  });

  it('treats a clock before the start as the start', () => {
    const p = policy({ ratePerMinute: 4, rampDoubleEveryS: 60, rampMaxPerMinute: 16 });
    expect(rolloutRate(p, 60_000, 0)).toEqual({ perMinute: 4, raisedAt: 120_000 });
  });
});
