// The codec layer of captured traffic with real clients: mosquitto_pub sends a water meter's binary frames to the
// embedded broker as a registered device; the inspector shows the product codec's decode, filters on it, and turns
// a frame into a codec sample.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { apiRoutes } from '../../core/contract/index.js';
import { createLwM2mUdpClient } from '../../core/serial/module-sim/lwm2m-udp-client.js';
import type { TrafficFrameDetail } from '../../core/contract/traffic.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually, type MqttLogin } from '../support/device-api.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-traffic-codec-');
let core: RunningCore;
let dir: string;
const call = contractCaller(() => core);
let product: string;
let device: { id: string; secret: string };

/** From resources/samples/codecs/water-meter/samples.json: reading 12345.678 m³, 21.5 °C. */
const BASIC_REPORT = '0100BC614E00000E1000D7007D';

/** mosquitto_pub -f: the payload is the file's bytes, unchanged. Async so the in-process core keeps running. */
function mosquittoPubFile(login: MqttLogin, topic: string, hex: string): Promise<CommandResult> {
  const file = join(dir, `payload-${hex.slice(0, 16)}-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, Buffer.from(hex, 'hex'));
  return runCommand(
    'mosquitto_pub',
    [
      ...['-V', 'mqttv311', '-h', '127.0.0.1', '-p', String(core.runtime.ports.mqtt)],
      ...['-i', login.clientId, '-u', login.username, '-P', login.password],
      ...['-q', '1', '-t', topic, '-f', file],
    ],
    { timeoutMs: 10_000 },
  );
}

const binaryTopic = () => `/huawei/v1/devices/${device.id}/data/binary`;
const publishes = (extra = '') =>
  call(apiRoutes.listTrafficFrames, {
    query: { filter: `device == "${device.id}" && mqtt.type == PUBLISH${extra}`, limit: '100' },
  });

beforeAll(async () => {
  dir = tempDir();
  core = await startCore({ dataDir: dir });
  product = (
    await call(apiRoutes.createProductFromSample, { params: { name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice' } })
  ).id;
  await call(apiRoutes.installCodecSample, { params: { id: product }, body: { name: 'water-meter', kind: 'layout' } });
  const registered = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'meter-1' } });
  device = { id: registered.device.deviceId, secret: registered.secret };
});
afterAll(() => core.stop());

describe('codec layer of frames from mosquitto_pub', () => {
  let frame: TrafficFrameDetail;

  it("shows the product codec's decode of a binary report, with the product model's property names", async () => {
    const r = await mosquittoPubFile(deviceLogin(device.id, device.secret), binaryTopic(), BASIC_REPORT);
    expect(r.code, r.stderr).toBe(0);
    const listed = await eventually(async () => {
      const l = await publishes();
      return l.frames.length ? l : undefined;
    });
    frame = await call(apiRoutes.getTrafficFrame, { params: { seq: listed.frames[0]!.seq } });
    expect(frame.layers.map((l) => l.id)).toEqual(['frame', 'mqtt', 'codec']);
    expect(frame.codec).toMatchObject({
      productId: product,
      version: 1,
      status: 'decoded',
      payloadHex: BASIC_REPORT,
      topic: binaryTopic(),
      message: {
        kind: 'data',
        services: [
          {
            serviceId: 'WaterMeterBasic',
            properties: { currentReading: 12345.678, dailyActivityTime: 3600, temperature: 21.5, flow: 1.25 },
          },
        ],
      },
    });
    const codec = frame.layers.find((l) => l.id === 'codec')!;
    expect(codec.error).toBeUndefined();
    const service = codec.fields.find((f) => f.label === 'WaterMeterBasic')!;
    const reading = service.children!.find((f) => f.label === 'currentReading')!;
    expect(reading.value).toBe('12345.678');
    // The model's unit for the property, and the payload's bytes inside the MQTT frame for the hex highlight.
    expect(reading.meaning).toContain('m³');
    const bytes = Buffer.from(frame.bytesBase64, 'base64');
    expect(
      bytes
        .subarray(reading.offset, reading.offset! + reading.length!)
        .toString('hex')
        .toUpperCase(),
    ).toBe(BASIC_REPORT);
    expect(frame.decoded).toEqual(frame.codec!.message);
  });

  it('filters frames on decoded properties', async () => {
    expect((await publishes(' && decoded.currentReading > 12000')).frames).toHaveLength(1);
    expect((await publishes(' && decoded.WaterMeterBasic.temperature == 21.5')).frames).toHaveLength(1);
    expect((await publishes(' && decoded.serviceId == "WaterMeterBasic"')).frames).toHaveLength(1);
    expect((await publishes(' && decoded.currentReading < 100')).frames).toHaveLength(0);
  });

  it('shows the decode error of a frame the codec cannot read', async () => {
    const r = await mosquittoPubFile(deviceLogin(device.id, device.secret), binaryTopic(), 'EE0102');
    expect(r.code, r.stderr).toBe(0);
    const all = await eventually(async () => {
      const l = await publishes();
      return l.frames.length === 2 ? l : undefined;
    });
    const bad = await call(apiRoutes.getTrafficFrame, { params: { seq: all.frames[1]!.seq } });
    expect(bad.codec).toMatchObject({ status: 'error', payloadHex: 'EE0102' });
    const layer = bad.layers.find((l) => l.id === 'codec')!;
    expect(layer.error).toMatch(/\S+: .+/);
    expect((await publishes(' && decoded.error')).frames.map((f) => f.seq)).toEqual([all.frames[1]!.seq]);
  });

  it('has no codec layer for a JSON report', async () => {
    const r = await mosquittoPubFile(
      deviceLogin(device.id, device.secret),
      `/huawei/v1/devices/${device.id}/data/json`,
      Buffer.from('{"msgType":"deviceReq","data":[]}').toString('hex'),
    );
    expect(r.code, r.stderr).toBe(0);
    const json = await eventually(async () => {
      const l = await publishes(' && mqtt.topic contains "/data/json"');
      return l.frames[0];
    });
    const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: json.seq } });
    expect(detail.layers.map((l) => l.id)).toEqual(['frame', 'mqtt']);
    expect(detail.codec).toBeUndefined();
  });

  it('turns a frame into a codec sample that passes with the current decode as expected output', async () => {
    const c = frame.codec!;
    await call(apiRoutes.addCodecSample, {
      params: { id: c.productId },
      body: {
        direction: 'uplink',
        name: `frame ${frame.seq}`,
        hex: c.payloadHex,
        topic: c.topic,
        expected: c.message!,
      },
    });
    const run = await call(apiRoutes.runCodecSamples, { params: { id: product }, body: {} });
    const mine = run.results.find((s) => s.name === `frame ${frame.seq}`);
    expect(mine).toMatchObject({ pass: true });
  });

  it('decodes again with a new codec version', async () => {
    const active = await call(apiRoutes.getCodec, { params: { id: product } });
    const layout = await call(apiRoutes.installCodecSample, {
      params: { id: product },
      body: { name: 'water-meter', kind: 'layout' },
    });
    expect(layout.active!.version).toBeGreaterThan(active.active!.version);
    const r = await mosquittoPubFile(deviceLogin(device.id, device.secret), binaryTopic(), BASIC_REPORT);
    expect(r.code, r.stderr).toBe(0);
    const newest = await eventually(async () => {
      const l = await publishes(' && mqtt.topic contains "/data/binary"');
      return l.frames.length === 3 ? l.frames[2] : undefined;
    });
    const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: newest.seq } });
    expect(detail.codec).toMatchObject({ version: layout.active!.version, status: 'decoded' });
    expect(detail.layers.at(-1)!.title).toContain(`v${layout.active!.version}`);
  });
});

describe('CoAP / LwM2M frames at the CoAP port', () => {
  it('captures a coap-client-notls registration, decoded as an LwM2M register of the device', async () => {
    const { device: d } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'imei-coap-1' } });
    const url = `coap://127.0.0.1:${core.runtime.ports.coap}/rd?ep=imei-coap-1&lt=300&lwm2m=1.0&b=U`;
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('coap-client-notls', ['-m', 'post', '-B', '3', '-e', '</3/0>,</19/0/0>', url]);
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(status).toBe(0);
    const register = await eventually(async () => {
      const l = await call(apiRoutes.listTrafficFrames, { query: { filter: 'lwm2m.op == register' } });
      return l.frames.find((f) => f.summary.includes('ep=imei-coap-1'));
    });
    const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: register.seq } });
    expect(detail.layers.map((l) => l.id)).toEqual(['frame', 'coap', 'lwm2m']);
    expect(detail.codec).toBeUndefined();
    const created = await call(apiRoutes.listTrafficFrames, {
      query: { filter: `coap.code == 2.01 && device == "${d.deviceId}"` },
    });
    expect(created.frames).toHaveLength(1);
    expect(created.frames[0]!.direction).toBe('out');
  });

  it("decodes an LwM2M client's /19/0/0 notification with the product's codec", async () => {
    const { device: d } = await call(apiRoutes.registerDevice, { body: { productId: product, nodeId: 'imei-coap-2' } });
    const client = createLwM2mUdpClient({ clock: systemClock });
    try {
      await client.connect({ host: '127.0.0.1', port: core.runtime.ports.coap! }, 'imei-coap-2');
      await eventually(() => (client.ready?.() ? true : undefined), 10_000);
      await client.sendUplink(Buffer.from(BASIC_REPORT, 'hex'));
      const frames = await eventually(async () => {
        const l = await call(apiRoutes.listTrafficFrames, {
          query: { filter: `device == "${d.deviceId}" && decoded.currentReading == 12345.678` },
        });
        return l.frames.length ? l.frames : undefined;
      }, 10_000);
      const detail = await call(apiRoutes.getTrafficFrame, { params: { seq: frames[0]!.seq } });
      expect(detail.layers.map((l) => l.id)).toEqual(['frame', 'coap', 'lwm2m', 'codec']);
      expect(detail.codec).toMatchObject({ status: 'decoded', payloadHex: BASIC_REPORT });
      expect(detail.codec!.topic).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});

describe('stopping capture', () => {
  it('records nothing while stopped and records again once restarted', async () => {
    const stopped = await call(apiRoutes.putTrafficSettings, { body: { capturing: false } });
    expect(stopped.capturing).toBe(false);
    const before = stopped.captured;
    const r = await mosquittoPubFile(deviceLogin(device.id, device.secret), binaryTopic(), BASIC_REPORT);
    expect(r.code, r.stderr).toBe(0);
    expect((await call(apiRoutes.trafficStats)).captured).toBe(before);
    expect((await call(apiRoutes.putTrafficSettings, { body: { capturing: true } })).capturing).toBe(true);
    await mosquittoPubFile(deviceLogin(device.id, device.secret), binaryTopic(), BASIC_REPORT);
    await eventually(async () => ((await call(apiRoutes.trafficStats)).captured > before ? true : undefined));
  });
});
