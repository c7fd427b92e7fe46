// Opens the workbench's SQLite file (WAL) and applies every capability's migrations.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StartupError } from '../platform-types.js';
import { runMigrations, type AppliedMigration, type CapabilityMigrations } from './migrations.js';
import { MAIN_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

export type { Database };

export interface OpenedStore {
  db: Database;
  file: string;
  applied: AppliedMigration[];
  /** Present when checkpoints run off the main thread (see wal-checkpointer.ts). */
  checkpointer?: WalCheckpointer;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Run WAL checkpoints in a worker thread (the running workbench); migrations and tools leave it off. */
  backgroundCheckpoints?: { onError(message: string): void };
}

export function openStore(
  file: string,
  sets: readonly CapabilityMigrations[],
  now: () => Date,
  options: OpenStoreOptions = {},
): OpenedStore {
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
    const background = options.backgroundCheckpoints;
    if (!background)
      return {
        db,
        file,
        applied,
        close: () => {
          db.close();
          return Promise.resolve();
        },
      };
    db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
    const checkpointer = startWalCheckpointer(file, (message) => background.onError(message));
    return {
      db,
      file,
      applied,
      checkpointer,
      async close() {
        await checkpointer.stop();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
