import { describe, expect, it } from 'vitest';
import { RecentLogs } from '../../../../core/log/logger.js';

describe('recent logs', () => {
  it('keeps only the newest lines up to its capacity, numbered in order', () => {
    const logs = new RecentLogs(3);
    for (let i = 1; i <= 5; i++) logs.add({ time: i, level: 'info', source: 'core', message: `line ${i}` });
    expect(logs.latest(10).map((e) => [e.seq, e.message])).toEqual([
      [3, 'line 3'],
      [4, 'line 4'],
      [5, 'line 5'],
    ]);
  });

  it('filters by minimum level and limit', () => {
    const logs = new RecentLogs();
    logs.add({ time: 1, level: 'debug', source: 'core', message: 'noise' });
    logs.add({ time: 2, level: 'warn', source: 'core', message: 'careful' });
    logs.add({ time: 3, level: 'error', source: 'core', message: 'broken' });
    expect(logs.latest(10, 'warn').map((e) => e.message)).toEqual(['careful', 'broken']);
    expect(logs.latest(1, 'trace').map((e) => e.message)).toEqual(['broken']);
  });
});
