// The device_groups table: one row per group, a tree per application through parent_id.
import type { Database, Statement } from 'better-sqlite3';
import type { Migration } from '../store/migrations.js';

export const groupMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'device groups',
    sql: `CREATE TABLE device_groups (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT,
      parent_id TEXT,
      max_dev_num INTEGER NOT NULL DEFAULT 0,
      is_default INTEGER NOT NULL DEFAULT 0,
      creator TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (app_id, name)
    );
    CREATE INDEX device_groups_parent ON device_groups (parent_id);
    CREATE UNIQUE INDEX device_groups_one_default ON device_groups (app_id) WHERE is_default = 1;`,
  },
];

export interface GroupRow {
  id: string;
  app_id: string;
  name: string;
  description: string | null;
  parent_id: string | null;
  max_dev_num: number;
  is_default: number;
  creator: string;
  created_at: number;
  updated_at: number;
}

export class GroupStore {
  private parentRow: Statement<[string], { parent_id: string | null }> | undefined;

  constructor(private readonly db: Database) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  parentOf(id: string): string | undefined {
    this.parentRow ??= this.db.prepare<[string], { parent_id: string | null }>(
      'SELECT parent_id FROM device_groups WHERE id = ?',
    );
    return this.parentRow.get(id)?.parent_id ?? undefined;
  }

  get(id: string): GroupRow | undefined {
    return this.db.prepare<[string], GroupRow>('SELECT * FROM device_groups WHERE id = ?').get(id);
  }

  byName(appId: string, name: string): GroupRow | undefined {
    return this.db
      .prepare<[string, string], GroupRow>('SELECT * FROM device_groups WHERE app_id = ? AND name = ?')
      .get(appId, name);
  }

  defaultOf(appId: string): GroupRow | undefined {
    return this.db
      .prepare<[string], GroupRow>('SELECT * FROM device_groups WHERE app_id = ? AND is_default = 1')
      .get(appId);
  }

  ofApp(appId: string, nameFilter?: string): GroupRow[] {
    return nameFilter === undefined
      ? this.db
          .prepare<[string], GroupRow>('SELECT * FROM device_groups WHERE app_id = ? ORDER BY is_default DESC, name')
          .all(appId)
      : this.db
          .prepare<[string, string], GroupRow>(
            'SELECT * FROM device_groups WHERE app_id = ? AND name = ? ORDER BY is_default DESC, name',
          )
          .all(appId, nameFilter);
  }

  insert(row: GroupRow): void {
    this.db
      .prepare(
        `INSERT INTO device_groups (id, app_id, name, description, parent_id, max_dev_num, is_default, creator, created_at, updated_at)
         VALUES (@id, @app_id, @name, @description, @parent_id, @max_dev_num, @is_default, @creator, @created_at, @updated_at)`,
      )
      .run(row);
  }

  update(
    id: string,
    changes: { name: string; description: string | null; max_dev_num: number; parent_id: string | null },
    now: number,
  ): void {
    this.db
      .prepare(
        'UPDATE device_groups SET name = ?, description = ?, max_dev_num = ?, parent_id = ?, updated_at = ? WHERE id = ?',
      )
      .run(changes.name, changes.description, changes.max_dev_num, changes.parent_id, now, id);
  }

  /** The group and all its descendants, the group first. */
  subtree(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT g.id FROM device_groups g JOIN sub ON g.parent_id = sub.id)
         SELECT id FROM sub`,
      )
      .all(id)
      .map((r) => r.id);
  }

  /** Levels from the group down to its deepest descendant (1 for a leaf). */
  height(id: string): number {
    const row = this.db
      .prepare<[string], { h: number }>(
        `WITH RECURSIVE sub(id, d) AS (SELECT ?, 1 UNION ALL SELECT g.id, d + 1 FROM device_groups g JOIN sub ON g.parent_id = sub.id)
         SELECT MAX(d) AS h FROM sub`,
      )
      .get(id);
    return row?.h ?? 1;
  }

  /** The ids from the group up to its root, the group first. */
  ancestry(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE up(id, parent_id) AS (
           SELECT id, parent_id FROM device_groups WHERE id = ?
           UNION ALL SELECT g.id, g.parent_id FROM device_groups g JOIN up ON g.id = up.parent_id)
         SELECT id FROM up`,
      )
      .all(id)
      .map((r) => r.id);
  }

  reparentChildren(id: string, parentId: string | null, now: number): void {
    this.db
      .prepare('UPDATE device_groups SET parent_id = ?, updated_at = ? WHERE parent_id = ?')
      .run(parentId, now, id);
  }

  deleteMany(ids: readonly string[]): void {
    this.db.prepare('DELETE FROM device_groups WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }
}
