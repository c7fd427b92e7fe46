// The traffic capability's tables: saved display filters and its settings (buffer size, capture to file).
import type { Database } from 'better-sqlite3';
import type { SavedFilter } from '../contract/traffic.js';
import type { Migration } from '../store/migrations.js';

export const trafficMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create saved filters and traffic settings',
    sql: `CREATE TABLE traffic_saved_filters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      expression TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE traffic_settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    )`,
  },
];

interface FilterRow {
  id: number;
  name: string;
  expression: string;
  created_at: number;
}

const toFilter = (r: FilterRow): SavedFilter => ({
  id: r.id,
  name: r.name,
  expression: r.expression,
  createdAt: r.created_at,
});

export function listSavedFilters(db: Database): SavedFilter[] {
  return (db.prepare('SELECT * FROM traffic_saved_filters ORDER BY name').all() as FilterRow[]).map(toFilter);
}

export function saveFilter(db: Database, name: string, expression: string, now: number): SavedFilter {
  const row = db
    .prepare(
      `INSERT INTO traffic_saved_filters (name, expression, created_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET expression = excluded.expression
       RETURNING *`,
    )
    .get(name, expression, now) as FilterRow;
  return toFilter(row);
}

export function deleteSavedFilter(db: Database, id: number): boolean {
  return db.prepare('DELETE FROM traffic_saved_filters WHERE id = ?').run(id).changes > 0;
}

export interface TrafficSettings {
  capacity?: number;
  captureToFile?: boolean;
}

export function readTrafficSettings(db: Database): TrafficSettings {
  const rows = db.prepare('SELECT key, value FROM traffic_settings').all() as { key: string; value: string }[];
  const settings: TrafficSettings = {};
  for (const { key, value } of rows) {
    try {
      const v: unknown = JSON.parse(value);
      if (key === 'capacity' && typeof v === 'number' && Number.isInteger(v) && v >= 100) settings.capacity = v;
      if (key === 'captureToFile' && typeof v === 'boolean') settings.captureToFile = v;
    } catch {
      // An unreadable row keeps its default.
    }
  }
  return settings;
}

export function writeTrafficSettings(db: Database, settings: TrafficSettings): void {
  const upsert = db.prepare(
    'INSERT INTO traffic_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [k, v] of Object.entries(settings)) if (v !== undefined) upsert.run(k, JSON.stringify(v));
  })();
}
