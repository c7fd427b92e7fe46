// An OTA task to the workbench's own virtual MQTT devices (core/simulator/mqtt with `$ota`): they answer
// version_query, download over HTTP with the Bearer token, check the SHA-256 sign and report progress; the fault
// injection (the LwM2M simulator's body) makes each of the others fail with the platform's reason, and a device that
// drops offline mid-download resumes it by Range once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { firmwarePackage, packageBytes, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-ota-mqtt-sim-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 17, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let productId: string;
let pkg: StoredPackage;
const PAYLOAD = packageBytes(10_240);

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const product = await call(apiRoutes.createProduct, {
    body: {
      deviceType: 'Tracker',
      manufacturerId: 'SimOta',
      manufacturerName: 'SimOta',
      model: 'TR9',
      protocolType: 'MQTT',
      services: [],
    },
  });
  productId = product.id;
  await trustReleaseKey(call, 'SimOta');
  pkg = await firmwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: 'Tracker', manufacturerName: 'SimOta', model: 'TR9', protocolType: 'MQTT' },
    { version: 'V2.0.0', bytes: PAYLOAD },
  );
}, 60_000);

afterAll(() => core?.stop());

describe('OTA to virtual MQTT devices', () => {
  const faults = ['alreadyLatest', 'busy', 'lowBattery', 'checkFailed', 'dropShard', 'offline', 'healthy', 'install'];
  let deviceIds: string[];
  let items: OtaSubTask[];
  let simulationId: string;

  beforeAll(async () => {
    const sim = await call(apiRoutes.startMqttSimulation, {
      body: {
        productId,
        count: 8,
        rate: 0,
        nodeIdPrefix: 'ota-sim-',
        otaFaults: [
          { count: 1, faults: { alreadyLatest: true } },
          { count: 1, faults: { busy: true } },
          { count: 1, faults: { lowBattery: true } },
          { count: 1, faults: { checkFailed: true } },
          { count: 1, faults: { dropShard: 3 } },
          // The radio fields of the shared body do not apply to MQTT devices and are dropped.
          { count: 1, faults: { offlineAtShard: 4, rsrpDbm: -120, cellId: 7 } },
        ],
      },
    });
    simulationId = sim.id;
    expect(sim).toMatchObject({ devices: 8, connected: 8 });
    // The simulation registered them: deviceId = <productId>_<nodeId>.
    deviceIds = Array.from({ length: 8 }, (_, i) => `${productId}_ota-sim-${i + 1}`);
    const installFailing = await call(apiRoutes.setMqttSimOtaFaults, {
      params: { deviceId: deviceIds[7]! },
      body: { installFailed: true },
    });
    expect(installFailing).toMatchObject({
      simulationId,
      otaFaults: { installFailed: true },
      firmwareVersion: 'V1.0.0',
    });
    const offline = await call(apiRoutes.getMqttSimDevice, { params: { deviceId: deviceIds[5]! } });
    expect(offline.otaFaults).toEqual({ offlineAtShard: 4 });

    const task = await call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds } });
    clock.advance(10_000);
    items = await eventually(async () => {
      clock.advance(1_000);
      const list = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
      return list.every((s) => s.status === 'success' || s.status === 'fail') ? list : undefined;
    }, 30_000);
  }, 90_000);

  const sub = (fault: string) => items.find((s) => s.deviceId === deviceIds[faults.indexOf(fault)])!;

  it('upgrades a healthy device: Bearer download, sign matched, the new version reported', async () => {
    expect(sub('healthy')).toMatchObject({ status: 'success', reason: 'Upgraded', currentVersion: 'V2.0.0' });
    const device = await call(apiRoutes.getMqttSimDevice, { params: { deviceId: deviceIds[6]! } });
    expect(device).toMatchObject({ firmwareVersion: 'V2.0.0', bytesHeld: 0, downloadStatuses: [200] });
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: sub('healthy').subTaskId } });
    const texts = timeline.entries.map((e) => e.text).join('\n');
    expect(texts).toContain('$ota version_report: fw V1.0.0, sw SW1.0.0');
    expect(texts).toContain('$ota upgrade_progress_report: result 0, progress 100, upgraded');
  });

  it('fails the faulty devices with the reasons their result codes give', () => {
    expect(
      ['alreadyLatest', 'busy', 'lowBattery', 'checkFailed', 'dropShard', 'install'].map((f) => sub(f).reason),
    ).toEqual(['AlreadyLatest', 'DeviceBusy', 'LowBattery', 'CheckFailed', 'DownloadTimeout', 'InstallFailed']);
    expect(sub('dropShard').detail).toBe('shard 3 (bytes from 3072) never arrived');
    expect(sub('checkFailed').detail).toMatch(/^sha256 [0-9a-f]{64} does not match the sign$/);
  });

  it('keeps what a dropped download held, so the device asked for shard 3 three times by Range', async () => {
    const device = await call(apiRoutes.getMqttSimDevice, { params: { deviceId: deviceIds[4]! } });
    expect(device).toMatchObject({ bytesHeld: 3072, downloadStatuses: [200, 206, 206], firmwareVersion: 'V1.0.0' });
  });

  it('resumes by Range after going offline mid-download, and succeeds', async () => {
    expect(sub('offline')).toMatchObject({ status: 'success', currentVersion: 'V2.0.0' });
    const device = await call(apiRoutes.getMqttSimDevice, { params: { deviceId: deviceIds[5]! } });
    expect(device).toMatchObject({ connected: true, downloadStatuses: [200, 206] });
    // 4 KiB of 10 KiB held when it dropped: its progress report said so before it went away.
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: sub('offline').subTaskId } });
    expect(timeline.entries.map((e) => e.text)).toContain(
      '$ota upgrade_progress_report: result 0, progress 25, downloaded 4096 of 10240 bytes',
    );
  });

  it('answers NOT_SIMULATED for a device that is in no simulation', async () => {
    await expect(
      call(apiRoutes.setMqttSimOtaFaults, { params: { deviceId: 'nobody' }, body: { busy: true } }),
    ).rejects.toMatchObject({ status: 404, code: 'NOT_SIMULATED' });
  });
});
