// Streaming, defensive reading of a package zip: the central directory first (names, sizes, duplicates, bombs
// checked), then each entry's data as a stream, so a 1 GB package never sits in memory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { SigningError } from './signing-error.js';

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio for an entry bigger than ratioFloorBytes. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 4 * 1024 * 1024 * 1024 - 1,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

const STORED = 0;
const READ_CHUNK = 1024 * 1024;
const DEFLATED = 8;

export interface OpenedZip {
  path: string;
  zip: ZipFile;
  entries: Entry[];
  close(): void;
}

/** Why a name is unsafe, or undefined: no traversal, no absolute or drive paths, no control characters. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'an entry has an empty name';
  if (name.includes('\\')) return `entry "${name}" uses a backslash in its path`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry "${name}" has an absolute path`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `entry name ${JSON.stringify(name)} contains control characters`;
  if (name.split('/').some((part) => part === '..')) return `entry "${name}" points outside the package (..)`;
  return undefined;
}

function zipOpenError(path: string, error: unknown): SigningError {
  const text = error instanceof Error ? error.message : String(error);
  if (/ENOENT/.test(text)) return new SigningError('FILE_NOT_FOUND', `no such file: ${path}`);
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(text)) {
    return new SigningError('UNSAFE_ZIP', `unsafe entry name: ${text}`);
  }
  return new SigningError('NOT_A_ZIP', `${path} is not a readable zip file: ${text}`);
}

export async function openPackageZip(path: string, limits: ZipLimits = defaultZipLimits): Promise<OpenedZip> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (error) {
    throw zipOpenError(path, error);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new SigningError(
        'UNSAFE_ZIP',
        `the zip has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`,
      );
    }
    const entries: Entry[] = [];
    const seen = new Set<string>();
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        checkEntry(entry, seen, limits);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw new SigningError('UNSAFE_ZIP', `the zip unpacks to more than ${limits.maxTotalBytes} bytes`);
        }
        entries.push(entry);
      }
    } catch (error) {
      if (error instanceof SigningError) throw error;
      throw zipOpenError(path, error);
    }
    return { path, zip, entries, close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function checkEntry(entry: Entry, seen: Set<string>, limits: ZipLimits): void {
  const name = entry.fileName;
  const unsafe = unsafeNameReason(name);
  if (unsafe) throw new SigningError('UNSAFE_ZIP', unsafe, name);
  if (seen.has(name)) throw new SigningError('DUPLICATE_ENTRY', `the zip holds two entries named "${name}"`, name);
  seen.add(name);
  if (entry.isEncrypted()) throw new SigningError('UNSAFE_ZIP', `entry "${name}" is encrypted`, name);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw new SigningError(
      'UNSAFE_ZIP',
      `entry "${name}" uses compression method ${entry.compressionMethod}; only stored and deflate are supported`,
      name,
    );
  }
  if (
    entry.uncompressedSize > limits.ratioFloorBytes &&
    entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.maxRatio
  ) {
    throw new SigningError(
      'UNSAFE_ZIP',
      `entry "${name}" would inflate ${entry.compressedSize} bytes to ${entry.uncompressedSize} (more than ${limits.maxRatio}:1): refused as a zip bomb`,
      name,
    );
  }
}

export function isDirectoryEntry(entry: Entry): boolean {
  return entry.fileName.endsWith('/');
}

export interface EntryDigest {
  sha256: string;
  size: number;
}

/**
 * Streams one entry's stored bytes once: each raw chunk goes to `onRaw` (for a byte-for-byte copy) and, inflated
 * when needed, into SHA-256 and CRC-32. Inflation is capped at the declared size, so a lying header cannot bomb.
 */
export async function digestEntry(
  opened: OpenedZip,
  entry: Entry,
  onRaw?: (chunk: Buffer) => Promise<void> | void,
  onProgress?: (rawBytes: number) => void,
): Promise<EntryDigest> {
  const name = entry.fileName;
  let raw: Readable;
  try {
    // The entry's stored bytes straight from the file in 1 MiB reads: yauzl's own stream reads 16 KiB at a time.
    const { fileDataStart } = await opened.zip.readLocalFileHeaderPromise(entry, { minimal: true });
    raw =
      entry.compressedSize === 0
        ? Readable.from([])
        : createReadStream(opened.path, {
            start: fileDataStart,
            end: fileDataStart + entry.compressedSize - 1,
            highWaterMark: READ_CHUNK,
          });
  } catch (error) {
    throw new SigningError('NOT_A_ZIP', `entry "${name}" could not be read: ${(error as Error).message}`, name);
  }
  const hash = createHash('sha256');
  let size = 0;
  let crc = 0;
  const take = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > entry.uncompressedSize) {
      throw new SigningError(
        'UNSAFE_ZIP',
        `entry "${name}" inflates beyond its declared ${entry.uncompressedSize} bytes`,
        name,
      );
    }
    hash.update(chunk);
    crc = crc32(chunk, crc);
  };
  const inflater = entry.compressionMethod === DEFLATED ? createInflateRaw() : undefined;
  let inflateFailure: Error | undefined;
  inflater?.on('data', (chunk: Buffer) => {
    try {
      take(chunk);
    } catch (error) {
      inflateFailure = error instanceof Error ? error : new Error(String(error));
      raw.destroy();
      inflater.destroy();
    }
  });
  const inflated = inflater
    ? new Promise<void>((resolve, reject) => {
        inflater.once('end', resolve);
        inflater.once('error', reject);
        inflater.once('close', () => (inflateFailure ? reject(inflateFailure) : undefined));
      })
    : Promise.resolve();
  inflated.catch(() => undefined);
  try {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      if (onRaw) await onRaw(chunk);
      onProgress?.(chunk.length);
      if (inflater) {
        if (!inflater.write(chunk)) {
          await Promise.race([new Promise<void>((resolve) => inflater.once('drain', resolve)), inflated]);
        }
      } else {
        take(chunk);
      }
    }
    inflater?.end();
    await inflated;
  } catch (error) {
    inflater?.destroy();
    if (error instanceof SigningError) throw error;
    if (inflateFailure instanceof SigningError) throw inflateFailure;
    throw new SigningError('NOT_A_ZIP', `entry "${name}" could not be read: ${(error as Error).message}`, name);
  }
  if (inflateFailure instanceof SigningError) throw inflateFailure;
  if (size !== entry.uncompressedSize) {
    throw new SigningError(
      'NOT_A_ZIP',
      `entry "${name}" holds ${size} bytes but declares ${entry.uncompressedSize}`,
      name,
    );
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new SigningError('NOT_A_ZIP', `entry "${name}" is corrupt: its CRC-32 does not match`, name);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Reads a small entry whole (manifest, signature, descriptions), refusing anything above maxBytes. */
export async function readSmallEntry(opened: OpenedZip, entry: Entry, maxBytes: number): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) {
    throw new SigningError(
      'MALFORMED_MANIFEST',
      `entry "${entry.fileName}" is ${entry.uncompressedSize} bytes; at most ${maxBytes} expected`,
      entry.fileName,
    );
  }
  const chunks: Buffer[] = [];
  try {
    const stream = await opened.zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    throw new SigningError(
      'NOT_A_ZIP',
      `entry "${entry.fileName}" could not be read: ${(error as Error).message}`,
      entry.fileName,
    );
  }
  return Buffer.concat(chunks);
}
