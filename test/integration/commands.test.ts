// Commands end to end on a real core with a moved clock: Python paho devices of both dialects answering like
// the device SDKs, an LwM2M client answering through the water meter's layout codec by mid, status callbacks to a
// node:http receiver, and a restart with PENDING and SENT commands in the database.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { ACK_TIMEOUT_MS, MQTT_ONLINE_GRACE_MS } from '../../core/commands/command-service.js';
import { apiRoutes, type CreateCommandBody, type DeviceCommand } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { Lwm2mTestClient } from '../support/lwm2m-test-client.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const PAHO_COMMAND_DEVICE = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_command_device.py');
const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
const dataDir = tempDir();
let core: RunningCore;
const call = contractCaller(() => core);
let streetLight: string;
let waterMeter: string;
let receiver: Server;
let receiverUrl: string;
const callbacks: { path: string; body: { commandId: string; deviceId: string; result: { resultCode: string } } }[] = [];
const devices: ChildProcessWithoutNullStreams[] = [];

interface PahoDevice {
  deviceId: string;
  received: { topic: string; payload: string }[];
  stop(): void;
}

async function register(productId: string, nodeId: string) {
  return call(apiRoutes.registerDevice, { body: { productId, nodeId } });
}

/** Starts the paho device; resolves once it has its CONNACK (and, legacy, sent its SUBSCRIBE). */
async function pahoDevice(deviceId: string, secret: string, dialect: 'legacy' | 'iotda'): Promise<PahoDevice> {
  const login = deviceLogin(deviceId, secret, { nowMs: clock.now() });
  const child = spawn('/usr/bin/python3', [
    PAHO_COMMAND_DEVICE,
    JSON.stringify({ host: '127.0.0.1', port: core.runtime.ports.mqtt, deviceId, dialect, ...login }),
  ]);
  devices.push(child);
  const received: PahoDevice['received'] = [];
  let connack: number | undefined;
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const event = JSON.parse(line) as { connack?: number; topic?: string; payload?: string };
      if (event.connack !== undefined) connack = event.connack;
      else if (event.topic !== undefined) received.push({ topic: event.topic, payload: event.payload ?? '' });
    }
  });
  expect(await eventually(() => connack)).toBe(0);
  // Let the SUBSCRIBE land, then move past the grace cached commands wait after an MQTT login.
  await new Promise((r) => setTimeout(r, 150));
  clock.advance(MQTT_ONLINE_GRACE_MS);
  return { deviceId, received, stop: () => child.stdin.end() };
}

/** An MQTT device that logs in and then reads nothing and acknowledges nothing: a raw socket with one CONNECT. */
async function silentDevice(deviceId: string, secret: string): Promise<Socket> {
  const login = deviceLogin(deviceId, secret, { nowMs: clock.now() });
  const socket = createConnection(core.runtime.ports.mqtt ?? 0, '127.0.0.1');
  socket.on('data', () => undefined);
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 0,
      clientId: login.clientId,
      username: login.username,
      password: Buffer.from(login.password),
    }),
  );
  await eventually(async () =>
    (await call(apiRoutes.getDevice, { params: { id: deviceId } })).status === 'online' ? true : undefined,
  );
  return socket;
}

const create = (deviceId: string, body: CreateCommandBody) =>
  call(apiRoutes.createCommand, { params: { id: deviceId }, body });
const command = (commandId: string) => call(apiRoutes.getCommand, { params: { commandId } });
const until = (commandId: string, status: DeviceCommand['status']) =>
  eventually(async () => {
    const c = await command(commandId);
    return c.command.status === status ? c : undefined;
  });

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (d: Buffer) => (body += d.toString()));
    request.on('end', () => {
      callbacks.push({ path: request.url ?? '', body: JSON.parse(body) as (typeof callbacks)[number]['body'] });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1.0.0/messageReceiver/cmd`;
  core = await startCore({ dataDir, clock });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
  waterMeter = (await createWaterMeterProduct(call)).id;
});

afterAll(async () => {
  for (const d of devices) d.stdin.end();
  await core.stop();
  await new Promise((r) => receiver.close(r));
});

describe('cached commands to MQTT devices', () => {
  it('queues three commands for an offline IoTDA device and delivers them in order once it connects', async () => {
    const { device, secret } = await register(streetLight, 'queued-iotda');
    const bodies: CreateCommandBody[] = [
      { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' }, callbackUrl: receiverUrl },
      { serviceId: 'Light', method: 'SET_BRIGHTNESS', paras: { value: 40 }, callbackUrl: receiverUrl },
      { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'OFF' }, callbackUrl: receiverUrl },
    ];
    const created: DeviceCommand[] = [];
    for (const body of bodies) created.push(await create(device.deviceId, body));
    expect(created.map((c) => c.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(created[0]?.expireTime).toBe(172_800);

    const paho = await pahoDevice(device.deviceId, secret, 'iotda');
    for (const c of created) await until(c.commandId, 'SUCCESSFUL');
    const views = await Promise.all(created.map((c) => command(c.commandId)));
    for (const v of views)
      expect(v.transitions.map((t) => t.status)).toEqual(['PENDING', 'SENT', 'DELIVERED', 'SUCCESSFUL']);
    // One at a time: each goes out only after the previous one's ACK.
    for (let i = 1; i < views.length; i++)
      expect(views[i]!.command.sentAt!).toBeGreaterThanOrEqual(views[i - 1]!.command.deliveredAt!);
    expect(paho.received.map((m) => (JSON.parse(m.payload) as { command_name: string }).command_name)).toEqual([
      'SWITCH_LIGHT',
      'SET_BRIGHTNESS',
      'SWITCH_LIGHT',
    ]);
    expect(views[1]?.command.result).toEqual({ resultCode: 0, responseName: 'SET_BRIGHTNESS', body: { result: 0 } });

    const codes = await eventually(() => {
      const mine = callbacks.filter((c) => c.body.commandId === created[2]!.commandId);
      return mine.length === 3 ? mine.map((c) => c.body.result.resultCode) : undefined;
    });
    expect(codes).toEqual(['SENT', 'DELIVERED', 'SUCCESS']);
    expect(callbacks[0]?.path).toBe('/v1.0.0/messageReceiver/cmd');
    expect(callbacks.find((c) => c.body.commandId === created[0]!.commandId)?.body).toEqual({
      deviceId: device.deviceId,
      commandId: created[0]!.commandId,
      result: { resultCode: 'SENT', resultDetail: null },
    });
    paho.stop();
  });

  it('answers legacy cloudReq by mid, and IoTDA property set, property get and messages down', async () => {
    const legacy = await register(streetLight, 'legacy-paho');
    const cached = await create(legacy.device.deviceId, {
      serviceId: 'Light',
      method: 'SET_BRIGHTNESS',
      paras: { value: 7 },
    });
    const old = await pahoDevice(legacy.device.deviceId, legacy.secret, 'legacy');
    const done = await until(cached.commandId, 'SUCCESSFUL');
    expect(done.command).toMatchObject({ mid: 1, result: { resultCode: 0, body: { result: 0 } } });
    expect(done.transitions[1]).toMatchObject({ topic: `/huawei/v1/devices/${legacy.device.deviceId}/command/json` });
    expect(JSON.parse(old.received[0]!.payload)).toEqual({
      msgType: 'cloudReq',
      serviceId: 'Light',
      cmd: 'SET_BRIGHTNESS',
      paras: { value: 7 },
      hasMore: 0,
      mid: 1,
    });
    old.stop();

    const { device, secret } = await register(streetLight, 'props-paho');
    const paho = await pahoDevice(device.deviceId, secret, 'iotda');
    const set = await create(device.deviceId, {
      kind: 'propertiesSet',
      serviceId: 'Light',
      paras: { brightness: 55 },
      expireTime: 0,
    });
    expect((await until(set.commandId, 'SUCCESSFUL')).command.result).toEqual({
      resultCode: 0,
      body: { result_desc: 'success' },
    });
    const get = await create(device.deviceId, { kind: 'propertiesGet', serviceId: 'Light', expireTime: 0 });
    expect((await until(get.commandId, 'SUCCESSFUL')).command.result?.body).toEqual({
      services: [{ service_id: 'Light', properties: { brightness: 42 } }],
    });
    const message = await create(device.deviceId, {
      kind: 'message',
      serviceId: 'Light',
      method: 'notice',
      paras: { content: { text: 'hello' } },
      expireTime: 0,
    });
    await until(message.commandId, 'DELIVERED');
    const down = await eventually(() => paho.received.find((m) => m.topic.endsWith('/sys/messages/down')));
    expect(JSON.parse(down.payload)).toEqual({
      object_device_id: device.deviceId,
      name: 'notice',
      id: message.commandId,
      content: { text: 'hello' },
    });
    expect(paho.received.map((m) => m.topic)).toEqual([
      `$oc/devices/${device.deviceId}/sys/properties/set/request_id=${set.commandId}`,
      `$oc/devices/${device.deviceId}/sys/properties/get/request_id=${get.commandId}`,
      `$oc/devices/${device.deviceId}/sys/messages/down`,
    ]);
    paho.stop();
  });

  it('refuses bad paras with 400 naming the para and queues nothing; cancels one and all PENDING', async () => {
    const { device } = await register(streetLight, 'refused');
    const refused = await create(device.deviceId, {
      serviceId: 'Light',
      method: 'SET_BRIGHTNESS',
      paras: { value: 140 },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiCallError);
    expect(refused).toMatchObject({ status: 400, code: 'BAD_COMMAND', path: 'body.paras.value' });
    expect((refused as Error).message).toContain('Light.SET_BRIGHTNESS.value = 140 is above the maximum 100');
    const list = () => call(apiRoutes.listCommands, { query: { deviceId: device.deviceId } });
    expect((await list()).total).toBe(0);

    const a = await create(device.deviceId, { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } });
    const b = await create(device.deviceId, { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'OFF' } });
    const c = await create(device.deviceId, { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } });
    expect((await call(apiRoutes.cancelCommand, { params: { commandId: a.commandId } })).status).toBe('CANCELED');
    const again = await call(apiRoutes.cancelCommand, { params: { commandId: a.commandId } }).catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 409, code: 'COMMAND_NOT_PENDING' });
    const task = await call(apiRoutes.cancelAllCommands, { params: { id: device.deviceId } });
    expect(task.totalCount).toBe(2);
    expect(task.commands.map((x) => x.commandId).sort()).toEqual([b.commandId, c.commandId].sort());
    expect((await call(apiRoutes.listCancelTasks, { params: { id: device.deviceId } })).tasks).toHaveLength(1);
    const canceled = await call(apiRoutes.listCommands, { query: { deviceId: device.deviceId, status: 'CANCELED' } });
    expect(canceled.total).toBe(3);
  });

  it('fails an immediate command to an offline device, expires a cached one, times out a silent one', async () => {
    const { device, secret } = await register(streetLight, 'timers');
    const now = await create(device.deviceId, {
      serviceId: 'Light',
      method: 'SWITCH_LIGHT',
      paras: { value: 'ON' },
      expireTime: 0,
    });
    expect(now).toMatchObject({ status: 'FAILED', result: { reason: 'the device is not reachable' } });
    const soon = await create(device.deviceId, {
      serviceId: 'Light',
      method: 'SWITCH_LIGHT',
      paras: { value: 'ON' },
      expireTime: 30,
    });
    clock.advance(30_000);
    expect((await command(soon.commandId)).command.status).toBe('EXPIRED');

    // A device that takes the downlink but never PUBACKs it: a raw socket that sends only CONNECT.
    const socket = await silentDevice(device.deviceId, secret);
    const silent = await create(device.deviceId, {
      serviceId: 'Light',
      method: 'SWITCH_LIGHT',
      paras: { value: 'OFF' },
      expireTime: 0,
      maxRetransmit: 1,
    });
    expect(silent.status).toBe('SENT');
    clock.advance(ACK_TIMEOUT_MS);
    await until(silent.commandId, 'SENT').then((c) => expect(c.command.issuedTimes).toBe(2));
    clock.advance(ACK_TIMEOUT_MS);
    const timedOut = await until(silent.commandId, 'TIMEOUT');
    expect(timedOut.transitions.map((t) => t.status)).toEqual(['PENDING', 'SENT', 'TIMEOUT', 'SENT', 'TIMEOUT']);
    socket.destroy();
  });
});

describe('commands to LwM2M devices', () => {
  it('encodes with the codec, writes /19/1/0 (DELIVERED on the ACK) and matches the /19/0/0 answer by mid', async () => {
    const { device } = await register(waterMeter, 'meter-cmd');
    const queued = await create(device.deviceId, {
      serviceId: 'WaterMeterBasic',
      method: 'SET_DEVICE_LEVEL',
      paras: { value: 'debug' },
    });
    const client = new Lwm2mTestClient({
      port: core.runtime.ports.coap ?? 0,
      endpoint: 'meter-cmd',
      resources: { '/19/0/0': { type: 'opaque', value: '' }, '/19/1/0': { type: 'opaque', value: '' } },
    });
    await client.open();
    try {
      await client.register(300, '</3/0>,</19/0>,</19/1>');
      const write = await eventually(() => client.writes.find((w) => w.path === '/19/1/0'));
      // messageId 0x81, mid 0x0001, value "debug" = 2
      expect(write.payload.toString('hex')).toBe('81000102');
      await until(queued.commandId, 'DELIVERED');
      await eventually(() => (client.observed.has('/19/0/0') ? true : undefined));
      client.notify('/19/0/0', Buffer.from('8200010000', 'hex'));
      const done = await until(queued.commandId, 'SUCCESSFUL');
      expect(done.command).toMatchObject({ mid: 1, result: { resultCode: 0 } });
      expect(done.transitions.find((t) => t.status === 'SENT')).toMatchObject({
        protocol: 'lwm2m',
        topic: '/19/1/0',
        bytesHex: '81000102',
        codec: true,
      });
      // The traffic view shows the /19/1/0 write with the command the codec encoded into it.
      const frames = await call(apiRoutes.listTrafficFrames, {
        query: { filter: `device == "${device.deviceId}" && coap.code == 0.03`, limit: '20' },
      });
      const put = frames.frames.at(-1);
      expect(put).toBeDefined();
      const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: put!.seq } });
      const layer = detail.layers.find((l) => l.id === 'codec');
      expect(layer?.title).toBe('Codec encode: WaterMeterBasic.SET_DEVICE_LEVEL');
      expect(layer?.fields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: 'command.id', value: queued.commandId }),
          expect.objectContaining({ key: 'command.paras', value: '{"value":"debug"}' }),
          expect.objectContaining({ key: 'command.mid', value: '1' }),
        ]),
      );
    } finally {
      client.close();
    }
  });
});

describe('restart', () => {
  it('keeps PENDING commands and turns a SENT one whose 180 s passed while stopped into TIMEOUT', async () => {
    const { device, secret } = await register(streetLight, 'restart');
    const socket = await silentDevice(device.deviceId, secret);
    clock.advance(MQTT_ONLINE_GRACE_MS);
    const sent = await create(device.deviceId, { serviceId: 'Light', method: 'SWITCH_LIGHT', paras: { value: 'ON' } });
    const pending = await create(device.deviceId, {
      serviceId: 'Light',
      method: 'SWITCH_LIGHT',
      paras: { value: 'OFF' },
    });
    expect([sent.status, pending.status]).toEqual(['SENT', 'PENDING']);
    socket.destroy();
    await core.stop();
    clock.advance(ACK_TIMEOUT_MS + 1000);
    core = await startCore({ dataDir, clock });
    expect((await command(sent.commandId)).command.status).toBe('TIMEOUT');
    expect((await command(pending.commandId)).command.status).toBe('PENDING');
    const paho = await pahoDevice(device.deviceId, secret, 'iotda');
    await until(pending.commandId, 'SUCCESSFUL');
    paho.stop();
  });
});
