// Logic behind the devices UI: history windows and chart points, durations, the batch file preview and
// results, and which list pages a virtual window needs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../../../../core/contract/index.js';
import { batchResultsCsv, countDeviceRows } from '../../../../renderer/features/devices/batchCsv.js';
import { durationParts } from '../../../../renderer/features/devices/durationText.js';
import { numericSeries, rangeWindow, toIso } from '../../../../renderer/features/devices/historyRange.js';
import { pagesForRows } from '../../../../renderer/features/devices/VirtualDeviceTable.js';
import { parseCsv } from '../../../../core/devices/csv.js';

const item = (id: number, eventTime: string, value: unknown): HistoryItem => ({
  id,
  serviceId: 'Light',
  property: 'brightness',
  value,
  eventTime,
  receivedAt: eventTime,
});

describe('history window', () => {
  const now = Date.UTC(2026, 10, 27, 12, 34, 56, 789);

  it('opens a preset window at the minute, so refreshes within a minute ask the same query', () => {
    expect(rangeWindow('1h', now)).toEqual({ from: '2026-11-27T11:34:00.000Z' });
    expect(rangeWindow('1h', now + 3000)).toEqual(rangeWindow('1h', now));
    expect(rangeWindow('7d', now)).toEqual({ from: '2026-11-20T12:34:00.000Z' });
    expect(rangeWindow('all', now)).toEqual({});
  });

  it('takes custom bounds as given and leaves out empty or invalid ones', () => {
    const from = '2026-11-01T08:00';
    expect(rangeWindow('custom', now, { from, to: '' })).toEqual({ from: new Date(from).toISOString() });
    expect(rangeWindow('custom', now, { from: 'garbage' })).toEqual({});
    expect(toIso(undefined)).toBeUndefined();
  });
});

describe('chart points', () => {
  it('orders the newest-first page oldest first and keeps only numbers (booleans as 0/1)', () => {
    const s = numericSeries([
      item(3, '2026-11-27T10:30:00Z', 73),
      item(2, '2026-11-27T10:20:00Z', 'high'),
      item(1, '2026-11-27T10:10:00Z', true),
    ]);
    expect(s.values).toEqual([1, 73]);
    expect(s.times).toEqual([Date.parse('2026-11-27T10:10:00Z'), Date.parse('2026-11-27T10:30:00Z')]);
    expect(s.skipped).toBe(1);
  });

  it('never throws on arbitrary stored values and keeps times ascending', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4e12 }), fc.jsonValue())), (rows) => {
        const s = numericSeries(rows.map(([t, v], i) => item(i, new Date(t).toISOString(), v)));
        expect(s.times.length + s.skipped).toBe(rows.length);
        for (let i = 1; i < s.times.length; i++) expect(s.times[i]).toBeGreaterThanOrEqual(s.times[i - 1] ?? 0);
      }),
    );
  });
});

describe('durations', () => {
  it('shows the two largest adjacent units', () => {
    expect(durationParts(0)).toEqual([{ unit: 's', count: 0 }]);
    expect(durationParts(90_000)).toEqual([
      { unit: 'min', count: 1 },
      { unit: 's', count: 30 },
    ]);
    expect(durationParts(3 * 3_600_000 + 12 * 60_000 + 5000)).toEqual([
      { unit: 'h', count: 3 },
      { unit: 'min', count: 12 },
    ]);
    expect(durationParts(86_400_000 + 5 * 60_000)).toEqual([{ unit: 'd', count: 1 }]);
    expect(durationParts(-5)).toEqual([{ unit: 's', count: 0 }]);
  });
});

describe('batch file', () => {
  it('counts device rows without the header and blank lines', () => {
    expect(countDeviceRows('nodeId,secret,name\nA,,x\n\nB\r\n')).toBe(2);
    expect(countDeviceRows('A\nB')).toBe(2);
    expect(countDeviceRows('')).toBe(0);
    expect(countDeviceRows('"nodeId"\nA')).toBe(1);
  });

  it('counts what the core registers for files without quoted line breaks', () => {
    const cell = fc.stringMatching(/^[A-Za-z0-9_.:-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell)), fc.boolean(), (rows, header) => {
        const text = [...(header ? ['nodeId,secret'] : []), ...rows.map((r) => r.join(','))].join('\n');
        const parsed = parseCsv(text);
        if (!parsed.ok) throw new Error('unexpected parse error');
        const coreRows = parsed.rows.filter((_, i) => !(i === 0 && parsed.rows[0]?.[0]?.toLowerCase() === 'nodeid'));
        expect(countDeviceRows(text)).toBe(coreRows.length);
      }),
    );
  });

  it('writes the per-row results as CSV that reads back the same', () => {
    const rows = [
      { line: 2, nodeId: 'A', ok: true, deviceId: 'p_A' },
      { line: 3, nodeId: 'bad, "id"', ok: false, error: { code: 'BAD_NODE_ID', message: 'nodeId may only hold…\nx' } },
    ];
    const parsed = parseCsv(batchResultsCsv(rows));
    expect(parsed).toEqual({
      ok: true,
      rows: [
        ['line', 'nodeId', 'result', 'deviceId', 'errorCode', 'errorMessage'],
        ['2', 'A', 'ok', 'p_A', '', ''],
        ['3', 'bad, "id"', 'failed', '', 'BAD_NODE_ID', 'nodeId may only hold…\nx'],
      ],
    });
  });
});

describe('virtual list pages', () => {
  it('fetches page 0 (the total) and the pages under the visible rows', () => {
    expect(pagesForRows(0, 20, 100)).toEqual([0]);
    expect(pagesForRows(95, 130, 100)).toEqual([0, 1]);
    expect(pagesForRows(50_010, 50_040, 100)).toEqual([0, 500]);
    expect(pagesForRows(0, -1, 100)).toEqual([0]);
  });
});
