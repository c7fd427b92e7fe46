// Deleting a gateway (§1.3 delete device, `cascade`): by default its sub-devices go with it and the gateway is told
// nothing; with cascade=false they stay as directly connected devices. Through the workbench API and northbound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin } from '../support/device-api.js';
import { startPahoGateway } from '../support/paho-gateway.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const APP_ID = 'gw_del_app';
const APP_SECRET = 'gw-del-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let gatewayProduct: string;
let lampProduct: string;
let nbBase: string;
let nbToken: string;

async function nb(path: string, method = 'GET') {
  const response = await fetch(`${nbBase}${path}`, {
    method,
    headers: { app_key: APP_ID, authorization: `Bearer ${nbToken}` },
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A gateway with `count` sub-devices registered on the platform side. */
async function gatewayWith(nodeId: string, count: number) {
  const registered = await call(apiRoutes.registerDevice, { body: { productId: gatewayProduct, nodeId } });
  const gatewayId = registered.device.deviceId;
  const subs: string[] = [];
  for (let i = 1; i <= count; i++)
    subs.push(
      (
        await call(apiRoutes.registerDevice, {
          body: { productId: lampProduct, nodeId: `${nodeId}-lamp-${i}`, gatewayId },
        })
      ).device.deviceId,
    );
  return { gatewayId, secret: registered.secret, subs };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  gatewayProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'Gateway_WorkbenchSamples_GW100MQTT' } })
  ).id;
  lampProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  nbBase = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  const login = await fetch(`${nbBase}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  nbToken = ((await login.json()) as { accessToken: string }).accessToken;
});

afterAll(async () => {
  await core.stop();
});

describe('deleting a gateway', () => {
  it('deletes its sub-devices with it and tells the connected gateway nothing (workbench API)', async () => {
    const g = await gatewayWith('del-a', 2);
    const gateway = startPahoGateway(core.runtime.ports.mqtt ?? 0, deviceLogin(g.gatewayId, g.secret));
    try {
      expect(await gateway.connected).toBe(0);
      // The two add notifies queued at registration arrive first: the session is live and acknowledged.
      await gateway.next((d) => JSON.stringify(d.payload).includes('add_sub_device_notify'));
      await gateway.next((d) => JSON.stringify(d.payload).includes('add_sub_device_notify'));
      expect((await core.api(`/api/devices/${g.gatewayId}`, { method: 'DELETE' })).status).toBe(200);
      await gateway.disconnected;
      for (const id of [g.gatewayId, ...g.subs]) expect((await core.api(`/api/devices/${id}`)).status).toBe(404);
      expect(gateway.received.filter((d) => JSON.stringify(d.payload).includes('delete_sub_device_notify'))).toEqual(
        [],
      );
    } finally {
      await gateway.vanish();
    }
  });

  it('keeps the sub-devices as directly connected devices with cascade=false (workbench API)', async () => {
    const g = await gatewayWith('del-b', 1);
    expect((await core.api(`/api/devices/${g.gatewayId}?cascade=false`, { method: 'DELETE' })).status).toBe(200);
    expect((await core.api(`/api/devices/${g.gatewayId}`)).status).toBe(404);
    const sub = await call(apiRoutes.getDevice, { params: { id: g.subs[0]! } });
    expect(sub.gatewayId).toBeUndefined();
    expect(sub.nodeType).toBe('ENDPOINT');
    expect((await core.api(`/api/devices/${sub.deviceId}/gateway-state`)).status).toBe(409);
  });

  it('deletes the sub-devices with the gateway by default on the northbound API (cascade defaults to true)', async () => {
    const g = await gatewayWith('del-c', 2);
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${g.gatewayId}`, 'DELETE')).status).toBe(204);
    for (const id of [g.gatewayId, ...g.subs]) {
      const gone = await nb(`/iocm/app/dm/v1.4.0/devices/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.json.error_code).toBe('100403');
    }
    const explicit = await gatewayWith('del-d', 1);
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${explicit.gatewayId}?cascade=true`, 'DELETE')).status).toBe(204);
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${explicit.subs[0]}`)).status).toBe(404);
  });

  it('makes the sub-devices directly connected with cascade=false on the northbound API', async () => {
    const g = await gatewayWith('del-e', 2);
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${g.gatewayId}?cascade=false`, 'DELETE')).status).toBe(204);
    for (const id of g.subs) {
      const kept = await nb(`/iocm/app/dm/v1.4.0/devices/${id}`);
      expect(kept.status).toBe(200);
      // §1.5: a directly connected device is its own gateway.
      expect(kept.json).toMatchObject({ deviceId: id, gatewayId: id, nodeType: 'ENDPOINT' });
    }
    expect((await nb(`/iocm/app/dm/v1.4.0/devices/${g.gatewayId}?cascade=maybe`, 'DELETE')).status).toBe(400);
  });
});
