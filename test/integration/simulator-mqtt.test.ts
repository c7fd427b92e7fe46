// The MQTT simulator: virtual devices of a product log in with real credentials and report generated values,
// started and stopped from the API and from `iotwb simulate` against a running core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, eventually } from '../support/device-api.js';
import { runIotwb, startServe } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let streetLight: string;
let waterMeter: string;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  waterMeter = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
});

afterAll(() => core.stop());

const historyOf = (id: string) => call(apiRoutes.deviceDataHistory, { params: { id }, query: { limit: 1000 } });

describe('MQTT simulator from the API', () => {
  it('runs IoTDA devices that come online and report values inside the model ranges, then stops them', async () => {
    const started = await call(apiRoutes.startMqttSimulation, {
      body: { productId: streetLight, count: 3, rate: 20, nodeIdPrefix: 'api-sim-' },
    });
    expect(started).toMatchObject({ status: 'running', devices: 3, dialect: 'iotda' });
    const deviceId = `${streetLight}_api-sim-2`;
    expect((await call(apiRoutes.getDevice, { params: { id: deviceId } })).status).toBe('online');

    const items = await eventually(async () => {
      const h = await historyOf(deviceId);
      return h.items.length >= 6 ? h.items : undefined;
    });
    for (const item of items.filter((i) => i.property === 'brightness')) {
      expect(Number.isInteger(item.value)).toBe(true);
      expect(item.value).toBeGreaterThanOrEqual(0);
      expect(item.value).toBeLessThanOrEqual(100);
    }
    const voltage = items.find((i) => i.property === 'voltage');
    expect(voltage?.serviceId).toBe('Energy');

    const running = await call(apiRoutes.getMqttSimulation, { params: { id: started.id } });
    expect(running.connected).toBe(3);
    expect(running.reportsSent).toBeGreaterThan(0);
    expect(running.errors).toBe(0);

    const stopped = await call(apiRoutes.stopMqttSimulation, { params: { id: started.id } });
    expect(stopped).toMatchObject({ status: 'stopped', connected: 0 });
    const after = (await historyOf(deviceId)).items.length;
    await new Promise((r) => setTimeout(r, 300));
    expect((await historyOf(deviceId)).items.length).toBe(after);
    expect((await call(apiRoutes.listMqttSimulations)).items.map((s) => s.id)).toContain(started.id);
  });

  it('runs legacy devices on /huawei/v1/…/data/json with their existing secrets', async () => {
    const existing = await call(apiRoutes.registerDevice, { body: { productId: streetLight, nodeId: 'old-1' } });
    const started = await call(apiRoutes.startMqttSimulation, {
      body: { productId: streetLight, count: 1, rate: 20, dialect: 'legacy', nodeIdPrefix: 'old-' },
    });
    await eventually(async () => ((await historyOf(existing.device.deviceId)).items.length > 0 ? true : undefined));
    const simulation = await call(apiRoutes.getMqttSimulation, { params: { id: started.id } });
    expect(simulation.errors).toBe(0);
    await call(apiRoutes.stopMqttSimulation, { params: { id: started.id } });
  });

  it('refuses a product that is not MQTT, naming the other simulator', async () => {
    const error = await call(apiRoutes.startMqttSimulation, {
      body: { productId: waterMeter, count: 1, rate: 1 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ status: 400, code: 'NOT_AN_MQTT_PRODUCT' });
    expect((error as Error).message).toContain('--protocol lwm2m');
  });
});

describe('iotwb simulate', () => {
  it('registers the devices it needs on a running core and reports until --duration ends', async () => {
    const serve = await startServe(tempDir());
    try {
      const api = (path: string, init: RequestInit = {}) =>
        fetch(serve.ready.api + path, {
          ...init,
          headers: { authorization: `Bearer ${serve.ready.token}` },
        });
      const product = (await (
        await api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', { method: 'POST' })
      ).json()) as { id: string };
      const child = runIotwb([
        'simulate',
        '--product',
        product.id,
        '--count',
        '2',
        '--rate',
        '10',
        '--duration',
        '2',
        '--core',
        serve.ready.api,
        '--token',
        serve.ready.token,
      ]);
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toContain('simulate: 2 iotda MQTT device(s) of StreetLight SL100MQTT');
      expect(out).toMatch(/stopped after [1-9]\d* reports, 0 commands answered, 0 errors/);
      const history = (await (await api(`/api/devices/${product.id}_sim-2/data/history`)).json()) as {
        items: unknown[];
      };
      expect(history.items.length).toBeGreaterThan(0);
    } finally {
      await serve.stop();
    }
  });

  it('hands --protocol lwm2m to the LwM2M simulator and keeps MQTT-only options out of it', async () => {
    const run = async (args: string[]) => {
      const child = runIotwb(['simulate', ...args]);
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      return { code, err };
    };
    const [lwm2m, mixed] = await Promise.all([
      run(['--protocol', 'lwm2m', '--product', 'x']),
      run(['--protocol', 'lwm2m', '--product', 'x', '--dialect', 'legacy']),
    ]);
    expect(lwm2m.code).toBe(2);
    expect(lwm2m.err).toContain('--core URL and --token T');
    expect(mixed).toEqual({ code: 2, err: 'iotwb simulate: --dialect applies to --protocol mqtt only\n' });
  });

  it('explains what is missing instead of starting', async () => {
    const child = runIotwb(['simulate', '--product', 'x', '--protocol', 'mqtt']);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--core URL --token T');
  });
});
