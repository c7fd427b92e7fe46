// Condition arithmetic: every operator on numbers and strings, the active window in a time zone, the timer schedule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  comparatorFor,
  compareValue,
  inTimeRange,
  isValidTimezone,
  nextTimerFiring,
} from '../../../../core/rules/conditions.js';
import { ruleOperators } from '../../../../core/contract/rules.js';

describe('compareValue', () => {
  it('compares numbers as numbers, numeric strings included', () => {
    expect(compareValue('>', 61, 60)).toBe(true);
    expect(compareValue('>', 60, 60)).toBe(false);
    expect(compareValue('>=', 60, 60)).toBe(true);
    expect(compareValue('<', 9, 10)).toBe(true);
    expect(compareValue('<', '9', 10)).toBe(true); // as numbers, not '9' > '10'
    expect(compareValue('<=', 10, '10')).toBe(true);
    expect(compareValue('==', 1.5, '1.5')).toBe(true);
    expect(compareValue('!=', 2, 3)).toBe(true);
    expect(compareValue('between', 5, 1, 5)).toBe(true);
    expect(compareValue('between', 5.01, 1, 5)).toBe(false);
  });

  it('compares strings as strings', () => {
    expect(compareValue('==', 'OPEN', 'OPEN')).toBe(true);
    expect(compareValue('!=', 'OPEN', 'CLOSED')).toBe(true);
    expect(compareValue('>', 'b', 'a')).toBe(true);
    expect(compareValue('contains', 'smoke alarm', 'alarm')).toBe(true);
    expect(compareValue('contains', 'ok', 'alarm')).toBe(false);
    expect(compareValue('between', 'b', 'a', 'c')).toBe(true);
    expect(compareValue('between', 'd', 'a', 'c')).toBe(false);
  });

  it('changed compares with the previous value and is false without one', () => {
    expect(compareValue('changed', 3, undefined, undefined, undefined)).toBe(false);
    expect(compareValue('changed', 3, undefined, undefined, 3)).toBe(false);
    expect(compareValue('changed', 4, undefined, undefined, 3)).toBe(true);
    expect(compareValue('changed', 'ON', undefined, undefined, 'OFF')).toBe(true);
  });

  it('a missing value never satisfies', () => {
    for (const op of ruleOperators) expect(compareValue(op, undefined, 1, 2, 0)).toBe(false);
    for (const op of ruleOperators) expect(compareValue(op, null, 1, 2, 0)).toBe(false);
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ruleOperators),
        fc.anything(),
        fc.option(fc.oneof(fc.string(), fc.double()), { nil: undefined }),
        fc.option(fc.oneof(fc.string(), fc.double()), { nil: undefined }),
        fc.anything(),
        (op, actual, value, value2, previous) => {
          expect(typeof compareValue(op, actual, value, value2, previous)).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('inTimeRange', () => {
  // 2026-12-07 is a Monday.
  const mondayUtc = (h: number, m = 0) => Date.UTC(2026, 11, 7, h, m);

  it('is always active without a window', () => {
    expect(inTimeRange(undefined, mondayUtc(3))).toBe(true);
  });

  it('checks the day and the time in the rule time zone', () => {
    const range = { startTime: '08:00', endTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5], timezone: 'Asia/Shanghai' };
    expect(inTimeRange(range, mondayUtc(0))).toBe(true); // 08:00 Monday in Shanghai
    expect(inTimeRange(range, mondayUtc(10, 1))).toBe(false); // 18:01 Shanghai
    expect(inTimeRange(range, mondayUtc(23, 59))).toBe(false); // 07:59 Tuesday in Shanghai
    expect(inTimeRange(range, Date.UTC(2026, 11, 12, 2))).toBe(false); // 10:00 Saturday in Shanghai
    expect(inTimeRange(range, Date.UTC(2026, 11, 6, 17))).toBe(false); // 01:00 Monday there, Sunday in UTC
  });

  it('runs past midnight, the small hours belonging to the day it started', () => {
    const range = { startTime: '22:00', endTime: '02:00', daysOfWeek: [1], timezone: 'UTC' };
    expect(inTimeRange(range, mondayUtc(23))).toBe(true);
    expect(inTimeRange(range, mondayUtc(1))).toBe(false); // Monday 01:00 belongs to Sunday's window
    expect(inTimeRange(range, Date.UTC(2026, 11, 8, 1, 30))).toBe(true); // Tuesday 01:30: Monday's window
    expect(inTimeRange(range, Date.UTC(2026, 11, 8, 2, 1))).toBe(false);
  });

  it('an unknown time zone is never active, and is reported as invalid', () => {
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
    expect(isValidTimezone('Europe/Paris')).toBe(true);
    expect(inTimeRange({ startTime: '00:00', endTime: '23:59', daysOfWeek: [1], timezone: 'Mars/Olympus' }, 0)).toBe(
      false,
    );
  });
});

describe('nextTimerFiring', () => {
  const timer = { kind: 'timer' as const, startTime: '2026-12-07T10:00:00Z', repeat: 3, everyMinutes: 15 };
  const start = Date.parse(timer.startTime);

  it('fires at the start, then every N minutes, `repeat` times', () => {
    expect(nextTimerFiring(timer, start - 1000)).toEqual({ at: start, index: 0 });
    expect(nextTimerFiring(timer, start + 1)).toEqual({ at: start + 15 * 60_000, index: 1 });
    expect(nextTimerFiring(timer, start + 30 * 60_000)).toEqual({ at: start + 30 * 60_000, index: 2 });
    expect(nextTimerFiring(timer, start + 30 * 60_000 + 1)).toBeUndefined();
  });
});

describe('comparatorFor', () => {
  it('answers as compareValue for every operator, numeric or not', () => {
    const values = [0, 60, 60.5, -1, 1e9, Number.NaN, Infinity, '60', '61', 'abc', '', true, null, undefined, { a: 1 }];
    const thresholds = [60, '60', 'abc', 0, -1, undefined];
    for (const operator of ruleOperators)
      for (const threshold of thresholds)
        for (const value2 of [undefined, 100, 'zzz'] as const) {
          const compare = comparatorFor(operator, threshold, value2);
          for (const actual of values)
            for (const previous of [undefined, 59, 'x'])
              expect(compare(actual, previous), `${JSON.stringify(actual)} ${operator} ${String(threshold)}`).toBe(
                compareValue(operator, actual, threshold, value2, previous),
              );
        }
  });
});
