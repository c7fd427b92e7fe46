// The device shadow and configuration tabs: a desired brightness set on the Shadow tab of a simulated street light
// goes to the lamp, the lamp takes it and reports it, and the difference clears; an offline lamp shows its waiting
// desired value highlighted with its age; a config sent from the Configuration tab succeeds and becomes the last
// successful one; both tabs read in Chinese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let productId = '';
const lamp = () => `${productId}_lamp-1`;
const offline = () => `${productId}_lamp-away`;

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${serve.ready.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

const open = async (deviceId: string, tab: string, text: string) => {
  await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(deviceId)}?tab=${tab}`);
  await page.getByText(text).first().waitFor({ timeout: 20_000 });
};

beforeAll(async () => {
  serve = await startServe(tempDir());
  const created = await api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', { method: 'POST' });
  expect(created.status).toBe(201);
  productId = ((await created.json()) as { id: string }).id;
  const started = await api('/api/simulator/mqtt', {
    method: 'POST',
    body: JSON.stringify({ productId, count: 1, rate: 0, nodeIdPrefix: 'lamp-' }),
  });
  expect(started.status).toBe(201);
  const registered = await api('/api/devices', {
    method: 'POST',
    body: JSON.stringify({ productId, nodeId: 'lamp-away' }),
  });
  expect(registered.status).toBe(201);
  browser = await openBrowser({ screenshotPrefix: 'shadow' });
  page = browser.page;
  // The printed UI address carries the token; the app keeps it for the pages opened after it.
  await page.goto(serve.ready.ui);
  await page.getByRole('navigation').getByText('Devices').waitFor({ timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('shadow and configuration of a simulated street light', { timeout: 90_000 }, () => {
  it('sets a desired brightness on the Shadow tab; the lamp takes it and the difference clears', async () => {
    await open(lamp(), 'shadow', 'Device shadow');
    await page
      .getByRole('tabpanel', { name: 'Shadow' })
      .getByText('Online', { exact: true })
      .waitFor({ timeout: 20_000 });
    await page.locator('input[data-para="brightness"]').fill('73');
    await browser!.screenshot('1-desired-form');
    await page.getByTestId('set-desired').click();
    const row = page.locator('[data-service="Light"] tr[data-property="brightness"]');
    await expect.poll(() => row.getAttribute('data-mismatch'), { timeout: 15_000 }).toBe('no');
    await expect.poll(() => row.locator('td').nth(2).textContent(), { timeout: 15_000 }).toBe('73');
    await row.getByText('In sync').waitFor();
    await page.getByTestId('shadow-mismatches').getByText('In sync').waitFor();
    await page.getByTestId('desired-history').getByText('— → 73').waitFor();
    await browser!.screenshot('2-in-sync', true);
  });

  it('shows the desired value of an offline lamp waiting, highlighted with its age', async () => {
    await open(offline(), 'shadow', 'Device shadow');
    await page.locator('input[data-para="brightness"]').fill('20');
    await page.getByTestId('set-desired').click();
    const row = page.locator('[data-service="Light"] tr[data-property="brightness"]');
    await expect.poll(() => row.getAttribute('data-mismatch'), { timeout: 15_000 }).toBe('yes');
    await row.getByText('Waiting for the device').waitFor();
    await row.getByText(/^Differs for \d+ s$/).waitFor();
    await page.getByTestId('shadow-mismatches').getByText('1 difference').waitFor();
    await browser!.screenshot('3-waiting', true);
  });

  it('sends a config from the Configuration tab and keeps it as the last successful one', async () => {
    await open(lamp(), 'config', 'Configuration file');
    await page.getByTestId('config-editor').fill('{ "Light": { "brightness": 35, "switch": "ON" } }');
    await page.getByTestId('send-config').click();
    await page.getByTestId('config-records').locator('[data-config-status="SUCCESS"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('last-config').getByText('"brightness": 35', { exact: false }).waitFor();
    await browser!.screenshot('4-config', true);
    // The shadow's reported side shows what the lamp took.
    await open(lamp(), 'shadow', 'Device shadow');
    const row = page.locator('[data-service="Light"] tr[data-property="brightness"]');
    await expect.poll(() => row.locator('td').nth(2).textContent(), { timeout: 15_000 }).toBe('35');
  });

  it('reads both tabs in Chinese', async () => {
    await open(offline(), 'shadow', 'Device shadow');
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('等待设备').first().waitFor({ timeout: 20_000 });
    await browser!.screenshot('5-shadow-zh', true);
    await open(lamp(), 'config', '配置文件');
    await page.getByText('最近一次成功的配置').waitFor();
    await browser!.screenshot('6-config-zh', true);
  });
});
