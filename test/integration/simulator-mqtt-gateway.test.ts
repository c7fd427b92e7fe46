// The virtual MQTT gateway: it adds its sub-devices itself, reports them online and reports for them in batches,
// answers a command sent to one of them, and changes their states; from the API and from `iotwb simulate --gateway`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { runIotwb, startServe } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let gatewayProduct: string;
let lampProduct: string;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  gatewayProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'Gateway_WorkbenchSamples_GW100MQTT' } })
  ).id;
  lampProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
});

afterAll(() => core.stop());

describe('virtual MQTT gateway from the API', () => {
  it('adds 150 sub-devices, reports for them in batches, answers their commands and changes their states', async () => {
    const started = await call(apiRoutes.startMqttSimulation, {
      body: {
        productId: gatewayProduct,
        count: 1,
        rate: 5,
        nodeIdPrefix: 'vgw-',
        subDevices: 150,
        subDeviceProductId: lampProduct,
      },
    });
    const gatewayId = `${gatewayProduct}_vgw-1`;
    const sub = (n: number) => `${lampProduct}_vgw-1-sub-${n}`;
    const view = await eventually(async () => {
      const v = await call(apiRoutes.getGateway, { params: { id: gatewayId } });
      return v.subDevices.length === 150 && v.subDevices.every((s) => s.reportedStatus === 'ONLINE') ? v : undefined;
    });
    expect(view.connected).toBe(true);
    expect((await call(apiRoutes.getMqttSimulation, { params: { id: started.id } })).subDevices).toBe(150);
    await eventually(async () => {
      const h = await call(apiRoutes.deviceDataHistory, { params: { id: sub(150) }, query: { limit: 10 } });
      return h.items.length > 0 ? h : undefined;
    });

    const answer = await call(apiRoutes.sendDeviceCommand, {
      params: { id: sub(7) },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' } },
    });
    expect(answer.response).toMatchObject({ resultCode: 0, responseName: 'SWITCH_LIGHT' });

    await call(apiRoutes.setSimulatedSubDevicesOnline, { params: { id: started.id }, body: { online: false } });
    await eventually(async () =>
      (await call(apiRoutes.getDevice, { params: { id: sub(3) } })).status === 'offline' ? true : undefined,
    );
    await call(apiRoutes.stopMqttSimulation, { params: { id: started.id } });
  });
});

describe('iotwb simulate --gateway', () => {
  it('runs a gateway with sub-devices against a serve process and reports its progress', async () => {
    const serve = await startServe(tempDir());
    try {
      const api = (path: string, init: RequestInit = {}) =>
        fetch(serve.ready.api + path, { ...init, headers: { authorization: `Bearer ${serve.ready.token}` } });
      const created = async (name: string) =>
        ((await (await api(`/api/products/samples/${name}`, { method: 'POST' })).json()) as { id: string }).id;
      const gw = await created('Gateway_WorkbenchSamples_GW100MQTT');
      const lamp = await created('StreetLight_WorkbenchSamples_SL100MQTT');
      const child = runIotwb([
        'simulate',
        '--product',
        gw,
        '--gateway',
        '--sub-product',
        lamp,
        '--sub-devices',
        '5',
        '--rate',
        '5',
        '--duration',
        '3',
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
      expect(out, out).toMatch(/stopped after [1-9]\d* reports/);
      const view = (await (await api(`/api/gateways/${gw}_sim-1`)).json()) as { subDevices: unknown[] };
      expect(view.subDevices).toHaveLength(5);
      const history = (await (await api(`/api/devices/${lamp}_sim-1-sub-5/data/history`)).json()) as {
        items: unknown[];
      };
      expect(history.items.length).toBeGreaterThan(0);
    } finally {
      await serve.stop();
    }
  });

  it('refuses --gateway without --sub-product', async () => {
    const child = runIotwb(['simulate', '--product', 'x', '--gateway', '--core', 'http://127.0.0.1:9', '--token', 't']);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--gateway needs --sub-product ID');
  });
});
