// MQTT sessions and downlinks with real clients (mqtt.js, mosquitto_sub -V mqttv311) against a real core on
// 127.0.0.1: one session per device, refused subscriptions, downlink topic checks and command responses as the SDKs send them.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, deviceLogin, eventually, type MqttLogin } from '../support/device-api.js';
import { startMosquittoSub } from '../support/mqtt-clients.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
const port = () => core.runtime.ports.mqtt ?? 0;

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
});
afterAll(() => core.stop());

async function device(nodeId: string) {
  const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId } });
  return { id: device.deviceId, secret };
}

const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

const connect = (login: MqttLogin): Promise<MqttClient> =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${port()}`, { ...login, protocolVersion: 4, reconnectPeriod: 0 });

describe('one session per device', () => {
  it('closes the older session when the device logs in again, records it, and the newer one keeps working', async () => {
    const d = await device('twice');
    // The same device with another clientId (here signType 1 instead of 0), as after a reboot or a new hour.
    const first = await connect(deviceLogin(d.id, d.secret, { signType: 0 }));
    const firstClosed = closed(first);
    const second = startMosquittoSub(port(), deviceLogin(d.id, d.secret, { signType: 1 }), [
      '-t',
      `$oc/devices/${d.id}/user/schedule`,
      '-C',
      '1',
      '-W',
      '10',
      '-v',
    ]);
    await firstClosed;
    expect(first.connected).toBe(false);
    const replaced = await eventually(async () =>
      (await call(apiRoutes.listMqttRefusals, {})).items.find((r) => r.kind === 'replaced' && r.deviceId === d.id),
    );
    expect(replaced.reason).toContain('newer session');
    expect(replaced.clientId).toBe(first.options.clientId);
    expect((await call(apiRoutes.getDevice, { params: { id: d.id } })).status).toBe('online');
    // The newer session is the device now: a downlink reaches it.
    await eventually(async () => {
      const sent = await call(apiRoutes.sendDeviceMessage, { params: { id: d.id }, body: { payload: 'hello' } });
      return sent.sent ? sent : undefined;
    });
    expect(await second.exited).toBe(0);
    expect(second.output().trim()).toBe(`$oc/devices/${d.id}/sys/messages/down hello`);
    await first.endAsync(true);
  });
});

describe('topics of other devices', () => {
  it('answers a subscription to another device topic with SUBACK 0x80 and keeps the connection (IoTDA)', async () => {
    const d = await device('peeker');
    const other = await device('peeked');
    const client = await connect(deviceLogin(d.id, d.secret));
    // mqtt.js hands a SUBACK with a failure code to the callback as an error carrying the SUBACK packet.
    const granted = (filters: string[]) =>
      new Promise<number[] | undefined>((resolve) =>
        client.subscribe(filters, { qos: 1 }, (_error, _grants, packet) => resolve(packet?.granted as number[])),
      );
    expect(await granted([`$oc/devices/${other.id}/sys/commands/#`])).toEqual([128]);
    expect(client.connected).toBe(true);
    const refusal = (await call(apiRoutes.listMqttRefusals, {})).items[0];
    expect(refusal).toMatchObject({ kind: 'acl', deviceId: d.id });
    expect(refusal?.reason).toContain(`subscribing to $oc/devices/${other.id}/sys/commands/#`);
    // Its own filter in the same SUBSCRIBE is granted; it goes on reporting.
    expect(await granted([`$oc/devices/${d.id}/user/schedule`, `$oc/devices/${other.id}/user/schedule`])).toEqual([
      1, 128,
    ]);
    await client.publishAsync(
      `$oc/devices/${d.id}/sys/properties/report`,
      JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: 8 } }] }),
      { qos: 1 },
    );
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: d.id } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Light', data: { brightness: 8 } })]);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('refuses a downlink on a topic that is not the device own with 400 TOPIC_NOT_DEVICE', async () => {
    const d = await device('foreign-topic');
    const client = await connect(deviceLogin(d.id, d.secret));
    const error = await call(apiRoutes.sendDeviceMessage, {
      params: { id: d.id },
      body: { payload: 'x', topic: `$oc/devices/${product}_someone-else/sys/messages/down` },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ status: 400, code: 'TOPIC_NOT_DEVICE', path: 'body.topic' });
    await client.endAsync();
  });
});

describe('command responses as the SDKs send them', () => {
  it('takes an IoTDA command response whose optional fields are null', async () => {
    const d = await device('null-answer');
    const client = await connect(deviceLogin(d.id, d.secret));
    client.on('message', (topic) => {
      const rid = topic.split('request_id=')[1];
      void client.publishAsync(
        `$oc/devices/${d.id}/sys/commands/response/request_id=${rid}`,
        JSON.stringify({ result_code: 0, response_name: null, paras: null }),
        { qos: 1 },
      );
    });
    const result = await call(apiRoutes.sendDeviceCommand, {
      params: { id: d.id },
      body: { serviceId: 'Light', commandName: 'SWITCH_LIGHT', paras: { value: 'ON' } },
    });
    expect(result).toMatchObject({ sent: true, response: { resultCode: 0, body: {} } });
    expect((await call(apiRoutes.deviceUplinkErrors, { params: { id: d.id } })).items).toEqual([]);
    await client.endAsync();
  });
});
