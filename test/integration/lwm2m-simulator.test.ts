// Simulated NB-IoT water meters against a real core: registration, object 19 frames through the codec into history,
// device management reads, coverage loss, and remote diagnosis (reboot, log collection) under a moved clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type Lwm2mOperationBody, type ProductModel, type SimDevice } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let meter: string;
let mqttMeter: string;
let devices: SimDevice[];
let manufacturer: string;

const HOUR = 3600_000;

async function simDevice(deviceId: string, check: (d: SimDevice) => boolean): Promise<SimDevice> {
  return eventually(async () => {
    const d = await call(apiRoutes.getLwm2mSimDevice, { params: { deviceId } });
    return check(d) ? d : undefined;
  });
}

/** Moves the clock a second per poll: a reboot's timer is set only once the deregistration has gone out. */
async function advanceUntil(deviceId: string, check: (d: SimDevice) => boolean): Promise<SimDevice> {
  return eventually(async () => {
    clock.advance(1_000);
    const d = await call(apiRoutes.getLwm2mSimDevice, { params: { deviceId } });
    return check(d) ? d : undefined;
  });
}

async function taskStatus(taskId: string, status: string) {
  return eventually(async () => {
    const t = await call(apiRoutes.getDiagnosisTask, { params: { taskId } });
    return t.status === status ? t : undefined;
  });
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock });
  const nb = await createWaterMeterProduct(call);
  meter = nb.id;
  manufacturer = nb.model.manufacturerName;
  const model: ProductModel = { ...nb.model, protocolType: 'MQTT', model: 'WM-MQTT' };
  mqttMeter = (await call(apiRoutes.createProduct, { body: model })).id;

  const fleet = await call(apiRoutes.startLwm2mFleet, {
    body: { productId: meter, count: 3, firstNodeId: '863703030000101', intervalS: 0 },
  });
  devices = fleet.devices;
});

afterAll(() => core.stop());

describe('simulated NB-IoT devices', () => {
  it('registers every simulated meter in the platform and with the LwM2M server, which observes /19/0/0', async () => {
    expect(devices.map((d) => d.nodeId)).toEqual(['863703030000101', '863703030000102', '863703030000103']);
    for (const d of devices) {
      expect(d.deviceId).toBe(`${meter}_${d.nodeId}`);
      await simDevice(d.deviceId, (x) => x.state === 'registered' && x.observed.includes('/19/0/0'));
      const info = await call(apiRoutes.getLwm2mRegistration, { params: { id: d.deviceId } });
      expect(info.registration).toMatchObject({ endpoint: d.nodeId, lifetime: 86400, binding: 'UQ' });
    }
  });

  it('sends codec-built frames on /19/0/0 that land decoded in the history', async () => {
    const deviceId = devices[0]!.deviceId;
    const sent = await call(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: {} });
    expect(sent.hex).toMatch(/^01/);
    await call(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: { hex: '0100BC614E00000E1000D7007D' } });
    const history = await eventually(async () => {
      const h = await call(apiRoutes.deviceDataHistory, {
        params: { id: deviceId },
        query: { serviceId: 'WaterMeterBasic', property: 'currentReading' },
      });
      return h.items.length >= 2 ? h.items : undefined;
    });
    expect(history.map((i) => i.value)).toContain(12345.678);
    const device = await call(apiRoutes.getDevice, { params: { id: deviceId } });
    expect(device.status).toBe('online');
  });

  it('answers device management reads of /3/0 with realistic device info', async () => {
    const deviceId = devices[1]!.deviceId;
    const read = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'read', path: '/3/0' },
    });
    expect(read.ok).toBe(true);
    const byPath = new Map(read.values?.map((v) => [v.path, v.value]));
    expect(byPath.get('/3/0/0')).toBe(manufacturer);
    expect(byPath.get('/3/0/2')).toBe(devices[1]!.nodeId);
    expect(byPath.get('/3/0/9')).toBe(87);
    const senml = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'read', path: '/3/0/3', accept: 'senml-json' },
    });
    expect(senml.values?.[0]).toMatchObject({ path: '/3/0/3', value: 'V1.0.0' });
  });

  it('takes downlinks written on /19/1/0', async () => {
    const deviceId = devices[1]!.deviceId;
    const write = await call(apiRoutes.runLwm2mOperation, {
      params: { id: deviceId },
      body: { op: 'write', path: '/19/1/0', contentFormat: 'opaque', payloadHex: '81000102' },
    });
    expect(write.code).toBe('2.04');
    await simDevice(deviceId, (d) => d.downlinks === 1);
  });

  it('stops reporting without coverage and reports again once it is back', async () => {
    const deviceId = devices[2]!.deviceId;
    await call(apiRoutes.setLwm2mSimCoverage, { params: { deviceId }, body: { on: false } });
    await expect(call(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: {} })).rejects.toMatchObject({
      status: 409,
      code: 'DEVICE_NOT_READY',
    });
    const back = await call(apiRoutes.setLwm2mSimCoverage, { params: { deviceId }, body: { on: true } });
    expect(back.state).toBe('registered');
    await call(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: { hex: '025514' } });
    await eventually(async () => {
      const latest = await call(apiRoutes.latestDeviceData, { params: { id: deviceId } });
      return latest.services.find((s) => s.serviceId === 'Battery');
    });
  });

  it('walks object 5 through a firmware update: URI, downloaded, update, new version, re-registered', async () => {
    const deviceId = devices[1]!.deviceId;
    const op = (body: Lwm2mOperationBody) => call(apiRoutes.runLwm2mOperation, { params: { id: deviceId }, body });
    expect((await op({ op: 'observe', path: '/5/0/3' })).values?.[0]?.value).toBe(0);
    const written = await op({
      op: 'write',
      path: '/5/0/1',
      values: [{ path: '/5/0/1', value: 'coap://127.0.0.1/fw/WM-v2.1.0.bin' }],
    });
    expect(written.code).toBe('2.04');
    expect((await op({ op: 'read', path: '/5/0/3' })).values?.[0]?.value).toBe(1);
    clock.advance(2_000);
    await eventually(async () =>
      (await op({ op: 'read', path: '/5/0/3' })).values?.[0]?.value === 2 ? true : undefined,
    );
    expect((await op({ op: 'read', path: '/5/0/7' })).values?.[0]?.value).toBe('V2.1.0');
    expect((await op({ op: 'execute', path: '/5/0/2' })).code).toBe('2.04');
    clock.advance(3_000);
    await simDevice(deviceId, (d) => d.state === 'rebooting');
    await advanceUntil(deviceId, (d) => d.state === 'registered' && d.registrations === 2);
    await eventually(async () =>
      (await call(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } })).registration ? true : undefined,
    );
    const after = await op({ op: 'read', path: '/5/0' });
    const byPath = new Map(after.values?.map((v) => [v.path, v.value]));
    expect(byPath.get('/5/0/3')).toBe(0);
    expect(byPath.get('/5/0/5')).toBe(1);
    expect((await op({ op: 'read', path: '/3/0/3' })).values?.[0]?.value).toBe('V2.1.0');
  });

  it('refuses a product that is not CoAP/LwM2M', async () => {
    await expect(call(apiRoutes.startLwm2mFleet, { body: { productId: mqttMeter, count: 1 } })).rejects.toMatchObject({
      status: 400,
      code: 'NOT_AN_LWM2M_PRODUCT',
    });
  });
});

describe('remote diagnosis', () => {
  it('reboots a meter: Waiting for 10 s, then Processing, Success; the meter re-registers', async () => {
    const deviceId = devices[0]!.deviceId;
    const task = await call(apiRoutes.rebootDevice, { params: { id: deviceId } });
    expect(task).toMatchObject({ status: 'Waiting', path: '/3/0/4' });
    clock.advance(9_000);
    expect((await call(apiRoutes.getDiagnosisTask, { params: { taskId: task.taskId } })).status).toBe('Waiting');
    clock.advance(1_000);
    await taskStatus(task.taskId, 'Success');
    await simDevice(deviceId, (d) => d.reboots === 1 && d.state === 'rebooting');
    await advanceUntil(
      deviceId,
      (d) => d.state === 'registered' && d.registrations === 2 && d.observed.includes('/19/0/0'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const info = await call(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } });
    expect(Date.parse(info.registration?.registeredAt ?? '')).toBeGreaterThan(Date.parse(task.createdAt));
  });

  it('collects a meter log that can be downloaded, in blocks when it is long', async () => {
    const deviceId = devices[1]!.deviceId;
    for (let i = 0; i < 30; i++) {
      await call(apiRoutes.notifyLwm2mSimDevice, { params: { deviceId }, body: { hex: '025514' } });
    }
    const task = await call(apiRoutes.collectDeviceLogs, { params: { id: deviceId } });
    const done = await taskStatus(task.taskId, 'Success');
    expect(done.logBytes).toBeGreaterThan(1024);
    const response = await core.api(`/api/diagnosis/tasks/${task.taskId}/log`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/attachment/);
    const text = await response.text();
    expect(text).toMatch(/power on/);
    expect(text).toMatch(/registered at \/rd\//);
    // More than one Block2 block, all of them: every one of the 30 reports is in the log, and it ends on a line.
    expect(text.match(/notify \/19\/0\/0 \(3 bytes\)/g)?.length).toBeGreaterThanOrEqual(30);
    expect(Buffer.byteLength(text)).toBe(done.logBytes);
    expect(text.endsWith('\n')).toBe(true);
    const list = await call(apiRoutes.listDiagnosisTasks, { params: { id: deviceId } });
    expect(list.tasks[0]).toMatchObject({ taskId: task.taskId, kind: 'logs', status: 'Success' });
  });

  it('fails a log task 30 minutes after sending when the meter has lost coverage', async () => {
    const deviceId = devices[2]!.deviceId;
    await call(apiRoutes.setLwm2mSimCoverage, { params: { deviceId }, body: { on: false } });
    const task = await call(apiRoutes.collectDeviceLogs, { params: { id: deviceId } });
    expect(task.status).toBe('Processing');
    clock.advance(29 * 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect((await call(apiRoutes.getDiagnosisTask, { params: { taskId: task.taskId } })).status).toBe('Processing');
    clock.advance(60_000);
    const failed = await taskStatus(task.taskId, 'Fail');
    expect(failed.message).toMatch(/30 minutes/);
  });

  it('fails a reboot task that cannot be sent within 25 hours', async () => {
    const deviceId = devices[2]!.deviceId;
    // Out of coverage past its lifetime: the server lets the registration expire and the task waits.
    clock.advance(25 * HOUR);
    await eventually(async () => {
      const info = await call(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } });
      return info.registration ? undefined : true;
    });
    const task = await call(apiRoutes.rebootDevice, { params: { id: deviceId } });
    clock.advance(10_000);
    expect((await call(apiRoutes.getDiagnosisTask, { params: { taskId: task.taskId } })).status).toBe('Waiting');
    clock.advance(25 * HOUR);
    const failed = await taskStatus(task.taskId, 'Fail');
    expect(failed.message).toMatch(/25 hours/);
  });

  it('refuses diagnosis for an MQTT product with a clear reason', async () => {
    const { device } = await call(apiRoutes.registerDevice, { body: { productId: mqttMeter, nodeId: 'mqtt-meter-1' } });
    const refused = call(apiRoutes.rebootDevice, { params: { id: device.deviceId } });
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'DIAGNOSIS_NOT_SUPPORTED' });
    await expect(refused).rejects.toThrow(/uses MQTT/);
  });
});
