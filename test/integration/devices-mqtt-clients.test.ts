// Real third-party device clients against the embedded broker: mosquitto_pub/_sub (-V mqttv311) and Python paho, both dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { iotdaSnippet, legacySnippet } from '../../renderer/features/devices/connectionSnippet.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually, type MqttLogin } from '../support/device-api.js';
import {
  mosquittoPub as mosquittoPubTo,
  runPahoDevice,
  startMosquittoSub,
  type PahoOptions,
  type PahoResult,
} from '../support/mqtt-clients.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let product: string;
const port = () => core.runtime.ports.mqtt ?? 0;

const mosquittoPub = (login: MqttLogin, topic: string, message: string): Promise<CommandResult> =>
  mosquittoPubTo(port(), login, topic, message);

const paho = (login: MqttLogin, options: PahoOptions = {}): Promise<PahoResult> =>
  runPahoDevice(port(), login, options);

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

describe('mosquitto clients', () => {
  it('publishes a legacy JSON report with mosquitto_pub that lands in the history', async () => {
    const d = await device('mosq-legacy');
    const r = await mosquittoPub(
      deviceLogin(d.id, d.secret, { signType: 1 }),
      `/huawei/v1/devices/${d.id}/data/json`,
      JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: 'Light', serviceData: { brightness: 42 } }] }),
    );
    expect(r.code, r.stderr).toBe(0);
    const history = await eventually(async () => {
      const h = await call(apiRoutes.deviceDataHistory, { params: { id: d.id } });
      return h.items.length ? h : undefined;
    });
    expect(history.items[0]).toMatchObject({ serviceId: 'Light', property: 'brightness', value: 42 });
  });

  it('is refused as not authorised with a bad password', async () => {
    const d = await device('mosq-bad');
    const r = await mosquittoPub(deviceLogin(d.id, 'wrong-secret'), `$oc/devices/${d.id}/sys/properties/report`, '{}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('receives an IoTDA message on messages/down with mosquitto_sub without subscribing to it itself', async () => {
    const d = await device('mosq-sub');
    // mosquitto_sub must subscribe to something: its own custom topic with subscribe permission.
    const sub = startMosquittoSub(port(), deviceLogin(d.id, d.secret), [
      '-t',
      `$oc/devices/${d.id}/user/schedule`,
      '-C',
      '1',
      '-W',
      '8',
      '-v',
    ]);
    await eventually(async () =>
      (await call(apiRoutes.getDevice, { params: { id: d.id } })).status === 'online' ? true : undefined,
    );
    const sent = await call(apiRoutes.sendDeviceMessage, { params: { id: d.id }, body: { payload: 'dim to 30' } });
    expect(sent).toEqual({ sent: true, topic: `$oc/devices/${d.id}/sys/messages/down` });
    await sub.exited;
    expect(sub.output().trim()).toBe(`$oc/devices/${d.id}/sys/messages/down dim to 30`);
  });
});

describe('connection snippets of the device page', () => {
  it('run as printed in bash (IoTDA and legacy) and report a value', async () => {
    const d = await device('snippet-1');
    for (const make of [iotdaSnippet, legacySnippet]) {
      const script = make({
        deviceId: d.id,
        host: '127.0.0.1',
        port: core.runtime.ports.mqtt ?? 0,
        serviceId: 'Light',
        propertyName: 'brightness',
      }).replace("'<device secret>'", `'${d.secret}'`);
      const { code } = await runCommand('bash', ['-c', script]);
      expect(code).toBe(0);
    }
    const history = await call(apiRoutes.deviceDataHistory, { params: { id: d.id } });
    expect(history.items).toHaveLength(2);
  });
});

describe('python paho clients', () => {
  it('reports IoTDA properties with signType 1', async () => {
    const d = await device('paho-iotda');
    const payload = JSON.stringify({ services: [{ service_id: 'Sensor', properties: { illuminance: 123 } }] });
    const r = await paho(deviceLogin(d.id, d.secret, { signType: 1 }), {
      topic: `$oc/devices/${d.id}/sys/properties/report`,
      payloadHex: Buffer.from(payload).toString('hex'),
    });
    expect(r).toMatchObject({ connack: 0, published: true });
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: d.id } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Sensor', data: { illuminance: 123 } })]);
  });

  it('gets CONNACK 5 for a stale timestamp with signType 1', async () => {
    const d = await device('paho-stale');
    const r = await paho(deviceLogin(d.id, d.secret, { signType: 1, nowMs: Date.now() - 6 * 3600_000 }));
    expect(r.connack).toBe(5);
  });

  it('gets SUBACK 0x80 for another device topic, stays connected, and the refusal is recorded (legacy dialect)', async () => {
    const d = await device('paho-acl');
    const other = await device('paho-other');
    const r = await paho(deviceLogin(d.id, d.secret), {
      subscribe: `/huawei/v1/devices/${other.id}/command/json`,
      topic: `/huawei/v1/devices/${d.id}/data/json`,
      payloadJson: { msgType: 'deviceReq', data: [{ serviceId: 'Light', serviceData: { brightness: 17 } }] },
      waitDisconnect: true,
      waitSeconds: 1,
    });
    expect(r).toMatchObject({ connack: 0, granted: [128], published: true, disconnected: false });
    const refusals = await call(apiRoutes.listMqttRefusals, {});
    expect(refusals.items[0]).toMatchObject({ kind: 'acl', deviceId: d.id });
    expect(refusals.items[0]?.reason).toContain(`subscribing to /huawei/v1/devices/${other.id}/command/json`);
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: d.id } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Light', data: { brightness: 17 } })]);
  });

  it('stores a property report sent as the IoTDA Python SDK sends it, event_time null', async () => {
    const d = await device('paho-sdk-nulls');
    const before = Date.now();
    // ServiceProperty.to_dict() of the SDK, serialised by json.dumps: an unset event_time is None, on the wire null.
    const r = await paho(deviceLogin(d.id, d.secret), {
      topic: `$oc/devices/${d.id}/sys/properties/report`,
      payloadJson: { services: [{ service_id: 'Sensor', properties: { illuminance: 321 }, event_time: null }] },
    });
    expect(r).toMatchObject({ connack: 0, published: true, disconnected: false });
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: d.id } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Sensor', data: { illuminance: 321 } })]);
    // No event time from the device: the receive time is the event time.
    const eventTime = Date.parse(latest.services[0]?.eventTime ?? '');
    expect(eventTime).toBeGreaterThanOrEqual(before - 1000);
    expect(eventTime).toBeLessThanOrEqual(Date.now());
    expect((await call(apiRoutes.deviceUplinkErrors, { params: { id: d.id } })).items).toEqual([]);
  });

  it('stores a gateway sub-device report with null optional fields, as the SDK gateway sends it', async () => {
    const gateway = await device('paho-gw');
    const { device: child } = await call(apiRoutes.registerDevice, {
      body: { productId: product, nodeId: 'paho-gw-child', gatewayId: gateway.id },
    });
    const r = await paho(deviceLogin(gateway.id, gateway.secret), {
      topic: `$oc/devices/${gateway.id}/sys/gateway/sub_devices/properties/report`,
      payloadJson: {
        devices: [
          {
            device_id: child.deviceId,
            services: [{ service_id: 'Light', properties: { brightness: 64 }, event_time: null }],
          },
        ],
      },
    });
    expect(r).toMatchObject({ connack: 0, published: true, disconnected: false });
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: child.deviceId } });
    expect(latest.services).toEqual([expect.objectContaining({ serviceId: 'Light', data: { brightness: 64 } })]);
    expect((await call(apiRoutes.deviceUplinkErrors, { params: { id: gateway.id } })).items).toEqual([]);
  });

  it('receives a legacy command on its command topic after subscribing to it', async () => {
    const d = await device('paho-legacy-cmd');
    const result = paho(deviceLogin(d.id, d.secret, { authType: 0 }), {
      subscribe: `/huawei/v1/devices/${d.id}/command/json`,
      ready: true,
      waitMessage: true,
      onReady: () => undefined,
    });
    await eventually(async () =>
      core && (await call(apiRoutes.getDevice, { params: { id: d.id } })).status === 'online' ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    const body = JSON.stringify({
      msgType: 'cloudReq',
      serviceId: 'Light',
      cmd: 'SET',
      paras: { brightness: 5 },
      hasMore: 0,
      mid: 7,
    });
    const sent = await call(apiRoutes.sendDeviceMessage, {
      params: { id: d.id },
      body: { payload: body, kind: 'command' },
    });
    expect(sent.topic).toBe(`/huawei/v1/devices/${d.id}/command/json`);
    const r = await result;
    expect(r.received).toEqual({ topic: sent.topic, payloadHex: Buffer.from(body).toString('hex') });
  });

  it('closes the connection on an oversized payload and records it', async () => {
    const d = await device('paho-big');
    const r = await paho(deviceLogin(d.id, d.secret), {
      topic: `$oc/devices/${d.id}/sys/messages/up`,
      payloadHex: '41',
      payloadRepeat: 1024 * 1024 + 10,
      waitDisconnect: true,
      waitSeconds: 2,
    });
    expect(r.disconnected).toBe(true);
    const refusals = await call(apiRoutes.listMqttRefusals, {});
    expect(refusals.items[0]).toMatchObject({ kind: 'oversized', deviceId: d.id });
  });
});
