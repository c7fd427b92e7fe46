// Fleet threshold rules go through the threshold index (only rules whose threshold lies between a device's previous
// and new value see the report); the same rules made to see every report (a data validity no report exceeds) fire
// exactly the same, for any sequence of values, numbers or not.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { linkageRuleBodySchema, type LinkageRule, type RuleFiring } from '../../../../core/contract/rules.js';
import { AlarmService } from '../../../../core/rules/alarm-service.js';
import { LinkageEngine } from '../../../../core/rules/linkage-engine.js';
import { RulesStore, rulesMigrations } from '../../../../core/rules/rules-store.js';
import { thresholdOf } from '../../../../core/rules/threshold-index.js';
import { runMigrations } from '../../../../core/store/migrations.js';

const operators = ['>', '>=', '<', '<='] as const;

function engineWith(rules: LinkageRule[]) {
  const clock = createManualClock(Date.UTC(2026, 11, 8));
  const db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: 'rules', migrations: rulesMigrations }], () => new Date(clock.now()));
  const store = new RulesStore(db);
  for (const r of rules)
    store.saveLinkageRule(r.ruleId, r.appId, linkageRuleBodySchema.parse({ ...r, enabled: true }), clock.now());
  const fired: RuleFiring[] = [];
  const engine = new LinkageEngine({
    store,
    clock,
    devices: { productOf: () => 'P', groupsOf: () => [] },
    alarms: new AlarmService(store, clock, () => undefined),
    actions: { command: () => Promise.reject(new Error('no commands here')), ruleEvent: () => 0 },
    latest: () => [],
    devicesOf: () => [],
    fired: (f) => fired.push(f),
    onError: (e) => {
      throw e;
    },
  });
  engine.load();
  return { engine, fired, store };
}

function rule(i: number, operator: (typeof operators)[number], value: number, everyReport: boolean): LinkageRule {
  return {
    ruleId: `r${i}`,
    appId: 'app',
    name: `r${i}`,
    description: '',
    logic: 'and',
    conditions: [
      {
        kind: 'property',
        scope: { kind: 'product', productId: 'P' },
        serviceId: 'S',
        property: 'x',
        operator,
        value,
        ...(everyReport ? { validitySeconds: 86_400 } : {}),
      },
    ],
    actions: [{ kind: 'notify', content: '' }],
    matchNow: false,
    enabled: true,
    createdAt: new Date(0).toISOString(),
    firings: 0,
  };
}

describe('the threshold index', () => {
  it('takes only single numeric threshold conditions on a product', () => {
    expect(thresholdOf(rule(1, '>', 5, false))).toEqual({
      productId: 'P',
      serviceId: 'S',
      property: 'x',
      threshold: 5,
    });
    expect(thresholdOf(rule(1, '>', 5, true))).toBeUndefined();
  });

  it('fires as the rules that see every report do', async () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 12 }),
      fc.constantFrom('7', 'abc', null, Number.NaN, Infinity, true),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...operators), fc.integer({ min: 0, max: 10 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), value, fc.boolean()), { minLength: 1, maxLength: 40 }),
        async (conditions, reports) => {
          const fast = engineWith(conditions.map(([op, v], i) => rule(i, op, v, false)));
          const slow = engineWith(conditions.map(([op, v], i) => rule(i, op, v, true)));
          // Per report, the same firings (in any order: the index visits rules by threshold).
          const seen = (e: typeof fast, from: number) =>
            e.fired
              .slice(from)
              .map((f) => `${f.ruleId}:${f.deviceId}:${JSON.stringify(f.reasons[0]?.info.value)}`)
              .sort();
          for (const [device, x, other] of reports) {
            // Now and then a report of another service.
            const services = [{ serviceId: other ? 'T' : 'S', properties: { x }, eventTime: Date.UTC(2026, 11, 8) }];
            const before = [fast.fired.length, slow.fired.length] as const;
            for (const e of [fast, slow]) {
              e.engine.reported(`d${device}`, services);
              await e.engine.settled();
            }
            expect(seen(fast, before[0])).toEqual(seen(slow, before[1]));
          }
          expect(fast.fired.length).toBe(slow.fired.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
