// The northbound upgrade API (§1.15) called with plain fetch as an application server does: the package library
// (`category`), a softwareUpgrade operation to simulated meters, its progress and its sub-operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type SimDevice, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { packageBytes, softwarePackage, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs('iotwb-nb-ota-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 13, 0, 0));
const APP_ID = 'ci_app_ota';
const APP_SECRET = 'ci-secret-ota-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let access: string;
let pkg: StoredPackage;
let devices: SimDevice[];

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
  const product = await createWaterMeterProduct(call);
  const m = product.model;
  await trustReleaseKey(call, m.manufacturerName);
  pkg = await softwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: m.deviceType, manufacturerName: m.manufacturerName, model: m.model, protocolType: 'CoAP' },
    { version: 'SW3.0.0', bytes: packageBytes(1_200), deviceShard: 200 },
  );
  devices = (
    await call(apiRoutes.startLwm2mFleet, {
      body: { productId: product.id, count: 3, firstNodeId: '863703036000001', intervalS: 0 },
    })
  ).devices;
  await eventually(async () => {
    const f = (await call(apiRoutes.listLwm2mFleets, {})).fleets[0]!;
    return f.devices.every((d) => d.observed.includes('/19/0/0')) ? true : undefined;
  });
  const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  access = ((await login.json()) as { accessToken: string }).accessToken;
}, 60_000);

afterAll(() => core?.stop());

describe('the package library (category)', () => {
  it('lists packages by fileType with paging, and gets one', async () => {
    const list = await nb('/iodm/northbound/v1.5.0/category?fileType=softwarePackage&pageNo=0&pageSize=10');
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ pageNo: 0, pageSize: 10, totalCount: 1 });
    const one = await nb(`/iodm/northbound/v1.5.0/category/${pkg.id}`);
    expect(one.json).toMatchObject({
      fileId: pkg.id,
      version: 'SW3.0.0',
      fileType: 'softwarePackage',
      deviceType: 'WaterMeter',
      model: 'NBIoTDevice',
      manufacturerName: 'HZYB',
    });
    expect(one.json.uploadTime).toMatch(/^\d{8}T\d{6}Z$/);
    expect((await nb('/iodm/northbound/v1.5.0/category?fileType=firmwarePackage')).json.totalCount).toBe(0);
  });
});

describe('operations', () => {
  it('creates a softwareUpgrade task, reports its progress and sub-operations, lists it', async () => {
    const created = await nb('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      method: 'POST',
      body: {
        fileId: pkg.id,
        targets: { devices: devices.map((d) => d.deviceId) },
        policy: { executeType: 'now', retryType: false },
      },
    });
    expect(created.status).toBe(200);
    const operationId = String(created.json.operationId);
    const waiting = await nb(`/iodm/northbound/v1.5.0/operations/${operationId}`);
    expect(waiting.json).toMatchObject({
      operationId,
      operateType: 'softwareUpgrade',
      status: 'wait',
      staResult: { total: 3, wait: 3, processing: 0, success: 0, fail: 0, stop: 0, timeout: 0 },
    });
    expect(waiting.json.createTime).toMatch(/^\d{8}T\d{6}Z$/);
    clock.advance(10_000);
    const done = await eventually(async () => {
      clock.advance(500);
      const r = await nb(`/iodm/northbound/v1.5.0/operations/${operationId}`);
      return r.json.status === 'success' ? r : undefined;
    }, 15_000);
    expect(done.json.staResult).toMatchObject({ total: 3, success: 3 });
    const subs = await nb(`/iodm/northbound/v1.5.0/operations/${operationId}/subOperations?subOperationStatus=success`);
    expect(subs.json).toMatchObject({ totalCount: 3 });
    expect((subs.json.data as { deviceId: string; status: string }[]).map((s) => s.status)).toEqual([
      'success',
      'success',
      'success',
    ]);
    const listed = await nb(
      `/iodm/northbound/v1.5.0/operations?operationType=softwareUpgrade&deviceId=${devices[0]!.deviceId}`,
    );
    expect(listed.json).toMatchObject({ totalSize: 1 });
  }, 30_000);

  it('refuses a firmwareUpgrade with a software package, and unknown devices, with the platform error body', async () => {
    const wrong = await nb('/iodm/northbound/v1.5.0/operations/firmwareUpgrade', {
      method: 'POST',
      body: { fileId: pkg.id, targets: { devices: [devices[0]!.deviceId] } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error_code: '100022' });
    const unknown = await nb('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      method: 'POST',
      body: { fileId: pkg.id, targets: { devices: ['no-such-device'] } },
    });
    expect(unknown.json).toMatchObject({ error_code: '100403' });
  });
});

describe('operations by device group', () => {
  it('upgrades the devices of the named groups, of the product named with them', async () => {
    await call(apiRoutes.createGroup, {
      query: { appId: APP_ID },
      body: { name: 'nb-meters', deviceIds: [devices[0]!.deviceId, devices[1]!.deviceId] },
    });
    const identity = { deviceType: 'WaterMeter', model: 'NBIoTDevice', manufacturerName: 'HZYB' };
    const created = await nb('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      method: 'POST',
      body: { fileId: pkg.id, targets: { deviceGroups: ['nb-meters'], ...identity } },
    });
    expect(created.status).toBe(200);
    const operation = await nb(`/iodm/northbound/v1.5.0/operations/${String(created.json.operationId)}`);
    expect(operation.json).toMatchObject({
      targets: { deviceGroups: ['nb-meters'], devices: [devices[0]!.deviceId, devices[1]!.deviceId], ...identity },
      staResult: { total: 2 },
    });
  });

  it('wants the product named with the groups, and answers 100603 for a group the app does not have', async () => {
    const noType = await nb('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      method: 'POST',
      body: { fileId: pkg.id, targets: { deviceGroups: ['nb-meters'] } },
    });
    expect(noType).toMatchObject({ status: 400, json: { error_code: '100022' } });
    expect(String(noType.json.error_desc)).toContain('deviceType: required when deviceGroups is used');
    const unknown = await nb('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      method: 'POST',
      body: {
        fileId: pkg.id,
        targets: {
          deviceGroups: ['no-such-group'],
          deviceType: 'WaterMeter',
          model: 'NBIoTDevice',
          manufacturerName: 'HZYB',
        },
      },
    });
    expect(unknown).toMatchObject({ status: 404, json: { error_code: '100603' } });
  });
});

describe('operations are scoped to the calling application', () => {
  it("shows another app none of this app's operations, and its operation ids are not found", async () => {
    const ours = await nb('/iodm/northbound/v1.5.0/operations');
    const operationId = String((ours.json.data as { operationId: string }[])[0]!.operationId);
    const created = await call(apiRoutes.createApplication, { body: { name: 'Other utility', industry: 'Utilities' } });
    const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appId: created.application.appId, secret: created.secret }).toString(),
    });
    const otherToken = ((await login.json()) as { accessToken: string }).accessToken;
    const other = async (path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          app_key: created.application.appId,
          authorization: `Bearer ${otherToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    expect((await other('/iodm/northbound/v1.5.0/operations')).json).toMatchObject({ totalSize: 0, data: [] });
    for (const path of [`operations/${operationId}`, `operations/${operationId}/subOperations`]) {
      const foreign = await other(`/iodm/northbound/v1.5.0/${path}`);
      expect(foreign).toMatchObject({ status: 404, json: { error_code: '100022' } });
      expect(String(foreign.json.error_desc)).toContain('The operation is not existed');
    }
    const theirDevices = await other('/iodm/northbound/v1.5.0/operations/softwareUpgrade', {
      fileId: pkg.id,
      targets: { devices: [devices[2]!.deviceId] },
    });
    expect(theirDevices).toMatchObject({ status: 404, json: { error_code: '100403' } });
    // A task made in the workbench itself is no application's operation.
    const internal = await call(apiRoutes.createOtaTask, {
      body: { packageId: pkg.id, deviceIds: [devices[2]!.deviceId] },
    });
    const listed = (await nb('/iodm/northbound/v1.5.0/operations?pageSize=100')).json.data as { operationId: string }[];
    expect(listed.map((o) => o.operationId)).not.toContain(internal.taskId);
    expect((await nb(`/iodm/northbound/v1.5.0/operations/${internal.taskId}`)).status).toBe(404);
  });
});
