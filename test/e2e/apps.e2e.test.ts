// An application-server developer's day: get a secret for the default application, create an application and copy
// its secret the one time it is shown, log in with it through the northbound API (running the curl command the
// page offers), let a billing application query the water utility's devices, then revoke that access.
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
let northbound = '';
const water = { appId: '', secret: '', token: '' };
const billing = { appId: '', secret: '', token: '' };
let meterId = '';

async function login(appId: string, secret: string): Promise<Response> {
  return fetch(`${northbound}/iocm/app/sec/v1.1.0/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ appId, secret }).toString(),
  });
}

/** A northbound call as an application server makes it (§1.1). */
async function nb(app: { appId: string; token: string }, path: string, body?: unknown) {
  const response = await fetch(`${northbound}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      app_key: app.appId,
      authorization: `Bearer ${app.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Reads the App ID and the secret from the one-time dialog, in the order it shows them. */
async function secretDialogValues(): Promise<{ appId: string; secret: string; snippet: string }> {
  const dialog = page.getByTestId('secret-dialog');
  await dialog.waitFor();
  const [appId, secret] = (await dialog.getByTestId('copyable-value').allTextContents()) as [string, string];
  const snippet = (await dialog.getByTestId('secret-login-snippet').textContent()) ?? '';
  return { appId, secret, snippet };
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  northbound = `http://127.0.0.1:${serve.ready.ports.northbound}`;
  const created = await fetch(`${serve.ready.api}/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}` },
  });
  expect(created.status).toBe(201);
  browser = await openBrowser({ screenshotPrefix: 'apps' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('an application-server developer sets up applications', { timeout: 90_000 }, () => {
  it('finds the default application and the northbound address with a curl login example', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Applications').click();
    await page.getByRole('heading', { name: 'Applications', level: 2 }).waitFor({ timeout: 20_000 });
    const rows = page.getByTestId('app-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Default application');
    const card = page.getByTestId('northbound-card');
    expect(await card.textContent()).toContain(northbound);
    expect(await page.getByTestId('northbound-login-snippet').textContent()).toContain(
      `${northbound}/iocm/app/sec/v1.1.0/login`,
    );
    await browser.screenshot('1-list');
  });

  it('gets a secret for the default application, which nobody had seen, and logs in with it', async () => {
    await page.getByRole('link', { name: 'Open the application Default application' }).click();
    const unknown = page.getByTestId('secret-unknown');
    await unknown.waitFor();
    await browser.screenshot('2-default-no-secret');
    await unknown.getByRole('button', { name: 'Get a secret' }).click();
    const { appId, secret } = await secretDialogValues();
    expect(secret).toMatch(/^[0-9a-f]{24}$/);
    expect((await login(appId, secret)).status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('button', { name: 'Reset secret' }).waitFor();
    expect(await page.getByTestId('secret-unknown').count()).toBe(0);
  });

  it('creates an application; its secret is shown once and the curl command shown logs in', async () => {
    await page.getByRole('link', { name: '← All applications' }).click();
    await page.getByRole('button', { name: 'Create application' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Water utility');
    await dialog.getByLabel('Industry').fill('Smart water');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const shown = await secretDialogValues();
    Object.assign(water, { appId: shown.appId, secret: shown.secret });
    expect(await page.getByTestId('secret-dialog').textContent()).toContain('It will not be shown again');
    await browser.screenshot('3-secret-once', false);

    // The command on the page, run as it is: it answers with a token.
    const ran = await runCommand('sh', ['-c', shown.snippet], { timeoutMs: 15_000 });
    expect(ran.code, ran.stderr).toBe(0);
    const tokens = JSON.parse(ran.stdout) as { accessToken: string; tokenType: string; expiresIn: number };
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    water.token = tokens.accessToken;

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('secret-dialog').waitFor({ state: 'detached' });
    const row = page.getByTestId('app-row').filter({ hasText: 'Water utility' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Smart water');
    expect(await page.content()).not.toContain(water.secret);
  });

  it('lets the billing application query the water utility devices, then revokes it', async () => {
    // Billing is made over the API; water registers a meter on the northbound API.
    const created = await fetch(`${serve.ready.api}/api/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Billing' }),
    });
    const made = (await created.json()) as { application: { appId: string }; secret: string };
    Object.assign(billing, { appId: made.application.appId, secret: made.secret });
    billing.token = (
      (await (await login(billing.appId, billing.secret)).json()) as { accessToken: string }
    ).accessToken;
    const productId = (
      (await (
        await fetch(`${serve.ready.api}/api/products`, { headers: { authorization: `Bearer ${serve.ready.token}` } })
      ).json()) as { items: { id: string }[] }
    ).items[0]!.id;
    const registered = await nb(water, '/iocm/app/reg/v2.0.0/deviceCredentials', {
      deviceInfo: { nodeId: 'METER-0001' },
      productId,
    });
    expect(registered.status).toBe(200);
    meterId = registered.json.deviceId as string;
    const forWater = `/iocm/app/dm/v1.4.0/devices?pageNo=0&appId=${water.appId}`;
    expect((await nb(billing, forWater)).json.error_code).toBe('100217');

    await page.getByRole('link', { name: 'Open the application Water utility' }).click();
    const grants = page.getByTestId('grants-card');
    await grants.waitFor();
    await grants.getByLabel('Application').click();
    await page.getByRole('option', { name: /Billing/ }).click();
    await grants.getByRole('button', { name: 'Grant' }).click();
    const grantRow = grants.getByTestId('grant-row');
    await grantRow.waitFor();
    expect(await grantRow.textContent()).toContain('Billing');
    await browser.screenshot('4-granted');

    const granted = await nb(billing, forWater);
    expect(granted.status).toBe(200);
    expect((granted.json.devices as { deviceId: string }[]).map((d) => d.deviceId)).toEqual([meterId]);

    await grants.getByRole('button', { name: 'Revoke the access of Billing' }).click();
    await grants.getByText('No other application has access').waitFor();
    const revoked = await nb(billing, forWater);
    expect(revoked.status).toBe(403);
    expect(revoked.json.error_code).toBe('100217');
    await browser.screenshot('5-revoked');
  });

  it('cannot delete the water utility while it holds its meter, and says why', async () => {
    const reason = page.getByTestId('delete-app-reason');
    await reason.getByText('It still holds 1 device').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Delete application' }).isDisabled()).toBe(true);
  });

  it('deletes the billing application, which holds no devices', async () => {
    await page.getByRole('link', { name: '← All applications' }).click();
    await page.getByRole('link', { name: 'Open the application Billing' }).click();
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete application' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 2 }).waitFor();
    await page.getByTestId('app-row').filter({ hasText: 'Water utility' }).waitFor();
    expect(await page.getByTestId('app-row').filter({ hasText: 'Billing' }).count()).toBe(0);
    expect((await login(billing.appId, billing.secret)).status).toBe(401);
  });

  it('reads the list and an application in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '应用', level: 2 }).waitFor();
    await page.getByTestId('app-row').filter({ hasText: 'Water utility' }).waitFor();
    await browser.screenshot('6-zh-list');
    await page.getByRole('link', { name: '打开应用 Water utility' }).click();
    await page.getByTestId('grants-card').waitFor();
    await page.getByTestId('delete-app-reason').waitFor();
    await browser.screenshot('7-zh-app');
  });
});
