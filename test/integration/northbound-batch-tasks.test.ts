// Northbound batch tasks (§1.13, DeviceCmd) called as an application server does: a batch command to a group of
// street lights (one answering mqtt.js device, the others offline), to a device list and to a device type; progress,
// counts and per-device details; and the workbench batch command to a group and a tag, resolved when it starts.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { MQTT_ONLINE_GRACE_MS } from '../../core/commands/command-service.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const APP_ID = 'ci_app_batch';
const APP_SECRET = 'ci-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let base: string;
let access: string;
let streetLight: string;
const lamps: { deviceId: string; secret: string }[] = [];
let groupId: string;
let client: mqtt.MqttClient;

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

/** The token lives an hour of the moved clock: log in again after moving it that far. */
async function logIn(): Promise<void> {
  const login = await fetch(`${base}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  access = ((await login.json()) as { accessToken: string }).accessToken;
}

const switchOn = { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } };

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  base = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  for (let i = 0; i < 3; i++) {
    const r = await call(apiRoutes.registerDevice, { body: { productId: streetLight, nodeId: `batch-lamp-${i}` } });
    lamps.push({ deviceId: r.device.deviceId, secret: r.secret });
  }
  groupId = (await call(apiRoutes.createGroup, { body: { name: 'Street A', deviceIds: [lamps[0]!.deviceId] } })).id;
  const child = await call(apiRoutes.createGroup, { body: { name: 'Street A east', parentId: groupId } });
  await call(apiRoutes.bindGroupDevices, { params: { groupId: child.id }, body: { deviceIds: [lamps[1]!.deviceId] } });
  await logIn();

  // Lamp 0 is connected and answers every command like a legacy device; the others stay offline.
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
    ...deviceLogin(lamps[0]!.deviceId, lamps[0]!.secret, { nowMs: clock.now() }),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync(`/huawei/v1/devices/${lamps[0]!.deviceId}/command/json`, { qos: 1 });
  client.on('message', (_topic, payload) => {
    const request = JSON.parse(payload.toString()) as { mid: number };
    void client.publishAsync(
      `/huawei/v1/devices/${lamps[0]!.deviceId}/data/json`,
      JSON.stringify({ msgType: 'deviceRsp', mid: request.mid, errcode: 0, hasMore: 0, body: { result: 'on' } }),
      { qos: 1 },
    );
  });
  clock.advance(MQTT_ONLINE_GRACE_MS);
});

afterAll(async () => {
  await client?.endAsync();
  await core.stop();
});

describe('batch tasks v1.1.0 (DeviceCmd)', () => {
  it('sends a command to a group by name with its subgroups; the connected lamp succeeds, the other waits', async () => {
    const created = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: {
        appId: APP_ID,
        timeout: 60,
        taskName: 'switch on street A',
        taskType: 'DeviceCmd',
        param: { type: 'GroupList', groupList: ['Street A'], command: switchOn },
        tags: null,
      },
    });
    expect(created.status).toBe(200);
    const taskId = created.json['taskID'] as string;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);

    const task = await eventually(async () => {
      const t = await nb(`/iocm/app/batchtask/v1.1.0/tasks/${taskId}?appId=${APP_ID}`);
      return t.json['successCnt'] === 1 ? t : undefined;
    });
    expect(task.json).toMatchObject({
      taskId,
      taskName: 'switch on street A',
      appId: APP_ID,
      taskType: 'DeviceCmd',
      status: 'Processing',
      startTime: '20261207T090001Z',
      timeout: 60,
      progress: 50,
      totalCnt: 2,
      successCnt: 1,
      successRate: 50,
      failCnt: 0,
      completeCnt: 1,
      param: { type: 'GroupList', groupList: ['Street A'] },
    });

    const details = await nb(
      `/iocm/app/batchtask/v1.1.0/taskDetails?appId=${APP_ID}&taskId=${taskId}&pageNo=0&pageSize=10`,
    );
    expect(details.json).toMatchObject({ totalCount: 2, pageNo: 0, pageSize: 10 });
    const rows = details.json['taskDetails'] as {
      status: string;
      output: string | null;
      param: { deviceId: string };
    }[];
    const byDevice = new Map(rows.map((r) => [r.param.deviceId, r]));
    expect(byDevice.get(lamps[0]!.deviceId)).toMatchObject({ status: 'SUCCESSFUL', output: '{"result":"on"}' });
    expect(byDevice.get(lamps[1]!.deviceId)).toMatchObject({ status: 'PENDING', output: null });
    const successful = await nb(
      `/iocm/app/batchtask/v1.1.0/taskDetails?taskId=${taskId}&status=SUCCESSFUL&pageNo=0&pageSize=10`,
    );
    expect(successful.json['totalCount']).toBe(1);

    // The offline lamp's command expires with the task timeout (60 min): the task completes.
    clock.advance(60 * 60_000 + 1000);
    await logIn();
    const done = await eventually(async () => {
      const t = await nb(`/iocm/app/batchtask/v1.1.0/tasks/${taskId}`);
      return t.json['status'] === 'Complete' ? t : undefined;
    });
    expect(done.json).toMatchObject({ status: 'Complete', progress: 100, expiredCnt: 1, completeCnt: 2 });
  });

  it('sends to a device list and to a device type, and refuses what it cannot send', async () => {
    const list = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: {
        taskName: 'two lamps',
        taskType: 'DeviceCmd',
        param: { type: 'DeviceList', deviceList: [lamps[1]!.deviceId, lamps[2]!.deviceId], command: switchOn },
      },
    });
    expect(list.status).toBe(200);
    const listTask = await nb(`/iocm/app/batchtask/v1.1.0/tasks/${list.json['taskID'] as string}`);
    expect(listTask.json['totalCnt']).toBe(2);

    const byType = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: {
        taskName: 'all street lights',
        taskType: 'DeviceCmd',
        param: { type: 'DeviceType', deviceType: 'StreetLight', command: switchOn },
      },
    });
    expect(byType.status).toBe(200);
    const typeTask = await nb(`/iocm/app/batchtask/v1.1.0/tasks/${byType.json['taskID'] as string}`);
    expect(typeTask.json['totalCnt']).toBe(3);

    const wrongType = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: { taskName: 'x', taskType: 'SoftwareUpgrade', param: {} },
    });
    expect(wrongType).toMatchObject({ status: 400, json: { error_code: '100022' } });
    const noGroup = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: {
        taskName: 'x',
        taskType: 'DeviceCmd',
        param: { type: 'GroupList', groupList: ['Nope'], command: switchOn },
      },
    });
    expect(noGroup).toMatchObject({ status: 404, json: { error_code: '100603' } });
    const badParas = await nb('/iocm/app/batchtask/v1.1.0/tasks', {
      method: 'POST',
      body: {
        taskName: 'x',
        taskType: 'DeviceCmd',
        param: { type: 'DeviceList', deviceList: [lamps[2]!.deviceId], command: { serviceId: 'Light' } },
      },
    });
    expect(badParas).toMatchObject({ status: 400, json: { error_code: '100022' } });
    const unknown = await nb(`/iocm/app/batchtask/v1.1.0/tasks/not-a-task`);
    expect(unknown.status).toBe(404);
  });
});

describe('workbench batch commands to a group and a tag', () => {
  it('resolves the group with its subgroups, or without, and a tag, when the task starts, and records the target', async () => {
    const withSubgroups = await call(apiRoutes.createCommandBatch, {
      body: { target: { groupId }, ...switchOn },
    });
    expect(withSubgroups.items.map((i) => i.deviceId).sort()).toEqual([lamps[0]!.deviceId, lamps[1]!.deviceId].sort());
    expect(withSubgroups.target).toEqual({ groupId });
    const only = await call(apiRoutes.createCommandBatch, {
      body: { target: { groupId, descendants: false }, ...switchOn },
    });
    expect(only.items.map((i) => i.deviceId)).toEqual([lamps[0]!.deviceId]);

    const tag = await call(apiRoutes.createTag, { body: { key: 'pilot' } });
    await call(apiRoutes.attachTag, { params: { tagId: tag.id }, body: { deviceIds: [lamps[2]!.deviceId] } });
    const tagged = await call(apiRoutes.createCommandBatch, { body: { target: { tagId: tag.id }, ...switchOn } });
    expect(tagged.items.map((i) => i.deviceId)).toEqual([lamps[2]!.deviceId]);
    // Tagging another lamp later does not change a started task.
    await call(apiRoutes.attachTag, { params: { tagId: tag.id }, body: { deviceIds: [lamps[1]!.deviceId] } });
    const again = await call(apiRoutes.getCommandBatch, { params: { taskId: tagged.taskId } });
    expect(again.total).toBe(1);
  });
});
