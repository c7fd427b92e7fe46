// A user checks in Settings where the key that decrypts their device secrets lives: a key file beside the database
// when the workbench runs headless, the OS keychain in the desktop app, and why not when the keychain is missing.
// Runs the built renderer (dist/renderer) in Debian's Chromium against `serve` and against cores started the way
// the desktop app starts them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSecretKeySource } from '../../core/config.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startCore } from '../support/core.js';
import { startServe } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const rendererDir = join(process.cwd(), 'dist', 'renderer');
const tempDir = useTempDirs('iotwb-e2e-key-');

let browser: BrowserSession;

beforeAll(async () => {
  browser = await openBrowser({ screenshotPrefix: 'secret-key' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function openSettings(ui: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(ui);
  await page.getByRole('navigation').getByText('Settings').click();
  await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor({ timeout: 20_000 });
  await page.getByTestId('secret-key-location').waitFor({ timeout: 20_000 });
  return page;
}

async function keyCard(page: Page): Promise<string> {
  return (await page.getByTestId('secret-key-location').textContent()) ?? '';
}

/** A core started as the desktop app starts it: with what its main process found out about the keychain. */
async function desktopCore(dataDir: string, deviceSecretKey: DeviceSecretKeySource) {
  const core = await startCore({ dataDir, rendererDir, deviceSecretKey });
  return { core, ui: `${core.runtime.apiUrl}/#token=${core.runtime.token}` };
}

describe('where the device secrets key lives', { timeout: 60_000 }, () => {
  it('headless, Settings shows the key file beside the database', async () => {
    const serve = await startServe(tempDir());
    try {
      const page = await openSettings(serve.ready.ui);
      const text = await keyCard(page);
      expect(text).toContain('Key file');
      expect(text).toContain(join(serve.ready.dataDir, 'device-secrets.key'));
      expect(text).toContain('readable only by your user account (0600)');
      expect(text).not.toContain('OS keychain');
      await browser.screenshot('1-headless-key-file', true, page);
      await page.close();
    } finally {
      expect((await serve.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('in the desktop app, Settings says the OS keychain holds it, in English and Chinese', async () => {
    const dataDir = tempDir();
    const wrappedFile = join(dataDir, 'device-secrets.key.safe');
    const { core, ui } = await desktopCore(dataDir, {
      store: 'os-keychain',
      keyHex: randomBytes(32).toString('hex'),
      wrappedFile,
    });
    try {
      const page = await openSettings(ui);
      const text = await keyCard(page);
      expect(text).toContain('OS keychain');
      expect(text).toContain(wrappedFile);
      expect(text).toContain('The plain key is never written to disk.');
      await browser.screenshot('2-os-keychain', true, page);

      await page.getByRole('main').getByText('中文', { exact: true }).click();
      await page.getByRole('heading', { name: '设置', level: 2 }).waitFor();
      expect(await keyCard(page)).toContain('系统钥匙串');
      await browser.screenshot('3-os-keychain-zh', true, page);
      await page.getByRole('main').getByText('English', { exact: true }).click();
      await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
      await page.close();
    } finally {
      await core.stop();
    }
  });

  it('in the desktop app without a secret store, Settings says why the key stays in a file', async () => {
    const dataDir = tempDir();
    const { core, ui } = await desktopCore(dataDir, { store: 'key-file', keychainUnavailable: 'linux-basic-text' });
    try {
      const page = await openSettings(ui);
      const text = await keyCard(page);
      expect(text).toContain('Key file');
      expect(text).toContain(join(dataDir, 'device-secrets.key'));
      expect(text).toContain(
        'The OS keychain could not be used: no secret store (such as GNOME Keyring or KWallet) is running in this session.',
      );
      await browser.screenshot('4-no-keychain', true, page);
      await page.close();
    } finally {
      await core.stop();
    }
  });
});
