// Data forwarding from a real MQTT device through the core to real targets: mosquitto (a mosquitto_sub
// subscriber asserts), RabbitMQ (an amqplib consumer asserts), an HTTP webhook (node:http), a JSON-lines file sink;
// filters; a broker down for 5 minutes then back (backlog drained, ingest unaffected); a bounded backlog; the backlog
// surviving a restart. Kafka: no Kafka-protocol broker is packaged for Debian or npm here, so the Kafka target is
// tested up to the client (it connects to a closed port and reports the client's error; nothing is faked).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type ForwardMessage, type ForwardTarget, type TargetBody } from '../../core/contract/index.js';
import { freePort, startMosquitto, startRabbitMq, type RunningBroker } from '../support/brokers.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller, deviceLogin, eventually } from '../support/device-api.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
const clock = createManualClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const dataDir = tempDir();
let core: RunningCore;
const call = contractCaller(() => core);
let mosquitto: RunningBroker;
let rabbit: RunningBroker;
let webhook: TestReceiverServer;
let device: mqtt.MqttClient;
let deviceId: string;
let secret: string;
const fileDir = join(tempDir(), 'forwarded');
const targets: Record<string, string> = {};
let closedPort: number;

async function target(name: string): Promise<ForwardTarget> {
  const { targets: list } = await call(apiRoutes.listTargets);
  const found = list.find((t) => t.name === name);
  if (!found) throw new Error(`no target ${name}`);
  return found;
}

async function report(brightness: number) {
  await device.publishAsync(
    `$oc/devices/${deviceId}/sys/properties/report`,
    JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] }),
    { qos: 1 },
  );
}

/** A mosquitto_sub process collecting the messages on a topic filter. */
function subscribe(topic: string) {
  const messages: string[] = [];
  const child = spawn(
    'mosquitto_sub',
    ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-t', topic, '-q', '1', '-v'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    messages.push(...lines);
  });
  return { messages, stop: () => child.kill() };
}

async function connectDevice() {
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${core.runtime.ports.mqtt}`, {
    ...deviceLogin(deviceId, secret, { nowMs: clock.now() }),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

beforeAll(async () => {
  [mosquitto, rabbit] = await Promise.all([startMosquitto(tempDir()), startRabbitMq(tempDir())]);
  webhook = await startReceiver();
  closedPort = await freePort();
  core = await startCore({ dataDir, clock });
  const product = await call(apiRoutes.createProductFromSample, {
    params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
  });
  const registered = await call(apiRoutes.registerDevice, { body: { productId: product.id, nodeId: 'LAMP-FWD' } });
  deviceId = registered.device.deviceId;
  secret = registered.secret;
  await connectDevice();
}, 90_000);

afterAll(async () => {
  device?.end(true);
  await core?.stop();
  await webhook?.close();
  await Promise.all([mosquitto?.stop(), rabbit?.stop()]);
});

describe('forwarding targets', () => {
  it('adds one target of each kind; their state starts empty', async () => {
    const bodies = [
      { name: 'webhook', config: { kind: 'http', url: webhook.url('/iot/data') } },
      {
        name: 'mosquitto',
        config: { kind: 'mqtt', url: mosquitto.url, topic: 'plant/{appId}/{deviceId}/{serviceId}' },
      },
      {
        name: 'rabbit',
        config: { kind: 'amqp', url: rabbit.url, exchange: 'iot', routingKey: 'data.{deviceId}', queue: 'iot-data' },
      },
      { name: 'files', config: { kind: 'file', dir: fileDir, maxBytes: 2048, maxAgeMinutes: 60 } },
      { name: 'kafka', config: { kind: 'kafka', brokers: [`127.0.0.1:${closedPort}`], topic: 'iot-{deviceId}' } },
    ] satisfies TargetBody[];
    for (const body of bodies) {
      const created = await call(apiRoutes.createTarget, { body });
      targets[body.name] = created.targetId;
      expect(created.state).toMatchObject({ connected: false, backlog: 0, drops: 0, sent: 0 });
    }
    const rule = await call(apiRoutes.createForwardRule, {
      body: { name: 'all data', source: 'data', targetIds: Object.values(targets) },
    });
    expect(rule).toMatchObject({ enabled: true, source: 'data', filter: {} });
  });

  it('forwards a report to the webhook, mosquitto, RabbitMQ and the file; Kafka keeps it with the client error', async () => {
    const sub = subscribe('plant/#');
    const connection = await amqp.connect(rabbit.url);
    const channel = await connection.createChannel();
    await channel.assertQueue('iot-data', { durable: true });
    const consumed: { routingKey: string; body: ForwardMessage }[] = [];
    await channel.consume('iot-data', (m) => {
      if (!m) return;
      consumed.push({ routingKey: m.fields.routingKey, body: JSON.parse(m.content.toString()) as ForwardMessage });
      channel.ack(m);
    });
    await new Promise((r) => setTimeout(r, 300)); // mosquitto_sub subscribed

    await report(42);
    const posted = await eventually(() => webhook.received.find((r) => r.path === '/iot/data'));
    expect(posted.json).toMatchObject({ type: 'data', deviceId, serviceId: 'Light', data: { brightness: 42 } });
    const line = await eventually(() => sub.messages[0]);
    const [topic, ...rest] = line.split(' ');
    expect(topic).toMatch(new RegExp(`^plant/[^/]+/${deviceId}/Light$`));
    expect(JSON.parse(rest.join(' '))).toMatchObject({ deviceId, data: { brightness: 42 } });
    const got = await eventually(() => consumed[0]);
    expect(got).toMatchObject({ routingKey: `data.${deviceId}`, body: { deviceId, data: { brightness: 42 } } });
    const lines = await eventually(() => {
      try {
        const text = readFileSync(join(fileDir, 'files.jsonl'), 'utf8');
        return text.trim() ? text.trim().split('\n') : undefined;
      } catch {
        return undefined;
      }
    });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ deviceId, data: { brightness: 42 } });

    for (const name of ['webhook', 'mosquitto', 'rabbit', 'files'])
      await eventually(async () => {
        const s = (await target(name)).state;
        return s.sent === 1 && s.backlog === 0 && s.connected ? s : undefined;
      });
    const kafka = await eventually(async () => {
      const t = await target('kafka');
      return t.state.lastError ? t : undefined;
    });
    expect(kafka.state).toMatchObject({ connected: false, backlog: 1, sent: 0 });
    expect(kafka.state.lastError).toMatch(/ECONNREFUSED|Connection|connect/i);
    sub.stop();
    await connection.close();
  });

  it('filters by property value, serviceId and deviceId', async () => {
    await call(apiRoutes.enableForwardRule, {
      params: { ruleId: (await call(apiRoutes.listForwardRules)).rules[0]?.ruleId ?? '' },
      body: { enabled: false },
    });
    const rule = await call(apiRoutes.createForwardRule, {
      body: {
        name: 'bright only',
        filter: { serviceId: 'Light', property: 'brightness', operator: '>', value: 50, deviceId },
        targetIds: [targets.webhook ?? ''],
      },
    });
    const mark = webhook.received.length;
    await report(10);
    await report(80);
    await report(20);
    await eventually(() => (webhook.received.length > mark ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(webhook.received.slice(mark).map((r) => (r.json.data as { brightness: number }).brightness)).toEqual([80]);
    await call(apiRoutes.deleteForwardRule, { params: { ruleId: rule.ruleId } });
  });

  it('forwards device info: status changes and info updates', async () => {
    const rule = await call(apiRoutes.createForwardRule, {
      body: { name: 'device info', source: 'deviceInfo', targetIds: [targets.webhook ?? ''] },
    });
    const mark = webhook.received.length;
    await call(apiRoutes.updateDevice, { params: { id: deviceId }, body: { name: 'Lamp 9' } });
    const updated = await eventually(() => webhook.received.slice(mark).find((r) => r.json.event === 'updated'));
    expect(updated.json).toMatchObject({ type: 'deviceInfo', deviceId, deviceInfo: { name: 'Lamp 9' } });
    device.end(true);
    // Offline after the status engine's grace period, on the platform clock.
    await eventually(
      () => webhook.received.slice(mark).find((r) => r.json.event === 'offline') ?? void clock.advance(5_000),
    );
    await connectDevice();
    await eventually(() => webhook.received.slice(mark).find((r) => r.json.event === 'online'));
    await call(apiRoutes.deleteForwardRule, { params: { ruleId: rule.ruleId } });
  });

  it('a broker down for 5 minutes: ingest goes on, the backlog holds every message and drains when it is back', async () => {
    const rule = await call(apiRoutes.createForwardRule, {
      body: { name: 'to mosquitto', targetIds: [targets.mosquitto ?? ''] },
    });
    await mosquitto.stop();
    const started = Date.now();
    for (let i = 0; i < 50; i++) await report(50 + i); // each resolves on the PUBACK: stored, not waiting on the broker
    const ingestMs = Date.now() - started;
    const down = await eventually(async () => {
      const s = (await target('mosquitto')).state;
      return s.backlog === 50 && s.lastError && !s.connected ? s : undefined;
    });
    expect(down.drops).toBe(0);
    // Five minutes of retries with back-off, all failing.
    for (let t = 0; t < 300; t += 10) {
      clock.advance(10_000);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await target('mosquitto')).state.backlog).toBe(50);
    const latest = await call(apiRoutes.latestDeviceData, { params: { id: deviceId } });
    expect(latest.services.find((s) => s.serviceId === 'Light')?.data).toMatchObject({ brightness: 99 });

    await mosquitto.restart();
    const sub = subscribe('plant/#');
    await new Promise((r) => setTimeout(r, 300));
    clock.advance(30_000);
    await eventually(async () => ((await target('mosquitto')).state.backlog === 0 ? true : undefined), 10_000);
    await eventually(() => (sub.messages.length >= 50 ? true : undefined), 10_000);
    const values = sub.messages.map(
      (l) => (JSON.parse(l.slice(l.indexOf(' ') + 1)) as ForwardMessage).data?.brightness,
    );
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    sub.stop();
    expect(ingestMs).toBeLessThan(10_000); // bounded: 50 acknowledged reports while the broker was down
    await call(apiRoutes.deleteForwardRule, { params: { ruleId: rule.ruleId } });
  });

  it('rotates the file by size and by age', async () => {
    const rule = await call(apiRoutes.createForwardRule, { body: { name: 'files', targetIds: [targets.files ?? ''] } });
    for (let i = 0; i < 30; i++) await report(i);
    await eventually(async () => ((await target('files')).state.backlog === 0 ? true : undefined));
    const bySize = readdirSync(fileDir).filter((f) => f !== 'files.jsonl');
    expect(bySize.length).toBeGreaterThan(0);
    for (const f of bySize) expect(f).toMatch(/^files-\d{8}T\d{9}Z(-\d+)?\.jsonl$/);
    const total = readdirSync(fileDir)
      .map((f) => readFileSync(join(fileDir, f), 'utf8').trim().split('\n').filter(Boolean).length)
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(1 + 30);
    const before = readdirSync(fileDir).length;
    clock.advance(61 * 60_000);
    await report(7);
    await eventually(() => (readdirSync(fileDir).length === before + 1 ? true : undefined));
    expect(readFileSync(join(fileDir, 'files.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    await call(apiRoutes.deleteForwardRule, { params: { ruleId: rule.ruleId } });
  });

  it('bounds the backlog: beyond it the oldest are dropped and counted', async () => {
    const small = await call(apiRoutes.createTarget, {
      body: { name: 'small', maxBacklog: 10, config: { kind: 'http', url: `http://127.0.0.1:${closedPort}/x` } },
    });
    const rule = await call(apiRoutes.createForwardRule, { body: { name: 'small', targetIds: [small.targetId] } });
    for (let i = 0; i < 15; i++) await report(i);
    const s = await eventually(async () => {
      const state = (await target('small')).state;
      return state.drops === 5 ? state : undefined;
    });
    expect(s).toMatchObject({ backlog: 10, drops: 5, connected: false });
    await expect(call(apiRoutes.deleteTarget, { params: { targetId: small.targetId } })).rejects.toThrow(
      /TARGET_IN_USE/,
    );
    await call(apiRoutes.deleteForwardRule, { params: { ruleId: rule.ruleId } });
  });

  it('keeps backlogs across a restart of the core', async () => {
    const before = (await target('kafka')).state.backlog;
    expect(before).toBeGreaterThan(0);
    device.end(true);
    await core.stop();
    core = await startCore({ dataDir, clock });
    const after = (await target('kafka')).state;
    expect(after.backlog).toBe(before);
    expect((await target('small')).state).toMatchObject({ backlog: 10, drops: 5 });
  });

  it('refuses garbage target and rule bodies with 400', async () => {
    for (const body of [
      {},
      { name: 'x', config: { kind: 'mqtt', url: 'http://nope' } },
      { name: 'x', config: { kind: 'kafka', brokers: ['no-port'] } },
      { name: 'x', config: { kind: 'ftp' } },
    ]) {
      const r = await core.api('/api/rules/targets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(400);
    }
    const r = await core.api('/api/rules/forwarding', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', targetIds: ['missing'] }),
    });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { code: string }).code).toBe('TARGET_NOT_FOUND');
  });
});
