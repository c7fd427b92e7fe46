// A gateway in the IoTDA format (the project's Python paho gateway) drives its sub-devices: adds them (one with an
// unknown product fails), reports their status and data in batches, gets a command for one and answers it, is told
// of sub-devices added and deleted on the platform, deletes one itself, syncs, and at last vanishes without a word.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { startPahoGateway, type Downlink, type PahoGateway } from '../support/paho-gateway.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
const APP_ID = 'gw_app_01';
const APP_SECRET = 'gw-secret-0123456789';
let core: RunningCore;
const call = contractCaller(() => core);
let gatewayProduct: string;
let lampProduct: string;
let gatewayId: string;
let gateway: PahoGateway;
let receiver: TestReceiverServer;
let nbBase: string;
let nbToken: string;

const subDeviceEvent = (eventType: string, paras: Record<string, unknown>, eventId?: string) => ({
  object_device_id: gatewayId,
  services: [
    {
      service_id: '$sub_device_manager',
      event_type: eventType,
      event_time: '20261207T090000Z',
      ...(eventId === undefined ? {} : { event_id: eventId }),
      paras,
    },
  ],
});
interface EventDown {
  object_device_id: string;
  services: { service_id: string; event_type: string; event_id?: string; paras: Record<string, unknown> }[];
}
const eventOf = (d: Downlink) => (d.payload as EventDown).services[0];
const nextService = async (eventType: string) => {
  const d = await gateway.next(
    (x) => x.topic === `$oc/devices/${gatewayId}/sys/events/down` && eventOf(x)?.event_type === eventType,
  );
  return eventOf(d);
};
const nextEvent = async (eventType: string) => (await nextService(eventType))?.paras ?? {};

async function nb(path: string, body?: unknown) {
  const response = await fetch(`${nbBase}${path}`, {
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
    headers: {
      app_key: APP_ID,
      authorization: `Bearer ${nbToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), clock, appId: APP_ID, appSecret: APP_SECRET });
  gatewayProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'Gateway_WorkbenchSamples_GW100MQTT' } })
  ).id;
  lampProduct = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  const registered = await call(apiRoutes.registerDevice, {
    body: { productId: gatewayProduct, nodeId: 'gw-01', name: 'Yard gateway' },
  });
  gatewayId = registered.device.deviceId;
  nbBase = `http://127.0.0.1:${core.runtime.ports.northbound}`;
  const login = await fetch(`${nbBase}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
  });
  nbToken = ((await login.json()) as { accessToken: string }).accessToken;
  receiver = await startReceiver();
  for (const notifyType of ['deviceAdded', 'deviceDatasChanged']) {
    const sub = await fetch(`${nbBase}/iocm/app/sub/v1.2.0/subscriptions`, {
      method: 'POST',
      headers: { app_key: APP_ID, authorization: `Bearer ${nbToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ notifyType, callbackUrl: receiver.url(`/${notifyType}`) }),
    });
    expect(sub.status).toBe(201);
  }
  gateway = startPahoGateway(core.runtime.ports.mqtt ?? 0, deviceLogin(gatewayId, registered.secret));
  expect(await gateway.connected).toBe(0);
});

afterAll(async () => {
  await gateway.vanish().catch(() => undefined);
  await receiver.close();
  await core.stop();
});

describe('a gateway driving its sub-devices (IoTDA $sub_device_manager)', () => {
  const lamp = (n: number) => `${lampProduct}_lamp-${n}`;

  it('adds sub-devices itself: the response names the added ones and the failed one with its error code', async () => {
    gateway.publish(
      `$oc/devices/${gatewayId}/sys/events/up`,
      subDeviceEvent(
        'add_sub_device_request',
        {
          devices: [
            { node_id: 'lamp-1', product_id: lampProduct, name: 'Lamp 1' },
            { node_id: 'lamp-2', product_id: lampProduct, name: 'Lamp 2' },
            { node_id: 'ghost', product_id: 'no-such-product' },
          ],
        },
        'add-request-1',
      ),
    );
    // The response names the request it answers by its event_id (IoTDA "add_sub_device_response").
    const answer = await nextService('add_sub_device_response');
    expect(answer?.event_id).toBe('add-request-1');
    const response = answer?.paras ?? {};
    expect((response.successful_devices as { device_id: string }[]).map((d) => d.device_id)).toEqual([
      lamp(1),
      lamp(2),
    ]);
    expect(response.successful_devices).toContainEqual(
      expect.objectContaining({ parent_device_id: gatewayId, node_id: 'lamp-1', product_id: lampProduct }),
    );
    expect(response.failed_devices).toEqual([
      expect.objectContaining({ node_id: 'ghost', product_id: 'no-such-product', error_code: 'PRODUCT_NOT_FOUND' }),
    ]);
    const view = await call(apiRoutes.getGateway, { params: { id: gatewayId } });
    expect(view.subDevices.map((s) => s.device.deviceId)).toEqual([lamp(1), lamp(2)]);
    expect(view.subDevices[0]?.reportedBy).toBe(gatewayId);
    expect((await call(apiRoutes.getDevice, { params: { id: gatewayId } })).nodeType).toBe('GATEWAY');
    // The application that holds the gateway hears of the new sub-devices, as sub-devices of that gateway.
    const added = await eventually(() => {
      const pushes = receiver.received.filter((r) => r.path === '/deviceAdded');
      return pushes.length >= 2 ? pushes : undefined;
    });
    expect(added.map((r) => r.json)).toContainEqual(
      expect.objectContaining({ notifyType: 'deviceAdded', deviceId: lamp(1), gatewayId, nodeType: 'ENDPOINT' }),
    );
  });

  it('reports sub-device status and batch data; the platform shows them as the gateway reported them', async () => {
    gateway.publish(
      `$oc/devices/${gatewayId}/sys/events/up`,
      subDeviceEvent('sub_device_update_status', {
        device_statuses: [
          { device_id: lamp(1), status: 'ONLINE' },
          { device_id: 'someone-else', status: 'ONLINE' },
        ],
      }),
    );
    const response = await nextEvent('sub_device_update_status_response');
    expect(response.successful_devices).toEqual([{ device_id: lamp(1), status: 'ONLINE' }]);
    expect(response.failed_devices).toEqual([expect.objectContaining({ device_id: 'someone-else' })]);
    expect((await call(apiRoutes.getDevice, { params: { id: lamp(1) } })).status).toBe('online');

    gateway.publish(`$oc/devices/${gatewayId}/sys/gateway/sub_devices/properties/report`, {
      devices: [
        { device_id: lamp(1), services: [{ service_id: 'Light', properties: { switch: 'ON', brightness: 70 } }] },
        { device_id: lamp(2), services: [{ service_id: 'Light', properties: { switch: 'OFF' } }] },
      ],
    });
    const pushed = await eventually(() =>
      receiver.received.find((r) => r.path === '/deviceDatasChanged' && r.json.deviceId === lamp(1)),
    );
    expect(pushed.json).toMatchObject({ gatewayId, services: [{ serviceId: 'Light', data: { brightness: 70 } }] });
    const state = await call(apiRoutes.getSubDeviceState, { params: { id: lamp(1) } });
    expect(state).toMatchObject({
      gatewayId,
      gatewayName: 'Yard gateway',
      gatewayConnected: true,
      reportedStatus: 'ONLINE',
    });
  });

  it("carries a command for a sub-device on the gateway's topic and finds the command by the gateway's answer", async () => {
    const sending = call(apiRoutes.sendDeviceCommand, {
      params: { id: lamp(1) },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'OFF' } },
    });
    const request = await gateway.next((d) => d.topic.startsWith(`$oc/devices/${gatewayId}/sys/commands/request_id=`));
    expect(request.payload).toEqual({
      object_device_id: lamp(1),
      service_id: 'Light',
      command_name: 'SWITCH_LIGHT',
      paras: { value: 'OFF' },
    });
    const rid = request.topic.split('request_id=')[1];
    gateway.publish(`$oc/devices/${gatewayId}/sys/commands/response/request_id=${rid}`, {
      result_code: 0,
      response_name: 'SWITCH_LIGHT_RSP',
      paras: { result: 0 },
    });
    const result = await sending;
    expect(result.sent).toBe(true);
    expect(result.response).toEqual({ resultCode: 0, responseName: 'SWITCH_LIGHT_RSP', body: { result: 0 } });
    const commands = await call(apiRoutes.listCommands, { query: { deviceId: lamp(1) } });
    expect(commands.items[0]).toMatchObject({ deviceId: lamp(1), status: 'SUCCESSFUL' });
  });

  it('tells the gateway of sub-devices the platform adds and deletes, with a growing version', async () => {
    const before = (await call(apiRoutes.getGateway, { params: { id: gatewayId } })).version;
    await call(apiRoutes.registerDevice, { body: { productId: lampProduct, nodeId: 'lamp-3', gatewayId } });
    const added = await nextEvent('add_sub_device_notify');
    expect(added.version).toBe(before + 1);
    expect(added.devices).toEqual([expect.objectContaining({ device_id: lamp(3), parent_device_id: gatewayId })]);

    const deleted = await core.api(`/api/devices/${lamp(2)}`, { method: 'DELETE' });
    expect(deleted.ok).toBe(true);
    const notify = await nextEvent('delete_sub_device_notify');
    expect(notify).toEqual({
      version: before + 2,
      devices: [{ parent_device_id: gatewayId, node_id: 'lamp-2', device_id: lamp(2) }],
    });
  });

  it('deletes a sub-device itself and syncs the list it should have', async () => {
    gateway.publish(
      `$oc/devices/${gatewayId}/sys/events/up`,
      subDeviceEvent('delete_sub_device_request', { devices: [lamp(3), lamp(9)] }),
    );
    const response = await nextEvent('delete_sub_device_response');
    expect(response.successful_devices).toEqual([lamp(3)]);
    expect(response.failed_devices).toEqual([
      expect.objectContaining({ device_id: lamp(9), error_code: 'DEVICE_NOT_FOUND' }),
    ]);
    expect((await core.api(`/api/devices/${lamp(3)}`)).status).toBe(404);

    gateway.publish(
      `$oc/devices/${gatewayId}/sys/events/up`,
      subDeviceEvent('sub_device_sync_request', { version: 0 }),
    );
    const sync = await nextEvent('add_sub_device_notify');
    expect((sync.devices as { device_id: string }[]).map((d) => d.device_id)).toEqual([lamp(1)]);
  });

  it('opens the pairing window with DISCOVERY and closes it after 180 s on the platform clock', async () => {
    const opened = await call(apiRoutes.startDiscovery, {
      params: { id: gatewayId },
      body: { paras: { duration: 180 } },
    });
    expect(opened.pairing).toMatchObject({ open: true, remainingS: 180 });
    const request = await gateway.next((d) => d.topic.startsWith(`$oc/devices/${gatewayId}/sys/commands/request_id=`));
    expect(request.payload).toMatchObject({ object_device_id: gatewayId, command_name: 'DISCOVERY' });
    clock.advance(100_000);
    expect((await call(apiRoutes.getGateway, { params: { id: gatewayId } })).pairing.remainingS).toBe(80);
    clock.advance(80_000);
    expect((await call(apiRoutes.getGateway, { params: { id: gatewayId } })).pairing).toMatchObject({
      open: false,
      remainingS: 0,
    });
    // Only gateways whose model defines DISCOVERY have a pairing window.
    const refused = await core.api(`/api/gateways/${lamp(1)}/discovery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(409);
  });

  it('opens the pairing window for a DISCOVERY sent through the command API or the northbound API', async () => {
    const isDiscovery = (d: Downlink) =>
      d.topic.startsWith(`$oc/devices/${gatewayId}/sys/commands/request_id=`) &&
      (d.payload as { command_name?: string }).command_name === 'DISCOVERY';
    const created = await call(apiRoutes.createCommand, {
      params: { id: gatewayId },
      body: { serviceId: 'Gateway', method: 'DISCOVERY', paras: {}, expireTime: 0 },
    });
    await gateway.next(isDiscovery);
    expect((await call(apiRoutes.getGateway, { params: { id: gatewayId } })).pairing).toMatchObject({
      open: true,
      remainingS: 180,
      commandId: created.commandId,
    });
    clock.advance(180_000);
    expect((await call(apiRoutes.getGateway, { params: { id: gatewayId } })).pairing.open).toBe(false);

    const northbound = await nb('/iocm/app/cmd/v1.4.0/deviceCommands', {
      deviceId: gatewayId,
      command: { serviceId: 'Gateway', method: 'DISCOVERY', paras: { duration: 60 } },
      expireTime: 0,
    });
    expect(northbound.status).toBe(201);
    await gateway.next(isDiscovery);
    expect((await call(apiRoutes.getGateway, { params: { id: gatewayId } })).pairing).toMatchObject({
      open: true,
      remainingS: 180,
      commandId: northbound.json.commandId,
    });
    clock.advance(180_000);
  });

  it('answers northbound gateway queries: nodeType, gatewayId, and history of a sub-device through its gateway', async () => {
    const gateways = await nb('/iocm/app/dm/v1.4.0/devices?pageNo=0&nodeType=GATEWAY');
    expect((gateways.json.devices as { deviceId: string }[]).map((d) => d.deviceId)).toEqual([gatewayId]);
    const family = await nb(`/iocm/app/dm/v1.4.0/devices?gatewayId=${gatewayId}&sort=ASC`);
    expect(family.json.devices).toEqual([
      expect.objectContaining({ deviceId: gatewayId, gatewayId, nodeType: 'GATEWAY' }),
      expect.objectContaining({ deviceId: lamp(1), gatewayId, nodeType: 'ENDPOINT' }),
    ]);
    const history = await nb(`/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${lamp(1)}&gatewayId=${gatewayId}`);
    expect(history.status).toBe(200);
    expect(history.json.deviceDataHistoryDTOs).toEqual([
      expect.objectContaining({ deviceId: lamp(1), gatewayId, serviceId: 'Light' }),
    ]);
    const wrong = await nb(`/iocm/app/data/v1.2.0/deviceDataHistory?deviceId=${lamp(1)}&gatewayId=${lamp(1)}`);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error_code).toBe('100022');
  });

  it('keeps the sub-devices as last reported when the gateway vanishes, and says since when it is gone', async () => {
    const goneAt = clock.now();
    await gateway.vanish();
    const state = await eventually(async () => {
      const s = await call(apiRoutes.getSubDeviceState, { params: { id: lamp(1) } });
      return s.gatewayConnected ? undefined : s;
    });
    expect(state.gatewayOfflineSince).toBe(new Date(goneAt).toISOString());
    expect(state.reportedStatus).toBe('ONLINE');
    clock.advance(120_000);
    expect((await call(apiRoutes.getDevice, { params: { id: gatewayId } })).status).toBe('offline');
    expect((await call(apiRoutes.getDevice, { params: { id: lamp(1) } })).status).toBe('online');
    // Nothing reaches a sub-device whose gateway is gone.
    const sent = await call(apiRoutes.sendDeviceCommand, {
      params: { id: lamp(1) },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' }, timeoutMs: 100 },
    });
    expect(sent.sent).toBe(false);
  });
});
