// Shadow: the same QoS 1 property reports from D devices without desired values (baseline) and from D devices of
// the same product that each have a desired value their reports keep agreeing and disagreeing with (every report
// compares it and moves the mismatch time), in the same run. The devices' one desired delivery happens in a warm-up
// before the measured rounds; baseline and shadow phases alternate twice. Publishers: ingest-publishers.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlatform } from '../../core/platform.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import type { Benchmark } from './harness.js';

const DEVICES = Number(process.env.BENCH_SHADOW_DEVICES ?? 500);
const PER_CLIENT = Number(process.env.BENCH_SHADOW_MESSAGES ?? 20);
const CONCURRENCY = 16;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PhaseResult {
  perSecond: number;
  p50: number;
  p99: number;
}

function publishPhase(port: number, loginsFile: string, perClient: number): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(root, 'core/bin/run-ts.mjs'),
      join(root, 'test/bench/ingest-publishers.ts'),
      loginsFile,
      String(port),
      String(perClient),
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
  name: `Shadow: ${DEVICES} devices x ${PER_CLIENT} QoS 1 reports each checked against a desired value vs ${DEVICES} devices without`,
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'iotwb-bench-shadow-'));
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
      const product = await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', {
        method: 'POST',
        body: '{}',
      });
      const secret = (i: number) => `bench-secret-${i}`;
      const csv = Array.from({ length: DEVICES * 2 }, (_, i) => `S${i},${secret(i)}`).join('\n');
      const task = await api<{ taskId: string }>('/api/devices:batch', {
        method: 'POST',
        body: JSON.stringify({ productId: product.id, csv }),
      });
      for (;;) {
        const t = await api<{ status: string; failed: number }>(`/api/devices/tasks/${task.taskId}?rows=failed`);
        if (t.status === 'done') {
          if (t.failed) throw new Error(`${t.failed} registrations failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const ts = timestampOf(Date.now());
      const login = (i: number) => {
        const id = `${product.id}_S${i}`;
        return {
          clientId: `${id}_0_0_${ts}`,
          username: id,
          password: mqttPassword(secret(i), ts),
          topic: `$oc/devices/${id}/sys/properties/report`,
        };
      };
      const plain = Array.from({ length: DEVICES }, (_, i) => login(i));
      const shadowed = Array.from({ length: DEVICES }, (_, i) => login(DEVICES + i));
      // The publishers report switch ON and OFF in turn: every report flips the device's mismatch with desired ON.
      for (let i = 0; i < shadowed.length; i += CONCURRENCY)
        await Promise.all(
          shadowed.slice(i, i + CONCURRENCY).map((l) =>
            api(`/api/devices/${encodeURIComponent(l.username)}/shadow/desired`, {
              method: 'PUT',
              body: JSON.stringify({ services: [{ serviceId: 'Light', desired: { switch: 'ON' } }] }),
            }),
          ),
        );
      const plainFile = join(dataDir, 'plain.json');
      const shadowFile = join(dataDir, 'shadowed.json');
      writeFileSync(plainFile, JSON.stringify(plain));
      writeFileSync(shadowFile, JSON.stringify(shadowed));
      const port = runtime.ports.mqtt!;
      // Warm-up: each shadowed device connects once and gets its desired value (sys/properties/set, PUBACK).
      await publishPhase(port, shadowFile, 2);
      await publishPhase(port, plainFile, 2);
      const without: PhaseResult[] = [];
      const withShadow: PhaseResult[] = [];
      for (let round = 0; round < 2; round++) {
        without.push(await publishPhase(port, plainFile, PER_CLIENT));
        withShadow.push(await publishPhase(port, shadowFile, PER_CLIENT));
      }
      const mean = (runs: PhaseResult[], key: keyof PhaseResult) =>
        runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
      const sample = await api<{ services: { serviceId: string; desired: Record<string, { delivery: string }> }[] }>(
        `/api/devices/${encodeURIComponent(shadowed[0]!.username)}/shadow`,
      );
      const delivery = sample.services.find((s) => s.serviceId === 'Light')?.desired['switch']?.delivery;
      if (delivery !== 'delivered') throw new Error(`the desired value of a shadowed device is ${delivery}`);
      return {
        rows: [
          { label: 'no desired values: reports stored', value: mean(without, 'perSecond'), unit: 'reports/s' },
          { label: 'no desired values: publish -> stored p50', value: mean(without, 'p50'), unit: 'ms' },
          { label: 'no desired values: publish -> stored p99', value: mean(without, 'p99'), unit: 'ms' },
          {
            label: 'shadow checked and updated: reports stored',
            value: mean(withShadow, 'perSecond'),
            unit: 'reports/s',
          },
          { label: 'shadow checked and updated: publish -> stored p50', value: mean(withShadow, 'p50'), unit: 'ms' },
          { label: 'shadow checked and updated: publish -> stored p99', value: mean(withShadow, 'p99'), unit: 'ms' },
        ],
        ratio: {
          label: 'with shadow / without reports/s',
          value: mean(withShadow, 'perSecond') / mean(without, 'perSecond'),
        },
      };
    } finally {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
