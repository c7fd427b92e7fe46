// Commands: D connected devices (half MQTT IoTDA, half LwM2M with the water meter layout codec) report at a fixed
// rate; commands are created through the API, one device after the other, and answered by the devices (MQTT
// sys/commands response; LwM2M ACK of the /19/1/0 write, then the codec's response frame with the mid on /19/0/0).
// Baseline in the same run: the same devices' reports for the same time without commands. Traffic capture is off in
// both phases (it is measured by its own benchmark). The devices run in a child process (commands-devices.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { apiRoutes, fillPath } from '../../core/contract/index.js';
import { createPlatform } from '../../core/platform.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_COMMANDS_DEVICES ?? 1_000);
const SECONDS = Number(process.env.BENCH_COMMANDS_SECONDS ?? 15);
/** Reports per second of each device, in both phases. */
const RATE = Number(process.env.BENCH_COMMANDS_RATE ?? 0.5);
/** API requests creating commands at once. */
const CONCURRENCY = Number(process.env.BENCH_COMMANDS_CONCURRENCY ?? 16);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const benchmark: Benchmark = {
  name: `Commands: ${DEVICES} devices (half MQTT, half LwM2M) reporting ${RATE}/s each, commands through the API for ${SECONDS} s vs the same reports without commands`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-commands-'));
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
    const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
      const r = await fetch(runtime.apiUrl + path, {
        ...init,
        headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    };
    const register = async (productId: string, csv: string) => {
      const task = await api<{ taskId: string }>('/api/devices:batch', {
        method: 'POST',
        body: JSON.stringify({ productId, csv }),
      });
      for (;;) {
        const t = await api<{ status: string; failed: number }>(`/api/devices/tasks/${task.taskId}?rows=failed`);
        if (t.status === 'done') {
          if (t.failed) throw new Error(`${t.failed} registrations failed`);
          return;
        }
        await sleep(100);
      }
    };
    let child: ReturnType<typeof spawn> | undefined;
    try {
      const light = await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', {
        method: 'POST',
        body: '{}',
      });
      const meter = await api<{ id: string }>('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', {
        method: 'POST',
        body: '{}',
      });
      const layout = readFileSync(join(root, 'resources/samples/codecs/water-meter/layout.json'), 'utf8');
      const saved = await api<{ version: number }>(fillPath(apiRoutes.saveCodecVersion.path, { id: meter.id }), {
        method: 'POST',
        body: JSON.stringify({ kind: 'layout', source: layout }),
      });
      await api(fillPath(apiRoutes.activateCodecVersion.path, { id: meter.id, version: saved.version }), {
        method: 'POST',
        body: '{}',
      });
      const mqttCount = Math.ceil(DEVICES / 2);
      const lwm2mCount = DEVICES - mqttCount;
      await register(light.id, Array.from({ length: mqttCount }, (_, i) => `L${i},bench-secret-${i}`).join('\n'));
      await register(meter.id, Array.from({ length: lwm2mCount }, (_, i) => `M${i}`).join('\n'));
      await api(apiRoutes.putTrafficSettings.path, { method: 'PUT', body: JSON.stringify({ capturing: false }) });

      const ts = timestampOf(Date.now());
      const mqttDevices = Array.from({ length: mqttCount }, (_, i) => {
        const deviceId = `${light.id}_L${i}`;
        return {
          deviceId,
          clientId: `${deviceId}_0_0_${ts}`,
          username: deviceId,
          password: mqttPassword(`bench-secret-${i}`, ts),
        };
      });
      const lwm2mEndpoints = Array.from({ length: lwm2mCount }, (_, i) => `M${i}`);
      const configFile = join(dataDir, 'devices.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          mqttPort: runtime.ports.mqtt,
          coapPort: runtime.ports.coap,
          mqtt: mqttDevices,
          lwm2m: lwm2mEndpoints,
          rate: RATE,
        }),
      );
      child = spawn(process.execPath, [
        join(root, 'core/bin/run-ts.mjs'),
        join(root, 'test/bench/commands-devices.ts'),
        configFile,
      ]);
      let err = '';
      child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      await new Promise<void>((resolve, reject) => {
        child!.stdout?.on('data', (b: Buffer) => b.toString().includes('"ready"') && resolve());
        child!.on('close', (code) => reject(new Error(`devices exited (${code}): ${err}`)));
      });
      // The MQTT devices' cached commands wait 1 s after login; reports settle into their schedule.
      await sleep(3000);

      let stored = 0;
      const offData = platform.bus.subscribe('data', () => stored++);
      const window = async (ms: number) => {
        const from = stored;
        const start = performance.now();
        await sleep(ms);
        return ((stored - from) * 1000) / (performance.now() - start);
      };
      const baseline = await window(SECONDS * 1000);

      const created = new Map<string, number>();
      const deliveredAt = new Map<string, number>();
      const successfulAt = new Map<string, number>();
      const endedOtherwise = new Set<string>();
      /** Devices with a command not yet final: each device gets its next one after the previous one's answer. */
      const busy = new Set<string>();
      const offCommands = platform.bus.subscribe('command', (e) => {
        const at = performance.now();
        if (e.status === 'DELIVERED') deliveredAt.set(e.commandId, at);
        else if (e.status === 'SUCCESSFUL') successfulAt.set(e.commandId, at);
        else if (e.status !== 'SENT' && e.status !== 'PENDING') endedOtherwise.add(e.commandId);
        if (e.status !== 'SENT' && e.status !== 'PENDING' && e.status !== 'DELIVERED') busy.delete(e.deviceId);
      });
      const targets = [
        ...mqttDevices.map((d) => ({
          deviceId: d.deviceId,
          body: { serviceId: 'Light', method: 'SET_BRIGHTNESS', paras: { value: 50 } },
        })),
        ...lwm2mEndpoints.map((e) => ({
          deviceId: `${meter.id}_${e}`,
          body: { serviceId: 'WaterMeterBasic', method: 'SET_DEVICE_LEVEL', paras: { value: 'normal' } },
        })),
      ];
      // Interleave MQTT and LwM2M devices so both kinds get commands all along.
      const order = targets.map((_, i) => targets[(i % 2) * mqttCount + Math.floor(i / 2)] ?? targets[i]!);
      let next = 0;
      let stop = false;
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (!stop) {
          let target = order[next++ % order.length]!;
          for (let tries = 0; busy.has(target.deviceId) && tries < order.length; tries++)
            target = order[next++ % order.length]!;
          if (busy.has(target.deviceId)) {
            await sleep(5);
            continue;
          }
          busy.add(target.deviceId);
          const start = performance.now();
          const command = await api<{ commandId: string }>(
            fillPath(apiRoutes.createCommand.path, { id: target.deviceId }),
            { method: 'POST', body: JSON.stringify(target.body) },
          );
          // Events of a fast device may come before the 201: latencies are computed at the end.
          created.set(command.commandId, start);
        }
      });
      const cpuBefore = process.cpuUsage();
      const withCommands = await window(SECONDS * 1000);
      const cpu = process.cpuUsage(cpuBefore);
      const windowEnd = performance.now();
      stop = true;
      await Promise.all(workers);
      const deadline = Date.now() + 15_000;
      while (successfulAt.size + endedOtherwise.size < created.size && Date.now() < deadline) await sleep(100);
      offCommands();
      offData();
      const completedInWindow = [...successfulAt.values()].filter((t) => t <= windowEnd).length;
      const since = (events: Map<string, number>) =>
        [...created].flatMap(([id, t]) => (events.has(id) ? [events.get(id)! - t] : [])).sort((a, b) => a - b);
      const delivered = since(deliveredAt);
      const successful = since(successfulAt);
      const failed = endedOtherwise.size;
      return {
        rows: [
          { label: 'reports stored without commands (baseline)', value: baseline, unit: 'reports/s' },
          { label: 'reports stored while commands flow', value: withCommands, unit: 'reports/s' },
          { label: 'commands created', value: created.size, unit: `in ${SECONDS} s` },
          { label: 'commands completed (SUCCESSFUL)', value: completedInWindow / SECONDS, unit: 'commands/s' },
          {
            label: 'commands not successful after 15 s more',
            value: created.size - successful.length,
            unit: `of ${created.size} (${failed} ended otherwise)`,
          },
          { label: 'create -> DELIVERED p50', value: percentile(delivered, 0.5), unit: 'ms' },
          { label: 'create -> DELIVERED p99', value: percentile(delivered, 0.99), unit: 'ms' },
          { label: 'create -> SUCCESSFUL p50', value: percentile(successful, 0.5), unit: 'ms' },
          { label: 'create -> SUCCESSFUL p99', value: percentile(successful, 0.99), unit: 'ms' },
          {
            label: 'core CPU while commands flow',
            value: (cpu.user + cpu.system) / 1000 / (SECONDS * 1000),
            unit: `of a CPU (${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)})`,
          },
        ],
        ratio: { label: 'ingest with commands / without (target >= 0.8)', value: withCommands / baseline },
      };
    } finally {
      child?.stdin?.end();
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
