// Scenario 3, shipping version 1.1: Li generates the team's RSA key, builds a software package from the form,
// signs it (the passphrase is typed, never stored), and the package enters the library only once its signature
// checks out against the manufacturer's public key. Then the same pages in Chinese.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-signing-');
const PASSPHRASE = 'Release-2024!';

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let vendorFile: string;
let signedPath = '';

async function pickOption(label: string | RegExp, option: string | RegExp): Promise<void> {
  await page
    .getByLabel(label, { exact: typeof label === 'string' })
    .first()
    .click();
  await page.getByRole('option', { name: option }).click();
}

beforeAll(async () => {
  serve = await startServe(tempDir());
  // The product model the package is for; the library checks the package's description against it.
  const created = await fetch(`${serve.ready.api}/api/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      deviceType: 'WaterMeter',
      manufacturerId: 'HZYB',
      manufacturerName: 'HZYB',
      model: 'NBIoTDevice',
      protocolType: 'CoAP',
    }),
  });
  expect(created.status).toBe(201);
  vendorFile = join(tempDir(), 'watermeter_app_v1.1.bin');
  writeFileSync(vendorFile, Buffer.alloc(40_000, 0x5a));

  browser = await openBrowser({ screenshotPrefix: 'signing' });
  page = browser.page;
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) {
    const { code } = await serve.stop('SIGTERM');
    expect(code).toBe(0);
  }
}, 60_000);

describe('Li ships version 1.1', { timeout: 90_000 }, () => {
  it('opens Signing and finds no keys yet', async () => {
    await page.goto(serve.ready.ui);
    await page.getByRole('navigation').getByText('Signing').click();
    await page.getByRole('heading', { name: 'Offline signing', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByText('No keys yet').waitFor();
    expect(page.url()).toBe(`${serve.ready.api}/signing/keys`);
    await browser.screenshot('1-no-keys');
  });

  it('is told which part of the passphrase rule fails while typing', async () => {
    await page.getByRole('button', { name: 'Generate key pair' }).click();
    const dialog = page.getByRole('dialog');
    await pickOption('Algorithm', /^RSA 2048/);
    await dialog.getByLabel('Name').fill('team-rsa');
    await dialog.getByLabel('Passphrase', { exact: true }).fill('abcdefgh');
    const problem = dialog.getByTestId('passphrase-problem');
    expect(await problem.textContent()).toBe(
      'Uses only lower case letters; add upper case letters or digits or special characters.',
    );
    await browser.screenshot('2-weak-passphrase');
    await dialog.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await problem.waitFor({ state: 'detached' });
    expect(await dialog.getByTestId('passphrase-feedback').textContent()).toContain('Strong');
    await dialog.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await browser.screenshot('3-generate');
  });

  it('generates the team RSA key and sees its fingerprint', async () => {
    await page.getByTestId('generate-submit').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const row = page.getByTestId('key-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('team-rsa');
    expect(await row.textContent()).toContain('RSA2048+SHA256');
    const fingerprint = await row.getByTestId('key-fingerprint').getByTestId('copyable-value').textContent();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    await browser.screenshot('4-key-listed');
  });

  it('builds the software package from the form, with live validation', async () => {
    await page.getByRole('navigation').getByText('Packages').click();
    await page.getByRole('heading', { name: 'Upgrade packages', level: 2 }).waitFor();
    await pickOption('Fill from a product model', /WaterMeter · HZYB · NBIoTDevice/);
    expect(await page.getByRole('textbox', { name: 'Model', exact: true }).inputValue()).toBe('NBIoTDevice');
    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('V1.1-this-is-far-too-long');
    await page.getByLabel('Shard size (bytes)').fill('20');
    await page.getByText('A whole number from 32 to 500').waitFor();
    await page.getByText('1–16 bytes, no control characters').waitFor();
    await browser.screenshot('5-builder-invalid');

    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('V1.1');
    await page.getByLabel('Shard size (bytes)').fill('256');
    await page.getByLabel('Source versions', { exact: true }).fill('V1.0.*;V1.0?');
    await page.getByTestId('builder-file-input').setInputFiles(vendorFile);
    await expect.poll(() => page.getByTestId('builder-file-chosen').textContent()).toBe('watermeter_app_v1.1.bin');
    await page.getByRole('button', { name: 'Build package' }).click();
    const result = page.getByTestId('build-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('DM/linux/UpgradeDesc.json');
    expect(await result.textContent()).toContain('linux/watermeter_app_v1.1.bin');
    await browser.screenshot('6-built');
  });

  it('signs it: a wrong passphrase is refused in words, the right one signs', async () => {
    await page.getByTestId('sign-built').click();
    await page.getByRole('heading', { name: 'Offline signing', level: 2 }).waitFor();
    expect(await page.getByTestId('sign-zip-path').inputValue()).toMatch(/NBIoTDevice_V1\.1_linux\.zip$/);
    await pickOption('Key', /^team-rsa/);
    await page.getByLabel('Passphrase of the key').fill('Wrong-Pass-1');
    await page.getByTestId('sign-submit').click();
    const failure = page.getByTestId('signing-failure');
    await failure.waitFor();
    expect(await failure.textContent()).toContain('Wrong passphrase: the key could not be unlocked with it.');
    // The passphrase field is cleared after every attempt.
    expect(await page.getByLabel('Passphrase of the key').inputValue()).toBe('');
    await browser.screenshot('7-wrong-passphrase');

    await page.getByLabel('Passphrase of the key').fill(PASSPHRASE);
    await page.getByTestId('sign-submit').click();
    const signed = page.getByTestId('sign-result');
    await signed.waitFor();
    signedPath = (await signed.getByTestId('copyable-value').first().textContent()) ?? '';
    expect(signedPath).toMatch(/NBIoTDevice_V1\.1_linux_signed\.zip$/);
    await browser.screenshot('8-signed');
  });

  it('verifies the signed package', async () => {
    await page.getByRole('button', { name: 'Verify it' }).click();
    await page.getByTestId('verify-valid').waitFor();
    expect(await page.getByTestId('verify-valid').textContent()).toContain('All 2 entries match the manifest');
  });

  it('cannot add it to the library before the manufacturer has a public key', async () => {
    await page.getByTestId('add-to-library').click();
    const refused = page.getByTestId('library-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('NO_MANUFACTURER_KEY');
    await browser.screenshot('9-library-refused');
  });

  it("adds the key's public half for HZYB, uploads the package and sees it listed", async () => {
    await page.getByRole('navigation').getByText('Packages').click();
    await page.getByRole('tab', { name: 'Package library' }).click();
    await page.getByText('The library is empty').waitFor();
    const add = page.getByTestId('add-manufacturer-key');
    await add.getByLabel('Manufacturer', { exact: true }).fill('HZYB');
    await pickOption('Key pair (its public key is added)', /^team-rsa/);
    await page.getByTestId('add-key-submit').click();
    await page.getByTestId('manufacturer-key-row').waitFor();
    expect(await page.getByTestId('manufacturer-key-row').textContent()).toContain('HZYB');

    await page.getByTestId('package-file-input').setInputFiles(signedPath);
    await page.getByTestId('upload-stored').waitFor();
    const row = page.getByTestId('package-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('V1.1');
    expect(await row.textContent()).toContain('WaterMeter · HZYB · NBIoTDevice');
    await browser.screenshot('10-library');

    await row.getByRole('button').first().click();
    const details = page.getByTestId('package-details');
    await details.waitFor();
    expect(await details.textContent()).toContain('"deviceShard": 256');
    await browser.screenshot('11-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
  });

  it('refuses the same version a second time, saying why', async () => {
    await page.getByTestId('package-file-input').setInputFiles(signedPath);
    const refused = page.getByTestId('upload-refused');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('PACKAGE_EXISTS');
    expect(await refused.textContent()).toContain('The library already has this version');
  });

  it('reads the same pages in Chinese', async () => {
    await page.getByRole('button', { name: /^Language/ }).click();
    await page.getByRole('menuitem', { name: '中文' }).click();
    await page.getByRole('heading', { name: '升级包', level: 2 }).waitFor();
    await page.getByRole('heading', { name: '厂商公钥' }).waitFor();
    await browser.screenshot('12-library-zh');
    await page.getByRole('tab', { name: '软件包构建' }).click();
    await page.getByLabel('分片大小（字节）').fill('600');
    await page.getByText('32 到 500 之间的整数').waitFor();
    await browser.screenshot('13-builder-zh');
    await page.getByRole('navigation').getByText('签名').click();
    await page.getByRole('heading', { name: '离线签名', level: 2 }).waitFor();
    await page.getByTestId('key-row').waitFor();
    await browser.screenshot('14-keys-zh');
    await page.getByRole('tab', { name: '签名与验签' }).click();
    await page.getByRole('button', { name: '验签' }).click();
    await page.getByText('请选择要签名或验签的 zip').waitFor();
    await browser.screenshot('15-sign-zh');
  });
});
