// A field technician without hardware at hand starts a virtual NB-IoT module, opens its port, reads the IMEI and
// the signal in the AT console, types in the terminal, and reads the same pages in Chinese.
// Runs the built renderer (dist/renderer) in Debian's Chromium against a real `serve`; the module runs on a socat pty.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-serial-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  serve = await startServe(tempDir());
  browser = await openBrowser({ screenshotPrefix: 'serial', viewport: { width: 1400, height: 900 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a technician brings up a virtual NB-IoT module', { timeout: 60_000 }, () => {
  it('starts a virtual module and sees its port in the list', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Serial').click();
    await page.getByRole('heading', { name: 'Serial workbench', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByText('No port open').waitFor();
    await browser.screenshot('1-empty');
    await page.getByRole('button', { name: 'Virtual module on a virtual port' }).click();
    const virtualPort = page.getByTestId('serial-port').filter({ hasText: 'virtual module' });
    await virtualPort.waitFor();
    await browser.screenshot('2-virtual-port');
  });

  it('opens the port at 9600 baud', async () => {
    await page
      .getByTestId('serial-port')
      .filter({ hasText: 'virtual module' })
      .getByRole('button', { name: 'Open' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Open serial port' });
    await dialog.waitFor();
    await dialog.getByLabel('Baud rate').fill('9600');
    await browser.screenshot('3-open-dialog');
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Open', { exact: true }).first().waitFor();
  });

  it('runs AT+CGSN=1 and sees the IMEI parsed', async () => {
    await page.getByText('AT console', { exact: true }).click();
    await page.getByLabel('AT command').fill('AT+CGSN=1');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const imei = page.getByTestId('at-field-imei');
    await imei.waitFor();
    expect(await imei.textContent()).toBe('863703030000001');
    await browser.screenshot('4-imei');
  });

  it('reads the radio statistics with the coverage level gauge', async () => {
    await page.getByPlaceholder('Search commands').fill('radio');
    await page.getByRole('button', { name: /^AT\+NUESTATS/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('signal-gauge').waitFor();
    expect(await page.getByTestId('at-field-rsrpDbm').textContent()).toBe('-83.2');
    expect(await page.getByTestId('signal-gauge').textContent()).toContain('Coverage level 0');
    await browser.screenshot('5-signal');
  });

  it('types in the terminal and sees the exchange with timestamps', async () => {
    await page.getByText('Terminal', { exact: true }).click();
    await page.getByLabel('Data to send').fill('AT+CSQ');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(async () => (await page.getByRole('log', { name: 'Serial output' }).textContent()) ?? '')
      .toContain('+CSQ:21,99');
    await browser.screenshot('6-terminal');
    await page.getByRole('checkbox', { name: 'Hex' }).check();
    await expect
      .poll(async () => (await page.getByRole('log', { name: 'Serial output' }).textContent()) ?? '')
      .toContain('2B 43 53 51');
    await browser.screenshot('7-terminal-hex');
  });

  it('brings the module onto the platform with the bring-up wizard and sees the device online with decoded data', async () => {
    await page.getByText('Bring-up', { exact: true }).click();
    await page.getByText('No CoAP/LwM2M product yet').waitFor();
    await browser.screenshot('10-bring-up-empty');
    await page.getByRole('button', { name: 'Create the water meter sample' }).click();
    await page.getByLabel('Product (CoAP/LwM2M)', { exact: true }).first().waitFor();
    expect(await page.getByLabel('Platform address (CDP)', { exact: true }).first().inputValue()).toMatch(
      /^127\.0\.0\.1:\d+ /,
    );
    await page.getByLabel('Codec sample frame', { exact: true }).first().click();
    await page.getByRole('option', { name: /^Basic report/ }).click();
    expect(await page.getByLabel('Test uplink (hex, optional)').inputValue()).toBe('0100BC614E00000E1000D7007D');
    await page.getByRole('button', { name: 'Run bring-up' }).click();
    const done = page.getByTestId('bring-up-done');
    await done.waitFor({ timeout: 30_000 });
    for (const id of ['imei', 'register', 'cdp', 'reboot', 'registration', 'uplink']) {
      expect(await page.getByTestId(`bring-up-step-${id}`).getAttribute('data-state')).toBe('ok');
    }
    expect(await page.getByTestId('bring-up-data-currentReading').textContent()).toBe('12345.678');
    const registration = page.getByTestId('bring-up-step-registration');
    await registration.getByRole('button', { name: /Show the AT\/CoAP transcript/ }).click();
    const transcript = page.getByTestId('bring-up-transcript-registration');
    await transcript.waitFor();
    expect(await transcript.textContent()).toMatch(/module → platform {2}POST \/rd\?ep=863703030000001/);
    expect(await transcript.textContent()).toContain('platform → module  2.01 Created');
    await browser.screenshot('11-bring-up-done');

    await page.getByRole('button', { name: 'Run the step: Read the IMEI' }).click();
    await expect.poll(() => page.getByTestId('bring-up-step-imei').getAttribute('data-state')).toBe('ok');

    await done.getByRole('link', { name: 'Open the device' }).click();
    await page.getByTestId('latest-data').waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await page.getByTestId('latest-data').textContent()) ?? '').toContain('12345.678');
    expect(await page.getByText('Online', { exact: true }).first().isVisible()).toBe(true);
    await browser.screenshot('12-device-online');
    await page.getByRole('navigation').getByText('Serial').click();
    await page.getByRole('heading', { name: 'Serial workbench', level: 2 }).waitFor();
  });

  it('reads the same pages in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '串口工作台', level: 2 }).waitFor();
    await browser.screenshot('8-terminal-zh');
    await page.getByText('AT 控制台', { exact: true }).click();
    await page.getByLabel('AT 命令').fill('AT+NUESTATS');
    await page.getByRole('button', { name: '执行', exact: true }).click();
    await page.getByText('覆盖等级 0').waitFor();
    await browser.screenshot('9-at-zh');
    await page.getByText('设备上线', { exact: true }).click();
    await page.getByTestId('bring-up-done').waitFor();
    expect(await page.getByTestId('bring-up-step-uplink').textContent()).toContain('第一条上报已解析');
    await browser.screenshot('13-bring-up-zh');
  });
});
