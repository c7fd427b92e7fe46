// Linkage rules through the whole platform: a real MQTT device reports, the rule fires a command that reaches the
// device on its own topic, a ruleEvent push reaches a subscribed callback server (§1.11), an alarm is raised and
// shows in the northbound device view's alarmInfo, recovery clears it; trying a rule against recorded history.
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
const APP_ID = 'rules_app_01';
const APP_SECRET = 'rules-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let receiver: TestReceiverServer;
let device: mqtt.MqttClient;
let deviceId: string;
let base: string;
let access: string;
const downlinks: Downlink[] = [];

async function report(brightness: number) {
  await device.publishAsync(
    `$oc/devices/${deviceId}/sys/properties/report`,
    JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] }),
    { qos: 1 },
  );
}

async function nb(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      app_key: APP_ID,
      authorization: `Bearer ${access}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  receiver = await startReceiver();
  const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  access = ((await login.json()) as { accessToken: string }).accessToken;
  const product = await call(apiRoutes.createProductFromSample, {
    params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
  });
  const registered = await call(apiRoutes.registerDevice, { body: { productId: product.id, nodeId: 'LAMP-RULE' } });
  deviceId = registered.device.deviceId;
  device = await connectCommandListener(
    core.runtime.ports.mqtt ?? 0,
    { deviceId, secret: registered.secret, nowMs: clock.now() },
    downlinks,
  );
  const sub = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
    method: 'POST',
    body: { notifyType: 'ruleEvent', callbackUrl: receiver.url('/rules') },
  });
  expect(sub.status).toBe(201);
});

afterAll(async () => {
  device?.end(true);
  await core?.stop();
  await receiver?.close();
});

describe('linkage rules on the platform', () => {
  let ruleId: string;

  it('fires on a report: command to the device, ruleEvent push, alarm in the device view', async () => {
    const rule = await call(apiRoutes.createLinkageRule, {
      body: {
        name: 'too bright',
        conditions: [
          {
            kind: 'property',
            scope: { kind: 'device', deviceId },
            serviceId: 'Light',
            property: 'brightness',
            operator: '>',
            value: 80,
          },
        ],
        actions: [
          { kind: 'command', deviceId, serviceId: 'Light', method: 'SET_BRIGHTNESS', paras: { value: 50 } },
          { kind: 'alarm', level: 'major', name: 'Too bright', content: 'brightness above 80' },
          { kind: 'notify', content: 'dimming the lamp' },
        ],
      },
    });
    ruleId = rule.ruleId;
    await report(60);
    await report(90);
    const down = await eventually(() => downlinks[0]);
    expect(down.topic).toMatch(new RegExp(`^\\$oc/devices/${deviceId}/sys/commands/request_id=`));
    expect(down.json).toMatchObject({ service_id: 'Light', command_name: 'SET_BRIGHTNESS', paras: { value: 50 } });

    const push = await eventually(() => receiver.received.find((r) => r.json.notifyType === 'ruleEvent'));
    expect(push.path).toBe('/rules');
    expect(push.json).toMatchObject({
      notifyType: 'ruleEvent',
      author: APP_ID,
      ruleId,
      ruleName: 'too bright',
      logic: 'and',
      triggerTime: '20261207T080000Z',
      reasons: [{ type: 'DEVICE', id: deviceId, satisfactionTime: '20261207T080000Z', transInfo: null }],
    });
    const results = push.json.actionsResults as { type: string; exception: string | null }[];
    expect(results.map((r) => [r.type, r.exception])).toEqual([
      ['DEVICE_CMD', null],
      ['ALARM', null],
      ['NOTIFY', null],
    ]);

    const { alarms } = await call(apiRoutes.listAlarms, { query: { deviceId } });
    expect(alarms).toMatchObject([{ level: 'major', name: 'Too bright', state: 'active', count: 1, appId: APP_ID }]);
    const view = await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`);
    expect(view.json.alarmInfo).toEqual({ alarmSeverity: 'MAJOR', alarmStatus: true, alarmTime: '20261207T080000Z' });
    const { firings } = await call(apiRoutes.listRuleFirings, { query: { ruleId } });
    expect(firings).toHaveLength(1);
  });

  it('recovers when the condition stops holding: the alarm clears, alarmInfo is null again', async () => {
    await report(30);
    await eventually(async () => {
      const { alarms } = await call(apiRoutes.listAlarms, { query: { deviceId } });
      return alarms[0]?.state === 'cleared' ? true : undefined;
    });
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`)).json.alarmInfo).toBeNull();
  });

  it('tries a rule against recorded history without running it', async () => {
    const trial = await call(apiRoutes.tryLinkageRule, {
      body: {
        name: 'trial',
        conditions: [
          {
            kind: 'property',
            scope: { kind: 'device', deviceId },
            serviceId: 'Light',
            property: 'brightness',
            operator: '>=',
            value: 60,
          },
        ],
        actions: [{ kind: 'notify' }],
      },
    });
    // 60 fires, 90 still holds, 30 re-arms: one hit.
    expect(trial.reportsRead).toBe(3);
    expect(trial.hits).toHaveLength(1);
    expect(trial.hits[0]?.reasons[0]?.info).toMatchObject({ value: 60 });
  });

  it('refuses an alarm with a time condition (400, with the reason and the path)', async () => {
    const response = await core.api('/api/rules/linkage', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'timed alarm',
        conditions: [{ kind: 'timer', startTime: '2026-12-07T09:00:00Z', repeat: 2, everyMinutes: 5 }],
        actions: [{ kind: 'alarm', level: 'minor', name: 'x' }],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'RULE_ALARM_WITH_TIMER', path: 'body.actions.0' });
  });

  it('a disabled rule does not fire', async () => {
    await call(apiRoutes.enableLinkageRule, { params: { ruleId }, body: { enabled: false } });
    const before = downlinks.length;
    await report(95);
    await new Promise((r) => setTimeout(r, 300));
    expect(downlinks.length).toBe(before);
  });
});
