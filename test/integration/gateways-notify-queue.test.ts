// Notifies to a gateway that is not there: sub-devices the platform adds or deletes while the gateway (the project's
// Python paho gateway) is gone are stored, survive a restart of the platform, and reach the gateway in order when
// it connects again, each after the previous one's PUBACK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { startPahoGateway, type Downlink, type PahoGateway } from '../support/paho-gateway.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const dataDir = tempDir();
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
let core: RunningCore;
const call = contractCaller(() => core);
let lampProduct: string;
let gatewayId: string;
let secret: string;
let gateway: PahoGateway | undefined;

interface EventDown {
  services: { service_id: string; event_type: string; paras: { version: number; devices: { device_id: string }[] } }[];
}
const notifyOf = (d: Downlink) => {
  const service = (d.payload as EventDown).services?.[0];
  return service?.service_id === '$sub_device_manager' && service.event_type.endsWith('_notify') ? service : undefined;
};
const notifies = (g: PahoGateway) =>
  g.received.flatMap((d) => {
    const n = notifyOf(d);
    return n ? [{ type: n.event_type, version: n.paras.version, ids: n.paras.devices.map((x) => x.device_id) }] : [];
  });
const connect = async () => {
  const g = startPahoGateway(core.runtime.ports.mqtt ?? 0, deviceLogin(gatewayId, secret));
  expect(await g.connected).toBe(0);
  return g;
};
const queued = async () => (await call(apiRoutes.getGateway, { params: { id: gatewayId } })).queuedNotifies;

beforeAll(async () => {
  core = await startCore({ dataDir, clock });
  const gatewayProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'Gateway_WorkbenchSamples_GW100MQTT' } })
  ).id;
  lampProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  const registered = await call(apiRoutes.registerDevice, { body: { productId: gatewayProduct, nodeId: 'q-gw' } });
  gatewayId = registered.device.deviceId;
  secret = registered.secret;
});

afterAll(async () => {
  await gateway?.vanish();
  await core.stop();
});

describe('notifies to a gateway that is not connected', () => {
  const lamp = (n: number) => `${lampProduct}_q-lamp-${n}`;
  const register = (n: number) =>
    call(apiRoutes.registerDevice, { body: { productId: lampProduct, nodeId: `q-lamp-${n}`, gatewayId } });

  it('sends a notify made before the gateway ever connected as soon as it connects', async () => {
    await register(1);
    expect(await queued()).toBe(1);
    gateway = await connect();
    await eventually(() => (notifies(gateway!).length === 1 ? true : undefined));
    expect(notifies(gateway)).toEqual([{ type: 'add_sub_device_notify', version: 1, ids: [lamp(1)] }]);
    await eventually(async () => ((await queued()) === 0 ? true : undefined));
  });

  it('keeps what changed while the gateway was gone across a restart and delivers it in order', async () => {
    await gateway!.vanish();
    gateway = undefined;
    await eventually(async () =>
      (await call(apiRoutes.getGateway, { params: { id: gatewayId } })).connected ? undefined : true,
    );
    await register(2);
    await register(3);
    expect((await core.api(`/api/devices/${lamp(1)}`, { method: 'DELETE' })).status).toBe(200);
    expect(await queued()).toBe(3);

    await core.stop();
    core = await startCore({ dataDir, clock });
    expect(await queued()).toBe(3);

    gateway = await connect();
    await eventually(() => (notifies(gateway!).length === 3 ? true : undefined));
    expect(notifies(gateway)).toEqual([
      { type: 'add_sub_device_notify', version: 2, ids: [lamp(2)] },
      { type: 'add_sub_device_notify', version: 3, ids: [lamp(3)] },
      { type: 'delete_sub_device_notify', version: 4, ids: [lamp(1)] },
    ]);
    await eventually(async () => ((await queued()) === 0 ? true : undefined));
  });

  it('sends a change at once while the gateway is connected, after nothing else is waiting', async () => {
    expect((await core.api(`/api/devices/${lamp(2)}`, { method: 'DELETE' })).status).toBe(200);
    await eventually(() => (notifies(gateway!).length === 4 ? true : undefined));
    expect(notifies(gateway!).at(-1)).toEqual({ type: 'delete_sub_device_notify', version: 5, ids: [lamp(2)] });
    expect(await queued()).toBe(0);
  });
});
