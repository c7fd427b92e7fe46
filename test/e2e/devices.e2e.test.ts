// A user's day with devices: register a street light in the UI, connect it with the mosquitto_pub snippet the
// page offers, watch the value appear, read it in the chart and the table, export the history, look at the
// status timeline, reset the secret, then batch-register a fleet from a CSV file and find devices in the list.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { deviceLogin } from '../support/device-api.js';
import { runCommand } from '../support/run-command.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let deviceId = '';
let secret = '';

/** Reports brightness over IoTDA with mosquitto_pub, stamped `minutesAgo` in the past. */
function reportBrightness(login: { secret: string }, value: number, minutesAgo: number) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const eventTime = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const creds = deviceLogin(deviceId, login.secret);
  return runCommand(
    'mosquitto_pub',
    [
      ...['-V', 'mqttv311', '-h', '127.0.0.1', '-p', String(serve.ready.ports.mqtt)],
      ...['-i', creds.clientId, '-u', creds.username, '-P', creds.password, '-q', '1'],
      ...['-t', `$oc/devices/${deviceId}/sys/properties/report`],
      ...[
        '-m',
        JSON.stringify({
          services: [{ service_id: 'Light', properties: { brightness: value }, event_time: eventTime }],
        }),
      ],
    ],
    { timeoutMs: 10_000 },
  );
}

async function downloadOf(button: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  const created = await fetch(`${serve.ready.api}/api/products/samples/StreetLight_WorkbenchSamples_SL100MQTT`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}` },
  });
  expect(created.status).toBe(201);
  browser = await openBrowser({ screenshotPrefix: 'devices' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
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
    await page.getByText('No devices', { exact: true }).waitFor();
    await browser.screenshot('1-empty');
  });

  it('registers a device and copies its secret', async () => {
    await page.getByRole('button', { name: 'Register device' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByRole('option', { name: /StreetLight/ }).click();
    await dialog.getByLabel('Node ID').fill('LAMP-0001');
    await dialog.getByLabel('Name').fill('Gate lamp');
    await browser.screenshot('2-register', false);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await dialog.getByText('Device registered').waitFor();
    const values = await dialog.getByTestId('copyable-value').allTextContents();
    [deviceId, secret] = values as [string, string];
    expect(deviceId).toMatch(/^[0-9a-f]{24}_LAMP-0001$/);
    expect(secret).toMatch(/^[0-9a-f]{24}$/);
    await browser.screenshot('3-secret', false);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'LAMP-0001' }).waitFor();
    expect(await page.getByTestId('device-table').getByText('Inactive').isVisible()).toBe(true);
  });

  it('pastes the secret on the device page and runs the legacy mosquitto_pub snippet it shows', async () => {
    await page.getByRole('link', { name: 'LAMP-0001' }).click();
    await page.getByRole('heading', { name: 'Gate lamp' }).waitFor();
    expect(await page.getByTestId('snippet-iotda').textContent()).toContain(`ID='${deviceId}'`);
    await page.getByLabel('Device secret').fill(secret);
    const login = page.getByTestId('hour-login');
    await login.waitFor();
    expect(await login.textContent()).toContain(`${deviceId}_0_0_`);
    await page.getByRole('tab', { name: 'mosquitto_pub · legacy' }).click();
    const snippet = (await page.getByTestId('snippet-legacy').textContent()) ?? '';
    expect(snippet).toContain(`/huawei/v1/devices/${deviceId}/data/json`);
    await browser.screenshot('4-connect');
    const r = await runCommand('bash', ['-c', snippet], { timeoutMs: 10_000 });
    expect(r.code, r.stderr).toBe(0);
    const latest = page.getByTestId('latest-data');
    await latest.waitFor({ timeout: 10_000 });
    await browser.screenshot('5-first-report');
  });

  it('sees the reported brightness among the latest values', async () => {
    for (const [value, minutesAgo] of [
      [12, 30],
      [48, 20],
      [73, 10],
    ] as const) {
      const r = await reportBrightness({ secret }, value, minutesAgo);
      expect(r.code, r.stderr).toBe(0);
    }
    const latest = page.getByTestId('latest-data');
    await latest.getByText('73', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await latest.getByText('brightness').isVisible()).toBe(true);
    await browser.screenshot('6-latest');
  });

  it('reads the values in the chart and the table and exports them as CSV', async () => {
    await page.getByRole('tab', { name: 'Data history' }).click();
    await page.getByLabel('Service').first().click();
    await page.getByRole('option', { name: 'Light', exact: true }).click();
    await page.getByLabel('Property').first().click();
    await page.getByRole('option', { name: 'brightness' }).click();
    const chart = page.getByTestId('history-chart');
    await chart.locator('canvas').waitFor({ timeout: 10_000 });
    expect(await chart.textContent()).toContain('Light.brightness');
    const table = page.getByTestId('history-table');
    await table.getByText('48', { exact: true }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    await browser.screenshot('7-history');
    const csv = await downloadOf(page.getByRole('button', { name: 'Export CSV' }));
    expect(csv.name).toBe(`${deviceId}-history.csv`);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('eventTime,receivedAt,serviceId,property,value');
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(['12', '48', '73']);
  });

  it('follows the status timeline', async () => {
    await page.getByRole('tab', { name: 'Status timeline' }).click();
    const timeline = page.getByTestId('status-timeline');
    await timeline.getByText('Came online').first().waitFor({ timeout: 10_000 });
    expect(await timeline.getByText('Registered (inactive until first contact)').isVisible()).toBe(true);
    await browser.screenshot('8-timeline');
  });

  it('resets the secret: the new one is shown once and the old one no longer logs in', async () => {
    await page.getByRole('button', { name: 'Reset secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reset secret' }).click();
    await dialog.getByText('Secret reset').waitFor();
    const fresh = (await dialog.getByTestId('copyable-value').textContent()) ?? '';
    expect(fresh).toMatch(/^[0-9a-f]{24}$/);
    expect(fresh).not.toBe(secret);
    await browser.screenshot('9-reset', false);
    await dialog.getByRole('button', { name: 'Done' }).click();
    const refused = await reportBrightness({ secret }, 1, 1);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not authori[sz]ed/i);
    const accepted = await reportBrightness({ secret: fresh }, 2, 1);
    expect(accepted.code, accepted.stderr).toBe(0);
    await page.getByRole('tab', { name: 'Overview' }).click();
    expect(await page.getByLabel('Device secret').inputValue()).toBe(fresh);
    secret = fresh;
  });
});

describe('a user registers a fleet from a CSV file', { timeout: 120_000 }, () => {
  const FLEET = 3000;

  it('batch-registers the file with progress and per-row results', async () => {
    await page.getByRole('link', { name: '← All devices' }).click();
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Product').click();
    await page.getByRole('option', { name: /StreetLight/ }).click();
    const rows = ['nodeId,secret,name'];
    for (let i = 0; i < FLEET; i++) rows.push(`FLEET-${String(i).padStart(5, '0')},,Pole ${i}`);
    rows.push('LAMP-0001,,duplicate of the gate lamp');
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'poles.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rows.join('\n')),
    });
    await dialog.getByText('poles.csv').waitFor();
    await dialog.getByText(`${(FLEET + 1).toLocaleString('en-US')} device rows`).waitFor();
    await browser.screenshot('10-batch-file', false);
    await dialog.getByRole('button', { name: `Register ${(FLEET + 1).toLocaleString('en-US')} devices` }).click();
    await dialog.getByTestId('batch-progress').waitFor();
    await dialog.getByText('Batch finished').waitFor({ timeout: 60_000 });
    expect(await dialog.getByTestId('batch-summary').textContent()).toBe(
      '3,001 of 3,001 processed · 3,000 registered · 1 failed',
    );
    const failures = dialog.getByTestId('batch-failures');
    expect(await failures.locator('tbody tr').count()).toBe(1);
    expect(await failures.textContent()).toContain('LAMP-0001');
    await browser.screenshot('11-batch-done', false);
    const exported = await downloadOf(dialog.getByRole('button', { name: 'Export secrets' }));
    const lines = exported.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('deviceId,nodeId,secret');
    expect(lines).toHaveLength(FLEET + 2);
    expect(lines.find((l) => l.includes(',FLEET-00042,'))).toMatch(
      /^[0-9a-f]{24}_FLEET-00042,FLEET-00042,[0-9a-f]{24}$/,
    );
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('scrolls the whole fleet with a bounded number of rows in the page', async () => {
    await page
      .getByTestId('device-total')
      .getByText(`${(FLEET + 1).toLocaleString('en-US')} devices`)
      .waitFor();
    const counts = page.getByTestId('device-counts');
    expect(await counts.locator('[data-status=all]').textContent()).toContain('3,001');
    expect(await page.locator('[role=rowgroup] [role=row]').count()).toBeLessThan(60);
    await page.getByTestId('device-scroll').hover();
    await page.mouse.wheel(0, 1_000_000);
    await page.getByRole('link', { name: 'LAMP-0001' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[role=rowgroup] [role=row]').count()).toBeLessThan(60);
    await browser.screenshot('12-scrolled-to-oldest');
  });

  it('narrows the list by status and by node ID', async () => {
    await page.getByTestId('device-counts').locator('[data-status=inactive]').click();
    await page
      .getByTestId('device-total')
      .getByText(`${FLEET.toLocaleString('en-US')} devices`)
      .waitFor();
    await page.getByLabel('Node ID or name starts with…').fill('FLEET-0299');
    await page.getByTestId('device-total').getByText('10 devices').waitFor();
    await page.getByLabel('Node ID or name starts with…').fill('nobody');
    await page.getByText('No device matches these filters').waitFor();
    await browser.screenshot('13-no-match', false);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page
      .getByTestId('device-total')
      .getByText(`${(FLEET + 1).toLocaleString('en-US')} devices`)
      .waitFor();
  });

  it('deletes a device after confirming', async () => {
    await page.getByLabel('Node ID or name starts with…').fill('FLEET-00007');
    await page.getByRole('link', { name: 'FLEET-00007' }).click();
    await page.getByRole('heading', { name: 'Pole 7' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete this device?').waitFor();
    await browser.screenshot('14-delete', false);
    await dialog.getByRole('button', { name: 'Delete device' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 2 }).waitFor();
    await page
      .getByTestId('device-total')
      .getByText(`${FLEET.toLocaleString('en-US')} devices`)
      .waitFor();
  });

  it('starts five virtual lamps of the product from the device page, watches them report and stops them', async () => {
    await page.getByLabel('Node ID or name starts with…').fill('LAMP-0001');
    await page.getByRole('link', { name: 'LAMP-0001' }).click();
    await page.getByRole('tab', { name: 'Simulator' }).click();
    await page.getByLabel('Devices', { exact: true }).fill('5');
    await page.getByLabel('Reports per second').fill('2');
    await page.getByRole('button', { name: 'Start' }).click();
    const simulations = page.getByTestId('simulations');
    await simulations.getByText('5 / 5').waitFor({ timeout: 20_000 });
    const reports = simulations.locator('tbody tr').first().locator('td').nth(3);
    await expect
      .poll(async () => Number((await reports.textContent())?.replace(/,/g, '')), { timeout: 15_000 })
      .toBeGreaterThan(5);
    await browser.screenshot('15-simulator');
    await simulations.getByRole('button', { name: 'Stop' }).click();
    await simulations.getByText('Stopped').waitFor();
  });

  it('reads the device page in Chinese without clipped texts', async () => {
    await page.goto(`${serve.ready.api}/devices/${encodeURIComponent(deviceId)}`);
    await page.getByRole('heading', { name: 'Gate lamp' }).waitFor();
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByText('设备接入').waitFor({ timeout: 20_000 });
    await browser.screenshot('16-zh-device');
  });

  it('keeps a long node ID and a long Chinese name readable in the list and on the device page', async () => {
    const longNodeId = `urn:imei:${'8'.repeat(15)}-${'A'.repeat(39)}`;
    const registered = await fetch(`${serve.ready.api}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        productId: deviceId.split('_')[0],
        nodeId: longNodeId,
        name: '十字路口北侧第三根路灯杆上的智能照明控制器（用于测试的超长名称）',
      }),
    });
    expect(registered.status).toBe(201);
    await page.getByRole('link', { name: '← 全部设备' }).click();
    await page.getByRole('link', { name: longNodeId }).waitFor();
    await browser.screenshot('17-zh-list');
    await page.getByRole('link', { name: longNodeId }).click();
    await page.getByRole('heading', { name: /十字路口/ }).waitFor();
    await browser.screenshot('18-zh-long-device');
  });
});
