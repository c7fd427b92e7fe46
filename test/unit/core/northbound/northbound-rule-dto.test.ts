// The platform's RuleDTO2 (§1.14) to a linkage rule and back: the SDK's own example, timers, alarms, refusals that
// name the field, listed rules that post back unchanged, and garbage that returns an error instead of throwing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkageRule } from '../../../../core/contract/rules.js';
import { ruleFromDto, ruleToDto, type RuleDtoContext } from '../../../../core/northbound/northbound-rule-dto.js';

// Monday 7 December 2026, 08:00:30 UTC.
const NOW = Date.UTC(2026, 11, 7, 8, 0, 30);
const context: RuleDtoContext = {
  now: NOW,
  productOf: (identity) => (identity.model === 'SL100' && identity.deviceType === 'StreetLight' ? 'prod-1' : undefined),
};

/** The Java SDK's RuleEngineTest body: device A's brightness > 80 sends PUT {brightness: 50} to device B. */
const sdkExample = {
  name: 'rule123456',
  author: 'app-1',
  conditions: [
    {
      type: 'DEVICE_DATA',
      deviceInfo: { deviceId: 'dev-a', path: 'Brightness/brightness' },
      operator: '>',
      value: '80',
      strategy: { trigger: 'pulse' },
    },
  ],
  actions: [
    {
      type: 'DEVICE_CMD',
      deviceId: 'dev-b',
      cmd: { serviceId: 'Brightness', messageType: 'PUT', messageBody: { brightness: 50 } },
    },
  ],
};

function mapped(raw: unknown) {
  const result = ruleFromDto(raw, context);
  if (!result.ok) throw new Error(`${result.path}: ${result.message}`);
  return result;
}

function refusal(raw: unknown) {
  const result = ruleFromDto(raw, context);
  if (result.ok) throw new Error('expected a refusal');
  return result;
}

function asRule(input: ReturnType<typeof mapped>['input'], ruleId = 'r-1'): LinkageRule {
  return {
    ruleId,
    appId: 'app-1',
    name: input.name,
    description: input.description,
    logic: input.logic,
    conditions: input.conditions,
    actions: input.actions,
    ...(input.timeRange ? { timeRange: input.timeRange } : {}),
    matchNow: input.matchNow,
    enabled: input.enabled,
    createdAt: new Date(NOW).toISOString(),
    firings: 0,
  };
}

describe('northbound rule DTO to a linkage rule', () => {
  it("maps the SDK's example: a device data condition and a device command, plus the ruleEvent notification", () => {
    const { input, status } = mapped(sdkExample);
    expect(status).toBeUndefined();
    expect(input).toMatchObject({ name: 'rule123456', logic: 'and', matchNow: false, enabled: true });
    expect(input.conditions).toEqual([
      {
        kind: 'property',
        scope: { kind: 'device', deviceId: 'dev-a' },
        serviceId: 'Brightness',
        property: 'brightness',
        operator: '>',
        value: '80',
      },
    ]);
    expect(input.actions).toEqual([
      { kind: 'command', deviceId: 'dev-b', serviceId: 'Brightness', method: 'PUT', paras: { brightness: 50 } },
      { kind: 'notify', content: '' },
    ]);
  });

  it('accepts null for every optional field', () => {
    const nulls = Object.fromEntries(
      [
        'ruleId',
        'appKey',
        'description',
        'author',
        'logic',
        'timeRange',
        'matchNow',
        'status',
        'groupExpress',
        'triggerSources',
        'timezoneID',
        'transData',
        'executor',
        'refreshId',
        'checkNullAction',
        'priority',
        'tags',
        'rulePreProcessors',
      ].map((k) => [k, null]),
    );
    const { input } = mapped({
      ...sdkExample,
      ...nulls,
      conditions: [{ ...sdkExample.conditions[0], id: null, value: 80, duration: null, strategy: null }],
      actions: [{ ...sdkExample.actions[0], id: null, cmdMetaData: null, cmdVersion: null }],
    });
    expect(input.conditions[0]).toMatchObject({ operator: '>', value: 80 });
    expect(input.timeRange).toBeUndefined();
  });

  it('reads status, logic, matchNow, a window with platform days (1 = Sunday) and the time zone', () => {
    const { input, status } = mapped({
      ...sdkExample,
      status: 'INACTIVE',
      logic: 'OR',
      matchNow: 'yes',
      timezoneID: 'Asia/Shanghai',
      timeRange: { startTime: '08:00', endTime: '18:00', daysOfWeek: '2,3,4,5,6' },
    });
    expect(status).toBe('inactive');
    expect(input).toMatchObject({ enabled: false, logic: 'or', matchNow: true });
    expect(input.timeRange).toEqual({
      startTime: '08:00',
      endTime: '18:00',
      daysOfWeek: [1, 2, 3, 4, 5],
      timezone: 'Asia/Shanghai',
    });
  });

  it('maps duration, data validity, between, = and changed', () => {
    const { input } = mapped({
      ...sdkExample,
      logic: 'or',
      conditions: [
        { ...sdkExample.conditions[0], duration: 2, strategy: { eValidTime: 30 } },
        { ...sdkExample.conditions[0], operator: 'between', value: '10, 20' },
        { ...sdkExample.conditions[0], operator: '=', value: 'ON' },
        { ...sdkExample.conditions[0], operator: 'changed', value: null },
      ],
    });
    expect(input.conditions).toMatchObject([
      { operator: '>', holdMinutes: 2, validitySeconds: 30 },
      { operator: 'between', value: '10', value2: '20' },
      { operator: '==', value: 'ON' },
      { operator: 'changed' },
    ]);
  });

  it('finds a DEVICE_TYPE_DATA product by id or by the platform identity', () => {
    const byId = mapped({
      ...sdkExample,
      conditions: [
        { type: 'DEVICE_TYPE_DATA', deviceTypeInfo: { productId: 'p-9', path: 'S/p' }, operator: '<', value: 1 },
      ],
    });
    expect(byId.input.conditions[0]).toMatchObject({ scope: { kind: 'product', productId: 'p-9' } });
    const byIdentity = mapped({
      ...sdkExample,
      conditions: [
        {
          type: 'DEVICE_TYPE_DATA',
          deviceTypeInfo: { deviceType: 'StreetLight', model: 'SL100', path: 'S/p' },
          operator: '<',
          value: 1,
        },
      ],
    });
    expect(byIdentity.input.conditions[0]).toMatchObject({ scope: { kind: 'product', productId: 'prod-1' } });
    expect(
      refusal({
        ...sdkExample,
        conditions: [
          { type: 'DEVICE_TYPE_DATA', deviceTypeInfo: { model: 'X', path: 'S/p' }, operator: '<', value: 1 },
        ],
      }),
    ).toEqual({
      ok: false,
      path: 'body.conditions.0.deviceTypeInfo',
      message: 'no product has the model X with this identity',
    });
  });

  it('turns a daily timer into a timer every 1440 minutes from the next local time, its days into the window', () => {
    const { input } = mapped({
      ...sdkExample,
      timezoneID: 'Asia/Shanghai',
      conditions: [{ type: 'DAILY_TIMER', time: '07:30', daysOfWeek: '1,7' }],
    });
    // 08:00:30 UTC is 16:00:30 in Shanghai: the next 07:30 there is 23:30 UTC the same day.
    expect(input.conditions[0]).toEqual({
      kind: 'timer',
      startTime: '2026-12-07T23:30:00.000Z',
      everyMinutes: 1440,
      repeat: 1440,
    });
    expect(input.timeRange).toEqual({
      startTime: '00:00',
      endTime: '23:59',
      daysOfWeek: [6, 7],
      timezone: 'Asia/Shanghai',
    });
  });

  it('turns a cycle timer into a timer every interval inside its window', () => {
    const { input } = mapped({
      ...sdkExample,
      conditions: [
        { type: 'CYCLE_TIMER', interval: 15, timeRange: { startTime: '09:00', endTime: '17:00', daysOfWeek: null } },
      ],
    });
    expect(input.conditions[0]).toEqual({
      kind: 'timer',
      startTime: '2026-12-07T09:00:00.000Z',
      everyMinutes: 15,
      repeat: 1440,
    });
    expect(input.timeRange).toEqual({
      startTime: '09:00',
      endTime: '17:00',
      daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
      timezone: 'UTC',
    });
  });

  it('maps DEVICE_ALARM and ALARM actions to alarms', () => {
    const { input } = mapped({
      ...sdkExample,
      actions: [
        { type: 'DEVICE_ALARM', name: 'Too bright', severity: 'MAJOR', description: 'above 80' },
        { type: 'ALARM', name: 'Hot', level: 'critical', content: null },
        { type: 'NOTIFY', content: 'look' },
      ],
    });
    expect(input.actions).toEqual([
      { kind: 'alarm', level: 'major', name: 'Too bright', content: 'above 80' },
      { kind: 'alarm', level: 'critical', name: 'Hot', content: '' },
      { kind: 'notify', content: 'look' },
    ]);
  });

  it('refuses bad bodies naming the field', () => {
    expect(refusal({ ...sdkExample, name: '' }).path).toBe('body.name');
    expect(refusal({ ...sdkExample, conditions: [] }).path).toBe('body.conditions');
    expect(refusal({ ...sdkExample, conditions: [{ ...sdkExample.conditions[0], type: 'WEATHER' }] })).toMatchObject({
      path: 'body.conditions.0.type',
      message: expect.stringContaining('DEVICE_DATA') as string,
    });
    expect(
      refusal({
        ...sdkExample,
        conditions: [{ ...sdkExample.conditions[0], deviceInfo: { deviceId: 'd', path: 'x' } }],
      }),
    ).toMatchObject({ path: 'body.conditions.0.deviceInfo.path', message: 'path must be serviceId/propertyName' });
    expect(refusal({ ...sdkExample, conditions: [{ ...sdkExample.conditions[0], value: null }] })).toEqual({
      ok: false,
      path: 'body.conditions.0.value',
      message: 'operator > needs a value',
    });
    expect(
      refusal({ ...sdkExample, conditions: [{ ...sdkExample.conditions[0], operator: 'between', value: '5' }] }),
    ).toMatchObject({ path: 'body.conditions.0.value' });
    expect(refusal({ ...sdkExample, actions: [{ type: 'SMS', msgContent: 'hi', phoneNumber: '1' }] })).toMatchObject({
      path: 'body.actions.0.type',
      message: expect.stringContaining('SMS actions are not supported') as string,
    });
    expect(refusal({ ...sdkExample, actions: [{ type: 'DEVICE_ALARM', name: 'a', severity: 'loud' }] }).path).toBe(
      'body.actions.0.severity',
    );
    expect(refusal({ ...sdkExample, status: 'paused' })).toMatchObject({
      path: 'body.status',
      message: 'status must be ACTIVE or INACTIVE',
    });
    expect(refusal({ ...sdkExample, timezoneID: 'Mars/Olympus' })).toEqual({
      ok: false,
      path: 'body.timezoneID',
      message: 'unknown time zone Mars/Olympus',
    });
    expect(
      refusal({ ...sdkExample, conditions: [{ type: 'DAILY_TIMER', time: '07:30', startTime: 'tomorrow' }] }).path,
    ).toBe('body.conditions.0.startTime');
  });

  it('returns an error for garbage, never throws', () => {
    for (const raw of [undefined, null, 0, 'rule', [], {}, { name: 'x' }, { conditions: 'all' }])
      expect(ruleFromDto(raw, context).ok).toBe(false);
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = ruleFromDto(raw, context);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
    // Near-misses of a valid body: each field replaced by arbitrary JSON.
    const fields = Object.keys(sdkExample) as (keyof typeof sdkExample)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const result = ruleFromDto({ ...sdkExample, [field]: value }, context);
        if (!result.ok) expect(result.path.startsWith('body')).toBe(true);
      }),
    );
  });
});

describe('linkage rule to the northbound DTO', () => {
  it('answers every RuleDTO2 field, with the platform names', () => {
    const dto = ruleToDto(asRule(mapped({ ...sdkExample, description: 'dim B' }).input));
    expect(Object.keys(dto).sort()).toEqual(
      [
        'ruleId',
        'appKey',
        'name',
        'description',
        'author',
        'conditions',
        'logic',
        'timeRange',
        'actions',
        'matchNow',
        'status',
        'groupExpress',
        'triggerSources',
        'timezoneID',
        'transData',
        'executor',
        'refreshId',
        'checkNullAction',
        'priority',
        'tags',
        'rulePreProcessors',
      ].sort(),
    );
    expect(dto).toMatchObject({ ruleId: 'r-1', author: 'app-1', appKey: 'app-1', status: 'active', logic: 'and' });
    expect(dto.conditions[0]).toMatchObject({
      type: 'DEVICE_DATA',
      deviceInfo: { deviceId: 'dev-a', path: 'Brightness/brightness' },
      operator: '>',
      value: '80',
    });
    expect(dto.actions[0]).toMatchObject({
      type: 'DEVICE_CMD',
      deviceId: 'dev-b',
      cmd: { messageType: 'PUT', messageBody: { brightness: 50 }, serviceId: 'Brightness' },
    });
    expect(dto.actions[1]).toMatchObject({ type: 'NOTIFY' });
  });

  it('lists rules that post back to the same rule: conditions, timers, alarms and window', () => {
    const bodies = [
      sdkExample,
      {
        ...sdkExample,
        logic: 'or',
        status: 'inactive',
        timezoneID: 'Europe/Berlin',
        timeRange: { startTime: '22:00', endTime: '06:00', daysOfWeek: '1,2' },
        conditions: [
          { ...sdkExample.conditions[0], operator: 'between', value: '1,9', duration: 3, strategy: { eValidTime: 60 } },
          { type: 'DEVICE_GROUP_DATA', groupInfo: { groupId: 'g-1', path: 'S/p' }, operator: 'changed' },
          {
            type: 'DEVICE_TYPE_DATA',
            deviceTypeInfo: { productId: 'p-1', path: 'S/q' },
            operator: 'contains',
            value: 'x',
          },
        ],
        actions: [
          { type: 'DEVICE_ALARM', name: 'A', severity: 'warning', description: 'd' },
          { ...sdkExample.actions[0], cmdMetaData: { expireTime: 60, callbackUrl: 'http://127.0.0.1:9/cb' } },
        ],
      },
      { ...sdkExample, conditions: [{ type: 'DAILY_TIMER', time: '07:30', daysOfWeek: '2,3' }] },
      {
        ...sdkExample,
        conditions: [{ type: 'CYCLE_TIMER', interval: 5, timeRange: { startTime: '09:00', endTime: '10:00' } }],
      },
    ];
    for (const body of bodies) {
      const first = mapped(body).input;
      const again = mapped({ ...ruleToDto(asRule(first)), ruleId: 'r-1' });
      expect(again.input).toEqual(first);
      expect(again.ruleId).toBe('r-1');
    }
  });
});
