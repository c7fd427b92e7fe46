// A day with an NB-IoT water meter, simulated: the meter registers over LwM2M and shows up in the device list;
// its LwM2M tab shows the registration, the object tree reads /3/0, a frame sent now arrives on /19/0/0, the
// module is rebooted remotely (Waiting 10 s → Processing → Success) and its log is collected and downloaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession | undefined;
let page: Page;
let productId = '';
const nodeId = '863703030004711';

async function screenshot(step: string): Promise<void> {
  await browser!.screenshot(step);
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${serve.ready.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  const created = await api('/api/products/samples/WaterMeter_TestUtf8ManuId_NBIoTDevice', { method: 'POST' });
  expect(created.status).toBe(201);
  productId = ((await created.json()) as { id: string }).id;
  const layout = readFileSync(join(process.cwd(), 'resources/samples/codecs/water-meter/layout.json'), 'utf8');
  const saved = await api(`/api/codecs/${productId}/versions`, {
    method: 'POST',
    body: JSON.stringify({ kind: 'layout', source: layout }),
  });
  expect(saved.status).toBe(201);
  const { version } = (await saved.json()) as { version: number };
  expect((await api(`/api/codecs/${productId}/versions/${version}/activate`, { method: 'POST' })).status).toBe(200);

  browser = await openBrowser({ screenshotPrefix: 'lwm2m' });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a simulated NB-IoT water meter', { timeout: 90_000 }, () => {
  it('powers on a simulated meter, which registers and appears in the device list', async () => {
    const started = await api('/api/simulator/lwm2m/fleets', {
      method: 'POST',
      body: JSON.stringify({ productId, nodeIds: [nodeId], intervalS: 0 }),
    });
    expect(started.status).toBe(201);
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Devices').click();
    await page.getByRole('link', { name: nodeId }).waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: nodeId }).click();
    await page.getByRole('tab', { name: 'LwM2M' }).click();
    const registration = page.getByTestId('lwm2m-registration');
    await registration.getByText('Registered', { exact: true }).waitFor({ timeout: 15_000 });
    await registration.getByText('86400 seconds').waitFor();
    await registration.getByText('UQ', { exact: true }).waitFor();
    await page.getByTestId('sim-state').getByText('Registered').waitFor();
    await screenshot('1-registered');
  });

  it('reads /3/0 in the object tree and shows the device info with names and units', async () => {
    const tree = page.getByTestId('lwm2m-object-tree');
    await tree.getByRole('button', { name: 'Read /3/0' }).click();
    await expect.poll(() => page.getByTestId('value-/3/0/2').textContent(), { timeout: 10_000 }).toBe(nodeId);
    expect(await page.getByTestId('value-/3/0/3').textContent()).toBe('V1.0.0');
    expect(await page.getByTestId('value-/3/0/9').textContent()).toMatch(/^87/);
    await tree.getByText('Battery Level').waitFor();
    await tree.getByText(/2\.05 Content/).waitFor();
    await screenshot('2-object-tree');
  });

  it('sends a frame now and sees the notification of /19/0/0', async () => {
    const simulator = page.getByTestId('lwm2m-simulator');
    await simulator.getByLabel('Frame (hex, optional)').fill('0100BC614E00000E1000D7007D');
    await simulator.getByRole('button', { name: 'Notify now' }).click();
    const observed = page.getByTestId('lwm2m-observed');
    await observed.getByText('0100BC614E00000E1000D7007D').waitFor({ timeout: 10_000 });
    await observed.getByText(/\/19\/0\/0 · \d+/).waitFor();
    await screenshot('3-notified');
  });

  it('reboots the module: Waiting, then Processing after 10 s, then Success, and the meter registers again', async () => {
    const diagnosis = page.getByTestId('lwm2m-diagnosis');
    await diagnosis.getByRole('button', { name: 'Reboot module' }).click();
    const row = diagnosis.locator('tr[data-task-kind="reboot"]');
    await row.getByText('Waiting', { exact: true }).waitFor();
    await screenshot('4-reboot-waiting');
    await diagnosis.locator('tr[data-task-kind="reboot"][data-task-status="Success"]').waitFor({ timeout: 30_000 });
    await row.getByText('The device accepted the reboot.').waitFor();
    await expect
      .poll(async () => (await api(`/api/simulator/lwm2m/devices/${productId}_${nodeId}`)).json(), { timeout: 20_000 })
      .toMatchObject({ reboots: 1, registrations: 2, state: 'registered' });
    await page.getByTestId('lwm2m-registration').getByText('Registered', { exact: true }).waitFor({ timeout: 10_000 });
    await screenshot('5-reboot-success');
  });

  it('collects the log and downloads it', async () => {
    const diagnosis = page.getByTestId('lwm2m-diagnosis');
    await diagnosis.getByRole('button', { name: 'Collect logs' }).click();
    const done = diagnosis.locator('tr[data-task-kind="logs"][data-task-status="Success"]');
    await done.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      done.getByRole('button', { name: /Download log/ }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toMatch(/-log-.*\.txt$/);
    expect(text).toMatch(/reboot requested by the platform/);
    expect(text).toMatch(/REBOOT_CAUSE/);
    await screenshot('6-logs');
  });

  it('reads the same page in Chinese', async () => {
    await page.evaluate("localStorage.setItem('iotwb.language', 'zh-CN')");
    await page.reload();
    await page.getByTestId('lwm2m-registration').getByText('已注册', { exact: true }).waitFor({ timeout: 15_000 });
    const diagnosis = page.getByTestId('lwm2m-diagnosis');
    await diagnosis.getByText('远程诊断').waitFor();
    // Task results come from the core as codes and read in the chosen language.
    await diagnosis.locator('tr[data-task-kind="reboot"]').getByText('设备已接受重启。').waitFor();
    await diagnosis
      .locator('tr[data-task-kind="logs"]')
      .getByText(/已收集 \d+ 字节日志。/)
      .waitFor();
    await screenshot('7-zh-CN');
  });
});
