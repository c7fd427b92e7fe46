// `iotwb simulate --protocol lwm2m` as a separate process against a running core: its meters register through
// the API, report codec-built frames on /19/0/0, and the readings land in the core's history.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller } from '../support/device-api.js';
import { useTempDirs } from '../support/temp-dir.js';
import { createWaterMeterProduct } from '../support/water-meter-product.js';

const bin = fileURLToPath(new URL('../../core/bin/iotwb.mjs', import.meta.url));
const tempDir = useTempDirs();
let core: RunningCore;
const call = contractCaller(() => core);
let meter: string;

function simulate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'simulate', '--protocol', 'lwm2m', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
  meter = (await createWaterMeterProduct(call)).id;
});

afterAll(() => core.stop());

describe('iotwb simulate --protocol lwm2m', () => {
  it('runs three meters that register, report and leave readings in the history', async () => {
    const result = await simulate([
      ...['--product', meter, '--count', '3', '--rate', '2', '--duration', '3'],
      ...['--first-node-id', '863703030009001', '--core', core.runtime.apiUrl, '--token', core.runtime.token],
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /3 of 3 LwM2M devices of \w+ registered with 127\.0\.0\.1:\d+, reporting every 0\.5 s/,
    );
    const sent = /devices sent (\d+) reports/.exec(result.stdout);
    expect(Number(sent?.[1])).toBeGreaterThanOrEqual(9);
    for (const nodeId of ['863703030009001', '863703030009002', '863703030009003']) {
      const history = await call(apiRoutes.deviceDataHistory, {
        params: { id: `${meter}_${nodeId}` },
        query: { serviceId: 'WaterMeterBasic', property: 'currentReading' },
      });
      expect(history.items.length).toBeGreaterThan(0);
    }
    // Stopping deregistered them.
    const info = await call(apiRoutes.getLwm2mRegistration, { params: { id: `${meter}_863703030009001` } });
    expect(info.registration).toBeUndefined();
  }, 60_000);

  it('says what is wrong with its arguments', async () => {
    const noCore = await simulate(['--product', meter, '--core', '', '--token', '']);
    expect(noCore.code).toBe(2);
    expect(noCore.stderr).toMatch(/--core URL and --token T/);
    const badRate = await simulate([
      '--product',
      meter,
      '--rate',
      'fast',
      '--core',
      core.runtime.apiUrl,
      '--token',
      't',
    ]);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toMatch(/--rate/);
    const unknown = await simulate([
      ...['--product', 'nope', '--core', core.runtime.apiUrl, '--token', core.runtime.token],
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no product nope/);
  }, 60_000);
});
