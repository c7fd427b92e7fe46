// A new user starts a product from the water-meter sample in one click, looks at its services and raw model,
// then imports a broken profile zip with the file picker and is told which file and JSON path are wrong.
// Runs the built renderer (dist/renderer) in Debian's Chromium against a real `serve` on ephemeral ports.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../core/archive/safe-zip.js';
import { defaultSamplesDir, sampleEntries } from '../../core/products/product-samples.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-products-');
const BROKEN_FILE = 'service/WaterMeterBasic/profile/servicetype-capability.json';

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;

/** The water-meter sample with currentReading's max below its min, zipped as a user would get it. */
async function brokenProfileZip(): Promise<Buffer> {
  const entries = sampleEntries(defaultSamplesDir(), 'WaterMeter_TestUtf8ManuId_NBIoTDevice')!;
  const json = JSON.parse(new TextDecoder().decode(entries.get(BROKEN_FILE))) as {
    services: { properties: { propertyName: string; max: string | null }[] }[];
  };
  json.services[0]!.properties.find((p) => p.propertyName === 'currentReading')!.max = '-1';
  entries.set(BROKEN_FILE, new TextEncoder().encode(JSON.stringify(json, null, 2)));
  return Buffer.from(await writeZip([...entries]));
}

async function importWithFilePicker(zip: Buffer): Promise<void> {
  await page.getByTestId('import-file-input').setInputFiles({
    name: 'WaterMeter_TestUtf8ManuId_NBIoTDevice.zip',
    mimeType: 'application/zip',
    buffer: zip,
  });
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  browser = await openBrowser({ screenshotPrefix: 'products' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a new user works with product models', { timeout: 90_000 }, () => {
  it('finds no products yet and is offered the samples and an import', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Products').click();
    await page.getByRole('heading', { name: 'Products', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByText('No products yet').waitFor();
    await page.getByTestId('sample-WaterMeter').waitFor();
    expect(await page.getByTestId('sample-StreetLight').isVisible()).toBe(true);
    expect(await page.getByTestId('import-dropzone').isVisible()).toBe(true);
    await browser.screenshot('1-empty');
  });

  it('creates the water meter from its sample in one click and sees its services', async () => {
    await page.getByTestId('sample-WaterMeter').getByRole('button', { name: 'Create from sample' }).click();
    await page.getByRole('heading', { name: 'WaterMeter · NBIoTDevice' }).waitFor({ timeout: 20_000 });
    expect(page.url()).toMatch(/\/products\/[0-9a-f]{24}$/);
    expect(await page.getByTestId('overview-service-count').textContent()).toBe('5');
    await browser.screenshot('2-overview');

    await page.getByRole('tab', { name: 'Services' }).click();
    for (const service of ['WaterMeterBasic', 'WaterMeterAlarm', 'Battery', 'DeliverySchedule', 'Connectivity']) {
      await page.getByTestId(`service-${service}`).waitFor();
    }
    const basic = page.getByTestId('properties-WaterMeterBasic');
    expect(await basic.getByText('currentReading').isVisible()).toBe(true);
    expect(await basic.getByText('m³').first().isVisible()).toBe(true);
    expect(await page.getByTestId('command-SET_DEVICE_LEVEL').isVisible()).toBe(true);
    expect(page.url()).toMatch(/\/services$/);
    await browser.screenshot('3-services');
  });

  it('shows an inline message when a property range is made invalid', async () => {
    const battery = page.getByTestId('properties-Battery');
    await battery.getByRole('button', { name: 'Edit' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Max').fill('-5');
    await dialog.getByText('Max must not be below min').waitFor();
    expect(await dialog.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    // The dialog is fixed to the viewport: a full-page capture would miss it.
    await browser.screenshot('4-field-validation', false);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('opens the raw model in the code editor', async () => {
    await page.getByRole('tab', { name: 'Raw model' }).click();
    await page.locator('.monaco-editor').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.view-lines').textContent(), { timeout: 20_000 }).toContain('TestUtf8ManuId');
    await browser.screenshot('5-raw-model');
  });

  it('imports a broken profile with the file picker and sees the file and JSON path at fault', async () => {
    await page.getByRole('link', { name: 'Products' }).first().click();
    await page.getByTestId('product-row').first().waitFor();
    await importWithFilePicker(await brokenProfileZip());
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('import-error-file').textContent()).toBe(BROKEN_FILE);
    expect(await page.getByTestId('import-error-path').textContent()).toBe('services[0].properties[0].max');
    expect(await page.getByTestId('import-error-message').textContent()).toContain('max -1 is below min 0');
    expect(await error.textContent()).toContain('RANGE_INVERTED');
    // Nothing was stored: still the one product from the sample.
    expect(await page.getByTestId('product-row').count()).toBe(1);
    await browser.screenshot('6-import-error');
  });

  it('shows the same in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '产品', level: 2 }).waitFor();
    await importWithFilePicker(await brokenProfileZip());
    await page.getByText('导入被拒绝：RANGE_INVERTED').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('import-error-path').textContent()).toBe('services[0].properties[0].max');
    await browser.screenshot('7-import-error-zh');

    await page.getByTestId('product-row').first().getByRole('link').click();
    await page.getByRole('tab', { name: '服务' }).click();
    await page.getByTestId('service-WaterMeterBasic').waitFor();
    await browser.screenshot('8-services-zh');
  });
});
