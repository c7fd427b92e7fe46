// What the rule engine knows survives a restart, on a real SQLite file: a firing decided in a report's transaction
// runs after a SIGKILL that came before its actions; a rule that fired does not fire again for the same episode; a
// delayed trigger keeps the time its condition began to hold; timer ticks missed while stopped fire once, late.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { linkageRuleBodySchema, type LinkageRuleBody } from '../../../../core/contract/rules.js';
import { openRulesRig, type RulesRig } from '../../../support/rules-rig.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const MIN = 60_000;
const tempDir = useTempDirs();
const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..');
const start = Date.UTC(2026, 11, 7, 9, 0);

const hot = (extra = {}) => ({
  kind: 'property' as const,
  scope: { kind: 'product' as const, productId: 'SmokeDetector' },
  serviceId: 'Smoke',
  property: 'temperature',
  operator: '>' as const,
  value: 60,
  ...extra,
});
const alarm = { kind: 'alarm' as const, level: 'critical' as const, name: 'Overheat', content: 'above 60' };
const notify = { kind: 'notify' as const, content: 'hot' };

function create(rig: RulesRig, body: Partial<LinkageRuleBody> & Pick<LinkageRuleBody, 'conditions' | 'actions'>) {
  return rig.service.create(linkageRuleBodySchema.parse({ name: 'rule', ...body }));
}

describe('the rule engine across restarts', () => {
  it('runs a firing whose report was stored just before a SIGKILL', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    const rule = create(first, { conditions: [hot()], actions: [alarm, notify] });
    first.close();

    const child = spawnSync(
      process.execPath,
      [join(root, 'core/bin/run-ts.mjs'), join(root, 'test/support/rules-crash-child.ts'), file, String(start), '75'],
      { encoding: 'utf8' },
    );
    expect(child.signal).toBe('SIGKILL');

    const second = openRulesRig(file, clock);
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    expect(second.fired[0]).toMatchObject({ ruleId: rule.ruleId, deviceId: 'smoke-1' });
    expect(second.fired[0]?.reasons[0]).toMatchObject({ info: { value: 75 } });
    expect(second.pushes).toHaveLength(1);
    expect(second.alarms.list({ limit: 10 })).toMatchObject([{ deviceId: 'smoke-1', state: 'active' }]);
    expect(second.store.outbox()).toEqual([]);
    // The child's report counts as seen: the same episode does not fire again.
    second.report('smoke-1', { temperature: 80 });
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    second.close();
  });

  it('does not fire again after a restart while the condition still holds, and recovers afterwards', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    create(first, { conditions: [hot()], actions: [alarm] });
    first.report('smoke-2', { temperature: 70 });
    await first.engine.settled();
    expect(first.fired).toHaveLength(1);
    first.close();

    const second = openRulesRig(file, clock);
    second.report('smoke-2', { temperature: 72 });
    await second.engine.settled();
    expect(second.fired).toHaveLength(0);
    second.report('smoke-2', { temperature: 20 });
    await second.engine.settled();
    expect(second.alarms.list({ limit: 10 })).toMatchObject([{ state: 'cleared', clearedBy: 'rule' }]);
    second.report('smoke-2', { temperature: 90 });
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    second.close();
  });

  it('keeps the time a delayed condition began to hold', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    create(first, { conditions: [hot({ holdMinutes: 5 })], actions: [notify] });
    first.report('smoke-1', { temperature: 65 });
    clock.advance(3 * MIN);
    first.close();

    const second = openRulesRig(file, clock);
    clock.advance(MIN + 59_000);
    await second.engine.settled();
    expect(second.fired).toHaveLength(0);
    clock.advance(1000);
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    expect(second.fired[0]?.reasons[0]).toMatchObject({
      satisfactionTime: new Date(start + 5 * MIN).toISOString(),
      info: { heldMinutes: 5 },
    });
    second.close();
  });

  it('a delayed condition that came due while stopped fires when the engine starts', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    create(first, { conditions: [hot({ holdMinutes: 2 })], actions: [notify] });
    first.report('smoke-1', { temperature: 65 });
    first.close();
    clock.advance(10 * MIN);
    const second = openRulesRig(file, clock);
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    second.close();
  });

  it('fires once, late, for timer ticks missed while stopped, and keeps its schedule', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    create(first, {
      conditions: [
        { kind: 'timer', startTime: new Date(start + 10 * MIN).toISOString(), repeat: 10, everyMinutes: 10 },
      ],
      actions: [notify],
    });
    clock.advance(10 * MIN);
    await first.engine.settled();
    expect(first.fired).toHaveLength(1);
    first.close();

    clock.advance(35 * MIN); // the ticks at 20, 30 and 40 minutes fell while stopped
    const second = openRulesRig(file, clock);
    await second.engine.settled();
    expect(second.fired).toHaveLength(1);
    expect(second.fired[0]?.triggerTime).toBe(new Date(start + 45 * MIN).toISOString());
    clock.advance(5 * MIN); // the 50-minute tick, on time
    await second.engine.settled();
    expect(second.fired).toHaveLength(2);
    second.close();
    // Started again at once: nothing was missed.
    const third = openRulesRig(file, clock);
    await third.engine.settled();
    expect(third.fired).toHaveLength(0);
    third.close();
  });

  it('a disabled or changed rule forgets what it knew', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const rig = openRulesRig(file, clock);
    const rule = create(rig, { conditions: [hot({ holdMinutes: 1 })], actions: [notify] });
    rig.report('smoke-1', { temperature: 70 });
    await rig.engine.settled();
    expect(rig.store.ruleStates(rule.ruleId)).toMatchObject([{ key: 'smoke-1' }]);
    rig.service.setEnabled(rule.ruleId, false);
    expect(rig.store.ruleStates(rule.ruleId)).toEqual([]);
    rig.service.setEnabled(rule.ruleId, true);
    rig.report('smoke-1', { temperature: 71 });
    clock.advance(MIN);
    await rig.engine.settled();
    expect(rig.fired).toHaveLength(1);
    expect(rig.fired[0]?.reasons[0]).toMatchObject({ satisfactionTime: new Date(start + MIN).toISOString() });
    rig.close();
  });

  it('a rule without delays writes nothing per report: it learns again from the last data', async () => {
    const file = join(tempDir(), 'rules.db');
    const clock = createManualClock(start);
    const first = openRulesRig(file, clock);
    const rule = create(first, { conditions: [hot()], actions: [notify] });
    for (const t of [70, 20, 80, 30, 90]) first.report('smoke-1', { temperature: t });
    await first.engine.settled();
    expect(first.fired).toHaveLength(3);
    expect(first.store.ruleStates(rule.ruleId)).toEqual([]);
    first.close();
    const second = openRulesRig(file, clock);
    second.report('smoke-1', { temperature: 95 });
    second.report('smoke-2', { temperature: 95 });
    await second.engine.settled();
    expect(second.fired.map((f) => f.deviceId)).toEqual(['smoke-2']);
    second.close();
  });
});
