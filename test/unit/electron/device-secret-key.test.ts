// The desktop app's device-secrets key: wrapped by the OS keychain, migrated from a plain file, never replaced.
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SECRET_KEY_FILE_NAME, WRAPPED_SECRET_KEY_FILE_NAME } from '../../../core/devices/secret-box.js';
import {
  DeviceSecretKeyError,
  PLAIN_KEY_FILE_NAME,
  WRAPPED_KEY_FILE_NAME,
  parseWrappedKeyFile,
  prepareDeviceSecretKey,
} from '../../../electron/device-secret-key.js';
import { useTempDirs } from '../../support/temp-dir.js';
import { FakeKeychain } from './fake-electron.js';

const tempDir = useTempDirs('iotwb-keychain-');
const plainKey = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');

function start(dataDir: string, keychain: FakeKeychain, platform: NodeJS.Platform = 'linux') {
  const log = vi.fn<(line: string) => void>();
  const source = prepareDeviceSecretKey({ dataDir, keychain, platform, log });
  return { source, log };
}

function failureOf(run: () => unknown): DeviceSecretKeyError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeviceSecretKeyError) return error;
    throw error;
  }
  throw new Error('start-up went on');
}

/** Every file in the folder with its bytes, to prove nothing was written or replaced. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString('hex')]));
}

describe('device-secrets key in the desktop app', () => {
  it('names the same key files as the core', () => {
    expect(PLAIN_KEY_FILE_NAME).toBe(SECRET_KEY_FILE_NAME);
    expect(WRAPPED_KEY_FILE_NAME).toBe(WRAPPED_SECRET_KEY_FILE_NAME);
  });

  it('on first start makes a key, stores it only wrapped by the keychain and hands it to the core', () => {
    const dir = tempDir();
    const { source } = start(dir, FakeKeychain.unlocked());
    if (source.store !== 'os-keychain') throw new Error(`the key stayed in a ${source.store}`);
    expect(source.keyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(source.wrappedFile).toBe(join(dir, WRAPPED_KEY_FILE_NAME));
    expect(readdirSync(dir)).toEqual([WRAPPED_KEY_FILE_NAME]);
    const wrappedFile = join(dir, WRAPPED_KEY_FILE_NAME);
    expect(statSync(wrappedFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(wrappedFile, 'utf8');
    expect(text).not.toContain(source.keyHex);
    expect(text).not.toContain(Buffer.from(source.keyHex, 'hex').toString('base64'));
    expect(JSON.parse(text)).toMatchObject({
      format: 'iotwb-wrapped-key',
      platform: 'linux',
      backend: 'gnome_libsecret',
    });
  });

  it('on the next start unwraps the same key and leaves the file as it was', () => {
    const dir = tempDir();
    const keychain = FakeKeychain.unlocked();
    const first = start(dir, keychain).source;
    const before = snapshot(dir);
    const second = start(dir, keychain).source;
    expect(second).toEqual(first);
    expect(snapshot(dir)).toEqual(before);
  });

  it('moves an existing plain key file into the keychain and removes the plain file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const keychain = FakeKeychain.unlocked();
    const { source, log } = start(dir, keychain);
    expect(source).toEqual({
      store: 'os-keychain',
      keyHex: plainKey.toString('hex'),
      wrappedFile: join(dir, WRAPPED_KEY_FILE_NAME),
    });
    expect(readdirSync(dir)).toEqual([WRAPPED_KEY_FILE_NAME]);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('moved'));
    expect(start(dir, keychain).source).toEqual(source);
  });

  it('finishes a migration that stopped before the plain file was removed', () => {
    const dir = tempDir();
    const keychain = FakeKeychain.unlocked();
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    start(dir, keychain);
    const wrapped = readFileSync(join(dir, WRAPPED_KEY_FILE_NAME));
    // as if the app had stopped just before removing the plain file
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const { source } = start(dir, keychain);
    expect(source).toMatchObject({ store: 'os-keychain', keyHex: plainKey.toString('hex') });
    expect(readdirSync(dir)).toEqual([WRAPPED_KEY_FILE_NAME]);
    expect(readFileSync(join(dir, WRAPPED_KEY_FILE_NAME))).toEqual(wrapped);
  });

  it('stops when the plain and the wrapped key differ, and keeps both', () => {
    const dir = tempDir();
    const keychain = FakeKeychain.unlocked();
    start(dir, keychain);
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const before = snapshot(dir);
    const error = failureOf(() => start(dir, keychain));
    expect(error.failure.code).toBe('SECRET_KEY_CONFLICT');
    expect(error.failure.message).toContain(join(dir, PLAIN_KEY_FILE_NAME));
    expect(error.failure.file).toBe(join(dir, WRAPPED_KEY_FILE_NAME));
    expect(snapshot(dir)).toEqual(before);
  });

  it('keeps the plain 0600 file when Linux has no secret store (basic_text), and says why', () => {
    const dir = tempDir();
    const keychain = new FakeKeychain();
    keychain.available = true; // basic_text "encrypts" with a password hard-coded in Chromium
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const { source, log } = start(dir, keychain);
    expect(source).toEqual({ store: 'key-file', keychainUnavailable: 'linux-basic-text' });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/key file .*device-secrets\.key.*basic_text/));
    expect(keychain.encryptString).not.toHaveBeenCalled();
    expect(snapshot(dir)).toEqual({ [PLAIN_KEY_FILE_NAME]: plainKey.toString('hex') });
  });

  it('keeps the key file when safeStorage has no encryption, writing nothing itself', () => {
    const dir = tempDir();
    const { source, log } = start(dir, new FakeKeychain(), 'win32');
    expect(source).toEqual({ store: 'key-file', keychainUnavailable: 'not-available' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('not available'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('asks for the Linux backend only on Linux', () => {
    const keychain = FakeKeychain.unlocked();
    keychain.backend = 'basic_text';
    const { source } = start(tempDir(), keychain, 'darwin');
    expect(source.store).toBe('os-keychain');
    expect(keychain.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('keeps the plain key file when wrapping fails, and leaves no wrapped file behind', () => {
    const dir = tempDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const keychain = FakeKeychain.unlocked();
    keychain.failEncrypt = true;
    const { source, log } = start(dir, keychain);
    expect(source).toEqual({ store: 'key-file', keychainUnavailable: 'wrap-failed' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('wrapping it failed'));
    expect(snapshot(dir)).toEqual({ [PLAIN_KEY_FILE_NAME]: plainKey.toString('hex') });
  });

  it('keeps the plain key when the wrapped copy reads back wrong', () => {
    const dir = tempDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), plainKey, { mode: 0o600 });
    const keychain = FakeKeychain.unlocked();
    keychain.decryptString.mockImplementationOnce(() => 'ff'.repeat(32));
    expect(start(dir, keychain).source).toEqual({ store: 'key-file', keychainUnavailable: 'wrap-failed' });
    expect(snapshot(dir)).toEqual({ [PLAIN_KEY_FILE_NAME]: plainKey.toString('hex') });
  });

  it('refuses a plain key file of the wrong length instead of wrapping it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, PLAIN_KEY_FILE_NAME), Buffer.alloc(7), { mode: 0o600 });
    const error = failureOf(() => start(dir, FakeKeychain.unlocked()));
    expect(error.failure).toMatchObject({ code: 'SECRET_KEY_CORRUPT', file: join(dir, PLAIN_KEY_FILE_NAME) });
    expect(readdirSync(dir)).toEqual([PLAIN_KEY_FILE_NAME]);
  });
});

describe('a wrapped key that cannot be unwrapped stops start-up', () => {
  function wrappedDir(): { dir: string; file: string; keychain: FakeKeychain } {
    const dir = tempDir();
    const keychain = FakeKeychain.unlocked();
    start(dir, keychain);
    return { dir, file: join(dir, WRAPPED_KEY_FILE_NAME), keychain };
  }

  it('names the file when its bytes are damaged, and makes no new key', () => {
    const { dir, file, keychain } = wrappedDir();
    writeFileSync(file, '{"format":"iotwb-wrapped-key","version":1,"platform":"linux","wrapp');
    const before = snapshot(dir);
    const error = failureOf(() => start(dir, keychain));
    expect(error.failure.code).toBe('SECRET_KEY_CORRUPT');
    expect(error.failure.file).toBe(file);
    expect(error.failure.message).toMatch(/damaged.*instead of making a new key/);
    expect(snapshot(dir)).toEqual(before);
    expect(keychain.encryptString).toHaveBeenCalledTimes(1);
  });

  it('names the file and the keychain when another keychain wrapped it', () => {
    const { dir, file } = wrappedDir();
    const otherMachine = FakeKeychain.unlocked();
    otherMachine.backend = 'kwallet5';
    const before = snapshot(dir);
    const error = failureOf(() => start(dir, otherMachine));
    expect(error.failure.code).toBe('SECRET_KEY_UNWRAP_FAILED');
    expect(error.failure.file).toBe(file);
    expect(error.failure.message).toContain('gnome_libsecret');
    expect(error.failure.message).toContain('this session uses kwallet5');
    expect(error.failure.message).toContain('unreadable');
    expect(snapshot(dir)).toEqual(before);
    expect(otherMachine.encryptString).not.toHaveBeenCalled();
  });

  it('does not fall back to a plain file when the keychain has gone away', () => {
    const { dir, file, keychain } = wrappedDir();
    keychain.backend = 'basic_text';
    const before = snapshot(dir);
    const error = failureOf(() => start(dir, keychain));
    expect(error.failure).toMatchObject({ code: 'SECRET_KEY_KEYCHAIN_UNAVAILABLE', file });
    expect(error.failure.message).toContain('basic_text');
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses an unwrapped value that is not a key', () => {
    const { dir, file, keychain } = wrappedDir();
    keychain.decryptString.mockImplementationOnce(() => 'not a key');
    const error = failureOf(() => start(dir, keychain));
    expect(error.failure).toMatchObject({ code: 'SECRET_KEY_CORRUPT', file });
    expect(readdirSync(dir)).toEqual([WRAPPED_KEY_FILE_NAME]);
    expect(existsSync(join(dir, PLAIN_KEY_FILE_NAME))).toBe(false);
  });
});

describe('wrapped key file parser', () => {
  it('returns a problem for garbage and truncated files, never throws', () => {
    const valid = Buffer.from(
      JSON.stringify({ format: 'iotwb-wrapped-key', version: 1, platform: 'linux', wrapped: 'djExMDEyMw==' }),
    );
    expect(parseWrappedKeyFile(valid).ok).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(typeof parseWrappedKeyFile(Buffer.from(bytes)).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), (cut) => {
        expect(parseWrappedKeyFile(valid.subarray(0, cut)).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof parseWrappedKeyFile(Buffer.from(JSON.stringify(value) ?? '')).ok).toBe('boolean');
      }),
    );
  });
});
