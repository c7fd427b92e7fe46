// Numbered SQL migrations, registered by each capability and applied together in one transaction.
import type { Database } from 'better-sqlite3';
import { StartupError } from '../platform-types.js';

export interface Migration {
  /** 1, 2, 3 … within its capability; never renumber a released migration. */
  version: number;
  name: string;
  sql: string;
}

export interface CapabilityMigrations {
  capability: string;
  migrations: readonly Migration[];
}

export interface AppliedMigration {
  capability: string;
  version: number;
  name: string;
  appliedAt: string;
}

const BOOKKEEPING_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  capability TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (capability, version)
)`;

function checkNumbering({ capability, migrations }: CapabilityMigrations): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `migrations of ${capability} must be numbered 1, 2, 3 … (found ${m.version} at position ${i + 1})`,
      );
    }
  });
}

export function appliedMigrations(db: Database): AppliedMigration[] {
  db.exec(BOOKKEEPING_SQL);
  return db
    .prepare(
      'SELECT capability, version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY capability, version',
    )
    .all() as AppliedMigration[];
}

/**
 * Applies every pending migration in one transaction: either all of them land or the database is
 * left exactly as it was, and the error says which migration failed and where the file is.
 */
export function runMigrations(
  db: Database,
  file: string,
  sets: readonly CapabilityMigrations[],
  now: () => Date,
): AppliedMigration[] {
  sets.forEach(checkNumbering);
  const applied = appliedMigrations(db);
  const latest = new Map<string, number>();
  for (const a of applied) latest.set(a.capability, Math.max(latest.get(a.capability) ?? 0, a.version));

  for (const { capability, migrations } of sets) {
    const known = migrations.length;
    const have = latest.get(capability) ?? 0;
    if (have > known) {
      throw new StartupError(
        'DATABASE_TOO_NEW',
        `The database ${file} has ${capability} migration ${have}, but this version of IoT Workbench knows only up to ${known}. It was written by a newer version; open it with that version or choose another data folder. Nothing was changed.`,
        file,
      );
    }
  }

  const pending = sets.flatMap(({ capability, migrations }) =>
    migrations.filter((m) => m.version > (latest.get(capability) ?? 0)).map((m) => ({ capability, ...m })),
  );
  if (pending.length === 0) return [];

  const record = db.prepare(
    'INSERT INTO schema_migrations (capability, version, name, applied_at) VALUES (?, ?, ?, ?)',
  );
  const done: AppliedMigration[] = [];
  let current: (typeof pending)[number] | undefined;
  try {
    db.transaction(() => {
      for (const m of pending) {
        current = m;
        db.exec(m.sql);
        const appliedAt = now().toISOString();
        record.run(m.capability, m.version, m.name, appliedAt);
        done.push({ capability: m.capability, version: m.version, name: m.name, appliedAt });
      }
    })();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const which = current ? `${current.capability} migration ${current.version} "${current.name}"` : 'a migration';
    throw new StartupError(
      'MIGRATION_FAILED',
      `Database upgrade failed at ${which}: ${reason}. The database ${file} was left unchanged (no migration of this start was applied); your data is safe. Report this error, or start with another --data-dir.`,
      file,
    );
  }
  return done;
}
