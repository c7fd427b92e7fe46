// Signs a package zip: copies every entry unchanged, adds META-INF/MANIFEST, MANIFEST.sig and SIGNATURE.json.
import { randomBytes, type KeyObject } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SignResult } from '../contract/signing.js';
import { workbenchVersion } from '../version.js';
import { algorithmOf, fingerprintOf } from './keys.js';
import { signManifest } from './manifest-signature.js';
import {
  buildManifest,
  buildSignatureInfo,
  MANIFEST_NAME,
  RESERVED_NAMES,
  SIGNATURE_INFO_NAME,
  SIGNATURE_NAME,
  type ManifestLine,
} from './manifest.js';
import { digestEntry, openPackageZip, type ZipLimits } from './package-zip-reader.js';
import { RawZipWriter } from './raw-zip-writer.js';
import { SigningError } from './signing-error.js';

export interface Progress {
  /** Stored (compressed) bytes read so far, out of total. */
  done: number;
  total: number;
}

export interface SignOptions {
  outputPath?: string;
  onProgress?: (progress: Progress) => void;
  now?: () => Date;
  limits?: ZipLimits;
}

/** `firmware.zip` -> `firmware_signed.zip`, beside the input. */
export function signedPathFor(inputPath: string): string {
  const name = basename(inputPath);
  const stem = name.toLowerCase().endsWith('.zip') ? name.slice(0, -4) : name;
  return join(dirname(inputPath), `${stem}_signed.zip`);
}

export async function signPackage(
  inputPath: string,
  privateKey: KeyObject,
  options: SignOptions = {},
): Promise<SignResult> {
  const algorithm = algorithmOf(privateKey);
  const fingerprint = fingerprintOf(privateKey);
  const outputPath = options.outputPath ?? signedPathFor(inputPath);
  const opened = await openPackageZip(inputPath, options.limits);
  const partial = `${outputPath}.${randomBytes(4).toString('hex')}.partial`;
  const writer = new RawZipWriter(partial);
  try {
    const reserved = opened.entries.find((e) => RESERVED_NAMES.has(e.fileName));
    if (reserved) {
      throw new SigningError(
        'ALREADY_SIGNED',
        `the package is already signed (it holds ${reserved.fileName})`,
        reserved.fileName,
      );
    }
    const total = opened.entries.reduce((sum, e) => sum + e.compressedSize, 0);
    let done = 0;
    const lines: ManifestLine[] = [];
    let bytes = 0;
    for (const entry of opened.entries) {
      await writer.beginCopiedEntry({ ...entry, name: entry.fileName });
      const digest = await digestEntry(
        opened,
        entry,
        (chunk) => writer.write(chunk),
        (n) => {
          done += n;
          options.onProgress?.({ done, total });
        },
      );
      lines.push({ name: entry.fileName, ...digest });
      bytes += digest.size;
    }
    const manifest = buildManifest(lines);
    const signature = signManifest(manifest, privateKey, algorithm);
    const signedAt = options.now?.() ?? new Date();
    const info = buildSignatureInfo(algorithm, fingerprint, signedAt, `IoT Workbench ${workbenchVersion()}`);
    await writer.addStoredEntry(MANIFEST_NAME, manifest, signedAt);
    await writer.addStoredEntry(SIGNATURE_NAME, signature, signedAt);
    await writer.addStoredEntry(SIGNATURE_INFO_NAME, Buffer.from(JSON.stringify(info, null, 2) + '\n'), signedAt);
    await writer.finish();
    await rename(partial, outputPath);
    return {
      outputPath,
      fingerprint,
      algorithm: info.algorithm,
      entries: lines.length,
      bytes,
      signedAt: info.signedAt,
    };
  } catch (error) {
    await writer.abort();
    await rm(partial, { force: true });
    throw error;
  } finally {
    opened.close();
  }
}
