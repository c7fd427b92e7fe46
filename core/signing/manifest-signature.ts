// The signature over MANIFEST: SHA-256 with ECDSA (DER) or RSA PKCS#1 v1.5 — what `openssl dgst -sha256 -sign`
// makes — and pure Ed25519 (openssl pkeyutl -rawin) for Ed25519 keys.
import { sign, verify, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../contract/signing.js';

function digestFor(algorithm: SigningAlgorithm): string | null {
  return algorithm === 'ed25519' ? null : 'sha256';
}

export function signManifest(manifest: Buffer, privateKey: KeyObject, algorithm: SigningAlgorithm): Buffer {
  return sign(digestFor(algorithm), manifest, { key: privateKey, dsaEncoding: 'der' });
}

export function verifyManifest(
  manifest: Buffer,
  signature: Buffer,
  publicKey: KeyObject,
  algorithm: SigningAlgorithm,
): boolean {
  try {
    return verify(digestFor(algorithm), manifest, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
