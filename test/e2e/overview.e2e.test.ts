// A new user opens the link `iotwb serve` prints, finds their way around, and changes a port.
// Runs the built renderer (dist/renderer) in Debian's Chromium against a real `serve` on ephemeral ports.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  // Device ports on every interface, as `iotwb serve` does by default, so the page lists LAN addresses.
  serve = await startServe(tempDir(), ['--bind', '0.0.0.0']);
  // A fresh profile in English, whatever the machine's language; no animations, so screenshots show settled pages.
  browser = await openBrowser({ screenshotPrefix: 'overview', viewport: { width: 1280, height: 800 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('a new user opens the printed URL', { timeout: 60_000 }, () => {
  it('is told how to get in when the address has no token', async () => {
    const stranger = await browser.context.newPage();
    await stranger.goto(`${serve.ready.api}/`);
    await stranger.getByRole('heading', { name: 'Open the workbench from its link' }).waitFor({ timeout: 20_000 });
    expect(await stranger.getByText('iotwb serve', { exact: true }).isVisible()).toBe(true);
    await browser.screenshot('0-no-token', true, stranger);
    await stranger.close();
  });

  it('sees the Overview with the real MQTT and CoAP ports', async () => {
    const { ports, ui } = serve.ready;
    await page.goto(ui);
    await expect
      .poll(() => page.getByRole('heading', { name: 'Overview' }).isVisible(), { timeout: 20_000 })
      .toBe(true);

    const mqttPort = page.getByTestId('listener-port-mqtt');
    await mqttPort.waitFor();
    expect(await mqttPort.textContent()).toBe(String(ports.mqtt));
    expect(await page.getByTestId('listener-port-coap').textContent()).toBe(String(ports.coap));

    const firstEndpoint = page.getByTestId('device-endpoint').first();
    expect(await firstEndpoint.getByTestId('mqtt-url').textContent()).toMatch(new RegExp(`^mqtt://.+:${ports.mqtt}$`));
    expect(await firstEndpoint.getByTestId('coap-url').textContent()).toMatch(new RegExp(`^coap://.+:${ports.coap}$`));

    expect(await page.getByTestId('port-badge-mqtt').textContent()).toBe(`MQTT :${ports.mqtt}`);
    expect(await page.getByTestId('port-badge-coap').textContent()).toBe(`CoAP :${ports.coap}`);
    await browser.screenshot('1-overview');
  });

  it('no longer has the token in the address bar', () => {
    expect(page.url()).not.toContain('token');
    expect(page.url()).toBe(`${serve.ready.api}/`);
  });

  it('switches to 中文 and sees the sidebar translated', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    const sidebar = page.getByRole('navigation');
    await expect.poll(() => sidebar.getByText('概览').isVisible()).toBe(true);
    expect(await sidebar.getByText('设置').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('概览');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await browser.screenshot('2-chinese');
  });

  it('reloads and the language stays', async () => {
    await page.reload();
    await page.getByRole('heading', { name: '概览' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('navigation').getByText('设置').isVisible()).toBe(true);
    // The token survived the reload in this tab's sessionStorage: the data is there, no token page.
    await page.getByTestId('listener-port-mqtt').waitFor();
    await browser.screenshot('3-reloaded');
  });

  it('opens the log drawer and sees log lines', async () => {
    await page.getByRole('button', { name: '显示日志' }).click();
    const lines = page.getByTestId('log-line');
    await lines.first().waitFor({ timeout: 20_000 });
    expect(await lines.count()).toBeGreaterThan(0);
    const texts = await page.getByRole('log').textContent();
    expect(texts).toContain(`${serve.ready.ports.mqtt}`);
    await browser.screenshot('4-log-drawer');
    await page.getByRole('button', { name: '关闭日志' }).click();
    await lines.first().waitFor({ state: 'detached' });
  });

  it('changes the MQTT port in Settings and is told it applies on next start', async () => {
    // Back to English for the rest, through the Settings page this time.
    await page.getByRole('navigation').getByText('设置').click();
    await page.getByRole('heading', { name: '设置', level: 2 }).waitFor();
    await page.getByRole('main').getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    expect(page.url()).toBe(`${serve.ready.api}/settings`);

    const mqttInput = page.getByLabel('MQTT port');
    await mqttInput.fill('70000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Enter a whole number from 0 to 65535').waitFor();
    await browser.screenshot('5-settings-invalid');

    const newPort = serve.ready.ports.mqtt === 18830 ? 18831 : 18830;
    await mqttInput.fill(String(newPort));
    await page.getByRole('button', { name: 'Save' }).click();
    const saved = page.getByTestId('settings-saved');
    await saved.waitFor();
    expect(await saved.textContent()).toBe('Saved. The new values apply on the next start.');
    expect(await page.getByTestId('restart-note').textContent()).toContain('apply on the next start');
    expect(await mqttInput.inputValue()).toBe(String(newPort));
    // The core still listens where it did: the badge is unchanged.
    expect(await page.getByTestId('port-badge-mqtt').textContent()).toBe(`MQTT :${serve.ready.ports.mqtt}`);
    await browser.screenshot('6-settings-saved');
  });

  it('switches to the dark theme and it stays after a reload', async () => {
    await page.getByRole('main').getByText('Dark', { exact: true }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor({ timeout: 20_000 });
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByRole('navigation').getByText('Overview').click();
    await page.getByTestId('listener-port-mqtt').waitFor();
    await browser.screenshot('7-dark-overview');
  });
});
