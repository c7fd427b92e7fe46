// FOTA over LwM2M object 5 to simulated meters: the platform writes a coap:// URI on its own port, the
// meter fetches the package block by block (Block2), reports State 2, is executed and reports Update Result 1;
// a failed check, an unknown cell, a stalled download and a version already installed end with their reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type SimDevice, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { firmwarePackage, packageBytes, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs('iotwb-ota-fota-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 10, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let productId: string;
let pkg: StoredPackage;
const PAYLOAD = packageBytes(5_000);

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const product = await createWaterMeterProduct(call);
  productId = product.id;
  const m = product.model;
  await trustReleaseKey(call, m.manufacturerName);
  pkg = await firmwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: m.deviceType, manufacturerName: m.manufacturerName, model: m.model, protocolType: 'LWM2M' },
    { version: 'V2.0.0', bytes: PAYLOAD, sourceVersions: 'V1.*' },
  );
}, 60_000);

afterAll(() => core?.stop());

const subTasks = async (taskId: string) => (await call(apiRoutes.listOtaSubTasks, { params: { taskId } })).items;

async function settle(taskId: string, stepMs = 1_000): Promise<OtaSubTask[]> {
  return eventually(async () => {
    clock.advance(stepMs);
    const items = await subTasks(taskId);
    return items.every((s) => s.status === 'success' || s.status === 'fail') ? items : undefined;
  }, 30_000);
}

describe('a FOTA task to simulated meters', () => {
  let devices: SimDevice[];
  let items: OtaSubTask[];
  let taskId: string;

  beforeAll(async () => {
    const fleet = await call(apiRoutes.startLwm2mFleet, {
      body: {
        productId,
        count: 6,
        firstNodeId: '863703034000001',
        intervalS: 0,
        otaFaults: [
          { count: 1, faults: { checkFailed: true } },
          { count: 1, faults: { cellId: null } },
          { count: 1, faults: { dropShard: 4 } },
          { count: 1, faults: { rsrpDbm: null } },
        ],
      },
    });
    devices = fleet.devices;
    const task = await call(apiRoutes.createOtaTask, {
      body: { packageId: pkg.id, deviceIds: devices.map((d) => d.deviceId), policy: { stepTimeoutS: 30 } },
    });
    taskId = task.taskId;
    expect(task.kind).toBe('firmware');
    clock.advance(10_000);
    items = await settle(taskId);
  }, 60_000);

  it('downloads block-wise from the CoAP port, installs and reads the new version', async () => {
    const ok = items.filter((s) => s.status === 'success');
    expect(ok.map((s) => s.deviceId).sort()).toEqual(
      [devices[3]!.deviceId, devices[4]!.deviceId, devices[5]!.deviceId].sort(),
    );
    expect(ok.every((s) => s.currentVersion === 'V2.0.0' && s.sourceVersion === 'V1.0.0')).toBe(true);
    // The meter fetched 10 blocks of 512 bytes: ten 2.05 answers with Block2 to /fw/<sub-task>.
    const blocks = await call(apiRoutes.listTrafficFrames, {
      query: { filter: `device == "${devices[5]!.deviceId}" && coap.code == 2.05 && dir == "out"`, limit: 200 },
    });
    expect(blocks.frames.filter((f) => f.length > 500).length).toBeGreaterThanOrEqual(9);
    const timeline = await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: ok[0]!.subTaskId } });
    const text = timeline.entries.map((e) => e.text).join('\n');
    expect(text).toContain('/fw/');
    expect(text).toContain('State 2');
    expect(text).toContain('Update Result 1');
  });

  it('fails a device whose package check fails, whose cell is unknown, or whose download stalls', () => {
    const reason = (i: number) => items.find((s) => s.deviceId === devices[i]!.deviceId)!.reason;
    expect([reason(0), reason(1), reason(2)]).toEqual(['CheckFailed', 'CellUnknown', 'DownloadTimeout']);
  });

  it('upgrades a device whose coverage query failed but whose cell is known, at 10 per cell', () => {
    const s = items.find((x) => x.deviceId === devices[3]!.deviceId)!;
    expect(s).toMatchObject({ status: 'success', coverageLevel: 'unknown' });
    expect(s.cellId).not.toBeNull();
  });

  it('fails a device already on the target version with AlreadyLatest', async () => {
    const again = await call(apiRoutes.createOtaTask, {
      body: { packageId: pkg.id, deviceIds: [devices[5]!.deviceId] },
    });
    clock.advance(10_000);
    const [s] = await settle(again.taskId);
    expect(s).toMatchObject({ status: 'fail', reason: 'AlreadyLatest' });
  });
});
