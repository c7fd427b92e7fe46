// The §1.14 rule API with a real HTTP client against a started core, like an application server: a rule made
// northbound is the one the UI shows and the engine runs (a real MQTT report fires it: a command reaches the device
// and the ruleEvent push reaches a real HTTP receiver); UI rules are listed northbound; update, status one by one
// and in a batch, delete; bad bodies name the field; an alarm with a time condition is refused; apps see their own.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';
import { connectCommandListener, type Downlink } from '../support/command-listener.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const APP_ID = 'nb_rules_app_01';
const APP_SECRET = 'nb-rules-secret-0123456789';
const RULES = '/iocm/app/rule/v1.2.0/rules';
let core: RunningCore;
const call = contractCaller(() => core);
let receiver: TestReceiverServer;
let device: mqtt.MqttClient;
let deviceId: string;
let base: string;
let access: string;
let other: { appId: string; token: string };
const downlinks: Downlink[] = [];

async function login(appId: string, secret: string): Promise<string> {
  const response = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId, secret }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function nb(
  path: string,
  init: { method?: string; body?: unknown; as?: { appId: string; token: string } } = {},
): Promise<{ status: number; json: unknown }> {
  const as = init.as ?? { appId: APP_ID, token: access };
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      app_key: as.appId,
      authorization: `Bearer ${as.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const asRecord = (value: unknown) => value as Record<string, unknown>;
const asList = (value: unknown) => value as Record<string, unknown>[];

async function report(brightness: number) {
  await device.publishAsync(
    `$oc/devices/${deviceId}/sys/properties/report`,
    JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] }),
    { qos: 1 },
  );
}

/** The Java SDK's RuleEngineTest shape: when the lamp's brightness > threshold, command it back down. */
function sdkRule(name: string, threshold: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    author: APP_ID,
    conditions: [
      {
        type: 'DEVICE_DATA',
        deviceInfo: { deviceId, path: 'Light/brightness' },
        operator: '>',
        value: threshold,
        strategy: { trigger: 'pulse' },
      },
    ],
    actions: [
      {
        type: 'DEVICE_CMD',
        deviceId,
        cmd: { serviceId: 'Light', messageType: 'SET_BRIGHTNESS', messageBody: { value: 50 } },
      },
    ],
    ...extra,
  };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  receiver = await startReceiver();
  access = await login(APP_ID, APP_SECRET);
  const product = await call(apiRoutes.createProductFromSample, {
    params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
  });
  const registered = await call(apiRoutes.registerDevice, { body: { productId: product.id, nodeId: 'LAMP-NB-RULE' } });
  deviceId = registered.device.deviceId;
  device = await connectCommandListener(
    core.runtime.ports.mqtt ?? 0,
    { deviceId, secret: registered.secret, nowMs: clock.now() },
    downlinks,
  );
  const sub = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
    method: 'POST',
    body: { notifyType: 'ruleEvent', callbackUrl: receiver.url('/rule-events') },
  });
  expect(sub.status).toBe(201);
  const created = await call(apiRoutes.createApplication, { body: { name: 'Other app', industry: 'Utilities' } });
  other = { appId: created.application.appId, token: await login(created.application.appId, created.secret) };
});

afterAll(async () => {
  device?.end(true);
  await core?.stop();
  await receiver?.close();
});

describe('northbound rules (§1.14)', () => {
  let ruleId: string;

  it('creates a rule that the UI shows and a real MQTT report fires: command to the device, ruleEvent push', async () => {
    const created = await nb(RULES, { method: 'POST', body: sdkRule('too bright', '80') });
    expect(created.status).toBe(200);
    ruleId = asRecord(created.json).ruleId as string;
    expect(ruleId).toEqual(expect.any(String));

    const { rules } = await call(apiRoutes.listLinkageRules, { query: {} });
    expect(rules.find((r) => r.ruleId === ruleId)).toMatchObject({
      appId: APP_ID,
      name: 'too bright',
      enabled: true,
      conditions: [{ kind: 'property', scope: { kind: 'device', deviceId }, property: 'brightness', operator: '>' }],
    });

    await report(60);
    await report(90);
    const down = await eventually(() => downlinks[0]);
    expect(down.json).toMatchObject({ service_id: 'Light', command_name: 'SET_BRIGHTNESS', paras: { value: 50 } });
    const push = await eventually(() =>
      receiver.received.find((r) => r.json.notifyType === 'ruleEvent' && r.json.ruleId === ruleId),
    );
    expect(push.path).toBe('/rule-events');
    expect(push.json).toMatchObject({ author: APP_ID, ruleName: 'too bright', triggerTime: '20261207T080000Z' });
    const results = push.json.actionsResults as { type: string; exception: string | null }[];
    expect(results.map((r) => [r.type, r.exception])).toEqual([
      ['DEVICE_CMD', null],
      ['NOTIFY', null],
    ]);
  });

  it('lists rules made in the UI and northbound as RuleDTO2, filtered by name, author and ruleId', async () => {
    const ui = await call(apiRoutes.createLinkageRule, {
      body: {
        name: 'made in the UI',
        conditions: [
          {
            kind: 'property',
            scope: { kind: 'device', deviceId },
            serviceId: 'Light',
            property: 'brightness',
            operator: '<',
            value: 5,
          },
        ],
        actions: [{ kind: 'alarm', level: 'minor', name: 'Dark', content: 'lamp off?' }],
        timeRange: { startTime: '18:00', endTime: '06:00', daysOfWeek: [1, 2, 3, 4, 5], timezone: 'Asia/Shanghai' },
      },
    });
    const all = await nb(RULES);
    expect(all.status).toBe(200);
    expect(asList(all.json).map((r) => r.name)).toEqual(expect.arrayContaining(['too bright', 'made in the UI']));
    const byName = await nb(`${RULES}?name=${encodeURIComponent('made in the UI')}&author=${APP_ID}`);
    expect(asList(byName.json)).toHaveLength(1);
    expect(asList(byName.json)[0]).toMatchObject({
      ruleId: ui.ruleId,
      author: APP_ID,
      status: 'active',
      logic: 'and',
      timezoneID: 'Asia/Shanghai',
      timeRange: { startTime: '18:00', endTime: '06:00', daysOfWeek: '2,3,4,5,6' },
      conditions: [
        { type: 'DEVICE_DATA', deviceInfo: { deviceId, path: 'Light/brightness' }, operator: '<', value: '5' },
      ],
      actions: [{ type: 'DEVICE_ALARM', name: 'Dark', severity: 'MINOR', description: 'lamp off?' }],
    });
    expect(asList((await nb(`${RULES}?ruleId=${ruleId}`)).json).map((r) => r.name)).toEqual(['too bright']);
    expect((await nb(`${RULES}?author=someone_else`)).json).toEqual([]);
    await call(apiRoutes.deleteLinkageRule, { params: { ruleId: ui.ruleId } });
  });

  it('updates a rule by the ruleId in the body and keeps its status', async () => {
    const updated = await nb(RULES, {
      method: 'PUT',
      body: sdkRule('too bright', '95', { ruleId, description: 'raised the threshold' }),
    });
    expect(updated).toEqual({ status: 200, json: { ruleId } });
    const [listed] = asList((await nb(`${RULES}?ruleId=${ruleId}`)).json);
    expect(listed).toMatchObject({ description: 'raised the threshold', status: 'active' });
    expect(asList(listed?.conditions)[0]).toMatchObject({ value: '95' });

    const noId = await nb(RULES, { method: 'PUT', body: sdkRule('x', '1') });
    expect(noId.status).toBe(400);
    expect(asRecord(noId.json)).toMatchObject({ error_code: '100022' });
    expect(asRecord(noId.json).error_desc).toContain('body.ruleId');
    const unknown = await nb(RULES, { method: 'PUT', body: sdkRule('x', '1', { ruleId: 'no-such-rule' }) });
    expect(unknown.status).toBe(404);
  });

  it('changes one rule status, and the engine stops running it', async () => {
    const off = await nb(`${RULES}/${ruleId}/status/INACTIVE`, { method: 'PUT', body: {} });
    expect(off).toEqual({ status: 200, json: { ruleId, status: 'inactive' } });
    const { rules } = await call(apiRoutes.listLinkageRules, { query: {} });
    expect(rules.find((r) => r.ruleId === ruleId)?.enabled).toBe(false);
    const before = downlinks.length;
    await report(10);
    await report(99);
    await new Promise((r) => setTimeout(r, 300));
    expect(downlinks.length).toBe(before);
    const bad = await nb(`${RULES}/${ruleId}/status/paused`, { method: 'PUT', body: {} });
    expect(bad.status).toBe(400);
    expect(asRecord(bad.json).error_desc).toContain('params.status');
  });

  it('changes statuses in a batch, answering each rule', async () => {
    const batch = await nb(`${RULES}/status`, {
      method: 'PUT',
      body: {
        requests: [
          { ruleId, status: 'ACTIVE' },
          { ruleId: 'no-such-rule', status: 'inactive' },
        ],
      },
    });
    expect(batch.status).toBe(200);
    expect(batch.json).toMatchObject({
      result: { result_code: '100022', result_desc: '1 of 2 rules were not changed' },
      responses: [
        { ruleId, status: 'active', result: { result_code: '0', result_desc: 'success' } },
        { ruleId: 'no-such-rule', status: 'inactive', result: { result_code: '100022' } },
      ],
    });
    expect(asList((await nb(`${RULES}?ruleId=${ruleId}`)).json)[0]?.status).toBe('active');
    const empty = await nb(`${RULES}/status`, { method: 'PUT', body: { requests: [] } });
    expect(empty.status).toBe(400);
    expect(asRecord(empty.json).error_desc).toContain('body.requests');
  });

  it('refuses an alarm action with a time condition, with the reason', async () => {
    const response = await nb(RULES, {
      method: 'POST',
      body: {
        name: 'timed alarm',
        conditions: [{ type: 'DAILY_TIMER', time: '09:00' }],
        actions: [{ type: 'DEVICE_ALARM', name: 'x', severity: 'minor' }],
      },
    });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error_code: '100022',
      error_desc:
        'The input is invalid: an alarm action cannot be combined with a time condition: a timer has no state to recover from',
    });
  });

  it('answers bad bodies with the field that is wrong', async () => {
    const cases: [unknown, string][] = [
      [{ ...sdkRule('x', '1'), name: undefined }, 'body.name'],
      [sdkRule('x', '1', { conditions: [{ type: 'WEATHER' }] }), 'body.conditions.0.type'],
      [
        sdkRule('x', '1', { conditions: [{ type: 'DEVICE_DATA', deviceInfo: { deviceId, path: 'brightness' } }] }),
        'body.conditions.0.deviceInfo.path',
      ],
      [sdkRule('x', '1', { actions: [{ type: 'SMS', phoneNumber: '1' }] }), 'body.actions.0.type'],
      [sdkRule('x', '1', { status: 'paused' }), 'body.status'],
      ['not json at all', 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await nb(RULES, { method: 'POST', body });
      expect(response.status, field).toBe(400);
      expect(asRecord(response.json).error_code).toBe('100022');
      expect(asRecord(response.json).error_desc).toContain(`The input is invalid: ${field}`);
    }
    const unknownDevice = await nb(RULES, {
      method: 'POST',
      body: sdkRule('x', '1', {
        conditions: [
          { type: 'DEVICE_DATA', deviceInfo: { deviceId: 'ghost', path: 'Light/brightness' }, operator: 'changed' },
        ],
      }),
    });
    expect(unknownDevice.status).toBe(404);
    expect(asRecord(unknownDevice.json).error_code).toBe('100403');
  });

  it("keeps applications apart: another app neither sees nor changes this app's rules or devices", async () => {
    expect((await nb(RULES, { as: other })).json).toEqual([]);
    const del = await nb(`${RULES}/${ruleId}`, { method: 'DELETE', as: other });
    expect(del.status).toBe(404);
    const status = await nb(`${RULES}/${ruleId}/status/inactive`, { method: 'PUT', body: {}, as: other });
    expect(status.status).toBe(404);
    const foreign = await nb(RULES, { method: 'POST', body: sdkRule('steal', '1'), as: other });
    expect(foreign.status).toBe(404);
    expect(asRecord(foreign.json).error_code).toBe('100403');
  });

  it('deletes a rule: gone northbound and in the UI', async () => {
    const del = await nb(`${RULES}/${ruleId}`, { method: 'DELETE' });
    expect(del).toEqual({ status: 204, json: undefined });
    expect((await nb(`${RULES}?ruleId=${ruleId}`)).json).toEqual([]);
    const { rules } = await call(apiRoutes.listLinkageRules, { query: {} });
    expect(rules.some((r) => r.ruleId === ruleId)).toBe(false);
    expect((await nb(`${RULES}/${ruleId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('runs a cycle timer made northbound on the platform clock, pushing ruleEvent at each tick in its window', async () => {
    const created = await nb(RULES, {
      method: 'POST',
      body: {
        name: 'every five minutes',
        conditions: [
          { type: 'CYCLE_TIMER', interval: 5, timeRange: { startTime: '08:10', endTime: '08:20', daysOfWeek: null } },
        ],
        actions: [{ type: 'NOTIFY', content: 'tick' }],
      },
    });
    expect(created.status).toBe(200);
    const timerRule = asRecord(created.json).ruleId as string;
    const [listed] = asList((await nb(`${RULES}?ruleId=${timerRule}`)).json);
    expect(listed?.timeRange).toEqual({ startTime: '08:10', endTime: '08:20', daysOfWeek: '1,2,3,4,5,6,7' });
    expect(asList(listed?.conditions)[0]).toMatchObject({
      type: 'CYCLE_TIMER',
      interval: 5,
      startTime: '20261207T081000Z',
    });
    const ticks = () => receiver.received.filter((r) => r.json.ruleId === timerRule);
    clock.advance(10 * 60_000);
    const first = await eventually(() => ticks()[0]);
    expect(first.json).toMatchObject({ triggerTime: '20261207T081000Z', reasons: [{ type: 'TIMER' }] });
    clock.advance(5 * 60_000);
    await eventually(() => ticks()[1]);
    // 08:20 is the window's last tick; 08:25 is past its end.
    clock.advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(ticks().map((t) => t.json.triggerTime)).toEqual([
      '20261207T081000Z',
      '20261207T081500Z',
      '20261207T082000Z',
    ]);
    expect((await nb(`${RULES}/${timerRule}`, { method: 'DELETE' })).status).toBe(204);
  });
});
