// An operator watches meters: writes "temperature > 30 → major alarm" in the Rules page's sentence form, a real MQTT
// device reports 35, the firing shows with its reason and the alarm on the Alarms tab is acknowledged and cleared;
// a notification rule's message pops up; then reported data is forwarded to a node:http webhook and the target's
// sent count goes up; a time-condition rule and a data-validity rule are built in the form (the timer fires, a
// replayed old report is ignored); each target kind's form is shown and a target that is down shows its backlog and
// error; and the page reads in Chinese.
import mqtt from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardTarget, LinkageRule, ProductModel, RuleFiring } from '../../core/contract/index.js';
import { freePort } from '../support/brokers.js';
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

/** `yyyyMMddTHHmmssZ`, the MQTT event_time form. */
const compactUtc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

async function report(temperature: number, eventTime?: number) {
  const service = {
    service_id: 'WaterMeterBasic',
    properties: { temperature },
    ...(eventTime === undefined ? {} : { event_time: compactUtc(eventTime) }),
  };
  await device.publishAsync(`$oc/devices/${deviceId}/sys/properties/report`, JSON.stringify({ services: [service] }), {
    qos: 1,
  });
}

async function linkageRule(name: string): Promise<LinkageRule> {
  const { rules } = await api<{ rules: LinkageRule[] }>('/api/rules/linkage');
  const rule = rules.find((r) => r.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
}

/** A `datetime-local` value `ms` from now in the browser's zone, with seconds (never :00, which the input drops). */
async function localStartIn(ms: number): Promise<{ local: string; iso: string }> {
  return page.evaluate((ahead) => {
    let d = new Date(Math.floor((Date.now() + ahead) / 1000) * 1000);
    if (d.getSeconds() === 0) d = new Date(d.getTime() + 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    const local = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    return { local, iso: d.toISOString() };
  }, ms);
}

let timerStart = { local: '', iso: '' };

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

  it('builds "every 15 minutes from …, 4 times" in the form, refuses an alarm with it, and the timer fires', async () => {
    await page.getByRole('tab', { name: 'Linkage rules' }).click();
    await page.getByRole('button', { name: 'New linkage rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Rule name').fill('Meter round');
    await pick(dialog, 'Watch', 'Time (a schedule)');
    // The first firing comes while the test waits; the next ones are 15 minutes away.
    timerStart = await localStartIn(12_000);
    await dialog.getByLabel('First at').fill(timerStart.local);
    await dialog.getByLabel('Every (minutes)', { exact: true }).fill('15');
    await dialog.getByLabel('Times', { exact: true }).fill('4');
    // The new rule's action is an alarm: the form refuses it, as the server would, and says why.
    const conflict = dialog.getByTestId('alarm-timer-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('the alarm could never be cleared by the rule');
    expect(await dialog.getByRole('button', { name: 'Create rule' }).isDisabled()).toBe(true);
    await browser.screenshot('10-timer-alarm-refused', false);
    await pick(dialog, 'Action', 'Notify');
    await conflict.waitFor({ state: 'detached' });
    await dialog.getByLabel('Message').fill('Read the meters');
    const start = timerStart.local.slice(0, 16).replace('T', ' ');
    await expect
      .poll(() => dialog.getByTestId('rule-sentence').textContent())
      .toContain(`Every 15 minutes from ${start}, 4 times, notify "Read the meters".`);
    // Trying it against history says the schedule is not replayed.
    await dialog.getByRole('button', { name: 'Try against history' }).click();
    await dialog.getByTestId('rule-trial-timer-note').waitFor();
    expect(await dialog.getByTestId('rule-trial-timer-note').textContent()).toContain('not replayed');
    await browser.screenshot('11-timer-form', false);
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.waitFor({ state: 'detached' });

    const stored = await linkageRule('Meter round');
    expect(stored.conditions).toEqual([{ kind: 'timer', startTime: timerStart.iso, repeat: 4, everyMinutes: 15 }]);
    expect(stored.actions).toEqual([{ kind: 'notify', content: 'Read the meters' }]);
    const card = page.locator('[data-testid="linkage-rule"][data-rule-name="Meter round"]');
    expect(await card.textContent()).toContain(`Every 15 minutes from ${start}, 4 times, notify "Read the meters".`);

    const firing = page.getByTestId('firing-row').filter({ hasText: 'Meter round' });
    await firing.waitFor({ timeout: 30_000 });
    expect(await firing.textContent()).toContain(`(every 15 minutes from ${start}, 4 times)`);
    expect(await firing.getByTestId('action-result').textContent()).toBe('Notified');
    await browser.screenshot('12-timer-fired');
  });

  it('opens the time-condition rule for editing with every field as stored, and saves it unchanged', async () => {
    const before = await linkageRule('Meter round');
    await page.getByRole('button', { name: 'Edit Meter round' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('First at').inputValue()).toBe(timerStart.local);
    expect(await dialog.getByLabel('Every (minutes)', { exact: true }).inputValue()).toBe('15');
    expect(await dialog.getByLabel('Times', { exact: true }).inputValue()).toBe('4');
    expect(await dialog.getByLabel('Message').inputValue()).toBe('Read the meters');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const after = await linkageRule('Meter round');
    expect({ ...after, firings: 0, lastFiredAt: undefined }).toEqual({ ...before, firings: 0, lastFiredAt: undefined });
  });

  it('builds a rule that ignores reports older than 30 s: a replayed old report does not fire it, a fresh one does', async () => {
    await page.getByRole('button', { name: 'New linkage rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Rule name').fill('Fresh heat');
    await pick(dialog, 'Device', /^Meter 7 ·/);
    await pick(dialog, 'Property', 'temperature (WaterMeterBasic)');
    await dialog.getByLabel('Value', { exact: true }).fill('50');
    await dialog.getByLabel('Ignore reports older than (s)').fill('30');
    await pick(dialog, 'Action', 'Notify');
    await dialog.getByLabel('Message').fill('Fresh heat');
    await expect
      .poll(() => dialog.getByTestId('rule-sentence').textContent())
      .toContain('When temperature of device Meter 7 > 50 (ignoring reports older than 30 s), notify "Fresh heat".');
    await browser.screenshot('13-validity-form', false);
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    const stored = await linkageRule('Fresh heat');
    expect(stored.conditions).toMatchObject([{ kind: 'property', operator: '>', value: 50, validitySeconds: 30 }]);

    // A buffered report from two minutes ago, then a fresh one: only the fresh one counts.
    await report(70, Date.now() - 120_000);
    await report(71);
    const firing = page.getByTestId('firing-row').filter({ hasText: 'Fresh heat' });
    await firing.waitFor({ timeout: 15_000 });
    expect(await firing.textContent()).toContain('Meter 7: temperature = 71 (> 50)');
    const { firings } = await api<{ firings: RuleFiring[] }>(`/api/rules/firings?ruleId=${stored.ruleId}`);
    expect(firings).toHaveLength(1);
    expect(firings[0]!.reasons[0]!.info).toMatchObject({ value: 71 });
    await browser.screenshot('14-validity-fired');
  });

  it('offers the fields of each target kind and shows a broker that is down with its backlog and error', async () => {
    await page.getByRole('tab', { name: 'Forwarding' }).click();
    await page.getByRole('button', { name: 'Add target' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('URL').fill('https://hooks.example/iot');
    await dialog.getByLabel('Headers').fill('Authorization: Bearer t0ken');
    await dialog.getByTestId('target-tls').waitFor();
    await browser.screenshot('15-target-http', false);
    await pick(dialog, 'Kind', 'File (JSON lines)');
    await dialog.getByLabel('Rotate at (MiB)').waitFor();
    await browser.screenshot('16-target-file', false);
    await pick(dialog, 'Kind', 'AMQP 0-9-1 (RabbitMQ)');
    await dialog.getByLabel('Routing key').waitFor();
    await browser.screenshot('17-target-amqp', false);
    await pick(dialog, 'Kind', 'Kafka');
    await dialog.getByLabel('Brokers (host:port, comma separated)').fill('127.0.0.1:9092');
    await pick(dialog, 'Authentication \\(SASL\\)', 'SCRAM-SHA-256');
    await dialog.getByRole('switch', { name: 'Connect with TLS' }).check({ force: true });
    await dialog.getByTestId('target-tls').waitFor();
    await browser.screenshot('18-target-kafka', false);

    // A real MQTT target on a port nobody listens on: messages wait in its backlog and the error shows.
    const deadPort = await freePort();
    await pick(dialog, 'Kind', 'MQTT broker');
    await dialog.getByLabel(/^Name( \*)?$/).fill('Plant broker');
    await dialog.getByLabel('URL').fill(`mqtt://127.0.0.1:${deadPort}`);
    await dialog.getByLabel('Topic').fill('plant/{deviceId}');
    await pick(dialog, 'QoS', '2 · exactly once');
    await dialog.getByLabel('User name').fill('ops');
    await dialog.locator('input[type="password"]').fill('s3cret');
    await browser.screenshot('19-target-mqtt', false);
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const [mqttTarget] = (await api<{ targets: ForwardTarget[] }>('/api/rules/targets')).targets.filter(
      (x) => x.name === 'Plant broker',
    );
    expect(mqttTarget!.config).toEqual({
      kind: 'mqtt',
      url: `mqtt://127.0.0.1:${deadPort}`,
      topic: 'plant/{deviceId}',
      qos: 2,
      username: 'ops',
      password: 's3cret',
    });
    await api('/api/rules/forwarding', {
      method: 'POST',
      body: { name: 'To the plant', targetIds: [mqttTarget!.targetId] },
    });
    await report(24);
    await report(25);
    const row = page.locator('[data-testid="target-row"][data-target-name="Plant broker"]');
    await expect.poll(() => row.getByTestId('target-backlog').textContent(), { timeout: 15_000 }).toBe('2 / 100,000');
    expect(await row.getByTestId('target-connected').textContent()).toBe('Not connected');
    expect(await row.textContent()).toContain('QoS 2');
    expect(await row.textContent()).toContain('signed in as ops');
    await expect.poll(() => row.getByTestId('target-error').textContent(), { timeout: 15_000 }).toMatch(/ECONNREFUSED/);
    await browser.screenshot('20-target-down');
  });

  it('reads in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('tab', { name: '数据转发' }).waitFor();
    await page.getByRole('columnheader', { name: '已发送' }).waitFor();
    await browser.screenshot('07-zh-forwarding');
    await page.getByRole('tab', { name: '设备联动' }).click();
    await page.getByText('当设备 Meter 7 的 temperature > 30时，产生重要告警“Too hot”。').waitFor();
    const start = timerStart.local.slice(0, 16).replace('T', ' ');
    await page.getByText(`从 ${start} 起每 15 分钟，共 4 次，发送通知“Read the meters”。`).waitFor();
    await page
      .getByText('当设备 Meter 7 的 temperature > 50（忽略早于 30 秒的上报）时，发送通知“Fresh heat”。')
      .waitFor();
    await browser.screenshot('08-zh-linkage');
    await page.getByRole('button', { name: '编辑 Meter round' }).click();
    await page.getByRole('dialog').getByText('首次执行时间').waitFor();
    await browser.screenshot('08b-zh-timer-form', false);
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await page.getByRole('button', { name: '编辑 Fresh heat' }).click();
    await page.getByRole('dialog').getByText('忽略早于此秒数的上报').waitFor();
    await browser.screenshot('08c-zh-validity-form', false);
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: '告警' }).click();
    await page.getByRole('button', { name: '新建联动规则' }).waitFor({ state: 'detached' });
    await browser.screenshot('09-zh-alarms');
  });
});
