// MQTT ingest: K devices publish QoS 1 property reports into the full pipeline (auth, ACL, parse, SQLite history,
// latest values, frames) vs the same publishers against a bare aedes in the same run. PUBACK comes after the commit,
// so publish -> PUBACK is publish -> stored. The publishers run in a child process (ingest-publishers.ts).
// Capacity: every client publishes back to back, bare and full alternate twice (a busy machine slows both alike).
// Latency: the clients offer a fixed rate well below capacity (open loop), as devices in the field do.
import Database from 'better-sqlite3';
import { Aedes } from 'aedes';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import { createPlatform } from '../../core/platform.js';
import type { Benchmark } from './harness.js';

const REGISTERED = Number(process.env.BENCH_INGEST_REGISTERED ?? 10_000);
const CONNECTED = Number(process.env.BENCH_INGEST_CONNECTED ?? 1_000);
const PER_CLIENT = Number(process.env.BENCH_INGEST_MESSAGES ?? 20);
const OPEN_RATE = Number(process.env.BENCH_INGEST_RATE ?? 2000);
const OPEN_PER_CLIENT = Number(process.env.BENCH_INGEST_OPEN_MESSAGES ?? 6);

interface Login {
  clientId: string;
  username: string;
  password: string;
  topic: string;
}

interface PhaseResult {
  perSecond: number;
  p50: number;
  p99: number;
  connectMs: number;
  clientRssMb: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the publishers in a child process: every client publishes its reports one after the other (QoS 1,
 * waiting for each PUBACK), all clients at once. */
function publishPhase(port: number, loginsFile: string, perClient: number, rate?: number): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(root, 'core/bin/run-ts.mjs'),
      join(root, 'test/bench/ingest-publishers.ts'),
      loginsFile,
      String(port),
      String(perClient),
      ...(rate ? [String(rate)] : []),
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`publishers failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as PhaseResult);
    });
  });
}

export const benchmark: Benchmark = {
  name: `MQTT ingest: ${CONNECTED} of ${REGISTERED} devices x ${PER_CLIENT} QoS 1 reports, full pipeline vs bare aedes`,
  async run() {
    // Peak RSS per stage: registering 10k devices by CSV is a one-off; the target is about 1k devices reporting.
    const peakRss = { registering: 0, reporting: 0 };
    let stage: keyof typeof peakRss = 'registering';
    const sampler = setInterval(() => (peakRss[stage] = Math.max(peakRss[stage], process.memoryUsage().rss)), 100);
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-ingest-'));
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
    const api = (path: string, init: RequestInit = {}) =>
      fetch(runtime.apiUrl + path, {
        ...init,
        headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      });
    try {
      const product = (await (
        await api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', { method: 'POST', body: '{}' })
      ).json()) as { id: string };
      const secret = (i: number) => `bench-secret-${i}`;
      const csv = Array.from({ length: REGISTERED }, (_, i) => `N${i},${secret(i)}`).join('\n');
      const task = (await (
        await api('/api/devices:batch', { method: 'POST', body: JSON.stringify({ productId: product.id, csv }) })
      ).json()) as { taskId: string };
      for (;;) {
        const t = (await (await api(`/api/devices/tasks/${task.taskId}?rows=failed`)).json()) as {
          status: string;
          failed: number;
        };
        if (t.status === 'done') {
          if (t.failed) throw new Error(`${t.failed} registrations failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }

      const ts = timestampOf(Date.now());
      const logins: Login[] = Array.from({ length: CONNECTED }, (_, i) => {
        const id = `${product.id}_N${i}`;
        return {
          clientId: `${id}_0_0_${ts}`,
          username: id,
          password: mqttPassword(secret(i), ts),
          topic: `$oc/devices/${id}/sys/properties/report`,
        };
      });

      // Bare aedes: same publishers, no platform logic.
      const bare = await Aedes.createBroker();
      const bareServer = createServer((s) => bare.handle(s));
      await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
      const barePort = (bareServer.address() as AddressInfo).port;
      const loginsFile = join(dataDir, 'bench-logins.json');
      writeFileSync(loginsFile, JSON.stringify(logins));

      const bareRuns: PhaseResult[] = [];
      const fullRuns: PhaseResult[] = [];
      stage = 'reporting';
      for (let round = 0; round < 2; round++) {
        bareRuns.push(await publishPhase(barePort, loginsFile, PER_CLIENT));
        fullRuns.push(await publishPhase(runtime.ports.mqtt!, loginsFile, PER_CLIENT));
      }
      await new Promise<void>((r) => bare.close(() => r()));
      await new Promise<void>((r) => bareServer.close(() => r()));
      const open = await publishPhase(runtime.ports.mqtt!, loginsFile, OPEN_PER_CLIENT, OPEN_RATE);
      const mean = (runs: PhaseResult[], key: keyof PhaseResult) =>
        runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
      const baseline = {
        perSecond: mean(bareRuns, 'perSecond'),
        p50: mean(bareRuns, 'p50'),
        p99: mean(bareRuns, 'p99'),
      };
      const full = {
        perSecond: mean(fullRuns, 'perSecond'),
        p50: mean(fullRuns, 'p50'),
        p99: mean(fullRuns, 'p99'),
        connectMs: mean(fullRuns, 'connectMs'),
      };

      const db = new Database(join(dataDir, 'workbench.db'), { readonly: true });
      const stored = (
        db
          .prepare('SELECT (SELECT COUNT(*) FROM data_history) + (SELECT COUNT(*) FROM data_history_recent) AS n')
          .get() as { n: number }
      ).n;
      db.close();
      const expected = CONNECTED * (PER_CLIENT * 2 + OPEN_PER_CLIENT) * 2;
      if (stored !== expected) throw new Error(`stored ${stored} property values, expected ${expected}`);

      return {
        rows: [
          { label: 'bare aedes, back to back: reports acknowledged', value: baseline.perSecond, unit: 'reports/s' },
          { label: 'bare aedes, back to back: publish -> PUBACK p50', value: baseline.p50, unit: 'ms' },
          { label: 'bare aedes, back to back: publish -> PUBACK p99', value: baseline.p99, unit: 'ms' },
          { label: 'full pipeline, back to back: reports stored', value: full.perSecond, unit: 'reports/s' },
          { label: 'full pipeline, back to back: publish -> stored p50', value: full.p50, unit: 'ms' },
          { label: 'full pipeline, back to back: publish -> stored p99', value: full.p99, unit: 'ms' },
          {
            label: `full pipeline at ${OPEN_RATE} reports/s offered: stored`,
            value: open.perSecond,
            unit: 'reports/s',
          },
          {
            label: `full pipeline at ${OPEN_RATE} reports/s offered: publish -> stored p50`,
            value: open.p50,
            unit: 'ms',
          },
          {
            label: `full pipeline at ${OPEN_RATE} reports/s offered: publish -> stored p99`,
            value: open.p99,
            unit: 'ms',
          },
          { label: 'property values stored and queryable', value: stored, unit: 'rows' },
          { label: 'full pipeline: connect all devices', value: full.connectMs, unit: 'ms' },
          { label: 'peak RSS while registering 10k devices by CSV', value: peakRss.registering / 2 ** 20, unit: 'MB' },
          { label: 'peak RSS while 1k devices report', value: peakRss.reporting / 2 ** 20, unit: 'MB' },
        ],
        ratio: { label: 'full pipeline / bare aedes reports/s', value: full.perSecond / baseline.perSecond },
      };
    } finally {
      clearInterval(sampler);
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
