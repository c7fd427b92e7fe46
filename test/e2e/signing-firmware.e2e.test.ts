// Scenario 3, firmware release 2.0: Li builds a firmware package (one .bin), signs it, checks it with the
// manufacturer's public.pem as a file, and uploads it to the library with the version and product typed in at
// upload (a firmware zip has no UpgradeDesc.json). A copy whose .bin was changed after signing is refused with
// the entry named. Half-filled forms survive tab switches; a manufacturer key is deleted through a dialog.
import { once } from 'node:events';
import { copyFileSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-e2e-firmware-');
const PASSPHRASE = 'Firmware-2.0!';
const BIN_NAME = 'tracker_fw_v2.bin';

let serve: ServeProcess;
let browser: BrowserSession;
let page: Page;
let binFile: string;
let manufacturerPem: string;
let signedPath = '';

async function api(path: string, body: unknown): Promise<Response> {
  return fetch(`${serve.ready.api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function pickOption(
  label: string | RegExp,
  option: string | RegExp,
  scope: Page | Locator = page,
): Promise<void> {
  await scope
    .getByLabel(label, { exact: typeof label === 'string' })
    .first()
    .click();
  await page.getByRole('option', { name: option }).click();
}

/** Every entry of a zip, read fully (the packages here are small). */
async function readZip(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

/** The signed zip again, its signature files untouched, one byte of the firmware changed. */
async function tamperedCopy(signed: string, out: string): Promise<string> {
  const entries = await readZip(signed);
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) {
    const content = Buffer.from(data);
    if (name === BIN_NAME) content[100] = (content[100] ?? 0) ^ 0xff;
    zip.addBuffer(content, name);
  }
  zip.end();
  const stream = createWriteStream(out);
  zip.outputStream.pipe(stream);
  await once(stream, 'close');
  return out;
}

beforeAll(async () => {
  const work = tempDir();
  serve = await startServe(tempDir());
  const product = await api('/api/products', {
    deviceType: 'Tracker',
    manufacturerId: 'HZYB',
    manufacturerName: 'HZYB',
    model: 'GPS1',
    protocolType: 'MQTT',
  });
  expect(product.status).toBe(201);
  const key = await api('/api/signing/keys', { name: 'fw-k1', algorithm: 'ecdsa-secp256k1', passphrase: PASSPHRASE });
  expect(key.status).toBe(201);
  const { publicKeyPath } = (await key.json()) as { publicKeyPath: string };
  // The manufacturer hands out its public.pem; it sits in a folder of its own on this machine.
  mkdirSync(join(work, 'hzyb'));
  manufacturerPem = join(work, 'hzyb', 'public.pem');
  copyFileSync(publicKeyPath, manufacturerPem);
  binFile = join(work, BIN_NAME);
  writeFileSync(binFile, Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 31) % 251)));

  browser = await openBrowser({ screenshotPrefix: 'firmware' });
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

describe('Li ships firmware 2.0', { timeout: 90_000 }, () => {
  it('keeps a half-filled software form across a tab switch', async () => {
    await page.goto(`${serve.ready.ui}`);
    await page.getByRole('navigation').getByText('Packages').click();
    await page.getByRole('heading', { name: 'Upgrade packages', level: 2 }).waitFor({ timeout: 20_000 });
    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('V9.9-draft');
    await page.getByRole('tab', { name: 'Package library' }).click();
    await page.getByText('The library is empty').waitFor();
    await page.getByRole('tab', { name: 'Package builder' }).click();
    expect(await page.getByRole('textbox', { name: 'Version', exact: true }).inputValue()).toBe('V9.9-draft');
  });

  it('builds the firmware package: one .bin in a zip', async () => {
    await page.getByTestId('builder-kind').getByText('Firmware package').click();
    await page.getByText('A firmware package is one .bin file in a .zip.').waitFor();
    await page.getByTestId('build-firmware').click();
    await page.getByText('Choose the .bin file').waitFor();
    await page.getByTestId('builder-bin-input').setInputFiles(binFile);
    await expect.poll(() => page.getByTestId('builder-bin-chosen').textContent()).toBe(BIN_NAME);
    await page.getByTestId('build-firmware').click();
    const result = page.getByTestId('build-result');
    await result.waitFor();
    expect(await result.textContent()).toContain(BIN_NAME);
    expect(await result.getByTestId('copyable-value').first().textContent()).toMatch(/tracker_fw_v2\.zip$/);
    await browser.screenshot('1-built');
    // The software form is still there, as typed, behind the kind switch.
    await page.getByTestId('builder-kind').getByText('Software package').click();
    expect(await page.getByRole('textbox', { name: 'Version', exact: true }).inputValue()).toBe('V9.9-draft');
    await page.getByTestId('builder-kind').getByText('Firmware package').click();
    await page.getByTestId('build-result').waitFor();
  });

  it('signs it with the stored key', async () => {
    await page.getByTestId('sign-built').click();
    await page.getByRole('heading', { name: 'Offline signing', level: 2 }).waitFor();
    expect(await page.getByTestId('sign-zip-path').inputValue()).toMatch(/tracker_fw_v2\.zip$/);
    await pickOption('Key', /^fw-k1/);
    await page.getByLabel('Passphrase of the key').fill(PASSPHRASE);
    await page.getByTestId('sign-submit').click();
    const signed = page.getByTestId('sign-result');
    await signed.waitFor();
    signedPath = (await signed.getByTestId('copyable-value').first().textContent()) ?? '';
    expect(signedPath).toMatch(/tracker_fw_v2_signed\.zip$/);
  });

  it("verifies the signed zip with the manufacturer's public.pem given as a file", async () => {
    await page.getByTestId('verify-with').getByText('Public key file (verify only)').click();
    await page.getByTestId('verify-submit').click();
    await page.getByText('Enter the path of the public key file').waitFor();
    await page.getByTestId('verify-public-key-path').fill(manufacturerPem);
    await page.getByTestId('sign-zip-path').fill(signedPath);
    await page.getByTestId('verify-submit').click();
    const valid = page.getByTestId('verify-valid');
    await valid.waitFor();
    expect(await valid.textContent()).toContain('The one entry matches the manifest');
    await browser.screenshot('2-verified-with-pem');
  });

  it('uploads it to the library with its version and product typed in', async () => {
    await page.getByRole('navigation').getByText('Packages').click();
    await page.getByRole('tab', { name: 'Package library' }).click();
    const add = page.getByTestId('add-manufacturer-key');
    await add.getByLabel('Manufacturer', { exact: true }).fill('HZYB');
    await pickOption('Key pair (its public key is added)', /^fw-k1/);
    await page.getByTestId('add-key-submit').click();
    await page.getByTestId('manufacturer-key-row').waitFor();

    await page.getByTestId('upload-kind').getByText('Firmware package').click();
    const metadata = page.getByTestId('firmware-metadata');
    await metadata.waitFor();
    // Without its details a firmware zip is not sent; the fields say what is missing.
    await page.getByTestId('package-file-input').setInputFiles(signedPath);
    await page.getByTestId('upload-metadata-missing').waitFor();
    expect(await page.getByTestId('upload-metadata-missing').textContent()).toContain('5 firmware details');
    await metadata.getByText('Choose LWM2M or MQTT').waitFor();
    await browser.screenshot('3-metadata-missing');

    await pickOption('Fill from a product model', /Tracker · HZYB · GPS1 · MQTT/, metadata);
    expect(await metadata.getByRole('textbox', { name: 'Model', exact: true }).inputValue()).toBe('GPS1');
    await metadata.getByRole('textbox', { name: 'Version', exact: true }).fill('V2.0');
    await metadata.getByRole('textbox', { name: 'Source versions' }).fill('V1.*');
    await page.getByTestId('package-file-input').setInputFiles(signedPath);
    await page.getByTestId('upload-stored').waitFor();
    const row = page.getByTestId('package-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('V2.0');
    expect(await row.textContent()).toContain('firmware');
    expect(await row.textContent()).toContain('Tracker · HZYB · GPS1');
    await browser.screenshot('4-firmware-listed');
  });

  it('refuses a copy whose firmware changed after signing, naming the entry', async () => {
    const tampered = await tamperedCopy(signedPath, join(tempDir(), 'tracker_fw_v2_tampered_signed.zip'));
    await page.getByTestId('firmware-metadata').getByRole('textbox', { name: 'Version', exact: true }).fill('V2.1');
    await page.getByTestId('package-file-input').setInputFiles(tampered);
    const refused = page.getByTestId('upload-refused');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('ENTRY_CHANGED');
    expect(await refused.textContent()).toContain('An entry was changed after signing');
    expect(await refused.getByTestId('problem-entry').textContent()).toBe(BIN_NAME);
    expect(await page.getByTestId('package-row').count()).toBe(1);
    await browser.screenshot('5-tampered-refused');
  });

  it('deletes the manufacturer key after confirming in a dialog', async () => {
    await page.getByTestId('manufacturer-key-delete').click();
    const dialog = page.getByTestId('manufacturer-key-delete-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Delete this public key of HZYB?');
    await browser.screenshot('6-delete-key-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('manufacturer-key-row').count()).toBe(1);

    await page.getByTestId('manufacturer-key-delete').click();
    await page.getByTestId('manufacturer-key-delete-confirm').click();
    await page.getByTestId('manufacturer-key-delete-dialog').waitFor({ state: 'detached' });
    await page.getByText('No manufacturer keys yet').waitFor();
  });
});
