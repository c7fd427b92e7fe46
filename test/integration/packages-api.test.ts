// A release engineer's round trip through the API: key, package, signature, manufacturer key, library.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';
import { writeZip } from '../unit/core/signing/zip-builders.js';

const tempDir = useTempDirs('iotwb-packages-');
const PASS = 'Secret-Pass-42';
let core: RunningCore;
let work: string;

async function json<T = Record<string, unknown>>(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await core.api(path, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
  return { status: res.status, body: (await res.json()) as T };
}
const post = <T = Record<string, unknown>>(path: string, body: unknown) =>
  json<T>(path, { method: 'POST', body: JSON.stringify(body) });
const upload = (bytes: Buffer, query = '') =>
  json(`/api/packages${query}`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/zip' } });

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir(), logLevel: 'trace' });
  work = tempDir();
  const product = await post('/api/products', {
    deviceType: 'WaterMeter',
    manufacturerId: 'HZYB',
    manufacturerName: 'HZYB',
    model: 'NBIoTDevice',
    protocolType: 'CoAP',
  });
  expect(product.status).toBe(201);
});
afterAll(() => core?.stop());

describe('signing over the API', () => {
  it('refuses a weak passphrase naming the failing part', async () => {
    const res = await post('/api/signing/keys', { name: 'weak', algorithm: 'ed25519', passphrase: 'abcdefgh' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('uses only lower case letters');
  });

  it('generates, lists, signs and verifies; the passphrase never reaches the log file', async () => {
    const key = await post<{ fingerprint: string; publicKeyPath: string; privateKeyPath: string }>(
      '/api/signing/keys',
      {
        name: 'release',
        algorithm: 'ecdsa-secp256k1',
        passphrase: PASS,
      },
    );
    expect(key.status).toBe(201);
    expect(key.body.privateKeyPath).toBe(join(core.runtime.dataDir, 'keys', 'release', 'private.pem'));
    expect(JSON.stringify(key.body)).not.toContain('PRIVATE KEY');
    const list = await json<{ keys: { name: string; fingerprint: string }[] }>('/api/signing/keys');
    expect(list.body.keys).toEqual([expect.objectContaining({ name: 'release', fingerprint: key.body.fingerprint })]);

    writeFileSync(join(work, 'app.bin'), Buffer.alloc(3000, 1));
    const built = await post<{ outputPath: string; entries: string[] }>('/api/packages/build/software', {
      filePath: join(work, 'app.bin'),
      version: 'V1.0.1',
      deviceType: 'WaterMeter',
      manufacturerName: 'HZYB',
      model: 'NBIoTDevice',
      protocolType: 'CoAP',
      supportSourceVersionList: 'V1.0.*;V0.9',
      date: '2024-05-01',
    });
    expect(built.status).toBe(201);
    expect(built.body.entries).toEqual(['DM/linux/UpgradeDesc.json', 'linux/app.bin']);

    const wrong = await post('/api/signing/sign', {
      inputPath: built.body.outputPath,
      keyName: 'release',
      passphrase: 'Wrong-Pass-1',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('WRONG_PASSPHRASE');

    const signed = await post<{ outputPath: string }>('/api/signing/sign', {
      inputPath: built.body.outputPath,
      keyName: 'release',
      passphrase: PASS,
    });
    expect(signed.status).toBe(200);
    expect(signed.body.outputPath).toMatch(/_signed\.zip$/);
    const verified = await post('/api/signing/verify', { inputPath: signed.body.outputPath, keyName: 'release' });
    expect(verified.body).toMatchObject({ valid: true, keyFingerprint: key.body.fingerprint });

    const unsigned = await post('/api/signing/verify', { inputPath: built.body.outputPath, keyName: 'release' });
    expect(unsigned.body).toMatchObject({ valid: false, code: 'UNSIGNED' });

    // The library: manufacturer key, upload, list, refuse unsigned and foreign signatures.
    const noKey = await upload(readFileSync(signed.body.outputPath));
    expect(noKey.body.code).toBe('NO_MANUFACTURER_KEY');
    const mk = await post<{ id: string }>('/api/packages/manufacturer-keys', {
      manufacturerName: 'HZYB',
      label: 'release 2024',
      publicKeyPem: readFileSync(key.body.publicKeyPath, 'utf8'),
    });
    expect(mk.status).toBe(201);
    expect((await upload(readFileSync(built.body.outputPath))).body.code).toBe('UNSIGNED');

    const stored = await upload(readFileSync(signed.body.outputPath));
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({
      kind: 'software',
      version: 'V1.0.1',
      model: 'NBIoTDevice',
      keyFingerprint: key.body.fingerprint,
    });
    const listed = await json<{ packages: { id: string }[] }>('/api/packages');
    expect(listed.body.packages.map((p) => p.id)).toEqual([stored.body.id]);
    expect((await upload(readFileSync(signed.body.outputPath))).status).toBe(409);

    await post('/api/signing/keys', { name: 'other', algorithm: 'rsa-2048', passphrase: PASS });
    const other = await post<{ outputPath: string }>('/api/signing/sign', {
      inputPath: built.body.outputPath,
      keyName: 'other',
      passphrase: PASS,
      outputPath: join(work, 'other_signed.zip'),
    });
    const foreign = await upload(readFileSync(other.body.outputPath));
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('SIGNATURE_INVALID');
    expect(String(foreign.body.message)).toContain(key.body.fingerprint);

    const del = await json(`/api/packages/${String(stored.body.id)}`, { method: 'DELETE' });
    expect(del.status).toBe(200);

    await core.platform.stop();
    const logDir = join(core.runtime.dataDir, 'logs');
    const logs = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    core = await startCore({ dataDir: core.runtime.dataDir, logLevel: 'trace' });
    expect(logs).toContain('signed');
    expect(logs).not.toContain(PASS);
  });

  it('refuses a package whose product model does not exist', async () => {
    const pkg = await writeZip(join(work, 'fw.zip'), { 'fw.bin': Buffer.alloc(100, 2) });
    const signed = await post<{ outputPath: string }>('/api/signing/sign', {
      inputPath: pkg,
      keyName: 'release',
      passphrase: PASS,
    });
    const q = '?version=V2&deviceType=WaterMeter&manufacturerName=HZYB&model=Unknown&protocolType=LWM2M';
    const res = await upload(readFileSync(signed.body.outputPath), q);
    expect(res.body.code).toBe('PRODUCT_NOT_FOUND');
    const missing = await upload(readFileSync(signed.body.outputPath), '?version=V2');
    expect(missing.body.code).toBe('MISSING_METADATA');
  });

  it('refuses to build with an invalid description, naming the field', async () => {
    const res = await post('/api/packages/build/software', {
      filePath: join(work, 'app.bin'),
      version: 'V1.0.1-much-too-long-version',
      deviceType: 'WaterMeter',
      manufacturerName: 'HZYB',
      model: 'NBIoTDevice',
      protocolType: 'CoAP',
    });
    expect(res.status).toBe(400);
    expect(res.body.path).toBe('body.version');
  });
});
