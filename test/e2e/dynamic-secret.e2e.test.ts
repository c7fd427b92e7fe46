// A user's day with one-model-one-secret devices: reveal and reset the product secret on the product page, then
// run the authType 1 snippet of a registered device's page: the device fetches its own secret and its report shows.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { runCommand } from '../support/run-command.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let productId = '';

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${serve.ready.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  productId = (
    await api<{ id: string }>('/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT', { method: 'POST' })
  ).id;
  await api('/api/devices', {
    method: 'POST',
    body: JSON.stringify({ productId, nodeId: 'LAMP-DYN-1', name: 'Pier lamp' }),
  });
  browser = await openBrowser({ screenshotPrefix: 'dynamic-secret' });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(serve.ready.ui).origin,
  });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a user lets street lights fetch their own secrets with the product secret', { timeout: 90_000 }, () => {
  let shownSecret = '';

  it('finds the product secret hidden on the product page, shows and copies it', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Products').click();
    await page.getByTestId('product-row').first().getByRole('link').click();
    const secret = page.getByTestId('product-secret');
    await secret.waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Show the product secret' }).waitFor();
    expect(await secret.textContent()).toMatch(/^•+$/);
    await page.getByRole('button', { name: 'Show the product secret' }).click();
    await expect.poll(async () => secret.textContent()).toMatch(/^[0-9a-f]{32}$/);
    shownSecret = (await secret.textContent()) ?? '';
    await page.getByRole('button', { name: 'Copy Product secret' }).click();
    // A string expression: the test project has no DOM types.
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(shownSecret);
    await browser.screenshot('1-product-secret');
  });

  it('resets the product secret: a new one is shown at once', async () => {
    await page.getByRole('button', { name: 'Reset secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('are refused from now on').waitFor();
    await browser.screenshot('2-reset-dialog', false);
    await dialog.getByRole('button', { name: 'Reset secret' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const secret = page.getByTestId('product-secret');
    await expect.poll(async () => secret.textContent()).toMatch(/^[0-9a-f]{32}$/);
    expect(await secret.textContent()).not.toBe(shownSecret);
    shownSecret = (await secret.textContent()) ?? '';
  });

  it("runs the authType 1 snippet of the device's page and sees the device's report", async () => {
    await page.getByRole('navigation').getByText('Devices').click();
    await page.getByRole('link', { name: 'LAMP-DYN-1' }).click();
    await page.getByRole('heading', { name: 'Pier lamp' }).waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: 'authType 1 · product secret' }).click();
    const snippet = page.getByTestId('snippet-dynamic');
    await expect.poll(async () => snippet.textContent()).toContain(`PRODUCT_SECRET='${shownSecret}'`);
    expect(await page.getByTestId('snippet-dynamic-paho').textContent()).toContain('secretNotify');
    await browser.screenshot('3-device-snippet');
    const r = await runCommand('bash', ['-c', (await snippet.textContent()) ?? ''], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    await page.getByTestId('latest-data').getByText('switch', { exact: true }).waitFor({ timeout: 10_000 });
    await browser.screenshot('4-reported');
  });
});
