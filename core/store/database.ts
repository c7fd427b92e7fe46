// Opens the workbench's SQLite file (WAL) and applies every capability's migrations.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StartupError } from '../platform-types.js';
import { runMigrations, type AppliedMigration, type CapabilityMigrations } from './migrations.js';

export type { Database };

export interface OpenedStore {
  db: Database;
  file: string;
  applied: AppliedMigration[];
  close(): void;
}

export function openStore(file: string, sets: readonly CapabilityMigrations[], now: () => Date): OpenedStore {
  mkdirSync(dirname(file), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError('DATABASE_UNREADABLE', `Cannot open the database ${file}: ${reason}`, file);
  }
  try {
    const applied = runMigrations(db, file, sets, now);
    return { db, file, applied, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
