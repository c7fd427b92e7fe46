// Commands from the device page: a street light simulated over MQTT gets SET_BRIGHTNESS from the form made of its
// model and answers (Pending → Sent → Delivered → Successful, live); with the lamp switched off, two cached commands
// wait and are canceled at once; a batch command goes to every lamp of the product; the tab reads in Chinese.
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
let simulationId = '';
const deviceId = () => `${productId}_lamp-1`;

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${serve.ready.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

async function simulate(): Promise<void> {
  const started = await api('/api/simulator/mqtt', {
    method: 'POST',
    body: JSON.stringify({ productId, count: 2, rate: 0, nodeIdPrefix: 'lamp-' }),
  });
  expect(started.status).toBe(201);
  simulationId = ((await started.json()) as { id: string }).id;
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  const created = await api('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', { method: 'POST' });
  expect(created.status).toBe(201);
  productId = ((await created.json()) as { id: string }).id;
  await simulate();
  browser = await openBrowser({ screenshotPrefix: 'commands' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('commands of a simulated street light', { timeout: 90_000 }, () => {
  it('sends SET_BRIGHTNESS from the form and shows each state live until Successful', async () => {
    // The printed UI address carries the token; the app keeps it for the pages opened after it.
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Devices').waitFor({ timeout: 20_000 });
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(deviceId())}?tab=commands`);
    await page.getByText('Send a command').waitFor({ timeout: 20_000 });
    await page.getByText('No commands yet.').waitFor();
    await page.getByTestId('command-select').click();
    await page.getByRole('option', { name: 'Light · SET_BRIGHTNESS' }).click();
    await page.locator('input[data-para="value"]').fill('80');
    await browser!.screenshot('1-form');
    await page.getByTestId('command-send').click();
    const row = page.getByTestId('command-list').locator('tbody tr').first();
    await expect.poll(() => row.getAttribute('data-command-status'), { timeout: 15_000 }).toBe('SUCCESSFUL');
    const timeline = page.getByTestId('command-timeline');
    for (const state of ['Pending', 'Sent', 'Delivered', 'Successful'])
      await timeline.getByText(state, { exact: true }).waitFor();
    await timeline.getByText('"command_name":"SET_BRIGHTNESS"', { exact: false }).waitFor();
    await page.getByTestId('command-result').getByText('"resultCode":0', { exact: false }).waitFor();
    await browser!.screenshot('2-successful');
  });

  it("opens the device's frames from the timeline and sees the command on its downlink frame", async () => {
    await page.getByRole('link', { name: "Show this device's frames in the traffic view" }).click();
    await page.getByTestId('filter-input').fill('mqtt.topic contains "sys/commands/request_id"');
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.getByTestId('traffic-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await rows.first().click();
    const layer = page.locator('[data-testid="detail-layer"][data-layer="codec"]');
    await layer.waitFor({ timeout: 10_000 });
    expect(await layer.textContent()).toContain('Command Light.SET_BRIGHTNESS');
    await layer.scrollIntoViewIfNeeded();
    await browser!.screenshot('2b-downlink-frame', false);
    await page.goBack();
  });

  it('keeps cached commands of a device that is off PENDING and cancels them all', async () => {
    expect((await api(`/api/simulator/mqtt/${simulationId}`, { method: 'DELETE' })).status).toBe(200);
    await expect
      .poll(
        async () => ((await (await api(`/api/simulator/mqtt/${simulationId}`)).json()) as { status: string }).status,
      )
      .toBe('stopped');
    await page.getByTestId('command-select').click();
    await page.getByRole('option', { name: 'Light · SWITCH_LIGHT' }).click();
    await page.getByTestId('command-send').click();
    await page.getByText('Required by the model').waitFor();
    await page.locator('input[data-para="value"]').click();
    await page.getByRole('option', { name: 'OFF' }).click();
    await page.getByTestId('command-send').click();
    await page.getByTestId('command-send').click();
    const pending = page.getByTestId('command-list').locator('tr[data-command-status="PENDING"]');
    await expect.poll(() => pending.count(), { timeout: 10_000 }).toBe(2);
    await browser!.screenshot('3-pending');
    await page.getByRole('button', { name: 'Cancel 2 pending' }).click();
    const canceled = page.getByTestId('command-list').locator('tr[data-command-status="CANCELED"]');
    await expect.poll(() => canceled.count(), { timeout: 10_000 }).toBe(2);
  });

  it('sends a batch command to every lamp of the product from the devices list', async () => {
    await simulate();
    await page.goto(`${serve.ready.api}/devices`);
    await page.getByRole('button', { name: 'Batch command' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('batch-product').click();
    await page.getByRole('option', { name: /StreetLight/ }).click();
    await dialog.getByTestId('command-select').click();
    await page.getByRole('option', { name: 'Light · SET_BRIGHTNESS' }).click();
    await dialog.locator('input[data-para="value"]').fill('20');
    await dialog.getByRole('button', { name: 'Send to 2 devices' }).click();
    const progress = dialog.getByTestId('batch-progress');
    await expect.poll(() => progress.getAttribute('data-batch-status'), { timeout: 20_000 }).toBe('Done');
    await progress.getByText('2 of 2 finished · 2 successful · 0 failed').waitFor();
    await browser!.screenshot('4-batch');
    await page.keyboard.press('Escape');
  });

  it('reads the Commands tab in Chinese', async () => {
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(deviceId())}?tab=commands`);
    await page.getByText('Send a command').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('下发命令').first().waitFor({ timeout: 20_000 });
    await page.getByTestId('command-list').locator('tbody tr').first().click();
    await page.getByText('时间线').first().waitFor();
    await browser!.screenshot('5-zh');
  });
});
