import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../core/bus/event-bus.js';
import { createManualClock } from '../../../../core/clock.js';
import { DataStore, MERGE_EVERY_MS, dataMigrations } from '../../../../core/data/data-store.js';
import { openStore } from '../../../../core/store/database.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();

function setup() {
  const clock = createManualClock();
  const store = openStore(
    join(tempDir(), 'wb.db'),
    [{ capability: 'data', migrations: dataMigrations }],
    () => new Date(clock.now()),
  );
  const data = new DataStore(
    store.db,
    clock,
    createEventBus(() => undefined),
  );
  const report = async (deviceId: string, value: number) => {
    const stored = data.ingest(deviceId, [{ serviceId: 'Meter', properties: { level: value } }]);
    data.flush();
    await stored;
    clock.advance(1000);
  };
  const count = (table: string) => store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  const allPages = (deviceId: string, limit: number) => {
    const values: unknown[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = data.history(deviceId, { limit, ...(cursor === undefined ? {} : { cursor }) });
      values.push(...page.items.map((i) => i.value));
      if (page.nextCursor === undefined) return values;
      cursor = page.nextCursor;
    }
  };
  return { clock, store, data, report, count, allPages };
}

describe('history staging', () => {
  it('pages newest first across merged and staged rows, with nothing lost or repeated', async () => {
    const { data, report, count, allPages, store } = setup();
    for (let i = 0; i < 30; i++) await report(`dev-${i % 3}`, i);
    data.mergeAll();
    expect(count('data_history_recent')).toBe(0);
    for (let i = 30; i < 45; i++) await report(`dev-${i % 3}`, i);
    expect(count('data_history')).toBe(30);
    expect(count('data_history_recent')).toBe(15);
    const expected = Array.from({ length: 15 }, (_, k) => 42 - 3 * k);
    for (const limit of [1, 4, 7, 100]) expect(allPages('dev-0', limit)).toEqual(expected);
    expect([...data.historyRows('dev-0', {})].map((r) => r.value)).toEqual([...expected].reverse());
    expect(data.reportHistory('dev-0', { offset: 0, limit: 100 }).total).toBe(15);
    await store.close();
  });

  it('merges in the background, keeping ids, and purges and deletes staged rows too', async () => {
    const { clock, data, report, count, store } = setup();
    const work = data.startBackgroundWork();
    for (let i = 0; i < 40; i++) await report(`dev-${i % 5}`, i);
    const idsBefore = data.history('dev-1', { limit: 100 }).items.map((i) => i.id);
    await new Promise((r) => setTimeout(r, MERGE_EVERY_MS + 300));
    expect(count('data_history_recent')).toBe(0);
    expect(count('data_history')).toBe(40);
    expect(data.history('dev-1', { limit: 100 }).items.map((i) => i.id)).toEqual(idsBefore);

    await report('dev-2', 99);
    data.deleteDevice('dev-2');
    expect(data.history('dev-2', { limit: 10 }).items).toEqual([]);

    clock.advance(8 * 86_400_000);
    await report('dev-3', 100);
    expect(data.purge()).toBe(0);
    expect(data.history('dev-3', { limit: 10 }).items.map((i) => i.value)).toEqual([100]);
    expect(count('data_history')).toBe(1);
    work.cancel();
    await store.close();
  });
});
