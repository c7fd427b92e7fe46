// Device secrets at rest: AES-256-GCM with a key kept outside the database, so the db file alone reveals nothing.
// Headless the key is a 0600 file beside the database; the desktop app keeps it wrapped by the OS keychain
// (electron/device-secret-key.ts) and passes the unwrapped key in, so the core writes no key file then.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceSecretKeySource } from '../config.js';
import type { SecretKeyLocation } from '../contract/platform.js';
import { StartupError } from '../platform-types.js';

export const SECRET_KEY_FILE_NAME = 'device-secrets.key';
/** Written by the desktop app (electron/device-secret-key.ts); the core only needs to recognise it. */
export const WRAPPED_SECRET_KEY_FILE_NAME = 'device-secrets.key.safe';

const NO_NEW_KEY = 'No new key is made: it would leave every stored device secret unreadable.';

export interface SecretBox {
  /** `aad` binds the ciphertext to its row (the deviceId), so a copied blob does not decrypt elsewhere. */
  seal(plain: string, aad: string): Buffer;
  open(sealed: Buffer, aad: string): string;
}

export function loadOrCreateSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_KEY_FILE_NAME);
  if (existsSync(file)) {
    const key = readFileSync(file);
    if (key.length !== 32)
      throw new StartupError('SECRET_KEY_UNUSABLE', `${file} is not a 32-byte key (found ${key.length} bytes)`, file);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

export function secretKeyLocation(dataDir: string, source: DeviceSecretKeySource | undefined): SecretKeyLocation {
  if (source?.store === 'os-keychain') return { store: 'os-keychain', file: source.wrappedFile };
  const file = join(dataDir, SECRET_KEY_FILE_NAME);
  return source
    ? { store: 'key-file', file, keychainUnavailable: source.keychainUnavailable }
    : { store: 'key-file', file };
}

/** One stored secret, to check that a key is the one the database's secrets were sealed with. */
export interface SealedSample {
  sealed: Buffer;
  aad: string;
}

/**
 * The key to seal device secrets with, and where it lives; touches the disk only for a key file. A key is made only
 * for a data folder that has none yet: never when the desktop app's wrapped key or sealed secrets show one existed,
 * and a key that does not open the stored secrets stops start-up.
 */
export function openSecretKey(
  dataDir: string,
  source: DeviceSecretKeySource | undefined,
  sample: SealedSample | undefined,
): { key: Buffer; location: SecretKeyLocation } {
  const location = secretKeyLocation(dataDir, source);
  const file = join(dataDir, SECRET_KEY_FILE_NAME);
  if (source?.store !== 'os-keychain' && !existsSync(file)) {
    const wrapped = join(dataDir, WRAPPED_SECRET_KEY_FILE_NAME);
    if (existsSync(wrapped))
      throw new StartupError(
        'SECRET_KEY_MISSING',
        `The device-secrets key of this data folder is kept wrapped by the OS keychain of the desktop app (${wrapped}), ` +
          `which ${source ? 'is not available now' : 'the headless workbench cannot use'}. Open this data folder with ` +
          `the desktop app, or use another data folder. ${NO_NEW_KEY}`,
        wrapped,
      );
    if (sample)
      throw new StartupError(
        'SECRET_KEY_MISSING',
        `The device-secrets key file ${file} is missing, but the database holds device secrets sealed with it. ` +
          `Restore the file from a backup. ${NO_NEW_KEY}`,
        file,
      );
  }
  const key = source?.store === 'os-keychain' ? Buffer.from(source.keyHex, 'hex') : loadOrCreateSecretKey(dataDir);
  if (sample && !opens(key, sample))
    throw new StartupError(
      'SECRET_KEY_UNUSABLE',
      `The device-secrets key (${location.store === 'os-keychain' ? 'OS keychain, ' : ''}${location.file}) does not ` +
        'open the device secrets stored in the database: it is not the key they were sealed with. Restore the ' +
        'matching key file from a backup of this data folder.',
      location.file,
    );
  return { key, location };
}

function opens(key: Buffer, sample: SealedSample): boolean {
  try {
    createSecretBox(key).open(sample.sealed, sample.aad);
    return true;
  } catch {
    return false;
  }
}

const keychainProblems: Record<NonNullable<SecretKeyLocation['keychainUnavailable']>, string> = {
  'not-available': 'the OS keychain is not available',
  'linux-basic-text': 'Linux has no secret store in this session (safeStorage backend basic_text)',
  'wrap-failed': 'wrapping the key with the OS keychain failed',
};

/** The log line saying where the key lives; a warning when the desktop app had to fall back to a key file. */
export function describeSecretKeyLocation(location: SecretKeyLocation): { level: 'info' | 'warn'; message: string } {
  if (location.store === 'os-keychain')
    return { level: 'info', message: `device secrets key: protected by the OS keychain (${location.file})` };
  if (location.keychainUnavailable === undefined)
    return { level: 'info', message: `device secrets key: key file ${location.file} (0600)` };
  return {
    level: 'warn',
    message: `device secrets key: key file ${location.file} (0600), because ${keychainProblems[location.keychainUnavailable]}`,
  };
}

export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plain, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed, aad) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
