// OTA: a SOTA task upgrades N simulated NB-IoT meters (in this process, cells of coverage levels 0 and 1) over PCP
// with 500-byte shards. Baseline in the same run: as many plain 500-byte /19/1/0 writes to the same meters, one
// device at a time per slot, i.e. the LwM2M downlink the shards ride on without the upgrade machinery.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createManualClock } from '../../core/clock.js';
import { createPlatform } from '../../core/platform.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_OTA_DEVICES ?? 100);
const PACKAGE_BYTES = Number(process.env.BENCH_OTA_BYTES ?? 20_000);
const SHARD = 500;
const PASS = 'Bench-Pass-2026';
const stage = (text: string) => process.env.BENCH_OTA_TRACE && console.error(`[ota bench] ${text}`);

export const benchmark: Benchmark = {
  name: `OTA: SOTA over PCP to ${DEVICES} simulated meters, ${PACKAGE_BYTES / 1000} kB in ${SHARD}-byte shards`,
  async run() {
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-ota-'));
    const clock = createManualClock(Date.now());
    const platform = createPlatform({
      dataDir,
      clock,
      apiPort: 0,
      mqttPort: 0,
      coapPort: 0,
      northboundPort: 0,
      deviceBindAddress: '127.0.0.1',
      logLevel: 'warn',
    });
    const runtime = await platform.start();
    const api = async <T>(path: string, body?: unknown, raw?: Uint8Array): Promise<T> => {
      const r = await fetch(runtime.apiUrl + path, {
        method: body === undefined && !raw ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${runtime.token}`,
          'content-type': raw ? 'application/zip' : 'application/json',
        },
        ...(raw ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    };
    try {
      const product = await api<{ id: string; model: { manufacturerName: string } }>(
        '/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice',
        {},
      );
      const key = await api<{ publicKeyPath: string }>('/api/signing/keys', {
        name: 'bench',
        algorithm: 'ecdsa-p256',
        passphrase: PASS,
      });
      await api('/api/packages/manufacturer-keys/from-file', {
        manufacturerName: product.model.manufacturerName,
        publicKeyPath: key.publicKeyPath,
      });
      const bin = join(dataDir, 'app.bin');
      writeFileSync(
        bin,
        Uint8Array.from({ length: PACKAGE_BYTES }, (_, i) => i & 0xff),
      );
      const built = await api<{ outputPath: string }>('/api/packages/build/software', {
        filePath: bin,
        version: 'SW2.0',
        deviceType: 'WaterMeter',
        manufacturerName: product.model.manufacturerName,
        model: 'NBIoTDevice',
        protocolType: 'CoAP',
        deviceShard: SHARD,
      });
      const signed = await api<{ outputPath: string }>('/api/signing/sign', {
        inputPath: built.outputPath,
        keyName: 'bench',
        passphrase: PASS,
      });
      const { readFile } = await import('node:fs/promises');
      const pkg = await api<{ id: string }>('/api/packages', undefined, await readFile(signed.outputPath));
      const fleet = await api<{ devices: { deviceId: string }[] }>('/api/simulator/lwm2m/fleets', {
        productId: product.id,
        count: DEVICES,
        firstNodeId: '863703090000001',
        intervalS: 0,
      });
      const ids = fleet.devices.map((d) => d.deviceId);
      stage('fleet started');
      for (;;) {
        const f = await api<{ fleets: { devices: { observed: string[] }[] }[] }>('/api/simulator/lwm2m/fleets');
        if (f.fleets[0]!.devices.every((d) => d.observed.includes('/19/0/0'))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      stage('fleet observed');
      const shards = Math.ceil(PACKAGE_BYTES / SHARD) * DEVICES;

      // Baseline: the same number of 500-byte downlinks, 70 devices at a time (the task's limit: 7 cells x 10).
      const payload = 'AB'.repeat(SHARD);
      const baseStart = performance.now();
      let next = 0;
      const worker = async () => {
        for (let n = next++; n < shards; n = next++) {
          await api(`/api/devices/${encodeURIComponent(ids[n % DEVICES]!)}/lwm2m/operations`, {
            op: 'write',
            path: '/19/1/0',
            payloadHex: payload,
          });
        }
      };
      await Promise.all(Array.from({ length: 70 }, worker));
      const baseMs = performance.now() - baseStart;
      stage('baseline done');

      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const task = await api<{ taskId: string }>('/api/ota/tasks', { packageId: pkg.id, deviceIds: ids });
      clock.advance(10_000);
      let cells: { cellId: string; level: string; limit: number; peak: number }[] = [];
      for (;;) {
        const t = await api<{ counts: { success: number; fail: number }; status: string }>(
          `/api/ota/tasks/${task.taskId}`,
        );
        const c = await api<{ cells: typeof cells }>(`/api/ota/tasks/${task.taskId}/cells`);
        if (c.cells.length) cells = c.cells;
        if (t.status !== 'running' && t.status !== 'waiting') {
          if (t.counts.success !== DEVICES) throw new Error(`only ${t.counts.success} of ${DEVICES} upgraded`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
        // The core's clock is manual (the task's 10 s wait is skipped): it moves as fast as the wall clock here.
        clock.advance(100);
      }
      const wallMs = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      const otaRate = (shards * 1000) / wallMs;
      const baseRate = (shards * 1000) / baseMs;
      const overLimit = cells.filter((c) => c.peak > c.limit).length;
      return {
        rows: [
          { label: 'wall time, task start to last device done', value: wallMs / 1000, unit: 's' },
          { label: 'devices upgraded per minute', value: (DEVICES * 60_000) / wallMs, unit: 'devices/min' },
          { label: 'shards served', value: otaRate, unit: 'shards/s' },
          { label: 'baseline: 500-byte /19/1/0 writes through the API', value: baseRate, unit: 'writes/s' },
          {
            label: 'process CPU per shard (core + simulated meters)',
            value: (cpu.user + cpu.system) / shards / 1000,
            unit: 'ms',
          },
          { label: 'peak RSS', value: peakRss / 1024 / 1024, unit: 'MiB' },
          ...cells.map((c) => ({
            label: `cell ${c.cellId} (level ${c.level}) most at once / limit ${c.limit}`,
            value: c.peak,
            unit: 'devices',
          })),
          { label: 'cells whose peak went above their limit', value: overLimit, unit: 'cells' },
        ],
        ratio: { label: 'OTA shards/s ÷ baseline writes/s', value: otaRate / baseRate },
      };
    } finally {
      clearInterval(sampler);
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
