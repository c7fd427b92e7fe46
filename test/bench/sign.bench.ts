// Signing throughput on a 256 MB package against `sha256sum` of the same file, measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../core/signing/keys.js';
import { signPackage } from '../../core/signing/sign-package.js';
import { verifyPackage } from '../../core/signing/verify-package.js';
import { writeLargeZip } from '../support/large-zip.js';
import type { Benchmark } from './harness.js';

const SIZE = 256 * 1024 * 1024;
const MiB = 1024 * 1024;

async function seconds(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export const benchmark: Benchmark = {
  name: 'package signing: sign / verify a 256 MB zip vs sha256sum',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'iotwb-bench-sign-'));
    try {
      const input = join(dir, 'package.zip');
      await writeLargeZip(input, SIZE);
      const fileMiB = statSync(input).size / MiB;
      const pair = await generateKeyPair('ecdsa-secp256k1', 'Bench-123');
      const key = loadPrivateKey(pair.privatePem, 'Bench-123');
      // Warm the page cache so both sides read from memory.
      execFileSync('sha256sum', [input]);
      const baseline = await seconds(() => execFileSync('sha256sum', [input]));
      let output = '';
      const sign = await seconds(async () => {
        output = (await signPackage(input, key, { outputPath: join(dir, 'package_signed.zip') })).outputPath;
      });
      const verify = await seconds(() => verifyPackage(output, loadPublicKey(pair.publicPem)));
      return {
        rows: [
          { label: 'sha256sum of the package (baseline)', value: fileMiB / baseline, unit: 'MiB/s' },
          { label: 'iotwb sign (read, hash, copy, write)', value: fileMiB / sign, unit: 'MiB/s' },
          { label: 'iotwb verify', value: fileMiB / verify, unit: 'MiB/s' },
        ],
        ratio: { label: 'sign / sha256sum throughput (target >= 0.7)', value: baseline / sign },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
