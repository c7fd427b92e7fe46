// How a task is rolled out: a device with a command pending waits until the command is delivered; the rollout rate
// (with its ramp-up) decides when devices start, on the injected clock; the abort threshold stops a task whose
// first devices fail; groups and tags are resolved into devices when the task is created.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type SimDevice, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { firmwarePackage, packageBytes, softwarePackage, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const PAHO_OTA_DEVICE = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_ota_device.py');
const tempDir = useTempDirs('iotwb-ota-rollout-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 15, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let meterProductId: string;
let swPkg: StoredPackage;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const product = await createWaterMeterProduct(call);
  meterProductId = product.id;
  const m = product.model;
  await trustReleaseKey(call, m.manufacturerName, 'Rollout');
  swPkg = await softwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: m.deviceType, manufacturerName: m.manufacturerName, model: m.model, protocolType: 'CoAP' },
    { version: 'SW2.0.0', bytes: packageBytes(1_000), deviceShard: 100 },
  );
}, 60_000);

afterAll(async () => {
  for (const c of children) c.stdin.end();
  await core?.stop();
});

async function fleet(count: number, firstNodeId: string, otaFaults: { count: number; faults: object }[] = []) {
  const f = await call(apiRoutes.startLwm2mFleet, {
    body: { productId: meterProductId, count, firstNodeId, intervalS: 0, otaFaults },
  });
  await eventually(async () => {
    const mine = (await call(apiRoutes.listLwm2mFleets, {})).fleets.find((x) => x.id === f.id)!;
    return mine.devices.every((d) => d.observed.includes('/19/0/0')) ? true : undefined;
  }, 15_000);
  return f.devices;
}

const subTasks = async (taskId: string) => (await call(apiRoutes.listOtaSubTasks, { params: { taskId } })).items;
const started = (items: OtaSubTask[]) => items.filter((s) => s.startedAt !== null).length;

/**
 * A tracker product with a firmware package, one registered device that stays offline, a message queued for it
 * (PENDING), and an upgrade task for it that waits for the device to come online.
 */
async function offlineTrackerWithMessage(model: string, nodeId: string, content: string, expireTime: number) {
  const product = await call(apiRoutes.createProduct, {
    body: {
      deviceType: 'Tracker',
      manufacturerId: 'Rollout',
      manufacturerName: 'Rollout',
      model,
      protocolType: 'MQTT',
      services: [],
    },
  });
  const fwPkg = await firmwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: 'Tracker', manufacturerName: 'Rollout', model, protocolType: 'MQTT' },
    { version: 'V2.0.0', bytes: packageBytes(4_000) },
  );
  const { device, secret } = await call(apiRoutes.registerDevice, {
    body: { productId: product.id, nodeId },
  });
  const message = await call(apiRoutes.createCommand, {
    params: { id: device.deviceId },
    body: { kind: 'message', serviceId: 'notice', paras: { content }, expireTime },
  });
  expect(message.status).toBe('PENDING');
  const task = await call(apiRoutes.createOtaTask, { body: { packageId: fwPkg.id, deviceIds: [device.deviceId] } });
  clock.advance(10_000);
  expect((await subTasks(task.taskId))[0]).toMatchObject({ status: 'waiting', reason: 'WaitingDeviceOnline' });
  return { device, secret, task, message };
}

describe('pending commands hold an upgrade back (R-14.5)', () => {
  it('waits with CommandsPending while a command is queued, and starts once it is delivered', async () => {
    // Queued while the device is offline: the message waits (PENDING) for it.
    const { device, secret, task, message } = await offlineTrackerWithMessage(
      'TR2',
      'tr-1',
      'before the upgrade',
      3600,
    );

    const child = spawn('/usr/bin/python3', [
      PAHO_OTA_DEVICE,
      JSON.stringify({
        host: '127.0.0.1',
        port: core.runtime.ports.mqtt,
        deviceId: device.deviceId,
        kind: 'firmware',
        fwVersion: 'V1.0.0',
        swVersion: 'SW1.0.0',
        ...deviceLogin(device.deviceId, secret, { nowMs: clock.now() }),
      }),
    ]);
    children.push(child);
    const online = await eventually(async () => {
      const [sub] = await subTasks(task.taskId);
      return sub?.reason === 'CommandsPending' ? sub : undefined;
    }, 10_000);
    expect(online).toMatchObject({ status: 'waiting', step: 'queued', startedAt: null });
    expect(online.detail).toContain('commands are waiting');

    // The command queue's grace after an MQTT connect passes: the message goes out and the device acknowledges it.
    clock.advance(1_000);
    await eventually(async () => {
      const got = await call(apiRoutes.getCommand, { params: { commandId: message.commandId } });
      return got.command.status !== 'PENDING' && got.command.status !== 'SENT' ? got : undefined;
    });
    expect((await subTasks(task.taskId))[0]).toMatchObject({ status: 'waiting', reason: 'CommandsPending' });
    clock.advance(10_000);
    const done = await eventually(async () => {
      const [sub] = await subTasks(task.taskId);
      return sub?.status === 'success' ? sub : undefined;
    }, 15_000);
    expect(done).toMatchObject({ currentVersion: 'V2.0.0', reason: 'Upgraded' });
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: done.subTaskId } });
    expect(timeline.entries.map((e) => e.text)).toContain('attempt 1 started');
  }, 60_000);

  it('starts the upgrade once the pending command expires unsent (EXPIRED is not pending)', async () => {
    // Cached for 60 s while the device is away.
    const { device, secret, task, message } = await offlineTrackerWithMessage('TR3', 'tr-expiring', 'stale by now', 60);

    // The device connects 59.5 s after the command was queued: the command queue's 1 s grace after a connect ends
    // after the command's expiry, so the command is still pending (and holds the upgrade) until it expires unsent.
    clock.advance(49_500);
    const child = spawn('/usr/bin/python3', [
      PAHO_OTA_DEVICE,
      JSON.stringify({
        host: '127.0.0.1',
        port: core.runtime.ports.mqtt,
        deviceId: device.deviceId,
        kind: 'firmware',
        fwVersion: 'V1.0.0',
        swVersion: 'SW1.0.0',
        ...deviceLogin(device.deviceId, secret, { nowMs: clock.now() }),
      }),
    ]);
    children.push(child);
    const held = await eventually(async () => {
      const [sub] = await subTasks(task.taskId);
      return sub?.reason === 'CommandsPending' ? sub : undefined;
    }, 10_000);
    expect(held).toMatchObject({ status: 'waiting', startedAt: null });

    clock.advance(1_000);
    const expired = await eventually(async () => {
      const got = await call(apiRoutes.getCommand, { params: { commandId: message.commandId } });
      return got.command.status === 'PENDING' ? undefined : got.command;
    });
    expect(expired.status).toBe('EXPIRED');
    // The upgrade looks at the device's commands again 10 s after it found one pending, and now goes ahead.
    expect((await subTasks(task.taskId))[0]).toMatchObject({ status: 'waiting', reason: 'CommandsPending' });
    clock.advance(10_000);
    const done = await eventually(async () => {
      const [sub] = await subTasks(task.taskId);
      return sub?.status === 'success' ? sub : undefined;
    }, 15_000);
    expect(done).toMatchObject({ currentVersion: 'V2.0.0', reason: 'Upgraded', attempts: 1 });
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: done.subTaskId } });
    expect(timeline.entries.map((e) => e.text)).toContain('attempt 1 started');
  }, 60_000);
});

describe('rollout rate with a ramp-up', () => {
  it('starts 2, then 4, then 8 devices per minute, on the injected clock', async () => {
    const devices = await fleet(20, '863703041000001');
    const task = await call(apiRoutes.createOtaTask, {
      body: {
        packageId: swPkg.id,
        deviceIds: devices.map((d) => d.deviceId),
        policy: { ratePerMinute: 2, rampDoubleEveryS: 60, rampMaxPerMinute: 8, stepTimeoutS: 3_600 },
      },
    });
    expect(task.policy).toMatchObject({ ratePerMinute: 2, rampDoubleEveryS: 60, rampMaxPerMinute: 8 });
    clock.advance(10_000);
    const counts: number[] = [started(await subTasks(task.taskId))];
    const held = (await subTasks(task.taskId)).find((s) => s.startedAt === null)!;
    expect(held).toMatchObject({ status: 'waiting', reason: 'WaitingRollout', detail: '2 devices per minute' });
    // Just before each minute nothing more has started; at the minute the doubled rate's devices start.
    for (let minute = 1; minute <= 3; minute++) {
      clock.advance(59_000);
      expect(started(await subTasks(task.taskId))).toBe(counts.at(-1));
      clock.advance(1_000);
      counts.push(started(await subTasks(task.taskId)));
    }
    expect(counts).toEqual([2, 6, 14, 20]);
    const startTimes = (await subTasks(task.taskId)).map((s) => Date.parse(s.startedAt!) - Date.parse(task.createdAt));
    const perMinute = [10_000, 70_000, 130_000, 190_000].map((at) => startTimes.filter((t) => t === at).length);
    expect(perMinute).toEqual([2, 4, 8, 6]);
    await call(apiRoutes.stopOtaTask, { params: { taskId: task.taskId } });
  }, 60_000);

  it('refuses a ramp without a starting rate', async () => {
    await expect(
      call(apiRoutes.createOtaTask, {
        body: { packageId: swPkg.id, deviceIds: ['x'], policy: { rampDoubleEveryS: 60, rampMaxPerMinute: 8 } },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'OTA_BAD_POLICY' });
  });
});

describe('abort threshold', () => {
  it('stops the task when more than 20 % of the first 5 devices fail, and says so', async () => {
    // Fleet order: the first three are already on the target version (they fail at once, not retried).
    const devices = await fleet(10, '863703042000001', [{ count: 3, faults: { alreadyLatest: true } }]);
    const task = await call(apiRoutes.createOtaTask, {
      body: {
        packageId: swPkg.id,
        deviceIds: devices.map((d) => d.deviceId),
        policy: { ratePerMinute: 5, abortPercent: 20, abortAfter: 5 },
      },
    });
    clock.advance(10_000);
    const stopped = await eventually(async () => {
      const t = await call(apiRoutes.getOtaTask, { params: { taskId: task.taskId } });
      return t.status === 'stopped' ? t : undefined;
    }, 15_000);
    expect(stopped.stopReason).toMatch(/^abort threshold: [23] of the first 5 devices failed \(more than 20 %\)$/);
    const items = await subTasks(task.taskId);
    const notStarted = items.slice(5);
    expect(notStarted.map((s) => [s.status, s.reason, s.startedAt])).toEqual(
      Array.from({ length: 5 }, () => ['stopped', 'AbortThreshold', null]),
    );
    expect(notStarted[0]!.detail).toBe(stopped.stopReason);
    // Past the rollout minute nothing else starts.
    clock.advance(60_000);
    expect(started(await subTasks(task.taskId))).toBe(5);
  }, 60_000);

  it('lets a task whose first devices mostly succeed run on', async () => {
    const devices = await fleet(4, '863703043000001', [{ count: 1, faults: { alreadyLatest: true } }]);
    const task = await call(apiRoutes.createOtaTask, {
      body: {
        packageId: swPkg.id,
        deviceIds: devices.map((d) => d.deviceId),
        policy: { abortPercent: 30, abortAfter: 4 },
      },
    });
    clock.advance(10_000);
    const done = await eventually(async () => {
      clock.advance(1_000);
      const t = await call(apiRoutes.getOtaTask, { params: { taskId: task.taskId } });
      return t.status === 'fail' || t.status === 'stopped' ? t : undefined;
    }, 20_000);
    expect(done).toMatchObject({ status: 'fail', stopReason: null, counts: { success: 3, fail: 1 } });
  }, 60_000);
});

describe('group and tag targets', () => {
  let meters: SimDevice[];

  beforeAll(async () => {
    meters = await fleet(5, '863703044000001');
  }, 30_000);

  it('resolves groups (with sub-groups) and tags into devices at creation, and says what each gave', async () => {
    const other = await call(apiRoutes.createProduct, {
      body: {
        deviceType: 'Lamp',
        manufacturerId: 'Else',
        manufacturerName: 'Else',
        model: 'L1',
        protocolType: 'CoAP',
        services: [],
      },
    });
    const { device: lamp } = await call(apiRoutes.registerDevice, {
      body: { productId: other.id, nodeId: '863703044999999' },
    });
    const parent = await call(apiRoutes.createGroup, {
      body: { name: 'district-a', deviceIds: [meters[0]!.deviceId, lamp.deviceId] },
    });
    await call(apiRoutes.createGroup, {
      body: { name: 'street-1', parentId: parent.id, deviceIds: [meters[1]!.deviceId] },
    });
    const tag = await call(apiRoutes.createTag, { body: { key: 'batch', value: '7' } });
    await call(apiRoutes.attachTag, {
      params: { tagId: tag.id },
      body: { deviceIds: [meters[1]!.deviceId, meters[2]!.deviceId] },
    });
    const task = await call(apiRoutes.createOtaTask, {
      body: { packageId: swPkg.id, deviceIds: [meters[3]!.deviceId], groupIds: [parent.id], tagIds: [tag.id] },
    });
    expect(task.resolvedTargets).toEqual([
      { kind: 'devices', id: 'deviceIds', deviceCount: 1, skipped: 0 },
      { kind: 'group', id: parent.id, deviceCount: 2, skipped: 1 },
      { kind: 'tag', id: tag.id, deviceCount: 2, skipped: 0 },
    ]);
    const items = await subTasks(task.taskId);
    expect(items.map((s) => s.deviceId).sort()).toEqual(
      [meters[0]!, meters[1]!, meters[2]!, meters[3]!].map((d) => d.deviceId).sort(),
    );
    const fromGroup = items.find((s) => s.deviceId === meters[0]!.deviceId)!;
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: fromGroup.subTaskId } });
    expect(timeline.entries[0]!.text).toBe(`task ${task.taskId} created (from group ${parent.id})`);

    // Resolved once: a device bound to the group afterwards is not added.
    await call(apiRoutes.bindGroupDevices, {
      params: { groupId: parent.id },
      body: { deviceIds: [meters[4]!.deviceId] },
    });
    clock.advance(10_000);
    expect((await call(apiRoutes.getOtaTask, { params: { taskId: task.taskId } })).counts.total).toBe(4);
    await call(apiRoutes.stopOtaTask, { params: { taskId: task.taskId } });
  }, 30_000);

  it('refuses targets that hold no device, and an unknown group', async () => {
    const empty = await call(apiRoutes.createGroup, { body: { name: 'empty' } });
    await expect(
      call(apiRoutes.createOtaTask, { body: { packageId: swPkg.id, groupIds: [empty.id] } }),
    ).rejects.toMatchObject({ status: 400, code: 'OTA_NO_TARGET' });
    await expect(call(apiRoutes.createOtaTask, { body: { packageId: swPkg.id } })).rejects.toMatchObject({
      status: 400,
      code: 'OTA_NO_TARGET',
    });
    await expect(
      call(apiRoutes.createOtaTask, { body: { packageId: swPkg.id, groupIds: ['no-such-group'] } }),
    ).rejects.toMatchObject({ status: 404, code: 'GROUP_NOT_FOUND' });
  });
});
