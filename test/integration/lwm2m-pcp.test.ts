// on the live LwM2M path and in the traffic inspector: /19/0/0 bytes are PCP only when the device's product
// upgrades software over PCP and the frame is valid; otherwise they are business data for the product's codec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { Lwm2mTestClient } from '../support/lwm2m-test-client.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
const clients: Lwm2mTestClient[] = [];
/** The water meter sample: software upgrade over PCP. */
let upgrading: string;
/** A meter without PCP whose codec reads frames that start with FF (message id 255). */
let plain: string;

/** Report upgrade result, success, version V1.0 (facts §6.3): a valid device-sent PCP frame. */
const PCP_REPORT = 'FFFE0118C7D200110056312E30000000000000000000000000';
const BAD_CHECKSUM = 'FFFE0118C7D300110056312E30000000000000000000000000';

const plainLayout = {
  endian: 'big',
  messageIdType: 'uint8',
  messages: [
    {
      name: 'raw_frame',
      id: 255,
      direction: 'data',
      serviceId: 'Meter',
      fields: [
        { name: 'marker', type: 'uint8' },
        { name: 'code', type: 'uint16' },
        { name: 'rest', type: 'bytes', length: 21 },
      ],
    },
  ],
};

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  upgrading = (await createWaterMeterProduct(call)).id;
  plain = (
    await call(apiRoutes.createProduct, {
      body: {
        deviceType: 'Meter',
        manufacturerId: 'TestPcp',
        manufacturerName: 'TestPcp',
        model: 'NoPcp1',
        protocolType: 'LWM2M',
        services: [
          {
            serviceId: 'Meter',
            serviceType: 'Meter',
            properties: [
              { name: 'marker', dataType: 'int', min: 0, max: 255 },
              { name: 'code', dataType: 'int', min: 0, max: 65535 },
              { name: 'rest', dataType: 'string', maxLength: 64 },
            ],
          },
        ],
      },
    })
  ).id;
  const saved = await call(apiRoutes.saveCodecVersion, {
    params: { id: plain },
    body: { kind: 'layout', source: JSON.stringify(plainLayout) },
  });
  await call(apiRoutes.activateCodecVersion, { params: { id: plain, version: saved.version } });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await core?.stop();
});

async function meter(productId: string, nodeId: string) {
  const { device } = await call(apiRoutes.registerDevice, { body: { productId, nodeId } });
  const c = new Lwm2mTestClient({
    port: core.runtime.ports.coap!,
    endpoint: nodeId,
    resources: { '/19/0/0': { type: 'opaque', value: '' } },
  });
  await c.open();
  clients.push(c);
  await c.register(300, '</19/0>');
  await eventually(() => (c.observed.has('/19/0/0') ? true : undefined));
  return { deviceId: device.deviceId, client: c };
}

const latest = (id: string) => call(apiRoutes.latestDeviceData, { params: { id } });
const uplinkErrors = async (id: string) => (await call(apiRoutes.deviceUplinkErrors, { params: { id } })).items;
const notifies = (deviceId: string, extra = '') =>
  call(apiRoutes.listTrafficFrames, {
    query: { filter: `device == "${deviceId}" && lwm2m.op == "notify"${extra}`, limit: 50 },
  });

describe('object 19 bytes that start with FF FE', () => {
  it('are PCP for a product that upgrades over PCP: not stored, not an error, shown as PCP', async () => {
    const { deviceId, client } = await meter(upgrading, '868000000000901');
    client.notify('/19/0/0', Buffer.from(PCP_REPORT, 'hex'));
    // A business frame after it: once it is stored, the PCP frame before it has been handled.
    client.notify('/19/0/0', Buffer.from('025514', 'hex'));
    await eventually(async () => ((await latest(deviceId)).services.length ? true : undefined));
    expect((await latest(deviceId)).services.map((s) => s.serviceId)).toEqual(['Battery']);
    expect(await uplinkErrors(deviceId)).toEqual([]);
    const pcp = await eventually(async () => (await notifies(deviceId, ' && pcp.valid == true')).frames[0]);
    expect(pcp.summary).toMatch(/PCP/);
  });

  it('are business data for that product when the frame is not valid PCP (wrong checksum)', async () => {
    const { deviceId, client } = await meter(upgrading, '868000000000902');
    client.notify('/19/0/0', Buffer.from(BAD_CHECKSUM, 'hex'));
    const errors = await eventually(async () =>
      (await uplinkErrors(deviceId)).length ? uplinkErrors(deviceId) : undefined,
    );
    expect(errors[0]).toMatchObject({
      topic: '/19/0/0',
      rawBase64: Buffer.from(BAD_CHECKSUM, 'hex').toString('base64'),
    });
  });

  it('are business data for a product without PCP: decoded by its codec, stored, and not PCP in the inspector', async () => {
    const { deviceId, client } = await meter(plain, '868000000000903');
    client.notify('/19/0/0', Buffer.from(PCP_REPORT, 'hex'));
    const data = await eventually(async () => {
      const r = await latest(deviceId);
      return r.services.length ? r : undefined;
    });
    expect(data.services[0]).toMatchObject({ serviceId: 'Meter', data: { marker: 0xfe, code: 0x0118 } });
    expect(await uplinkErrors(deviceId)).toEqual([]);
    const frame = await eventually(async () => (await notifies(deviceId, ' && pcp.valid == false')).frames[0]);
    expect((await notifies(deviceId, ' && pcp.valid == true')).frames).toEqual([]);
    const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: frame.seq } });
    expect(detail.layers.find((l) => l.id === 'pcp')?.error).toContain('does not upgrade software over PCP');
    const codec = await eventually(async () => {
      const d = await call(apiRoutes.getTrafficFrame, { params: { seq: frame.seq } });
      return d.codec?.status === 'decoded' ? d.codec : undefined;
    });
    expect(codec.message).toMatchObject({ kind: 'data', services: [{ serviceId: 'Meter' }] });
  });
});
