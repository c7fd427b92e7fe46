import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPassphrase, signingAlgorithms } from '../../../../core/contract/signing.js';
import {
  fingerprintOf,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  algorithmOf,
} from '../../../../core/signing/keys.js';
import { SigningError } from '../../../../core/signing/signing-error.js';
import { useTempDirs } from '../../../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-keys-');
const PASS = 'Secret-42';

describe('passphrase rule', () => {
  it('accepts six characters of two kinds', () => {
    expect(checkPassphrase('abc123').ok).toBe(true);
    expect(checkPassphrase('ABCdef').ok).toBe(true);
    expect(checkPassphrase('abc!!!').ok).toBe(true);
  });
  it('names the length when too short', () => {
    const check = checkPassphrase('aB1!');
    expect(check).toMatchObject({ ok: false, problem: 'too-short' });
    expect(check.message).toContain('4 characters, at least 6');
  });
  it('names the one kind used and what to add', () => {
    const check = checkPassphrase('abcdefgh');
    expect(check).toMatchObject({ ok: false, problem: 'too-few-kinds' });
    expect(check.message).toBe(
      'The passphrase uses only lower case letters; add at least one of: upper case letters, digits, special characters.',
    );
    expect(checkPassphrase('12345678').message).toContain('only digits');
  });
  it('rates longer mixed passphrases stronger', () => {
    expect(checkPassphrase('abc123').strength).toBeLessThan(checkPassphrase('Abc123!xyz-Long-Pass').strength);
  });
  it('is refused when generating a key', async () => {
    await expect(generateKeyPair('ed25519', 'short')).rejects.toThrow(/too short/);
  });
});

describe('key pairs', () => {
  for (const algorithm of signingAlgorithms) {
    it(`generates ${algorithm} as encrypted PKCS#8 + SPKI that openssl reads with the passphrase`, async () => {
      const pair = await generateKeyPair(algorithm, PASS);
      expect(pair.privatePem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      expect(pair.publicPem).toContain('-----BEGIN PUBLIC KEY-----');
      const dir = tempDir();
      const priv = join(dir, 'private.pem');
      const pub = join(dir, 'public.pem');
      writeFileSync(priv, pair.privatePem);
      writeFileSync(pub, pair.publicPem);
      const derived = execFileSync('openssl', ['pkey', '-in', priv, '-passin', `pass:${PASS}`, '-pubout']).toString();
      expect(derived.trim()).toBe(pair.publicPem.trim());
      const der = execFileSync('openssl', ['pkey', '-pubin', '-in', pub, '-outform', 'DER']);
      const sslFingerprint = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der })
        .toString()
        .split(' ')[0];
      expect(pair.fingerprint).toBe(sslFingerprint);
      expect(algorithmOf(loadPrivateKey(pair.privatePem, PASS))).toBe(algorithm);
    });
  }

  it('says "wrong passphrase" for a wrong or missing passphrase', async () => {
    const pair = await generateKeyPair('ecdsa-p256', PASS);
    for (const attempt of ['Wrong-42', undefined]) {
      try {
        loadPrivateKey(pair.privatePem, attempt);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SigningError);
        expect((error as SigningError).code).toBe('WRONG_PASSPHRASE');
      }
    }
  });

  it('imports keys made by openssl, in PKCS#8 and traditional forms', () => {
    const dir = tempDir();
    const ec = join(dir, 'ec.pem');
    execFileSync('openssl', ['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', ec]);
    const ecKey = loadPrivateKey(readFileSync(ec, 'utf8'), undefined);
    expect(algorithmOf(ecKey)).toBe('ecdsa-secp256k1');
    const rsa = join(dir, 'rsa.pem');
    execFileSync(
      'openssl',
      [
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-aes-256-cbc',
        '-pass',
        `pass:${PASS}`,
        '-out',
        rsa,
      ],
      { stdio: 'pipe' },
    );
    const rsaKey = loadPrivateKey(readFileSync(rsa, 'utf8'), PASS);
    expect(algorithmOf(rsaKey)).toBe('rsa-2048');
    const rsaPub = execFileSync('openssl', ['pkey', '-in', rsa, '-passin', `pass:${PASS}`, '-pubout']).toString();
    expect(fingerprintOf(loadPublicKey(rsaPub))).toBe(fingerprintOf(rsaKey));
  });

  it('refuses keys of other sizes and curves with the reason', () => {
    const dir = tempDir();
    const p384 = join(dir, 'p384.pem');
    execFileSync('openssl', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', p384]);
    expect(() => loadPrivateKey(readFileSync(p384, 'utf8'), undefined)).toThrow(/secp256k1 or P-256/);
    expect(() => loadPublicKey('not a key')).toThrow(SigningError);
  });
});
