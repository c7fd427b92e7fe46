// LwM2M server: N NB-IoT devices (a child process, one UDP socket each) register, get /19/0/0 observed, then
// each notifies M binary water meter frames (CON, one after the other) that go through the layout codec into
// SQLite history and latest values. notify -> stored is measured from the child's send to the `data` bus event.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { apiRoutes, fillPath } from '../../core/contract/index.js';
import { createPlatform } from '../../core/platform.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_LWM2M_DEVICES ?? 1_000);
const PER_DEVICE = Number(process.env.BENCH_LWM2M_MESSAGES ?? 20);
/** The traffic inspector's live decoding is measured apart: BENCH_LWM2M_CAPTURE=1 keeps capture on. */
const CAPTURE = process.env.BENCH_LWM2M_CAPTURE === '1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ChildResult {
  registerMs: number;
  observedMs: number;
  lost: number;
  retransmissions: number;
  notifyCpuMs: number;
  notifyMs: number;
  sends: [number, number][];
}

function runDevices(port: number, prefix: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(root, 'core/bin/run-ts.mjs'),
      join(root, 'test/bench/lwm2m-devices.ts'),
      String(port),
      String(DEVICES),
      String(PER_DEVICE),
      prefix,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`devices failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult);
    });
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export const benchmark: Benchmark = {
  name: `LwM2M: ${DEVICES} NB-IoT devices register, then each notifies ${PER_DEVICE} binary frames on /19/0/0 (traffic capture ${CAPTURE ? 'on' : 'off'})`,
  async run() {
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-lwm2m-'));
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
    try {
      const product = await api<{ id: string }>('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', {
        method: 'POST',
        body: '{}',
      });
      const layout = readFileSync(join(root, 'resources/samples/codecs/water-meter/layout.json'), 'utf8');
      const saved = await api<{ version: number }>(fillPath(apiRoutes.saveCodecVersion.path, { id: product.id }), {
        method: 'POST',
        body: JSON.stringify({ kind: 'layout', source: layout }),
      });
      await api(fillPath(apiRoutes.activateCodecVersion.path, { id: product.id, version: saved.version }), {
        method: 'POST',
        body: '{}',
      });
      const prefix = 'BENCH';
      const csv = Array.from({ length: DEVICES }, (_, i) => `${prefix}${i}`).join('\n');
      const task = await api<{ taskId: string }>('/api/devices:batch', {
        method: 'POST',
        body: JSON.stringify({ productId: product.id, csv }),
      });
      for (;;) {
        const t = await api<{ status: string; failed: number }>(`/api/devices/tasks/${task.taskId}`);
        if (t.status === 'done') {
          if (t.failed) throw new Error(`${t.failed} device registrations failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }

      if (!CAPTURE)
        await api(apiRoutes.putTrafficSettings.path, { method: 'PUT', body: JSON.stringify({ capturing: false }) });
      const loadBefore = loadavg()[0]!;
      const storedAt = new Map<number, number>();
      const expected = DEVICES * PER_DEVICE;
      const off = platform.bus.subscribe('data', (e) => {
        const reading = e.data.currentReading;
        if (typeof reading !== 'number') return;
        storedAt.set(Math.round(reading * 1000), performance.timeOrigin + performance.now());
      });
      const childDone = runDevices(runtime.ports.coap!, prefix);
      // The core's CPU from the first frame stored to the last (registration and observe excluded).
      let coreCpuFrom: NodeJS.CpuUsage | undefined;
      const firstStored = platform.bus.subscribe('data', () => {
        coreCpuFrom = process.cpuUsage();
        firstStored();
      });
      const child = await childDone;
      // Frames the devices gave up on may still have been stored; wait for the rest a while.
      const deadline = Date.now() + 30_000;
      while (storedAt.size < expected - child.lost && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const coreCpu = process.cpuUsage(coreCpuFrom);
      off();

      const firstSend = Math.min(...child.sends.map(([, t]) => t));
      const lastStored = Math.max(...storedAt.values());
      const latencies = child.sends
        .filter(([seq]) => storedAt.has(seq))
        .map(([seq, t]) => storedAt.get(seq)! - t)
        .sort((a, b) => a - b);
      return {
        rows: [
          { label: `register ${DEVICES} devices`, value: child.registerMs, unit: 'ms' },
          { label: 'registrations', value: (DEVICES * 1000) / child.registerMs, unit: 'registrations/s' },
          { label: `all ${DEVICES} devices observed on /19/0/0`, value: child.observedMs, unit: 'ms' },
          {
            label: 'notifications decoded and stored',
            value: (expected * 1000) / (lastStored - firstSend),
            unit: 'notifications/s',
          },
          {
            label: 'core CPU per stored notification',
            value: (coreCpu.user + coreCpu.system) / storedAt.size,
            unit: `µs (${((coreCpu.user + coreCpu.system) / 1000 / (lastStored - firstSend)).toFixed(2)} of a CPU)`,
          },
          {
            label: 'devices process CPU while notifying',
            value: child.notifyCpuMs / child.notifyMs,
            unit: 'of a CPU',
          },
          { label: 'notify -> stored p50', value: percentile(latencies, 0.5), unit: 'ms' },
          { label: 'notify -> stored p99', value: percentile(latencies, 0.99), unit: 'ms' },
          { label: 'frames stored', value: storedAt.size, unit: `of ${expected} frames` },
          {
            label: 'CON retransmissions by the devices (answers late)',
            value: child.retransmissions,
            unit: 'messages',
          },
          { label: 'messages the devices gave up on', value: child.lost, unit: 'messages' },
          {
            label: '1-min load average before / after',
            value: loadBefore,
            unit: `/ ${loadavg()[0]!.toFixed(1)} (${cpus().length} CPUs)`,
          },
          { label: 'peak RSS of the core process', value: peakRss / 1024 / 1024, unit: 'MB' },
        ],
      };
    } finally {
      clearInterval(sampler);
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
