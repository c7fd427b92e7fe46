// An operator watches meters: writes "temperature > 30 → major alarm" in the Rules page's sentence form, a real MQTT
// device reports 35, the firing shows with its reason and the alarm on the Alarms tab is acknowledged and cleared;
// a notification rule's message pops up; then reported data is forwarded to a node:http webhook and the target's
// sent count goes up; and the page reads in Chinese.
import mqtt from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardTarget, ProductModel } from '../../core/contract/index.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { deviceLogin } from '../support/device-api.js';
import { startReceiver, type TestReceiverServer } from '../support/push-receiver.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let webhook: TestReceiverServer;
let device: mqtt.MqttClient;
let deviceId = '';

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${serve.ready.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  expect(response.ok, `${path}: ${response.status} ${await response.clone().text()}`).toBe(true);
  return (await response.json()) as T;
}

async function report(temperature: number) {
  await device.publishAsync(
    `$oc/devices/${deviceId}/sys/properties/report`,
    JSON.stringify({ services: [{ service_id: 'WaterMeterBasic', properties: { temperature } }] }),
    { qos: 1 },
  );
}

/** Opens the Mantine select labelled `label` (a required one is labelled `label *`) and picks `option`. */
async function pick(scope: Locator, label: string, option: string | RegExp) {
  // force: a MultiSelect's pill box lies over its input.
  await scope.getByLabel(new RegExp(`^${label}( \\*)?$`)).click({ force: true });
  await page.getByRole('option', { name: option }).click();
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  webhook = await startReceiver();
  // The water meter's model as an MQTT product: its WaterMeterBasic service has a decimal `temperature`.
  const sample = await api<{ model: ProductModel }>('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', {
    method: 'POST',
  });
  const product = await api<{ id: string }>('/api/products', {
    method: 'POST',
    body: { ...sample.model, protocolType: 'MQTT', model: 'WM-MQTT' },
  });
  const registered = await api<{ device: { deviceId: string }; secret: string }>('/api/devices', {
    method: 'POST',
    body: { productId: product.id, nodeId: 'meter-7', name: 'Meter 7' },
  });
  deviceId = registered.device.deviceId;
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ready.ports.mqtt}`, {
    ...deviceLogin(deviceId, registered.secret),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  browser = await openBrowser({ screenshotPrefix: 'rules' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  await webhook?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('an operator sets rules, handles an alarm and forwards data', { timeout: 90_000 }, () => {
  it('writes "temperature > 30 → major alarm" in the sentence form', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Rules').click();
    await page.getByRole('heading', { name: 'Rules', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByText('No linkage rules yet').waitFor();
    await page.getByRole('button', { name: 'New linkage rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Rule name').fill('Hot meter');
    await pick(dialog, 'Device', /^Meter 7 ·/);
    await pick(dialog, 'Property', 'temperature (WaterMeterBasic)');
    await dialog.getByLabel('Value', { exact: true }).fill('30');
    await dialog.getByLabel('Alarm name').fill('Too hot');
    await dialog.getByLabel('Details').fill('Water above 30 °C');
    const sentence = dialog.getByTestId('rule-sentence');
    await expect
      .poll(() => sentence.textContent())
      .toContain('When temperature of device Meter 7 > 30, raise a major alarm "Too hot".');
    await dialog.getByRole('button', { name: 'Try against history' }).click();
    await dialog
      .getByTestId('rule-trial')
      .getByText(/^No reports are recorded yet/)
      .waitFor();
    await browser.screenshot('01-form', false);
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    const card = page.locator('[data-testid="linkage-rule"][data-rule-name="Hot meter"]');
    expect(await card.textContent()).toContain('When temperature of device Meter 7 > 30, raise a major alarm');
    expect(await card.getByRole('switch', { name: 'Enabled: Hot meter' }).isChecked()).toBe(true);
  });

  it('shows the firing with its reason and action result when the meter reports 35', async () => {
    await report(35);
    const firing = page.getByTestId('firing-row').first();
    await firing.waitFor({ timeout: 15_000 });
    expect(await firing.textContent()).toContain('Hot meter');
    expect(await firing.textContent()).toContain('Meter 7');
    expect(await firing.textContent()).toContain('Meter 7: temperature = 35 (> 30)');
    expect(await firing.getByTestId('action-result').textContent()).toBe('Alarm raised');
    await page.getByTestId('rule-firings').getByText('fired once').waitFor();
    await browser.screenshot('02-fired');
  });

  it('acknowledges and clears the alarm on the Alarms tab', async () => {
    await page.getByRole('tab', { name: 'Alarms' }).click();
    const alarm = page.getByTestId('alarm-row').first();
    await alarm.waitFor();
    expect(await alarm.textContent()).toContain('Too hot');
    expect(await alarm.textContent()).toContain('Water above 30 °C');
    expect(await alarm.getByTestId('alarm-state').textContent()).toBe('Active');
    await browser.screenshot('03-alarm');
    await alarm.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => alarm.getByTestId('alarm-state').textContent()).toBe('Acknowledged');
    // The state filter narrows the list to what is still open.
    await pick(page.getByRole('tabpanel'), 'State', 'Acknowledged');
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(1);
    await page.getByTestId('alarm-row').getByRole('button', { name: 'Clear' }).click();
    await page.getByText('No alarms').waitFor();
    await pick(page.getByRole('tabpanel'), 'State', 'Cleared');
    const cleared = page.getByTestId('alarm-row').first();
    await expect.poll(() => cleared.getByTestId('alarm-state').textContent()).toBe('Cleared');
    expect(await cleared.textContent()).toContain('by a user');
    const alarms = await api<{ alarms: { state: string; clearedBy?: string }[] }>('/api/alarms');
    expect(alarms.alarms).toMatchObject([{ state: 'cleared', clearedBy: 'user' }]);
    await browser.screenshot('04-cleared');
  });

  it('pops up the message of a notification rule wherever the user is', async () => {
    await api('/api/rules/linkage', {
      method: 'POST',
      body: {
        name: 'Tell the operator',
        conditions: [
          {
            kind: 'property',
            scope: { kind: 'device', deviceId },
            serviceId: 'WaterMeterBasic',
            property: 'temperature',
            operator: '>=',
            value: 40,
          },
        ],
        actions: [{ kind: 'notify', content: 'Meter 7 is boiling' }],
      },
    });
    await report(41);
    const note = page.locator('.mantine-Notification-root').filter({ hasText: 'Rule fired: Tell the operator' });
    await note.waitFor({ timeout: 15_000 });
    expect(await note.textContent()).toContain('Meter 7 is boiling');
    await browser.screenshot('05-notification', false);
  });

  it('forwards reported data to a webhook and shows the target sending', async () => {
    await page.getByRole('tab', { name: 'Forwarding' }).click();
    await page.getByText('No targets yet').waitFor();
    await page.getByRole('button', { name: 'Add target' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Ops webhook');
    await dialog.getByLabel('URL').fill(webhook.url('/iot'));
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid="target-row"][data-target-name="Ops webhook"]');
    await row.waitFor();
    expect(await row.getByTestId('target-sent').textContent()).toBe('0');

    await page.getByRole('button', { name: 'Add forwarding rule' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Meter data');
    await pick(dialog, 'Targets', 'Ops webhook');
    await dialog.getByLabel('Name').click();
    await dialog.getByRole('button', { name: 'Add rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    const ruleRow = page.getByTestId('forward-rule-row').first();
    expect(await ruleRow.textContent()).toContain('Reported data');
    expect(await ruleRow.textContent()).toContain('everything');
    expect(await ruleRow.textContent()).toContain('Ops webhook');

    await report(22);
    await report(23);
    await expect.poll(() => row.getByTestId('target-sent').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await row.getByTestId('target-connected').textContent()).toBe('Connected');
    expect(webhook.received.map((r) => r.path)).toEqual(['/iot', '/iot']);
    expect(webhook.received[1]!.json).toMatchObject({
      type: 'data',
      deviceId,
      serviceId: 'WaterMeterBasic',
      data: { temperature: 23 },
    });
    const [target] = (await api<{ targets: ForwardTarget[] }>('/api/rules/targets')).targets;
    expect(target!.state).toMatchObject({ sent: 2, backlog: 0, drops: 0 });
    await browser.screenshot('06-forwarding');
  });

  it('reads in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('tab', { name: '数据转发' }).waitFor();
    await page.getByRole('columnheader', { name: '已发送' }).waitFor();
    await browser.screenshot('07-zh-forwarding');
    await page.getByRole('tab', { name: '设备联动' }).click();
    await page.getByText('当设备 Meter 7 的 temperature > 30时，产生重要告警“Too hot”。').waitFor();
    await browser.screenshot('08-zh-linkage');
    await page.getByRole('tab', { name: '告警' }).click();
    await page.getByRole('button', { name: '新建联动规则' }).waitFor({ state: 'detached' });
    await browser.screenshot('09-zh-alarms');
  });
});
