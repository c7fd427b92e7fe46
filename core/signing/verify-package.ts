// Verifies a signed package against a public key: signature over MANIFEST, then every entry against it.
import type { KeyObject } from 'node:crypto';
import type { Entry } from 'yauzl';
import type { SigningProblem, VerifyResult } from '../contract/signing.js';
import { algorithmOf, fingerprintOf } from './keys.js';
import { verifyManifest } from './manifest-signature.js';
import {
  MANIFEST_NAME,
  parseManifest,
  parseSignatureInfo,
  RESERVED_NAMES,
  SIGNATURE_INFO_NAME,
  SIGNATURE_NAME,
  type SignatureInfo,
} from './manifest.js';
import { digestEntry, openPackageZip, readSmallEntry, type OpenedZip, type ZipLimits } from './package-zip-reader.js';
import type { Progress } from './sign-package.js';
import { SigningError } from './signing-error.js';

export interface VerifyOptions {
  onProgress?: (progress: Progress) => void;
  limits?: ZipLimits;
}

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_SIGNATURE_BYTES = 4096;
const MAX_INFO_BYTES = 64 * 1024;

export async function verifyPackage(
  inputPath: string,
  publicKey: KeyObject,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const keyFingerprint = fingerprintOf(publicKey);
  const base = { keyFingerprint, entries: 0, bytes: 0 };
  let opened: OpenedZip | undefined;
  let info: SignatureInfo | undefined;
  try {
    opened = await openPackageZip(inputPath, options.limits);
    const byName = new Map(opened.entries.map((e) => [e.fileName, e]));
    const manifestEntry = byName.get(MANIFEST_NAME);
    const signatureEntry = byName.get(SIGNATURE_NAME);
    if (!manifestEntry || !signatureEntry) {
      const missing = [MANIFEST_NAME, SIGNATURE_NAME].filter((n) => !byName.has(n)).join(' and ');
      throw new SigningError('UNSIGNED', `the package is not signed: ${missing} missing`);
    }
    const infoEntry = byName.get(SIGNATURE_INFO_NAME);
    if (!infoEntry) throw new SigningError('MALFORMED_MANIFEST', `${SIGNATURE_INFO_NAME} is missing`);
    info = parseSignatureInfo(await readSmallEntry(opened, infoEntry, MAX_INFO_BYTES));
    const manifestBytes = await readSmallEntry(opened, manifestEntry, MAX_MANIFEST_BYTES);
    const signature = await readSmallEntry(opened, signatureEntry, MAX_SIGNATURE_BYTES);
    const manifest = parseManifest(manifestBytes);

    const keyAlgorithm = algorithmOf(publicKey);
    if (!verifyManifest(manifestBytes, signature, publicKey, keyAlgorithm)) {
      const detail =
        info.publicKeyFingerprint === keyFingerprint
          ? `the signature does not match MANIFEST (key ${keyFingerprint})`
          : `signed with key ${info.publicKeyFingerprint}, checked with key ${keyFingerprint}`;
      throw new SigningError('SIGNATURE_INVALID', `signature invalid for this key: ${detail}`);
    }

    const problems: SigningProblem[] = [];
    const listed = new Set(manifest.map((l) => l.name));
    for (const line of manifest) {
      if (!byName.has(line.name)) {
        problems.push({
          code: 'ENTRY_REMOVED',
          entry: line.name,
          message: `entry removed: "${line.name}" is in MANIFEST but not in the package`,
        });
      }
    }
    const toCheck: Entry[] = [];
    for (const entry of opened.entries) {
      if (RESERVED_NAMES.has(entry.fileName)) continue;
      if (!listed.has(entry.fileName)) {
        problems.push({
          code: 'ENTRY_ADDED',
          entry: entry.fileName,
          message: `entry added: "${entry.fileName}" is not in MANIFEST`,
        });
      } else toCheck.push(entry);
    }
    const expected = new Map(manifest.map((l) => [l.name, l]));
    const total = toCheck.reduce((s, e) => s + e.compressedSize, 0);
    let done = 0;
    let bytes = 0;
    for (const entry of toCheck) {
      const line = expected.get(entry.fileName)!;
      let changed: string | undefined;
      try {
        const digest = await digestEntry(opened, entry, undefined, (n) => {
          done += n;
          options.onProgress?.({ done, total });
        });
        bytes += digest.size;
        if (digest.size !== line.size) changed = `size ${digest.size}, MANIFEST says ${line.size}`;
        else if (digest.sha256 !== line.sha256) changed = 'its SHA-256 differs from MANIFEST';
      } catch (error) {
        if (!(error instanceof SigningError) || error.code === 'UNSAFE_ZIP') throw error;
        changed = error.message;
      }
      if (changed) {
        problems.push({
          code: 'ENTRY_CHANGED',
          entry: entry.fileName,
          message: `entry changed: "${entry.fileName}" (${changed})`,
        });
      }
    }
    const first = problems[0];
    return {
      ...base,
      valid: problems.length === 0,
      code: first?.code,
      message: first
        ? summarize(problems)
        : `valid: ${manifest.length} entries match MANIFEST, signed by ${keyFingerprint}`,
      problems,
      signedWithFingerprint: info.publicKeyFingerprint,
      algorithm: info.algorithm,
      signedAt: info.signedAt,
      entries: manifest.length,
      bytes,
    };
  } catch (error) {
    if (!(error instanceof SigningError)) throw error;
    return {
      ...base,
      valid: false,
      code: error.code,
      message: error.message,
      problems: [{ code: error.code, message: error.message, ...(error.entry ? { entry: error.entry } : {}) }],
      signedWithFingerprint: info?.publicKeyFingerprint,
      algorithm: info?.algorithm,
      signedAt: info?.signedAt,
    };
  } finally {
    opened?.close();
  }
}

function summarize(problems: SigningProblem[]): string {
  const head = problems.slice(0, 5).map((p) => p.message);
  if (problems.length > 5) head.push(`and ${problems.length - 5} more`);
  return head.join('; ');
}
