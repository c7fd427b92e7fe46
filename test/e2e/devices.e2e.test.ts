// A user registers a device in the UI, connects it with mosquitto_pub using the secret the UI showed once,
// and watches the reported value appear on the device page.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceLogin } from '../support/device-api.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const screenshotDir = join(process.cwd(), 'test-results', 'e2e');
const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let deviceId = '';
let secret = '';

async function screenshot(step: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `devices-${step}.png`), fullPage });
}

function mosquittoPub(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto_pub', args, { timeout: 10_000 });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  serve = await startServe(tempDir());
  const created = await fetch(`${serve.ready.api}/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}` },
  });
  expect(created.status).toBe(201);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a user brings a street light online', { timeout: 90_000 }, () => {
  it('finds no devices yet', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Devices').click();
    await page.getByRole('heading', { name: 'Devices', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByText('No devices').waitFor();
    await screenshot('1-empty');
  });

  it('registers a device and copies its secret', async () => {
    await page.getByRole('button', { name: 'Register device' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByRole('option', { name: /StreetLight/ }).click();
    await dialog.getByLabel('Node ID').fill('LAMP-0001');
    await dialog.getByLabel('Name').fill('Gate lamp');
    await screenshot('2-register', false);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await dialog.getByText('Device registered').waitFor();
    const values = await dialog.getByTestId('copyable-value').allTextContents();
    [deviceId, secret] = values as [string, string];
    expect(deviceId).toMatch(/^[0-9a-f]{24}_LAMP-0001$/);
    expect(secret).toMatch(/^[0-9a-f]{24}$/);
    await screenshot('3-secret', false);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'LAMP-0001' }).waitFor();
    expect(await page.getByText('Inactive').first().isVisible()).toBe(true);
  });

  it('connects it with mosquitto_pub and sees the value on its page', async () => {
    await page.getByRole('link', { name: 'LAMP-0001' }).click();
    await page.getByRole('heading', { name: 'Gate lamp' }).waitFor();
    expect(await page.getByTestId('snippet-iotda').textContent()).toContain(`ID='${deviceId}'`);
    const port = serve.ready.ports.mqtt;
    const login = deviceLogin(deviceId, secret, { signType: 1 });
    const r = await mosquittoPub([
      '-V',
      'mqttv311',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-i',
      login.clientId,
      '-u',
      login.username,
      '-P',
      login.password,
      '-q',
      '1',
      '-t',
      `$oc/devices/${deviceId}/sys/properties/report`,
      '-m',
      JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: 73 } }] }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const latest = page.getByTestId('latest-data');
    await latest.waitFor({ timeout: 10_000 });
    expect(await latest.getByText('brightness').isVisible()).toBe(true);
    expect(await latest.getByText('73', { exact: true }).isVisible()).toBe(true);
    await screenshot('4-reported');
  });
});
