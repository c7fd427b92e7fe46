// Northbound commands (§1.7, §1.8) called with plain fetch as an application server does: v1.4.0 create / query /
// cancel and cancel tasks, the v1.2.0 variant and signaltrans sendCommand to a real mqtt.js device.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { MQTT_ONLINE_GRACE_MS } from '../../core/commands/command-service.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
const APP_ID = 'ci_app_cmd';
const APP_SECRET = 'ci-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let access: string;
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

const register = async (nodeId: string) => call(apiRoutes.registerDevice, { body: { productId: streetLight, nodeId } });

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  access = ((await login.json()) as { accessToken: string }).accessToken;
});

afterAll(() => core.stop());

describe('v1.4.0 deviceCommands', () => {
  it('creates a cached command (201, the platform command object), queries it and cancels it', async () => {
    const { device } = await register('nb-cmd-1');
    const created = await nb('/iocm/app/cmd/v1.4.0/deviceCommands', {
      method: 'POST',
      body: {
        deviceId: device.deviceId,
        command: { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } },
        callbackUrl: null,
        expireTime: null,
        maxRetransmit: 2,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json).toEqual({
      commandId: created.json.commandId,
      appId: APP_ID,
      deviceId: device.deviceId,
      command: { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } },
      callbackUrl: null,
      expireTime: 172_800,
      maxRetransmit: 2,
      status: 'PENDING',
      result: null,
      creationTime: '20261126T080000Z',
      executeTime: null,
      platformIssuedTime: null,
      deliveredTime: null,
      issuedTimes: 0,
    });
    const commandId = created.json.commandId as string;

    const page = await nb(`/iocm/app/cmd/v1.4.0/deviceCommands?deviceId=${device.deviceId}&pageNo=0&pageSize=10`);
    expect(page.status).toBe(200);
    expect(page.json.pagination).toEqual({ pageNo: 0, pageSize: 10, totalSize: 1 });
    expect((page.json.data as { commandId: string }[]).map((c) => c.commandId)).toEqual([commandId]);
    const later = await nb('/iocm/app/cmd/v1.4.0/deviceCommands?startTime=20261126T090000Z');
    expect(later.json.pagination).toMatchObject({ totalSize: 0 });

    const canceled = await nb(`/iocm/app/cmd/v1.4.0/deviceCommands/${commandId}`, {
      method: 'PUT',
      body: { status: 'CANCELED' },
    });
    expect(canceled).toMatchObject({ status: 200, json: { commandId, status: 'CANCELED' } });
    const again = await nb(`/iocm/app/cmd/v1.4.0/deviceCommands/${commandId}`, {
      method: 'PUT',
      body: { status: 'CANCELED' },
    });
    expect(again).toMatchObject({ status: 400, json: { error_code: '100435' } });
    const missing = await nb('/iocm/app/cmd/v1.4.0/deviceCommands/nope', {
      method: 'PUT',
      body: { status: 'CANCELED' },
    });
    expect(missing).toMatchObject({ status: 404, json: { error_code: '100434' } });
  });

  it('refuses bad paras and unknown devices with the platform error codes', async () => {
    const { device } = await register('nb-cmd-2');
    const bad = await nb('/iocm/app/cmd/v1.4.0/deviceCommands', {
      method: 'POST',
      body: {
        deviceId: device.deviceId,
        command: { serviceId: 'Light', method: 'SET_BRIGHTNESS', paras: { value: 101 } },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('100022');
    expect(bad.json.error_desc).toContain('Light.SET_BRIGHTNESS.value = 101 is above the maximum 100');
    const unknown = await nb('/iocm/app/cmd/v1.4.0/deviceCommands', {
      method: 'POST',
      body: { deviceId: 'nobody', command: { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } } },
    });
    expect(unknown).toMatchObject({ status: 404, json: { error_code: '100403' } });
  });

  it('cancels every PENDING command of a device as a cancel task and lists the tasks', async () => {
    const { device } = await register('nb-cmd-3');
    for (const value of ['ON', 'OFF'])
      await nb('/iocm/app/cmd/v1.4.0/deviceCommands', {
        method: 'POST',
        body: { deviceId: device.deviceId, command: { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value } } },
      });
    const task = await nb('/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks', {
      method: 'POST',
      body: { deviceId: device.deviceId },
    });
    expect(task.status).toBe(201);
    expect(task.json).toMatchObject({ appId: APP_ID, deviceId: device.deviceId, status: 'SUCCESS', totalCount: 2 });
    expect((task.json.deviceCommands as { status: string }[]).map((c) => c.status)).toEqual(['CANCELED', 'CANCELED']);
    const tasks = await nb(`/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks?deviceId=${device.deviceId}`);
    expect(tasks.json.pagination).toEqual({ pageNo: 0, pageSize: 25, totalSize: 1 });
    expect((tasks.json.data as { taskId: string }[])[0]?.taskId).toBe(task.json.taskId);
  });
});

describe('v1.2.0 commands and v1.1.0 service invocation', () => {
  it('sends to a connected legacy device: the device gets a cloudReq and its deviceRsp completes the command', async () => {
    const { device, secret } = await register('nb-cmd-live');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...deviceLogin(device.deviceId, secret, { nowMs: clock.now() }),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(`/huawei/v1/devices/${device.deviceId}/command/json`, { qos: 1 });
    const requests: { cmd: string; mid: number; paras: unknown }[] = [];
    client.on('message', (_topic, payload) => {
      const request = JSON.parse(payload.toString()) as { cmd: string; mid: number; paras: unknown };
      requests.push(request);
      void client.publishAsync(
        `/huawei/v1/devices/${device.deviceId}/data/json`,
        JSON.stringify({ msgType: 'deviceRsp', mid: request.mid, errcode: 0, hasMore: 0, body: { result: 0 } }),
        { qos: 1 },
      );
    });
    clock.advance(MQTT_ONLINE_GRACE_MS);

    const invoked = await nb(`/iocm/app/signaltrans/v1.1.0/devices/${device.deviceId}/services/Light/sendCommand`, {
      method: 'POST',
      body: {
        header: {
          mode: 'ACK',
          from: '/users/app',
          toType: 'GATEWAY',
          to: device.deviceId,
          method: 'SET_BRIGHTNESS',
          requestId: 'req-1',
        },
        body: { value: 30 },
      },
    });
    expect(invoked).toMatchObject({
      status: 200,
      json: { requestId: 'req-1', status: 'SENT', timestamp: '20261126T080001Z' },
    });

    const v2 = await nb(`/iocm/app/cmd/v1.2.0/devices/${device.deviceId}/commands`, {
      method: 'POST',
      body: { command: { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'OFF' } }, requestId: 'r-2' },
    });
    expect(v2.status).toBe(201);
    expect(v2.json).toMatchObject({ requestId: 'r-2', deviceId: device.deviceId });
    await eventually(() => (requests.length === 2 ? true : undefined));
    expect(requests.map((r) => [r.cmd, r.paras])).toEqual([
      ['SET_BRIGHTNESS', { value: 30 }],
      ['SWITCH_LIGHT', { value: 'OFF' }],
    ]);
    const done = await eventually(async () => {
      const page = await nb(`/iocm/app/cmd/v1.4.0/deviceCommands?deviceId=${device.deviceId}`);
      const data = page.json.data as { status: string; result: unknown }[];
      return data.every((c) => c.status === 'SUCCESSFUL') ? data : undefined;
    });
    expect(done[0]?.result).toEqual({ resultCode: 'SUCCESS', resultDetail: { result: 0 } });
    await client.endAsync();
  });
});
