// Linkage rules end to end inside the rule engine, on a real SQLite store and a moved clock: every condition kind,
// delayed trigger, timers, time windows, trigger immediately, action results, alarms raised, repeated and recovered.
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../../../core/clock.js';
import {
  linkageRuleBodySchema,
  type LinkageRuleBody,
  type RuleAction,
  type RuleFiring,
} from '../../../../core/contract/rules.js';
import { DomainError } from '../../../../core/domain-error.js';
import { statusOfError } from '../../../../core/api/error-statuses.js';
import { AlarmService } from '../../../../core/rules/alarm-service.js';
import { LinkageEngine } from '../../../../core/rules/linkage-engine.js';
import { LinkageService } from '../../../../core/rules/linkage-service.js';
import { RulesStore, rulesMigrations } from '../../../../core/rules/rules-store.js';
import { runMigrations } from '../../../../core/store/migrations.js';

const MIN = 60_000;
let clock: ManualClock;
let store: RulesStore;
let engine: LinkageEngine;
let service: LinkageService;
let alarms: AlarmService;
let commands: Extract<RuleAction, { kind: 'command' }>[];
let pushes: { appId: string; firing: RuleFiring }[];
let fired: RuleFiring[];
let failCommands: boolean;
/** deviceId → product, group chain, last reported data. */
const devices = new Map<string, { productId: string; groups: string[] }>();
const latest = new Map<string, { serviceId: string; properties: Record<string, unknown>; eventTime: number }[]>();

function start() {
  const db = new Database(':memory:');
  runMigrations(db, ':memory:', [{ capability: 'rules', migrations: rulesMigrations }], () => new Date(clock.now()));
  store = new RulesStore(db);
  alarms = new AlarmService(store, clock, () => undefined);
  engine = new LinkageEngine({
    store,
    clock,
    devices: {
      productOf: (id) => devices.get(id)?.productId,
      groupsOf: (id) => devices.get(id)?.groups ?? [],
    },
    alarms,
    actions: {
      command: (action) => {
        if (failCommands) return Promise.reject(new Error('the device is unknown to the commands queue'));
        commands.push(action);
        return Promise.resolve({ commandId: `c${commands.length}`, status: 'PENDING' });
      },
      ruleEvent: (appId, firing) => {
        pushes.push({ appId, firing: structuredClone(firing) });
        return 1;
      },
    },
    latest: (id) => latest.get(id) ?? [],
    devicesOf: (scope) =>
      [...devices]
        .filter(([, d]) =>
          scope.kind === 'product' ? d.productId === scope.productId : d.groups.includes(scope.groupId),
        )
        .map(([id]) => id),
    fired: (f) => fired.push(f),
    onError: (e) => {
      throw e;
    },
  });
  service = new LinkageService({
    store,
    engine,
    clock,
    defaultAppId: () => 'app1',
    deviceExists: (id) => devices.has(id),
    productExists: (id) => [...devices.values()].some((d) => d.productId === id),
    devicesOf: (scope) =>
      [...devices]
        .filter(([, d]) =>
          scope.kind === 'product' ? d.productId === scope.productId : d.groups.includes(scope.groupId),
        )
        .map(([id]) => id),
    productOf: (id) => devices.get(id)?.productId,
    groupsOf: (id) => devices.get(id)?.groups ?? [],
    history: () => [],
  });
  engine.load();
}

beforeEach(() => {
  clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0)); // a Monday
  commands = [];
  pushes = [];
  fired = [];
  failCommands = false;
  devices.clear();
  latest.clear();
  devices.set('smoke-1', { productId: 'SmokeDetector', groups: ['floor-2', 'building-a'] });
  devices.set('smoke-2', { productId: 'SmokeDetector', groups: [] });
  devices.set('lamp-1', { productId: 'Lamp', groups: ['floor-2', 'building-a'] });
  start();
});

function create(body: Partial<LinkageRuleBody> & Pick<LinkageRuleBody, 'conditions' | 'actions'>) {
  return service.create(linkageRuleBodySchema.parse({ name: 'rule', ...body }));
}

/** Reports like the data store announces them, then lets the firings run. */
async function report(
  deviceId: string,
  properties: Record<string, unknown>,
  serviceId = 'Smoke',
  eventTime = clock.now(),
) {
  const services = [{ serviceId, properties, eventTime }];
  latest.set(deviceId, services);
  engine.reported(deviceId, services);
  await engine.settled();
}

const hot = (
  scope:
    { kind: 'device'; deviceId: string } | { kind: 'product'; productId: string } | { kind: 'group'; groupId: string },
  extra = {},
) => ({
  kind: 'property' as const,
  scope,
  serviceId: 'Smoke',
  property: 'temperature',
  operator: '>' as const,
  value: 60,
  ...extra,
});
const alarm = { kind: 'alarm' as const, level: 'critical' as const, name: 'Overheat', content: 'above 60' };
const ring = { kind: 'command' as const, deviceId: 'lamp-1', serviceId: 'Light', method: 'RING', paras: { times: 3 } };

describe('data conditions', () => {
  it('fires once when a device condition comes to hold, and recovers (clearing its alarm) when it stops', async () => {
    const rule = create({ conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })], actions: [alarm, ring] });
    await report('smoke-1', { temperature: 55 });
    expect(fired).toHaveLength(0);
    await report('smoke-1', { temperature: 61 });
    await report('smoke-1', { temperature: 70 });
    expect(fired).toHaveLength(1);
    expect(fired[0]?.reasons[0]).toMatchObject({ type: 'DEVICE', id: 'smoke-1', info: { value: 61, threshold: 60 } });
    expect(fired[0]?.actionsResults.map((a) => [a.type, a.exception])).toEqual([
      ['ALARM', null],
      ['DEVICE_CMD', null],
    ]);
    expect(fired[0]?.actionsResults[1]?.result).toEqual({ commandId: 'c1', status: 'PENDING' });
    expect(commands).toEqual([{ ...ring }]);
    expect(alarms.list({ limit: 10 })).toMatchObject([
      { state: 'active', count: 1, deviceId: 'smoke-1', level: 'critical' },
    ]);
    expect(alarms.alarmInfo('smoke-1')).toMatchObject({ alarmSeverity: 'CRITICAL', alarmStatus: true });

    await report('smoke-1', { temperature: 40 });
    expect(alarms.list({ limit: 10 })).toMatchObject([{ state: 'cleared', clearedBy: 'rule' }]);
    expect(alarms.alarmInfo('smoke-1')).toBeNull();
    expect(service.get(rule.ruleId).firings).toBe(1);
  });

  it('a product condition watches every device of the product, each on its own', async () => {
    create({ conditions: [hot({ kind: 'product', productId: 'SmokeDetector' })], actions: [alarm] });
    await report('smoke-1', { temperature: 80 });
    await report('smoke-2', { temperature: 80 });
    await report('lamp-1', { temperature: 80 });
    expect(fired.map((f) => f.deviceId)).toEqual(['smoke-1', 'smoke-2']);
    expect(
      alarms
        .list({ limit: 10 })
        .map((a) => a.deviceId)
        .sort(),
    ).toEqual(['smoke-1', 'smoke-2']);
  });

  it('a group condition covers the devices of the group and of the groups below it', async () => {
    create({
      conditions: [hot({ kind: 'group', groupId: 'building-a' })],
      actions: [{ kind: 'notify', content: 'hot' }],
    });
    await report('smoke-2', { temperature: 80 });
    await report('lamp-1', { temperature: 80 });
    expect(fired.map((f) => f.deviceId)).toEqual(['lamp-1']);
    expect(pushes[0]?.firing.actionsResults).toEqual([
      expect.objectContaining({ type: 'NOTIFY', info: { content: 'hot' } }),
    ]);
  });

  it('all conditions (and) or any (or), across devices', async () => {
    const door = {
      kind: 'property' as const,
      scope: { kind: 'device' as const, deviceId: 'lamp-1' },
      serviceId: 'Smoke',
      property: 'door',
      operator: '==' as const,
      value: 'OPEN',
    };
    create({
      name: 'and',
      logic: 'and',
      conditions: [hot({ kind: 'device', deviceId: 'smoke-1' }), door],
      actions: [alarm],
    });
    create({
      name: 'or',
      logic: 'or',
      conditions: [hot({ kind: 'device', deviceId: 'smoke-1' }), door],
      actions: [ring],
    });
    await report('lamp-1', { door: 'OPEN' });
    expect(fired.map((f) => f.ruleName)).toEqual(['or']);
    await report('smoke-1', { temperature: 99 });
    expect(fired.map((f) => f.ruleName)).toEqual(['or', 'and']);
    expect(fired[1]?.reasons.map((r) => r.info.property)).toEqual(['temperature', 'door']);
  });

  it('between, contains, changed and string comparisons', async () => {
    const base = {
      kind: 'property' as const,
      scope: { kind: 'device' as const, deviceId: 'smoke-1' },
      serviceId: 'Smoke',
    };
    create({
      name: 'between',
      conditions: [{ ...base, property: 'h', operator: 'between', value: 10, value2: 20 }],
      actions: [ring],
    });
    create({
      name: 'contains',
      conditions: [{ ...base, property: 's', operator: 'contains', value: 'fault' }],
      actions: [ring],
    });
    create({ name: 'changed', conditions: [{ ...base, property: 'mode', operator: 'changed' }], actions: [ring] });
    create({
      name: 'string',
      conditions: [{ ...base, property: 'mode', operator: '!=', value: 'AUTO' }],
      actions: [ring],
    });
    await report('smoke-1', { h: 25, s: 'ok', mode: 'AUTO' });
    expect(fired).toHaveLength(0);
    await report('smoke-1', { h: 15, s: 'sensor fault 3', mode: 'MANUAL' });
    expect(fired.map((f) => f.ruleName).sort()).toEqual(['between', 'changed', 'contains', 'string']);
    expect(fired.find((f) => f.ruleName === 'changed')?.reasons[0]?.info).toMatchObject({
      previous: 'AUTO',
      value: 'MANUAL',
    });
  });

  it('data validity: a report older than the validity does not count', async () => {
    create({ conditions: [hot({ kind: 'device', deviceId: 'smoke-1' }, { validitySeconds: 30 })], actions: [ring] });
    await report('smoke-1', { temperature: 90 }, 'Smoke', clock.now() - 31_000);
    expect(fired).toHaveLength(0);
    await report('smoke-1', { temperature: 90 }, 'Smoke', clock.now() - 29_000);
    expect(fired).toHaveLength(1);
  });

  it('delayed trigger: fires only once the condition held N minutes; a break in between starts again', async () => {
    create({
      conditions: [hot({ kind: 'product', productId: 'SmokeDetector' }, { holdMinutes: 2 })],
      actions: [alarm],
    });
    await report('smoke-1', { temperature: 61 });
    clock.advance(MIN);
    await engine.settled();
    await report('smoke-1', { temperature: 50 }); // breaks the hold
    clock.advance(2 * MIN);
    await engine.settled();
    expect(fired).toHaveLength(0);
    await report('smoke-1', { temperature: 65 });
    clock.advance(2 * MIN - 1);
    await engine.settled();
    expect(fired).toHaveLength(0);
    clock.advance(1);
    await engine.settled();
    expect(fired).toHaveLength(1);
    expect(fired[0]?.reasons[0]).toMatchObject({ info: { heldMinutes: 2 } });
    expect(fired[0]?.triggerTime).toBe(new Date(clock.now()).toISOString());
  });
});

describe('time', () => {
  it('a timer fires at its start, then every N minutes, `repeat` times', async () => {
    const startTime = new Date(clock.now() + 5 * MIN).toISOString();
    create({ conditions: [{ kind: 'timer', startTime, repeat: 3, everyMinutes: 10 }], actions: [ring] });
    clock.advance(5 * MIN - 1);
    await engine.settled();
    expect(fired).toHaveLength(0);
    for (let i = 0; i < 6; i++) {
      clock.advance(10 * MIN);
      await engine.settled();
    }
    expect(fired).toHaveLength(3);
    expect(fired.map((f) => f.reasons[0]?.type)).toEqual(['TIMER', 'TIMER', 'TIMER']);
    expect(commands).toHaveLength(3);
  });

  it('a timer and a data condition (and): the tick fires only while the data condition holds', async () => {
    const startTime = new Date(clock.now() + MIN).toISOString();
    create({
      conditions: [
        { kind: 'timer', startTime, repeat: 2, everyMinutes: 1 },
        hot({ kind: 'device', deviceId: 'smoke-1' }),
      ],
      actions: [ring],
    });
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(0); // data alone does not fire a timed rule
    clock.advance(MIN);
    await engine.settled();
    await report('smoke-1', { temperature: 10 });
    clock.advance(MIN);
    await engine.settled();
    expect(fired).toHaveLength(1);
  });

  it('a rule outside its active window (days, time zone) does not fire; inside, it does', async () => {
    // 09:00 UTC Monday = 17:00 in Shanghai; the window is 18:00–20:00 on weekdays there.
    create({
      conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })],
      actions: [ring],
      timeRange: { startTime: '18:00', endTime: '20:00', daysOfWeek: [1, 2, 3, 4, 5], timezone: 'Asia/Shanghai' },
    });
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(0);
    clock.advance(60 * MIN);
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(1);
    await report('smoke-1', { temperature: 10 });
    clock.set(Date.UTC(2026, 11, 12, 10, 30)); // Saturday 18:30 in Shanghai
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(1);
  });

  it('an alarm action cannot be combined with a time condition', () => {
    const startTime = new Date(clock.now()).toISOString();
    let error: unknown;
    try {
      create({ conditions: [{ kind: 'timer', startTime, repeat: 1, everyMinutes: 1 }], actions: [alarm] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('RULE_ALARM_WITH_TIMER');
    expect((error as DomainError).path).toBe('body.actions.0');
    expect(statusOfError('RULE_ALARM_WITH_TIMER')).toBe(400);
    expect(service.list()).toEqual([]);
  });
});

describe('rules and actions', () => {
  it('trigger immediately evaluates the last reported data at creation; without it, nothing fires', async () => {
    latest.set('smoke-1', [{ serviceId: 'Smoke', properties: { temperature: 75 }, eventTime: clock.now() }]);
    create({ name: 'later', conditions: [hot({ kind: 'product', productId: 'SmokeDetector' })], actions: [ring] });
    create({
      name: 'now',
      matchNow: true,
      conditions: [hot({ kind: 'product', productId: 'SmokeDetector' })],
      actions: [ring],
    });
    await engine.settled();
    expect(fired.map((f) => [f.ruleName, f.deviceId])).toEqual([['now', 'smoke-1']]);
  });

  it('a disabled rule does not fire; enabled again it does', async () => {
    const rule = create({ conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })], actions: [ring] });
    service.setEnabled(rule.ruleId, false);
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(0);
    service.setEnabled(rule.ruleId, true);
    await report('smoke-1', { temperature: 98 });
    expect(fired).toHaveLength(1);
    expect(service.list()[0]).toMatchObject({ enabled: true, firings: 1 });
  });

  it('a failed command is recorded as the action exception; the other actions still run', async () => {
    failCommands = true;
    create({
      conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })],
      actions: [ring, alarm, { kind: 'notify', content: '' }],
    });
    await report('smoke-1', { temperature: 99 });
    const results = fired[0]?.actionsResults ?? [];
    expect(results.map((r) => r.type)).toEqual(['DEVICE_CMD', 'ALARM', 'NOTIFY']);
    expect(results[0]).toMatchObject({ exception: 'the device is unknown to the commands queue', result: null });
    expect(pushes[0]?.firing.actionsResults.map((r) => r.type)).toEqual(['DEVICE_CMD', 'ALARM', 'NOTIFY']);
    expect(service.firings(undefined, 10)).toEqual([fired[0]]);
  });

  it('an alarm raised again while open counts up; acknowledged, then cleared by a user', async () => {
    create({ conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })], actions: [alarm] });
    await report('smoke-1', { temperature: 99 });
    const [first] = alarms.list({ limit: 10 });
    alarms.acknowledge(first?.alarmId ?? '');
    await report('smoke-1', { temperature: 10 }); // recovers: cleared by the rule
    await report('smoke-1', { temperature: 99 });
    clock.advance(MIN);
    // A new occurrence after a clear is a new alarm.
    const list = alarms.list({ limit: 10 });
    expect(list).toHaveLength(2);
    const open = list.find((a) => a.state === 'active');
    expect(open?.count).toBe(1);
    expect(alarms.clear(open?.alarmId ?? '')).toMatchObject({ state: 'cleared', clearedBy: 'user' });
    expect(() => alarms.acknowledge(open?.alarmId ?? '')).toThrow(/already cleared/);
    expect(alarms.list({ state: 'active', limit: 10 })).toEqual([]);
  });

  it('repeats of an open alarm raise its count and last time', () => {
    const a = alarms.raise(
      { appId: 'app1', deviceId: 'smoke-1', ruleId: 'r', level: 'minor', name: 'N', content: '' },
      1000,
    );
    const b = alarms.raise(
      { appId: 'app1', deviceId: 'smoke-1', ruleId: 'r', level: 'major', name: 'N', content: 'x' },
      5000,
    );
    expect(b).toEqual({ alarmId: a.alarmId, count: 2, state: 'active' });
    expect(alarms.list({ limit: 10 })[0]).toMatchObject({
      alarmId: a.alarmId,
      count: 2,
      level: 'major',
      firstAt: new Date(1000).toISOString(),
      lastAt: new Date(5000).toISOString(),
    });
  });

  it('refuses unknown devices and time zones', () => {
    expect(() => create({ conditions: [hot({ kind: 'device', deviceId: 'nope' })], actions: [ring] })).toThrow(
      /no device nope/,
    );
    expect(() =>
      create({
        conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })],
        actions: [ring],
        timeRange: { startTime: '00:00', endTime: '01:00', daysOfWeek: [1], timezone: 'Nowhere/City' },
      }),
    ).toThrow(/unknown time zone/);
  });

  it('rules survive a restart of the engine', async () => {
    create({ conditions: [hot({ kind: 'device', deviceId: 'smoke-1' })], actions: [ring] });
    engine.stop();
    engine.load();
    await report('smoke-1', { temperature: 99 });
    expect(fired).toHaveLength(1);
  });
});
