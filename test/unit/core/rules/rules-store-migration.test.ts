// The rules tables of an earlier version move to the current one with their firings kept, newest first.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { RuleFiring } from '../../../../core/contract/rules.js';
import { RulesStore, rulesMigrations } from '../../../../core/rules/rules-store.js';
import { runMigrations } from '../../../../core/store/migrations.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs();

it('keeps the firings recorded before the outbox and rule state came', () => {
  const file = join(tempDir(), 'rules.db');
  const now = () => new Date(Date.UTC(2026, 11, 8));
  const old = new Database(file);
  runMigrations(old, file, [{ capability: 'rules', migrations: rulesMigrations.slice(0, 1) }], now);
  const firing = (n: number): RuleFiring => ({
    firingId: `f${n}`,
    ruleId: 'r1',
    ruleName: 'hot',
    appId: 'app1',
    deviceId: 'd1',
    logic: 'and',
    triggerTime: new Date(1000 * n).toISOString(),
    reasons: [],
    actionsResults: [],
  });
  for (const n of [1, 2, 3])
    old
      .prepare('INSERT INTO rule_firings (id, rule_id, at, body) VALUES (?, ?, ?, ?)')
      .run(`f${n}`, 'r1', 1000 * n, JSON.stringify(firing(n)));
  old.close();

  const db = new Database(file);
  const applied = runMigrations(db, file, [{ capability: 'rules', migrations: rulesMigrations }], now);
  expect(applied.map((m) => m.version)).toEqual([2]);
  const store = new RulesStore(db);
  expect(store.firings(undefined, 10).map((f) => f.firingId)).toEqual(['f3', 'f2', 'f1']);
  expect(store.firings('r1', 2).map((f) => f.firingId)).toEqual(['f3', 'f2']);
  store.recordFiring({ ...firing(4), firingId: 'f4' }, 4000);
  expect(store.firings(undefined, 1).map((f) => f.firingId)).toEqual(['f4']);
  db.close();
});
