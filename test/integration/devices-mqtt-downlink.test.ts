// The MQTT half of the device link with real clients (mqtt.js, Python paho) on 127.0.0.1: downlinks on the dialect's
// topic, delivery known from the device's PUBACK, and presence, responses and messages reported on the link.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceLogin, eventually } from '../support/device-api.js';
import { startMqttAccess, type HarnessDevice, type MqttAccessHarness } from '../support/mqtt-access-harness.js';
import { runPahoDevice } from '../support/mqtt-clients.js';

let harness: MqttAccessHarness;
beforeAll(async () => {
  harness = await startMqttAccess();
});
afterAll(() => harness.stop());

const connect = (d: HarnessDevice, options: IClientOptions = {}): Promise<MqttClient> =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${harness.port}`, {
    ...deviceLogin(d.deviceId, d.secret),
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...options,
  });

const connected = (deviceId: string) =>
  eventually(() => (harness.access.downlink.isConnected(deviceId) ? true : undefined));

/**
 * A device that holds back its PUBACKs until the test lets each one go: mqtt.js sends a QoS 1 PUBACK when its
 * handleMessage (the documented back-pressure hook, one message at a time) calls back.
 */
async function slowAcker(d: HarnessDevice) {
  const held: { topic: string; release: () => void }[] = [];
  const client = await connect(d);
  client.handleMessage = (packet, callback) => {
    held.push({ topic: 'topic' in packet ? packet.topic : '', release: () => callback() });
  };
  await connected(d.deviceId);
  return { client, held };
}

const settledWithin = async (promise: Promise<boolean>, ms: number) =>
  Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

describe('MQTT downlink', () => {
  it('publishes a command on the IoTDA request_id topic and resolves delivered on the PUBACK, not before', async () => {
    const d = harness.register('acked');
    const { client, held } = await slowAcker(d);
    expect(harness.access.downlink.dialectOf(d.deviceId)).toBe('iotda');
    const result = await harness.access.downlink.publish(d.deviceId, { payload: '{"paras":{}}' });
    if (!result.sent) throw new Error(result.reason);
    expect(result.topic).toMatch(new RegExp(`^\\$oc/devices/${d.deviceId}/sys/commands/request_id=[0-9a-f-]{36}$`));
    await eventually(() => (held.length === 1 ? true : undefined));
    expect(held[0]?.topic).toBe(result.topic);
    expect(await settledWithin(result.delivered, 200)).toBe('pending');
    held[0]?.release();
    expect(await result.delivered).toBe(true);
    await client.endAsync();
  });

  it('resolves delivered false when the session closes before the device acknowledged', async () => {
    const d = harness.register('gone');
    const { client, held } = await slowAcker(d);
    const result = await harness.access.downlink.publish(d.deviceId, { payload: 'never acked', kind: 'message' });
    if (!result.sent) throw new Error(result.reason);
    expect(result.topic).toBe(`$oc/devices/${d.deviceId}/sys/messages/down`);
    await eventually(() => (held.length === 1 ? true : undefined));
    client.end(true);
    expect(await result.delivered).toBe(false);
    await eventually(() => (harness.access.downlink.isConnected(d.deviceId) ? undefined : true));
    expect(await harness.access.downlink.publish(d.deviceId, { payload: 'x' })).toMatchObject({ sent: false });
  });

  it('tells apart two identical downlinks in flight by their packet ids', async () => {
    const d = harness.register('twins');
    const { client, held } = await slowAcker(d);
    const topic = `$oc/devices/${d.deviceId}/sys/messages/down`;
    const first = await harness.access.downlink.publish(d.deviceId, { payload: 'same', topic });
    const second = await harness.access.downlink.publish(d.deviceId, { payload: 'same', topic });
    if (!first.sent || !second.sent) throw new Error('not sent');
    await eventually(() => (held.length === 1 ? true : undefined));
    held[0]?.release();
    expect(await first.delivered).toBe(true);
    expect(await settledWithin(second.delivered, 200)).toBe('pending');
    await eventually(() => (held.length === 2 ? true : undefined));
    held[1]?.release();
    expect(await second.delivered).toBe(true);
    await client.endAsync();
  });

  it('uses the legacy command topic once the device subscribed to it (paho), and QoS 0 is delivered when written', async () => {
    const d = harness.register('legacy');
    let delivered: Promise<boolean> | undefined;
    const paho = await new Promise<Awaited<ReturnType<typeof runPahoDevice>>>((resolve, reject) => {
      runPahoDevice(harness.port, deviceLogin(d.deviceId, d.secret), {
        subscribe: `/huawei/v1/devices/${d.deviceId}/command/json`,
        ready: true,
        waitMessage: true,
        onReady: () => {
          void harness.access.downlink.publish(d.deviceId, { payload: '{"msgType":"cloudReq"}' }).then((r) => {
            if (!r.sent) return reject(new Error(r.reason));
            expect(r.topic).toBe(`/huawei/v1/devices/${d.deviceId}/command/json`);
            delivered = r.delivered;
          }, reject);
        },
      }).then(resolve, reject);
    });
    expect(paho.granted).toEqual([1]);
    expect(paho.received).toEqual({
      topic: `/huawei/v1/devices/${d.deviceId}/command/json`,
      payloadHex: Buffer.from('{"msgType":"cloudReq"}').toString('hex'),
    });
    expect(await delivered).toBe(true);

    const d0 = harness.register('qos0');
    const client = await connect(d0);
    await connected(d0.deviceId);
    const got = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
    const qos0 = await harness.access.downlink.publish(d0.deviceId, { payload: 'fire and forget', qos: 0 });
    expect(qos0.sent && (await qos0.delivered)).toBe(true);
    expect(await got).toBe('fire and forget');
    await client.endAsync();
  });

  it('does not send to a topic of another device', async () => {
    const d = harness.register('own-topics');
    const client = await connect(d);
    await connected(d.deviceId);
    const result = await harness.access.downlink.publish(d.deviceId, {
      payload: 'x',
      topic: '$oc/devices/p1_someone-else/sys/messages/down',
    });
    expect(result).toEqual({
      sent: false,
      reason: `$oc/devices/p1_someone-else/sys/messages/down is not a topic of ${d.deviceId}`,
    });
    await client.endAsync();
  });
});

describe('a second session of the same device', () => {
  it('replaces the first: its pending downlink is not delivered, presence stays online, the newer one is used', async () => {
    const d = harness.register('twice');
    const of = () => harness.presence.filter((e) => e.deviceId === d.deviceId).map((e) => e.kind);
    const { client: first, held } = await slowAcker(d);
    const pending = await harness.access.downlink.publish(d.deviceId, { payload: 'to the first' });
    if (!pending.sent) throw new Error(pending.reason);
    await eventually(() => (held.length === 1 ? true : undefined));
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    // The same device with another clientId (signType 1 instead of 0), as after a reboot.
    const second = await mqtt.connectAsync(`mqtt://127.0.0.1:${harness.port}`, {
      ...deviceLogin(d.deviceId, d.secret, { signType: 1 }),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await firstClosed;
    expect(await pending.delivered).toBe(false);
    const got = new Promise<string>((resolve) => second.once('message', (_t, payload) => resolve(payload.toString())));
    const result = await harness.access.downlink.publish(d.deviceId, { payload: 'to the second' });
    expect(result.sent && (await result.delivered)).toBe(true);
    expect(await got).toBe('to the second');
    expect(of()).toEqual(['online', 'online']);
    expect(harness.status.filter((s) => s.deviceId === d.deviceId).map((s) => s.change)).toEqual([
      'connected',
      'connected',
      'disconnected',
    ]);
    await second.endAsync();
    await eventually(() => (of().includes('offline') ? true : undefined));
  });
});

describe('device link reports', () => {
  it('reports presence online, reported and offline, responses with protocol mqtt, and custom messages', async () => {
    const d = harness.register('reporter');
    const of = (id: string) => harness.presence.filter((e) => e.deviceId === id).map((e) => e.kind);
    const client = await connect(d);
    await eventually(() => (of(d.deviceId).includes('online') ? true : undefined));
    await client.publishAsync(
      `$oc/devices/${d.deviceId}/sys/properties/report`,
      JSON.stringify({ services: [{ service_id: 'S', properties: { x: 1 } }] }),
      { qos: 1 },
    );
    await client.publishAsync(`$oc/devices/${d.deviceId}/sys/messages/up`, 'free-form bytes', { qos: 1 });
    await client.publishAsync(
      `$oc/devices/${d.deviceId}/sys/commands/response/request_id=r-1`,
      JSON.stringify({ result_code: 1, response_name: 'R', paras: { why: 'busy' } }),
      { qos: 1 },
    );
    await client.endAsync();
    await eventually(() => (of(d.deviceId).includes('offline') ? true : undefined));
    expect(of(d.deviceId)).toEqual(['online', 'reported', 'reported', 'reported', 'offline']);
    expect(harness.presence.every((e) => e.protocol === 'mqtt' && typeof e.at === 'number')).toBe(true);
    expect(harness.reports).toContainEqual({
      deviceId: d.deviceId,
      services: [{ serviceId: 'S', properties: { x: 1 } }],
    });
    expect(harness.messages.filter((m) => m.deviceId === d.deviceId)).toEqual([
      expect.objectContaining({
        protocol: 'mqtt',
        topic: `$oc/devices/${d.deviceId}/sys/messages/up`,
        payload: Buffer.from('free-form bytes'),
      }),
    ]);
    expect(harness.responses.filter((r) => r.deviceId === d.deviceId)).toEqual([
      expect.objectContaining({
        protocol: 'mqtt',
        commandId: 'r-1',
        resultCode: 1,
        responseName: 'R',
        body: { why: 'busy' },
      }),
    ]);
  });
});
