// A tracker maker checks how its MQTT `$ota` upgrade copes with bad devices, from the UI only: four virtual MQTT
// devices run; on the first one's Simulator tab the engineer marks it busy, then marks half of its simulation (from
// the third device on) as failing the package check — the form has no radio fields for MQTT devices. A firmware task
// from the Upgrades page then ends with one device done, one "Device busy" and two "Package check failed". In English
// and in Chinese.
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-ota-mqtt-');
const PASS = 'Release-Pass-2026';

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let trackers: string[] = [];

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
  const product = await api<{ id: string }>('/api/products', {
    deviceType: 'Tracker',
    manufacturerId: 'TrackCo',
    manufacturerName: 'TrackCo',
    model: 'TR7',
    protocolType: 'MQTT',
    services: [],
  });
  const key = await api<{ publicKeyPath: string }>('/api/signing/keys', {
    name: 'release',
    algorithm: 'ecdsa-p256',
    passphrase: PASS,
  });
  await api('/api/packages/manufacturer-keys/from-file', {
    manufacturerName: 'TrackCo',
    publicKeyPath: key.publicKeyPath,
    label: 'release',
  });
  writeFileSync(
    join(work, 'tracker-fw.bin'),
    Uint8Array.from({ length: 6_000 }, (_, i) => (i * 11) & 0xff),
  );
  const built = await api<{ outputPath: string }>('/api/packages/build/firmware', {
    binPath: join(work, 'tracker-fw.bin'),
    outputPath: join(work, 'tracker-fw.zip'),
  });
  const signed = await api<{ outputPath: string }>('/api/signing/sign', {
    inputPath: built.outputPath,
    keyName: 'release',
    passphrase: PASS,
  });
  const q = new URLSearchParams({
    version: 'V2.0.0',
    deviceType: 'Tracker',
    manufacturerName: 'TrackCo',
    model: 'TR7',
    protocolType: 'MQTT',
  });
  const res = await fetch(`${serve.ready.api}/api/packages?${q.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/zip' },
    body: await readFile(signed.outputPath),
  });
  expect(res.status).toBe(201);
  const sim = await api<{ connected: number }>('/api/simulator/mqtt', {
    productId: product.id,
    count: 4,
    rate: 0,
    nodeIdPrefix: 'trk-',
  });
  expect(sim.connected).toBe(4);
  trackers = Array.from({ length: 4 }, (_, i) => `${product.id}_trk-${i + 1}`);
  browser = await openBrowser({ screenshotPrefix: 'upgrades-mqtt-faults' });
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

// The first visit took the token from the `serve` URL into the tab's session; later visits open pages directly.
const devicePage = (id: string, tab: string) =>
  page.goto(`${new URL(serve.ready.ui).origin}/devices/${encodeURIComponent(id)}?tab=${tab}`);
const faultsOf = async (id: string) =>
  (await api<{ otaFaults: Record<string, unknown> }>(`/api/simulator/mqtt/devices/${encodeURIComponent(id)}`))
    .otaFaults;

describe('MQTT upgrade faults from the UI', { timeout: 120_000 }, () => {
  it('marks one virtual device busy from its Simulator tab, which shows its $ota side and no radio fields', async () => {
    await page.goto(serve.ready.ui);
    await devicePage(trackers[0]!, 'simulator');
    const card = page.getByTestId('virtual-mqtt-device');
    await card.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.getByTestId('virtual-mqtt-device-state').textContent())
      .toContain('Reports firmware V1.0.0, software SW1.0.0');
    expect(await card.getByTestId('ota-fault-coverage').count()).toBe(0);
    expect(await card.getByTestId('ota-fault-cell').count()).toBe(0);
    expect(await card.textContent()).toContain('This KiB of the download never arrives');
    await card.getByTestId('ota-fault-busy').check();
    await card.getByTestId('ota-fault-apply').click();
    await expect.poll(() => card.getByTestId('ota-fault-outcome').textContent()).toBe('Faults set on 1 device.');
    await expect
      .poll(() => page.getByTestId('virtual-mqtt-device-state').textContent())
      .toContain('Upgrade faults: Busy.');
    expect(await faultsOf(trackers[0]!)).toEqual({ busy: true });
  });

  it('makes half of the simulation, from the third device on, fail the package check', async () => {
    const card = page.getByTestId('virtual-mqtt-device');
    await card.getByTestId('ota-fault-busy').uncheck();
    await card.getByTestId('ota-fault-checkFailed').check();
    await card.getByTestId('ota-fault-scope').getByText('A share of its fleet').click();
    await card.getByTestId('ota-fault-percent').fill('50');
    await card.getByLabel('From device #').fill('3');
    await expect.poll(() => card.getByTestId('ota-fault-range').textContent()).toBe("Devices #3–#4 of the fleet's 4.");
    await browser!.screenshot('1-faults');
    await card.getByTestId('ota-fault-apply').click();
    await expect.poll(() => card.getByTestId('ota-fault-outcome').textContent()).toBe('Faults set on 2 devices.');
    expect(await Promise.all(trackers.map(faultsOf))).toEqual([
      { busy: true },
      {},
      { checkFailed: true },
      { checkFailed: true },
    ]);
  });

  it('upgrades the product from the Upgrades page: one done, one busy, two failing the check', async () => {
    await page.getByRole('navigation').getByText('Upgrades').click();
    await page.getByText('New upgrade task').waitFor({ timeout: 20_000 });
    await page.getByTestId('upgrade-package').click();
    await page.getByRole('option', { name: /V2\.0\.0/ }).click();
    await page.getByTestId('upgrade-create-submit').click();
    const count = (state: string) => page.getByTestId(`upgrade-count-${state}`).textContent();
    await expect.poll(() => count('fail'), { timeout: 60_000, interval: 500 }).toBe('Failed: 3');
    await expect.poll(() => count('success'), { timeout: 30_000, interval: 500 }).toBe('Done: 1');
    const rows = page.getByTestId('upgrade-device-row');
    const reasons = await rows.getByTestId('upgrade-reason').allTextContents();
    expect(reasons.sort()).toEqual(['Device busy', 'Package check failed', 'Package check failed', 'Upgraded']);
    await browser!.screenshot('2-results');
  });

  it('reads the fault form of a virtual MQTT device in Chinese', async () => {
    await devicePage(trackers[1]!, 'simulator');
    await page.getByTestId('virtual-mqtt-device').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('本虚拟设备').waitFor({ timeout: 20_000 });
    // The healthy device reports the new firmware now.
    await expect
      .poll(() => page.getByTestId('virtual-mqtt-device-state').textContent())
      .toContain('上报固件版本 V2.0.0');
    expect(await page.getByTestId('virtual-mqtt-device').textContent()).toContain('下载中的这 1 KiB 永远收不到');
    await browser!.screenshot('3-zh');
  });
});
