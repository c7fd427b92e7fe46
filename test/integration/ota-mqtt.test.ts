// MQTT OTA (R-14.4, IoTDA `$ota`) to Python paho devices: version_query → version_report → firmware_upgrade with
// a URL, a Bearer token and the SHA-256 `sign`; the device downloads over HTTP (one with a Range resume), checks
// the sign and reports upgrade_progress_report; the sub-task follows.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaSubTask, type StoredPackage } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { firmwarePackage, packageBytes, trustReleaseKey } from '../support/ota-packages.js';
import { useTempDirs } from '../support/temp-dir.js';

const PAHO_OTA_DEVICE = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_ota_device.py');
const tempDir = useTempDirs('iotwb-ota-mqtt-');
const clock = createManualClock(Date.UTC(2026, 11, 7, 11, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let productId: string;
let pkg: StoredPackage;
const children: ChildProcessWithoutNullStreams[] = [];
const PAYLOAD = packageBytes(30_000);

interface PahoOta {
  deviceId: string;
  events: Record<string, unknown>[];
}

async function pahoOtaDevice(nodeId: string, options: { resume?: boolean; fwVersion?: string }): Promise<PahoOta> {
  const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId, nodeId } });
  const login = deviceLogin(device.deviceId, secret, { nowMs: clock.now() });
  const child = spawn('/usr/bin/python3', [
    PAHO_OTA_DEVICE,
    JSON.stringify({
      host: '127.0.0.1',
      port: core.runtime.ports.mqtt,
      deviceId: device.deviceId,
      kind: 'firmware',
      fwVersion: options.fwVersion ?? 'V1.0.0',
      swVersion: 'SW1.0.0',
      resume: options.resume ?? false,
      ...login,
    }),
  ]);
  children.push(child);
  const events: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  expect(await eventually(() => events.find((e) => 'connack' in e)?.connack)).toBe(0);
  return { deviceId: device.deviceId, events };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const product = await call(apiRoutes.createProduct, {
    body: {
      deviceType: 'Tracker',
      manufacturerId: 'OtaMqtt',
      manufacturerName: 'OtaMqtt',
      model: 'TR1',
      protocolType: 'MQTT',
      services: [],
    },
  });
  productId = product.id;
  await trustReleaseKey(call, 'OtaMqtt');
  pkg = await firmwarePackage(
    core,
    call,
    tempDir(),
    { deviceType: 'Tracker', manufacturerName: 'OtaMqtt', model: 'TR1', protocolType: 'MQTT' },
    { version: 'V1.1.0', bytes: PAYLOAD },
  );
}, 60_000);

afterAll(async () => {
  for (const c of children) c.stdin.end();
  await core?.stop();
});

describe('MQTT OTA with Python paho devices', () => {
  let devices: PahoOta[];
  let items: OtaSubTask[];

  beforeAll(async () => {
    devices = [
      await pahoOtaDevice('tracker-full', {}),
      await pahoOtaDevice('tracker-resume', { resume: true }),
      await pahoOtaDevice('tracker-latest', { fwVersion: 'V1.1.0' }),
    ];
    const task = await call(apiRoutes.createOtaTask, {
      body: { packageId: pkg.id, deviceIds: devices.map((d) => d.deviceId) },
    });
    clock.advance(10_000);
    items = await eventually(async () => {
      const list = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
      return list.every((s) => s.status === 'success' || s.status === 'fail') ? list : undefined;
    }, 20_000);
  }, 60_000);

  it('downloads with the Bearer token, matches the SHA-256 sign and reports success', () => {
    const full = items.find((s) => s.deviceId === devices[0]!.deviceId)!;
    expect(full).toMatchObject({
      method: 'mqtt-ota',
      status: 'success',
      currentVersion: 'V1.1.0',
      sourceVersion: 'V1.0.0',
    });
    const downloaded = devices[0]!.events.find((e) => 'downloaded' in e)!;
    expect(downloaded).toMatchObject({ downloaded: PAYLOAD.length });
    expect(downloaded.sha256).toBe(downloaded.sign);
    expect(devices[0]!.events.find((e) => 'statuses' in e)).toEqual({ statuses: [200] });
  });

  it('serves a resumed download with Range (206) and the device still matches the sign', () => {
    expect(items.find((s) => s.deviceId === devices[1]!.deviceId)).toMatchObject({ status: 'success' });
    expect(devices[1]!.events.find((e) => 'statuses' in e)).toEqual({ statuses: [206, 206] });
  });

  it('fails a device already on the target version without sending it a download', () => {
    expect(items.find((s) => s.deviceId === devices[2]!.deviceId)).toMatchObject({
      status: 'fail',
      reason: 'AlreadyLatest',
    });
    expect(devices[2]!.events.map((e) => e.event).filter(Boolean)).toEqual(['version_query']);
  });
});
