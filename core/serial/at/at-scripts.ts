// Saved AT scripts (the serial capability's table) and running one step by step on an AT runner.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import { atScriptStepSchema, type AtResult, type AtScript } from '../../contract/serial.js';
import type { Migration } from '../../store/migrations.js';
import type { AtRunner } from './at-runner.js';

export const atScriptMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'AT scripts',
    sql: `CREATE TABLE serial_at_scripts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      steps_json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
  },
];

type AtScriptStep = z.infer<typeof atScriptStepSchema>;
const storedSteps = z.array(atScriptStepSchema);

interface Row {
  id: string;
  name: string;
  steps_json: string;
  updated_at: number;
}

export function createAtScriptStore(db: Database, clock: Clock) {
  const toScript = (row: Row): AtScript => ({
    id: row.id,
    name: row.name,
    steps: storedSteps.parse(JSON.parse(row.steps_json)),
    updatedAt: row.updated_at,
  });
  return {
    list: (): AtScript[] => (db.prepare('SELECT * FROM serial_at_scripts ORDER BY name').all() as Row[]).map(toScript),
    get: (id: string): AtScript | undefined => {
      const row = db.prepare('SELECT * FROM serial_at_scripts WHERE id = ?').get(id) as Row | undefined;
      return row ? toScript(row) : undefined;
    },
    save: (id: string, name: string, steps: AtScriptStep[]): AtScript => {
      const updatedAt = clock.now();
      db.prepare(
        `INSERT INTO serial_at_scripts (id, name, steps_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, steps_json = excluded.steps_json, updated_at = excluded.updated_at`,
      ).run(id, name, JSON.stringify(steps), updatedAt);
      return { id, name, steps, updatedAt };
    },
    remove: (id: string): boolean => db.prepare('DELETE FROM serial_at_scripts WHERE id = ?').run(id).changes > 0,
  };
}

/** A step passes when its final code is the expected one (OK by default) and its expected text appears. */
export function stepPassed(step: AtScriptStep, result: AtResult): boolean {
  const expect = step.expect.trim();
  if (/^ERROR$/i.test(expect)) return result.final === 'error' || result.final === 'cme-error';
  if (result.final !== 'ok') return false;
  if (expect === '' || /^OK$/i.test(expect)) return true;
  return [...result.lines, ...result.urcs].some((l) => l.includes(expect));
}

export async function runAtScript(
  runner: AtRunner,
  clock: Clock,
  steps: readonly AtScriptStep[],
): Promise<{ passed: boolean; steps: { command: string; passed: boolean; result: AtResult }[] }> {
  const out: { command: string; passed: boolean; result: AtResult }[] = [];
  for (const step of steps) {
    const result = await runner.run(step.command, step.timeoutMs);
    const passed = stepPassed(step, result);
    out.push({ command: step.command, passed, result });
    if (!passed) return { passed: false, steps: out };
    if (step.waitMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, step.waitMs));
  }
  return { passed: true, steps: out };
}
