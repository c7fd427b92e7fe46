// Key pairs for package signing: generate, encrypt as PKCS#8, load PEM keys (ours or openssl's), fingerprint.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { checkPassphrase, type SigningAlgorithm } from '../contract/signing.js';
import { SigningError } from './signing-error.js';

const generateKeyPairAsync = promisify(generateKeyPairCallback);

/** The cipher protecting private.pem; openssl reads it with the same passphrase. */
export const PRIVATE_KEY_CIPHER = 'aes-256-cbc';

export interface GeneratedKeyPair {
  algorithm: SigningAlgorithm;
  privatePem: string;
  publicPem: string;
  fingerprint: string;
}

function keyGenArguments(
  algorithm: SigningAlgorithm,
): ['ec', { namedCurve: string }] | ['rsa', { modulusLength: number }] | ['ed25519', Record<string, never>] {
  switch (algorithm) {
    case 'ecdsa-secp256k1':
      return ['ec', { namedCurve: 'secp256k1' }];
    case 'ecdsa-p256':
      return ['ec', { namedCurve: 'prime256v1' }];
    case 'rsa-2048':
      return ['rsa', { modulusLength: 2048 }];
    case 'ed25519':
      return ['ed25519', {}];
  }
}

export function assertPassphraseRule(passphrase: string): void {
  const check = checkPassphrase(passphrase);
  if (!check.ok) throw new SigningError('BAD_KEY', check.message ?? 'the passphrase does not meet the rule');
}

export async function generateKeyPair(algorithm: SigningAlgorithm, passphrase: string): Promise<GeneratedKeyPair> {
  assertPassphraseRule(passphrase);
  const [type, options] = keyGenArguments(algorithm);
  // The overloads of generateKeyPair are per literal type; one call through a widened signature keeps this small.
  const generate = generateKeyPairAsync as unknown as (
    type: string,
    options: object,
  ) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;
  const { publicKey, privateKey } = await generate(type, options);
  return {
    algorithm,
    privatePem: encryptPrivateKey(privateKey, passphrase),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(publicKey),
  };
}

export function encryptPrivateKey(privateKey: KeyObject, passphrase: string): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem', cipher: PRIVATE_KEY_CIPHER, passphrase }).toString();
}

/** SHA-256 of the SPKI DER encoding, lower-case hex: `openssl pkey -pubin -outform DER | openssl dgst -sha256`. */
export function fingerprintOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function algorithmOf(key: KeyObject): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== 2048) throw new SigningError('BAD_KEY', `RSA keys must be 2048 bits; this one is ${bits ?? '?'} bits`);
    return 'rsa-2048';
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp256k1') return 'ecdsa-secp256k1';
    if (curve === 'prime256v1') return 'ecdsa-p256';
    throw new SigningError(
      'BAD_KEY',
      `EC keys must use secp256k1 or P-256; this one uses ${curve ?? 'an unknown curve'}`,
    );
  }
  throw new SigningError(
    'BAD_KEY',
    `unsupported key type ${type ?? 'unknown'}: use ECDSA secp256k1/P-256, RSA-2048 or Ed25519`,
  );
}

export function isEncryptedPem(pem: string): boolean {
  return pem.includes('BEGIN ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

export function isPrivatePem(pem: string): boolean {
  return /-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(pem);
}

/** Reads a private key PEM (PKCS#8, encrypted PKCS#8, or openssl's traditional RSA/EC forms). */
export function loadPrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  if (!isPrivatePem(pem)) throw new SigningError('BAD_KEY', 'this file is not a PEM private key');
  const encrypted = isEncryptedPem(pem);
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new SigningError('WRONG_PASSPHRASE', 'the private key is encrypted: a passphrase is needed');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
  } catch (error) {
    if (encrypted)
      throw new SigningError('WRONG_PASSPHRASE', 'wrong passphrase: the private key could not be decrypted');
    throw new SigningError('BAD_KEY', `the private key could not be read: ${(error as Error).message}`);
  }
  algorithmOf(key);
  return key;
}

/** Reads a public key PEM (SPKI, or PKCS#1 RSA) — or derives it from a private key PEM that is not encrypted. */
export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SigningError('BAD_KEY', `the public key could not be read: ${(error as Error).message}`);
  }
  algorithmOf(key);
  return key;
}
