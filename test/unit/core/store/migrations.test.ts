import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../../../../core/store/database.js';
import { StartupError } from '../../../../core/platform-types.js';
import type { CapabilityMigrations } from '../../../../core/store/migrations.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();
const now = () => new Date('2026-01-01T00:00:00Z');

const notes: CapabilityMigrations = {
  capability: 'notes',
  migrations: [
    { version: 1, name: 'create notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)' },
    { version: 2, name: 'add author', sql: 'ALTER TABLE notes ADD COLUMN author TEXT' },
  ],
};

function dump(file: string): unknown {
  const db = new BetterSqlite3(file, { readonly: true });
  const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
  const applied = db
    .prepare('SELECT capability, version, name FROM schema_migrations ORDER BY capability, version')
    .all();
  const rows = db.prepare('SELECT * FROM notes ORDER BY id').all();
  db.close();
  return { schema, applied, rows };
}

describe('migrations', () => {
  it('applies every pending migration once, in WAL mode', async () => {
    const file = join(tempDir(), 'wb.db');
    const first = openStore(file, [notes], now);
    expect(first.applied.map((a) => `${a.capability}#${a.version}`)).toEqual(['notes#1', 'notes#2']);
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal');
    first.db.prepare('INSERT INTO notes (text, author) VALUES (?, ?)').run('hello', 'mei');
    await first.close();

    const second = openStore(file, [notes], now);
    expect(second.applied).toEqual([]);
    expect(second.db.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'hello', author: 'mei' }]);
    await second.close();
  });

  it('applies only the new migrations of a later version', async () => {
    const file = join(tempDir(), 'wb.db');
    await openStore(file, [{ capability: 'notes', migrations: notes.migrations.slice(0, 1) }], now).close();
    const later = openStore(file, [notes], now);
    expect(later.applied.map((a) => a.version)).toEqual([2]);
    await later.close();
  });

  it('leaves the database exactly as it was when a migration fails, and names the migration and file', async () => {
    const file = join(tempDir(), 'wb.db');
    const store = openStore(file, [notes], now);
    store.db.prepare('INSERT INTO notes (text) VALUES (?)').run('keep me');
    await store.close();
    const before = dump(file);

    const broken: CapabilityMigrations[] = [
      notes,
      {
        capability: 'devices',
        migrations: [
          { version: 1, name: 'create devices', sql: 'CREATE TABLE devices (id TEXT PRIMARY KEY)' },
          { version: 2, name: 'bad index', sql: 'CREATE INDEX devices_x ON devices (no_such_column)' },
        ],
      },
    ];
    let caught: unknown;
    try {
      openStore(file, broken, now);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StartupError);
    const error = caught as StartupError;
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('devices migration 2 "bad index"');
    expect(error.message).toContain('no_such_column');
    expect(error.message).toContain(file);
    expect(error.file).toBe(file);
    expect(dump(file)).toEqual(before);
  });

  it('refuses a database written by a newer version without touching it', async () => {
    const file = join(tempDir(), 'wb.db');
    await openStore(file, [notes], now).close();
    const before = dump(file);
    expect(() => openStore(file, [{ capability: 'notes', migrations: notes.migrations.slice(0, 1) }], now)).toThrow(
      /written by a newer version/,
    );
    expect(dump(file)).toEqual(before);
  });

  it('rejects migrations that are not numbered 1, 2, 3', () => {
    const file = join(tempDir(), 'wb.db');
    const gap = { capability: 'x', migrations: [{ version: 2, name: 'two', sql: 'SELECT 1' }] };
    expect(() => openStore(file, [gap], now)).toThrow(/numbered 1, 2, 3/);
  });

  it('says clearly when the file is not a database', async () => {
    const dir = tempDir();
    const file = join(dir, 'wb.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openStore(file, [notes], now)).toThrow(StartupError);
  });
});
