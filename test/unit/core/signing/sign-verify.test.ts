import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { signingAlgorithms } from '../../../../core/contract/signing.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../../../core/signing/keys.js';
import { openPackageZip, readSmallEntry } from '../../../../core/signing/package-zip-reader.js';
import { signedPathFor, signPackage } from '../../../../core/signing/sign-package.js';
import { verifyPackage } from '../../../../core/signing/verify-package.js';
import { useTempDirs } from '../../../support/temp-dir.js';
import { writeRawZip, writeZip, type RawEntry } from './zip-builders.js';

const tempDir = useTempDirs('iotwb-sign-');
const PASS = 'Secret-42';

const files = {
  'DM/linux/UpgradeDesc.json': '{"specVersion":"1.0"}',
  'linux/app.bin': Buffer.alloc(200_000, 7),
  'readme with space.txt': 'hello',
};

async function readAll(path: string): Promise<Map<string, Buffer>> {
  const opened = await openPackageZip(path);
  try {
    const out = new Map<string, Buffer>();
    for (const e of opened.entries) out.set(e.fileName, await readSmallEntry(opened, e, 10_000_000));
    return out;
  } finally {
    opened.close();
  }
}

async function rewrite(path: string, change: (entries: Map<string, Buffer>) => void): Promise<string> {
  const entries = await readAll(path);
  change(entries);
  const out = join(tempDir(), 'tampered_signed.zip');
  await writeRawZip(
    out,
    [...entries].map(([name, data]): RawEntry => ({ name, data })),
  );
  return out;
}

let privatePem: string;
let publicPem: string;
let signedPath: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ecdsa-secp256k1', PASS);
  privatePem = pair.privatePem;
  publicPem = pair.publicPem;
  const input = await writeZip(join(tempDir(), 'package.zip'), files);
  signedPath = (await signPackage(input, loadPrivateKey(privatePem, PASS))).outputPath;
});

describe('signing a package', () => {
  it('writes <name>_signed.zip beside the input with every entry unchanged plus META-INF', async () => {
    expect(signedPath).toMatch(/package_signed\.zip$/);
    const entries = await readAll(signedPath);
    expect([...entries.keys()].sort()).toEqual(
      [...Object.keys(files), 'META-INF/MANIFEST', 'META-INF/MANIFEST.sig', 'META-INF/SIGNATURE.json'].sort(),
    );
    expect(entries.get('linux/app.bin')).toEqual(files['linux/app.bin']);
    const manifest = entries.get('META-INF/MANIFEST')!.toString();
    const lines = manifest.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
      'DM/linux/UpgradeDesc.json',
      'linux/app.bin',
      'readme with space.txt',
    ]);
    expect(lines[1]).toMatch(/^[0-9a-f]{64} 200000 linux\/app\.bin$/);
    const info = JSON.parse(entries.get('META-INF/SIGNATURE.json')!.toString()) as Record<string, unknown>;
    expect(info).toMatchObject({ formatVersion: 1, algorithm: 'ECDSA_256K1+SHA256', keyAlgorithm: 'ecdsa-secp256k1' });
    expect(readdirSync(join(signedPath, '..')).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('keeps the stored bytes of each entry (same compressed data, CRC and method)', async () => {
    const input = join(signedPath, '..', 'package.zip');
    const before = await openPackageZip(input);
    const after = await openPackageZip(signedPath);
    for (const e of before.entries) {
      const twin = after.entries.find((a) => a.fileName === e.fileName)!;
      expect([twin.crc32, twin.compressionMethod, twin.compressedSize]).toEqual([
        e.crc32,
        e.compressionMethod,
        e.compressedSize,
      ]);
    }
    before.close();
    after.close();
  });

  it('refuses a package that is already signed', async () => {
    await expect(
      signPackage(signedPath, loadPrivateKey(privatePem, PASS), { outputPath: join(tempDir(), 'x.zip') }),
    ).rejects.toMatchObject({
      code: 'ALREADY_SIGNED',
    });
  });

  for (const algorithm of signingAlgorithms) {
    it(`signs and verifies with ${algorithm}`, async () => {
      const pair = await generateKeyPair(algorithm, PASS);
      const input = await writeZip(join(tempDir(), 'p.zip'), files, false);
      const result = await signPackage(input, loadPrivateKey(pair.privatePem, PASS));
      expect(result.fingerprint).toBe(pair.fingerprint);
      const verdict = await verifyPackage(result.outputPath, loadPublicKey(pair.publicPem));
      expect(verdict).toMatchObject({ valid: true, problems: [], entries: 3, keyFingerprint: pair.fingerprint });
    });
  }

  it('reports progress up to the whole stored size', async () => {
    const input = await writeZip(join(tempDir(), 'p.zip'), files);
    const seen: number[] = [];
    let total = 0;
    await signPackage(input, loadPrivateKey(privatePem, PASS), {
      onProgress: (p) => {
        seen.push(p.done);
        total = p.total;
      },
    });
    expect(seen.at(-1)).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('names the signed file after the input', () => {
    expect(signedPathFor('/a/b/fw.zip')).toBe('/a/b/fw_signed.zip');
    expect(signedPathFor('/a/b/fw.ZIP')).toBe('/a/b/fw_signed.zip');
  });
});

describe('openssl cross-checks', () => {
  for (const algorithm of ['ecdsa-secp256k1', 'rsa-2048', 'ecdsa-p256'] as const) {
    it(`openssl dgst -sha256 -verify accepts our ${algorithm} MANIFEST.sig`, async () => {
      const pair = await generateKeyPair(algorithm, PASS);
      const input = await writeZip(join(tempDir(), 'p.zip'), files);
      const { outputPath } = await signPackage(input, loadPrivateKey(pair.privatePem, PASS));
      const entries = await readAll(outputPath);
      const dir = tempDir();
      writeFileSync(join(dir, 'MANIFEST'), entries.get('META-INF/MANIFEST')!);
      writeFileSync(join(dir, 'MANIFEST.sig'), entries.get('META-INF/MANIFEST.sig')!);
      writeFileSync(join(dir, 'public.pem'), pair.publicPem);
      const out = execFileSync(
        'openssl',
        ['dgst', '-sha256', '-verify', 'public.pem', '-signature', 'MANIFEST.sig', 'MANIFEST'],
        {
          cwd: dir,
        },
      ).toString();
      expect(out.trim()).toBe('Verified OK');
      // Each MANIFEST line matches sha256sum of the entry.
      const appLine = entries
        .get('META-INF/MANIFEST')!
        .toString()
        .split('\n')
        .find((l) => l.endsWith(' linux/app.bin'))!;
      writeFileSync(join(dir, 'app.bin'), entries.get('linux/app.bin')!);
      expect(execFileSync('sha256sum', ['app.bin'], { cwd: dir }).toString().split(' ')[0]).toBe(appLine.split(' ')[0]);
    });
  }

  it('verifies a package whose MANIFEST was signed by openssl with an openssl key', async () => {
    const dir = tempDir();
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'k.pem'], {
      cwd: dir,
      stdio: 'pipe',
    });
    execFileSync('openssl', ['pkey', '-in', 'k.pem', '-pubout', '-out', 'pub.pem'], { cwd: dir });
    // Sign with our code using the openssl key, then replace the signature with one openssl makes.
    const input = await writeZip(join(dir, 'p.zip'), files);
    const { outputPath } = await signPackage(
      input,
      loadPrivateKey(readFileSync(join(dir, 'k.pem'), 'utf8'), undefined),
    );
    const entries = await readAll(outputPath);
    writeFileSync(join(dir, 'MANIFEST'), entries.get('META-INF/MANIFEST')!);
    execFileSync('openssl', ['dgst', '-sha256', '-sign', 'k.pem', '-out', 'MANIFEST.sig', 'MANIFEST'], { cwd: dir });
    const resigned = await rewrite(outputPath, (e) =>
      e.set('META-INF/MANIFEST.sig', readFileSync(join(dir, 'MANIFEST.sig'))),
    );
    const verdict = await verifyPackage(resigned, loadPublicKey(readFileSync(join(dir, 'pub.pem'), 'utf8')));
    expect(verdict.valid).toBe(true);
    expect(createPublicKey(createPrivateKey(readFileSync(join(dir, 'k.pem')))).asymmetricKeyType).toBe('rsa');
  });
});

describe('verification names the reason', () => {
  const key = () => loadPublicKey(publicPem);

  it('accepts the untouched package', async () => {
    expect((await verifyPackage(signedPath, key())).valid).toBe(true);
  });

  it('entry changed (which)', async () => {
    const path = await rewrite(signedPath, (e) => e.set('linux/app.bin', Buffer.alloc(200_000, 8)));
    const v = await verifyPackage(path, key());
    expect(v).toMatchObject({ valid: false, code: 'ENTRY_CHANGED', problems: [{ entry: 'linux/app.bin' }] });
    expect(v.message).toContain('linux/app.bin');
  });

  it('entry added (which)', async () => {
    const path = await rewrite(signedPath, (e) => e.set('linux/extra.sh', Buffer.from('rm -rf /')));
    expect(await verifyPackage(path, key())).toMatchObject({
      valid: false,
      code: 'ENTRY_ADDED',
      problems: [{ entry: 'linux/extra.sh' }],
    });
  });

  it('entry removed (which)', async () => {
    const path = await rewrite(signedPath, (e) => e.delete('readme with space.txt'));
    expect(await verifyPackage(path, key())).toMatchObject({
      valid: false,
      code: 'ENTRY_REMOVED',
      problems: [{ entry: 'readme with space.txt' }],
    });
  });

  it('signature invalid for this key, showing both fingerprints', async () => {
    const other = await generateKeyPair('ecdsa-secp256k1', PASS);
    const v = await verifyPackage(signedPath, loadPublicKey(other.publicPem));
    expect(v).toMatchObject({ valid: false, code: 'SIGNATURE_INVALID', keyFingerprint: other.fingerprint });
    expect(v.message).toContain(other.fingerprint);
    expect(v.message).toContain(v.signedWithFingerprint!);
  });

  it('signature invalid when MANIFEST was edited to match a changed entry', async () => {
    const path = await rewrite(signedPath, (e) => {
      const text = e
        .get('META-INF/MANIFEST')!
        .toString()
        .replace(/^[0-9a-f]{64}/, '0'.repeat(64));
      e.set('META-INF/MANIFEST', Buffer.from(text));
    });
    expect(await verifyPackage(path, key())).toMatchObject({ valid: false, code: 'SIGNATURE_INVALID' });
  });

  it('malformed manifest', async () => {
    for (const bad of ['garbage\n', 'abc', `${'a'.repeat(64)} 1 b\n${'a'.repeat(64)} 1 a\n`]) {
      const path = await rewrite(signedPath, (e) => e.set('META-INF/MANIFEST', Buffer.from(bad)));
      expect(await verifyPackage(path, key())).toMatchObject({ valid: false, code: 'MALFORMED_MANIFEST' });
    }
    const noInfo = await rewrite(signedPath, (e) => e.set('META-INF/SIGNATURE.json', Buffer.from('{')));
    expect(await verifyPackage(noInfo, key())).toMatchObject({ valid: false, code: 'MALFORMED_MANIFEST' });
  });

  it('unsigned', async () => {
    const plain = await writeZip(join(tempDir(), 'plain.zip'), files);
    const v = await verifyPackage(plain, key());
    expect(v).toMatchObject({ valid: false, code: 'UNSIGNED' });
    expect(v.message).toContain('META-INF/MANIFEST');
  });

  it('not a zip', async () => {
    const path = join(tempDir(), 'fake.zip');
    writeFileSync(path, 'this is not a zip file at all');
    expect(await verifyPackage(path, key())).toMatchObject({ valid: false, code: 'NOT_A_ZIP' });
    expect(await verifyPackage(join(tempDir(), 'missing.zip'), key())).toMatchObject({
      valid: false,
      code: 'FILE_NOT_FOUND',
    });
  });

  it('duplicate entry names', async () => {
    const entries = await readAll(signedPath);
    const path = join(tempDir(), 'dup.zip');
    await writeRawZip(path, [
      ...[...entries].map(([name, data]) => ({ name, data })),
      { name: 'linux/app.bin', data: Buffer.from('evil twin') },
    ]);
    expect(await verifyPackage(path, key())).toMatchObject({
      valid: false,
      code: 'DUPLICATE_ENTRY',
      problems: [{ entry: 'linux/app.bin' }],
    });
  });
});

describe('hostile zips', () => {
  const signer = () => loadPrivateKey(privatePem, PASS);

  it('refuses path traversal and absolute names without writing anything', async () => {
    for (const name of ['../../etc/passwd', '/etc/passwd', 'a/../../b', 'C:/win.ini', 'dir\\..\\x']) {
      const dir = tempDir();
      const path = await writeRawZip(join(dir, 'evil.zip'), [{ name, data: Buffer.from('x') }]);
      await expect(signPackage(path, signer())).rejects.toMatchObject({ code: 'UNSAFE_ZIP' });
      expect(existsSync(join(dir, 'evil_signed.zip'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['evil.zip']);
    }
  });

  it('refuses duplicate names when signing', async () => {
    const path = await writeRawZip(join(tempDir(), 'dup.zip'), [
      { name: 'a.bin', data: Buffer.from('1') },
      { name: 'a.bin', data: Buffer.from('2') },
    ]);
    await expect(signPackage(path, signer())).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY' });
  });

  it('refuses a deflate bomb by its ratio before inflating it', async () => {
    const path = await writeRawZip(join(tempDir(), 'bomb.zip'), [
      { name: 'zeros.bin', data: Buffer.alloc(64 * 1024 * 1024), deflate: true },
    ]);
    await expect(signPackage(path, signer())).rejects.toMatchObject({
      code: 'UNSAFE_ZIP',
      message: expect.stringContaining('zip bomb') as string,
    });
  });

  it('stops inflating an entry that lies about its size', async () => {
    const path = await writeRawZip(join(tempDir(), 'liar.zip'), [
      { name: 'liar.bin', data: Buffer.alloc(4 * 1024 * 1024, 1), deflate: true, declaredSize: 1000 },
    ]);
    await expect(signPackage(path, signer())).rejects.toMatchObject({
      code: 'UNSAFE_ZIP',
      message: expect.stringContaining('beyond') as string,
    });
  });

  it('refuses a zip with too many entries', async () => {
    const path = await writeRawZip(
      join(tempDir(), 'many.zip'),
      Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })),
    );
    await expect(
      signPackage(path, signer(), {
        limits: { maxEntries: 10, maxTotalBytes: 1e9, maxRatio: 200, ratioFloorBytes: 1e6 },
      }),
    ).rejects.toMatchObject({ code: 'UNSAFE_ZIP' });
  });

  it('detects a corrupt entry by its CRC', async () => {
    const path = join(tempDir(), 'corrupt.zip');
    await writeRawZip(path, [{ name: 'a.bin', data: Buffer.from('hello world') }]);
    const bytes = readFileSync(path);
    const at = 30 + 'a.bin'.length;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(path, bytes);
    await expect(signPackage(path, signer())).rejects.toMatchObject({
      code: 'NOT_A_ZIP',
      message: expect.stringContaining('CRC') as string,
    });
  });

  it('returns errors, never throws, on random and truncated input', async () => {
    const good = readFileSync(signedPath);
    const dir = tempDir();
    for (let i = 0; i < 60; i++) {
      const path = join(dir, `g${i}.zip`);
      const bytes =
        i % 2 === 0
          ? good.subarray(0, Math.floor((good.length * i) / 60))
          : Buffer.from(good.map((b, j) => (j % 97 === i ? b ^ 0x5a : b)));
      writeFileSync(path, i % 3 === 0 ? deflateRawSync(bytes) : bytes);
      const v = await verifyPackage(path, loadPublicKey(publicPem));
      expect(typeof v.valid).toBe('boolean');
    }
  });
});
