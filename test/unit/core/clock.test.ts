import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../core/clock.js';

describe('manual clock', () => {
  it('fires timeouts in due order when time moves past them', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('25h'), 25 * 3600_000);
    clock.setTimeout(() => fired.push('10s'), 10_000);
    clock.advance(9_999);
    expect(fired).toEqual([]);
    clock.advance(25 * 3600_000);
    expect(fired).toEqual(['10s', '25h']);
    expect(clock.now()).toBe(9_999 + 25 * 3600_000);
  });

  it('sees the time of the timer inside its callback', () => {
    const clock = createManualClock(1000);
    let seen = 0;
    clock.setTimeout(() => (seen = clock.now()), 500);
    clock.advance(10_000);
    expect(seen).toBe(1500);
  });

  it('repeats intervals and stops them when cancelled', () => {
    const clock = createManualClock(0);
    let count = 0;
    const handle = clock.setInterval(() => count++, 15_000);
    clock.advance(60_000);
    expect(count).toBe(4);
    handle.cancel();
    clock.advance(60_000);
    expect(count).toBe(4);
    expect(clock.pendingTimers()).toBe(0);
  });
});
