// Scenario 5, an application server in CI: `serve` starts with known app credentials, the server logs in and
// registers a device through the northbound API, subscribes deviceDataChanged to the workbench's built-in test
// receiver, a simulated device reports, and the push shows in the Subscriptions tab — then a failing receiver
// shows its state and reason, in English and in Chinese.
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceLogin } from '../support/device-api.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');
const APP_ID = 'zhou_ci_app';
const APP_SECRET = 'zhou-ci-secret-0123456789';

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let northbound = '';
let accessToken = '';
let deviceId = '';
let deviceSecret = '';
let device: mqtt.MqttClient;

async function nb(path: string, body?: unknown) {
  const response = await fetch(`${northbound}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      app_key: APP_ID,
      authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** What the test receiver answers now, as the workbench API says. */
async function receiverAnswer(): Promise<unknown> {
  const response = await fetch(`${serve.ready.api}/api/push/receiver`, {
    headers: { authorization: `Bearer ${serve.ready.token}` },
  });
  return ((await response.json()) as { answer: unknown }).answer;
}

async function report(brightness: number) {
  await device.publishAsync(
    `$oc/devices/${deviceId}/sys/properties/report`,
    JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness } }] }),
    { qos: 1 },
  );
}

beforeAll(async () => {
  serve = await startServe(tempDir(), ['--app-id', APP_ID, '--app-secret', APP_SECRET]);
  northbound = `http://127.0.0.1:${serve.ready.ports.northbound}`;
  const created = await fetch(`${serve.ready.api}/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}` },
  });
  expect(created.status).toBe(201);
  browser = await openBrowser({ screenshotPrefix: 'push' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('an application server in CI asserts its pushes', { timeout: 90_000 }, () => {
  it('logs in with the known credentials and registers a device through the northbound API', async () => {
    const login = await fetch(`${northbound}/iocm/app/sec/v1.1.0/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appId: APP_ID, secret: APP_SECRET }).toString(),
    });
    expect(login.status).toBe(200);
    accessToken = ((await login.json()) as { accessToken: string }).accessToken;
    const products = (await (
      await fetch(`${serve.ready.api}/api/products`, { headers: { authorization: `Bearer ${serve.ready.token}` } })
    ).json()) as { items: { id: string }[] };
    const registered = await nb('/iocm/app/reg/v2.0.0/deviceCredentials', {
      deviceInfo: { nodeId: 'CI-LAMP-1', name: 'CI lamp' },
      productId: products.items[0]?.id,
    });
    expect(registered.status).toBe(200);
    deviceId = registered.json.deviceId as string;
    deviceSecret = registered.json.secret as string;
  });

  it('subscribes deviceDataChanged to the built-in test receiver on the Subscriptions tab', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Applications').click();
    await page.getByRole('link', { name: 'Open the application Default application' }).click();
    await page.getByRole('tab', { name: 'Subscriptions' }).click();
    const receiver = page.getByTestId('test-receiver');
    await receiver.getByTestId('receiver-empty').waitFor();
    await receiver.getByRole('button', { name: 'Use this URL' }).click();
    const url = await page.getByRole('textbox', { name: 'Callback URL' }).inputValue();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/iotwb\/test-receiver$/);
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    const row = page.getByTestId('subscription-row');
    await row.filter({ hasText: 'deviceDataChanged' }).waitFor();
    expect(await row.getByTestId('url-state').textContent()).toBe('OK');

    // The application server sees the same subscription through the northbound API.
    const listed = await nb('/iocm/app/sub/v1.2.0/subscriptions?notifyType=deviceDataChanged');
    expect(listed.json).toMatchObject({ totalCount: 1, subscriptions: [{ callbackUrl: url }] });
  });

  it('shows the push of a simulated device report as the receiver got it', async () => {
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ready.ports.mqtt}`, {
      ...deviceLogin(deviceId, deviceSecret),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await report(42);
    const received = page.getByTestId('received-push').first();
    await received.waitFor({ timeout: 15_000 });
    expect(await received.textContent()).toContain('deviceDataChanged');
    expect(await received.textContent()).toContain(deviceId);
    expect(await received.textContent()).toContain('"brightness":42');

    const callbackUrl = page.getByTestId('callback-url').first();
    await callbackUrl.getByText('1 delivered', { exact: false }).waitFor({ timeout: 10_000 });
    await callbackUrl.getByRole('button', { name: /test-receiver/ }).click();
    const delivery = callbackUrl.getByTestId('delivery-row').first();
    await delivery.waitFor();
    expect(await delivery.textContent()).toContain('Delivered');
    expect(await delivery.textContent()).toContain('200');
    await delivery.click();
    expect(await callbackUrl.getByTestId('delivery-body').textContent()).toContain('"notifyType": "deviceDataChanged"');
    await browser.screenshot('1-received');
  });

  it('shows a failing receiver with its reason and recovers with "Retry now"', async () => {
    const receiver = page.getByTestId('test-receiver');
    await receiver.getByText('503', { exact: true }).click();
    await expect.poll(receiverAnswer).toBe(503);
    await report(43);
    const callbackUrl = page.getByTestId('callback-url').first();
    await callbackUrl.getByTestId('url-state').filter({ hasText: 'Failing, retrying' }).waitFor({ timeout: 15_000 });
    expect(await callbackUrl.getByTestId('url-last-error').textContent()).toBe('Last error: answered 503');
    await browser.screenshot('2-failing');

    await receiver.getByText('200 OK', { exact: true }).click();
    await expect.poll(receiverAnswer).toBe(200);
    await callbackUrl.getByRole('button', { name: 'Retry now' }).click();
    await callbackUrl.getByText('2 delivered', { exact: false }).waitFor({ timeout: 10_000 });
    expect(await callbackUrl.getByTestId('url-state').textContent()).toBe('OK');
  });

  it('says that nothing is pushed while the application stores no history', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page
      .getByRole('switch', { name: /Store history data/ })
      .first()
      .click({ force: true });
    await page.getByRole('tab', { name: 'Subscriptions' }).click();
    await page.getByTestId('push-off').waitFor({ timeout: 10_000 });
    await browser.screenshot('3-push-off');
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page
      .getByRole('switch', { name: /Store history data/ })
      .first()
      .click({ force: true });
    await page.getByRole('tab', { name: 'Subscriptions' }).click();
    await page.getByTestId('push-off').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('reads the Subscriptions tab in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('tab', { name: '订阅' }).waitFor();
    await page.getByRole('heading', { name: '测试接收端' }).waitFor();
    await browser.screenshot('4-zh');
  });
});
