// One-model-one-secret MQTT login (authType 1) with real clients: mosquitto_sub/_pub (-V mqttv311) and Python paho
// fetch a device's own secret with the product secret, acknowledge it, reconnect with authType 0 and report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import { secretAckTopic, secretNotifyTopic } from '../../core/access/mqtt/index.js';
import { DYNAMIC_SESSION_LIMIT_MS } from '../../core/access/mqtt/dynamic-secret.js';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import {
  dynamicPahoSnippet,
  dynamicSnippet,
  type DynamicSnippetInput,
} from '../../renderer/features/devices/connectionSnippet.js';
import { startCore, type RunningCore } from '../support/core.js';
import { ApiCallError, contractCaller, deviceLogin, eventually, type MqttLogin } from '../support/device-api.js';
import { mosquittoLoginArgs } from '../support/mqtt-clients.js';
import { runCommand } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let dataDir: string;
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;

/** The login of §2.1 in dynamic mode: clientId `{productId}_{nodeId}_1_{signType}_{YYYYMMDDHH}`, username productId. */
function dynamicLogin(nodeId: string, productSecret: string, options: { nowMs?: number; signType?: 0 | 1 } = {}) {
  const timestamp = timestampOf(options.nowMs ?? Date.now());
  return {
    clientId: `${product}_${nodeId}_1_${options.signType ?? 0}_${timestamp}`,
    username: product,
    password: mqttPassword(productSecret, timestamp),
  };
}

const loginArgs = (login: MqttLogin) => mosquittoLoginArgs(core.runtime.ports.mqtt ?? 0, login);

const run = (command: string, args: string[]) => runCommand(command, args, { timeoutMs: 20_000 });

const productSecret = async () => (await call(apiRoutes.getProductSecret, { params: { id: product } })).secret;

async function device(nodeId: string) {
  const { device, secret } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId } });
  return { id: device.deviceId, nodeId, secret };
}

async function brightnessOf(deviceId: string): Promise<unknown> {
  const { services } = await call(apiRoutes.latestDeviceData, { params: { id: deviceId } });
  return services.find((s) => s.serviceId === 'Light')?.data.brightness;
}

const refusals = async () => (await call(apiRoutes.listMqttRefusals, {})).items;

beforeAll(async () => {
  dataDir = tempDir();
  core = await startCore({ dataDir });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' } })
  ).id;
});
afterAll(() => core.stop());

describe('product secret', () => {
  it('is generated with the product, stays the same, and is not readable from the database file', async () => {
    const first = await productSecret();
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(await productSecret()).toBe(first);
    const files = [DATABASE_FILE_NAME, `${DATABASE_FILE_NAME}-wal`].map((f) => join(dataDir, f)).filter(existsSync);
    const stored = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(stored.includes(Buffer.from('StreetLight'))).toBe(true);
    expect(stored.includes(Buffer.from(first))).toBe(false);
  });

  it('is reset to a generated or a given value, and a bad value is refused with its reason', async () => {
    const before = await productSecret();
    const generated = await call(apiRoutes.resetProductSecret, { params: { id: product }, body: {} });
    expect(generated.secret).not.toBe(before);
    expect(await productSecret()).toBe(generated.secret);
    const given = await call(apiRoutes.resetProductSecret, {
      params: { id: product },
      body: { secret: 'street-lights-2026' },
    });
    expect(given).toEqual({ productId: product, secret: 'street-lights-2026' });
    const refused = await call(apiRoutes.resetProductSecret, {
      params: { id: product },
      body: { secret: 'short' },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiCallError);
    expect((refused as ApiCallError).status).toBe(400);
    const missing = await call(apiRoutes.getProductSecret, { params: { id: 'no-such-product' } }).catch(
      (e: unknown) => e,
    );
    expect((missing as ApiCallError).code).toBe('PRODUCT_NOT_FOUND');
  });
});

describe('mosquitto clients in one-model-one-secret mode', () => {
  it('fetch the device secret on secretNotify, acknowledge it, reconnect with authType 0 and report a stored value', async () => {
    const d = await device('dyn-mosq');
    const login = dynamicLogin(d.nodeId, await productSecret());
    const sub = await run('mosquitto_sub', [
      ...loginArgs(login),
      '-q',
      '1',
      '-C',
      '1',
      '-W',
      '10',
      '-t',
      secretNotifyTopic(product, d.nodeId),
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    const pushed = JSON.parse(sub.stdout) as { deviceid: string; secret: string };
    expect(pushed).toEqual({ msgType: 'cloudSendSecret', deviceid: d.id, secret: d.secret });

    const ack = await run('mosquitto_pub', [
      ...loginArgs(login),
      '-q',
      '1',
      '-n',
      '-t',
      secretAckTopic(product, d.nodeId),
    ]);
    expect(ack.code, ack.stderr).toBe(0);

    const report = await run('mosquitto_pub', [
      ...loginArgs(deviceLogin(pushed.deviceid, pushed.secret)),
      '-q',
      '1',
      '-t',
      `/huawei/v1/devices/${d.id}/data/json`,
      '-m',
      JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: 'Light', serviceData: { brightness: 61 } }] }),
    ]);
    expect(report.code, report.stderr).toBe(0);
    expect(await eventually(async () => ((await brightnessOf(d.id)) === 61 ? true : undefined))).toBe(true);

    // The whole exchange is in the traffic inspector, attributed to the device.
    const frames = await call(apiRoutes.listTrafficFrames, {
      query: { filter: `device == "${d.id}"`, limit: 500 },
    });
    const summaries = frames.frames.map((f) => `${f.direction} ${f.summary}`).join('\n');
    expect(summaries).toContain('secretNotify');
    expect(summaries).toContain('secretACK');
  });

  it('refuses a wrong product secret as not authorised and records it', async () => {
    const d = await device('dyn-wrong');
    const r = await run('mosquitto_sub', [
      ...loginArgs(dynamicLogin(d.nodeId, 'not-the-product-secret')),
      '-C',
      '1',
      '-W',
      '5',
      '-t',
      secretNotifyTopic(product, d.nodeId),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
    expect((await refusals())[0]).toMatchObject({ kind: 'auth', deviceId: d.id, username: product });
  });

  it('refuses a nodeId that is not registered under the product', async () => {
    const r = await run('mosquitto_sub', [
      ...loginArgs(dynamicLogin('never-registered', await productSecret())),
      '-C',
      '1',
      '-W',
      '5',
      '-t',
      secretNotifyTopic(product, 'never-registered'),
    ]);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
    expect((await refusals())[0]?.reason).toMatch(/nodeId never-registered is not registered under product/);
  });

  it('refuses the old product secret right after a reset, and takes the new one', async () => {
    const d = await device('dyn-reset');
    const old = await productSecret();
    const fresh = (await call(apiRoutes.resetProductSecret, { params: { id: product }, body: {} })).secret;
    const args = (secret: string) => [
      ...loginArgs(dynamicLogin(d.nodeId, secret)),
      '-q',
      '1',
      '-C',
      '1',
      '-W',
      '5',
      '-t',
      secretNotifyTopic(product, d.nodeId),
    ];
    const refused = await run('mosquitto_sub', args(old));
    expect(refused.stderr).toMatch(/not authori[sz]ed/i);
    const accepted = await run('mosquitto_sub', args(fresh));
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ deviceid: d.id, secret: d.secret });
  });

  it('pushes the secret once the device subscribes and closes the session after its secretACK', async () => {
    const d = await device('dyn-one-session');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...dynamicLogin(d.nodeId, await productSecret()),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const pushed = new Promise<{ topic: string; payload: string; qos: number }>((resolve) =>
      client.once('message', (topic, payload, packet) =>
        resolve({ topic, payload: payload.toString(), qos: packet.qos }),
      ),
    );
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await client.subscribeAsync(secretNotifyTopic(product, d.nodeId), { qos: 1 });
    expect(await pushed).toEqual({
      topic: secretNotifyTopic(product, d.nodeId),
      payload: JSON.stringify({ msgType: 'cloudSendSecret', deviceid: d.id, secret: d.secret }),
      qos: 1,
    });
    await client.publishAsync(secretAckTopic(product, d.nodeId), '', { qos: 1 });
    await closed;
    await client.endAsync(true);
    // The dynamic session is not the device's connection: the device stays inactive until it logs in itself.
    expect((await call(apiRoutes.getDevice, { params: { id: d.id } })).status).toBe('inactive');
  });

  it('closes an open dynamic session when the product secret is reset', async () => {
    const d = await device('dyn-open');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
      ...dynamicLogin(d.nodeId, await productSecret()),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await call(apiRoutes.resetProductSecret, { params: { id: product }, body: {} });
    await closed;
    await client.endAsync(true);
  });

  it('closes a dynamic session that has not acknowledged its secret within a minute, and records why', async () => {
    const clock = createManualClock(Date.now());
    const other = await startCore({ dataDir: tempDir(), clock });
    try {
      const callOther = contractCaller(() => other);
      const sample = await callOther(apiRoutes.createProductFromSample, {
        params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
      });
      await callOther(apiRoutes.registerDevice, { body: { productId: sample.id, nodeId: 'dyn-idle' } });
      const { secret } = await callOther(apiRoutes.getProductSecret, { params: { id: sample.id } });
      const timestamp = timestampOf(clock.now());
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${other.runtime.ports.mqtt}`, {
        clientId: `${sample.id}_dyn-idle_1_0_${timestamp}`,
        username: sample.id,
        password: mqttPassword(secret, timestamp),
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      // The session's clock starts when the broker has it ready, just after CONNACK.
      await new Promise((r) => setTimeout(r, 200));
      clock.advance(DYNAMIC_SESSION_LIMIT_MS - 1000);
      await new Promise((r) => setTimeout(r, 200));
      expect(client.connected).toBe(true);
      clock.advance(1000);
      await closed;
      const items = (await callOther(apiRoutes.listMqttRefusals, {})).items;
      expect(items.some((r) => r.reason.includes('did not acknowledge its secret'))).toBe(true);
      await client.endAsync(true);
    } finally {
      await other.stop();
    }
  });

  it('refuses and records a data publish from a dynamic session, and closes it', async () => {
    const d = await device('dyn-acl');
    const r = await run('mosquitto_pub', [
      ...loginArgs(dynamicLogin(d.nodeId, await productSecret())),
      '-q',
      '1',
      '-t',
      `/huawei/v1/devices/${d.id}/data/json`,
      '-m',
      JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: 'Light', serviceData: { brightness: 9 } }] }),
    ]);
    expect(r.code).not.toBe(0);
    const refusal = await eventually(async () =>
      (await refusals()).find((x) => x.kind === 'acl' && x.deviceId === d.id),
    );
    expect(refusal.reason).toMatch(
      /publishing to \/huawei\/v1\/devices\/.*\/data\/json is not allowed in an authType 1 session/,
    );
    expect(await brightnessOf(d.id)).toBeUndefined();
  });

  it("refuses subscribing to another nodeId's secretNotify", async () => {
    const d = await device('dyn-peek');
    const other = await device('dyn-peeked');
    const r = await run('mosquitto_sub', [
      ...loginArgs(dynamicLogin(d.nodeId, await productSecret())),
      '-C',
      '1',
      '-W',
      '2',
      '-t',
      secretNotifyTopic(product, other.nodeId),
    ]);
    expect(r.stdout).toBe('');
    const refusal = await eventually(async () =>
      (await refusals()).find((x) => x.kind === 'acl' && x.deviceId === d.id),
    );
    expect(refusal.reason).toContain(`subscribing to ${secretNotifyTopic(product, other.nodeId)}`);
  });

  it('checks the timestamp with signType 1', async () => {
    const d = await device('dyn-stale');
    const r = await run('mosquitto_sub', [
      ...loginArgs(dynamicLogin(d.nodeId, await productSecret(), { signType: 1, nowMs: Date.now() - 5 * 3600_000 })),
      '-C',
      '1',
      '-W',
      '5',
      '-t',
      secretNotifyTopic(product, d.nodeId),
    ]);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
    expect((await refusals())[0]).toMatchObject({ kind: 'auth', deviceId: d.id });
    expect((await refusals())[0]?.reason).toMatch(/timestamp/);
  });
});

describe('connection snippets for one-model-one-secret mode', () => {
  const snippetInput = async (nodeId: string, exampleValue: number): Promise<DynamicSnippetInput> => ({
    deviceId: `${product}_${nodeId}`,
    productId: product,
    nodeId,
    host: '127.0.0.1',
    port: core.runtime.ports.mqtt ?? 0,
    serviceId: 'Light',
    propertyName: 'brightness',
    exampleValue,
    productSecret: await productSecret(),
  });

  it('the mosquitto shell snippet runs in bash and its report is stored', async () => {
    const d = await device('dyn-snippet-sh');
    const r = await run('bash', ['-c', dynamicSnippet(await snippetInput(d.nodeId, 71))]);
    expect(r.code, r.stderr).toBe(0);
    expect(await eventually(async () => ((await brightnessOf(d.id)) === 71 ? true : undefined))).toBe(true);
  });

  it('the Python paho snippet does the whole exchange in one session, like the LiteOS agent', async () => {
    const d = await device('dyn-snippet-py');
    const r = await run('/usr/bin/python3', ['-c', dynamicPahoSnippet(await snippetInput(d.nodeId, 72))]);
    expect(r.code, r.stderr).toBe(0);
    expect(await eventually(async () => ((await brightnessOf(d.id)) === 72 ? true : undefined))).toBe(true);
  });
});
