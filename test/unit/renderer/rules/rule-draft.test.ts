// The linkage form's draft: every condition kind, operator and action the contract allows is built from the form, and
// an edited rule goes back to the server exactly as it came.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alarmLevels,
  linkageRuleBodySchema,
  ruleOperators,
  type LinkageRule,
  type RuleAction,
  type RuleCondition,
} from '../../../../core/contract/index.js';
import {
  alarmWithTimer,
  bodyOf,
  draftOf,
  emptyCondition,
  emptyDraft,
  emptyTimer,
  localDateTime,
  newAction,
  scalarOf,
  type ConditionDraft,
  type RuleDraft,
} from '../../../../renderer/features/rules/ruleDraft.js';

const rule = (patch: Partial<LinkageRule>): LinkageRule => ({
  ruleId: 'r1',
  appId: 'app-1',
  name: 'Hot meter',
  description: '',
  logic: 'and',
  conditions: [],
  actions: [{ kind: 'notify', content: '' }],
  matchNow: false,
  enabled: true,
  createdAt: '2026-12-07T08:00:00.000Z',
  firings: 0,
  ...patch,
});

const withConditions = (...conditions: ConditionDraft[]): RuleDraft => ({
  ...emptyDraft(),
  name: 'r',
  conditions,
  actions: [newAction('notify')],
});

const meter = { ...emptyCondition(), scopeId: 'dev-1', property: 'WaterMeterBasic/temperature' };

describe('building conditions from the form', () => {
  it.each(ruleOperators)('builds a %s condition with the values that operator needs', (operator) => {
    const [condition] = bodyOf(withConditions({ ...meter, operator, value: '30', value2: '40' })).conditions;
    expect(condition).toEqual({
      kind: 'property',
      scope: { kind: 'device', deviceId: 'dev-1' },
      serviceId: 'WaterMeterBasic',
      property: 'temperature',
      operator,
      ...(operator === 'changed' ? {} : { value: 30 }),
      ...(operator === 'between' ? { value2: 40 } : {}),
    });
  });

  it('watches a product or a group as well as one device', () => {
    const body = bodyOf(
      withConditions(
        { ...meter, scopeKind: 'product', scopeId: 'prod-1' },
        { ...meter, scopeKind: 'group', scopeId: 'grp-1', property: 'Sensor/level/raw' },
      ),
    );
    expect(body.conditions).toMatchObject([
      { scope: { kind: 'product', productId: 'prod-1' }, serviceId: 'WaterMeterBasic', property: 'temperature' },
      // A group's property is typed; only the first slash ends the service id.
      { scope: { kind: 'group', groupId: 'grp-1' }, serviceId: 'Sensor', property: 'level/raw' },
    ]);
  });

  it('compares numbers as numbers and anything else as text', () => {
    expect(scalarOf(' 30 ')).toBe(30);
    expect(scalarOf('-1.5')).toBe(-1.5);
    expect(scalarOf('on')).toBe('on');
    expect(scalarOf('')).toBe('');
    expect(scalarOf('  ')).toBe('  ');
  });

  it('adds the delayed trigger and the data validity only when they are set', () => {
    const [plain, guarded] = bodyOf(
      withConditions(meter, { ...meter, holdMinutes: 2, validitySeconds: 30 }),
    ).conditions;
    expect(plain).not.toHaveProperty('holdMinutes');
    expect(plain).not.toHaveProperty('validitySeconds');
    expect(guarded).toMatchObject({ holdMinutes: 2, validitySeconds: 30 });
  });

  it('builds a time condition from the local start time the form shows', () => {
    const start = Date.UTC(2026, 11, 8, 0, 0);
    const timer = { kind: 'timer' as const, start: localDateTime(start), repeat: 6, everyMinutes: 10 };
    const body = bodyOf(withConditions(timer));
    expect(body.conditions).toEqual([
      { kind: 'timer', startTime: '2026-12-08T00:00:00.000Z', repeat: 6, everyMinutes: 10 },
    ]);
    expect(linkageRuleBodySchema.safeParse(body).success).toBe(true);
  });

  it('offers a new time condition at the next full hour, every 10 minutes, 6 times', () => {
    const timer = emptyTimer(Date.UTC(2026, 11, 8, 7, 42));
    expect(timer).toMatchObject({ kind: 'timer', repeat: 6, everyMinutes: 10 });
    expect(new Date(timer.start).toISOString()).toBe('2026-12-08T08:00:00.000Z');
  });

  it('leaves out rows that are not filled in yet (the server names what is missing)', () => {
    const body = bodyOf({
      ...withConditions(emptyCondition(), { kind: 'timer', start: '', repeat: 1, everyMinutes: 1 }),
      actions: [newAction('command'), newAction('alarm')],
    });
    expect(body.conditions).toEqual([]);
    expect(body.actions).toEqual([{ kind: 'alarm', level: 'major', name: '', content: '' }]);
  });
});

describe('building actions from the form', () => {
  it('sends a command with its parameters, expiry and status callback', () => {
    const body = bodyOf({
      ...withConditions(meter),
      actions: [
        {
          kind: 'command',
          deviceId: 'dev-2',
          serviceId: 'Valve',
          method: 'CLOSE',
          paras: '{"force":true}',
          expireTime: 0,
          callbackUrl: ' https://app.example/cb ',
        },
      ],
    });
    expect(body.actions).toEqual([
      {
        kind: 'command',
        deviceId: 'dev-2',
        serviceId: 'Valve',
        method: 'CLOSE',
        paras: { force: true },
        expireTime: 0,
        callbackUrl: 'https://app.example/cb',
      },
    ]);
  });

  it('sends unreadable or non-object parameters as none, and no expiry or callback when empty', () => {
    for (const paras of ['{oops', '[1,2]', '', '7', 'null']) {
      const command = { ...newAction('command'), deviceId: 'd', paras } as RuleDraft['actions'][number];
      const body = bodyOf({ ...withConditions(meter), actions: [command] });
      expect(body.actions).toEqual([{ kind: 'command', deviceId: 'd', serviceId: '', method: '', paras: {} }]);
    }
  });

  it('keeps notify and alarm actions as written', () => {
    const body = bodyOf({
      ...withConditions(meter),
      actions: [
        { kind: 'notify', content: 'Meter is hot' },
        { kind: 'alarm', level: 'critical', name: 'Too hot', content: 'above 60' },
      ],
    });
    expect(body.actions).toEqual([
      { kind: 'notify', content: 'Meter is hot' },
      { kind: 'alarm', level: 'critical', name: 'Too hot', content: 'above 60' },
    ]);
  });
});

describe('an alarm and a time condition', () => {
  it('is flagged so the form can refuse it, as the server does', () => {
    const timer = emptyTimer();
    expect(alarmWithTimer({ ...withConditions(timer), actions: [newAction('alarm')] })).toBe(true);
    expect(alarmWithTimer({ ...withConditions(meter), actions: [newAction('alarm')] })).toBe(false);
    expect(alarmWithTimer({ ...withConditions(timer, meter), actions: [newAction('notify')] })).toBe(false);
  });
});

describe('editing an existing rule', () => {
  it('round-trips the time window, logic, description, app and switches', () => {
    const stored = rule({
      description: 'night watch',
      logic: 'or',
      conditions: [
        {
          kind: 'property',
          scope: { kind: 'group', groupId: 'g' },
          serviceId: 'S',
          property: 'p',
          operator: 'changed',
        },
        { kind: 'timer', startTime: '2026-12-08T08:00:00+08:00', repeat: 6, everyMinutes: 10 },
      ],
      timeRange: { startTime: '22:00', endTime: '06:00', daysOfWeek: [6, 7], timezone: 'Asia/Shanghai' },
      matchNow: true,
      enabled: false,
    });
    expect(bodyOf(draftOf(stored))).toEqual({
      name: 'Hot meter',
      description: 'night watch',
      appId: 'app-1',
      logic: 'or',
      conditions: stored.conditions,
      actions: stored.actions,
      timeRange: stored.timeRange,
      matchNow: true,
      enabled: false,
    });
  });

  it('sends a new start time once the user changes it', () => {
    const draft = draftOf(
      rule({ conditions: [{ kind: 'timer', startTime: '2026-12-08T08:00:00+08:00', repeat: 2, everyMinutes: 5 }] }),
    );
    const timer = draft.conditions[0]!;
    if (timer.kind !== 'timer') throw new Error('expected a timer');
    expect(timer.start).toBe(localDateTime('2026-12-08T00:00:00Z'));
    const moved = { ...timer, start: localDateTime('2026-12-09T00:00:00Z') };
    expect(bodyOf({ ...draft, conditions: [moved] }).conditions).toEqual([
      { kind: 'timer', startTime: '2026-12-09T00:00:00.000Z', repeat: 2, everyMinutes: 5 },
    ]);
  });

  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/'));
  const text = fc.string({ maxLength: 12 }).filter((s) => scalarOf(s) === s);
  const value = fc.oneof(
    text,
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).filter((n) => !Object.is(n, -0)),
  );
  const scope = fc.oneof(
    fc.record({ kind: fc.constant('device' as const), deviceId: name }),
    fc.record({ kind: fc.constant('product' as const), productId: name }),
    fc.record({ kind: fc.constant('group' as const), groupId: name }),
  );
  const propertyCondition: fc.Arbitrary<RuleCondition> = fc
    .record({
      scope,
      serviceId: name,
      property: fc.string({ minLength: 1, maxLength: 12 }),
      operator: fc.constantFrom(...ruleOperators),
      value,
      value2: value,
      validitySeconds: fc.option(fc.integer({ min: 1, max: 86_400 }), { nil: undefined }),
      holdMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: undefined }),
    })
    .map(({ value: v, value2, validitySeconds, holdMinutes, ...c }) => ({
      kind: 'property' as const,
      ...c,
      ...(c.operator === 'changed' ? {} : { value: v }),
      ...(c.operator === 'between' ? { value2 } : {}),
      ...(validitySeconds === undefined ? {} : { validitySeconds }),
      ...(holdMinutes === undefined ? {} : { holdMinutes }),
    }));
  const timerCondition: fc.Arbitrary<RuleCondition> = fc.record({
    kind: fc.constant('timer' as const),
    startTime: fc
      .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
      .map((ms) => new Date(ms).toISOString()),
    repeat: fc.integer({ min: 1, max: 1440 }),
    everyMinutes: fc.integer({ min: 1, max: 1440 }),
  });
  const action: fc.Arbitrary<RuleAction> = fc.oneof(
    fc.record({ kind: fc.constant('notify' as const), content: fc.string({ maxLength: 20 }) }),
    fc.record({
      kind: fc.constant('alarm' as const),
      level: fc.constantFrom(...alarmLevels),
      name: fc.string({ minLength: 1, maxLength: 12 }),
      content: fc.string({ maxLength: 20 }),
    }),
    fc
      .record({
        deviceId: name,
        serviceId: name,
        method: name,
        paras: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        expireTime: fc.option(fc.integer({ min: 0, max: 2_592_000 }), { nil: undefined }),
        callbackUrl: fc.option(fc.constantFrom('https://a.example/cb', 'http://127.0.0.1:9/x'), { nil: undefined }),
      })
      .map(({ expireTime, callbackUrl, ...a }) => ({
        kind: 'command' as const,
        ...a,
        ...(expireTime === undefined ? {} : { expireTime }),
        ...(callbackUrl === undefined ? {} : { callbackUrl }),
      })),
  );

  it('round-trips any rule the contract allows (every condition kind, operator and action)', () => {
    fc.assert(
      fc.property(
        fc.array(propertyCondition, { minLength: 0, maxLength: 4 }),
        fc.option(timerCondition, { nil: undefined }),
        fc.array(action, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('and' as const, 'or' as const),
        (conditions, timer, actions, logic) => {
          const stored = rule({ logic, conditions: timer ? [...conditions, timer] : conditions, actions });
          const body = bodyOf(draftOf(stored));
          expect(body.conditions).toEqual(stored.conditions);
          expect(body.actions).toEqual(stored.actions);
          expect(body.logic).toBe(logic);
        },
      ),
      { numRuns: 300 },
    );
  });
});
