// `iotwb simulate --ota-fault …` as a separate process against a running core, for both protocols: the devices it
// runs take an upgrade task, and the ones the flags made faulty fail with the reasons those faults give.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { firmwarePackage, packageBytes, softwarePackage, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const bin = fileURLToPath(new URL('../../core/bin/iotwb.mjs', import.meta.url));
const tempDir = useTempDirs('iotwb-ota-cli-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 19, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let meter: string;
let tracker: string;
let swPkg: StoredPackage;
let fwPkg: StoredPackage;

function simulate(args: string[]) {
  const child = spawn(process.execPath, [bin, 'simulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, stdout: () => stdout, stop: () => child.kill('SIGINT') };
}

const connection = () => ['--core', core.runtime.apiUrl, '--token', core.runtime.token];

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const product = await createWaterMeterProduct(call);
  meter = product.id;
  const m = product.model;
  tracker = (
    await call(apiRoutes.createProduct, {
      body: {
        deviceType: 'Tracker',
        manufacturerId: 'CliOta',
        manufacturerName: 'CliOta',
        model: 'TR5',
        protocolType: 'MQTT',
        services: [],
      },
    })
  ).id;
  await trustReleaseKey(call, m.manufacturerName, 'CliOta');
  swPkg = await softwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: m.deviceType, manufacturerName: m.manufacturerName, model: m.model, protocolType: 'CoAP' },
    { version: 'SW5.0.0', bytes: packageBytes(600), deviceShard: 100 },
  );
  fwPkg = await firmwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: 'Tracker', manufacturerName: 'CliOta', model: 'TR5', protocolType: 'MQTT' },
    { version: 'V5.0.0', bytes: packageBytes(5_000) },
  );
}, 60_000);

afterAll(() => core?.stop());

/** Runs the task to its end, moving the core's clock a second per look. */
async function upgrade(packageId: string, deviceIds: string[]): Promise<OtaSubTask[]> {
  const task = await call(apiRoutes.createOtaTask, { body: { packageId, deviceIds } });
  clock.advance(10_000);
  return eventually(async () => {
    clock.advance(1_000);
    const items = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
    return items.every((s) => s.status === 'success' || s.status === 'fail') ? items : undefined;
  }, 30_000);
}

describe('iotwb simulate --ota-fault', () => {
  it('LwM2M meters: already latest on the first, low battery on the next, the third upgrades', async () => {
    const run = simulate([
      ...['--protocol', 'lwm2m', '--product', meter, '--count', '3', '--rate', '0', '--duration', '60'],
      ...['--first-node-id', '863703050000001', '--ota-fault', 'already-latest@1', '--ota-fault', 'low-battery@1'],
      ...connection(),
    ]);
    const ids = ['863703050000001', '863703050000002', '863703050000003'].map((n) => `${meter}_${n}`);
    await eventually(async () => {
      const regs = await Promise.all(
        ids.map((id) => call(apiRoutes.getLwm2mRegistration, { params: { id } }).catch(() => undefined)),
      );
      return regs.every((r) => r?.observations.some((o) => o.path === '/19/0/0')) ? true : undefined;
    }, 20_000);
    const items = await upgrade(swPkg.id, ids);
    run.stop();
    expect(ids.map((id) => items.find((s) => s.deviceId === id)?.reason)).toEqual([
      'AlreadyLatest',
      'LowBattery',
      'Upgraded',
    ]);
    expect((await run.done).code).toBe(0);
  }, 90_000);

  it('MQTT devices: busy on one, a shard that never arrives on another, the last upgrades', async () => {
    const run = simulate([
      ...['--product', tracker, '--count', '3', '--rate', '0', '--prefix', 'cli-ota-', '--duration', '60'],
      ...['--ota-fault', 'busy@1', '--ota-fault', 'drop-shard=2@1', '--fw-version', 'V4.0.0'],
      ...connection(),
    ]);
    await eventually(() => (run.stdout().includes('simulate: 3 iotda MQTT device(s)') ? true : undefined), 20_000);
    const ids = [1, 2, 3].map((i) => `${tracker}_cli-ota-${i}`);
    await eventually(async () => {
      const devices = await Promise.all(
        ids.map((id) => call(apiRoutes.getDevice, { params: { id } }).catch(() => undefined)),
      );
      return devices.every((d) => d?.status === 'online') ? true : undefined;
    }, 20_000);
    const items = await upgrade(fwPkg.id, ids);
    run.stop();
    const byId = (id: string) => items.find((s) => s.deviceId === id)!;
    expect(ids.map((id) => byId(id).reason)).toEqual(['DeviceBusy', 'DownloadTimeout', 'Upgraded']);
    expect(byId(ids[1]!).detail).toBe('shard 2 (bytes from 2048) never arrived');
    expect(byId(ids[2]!)).toMatchObject({ sourceVersion: 'V4.0.0', currentVersion: 'V5.0.0' });
    expect((await run.done).code).toBe(0);
  }, 90_000);

  it('documents the flag in --help and refuses a bad one with the flag named', async () => {
    const help = await simulate(['--help']).done;
    expect(help.stdout + help.stderr).toContain('--ota-fault F[@WHO]');
    const radio = await simulate(['--product', tracker, '--ota-fault', 'rsrp=-120@1', ...connection()]).done;
    expect(radio.code).toBe(2);
    expect(radio.stderr).toContain('--ota-fault rsrp=-120@1: rsrp is radio: LwM2M devices only');
    const unknown = await simulate([
      '--protocol',
      'lwm2m',
      '--product',
      meter,
      '--ota-fault',
      'sleepy',
      ...connection(),
    ]).done;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--ota-fault sleepy: unknown fault "sleepy"');
  }, 60_000);
});
