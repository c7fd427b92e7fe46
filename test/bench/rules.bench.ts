// The rule engine on the uplink path, as the issue sizes it: K MQTT devices (1,000 by default) publish QoS 1 property
// reports back to back (the publishers of ingest.bench.ts, in their own process) into the full pipeline with
//   none: no rules, no forwarding (the baseline);
//   rules: 100 enabled linkage rules (product, device and group conditions, a delayed trigger; notifications,
//          alarms and commands), many of them firing;
//   full: the same 100 rules and a forwarding rule to 3 live targets: an HTTP receiver (its own process), Debian's
//         mosquitto (read by mosquitto_sub) and a file sink;
//   down: forwarding to an HTTP target that is down (a closed port) and nothing else.
// The four alternate twice in the same run; reports/s is publish -> PUBACK, i.e. stored. Firing latency is from the
// report's transaction (the firing's triggerTime) to the firing's actions done; each target's messages/s is what it
// took from the start of the phase until its backlog was empty, checked against what the real receivers got.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForwardTarget, LinkageRuleBody } from '../../core/contract/index.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import { createPlatform } from '../../core/platform.js';
import { startMosquitto } from '../support/brokers.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_RULES_DEVICES ?? 1000);
const PER_CLIENT = Number(process.env.BENCH_RULES_MESSAGES ?? 20);
const RULES = 100;
const GROUP_SIZE = Math.min(100, DEVICES);
const ROUNDS = Number(process.env.BENCH_RULES_ROUNDS ?? 2);
const CONFIGS = (process.env.BENCH_RULES_CONFIGS ?? 'none,rules,full,down').split(',');

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

/** A child process of this repository, its stdout lines handed to `onLine`. */
function child(args: string[], onLine: (line: string) => void) {
  const c = spawn(process.execPath, [join(root, 'core/bin/run-ts.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  c.stdout.on('data', (b: Buffer) => {
    buffered += b.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  return c;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Config = 'none' | 'rules' | 'full' | 'down';

export const benchmark: Benchmark = {
  name: `Rules on ingest: ${DEVICES} devices x ${PER_CLIENT} QoS 1 reports; none vs ${RULES} linkage rules vs rules + 3 live forwarding targets vs a down target`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-rules-'));
    const brokerDir = join(dataDir, 'mosquitto');
    mkdirSync(brokerDir);
    const broker = await startMosquitto(brokerDir);
    const mqttFile = join(dataDir, 'mosquitto-sub.txt');
    const subscriber = spawn('sh', ['-c', `exec mosquitto_sub -p ${broker.port} -q 1 -t 'bench/#' > '${mqttFile}'`]);
    let receiverPort = 0;
    let received = -1;
    const receiver = child(['test/bench/push-receiver-process.ts'], (line) => {
      const parsed = JSON.parse(line) as { port?: number; received?: number };
      if (parsed.port) receiverPort = parsed.port;
      if (parsed.received !== undefined) received = parsed.received;
    });
    while (!receiverPort) await sleep(50);
    const receiverCount = async () => {
      received = -1;
      receiver.stdin.write('report\n');
      while (received < 0) await sleep(20);
      return received;
    };
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
    let latencies: number[] = [];
    const unsubscribe = platform.bus.subscribe('rule', (event) => {
      if (event.kind !== 'firing' || !event.triggerTime) return;
      firings++;
      lastFiringAt = performance.now();
      latencies.push(Date.now() - Date.parse(event.triggerTime));
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
        await sleep(100);
      }
      const deviceId = (i: number) => `${product.id}_R${i}`;
      const ts = timestampOf(Date.now());
      const logins = Array.from({ length: DEVICES }, (_, i) => ({
        clientId: `${deviceId(i)}_0_0_${ts}`,
        username: deviceId(i),
        password: mqttPassword(secret(i), ts),
        topic: `$oc/devices/${deviceId(i)}/sys/properties/report`,
      }));
      const loginsFile = join(dataDir, 'bench-logins.json');
      writeFileSync(loginsFile, JSON.stringify(logins));
      const group = await api<{ id: string }>('/api/groups', 'POST', {
        name: 'bench-east',
        deviceIds: Array.from({ length: GROUP_SIZE }, (_, i) => deviceId(i)),
      });

      // 100 rules, as a site would have them (the reports' brightness sweeps 0…99, switch flips each report):
      //  60 on every device of the product, thresholds 40…99, a notification (every fifth an alarm);
      //  20 on the product that no report reaches (what evaluating costs without firings);
      //  10 on one device each, brightness 99 sends that device a command;
      //  10 on the group, switch ON held for 5 minutes (a delayed trigger that never comes due here).
      const bodies: LinkageRuleBody[] = [];
      const productScope = { kind: 'product' as const, productId: product.id };
      for (let i = 0; i < 60; i++)
        bodies.push({
          name: `bright-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: productScope,
              serviceId: 'Light',
              property: 'brightness',
              operator: '>',
              value: 40 + i,
            },
          ],
          actions:
            i % 5 === 0
              ? [{ kind: 'alarm', level: 'minor', name: `bright over ${40 + i}`, content: '' }]
              : [{ kind: 'notify', content: `brightness over ${40 + i}` }],
          enabled: false,
        });
      for (let i = 0; i < 20; i++)
        bodies.push({
          name: `quiet-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: productScope,
              serviceId: 'Light',
              property: 'brightness',
              operator: '>=',
              value: 1000 + i,
            },
          ],
          actions: [{ kind: 'notify', content: `never ${i}` }],
          enabled: false,
        });
      for (let i = 0; i < 10; i++)
        bodies.push({
          name: `device-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: { kind: 'device', deviceId: deviceId(i) },
              serviceId: 'Light',
              property: 'brightness',
              operator: '==',
              value: 99,
            },
          ],
          actions: [
            {
              kind: 'command',
              deviceId: deviceId(i),
              serviceId: 'Light',
              method: 'SET_BRIGHTNESS',
              paras: { value: 50 },
            },
          ],
          enabled: false,
        });
      for (let i = 0; i < 10; i++)
        bodies.push({
          name: `group-${i}`,
          conditions: [
            {
              kind: 'property',
              scope: { kind: 'group', groupId: group.id },
              serviceId: 'Light',
              property: 'switch',
              operator: '==',
              value: 'ON',
              holdMinutes: 5 + i,
            },
          ],
          actions: [{ kind: 'notify', content: `on for ${5 + i} minutes` }],
          enabled: false,
        });
      const ruleIds: string[] = [];
      for (const body of bodies)
        ruleIds.push((await api<{ ruleId: string }>('/api/rules/linkage', 'POST', body)).ruleId);

      const live = [
        await api<ForwardTarget>('/api/rules/targets', 'POST', {
          name: 'webhook',
          config: { kind: 'http', url: `http://127.0.0.1:${receiverPort}/iot` },
          maxBacklog: 10_000_000,
        }),
        await api<ForwardTarget>('/api/rules/targets', 'POST', {
          name: 'mosquitto',
          config: { kind: 'mqtt', url: broker.url, topic: 'bench/{deviceId}', qos: 1 },
          maxBacklog: 10_000_000,
        }),
        await api<ForwardTarget>('/api/rules/targets', 'POST', {
          name: 'files',
          config: { kind: 'file', dir: 'bench-forward' },
          maxBacklog: 10_000_000,
        }),
      ];
      const down = await api<ForwardTarget>('/api/rules/targets', 'POST', {
        name: 'down webhook',
        config: { kind: 'http', url: `http://127.0.0.1:${await closedPort()}/iot` },
        maxBacklog: 10_000_000,
      });
      const forwardLive = await api<{ ruleId: string }>('/api/rules/forwarding', 'POST', {
        name: 'all data, live',
        targetIds: live.map((t) => t.targetId),
        enabled: false,
      });
      const forwardDown = await api<{ ruleId: string }>('/api/rules/forwarding', 'POST', {
        name: 'all data, down',
        targetIds: [down.targetId],
        enabled: false,
      });
      const setRules = async (enabled: boolean) => {
        for (const ruleId of ruleIds) await api(`/api/rules/linkage/${ruleId}/enabled`, 'PUT', { enabled });
      };
      const setForward = (ruleId: string, enabled: boolean) =>
        api(`/api/rules/forwarding/${ruleId}/enabled`, 'PUT', { enabled });
      const targetStates = async () =>
        new Map(
          (await api<{ targets: ForwardTarget[] }>('/api/rules/targets')).targets.map((t) => [t.targetId, t.state]),
        );

      const reports = DEVICES * PER_CLIENT;
      const runs: Record<Config, number[]> = { none: [], rules: [], full: [], down: [] };
      const firingRuns: number[] = [];
      const allLatencies: number[] = [];
      const perTarget = new Map<string, number[]>(live.map((t) => [t.targetId, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const config of ['none', 'rules', 'full', 'down'] as const) {
          if (!CONFIGS.includes(config)) continue;
          if (config === 'rules' || config === 'full') await setRules(true);
          if (config === 'full') await setForward(forwardLive.ruleId, true);
          if (config === 'down') await setForward(forwardDown.ruleId, true);
          const sentBefore = await targetStates();
          const firingsBefore = firings;
          latencies = [];
          const started = performance.now();
          const phase = await publishPhase(runtime.ports.mqtt!, loginsFile);
          runs[config].push(phase.perSecond);
          if (config === 'rules' || config === 'full') {
            // Firings still coming out after the last PUBACK: wait for 300 ms of quiet.
            while (performance.now() - Math.max(lastFiringAt, started) < 300) await sleep(50);
            if (firings === firingsBefore) throw new Error('100 enabled rules fired nothing');
            firingRuns.push(firings - firingsBefore);
            allLatencies.push(...latencies);
            await setRules(false);
          }
          if (config === 'full') {
            // Each live target's backlog empties: the time it took from the phase's first report.
            const pending = new Set(live.map((t) => t.targetId));
            while (pending.size > 0) {
              const states = await targetStates();
              for (const id of [...pending]) {
                const state = states.get(id)!;
                if (state.sent - sentBefore.get(id)!.sent >= reports && state.backlog === 0) {
                  perTarget.get(id)!.push((1000 * reports) / (performance.now() - started));
                  pending.delete(id);
                }
              }
              if (performance.now() - started > 600_000) throw new Error('a live target did not drain in 10 minutes');
              await sleep(50);
            }
            await setForward(forwardLive.ruleId, false);
          }
          if (config === 'down') await setForward(forwardDown.ruleId, false);
        }
      }
      // What the real receivers got: every forwarded message, at least once.
      const expected = CONFIGS.includes('full') ? ROUNDS * reports : 0;
      const expectedDown = CONFIGS.includes('down') ? ROUNDS * reports : 0;
      const httpGot = await receiverCount();
      await sleep(500);
      const mqttGot = readFileSync(mqttFile, 'utf8').split('\n').filter(Boolean).length;
      const fileDir = join(dataDir, 'bench-forward');
      const fileGot = (existsSync(fileDir) ? readdirSync(fileDir) : [])
        .map((f) => readFileSync(join(fileDir, f), 'utf8').split('\n').filter(Boolean).length)
        .reduce((a, b) => a + b, 0);
      for (const [what, got] of [
        ['HTTP receiver', httpGot],
        ['mosquitto_sub', mqttGot],
        ['file sink', fileGot],
      ] as const)
        if (got < expected) throw new Error(`${what} got ${got} of ${expected} forwarded messages`);
      const downState = (await targetStates()).get(down.targetId)!;
      if (downState.connected || downState.sent !== 0) throw new Error('the down target was reachable');
      if (downState.backlog + downState.drops !== expectedDown)
        throw new Error(`down target kept ${downState.backlog} + dropped ${downState.drops} of ${expectedDown}`);

      const none = mean(runs.none);
      const rules = mean(runs.rules);
      const full = mean(runs.full);
      const downRate = mean(runs.down);
      return {
        rows: [
          { label: 'no rules, no target (baseline): reports stored', value: none, unit: 'reports/s' },
          { label: `${RULES} enabled linkage rules: reports stored`, value: rules, unit: 'reports/s' },
          { label: `${RULES} rules / baseline`, value: (100 * rules) / none, unit: '%' },
          { label: `${RULES} rules: firings per phase`, value: mean(firingRuns), unit: 'firings' },
          { label: `${RULES} rules: firing latency p50`, value: percentile(allLatencies, 50), unit: 'ms' },
          { label: `${RULES} rules: firing latency p99`, value: percentile(allLatencies, 99), unit: 'ms' },
          { label: `${RULES} rules + 3 live targets: reports stored`, value: full, unit: 'reports/s' },
          { label: `${RULES} rules + 3 live targets / baseline`, value: (100 * full) / none, unit: '%' },
          ...live.map((t) => ({
            label: `forwarded to ${t.name} (${t.config.kind})`,
            value: mean(perTarget.get(t.targetId)!),
            unit: 'msgs/s',
          })),
          { label: 'forwarding to a down HTTP target: reports stored', value: downRate, unit: 'reports/s' },
          { label: 'down target / baseline', value: (100 * downRate) / none, unit: '%' },
          { label: 'down target: backlog kept', value: downState.backlog, unit: 'messages' },
        ],
        ratio: { label: `${RULES} rules + 3 targets / no rules reports/s`, value: full / none },
      };
    } finally {
      unsubscribe();
      await platform.stop();
      receiver.stdin.write('exit\n');
      subscriber.kill();
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
