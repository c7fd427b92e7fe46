// The northbound compatibility API called with plain fetch, exactly as an application server written for the
// platform calls it (§1.1–1.6): login/refresh/logout, registration in both styles, edit, query, delete, history.
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { createManualClock } from '../../core/clock.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';
import { startServe } from '../support/serve-process.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
const APP_ID = 'ci_app_01';
const APP_SECRET = 'ci-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let streetLight: string;
let waterMeter: string;

interface Tokens {
  scope: string;
  tokenType: string;
  expiresIn: number;
  accessToken: string;
  refreshToken: string;
}

async function login(secret = APP_SECRET, secretKey = 'secret'): Promise<Response> {
  return fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, [secretKey]: secret }).toString(),
  });
}

async function token(): Promise<string> {
  return ((await (await login()).json()) as Tokens).accessToken;
}

/** A call with the two headers every northbound request carries (§1.1). */
async function nb(path: string, accessToken: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      app_key: APP_ID,
      authorization: `Bearer ${accessToken}`,
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
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  waterMeter = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
});

afterAll(() => core.stop());

describe('application authentication', () => {
  it('logs in with a form-encoded appId and secret and gets a Bearer token for 3600 s', async () => {
    const response = await login();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Tokens;
    expect(body).toMatchObject({ scope: 'default', tokenType: 'Bearer', expiresIn: 3600 });
    expect(body.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(body.refreshToken).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts the Go client spelling "Secret"', async () => {
    expect((await login(APP_SECRET, 'Secret')).status).toBe(200);
  });

  it('refuses a wrong secret with error 100208', async () => {
    const response = await login('not-the-secret');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error_code: '100208', error_desc: 'AppId or secret is not right.' });
  });

  it('refuses a call without a token, and an expired token an hour later, with error 1010005', async () => {
    const noToken = await fetch(`${base}/iocm/app/dm/v1.4.0/devices?pageNo=0`, { headers: { app_key: APP_ID } });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error_code: '1010005' });

    const access = await token();
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', access)).status).toBe(200);
    clock.advance(3599_000);
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', access)).status).toBe(200);
    clock.advance(2_000);
    const expired = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', access);
    expect(expired.status).toBe(401);
    expect(expired.json.error_code).toBe('1010005');
    expect(String(expired.json.error_desc)).toContain('expired');
  });

  it('keeps only the newest token valid: a refresh or a new login ends the old token', async () => {
    const first = (await (await login()).json()) as Tokens;
    const refreshed = await fetch(`${base}/iocm/app/sec/v1.1.0/refreshToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: APP_ID, secret: APP_SECRET, refreshToken: first.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Tokens;
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', first.accessToken)).json.error_code).toBe('1010005');
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', second.accessToken)).status).toBe(200);

    // The used refresh token is gone with its pair.
    const again = await fetch(`${base}/iocm/app/sec/v1.1.0/refreshToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: APP_ID, secret: APP_SECRET, refreshToken: first.refreshToken }),
    });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error_code: '1010005' });

    const third = await token();
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', second.accessToken)).status).toBe(401);
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', third)).status).toBe(200);
  });

  it('ends the session on logout', async () => {
    const access = await token();
    const out = await fetch(`${base}/iocm/app/sec/v1.1.0/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessToken: access }),
    });
    expect(out.status).toBe(200);
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', access)).status).toBe(401);
  });

  it("refuses to act for another application's appId with error 100217", async () => {
    const other = await call(apiRoutes.createApplication, { body: { name: 'Other app' } });
    const result = await nb(`/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=${other.application.appId}`, await token());
    expect(result.status).toBe(403);
    expect(result.json.error_code).toBe('100217');
  });
});

describe('devices', () => {
  it('registers an MQTT device in password mode; it connects, reports, and the app reads it and its history', async () => {
    const access = await token();
    const registered = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', access, {
      method: 'POST',
      body: { deviceInfo: { nodeId: 'LAMP-001', name: 'Lamp 1' }, productId: streetLight, mqttConnect: true },
    });
    expect(registered.status).toBe(200);
    const deviceId = registered.json.deviceId as string;
    const secret = registered.json.secret as string;
    expect(deviceId).toBe(`${streetLight}_LAMP-001`);
    expect(secret).toMatch(/^[0-9a-f]{24}$/);

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(deviceId, secret, { nowMs: clock.now() }),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    for (const [minute, brightness] of [
      [1, 10],
      [2, 20],
      [3, 30],
    ] as const) {
      await client.publishAsync(
        `$oc/devices/${deviceId}/sys/properties/report`,
        JSON.stringify({
          services: [
            { service_id: 'Light', properties: { brightness, switch: 'ON' }, event_time: `20261126T080${minute}00Z` },
          ],
        }),
        { qos: 1 },
      );
    }

    const one = await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`, access);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      deviceId,
      gatewayId: deviceId,
      nodeType: 'ENDPOINT',
      deviceInfo: {
        nodeId: 'LAMP-001',
        name: 'Lamp 1',
        manufacturerId: 'WorkbenchSamples',
        deviceType: 'StreetLight',
        model: 'SL100MQTT',
        protocolType: 'MQTT',
        status: 'ONLINE',
      },
      services: [
        {
          serviceId: 'Light',
          serviceType: 'Light',
          data: { brightness: 30, switch: 'ON' },
          eventTime: '20261126T080300Z',
        },
      ],
    });
    expect(one.json.createTime).toMatch(/^\d{8}T\d{6}Z$/);

    const history = (page: number) =>
      nb(
        `/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${deviceId}&gatewayId=${deviceId}&serviceId=Light&pageNo=${page}&pageSize=2`,
        access,
      );
    const first = await history(0);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ totalCount: 3, pageNo: 0, pageSize: 2 });
    expect(first.json.deviceDataHistoryDTOs).toEqual([
      {
        deviceId,
        gatewayId: deviceId,
        appId: APP_ID,
        serviceId: 'Light',
        data: { brightness: 30, switch: 'ON' },
        timestamp: '20261126T080300Z',
      },
      {
        deviceId,
        gatewayId: deviceId,
        appId: APP_ID,
        serviceId: 'Light',
        data: { brightness: 20, switch: 'ON' },
        timestamp: '20261126T080200Z',
      },
    ]);
    const second = await history(1);
    expect(second.json.deviceDataHistoryDTOs).toEqual([
      expect.objectContaining({ data: { brightness: 10, switch: 'ON' }, timestamp: '20261126T080100Z' }),
    ]);
    const ranged = await nb(
      `/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${deviceId}&gatewayId=${deviceId}&property=brightness&startTime=20261126T080130Z&endTime=20261126T080230Z&pageNo=0`,
      access,
    );
    expect(ranged.json).toMatchObject({
      totalCount: 1,
      deviceDataHistoryDTOs: [expect.objectContaining({ data: { brightness: 20 } })],
    });
    await client.endAsync();
  });

  it('registers an NB-IoT device in verify-code mode, by productId or by manufacturerId and model', async () => {
    const access = await token();
    const byProduct = await nb('/iocm/app/reg/v1.1.0/deviceCredentials', access, {
      method: 'POST',
      body: { verifyCode: '867725030012345', nodeId: '867725030012345', timeout: 0, productId: waterMeter },
    });
    expect(byProduct.status).toBe(200);
    expect(byProduct.json).toMatchObject({
      deviceId: `${waterMeter}_867725030012345`,
      verifyCode: '867725030012345',
      timeout: 0,
    });
    expect(byProduct.json.psk).toMatch(/^[0-9a-f]+$/);

    const product = await call(apiRoutes.getProduct, { params: { id: waterMeter } });
    const byIdentity = await nb(`/iocm/app/reg/v1.1.0/deviceCredentials?appId=${APP_ID}`, access, {
      method: 'POST',
      body: {
        nodeId: '867725030099999',
        psk: '00112233445566778899aabbccddeeff',
        deviceInfo: {
          manufacturerId: product.model.manufacturerId,
          model: product.model.model,
          protocolType: product.model.protocolType,
        },
      },
    });
    expect(byIdentity.status).toBe(200);
    expect(byIdentity.json).toMatchObject({
      deviceId: `${waterMeter}_867725030099999`,
      timeout: 180,
      psk: '00112233445566778899aabbccddeeff',
    });

    const activation = await nb(`/iocm/app/reg/v1.1.0/deviceCredentials/${byIdentity.json.deviceId as string}`, access);
    expect(activation.json).toEqual({ deviceId: byIdentity.json.deviceId, activated: false, name: null });
  });

  it('refuses a duplicate nodeId with 100416 and a bad body with 100022 naming the field', async () => {
    const access = await token();
    const duplicate = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', access, {
      method: 'POST',
      body: { deviceInfo: { nodeId: 'LAMP-001' }, productId: streetLight },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error_code).toBe('100416');

    const missing = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', access, {
      method: 'POST',
      body: { productId: streetLight },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error_code).toBe('100022');
    expect(String(missing.json.error_desc)).toContain('body.deviceInfo');

    const badPsk = await nb('/iocm/app/reg/v1.1.0/deviceCredentials', access, {
      method: 'POST',
      body: { nodeId: '867725030000001', productId: waterMeter, psk: 'not hex!' },
    });
    expect(badPsk.json).toMatchObject({ error_code: '100022' });
    expect(String(badPsk.json.error_desc)).toContain('body.psk');

    const notJson = await fetch(`${base}/iocm/app/reg/v2.0.0/deviceCredentials`, {
      method: 'POST',
      headers: { app_key: APP_ID, authorization: `Bearer ${access}`, 'content-type': 'application/json' },
      body: '{"deviceInfo":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error_code: '100022' });
  });

  it('modifies a device (204) and shows the new name and location', async () => {
    const access = await token();
    const deviceId = `${streetLight}_LAMP-001`;
    const modified = await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`, access, {
      method: 'PUT',
      body: { name: 'Lamp at the gate', location: 'Gate 3', mute: 'FALSE', timezone: 'Asia/Shanghai' },
    });
    expect(modified.status).toBe(204);
    expect(modified.json).toBeUndefined();
    const one = await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`, access);
    expect(one.json.deviceInfo).toMatchObject({
      name: 'Lamp at the gate',
      location: 'Gate 3',
      timezone: 'Asia/Shanghai',
    });
    expect((await call(apiRoutes.getDevice, { params: { id: deviceId } })).name).toBe('Lamp at the gate');
  });

  it('pages the device list with pageNo from 0, sorts, and filters by status and deviceType', async () => {
    const access = await token();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await nb('/iocm/app/reg/v2.0.0/deviceCredentials', access, {
        method: 'POST',
        body: { deviceInfo: { nodeId: `PAGE-${i}` }, productId: streetLight },
      });
    }
    const all = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&pageSize=250', access);
    const total = all.json.totalCount as number;
    expect(total).toBe(8);
    const page0 = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&pageSize=3', access);
    const page2 = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=2&pageSize=3', access);
    expect(page0.json).toMatchObject({ totalCount: 8, pageNo: 0, pageSize: 3 });
    const ids = (r: { json: Record<string, unknown> }) =>
      (r.json.devices as { deviceId: string }[]).map((d) => d.deviceId);
    expect(ids(page0)[0]).toBe(`${streetLight}_PAGE-4`);
    expect(ids(page2)).toHaveLength(2);
    const asc = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&pageSize=1&sort=ASC', access);
    expect(ids(asc)).toEqual([`${streetLight}_LAMP-001`]);

    const lights = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&deviceType=StreetLight&status=INACTIVE', access);
    expect(lights.json.totalCount).toBe(5);
    const meters = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&deviceType=WaterMeter', access);
    expect(meters.json.totalCount).toBe(2);

    const tooBig = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&pageSize=251', access);
    expect(tooBig).toMatchObject({ status: 400, json: { error_code: '100022' } });
  });

  it('deletes a device (204); querying it again gives 100403', async () => {
    const access = await token();
    const deviceId = `${streetLight}_PAGE-0`;
    expect(
      (await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}?cascade=false`, access, { method: 'DELETE' })).status,
    ).toBe(204);
    const gone = await nb(`/iocm/app/dm/v1.4.0/devices/${deviceId}`, access);
    expect(gone.status).toBe(404);
    expect(gone.json.error_code).toBe('100403');
    const history = await nb(
      `/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${deviceId}&gatewayId=${deviceId}`,
      access,
    );
    expect(history.json.error_code).toBe('100403');
  });
});

describe('garbage input', () => {
  it('answers random bodies and queries with a platform error, never a 500 and never a crash', async () => {
    const access = await token();
    const paths = [
      ['POST', '/iocm/app/reg/v1.1.0/deviceCredentials'],
      ['POST', '/iocm/app/reg/v2.0.0/deviceCredentials'],
      ['PUT', `/iocm/app/dm/v1.4.0/devices/${streetLight}_LAMP-001`],
      ['POST', '/iocm/app/sec/v1.1.0/refreshToken'],
      ['GET', '/iocm/app/dm/v1.4.0/devices'],
      ['GET', '/iocm/app/data/v1.2.0/deviceDataHistory'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.anything().map((v) => JSON.stringify(v) ?? ''),
        ),
        fc.dictionary(fc.constantFrom('pageNo', 'pageSize', 'deviceId', 'startTime', 'sort', 'status'), fc.string()),
        async ([method, path], body, query) => {
          const search = new URLSearchParams(query).toString();
          const response = await fetch(`${base}${path}${search ? `?${search}` : ''}`, {
            method,
            headers: {
              app_key: APP_ID,
              authorization: `Bearer ${access}`,
              ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
            },
            ...(method === 'GET' ? {} : { body }),
          });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            const error = (await response.json()) as { error_code: unknown; error_desc: unknown };
            expect(typeof error.error_code).toBe('string');
            expect(typeof error.error_desc).toBe('string');
          } else await response.arrayBuffer();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the "store history data" switch', () => {
  it('keeps latest values but no history while the application has it off', async () => {
    const access = await token();
    const registered = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', access, {
      method: 'POST',
      body: { deviceInfo: { nodeId: 'NOHIST-1' }, productId: streetLight },
    });
    const deviceId = registered.json.deviceId as string;
    await call(apiRoutes.updateApplication, { params: { appId: APP_ID }, body: { storeHistory: false } });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(deviceId, registered.json.secret as string),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const report = (brightness: number) =>
      client.publishAsync(
        `$oc/devices/${deviceId}/sys/properties/report`,
        JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] }),
        { qos: 1 },
      );
    await report(55);
    const historyCount = async () =>
      (await nb(`/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${deviceId}&gatewayId=${deviceId}`, access)).json
        .totalCount;
    expect(await historyCount()).toBe(0);
    expect((await call(apiRoutes.latestDeviceData, { params: { id: deviceId } })).services[0]?.data).toEqual({
      brightness: 55,
    });
    await call(apiRoutes.updateApplication, { params: { appId: APP_ID }, body: { storeHistory: true } });
    await report(56);
    expect(await historyCount()).toBe(1);
    await client.endAsync();
  });
});

describe('applications', () => {
  it('resets the secret: the old secret and its token stop working at once', async () => {
    const access = await token();
    const reset = await call(apiRoutes.resetApplicationSecret, { params: { appId: APP_ID }, body: {} });
    expect((await login()).status).toBe(401);
    expect((await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0', access)).status).toBe(401);
    expect((await login(reset.secret)).status).toBe(200);
    await call(apiRoutes.resetApplicationSecret, { params: { appId: APP_ID }, body: { secret: APP_SECRET } });
  });

  it('never stores the application secret in the database file', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    for (const f of ['workbench.db', 'workbench.db-wal']) {
      const file = `${core.runtime.dataDir}/${f}`;
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(APP_SECRET))).toBe(false);
    }
  });
});

describe('the default port', () => {
  it('moves to a free port with a warning when 8743 is taken by another program', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    // If something else holds 8743 already, that is the situation under test too.
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(8743, '127.0.0.1', () => resolve());
    });
    const other = await startCore({ dataDir: tempDir(), northboundPort: undefined });
    try {
      expect(other.runtime.ports.northbound).not.toBe(8743);
      const response = await fetch(`http://127.0.0.1:${other.runtime.ports.northbound}/iocm/app/sec/v1.1.0/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'appId=nobody&secret=wrong-secret',
      });
      expect(await response.json()).toMatchObject({ error_code: '100208' });
    } finally {
      await other.stop();
      blocker.close();
    }
  });
});

describe('iotwb serve', () => {
  it('announces the northbound port in the ready line and takes the default app credentials from flags', async () => {
    const serve = await startServe(tempDir(), ['--app-id', 'serve_app', '--app-secret', 'serve-secret-42']);
    try {
      expect(serve.ready.ports.northbound).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${serve.ready.ports.northbound}/iocm/app/sec/v1.1.0/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'appId=serve_app&secret=serve-secret-42',
      });
      expect(response.status).toBe(200);
    } finally {
      await serve.stop();
    }
  });
});
