// Devices over MQTT end to end with mqtt.js: registry API, both login dialects, ACL, uplinks, errors, status, retention.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes, type ProductModel } from '../../core/contract/index.js';
import { createManualClock } from '../../core/clock.js';
import { defaultCodecSamplesDir } from '../../core/codecs/codec-samples.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let streetLight: string;
let waterMeter: string;

function connect(login: { clientId: string; username: string; password: string }): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...login,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
}

const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

async function register(productId: string, nodeId: string, secret?: string) {
  return call(apiRoutes.registerDevice, { body: { productId, nodeId, ...(secret ? { secret } : {}) } });
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  // The water meter's model, as an MQTT product whose binary uplinks go through the shipped layout codec.
  const nb = await call(apiRoutes.createProductFromSample, {
    params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' },
  });
  const model: ProductModel = { ...nb.model, protocolType: 'MQTT', model: 'WM-MQTT' };
  waterMeter = (await call(apiRoutes.createProduct, { body: model })).id;
  const layout = readFileSync(join(defaultCodecSamplesDir(), 'water-meter', 'layout.json'), 'utf8');
  const saved = await call(apiRoutes.saveCodecVersion, {
    params: { id: waterMeter },
    body: { kind: 'layout', source: layout },
  });
  await call(apiRoutes.activateCodecVersion, { params: { id: waterMeter, version: saved.version } });
});

afterAll(() => core.stop());

describe('device registry', () => {
  it('registers a device as <productId>_<nodeId> and refuses a duplicate clearly', async () => {
    const { device, secret } = await register(streetLight, 'SL-0001');
    expect(device.deviceId).toBe(`${streetLight}_SL-0001`);
    expect(device.status).toBe('inactive');
    expect(secret).toMatch(/^[0-9a-f]{24}$/);
    await expect(register(streetLight, 'SL-0001')).rejects.toMatchObject({ status: 409, code: 'DEVICE_EXISTS' });
  });

  it('keeps secrets out of the database file', async () => {
    await register(streetLight, 'SL-secret', 'VerySecretPassword42');
    await new Promise((r) => setTimeout(r, 50));
    const files = ['workbench.db', 'workbench.db-wal'].map((f) => join(core.runtime.dataDir, f));
    for (const f of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from('VerySecretPassword42'))).toBe(false);
    }
    const csv = await (await core.api(`/api/devices:export?productId=${streetLight}`)).text();
    expect(csv).toContain(`${streetLight}_SL-secret,SL-secret,VerySecretPassword42`);
  });
});

describe('MQTT access', () => {
  it('logs in an IoTDA device, stores its property report and shows it online then offline a minute after it leaves', async () => {
    const { device, secret } = await register(streetLight, 'SL-iotda');
    const client = await connect(deviceLogin(device.deviceId, secret, { nowMs: clock.now(), signType: 1 }));
    await eventually(async () =>
      (await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).status === 'online' ? true : undefined,
    );
    await client.publishAsync(
      `$oc/devices/${device.deviceId}/sys/properties/report`,
      JSON.stringify({
        services: [{ service_id: 'Light', properties: { brightness: 70 }, event_time: '20261126T115900Z' }],
      }),
      { qos: 1 },
    );
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: device.deviceId } });
    expect(latest.services).toEqual([
      expect.objectContaining({ serviceId: 'Light', data: { brightness: 70 }, eventTime: '2026-11-26T11:59:00.000Z' }),
    ]);
    client.end();
    await closed(client);
    await eventually(() => (core.platform.runtime ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(59_000);
    expect((await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).status).toBe('online');
    clock.advance(2_000);
    expect((await call(apiRoutes.getDevice, { params: { id: device.deviceId } })).status).toBe('offline');
  });

  it('refuses a wrong password with CONNACK not authorized and records it', async () => {
    const { device } = await register(streetLight, 'SL-badpw');
    const error = await connect(deviceLogin(device.deviceId, 'not-the-secret')).catch((e: unknown) => e);
    expect(String(error)).toMatch(/Not authorized/i);
    const refusals = await call(apiRoutes.listMqttRefusals, {});
    expect(refusals.items[0]).toMatchObject({ kind: 'auth', deviceId: device.deviceId, reason: 'wrong password' });
  });

  it('refuses a stale timestamp with signType 1 but accepts it with signType 0', async () => {
    const { device, secret } = await register(streetLight, 'SL-stale');
    const old = clock.now() - 5 * 3600_000;
    await expect(connect(deviceLogin(device.deviceId, secret, { nowMs: old, signType: 1 }))).rejects.toThrow(
      /Not authorized/i,
    );
    const ok = await connect(deviceLogin(device.deviceId, secret, { nowMs: old, signType: 0 }));
    await ok.endAsync();
  });

  it('disconnects a device that publishes to another device topic and records the violation', async () => {
    const { device, secret } = await register(streetLight, 'SL-acl');
    const client = await connect(deviceLogin(device.deviceId, secret));
    const gone = closed(client);
    client.publish(`$oc/devices/${streetLight}_SL-0001/sys/properties/report`, '{}', { qos: 1 });
    await gone;
    client.end(true);
    const refusals = await call(apiRoutes.listMqttRefusals, {});
    expect(refusals.items[0]).toMatchObject({ kind: 'acl', deviceId: device.deviceId });
  });

  it('decodes a legacy binary report with the product codec and keeps bad JSON as an error without dropping the device', async () => {
    const { device, secret } = await register(waterMeter, 'WM-1');
    const client = await connect(deviceLogin(device.deviceId, secret));
    await client.publishAsync(
      `/huawei/v1/devices/${device.deviceId}/data/binary`,
      Buffer.from('0100BC614E00000E1000D7007D', 'hex'),
      { qos: 1 },
    );
    await client.publishAsync(`/huawei/v1/devices/${device.deviceId}/data/json`, '{"msgType":"deviceReq", oops', {
      qos: 1,
    });
    await client.publishAsync(
      `/huawei/v1/devices/${device.deviceId}/data/json`,
      JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: 'Battery', serviceData: { batteryLevel: 50 } }] }),
      { qos: 1 },
    );
    expect(client.connected).toBe(true);
    const history = await call(apiRoutes.deviceDataHistory, {
      params: { id: device.deviceId },
      query: { serviceId: 'WaterMeterBasic' },
    });
    expect(history.items.map((i) => [i.property, i.value])).toContainEqual(['currentReading', 12345.678]);
    const errors = await call(apiRoutes.deviceUplinkErrors, { params: { id: device.deviceId } });
    expect(errors.items[0]).toMatchObject({
      code: 'BAD_JSON',
      topic: `/huawei/v1/devices/${device.deviceId}/data/json`,
    });
    expect(Buffer.from(errors.items[0]?.rawBase64 ?? '', 'base64').toString()).toBe('{"msgType":"deviceReq", oops');
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: device.deviceId } });
    expect(latest.services.map((s) => s.serviceId)).toEqual(['Battery', 'WaterMeterBasic']);
    const none = await call(apiRoutes.deviceDataHistory, {
      params: { id: device.deviceId },
      query: { property: 'batteryLevel', to: String(clock.now() - 1) },
    });
    expect(none.items).toEqual([]);
    const csv = await (await core.api(`/api/devices/${device.deviceId}/data/history:export?serviceId=Battery`)).text();
    expect(csv.split('\r\n')[1]).toMatch(/,Battery,batteryLevel,50$/);
    await client.endAsync();
  });

  it('stores a gateway batch report under each sub-device and records an unknown service without losing the rest', async () => {
    const gw = await register(streetLight, 'GW-1');
    const child = await call(apiRoutes.registerDevice, {
      body: { productId: streetLight, nodeId: 'GW-1-child', gatewayId: gw.device.deviceId },
    });
    expect(child.device.gatewayId).toBe(gw.device.deviceId);
    const client = await connect(deviceLogin(gw.device.deviceId, gw.secret));
    await client.publishAsync(
      `$oc/devices/${gw.device.deviceId}/sys/gateway/sub_devices/properties/report`,
      JSON.stringify({
        devices: [
          {
            device_id: child.device.deviceId,
            services: [
              { service_id: 'Light', properties: { brightness: 9 } },
              { service_id: 'NoSuchService', properties: { x: 1 } },
            ],
          },
        ],
      }),
      { qos: 1 },
    );
    expect(client.connected).toBe(true);
    await client.endAsync();
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: child.device.deviceId } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Light', data: { brightness: 9 } })]);
    const errors = await call(apiRoutes.deviceUplinkErrors, { params: { id: child.device.deviceId } });
    expect(errors.items[0]?.code).toBe('UNKNOWN_SERVICE');
    expect(errors.items[0]?.message).toContain('NoSuchService');
  });

  it('refuses a gateway report for a device that is not its sub-device, and stores nothing for it', async () => {
    const gw = await register(streetLight, 'GW-2');
    const stranger = await register(streetLight, 'GW-2-stranger');
    const client = await connect(deviceLogin(gw.device.deviceId, gw.secret));
    await client.publishAsync(
      `$oc/devices/${gw.device.deviceId}/sys/gateway/sub_devices/properties/report`,
      JSON.stringify({
        devices: [
          { device_id: stranger.device.deviceId, services: [{ service_id: 'Light', properties: { brightness: 3 } }] },
        ],
      }),
      { qos: 1 },
    );
    await client.endAsync();
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: stranger.device.deviceId } });
    expect(latest.services).toEqual([]);
    const errors = await call(apiRoutes.deviceUplinkErrors, { params: { id: gw.device.deviceId } });
    expect(errors.items[0]?.code).toBe('NOT_A_SUB_DEVICE');
    expect(errors.items[0]?.message).toContain(stranger.device.deviceId);
  });

  it('refuses a sub-device whose gateway is not registered, naming the field', async () => {
    const response = await core.api('/api/devices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: streetLight, nodeId: 'orphan', gatewayId: 'no_such_gateway' }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'GATEWAY_NOT_FOUND', path: 'body.gatewayId' });
  });

  it('purges history older than the retention under a moved clock', async () => {
    const { device, secret } = await register(streetLight, 'SL-retention');
    const client = await connect(deviceLogin(device.deviceId, secret));
    await client.publishAsync(
      `$oc/devices/${device.deviceId}/sys/properties/report`,
      JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: 1 } }] }),
      { qos: 1 },
    );
    await client.endAsync();
    const before = await call(apiRoutes.deviceDataHistory, { params: { id: device.deviceId } });
    expect(before.items).toHaveLength(1);
    expect(await call(apiRoutes.getDataSettings)).toEqual({ retentionDays: 7 });
    clock.advance(6 * 86_400_000);
    expect((await call(apiRoutes.deviceDataHistory, { params: { id: device.deviceId } })).items).toHaveLength(1);
    clock.advance(2 * 86_400_000);
    const after = await call(apiRoutes.deviceDataHistory, { params: { id: device.deviceId } });
    expect(after.items).toHaveLength(0);
  });
});
