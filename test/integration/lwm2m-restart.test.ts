// LwM2M registrations survive a restart of the core on the same data folder: the meter keeps its location,
// address, lifetime, objects and its /19/0/0 observation, and its registration still ends with its lifetime.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, eventually } from '../support/device-api.js';
import { Lwm2mTestClient } from '../support/lwm2m-test-client.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
let core: RunningCore | undefined;
const call = contractCaller(() => core!);
const clients: Lwm2mTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await core?.stop();
  core = undefined;
});

/** A UDP port nobody uses now, so both runs of the core listen where the meters send. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function meter(port: number, nodeId: string) {
  const c = new Lwm2mTestClient({
    port,
    endpoint: nodeId,
    resources: {
      '/3/0/0': 'Acme Meters',
      '/19/0/0': { type: 'opaque', value: '' },
      '/19/1/0': { type: 'opaque', value: '' },
    },
  });
  await c.open();
  clients.push(c);
  return c;
}

const registration = (deviceId: string) => call(apiRoutes.getLwm2mRegistration, { params: { id: deviceId } });

describe('LwM2M registrations across a restart', () => {
  it('still knows a registered meter after a restart: same location, address, lifetime and objects, frames stored', async () => {
    const dataDir = tempDir();
    const port = await freeUdpPort();
    core = await startCore({ dataDir, clock, coapPort: port });
    const product = (await createWaterMeterProduct(call)).id;
    const register = async (nodeId: string) =>
      (await call(apiRoutes.registerDevice, { body: { productId: product, nodeId } })).device;

    const longLived = await register('868000000000701');
    const shortLived = await register('868000000000702');
    const a = await meter(port, '868000000000701');
    const b = await meter(port, '868000000000702');
    expect((await a.register(3600, '</1/0>,</3/0>,</19/0>,</19/1>')).code).toBe('2.01');
    expect((await b.register(60, '</3/0>')).code).toBe('2.01');
    await eventually(() => (a.observed.has('/19/0/0') ? true : undefined));
    const before = await eventually(async () => {
      const r = await registration(longLived.deviceId);
      return r.observations.length ? r : undefined;
    });

    await core.stop();
    // The short lifetime ends while the core is down; the long one does not.
    clock.advance(61_000);
    core = await startCore({ dataDir, clock, coapPort: port });

    const after = await registration(longLived.deviceId);
    expect(after.registration).toEqual(before.registration);
    expect(after.registration).toMatchObject({
      location: `/${a.location.join('/')}`,
      address: `127.0.0.1:${a.port}`,
      lifetime: 3600,
      objects: [
        { objectId: 1, instanceId: 0 },
        { objectId: 3, instanceId: 0 },
        { objectId: 19, instanceId: 0 },
        { objectId: 19, instanceId: 1 },
      ],
    });
    expect(after.observations).toEqual([
      expect.objectContaining({ path: '/19/0/0', tokenHex: before.observations[0]!.tokenHex }),
    ]);
    expect((await registration(shortLived.deviceId)).registration).toBeUndefined();

    // The meter's next frame goes out with the observation token it was given before the restart.
    a.notify('/19/0/0', Buffer.from('0100BC614E00000E1000D7007D', 'hex'));
    const latest = await eventually(async () => {
      const r = await call(apiRoutes.latestDeviceData, { params: { id: longLived.deviceId } });
      return r.services.length ? r : undefined;
    });
    expect(latest.services[0]).toMatchObject({ serviceId: 'WaterMeterBasic', data: { currentReading: 12345.678 } });
    const read = await call(apiRoutes.runLwm2mOperation, {
      params: { id: longLived.deviceId },
      body: { op: 'read', path: '/3/0/0' },
    });
    expect(read).toMatchObject({ ok: true, values: [{ value: 'Acme Meters' }] });
    expect((await a.update()).code).toBe('2.04');

    // Its lifetime still ends on the clock, counted from that update.
    clock.advance(3_599_000);
    expect((await registration(longLived.deviceId)).registration).toBeDefined();
    clock.advance(2_000);
    expect((await registration(longLived.deviceId)).registration).toBeUndefined();
    // …and a third start does not bring it back.
    await core.stop();
    core = await startCore({ dataDir, clock, coapPort: port });
    expect((await registration(longLived.deviceId)).registration).toBeUndefined();
  });
});
