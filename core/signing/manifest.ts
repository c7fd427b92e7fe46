// META-INF/MANIFEST: one line per entry, sorted by the UTF-8 bytes of its name: "<sha256 hex> <size> <name>\n".
import { z } from 'zod';
import { signatureAlgorithmNames, signingAlgorithmSchema, type SigningAlgorithm } from '../contract/signing.js';
import { SigningError } from './signing-error.js';

export const MANIFEST_NAME = 'META-INF/MANIFEST';
export const SIGNATURE_NAME = 'META-INF/MANIFEST.sig';
export const SIGNATURE_INFO_NAME = 'META-INF/SIGNATURE.json';
export const RESERVED_NAMES: ReadonlySet<string> = new Set([MANIFEST_NAME, SIGNATURE_NAME, SIGNATURE_INFO_NAME]);
export const SIGNED_FORMAT_VERSION = 1;

export interface ManifestLine {
  name: string;
  sha256: string;
  size: number;
}

export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function buildManifest(lines: readonly ManifestLine[]): Buffer {
  const sorted = [...lines].sort((a, b) => compareNames(a.name, b.name));
  return Buffer.from(sorted.map((l) => `${l.sha256} ${l.size} ${l.name}\n`).join(''), 'utf8');
}

const LINE = /^([0-9a-f]{64}) (0|[1-9][0-9]{0,15}) (.+)$/;

/** Parses MANIFEST bytes; any deviation from the format is MALFORMED_MANIFEST naming the line. */
export function parseManifest(bytes: Buffer): ManifestLine[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw new SigningError('MALFORMED_MANIFEST', 'MANIFEST is not valid UTF-8 text');
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new SigningError('MALFORMED_MANIFEST', 'MANIFEST does not end with a newline (truncated?)');
  }
  const rows = text.length === 0 ? [] : text.slice(0, -1).split('\n');
  const lines: ManifestLine[] = [];
  rows.forEach((row, index) => {
    const match = LINE.exec(row);
    if (!match) {
      throw new SigningError(
        'MALFORMED_MANIFEST',
        `MANIFEST line ${index + 1} is not "<sha256 hex> <size> <name>": ${JSON.stringify(row.slice(0, 120))}`,
      );
    }
    const line = { sha256: match[1]!, size: Number(match[2]), name: match[3]! };
    const previous = lines[lines.length - 1];
    if (previous && compareNames(previous.name, line.name) >= 0) {
      throw new SigningError(
        'MALFORMED_MANIFEST',
        previous.name === line.name
          ? `MANIFEST names "${line.name}" twice`
          : `MANIFEST line ${index + 1} ("${line.name}") is out of order`,
      );
    }
    lines.push(line);
  });
  return lines;
}

export const signatureInfoSchema = z.object({
  formatVersion: z.literal(SIGNED_FORMAT_VERSION),
  algorithm: z.string(),
  keyAlgorithm: signingAlgorithmSchema,
  publicKeyFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string(),
  tool: z.string(),
});
export type SignatureInfo = z.infer<typeof signatureInfoSchema>;

export function buildSignatureInfo(
  keyAlgorithm: SigningAlgorithm,
  fingerprint: string,
  signedAt: Date,
  tool: string,
): SignatureInfo {
  return {
    formatVersion: SIGNED_FORMAT_VERSION,
    algorithm: signatureAlgorithmNames[keyAlgorithm],
    keyAlgorithm,
    publicKeyFingerprint: fingerprint,
    signedAt: signedAt.toISOString(),
    tool,
  };
}

export function parseSignatureInfo(bytes: Buffer): SignatureInfo {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SigningError('MALFORMED_MANIFEST', 'SIGNATURE.json is not JSON');
  }
  const parsed = signatureInfoSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SigningError(
      'MALFORMED_MANIFEST',
      `SIGNATURE.json: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
