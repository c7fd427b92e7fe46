// An engineer opens the water meter's codec, starts from the shipped script, tries a frame, runs the samples,
// switches to the layout codec with its byte map, rolls back, and sees it all in Chinese too.
// Runs the built renderer (dist/renderer) in Debian's Chromium against a real `serve` on ephemeral ports.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let productId: string;

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(serve.ready.api + path, {
    method,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  // The water meter product, as a user gets it with one click from the shipped samples.
  const product = (await api('POST', '/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice')) as { id: string };
  productId = product.id;
  browser = await openBrowser({ screenshotPrefix: 'codecs', viewport: { width: 1440, height: 900 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('the water meter codec', { timeout: 60_000 }, () => {
  it('offers to start from the shipped codec when the product has none', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 20_000 });
    await page.goto(`${serve.ready.api}/products/${productId}/codec`);
    await page.getByText('This product has no codec yet').waitFor({ timeout: 20_000 });
    await browser.screenshot('1-no-codec');
  });

  it('starts from the water-meter script and sees it in the editor', async () => {
    await page.getByRole('button', { name: 'Start from water-meter (Script)' }).click();
    const editor = page.getByTestId('codec-script-editor');
    await editor.waitFor();
    // Monaco renders spaces as no-break spaces.
    const text = async () => ((await editor.locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
    await expect
      .poll(text, { timeout: 30_000 })
      .toContain('// Water meter codec (WaterMeter / TestUtf8ManuId / NBIoTDevice)');
    await page.getByTestId('codec-versions').getByText('v1').waitFor();
  });

  it('decodes a typed frame', async () => {
    await page.getByTestId('codec-try-hex').fill('02 55 14');
    await page.getByRole('button', { name: 'Decode', exact: true }).click();
    const result = page.getByTestId('codec-try-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('"batteryLevel": 85');
  });

  it('encodes a typed command, and says what is wrong with one that is not a command', async () => {
    const command = page.getByTestId('codec-try-command');
    await command.fill('{"serviceId": "WaterMeterBasic", "name": "SET_DEVICE_LEVEL"');
    await page.getByText(/^Not a command:/).waitFor();
    await command.fill(
      '{"serviceId": "WaterMeterBasic", "name": "SET_DEVICE_LEVEL", "paras": {"value": "silent"}, "mid": 1}',
    );
    await page.getByRole('button', { name: 'Encode', exact: true }).click();
    const result = page.getByTestId('codec-encode-result');
    await result.waitFor();
    expect(await result.textContent()).toBe('81 00 01 01');
    await command.fill('{"serviceId": "WaterMeterBasic", "name": "NO_SUCH_COMMAND"}');
    await page.getByRole('button', { name: 'Encode', exact: true }).click();
    await page.getByTestId('codec-encode-error').waitFor();
    await browser.screenshot('1b-encode');
  });

  it('runs all samples and sees them pass', async () => {
    await page.getByRole('button', { name: 'Run all' }).click();
    const summary = page.getByTestId('codec-run-summary');
    await summary.waitFor();
    await browser.screenshot('2-script-samples-pass');
    expect(await summary.textContent(), (await page.getByTestId('codec-samples').textContent()) ?? '').toBe(
      '6 passed, 0 failed',
    );
    expect(await page.getByTestId('codec-samples').getByText('pass', { exact: true }).count()).toBe(6);
    await browser.screenshot('2-script-samples-pass');
  });

  it('shows the layout codec with its byte map, and rolls back to the script', async () => {
    await api('POST', `/api/codecs/${productId}/install-sample`, { name: 'water-meter', kind: 'layout' });
    await page.reload();
    const layoutEditor = page.getByTestId('codec-layout-editor');
    await layoutEditor.waitFor({ timeout: 20_000 });
    const byteMap = page.getByTestId('codec-byte-map');
    expect(await byteMap.textContent()).toContain('current_reading');
    expect(await page.getByText('13 bytes').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Run all' }).click();
    await expect.poll(() => page.getByTestId('codec-run-summary').textContent()).toBe('6 passed, 0 failed');
    await browser.screenshot('3-layout-byte-map');

    await page.getByRole('button', { name: 'Roll back to this' }).click();
    await page.getByTestId('codec-script-editor').waitFor({ timeout: 20_000 });
  });

  it('reads the same page in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '编解码插件' }).waitFor();
    await page.getByRole('button', { name: '全部运行' }).click();
    await expect.poll(() => page.getByTestId('codec-run-summary').textContent()).toBe('通过 6 个，失败 0 个');
    await browser.screenshot('4-chinese');
  });

  it('keeps an encoded command as a downlink sample that passes', async () => {
    await page
      .getByTestId('codec-try-command')
      .fill('{"serviceId": "WaterMeterBasic", "name": "SET_DEVICE_LEVEL", "paras": {"value": "normal"}, "mid": 7}');
    await page.getByRole('button', { name: '编码', exact: true }).click();
    await page.getByTestId('codec-encode-result').waitFor();
    await page.getByTestId('codec-encode-keep').click();
    await page.getByTestId('codec-encode-kept').waitFor();
    expect(await page.getByTestId('codec-samples').textContent()).toContain('SET_DEVICE_LEVEL, mid 7');
    await page.getByRole('button', { name: '全部运行' }).click();
    await expect.poll(() => page.getByTestId('codec-run-summary').textContent()).toBe('通过 7 个，失败 0 个');
  });
});
