// Capture on vs off in the same run, two ways. MQTT ingest (the ratio): real devices (mqtt.js in a child process,
// test/bench/ingest-publishers.ts) publish QoS 1 property reports into the full core, rounds alternating with the
// capture stopped and running. Frame ingest: a broker-like publisher takes each MQTT PUBLISH (made by mqtt-packet),
// parses it (mqtt-packet's parser), base64-encodes it and publishes the `frame` event on the bus: the capture's own
// cost per frame against the cheapest possible device handling.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqttPacket from 'mqtt-packet';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import { createEventBus } from '../../core/bus/event-bus.js';
import { createPlatform } from '../../core/platform.js';
import { systemClock } from '../../core/clock.js';
import { loadLwm2mDefinitions } from '../../core/protocols/lwm2m/lwm2m-definitions.js';
import { TrafficCapture } from '../../core/traffic/traffic-capture.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const BATCH = 2000;
const MQTT_DEVICES = Number(process.env.BENCH_CAPTURE_DEVICES ?? 200);
const MQTT_REPORTS = Number(process.env.BENCH_CAPTURE_REPORTS ?? 25);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const yieldToTimers = () => new Promise<void>((r) => setImmediate(r));

function publisher(bus: ReturnType<typeof createEventBus>) {
  let n = 0;
  let parsed = 0;
  const broker = mqttPacket.parser({ protocolVersion: 4 });
  broker.on('packet', () => parsed++);
  // Like the MQTT adapter, one set of address / device / connection strings per connection, not per frame.
  const connections = Array.from({ length: 100 }, (_, i) => ({
    peer: `127.0.0.1:${40000 + i}`,
    deviceId: `dev-${i}`,
    connectionId: `c${i}`,
  }));
  return () => {
    for (let i = 0; i < BATCH; i++, n++) {
      const bytes = mqttPacket.generate({
        cmd: 'publish',
        topic: `/huawei/v1/devices/dev-${n % 100}/data/json`,
        payload: Buffer.from(`{"msgType":"deviceReq","data":[{"serviceId":"Meter","serviceData":{"reading":${n}}}]}`),
        qos: 1,
        messageId: (n % 65535) + 1,
        retain: false,
        dup: false,
      });
      broker.parse(bytes);
      const connection = connections[n % 100]!;
      bus.publish('frame', {
        at: Date.now(),
        direction: 'in',
        transport: 'tcp',
        protocol: 'mqtt',
        local: '127.0.0.1:1883',
        peer: connection.peer,
        deviceId: connection.deviceId,
        connectionId: connection.connectionId,
        bytesBase64: bytes.toString('base64'),
      });
    }
    if (parsed !== n) throw new Error('the broker stand-in lost packets');
    return BATCH;
  };
}

/** One round of the publishers against the core: reports acknowledged (= stored) per second. */
function publishRound(port: number, loginsFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(root, 'core/bin/run-ts.mjs'),
      join(root, 'test/bench/ingest-publishers.ts'),
      loginsFile,
      String(port),
      String(MQTT_REPORTS),
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`publishers failed (${code}): ${err}`));
      resolve((JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { perSecond: number }).perSecond);
    });
  });
}

/** MQTT ingest through the full core with capture stopped vs running (PUT /api/traffic/settings capturing). */
async function mqttIngest(): Promise<{ off: number; on: number; captured: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-capture-'));
  const platform = createPlatform({
    dataDir,
    apiPort: 0,
    mqttPort: 0,
    coapPort: 0,
    northboundPort: 0,
    deviceBindAddress: '127.0.0.1',
    logLevel: 'warn',
  });
  const runtime = await platform.start();
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const r = await fetch(runtime.apiUrl + path, {
      method,
      headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  try {
    const product = await api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', 'POST', {});
    const productId = product.id as string;
    const csv = Array.from({ length: MQTT_DEVICES }, (_, i) => `N${i},bench-secret-${i}`).join('\n');
    const task = await api('/api/devices:batch', 'POST', { productId, csv });
    for (;;) {
      const t = await api(`/api/devices/tasks/${task.taskId as string}`);
      if (t.status === 'done') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ts = timestampOf(Date.now());
    const logins = Array.from({ length: MQTT_DEVICES }, (_, i) => {
      const id = `${productId}_N${i}`;
      return {
        clientId: `${id}_0_0_${ts}`,
        username: id,
        password: mqttPassword(`bench-secret-${i}`, ts),
        topic: `$oc/devices/${id}/sys/properties/report`,
      };
    });
    const loginsFile = join(dataDir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(logins));
    const port = runtime.ports.mqtt!;
    let off = 0;
    let on = 0;
    // Alternating rounds, best of each, so warm-up and machine noise do not favour one side.
    for (let round = 0; round < 3; round++) {
      await api('/api/traffic/settings', 'PUT', { capturing: false });
      off = Math.max(off, await publishRound(port, loginsFile));
      await api('/api/traffic/settings', 'PUT', { capturing: true });
      on = Math.max(on, await publishRound(port, loginsFile));
    }
    const stats = await api('/api/traffic/stats');
    return { off, on, captured: stats.captured as number };
  } finally {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: `traffic capture on vs off: MQTT ingest (${MQTT_DEVICES} devices x ${MQTT_REPORTS} QoS 1 reports) and frame ingest`,
  async run() {
    const lwm2m = loadLwm2mDefinitions();

    const offBus = createEventBus(() => {});
    const publishOff = publisher(offBus);
    const onBus = createEventBus(() => {});
    let liveSummaries = 0;
    onBus.subscribe('traffic', (e) => (liveSummaries += e.frames.length));
    const capture = new TrafficCapture({ bus: onBus, clock: systemClock, dataDir: '/nonexistent', lwm2m });
    capture.start();
    const publishOn = publisher(onBus);
    // Alternating rounds, best of each, so warm-up and machine noise do not favour one side.
    let off = 0;
    let on = 0;
    for (let round = 0; round < 3; round++) {
      off = Math.max(
        off,
        await opsPerSecond(async () => {
          const n = publishOff();
          await yieldToTimers();
          return n;
        }, 1000),
      );
      on = Math.max(
        on,
        await opsPerSecond(async () => {
          const n = publishOn();
          await yieldToTimers();
          return n;
        }, 1000),
      );
    }
    await new Promise((r) => setTimeout(r, 100));

    // First filter over a full buffer decodes every frame once (later filters reuse the decode).
    const stats = capture.stats();
    let t = performance.now();
    const filtered = capture.list({ filter: TrafficCapture.parseFilter('mqtt.topic contains "dev-7/"'), limit: 2000 });
    const firstFilterMs = performance.now() - t;
    t = performance.now();
    capture.list({ filter: TrafficCapture.parseFilter('mqtt.qos == 1 && len > 10'), limit: 2000 });
    const secondFilterMs = performance.now() - t;
    const decodable = capture.detail(stats.newestSeq!)?.layers.some((l) => l.id === 'mqtt') ?? false;
    await capture.stop();
    // The publisher's own cost of one capture: the bus call with the capture listening, nothing deferred run.
    const frame = {
      at: Date.now(),
      direction: 'in' as const,
      transport: 'tcp' as const,
      protocol: 'mqtt',
      local: '127.0.0.1:1883',
      peer: '127.0.0.1:40000',
      bytesBase64: 'MAwACHRvcGljL2FiYzEyMw==',
    };
    const spare = new TrafficCapture({
      bus: createEventBus(() => {}),
      clock: systemClock,
      dataDir: '/nonexistent',
      lwm2m,
    });
    const calls = 200_000;
    t = performance.now();
    for (let i = 0; i < calls; i++) spare.ingest(frame);
    const ingestUs = ((performance.now() - t) * 1000) / calls;
    spare.flush();
    await spare.stop();

    if (!decodable || filtered.frames.length === 0) throw new Error('captured frames did not decode');
    // After the frame ingest: the full core's heap and timers would otherwise weigh on the frame figures.
    const mqtt = await mqttIngest();

    return {
      rows: [
        { label: 'MQTT ingest, capture stopped (baseline)', value: mqtt.off, unit: 'reports/s' },
        { label: 'MQTT ingest, capture running', value: mqtt.on, unit: 'reports/s' },
        { label: 'frames captured in the running rounds', value: mqtt.captured, unit: 'frames' },
        { label: 'frame ingest, capture off (baseline)', value: off, unit: 'frames/s' },
        { label: 'frame ingest, capture on (ring + live summaries)', value: on, unit: 'frames/s' },
        { label: 'frame ingest, on as a share of off', value: (100 * on) / off, unit: '%' },
        { label: 'publisher cost of one capture (ingest call)', value: ingestUs, unit: 'µs' },
        { label: 'live summaries decoded during the run', value: liveSummaries, unit: 'frames' },
        { label: `first filter over ${stats.stored} frames`, value: firstFilterMs, unit: 'ms' },
        { label: 'second filter (decode cached)', value: secondFilterMs, unit: 'ms' },
      ],
      ratio: { label: 'MQTT ingest, capture running / stopped', value: mqtt.on / mqtt.off },
    };
  },
};
