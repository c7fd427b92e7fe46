// Device shadow and configuration update end to end on a real core with a moved clock: a Python paho device that
// behaves like the official IoTDA SDK (property sets, shadow get, time sync), a legacy MQTT device, the LwM2M test
// client taking desired values through the water meter's layout codec, desired-status pushes to a node:http
// receiver, the northbound shadow API, config merge / schedule / retry, and a restart with pending state.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { MQTT_ONLINE_GRACE_MS } from '../../core/commands/index.js';
import { formatNorthboundTime } from '../../core/northbound/index.js';
import { apiRoutes, type DeviceShadow } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { Lwm2mTestClient } from '../support/lwm2m-test-client.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const DEVICE = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_shadow_device.py');
const APP_ID = 'shadow_app_01';
const APP_SECRET = 'shadow-secret-0123456789';
const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 27, 9, 0, 0));
const dataDir = tempDir();
let core: RunningCore;
const call = contractCaller(() => core);
let receiver: TestReceiverServer;
let streetLight: string;
let waterMeter: string;
const children: ChildProcessWithoutNullStreams[] = [];

type DeviceEvent = Record<string, unknown>;

interface ShadowDevice {
  events: DeviceEvent[];
  send(request: unknown): void;
  next<T>(key: string, from?: number): Promise<T>;
  all<T>(key: string): T[];
  stop(): void;
}

async function startDevice(deviceId: string, secret: string, dialect: 'legacy' | 'iotda'): Promise<ShadowDevice> {
  const login = deviceLogin(deviceId, secret, { nowMs: clock.now() });
  const child = spawn('/usr/bin/python3', [
    DEVICE,
    JSON.stringify({ host: '127.0.0.1', port: core.runtime.ports.mqtt, deviceId, dialect, ...login }),
  ]);
  children.push(child);
  const events: DeviceEvent[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) events.push(JSON.parse(line) as DeviceEvent);
  });
  const all = <T>(key: string) => events.filter((e) => key in e).map((e) => e[key] as T);
  const device: ShadowDevice = {
    events,
    send: (request) => child.stdin.write(`${JSON.stringify(request)}\n`),
    next: <T>(key: string, from = 0) => eventually(() => all<T>(key)[from]),
    all,
    stop: () => child.stdin.end(),
  };
  expect(await device.next<number>('connack')).toBe(0);
  // Let a legacy SUBSCRIBE land before anything is sent.
  await new Promise((r) => setTimeout(r, 150));
  return device;
}

const register = (productId: string, nodeId: string) => call(apiRoutes.registerDevice, { body: { productId, nodeId } });
const shadowOf = (id: string) => call(apiRoutes.getShadow, { params: { id } });
const setDesired = (id: string, serviceId: string, desired: Record<string, unknown>) =>
  call(apiRoutes.setDesired, { params: { id }, body: { services: [{ serviceId, desired }] } });
const until = (id: string, check: (s: DeviceShadow) => boolean) =>
  eventually(async () => {
    const s = await shadowOf(id);
    return check(s) ? s : undefined;
  });
const desiredOf = (s: DeviceShadow, serviceId: string, property: string) =>
  s.services.find((x) => x.serviceId === serviceId)?.desired[property];
const settled = (serviceId: string, property: string) => (s: DeviceShadow) => {
  const d = desiredOf(s, serviceId, property);
  return d?.delivery === 'delivered' && d.mismatchSince === undefined;
};
const pushFor = (deviceId: string, status: string) =>
  eventually(() =>
    receiver.received.find(
      (r) =>
        r.json.notifyType === 'deviceDesiredPropertiesModifyStatusChanged' &&
        r.json.deviceId === deviceId &&
        r.json.status === status,
    ),
  );
const configs = (id: string) => call(apiRoutes.listConfigUpdates, { params: { id } });
const configUntil = (id: string, configId: string, status: string) =>
  eventually(async () => {
    const c = (await configs(id)).items.find((x) => x.configId === configId);
    return c?.status === status ? c : undefined;
  });

beforeAll(async () => {
  receiver = await startReceiver();
  core = await startCore({ dataDir, clock, appId: APP_ID, appSecret: APP_SECRET });
  await call(apiRoutes.createSubscription, {
    params: { appId: APP_ID },
    body: { notifyType: 'deviceDesiredPropertiesModifyStatusChanged', callbackUrl: receiver.url('/shadow') },
  });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  waterMeter = (await createWaterMeterProduct(call)).id;
});

afterAll(async () => {
  for (const c of children) c.stdin.end();
  await core.stop();
  await receiver.close();
});

describe('shadow of an IoTDA device (the SDK shapes)', () => {
  it('sends a desired value at once as sys/properties/set; the report clears the mismatch; DELIVERED is pushed', async () => {
    const { device, secret } = await register(streetLight, 'shadow-iotda');
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    clock.advance(MQTT_ONLINE_GRACE_MS);
    const set = await setDesired(device.deviceId, 'Light', { brightness: 40 });
    expect(desiredOf(set, 'Light', 'brightness')).toMatchObject({ value: 40, setBy: 'ui', mismatchSince: clock.now() });
    const received = await paho.next<{ objectDeviceId: string; services: unknown[] }>('propertiesSet');
    expect(received.objectDeviceId).toBe(device.deviceId);
    expect(received.services).toEqual([{ service_id: 'Light', properties: { brightness: 40 } }]);
    const shadow = await until(device.deviceId, settled('Light', 'brightness'));
    expect(shadow.services.find((s) => s.serviceId === 'Light')?.reported).toMatchObject({ brightness: 40 });
    expect(shadow.online).toBe(true);
    const push = await pushFor(device.deviceId, 'DELIVERED');
    expect(push.json).toEqual({
      notifyType: 'deviceDesiredPropertiesModifyStatusChanged',
      deviceId: device.deviceId,
      serviceId: 'Light',
      properties: { brightness: 40 },
      status: 'DELIVERED',
    });
    const history = await call(apiRoutes.listDesiredHistory, { params: { id: device.deviceId } });
    expect(history.items).toEqual([
      expect.objectContaining({
        serviceId: 'Light',
        property: 'brightness',
        newValue: 40,
        by: 'ui',
        delivery: 'delivered',
      }),
    ]);

    // The device asks for its shadow the way the SDK's get_device_shadow does, and the shadow callback gets it.
    paho.send({ shadowGet: { requestId: 'ask-1', serviceId: 'Light' } });
    const answer = await paho.next<{ requestId: string; objectDeviceId: string; shadow: Record<string, unknown>[] }>(
      'shadow',
    );
    expect(answer.requestId).toBe('ask-1');
    expect(answer.objectDeviceId).toBe(device.deviceId);
    expect(answer.shadow).toEqual([
      {
        service_id: 'Light',
        desired: { properties: { brightness: 40 }, event_time: '20261127T090001Z' },
        reported: {
          properties: expect.objectContaining({ brightness: 40 }) as unknown,
          event_time: '20261127T090001Z',
        },
        version: 1,
      },
    ]);
    paho.send({ shadowGet: { requestId: 'ask-2' } });
    const whole = await paho.next<{ shadow: { service_id: string }[] }>('shadow', 1);
    expect(whole.shadow.map((s) => s.service_id)).toEqual(expect.arrayContaining(['Light', 'Energy', 'Sensor']));

    // $time_sync: answered with the platform's (moved) clock.
    paho.send({ timeSync: true });
    const sync = await paho.next<{ deviceSendTime: number; serverRecvTime: number; serverSendTime: number }>(
      'timeSync',
    );
    expect(sync.serverRecvTime).toBe(clock.now());
    expect(sync.serverSendTime).toBe(clock.now());
    expect(sync.deviceSendTime).toBeGreaterThan(Date.UTC(2026, 0, 1) - 365 * 86_400_000);
    paho.stop();
  });

  it('refuses desired values the model does not allow', async () => {
    const { device } = await register(streetLight, 'shadow-refused');
    const refused = async (serviceId: string, desired: Record<string, unknown>) => {
      const error = await setDesired(device.deviceId, serviceId, desired).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiCallError);
      return error as ApiCallError;
    };
    expect(await refused('Energy', { voltage: 3 })).toMatchObject({ status: 400, code: 'BAD_DESIRED' });
    expect((await refused('Light', { brightness: 101 })).path).toBe('body.services.0.desired.brightness');
    expect(await refused('Nope', { x: 1 })).toMatchObject({ status: 400, code: 'BAD_DESIRED' });
    expect((await call(apiRoutes.listDesiredHistory, { params: { id: device.deviceId } })).items).toEqual([]);
  });

  it('keeps a desired value for an offline device and sends it when the device reports', async () => {
    const { device, secret } = await register(streetLight, 'shadow-offline');
    const set = await setDesired(device.deviceId, 'Light', { brightness: 70 });
    expect(desiredOf(set, 'Light', 'brightness')?.delivery).toBe('pending');
    expect(set.online).toBe(false);
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    // No grace passes: the report itself is what the desired value waited for.
    paho.send({ report: { Light: { brightness: 1 } } });
    const received = await paho.next<{ services: unknown[] }>('propertiesSet');
    expect(received.services).toEqual([{ service_id: 'Light', properties: { brightness: 70 } }]);
    await until(device.deviceId, settled('Light', 'brightness'));
    paho.stop();
  });
});

describe('shadow of a legacy MQTT device', () => {
  it('sends the desired value as the model command SET_BRIGHTNESS with its mid; the report clears the mismatch', async () => {
    const { device, secret } = await register(streetLight, 'shadow-legacy');
    const paho = await startDevice(device.deviceId, secret, 'legacy');
    clock.advance(MQTT_ONLINE_GRACE_MS);
    await setDesired(device.deviceId, 'Light', { brightness: 55 });
    const request = await paho.next<Record<string, unknown>>('cloudReq');
    expect(request).toMatchObject({
      msgType: 'cloudReq',
      serviceId: 'Light',
      cmd: 'SET_BRIGHTNESS',
      paras: { value: 55 },
    });
    expect(typeof request.mid).toBe('number');
    await until(device.deviceId, settled('Light', 'brightness'));
    paho.stop();
  });
});

describe('shadow of an LwM2M device', () => {
  it('sends the desired value through the layout codec to /19/1/0, and pushes FAILED when the codec cannot', async () => {
    const { device } = await register(waterMeter, 'shadow-meter');
    const client = new Lwm2mTestClient({
      port: core.runtime.ports.coap ?? 0,
      endpoint: 'shadow-meter',
      resources: { '/19/0/0': { type: 'opaque', value: '' }, '/19/1/0': { type: 'opaque', value: '' } },
    });
    await client.open();
    try {
      await client.register(300, '</3/0>,</19/0>,</19/1>');
      await setDesired(device.deviceId, 'WaterMeterBasic', { deviceLevel: 'debug' });
      const write = await eventually(() => client.writes.find((w) => w.path === '/19/1/0'));
      // messageId 0x81 (set_device_level), a 2-byte mid, value "debug" = 2
      expect(write.payload.toString('hex')).toMatch(/^81[0-9a-f]{4}02$/);
      const shadow = await until(
        device.deviceId,
        (s) => desiredOf(s, 'WaterMeterBasic', 'deviceLevel')?.delivery === 'delivered',
      );
      // The layout has no uplink with deviceLevel: the mismatch stays visible with its age.
      expect(desiredOf(shadow, 'WaterMeterBasic', 'deviceLevel')?.mismatchSince).toBeDefined();
      expect((await pushFor(device.deviceId, 'DELIVERED')).json.serviceId).toBe('WaterMeterBasic');

      // The model has SET_BATTERY_THRESHOLD but the layout cannot encode it.
      await setDesired(device.deviceId, 'Battery', { batteryThreshold: 20 });
      const failed = await until(
        device.deviceId,
        (s) => desiredOf(s, 'Battery', 'batteryThreshold')?.delivery === 'failed',
      );
      expect(desiredOf(failed, 'Battery', 'batteryThreshold')?.reason).toContain('SET_BATTERY_THRESHOLD FAILED');
      expect((await pushFor(device.deviceId, 'FAILED')).json).toMatchObject({
        serviceId: 'Battery',
        properties: { batteryThreshold: 20 },
      });
      // A report equal to the desired value clears the mismatch (battery_report: level 80, threshold 20).
      client.notify('/19/0/0', Buffer.from('025014', 'hex'));
      await until(device.deviceId, (s) => desiredOf(s, 'Battery', 'batteryThreshold')?.mismatchSince === undefined);
    } finally {
      client.close();
    }
  });
});

describe('northbound shadow v1.5.0', () => {
  let base: string;
  let access: string;
  const nb = async (path: string, init: { method?: string; body?: unknown } = {}) => {
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
    return { status: response.status, text, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };

  beforeAll(async () => {
    base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
    const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
    });
    access = ((await login.json()) as { accessToken: string }).accessToken;
  });

  it('modifies desired (200, no body), queries the shadow and the desired history', async () => {
    const { device } = await register(streetLight, 'shadow-nb');
    const put = await nb(`/iocm/app/shadow/v1.5.0/devices/${device.deviceId}`, {
      method: 'PUT',
      body: { serviceDesireds: [{ serviceId: 'Light', desired: { brightness: 33, switch: 'ON' } }] },
    });
    expect(put).toMatchObject({ status: 200, text: '' });
    const got = await nb(`/iocm/app/shadow/v1.5.0/devices/${device.deviceId}`);
    expect(got.status).toBe(200);
    expect(got.json.deviceId).toBe(device.deviceId);
    expect(got.json.services).toEqual(
      expect.arrayContaining([
        {
          serviceId: 'Light',
          serviceType: 'Light',
          reportedProps: {},
          desiredProps: { brightness: 33, switch: 'ON' },
          eventTime: formatNorthboundTime(clock.now()),
        },
      ]),
    );
    const history = await nb(
      `/iocm/app/shadow/v1.5.0/deviceDesiredHistory?deviceId=${device.deviceId}&gatewayId=${device.deviceId}&pageSize=1`,
    );
    expect(history.json).toMatchObject({ totalCount: 2, pageNo: 0, pageSize: 1 });
    expect(history.json.deviceDesiredHistory).toEqual([
      expect.objectContaining({
        deviceId: device.deviceId,
        appId: APP_ID,
        serviceId: 'Light',
        timestamp: formatNorthboundTime(clock.now()),
      }),
    ]);
    const bad = await nb(`/iocm/app/shadow/v1.5.0/devices/${device.deviceId}`, {
      method: 'PUT',
      body: { serviceDesireds: [{ serviceId: 'Energy', desired: { voltage: 1 } }] },
    });
    expect(bad).toMatchObject({ status: 400, json: { error_code: '100022' } });
    const garbage = await nb(`/iocm/app/shadow/v1.5.0/devices/${device.deviceId}`, { method: 'PUT', body: [1] });
    expect(garbage).toMatchObject({ status: 400, json: { error_code: '100022' } });
    expect((await nb('/iocm/app/shadow/v1.5.0/devices/nobody')).json.error_code).toBe('100403');
  });
});

describe('configuration update', () => {
  it('merges a second config into a pending one (later keys win) and delivers it once; the last one can be sent again', async () => {
    const { device, secret } = await register(streetLight, 'config-merge');
    const first = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { brightness: 10, switch: 'OFF' } }, schedule: 'online' },
    });
    expect(first).toMatchObject({ merged: false, config: { status: 'WAITING', attempts: 0 } });
    const second = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { brightness: 20 } }, schedule: 'online' },
    });
    expect(second).toMatchObject({
      merged: true,
      config: { configId: first.config.configId, mergedCount: 1, values: { Light: { brightness: 20, switch: 'OFF' } } },
    });
    expect((await configs(device.deviceId)).items).toHaveLength(1);
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    clock.advance(MQTT_ONLINE_GRACE_MS);
    const done = await configUntil(device.deviceId, first.config.configId, 'SUCCESS');
    expect(done.attempts).toBe(1);
    expect(paho.all('propertiesSet')).toEqual([
      expect.objectContaining({ services: [{ service_id: 'Light', properties: { brightness: 20, switch: 'OFF' } }] }),
    ]);
    const list = await configs(device.deviceId);
    expect(list.lastSuccessful?.configId).toBe(first.config.configId);
    expect(list.pending).toBeUndefined();
    const file = await core.api(`/api/devices/${device.deviceId}/config/last.json`);
    expect(file.headers.get('content-disposition')).toContain(`${device.deviceId}-config.json`);
    const values = (await file.json()) as { Light: Record<string, unknown> };
    expect(values).toEqual({ Light: { brightness: 20, switch: 'OFF' } });
    // Edited and sent again, now.
    const again = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { ...values.Light, brightness: 25 } } },
    });
    expect(again.merged).toBe(false);
    await configUntil(device.deviceId, again.config.configId, 'SUCCESS');
    expect(paho.all('propertiesSet')).toHaveLength(2);
    paho.stop();
  });

  it('runs a scheduled config when the moved clock reaches its time', async () => {
    const { device, secret } = await register(streetLight, 'config-at');
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    clock.advance(MQTT_ONLINE_GRACE_MS);
    const at = clock.now() + 3_600_000;
    const created = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { brightness: 5 } }, schedule: 'at', at },
    });
    expect(created.config).toMatchObject({ status: 'WAITING', at });
    clock.advance(3_599_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(paho.all('propertiesSet')).toEqual([]);
    clock.advance(1000);
    await configUntil(device.deviceId, created.config.configId, 'SUCCESS');
    expect(paho.all('propertiesSet')).toHaveLength(1);
    paho.stop();
  });

  it('retries by its policy: a failed attempt waits its interval, the last failed one ends the update', async () => {
    const { device, secret } = await register(streetLight, 'config-retry');
    const created = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { brightness: 9 } }, schedule: 'now', retry: { count: 1, intervalS: 60 } },
    });
    expect(created.config).toMatchObject({
      status: 'WAITING',
      attempts: 1,
      reason: 'the device is not online',
      nextAttemptAt: clock.now() + 60_000,
    });
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    clock.advance(60_000);
    const done = await configUntil(device.deviceId, created.config.configId, 'SUCCESS');
    expect(done.attempts).toBe(2);
    paho.stop();
    const offline = await register(streetLight, 'config-no-retry');
    const failed = await call(apiRoutes.createConfigUpdate, {
      params: { id: offline.device.deviceId },
      body: { values: { Light: { brightness: 9 } } },
    });
    expect(failed.config).toMatchObject({ status: 'FAILED', attempts: 1, reason: 'the device is not online' });
    const bad = await call(apiRoutes.createConfigUpdate, {
      params: { id: offline.device.deviceId },
      body: { values: { Energy: { power: 1 } } },
    }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'BAD_CONFIG', path: 'body.values.0.desired.power' });
  });
});

describe('restart', () => {
  it('keeps pending desired values and configs and delivers both once the device comes', async () => {
    const { device, secret } = await register(streetLight, 'restart-pending');
    await setDesired(device.deviceId, 'Light', { brightness: 61 });
    const config = await call(apiRoutes.createConfigUpdate, {
      params: { id: device.deviceId },
      body: { values: { Light: { switch: 'ON' } }, schedule: 'online' },
    });
    await core.stop();
    core = await startCore({ dataDir, clock, appId: APP_ID, appSecret: APP_SECRET });
    expect(desiredOf(await shadowOf(device.deviceId), 'Light', 'brightness')?.delivery).toBe('pending');
    expect((await configs(device.deviceId)).pending?.configId).toBe(config.config.configId);
    const paho = await startDevice(device.deviceId, secret, 'iotda');
    clock.advance(MQTT_ONLINE_GRACE_MS);
    await until(device.deviceId, settled('Light', 'brightness'));
    await configUntil(device.deviceId, config.config.configId, 'SUCCESS');
    const sets = paho.all<{ services: { properties: Record<string, unknown> }[] }>('propertiesSet');
    expect(sets.map((s) => s.services[0]?.properties)).toEqual(
      expect.arrayContaining([{ brightness: 61 }, { switch: 'ON' }]),
    );
    paho.stop();
  });
});
