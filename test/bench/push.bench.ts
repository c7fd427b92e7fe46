// Push: 1,000 MQTT devices report into the full pipeline with one deviceDataChanged subscriber on loopback (its own
// process, push-receiver-process.ts); the publishers are ingest.bench.ts's (ingest-publishers.ts).
// - Capacity: reports stored per second back to back, with the subscription and without it, alternating twice in
//   the same run; the ratio is the cost of pushing (target >= 0.8).
// - Latency: at a fixed offered rate, pushes delivered per second and report (scheduled send) -> push received.
// - Backlog: the receiver answers 503 while devices report at 2,000/s (BENCH_PUSH_DOWN_S seconds, 30 by default;
//   300 for the 5-minute soak): peak RSS and queue depth, then how fast the backlog drains once it answers again.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPlatform } from '../../core/platform.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_PUSH_DEVICES ?? 1000);
const PER_CLIENT = Number(process.env.BENCH_PUSH_MESSAGES ?? 10);
const OPEN_RATE = Number(process.env.BENCH_PUSH_RATE ?? 1000);
const OPEN_PER_CLIENT = Number(process.env.BENCH_PUSH_OPEN_MESSAGES ?? 8);
const DOWN_RATE = Number(process.env.BENCH_PUSH_DOWN_RATE ?? 2000);
const DOWN_S = Number(process.env.BENCH_PUSH_DOWN_S ?? 30);
const DRAIN_S = Number(process.env.BENCH_PUSH_DRAIN_S ?? 20);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runTs = join(root, 'core/bin/run-ts.mjs');

interface PhaseResult {
  perSecond: number;
  p50: number;
  p99: number;
  startEpochMs: number;
}

function publishPhase(port: number, loginsFile: string, perClient: number, rate?: number): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      runTs,
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

/** The receiver process and a way to send it a command and read its one-line answer. */
async function startReceiverProcess() {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [
    runTs,
    join(root, 'test/bench/push-receiver-process.ts'),
  ]);
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1.0.0/messageReceiver`,
    answer: (status: 200 | 503) => child.stdin.write(`answer ${status}\n`),
    async report() {
      const line = nextLine();
      child.stdin.write('report\n');
      return JSON.parse(await line) as { received: number; arrivals: [string, number, number][] };
    },
    stop: () => child.kill('SIGKILL'),
  };
}

export const benchmark: Benchmark = {
  name: `Push: ${DEVICES} devices reporting, one deviceDataChanged subscriber on loopback`,
  async run() {
    let peakRss = 0;
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-push-'));
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
    const receiver = await startReceiverProcess();
    const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
      const response = await fetch(runtime.apiUrl + path, {
        ...init,
        headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'application/json' },
      });
      return (await response.json()) as T;
    };
    try {
      const product = await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', {
        method: 'POST',
        body: '{}',
      });
      const secret = (i: number) => `bench-secret-${i}`;
      const csv = Array.from({ length: DEVICES }, (_, i) => `N${i},${secret(i)}`).join('\n');
      const task = await api<{ taskId: string }>('/api/devices:batch', {
        method: 'POST',
        body: JSON.stringify({ productId: product.id, csv }),
      });
      while ((await api<{ status: string }>(`/api/devices/tasks/${task.taskId}?rows=failed`)).status !== 'done')
        await new Promise((r) => setTimeout(r, 100));
      const ts = timestampOf(Date.now());
      const logins = Array.from({ length: DEVICES }, (_, i) => {
        const id = `${product.id}_N${i}`;
        return {
          clientId: `${id}_0_0_${ts}`,
          username: id,
          password: mqttPassword(secret(i), ts),
          topic: `$oc/devices/${id}/sys/properties/report`,
        };
      });
      const loginsFile = join(dataDir, 'bench-logins.json');
      writeFileSync(loginsFile, JSON.stringify(logins));

      const { items: apps } = await api<{ items: { appId: string }[] }>('/api/apps');
      const appId = apps[0]!.appId;
      const subscribe = () =>
        api<{ subscriptionId: string }>(`/api/apps/${appId}/subscriptions`, {
          method: 'POST',
          body: JSON.stringify({ notifyType: 'deviceDataChanged', callbackUrl: receiver.url }),
        });
      const unsubscribe = (id: string) => api(`/api/apps/${appId}/subscriptions/${id}`, { method: 'DELETE' });
      const queueDepth = async () =>
        (await api<{ urls: { url: string; queueDepth: number }[] }>(`/api/apps/${appId}/subscriptions`)).urls.find(
          (u) => u.url === receiver.url,
        )?.queueDepth ?? 0;
      const drained = async (limitMs: number) => {
        const deadline = Date.now() + limitMs;
        while ((await queueDepth()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        return queueDepth();
      };

      // Capacity with and without the subscription, alternating, after a warm-up round that is not counted (the
      // first round also pays for JIT and first connections).
      await publishPhase(runtime.ports.mqtt!, loginsFile, PER_CLIENT);
      const without: number[] = [];
      const withPush: number[] = [];
      // Each measured phase starts after the same quiet pause, so neither inherits the other's background work
      // (history merges, WAL checkpoints).
      const settle = () => new Promise((r) => setTimeout(r, 2000));
      for (let round = 0; round < 2; round++) {
        await settle();
        without.push((await publishPhase(runtime.ports.mqtt!, loginsFile, PER_CLIENT)).perSecond);
        const sub = await subscribe();
        await settle();
        withPush.push((await publishPhase(runtime.ports.mqtt!, loginsFile, PER_CLIENT)).perSecond);
        await drained(60_000);
        await unsubscribe(sub.subscriptionId);
      }
      await receiver.report();

      // Fixed offered rate: delivered pushes per second and report -> push received.
      const sub = await subscribe();
      const open = await publishPhase(runtime.ports.mqtt!, loginsFile, OPEN_PER_CLIENT, OPEN_RATE);
      const left = await drained(60_000);
      const { arrivals } = await receiver.report();
      const prefix = `${product.id}_N`;
      const latencies = arrivals
        .map(([deviceId, brightness, at]) => {
          const c = Number(deviceId.slice(prefix.length));
          const i = (((brightness - c) % 100) + 100) % 100;
          return at - (open.startEpochMs + ((i * DEVICES + c) * 1000) / OPEN_RATE);
        })
        .sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
      const lastArrival = Math.max(...arrivals.map((a) => a[2]));
      const deliveredPerSecond = arrivals.length / ((lastArrival - open.startEpochMs) / 1000);
      if (arrivals.length !== DEVICES * OPEN_PER_CLIENT || left > 0)
        throw new Error(`received ${arrivals.length} pushes of ${DEVICES * OPEN_PER_CLIENT}, ${left} still queued`);

      // Backlog: the receiver fails while devices report at DOWN_RATE.
      receiver.answer(503);
      const rssBefore = process.memoryUsage().rss;
      peakRss = rssBefore;
      sampling = true;
      const downPerClient = Math.max(1, Math.round((DOWN_RATE * DOWN_S) / DEVICES));
      const down = await publishPhase(runtime.ports.mqtt!, loginsFile, downPerClient, DOWN_RATE);
      sampling = false;
      const backlog = await queueDepth();
      receiver.answer(200);
      const drainStart = performance.now();
      await api('/api/push/urls/retry', { method: 'POST', body: JSON.stringify({ url: receiver.url }) });
      const remaining = await drained(DRAIN_S * 1000);
      const drainSeconds = (performance.now() - drainStart) / 1000;
      await unsubscribe(sub.subscriptionId);

      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return {
        rows: [
          { label: 'back to back, no subscription: reports stored', value: mean(without), unit: 'reports/s' },
          { label: 'back to back, subscribed: reports stored', value: mean(withPush), unit: 'reports/s' },
          { label: `${OPEN_RATE} reports/s offered: pushes delivered`, value: deliveredPerSecond, unit: 'pushes/s' },
          { label: `${OPEN_RATE} reports/s offered: report -> push received p50`, value: at(0.5), unit: 'ms' },
          { label: `${OPEN_RATE} reports/s offered: report -> push received p99`, value: at(0.99), unit: 'ms' },
          {
            label: `receiver 503 for ${DOWN_S} s at ${DOWN_RATE}/s: reports stored`,
            value: down.perSecond,
            unit: 'reports/s',
          },
          { label: `receiver 503 for ${DOWN_S} s: queued pushes at the end`, value: backlog, unit: 'pushes' },
          { label: `receiver 503 for ${DOWN_S} s: RSS before`, value: rssBefore / 2 ** 20, unit: 'MB' },
          { label: `receiver 503 for ${DOWN_S} s: peak RSS`, value: peakRss / 2 ** 20, unit: 'MB' },
          {
            label: `backlog drained once it answers (${drainSeconds.toFixed(0)} s)`,
            value: (backlog - remaining) / drainSeconds,
            unit: 'pushes/s',
          },
        ],
        ratio: { label: 'reports/s subscribed / not subscribed', value: mean(withPush) / mean(without) },
      };
    } finally {
      clearInterval(sampler);
      receiver.stop();
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
