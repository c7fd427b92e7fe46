// A release engineer's SOTA rollout with app confirm to six simulated meters, from the UI only: faults injected on
// the NB-IoT simulator card (one meter already on the target version, a share of the fleet on low battery), the
// task created with app confirm, one meter confirmed from its device page (which updates live), the rest with
// "confirm all waiting"; then a meter's upgrade history with its timeline and the frames behind a PCP step. In
// English and in Chinese.
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-ota-device-');
const PASS = 'Release-Pass-2026';

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let meters: string[] = [];

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

beforeAll(async () => {
  serve = await startServe(tempDir());
  const work = tempDir();
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
    Uint8Array.from({ length: 640 }, (_, i) => (i * 13) & 0xff),
  );
  const built = await api<{ outputPath: string }>('/api/packages/build/software', {
    filePath: join(work, 'meter-app.bin'),
    version: 'V1.1',
    deviceType: 'WaterMeter',
    manufacturerName: product.model.manufacturerName,
    model: 'NBIoTDevice',
    protocolType: 'CoAP',
    deviceShard: 64,
  });
  const signed = await api<{ outputPath: string }>('/api/signing/sign', {
    inputPath: built.outputPath,
    keyName: 'release',
    passphrase: PASS,
  });
  const res = await fetch(`${serve.ready.api}/api/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/zip' },
    body: await readFile(signed.outputPath),
  });
  expect(res.status).toBe(201);
  // Six meters on the air, no fault yet: the faults come from the UI.
  const fleet = await api<{ devices: { deviceId: string }[] }>('/api/simulator/lwm2m/fleets', {
    productId: product.id,
    count: 6,
    firstNodeId: '863703039000001',
    intervalS: 0,
    softwareVersion: 'V1.0',
  });
  meters = fleet.devices.map((d) => d.deviceId);
  browser = await openBrowser({ screenshotPrefix: 'upgrades-device' });
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

const meter = (i: number) => meters[i]!;
// The first visit took the token from the `serve` URL into the tab's session; later visits open pages directly.
const devicePage = (id: string, tab: string) =>
  page.goto(`${new URL(serve.ready.ui).origin}/devices/${encodeURIComponent(id)}?tab=${tab}`);
const count = (state: string) => page.getByTestId(`upgrade-count-${state}`).textContent();

async function openFaults() {
  await page.getByTestId('sim-ota-faults-toggle').click();
  await page.getByTestId('ota-faults-form').waitFor();
}

describe('a SOTA rollout with app confirm, driven from the UI', { timeout: 180_000 }, () => {
  it('injects "already latest" on one meter from its simulator card', async () => {
    await page.goto(serve.ready.ui);
    await devicePage(meter(0), 'lwm2m');
    await page.getByTestId('sim-versions').filter({ hasText: 'software V1.0' }).waitFor({ timeout: 20_000 });
    await openFaults();
    await page.getByTestId('ota-fault-alreadyLatest').check();
    await page.getByTestId('ota-fault-apply').click();
    await expect.poll(() => page.getByTestId('ota-fault-outcome').textContent()).toBe('Faults set on 1 device.');
  });

  it('puts a share of the fleet on low battery: a third of it from the second meter on', async () => {
    await devicePage(meter(1), 'lwm2m');
    await openFaults();
    await page.getByTestId('ota-fault-lowBattery').check();
    await page.getByTestId('ota-fault-coverage').click();
    await page.getByRole('option', { name: /^Level 1/ }).click();
    await page.getByTestId('ota-fault-scope').getByText('A share of its fleet').click();
    await page.getByTestId('ota-fault-percent').fill('33');
    await page.getByLabel('From device #').fill('2');
    await expect.poll(() => page.getByTestId('ota-fault-range').textContent()).toBe("Devices #2–#3 of the fleet's 6.");
    await browser!.screenshot('1-faults');
    await page.getByTestId('ota-fault-apply').click();
    await expect.poll(() => page.getByTestId('ota-fault-outcome').textContent()).toBe('Faults set on 2 devices.');
  });

  it('creates the task with app confirm, a rollout rate and an abort threshold', async () => {
    await page.getByRole('navigation').getByText('Upgrades').click();
    await page.getByText('New upgrade task').waitFor({ timeout: 20_000 });
    await page.getByTestId('upgrade-package').click();
    await page.getByRole('option', { name: /V1\.1/ }).click();
    await page.getByTestId('upgrade-app-confirm').check();
    await page.getByTestId('upgrade-rate').fill('600');
    await page.getByTestId('upgrade-abort-percent').fill('80');
    await browser!.screenshot('2-create');
    await page.getByTestId('upgrade-create-submit').click();
    await expect
      .poll(() => page.getByTestId('upgrade-policy').textContent(), { timeout: 15_000 })
      .toContain('600 devices started per minute');
    expect(await page.getByTestId('upgrade-policy').textContent()).toContain('app confirm');
    await expect.poll(() => count('fail'), { timeout: 60_000, interval: 500 }).toBe('Failed: 3');
    await expect
      .poll(() => page.getByTestId('upgrade-confirm-bar').textContent(), { timeout: 60_000, interval: 500 })
      .toContain('3 devices downloaded the package and wait for your confirm');
    const rows = page.getByTestId('upgrade-device-row');
    expect(await rows.getByTestId('upgrade-confirm').count()).toBe(3);
    const reasons = await rows.getByTestId('upgrade-reason').allTextContents();
    expect(reasons.filter((r) => r === 'Low battery')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'Already the latest version')).toHaveLength(1);
    expect(reasons.filter((r) => r === 'Waiting for the app to confirm')).toHaveLength(3);
    await browser!.screenshot('3-waiting-confirm');
  });

  it('confirms one meter from its device page, whose upgrade history changes live', async () => {
    await devicePage(meter(3), 'upgrades');
    const row = page.getByTestId('device-upgrade-row');
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('Waiting for the app to confirm');
    expect(await row.getByTestId('device-upgrade-versions').textContent()).toBe('V1.0 → V1.1');
    await row.getByTestId('upgrade-confirm').click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('success');
    expect(await row.textContent()).toContain('Upgraded');
    expect(await row.getByTestId('upgrade-confirm').count()).toBe(0);
  });

  it('opens the history entry into its timeline, whose PCP 21 line links to that shard request in the traffic view', async () => {
    await page.getByTestId('device-upgrade-row').click();
    const entries = page.getByTestId('upgrade-timeline-entry');
    await expect.poll(() => entries.count()).toBeGreaterThan(5);
    const texts = await entries.allTextContents();
    expect(texts.some((t) => t.includes('app confirmed the upgrade'))).toBe(true);
    expect(texts.some((t) => t.includes('now running V1.1'))).toBe(true);
    await browser!.screenshot('4-history-timeline');
    await entries.filter({ hasText: 'PCP 21 first shard asked: 0' }).getByTestId('upgrade-timeline-frames').click();
    await expect
      .poll(() => page.getByTestId('filter-input').inputValue())
      .toBe(`device == "${meter(3)}" && pcp.code == 21 && pcp.shard == 0`);
    const frames = page.getByTestId('traffic-row');
    await expect.poll(() => frames.count(), { timeout: 15_000 }).toBe(2);
    expect(await frames.filter({ hasText: 'shard 0' }).count()).toBe(2);
    await browser!.screenshot('5-timeline-frames', false);
  });

  it('confirms the other waiting meters at once from the task view', async () => {
    await page.getByRole('navigation').getByText('Upgrades').click();
    const all = page.getByTestId('upgrade-confirm-all');
    await expect.poll(() => all.textContent(), { timeout: 20_000 }).toBe('Confirm all waiting (2)');
    await all.click();
    await expect.poll(() => count('success'), { timeout: 60_000, interval: 500 }).toBe('Done: 3');
    expect(await count('fail')).toBe('Failed: 3');
    expect(await all.isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('upgrade-task-status').textContent()).toBe('Failed');
  });

  it("shows a failed meter's reason in its own history", async () => {
    await devicePage(meter(0), 'upgrades');
    const row = page.getByTestId('device-upgrade-row');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('fail');
    expect(await row.getByTestId('device-upgrade-reason').textContent()).toBe('Already the latest version');
  });

  it('reads the history, the task view and the fault form in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await devicePage(meter(3), 'upgrades');
    await page.getByText('升级历史').waitFor({ timeout: 20_000 });
    await page.getByTestId('device-upgrade-row').click();
    await page.getByTestId('upgrade-timeline-entry').first().waitFor();
    await browser!.screenshot('6-zh-history');
    await page.getByRole('navigation').getByText('升级').click();
    await page.getByText('新建升级任务').waitFor({ timeout: 20_000 });
    await page.getByTestId('upgrade-status-filter').getByText('失败').click();
    await page.getByText('电量低').first().waitFor();
    await browser!.screenshot('7-zh-task');
    await devicePage(meter(1), 'lwm2m');
    await openFaults();
    await page.getByTestId('ota-fault-scope').getByText('所在设备组的一部分').click();
    await browser!.screenshot('8-zh-faults');
  });
});
