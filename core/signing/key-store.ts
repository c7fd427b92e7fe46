// The data folder's key store: <keysDir>/<name>/private.pem (encrypted PKCS#8) and public.pem (SPKI).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyNameSchema, type KeyInfo, type SigningAlgorithm } from '../contract/signing.js';
import {
  algorithmOf,
  assertPassphraseRule,
  encryptPrivateKey,
  fingerprintOf,
  generateKeyPair,
  isEncryptedPem,
  isPrivatePem,
  loadPrivateKey,
  loadPublicKey,
} from './keys.js';
import { SigningError } from './signing-error.js';
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';

export class KeyStoreError extends Error {
  constructor(
    readonly code: 'KEY_NOT_FOUND' | 'KEY_EXISTS' | 'BAD_NAME',
    message: string,
  ) {
    super(message);
  }
}

/** Writes public.pem and (when given) private.pem into dir, private readable by the owner only. */
export async function writeKeyFiles(dir: string, publicPem: string, privatePem?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (privatePem) await writeFile(join(dir, PRIVATE_KEY_FILE), privatePem, { mode: 0o600 });
  await writeFile(join(dir, PUBLIC_KEY_FILE), publicPem);
}

export function createKeyStore(keysDir: string) {
  function dirOf(name: string): string {
    if (!keyNameSchema.safeParse(name).success)
      throw new KeyStoreError('BAD_NAME', `"${name}" is not a valid key name`);
    return join(keysDir, name);
  }

  async function info(name: string): Promise<KeyInfo> {
    const dir = dirOf(name);
    const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
    if (!existsSync(publicKeyPath)) throw new KeyStoreError('KEY_NOT_FOUND', `no key named "${name}" in ${keysDir}`);
    const publicKey = loadPublicKey(await readFile(publicKeyPath, 'utf8'));
    const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
    const hasPrivateKey = existsSync(privateKeyPath);
    return {
      name,
      algorithm: algorithmOf(publicKey),
      fingerprint: fingerprintOf(publicKey),
      hasPrivateKey,
      publicKeyPath,
      ...(hasPrivateKey ? { privateKeyPath } : {}),
      createdAt: (await stat(publicKeyPath)).mtimeMs,
    };
  }

  function assertFree(name: string): string {
    const dir = dirOf(name);
    if (existsSync(dir)) throw new KeyStoreError('KEY_EXISTS', `a key named "${name}" already exists`);
    return dir;
  }

  return {
    keysDir,
    info,
    async list(): Promise<KeyInfo[]> {
      if (!existsSync(keysDir)) return [];
      const names = (await readdir(keysDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      const keys: KeyInfo[] = [];
      for (const name of names.sort()) {
        try {
          keys.push(await info(name));
        } catch {
          // A folder that is not a readable key pair is left alone and not listed.
        }
      }
      return keys;
    },
    async generate(name: string, algorithm: SigningAlgorithm, passphrase: string): Promise<KeyInfo> {
      const dir = assertFree(name);
      const pair = await generateKeyPair(algorithm, passphrase);
      await writeKeyFiles(dir, pair.publicPem, pair.privatePem);
      return info(name);
    },
    /**
     * Imports a PEM file: a public key, or a private key (decrypted with passphrase if encrypted; stored re-encrypted
     * as PKCS#8 with newPassphrase, or with passphrase when no new one is given).
     */
    async importPem(name: string, path: string, passphrase?: string, newPassphrase?: string): Promise<KeyInfo> {
      const dir = assertFree(name);
      let pem: string;
      try {
        pem = await readFile(path, 'utf8');
      } catch {
        throw new SigningError('FILE_NOT_FOUND', `cannot read ${path}`);
      }
      if (isPrivatePem(pem)) {
        const key = loadPrivateKey(pem, passphrase);
        const protectWith = newPassphrase ?? (isEncryptedPem(pem) ? passphrase : undefined);
        if (!protectWith) {
          throw new SigningError(
            'WRONG_PASSPHRASE',
            'this private key is not encrypted: give a new passphrase to protect it',
          );
        }
        assertPassphraseRule(protectWith);
        const publicKey: KeyObject = createPublicKey(key);
        await writeKeyFiles(
          dir,
          publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          encryptPrivateKey(key, protectWith),
        );
      } else {
        const publicKey = loadPublicKey(pem);
        await writeKeyFiles(dir, publicKey.export({ type: 'spki', format: 'pem' }).toString());
      }
      return info(name);
    },
    async remove(name: string): Promise<void> {
      await info(name);
      await rm(dirOf(name), { recursive: true, force: true });
    },
    async loadPrivate(name: string, passphrase: string): Promise<KeyObject> {
      const dir = dirOf(name);
      const path = join(dir, PRIVATE_KEY_FILE);
      if (!existsSync(path)) throw new KeyStoreError('KEY_NOT_FOUND', `key "${name}" has no private key here`);
      return loadPrivateKey(await readFile(path, 'utf8'), passphrase);
    },
    async loadPublic(name: string): Promise<KeyObject> {
      await info(name);
      return loadPublicKey(await readFile(join(dirOf(name), PUBLIC_KEY_FILE), 'utf8'));
    },
  };
}
export type KeyStore = ReturnType<typeof createKeyStore>;
