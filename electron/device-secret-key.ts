// The device-secrets key in the desktop app: on disk only wrapped by the OS keychain (safeStorage), unwrapped here
// in main and handed to the core over its start-up channel, so the plain key is never written.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { DeviceSecretKeySource } from '../core/config.js';
import type { KeychainUnavailableReason } from '../core/contract/platform.js';
import type { CoreFailure } from './core-protocol.js';

/** The same names as core/devices/secret-box.ts uses (a test keeps them equal; electron/ main cannot import it). */
export const PLAIN_KEY_FILE_NAME = 'device-secrets.key';
export const WRAPPED_KEY_FILE_NAME = 'device-secrets.key.safe';

const KEY_BYTES = 32;
const WRAPPED_FORMAT = 'iotwb-wrapped-key';

/** The safeStorage calls this uses; Electron's `safeStorage` fits. */
export interface KeychainApi {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend(): string;
}

export interface PrepareSecretKeyOptions {
  dataDir: string;
  keychain: KeychainApi;
  platform: NodeJS.Platform;
  /** Why the key stays in a plain file, or that a plain file was migrated: the user reads this in the terminal. */
  log: (line: string) => void;
}

export type SecretKeyErrorCode =
  | 'SECRET_KEY_KEYCHAIN_UNAVAILABLE'
  | 'SECRET_KEY_UNWRAP_FAILED'
  | 'SECRET_KEY_CORRUPT'
  | 'SECRET_KEY_UNREADABLE'
  | 'SECRET_KEY_CONFLICT';

/** The key exists but cannot be used: start-up must stop, since a new key would orphan every stored secret. */
export class DeviceSecretKeyError extends Error {
  readonly failure: CoreFailure;
  constructor(code: SecretKeyErrorCode, message: string, file: string) {
    super(message);
    this.name = 'DeviceSecretKeyError';
    this.failure = { code, message, file };
  }
}

const NO_NEW_KEY =
  'IoT Workbench stopped instead of making a new key, which would leave every stored device secret unreadable.';

export const wrappedKeyFileSchema = z.object({
  format: z.literal(WRAPPED_FORMAT),
  version: z.literal(1),
  platform: z.string().max(32),
  /** Linux: the safeStorage backend that wrapped the key, so a failure can name it. */
  backend: z.string().max(32).optional(),
  wrapped: z.base64().min(1),
});
export type WrappedKeyFile = z.infer<typeof wrappedKeyFileSchema>;

export function parseWrappedKeyFile(
  bytes: Buffer,
): { ok: true; value: WrappedKeyFile } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  const parsed = wrappedKeyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: parsed.data };
}

type KeychainState =
  { usable: true; backend?: string } | { usable: false; reason: KeychainUnavailableReason; why: string };

function keychainState(keychain: KeychainApi, platform: NodeJS.Platform): KeychainState {
  if (!keychain.isEncryptionAvailable())
    return { usable: false, reason: 'not-available', why: 'safeStorage reports that encryption is not available' };
  if (platform !== 'linux') return { usable: true };
  const backend = keychain.getSelectedStorageBackend();
  // basic_text encrypts with a password hard-coded in Chromium: no better than a plain file, and less honest.
  if (backend === 'basic_text' || backend === 'unknown')
    return {
      usable: false,
      reason: 'linux-basic-text',
      why: `Linux has no secret store in this session (safeStorage backend ${backend})`,
    };
  return { usable: true, backend };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new DeviceSecretKeyError('SECRET_KEY_UNREADABLE', `Cannot read the ${what}: ${reasonOf(error)}`, file);
  }
}

function readPlainKey(file: string): Buffer {
  const key = readFile(file, 'device-secrets key file');
  if (key.length !== KEY_BYTES)
    throw new DeviceSecretKeyError(
      'SECRET_KEY_CORRUPT',
      `The device-secrets key file is not a ${KEY_BYTES}-byte key (found ${key.length} bytes). ${NO_NEW_KEY}`,
      file,
    );
  return key;
}

function unwrapKey(file: string, state: KeychainState, keychain: KeychainApi): Buffer {
  const parsed = parseWrappedKeyFile(readFile(file, 'wrapped device-secrets key'));
  if (!parsed.ok)
    throw new DeviceSecretKeyError(
      'SECRET_KEY_CORRUPT',
      `The wrapped device-secrets key is damaged (${parsed.problem}). ${NO_NEW_KEY} Restore the file from a backup.`,
      file,
    );
  const wrappedBy = parsed.value.backend ? ` (${parsed.value.backend})` : '';
  if (!state.usable)
    throw new DeviceSecretKeyError(
      'SECRET_KEY_KEYCHAIN_UNAVAILABLE',
      `The device-secrets key is kept wrapped by the OS keychain${wrappedBy}, but ${state.why}. ${NO_NEW_KEY} ` +
        'Start IoT Workbench in a session where that keychain is unlocked.',
      file,
    );
  let plain: string;
  try {
    plain = keychain.decryptString(Buffer.from(parsed.value.wrapped, 'base64'));
  } catch (error) {
    const now = state.backend && state.backend !== parsed.value.backend ? `; this session uses ${state.backend}` : '';
    throw new DeviceSecretKeyError(
      'SECRET_KEY_UNWRAP_FAILED',
      `The OS keychain${wrappedBy} could not unwrap the device-secrets key (${reasonOf(error)}${now}). ` +
        `The file may come from another user account or machine, or the keychain entry of IoT Workbench was removed. ${NO_NEW_KEY}`,
      file,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(plain))
    throw new DeviceSecretKeyError(
      'SECRET_KEY_CORRUPT',
      `The OS keychain unwrapped the device-secrets key, but the result is not a ${KEY_BYTES}-byte key. ${NO_NEW_KEY}`,
      file,
    );
  return Buffer.from(plain, 'hex');
}

/** Writes the wrapped key durably (temp file, fsync, rename) and reads it back before anything relies on it. */
function writeWrappedKey(
  file: string,
  key: Buffer,
  keychain: KeychainApi,
  platform: NodeJS.Platform,
  backend?: string,
) {
  const content: WrappedKeyFile = {
    format: WRAPPED_FORMAT,
    version: 1,
    platform,
    ...(backend ? { backend } : {}),
    wrapped: keychain.encryptString(key.toString('hex')).toString('base64'),
  };
  const temp = `${file}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  syncFolder(dirname(file));
  if (!unwrapKey(file, { usable: true }, keychain).equals(key))
    throw new Error('the wrapped key read back differs from the key');
}

/** Makes the rename durable before the plain key is deleted; folders cannot be opened for fsync on Windows. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

function removePlainKey(file: string, log: (line: string) => void): void {
  try {
    rmSync(file);
  } catch (error) {
    log(`device secrets key: could not remove the plain key file ${file} (${reasonOf(error)}); delete it by hand`);
  }
}

/**
 * Decides where the device-secrets key lives and returns what the core is told. Throws DeviceSecretKeyError when a
 * key exists that cannot be used, and never replaces it.
 */
export function prepareDeviceSecretKey({
  dataDir,
  keychain,
  platform,
  log,
}: PrepareSecretKeyOptions): DeviceSecretKeySource {
  const plainFile = join(dataDir, PLAIN_KEY_FILE_NAME);
  const wrappedFile = join(dataDir, WRAPPED_KEY_FILE_NAME);
  const state = keychainState(keychain, platform);

  if (existsSync(wrappedFile)) {
    const key = unwrapKey(wrappedFile, state, keychain);
    // A plain file beside the wrapped one: a migration that stopped before its last step.
    if (existsSync(plainFile)) {
      const plain = readPlainKey(plainFile);
      if (!timingSafeEqual(plain, key))
        throw new DeviceSecretKeyError(
          'SECRET_KEY_CONFLICT',
          `Two different device-secrets keys exist: the wrapped ${wrappedFile} and the plain ${plainFile}. ` +
            'IoT Workbench cannot tell which one sealed the stored device secrets; move the wrong one away and start again.',
          wrappedFile,
        );
      removePlainKey(plainFile, log);
      log(`device secrets key: finished moving the key into the OS keychain, removed ${plainFile}`);
    }
    return { store: 'os-keychain', keyHex: key.toString('hex'), wrappedFile };
  }

  if (!state.usable) {
    log(`device secrets key: kept in the key file ${plainFile} (0600), because ${state.why}`);
    return { store: 'key-file', keychainUnavailable: state.reason };
  }

  const existing = existsSync(plainFile) ? readPlainKey(plainFile) : undefined;
  const key = existing ?? randomBytes(KEY_BYTES);
  try {
    writeWrappedKey(wrappedFile, key, keychain, platform, state.backend);
  } catch (error) {
    rmSync(`${wrappedFile}.tmp`, { force: true });
    rmSync(wrappedFile, { force: true });
    log(`device secrets key: kept in the key file ${plainFile} (0600), because wrapping it failed: ${reasonOf(error)}`);
    return { store: 'key-file', keychainUnavailable: 'wrap-failed' };
  }
  if (existing) {
    removePlainKey(plainFile, log);
    log(`device secrets key: moved ${plainFile} into the OS keychain (${wrappedFile})`);
  }
  return { store: 'os-keychain', keyHex: key.toString('hex'), wrappedFile };
}
