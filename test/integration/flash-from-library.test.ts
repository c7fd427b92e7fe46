// A field technician flashes a signed release from the package library to an emulated ESP32: the signature is
// checked again before anything is written (a changed file, a removed or replaced manufacturer key stop it), the
// record names the package and the key, and a software package's binary is written the same way.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashOperation } from '../../core/contract/flashing.js';
import { runEmulatorOnSerial, type RunningEmulator } from '../../core/flashing/emulator-on-serial.js';
import { EspRomEmulator } from '../../core/flashing/esp/esp-rom-emulator.js';
import { createPtyPair, type PtyPair } from '../../core/serial/module-sim/pty-pair.js';
import { startCore, type RunningCore } from '../support/core.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-flash-library-');
const PASS = 'Secret-Pass-42';
const identity = { deviceType: 'WaterMeter', manufacturerName: 'HZYB', model: 'NB-ESP32', protocolType: 'MQTT' };

let core: RunningCore;
let pty: PtyPair;
let sim: RunningEmulator<EspRomEmulator>;
let work: string;
let publicKeyPem: string;
let fingerprint: string;

async function call<T = Record<string, unknown>>(
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const r = await core.api(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function upload(zip: string, query: string): Promise<{ status: number; body: { id: string; code?: string } }> {
  const r = await core.api(`/api/packages${query}`, {
    method: 'POST',
    body: readFileSync(zip),
    headers: { 'content-type': 'application/zip' },
  });
  return { status: r.status, body: (await r.json()) as { id: string; code?: string } };
}

async function signed(input: string): Promise<string> {
  const res = await call<{ outputPath: string }>('/api/signing/sign', 'POST', {
    inputPath: input,
    keyName: 'release',
    passphrase: PASS,
  });
  expect(res.status).toBe(200);
  return res.body.outputPath;
}

async function finished(id: string): Promise<FlashOperation> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await call<FlashOperation>(`/api/flash/operations/${id}`);
    if (body.status !== 'running') return body;
    if (Date.now() > deadline) throw new Error('the flash did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const flashPackage = (packageId: string, offset = 0x10000) =>
  call<FlashOperation & { code?: string; message?: string }>('/api/flash', 'POST', {
    port: pty.hostPath,
    chip: 'esp32',
    images: [{ offset, packageId }],
  });

beforeAll(async () => {
  work = tempDir();
  pty = await createPtyPair(join(work, 'pty'));
  sim = await runEmulatorOnSerial(pty.devicePath, (send) => new EspRomEmulator({ chip: 'esp32' }, send));
  core = await startCore({ dataDir: tempDir() });
  expect((await call('/api/products', 'POST', { ...identity, manufacturerId: 'HZYB' })).status).toBe(201);
  const key = await call<{ fingerprint: string; publicKeyPath: string }>('/api/signing/keys', 'POST', {
    name: 'release',
    algorithm: 'ecdsa-p256',
    passphrase: PASS,
  });
  expect(key.status).toBe(201);
  fingerprint = key.body.fingerprint;
  publicKeyPem = readFileSync(key.body.publicKeyPath, 'utf8');
  expect(
    (await call('/api/packages/manufacturer-keys', 'POST', { manufacturerName: 'HZYB', publicKeyPem })).status,
  ).toBe(201);
}, 60_000);

afterAll(async () => {
  await core?.stop();
  await sim?.stop();
  await pty?.close();
});

describe('flashing a package from the library', () => {
  const firmware = randomBytes(120_000);
  let packageId: string;

  it('verifies the signed firmware, writes its binary and records the package and the key', async () => {
    writeFileSync(join(work, 'fw-1.2.bin'), firmware);
    const built = await call<{ outputPath: string }>('/api/packages/build/firmware', 'POST', {
      binPath: join(work, 'fw-1.2.bin'),
      outputPath: join(work, 'fw-1.2.zip'),
    });
    expect(built.status).toBe(201);
    const q = `?version=V1.2&deviceType=WaterMeter&manufacturerName=HZYB&model=NB-ESP32&protocolType=MQTT`;
    const stored = await upload(await signed(built.body.outputPath), q);
    expect(stored.status).toBe(201);
    packageId = stored.body.id;

    const started = await flashPackage(packageId);
    expect(started.status).toBe(202);
    const op = await finished(started.body.id);
    expect(op).toMatchObject({
      status: 'ok',
      verified: true,
      total: firmware.length,
      images: [{ offset: 0x10000, size: firmware.length, name: 'fw-1.2.bin', packageId, packageVersion: 'V1.2' }],
    });
    expect(op.images[0]!.signedBy).toBe(fingerprint);
    expect(Buffer.from(sim.emulator.flash.subarray(0x10000, 0x10000 + firmware.length)).equals(firmware)).toBe(true);
  });

  it('refuses a stored package whose file changed since upload, before touching the board', async () => {
    const path = join(core.runtime.dataDir, 'packages', `${packageId}.zip`);
    const original = readFileSync(path);
    const changed = Buffer.from(original);
    changed[40] = changed[40]! ^ 0xff;
    writeFileSync(path, changed);
    sim.emulator.flash.fill(0x5a, 0x10000, 0x10000 + firmware.length);
    const before = (await call<{ operations: FlashOperation[] }>('/api/flash/operations')).body.operations.length;

    const refused = await flashPackage(packageId);
    expect(refused).toMatchObject({ status: 409, body: { code: 'PACKAGE_CHANGED' } });
    expect(refused.body.message).toContain('changed since it was uploaded');
    expect(sim.emulator.flash.subarray(0x10000, 0x10000 + firmware.length).every((b) => b === 0x5a)).toBe(true);
    const after = (await call<{ operations: FlashOperation[] }>('/api/flash/operations')).body.operations.length;
    expect(after).toBe(before);
    writeFileSync(path, original);
  });

  it('refuses when the manufacturer key was removed or replaced by another one', async () => {
    const keys = await call<{ keys: { id: string }[] }>('/api/packages/manufacturer-keys');
    await call(`/api/packages/manufacturer-keys/${keys.body.keys[0]!.id}`, 'DELETE');
    const noKey = await flashPackage(packageId);
    expect(noKey.body.code).toBe('NO_MANUFACTURER_KEY');

    const other = await call<{ publicKeyPath: string }>('/api/signing/keys', 'POST', {
      name: 'other',
      algorithm: 'ed25519',
      passphrase: PASS,
    });
    await call('/api/packages/manufacturer-keys', 'POST', {
      manufacturerName: 'HZYB',
      publicKeyPem: readFileSync(other.body.publicKeyPath, 'utf8'),
    });
    const foreign = await flashPackage(packageId);
    expect(foreign).toMatchObject({ status: 400, body: { code: 'SIGNATURE_INVALID' } });
    expect(foreign.body.message).toContain(fingerprint);

    await call('/api/packages/manufacturer-keys', 'POST', { manufacturerName: 'HZYB', publicKeyPem });
    const unknown = await flashPackage('no-such-package');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'PACKAGE_NOT_FOUND' } });
  });

  it("writes a software package's binary next to an unsigned bootloader only when that is chosen", async () => {
    const app = randomBytes(50_000);
    writeFileSync(join(work, 'app.bin'), app);
    const built = await call<{ outputPath: string }>('/api/packages/build/software', 'POST', {
      filePath: join(work, 'app.bin'),
      version: 'V2.0',
      ...identity,
      date: '2026-12-01',
    });
    expect(built.status).toBe(201);
    const stored = await upload(await signed(built.body.outputPath), '');
    expect(stored.status).toBe(201);
    const bootloader = randomBytes(4096);
    const images = [
      { offset: 0x1000, name: 'bootloader.bin', base64: bootloader.toString('base64') },
      { offset: 0x10000, packageId: stored.body.id },
    ];
    const refused = await call<{ code: string; path: string }>('/api/flash', 'POST', {
      port: pty.hostPath,
      chip: 'esp32',
      images,
    });
    expect(refused).toMatchObject({ status: 400, body: { code: 'FLASH_UNSIGNED_IMAGE', path: 'body.images.0' } });

    const started = await call<FlashOperation>('/api/flash', 'POST', {
      port: pty.hostPath,
      chip: 'esp32',
      images,
      allowUnsigned: true,
    });
    const op = await finished(started.body.id);
    expect(op.status).toBe('ok');
    expect(op.images.map((i) => [i.name, i.packageVersion, i.signedBy])).toEqual([
      ['bootloader.bin', null, null],
      ['app.bin', 'V2.0', fingerprint],
    ]);
    expect(Buffer.from(sim.emulator.flash.subarray(0x1000, 0x1000 + bootloader.length)).equals(bootloader)).toBe(true);
    expect(Buffer.from(sim.emulator.flash.subarray(0x10000, 0x10000 + app.length)).equals(app)).toBe(true);
  });
});
