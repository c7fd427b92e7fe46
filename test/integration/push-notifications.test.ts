// Subscriptions through the northbound API and the pushes a real callback server receives, with the bodies of §1.11,
// as an application server written for the platform sees them: devices added, changed, reporting (one service,
// several, a gateway's sub-device), messages, command responses, deletion, product models; none while the
// application keeps no history.
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { startReceiver, type ReceivedRequest, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
const APP_ID = 'push_app_01';
const APP_SECRET = 'push-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let access: string;
let receiver: TestReceiverServer;
let streetLight: string;

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

/** Waits for the next push of a type (for a device) after `from` received pushes. */
async function pushOf(notifyType: string, match: (r: ReceivedRequest) => boolean = () => true, from = 0) {
  return eventually(() => receiver.received.slice(from).find((r) => r.json.notifyType === notifyType && match(r)));
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
});

afterAll(async () => {
  await core.stop();
  await receiver.close();
});

describe('subscription API (§1.10)', () => {
  it('creates (201), gets, lists with paging and deletes subscriptions', async () => {
    const created = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
      method: 'POST',
      body: { notifyType: 'ruleEvent', callbackUrl: 'http://127.0.0.1:9/rules' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      subscriptionId: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      notifyType: 'ruleEvent',
      callbackUrl: 'http://127.0.0.1:9/rules',
    });
    const id = created.json.subscriptionId as string;
    expect((await nb(`/iocm/app/sub/v1.2.0/subscriptions/${id}`)).json).toEqual(created.json);

    await nb('/iocm/app/sub/v1.2.0/subscriptions', {
      method: 'POST',
      body: { notifyType: 'serviceInfoChanged', callbackUrl: 'https://app.example:8443/svc' },
    });
    const page = await nb('/iocm/app/sub/v1.2.0/subscriptions?pageNo=1&pageSize=1');
    expect(page.json).toMatchObject({ totalCount: 2, pageNo: 1, pageSize: 1 });
    expect(page.json.subscriptions).toEqual([
      expect.objectContaining({ notifyType: 'serviceInfoChanged', callbackUrl: 'https://app.example:8443/svc' }),
    ]);
    const filtered = await nb('/iocm/app/sub/v1.2.0/subscriptions?notifyType=ruleEvent');
    expect(filtered.json.totalCount).toBe(1);

    expect((await nb(`/iocm/app/sub/v1.2.0/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await nb(`/iocm/app/sub/v1.2.0/subscriptions/${id}`)).status).toBe(404);
    const many = await nb('/iocm/app/sub/v1.2.0/subscriptions?notifyType=serviceInfoChanged', { method: 'DELETE' });
    expect(many.status).toBe(204);
    expect((await nb('/iocm/app/sub/v1.2.0/subscriptions')).json.totalCount).toBe(0);
  });

  it('refuses a callback URL without an explicit port, and an unknown notify type', async () => {
    const noPort = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
      method: 'POST',
      body: { notifyType: 'deviceAdded', callbackUrl: 'http://app.example/callback' },
    });
    expect(noPort.status).toBe(400);
    expect(noPort.json.error_code).toBe('100022');
    expect(noPort.json.error_desc).toContain('explicit port');
    const badType = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
      method: 'POST',
      body: { notifyType: 'somethingElse', callbackUrl: 'http://127.0.0.1:9/x' },
    });
    expect(badType.status).toBe(400);
  });

  it('answers garbage subscription bodies with 400, never 500', async () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record({
        notifyType: fc.oneof(fc.string(), fc.constant('deviceAdded')),
        callbackUrl: fc.oneof(fc.string(), fc.webUrl()),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom(
          '/iocm/app/sub/v1.2.0/subscriptions',
          '/iodm/app/sub/v1.1.0/subscribe',
          '/iocm/app/sub/v1.1.0/subscribe',
        ),
        async (value, path) => {
          const response = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: { app_key: APP_ID, authorization: `Bearer ${access}`, 'content-type': 'application/json' },
            body: JSON.stringify(value) ?? 'null',
          });
          expect([200, 201, 400]).toContain(response.status);
        },
      ),
      { numRuns: 150 },
    );
    await nb('/iocm/app/sub/v1.2.0/subscriptions', { method: 'DELETE' });
  });

  it('accepts the deprecated v1.1.0 subscribe and management subscriptions with callbackurl or callbackUrl', async () => {
    const old = await nb('/iocm/app/sub/v1.1.0/subscribe', {
      method: 'POST',
      body: { notifyType: 'deviceEvent', callbackurl: 'http://127.0.0.1:9/old' },
    });
    expect(old.status).toBe(201);
    const lower = await nb('/iodm/app/sub/v1.1.0/subscribe', {
      method: 'POST',
      body: { notifyType: 'fwUpgradeResultNotify', callbackurl: 'http://127.0.0.1:9/fw' },
    });
    expect(lower.status).toBe(200);
    expect(lower.json).toBeUndefined();
    const camel = await nb('/iodm/app/sub/v1.1.0/subscribe', {
      method: 'POST',
      body: { notifyType: 'swUpgradeStateChangeNotify', callbackUrl: 'http://127.0.0.1:9/sw' },
    });
    expect(camel.status).toBe(200);
    const business = await nb('/iodm/app/sub/v1.1.0/subscribe', {
      method: 'POST',
      body: { notifyType: 'deviceAdded', callbackUrl: 'http://127.0.0.1:9/sw' },
    });
    expect(business.status).toBe(400);
    const { items } = await call(apiRoutes.listSubscriptions, { params: { appId: APP_ID } });
    expect(items.map((s) => s.notifyType).sort()).toEqual(
      ['deviceEvent', 'fwUpgradeResultNotify', 'swUpgradeStateChangeNotify'].sort(),
    );
    await nb('/iocm/app/sub/v1.2.0/subscriptions', { method: 'DELETE' });
    for (const s of items)
      await call(apiRoutes.deleteSubscription, { params: { appId: APP_ID, subscriptionId: s.subscriptionId } }).catch(
        () => undefined,
      );
    expect((await call(apiRoutes.listSubscriptions, { params: { appId: APP_ID } })).items).toEqual([]);
  });
});

describe('pushes (§1.11)', () => {
  const types = [
    'deviceAdded',
    'deviceInfoChanged',
    'deviceDataChanged',
    'deviceDatasChanged',
    'deviceDeleted',
    'commandRsp',
    'deviceEvent',
    'deviceModelAdded',
    'deviceModelDeleted',
    'messageConfirm',
    'bindDevice',
  ];
  let deviceId: string;
  let secret: string;
  let client: mqtt.MqttClient;

  it('subscribes every notify type to one callback URL', async () => {
    for (const notifyType of types) {
      const r = await nb('/iocm/app/sub/v1.2.0/subscriptions', {
        method: 'POST',
        body: { notifyType, callbackUrl: receiver.url() },
      });
      expect(r.status).toBe(201);
    }
  });

  it('pushes deviceModelAdded and deviceModelDeleted for product models', async () => {
    streetLight = (
      await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
    ).id;
    const added = await pushOf('deviceModelAdded');
    expect(added.json).toEqual({
      notifyType: 'deviceModelAdded',
      appId: APP_ID,
      deviceType: 'StreetLight',
      manufacturerName: expect.any(String) as string,
      manufacturerId: 'WorkbenchSamples',
      model: 'SL100MQTT',
      protocolType: 'MQTT',
    });
    const meter = await call(apiRoutes.createProductFromSample, {
      params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' },
    });
    await call(apiRoutes.deleteProduct, { params: { id: meter.id } });
    const deleted = await pushOf('deviceModelDeleted');
    expect(deleted.json).toMatchObject({ notifyType: 'deviceModelDeleted', appId: APP_ID, deviceType: 'WaterMeter' });
  });

  it('pushes deviceAdded when the application registers a device, deviceInfoChanged when it changes', async () => {
    const registered = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', {
      method: 'POST',
      body: { deviceInfo: { nodeId: 'LAMP-PUSH', name: 'Lamp' }, productId: streetLight },
    });
    deviceId = registered.json.deviceId as string;
    secret = registered.json.secret as string;
    const added = await pushOf('deviceAdded', (r) => r.json.deviceId === deviceId);
    expect(added.headers['content-type']).toBe('application/json');
    expect(added.json).toMatchObject({
      notifyType: 'deviceAdded',
      deviceId,
      gatewayId: deviceId,
      nodeType: 'ENDPOINT',
      deviceInfo: {
        nodeId: 'LAMP-PUSH',
        name: 'Lamp',
        manufacturerId: 'WorkbenchSamples',
        deviceType: 'StreetLight',
        model: 'SL100MQTT',
        protocolType: 'MQTT',
        status: 'INACTIVE',
      },
    });
    const mark = receiver.received.length;
    expect(
      (await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`, { method: 'PUT', body: { name: 'Lamp 7' } })).status,
    ).toBe(204);
    const changed = await pushOf('deviceInfoChanged', () => true, mark);
    expect(changed.json).toMatchObject({ notifyType: 'deviceInfoChanged', deviceId, gatewayId: deviceId });
    expect((changed.json.deviceInfo as { name: string }).name).toBe('Lamp 7');
  });

  it('pushes the online status, then deviceDataChanged for one service and deviceDatasChanged for several', async () => {
    const mark = receiver.received.length;
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(deviceId, secret, { nowMs: clock.now() }),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const online = await pushOf(
      'deviceInfoChanged',
      (r) => (r.json.deviceInfo as { status?: string }).status === 'ONLINE',
      mark,
    );
    expect(online.json.deviceId).toBe(deviceId);

    await client.publishAsync(
      `$oc/devices/${deviceId}/sys/properties/report`,
      JSON.stringify({
        services: [{ service_id: 'Light', properties: { brightness: 40 }, event_time: '20261126T080100Z' }],
      }),
      { qos: 1 },
    );
    const one = await pushOf('deviceDataChanged', () => true, mark);
    expect(one.json).toEqual({
      notifyType: 'deviceDataChanged',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      deviceId,
      gatewayId: deviceId,
      service: { serviceId: 'Light', serviceType: 'Light', data: { brightness: 40 }, eventTime: '20261126T080100Z' },
    });

    await client.publishAsync(
      `$oc/devices/${deviceId}/sys/properties/report`,
      JSON.stringify({
        services: [
          { service_id: 'Light', properties: { brightness: 41 }, event_time: '20261126T080200Z' },
          { service_id: 'Sensor', properties: { illuminance: 3.5 }, event_time: '20261126T080200Z' },
        ],
      }),
      { qos: 1 },
    );
    const many = await pushOf('deviceDatasChanged', () => true, mark);
    expect(many.json).toEqual({
      notifyType: 'deviceDatasChanged',
      requestId: expect.any(String) as string,
      deviceId,
      gatewayId: deviceId,
      services: [
        { serviceId: 'Light', serviceType: 'Light', data: { brightness: 41 }, eventTime: '20261126T080200Z' },
        { serviceId: 'Sensor', serviceType: 'Sensor', data: { illuminance: 3.5 }, eventTime: '20261126T080200Z' },
      ],
    });
    // A URL subscribed to both forms gets the batch once, not each service again.
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.filter((r) => r.json.notifyType === 'deviceDataChanged')).toHaveLength(1);
  });

  it("pushes a gateway sub-device's report as deviceDatasChanged naming the gateway", async () => {
    const sub = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'SUB-PUSH-1', gatewayId: deviceId },
    });
    const subId = sub.device.deviceId;
    await pushOf('deviceAdded', (r) => r.json.deviceId === subId);
    const mark = receiver.received.length;
    await client.publishAsync(
      `$oc/devices/${deviceId}/sys/gateway/sub_devices/properties/report`,
      JSON.stringify({
        devices: [
          {
            device_id: subId,
            services: [{ service_id: 'Light', properties: { brightness: 5 }, event_time: '20261126T080300Z' }],
          },
        ],
      }),
      { qos: 1 },
    );
    const pushed = await pushOf('deviceDatasChanged', () => true, mark);
    expect(pushed.json).toMatchObject({
      deviceId: subId,
      gatewayId: deviceId,
      services: [{ serviceId: 'Light', serviceType: 'Light', data: { brightness: 5 }, eventTime: '20261126T080300Z' }],
    });

    const deleteMark = receiver.received.length;
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${subId}`, { method: 'DELETE' })).status).toBe(204);
    const deleted = await pushOf('deviceDeleted', () => true, deleteMark);
    expect(deleted.json).toEqual({ notifyType: 'deviceDeleted', deviceId: subId, gatewayId: deviceId });
  });

  it('forwards a custom message as deviceEvent without storing it', async () => {
    const before = await call(apiRoutes.latestDeviceData, { params: { id: deviceId } });
    await client.publishAsync(`$oc/devices/${deviceId}/sys/messages/up`, 'hello app', { qos: 1 });
    const event = await pushOf('deviceEvent');
    expect(event.json).toMatchObject({
      notifyType: 'deviceEvent',
      header: {
        eventType: 'message',
        deviceId,
        serviceType: 'message',
        eventTime: expect.stringMatching(/^\d{8}T\d{6}Z$/) as string,
      },
      body: { topic: `$oc/devices/${deviceId}/sys/messages/up`, content: 'hello app' },
    });
    expect(await call(apiRoutes.latestDeviceData, { params: { id: deviceId } })).toEqual(before);
  });

  it("pushes commandRsp with the device's answer", async () => {
    client.on('message', (topic) => {
      const rid = topic.split('request_id=')[1];
      if (!rid) return;
      void client.publishAsync(
        `$oc/devices/${deviceId}/sys/commands/response/request_id=${rid}`,
        JSON.stringify({ result_code: 0, response_name: 'SWITCH_LIGHT_RSP', paras: { light: 'ON' } }),
        { qos: 1 },
      );
    });
    const result = await call(apiRoutes.sendDeviceCommand, {
      params: { id: deviceId },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' } },
    });
    const rsp = await pushOf('commandRsp');
    expect(rsp.json).toMatchObject({
      notifyType: 'commandRsp',
      header: { requestId: result.commandId, deviceId, method: 'SWITCH_LIGHT_RSP' },
      body: { resultCode: 0, light: 'ON' },
    });
    // The same command was confirmed as it went: sent, delivered (PUBACK), executed (the answer).
    for (const status of ['sent', 'delivered', 'executed']) {
      const confirm = await pushOf('messageConfirm', (r) => (r.json.header as { status?: string }).status === status);
      expect(confirm.json).toMatchObject({
        notifyType: 'messageConfirm',
        header: { requestId: result.commandId, from: `/devices/${deviceId}`, status },
        body: {},
      });
      expect((confirm.json.header as { timestamp: string }).timestamp).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });

  it('pushes bindDevice when a verify-code device connects in time, and when another one expires', async () => {
    const bound = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'LAMP-BIND', verifyCode: 'LAMP-BIND', timeout: 300 },
    });
    const late = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'LAMP-LATE', verifyCode: 'LAMP-LATE', timeout: 60 },
    });
    const lamp = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(bound.device.deviceId, bound.secret, { nowMs: clock.now() }),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const succeeded = await pushOf('bindDevice', (r) => r.json.deviceId === bound.device.deviceId);
    expect(succeeded.json).toMatchObject({
      notifyType: 'bindDevice',
      deviceId: bound.device.deviceId,
      resultCode: 'succeeded',
      deviceInfo: { nodeId: 'LAMP-BIND', protocolType: 'MQTT' },
    });
    await lamp.endAsync();
    clock.advance(61_000);
    const expired = await pushOf('bindDevice', (r) => r.json.deviceId === late.device.deviceId);
    expect(expired.json).toMatchObject({ deviceId: late.device.deviceId, resultCode: 'expired' });
  });

  it('pushes nothing while the application does not store history data (R-5.3)', async () => {
    await call(apiRoutes.updateApplication, { params: { appId: APP_ID }, body: { storeHistory: false } });
    expect((await call(apiRoutes.listSubscriptions, { params: { appId: APP_ID } })).pushing).toBe(false);
    const mark = receiver.received.length;
    await client.publishAsync(
      `$oc/devices/${deviceId}/sys/properties/report`,
      JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: 60 } }] }),
      { qos: 1 },
    );
    await client.publishAsync(`$oc/devices/${deviceId}/sys/messages/up`, 'quiet', { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.slice(mark)).toEqual([]);

    await call(apiRoutes.updateApplication, { params: { appId: APP_ID }, body: { storeHistory: true } });
    await client.publishAsync(
      `$oc/devices/${deviceId}/sys/properties/report`,
      JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: 61 } }] }),
      { qos: 1 },
    );
    const again = await pushOf('deviceDataChanged', () => true, mark);
    expect((again.json.service as { data: unknown }).data).toEqual({ brightness: 61 });
    await client.endAsync();
  });

  it('shows the URL state and its recent deliveries on the workbench API', async () => {
    const listed = await call(apiRoutes.listSubscriptions, { params: { appId: APP_ID } });
    const state = listed.urls.find((u) => u.url === receiver.url());
    expect(state).toMatchObject({ state: 'ok', queueDepth: 0, failures: 0, dropped: 0 });
    expect(state?.delivered).toBe(receiver.received.length);
    const { items } = await call(apiRoutes.listPushDeliveries, { query: { url: receiver.url(), limit: '5' } });
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({ outcome: 'delivered', statusCode: 200, notifyType: 'deviceDataChanged' });
  });
});
