// Reads untrusted zips into memory with hard limits (entries, sizes, ratio, names) and writes zips deterministically.
// Nothing is ever extracted to disk, so a hostile name cannot write outside the data folder.
import { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import yazl from 'yazl';

export interface ZipLimits {
  /** Largest zip accepted, in bytes. */
  maxArchiveBytes: number;
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of one entry (deflate tops out near 1032:1). */
  maxCompressionRatio: number;
  maxNameLength: number;
  /** Whether entries may themselves be zips (a package that carries a firmware zip). */
  allowNestedArchives: boolean;
}

export const defaultZipLimits: ZipLimits = {
  maxArchiveBytes: 32 * 1024 * 1024,
  maxEntries: 512,
  maxEntryBytes: 8 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxNameLength: 255,
  allowNestedArchives: false,
};

export type ZipErrorCode =
  | 'ZIP_INVALID'
  | 'ZIP_TOO_LARGE'
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_ENTRY_TOO_LARGE'
  | 'ZIP_TOTAL_TOO_LARGE'
  | 'ZIP_RATIO_TOO_HIGH'
  | 'ZIP_UNSAFE_NAME'
  | 'ZIP_DUPLICATE_NAME'
  | 'ZIP_NESTED_ARCHIVE'
  | 'ZIP_UNSUPPORTED';

export interface ZipError {
  code: ZipErrorCode;
  message: string;
  /** The entry at fault, when one is. */
  file?: string;
}

export type ZipReadResult = { ok: true; entries: Map<string, Uint8Array> } | { ok: false; error: ZipError };

class ZipRejection extends Error {
  constructor(readonly zipError: ZipError) {
    super(zipError.message);
  }
}

function reject(code: ZipErrorCode, message: string, file?: string): never {
  throw new ZipRejection(file === undefined ? { code, message } : { code, message, file });
}

/** Why a name is unsafe, or undefined when it is a plain relative path. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.includes('\\')) return 'it contains a backslash';
  if (name.includes('\0')) return 'it contains a NUL character';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'it is an absolute path';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return 'it climbs out of the archive with ".."';
  if (segments.some((s) => s === '' || s === '.')) return 'it has an empty or "." path segment';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return 'it contains a control character';
  return undefined;
}

/** Maps yauzl's own refusals (its messages are its API) to our codes. */
function fromYauzlError(error: unknown, file?: string): ZipError {
  if (error instanceof ZipRejection) return error.zipError;
  const message = error instanceof Error ? error.message : String(error);
  const base = file === undefined ? {} : { file };
  if (/invalid characters in fileName|absolute path|invalid relative path/.test(message)) {
    return { code: 'ZIP_UNSAFE_NAME', message: `unsafe entry name: ${message}`, ...base };
  }
  if (/encrypt|compression method|multi-disk/.test(message)) {
    return { code: 'ZIP_UNSUPPORTED', message: `unsupported zip feature: ${message}`, ...base };
  }
  return { code: 'ZIP_INVALID', message: `not a readable zip: ${message}`, ...base };
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function looksLikeZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

async function readEntry(zip: ZipFile, entry: Entry, maxBytes: number): Promise<Uint8Array> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The declared size was checked already; this catches headers that lie about it.
    if (size > maxBytes) {
      stream.destroy();
      reject('ZIP_ENTRY_TOO_LARGE', `${entry.fileName} inflates past ${maxBytes} bytes`, entry.fileName);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

/** Reads every file of a zip into memory, or says precisely why the zip is refused. Never throws. */
export async function readZip(bytes: Uint8Array, limits: Partial<ZipLimits> = {}): Promise<ZipReadResult> {
  const l = { ...defaultZipLimits, ...limits };
  if (bytes.length > l.maxArchiveBytes) {
    return {
      ok: false,
      error: { code: 'ZIP_TOO_LARGE', message: `the zip is ${bytes.length} bytes; at most ${l.maxArchiveBytes}` },
    };
  }
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      lazyEntries: true,
      decodeStrings: true,
      strictFileNames: true,
      validateEntrySizes: true,
    });
  } catch (error) {
    return { ok: false, error: fromYauzlError(error) };
  }
  let current: string | undefined;
  try {
    if (zip.entryCount > l.maxEntries) {
      reject('ZIP_TOO_MANY_ENTRIES', `the zip has ${zip.entryCount} entries; at most ${l.maxEntries}`);
    }
    const entries = new Map<string, Uint8Array>();
    const seen = new Set<string>();
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      current = name;
      if (name.length > l.maxNameLength) {
        reject('ZIP_UNSAFE_NAME', `an entry name is ${name.length} characters; at most ${l.maxNameLength}`);
      }
      const unsafe = unsafeNameReason(name);
      if (unsafe) reject('ZIP_UNSAFE_NAME', `entry "${name}" is refused: ${unsafe}`, name);
      // Case-folded so two names that collide on Windows or macOS are refused too.
      const key = name.replace(/\/$/, '').toLowerCase();
      if (seen.has(key)) reject('ZIP_DUPLICATE_NAME', `entry "${name}" appears more than once`, name);
      seen.add(key);
      if (name.endsWith('/')) continue;

      if (entry.uncompressedSize > l.maxEntryBytes) {
        reject(
          'ZIP_ENTRY_TOO_LARGE',
          `${name} is ${entry.uncompressedSize} bytes uncompressed; at most ${l.maxEntryBytes}`,
          name,
        );
      }
      total += entry.uncompressedSize;
      if (total > l.maxTotalBytes) {
        reject('ZIP_TOTAL_TOO_LARGE', `the files inflate to more than ${l.maxTotalBytes} bytes`, name);
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > 64 * 1024 && ratio > l.maxCompressionRatio) {
        reject(
          'ZIP_RATIO_TOO_HIGH',
          `${name} expands ${Math.round(ratio)}:1 (at most ${l.maxCompressionRatio}:1); this looks like a zip bomb`,
          name,
        );
      }
      const data = await readEntry(zip, entry, l.maxEntryBytes);
      if (!l.allowNestedArchives && (looksLikeZip(data) || /\.(zip|jar|apk)$/i.test(name))) {
        reject('ZIP_NESTED_ARCHIVE', `${name} is itself an archive; nested archives are not accepted here`, name);
      }
      entries.set(name, data);
    }
    return { ok: true, entries };
  } catch (error) {
    return { ok: false, error: fromYauzlError(error, current) };
  } finally {
    zip.close();
  }
}

/** A fixed timestamp keeps exported zips byte-identical for the same content. */
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1));

/** Writes files (name -> bytes) into a zip, in the order given. */
export async function writeZip(files: Iterable<[string, Uint8Array | string]>): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of files) {
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new Error(`cannot write entry "${name}": ${unsafe}`);
    zip.addBuffer(typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content), name, {
      mtime: FIXED_MTIME,
      mode: 0o100644,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
