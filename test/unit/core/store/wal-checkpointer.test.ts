import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../core/store/database.js';
import type { CapabilityMigrations } from '../../../../core/store/migrations.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();
const now = () => new Date('2026-01-01T00:00:00Z');
const rows: CapabilityMigrations = {
  capability: 'rows',
  migrations: [{ version: 1, name: 'rows', sql: 'CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL)' }],
};

describe('WAL checkpoints off the main thread', () => {
  it('copies committed pages into the database file from the worker, and the main connection never does', async () => {
    const file = join(tempDir(), 'wb.db');
    const errors: string[] = [];
    const store = openStore(file, [rows], now, { backgroundCheckpoints: { onError: (m) => errors.push(m) } });
    try {
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThanOrEqual(10_000);
      const insert = store.db.prepare('INSERT INTO rows (text) VALUES (?)');
      store.db.transaction(() => {
        for (let i = 0; i < 5000; i++) insert.run(`row ${i} `.repeat(20));
      })();
      const before = statSync(file).size;
      const result = await store.checkpointer!.checkpointNow();
      expect(result.walFrames).toBeGreaterThan(0);
      expect(result.checkpointed).toBe(result.walFrames);
      expect(statSync(file).size).toBeGreaterThan(before);
      expect(errors).toEqual([]);
    } finally {
      await store.close();
    }
    expect(() => store.db.prepare('SELECT 1')).toThrow(/not open/);
  });

  it('answers a checkpoint asked after closing with an error instead of waiting forever', async () => {
    const file = join(tempDir(), 'wb.db');
    const errors: string[] = [];
    const store = openStore(file, [rows], now, { backgroundCheckpoints: { onError: (m) => errors.push(m) } });
    try {
      store.db.prepare('INSERT INTO rows (text) VALUES (?)').run('kept');
      await store.checkpointer!.checkpointNow();
      expect(store.db.prepare('SELECT text FROM rows').pluck().get()).toBe('kept');
    } finally {
      await store.close();
    }
    await expect(store.checkpointer!.checkpointNow()).rejects.toThrow(/WAL checkpoint failed/);
  });
});
