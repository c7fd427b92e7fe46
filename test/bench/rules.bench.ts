// Rule engine on the uplink path: K MQTT devices publish QoS 1 property reports back to back (the publishers of
// ingest.bench.ts, in their own process) into the full pipeline with no rules (the baseline), with 50 enabled
// linkage rules on the devices' product, and with a forwarding rule to an HTTP target that is down (a closed
// port). The three alternate twice in the same run; reports/s is publish -> PUBACK, i.e. stored. Rules and
// forwarding act after the ingest transaction, so the run also waits until the last firing came out and reports
// how long that took (the rule work that did not fit in the ingest time).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForwardTarget, LinkageRuleBody } from '../../core/contract/index.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import { createPlatform } from '../../core/platform.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_RULES_DEVICES ?? 300);
const PER_CLIENT = Number(process.env.BENCH_RULES_MESSAGES ?? 30);
const RULES = 50;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function publishPhase(port: number, loginsFile: string): Promise<{ perSecond: number; p99: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(root, 'core/bin/run-ts.mjs'),
      join(root, 'test/bench/ingest-publishers.ts'),
      loginsFile,
      String(port),
      String(PER_CLIENT),
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`publishers failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { perSecond: number; p99: number });
    });
  });
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

type Config = 'none' | 'rules' | 'quiet' | 'down';

export const benchmark: Benchmark = {
  name: `Rules on ingest: ${DEVICES} devices x ${PER_CLIENT} QoS 1 reports; 0 rules vs ${RULES} linkage rules vs a down target`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-rules-'));
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
    const api = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
      const response = await fetch(runtime.apiUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${runtime.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    let firings = 0;
    let lastFiringAt = 0;
    const unsubscribe = platform.bus.subscribe('rule', (event) => {
      if (event.kind !== 'firing') return;
      firings++;
      lastFiringAt = performance.now();
    });
    try {
      const product = await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', 'POST');
      const secret = (i: number) => `bench-secret-${i}`;
      const csv = Array.from({ length: DEVICES }, (_, i) => `R${i},${secret(i)}`).join('\n');
      const task = await api<{ taskId: string }>('/api/devices:batch', 'POST', { productId: product.id, csv });
      for (;;) {
        const t = await api<{ status: string; failed: number }>(`/api/devices/tasks/${task.taskId}?rows=failed`);
        if (t.status === 'done') {
          if (t.failed) throw new Error(`${t.failed} registrations failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const ts = timestampOf(Date.now());
      const logins = Array.from({ length: DEVICES }, (_, i) => {
        const id = `${product.id}_R${i}`;
        return {
          clientId: `${id}_0_0_${ts}`,
          username: id,
          password: mqttPassword(secret(i), ts),
          topic: `$oc/devices/${id}/sys/properties/report`,
        };
      });
      const loginsFile = join(dataDir, 'bench-logins.json');
      writeFileSync(loginsFile, JSON.stringify(logins));

      // 50 rules on every device of the product, thresholds 50…99 on brightness (the reports cycle 0…99), each
      // with a notification (a ruleEvent push to no subscriber) or, every fifth, an alarm.
      const ruleIds: string[] = [];
      for (let i = 0; i < RULES; i++) {
        const body: LinkageRuleBody = {
          name: `bright-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: { kind: 'product', productId: product.id },
              serviceId: 'Light',
              property: 'brightness',
              operator: '>',
              value: 50 + i,
            },
          ],
          actions:
            i % 5 === 0
              ? [{ kind: 'alarm', level: 'minor', name: `bright over ${50 + i}`, content: '' }]
              : [{ kind: 'notify', content: `brightness over ${50 + i}` }],
          enabled: false,
        };
        ruleIds.push((await api<{ ruleId: string }>('/api/rules/linkage', 'POST', body)).ruleId);
      }
      // The same 50 conditions with thresholds no report reaches: what evaluating rules costs ingest without firings.
      const quietIds: string[] = [];
      for (let i = 0; i < RULES; i++) {
        const body: LinkageRuleBody = {
          name: `quiet-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: { kind: 'product', productId: product.id },
              serviceId: 'Light',
              property: 'brightness',
              operator: '>',
              value: 1000 + i,
            },
          ],
          actions: [{ kind: 'notify', content: `never ${i}` }],
          enabled: false,
        };
        quietIds.push((await api<{ ruleId: string }>('/api/rules/linkage', 'POST', body)).ruleId);
      }
      const target = await api<ForwardTarget>('/api/rules/targets', 'POST', {
        name: 'down webhook',
        config: { kind: 'http', url: `http://127.0.0.1:${await closedPort()}/iot` },
        maxBacklog: 10_000_000,
      });
      const forward = await api<{ ruleId: string }>('/api/rules/forwarding', 'POST', {
        name: 'all data',
        targetIds: [target.targetId],
        enabled: false,
      });
      const setRules = async (enabled: boolean, ids = ruleIds) => {
        for (const ruleId of ids) await api(`/api/rules/linkage/${ruleId}/enabled`, 'PUT', { enabled });
      };
      const setForward = (enabled: boolean) =>
        api(`/api/rules/forwarding/${forward.ruleId}/enabled`, 'PUT', { enabled });

      const runs: Record<Config, number[]> = { none: [], rules: [], quiet: [], down: [] };
      const drainMs: number[] = [];
      for (let round = 0; round < 2; round++) {
        for (const config of ['none', 'rules', 'quiet', 'down'] as const) {
          if (config === 'rules') await setRules(true);
          if (config === 'quiet') await setRules(true, quietIds);
          if (config === 'down') await setForward(true);
          const before = firings;
          const phase = await publishPhase(runtime.ports.mqtt!, loginsFile);
          const acked = performance.now();
          if (config === 'rules') {
            // Firings still coming out after the last PUBACK: wait for 300 ms of quiet.
            while (performance.now() - Math.max(lastFiringAt, acked) < 300) await new Promise((r) => setTimeout(r, 50));
            if (firings === before) throw new Error('50 enabled rules fired nothing');
            drainMs.push(Math.max(0, lastFiringAt - acked));
            await setRules(false);
          }
          if (config === 'quiet') {
            if (firings !== before) throw new Error('a rule no report reaches fired');
            await setRules(false, quietIds);
          }
          if (config === 'down') await setForward(false);
          runs[config].push(phase.perSecond);
        }
      }
      const state = (await api<{ targets: ForwardTarget[] }>('/api/rules/targets')).targets[0]!.state;
      if (state.connected || state.sent !== 0) throw new Error('the down target was reachable');
      if (state.backlog + state.drops !== 2 * DEVICES * PER_CLIENT)
        throw new Error(`down target kept ${state.backlog} + dropped ${state.drops} of ${2 * DEVICES * PER_CLIENT}`);

      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const none = mean(runs.none);
      const rules = mean(runs.rules);
      const quiet = mean(runs.quiet);
      const down = mean(runs.down);
      return {
        rows: [
          { label: 'no rules, no target (baseline): reports stored', value: none, unit: 'reports/s' },
          { label: `${RULES} enabled linkage rules: reports stored`, value: rules, unit: 'reports/s' },
          { label: `${RULES} rules / baseline`, value: (100 * rules) / none, unit: '%' },
          { label: `${RULES} rules: firings (both rounds)`, value: firings, unit: 'firings' },
          { label: `${RULES} enabled rules that never fire: reports stored`, value: quiet, unit: 'reports/s' },
          { label: `${RULES} never-firing rules / baseline`, value: (100 * quiet) / none, unit: '%' },
          { label: `${RULES} rules: last firing after the last PUBACK`, value: mean(drainMs), unit: 'ms' },
          { label: 'forwarding to a down HTTP target: reports stored', value: down, unit: 'reports/s' },
          { label: 'down target / baseline', value: (100 * down) / none, unit: '%' },
          { label: 'down target: backlog kept', value: state.backlog, unit: 'messages' },
        ],
        ratio: { label: `${RULES} rules / no rules reports/s`, value: rules / none },
      };
    } finally {
      unsubscribe();
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
