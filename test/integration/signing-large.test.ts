// A 200 MB package signs and verifies with bounded memory: entries stream through, nothing is held whole.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../core/signing/keys.js';
import { signPackage } from '../../core/signing/sign-package.js';
import { verifyPackage } from '../../core/signing/verify-package.js';
import { writeLargeZip } from '../support/large-zip.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('iotwb-large-');
const SIZE = 200 * 1024 * 1024;
const RSS_CEILING = 96 * 1024 * 1024;

async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

describe('a 200 MB package', { timeout: 120_000 }, () => {
  it('signs and verifies with RSS growth under 96 MB', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.zip');
    await writeLargeZip(input, SIZE);
    const pair = await generateKeyPair('ecdsa-p256', 'Large-123');
    let updates = 0;
    const signed = await peakRssGrowth(() =>
      signPackage(input, loadPrivateKey(pair.privatePem, 'Large-123'), { onProgress: () => updates++ }),
    );
    expect(signed.result.bytes).toBeGreaterThan(SIZE);
    expect(updates).toBeGreaterThan(10);
    expect(signed.growth).toBeLessThan(RSS_CEILING);
    const verified = await peakRssGrowth(() => verifyPackage(signed.result.outputPath, loadPublicKey(pair.publicPem)));
    expect(verified.result.valid).toBe(true);
    expect(verified.growth).toBeLessThan(RSS_CEILING);
  });
});
