// OTA (issue 16): a SOTA task upgrades N simulated NB-IoT meters over PCP with 500-byte shards of a 100 kB package,
// across cells of mixed coverage; a firmware task upgrades M virtual MQTT devices (`$ota`, HTTP download with the
// Bearer token) with the same bytes. The devices run in child processes (`iotwb simulate`), so this process's CPU is
// the core's. Baselines in the same run: 500-byte /19/1/0 writes through the API to the same meters (the downlink
// the shards ride on, without the upgrade machinery), and plain HTTP downloads of the same bytes from a bare server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createManualClock } from '../../core/clock.js';
import { apiRoutes, type OtaCell } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller } from '../support/device-api.js';
import { firmwarePackage, packageBytes, softwarePackage, trustReleaseKey } from '../support/ota-packages.js';
import { cellPlan } from './ota-bench-cells.js';
import type { Benchmark, BenchmarkResult } from './harness.js';

const PCP_DEVICES = Number(process.env.BENCH_OTA_DEVICES ?? 1_000);
const MQTT_DEVICES = Number(process.env.BENCH_OTA_MQTT_DEVICES ?? 1_000);
const PACKAGE_BYTES = Number(process.env.BENCH_OTA_BYTES ?? 100_000);
/** How long the PCP baseline writes for (it is a rate; the upgrade itself always runs to the last device). */
const BASELINE_S = Number(process.env.BENCH_OTA_BASELINE_S ?? 10);
const SHARD = 500;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stage = (text: string) => process.env.BENCH_OTA_TRACE && console.error(`[ota bench] ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU (user + system, ms) a child has used so far, from /proc; undefined where there is no /proc. */
function childCpuMs(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** `iotwb simulate …` against the core, in its own process; resolves once it has printed its first line. */
function simulate(args: string[], core: RunningCore): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'core/bin/iotwb.mjs'), 'simulate', ...args], {
    env: { ...process.env, IOTWB_CORE_URL: core.runtime.apiUrl, IOTWB_TOKEN: core.runtime.token },
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.on('close', (code) => reject(new Error(`iotwb simulate exited (${code}): ${err}`)));
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('close');
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Peak RSS of this process and of the children, sampled every 100 ms. */
function rssSampler(children: () => (ChildProcess | undefined)[]) {
  let core = 0;
  let devices = 0;
  const timer = setInterval(() => {
    core = Math.max(core, process.memoryUsage().rss);
    for (const c of children()) {
      try {
        const pages = Number(readFileSync(`/proc/${c?.pid}/statm`, 'utf8').split(' ')[1]);
        devices = Math.max(devices, pages * 4096);
      } catch {
        // not started yet, or gone
      }
    }
  }, 100);
  return { stop: () => clearInterval(timer), peaks: () => ({ core, devices }) };
}

export const benchmark: Benchmark = {
  name:
    `OTA: ${PCP_DEVICES} NB-IoT meters over PCP (${SHARD}-byte shards) and ${MQTT_DEVICES} MQTT devices over ` +
    `HTTP, ${PACKAGE_BYTES / 1000} kB package, devices in child processes`,
  async run(): Promise<BenchmarkResult> {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-ota-'));
    const clock = createManualClock(Date.now());
    const core = await startCore({ dataDir, clock });
    const call = contractCaller(() => core);
    let meters: ChildProcess | undefined;
    let mqttDevices: ChildProcess | undefined;
    const rss = rssSampler(() => [meters, mqttDevices]);
    const bare = createServer();
    try {
      const bytes = packageBytes(PACKAGE_BYTES);
      const nb = (await (
        await core.api('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as { id: string; model: { manufacturerName: string; deviceType: string; model: string } };
      const tracker = await call(apiRoutes.createProduct, {
        body: {
          deviceType: 'Tracker',
          manufacturerId: 'BenchOta',
          manufacturerName: 'BenchOta',
          model: 'TR9',
          protocolType: 'MQTT',
          services: [],
        },
      });
      await trustReleaseKey(call, nb.model.manufacturerName, 'BenchOta');
      const sw = await softwarePackage(
        core,
        call,
        dataDir,
        {
          deviceType: nb.model.deviceType,
          manufacturerName: nb.model.manufacturerName,
          model: nb.model.model,
          protocolType: 'CoAP',
        },
        { version: 'SW2.0', bytes, deviceShard: SHARD },
      );
      const fw = await firmwarePackage(
        core,
        call,
        dataDir,
        { deviceType: 'Tracker', manufacturerName: 'BenchOta', model: 'TR9', protocolType: 'MQTT' },
        { version: 'V2.0.0', bytes },
      );

      // ---- PCP ----
      const plan = cellPlan(PCP_DEVICES);
      const firstNodeId = 863703090000001;
      const meterIds = Array.from({ length: PCP_DEVICES }, (_, i) => `${nb.id}_${firstNodeId + i}`);
      meters = await simulate(
        ['--protocol', 'lwm2m', '--product', nb.id, '--count', String(PCP_DEVICES), '--rate', '0'].concat(
          ['--first-node-id', String(firstNodeId)],
          plan.flags,
        ),
        core,
      );
      const registerStart = performance.now();
      let pending = meterIds;
      while (pending.length > 0) {
        const still: string[] = [];
        for (const id of pending) {
          const r = await call(apiRoutes.getLwm2mRegistration, { params: { id } });
          if (!r.observations.some((o) => o.path === '/19/0/0')) still.push(id);
        }
        pending = still;
        if (pending.length > 0) await sleep(200);
      }
      const registerMs = performance.now() - registerStart;
      stage(`meters registered and observed in ${Math.round(registerMs)} ms`);

      // Baseline: 500-byte downlinks, as many at once as the task may upgrade at once over all its cells.
      const workers = plan.cells.reduce((n, c) => n + Math.min(c.limit, c.devices), 0);
      const payloadHex = 'AB'.repeat(SHARD);
      const baseEnd = performance.now() + BASELINE_S * 1000;
      let writes = 0;
      let next = 0;
      const baseStart = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (performance.now() < baseEnd) {
            const id = meterIds[next++ % PCP_DEVICES]!;
            await call(apiRoutes.runLwm2mOperation, {
              params: { id },
              body: { op: 'write', path: '/19/1/0', payloadHex },
            });
            writes++;
          }
        }),
      );
      const baseRate = (writes * 1000) / (performance.now() - baseStart);
      stage(`baseline: ${writes} writes`);

      const shards = Math.ceil(PACKAGE_BYTES / SHARD) * PCP_DEVICES;
      const meterCpu0 = childCpuMs(meters);
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const task = await call(apiRoutes.createOtaTask, { body: { packageId: sw.id, deviceIds: meterIds } });
      clock.advance(10_000);
      /** Per cell: the most devices seen running in a poll, and polls that saw more than the cell's limit. */
      const sampled = new Map<string, { running: number; over: number }>();
      let lastCells: OtaCell[] = [];
      for (;;) {
        const t = await call(apiRoutes.getOtaTask, { params: { taskId: task.taskId } });
        const cells = (await call(apiRoutes.listOtaCells, { params: { taskId: task.taskId } })).cells;
        if (cells.length > 0) lastCells = cells;
        for (const c of cells) {
          const s = sampled.get(c.cellId) ?? { running: 0, over: 0 };
          s.running = Math.max(s.running, c.running);
          if (c.running > c.limit) s.over++;
          sampled.set(c.cellId, s);
        }
        if (t.status !== 'running' && t.status !== 'waiting') break;
        await sleep(100);
        // The core's clock is manual (the task's 10 s wait is skipped): it moves as fast as the wall clock here.
        clock.advance(100);
      }
      const pcpMs = performance.now() - start;
      const pcpCpu = process.cpuUsage(cpu0);
      const meterCpu = (childCpuMs(meters) ?? Number.NaN) - (meterCpu0 ?? Number.NaN);
      const subs = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: task.taskId } })).items;
      const upgraded = subs.filter((s) => s.status === 'success').length;
      // Each meter's own cell and level, as planned (the groups take the fleet's devices in order).
      const plannedOf = new Map<string, string>();
      let at = 0;
      for (const g of plan.groups)
        for (let i = 0; i < g.count; i++) plannedOf.set(meterIds[at++]!, `${g.cellId}:${g.level}`);
      const misread = subs.filter((s) => plannedOf.get(s.deviceId) !== `${s.cellId}:${s.coverageLevel}`).length;
      stage(`PCP task done: ${upgraded} upgraded`);
      await stopChild(meters);

      // ---- MQTT ----
      const mqttIds = Array.from({ length: MQTT_DEVICES }, (_, i) => `${tracker.id}_bench-ota-${i + 1}`);
      mqttDevices = await simulate(
        ['--product', tracker.id, '--count', String(MQTT_DEVICES), '--rate', '0', '--prefix', 'bench-ota-'],
        core,
      );
      for (;;) {
        const counts = await call(apiRoutes.deviceCounts, { query: { productId: tracker.id } });
        if (counts.online >= MQTT_DEVICES) break;
        await sleep(200);
      }
      stage('MQTT devices online');

      // Baseline: the same bytes, as many downloads, from a bare HTTP server in this process to a child process.
      bare.on('request', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        res.end(bytes);
      });
      await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
      const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/fw.bin`;
      const rawDownloads = await new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [
          join(root, 'core/bin/run-ts.mjs'),
          join(root, 'test/bench/ota-http-downloads.ts'),
          bareUrl,
          String(MQTT_DEVICES),
          '100',
        ]);
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.on('close', (code) =>
          code === 0
            ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; bytes: number })
            : reject(new Error(`downloads exited ${code}`)),
        );
      });
      if (rawDownloads.bytes !== PACKAGE_BYTES * MQTT_DEVICES) throw new Error('the baseline downloads came up short');

      const mqttCpu0 = process.cpuUsage();
      const mqttStart = performance.now();
      const mqttTask = await call(apiRoutes.createOtaTask, { body: { packageId: fw.id, deviceIds: mqttIds } });
      clock.advance(10_000);
      for (;;) {
        const t = await call(apiRoutes.getOtaTask, { params: { taskId: mqttTask.taskId } });
        if (t.status !== 'running' && t.status !== 'waiting') break;
        await sleep(100);
        clock.advance(100);
      }
      const mqttMs = performance.now() - mqttStart;
      const mqttCpu = process.cpuUsage(mqttCpu0);
      const mqttSubs = (await call(apiRoutes.listOtaSubTasks, { params: { taskId: mqttTask.taskId } })).items;
      const mqttUpgraded = mqttSubs.filter((s) => s.status === 'success').length;
      stage(`MQTT task done: ${mqttUpgraded} upgraded`);

      const { core: coreRss, devices: devicesRss } = rss.peaks();
      const pcpRate = (shards * 1000) / pcpMs;
      const mib = (n: number) => n / 1024 / 1024;
      const overPolls = [...sampled.values()].reduce((n, s) => n + s.over, 0);
      const corePeakOver = lastCells.filter((c) => c.peak > c.limit).length;
      return {
        rows: [
          { label: `PCP: meters registered and observed`, value: registerMs / 1000, unit: 's' },
          { label: `PCP: meters upgraded (of ${PCP_DEVICES})`, value: upgraded, unit: 'devices' },
          { label: 'PCP: wall time, task start to last device done', value: pcpMs / 1000, unit: 's' },
          { label: 'PCP: shards served', value: pcpRate, unit: 'shards/s' },
          { label: `baseline: 500-byte /19/1/0 writes, ${workers} at once`, value: baseRate, unit: 'writes/s' },
          { label: 'PCP: core CPU per shard', value: (pcpCpu.user + pcpCpu.system) / 1000 / shards, unit: 'ms' },
          { label: 'PCP: simulated meters CPU per shard', value: meterCpu / shards, unit: 'ms' },
          ...plan.cells.map((c) => {
            const seen = lastCells.find((x) => x.cellId === c.cellId);
            const level = seen?.level ?? '?';
            return {
              label: `cell ${c.cellId} (${c.devices} dev, level ${level}, limit ${seen?.limit ?? '?'}) most at once`,
              value: Math.max(seen?.peak ?? 0, sampled.get(c.cellId)?.running ?? 0),
              unit: `devices${level === c.level ? '' : ` (expected level ${c.level})`}`,
            };
          }),
          { label: 'cells whose core-counted peak exceeded the limit', value: corePeakOver, unit: 'cells' },
          { label: 'polls (100 ms) seeing a cell above its limit', value: overPolls, unit: 'polls' },
          { label: 'meters given another cell/level than their radio', value: misread, unit: 'devices' },
          { label: `MQTT: devices upgraded (of ${MQTT_DEVICES})`, value: mqttUpgraded, unit: 'devices' },
          { label: 'MQTT: wall time, task start to last device done', value: mqttMs / 1000, unit: 's' },
          { label: 'MQTT: upgrades', value: (MQTT_DEVICES * 60_000) / mqttMs, unit: 'devices/min' },
          { label: 'baseline: bare HTTP downloads of the same bytes', value: rawDownloads.ms / 1000, unit: 's' },
          {
            label: 'MQTT: core CPU per device upgraded',
            value: (mqttCpu.user + mqttCpu.system) / 1000 / Math.max(1, mqttUpgraded),
            unit: 'ms',
          },
          { label: 'peak RSS, core (this process)', value: mib(coreRss), unit: 'MiB' },
          { label: 'peak RSS, one device process', value: mib(devicesRss), unit: 'MiB' },
        ],
        ratio: { label: 'PCP shards/s ÷ baseline writes/s', value: pcpRate / baseRate },
      };
    } finally {
      rss.stop();
      await stopChild(meters);
      await stopChild(mqttDevices);
      bare.close();
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
