// Commands to MQTT devices and their responses (mid / request_id routing), and reports checked against the model.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually, type MqttLogin } from '../support/device-api.js';
import { mosquittoPub as mosquittoPubTo } from '../support/mqtt-clients.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let streetLight: string;

async function connectDevice(nodeId: string): Promise<{ deviceId: string; login: MqttLogin; client: MqttClient }> {
  const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: streetLight, nodeId } });
  const login = deviceLogin(device.deviceId, secret);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
    ...login,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  return { deviceId: device.deviceId, login, client };
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  streetLight = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
});

afterAll(() => core.stop());

describe('command responses', () => {
  it('routes an IoTDA response to its command by request_id', async () => {
    const { deviceId, client } = await connectDevice('cmd-iotda');
    const seen: { topic: string; body: unknown }[] = [];
    // Like the official SDKs, the device never subscribes: the platform subscribed it on connect.
    client.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as { command_name: string; paras: { value: string } };
      seen.push({ topic, body });
      const rid = topic.split('request_id=')[1];
      void client.publishAsync(
        `$oc/devices/${deviceId}/sys/commands/response/request_id=${rid}`,
        JSON.stringify({
          result_code: 0,
          response_name: `${body.command_name}_RSP`,
          paras: { echoed: body.paras.value },
        }),
        { qos: 1 },
      );
    });
    const result = await call(apiRoutes.sendDeviceCommand, {
      params: { id: deviceId },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' } },
    });
    expect(result.sent).toBe(true);
    expect(result.topic).toBe(`$oc/devices/${deviceId}/sys/commands/request_id=${result.commandId}`);
    expect(result.response).toEqual({ resultCode: 0, responseName: 'SWITCH_LIGHT_RSP', body: { echoed: 'ON' } });
    // Its own response is not echoed back to it although it is subscribed to sys/commands/#.
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.map((m) => m.topic)).toEqual([result.topic]);
    expect(seen[0]?.body).toEqual({
      object_device_id: deviceId,
      service_id: 'Light',
      command_name: 'SWITCH_LIGHT',
      paras: { value: 'ON' },
    });
    await client.endAsync();
  });

  it('routes a legacy deviceRsp to its cloudReq by mid, with a fresh mid per command', async () => {
    const { deviceId, client } = await connectDevice('cmd-legacy');
    await client.subscribeAsync(`/huawei/v1/devices/${deviceId}/command/json`, { qos: 1 });
    const mids: number[] = [];
    client.on('message', (_topic, payload) => {
      const request = JSON.parse(payload.toString()) as { msgType: string; mid: number; cmd: string };
      expect(request.msgType).toBe('cloudReq');
      mids.push(request.mid);
      void client.publishAsync(
        `/huawei/v1/devices/${deviceId}/data/json`,
        JSON.stringify({
          msgType: 'deviceRsp',
          mid: request.mid,
          errcode: request.cmd === 'SET_BRIGHTNESS' ? 1 : 0,
          hasMore: 0,
          body: { level: 3 },
        }),
        { qos: 1 },
      );
    });
    const first = await call(apiRoutes.sendDeviceCommand, {
      params: { id: deviceId },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'OFF' } },
    });
    const second = await call(apiRoutes.sendDeviceCommand, {
      params: { id: deviceId },
      body: { serviceId: 'Light', commandName: 'SET_BRIGHTNESS', paras: { value: 40 } },
    });
    expect(mids).toEqual([1, 2]);
    expect(first).toMatchObject({ sent: true, commandId: '1', response: { resultCode: 0, body: { level: 3 } } });
    expect(second).toMatchObject({ sent: true, commandId: '2', response: { resultCode: 1 } });
    await client.endAsync();
  });

  it('reports no response when the device stays silent, and not sent when it is offline', async () => {
    const { deviceId, client } = await connectDevice('cmd-silent');
    const silent = await call(apiRoutes.sendDeviceCommand, {
      params: { id: deviceId },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' }, timeoutMs: 300 },
    });
    expect(silent.sent).toBe(true);
    expect(silent.response).toBeUndefined();
    await client.endAsync();
    await eventually(async () => {
      const r = await call(apiRoutes.sendDeviceCommand, {
        params: { id: deviceId },
        // Paras are now checked against the model before anything is sent: SWITCH_LIGHT requires `value`.
        body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'OFF' }, timeoutMs: 300 },
      });
      return r.sent ? undefined : r;
    });
  });

  it('gets answers from simulated devices', async () => {
    const simulation = await call(apiRoutes.startMqttSimulation, {
      body: { productId: streetLight, count: 1, rate: 0, nodeIdPrefix: 'answering-' },
    });
    const result = await call(apiRoutes.sendDeviceCommand, {
      params: { id: `${streetLight}_answering-1` },
      body: { serviceId: 'Light', commandName: 'SET_BRIGHTNESS', paras: { value: 80 } },
    });
    expect(result.response).toMatchObject({ resultCode: 0, responseName: 'SET_BRIGHTNESS' });
    expect((await call(apiRoutes.getMqttSimulation, { params: { id: simulation.id } })).commandsAnswered).toBe(1);
    await call(apiRoutes.stopMqttSimulation, { params: { id: simulation.id } });
  });
});

const mosquittoPub = async (login: MqttLogin, topic: string, message: string): Promise<number | null> =>
  (await mosquittoPubTo(core.runtime.ports.mqtt ?? 0, login, topic, message)).code;

describe('reports checked against the product model', () => {
  it('stores the valid values of a report and records the out-of-range and wrongly typed ones', async () => {
    const { deviceId, login, client } = await connectDevice('range-1');
    await client.endAsync();
    const report = {
      services: [
        { service_id: 'Light', properties: { brightness: 150, switch: 'ON' } },
        { service_id: 'Energy', properties: { voltage: 'high', power: 12.5, colour: 'red' } },
      ],
    };
    expect(await mosquittoPub(login, `$oc/devices/${deviceId}/sys/properties/report`, JSON.stringify(report))).toBe(0);
    const latest = await eventually(async () => {
      const l = await call(apiRoutes.latestDeviceData, { params: { id: deviceId } });
      return l.services.length === 2 ? l.services : undefined;
    });
    expect(latest.map((s) => [s.serviceId, s.data])).toEqual([
      ['Energy', { power: 12.5 }],
      ['Light', { switch: 'ON' }],
    ]);
    const errors = await call(apiRoutes.deviceUplinkErrors, { params: { id: deviceId } });
    expect(errors.items).toHaveLength(1);
    expect(errors.items[0]).toMatchObject({
      code: 'BAD_VALUE',
      topic: `$oc/devices/${deviceId}/sys/properties/report`,
    });
    expect(errors.items[0]?.message).toContain('Light.brightness = 150 is above the maximum 100');
    expect(errors.items[0]?.message).toContain('Energy.voltage is "high"; decimal needs a number');
    expect(errors.items[0]?.message).toContain('service Energy has no property colour');
    expect(JSON.parse(Buffer.from(errors.items[0]!.rawBase64, 'base64').toString())).toEqual(report);
  });
});
