// Where the key sealing device secrets lives: handed in by the desktop app (OS keychain) or a 0600 key file (serve).
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../core/contract/index.js';
import { createSecretBox } from '../../core/devices/secret-box.js';
import { DATABASE_FILE_NAME } from '../../core/platform.js';
import { prepareDeviceSecretKey } from '../../electron/device-secret-key.js';
import { FakeKeychain } from '../unit/electron/fake-electron.js';
import { startCore, type RunningCore } from '../support/core.js';
import { contractCaller } from '../support/device-api.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { iotwbBin } from '../support/serve-process.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-secret-key-');
const SECRET = 'Lamp-secret-0042';

async function registerLamp(core: RunningCore): Promise<string> {
  const call = contractCaller(() => core);
  const product = await call(apiRoutes.createProductFromSample, {
    params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
  });
  const { device } = await call(apiRoutes.registerDevice, {
    body: { productId: product.id, nodeId: 'lamp-42', secret: SECRET },
  });
  return device.deviceId;
}

function sealedSecretOf(dataDir: string, deviceId: string): Buffer {
  const db = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
  try {
    return (db.prepare('SELECT secret_sealed FROM devices WHERE id = ?').get(deviceId) as { secret_sealed: Buffer })
      .secret_sealed;
  } finally {
    db.close();
  }
}

describe('device secrets key', () => {
  it('uses the key the desktop app unwrapped and writes no key file into the data folder', async () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    const deviceSecretKey = {
      store: 'os-keychain' as const,
      keyHex: key.toString('hex'),
      wrappedFile: join(dataDir, 'device-secrets.key.safe'),
    };
    let core = await startCore({ dataDir, deviceSecretKey, logLevel: 'info' });
    const deviceId = await registerLamp(core);
    const info = await contractCaller(() => core)(apiRoutes.info);
    expect(info.deviceSecretKey).toEqual({ store: 'os-keychain', file: deviceSecretKey.wrappedFile });
    const logs = await contractCaller(() => core)(apiRoutes.logs, { query: { minLevel: 'info' } });
    expect(logs.entries.map((e) => e.message)).toContain(
      `device secrets key: protected by the OS keychain (${deviceSecretKey.wrappedFile})`,
    );
    await core.stop();

    expect(readdirSync(dataDir)).not.toContain('device-secrets.key');
    expect(readdirSync(dataDir).filter((name) => name.startsWith('device-secrets'))).toEqual([]);
    const sealed = sealedSecretOf(dataDir, deviceId);
    expect(createSecretBox(key).open(sealed, deviceId)).toBe(SECRET);
    expect(readFileSync(join(dataDir, DATABASE_FILE_NAME)).includes(Buffer.from(SECRET))).toBe(false);

    // The next launch brings the same key: the stored secret is read back.
    core = await startCore({ dataDir, deviceSecretKey });
    try {
      const csv = await core.api('/api/devices:export').then((r) => r.text());
      expect(csv).toContain(`${deviceId},lamp-42,${SECRET}`);
      expect(readdirSync(dataDir)).not.toContain('device-secrets.key');
    } finally {
      await core.stop();
    }
  });

  it('headless, keeps the key in a 0600 file beside the database and says so', async () => {
    const dataDir = tempDir();
    const core = await startCore({ dataDir });
    try {
      const deviceId = await registerLamp(core);
      const file = join(dataDir, 'device-secrets.key');
      const info = await contractCaller(() => core)(apiRoutes.info);
      expect(info.deviceSecretKey).toEqual({ store: 'key-file', file });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(createSecretBox(readFileSync(file)).open(sealedSecretOf(dataDir, deviceId), deviceId)).toBe(SECRET);
    } finally {
      await core.stop();
    }
  });

  it('in the desktop app without a keychain, uses the key file and logs why', async () => {
    const dataDir = tempDir();
    const core = await startCore({
      dataDir,
      logLevel: 'info',
      deviceSecretKey: { store: 'key-file', keychainUnavailable: 'linux-basic-text' },
    });
    try {
      const call = contractCaller(() => core);
      const file = join(dataDir, 'device-secrets.key');
      expect((await call(apiRoutes.info)).deviceSecretKey).toEqual({
        store: 'key-file',
        file,
        keychainUnavailable: 'linux-basic-text',
      });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const logs = await call(apiRoutes.logs, { query: { minLevel: 'warn' } });
      expect(logs.entries.map((e) => e.message)).toContain(
        `device secrets key: key file ${file} (0600), because Linux has no secret store in this session (safeStorage backend basic_text)`,
      );
    } finally {
      await core.stop();
    }
  });

  it('a data folder from headless use moves into the keychain and its device secrets still work', async () => {
    const dataDir = tempDir();
    let core = await startCore({ dataDir });
    const deviceId = await registerLamp(core);
    await core.stop();
    expect(readdirSync(dataDir)).toContain('device-secrets.key');

    const keychain = FakeKeychain.unlocked();
    const deviceSecretKey = prepareDeviceSecretKey({ dataDir, keychain, platform: 'linux', log: () => undefined });
    expect(deviceSecretKey.store).toBe('os-keychain');
    expect(readdirSync(dataDir)).not.toContain('device-secrets.key');

    core = await startCore({ dataDir, deviceSecretKey });
    try {
      const csv = await core.api('/api/devices:export').then((r) => r.text());
      expect(csv).toContain(`${deviceId},lamp-42,${SECRET}`);
      expect(readdirSync(dataDir).filter((name) => name.startsWith('device-secrets'))).toEqual([
        'device-secrets.key.safe',
      ]);
    } finally {
      await core.stop();
    }
  });

  it('headless serve refuses a data folder whose key the desktop app keeps in the keychain, and makes no key', async () => {
    const dataDir = tempDir();
    const core = await startCore({ dataDir });
    await registerLamp(core);
    await core.stop();
    prepareDeviceSecretKey({ dataDir, keychain: FakeKeychain.unlocked(), platform: 'linux', log: () => undefined });

    const { code, stdout, stderr } = await serveOnce(dataDir);
    const wrappedFile = join(dataDir, 'device-secrets.key.safe');
    expect(code).toBe(1);
    expect(JSON.parse(stdout.trim())).toMatchObject({ event: 'error', code: 'SECRET_KEY_MISSING', file: wrappedFile });
    expect(stderr).toContain('Open this data folder with the desktop app');
    expect(readdirSync(dataDir)).not.toContain('device-secrets.key');
  });

  it('refuses to start when the key file is gone but sealed secrets remain, instead of making a new key', async () => {
    const dataDir = tempDir();
    const core = await startCore({ dataDir });
    await registerLamp(core);
    await core.stop();
    const file = join(dataDir, 'device-secrets.key');
    rmSync(file);

    await expect(startCore({ dataDir })).rejects.toMatchObject({ code: 'SECRET_KEY_MISSING', file });
    expect(readdirSync(dataDir)).not.toContain('device-secrets.key');
  });

  it('refuses a handed-in key that does not open the stored secrets', async () => {
    const dataDir = tempDir();
    const wrappedFile = join(dataDir, 'device-secrets.key.safe');
    const keyOf = (key: Buffer) => ({ store: 'os-keychain' as const, keyHex: key.toString('hex'), wrappedFile });
    const core = await startCore({ dataDir, deviceSecretKey: keyOf(randomBytes(32)) });
    await registerLamp(core);
    await core.stop();

    await expect(startCore({ dataDir, deviceSecretKey: keyOf(randomBytes(32)) })).rejects.toMatchObject({
      code: 'SECRET_KEY_UNUSABLE',
      file: wrappedFile,
      message: expect.stringContaining('not the key they were sealed with') as unknown,
    });
    expect(readdirSync(dataDir)).not.toContain('device-secrets.key');
  });

  it('refuses a key that does not open the product secrets when no device is registered yet', async () => {
    const dataDir = tempDir();
    const wrappedFile = join(dataDir, 'device-secrets.key.safe');
    const keyOf = (key: Buffer) => ({ store: 'os-keychain' as const, keyHex: key.toString('hex'), wrappedFile });
    const core = await startCore({ dataDir, deviceSecretKey: keyOf(randomBytes(32)) });
    await contractCaller(() => core)(apiRoutes.createProductFromSample, {
      params: { name: 'StreetLight_WorkbenchSamples_SL100MQTT' },
    });
    await core.stop();

    await expect(startCore({ dataDir, deviceSecretKey: keyOf(randomBytes(32)) })).rejects.toMatchObject({
      code: 'SECRET_KEY_UNUSABLE',
      file: wrappedFile,
    });
  });
});

/** Runs `iotwb serve --json` on the folder until it exits (it is expected to refuse to start). */
function serveOnce(dataDir: string): Promise<CommandResult> {
  return runCommand(
    process.execPath,
    [
      iotwbBin,
      'serve',
      '--json',
      '--api-port',
      '0',
      '--mqtt-port',
      '0',
      '--coap-port',
      '0',
      '--northbound-port',
      '0',
      '--bind',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    { timeoutMs: 30_000 },
  );
}
