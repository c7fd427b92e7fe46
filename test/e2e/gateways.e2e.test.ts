// Gateways in the UI: a simulated gateway adds five street lights itself; its Gateway tab lists them with the
// state it reported, DISCOVERY opens the pairing window with a countdown, a sub-device is added on the platform
// side, a sub-device's page links to its gateway and says it is gone once the gateway vanishes, the devices list
// shows and filters by gateway, changes made while the gateway is gone wait for it, a plain MQTT device has no
// Gateway tab, deleting a gateway warns that its sub-devices go with it, an Agent-Lite-style device waits for its
// bind and then shows it bound, and the tab reads in Chinese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let gatewayProduct = '';
let lampProduct = '';
let simulationId = '';
const gatewayId = () => `${gatewayProduct}_yard-1`;
const subId = (n: number) => `${lampProduct}_yard-1-sub-${n}`;

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${serve.ready.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

const sample = async (name: string) =>
  ((await (await api(`/api/products/samples/${name}`, { method: 'POST' })).json()) as { id: string }).id;

beforeAll(async () => {
  serve = await startServe(tempDir());
  gatewayProduct = await sample('Gateway_WorkbenchSamples_GW100MQTT');
  lampProduct = await sample('StreetLight_WorkbenchSamples_SL100MQTT');
  const started = await api('/api/simulator/mqtt', {
    method: 'POST',
    body: JSON.stringify({
      productId: gatewayProduct,
      count: 1,
      rate: 0.5,
      nodeIdPrefix: 'yard-',
      subDevices: 5,
      subDeviceProductId: lampProduct,
    }),
  });
  expect(started.status).toBe(201);
  simulationId = ((await started.json()) as { id: string }).id;
  await api(`/api/devices/${gatewayId()}`, { method: 'PUT', body: JSON.stringify({ name: 'Yard gateway' }) });
  browser = await openBrowser({ screenshotPrefix: 'gateways' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a gateway and its sub-devices', { timeout: 90_000 }, () => {
  it('lists the sub-devices the gateway added, with the state it reported', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Devices').waitFor({ timeout: 20_000 });
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(gatewayId())}?tab=gateway`);
    const table = page.getByTestId('sub-device-table');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 20_000 }).toBe(5);
    await expect.poll(() => table.getByText(/^ONLINE at/).count(), { timeout: 20_000 }).toBe(5);
    await page.getByTestId('gateway-state').getByText('Gateway connected').waitFor();
    await browser!.screenshot('1-sub-devices');
  });

  it('opens the pairing window with DISCOVERY and counts it down', async () => {
    await page.getByRole('button', { name: 'Start discovery' }).click();
    const countdown = page.getByTestId('pairing-countdown');
    await countdown.getByText(/Pairing window open: 1[78]\d s left/).waitFor({ timeout: 10_000 });
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
    await browser!.screenshot('2-discovery');
  });

  it('adds a sub-device on the platform side', async () => {
    await page.getByRole('button', { name: 'Add sub-device' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByRole('option', { name: /StreetLight/ }).click();
    await dialog.getByLabel('nodeId').fill('yard-1-extra');
    await dialog.getByLabel('Name').fill('Extra lamp');
    await browser!.screenshot('3-add', false);
    await dialog.getByRole('button', { name: 'Add' }).click();
    const table = page.getByTestId('sub-device-table');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(6);
    await table.getByText('Extra lamp').waitFor();
  });

  it('links a sub-device to its gateway and says when the gateway is gone', async () => {
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(subId(2))}`);
    const gateway = page.getByTestId('sub-device-gateway');
    await gateway.getByText('Reported by gateway Yard gateway').waitFor({ timeout: 20_000 });
    await browser!.screenshot('4-sub-device');
    expect((await api(`/api/simulator/mqtt/${simulationId}`, { method: 'DELETE' })).status).toBe(200);
    await gateway.getByText(/gateway offline since/).waitFor({ timeout: 20_000 });
    await browser!.screenshot('5-gateway-gone');
    await gateway.getByRole('link', { name: 'Yard gateway' }).click();
    await page
      .getByTestId('gateway-state')
      .getByText(/Gateway disconnected since/)
      .waitFor({ timeout: 10_000 });
  });

  it('shows the changes waiting for a gateway that is gone', async () => {
    const added = await api('/api/devices', {
      method: 'POST',
      body: JSON.stringify({ productId: lampProduct, nodeId: 'yard-1-late', gatewayId: gatewayId() }),
    });
    expect(added.status).toBe(201);
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(gatewayId())}?tab=gateway`);
    await page
      .getByTestId('gateway-queued')
      .getByText('1 change waits for the gateway: sent in order when it connects.')
      .waitFor({ timeout: 20_000 });
    await browser!.screenshot('5b-queued');
  });

  it('warns that deleting a gateway deletes its sub-devices', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByTestId('delete-gateway-warning').waitFor({ timeout: 10_000 });
    await browser!.screenshot('5c-delete-warning', false);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows no Gateway tab on a directly connected device that is no gateway', async () => {
    const plain = await api('/api/devices', {
      method: 'POST',
      body: JSON.stringify({ productId: lampProduct, nodeId: 'lone-lamp' }),
    });
    expect(plain.status).toBe(201);
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(`${lampProduct}_lone-lamp`)}`);
    await page.getByRole('tab', { name: 'Commands' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('tab', { name: 'Gateway' }).count()).toBe(0);
  });

  it('shows an Agent-Lite-style device waiting for its bind, then bound', async () => {
    const registered = await api('/api/devices', {
      method: 'POST',
      body: JSON.stringify({ productId: gatewayProduct, nodeId: 'agent-1', verifyCode: 'agent-1', timeout: 3600 }),
    });
    expect(registered.status).toBe(201);
    const id = `${gatewayProduct}_agent-1`;
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(id)}`);
    const state = page.getByTestId('bind-state');
    await state.getByText('Waiting for bind').waitFor({ timeout: 20_000 });
    await browser!.screenshot('8-bind-waiting');
    const bound = await fetch(`http://127.0.0.1:${serve.ready.ports.bind}/iocm/dev/sec/v1.1.0/bind`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verifyCode: 'agent-1', deviceInfo: { nodeId: 'agent-1' } }),
    });
    expect(bound.status).toBe(200);
    await page.reload();
    await state.getByText('Bound', { exact: true }).waitFor({ timeout: 20_000 });
    await browser!.screenshot('9-bound');
  });

  it('shows the gateway column in the devices list and filters by gateway', async () => {
    await page.goto(`${serve.ready.api}/devices`);
    const table = page.getByTestId('device-table');
    await table.getByRole('columnheader', { name: 'Gateway' }).waitFor({ timeout: 20_000 });
    await page.getByPlaceholder('Any gateway').click();
    await page.getByRole('option', { name: 'Yard gateway' }).click();
    await page.getByTestId('device-total').getByText('7 devices').waitFor({ timeout: 10_000 });
    await browser!.screenshot('6-list-filtered');
  });

  it('reads the Gateway tab in Chinese', async () => {
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(gatewayId())}?tab=gateway`);
    await page.getByTestId('sub-device-table').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('添加子设备').waitFor({ timeout: 20_000 });
    await page
      .getByTestId('gateway-state')
      .getByText(/网关自 .* 起断开连接/)
      .waitFor();
    await browser!.screenshot('7-zh-CN');
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(`${gatewayProduct}_agent-1`)}`);
    await page.getByTestId('bind-state').getByText('已绑定').waitFor({ timeout: 20_000 });
    await browser!.screenshot('10-bound-zh-CN');
  });
});
