// Durable upgrades: a meter mid-download loses coverage, the workbench restarts on the same data folder, the meter
// comes back and resumes from its first missing shard; the sub-task, its step and its timeline survived.
import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { VirtualNbDevice } from '../../core/simulator/lwm2m/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { packageBytes, softwarePackage, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs('iotwb-ota-restart-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
let core: RunningCore | undefined;
const call = contractCaller(() => core!);
let device: VirtualNbDevice | undefined;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

afterAll(async () => {
  await device?.stop();
  await core?.stop();
});

describe('an upgrade across a workbench restart', () => {
  it('resumes the download from the first missing shard and succeeds', async () => {
    const dataDir = tempDir();
    const coapPort = await freeUdpPort();
    core = await startCore({ dataDir, clock, coapPort });
    const product = await createWaterMeterProduct(call);
    const m = product.model;
    await trustReleaseKey(call, m.manufacturerName);
    const pkg = await softwarePackage(
      core,
      call,
      tempDir(),
      { deviceType: m.deviceType, manufacturerName: m.manufacturerName, model: m.model, protocolType: 'CoAP' },
      { version: 'SW2.0.0', bytes: packageBytes(2_000), deviceShard: 100 },
    );
    const nodeId = '863703035000001';
    const { device: registered } = await call(apiRoutes.registerDevice, { body: { productId: product.id, nodeId } });
    const meter = new VirtualNbDevice({
      clock,
      server: { host: '127.0.0.1', port: coapPort },
      info: {
        nodeId,
        manufacturer: m.manufacturerName,
        model: m.model,
        deviceType: m.deviceType,
        firmwareVersion: 'V1.0.0',
        softwareVersion: 'SW1.0.0',
        lifetimeS: 86_400,
        radio: { rsrpDbm: -90, sinrDb: 10, cellId: 77 },
      },
      otaFaults: { offlineAtShard: 8 },
    });
    device = meter;
    await meter.start();
    await eventually(() => (meter.ready() ? true : undefined));

    const task = await call(apiRoutes.createOtaTask, { body: { packageId: pkg.id, deviceIds: [registered.deviceId] } });
    clock.advance(10_000);
    await eventually(() => (meter.state() === 'no-coverage' ? true : undefined));
    expect(meter.shardsHeld()).toBe(8);
    const [before] = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
    expect(before).toMatchObject({ status: 'running', step: 'downloading', progress: 40 });

    await core.stop();
    core = await startCore({ dataDir, clock, coapPort });
    await meter.setCoverage(true);
    const done = await eventually(async () => {
      clock.advance(500);
      const [s] = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
      return s?.status === 'success' ? s : undefined;
    }, 15_000);
    expect(done).toMatchObject({ currentVersion: 'SW2.0.0', attempts: 1 });
    expect(String(meter.objects.get(3, 0, 19))).toBe('SW2.0.0');
    const texts = (await call(apiRoutes.otaSubTaskTimeline, { params: { subTaskId: done.subTaskId } })).entries.map(
      (e) => e.text,
    );
    const resumedAt = texts.indexOf('resumed after a restart');
    expect(resumedAt).toBeGreaterThan(0);
    expect(texts.slice(resumedAt)).toContain('PCP 21 first shard asked: 8');
    expect((await call(apiRoutes.getOtaTask, { params: { taskId: task.taskId } })).status).toBe('success');
  }, 60_000);
});
