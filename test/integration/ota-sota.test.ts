// SOTA over PCP to simulated NB-IoT meters (R-15.2/15.3): a task upgrades a fleet; devices that are already
// latest, low on battery or lose a shard fail with those reasons; the traffic shows the shard asked three times;
// per-cell concurrency never goes above its limit (counted from the captured frames); PCP never reaches the codec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type SimDevice, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { ApiCallError, contractCaller, eventually } from '../support/device-api.js';
import { packageBytes, softwarePackage, trustReleaseKey, type PackageIdentity } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs('iotwb-ota-sota-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let identity: PackageIdentity;
let productId: string;
let pkg: StoredPackage;
let receiver: TestReceiverServer;
const APP_ID = 'ota_app';

const PAYLOAD = packageBytes(2_000);

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: 'Ota-App-Secret-1' });
  receiver = await startReceiver();
  for (const notifyType of ['swUpgradeStateChangeNotify', 'swUpgradeResultNotify'] as const) {
    await call(apiRoutes.createSubscription, {
      params: { appId: APP_ID },
      body: { notifyType, callbackUrl: receiver.url('/upgrades') },
    });
  }
  const product = await createWaterMeterProduct(call);
  productId = product.id;
  const m = product.model;
  identity = {
    deviceType: m.deviceType,
    manufacturerName: m.manufacturerName,
    model: m.model,
    protocolType: 'CoAP',
  };
  await trustReleaseKey(call, m.manufacturerName);
  pkg = await softwarePackage(core, call, tempDir(), identity, {
    version: 'SW1.1.0',
    bytes: PAYLOAD,
    deviceShard: 100,
    sourceVersions: 'SW1.0.*',
  });
}, 60_000);

afterAll(async () => {
  await core?.stop();
  await receiver?.close();
});

async function fleet(count: number, firstNodeId: string, otaFaults: { count: number; faults: object }[] = []) {
  const f = await call(apiRoutes.startLwm2mFleet, {
    body: { productId, count, firstNodeId, intervalS: 0, otaFaults },
  });
  await eventually(async () => {
    const fl = await call(apiRoutes.listLwm2mFleets, {});
    const mine = fl.fleets.find((x) => x.id === f.id)!;
    return mine.devices.every((d) => d.observed.includes('/19/0/0')) ? true : undefined;
  });
  return f.devices;
}

const subTasks = async (taskId: string) => (await call(apiRoutes.listOtaSubTasks, { params: { taskId } })).items;

/** Moves the clock a step per poll until every sub-task has ended. */
async function settle(taskId: string, stepMs = 1_000, timeoutMs = 20_000): Promise<OtaSubTask[]> {
  return eventually(async () => {
    clock.advance(stepMs);
    const items = await subTasks(taskId);
    return items.every((s) => s.status === 'success' || s.status === 'fail') ? items : undefined;
  }, timeoutMs);
}

describe('a SOTA task to simulated meters', () => {
  let devices: SimDevice[];
  let taskId: string;
  let items: OtaSubTask[];

  beforeAll(async () => {
    devices = await fleet(8, '863703031000001', [
      { count: 2, faults: { alreadyLatest: true } },
      { count: 1, faults: { dropShard: 7 } },
      { count: 1, faults: { lowBattery: true } },
    ]);
    const task = await call(apiRoutes.createOtaTask, {
      body: { packageId: pkg.id, deviceIds: devices.map((d) => d.deviceId), policy: { stepTimeoutS: 120 } },
    });
    taskId = task.taskId;
    expect(task).toMatchObject({ status: 'waiting', kind: 'software', targetVersion: 'SW1.1.0' });
    expect(task.counts).toMatchObject({ total: 8, waiting: 8 });
    clock.advance(9_000);
    expect((await call(apiRoutes.getOtaTask, { params: { taskId } })).status).toBe('waiting');
    clock.advance(1_000);
    items = await settle(taskId);
  }, 60_000);

  it('upgrades the healthy meters: 20 shards each, the new version reported by PCP 24', async () => {
    const healthy = items.filter((s) => devices.slice(4).some((d) => d.deviceId === s.deviceId));
    expect(healthy.map((s) => [s.status, s.reason, s.currentVersion, s.sourceVersion, s.progress])).toEqual(
      Array.from({ length: 4 }, () => ['success', 'Upgraded', 'SW1.1.0', 'SW1.0.0', 100]),
    );
    for (const d of devices.slice(4)) {
      const sim = await call(apiRoutes.getLwm2mSimDevice, { params: { deviceId: d.deviceId } });
      expect(sim).toMatchObject({ softwareVersion: 'SW1.1.0', shardsHeld: 0 });
    }
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: healthy[0]!.subTaskId } });
    expect(timeline.entries.map((e) => e.step)).toEqual(
      expect.arrayContaining([
        'checkingVersion',
        'readingCoverage',
        'waitingSlot',
        'notifying',
        'downloading',
        'downloaded',
        'updating',
        'done',
      ]),
    );
    expect(timeline.entries.map((e) => e.text).join('\n')).toContain(
      'PCP 20 new version SW1.1.0: 20 shards of 100 bytes',
    );
  });

  it('fails the others with the reasons the devices gave', () => {
    const byDevice = new Map(items.map((s) => [s.deviceId, s]));
    const reasons = devices.slice(0, 4).map((d) => byDevice.get(d.deviceId)!.reason);
    expect(reasons).toEqual(['AlreadyLatest', 'AlreadyLatest', 'DownloadTimeout', 'LowBattery']);
    expect(byDevice.get(devices[2]!.deviceId)!.detail).toContain('last shard asked: 7');
  });

  it('shows the lost shard asked three times in the traffic, and the platform answering each', async () => {
    const device = devices[2]!.deviceId;
    const asked = await call(apiRoutes.listTrafficFrames, {
      query: { filter: `pcp.code == 21 && pcp.shard == 7 && device == "${device}"`, limit: 50 },
    });
    expect(asked.frames.filter((f) => f.direction === 'in')).toHaveLength(3);
    expect(asked.frames.filter((f) => f.direction === 'out')).toHaveLength(3);
  });

  it('ends the task as failed, with the counts by state', async () => {
    const task = await call(apiRoutes.getOtaTask, { params: { taskId } });
    expect(task.status).toBe('fail');
    expect(task.counts).toMatchObject({ total: 8, success: 4, fail: 4, waiting: 0, running: 0 });
  });

  it('never hands PCP frames to the codec (no uplink errors, no stored data)', async () => {
    for (const d of devices) {
      expect((await call(apiRoutes.deviceUplinkErrors, { params: { id: d.deviceId } })).items).toEqual([]);
    }
  });

  it('pushes the state changes and the result of each device (§1.11)', async () => {
    const healthy = items.find((s) => s.deviceId === devices[5]!.deviceId)!;
    const pushes = await eventually(() => {
      const mine = receiver.received.map((r) => r.json).filter((b) => b.subOperationId === healthy.subTaskId);
      return mine.some((b) => b.notifyType === 'swUpgradeResultNotify') ? mine : undefined;
    });
    expect(pushes.filter((b) => b.notifyType === 'swUpgradeStateChangeNotify').map((b) => b.swUpgradeState)).toEqual([
      'downloading',
      'downloaded',
      'updating',
      'idle',
    ]);
    expect(pushes.find((b) => b.notifyType === 'swUpgradeResultNotify')).toMatchObject({
      deviceId: healthy.deviceId,
      appId: APP_ID,
      operationId: taskId,
      curVersion: 'SW1.1.0',
      targetVersion: 'SW1.1.0',
      sourceVersion: 'SW1.0.0',
      swUpgradeResult: 'SUCCESS',
    });
    const lost = items.find((s) => s.deviceId === devices[2]!.deviceId)!;
    const failed = await eventually(() =>
      receiver.received
        .map((r) => r.json)
        .find((b) => b.subOperationId === lost.subTaskId && b.notifyType === 'swUpgradeResultNotify'),
    );
    expect(failed).toMatchObject({ swUpgradeResult: 'FAIL', errorCode: 'DownloadTimeout' });
  });

  it("lists the device's upgrade history", async () => {
    const history = await call(apiRoutes.deviceOtaHistory, { params: { id: devices[5]!.deviceId } });
    expect(history.items.map((s) => [s.taskId, s.status])).toEqual([[taskId, 'success']]);
  });

  it("puts the upgrades among the device's operation records (R-12.3), next to its reboots", async () => {
    const id = devices[2]!.deviceId;
    await call(apiRoutes.rebootDevice, { params: { id } });
    const records = await call(apiRoutes.deviceOperationRecords, { params: { id } });
    expect(records.items.map((r) => r.kind).sort()).toEqual(['reboot', 'softwareUpgrade']);
    expect(records.items.find((r) => r.kind === 'softwareUpgrade')).toMatchObject({
      taskId,
      status: 'fail',
      result: expect.stringMatching(/^DownloadTimeout: .*last shard asked: 7/) as unknown,
    });
    const upgrades = await call(apiRoutes.deviceOperationRecords, {
      params: { id },
      query: { kind: 'softwareUpgrade' },
    });
    expect(upgrades.items).toHaveLength(1);
  });
});

describe('coverage-based concurrency', () => {
  it('upgrades a level-2 cell one device at once, counted from the captured PCP frames', async () => {
    const weak = await fleet(4, '863703032000001', [{ count: 4, faults: { rsrpDbm: -120, sinrDb: -5, cellId: 4242 } }]);
    const ids = weak.map((d) => d.deviceId);
    const task = await call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds: ids } });
    clock.advance(10_000);
    const cellsWhileRunning = await eventually(async () => {
      const c = (await call(apiRoutes.listOtaCells, { params: { taskId: task.taskId } })).cells;
      return c.length === 1 && c[0]!.waiting > 0 ? c : undefined;
    });
    expect(cellsWhileRunning[0]).toMatchObject({ cellId: '4242', level: '2', limit: 1, running: 1 });
    const done = await settle(task.taskId);
    expect(done.map((s) => s.status)).toEqual(['success', 'success', 'success', 'success']);

    // The trace: a device holds its slot from its PCP 20 (sent by us) to its PCP 24 (from it).
    const frames = await call(apiRoutes.listTrafficFrames, {
      query: { filter: '(pcp.code == 20 && dir == "out") || (pcp.code == 24 && dir == "in")', limit: 2000 },
    });
    let upgrading = 0;
    let peak = 0;
    for (const f of frames.frames.filter((x) => ids.includes(x.deviceId ?? ''))) {
      upgrading += f.direction === 'out' ? 1 : -1;
      peak = Math.max(peak, upgrading);
    }
    expect(peak).toBe(1);
    const cells = (await call(apiRoutes.listOtaCells, { params: { taskId: task.taskId } })).cells;
    expect(cells).toEqual([]);
  }, 60_000);
});

describe('task rules', () => {
  it('refuses a package whose model does not match the device', async () => {
    const other = await call(apiRoutes.createProduct, {
      body: { ...identity, protocolType: 'CoAP', manufacturerId: 'Other', model: 'OtherMeter', services: [] },
    });
    const { device } = await call(apiRoutes.registerDevice, {
      body: { productId: other.id, nodeId: '863703039999999' },
    });
    await expect(
      call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds: [device.deviceId] } }),
    ).rejects.toMatchObject({ status: 400, code: 'OTA_PACKAGE_MISMATCH' });
  });

  it('fails a device already in an open task with TaskConflict, and refuses to delete a running task', async () => {
    const [d] = await fleet(1, '863703033000001');
    const first = await call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds: [d!.deviceId] } });
    const second = await call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds: [d!.deviceId] } });
    expect((await subTasks(second.taskId))[0]).toMatchObject({ status: 'fail', reason: 'TaskConflict' });
    await expect(call(apiRoutes.deleteOtaTask, { params: { taskId: first.taskId } })).rejects.toBeInstanceOf(
      ApiCallError,
    );
    const stopped = await call(apiRoutes.stopOtaTask, { params: { taskId: first.taskId } });
    expect(stopped.status).toBe('stopped');
    expect((await subTasks(first.taskId))[0]).toMatchObject({ status: 'stopped', reason: 'Stopped' });
    await call(apiRoutes.deleteOtaTask, { params: { taskId: first.taskId } });
  });
});
