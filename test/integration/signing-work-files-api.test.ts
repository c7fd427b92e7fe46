// The browser's way in and out: a zip sent from the browser is stored in the work area, signed by its path and
// downloaded back; a key pair's public.pem becomes a manufacturer key by its path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';
import { writeZip } from '../unit/core/signing/zip-builders.js';

const tempDir = useTempDirs('iotwb-workfiles-');
const PASS = 'Secret-Pass-42';
let core: RunningCore;

async function call<T = Record<string, unknown>>(path: string, init: RequestInit = {}) {
  const res = await core.api(path, init);
  return { status: res.status, body: (await res.json()) as T };
}
const postJson = <T = Record<string, unknown>>(path: string, body: unknown) =>
  call<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  core = await startCore({ dataDir: tempDir() });
});
afterAll(() => core?.stop());

describe('work files for the browser', () => {
  it('stores an uploaded zip in the work area, signs it by path and downloads the signed zip', async () => {
    const zip = readFileSync(await writeZip(join(tempDir(), 'app.zip'), { 'app.bin': Buffer.alloc(2000, 7) }));
    const stored = await call<{ path: string; name: string; size: number }>('/api/signing/files?name=app.zip', {
      method: 'POST',
      body: zip,
      headers: { 'content-type': 'application/zip' },
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ name: 'app.zip', size: zip.length });
    expect(stored.body.path.startsWith(join(core.runtime.dataDir, 'work'))).toBe(true);
    expect(readFileSync(stored.body.path).equals(zip)).toBe(true);

    await postJson('/api/signing/keys', { name: 'k1', algorithm: 'ecdsa-p256', passphrase: PASS });
    const signed = await postJson<{ outputPath: string }>('/api/signing/sign', {
      inputPath: stored.body.path,
      keyName: 'k1',
      passphrase: PASS,
    });
    expect(signed.status).toBe(200);

    const download = await core.api(`/api/signing/files/download?path=${encodeURIComponent(signed.body.outputPath)}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toContain('app_signed.zip');
    expect(Buffer.from(await download.arrayBuffer()).equals(readFileSync(signed.body.outputPath))).toBe(true);
  });

  it('refuses file names that would leave the work area', async () => {
    for (const name of ['../evil.zip', 'a/b.zip', '..']) {
      const res = await call(`/api/signing/files?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: Buffer.from('x'),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(res.status, name).toBe(400);
      expect(res.body.path).toBe('query.name');
    }
  });

  it('downloads only zip files that exist', async () => {
    const notZip = await call(`/api/signing/files/download?path=${encodeURIComponent('/etc/passwd')}`);
    expect(notZip.status).toBe(400);
    expect(notZip.body.message).toContain('only .zip files');
    const missing = await call(`/api/signing/files/download?path=${encodeURIComponent('/nowhere/x.zip')}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('FILE_NOT_FOUND');
  });

  it("adds a key pair's public.pem as a manufacturer key by its path", async () => {
    const key = await postJson<{ publicKeyPath: string; fingerprint: string; privateKeyPath: string }>(
      '/api/signing/keys',
      { name: 'k2', algorithm: 'ecdsa-secp256k1', passphrase: PASS },
    );
    const added = await postJson('/api/packages/manufacturer-keys/from-file', {
      manufacturerName: 'HZYB',
      publicKeyPath: key.body.publicKeyPath,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ manufacturerName: 'HZYB', fingerprint: key.body.fingerprint });

    const missing = await postJson('/api/packages/manufacturer-keys/from-file', {
      manufacturerName: 'HZYB',
      publicKeyPath: join(tempDir(), 'none.pem'),
    });
    expect(missing.status).toBe(404);
    // An encrypted private key is not a public key: refused, nothing about its content in the answer.
    const priv = await postJson('/api/packages/manufacturer-keys/from-file', {
      manufacturerName: 'HZYB',
      publicKeyPath: key.body.privateKeyPath,
    });
    expect(priv.status).toBe(400);
    expect(priv.body.code).toBe('BAD_KEY');
    expect(JSON.stringify(priv.body)).not.toContain('PRIVATE KEY');
  });
});
