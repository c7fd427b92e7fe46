// An embedded engineer flashes an emulated ESP32 from the Flash tab: detects the chip, picks an app image at the
// prefilled 0x10000, flashes at 921600 and sees the verify result; then a board left in its app gets the guided
// manual boot and a retry; a signed release from the package library; the same tab in Chinese. The ROM loader emulator runs on a socat pty in this process.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEmulatorOnSerial, type RunningEmulator } from '../../core/flashing/emulator-on-serial.js';
import { EspRomEmulator } from '../../core/flashing/esp/esp-rom-emulator.js';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-flash-');

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let pty: PtyPair;
let sim: RunningEmulator<EspRomEmulator>;
let appFile: string;
const app = randomBytes(256 * 1024);

beforeAll(async () => {
  pty = await createPtyPair(join(tempDir(), 'pty'));
  sim = await runEmulatorOnSerial(
    pty.devicePath,
    (send) => new EspRomEmulator({ chip: 'esp32', bootMode: 'flash' }, send),
  );
  appFile = join(tempDir(), 'blink.bin');
  writeFileSync(appFile, app);
  serve = await startServe(tempDir());
  browser = await openBrowser({ screenshotPrefix: 'flash', viewport: { width: 1400, height: 1000 } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
  await sim?.stop();
  await pty?.close();
}, 60_000);

async function chooseFile(part: string, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: `Choose file for ${part}` }).click();
  await (await chooser).setFiles(file);
}

async function api<T>(path: string, body?: unknown, raw?: Buffer): Promise<T> {
  const r = await fetch(`${serve.ready.api}${path}`, {
    method: body === undefined && raw === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${serve.ready.token}`,
      'content-type': raw ? 'application/zip' : 'application/json',
    },
    ...(raw ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.status, path).toBeLessThan(300);
  return (await r.json()) as T;
}

/** A release engineer's part: product, signing key, manufacturer key, a signed firmware package in the library. */
async function storeSignedRelease(firmware: Buffer): Promise<string> {
  const identity = { deviceType: 'Meter', manufacturerName: 'ACME', model: 'ESP-M1', protocolType: 'MQTT' };
  await api('/api/products', { ...identity, manufacturerId: 'ACME' });
  const passphrase = 'Release-Pass-77';
  const key = await api<{ fingerprint: string; publicKeyPath: string }>('/api/signing/keys', {
    name: 'release',
    algorithm: 'ecdsa-p256',
    passphrase,
  });
  await api('/api/packages/manufacturer-keys', {
    manufacturerName: 'ACME',
    publicKeyPem: readFileSync(key.publicKeyPath, 'utf8'),
  });
  const dir = tempDir();
  writeFileSync(join(dir, 'fw-3.1.bin'), firmware);
  const built = await api<{ outputPath: string }>('/api/packages/build/firmware', {
    binPath: join(dir, 'fw-3.1.bin'),
    outputPath: join(dir, 'fw-3.1.zip'),
  });
  const signed = await api<{ outputPath: string }>('/api/signing/sign', {
    inputPath: built.outputPath,
    keyName: 'release',
    passphrase,
  });
  const q = '?version=V3.1&deviceType=Meter&manufacturerName=ACME&model=ESP-M1&protocolType=MQTT';
  await api(`/api/packages${q}`, undefined, readFileSync(signed.outputPath));
  return key.fingerprint;
}

describe('flashing an ESP32 from the Flash tab', { timeout: 90_000 }, () => {
  it('gets the guided manual boot when the board runs its app, and flashes after the retry', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Serial').click();
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.getByTestId('flash-port').fill(pty.hostPath);
    await page.getByTestId('flash-baud').click();
    await page.getByRole('option', { name: '921600' }).click();
    await chooseFile('Application', appFile);
    await page.getByText(`blink.bin (${app.length.toLocaleString('en')} B) · unsigned file`).waitFor();
    // A file carries no signature: the flash waits for the explicit choice.
    const flashButton = page.getByRole('button', { name: 'Flash', exact: true });
    expect(await flashButton.isDisabled()).toBe(true);
    await page.getByLabel('Write the unsigned file images: no signature vouches for them').check();
    await browser.screenshot('1-images');
    await flashButton.click();
    await page.getByText('The board is not in its bootloader').waitFor({ timeout: 60_000 });
    await page.getByText('Hold the BOOT button, tap RESET (EN), release BOOT, then start again.').first().waitFor();
    await browser.screenshot('2-wrong-boot-mode');

    sim.emulator.enterDownloadMode();
    await page.getByRole('button', { name: 'I did that — retry' }).click();
    await page.getByText('Verify passed: the flash matches the images.').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('flash-log').textContent()).resolves.toMatch(/Hash of data verified/);
    await browser.screenshot('3-verified', true);
    expect(Buffer.from(sim.emulator.flash.subarray(0x10000, 0x10000 + app.length)).equals(app)).toBe(true);
  });

  it('detects the chip and lists the flash among the recent ones', async () => {
    await page.getByRole('button', { name: 'Detect chip' }).click();
    const card = page.getByTestId('flash-chip');
    await card.getByText('24:0a:c4:12:34:56').waitFor({ timeout: 30_000 });
    await expect(card.textContent()).resolves.toMatch(/ESP32-D0WD.*4MB/);
    await page.getByRole('cell', { name: 'done' }).first().waitFor();
    await browser.screenshot('4-detected', true);
  });

  it('flashes a signed release chosen from the package library and records the key that verified it', async () => {
    const release = randomBytes(64 * 1024);
    const fingerprint = await storeSignedRelease(release);
    await page.reload();
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.getByTestId('flash-port').fill(pty.hostPath);
    await page.getByLabel('Package from the library for Application').first().click();
    await page.getByRole('option', { name: 'fw-3.1.bin · V3.1' }).click();
    await page.getByText('library package: its signature is checked before writing').waitFor();
    expect(await page.getByTestId('flash-unsigned').count()).toBe(0);
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await page.getByText('Verify passed: the flash matches the images.').waitFor({ timeout: 60_000 });
    await page.getByText(`verified, V3.1 (key ${fingerprint.slice(0, 16)}…)`).waitFor();
    await browser.screenshot('5-from-library', true);
    expect(Buffer.from(sim.emulator.flash.subarray(0x10000, 0x10000 + release.length)).equals(release)).toBe(true);
  });

  it('reads the same tab in Chinese', async () => {
    const zh = await browser.newContext({ locale: 'zh-CN' });
    const zhPage = await zh.newPage();
    await zhPage.goto(serve.ready.ui);
    await zhPage.getByRole('navigation').getByText('串口').click();
    await zhPage.getByRole('tab', { name: '烧录' }).click();
    await zhPage.getByText('最近的烧录').waitFor();
    await zhPage.getByRole('cell', { name: '完成' }).first().waitFor();
    await zhPage.getByText('已校验，V3.1').first().waitFor();
    await browser.screenshot('6-zh-CN', true, zhPage);
  });
});
