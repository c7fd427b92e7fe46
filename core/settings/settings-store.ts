// Saved workbench settings (device ports, bind address): key/value rows, read at start.
import type { Database } from 'better-sqlite3';
import { settingsSchema, type Settings } from '../contract/platform.js';
import type { Migration } from '../store/migrations.js';

export const settingsMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create settings',
    sql: `CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  },
];

export function readSavedSettings(db: Database, defaults: Settings): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const saved: Record<string, unknown> = { ...defaults };
  for (const row of rows) {
    try {
      saved[row.key] = JSON.parse(row.value);
    } catch {
      // An unreadable row falls back to its default.
    }
  }
  const parsed = settingsSchema.safeParse(saved);
  return parsed.success ? parsed.data : defaults;
}

export function saveSettings(db: Database, changes: Partial<Settings>, now: Date): void {
  const upsert = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  db.transaction(() => {
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) upsert.run(key, JSON.stringify(value), now.toISOString());
    }
  })();
}
