// Scenario 4, "the upgrade that got stuck": a SOTA task upgrades 200 simulated meters over PCP. The task page shows
// 190 done, 6 waiting for their devices to come online, 4 failed with reasons (2 already latest, 2 download timeout —
// shard 37 never acknowledged); the traffic view filtered on `pcp.code == 21 && device == "…"` shows that meter
// asking for shard 37 three times and the platform's answers. The page reads in Chinese too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-ota-');
const PASS = 'Release-Pass-2026';

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let stuckMeter = '';

async function api<T = Record<string, unknown>>(path: string, body?: unknown, method?: string): Promise<T> {
  const res = await fetch(`${serve.ready.api}${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function upload(zipPath: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const res = await fetch(`${serve.ready.api}/api/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/zip' },
    body: await readFile(zipPath),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  const work = tempDir();
  // The release engineer's part (scenario 3): a product, a signed software package of 41 shards in the library.
  const product = await api<{ id: string; model: { manufacturerName: string } }>(
    '/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice',
    undefined,
    'POST',
  );
  const key = await api<{ publicKeyPath: string }>('/api/signing/keys', {
    name: 'release',
    algorithm: 'ecdsa-p256',
    passphrase: PASS,
  });
  await api('/api/packages/manufacturer-keys/from-file', {
    manufacturerName: product.model.manufacturerName,
    publicKeyPath: key.publicKeyPath,
    label: 'release',
  });
  writeFileSync(
    join(work, 'meter-app.bin'),
    Uint8Array.from({ length: 1_300 }, (_, i) => (i * 7) & 0xff),
  );
  const built = await api<{ outputPath: string }>('/api/packages/build/software', {
    filePath: join(work, 'meter-app.bin'),
    version: 'V1.1',
    deviceType: 'WaterMeter',
    manufacturerName: product.model.manufacturerName,
    model: 'NBIoTDevice',
    protocolType: 'CoAP',
    deviceShard: 32,
  });
  const signed = await api<{ outputPath: string }>('/api/signing/sign', {
    inputPath: built.outputPath,
    keyName: 'release',
    passphrase: PASS,
  });
  await upload(signed.outputPath);
  // 194 meters on the air (2 already on V1.1, 2 whose shard 37 never arrives) and 6 that are switched off.
  const fleet = await api<{ devices: { deviceId: string }[] }>('/api/simulator/lwm2m/fleets', {
    productId: product.id,
    count: 194,
    firstNodeId: '863703037000001',
    intervalS: 0,
    softwareVersion: 'V1.0',
    otaFaults: [
      { count: 2, faults: { alreadyLatest: true } },
      { count: 2, faults: { dropShard: 37 } },
      { count: 190, faults: { rsrpDbm: -80, sinrDb: 15 } },
    ],
  });
  stuckMeter = fleet.devices[2]!.deviceId;
  for (let i = 0; i < 6; i++) await api('/api/devices', { productId: product.id, nodeId: `86370303800000${i}` });
  browser = await openBrowser({ screenshotPrefix: 'upgrades' });
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

const count = (state: string) => page.getByTestId(`upgrade-count-${state}`).textContent();

describe('scenario 4: the upgrade that got stuck', { timeout: 180_000 }, () => {
  it('creates a SOTA task for every meter of the product from the Upgrades page', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Upgrades').click();
    await page.getByText('New upgrade task').waitFor({ timeout: 20_000 });
    await page.getByTestId('upgrade-package').click();
    await page.getByRole('option', { name: /V1\.1/ }).click();
    await page.getByText("Every device of the package's product").waitFor();
    await browser!.screenshot('1-create');
    await page.getByTestId('upgrade-create-submit').click();
    await expect.poll(() => count('waiting'), { timeout: 15_000 }).toBe('Waiting: 200');
  });

  it('ends with 190 done, 6 waiting for their devices and 4 failed with their reasons', async () => {
    await expect.poll(() => count('success'), { timeout: 120_000, interval: 1_000 }).toBe('Done: 190');
    await expect.poll(() => count('fail'), { timeout: 60_000, interval: 1_000 }).toBe('Failed: 4');
    expect(await count('waiting')).toBe('Waiting: 6');
    await browser!.screenshot('2-counts');

    await page.getByTestId('upgrade-status-filter').getByText('Failed').click();
    const rows = page.getByTestId('upgrade-device-row');
    await expect.poll(() => rows.count()).toBe(4);
    const reasons = await rows.getByTestId('upgrade-reason').allTextContents();
    expect(reasons.sort()).toEqual([
      'Already the latest version',
      'Already the latest version',
      'Download timeout',
      'Download timeout',
    ]);
    await expect.poll(() => rows.filter({ hasText: stuckMeter }).textContent()).toContain('last shard asked: 37');
    await browser!.screenshot('3-failed');

    await page.getByTestId('upgrade-status-filter').getByText('Waiting').click();
    await expect.poll(() => rows.count()).toBe(6);
    expect(await rows.first().textContent()).toContain('Waiting for the device to come online');
  });

  it("shows the stuck meter asking for shard 37 three times in the traffic view, and the platform's answers", async () => {
    await page.getByTestId('upgrade-status-filter').getByText('Failed').click();
    await page.getByTestId('upgrade-device-row').filter({ hasText: stuckMeter }).getByText('Show frames').click();
    await page.getByTestId('filter-input').fill(`pcp.code == 21 && device == "${stuckMeter}"`);
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.getByTestId('traffic-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(10);
    await browser!.screenshot('4-traffic-pcp-21', false);
    // Narrowed to the one shard (the list above holds every shard request and answer of the meter).
    await page.getByTestId('filter-input').fill(`pcp.code == 21 && pcp.shard == 37 && device == "${stuckMeter}"`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(6);
    expect(await rows.filter({ hasText: '[request]: V1.1, shard 37' }).count()).toBe(3);
    expect(await rows.filter({ hasText: '[reply]: shard 37, result 0' }).count()).toBe(3);
    await browser!.screenshot('5-traffic-shard-37', false);
  });

  it('asks before stopping the running task, and keeps it running when the engineer changes their mind', async () => {
    await page.getByRole('navigation').getByText('Upgrades').click();
    await expect.poll(() => page.getByTestId('upgrade-task-status').textContent()).toBe('Running');
    await page.getByTestId('upgrade-stop').click();
    const dialog = page.getByTestId('upgrade-stop-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(
      'The 6 devices not yet started are stopped: this task will not upgrade them.',
    );
    await browser!.screenshot('6-stop-confirm');
    await page.getByTestId('upgrade-stop-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('upgrade-task-status').textContent()).toBe('Running');
    expect(await count('waiting')).toBe('Waiting: 6');
  });

  it('reads the Upgrades page in Chinese', async () => {
    await page.getByRole('navigation').getByText('Upgrades').click();
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('新建升级任务').waitFor({ timeout: 20_000 });
    await page.getByTestId('upgrade-status-filter').getByText('失败').click();
    await page.getByText('下载超时').first().waitFor();
    await browser!.screenshot('7-zh');
  });

  it('stops the task once the engineer confirms (in Chinese): the 6 waiting meters end as stopped', async () => {
    await page.getByTestId('upgrade-stop').click();
    const dialog = page.getByTestId('upgrade-stop-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('尚未开始的 6 台设备将被停止');
    await browser!.screenshot('8-stop-confirm-zh');
    await dialog.getByRole('button', { name: '停止任务' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('upgrade-task-status').textContent()).toBe('已停止');
    await expect.poll(() => count('stopped')).toMatch(/6$/);
    expect(await page.getByTestId('upgrade-stop').isDisabled()).toBe(true);
    await browser!.screenshot('9-stopped-zh');
  });
});
